/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-squash-repo.c: the repository of SquashFS data archives.
 *
 * Listing reads each archive's 96-byte superblock in-process. What the
 * superblock does not hold (the number of regular files and their total
 * size) needs a walk of the archive's directory tables, "unsquashfs -lln",
 * done once and cached beside the archive in a hidden key file,
 * ".FILE.pvm-stats", keyed by the archive's size, modification time,
 * bytes_used and creation time. A stale cache is recomputed; a repository
 * that cannot be written lists all the same, walking every time.
 *
 * Creation runs mksquashfs into a hidden temporary directory of the repository,
 * while a thread walks the source (every file must be readable; the walk
 * counts the files and bytes, which fill the cache when mksquashfs counted
 * as many files and nothing changed meanwhile, else the new archive is
 * walked), checks the result's superblock and renames it into place
 * without ever replacing a file: a failure or a cancellation leaves the
 * repository as it was.
 *
 * Progress: mksquashfs 4.5.1 (Debian 12) draws its progress bar from a
 * thread every 250 ms, but when its standard output is not a terminal it
 * prints only when the count of blocks is a multiple of 100 at that moment
 * (to keep logs small): through a pipe, one usually sees nothing but the
 * final 100%. On a terminal whose width is 0 (a fresh pseudo-terminal) it
 * prints nothing at all. So mksquashfs runs with its standard output on a
 * pseudo-terminal of 80 columns, and every 250 ms pVM reads
 * "[===/   ] 98/2560   3%" from it. Its messages go to a pipe. */

#define G_LOG_DOMAIN "pvm-squash-repo"
#define _GNU_SOURCE  /* ptsname_r */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-json-private.h"
#include "pvm-host.h"
#include "pvm-image-repo.h"
#include "pvm-names.h"
#include "pvm-repo-private.h"
#include "pvm-squash-repo.h"

#define SQSH_SUFFIX      ".sqsh"
#define STATS_SUFFIX     ".pvm-stats"
#define STATS_GROUP      "pvm-squash-stats"
#define STATS_VERSION    1
#define SUPERBLOCK_SIZE  96
#define SQUASHFS_MAGIC_BYTES "hsqs"

/* --- PvmSquashArchive ---------------------------------------------------- */

static void
pvm_squash_archive_free (PvmSquashArchive *archive)
{
  g_free (archive->name);
  g_free (archive->path);
  g_free (archive->problem);
  g_free (archive->compressor);
}

/**
 * pvm_squash_archive_ref:
 * @archive: an archive
 *
 * Returns: (transfer full): @archive
 */
PvmSquashArchive *
pvm_squash_archive_ref (PvmSquashArchive *archive)
{
  g_return_val_if_fail (archive != NULL, NULL);

  return g_atomic_rc_box_acquire (archive);
}

/**
 * pvm_squash_archive_unref:
 * @archive: (nullable): an archive
 */
void
pvm_squash_archive_unref (PvmSquashArchive *archive)
{
  if (archive != NULL)
    g_atomic_rc_box_release_full (archive, (GDestroyNotify) pvm_squash_archive_free);
}

G_DEFINE_BOXED_TYPE (PvmSquashArchive, pvm_squash_archive, pvm_squash_archive_ref,
                     pvm_squash_archive_unref)

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/**
 * pvm_squash_archive_to_json:
 * @archive: an archive
 *
 * Returns: (transfer full): a JSON object whose keys are the fields of
 *   #PvmSquashArchive; "files", "uncompressed_size" and "ratio" are null
 *   when the statistics are not known, sizes are in bytes, times in
 *   seconds since the epoch
 */
JsonNode *
pvm_squash_archive_to_json (PvmSquashArchive *archive)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (archive != NULL, NULL);

  json_builder_begin_object (builder);
  _pvm_json_add_nullable_string (builder, "name", archive->name);
  _pvm_json_add_nullable_string (builder, "path", archive->path);
  json_builder_set_member_name (builder, "usable");
  json_builder_add_boolean_value (builder, archive->usable);
  _pvm_json_add_nullable_string (builder, "problem", archive->problem);
  _pvm_json_add_nullable_string (builder, "compressor", archive->compressor);
  add_int (builder, "block_size", archive->block_size);
  add_int (builder, "inodes", archive->inodes);
  add_int (builder, "bytes_used", (gint64) archive->bytes_used);
  add_int (builder, "archive_size", (gint64) archive->archive_size);
  add_int (builder, "mtime", archive->mtime);
  add_int (builder, "mkfs_time", archive->mkfs_time);
  json_builder_set_member_name (builder, "files");
  if (archive->has_stats)
    json_builder_add_int_value (builder, (gint64) archive->files);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "uncompressed_size");
  if (archive->has_stats)
    json_builder_add_int_value (builder, (gint64) archive->uncompressed_size);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "ratio");
  if (archive->has_stats && archive->ratio > 0.0)
    json_builder_add_double_value (builder, archive->ratio);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* --- compressors and names ----------------------------------------------- */

static const char * const compressor_names[] = {
  [PVM_SQUASH_COMPRESSOR_LZ4] = "lz4",
  [PVM_SQUASH_COMPRESSOR_ZSTD] = "zstd",
  [PVM_SQUASH_COMPRESSOR_XZ] = "xz",
  [PVM_SQUASH_COMPRESSOR_GZIP] = "gzip",
};

const char *
pvm_squash_compressor_to_string (PvmSquashCompressor compressor)
{
  g_return_val_if_fail ((guint) compressor < G_N_ELEMENTS (compressor_names), NULL);

  return compressor_names[compressor];
}

/**
 * pvm_squash_compressor_from_string:
 * @text: "lz4", "zstd", "xz" or "gzip"
 * @compressor: (out): the compressor
 * @error: return location for a #GError (%PVM_ERROR_INVALID_ARGUMENT)
 *
 * Returns: %TRUE if @text names a compressor
 */
gboolean
pvm_squash_compressor_from_string (const char           *text,
                                   PvmSquashCompressor  *compressor,
                                   GError              **error)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (compressor != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (compressor_names); i++)
    if (g_str_equal (text, compressor_names[i]))
      {
        *compressor = (PvmSquashCompressor) i;
        return TRUE;
      }

  g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
               "Unknown compressor \"%s\": choose lz4, zstd, xz or gzip", text);
  return FALSE;
}

