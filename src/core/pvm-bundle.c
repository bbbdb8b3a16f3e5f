/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-bundle.c: save here, resume there.
 *
 * A bundle is a tar file (holes kept) of:
 *   manifest.json  what it holds: the VM, its files and their paths, the
 *                  read-only files the destination must already have;
 *   domain.xml     the VM's libvirt definition;
 *   state          its memory and device state (virDomainSave);
 *   disk-N         the disks the VM writes: its image (an overlay, as a
 *                  rule) and its output disk.
 *
 * Saving moves the VM into the bundle: once the bundle is complete, the
 * domain and the disks it carries are removed from the source, so that
 * nothing can boot a copy that the saved memory no longer matches. If
 * anything fails before that, the VM continues on the source from the
 * state just saved, and no partial bundle is left.
 *
 * Restoring puts the disks back at their paths on the chosen host (through
 * libvirt's storage API, so a remote host needs nothing but its libvirt
 * URI), defines the domain there and continues it from the state. The
 * host must have the read-only files (base image, SquashFS input) at the
 * same paths, with the same sizes, and none of the carried files: both are
 * checked before anything is copied, and a failure removes what was
 * copied. The bundle itself is left for the user to delete.
 */

#define G_LOG_DOMAIN "pvm-bundle"
#define _GNU_SOURCE  /* SEEK_DATA, SEEK_HOLE */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libvirt/virterror.h>

#include "pvm-autocleanups.h"
#include "pvm-bundle.h"
#include "pvm-domain-private.h"
#include "pvm-error.h"
#include "pvm-image-repo.h"
#include "pvm-repo-private.h"
#include "pvm-storage-private.h"
#include "pvm-vm-private.h"

#define MANIFEST "manifest.json"
#define DOMAIN_XML "domain.xml"
#define STATE "state"

/* Runs tar with @args after "tar". */
static gboolean
run_tar (const char * const  *args,
         GCancellable        *cancellable,
         char               **out,
         GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (char *) "tar");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               error);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, out, &err, error))
    {
      g_subprocess_force_exit (process);
      return FALSE;
    }
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_strstrip (err);
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "tar failed: %s",
                   err != NULL && *err != '\0' ? err : "no message");
      return FALSE;
    }
  return TRUE;
}

static gboolean
fsync_path (const char  *path,
            GError     **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0)
    {
      close (fd);
      return TRUE;
    }
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot write %s: %s",
               path, g_strerror (saved_errno));
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Progress                                                           */

/* How often the progress is read. */
#define PROGRESS_INTERVAL_MS 250

/* A save's or a restore's progress: a thread reads how far the step under
 * way is and tells the caller's main context; in the state step of a
 * save it also aborts libvirt's job when the caller cancels. */
typedef struct
{
  PvmBundleProgressFunc func;
  gpointer              data;
  GMainContext         *context;
  GCancellable         *cancellable;
  gulong                cancelled_id;
  GThread              *thread;

  GMutex                lock;
  GCond                 cond;
  gboolean              running;
  PvmBundleStep         step;
  gboolean              ended;     /* the step has told its end */
  guint64               total;
  virDomainPtr          domain;    /* STATE: the VM whose state is saved */
  char                 *file;      /* WRITE: the bundle, growing */
  char                 *dir;       /* UNPACK: where it is unpacked */
  gboolean              aborted;   /* STATE: the job was aborted */

  guint64               copied;    /* COPY: atomic, _pvm_storage_upload () adds */
} Watch;

typedef struct
{
  PvmBundleProgressFunc func;
  gpointer              data;
  PvmBundleStep         step;
  guint64               processed;
  guint64               total;
} ProgressCall;

static gboolean
progress_call (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->func (call->step, call->processed, call->total, call->data);
  return G_SOURCE_REMOVE;
}

/* Called with the lock held. */
static void
watch_tell (Watch         *watch,
            PvmBundleStep  step,
            guint64        processed,
            guint64        total)
{
  ProgressCall *call;

  if (watch->func == NULL)
    return;
  call = g_new0 (ProgressCall, 1);
  call->func = watch->func;
  call->data = watch->data;
  call->step = step;
  call->processed = total > 0 ? MIN (processed, total) : processed;
  call->total = total;
  g_main_context_invoke_full (watch->context, G_PRIORITY_DEFAULT, progress_call, call, g_free);
}

