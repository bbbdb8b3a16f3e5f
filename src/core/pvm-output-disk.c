/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-output-disk"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-output-disk.h"
#include "pvm-repo-private.h"

/* What the last collect saw of the disk image: "SIZE MTIME_NS". */
#define STAMP_FILE "collected"
/* What the last collect saw of the disk on another host (libvirt's
 * "SIZE MTIME" of it). */
#define REMOTE_STAMP_FILE "collected-remote"

static char *
dup_dir (const char *output_dir)
{
  return g_build_filename (output_dir, PVM_OUTPUT_DISK_DIR, NULL);
}

/**
 * pvm_output_disk_dup_path:
 * @output_dir: a VM's output directory
 *
 * Returns: (transfer full): where its output disk image is kept:
 *   OUTPUT/.pvm/output.img
 */
char *
pvm_output_disk_dup_path (const char *output_dir)
{
  g_return_val_if_fail (output_dir != NULL, NULL);

  return g_build_filename (output_dir, PVM_OUTPUT_DISK_DIR, PVM_OUTPUT_DISK_FILE, NULL);
}

/* Runs @argv in @cwd; on failure, an error with what it printed. */
static gboolean
run_tool (const char * const  *argv,
          const char          *cwd,
          char               **errors,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, cancellable, NULL, &err, error))
    return FALSE;

  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "%s failed: %s", argv[0],
                   g_strstrip (err));
      return FALSE;
    }
  if (errors != NULL)
    *errors = g_steal_pointer (&err);
  return TRUE;
}

/**
 * pvm_output_disk_prepare:
 * @output_dir: a VM's output directory, which exists
 * @size: the disk's size in bytes, for a new one
 * @created: (out) (optional): whether this call made the disk
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes the VM's output disk if it has none yet: a sparse file of @size
 * with an ext4 file system whose root belongs to the guest's root user
 * (mkfs.ext4, no root, no mount). A disk that exists is kept as it is, with
 * what earlier runs wrote on it. A failure leaves no file behind.
 *
 * Returns: %TRUE if the disk is there
 */