/* The compressor ids of the SquashFS superblock. */
static const char *
compressor_id_to_string (guint id)
{
  switch (id)
    {
    case 1:  return "gzip";
    case 2:  return "lzma";
    case 3:  return "lzo";
    case 4:  return "xz";
    case 5:  return "lz4";
    case 6:  return "zstd";
    default: return "unknown";
    }
}

/* @name without a trailing ".sqsh". */
static char *
dup_stem (const char *name)
{
  gsize len = strlen (name);

  if (g_str_has_suffix (name, SQSH_SUFFIX) && len > strlen (SQSH_SUFFIX))
    len -= strlen (SQSH_SUFFIX);
  return g_strndup (name, len);
}

/**
 * pvm_squash_check_name:
 * @name: the name of a new archive, with or without ".sqsh"
 * @error: return location for a #GError
 *
 * The rules of pvm_image_check_name(), for archives: spaces, quotes and
 * any UTF-8 letter are fine; empty names, "/", "." and "..", a leading "."
 * or "-", control characters, text that is not UTF-8 and names over 240
 * bytes are refused with %PVM_ERROR_INVALID_NAME.
 *
 * Returns: %TRUE if @name can be given to a new archive
 */
gboolean
pvm_squash_check_name (const char  *name,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stem = NULL;
  static const char image_prefix[] = "Invalid image name";

  g_return_val_if_fail (name != NULL, FALSE);

  /* The same rules; the stem, so that "x.qcow2.sqsh" keeps its ".qcow2"
   * in the length check. The message speaks of archives. */
  stem = dup_stem (name);
  if (pvm_image_check_name (stem, &local_error))
    return TRUE;

  if (g_str_has_prefix (local_error->message, image_prefix))
    {
      g_autofree char *message = local_error->message;

      local_error->message = g_strconcat ("Invalid archive name",
                                          message + strlen (image_prefix), NULL);
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* --- superblock ---------------------------------------------------------- */

typedef struct
{
  guint32 inodes;
  guint32 mkfs_time;
  guint32 block_size;
  guint16 compressor;
  guint16 major;
  guint16 minor;
  guint64 bytes_used;
} Superblock;

static guint16
le16 (const guchar *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
le32 (const guchar *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) |
         ((guint32) p[3] << 24);
}

static guint64
le64 (const guchar *p)
{
  return (guint64) le32 (p) | ((guint64) le32 (p + 4) << 32);
}

typedef enum
{
  READ_OK,
  READ_NO_MAGIC,      /* not SquashFS at all */
  READ_FAILED,        /* unreadable, or a bad superblock: @error says */
} ReadResult;

/* Reads the superblock of @path, whose size is @file_size. */
static ReadResult
read_superblock (const char  *path,
                 guint64      file_size,
                 Superblock  *sb,
                 GError     **error)
{
  guchar buffer[SUPERBLOCK_SIZE];
  guint16 block_log;
  ssize_t n;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == EACCES || saved_errno == EPERM ? PVM_ERROR_PERMISSION_DENIED
                                                                 : PVM_ERROR_FAILED,
                   "Cannot read %s: %s", path, g_strerror (saved_errno));
      return READ_FAILED;
    }
  n = pread (fd, buffer, sizeof buffer, 0);
  if (n < 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "Cannot read %s: %s", path,
                   g_strerror (saved_errno));
      return READ_FAILED;
    }
  close (fd);

  if (n < 4 || memcmp (buffer, SQUASHFS_MAGIC_BYTES, 4) != 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "It is not a SquashFS archive (no \"hsqs\" magic)");
      return READ_NO_MAGIC;
    }
  if (n < SUPERBLOCK_SIZE)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "It is truncated: %zd bytes, shorter than a SquashFS superblock", n);
      return READ_FAILED;
    }

  sb->inodes = le32 (buffer + 4);
  sb->mkfs_time = le32 (buffer + 8);
  sb->block_size = le32 (buffer + 12);
  sb->compressor = le16 (buffer + 20);
  block_log = le16 (buffer + 22);
  sb->major = le16 (buffer + 28);
  sb->minor = le16 (buffer + 30);
  sb->bytes_used = le64 (buffer + 40);

  if (sb->major != 4)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                   "It is a SquashFS %u.%u archive: Linux reads only version 4",
                   sb->major, sb->minor);
      return READ_FAILED;
    }
  if (block_log < 12 || block_log > 20 || sb->block_size != (1u << block_log))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "Its superblock is damaged: block size %u", sb->block_size);
      return READ_FAILED;
    }
  if (sb->bytes_used < SUPERBLOCK_SIZE || sb->bytes_used > file_size)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "It is truncated: its superblock says %" G_GUINT64_FORMAT " bytes, the file "
                   "has %" G_GUINT64_FORMAT, sb->bytes_used, file_size);
      return READ_FAILED;
    }
  return READ_OK;
}

/* --- walking an archive: unsquashfs -lln --------------------------------- */

/* Between fork and exec: only async-signal-safe calls. The tool gets a
 * process group of its own, so that Ctrl+C in a terminal reaches pVM
 * alone, which cancels cleanly; and it dies with the thread that runs it. */
static void
tool_child_setup (gpointer user_data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* "-rw-r--r--": the mode of a regular file, as ls prints it. */
static gboolean
is_file_mode (const char *field)
{
  if (strlen (field) != 10 || field[0] != '-')
    return FALSE;
  for (guint i = 1; i < 10; i++)
    if (strchr ("-rwxsStT", field[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* Counts the regular files listed by "unsquashfs -lln" and adds up their
 * sizes. A line is "MODE UID/GID SIZE DATE TIME PATH": the path comes
 * last, so spaces in it do not matter; the continuation of a name that
 * holds a newline does not start with a file mode, and is skipped. */
static void
parse_listing (const char *listing,
               guint64    *files,
               guint64    *bytes)
{
  g_auto(GStrv) lines = g_strsplit (listing, "\n", -1);

  *files = *bytes = 0;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = lines[i];
      char mode[11];
      guint64 size;
      char *end;

      /* MODE */
      if (strlen (p) < 10)
        continue;
      memcpy (mode, p, 10);
      mode[10] = '\0';
      if (!is_file_mode (mode) || p[10] != ' ')
        continue;
      /* UID/GID, then SIZE; fields are separated by runs of spaces. */
      p += 10;
      while (*p == ' ')
        p++;
      while (*p != ' ' && *p != '\0')
        p++;
      while (*p == ' ')
        p++;
      if (!g_ascii_isdigit (*p))
        continue;
      size = g_ascii_strtoull (p, &end, 10);
      if (*end != ' ')
        continue;
      *files += 1;
      *bytes += size;
    }
}

/* The files and bytes in the archive @path, from unsquashfs. In its
 * messages, @path is shown as @shown_path. */
static gboolean
walk_archive (const char    *path,
              const char    *shown_path,
              guint64       *files,
              guint64       *bytes,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GString) messages = NULL;
  g_autofree char *unsquashfs = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  unsquashfs = pvm_host_find_tool ("unsquashfs", "squashfs-tools", error);
  if (unsquashfs == NULL)
    return FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, tool_child_setup, NULL, NULL);
  /* Dates as they are, whatever the time zone; paths from "/". */
  g_subprocess_launcher_setenv (launcher, "TZ", "UTC", TRUE);
  process = g_subprocess_launcher_spawn (launcher, error, unsquashfs, "-lln", "-d", "",
                                         path, NULL);
  if (process == NULL)
    return FALSE;

  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, &out, &err, error))
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      return FALSE;
    }

  if (!g_subprocess_get_successful (process))
    {
      messages = g_string_new (g_strstrip (err));
      g_string_replace (messages, path, shown_path, 0);
      g_string_replace (messages, "\n", "; ", 0);
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "unsquashfs cannot read %s: %s",
                   shown_path, messages->len > 0 ? messages->str : "no message");
      return FALSE;
    }

  parse_listing (out, files, bytes);
  return TRUE;
}

