/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-launch.c: "pvm [-d LIST] [-i LIST] ...", the original pVM's
 * command line: resolve the plan, check it, and (later) launch it. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <stdio.h>

#include <glib-unix.h>

#include "pvm-cli.h"

typedef struct
{
  const char *flag;
  const char *key;
} FlagKey;

/* Each original flag overrides one list of the configuration. */
static const FlagKey flag_keys[] = {
  { "-d", "DRIVES" },
  { "-i", "INDRIVES" },
  { "-o", "OUTDIRS" },
  { "-m", "MEM" },
  { "-c", "CORES" },
  { "-a", "ADDITIONAL" },
};

static const char usage[] =
  "Usage: pvm [-d LIST] [-i LIST] [-o LIST] [-m LIST] [-c LIST] [-a LIST] [--install]\n"
  "           [-H LIST] [--output-mode MODE] [--config FILE] [--dry-run] [--json] [--wait]\n"
  "           [--verbose]\n"
  "       pvm [--config FILE] COMMAND [OPTION...]\n"
  "\n"
  "Start Linux VMs for data processing: one VM per image, each with one read-only\n"
  "input and one read-write output. Every flag takes a comma-separated list, one\n"
  "value per VM; a list shorter than -d repeats its last value. Write a comma\n"
  "inside a value as \\, . Values override the configuration file.\n"
  "\n"
  "  -d LIST          VM images: a name in DRIVEREPO (\".qcow2\" may be omitted) or a path\n"
  "  -i LIST          inputs: a SquashFS name in SQUASHREPO (\".sqsh\" may be omitted),\n"
  "                   a SquashFS file or a directory\n"
  "  -o LIST          output directories\n"
  "  -m LIST          memory per VM, e.g. 4G,8G (a plain number is MiB)\n"
  "  -c LIST          vCPUs per VM, e.g. 4,8\n"
  "  -a LIST          additional QEMU options per VM, e.g. \" -snapshot\"\n"
  "  -H LIST          hosts to run the VMs on (names of pvm hosts; default: local)\n"
  "  --install        boot INSTALL_MEDIA to install an OS, with install_scripts shared\n"
  "  --output-mode MODE\n"
  "                   shared: the output directory is a shared folder (9p); disk: a disk\n"
  "                   whose files are copied into it at power off (the VM can be saved)\n"
  "  --config FILE    read FILE (pvm.conf or an original pVM.cfg) instead of\n"
  "                   $XDG_CONFIG_HOME/pvm/pvm.conf\n"
  "  --dry-run        print the plan and check it; start nothing\n"
  "  --json           print machine-readable JSON\n"
  "  --wait           wait until every VM has powered off\n"
  "  --verbose        say which configuration was read\n"
  "  -h, --help       show this help\n"
  "  --version        show the version\n"
  "\n"
  "Commands:\n"
  "  config           import an original pVM.cfg, show the configuration\n"
  "  host             check what this host offers: libvirt, KVM, QEMU, tools\n"
  "  hosts            show the hosts VMs can run on (HOSTS), with their VMs\n"
  "  image            list, create, snapshot, delete and flatten the VM images\n"
  "  install          install an OS from its ISO into a base image with snapshots\n"
  "  squash           list, create, inspect and delete the SquashFS data archives\n"
  "  list             list the VMs pVM launched, running or not\n"
  "  info             show a VM's state and how to reach it\n"
  "  stop             stop VMs: power button, then force off after a timeout\n"
  "  save, resume     save running VMs to disk, and continue them later\n"
  "  migrate          move a running VM to another host\n"
  "  restore          continue a VM saved into a bundle (save --to) on any host\n"
  "  start            start VMs that are off again, as they were launched\n"
  "  collect          copy output disks' files into the output directories\n"
  "  delete           remove stopped VMs from libvirt (never their images)\n"
  "  help             show this help, or a command's: pvm help image\n"
  "\n"
  "See pvm(1) and docs/configuration.md.\n";

