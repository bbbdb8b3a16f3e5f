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
 * new one. */

#define G_LOG_DOMAIN "pvm-machines-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libvirt/virterror.h>

#include "pvm-core.h"
#include "pvm-machines-page.h"
#include "pvm-vm-window.h"

struct _PvmMachinesPage
{
  PvmListPage  parent_instance;

  /* Owned */
  GPtrArray   *statuses;    /* PvmHostStatus of each host, or NULL: only the local one */
  GPtrArray   *watched;     /* Watch: the connections the list was read from */
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

/* "Running · 256 MiB · 1 vCPU", and the names of the input and the output
 * on a second line (their paths are the row's tooltip). */
static char *
dup_subtitle (PvmVm *vm)
{
  const PvmVmPlan *plan = pvm_vm_get_plan (vm);
  g_autofree char *memory = pvm_size_format (plan->memory_bytes);
  g_autofree char *summary = NULL;
  g_autofree char *input = plan->input != NULL ? g_path_get_basename (plan->input) : NULL;
  g_autofree char *output = plan->output != NULL ? g_path_get_basename (plan->output) : NULL;
  g_autofree char *paths = NULL;

  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %u vCPU", "%s · %s · %u vCPUs",
                                          plan->cores),
                             state_label (pvm_vm_get_state (vm)), memory, plan->cores);
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

static void
vm_state_cb (PvmVm         *vm,
             GParamSpec    *pspec,
             AdwActionRow  *row)
{
  g_autofree char *subtitle = dup_subtitle (vm);

  adw_action_row_set_subtitle (row, subtitle);
}

/* The VM's panel, over the window the page is in. The list is read again
 * when the panel closes, and when the VM moves to another host: the VM
 * may have been deleted or be elsewhere. */
static void
pvm_machines_page_activate (PvmListPage *page,
                            gpointer     item)
{
  PvmVmWindow *window = pvm_vm_window_new (item);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (page));

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
  adw_action_row_add_suffix (row, gtk_image_new_from_icon_name ("go-next-symbolic"));
}

static void
pvm_machines_page_bind_row (PvmListPage  *page,
                            AdwActionRow *row,
                            gpointer      item)
{
  PvmVm *vm = item;
  g_autofree char *subtitle = dup_subtitle (vm);
  g_autofree char *tooltip = dup_tooltip (vm);

  pvm_list_page_set_row (row, pvm_vm_get_name (vm), subtitle, "computer-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), tooltip);
  g_signal_connect_object (vm, "notify::state", G_CALLBACK (vm_state_cb), row, 0);
}

static void
pvm_machines_page_unbind_row (PvmListPage  *page,
                              AdwActionRow *row,
                              gpointer      item)
{
  g_signal_handlers_disconnect_by_func (item, vm_state_cb, row);
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
  g_clear_object (&watch->connection);
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
  load->connections = g_ptr_array_new_with_free_func (g_object_unref);
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

  g_clear_pointer (&self->watched, g_ptr_array_unref);

  G_OBJECT_CLASS (pvm_machines_page_parent_class)->dispose (object);
}

static void
pvm_machines_page_finalize (GObject *object)
{
  PvmMachinesPage *self = PVM_MACHINES_PAGE (object);

  g_clear_pointer (&self->statuses, g_ptr_array_unref);

  G_OBJECT_CLASS (pvm_machines_page_parent_class)->finalize (object);
}

static const char *
pvm_machines_page_get_item_name (PvmListPage *page,
                                 gpointer     item)
{
  return pvm_vm_get_name (item);
}

static void
pvm_machines_page_class_init (PvmMachinesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PvmListPageClass *page_class = PVM_LIST_PAGE_CLASS (klass);

  object_class->dispose = pvm_machines_page_dispose;
  object_class->finalize = pvm_machines_page_finalize;

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
  pvm_list_page_set_empty (PVM_LIST_PAGE (self), "computer-symbolic", _("No Virtual Machines"),
                           _("Launch VMs over your data: each gets a read-only input and a "
                             "read-write output"));
  pvm_list_page_set_error (PVM_LIST_PAGE (self), "computer-fail-symbolic",
                           _("Cannot Reach libvirt"));
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}
