/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-storage"
#define _GNU_SOURCE  /* SEEK_DATA, SEEK_HOLE */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
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

/* The volume of the file @path on @conn, through its directory's pool
 * (kept open in @dir_pool); %NULL with an error when it is not there. */
static virStorageVolPtr
open_vol (DirPool        *dir_pool,
          virConnectPtr   conn,
          const char     *path,
          GError        **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  virStorageVolPtr vol;

  if (!dir_pool_open (dir_pool, conn, dir, error))
    return NULL;
  vol = virStorageVolLookupByName (dir_pool->pool, base);
  if (vol == NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND, "%s is not there", path);
  virResetLastError ();
  return vol;
}

/* The text of the first match of @pattern's group 1 in @xml, or NULL. */
static char *
dup_match (const char *xml,
           const char *pattern)
{
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_DOTALL, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  if (!g_regex_match (regex, xml, 0, &match))
    return NULL;
  return g_match_info_fetch (match, 1);
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
  guint64      *sent;         /* (nullable) counts the bytes read, for another thread */
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
  if (n > 0 && upload->sent != NULL)
    __atomic_add_fetch (upload->sent, (guint64) n, __ATOMIC_RELAXED);
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

/* A new, empty file @base in @pool (sparse; a qcow2 overlay of @backing
 * when given), mode 0660. libvirt gives a new file its daemon's group:
 * the directory's group first (a group's shared repository: setgid, as a
 * rule), and when the user is not in that group, the daemon's. NULL with
 * libvirt's error when it cannot be made. */
static virStorageVolPtr
create_vol (virStoragePoolPtr  pool,
            const char        *base,
            guint64            capacity,
            const char        *format,
            const char        *backing,
            const char        *backing_format)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  virStorageVolPtr vol = NULL;
  guint gid;

  for (int attempt = 0; attempt < 2 && vol == NULL; attempt++)
    {
      if (attempt == 0 && !dir_group (pool, &gid))
        continue;
      g_string_truncate (xml, 0);
      _pvm_domain_append_escaped (xml, "<volume><name>%s</name>"
                                       "<capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
                                       "<allocation>0</allocation>"
                                       "<target><format type='%s'/>"
                                       "<permissions><mode>0660</mode>",
                                  base, capacity, format);
      if (attempt == 0)
        g_string_append_printf (xml, "<group>%u</group>", gid);
      g_string_append (xml, "</permissions></target>");
      if (backing != NULL)
        _pvm_domain_append_escaped (xml, "<backingStore><path>%s</path>"
                                         "<format type='%s'/></backingStore>",
                                    backing, backing_format != NULL ? backing_format : "qcow2");
      g_string_append (xml, "</volume>");
      vol = virStorageVolCreateXML (pool, xml->str, 0);
    }
  return vol;
}

/**
 * _pvm_storage_upload:
 * @conn: a host
 * @local_path: a file of this machine
 * @path: where it goes on @conn's host; it must not exist
 * @sent: (nullable): a count that the bytes of data sent (holes not
 *   counted) are added to, atomically (__atomic_load_n() reads it from
 *   another thread)
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
                     guint64        *sent,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(PvmVirStorageVol) vol = NULL;
  g_autoptr(PvmVirStream) stream = NULL;
  Upload upload = { -1, cancellable, 0, sent };
  struct stat st;
  gboolean done = FALSE;

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

  vol = create_vol (dir_pool.pool, base, upload.size, "raw", NULL, NULL);
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
 * _pvm_param_ullong:
 * @params: typed parameters from libvirt (a job's statistics)
 * @n_params: how many
 * @name: the one to read
 *
 * Returns: the value of @name, or 0 if @params has none
 */
