/* SPDX-License-Identifier: BSD-3-Clause */
/* test-vm-harness.c: proves the VM test harness end to end.
 *
 * Through libvirt-glib, against the harness's private session daemon:
 * define and start a domain booting a qcow2 overlay of the test guest, with
 * a SquashFS input disk and a 9p output share, wait for the guest to power
 * off by itself, and check that the output holds the checksum of every
 * input file and that the guest could not write to its input.
 *
 * Run it through tests/harness/pvm-harness (meson test does).
 */

#define G_LOG_DOMAIN "test-vm-harness"

#include "config.h"

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define GUEST_TIMEOUT_SECONDS 240
#define DOMAIN_NAME "pvm-test-harness"

static const char job_script[] =
  "#!/bin/sh\n"
  "# Checksums of every input file, then whether the input is writable.\n"
  "set -e\n"
  "echo 'pvm-progress: 0 checksumming'\n"
  "cd \"$PVM_INPUT\"\n"
  "find . -type f | sort | while IFS= read -r f; do sha256sum \"$f\"; done > \"$PVM_OUTPUT/SHA256SUMS\"\n"
  "if touch \"$PVM_INPUT/written-by-guest\" 2>/dev/null; then\n"
  "  echo writable > \"$PVM_OUTPUT/input-status\"\n"
  "else\n"
  "  echo read-only > \"$PVM_OUTPUT/input-status\"\n"
  "fi\n"
  "echo 'pvm-progress: 100 done'\n";

static void
write_random_file (const char *path,
                   gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = g_random_int_range (0, 256);
  g_file_set_contents (path, (const char *) data, size, &error);
  g_assert_no_error (error);
}

