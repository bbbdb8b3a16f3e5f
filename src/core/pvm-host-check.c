/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-host-check.c: what this host offers pVM, as a list of items.
 *
 * One function answers for "pvm host" and for the app's first-run wizard:
 * QEMU (QEMU_BIN) with SPICE and VirtFS, the libvirt connection
 * (LIBVIRT_URI), KVM, qemu-img and mksquashfs, and the free space of the
 * repositories' file systems. Each item says what was found and, when it
 * is not as pVM needs it, what to do. Every check blocks (QEMU runs twice,
 * libvirt may start a session daemon): the app runs them in a thread. */

#define G_LOG_DOMAIN "pvm-host-check"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-autocleanups.h"
#include "pvm-emulator.h"
#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-host-check.h"
#include "pvm-image-repo.h"
#include "pvm-json-private.h"
#include "pvm-legacy-config.h"
#include "pvm-size.h"

/* --- items --------------------------------------------------------------- */

typedef struct
{
  PvmHostCheckItem item;
  gatomicrefcount  ref_count;
} RealItem;

G_DEFINE_BOXED_TYPE (PvmHostCheckItem, pvm_host_check_item, pvm_host_check_item_ref,
                     pvm_host_check_item_unref)

static PvmHostCheckItem *
item_new (const char         *id,
          const char         *title,
          PvmHostCheckStatus  status,
          char               *detail,
          char               *what_to_do)
{
  RealItem *real = g_new0 (RealItem, 1);

  g_atomic_ref_count_init (&real->ref_count);
  real->item.id = g_strdup (id);
  real->item.title = g_strdup (title);
  real->item.status = status;
  real->item.detail = detail;
  real->item.what_to_do = what_to_do;
  return &real->item;
}

PvmHostCheckItem *
pvm_host_check_item_ref (PvmHostCheckItem *item)
{
  RealItem *real = (RealItem *) item;

  g_return_val_if_fail (item != NULL, NULL);

  g_atomic_ref_count_inc (&real->ref_count);
  return item;
}

void
pvm_host_check_item_unref (PvmHostCheckItem *item)
{
  RealItem *real = (RealItem *) item;

  g_return_if_fail (item != NULL);

  if (!g_atomic_ref_count_dec (&real->ref_count))
    return;
  g_free (item->id);
  g_free (item->title);
  g_free (item->detail);
  g_free (item->what_to_do);
  g_free (real);
}

/**
 * pvm_host_check_status_to_string:
 * @status: a #PvmHostCheckStatus
 *
 * Returns: (transfer none): "ok", "warning" or "error"
 */
const char *
pvm_host_check_status_to_string (PvmHostCheckStatus status)
{
  switch (status)
    {
    case PVM_HOST_CHECK_OK:
      return "ok";
    case PVM_HOST_CHECK_WARNING:
      return "warning";
    case PVM_HOST_CHECK_ERROR:
      return "error";
    default:
      g_return_val_if_reached ("error");
    }
}

/**
 * pvm_host_check_item_to_json:
 * @item: a #PvmHostCheckItem
 *
 * Returns: (transfer full): an object with "ok" (the status is
 *   %PVM_HOST_CHECK_OK), "status", "title", "detail" and "what_to_do"
 *   (null when there is nothing to do)
 */
JsonNode *
pvm_host_check_item_to_json (PvmHostCheckItem *item)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (item != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, item->status == PVM_HOST_CHECK_OK);
  _pvm_json_add_nullable_string (builder, "status", pvm_host_check_status_to_string (item->status));
  _pvm_json_add_nullable_string (builder, "title", item->title);
  _pvm_json_add_nullable_string (builder, "detail", item->detail);
  _pvm_json_add_nullable_string (builder, "what_to_do", item->what_to_do);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* --- the checks ---------------------------------------------------------- */

/* What the checks read of the configuration: copied, so that a thread can
 * run them while the caller goes on with its #PvmConfig. */
typedef struct
{
  char *qemu_bin;
  char *uri;
  char *images;
  char *data;
  char *config_path;
} Request;

