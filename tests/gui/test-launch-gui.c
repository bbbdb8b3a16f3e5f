/* SPDX-License-Identifier: BSD-3-Clause */
/* test-launch-gui.c: the real application launching real guests, through
 * the VM harness (its own libvirt session daemon) on a private Xvfb:
 *
 * - the Launch dialog, filled through its widgets (two VMs, each an
 *   overlay of the test guest, one SquashFS input made here whose job
 *   writes into $PVM_OUTPUT, two output folders, 256M), launches both;
 * - the panel opened from the Machines page shows the SSH command with
 *   the port the core assigned (as "pvm info NAME --json" has it) and an
 *   output button that opens the output folder;
 * - both jobs write their file and power off; the application reports
 *   each: a desktop notification (kept, there being no session bus) with
 *   the job's exit status and output folder, and a toast in the window;
 * - Start in a stopped VM's panel, and "pvm start" on the other, run the
 *   same VMs again with the same plans: the jobs run again;
 * - with OUTPUT_MODE=disk (set in the Preferences window) a VM launched
 *   from the dialog has its output disk collected by the app when it
 *   powers off, and the toast says what was copied; with the disk full
 *   (simulated) the toast says it was not and offers to try again, which
 *   collects it once there is room;
 * - a VM that "pvm delete" removes, and one that "pvm -d" launches, leave
 *   and join the Machines page by themselves (no reload, no spinner),
 *   the app reports the job of the one "pvm" launched, and the Images
 *   page says which VM uses its image, in which state, as it changes;
 * - a VM that QEMU paused because a disk write failed says so in its
 *   panel (its title and a warning with Resume) and on the Machines page;
 *   Resume there continues it and its job ends;
 * - a launch from the dialog takes SSH ports past those a stopped VM
 *   holds;
 * - Save to a File… in a running VM's panel puts it into a file it
 *   leaves libvirt for, and Restore a Saved VM… continues it, its guest
 *   running on; a file that exists and a second restore are refused;
 * - the session daemon killed, the Machines page says so, and lists its
 *   VMs again on a new connection once a daemon runs (Try Again); the
 *   page, a panel open meanwhile and the job reports follow a VM started
 *   then.
 *
 * With PVM_DEBUG_SCREENSHOTS=DIR it saves the panel (also with that
 * warning), the window with its toast and the preferences as PNG files
 * there. */

#define G_LOG_DOMAIN "test-launch-gui"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-application.h"
#include "pvm-bundle-dialog.h"
#include "pvm-core.h"
#include "pvm-gui-test.h"
#include "pvm-images-page.h"
#include "pvm-launch-dialog.h"
#include "pvm-machines-page.h"
#include "pvm-preferences-window.h"
#include "pvm-test-util.h"
#include "pvm-vm-window.h"
#include "pvm-window.h"

#define GUEST_TIMEOUT_SECONDS 180

/* The job of the input: what it read, into its output; a line a run. */
static const char job[] =
  "cat \"$PVM_INPUT/tag.txt\" >> \"$PVM_OUTPUT/result.txt\"\n";
static const char tag[] = "from the input\n";

typedef struct
{
  const char     *workdir;
  char           *images;
  char           *data;
  char           *outputs[3];
  PvmApplication *app;
  PvmWindow      *window;
  GHashTable     *reports;     /* VM name -> GPtrArray of PvmJobReport, in order */
} Env;

static Env env;

#define PVM(...) ((const char * const[]) { __VA_ARGS__, NULL })

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

static JsonObject *
vm_info (const char *name)
{
  g_autofree char *out = pvm_test_pvm_ok (PVM ("info", "--json", name));
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

/* Picks @item in the combo row titled @title of @group, as the popover does. */
static void
pick (GtkWidget  *group,
      const char *title,
      const char *item)
{
  AdwComboRow *row = ADW_COMBO_ROW (pvm_gui_test_find (group, ADW_TYPE_COMBO_ROW, title));
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), item))
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("no \"%s\" in the row \"%s\"", item, title);
}