/* --- the statistics cache ------------------------------------------------ */

/* The cache of the archive @file_name: ".FILE.pvm-stats" beside it. */
static char *
stats_path (const char *directory,
            const char *file_name)
{
  g_autofree char *cache_name = g_strconcat (".", file_name, STATS_SUFFIX, NULL);

  return g_build_filename (directory, cache_name, NULL);
}

static gboolean
load_stats (const char        *path,
            const struct stat *st,
            const Superblock  *sb,
            guint64           *files,
            guint64           *bytes)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  struct {
    const char *key;
    guint64     expected;
  } const keys[] = {
    { "version", STATS_VERSION },
    { "size", (guint64) st->st_size },
    { "mtime", (guint64) st->st_mtim.tv_sec },
    { "mtime-nsec", (guint64) st->st_mtim.tv_nsec },
    { "bytes-used", sb->bytes_used },
    { "mkfs-time", sb->mkfs_time },
  };

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, NULL))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      guint64 value = g_key_file_get_uint64 (key_file, STATS_GROUP, keys[i].key, &error);

      if (error != NULL || value != keys[i].expected)
        return FALSE;
    }

  *files = g_key_file_get_uint64 (key_file, STATS_GROUP, "files", &error);
  if (error != NULL)
    return FALSE;
  *bytes = g_key_file_get_uint64 (key_file, STATS_GROUP, "uncompressed-size", &error);
  return error == NULL;
}

