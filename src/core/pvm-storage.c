/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-storage"
#define _GNU_SOURCE  /* SEEK_DATA, SEEK_HOLE */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvirt/virterror.h>

#include "pvm-autocleanups.h"
#include "pvm-domain-private.h"
#include "pvm-error.h"
#include "pvm-storage-private.h"

typedef virStoragePool PvmVirStoragePool;
typedef virStorageVol PvmVirStorageVol;
typedef virStream PvmVirStream;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmVirStorageVol, virStorageVolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmVirStream, virStreamFree)

/* The message of libvirt's last error in this thread. */
const char *
_pvm_storage_last_error (void)
{
  virErrorPtr error = virGetLastError ();

  return error != NULL && error->message != NULL ? error->message : "unknown error";
}

/* A directory's storage pool on @conn: one that exists and runs, or a
 * transient one made here (*made: destroy it after use). */
typedef struct
{
  virStoragePoolPtr pool;
  gboolean          made;
} DirPool;

static void
dir_pool_clear (DirPool *dir_pool)
{
  if (dir_pool->pool == NULL)
    return;
  if (dir_pool->made)
    virStoragePoolDestroy (dir_pool->pool);
  virStoragePoolFree (dir_pool->pool);
  dir_pool->pool = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DirPool, dir_pool_clear)

static gboolean
dir_pool_open (DirPool        *dir_pool,
               virConnectPtr   conn,
               const char     *dir,
               GError        **error)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autofree char *name = NULL;
  virStoragePoolPtr pool;

  dir_pool->made = FALSE;
  pool = virStoragePoolLookupByTargetPath (conn, dir);
  if (pool != NULL)
    {
      if (virStoragePoolIsActive (pool) == 1 && virStoragePoolRefresh (pool, 0) == 0)
        {
          dir_pool->pool = pool;
          return TRUE;
        }
      virStoragePoolFree (pool);
    }
  virResetLastError ();

  name = g_strdup_printf ("pvm-files-%08x", g_random_int ());
  _pvm_domain_append_escaped (xml, "<pool type='dir'><name>%s</name><target><path>%s</path>"
                                   "</target></pool>", name, dir);
  pool = virStoragePoolCreateXML (conn, xml->str, 0);
  if (pool == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND, "cannot open the directory %s there: %s",
                   dir, _pvm_storage_last_error ());
      virResetLastError ();
      return FALSE;
    }
  dir_pool->pool = pool;
  dir_pool->made = TRUE;
  return TRUE;
}

/**
 * _pvm_storage_stat:
 * @conn: a host
 * @path: a file's path there
 * @exists: (out): whether it exists
 * @size: (out) (optional): its size in bytes, when it exists
 * @error: return location for a #GError
 *
 * Returns: %FALSE with an error when its directory cannot be read there
 */
gboolean
_pvm_storage_stat (virConnectPtr   conn,
                   const char     *path,
                   gboolean       *exists,
                   guint64        *size,
                   GError        **error)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(PvmVirStorageVol) vol = NULL;
  virStorageVolInfo info;

  *exists = FALSE;
  if (!dir_pool_open (&dir_pool, conn, dir, error))
    return FALSE;
  vol = virStorageVolLookupByName (dir_pool.pool, base);
  virResetLastError ();
  if (vol == NULL)
    return TRUE;
  *exists = TRUE;
  if (size != NULL)
    {
      if (virStorageVolGetInfoFlags (vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) != 0)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "cannot read %s there: %s", path,
                       _pvm_storage_last_error ());
          return FALSE;
        }
      *size = info.allocation;
    }
  return TRUE;
}

/**
 * _pvm_storage_dir_is_shared:
 * @source: a host
 * @dest: another host
 * @dir: a directory of @source
 * @shared: (out): whether @dest's @dir is the same directory
 * @error: return location for a #GError
 *
 * A marker file made in @dir on @source shows up in @dir on @dest.
 * *@shared is %FALSE (no error) when @source's @dir takes no marker
 * (read-only) or @dest has no @dir.
 *
 * Returns: %FALSE with an error when @source's @dir cannot be read
 */
