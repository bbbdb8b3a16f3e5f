/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-install.c: "pvm install", a guided OS installation from an ISO
 * to a protected base image with snapshots (the core's PvmInstallation):
 * what the ISO is and what it needs, the blank image, the VM in install
 * mode with the install share, the wait for its power-off, the base and
 * its snapshots, and optionally their launch. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "pvm-cli.h"

static const char usage[] =
  "Usage: pvm install --iso FILE --name NAME [--size SIZE] [-m MEM] [-c CORES]\n"
  "                   [--snapshots N | --snapshot-names LIST] [--launch]\n"
  "                   [--keep-on-failure] [--config FILE]\n"
  "       pvm install --continue --name NAME [--snapshots N | --snapshot-names LIST]\n"
  "                   [--launch] [--config FILE]\n"
  "\n"
  "Install an OS from its installation ISO into a new image NAME of the image\n"
  "repository (DRIVEREPO), then make the image a protected base with snapshots.\n"
  "pvm says what the ISO is (libosinfo) and proposes the memory, vCPUs and disk\n"
  "size the OS recommends; it creates the blank image, boots the ISO in install\n"
  "mode with the install scripts and your SSH key shared (tag \"install\"), says\n"
  "how to reach the console (pvm console NAME) and what to run in the guest, and\n"
  "waits until the guest powers off. Then NAME becomes a read-only base and each\n"
  "snapshot an overlay of it, to launch as pvm -d SNAPSHOT.\n"
  "\n"
  "  --iso FILE             the installation ISO\n"
  "  --name NAME            the new image's name (also the install VM's)\n"
  "  --size SIZE            the disk size, e.g. 20G (default: the OS's recommended)\n"
  "  -m, --memory MEM       the install VM's memory, e.g. 4G (a plain number is MiB;\n"
  "                         default: the OS's recommended)\n"
  "  -c, --cores CORES      its vCPUs (default: the OS's recommended)\n"
  "  --snapshots N          make N snapshots NAME-1 ... NAME-N (default 2; 0 keeps\n"
  "                         NAME a plain image, with no base and no snapshot)\n"
  "  --snapshot-names LIST  the snapshots' names, comma-separated\n"
  "  --launch               launch the snapshots at the end (no input, no output)\n"
  "  --keep-on-failure      keep the image when the installation fails or is stopped\n"
  "  --continue             take up an installation that pvm install stopped waiting\n"
  "                         for: wait for its VM to power off, then make the base\n"
  "  --config FILE          read FILE instead of $XDG_CONFIG_HOME/pvm/pvm.conf\n"
  "  -h, --help             show this help\n"
  "\n"
  "Ctrl+C while the VM installs stops waiting and nothing else: the VM goes on,\n"
  "and pvm install --continue --name NAME takes it up again. Ctrl+C before the VM\n"
  "runs, or a failure, removes what was made (the image, unless --keep-on-failure,\n"
  "and the VM's definition).\n"
  "\n"
  "See pvm(1) and docs/images.md.\n";

typedef struct
{
  GMainLoop       *loop;
  GCancellable    *cancellable;
  GAsyncResult    *result;
  gboolean         interrupted;
} Run;

static gboolean
interrupted_cb (gpointer user_data)
{
  Run *run = user_data;

  run->interrupted = TRUE;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

/* Runs the main loop until the step started with done_cb ends; returns
 * its result (owned). */
static GAsyncResult *
run_step (Run *run)
{
  g_main_loop_run (run->loop);
  return g_steal_pointer (&run->result);
}

/* Progress, as the installation reports it: the steps that take time
 * without telling the user anything else. */
static void
message_cb (PvmInstallation *installation,
            GParamSpec      *pspec,
            gpointer         user_data)
{
  switch (pvm_installation_get_step (installation))
    {
    case PVM_INSTALLATION_STEP_CREATING_IMAGE:
    case PVM_INSTALLATION_STEP_STARTING:
    case PVM_INSTALLATION_STEP_MAKING_BASE:
    case PVM_INSTALLATION_STEP_LAUNCHING:
      g_print ("%s\n", pvm_installation_get_message (installation));
      break;

    case PVM_INSTALLATION_STEP_READY:
    case PVM_INSTALLATION_STEP_INSTALLING:
    case PVM_INSTALLATION_STEP_INSTALLED:
    case PVM_INSTALLATION_STEP_BASE_MADE:
    case PVM_INSTALLATION_STEP_LAUNCHED:
    case PVM_INSTALLATION_STEP_FAILED:
    case PVM_INSTALLATION_STEP_STOPPED:
    default:
      break;
    }
}

static void
print_warnings (PvmInstallation *installation,
                guint           *printed)
{
  const char * const *warnings = pvm_installation_get_warnings (installation);

  for (; warnings[*printed] != NULL; (*printed)++)
    g_printerr ("pvm install: warning: %s\n", warnings[*printed]);
}

/* @text with every line indented by @indent. */
static void
print_indented (const char *text,
                const char *indent)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_print ("%s%s\n", *lines[i] != '\0' ? indent : "", lines[i]);
}

static const char *
describe_source (const char *source)
{
  if (g_str_equal (source, "recommended"))
    return "the OS's recommended";
  if (g_str_equal (source, "minimum"))
    return "the OS's minimum";
  return "pVM's default";
}

static void
print_media (PvmMedia *media,
             guint64   memory,
             guint     cores,
             guint64   disk,
             gboolean  memory_chosen,
             gboolean  cores_chosen,
             gboolean  disk_chosen)
{
  g_autofree char *memory_text = pvm_size_format (memory);
  g_autofree char *disk_text = pvm_size_format (disk);

  g_print ("Installation ISO %s\n", media->path);
  if (media->recognized)
    g_print ("  OS       %s (%s)\n", media->name, media->short_id);
  else
    g_print ("  OS       not recognized (volume ID \"%s\"): check the resources below\n",
             media->volume_id != NULL ? media->volume_id : "");
  g_print ("  memory   %s (%s)\n", memory_text,
           memory_chosen ? "-m" : describe_source (media->memory_source));
  g_print ("  vCPUs    %u (%s)\n", cores,
           cores_chosen ? "-c" : describe_source (media->cores_source));
  g_print ("  disk     %s (%s)\n", disk_text,
           disk_chosen ? "--size" : describe_source (media->disk_source));
  g_print ("  scripts  install_scripts/%s\n", media->scripts);
}

static void
print_continue_hint (PvmInstallation    *installation,
                     const char * const *names)
{
  const char *name = pvm_installation_get_name (installation);
  g_autofree char *list = names != NULL ? g_strjoinv (",", (char **) names) : NULL;

  g_printerr ("pvm install: stopped waiting: the VM %s goes on installing (pvm console %s).\n"
              "  When it has powered off, make the base: pvm install --continue --name %s%s%s\n"
              "  To give up: pvm stop --force %s; pvm delete %s; pvm image delete %s\n",
              name, name, name, list != NULL && *list != '\0' ? " --snapshot-names " : "",
              list != NULL ? list : "", name, name, name);
}

/* The image's snapshots: from --snapshot-names, else --snapshots N. */
static GStrv
dup_snapshot_names (const char *name,
                    const char *names_text,
                    int         count)
{
  if (names_text != NULL)
    return pvm_config_split_list (names_text);
  return pvm_installation_dup_snapshot_names (name, (guint) count);
}

int
pvm_cli_install (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(PvmMedia) media = NULL;
  g_autoptr(PvmInstallation) installation = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_auto(GStrv) names = NULL;
  g_autofree char *iso = NULL;
  g_autofree char *name = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *memory_text = NULL;
  g_autofree char *cores_text = NULL;
  g_autofree char *names_text = NULL;
  g_autofree char *config_path = NULL;
  gboolean keep = FALSE, resume = FALSE, launch = FALSE;
  int n_snapshots = -1;
  guint64 disk = 0, memory = 0;
  guint64 cores = 0;
  guint printed = 0;
  guint sigint, sigterm;
  int status = 0;
  Run run = { 0 };
  GOptionEntry entries[] = {
    { "iso", 0, 0, G_OPTION_ARG_FILENAME, &iso, NULL, NULL },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, NULL, NULL },
    { "size", 0, 0, G_OPTION_ARG_STRING, &size_text, NULL, NULL },
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &memory_text, NULL, NULL },
    { "cores", 'c', 0, G_OPTION_ARG_STRING, &cores_text, NULL, NULL },
    { "snapshots", 0, 0, G_OPTION_ARG_INT, &n_snapshots, NULL, NULL },
    { "snapshot-names", 0, 0, G_OPTION_ARG_STRING, &names_text, NULL, NULL },
    { "launch", 0, 0, G_OPTION_ARG_NONE, &launch, NULL, NULL },
    { "keep-on-failure", 0, 0, G_OPTION_ARG_NONE, &keep, NULL, NULL },
    { "continue", 0, 0, G_OPTION_ARG_NONE, &resume, NULL, NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm install", usage, &argc, &argv, &status))
    return status;

  /* What can be told without reading anything. */
  if (argc > 1)
    return pvm_cli_usage_error ("pvm install", "unexpected argument \"%s\"", argv[1]);
  if (name == NULL)
    return pvm_cli_usage_error ("pvm install", "--name is required: the new image's name");
  if (iso == NULL && !resume)
    return pvm_cli_usage_error ("pvm install", "--iso is required: the installation ISO");
  if (resume && (iso != NULL || size_text != NULL || memory_text != NULL || cores_text != NULL ||
                 keep))
    return pvm_cli_usage_error ("pvm install", "--continue takes up an installation as it "
                                "was started: give only --name, the snapshots and --launch");
  if (names_text != NULL && n_snapshots >= 0)
    return pvm_cli_usage_error ("pvm install", "give --snapshots or --snapshot-names, not both");
  if (n_snapshots < -1 || n_snapshots > 100)
    return pvm_cli_usage_error ("pvm install", "--snapshots %d: give 0 to 100", n_snapshots);
  if (n_snapshots < 0)
    n_snapshots = PVM_INSTALLATION_DEFAULT_SNAPSHOTS;
  if (launch && n_snapshots == 0 && names_text == NULL)
    return pvm_cli_usage_error ("pvm install", "--launch launches the snapshots: there are none "
                                "with --snapshots 0");

  if (size_text != NULL && !pvm_size_parse (size_text, 1, &disk, &error))
    {
      g_printerr ("pvm install: --size \"%s\": %s; nothing was made\n", size_text,
                  error->message);
      return PVM_EXIT_FAILURE;
    }
  if (memory_text != NULL && !pvm_size_parse (memory_text, PVM_SIZE_MIB, &memory, &error))
    {
      g_printerr ("pvm install: --memory \"%s\": %s; nothing was made\n", memory_text,
                  error->message);
      return PVM_EXIT_FAILURE;
    }
  if (cores_text != NULL &&
      (!g_ascii_string_to_unsigned (cores_text, 10, 1, 1024, &cores, NULL)))
    {
      g_printerr ("pvm install: --cores \"%s\": give a number of vCPUs from 1 to 1024; nothing "
                  "was made\n", cores_text);
      return PVM_EXIT_FAILURE;
    }

  config = pvm_cli_load_config (config_path, FALSE, &error);
  if (config == NULL)
    {
      g_printerr ("pvm install: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  if (!resume)
    {
      media = pvm_media_identify (iso, NULL, &error);
      if (media == NULL)
        {
          g_printerr ("pvm install: %s; nothing was made\n", error->message);
          return PVM_EXIT_FAILURE;
        }
      print_media (media, memory != 0 ? memory : media->memory_bytes,
                   cores != 0 ? (guint) cores : media->cores,
                   disk != 0 ? disk : media->disk_bytes,
                   memory != 0, cores != 0, disk != 0);
      g_print ("\n");
    }

  installation = pvm_installation_new (config, name, resume ? "" : media->path);
  if (!resume)
    {
      pvm_installation_set_disk_size (installation, disk != 0 ? disk : media->disk_bytes);
      pvm_installation_set_memory (installation, memory != 0 ? memory : media->memory_bytes);
      pvm_installation_set_cores (installation, cores != 0 ? (guint) cores : media->cores);
      pvm_installation_set_keep_on_failure (installation, keep);
    }

  /* Everything is checked before anything is made. */
  names = dup_snapshot_names (pvm_installation_get_name (installation), names_text, n_snapshots);
  if ((!resume && !pvm_installation_check (installation, &error)) ||
      (names[0] != NULL &&
       !pvm_installation_check_snapshot_names (installation, (const char * const *) names,
                                               &error)))
    {
      g_printerr ("pvm install: %s; nothing was made\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  run.loop = loop;
  run.cancellable = cancellable;
  sigint = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, interrupted_cb, &run);
  g_signal_connect (installation, "notify::message", G_CALLBACK (message_cb), NULL);

  /* The image and the VM in install mode. */
  if (resume)
    pvm_installation_attach_async (installation, cancellable, done_cb, &run);
  else
    pvm_installation_start_async (installation, cancellable, done_cb, &run);
  result = run_step (&run);
  print_warnings (installation, &printed);
  if (!(resume ? pvm_installation_attach_finish (installation, result, &error)
               : pvm_installation_start_finish (installation, result, &error)))
    {
      g_printerr ("pvm install: %s\n", error->message);
      status = PVM_EXIT_FAILURE;
      goto out;
    }
  g_clear_object (&result);

  if (pvm_installation_get_step (installation) == PVM_INSTALLATION_STEP_INSTALLING)
    {
      PvmVm *vm = pvm_installation_get_vm (installation);
      g_autofree char *instructions = NULL;

      g_print ("\n");
      pvm_cli_print_vm (vm, 0);
      g_print ("\nThe installer runs in the VM %s. Its screen and keyboard:\n"
               "\n    pvm console %s\n\n", pvm_installation_get_name (installation),
               pvm_installation_get_name (installation));
      instructions = media != NULL ? g_strdup (media->instructions)
                                   : pvm_media_dup_instructions (PVM_MEDIA_GENERIC_SCRIPTS);
      print_indented (instructions, "");
      g_print ("\nWaiting for the VM to power off (Ctrl+C stops waiting; the installation goes "
               "on)\n");

      pvm_installation_wait_async (installation, cancellable, done_cb, &run);
      result = run_step (&run);
      if (!pvm_installation_wait_finish (installation, result, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            print_continue_hint (installation, names_text != NULL
                                               ? (const char * const *) names : NULL);
          else
            g_printerr ("pvm install: %s\n", error->message);
          status = PVM_EXIT_FAILURE;
          goto out;
        }
      g_clear_object (&result);
    }
  g_print ("%s\n", pvm_installation_get_message (installation));

  if (names[0] == NULL)
    {
      g_print ("%s is an image of its own: pvm -d %s boots it\n",
               pvm_installation_get_name (installation), pvm_installation_get_name (installation));
      goto out;
    }

  /* The base and its snapshots. */
  pvm_installation_make_base_async (installation, (const char * const *) names, cancellable,
                                    done_cb, &run);
  result = run_step (&run);
  snapshots = pvm_installation_make_base_finish (installation, result, &error);
  if (snapshots == NULL)
    {
      g_printerr ("pvm install: %s\n", error->message);
      status = PVM_EXIT_FAILURE;
      goto out;
    }
  g_clear_object (&result);

  {
    PvmImage *base = pvm_installation_get_image (installation);
    g_autoptr(GPtrArray) list = g_ptr_array_new_null_terminated (snapshots->len, NULL, TRUE);
    g_autofree char *joined = NULL;

    g_print ("\nBase      %s (%s, read-only: never booted again)\n", base->name, base->path);
    for (guint i = 0; i < snapshots->len; i++)
      {
        PvmImage *snapshot = g_ptr_array_index (snapshots, i);

        g_print ("Snapshot  %s (%s)\n", snapshot->name, snapshot->path);
        g_ptr_array_add (list, snapshot->name);
      }
    joined = g_strjoinv (",", (char **) list->pdata);
    if (!launch)
      g_print ("\nLaunch them: pvm -d %s\n", joined);
  }

  if (launch)
    {
      pvm_installation_launch_async (installation, cancellable, done_cb, &run);
      result = run_step (&run);
      vms = pvm_installation_launch_finish (installation, result, &error);
      print_warnings (installation, &printed);
      if (vms == NULL)
        {
          g_printerr ("pvm install: the snapshots were made, but not launched: %s\n",
                      error->message);
          status = PVM_EXIT_FAILURE;
          goto out;
        }
      for (guint i = 0; i < vms->len; i++)
        {
          g_print ("\n");
          pvm_cli_print_vm (g_ptr_array_index (vms, i), i + 1);
        }
    }

out:
  g_signal_handlers_disconnect_by_func (installation, message_cb, NULL);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return status;
}