/* Writes the cache; a repository that cannot be written has none. */
static void
save_stats (const char        *path,
            const struct stat *st,
            const Superblock  *sb,
            guint64            files,
            guint64            bytes)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;

  g_key_file_set_comment (key_file, NULL, NULL,
                          " pVM: statistics of the SquashFS archive beside this file, from\n"
                          " \"unsquashfs -lln\" or its source; recomputed when the archive "
                          "changes. Safe to delete.", NULL);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "version", STATS_VERSION);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "size", (guint64) st->st_size);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "mtime", (guint64) st->st_mtim.tv_sec);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "mtime-nsec", (guint64) st->st_mtim.tv_nsec);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "bytes-used", sb->bytes_used);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "mkfs-time", sb->mkfs_time);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "files", files);
  g_key_file_set_uint64 (key_file, STATS_GROUP, "uncompressed-size", bytes);

  data = g_key_file_to_data (key_file, NULL, NULL);
  if (!g_file_set_contents_full (path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
    g_debug ("No statistics cache: %s", error->message);
}

/* --- reading one archive ------------------------------------------------- */

/* The archive @file_name of @directory, or NULL when it is no archive of
 * the repository: a *.sqsh file is one whatever it holds; *.squashfs and
 * *.sfs files are when they start with the SquashFS magic. */
static PvmSquashArchive *
load_archive (const char    *directory,
              const char    *file_name,
              gboolean       with_stats,
              GCancellable  *cancellable)
{
  g_autoptr(PvmSquashArchive) archive = g_atomic_rc_box_new0 (PvmSquashArchive);
  g_autoptr(GError) error = NULL;
  gboolean named = g_str_has_suffix (file_name, SQSH_SUFFIX);
  g_autofree char *cache = NULL;
  struct stat st;
  Superblock sb = { 0 };
  ReadResult result;

  if (!named && !g_str_has_suffix (file_name, ".squashfs") &&
      !g_str_has_suffix (file_name, ".sfs"))
    return NULL;

  archive->name = named ? dup_stem (file_name) : g_strdup (file_name);
  archive->path = g_build_filename (directory, file_name, NULL);

  if (stat (archive->path, &st) != 0)
    {
      int saved_errno = errno;

      if (!named)
        return NULL;
      archive->problem = g_strdup_printf ("Cannot read %s: %s", archive->path,
                                          g_strerror (saved_errno));
      return g_steal_pointer (&archive);
    }
  if (!S_ISREG (st.st_mode))
    return NULL;

  archive->archive_size = (guint64) st.st_size;
  archive->mtime = st.st_mtim.tv_sec;

  result = read_superblock (archive->path, (guint64) st.st_size, &sb, &error);
  if (result == READ_NO_MAGIC && !named)
    return NULL;
  if (result != READ_OK)
    {
      archive->problem = g_strdup (error->message);
      return g_steal_pointer (&archive);
    }

  archive->usable = TRUE;
  archive->compressor = g_strdup (compressor_id_to_string (sb.compressor));
  archive->block_size = sb.block_size;
  archive->inodes = sb.inodes;
  archive->bytes_used = sb.bytes_used;
  archive->mkfs_time = sb.mkfs_time;

  if (!with_stats)
    return g_steal_pointer (&archive);

  cache = stats_path (directory, file_name);
  if (!load_stats (cache, &st, &sb, &archive->files, &archive->uncompressed_size))
    {
      if (walk_archive (archive->path, archive->path, &archive->files,
                        &archive->uncompressed_size, cancellable, &error))
        save_stats (cache, &st, &sb, archive->files, archive->uncompressed_size);
      else if (g_error_matches (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL) ||
               g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_steal_pointer (&archive);    /* nothing wrong with the archive */
      else
        {
          archive->usable = FALSE;
          archive->problem = g_strdup (error->message);
          return g_steal_pointer (&archive);
        }
    }

  archive->has_stats = TRUE;
  if (archive->archive_size > 0)
    archive->ratio = (double) archive->uncompressed_size / (double) archive->archive_size;
  return g_steal_pointer (&archive);
}

/* --- PvmSquashRepo ------------------------------------------------------- */

struct _PvmSquashRepo
{
  GObject parent_instance;

  /* Owned: absolute, as given (symlinks are not resolved) */
  char *directory;
};

G_DEFINE_FINAL_TYPE (PvmSquashRepo, pvm_squash_repo, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pvm_squash_repo_finalize (GObject *object)
{
  PvmSquashRepo *self = PVM_SQUASH_REPO (object);

  g_clear_pointer (&self->directory, g_free);

  G_OBJECT_CLASS (pvm_squash_repo_parent_class)->finalize (object);
}

static void
pvm_squash_repo_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PvmSquashRepo *self = PVM_SQUASH_REPO (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_squash_repo_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PvmSquashRepo *self = PVM_SQUASH_REPO (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_assert (self->directory == NULL);
      self->directory = g_canonicalize_filename (g_value_get_string (value), NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_squash_repo_class_init (PvmSquashRepoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pvm_squash_repo_finalize;
  object_class->get_property = pvm_squash_repo_get_property;
  object_class->set_property = pvm_squash_repo_set_property;

  /**
   * PvmSquashRepo:directory:
   *
   * The repository's directory, made absolute (against the current
   * directory) when the repository is constructed.
   */
  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pvm_squash_repo_init (PvmSquashRepo *self)
{
}

/**
 * pvm_squash_repo_new:
 * @directory: the repository's directory (SQUASHREPO); it need not exist
 *   yet
 *
 * Returns: (transfer full): a repository
 */
PvmSquashRepo *
pvm_squash_repo_new (const char *directory)
{
  g_return_val_if_fail (directory != NULL && *directory != '\0', NULL);

  return g_object_new (PVM_TYPE_SQUASH_REPO, "directory", directory, NULL);
}

const char *
pvm_squash_repo_get_directory (PvmSquashRepo *self)
{
  g_return_val_if_fail (PVM_IS_SQUASH_REPO (self), NULL);

  return self->directory;
}

static void
set_directory_error (GError     **error,
                     int          saved_errno,
                     const char  *directory)
{
  if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                 "The data repository %s does not exist: create it (mkdir -p %s), or set "
                 "SQUASHREPO to the directory of your archives", directory, directory);
  else if (saved_errno == EACCES || saved_errno == EPERM)
    g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                 "Cannot read the data repository %s: permission denied", directory);
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                 "Cannot read the data repository %s: %s", directory,
                 g_strerror (saved_errno));
}

static const char *
get_archive_name (gconstpointer item)
{
  return ((const PvmSquashArchive *) item)->name;
}

/**
 * pvm_squash_repo_list:
 * @self: a repository
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the archives: visible files named *.sqsh, and *.squashfs and
 * *.sfs files that start with the SquashFS magic. The statistics that
 * need a walk of an archive come from its cache when it is up to date;
 * otherwise unsquashfs walks it, in this thread, and the cache is
 * written (pvm_squash_repo_list_async() does this in a worker thread).
 *
 * Returns: (transfer full) (element-type PvmSquashArchive): the archives,
 *   sorted by name (pvm_names_sort()), or %NULL if the directory cannot
 *   be read
 */
GPtrArray *
pvm_squash_repo_list (PvmSquashRepo  *self,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(GPtrArray) archives = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (PVM_IS_SQUASH_REPO (self), NULL);

  dir = g_dir_open (self->directory, 0, NULL);
  if (dir == NULL)
    {
      set_directory_error (error, errno, self->directory);
      return NULL;
    }

  archives = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_squash_archive_unref);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      PvmSquashArchive *archive;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (name[0] == '.')
        continue;
      if ((archive = load_archive (self->directory, name, TRUE, cancellable)) != NULL)
        g_ptr_array_add (archives, archive);
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  pvm_names_sort (archives, get_archive_name);
  return g_steal_pointer (&archives);
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *archives = pvm_squash_repo_list (source_object, cancellable, &error);

  if (archives != NULL)
    g_task_return_pointer (task, archives, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

/**
 * pvm_squash_repo_list_async:
 * @self: a repository
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it is done
 * @user_data: data for @callback
 *
 * pvm_squash_repo_list() in a worker thread.
 */
void
pvm_squash_repo_list_async (PvmSquashRepo       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_SQUASH_REPO (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_squash_repo_list_async);
  g_task_run_in_thread (task, list_thread);
}

/**
 * pvm_squash_repo_list_finish:
 * @self: a repository
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type PvmSquashArchive): the archives,
 *   or %NULL
 */
GPtrArray *
pvm_squash_repo_list_finish (PvmSquashRepo  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (PVM_IS_SQUASH_REPO (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pvm_squash_repo_list_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The archive @name: the file @name.sqsh, or @name itself when it is an
 * archive of the repository. */
static PvmSquashArchive *
find_archive (PvmSquashRepo  *self,
              const char     *name,
              gboolean        with_stats,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autofree char *file_name = NULL;
  PvmSquashArchive *archive = NULL;

  if (*name == '\0' || strchr (name, '/') != NULL || g_str_equal (name, ".") ||
      g_str_equal (name, "..") || *name == '.')
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_NAME,
                   "Invalid archive name \"%s\": give the name of an archive of the "
                   "repository, not a path", name);
      return NULL;
    }

  if (!g_file_test (self->directory, G_FILE_TEST_IS_DIR))
    {
      set_directory_error (error, ENOENT, self->directory);
      return NULL;
    }

  file_name = g_strconcat (name, SQSH_SUFFIX, NULL);
  archive = load_archive (self->directory, file_name, with_stats, cancellable);
  if (archive == NULL || (archive->problem != NULL && !g_file_test (archive->path,
                                                                    G_FILE_TEST_EXISTS)))
    {
      g_clear_pointer (&archive, pvm_squash_archive_unref);
      archive = load_archive (self->directory, name, with_stats, cancellable);
    }
  if (archive != NULL && !g_file_test (archive->path, G_FILE_TEST_EXISTS))
    g_clear_pointer (&archive, pvm_squash_archive_unref);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_pointer (&archive, pvm_squash_archive_unref);
      return NULL;
    }
  if (archive == NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                 "There is no archive \"%s\" in %s (\"pvm squash list\" lists them)",
                 name, self->directory);
  return archive;
}

/**
 * pvm_squash_repo_info:
 * @self: a repository
 * @name: an archive's name (".sqsh" may be given)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Everything pvm_squash_repo_list() says about one archive; only that
 * archive is read (and walked when its cache is stale).
 *
 * Returns: (transfer full): the archive, or %NULL with
 *   %PVM_ERROR_NOT_FOUND
 */
PvmSquashArchive *
pvm_squash_repo_info (PvmSquashRepo  *self,
                      const char     *name,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (PVM_IS_SQUASH_REPO (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return find_archive (self, name, TRUE, cancellable, error);
}

/**
 * pvm_squash_repo_delete:
 * @self: a repository
 * @name: an archive's name
 * @error: return location for a #GError
 *
 * Deletes the archive and its statistics cache; nothing else.
 *
 * Returns: %TRUE if it was deleted; %FALSE with %PVM_ERROR_NOT_FOUND for
 *   a name that is no archive of the repository
 */
gboolean
pvm_squash_repo_delete (PvmSquashRepo  *self,
                        const char     *name,
                        GError        **error)
{
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *cache = NULL;

  g_return_val_if_fail (PVM_IS_SQUASH_REPO (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  archive = find_archive (self, name, FALSE, NULL, error);
  if (archive == NULL)
    {
      g_prefix_error (error, "Cannot delete \"%s\": ", name);
      return FALSE;
    }

  if (g_unlink (archive->path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                     ? PVM_ERROR_PERMISSION_DENIED : PVM_ERROR_FAILED,
                   "Cannot delete %s: %s", archive->path, g_strerror (saved_errno));
      return FALSE;
    }

  file_name = g_path_get_basename (archive->path);
  cache = stats_path (self->directory, file_name);
  if (g_unlink (cache) != 0 && errno != ENOENT)
    g_debug ("Cannot delete %s: %s", cache, g_strerror (errno));
  return TRUE;
}

/* --- create -------------------------------------------------------------- */

/* The walk of the source, in a thread of its own while mksquashfs runs. */
typedef struct
{
  /* Borrowed */
  const char   *source;
  GCancellable *cancellable;  /* the run's: cancelled by the caller's */

  /* Set by the walk; read once it is joined, @bytes when @done is set */
  GError       *error;
  guint64       files;
  guint64       bytes;
  gint64        since;        /* changes after this (µs since the epoch) */
  gboolean      changed;      /* something changed after @since */
  gint          done;         /* atomic */
} SourceWalk;

/* Counts the regular files under @path and adds up their sizes, and
 * refuses what mksquashfs could not read (mksquashfs runs with
 * -exit-on-error too, for what changes meanwhile, but its message is only
 * "Failed to read file X"). Notes whether anything changed after
 * @walk->since. */
static gboolean
walk_source (const char  *path,
             SourceWalk  *walk,
             GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_cancellable_set_error_if_cancelled (walk->cancellable, error))
    return FALSE;

  if (access (path, R_OK | X_OK) != 0 || (dir = g_dir_open (path, 0, NULL)) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == EACCES || saved_errno == EPERM ? PVM_ERROR_PERMISSION_DENIED
                                                                 : PVM_ERROR_FAILED,
                   "Cannot read the directory %s: %s. An archive must hold every file of "
                   "its source: make it readable, or move it out of the source", path,
                   g_strerror (saved_errno));
      return FALSE;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      struct stat st;

      if (lstat (child, &st) != 0)
        {
          walk->changed = TRUE;  /* gone meanwhile */
          continue;
        }
      if ((gint64) st.st_ctim.tv_sec * G_USEC_PER_SEC + st.st_ctim.tv_nsec / 1000 >= walk->since)
        walk->changed = TRUE;
      if (S_ISDIR (st.st_mode))
        {
          if (!walk_source (child, walk, error))
            return FALSE;
        }
      else if (S_ISREG (st.st_mode))
        {
          if (access (child, R_OK) != 0)
            {
              int saved_errno = errno;

              g_set_error (error, PVM_ERROR,
                           saved_errno == EACCES || saved_errno == EPERM
                             ? PVM_ERROR_PERMISSION_DENIED : PVM_ERROR_FAILED,
                           "Cannot read %s: %s. An archive must hold every file of its "
                           "source: make it readable, or move it out of the source", child,
                           g_strerror (saved_errno));
              return FALSE;
            }
          walk->files++;
          walk->bytes += (guint64) st.st_size;
        }
    }
  return TRUE;
}

static gpointer
walk_source_thread (gpointer data)
{
  SourceWalk *walk = data;

  /* A source that cannot be read stops mksquashfs at once. */
  if (!walk_source (walk->source, walk, &walk->error))
    g_cancellable_cancel (walk->cancellable);
  g_atomic_int_set (&walk->done, 1);
  return NULL;
}

static void
cancel_run (GCancellable *cancellable,
            GCancellable *run_cancellable)
{
  g_cancellable_cancel (run_cancellable);
}

/* Where the archive @file_name is made: @file_name in a new, hidden
 * directory of @directory, which pVM alone uses. mksquashfs creates the
 * file itself: writing into a file that exists, even an empty one, made
 * it half as slow again (0.65 against 0.42 s for 630 MiB with lz4). */
static char *
create_temp_file (const char  *directory,
                  const char  *file_name,
                  GError     **error)
{
  g_autofree char *temp_name = g_strdup_printf (".%s.XXXXXX", file_name);
  g_autofree char *temp_dir = g_build_filename (directory, temp_name, NULL);

  if (g_mkdtemp_full (temp_dir, 0700) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == ENOSPC ? PVM_ERROR_NO_SPACE :
                   saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                     ? PVM_ERROR_PERMISSION_DENIED : PVM_ERROR_FAILED,
                   "Cannot create a file in %s: %s", directory, g_strerror (saved_errno));
      return NULL;
    }
  return g_build_filename (temp_dir, file_name, NULL);
}

/* Removes what create_temp_file() made, and the archive if it is still
 * there. */
static void
remove_temp_file (const char *temp)
{
  g_autofree char *temp_dir = g_path_get_dirname (temp);

  g_unlink (temp);
  g_rmdir (temp_dir);
}

/* A pseudo-terminal for mksquashfs's standard output: @master for pVM to
 * read (non-blocking), @slave for the child, 80 columns wide. */
static gboolean
open_pty (int     *master,
          int     *slave,
          GError **error)
{
  struct winsize size = { .ws_row = 24, .ws_col = 80 };
  char name[128];
  int m, s = -1;

  m = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0 || grantpt (m) != 0 || unlockpt (m) != 0 || ptsname_r (m, name, sizeof name) != 0 ||
      (s = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
      ioctl (s, TIOCSWINSZ, &size) != 0 || !g_unix_set_fd_nonblocking (m, TRUE, NULL))
    {
      int saved_errno = errno;

      if (m >= 0)
        close (m);
      if (s >= 0)
        close (s);
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "Cannot open a pseudo-terminal for mksquashfs's progress: %s",
                   g_strerror (saved_errno));
      return FALSE;
    }

  *master = m;
  *slave = s;
  return TRUE;
}

/* "[=====/      ]  98/2560   3%": the progress mksquashfs draws. */
static gboolean
parse_progress (const char *line,
                double     *fraction)
{
  const char *close = strrchr (line, ']');
  guint64 current, max;
  char *end;

  if (line[0] != '[' || close == NULL)
    return FALSE;
  current = g_ascii_strtoull (close + 1, &end, 10);
  if (end == close + 1 || *end != '/')
    return FALSE;
  max = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != ' ' || current > max)
    return FALSE;

  *fraction = max > 0 ? (double) current / (double) max : 1.0;
  return TRUE;
}

typedef struct
{
  /* Borrowed */
  PvmSquashProgressFunc  progress;
  gpointer               progress_data;

  /* Owned */
  GString               *line;       /* the line mksquashfs is drawing */
  GString               *messages;   /* what it wrote on stderr */
  GString               *err_line;

  SourceWalk            *walk;       /* its total, once it is done */
  double                 reported;   /* the last fraction reported, or -1 */
  gint64                 files;      /* "Number of files" in its summary, or -1 */
} MksquashfsRun;

static void
report (MksquashfsRun *run,
        double         fraction)
{
  guint64 total = g_atomic_int_get (&run->walk->done) ? run->walk->bytes : 0;

  if (fraction <= run->reported)
    return;
  run->reported = fraction;
  if (run->progress != NULL)
    run->progress (fraction, (guint64) (fraction * (double) total), total, run->progress_data);
}

/* Progress on the pseudo-terminal: lines end in "\r" (redrawn) or "\r\n";
 * then the summary, where "Number of files N" counts the regular files. */
static void
feed_progress (MksquashfsRun *run,
               const char    *data,
               gssize         n)
{
  for (gssize i = 0; i < n; i++)
    {
      double fraction;

      if (data[i] != '\r' && data[i] != '\n')
        {
          g_string_append_c (run->line, data[i]);
          continue;
        }
      if (parse_progress (run->line->str, &fraction))
        report (run, fraction);
      else if (g_str_has_prefix (run->line->str, "Number of files ") &&
               g_ascii_isdigit (run->line->str[16]))
        run->files = (gint64) g_ascii_strtoull (run->line->str + 16, NULL, 10);
      g_string_truncate (run->line, 0);
    }
}

static void
feed_messages (MksquashfsRun *run,
               const char    *data,
               gssize         n)
{
  for (gssize i = 0; i < n; i++)
    {
      if (data[i] != '\n')
        {
          g_string_append_c (run->err_line, data[i]);
          continue;
        }
      if (*g_strstrip (run->err_line->str) != '\0')
        g_string_append_printf (run->messages, "%s%s", run->messages->len > 0 ? "; " : "",
                                run->err_line->str);
      g_string_truncate (run->err_line, 0);
    }
}

/* Reads what is there on @fd; FALSE at its end. */
static gboolean
read_available (int            fd,
                MksquashfsRun *run,
                gboolean       progress)
{
  char buffer[4096];

  for (;;)
    {
      gssize n = read (fd, buffer, sizeof buffer);

      if (n > 0)
        {
          if (progress)
            feed_progress (run, buffer, n);
          else
            feed_messages (run, buffer, n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      /* EIO: the pseudo-terminal's other side is closed. */
      return n < 0 && errno == EAGAIN;
    }
}

/* Runs mksquashfs: @argv, progress read from a pseudo-terminal, messages
 * from a pipe. Cancelling @cancellable kills it; it is always waited for.
 * On failure, @run->messages holds what it said. */
static gboolean
run_mksquashfs (const char * const *argv,
                MksquashfsRun      *run,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  GInputStream *err_stream;
  GPollFD fds[3];
  gboolean out_open = TRUE, err_open = TRUE, cancelled = FALSE;
  int master, slave, err_fd;
  guint n_fds = 2;

  if (!open_pty (&master, &slave, error))
    return FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_take_stdout_fd (launcher, slave);
  g_subprocess_launcher_set_child_setup (launcher, tool_child_setup, NULL, NULL);
  /* Messages in English, as pVM matches them. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  /* Closes the child's side here: the end of its output is seen. */
  g_clear_object (&launcher);
  if (process == NULL)
    {
      close (master);
      return FALSE;
    }

  err_stream = g_subprocess_get_stderr_pipe (process);
  err_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (err_stream));
  g_unix_set_fd_nonblocking (err_fd, TRUE, NULL);
  fds[0] = (GPollFD) { .fd = master, .events = G_IO_IN | G_IO_HUP | G_IO_ERR };
  fds[1] = (GPollFD) { .fd = err_fd, .events = G_IO_IN | G_IO_HUP | G_IO_ERR };
  if (g_cancellable_make_pollfd (cancellable, &fds[2]))
    n_fds = 3;

  while ((out_open || err_open) && !cancelled)
    {
      if (g_poll (fds, n_fds, -1) < 0 && errno != EINTR)
        break;
      if (g_cancellable_is_cancelled (cancellable))
        cancelled = TRUE;
      else
        {
          if (out_open && fds[0].revents != 0 && !(out_open = read_available (master, run, TRUE)))
            fds[0].fd = -1;
          if (err_open && fds[1].revents != 0 && !(err_open = read_available (err_fd, run, FALSE)))
            fds[1].fd = -1;
        }
    }
  if (n_fds == 3)
    g_cancellable_release_fd (cancellable);
  feed_messages (run, "\n", 1);
  close (master);

  if (cancelled || out_open || err_open)
    g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (g_subprocess_get_successful (process))
    return TRUE;

  if (g_subprocess_get_if_signaled (process))
    g_string_append_printf (run->messages, "%smksquashfs was killed by signal %d",
                            run->messages->len > 0 ? "; " : "",
                            g_subprocess_get_term_sig (process));
  else if (run->messages->len == 0)
    g_string_assign (run->messages, "mksquashfs failed without a message");
  return FALSE;
}

/* The path of the new archive @name: refuses a bad name and an existing
 * file (as @name.sqsh, or as @name). */
static char *
new_archive_path (PvmSquashRepo  *self,
                  const char     *name,
                  GError        **error)
{
  g_autofree char *stem = NULL;
  g_autofree char *as_given = NULL;
  g_autofree char *path = NULL;
  struct stat st;

  if (!pvm_squash_check_name (name, error))
    return NULL;

  if (!g_file_test (self->directory, G_FILE_TEST_IS_DIR))
    {
      set_directory_error (error, ENOENT, self->directory);
      return NULL;
    }

  stem = dup_stem (name);
  path = g_strdup_printf ("%s/%s" SQSH_SUFFIX, self->directory, stem);
  as_given = g_build_filename (self->directory, name, NULL);
  if (lstat (path, &st) == 0 || lstat (as_given, &st) == 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                   "An archive named \"%s\" already exists (%s): choose another name, or "
                   "delete it first (pvm squash delete)", stem,
                   lstat (path, &st) == 0 ? path : as_given);
      return NULL;
    }

  return g_steal_pointer (&path);
}

/* Turns what mksquashfs said into an error a user can act on. */
static void
set_mksquashfs_error (GError     **error,
                      GString     *messages,
                      const char  *temp,
                      const char  *path,
                      const char  *directory)
{
  g_string_replace (messages, temp, path, 0);

  if (strstr (messages->str, "No space left on device") != NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NO_SPACE,
                 "the file system of %s is full: free some space there (mksquashfs: %s)",
                 directory, messages->str);
  else if (strstr (messages->str, "File too large") != NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NO_SPACE,
                 "the archive is larger than the file system of %s or this process's file "
                 "size limit (ulimit -f) allows (mksquashfs: %s)", directory, messages->str);
  else if (strstr (messages->str, "Failed to read file") != NULL ||
           strstr (messages->str, "Could not open") != NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                 "a file of the source cannot be read, and an archive must hold every file "
                 "of its source (mksquashfs: %s)", messages->str);
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "mksquashfs: %s", messages->str);
}

/**
 * pvm_squash_repo_create:
 * @self: a repository
 * @source_dir: the directory to archive
 * @name: the new archive's name (".sqsh" is added when missing)
 * @compressor: the compressor
 * @progress: (nullable) (scope call): called as mksquashfs progresses (about
 *   every 250 ms), in this thread
 * @progress_data: data for @progress
 * @cancellable: (nullable): a #GCancellable: kills mksquashfs
 * @error: return location for a #GError
 *
 * Makes an archive of @source_dir with mksquashfs, using every processor,
 * all files owned by root (-all-root, as the guest contract expects).
 * Every file of the source must be readable: mksquashfs would leave out
 * what it cannot read, here it is an error naming the file. The archive is
 * made under a hidden temporary name, checked (its superblock), its
 * statistics cached (from the walk of the source, or from unsquashfs when
 * the source changed meanwhile), then renamed into place; an existing archive is never replaced nor appended to. Cancelled
 * or failed, nothing is left. This blocks: the GUI uses
 * pvm_squash_repo_create_async().
 *
 * Returns: (transfer full): the new archive, or %NULL with
 *   %PVM_ERROR_INVALID_NAME, %PVM_ERROR_EXISTS, %PVM_ERROR_NOT_FOUND,
 *   %PVM_ERROR_PERMISSION_DENIED, %PVM_ERROR_NO_SPACE, %G_IO_ERROR_CANCELLED...
 */
PvmSquashArchive *
pvm_squash_repo_create (PvmSquashRepo          *self,
                        const char             *source_dir,
                        const char             *name,
                        PvmSquashCompressor     compressor,
                        PvmSquashProgressFunc   progress,
                        gpointer                progress_data,
                        GCancellable           *cancellable,
                        GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) messages = g_string_new (NULL);
  g_autoptr(GString) err_line = g_string_new (NULL);
  g_autoptr(GCancellable) run_cancellable = g_cancellable_new ();
  g_autofree char *path = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *source = NULL;
  g_autofree char *mksquashfs = NULL;
  g_autofree char *processors = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *stem = NULL;
  SourceWalk walk = { NULL, run_cancellable, NULL, 0, 0, 0, FALSE, 0 };
  MksquashfsRun run = { progress, progress_data, line, messages, err_line, &walk, -1.0, -1 };
  GThread *walk_thread = NULL;
  gulong cancel_id = 0;
  gboolean made;
  guint64 files, bytes;
  Superblock sb;
  struct stat st;

  g_return_val_if_fail (PVM_IS_SQUASH_REPO (self), NULL);
  g_return_val_if_fail (source_dir != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail ((guint) compressor < G_N_ELEMENTS (compressor_names), NULL);

  if ((path = new_archive_path (self, name, error)) == NULL)
    return NULL;

  source = g_canonicalize_filename (source_dir, NULL);
  if (stat (source, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == EACCES ? PVM_ERROR_PERMISSION_DENIED : PVM_ERROR_NOT_FOUND,
                   "Cannot archive %s: %s", source, g_strerror (saved_errno));
      return NULL;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Cannot archive %s: it is not a directory", source);
      return NULL;
    }

  if ((mksquashfs = pvm_host_find_tool ("mksquashfs", "squashfs-tools", error)) == NULL)
    return NULL;

  if ((temp = create_temp_file (self->directory, strrchr (path, '/') + 1, error)) == NULL)
    {
      g_prefix_error (error, "Cannot create the archive %s: ", path);
      return NULL;
    }

  /* The walk of the source runs beside mksquashfs: on a large source it
   * cost 6 % of the time before it (bench/squash-create). */
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_run),
                                       run_cancellable, NULL);
  walk.source = source;
  /* A file the file system stamped within a second before this may
   * still have been changing: the clock it stamps with is coarse. */
  walk.since = g_get_real_time () - G_USEC_PER_SEC;
  walk_thread = g_thread_new ("pvm-squash-walk", walk_source_thread, &walk);

  processors = g_strdup_printf ("%u", MAX (g_get_num_processors (), 1));
  {
    /* The temporary directory is pVM's, just made: -noappend
     * overwrites nothing else. */
    const char * const argv[] = { mksquashfs, source, temp, "-noappend", "-exit-on-error",
                                  "-all-root", "-comp", compressor_names[compressor],
                                  "-processors", processors, NULL };

    report (&run, 0.0);
    made = run_mksquashfs (argv, &run, run_cancellable, &local_error);
  }
  g_thread_join (walk_thread);
  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);

  /* The walk's message names what cannot be read; it stopped mksquashfs. */
  if (walk.error != NULL && !g_error_matches (walk.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&local_error);
      local_error = g_steal_pointer (&walk.error);
      goto failed;
    }
  g_clear_error (&walk.error);
  if (!made)
    {
      if (local_error == NULL)
        set_mksquashfs_error (&local_error, messages, temp, path, self->directory);
      goto failed;
    }

  /* Readable before it is listed: the superblock, and every directory. */
  if (stat (temp, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (&local_error, PVM_ERROR, PVM_ERROR_FAILED, "mksquashfs left no file: %s",
                   g_strerror (saved_errno));
      goto failed;
    }
  if (read_superblock (temp, (guint64) st.st_size, &sb, &local_error) != READ_OK)
    {
      g_prefix_error (&local_error, "mksquashfs made an archive that cannot be read: ");
      goto failed;
    }
  /* The statistics are the walk's when nothing changed in the source
   * meanwhile and mksquashfs counted the same files (it does not count
   * hard links twice); otherwise the archive is walked. */
  if (!walk.changed && run.files >= 0 && (guint64) run.files == walk.files)
    {
      g_debug ("The statistics of %s: from the walk of its source", path);
      files = walk.files;
      bytes = walk.bytes;
    }
  else
    {
      g_debug ("The statistics of %s: from unsquashfs (%s)", path,
               walk.changed ? "the source changed meanwhile" : "mksquashfs counted otherwise");
      if (!walk_archive (temp, path, &files, &bytes, cancellable, &local_error))
        {
          g_prefix_error (&local_error, "mksquashfs made an archive that cannot be read: ");
          goto failed;
        }
    }

  /* Past this point the archive is in place, or nothing happened. */
  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error) ||
      !_pvm_rename_no_replace (temp, path, &local_error))
    goto failed;
  remove_temp_file (temp);

  file_name = g_path_get_basename (path);
  cache = stats_path (self->directory, file_name);
  save_stats (cache, &st, &sb, files, bytes);
  report (&run, 1.0);

  stem = dup_stem (file_name);
  return find_archive (self, stem, TRUE, NULL, error);

