/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-squash.c: "pvm squash list|info|create|delete", the data
 * repository (SQUASHREPO) from the command line. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "pvm-cli.h"

static const char usage[] =
  "Usage: pvm squash list [--config FILE] [--json]\n"
  "       pvm squash info NAME [--config FILE] [--json]\n"
  "       pvm squash create SOURCE_DIR [NAME] [--compressor COMPRESSOR]\n"
  "                         [--config FILE] [--json]\n"
  "       pvm squash delete NAME [--config FILE] [--json]\n"
  "\n"
  "Manage the SquashFS data archives of the repository (SQUASHREPO), the inputs\n"
  "VMs read. NAME is an archive's file name, \".sqsh\" may be omitted; spaces,\n"
  "quotes and any letters work.\n"
  "\n"
  "  list      the archives: size, uncompressed size, compression ratio, number\n"
  "            of inodes, compressor and block size\n"
  "  info      one archive, all it is known about it\n"
  "  create    make the archive NAME (by default the directory's name) of\n"
  "            SOURCE_DIR with mksquashfs, on every processor. Every file of\n"
  "            SOURCE_DIR must be readable. An existing archive is never\n"
  "            replaced; Ctrl+C cancels and leaves nothing\n"
  "  delete    delete an archive\n"
  "\n"
  "  --compressor COMPRESSOR  lz4 (the default: the fastest to read), zstd\n"
  "                           (archives a third smaller), xz or gzip\n"
  "  --config FILE            read SQUASHREPO from FILE instead of pvm.conf\n"
  "  --json                   print machine-readable JSON\n"
  "  -h, --help               show this help\n"
  "\n"
  "See docs/data.md.\n";

typedef struct
{
  /* Owned */
  char     *command;       /* "pvm squash list", for messages */
  char     *config_path;
  char     *compressor;

  gboolean  json;
  PvmSquashCompressor compressor_value;  /* --compressor, checked */
} Options;

static void
options_clear (Options *options)
{
  g_free (options->command);
  g_free (options->config_path);
  g_free (options->compressor);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* Parses the options of "pvm squash @argv[0]" into @options and checks
 * that from @min_args to @max_args arguments follow. FALSE: return
 * @status. */
static gboolean
parse_command (int         *argc,
               char      ***argv,
               guint        min_args,
               guint        max_args,
               const char  *arg_names,
               Options     *options,
               int         *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  const char *command = options->command = g_strdup_printf ("pvm squash %s", (*argv)[0]);
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &options->config_path, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json, NULL, NULL },
    { "compressor", 0, 0, G_OPTION_ARG_STRING, &options->compressor, NULL, NULL },
    { NULL }
  };
  guint n_args;
  g_autoptr(GError) error = NULL;

  /* --compressor is create's alone. */
  if (!g_str_equal ((*argv)[0], "create"))
    entries[2] = entries[3];

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, command, usage, argc, argv, status))
    return FALSE;

  /* "--" ends the options, so that a name may start with "-". */
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--"))
      {
        memmove (&(*argv)[i], &(*argv)[i + 1], sizeof (char *) * (size_t) (*argc - i));
        (*argc)--;
        break;
      }

  n_args = (guint) *argc - 1;
  if (n_args >= min_args && n_args <= max_args)
    {
      /* Checked before anything is made (begin_command() makes SQUASHREPO). */
      options->compressor_value = PVM_SQUASH_COMPRESSOR_DEFAULT;
      if (options->compressor != NULL &&
          !pvm_squash_compressor_from_string (options->compressor, &options->compressor_value,
                                              &error))
        {
          *status = pvm_cli_usage_error (command, "%s", error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (n_args > max_args)
    *status = pvm_cli_usage_error (command, "unexpected argument \"%s\"", (*argv)[max_args + 1]);
  else
    *status = pvm_cli_usage_error (command, "give %s", arg_names);
  return FALSE;
}

static int
fail (Options *options,
      GError  *error)
{
  g_printerr ("%s: %s\n", options->command, error->message);
  return PVM_EXIT_FAILURE;
}

/* parse_command(), then the repository of the configuration. NULL: return
 * @status. */
static PvmSquashRepo *
begin_command (int         *argc,
               char      ***argv,
               guint        min_args,
               guint        max_args,
               const char  *arg_names,
               Options     *options,
               int         *status)
{
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  const char *directory;

  if (!parse_command (argc, argv, min_args, max_args, arg_names, options, status))
    return NULL;

  config = pvm_cli_load_config (options->config_path, FALSE, &error);
  if (config == NULL)
    {
      *status = fail (options, error);
      return NULL;
    }

  directory = pvm_config_ensure_repository (config, "SQUASHREPO", &error);
  if (directory == NULL)
    {
      *status = fail (options, error);
      return NULL;
    }
  return pvm_squash_repo_new (directory);
}

/* --- text output --------------------------------------------------------- */

static char *
dup_ratio (PvmSquashArchive *archive)
{
  return archive->has_stats && archive->ratio > 0.0 ? g_strdup_printf ("%.2f", archive->ratio)
                                                    : g_strdup ("-");
}

static char *
dup_uncompressed (PvmSquashArchive *archive)
{
  return archive->has_stats ? pvm_size_format (archive->uncompressed_size) : g_strdup ("-");
}

static void
print_table (GPtrArray *archives)
{
  static const char * const headers[] = { "NAME", "SIZE", "UNCOMPRESSED", "RATIO", "INODES",
                                          "COMPRESSOR", "BLOCK", "STATUS", NULL };
  const guint n_columns = G_N_ELEMENTS (headers) - 1;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char **) headers));
  for (guint i = 0; i < archives->len; i++)
    {
      PvmSquashArchive *archive = g_ptr_array_index (archives, i);
      char **row = g_new0 (char *, n_columns + 1);

      row[0] = g_strdup (archive->name);
      row[1] = pvm_size_format (archive->archive_size);
      row[2] = dup_uncompressed (archive);
      row[3] = dup_ratio (archive);
      row[4] = archive->usable ? g_strdup_printf ("%u", archive->inodes) : g_strdup ("-");
      row[5] = g_strdup (archive->compressor != NULL ? archive->compressor : "-");
      row[6] = archive->usable ? pvm_size_format (archive->block_size) : g_strdup ("-");
      row[7] = archive->usable ? g_strdup ("") : g_strdup_printf ("not usable: %s",
                                                                  archive->problem);
      g_ptr_array_add (rows, row);
    }

  pvm_cli_print_table (rows, n_columns);
}

