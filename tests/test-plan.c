/* SPDX-License-Identifier: BSD-3-Clause */
/* test-plan.c: the launch plan, pvm_plan_new_from_config(), pvm_plan_check()
 * and pvm_plan_to_json(), on real files: qcow2 images made by qemu-img,
 * SquashFS archives made by mksquashfs, directories, and sockets on
 * 127.0.0.1. Each test builds its own tree in a temporary directory. */

#define G_LOG_DOMAIN "test-plan"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

/* Free ports from INIT_SSH_PORT on: one per VM of the largest plan here (6). */
#define PORT_SPAN 8
#define NO_PORT   (-1)
#define MAX_VMS   4

#define M128 (128 * PVM_SIZE_MIB)

/* In the tables, "@" is the test's temporary directory, "{home}" the home
 * directory, "{cpus+1}" one more than this host's CPUs and "{port}" the
 * port a test holds busy. */

typedef struct
{
  /* Owned */
  char      *root;      /* the test's temporary directory (a real path), removed at the end */
  PvmConfig *config;    /* the base configuration; a row sets its own values over it */

  guint      port;      /* INIT_SSH_PORT: the first of PORT_SPAN free ports */
} Fixture;

typedef struct
{
  const char *key;      /* NULL ends a list of settings */
  const char *values[7];
} Setting;

typedef struct
{
  int         vm_index; /* -1: the launch as a whole */
  const char *setting;
  const char *message;  /* a part of the message; NULL ends a list of problems */
} ExpectedProblem;

typedef struct
{
  const char   *name;   /* NULL ends a list of VMs */
  const char   *image;
  const char   *input;
  PvmInputKind  input_kind;
  const char   *output;
  guint64       memory_bytes;
  guint         cores;
  const char   *extra_args[4];
  int           port;   /* offset from INIT_SSH_PORT, or NO_PORT */
} ExpectedVm;

/* --- the temporary tree ------------------------------------------------- */

static char *
fixture_path (Fixture    *f,
              const char *relative)
{
  return g_build_filename (f->root, relative, NULL);
}

static char *
expand (Fixture    *f,
        const char *text,
        guint       port)
{
  g_autoptr(GString) result = NULL;
  g_autofree char *cpus = g_strdup_printf ("%u", g_get_num_processors () + 1);
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  if (text == NULL)
    return NULL;

  result = g_string_new (text);
  g_string_replace (result, "@", f->root, 0);
  g_string_replace (result, "{home}", g_get_home_dir (), 0);
  g_string_replace (result, "{cpus+1}", cpus, 0);
  g_string_replace (result, "{port}", port_text, 0);
  return g_string_free (g_steal_pointer (&result), FALSE);
}

/* Every entry under @dir: its path, type and permissions, size, mtime and
 * ctime, one per line, sorted. */
static void
snapshot_into (const char *dir,
               const char *relative,
               GPtrArray  *lines)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) handle = g_dir_open (dir, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *child = g_build_filename (relative, name, NULL);
      struct stat st;

      g_assert_cmpint (lstat (path, &st), ==, 0);
      g_ptr_array_add (lines, g_strdup_printf ("%s %o %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                                               ".%09ld %" G_GINT64_FORMAT ".%09ld",
                                               child, (guint) st.st_mode, (gint64) st.st_size,
                                               (gint64) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                               (gint64) st.st_ctim.tv_sec, st.st_ctim.tv_nsec));
      if (S_ISDIR (st.st_mode))
        snapshot_into (path, child, lines);
    }
}

static int
compare_lines (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
snapshot (Fixture *f)
{
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  snapshot_into (f->root, "", lines);
  g_ptr_array_sort (lines, compare_lines);
  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("\n", (char **) lines->pdata);
}

/* A qcow2 image at @relative; with @backing (stored as given, so relative
 * to the image's directory), an overlay of it. */
static void
make_qcow2 (Fixture    *f,
            const char *relative,
            const char *backing)
{
  g_autofree char *path = fixture_path (f, relative);
  g_autofree char *dir = g_path_get_dirname (path);

  if (backing == NULL)
    {
      const char * const argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path, "64M", NULL };

      g_free (pvm_test_run_tool (dir, argv));
    }
  else
    {
      const char * const argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-b", backing,
                                    "-F", "qcow2", path, NULL };

      g_free (pvm_test_run_tool (dir, argv));
    }

  g_assert_true (pvm_qcow2_is_qcow2 (path));
}

static void
make_squashfs (Fixture    *f,
               const char *source,
               const char *relative)
{
  g_autofree char *from = fixture_path (f, source);
  g_autofree char *to = fixture_path (f, relative);
  const char * const argv[] = { "mksquashfs", from, to, "-quiet", "-no-progress", "-all-root",
                                NULL };

  g_free (pvm_test_run_tool (f->root, argv));
}

static void
make_dir (Fixture    *f,
          const char *relative)
{
  g_autofree char *path = fixture_path (f, relative);

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
}

static void
make_file (Fixture    *f,
           const char *relative,
           const char *contents)
{
  g_autofree char *path = fixture_path (f, relative);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* A QEMU built without SPICE or without VirtFS, which Debian does not ship:
 * the real QEMU whose "-device help" lacks the devices matching @drop, and
 * which, when @drop is "qxl", rejects "-spice" as such a build does. */
static void
make_qemu_without (Fixture    *f,
                   const char *name,
                   const char *drop)
{
  g_autofree char *path = fixture_path (f, name);
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *qemu = pvm_host_find_tool ("qemu-system-x86_64", "qemu-system-x86", &error);

  g_assert_no_error (error);
  script = g_strdup_printf ("#!/bin/sh\n"
                            "if [ \"$1\" = -spice ] && [ %s = qxl ]; then\n"
                            "  echo \"$0: -spice: invalid option\" >&2; exit 1\n"
                            "fi\n"
                            "if [ \"$1\" = -device ] && [ \"$2\" = help ]; then\n"
                            "  '%s' -device help 2>&1 | grep -v '\"%s'\n"
                            "  exit 0\n"
                            "fi\n"
                            "exec '%s' \"$@\"\n", drop, qemu, drop, qemu);
  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static gboolean
port_is_free (guint port)
{
  struct sockaddr_in address = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  int result;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), ==, 0);
  address.sin_family = AF_INET;
  address.sin_port = htons ((guint16) port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  result = bind (fd, (struct sockaddr *) &address, sizeof address);
  close (fd);
  return result == 0;
}

/* PORT_SPAN free ports in a row, above Linux's ephemeral range
 * (32768-60999) so that outgoing connections do not take them meanwhile. */
static guint
find_free_ports (void)
{
  for (guint attempt = 0; attempt < 1000; attempt++)
    {
      guint first = (guint) g_random_int_range (61000, 65000);
      gboolean all_free = TRUE;

      for (guint port = first; all_free && port < first + PORT_SPAN; port++)
        all_free = port_is_free (port);
      if (all_free)
        return first;
    }

  g_error ("No %u free ports in a row on 127.0.0.1 between 61000 and 65000", PORT_SPAN);
}

/* Listens on 127.0.0.1:@port, as a running service would. Returns the
 * socket, or -1 if something else already listens there (which makes the
 * port just as busy). */
static int
hold_port (guint port)
{
  struct sockaddr_in address = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  address.sin_family = AF_INET;
  address.sin_port = htons ((guint16) port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      g_assert_cmpint (errno, ==, EADDRINUSE);
      close (fd);
      return -1;
    }
  g_assert_cmpint (listen (fd, 1), ==, 0);
  return fd;
}

static void
set_values (Fixture            *f,
            const char         *key,
            const char * const *values)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) expanded = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; values[i] != NULL; i++)
    {
      g_autofree char *value = expand (f, values[i], 0);

      g_strv_builder_add (builder, value);
    }
  expanded = g_strv_builder_end (builder);

  g_assert_true (pvm_config_set_list (f->config, key, (const char * const *) expanded, &error));
  g_assert_no_error (error);
}

