/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-image.c: "pvm image list|info|create|snapshot|delete|flatten|demo",
 * the image repository (DRIVEREPO) from the command line. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "pvm-cli.h"

static const char usage[] =
  "Usage: pvm image list [--tree] [--config FILE] [--json]\n"
  "       pvm image info NAME [--config FILE] [--json]\n"
  "       pvm image create NAME SIZE [--config FILE] [--json]\n"
  "       pvm image snapshot BASE NAME [--config FILE] [--json]\n"
  "       pvm image delete NAME [--config FILE] [--json]\n"
  "       pvm image flatten NAME [--config FILE] [--json]\n"
  "       pvm image demo [NAME] [--config FILE] [--json]\n"
  "\n"
  "Manage the VM images of the repository (DRIVEREPO). NAME is an image's file\n"
  "name, \".qcow2\" may be omitted; spaces, quotes and any letters work.\n"
  "\n"
  "  list      the images: virtual size, space used on disk, backing file, and\n"
  "            which are protected (bases of overlays), read-only or broken\n"
  "  info      one image, its whole backing chain and its overlays\n"
  "  create    a blank qcow2 image of SIZE, e.g. 20G (a plain number is bytes)\n"
  "  snapshot  NAME, an overlay of BASE: it starts as BASE and keeps its own\n"
  "            changes. BASE becomes read-only: it must not change while it\n"
  "            has overlays, and pVM will not boot, change or delete it\n"
  "  delete    delete an image; a base with overlays is refused, and deleting\n"
  "            an overlay leaves its base as it is\n"
  "  flatten   make an overlay standalone, its base's data copied in (Ctrl+C\n"
  "            cancels and leaves it as it was)\n"
  "  demo      build a small bootable image NAME (default \"demo\") on this host\n"
  "            from its own kernel and busybox, to try pVM with no download\n"
  "            (Ctrl+C cancels and leaves no file)\n"
  "\n"
  "  --tree          list the images as trees: each base with its overlays\n"
  "  --config FILE   read DRIVEREPO from FILE instead of pvm.conf\n"
  "  --json          print machine-readable JSON\n"
  "  -h, --help      show this help\n"
  "\n"
  "See docs/images.md.\n";

typedef struct
{
  /* Owned */
  char      *command;      /* "pvm image list", for messages */
  char      *config_path;
  PvmConfig *config;

  gboolean  json;
  gboolean  tree;
} Options;

static void
options_clear (Options *options)
{
  g_free (options->command);
  g_free (options->config_path);
  g_clear_object (&options->config);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* Parses the options of "pvm image @argv[0]" into @options and checks that
 * @n_args arguments follow. FALSE: return @status. */
static gboolean
parse_command (int       *argc,
               char    ***argv,
               guint      n_args,
               const char *arg_names,
               Options   *options,
               int       *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  const char *command = options->command = g_strdup_printf ("pvm image %s", (*argv)[0]);
  gboolean list = g_str_equal ((*argv)[0], "list");
  gboolean name_optional = g_str_equal ((*argv)[0], "demo");
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &options->config_path, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json, NULL, NULL },
    { "tree", 0, 0, G_OPTION_ARG_NONE, &options->tree, NULL, NULL },
    { NULL }
  };

  /* --tree is list's alone. */
  if (!list)
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

  if ((guint) *argc - 1 == n_args || (name_optional && (guint) *argc == n_args))
    return TRUE;

  if ((guint) *argc - 1 > n_args)
    *status = pvm_cli_usage_error (command, "unexpected argument \"%s\"", (*argv)[n_args + 1]);
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

/* parse_command(), then the configuration. FALSE: return @status. */
static gboolean
begin_parse (int         *argc,
             char      ***argv,
             guint        n_args,
             const char  *arg_names,
             Options     *options,
             int         *status)
{
  g_autoptr(GError) error = NULL;

  if (!parse_command (argc, argv, n_args, arg_names, options, status))
    return FALSE;

  options->config = pvm_cli_load_config (options->config_path, FALSE, &error);
  if (options->config == NULL)
    {
      *status = fail (options, error);
      return FALSE;
    }
  return TRUE;
}

/* The repository of the configuration, made when it is the default one
 * and missing. NULL: return @status. */
static PvmImageRepo *
open_repo (Options *options,
           int     *status)
{
  g_autoptr(GError) error = NULL;
  const char *directory;

  directory = pvm_config_ensure_repository (options->config, "DRIVEREPO", &error);
  if (directory == NULL)
    {
      *status = fail (options, error);
      return NULL;
    }
  return pvm_image_repo_new (directory);
}

