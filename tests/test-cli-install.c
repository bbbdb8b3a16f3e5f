/* SPDX-License-Identifier: BSD-3-Clause */
/* test-cli-install.c: "pvm install" end to end, through the VM harness (a
 * libvirt session daemon of its own), with the test installer ISO
 * (tests/guest/pvm-build-installer): it boots from the CD-ROM, finds the
 * install share and writes the test guest onto the blank disk, then
 * powers off by itself.
 *
 * - install: the ISO is not recognized (its volume ID is PVM_INSTALLER),
 *   the proposals are the options given; the image is made, installed,
 *   becomes a protected base with two snapshots; no VM is left defined;
 *   a snapshot then boots the installed system and runs a job (exit 0);
 * - refusals: a bad --size, a missing ISO, an existing image, twice the
 *   same snapshot name: nothing is made, libvirt is as it was;
 * - a launch that libvirt refuses after the image was made (a domain of
 *   that name that pVM did not define): the image goes, or stays with
 *   --keep-on-failure, and the foreign domain is untouched;
 * - Ctrl+C while the VM installs: pvm stops waiting and says how to go
 *   on, the VM goes on; "pvm install --continue" then waits for it, makes
 *   the base and, with --launch, launches the snapshot.
 *
 * Run it through tests/harness/pvm-harness (meson test does). */

#define G_LOG_DOMAIN "test-cli-install"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define GUEST_TIMEOUT_SECONDS 240

typedef struct
{
  const char *workdir;
  const char *iso;
  char       *images;
  char       *config;
  char       *job;
} Env;

static Env env;

#define PVM(...) ((const char * const[]) { __VA_ARGS__, NULL })

static void
assert_contains (const char *text,
                 const char *part)
{
  if (strstr (text, part) == NULL)
    g_error ("expected \"%s\" in:\n%s", part, text);
}

static GVirConnection *
open_connection (void)
{
  g_autoptr(GError) error = NULL;
  GVirConnection *connection = gvir_connection_new (pvm_test_require_env ("LIBVIRT_DEFAULT_URI"));

  gvir_connection_open (connection, NULL, &error);
  g_assert_no_error (error);
  gvir_connection_fetch_domains (connection, NULL, &error);
  g_assert_no_error (error);
  return connection;
}

/* The defined domains, "name running|stopped", sorted. */
static char *
dup_domains (void)
{
  g_autoptr(GVirConnection) connection = open_connection ();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GList *domains = gvir_connection_get_domains (connection);

  for (GList *l = domains; l != NULL; l = l->next)
    g_ptr_array_add (lines, g_strdup_printf ("%s %s", gvir_domain_get_name (l->data),
                                             gvir_domain_get_id (l->data, NULL) >= 0
                                               ? "running" : "stopped"));
  g_list_free_full (domains, g_object_unref);
  gvir_connection_close (connection);
  g_ptr_array_sort (lines, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

static char *
image_path (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".qcow2", NULL);

  return g_build_filename (env.images, file, NULL);
}

static PvmImage *
image_info (const char *name)
{
  g_autoptr(PvmImageRepo) repo = pvm_image_repo_new (env.images);
  g_autoptr(GError) error = NULL;
  PvmImage *image = pvm_image_repo_info (repo, name, &error);

  g_assert_no_error (error);
  return image;
}

/* @base is a protected, read-only base whose overlays are @overlays. */
static void
assert_base (const char         *base,
             const char * const *overlays)
{
  g_autoptr(PvmImage) image = image_info (base);
  struct stat st;

  g_assert_true (image->usable);
  g_assert_true (image->is_protected);
  g_assert_true (image->read_only);
  g_assert_cmpint (g_stat (image->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0222, ==, 0);
  g_assert_cmpstrv (image->overlays, overlays);
  /* The installer wrote the test guest onto it: more than a blank disk. */
  g_assert_cmpuint (image->disk_usage, >, 4 * PVM_SIZE_MIB);

  for (guint i = 0; overlays[i] != NULL; i++)
    {
      g_autoptr(PvmImage) overlay = image_info (overlays[i]);
      g_autofree char *file = g_strconcat (base, ".qcow2", NULL);

      g_assert_true (overlay->usable);
      g_assert_cmpstr (overlay->backing_file, ==, file);
    }
}

static void
test_install (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *domains = NULL;
  g_autofree char *fw_cfg = g_strdup_printf ("-fw_cfg name=opt/pvm/job\\,file=%s", env.job);
  g_autofree char *info_text = NULL;
  g_autoptr(JsonNode) info = NULL;
  int status;

  status = pvm_test_run_pvm (PVM ("install", "--config", env.config, "--iso", env.iso,
                                  "--name", "fresh", "--size", "64M", "-m", "256M", "-c", "1"),
                             &out, &err);
  if (status != 0)
    g_error ("pvm install failed with status %d:\n%s%s", status, out, err);

  /* What it said: the ISO, the proposals, the console, the share. */
  assert_contains (out, "not recognized (volume ID \"PVM_INSTALLER\")");
  assert_contains (out, "memory   256 MiB (-m)");
  assert_contains (out, "disk     64 MiB (--size)");
  assert_contains (out, "pvm console fresh");
  assert_contains (out, "mount -t 9p -o trans=virtio,version=9p2000.L,ro install /mnt/install");
  assert_contains (out, "install_scripts/generic/pvm-guest-setup");
  assert_contains (out, "Waiting for the VM to power off");
  assert_contains (out, "The VM fresh powered off");
  assert_contains (out, "Snapshot  fresh-1");
  assert_contains (out, "Snapshot  fresh-2");
  assert_contains (out, "Launch them: pvm -d fresh-1,fresh-2");

  assert_base ("fresh", PVM ("fresh-1", "fresh-2"));
  /* The install VM went with its definition: the base never boots again. */
  domains = dup_domains ();
  g_assert_cmpstr (domains, ==, "");

  /* A snapshot boots the installed system and runs a job. */
  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "fresh-2", "-a", fw_cfg, "--wait"));
  info_text = pvm_test_pvm_ok (PVM ("info", "--config", env.config, "--json", "fresh-2"));
  info = json_from_string (info_text, NULL);
  g_assert_nonnull (info);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (info), "job_exit"), ==, 0);
  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "fresh-2"));
}

