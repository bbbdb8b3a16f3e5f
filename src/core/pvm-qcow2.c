/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-qcow2.c: a reader of qcow2 image headers, written from QEMU's
 * format description (docs/interop/qcow2.txt). It reads only the first
 * cluster, normally with a single pread, and never writes. */

#define G_LOG_DOMAIN "pvm-qcow2"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-qcow2.h"

/* The header fields pVM uses, as byte offsets into the file. */
#define QCOW2_MAGIC                   "QFI\xfb"
#define QCOW2_MAGIC_LEN               4
#define QCOW2_OFF_VERSION             4
#define QCOW2_OFF_BACKING_FILE_OFFSET 8
#define QCOW2_OFF_BACKING_FILE_SIZE   16
#define QCOW2_OFF_CLUSTER_BITS        20
#define QCOW2_OFF_SIZE                24
#define QCOW2_OFF_INCOMPATIBLE        72
#define QCOW2_OFF_HEADER_LENGTH       100
#define QCOW2_V2_HEADER_LENGTH        72
#define QCOW2_V3_MIN_HEADER_LENGTH    104

#define QCOW2_MIN_CLUSTER_BITS        9
#define QCOW2_MAX_CLUSTER_BITS        21  /* QEMU's limit: 2 MiB clusters */
#define QCOW2_MAX_BACKING_NAME        1023

#define QCOW2_INCOMPAT_DIRTY          (G_GUINT64_CONSTANT (1) << 0)
#define QCOW2_INCOMPAT_CORRUPT        (G_GUINT64_CONSTANT (1) << 1)
#define QCOW2_INCOMPAT_DATA_FILE      (G_GUINT64_CONSTANT (1) << 2)

#define QCOW2_EXT_END                 0x00000000u
#define QCOW2_EXT_BACKING_FORMAT      0xe2792acau
#define QCOW2_EXT_HEADER_LEN          8

/* The first read: the header, its extensions and (as qemu-img lays them
 * out) the backing file name all fit, whatever the cluster size. */
#define FIRST_READ_SIZE               4096

typedef struct
{
  /* Borrowed */
  const char *path;
  int         fd;

  /* Owned: the first @len bytes of the file */
  guint8     *data;
  gsize       len;

  /* The file has no bytes past @len */
  gboolean    at_eof;
} Qcow2Reader;

static void
qcow2_reader_clear (Qcow2Reader *reader)
{
  g_clear_pointer (&reader->data, g_free);
  if (reader->fd >= 0)
    {
      close (reader->fd);
      reader->fd = -1;
    }
}

static guint32
read_be32 (const guint8 *data)
{
  guint32 value;

  memcpy (&value, data, sizeof value);
  return GUINT32_FROM_BE (value);
}

static guint64
read_be64 (const guint8 *data)
{
  guint64 value;

  memcpy (&value, data, sizeof value);
  return GUINT64_FROM_BE (value);
}

/* Opens @path read-only. O_NONBLOCK keeps a FIFO from blocking the open;
 * it changes nothing for regular files and block devices. */
static int
open_image (const char  *path,
            GError     **error)
{
  int fd;
  int saved_errno;

  do
    fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  while (fd < 0 && errno == EINTR);

  if (fd >= 0)
    return fd;

  saved_errno = errno;
  if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                 "%s does not exist", path);
  else if (saved_errno == EACCES || saved_errno == EPERM)
    g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                 "Cannot read %s: permission denied (check the permissions of the "
                 "file and of its directories)",
                 path);
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                 "Cannot open %s: %s", path, g_strerror (saved_errno));

  return -1;
}

/* Makes sure the buffer holds the file's bytes up to @end, or all of the
 * file if it is shorter: callers check reader->len. */
static gboolean
qcow2_reader_fill (Qcow2Reader  *reader,
                   gsize         end,
                   GError      **error)
{
  gsize want;

  if (end <= reader->len || reader->at_eof)
    return TRUE;

  want = MAX (end, FIRST_READ_SIZE);
  want = (want + FIRST_READ_SIZE - 1) / FIRST_READ_SIZE * FIRST_READ_SIZE;
  reader->data = g_realloc (reader->data, want);

  while (reader->len < want)
    {
      gssize n = pread (reader->fd, reader->data + reader->len,
                        want - reader->len, reader->len);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;

          g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                       "Cannot read %s: %s", reader->path, g_strerror (saved_errno));
          return FALSE;
        }

      if (n == 0)
        {
          reader->at_eof = TRUE;
          break;
        }

      reader->len += n;
    }

  return TRUE;
}

/* Like qcow2_reader_fill(), but a file that ends before @end is an error:
 * @what is the part of the header that lies there. */