static void
apply_settings (Fixture       *f,
                const Setting *settings)
{
  for (guint i = 0; settings[i].key != NULL; i++)
    set_values (f, settings[i].key, settings[i].values);
}

/* The tree every test starts from:
 *   images/     DRIVEREPO: image1.qcow2 image2.qcow2 image3.qcow2, and
 *               plain (a qcow2 image without the extension)
 *   data/       SQUASHREPO: data1.sqsh data2.sqsh (real SquashFS)
 *   other/      other.qcow2, an image outside DRIVEREPO
 *   input dir's a directory input, with a space and a quote in its name
 *   out/        a writable output parent
 *   media.iso   an installation media
 * and a configuration with DRIVEREPO, SQUASHREPO, a real QEMU_BIN,
 * MEM=128M, CORES=1 and a free INIT_SSH_PORT. */
/* The images and archives every case starts with, made once. */
static char *template_root;
static const char * const made_files[] = {
  "images/image1.qcow2", "images/image2.qcow2", "images/image3.qcow2", "images/plain",
  "other/other.qcow2", "data/data1.sqsh", "data/data2.sqsh", NULL
};

static void
copy_made_files (const char *from_root,
                 const char *to_root)
{
  for (guint i = 0; made_files[i] != NULL; i++)
    {
      g_autofree char *from_path = g_build_filename (from_root, made_files[i], NULL);
      g_autofree char *to_path = g_build_filename (to_root, made_files[i], NULL);
      g_autofree char *to_dir = g_path_get_dirname (to_path);
      g_autoptr(GFile) from = g_file_new_for_path (from_path);
      g_autoptr(GFile) to = g_file_new_for_path (to_path);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (g_mkdir_with_parents (to_dir, 0755), ==, 0);
      g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_set_up (Fixture *f)
{
  static const Setting base[] = {
    { "DRIVEREPO", { "@/images" } },
    { "SQUASHREPO", { "@/data" } },
    { "MEM", { "128M" } },
    { "CORES", { "1" } },
    { NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *qemu = NULL;
  g_autofree char *port = NULL;

  tmp = g_dir_make_tmp ("pvm-test-plan-XXXXXX", &error);
  g_assert_no_error (error);
  f->root = realpath (tmp, NULL);
  g_assert_nonnull (f->root);

  make_dir (f, "images");
  make_dir (f, "data");
  make_dir (f, "other");
  make_dir (f, "out");
  make_dir (f, "input dir's");
  make_dir (f, "squash-source");
  make_file (f, "input dir's/file.txt", "input\n");
  make_file (f, "squash-source/file.txt", "archived\n");
  make_file (f, "media.iso", "not really an ISO image, but a readable file\n");
  make_qemu_without (f, "qemu-without-spice", "qxl");
  make_qemu_without (f, "qemu-without-virtfs", "virtio-9p");

  /* qemu-img and mksquashfs make them for the first case; the others get
   * copies (each case making them took 0.3 s of the test's 22 s). */
  if (template_root == NULL)
    {
      make_qcow2 (f, "images/image1.qcow2", NULL);
      make_qcow2 (f, "images/image2.qcow2", NULL);
      make_qcow2 (f, "images/image3.qcow2", NULL);
      make_qcow2 (f, "images/plain", NULL);
      make_qcow2 (f, "other/other.qcow2", NULL);
      make_squashfs (f, "squash-source", "data/data1.sqsh");
      make_squashfs (f, "squash-source", "data/data2.sqsh");
      template_root = g_dir_make_tmp ("pvm-test-plan-template-XXXXXX", &error);
      g_assert_no_error (error);
      copy_made_files (f->root, template_root);
    }
  else
    copy_made_files (template_root, f->root);

  f->config = pvm_config_new ();
  apply_settings (f, base);

  qemu = pvm_host_find_tool ("qemu-system-x86_64", "qemu-system-x86", &error);
  g_assert_no_error (error);
  g_assert_true (pvm_config_set_string (f->config, "QEMU_BIN", qemu, &error));
  g_assert_no_error (error);

  f->port = find_free_ports ();
  port = g_strdup_printf ("%u", f->port);
  g_assert_true (pvm_config_set_string (f->config, "INIT_SSH_PORT", port, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f)
{
  pvm_test_remove_tree (f->root);
  g_clear_pointer (&f->root, g_free);
  g_clear_object (&f->config);
}

/* Extra files for some rows. */

/* pVM as a Flatpak: the sandbox has no QEMU, the host's libvirt does. */
static void
prepare_sandbox (Fixture *f)
{
  g_setenv ("FLATPAK_ID", "io.github.pvm.Pvm", TRUE);
}

static void
prepare_raw (Fixture *f)
{
  g_autofree char *path = fixture_path (f, "images/raw.qcow2");
  const char * const argv[] = { "qemu-img", "create", "-q", "-f", "raw", path, "1M", NULL };

  g_free (pvm_test_run_tool (f->root, argv));
}

static void
prepare_directory_image (Fixture *f)
{
  make_dir (f, "images/dir.qcow2");
}

static void
prepare_overlay (Fixture *f)
{
  make_qcow2 (f, "images/base.qcow2", NULL);
  make_qcow2 (f, "images/overlay.qcow2", "base.qcow2");
}

static void
prepare_overlay_of_outside_base (Fixture *f)
{
  g_autofree char *base = fixture_path (f, "other/outside-base.qcow2");

  make_qcow2 (f, "other/outside-base.qcow2", NULL);
  make_qcow2 (f, "images/outside-overlay.qcow2", base);
}

static void
prepare_orphan (Fixture *f)
{
  g_autofree char *base = fixture_path (f, "images/gone.qcow2");

  make_qcow2 (f, "images/gone.qcow2", NULL);
  make_qcow2 (f, "images/orphan.qcow2", "gone.qcow2");
  g_assert_cmpint (g_unlink (base), ==, 0);
}

static void
prepare_symlink (Fixture *f)
{
  g_autofree char *link = fixture_path (f, "images/link.qcow2");

  g_assert_cmpint (symlink ("image1.qcow2", link), ==, 0);
}

static void
prepare_read_only (Fixture *f)
{
  g_autofree char *image = fixture_path (f, "images/image1.qcow2");

  g_assert_cmpint (g_chmod (image, 0444), ==, 0);
}

static void
prepare_not_squashfs (Fixture *f)
{
  make_file (f, "data/text.sqsh", "hsq, but not a SquashFS archive\n");
}

static void
prepare_output_file (Fixture *f)
{
  make_file (f, "out/file", "a file, not a directory\n");
}

static void
prepare_dangling_symlink (Fixture *f)
{
  g_autofree char *link = fixture_path (f, "out/dangling");
  g_autofree char *dir = g_path_get_dirname (link);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/pvm-test-target", link), ==, 0);
}

static void
prepare_image2_missing (Fixture *f)
{
  g_autofree char *image = fixture_path (f, "images/image2.qcow2");

  g_assert_cmpint (g_unlink (image), ==, 0);
}

/* --- assertions --------------------------------------------------------- */

static char *
describe_problems (PvmPlan *plan)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < plan->problems->len; i++)
    {
      PvmProblem *problem = g_ptr_array_index (plan->problems, i);
      g_autofree char *line = pvm_problem_to_string (problem);

      g_string_append_printf (text, "\n  [%d] %s", problem->vm_index, line);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* @plan has exactly the @expected problems, in any order. */
static void
assert_problems (Fixture               *f,
                 PvmPlan               *plan,
                 const ExpectedProblem *expected,
                 guint                  port)
{
  g_autofree gboolean *matched = g_new0 (gboolean, plan->problems->len + 1);
  guint n = 0;

  for (; expected[n].message != NULL; n++)
    {
      g_autofree char *message = expand (f, expected[n].message, port);
      gboolean found = FALSE;

      for (guint i = 0; !found && i < plan->problems->len; i++)
        {
          PvmProblem *problem = g_ptr_array_index (plan->problems, i);

          if (matched[i] || problem->vm_index != expected[n].vm_index ||
              g_strcmp0 (problem->setting, expected[n].setting) != 0 ||
              strstr (problem->message, message) == NULL)
            continue;

          found = matched[i] = TRUE;
          if (problem->vm_index < 0)
            g_assert_null (problem->vm_name);
          else
            {
              PvmVmPlan *vm;

              g_assert_cmpint (problem->vm_index, <, (int) plan->vms->len);
              vm = g_ptr_array_index (plan->vms, problem->vm_index);
              g_assert_cmpstr (problem->vm_name, ==, vm->name);
            }
        }

      if (!found)
        {
          g_autofree char *problems = describe_problems (plan);

          g_error ("No problem [%d] %s: \"%s\" among:%s", expected[n].vm_index,
                   expected[n].setting, message, problems);
        }
    }

  if (plan->problems->len != n)
    {
      g_autofree char *problems = describe_problems (plan);

      g_error ("Expected %u problems, found %u:%s", n, plan->problems->len, problems);
    }
}

static guint
expected_port (Fixture          *f,
               const ExpectedVm *e)
{
  if (e->port == NO_PORT)
    return 0;
  return pvm_config_get_uint (f->config, "INIT_SSH_PORT") + (guint) e->port;
}

static void
assert_vm (Fixture          *f,
           PvmVmPlan        *vm,
           guint             index,
           const ExpectedVm *e)
{
  g_autofree char *image = expand (f, e->image, 0);
  g_autofree char *input = expand (f, e->input, 0);
  g_autofree char *output = expand (f, e->output, 0);
  guint port = expected_port (f, e);

  g_assert_cmpuint (vm->index, ==, index);
  g_assert_cmpstr (vm->name, ==, e->name);
  g_assert_cmpstr (vm->image, ==, image);
  g_assert_cmpstr (vm->input, ==, input);
  g_assert_cmpint (vm->input_kind, ==, e->input_kind);
  g_assert_cmpstr (vm->output, ==, output);
  g_assert_cmpuint (vm->memory_bytes, ==, e->memory_bytes);
  g_assert_cmpuint (vm->cores, ==, e->cores);
  g_assert_cmpstrv (vm->extra_args, e->extra_args);
  g_assert_cmpuint (vm->ssh_port, ==, port);
}

static void
assert_json_string (JsonObject *object,
                    const char *member,
                    const char *expected)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  if (expected == NULL)
    g_assert_true (JSON_NODE_HOLDS_NULL (node));
  else
    {
      g_assert_true (JSON_NODE_HOLDS_VALUE (node));
      g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
      g_assert_cmpstr (json_node_get_string (node), ==, expected);
    }
}

/* 0 is expected as null when @zero_is_null. */
static void
assert_json_int (JsonObject *object,
                 const char *member,
                 gint64      expected,
                 gboolean    zero_is_null)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  if (expected == 0 && zero_is_null)
    g_assert_true (JSON_NODE_HOLDS_NULL (node));
  else
    {
      g_assert_true (JSON_NODE_HOLDS_VALUE (node));
      g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64);
      g_assert_cmpint (json_node_get_int (node), ==, expected);
    }
}

/* pvm_plan_to_json() as the CLI prints it, read back: one object per VM
 * with exactly the documented members, of the documented types. */
static void
assert_json (Fixture          *f,
             PvmPlan          *plan,
             const ExpectedVm *expected)
{
  static const char * const members[] = {
    "cores", "extra_args", "image", "input", "input_kind", "memory_bytes", "name", "output",
    "ssh_port", NULL,
  };
  g_autoptr(JsonNode) node = pvm_plan_to_json (plan);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) parsed = json_from_string (text, &error);
  JsonArray *array;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (parsed));
  array = json_node_get_array (parsed);

  while (expected[n].name != NULL)
    n++;
  g_assert_cmpuint (json_array_get_length (array), ==, n);

  for (guint i = 0; i < n; i++)
    {
      const ExpectedVm *e = &expected[i];
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(GList) names = NULL;
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) sorted = NULL;
      g_autofree char *image = expand (f, e->image, 0);
      g_autofree char *input = expand (f, e->input, 0);
      g_autofree char *output = expand (f, e->output, 0);
      guint port = expected_port (f, e);
      JsonObject *object;
      JsonArray *args;

      g_assert_true (JSON_NODE_HOLDS_OBJECT (element));
      object = json_node_get_object (element);

      names = g_list_sort (json_object_get_members (object), (GCompareFunc) g_strcmp0);
      for (GList *l = names; l != NULL; l = l->next)
        g_strv_builder_add (builder, l->data);
      sorted = g_strv_builder_end (builder);
      g_assert_cmpstrv (sorted, members);

      assert_json_string (object, "name", e->name);
      assert_json_string (object, "image", image);
      assert_json_string (object, "input", input);
      assert_json_string (object, "input_kind", pvm_input_kind_to_string (e->input_kind));
      assert_json_string (object, "output", output);
      assert_json_int (object, "memory_bytes", (gint64) e->memory_bytes, FALSE);
      assert_json_int (object, "cores", e->cores, FALSE);
      assert_json_int (object, "ssh_port", port, TRUE);

      g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "extra_args")));
      args = json_object_get_array_member (object, "extra_args");
      g_assert_cmpuint (json_array_get_length (args), ==, g_strv_length ((char **) e->extra_args));
      for (guint j = 0; e->extra_args[j] != NULL; j++)
        {
          JsonNode *arg = json_array_get_element (args, j);

          g_assert_true (JSON_NODE_HOLDS_VALUE (arg));
          g_assert_true (json_node_get_value_type (arg) == G_TYPE_STRING);
          g_assert_cmpstr (json_node_get_string (arg), ==, e->extra_args[j]);
        }
    }
}

