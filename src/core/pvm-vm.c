/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-vm.c: a VM pVM launched, found from its domain; its state, its
 * guest's status and its connection details. pvm-vm-actions.c does things
 * to it. */

#define G_LOG_DOMAIN "pvm-vm"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "pvm-autocleanups.h"
#include "pvm-contract.h"
#include "pvm-domain.h"
#include "pvm-error.h"
#include "pvm-hosts.h"
#include "pvm-json-private.h"
#include "pvm-names.h"
#include "pvm-network.h"
#include "pvm-host.h"
#include "pvm-image-repo.h"
#include "pvm-output-disk.h"
#include "pvm-storage-private.h"
#include "pvm-vm-private.h"

/* How much of the end of the serial log is searched for status lines: they
 * are few, and a job's output may be large. */
#define SERIAL_TAIL_BYTES (256 * 1024)



enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PvmVm, pvm_vm, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (PvmVmState, pvm_vm_state,
                    G_DEFINE_ENUM_VALUE (PVM_VM_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (PVM_VM_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (PVM_VM_STATE_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (PVM_VM_STATE_SAVED, "saved"),
                    G_DEFINE_ENUM_VALUE (PVM_VM_STATE_CRASHED, "crashed"))

void
_pvm_vm_set_state (PvmVm      *self,
                   PvmVmState  state)
{
  if (state != PVM_VM_STATE_PAUSED)
    self->io_error = FALSE;
  if (self->state == state)
    return;
  self->state = state;
  /* Running again, it may write its output disk again. */
  self->output_checked = FALSE;
  g_clear_pointer (&self->output_stamp, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* The state from libvirt's lifecycle events. Runs on the main context,
 * and calls nothing. */
static void
apply_event (PvmVm *self,
             int    event,
             int    detail)
{
  switch (event)
    {
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
      _pvm_vm_set_state (self, PVM_VM_STATE_RUNNING);
      break;
    case VIR_DOMAIN_EVENT_SUSPENDED:
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
      self->io_error = event == VIR_DOMAIN_EVENT_SUSPENDED &&
                       detail == VIR_DOMAIN_EVENT_SUSPENDED_IOERROR;
      _pvm_vm_set_state (self, PVM_VM_STATE_PAUSED);
      break;
    case VIR_DOMAIN_EVENT_STOPPED:
      _pvm_vm_set_state (self, detail == VIR_DOMAIN_EVENT_STOPPED_SAVED ? PVM_VM_STATE_SAVED
                       : detail == VIR_DOMAIN_EVENT_STOPPED_CRASHED ? PVM_VM_STATE_CRASHED
                       : PVM_VM_STATE_STOPPED);
      break;
    case VIR_DOMAIN_EVENT_CRASHED:
      _pvm_vm_set_state (self, PVM_VM_STATE_CRASHED);
      break;
    default:
      break;
    }
}

/* The VMs of one connection that follow their domains' lifecycle events,
 * through one callback registered on the raw connection for all of them.
 * libvirt refuses a second callback for the same domain on a connection
 * ("event callback already tracked"), and a connection is read again
 * while VMs found on it before still live (the app's pages, a panel).
 * Not libvirt-glib's signals: it may deliver them to another GVirDomain
 * object for the same domain, and drops its objects at every listing.
 * VMs are added from any thread; events come on the main context. */
typedef struct _PvmVmFollowers
{
  gatomicrefcount  ref_count;
  GMutex           lock;
  GHashTable      *vms;          /* domain UUID string -> GPtrArray of GWeakRef * */
  virConnectPtr    handle;       /* a reference of its own */
  int              callback_id;
} PvmVmFollowers;

#define FOLLOWERS_KEY "pvm-vm-followers"
G_LOCK_DEFINE_STATIC (followers);

static PvmVmFollowers *
followers_ref (PvmVmFollowers *followers)
{
  g_atomic_ref_count_inc (&followers->ref_count);
  return followers;
}

static void
followers_unref (void *data)
{
  PvmVmFollowers *followers = data;

  if (!g_atomic_ref_count_dec (&followers->ref_count))
    return;
  g_hash_table_unref (followers->vms);
  g_mutex_clear (&followers->lock);
  virConnectClose (followers->handle);
  g_free (followers);
}

/* The connection's own reference, dropped as it is finalized. */
static void
followers_release (void *data)
{
  PvmVmFollowers *followers = data;

  virConnectDomainEventDeregisterAny (followers->handle, followers->callback_id);
  followers_unref (followers);
}

static int
followers_event_cb (virConnectPtr  handle,
                    virDomainPtr   domain,
                    int            event,
                    int            detail,
                    void          *opaque)
{
  PvmVmFollowers *followers = opaque;
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  char uuid[VIR_UUID_STRING_BUFLEN];
  GPtrArray *refs;

  if (virDomainGetUUIDString (domain, uuid) < 0)
    return 0;
  g_mutex_lock (&followers->lock);
  refs = g_hash_table_lookup (followers->vms, uuid);
  for (guint i = 0; refs != NULL && i < refs->len; i++)
    {
      PvmVm *vm = g_weak_ref_get (g_ptr_array_index (refs, i));

      if (vm != NULL)
        g_ptr_array_add (vms, vm);
    }
  g_mutex_unlock (&followers->lock);

  for (guint i = 0; i < vms->len; i++)
    apply_event (g_ptr_array_index (vms, i), event, detail);
  return 0;
}

static void
free_weak_ref (void *data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

/* Makes @self follow its domain's events on its connection. */
static gboolean
follow (PvmVm      *self,
        GError    **error)
{
  const char *uuid = gvir_domain_get_uuid (self->domain);
  PvmVmFollowers *followers;
  GPtrArray *refs;

  G_LOCK (followers);
  followers = g_object_get_data (G_OBJECT (self->connection), FOLLOWERS_KEY);
  if (followers == NULL)
    {
      followers = g_new0 (PvmVmFollowers, 1);
      g_atomic_ref_count_init (&followers->ref_count);
      g_mutex_init (&followers->lock);
      followers->vms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_ptr_array_unref);
      followers->handle = self->handle;
      virConnectRef (followers->handle);
      followers->callback_id =
        virConnectDomainEventRegisterAny (followers->handle, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK (followers_event_cb),
                                          followers_ref (followers), followers_unref);
      if (followers->callback_id < 0)
        {
          G_UNLOCK (followers);
          g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT,
                       "Cannot follow the state of %s: %s (is gvir_event_register() called?)",
                       self->domain_name, virGetLastErrorMessage ());
          followers_unref (followers);   /* libvirt's */
          followers_unref (followers);
          return FALSE;
        }
      g_object_set_data_full (G_OBJECT (self->connection), FOLLOWERS_KEY, followers,
                              followers_release);
    }
  self->followers = followers_ref (followers);
  G_UNLOCK (followers);

  self->follower = g_new0 (GWeakRef, 1);
  g_weak_ref_init (self->follower, self);
  g_mutex_lock (&followers->lock);
  refs = g_hash_table_lookup (followers->vms, uuid);
  if (refs == NULL)
    {
      refs = g_ptr_array_new_with_free_func (free_weak_ref);
      g_hash_table_insert (followers->vms, g_strdup (uuid), refs);
    }
  g_ptr_array_add (refs, self->follower);
  g_mutex_unlock (&followers->lock);
  return TRUE;
}

static void
unfollow (PvmVm *self)
{
  PvmVmFollowers *followers = g_steal_pointer (&self->followers);
  const char *uuid;
  GPtrArray *refs;

  if (followers == NULL)
    return;
  uuid = gvir_domain_get_uuid (self->domain);
  g_mutex_lock (&followers->lock);
  refs = g_hash_table_lookup (followers->vms, uuid);
  if (refs != NULL && g_ptr_array_remove_fast (refs, self->follower) && refs->len == 0)
    g_hash_table_remove (followers->vms, uuid);
  g_mutex_unlock (&followers->lock);
  self->follower = NULL;
  followers_unref (followers);
}

/* The state of @domain now, in one call, and (@io_error, nullable)
 * whether QEMU paused it because a disk write failed. */
PvmVmState
_pvm_vm_query_state (GVirDomain *domain,
                     gboolean   *io_error)
{
  virDomainPtr handle = NULL;
  int state = VIR_DOMAIN_NOSTATE, reason = 0;
  gboolean read;

  g_object_get (domain, "handle", &handle, NULL);
  read = handle != NULL && virDomainGetState (handle, &state, &reason, 0) == 0;
  g_clear_pointer (&handle, virDomainFree);
  if (io_error != NULL)
    *io_error = read && state == VIR_DOMAIN_PAUSED && reason == VIR_DOMAIN_PAUSED_IOERROR;
  if (!read)
    return PVM_VM_STATE_STOPPED;

  switch (state)
    {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
    case VIR_DOMAIN_SHUTDOWN:
      return PVM_VM_STATE_RUNNING;
    case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_PMSUSPENDED:
      return PVM_VM_STATE_PAUSED;
    case VIR_DOMAIN_CRASHED:
      return PVM_VM_STATE_CRASHED;
    case VIR_DOMAIN_SHUTOFF:
    case VIR_DOMAIN_NOSTATE:
    default:
      return gvir_domain_get_saved (domain) ? PVM_VM_STATE_SAVED : PVM_VM_STATE_STOPPED;
    }
}

static void
pvm_vm_dispose (GObject *object)
{
  PvmVm *self = PVM_VM (object);

  unfollow (self);
  g_clear_pointer (&self->handle, virConnectClose);
  g_clear_object (&self->domain);
  g_clear_pointer (&self->connection, pvm_connection_release);

  G_OBJECT_CLASS (pvm_vm_parent_class)->dispose (object);
}

static void
pvm_vm_finalize (GObject *object)
{
  PvmVm *self = PVM_VM (object);

  g_clear_pointer (&self->plan, pvm_vm_plan_free);
  g_free (self->domain_name);
  g_free (self->serial_log);
  g_free (self->output_disk);
  g_free (self->output_stamp);
  g_free (self->network);
  g_free (self->address);
  _pvm_vm_stop_spice_forward (self);

  G_OBJECT_CLASS (pvm_vm_parent_class)->finalize (object);
}

static void
pvm_vm_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  PvmVm *self = PVM_VM (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_vm_class_init (PvmVmClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pvm_vm_dispose;
  object_class->finalize = pvm_vm_finalize;
  object_class->get_property = pvm_vm_get_property;

  /**
   * PvmVm:state:
   *
   * The VM's state, kept up to date from libvirt's events (their
   * dispatch needs gvir_event_register() and a running main loop).
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       PVM_TYPE_VM_STATE, PVM_VM_STATE_STOPPED,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pvm_vm_init (PvmVm *self)
{
}

/**
 * pvm_vm_new_for_domain:
 * @connection: the connection @domain belongs to
 * @domain: a libvirt domain
 * @error: return location for a #GError
 *
 * Reads @domain's definition and state (calls to libvirt: run it in a
 * thread when the main loop must not wait).
 *
 * Returns: (transfer full): the VM, or %NULL with %PVM_ERROR_NOT_FOUND if
 *   pVM did not define @domain
 */
PvmVm *
pvm_vm_new_for_domain (GVirConnection  *connection,
                       GVirDomain      *domain,
                       GError         **error)
{
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autoptr(PvmVm) self = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (GVIR_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (GVIR_IS_DOMAIN (domain), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  config = gvir_domain_get_config (domain, 0, &local_error);
  /* Undefined since it was listed (deleted, or saved to a file, by
   * another process meanwhile): no VM of pVM's any more. */
  if (config == NULL && virGetLastErrorCode () == VIR_ERR_NO_DOMAIN)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND, "%s is no longer defined",
                   gvir_domain_get_name (domain));
      return NULL;
    }
  if (config == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot read the definition of %s: %s",
                   gvir_domain_get_name (domain), local_error->message);
      return NULL;
    }

  self = g_object_new (PVM_TYPE_VM, NULL);
  self->plan = pvm_domain_dup_plan (config, error);
  if (self->plan == NULL)
    return NULL;

  self->connection = g_object_ref (connection);
  self->domain = g_object_ref (domain);
  self->domain_name = g_strdup (gvir_domain_get_name (domain));
  self->serial_log = pvm_domain_dup_serial_log (config);
  self->output_disk = pvm_domain_dup_output_disk (config);
  self->network = pvm_domain_dup_network (config, NULL);

  g_object_get (connection, "handle", &self->handle, NULL);
  if (!follow (self, error))
    return NULL;
  /* Events from now on; what happened before the registration is read. */
  self->state = _pvm_vm_query_state (domain, &self->io_error);
  pvm_vm_refresh_address (self);

  return g_steal_pointer (&self);
}

static const char *
get_domain_name (gconstpointer item)
{
  return ((const PvmVm *) item)->domain_name;
}

static gboolean
fetch_domains (GVirConnection  *connection,
               GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (gvir_connection_fetch_domains (connection, NULL, &local_error))
    return TRUE;

  g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot list the VMs of %s: %s",
               gvir_connection_get_uri (connection), local_error->message);
  return FALSE;
}

/**
 * pvm_vm_list_fetch:
 * @connection: an open connection
 * @error: return location for a #GError
 *
 * Asks libvirt for every domain and keeps those pVM defined: how a new pVM
 * process finds the VMs an earlier one launched. Domains whose pVM
 * metadata cannot be read are left out with a warning.
 *
 * Returns: (transfer container) (element-type PvmVm): the VMs, sorted by
 *   name, or %NULL
 */
GPtrArray *
pvm_vm_list_fetch (GVirConnection  *connection,
                   GError         **error)
{
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  GList *domains;

  g_return_val_if_fail (GVIR_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fetch_domains (connection, error))
    return NULL;

  domains = gvir_connection_get_domains (connection);
  for (GList *l = domains; l != NULL; l = l->next)
    {
      g_autoptr(GError) local_error = NULL;
      PvmVm *vm = pvm_vm_new_for_domain (connection, l->data, &local_error);

      if (vm != NULL)
        g_ptr_array_add (vms, vm);
      else if (!g_error_matches (local_error, PVM_ERROR, PVM_ERROR_NOT_FOUND))
        g_warning ("%s", local_error->message);
    }
  g_list_free_full (domains, g_object_unref);

  pvm_names_sort (vms, get_domain_name);
  return g_steal_pointer (&vms);
}

/**
 * pvm_vm_find:
 * @connection: an open connection
 * @name: a VM's name (its image's name) or its domain's name
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the VM, or %NULL with %PVM_ERROR_NOT_FOUND
 */
PvmVm *
pvm_vm_find (GVirConnection  *connection,
             const char      *name,
             GError         **error)
{
  g_autofree char *domain_name = NULL;
  g_autoptr(GVirDomain) domain = NULL;
  g_autoptr(GError) local_error = NULL;
  PvmVm *vm;

  g_return_val_if_fail (GVIR_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fetch_domains (connection, error))
    return NULL;

  domain_name = pvm_domain_name_for_image_name (name);
  domain = gvir_connection_find_domain_by_name (connection, domain_name);
  if (domain == NULL && g_str_has_prefix (name, PVM_DOMAIN_NAME_PREFIX))
    domain = gvir_connection_find_domain_by_name (connection, name);
  if (domain == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "There is no VM named \"%s\" on %s (pvm list shows them)", name,
                   gvir_connection_get_uri (connection));
      return NULL;
    }

  vm = pvm_vm_new_for_domain (connection, domain, &local_error);
  if (vm == NULL)
    g_set_error (error, PVM_ERROR, local_error->code, "%s", local_error->message);
  return vm;
}

/* Whether @vm boots the image whose real path is @real (the same file,
 * whatever the path). */
static gboolean
boots_image (PvmVm      *vm,
             const char *real)
{
  g_autofree char *vm_real = realpath (vm->plan->image, NULL);

  return vm_real != NULL && g_str_equal (vm_real, real);
}

/**
 * pvm_vm_list_find_image_user:
 * @vms: (element-type PvmVm): VMs, from pvm_vm_list_fetch()
 * @image: an image file
 *
 * Returns: (transfer none) (nullable): the VM of @vms that boots @image
 *   (the same file, whatever the path), or %NULL
 */
PvmVm *
pvm_vm_list_find_image_user (GPtrArray  *vms,
                             const char *image)
{
  g_autofree char *real = NULL;

  g_return_val_if_fail (vms != NULL, NULL);
  g_return_val_if_fail (image != NULL, NULL);

  if ((real = realpath (image, NULL)) == NULL)
    return NULL;

  for (guint i = 0; i < vms->len; i++)
    if (boots_image (g_ptr_array_index (vms, i), real))
      return g_ptr_array_index (vms, i);
  return NULL;
}

static gboolean
release_connection_cb (gpointer connection)
{
  g_object_unref (connection);
  return G_SOURCE_REMOVE;
}

/**
 * pvm_connection_release:
 * @connection: (transfer full) (nullable): a connection
 *
 * Drops a reference to @connection, from any thread. libvirt-gobject
 * dispatches a connection's domain events in the default main context
 * with a pointer to the connection it holds no reference on: a connection
 * finalized in another thread while one of its events is being dispatched
 * (a migration's destination closed in its thread as the incoming VM
 * stops) is freed under the dispatch, which then waits forever on the
 * connection's freed lock. So the reference is dropped where no dispatch
 * can run at the same time: at once if no thread runs the default main
 * context (or this one does), else in that context.
 */
void
pvm_connection_release (GVirConnection *connection)
{
  GMainContext *context = g_main_context_default ();
  g_autoptr(GSource) source = NULL;

  if (connection == NULL)
    return;
  if (g_main_context_acquire (context))
    {
      g_object_unref (connection);
      g_main_context_release (context);
      return;
    }
  /* Before the callback of the task that dropped it, which may end the
   * loop (pvm's commands). */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, release_connection_cb, connection, NULL);
  g_source_set_static_name (source, "[pvm] connection release");
  g_source_attach (source, context);
}

/**
 * pvm_vm_open_connection:
 * @uri: a libvirt URI (LIBVIRT_URI)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Opens @uri. Calls libvirt: run it in a thread when the main loop must
 * not wait.
 *
 * Returns: (transfer full): an open connection, or %NULL with
 *   %PVM_ERROR_LIBVIRT naming the URI and what to do
 */
GVirConnection *
pvm_vm_open_connection (const char    *uri,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  connection = gvir_connection_new (uri);
  if (!gvir_connection_open (connection, cancellable, &local_error))
    {
      const char *hint = pvm_host_get_connect_hint (uri);

      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT,
                   "Cannot connect to libvirt at %s: %s (%s)", uri, local_error->message,
                   hint != NULL ? hint : "pvm host checks this host");
      return NULL;
    }
  return g_steal_pointer (&connection);
}

/**
 * pvm_vm_reuse_connection:
 * @connections: (element-type GVirConnection) (nullable): connections
 *   opened before
 * @uri: a libvirt URI
 *
 * A connection to @uri of @connections that is still alive, to ask its
 * host again without connecting again (for a remote host: SSH, and its
 * questions). A connection whose daemon went away, or whose SSH tunnel
 * broke, is not alive. Calls libvirt (not over the network).
 *
 * Returns: (transfer full) (nullable): the connection, or %NULL: open
 *   another one
 */
GVirConnection *
pvm_vm_reuse_connection (GPtrArray  *connections,
                         const char *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  for (guint i = 0; connections != NULL && i < connections->len; i++)
    {
      GVirConnection *connection = g_ptr_array_index (connections, i);
      g_autoptr(PvmVirConnect) handle = NULL;

      if (g_strcmp0 (gvir_connection_get_uri (connection), uri) != 0 ||
          !gvir_connection_is_open (connection))
        continue;
      g_object_get (connection, "handle", &handle, NULL);
      if (handle != NULL && virConnectIsAlive (handle) == 1)
        return g_object_ref (connection);
    }
  return NULL;
}

/**
 * pvm_vm_list_fetch_for_uri:
 * @uri: a libvirt URI (LIBVIRT_URI)
 *
 * The VMs of @uri, to tell which VM boots which image, for the image
 * commands. No error: when libvirt cannot be reached no VM runs there
 * either. Calls libvirt: run it in a thread when the main loop must not
 * wait.
 *
 * Returns: (transfer container) (element-type PvmVm) (nullable): the VMs,
 *   or %NULL
 */
GPtrArray *
pvm_vm_list_fetch_for_uri (const char *uri)
{
  g_autoptr(GVirConnection) connection = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  connection = pvm_vm_open_connection (uri, NULL, NULL);
  if (connection == NULL)
    return NULL;
  return pvm_vm_list_fetch (connection, NULL);
}

/**
 * pvm_vm_list_check_image_change:
 * @vms: (element-type PvmVm) (nullable): VMs, from pvm_vm_list_fetch()
 * @image: an image file
 * @change: what is to be done to it
 *
 * Refuses a change of @image that would harm a VM that boots it: making
 * overlays of it or flattening it while that VM runs (the VM would go on
 * writing it), deleting it while any VM, running or not, is defined on it.
 *
 * Returns: %TRUE if @change may go ahead, else %FALSE with
 *   %PVM_ERROR_BUSY naming the VM and what to do
 */
gboolean
pvm_vm_list_check_image_change (GPtrArray       *vms,
                                const char      *image,
                                PvmImageChange   change,
                                GError         **error)
{
  static const char * const verbs[] = {
    [PVM_IMAGE_CHANGE_SNAPSHOT] = "make overlays of",
    [PVM_IMAGE_CHANGE_FLATTEN] = "flatten",
    [PVM_IMAGE_CHANGE_DELETE] = "delete",
  };
  PvmVm *vm;

  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (change < G_N_ELEMENTS (verbs), FALSE);

  vm = vms != NULL ? pvm_vm_list_find_image_user (vms, image) : NULL;
  if (vm == NULL || (change != PVM_IMAGE_CHANGE_DELETE && !pvm_vm_is_active (vm)))
    return TRUE;

  if (pvm_vm_is_active (vm))
    g_set_error (error, PVM_ERROR, PVM_ERROR_BUSY,
                 "The VM %s runs on %s: stop it first (pvm stop %s, or Stop in its panel), "
                 "then %s it", vm->plan->name, image, vm->plan->name, verbs[change]);
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_BUSY,
                 "The VM %s boots %s: delete that VM first (pvm delete %s, or Delete in its "
                 "panel; its image stays), then %s it", vm->plan->name, image, vm->plan->name,
                 verbs[change]);
  return FALSE;
}

