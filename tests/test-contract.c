/* SPDX-License-Identifier: BSD-3-Clause */
/* test-contract.c: the guest contract's names are the same in the code
 * (pvm-contract.h), in the document people build guests from
 * (docs/guest-contract.md) and in pVM's own guest (src/guest/pvm-guest-init).
 */

#define G_LOG_DOMAIN "test-contract"

#include "config.h"

#include "pvm-core.h"

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
  g_assert_nonnull (strstr (doc, PVM_CONTRACT_STATUS_PREFIX PVM_CONTRACT_STATUS_JOB_EXIT));
  g_assert_nonnull (strstr (doc, PVM_CONTRACT_STATUS_PREFIX PVM_CONTRACT_STATUS_POWEROFF));
  g_assert_nonnull (strstr (doc, PVM_CONTRACT_PROGRESS_PREFIX));
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

  return g_test_run ();
}
