/* SPDX-License-Identifier: BSD-3-Clause */
/* test-cli.c: the pvm command line as a user meets it.
 *
 * Runs the built pvm binary. meson runs this test twice: directly (unit
 * suite) and through the VM harness as an unprivileged user with its own
 * libvirt session daemon (integration suite), where the binary is staged
 * and named by PVM_TEST_FILE_PVM.
 */

#define G_LOG_DOMAIN "test-cli"

#include "config.h"

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
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static const char *
pvm_binary (void)
{
  const char *path = g_getenv ("PVM_TEST_FILE_PVM");

  if (path == NULL)
    path = g_getenv ("PVM_CLI");
  if (path == NULL)
    g_error ("Neither PVM_TEST_FILE_PVM nor PVM_CLI is set: run this test with meson test");
  return path;
}

/* pvm's XDG directories: empty ones of this test run's own. */
static char *test_home;

static void
run_argv (Run                *run,
          const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *config = g_build_filename (test_home, "config", NULL);
  g_autofree char *data = g_build_filename (test_home, "data", NULL);
  g_autofree char *cache = g_build_filename (test_home, "cache", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  run->status = pvm_test_finish_pvm (process, &run->out, &run->err);
}

/* run_pvm (&run, ARG..., NULL); NULL alone runs pvm without arguments. */
static void
run_pvm (Run        *run,
         const char *first_arg,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (gpointer) pvm_binary ());
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  run_argv (run, (const char * const *) argv->pdata);
}