/* --- resolution: pvm_plan_new_from_config() and pvm_plan_to_json() ------ */

typedef struct
{
  const char      *name;
  const char      *cwd;          /* relative to the temporary directory; NULL: itself */
  Setting          settings[8];
  ExpectedVm       vms[MAX_VMS + 1];
  ExpectedProblem  problems[2];
} ResolveCase;

static const ResolveCase resolve_cases[] = {
  /* The original README: -d image1,image2 -i data1,"/path/to/data" -o "/path/to/output" */
  { "readme", NULL,
    { { "DRIVES", { "image1", "image2" } },
      { "INDRIVES", { "data1", "/path/to/data" } },
      { "OUTDIRS", { "/path/to/output" } } },
    { { "image1", "@/images/image1.qcow2", "@/data/data1.sqsh", PVM_INPUT_KIND_SQUASHFS,
        "/path/to/output", M128, 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", "/path/to/data", PVM_INPUT_KIND_DIRECTORY,
        "/path/to/output", M128, 1, { NULL }, 1 } } },

  /* Every list shorter than DRIVES repeats its last value. */
  { "last-value-repeats", NULL,
    { { "DRIVES", { "image1", "image2", "image3" } },
      { "MEM", { "4G" } },
      { "CORES", { "1", "2" } },
      { "INDRIVES", { "data1", "@/input dir's" } },
      { "OUTDIRS", { "@/out" } },
      { "ADDITIONAL", { "", " -snapshot" } } },
    { { "image1", "@/images/image1.qcow2", "@/data/data1.sqsh", PVM_INPUT_KIND_SQUASHFS,
        "@/out", 4 * PVM_SIZE_GIB, 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", "@/input dir's", PVM_INPUT_KIND_DIRECTORY,
        "@/out", 4 * PVM_SIZE_GIB, 2, { "-snapshot", NULL }, 1 },
      { "image3", "@/images/image3.qcow2", "@/input dir's", PVM_INPUT_KIND_DIRECTORY,
        "@/out", 4 * PVM_SIZE_GIB, 2, { "-snapshot", NULL }, 2 } } },

  { "image-name-with-extension", NULL,
    { { "DRIVES", { "image1.qcow2" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        0 } } },

  { "image-absolute-path", NULL,
    { { "DRIVES", { "@/other/other.qcow2", "@/images/image2.qcow2" } } },
    { { "other", "@/other/other.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        1 } } },

  /* Relative to the given directory, not to the process's. */
  { "image-relative-path", "other",
    { { "DRIVES",
        { "./other.qcow2", "../images/image2", "../other/../images/image3.qcow2" } } },
    { { "other", "@/other/other.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        1 },
      { "image3", "@/images/image3.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        2 } } },

  /* A path without .qcow2 where only the file with it exists. */
  { "image-path-without-extension", NULL,
    { { "DRIVES", { "@/other/other" } } },
    { { "other", "@/other/other.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        0 } } },

  /* A name that exists as it is in DRIVEREPO is taken as it is. */
  { "image-name-without-extension-exists", NULL,
    { { "DRIVES", { "plain" } } },
    { { "plain", "@/images/plain", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL }, 0 } } },

  /* A missing image still resolves; pvm_plan_check() reports it. */
  { "image-name-missing", NULL,
    { { "DRIVES", { "nothere", "@/nowhere/image" } } },
    { { "nothere", "@/images/nothere.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        0 },
      { "image", "@/nowhere/image", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL }, 1 } } },

  { "input-names", NULL,
    { { "DRIVES", { "image1", "image2", "image3", "plain" } },
      { "INDRIVES", { "data1.sqsh", "data2", "@/data/data1", "missing" } } },
    { { "image1", "@/images/image1.qcow2", "@/data/data1.sqsh", PVM_INPUT_KIND_SQUASHFS, NULL,
        M128, 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", "@/data/data2.sqsh", PVM_INPUT_KIND_SQUASHFS, NULL,
        M128, 1, { NULL }, 1 },
      { "image3", "@/images/image3.qcow2", "@/data/data1.sqsh", PVM_INPUT_KIND_SQUASHFS, NULL,
        M128, 1, { NULL }, 2 },
      { "plain", "@/images/plain", "@/data/missing.sqsh", PVM_INPUT_KIND_SQUASHFS, NULL,
        M128, 1, { NULL }, 3 } } },

  { "input-directory", NULL,
    { { "DRIVES", { "image1", "image2" } },
      { "INDRIVES", { "@/input dir's", "./input dir's/" } } },
    { { "image1", "@/images/image1.qcow2", "@/input dir's", PVM_INPUT_KIND_DIRECTORY, NULL,
        M128, 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", "@/input dir's", PVM_INPUT_KIND_DIRECTORY, NULL,
        M128, 1, { NULL }, 1 } } },

  /* ~ is expanded by pvm_config_set_list(); a missing path is a directory
   * unless it ends in .sqsh. */
  { "input-tilde", NULL,
    { { "DRIVES", { "image1", "image2" } },
      { "INDRIVES", { "~/x", "~/y.sqsh" } } },
    { { "image1", "@/images/image1.qcow2", "{home}/x", PVM_INPUT_KIND_DIRECTORY, NULL,
        M128, 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", "{home}/y.sqsh", PVM_INPUT_KIND_SQUASHFS, NULL,
        M128, 1, { NULL }, 1 } } },

  { "no-input-no-output", NULL,
    { { "DRIVES", { "image1" } },
      { "INDRIVES", { NULL } },
      { "OUTDIRS", { NULL } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        0 } } },

  { "empty-input-empty-output", NULL,
    { { "DRIVES", { "image1" } },
      { "INDRIVES", { "" } },
      { "OUTDIRS", { "" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        0 } } },

  { "output-relative-path", NULL,
    { { "DRIVES", { "image1" } },
      { "OUTDIRS", { "out/new" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, "@/out/new", M128, 1,
        { NULL }, 0 } } },

  { "memory", NULL,
    { { "DRIVES", { "image1", "image2" } },
      { "MEM", { "1.5G", "4096" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL,
        G_GUINT64_CONSTANT (1610612736), 1, { NULL }, 0 },
      { "image2", "@/images/image2.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, 4 * PVM_SIZE_GIB, 1,
        { NULL }, 1 } } },

  { "additional-quoted", NULL,
    { { "DRIVES", { "image1" } },
      { "ADDITIONAL", { "-device 'virtio-rng-pci,id=a b'" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1,
        { "-device", "virtio-rng-pci,id=a b", NULL }, 0 } } },

  { "additional-unbalanced-quote", NULL,
    { { "DRIVES", { "image1" } },
      { "ADDITIONAL", { "-device 'virtio-rng-pci" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        0 } },
    { { 0, "-a/ADDITIONAL", "Cannot split \"-device 'virtio-rng-pci\" into arguments" } } },

  { "tap-has-no-ssh-port", NULL,
    { { "DRIVES", { "image1", "image2" } },
      { "NET_TYPE", { "tap" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        NO_PORT },
      { "image2", "@/images/image2.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1, { NULL },
        NO_PORT } } },

  /* One image for several VMs (with -snapshot): each VM's name is its own,
   * as are the names of images with one name in two directories. */
  { "image-twice-names", NULL,
    { { "DRIVES", { "image1", "image1", "@/other/image1.qcow2" } },
      { "ADDITIONAL", { " -snapshot" } } },
    { { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1,
        { "-snapshot", NULL }, 0 },
      { "image1-2", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1,
        { "-snapshot", NULL }, 1 },
      { "image1-3", "@/other/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1,
        { "-snapshot", NULL }, 2 } } },

  /* "image1-2" is taken by an image of that name: the second image1,
   * VM 3, is image1-3. */
  { "image-twice-name-taken", NULL,
    { { "DRIVES", { "image1-2", "image1", "image1" } },
      { "ADDITIONAL", { " -snapshot" } } },
    { { "image1-2", "@/images/image1-2.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1,
        { "-snapshot", NULL }, 0 },
      { "image1", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1,
        { "-snapshot", NULL }, 1 },
      { "image1-3", "@/images/image1.qcow2", NULL, PVM_INPUT_KIND_NONE, NULL, M128, 1,
        { "-snapshot", NULL }, 2 } } },

  { "no-drives", NULL,
    { { "DRIVES", { NULL } } },
    { { NULL } },
    { { -1, "-d/DRIVES", "No VM to launch" } } },
};

static void
test_resolve (gconstpointer data)
{
  const ResolveCase *c = data;
  Fixture f = { 0 };
  g_autoptr(PvmPlan) plan = NULL;
  g_autofree char *cwd = NULL;
  guint n = 0;

  fixture_set_up (&f);
  apply_settings (&f, c->settings);
  cwd = c->cwd != NULL ? fixture_path (&f, c->cwd) : g_strdup (f.root);

  plan = pvm_plan_new_from_config (f.config, cwd);

  while (c->vms[n].name != NULL)
    n++;
  g_assert_cmpuint (plan->vms->len, ==, n);
  for (guint i = 0; i < n; i++)
    assert_vm (&f, g_ptr_array_index (plan->vms, i), i, &c->vms[i]);
  assert_problems (&f, plan, c->problems, 0);
  assert_json (&f, plan, c->vms);

  fixture_tear_down (&f);
}

/* --- checks: pvm_plan_check() ------------------------------------------- */

typedef struct
{
  const char      *name;
  void           (*prepare) (Fixture *f);
  Setting          settings[8];
  guint            hold_vm_port;  /* the VM (from 1) whose SSH port is held busy; 0: none */
  gboolean         as_user_only;  /* as root, no problem is expected */
  ExpectedProblem  problems[3];
  const char      *absent;        /* still missing after the check */
} CheckCase;

static const CheckCase check_cases[] = {
  { "valid", NULL,
    { { "DRIVES", { "image1", "image2", "@/other/other.qcow2" } },
      { "INDRIVES", { "data1", "@/input dir's" } },
      { "OUTDIRS", { "@/out", "@/out/new/deeper" } },
      { "ADDITIONAL", { "", " -snapshot" } } },
    0, FALSE, { { 0 } }, "@/out/new" },

  { "image-missing", NULL,
    { { "DRIVES", { "image1", "nothere" } } },
    0, FALSE,
    { { 1, "-d/DRIVES", "The image @/images/nothere.qcow2 does not exist" } } },

  { "image-raw", prepare_raw,
    { { "DRIVES", { "raw" } } },
    0, FALSE,
    { { 0, "-d/DRIVES", "@/images/raw.qcow2 is not a qcow2 image" } } },

  { "image-directory", prepare_directory_image,
    { { "DRIVES", { "dir" } } },
    0, FALSE,
    { { 0, "-d/DRIVES", "The image @/images/dir.qcow2 is not a file" } } },

  { "image-is-backing", prepare_overlay,
    { { "DRIVES", { "base" } } },
    0, FALSE,
    { { 0, "-d/DRIVES",
        "The image @/images/base.qcow2 is the backing image of @/images/overlay.qcow2" } } },

  { "image-overlay", prepare_overlay,
    { { "DRIVES", { "overlay" } } },
    0, FALSE, { { 0 } } },

  /* The overlay is in DRIVEREPO, its base elsewhere. */
  { "image-is-backing-of-repo-image", prepare_overlay_of_outside_base,
    { { "DRIVES", { "@/other/outside-base" } } },
    0, FALSE,
    { { 0, "-d/DRIVES", "The image @/other/outside-base.qcow2 is the backing image of "
        "@/images/outside-overlay.qcow2" } } },

  { "image-base-missing", prepare_orphan,
    { { "DRIVES", { "orphan" } } },
    0, FALSE,
    { { 0, "-d/DRIVES", "The image @/images/orphan.qcow2 is an overlay of @/images/gone.qcow2, "
        "which is missing" } } },

  { "image-twice", NULL,
    { { "DRIVES", { "image1", "image1" } } },
    0, FALSE,
    { { 1, "-d/DRIVES", "VM 1 uses the same image @/images/image1.qcow2" } } },

  { "image-twice-two-spellings", NULL,
    { { "DRIVES", { "image2", "image1", "@/images/image1.qcow2" } } },
    0, FALSE,
    { { 2, "-d/DRIVES", "VM 2 uses the same image @/images/image1.qcow2" } } },

  /* Neither writes the image: they may share it. */
  { "image-twice-snapshot", NULL,
    { { "DRIVES", { "image1", "image1", "image1" } },
      { "ADDITIONAL", { " -snapshot" } } },
    0, FALSE, { { 0 } } },

  /* One of them would write it. */
  { "image-twice-one-snapshot", NULL,
    { { "DRIVES", { "image1", "image1" } },
      { "ADDITIONAL", { "", " -snapshot" } } },
    0, FALSE,
    { { 1, "-d/DRIVES", "VM 1 uses the same image @/images/image1.qcow2: two VMs must not "
        "write one image; make an overlay for each, or have each of them discard its changes "
        "(-a \" -snapshot\"; Discard Changes in the app's Launch dialog)" } } },

  { "image-twice-symlink", prepare_symlink,
    { { "DRIVES", { "image1", "link" } } },
    0, FALSE,
    { { 1, "-d/DRIVES", "VM 1 uses the same image @/images/link.qcow2" } } },

  /* root may write anything: access() succeeds for it. */
  { "image-read-only", prepare_read_only,
    { { "DRIVES", { "image1" } } },
    0, TRUE,
    { { 0, "-d/DRIVES", "Cannot read and write the image @/images/image1.qcow2" } } },

  /* -snapshot writes nothing to the image. */
  { "image-read-only-snapshot", prepare_read_only,
    { { "DRIVES", { "image1" } },
      { "ADDITIONAL", { " -snapshot" } } },
    0, FALSE, { { 0 } } },

  { "image-read-only-double-dash-snapshot", prepare_read_only,
    { { "DRIVES", { "image1" } },
      { "ADDITIONAL", { "--snapshot" } } },
    0, FALSE, { { 0 } } },

  { "input-missing", NULL,
    { { "DRIVES", { "image1" } },
      { "INDRIVES", { "nodata" } } },
    0, FALSE,
    { { 0, "-i/INDRIVES", "The input @/data/nodata.sqsh does not exist" } } },

  { "input-directory-missing", NULL,
    { { "DRIVES", { "image1" } },
      { "INDRIVES", { "@/no dir" } } },
    0, FALSE,
    { { 0, "-i/INDRIVES", "The input @/no dir does not exist" } } },

  { "input-not-squashfs", prepare_not_squashfs,
    { { "DRIVES", { "image1" } },
      { "INDRIVES", { "text" } } },
    0, FALSE,
    { { 0, "-i/INDRIVES",
        "The input @/data/text.sqsh is neither a directory nor a SquashFS archive" } } },

  { "output-is-a-file", prepare_output_file,
    { { "DRIVES", { "image1" } },
      { "OUTDIRS", { "@/out/file" } } },
    0, FALSE,
    { { 0, "-o/OUTDIRS", "The output @/out/file is not a directory" } } },

  { "output-under-a-file", prepare_output_file,
    { { "DRIVES", { "image1" } },
      { "OUTDIRS", { "@/out/file/sub" } } },
    0, FALSE,
    { { 0, "-o/OUTDIRS",
        "Cannot create the output directory @/out/file/sub: @/out/file is not a directory" } },
    "@/out/file/sub" },

  /* mkdir would fail on a dangling symlink: it is in the way. */
  { "output-dangling-symlink", prepare_dangling_symlink,
    { { "DRIVES", { "image1" } },
      { "OUTDIRS", { "@/out/dangling" } } },
    0, FALSE,
    { { 0, "-o/OUTDIRS", "The output @/out/dangling is not a directory" } } },

  /* Created at launch, not by the check. */
  { "output-missing", NULL,
    { { "DRIVES", { "image1" } },
      { "OUTDIRS", { "@/out/new/deeper" } } },
    0, FALSE, { { 0 } }, "@/out/new" },

  { "memory-too-little", NULL,
    { { "DRIVES", { "image1" } },
      { "MEM", { "32M" } } },
    0, FALSE,
    { { 0, "-m/MEM", "32 MiB of memory is too little to boot Linux" } } },

  { "memory-more-than-host", NULL,
    { { "DRIVES", { "image1", "image2" } },
      { "MEM", { "128M", "1000000T" } } },
    0, FALSE,
    { { 1, "-m/MEM", "of memory is more than this host has" } } },

  { "cores-more-than-host", NULL,
    { { "DRIVES", { "image1" } },
      { "CORES", { "{cpus+1}" } } },
    0, FALSE,
    { { 0, "-c/CORES", "{cpus+1} vCPUs are more than this host's" } } },

  { "ssh-port-in-use", NULL,
    { { "DRIVES", { "image1", "image2" } } },
    2, FALSE,
    { { 1, "INIT_SSH_PORT", "The SSH port {port} on 127.0.0.1 is in use" } } },

  /* 65535 itself is held busy too, so that the row does not depend on
   * whether something on this machine uses it. */
  { "ssh-port-past-65535", NULL,
    { { "DRIVES", { "image1", "image2" } },
      { "INIT_SSH_PORT", { "65535" } } },
    1, FALSE,
    { { 0, "INIT_SSH_PORT", "The SSH port 65535 on 127.0.0.1 is in use" },
      { 1, "INIT_SSH_PORT", "The SSH port would be 65536, past 65535" } } },

  { "qemu-missing-path", NULL,
    { { "DRIVES", { "image1" } },
      { "QEMU_BIN", { "/nonexistent" } } },
    0, FALSE,
    { { -1, "QEMU_BIN", "QEMU (/nonexistent) is not an executable file" } } },

  { "qemu-missing-in-path", NULL,
    { { "DRIVES", { "image1" } },
      { "QEMU_BIN", { "pvm-no-such-qemu" } } },
    0, FALSE,
    { { -1, "QEMU_BIN", "QEMU (pvm-no-such-qemu) was not found in PATH" } } },

  { "qemu-missing-in-sandbox", prepare_sandbox,
    { { "DRIVES", { "image1" } },
      { "QEMU_BIN", { "pvm-no-such-qemu" } } },
    0, FALSE,
    { { 0 } } },

  { "qemu-is-a-directory", NULL,
    { { "DRIVES", { "image1" } },
      { "QEMU_BIN", { "@/images" } } },
    0, FALSE,
    { { -1, "QEMU_BIN", "QEMU (@/images) is not an executable file" } } },

  { "qemu-without-spice", NULL,
    { { "DRIVES", { "image1" } },
      { "QEMU_BIN", { "@/qemu-without-spice" } } },
    0, FALSE,
    { { -1, "QEMU_BIN", "QEMU (@/qemu-without-spice) lacks SPICE (the -spice option and the "
                        "qxl-vga device), which pVM needs" } } },

  { "qemu-without-virtfs", NULL,
    { { "DRIVES", { "image1" } },
      { "QEMU_BIN", { "@/qemu-without-virtfs" } } },
    0, FALSE,
    { { -1, "QEMU_BIN", "QEMU (@/qemu-without-virtfs) lacks VirtFS (the virtio-9p-pci device), "
                        "which pVM needs" } } },

  { "install-media-unset", NULL,
    { { "DRIVES", { "image1" } },
      { "INSTALLING", { "true" } } },
    0, FALSE,
    { { -1, "INSTALL_MEDIA", "Install mode needs the installation media" } } },

  { "install-media-missing", NULL,
    { { "DRIVES", { "image1" } },
      { "INSTALLING", { "true" } },
      { "INSTALL_MEDIA", { "@/missing.iso" } } },
    0, FALSE,
    { { -1, "INSTALL_MEDIA", "The installation media @/missing.iso does not exist" } } },

  { "install-media", NULL,
    { { "DRIVES", { "image1" } },
      { "INSTALLING", { "true" } },
      { "INSTALL_MEDIA", { "@/media.iso" } } },
    0, FALSE, { { 0 } } },

  { "no-drives", NULL,
    { { "DRIVES", { NULL } } },
    0, FALSE,
    { { -1, "-d/DRIVES", "No VM to launch" } } },

  { "empty-drive", NULL,
    { { "DRIVES", { "image1", "" } } },
    0, FALSE,
    { { 1, "-d/DRIVES", "The image name is empty" } } },

  /* The tap network: a bridge, so the system daemon; valid addresses. */
  { "tap-needs-system-daemon", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///session" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "The tap network needs the system libvirt daemon, which can make "
                        "bridges, and LIBVIRT_URI is qemu:///session: run pvm as root" } } },
  { "tap-on-system-daemon", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } } },
    0, FALSE,
    { { 0 } } },
  { "tap-bridge-name", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } },
      { "VM_BRIDGE", { "my bridge" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "VM_BRIDGE “my bridge” is not a network interface name" } } },
  { "tap-bridge-name-too-long", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } },
      { "VM_BRIDGE", { "a-very-long-bridge" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "VM_BRIDGE “a-very-long-bridge” is not a network interface name: use "
                        "1 to 15" } } },
  { "tap-address-without-prefix", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } },
      { "BR_ADDR", { "10.0.0.1" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "BR_ADDR “10.0.0.1” is not an IPv4 address with a prefix length" } } },
  { "tap-address-is-network", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } },
      { "BR_ADDR", { "10.0.0.0/24" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "BR_ADDR “10.0.0.0/24” is the network or broadcast address" } } },
  { "tap-range-outside", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } },
      { "LEASE_RANGE", { "10.0.1.2,10.0.1.30" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "LEASE_RANGE “10.0.1.2,10.0.1.30” is not inside the bridge's subnet "
                        "10.0.0.1/24" } } },
  { "tap-range-backwards", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } },
      { "LEASE_RANGE", { "10.0.0.30,10.0.0.2" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "LEASE_RANGE “10.0.0.30,10.0.0.2” is not a first and a last IPv4 "
                        "address" } } },
  { "tap-range-has-bridge", NULL,
    { { "DRIVES", { "image1" } },
      { "NET_TYPE", { "tap" } },
      { "LIBVIRT_URI", { "qemu:///system" } },
      { "LEASE_RANGE", { "10.0.0.1,10.0.0.30" } } },
    0, FALSE,
    { { -1, "NET_TYPE", "LEASE_RANGE “10.0.0.1,10.0.0.30” contains the bridge's own address "
                        "10.0.0.1" } } },
};

