/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-console-move-check: the app's console of a VM follows the VM to
 * another host. Opens the console of NAME as the app's panel does (the
 * shared PvmConsole of pvm_console_for_vm() in the view of
 * pvm_console_status_new(), in a window: it connects when shown), waits
 * for the guest's display, moves the VM to HOST as the Move To… dialog
 * does (pvm_vm_migrate_async()), hands the console over as the panel does
 * (pvm_console_follow_move()) and waits until the same console shows the
 * display of the VM on HOST. Prints "NAME: console followed from A to B
 * (WIDTHxHEIGHT)". Meanwhile the app's Machines page, over CONFIG's
 * hosts, listed NAME on A: it lists it on B without a reload or its
 * spinner, and prints "NAME: the Machines page followed it to B". Exits
 * 0, or says why not and exits 1. First, NAME on A being of another
 * machine, its Save to a File… dialog must refuse before a file is
 * picked: prints "NAME: Save to a File… says: " and the dialog's text.
 *
 *   pvm-console-move-check CONFIG NAME HOST
 *
 * tests/hosts/test-hosts runs it on a private Xvfb (pvm-xvfb-run). */

#include "config.h"

#include <adwaita.h>

#include <glib/gstdio.h>

#include "pvm-bundle-dialog.h"
#include "pvm-console-window.h"
#include "pvm-core.h"
#include "pvm-machines-page.h"
#include "pvm-migration.h"

#define TIMEOUT_S 60

typedef enum
{
  PHASE_BEFORE,    /* waiting for the display on the source */
  PHASE_MOVING,    /* the migration runs */
  PHASE_AFTER,     /* waiting for the display on the destination */
  PHASE_DONE,
} Phase;

typedef struct
{
  GMainLoop          *loop;
  Phase               phase;
  PvmVm              *vm;
  PvmVm              *moved;
  PvmConsole         *console;
  const char         *source;
  const PvmHostEntry *destination;
  char               *failure;
  PvmListPage        *page;
  gboolean            page_spinner;   /* the page showed its spinner after its first load */
} Check;

static void
fail (Check      *check,
      const char *message)
{
  if (check->failure == NULL)
    check->failure = g_strdup (message);
  g_main_loop_quit (check->loop);
}

static void
migrated_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Check *check = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmConsole) again = NULL;

  check->moved = pvm_vm_migrate_finish (PVM_VM (object), result, NULL, &error);
  if (check->moved == NULL)
    {
      fail (check, error->message);
      return;
    }
  check->phase = PHASE_AFTER;
  pvm_console_follow_move (NULL, check->vm, check->moved);

  /* The panel, shown again for the moved VM, finds the same session. */
  again = pvm_console_for_vm (check->moved);
  if (again != check->console)
    fail (check, "the moved VM got a console of its own, not the one that was open");
}

/* On every change of the console: connected, with the guest's display? */
static void
console_changed (PvmConsole *console,
                 Check      *check)
{
  int width = 0, height = 0, stride = 0;

  if (pvm_console_get_primary (console, &width, &height, &stride) == NULL || width <= 0 ||
      pvm_console_get_state (console) != PVM_CONSOLE_STATE_CONNECTED)
    return;

  if (check->phase == PHASE_BEFORE)
    {
      check->phase = PHASE_MOVING;
      pvm_vm_migrate_async (check->vm, check->source, check->destination, 0,
                            PVM_MIGRATION_NONE, NULL, NULL, NULL, migrated_cb, check);
    }
  else if (check->phase == PHASE_AFTER)
    {
      check->phase = PHASE_DONE;
      g_print ("%s: console followed from %s to %s (%dx%d)\n", pvm_vm_get_name (check->moved),
               check->source, check->destination->name, width, height);
      g_main_loop_quit (check->loop);
    }
}

static void
primary_changed_cb (PvmConsole *console,
                    Check      *check)
{
  console_changed (console, check);
}

static void
state_changed_cb (PvmConsole *console,
                  GParamSpec *pspec,
                  Check      *check)
{
  console_changed (console, check);
}