G_GNUC_NULL_TERMINATED
static void
run_tool (const char *first_arg,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_free (pvm_test_run_tool (NULL, (const char * const *) argv->pdata));
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (; *text != '\0'; text++)
    n += *text == '\n';
  return n;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* A scratch area: images/ (DRIVEREPO) with image1 and image2, data/
 * (SQUASHREPO) with data1.sqsh, "my data" (a directory input), and a
 * pVM.cfg in the original format pointing at them. */
typedef struct
{
  char *dir;
  char *images;
  char *data;
  char *input_dir;
  char *output;
  char *cfg;
} Area;

static void
area_clear (Area *area)
{
  if (area->dir != NULL)
    pvm_test_remove_tree (area->dir);
  g_free (area->dir);
  g_free (area->images);
  g_free (area->data);
  g_free (area->input_dir);
  g_free (area->output);
  g_free (area->cfg);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Area, area_clear)

static void
area_init (Area *area)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *image1 = NULL;
  g_autofree char *image2 = NULL;
  g_autofree char *squash = NULL;
  g_autofree char *file = NULL;
  g_autofree char *cfg = NULL;

  area->dir = g_dir_make_tmp ("pvm-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
  area->images = g_build_filename (area->dir, "images", NULL);
  area->data = g_build_filename (area->dir, "data", NULL);
  area->input_dir = g_build_filename (area->dir, "my \"data\"", NULL);
  area->output = g_build_filename (area->dir, "out", "put", NULL);
  area->cfg = g_build_filename (area->dir, "pVM.cfg", NULL);
  g_assert_cmpint (g_mkdir (area->images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (area->data, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (area->input_dir, 0755), ==, 0);

  file = g_build_filename (area->input_dir, "file.txt", NULL);
  g_file_set_contents (file, "data\n", -1, &error);
  g_assert_no_error (error);

  image1 = g_build_filename (area->images, "image1.qcow2", NULL);
  image2 = g_build_filename (area->images, "image2.qcow2", NULL);
  squash = g_build_filename (area->data, "data1.sqsh", NULL);
  run_tool ("qemu-img", "create", "-q", "-f", "qcow2", image1, "1G", NULL);
  run_tool ("qemu-img", "create", "-q", "-f", "qcow2", image2, "1G", NULL);
  run_tool ("mksquashfs", area->input_dir, squash, "-quiet", "-no-progress", "-all-root", NULL);

  /* LIBVIRT_URI: libvirt's test driver, real libvirt without a daemon. */
  cfg = g_strdup_printf ("# an original pVM.cfg\n"
                         "BASE='%s'\n"
                         "DRIVEREPO=\"${BASE}/images\"\n"
                         "SQUASHREPO=\"$BASE/data\"\n"
                         "DRIVES=( image1 )\n"
                         "MEM=( 256M )\n"
                         "CORES=( 1 )\n"
                         "INIT_SSH_PORT=%u\n"
                         "LIBVIRT_URI=\"test:///default\"\n",
                         area->dir, g_random_int_range (20000, 60000));
  g_file_set_contents (area->cfg, cfg, -1, &error);
  g_assert_no_error (error);
}

static void
test_help (void)
{
  static const char * const flags[] = {
    "-d LIST", "-i LIST", "-o LIST", "-m LIST", "-c LIST", "-a LIST", "--install",
    "--config FILE", "--dry-run", "--json", "--wait", "-h, --help",
  };
  g_auto(Run) run = { 0 };

  run_pvm (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Usage: pvm"));
  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    assert_contains (run.out, flags[i]);
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_version (void)
{
  g_auto(Run) run = { 0 };

  run_pvm (&run, "--version", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "pvm " PACKAGE_VERSION "\n");
}

static void
test_nothing_to_launch (void)
{
  g_auto(Run) run = { 0 };

  /* No configuration file (pvm's XDG_CONFIG_HOME is empty), no -d. */
  run_pvm (&run, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  assert_contains (run.err, "No VM to launch: give the images with -d");
}

static void
test_usage_errors (void)
{
  g_auto(Run) unknown_option = { 0 };
  g_auto(Run) unknown_command = { 0 };
  g_auto(Run) config_command = { 0 };
  g_auto(Run) host_argument = { 0 };

  run_pvm (&unknown_option, "--frobnicate", NULL);
  g_assert_cmpint (unknown_option.status, ==, 2);
  assert_contains (unknown_option.err, "--frobnicate");
  assert_contains (unknown_option.err, "pvm --help");

  run_pvm (&unknown_command, "frobnicate", NULL);
  g_assert_cmpint (unknown_command.status, ==, 2);
  assert_contains (unknown_command.err, "\"frobnicate\"");

  run_pvm (&config_command, "config", "frobnicate", NULL);
  g_assert_cmpint (config_command.status, ==, 2);
  assert_contains (config_command.err, "\"frobnicate\"");

  run_pvm (&host_argument, "host", "now please", NULL);
  g_assert_cmpint (host_argument.status, ==, 2);
  assert_contains (host_argument.err, "\"now please\"");
}

/* Every command answers --help on stdout and succeeds. */
static void
test_command_help (void)
{
  static const char * const commands[][3] = {
    { "host", "--help", "Usage: pvm host" },
    { "config", "--help", "Usage: pvm config import" },
    { "config", "import", "Usage: pvm config import" },
    { "config", "show", "Usage: pvm config import" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      if (g_str_equal (commands[i][1], "--help"))
        run_pvm (&run, commands[i][0], "-h", NULL);
      else
        run_pvm (&run, commands[i][0], commands[i][1], "--help", NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_true (g_str_has_prefix (run.out, commands[i][2]));
      g_assert_cmpstr (run.err, ==, "");
    }

  /* "pvm help [COMMAND [SUBCOMMAND]]", as git has it. */
  {
    g_auto(Run) top = { 0 };
    g_auto(Run) command = { 0 };
    g_auto(Run) sub = { 0 };
    g_auto(Run) unknown = { 0 };

    run_pvm (&top, "help", NULL);
    g_assert_cmpint (top.status, ==, 0);
    g_assert_true (g_str_has_prefix (top.out, "Usage: pvm [-d LIST]"));
    run_pvm (&command, "help", "image", NULL);
    g_assert_cmpint (command.status, ==, 0);
    g_assert_true (g_str_has_prefix (command.out, "Usage: pvm image list"));
    run_pvm (&sub, "help", "config", "show", NULL);
    g_assert_cmpint (sub.status, ==, 0);
    g_assert_true (g_str_has_prefix (sub.out, "Usage: pvm config import"));
    run_pvm (&unknown, "help", "nosuch", NULL);
    g_assert_cmpint (unknown.status, ==, 2);
    g_assert_nonnull (strstr (unknown.err, "pvm: no help for \"nosuch\": it is not a command"));
  }
}

static JsonArray *
parse_plan (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_ref (json_node_get_array (root));
}

/* The README's example, through an original pVM.cfg: the plan the original
 * would have run, and nothing created. */
static void
test_readme_example (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(JsonArray) plan = NULL;
  g_autofree char *image1 = NULL;
  g_autofree char *image2 = NULL;
  g_autofree char *data1 = NULL;
  g_autofree char *inputs = NULL;
  JsonObject *vm;
  guint port;

  area_init (&area);
  inputs = g_strdup_printf ("data1,%s", area.input_dir);
  run_pvm (&run, "--config", area.cfg, "-d", "image1,image2", "-i", inputs, "-o", area.output,
           "--dry-run", "--json", NULL);
  if (run.status != 0)
    g_error ("pvm failed: %s", run.err);
  g_assert_cmpstr (run.err, ==, "");

  plan = parse_plan (run.out);
  g_assert_cmpuint (json_array_get_length (plan), ==, 2);

  image1 = g_build_filename (area.images, "image1.qcow2", NULL);
  image2 = g_build_filename (area.images, "image2.qcow2", NULL);
  data1 = g_build_filename (area.data, "data1.sqsh", NULL);

  vm = json_array_get_object_element (plan, 0);
  g_assert_cmpuint (json_object_get_size (vm), ==, 9);
  g_assert_cmpstr (json_object_get_string_member (vm, "name"), ==, "image1");
  g_assert_cmpstr (json_object_get_string_member (vm, "image"), ==, image1);
  g_assert_cmpstr (json_object_get_string_member (vm, "input"), ==, data1);
  g_assert_cmpstr (json_object_get_string_member (vm, "input_kind"), ==, "squashfs");
  g_assert_cmpstr (json_object_get_string_member (vm, "output"), ==, area.output);
  g_assert_cmpint (json_object_get_int_member (vm, "memory_bytes"), ==, 256 * 1024 * 1024);
  g_assert_cmpint (json_object_get_int_member (vm, "cores"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (vm, "extra_args")), ==, 0);
  port = json_object_get_int_member (vm, "ssh_port");

  vm = json_array_get_object_element (plan, 1);
  g_assert_cmpuint (json_object_get_size (vm), ==, 9);
  g_assert_cmpstr (json_object_get_string_member (vm, "name"), ==, "image2");
  g_assert_cmpstr (json_object_get_string_member (vm, "image"), ==, image2);
  g_assert_cmpstr (json_object_get_string_member (vm, "input"), ==, area.input_dir);
  g_assert_cmpstr (json_object_get_string_member (vm, "input_kind"), ==, "directory");
  g_assert_cmpstr (json_object_get_string_member (vm, "output"), ==, area.output);
  g_assert_cmpint (json_object_get_int_member (vm, "memory_bytes"), ==, 256 * 1024 * 1024);
  g_assert_cmpint (json_object_get_int_member (vm, "ssh_port"), ==, port + 1);

  /* A dry run creates nothing, not even the output directory. */
  g_assert_false (g_file_test (area.output, G_FILE_TEST_EXISTS));
}

static void
test_text_plan (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) run = { 0 };

  area_init (&area);
  run_pvm (&run, "--config", area.cfg, "-i", "data1", "-m", "1.5G", "--dry-run", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "VM 1: image1\n"));
  assert_contains (run.out, "data1.sqsh (squashfs, read-only)");
  assert_contains (run.out, "  memory  1.5 GiB\n");
  assert_contains (run.out, "  output  none\n");
}

static void
test_additional_and_escapes (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) spaced = { 0 };
  g_auto(Run) plain = { 0 };
  g_autoptr(JsonArray) plan = NULL;
  g_autofree char *comma_output = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *expected = NULL;
  JsonArray *args;
  JsonObject *vm;

  area_init (&area);
  expected = g_build_filename (area.dir, "a,b", NULL);
  escaped = g_strdup_printf ("%s/a\\,b", area.dir);
  run_pvm (&spaced, "--config", area.cfg, "-d", "image1,image2",
           "-a", " -snapshot,-name 'a b' -device virtio-rng-pci\\,id=rng0", "-o", escaped,
           "--dry-run", "--json", NULL);
  if (spaced.status != 0)
    g_error ("pvm failed: %s", spaced.err);

  plan = parse_plan (spaced.out);
  vm = json_array_get_object_element (plan, 0);
  args = json_object_get_array_member (vm, "extra_args");
  g_assert_cmpuint (json_array_get_length (args), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (args, 0), ==, "-snapshot");
  g_assert_cmpstr (json_object_get_string_member (vm, "output"), ==, expected);

  /* Split as a shell would, without a shell; "\," is a comma in a value. */
  vm = json_array_get_object_element (plan, 1);
  args = json_object_get_array_member (vm, "extra_args");
  g_assert_cmpuint (json_array_get_length (args), ==, 4);
  g_assert_cmpstr (json_array_get_string_element (args, 0), ==, "-name");
  g_assert_cmpstr (json_array_get_string_element (args, 1), ==, "a b");
  g_assert_cmpstr (json_array_get_string_element (args, 2), ==, "-device");
  g_assert_cmpstr (json_array_get_string_element (args, 3), ==, "virtio-rng-pci,id=rng0");

  run_pvm (&plain, "--config", area.cfg, "-a", "-snapshot", "--dry-run", "--json", NULL);
  g_assert_cmpint (plain.status, ==, 0);
  g_clear_pointer (&plan, json_array_unref);
  plan = parse_plan (plain.out);
  args = json_object_get_array_member (json_array_get_object_element (plan, 0), "extra_args");
  g_assert_cmpstr (json_array_get_string_element (args, 0), ==, "-snapshot");
}

static void
test_bad_values (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) memory = { 0 };
  g_auto(Run) cores = { 0 };

  area_init (&area);
  run_pvm (&memory, "--config", area.cfg, "-m", "4G,4X", "-o", area.output, NULL);
  g_assert_cmpint (memory.status, ==, 1);
  g_assert_cmpstr (memory.out, ==, "");
  g_assert_cmpuint (count_lines (memory.err), ==, 1);
  assert_contains (memory.err, "-m \"4G,4X\": MEM: Invalid size \"4X\"");

  run_pvm (&cores, "--config", area.cfg, "-c", "many", "--dry-run", NULL);
  g_assert_cmpint (cores.status, ==, 1);
  g_assert_cmpuint (count_lines (cores.err), ==, 1);
  assert_contains (cores.err, "-c \"many\": CORES: Invalid number \"many\"");

  g_assert_false (g_file_test (area.output, G_FILE_TEST_EXISTS));
}

/* A flag with more values than VMs is an error that starts nothing; the
 * configuration file's lists may be longer than DRIVES. */
static void
test_longer_list (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) inputs = { 0 };
  g_auto(Run) additional = { 0 };
  g_auto(Run) config_list = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *cfg = NULL;
  g_autofree char *longer = NULL;

  area_init (&area);
  run_pvm (&inputs, "--config", area.cfg, "-d", "image1", "-i", "data1,data1,data1",
           "-o", area.output, NULL);
  g_assert_cmpint (inputs.status, ==, 1);
  g_assert_cmpstr (inputs.out, ==, "");
  g_assert_cmpuint (count_lines (inputs.err), ==, 1);
  assert_contains (inputs.err, "pvm: -i \"data1,data1,data1\" has 3 values, but -d names 1 "
                   "image, so 1 VM: give one value per VM");
  g_assert_false (g_file_test (area.output, G_FILE_TEST_EXISTS));

  /* DRIVES of the file counts the VMs when -d is not given; an option's
   * comma is the usual slip with -a. */
  run_pvm (&additional, "--config", area.cfg, "-m", "256M,512M", "-a", "-cpu Westmere,+pdpe1gb",
           "--dry-run", NULL);
  g_assert_cmpint (additional.status, ==, 1);
  g_assert_cmpstr (additional.out, ==, "");
  g_assert_cmpuint (count_lines (additional.err), ==, 2);
  assert_contains (additional.err, "pvm: -m \"256M,512M\" has 2 values, but DRIVES names 1 "
                   "image, so 1 VM");
  assert_contains (additional.err, "pvm: -a \"-cpu Westmere,+pdpe1gb\" has 2 values");
  assert_contains (additional.err, "write a comma inside a value as \\,");

  g_file_get_contents (area.cfg, &cfg, NULL, &error);
  g_assert_no_error (error);
  longer = g_strconcat (cfg, "MEM=( 256M 512M 1G )\nCORES=( 1 2 )\n", NULL);
  g_file_set_contents (area.cfg, longer, -1, &error);
  g_assert_no_error (error);
  run_pvm (&config_list, "--config", area.cfg, "--dry-run", NULL);
  if (config_list.status != 0)
    g_error ("pvm failed: %s", config_list.err);
  assert_contains (config_list.out, "VM 1: image1");
  assert_contains (config_list.out, "memory  256 MiB");
}

static void
test_bad_config_file (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *expected = NULL;

  area_init (&area);
  bad = g_build_filename (area.dir, "bad.cfg", NULL);
  g_file_set_contents (bad, "DRIVES=( image1 )\nMEM=\"$(free -g)\"\n", -1, &error);
  g_assert_no_error (error);

  run_pvm (&run, "--config", bad, "--dry-run", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpuint (count_lines (run.err), ==, 1);
  expected = g_strdup_printf ("pvm: %s:2: ", bad);
  g_assert_true (g_str_has_prefix (run.err, expected));
  assert_contains (run.err, "never runs");
}

/* Every problem of every VM is listed, and nothing starts or is created. */
static void
test_problems_listed (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) run = { 0 };
  g_autofree char *overlay = NULL;
  g_autofree char *missing = NULL;

  area_init (&area);
  overlay = g_build_filename (area.images, "overlay.qcow2", NULL);
  run_tool ("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "image1.qcow2",
            overlay, NULL);
  missing = g_build_filename (area.images, "nothere.qcow2", NULL);

  run_pvm (&run, "--config", area.cfg, "-d", "image1,nothere,overlay", "-i", "data1,nodata",
           "-o", area.output, NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  assert_contains (run.err, "VM 1 (image1), -d/DRIVES: The image ");
  assert_contains (run.err, "is the backing image of ");
  assert_contains (run.err, "VM 2 (nothere), -d/DRIVES: The image ");
  assert_contains (run.err, missing);
  assert_contains (run.err, "VM 2 (nothere), -i/INDRIVES: The input ");
  assert_contains (run.err, "VM 3 (overlay), -i/INDRIVES: The input ");
  assert_contains (run.err, "nothing was started: 4 problems found");
  g_assert_cmpuint (count_lines (run.err), ==, 5);
  g_assert_false (g_file_test (area.output, G_FILE_TEST_EXISTS));
}

/* The guest reads its input as the user who runs pVM. */
static void
test_unreadable_input (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) run = { 0 };

  area_init (&area);
  g_assert_cmpint (g_chmod (area.input_dir, 0), ==, 0);
  run_pvm (&run, "--config", area.cfg, "-i", area.input_dir, "--dry-run", NULL);
  g_assert_cmpint (g_chmod (area.input_dir, 0755), ==, 0);

  if (geteuid () == 0)
    g_assert_cmpint (run.status, ==, 0);    /* root reads anything */
  else
    {
      g_assert_cmpint (run.status, ==, 1);
      assert_contains (run.err, "Cannot read the input");
      assert_contains (run.err, "Permission denied");
    }
}

static void
test_verbose_format (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) legacy = { 0 };
  g_auto(Run) native = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;

  area_init (&area);
  run_pvm (&legacy, "--config", area.cfg, "--verbose", "--dry-run", NULL);
  g_assert_cmpint (legacy.status, ==, 0);
  assert_contains (legacy.err, "(original pVM.cfg format)");

  conf = g_build_filename (area.dir, "pvm.conf", NULL);
  g_file_set_contents (conf, "[pvm]\nDRIVES=/nonexistent/x.qcow2\n", -1, &error);
  g_assert_no_error (error);
  run_pvm (&native, "--config", conf, "--verbose", "--dry-run", NULL);
  g_assert_cmpint (native.status, ==, 1);
  assert_contains (native.err, "(pvm.conf key file format)");
  assert_contains (native.err, "/nonexistent/x.qcow2 does not exist");
}

static void
test_config_import (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) import = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) forced = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) before_command = { 0 };
  g_auto(Run) before_command_eq = { 0 };
  g_auto(Run) path = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *default_path = NULL;
  JsonObject *settings;

  area_init (&area);
  conf = g_build_filename (area.dir, "conf", "pvm.conf", NULL);

  run_pvm (&import, "config", "import", area.cfg, "--output", conf, NULL);
  g_assert_cmpint (import.status, ==, 0);
  assert_contains (import.out, "original pVM.cfg");
  g_file_get_contents (conf, &before, NULL, &error);
  g_assert_no_error (error);
  assert_contains (before, "[pvm]\n");
  g_assert_null (strstr (before, "BASE"));    /* a helper variable, not a setting */

  /* An existing file is left alone without --force. */
  run_pvm (&again, "config", "import", area.cfg, "--output", conf, NULL);
  g_assert_cmpint (again.status, ==, 1);
  assert_contains (again.err, "already exists");
  g_file_get_contents (conf, &after, NULL, &error);
  g_assert_cmpstr (before, ==, after);

  run_pvm (&forced, "config", "import", area.cfg, "--output", conf, "--force", NULL);
  g_assert_cmpint (forced.status, ==, 0);

  run_pvm (&show, "config", "show", "--config", conf, "--json", NULL);
  g_assert_cmpint (show.status, ==, 0);
  json_parser_load_from_data (parser, show.out, -1, &error);
  g_assert_no_error (error);
  settings = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (settings, "DRIVES"), 0), ==, "image1");
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (settings, "MEM"), 0), ==, "256M");
  g_assert_cmpstr (json_array_get_string_element (
                     json_object_get_array_member (settings, "VM_BRIDGE"), 0), ==, "ovs-br1");

  /* --config before the command, as with git: the same file read. */
  run_pvm (&before_command, "--config", conf, "config", "show", "--json", NULL);
  g_assert_cmpint (before_command.status, ==, 0);
  g_assert_cmpstr (before_command.out, ==, show.out);
  run_pvm (&before_command_eq, "--config=/nonexistent/pvm.conf", "config", "show", NULL);
  g_assert_cmpint (before_command_eq.status, ==, 1);
  g_assert_nonnull (strstr (before_command_eq.err, "/nonexistent/pvm.conf"));

  run_pvm (&path, "config", "path", NULL);
  g_assert_cmpint (path.status, ==, 0);
  default_path = g_build_filename (test_home, "config", "pvm", "pvm.conf", NULL);
  g_assert_cmpstr (g_strchomp (path.out), ==, default_path);
}

