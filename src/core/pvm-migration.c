/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-migration.c: live migration of a pVM VM to another libvirt host.
 *
 * libvirt-glib 4.0 has no migration API: this is libvirt's own
 * virDomainMigrate3() on the connections' handles, in a thread, with a
 * second thread reading the job's statistics for the progress and
 * aborting the job when the caller cancels. libvirt keeps the guest
 * running on the source until the destination has it, and resumes it on
 * the source when anything fails: the VM runs on exactly one host. pVM
 * adds the checks libvirt cannot make, before anything moves:
 *
 * - no 9p share: QEMU refuses to migrate a guest that mounted one;
 * - a migration-safe CPU (CPU_MODE=fastest passes the host's CPU through);
 * - every disk file (the backing chain, the input, the output disk) is
 *   on the destination at the same path: shared storage, which pVM proves
 *   with a marker file it creates on the source and looks for on the
 *   destination (through libvirt's storage pools, so it works the same
 *   over qemu+ssh), or, for a read-only file (a base image, a SquashFS
 *   input), a copy of the same size. A file the VM writes (its overlay,
 *   its output disk) in a directory the hosts do not share is copied
 *   along: pVM makes an empty one at the same path there (an overlay on
 *   the same backing file) and libvirt copies what the VM wrote into it
 *   while the VM runs (--copy-storage-inc, QEMU's NBD mirror); the
 *   source's copy stays where it was, no longer used;
 * - no VM of that name on the destination, its tap network there.
 *
 * With those proven, libvirt's "unsafe" refusal (it cannot tell a shared
 * directory from a local one) is overridden. The serial log moves next to
 * the output disk (shared with the destination, or copied along to it).
 */

#define G_LOG_DOMAIN "pvm-migration"

#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libvirt/virterror.h>

#include "pvm-autocleanups.h"
#include "pvm-domain-private.h"
#include "pvm-error.h"
#include "pvm-migration.h"
#include "pvm-storage-private.h"
#include "pvm-vm-private.h"

/* How often the progress is read. */
#define PROGRESS_INTERVAL_MS 250

typedef struct
{
  PvmHostEntry             *destination;
  char                     *source_name;
  guint                     bandwidth_mib;
  PvmMigrationFlags         flags;
  PvmMigrationProgressFunc  progress;
  gpointer                  progress_data;
  GMainContext             *context;

  /* Set by the thread */
  PvmVm                    *result_vm;
  PvmMigrationResult        result;
  GPtrArray                *copies;         /* Copy: written disks copied along */

  /* The progress thread */
  GMutex                    lock;
  GCond                     cond;
  gboolean                  migrating;
  virDomainPtr              domain;
  GCancellable             *cancellable;
  gboolean                  aborted;
} MigrateData;

static void
migrate_data_free (MigrateData *data)
{
  pvm_host_entry_free (data->destination);
  g_free (data->source_name);
  g_clear_pointer (&data->context, g_main_context_unref);
  g_clear_object (&data->result_vm);
  g_clear_pointer (&data->copies, g_ptr_array_unref);
  g_mutex_clear (&data->lock);
  g_cond_clear (&data->cond);
  g_free (data);
}


/* ------------------------------------------------------------------ */
/* Checks                                                             */

/* A disk the VM writes, in a directory the hosts do not share: made
 * empty on the destination, then filled by the migration. */
typedef struct
{
  char    *path;
  char    *target;      /* its device: vda, vdc... */
  char    *format;      /* qcow2, raw */
  char    *backing;     /* an overlay's backing file, or NULL */
  char    *backing_format;
  guint64  capacity;    /* the guest's size of it */
  gboolean made;        /* made on the destination by this migration */
} Copy;

static void
copy_free (Copy *copy)
{
  g_free (copy->path);
  g_free (copy->target);
  g_free (copy->format);
  g_free (copy->backing);
  g_free (copy->backing_format);
  g_free (copy);
}

/* Checks that every file of @paths is on the destination at the same
 * path. @writable: files the VM writes (their directory must be shared). */
static gboolean
check_storage (virConnectPtr   source,
               virConnectPtr   dest,
               const char     *dest_name,
               GStrv           paths,
               GHashTable     *writable,
               GPtrArray      *copied,
               GError        **error)
{
  g_autoptr(GHashTable) checked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) shared_dirs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                             NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *dir = g_path_get_dirname (paths[i]);
      g_autoptr(GError) local_error = NULL;
      gboolean shared, here_exists, there_exists;
      guint64 here_size = 0, there_size = 0;

      if (!g_hash_table_contains (checked, dir))
        {
          if (!_pvm_storage_dir_is_shared (source, dest, dir, &shared, &local_error))
            {
              g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot check %s: %s", dir,
                           local_error->message);
              return FALSE;
            }
          if (shared)
            g_hash_table_add (shared_dirs, g_strdup (dir));
          g_hash_table_add (checked, g_strdup (dir));
        }
      if (g_hash_table_contains (shared_dirs, dir))
        continue;

      /* A written file: copied along, into a directory that is there
       * and where nothing is in the way. */
      if (g_hash_table_contains (writable, paths[i]))
        {
          /* (A directory that is not there is made.) */
          if (!_pvm_storage_stat (dest, paths[i], &there_exists, NULL, NULL))
            there_exists = FALSE;
          if (there_exists)
            {
              g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                           "%s is not shared with %s, and a file is already there at that "
                           "path: pVM copies the VM's file along but does not overwrite "
                           "another one; move it away there first", paths[i], dest_name);
              return FALSE;
            }
          g_ptr_array_add (copied, paths[i]);
          continue;
        }

      /* A read-only file: a copy of the same size will do. */
      if (!_pvm_storage_stat (dest, paths[i], &there_exists, &there_size, &local_error) ||
          !there_exists)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                       "%s is not on %s%s%s: copy it there, to the same path (it is read-only "
                       "to the VM, a copy will do), or share its directory between the hosts",
                       paths[i], dest_name, local_error != NULL ? ": " : "",
                       local_error != NULL ? local_error->message : "");
          return FALSE;
        }
      if (_pvm_storage_stat (source, paths[i], &here_exists, &here_size, NULL) && here_exists &&
          here_size != there_size)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                       "%s on %s is not the source's (%" G_GUINT64_FORMAT " bytes there, %"
                       G_GUINT64_FORMAT " here): copy the source's file there", paths[i],
                       dest_name, there_size, here_size);
          return FALSE;
        }
    }
  return TRUE;
}