static void
print_info (PvmSquashArchive *archive)
{
  g_autofree char *size = pvm_size_format (archive->archive_size);
  g_autofree char *uncompressed = dup_uncompressed (archive);
  g_autofree char *ratio = dup_ratio (archive);
  g_autofree char *block = pvm_size_format (archive->block_size);
  g_autoptr(GDateTime) made = g_date_time_new_from_unix_local (archive->mkfs_time);
  g_autofree char *made_text = made != NULL ? g_date_time_format (made, "%F %T") : NULL;

  g_print ("name          %s\n", archive->name);
  g_print ("path          %s\n", archive->path);
  g_print ("size          %s (%" G_GUINT64_FORMAT " bytes)\n", size, archive->archive_size);
  if (!archive->usable)
    {
      g_print ("status        not usable: %s\n", archive->problem);
      return;
    }
  g_print ("compressor    %s\n", archive->compressor);
  g_print ("block size    %s\n", block);
  g_print ("inodes        %u\n", archive->inodes);
  if (archive->has_stats)
    {
      g_print ("files         %" G_GUINT64_FORMAT "\n", archive->files);
      g_print ("uncompressed  %s (%" G_GUINT64_FORMAT " bytes)\n", uncompressed,
               archive->uncompressed_size);
    }
  else
    {
      g_print ("files         -\n");
      g_print ("uncompressed  - (unsquashfs could not walk it)\n");
    }
  g_print ("ratio         %s\n", ratio);
  g_print ("created       %s\n", made_text != NULL ? made_text : "-");
  g_print ("status        usable\n");
}

/* Prints an archive: in full for info, in a line after create. */
static void
print_archive (Options          *options,
               const char       *done,
               PvmSquashArchive *archive)
{
  if (options->json)
    {
      pvm_cli_print_json (pvm_squash_archive_to_json (archive));
    }
  else if (done == NULL)
    print_info (archive);
  else
    {
      g_autofree char *size = pvm_size_format (archive->archive_size);
      g_autofree char *uncompressed = dup_uncompressed (archive);
      g_autofree char *ratio = dup_ratio (archive);

      g_print ("%s %s (%s, %s, %s uncompressed, ratio %s)\n", done, archive->name,
               archive->path, size, uncompressed, ratio);
    }
}

/* --- commands ------------------------------------------------------------ */

static int
squash_list (int    argc,
             char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmSquashRepo) repo = NULL;
  g_autoptr(GPtrArray) archives = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 0, 0, "", &options, &status)) == NULL)
    return status;
  if ((archives = pvm_squash_repo_list (repo, NULL, &error)) == NULL)
    return fail (&options, error);

  if (options.json)
    {
      g_autoptr(JsonArray) array = json_array_sized_new (archives->len);

      for (guint i = 0; i < archives->len; i++)
        json_array_add_element (array,
                                pvm_squash_archive_to_json (g_ptr_array_index (archives, i)));
      pvm_cli_print_json_array (array);
    }
  else if (archives->len == 0)
    g_print ("No archives in %s: \"pvm squash create DIRECTORY\" makes one\n",
             pvm_squash_repo_get_directory (repo));
  else
    print_table (archives);

  return 0;
}

