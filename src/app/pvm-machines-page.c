/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-machines-page.c: the Machines page: every VM pVM launched, each
 * with its state kept up to date from libvirt's events. With the
 * configured libvirt connection only, one list (read in a thread by
 * PvmListPage); with HOSTS, a group per host (all asked at once by
 * pvm_hosts_query_async()), titled with its name and URI, saying what it
 * offers or why it does not answer. The connections the list was read
 * from stay open: when a pVM domain is defined, defined again or removed
 * there (by "pvm" in a terminal, a migration, virsh), the list is read
 * again, without the spinner, on the same connections (no new SSH
 * session to every host at every change); when one of them closes (its
 * daemon restarted, its SSH tunnel broke), the list is read again on a
 * new one.
 *
 * In selection mode (the action bar's Select), a check button on every
 * row picks VMs, and Start, Stop and Delete act on those picked: a batch
 * fanned out over a data set is stopped or cleaned up at once. */

#define G_LOG_DOMAIN "pvm-machines-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libvirt/virterror.h>

#include "pvm-application.h"
#include "pvm-core.h"
#include "pvm-machines-page.h"
#include "pvm-vm-window.h"

typedef enum
{
  OP_START,
  OP_STOP,
} Op;

struct _PvmMachinesPage
{
  PvmListPage      parent_instance;

  /* Owned */
  GPtrArray       *statuses;       /* PvmHostStatus of each host, or NULL: only the local one */
  GPtrArray       *watched;        /* Watch: the connections the list was read from */
  gboolean         selection_mode;
  GHashTable      *selected;       /* vm_key () of the VMs selected */
  GPtrArray       *rows;           /* every row made (not owned), to show their check buttons */
  GCancellable    *cancellable;    /* of the starts and stops of selected VMs */
  guint            n_pending;      /* of those, not done yet */
  guint            n_done;
  GString         *failures;       /* "NAME: why" of those that failed */
  Op               op;
  GHashTable      *progress;       /* vm_key () -> what its running job last said of its
                                    * progress ("45% (tick 18)") */
  guint            progress_id;    /* the timer that reads it */
  GCancellable    *progress_read;  /* a read under way */

  /* Template widgets */
  GtkWidget       *content;
  AdwToastOverlay *toast_overlay;
  GtkWidget       *action_bar;
  GtkWidget       *empty_button;
  GtkWidget       *launch_button;
  GtkWidget       *start_button;
  GtkWidget       *stop_button;
  GtkWidget       *delete_button;
  GtkWidget       *select_all_button;
  GtkLabel        *selection_label;
};

G_DEFINE_FINAL_TYPE (PvmMachinesPage, pvm_machines_page, PVM_TYPE_LIST_PAGE)

enum {
  PROP_0,
  PROP_SELECTION_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static char *vm_key (PvmVm *vm);

/* "Running · 256 MiB · 1 vCPU" ("Running, job at 45% (tick 18) · …" while
 * its job says how far it is), and the names of the input and the output
 * on a second line (their paths are the row's tooltip). */
static char *
dup_subtitle (PvmMachinesPage *self,
              PvmVm           *vm)
{
  const PvmVmPlan *plan = pvm_vm_get_plan (vm);
  g_autofree char *memory = pvm_size_format (plan->memory_bytes);
  g_autofree char *summary = NULL;
  g_autofree char *state = NULL;
  g_autofree char *key = vm_key (vm);
  g_autofree char *input = plan->input != NULL ? g_path_get_basename (plan->input) : NULL;
  g_autofree char *output = plan->output != NULL ? g_path_get_basename (plan->output) : NULL;
  g_autofree char *paths = NULL;
  const char *progress = self != NULL && pvm_vm_is_active (vm)
                           ? g_hash_table_lookup (self->progress, key) : NULL;

  /* QEMU pauses a VM whose disk write failed: the host's disk is full,
   * most often. */
  if (pvm_vm_is_paused_by_io_error (vm))
    state = g_strdup (_("Paused: a disk write failed"));
  else if (progress != NULL)
    state = g_strdup_printf (_("%s, job at %s"), state_label (pvm_vm_get_state (vm)), progress);
  else
    state = g_strdup (state_label (pvm_vm_get_state (vm)));
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %u vCPU", "%s · %s · %u vCPUs",
                                          plan->cores),
                             state, memory, plan->cores);
  paths = g_strdup_printf (_("%s → %s"), input != NULL ? input : _("no input"),
                           output != NULL ? output : _("no output"));
  return g_markup_printf_escaped ("%s\n%s", summary, paths);
}

/* "Input: /srv/data/survey.sqsh\nOutput: /srv/out/job1" */
static char *
dup_tooltip (PvmVm *vm)
{
  const PvmVmPlan *plan = pvm_vm_get_plan (vm);

  return g_strdup_printf (_("Input: %s\nOutput: %s"),
                          plan->input != NULL ? plan->input : _("none"),
                          plan->output != NULL ? plan->output : _("none"));
}

static void update_selection (PvmMachinesPage *self);

static void
vm_state_cb (PvmVm         *vm,
             GParamSpec    *pspec,
             AdwActionRow  *row)
{
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (row), PVM_TYPE_MACHINES_PAGE);
  g_autofree char *subtitle = dup_subtitle (page != NULL ? PVM_MACHINES_PAGE (page) : NULL, vm);

  adw_action_row_set_subtitle (row, subtitle);
  /* What the VMs selected can do has changed. */
  if (page != NULL)
    update_selection (PVM_MACHINES_PAGE (page));
}