static gboolean
qcow2_reader_need (Qcow2Reader  *reader,
                   guint64       end,
                   const char   *what,
                   GError      **error)
{
  if (!qcow2_reader_fill (reader, end, error))
    return FALSE;

  if (reader->len < end)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2,
                   "%s has a truncated qcow2 header (the file is %" G_GSIZE_FORMAT
                   " bytes long, but its %s ends at byte %" G_GUINT64_FORMAT ")",
                   reader->path, reader->len, what, end);
      return FALSE;
    }

  return TRUE;
}

static gboolean
set_corrupt_error (Qcow2Reader  *reader,
                   GError      **error,
                   const char   *format,
                   ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_corrupt_error (Qcow2Reader  *reader,
                   GError      **error,
                   const char   *format,
                   ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2,
               "%s has a corrupt qcow2 header (%s)", reader->path, reason);
  return FALSE;
}

/* Copies the @len-byte string at @offset, which qcow2 stores without a
 * terminating zero. */
static gboolean
dup_header_string (Qcow2Reader  *reader,
                   guint64       offset,
                   guint32       len,
                   const char   *what,
                   char        **out,
                   GError      **error)
{
  const char *start;

  if (!qcow2_reader_need (reader, offset + len, what, error))
    return FALSE;

  start = (const char *) reader->data + offset;

  if (memchr (start, '\0', len) != NULL)
    return set_corrupt_error (reader, error, "the %s contains a zero byte", what);

  if (!g_utf8_validate_len (start, len, NULL))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "%s has a %s that is not valid UTF-8, which pVM cannot handle "
                   "(rewrite it with \"qemu-img rebase -u -b BACKING -F FORMAT IMAGE\")",
                   reader->path, what);
      return FALSE;
    }

  g_free (*out);
  *out = g_strndup (start, len);
  return TRUE;
}

/* Reads the header extensions in [@start, @end), keeping those pVM uses. */
static gboolean
read_extensions (Qcow2Reader   *reader,
                 guint64        start,
                 guint64        end,
                 const char    *end_what,
                 PvmQcow2Info  *info,
                 GError       **error)
{
  guint64 offset = start;

  while (offset < end)
    {
      guint32 type;
      guint32 len;

      if (end - offset < QCOW2_EXT_HEADER_LEN)
        return set_corrupt_error (reader, error,
                                  "the header extension at byte %" G_GUINT64_FORMAT
                                  " runs past %s",
                                  offset, end_what);

      if (!qcow2_reader_need (reader, offset + QCOW2_EXT_HEADER_LEN,
                              "header extension area", error))
        return FALSE;

      type = read_be32 (reader->data + offset);
      len = read_be32 (reader->data + offset + 4);
      if (type == QCOW2_EXT_END)
        break;

      offset += QCOW2_EXT_HEADER_LEN;
      if (len > end - offset)
        return set_corrupt_error (reader, error,
                                  "header extension 0x%08x at byte %" G_GUINT64_FORMAT
                                  " is %u bytes long and runs past %s",
                                  type, offset - QCOW2_EXT_HEADER_LEN, len, end_what);

      if (type == QCOW2_EXT_BACKING_FORMAT &&
          !dup_header_string (reader, offset, len, "backing file format",
                              &info->backing_format, error))
        return FALSE;

      /* Extension data is padded to a multiple of 8 bytes. */
      offset += ((guint64) len + 7) & ~(guint64) 7;
    }

  return TRUE;
}

static void
set_not_qcow2_error (Qcow2Reader  *reader,
                     GError      **error)
{
  g_autoptr(GString) bytes = g_string_new (NULL);

  if (reader->len == 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2,
                   "%s is not a qcow2 image (it is empty)", reader->path);
      return;
    }

  for (gsize i = 0; i < MIN (reader->len, QCOW2_MAGIC_LEN); i++)
    g_string_append_printf (bytes, "%s%02x", i > 0 ? " " : "", reader->data[i]);

  g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2,
               "%s is not a qcow2 image (it starts with the bytes %s, "
               "not the qcow2 magic 51 46 49 fb)",
               reader->path, bytes->str);
}