/* Types @text into the entry row titled @title of @group. */
static void
type (GtkWidget  *group,
      const char *title,
      const char *text)
{
  GtkWidget *row = pvm_gui_test_find (group, ADW_TYPE_ENTRY_ROW, title);

  g_assert_nonnull (row);
  gtk_widget_grab_focus (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static gboolean
no_launch_dialog (gpointer data)
{
  PvmLaunchDialog *dialog = PVM_LAUNCH_DIALOG (pvm_gui_test_find_window (PVM_TYPE_LAUNCH_DIALOG));

  if (dialog != NULL && pvm_launch_dialog_get_problems (dialog) != NULL)
    g_error ("the launch failed: %s", pvm_launch_dialog_get_problems (dialog));
  return dialog == NULL;
}

/* Fills the Launch dialog's VM @index (1-based) as a user would. */
static void
fill_vm (GtkWidget  *dialog,
         guint       index,
         const char *image,
         const char *input,
         const char *output)
{
  g_autofree char *title = g_strdup_printf ("VM %u", index);
  GtkWidget *group = pvm_gui_test_find_group (dialog, title);

  g_assert_nonnull (group);
  pick (group, "Image", image);
  pick (group, "Input (read-only)", input);
  type (group, "Output folder", output);
  type (group, "Memory", "256M");
  type (group, "vCPUs", "1");
}

/* Opens the Launch dialog from the header bar's button, fills it (each
 * VM's input from @inputs, or the archive "jobdata" if NULL), presses
 * Launch and waits until it closed, the VMs running. */
static void
launch_with (const char * const *images,
             const char * const *inputs,
             const char * const *outputs)
{
  GtkWidget *dialog;

  g_signal_emit_by_name (pvm_gui_test_find_action_button (GTK_WIDGET (env.window), "win.launch"),
                         "clicked");
  dialog = GTK_WIDGET (pvm_gui_test_find_window (PVM_TYPE_LAUNCH_DIALOG));
  g_assert_nonnull (dialog);
  for (guint i = 0; images[i] != NULL; i++)
    {
      if (i > 0)
        pvm_gui_test_press (dialog, "_Add a VM");
      fill_vm (dialog, i + 1, images[i], inputs != NULL ? inputs[i] : "jobdata", outputs[i]);
    }
  pvm_gui_test_press (dialog, "_Launch");
  pvm_gui_test_wait_for_seconds (no_launch_dialog, NULL, 120, "launch (the dialog closes)");
}

static void
launch (const char * const *images,
        const char * const *outputs)
{
  launch_with (images, NULL, outputs);
}

static PvmListPage *
machines_page (void)
{
  return PVM_LIST_PAGE (pvm_gui_test_find (GTK_WIDGET (env.window), PVM_TYPE_MACHINES_PAGE,
                                           NULL));
}

/* The Machines page's item for @name, or NULL. */
static PvmVm *
page_vm (const char *name)
{
  GPtrArray *vms = pvm_list_page_get_items (machines_page ());

  for (guint i = 0; vms != NULL && i < vms->len; i++)
    if (g_str_equal (pvm_vm_get_name (vms->pdata[i]), name))
      return vms->pdata[i];
  return NULL;
}

typedef struct
{
  const char *name;
  PvmVmState  state;
} VmState;

/* The Machines page lists @name (loaded) in @state. */
static gboolean
page_shows (gpointer data)
{
  const VmState *want = data;
  PvmVm *vm;

  if (g_strcmp0 (pvm_list_page_get_shown (machines_page ()), "list") != 0)
    return FALSE;
  vm = page_vm (want->name);
  return vm != NULL && pvm_vm_get_state (vm) == want->state;
}

/* Opens @name's panel as a user does: activating its row of the Machines
 * page. */
static PvmVmWindow *
open_panel (const char *name)
{
  GtkWidget *row;
  PvmVmWindow *panel;

  pvm_gui_test_wait_for ((PvmGuiTestCondition) pvm_gui_test_is_loaded, machines_page (),
                         "the Machines page");
  row = pvm_gui_test_find (GTK_WIDGET (machines_page ()), ADW_TYPE_ACTION_ROW, name);
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_activate (row));
  panel = PVM_VM_WINDOW (pvm_gui_test_find_window (PVM_TYPE_VM_WINDOW));
  g_assert_nonnull (panel);
  g_assert_cmpstr (pvm_vm_get_name (pvm_vm_window_get_vm (panel)), ==, name);
  return panel;
}

static GtkWidget *
panel_row (PvmVmWindow *panel,
           const char  *title)
{
  GtkWidget *row = pvm_gui_test_find (GTK_WIDGET (panel), ADW_TYPE_ACTION_ROW, title);

  g_assert_nonnull (row);
  return row;
}

static void
report_cb (PvmJobMonitor      *monitor,
           const PvmJobReport *report,
           gpointer            user_data)
{
  GPtrArray *reports = g_hash_table_lookup (env.reports, report->name);

  if (reports == NULL)
    {
      reports = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_job_report_free);
      g_hash_table_insert (env.reports, g_strdup (report->name), reports);
    }
  g_ptr_array_add (reports, pvm_job_report_copy (report));
  g_test_message ("report: %s (%s)", report->summary, report->body);
}

static guint
n_reports (const char *name)
{
  GPtrArray *reports = g_hash_table_lookup (env.reports, name);

  return reports != NULL ? reports->len : 0;
}

static const PvmJobReport *
last_report (const char *name)
{
  GPtrArray *reports = g_hash_table_lookup (env.reports, name);

  g_assert_nonnull (reports);
  return g_ptr_array_index (reports, reports->len - 1);
}

typedef struct
{
  const char *name;
  guint       count;
} Count;

static gboolean
reported (gpointer data)
{
  const Count *count = data;

  return n_reports (count->name) >= count->count;
}

static void
wait_for_report (const char *name,
                 guint       count)
{
  Count wanted = { name, count };
  g_autofree char *what = g_strdup_printf ("report %u of %s", count, name);

  pvm_gui_test_wait_for_seconds (reported, &wanted, GUEST_TIMEOUT_SECONDS, what);
}

/* A job that ended by itself, as the notification and the toast tell it. */
static void
assert_job_finished (const char *name,
                     const char *output)
{
  const PvmJobReport *report = last_report (name);
  const PvmJobReport *notified = pvm_application_lookup_notification (env.app, name);
  g_autofree char *title = g_strdup_printf ("Job finished: %s", name);

  g_assert_cmpint (report->end, ==, PVM_JOB_END_JOB);
  g_assert_cmpint (report->job_exit, ==, 0);
  g_assert_cmpstr (report->output, ==, output);

  g_assert_nonnull (notified);
  g_assert_cmpstr (notified->title, ==, title);
  g_assert_nonnull (strstr (notified->body, "exit status 0"));
  g_assert_nonnull (strstr (notified->body, output));
}

static gboolean
toast_has (gpointer data)
{
  const char *toast = pvm_window_get_last_toast (env.window);

  return toast != NULL && strstr (toast, data) != NULL;
}

/* Scrolls @window's page to its end, for a screenshot of what is there. */
static void
scroll_to_end (GtkWidget *window)
{
  GtkWidget *scrolled = pvm_gui_test_find (window, GTK_TYPE_SCROLLED_WINDOW, NULL);
  GtkAdjustment *adjustment;

  g_assert_nonnull (scrolled);
  /* Laid out first: the page's height is known then. */
  for (int i = 0; i < 30; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                        gtk_adjustment_get_page_size (adjustment));
}

/* ------------------------------------------------------------------ */
/* Tests, in order: each builds on the one before                     */

static void
test_launch (void)
{
  const char *images[] = { "job1", "job2", NULL };
  const char *outputs[] = { env.outputs[0], env.outputs[1], NULL };
  VmState running[] = { { "job1", PVM_VM_STATE_RUNNING }, { "job2", PVM_VM_STATE_RUNNING } };

  launch (images, outputs);
  g_assert_cmpstr (pvm_window_get_visible_page (env.window), ==, "machines");
  /* Both listed, running (or already done: the guest is quick). */
  for (guint i = 0; i < G_N_ELEMENTS (running); i++)
    {
      VmState stopped = { running[i].name, PVM_VM_STATE_STOPPED };

      if (!page_shows (&stopped))
        pvm_gui_test_wait_for_seconds (page_shows, &running[i], 30, running[i].name);
    }
}

static void
test_panel (void)
{
  PvmVmWindow *panel = open_panel ("job1");
  g_autoptr(JsonObject) info = vm_info ("job1");
  const char *ssh = json_object_get_string_member (info, "ssh");
  g_autofree char *port = g_strdup_printf ("-p %" G_GINT64_FORMAT " ",
                                           json_object_get_int_member (info, "ssh_port"));
  GtkWidget *output_button = pvm_gui_test_find_action_button (GTK_WIDGET (panel),
                                                              "vm.open-output");

  /* The SSH command with the port the core assigned. */
  g_assert_nonnull (ssh);
  g_assert_nonnull (strstr (ssh, port));
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (panel_row (panel, "SSH"))), ==,
                   ssh);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (panel_row (panel, "Output"))), ==,
                   env.outputs[0]);

  /* The output folder exists (the launch made it): it can be opened. */
  g_assert_nonnull (output_button);
  g_assert_true (gtk_widget_is_sensitive (output_button));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (output_button), ==, "Open the Output Folder");
  pvm_gui_test_screenshot (GTK_WIDGET (panel), "panel");
  scroll_to_end (GTK_WIDGET (panel));
  pvm_gui_test_screenshot (GTK_WIDGET (panel), "panel-end");
  gtk_window_destroy (GTK_WINDOW (panel));
}

