/* SPDX-License-Identifier: BSD-3-Clause */
/* test-launch.c: the launcher end to end, through the pvm command line.
 *
 * Real QEMU boots the test guest under the harness's private libvirt
 * session daemon, as the unprivileged test user: several VMs at once with
 * SquashFS and directory inputs and their outputs, the domain compared
 * with the --dry-run plan, -snapshot, the forwarded SSH port, stopping,
 * reattaching from a new pvm process, and every refusal leaving libvirt as
 * it was. Run it through tests/harness/pvm-harness (meson test does).
 */

#define G_LOG_DOMAIN "test-launch"

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define GUEST_TIMEOUT_SECONDS 240

/* Checksums every input file into the output, then tries to write to the
 * input: the contract's mount is read-only, and so is what pVM attaches. */
static const char checksum_job[] =
  "set -e\n"
  "cd \"$PVM_INPUT\"\n"
  "find . -type f | sort | while IFS= read -r f; do sha256sum \"$f\"; done > \"$PVM_OUTPUT/SHA256SUMS\"\n"
  "if touch \"$PVM_INPUT/written-by-guest\" 2>/dev/null; then\n"
  "  echo writable > \"$PVM_OUTPUT/input-status\"\n"
  "else\n"
  "  echo read-only > \"$PVM_OUTPUT/input-status\"\n"
  "fi\n";

/* Overwrites 64 KiB in the middle of the boot disk (the disk without the
 * input's serial) and flushes it. */
static const char write_disk_job[] =
  "for d in /sys/block/vd*; do\n"
  "  [ \"$(cat \"$d/serial\" 2>/dev/null)\" = pvm-input ] && continue\n"
  "  dd if=/dev/urandom of=\"/dev/${d##*/}\" bs=4096 count=16 seek=2048 conv=fsync 2>&1\n"
  "done\n"
  "sync\n";

/* Answers one connection on the guest's port 22, as an SSH server would. */
static const char serve_port_job[] =
  "ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up\n"
  "echo pvm-test: serving\n"
  "echo pvm-port-ok | nc -l -p 22\n";

typedef struct
{
  const char *workdir;
  const char *ramfs;   /* a file system without xattrs, or NULL (not root) */
  const char *guest;
  char       *images;
  char       *data;
  char       *config;
  guint       port;
} Env;

static Env env;

static char *
work_path (const char *relative)
{
  return g_build_filename (env.workdir, relative, NULL);
}

/* A path on the harness's ramfs, a file system that keeps no extended
 * attributes (the harness mounts it as root), else in the work directory. */
static char *
no_xattr_path (const char *relative)
{
  if (env.ramfs == NULL)
    return work_path (relative);
  return g_build_filename (env.ramfs, relative, NULL);
}

#define PVM(...) ((const char * const[]) { __VA_ARGS__, NULL })

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* A qcow2 overlay of the test guest in DRIVEREPO. */
static char *
make_image (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".qcow2", NULL);
  char *path = g_build_filename (env.images, file, NULL);
  const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                         "-b", env.guest, path, NULL };

  g_free (pvm_test_run_tool (NULL, argv));
  return path;
}

static void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* The test's configuration: its repositories, small VMs, @port, and
 * @key=@value if @key is not NULL. */
static void
write_config (const char *path,
              guint       port,
              const char *key,
              const char *value)
{
  g_autofree char *text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\nMEM=256M\n"
                                           "CORES=1\nINIT_SSH_PORT=%u\n%s%s%s%s", env.images,
                                           env.data, port, key != NULL ? key : "",
                                           key != NULL ? "=" : "", key != NULL ? value : "",
                                           key != NULL ? "\n" : "");

  write_file (path, text, -1);
}

/* An input directory: the job and some files, one with a random content. */
static char *
make_input_dir (const char *path,
                const char *job,
                const char *tag)
{
  char *dir = g_path_is_absolute (path) ? g_strdup (path) : work_path (path);
  g_autofree char *job_path = g_build_filename (dir, PVM_CONTRACT_JOB_FILE, NULL);
  g_autofree char *tag_path = g_build_filename (dir, "sub dir", "tag.txt", NULL);
  g_autofree char *random_path = g_build_filename (dir, "random.bin", NULL);
  g_autofree guint8 *random = g_malloc (256 * 1024);

  for (gsize i = 0; i < 256 * 1024; i++)
    random[i] = g_random_int_range (0, 256);
  write_file (job_path, job, -1);
  write_file (tag_path, tag, -1);
  write_file (random_path, (const char *) random, 256 * 1024);
  return dir;
}

/* A SquashFS archive named @name in SQUASHREPO made from @dir. */
static char *
make_archive (const char *dir,
              const char *name)
{
  g_autofree char *file = g_strconcat (name, ".sqsh", NULL);
  char *path = g_build_filename (env.data, file, NULL);
  const char *argv[] = { "mksquashfs", dir, path, "-all-root", "-no-progress", "-quiet", NULL };

  g_free (pvm_test_run_tool (NULL, argv));
  return path;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The output holds exactly the checksums of @input_dir's files, and the
 * guest found its input read-only. */
static void
assert_output_matches (const char *output,
                       const char *input_dir)
{
  g_autoptr(GHashTable) expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GString) expected_text = g_string_new (NULL);
  g_autofree char **keys = NULL;
  guint n_keys;
  g_autofree char *sums_path = g_build_filename (output, "SHA256SUMS", NULL);
  g_autofree char *status_path = g_build_filename (output, "input-status", NULL);
  g_autofree char *sums = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GError) error = NULL;

  pvm_test_checksum_tree (expected, input_dir, ".");
  keys = (char **) g_hash_table_get_keys_as_array (expected, &n_keys);
  /* sort(1) in the guest runs in the C locale, as strcmp compares. */
  qsort (keys, n_keys, sizeof (char *), compare_strings);
  for (guint i = 0; i < n_keys; i++)
    g_string_append_printf (expected_text, "%s  %s\n",
                            (char *) g_hash_table_lookup (expected, keys[i]), keys[i]);

  g_file_get_contents (sums_path, &sums, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sums, ==, expected_text->str);
  g_file_get_contents (status_path, &status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status, ==, "read-only\n");
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

/* A connection held while the test runs pvm, synchronously and with its own
 * main loop not turning, leaves the daemon's keepalive probes unanswered,
 * and the daemon drops it after 30 s (under load, a run of refusals took
 * longer): one is opened again after such a stretch. */
static void
reopen_connection (GVirConnection **connection)
{
  gvir_connection_close (*connection);
  g_clear_object (connection);
  *connection = open_connection ();
}

/* Every defined domain as "name state XML-digest", sorted: what a refused
 * launch must leave exactly as it was. */
