/* SPDX-License-Identifier: BSD-3-Clause */
/* test-media.c: pvm_media_identify() on real ISO 9660 images that
 * xorriso makes at test time, each with the volume descriptor of a known
 * installation medium (as osinfo-db's <iso> entries match them: the volume
 * ID, and the system, publisher or application ID where the entry has
 * one), and an El Torito boot record:
 *
 * - Arch Linux (archlinux.org/archlinux-rolling.xml: "ARCH_\d{6}", its
 *   publisher and application IDs): recognized, its minimum memory (the
 *   entry has no recommendation), pVM's defaults for the rest, the "arch"
 *   install scripts and their instructions;
 * - Debian 11 (debian-11.xml, netinst "Debian 11.\d+.\d+ amd64 n"): its
 *   recommended memory and disk, its minimum vCPUs, the generic scripts;
 * - Fedora 37 Server (fedora-37.xml, "Fedora-S-dvd-x86_64-37" with system
 *   ID LINUX): recommended 2 GiB and 20 GiB;
 * - a volume ID no entry has: not recognized, the volume ID, defaults;
 * - what is refused: no file, a file that is not an ISO, an ISO without a
 *   boot record;
 * - the same through pvm_media_identify_async().
 */

#define G_LOG_DOMAIN "test-media"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)
#define GIB (G_GUINT64_CONSTANT (1) << 30)

static char *workdir;

/* An ISO named @name in the work directory with volume ID @volume_id and
 * the xorriso -as mkisofs options @extra (NULL-terminated), bootable
 * unless @bootable is FALSE. */
static char *
make_iso (const char         *name,
          const char         *volume_id,
          gboolean            bootable,
          const char * const *extra)
{
  g_autofree char *tree = g_build_filename (workdir, "tree", NULL);
  g_autofree char *boot = g_build_filename (tree, "boot.img", NULL);
  g_autofree char *readme = g_build_filename (tree, "README", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *zeros = g_malloc0 (2048);
  char *path = g_build_filename (workdir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (tree, 0755), ==, 0);
  g_file_set_contents (boot, zeros, 2048, &error);
  g_assert_no_error (error);
  g_file_set_contents (readme, "pVM test medium\n", -1, &error);
  g_assert_no_error (error);

  g_ptr_array_add (argv, (gpointer) "xorriso");
  g_ptr_array_add (argv, (gpointer) "-as");
  g_ptr_array_add (argv, (gpointer) "mkisofs");
  g_ptr_array_add (argv, (gpointer) "-quiet");
  g_ptr_array_add (argv, (gpointer) "-o");
  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, (gpointer) "-V");
  g_ptr_array_add (argv, (gpointer) volume_id);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  if (bootable)
    {
      /* El Torito, no emulation: libosinfo wants a boot record. */
      g_ptr_array_add (argv, (gpointer) "-b");
      g_ptr_array_add (argv, (gpointer) "boot.img");
      g_ptr_array_add (argv, (gpointer) "-no-emul-boot");
    }
  g_ptr_array_add (argv, tree);
  g_ptr_array_add (argv, NULL);
  g_free (pvm_test_run_tool (NULL, (const char * const *) argv->pdata));
  return path;
}

static guint
expected_cores (guint wanted)
{
  return MIN (wanted, (guint) MAX (g_get_num_processors (), 1));
}