/**
 * pvm_vm_list_mark_image_users:
 * @vms: (element-type PvmVm): VMs, from pvm_vm_list_fetch()
 * @images: (element-type PvmImage): images of a #PvmImageRepo
 *
 * Sets the used_by and n_users fields of every image of @images that VMs
 * of @vms boot: "NAME (STATE)", several separated by ", ".
 */
void
pvm_vm_list_mark_image_users (GPtrArray *vms,
                              GPtrArray *images)
{
  g_return_if_fail (vms != NULL);
  g_return_if_fail (images != NULL);

  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);
      g_autofree char *real = realpath (image->path, NULL);
      GString *users = g_string_new (NULL);

      image->n_users = 0;
      for (guint j = 0; real != NULL && j < vms->len; j++)
        {
          PvmVm *vm = g_ptr_array_index (vms, j);

          if (!boots_image (vm, real))
            continue;
          g_string_append_printf (users, "%s%s (%s)", users->len > 0 ? ", " : "",
                                  vm->plan->name, pvm_vm_state_to_string (vm->state));
          image->n_users++;
        }
      g_clear_pointer (&image->used_by, g_free);
      if (image->n_users > 0)
        image->used_by = g_string_free (users, FALSE);
      else
        g_string_free (users, TRUE);
    }
}