static void
test_host_json (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *host;
  const char *uri = g_getenv ("LIBVIRT_DEFAULT_URI");
  g_autofree char *conf = NULL;

  area_init (&area);
  /* Under the harness, the private session daemon; else libvirt's test
   * driver, which needs no daemon. */
  conf = g_build_filename (area.dir, "host.conf", NULL);
  {
    g_autofree char *contents = g_strdup_printf ("[pvm]\nLIBVIRT_URI=%s\n",
                                                 uri != NULL ? uri : "test:///default");
    g_file_set_contents (conf, contents, -1, &error);
    g_assert_no_error (error);
  }

  run_pvm (&run, "host", "--config", conf, "--json", NULL);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  host = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_get_boolean_member (
                   json_object_get_object_member (host, "libvirt"), "ok"));
  g_assert_true (json_object_get_boolean_member (
                   json_object_get_object_member (host, "qemu-img"), "ok"));
  g_assert_true (json_object_has_member (host, "KVM"));
  g_assert_cmpint (run.status, ==, 0);
}

/* A name no host has: said, with the hosts looked at and those that did
 * not answer. libvirt's test driver stands for the hosts that answer. */
static void
test_vm_not_found (void)
{
  g_auto(Area) area = { 0 };
  g_auto(Run) one = { 0 };
  g_auto(Run) several = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *one_conf = NULL;
  g_autofree char *several_conf = NULL;

  area_init (&area);
  one_conf = g_build_filename (area.dir, "one.conf", NULL);
  several_conf = g_build_filename (area.dir, "several.conf", NULL);
  g_file_set_contents (one_conf, "[pvm]\nLIBVIRT_URI=test:///default\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (several_conf,
                       "[pvm]\nLIBVIRT_URI=test:///default\nHOSTS=other=test:///default;"
                       "gone=qemu+unix:///session?socket=/nonexistent/libvirt-sock\n", -1, &error);
  g_assert_no_error (error);

  run_pvm (&one, "info", "--config", one_conf, "nosuch", NULL);
  g_assert_cmpint (one.status, ==, 1);
  g_assert_cmpstr (one.err, ==,
                   "pvm info: There is no VM named \"nosuch\" on test:///default (pvm list shows "
                   "them)\n");

  run_pvm (&several, "stop", "--config", several_conf, "nosuch", NULL);
  g_assert_cmpint (several.status, ==, 1);
  g_assert_true (g_str_has_prefix (several.err,
                                   "pvm stop: There is no VM named \"nosuch\" on any host (pvm "
                                   "list shows them); gone did not answer: Cannot connect to "
                                   "libvirt at qemu+unix:///session?socket="));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  test_home = g_dir_make_tmp ("pvm-test-cli-home-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/nothing-to-launch", test_nothing_to_launch);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/command-help", test_command_help);
  g_test_add_func ("/cli/readme-example", test_readme_example);
  g_test_add_func ("/cli/text-plan", test_text_plan);
  g_test_add_func ("/cli/additional-and-escapes", test_additional_and_escapes);
  g_test_add_func ("/cli/bad-values", test_bad_values);
  g_test_add_func ("/cli/longer-list", test_longer_list);
  g_test_add_func ("/cli/bad-config-file", test_bad_config_file);
  g_test_add_func ("/cli/problems-listed", test_problems_listed);
  g_test_add_func ("/cli/unreadable-input", test_unreadable_input);
  g_test_add_func ("/cli/verbose-format", test_verbose_format);
  g_test_add_func ("/cli/config-import", test_config_import);
  g_test_add_func ("/cli/host-json", test_host_json);
  g_test_add_func ("/cli/vm-not-found", test_vm_not_found);

  status = g_test_run ();
  pvm_test_remove_tree (test_home);
  g_free (test_home);
  return status;
}