static Request *
request_new (PvmConfig *config)
{
  Request *request = g_new0 (Request, 1);

  request->qemu_bin = g_strdup (pvm_config_get_string (config, "QEMU_BIN"));
  request->uri = g_strdup (pvm_config_get_string (config, "LIBVIRT_URI"));
  request->images = g_strdup (pvm_config_get_string (config, "DRIVEREPO"));
  request->data = g_strdup (pvm_config_get_string (config, "SQUASHREPO"));
  request->config_path = pvm_config_dup_default_path ();
  return request;
}

static void
request_free (Request *request)
{
  g_free (request->qemu_bin);
  g_free (request->uri);
  g_free (request->images);
  g_free (request->data);
  g_free (request->config_path);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, request_free)

static PvmHostCheckItem *
check_qemu (const char   *qemu_bin,
            GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *qemu = pvm_host_find_qemu (qemu_bin, &error);

  if (qemu == NULL && pvm_host_in_sandbox ())
    return item_new ("QEMU", "QEMU", PVM_HOST_CHECK_OK,
                     g_strdup ("the host's: its libvirt daemon runs QEMU, outside this sandbox"),
                     NULL);
  if (qemu == NULL)
    return item_new ("QEMU", "QEMU", PVM_HOST_CHECK_ERROR,
                     strchr (qemu_bin, '/') != NULL
                       ? g_strdup_printf ("%s is not an executable file", qemu_bin)
                       : g_strdup_printf ("%s was not found in PATH", qemu_bin),
                     g_strdup ("Install QEMU (on Debian: sudo apt install qemu-system-x86), "
                               "or set QEMU_BIN to its path"));

  if (!pvm_emulator_check_features (qemu, cancellable, &error))
    return item_new ("QEMU", "QEMU", PVM_HOST_CHECK_ERROR,
                     g_strdup (error->message),
                     g_error_matches (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED)
                       ? g_strdup ("Install Debian's QEMU, which has both (sudo apt install "
                                   "qemu-system-x86), or set QEMU_BIN to a QEMU built with "
                                   "--enable-spice --enable-virtfs")
                       : NULL);

  return item_new ("QEMU", "QEMU", PVM_HOST_CHECK_OK,
                   g_strdup_printf ("%s, with SPICE and VirtFS (9p)", qemu), NULL);
}

static PvmHostCheckItem *
check_libvirt (const char   *uri,
               GCancellable *cancellable)
{
  g_autoptr(GVirConnection) connection = gvir_connection_new (uri);
  g_autoptr(GError) error = NULL;
  char *what_to_do;
  const char *hint;

  if (gvir_connection_open (connection, cancellable, &error))
    {
      return item_new ("libvirt", "libvirt", PVM_HOST_CHECK_OK,
                       g_strdup_printf ("%s (reachable)", uri), NULL);
    }

  hint = pvm_host_get_connect_hint (uri);
  if (hint != NULL)
    what_to_do = g_strdup (hint);
  else if (g_str_has_suffix (uri, ":///system"))
    what_to_do = g_strdup ("Start the system libvirt daemon (sudo systemctl start libvirtd; on "
                           "Debian it comes with libvirt-daemon-system), or set LIBVIRT_URI to "
                           "a libvirt that answers");
  else
    what_to_do = g_strdup ("Install libvirt (on Debian: sudo apt install libvirt-daemon "
                           "libvirt-daemon-driver-qemu; a user's session daemon then starts on "
                           "demand), or set LIBVIRT_URI to a libvirt that answers");
  return item_new ("libvirt", "libvirt", PVM_HOST_CHECK_ERROR,
                   g_strdup_printf ("%s: cannot connect: %s", uri, error->message),
                   what_to_do);
}