/* The checks of the file comment; sets @serial_to to the destination's
 * serial log when it moves. */
/* The description of the disk whose file is @path, for copying it. */
static Copy *
copy_new (GVirConfigDomain *live,
          const char       *path)
{
  g_autoptr(GList) devices = gvir_config_domain_get_devices (live);
  Copy *copy = NULL;

  for (GList *l = devices; l != NULL && copy == NULL; l = l->next)
    {
      GVirConfigDomainDisk *disk;

      if (!GVIR_CONFIG_IS_DOMAIN_DISK (l->data))
        continue;
      disk = l->data;
      if (g_strcmp0 (gvir_config_domain_disk_get_source (disk), path) != 0)
        continue;
      copy = g_new0 (Copy, 1);
      copy->path = g_strdup (path);
      copy->target = g_strdup (gvir_config_domain_disk_get_target_dev (disk));
    }
  g_list_free_full (g_steal_pointer (&devices), g_object_unref);
  return copy;
}

/* What the destination's empty copy of @copy must be: read on the
 * source. */
static gboolean
describe_copy (virConnectPtr   source,
               Copy           *copy,
               GError        **error)
{
  g_autofree char *format = NULL;

  if (!_pvm_storage_describe (source, copy->path, &copy->capacity, &format, &copy->backing,
                              &copy->backing_format, error))
    return FALSE;
  g_free (copy->format);
  copy->format = g_steal_pointer (&format);
  return TRUE;
}

