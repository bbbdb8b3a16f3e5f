/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-machines-page.c: the Machines page: every VM pVM launched on the
 * configured libvirt connection (read in a thread by PvmListPage), each
 * with its state kept up to date from libvirt's events. */

#define G_LOG_DOMAIN "pvm-machines-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-machines-page.h"
#include "pvm-vm-window.h"

struct _PvmMachinesPage
{
  PvmListPage parent_instance;
};

G_DEFINE_FINAL_TYPE (PvmMachinesPage, pvm_machines_page, PVM_TYPE_LIST_PAGE)

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

/* The VM's panel, over the window the page is in. The list is read again
 * when the panel closes: the VM may have been deleted. */
static void
row_activated_cb (AdwActionRow *row,
                  PvmVm        *vm)
{
  PvmVmWindow *window = pvm_vm_window_new (vm);
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (row), PVM_TYPE_MACHINES_PAGE);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (row));

  if (GTK_IS_WINDOW (root))
    {
      gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
      /* Its console window and its stops go through the application. */
      gtk_window_set_application (GTK_WINDOW (window),
                                  gtk_window_get_application (GTK_WINDOW (root)));
    }
  if (page != NULL)
    g_signal_connect_object (window, "destroy", G_CALLBACK (pvm_list_page_reload), page,
                             G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

static GtkWidget *
create_row (PvmVm *vm)
{
  g_autofree char *subtitle = dup_subtitle (vm);
  AdwActionRow *row = pvm_list_page_new_row (pvm_vm_get_name (vm), subtitle,
                                             "computer-symbolic");

  g_signal_connect_object (vm, "notify::state", G_CALLBACK (vm_state_cb), row, 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  adw_action_row_add_suffix (row, gtk_image_new_from_icon_name ("go-next-symbolic"));
  g_signal_connect_object (row, "activated", G_CALLBACK (row_activated_cb), vm, 0);
  return GTK_WIDGET (row);
}

static GtkWidget *
pvm_machines_page_create_row (PvmListPage *page,
                              gpointer     item)
{
  return create_row (item);
}

/* In a thread: the VMs hold the connection they were found on. */
static GPtrArray *
pvm_machines_page_load (PvmListPage   *page,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *uri;

  if (!pvm_config_load_default (config, NULL, error))
    return NULL;

  uri = pvm_config_get_string (config, "LIBVIRT_URI");
  connection = gvir_connection_new (uri);
  if (!gvir_connection_open (connection, cancellable, &local_error))
    {
      /* libvirt's messages usually name the URI already. */
      if (strstr (local_error->message, uri) != NULL)
        g_set_error_literal (error, PVM_ERROR, PVM_ERROR_LIBVIRT, local_error->message);
      else
        g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "%s: %s", uri, local_error->message);
      return NULL;
    }
  return pvm_vm_list_fetch (connection, error);
}

static void
pvm_machines_page_class_init (PvmMachinesPageClass *klass)
{
  PvmListPageClass *page_class = PVM_LIST_PAGE_CLASS (klass);

  page_class->load = pvm_machines_page_load;
  page_class->create_row = pvm_machines_page_create_row;
}

static void
pvm_machines_page_init (PvmMachinesPage *self)
{
  pvm_list_page_set_empty (PVM_LIST_PAGE (self), "computer-symbolic", _("No Virtual Machines"),
                           _("Launch VMs over your data: each gets a read-only input and a "
                             "read-write output"));
  pvm_list_page_set_error (PVM_LIST_PAGE (self), "computer-fail-symbolic",
                           _("Cannot Reach libvirt"));
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}