static PvmHostCheckItem *
check_kvm (void)
{
  g_autoptr(GError) error = NULL;

  if (pvm_host_kvm_usable (&error))
    return item_new ("KVM", "KVM", PVM_HOST_CHECK_OK, g_strdup ("usable"), NULL);

  /* Not needed: guests run under TCG, only much slower. */
  if (g_error_matches (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED))
    return item_new ("KVM", "KVM", PVM_HOST_CHECK_WARNING,
                     g_strdup ("not usable, guests run under TCG (much slower): you may not "
                               "open " PVM_HOST_KVM_DEVICE),
                     g_strdup ("Add yourself to the kvm group (sudo adduser $USER kvm), then "
                               "log out and in again"));
  if (g_error_matches (error, PVM_ERROR, PVM_ERROR_NOT_FOUND))
    return item_new ("KVM", "KVM", PVM_HOST_CHECK_WARNING,
                     g_strdup ("not usable, guests run under TCG (much slower): "
                               PVM_HOST_KVM_DEVICE " does not exist"),
                     g_strdup ("Turn on hardware virtualization (VT-x or AMD-V) in the "
                               "firmware settings, or load the kvm module (sudo modprobe "
                               "kvm_intel, or kvm_amd); in a VM, turn on nested "
                               "virtualization"));
  return item_new ("KVM", "KVM", PVM_HOST_CHECK_WARNING,
                   g_strdup_printf ("not usable, guests run under TCG (much slower): %s",
                                    error->message),
                   NULL);
}

static PvmHostCheckItem *
check_tool (const char *program,
            const char *package)
{
  g_autofree char *path = pvm_host_find_tool (program, package, NULL);

  if (path != NULL)
    return item_new (program, program, PVM_HOST_CHECK_OK, g_steal_pointer (&path), NULL);

  return item_new (program, program, PVM_HOST_CHECK_ERROR,
                   g_strdup ("not found in PATH"),
                   g_strdup_printf ("Install the Debian package %s (sudo apt install %s)",
                                    package, package));
}

/* The free space of the file system @path is on (or would be made on). */
static gboolean
query_free_space (const char  *path,
                  guint64     *free_space,
                  GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;

  info = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, error);
  if (info == NULL)
    return FALSE;
  if (!g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                   "its file system does not tell its free space");
      return FALSE;
    }
  *free_space = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  return TRUE;
}

static PvmHostCheckItem *
check_repository (const char *id,
                  const char *title,
                  const char *what,
                  const char *directory)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *existing = NULL;
  g_autofree char *free_text = NULL;
  guint64 free_space = 0;

  /* A repository to be made: the file system it would be made on. */
  existing = pvm_host_dup_nearest_existing (directory);

  if (!query_free_space (existing, &free_space, &error))
    return item_new (id, title, PVM_HOST_CHECK_WARNING,
                     g_strdup_printf ("%s: cannot tell the free space: %s", directory,
                                      error->message),
                     NULL);
  free_text = pvm_size_format (free_space);

  if (!g_str_equal (existing, directory))
    return item_new (id, title, PVM_HOST_CHECK_WARNING,
                     g_strdup_printf ("%s does not exist yet (%s free where it would be)",
                                      directory, free_text),
                     g_strdup_printf ("Create it (mkdir -p %s), or choose another folder for "
                                      "the %s (%s)", directory, what, id));

  if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
    return item_new (id, title, PVM_HOST_CHECK_ERROR,
                     g_strdup_printf ("%s is not a folder", directory),
                     g_strdup_printf ("Choose a folder for the %s (%s)", what, id));

  if (g_access (directory, W_OK) != 0)
    return item_new (id, title, PVM_HOST_CHECK_WARNING,
                     g_strdup_printf ("%s is not writable by you (%s free)", directory,
                                      free_text),
                     g_strdup_printf ("Choose a folder of your own for the %s (%s), or ask its "
                                      "owner for write access", what, id));

  if (free_space < PVM_HOST_CHECK_LOW_SPACE)
    {
      g_autofree char *low = pvm_size_format (PVM_HOST_CHECK_LOW_SPACE);

      return item_new (id, title, PVM_HOST_CHECK_WARNING,
                       g_strdup_printf ("only %s free in %s (less than %s)", free_text,
                                        directory, low),
                       g_strdup_printf ("Free some space there, or choose a folder on a larger "
                                        "disk for the %s (%s)", what, id));
    }

  return item_new (id, title, PVM_HOST_CHECK_OK,
                   g_strdup_printf ("%s free in %s", free_text, directory), NULL);
}