/* --- selecting ------------------------------------------------------------ */

/* A VM of the list, whichever host it is on. */
static char *
vm_key (PvmVm *vm)
{
  return g_strconcat (pvm_vm_get_uri (vm), "\n", pvm_vm_get_name (vm), NULL);
}

/* The VMs listed that are selected, in the list's order. */
static GPtrArray *
dup_selected (PvmMachinesPage *self)
{
  GPtrArray *items = pvm_list_page_get_items (PVM_LIST_PAGE (self));
  GPtrArray *vms = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      g_autofree char *key = vm_key (g_ptr_array_index (items, i));

      if (g_hash_table_contains (self->selected, key))
        g_ptr_array_add (vms, g_object_ref (g_ptr_array_index (items, i)));
    }
  return vms;
}

static gboolean
can_start (PvmVm *vm)
{
  PvmVmState state = pvm_vm_get_state (vm);

  return state == PVM_VM_STATE_STOPPED || state == PVM_VM_STATE_CRASHED;
}

static gboolean
can_delete (PvmVm *vm)
{
  return !pvm_vm_is_active (vm) && pvm_vm_get_state (vm) != PVM_VM_STATE_SAVED;
}

/* The bar: Launch, or what can be done with the VMs selected and how
 * many they are. */
static void
update_selection (PvmMachinesPage *self)
{
  g_autoptr(GPtrArray) vms = dup_selected (self);
  GPtrArray *items = pvm_list_page_get_items (PVM_LIST_PAGE (self));
  gboolean busy = self->n_pending > 0;
  gboolean any_start = FALSE, any_stop = FALSE, all_delete = vms->len > 0;
  g_autofree char *count = NULL;

  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);

      any_start |= can_start (vm);
      any_stop |= pvm_vm_is_active (vm);
      all_delete &= can_delete (vm);
    }

  gtk_widget_set_visible (self->launch_button, !self->selection_mode);
  gtk_widget_set_visible (self->start_button, self->selection_mode);
  gtk_widget_set_visible (self->stop_button, self->selection_mode);
  gtk_widget_set_visible (self->delete_button, self->selection_mode);
  gtk_widget_set_visible (self->select_all_button, self->selection_mode);
  gtk_widget_set_visible (GTK_WIDGET (self->selection_label), self->selection_mode);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machines.start-selected",
                                 any_start && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machines.stop-selected", any_stop && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machines.delete-selected",
                                 all_delete && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machines.select-all",
                                 items != NULL && vms->len < items->len);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "machines.leave-selection",
                                 self->selection_mode);
  gtk_widget_set_tooltip_text (self->delete_button,
                               vms->len > 0 && !all_delete
                                 ? _("Only VMs that are off (not saved) can be deleted: stop "
                                     "the others first")
                                 : _("Remove the VMs selected from libvirt; their images and "
                                     "outputs stay"));

  if (vms->len == 0)
    count = g_strdup (_("Click VMs to select them"));
  else
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u VM selected", "%u VMs selected",
                                          vms->len), vms->len);
  gtk_label_set_text (self->selection_label, count);
}

/* The check buttons of the rows on screen, as the selection has it. */
static void
update_rows (PvmMachinesPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");
      const char *key = g_object_get_data (G_OBJECT (check), "key");

      gtk_widget_set_visible (GTK_WIDGET (check), self->selection_mode);
      gtk_widget_set_visible (g_object_get_data (G_OBJECT (row), "next"), !self->selection_mode);
      gtk_check_button_set_active (check, key != NULL && g_hash_table_contains (self->selected,
                                                                               key));
    }
}

static void
check_toggled_cb (GtkCheckButton  *check,
                  PvmMachinesPage *self)
{
  const char *key = g_object_get_data (G_OBJECT (check), "key");

  if (key == NULL || !self->selection_mode)
    return;
  if (gtk_check_button_get_active (check))
    g_hash_table_add (self->selected, g_strdup (key));
  else
    g_hash_table_remove (self->selected, key);
  update_selection (self);
}

static void
forget_row (gpointer  data,
            GObject  *row)
{
  PvmMachinesPage *self = data;

  g_ptr_array_remove_fast (self->rows, row);
}

/**
 * pvm_machines_page_set_selection_mode:
 * @self: a #PvmMachinesPage
 * @selection_mode: whether rows are picked rather than opened
 *
 * In selection mode every row has a check button, activating a row picks
 * it, and the action bar acts on the VMs picked. Leaving it forgets them.
 */
void
pvm_machines_page_set_selection_mode (PvmMachinesPage *self,
                                      gboolean         selection_mode)
{
  g_return_if_fail (PVM_IS_MACHINES_PAGE (self));

  selection_mode = !!selection_mode;
  if (self->selection_mode == selection_mode)
    return;
  self->selection_mode = selection_mode;
  if (!selection_mode)
    g_hash_table_remove_all (self->selected);
  update_rows (self);
  update_selection (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_MODE]);
}

/**
 * pvm_machines_page_get_selection_mode:
 * @self: a #PvmMachinesPage
 *
 * Returns: whether the page is in selection mode
 */
gboolean
pvm_machines_page_get_selection_mode (PvmMachinesPage *self)
{
  g_return_val_if_fail (PVM_IS_MACHINES_PAGE (self), FALSE);

  return self->selection_mode;
}