/* Bytes of data in the files of @dir (holes not counted). */
static guint64
dir_data_size (const char *dir)
{
  g_autoptr(GDir) opened = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64 size = 0;

  while (opened != NULL && (name = g_dir_read_name (opened)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;

      if (lstat (path, &st) == 0 && S_ISREG (st.st_mode))
        size += (guint64) st.st_blocks * 512;
    }
  return size;
}

/* Bytes of data in @path (holes not counted), as tar --sparse and
 * _pvm_storage_upload () read them; 0 if it cannot be read. */
static guint64
file_data_size (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  off_t data = 0, hole;
  guint64 size = 0;

  if (fd < 0)
    return 0;
  while ((data = lseek (fd, data, SEEK_DATA)) >= 0 && (hole = lseek (fd, data, SEEK_HOLE)) > data)
    {
      size += (guint64) (hole - data);
      data = hole;
    }
  close (fd);
  return size;
}

static gpointer
watch_thread (gpointer user_data)
{
  Watch *watch = user_data;
  gboolean abort_sent = FALSE;

  g_mutex_lock (&watch->lock);
  while (watch->running)
    {
      gint64 until = g_get_monotonic_time () + PROGRESS_INTERVAL_MS * G_TIME_SPAN_MILLISECOND;
      PvmBundleStep step;
      guint64 total, processed = 0;
      g_autofree char *file = NULL;
      g_autofree char *dir = NULL;
      virDomainPtr domain = NULL;

      g_cond_wait_until (&watch->cond, &watch->lock, until);
      if (!watch->running)
        break;
      step = watch->step;
      total = watch->total;
      file = g_strdup (watch->file);
      dir = g_strdup (watch->dir);
      if (watch->domain != NULL && virDomainRef (watch->domain) == 0)
        domain = watch->domain;
      g_mutex_unlock (&watch->lock);

      if (step == PVM_BUNDLE_STEP_STATE && domain != NULL)
        {
          virTypedParameterPtr params = NULL;
          int n_params = 0, type = 0;

          if (!abort_sent && g_cancellable_is_cancelled (watch->cancellable))
            {
              abort_sent = TRUE;
              if (virDomainAbortJob (domain) == 0)
                {
                  g_mutex_lock (&watch->lock);
                  watch->aborted = TRUE;
                  g_mutex_unlock (&watch->lock);
                }
              else
                g_debug ("Cannot abort the save: %s", _pvm_storage_last_error ());
            }
          if (virDomainGetJobStats (domain, &type, &params, &n_params, 0) == 0 &&
              type != VIR_DOMAIN_JOB_NONE)
            {
              /* Pages of zeros are sent as a mark: what is done is what
               * is not left. */
              total = _pvm_param_ullong (params, n_params, VIR_DOMAIN_JOB_DATA_TOTAL);
              processed = total - MIN (total,
                                       _pvm_param_ullong (params, n_params,
                                                          VIR_DOMAIN_JOB_DATA_REMAINING));
            }
          virTypedParamsFree (params, n_params);
          virResetLastError ();
        }
      else if (step == PVM_BUNDLE_STEP_WRITE && file != NULL)
        {
          struct stat st;

          processed = stat (file, &st) == 0 ? (guint64) st.st_size : 0;
        }
      else if (step == PVM_BUNDLE_STEP_UNPACK && dir != NULL)
        processed = dir_data_size (dir);
      else if (step == PVM_BUNDLE_STEP_COPY)
        processed = __atomic_load_n (&watch->copied, __ATOMIC_RELAXED);
      if (domain != NULL)
        virDomainFree (domain);

      g_mutex_lock (&watch->lock);
      /* A step that ended meanwhile has told its end. */
      if (watch->running && watch->step == step && !watch->ended &&
          step != PVM_BUNDLE_STEP_CONTINUE)
        {
          if (step == PVM_BUNDLE_STEP_STATE && total > 0)
            watch->total = total;
          watch_tell (watch, step, processed, total);
        }
    }
  g_mutex_unlock (&watch->lock);
  return NULL;
}

/* Wakes the thread at once: a save of the state is aborted now. */
static void
watch_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  Watch *watch = user_data;

  g_mutex_lock (&watch->lock);
  g_cond_signal (&watch->cond);
  g_mutex_unlock (&watch->lock);
}

static Watch *
watch_new (PvmBundleProgressFunc func,
           gpointer              data)
{
  Watch *watch = g_new0 (Watch, 1);

  watch->func = func;
  watch->data = data;
  watch->context = g_main_context_ref_thread_default ();
  g_mutex_init (&watch->lock);
  g_cond_init (&watch->cond);
  return watch;
}

