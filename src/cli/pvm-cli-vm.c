/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-vm.c: the VMs pVM launched: "pvm list", "pvm info NAME",
 * "pvm stop [--force] NAME...|--all", "pvm save|resume|start
 * NAME...|--all", "pvm collect", "pvm delete NAME...", and the connection
 * details the launch prints. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "pvm-cli.h"

/**
 * pvm_cli_open_connection:
 * @config: the configuration (LIBVIRT_URI)
 * @error: return location for a #GError
 *
 * Returns: (transfer full): an open connection, or %NULL with a message
 *   that names the URI
 */
GVirConnection *
pvm_cli_open_connection (PvmConfig  *config,
                         GError    **error)
{
  return pvm_vm_open_connection (pvm_config_get_string (config, "LIBVIRT_URI"), NULL, error);
}

/* The guest's last status, with its job's progress while it runs:
 * "job start input (45% tick 18)". */
static char *
dup_guest_line (PvmVm *vm)
{
  g_autofree char *status = NULL;
  int percent = -1;
  g_autofree char *progress = pvm_vm_dup_job_progress (vm, &percent, &status);

  if (status == NULL)
    return g_strdup ("-");
  if (progress == NULL)
    return g_steal_pointer (&status);
  return g_strdup_printf ("%s (%d%%%s%s)", status, percent, *progress != '\0' ? " " : "",
                          progress);
}

/**
 * pvm_cli_print_vm:
 * @vm: a VM
 * @number: its number in a launch, or 0
 *
 * Prints how to reach @vm: the connection details.
 */
void
pvm_cli_print_vm (PvmVm *vm,
                  guint  number)
{
  const PvmVmPlan *plan = pvm_vm_get_plan (vm);
  g_autofree char *ssh = pvm_vm_dup_ssh_command (vm);
  g_autofree char *console = pvm_vm_dup_console_command (vm);
  g_autofree char *memory = pvm_size_format (plan->memory_bytes);
  g_autofree char *guest = dup_guest_line (vm);
  g_autofree char *extra = g_strjoinv (" ", plan->extra_args);

  const char *state = pvm_vm_state_to_string (pvm_vm_get_state (vm));

  if (number > 0)
    g_print ("VM %u: %s (%s)\n", number, plan->name, state);
  else
    g_print ("%s (%s)\n", plan->name, state);
  if (pvm_vm_is_paused_by_io_error (vm))
    {
      g_autofree char *word = pvm_cli_dup_shell_word (plan->name);

      g_print ("  why      QEMU paused it: a write to one of its disks failed (is the host's "
               "disk full?); once there is room: pvm resume %s\n", word);
    }
  if (ssh != NULL)
    g_print ("  ssh      %s\n", ssh);
  else if (pvm_vm_get_network (vm) != NULL && pvm_vm_is_active (vm))
    g_print ("  ssh      not yet: the guest has no address on %s yet (pvm info %s shows it "
             "once it has)\n", pvm_vm_get_network (vm), plan->name);
  else if (pvm_vm_get_network (vm) != NULL)
    g_print ("  ssh      none (not running)\n");
  else
    g_print ("  ssh      none (no forwarded port)\n");
  if (pvm_vm_get_network (vm) != NULL)
    g_print ("  network  %s (tap), address %s\n", pvm_vm_get_network (vm),
             pvm_vm_get_address (vm) != NULL ? pvm_vm_get_address (vm) : "none yet");
  g_print ("  console  %s\n", console);
  g_print ("  serial   %s\n", pvm_vm_get_serial_log (vm) != NULL ? pvm_vm_get_serial_log (vm)
                                                                  : "none");
  if (plan->input != NULL)
    g_print ("  input    %s (%s, read-only; " PVM_CONTRACT_INPUT_DIR " in the guest)\n",
             plan->input, pvm_input_kind_to_string (plan->input_kind));
  else
    g_print ("  input    none\n");
  if (plan->output != NULL)
    g_print ("  output   %s (" PVM_CONTRACT_OUTPUT_DIR " in the guest)\n", plan->output);
  else
    g_print ("  output   none\n");
  if (pvm_vm_get_output_disk (vm) != NULL && pvm_vm_output_disk_is_here (vm))
    g_print ("  outputs  on the output disk %s: pvm copies its files into the output when the VM "
             "is off (pvm collect %s)\n", pvm_vm_get_output_disk (vm), plan->name);
  else if (pvm_vm_get_output_disk (vm) != NULL)
    g_print ("  outputs  on the output disk %s on the VM's host, which this machine does not "
             "share: pvm collect %s fetches it through libvirt when the VM is off and copies "
             "its files into %s here\n", pvm_vm_get_output_disk (vm), plan->name, plan->output);
  g_print ("  image    %s\n", plan->image);
  g_print ("  memory   %s, %u vCPU%s\n", memory, plan->cores, plan->cores == 1 ? "" : "s");
  if (*extra != '\0')
    g_print ("  extra    %s\n", extra);
  g_print ("  domain   %s on %s\n", pvm_vm_get_domain_name (vm), pvm_vm_get_uri (vm));
  g_print ("  guest    %s\n", guest);
}

