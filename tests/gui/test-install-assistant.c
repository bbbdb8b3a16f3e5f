/* SPDX-License-Identifier: BSD-3-Clause */
/* test-install-assistant.c: the New VM assistant (src/app/pvm-install-
 * assistant.c) driven through its own widgets, against the real test
 * installer ISO (tests/guest/pvm-build-installer) under the VM harness
 * (a libvirt session daemon of its own), on a private Xvfb:
 *
 * - entry point: the main window's win.new-vm (its menu's "New VM from an
 *   ISO…") opens the assistant, modal, over the window;
 * - iso: a missing file is refused with its reason; the test installer is
 *   read and not recognized (its volume ID is PVM_INSTALLER), and its
 *   proposals fill page 2;
 * - settings: a bad name is refused as it is typed, Install stays off;
 * - install: Install creates the image and boots the ISO; page 3 embeds
 *   the VM's console and says what to do with the install share; the
 *   installer writes the test guest onto the disk and powers off, and the
 *   assistant moves to page 4 by itself;
 * - base: two snapshot rows, NAME-1 and NAME-2; Add and Remove; a name
 *   given twice is refused; Create makes the base and its snapshots;
 * - stop: another installation, stopped from page 3 with "Stop and
 *   Discard": no image and no VM are left;
 * - launch: Launch Them opens the launch dialog with both snapshots; with
 *   an input archive holding a job, both VMs boot the installed system,
 *   run the job (exit 0) and power off.
 *
 * With PVM_DEBUG_SCREENSHOTS=DIR in the environment, each page is
 * captured there (ImageMagick's import) for a person to look at.
 *
 * Run through meson: tests/harness/pvm-harness stages this program, pvm
 * and the installer ISO, and tests/gui/pvm-xvfb-run gives it a display. */

#define G_LOG_DOMAIN "test-install-assistant"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <adwaita.h>

#include "pvm-core.h"
#include "pvm-gui-test.h"
#include "pvm-console-window.h"
#include "pvm-install-assistant.h"
#include "pvm-launch-dialog.h"
#include "pvm-spice-view.h"
#include "pvm-test-util.h"
#include "pvm-window.h"

#define GUEST_TIMEOUT_SECONDS 240

typedef struct
{
  const char          *workdir;
  const char          *iso;
  char                *images;
  char                *data;
  char                *config;
  const char          *shots;
  guint                shot;
  PvmInstallAssistant *assistant;
} Env;

static Env env;

#define PVM(...) ((const char * const[]) { __VA_ARGS__, NULL })

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @condition holds, at most @seconds. The loop
 * blocks between sources, as the app's does: a loop that polls without
 * blocking would never run idle sources while a spinner animates (spice-glib
 * starts its channels from one). */
static void
wait_for (PvmGuiTestCondition  condition,
          gpointer             data,
          int                  seconds,
          const char          *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (50, wake_cb, NULL);

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("no %s after %d s", what, seconds);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  wait_for (time_passed, &end, ms / 1000 + 5, "time to pass");
}

static void
process_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The screen as it is now, as DIR/NN-@name.png, when asked for. */
static void
screenshot (const char *name)
{
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  if (env.shots == NULL)
    return;
  settle (800);
  file = g_strdup_printf ("%02u-%s.png", ++env.shot, name);
  path = g_build_filename (env.shots, file, NULL);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "import", "-window", "root",
                              path, NULL);
  g_assert_no_error (error);
  /* The main loop runs meanwhile: X answers, GTK keeps drawing. */
  g_subprocess_wait_async (process, NULL, process_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_successful (process));
  g_chmod (path, 0644);
}

static GtkWidget *
assistant_widget (void)
{
  return GTK_WIDGET (env.assistant);
}

static gboolean
not_busy (gpointer data)
{
  return !pvm_install_assistant_is_busy (PVM_INSTALL_ASSISTANT (data));
}

static gboolean
on_page (gpointer data)
{
  return g_strcmp0 (pvm_install_assistant_get_page (env.assistant), data) == 0;
}

