/* SPDX-License-Identifier: BSD-3-Clause */
/* test-installation.c: PvmInstallation without a VM: what it checks
 * before it makes anything (the name, the sizes, the ISO, an existing
 * image, the snapshots' names), and what a start that fails leaves: with
 * libvirt unreachable, nothing; with libvirt's test driver (which runs no
 * x86_64 guest, so the launch is refused after the image was made), no
 * image - or the image, when the caller asked to keep it. The whole
 * installation, with a real guest, is tests/test-cli-install.c's and
 * tests/gui/test-install-assistant.c's. */

#define G_LOG_DOMAIN "test-installation"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

typedef struct
{
  char      *dir;
  char      *images;
  char      *iso;
  PvmConfig *config;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("pvm-test-installation-XXXXXX", &error);
  g_assert_no_error (error);
  f->images = g_build_filename (f->dir, "images", NULL);
  g_assert_cmpint (g_mkdir (f->images, 0755), ==, 0);
  /* pvm_installation_check() only needs a file; the ISO is test-media's. */
  f->iso = g_build_filename (f->dir, "installer.iso", NULL);
  g_file_set_contents (f->iso, "ISO", -1, &error);
  g_assert_no_error (error);

  f->config = pvm_config_new ();
  pvm_config_set_string (f->config, "DRIVEREPO", f->images, &error);
  g_assert_no_error (error);
  pvm_config_set_string (f->config, "SQUASHREPO", f->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pvm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->images);
  g_free (f->iso);
  g_clear_object (&f->config);
}

static PvmInstallation *
new_installation (Fixture    *f,
                  const char *name)
{
  PvmInstallation *installation = pvm_installation_new (f->config, name, f->iso);

  pvm_installation_set_disk_size (installation, 64 * MIB);
  pvm_installation_set_memory (installation, 256 * MIB);
  pvm_installation_set_cores (installation, 1);
  return installation;
}

static void
assert_check_fails (PvmInstallation *installation,
                    PvmError         code,
                    const char      *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pvm_installation_check (installation, &error));
  g_assert_error (error, PVM_ERROR, code);
  if (strstr (error->message, message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message, error->message);
}

static void
test_check (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(PvmInstallation) ok = new_installation (f, "fresh.qcow2");
  g_autoptr(PvmInstallation) bad_name = new_installation (f, "-fresh");
  g_autoptr(PvmInstallation) no_iso = NULL;
  g_autoptr(PvmInstallation) taken = new_installation (f, "taken");
  g_autofree char *missing = g_build_filename (f->dir, "missing.iso", NULL);
  g_autofree char *taken_path = g_build_filename (f->images, "taken.qcow2", NULL);
  g_autoptr(GError) error = NULL;

  /* The name is the image's, without ".qcow2". */
  g_assert_cmpstr (pvm_installation_get_name (ok), ==, "fresh");
  g_assert_true (pvm_installation_check (ok, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pvm_installation_get_step (ok), ==, PVM_INSTALLATION_STEP_READY);

  assert_check_fails (bad_name, PVM_ERROR_INVALID_NAME, "starts with \"-\"");

  pvm_installation_set_disk_size (ok, 0);
  assert_check_fails (ok, PVM_ERROR_INVALID_ARGUMENT, "Invalid disk size");
  pvm_installation_set_disk_size (ok, 64 * MIB);
  pvm_installation_set_memory (ok, 16 * MIB);
  assert_check_fails (ok, PVM_ERROR_INVALID_ARGUMENT, "Invalid memory");
  pvm_installation_set_memory (ok, 256 * MIB);
  pvm_installation_set_cores (ok, 0);
  assert_check_fails (ok, PVM_ERROR_INVALID_ARGUMENT, "vCPUs");
  pvm_installation_set_cores (ok, 1);

  no_iso = pvm_installation_new (f->config, "fresh", missing);
  assert_check_fails (no_iso, PVM_ERROR_NOT_FOUND, "does not exist");

  g_file_set_contents (taken_path, "", 0, &error);
  g_assert_no_error (error);
  assert_check_fails (taken, PVM_ERROR_EXISTS, "already exists");
}

static void
assert_names_fail (PvmInstallation    *installation,
                   const char * const *names,
                   PvmError            code,
                   const char         *message)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (pvm_installation_check_snapshot_names (installation, names, &error));
  g_assert_error (error, PVM_ERROR, code);
  if (strstr (error->message, message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message, error->message);
}

static void
test_snapshot_names (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PvmInstallation) installation = new_installation (f, "base");
  g_auto(GStrv) defaults = pvm_installation_dup_snapshot_names ("base", 3);
  g_auto(GStrv) none = pvm_installation_dup_snapshot_names ("base", 0);
  g_autofree char *existing = g_build_filename (f->images, "old.qcow2", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_strv_length (defaults), ==, 3);
  g_assert_cmpstr (defaults[0], ==, "base-1");
  g_assert_cmpstr (defaults[2], ==, "base-3");
  g_assert_null (none[0]);
  g_assert_true (pvm_installation_check_snapshot_names (installation,
                                                        (const char * const *) defaults, &error));
  g_assert_no_error (error);

  g_file_set_contents (existing, "", 0, &error);
  g_assert_no_error (error);
  assert_names_fail (installation, (const char * const *) none, PVM_ERROR_INVALID_ARGUMENT,
                     "at least one snapshot");
  assert_names_fail (installation, (const char *[]) { "a", "b", "a.qcow2", NULL },
                     PVM_ERROR_EXISTS, "given twice");
  assert_names_fail (installation, (const char *[]) { "a", "base.qcow2", NULL },
                     PVM_ERROR_EXISTS, "the base's name");
  assert_names_fail (installation, (const char *[]) { "old", NULL }, PVM_ERROR_EXISTS,
                     "already exists");
  assert_names_fail (installation, (const char *[]) { "a/b", NULL }, PVM_ERROR_INVALID_NAME,
                     "contains \"/\"");
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (pvm_installation_start_finish (PVM_INSTALLATION (object), result, error));
  g_assert_nonnull (*error);
}