/**
 * pvm_vm_get_name:
 * @self: a #PvmVm
 *
 * Returns: the VM's name: its image's name
 */
const char *
pvm_vm_get_name (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->plan->name;
}

const char *
pvm_vm_get_domain_name (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->domain_name;
}

/**
 * pvm_vm_get_domain:
 * @self: a #PvmVm
 *
 * Returns: (transfer none): the libvirt domain
 */
GVirDomain *
pvm_vm_get_domain (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->domain;
}

/**
 * pvm_vm_get_plan:
 * @self: a #PvmVm
 *
 * Returns: (transfer none): the plan the VM was launched with, from its
 *   domain's metadata
 */
const PvmVmPlan *
pvm_vm_get_plan (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->plan;
}

const char *
pvm_vm_get_uri (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return gvir_connection_get_uri (self->connection);
}

/**
 * pvm_vm_is_connected:
 * @self: a #PvmVm
 *
 * Whether the connection the VM was found on is still alive: not when its
 * daemon went away or its SSH tunnel broke. The VM's state then no longer
 * follows its domain's, and its actions fail: find it again on a new
 * connection.
 *
 * Returns: %TRUE if connected
 */
gboolean
pvm_vm_is_connected (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);

  return virConnectIsAlive (self->handle) == 1;
}