static gboolean
installing (gpointer data)
{
  PvmInstallation *installation = pvm_install_assistant_get_installation (env.assistant);

  return installation != NULL &&
         pvm_installation_get_step (installation) == PVM_INSTALLATION_STEP_INSTALLING;
}

static gboolean
has_console_view (gpointer data)
{
  return pvm_gui_test_find (assistant_widget (), PVM_TYPE_SPICE_VIEW, NULL) != NULL ||
         on_page ((gpointer) "base");
}

static gboolean
console_shows_or_done (gpointer data)
{
  int width, height, stride;

  return on_page ((gpointer) "base") ||
         (pvm_console_get_state (PVM_CONSOLE (data)) == PVM_CONSOLE_STATE_CONNECTED &&
          pvm_console_get_primary (PVM_CONSOLE (data), &width, &height, &stride) != NULL);
}

static void
set_row (const char *title,
         const char *text)
{
  GtkWidget *row = pvm_gui_test_find (assistant_widget (), ADW_TYPE_ENTRY_ROW, title);

  if (row == NULL)
    g_error ("no row \"%s\" on the page", title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static const char *
row_text (const char *title)
{
  GtkWidget *row = pvm_gui_test_find (assistant_widget (), ADW_TYPE_ENTRY_ROW, title);

  g_assert_nonnull (row);
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* The snapshot rows of page 4, in order. */
static GPtrArray *
snapshot_rows (void)
{
  GPtrArray *rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  GtkWidget *page = gtk_stack_get_visible_child (
    GTK_STACK (pvm_gui_test_find (assistant_widget (), GTK_TYPE_STACK, NULL)));

  g_ptr_array_add (stack, page);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);
      g_autoptr(GPtrArray) children = g_ptr_array_new ();

      if (ADW_IS_ENTRY_ROW (w) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), "Snapshot") == 0)
        g_ptr_array_add (rows, w);
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL;
           c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (children, c);
      for (guint i = children->len; i > 0; i--)
        g_ptr_array_add (stack, children->pdata[i - 1]);
    }
  return rows;
}

/* The button under @widget that shows the icon @icon_name. */
static GtkWidget *
find_icon_button (GtkWidget  *widget,
                  const char *icon_name)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), icon_name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_icon_button (child, icon_name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Reads @path as the file chooser would give it. */
static void
choose_iso (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  /* What the file chooser's response gives. */
  pvm_install_assistant_set_iso (env.assistant, file);
  wait_for (not_busy, env.assistant, 30, "the ISO read");
}

static void
open_assistant (void)
{
  env.assistant = pvm_install_assistant_new ();
  g_object_add_weak_pointer (G_OBJECT (env.assistant), (gpointer *) &env.assistant);
  gtk_window_present (GTK_WINDOW (env.assistant));
  settle (200);
}

static gboolean
assistant_gone (gpointer data)
{
  return env.assistant == NULL;
}

/* spice-glib warns when a channel's connection closes in its handshake:
 * the guest powering off while the console connects, which the installer
 * does whenever it is done. That warning is noted and not fatal; every
 * other stays fatal. */
static gboolean
is_spice_handshake_warning (const char *log_domain,
                            const char *message)
{
  return g_strcmp0 (log_domain, "GSpice") == 0 &&
         g_str_has_prefix (message, "incomplete link header");
}

static gboolean
fatal_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return !is_spice_handshake_warning (log_domain, message);
}

static void
spice_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  if (is_spice_handshake_warning (log_domain, message))
    g_test_message ("ignored: %s-WARNING: %s", log_domain, message);
  else
    g_log_default_handler (log_domain, log_level, message, user_data);
}

/* At the start of each test: GLib resets the fatal handler for each. */
static void
begin_test (void)
{
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
}

/* ------------------------------------------------------------------ */