static gboolean
check_vm (PvmVm          *vm,
          MigrateData    *data,
          virConnectPtr   source,
          virConnectPtr   dest,
          GVirConfigDomain *live,
          char          **serial_to,
          GError        **error)
{
  const char *name = vm->plan->name;
  const char *dest_name = data->destination->name;
  g_auto(GStrv) shares = _pvm_domain_query_strings (live, "/domain/devices/filesystem");
  g_auto(GStrv) cpu_mode = _pvm_domain_query_strings (live, "/domain/cpu/@mode");
  g_auto(GStrv) paths = NULL;
  g_auto(GStrv) readonly = NULL;
  g_autoptr(GHashTable) writable = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(PvmVirDomain) clash = NULL;

  if (g_str_equal (gvir_connection_get_uri (vm->connection), data->destination->uri))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "The VM %s already runs on %s", name, dest_name);
      return FALSE;
    }
  if (vm->state != PVM_VM_STATE_RUNNING && vm->state != PVM_VM_STATE_PAUSED)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "The VM %s is %s: only a running VM moves live. A saved VM moves with "
                   "pvm save --to FILE and pvm restore FILE --on %s", name,
                   pvm_vm_state_to_string (vm->state), dest_name);
      return FALSE;
    }
  if (shares[0] != NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                   "The VM %s has a 9p shared folder (its %s), and QEMU cannot migrate a "
                   "guest that mounted one. Launch such jobs with a SquashFS input and "
                   "OUTPUT_MODE=disk (the migratable layout, docs/scaling.md); %s keeps "
                   "running on %s", name,
                   vm->output_disk == NULL ? "output, OUTPUT_MODE=shared" : "input directory",
                   name, data->source_name);
      return FALSE;
    }
  {
    g_autofree char *where = g_strdup_printf ("on %s", data->source_name);

    if (!_pvm_vm_check_not_transient (vm, where, error))
      return FALSE;
  }
  if (cpu_mode[0] != NULL && g_str_equal (cpu_mode[0], "host-passthrough"))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                   "The VM %s passes the host's CPU through (CPU_MODE=fastest): it can only "
                   "move to an identical CPU, which libvirt cannot promise. Launch it with "
                   "CPU_MODE=migration-safe to move it", name);
      return FALSE;
    }

  clash = virDomainLookupByName (dest, vm->domain_name);
  if (clash != NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                   "%s already has a VM named %s (the domain %s): delete it there first "
                   "(pvm delete on that host, or virsh -c %s undefine %s)", dest_name, name,
                   vm->domain_name, data->destination->uri, vm->domain_name);
      return FALSE;
    }
  virResetLastError ();

  if (vm->network != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      virNetworkPtr network = virNetworkLookupByName (dest, vm->network);

      if (network == NULL)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                       "The VM %s is on the tap network %s, which %s does not have: launch a "
                       "VM there with NET_TYPE=tap first (it creates the network)", name,
                       vm->network, dest_name);
          return FALSE;
        }
      virNetworkFree (network);
    }

  paths = _pvm_domain_query_strings (live, "/domain/devices/disk[@type='file']//source/@file");
  readonly = _pvm_domain_query_strings (live, "/domain/devices/disk[@type='file'][readonly]"
                                              "/source/@file");
  /* A disk's own file is written; its backing files and read-only disks
   * are not. */
  {
    g_auto(GStrv) tops = _pvm_domain_query_strings (live, "/domain/devices/disk[@type='file']"
                                                          "/source/@file");
    g_autoptr(GPtrArray) copied = g_ptr_array_new ();

    for (guint i = 0; tops[i] != NULL; i++)
      if (!g_strv_contains ((const char * const *) readonly, tops[i]))
        g_hash_table_add (writable, tops[i]);
    if (!check_storage (source, dest, dest_name, paths, writable, copied, error))
      return FALSE;
    for (guint i = 0; i < copied->len; i++)
      {
        Copy *copy = copy_new (live, g_ptr_array_index (copied, i));

        if (copy == NULL || copy->target == NULL || !describe_copy (source, copy, error))
          {
            if (copy != NULL)
              copy_free (copy);
            if (error != NULL && *error == NULL)
              g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "Cannot read the disk %s of %s",
                           (const char *) g_ptr_array_index (copied, i), name);
            return FALSE;
          }
        g_ptr_array_add (data->copies, copy);
      }
  }

  *serial_to = _pvm_domain_dup_moved_serial_log (vm->output_disk, vm->serial_log);
  return TRUE;
}

/* The SSH port @vm gets on @dest: its own, unless a pVM VM there (or,
 * when both hosts are one machine, on the source) holds it already. 0 with
 * an error when no port is left. */