static char *
dup_libvirt_state (void)
{
  g_autoptr(GVirConnection) connection = open_connection ();
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  GList *domains = gvir_connection_get_domains (connection);

  for (GList *l = domains; l != NULL; l = l->next)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVirConfigDomain) config = gvir_domain_get_config (l->data,
                                                                    VIR_DOMAIN_XML_INACTIVE,
                                                                    &error);
      g_autofree char *xml = NULL;
      g_autofree char *digest = NULL;

      g_assert_no_error (error);
      xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (config));
      digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, xml, -1);
      g_ptr_array_add (lines, g_strdup_printf ("%s %s %s", gvir_domain_get_name (l->data),
                                               gvir_domain_get_id (l->data, NULL) >= 0
                                                 ? "running" : "stopped", digest));
    }
  g_list_free_full (domains, g_object_unref);
  gvir_connection_close (connection);

  g_ptr_array_sort (lines, compare_strings);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

/* The VM's JSON from "pvm info NAME --json". */
static JsonNode *
vm_info (const char *name)
{
  g_autofree char *out = pvm_test_pvm_ok (PVM ("info", "--config", env.config, "--json", name));

  return parse_json (out);
}

/* Polls "pvm info" until the VM's @member is @value. */
static void
wait_for_member (const char *name,
                 const char *member,
                 const char *value)
{
  gint64 deadline = g_get_monotonic_time () + GUEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(JsonNode) info = vm_info (name);
      JsonObject *object = json_node_get_object (info);

      if (!json_object_get_null_member (object, member) &&
          g_strcmp0 (json_object_get_string_member (object, member), value) == 0)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("%s: %s is not \"%s\" after %d s", name, member, value, GUEST_TIMEOUT_SECONDS);
      g_usleep (G_USEC_PER_SEC / 5);
    }
}

static guint
find_free_port_range (guint count)
{
  for (guint port = 20000 + g_random_int_range (0, 20000); port < 60000; port += count)
    {
      guint free = 0;

      for (guint i = 0; i < count; i++)
        {
          struct sockaddr_in address = { 0 };
          int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

          address.sin_family = AF_INET;
          address.sin_port = htons (port + i);
          address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
          free += bind (fd, (struct sockaddr *) &address, sizeof address) == 0;
          close (fd);
        }
      if (free == count)
        return port;
    }
  g_error ("no free port range");
}

/* ------------------------------------------------------------------ */

/* One launch of three VMs: two SquashFS inputs and a directory input whose
 * path has a space, three outputs; --wait returns when all have powered
 * off. Then the domains are compared with the --dry-run plan. */
static void
test_inputs_and_outputs (void)
{
  g_autofree char *dir_a = make_input_dir ("sources/a", checksum_job, "archive a\n");
  g_autofree char *dir_b = make_input_dir ("sources/b", checksum_job, "archive b, other\n");
  /* The third VM's input and output are on a file system that keeps no
   * extended attributes (the harness's ramfs, as root): its output share is
   * in squash mode, its files have the modes the guest gave them (0644
   * under the guest's umask), as the mapped shares' files have on the host
   * (fmode). */
  g_autofree char *dir_c = make_input_dir (no_xattr_path ("input dir with space"), checksum_job,
                                           "a directory\n");
  g_autofree char *archive_a = make_archive (dir_a, "data-a");
  g_autofree char *archive_b = make_archive (dir_b, "data-b");
  g_autofree char *image_a = make_image ("job-a");
  g_autofree char *image_b = make_image ("job-b");
  g_autofree char *image_c = make_image ("job-c");
  g_autofree char *out_a = work_path ("outputs/a");
  g_autofree char *out_b = work_path ("outputs/b");
  g_autofree char *out_c = no_xattr_path ("outputs/c");
  g_autofree char *sums_a = g_build_filename (out_a, "SHA256SUMS", NULL);
  g_autofree char *sums_c = g_build_filename (out_c, "SHA256SUMS", NULL);
  GStatBuf st;
  g_autofree char *inputs = g_strdup_printf ("data-a,data-b,%s", dir_c);
  g_autofree char *outputs = g_strdup_printf ("%s,%s,%s", out_a, out_b, out_c);
  g_autofree char *out = NULL;
  g_autofree char *plan_text = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) plan = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  JsonArray *vms;
  JsonArray *plan_vms;

  if (env.ramfs != NULL)
    {
      g_assert_cmpint (getxattr (env.ramfs, "user.pvm", NULL, 0), ==, -1);
      g_assert_cmpint (errno, ==, ENOTSUP);
    }

  out = pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "job-a,job-b,job-c", "-i", inputs,
                              "-o", outputs, "--wait", "--json"));
  result = parse_json (out);
  vms = json_node_get_array (result);
  g_assert_cmpuint (json_array_get_length (vms), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *vm = json_array_get_object_element (vms, i);

      g_assert_cmpstr (json_object_get_string_member (vm, "state"), ==, "stopped");
      g_assert_cmpint (json_object_get_int_member (vm, "job_exit"), ==, 0);
    }

  assert_output_matches (out_a, dir_a);
  assert_output_matches (out_b, dir_b);
  assert_output_matches (out_c, dir_c);
  g_assert_cmpint (g_stat (sums_a, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);
  g_assert_cmpint (g_stat (sums_c, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0644);

  /* What libvirt runs is what --dry-run said, field by field. */
  plan_text = pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "job-a,job-b,job-c", "-i", inputs,
                                    "-o", outputs, "--dry-run", "--json"));
  plan = parse_json (plan_text);
  plan_vms = json_node_get_array (plan);
  connection = open_connection ();
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *expected = json_array_get_object_element (plan_vms, i);
      g_autofree char *domain_name = g_strconcat ("pvm-", json_object_get_string_member (expected, "name"), NULL);
      g_autoptr(GVirDomain) domain = gvir_connection_find_domain_by_name (connection, domain_name);
      g_autoptr(GVirConfigDomain) config = NULL;
      g_autoptr(PvmVmPlan) actual = NULL;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) actual_json = NULL;
      g_autoptr(JsonNode) expected_node = json_array_dup_element (plan_vms, i);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) disks = NULL;
      g_autofree char *xml = NULL;
      g_autofree char *actual_text = NULL;
      g_autofree char *expected_text = NULL;

      g_assert_nonnull (domain);
      g_assert_true (gvir_domain_get_persistent (domain));
      config = gvir_domain_get_config (domain, VIR_DOMAIN_XML_INACTIVE, &error);
      g_assert_no_error (error);

      actual = pvm_domain_dup_plan (config, &error);
      g_assert_no_error (error);
      json_builder_begin_object (builder);
      pvm_vm_plan_add_json_members (actual, builder);
      json_builder_end_object (builder);
      actual_json = json_builder_get_root (builder);
      actual_text = json_to_string (actual_json, TRUE);
      expected_text = json_to_string (expected_node, TRUE);
      g_assert_cmpstr (actual_text, ==, expected_text);

      /* And the devices themselves, not only pVM's metadata. */
      g_assert_cmpuint (gvir_config_domain_get_memory (config) * 1024, ==,
                        json_object_get_int_member (expected, "memory_bytes"));
      g_assert_cmpuint (gvir_config_domain_get_vcpus (config), ==,
                        json_object_get_int_member (expected, "cores"));
      disks = pvm_domain_dup_disk_paths (config);
      g_assert_cmpstr (disks[0], ==, json_object_get_string_member (expected, "image"));
      xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (config));
      if (g_str_equal (json_object_get_string_member (expected, "input_kind"), "squashfs"))
        {
          g_autofree char *escaped = g_markup_escape_text (json_object_get_string_member (expected, "input"), -1);

          g_assert_cmpstr (disks[1], ==, json_object_get_string_member (expected, "input"));
          g_assert_nonnull (strstr (xml, "<readonly/>"));
          g_assert_nonnull (strstr (xml, escaped));
        }
      else
        {
          g_autofree char *share = g_markup_printf_escaped ("<source dir=\"%s\"/>\n      <target dir=\"input\"/>\n      <readonly/>",
                                                            json_object_get_string_member (expected, "input"));

          g_assert_null (disks[1]);
          g_assert_nonnull (strstr (xml, share));
        }
      {
        g_autofree char *share = g_markup_printf_escaped ("<source dir=\"%s\"/>\n      <target dir=\"output\"/>\n",
                                                          json_object_get_string_member (expected, "output"));

        g_assert_nonnull (strstr (xml, share));
      }
    }
  gvir_connection_close (connection);

  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "job-a", "job-b", "job-c"));
  if (env.ramfs == NULL)
    g_test_skip ("an output on a file system without extended attributes was not tried: "
                 "the harness mounts one (a ramfs) only as root");
}