static void
test_jobs_finished (void)
{
  g_autofree char *result_1 = g_build_filename (env.outputs[0], "result.txt", NULL);
  g_autofree char *result_2 = g_build_filename (env.outputs[1], "result.txt", NULL);
  g_autofree char *text_1 = NULL;
  g_autofree char *text_2 = NULL;

  wait_for_report ("job1", 1);
  wait_for_report ("job2", 1);
  assert_job_finished ("job1", env.outputs[0]);
  assert_job_finished ("job2", env.outputs[1]);

  /* Both jobs wrote their file. */
  text_1 = read_text (result_1);
  text_2 = read_text (result_2);
  g_assert_cmpstr (text_1, ==, tag);
  g_assert_cmpstr (text_2, ==, tag);

  /* The window's toast: the last of the two. */
  g_assert_true (toast_has ((gpointer) "Job finished: job"));
  g_assert_true (toast_has ((gpointer) "exit status 0"));
  pvm_gui_test_screenshot (GTK_WIDGET (env.window), "window-toast");
}

static gboolean
vm_running (gpointer data)
{
  return pvm_vm_get_state (data) == PVM_VM_STATE_RUNNING;
}

/* Started again as they were: Start in the panel, pvm start for the other. */
static void
test_start_again (void)
{
  g_autofree char *result_1 = g_build_filename (env.outputs[0], "result.txt", NULL);
  g_autofree char *result_2 = g_build_filename (env.outputs[1], "result.txt", NULL);
  g_autofree char *expected = g_strconcat (tag, tag, NULL);
  g_autofree char *text_1 = NULL;
  g_autofree char *text_2 = NULL;
  g_autofree char *out = NULL;
  PvmVmWindow *panel = open_panel ("job1");
  PvmVm *vm = pvm_vm_window_get_vm (panel);
  GtkWidget *stop = pvm_gui_test_find_action_button (GTK_WIDGET (panel), "vm.stop");

  /* Off: Start in place of Stop, the output still there to open. */
  g_assert_cmpint (pvm_vm_get_state (vm), ==, PVM_VM_STATE_STOPPED);
  g_assert_false (gtk_widget_get_visible (stop));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.open-output"));
  scroll_to_end (GTK_WIDGET (panel));
  pvm_gui_test_screenshot (GTK_WIDGET (panel), "panel-stopped");
  pvm_gui_test_press (GTK_WIDGET (panel), "_Start");
  pvm_gui_test_wait_for_seconds (vm_running, vm, 60, "job1 running again");
  g_assert_true (gtk_widget_get_visible (stop));

  /* Its SSH port taken meanwhile: refused, saying so. */
  {
    g_autoptr(JsonObject) info = vm_info ("job2");
    g_autoptr(GSocketListener) listener = g_socket_listener_new ();
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;
    guint port = (guint) json_object_get_int_member (info, "ssh_port");
    g_autofree char *expected_port = g_strdup_printf ("its SSH port %u on 127.0.0.1 is in use",
                                                      port);

    address = g_inet_socket_address_new (loopback, (guint16) port);
    g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                  G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (pvm_test_run_pvm (PVM ("start", "job2"), NULL, &err), ==, 1);
    g_assert_nonnull (strstr (err, expected_port));
    g_socket_listener_close (listener);
  }

  out = pvm_test_pvm_ok (PVM ("start", "job2"));
  g_assert_cmpstr (out, ==, "job2: started\n");

  wait_for_report ("job1", 2);
  wait_for_report ("job2", 2);
  assert_job_finished ("job1", env.outputs[0]);
  assert_job_finished ("job2", env.outputs[1]);
  text_1 = read_text (result_1);
  text_2 = read_text (result_2);
  g_assert_cmpstr (text_1, ==, expected);
  g_assert_cmpstr (text_2, ==, expected);
  gtk_window_destroy (GTK_WINDOW (panel));
}

/* OUTPUT_MODE=disk, chosen in the preferences: the app collects. */
static void
test_output_disk (void)
{
  const char *images[] = { "job1", NULL };
  const char *outputs[] = { env.outputs[2], NULL };
  g_autofree char *result = g_build_filename (env.outputs[2], "result.txt", NULL);
  g_autofree char *disk = g_build_filename (env.outputs[2], ".pvm", "output.img", NULL);
  g_autofree char *text = NULL;
  PvmPreferencesWindow *preferences;
  const PvmJobReport *report;

  g_action_group_activate_action (G_ACTION_GROUP (env.app), "preferences", NULL);
  preferences = PVM_PREFERENCES_WINDOW (pvm_gui_test_find_window (PVM_TYPE_PREFERENCES_WINDOW));
  g_assert_nonnull (preferences);
  pick (GTK_WIDGET (preferences), "Output Type", "Disk image");
  while (pvm_preferences_window_is_saving (preferences))
    g_main_context_iteration (NULL, TRUE);
  pvm_gui_test_screenshot (GTK_WIDGET (preferences), "preferences-disk");
  gtk_window_destroy (GTK_WINDOW (preferences));

  launch (images, outputs);
  g_assert_true (g_file_test (disk, G_FILE_TEST_IS_REGULAR));
  wait_for_report ("job1", 3);
  report = last_report ("job1");
  g_assert_cmpint (report->end, ==, PVM_JOB_END_JOB);
  g_assert_null (report->collect_error);
  g_assert_true (report->collected);
  g_assert_cmpuint (report->n_copied, >=, 1);
  g_assert_nonnull (strstr (report->body, "Copied"));
  text = read_text (result);
  g_assert_cmpstr (text, ==, tag);
  g_assert_true (toast_has ((gpointer) "copied"));
  assert_job_finished ("job1", env.outputs[2]);
  pvm_gui_test_screenshot (GTK_WIDGET (env.window), "window-toast-collected");
}

static gboolean
offers_collect (gpointer data)
{
  return pvm_gui_test_can_press (GTK_WIDGET (env.window), "app.collect-output");
}