static gboolean
read_header (Qcow2Reader   *reader,
             PvmQcow2Info  *info,
             GError       **error)
{
  guint32 header_length;
  guint32 cluster_size;
  guint64 backing_offset;
  guint32 backing_size;
  guint64 extensions_end;
  const char *extensions_end_what;
  guint64 incompatible = 0;

  if (!qcow2_reader_fill (reader, FIRST_READ_SIZE, error))
    return FALSE;

  if (reader->len == 0 ||
      memcmp (reader->data, QCOW2_MAGIC, MIN (reader->len, QCOW2_MAGIC_LEN)) != 0)
    {
      set_not_qcow2_error (reader, error);
      return FALSE;
    }

  if (!qcow2_reader_need (reader, QCOW2_V2_HEADER_LENGTH, "header", error))
    return FALSE;

  info->version = read_be32 (reader->data + QCOW2_OFF_VERSION);
  if (info->version != 2 && info->version != 3)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2,
                   "%s is not a qcow2 image pVM can read (it has the qcow2 magic but "
                   "version %u; qcow2 versions are 2 and 3)",
                   reader->path, info->version);
      return FALSE;
    }

  info->cluster_bits = read_be32 (reader->data + QCOW2_OFF_CLUSTER_BITS);
  if (info->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
      info->cluster_bits > QCOW2_MAX_CLUSTER_BITS)
    return set_corrupt_error (reader, error, "cluster_bits is %u, not between %u and %u",
                              info->cluster_bits,
                              QCOW2_MIN_CLUSTER_BITS, QCOW2_MAX_CLUSTER_BITS);
  cluster_size = 1u << info->cluster_bits;

  if (info->version == 2)
    header_length = QCOW2_V2_HEADER_LENGTH;
  else
    {
      if (!qcow2_reader_need (reader, QCOW2_V3_MIN_HEADER_LENGTH, "version 3 header", error))
        return FALSE;

      header_length = read_be32 (reader->data + QCOW2_OFF_HEADER_LENGTH);
      if (header_length < QCOW2_V3_MIN_HEADER_LENGTH || header_length > cluster_size)
        return set_corrupt_error (reader, error,
                                  "header_length is %u, not between %u and the "
                                  "cluster size %u",
                                  header_length, QCOW2_V3_MIN_HEADER_LENGTH, cluster_size);

      if (!qcow2_reader_need (reader, header_length, "version 3 header", error))
        return FALSE;

      incompatible = read_be64 (reader->data + QCOW2_OFF_INCOMPATIBLE);
    }

  info->virtual_size = read_be64 (reader->data + QCOW2_OFF_SIZE);
  if (info->virtual_size > G_MAXINT64)
    return set_corrupt_error (reader, error, "the virtual size %" G_GUINT64_FORMAT
                              " bytes is larger than any disk QEMU can open",
                              info->virtual_size);

  info->dirty = (incompatible & QCOW2_INCOMPAT_DIRTY) != 0;
  info->corrupt = (incompatible & QCOW2_INCOMPAT_CORRUPT) != 0;
  info->has_data_file = (incompatible & QCOW2_INCOMPAT_DATA_FILE) != 0;

  /* The backing file name follows the header extensions in the first
   * cluster; without one, the extensions may fill the cluster. */
  backing_offset = read_be64 (reader->data + QCOW2_OFF_BACKING_FILE_OFFSET);
  backing_size = read_be32 (reader->data + QCOW2_OFF_BACKING_FILE_SIZE);
  if (backing_offset != 0)
    {
      if (backing_size > QCOW2_MAX_BACKING_NAME)
        return set_corrupt_error (reader, error,
                                  "the backing file name is %u bytes long; the limit is %u",
                                  backing_size, QCOW2_MAX_BACKING_NAME);
      if (backing_offset < header_length)
        return set_corrupt_error (reader, error,
                                  "the backing file name at byte %" G_GUINT64_FORMAT
                                  " overlaps the %u-byte header",
                                  backing_offset, header_length);
      if (backing_offset > cluster_size || backing_size > cluster_size - backing_offset)
        return set_corrupt_error (reader, error,
                                  "the %u-byte backing file name at byte %" G_GUINT64_FORMAT
                                  " runs past the first cluster of %u bytes",
                                  backing_size, backing_offset, cluster_size);

      extensions_end = backing_offset;
      extensions_end_what = "the backing file name";
    }
  else
    {
      extensions_end = cluster_size;
      extensions_end_what = "the first cluster";
    }

  if (!read_extensions (reader, header_length, extensions_end, extensions_end_what,
                        info, error))
    return FALSE;

  /* QEMU treats an empty name as no backing file, and ignores the backing
   * format of an image without one. */
  if (backing_offset == 0 || backing_size == 0)
    g_clear_pointer (&info->backing_format, g_free);
  else if (!dup_header_string (reader, backing_offset, backing_size, "backing file name",
                               &info->backing_file, error))
    return FALSE;

  return TRUE;
}

