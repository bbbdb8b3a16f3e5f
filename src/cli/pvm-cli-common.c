/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <stdio.h>

#include "pvm-cli.h"

/**
 * pvm_cli_load_config:
 * @path: (nullable): the --config file, or %NULL for the user's pvm.conf
 * @verbose: say on stderr which file was read, and in which format
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the configuration, defaults for what no file sets
 */
PvmConfig *
pvm_cli_load_config (const char  *path,
                     gboolean     verbose,
                     GError     **error)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autofree char *loaded = NULL;
  PvmConfigFormat format;

  if (path != NULL)
    {
      if (!pvm_config_load_file (config, path, &format, error))
        return NULL;
      if (verbose)
        g_printerr ("pvm: read %s (%s)\n", path,
                    format == PVM_CONFIG_FORMAT_LEGACY ? "original pVM.cfg format"
                                                       : "pvm.conf key file format");
      return g_steal_pointer (&config);
    }

  if (!pvm_config_load_default (config, &loaded, error))
    return NULL;

  if (verbose)
    {
      g_autofree char *default_path = pvm_config_dup_default_path ();

      if (loaded != NULL)
        g_printerr ("pvm: read %s (pvm.conf key file format)\n", loaded);
      else
        g_printerr ("pvm: no configuration file (%s does not exist): using the defaults\n",
                    default_path);
    }

  return g_steal_pointer (&config);
}

/* Prints @node, which it takes, as pretty JSON on stdout. */
void
pvm_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) owned = node;
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, owned);
  text = json_generator_to_data (generator, NULL);
  /* JSON is UTF-8 whatever the locale: no charset conversion (g_print). */
  fputs (text, stdout);
  fputc ('\n', stdout);
}

/* @word as a command to copy would have it: quoted for the shell only
 * when it has characters the shell would read otherwise. */
char *
pvm_cli_dup_shell_word (const char *word)
{
  for (const char *c = word; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("._+-@,:=/", *c) == NULL)
      return g_shell_quote (word);
  return *word != '\0' ? g_strdup (word) : g_shell_quote (word);
}

/* Prints @array (a reference is taken) as pretty JSON on stdout. */
void
pvm_cli_print_json_array (JsonArray *array)
{
  pvm_cli_print_json (json_node_init_array (json_node_alloc (), array));
}

int
pvm_cli_usage_error (const char *command,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("%s: %s (see \"%s --help\")\n", command, message, command);
  return PVM_EXIT_USAGE;
}

/* Parses @argv with @context. -h or --help prints @usage and sets @status
 * to 0; a bad option prints a usage error and sets @status to 2. Either way
 * it returns FALSE, and the command returns @status. */
gboolean
pvm_cli_parse_options (GOptionContext   *context,
                       const char       *command,
                       const char       *usage,
                       int              *argc,
                       char           ***argv,
                       int              *status)
{
  g_autoptr(GError) error = NULL;

  for (int i = 1; i < *argc && !g_str_equal ((*argv)[i], "--"); i++)
    if (g_str_equal ((*argv)[i], "-h") || g_str_equal ((*argv)[i], "--help"))
      {
        fputs (usage, stdout);
        *status = 0;
        return FALSE;
      }

  g_option_context_set_help_enabled (context, FALSE);
  if (g_option_context_parse (context, argc, argv, &error))
    return TRUE;

  *status = pvm_cli_usage_error (command, "%s", error->message);
  return FALSE;
}

/* Columns on a terminal: wide characters count twice. */
guint
pvm_cli_display_width (const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

/* Prints @rows (each an array of @n_columns strings, the headers first)
 * as aligned columns, two spaces apart; the last column is not padded. */
void
pvm_cli_print_table (GPtrArray *rows,
                     guint      n_columns)
{
  g_autofree guint *widths = g_new0 (guint, n_columns);

  for (guint i = 0; i < rows->len; i++)
    for (guint c = 0; c < n_columns; c++)
      widths[c] = MAX (widths[c],
                       pvm_cli_display_width (((char **) g_ptr_array_index (rows, i))[c]));

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < n_columns; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 == n_columns)
            break;
          for (guint used = pvm_cli_display_width (row[c]); used < widths[c]; used++)
            g_string_append_c (line, ' ');
          g_string_append (line, "  ");
        }
      g_print ("%s\n", g_strchomp (line->str));
    }
}
