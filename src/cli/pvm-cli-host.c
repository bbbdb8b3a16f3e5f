/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-host.c: "pvm host", what this host offers pVM. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include "pvm-cli.h"

static const char usage[] =
  "Usage: pvm host [--config FILE] [--json]\n"
  "\n"
  "Check what this host offers pVM: whether QEMU (QEMU_BIN) is installed with\n"
  "SPICE and VirtFS, whether libvirt (LIBVIRT_URI) answers, whether KVM is\n"
  "usable or guests run under TCG, whether qemu-img and mksquashfs are\n"
  "installed, how much space the file systems of DRIVEREPO and SQUASHREPO\n"
  "have, and whether pvm.conf exists (or an original pVM.cfg to import). Says\n"
  "what to do about each problem. Exits 1 if something pVM needs\n"
  "is missing (KVM is not needed, only much faster; little space is a\n"
  "warning).\n";

int
pvm_cli_host (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *config_path = NULL;
  gboolean json = FALSE;
  int status = 0;
  guint width = 0;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm host", usage, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return pvm_cli_usage_error ("pvm host", "unexpected argument \"%s\"", argv[1]);

  config = pvm_cli_load_config (config_path, FALSE, &error);
  if (config == NULL)
    {
      g_printerr ("pvm host: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  items = pvm_host_check_run (config, NULL);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      for (guint i = 0; i < items->len; i++)
        {
          PvmHostCheckItem *item = g_ptr_array_index (items, i);

          json_builder_set_member_name (builder, item->id);
          json_builder_add_value (builder, pvm_host_check_item_to_json (item));
        }
      json_builder_end_object (builder);
      pvm_cli_print_json (json_builder_get_root (builder));
      return pvm_host_check_passed (items) ? 0 : PVM_EXIT_FAILURE;
    }

  /* One line per item, and what to do below a problem. */
  for (guint i = 0; i < items->len; i++)
    width = MAX (width, pvm_cli_display_width (((PvmHostCheckItem *) items->pdata[i])->id));
  width = MAX (width, 20);
  for (guint i = 0; i < items->len; i++)
    {
      PvmHostCheckItem *item = g_ptr_array_index (items, i);

      g_print ("%-*s %s%s\n", (int) width, item->id,
               item->status == PVM_HOST_CHECK_ERROR ? "ERROR: "
               : item->status == PVM_HOST_CHECK_WARNING ? "warning: " : "",
               item->detail);
      if (item->what_to_do != NULL && item->status != PVM_HOST_CHECK_OK)
        g_print ("%-*s what to do: %s\n", (int) width, "", item->what_to_do);
    }

  return pvm_host_check_passed (items) ? 0 : PVM_EXIT_FAILURE;
}
