/* SPDX-License-Identifier: BSD-3-Clause */
/* test-cli.c: the pvm command line as a user meets it. */

#define G_LOG_DOMAIN "test-cli"

#include "config.h"

#include <gio/gio.h>

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

static void
run_pvm (Run        *run,
         const char *first_arg,
         ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) g_getenv ("PVM_CLI"));
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_nonnull (argv->pdata[0]);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

static void
test_help (void)
{
  g_auto(Run) run = { 0 };

  run_pvm (&run, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.out, "Usage: pvm"));
  g_assert_nonnull (strstr (run.out, "  host "));
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_no_arguments (void)
{
  g_auto(Run) run = { 0 };

  run_pvm (&run, NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_true (g_str_has_prefix (run.err, "Usage: pvm"));
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
test_unknown (void)
{
  g_auto(Run) run = { 0 };

  run_pvm (&run, "--frobnicate", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "\"--frobnicate\""));
  g_assert_nonnull (strstr (run.err, "pvm --help"));
}

static void
test_host_extra_argument (void)
{
  g_auto(Run) run = { 0 };

  run_pvm (&run, "host", "now please", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "\"now please\""));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/no-arguments", test_no_arguments);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/unknown", test_unknown);
  g_test_add_func ("/cli/host/extra-argument", test_host_extra_argument);

  return g_test_run ();
}