static void
test_check (gconstpointer data)
{
  static const ExpectedProblem none[] = { { 0 } };
  const CheckCase *c = data;
  Fixture f = { 0 };
  g_autoptr(PvmPlan) plan = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint held = 0;
  int fd = -1;

  fixture_set_up (&f);
  if (c->prepare != NULL)
    c->prepare (&f);
  apply_settings (&f, c->settings);
  before = snapshot (&f);

  plan = pvm_plan_new_from_config (f.config, f.root);
  if (c->hold_vm_port != 0)
    {
      PvmVmPlan *vm;

      g_assert_cmpuint (c->hold_vm_port, <=, plan->vms->len);
      vm = g_ptr_array_index (plan->vms, c->hold_vm_port - 1);
      held = vm->ssh_port;
      g_assert_cmpuint (held, !=, 0);
      fd = hold_port (held);
    }

  pvm_plan_check (plan, f.config);

  if (fd >= 0)
    close (fd);

  assert_problems (&f, plan, c->as_user_only && geteuid () == 0 ? none : c->problems, held);

  /* The check created, changed and deleted nothing. */
  after = snapshot (&f);
  g_assert_cmpstr (after, ==, before);
  if (c->absent != NULL)
    {
      g_autofree char *absent = expand (&f, c->absent, 0);
      GStatBuf st;

      g_assert_cmpint (g_lstat (absent, &st), ==, -1);
    }

  g_unsetenv ("FLATPAK_ID");
  fixture_tear_down (&f);
}