/* A step begins: told at once, then followed by the thread (started with
 * the first step). @domain, @file and @dir are what the thread reads for
 * it. */
static void
watch_begin (Watch         *watch,
             GCancellable  *cancellable,
             PvmBundleStep  step,
             guint64        total,
             virDomainPtr   domain,
             const char    *file,
             const char    *dir)
{
  gboolean first;

  g_mutex_lock (&watch->lock);
  watch->step = step;
  watch->ended = FALSE;
  watch->total = total;
  watch->domain = domain;
  g_free (watch->file);
  watch->file = g_strdup (file);
  g_free (watch->dir);
  watch->dir = g_strdup (dir);
  watch_tell (watch, step, 0, total);
  first = watch->thread == NULL;
  if (first)
    {
      watch->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
      watch->running = TRUE;
      watch->thread = g_thread_new ("pvm-bundle-progress", watch_thread, watch);
    }
  g_mutex_unlock (&watch->lock);
  /* Outside the lock: called at once if already cancelled. */
  if (first && cancellable != NULL)
    watch->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (watch_cancelled_cb),
                                                 watch, NULL);
}

/* The step done: @processed of @total is its end; with @total 0, all of
 * the total the thread last read, or else @processed. Returns whether the
 * thread aborted the step's job. */
static gboolean
watch_end (Watch   *watch,
           guint64  processed,
           guint64  total)
{
  gboolean aborted;

  g_mutex_lock (&watch->lock);
  if (total == 0 && processed > 0)
    processed = total = watch->total > 0 ? watch->total : processed;
  watch_tell (watch, watch->step, processed, total);
  watch->ended = TRUE;
  watch->domain = NULL;
  g_clear_pointer (&watch->file, g_free);
  g_clear_pointer (&watch->dir, g_free);
  aborted = watch->aborted;
  g_mutex_unlock (&watch->lock);
  return aborted;
}

/* The run is over, whatever came of it. */
static void
watch_stop (Watch *watch)
{
  GThread *thread;

  if (watch->cancelled_id != 0)
    g_cancellable_disconnect (watch->cancellable, watch->cancelled_id);
  watch->cancelled_id = 0;
  g_mutex_lock (&watch->lock);
  watch->running = FALSE;
  watch->domain = NULL;
  thread = g_steal_pointer (&watch->thread);
  g_cond_signal (&watch->cond);
  g_mutex_unlock (&watch->lock);
  if (thread != NULL)
    g_thread_join (thread);
}

static void
watch_free (Watch *watch)
{
  watch_stop (watch);
  g_main_context_unref (watch->context);
  g_clear_object (&watch->cancellable);
  g_free (watch->file);
  g_free (watch->dir);
  g_mutex_clear (&watch->lock);
  g_cond_clear (&watch->cond);
  g_free (watch);
}

/* ------------------------------------------------------------------ */
/* Saving                                                             */

typedef struct
{
  char  *path;
  Watch *watch;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->path);
  watch_free (data->watch);
  g_free (data);
}