/* pvm install refuses; nothing in the repository or libvirt changes. */
static void
assert_refused (const char * const *args,
                int                 expected_status,
                const char         *message)
{
  g_autofree char *images_before = pvm_test_dir_state (env.images);
  g_autofree char *domains_before = dup_domains ();
  g_autofree char *images_after = NULL;
  g_autofree char *domains_after = NULL;
  g_autofree char *err = NULL;
  int status = pvm_test_run_pvm (args, NULL, &err);

  if (status != expected_status || strstr (err, message) == NULL)
    g_error ("pvm install: expected status %d and \"%s\", got %d:\n%s", expected_status, message,
             status, err);
  images_after = pvm_test_dir_state (env.images);
  domains_after = dup_domains ();
  g_assert_cmpstr (images_after, ==, images_before);
  g_assert_cmpstr (domains_after, ==, domains_before);
}

static void
test_refused (void)
{
  g_autofree char *missing = g_build_filename (env.workdir, "missing.iso", NULL);
  g_autofree char *taken = image_path ("taken");
  g_autoptr(GError) error = NULL;

  assert_refused (PVM ("install", "--config", env.config, "--iso", env.iso, "--name", "bad",
                       "--size", "20Q"), 1, "--size \"20Q\"");
  assert_refused (PVM ("install", "--config", env.config, "--iso", env.iso, "--name", "bad",
                       "--size", "100K"), 1, "Invalid disk size");
  assert_refused (PVM ("install", "--config", env.config, "--iso", missing, "--name", "bad"), 1,
                  "does not exist");
  assert_refused (PVM ("install", "--config", env.config, "--iso", env.iso, "--name", "-bad"),
                  1, "starts with \"-\"");
  assert_refused (PVM ("install", "--config", env.config, "--iso", env.iso, "--name", "bad",
                       "--snapshot-names", "bad-a,bad-a"), 1, "given twice");
  assert_refused (PVM ("install", "--config", env.config, "--iso", env.iso), 2,
                  "--name is required");
  assert_refused (PVM ("install", "--config", env.config, "--iso", env.iso, "--name", "bad",
                       "--snapshots", "1", "--snapshot-names", "x"), 2, "not both");

  g_file_set_contents (taken, "", 0, &error);
  g_assert_no_error (error);
  assert_refused (PVM ("install", "--config", env.config, "--iso", env.iso, "--name", "taken"),
                  1, "already exists");
  g_assert_cmpint (g_unlink (taken), ==, 0);
}

/* libvirt refuses the install VM once the image exists: a domain named as
 * pVM would name it, that pVM did not define. */
static void
test_launch_refused (void)
{
  g_autoptr(GVirConnection) connection = open_connection ();
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autoptr(GVirDomain) foreign = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *images_before = pvm_test_dir_state (env.images);
  g_autofree char *images_after = NULL;
  g_autofree char *domains_before = NULL;
  g_autofree char *domains_after = NULL;
  g_autofree char *err = NULL;
  g_autofree char *kept = image_path ("foreign");
  int status;

  config = gvir_config_domain_new_from_xml ("<domain type='qemu'><name>pvm-foreign</name>"
                                            "<memory unit='MiB'>64</memory>"
                                            "<os><type arch='x86_64'>hvm</type></os>"
                                            "</domain>", &error);
  g_assert_no_error (error);
  foreign = gvir_connection_create_domain (connection, config, &error);
  g_assert_no_error (error);
  domains_before = dup_domains ();

  status = pvm_test_run_pvm (PVM ("install", "--config", env.config, "--iso", env.iso, "--name",
                                  "foreign", "--size", "64M"), NULL, &err);
  g_assert_cmpint (status, ==, 1);
  assert_contains (err, "The VM did not start in install mode");
  assert_contains (err, "a libvirt domain named pvm-foreign exists and pVM did not define it");
  assert_contains (err, "The image foreign was deleted.");
  images_after = pvm_test_dir_state (env.images);
  g_assert_cmpstr (images_after, ==, images_before);
  domains_after = dup_domains ();
  g_assert_cmpstr (domains_after, ==, domains_before);

  /* --keep-on-failure: the image stays (blank), libvirt as it was. */
  g_clear_pointer (&err, g_free);
  status = pvm_test_run_pvm (PVM ("install", "--config", env.config, "--iso", env.iso, "--name",
                                  "foreign", "--size", "64M", "--keep-on-failure"), NULL, &err);
  g_assert_cmpint (status, ==, 1);
  assert_contains (err, "The image foreign was kept");
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&domains_after, g_free);
  domains_after = dup_domains ();
  g_assert_cmpstr (domains_after, ==, domains_before);

  pvm_test_pvm_ok (PVM ("image", "delete", "--config", env.config, "foreign"));
  gvir_domain_delete (foreign, 0, &error);
  g_assert_no_error (error);
  gvir_connection_close (connection);
}

