/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-host.c: "pvm host", what this host offers pVM. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include "pvm-cli.h"

typedef struct
{
  const char *program;
  const char *package;
} Tool;

static const Tool tools[] = {
  { "qemu-img", "qemu-utils" },
  { "mksquashfs", "squashfs-tools" },
};

static const char usage[] =
  "Usage: pvm host [--config FILE] [--json]\n"
  "\n"
  "Check what this host offers pVM: whether libvirt (LIBVIRT_URI) answers,\n"
  "whether KVM is usable or guests run under TCG, and whether QEMU (QEMU_BIN),\n"
  "qemu-img and mksquashfs are installed. Exits 1 if something pVM needs is\n"
  "missing (KVM is not needed, only much faster).\n";

static void
report (JsonBuilder *builder,
        const char  *what,
        gboolean     ok,
        const char  *detail)
{
  if (builder == NULL)
    {
      g_print ("%-20s %s\n", what, detail);
      return;
    }

  json_builder_set_member_name (builder, what);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, ok);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, detail);
  json_builder_end_object (builder);
}

int
pvm_cli_host (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autofree char *config_path = NULL;
  gboolean json = FALSE;
  gboolean ok = TRUE;
  int status = 0;
  const char *uri;
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

  if (json)
    {
      builder = json_builder_new ();
      json_builder_begin_object (builder);
    }

  uri = pvm_config_get_string (config, "LIBVIRT_URI");
  connection = gvir_connection_new (uri);
  if (gvir_connection_open (connection, NULL, &error))
    {
      g_autofree char *reached = g_strdup_printf ("%s (reachable)", uri);

      report (builder, "libvirt", TRUE, reached);
      gvir_connection_close (connection);
    }
  else
    {
      g_autofree char *failed = g_strdup_printf ("%s: cannot connect: %s", uri, error->message);

      report (builder, "libvirt", FALSE, failed);
      g_clear_error (&error);
      ok = FALSE;
    }

  if (pvm_host_kvm_usable (&error))
    report (builder, "KVM", TRUE, "usable");
  else
    {
      g_autofree char *why = g_strdup_printf ("not usable, guests run under TCG (much slower): %s",
                                              error->message);

      report (builder, "KVM", FALSE, why);
      g_clear_error (&error);
    }

  {
    g_autofree char *qemu = pvm_host_find_qemu (pvm_config_get_string (config, "QEMU_BIN"),
                                                &error);

    report (builder, "QEMU", qemu != NULL, qemu != NULL ? qemu : error->message);
    ok &= qemu != NULL;
    g_clear_error (&error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autofree char *path = pvm_host_find_tool (tools[i].program, tools[i].package, &error);

      report (builder, tools[i].program, path != NULL, path != NULL ? path : error->message);
      ok &= path != NULL;
      g_clear_error (&error);
    }

  if (builder != NULL)
    {
      json_builder_end_object (builder);
      pvm_cli_print_json (json_builder_get_root (builder));
    }

  return ok ? 0 : PVM_EXIT_FAILURE;
}