static void
print_plan_text (PvmPlan *plan)
{
  for (guint i = 0; i < plan->vms->len; i++)
    {
      PvmVmPlan *vm = g_ptr_array_index (plan->vms, i);
      g_autofree char *memory = pvm_size_format (vm->memory_bytes);
      g_autofree char *extra = g_strjoinv (" ", vm->extra_args);

      g_print ("VM %u: %s\n", i + 1, vm->name);
      g_print ("  image   %s\n", vm->image);
      if (vm->input != NULL)
        g_print ("  input   %s (%s, read-only)\n", vm->input,
                 pvm_input_kind_to_string (vm->input_kind));
      else
        g_print ("  input   none\n");
      g_print ("  output  %s\n", vm->output != NULL ? vm->output : "none");
      g_print ("  memory  %s\n", memory);
      g_print ("  cores   %u\n", vm->cores);
      if (*extra != '\0')
        g_print ("  extra   %s\n", extra);
      if (vm->ssh_port != 0)
        g_print ("  ssh     127.0.0.1:%u\n", vm->ssh_port);
    }
}

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  GPtrArray    *vms;           /* PvmVm, once launched */
  GStrv         warnings;
  GError       *error;
  guint         waiting;
  gboolean      interrupted;
  gboolean      collect_failed;
  gboolean      json;
  GPtrArray    *waited;        /* --wait: the VMs (borrowed) */
  GHashTable   *progress;      /* --wait: name -> the job's progress last printed */
} Launch;

/* How often --wait reads the jobs' progress. */
#define PROGRESS_INTERVAL_S 2

/* --wait: a line for each job whose progress changed, "job1: 45% (tick
 * 18)", from the serial logs of the VMs of this machine. */
static gboolean
progress_timeout_cb (gpointer user_data)
{
  Launch *launch = user_data;
  GPtrArray *vms = launch->waited;

  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);
      int percent = -1;
      g_autofree char *text = NULL;
      g_autofree char *line = NULL;

      if (!pvm_vm_is_active (vm) || (text = pvm_vm_dup_job_progress (vm, &percent, NULL)) == NULL)
        continue;
      line = *text != '\0' ? g_strdup_printf ("%d%% (%s)", percent, text)
                           : g_strdup_printf ("%d%%", percent);
      if (g_strcmp0 (line, g_hash_table_lookup (launch->progress, pvm_vm_get_name (vm))) == 0)
        continue;
      g_print ("%s: %s\n", pvm_vm_get_name (vm), line);
      g_hash_table_insert (launch->progress, g_strdup (pvm_vm_get_name (vm)),
                           g_steal_pointer (&line));
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
launch_interrupted_cb (gpointer user_data)
{
  Launch *launch = user_data;

  launch->interrupted = TRUE;
  g_cancellable_cancel (launch->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
launch_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Launch *launch = user_data;

  launch->vms = pvm_launch_on_hosts_finish (result, &launch->warnings, &launch->error);
  g_main_loop_quit (launch->loop);
}

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Launch *launch = user_data;
  PvmVm *vm = PVM_VM (object);
  g_autoptr(GError) error = NULL;

  if (!pvm_vm_wait_stopped_finish (vm, result, &error))
    goto out;

  if (!launch->json)
    {
      int job_exit;
      g_autofree char *status = pvm_vm_dup_guest_status (vm, &job_exit);

      if (job_exit >= 0)
        g_print ("%s: powered off, its job exited with status %d\n", pvm_vm_get_name (vm),
                 job_exit);
      else
        g_print ("%s: powered off\n", pvm_vm_get_name (vm));
    }

  /* OUTPUT_MODE=disk: the files come into the output directory now. */
  if (pvm_vm_needs_collect (vm))
    launch->collect_failed |= !pvm_cli_collect (vm, launch->json);

out:
  if (--launch->waiting == 0)
    g_main_loop_quit (launch->loop);
}

/* Launches @plan (each VM on its host of @placement, or all on the local
 * host), prints the connection details of every VM, and with @wait waits
 * until all have powered off. */