/**
 * pvm_machines_page_select:
 * @self: a #PvmMachinesPage in selection mode
 * @name: a VM's name
 * @selected: whether to pick it
 *
 * Picks the VMs named @name (one per host), as their check buttons do.
 *
 * Returns: whether the list has a VM named @name
 */
gboolean
pvm_machines_page_select (PvmMachinesPage *self,
                          const char      *name,
                          gboolean         selected)
{
  GPtrArray *items;
  gboolean found = FALSE;

  g_return_val_if_fail (PVM_IS_MACHINES_PAGE (self), FALSE);
  g_return_val_if_fail (self->selection_mode, FALSE);

  items = pvm_list_page_get_items (PVM_LIST_PAGE (self));
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (items, i);

      if (g_str_equal (pvm_vm_get_name (vm), name))
        {
          if (selected)
            g_hash_table_add (self->selected, vm_key (vm));
          else
            {
              g_autofree char *key = vm_key (vm);

              g_hash_table_remove (self->selected, key);
            }
          found = TRUE;
        }
    }
  update_rows (self);
  update_selection (self);
  return found;
}

/**
 * pvm_machines_page_get_selection_text:
 * @self: a #PvmMachinesPage
 *
 * Returns: what the action bar says of the selection, as shown
 */
const char *
pvm_machines_page_get_selection_text (PvmMachinesPage *self)
{
  g_return_val_if_fail (PVM_IS_MACHINES_PAGE (self), NULL);

  return gtk_label_get_text (self->selection_label);
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (widget);
  GPtrArray *items = pvm_list_page_get_items (PVM_LIST_PAGE (self));

  for (guint i = 0; items != NULL && i < items->len; i++)
    g_hash_table_add (self->selected, vm_key (g_ptr_array_index (items, i)));
  update_rows (self);
  update_selection (self);
}

/* Escape: enabled in selection mode only, so that otherwise the key is
 * someone else's. */
static void
leave_selection_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  pvm_machines_page_set_selection_mode (PVM_MACHINES_PAGE (widget), FALSE);
}

/* Once the list is read again: the VMs that left it leave the selection. */
static void
loaded_cb (PvmMachinesPage *self,
           gpointer         user_data)
{
  GPtrArray *items = pvm_list_page_get_items (PVM_LIST_PAGE (self));
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; items != NULL && i < items->len; i++)
    g_hash_table_add (listed, vm_key (g_ptr_array_index (items, i)));
  g_hash_table_iter_init (&iter, self->selected);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (listed, key))
      g_hash_table_iter_remove (&iter);
  update_rows (self);
  update_selection (self);
}

/* --- acting on the VMs selected --------------------------------------------- */

static void
show_toast (PvmMachinesPage *self,
            const char      *text,
            const char      *notes)
{
  pvm_list_page_show_toast (PVM_LIST_PAGE (self), self->toast_overlay, text, notes);
}

/* How many VMs @failures ("NAME: why" a line) names. */
static guint
count_failures (const char *failures)
{
  guint n = 0;

  for (const char *c = failures; *c != '\0'; c++)
    n += *c == '\n';
  return n;
}

/* All started, or stopped: what came of it, those that failed behind
 * Details. */
static void
op_finished (PvmMachinesPage *self)
{
  g_autofree char *text = NULL;
  guint n_failed = count_failures (self->failures->str);

  if (self->op == OP_START)
    text = n_failed == 0
           ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Started %u VM", "Started %u VMs",
                                           self->n_done), self->n_done)
           : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Started %u of %u VMs: %u could not start",
                                           "Started %u of %u VMs: %u could not start",
                                           self->n_done + n_failed),
                              self->n_done, self->n_done + n_failed, n_failed);
  else
    text = n_failed == 0
           ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Stopped %u VM", "Stopped %u VMs",
                                           self->n_done), self->n_done)
           : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Stopped %u of %u VMs: %u could not stop",
                                           "Stopped %u of %u VMs: %u could not stop",
                                           self->n_done + n_failed),
                              self->n_done, self->n_done + n_failed, n_failed);
  show_toast (self, text, n_failed > 0 ? self->failures->str : NULL);
  update_selection (self);
}

static void
op_done_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PvmMachinesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  PvmVm *vm = PVM_VM (object);
  gboolean done = self->op == OP_START ? pvm_vm_start_finish (vm, result, &error)
                                       : pvm_vm_stop_finish (vm, result, NULL, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (done)
    self->n_done++;
  else
    g_string_append_printf (self->failures, "%s: %s\n", pvm_vm_get_name (vm), error->message);
  if (--self->n_pending == 0)
    op_finished (self);
}

/* Starts, or stops, those of the VMs selected that are off, or run, all
 * at once. */
static void
run_op (PvmMachinesPage *self,
        Op               op)
{
  g_autoptr(GPtrArray) vms = dup_selected (self);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *application = GTK_IS_WINDOW (root)
                                  ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  if (self->n_pending > 0)
    return;
  self->op = op;
  self->n_done = 0;
  g_string_truncate (self->failures, 0);
  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);

      if (op == OP_START && can_start (vm))
        pvm_vm_start_async (vm, self->cancellable, op_done_cb, g_object_ref (self));
      else if (op == OP_STOP && pvm_vm_is_active (vm))
        {
          /* Asked for: no "job ended" notification. */
          if (PVM_IS_APPLICATION (application))
            pvm_job_monitor_expect_stop (
              pvm_application_get_job_monitor (PVM_APPLICATION (application)), vm);
          pvm_vm_stop_async (vm, PVM_VM_STOP_GRACEFUL, PVM_VM_DEFAULT_STOP_TIMEOUT_SECONDS,
                             self->cancellable, op_done_cb, g_object_ref (self));
        }
      else
        continue;
      self->n_pending++;
    }
  update_selection (self);
}