static JsonNode *
file_node (const char *member,
           const char *path,
           const char *role)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GStatBuf st;

  json_builder_begin_object (builder);
  if (member != NULL)
    {
      json_builder_set_member_name (builder, "member");
      json_builder_add_string_value (builder, member);
    }
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, path);
  if (role != NULL)
    {
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, role);
    }
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, g_stat (path, &st) == 0 ? st.st_size : -1);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PvmVm *vm = source_object;
  SaveData *data = task_data;
  const char *name = vm->plan->name;
  g_autoptr(PvmVirDomain) domain = NULL;
  g_autoptr(PvmVirConnect) conn = NULL;
  g_autoptr(GVirConfigDomain) live = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tar_args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) shares = NULL;
  g_auto(GStrv) all = NULL;
  g_auto(GStrv) tops = NULL;
  g_auto(GStrv) readonly = NULL;
  g_autoptr(GPtrArray) carried = g_ptr_array_new ();
  g_autofree char *dir = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *stage_template = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *state = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *manifest_path = NULL;
  g_autofree char *xml_path = NULL;
  g_autofree char *now = NULL;
  gboolean saved = FALSE;
  guint64 state_size = 0;

  if (!pvm_hosts_uri_is_local (gvir_connection_get_uri (vm->connection)))
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                               "The VM %s runs on %s, not on this machine: a bundle is written "
                               "here, so move it here first (pvm migrate %s local), or save it "
                               "where it is (pvm save %s)", name,
                               gvir_connection_get_uri (vm->connection), name, name);
      return;
    }
  vm->state = _pvm_vm_query_state (vm->domain, NULL);
  if (vm->state != PVM_VM_STATE_RUNNING && vm->state != PVM_VM_STATE_PAUSED)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                               "The VM %s is %s: only a running VM is saved into a bundle%s",
                               name, pvm_vm_state_to_string (vm->state),
                               vm->state == PVM_VM_STATE_SAVED
                                 ? " (resume it first: pvm resume)" : "");
      return;
    }
  if (g_file_test (data->path, G_FILE_TEST_EXISTS))
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_EXISTS,
                               "%s already exists: pVM does not overwrite it; give another "
                               "file name", data->path);
      return;
    }

  live = gvir_domain_get_config (vm->domain, 0, &error);
  if (live == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot read the VM %s: %s",
                               name, error->message);
      return;
    }
  shares = _pvm_domain_query_strings (live, "/domain/devices/filesystem");
  if (shares[0] != NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                               "The VM %s has a 9p shared folder, and QEMU cannot save a guest "
                               "that mounted one. Launch such jobs with a SquashFS input and "
                               "OUTPUT_MODE=disk (docs/scaling.md); %s keeps running", name,
                               name);
      return;
    }
  if (!_pvm_vm_check_not_transient (vm, "here", &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The disks it writes go into the bundle; the rest must be there. */
  all = _pvm_domain_query_strings (live, "/domain/devices/disk[@type='file']//source/@file");
  tops = _pvm_domain_query_strings (live, "/domain/devices/disk[@type='file']/source/@file");
  readonly = _pvm_domain_query_strings (live, "/domain/devices/disk[@type='file'][readonly]"
                                              "/source/@file");
  for (guint i = 0; tops[i] != NULL; i++)
    if (!g_strv_contains ((const char * const *) readonly, tops[i]))
      {
        if (!pvm_image_check_unprotected (tops[i], NULL, PVM_IMAGE_ACCESS_DELETE, &error))
          {
            g_task_return_error (task, g_steal_pointer (&error));
            return;
          }
        g_ptr_array_add (carried, tops[i]);
      }

  dir = g_path_get_dirname (data->path);
  stage_template = g_build_filename (dir, ".pvm-save-XXXXXX", NULL);
  stage = g_mkdtemp (g_strdup (stage_template));
  if (stage == NULL)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               "Cannot write in %s: %s", dir, g_strerror (saved_errno));
      return;
    }
  partial = g_strconcat (data->path, ".partial", NULL);
  state = g_build_filename (stage, STATE, NULL);
  manifest_path = g_build_filename (stage, MANIFEST, NULL);
  xml_path = g_build_filename (stage, DOMAIN_XML, NULL);

  g_object_get (vm->domain, "handle", &domain, NULL);
  g_object_get (vm->connection, "handle", &conn, NULL);
  xml = virDomainGetXMLDesc (domain, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
  if (xml == NULL)
    {
      g_set_error (&error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot read the VM %s: %s", name,
                   _pvm_storage_last_error ());
      goto fail;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto fail;

  /* The VM stops here, its memory in @state. */
  watch_begin (data->watch, cancellable, PVM_BUNDLE_STEP_STATE, 0, domain, NULL, NULL);
  if (virDomainSaveFlags (domain, state, NULL, VIR_DOMAIN_SAVE_RUNNING) != 0)
    {
      /* Aborted, libvirt lets the VM run on. */
      if (watch_end (data->watch, 0, 0) || g_cancellable_is_cancelled (cancellable))
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled: %s continues where "
                     "it was", name);
      else
        g_set_error (&error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot save the VM %s: %s", name,
                     _pvm_storage_last_error ());
      goto fail;
    }
  saved = TRUE;
  state_size = file_data_size (state);
  watch_end (data->watch, MAX (state_size, 1), 0);

  now = g_date_time_format_iso8601 (g_date_time_new_now_utc ());
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, PVM_BUNDLE_FORMAT);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, PVM_BUNDLE_VERSION);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "domain");
  json_builder_add_string_value (builder, vm->domain_name);
  json_builder_set_member_name (builder, "saved_from");
  json_builder_add_string_value (builder, gvir_connection_get_uri (vm->connection));
  json_builder_set_member_name (builder, "saved_at");
  json_builder_add_string_value (builder, now);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; i < carried->len; i++)
    {
      const char *path = g_ptr_array_index (carried, i);
      g_autofree char *member = g_strdup_printf ("disk-%u", i);
      g_autofree char *link = g_build_filename (stage, member, NULL);

      json_builder_add_value (builder, file_node (member, path,
                                                  g_strcmp0 (path, vm->output_disk) == 0
                                                    ? "output" : "image"));
      if (symlink (path, link) != 0)
        {
          int saved_errno = errno;

          g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot write in %s: %s", stage, g_strerror (saved_errno));
          goto fail;
        }
      g_ptr_array_add (tar_args, g_steal_pointer (&member));
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "needs");
  json_builder_begin_array (builder);
  for (guint i = 0; all[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (carried, all[i], g_str_equal, NULL))
      json_builder_add_value (builder, file_node (NULL, all[i], NULL));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  manifest = json_generator_to_data (generator, NULL);
  if (!g_file_set_contents (manifest_path, manifest, -1, &error) ||
      !g_file_set_contents (xml_path, xml, -1, &error))
    goto fail;

  {
    const char *head[] = { "--create", "--sparse", "--dereference", "--file", partial,
                           "--directory", stage, MANIFEST, DOMAIN_XML, STATE };

    for (int i = G_N_ELEMENTS (head) - 1; i >= 0; i--)
      g_ptr_array_insert (tar_args, 0, g_strdup (head[i]));
    g_ptr_array_add (tar_args, NULL);
  }
  {
    guint64 total = state_size;
    struct stat st;

    for (guint i = 0; i < carried->len; i++)
      total += file_data_size (g_ptr_array_index (carried, i));
    watch_begin (data->watch, cancellable, PVM_BUNDLE_STEP_WRITE, total, NULL, partial, NULL);
    if (!run_tar ((const char * const *) tar_args->pdata, cancellable, NULL, &error) ||
        !fsync_path (partial, &error))
      goto fail;
    /* Its headers make it a little larger than the data. */
    if (stat (partial, &st) == 0)
      watch_end (data->watch, st.st_size, MAX ((guint64) st.st_size, total));
  }
  if (g_rename (partial, data->path) != 0)
    {
      int saved_errno = errno;

      g_set_error (&error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot write %s: %s", data->path, g_strerror (saved_errno));
      goto fail;
    }

  /* The bundle is complete: the VM is in it now. */
  if (virDomainUndefineFlags (domain, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                      VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) != 0)
    g_warning ("Cannot remove the domain %s: %s", vm->domain_name, _pvm_storage_last_error ());
  for (guint i = 0; i < carried->len; i++)
    if (g_unlink (g_ptr_array_index (carried, i)) != 0)
      g_warning ("Cannot remove %s: %s", (char *) g_ptr_array_index (carried, i),
                 g_strerror (errno));
  _pvm_remove_tree (stage);
  watch_stop (data->watch);
  g_task_return_boolean (task, TRUE);
  return;

fail:
  watch_stop (data->watch);
  g_unlink (partial);
  if (saved && virDomainRestoreFlags (conn, state, NULL, VIR_DOMAIN_SAVE_RUNNING) != 0)
    {
      /* Keep the state: it is all there is of the VM's memory now. */
      g_autofree char *kept = g_strconcat (data->path, ".state", NULL);

      g_rename (state, kept);
      g_prefix_error (&error, "%s was saved but cannot continue (%s); its state is in %s "
                      "(virsh restore %s): ", name, _pvm_storage_last_error (), kept, kept);
    }
  else if (saved && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled: %s continues where it "
                   "was", name);
    }
  else if (saved)
    g_prefix_error (&error, "%s continues where it was: ", name);
  _pvm_remove_tree (stage);
  virResetLastError ();
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * pvm_vm_save_to_bundle_async:
 * @vm: a running VM of this machine
 * @path: the bundle to write; it must not exist
 * @progress: (nullable) (scope notified): told how far the save is,
 *   until @callback is called
 * @progress_data: data for @progress
 * @cancellable: (nullable): a #GCancellable; the VM then continues (a
 *   save of its state under way is aborted)
 * @callback: called when the bundle is written, or not
 * @user_data: data for @callback
 *
 * Saves @vm into a bundle at @path and removes it (its domain and the
 * disks the bundle carries) from its host; pvm_bundle_restore_async()
 * continues it, on any host.
 */