/* The host's disk full when the output disk is collected, simulated as
 * test-output-disk does: no file this process (the app) or its children
 * write may grow at all while the job runs (RLIMIT_FSIZE 0, SIGXFSZ
 * ignored), so debugfs's writes fail as on a full disk (EFBIG; a limit
 * inside its first write would make that a short write, whose error
 * debugfs does not name). The toast says the
 * output was not collected and offers to try again; nothing arrives. The
 * VM's panel offers Collect, which fails again and says so there. Once
 * there is room, Try Again collects it all, and the panel's Collect has
 * nothing left to do. After /launch-gui/output-disk: its VM, started
 * again. */
static void
test_output_disk_full (void)
{
  g_autofree char *result = g_build_filename (env.outputs[2], "result.txt", NULL);
  g_autofree char *expected = g_strconcat (tag, tag, NULL);
  g_autofree char *before = read_text (result);
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  const PvmJobReport *report;
  guint n = n_reports ("job1");
  PvmTestFileLimit limit;
  PvmVmWindow *panel;
  GtkWidget *collect;
  GtkWidget *again;

  g_assert_cmpstr (before, ==, tag);
  out = pvm_test_pvm_ok (PVM ("start", "job1"));
  g_assert_cmpstr (out, ==, "job1: started\n");

  pvm_test_limit_file_size (&limit, 0);
  wait_for_report ("job1", n + 1);
  pvm_test_unlimit_file_size (&limit);

  report = last_report ("job1");
  g_assert_cmpint (report->end, ==, PVM_JOB_END_JOB);
  g_assert_cmpint (report->job_exit, ==, 0);
  g_assert_false (report->collected);
  g_assert_nonnull (report->collect_error);
  g_assert_nonnull (strstr (report->collect_error, "Not enough space in"));
  g_assert_nonnull (strstr (report->body, report->collect_error));
  g_assert_true (report->collect_no_space);
  g_assert_true (toast_has ((gpointer) "not enough space to collect its output"));
  g_free (after);
  after = read_text (result);
  g_assert_cmpstr (after, ==, tag);
  pvm_gui_test_wait_for_seconds (offers_collect, NULL, 10, "the toast's Try Again");
  pvm_gui_test_screenshot (GTK_WIDGET (env.window), "window-toast-not-collected");

  /* The panel says it is an output disk and offers Collect, which fails
   * again while there is no room, and says so. */
  panel = open_panel ("job1");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (panel_row (panel,
                                                                                    "Output"))),
                            "an output disk, whose files are copied into this folder"));
  collect = pvm_gui_test_find_action_button (GTK_WIDGET (panel), "vm.collect");
  g_assert_nonnull (collect);
  g_assert_true (gtk_widget_get_visible (collect));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.collect"));
  pvm_test_limit_file_size (&limit, 0);
  g_signal_emit_by_name (collect, "clicked");
  wait_for_report ("job1", n + 2);
  pvm_test_unlimit_file_size (&limit);
  report = last_report ("job1");
  g_assert_cmpint (report->end, ==, PVM_JOB_END_UNSEEN);
  g_assert_true (report->collect_no_space);
  pvm_gui_test_wait_for_text (GTK_WIDGET (panel), "Output not collected: job1");
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (panel),
                                        "not enough space to collect its output"));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.collect"));
  g_free (after);
  after = read_text (result);
  g_assert_cmpstr (after, ==, tag);
  scroll_to_end (GTK_WIDGET (panel));
  pvm_gui_test_screenshot (GTK_WIDGET (panel), "panel-not-collected");

  /* Once there is room, the main window's Try Again: collected, and the
   * panel has nothing more to collect. */
  again = pvm_gui_test_find_action_button (GTK_WIDGET (env.window), "app.collect-output");
  g_signal_emit_by_name (again, "clicked");
  wait_for_report ("job1", n + 3);
  report = last_report ("job1");
  g_assert_cmpint (report->end, ==, PVM_JOB_END_UNSEEN);
  g_assert_null (report->collect_error);
  g_assert_true (report->collected);
  g_assert_true (toast_has ((gpointer) "Output collected: job1"));
  g_free (after);
  after = read_text (result);
  g_assert_cmpstr (after, ==, expected);
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.collect"));
  gtk_window_destroy (GTK_WINDOW (panel));
}

typedef struct
{
  const char *name;
  gboolean    listed;       /* wanted */
  gboolean    saw_spinner;  /* the page showed its spinner meanwhile */
} Listing;

/* The Machines page lists @listing's VM, or does not, as wanted. */
static gboolean
page_lists (gpointer data)
{
  Listing *listing = data;

  if (g_strcmp0 (pvm_list_page_get_shown (machines_page ()), "loading") == 0)
    listing->saw_spinner = TRUE;
  return (page_vm (listing->name) != NULL) == listing->listed;
}

/* Whether the Images page, loaded, has @text among its titles. */
static gboolean
images_page_shows (const char *text,
                   gboolean    shown)
{
  PvmListPage *page = PVM_LIST_PAGE (pvm_gui_test_find (GTK_WIDGET (env.window),
                                                        PVM_TYPE_IMAGES_PAGE, NULL));
  g_autofree char *titles = NULL;

  if (!pvm_gui_test_is_loaded (page))
    return FALSE;
  titles = pvm_gui_test_dup_titles (page);
  return (strstr (titles, text) != NULL) == shown;
}

static gboolean
images_page_has (gpointer data)
{
  return images_page_shows (data, TRUE);
}

static gboolean
images_page_lacks (gpointer data)
{
  return images_page_shows (data, FALSE);
}

/* VMs come and go on the Machines page as pvm defines and deletes them in
 * a terminal, with no reload asked; the Images page follows them. */
