/* SPDX-License-Identifier: BSD-3-Clause */
/* test-cli-squash.c: "pvm squash" as a user meets it, on temporary
 * repositories with real mksquashfs and unsquashfs.
 *
 * Runs the built pvm binary. meson runs this test twice: directly (unit
 * suite) and through the harness as an unprivileged user (integration
 * suite), where the binary is staged and named by PVM_TEST_FILE_PVM. */

#define G_LOG_DOMAIN "test-cli-squash"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

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

/* A scratch area: repo/ (SQUASHREPO), source/, pvm.conf naming the
 * repository, and empty XDG directories for pvm. */
typedef struct
{
  char *dir;
  char *repo;
  char *source;
  char *conf;
  char *xdg;
} Area;

static void
area_clear (Area *area)
{
  if (area->dir != NULL)
    pvm_test_remove_tree (area->dir);
  g_free (area->dir);
  g_free (area->repo);
  g_free (area->source);
  g_free (area->conf);
  g_free (area->xdg);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Area, area_clear)

static void
write_file (const char *path,
            const char *contents)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
area_init (Area *area)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("pvm-test-cli-squash-XXXXXX", &error);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  area->dir = realpath (tmp, NULL);
  area->repo = g_build_filename (area->dir, "repo", NULL);
  area->source = g_build_filename (area->dir, "my data", NULL);
  area->conf = g_build_filename (area->dir, "pvm.conf", NULL);
  area->xdg = g_build_filename (area->dir, "xdg", NULL);
  g_assert_cmpint (g_mkdir (area->repo, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (area->source, 0755), ==, 0);

  contents = g_strdup_printf ("[pvm]\nSQUASHREPO=%s\n", area->repo);
  write_file (area->conf, contents);

  text = g_strnfill (100000, 'a');
  {
    g_autofree char *a = g_build_filename (area->source, "a.txt", NULL);

    write_file (a, text);
  }
}

/* pvm squash ARGS... (--config AREA's when @area is given). */
static void
pvm_squash (Area               *area,
            Result             *result,
            const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (gpointer) "squash");
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer) args[i]);
      /* Right after the command: before a "--" that may follow. */
      if (i == 0 && area != NULL)
        {
          g_ptr_array_add (argv, (gpointer) "--config");
          g_ptr_array_add (argv, area->conf);
        }
    }
  g_ptr_array_add (argv, NULL);

  process = pvm_test_spawn_pvm ((const char * const *) argv->pdata,
                                area != NULL ? area->xdg : NULL, &error);
  g_assert_no_error (error);
  result->status = pvm_test_finish_pvm (process, &result->out, &result->err);
}

#define PVM_SQUASH(area, result, ...) \
  pvm_squash ((area), (result), (const char * const[]) { __VA_ARGS__, NULL })

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void
assert_ok (Result *result)
{
  if (result->status != 0)
    g_error ("pvm squash failed (%d): %s%s", result->status, result->out, result->err);
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

/* A temporary file of create: hidden, and no statistics cache. */
static gboolean
has_temp_file (Area *area)
{
  g_autoptr(GDir) dir = g_dir_open (area->repo, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.' && !g_str_has_suffix (name, ".pvm-stats"))
      return TRUE;
  return FALSE;
}

/* --- help and usage ------------------------------------------------------ */

static void
test_help (void)
{
  static const char * const commands[] = { "--help", "-h", "list", "info", "create", "delete" };
  g_auto(Result) bare = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Result) result = { 0 };

      if (commands[i][0] == '-')
        PVM_SQUASH (NULL, &result, commands[i]);
      else
        PVM_SQUASH (NULL, &result, commands[i], "--help");
      g_assert_cmpint (result.status, ==, 0);
      g_assert_true (g_str_has_prefix (result.out, "Usage: pvm squash list"));
      assert_contains (result.out, "--compressor");
      assert_contains (result.out, "--json");
      g_assert_cmpstr (result.err, ==, "");
    }

  pvm_squash (NULL, &bare, (const char * const[]) { NULL });
  g_assert_cmpint (bare.status, ==, 2);
  g_assert_cmpstr (bare.out, ==, "");
  g_assert_true (g_str_has_prefix (bare.err, "Usage: pvm squash list"));
}