static void
start_selected_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  run_op (PVM_MACHINES_PAGE (widget), OP_START);
}

static void
stop_selected_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  run_op (PVM_MACHINES_PAGE (widget), OP_STOP);
}

/* In a thread: one call to libvirt for each VM of @task_data (their
 * images stay), which a remote host answers over the network. Returns the
 * failures, "NAME: why" a line. */
static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GPtrArray *vms = task_data;
  GString *failures = g_string_new (NULL);

  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);
      g_autoptr(GError) error = NULL;

      if (!pvm_vm_delete (vm, &error))
        g_string_append_printf (failures, "%s: %s\n", pvm_vm_get_name (vm), error->message);
    }
  g_task_return_pointer (task, g_string_free (failures, FALSE), g_free);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);
  GPtrArray *vms = g_task_get_task_data (G_TASK (result));
  g_autofree char *failures = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autofree char *text = NULL;
  guint n_failed, n_deleted;

  self->n_pending = 0;
  if (failures == NULL)
    return;
  n_failed = count_failures (failures);
  n_deleted = vms->len - n_failed;
  if (n_failed == 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Deleted %u VM; its image is kept",
                                         "Deleted %u VMs; their images are kept", n_deleted),
                            n_deleted);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Deleted %u of %u VMs: %u could not be deleted",
                                         "Deleted %u of %u VMs: %u could not be deleted",
                                         vms->len),
                            n_deleted, vms->len, n_failed);
  show_toast (self, text, n_failed > 0 ? failures : NULL);
  /* The VMs deleted leave the selection as they leave the list. */
  pvm_list_page_refresh_soon (PVM_LIST_PAGE (self));
  update_selection (self);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    PvmMachinesPage  *self)
{
  g_autoptr(GPtrArray) selected = dup_selected (self);
  GPtrArray *vms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTask) task = NULL;

  if (self->n_pending > 0)
    {
      g_ptr_array_unref (vms);
      return;
    }
  for (guint i = 0; i < selected->len; i++)
    if (can_delete (g_ptr_array_index (selected, i)))
      g_ptr_array_add (vms, g_object_ref (g_ptr_array_index (selected, i)));

  /* Start, Stop and Delete wait until it is done. */
  self->n_pending = 1;
  update_selection (self);
  task = g_task_new (self, self->cancellable, deleted_cb, NULL);
  g_task_set_source_tag (task, delete_response_cb);
  g_task_set_task_data (task, vms, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, delete_thread);
}

static void
delete_selected_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (widget);
  g_autoptr(GPtrArray) vms = dup_selected (self);
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  for (guint i = 0; i < vms->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "",
                            pvm_vm_get_name (g_ptr_array_index (vms, i)));
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Delete %u VM?", "Delete %u VMs?",
                                          vms->len), vms->len);
  body = g_strdup_printf (_("%s will leave libvirt. Their images, inputs and output folders "
                            "stay as they are: launch them again to run them."), names->str);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (NULL, heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  pvm_list_page_present_dialog (PVM_LIST_PAGE (self), dialog, "delete",
                                G_CALLBACK (delete_response_cb));
}

/* --- the jobs' progress ------------------------------------------------------ */

/* How often the running jobs' progress is read. */
#define PROGRESS_INTERVAL_S 2

/* In a thread: what the jobs of @task_data (PvmVm that run) last said of
 * their progress, by vm_key (). A VM of another host has its serial log
 * there, read through libvirt. */
static void
read_progress_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GPtrArray *vms = task_data;
  GHashTable *progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < vms->len && !g_cancellable_is_cancelled (cancellable); i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);
      int percent = -1;
      g_autofree char *text = pvm_vm_dup_job_progress (vm, &percent, NULL);

      if (text == NULL)
        continue;
      g_hash_table_insert (progress, vm_key (vm),
                           *text != '\0' ? g_strdup_printf ("%d%% (%s)", percent, text)
                                         : g_strdup_printf ("%d%%", percent));
    }
  g_task_return_pointer (task, progress, (GDestroyNotify) g_hash_table_unref);
}

static gboolean
same_progress (GHashTable *a,
               GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_strcmp0 (value, g_hash_table_lookup (b, key)) != 0)
      return FALSE;
  return TRUE;
}

static void
progress_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);
  g_autoptr(GHashTable) progress = g_task_propagate_pointer (G_TASK (result), NULL);

  if (progress == NULL)
    return;
  g_clear_object (&self->progress_read);
  if (same_progress (progress, self->progress))
    return;
  g_hash_table_unref (self->progress);
  self->progress = g_steal_pointer (&progress);

  /* The rows on screen say it. */
  for (guint i = 0; i < self->rows->len; i++)
    {
      AdwActionRow *row = g_ptr_array_index (self->rows, i);
      PvmVm *vm = g_object_get_data (G_OBJECT (row), "vm");
      g_autofree char *subtitle = NULL;

      if (vm == NULL)
        continue;
      subtitle = dup_subtitle (self, vm);
      adw_action_row_set_subtitle (row, subtitle);
    }
}