/**
 * pvm_qcow2_read_info:
 * @path: path of a qcow2 image
 * @info: (out caller-allocates): where to store the header; on success,
 *   free its contents with pvm_qcow2_info_clear()
 * @error: return location for a #GError
 *
 * Reads the header of the qcow2 image at @path in this process, without
 * running qemu-img: one read of the start of the file in nearly every
 * case. The file is opened read-only and never locked or written, so this
 * works on images a running VM has open. Everything read is checked.
 *
 * Errors: %PVM_ERROR_NOT_FOUND if @path does not exist,
 * %PVM_ERROR_PERMISSION_DENIED if it cannot be read, %PVM_ERROR_NOT_QCOW2
 * if it is not a qcow2 image or its header is truncated or corrupt, and
 * %PVM_ERROR_FAILED for a read error or a backing file name that is not
 * UTF-8.
 *
 * Returns: %TRUE if @info was filled in; on failure @info is zeroed
 */
gboolean
pvm_qcow2_read_info (const char    *path,
                     PvmQcow2Info  *info,
                     GError       **error)
{
  Qcow2Reader reader = { .path = path, .fd = -1 };
  PvmQcow2Info result = { 0 };
  struct stat st;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (info, 0, sizeof *info);

  reader.fd = open_image (path, error);
  if (reader.fd < 0)
    return FALSE;

  if (fstat (reader.fd, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "Cannot read %s: %s", path, g_strerror (saved_errno));
      ok = FALSE;
    }
  else if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2,
                   "%s is not a qcow2 image (it is a directory)", path);
      ok = FALSE;
    }
  else if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2,
                   "%s is not a qcow2 image (it is neither a regular file nor a "
                   "block device)",
                   path);
      ok = FALSE;
    }
  else
    ok = read_header (&reader, &result, error);

  qcow2_reader_clear (&reader);

  if (ok)
    *info = result;
  else
    pvm_qcow2_info_clear (&result);

  return ok;
}

/**
 * pvm_qcow2_info_clear:
 * @info: a #PvmQcow2Info
 *
 * Frees what @info owns and zeroes it; clearing twice is harmless.
 */
void
pvm_qcow2_info_clear (PvmQcow2Info *info)
{
  g_return_if_fail (info != NULL);

  g_free (info->backing_file);
  g_free (info->backing_format);
  memset (info, 0, sizeof *info);
}

/* QEMU's test for "protocol:" names (nbd:, json:, file:): a colon before
 * any slash. QEMU opens those as given. */
static gboolean
has_protocol_prefix (const char *name)
{
  return name[strcspn (name, ":/")] == ':';
}

/**
 * pvm_qcow2_info_dup_backing_path:
 * @info: the header of the image at @image_path
 * @image_path: path of the image @info was read from
 *
 * The backing file's path as QEMU opens it. A relative name is relative
 * to the directory of @image_path, not to the current directory, so it is
 * joined to @image_path's directory as QEMU does (without resolving "..");
 * the result is relative to the current directory only if @image_path is.
 * Absolute names and names with a protocol prefix ("nbd:", "json:") are
 * returned unchanged.
 *
 * Returns: (transfer full) (nullable): the backing file's path, or %NULL
 *   if the image has no backing file
 */
char *
pvm_qcow2_info_dup_backing_path (const PvmQcow2Info *info,
                                 const char         *image_path)
{
  const char *slash;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (image_path != NULL, NULL);

  if (info->backing_file == NULL || info->backing_file[0] == '\0')
    return NULL;

  if (g_path_is_absolute (info->backing_file) || has_protocol_prefix (info->backing_file))
    return g_strdup (info->backing_file);

  slash = strrchr (image_path, '/');
  if (slash == NULL)
    return g_strdup (info->backing_file);

  return g_strdup_printf ("%.*s%s", (int) (slash + 1 - image_path), image_path,
                          info->backing_file);
}

/**
 * pvm_qcow2_is_qcow2:
 * @path: path of a file
 *
 * A cheap check that @path starts with the qcow2 magic, for sorting a
 * directory listing. It reports no error: a file that cannot be read is
 * not a qcow2 image here. Use pvm_qcow2_read_info() to learn why.
 *
 * Returns: %TRUE if the first bytes of @path are the qcow2 magic
 */
gboolean
pvm_qcow2_is_qcow2 (const char *path)
{
  guint8 magic[QCOW2_MAGIC_LEN];
  gssize n;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = open_image (path, NULL);
  if (fd < 0)
    return FALSE;

  do
    n = pread (fd, magic, sizeof magic, 0);
  while (n < 0 && errno == EINTR);
  close (fd);

  return n == sizeof magic && memcmp (magic, QCOW2_MAGIC, sizeof magic) == 0;
}