static void
test_usage_errors (void)
{
  static const struct
  {
    const char *args[5];
    const char *message;
  } rows[] = {
    { { "frobnicate" }, "pvm squash: unknown command \"frobnicate\"" },
    { { "create" }, "pvm squash create: give the SOURCE_DIR to archive" },
    { { "create", "a", "b", "c" }, "unexpected argument \"c\"" },
    { { "create", "a", "--compressor", "bzip9" }, "Unknown compressor \"bzip9\"" },
    { { "list", "extra" }, "pvm squash list: unexpected argument \"extra\"" },
    { { "info" }, "pvm squash info: give the archive's NAME" },
    { { "delete" }, "pvm squash delete: give the archive's NAME" },
    { { "list", "--compressor", "xz" }, "--compressor" },
  };
  g_auto(Area) area = { 0 };
  g_autofree char *default_repo = NULL;

  /* With no configuration, in an XDG_DATA_HOME of the test's: the default
   * SQUASHREPO, which pvm squash makes when it is missing, and a usage
   * error does not make. */
  area_init (&area);
  default_repo = g_build_filename (area.xdg, "pvm", "data", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_ptr_array_add (argv, (gpointer) "squash");
      for (guint j = 0; rows[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (gpointer) rows[i].args[j]);
      g_ptr_array_add (argv, NULL);
      process = pvm_test_spawn_pvm ((const char * const *) argv->pdata, area.xdg, &error);
      g_assert_no_error (error);
      g_assert_cmpint (pvm_test_finish_pvm (process, &out, &err), ==, 2);
      g_assert_cmpstr (out, ==, "");
      assert_contains (err, rows[i].message);
      g_assert_false (g_file_test (default_repo, G_FILE_TEST_EXISTS));
    }
}

/* --- the workflow -------------------------------------------------------- */

static void
test_workflow (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) created = { 0 };
  g_auto(Result) named = { 0 };
  g_auto(Result) listed = { 0 };
  g_auto(Result) table = { 0 };
  g_auto(Result) info = { 0 };
  g_auto(Result) info_text = { 0 };
  g_auto(Result) deleted = { 0 };
  g_auto(Result) after = { 0 };
  g_autoptr(JsonNode) archive = NULL;
  g_autoptr(JsonNode) archives = NULL;
  g_autoptr(JsonNode) info_node = NULL;
  g_autoptr(JsonNode) deleted_node = NULL;
  g_autofree char *path = NULL;
  JsonObject *object;

  area_init (&area);
  path = g_build_filename (area.repo, "my data.sqsh", NULL);

  /* NAME defaults to the directory's name, the compressor to lz4. */
  PVM_SQUASH (&area, &created, "create", area.source, "--json");
  assert_ok (&created);
  archive = parse_json (created.out);
  object = json_node_get_object (archive);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "my data");
  g_assert_cmpstr (json_object_get_string_member (object, "path"), ==, path);
  g_assert_cmpstr (json_object_get_string_member (object, "compressor"), ==, "lz4");
  g_assert_cmpint (json_object_get_int_member (object, "uncompressed_size"), ==, 100000);
  g_assert_cmpint (json_object_get_int_member (object, "files"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "inodes"), ==, 2);
  g_assert_true (json_object_get_boolean_member (object, "usable"));
  g_assert_cmpfloat (json_object_get_double_member (object, "ratio"), >, 10.0);

  PVM_SQUASH (&area, &named, "create", area.source, "日本 \"quoted\"", "--compressor", "zstd");
  assert_ok (&named);
  assert_contains (named.out, "Created 日本 \"quoted\" (");

  PVM_SQUASH (&area, &listed, "list", "--json");
  assert_ok (&listed);
  archives = parse_json (listed.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (archives)), ==, 2);
  object = json_array_get_object_element (json_node_get_array (archives), 1);
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "日本 \"quoted\"");
  g_assert_cmpstr (json_object_get_string_member (object, "compressor"), ==, "zstd");

  PVM_SQUASH (&area, &table, "list");
  assert_ok (&table);
  g_assert_true (g_str_has_prefix (table.out, "NAME "));
  assert_contains (table.out, "UNCOMPRESSED");
  assert_contains (table.out, "my data ");
  assert_contains (table.out, "lz4");

  PVM_SQUASH (&area, &info, "info", "my data.sqsh", "--json");
  assert_ok (&info);
  info_node = parse_json (info.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (info_node), "path"), ==,
                   path);
  PVM_SQUASH (&area, &info_text, "info", "my data");
  assert_ok (&info_text);
  assert_contains (info_text.out, "compressor    lz4");
  assert_contains (info_text.out, "uncompressed  97.7 KiB (100000 bytes)");

  PVM_SQUASH (&area, &deleted, "delete", "my data", "--json");
  assert_ok (&deleted);
  deleted_node = parse_json (deleted.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (deleted_node),
                                                  "deleted"), ==, path);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  PVM_SQUASH (&area, &after, "delete", "my data");
  g_assert_cmpint (after.status, ==, 1);
  assert_contains (after.err, "There is no archive \"my data\"");
  g_assert_false (has_temp_file (&area));
}

