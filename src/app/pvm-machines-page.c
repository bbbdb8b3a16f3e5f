/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-machines-page.c: the Machines page: every VM pVM launched on the
 * configured libvirt connection, with its state kept up to date.
 *
 * The VMs are read in a thread (libvirt calls block); their states then
 * follow libvirt's events. The page shows a spinner while it loads, an
 * empty state, the list, or why libvirt could not be reached with a way to
 * try again (the machines.reload action).
 */

#define G_LOG_DOMAIN "pvm-machines-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-machines-page.h"

struct _PvmMachinesPage
{
  AdwBin          parent_instance;

  /* Owned */
  GCancellable   *cancellable;
  GVirConnection *connection;
  GPtrArray      *vms;             /* PvmVm, as listed */

  /* Template widgets */
  GtkStack       *stack;
  AdwStatusPage  *error_status;
  GtkListBox     *list_box;
};

G_DEFINE_FINAL_TYPE (PvmMachinesPage, pvm_machines_page, ADW_TYPE_BIN)

typedef struct
{
  GVirConnection *connection;
  GPtrArray      *vms;
} Listing;

static void
listing_free (Listing *listing)
{
  g_clear_object (&listing->connection);
  g_clear_pointer (&listing->vms, g_ptr_array_unref);
  g_free (listing);
}

static const char *
state_label (PvmVmState state)
{
  switch (state)
    {
    case PVM_VM_STATE_RUNNING: return _("Running");
    case PVM_VM_STATE_PAUSED:  return _("Paused");
    case PVM_VM_STATE_SAVED:   return _("Saved");
    case PVM_VM_STATE_CRASHED: return _("Crashed");
    case PVM_VM_STATE_STOPPED:
    default:                   return _("Stopped");
    }
}

/* "Running · 256 MiB · 1 vCPU", and the input and output on a second line. */
static char *
dup_subtitle (PvmVm *vm)
{
  const PvmVmPlan *plan = pvm_vm_get_plan (vm);
  g_autofree char *memory = pvm_size_format (plan->memory_bytes);
  g_autofree char *summary = NULL;
  g_autofree char *paths = NULL;

  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %u vCPU", "%s · %s · %u vCPUs",
                                          plan->cores),
                             state_label (pvm_vm_get_state (vm)), memory, plan->cores);
  paths = g_strdup_printf (_("%s → %s"), plan->input != NULL ? plan->input : _("no input"),
                           plan->output != NULL ? plan->output : _("no output"));
  return g_markup_printf_escaped ("%s\n%s", summary, paths);
}

static void
vm_state_cb (PvmVm         *vm,
             GParamSpec    *pspec,
             AdwActionRow  *row)
{
  g_autofree char *subtitle = dup_subtitle (vm);

  adw_action_row_set_subtitle (row, subtitle);
}

static GtkWidget *
create_row (PvmVm *vm)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  g_autofree char *title = g_markup_escape_text (pvm_vm_get_name (vm), -1);
  g_autofree char *subtitle = dup_subtitle (vm);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
  adw_action_row_set_subtitle_lines (row, 2);
  adw_action_row_set_icon_name (row, "computer-symbolic");
  g_signal_connect_object (vm, "notify::state", G_CALLBACK (vm_state_cb), row, 0);
  return GTK_WIDGET (row);
}

static void
show_vms (PvmMachinesPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);

  for (guint i = 0; i < self->vms->len; i++)
    gtk_list_box_append (self->list_box, create_row (g_ptr_array_index (self->vms, i)));

  gtk_stack_set_visible_child_name (self->stack, self->vms->len > 0 ? "list" : "empty");
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  Listing *listing;
  const char *uri;

  if (!pvm_config_load_default (config, NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  uri = pvm_config_get_string (config, "LIBVIRT_URI");
  connection = gvir_connection_new (uri);
  if (!gvir_connection_open (connection, cancellable, &error))
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "%s: %s", uri,
                               error->message);
      return;
    }

  listing = g_new0 (Listing, 1);
  listing->vms = pvm_vm_list_fetch (connection, &error);
  if (listing->vms == NULL)
    {
      listing_free (listing);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  listing->connection = g_steal_pointer (&connection);
  g_task_return_pointer (task, listing, (GDestroyNotify) listing_free);
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);
  g_autoptr(GError) error = NULL;
  Listing *listing = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (listing == NULL)
    {
      adw_status_page_set_description (self->error_status, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  g_clear_object (&self->connection);
  g_clear_pointer (&self->vms, g_ptr_array_unref);
  self->connection = g_steal_pointer (&listing->connection);
  self->vms = g_steal_pointer (&listing->vms);
  listing_free (listing);
  show_vms (self);
}

/**
 * pvm_machines_page_reload:
 * @self: a #PvmMachinesPage
 *
 * Reads the VMs again, in a thread; the page shows a spinner meanwhile.
 */
void
pvm_machines_page_reload (PvmMachinesPage *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_MACHINES_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  gtk_stack_set_visible_child_name (self->stack, "loading");
  task = g_task_new (self, self->cancellable, list_done_cb, NULL);
  g_task_set_source_tag (task, pvm_machines_page_reload);
  g_task_run_in_thread (task, list_thread);
}

/**
 * pvm_machines_page_get_shown:
 * @self: a #PvmMachinesPage
 *
 * Returns: what the page shows: "loading", "empty", "error" or "list"
 */
const char *
pvm_machines_page_get_shown (PvmMachinesPage *self)
{
  g_return_val_if_fail (PVM_IS_MACHINES_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * pvm_machines_page_get_n_machines:
 * @self: a #PvmMachinesPage
 *
 * Returns: the number of VMs listed
 */
guint
pvm_machines_page_get_n_machines (PvmMachinesPage *self)
{
  g_return_val_if_fail (PVM_IS_MACHINES_PAGE (self), 0);

  return self->vms != NULL ? self->vms->len : 0;
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  pvm_machines_page_reload (PVM_MACHINES_PAGE (widget));
}

static void
pvm_machines_page_dispose (GObject *object)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->vms, g_ptr_array_unref);
  g_clear_object (&self->connection);

  /* AdwBin unparents its child, the template's stack. */
  G_OBJECT_CLASS (pvm_machines_page_parent_class)->dispose (object);
}

static void
pvm_machines_page_class_init (PvmMachinesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_machines_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-machines-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, error_status);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, list_box);

  gtk_widget_class_install_action (widget_class, "machines.reload", NULL, reload_action);
}

static void
pvm_machines_page_init (PvmMachinesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  pvm_machines_page_reload (self);
}