gboolean
_pvm_storage_dir_is_shared (virConnectPtr   source,
                            virConnectPtr   dest,
                            const char     *dir,
                            gboolean       *shared,
                            GError        **error)
{
  g_auto(DirPool) source_pool = { 0 };
  g_auto(DirPool) dest_pool = { 0 };
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autofree char *marker = g_strdup_printf ("pvm-shared-check-%08x.tmp", g_random_int ());
  g_autoptr(PvmVirStorageVol) made = NULL;
  g_autoptr(PvmVirStorageVol) seen = NULL;

  *shared = FALSE;
  if (!dir_pool_open (&source_pool, source, dir, error))
    return FALSE;
  if (!dir_pool_open (&dest_pool, dest, dir, NULL))
    return TRUE;

  /* Readable by all: the other host's libvirt may run as another user
   * (a pool's refresh skips the files it cannot open). */
  _pvm_domain_append_escaped (xml, "<volume><name>%s</name><capacity unit='bytes'>0</capacity>"
                                   "<target><format type='raw'/>"
                                   "<permissions><mode>0644</mode></permissions>"
                                   "</target></volume>", marker);
  made = virStorageVolCreateXML (source_pool.pool, xml->str, 0);
  if (made == NULL)
    {
      g_debug ("No marker in %s: %s", dir, _pvm_storage_last_error ());
      virResetLastError ();
      return TRUE;
    }
  if (virStoragePoolRefresh (dest_pool.pool, 0) == 0)
    seen = virStorageVolLookupByName (dest_pool.pool, marker);
  virResetLastError ();
  *shared = seen != NULL;
  virStorageVolDelete (made, 0);
  return TRUE;
}

typedef struct
{
  int           fd;
  GCancellable *cancellable;
  guint64       size;
} Upload;

static int
upload_send (virStreamPtr  stream,
             char         *data,
             size_t        nbytes,
             void         *opaque)
{
  Upload *upload = opaque;
  ssize_t n;

  if (g_cancellable_is_cancelled (upload->cancellable))
    return -1;
  do
    n = read (upload->fd, data, nbytes);
  while (n < 0 && errno == EINTR);
  return n;
}

/* Whether the file goes on with data or a hole here, and for how long. */
static int
upload_hole (virStreamPtr  stream,
             int          *in_data,
             long long    *length,
             void         *opaque)
{
  Upload *upload = opaque;
  off_t here = lseek (upload->fd, 0, SEEK_CUR);
  off_t data, hole;

  if (here < 0)
    return -1;
  data = lseek (upload->fd, here, SEEK_DATA);
  if (data < 0 && errno != ENXIO)
    return -1;
  if (data < 0)
    {
      /* A hole up to the end. */
      *in_data = 0;
      *length = upload->size - here;
    }
  else if (data > here)
    {
      *in_data = 0;
      *length = data - here;
    }
  else
    {
      hole = lseek (upload->fd, here, SEEK_HOLE);
      if (hole < 0)
        return -1;
      *in_data = 1;
      *length = hole - here;
    }
  return lseek (upload->fd, here, SEEK_SET) < 0 ? -1 : 0;
}

static int
upload_skip (virStreamPtr  stream,
             long long     length,
             void         *opaque)
{
  Upload *upload = opaque;

  return lseek (upload->fd, length, SEEK_CUR) < 0 ? -1 : 0;
}

/* The group of @pool's directory. (libvirt's pool XML shows no setgid bit:
 * whether the directory gives new files its group cannot be told.) */
static gboolean
dir_group (virStoragePoolPtr  pool,
           guint             *gid)
{
  g_autofree char *xml = virStoragePoolGetXMLDesc (pool, 0);
  g_autoptr(GRegex) regex = g_regex_new ("<target>.*<permissions>.*<group>([0-9]+)</group>",
                                         G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *group = NULL;
  guint64 number;

  if (xml == NULL || !g_regex_match (regex, xml, 0, &match))
    return FALSE;
  group = g_match_info_fetch (match, 1);
  if (!g_ascii_string_to_unsigned (group, 10, 0, G_MAXUINT32, &number, NULL))
    return FALSE;
  *gid = (guint) number;
  return TRUE;
}

/**
 * _pvm_storage_upload:
 * @conn: a host
 * @local_path: a file of this machine
 * @path: where it goes on @conn's host; it must not exist
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Copies @local_path to @path through libvirt, holes kept. On failure
 * nothing is left at @path.
 *
 * Returns: %TRUE on success
 */
gboolean
_pvm_storage_upload (virConnectPtr   conn,
                     const char     *local_path,
                     const char     *path,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autoptr(PvmVirStorageVol) vol = NULL;
  g_autoptr(PvmVirStream) stream = NULL;
  Upload upload = { -1, cancellable, 0 };
  struct stat st;
  gboolean done = FALSE;
  guint gid;

  upload.fd = open (local_path, O_RDONLY | O_CLOEXEC);
  if (upload.fd < 0 || fstat (upload.fd, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot read %s: %s",
                   local_path, g_strerror (saved_errno));
      if (upload.fd >= 0)
        close (upload.fd);
      return FALSE;
    }
  upload.size = st.st_size;

  if (!dir_pool_open (&dir_pool, conn, dir, error))
    goto out;
  vol = virStorageVolLookupByName (dir_pool.pool, base);
  virResetLastError ();
  if (vol != NULL)
    {
      g_clear_pointer (&vol, virStorageVolFree);
      g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS, "%s already exists there", path);
      goto out;
    }

  /* libvirt gives a new file its daemon's group. The directory's group
   * first (a group's shared repository: setgid, as a rule), and when the
   * user is not in that group, the daemon's. */
  for (int attempt = 0; attempt < 2 && vol == NULL; attempt++)
    {
      g_string_truncate (xml, 0);
      _pvm_domain_append_escaped (xml, "<volume><name>%s</name>"
                                       "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                                       "<allocation>0</allocation>"
                                       "<target><format type='raw'/>"
                                       "<permissions><mode>0660</mode>",
                                  base, upload.size);
      if (attempt == 0 && !dir_group (dir_pool.pool, &gid))
        continue;
      if (attempt == 0)
        g_string_append_printf (xml, "<group>%u</group>", gid);
      g_string_append (xml, "</permissions></target></volume>");
      vol = virStorageVolCreateXML (dir_pool.pool, xml->str, 0);
    }
  if (vol == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot create %s there: %s", path,
                   _pvm_storage_last_error ());
      goto out;
    }

  stream = virStreamNew (conn, 0);
  if (stream == NULL ||
      virStorageVolUpload (vol, stream, 0, upload.size, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM) != 0 ||
      virStreamSparseSendAll (stream, upload_send, upload_hole, upload_skip, &upload) != 0 ||
      virStreamFinish (stream) != 0)
    {
      if (g_cancellable_is_cancelled (cancellable))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Copying %s was cancelled", path);
      else
        g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot copy %s to %s there: %s",
                     local_path, path, _pvm_storage_last_error ());
      if (stream != NULL)
        virStreamAbort (stream);
      virStorageVolDelete (vol, 0);
      goto out;
    }
  done = TRUE;

