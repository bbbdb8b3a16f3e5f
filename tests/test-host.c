/* SPDX-License-Identifier: BSD-3-Clause */
/* test-host.c: host capability checks of libpvm-core. */

#define G_LOG_DOMAIN "test-host"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-core.h"

static void
test_default_uri (void)
{
  const char *uri = pvm_host_get_default_uri ();

  if (geteuid () == 0)
    g_assert_cmpstr (uri, ==, "qemu:///system");
  else
    g_assert_cmpstr (uri, ==, "qemu:///session");
}

static void
test_kvm_device_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-host-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kvm", NULL);

  g_assert_false (pvm_host_check_kvm_device (path, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_kvm_device_not_kvm (void)
{
  g_autoptr(GError) error = NULL;

  /* A character device that opens read-write but is not KVM. */
  g_assert_false (pvm_host_check_kvm_device ("/dev/null", &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "/dev/null"));
}

static void
test_kvm_device_no_permission (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-host-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "kvm", NULL);

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0), ==, 0);

  g_assert_false (pvm_host_check_kvm_device (path, &error));
  /* root opens any file, so there the API query is what fails. */
  if (geteuid () == 0)
    g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED);
  else
    {
      g_assert_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, "kvm\" group"));
    }

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_find_tool (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sh = pvm_host_find_tool ("sh", "dash", &error);
  g_autofree char *missing = NULL;

  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (sh));

  missing = pvm_host_find_tool ("pvm-no-such-tool", "pvm-no-such-package", &error);
  g_assert_null (missing);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL);
  g_assert_nonnull (strstr (error->message, "pvm-no-such-tool"));
  g_assert_nonnull (strstr (error->message, "\"pvm-no-such-package\""));
}

/* Where a directory pVM makes would be made: the path itself, its
 * nearest existing parent, or a dangling link in the way. */
static void
test_nearest_existing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-host-XXXXXX", NULL);
  g_autofree char *deep = g_build_filename (dir, "a b", "c", "d", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *under_link = g_build_filename (link, "x", NULL);
  g_autofree char *found = NULL;

  found = pvm_host_dup_nearest_existing (dir);
  g_assert_cmpstr (found, ==, dir);
  g_clear_pointer (&found, g_free);

  found = pvm_host_dup_nearest_existing (deep);
  g_assert_cmpstr (found, ==, dir);
  g_clear_pointer (&found, g_free);

  g_assert_cmpint (symlink ("nowhere", link), ==, 0);
  found = pvm_host_dup_nearest_existing (under_link);
  g_assert_cmpstr (found, ==, link);
  g_clear_pointer (&found, g_free);

  found = pvm_host_dup_nearest_existing ("pvm-no-such-dir/x");
  g_assert_cmpstr (found, ==, ".");

  g_assert_cmpint (g_unlink (link), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A hint only where it helps: a user who is not root, turned away by the
 * local system daemon. (The suite runs as root in CI and as a user on a
 * workstation: each checks its own side.) */
static void
test_connect_hint (void)
{
  const char *hint = pvm_host_get_connect_hint ("qemu:///system");

  if (geteuid () == 0)
    g_assert_null (hint);
  else
    g_assert_nonnull (strstr (hint, "sudo adduser $USER libvirt"));
  g_assert_null (pvm_host_get_connect_hint ("qemu:///session"));
  g_assert_null (pvm_host_get_connect_hint ("qemu+ssh://server/system"));
  g_assert_null (pvm_host_get_connect_hint ("not a uri"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/host/default-uri", test_default_uri);
  g_test_add_func ("/host/connect-hint", test_connect_hint);
  g_test_add_func ("/host/kvm-device/missing", test_kvm_device_missing);
  g_test_add_func ("/host/kvm-device/not-kvm", test_kvm_device_not_kvm);
  g_test_add_func ("/host/kvm-device/no-permission", test_kvm_device_no_permission);
  g_test_add_func ("/host/find-tool", test_find_tool);
  g_test_add_func ("/host/nearest-existing", test_nearest_existing);

  return g_test_run ();
}