/* -a " -snapshot": the guest writes its boot disk and the image does not
 * change (the same job without it does change its image, so the job really
 * writes). The forwarded port reaches a service in the guest. */
static void
test_snapshot_and_port (void)
{
  g_autofree char *dir_write = make_input_dir ("sources/write", write_disk_job, "writer\n");
  g_autofree char *dir_serve = NULL;
  g_autofree char *archive_write = make_archive (dir_write, "write");
  g_autofree char *archive_serve = NULL;
  g_autofree char *image_snap = make_image ("snap");
  g_autofree char *image_plain = make_image ("plain");
  g_autofree char *image_serve = make_image ("serve");
  g_autofree char *snap_before = pvm_test_checksum_file (image_snap);
  g_autofree char *plain_before = pvm_test_checksum_file (image_plain);
  g_autofree char *snap_after = NULL;
  g_autofree char *plain_after = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) socket = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(JsonNode) serve_info = NULL;
  const char *serve_log;
  gint64 deadline;
  gsize length = 0;

  {
    g_autoptr(GString) job = g_string_new (write_disk_job);

    g_string_append (job, serve_port_job);
    dir_serve = make_input_dir ("sources/serve", job->str, "server\n");
    archive_serve = make_archive (dir_serve, "serve");
  }

  /* VM 1 snap: port P, VM 2 plain: P+1, VM 3 serve: P+2, VM 4 snap-4:
   * P+3, the image of VM 1 again: both with -snapshot, neither writes
   * it, so they may share it. */
  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "snap,plain,serve,snap",
                        "-i", "write,write,serve,write", "-a", " -snapshot,,, -snapshot"));

  /* Connected before the guest's network is up, QEMU forwards the
   * connection when it can, after the client has given up: nc would
   * answer that one and end. So first the guest says it listens. */
  deadline = g_get_monotonic_time () + GUEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  serve_info = vm_info ("serve");
  serve_log = json_object_get_string_member (json_node_get_object (serve_info), "serial_log");
  for (;;)
    {
      g_autofree char *serial = NULL;

      if (g_file_get_contents (serve_log, &serial, NULL, NULL) &&
          strstr (serial, "pvm-test: serving") != NULL)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("serve did not get to listen on its port after %d s", GUEST_TIMEOUT_SECONDS);
      g_usleep (G_USEC_PER_SEC / 5);
    }
  g_socket_client_set_timeout (client, 5);
  while (answer == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDataInputStream) input = NULL;

      g_clear_object (&socket);
      socket = g_socket_client_connect_to_host (client, "127.0.0.1", env.port + 2, NULL, &error);
      if (socket != NULL)
        {
          input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (socket)));
          answer = g_data_input_stream_read_line_utf8 (input, &length, NULL, NULL);
        }
      if (answer == NULL)
        {
          /* QEMU accepts before the guest listens, then closes: retry. */
          if (g_get_monotonic_time () > deadline)
            {
              g_autofree char *list = pvm_test_pvm_ok (PVM ("list", "--config", env.config));
              g_autofree char *serial = NULL;

              g_file_get_contents (serve_log, &serial, NULL, NULL);
              g_error ("serve answers nothing on port %u after %d s (last error: %s)\n%s\n"
                       "its serial log:\n%s", env.port + 2, GUEST_TIMEOUT_SECONDS,
                       error != NULL ? error->message : "none", list,
                       serial != NULL ? serial + MAX (0, (gssize) strlen (serial) - 3000) : "-");
            }
          g_usleep (G_USEC_PER_SEC / 2);
        }
    }
  g_assert_cmpstr (answer, ==, "pvm-port-ok");
  /* nc in the guest ends, and with it the job, when the client is gone. */
  g_io_stream_close (G_IO_STREAM (socket), NULL, NULL);

  wait_for_member ("snap", "state", "stopped");
  wait_for_member ("plain", "state", "stopped");
  wait_for_member ("serve", "state", "stopped");
  wait_for_member ("snap-4", "state", "stopped");
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(JsonNode) info = vm_info (i == 0 ? "snap" : "snap-4");
      JsonObject *object = json_node_get_object (info);

      g_assert_cmpint (json_object_get_int_member (object, "job_exit"), ==, 0);
      g_assert_cmpstr (json_object_get_string_member (object, "image"), ==, image_snap);
      g_assert_cmpint (json_object_get_int_member (object, "ssh_port"), ==, env.port + 3 * i);
    }

  /* pvm image info names both VMs of the image. */
  {
    g_autofree char *text = pvm_test_pvm_ok (PVM ("image", "info", "snap", "--config", env.config,
                                                  "--json"));
    g_autoptr(JsonNode) image = parse_json (text);

    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (image), "used_by"), ==,
                     "snap (stopped), snap-4 (stopped)");
  }

  snap_after = pvm_test_checksum_file (image_snap);
  plain_after = pvm_test_checksum_file (image_plain);
  g_assert_cmpstr (snap_after, ==, snap_before);
  g_assert_cmpstr (plain_after, !=, plain_before);
  /* libvirt removed their throwaway overlays. */
  {
    g_autofree char *dir = g_path_get_dirname (image_snap);
    g_autoptr(GDir) images = g_dir_open (dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (images)) != NULL)
      g_assert_null (strstr (name, "TRANSIENT"));
  }

  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "snap", "plain", "serve", "snap-4"));
}

/* A long VM name under a long configuration directory (the harness's):
 * libvirt's own path for the guest agent's socket would pass the 107
 * bytes a Unix socket's path holds, and QEMU could not bind it ("UNIX
 * socket path ... too long"): the VM would not start. pVM puts that
 * socket in the runtime directory instead, and the VM runs its job. */