failed:
  remove_temp_file (temp);
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (&local_error, "Cannot create the archive %s: ", path);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

typedef struct
{
  /* Owned */
  char                  *source_dir;
  char                  *name;
  GMainContext          *context;   /* where progress is reported */
  PvmSquashCompressor    compressor;

  /* Borrowed: the caller keeps it until the callback */
  PvmSquashProgressFunc  progress;
  gpointer               progress_data;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->source_dir);
  g_free (data->name);
  g_main_context_unref (data->context);
  g_free (data);
}

typedef struct
{
  GTask   *task;     /* owned */
  double   fraction;
  guint64  bytes_done;
  guint64  bytes_total;
} ProgressEvent;

static void
progress_event_free (ProgressEvent *event)
{
  g_object_unref (event->task);
  g_free (event);
}

static gboolean
progress_event_dispatch (gpointer user_data)
{
  ProgressEvent *event = user_data;
  CreateData *data = g_task_get_task_data (event->task);

  data->progress (event->fraction, event->bytes_done, event->bytes_total, data->progress_data);
  return G_SOURCE_REMOVE;
}

/* In the worker thread: passes the progress to the caller's context. */
static void
create_progress_cb (double   fraction,
                    guint64  bytes_done,
                    guint64  bytes_total,
                    gpointer user_data)
{
  GTask *task = user_data;
  CreateData *data = g_task_get_task_data (task);
  ProgressEvent *event = g_new0 (ProgressEvent, 1);

  g_autoptr(GSource) source = g_idle_source_new ();

  /* Always through a source: g_main_context_invoke() could call it here,
   * in the worker thread. */
  event->task = g_object_ref (task);
  event->fraction = fraction;
  event->bytes_done = bytes_done;
  event->bytes_total = bytes_total;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_event_dispatch, event,
                         (GDestroyNotify) progress_event_free);
  g_source_set_static_name (source, "[pvm] squash progress");
  g_source_attach (source, data->context);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateData *data = task_data;
  GError *error = NULL;
  PvmSquashArchive *archive;

  archive = pvm_squash_repo_create (source_object, data->source_dir, data->name,
                                    data->compressor,
                                    data->progress != NULL ? create_progress_cb : NULL, task,
                                    cancellable, &error);
  if (archive != NULL)
    g_task_return_pointer (task, archive, (GDestroyNotify) pvm_squash_archive_unref);
  else
    g_task_return_error (task, error);
}

