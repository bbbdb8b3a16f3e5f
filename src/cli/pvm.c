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

static const Command *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      return &commands[i];
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  const Command *command;
  int skip = 0;

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
      if (argc == 2)
        return pvm_cli_launch (args->len - 1, (char **) args->pdata);
      command = find_command (argv[2]);
      if (command == NULL)
        return pvm_cli_usage_error ("pvm", "no help for \"%s\": it is not a command", argv[2]);
      return command->run (args->len - 2, (char **) args->pdata + 1);
    }

  command = argc >= 2 ? find_command (argv[1]) : NULL;
  if (command != NULL)
    return command->run (argc - 1, argv + 1);

  /* "pvm --config FILE COMMAND ...": the option goes after the command's
   * own arguments (before a "--"), where every command reads it. */
  if (argc >= 4 && g_str_equal (argv[1], "--config"))
    skip = 3;
  else if (argc >= 3 && g_str_has_prefix (argv[1], "--config="))
    skip = 2;
  command = skip > 0 ? find_command (argv[skip]) : NULL;
  if (command != NULL)
    {
      /* Borrowed strings: option parsing drops some from the array. */
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      gboolean placed = FALSE;

      for (int j = skip; j <= argc; j++)
        {
          if (!placed && (j == argc || g_str_equal (argv[j], "--")))
            {
              for (int k = 1; k < skip; k++)
                g_ptr_array_add (args, argv[k]);
              placed = TRUE;
            }
          g_ptr_array_add (args, j < argc ? argv[j] : NULL);
        }
      return command->run (args->len - 1, (char **) args->pdata);
    }

  return pvm_cli_launch (argc, argv);
}