guint64
_pvm_param_ullong (virTypedParameterPtr  params,
                   int                   n_params,
                   const char           *name)
{
  unsigned long long value = 0;

  virTypedParamsGetULLong (params, n_params, name, &value);
  return value;
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


typedef struct
{
  int           fd;
  GCancellable *cancellable;
} Download;

static int
download_write (virStreamPtr  stream,
                const char   *data,
                size_t        nbytes,
                void         *opaque)
{
  Download *download = opaque;
  size_t done = 0;

  if (g_cancellable_is_cancelled (download->cancellable))
    return -1;
  while (done < nbytes)
    {
      ssize_t n = write (download->fd, data + done, nbytes - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      done += n;
    }
  return (int) done;
}

static int
download_hole (virStreamPtr  stream,
               long long     length,
               void         *opaque)
{
  Download *download = opaque;

  return lseek (download->fd, length, SEEK_CUR) < 0 ? -1 : 0;
}

/**
 * _pvm_storage_download:
 * @conn: a host
 * @path: a file there
 * @local_path: where it goes on this machine; it must not exist
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Copies @path to @local_path through libvirt, holes kept. On failure
 * nothing is left at @local_path.
 *
 * Returns: %TRUE on success
 */
gboolean
_pvm_storage_download (virConnectPtr   conn,
                       const char     *path,
                       const char     *local_path,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autoptr(PvmVirStorageVol) vol = NULL;
  g_autoptr(PvmVirStream) stream = NULL;
  Download download = { -1, cancellable };
  off_t end;
  int saved_errno;

  if ((vol = open_vol (&dir_pool, conn, path, error)) == NULL)
    return FALSE;

  download.fd = open (local_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (download.fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create %s: %s", local_path, g_strerror (saved_errno));
      return FALSE;
    }

  stream = virStreamNew (conn, 0);
  if (stream == NULL ||
      virStorageVolDownload (vol, stream, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM) != 0 ||
      virStreamSparseRecvAll (stream, download_write, download_hole, &download) != 0 ||
      virStreamFinish (stream) != 0)
    {
      saved_errno = errno;
      if (g_cancellable_is_cancelled (cancellable))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Copying %s was cancelled", path);
      else if (saved_errno == ENOSPC || saved_errno == EDQUOT)
        g_set_error (error, PVM_ERROR, PVM_ERROR_NO_SPACE, "Cannot copy %s to %s: %s", path,
                     local_path, g_strerror (saved_errno));
      else
        g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot copy %s to %s: %s", path,
                     local_path, _pvm_storage_last_error ());
      if (stream != NULL)
        virStreamAbort (stream);
      goto failed;
    }

  /* A hole at the end moved the offset only. */
  end = lseek (download.fd, 0, SEEK_CUR);
  if (end < 0 || ftruncate (download.fd, end) != 0 || close (download.fd) != 0)
    {
      saved_errno = errno;
      download.fd = -1;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot write %s: %s", local_path, g_strerror (saved_errno));
      goto failed;
    }
  virResetLastError ();
  return TRUE;

failed:
  if (download.fd >= 0)
    close (download.fd);
  g_unlink (local_path);
  virResetLastError ();
  return FALSE;
}

static int
tail_write (virStreamPtr  stream,
            const char   *data,
            size_t        nbytes,
            void         *opaque)
{
  g_byte_array_append (opaque, (const guint8 *) data, nbytes);
  return (int) nbytes;
}

/* What was last read of the end of each file read through
 * _pvm_storage_read_tail() (serial logs of other hosts' VMs, read every few
 * seconds while they run): the file's size then and its last bytes, so
 * that a reading sends only what was appended since. */
#define TAIL_SEAM_BYTES    64      /* read again to check the file is the same */
#define TAIL_FORGET_USEC   (10 * 60 * G_USEC_PER_SEC)

typedef struct
{
  guint64     size;
  GByteArray *tail;
  gint64      used;     /* monotonic time of the last reading */
} TailCache;

static GMutex tail_lock;
static GHashTable *tails;  /* "URI PATH" -> TailCache */

static void
tail_cache_free (TailCache *cache)
{
  g_byte_array_unref (cache->tail);
  g_free (cache);
}

/* Bytes [@offset, @end) of @vol into @data; FALSE on failure. */
static gboolean
download_range (virConnectPtr  conn,
                virStorageVol *vol,
                guint64        offset,
                guint64        end,
                GByteArray    *data)
{
  g_autoptr(PvmVirStream) stream = NULL;

  if (end <= offset)
    return TRUE;
  if ((stream = virStreamNew (conn, 0)) == NULL ||
      virStorageVolDownload (vol, stream, offset, end - offset, 0) != 0 ||
      virStreamRecvAll (stream, tail_write, data) != 0 ||
      virStreamFinish (stream) != 0)
    {
      if (stream != NULL)
        virStreamAbort (stream);
      return FALSE;
    }
  return TRUE;
}

/* The cached end of @key's file, brought to @size from @vol: only the bytes
 * appended since it was read, if its last TAIL_SEAM_BYTES read again are
 * those it had (the same file, grown); else NULL. */
static GByteArray *
read_tail_since (virConnectPtr  conn,
                 virStorageVol *vol,
                 const char    *key,
                 guint64        size,
                 guint64        max_bytes)
{
  g_autoptr(GByteArray) tail = NULL;
  g_autoptr(GByteArray) fresh = NULL;
  guint64 cached_size, seam;

  g_mutex_lock (&tail_lock);
  {
    TailCache *cache = tails != NULL ? g_hash_table_lookup (tails, key) : NULL;

    if (cache != NULL && cache->size <= size)
      {
        cached_size = cache->size;
        tail = g_byte_array_new ();
        g_byte_array_append (tail, cache->tail->data, cache->tail->len);
      }
  }
  g_mutex_unlock (&tail_lock);
  if (tail == NULL)
    return NULL;

  seam = MIN (MIN ((guint64) TAIL_SEAM_BYTES, tail->len), cached_size);
  if (seam == 0 && cached_size > 0)
    return NULL;
  fresh = g_byte_array_new ();
  if (!download_range (conn, vol, cached_size - seam, size, fresh) ||
      fresh->len != size - cached_size + seam ||
      memcmp (fresh->data, tail->data + tail->len - seam, seam) != 0)
    return NULL;

  g_debug ("Read the end of %s again: %" G_GUINT64_FORMAT " bytes more", key,
           size - cached_size);
  g_byte_array_append (tail, fresh->data + seam, fresh->len - seam);
  if (tail->len > max_bytes)
    g_byte_array_remove_range (tail, 0, tail->len - max_bytes);
  return g_steal_pointer (&tail);
}

static void
remember_tail (const char *key,
               guint64     size,
               GByteArray *tail)
{
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  TailCache *cache;

  g_mutex_lock (&tail_lock);
  if (tails == NULL)
    tails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) tail_cache_free);
  /* Files no longer read (their VMs gone, or off) are forgotten. */
  g_hash_table_iter_init (&iter, tails);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &cache))
    if (now - cache->used > TAIL_FORGET_USEC)
      g_hash_table_iter_remove (&iter);

  cache = g_hash_table_lookup (tails, key);
  if (cache == NULL)
    {
      cache = g_new0 (TailCache, 1);
      g_hash_table_insert (tails, g_strdup (key), cache);
    }
  else
    g_byte_array_unref (cache->tail);
  cache->size = size;
  cache->tail = g_byte_array_ref (tail);
  cache->used = now;
  g_mutex_unlock (&tail_lock);
}