/**
 * pvm_squash_repo_create_async:
 * @self: a repository
 * @source_dir: the directory to archive
 * @name: the new archive's name
 * @compressor: the compressor
 * @progress: (nullable) (scope notified): called in the thread-default
 *   main context of the caller as mksquashfs progresses, never after
 *   @callback
 * @progress_data: data for @progress, kept alive by the caller until
 *   @callback runs
 * @cancellable: (nullable): kills mksquashfs; nothing is left
 * @callback: called when it is done
 * @user_data: data for @callback
 *
 * pvm_squash_repo_create() in a worker thread.
 */
void
pvm_squash_repo_create_async (PvmSquashRepo          *self,
                              const char             *source_dir,
                              const char             *name,
                              PvmSquashCompressor     compressor,
                              PvmSquashProgressFunc   progress,
                              gpointer                progress_data,
                              GCancellable           *cancellable,
                              GAsyncReadyCallback     callback,
                              gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  CreateData *data;

  g_return_if_fail (PVM_IS_SQUASH_REPO (self));
  g_return_if_fail (source_dir != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (CreateData, 1);
  data->source_dir = g_strdup (source_dir);
  data->name = g_strdup (name);
  data->compressor = compressor;
  data->context = g_main_context_ref_thread_default ();
  data->progress = progress;
  data->progress_data = progress_data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_squash_repo_create_async);
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);
  /* The result says what happened: a rename that beat the cancellation
   * is a success. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, create_thread);
}

/**
 * pvm_squash_repo_create_finish:
 * @self: a repository
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError (%G_IO_ERROR_CANCELLED when
 *   cancelled)
 *
 * Returns: (transfer full): the new archive, or %NULL
 */
PvmSquashArchive *
pvm_squash_repo_create_finish (PvmSquashRepo  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (PVM_IS_SQUASH_REPO (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pvm_squash_repo_create_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