static PvmMedia *
identify (const char *path)
{
  g_autoptr(GError) error = NULL;
  PvmMedia *media = pvm_media_identify (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (media);
  g_assert_cmpstr (media->path, ==, path);
  return media;
}

static void
test_arch (void)
{
  const char * const extra[] = { "-publisher", "ARCH LINUX <HTTPS://ARCHLINUX.ORG>",
                                 "-A", "ARCH LINUX LIVE/RESCUE CD", NULL };
  g_autofree char *iso = make_iso ("archlinux-2026.11.01-x86_64.iso", "ARCH_202611", TRUE, extra);
  g_autoptr(PvmMedia) media = identify (iso);

  g_assert_true (media->recognized);
  g_assert_cmpstr (media->volume_id, ==, "ARCH_202611");
  g_assert_cmpstr (media->os_id, ==, "http://archlinux.org/archlinux/rolling");
  g_assert_cmpstr (media->short_id, ==, "archlinux");
  g_assert_cmpstr (media->name, ==, "Arch Linux");
  g_assert_true (media->live);

  /* The entry has a minimum memory only. */
  g_assert_cmpuint (media->memory_bytes, ==, 512 * MIB);
  g_assert_cmpstr (media->memory_source, ==, "minimum");
  g_assert_cmpuint (media->cores, ==, expected_cores (PVM_MEDIA_DEFAULT_CORES));
  g_assert_cmpstr (media->cores_source, ==, "default");
  g_assert_cmpuint (media->disk_bytes, ==, PVM_MEDIA_DEFAULT_DISK);
  g_assert_cmpstr (media->disk_source, ==, "default");

  g_assert_cmpstr (media->scripts, ==, "arch");
  g_assert_nonnull (strstr (media->instructions,
                            "mount -t 9p -o trans=virtio,version=9p2000.L,ro install "
                            "/mnt/install\n"));
  g_assert_nonnull (strstr (media->instructions, "/mnt/install/install_scripts/arch/install.sh"));
}

static void
test_debian (void)
{
  g_autofree char *iso = make_iso ("debian-11.7.0-amd64-netinst.iso", "Debian 11.7.0 amd64 n",
                                   TRUE, NULL);
  g_autoptr(PvmMedia) media = identify (iso);

  g_assert_true (media->recognized);
  g_assert_cmpstr (media->short_id, ==, "debian11");
  g_assert_cmpstr (media->name, ==, "Debian 11");
  g_assert_cmpuint (media->memory_bytes, ==, 1 * GIB);
  g_assert_cmpstr (media->memory_source, ==, "recommended");
  /* Recommended says nothing of vCPUs; minimum says 1. */
  g_assert_cmpuint (media->cores, ==, 1);
  g_assert_cmpstr (media->cores_source, ==, "minimum");
  g_assert_cmpuint (media->disk_bytes, ==, 20 * GIB);
  g_assert_cmpstr (media->disk_source, ==, "recommended");
  g_assert_cmpstr (media->scripts, ==, PVM_MEDIA_GENERIC_SCRIPTS);
  g_assert_nonnull (strstr (media->instructions,
                            "/mnt/install/install_scripts/generic/pvm-guest-setup --root"));
}

static void
test_fedora (void)
{
  const char * const extra[] = { "-sysid", "LINUX", NULL };
  g_autofree char *iso = make_iso ("Fedora-Server-dvd-x86_64-37-1.7.iso",
                                   "Fedora-S-dvd-x86_64-37", TRUE, extra);
  g_autoptr(PvmMedia) media = identify (iso);

  g_assert_true (media->recognized);
  g_assert_cmpstr (media->short_id, ==, "fedora37");
  g_assert_cmpuint (media->memory_bytes, ==, 2 * GIB);
  g_assert_cmpuint (media->disk_bytes, ==, 20 * GIB);
  g_assert_cmpstr (media->scripts, ==, PVM_MEDIA_GENERIC_SCRIPTS);
}

static void
test_unknown (void)
{
  g_autofree char *iso = make_iso ("mine.iso", "PVM_TEST_DISC", TRUE, NULL);
  g_autoptr(PvmMedia) media = identify (iso);
  g_autoptr(JsonNode) json = pvm_media_to_json (media);
  JsonObject *object = json_node_get_object (json);

  g_assert_false (media->recognized);
  g_assert_cmpstr (media->volume_id, ==, "PVM_TEST_DISC");
  g_assert_null (media->os_id);
  g_assert_null (media->short_id);
  g_assert_cmpstr (media->name, ==, "PVM_TEST_DISC");
  g_assert_cmpuint (media->memory_bytes, ==, PVM_MEDIA_DEFAULT_MEMORY);
  g_assert_cmpuint (media->cores, ==, expected_cores (PVM_MEDIA_DEFAULT_CORES));
  g_assert_cmpuint (media->disk_bytes, ==, PVM_MEDIA_DEFAULT_DISK);
  g_assert_cmpstr (media->memory_source, ==, "default");
  g_assert_cmpstr (media->scripts, ==, PVM_MEDIA_GENERIC_SCRIPTS);

  g_assert_false (json_object_get_boolean_member (object, "recognized"));
  g_assert_cmpstr (json_object_get_string_member (object, "volume_id"), ==, "PVM_TEST_DISC");
  g_assert_true (json_object_get_null_member (object, "os_id"));
  g_assert_cmpint (json_object_get_int_member (object, "memory_bytes"), ==,
                   (gint64) PVM_MEDIA_DEFAULT_MEMORY);
}

static void
assert_refused (const char *path,
                PvmError    code,
                const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmMedia) media = pvm_media_identify (path, NULL, &error);

  g_assert_null (media);
  g_assert_error (error, PVM_ERROR, code);
  if (strstr (error->message, message) == NULL)
    g_error ("expected \"%s\" in \"%s\"", message, error->message);
}