/**
 * _pvm_storage_read_tail:
 * @conn: a host
 * @path: a file there
 * @max_bytes: how much of its end to read at most
 *
 * Reads the end of a file on @conn's host through libvirt (a serial log
 * that QEMU appends to there). What was read is kept: read again, only
 * what was appended since comes over (with a few bytes before it, to see
 * that the file is the one read before).
 *
 * Returns: (transfer full) (nullable): its last @max_bytes bytes (all
 *   of it if it is shorter), NUL-terminated, or %NULL when it cannot be
 *   read there
 */
char *
_pvm_storage_read_tail (virConnectPtr  conn,
                        const char    *path,
                        guint64        max_bytes)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autoptr(PvmVirStorageVol) vol = NULL;
  g_autoptr(GByteArray) data = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *key = NULL;
  virStorageVolInfo info;
  guint64 offset;

  if ((vol = open_vol (&dir_pool, conn, path, NULL)) == NULL ||
      virStorageVolGetInfoFlags (vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL) != 0 ||
      (uri = virConnectGetURI (conn)) == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  key = g_strdup_printf ("%s %s", uri, path);

  data = read_tail_since (conn, vol, key, info.allocation, max_bytes);
  if (data == NULL)
    {
      offset = info.allocation > max_bytes ? info.allocation - max_bytes : 0;
      data = g_byte_array_sized_new (info.allocation - offset + 1);
      if (!download_range (conn, vol, offset, info.allocation, data))
        {
          virResetLastError ();
          return NULL;
        }
    }
  virResetLastError ();
  remember_tail (key, info.allocation, data);
  return g_strndup ((const char *) data->data, data->len);
}

