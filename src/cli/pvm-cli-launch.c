/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli-launch.c: "pvm [-d LIST] [-i LIST] ...", the original pVM's
 * command line: resolve the plan, check it, and (later) launch it. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <stdio.h>

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
  "           [--config FILE] [--dry-run] [--json] [--wait] [--verbose]\n"
  "       pvm COMMAND [OPTION...]\n"
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
  "  --install        boot INSTALL_MEDIA to install an OS, with install_scripts shared\n"
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
  "  image            list, create, snapshot, delete and flatten the VM images\n"
  "  list, stop, save, squash\n"
  "                   VMs and archives (not in this version yet)\n"
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
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, NULL, NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, NULL, NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, NULL, NULL },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, NULL, NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, NULL, NULL },
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

  cwd = g_get_current_dir ();
  plan = pvm_plan_new_from_config (config, cwd);
  pvm_plan_check (plan, config);

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
    {
      g_printerr ("pvm: the launch is valid, but launching VMs is not in this version yet: "
                  "--dry-run shows the plan\n");
      status = PVM_EXIT_FAILURE;
    }

out:
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    g_free (lists[i]);
  return status;
}