static void
test_refused (void)
{
  g_autofree char *missing = g_build_filename (workdir, "missing.iso", NULL);
  g_autofree char *text = g_build_filename (workdir, "notes.iso", NULL);
  g_autofree char *plain = make_iso ("plain.iso", "ARCH_202611", FALSE, NULL);
  g_autoptr(GError) error = NULL;

  assert_refused (missing, PVM_ERROR_NOT_FOUND, "does not exist");
  assert_refused (workdir, PVM_ERROR_INVALID_ARGUMENT, "is not a file");

  g_file_set_contents (text, "not an ISO at all\n", -1, &error);
  g_assert_no_error (error);
  assert_refused (text, PVM_ERROR_INVALID_ARGUMENT, "is not an ISO 9660 image");

  /* A CD image that could not boot cannot install anything. */
  assert_refused (plain, PVM_ERROR_INVALID_ARGUMENT, "is not bootable");
}

static void
identify_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PvmMedia **media = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_null (object);
  *media = pvm_media_identify_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_async (void)
{
  const char * const extra[] = { "-publisher", "ARCH LINUX <HTTPS://WWW.ARCHLINUX.ORG>",
                                 "-A", "ARCH LINUX LIVE/RESCUE CD", NULL };
  g_autofree char *iso = make_iso ("arch-async.iso", "ARCH_202701", TRUE, extra);
  g_autofree char *relative = NULL;
  PvmMedia *media = NULL;

  /* A relative path comes back absolute. */
  g_assert_true (g_str_has_prefix (iso, workdir));
  g_assert_cmpint (g_chdir (workdir), ==, 0);
  relative = g_path_get_basename (iso);
  pvm_media_identify_async (relative, NULL, identify_done_cb, &media);
  while (media == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (media->recognized);
  g_assert_cmpstr (media->short_id, ==, "archlinux");
  g_assert_cmpstr (media->path, ==, iso);
  pvm_media_unref (media);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  dir = g_dir_make_tmp ("pvm-test-media-XXXXXX", &error);
  g_assert_no_error (error);
  /* The canonical path: pvm_media_identify() returns absolute paths. */
  workdir = realpath (dir, NULL);

  g_test_add_func ("/media/arch", test_arch);
  g_test_add_func ("/media/debian", test_debian);
  g_test_add_func ("/media/fedora", test_fedora);
  g_test_add_func ("/media/unknown", test_unknown);
  g_test_add_func ("/media/refused", test_refused);
  g_test_add_func ("/media/async", test_async);
  status = g_test_run ();

  pvm_test_remove_tree (workdir);
  free (workdir);
  return status;
}
