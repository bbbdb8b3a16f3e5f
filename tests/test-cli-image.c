/* SPDX-License-Identifier: BSD-3-Clause */
/* test-cli-image.c: "pvm image" as a user meets it, on temporary
 * repositories with real qemu-img.
 *
 * Runs the built pvm binary. meson runs this test twice: directly (unit
 * suite) and through the harness as an unprivileged user (integration
 * suite), where the binary is staged and named by PVM_TEST_FILE_PVM and
 * the permission checks mean something. */

#define G_LOG_DOMAIN "test-cli-image"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* A scratch area: repo/ (DRIVEREPO) and pvm.conf naming it, and empty
 * XDG directories for pvm. */
typedef struct
{
  char *dir;
  char *repo;
  char *conf;
} Area;

static void
area_clear (Area *area)
{
  if (area->dir != NULL)
    pvm_test_remove_tree (area->dir);
  g_free (area->dir);
  g_free (area->repo);
  g_free (area->conf);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Area, area_clear)

static void
area_init (Area       *area,
           const char *repo_name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("pvm-test-cli-image-XXXXXX", &error);

  g_assert_no_error (error);
  area->dir = realpath (tmp, NULL);
  area->repo = g_build_filename (area->dir, repo_name, NULL);
  area->conf = g_build_filename (area->dir, "pvm.conf", NULL);
  g_assert_cmpint (g_mkdir (area->repo, 0755), ==, 0);

  contents = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\n", area->repo);
  g_file_set_contents (area->conf, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
area_path (Area       *area,
           const char *file_name)
{
  return g_build_filename (area->repo, file_name, NULL);
}

static GSubprocess *
spawn_pvm (Area               *area,
           const char * const *args,
           GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *xdg = area != NULL ? g_build_filename (area->dir, "xdg", NULL) : NULL;

  g_ptr_array_add (argv, (gpointer) "image");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  /* Every command takes --config. */
  if (area != NULL && args[0] != NULL && !g_str_equal (args[0], "--help"))
    {
      g_ptr_array_add (argv, (gpointer) "--config");
      g_ptr_array_add (argv, area->conf);
    }
  g_ptr_array_add (argv, NULL);

  return pvm_test_spawn_pvm ((const char * const *) argv->pdata, xdg, error);
}

static void
finish (GSubprocess *process,
        Result      *result)
{
  result->status = pvm_test_finish_pvm (process, &result->out, &result->err);
}

/* pvm image ARGS... --config AREA's; @args ends with NULL. */
static void
pvm_image (Area               *area,
           Result             *result,
           const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = spawn_pvm (area, args, &error);

  g_assert_no_error (error);
  finish (process, result);
}

#define PVM_IMAGE(area, result, ...) \
  pvm_image ((area), (result), (const char * const[]) { __VA_ARGS__, NULL })

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* Succeeds, or fails the test with pvm's messages. */
static void
assert_ok (Result *result)
{
  if (result->status != 0)
    g_error ("pvm image failed (%d): %s%s", result->status, result->out, result->err);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

static gboolean
has_temp_file (Area *area)
{
  g_autoptr(GDir) dir = g_dir_open (area->repo, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      return TRUE;
  return FALSE;
}

/* --- help and usage ------------------------------------------------------ */

static void
test_help (void)
{
  static const char * const commands[] = {
    "--help", "-h", "list", "info", "create", "snapshot", "delete", "flatten", "demo",
  };
  g_auto(Result) bare = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Result) result = { 0 };

      if (commands[i][0] == '-')
        PVM_IMAGE (NULL, &result, commands[i]);
      else
        PVM_IMAGE (NULL, &result, commands[i], "--help");
      g_assert_cmpint (result.status, ==, 0);
      g_assert_true (g_str_has_prefix (result.out, "Usage: pvm image list"));
      assert_contains (result.out, "--json");
      g_assert_cmpstr (result.err, ==, "");
    }

  /* Without a command: the usage, on stderr, as an error. */
  pvm_image (NULL, &bare, (const char * const[]) { NULL });
  g_assert_cmpint (bare.status, ==, 2);
  g_assert_cmpstr (bare.out, ==, "");
  g_assert_true (g_str_has_prefix (bare.err, "Usage: pvm image list"));
}

static void
test_usage_errors (void)
{
  static const struct
  {
    const char *args[4];
    const char *message;
  } rows[] = {
    { { "frobnicate" }, "pvm image: unknown command \"frobnicate\"" },
    { { "create", "x" }, "pvm image create: give the image's NAME and SIZE" },
    { { "create" }, "give the image's NAME and SIZE" },
    { { "snapshot", "base" }, "give the BASE image and the new overlay's NAME" },
    { { "list", "extra" }, "pvm image list: unexpected argument \"extra\"" },
    { { "delete" }, "pvm image delete: give the image's NAME" },
    { { "flatten", "a", "b" }, "unexpected argument \"b\"" },
    { { "demo", "a", "b" }, "pvm image demo: unexpected argument \"b\"" },
    { { "info", "--tree", "x" }, "--tree" },
    { { "list", "--frobnicate" }, "--frobnicate" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_auto(Result) result = { 0 };

      pvm_image (NULL, &result, rows[i].args);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_cmpstr (result.out, ==, "");
      assert_contains (result.err, rows[i].message);
    }
}

/* --- the workflow -------------------------------------------------------- */

/* create, snapshot twice, list three ways, info, the refusals, flatten,
 * delete: what the README's workflow does with pvm image. */
static void
test_workflow (void)
{
  g_auto(Area) area = { 0 };
  g_autofree char *base = NULL;
  g_autofree char *overlay = NULL;
  g_autofree char *top = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *top_name = "Ωmega's \"top\"";
  struct stat st;

  area_init (&area, "my images");
  base = area_path (&area, "base.qcow2");
  overlay = area_path (&area, "my overlay.qcow2");
  top = g_strdup_printf ("%s/%s.qcow2", area.repo, top_name);

  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "list");
    assert_ok (&result);
    assert_contains (result.out, "No images in ");
  }

  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "create", "base", "64M");
    assert_ok (&result);
    assert_contains (result.out, "Created base (");
    assert_contains (result.out, "64 MiB");
  }
  {
    const char * const argv[] = { "qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 4M", base,
                                  NULL };

    g_free (pvm_test_run_tool (NULL, argv));
  }

  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "snapshot", "base", "my overlay");
    assert_ok (&result);
    assert_contains (result.out, "Created the overlay my overlay");
    assert_contains (result.out, "is now read-only");
    g_assert_cmpint (stat (base, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0222, ==, 0);
  }
  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "snapshot", "my overlay.qcow2", top_name, "--json");
    assert_ok (&result);
    /* Notes go to stderr with --json. */
    assert_contains (result.err, "is now read-only");
    {
      g_autoptr(JsonNode) node = parse_json (result.out);
      JsonObject *object = json_node_get_object (node);

      g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, top_name);
      g_assert_cmpstr (json_object_get_string_member (object, "backing_file"), ==,
                       "my overlay.qcow2");
    }
  }

  /* The listing in JSON, against qemu-img info. */
  {
    g_auto(Result) result = { 0 };
    g_autoptr(JsonNode) node = NULL;
    JsonArray *images;

    PVM_IMAGE (&area, &result, "list", "--json");
    assert_ok (&result);
    node = parse_json (result.out);
    images = json_node_get_array (node);
    g_assert_cmpuint (json_array_get_length (images), ==, 3);
    for (guint i = 0; i < 3; i++)
      {
        JsonObject *image = json_array_get_object_element (images, i);
        const char *path = json_object_get_string_member (image, "path");
        const char * const argv[] = { "qemu-img", "info", "--output=json", path, NULL };
        g_autofree char *out = pvm_test_run_tool (NULL, argv);
        g_autoptr(JsonNode) info_node = parse_json (out);
        JsonObject *info = json_node_get_object (info_node);

        g_assert_cmpint (json_object_get_int_member (image, "virtual_size"), ==,
                         json_object_get_int_member (info, "virtual-size"));
        g_assert_cmpint (json_object_get_int_member (image, "disk_usage"), ==,
                         json_object_get_int_member (info, "actual-size"));
        if (json_object_has_member (info, "backing-filename"))
          g_assert_cmpstr (json_object_get_string_member (image, "backing_file"), ==,
                           json_object_get_string_member (info, "backing-filename"));
        else
          g_assert_true (json_object_get_null_member (image, "backing_file"));
      }

    /* Sorted: base, my overlay, Ωmega's "top". */
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (images, 0),
                                                    "name"), ==, "base");
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (images, 0),
                                                   "protected"));
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (images, 1),
                                                   "protected"));
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (images, 2),
                                                    "protected"));
  }

  /* As a table, and as a tree. */
  {
    g_auto(Result) table = { 0 };
    g_auto(Result) tree = { 0 };
    g_auto(GStrv) lines = NULL;

    PVM_IMAGE (&area, &table, "list");
    assert_ok (&table);
    lines = g_strsplit (table.out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 5);    /* header, 3 images, "" */
    g_assert_true (g_str_has_prefix (lines[0], "NAME "));
    assert_contains (lines[1], "protected (1 overlay), read-only");
    assert_contains (lines[2], "base.qcow2");
    assert_contains (lines[3], "my overlay.qcow2");
    g_clear_pointer (&lines, g_strfreev);

    PVM_IMAGE (&area, &tree, "list", "--tree");
    assert_ok (&tree);
    lines = g_strsplit (tree.out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 4);
    g_assert_true (g_str_has_prefix (lines[0], "base  (64 MiB"));
    g_assert_true (g_str_has_prefix (lines[1], "└─ my overlay") ||
                   g_str_has_prefix (lines[1], "`- my overlay"));
    assert_contains (lines[2], top_name);
    g_assert_true (g_str_has_prefix (lines[2], "   "));
  }

  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "info", top_name);
    assert_ok (&result);
    assert_contains (result.out, "chain         ");
    assert_contains (result.out, overlay);
    assert_contains (result.out, base);
    assert_contains (result.out, "used by       -");
  }

  /* The refusals leave everything as it was. */
  before = pvm_test_dir_state (area.repo);
  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "delete", "base");
    g_assert_cmpint (result.status, ==, 1);
    g_assert_cmpstr (result.out, ==, "");
    assert_contains (result.err, "pvm image delete: The image ");
    assert_contains (result.err, "is the backing image of ");
    assert_contains (result.err, overlay);
    assert_contains (result.err, "Delete that overlay first");
  }
  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "flatten", "my overlay");
    g_assert_cmpint (result.status, ==, 1);
    assert_contains (result.err, "changing it would corrupt that overlay");
  }
  after = pvm_test_dir_state (area.repo);
  g_assert_cmpstr (after, ==, before);

  /* Flatten the top; then delete from the top down. */
  {
    g_auto(Result) result = { 0 };
    const char * const argv[] = { "qemu-img", "info", top, NULL };
    g_autofree char *out = NULL;

    PVM_IMAGE (&area, &result, "flatten", top_name);
    assert_ok (&result);
    assert_contains (result.out, "Flattened ");
    out = pvm_test_run_tool (NULL, argv);
    g_assert_null (strstr (out, "backing"));
  }
  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "delete", "my overlay");
    assert_ok (&result);
    assert_contains (result.out, "Deleted my overlay");
    assert_contains (result.out, "stays read-only");
    assert_contains (result.out, "chmod u+w");
    g_assert_cmpint (stat (base, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0222, ==, 0);
  }
  {
    g_auto(Result) result = { 0 };
    g_autoptr(JsonNode) node = NULL;

    PVM_IMAGE (&area, &result, "delete", "base", "--json");
    assert_ok (&result);
    node = parse_json (result.out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "deleted"), ==,
                     base);
    g_assert_false (g_file_test (base, G_FILE_TEST_EXISTS));
  }
}

