/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-hosts.c: several libvirt hosts: "pvm hosts" (what each offers,
 * its VMs) and "pvm migrate NAME HOST" (a running VM moves live). */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <glib-unix.h>

#include "pvm-cli.h"

static const char hosts_usage[] =
  "Usage: pvm hosts [--config FILE] [--json]\n"
  "\n"
  "Show the libvirt hosts VMs can run on: local (LIBVIRT_URI) and those of\n"
  "HOSTS in the configuration (NAME=URI, e.g. big=qemu+ssh://me@server/session).\n"
  "For each: whether it answers, KVM or TCG, its cores, memory and free\n"
  "memory, and its pVM VMs. Exits 1 if a host does not answer.\n";

static void
query_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs the main context until *@result is set. */
static void
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static JsonNode *
status_to_json (PvmHostStatus *status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, status->host->name);
  json_builder_set_member_name (builder, "uri");
  json_builder_add_string_value (builder, status->host->uri);
  json_builder_set_member_name (builder, "reachable");
  json_builder_add_boolean_value (builder, status->hostname != NULL);
  json_builder_set_member_name (builder, "error");
  if (status->error != NULL)
    json_builder_add_string_value (builder, status->error);
  else
    json_builder_add_null_value (builder);
  if (status->hostname != NULL)
    {
      json_builder_set_member_name (builder, "hostname");
      json_builder_add_string_value (builder, status->hostname);
      json_builder_set_member_name (builder, "kvm");
      json_builder_add_boolean_value (builder, g_strcmp0 (status->domain_type, "kvm") == 0);
      json_builder_set_member_name (builder, "cpus");
      json_builder_add_int_value (builder, status->cpus);
      json_builder_set_member_name (builder, "memory_bytes");
      json_builder_add_int_value (builder, status->memory);
      json_builder_set_member_name (builder, "free_memory_bytes");
      json_builder_add_int_value (builder, status->free_memory);
    }
  json_builder_set_member_name (builder, "vms");
  json_builder_begin_array (builder);
  for (guint i = 0; status->vms != NULL && i < status->vms->len; i++)
    json_builder_add_value (builder, pvm_vm_to_json (g_ptr_array_index (status->vms, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
print_status (PvmHostStatus *status)
{
  g_autofree char *memory = pvm_size_format (status->memory);
  g_autofree char *free_memory = pvm_size_format (status->free_memory);
  guint running = 0;

  g_print ("%s (%s)\n", status->host->name, status->host->uri);
  if (status->hostname == NULL)
    {
      g_print ("  not reachable: %s\n", status->error);
      return;
    }
  g_print ("  host     %s\n", status->hostname);
  g_print ("  guests   %s\n", status->domain_type == NULL ? "none (no x86_64 QEMU)"
                              : g_str_equal (status->domain_type, "kvm") ? "KVM"
                              : "TCG (no KVM: guests run much slower)");
  g_print ("  cores    %u\n", status->cpus);
  g_print ("  memory   %s, %s free\n", memory, free_memory);
  if (status->error != NULL)
    g_print ("  VMs      unknown: %s\n", status->error);
  else
    {
      for (guint i = 0; i < status->vms->len; i++)
        running += pvm_vm_is_active (g_ptr_array_index (status->vms, i));
      g_print ("  VMs      %u running, %u in all\n", running, status->vms->len);
      for (guint i = 0; i < status->vms->len; i++)
        {
          PvmVm *vm = g_ptr_array_index (status->vms, i);

          g_print ("    %s (%s)\n", pvm_vm_get_name (vm),
                   pvm_vm_state_to_string (pvm_vm_get_state (vm)));
        }
    }
}

int
pvm_cli_hosts (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GPtrArray) statuses = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *config_path = NULL;
  gboolean json = FALSE, all_reachable = TRUE;
  int status = 0;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm hosts", hosts_usage, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return pvm_cli_usage_error ("pvm hosts", "unexpected argument \"%s\"", argv[1]);

  config = pvm_cli_load_config (config_path, FALSE, &error);
  if (config == NULL)
    {
      g_printerr ("pvm hosts: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  hosts = pvm_hosts_from_config (config);
  pvm_hosts_query_async (hosts, NULL, NULL, query_done_cb, &result);
  wait_result (&result);
  statuses = pvm_hosts_query_finish (result, NULL);

  if (json)
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < statuses->len; i++)
        json_array_add_element (array, status_to_json (g_ptr_array_index (statuses, i)));
      pvm_cli_print_json_array (array);
    }
  for (guint i = 0; i < statuses->len; i++)
    {
      PvmHostStatus *host_status = g_ptr_array_index (statuses, i);

      all_reachable &= host_status->hostname != NULL;
      if (!json)
        print_status (host_status);
    }
  return all_reachable ? 0 : PVM_EXIT_FAILURE;
}

/**
 * pvm_cli_find_vm_on_hosts:
 * @hosts: (element-type PvmHostEntry): the hosts
 * @name: a VM's name
 * @host: (out) (transfer none): the host it is on
 * @error: return location for a #GError
 *
 * Looks for @name on every host, "local" first.
 *
 * Returns: (transfer full): the VM, or %NULL with an error naming the
 *   hosts looked at (and those that did not answer)
 */
PvmVm *
pvm_cli_find_vm_on_hosts (GPtrArray           *hosts,
                          const char          *name,
                          const PvmHostEntry **host,
                          GError             **error)
{
  g_autoptr(GString) unreachable = g_string_new (NULL);

  for (guint i = 0; i < hosts->len; i++)
    {
      const PvmHostEntry *entry = g_ptr_array_index (hosts, i);
      g_autoptr(GVirConnection) connection = NULL;
      g_autoptr(GError) local_error = NULL;
      PvmVm *vm;

      connection = pvm_vm_open_connection (entry->uri, NULL, &local_error);
      if (connection == NULL)
        {
          g_string_append_printf (unreachable, "; %s did not answer: %s", entry->name,
                                  local_error->message);
          continue;
        }
      vm = pvm_vm_find (connection, name, &local_error);
      if (vm != NULL)
        {
          *host = entry;
          return vm;
        }
      if (!g_error_matches (local_error, PVM_ERROR, PVM_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
               "There is no VM named \"%s\" on %s (pvm list shows them)%s", name,
               hosts->len == 1 ? "this host" : "any host", unreachable->str);
  return NULL;
}

/* ------------------------------------------------------------------ */
/* pvm migrate                                                        */

static const char migrate_usage[] =
  "Usage: pvm migrate [--check] [--bandwidth MIB] [--config FILE] NAME HOST\n"
  "\n"
  "Move the running VM NAME to HOST (a name of pvm hosts) without stopping it:\n"
  "its memory is copied while it runs, then it pauses for a moment and continues\n"
  "there. Its files must be on HOST at the same paths: the directories it writes\n"
  "to (its overlay, its output disk) shared between the hosts, its base image and\n"
  "input shared or copied. A VM with a 9p share (OUTPUT_MODE=shared, a directory\n"
  "as input) cannot move: QEMU refuses. Ctrl+C cancels; the VM then keeps running\n"
  "where it was. See docs/scaling.md.\n"
  "\n"
  "  --check          only check that the VM can move\n"
  "  --bandwidth MIB  use at most MIB MiB/s of the network\n"
  "  --config FILE    read FILE instead of pvm.conf (for LIBVIRT_URI and HOSTS)\n"
  "  -h, --help       show this help\n";

typedef struct
{
  GCancellable *cancellable;
  gboolean      interactive;
  gint64        last_print;
  gboolean      printed;
} MigrateRun;

static gboolean
migrate_interrupted_cb (gpointer user_data)
{
  MigrateRun *run = user_data;

  g_printerr ("%spvm migrate: cancelling...\n", run->interactive && run->printed ? "\n" : "");
  run->printed = FALSE;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
progress_cb (const PvmMigrationProgress *progress,
             gpointer                    user_data)
{
  MigrateRun *run = user_data;
  g_autofree char *remaining = pvm_size_format (progress->data_remaining);
  g_autofree char *total = pvm_size_format (progress->data_total);
  g_autofree char *dirty = pvm_size_format (progress->dirty_rate);
  gint64 now = g_get_monotonic_time ();
  guint percent = progress->data_total > 0
                    ? (guint) (100 * progress->data_processed / progress->data_total) : 0;

  /* A line a second in a log, an updated line on a terminal. */
  if (!run->interactive && now - run->last_print < G_USEC_PER_SEC)
    return;
  run->last_print = now;
  g_printerr ("%s%3u%%  %s of %s left, guest writes %s/s, pass %" G_GUINT64_FORMAT
              ", expected pause %" G_GUINT64_FORMAT " ms%s",
              run->interactive ? "\r\033[K" : "", MIN (percent, 100u), remaining, total, dirty,
              MAX (progress->iteration, 1), progress->expected_downtime_ms,
              run->interactive ? "" : "\n");
  run->printed = TRUE;
}

int
pvm_cli_migrate (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(PvmVm) vm = NULL;
  g_autoptr(PvmVm) moved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *config_path = NULL;
  const PvmHostEntry *source = NULL;
  const PvmHostEntry *destination;
  PvmMigrationResult migration = { 0 };
  MigrateRun run = { 0 };
  gboolean check = FALSE;
  int bandwidth = 0, status = 0;
  guint sigint, sigterm;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "check", 0, 0, G_OPTION_ARG_NONE, &check, NULL, NULL },
    { "bandwidth", 0, 0, G_OPTION_ARG_INT, &bandwidth, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm migrate", migrate_usage, &argc, &argv, &status))
    return status;
  if (argc != 3)
    return pvm_cli_usage_error ("pvm migrate", argc < 3 ? "give the VM's NAME and the HOST to "
                                                          "move it to"
                                                        : "unexpected argument \"%s\"", argv[3]);
  if (bandwidth < 0)
    return pvm_cli_usage_error ("pvm migrate", "--bandwidth takes a number of MiB/s, not %d",
                                bandwidth);

  config = pvm_cli_load_config (config_path, FALSE, &error);
  if (config == NULL)
    {
      g_printerr ("pvm migrate: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }
  hosts = pvm_hosts_from_config (config);
  destination = pvm_hosts_find (hosts, argv[2], &error);
  if (destination == NULL ||
      (vm = pvm_cli_find_vm_on_hosts (hosts, argv[1], &source, &error)) == NULL)
    {
      g_printerr ("pvm migrate: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  run.cancellable = cancellable;
  run.interactive = isatty (STDERR_FILENO);
  sigint = g_unix_signal_add (SIGINT, migrate_interrupted_cb, &run);
  sigterm = g_unix_signal_add (SIGTERM, migrate_interrupted_cb, &run);
  if (!check)
    g_printerr ("pvm migrate: moving %s from %s to %s (Ctrl+C cancels)\n", pvm_vm_get_name (vm),
                source->name, destination->name);
  pvm_vm_migrate_async (vm, source->name, destination, bandwidth,
                        check ? PVM_MIGRATION_CHECK_ONLY : PVM_MIGRATION_NONE, progress_cb, &run,
                        cancellable, query_done_cb, &result);
  wait_result (&result);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (run.interactive && run.printed)
    g_printerr ("\n");

  moved = pvm_vm_migrate_finish (vm, result, &migration, &error);
  if (error != NULL)
    {
      g_printerr ("pvm migrate: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }
  if (check && migration.copied > 0)
    {
      g_print ("%s can move from %s to %s, copying %u of its disks along (not on storage "
               "the hosts share)\n", pvm_vm_get_name (vm), source->name, destination->name,
               migration.copied);
      return 0;
    }
  if (check)
    {
      g_print ("%s can move from %s to %s\n", pvm_vm_get_name (vm), source->name,
               destination->name);
      return 0;
    }

  {
    g_autofree char *sent = pvm_size_format (migration.data_processed);

    g_print ("%s moved from %s to %s in %.1f s (paused %" G_GUINT64_FORMAT " ms, %s sent)\n",
             pvm_vm_get_name (moved), source->name, destination->name,
             migration.total_ms / 1000.0, migration.downtime_ms, sent);
    if (migration.copied > 0)
      g_print ("%u of its disks were copied along; their files on %s stay where they were, "
               "no longer used by the VM (delete them when you no longer want them)\n",
               migration.copied, source->name);
  }
  pvm_cli_print_vm (moved, 0);
  return 0;
}

/* ------------------------------------------------------------------ */
/* pvm save --to, pvm restore --on                                    */

/* A save into a bundle or a restore: its progress on stderr, and Ctrl+C. */
typedef struct
{
  GCancellable *cancellable;
  const char   *command;      /* "pvm save" */
  const char   *host;         /* where the VM goes, for a restore */
  gboolean      interactive;  /* stderr is a terminal: one line, updated */
  gboolean      printed;      /* that line is there, without its end */
  gint64        last_print;
  int           last_step;    /* -1 before the first */
  PvmBundleStep step;         /* the last told */
  guint64       processed;
  guint64       total;
  gboolean      pending;      /* told, not printed yet */
} BundleRun;

static void
bundle_run_init (BundleRun    *run,
                 GCancellable *cancellable,
                 const char   *command)
{
  run->cancellable = cancellable;
  run->command = command;
  run->interactive = isatty (STDERR_FILENO);
  run->last_step = -1;
}

/* Ends the terminal's progress line, if one is there. */
static void
bundle_run_end_line (BundleRun *run)
{
  if (run->interactive && run->printed)
    g_printerr ("\n");
  run->printed = FALSE;
}

static gboolean
cancel_interrupted_cb (gpointer user_data)
{
  BundleRun *run = user_data;

  bundle_run_end_line (run);
  g_printerr ("%s: cancelling...\n", run->command);
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

static char *
bundle_step_text (BundleRun     *run,
                  PvmBundleStep  step)
{
  switch (step)
    {
    case PVM_BUNDLE_STEP_STATE:
      return g_strdup ("saving its memory and device state");
    case PVM_BUNDLE_STEP_WRITE:
      return g_strdup ("writing the bundle");
    case PVM_BUNDLE_STEP_UNPACK:
      return g_strdup ("unpacking the bundle");
    case PVM_BUNDLE_STEP_COPY:
      return g_strdup_printf ("copying its disks and state to %s", run->host);
    case PVM_BUNDLE_STEP_CONTINUE:
    default:
      return g_strdup_printf ("continuing it on %s", run->host);
    }
}

static void
bundle_run_print (BundleRun *run)
{
  g_autofree char *text = bundle_step_text (run, run->step);
  g_autofree char *done = pvm_size_format (run->processed);
  g_autofree char *all = pvm_size_format (run->total);

  if (run->interactive)
    g_printerr ("\r\033[K");
  if (run->total > 0)
    g_printerr ("%s: %s: %3u%% (%s of %s)", run->command, text,
                (guint) MIN (100 * run->processed / run->total, 100), done, all);
  else if (run->processed > 0)
    g_printerr ("%s: %s: %s", run->command, text, done);
  else
    g_printerr ("%s: %s...", run->command, text);
  if (run->interactive)
    run->printed = TRUE;
  else
    g_printerr ("\n");
  run->pending = FALSE;
  run->last_print = g_get_monotonic_time ();
}

/* A line a step on a terminal, updated; in a log, a line at each step's
 * start and end, and one a second between. */
static void
bundle_progress_cb (PvmBundleStep step,
                    guint64       processed,
                    guint64       total,
                    gpointer      user_data)
{
  BundleRun *run = user_data;
  gboolean new_step = (int) step != run->last_step;

  if (!new_step && processed == run->processed && total == run->total)
    return;
  if (new_step)
    {
      /* The step before, as it ended. */
      if (run->pending)
        bundle_run_print (run);
      bundle_run_end_line (run);
    }
  run->last_step = step;
  run->step = step;
  run->processed = processed;
  run->total = total;
  if (!new_step && !run->interactive &&
      g_get_monotonic_time () - run->last_print < G_USEC_PER_SEC)
    run->pending = TRUE;
  else
    bundle_run_print (run);
}

/* Runs the main context until *@result is set; SIGINT and SIGTERM cancel. */
static void
wait_cancellable (GAsyncResult **result,
                  BundleRun     *run)
{
  guint sigint = g_unix_signal_add (SIGINT, cancel_interrupted_cb, run);
  guint sigterm = g_unix_signal_add (SIGTERM, cancel_interrupted_cb, run);

  wait_result (result);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (run->pending)
    bundle_run_print (run);
  bundle_run_end_line (run);
}

int
pvm_cli_save_bundle (int         argc,
                     char      **argv,
                     const char *usage)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(PvmVm) vm = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *to = NULL;
  const PvmHostEntry *host = NULL;
  BundleRun run = { 0 };
  int status = 0;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm save", usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return pvm_cli_usage_error ("pvm save", argc < 2 ? "which VM? --to saves one NAME"
                                                     : "--to saves one VM, not %d", argc - 1);
  if (to == NULL || *to == '\0')
    return pvm_cli_usage_error ("pvm save", "--to needs a FILE");

  config = pvm_cli_load_config (config_path, FALSE, &error);
  if (config == NULL)
    {
      g_printerr ("pvm save: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }
  hosts = pvm_hosts_from_config (config);
  vm = pvm_cli_find_vm_on_hosts (hosts, argv[1], &host, &error);
  if (vm == NULL)
    {
      g_printerr ("pvm save: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  g_printerr ("pvm save: saving %s into %s (Ctrl+C cancels)\n", pvm_vm_get_name (vm), to);
  bundle_run_init (&run, cancellable, "pvm save");
  pvm_vm_save_to_bundle_async (vm, to, bundle_progress_cb, &run, cancellable, query_done_cb,
                               &result);
  wait_cancellable (&result, &run);
  if (!pvm_vm_save_to_bundle_finish (vm, result, &error))
    {
      g_printerr ("pvm save: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }
  g_print ("%s saved into %s: it has left %s, with the disks it writes. Continue it with\n"
           "  pvm restore %s --on HOST\n", pvm_vm_get_name (vm), to, host->name, to);
  return 0;
}

static const char restore_usage[] =
  "Usage: pvm restore [--on HOST] [--config FILE] FILE\n"
  "\n"
  "Continue the VM saved in the bundle FILE (pvm save NAME --to FILE) on HOST\n"
  "(a name of pvm hosts; local by default), from exactly where it was saved.\n"
  "Its disks go back to their paths on HOST; HOST must have its base image and\n"
  "input at the same paths, and no file where its disks go. Nothing is left on\n"
  "HOST if the restore fails. FILE stays: delete it once the VM runs.\n"
  "\n"
  "  --on HOST      the host to continue on (default: local)\n"
  "  --config FILE  read FILE instead of pvm.conf (for LIBVIRT_URI and HOSTS)\n"
  "  -h, --help     show this help\n";

int
pvm_cli_restore (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(PvmVm) vm = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *on = NULL;
  const PvmHostEntry *host;
  BundleRun run = { 0 };
  int status = 0;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "on", 0, 0, G_OPTION_ARG_STRING, &on, NULL, NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!pvm_cli_parse_options (context, "pvm restore", restore_usage, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return pvm_cli_usage_error ("pvm restore", argc < 2 ? "which bundle? Give its FILE"
                                                        : "unexpected argument \"%s\"", argv[2]);

  config = pvm_cli_load_config (config_path, FALSE, &error);
  if (config == NULL)
    {
      g_printerr ("pvm restore: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }
  hosts = pvm_hosts_from_config (config);
  host = pvm_hosts_find (hosts, on != NULL ? on : PVM_HOSTS_LOCAL, &error);
  if (host == NULL)
    {
      g_printerr ("pvm restore: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }

  g_printerr ("pvm restore: restoring %s on %s (Ctrl+C cancels)\n", argv[1], host->name);
  bundle_run_init (&run, cancellable, "pvm restore");
  run.host = host->name;
  pvm_bundle_restore_async (argv[1], host, bundle_progress_cb, &run, cancellable, query_done_cb,
                            &result);
  wait_cancellable (&result, &run);
  vm = pvm_bundle_restore_finish (result, &error);
  if (vm == NULL)
    {
      g_printerr ("pvm restore: %s\n", error->message);
      return PVM_EXIT_FAILURE;
    }
  g_print ("%s continues on %s (%s can be deleted)\n", pvm_vm_get_name (vm), host->name,
           argv[1]);
  pvm_cli_print_vm (vm, 0);
  return 0;
}