static int
launch (PvmConfig *config,
        PvmPlan   *plan,
        GPtrArray *placement,
        gboolean   json,
        gboolean   wait)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GString) stop_hint = g_string_new ("pvm stop");
  Launch state = { 0 };
  guint sigint, sigterm, progress_id = 0;
  int status = 0;

  state.loop = loop;
  state.cancellable = cancellable;
  state.json = json;
  sigint = g_unix_signal_add (SIGINT, launch_interrupted_cb, &state);
  sigterm = g_unix_signal_add (SIGTERM, launch_interrupted_cb, &state);

  pvm_launch_on_hosts_async (config, plan, placement, cancellable, launch_done_cb, &state);
  g_main_loop_run (loop);
  vms = g_steal_pointer (&state.vms);

  for (guint i = 0; state.warnings[i] != NULL; i++)
    g_printerr ("pvm: warning: %s\n", state.warnings[i]);
  g_clear_pointer (&state.warnings, g_strfreev);
  if (vms == NULL)
    {
      g_auto(GStrv) lines = g_strsplit (state.error->message, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        g_printerr ("pvm: %s%s\n", lines[i],
                    lines[1] == NULL && g_str_has_prefix (lines[0], "Cannot connect")
                      ? "; nothing was started" : "");
      g_clear_error (&state.error);
      status = PVM_EXIT_FAILURE;
      goto out;
    }

  if (json && !wait)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < vms->len; i++)
        json_array_add_element (array, pvm_vm_to_json (g_ptr_array_index (vms, i)));
      pvm_cli_print_json_array (array);
    }
  else if (!json)
    for (guint i = 0; i < vms->len; i++)
      {
        if (i > 0)
          g_print ("\n");
        pvm_cli_print_vm (g_ptr_array_index (vms, i), i + 1);
      }

  /* The hint names this launch's VMs: --all would stop others too, and
   * only those of the local host. */
  for (guint i = 0; i < vms->len; i++)
    {
      g_autofree char *word =
        pvm_cli_dup_shell_word (pvm_vm_get_name (g_ptr_array_index (vms, i)));

      g_string_append_printf (stop_hint, " %s", word);
    }

  if (state.interrupted)
    g_printerr ("pvm: interrupted after the VMs started: they keep running (%s stops them)\n",
                stop_hint->str);
  else if (wait)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      if (!json)
        g_print ("\nWaiting for the VMs to power off (Ctrl+C stops waiting; the VMs keep "
                 "running)\n");
      state.waiting = vms->len;
      for (guint i = 0; i < vms->len; i++)
        pvm_vm_wait_stopped_async (g_ptr_array_index (vms, i), cancellable, wait_done_cb, &state);
      /* What the jobs say of their progress, as it changes. */
      if (!json)
        {
          state.progress = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          state.waited = vms;
          progress_id = g_timeout_add_seconds (PROGRESS_INTERVAL_S, progress_timeout_cb, &state);
        }
      g_main_loop_run (loop);
      g_clear_handle_id (&progress_id, g_source_remove);
      g_clear_pointer (&state.progress, g_hash_table_unref);

      if (state.interrupted)
        {
          g_printerr ("pvm: stopped waiting: the VMs keep running (%s stops them)\n",
                      stop_hint->str);
          status = PVM_EXIT_FAILURE;
        }

      if (state.collect_failed)
        status = PVM_EXIT_FAILURE;

      /* Job mode: the status says whether every job succeeded. */
      for (guint i = 0; i < vms->len; i++)
        {
          PvmVm *vm = g_ptr_array_index (vms, i);
          g_autofree char *guest = NULL;
          int job_exit;

          guest = pvm_vm_dup_guest_status (vm, &job_exit);
          if (pvm_vm_is_active (vm) || job_exit > 0)
            status = PVM_EXIT_FAILURE;
          json_array_add_element (array, pvm_vm_to_json (vm));
        }
      if (json)
        pvm_cli_print_json_array (array);
    }

out:
  g_source_remove (sigint);
  g_source_remove (sigterm);
  return status;
}