/* Bad input: each is a clear error, and the repository stays as it was. */
static void
test_bad_input (void)
{
  static const struct
  {
    const char *args[4];
    const char *message;
  } rows[] = {
    { { "create", "../x", "1G" }, "Invalid image name \"../x\"" },
    { { "create", "-x", "1G" }, "Unknown option -x" },
    { { "create", "--", "-x", "1G" }, "it starts with \"-\"" },
    { { "create", "x", "1Q" }, "Invalid size \"1Q\"" },
    { { "create", "x", "0" }, "larger than zero" },
    { { "create", "x", "-5G" }, "-5G" },
    { { "create", "base", "1G" }, "already exists" },
    { { "snapshot", "nothere", "new" }, "There is no image \"nothere\"" },
    { { "snapshot", "base", "a/b" }, "not a path" },
    { { "snapshot", "base", "base" }, "already exists" },
    { { "info", "nothere" }, "There is no image \"nothere\"" },
    { { "delete", ".." }, "Invalid image name" },
    { { "flatten", "base" }, "already standalone" },
  };
  g_auto(Area) area = { 0 };
  g_autofree char *before = NULL;

  area_init (&area, "repo");
  {
    g_auto(Result) result = { 0 };

    PVM_IMAGE (&area, &result, "create", "base", "16M");
    assert_ok (&result);
  }
  before = pvm_test_dir_state (area.repo);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_auto(Result) result = { 0 };
      g_autofree char *after = NULL;

      pvm_image (&area, &result, rows[i].args);
      g_test_message ("%s %s: %s", rows[i].args[0], rows[i].args[1], result.err);
      g_assert_cmpint (result.status, !=, 0);
      g_assert_cmpstr (result.out, ==, "");
      if (strstr (result.err, rows[i].message) == NULL)
        g_error ("\"%s\" does not contain \"%s\"", result.err, rows[i].message);
      after = pvm_test_dir_state (area.repo);
      g_assert_cmpstr (after, ==, before);
    }
}