out:
  virResetLastError ();
  close (upload.fd);
  return done;
}

/**
 * _pvm_storage_delete:
 * @conn: a host
 * @path: a file there
 * @error: return location for a #GError
 *
 * Returns: %TRUE when @path is gone (or was not there)
 */
gboolean
_pvm_storage_delete (virConnectPtr   conn,
                     const char     *path,
                     GError        **error)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(PvmVirStorageVol) vol = NULL;

  if (!dir_pool_open (&dir_pool, conn, dir, error))
    return FALSE;
  vol = virStorageVolLookupByName (dir_pool.pool, base);
  if (vol != NULL && virStorageVolDelete (vol, 0) != 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot delete %s there: %s", path,
                   _pvm_storage_last_error ());
      virResetLastError ();
      return FALSE;
    }
  virResetLastError ();
  return TRUE;
}

/**
 * _pvm_storage_add_ssh_ports:
 * @conn: a host
 * @ports: (element-type guint): a set the SSH ports of its pVM VMs are
 *   added to
 *
 * Reads the definitions only: no #PvmVm (whose event registrations a
 * connection allows once per domain).
 */
void
_pvm_storage_add_ssh_ports (virConnectPtr  conn,
                            GHashTable    *ports)
{
  virDomainPtr *domains = NULL;
  int n = virConnectListAllDomains (conn, &domains, 0);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *xml = virDomainGetXMLDesc (domains[i], 0);
      g_autoptr(GVirConfigDomain) config = NULL;
      g_autoptr(PvmVmPlan) plan = NULL;

      if (xml != NULL && (config = gvir_config_domain_new_from_xml (xml, NULL)) != NULL &&
          (plan = pvm_domain_dup_plan (config, NULL)) != NULL && plan->ssh_port != 0)
        g_hash_table_add (ports, GUINT_TO_POINTER (plan->ssh_port));
      virDomainFree (domains[i]);
    }
  g_free (domains);
  virResetLastError ();
}

/**
 * _pvm_storage_pick_ssh_port:
 * @dest: the host a VM goes to
 * @source: (nullable): the host it leaves, when both are one machine (its
 *   VMs hold ports there too), else %NULL
 * @port: the VM's SSH port, or 0
 *
 * Returns: @port, unless a pVM VM of @dest (or @source) holds it: then the
 *   next free port; 0 for @port 0, or when no port is left
 */
guint
_pvm_storage_pick_ssh_port (virConnectPtr  dest,
                            virConnectPtr  source,
                            guint          port)
{
  g_autoptr(GHashTable) taken = g_hash_table_new (NULL, NULL);

  if (port == 0)
    return 0;
  _pvm_storage_add_ssh_ports (dest, taken);
  if (source != NULL)
    _pvm_storage_add_ssh_ports (source, taken);
  while (port <= 65535 && g_hash_table_contains (taken, GUINT_TO_POINTER (port)))
    port++;
  return port <= 65535 ? port : 0;
}