/* Where the Machines page lists @name: the URI of its host, or NULL. */
static const char *
page_lists_on (PvmListPage *page,
               const char  *name)
{
  GPtrArray *vms = pvm_list_page_get_items (page);

  for (guint i = 0; vms != NULL && i < vms->len; i++)
    if (g_str_equal (pvm_vm_get_name (vms->pdata[i]), name))
      return pvm_vm_get_uri (vms->pdata[i]);
  return NULL;
}

static gboolean
page_loaded (Check *check)
{
  return g_strcmp0 (pvm_list_page_get_shown (check->page), "loading") != 0;
}

/* The page lists the moved VM on the destination, having reloaded by
 * itself. */
static gboolean
page_followed (Check *check)
{
  if (!page_loaded (check))
    {
      check->page_spinner = TRUE;
      return FALSE;
    }
  return g_strcmp0 (page_lists_on (check->page, pvm_vm_get_name (check->vm)),
                    check->destination->uri) == 0;
}

/* Runs the main loop until @until or TIMEOUT_S; FALSE on a timeout. */
static gboolean
wait_until (Check    *check,
            gboolean (*until) (Check *check))
{
  gint64 end = g_get_monotonic_time () + TIMEOUT_S * G_USEC_PER_SEC;

  while (!until (check) && g_get_monotonic_time () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  return until (check);
}

/* A configuration directory of this run's own: removed, with its
 * pvm/pvm.conf, on every way out. */
typedef char ConfigHome;

static void
config_home_remove (ConfigHome *directory)
{
  g_autofree char *pvm_dir = g_build_filename (directory, "pvm", NULL);
  g_autofree char *file = g_build_filename (pvm_dir, "pvm.conf", NULL);

  g_unlink (file);
  g_rmdir (pvm_dir);
  g_rmdir (directory);
  g_free (directory);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ConfigHome, config_home_remove)

/* The app's pages read the default configuration: CONFIG becomes it, in
 * a configuration directory of this run's own. */
static ConfigHome *
make_default_config (const char  *config,
                     GError     **error)
{
  g_autoptr(ConfigHome) directory = g_dir_make_tmp ("pvm-move-check-XXXXXX", error);
  g_autofree char *pvm_dir = NULL;
  g_autofree char *target = NULL;
  g_autofree char *text = NULL;

  if (directory == NULL)
    return NULL;
  pvm_dir = g_build_filename (directory, "pvm", NULL);
  target = g_build_filename (pvm_dir, "pvm.conf", NULL);
  if (g_mkdir (pvm_dir, 0700) != 0 || !g_file_get_contents (config, &text, NULL, error) ||
      !g_file_set_contents (target, text, -1, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "cannot make %s", pvm_dir);
      return NULL;
    }
  return g_steal_pointer (&directory);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Check *check = user_data;
  static const char * const waits[] = {
    "still no display on the source",
    "the migration still runs",
    "still no display from the destination",
    "",
  };
  g_autofree char *message = NULL;

  message = g_strdup_printf ("after %d s, %s (the console is %s: %s)", TIMEOUT_S,
                             waits[check->phase],
                             g_enum_to_string (PVM_TYPE_CONSOLE_STATE,
                                               pvm_console_get_state (check->console)),
                             pvm_console_get_message (check->console) != NULL
                               ? pvm_console_get_message (check->console) : "no message");
  fail (check, message);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(ConfigHome) config_home = NULL;
  GtkWidget *window;
  GtkWidget *page_window;
  Check check = { 0 };
  int status;

  if (argc != 4)
    {
      g_printerr ("usage: pvm-console-move-check CONFIG NAME HOST\n");
      return 2;
    }
  /* Before GLib reads the user's directories. */
  config_home = make_default_config (argv[1], &error);
  if (config_home == NULL)
    {
      g_printerr ("pvm-console-move-check: %s\n", error->message);
      return 1;
    }
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  adw_init ();
  gvir_init_object (NULL, NULL);
  gvir_event_register ();
  loop = g_main_loop_new (NULL, FALSE);
  check.loop = loop;

  if (!pvm_config_load_file (config, argv[1], NULL, &error))
    {
      g_printerr ("pvm-console-move-check: %s\n", error->message);
      return 1;
    }
  hosts = pvm_hosts_from_config (config);
  check.destination = pvm_hosts_find (hosts, argv[3], &error);
  if (check.destination == NULL)
    {
      g_printerr ("pvm-console-move-check: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < hosts->len && check.vm == NULL; i++)
    {
      const PvmHostEntry *host = g_ptr_array_index (hosts, i);
      g_autoptr(GVirConnection) connection = pvm_vm_open_connection (host->uri, NULL, NULL);

      if (connection != NULL && (check.vm = pvm_vm_find (connection, argv[2], NULL)) != NULL)
        check.source = host->name;
    }
  if (check.vm == NULL)
    {
      g_printerr ("pvm-console-move-check: no VM %s on any host\n", argv[2]);
      return 1;
    }

  /* Save to a File… writes a bundle on this machine only: for a VM of
   * another host the dialog says so, and how to go on, before a file is
   * picked, with Save disabled. */
  if (!pvm_hosts_uri_is_local (pvm_vm_get_uri (check.vm)))
    {
      PvmBundleDialog *dialog = pvm_bundle_dialog_new_save (check.vm);
      const char *problem = pvm_bundle_dialog_get_problem (dialog);

      if (problem == NULL || strstr (problem, "Move To") == NULL ||
          pvm_bundle_dialog_is_ready (dialog))
        {
          g_printerr ("pvm-console-move-check: %s: Save to a File… on %s: %s, Save %s\n",
                      argv[2], check.source, problem != NULL ? problem : "no problem shown",
                      pvm_bundle_dialog_is_ready (dialog) ? "enabled" : "disabled");
          return 1;
        }
      g_print ("%s: Save to a File… says: %s\n", argv[2], problem);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }

  /* The Machines page, as the app's window has it, lists the VM where it
   * is before it moves. */
  check.page = g_object_ref_sink (g_object_new (PVM_TYPE_MACHINES_PAGE, NULL));
  page_window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (page_window), GTK_WIDGET (check.page));
  gtk_window_present (GTK_WINDOW (page_window));
  if (!wait_until (&check, page_loaded) ||
      page_lists_on (check.page, argv[2]) == NULL ||
      g_str_equal (page_lists_on (check.page, argv[2]), check.destination->uri))
    {
      g_printerr ("pvm-console-move-check: the Machines page (%s) does not list %s on %s\n",
                  pvm_list_page_get_shown (check.page), argv[2], check.source);
      return 1;
    }

  check.console = pvm_console_for_vm (check.vm);
  g_signal_connect (check.console, "primary-changed", G_CALLBACK (primary_changed_cb), &check);
  g_signal_connect (check.console, "notify::state", G_CALLBACK (state_changed_cb), &check);
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  gtk_window_set_child (GTK_WINDOW (window), pvm_console_status_new (check.console, check.vm));
  gtk_window_present (GTK_WINDOW (window));
  /* As the app: the view's status connects when shown; asked for, the
   * session comes back after the VM moves. */
  if (!pvm_console_open (check.console, &error))
    fail (&check, error->message);
  else
    {
      g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &check);
      g_main_loop_run (loop);
    }

  status = check.failure == NULL && check.phase == PHASE_DONE ? 0 : 1;
  if (status != 0)
    g_printerr ("pvm-console-move-check: %s: %s\n", argv[2],
                check.failure != NULL ? check.failure : "stopped early");
  else if (wait_until (&check, page_followed) && !check.page_spinner)
    g_print ("%s: the Machines page followed it to %s\n", argv[2], check.destination->name);
  else
    {
      g_printerr ("pvm-console-move-check: %s: the Machines page %s (it lists it on %s)\n",
                  argv[2], check.page_spinner ? "showed its spinner" : "did not follow it",
                  page_lists_on (check.page, argv[2]));
      status = 1;
    }
  gtk_window_destroy (GTK_WINDOW (page_window));
  g_clear_object (&check.page);
  gtk_window_destroy (GTK_WINDOW (window));
  pvm_console_disconnect (check.console);
  g_clear_object (&check.console);
  g_clear_object (&check.moved);
  g_clear_object (&check.vm);
  g_free (check.failure);
  return status;
}
