/* SPDX-License-Identifier: BSD-3-Clause */
/* test-storage.c: reading the end of a file of a VM's host through libvirt
 * (the serial logs of other hosts' VMs), against the harness's private
 * session daemon: the file as it grows, stays, is replaced or truncated,
 * and only what it gained coming over once it was read.
 *
 * Run it through tests/harness/pvm-harness (meson test does).
 */

#define G_LOG_DOMAIN "test-storage"

#include "config.h"

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-storage-private.h"
#include "pvm-test-util.h"

#define MAX_BYTES 16

typedef struct
{
  virConnectPtr  conn;
  char          *dir;
  char          *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->conn = virConnectOpen ("qemu:///session");
  g_assert_nonnull (fixture->conn);
  fixture->dir = g_dir_make_tmp ("pvm-test-storage-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "serial.log", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  pvm_test_remove_tree (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
  virConnectClose (fixture->conn);
}

static void
write_file (Fixture    *fixture,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (fixture->path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Appends in place, as QEMU does to a serial log (the same file). */
static void
append_file (Fixture    *fixture,
             const char *text)
{
  FILE *file = fopen (fixture->path, "a");

  g_assert_nonnull (file);
  g_assert_cmpint (fputs (text, file), >=, 0);
  g_assert_cmpint (fclose (file), ==, 0);
}

static void
assert_tail (Fixture    *fixture,
             const char *expected)
{
  g_autofree char *tail = _pvm_storage_read_tail (fixture->conn, fixture->path, MAX_BYTES);

  g_assert_cmpstr (tail, ==, expected);
}

/* Read again, the file brings only what it gained, its last bytes kept. */
static void
test_grows (Fixture       *fixture,
            gconstpointer  data)
{
  write_file (fixture, "boot\n");
  assert_tail (fixture, "boot\n");

  append_file (fixture, "job start\n");
  g_test_expect_message ("pvm-storage", G_LOG_LEVEL_DEBUG,
                         "Read the end of * again: 10 bytes more");
  assert_tail (fixture, "boot\njob start\n");
  g_test_assert_expected_messages ();

  /* Past MAX_BYTES: the end only. */
  append_file (fixture, "pvm-progress: 50\n");
  g_test_expect_message ("pvm-storage", G_LOG_LEVEL_DEBUG,
                         "Read the end of * again: 17 bytes more");
  assert_tail (fixture, "vm-progress: 50\n");
  g_test_assert_expected_messages ();

  g_test_expect_message ("pvm-storage", G_LOG_LEVEL_DEBUG,
                         "Read the end of * again: 0 bytes more");
  assert_tail (fixture, "vm-progress: 50\n");
  g_test_assert_expected_messages ();
}

/* A file made anew at the same path (a VM launched again there) is read
 * anew, whether it is longer, shorter or as long. */
static void
test_replaced (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *moved = g_build_filename (fixture->dir, "old.log", NULL);

  write_file (fixture, "first VM's log\n");
  assert_tail (fixture, "first VM's log\n");

  write_file (fixture, "second VM's\n");
  assert_tail (fixture, "second VM's\n");

  write_file (fixture, "third VM's!\n");
  assert_tail (fixture, "third VM's!\n");

  g_assert_cmpint (g_rename (fixture->path, moved), ==, 0);
  write_file (fixture, "fourth VM's log, longer\n");
  assert_tail (fixture, "M's log, longer\n");
}

/* A file that is not there, or no longer: nothing. */
static void
test_missing (Fixture       *fixture,
              gconstpointer  data)
{
  assert_tail (fixture, NULL);
  write_file (fixture, "there\n");
  assert_tail (fixture, "there\n");
  g_assert_cmpint (g_unlink (fixture->path), ==, 0);
  assert_tail (fixture, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* As pvm and the app do: libvirt's errors go to the debug log. */
  gvir_init_object (NULL, NULL);

  g_test_add ("/storage/tail/grows", Fixture, NULL, fixture_set_up, test_grows,
              fixture_tear_down);
  g_test_add ("/storage/tail/replaced", Fixture, NULL, fixture_set_up, test_replaced,
              fixture_tear_down);
  g_test_add ("/storage/tail/missing", Fixture, NULL, fixture_set_up, test_missing,
              fixture_tear_down);

  return g_test_run ();
}