/* begin_parse(), then open_repo(). NULL: return @status. */
static PvmImageRepo *
begin_command (int         *argc,
               char      ***argv,
               guint        n_args,
               const char  *arg_names,
               Options     *options,
               int         *status)
{
  if (!begin_parse (argc, argv, n_args, arg_names, options, status))
    return NULL;
  return open_repo (options, status);
}

/* The VMs libvirt knows, to tell which VM boots which image; NULL when no
 * libvirt daemon runs (then no VM runs either). Never starts a daemon. */
static GPtrArray *
fetch_vms (Options *options)
{
  g_setenv ("LIBVIRT_AUTOSTART", "0", TRUE);
  return pvm_vm_list_fetch_for_uri (pvm_config_get_string (options->config, "LIBVIRT_URI"));
}

/* Refuses @change of @path while a VM needs it (the core says when). */
static gboolean
check_no_vm_uses (Options         *options,
                  const char      *path,
                  PvmImageChange   change,
                  GError         **error)
{
  g_autoptr(GPtrArray) vms = fetch_vms (options);

  return pvm_vm_list_check_image_change (vms, path, change, error);
}

/* A note for the user: with the output in text, or apart from the JSON. */
static void
print_note (Options    *options,
            const char *note)
{
  if (note == NULL)
    return;
  if (options->json)
    g_printerr ("pvm image: %s\n", note);
  else
    g_print ("%s\n", note);
}

/* Before a change: the new image's @name (or NULL), then, on btrfs, the
 * repository's attributes, whose failure is worth a warning, not a
 * refusal. */
static gboolean
prepare_change (PvmImageRepo  *repo,
                Options       *options,
                const char    *name,
                GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *message = NULL;

  if (name != NULL && !pvm_image_check_name (name, error))
    return FALSE;
  if (!g_file_test (pvm_image_repo_get_directory (repo), G_FILE_TEST_IS_DIR))
    return TRUE;    /* the change says why it fails */

  if (!pvm_image_repo_prepare (repo, &message, &local_error))
    g_printerr ("pvm image: warning: %s\n", local_error->message);
  print_note (options, message);
  return TRUE;
}

/* --- text output --------------------------------------------------------- */

static char *
dup_status (PvmImage *image)
{
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);

  if (image->broken_path != NULL)
    g_ptr_array_add (notes, g_strdup_printf ("BROKEN: %s is missing", image->broken_path));
  else if (!image->usable)
    {
      char *note = g_strdup_printf ("not usable: %s", image->problem);
      char *first = note + strlen ("not usable: ");

      /* "It is not..." as part of a sentence, "QEMU" as it is. */
      if (g_ascii_isupper (first[0]) && g_ascii_islower (first[1]))
        first[0] = g_ascii_tolower (first[0]);
      g_ptr_array_add (notes, note);
    }
  if (image->is_protected)
    {
      guint n = g_strv_length (image->overlays);

      g_ptr_array_add (notes, g_strdup_printf ("protected (%u overla%s)", n,
                                               n == 1 ? "y" : "ys"));
    }
  if (image->read_only)
    g_ptr_array_add (notes, g_strdup ("read-only"));
  if (image->used_by != NULL)
    g_ptr_array_add (notes, g_strdup_printf ("VM %s", image->used_by));
  g_ptr_array_add (notes, NULL);

  return g_strjoinv (", ", (char **) notes->pdata);
}

static void
print_table (GPtrArray *images)
{
  static const char * const headers[] = { "NAME", "VIRTUAL", "USED", "BACKING", "STATUS", NULL };
  const guint n_columns = G_N_ELEMENTS (headers) - 1;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_ptr_array_add (rows, g_strdupv ((char **) headers));
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);
      char **row = g_new0 (char *, n_columns + 1);

      row[0] = g_strdup (image->name);
      row[1] = pvm_size_format (image->virtual_size);
      row[2] = pvm_size_format (image->disk_usage);
      row[3] = g_strdup (image->backing_file != NULL ? image->backing_file : "-");
      row[4] = dup_status (image);
      g_ptr_array_add (rows, row);
    }

  pvm_cli_print_table (rows, n_columns);
}

typedef struct
{
  /* Borrowed */
  GHashTable *by_name;    /* name → PvmImage */
  GHashTable *printed;    /* PvmImage set */
  gboolean    utf8;
} Tree;