/* The Launch dialog's SSH ports: past those other pVM VMs hold and those
 * something listens on; a port a VM of the plan itself held is free (the
 * launch replaces that VM), and the order of the VMs is kept. */
static void
test_choose_ssh_ports (void)
{
  const Setting settings[] = {
    { "DRIVES", { "image1", "image2", "image3" } },
    { NULL },
  };
  Fixture f = { 0 };
  g_autoptr(PvmPlan) plan = NULL;
  g_autoptr(GPtrArray) defined = g_ptr_array_new ();
  PvmVmPlan another = { .name = (char *) "another" };
  PvmVmPlan same = { .name = (char *) "image1" };
  PvmVmPlan own = { .name = (char *) "image3" };
  guint ports[3];
  int fd;

  fixture_set_up (&f);
  apply_settings (&f, settings);
  /* Two VMs on one port, one of them VM 1 (pvm's command line lets a
   * stopped VM keep a port another VM took meanwhile), and a VM to be
   * replaced on a port of its own. */
  another.ssh_port = same.ssh_port = f.port;
  own.ssh_port = f.port + 2;
  g_ptr_array_add (defined, &another);
  g_ptr_array_add (defined, &own);
  g_ptr_array_add (defined, &same);
  fd = hold_port (f.port + 3);

  plan = pvm_plan_new_from_config (f.config, f.root);
  pvm_plan_choose_ssh_ports (plan, defined);
  pvm_plan_check (plan, f.config);
  if (fd >= 0)
    close (fd);
  for (guint i = 0; i < 3; i++)
    ports[i] = ((PvmVmPlan *) g_ptr_array_index (plan->vms, i))->ssh_port;
  g_assert_cmpuint (plan->problems->len, ==, 0);
  g_assert_cmpuint (ports[0], ==, f.port + 1);
  g_assert_cmpuint (ports[1], ==, f.port + 2);
  g_assert_cmpuint (ports[2], ==, f.port + 4);

  /* Nothing held: INIT_SSH_PORT + N, as the command line has them. */
  g_clear_pointer (&plan, pvm_plan_free);
  plan = pvm_plan_new_from_config (f.config, f.root);
  pvm_plan_choose_ssh_ports (plan, NULL);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (((PvmVmPlan *) g_ptr_array_index (plan->vms, i))->ssh_port, ==, f.port + i);
  fixture_tear_down (&f);
}