/**
 * pvm_cli_collect:
 * @vm: a VM that is off, with an output disk
 * @quiet: print nothing on success (JSON output)
 *
 * Copies the output disk's files into the output directory and says what
 * was copied and what was kept.
 *
 * Returns: %TRUE on success
 */
gboolean
pvm_cli_collect (PvmVm    *vm,
                 gboolean  quiet)
{
  g_autoptr(GPtrArray) copied = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (!pvm_vm_collect (vm, copied, kept, &error))
    {
      g_printerr ("pvm: %s: cannot collect the output: %s\n", pvm_vm_get_name (vm),
                  error->message);
      if (g_error_matches (error, PVM_ERROR, PVM_ERROR_NO_SPACE))
        {
          g_autofree char *word = pvm_cli_dup_shell_word (pvm_vm_get_name (vm));

          g_printerr ("pvm: %s: once there is room: pvm collect %s\n", pvm_vm_get_name (vm),
                      word);
        }
      return FALSE;
    }
  if (quiet)
    return TRUE;

  g_print ("%s: copied %u file%s from the output disk into %s\n", pvm_vm_get_name (vm),
           copied->len, copied->len == 1 ? "" : "s", pvm_vm_get_plan (vm)->output);
  for (guint i = 0; i < kept->len; i++)
    g_print ("%s: kept %s: the host's copy is newer\n", pvm_vm_get_name (vm),
             (char *) g_ptr_array_index (kept, i));
  return TRUE;
}