/* The user's pvm.conf, and an original pVM.cfg to adopt when there is
 * none yet. */
static PvmHostCheckItem *
check_config (const char *config_path)
{
  g_autofree char *legacy = NULL;

  if (g_file_test (config_path, G_FILE_TEST_EXISTS))
    return item_new ("pvm.conf", "Configuration", PVM_HOST_CHECK_OK, g_strdup (config_path),
                     NULL);

  legacy = pvm_host_check_find_legacy_config ();
  if (legacy == NULL)
    return item_new ("pvm.conf", "Configuration", PVM_HOST_CHECK_OK,
                     g_strdup_printf ("%s does not exist yet: pVM uses its defaults",
                                      config_path),
                     NULL);

  return item_new ("pvm.conf", "Configuration", PVM_HOST_CHECK_WARNING,
                   g_strdup_printf ("%s does not exist yet: pVM uses its defaults, not the "
                                    "settings of the original pVM in %s", config_path, legacy),
                   g_strdup_printf ("Adopt them: pvm config import %s (as the app's set-up "
                                    "does)", legacy));
}

static GPtrArray *
run_checks (Request      *request,
            GCancellable *cancellable)
{
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_host_check_item_unref);

  g_ptr_array_add (items, check_qemu (request->qemu_bin, cancellable));
  g_ptr_array_add (items, check_libvirt (request->uri, cancellable));
  g_ptr_array_add (items, check_kvm ());
  g_ptr_array_add (items, check_tool ("qemu-img", "qemu-utils"));
  g_ptr_array_add (items, check_tool ("mksquashfs", "squashfs-tools"));
  g_ptr_array_add (items, check_repository ("DRIVEREPO", "Space for Images", "VM images",
                                            request->images));
  g_ptr_array_add (items, check_repository ("SQUASHREPO", "Space for Data", "data archives",
                                            request->data));
  g_ptr_array_add (items, check_config (request->config_path));
  return items;
}

/**
 * pvm_host_check_run:
 * @config: the configuration (QEMU_BIN, LIBVIRT_URI, DRIVEREPO, SQUASHREPO)
 * @cancellable: (nullable): a #GCancellable
 *
 * Checks, in this order: QEMU and its SPICE and VirtFS support ("QEMU"),
 * the libvirt connection ("libvirt"), KVM ("KVM": a warning when it is not
 * usable, with the reason), qemu-img and mksquashfs, and the free space of
 * the file systems of DRIVEREPO and SQUASHREPO (a warning below
 * %PVM_HOST_CHECK_LOW_SPACE, or when the folder is still to be made), and
 * the user's pvm.conf ("pvm.conf": a warning when there is none yet but
 * an original pVM.cfg, pvm_host_check_find_legacy_config(), to adopt).
 * Blocks: QEMU runs twice, and opening the connection may start a libvirt
 * session daemon.
 *
 * Returns: (transfer container) (element-type PvmHostCheckItem): the items
 */
GPtrArray *
pvm_host_check_run (PvmConfig    *config,
                    GCancellable *cancellable)
{
  g_autoptr(Request) request = NULL;

  g_return_val_if_fail (PVM_IS_CONFIG (config), NULL);

  request = request_new (config);
  return run_checks (request, cancellable);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  g_autoptr(GPtrArray) items = run_checks (task_data, cancellable);

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_steal_pointer (&items), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pvm_host_check_run_async:
 * @config: the configuration; what the checks need of it is read now
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the thread-default main context of the caller
 * @user_data: its data
 *
 * pvm_host_check_run() in a thread.
 */
void
pvm_host_check_run_async (PvmConfig           *config,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_CONFIG (config));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_host_check_run_async);
  g_task_set_task_data (task, request_new (config), (GDestroyNotify) request_free);
  g_task_run_in_thread (task, run_thread);
}