static void
test_long_name (void)
{
  static const char name[] = "survey-2024-worker-with-a-long-name";
  static const char job[] = "echo done > \"$PVM_OUTPUT/done.txt\"\n";
  g_autofree char *dir = make_input_dir ("sources/long", job, "long\n");
  g_autofree char *archive = make_archive (dir, "long");
  g_autofree char *image = make_image (name);
  g_autofree char *output = work_path ("outputs/long");
  g_autofree char *done = g_build_filename (output, "done.txt", NULL);
  g_autofree char *domain_name = g_strconcat (PVM_DOMAIN_NAME_PREFIX, name, NULL);
  g_autofree char *agent = NULL;
  g_autofree char *text = NULL;
  g_autofree char *xml = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GVirDomain) domain = NULL;
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autoptr(GError) error = NULL;

  /* The case this is about: libvirt's path, with the first domain ID. */
  g_assert_cmpuint (strlen (g_get_user_config_dir ()) +
                    strlen ("/libvirt/qemu/channel/target/domain-1-") + 20 +
                    strlen ("/" PVM_CONTRACT_GUEST_AGENT_CHANNEL), >, 107);
  agent = pvm_domain_dup_agent_socket (pvm_test_require_env ("LIBVIRT_DEFAULT_URI"),
                                       domain_name);
  g_assert_nonnull (agent);
  g_assert_true (g_str_has_prefix (agent, g_get_user_runtime_dir ()));

  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", name, "-i", "long", "-o", output));
  connection = open_connection ();
  domain = gvir_connection_find_domain_by_name (connection, domain_name);
  g_assert_nonnull (domain);
  config = gvir_domain_get_config (domain, 0, &error);
  g_assert_no_error (error);
  xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (config));
  g_assert_nonnull (strstr (xml, agent));

  wait_for_member (name, "state", "stopped");
  {
    g_autoptr(JsonNode) info = vm_info (name);

    g_assert_cmpint (json_object_get_int_member (json_node_get_object (info), "job_exit"), ==, 0);
  }
  g_file_get_contents (done, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "done\n");

  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, name));
}

/* A VM launched by one pvm process is found, stopped cleanly, relaunched,
 * forced off and deleted by others; its image stays. */
static void
test_stop_and_reattach (void)
{
  g_autofree char *image = make_image ("idle");
  g_autofree char *out = NULL;
  g_autofree char *list = NULL;
  g_autoptr(JsonNode) vms = NULL;
  JsonObject *vm;

  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "idle"));

  list = pvm_test_pvm_ok (PVM ("list", "--config", env.config, "--json"));
  vms = parse_json (list);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (vms)), ==, 1);
  vm = json_array_get_object_element (json_node_get_array (vms), 0);
  g_assert_cmpstr (json_object_get_string_member (vm, "name"), ==, "idle");
  g_assert_cmpstr (json_object_get_string_member (vm, "image"), ==, image);
  g_assert_cmpstr (json_object_get_string_member (vm, "state"), ==, "running");
  g_assert_cmpint (json_object_get_int_member (vm, "ssh_port"), ==, env.port);

  /* At once, while the guest boots and cannot handle the power button
   * yet: pressed again, it still powers off cleanly. */
  out = pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "idle"));
  g_assert_cmpstr (out, ==, "idle: powered off\n");
  wait_for_member ("idle", "guest_status", "poweroff");
  wait_for_member ("idle", "state", "stopped");

  g_clear_pointer (&out, g_free);
  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "idle"));
  out = pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "idle"));
  g_assert_cmpstr (out, ==, "idle: forced off\n");
  wait_for_member ("idle", "state", "stopped");

  g_clear_pointer (&out, g_free);
  out = pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "idle"));
  g_assert_cmpstr (out, ==, "idle: not running\n");

  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "idle"));
  g_assert_true (g_file_test (image, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&list, g_free);
  list = pvm_test_pvm_ok (PVM ("list", "--config", env.config, "--json"));
  g_assert_cmpstr (g_strstrip (list), ==, "[]");
}

/* Waits until the VM's serial log has a line that starts with @line. */
static void
wait_for_serial_line (const char *name,
                      const char *line)
{
  g_autoptr(JsonNode) info = vm_info (name);
  const char *log = json_object_get_string_member (json_node_get_object (info), "serial_log");
  gint64 deadline = g_get_monotonic_time () + GUEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;
  g_autofree char *needle = g_strconcat ("\n", line, NULL);

  for (;;)
    {
      g_autofree char *text = NULL;

      if (g_file_get_contents (log, &text, NULL, NULL) && strstr (text, needle) != NULL)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("%s: no \"%s\" on the serial port after %d s", name, line,
                 GUEST_TIMEOUT_SECONDS);
      g_usleep (G_USEC_PER_SEC / 10);
    }
}

/* A job saved in the middle continues after resume from where it was: the
 * ticks on its serial port come once each, in order. A VM with a 9p share
 * mounted is refused, named, and keeps running. */
static void
test_save_and_resume (void)
{
  static const char ticker_job[] =
    "i=0\n"
    "while [ $i -lt 40 ]; do echo \"tick $i\"; echo \"pvm-progress: $((i * 100 / 40)) tick $i\"; "
    "i=$((i + 1)); sleep 0.2; done\n";
  g_autofree char *dir = make_input_dir ("sources/ticker", ticker_job, "ticker\n");
  g_autofree char *archive = make_archive (dir, "ticker");
  g_autofree char *image = make_image ("ticker");
  g_autofree char *shared_image = make_image ("shared");
  g_autofree char *shared_output = work_path ("outputs/shared");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *serial = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int next = 0;

  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "ticker", "-i", "ticker"));
  wait_for_serial_line ("ticker", "tick 5");
  /* The job's progress lines, while it runs. */
  info = vm_info ("ticker");
  {
    JsonObject *progress = json_object_get_object_member (json_node_get_object (info),
                                                          "job_progress");
    gint64 percent;
    g_autofree char *text = NULL;

    g_assert_nonnull (progress);
    percent = json_object_get_int_member (progress, "percent");
    g_assert_cmpint (percent, >=, 12);
    g_assert_cmpint (percent, <=, 100);
    /* "pvm-progress: PERCENT tick I", PERCENT = I * 100 / 40 */
    text = g_strdup_printf ("tick %" G_GINT64_FORMAT, (percent * 40 + 99) / 100);
    g_assert_cmpstr (json_object_get_string_member (progress, "text"), ==, text);
    out = pvm_test_pvm_ok (PVM ("info", "--config", env.config, "ticker"));
    g_assert_nonnull (strstr (out, "  guest    job start input ("));
    g_assert_nonnull (strstr (out, "% tick "));
    g_clear_pointer (&out, g_free);
  }
  g_clear_pointer (&info, json_node_unref);
  out = pvm_test_pvm_ok (PVM ("save", "--config", env.config, "ticker"));
  g_assert_cmpstr (out, ==, "ticker: saved\n");
  wait_for_member ("ticker", "state", "saved");
  g_usleep (G_USEC_PER_SEC);

  g_clear_pointer (&out, g_free);
  out = pvm_test_pvm_ok (PVM ("resume", "--config", env.config, "ticker"));
  g_assert_cmpstr (out, ==, "ticker: resumed\n");
  wait_for_member ("ticker", "state", "stopped");

  info = vm_info ("ticker");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (info), "job_exit"), ==, 0);
  /* Its job has ended: no progress any more. */
  g_assert_true (json_object_get_null_member (json_node_get_object (info), "job_progress"));
  g_file_get_contents (json_object_get_string_member (json_node_get_object (info), "serial_log"),
                       &serial, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (serial, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *expected = g_strdup_printf ("tick %d", next);

      if (g_str_has_prefix (lines[i], "tick "))
        {
          g_strchomp (lines[i]);
          g_assert_cmpstr (lines[i], ==, expected);
          next++;
        }
    }
  g_assert_cmpint (next, ==, 40);

  /* The 9p output is mounted once the guest is ready. */
  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "shared", "-o", shared_output));
  wait_for_member ("shared", "guest_status", "idle");
  g_assert_cmpint (pvm_test_run_pvm (PVM ("save", "--config", env.config, "shared"), NULL, &err),
                   ==, 1);
  g_assert_nonnull (strstr (err, "cannot be saved while its guest has the shared folder"));
  g_assert_nonnull (strstr (err, shared_output));
  g_assert_nonnull (strstr (err, "(9p tag \"output\")"));
  g_clear_pointer (&info, json_node_unref);
  info = vm_info ("shared");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info), "state"), ==,
                   "running");

  pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "shared"));
  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "ticker", "shared"));
}