static int
squash_info (int    argc,
             char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmSquashRepo) repo = NULL;
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 1, 1, "the archive's NAME", &options,
                             &status)) == NULL)
    return status;
  if ((archive = pvm_squash_repo_info (repo, argv[1], NULL, &error)) == NULL)
    return fail (&options, error);

  print_archive (&options, NULL, archive);
  return 0;
}

static int
squash_delete (int    argc,
               char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmSquashRepo) repo = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 1, 1, "the archive's NAME", &options,
                             &status)) == NULL)
    return status;

  {
    /* For the message: what the name stands for. */
    g_autoptr(PvmSquashArchive) archive = pvm_squash_repo_info (repo, argv[1], NULL, &error);

    if (archive == NULL)
      {
        g_prefix_error (&error, "Cannot delete \"%s\": ", argv[1]);
        return fail (&options, error);
      }
    path = g_strdup (archive->path);
  }
  if (!pvm_squash_repo_delete (repo, argv[1], &error))
    return fail (&options, error);

  if (options.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "deleted");
      json_builder_add_string_value (builder, path);
      json_builder_end_object (builder);
      pvm_cli_print_json (json_builder_get_root (builder));
    }
  else
    g_print ("Deleted %s (%s)\n", argv[1], path);
  return 0;
}

typedef struct
{
  /* Borrowed */
  GMainLoop        *loop;
  GCancellable     *cancellable;
  const char       *name;

  /* Owned */
  PvmSquashArchive *archive;
  GError           *error;

  gboolean          show_progress;
  int               shown;        /* the percentage on screen, or -1 */
} Create;

static void
create_progress_cb (double   fraction,
                    guint64  bytes_done,
                    guint64  bytes_total,
                    gpointer user_data)
{
  Create *create = user_data;
  int percent = (int) (fraction * 100.0);
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  char bar[31];
  guint filled = (guint) (fraction * 30.0);

  if (!create->show_progress || percent == create->shown)
    return;
  create->shown = percent;

  for (guint i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[30] = '\0';
  /* "\033[K" clears what a longer line left. */
  if (bytes_total == 0)
    {
      /* Nothing counted yet: the source is being read. */
      g_printerr ("\rCreating %s: [%s] %3d%%\033[K", create->name, bar, percent);
      return;
    }
  done = pvm_size_format (bytes_done);
  total = pvm_size_format (bytes_total);
  g_printerr ("\rCreating %s: [%s] %3d%%  %s of %s\033[K", create->name, bar, percent, done,
              total);
}

static void
create_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Create *create = user_data;

  create->archive = pvm_squash_repo_create_finish (PVM_SQUASH_REPO (object), result,
                                                   &create->error);
  g_main_loop_quit (create->loop);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  Create *create = user_data;

  g_cancellable_cancel (create->cancellable);
  return G_SOURCE_CONTINUE;
}

static int
squash_create (int    argc,
               char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmSquashRepo) repo = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  PvmSquashCompressor compressor = PVM_SQUASH_COMPRESSOR_DEFAULT;
  Create create = { 0 };
  guint sigint, sigterm;
  int status = 0;

  repo = begin_command (&argc, &argv, 1, 2, "the SOURCE_DIR to archive", &options, &status);
  if (repo == NULL)
    return status;
  compressor = options.compressor_value;

  if (argc == 3)
    name = g_strdup (argv[2]);
  else
    {
      g_autofree char *source = g_canonicalize_filename (argv[1], NULL);

      name = g_path_get_basename (source);
    }
  if (!pvm_squash_check_name (name, &error))
    return fail (&options, error);

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  create.loop = loop;
  create.cancellable = cancellable;
  create.name = name;
  create.show_progress = !options.json && isatty (STDERR_FILENO);
  create.shown = -1;

  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &create);
  sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, &create);
  pvm_squash_repo_create_async (repo, argv[1], name, compressor, create_progress_cb, &create,
                                cancellable, create_done_cb, &create);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (create.shown >= 0)
    g_printerr ("\n");

  archive = g_steal_pointer (&create.archive);
  error = g_steal_pointer (&create.error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("pvm squash create: cancelled; no archive was made\n");
      return PVM_EXIT_FAILURE;
    }
  if (archive == NULL)
    return fail (&options, error);

  print_archive (&options, "Created", archive);
  return 0;
}

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "list", squash_list },
  { "info", squash_info },
  { "create", squash_create },
  { "delete", squash_delete },
};

int
pvm_cli_squash (int    argc,
                char **argv)
{
  if (argc < 2 || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "--help"))
    {
      fputs (usage, argc < 2 ? stderr : stdout);
      return argc < 2 ? PVM_EXIT_USAGE : 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  return pvm_cli_usage_error ("pvm squash", "unknown command \"%s\"", argv[1]);
}
