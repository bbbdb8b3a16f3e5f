/* SPDX-License-Identifier: BSD-3-Clause */
/* test-domain.c: the domain builder, pvm_domain_build(), against golden
 * files, as libvirt-glib's own tests do: each case's XML must equal
 * tests/xml/CASE.xml byte for byte, and every golden file must pass
 * libvirt's schema (virt-xml-validate FILE domain). Also: pVM's metadata
 * read back into a plan, from the builder's XML and from XML as a libvirt
 * daemon returns it (tests/xml/from-libvirt.xml); the name sanitising; the
 * values the builder refuses.
 *
 * After a deliberate change to the builder, rewrite the golden files with
 *
 *   PVM_UPDATE_GOLDEN=1 meson test -C BUILDDIR test-domain
 *
 * and review the difference (git diff tests/xml) before committing it.
 */

#define G_LOG_DOMAIN "test-domain"

#include "config.h"

#include <gio/gio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"
#include "pvm-domain.h"

#define SERIAL_LOG "/srv/pvm/logs/job.serial.log"
#define QEMU_BIN   "/usr/bin/qemu-system-x86_64"
#define M512       (512 * PVM_SIZE_MIB)

typedef struct
{
  const char   *name;         /* tests/xml/NAME.xml */
  /* The plan */
  const char   *image_name;
  const char   *image;
  const char   *input;
  PvmInputKind  input_kind;
  const char   *output;
  guint64       memory_bytes;
  guint         cores;
  const char   *extra_args[6];
  guint         ssh_port;
  /* The options */
  const char   *domain_type;
  PvmCpuMode    cpu_mode;
  const char   *uuid;
  /* An expected error instead of a golden file */
  int           error_code;   /* -1: none */
  const char   *error_part;   /* a part of its message */
  /* Disks on a file system without O_DIRECT */
  gboolean      buffered;
  /* OUTPUT_MODE=disk */
  const char   *output_disk;
  /* Install mode */
  const char   *install_media;
  const char   *install_share;
  /* NET_TYPE=tap */
  const char   *network;
  const char   *mac;
  /* pVM in a sandbox: libvirt's default emulator */
  gboolean      no_emulator;
} BuildCase;