static void
test_follows_cli (void)
{
  g_autofree char *result = g_build_filename (env.outputs[1], "result.txt", NULL);
  g_autofree char *expected = g_strconcat (tag, tag, tag, NULL);
  g_autofree char *deleted = NULL;
  g_autofree char *launched = NULL;
  g_autofree char *text = NULL;
  Listing gone = { "job2", FALSE, FALSE };
  Listing back = { "job2", TRUE, FALSE };

  pvm_gui_test_wait_for ((PvmGuiTestCondition) pvm_gui_test_is_loaded, machines_page (),
                         "the Machines page");
  g_assert_false (page_lists (&gone));

  pvm_gui_test_wait_for_seconds (images_page_has, (gpointer) "Used by the VM job2 (stopped)", 30,
                                 "job2.qcow2 used by a stopped job2 on the Images page");
  deleted = pvm_test_pvm_ok (PVM ("delete", "job2"));
  pvm_gui_test_wait_for_seconds (page_lists, &gone, 30, "job2 gone from the Machines page");
  g_assert_false (gone.saw_spinner);
  g_assert_cmpstr (pvm_list_page_get_shown (machines_page ()), ==, "list");
  pvm_gui_test_wait_for_seconds (images_page_lacks, (gpointer) "Used by the VM job2", 30,
                                 "job2.qcow2 unused on the Images page");

  launched = pvm_test_pvm_ok (PVM ("-d", "job2", "-i", "jobdata", "-o", env.outputs[1],
                                   "--output-mode", "shared"));
  pvm_gui_test_wait_for_seconds (page_lists, &back, 30, "job2 back on the Machines page");
  g_assert_false (back.saw_spinner);
  pvm_gui_test_wait_for_seconds (images_page_has, (gpointer) "Used by the VM job2 (running)", 30,
                                 "job2.qcow2 used by a running job2 on the Images page");

  /* The app watches it as any VM it lists: its job's end is reported. */
  wait_for_report ("job2", 3);
  assert_job_finished ("job2", env.outputs[1]);
  text = read_text (result);
  g_assert_cmpstr (text, ==, expected);
  pvm_gui_test_wait_for_seconds (images_page_has, (gpointer) "Used by the VM job2 (stopped)", 30,
                                 "job2.qcow2 used by a stopped job2 on the Images page");
}

/* The panel's warning that QEMU paused the VM for a failed disk write is
 * shown (with the Machines page's row and the title saying so). */
static gboolean
io_error_shown (gpointer panel)
{
  GtkWidget *row = pvm_gui_test_find (panel, ADW_TYPE_ACTION_ROW, "Paused: a disk write failed");

  return row != NULL && gtk_widget_is_visible (row);
}

static gboolean
vm_stopped (gpointer vm)
{
  return pvm_vm_get_state (vm) == PVM_VM_STATE_STOPPED;
}

/* A VM that QEMU paused because a disk write failed (ENOSPC, a full disk
 * as QEMU sees it) says so in its panel, with Resume beside it; resumed,
 * the write is done again and the job ends. The disk: an extra one given
 * with -a whose first write fails once with ENOSPC
 * (pvm_test_make_failing_disk(), as in test-launch's
 * /launch/paused-io-error); the job finds it by its serial and writes to
 * it. */
static void
test_paused_io_error (void)
{
  g_autofree char *input = g_build_filename (env.workdir, "full-input", NULL);
  g_autofree char *job_path = g_build_filename (input, PVM_CONTRACT_JOB_FILE, NULL);
  g_autofree char *image = g_build_filename (env.workdir, "full.qcow2", NULL);
  g_autofree char *output = g_build_filename (env.workdir, "outputs", "full", NULL);
  g_autofree char *result = g_build_filename (output, "result.txt", NULL);
  g_autofree char *disk_dir = g_build_filename (env.workdir, "failing-disk", NULL);
  g_autofree char *extra = pvm_test_make_failing_disk (disk_dir);
  g_autofree char *text = NULL;
  const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                             pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_GUEST_QCOW2"),
                             image, NULL };
  const char *subtitle;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;
  GtkWidget *resume;
  PvmVmWindow *panel;
  PvmVm *vm;

  g_assert_cmpint (g_mkdir_with_parents (input, 0755), ==, 0);
  g_file_set_contents (job_path, pvm_test_failing_disk_job, -1, &error);
  g_assert_no_error (error);
  g_free (pvm_test_run_tool (NULL, qemu_img));
  g_free (pvm_test_pvm_ok (PVM ("-d", image, "-i", input, "-o", output, "--output-mode", "shared",
                                "-a", extra)));

  pvm_gui_test_wait_for_seconds (page_lists, &(Listing) { "full", TRUE, FALSE }, 30,
                                 "full on the Machines page");
  panel = open_panel ("full");
  vm = pvm_vm_window_get_vm (panel);
  pvm_gui_test_wait_for_seconds (io_error_shown, panel, GUEST_TIMEOUT_SECONDS,
                                 "the panel saying that a disk write failed");
  g_assert_true (pvm_vm_is_paused_by_io_error (vm));
  subtitle = adw_window_title_get_subtitle (
    ADW_WINDOW_TITLE (pvm_gui_test_find (GTK_WIDGET (panel), ADW_TYPE_WINDOW_TITLE, NULL)));
  g_assert_cmpstr (subtitle, ==, "paused: a disk write failed");
  row = pvm_gui_test_find (GTK_WIDGET (machines_page ()), ADW_TYPE_ACTION_ROW, "full");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "Paused: a disk write failed"));
  g_assert_false (g_file_test (result, G_FILE_TEST_EXISTS));
  pvm_gui_test_screenshot (GTK_WIDGET (panel), "panel-io-error");

  /* Resume beside the warning: QEMU writes again, the job ends. */
  resume = pvm_gui_test_find_action_button (pvm_gui_test_find (GTK_WIDGET (panel),
                                                               ADW_TYPE_ACTION_ROW,
                                                               "Paused: a disk write failed"),
                                            "vm.resume");
  g_assert_nonnull (resume);
  g_assert_true (gtk_widget_is_sensitive (resume));
  g_signal_emit_by_name (resume, "clicked");
  pvm_gui_test_wait_for_seconds (vm_stopped, vm, GUEST_TIMEOUT_SECONDS, "full powered off");
  g_assert_false (io_error_shown (panel));
  text = read_text (result);
  g_assert_cmpstr (text, ==, "dd 0\n");
  gtk_window_destroy (GTK_WINDOW (panel));
  g_free (pvm_test_pvm_ok (PVM ("delete", "full")));
}

/* A second launch from the dialog meets the SSH ports of the VMs there:
 * job1, stopped, keeps its port (it starts again with it), so job2, VM 1
 * of this launch, takes the next one; "pvm -d job2" gave it job1's port,
 * INIT_SSH_PORT for VM 1, as the original pVM did. */
static void
test_ports (void)
{
  const char *images[] = { "job2", NULL };
  const char *outputs[] = { env.outputs[1], NULL };
  g_autoptr(JsonObject) job1 = vm_info ("job1");
  g_autoptr(JsonObject) by_cli = vm_info ("job2");
  g_autoptr(JsonObject) by_app = NULL;
  gint64 port = json_object_get_int_member (job1, "ssh_port");

  g_assert_cmpstr (json_object_get_string_member (job1, "state"), ==, "stopped");
  g_assert_cmpint (json_object_get_int_member (by_cli, "ssh_port"), ==, port);
  launch (images, outputs);
  by_app = vm_info ("job2");
  g_assert_cmpint (json_object_get_int_member (by_app, "ssh_port"), ==, port + 1);
  wait_for_report ("job2", 4);
}