/**
 * pvm_host_check_run_finish:
 * @result: the result given to the callback
 * @error: return location for a #GError: only %G_IO_ERROR_CANCELLED
 *
 * Returns: (transfer container) (element-type PvmHostCheckItem): the items,
 *   or %NULL if it was cancelled
 */
GPtrArray *
pvm_host_check_run_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pvm_host_check_run_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pvm_host_check_passed:
 * @items: (element-type PvmHostCheckItem): the items of a check
 *
 * Returns: %TRUE if none is an error: pVM can launch VMs on this host
 */
gboolean
pvm_host_check_passed (GPtrArray *items)
{
  g_return_val_if_fail (items != NULL, FALSE);

  for (guint i = 0; i < items->len; i++)
    if (((PvmHostCheckItem *) g_ptr_array_index (items, i))->status == PVM_HOST_CHECK_ERROR)
      return FALSE;
  return TRUE;
}

/* --- the first run ------------------------------------------------------- */

/**
 * pvm_host_check_find_legacy_config:
 *
 * Looks for the original pVM's configuration where its users keep it:
 * next to pVM.sh in a clone in the home directory (~/pVM/pVM.cfg,
 * ~/pvm/pVM.cfg), in the home directory itself, or in
 * $XDG_CONFIG_HOME/pVM. A file there counts only if it reads as an
 * original pVM.cfg (bash assignments), not as pVM's own key file.
 *
 * Returns: (transfer full) (nullable): the first one found, or %NULL
 */
char *
pvm_host_check_find_legacy_config (void)
{
  const char *home = g_get_home_dir ();
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (candidates, g_build_filename (home, "pVM", "pVM.cfg", NULL));
  g_ptr_array_add (candidates, g_build_filename (home, "pvm", "pVM.cfg", NULL));
  g_ptr_array_add (candidates, g_build_filename (home, "pVM.cfg", NULL));
  g_ptr_array_add (candidates, g_build_filename (g_get_user_config_dir (), "pVM", "pVM.cfg",
                                                 NULL));

  for (guint i = 0; i < candidates->len; i++)
    {
      const char *candidate = g_ptr_array_index (candidates, i);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (candidate, G_FILE_TEST_IS_REGULAR) &&
          g_file_get_contents (candidate, &contents, &length, NULL) &&
          pvm_legacy_config_sniff (contents, length))
        return g_strdup (candidate);
    }

  return NULL;
}

/**
 * pvm_host_check_create_repositories:
 * @config: the configuration naming DRIVEREPO and SQUASHREPO
 * @message: (out) (optional) (nullable): a note for the user, or %NULL:
 *   what pvm_image_repo_prepare() did on btrfs
 * @error: return location for a #GError
 *
 * Makes the two repositories' folders, as "mkdir -p" does, and prepares the
 * image repository (pvm_image_repo_prepare(): no copy-on-write on btrfs;
 * its failure is only a note, as for "pvm image create").
 *
 * Returns: %TRUE if both folders exist
 */
gboolean
pvm_host_check_create_repositories (PvmConfig  *config,
                                    char      **message,
                                    GError    **error)
{
  const char *directories[] = {
    pvm_config_get_string (config, "DRIVEREPO"),
    pvm_config_get_string (config, "SQUASHREPO"),
  };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (PVM_IS_CONFIG (config), FALSE);

  if (message != NULL)
    *message = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (directories); i++)
    if (g_mkdir_with_parents (directories[i], 0755) != 0)
      {
        int saved_errno = errno;

        g_set_error (error, PVM_ERROR,
                     saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                       ? PVM_ERROR_PERMISSION_DENIED
                       : saved_errno == ENOSPC ? PVM_ERROR_NO_SPACE : PVM_ERROR_FAILED,
                     "Cannot create the folder %s: %s", directories[i],
                     g_strerror (saved_errno));
        return FALSE;
      }

  repo = pvm_image_repo_new (directories[0]);
  if (!pvm_image_repo_prepare (repo, message, &local_error) && message != NULL)
    *message = g_strdup (local_error->message);
  return TRUE;
}
