/* SPDX-License-Identifier: BSD-3-Clause */
/* test-contract.c: the guest contract's names are the same in the code
 * (pvm-contract.h), in the document people build guests from
 * (docs/guest-contract.md) and in pVM's own guest (src/guest/pvm-guest-init).
 */

#define G_LOG_DOMAIN "test-contract"

#include "config.h"

#include <string.h>

#include "pvm-core.h"
#include "pvm-domain.h"

static const char * const names[] = {
  PVM_CONTRACT_INPUT_SERIAL,
  PVM_CONTRACT_OUTPUT_SERIAL,
  PVM_CONTRACT_INPUT_TAG,
  PVM_CONTRACT_OUTPUT_TAG,
  PVM_CONTRACT_INSTALL_TAG,
  PVM_CONTRACT_INPUT_DIR,
  PVM_CONTRACT_OUTPUT_DIR,
  PVM_CONTRACT_INSTALL_DIR,
  PVM_CONTRACT_JOB_FILE,
  PVM_CONTRACT_JOB_FW_CFG,
};

/* Names only the document and the launcher know (pVM's own guest has no
 * agents). */
static const char * const agent_names[] = {
  PVM_CONTRACT_SPICE_AGENT_CHANNEL,
  PVM_CONTRACT_GUEST_AGENT_CHANNEL,
};

static char *
read_source_file (const char *first_element,
                  ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *relative = NULL;
  char *contents = NULL;
  va_list args;

  va_start (args, first_element);
  relative = g_build_filename_valist (first_element, &args);
  va_end (args);
  path = g_test_build_filename (G_TEST_DIST, "..", relative, NULL);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static void
test_document (void)
{
  g_autofree char *doc = read_source_file ("docs", "guest-contract.md", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *quoted = g_strdup_printf ("`%s`", names[i]);

      if (strstr (doc, quoted) == NULL)
        g_error ("docs/guest-contract.md does not name %s", quoted);
    }

  g_assert_nonnull (strstr (doc, PVM_CONTRACT_STATUS_PREFIX PVM_CONTRACT_STATUS_READY));
  g_assert_nonnull (strstr (doc, PVM_CONTRACT_STATUS_PREFIX PVM_CONTRACT_STATUS_JOB_START));
  g_assert_nonnull (strstr (doc, PVM_CONTRACT_STATUS_PREFIX PVM_CONTRACT_STATUS_JOB_EXIT));
  g_assert_nonnull (strstr (doc, PVM_CONTRACT_STATUS_PREFIX PVM_CONTRACT_STATUS_POWEROFF));
  g_assert_nonnull (strstr (doc, PVM_CONTRACT_PROGRESS_PREFIX));

  for (guint i = 0; i < G_N_ELEMENTS (agent_names); i++)
    {
      g_autofree char *quoted = g_strdup_printf ("`%s`", agent_names[i]);

      if (strstr (doc, quoted) == NULL)
        g_error ("docs/guest-contract.md does not name %s", quoted);
    }
  /* SSH: the forwarded port goes to the guest's 22. */
  g_assert_nonnull (strstr (doc, "port 22"));
}

/* The XML of a VM built as the launcher builds it. */
static char *
build_xml (PvmInputKind  input_kind,
           const char   *output_disk,
           const char   *install_share)
{
  g_autoptr(PvmVmPlan) vm = g_new0 (PvmVmPlan, 1);
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  PvmDomainOptions options = { 0 };

  vm->name = g_strdup ("job");
  vm->image = g_strdup ("/srv/images/job.qcow2");
  vm->input_kind = input_kind;
  vm->input = g_strdup (input_kind == PVM_INPUT_KIND_SQUASHFS ? "/srv/data/in.sqsh"
                                                              : "/srv/data/in");
  vm->output = g_strdup ("/srv/out/job");
  vm->memory_bytes = 256 * PVM_SIZE_MIB;
  vm->cores = 1;
  vm->extra_args = g_new0 (char *, 1);
  vm->ssh_port = 2222;

  options.domain_type = "qemu";
  options.emulator = "/usr/bin/qemu-system-x86_64";
  options.serial_log = "/srv/logs/job.log";
  options.output_disk = output_disk;
  options.install_share = install_share;
  if (install_share != NULL)
    options.install_media = "/srv/iso/os.iso";

  domain = pvm_domain_build (vm, &options, &error);
  g_assert_no_error (error);
  return gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (domain));
}

static void
assert_has (const char *xml,
            const char *part)
{
  if (strstr (xml, part) == NULL)
    g_error ("the launcher's domain has no %s:\n%s", part, xml);
}

/* What the document promises is what the launcher attaches. */
static void
test_launcher (void)
{
  g_autofree char *disks = build_xml (PVM_INPUT_KIND_SQUASHFS, "/srv/out/job/.pvm/output.img",
                                      NULL);
  g_autofree char *shares = build_xml (PVM_INPUT_KIND_DIRECTORY, NULL, "/srv/install/job");

  assert_has (disks, "<serial>" PVM_CONTRACT_INPUT_SERIAL "</serial>");
  assert_has (disks, "<serial>" PVM_CONTRACT_OUTPUT_SERIAL "</serial>");
  assert_has (shares, "<target dir=\"" PVM_CONTRACT_INPUT_TAG "\"/>");
  assert_has (shares, "<target dir=\"" PVM_CONTRACT_OUTPUT_TAG "\"/>");
  assert_has (shares, "<target dir=\"" PVM_CONTRACT_INSTALL_TAG "\"/>");
  for (guint i = 0; i < G_N_ELEMENTS (agent_names); i++)
    {
      g_autofree char *target = g_strdup_printf ("name=\"%s\"", agent_names[i]);

      assert_has (disks, target);
      assert_has (shares, target);
    }
  assert_has (disks, "hostfwd=tcp:127.0.0.1:2222-:22");
}

static void
test_guest_init (void)
{
  g_autofree char *init = read_source_file ("src", "guest", "pvm-guest-init", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strstr (init, names[i]) == NULL)
      g_error ("src/guest/pvm-guest-init does not use %s", names[i]);

  g_assert_nonnull (strstr (init, PVM_CONTRACT_STATUS_PREFIX));
  g_assert_nonnull (strstr (init, PVM_CONTRACT_STATUS_READY));
  g_assert_nonnull (strstr (init, PVM_CONTRACT_STATUS_JOB_START));
  g_assert_nonnull (strstr (init, PVM_CONTRACT_STATUS_JOB_EXIT));
  g_assert_nonnull (strstr (init, PVM_CONTRACT_STATUS_POWEROFF));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/contract/document", test_document);
  g_test_add_func ("/contract/guest-init", test_guest_init);
  g_test_add_func ("/contract/launcher", test_launcher);

  return g_test_run ();
}