/* Every PROGRESS_INTERVAL_S while the page shows: the jobs' progress of
 * the VMs that run, read in a thread. */
static gboolean
progress_timeout_cb (gpointer user_data)
{
  PvmMachinesPage *self = user_data;
  GPtrArray *items = pvm_list_page_get_items (PVM_LIST_PAGE (self));
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GTask) task = NULL;

  if (self->progress_read != NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return G_SOURCE_CONTINUE;
  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (items, i);

      if (pvm_vm_is_active (vm) && pvm_vm_get_serial_log (vm) != NULL)
        g_ptr_array_add (vms, g_object_ref (vm));
    }
  if (vms->len == 0 && g_hash_table_size (self->progress) == 0)
    return G_SOURCE_CONTINUE;

  self->progress_read = g_cancellable_new ();
  task = g_task_new (self, self->progress_read, progress_read_cb, NULL);
  g_task_set_source_tag (task, progress_timeout_cb);
  g_task_set_task_data (task, g_steal_pointer (&vms), (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, read_progress_thread);
  return G_SOURCE_CONTINUE;
}

/**
 * pvm_machines_page_read_progress:
 * @self: a #PvmMachinesPage
 *
 * Reads the jobs' progress now rather than at the next tick.
 */
void
pvm_machines_page_read_progress (PvmMachinesPage *self)
{
  g_return_if_fail (PVM_IS_MACHINES_PAGE (self));

  progress_timeout_cb (self);
}

/* --- rows ------------------------------------------------------------------- */

/* The VM's panel, over the window the page is in, or in selection mode,
 * the VM picked or put back. The list is read again when the panel closes,
 * and when the VM moves to another host: the VM may have been deleted or
 * be elsewhere. */
static void
pvm_machines_page_activate (PvmListPage *page,
                            gpointer     item)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (page);
  PvmVmWindow *window;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (page));

  if (self->selection_mode)
    {
      g_autofree char *key = vm_key (item);

      if (!g_hash_table_remove (self->selected, key))
        g_hash_table_add (self->selected, g_steal_pointer (&key));
      update_rows (self);
      update_selection (self);
      return;
    }

  window = pvm_vm_window_new (item);
  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
      /* Its console window and its stops go through the application. */
      gtk_window_set_application (GTK_WINDOW (window),
                                  gtk_window_get_application (GTK_WINDOW (root)));
    }
  g_signal_connect_object (window, "destroy", G_CALLBACK (pvm_list_page_reload), page,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "notify::vm", G_CALLBACK (pvm_list_page_refresh_soon), page,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

static void
pvm_machines_page_setup_row (PvmListPage  *page,
                             AdwActionRow *row)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (page);
  GtkWidget *check = gtk_check_button_new ();
  GtkWidget *next = gtk_image_new_from_icon_name ("go-next-symbolic");

  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (check, "selection-mode");
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Select"), -1);
  gtk_widget_set_visible (check, self->selection_mode);
  gtk_widget_set_visible (next, !self->selection_mode);
  g_signal_connect_object (check, "toggled", G_CALLBACK (check_toggled_cb), self, 0);
  adw_action_row_add_prefix (row, check);
  adw_action_row_add_suffix (row, next);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data (G_OBJECT (row), "next", next);
  g_ptr_array_add (self->rows, row);
  g_object_weak_ref (G_OBJECT (row), forget_row, self);
}

static void
pvm_machines_page_bind_row (PvmListPage  *page,
                            AdwActionRow *row,
                            gpointer      item)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (page);
  PvmVm *vm = item;
  g_autofree char *subtitle = dup_subtitle (self, vm);
  g_autofree char *tooltip = dup_tooltip (vm);
  g_autofree char *key = vm_key (vm);
  GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");

  pvm_list_page_set_row (row, pvm_vm_get_name (vm), subtitle, "computer-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), tooltip);
  g_signal_connect_object (vm, "notify::state", G_CALLBACK (vm_state_cb), row, 0);
  g_object_set_data (G_OBJECT (row), "vm", vm);

  /* Shown as selected or not before it says which VM it is: its toggled
   * handler changes nothing meanwhile. */
  g_object_set_data (G_OBJECT (check), "key", NULL);
  gtk_check_button_set_active (check, g_hash_table_contains (self->selected, key));
  g_object_set_data_full (G_OBJECT (check), "key", g_steal_pointer (&key), g_free);
}

static void
pvm_machines_page_unbind_row (PvmListPage  *page,
                              AdwActionRow *row,
                              gpointer      item)
{
  g_signal_handlers_disconnect_by_func (item, vm_state_cb, row);
  g_object_set_data (g_object_get_data (G_OBJECT (row), "check"), "key", NULL);
  g_object_set_data (G_OBJECT (row), "vm", NULL);
}

/* --- loading ------------------------------------------------------------- */

/* A connection the page follows the domains of. */
typedef struct
{
  GVirConnection *connection;    /* kept open */
  virConnectPtr   handle;
  int             callback_id;
  gboolean        close_registered;
} Watch;

static void closed_cb (virConnectPtr handle,
                       int           reason,
                       void         *opaque);