/* The guest of @vm said it is ready, and waits (it has no job). */
static gboolean
guest_ready (gpointer vm)
{
  g_autofree char *status = pvm_vm_dup_guest_status (vm, NULL);

  return status != NULL && (g_str_has_prefix (status, "ready") ||
                            g_str_has_prefix (status, "idle"));
}

static gboolean
bundle_dialog_done (gpointer dialog)
{
  return !pvm_bundle_dialog_is_busy (dialog);
}

static gboolean
bundle_dialog_ready (gpointer dialog)
{
  return pvm_bundle_dialog_is_ready (dialog);
}

/* Every text the bundle dialog's progress showed, in turn. */
static void
progress_text_cb (PvmBundleDialog *dialog,
                  GParamSpec      *pspec,
                  GPtrArray       *texts)
{
  const char *text = pvm_bundle_dialog_get_progress_text (dialog);

  if (text != NULL)
    g_ptr_array_add (texts, g_strdup (text));
}

/* The index of the first of @texts that starts with @prefix, after @from;
 * fails if there is none. */
static guint
find_text (GPtrArray  *texts,
           const char *prefix,
           guint       from)
{
  for (guint i = from; i < texts->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (texts, i), prefix))
      return i;
  for (guint i = 0; i < texts->len; i++)
    g_test_message ("progress %u: %s", i, (char *) g_ptr_array_index (texts, i));
  g_error ("no progress \"%s…\" after the %uth", prefix, from);
}

/* Whether the last text that starts with @prefix ("Step: A of B (N
 * seconds)") says all of it: A is B. */
static gboolean
last_text_complete (GPtrArray  *texts,
                    const char *prefix)
{
  for (guint i = texts->len; i > 0; i--)
    {
      const char *text = g_ptr_array_index (texts, i - 1);
      g_autofree char *counts = NULL;
      g_auto(GStrv) parts = NULL;

      if (!g_str_has_prefix (text, prefix))
        continue;
      counts = g_strndup (text + strlen (prefix), strcspn (text + strlen (prefix), "("));
      parts = g_strsplit (g_strstrip (counts), " of ", 2);
      g_test_message ("last \"%s\": %s", prefix, text);
      return g_strv_length (parts) == 2 && g_str_equal (parts[0], parts[1]) &&
             !g_str_equal (parts[1], "0 bytes");
    }
  return FALSE;
}

/* Restore a Saved VM… from the main menu, @bundle picked: the dialog once
 * the restore is done. @texts, if given, gets the progress shown. */