void
pvm_vm_save_to_bundle_async (PvmVm                *vm,
                             const char           *path,
                             PvmBundleProgressFunc progress,
                             gpointer              progress_data,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  SaveData *data;

  g_return_if_fail (PVM_IS_VM (vm));
  g_return_if_fail (path != NULL);

  data = g_new0 (SaveData, 1);
  data->path = g_canonicalize_filename (path, NULL);
  data->watch = watch_new (progress, progress_data);
  task = g_task_new (vm, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_save_to_bundle_async);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, save_thread);
}

/**
 * pvm_vm_save_to_bundle_finish:
 * @vm: the VM
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the bundle is written and @vm is in it
 */
gboolean
pvm_vm_save_to_bundle_finish (PvmVm         *vm,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, vm), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Restoring                                                          */

typedef struct
{
  char         *path;
  PvmHostEntry *host;
  Watch        *watch;
} RestoreData;

static void
restore_data_free (RestoreData *data)
{
  g_free (data->path);
  pvm_host_entry_free (data->host);
  watch_free (data->watch);
  g_free (data);
}

/* The manifest's string member @name, or NULL. */
static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

static JsonObject *
read_manifest (const char    *path,
               GCancellable  *cancellable,
               JsonParser    *parser,
               GError       **error)
{
  const char *args[] = { "--extract", "--to-stdout", "--file", path, MANIFEST, NULL };
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND, "%s is not a file", path);
      return NULL;
    }
  if (!run_tar (args, cancellable, &text, &local_error) ||
      !json_parser_load_from_data (parser, text, -1, &local_error))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "%s is not a pVM bundle (pvm save --to writes them): %s", path,
                   local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object == NULL || g_strcmp0 (get_string (object, "format"), PVM_BUNDLE_FORMAT) != 0 ||
      json_object_get_int_member_with_default (object, "version", 0) != PVM_BUNDLE_VERSION ||
      get_string (object, "name") == NULL || get_string (object, "domain") == NULL ||
      !json_object_has_member (object, "files") || !json_object_has_member (object, "needs"))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "%s is not a pVM bundle of version %d", path, PVM_BUNDLE_VERSION);
      return NULL;
    }
  return object;
}