/**
 * _pvm_storage_dup_stamp:
 * @conn: a host
 * @path: a file there
 *
 * Returns: (transfer full) (nullable): "SIZE MTIME" of @path there (what
 *   changes when it is written), or %NULL when it cannot be read
 */
char *
_pvm_storage_dup_stamp (virConnectPtr  conn,
                        const char    *path)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autoptr(PvmVirStorageVol) vol = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *size = NULL;
  g_autofree char *mtime = NULL;

  if ((vol = open_vol (&dir_pool, conn, path, NULL)) == NULL ||
      (xml = virStorageVolGetXMLDesc (vol, 0)) == NULL)
    {
      virResetLastError ();
      return NULL;
    }
  size = dup_match (xml, "<capacity unit='bytes'>([0-9]+)</capacity>");
  mtime = dup_match (xml, "<timestamps>.*<mtime>([0-9.]+)</mtime>");
  if (size == NULL || mtime == NULL)
    return NULL;
  return g_strdup_printf ("%s %s", size, mtime);
}

/**
 * _pvm_storage_dir_is_here:
 * @conn: a host
 * @dir: a directory of this machine
 *
 * A marker file made in @dir here shows up in @dir on @conn's host.
 *
 * Returns: whether @dir there is this machine's @dir (shared storage, or
 *   one machine); %FALSE when @dir does not exist here or there, or takes
 *   no marker
 */
gboolean
_pvm_storage_dir_is_here (virConnectPtr  conn,
                          const char    *dir)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autofree char *marker = g_build_filename (dir, ".pvm-shared-check-XXXXXX", NULL);
  g_autofree char *base = NULL;
  g_autoptr(PvmVirStorageVol) seen = NULL;
  int fd;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || !dir_pool_open (&dir_pool, conn, dir, NULL))
    {
      virResetLastError ();
      return FALSE;
    }
  /* Readable by all: the host's libvirt may run as another user (a pool's
   * refresh skips the files it cannot open). */
  fd = g_mkstemp_full (marker, O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0)
    return FALSE;
  close (fd);
  g_chmod (marker, 0644);
  base = g_path_get_basename (marker);
  if (virStoragePoolRefresh (dir_pool.pool, 0) == 0)
    seen = virStorageVolLookupByName (dir_pool.pool, base);
  virResetLastError ();
  g_unlink (marker);
  return seen != NULL;
}

/**
 * _pvm_storage_describe:
 * @conn: a host
 * @path: a disk image there
 * @capacity: (out): its size as the guest sees it, in bytes
 * @format: (out) (transfer full): its format ("qcow2", "raw")
 * @backing: (out) (transfer full) (nullable): its backing file, or %NULL
 * @backing_format: (out) (transfer full) (nullable): the backing file's
 *   format, or %NULL
 * @error: return location for a #GError
 *
 * Returns: %TRUE if libvirt could read @path there
 */