/* Fills @dir with files of several sizes and awkward names. */
static void
make_input (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sub = g_build_filename (dir, "sub dir", "deeper", NULL);
  g_autofree char *job = g_build_filename (dir, PVM_CONTRACT_JOB_FILE, NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *small = g_build_filename (dir, "small.txt", NULL);
  g_autofree char *large = g_build_filename (dir, "sub dir", "large.bin", NULL);
  g_autofree char *quoted = g_build_filename (sub, "it's \"quoted\".dat", NULL);

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_file_set_contents (job, job_script, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  g_file_set_contents (small, "hello from the host\n", -1, &error);
  g_assert_no_error (error);
  write_random_file (large, 3 * 1024 * 1024 + 17);
  write_random_file (quoted, 4096);
}

static char *
domain_xml (const char *domain_type,
            const char *overlay,
            const char *input,
            const char *output_dir,
            const char *serial_log)
{
  return g_markup_printf_escaped (
    "<domain type='%s'>"
    "  <name>" DOMAIN_NAME "</name>"
    "  <memory unit='MiB'>256</memory>"
    "  <vcpu>1</vcpu>"
    "  <os><type arch='x86_64' machine='q35'>hvm</type></os>"
    "  <features><acpi/></features>"
    "  <on_poweroff>destroy</on_poweroff>"
    "  <on_reboot>destroy</on_reboot>"
    "  <on_crash>destroy</on_crash>"
    "  <devices>"
    "    <disk type='file' device='disk'>"
    "      <driver name='qemu' type='qcow2'/>"
    "      <source file='%s'/>"
    "      <target dev='vda' bus='virtio'/>"
    "      <boot order='1'/>"
    "    </disk>"
    "    <disk type='file' device='disk'>"
    "      <driver name='qemu' type='raw'/>"
    "      <source file='%s'/>"
    "      <target dev='vdb' bus='virtio'/>"
    "      <readonly/>"
    "      <serial>" PVM_CONTRACT_INPUT_SERIAL "</serial>"
    "    </disk>"
    "    <filesystem type='mount' accessmode='mapped'>"
    "      <source dir='%s'/>"
    "      <target dir='" PVM_CONTRACT_OUTPUT_TAG "'/>"
    "    </filesystem>"
    "    <controller type='usb' model='none'/>"
    "    <serial type='file'>"
    "      <source path='%s'/>"
    "      <target port='0'/>"
    "    </serial>"
    "    <memballoon model='none'/>"
    "  </devices>"
    "</domain>",
    domain_type, overlay, input, output_dir, serial_log);
}

typedef struct
{
  GMainLoop *loop;
  gboolean   stopped;
} WaitData;

static void
domain_stopped_cb (GVirDomain *domain,
                   WaitData   *wait)
{
  wait->stopped = TRUE;
  g_main_loop_quit (wait->loop);
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  WaitData *wait = user_data;

  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

static void
print_serial_log (const char *serial_log)
{
  g_autofree char *contents = NULL;

  if (g_file_get_contents (serial_log, &contents, NULL, NULL))
    g_printerr ("---- guest serial log %s\n%s\n----\n", serial_log, contents);
}

static void
test_harness_squashfs_in_9p_out (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GVirConfigDomain) config = NULL;
  g_autoptr(GVirDomain) domain = NULL;
  g_autoptr(GHashTable) expected = NULL;
  g_autoptr(GHashTable) actual = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *sums = NULL;
  g_autofree char *input_status = NULL;
  g_autofree char *serial = NULL;
  const char *workdir = pvm_test_require_env ("PVM_TEST_WORKDIR");
  const char *guest = pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_GUEST_QCOW2");
  const char *uri = pvm_test_require_env ("LIBVIRT_DEFAULT_URI");
  g_autofree char *input_dir = g_build_filename (workdir, "input", NULL);
  g_autofree char *input = g_build_filename (workdir, "input.sqsh", NULL);
  g_autofree char *overlay = g_build_filename (workdir, "overlay.qcow2", NULL);
  g_autofree char *output_dir = g_build_filename (workdir, "output", NULL);
  g_autofree char *serial_log = g_build_filename (workdir, "serial.log", NULL);
  g_autofree char *sums_path = g_build_filename (output_dir, "SHA256SUMS", NULL);
  g_autofree char *status_path = g_build_filename (output_dir, "input-status", NULL);
  WaitData wait = { 0 };
  gint64 started, elapsed;
  guint timeout_id;

  make_input (input_dir);
  g_assert_cmpint (g_mkdir (output_dir, 0755), ==, 0);

  {
    const char *mksquashfs[] = { "mksquashfs", input_dir, input, "-noappend", "-all-root",
                                 "-no-progress", "-quiet", NULL };
    const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                               "-b", guest, overlay, NULL };
    g_free (pvm_test_run_tool (NULL, mksquashfs));
    g_free (pvm_test_run_tool (NULL, qemu_img));
  }

  connection = gvir_connection_new (uri);
  gvir_connection_open (connection, NULL, &error);
  g_assert_no_error (error);

  xml = domain_xml (pvm_host_kvm_usable (NULL) ? "kvm" : "qemu",
                    overlay, input, output_dir, serial_log);
  config = gvir_config_domain_new_from_xml (xml, &error);
  g_assert_no_error (error);

  domain = gvir_connection_create_domain (connection, config, &error);
  g_assert_no_error (error);
  g_assert_true (gvir_domain_get_persistent (domain));

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  g_signal_connect (domain, "stopped", G_CALLBACK (domain_stopped_cb), &wait);
  timeout_id = g_timeout_add_seconds (GUEST_TIMEOUT_SECONDS, wait_timeout_cb, &wait);

  started = g_get_monotonic_time ();
  gvir_domain_start (domain, 0, &error);
  g_assert_no_error (error);
  g_main_loop_run (loop);
  elapsed = g_get_monotonic_time () - started;

  if (!wait.stopped)
    {
      print_serial_log (serial_log);
      g_error ("the guest did not power off within %d s", GUEST_TIMEOUT_SECONDS);
    }
  g_source_remove (timeout_id);
  g_print ("# guest boot-to-poweroff: %.1f s\n", elapsed / (double) G_USEC_PER_SEC);

  g_file_get_contents (serial_log, &serial, NULL, &error);
  g_assert_no_error (error);
  if (strstr (serial, PVM_CONTRACT_STATUS_PREFIX PVM_CONTRACT_STATUS_JOB_EXIT " 0") == NULL)
    {
      print_serial_log (serial_log);
      g_error ("the guest did not report a successful job on its serial port");
    }
  g_assert_nonnull (strstr (serial, PVM_CONTRACT_STATUS_PREFIX "input squashfs"));
  g_assert_nonnull (strstr (serial, PVM_CONTRACT_STATUS_PREFIX "output 9p"));
  g_assert_nonnull (strstr (serial, PVM_CONTRACT_PROGRESS_PREFIX "100 done"));

  /* Every input file, and nothing else, with the host's checksum. */
  expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  pvm_test_checksum_tree (expected, input_dir, ".");
  g_assert_cmpuint (g_hash_table_size (expected), ==, 5);

  g_file_get_contents (sums_path, &sums, NULL, &error);
  g_assert_no_error (error);
  actual = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  lines = g_strsplit (sums, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *sep;

      if (lines[i][0] == '\0')
        continue;
      sep = strstr (lines[i], "  ");
      g_assert_nonnull (sep);
      g_hash_table_insert (actual, g_strdup (sep + 2), g_strndup (lines[i], sep - lines[i]));
    }

  g_assert_cmpuint (g_hash_table_size (actual), ==, g_hash_table_size (expected));
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, expected);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        const char *guest_sum = g_hash_table_lookup (actual, key);

        if (guest_sum == NULL)
          g_error ("the guest did not checksum %s", (const char *) key);
        g_assert_cmpstr (guest_sum, ==, value);
      }
  }

  g_file_get_contents (status_path, &input_status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (input_status, ==, "read-only\n");

  gvir_domain_delete (domain, 0, &error);
  g_assert_no_error (error);
  gvir_connection_close (connection);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* libvirt-glib logs every event-loop change at debug level, without a
   * log domain, and the test framework would print each: drop those. */
  g_log_set_handler (NULL, G_LOG_LEVEL_DEBUG, pvm_test_drop_log_cb, NULL);
  gvir_init_object (&argc, &argv);
  gvir_event_register ();

  g_test_add_func ("/harness/squashfs-input-9p-output", test_harness_squashfs_in_9p_out);

  return g_test_run ();
}