static void
test_missing_repo (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) list = { 0 };
  g_auto(Result) created = { 0 };

  area_init (&area, "repo");
  g_assert_cmpint (g_rmdir (area.repo), ==, 0);

  PVM_IMAGE (&area, &list, "list");
  g_assert_cmpint (list.status, ==, 1);
  assert_contains (list.err, "does not exist");
  assert_contains (list.err, "mkdir -p");

  PVM_IMAGE (&area, &created, "create", "x", "1G");
  g_assert_cmpint (created.status, ==, 1);
  assert_contains (created.err, "does not exist");
  g_assert_false (g_file_test (area.repo, G_FILE_TEST_EXISTS));

  /* The default DRIVEREPO (no configuration) is made when missing, but not
   * for a create whose size is wrong. */
  {
    g_autofree char *xdg = g_build_filename (area.dir, "xdg", NULL);
    g_autofree char *default_repo = g_build_filename (xdg, "pvm", "images", NULL);
    const char * const args[] = { "image", "create", "x", "1Q", NULL };
    g_autoptr(GSubprocess) process = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;

    process = pvm_test_spawn_pvm (args, xdg, &error);
    g_assert_no_error (error);
    g_assert_cmpint (pvm_test_finish_pvm (process, NULL, &err), ==, 1);
    assert_contains (err, "Invalid size \"1Q\"");
    g_assert_false (g_file_test (default_repo, G_FILE_TEST_EXISTS));
  }
}