static PvmBundleDialog *
restore_from_menu (const char *bundle,
                   GPtrArray  *texts)
{
  PvmBundleDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (env.window), "win.restore", NULL));
  dialog = PVM_BUNDLE_DIALOG (pvm_gui_test_find_window (PVM_TYPE_BUNDLE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_false (pvm_bundle_dialog_is_ready (dialog));
  if (texts != NULL)
    g_signal_connect (dialog, "notify::progress-text", G_CALLBACK (progress_text_cb), texts);
  pvm_bundle_dialog_set_file (dialog, bundle);
  pvm_gui_test_wait_for (bundle_dialog_ready, dialog, "the restore dialog reads the hosts");
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Restore");
  pvm_gui_test_wait_for_seconds (bundle_dialog_done, dialog, 120, "the restore");
  return dialog;
}

static gboolean
no_panel (gpointer data)
{
  return pvm_gui_test_find_window (PVM_TYPE_VM_WINDOW) == NULL;
}

/* Whether @model, or a section of it, has an item for @action. */
static gboolean
menu_has_action (GMenuModel *model,
                 const char *action)
{
  for (int i = 0; model != NULL && i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autofree char *name = NULL;

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        return TRUE;
      if (menu_has_action (section, action))
        return TRUE;
    }
  return FALSE;
}

/* Save to a File… in a running VM's panel: the VM goes into the file and
 * leaves libvirt, its panel closes; a file that exists is refused and
 * kept. Restore a Saved VM… in the main menu continues it from there (it
 * then powers off cleanly when asked: its guest runs on); restoring it
 * again, while it runs, is refused with the core's reason. */
static void
test_bundle (void)
{
  const char *images[] = { "job2", NULL };
  const char *inputs[] = { "None", NULL };
  const char *outputs[] = { env.outputs[1], NULL };
  g_autofree char *bundle = g_build_filename (env.workdir, "job2 “saved”.pvmsave", NULL);
  g_autofree char *taken = g_build_filename (env.workdir, "taken.pvmsave", NULL);
  g_autofree char *partial = g_strconcat (bundle, ".partial", NULL);
  g_autofree char *taken_text = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr(JsonObject) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  Listing gone = { "job2", FALSE, FALSE };
  gint64 started;
  VmState running = { "job2", PVM_VM_STATE_RUNNING };
  PvmBundleDialog *dialog;
  PvmVmWindow *panel;
  GtkWidget *save_button;

  /* No input, an output disk (the preferences' Output Type): a VM that
   * can be saved, whose guest waits. */
  launch_with (images, inputs, outputs);
  panel = open_panel ("job2");
  pvm_gui_test_wait_for_seconds (guest_ready, pvm_vm_window_get_vm (panel),
                                 GUEST_TIMEOUT_SECONDS, "job2's guest ready");

  /* The menu of the Save button has the item; GTK activates an action
   * only while it is enabled, so the dialog shows only if it is. */
  save_button = pvm_gui_test_find (GTK_WIDGET (panel), ADW_TYPE_SPLIT_BUTTON, NULL);
  g_assert_nonnull (save_button);
  g_assert_true (menu_has_action (adw_split_button_get_menu_model (ADW_SPLIT_BUTTON (save_button)),
                                  "vm.save-to-file"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "vm.save-to-file", NULL));
  dialog = PVM_BUNDLE_DIALOG (pvm_gui_test_find_window (PVM_TYPE_BUNDLE_DIALOG));
  g_assert_nonnull (dialog);
  /* A name of its own in the home folder, free. */
  g_assert_null (pvm_bundle_dialog_get_problem (dialog));
  g_assert_true (pvm_bundle_dialog_is_ready (dialog));

  g_file_set_contents (taken, "someone's file\n", -1, &error);
  g_assert_no_error (error);
  pvm_bundle_dialog_set_file (dialog, taken);
  g_assert_nonnull (strstr (pvm_bundle_dialog_get_problem (dialog), "exists"));
  g_assert_false (pvm_bundle_dialog_is_ready (dialog));

  pvm_bundle_dialog_set_file (dialog, bundle);
  g_assert_null (pvm_bundle_dialog_get_problem (dialog));
  pvm_gui_test_screenshot (GTK_WIDGET (dialog), "save-to-file");

  /* Cancelled at once: the VM runs on, no file (nor a partial one). */
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Save");
  g_assert_true (pvm_bundle_dialog_is_busy (dialog));
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Cancel");
  pvm_gui_test_wait_for_seconds (bundle_dialog_done, dialog, 120, "the cancelled save");
  g_assert_cmpstr (pvm_bundle_dialog_get_result (dialog), ==, "Cancelled: job2 keeps running here");
  g_assert_cmpstr (pvm_bundle_dialog_get_problem (dialog), ==,
                   "Cancelled: job2 keeps running here");
  g_assert_false (g_file_test (bundle, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  info = vm_info ("job2");
  g_assert_cmpstr (json_object_get_string_member (info, "state"), ==, "running");
  g_clear_pointer (&info, json_object_unref);
  g_assert_true (pvm_bundle_dialog_is_ready (dialog));

  /* The save shows its steps in turn, how far each is, and the end of
   * writing the file. */
  started = g_get_monotonic_time ();
  g_signal_connect (dialog, "notify::progress-text", G_CALLBACK (progress_text_cb), texts);
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Save");
  g_assert_true (pvm_bundle_dialog_is_busy (dialog));
  pvm_gui_test_wait_for_seconds (bundle_dialog_done, dialog, 120, "the save");
  g_test_message ("save, %.1f s: %s", (g_get_monotonic_time () - started) / 1e6,
                  pvm_bundle_dialog_get_result (dialog));
  find_text (texts, "Writing the file: ", find_text (texts, "Saving its memory", 0));
  g_assert_true (last_text_complete (texts, "Writing the file: "));
  g_ptr_array_set_size (texts, 0);
  g_assert_nonnull (strstr (pvm_bundle_dialog_get_result (dialog), "has left this host"));
  g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_REGULAR));
  g_file_get_contents (taken, &taken_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (taken_text, ==, "someone's file\n");
  pvm_gui_test_wait_for (no_panel, NULL, "job2's panel closes");
  pvm_gui_test_wait_for (page_lists, &gone, "job2 leaves the Machines page");
  g_assert_cmpint (pvm_test_run_pvm (PVM ("info", "job2"), NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "There is no VM named \"job2\""));
  pvm_gui_test_screenshot (GTK_WIDGET (dialog), "saved-to-file");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Restored from the main menu. */
  started = g_get_monotonic_time ();
  dialog = restore_from_menu (bundle, texts);
  g_test_message ("restore, %.1f s: %s", (g_get_monotonic_time () - started) / 1e6,
                  pvm_bundle_dialog_get_result (dialog));
  g_assert_nonnull (strstr (pvm_bundle_dialog_get_result (dialog), "runs from where it was"));
  /* Its steps in turn; every byte of the disks and the state copied. */
  find_text (texts, "Continuing it on local",
             find_text (texts, "Copying its disks to local: ",
                        find_text (texts, "Unpacking the file: ", 0)));
  g_assert_true (last_text_complete (texts, "Copying its disks to local: "));
  pvm_gui_test_wait_for (page_shows, &running, "job2 running on the Machines page");
  info = vm_info ("job2");
  g_assert_cmpstr (json_object_get_string_member (info, "state"), ==, "running");
  pvm_gui_test_screenshot (GTK_WIDGET (dialog), "restored");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Again, while it runs: refused, the running VM left alone. */
  dialog = restore_from_menu (bundle, NULL);
  g_test_message ("again: %s", pvm_bundle_dialog_get_problem (dialog));
  g_assert_nonnull (strstr (pvm_bundle_dialog_get_problem (dialog), "already has a VM named job2"));
  g_assert_true (pvm_bundle_dialog_is_ready (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* Its guest runs on: the power button powers it off cleanly. */
  out = pvm_test_pvm_ok (PVM ("stop", "job2"));
  g_assert_cmpstr (out, ==, "job2: powered off\n");
}

/* The Machines page lists job1 again, found on another connection than
 * @data. */
static gboolean
page_reconnected (gpointer data)
{
  PvmVm *vm = page_vm ("job1");

  return g_strcmp0 (pvm_list_page_get_shown (machines_page ()), "list") == 0 && vm != NULL &&
         pvm_vm_get_connection (vm) != data;
}

static gboolean
page_shows_error (gpointer data)
{
  return g_strcmp0 (pvm_list_page_get_shown (machines_page ()), "error") == 0;
}

static gboolean
panel_runs (gpointer panel)
{
  return pvm_vm_get_state (pvm_vm_window_get_vm (panel)) == PVM_VM_STATE_RUNNING;
}

/* The session daemon goes away (an upgrade restarts it, or it is killed)
 * while the app runs: the Machines page says so by itself, rather than
 * go on showing the states its VMs had; once a daemon runs again, Try
 * Again lists them on a new connection, and they are followed as before,
 * in the page, in a panel that was open, by the job reports and on the
 * Images page. (The
 * harness's clients start no daemon of their own: on a desktop, libvirt
 * starts one as the page connects again.) */
static void
test_daemon_restart (void)
{
  g_autofree char *pid_file = g_build_filename (g_get_user_runtime_dir (), "libvirt",
                                                "libvirtd.pid", NULL);
  g_autofree char *socket = g_build_filename (g_get_user_runtime_dir (), "libvirt",
                                              "libvirt-sock", NULL);
  g_autofree char *pid_text = NULL;
  g_autofree char *started = NULL;
  g_autoptr(GVirConnection) before = NULL;
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GError) error = NULL;
  VmState running = { "job1", PVM_VM_STATE_RUNNING };
  VmState stopped = { "job1", PVM_VM_STATE_STOPPED };
  GPtrArray *reports = g_hash_table_lookup (env.reports, "job1");
  guint n_reports = reports->len;
  PvmVmWindow *panel;
  guint64 pid;

  pvm_gui_test_wait_for_seconds (page_shows, &stopped, 30, "job1 stopped on the Machines page");
  /* Held, so that no new connection takes its address. */
  before = g_object_ref (pvm_vm_get_connection (page_vm ("job1")));
  panel = open_panel ("job1");
  g_assert_true (pvm_vm_is_connected (pvm_vm_window_get_vm (panel)));

  g_file_get_contents (pid_file, &pid_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_ascii_string_to_unsigned (g_strstrip (pid_text), 10, 2, G_MAXINT, &pid, NULL));
  g_assert_cmpint (kill ((pid_t) pid, SIGTERM), ==, 0);
  pvm_gui_test_wait_for_seconds (page_shows_error, NULL, 30,
                                 "the Machines page saying libvirt went away");

  /* Another daemon, as the harness starts one (it stops it too). */
  while (kill ((pid_t) pid, 0) == 0 || g_file_test (socket, G_FILE_TEST_EXISTS))
    pvm_gui_test_run_for (100);
  daemon = g_subprocess_newv (PVM ("libvirtd", "--timeout", "0"),
                              G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  while (!g_file_test (socket, G_FILE_TEST_EXISTS))
    pvm_gui_test_run_for (100);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (machines_page ()), "list.reload", NULL));
  pvm_gui_test_wait_for_seconds (page_reconnected, before, 30,
                                 "job1 listed again on a new connection");
  g_assert_true (pvm_vm_window_get_vm (panel) == page_vm ("job1"));
  g_assert_true (pvm_vm_is_connected (pvm_vm_window_get_vm (panel)));

  started = pvm_test_pvm_ok (PVM ("start", "job1"));
  pvm_gui_test_wait_for_seconds (page_shows, &running, 30, "job1 running on the Machines page");
  pvm_gui_test_wait_for_seconds (panel_runs, panel, 30, "job1 running in its panel");
  /* The Images page, which asks libvirt on a connection of its own. */
  pvm_gui_test_wait_for_seconds (images_page_has, (gpointer) "Used by the VM job1 (running)", 30,
                                 "job1.qcow2 used by a running job1 on the Images page");
  wait_for_report ("job1", n_reports + 1);
  pvm_gui_test_wait_for_seconds (page_shows, &stopped, 30, "job1 stopped again, its job done");
  gtk_window_destroy (GTK_WINDOW (panel));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *input = NULL;
  g_autofree char *job_path = NULL;
  g_autofree char *tag_path = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config_text = NULL;
  g_autofree char *schemas = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  /* The settings schema staged with the test; no session bus, so the
   * application runs as a plain local instance and keeps its
   * notifications. */
  schemas = g_path_get_dirname (pvm_test_require_env ("PVM_TEST_FILE_GSCHEMAS_COMPILED"));
  g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pvm-test-bus", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_test_init (&argc, &argv, NULL);

  env.workdir = pvm_test_require_env ("PVM_TEST_WORKDIR");
  env.reports = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  env.images = g_build_filename (env.workdir, "images", NULL);
  env.data = g_build_filename (env.workdir, "data", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (env.outputs); i++)
    {
      g_autofree char *name = g_strdup_printf ("output %u", i + 1);

      /* Not made: the launch makes them. */
      env.outputs[i] = g_build_filename (env.workdir, "outputs", name, NULL);
    }
  g_assert_cmpint (g_mkdir_with_parents (env.images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (env.data, 0755), ==, 0);

  /* Two images, overlays of the test guest. */
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *file = g_strdup_printf ("job%u.qcow2", i);
      g_autofree char *image = g_build_filename (env.images, file, NULL);
      const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                                 pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_GUEST_QCOW2"),
                                 image, NULL };

      g_free (pvm_test_run_tool (NULL, qemu_img));
    }

  /* The input: a job and what it reads, as a SquashFS archive. */
  input = g_build_filename (env.workdir, "input", NULL);
  job_path = g_build_filename (input, PVM_CONTRACT_JOB_FILE, NULL);
  tag_path = g_build_filename (input, "tag.txt", NULL);
  g_assert_cmpint (g_mkdir_with_parents (input, 0755), ==, 0);
  g_file_set_contents (job_path, job, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (tag_path, tag, -1, &error);
  g_assert_no_error (error);
  archive = g_build_filename (env.data, "jobdata.sqsh", NULL);
  {
    const char *mksquashfs[] = { "mksquashfs", input, archive, "-all-root", "-no-progress",
                                 "-quiet", NULL };

    g_free (pvm_test_run_tool (NULL, mksquashfs));
  }

  /* pVM's configuration where the app and pvm read it. */
  config_dir = g_build_filename (g_get_user_config_dir (), "pvm", NULL);
  config_path = g_build_filename (config_dir, "pvm.conf", NULL);
  config_text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\nLIBVIRT_URI=qemu:///session\n"
                                 "MEM=256M\nCORES=1\nINIT_SSH_PORT=%u\n", env.images, env.data,
                                 22000 + (guint) (getpid () % 20000));
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_file_set_contents (config_path, config_text, -1, &error);
  g_assert_no_error (error);

  /* The application, as a user starts it. */
  env.app = pvm_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (env.app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (env.app));
  env.window = PVM_WINDOW (pvm_gui_test_find_window (PVM_TYPE_WINDOW));
  g_assert_nonnull (env.window);
  g_signal_connect (pvm_application_get_job_monitor (env.app), "report", G_CALLBACK (report_cb),
                    NULL);

  g_test_add_func ("/launch-gui/launch", test_launch);
  g_test_add_func ("/launch-gui/panel", test_panel);
  g_test_add_func ("/launch-gui/jobs-finished", test_jobs_finished);
  g_test_add_func ("/launch-gui/start-again", test_start_again);
  g_test_add_func ("/launch-gui/output-disk", test_output_disk);
  g_test_add_func ("/launch-gui/output-disk-full", test_output_disk_full);
  g_test_add_func ("/launch-gui/follows-cli", test_follows_cli);
  g_test_add_func ("/launch-gui/paused-io-error", test_paused_io_error);
  g_test_add_func ("/launch-gui/ports", test_ports);
  g_test_add_func ("/launch-gui/bundle", test_bundle);
  g_test_add_func ("/launch-gui/daemon-restart", test_daemon_restart);
  status = g_test_run ();

  g_signal_handlers_disconnect_by_func (pvm_application_get_job_monitor (env.app), report_cb,
                                        NULL);
  g_action_group_activate_action (G_ACTION_GROUP (env.app), "quit", NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&env.app);
  g_hash_table_unref (env.reports);
  for (guint i = 0; i < G_N_ELEMENTS (env.outputs); i++)
    g_free (env.outputs[i]);
  g_free (env.images);
  g_free (env.data);
  return status;
}