/**
 * pvm_vm_get_connection:
 * @self: a #PvmVm
 *
 * Returns: (transfer none): the connection the VM was found on
 */
GVirConnection *
pvm_vm_get_connection (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->connection;
}

/**
 * pvm_vm_get_serial_log:
 * @self: a #PvmVm
 *
 * Returns: (nullable): the file the guest's first serial port writes to
 */
const char *
pvm_vm_get_serial_log (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->serial_log;
}

/**
 * pvm_vm_get_output_disk:
 * @self: a #PvmVm
 *
 * Returns: (nullable): the VM's output disk image (OUTPUT_MODE=disk), or
 *   %NULL when its output is a shared folder or it has none
 */
const char *
pvm_vm_get_output_disk (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->output_disk;
}

/**
 * pvm_vm_needs_collect:
 * @self: a #PvmVm
 *
 * For a VM of another host, the first call while it is off asks that host
 * whether this machine shares the output disk and how the disk is now.
 *
 * Returns: whether the VM is off and its output disk holds what was not
 *   copied into its output directory yet
 */
gboolean
pvm_vm_needs_collect (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);

  if (self->output_disk == NULL || self->plan->output == NULL || pvm_vm_is_active (self) ||
      self->state == PVM_VM_STATE_SAVED)
    return FALSE;
  if (pvm_hosts_uri_is_local (gvir_connection_get_uri (self->connection)))
    return pvm_output_disk_needs_collect (self->plan->output);

  /* Another host's VM: asked there once while it is off. */
  if (!self->output_checked)
    {
      self->output_here = pvm_vm_output_disk_is_here (self);
      if (!self->output_here)
        self->output_stamp = _pvm_storage_dup_stamp (self->handle, self->output_disk);
      self->output_checked = TRUE;
    }
  if (self->output_here)
    return pvm_output_disk_needs_collect (self->plan->output);
  return self->output_stamp != NULL &&
         pvm_output_disk_remote_needs_collect (self->plan->output, self->output_stamp);
}