static void
watch_free (Watch *watch)
{
  if (watch->callback_id >= 0)
    virConnectDomainEventDeregisterAny (watch->handle, watch->callback_id);
  if (watch->close_registered)
    virConnectUnregisterCloseCallback (watch->handle, closed_cb);
  g_clear_pointer (&watch->handle, virConnectClose);
  g_clear_pointer (&watch->connection, pvm_connection_release);
  g_free (watch);
}

static void
free_weak_ref (void *opaque)
{
  g_weak_ref_clear (opaque);
  g_free (opaque);
}

/* Any domain's event: one defined (launched, restored, migrated in),
 * defined again (launched again with another plan) or removed (deleted,
 * migrated away) changes the list. libvirt-glib's domain-added does not
 * say the second. */
static int
lifecycle_event_cb (virConnectPtr  handle,
                    virDomainPtr   domain,
                    int            event,
                    int            detail,
                    void          *opaque)
{
  g_autoptr(PvmMachinesPage) self = g_weak_ref_get (opaque);
  const char *name = virDomainGetName (domain);

  if (self != NULL && (event == VIR_DOMAIN_EVENT_DEFINED || event == VIR_DOMAIN_EVENT_UNDEFINED) &&
      name != NULL && g_str_has_prefix (name, PVM_DOMAIN_NAME_PREFIX))
    pvm_list_page_refresh_soon (PVM_LIST_PAGE (self));
  return 0;
}

/* A connection the list was read from closed: read it again, on a new
 * one. */
static void
closed_cb (virConnectPtr  handle,
           int            reason,
           void          *opaque)
{
  g_autoptr(PvmMachinesPage) self = g_weak_ref_get (opaque);

  if (self != NULL)
    pvm_list_page_refresh_soon (PVM_LIST_PAGE (self));
}

/* Follows the domains of @connections (owned: GVirConnection) instead of
 * those before. */
static void
watch (PvmMachinesPage *self,
       GPtrArray       *connections)
{
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  self->watched = g_ptr_array_new_with_free_func ((GDestroyNotify) watch_free);
  for (guint i = 0; i < connections->len; i++)
    {
      Watch *watch = g_new0 (Watch, 1);
      GWeakRef *weak = g_new0 (GWeakRef, 1);

      watch->connection = g_object_ref (g_ptr_array_index (connections, i));
      g_object_get (watch->connection, "handle", &watch->handle, NULL);
      g_weak_ref_init (weak, self);
      watch->callback_id =
        virConnectDomainEventRegisterAny (watch->handle, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK (lifecycle_event_cb), weak,
                                          free_weak_ref);
      if (watch->callback_id < 0)
        {
          /* The list is right; it just does not follow. */
          g_debug ("Cannot follow the domains of %s: %s",
                   gvir_connection_get_uri (watch->connection), virGetLastErrorMessage ());
          free_weak_ref (weak);
        }
      weak = g_new0 (GWeakRef, 1);
      g_weak_ref_init (weak, self);
      watch->close_registered =
        virConnectRegisterCloseCallback (watch->handle, closed_cb, weak, free_weak_ref) == 0;
      if (!watch->close_registered)
        free_weak_ref (weak);
      g_ptr_array_add (self->watched, watch);
    }
  g_ptr_array_unref (connections);
}

/* What the first step of a load found, in a thread. */
typedef struct
{
  GPtrArray *hosts;        /* PvmHostEntry, "local" first */
  GPtrArray *vms;          /* of the local host, when it is the only one */
  GPtrArray *statuses;     /* PvmHostStatus, when there are several */
  GPtrArray *connections;  /* GVirConnection, open, the VMs read from them */
  GPtrArray *open;         /* GVirConnection: those of the list before */
} Load;

static void
load_free (Load *load)
{
  g_clear_pointer (&load->hosts, g_ptr_array_unref);
  g_clear_pointer (&load->vms, g_ptr_array_unref);
  g_clear_pointer (&load->statuses, g_ptr_array_unref);
  g_clear_pointer (&load->connections, g_ptr_array_unref);
  g_clear_pointer (&load->open, g_ptr_array_unref);
  g_free (load);
}

/* The VMs of the local host, as the page has always read them: its error
 * is the page's. On the connection of @open to @uri if it is alive; the
 * connection goes to @connections. */
static GPtrArray *
fetch_local (const char    *uri,
             GPtrArray     *open,
             GPtrArray     *connections,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GVirConnection) connection = pvm_vm_reuse_connection (open, uri);
  g_autoptr(GError) local_error = NULL;
  GPtrArray *vms;

  if (connection == NULL)
    connection = gvir_connection_new (uri);
  if (!gvir_connection_is_open (connection) &&
      !gvir_connection_open (connection, cancellable, &local_error))
    {
      /* libvirt's messages usually name the URI already. */
      if (strstr (local_error->message, uri) != NULL)
        g_set_error_literal (error, PVM_ERROR, PVM_ERROR_LIBVIRT, local_error->message);
      else
        g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "%s: %s", uri, local_error->message);
      return NULL;
    }
  vms = pvm_vm_list_fetch (connection, error);
  if (vms != NULL)
    g_ptr_array_add (connections, g_steal_pointer (&connection));
  return vms;
}

/* In a thread: the configuration's hosts; the VMs too when the local host
 * is the only one (they hold the connection they were found on). */