static void
print_tree_node (Tree       *tree,
                 PvmImage   *image,
                 const char *prefix,
                 gboolean    last,
                 gboolean    root)
{
  g_autofree char *size = pvm_size_format (image->virtual_size);
  g_autofree char *used = pvm_size_format (image->disk_usage);
  g_autofree char *status = dup_status (image);
  g_autofree char *child_prefix = NULL;
  g_autoptr(GString) line = g_string_new (prefix);

  g_hash_table_add (tree->printed, image);

  if (!root)
    g_string_append (line, last ? (tree->utf8 ? "└─ " : "`- ")
                                : (tree->utf8 ? "├─ " : "|- "));
  g_string_append_printf (line, "%s  (%s, %s used", image->name, size, used);
  /* A root's base, if any, is outside the repository or missing. */
  if (root && image->backing_path != NULL && image->broken_path == NULL)
    g_string_append_printf (line, ", overlay of %s", image->backing_path);
  g_string_append (line, ")");
  if (*status != '\0')
    g_string_append_printf (line, "  %s", status);
  g_print ("%s\n", line->str);

  child_prefix = root ? g_strdup ("")
                      : g_strconcat (prefix, last ? "   " : (tree->utf8 ? "│  " : "|  "), NULL);
  for (guint i = 0; image->overlays[i] != NULL; i++)
    {
      PvmImage *child = g_hash_table_lookup (tree->by_name, image->overlays[i]);

      /* A chain that loops is printed once. */
      if (child != NULL && !g_hash_table_contains (tree->printed, child))
        print_tree_node (tree, child, child_prefix, image->overlays[i + 1] == NULL, FALSE);
    }
}

static void
print_tree (GPtrArray *images)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) printed = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) children = g_hash_table_new (NULL, NULL);
  Tree tree = { by_name, printed, g_get_charset (NULL) };

  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      g_hash_table_insert (by_name, image->name, image);
    }
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      for (guint j = 0; image->overlays[j] != NULL; j++)
        g_hash_table_add (children, g_hash_table_lookup (by_name, image->overlays[j]));
    }

  /* The roots: images that are nobody's overlay in the repository; then
   * what a loop left out. */
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      if (!g_hash_table_contains (children, image))
        print_tree_node (&tree, image, "", TRUE, TRUE);
    }
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      if (!g_hash_table_contains (printed, image))
        print_tree_node (&tree, image, "", TRUE, TRUE);
    }
}

static void
print_info (PvmImage *image)
{
  g_autofree char *size = pvm_size_format (image->virtual_size);
  g_autofree char *used = pvm_size_format (image->disk_usage);
  g_autofree char *status = dup_status (image);

  g_print ("name          %s\n", image->name);
  g_print ("path          %s\n", image->path);
  g_print ("format        %s\n", pvm_image_format_to_string (image->format));
  g_print ("virtual size  %s (%" G_GUINT64_FORMAT " bytes)\n", size, image->virtual_size);
  g_print ("disk usage    %s (%" G_GUINT64_FORMAT " bytes)\n", used, image->disk_usage);
  if (image->backing_file != NULL)
    g_print ("backing file  %s%s%s%s\n", image->backing_file,
             image->backing_format != NULL ? " (" : "",
             image->backing_format != NULL ? image->backing_format : "",
             image->backing_format != NULL ? ")" : "");
  else
    g_print ("backing file  none: a standalone image\n");
  for (guint i = 0; image->chain[i] != NULL; i++)
    g_print ("%s  %s%s\n", i == 0 ? "chain       " : "            ", image->chain[i],
             g_strcmp0 (image->chain[i], image->broken_path) == 0 ? " (MISSING)" : "");
  if (image->is_protected)
    {
      g_autofree char *overlays = g_strjoinv (", ", image->overlays);

      g_print ("overlays      %s\n", overlays);
      g_print ("protected     yes: pVM will not boot, change, resize or delete it while it "
               "has overlays\n");
    }
  else
    g_print ("overlays      none\n");
  g_print ("read-only     %s\n", image->read_only ? "yes" : "no");
  g_print ("status        %s\n", image->usable ? "usable" : image->problem);
  if (*status != '\0')
    g_print ("notes         %s\n", status);
  g_print ("used by       %s\n", image->used_by != NULL ? image->used_by : "-");
}

/* --- commands ------------------------------------------------------------ */