int
pvm_cli_launch (int    argc,
                char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(PvmPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cwd = NULL;
  g_autofree char *config_path = NULL;
  char *lists[G_N_ELEMENTS (flag_keys)] = { NULL };
  g_autofree char *output_mode = NULL;
  g_autofree char *host_list = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GPtrArray) placement = NULL;
  gboolean install = FALSE, dry_run = FALSE, json = FALSE, wait = FALSE;
  gboolean verbose = FALSE;
  int status = 0;
  GOptionEntry entries[] = {
    { "drives", 'd', 0, G_OPTION_ARG_STRING, &lists[0], NULL, NULL },
    { "input", 'i', 0, G_OPTION_ARG_STRING, &lists[1], NULL, NULL },
    { "output", 'o', 0, G_OPTION_ARG_STRING, &lists[2], NULL, NULL },
    { "memory", 'm', 0, G_OPTION_ARG_STRING, &lists[3], NULL, NULL },
    { "cores", 'c', 0, G_OPTION_ARG_STRING, &lists[4], NULL, NULL },
    { "additional", 'a', 0, G_OPTION_ARG_STRING, &lists[5], NULL, NULL },
    { "install", 0, 0, G_OPTION_ARG_NONE, &install, NULL, NULL },
    { "output-mode", 0, 0, G_OPTION_ARG_STRING, &output_mode, NULL, NULL },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, NULL, NULL },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, NULL, NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, NULL, NULL },
    { "hosts", 'H', 0, G_OPTION_ARG_STRING, &host_list, NULL, NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);

  if (!pvm_cli_parse_options (context, "pvm", usage, &argc, &argv, &status))
    goto out;

  if (argc > 1)
    {
      status = pvm_cli_usage_error ("pvm", "unknown command or argument \"%s\"", argv[1]);
      goto out;
    }

  config = pvm_cli_load_config (config_path, verbose, &error);
  if (config == NULL)
    {
      g_printerr ("pvm: %s\n", error->message);
      status = PVM_EXIT_FAILURE;
      goto out;
    }

  for (guint i = 0; i < G_N_ELEMENTS (flag_keys); i++)
    {
      g_auto(GStrv) values = NULL;

      if (lists[i] == NULL)
        continue;

      values = pvm_config_split_list (lists[i]);
      if (!pvm_config_set_list (config, flag_keys[i].key, (const char * const *) values, &error))
        {
          g_printerr ("pvm: %s \"%s\": %s\n", flag_keys[i].flag, lists[i], error->message);
          status = PVM_EXIT_FAILURE;
          goto out;
        }
    }

  if (install && !pvm_config_set_string (config, "INSTALLING", "true", &error))
    g_assert_not_reached ();
  if (output_mode != NULL && !pvm_config_set_string (config, "OUTPUT_MODE", output_mode, &error))
    {
      g_printerr ("pvm: --output-mode \"%s\": %s\n", output_mode, error->message);
      status = PVM_EXIT_FAILURE;
      goto out;
    }

  cwd = g_get_current_dir ();
  plan = pvm_plan_new_from_config (config, cwd);

  /* A flag with more values than there are VMs is a mistake the original
   * pVM ignored in silence: "-d base -i a,b,c" starts one VM, not three.
   * (A configuration file's lists may be longer: they are defaults.) */
  for (guint i = 1; i < G_N_ELEMENTS (flag_keys) && plan->vms->len > 0; i++)
    {
      g_auto(GStrv) values = NULL;
      guint n;

      if (lists[i] == NULL)
        continue;
      values = pvm_config_split_list (lists[i]);
      n = g_strv_length (values);
      if (n > plan->vms->len)
        {
          g_printerr ("pvm: %s \"%s\" has %u values, but %s names %u image%s, so %u VM%s: "
                      "give one value per VM (the last one repeats), or an image per VM "
                      "(pvm image snapshot BASE NAME makes one)%s\n",
                      flag_keys[i].flag, lists[i], n, lists[0] != NULL ? "-d" : "DRIVES",
                      plan->vms->len, plan->vms->len == 1 ? "" : "s",
                      plan->vms->len, plan->vms->len == 1 ? "" : "s",
                      g_str_equal (flag_keys[i].flag, "-a") ? "; write a comma inside a value as \\," : "");
          status = PVM_EXIT_FAILURE;
        }
    }
  if (status != 0)
    goto out;

  pvm_plan_check (plan, config);

  /* -H: a host per VM, the last one repeating. */
  hosts = pvm_hosts_from_config (config);
  if (host_list != NULL)
    {
      g_auto(GStrv) names = pvm_config_split_list (host_list);
      guint n = g_strv_length (names);

      if (n == 0)
        {
          status = pvm_cli_usage_error ("pvm", "-H needs a list of host names (pvm hosts shows them)");
          goto out;
        }
      placement = g_ptr_array_new ();
      for (guint i = 0; i < MAX (plan->vms->len, n); i++)
        {
          const PvmHostEntry *host = pvm_hosts_find (hosts, names[MIN (i, n - 1)], &error);

          if (host == NULL)
            {
              g_printerr ("pvm: -H \"%s\": %s\n", host_list, error->message);
              status = PVM_EXIT_FAILURE;
              goto out;
            }
          if (i < plan->vms->len)
            g_ptr_array_add (placement, (gpointer) host);
        }
      if (n > plan->vms->len && plan->vms->len > 0)
        {
          g_printerr ("pvm: -H names %u hosts for %u VM%s: give one per VM (the last one "
                      "repeats)\n", n, plan->vms->len, plan->vms->len == 1 ? "" : "s");
          status = PVM_EXIT_FAILURE;
          goto out;
        }
    }

  if (dry_run)
    {
      if (json)
        pvm_cli_print_json (pvm_plan_to_json (plan));
      else
        print_plan_text (plan);
    }

  for (guint i = 0; i < plan->problems->len; i++)
    {
      g_autofree char *line = pvm_problem_to_string (g_ptr_array_index (plan->problems, i));

      g_printerr ("pvm: %s\n", line);
    }

  if (plan->problems->len > 0)
    {
      g_printerr ("pvm: %s: %u problem%s found\n",
                  dry_run ? "this launch would not start" : "nothing was started",
                  plan->problems->len, plan->problems->len == 1 ? "" : "s");
      status = PVM_EXIT_FAILURE;
      goto out;
    }

  if (!dry_run)
    status = launch (config, plan, placement, json, wait);

out:
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    g_free (lists[i]);
  return status;
}