static const BuildCase build_cases[] = {
  { "squashfs-9p-ssh", "job", "/srv/pvm/images/job.qcow2",
    "/srv/pvm/squash/data.sqsh", PVM_INPUT_KIND_SQUASHFS, "/srv/pvm/output/job",
    M512, 2, { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE,
    "5a1cc4f2-2d7c-4e4b-9d65-0c6a4f8e3b21", -1, NULL },
  /* Awkward characters everywhere a user's string goes. */
  { "directory-input", "report 2024 \"final\" & <draft>",
    "/srv/pvm/images/report 2024 \"final\" & <draft>.qcow2",
    "/srv/pvm/data/it's a \"dir\" & more <here>", PVM_INPUT_KIND_DIRECTORY,
    "/srv/pvm/out/Résultats & co", M512, 1, { NULL }, 2223, "qemu",
    PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL },
  { "no-input-no-output", "idle", "/srv/pvm/images/idle.qcow2", NULL, PVM_INPUT_KIND_NONE,
    NULL, 256 * PVM_SIZE_MIB, 1, { NULL }, 2224, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    -1, NULL },
  /* -snapshot becomes a transient disk; the other arguments go to QEMU
   * after pVM's own, unchanged, awkward characters included. */
  { "snapshot-extra-args", "scratch", "/srv/pvm/images/scratch.qcow2",
    "/srv/pvm/squash/data.sqsh", PVM_INPUT_KIND_SQUASHFS, "/srv/pvm/output/scratch",
    PVM_SIZE_GIB, 2, { "-snapshot", "-device", "virtio-rng-pci", "-fw_cfg",
                        "name=opt/pvm/note,string=it's \"x\" & <y>", NULL },
    2225, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL },
  /* NET_TYPE=tap: no SSH forward; a virtio NIC on pVM's libvirt network,
   * with the MAC address of the definition it replaces. */
  { "tap", "bridged", "/srv/pvm/images/bridged.qcow2", "/srv/pvm/squash/data.sqsh",
    PVM_INPUT_KIND_SQUASHFS, "/srv/pvm/output/bridged", M512, 1, { NULL }, 0, "qemu",
    PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL, FALSE, NULL, NULL, NULL, "pvm-ovs-br1",
    "52:54:00:1c:2d:3e" },
  /* In a Flatpak sandbox: no <emulator>, the host's libvirt picks its own. */
  { "sandbox", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M512, 1,
    { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL, FALSE, NULL, NULL, NULL,
    NULL, NULL, TRUE },
  { "kvm-host-model", "job", "/srv/pvm/images/job.qcow2", "/srv/pvm/squash/data.sqsh",
    PVM_INPUT_KIND_SQUASHFS, "/srv/pvm/output/job", 4 * PVM_SIZE_GIB, 4, { NULL }, 2222,
    "kvm", PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL },
  { "kvm-fastest", "job", "/srv/pvm/images/job.qcow2", "/srv/pvm/squash/data.sqsh",
    PVM_INPUT_KIND_SQUASHFS, "/srv/pvm/output/job", 4 * PVM_SIZE_GIB, 4, { NULL }, 2222,
    "kvm", PVM_CPU_MODE_FASTEST, NULL, -1, NULL },

  /* Image, input and output on tmpfs: no O_DIRECT, so the page cache and
   * threads; no user xattrs (tmpfs before Linux 6.6), so the output share
   * in squash mode. */
  { "tmpfs-buffered", "job", "/dev/shm/pvm/job.qcow2", "/dev/shm/pvm/data.sqsh",
    PVM_INPUT_KIND_SQUASHFS, "/dev/shm/pvm/output/job", M512, 1, { NULL }, 2222, "qemu",
    PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL, TRUE },

  /* OUTPUT_MODE=disk: the output is a disk the guest finds by its serial. */
  { "output-disk", "job", "/srv/pvm/images/job.qcow2", "/srv/pvm/squash/data.sqsh",
    PVM_INPUT_KIND_SQUASHFS, "/srv/pvm/output/job", M512, 1, { NULL }, 2222, "qemu",
    PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL, FALSE, "/srv/pvm/output/job/.pvm/output.img" },

  /* Install mode: the CD-ROM boots first, the blank image second, the
   * install share read-only. */
  { "install", "fresh", "/srv/pvm/images/fresh.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M512, 2,
    { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL, -1, NULL, FALSE, NULL,
    "/srv/iso/archlinux-x86_64.iso", "/home/user/.local/state/pvm/install/pvm-fresh" },

  /* Refused. */
  { "qemu-fastest", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
    M512, 1, { NULL }, 2222, "qemu", PVM_CPU_MODE_FASTEST, NULL,
    PVM_ERROR_NOT_SUPPORTED, "needs KVM" },
  { "relative-image", "job", "images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
    M512, 1, { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    PVM_ERROR_INVALID_ARGUMENT, "“images/job.qcow2” is not an absolute path" },
  { "newline-in-output", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE,
    "/srv/pvm/out\nput", M512, 1, { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    PVM_ERROR_INVALID_ARGUMENT, "control character" },
  { "not-utf8-arg", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
    M512, 1, { "-name", "caf\xe9", NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    PVM_ERROR_INVALID_ARGUMENT, "not valid UTF-8" },
  { "input-without-path", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_SQUASHFS,
    NULL, M512, 1, { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    PVM_ERROR_INVALID_ARGUMENT, "No input given" },
  { "memory-not-kib", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
    M512 + 100, 1, { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    PVM_ERROR_INVALID_ARGUMENT, "not a positive whole number of KiB" },
  { "no-cores", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
    M512, 0, { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    PVM_ERROR_INVALID_ARGUMENT, "no CPU cores" },
  { "bad-uuid", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
    M512, 1, { NULL }, 2222, "qemu", PVM_CPU_MODE_MIGRATION_SAFE, "not-a-uuid",
    PVM_ERROR_INVALID_ARGUMENT, "“not-a-uuid” is not a UUID" },
  { "bad-domain-type", "job", "/srv/pvm/images/job.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
    M512, 1, { NULL }, 2222, "xen", PVM_CPU_MODE_MIGRATION_SAFE, NULL,
    PVM_ERROR_INVALID_ARGUMENT, "Unknown domain type “xen”" },
};

static PvmVmPlan *
plan_for_case (const BuildCase *c)
{
  PvmVmPlan *vm = g_new0 (PvmVmPlan, 1);

  vm->index = 3;
  vm->name = g_strdup (c->image_name);
  vm->image = g_strdup (c->image);
  vm->input = g_strdup (c->input);
  vm->input_kind = c->input_kind;
  vm->output = g_strdup (c->output);
  vm->memory_bytes = c->memory_bytes;
  vm->cores = c->cores;
  vm->extra_args = g_strdupv ((char **) c->extra_args);
  vm->ssh_port = c->ssh_port;
  return vm;
}

static void
options_for_case (const BuildCase  *c,
                  PvmDomainOptions *options)
{
  options->domain_type = c->domain_type;
  options->emulator = c->no_emulator ? NULL : QEMU_BIN;
  options->cpu_mode = c->cpu_mode;
  options->serial_log = SERIAL_LOG;
  options->uuid = c->uuid;
  options->image_buffered = c->buffered;
  options->input_buffered = c->buffered;
  options->output_squash = c->buffered;
  options->output_disk = c->output_disk;
  options->install_media = c->install_media;
  options->install_share = c->install_share;
  options->network = c->network;
  options->mac = c->mac;
}

static void
assert_plans_equal (const PvmVmPlan *actual,
                    const PvmVmPlan *expected)
{
  g_assert_cmpuint (actual->index, ==, expected->index);
  g_assert_cmpstr (actual->name, ==, expected->name);
  g_assert_cmpstr (actual->image, ==, expected->image);
  g_assert_cmpstr (actual->input, ==, expected->input);
  g_assert_cmpint (actual->input_kind, ==, expected->input_kind);
  g_assert_cmpstr (actual->output, ==, expected->output);
  g_assert_cmpuint (actual->memory_bytes, ==, expected->memory_bytes);
  g_assert_cmpuint (actual->cores, ==, expected->cores);
  g_assert_nonnull (actual->extra_args);
  g_assert_cmpstrv (actual->extra_args, expected->extra_args);
  g_assert_cmpuint (actual->ssh_port, ==, expected->ssh_port);
}

/* Runs virt-xml-validate on @path; fails the test with its output if
 * libvirt's schema rejects the file. */
static void
assert_valid_domain_xml (const char *path)
{
  const char * const argv[] = { "virt-xml-validate", path, "domain", NULL };

  g_free (pvm_test_run_tool (NULL, argv));
}

static void
test_build (gconstpointer data)
{
  const BuildCase *c = data;
  g_autoptr(PvmVmPlan) vm = plan_for_case (c);
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autoptr(GVirConfigDomain) reparsed = NULL;
  g_autoptr(PvmVmPlan) read_back = NULL;
  g_autoptr(PvmVmPlan) reparsed_read_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file_name = g_strconcat (c->name, ".xml", NULL);
  g_autofree char *golden_path = g_test_build_filename (G_TEST_DIST, "xml", file_name, NULL);
  g_autofree char *xml = NULL;
  g_autofree char *golden = NULL;
  PvmDomainOptions options = { 0 };

  options_for_case (c, &options);
  domain = pvm_domain_build (vm, &options, &error);

  if (c->error_code >= 0)
    {
      g_assert_error (error, PVM_ERROR, c->error_code);
      g_assert_null (domain);
      if (strstr (error->message, c->error_part) == NULL)
        g_error ("“%s” is not in the error “%s”", c->error_part, error->message);
      return;
    }

  g_assert_no_error (error);
  g_assert_nonnull (domain);
  {
    g_autofree char *text = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (domain));

    xml = g_strconcat (text, "\n", NULL);
  }

  if (g_strcmp0 (g_getenv ("PVM_UPDATE_GOLDEN"), "1") == 0)
    {
      g_file_set_contents (golden_path, xml, -1, &error);
      g_assert_no_error (error);
      g_test_message ("rewrote %s", golden_path);
    }

  g_file_get_contents (golden_path, &golden, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xml, ==, golden);
  assert_valid_domain_xml (golden_path);

  /* The same domain every time. */
  {
    g_autoptr(GVirConfigDomain) again = pvm_domain_build (vm, &options, &error);
    g_autofree char *again_xml = NULL;

    g_assert_no_error (error);
    again_xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (again));
    g_assert_true (g_str_has_prefix (xml, again_xml));
  }

  /* Things the golden files show, checked outright as well. */
  {
    g_autofree char *name = pvm_domain_name_for_plan (vm);

    g_assert_cmpstr (gvir_config_domain_get_name (domain), ==, name);
  }
  g_assert_cmpuint (gvir_config_domain_get_memory (domain) * 1024, ==, vm->memory_bytes);
  g_assert_cmpuint (gvir_config_domain_get_vcpus (domain), ==, vm->cores);
  g_assert_null (strstr (xml, "<boot dev"));
  g_assert_null (strstr (xml, "<qemu:arg value=\"-snapshot\"/>"));
  g_assert_null (strstr (xml, "<qemu:arg value=\"--snapshot\"/>"));
  g_assert_cmpint (strstr (xml, "<transient shareBacking=\"yes\"/>") != NULL, ==,
                   pvm_domain_args_have_snapshot ((const char * const *) vm->extra_args));
  g_assert_null (strstr (xml, "<listen type=\"address\""));
  g_assert_nonnull (strstr (xml, "<listen type=\"none\"/>"));
  g_assert_cmpint (strstr (xml, "hostfwd=tcp:127.0.0.1:") != NULL, ==, vm->ssh_port != 0);
  {
    g_autofree char *mac = NULL;
    g_autofree char *network = pvm_domain_dup_network (domain, &mac);

    g_assert_cmpstr (network, ==, c->network);
    g_assert_cmpstr (mac, ==, c->mac);
  }

  /* pVM's metadata gives the plan back, before and after a trip through
   * the XML text. */
  read_back = pvm_domain_dup_plan (domain, &error);
  g_assert_no_error (error);
  assert_plans_equal (read_back, vm);

  reparsed = gvir_config_domain_new_from_xml (xml, &error);
  g_assert_no_error (error);
  reparsed_read_back = pvm_domain_dup_plan (reparsed, &error);
  g_assert_no_error (error);
  assert_plans_equal (reparsed_read_back, vm);
}

static void
test_golden_files_used (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "xml", NULL);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      /* network-*.xml are test-network's. */
      gboolean used = g_str_equal (name, "from-libvirt.xml") || g_str_has_prefix (name, "network-");

      for (guint i = 0; i < G_N_ELEMENTS (build_cases); i++)
        {
          g_autofree char *expected = g_strconcat (build_cases[i].name, ".xml", NULL);

          used = used || (build_cases[i].error_code < 0 && g_str_equal (name, expected));
        }
      if (!used)
        g_error ("tests/xml/%s belongs to no test case: remove it", name);
    }
}

/* The metadata as a libvirt daemon returns it (virsh dumpxml of a domain
 * defined from the builder's XML for the "squashfs-9p-ssh" plan): libvirt
 * reformats and reorders the domain, and the plan still comes back. */
static void
test_metadata_from_libvirt (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "xml", "from-libvirt.xml", NULL);
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autoptr(PvmVmPlan) expected = plan_for_case (&build_cases[0]);
  g_autoptr(PvmVmPlan) vm = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;

  g_file_get_contents (path, &xml, NULL, &error);
  g_assert_no_error (error);
  assert_valid_domain_xml (path);
  domain = gvir_config_domain_new_from_xml (xml, &error);
  g_assert_no_error (error);

  vm = pvm_domain_dup_plan (domain, &error);
  g_assert_no_error (error);
  assert_plans_equal (vm, expected);
}

/* Awkward values survive the metadata: empty and blank arguments,
 * characters XML escapes, non-ASCII, a plan without extra arguments. */
static void
test_metadata_round_trip (void)
{
  const char * const args[] = { "", " ", "  two  spaces ", "'\"<&>", "naïve ☃", "-snapshot",
                                NULL };
  g_autoptr(PvmVmPlan) vm = g_new0 (PvmVmPlan, 1);
  g_autoptr(PvmVmPlan) read_back = NULL;
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  PvmDomainOptions options = { "qemu", QEMU_BIN, PVM_CPU_MODE_MIGRATION_SAFE, SERIAL_LOG, NULL };

  vm->index = G_MAXUINT;
  vm->name = g_strdup (" spaced name ");
  vm->image = g_strdup ("/srv/ images/ spaced name .qcow2");
  vm->input = g_strdup ("/srv/in/\"quoted\" & 'single' <tag>");
  vm->input_kind = PVM_INPUT_KIND_DIRECTORY;
  vm->memory_bytes = G_MAXINT64 - (G_MAXINT64 % PVM_SIZE_KIB);
  vm->cores = 64;
  vm->extra_args = g_strdupv ((char **) args);
  vm->ssh_port = 65535;

  domain = pvm_domain_build (vm, &options, &error);
  g_assert_no_error (error);
  read_back = pvm_domain_dup_plan (domain, &error);
  g_assert_no_error (error);
  assert_plans_equal (read_back, vm);

  /* No extra arguments and no SSH port: nothing for QEMU's command line. */
  g_clear_pointer (&vm->extra_args, g_strfreev);
  vm->extra_args = g_new0 (char *, 1);
  vm->ssh_port = 0;
  g_clear_object (&domain);
  g_clear_pointer (&read_back, pvm_vm_plan_free);
  domain = pvm_domain_build (vm, &options, &error);
  g_assert_no_error (error);
  read_back = pvm_domain_dup_plan (domain, &error);
  g_assert_no_error (error);
  assert_plans_equal (read_back, vm);
  {
    g_autofree char *xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (domain));

    g_assert_null (strstr (xml, "qemu:commandline"));
  }
}

typedef struct
{
  const char *metadata;      /* the <metadata> element's contents, or NULL for none */
  int         error_code;
  const char *error_part;
} BadMetadataCase;

#define PVM_NS "xmlns:pvm='" PVM_DOMAIN_METADATA_URI "'"
#define VALID_TAIL "<image path='/i.qcow2'/><input kind='none'/>" \
                   "<memory unit='bytes'>1048576</memory><cores>1</cores>"

static const BadMetadataCase bad_metadata_cases[] = {
  { NULL, PVM_ERROR_NOT_FOUND, "has no pVM metadata" },
  { "<other:vm xmlns:other='https://example.org/other'/>", PVM_ERROR_NOT_FOUND,
    "pVM did not define it" },
  { "<pvm:vm " PVM_NS "><image path='/i.qcow2'/><input kind='none'/>"
    "<memory unit='bytes'>1048576</memory><cores>1</cores></pvm:vm>",
    PVM_ERROR_FAILED, "there is no <name>" },
  { "<pvm:vm " PVM_NS "><name value='n'/><input kind='none'/>"
    "<memory unit='bytes'>1048576</memory><cores>1</cores></pvm:vm>",
    PVM_ERROR_FAILED, "there is no <image>" },
  { "<pvm:vm " PVM_NS "><name value='n'/><image path='/i.qcow2'/><input kind='none'/>"
    "<memory unit='KiB'>1024</memory><cores>1</cores></pvm:vm>",
    PVM_ERROR_FAILED, "unit is “KiB”" },
  { "<pvm:vm " PVM_NS "><name value='n'/><image path='/i.qcow2'/><input kind='none'/>"
    "<memory unit='bytes'>lots</memory><cores>1</cores></pvm:vm>",
    PVM_ERROR_FAILED, "<memory>" },
  { "<pvm:vm " PVM_NS "><name value='n'/><image path='/i.qcow2'/><input kind='tape'/>"
    "<memory unit='bytes'>1048576</memory><cores>1</cores></pvm:vm>",
    PVM_ERROR_FAILED, "unknown input kind “tape”" },
  { "<pvm:vm " PVM_NS "><name value='n'/><image path='/i.qcow2'/><input kind='squashfs'/>"
    "<memory unit='bytes'>1048576</memory><cores>1</cores></pvm:vm>",
    PVM_ERROR_FAILED, "needs a path" },
  { "<pvm:vm " PVM_NS "><name value='n'/>" VALID_TAIL "<ssh-port>70000</ssh-port></pvm:vm>",
    PVM_ERROR_FAILED, "<ssh-port>" },
  { "<pvm:vm " PVM_NS "><name value='n'/>" VALID_TAIL "<extra-args><arg/></extra-args></pvm:vm>",
    PVM_ERROR_FAILED, "<arg> has no “value” attribute" },
  /* What a newer pVM may add is skipped. */
  { "<pvm:vm " PVM_NS "><name value='n'/>" VALID_TAIL "<future a='b'><arg/></future></pvm:vm>",
    -1, NULL },
};

static void
test_metadata_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_metadata_cases); i++)
    {
      const BadMetadataCase *c = &bad_metadata_cases[i];
      g_autoptr(GVirConfigDomain) domain = NULL;
      g_autoptr(PvmVmPlan) vm = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *xml = NULL;

      xml = g_strdup_printf ("<domain type='qemu'><name>pvm-n</name>%s%s%s</domain>",
                             c->metadata != NULL ? "<metadata>" : "",
                             c->metadata != NULL ? c->metadata : "",
                             c->metadata != NULL ? "</metadata>" : "");
      domain = gvir_config_domain_new_from_xml (xml, &error);
      g_assert_no_error (error);

      vm = pvm_domain_dup_plan (domain, &error);
      if (c->error_code < 0)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (vm->name, ==, "n");
          g_assert_cmpstr (vm->image, ==, "/i.qcow2");
          g_assert_cmpuint (vm->memory_bytes, ==, 1048576);
          g_assert_cmpuint (vm->ssh_port, ==, 0);
          g_assert_cmpstrv (vm->extra_args, ((const char * const[]) { NULL }));
          continue;
        }

      g_assert_error (error, PVM_ERROR, c->error_code);
      g_assert_null (vm);
      g_assert_nonnull (strstr (error->message, "pvm-n"));
      if (strstr (error->message, c->error_part) == NULL)
        g_error ("case %u: “%s” is not in the error “%s”",
                 i, c->error_part, error->message);
    }
}