static int
image_list (int    argc,
            char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 0, "", &options, &status)) == NULL)
    return status;
  if ((images = pvm_image_repo_list (repo, &error)) == NULL)
    return fail (&options, error);
  {
    g_autoptr(GPtrArray) vms = fetch_vms (&options);

    if (vms != NULL)
      pvm_vm_list_mark_image_users (vms, images);
  }

  if (options.json)
    {
      g_autoptr(JsonArray) array = json_array_sized_new (images->len);

      for (guint i = 0; i < images->len; i++)
        json_array_add_element (array, pvm_image_to_json (g_ptr_array_index (images, i)));
      pvm_cli_print_json_array (array);
    }
  else if (images->len == 0)
    g_print ("No images in %s: \"pvm image create NAME SIZE\" makes one\n",
             pvm_image_repo_get_directory (repo));
  else if (options.tree)
    print_tree (images);
  else
    print_table (images);

  return 0;
}

/* Prints an image: in full for info, in a line after a change. */
static void
print_image (Options    *options,
             const char *done,
             PvmImage   *image)
{
  if (options->json)
    {
      pvm_cli_print_json (pvm_image_to_json (image));
    }
  else if (done == NULL)
    print_info (image);
  else
    {
      g_autofree char *size = pvm_size_format (image->virtual_size);

      g_print ("%s %s (%s, %s)\n", done, image->name, image->path, size);
    }
}

static int
image_info (int    argc,
            char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 1, "the image's NAME", &options, &status)) == NULL)
    return status;
  if ((image = pvm_image_repo_info (repo, argv[1], &error)) == NULL)
    return fail (&options, error);
  {
    g_autoptr(GPtrArray) vms = fetch_vms (&options);
    g_autoptr(GPtrArray) images = g_ptr_array_new ();

    g_ptr_array_add (images, image);
    if (vms != NULL)
      pvm_vm_list_mark_image_users (vms, images);
  }

  print_image (&options, NULL, image);
  return 0;
}

static int
image_create (int    argc,
              char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;
  guint64 size;
  int status = 0;

  /* The size is checked before the repository is made. */
  if (!begin_parse (&argc, &argv, 2, "the image's NAME and SIZE", &options, &status))
    return status;
  if (!pvm_size_parse (argv[2], 1, &size, &error))
    return fail (&options, error);
  if ((repo = open_repo (&options, &status)) == NULL)
    return status;
  if (!prepare_change (repo, &options, argv[1], &error) ||
      (image = pvm_image_repo_create (repo, argv[1], size, NULL, &error)) == NULL)
    return fail (&options, error);

  print_image (&options, "Created", image);
  return 0;
}

static int
image_snapshot (int    argc,
                char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) base = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  int status = 0;

  repo = begin_command (&argc, &argv, 2, "the BASE image and the new overlay's NAME", &options,
                        &status);
  if (repo == NULL)
    return status;
  /* A running VM would go on writing what becomes a base. */
  if ((base = pvm_image_repo_info (repo, argv[1], &error)) == NULL ||
      !check_no_vm_uses (&options, base->path, PVM_IMAGE_CHANGE_SNAPSHOT, &error) ||
      !prepare_change (repo, &options, argv[2], &error) ||
      (image = pvm_image_repo_snapshot (repo, argv[1], argv[2], &note, NULL, &error)) == NULL)
    return fail (&options, error);

  print_image (&options, "Created the overlay", image);
  print_note (&options, note);
  return 0;
}

static int
image_delete (int    argc,
              char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 1, "the image's NAME", &options, &status)) == NULL)
    return status;

  /* For the message: what the name stands for. */
  if ((image = pvm_image_repo_info (repo, argv[1], &error)) == NULL ||
      !check_no_vm_uses (&options, image->path, PVM_IMAGE_CHANGE_DELETE, &error) ||
      !pvm_image_repo_delete (repo, argv[1], &note, &error))
    return fail (&options, error);

  if (options.json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "deleted");
      json_builder_add_string_value (builder, image->path);
      json_builder_set_member_name (builder, "note");
      if (note != NULL)
        json_builder_add_string_value (builder, note);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      pvm_cli_print_json (json_builder_get_root (builder));
    }
  else
    {
      g_print ("Deleted %s (%s)\n", image->name, image->path);
      print_note (&options, note);
    }
  return 0;
}

/* --- long changes: flatten, demo ---------------------------------------- */

typedef PvmImage *(*JobFinishFunc) (PvmImageRepo  *repo,
                                    GAsyncResult  *result,
                                    GError       **error);

/* A change made through an _async function of the core, with a progress
 * line on a terminal, and Ctrl+C (or SIGTERM) cancelling it. */
typedef struct
{
  /* Owned */
  GMainLoop     *loop;
  GCancellable  *cancellable;
  char          *doing;        /* "Flattening NAME", before the percentage */
  PvmImage      *image;
  GError        *error;

  JobFinishFunc  finish;
  guint          sigint;
  guint          sigterm;
  gboolean       show_progress;
  int            shown;        /* the percentage on screen, or -1 */
} Job;