/* A remote host's VM whose output disk this machine does not share: its
 * disk is fetched through libvirt (the SSH access it already uses) into a
 * temporary copy next to where the files go. */
static gboolean
collect_remote (PvmVm      *self,
                GPtrArray  *copied,
                GPtrArray  *kept,
                GError    **error)
{
  g_autofree char *dir = g_build_filename (self->plan->output, PVM_OUTPUT_DISK_DIR, NULL);
  g_autofree char *copy = NULL;
  g_autofree char *stamp = NULL;
  gboolean done;
  int fd;

  stamp = _pvm_storage_dup_stamp (self->handle, self->output_disk);
  if (stamp == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND, "Cannot read the output disk %s on %s",
                   self->output_disk, gvir_connection_get_uri (self->connection));
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  /* A name no one else uses, then the download makes the file anew. */
  copy = g_build_filename (dir, "fetched-XXXXXX.img", NULL);
  fd = g_mkstemp_full (copy, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create a file in %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);
  g_unlink (copy);
  if (!_pvm_storage_download (self->handle, self->output_disk, copy, NULL, error))
    {
      g_prefix_error (error, "Cannot fetch the output disk of %s from %s: ", self->plan->name,
                      gvir_connection_get_uri (self->connection));
      return FALSE;
    }
  done = pvm_output_disk_collect_copy (self->plan->output, copy, stamp, copied, kept, NULL,
                                       error);
  g_unlink (copy);
  if (done)
    {
      self->output_checked = TRUE;
      self->output_here = FALSE;
      g_free (self->output_stamp);
      self->output_stamp = g_steal_pointer (&stamp);
    }
  return done;
}