/* OUTPUT_MODE=disk: the guest writes an ext4 disk; a job saved in the
 * middle goes on writing after resume; once the VM is off, a new pvm
 * process (info) copies the files into the output directory, keeping a
 * host file that is newer. */
static void
test_output_disk (void)
{
  static const char writer_job[] =
    "echo 'from the guest' > \"$PVM_OUTPUT/result.txt\"\n"
    "mkdir -p \"$PVM_OUTPUT/sub dir\"\n"
    "echo deep > \"$PVM_OUTPUT/sub dir/deep.txt\"\n"
    "echo guest > \"$PVM_OUTPUT/newer.txt\"\n"
    "i=0\n"
    "while [ $i -lt 30 ]; do echo \"tick $i\"; echo \"tick $i\" >> \"$PVM_OUTPUT/ticks\"; "
    "i=$((i + 1)); sleep 0.2; done\n";
  g_autofree char *dir = make_input_dir ("sources/writer", writer_job, "writer\n");
  g_autofree char *archive = make_archive (dir, "writer");
  g_autofree char *image = make_image ("writer");
  g_autofree char *image_2 = make_image ("writer-2");
  g_autofree char *output = work_path ("outputs/disk");
  g_autofree char *newer = g_build_filename (output, "newer.txt", NULL);
  g_autofree char *result = g_build_filename (output, "result.txt", NULL);
  g_autofree char *deep = g_build_filename (output, "sub dir", "deep.txt", NULL);
  g_autofree char *ticks_path = g_build_filename (output, "ticks", NULL);
  g_autofree char *disk = g_build_filename (output, ".pvm", "output.img", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected_ticks = NULL;
  g_autoptr(GString) ticks = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autofree char *both = g_strdup_printf ("%s,%s", output, output);

  /* Two VMs on one output disk would corrupt it. */
  g_assert_cmpint (pvm_test_run_pvm (PVM ("--config", env.config, "--output-mode", "disk",
                                          "-d", "writer,writer-2", "-i", "writer", "-o", both),
                                     NULL, &err),
                   ==, 1);
  g_assert_nonnull (strstr (err, "each VM needs an output directory of its own"));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));

  /* A host file newer than anything the guest writes. */
  write_file (newer, "host\n", -1);
  {
    struct utimbuf times = { time (NULL) + 86400, time (NULL) + 86400 };

    g_assert_cmpint (utime (newer, &times), ==, 0);
  }

  pvm_test_pvm_ok (PVM ("--config", env.config, "--output-mode", "disk", "-d", "writer",
                        "-i", "writer", "-o", output));
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));
  info = vm_info ("writer");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info), "output_disk"), ==,
                   disk);

  wait_for_serial_line ("writer", "tick 5");
  pvm_test_pvm_ok (PVM ("save", "--config", env.config, "writer"));
  wait_for_member ("writer", "state", "saved");
  pvm_test_pvm_ok (PVM ("resume", "--config", env.config, "writer"));
  /* "pvm info" finds it off and collects its output. */
  wait_for_member ("writer", "state", "stopped");

  g_file_get_contents (result, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "from the guest\n");
  g_clear_pointer (&text, g_free);
  g_file_get_contents (deep, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "deep\n");
  g_clear_pointer (&text, g_free);
  g_file_get_contents (newer, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "host\n");
  g_clear_pointer (&text, g_free);
  for (int i = 0; i < 30; i++)
    g_string_append_printf (ticks, "tick %d\n", i);
  g_file_get_contents (ticks_path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, ticks->str);

  /* The pvm that waited is stopped (Ctrl+C) before the VM powers off: it
   * says how to stop this launch's VMs, and nobody sees the VM power off;
   * pvm collect copies the output afterwards. */
  {
    static const char short_job[] = "echo 'pvm-progress: 50 sleeping'\nsleep 5\n"
                                    "echo done > \"$PVM_OUTPUT/late.txt\"\n";
    g_autofree char *late_dir = make_input_dir ("sources/late", short_job, "late\n");
    g_autofree char *late_archive = make_archive (late_dir, "late");
    g_autofree char *late_image = make_image ("late");
    g_autofree char *late_output = work_path ("outputs/late");
    g_autofree char *late_file = g_build_filename (late_output, "late.txt", NULL);
    g_autofree char *collected = NULL;
    g_autoptr(GSubprocess) waiting = NULL;
    g_autofree char *waiting_out = NULL;
    g_autofree char *waiting_err = NULL;
    g_autoptr(GVirConnection) connection = NULL;
    g_autoptr(GVirDomain) domain = NULL;
    gint64 deadline;

    waiting = pvm_test_spawn_pvm (PVM ("--config", env.config, "--output-mode", "disk",
                                       "-d", "late", "-i", "late", "-o", late_output, "--wait"),
                                  NULL, &error);
    g_assert_no_error (error);
    /* Defined and started by the pvm that runs in the background. */
    deadline = g_get_monotonic_time () + GUEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;
    while (pvm_test_run_pvm (PVM ("info", "--config", env.config, "late"), NULL, NULL) != 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (G_USEC_PER_SEC / 5);
      }
    wait_for_serial_line ("late", "pvm-progress: 50");
    /* It reads the job's progress every two seconds while it waits. */
    g_usleep (3 * G_USEC_PER_SEC);
    g_subprocess_send_signal (waiting, SIGINT);
    g_subprocess_communicate_utf8 (waiting, NULL, NULL, &waiting_out, &waiting_err, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_subprocess_get_exit_status (waiting), ==, 1);
    if (strstr (waiting_out, "\nlate: 50% (sleeping)\n") == NULL)
      g_error ("pvm --wait did not print the job's progress: %s", waiting_out);
    if (strstr (waiting_err, "pvm: stopped waiting: the VMs keep running "
                             "(pvm stop late stops them)\n") == NULL)
      g_error ("pvm --wait, interrupted, said: %s", waiting_err);

    /* Off, as libvirt sees it (pvm list and info would collect by themselves). */
    connection = open_connection ();
    domain = gvir_connection_find_domain_by_name (connection, "pvm-late");
    g_assert_nonnull (domain);
    deadline = g_get_monotonic_time () + GUEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;
    /* (The domain handle keeps the ID it was found with: ask for its state.) */
    for (;;)
      {
        GVirDomainInfo *domain_info = gvir_domain_get_info (domain, &error);
        gboolean off;

        g_assert_no_error (error);
        off = domain_info->state == GVIR_DOMAIN_STATE_SHUTOFF;
        g_boxed_free (GVIR_TYPE_DOMAIN_INFO, domain_info);
        if (off)
          break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (G_USEC_PER_SEC / 5);
      }
    gvir_connection_close (connection);
    g_assert_false (g_file_test (late_file, G_FILE_TEST_EXISTS));

    /* With no room for it (RLIMIT_FSIZE 0, inherited by pvm and its
     * debugfs, writes fail as on a full disk): nothing copied, and how to
     * collect once there is room. */
    {
      g_autofree char *full_err = NULL;
      PvmTestFileLimit limit;
      int status;

      pvm_test_limit_file_size (&limit, 0);
      status = pvm_test_run_pvm (PVM ("collect", "--config", env.config, "late"), NULL,
                                 &full_err);
      pvm_test_unlimit_file_size (&limit);
      g_assert_cmpint (status, ==, 1);
      if (strstr (full_err, "pvm: late: cannot collect the output: Not enough space in") == NULL ||
          strstr (full_err, "pvm: late: once there is room: pvm collect late\n") == NULL)
        g_error ("pvm collect with no room said: %s", full_err);
      g_assert_false (g_file_test (late_file, G_FILE_TEST_EXISTS));
    }

    collected = pvm_test_pvm_ok (PVM ("collect", "--config", env.config, "late"));
    g_assert_nonnull (strstr (collected, "late: copied 1 file from the output disk into"));
    g_clear_pointer (&text, g_free);
    g_file_get_contents (late_file, &text, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (text, ==, "done\n");
    pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "late"));
  }

  /* Again by hand: the same files, the host's newer one still kept. */
  out = pvm_test_pvm_ok (PVM ("collect", "--config", env.config, "writer"));
  g_assert_nonnull (strstr (out, "writer: copied 3 files from the output disk into"));
  g_assert_nonnull (strstr (out, "writer: kept newer.txt: the host's copy is newer"));

  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "writer"));
}