static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Load *load = task_data;
  g_autoptr(PvmConfig) config = pvm_config_new ();
  GError *error = NULL;

  if (!pvm_config_load_default (config, NULL, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  load->hosts = pvm_hosts_from_config (config);
  load->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_connection_release);
  if (load->hosts->len == 1 &&
      (load->vms = fetch_local (pvm_config_get_string (config, "LIBVIRT_URI"), load->open,
                                load->connections, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
hosts_queried_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;

  load->statuses = pvm_hosts_query_finish (result, &error);
  if (load->statuses == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The page's items are the VMs of every host, in the hosts' order. */
  load->vms = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < load->statuses->len; i++)
    {
      PvmHostStatus *status = g_ptr_array_index (load->statuses, i);

      for (guint j = 0; status->vms != NULL && j < status->vms->len; j++)
        g_ptr_array_add (load->vms, g_object_ref (g_ptr_array_index (status->vms, j)));
      if (status->connection != NULL)
        g_ptr_array_add (load->connections, g_object_ref (status->connection));
    }
  g_task_return_boolean (task, TRUE);
}

static void
config_loaded_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (load->vms != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* Several hosts: each asked in a thread of its own, so that one that
   * does not answer holds up no other. */
  pvm_hosts_query_async (load->hosts, load->open, g_task_get_cancellable (task),
                         hosts_queried_cb, g_object_ref (task));
}

static void
pvm_machines_page_load_async (PvmListPage         *page,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (page);
  g_autoptr(GTask) task = g_task_new (page, cancellable, callback, user_data);
  g_autoptr(GTask) config_task = NULL;
  Load *load = g_new0 (Load, 1);

  /* Asked again on the connections of the list shown, while alive. */
  load->open = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; self->watched != NULL && i < self->watched->len; i++)
    g_ptr_array_add (load->open,
                     g_object_ref (((Watch *) g_ptr_array_index (self->watched, i))->connection));
  g_task_set_source_tag (task, pvm_machines_page_load_async);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);

  config_task = g_task_new (page, cancellable, config_loaded_cb, g_object_ref (task));
  g_task_set_source_tag (config_task, pvm_machines_page_load_async);
  g_task_set_task_data (config_task, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (config_task, load_thread);
}

/* A panel open on a VM whose connection closed (its daemon went away)
 * shows the VM found again on a new connection: its state and actions
 * work again. */
static void
update_panels (PvmMachinesPage *self,
               GPtrArray       *vms)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkApplication *application;

  if (!GTK_IS_WINDOW (root) ||
      (application = gtk_window_get_application (GTK_WINDOW (root))) == NULL)
    return;
  for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
    {
      PvmVm *shown;

      if (!PVM_IS_VM_WINDOW (l->data))
        continue;
      shown = pvm_vm_window_get_vm (l->data);
      if (pvm_vm_is_connected (shown))
        continue;
      for (guint i = 0; i < vms->len; i++)
        {
          PvmVm *vm = g_ptr_array_index (vms, i);

          if (g_str_equal (pvm_vm_get_uri (vm), pvm_vm_get_uri (shown)) &&
              g_str_equal (pvm_vm_get_domain_name (vm), pvm_vm_get_domain_name (shown)))
            {
              pvm_vm_window_set_vm (l->data, vm);
              break;
            }
        }
    }
}

static GPtrArray *
pvm_machines_page_load_finish (PvmListPage   *page,
                               GAsyncResult  *result,
                               GError       **error)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (page);
  Load *load = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  g_clear_pointer (&self->statuses, g_ptr_array_unref);
  self->statuses = g_steal_pointer (&load->statuses);
  watch (self, g_steal_pointer (&load->connections));
  update_panels (self, load->vms);
  return g_steal_pointer (&load->vms);
}

/* --- a group per host ---------------------------------------------------- */

/* "KVM · 4 cores · 3.1 GiB of 16 GiB free", or why the host does not
 * answer. */
static char *
dup_host_description (PvmHostStatus *status)
{
  g_autofree char *free_memory = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *cores = NULL;
  const char *guests;

  if (status->hostname == NULL)
    return g_strdup_printf (_("not reachable: %s"), status->error);

  free_memory = pvm_size_format (status->free_memory);
  memory = pvm_size_format (status->memory);
  guests = status->domain_type == NULL ? _("no x86_64 QEMU")
           : g_str_equal (status->domain_type, "kvm") ? _("KVM")
           : _("TCG (no KVM: guests run slower)");
  cores = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", status->cpus),
                           status->cpus);
  if (status->error != NULL)
    return g_strdup_printf (_("%s · %s · %s of %s free · VMs unknown: %s"), guests, cores,
                            free_memory, memory, status->error);
  return g_strdup_printf (_("%s · %s · %s of %s free"), guests, cores, free_memory, memory);
}

static AdwPreferencesGroup *
create_host_group (PvmHostStatus *status)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *title = NULL;
  g_autofree char *description = dup_host_description (status);
  g_autofree char *escaped_title = NULL;
  g_autofree char *escaped_description = NULL;

  /* The group's labels take markup; URIs and libvirt's messages hold "&". */
  title = g_strdup_printf (_("%s — %s"), status->host->name, status->host->uri);
  escaped_title = g_markup_escape_text (title, -1);
  escaped_description = g_markup_escape_text (description, -1);
  adw_preferences_group_set_title (group, escaped_title);
  adw_preferences_group_set_description (group, escaped_description);

  if (status->hostname == NULL)
    {
      /* The page's own Try Again, next to the host that did not answer. */
      GtkWidget *button = gtk_button_new_from_icon_name ("view-refresh-symbolic");

      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "list.reload");
      gtk_widget_set_tooltip_text (button, _("Ask Every Host Again"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Ask Every Host Again"), -1);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      adw_preferences_group_set_header_suffix (group, button);
    }
  return group;
}