/* The main window's menu item opens the assistant. */
static void
test_entry_point (void)
{
  GtkWindow *window;
  GtkWindow *assistant;

  begin_test ();
  window = GTK_WINDOW (pvm_window_new (NULL, NULL));
  gtk_window_present (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-vm", NULL));
  settle (200);
  assistant = pvm_gui_test_find_window (PVM_TYPE_INSTALL_ASSISTANT);
  g_assert_nonnull (assistant);
  g_assert_true (gtk_window_get_transient_for (assistant) == window);
  g_assert_true (gtk_window_get_modal (assistant));
  gtk_window_destroy (assistant);
  gtk_window_destroy (window);
  settle (200);
}

static void
test_iso (void)
{
  g_autofree char *missing = g_build_filename (env.workdir, "missing.iso", NULL);
  PvmMedia *media;

  begin_test ();
  open_assistant ();
  g_assert_cmpstr (pvm_install_assistant_get_page (env.assistant), ==, "iso");
  g_assert_false (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));
  screenshot ("iso-empty");

  choose_iso (missing);
  g_assert_null (pvm_install_assistant_get_media (env.assistant));
  g_assert_nonnull (strstr (pvm_install_assistant_get_error (env.assistant), "does not exist"));
  g_assert_false (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));

  choose_iso (env.iso);
  media = pvm_install_assistant_get_media (env.assistant);
  g_assert_nonnull (media);
  g_assert_false (media->recognized);
  g_assert_cmpstr (media->volume_id, ==, "PVM_INSTALLER");
  g_assert_null (pvm_install_assistant_get_error (env.assistant));
  g_assert_true (pvm_gui_test_has_text (assistant_widget (), "Not recognized (volume “PVM_INSTALLER”)"));
  g_assert_true (pvm_gui_test_has_text (assistant_widget (), "2 GiB of memory"));
  g_assert_true (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));
  screenshot ("iso-identified");
  pvm_gui_test_press (assistant_widget (), "_Next");
}

static void
test_settings (void)
{

  begin_test ();
  g_assert_cmpstr (pvm_install_assistant_get_page (env.assistant), ==, "settings");
  /* The proposals: pVM's defaults, for an ISO that is not recognized. */
  g_assert_cmpstr (row_text ("Name"), ==, "new-vm");
  g_assert_cmpstr (row_text ("Disk Size"), ==, "20G");
  g_assert_cmpstr (row_text ("Memory"), ==, "2G");
  g_assert_true (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));

  /* The core's checks, as the user types. */
  set_row ("Name", "-fresh");
  g_assert_nonnull (strstr (pvm_install_assistant_get_error (env.assistant), "starts with \"-\""));
  g_assert_false (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));
  set_row ("Name", "fresh");
  set_row ("Disk Size", "64Q");
  g_assert_nonnull (strstr (pvm_install_assistant_get_error (env.assistant), "Disk size"));
  g_assert_false (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));
  set_row ("Disk Size", "64M");
  set_row ("Memory", "256M");
  set_row ("vCPUs", "0");
  g_assert_nonnull (strstr (pvm_install_assistant_get_error (env.assistant), "vCPUs"));
  set_row ("vCPUs", "1");
  g_assert_null (pvm_install_assistant_get_error (env.assistant));
  g_assert_true (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));
  screenshot ("settings");
  pvm_gui_test_press (assistant_widget (), "_Install");
}