static void
job_progress_cb (double   fraction,
                 gpointer user_data)
{
  Job *job = user_data;
  int percent = (int) (fraction * 100.0);

  if (!job->show_progress || percent == job->shown)
    return;
  job->shown = percent;
  g_printerr ("\r%s: %3d%%", job->doing, percent);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Job *job = user_data;

  job->image = job->finish (PVM_IMAGE_REPO (object), result, &job->error);
  g_main_loop_quit (job->loop);
}

static gboolean
job_interrupted_cb (gpointer user_data)
{
  Job *job = user_data;

  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Before the change starts, which gets job_progress_cb() and job_done_cb()
 * with @job, and @job->cancellable. @doing (taken) heads the progress
 * line; @finish is the change's _finish function. */
static void
job_begin (Job           *job,
           Options       *options,
           JobFinishFunc  finish,
           char          *doing)
{
  job->loop = g_main_loop_new (NULL, FALSE);
  job->cancellable = g_cancellable_new ();
  job->doing = doing;
  job->finish = finish;
  job->show_progress = !options->json && isatty (STDERR_FILENO);
  job->shown = -1;
  job->sigint = g_unix_signal_add (SIGINT, job_interrupted_cb, job);
  job->sigterm = g_unix_signal_add (SIGTERM, job_interrupted_cb, job);
}

/* Waits for the change: its image, or NULL and @error. */
static PvmImage *
job_end (Job     *job,
         GError **error)
{
  g_main_loop_run (job->loop);
  g_source_remove (job->sigint);
  g_source_remove (job->sigterm);

  if (job->shown >= 0)
    g_printerr ("\n");

  g_clear_pointer (&job->loop, g_main_loop_unref);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->doing, g_free);
  if (job->error != NULL)
    g_propagate_error (error, g_steal_pointer (&job->error));
  return g_steal_pointer (&job->image);
}

static int
image_flatten (int    argc,
               char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;
  Job job = { 0 };
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 1, "the overlay's NAME", &options, &status)) == NULL)
    return status;
  {
    g_autoptr(PvmImage) overlay = pvm_image_repo_info (repo, argv[1], &error);

    if (overlay == NULL || !check_no_vm_uses (&options, overlay->path, PVM_IMAGE_CHANGE_FLATTEN, &error))
      return fail (&options, error);
  }
  prepare_change (repo, &options, NULL, NULL);

  job_begin (&job, &options, pvm_image_repo_flatten_finish,
             g_strdup_printf ("Flattening %s", argv[1]));
  pvm_image_repo_flatten_async (repo, argv[1], job_progress_cb, &job, job.cancellable,
                                job_done_cb, &job);
  image = job_end (&job, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("pvm image flatten: cancelled; %s is unchanged\n", argv[1]);
      return PVM_EXIT_FAILURE;
    }
  if (image == NULL)
    return fail (&options, error);

  print_image (&options, "Flattened", image);
  return 0;
}

static int
image_demo (int    argc,
            char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;
  Job job = { 0 };
  const char *name;
  int status = 0;

  if ((repo = begin_command (&argc, &argv, 1, "at most one NAME", &options, &status)) == NULL)
    return status;
  name = argc > 1 ? argv[1] : PVM_DEMO_IMAGE_DEFAULT_NAME;
  if (!prepare_change (repo, &options, name, &error))
    return fail (&options, error);

  job_begin (&job, &options, pvm_demo_image_create_finish,
             g_strdup_printf ("Building the demo image %s", name));
  pvm_demo_image_create_async (repo, name, job_progress_cb, &job, job.cancellable,
                               job_done_cb, &job);
  image = job_end (&job, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("pvm image demo: cancelled; no image was made\n");
      return PVM_EXIT_FAILURE;
    }
  if (image == NULL)
    return fail (&options, error);

  print_image (&options, "Created the demo image", image);
  if (!options.json)
    g_print ("Try it: pvm -d %s -o OUTPUT_DIR (with no job it idles, a shell on its serial "
             "console; pvm stop %s ends it)\n",
             image->name, image->name);
  return 0;
}

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
} Command;

static const Command commands[] = {
  { "list", image_list },
  { "info", image_info },
  { "create", image_create },
  { "snapshot", image_snapshot },
  { "delete", image_delete },
  { "flatten", image_flatten },
  { "demo", image_demo },
};

int
pvm_cli_image (int    argc,
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

  return pvm_cli_usage_error ("pvm image", "unknown command \"%s\"", argv[1]);
}