static guint
pick_ssh_port (PvmVm           *vm,
               virConnectPtr    source,
               virConnectPtr    dest,
               const char      *dest_name,
               GError         **error)
{
  g_autofree char *source_host = virConnectGetHostname (source);
  g_autofree char *dest_host = virConnectGetHostname (dest);
  gboolean one_machine = source_host != NULL && g_strcmp0 (source_host, dest_host) == 0;
  guint port = _pvm_storage_pick_ssh_port (dest, one_machine ? source : NULL,
                                           vm->plan->ssh_port);

  virResetLastError ();
  if (port == 0 && vm->plan->ssh_port != 0)
    g_set_error (error, PVM_ERROR, PVM_ERROR_BUSY, "No SSH port is left for %s on %s",
                 vm->plan->name, dest_name);
  return port;
}

/* ------------------------------------------------------------------ */
/* Progress                                                           */

typedef struct
{
  PvmMigrationProgressFunc func;
  gpointer                 data;
  PvmMigrationProgress     progress;
} ProgressCall;

static gboolean
progress_call (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->func (&call->progress, call->data);
  return G_SOURCE_REMOVE;
}

/* Reads the job's statistics until the migration ends; aborts the job
 * when the caller cancels. */
static gpointer
progress_thread (gpointer user_data)
{
  MigrateData *data = user_data;
  gboolean abort_sent = FALSE;

  g_mutex_lock (&data->lock);
  while (data->migrating)
    {
      gint64 until = g_get_monotonic_time () + PROGRESS_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
      virTypedParameterPtr params = NULL;
      int n_params = 0, type = 0;

      g_cond_wait_until (&data->cond, &data->lock, until);
      if (!data->migrating)
        break;
      g_mutex_unlock (&data->lock);

      if (!abort_sent && g_cancellable_is_cancelled (data->cancellable))
        {
          abort_sent = TRUE;
          if (virDomainAbortJob (data->domain) == 0)
            data->aborted = TRUE;
          else
            g_debug ("Cannot abort the migration: %s", _pvm_storage_last_error ());
        }

      if (data->progress != NULL &&
          virDomainGetJobStats (data->domain, &type, &params, &n_params, 0) == 0 &&
          type != VIR_DOMAIN_JOB_NONE)
        {
          ProgressCall *call = g_new0 (ProgressCall, 1);
          PvmMigrationProgress *progress = &call->progress;
          guint64 page_size = _pvm_param_ullong (params, n_params,
                                                 VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE);

          call->func = data->progress;
          call->data = data->progress_data;
          progress->elapsed_ms = _pvm_param_ullong (params, n_params, VIR_DOMAIN_JOB_TIME_ELAPSED);
          progress->data_total = _pvm_param_ullong (params, n_params, VIR_DOMAIN_JOB_DATA_TOTAL);
          progress->data_processed = _pvm_param_ullong (params, n_params,
                                                        VIR_DOMAIN_JOB_DATA_PROCESSED);
          progress->data_remaining = _pvm_param_ullong (params, n_params,
                                                        VIR_DOMAIN_JOB_DATA_REMAINING);
          progress->dirty_rate = _pvm_param_ullong (params, n_params,
                                                    VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE) *
                                 (page_size != 0 ? page_size : 4096);
          progress->expected_downtime_ms = _pvm_param_ullong (params, n_params,
                                                              VIR_DOMAIN_JOB_DOWNTIME);
          progress->iteration = _pvm_param_ullong (params, n_params,
                                                   VIR_DOMAIN_JOB_MEMORY_ITERATION);
          g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, progress_call, call,
                                      g_free);
        }
      virTypedParamsFree (params, n_params);
      virResetLastError ();
      g_mutex_lock (&data->lock);
    }
  g_mutex_unlock (&data->lock);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* The migration                                                      */

/* Removes the copies this migration made on the destination. */
static void
remove_copies (virConnectPtr  dest,
               MigrateData   *data)
{
  for (guint i = 0; i < data->copies->len; i++)
    {
      Copy *copy = g_ptr_array_index (data->copies, i);

      if (copy->made)
        _pvm_storage_delete (dest, copy->path, NULL);
      copy->made = FALSE;
    }
}