/* Collects the output of VMs that stopped while no pVM was watching. */
static void
collect_pending (GPtrArray *vms)
{
  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);

      if (pvm_vm_needs_collect (vm))
        {
          g_printerr ("pvm: %s powered off while no pvm was watching: collecting its output\n",
                      pvm_vm_get_name (vm));
          pvm_cli_collect (vm, TRUE);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Shared by the commands                                             */

typedef struct
{
  char     *config_path;
  gboolean  json;
  gboolean  force;
  gboolean  all;
  int       timeout;
  GPtrArray *hosts;     /* PvmHostEntry: local, then HOSTS */
} Options;

static void
options_clear (Options *options)
{
  g_free (options->config_path);
  g_clear_pointer (&options->hosts, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* Parses the options, loads the configuration and opens the connection.
 * Returns NULL with *status set when the command must end. */
static GVirConnection *
begin_command (const char    *command,
               const char    *usage,
               GOptionEntry  *extra_entries,
               Options       *options,
               int           *argc,
               char        ***argv,
               int           *status)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  GVirConnection *connection;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &options->config_path, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (extra_entries != NULL)
    g_option_context_add_main_entries (context, extra_entries, NULL);
  if (!pvm_cli_parse_options (context, command, usage, argc, argv, status))
    return NULL;

  config = pvm_cli_load_config (options->config_path, FALSE, &error);
  if (config == NULL || (connection = pvm_cli_open_connection (config, &error)) == NULL)
    {
      g_printerr ("%s: %s\n", command, error->message);
      *status = PVM_EXIT_FAILURE;
      return NULL;
    }
  options->hosts = pvm_hosts_from_config (config);
  return connection;
}

static int
fail (const char *command,
      GError     *error)
{
  g_printerr ("%s: %s\n", command, error->message);
  return PVM_EXIT_FAILURE;
}

/* The host a VM of another host than the local one was found on. */
static void
set_vm_host (PvmVm      *vm,
             const char *host)
{
  g_object_set_data_full (G_OBJECT (vm), "pvm-cli-host", g_strdup (host), g_free);
}

/* The name of the host of @vm: "local" or one of HOSTS. */
static const char *
vm_host (PvmVm *vm)
{
  const char *host = g_object_get_data (G_OBJECT (vm), "pvm-cli-host");

  return host != NULL ? host : "local";
}

/* "NAME", or "NAME on HOST" for a VM of another host. */
static char *
vm_label (PvmVm *vm)
{
  if (g_object_get_data (G_OBJECT (vm), "pvm-cli-host") == NULL)
    return g_strdup (pvm_vm_get_name (vm));
  return g_strdup_printf ("%s on %s", pvm_vm_get_name (vm), vm_host (vm));
}

/* Every VM of every host, each of another host than the local one tagged
 * with it (vm_host ()): a host of HOSTS that does not answer is reported,
 * with @note after its error if not %NULL, and sets *unreachable; the
 * others are taken. */
static GPtrArray *
fetch_all_vms (GVirConnection  *connection,
               GPtrArray       *hosts,
               const char      *command,
               const char      *note,
               gboolean        *unreachable,
               GError         **error)
{
  g_autoptr(GPtrArray) vms = pvm_vm_list_fetch (connection, error);

  if (vms == NULL)
    return NULL;
  for (guint h = 1; h < hosts->len; h++)
    {
      const PvmHostEntry *host = g_ptr_array_index (hosts, h);
      g_autoptr(GVirConnection) host_connection = NULL;
      g_autoptr(GPtrArray) host_vms = NULL;
      g_autoptr(GError) local_error = NULL;

      host_connection = pvm_vm_open_connection (host->uri, NULL, &local_error);
      if (host_connection != NULL)
        host_vms = pvm_vm_list_fetch (host_connection, &local_error);
      if (host_vms == NULL)
        {
          g_printerr ("%s: %s: %s%s\n", command, host->name, local_error->message,
                      note != NULL ? note : "");
          *unreachable = TRUE;
          continue;
        }
      for (guint i = 0; i < host_vms->len; i++)
        {
          PvmVm *vm = g_ptr_array_index (host_vms, i);

          set_vm_host (vm, host->name);
          g_ptr_array_add (vms, g_object_ref (vm));
        }
    }
  return g_steal_pointer (&vms);
}

/* The VMs named on the command line, or those of every host with --all
 * (see fetch_all_vms ()); each name is looked up before anything is done. */
static GPtrArray *
find_vms (GVirConnection  *connection,
          GPtrArray       *hosts,
          int              argc,
          char           **argv,
          gboolean         all,
          const char      *command,
          gboolean        *unreachable,
          GError         **error)
{
  g_autoptr(GPtrArray) vms = NULL;

  if (all)
    return fetch_all_vms (connection, hosts, command, "; its VMs were left as they are",
                          unreachable, error);

  /* A VM not on this host may be on another of HOSTS. */
  vms = g_ptr_array_new_with_free_func (g_object_unref);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) local_error = NULL;
      const PvmHostEntry *host = NULL;
      PvmVm *vm = pvm_vm_find (connection, argv[i], &local_error);

      if (vm == NULL && hosts->len > 1 &&
          g_error_matches (local_error, PVM_ERROR, PVM_ERROR_NOT_FOUND))
        {
          g_clear_error (&local_error);
          vm = pvm_cli_find_vm_on_hosts (hosts, argv[i], &host, &local_error);
          if (vm != NULL && host != g_ptr_array_index (hosts, 0))
            set_vm_host (vm, host->name);
        }
      if (vm == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (vms, vm);
    }
  return g_steal_pointer (&vms);
}

/* ------------------------------------------------------------------ */
/* pvm list                                                           */

static const char list_usage[] =
  "Usage: pvm list [--json] [--config FILE]\n"
  "\n"
  "List the VMs pVM launched on LIBVIRT_URI, running or not.\n"
  "\n"
  "  --json         print machine-readable JSON\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help     show this help\n";

int
pvm_cli_list (int    argc,
              char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean unreachable = FALSE;
  gboolean multi;
  int status = 0;

  connection = begin_command ("pvm list", list_usage, NULL, &options, &argc, &argv, &status);
  if (connection == NULL)
    return status;
  if (argc > 1)
    return pvm_cli_usage_error ("pvm list", "unexpected argument \"%s\"", argv[1]);

  /* The VMs of every host; a host that does not answer is reported. */
  vms = fetch_all_vms (connection, options.hosts, "pvm list", NULL, &unreachable, &error);
  if (vms == NULL)
    return fail ("pvm list", error);
  if (unreachable)
    status = PVM_EXIT_FAILURE;
  collect_pending (vms);

  if (options.json)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < vms->len; i++)
        {
          JsonNode *node = pvm_vm_to_json (g_ptr_array_index (vms, i));

          json_object_set_string_member (json_node_get_object (node), "host",
                                         vm_host (g_ptr_array_index (vms, i)));
          json_array_add_element (array, node);
        }
      pvm_cli_print_json_array (array);
      return status;
    }

  if (vms->len == 0)
    {
      g_print ("No VMs on %s: launch some with pvm -d IMAGE\n",
               options.hosts->len > 1 ? "any host" : gvir_connection_get_uri (connection));
      return status;
    }

  /* A HOST column once there is more than one. */
  multi = options.hosts->len > 1;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_ptr_array_add (rows, g_strsplit (multi ? "NAME|HOST|STATE|GUEST|SSH|MEMORY|CPUS|INPUT|OUTPUT"
                                           : "NAME|STATE|GUEST|SSH|MEMORY|CPUS|INPUT|OUTPUT",
                                     "|", -1));
  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);
      const PvmVmPlan *plan = pvm_vm_get_plan (vm);
      char **row = g_new0 (char *, 10);
      guint c = 0;

      row[c++] = g_strdup (plan->name);
      if (multi)
        row[c++] = g_strdup (vm_host (vm));
      row[c++] = pvm_vm_is_paused_by_io_error (vm)
                 ? g_strdup ("paused (I/O error)")
                 : g_strdup (pvm_vm_state_to_string (pvm_vm_get_state (vm)));
      row[c++] = dup_guest_line (vm);
      if (pvm_vm_get_address (vm) != NULL)
        row[c++] = g_strdup (pvm_vm_get_address (vm));
      else
        row[c++] = plan->ssh_port != 0 ? g_strdup_printf ("%u", plan->ssh_port) : g_strdup ("-");
      row[c++] = pvm_size_format (plan->memory_bytes);
      row[c++] = g_strdup_printf ("%u", plan->cores);
      row[c++] = g_strdup (plan->input != NULL ? plan->input : "-");
      row[c++] = g_strdup (plan->output != NULL ? plan->output : "-");
      g_ptr_array_add (rows, row);
    }
  pvm_cli_print_table (rows, multi ? 9 : 8);
  return status;
}