/**
 * pvm_vm_output_disk_is_here:
 * @self: a #PvmVm with an output disk
 *
 * Whether this machine sees the VM's output disk at its path: a local VM,
 * or a remote host's whose output directory is shared with this machine.
 * Asks the VM's host (a marker file): not for the main thread of a GUI.
 *
 * Returns: %FALSE when the disk is only on the VM's host: pvm_vm_collect()
 *   then fetches it from there
 */
gboolean
pvm_vm_output_disk_is_here (PvmVm *self)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (PVM_IS_VM (self), FALSE);

  if (self->output_disk == NULL)
    return FALSE;
  if (pvm_hosts_uri_is_local (gvir_connection_get_uri (self->connection)))
    return TRUE;
  dir = g_path_get_dirname (self->output_disk);
  return g_file_test (self->output_disk, G_FILE_TEST_IS_REGULAR) &&
         _pvm_storage_dir_is_here (self->handle, dir);
}

/**
 * pvm_vm_collect:
 * @self: a #PvmVm that is off
 * @copied: (element-type utf8): gets the files copied, relative to the
 *   output directory
 * @kept: (element-type utf8): gets the host files kept (newer than the
 *   guest's)
 * @error: return location for a #GError
 *
 * Copies the files of the VM's output disk into its output directory
 * (pvm_output_disk_collect()). The output disk of a VM on another host
 * that this machine does not share is fetched from there first, through
 * libvirt, and the files land in the same path on this machine. Refused
 * (%PVM_ERROR_BUSY) while the VM runs or is saved: its guest may still
 * write.
 *
 * Returns: %TRUE on success
 */
gboolean
pvm_vm_collect (PvmVm      *self,
                GPtrArray  *copied,
                GPtrArray  *kept,
                GError    **error)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->output_disk == NULL || self->plan->output == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "The VM %s has no output disk (its output is %s)", self->plan->name,
                   self->plan->output != NULL ? "a shared folder" : "none");
      return FALSE;
    }
  if (pvm_vm_is_active (self) || self->state == PVM_VM_STATE_SAVED)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_BUSY,
                   "The VM %s is %s: its output can be collected once it is off",
                   self->plan->name, pvm_vm_state_to_string (self->state));
      return FALSE;
    }
  if (!pvm_vm_output_disk_is_here (self))
    return collect_remote (self, copied, kept, error);
  return pvm_output_disk_collect (self->plan->output, copied, kept, NULL, error);
}

PvmVmState
pvm_vm_get_state (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), PVM_VM_STATE_STOPPED);

  return self->state;
}

/**
 * pvm_vm_is_paused_by_io_error:
 * @self: a #PvmVm
 *
 * Whether QEMU paused the VM because a write to one of its disks failed:
 * the host's file system is full, most often (QEMU pauses on ENOSPC, as
 * libvirt's error policy leaves it). pvm_vm_resume_async() continues it
 * once there is room.
 *
 * Returns: %TRUE when the VM is paused for that
 */
gboolean
pvm_vm_is_paused_by_io_error (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);

  return self->state == PVM_VM_STATE_PAUSED && self->io_error;
}

/**
 * pvm_vm_is_active:
 * @self: a #PvmVm
 *
 * Returns: whether QEMU runs for the VM (running or paused)
 */
gboolean
pvm_vm_is_active (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);

  return self->state == PVM_VM_STATE_RUNNING || self->state == PVM_VM_STATE_PAUSED;
}

const char *
pvm_vm_state_to_string (PvmVmState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PVM_TYPE_VM_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}

/* The last SERIAL_TAIL_BYTES of the serial log, or NULL. The log is on
 * the VM's host: another host's is read through libvirt (a file of the
 * same path here may be another VM's). */