/* A plan with problems of every kind: the check still changes nothing. */
static void
test_check_changes_nothing (void)
{
  const Setting settings[] = {
    { "DRIVES", { "nothere", "raw", "base", "orphan", "image1", "@/images/image1.qcow2" } },
    { "INDRIVES", { "nodata", "text", "@/input dir's" } },
    { "OUTDIRS", { "@/out/file", "@/out/new/deeper", "@/out/file/sub" } },
    { "MEM", { "32M", "1000000T", "128M" } },
    { "CORES", { "{cpus+1}", "1" } },
    { "QEMU_BIN", { "/nonexistent" } },
    { "INSTALLING", { "true" } },
    { "INSTALL_MEDIA", { "@/missing.iso" } },
    { NULL },
  };
  Fixture f = { 0 };
  g_autoptr(PvmPlan) plan = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *created = NULL;
  g_autofree char *problems = NULL;
  PvmVmPlan *last;
  GStatBuf st;
  int fd;

  fixture_set_up (&f);
  prepare_raw (&f);
  prepare_overlay (&f);
  prepare_orphan (&f);
  prepare_read_only (&f);
  prepare_not_squashfs (&f);
  prepare_output_file (&f);
  apply_settings (&f, settings);
  before = snapshot (&f);

  plan = pvm_plan_new_from_config (f.config, f.root);
  g_assert_cmpuint (plan->vms->len, ==, 6);
  last = g_ptr_array_index (plan->vms, 5);
  fd = hold_port (last->ssh_port);
  pvm_plan_check (plan, f.config);
  if (fd >= 0)
    close (fd);

  /* QEMU and the media; the images nothere, raw, base and orphan, and
   * image1 (read-only for a user) twice; 2 inputs; out/file, and out/file/sub
   * for the 4 last VMs; 2 memories; the cores; the port. */
  problems = describe_problems (plan);
  g_test_message ("Problems:%s", problems);
  g_assert_cmpuint (plan->problems->len, ==, geteuid () == 0 ? 18 : 19);

  after = snapshot (&f);
  g_assert_cmpstr (after, ==, before);
  created = fixture_path (&f, "out/new");
  g_assert_cmpint (g_lstat (created, &st), ==, -1);

  fixture_tear_down (&f);
}

