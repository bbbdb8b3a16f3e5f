/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm.c: the pvm command line. Without a command it launches VMs, with
 * the original pVM's flags; commands manage the rest. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <locale.h>

#include "pvm-cli.h"

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "config", pvm_cli_config },
  { "host", pvm_cli_host },
  { "hosts", pvm_cli_hosts },
  { "migrate", pvm_cli_migrate },
  { "list", pvm_cli_list },
  { "info", pvm_cli_info },
  { "console", pvm_cli_console },
  { "stop", pvm_cli_stop },
  { "delete", pvm_cli_delete },
  { "save", pvm_cli_save },
  { "resume", pvm_cli_resume },
  { "restore", pvm_cli_restore },
  { "start", pvm_cli_start },
  { "collect", pvm_cli_collect_command },
  { "image", pvm_cli_image },
  { "install", pvm_cli_install },
  { "squash", pvm_cli_squash },
};

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_set_prgname ("pvm");

  if (argc >= 2 && g_str_equal (argv[1], "--version"))
    {
      g_print ("pvm %s\n", PACKAGE_VERSION);
      return 0;
    }

  gvir_init_object (NULL, NULL);
  /* libvirt's events (VMs starting and stopping) come through GLib's main
   * loop. */
  gvir_event_register ();

  /* "pvm help [COMMAND [SUBCOMMAND]]": that help, as --help gives it. */
  if (argc >= 2 && g_str_equal (argv[1], "help"))
    {
      g_autoptr(GPtrArray) args = g_ptr_array_new ();

      g_ptr_array_add (args, argv[0]);
      for (int j = 2; j < argc; j++)
        g_ptr_array_add (args, argv[j]);
      g_ptr_array_add (args, (gpointer) "--help");
      g_ptr_array_add (args, NULL);
      for (guint i = 0; argc >= 3 && i < G_N_ELEMENTS (commands); i++)
        if (g_str_equal (argv[2], commands[i].name))
          return commands[i].run (args->len - 2, (char **) args->pdata + 1);
      if (argc >= 3)
        return pvm_cli_usage_error ("pvm", "no help for \"%s\": it is not a command", argv[2]);
      return pvm_cli_launch (args->len - 1, (char **) args->pdata);
    }

  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return commands[i].run (argc - 1, argv + 1);
      /* "pvm --config FILE COMMAND ...": the option goes after the
       * command's own arguments (before a "--"), where every command
       * reads it. */
      if ((argc >= 4 && g_str_equal (argv[1], "--config") &&
           g_str_equal (argv[3], commands[i].name)) ||
          (argc >= 3 && g_str_has_prefix (argv[1], "--config=") &&
           g_str_equal (argv[2], commands[i].name)))
        {
          int skip = argv[1][8] == '=' ? 2 : 3;
          /* Borrowed strings: option parsing drops some from the array. */
          g_autoptr(GPtrArray) args = g_ptr_array_new ();
          gboolean placed = FALSE;

          for (int j = skip; j <= argc; j++)
            {
              if (!placed && (j == argc || g_str_equal (argv[j], "--")))
                {
                  g_ptr_array_add (args, argv[1]);
                  if (skip == 3)
                    g_ptr_array_add (args, argv[2]);
                  placed = TRUE;
                }
              g_ptr_array_add (args, j < argc ? argv[j] : NULL);
            }
          return commands[i].run (args->len - 1, (char **) args->pdata);
        }
    }

  return pvm_cli_launch (argc, argv);
}