/* Reads @stream's lines until one starts with @prefix; returns what was
 * read. */
static char *
read_until (GDataInputStream *stream,
            const char       *prefix)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("pvm install ended before \"%s\":\n%s", prefix, text->str);
      g_string_append_printf (text, "%s\n", line);
      if (g_str_has_prefix (line, prefix))
        return g_string_free (g_steal_pointer (&text), FALSE);
    }
}

static void
test_interrupt_and_continue (void)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *domains = NULL;
  g_autofree char *list = NULL;

  process = pvm_test_spawn_pvm (PVM ("install", "--config", env.config, "--iso", env.iso,
                                     "--name", "later", "--size", "64M", "--snapshot-names",
                                     "later-a"), NULL, &error);
  g_assert_no_error (error);
  stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  printed = read_until (stream, "Waiting for the VM to power off");

  /* Ctrl+C while the installer runs (it takes seconds under TCG). */
  g_subprocess_send_signal (process, SIGINT);
  g_assert_cmpint (pvm_test_finish_pvm (process, &rest, &err), ==, 1);
  assert_contains (err, "stopped waiting: the VM later goes on installing");
  assert_contains (err, "pvm install --continue --name later --snapshot-names later-a");
  /* The VM and its image are there, nothing else was made. */
  domains = dup_domains ();
  g_assert_nonnull (strstr (domains, "pvm-later "));
  g_assert_false (g_file_test (image_path ("later-a"), G_FILE_TEST_EXISTS));

  /* Taken up: waits for the power-off, makes the base, launches it. */
  out = pvm_test_pvm_ok (PVM ("install", "--continue", "--config", env.config, "--name", "later",
                              "--snapshot-names", "later-a", "--launch"));
  assert_contains (out, "Snapshot  later-a");
  assert_contains (out, "VM 1: later-a (running)");
  assert_base ("later", PVM ("later-a"));

  list = pvm_test_pvm_ok (PVM ("list", "--config", env.config));
  assert_contains (list, "later-a");
  g_assert_null (strstr (list, "later "));
  pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "later-a"));
  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "later-a"));

  /* Nothing left to continue. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (pvm_test_run_pvm (PVM ("install", "--continue", "--config", env.config, "--name",
                                          "later"), NULL, &err), ==, 1);
  assert_contains (err, "is a base with snapshots already");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *scripts = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *config_text = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  gvir_init_object (NULL, NULL);

  env.workdir = pvm_test_require_env ("PVM_TEST_WORKDIR");
  env.iso = pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_INSTALLER_ISO");
  env.images = g_build_filename (env.workdir, "images", NULL);
  g_assert_cmpint (g_mkdir_with_parents (env.images, 0755), ==, 0);

  /* Install scripts of the test's own: the test installer needs none. */
  scripts = g_build_filename (env.workdir, "install_scripts", NULL);
  readme = g_build_filename (scripts, "README.md", NULL);
  g_assert_cmpint (g_mkdir_with_parents (scripts, 0755), ==, 0);
  g_file_set_contents (readme, "# test install scripts\n", -1, &error);
  g_assert_no_error (error);
  g_setenv (PVM_INSTALL_SCRIPTS_ENV, scripts, TRUE);

  env.job = g_build_filename (env.workdir, "job.sh", NULL);
  g_file_set_contents (env.job, "echo the installed system runs jobs\nexit 0\n", -1, &error);
  g_assert_no_error (error);

  env.config = g_build_filename (env.workdir, "pvm.conf", NULL);
  config_text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\nMEM=256M\nCORES=1\n"
                                 "INIT_SSH_PORT=%u\n", env.images, env.workdir,
                                 22000 + (guint) (getpid () % 20000));
  g_file_set_contents (env.config, config_text, -1, &error);
  g_assert_no_error (error);

  g_test_add_func ("/cli-install/install", test_install);
  g_test_add_func ("/cli-install/refused", test_refused);
  g_test_add_func ("/cli-install/launch-refused", test_launch_refused);
  g_test_add_func ("/cli-install/interrupt-and-continue", test_interrupt_and_continue);
  return g_test_run ();
}