/* ------------------------------------------------------------------ */
/* pvm info                                                           */

static const char info_usage[] =
  "Usage: pvm info [--json] [--config FILE] NAME\n"
  "\n"
  "Show a VM's state and how to reach it: SSH, console, serial log, input and\n"
  "output. NAME is the VM's image name (or its libvirt domain name).\n"
  "\n"
  "  --json         print machine-readable JSON\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help     show this help\n";

int
pvm_cli_info (int    argc,
              char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(PvmVm) vm = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  connection = begin_command ("pvm info", info_usage, NULL, &options, &argc, &argv, &status);
  if (connection == NULL)
    return status;
  if (argc != 2)
    return pvm_cli_usage_error ("pvm info", argc < 2 ? "which VM? Give its NAME"
                                                     : "one NAME only, please");

  {
    g_autoptr(GPtrArray) vms = find_vms (connection, options.hosts, argc, argv, FALSE, NULL,
                                         NULL, &error);

    if (vms == NULL)
      return fail ("pvm info", error);
    vm = g_object_ref (g_ptr_array_index (vms, 0));
    collect_pending (vms);
  }

  if (options.json)
    pvm_cli_print_json (pvm_vm_to_json (vm));
  else
    pvm_cli_print_vm (vm, 0);
  return 0;
}

/* ------------------------------------------------------------------ */
/* pvm console                                                        */

static const char console_usage[] =
  "Usage: pvm console [--config FILE] NAME\n"
  "\n"
  "Open the graphical console of the running VM NAME in a window of pVM's app\n"
  "(the one already running, if any: a VM's console shows in one viewer at a\n"
  "time). Ctrl+Alt keeps or releases the keyboard and mouse.\n"
  "\n"
  "  --config FILE      read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help         show this help\n";

/* The app: $PVM_APP, then the installed one, then the one of the same
 * build tree (src/cli/pvm next to src/app/pvm-app), then in PATH. */