static void
test_install (void)
{
  PvmInstallation *installation;
  g_autofree char *serial = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  GtkWidget *view;

  begin_test ();
  g_assert_cmpstr (pvm_install_assistant_get_page (env.assistant), ==, "installing");
  wait_for (installing, NULL, 120, "VM running the installer");
  installation = pvm_install_assistant_get_installation (env.assistant);
  serial = g_strdup (pvm_vm_get_serial_log (pvm_installation_get_vm (installation)));

  /* The console, embedded (in a moment: QEMU's SPICE server does not
   * answer at once); what to do in the guest, below it. */
  wait_for (has_console_view, NULL, 30, "the console's view");
  view = pvm_gui_test_find (assistant_widget (), PVM_TYPE_SPICE_VIEW, NULL);
  g_assert_true (gtk_widget_get_mapped (view));
  g_assert_true (pvm_gui_test_has_text (assistant_widget (),
                                        "mount -t 9p -o trans=virtio,version=9p2000.L,ro install "
                                        "/mnt/install"));
  g_assert_true (pvm_gui_test_has_text (assistant_widget (), "generic/pvm-guest-setup"));
  g_assert_true (pvm_gui_test_can_press (assistant_widget (), "assistant.stop"));
  screenshot ("installing");

  /* The installer's screen, once the console has it (the installer may
   * be done before: it takes seconds). */
  {
    g_autoptr(PvmConsole) console = pvm_console_for_vm (pvm_installation_get_vm (installation));

    wait_for (console_shows_or_done, console, 60, "the console connected, or page 4");
    if (on_page ((gpointer) "base"))
      g_test_message ("the installer was done before the console connected");
    else
      {
        g_assert_cmpint (pvm_console_get_state (console), ==, PVM_CONSOLE_STATE_CONNECTED);
        screenshot ("installing-console");
      }
  }

  /* The installer writes the disk and powers off: page 4 by itself. */
  wait_for (on_page, (gpointer) "base", GUEST_TIMEOUT_SECONDS, "page 4 after the power-off");
  g_file_get_contents (serial, &text, NULL, NULL);
  if (text == NULL || strstr (text, "pvm-installer: installed /dev/vda") == NULL)
    g_error ("the installer did not install the disk:\n%s", text != NULL ? text : "(no log)");
  g_assert_cmpint (pvm_installation_get_step (installation), ==, PVM_INSTALLATION_STEP_INSTALLED);

  rows = snapshot_rows ();
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (gtk_editable_get_text (rows->pdata[0]), ==, "fresh-1");
  g_assert_cmpstr (gtk_editable_get_text (rows->pdata[1]), ==, "fresh-2");
  g_assert_true (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));
  screenshot ("base");
}

static void
test_base (void)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(PvmImageRepo) repo = pvm_image_repo_new (env.images);
  g_autoptr(PvmImage) base = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GVirDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *remove;

  begin_test ();
  /* Add a third, then remove it again with its own button. */
  pvm_gui_test_press (assistant_widget (), "_Add");
  rows = snapshot_rows ();
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (gtk_editable_get_text (rows->pdata[2]), ==, "fresh-3");
  remove = find_icon_button (rows->pdata[2], "user-trash-symbolic");
  g_assert_nonnull (remove);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (remove), ==, "Remove");
  g_signal_emit_by_name (remove, "clicked");
  after = snapshot_rows ();
  g_assert_cmpuint (after->len, ==, 2);

  /* A name given twice. */
  gtk_editable_set_text (after->pdata[1], "fresh-1");
  g_assert_nonnull (strstr (pvm_install_assistant_get_error (env.assistant), "given twice"));
  g_assert_false (pvm_gui_test_can_press (assistant_widget (), "assistant.next"));
  gtk_editable_set_text (after->pdata[1], "fresh-2");
  g_assert_null (pvm_install_assistant_get_error (env.assistant));

  pvm_gui_test_press (assistant_widget (), "C_reate");
  wait_for (on_page, (gpointer) "done", 60, "page 5");
  g_assert_true (pvm_gui_test_has_text (assistant_widget (), "pvm -d fresh-1,fresh-2"));
  screenshot ("done");

  base = pvm_image_repo_info (repo, "fresh", &error);
  g_assert_no_error (error);
  g_assert_true (base->is_protected);
  g_assert_true (base->read_only);
  g_assert_cmpstrv (base->overlays, PVM ("fresh-1", "fresh-2"));
  g_assert_cmpuint (base->disk_usage, >, 4 * PVM_SIZE_MIB);

  /* The install VM is gone: the base never boots again. */
  connection = gvir_connection_new ("qemu:///session");
  gvir_connection_open (connection, NULL, &error);
  g_assert_no_error (error);
  gvir_connection_fetch_domains (connection, NULL, &error);
  g_assert_no_error (error);
  domain = gvir_connection_find_domain_by_name (connection, "pvm-fresh");
  g_assert_null (domain);
}