static GError *
start_and_fail (PvmInstallation *installation)
{
  GError *error = NULL;

  pvm_installation_start_async (installation, NULL, start_done_cb, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  return error;
}

/* Refused before anything is made: the step does not change. */
static void
test_start_invalid (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PvmInstallation) installation = new_installation (f, "-bad");
  g_autoptr(GError) error = start_and_fail (installation);
  g_autofree char *state = pvm_test_dir_state (f->images);

  g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_NAME);
  g_assert_cmpint (pvm_installation_get_step (installation), ==, PVM_INSTALLATION_STEP_READY);
  g_assert_cmpstr (state, ==, "");
}

/* libvirt is asked first: unreachable, no image is made. */
static void
test_start_no_libvirt (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *uri = g_strdup_printf ("qemu+unix:///session?socket=%s/no-such-socket",
                                          f->dir);
  g_autoptr(PvmInstallation) installation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  pvm_config_set_string (f->config, "LIBVIRT_URI", uri, &error);
  g_assert_no_error (error);
  installation = new_installation (f, "fresh");
  error = start_and_fail (installation);

  g_assert_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT);
  g_assert_nonnull (strstr (error->message, "Cannot connect to libvirt"));
  g_assert_cmpint (pvm_installation_get_step (installation), ==, PVM_INSTALLATION_STEP_FAILED);
  g_assert_cmpstr (pvm_installation_get_message (installation), ==, error->message);
  state = pvm_test_dir_state (f->images);
  g_assert_cmpstr (state, ==, "");
}

/* libvirt's test driver runs no x86_64 guest: the launch fails after the
 * image was made, which then goes - or stays, when asked. */
static void
test_start_launch_refused (Fixture       *f,
                           gconstpointer  data)
{
  gboolean keep = GPOINTER_TO_INT (data);
  g_autoptr(PvmInstallation) installation = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *image = g_build_filename (f->images, "fresh.qcow2", NULL);
  g_autoptr(GPtrArray) steps = g_ptr_array_new ();

  pvm_config_set_string (f->config, "LIBVIRT_URI", "test:///default", &error);
  g_assert_no_error (error);
  installation = new_installation (f, "fresh");
  pvm_installation_set_keep_on_failure (installation, keep);
  g_signal_connect_swapped (installation, "notify::step", G_CALLBACK (g_ptr_array_add), steps);
  error = start_and_fail (installation);

  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "The VM did not start in install mode"));
  g_assert_cmpint (pvm_installation_get_step (installation), ==, PVM_INSTALLATION_STEP_FAILED);
  /* creating-image, starting, failed */
  g_assert_cmpuint (steps->len, ==, 3);
  g_assert_null (pvm_installation_get_vm (installation));
  if (keep)
    {
      g_assert_true (g_file_test (image, G_FILE_TEST_IS_REGULAR));
      g_assert_nonnull (strstr (error->message, "The image fresh was kept"));
      g_assert_nonnull (pvm_installation_get_image (installation));
    }
  else
    {
      g_autofree char *state = pvm_test_dir_state (f->images);

      g_assert_cmpstr (state, ==, "");
      g_assert_nonnull (strstr (error->message, "The image fresh was deleted"));
      g_assert_null (pvm_installation_get_image (installation));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Never a daemon of this user's: the tests talk to none. */
  g_setenv ("LIBVIRT_AUTOSTART", "0", TRUE);
  gvir_init_object (NULL, NULL);

  g_test_add ("/installation/check", Fixture, NULL, fixture_set_up, test_check,
              fixture_tear_down);
  g_test_add ("/installation/snapshot-names", Fixture, NULL, fixture_set_up,
              test_snapshot_names, fixture_tear_down);
  g_test_add ("/installation/start-invalid", Fixture, NULL, fixture_set_up, test_start_invalid,
              fixture_tear_down);
  g_test_add ("/installation/start-no-libvirt", Fixture, NULL, fixture_set_up,
              test_start_no_libvirt, fixture_tear_down);
  g_test_add ("/installation/start-launch-refused", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_start_launch_refused, fixture_tear_down);
  g_test_add ("/installation/start-launch-refused-keep", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_start_launch_refused, fixture_tear_down);

  return g_test_run ();
}