static char *
find_app (void)
{
  const char *env = g_getenv ("PVM_APP");
  g_autofree char *installed = g_build_filename (BINDIR, "pvm-app", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *built = g_build_filename (dir, "..", "app", "pvm-app", NULL);

      if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&built);
    }
  return g_find_program_in_path ("pvm-app");
}

int
pvm_cli_console (int    argc,
                 char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(PvmVm) vm = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *app = NULL;
  int status = 0;

  connection = begin_command ("pvm console", console_usage, NULL, &options, &argc, &argv,
                              &status);
  if (connection == NULL)
    return status;
  if (argc != 2)
    return pvm_cli_usage_error ("pvm console", argc < 2 ? "which VM? Give its NAME"
                                                        : "one NAME only, please");

  {
    g_autoptr(GPtrArray) vms = find_vms (connection, options.hosts, argc, argv, FALSE, NULL,
                                         NULL, &error);

    if (vms == NULL)
      return fail ("pvm console", error);
    vm = g_object_ref (g_ptr_array_index (vms, 0));
  }
  if (!pvm_vm_is_active (vm))
    {
      g_printerr ("pvm console: %s is %s: its console exists while it runs (%s)\n",
                  argv[1], pvm_vm_state_to_string (pvm_vm_get_state (vm)),
                  pvm_vm_get_state (vm) == PVM_VM_STATE_SAVED ? "pvm resume NAME"
                                                               : "start it with pvm start NAME");
      return PVM_EXIT_FAILURE;
    }

  app = find_app ();
  if (app == NULL)
    {
      g_printerr ("pvm console: pVM's app (pvm-app) is not installed; without it, use: %s\n",
                  pvm_vm_dup_console_command (vm));
      return PVM_EXIT_FAILURE;
    }

  {
    /* The VM's own host: another one's console comes through SSH. */
    const char *app_argv[] = { app, "--console", argv[1], "--connect", pvm_vm_get_uri (vm),
                               NULL };

    execv (app, (char **) app_argv);
    g_printerr ("pvm console: cannot run %s: %s\n", app, g_strerror (errno));
    return PVM_EXIT_FAILURE;
  }
}

/* ------------------------------------------------------------------ */
/* pvm stop                                                           */

static const char stop_usage[] =
  "Usage: pvm stop [--force] [--timeout SECONDS] [--json] [--config FILE] NAME...|--all\n"
  "\n"
  "Stop VMs: press their power button (the guest shuts down cleanly), and force\n"
  "them off if they have not powered off after the timeout. Their images,\n"
  "inputs and outputs stay as they are.\n"
  "\n"
  "  --force            force the VMs off at once, like pulling the plug\n"
  "  --timeout SECONDS  how long to wait for a clean shutdown (default 60)\n"
  "  --all              stop every running VM pVM launched, on every host of HOSTS\n"
  "  --json             print machine-readable JSON\n"
  "  --config FILE      read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help         show this help\n";

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  guint         pending;
  gboolean      failed;
  JsonArray    *results;
  gboolean      json;
} StopRun;

static void
stop_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  StopRun *run = user_data;
  PvmVm *vm = PVM_VM (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean forced = FALSE;
  gboolean stopped = pvm_vm_stop_finish (vm, result, &forced, &error);
  g_autofree char *label = vm_label (vm);
  g_autofree char *status = NULL;
  int job_exit = -1;

  if (stopped)
    status = pvm_vm_dup_guest_status (vm, &job_exit);

  if (!stopped)
    {
      run->failed = TRUE;
      g_printerr ("pvm stop: %s: %s\n", label, error->message);
    }
  else if (!run->json)
    g_print ("%s: %s\n", label, forced ? "forced off" : "powered off");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, pvm_vm_get_name (vm));
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, vm_host (vm));
  json_builder_set_member_name (builder, "stopped");
  json_builder_add_boolean_value (builder, stopped);
  json_builder_set_member_name (builder, "forced");
  json_builder_add_boolean_value (builder, forced);
  json_builder_set_member_name (builder, "error");
  if (error != NULL)
    json_builder_add_string_value (builder, error->message);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  json_array_add_element (run->results, json_builder_get_root (builder));

  if (--run->pending == 0)
    g_main_loop_quit (run->loop);
}