/* As the unprivileged user, a repository that cannot be written. */
static void
test_read_only_repo (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) result = { 0 };
  g_autofree char *image = NULL;

  area_init (&area, "repo");
  image = area_path (&area, "new.qcow2");
  g_assert_cmpint (g_chmod (area.repo, 0555), ==, 0);
  PVM_IMAGE (&area, &result, "create", "new", "1G");
  g_assert_cmpint (g_chmod (area.repo, 0755), ==, 0);

  if (geteuid () == 0)
    {
      g_test_message ("running as root: the directory's permissions do not apply");
      assert_ok (&result);
      return;
    }

  g_assert_cmpint (result.status, ==, 1);
  assert_contains (result.err, "Cannot create a file in ");
  assert_contains (result.err, area.repo);
  assert_contains (result.err, "Permission denied");
  g_assert_false (g_file_test (image, G_FILE_TEST_EXISTS));
  g_assert_false (has_temp_file (&area));
}

/* Ctrl+C during flatten: pvm says "cancelled", removes its temporary file
 * and leaves the overlay as it was. */
static void
test_flatten_interrupted (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) result = { 0 };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 deadline;

  area_init (&area, "repo");
  base = area_path (&area, "base.qcow2");
  {
    g_auto(Result) created = { 0 };
    g_auto(Result) snapshot = { 0 };
    const char * const write_argv[] = { "qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 256M",
                                        base, NULL };

    PVM_IMAGE (&area, &created, "create", "base", "512M");
    assert_ok (&created);
    g_free (pvm_test_run_tool (NULL, write_argv));
    PVM_IMAGE (&area, &snapshot, "snapshot", "base", "overlay");
    assert_ok (&snapshot);
  }
  before = pvm_test_dir_state (area.repo);

  process = spawn_pvm (&area, (const char * const[]) { "flatten", "overlay", NULL }, &error);
  g_assert_no_error (error);

  /* Interrupted once qemu-img is copying: its temporary file exists. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!has_temp_file (&area))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
  g_subprocess_send_signal (process, SIGINT);
  finish (process, &result);

  g_assert_cmpint (result.status, ==, 1);
  g_assert_cmpstr (result.out, ==, "");
  assert_contains (result.err, "pvm image flatten: cancelled; overlay is unchanged");
  g_assert_false (has_temp_file (&area));
  after = pvm_test_dir_state (area.repo);
  g_assert_cmpstr (after, ==, before);
}

/* --- the demo image ------------------------------------------------------ */