/* Refusals: bad names, a missing source, an existing archive, a missing
 * repository. Nothing changes. */
static void
test_bad_input (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Result) first = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *missing = NULL;
  static const struct
  {
    const char *args[4];
    const char *message;
  } rows[] = {
    { { "create", NULL, "../x" }, "Invalid archive name \"../x\"" },
    { { "create", NULL, "a/b" }, "Invalid archive name \"a/b\"" },
    { { "create", NULL, ".." }, "Invalid archive name" },
    { { "create", NULL, "--", "-x" }, "Invalid archive name \"-x\"" },
    { { "create", NULL, "my data" }, "already exists" },
    { { "create", NULL, "my data.sqsh" }, "already exists" },
    { { "info", "missing" }, "There is no archive \"missing\"" },
    { { "info", "../repo/my data" }, "Invalid archive name" },
    { { "delete", "missing" }, "There is no archive \"missing\"" },
  };

  area_init (&area);
  PVM_SQUASH (&area, &first, "create", area.source);
  assert_ok (&first);
  before = pvm_test_dir_state (area.repo);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_auto(Result) result = { 0 };
      const char *args[5] = { rows[i].args[0], rows[i].args[1], rows[i].args[2],
                              rows[i].args[3], NULL };

      if (args[1] == NULL)
        args[1] = area.source;
      pvm_squash (&area, &result, args);
      g_assert_cmpint (result.status, ==, 1);
      g_assert_cmpstr (result.out, ==, "");
      assert_contains (result.err, rows[i].message);
    }

  {
    g_auto(Result) result = { 0 };

    missing = g_build_filename (area.dir, "missing", NULL);
    PVM_SQUASH (&area, &result, "create", missing, "x");
    g_assert_cmpint (result.status, ==, 1);
    assert_contains (result.err, missing);
    assert_contains (result.err, "No such file or directory");
  }

  after = pvm_test_dir_state (area.repo);
  g_assert_cmpstr (after, ==, before);

  /* No repository: it says how to make one. */
  {
    g_auto(Result) result = { 0 };
    g_autofree char *archive = g_build_filename (area.repo, "my data.sqsh", NULL);
    g_autofree char *cache = g_build_filename (area.repo, ".my data.sqsh.pvm-stats", NULL);

    g_assert_cmpint (g_unlink (archive), ==, 0);
    g_assert_cmpint (g_unlink (cache), ==, 0);
    g_assert_cmpint (g_rmdir (area.repo), ==, 0);
    PVM_SQUASH (&area, &result, "list");
    g_assert_cmpint (result.status, ==, 1);
    assert_contains (result.err, "mkdir -p");
    g_assert_cmpint (g_mkdir (area.repo, 0755), ==, 0);
  }
}

/* Ctrl+C during create: pvm says "cancelled", and leaves nothing. */
static void
test_create_interrupted (void)
{
  g_auto(Area) area = { 0 };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *big = NULL;
  gint64 deadline;

  area_init (&area);
  big = g_build_filename (area.source, "random.bin", NULL);
  {
    const char * const argv[] = { "head", "-c", "32M", "/dev/urandom", NULL };
    g_autofree char *data = NULL;
    g_autoptr(GSubprocessLauncher) launcher = NULL;
    g_autoptr(GSubprocess) head = NULL;

    /* head > big, without a shell. */
    launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_stdout_file_path (launcher, big);
    head = g_subprocess_launcher_spawnv (launcher, argv, &error);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (head, NULL, &error));
  }
  before = pvm_test_dir_state (area.repo);

  {
    const char * const args[] = { "squash", "create", area.source, "big", "--compressor", "xz",
                                  "--config", area.conf, NULL };

    process = pvm_test_spawn_pvm (args, area.xdg, &error);
    g_assert_no_error (error);
  }

  /* Interrupted once mksquashfs is writing: its temporary file exists. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!has_temp_file (&area))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
  g_usleep (200000);
  g_subprocess_send_signal (process, SIGINT);
  g_assert_cmpint (pvm_test_finish_pvm (process, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  assert_contains (err, "pvm squash create: cancelled; no archive was made");
  g_assert_false (has_temp_file (&area));
  after = pvm_test_dir_state (area.repo);
  g_assert_cmpstr (after, ==, before);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli-squash/help", test_help);
  g_test_add_func ("/cli-squash/usage-errors", test_usage_errors);
  g_test_add_func ("/cli-squash/workflow", test_workflow);
  g_test_add_func ("/cli-squash/bad-input", test_bad_input);
  g_test_add_func ("/cli-squash/create-interrupted", test_create_interrupted);

  return g_test_run ();
}