static gboolean
stop_interrupted_cb (gpointer user_data)
{
  StopRun *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

int
pvm_cli_stop (int    argc,
              char **argv)
{
  g_auto(Options) options = { .timeout = PVM_VM_DEFAULT_STOP_TIMEOUT_SECONDS };
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(JsonArray) results = json_array_new ();
  GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &options.force, NULL, NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options.timeout, NULL, NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &options.all, NULL, NULL },
    { NULL }
  };
  StopRun run = { 0 };
  gboolean unreachable = FALSE;
  guint sigint, sigterm;
  int status = 0;

  connection = begin_command ("pvm stop", stop_usage, entries, &options, &argc, &argv, &status);
  if (connection == NULL)
    return status;
  if (options.all == (argc > 1))
    return pvm_cli_usage_error ("pvm stop", options.all ? "give NAMEs or --all, not both"
                                                        : "which VMs? Give NAMEs or --all");
  if (options.timeout <= 0)
    return pvm_cli_usage_error ("pvm stop", "--timeout must be a number of seconds above 0");

  vms = find_vms (connection, options.hosts, argc, argv, options.all, "pvm stop", &unreachable,
                 &error);
  if (vms == NULL)
    return fail ("pvm stop", error);

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  run.loop = loop;
  run.cancellable = cancellable;
  run.results = results;
  run.json = options.json;

  sigint = g_unix_signal_add (SIGINT, stop_interrupted_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, stop_interrupted_cb, &run);
  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);

      if (!pvm_vm_is_active (vm))
        {
          g_autofree char *label = vm_label (vm);

          if (!options.all && !options.json)
            g_print ("%s: not running\n", label);
          continue;
        }
      run.pending++;
      pvm_vm_stop_async (vm, options.force ? PVM_VM_STOP_FORCE : PVM_VM_STOP_GRACEFUL,
                         options.timeout, cancellable, stop_done_cb, &run);
    }
  if (run.pending > 0)
    g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  if (options.json)
    pvm_cli_print_json_array (results);
  else if (options.all && vms->len > 0 && json_array_get_length (results) == 0)
    g_print ("No VM was running\n");

  return run.failed || unreachable ? PVM_EXIT_FAILURE : 0;
}

/* ------------------------------------------------------------------ */
/* pvm delete                                                         */

static const char delete_usage[] =
  "Usage: pvm delete [--json] [--config FILE] NAME...\n"
  "\n"
  "Remove stopped VMs from libvirt, with their serial logs. Their images, inputs\n"
  "and outputs are never touched (pvm image delete removes an image).\n"
  "\n"
  "  --json         print machine-readable JSON\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help     show this help\n";

int
pvm_cli_delete (int    argc,
                char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) deleted = json_array_new ();
  int status = 0;

  connection = begin_command ("pvm delete", delete_usage, NULL, &options, &argc, &argv, &status);
  if (connection == NULL)
    return status;
  if (argc < 2)
    return pvm_cli_usage_error ("pvm delete", "which VMs? Give their NAMEs");

  /* All or none: every VM is looked up and checked before any is deleted. */
  vms = find_vms (connection, options.hosts, argc, argv, FALSE, NULL, NULL, &error);
  if (vms == NULL)
    return fail ("pvm delete", error);
  for (guint i = 0; i < vms->len; i++)
    if (pvm_vm_is_active (g_ptr_array_index (vms, i)))
      {
        PvmVm *vm = g_ptr_array_index (vms, i);

        g_printerr ("pvm delete: the VM %s is running: stop it first (pvm stop %s); nothing "
                    "was deleted\n", pvm_vm_get_name (vm), pvm_vm_get_name (vm));
        return PVM_EXIT_FAILURE;
      }

  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);

      if (!pvm_vm_delete (vm, &error))
        return fail ("pvm delete", error);
      json_array_add_string_element (deleted, pvm_vm_get_name (vm));
      if (!options.json)
        g_print ("Deleted the VM %s (its image %s is kept)\n", pvm_vm_get_name (vm),
                 pvm_vm_get_plan (vm)->image);
    }

  if (options.json)
    pvm_cli_print_json_array (deleted);
  return 0;
}

/* ------------------------------------------------------------------ */
/* pvm save, pvm resume, pvm start                                    */