/* The real builder: src/guest/pvm-build-guest of the source tree, as an
 * uninstalled pvm uses it; under the harness, the staged copy (with
 * pvm-guest-init next to it), if the build stages one. NULL under a
 * harness that staged none: the harness's user runs with a clean
 * environment, which does not say where the source tree is. */
static char *
find_builder (void)
{
  const char *staged = g_getenv ("PVM_TEST_FILE_PVM_BUILD_GUEST");

  if (staged != NULL)
    return g_strdup (staged);
  if (g_getenv ("PVM_TEST_FILE_PVM") != NULL)
    return NULL;
  return g_test_build_filename (G_TEST_DIST, "..", "src", "guest", "pvm-build-guest", NULL);
}

/* Through PVM_GUEST_BUILDER, which the spawned pvm inherits. */
static void
use_real_builder (void)
{
  g_autofree char *builder = find_builder ();

  g_assert_nonnull (builder);
  g_assert_true (g_file_test (builder, G_FILE_TEST_IS_EXECUTABLE));
  g_setenv (PVM_DEMO_IMAGE_BUILDER_ENV, builder, TRUE);
}

/* "pvm image demo" with the real builder: a qcow2 image named "demo" that
 * looks bootable (an MBR with a bootable partition, a kernel's worth of
 * data), and nothing else in the repository; a second one is refused. */
static void
test_demo (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) result = { 0 };
  g_auto(Result) again = { 0 };
  g_auto(Result) named = { 0 };
  g_autoptr(JsonNode) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *mbr = NULL;
  g_autofree char *state = NULL;
  JsonObject *object;
  gsize length;

  use_real_builder ();
  area_init (&area, "repo");
  path = area_path (&area, "demo.qcow2");

  PVM_IMAGE (&area, &result, "demo");
  assert_ok (&result);
  assert_contains (result.out, "Created the demo image demo (");
  assert_contains (result.out, path);
  assert_contains (result.out, "Try it: pvm -d demo -o ");
  state = pvm_test_dir_state (area.repo);
  g_assert_false (has_temp_file (&area));

  {
    const char * const argv[] = { "qemu-img", "info", "--output=json", path, NULL };
    g_autofree char *text = pvm_test_run_tool (NULL, argv);

    info = parse_json (text);
  }
  object = json_node_get_object (info);
  g_assert_cmpstr (json_object_get_string_member (object, "format"), ==, "qcow2");
  /* The kernel and the initramfs: megabytes, not an empty disk. */
  g_assert_cmpint (json_object_get_int_member (object, "virtual-size"), >, 4 * 1024 * 1024);
  g_assert_cmpint (json_object_get_int_member (object, "actual-size"), >, 2 * 1024 * 1024);

  /* Its first sector: SYSLINUX's MBR, a bootable partition, the signature. */
  raw = g_build_filename (area.dir, "demo.raw", NULL);
  {
    const char * const argv[] = { "qemu-img", "convert", "-f", "qcow2", "-O", "raw", path, raw,
                                  NULL };

    g_free (pvm_test_run_tool (NULL, argv));
  }
  g_file_get_contents (raw, &mbr, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 512);
  g_assert_cmpuint ((guchar) mbr[510], ==, 0x55);
  g_assert_cmpuint ((guchar) mbr[511], ==, 0xaa);
  g_assert_cmpuint ((guchar) mbr[446], ==, 0x80);

  /* Never over an existing image. */
  PVM_IMAGE (&area, &again, "demo");
  g_assert_cmpint (again.status, ==, 1);
  assert_contains (again.err, "An image named \"demo\" already exists");
  {
    g_autofree char *after = pvm_test_dir_state (area.repo);

    g_assert_cmpstr (after, ==, state);
  }

  /* Another name, and --json. */
  PVM_IMAGE (&area, &named, "demo", "second", "--json");
  assert_ok (&named);
  {
    g_autoptr(JsonNode) node = parse_json (named.out);

    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "name"), ==,
                     "second");
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "format"), ==,
                     "qcow2");
  }
}