/* A disk write that fails for want of space pauses the VM (QEMU's policy
 * for ENOSPC): pvm list and info say so and how to go on, and pvm resume
 * continues it, the write done again. The failing disk is an extra one
 * given with -a whose first write fails with ENOSPC once
 * (pvm_test_make_failing_disk()): no root, no small file system needed. */
static void
test_paused_io_error (void)
{
  g_autofree char *dir = make_input_dir ("sources/full", pvm_test_failing_disk_job, "full\n");
  g_autofree char *archive = make_archive (dir, "full");
  g_autofree char *image = make_image ("full");
  g_autofree char *output = work_path ("outputs/full");
  g_autofree char *result = g_build_filename (output, "result.txt", NULL);
  g_autofree char *disk_dir = work_path ("failing-disk");
  g_autofree char *extra = pvm_test_make_failing_disk (disk_dir);
  g_autofree char *list = NULL;
  g_autofree char *info = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "full", "-i", "full", "-o", output,
                        "-a", extra));
  wait_for_member ("full", "state", "paused");

  list = pvm_test_pvm_ok (PVM ("list", "--config", env.config));
  if (strstr (list, "paused (I/O error)") == NULL)
    g_error ("pvm list does not say why full is paused:\n%s", list);
  info = pvm_test_pvm_ok (PVM ("info", "--config", env.config, "full"));
  if (strstr (info, "  why      QEMU paused it: a write to one of its disks failed (is the "
                    "host's disk full?); once there is room: pvm resume full\n") == NULL)
    g_error ("pvm info does not say why full is paused:\n%s", info);
  g_assert_false (g_file_test (result, G_FILE_TEST_EXISTS));

  pvm_test_pvm_ok (PVM ("resume", "--config", env.config, "full"));
  wait_for_member ("full", "state", "stopped");
  g_file_get_contents (result, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "dd 0\n");
  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "full"));
}

/* Install mode: a blank image boots the test installer from the CD-ROM,
 * which reads the install share (the user's key, the configuration) and
 * writes the test guest onto the disk; the disk then boots on its own. The
 * install scripts are copied, never changed. */
static void
test_install (void)
{
  static const char key[] = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPvmTestKeyForTheInstallShare "
                            "tester@pvm\n";
  const char *installer = pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_INSTALLER_ISO");
  g_autofree char *scripts = work_path ("install_scripts");
  g_autofree char *readme = g_build_filename (scripts, "README.md", NULL);
  g_autofree char *arch = g_build_filename (scripts, "arch", "install.sh", NULL);
  g_autofree char *key_path = g_build_filename (g_get_home_dir (), ".ssh", "id_ed25519.pub", NULL);
  g_autofree char *install_config = work_path ("install.conf");
  g_autofree char *scripts_before = NULL;
  g_autofree char *scripts_after = NULL;
  g_autofree char *share = NULL;
  g_autofree char *share_config = NULL;
  g_autofree char *share_key = NULL;
  g_autofree char *share_readme = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(GError) error = NULL;

  write_file (readme, "# test install scripts\n", -1);
  write_file (arch, "#!/bin/sh\necho not run by the test installer\n", -1);
  write_file (key_path, key, -1);
  g_setenv (PVM_INSTALL_SCRIPTS_ENV, scripts, TRUE);
  scripts_before = pvm_test_dir_state (scripts);
  write_config (install_config, env.port, "INSTALL_MEDIA", installer);

  pvm_test_pvm_ok (PVM ("image", "create", "--config", env.config, "fresh", "64M"));
  pvm_test_pvm_ok (PVM ("--config", install_config, "--install", "-d", "fresh", "--wait"));

  info = vm_info ("fresh");
  serial = g_strdup (json_object_get_string_member (json_node_get_object (info), "serial_log"));
  g_file_get_contents (serial, &text, NULL, &error);
  g_assert_no_error (error);
  if (strstr (text, "pvm-installer: installed /dev/vda") == NULL)
    {
      g_printerr ("%s", text);
      g_error ("the installer did not install the disk (its serial log is on stderr)");
    }
  g_assert_nonnull (strstr (text, "pvm-installer: share ok"));
  g_assert_nonnull (strstr (text, "pvm-installer: key ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPvm"));

  /* The share: a copy of the scripts, the key, the configuration. */
  share = g_build_filename (g_get_user_state_dir (), "pvm", "install", "pvm-fresh", NULL);
  share_readme = g_build_filename (share, "install_scripts", "README.md", NULL);
  g_assert_true (g_file_test (share_readme, G_FILE_TEST_IS_REGULAR));
  g_clear_pointer (&text, g_free);
  text = g_build_filename (share, "ssh.pub", NULL);
  g_file_get_contents (text, &share_key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (share_key, ==, key);
  g_clear_pointer (&text, g_free);
  text = g_build_filename (share, "pvm-install.conf", NULL);
  g_file_get_contents (text, &share_config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (share_config, "hostname=fresh\n"));
  scripts_after = pvm_test_dir_state (scripts);
  g_assert_cmpstr (scripts_after, ==, scripts_before);

  /* The installed disk boots by itself, without the CD-ROM. */
  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "fresh"));
  wait_for_member ("fresh", "guest_status", "idle");
  pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "fresh"));
  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "fresh"));
  g_assert_false (g_file_test (share, G_FILE_TEST_EXISTS));
  g_unsetenv (PVM_INSTALL_SCRIPTS_ENV);
}