static void
pvm_machines_page_add_rows (PvmListPage *page,
                            GPtrArray   *items)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (page);

  if (self->statuses == NULL)
    {
      PVM_LIST_PAGE_CLASS (pvm_machines_page_parent_class)->add_rows (page, items);
      return;
    }
  /* A group's header, then its VMs' rows. */
  for (guint i = 0; i < self->statuses->len; i++)
    {
      PvmHostStatus *status = g_ptr_array_index (self->statuses, i);

      pvm_list_page_add_group (page, create_host_group (status));
      for (guint j = 0; status->vms != NULL && j < status->vms->len; j++)
        pvm_list_page_append_item (page, g_ptr_array_index (status->vms, j));
      if (status->vms != NULL && status->vms->len == 0)
        pvm_list_page_append_placeholder (page, _("No VMs on this host"));
    }
}

static void
pvm_machines_page_dispose (GObject *object)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_cancellable_cancel (self->progress_read);
  g_clear_pointer (&self->watched, g_ptr_array_unref);
  for (guint i = 0; i < self->rows->len; i++)
    g_object_weak_unref (g_ptr_array_index (self->rows, i), forget_row, self);
  g_ptr_array_set_size (self->rows, 0);

  G_OBJECT_CLASS (pvm_machines_page_parent_class)->dispose (object);
}

static void
pvm_machines_page_finalize (GObject *object)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);

  g_clear_pointer (&self->statuses, g_ptr_array_unref);
  g_clear_pointer (&self->selected, g_hash_table_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->progress_read);
  g_clear_pointer (&self->progress, g_hash_table_unref);
  g_string_free (self->failures, TRUE);

  G_OBJECT_CLASS (pvm_machines_page_parent_class)->finalize (object);
}

static const char *
pvm_machines_page_get_item_name (PvmListPage *page,
                                 gpointer     item)
{
  return pvm_vm_get_name (item);
}

static void
pvm_machines_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);

  switch (prop_id)
    {
    case PROP_SELECTION_MODE:
      g_value_set_boolean (value, self->selection_mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_machines_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);

  switch (prop_id)
    {
    case PROP_SELECTION_MODE:
      pvm_machines_page_set_selection_mode (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_machines_page_class_init (PvmMachinesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PvmListPageClass *page_class = PVM_LIST_PAGE_CLASS (klass);

  object_class->dispose = pvm_machines_page_dispose;
  object_class->finalize = pvm_machines_page_finalize;
  object_class->get_property = pvm_machines_page_get_property;
  object_class->set_property = pvm_machines_page_set_property;

  /**
   * PvmMachinesPage:selection-mode:
   *
   * Whether rows are picked (check buttons) rather than opened, for the
   * action bar's Start, Stop and Delete.
   */
  properties[PROP_SELECTION_MODE] =
    g_param_spec_boolean ("selection-mode", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-machines-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, content);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, action_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, empty_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, launch_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, start_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, stop_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, delete_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, select_all_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMachinesPage, selection_label);
  gtk_widget_class_install_property_action (widget_class, "machines.selection-mode",
                                            "selection-mode");
  gtk_widget_class_install_action (widget_class, "machines.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "machines.start-selected", NULL,
                                   start_selected_action);
  gtk_widget_class_install_action (widget_class, "machines.stop-selected", NULL,
                                   stop_selected_action);
  gtk_widget_class_install_action (widget_class, "machines.delete-selected", NULL,
                                   delete_selected_action);
  gtk_widget_class_install_action (widget_class, "machines.leave-selection", NULL,
                                   leave_selection_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0,
                                       "machines.leave-selection", NULL);

  page_class->load_async = pvm_machines_page_load_async;
  page_class->load_finish = pvm_machines_page_load_finish;
  page_class->setup_row = pvm_machines_page_setup_row;
  page_class->get_item_name = pvm_machines_page_get_item_name;
  page_class->bind_row = pvm_machines_page_bind_row;
  page_class->unbind_row = pvm_machines_page_unbind_row;
  page_class->activate = pvm_machines_page_activate;
  page_class->add_rows = pvm_machines_page_add_rows;
}

static void
pvm_machines_page_init (PvmMachinesPage *self)
{
  self->selected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->failures = g_string_new (NULL);
  self->progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->progress_id = g_timeout_add_seconds (PROGRESS_INTERVAL_S, progress_timeout_cb, self);
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The list under the toasts, above the action bar; the bar's Launch VMs
   * is the empty state's button: one of them. */
  pvm_list_page_set_frame (PVM_LIST_PAGE (self), self->content, self->toast_overlay,
                           self->empty_button, self->action_bar);
  g_signal_connect (self, "loaded", G_CALLBACK (loaded_cb), NULL);
  update_selection (self);

  pvm_list_page_set_empty (PVM_LIST_PAGE (self), "computer-symbolic", _("No Virtual Machines"),
                           _("Launch VMs over your data: each gets a read-only input and a "
                             "read-write output"));
  pvm_list_page_set_error (PVM_LIST_PAGE (self), "computer-fail-symbolic",
                           _("Cannot Reach libvirt"));
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}