static void
test_launch (void)
{
  PvmLaunchDialog *dialog;
  g_autofree char *out1 = g_build_filename (env.workdir, "out-1", NULL);
  g_autofree char *out2 = g_build_filename (env.workdir, "out-2", NULL);
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  const char * const names[] = { "fresh-1", "fresh-2" };
  const char * const outs[] = { out1, out2 };

  begin_test ();
  pvm_gui_test_press (assistant_widget (), "_Launch Them…");
  wait_for (assistant_gone, NULL, 10, "the assistant closed");
  dialog = PVM_LAUNCH_DIALOG (pvm_gui_test_find_window (PVM_TYPE_LAUNCH_DIALOG));
  g_assert_nonnull (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  /* One VM per snapshot, with the install VM's resources. */
  {
    g_autofree char *titles = pvm_gui_test_dup_titles (dialog);

    g_test_message ("launch dialog: %s", titles);
  }
  g_assert_true (pvm_gui_test_find (GTK_WIDGET (dialog), ADW_TYPE_PREFERENCES_GROUP, NULL) != NULL);
  for (guint i = 0; i < 2; i++)
    pvm_launch_dialog_set_vm (dialog, i, names[i], "job", outs[i], NULL, NULL);
  screenshot ("launch-dialog");
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Launch");
  {
    gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

    guint wake = g_timeout_add (50, wake_cb, NULL);

    while (dialog != NULL)
      {
        if (g_get_monotonic_time () > deadline)
          g_error ("the launch dialog did not launch: %s",
                   pvm_launch_dialog_get_problems (dialog));
        g_main_context_iteration (NULL, TRUE);
      }
    g_source_remove (wake);
  }

  /* Both boot the installed system, run the job and power off. */
  connection = gvir_connection_new ("qemu:///session");
  gvir_connection_open (connection, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PvmVm) vm = pvm_vm_find (connection, names[i], &error);
      g_autofree char *result_path = g_build_filename (outs[i], "result", NULL);
      g_autofree char *result = NULL;
      g_autofree char *status = NULL;
      gint64 deadline = g_get_monotonic_time () + GUEST_TIMEOUT_SECONDS * G_USEC_PER_SEC;
      int job_exit = -1;
      guint wake = g_timeout_add (50, wake_cb, NULL);

      g_assert_no_error (error);

      while (pvm_vm_is_active (vm))
        {
          if (g_get_monotonic_time () > deadline)
            g_error ("%s still runs after %d s", names[i], GUEST_TIMEOUT_SECONDS);
          g_main_context_iteration (NULL, TRUE);
        }
      g_source_remove (wake);
      status = pvm_vm_dup_guest_status (vm, &job_exit);
      g_test_message ("%s: %s", names[i], status);
      g_assert_cmpint (job_exit, ==, 0);
      g_file_get_contents (result_path, &result, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (result, ==, "the installed system ran the job\n");
    }
}

static void
test_stop (void)
{
  g_autofree char *image = g_build_filename (env.images, "gone.qcow2", NULL);
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(GVirDomain) domain = NULL;
  g_autoptr(GError) error = NULL;
  PvmInstallation *installation;

  begin_test ();
  open_assistant ();
  choose_iso (env.iso);
  pvm_gui_test_press (assistant_widget (), "_Next");
  set_row ("Name", "gone");
  set_row ("Disk Size", "64M");
  set_row ("Memory", "256M");
  set_row ("vCPUs", "1");
  pvm_gui_test_press (assistant_widget (), "_Install");
  wait_for (installing, NULL, 120, "VM running the installer");
  g_assert_true (g_file_test (image, G_FILE_TEST_IS_REGULAR));

  /* Closing asks what to do with it (and Keep Installing keeps it). */
  gtk_window_close (GTK_WINDOW (env.assistant));
  settle (300);
  g_assert_nonnull (env.assistant);
  g_assert_nonnull (pvm_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  screenshot ("stop-dialog");
  pvm_install_assistant_stop (env.assistant, "continue");
  g_assert_null (pvm_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_true (installing (NULL));

  /* Stop and Discard: back to page 2, nothing left. */
  pvm_install_assistant_stop (env.assistant, "discard");
  wait_for (on_page, (gpointer) "settings", 60, "page 2 after the stop");
  g_assert_nonnull (strstr (pvm_install_assistant_get_error (env.assistant), "was stopped"));
  installation = pvm_install_assistant_get_installation (env.assistant);
  g_assert_cmpint (pvm_installation_get_step (installation), ==, PVM_INSTALLATION_STEP_STOPPED);
  g_assert_false (g_file_test (image, G_FILE_TEST_EXISTS));
  connection = gvir_connection_new ("qemu:///session");
  gvir_connection_open (connection, NULL, &error);
  g_assert_no_error (error);
  gvir_connection_fetch_domains (connection, NULL, &error);
  g_assert_no_error (error);
  domain = gvir_connection_find_domain_by_name (connection, "pvm-gone");
  g_assert_null (domain);
  screenshot ("stopped");

  gtk_window_destroy (GTK_WINDOW (env.assistant));
  wait_for (assistant_gone, NULL, 10, "the assistant closed");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *scripts = NULL;
  g_autofree char *readme = NULL;
  g_autofree char *job_dir = NULL;
  g_autofree char *job = NULL;
  g_autofree char *config_dir = NULL;
  g_autofree char *config_text = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* The staged gschemas.compiled, for the main window's state; before GTK
   * reads any schema. */
  if (g_getenv ("PVM_TEST_FILES") != NULL)
    g_setenv ("GSETTINGS_SCHEMA_DIR", g_getenv ("PVM_TEST_FILES"), TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  gvir_init_object (NULL, NULL);
  gvir_event_register ();
  g_log_set_handler ("GSpice", G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                     spice_log_cb, NULL);
  /* libvirt-glib logs every change of its event loop, domain-less. */
  g_log_set_handler (NULL, G_LOG_LEVEL_DEBUG, pvm_test_drop_log_cb, NULL);

  env.workdir = pvm_test_require_env ("PVM_TEST_WORKDIR");

  env.iso = pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_INSTALLER_ISO");
  env.shots = g_getenv ("PVM_DEBUG_SCREENSHOTS");
  env.images = g_build_filename (env.workdir, "images", NULL);
  env.data = g_build_filename (env.workdir, "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (env.images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (env.data, 0755), ==, 0);

  /* Install scripts of the test's own: the test installer needs none. */
  scripts = g_build_filename (env.workdir, "install_scripts", NULL);
  readme = g_build_filename (scripts, "README.md", NULL);
  g_assert_cmpint (g_mkdir_with_parents (scripts, 0755), ==, 0);
  g_file_set_contents (readme, "# test install scripts\n", -1, &error);
  g_assert_no_error (error);
  g_setenv (PVM_INSTALL_SCRIPTS_ENV, scripts, TRUE);

  /* The user's configuration, as the assistant and the launch dialog
   * read it. */
  env.config = pvm_config_dup_default_path ();
  config_dir = g_path_get_dirname (env.config);
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0755), ==, 0);
  config_text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\nMEM=256M\nCORES=1\n"
                                 "INIT_SSH_PORT=%u\n", env.images, env.data,
                                 22000 + (guint) (getpid () % 20000));
  g_file_set_contents (env.config, config_text, -1, &error);
  g_assert_no_error (error);

  /* The job the snapshots run: an input archive holding it. */
  job_dir = g_build_filename (env.workdir, "job", NULL);
  job = g_build_filename (job_dir, PVM_CONTRACT_JOB_FILE, NULL);
  g_assert_cmpint (g_mkdir_with_parents (job_dir, 0755), ==, 0);
  g_file_set_contents (job, "#!/bin/sh\necho the installed system ran the job > "
                       "\"$PVM_OUTPUT/result\"\n", -1, &error);
  g_assert_no_error (error);
  g_free (pvm_test_pvm_ok (PVM ("squash", "create", "--config", env.config, job_dir, "job")));

  g_test_add_func ("/install-assistant/entry-point", test_entry_point);
  g_test_add_func ("/install-assistant/iso", test_iso);
  g_test_add_func ("/install-assistant/settings", test_settings);
  g_test_add_func ("/install-assistant/install", test_install);
  g_test_add_func ("/install-assistant/base", test_base);
  g_test_add_func ("/install-assistant/launch", test_launch);
  g_test_add_func ("/install-assistant/stop", test_stop);
  status = g_test_run ();

  g_free (env.images);
  g_free (env.data);
  g_free (env.config);
  return status;
}