static void
restore_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RestoreData *data = task_data;
  const char *host = data->host->name;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(PvmVirConnect) conn = NULL;
  g_autoptr(PvmVirDomain) clash = NULL;
  g_autoptr(PvmVirDomain) domain = NULL;
  g_autoptr(GVirDomain) restored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) uploaded = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *saved_xml = NULL;
  g_autofree char *persistent_xml = NULL;
  g_autofree char *restore_xml = NULL;
  g_autofree char *serial_from = NULL;
  g_autofree char *serial_to = NULL;
  g_autofree char *state_there = NULL;
  g_autofree char *output_disk = NULL;
  g_auto(GStrv) serials = NULL;
  JsonObject *manifest;
  JsonArray *files, *needs;
  const char *name, *domain_name;
  g_autofree char *local_state = NULL;
  guint64 copy_total = 0;
  PvmVm *vm;

  manifest = read_manifest (data->path, cancellable, parser, &error);
  if (manifest == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  name = get_string (manifest, "name");
  domain_name = get_string (manifest, "domain");
  files = json_object_get_array_member (manifest, "files");
  needs = json_object_get_array_member (manifest, "needs");
  if (files == NULL || needs == NULL || json_array_get_length (files) == 0)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                               "%s is not a complete pVM bundle: it lists no disks", data->path);
      return;
    }

  connection = pvm_vm_open_connection (data->host->uri, cancellable, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_object_get (connection, "handle", &conn, NULL);

  /* Everything is checked before anything is copied. */
  clash = virDomainLookupByName (conn, domain_name);
  virResetLastError ();
  if (clash != NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_EXISTS,
                               "%s already has a VM named %s (the domain %s): delete it there "
                               "first, or restore on another host", host, name, domain_name);
      return;
    }
  for (guint i = 0; i < json_array_get_length (needs); i++)
    {
      JsonObject *need = json_array_get_object_element (needs, i);
      const char *path = need != NULL ? get_string (need, "path") : NULL;
      gint64 size = need != NULL ? json_object_get_int_member_with_default (need, "size", -1) : -1;
      guint64 there_size = 0;
      gboolean exists = FALSE;

      if (path == NULL)
        continue;
      if (!_pvm_storage_stat (conn, path, &exists, &there_size, &error) || !exists)
        {
          g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                                   "%s needs %s at the same path on %s%s%s: copy it there (or "
                                   "share its directory), then restore", name, path, host,
                                   error != NULL ? ": " : "", error != NULL ? error->message : "");
          return;
        }
      if (size >= 0 && (guint64) size != there_size)
        {
          g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                                   "%s on %s is not the file %s was saved with (%"
                                   G_GUINT64_FORMAT " bytes there, %" G_GINT64_FORMAT
                                   " in the bundle): copy the original there", path, host, name,
                                   there_size, size);
          return;
        }
    }
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);
      const char *path = file != NULL ? get_string (file, "path") : NULL;
      const char *member = file != NULL ? get_string (file, "member") : NULL;
      gboolean exists = FALSE;

      if (path == NULL || member == NULL || strchr (member, '/') != NULL ||
          !g_path_is_absolute (path))
        {
          g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                                   "%s is damaged: its manifest lists a disk without a path",
                                   data->path);
          return;
        }
      if (!_pvm_storage_stat (conn, path, &exists, NULL, &error))
        {
          g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                                   "%s goes back to %s on %s, and %s: create that directory "
                                   "there first", name, path, host, error->message);
          return;
        }
      if (exists)
        {
          g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_EXISTS,
                                   "%s goes back to %s on %s, and a file is already there: "
                                   "pVM does not overwrite it; move it away first", name, path,
                                   host);
          return;
        }
      if (g_strcmp0 (get_string (file, "role"), "output") == 0)
        output_disk = g_strdup (path);
    }

  /* Unpacked here, copied there. */
  dir = g_path_get_dirname (data->path);
  stage = g_build_filename (dir, ".pvm-restore-XXXXXX", NULL);
  if (g_mkdtemp (stage) == NULL)
    {
      g_free (stage);
      stage = g_dir_make_tmp ("pvm-restore-XXXXXX", &error);
      if (stage == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  {
    const char *args[] = { "--extract", "--sparse", "--file", data->path, "--directory", stage,
                           NULL };
    struct stat st;
    guint64 size = stat (data->path, &st) == 0 ? (guint64) st.st_size : 0;

    watch_begin (data->watch, cancellable, PVM_BUNDLE_STEP_UNPACK, size, NULL, NULL, stage);
    if (!run_tar (args, cancellable, NULL, &error))
      goto fail;
    watch_end (data->watch, size, size);
  }

  {
    g_autofree char *xml_path = g_build_filename (stage, DOMAIN_XML, NULL);

    if (!g_file_get_contents (xml_path, &xml, NULL, &error))
      goto fail;
  }

  local_state = g_build_filename (stage, STATE, NULL);
  copy_total = file_data_size (local_state);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);
      g_autofree char *local = g_build_filename (stage, get_string (file, "member"), NULL);

      copy_total += file_data_size (local);
    }
  watch_begin (data->watch, cancellable, PVM_BUNDLE_STEP_COPY, copy_total, NULL, NULL, NULL);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);
      const char *path = get_string (file, "path");
      g_autofree char *local = g_build_filename (stage, get_string (file, "member"), NULL);

      if (!_pvm_storage_upload (conn, local, path, &data->watch->copied, cancellable, &error))
        goto fail;
      g_ptr_array_add (uploaded, g_strdup (path));
    }
  {
    const char *first = get_string (json_array_get_object_element (files, 0), "path");
    g_autofree char *first_dir = g_path_get_dirname (first);
    g_autofree char *state_name = g_strdup_printf (".%s.pvm-restore.state", domain_name);

    state_there = g_build_filename (first_dir, state_name, NULL);
    if (!_pvm_storage_upload (conn, local_state, state_there, &data->watch->copied, cancellable,
                              &error))
      {
        g_clear_pointer (&state_there, g_free);
        goto fail;
      }
  }
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto fail;
  {
    guint64 copied = __atomic_load_n (&data->watch->copied, __ATOMIC_RELAXED);

    /* What was sent, of what there was to send. */
    watch_end (data->watch, copied, copy_total);
  }

  /* Its serial log moves next to its output disk, as after a migration. */
  config = gvir_config_domain_new_from_xml (xml, &error);
  if (config == NULL)
    goto fail;
  serials = _pvm_domain_query_strings (config, "/domain/devices/serial[@type='file'][1]"
                                               "/source/@path");
  serial_from = g_strdup (serials[0]);
  serial_to = _pvm_domain_dup_moved_serial_log (output_disk, serial_from);
  saved_xml = virDomainSaveImageGetXMLDesc (conn, state_there, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE);
  if (saved_xml == NULL)
    {
      g_set_error (&error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot read the saved state of %s: %s",
                   name, _pvm_storage_last_error ());
      goto fail;
    }
  /* libvirt would make a new log 0600: copied there, it is 0660. */
  if (serial_to != NULL)
    {
      g_autofree char *empty = g_build_filename (stage, "serial.log", NULL);
      gboolean exists = FALSE;

      if (g_file_set_contents (empty, "", 0, NULL) &&
          _pvm_storage_stat (conn, serial_to, &exists, NULL, NULL) && !exists)
        _pvm_storage_upload (conn, empty, serial_to, NULL, cancellable, NULL);
    }

  /* A pVM VM there may hold its SSH port: it gets the next free one. */
  {
    g_autoptr(PvmVmPlan) plan = pvm_domain_dup_plan (config, NULL);
    PvmDomainMove move = { serial_from, serial_to, 0, 0,
                           !pvm_hosts_uri_is_local (data->host->uri) };

    if (plan != NULL)
      {
        move.ssh_port_from = plan->ssh_port;
        move.ssh_port_to = _pvm_storage_pick_ssh_port (conn, NULL, plan->ssh_port);
        virResetLastError ();
        if (move.ssh_port_to == 0 && plan->ssh_port != 0)
          {
            g_set_error (&error, PVM_ERROR, PVM_ERROR_BUSY, "No SSH port is left for %s on %s",
                         name, host);
            goto fail;
          }
      }
    persistent_xml = _pvm_domain_xml_for_move (xml, &move);
    restore_xml = _pvm_domain_xml_for_move (saved_xml, &move);
  }
  if (persistent_xml == NULL || restore_xml == NULL)
    {
      g_set_error (&error, PVM_ERROR, PVM_ERROR_FAILED, "Cannot write the definition of %s",
                   name);
      goto fail;
    }

  watch_begin (data->watch, cancellable, PVM_BUNDLE_STEP_CONTINUE, 0, NULL, NULL, NULL);
  domain = virDomainDefineXML (conn, persistent_xml);
  if (domain == NULL)
    {
      g_set_error (&error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot define %s on %s: %s", name,
                   host, _pvm_storage_last_error ());
      goto fail;
    }
  if (virDomainRestoreFlags (conn, state_there, restore_xml, VIR_DOMAIN_SAVE_RUNNING) != 0)
    {
      g_set_error (&error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot continue %s on %s: %s", name,
                   host, _pvm_storage_last_error ());
      virDomainUndefine (domain);
      goto fail;
    }

  _pvm_storage_delete (conn, state_there, NULL);
  _pvm_remove_tree (stage);
  virResetLastError ();
  watch_end (data->watch, 0, 0);
  watch_stop (data->watch);

  if (gvir_connection_fetch_domains (connection, cancellable, &error))
    restored = gvir_connection_find_domain_by_name (connection, domain_name);
  vm = restored != NULL ? pvm_vm_new_for_domain (connection, restored, &error) : NULL;
  if (vm == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT,
                               "%s continues on %s, but pVM cannot read it there: %s", name, host,
                               error != NULL ? error->message : "the domain is missing");
      return;
    }
  g_task_return_pointer (task, vm, g_object_unref);
  return;