typedef struct
{
  const char *name;
  const char *args[8];
  const char *message;
} Refusal;

static void
assert_refused (const Refusal *refusal)
{
  g_autofree char *before = dup_libvirt_state ();
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  int status;

  g_ptr_array_add (args, (gpointer) "--config");
  g_ptr_array_add (args, env.config);
  for (guint i = 0; refusal->args[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) refusal->args[i]);
  g_ptr_array_add (args, NULL);

  status = pvm_test_run_pvm ((const char * const *) args->pdata, NULL, &err);
  if (status != 1 || strstr (err, refusal->message) == NULL)
    {
      g_printerr ("%s", err);
      g_error ("%s: expected status 1 and \"%s\", got %d (the output is on stderr)",
               refusal->name, refusal->message, status);
    }

  after = dup_libvirt_state ();
  g_assert_cmpstr (after, ==, before);
}

/* An image command that must leave the repository as it was. */
static void
assert_image_command_refused (const char * const *args,
                              const char         *message,
                              const char         *image)
{
  g_autofree char *before = pvm_test_dir_state (env.images);
  g_autofree char *after = NULL;
  g_autofree char *err = NULL;
  int status = pvm_test_run_pvm (args, NULL, &err);

  if (status != 1 || strstr (err, message) == NULL)
    {
      g_printerr ("%s", err);
      g_error ("pvm %s %s: expected status 1 and \"%s\", got %d (the output is on stderr)",
               args[0], args[1], message, status);
    }
  after = pvm_test_dir_state (env.images);
  g_assert_cmpstr (after, ==, before);
  g_assert_true (g_file_test (image, G_FILE_TEST_IS_REGULAR));
}

/* Bad input: nothing starts, nothing libvirt knows changes, and the
 * message names the problem. */