/* Where the VM runs now, for the message of a failed migration. */
static char *
dup_where (virDomainPtr  domain,
           virConnectPtr dest,
           const char   *domain_name,
           MigrateData  *data)
{
  g_autoptr(PvmVirDomain) there = virDomainLookupByName (dest, domain_name);
  gboolean here = virDomainIsActive (domain) == 1;
  gboolean moved = there != NULL && virDomainIsActive (there) == 1;

  virResetLastError ();
  if (here && !moved)
    return g_strdup_printf ("it still runs on %s", data->source_name);
  if (moved && !here)
    return g_strdup_printf ("it runs on %s now", data->destination->name);
  if (here && moved)
    return g_strdup_printf ("it runs on both %s and %s: stop one (pvm stop --force on %s)",
                            data->source_name, data->destination->name,
                            data->destination->name);
  return g_strdup_printf ("it runs on neither %s nor %s: pvm resume or pvm start it",
                          data->source_name, data->destination->name);
}

static void
migrate_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PvmVm *vm = source_object;
  MigrateData *data = task_data;
  g_autoptr(GVirConnection) dest_connection = NULL;
  g_autoptr(PvmVirConnect) source = NULL;
  g_autoptr(PvmVirConnect) dest = NULL;
  g_autoptr(PvmVirDomain) domain = NULL;
  g_autoptr(PvmVirDomain) moved = NULL;
  g_autoptr(GVirConfigDomain) live = NULL;
  g_autoptr(GVirDomain) moved_domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *serial_to = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *dest_xml = NULL;
  g_autofree char *agent_socket = NULL;
  g_autofree char *address = NULL;
  g_autofree char *migrate_uri = NULL;
  g_autofree char *where = NULL;
  virTypedParameterPtr params = NULL;
  int n_params = 0, max_params = 0;
  unsigned int flags;
  guint ssh_port;
  PvmDomainMove move = { 0 };
  GThread *progress;
  const char *name = vm->plan->name;

  dest_connection = pvm_vm_open_connection (data->destination->uri, cancellable, &error);
  if (dest_connection == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot move %s to %s: %s",
                               name, data->destination->name, error->message);
      return;
    }
  g_object_get (vm->connection, "handle", &source, NULL);
  g_object_get (dest_connection, "handle", &dest, NULL);
  g_object_get (vm->domain, "handle", &domain, NULL);

  vm->state = _pvm_vm_query_state (vm->domain, NULL);
  live = gvir_domain_get_config (vm->domain, 0, &error);
  if (live == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot read the VM %s: %s",
                               name, error->message);
      return;
    }
  if (!check_vm (vm, data, source, dest, live, &serial_to, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->result.copied = data->copies->len;
  if (data->flags & PVM_MIGRATION_CHECK_ONLY)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_MIGRATABLE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot read the VM %s: %s",
                               name, _pvm_storage_last_error ());
      return;
    }
  /* libvirt would make a new log 0600, unreadable to the user's group on
   * the shared storage: made here, it has the user's umask. */
  if (serial_to != NULL && pvm_hosts_uri_is_local (gvir_connection_get_uri (vm->connection)) &&
      !g_file_test (serial_to, G_FILE_TEST_EXISTS))
    g_file_set_contents_full (serial_to, "", 0, G_FILE_SET_CONTENTS_NONE, 0666, NULL);
  ssh_port = pick_ssh_port (vm, source, dest, data->destination->name, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Its console there: a file descriptor if that libvirt is local, else a
   * Unix socket reached through SSH. */
  move.serial_from = vm->serial_log;
  move.serial_to = serial_to;
  move.ssh_port_from = vm->plan->ssh_port;
  move.ssh_port_to = ssh_port;
  move.spice_socket = !pvm_hosts_uri_is_local (data->destination->uri);
  agent_socket = pvm_domain_dup_agent_socket (data->destination->uri, vm->domain_name);
  move.agent_socket = agent_socket;
  dest_xml = _pvm_domain_xml_for_move (xml, &move);
  if (dest_xml == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_FAILED,
                               "Cannot write the definition of %s for %s", name,
                               data->destination->name);
      return;
    }
  data->result.ssh_port = ssh_port;

  address = pvm_hosts_dup_address (data->destination->uri);
  migrate_uri = g_strdup_printf ("tcp://%s", address);
  virTypedParamsAddString (&params, &n_params, &max_params, VIR_MIGRATE_PARAM_URI, migrate_uri);
  /* Two daemons of one machine: the stream stays on the loopback. */
  if (g_str_equal (address, "127.0.0.1"))
    virTypedParamsAddString (&params, &n_params, &max_params,
                             VIR_MIGRATE_PARAM_LISTEN_ADDRESS, address);
  virTypedParamsAddString (&params, &n_params, &max_params, VIR_MIGRATE_PARAM_DEST_XML,
                           dest_xml);
  virTypedParamsAddString (&params, &n_params, &max_params, VIR_MIGRATE_PARAM_PERSIST_XML,
                           dest_xml);
  if (data->bandwidth_mib > 0)
    virTypedParamsAddULLong (&params, &n_params, &max_params, VIR_MIGRATE_PARAM_BANDWIDTH,
                             data->bandwidth_mib);

  /* UNSAFE: the storage checks above proved what libvirt cannot. */
  flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE |
          VIR_MIGRATE_UNSAFE | VIR_MIGRATE_ABORT_ON_ERROR;

  /* The disks copied along: empty there first (libvirt would make them
   * only in a storage pool), then QEMU mirrors what the VM wrote. */
  for (guint i = 0; i < data->copies->len; i++)
    {
      Copy *copy = g_ptr_array_index (data->copies, i);

      g_autofree char *dir = g_path_get_dirname (copy->path);
      gboolean there = FALSE;

      /* Its directory first, as the launch makes an output directory. */
      if ((!_pvm_storage_stat (dest, copy->path, &there, NULL, NULL) &&
           !_pvm_storage_make_dir (dest, dir, &error)) ||
          (error == NULL &&
           !_pvm_storage_create_empty (dest, copy->path, copy->format, copy->capacity,
                                       copy->backing, copy->backing_format, &error)))
        {
          remove_copies (dest, data);
          virTypedParamsFree (params, n_params);
          g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT,
                                   "Cannot move %s to %s: %s; it still runs on %s", name,
                                   data->destination->name, error->message, data->source_name);
          return;
        }
      copy->made = TRUE;
      virTypedParamsAddString (&params, &n_params, &max_params,
                               VIR_MIGRATE_PARAM_MIGRATE_DISKS, copy->target);
    }
  if (data->copies->len > 0)
    flags |= VIR_MIGRATE_NON_SHARED_INC;

  data->domain = domain;
  data->cancellable = cancellable;
  data->migrating = TRUE;
  progress = g_thread_new ("pvm-migration-progress", progress_thread, data);

  moved = virDomainMigrate3 (domain, dest, params, n_params, flags);

  g_mutex_lock (&data->lock);
  data->migrating = FALSE;
  g_cond_signal (&data->cond);
  g_mutex_unlock (&data->lock);
  g_thread_join (progress);
  virTypedParamsFree (params, n_params);

  if (moved == NULL)
    {
      g_autofree char *message = g_strdup (_pvm_storage_last_error ());

      where = dup_where (domain, dest, vm->domain_name, data);
      /* Still on the source: what was copied there is of no use. */
      if (virDomainIsActive (domain) == 1)
        remove_copies (dest, data);
      virResetLastError ();
      if (data->aborted || g_cancellable_is_cancelled (cancellable))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                 "Moving %s to %s was cancelled: %s", name,
                                 data->destination->name, where);
      else
        g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT,
                                 "Cannot move %s to %s: %s; %s", name, data->destination->name,
                                 message, where);
      return;
    }

  {
    virTypedParameterPtr stats = NULL;
    int n_stats = 0, type = 0;

    /* The destination keeps the completed job's statistics (the source's
     * domain is gone with it); the source's are the fallback. */
    if (virDomainGetJobStats (moved, &type, &stats, &n_stats, VIR_DOMAIN_JOB_STATS_COMPLETED |
                              VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED) == 0 ||
        virDomainGetJobStats (domain, &type, &stats, &n_stats, VIR_DOMAIN_JOB_STATS_COMPLETED) == 0)
      {
        data->result.total_ms = _pvm_param_ullong (stats, n_stats, VIR_DOMAIN_JOB_TIME_ELAPSED);
        data->result.downtime_ms = _pvm_param_ullong (stats, n_stats, VIR_DOMAIN_JOB_DOWNTIME);
        data->result.data_processed = _pvm_param_ullong (stats, n_stats,
                                                         VIR_DOMAIN_JOB_DATA_PROCESSED);
      }
    virTypedParamsFree (stats, n_stats);
    virResetLastError ();
  }

  if (gvir_connection_fetch_domains (dest_connection, cancellable, &error))
    moved_domain = gvir_connection_find_domain_by_name (dest_connection, vm->domain_name);
  if (moved_domain != NULL)
    data->result_vm = pvm_vm_new_for_domain (dest_connection, moved_domain, &error);
  if (data->result_vm == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT,
                               "%s moved to %s, but pVM cannot read it there: %s", name,
                               data->destination->name,
                               error != NULL ? error->message : "the domain is missing");
      return;
    }
  g_task_return_pointer (task, g_object_ref (data->result_vm), g_object_unref);
}