fail:
  watch_stop (data->watch);
  for (guint i = 0; i < uploaded->len; i++)
    _pvm_storage_delete (conn, g_ptr_array_index (uploaded, i), NULL);
  if (state_there != NULL)
    _pvm_storage_delete (conn, state_there, NULL);
  _pvm_remove_tree (stage);
  virResetLastError ();
  g_prefix_error (&error, "Cannot restore %s on %s (nothing was left there): ", name, host);
  g_task_return_error (task, g_steal_pointer (&error));
}

/**
 * pvm_bundle_restore_async:
 * @path: a bundle (pvm_vm_save_to_bundle_async())
 * @host: the host to continue the VM on
 * @progress: (nullable) (scope notified): told how far the restore is,
 *   until @callback is called
 * @progress_data: data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the VM runs there, or not
 * @user_data: data for @callback
 *
 * Continues the VM of the bundle at @path on @host, from where it was
 * saved. The bundle stays.
 */
void
pvm_bundle_restore_async (const char           *path,
                          const PvmHostEntry   *host,
                          PvmBundleProgressFunc progress,
                          gpointer              progress_data,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  RestoreData *data;

  g_return_if_fail (path != NULL && host != NULL);

  data = g_new0 (RestoreData, 1);
  data->path = g_canonicalize_filename (path, NULL);
  data->host = pvm_host_entry_copy (host);
  data->watch = watch_new (progress, progress_data);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_bundle_restore_async);
  g_task_set_task_data (task, data, (GDestroyNotify) restore_data_free);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, restore_thread);
}

/**
 * pvm_bundle_restore_finish:
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the VM, running on the host, or %NULL
 */
PvmVm *
pvm_bundle_restore_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
