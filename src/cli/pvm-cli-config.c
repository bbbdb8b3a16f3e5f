/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-config.c: "pvm config import|show|path". */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <stdio.h>

#include "pvm-cli.h"

static const char usage[] =
  "Usage: pvm config import FILE [--output PATH] [--force]\n"
  "       pvm config show [--config FILE] [--json]\n"
  "       pvm config path\n"
  "\n"
  "  import    convert an original pVM.cfg into pVM's configuration file\n"
  "            (by default $XDG_CONFIG_HOME/pvm/pvm.conf; an existing file is\n"
  "            only replaced with --force). The file is parsed, never run.\n"
  "  show      print every setting as pVM sees it, defaults included\n"
  "  path      print where pVM's configuration file is\n";

static int
config_import (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  gboolean force = FALSE;
  PvmConfigFormat format;
  int status = 0;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, NULL, NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm config import", usage, &argc, &argv, &status))
    return status;

  if (argc != 2)
    return pvm_cli_usage_error ("pvm config import", "give exactly one file to import");

  if (output == NULL)
    output = pvm_config_dup_default_path ();

  if (!pvm_config_load_file (config, argv[1], &format, &error))
    {
      g_printerr ("pvm config import: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  if (g_file_test (output, G_FILE_TEST_EXISTS) && !force)
    {
      g_printerr ("pvm config import: %s already exists and was left as it is: "
                  "use --force to replace it, or --output to write elsewhere\n", output);
      return PVM_EXIT_FAILURE;
    }

  if (!pvm_config_save (config, output, &error))
    {
      g_printerr ("pvm config import: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  g_print ("Imported %s (%s) into %s\n", argv[1],
           format == PVM_CONFIG_FORMAT_LEGACY ? "original pVM.cfg" : "pvm.conf", output);
  return 0;
}

static int
config_show (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  const char * const *keys = pvm_config_list_keys ();
  gboolean json = FALSE;
  int status = 0;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm config show", usage, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return pvm_cli_usage_error ("pvm config show", "unexpected argument \"%s\"", argv[1]);

  config = pvm_cli_load_config (config_path, FALSE, &error);
  if (config == NULL)
    {
      g_printerr ("pvm config show: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      for (guint i = 0; keys[i] != NULL; i++)
        {
          const char * const *values = pvm_config_get_list (config, keys[i]);

          json_builder_set_member_name (builder, keys[i]);
          json_builder_begin_array (builder);
          for (guint j = 0; values[j] != NULL; j++)
            json_builder_add_string_value (builder, values[j]);
          json_builder_end_array (builder);
        }
      json_builder_end_object (builder);
      pvm_cli_print_json (json_builder_get_root (builder));
      return 0;
    }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      const char * const *values = pvm_config_get_list (config, keys[i]);
      g_autofree char *joined = g_strjoinv (";", (char **) values);

      g_print ("# %s\n%s=%s\n", pvm_config_describe_key (keys[i]), keys[i], joined);
    }
  return 0;
}

int
pvm_cli_config (int    argc,
                char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "--help"))
    {
      fputs (usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? PVM_EXIT_USAGE : 0;
    }

  if (g_str_equal (argv[1], "import"))
    return config_import (argc - 1, argv + 1);

  if (g_str_equal (argv[1], "show"))
    return config_show (argc - 1, argv + 1);

  if (g_str_equal (argv[1], "path"))
    {
      g_autofree char *path = pvm_config_dup_default_path ();

      if (argc > 2)
        return pvm_cli_usage_error ("pvm config path", "unexpected argument \"%s\"", argv[2]);
      g_print ("%s\n", path);
      return 0;
    }

  return pvm_cli_usage_error ("pvm config", "unknown command \"%s\"", argv[1]);
}