/**
 * pvm_vm_migrate_async:
 * @vm: a running VM
 * @source_name: the name of @vm's host, for messages
 * @destination: the host to move it to
 * @bandwidth_mib: the most MiB/s the migration may use, or 0 for no limit
 * @flags: %PVM_MIGRATION_CHECK_ONLY to stop after the checks
 * @progress: (nullable) (scope notified): called about four times a second
 *   in the caller's thread-default main context while memory moves
 * @progress_data: data for @progress
 * @cancellable: (nullable): cancels the migration; the VM then keeps
 *   running on its host
 * @callback: called when the VM runs on @destination, or when it cannot
 * @user_data: data for @callback
 *
 * Moves @vm, running, to @destination: the checks of pvm-migration.c
 * first, then libvirt's live migration, with the VM defined on the
 * destination and no longer on the source.
 */
void
pvm_vm_migrate_async (PvmVm                   *vm,
                      const char              *source_name,
                      const PvmHostEntry      *destination,
                      guint                    bandwidth_mib,
                      PvmMigrationFlags        flags,
                      PvmMigrationProgressFunc progress,
                      gpointer                 progress_data,
                      GCancellable            *cancellable,
                      GAsyncReadyCallback      callback,
                      gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  MigrateData *data;

  g_return_if_fail (PVM_IS_VM (vm));
  g_return_if_fail (source_name != NULL && destination != NULL);

  data = g_new0 (MigrateData, 1);
  data->destination = pvm_host_entry_copy (destination);
  data->source_name = g_strdup (source_name);
  data->bandwidth_mib = bandwidth_mib;
  data->flags = flags;
  data->progress = progress;
  data->progress_data = progress_data;
  data->context = g_main_context_ref_thread_default ();
  data->copies = g_ptr_array_new_with_free_func ((GDestroyNotify) copy_free);
  g_mutex_init (&data->lock);
  g_cond_init (&data->cond);

  task = g_task_new (vm, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_migrate_async);
  g_task_set_task_data (task, data, (GDestroyNotify) migrate_data_free);
  /* A cancelled migration still reports where the VM runs. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, migrate_thread);
}

/**
 * pvm_vm_migrate_finish:
 * @vm: the VM
 * @result: the result
 * @migration: (out caller-allocates) (optional): its duration and downtime
 * @error: return location for a #GError; %G_IO_ERROR_CANCELLED when
 *   cancelled, its message saying where the VM runs
 *
 * Returns: (transfer full) (nullable): the VM on the destination, or
 *   %NULL (with no error after %PVM_MIGRATION_CHECK_ONLY checks that passed)
 */
PvmVm *
pvm_vm_migrate_finish (PvmVm               *vm,
                       GAsyncResult        *result,
                       PvmMigrationResult  *migration,
                       GError             **error)
{
  MigrateData *data;

  g_return_val_if_fail (g_task_is_valid (result, vm), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (migration != NULL)
    *migration = data->result;
  return g_task_propagate_pointer (G_TASK (result), error);
}