static char *
read_serial_tail (PvmVm *self)
{
  g_autofree char *data = NULL;
  FILE *file;
  size_t length;

  if (self->serial_log == NULL)
    return NULL;
  if (!pvm_hosts_uri_is_local (gvir_connection_get_uri (self->connection)))
    return _pvm_storage_read_tail (self->handle, self->serial_log, SERIAL_TAIL_BYTES);
  if ((file = fopen (self->serial_log, "rb")) == NULL)
    return NULL;

  if (fseeko (file, 0, SEEK_END) == 0 && ftello (file) > SERIAL_TAIL_BYTES)
    fseeko (file, -SERIAL_TAIL_BYTES, SEEK_END);
  else
    rewind (file);

  data = g_malloc (SERIAL_TAIL_BYTES + 1);
  length = fread (data, 1, SERIAL_TAIL_BYTES, file);
  fclose (file);
  data[length] = '\0';
  return g_steal_pointer (&data);
}

/* What the guest's serial log says, read once. */
typedef struct
{
  char *status;      /* the last status line, without its prefix */
  int   job_exit;    /* of "job exit CODE", or -1 */
  int   percent;     /* of the running job's last progress line, or -1 */
  char *progress;    /* its text ("" for none), or NULL */
} SerialFacts;

static void
serial_facts_clear (SerialFacts *facts)
{
  g_clear_pointer (&facts->status, g_free);
  g_clear_pointer (&facts->progress, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SerialFacts, serial_facts_clear)

/* A progress line's "PERCENT [TEXT]": PERCENT from 0 to 100. */
static gboolean
parse_progress (const char  *line,
                int         *percent,
                char       **text)
{
  g_autofree char *number = g_strndup (line, strcspn (line, " \t"));
  const char *rest = line + strlen (number);
  guint64 value;

  if (!g_ascii_string_to_unsigned (number, 10, 0, 100, &value, NULL))
    return FALSE;
  *percent = (int) value;
  *text = g_strstrip (g_strdup (rest));
  return TRUE;
}

static void
read_serial_facts (PvmVm       *self,
                   SerialFacts *facts)
{
  g_autofree char *tail = read_serial_tail (self);
  g_auto(GStrv) lines = NULL;
  const char *last = NULL;
  gboolean in_job = FALSE;

  facts->job_exit = -1;
  facts->percent = -1;
  if (tail == NULL)
    return;

  lines = g_strsplit (tail, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      gsize length = strlen (line);

      if (length > 0 && line[length - 1] == '\r')
        line[length - 1] = '\0';

      /* A job's progress counts while it runs: from its start (or, with
       * the start out of the tail, from the first line read) to its
       * exit or the next boot. */
      if (g_str_has_prefix (line, PVM_CONTRACT_PROGRESS_PREFIX) && (in_job || last == NULL))
        {
          int percent;
          char *text;

          if (parse_progress (line + strlen (PVM_CONTRACT_PROGRESS_PREFIX), &percent, &text))
            {
              facts->percent = percent;
              g_free (facts->progress);
              facts->progress = text;
            }
          continue;
        }
      if (!g_str_has_prefix (line, PVM_CONTRACT_STATUS_PREFIX))
        continue;

      last = line + strlen (PVM_CONTRACT_STATUS_PREFIX);
      in_job = g_str_has_prefix (last, PVM_CONTRACT_STATUS_JOB_START);
      if (!in_job)
        {
          facts->percent = -1;
          g_clear_pointer (&facts->progress, g_free);
        }
      if (g_str_has_prefix (last, PVM_CONTRACT_STATUS_JOB_EXIT " "))
        {
          guint64 code;

          if (g_ascii_string_to_unsigned (last + strlen (PVM_CONTRACT_STATUS_JOB_EXIT " "),
                                          10, 0, 255, &code, NULL))
            facts->job_exit = (int) code;
        }
    }
  facts->status = g_strdup (last);
}

/**
 * pvm_vm_dup_guest_status:
 * @self: a #PvmVm
 * @job_exit: (out) (optional): the exit status of the guest's job, or -1
 *   if it reported none
 *
 * What the guest last reported on its serial port in the contract's
 * status lines (docs/guest-contract.md), since the VM last started.
 * Guests that do not follow the contract report nothing.
 *
 * The serial log of a VM of another host is read there through libvirt:
 * that takes round trips to the host, so call this from a thread in a
 * user interface.
 *
 * Returns: (transfer full) (nullable): the last status, without its
 *   prefix ("ready", "job exit 0", "idle", "poweroff", ...), or %NULL
 */
char *
pvm_vm_dup_guest_status (PvmVm *self,
                         int   *job_exit)
{
  g_auto(SerialFacts) facts = { 0 };

  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  read_serial_facts (self, &facts);
  if (job_exit != NULL)
    *job_exit = facts.job_exit;
  return g_steal_pointer (&facts.status);
}

/**
 * pvm_vm_dup_job_progress:
 * @self: a #PvmVm
 * @percent: (out): how far the job is, from 0 to 100, or -1
 * @status: (out) (optional) (transfer full) (nullable): the guest's last
 *   status, as pvm_vm_dup_guest_status() returns it, from the same
 *   reading of the serial log
 *
 * How far the guest's job is, as it last said in a progress line
 * ("pvm-progress: PERCENT [TEXT]", docs/guest-contract.md), while it runs:
 * nothing before its start, after its exit, or once the guest boots
 * again. Read from the VM's serial log, on another host through libvirt
 * as pvm_vm_dup_guest_status() does.
 *
 * Returns: (transfer full) (nullable): the line's text ("" if it has
 *   none), or %NULL when the running job has said nothing of its progress
 */
char *
pvm_vm_dup_job_progress (PvmVm  *self,
                         int    *percent,
                         char  **status)
{
  g_auto(SerialFacts) facts = { 0 };

  g_return_val_if_fail (PVM_IS_VM (self), NULL);
  g_return_val_if_fail (percent != NULL, NULL);

  read_serial_facts (self, &facts);
  *percent = facts.percent;
  if (status != NULL)
    *status = g_steal_pointer (&facts.status);
  return g_steal_pointer (&facts.progress);
}

/**
 * pvm_vm_dup_ssh_command:
 * @self: a #PvmVm
 *
 * Returns: (transfer full) (nullable): the command that opens an SSH
 *   session in the guest: through its forwarded port, or on a tap network
 *   to its address; %NULL if it has neither (yet)
 */
char *
pvm_vm_dup_ssh_command (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  if (self->address != NULL)
    return g_strdup_printf ("ssh %s", self->address);
  if (self->plan->ssh_port == 0)
    return NULL;
  return g_strdup_printf ("ssh -p %u 127.0.0.1", self->plan->ssh_port);
}

/**
 * pvm_vm_get_network:
 * @self: a #PvmVm
 *
 * Returns: (nullable): the libvirt network of a VM on the tap network
 *   (NET_TYPE=tap), or %NULL for the user-mode network
 */
const char *
pvm_vm_get_network (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->network;
}

/**
 * pvm_vm_get_address:
 * @self: a #PvmVm
 *
 * Returns: (nullable): the guest's address on the tap network, as it was
 *   when pvm_vm_refresh_address() last asked, or %NULL
 */
const char *
pvm_vm_get_address (PvmVm *self)
{
  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  return self->address;
}

/**
 * pvm_vm_refresh_address:
 * @self: a #PvmVm
 *
 * Asks libvirt for the address a guest on the tap network leased (or, on
 * an existing bridge, what the host's ARP table knows). A guest that has
 * just started has none for a few seconds. Calls libvirt: run it in a
 * thread when the main loop must not wait.
 *
 * Returns: (nullable): the address, or %NULL
 */
const char *
pvm_vm_refresh_address (PvmVm *self)
{
  g_autoptr(PvmVirDomain) handle = NULL;

  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  g_clear_pointer (&self->address, g_free);
  if (self->network == NULL || !pvm_vm_is_active (self))
    return NULL;
  g_object_get (self->domain, "handle", &handle, NULL);
  self->address = pvm_network_dup_guest_address (handle);
  return self->address;
}

/**
 * pvm_vm_dup_console_command:
 * @self: a #PvmVm
 *
 * Returns: (transfer full): the command that opens the VM's graphical
 *   console: SPICE has no network listener, virt-viewer gets it from
 *   libvirt
 */
char *
pvm_vm_dup_console_command (PvmVm *self)
{
  g_autofree char *uri = NULL;
  g_autofree char *domain = NULL;

  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  uri = g_shell_quote (pvm_vm_get_uri (self));
  domain = g_shell_quote (self->domain_name);
  /* --attach takes a file descriptor from libvirt, which only a local
   * libvirt passes; on another host virt-viewer tunnels to the VM's SPICE
   * socket through SSH itself (it needs nc there; pvm console does not). */
  if (!pvm_hosts_uri_is_local (pvm_vm_get_uri (self)))
    return g_strdup_printf ("virt-viewer --connect %s %s", uri, domain);
  return g_strdup_printf ("virt-viewer --connect %s --attach %s", uri, domain);
}

/**
 * pvm_vm_to_json:
 * @self: a #PvmVm
 *
 * Returns: (transfer full): a JSON object with the members of the plan
 *   (pvm_vm_plan_add_json_members()) and domain, uri, state, guest_status,
 *   job_exit, job_progress ({"percent", "text"}), ssh, console, serial_log,
 *   output_disk, network and address (null where there is none)
 */
JsonNode *
pvm_vm_to_json (PvmVm *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_auto(SerialFacts) facts = { 0 };
  g_autofree char *ssh = NULL;
  g_autofree char *console = NULL;

  g_return_val_if_fail (PVM_IS_VM (self), NULL);

  read_serial_facts (self, &facts);
  ssh = pvm_vm_dup_ssh_command (self);
  console = pvm_vm_dup_console_command (self);

  json_builder_begin_object (builder);
  pvm_vm_plan_add_json_members (self->plan, builder);
  _pvm_json_add_nullable_string (builder, "domain", self->domain_name);
  _pvm_json_add_nullable_string (builder, "uri", pvm_vm_get_uri (self));
  _pvm_json_add_nullable_string (builder, "state", pvm_vm_state_to_string (self->state));
  _pvm_json_add_nullable_string (builder, "guest_status", facts.status);
  json_builder_set_member_name (builder, "job_exit");
  if (facts.job_exit >= 0)
    json_builder_add_int_value (builder, facts.job_exit);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "job_progress");
  if (facts.percent >= 0)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "percent");
      json_builder_add_int_value (builder, facts.percent);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, facts.progress);
      json_builder_end_object (builder);
    }
  else
    json_builder_add_null_value (builder);
  _pvm_json_add_nullable_string (builder, "ssh", ssh);
  _pvm_json_add_nullable_string (builder, "console", console);
  _pvm_json_add_nullable_string (builder, "serial_log", self->serial_log);
  _pvm_json_add_nullable_string (builder, "output_disk", self->output_disk);
  _pvm_json_add_nullable_string (builder, "network", self->network);
  _pvm_json_add_nullable_string (builder, "address", self->address);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}
