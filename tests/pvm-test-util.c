/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-test-util"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pvm-test-util.h"

/* Removes @path and everything under it, without following symlinks;
 * asserts that every removal works. */
void
pvm_test_remove_tree (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_lstat (path, &st), ==, 0);
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      const char *name;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          pvm_test_remove_tree (child);
        }
      g_assert_cmpint (g_rmdir (path), ==, 0);
    }
  else
    g_assert_cmpint (g_unlink (path), ==, 0);
}

/* Runs @argv (never through a shell) in @cwd (NULL: the current directory)
 * and fails the test, with the tool's messages, if it fails. Returns what
 * it printed on stdout. */
char *
pvm_test_run_tool (const char         *cwd,
                   const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed:\n%s%s", argv[0], out, err);

  return g_steal_pointer (&out);
}

const char pvm_test_failing_disk_job[] =
  "for d in /sys/block/vd*; do\n"
  "  if [ \"$(cat \"$d/serial\" 2>/dev/null)\" = " PVM_TEST_FAILING_DISK_SERIAL " ]; then\n"
  "    dev=/dev/${d##*/}\n"
  "  fi\n"
  "done\n"
  "dd if=/dev/zero of=\"$dev\" bs=4096 count=1 oflag=direct conv=fsync\n"
  "echo \"dd $?\" > \"$PVM_OUTPUT/result.txt\"\n";

/* Makes in @dir a raw disk of 16 MiB and the rules of QEMU's blkdebug
 * driver over it that fail its first write once with errno 28 (ENOSPC):
 * QEMU pauses the VM then, as when the host's disk is full; resumed, the
 * write is done again and works. No root, no small file system needed.
 * Returns the value of pvm -a that gives a VM that disk (commas written
 * \, ), with the serial PVM_TEST_FAILING_DISK_SERIAL, at a free PCI slot. */
char *
pvm_test_make_failing_disk (const char *dir)
{
  g_autofree char *rules = g_build_filename (dir, "blkdebug.conf", NULL);
  g_autofree char *raw = g_build_filename (dir, "failing.raw", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (rules, "[inject-error]\nevent = \"write_aio\"\nerrno = \"28\"\n"
                       "once = \"on\"\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (raw, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (truncate (raw, 16 * 1024 * 1024), ==, 0);
  return g_strdup_printf (" -drive if=none\\,id=failing\\,driver=raw\\,file.driver=blkdebug"
                          "\\,file.config=%s\\,file.image.filename=%s -device virtio-blk-pci"
                          "\\,drive=failing\\,serial=" PVM_TEST_FAILING_DISK_SERIAL
                          "\\,bus=pcie.0\\,addr=0x11", rules, raw);
}

/* A full disk, simulated without root: no file this process or the
 * children it starts write may grow past @bytes (RLIMIT_FSIZE, with
 * SIGXFSZ ignored), so their writes fail with EFBIG as they would with
 * ENOSPC on a full file system. Until pvm_test_unlimit_file_size(). */
void
pvm_test_limit_file_size (PvmTestFileLimit *limit,
                          rlim_t            bytes)
{
  struct rlimit lowered;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit->saved), ==, 0);
  lowered = limit->saved;
  lowered.rlim_cur = bytes;
  limit->handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &lowered), ==, 0);
}

void
pvm_test_unlimit_file_size (PvmTestFileLimit *limit)
{
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit->saved), ==, 0);
  signal (SIGXFSZ, limit->handler);
}

/* The SHA-256 of the file at @path, read in pieces. */
char *
pvm_test_checksum_file (const char *path)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guchar buffer[65536];
  FILE *file = fopen (path, "rb");
  size_t n;

  g_assert_nonnull (file);
  while ((n = fread (buffer, 1, sizeof buffer, file)) > 0)
    g_checksum_update (checksum, buffer, (gssize) n);
  g_assert_false (ferror (file));
  fclose (file);
  return g_strdup (g_checksum_get_string (checksum));
}

/* The value of @name, which the harness (tests/harness/pvm-harness) sets;
 * fails the test with a hint when it is not set. */
const char *
pvm_test_require_env (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL || *value == '\0')
    g_error ("%s is not set: run this test through tests/harness/pvm-harness "
             "(\"meson test\" does)", name);
  return value;
}