static const char save_usage[] =
  "Usage: pvm save [--json] [--config FILE] NAME...|--all\n"
  "       pvm save [--config FILE] NAME --to FILE\n"
  "\n"
  "Save running VMs: their whole state goes to disk and they stop; pvm resume\n"
  "continues each from exactly there. QEMU cannot save a VM whose guest has a\n"
  "shared folder (9p) mounted: such a VM is refused and keeps running.\n"
  "\n"
  "With --to, the VM (its state, the disks it writes and its definition) goes\n"
  "into one bundle FILE and leaves this host; pvm restore FILE --on HOST\n"
  "continues it there, or on any host with its base image and input.\n"
  "\n"
  "  --to FILE      save into the bundle FILE (not overwritten if it exists)\n"
  "  --all          save every running VM pVM launched (every host of HOSTS)\n"
  "  --json         print machine-readable JSON\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help     show this help\n";

static const char resume_usage[] =
  "Usage: pvm resume [--json] [--config FILE] NAME...|--all\n"
  "\n"
  "Continue saved (or paused) VMs from where they were.\n"
  "\n"
  "  --all          resume every saved or paused VM pVM launched (all HOSTS)\n"
  "  --json         print machine-readable JSON\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help     show this help\n";

static const char start_usage[] =
  "Usage: pvm start [--json] [--config FILE] NAME...|--all\n"
  "\n"
  "Start VMs that are off again, as they were launched: the same image, input,\n"
  "output, memory, vCPUs and SSH port (their job runs again). A saved VM is\n"
  "refused: pvm resume continues it. To change a VM, launch it again (pvm -d).\n"
  "\n"
  "  --all          start every VM pVM launched that is off (not saved), on\n"
  "                 every host of HOSTS\n"
  "  --json         print machine-readable JSON\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help     show this help\n";

typedef enum
{
  VM_OP_SAVE,
  VM_OP_RESUME,
  VM_OP_START,
} VmOp;

static const struct
{
  const char *command;
  const char *usage;
  const char *done;       /* what is printed, and the JSON member */
} vm_ops[] = {
  [VM_OP_SAVE] = { "pvm save", save_usage, "saved" },
  [VM_OP_RESUME] = { "pvm resume", resume_usage, "resumed" },
  [VM_OP_START] = { "pvm start", start_usage, "started" },
};

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
wait_result_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Whether --all takes @vm for @op. */
static gboolean
op_applies (VmOp   op,
            PvmVm *vm)
{
  PvmVmState state = pvm_vm_get_state (vm);

  switch (op)
    {
    case VM_OP_SAVE:
      return pvm_vm_is_active (vm);
    case VM_OP_RESUME:
      return state == PVM_VM_STATE_SAVED || state == PVM_VM_STATE_PAUSED;
    case VM_OP_START:
    default:
      return state == PVM_VM_STATE_STOPPED || state == PVM_VM_STATE_CRASHED;
    }
}

/* "pvm save", "pvm resume" and "pvm start": one VM after the other. */
static int
run_vm_op (int     argc,
           char  **argv,
           VmOp    op)
{
  const char *command = vm_ops[op].command;
  g_auto(Options) options = { 0 };
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsonArray) results = json_array_new ();
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &options.all, NULL, NULL },
    { NULL }
  };
  gboolean failed = FALSE;
  gboolean unreachable = FALSE;
  int status = 0;

  connection = begin_command (command, vm_ops[op].usage, entries, &options, &argc, &argv,
                              &status);
  if (connection == NULL)
    return status;
  if (options.all == (argc > 1))
    return pvm_cli_usage_error (command, options.all ? "give NAMEs or --all, not both"
                                                     : "which VMs? Give NAMEs or --all");

  vms = find_vms (connection, options.hosts, argc, argv, options.all, command, &unreachable,
                 &error);
  if (vms == NULL)
    return fail (command, error);

  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);
      g_autoptr(GError) vm_error = NULL;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      Wait wait = { loop, NULL };
      g_autofree char *label = vm_label (vm);
      gboolean done;

      if (options.all && !op_applies (op, vm))
        continue;

      if (op == VM_OP_SAVE)
        pvm_vm_save_async (vm, NULL, wait_result_cb, &wait);
      else if (op == VM_OP_RESUME)
        pvm_vm_resume_async (vm, NULL, wait_result_cb, &wait);
      else
        pvm_vm_start_async (vm, NULL, wait_result_cb, &wait);
      g_main_loop_run (loop);
      if (op == VM_OP_SAVE)
        done = pvm_vm_save_finish (vm, wait.result, &vm_error);
      else if (op == VM_OP_RESUME)
        done = pvm_vm_resume_finish (vm, wait.result, &vm_error);
      else
        done = pvm_vm_start_finish (vm, wait.result, &vm_error);
      g_object_unref (wait.result);

      if (!done)
        {
          failed = TRUE;
          if (!g_str_equal (vm_host (vm), "local"))
            g_printerr ("%s: %s: %s\n", command, label, vm_error->message);
          else
            g_printerr ("%s: %s\n", command, vm_error->message);
        }
      else if (!options.json)
        g_print ("%s: %s\n", label, vm_ops[op].done);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, pvm_vm_get_name (vm));
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, vm_host (vm));
      json_builder_set_member_name (builder, vm_ops[op].done);
      json_builder_add_boolean_value (builder, done);
      json_builder_set_member_name (builder, "error");
      if (vm_error != NULL)
        json_builder_add_string_value (builder, vm_error->message);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      json_array_add_element (results, json_builder_get_root (builder));
    }

  if (options.json)
    pvm_cli_print_json_array (results);
  else if (options.all && json_array_get_length (results) == 0 && op == VM_OP_START)
    g_print ("No VM was off\n");
  return failed || unreachable ? PVM_EXIT_FAILURE : 0;
}