static void
test_refusals (void)
{
  g_autofree char *busy = make_image ("busy");
  g_autofree char *alias = g_build_filename (env.images, "alias.qcow2", NULL);
  g_autofree char *base = make_image ("base");
  g_autofree char *overlay = g_build_filename (env.images, "base-1.qcow2", NULL);
  g_autofree char *foreign = make_image ("foreign");
  g_autofree char *ok = make_image ("ok");
  g_autofree char *bad = make_image ("bad");
  g_autofree char *locked = work_path ("locked/out");
  g_autofree char *locked_parent = work_path ("locked");
  g_autofree char *no_spice = work_path ("qemu-without-spice");
  g_autofree char *no_spice_config = work_path ("no-spice.conf");
  g_autofree char *busy_config = work_path ("busy.conf");
  g_autofree char *hosts_config = work_path ("hosts.conf");
  g_autofree char *script = NULL;
  g_autofree char *qemu = NULL;
  g_autofree char *port_text = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GVirConfigDomain) foreign_config = NULL;
  g_autoptr(GVirDomain) foreign_domain = NULL;
  g_autoptr(GSocket) holder = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) info = NULL;
  g_autofree char *plan_memory = NULL;

  /* A running VM, whose image another name reaches through a symlink. It
   * gets a port of its own, so that the other launches find theirs free. */
  write_config (busy_config, env.port + 3, NULL, NULL);
  pvm_test_pvm_ok (PVM ("--config", busy_config, "-d", "busy"));
  g_assert_cmpint (symlink ("busy.qcow2", alias), ==, 0);

  /* An image with an overlay: a protected base. */
  {
    const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                           "-b", "base.qcow2", overlay, NULL };
    g_free (pvm_test_run_tool (env.images, argv));
  }

  /* A domain named as pVM would name it, which pVM did not define. */
  connection = open_connection ();
  foreign_config = gvir_config_domain_new_from_xml ("<domain type='qemu'><name>pvm-foreign</name>"
                                                    "<memory unit='MiB'>64</memory>"
                                                    "<os><type arch='x86_64'>hvm</type></os>"
                                                    "</domain>", &error);
  g_assert_no_error (error);
  foreign_domain = gvir_connection_create_domain (connection, foreign_config, &error);
  g_assert_no_error (error);

  g_assert_cmpint (g_mkdir_with_parents (locked, 0755), ==, 0);
  g_assert_cmpint (g_chmod (locked, 0555), ==, 0);

  /* A QEMU without SPICE (Debian's has it): the real one, minus it. */
  qemu = pvm_host_find_tool ("qemu-system-x86_64", "qemu-system-x86", &error);
  g_assert_no_error (error);
  script = g_strdup_printf ("#!/bin/sh\n"
                            "if [ \"$1\" = -spice ]; then echo \"$0: -spice: invalid option\" >&2; exit 1; fi\n"
                            "if [ \"$1\" = -device ] && [ \"$2\" = help ]; then\n"
                            "  '%s' -device help 2>&1 | grep -v '\"qxl'; exit 0\n"
                            "fi\n"
                            "exec '%s' \"$@\"\n", qemu, qemu);
  write_file (no_spice, script, -1);
  g_assert_cmpint (g_chmod (no_spice, 0755), ==, 0);
  write_config (no_spice_config, env.port, "QEMU_BIN", no_spice);

  /* A second host no daemon answers for. */
  write_config (hosts_config, env.port, "HOSTS",
                "gone=qemu+unix:///session?socket=/nonexistent/libvirt-sock");

  /* Something listening on the port VM 1 would get. */
  holder = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  {
    const Refusal refusals[] = {
      { "missing image", { "-d", "nosuch" }, "nosuch.qcow2 does not exist" },
      { "image in use", { "-d", "alias" }, "is in use by the running VM pvm-busy" },
      { "running already", { "-d", "busy" }, "it is running already" },
      { "base image", { "-d", "base" }, "base.qcow2 is the backing image of " },
      { "not pVM's domain", { "-d", "foreign" }, "a libvirt domain named pvm-foreign exists and pVM did not define it" },
      { "output not writable", { "-d", "ok", "-o", locked }, "Cannot write to the output directory" },
      { "absurd memory", { "-d", "ok", "-m", "64T" }, "of memory is more than this host has" },
      { "QEMU without SPICE", { "--config", no_spice_config, "-d", "ok" }, "lacks SPICE" },
      /* All or none: VM 1 starts, VM 2's QEMU refuses an option. */
      { "one VM fails", { "-d", "ok,bad", "-a", ",-no-such-option" }, "VM 2 (bad) did not start" },
      /* A device of -a without an address, in the slot of pVM's display. */
      { "extra device in pVM's PCI slot", { "-d", "ok", "-a", " -device virtio-rng-pci" },
        "\npvm: A -device among its additional QEMU arguments (-a, ADDITIONAL) has no PCI address "
        "and took a slot that pVM's own devices need: give it one of slots 0x11 to 0x1e of "
        "pcie.0, which pVM leaves free, e.g. -device virtio-rng-pci,bus=pcie.0,addr=0x11 (in -a, "
        "write each comma \\,)\n" },
      /* All or none across hosts: VM 1 starts here, VM 2's host does not
       * answer. */
      { "one host fails", { "--config", hosts_config, "-d", "ok,bad", "-H", "local,gone" },
        "pvm: gone: Cannot connect to libvirt at qemu+unix:///session?socket=/nonexistent/libvirt-sock: " },
      { "one host fails, undone", { "--config", hosts_config, "-d", "ok,bad", "-H", "local,gone" },
        "pvm: The VMs already started on other hosts were stopped and removed (ok on local): "
        "nothing runs\n" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
      assert_refused (&refusals[i]);
  }

  /* After a failed relaunch, the VM keeps its earlier definition. That
   * first launch follows the advice above: the device at a free address. */
  pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "ok", "-m", "256M", "-a",
                        " -device virtio-rng-pci\\,bus=pcie.0\\,addr=0x11"));
  pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "ok"));
  {
    const Refusal relaunch = { "relaunch fails", { "-d", "ok,bad", "-m", "300M", "-a", ",-no-such-option" },
                               "No VM of this launch was left running or defined" };

    assert_refused (&relaunch);
  }
  info = vm_info ("ok");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (info), "memory_bytes"), ==,
                   256 * 1024 * 1024);

  /* The console: SPICE has no network listener, the core gets a socket
   * from libvirt, and a SPICE server answers on it. */
  reopen_connection (&connection);
  {
    g_autoptr(PvmVm) vm = pvm_vm_find (connection, "busy", &error);
    /* SpiceLinkHeader (magic, version 2.2, size) then SpiceLinkMess for
     * the main channel, no capabilities; all little-endian. */
    static const guint8 link[16 + 18] = {
      'R', 'E', 'D', 'Q', 2, 0, 0, 0, 2, 0, 0, 0, 18, 0, 0, 0,
      0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 18, 0, 0, 0,
    };
    char reply[4] = { 0 };
    int fd;

    g_assert_no_error (error);
    fd = pvm_vm_open_spice_fd (vm, &error);
    g_assert_no_error (error);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (write (fd, link, sizeof link), ==, sizeof link);
    g_assert_cmpint (read (fd, reply, sizeof reply), ==, sizeof reply);
    g_assert_cmpmem (reply, sizeof reply, "REDQ", 4);
    close (fd);
  }

  /* The image commands know which VM boots an image. */
  {
    g_autofree char *list = pvm_test_pvm_ok (PVM ("image", "list", "--config", env.config,
                                                  "--json"));
    g_autoptr(JsonNode) images = parse_json (list);
    JsonArray *array = json_node_get_array (images);
    gboolean seen = FALSE;

    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *image = json_array_get_object_element (array, i);

        if (g_str_equal (json_object_get_string_member (image, "name"), "busy"))
          {
            g_assert_cmpstr (json_object_get_string_member (image, "used_by"), ==, "busy (running)");
            seen = TRUE;
          }
        else if (g_str_equal (json_object_get_string_member (image, "name"), "base"))
          g_assert_true (json_object_get_null_member (image, "used_by"));
      }
    g_assert_true (seen);
  }
  assert_image_command_refused (PVM ("image", "delete", "--config", env.config, "busy"),
                                "The VM busy runs on", busy);
  assert_image_command_refused (PVM ("image", "snapshot", "--config", env.config, "busy",
                                     "busy-1"),
                                "stop it first (pvm stop busy, or Stop in its panel), then make "
                                "overlays of it", busy);

  /* A port in use, named. */
  pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "busy"));
  assert_image_command_refused (PVM ("image", "delete", "--config", env.config, "busy"),
                                "delete that VM first (pvm delete busy, or Delete in its panel",
                                busy);
  address = g_inet_socket_address_new (loopback, env.port);
  g_socket_bind (holder, address, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (holder, &error);
  g_assert_no_error (error);
  port_text = g_strdup_printf ("The SSH port %u on 127.0.0.1 is in use", env.port);
  {
    const Refusal port = { "port in use", { "-d", "ok" }, port_text };

    assert_refused (&port);
  }

  /* The domain pVM did not define is as it was. */
  reopen_connection (&connection);
  g_clear_object (&foreign_domain);
  foreign_domain = gvir_connection_find_domain_by_name (connection, "pvm-foreign");
  g_assert_nonnull (foreign_domain);
  gvir_domain_delete (foreign_domain, 0, &error);
  g_assert_no_error (error);
  gvir_connection_close (connection);
  g_assert_cmpint (g_chmod (locked, 0755), ==, 0);
  pvm_test_pvm_ok (PVM ("delete", "--config", env.config, "busy", "ok"));
}

/* A launcher that has not launched (or launched under KVM, with nothing
 * to warn about) has an empty list of warnings, not a NULL one: pvm
 * crashed on it under KVM. */
static void
test_no_warnings_yet (void)
{
  g_autoptr(GVirConnection) connection = gvir_connection_new ("test:///default");
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(PvmLauncher) launcher = pvm_launcher_new (connection, config);
  const char * const *warnings = pvm_launcher_get_warnings (launcher);

  g_assert_nonnull (warnings);
  g_assert_null (warnings[0]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_handler (NULL, G_LOG_LEVEL_DEBUG, pvm_test_drop_log_cb, NULL);
  gvir_init_object (&argc, &argv);
  gvir_event_register ();

  env.workdir = pvm_test_require_env ("PVM_TEST_WORKDIR");
  env.ramfs = g_getenv ("PVM_TEST_RAMFS");
  env.guest = pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_GUEST_QCOW2");
  pvm_test_require_env ("PVM_TEST_FILE_PVM");
  env.images = work_path ("images");
  env.data = work_path ("data");
  env.config = work_path ("pvm.conf");
  env.port = find_free_port_range (4);
  g_assert_cmpint (g_mkdir_with_parents (env.images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (env.data, 0755), ==, 0);
  write_config (env.config, env.port, NULL, NULL);

  g_test_add_func ("/launch/no-warnings-yet", test_no_warnings_yet);
  g_test_add_func ("/launch/inputs-and-outputs", test_inputs_and_outputs);
  g_test_add_func ("/launch/snapshot-and-port", test_snapshot_and_port);
  g_test_add_func ("/launch/long-name", test_long_name);
  g_test_add_func ("/launch/stop-and-reattach", test_stop_and_reattach);
  g_test_add_func ("/launch/save-and-resume", test_save_and_resume);
  g_test_add_func ("/launch/output-disk", test_output_disk);
  g_test_add_func ("/launch/paused-io-error", test_paused_io_error);
  g_test_add_func ("/launch/install", test_install);
  g_test_add_func ("/launch/refusals", test_refusals);

  return g_test_run ();
}
