/* SPDX-License-Identifier: BSD-3-Clause */
/* test-output-disk.c: the output disk (OUTPUT_MODE=disk) on the host side:
 * made by the real mkfs.ext4, filled as a guest would by the real debugfs,
 * its files copied into the output directory by pVM's collect. */

#define G_LOG_DOMAIN "test-output-disk"

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define MIB (1024 * 1024)

typedef struct
{
  char *dir;
  char *output;     /* DIR/out put: a space, as users' names have */
  char *image;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean created = FALSE;

  f->dir = g_dir_make_tmp ("pvm-test-output-disk-XXXXXX", &error);
  g_assert_no_error (error);
  f->output = g_build_filename (f->dir, "out put", NULL);
  g_assert_cmpint (g_mkdir (f->output, 0755), ==, 0);
  g_assert_true (pvm_output_disk_prepare (f->output, 64 * MIB, &created, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (created);
  f->image = pvm_output_disk_dup_path (f->output);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pvm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->output);
  g_free (f->image);
}

/* Writes @size bytes of @byte into the host file @path. */
static void
write_host_file (const char *path,
                 char        byte,
                 gsize       size)
{
  g_autofree char *contents = g_malloc (size);
  g_autoptr(GError) error = NULL;

  memset (contents, byte, size);
  g_file_set_contents (path, contents, (gssize) size, &error);
  g_assert_no_error (error);
}

/* Does on the disk what a guest's job would: debugfs -w runs @commands
 * (one per line) in @f->dir. */
static void
guest_writes (Fixture    *f,
              const char *commands)
{
  g_autofree char *script = g_build_filename (f->dir, "commands", NULL);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "debugfs", "-w", "-f", script, f->image, NULL };
  g_autofree char *out = NULL;

  g_file_set_contents (script, commands, -1, &error);
  g_assert_no_error (error);
  out = pvm_test_run_tool (f->dir, argv);
  g_assert_cmpint (g_unlink (script), ==, 0);
}

/* The output's files, by path relative to it, with their checksums;
 * pVM's own folder left out. */
static GHashTable *
dup_output_files (Fixture *f)
{
  GHashTable *sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key;

  pvm_test_checksum_tree (sums, f->output, "");
  g_hash_table_iter_init (&iter, sums);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, PVM_OUTPUT_DISK_DIR "/"))
      g_hash_table_iter_remove (&iter);
  return sums;
}

static gboolean
contains (GPtrArray  *array,
          const char *text)
{
  return g_ptr_array_find_with_equal_func (array, text, g_str_equal, NULL);
}

/* The guest's files arrive with their contents and folders; a host file
 * newer than the guest's is kept; a second collect of an unchanged disk
 * has nothing to do. */
static void
test_collect (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *source = g_build_filename (f->dir, "source", NULL);
  g_autofree char *arrived = NULL;
  g_autofree char *arrived_sum = NULL;
  g_autofree char *source_sum = NULL;
  g_autofree char *host_file = g_build_filename (f->output, "notes.txt", NULL);
  g_autofree char *host_contents = NULL;
  g_autoptr(GPtrArray) copied = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  struct timespec later[2];

  g_assert_true (pvm_output_disk_needs_collect (f->output));
  write_host_file (source, 'x', 3 * MIB + 5);
  guest_writes (f, "mkdir results\n"
                   "write source \"results/part 1.bin\"\n"
                   "write source notes.txt\n");
  /* The user's own notes.txt, written after the guest's. */
  write_host_file (host_file, 'h', 10);
  clock_gettime (CLOCK_REALTIME, &later[0]);
  later[0].tv_sec += 3600;
  later[1] = later[0];
  g_assert_cmpint (utimensat (AT_FDCWD, host_file, later, 0), ==, 0);

  g_assert_true (pvm_output_disk_collect (f->output, copied, kept, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (contains (copied, "results/part 1.bin"));
  g_assert_cmpuint (copied->len, ==, 1);
  g_assert_true (contains (kept, "notes.txt"));
  g_assert_cmpuint (kept->len, ==, 1);

  arrived = g_build_filename (f->output, "results", "part 1.bin", NULL);
  arrived_sum = pvm_test_checksum_file (arrived);
  source_sum = pvm_test_checksum_file (source);
  g_assert_cmpstr (arrived_sum, ==, source_sum);
  g_file_get_contents (host_file, &host_contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (host_contents, ==, "hhhhhhhhhh");
  g_assert_false (pvm_output_disk_needs_collect (f->output));
}

/* A full disk, simulated as test-squash-repo does: no file may grow past
 * 256 KiB (RLIMIT_FSIZE, inherited by debugfs, SIGXFSZ ignored), so its
 * writes fail with EFBIG as they would with ENOSPC on a full file system.
 * The error says so and where; nothing arrives in the output, no staging
 * folder is left, the disk still needs collecting and keeps its files, and
 * once there is room the collect does it all. */
static void
test_collect_no_space (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *source = g_build_filename (f->dir, "source", NULL);
  g_autofree char *pvm_dir = g_build_filename (f->output, PVM_OUTPUT_DISK_DIR, NULL);
  g_autofree char *disk_sum = NULL;
  g_autofree char *disk_sum_after = NULL;
  g_autofree char *pvm_names = NULL;
  g_autofree char *mine = g_build_filename (f->output, "mine.txt", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GPtrArray) copied = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  PvmTestFileLimit limit;
  const char *name;
  gboolean collected;

  write_host_file (source, 'y', 8 * MIB);
  guest_writes (f, "write source small-first\n"
                   "mkdir big\n"
                   "write source big/data.bin\n");
  write_host_file (mine, 'm', 100);
  before = dup_output_files (f);
  disk_sum = pvm_test_checksum_file (f->image);

  pvm_test_limit_file_size (&limit, 256 * 1024);
  collected = pvm_output_disk_collect (f->output, copied, kept, NULL, &error);
  pvm_test_unlimit_file_size (&limit);

  g_assert_false (collected);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "Not enough space in"));
  g_assert_nonnull (strstr (error->message, f->output));
  g_assert_cmpuint (copied->len, ==, 0);

  after = dup_output_files (f);
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
  g_assert_cmpstr (g_hash_table_lookup (after, "mine.txt"), ==,
                   g_hash_table_lookup (before, "mine.txt"));
  disk_sum_after = pvm_test_checksum_file (f->image);
  g_assert_cmpstr (disk_sum_after, ==, disk_sum);
  g_clear_error (&error);
  dir = g_dir_open (pvm_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_string_append_printf (names, "%s ", name);
  pvm_names = g_string_free (g_steal_pointer (&names), FALSE);
  g_assert_cmpstr (pvm_names, ==, PVM_OUTPUT_DISK_FILE " ");
  g_assert_true (pvm_output_disk_needs_collect (f->output));

  g_assert_true (pvm_output_disk_collect (f->output, copied, kept, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (contains (copied, "big/data.bin"));
  g_assert_true (contains (copied, "small-first"));
  g_assert_false (pvm_output_disk_needs_collect (f->output));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/output-disk/collect", Fixture, NULL, fixture_set_up, test_collect,
              fixture_tear_down);
  g_test_add ("/output-disk/collect-no-space", Fixture, NULL, fixture_set_up,
              test_collect_no_space, fixture_tear_down);

  return g_test_run ();
}