/* --- pvm_problem_to_string() -------------------------------------------- */

static PvmProblem *
find_problem (PvmPlan    *plan,
              const char *setting)
{
  for (guint i = 0; i < plan->problems->len; i++)
    {
      PvmProblem *problem = g_ptr_array_index (plan->problems, i);

      if (g_strcmp0 (problem->setting, setting) == 0)
        return problem;
    }

  g_error ("No problem with %s", setting);
}

static void
test_problem_to_string (void)
{
  const Setting settings[] = {
    { "DRIVES", { "image1", "image2" } },
    { "QEMU_BIN", { "/nonexistent" } },
    { NULL },
  };
  PvmProblem bare = { -1, NULL, NULL, (char *) "A message alone" };
  Fixture f = { 0 };
  g_autoptr(PvmPlan) plan = NULL;
  g_autofree char *image = NULL;
  g_autofree char *expected_vm = NULL;
  g_autofree char *expected_launch = NULL;
  g_autofree char *vm_text = NULL;
  g_autofree char *launch_text = NULL;
  g_autofree char *bare_text = NULL;
  PvmProblem *vm_problem;
  PvmProblem *launch_problem;

  fixture_set_up (&f);
  prepare_image2_missing (&f);
  apply_settings (&f, settings);

  plan = pvm_plan_new_from_config (f.config, f.root);
  pvm_plan_check (plan, f.config);
  g_assert_cmpuint (plan->problems->len, ==, 2);

  vm_problem = find_problem (plan, "-d/DRIVES");
  image = fixture_path (&f, "images/image2.qcow2");
  /* The path in the command is shell-quoted, ready to paste. */
  expected_vm = g_strdup_printf ("VM 2 (image2), -d/DRIVES: The image %s does not exist: "
                                 "create it (qemu-img create -f qcow2 '%s' 20G), or check the "
                                 "name and DRIVEREPO (%s/images)", image, image, f.root);
  vm_text = pvm_problem_to_string (vm_problem);
  g_assert_cmpstr (vm_text, ==, expected_vm);

  launch_problem = find_problem (plan, "QEMU_BIN");
  expected_launch = g_strdup_printf ("QEMU_BIN: %s", launch_problem->message);
  launch_text = pvm_problem_to_string (launch_problem);
  g_assert_cmpstr (launch_text, ==, expected_launch);
  g_assert_true (g_str_has_prefix (launch_text, "QEMU_BIN: QEMU (/nonexistent) is not an executable file"));

  bare_text = pvm_problem_to_string (&bare);
  g_assert_cmpstr (bare_text, ==, "A message alone");

  fixture_tear_down (&f);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (resolve_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/resolve/%s", resolve_cases[i].name);
      g_test_add_data_func (path, &resolve_cases[i], test_resolve);
    }

  for (guint i = 0; i < G_N_ELEMENTS (check_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan/check/%s", check_cases[i].name);
      g_test_add_data_func (path, &check_cases[i], test_check);
    }

  g_test_add_func ("/plan/check/changes-nothing", test_check_changes_nothing);
  g_test_add_func ("/plan/choose-ssh-ports", test_choose_ssh_ports);
  g_test_add_func ("/plan/problem-to-string", test_problem_to_string);

  status = g_test_run ();
  if (template_root != NULL)
    pvm_test_remove_tree (template_root);
  return status;
}