int
pvm_cli_save (int    argc,
              char **argv)
{
  for (int i = 1; i < argc && !g_str_equal (argv[i], "--"); i++)
    if (g_str_equal (argv[i], "--to") || g_str_has_prefix (argv[i], "--to="))
      return pvm_cli_save_bundle (argc, argv, save_usage);
  return run_vm_op (argc, argv, VM_OP_SAVE);
}

int
pvm_cli_resume (int    argc,
                char **argv)
{
  return run_vm_op (argc, argv, VM_OP_RESUME);
}

int
pvm_cli_start (int    argc,
               char **argv)
{
  return run_vm_op (argc, argv, VM_OP_START);
}

/* ------------------------------------------------------------------ */
/* pvm collect                                                        */

static const char collect_usage[] =
  "Usage: pvm collect [--json] [--config FILE] NAME...|--all\n"
  "\n"
  "Copy the files of VMs' output disks (OUTPUT_MODE=disk) into their output\n"
  "directories. pvm does this by itself when it sees a VM power off (--wait,\n"
  "list, info); a host file newer than the guest's is never overwritten.\n"
  "A VM on another host (HOSTS) whose output directory this machine does not\n"
  "share: its disk is fetched through libvirt's connection to that host (the\n"
  "same SSH access), and the files land at the same path here.\n"
  "\n"
  "  --all          collect every VM that is off and has an output disk, on every\n"
  "                 host of HOSTS\n"
  "  --json         print machine-readable JSON\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI)\n"
  "  -h, --help     show this help\n";

int
pvm_cli_collect_command (int    argc,
                         char **argv)
{
  g_auto(Options) options = { 0 };
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) results = json_array_new ();
  GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &options.all, NULL, NULL },
    { NULL }
  };
  gboolean failed = FALSE;
  gboolean unreachable = FALSE;
  int status = 0;

  connection = begin_command ("pvm collect", collect_usage, entries, &options, &argc, &argv,
                              &status);
  if (connection == NULL)
    return status;
  if (options.all == (argc > 1))
    return pvm_cli_usage_error ("pvm collect", options.all ? "give NAMEs or --all, not both"
                                                           : "which VMs? Give NAMEs or --all");

  vms = find_vms (connection, options.hosts, argc, argv, options.all, "pvm collect", &unreachable,
                 &error);
  if (vms == NULL)
    return fail ("pvm collect", error);

  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);
      gboolean done;

      if (options.all && (pvm_vm_get_output_disk (vm) == NULL || pvm_vm_is_active (vm)))
        continue;
      done = pvm_cli_collect (vm, options.json);
      failed |= !done;
      if (options.json)
        {
          g_autoptr(JsonBuilder) builder = json_builder_new ();

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, pvm_vm_get_name (vm));
          json_builder_set_member_name (builder, "host");
          json_builder_add_string_value (builder, vm_host (vm));
          json_builder_set_member_name (builder, "collected");
          json_builder_add_boolean_value (builder, done);
          json_builder_end_object (builder);
          json_array_add_element (results, json_builder_get_root (builder));
        }
    }

  if (options.json)
    pvm_cli_print_json_array (results);
  return failed || unreachable ? PVM_EXIT_FAILURE : 0;
}