static void
test_name_for_image_name (void)
{
  static const struct
  {
    const char *image_name;
    const char *domain_name;
  } cases[] = {
    { "job", "pvm-job" },
    { "Job-2.final+x_y", "pvm-Job-2.final+x_y" },
    { "report 2024", "pvm-report_2024" },
    { "a/b\\c", "pvm-a_b_c" },
    { "it's \"q\" & <t>", "pvm-it_s__q_____t_" },
    { "Résultats", "pvm-R_sultats" },           /* one "_" per character */
    { "☃☃", "pvm-__" },
    { "caf\xe9", "pvm-caf_" },                   /* not UTF-8: per byte */
    { "tab\there", "pvm-tab_here" },
    { "123", "pvm-123" },
    { "", "pvm-" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = pvm_domain_name_for_image_name (cases[i].image_name);

      g_assert_cmpstr (name, ==, cases[i].domain_name);
    }

  {
    PvmVmPlan vm = { .name = (char *) "my image" };
    g_autofree char *name = pvm_domain_name_for_plan (&vm);

    g_assert_cmpstr (name, ==, "pvm-my_image");
  }
}

static void
test_snapshot_args (void)
{
  g_assert_false (pvm_domain_args_have_snapshot (NULL));
  g_assert_false (pvm_domain_args_have_snapshot ((const char * const[]) { NULL }));
  g_assert_false (pvm_domain_args_have_snapshot ((const char * const[]) { "-snapshots", NULL }));
  g_assert_true (pvm_domain_args_have_snapshot ((const char * const[]) { "-m", "1G", "-snapshot",
                                                                         NULL }));
  g_assert_true (pvm_domain_args_have_snapshot ((const char * const[]) { "--snapshot", NULL }));
}

/* Where the guest agent's socket goes: pVM's path only for a session on
 * this machine whose libvirt path could be too long (the configuration
 * directory main () sets is 32 bytes), and a path a Unix socket can have,
 * the same for the same domain; the domain binds it. A short name there
 * keeps libvirt's path. */
static void
test_agent_socket (void)
{
  static const char long_name[] = "pvm-a-name-of-sixty-characters-for-a-worker-of-a-survey-2024";
  g_autofree char *first = pvm_domain_dup_agent_socket ("qemu:///session", long_name);
  g_autofree char *again = pvm_domain_dup_agent_socket ("qemu:///session", long_name);
  g_autofree char *other = pvm_domain_dup_agent_socket ("qemu:///session",
                                                        "pvm-a-name-of-sixty-characters-for-a-"
                                                        "worker-of-a-survey-2025");
  g_autoptr(PvmVmPlan) vm = g_new0 (PvmVmPlan, 1);
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *source = NULL;
  PvmDomainOptions options = { 0 };

  /* Another host's paths, and the system instance's, are libvirt's. */
  g_assert_null (pvm_domain_dup_agent_socket ("qemu+ssh://worker2/session", long_name));
  g_assert_null (pvm_domain_dup_agent_socket ("qemu:///system", long_name));
  g_assert_null (pvm_domain_dup_agent_socket ("qemu:///session", "pvm-a"));

  g_assert_nonnull (first);
  g_assert_true (g_str_has_prefix (first, g_get_user_runtime_dir ()));
  g_assert_cmpuint (strlen (first), <, 108);
  g_assert_cmpstr (first, ==, again);
  g_assert_cmpstr (first, !=, other);

  vm->name = g_strdup ("worker");
  vm->image = g_strdup ("/srv/pvm/images/worker.qcow2");
  vm->memory_bytes = M512;
  vm->cores = 1;
  options.domain_type = "qemu";
  options.cpu_mode = PVM_CPU_MODE_MIGRATION_SAFE;
  options.serial_log = "/srv/pvm/logs/pvm-worker.log";
  options.agent_socket = first;
  domain = pvm_domain_build (vm, &options, &error);
  g_assert_no_error (error);
  xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (domain));
  source = g_strdup_printf ("<source mode=\"bind\" path=\"%s\"/>", first);
  g_assert_nonnull (strstr (xml, source));
}

int
main (int    argc,
      char **argv)
{
  /* A home directory as long as some are (/home/firstname.lastname/...):
   * /domain/agent-socket needs one. Nothing is written there. */
  g_setenv ("XDG_CONFIG_HOME", "/home/firstname.lastname/.config", TRUE);
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (build_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/domain/build/", build_cases[i].name, NULL);

      g_test_add_data_func (path, &build_cases[i], test_build);
    }
  g_test_add_func ("/domain/golden-files-used", test_golden_files_used);
  g_test_add_func ("/domain/metadata/round-trip", test_metadata_round_trip);
  g_test_add_func ("/domain/metadata/from-libvirt", test_metadata_from_libvirt);
  g_test_add_func ("/domain/metadata/bad", test_metadata_bad);
  g_test_add_func ("/domain/name-for-image-name", test_name_for_image_name);
  g_test_add_func ("/domain/snapshot-args", test_snapshot_args);
  g_test_add_func ("/domain/agent-socket", test_agent_socket);

  return g_test_run ();
}