/* Adds "./relative/path" -> sha256 to @sums for every regular file under
 * @root/@relative, as "find . -type f | xargs sha256sum" names them. */
void
pvm_test_checksum_tree (GHashTable *sums,
                        const char *root,
                        const char *relative)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = g_build_filename (relative, name, NULL);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        pvm_test_checksum_tree (sums, root, child_rel);
      else
        g_hash_table_insert (sums, g_steal_pointer (&child_rel), pvm_test_checksum_file (child));
    }
}

/* A log handler that drops messages: libvirt-glib logs every event-loop
 * change at debug level, without a log domain. */
void
pvm_test_drop_log_cb (const char     *log_domain,
                      GLogLevelFlags  log_level,
                      const char     *message,
                      gpointer        user_data)
{
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The directory @dir as it is: every entry, hidden ones too, with its
 * mode, size, times and content, one per line, sorted, to compare before
 * and after an operation that must change nothing. */
char *
pvm_test_dir_state (const char *dir_path)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      g_autofree char *sum = NULL;
      struct stat st;

      g_assert_cmpint (lstat (path, &st), ==, 0);
      sum = S_ISREG (st.st_mode) ? pvm_test_checksum_file (path) : g_strdup ("-");
      g_ptr_array_add (lines, g_strdup_printf ("%s %o %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                                               ".%09ld %" G_GINT64_FORMAT ".%09ld %s",
                                               name, (guint) st.st_mode, (gint64) st.st_size,
                                               (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                               (gint64) st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
                                               sum));
    }
  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

/* Starts the built pvm with @args (NULL-terminated), its output piped, in
 * a UTF-8 locale (pvm prints in the locale's character set) and, unless
 * @xdg_dir is NULL, with its XDG configuration and data there. The binary
 * is the staged one under the harness (PVM_TEST_FILE_PVM), else meson's
 * (PVM_CLI). */
GSubprocess *
pvm_test_spawn_pvm (const char * const  *args,
                    const char          *xdg_dir,
                    GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *pvm = g_getenv ("PVM_TEST_FILE_PVM");

  if (pvm == NULL)
    pvm = g_getenv ("PVM_CLI");
  if (pvm == NULL)
    g_error ("Neither PVM_TEST_FILE_PVM nor PVM_CLI is set: run this test with meson test");

  g_ptr_array_add (argv, (gpointer) pvm);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (xdg_dir != NULL)
    {
      g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", xdg_dir, TRUE);
      g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", xdg_dir, TRUE);
    }
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

/**
 * pvm_test_finish_pvm:
 * @process: a pvm from pvm_test_spawn_pvm() or alike, its output piped
 * @out: (out) (optional): its standard output
 * @err: (out) (optional): its standard error
 *
 * Waits for @process to end; a pvm killed by a signal (an abort of the
 * sanitizers' builds among them) fails the test, with what it wrote.
 *
 * Returns: its exit status
 */
int
pvm_test_finish_pvm (GSubprocess  *process,
                     char        **out,
                     char        **err)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_error ("pvm was killed by signal %d; it wrote:\n%s%s",
             g_subprocess_get_term_sig (process), stdout_text, stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (process);
}

/**
 * pvm_test_run_pvm:
 * @args: pvm's arguments
 * @out: (out) (optional): its standard output
 * @err: (out) (optional): its standard error
 *
 * Runs pvm (pvm_test_spawn_pvm()) to its end (pvm_test_finish_pvm()).
 *
 * Returns: its exit status
 */
int
pvm_test_run_pvm (const char * const  *args,
                  char               **out,
                  char               **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = pvm_test_spawn_pvm (args, NULL, &error);
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  int status;

  g_assert_no_error (error);
  status = pvm_test_finish_pvm (process, &stdout_text, &stderr_text);
  if (g_test_verbose ())
    g_printerr ("# pvm %s\n%s%s", args[0], stdout_text, stderr_text);
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return status;
}

/**
 * pvm_test_pvm_ok:
 * @args: pvm's arguments
 *
 * Runs pvm and fails the test, with its output, unless it succeeds.
 *
 * Returns: (transfer full): its standard output
 */
char *
pvm_test_pvm_ok (const char * const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = pvm_test_run_pvm (args, &out, &err);

  if (status != 0)
    g_error ("pvm %s failed with status %d:\n%s%s", args[0], status, out, err);
  return g_steal_pointer (&out);
}