gboolean
pvm_output_disk_prepare (const char    *output_dir,
                         guint64        size,
                         gboolean      *created,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *mkfs = NULL;
  int fd, saved_errno;

  g_return_val_if_fail (output_dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (created != NULL)
    *created = FALSE;
  dir = dup_dir (output_dir);
  path = pvm_output_disk_dup_path (output_dir);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;

  if ((mkfs = pvm_host_find_tool ("mkfs.ext4", "e2fsprogs", error)) == NULL)
    return FALSE;

  /* The umask decides who else may enter (on shared storage: another
   * host's QEMU). */
  if (g_mkdir (dir, 0777) != 0 && errno != EEXIST)
    {
      saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  temp = g_build_filename (dir, "." PVM_OUTPUT_DISK_FILE ".XXXXXX", NULL);
  /* The user's umask decides who else may read it (and, on a shared
   * repository, write it: another host's QEMU). */
  fd = g_mkstemp_full (temp, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0 || ftruncate (fd, (off_t) size) != 0)
    {
      saved_errno = errno;
      if (fd >= 0)
        {
          close (fd);
          g_unlink (temp);
        }
      g_set_error (error, PVM_ERROR, saved_errno == ENOSPC || saved_errno == EFBIG
                                       ? PVM_ERROR_NO_SPACE : PVM_ERROR_FAILED,
                   "Cannot make the output disk in %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  {
    /* root_owner: the guest's root owns the file system's root. */
    const char *argv[] = { mkfs, "-q", "-F", "-L", "pvm-output", "-E",
                           "root_owner=0:0,lazy_itable_init=1,lazy_journal_init=1",
                           temp, NULL };

    if (!run_tool (argv, NULL, NULL, cancellable, error) ||
        !_pvm_rename_no_replace (temp, path, error))
      {
        g_prefix_error (error, "Cannot make the output disk %s: ", path);
        g_unlink (temp);
        return FALSE;
      }
  }

  if (created != NULL)
    *created = TRUE;
  return TRUE;
}

static char *
dup_stamp (const char *image)
{
  struct stat st;

  if (g_stat (image, &st) != 0)
    return NULL;
  return g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT "%09ld", (gint64) st.st_size,
                          (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/**
 * pvm_output_disk_needs_collect:
 * @output_dir: a VM's output directory
 *
 * Returns: whether the output disk has changed since its files were last
 *   copied into @output_dir
 */
gboolean
pvm_output_disk_needs_collect (const char *output_dir)
{
  g_autofree char *image = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *stamp_path = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *seen = NULL;

  g_return_val_if_fail (output_dir != NULL, FALSE);

  image = pvm_output_disk_dup_path (output_dir);
  if ((stamp = dup_stamp (image)) == NULL)
    return FALSE;
  dir = dup_dir (output_dir);
  stamp_path = g_build_filename (dir, STAMP_FILE, NULL);
  return !g_file_get_contents (stamp_path, &seen, NULL, NULL) || !g_str_equal (seen, stamp);
}

/* Moves what @stage/@relative holds into @output/@relative; a host file
 * newer than the guest's, or of another kind, is kept. */
static gboolean
move_tree (const char  *stage,
           const char  *output,
           const char  *relative,
           GPtrArray   *copied,
           GPtrArray   *kept,
           GError     **error)
{
  g_autofree char *from_dir = g_build_filename (stage, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (from_dir, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *rel = *relative != '\0' ? g_build_filename (relative, name, NULL)
                                               : g_strdup (name);
      g_autofree char *from = g_build_filename (stage, rel, NULL);
      g_autofree char *to = g_build_filename (output, rel, NULL);
      struct stat from_st, to_st;
      gboolean to_exists;

      /* The file system's own folder, and pVM's. */
      if (*relative == '\0' && (g_str_equal (name, "lost+found") ||
                                g_str_equal (name, PVM_OUTPUT_DISK_DIR)))
        continue;
      if (g_lstat (from, &from_st) != 0)
        continue;
      to_exists = g_lstat (to, &to_st) == 0;

      if (S_ISDIR (from_st.st_mode))
        {
          if (!to_exists && g_mkdir (to, from_st.st_mode & 07777) != 0)
            {
              int saved_errno = errno;

              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                           "Cannot create %s: %s", to, g_strerror (saved_errno));
              return FALSE;
            }
          if (to_exists && !S_ISDIR (to_st.st_mode))
            g_ptr_array_add (kept, g_steal_pointer (&rel));
          else if (!move_tree (stage, output, rel, copied, kept, error))
            return FALSE;
          continue;
        }

      if (to_exists && (S_ISDIR (to_st.st_mode) ||
                        to_st.st_mtim.tv_sec > from_st.st_mtim.tv_sec ||
                        (to_st.st_mtim.tv_sec == from_st.st_mtim.tv_sec &&
                         to_st.st_mtim.tv_nsec > from_st.st_mtim.tv_nsec)))
        {
          g_ptr_array_add (kept, g_steal_pointer (&rel));
          continue;
        }

      if (g_rename (from, to) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot copy %s into %s: %s", rel, output, g_strerror (saved_errno));
          return FALSE;
        }
      g_ptr_array_add (copied, g_steal_pointer (&rel));
    }
  return TRUE;
}

/* How much of debugfs's complaints is kept for a message. */
#define MAX_ERRORS 16384

/* Whether a line of debugfs (run with LC_ALL=C) says its writes failed
 * for want of space. */
static gboolean
says_no_space (const char *line)
{
  return strstr (line, "No space left on device") != NULL ||
         strstr (line, "Disk quota exceeded") != NULL ||
         strstr (line, "File too large") != NULL;
}

/* Whether a line of debugfs is no complaint: its version line, and (not
 * root) that it cannot give a file the guest's owner: the user who
 * collects owns them, as wanted. */
static gboolean
is_no_complaint (const char *line)
{
  return *line == '\0' || g_str_has_prefix (line, "debugfs ") ||
         strstr (line, "while changing ownership of") != NULL;
}

/* Runs debugfs's "rdump / @stage_name" of @image in @cwd. debugfs exits
 * with 0 whatever happens, so its complaints (the first ones, one per
 * line) are returned in @errors, empty when it had none. A write that
 * fails for want of space stops it at once: it would otherwise complain
 * for every block of every file left, and try them all. Sets @no_space
 * then. */
static gboolean
rdump (const char    *debugfs,
       const char    *image,
       const char    *stage_name,
       const char    *cwd,
       char         **errors,
       gboolean      *no_space,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) kept = g_string_new (NULL);
  g_autofree char *request = g_strdup_printf ("rdump / %s", stage_name);
  const char *argv[] = { debugfs, "-R", request, image, NULL };
  GError *read_error = NULL;
  char *line;

  *no_space = FALSE;
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;

  lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  while ((line = g_data_input_stream_read_line (lines, NULL, cancellable, &read_error)) != NULL)
    {
      g_strstrip (line);
      if (!is_no_complaint (line) && kept->len < MAX_ERRORS)
        g_string_append_printf (kept, "%s\n", line);
      if (says_no_space (line))
        {
          *no_space = TRUE;
          g_subprocess_force_exit (process);
        }
      g_free (line);
      if (*no_space)
        break;
    }
  if (read_error != NULL)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      g_propagate_error (error, read_error);
      return FALSE;
    }
  if (!g_subprocess_wait (process, cancellable, error))
    {
      g_subprocess_force_exit (process);
      return FALSE;
    }
  if (!*no_space && (!g_subprocess_get_if_exited (process) ||
                     g_subprocess_get_exit_status (process) != 0))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "%s failed: %s", debugfs,
                   g_strstrip (kept->str));
      return FALSE;
    }
  *errors = g_string_free (g_steal_pointer (&kept), FALSE);
  return TRUE;
}

/* Removes @path and what it holds, without following symbolic links. */
void
_pvm_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        _pvm_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Copies the files of @image (the output disk, or a copy of it) into
 * @output_dir, then records @stamp in the stamp file @stamp_name. */
static gboolean
collect_image (const char    *output_dir,
               const char    *image,
               const char    *stamp_name,
               const char    *stamp,
               GPtrArray     *copied,
               GPtrArray     *kept,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *stage_name = NULL;
  g_autofree char *debugfs = NULL;
  g_autofree char *errors = NULL;
  g_autofree char *stamp_path = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean no_space = FALSE;
  gboolean moved;

  if ((debugfs = pvm_host_find_tool ("debugfs", "e2fsprogs", error)) == NULL)
    return FALSE;

  dir = dup_dir (output_dir);
  stage = g_build_filename (dir, "collect-XXXXXX", NULL);
  if (g_mkdtemp_full (stage, 0700) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create a folder in %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  /* debugfs parses its request itself: the staging folder is named
   * relative to its working directory, with no character to quote. */
  stage_name = g_path_get_basename (stage);
  if (!rdump (debugfs, image, stage_name, dir, &errors, &no_space, cancellable, error))
    {
      _pvm_remove_tree (stage);
      return FALSE;
    }
  if (no_space)
    {
      _pvm_remove_tree (stage);
      g_set_error (error, PVM_ERROR, PVM_ERROR_NO_SPACE,
                   "Not enough space in %s for the files of its output disk: nothing was "
                   "copied, the output disk keeps them; free some space there and collect "
                   "again", output_dir);
      return FALSE;
    }

  lines = g_strsplit (errors, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0')
      {
        /* (debugfs names errno after a short write, which may be stale.) */
        if (strstr (lines[i], "while writing file") != NULL)
          g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                       "Cannot write the files of the output disk into %s: %s", output_dir,
                       lines[i]);
        else
          g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                       "Cannot read the output disk %s: %s", image, lines[i]);
        _pvm_remove_tree (stage);
        return FALSE;
      }

  moved = move_tree (stage, output_dir, "", copied, kept, error);
  _pvm_remove_tree (stage);
  if (!moved)
    return FALSE;

  stamp_path = g_build_filename (dir, stamp_name, NULL);
  return g_file_set_contents (stamp_path, stamp, -1, error);
}

/**
 * pvm_output_disk_collect:
 * @output_dir: a VM's output directory
 * @copied: (element-type utf8): the files copied, relative to @output_dir,
 *   are added here
 * @kept: (element-type utf8): the host files kept because they are newer
 *   than the guest's (or of another kind) are added here
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Copies the files of the output disk into @output_dir with debugfs
 * (e2fsprogs: no root, no mount), keeping their times; a host file newer
 * than the guest's is never overwritten. The VM must be off: its guest
 * could be writing the disk.
 *
 * Returns: %TRUE if every file was copied or deliberately kept
 */
gboolean
pvm_output_disk_collect (const char    *output_dir,
                         GPtrArray     *copied,
                         GPtrArray     *kept,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autofree char *image = NULL;
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (output_dir != NULL, FALSE);
  g_return_val_if_fail (copied != NULL && kept != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  image = pvm_output_disk_dup_path (output_dir);
  if ((stamp = dup_stamp (image)) == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND, "There is no output disk %s", image);
      return FALSE;
    }
  return collect_image (output_dir, image, STAMP_FILE, stamp, copied, kept, cancellable, error);
}

/**
 * pvm_output_disk_remote_needs_collect:
 * @output_dir: a VM's output directory on this machine
 * @stamp: what the VM's output disk on its host looks like now
 *   (_pvm_storage_dup_stamp())
 *
 * Returns: whether @stamp was not collected into @output_dir yet
 */
gboolean
pvm_output_disk_remote_needs_collect (const char *output_dir,
                                      const char *stamp)
{
  g_autofree char *dir = NULL;
  g_autofree char *stamp_path = NULL;
  g_autofree char *seen = NULL;

  g_return_val_if_fail (output_dir != NULL && stamp != NULL, FALSE);

  dir = dup_dir (output_dir);
  stamp_path = g_build_filename (dir, REMOTE_STAMP_FILE, NULL);
  return !g_file_get_contents (stamp_path, &seen, NULL, NULL) || !g_str_equal (seen, stamp);
}

/**
 * pvm_output_disk_collect_copy:
 * @output_dir: a VM's output directory on this machine
 * @copy: a copy of the VM's output disk, fetched from its host
 * @stamp: what the output disk looked like there (recorded, for
 *   pvm_output_disk_remote_needs_collect())
 * @copied: (element-type utf8): the files copied are added here
 * @kept: (element-type utf8): the host files kept are added here
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * pvm_output_disk_collect() for a VM whose output disk is on another host:
 * copies the files of @copy into @output_dir (made if it does not exist).
 *
 * Returns: %TRUE if every file was copied or deliberately kept
 */
gboolean
pvm_output_disk_collect_copy (const char    *output_dir,
                              const char    *copy,
                              const char    *stamp,
                              GPtrArray     *copied,
                              GPtrArray     *kept,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (output_dir != NULL && copy != NULL && stamp != NULL, FALSE);
  g_return_val_if_fail (copied != NULL && kept != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  dir = dup_dir (output_dir);
  if (g_mkdir_with_parents (dir, 0777) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  return collect_image (output_dir, copy, REMOTE_STAMP_FILE, stamp, copied, kept, cancellable,
                        error);
}