/* Ctrl+C while the builder runs: "cancelled", and no file left, hidden or
 * not. */
static void
test_demo_interrupted (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) result = { 0 };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  gint64 deadline;

  use_real_builder ();
  area_init (&area, "repo");

  process = spawn_pvm (&area, (const char * const[]) { "demo", NULL }, &error);
  g_assert_no_error (error);

  /* Interrupted once the build is under way: its temporary file exists. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!has_temp_file (&area))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
  g_usleep (200000);
  g_subprocess_send_signal (process, SIGINT);
  finish (process, &result);

  g_assert_cmpint (result.status, ==, 1);
  assert_contains (result.err, "pvm image demo: cancelled; no image was made");
  state = pvm_test_dir_state (area.repo);
  g_assert_cmpstr (state, ==, "");
}

/* What the user reads when a Debian package the builder needs is missing.
 * A fake builder stands in for pvm-build-guest here, printing what it
 * prints then (and half-writing its output): a package cannot be removed
 * for a test. */
static void
test_demo_missing_package (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) result = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *fake = NULL;
  g_autofree char *state = NULL;

  area_init (&area, "repo");
  fake = g_build_filename (area.dir, "pvm-build-guest", NULL);
  g_file_set_contents (fake,
                       "#!/bin/sh\n"
                       "echo 'pvm-build-guest: kernel /boot/vmlinuz-x (modules /lib/modules/x)'\n"
                       "echo partial > \"$2\"\n"
                       "echo \"pvm-build-guest: error: busybox not found: install the Debian "
                       "package busybox-static\" >&2\n"
                       "exit 1\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (fake, 0755), ==, 0);
  g_setenv (PVM_DEMO_IMAGE_BUILDER_ENV, fake, TRUE);

  PVM_IMAGE (&area, &result, "demo");
  g_assert_cmpint (result.status, ==, 1);
  assert_contains (result.err, "pvm image demo: Cannot build the demo image ");
  assert_contains (result.err, "busybox not found: install the Debian package busybox-static");
  state = pvm_test_dir_state (area.repo);
  g_assert_cmpstr (state, ==, "");

  /* And without any builder. */
  {
    g_auto(Result) missing = { 0 };
    g_autofree char *nowhere = g_build_filename (area.dir, "nowhere", NULL);

    g_setenv (PVM_DEMO_IMAGE_BUILDER_ENV, nowhere, TRUE);
    PVM_IMAGE (&area, &missing, "demo");
    g_assert_cmpint (missing.status, ==, 1);
    assert_contains (missing.err, "PVM_GUEST_BUILDER");
    assert_contains (missing.err, nowhere);
  }
  g_unsetenv (PVM_DEMO_IMAGE_BUILDER_ENV);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-image/help", test_help);
  g_test_add_func ("/cli-image/usage-errors", test_usage_errors);
  g_test_add_func ("/cli-image/workflow", test_workflow);
  g_test_add_func ("/cli-image/bad-input", test_bad_input);
  g_test_add_func ("/cli-image/missing-repo", test_missing_repo);
  g_test_add_func ("/cli-image/read-only-repo", test_read_only_repo);
  g_test_add_func ("/cli-image/flatten-interrupted", test_flatten_interrupted);
  g_test_add_func ("/cli-image/demo-missing-package", test_demo_missing_package);
  /* With the real builder: in the unit suite always; under the harness
   * when the build stages it (see find_builder()). */
  {
    g_autofree char *builder = find_builder ();

    if (builder != NULL)
      {
        g_test_add_func ("/cli-image/demo", test_demo);
        g_test_add_func ("/cli-image/demo-interrupted", test_demo_interrupted);
      }
  }

  return g_test_run ();
}