gboolean
_pvm_storage_describe (virConnectPtr   conn,
                       const char     *path,
                       guint64        *capacity,
                       char          **format,
                       char          **backing,
                       char          **backing_format,
                       GError        **error)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autoptr(PvmVirStorageVol) vol = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *size = NULL;
  g_autofree char *target = NULL;
  g_autofree char *backing_store = NULL;

  if ((vol = open_vol (&dir_pool, conn, path, error)) == NULL)
    return FALSE;
  if ((xml = virStorageVolGetXMLDesc (vol, 0)) == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND, "cannot read %s there: %s", path,
                   _pvm_storage_last_error ());
      virResetLastError ();
      return FALSE;
    }
  size = dup_match (xml, "<capacity unit='bytes'>([0-9]+)</capacity>");
  target = dup_match (xml, "(<target>.*</target>)");
  backing_store = dup_match (xml, "(<backingStore>.*</backingStore>)");
  if (size == NULL || target == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "cannot read %s there: libvirt "
                   "describes it without a size", path);
      return FALSE;
    }
  *capacity = g_ascii_strtoull (size, NULL, 10);
  *format = dup_match (target, "<format type='([^']+)'/>");
  if (*format == NULL)
    *format = g_strdup ("raw");
  *backing = backing_store != NULL ? dup_match (backing_store, "<path>([^<]+)</path>") : NULL;
  *backing_format = backing_store != NULL
                      ? dup_match (backing_store, "<format type='([^']+)'/>") : NULL;
  /* libvirt escapes the path for XML. */
  if (*backing != NULL)
    {
      g_autofree char *escaped = g_steal_pointer (backing);
      g_autoptr(GString) text = g_string_new (escaped);

      g_string_replace (text, "&apos;", "'", 0);
      g_string_replace (text, "&quot;", "\"", 0);
      g_string_replace (text, "&lt;", "<", 0);
      g_string_replace (text, "&gt;", ">", 0);
      g_string_replace (text, "&amp;", "&", 0);
      *backing = g_string_free (g_steal_pointer (&text), FALSE);
    }
  return TRUE;
}

/**
 * _pvm_storage_create_empty:
 * @conn: a host
 * @path: where the new disk image goes there; nothing may be there
 * @format: "qcow2" or "raw"
 * @capacity: its size as the guest sees it, in bytes
 * @backing: (nullable): a qcow2 image's backing file there
 * @backing_format: (nullable): its format
 * @error: return location for a #GError
 *
 * Makes an empty disk image there (sparse; a qcow2 overlay of @backing),
 * the user's group's as _pvm_storage_upload() makes files, for a
 * migration to fill.
 *
 * Returns: %TRUE if it was made
 */
gboolean
_pvm_storage_create_empty (virConnectPtr   conn,
                           const char     *path,
                           const char     *format,
                           guint64         capacity,
                           const char     *backing,
                           const char     *backing_format,
                           GError        **error)
{
  g_auto(DirPool) dir_pool = { 0 };
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(PvmVirStorageVol) vol = NULL;

  if (!dir_pool_open (&dir_pool, conn, dir, error))
    return FALSE;
  vol = create_vol (dir_pool.pool, base, capacity, format, backing, backing_format);
  if (vol == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot create %s there: %s", path,
                   _pvm_storage_last_error ());
      virResetLastError ();
      return FALSE;
    }
  return TRUE;
}

/**
 * _pvm_storage_make_dir:
 * @conn: a host
 * @dir: a directory there
 * @error: return location for a #GError
 *
 * Makes @dir there, with its missing parents (libvirt builds a directory
 * pool's target): for the files a migration copies along.
 *
 * Returns: %TRUE if @dir is there now
 */
gboolean
_pvm_storage_make_dir (virConnectPtr   conn,
                       const char     *dir,
                       GError        **error)
{
  g_autoptr(GString) xml = g_string_new (NULL);
  g_autofree char *name = g_strdup_printf ("pvm-files-%08x", g_random_int ());
  virStoragePoolPtr pool;

  _pvm_domain_append_escaped (xml, "<pool type='dir'><name>%s</name><target><path>%s</path>"
                                   "<permissions><mode>0775</mode></permissions>"
                                   "</target></pool>", name, dir);
  pool = virStoragePoolCreateXML (conn, xml->str, VIR_STORAGE_POOL_CREATE_WITH_BUILD);
  if (pool == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot create the directory %s there: %s",
                   dir, _pvm_storage_last_error ());
      virResetLastError ();
      return FALSE;
    }
  virStoragePoolDestroy (pool);
  virStoragePoolFree (pool);
  return TRUE;
}
