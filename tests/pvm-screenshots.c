/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-screenshots.c: renders every page and dialog of the real application
 * to PNG, with real content, for tools/screenshots.
 *
 *   PVM_SCREENSHOTS_DIR=DIR pvm-screenshots
 *
 * Run by tools/screenshots through the VM harness (a private libvirt
 * session daemon) on a private Xvfb. It makes an image repository (a base
 * built from the test guest, two overlays of it and a blank disk), a data
 * repository with two archives, launches two VMs on the overlays from the
 * Launch dialog, and saves each page and dialog as DIR/NAME.png, drawn by
 * the widget itself (no window manager: the window is the picture).
 *
 * Not a test: it checks only what it needs to go on, and fails loudly
 * when the app does not get there.
 */

#define G_LOG_DOMAIN "pvm-screenshots"

#include "config.h"

#include <adwaita.h>
#include <unistd.h>

#include "gui/pvm-gui-test.h"
#include "pvm-application.h"
#include "pvm-bundle-dialog.h"
#include "pvm-contract.h"
#include "pvm-archive-create-dialog.h"
#include "pvm-data-page.h"
#include "pvm-image-create-dialog.h"
#include "pvm-image-snapshot-dialog.h"
#include "pvm-images-page.h"
#include "pvm-install-assistant.h"
#include "pvm-launch-dialog.h"
#include "pvm-machines-page.h"
#include "pvm-preferences-window.h"
#include "pvm-test-util.h"
#include "pvm-vm-window.h"
#include "pvm-welcome-dialog.h"
#include "pvm-window.h"

static PvmApplication *app;
static PvmWindow *window;

static void
run (const char * const *argv)
{
  g_free (pvm_test_run_tool (NULL, argv));
}

/* Lets the main loop run for @ms milliseconds. */
static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10000);
    }
}

static void
shoot (gpointer    widget,
       const char *name)
{
  settle (500);
  pvm_gui_test_screenshot (GTK_WIDGET (widget), name);
  g_print ("pvm-screenshots: %s.png\n", name);
}

static gboolean
page_loaded (gpointer page)
{
  return pvm_gui_test_is_loaded (page);
}

static GtkWidget *
page (GType type)
{
  return pvm_gui_test_find (GTK_WIDGET (window), type, NULL);
}

static void
show_page (const char *name,
           GType       type)
{
  pvm_window_set_visible_page (window, name);
  pvm_list_page_reload (PVM_LIST_PAGE (page (type)));
  pvm_gui_test_wait_for (page_loaded, page (type), name);
}

static void
close_window (gpointer dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  settle (200);
}

/* Picks @item in the combo row titled @title of @group. */
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

static void
type (GtkWidget  *group,
      const char *title,
      const char *text)
{
  GtkWidget *row = pvm_gui_test_find (group, ADW_TYPE_ENTRY_ROW, title);

  g_assert_nonnull (row);
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

/* The Launch dialog with two VMs: shot, then launched for real. */
static void
launch_two (const char *workdir)
{
  const char *images[] = { "web-frontend", "db-backend" };
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.launch", NULL);
  dialog = GTK_WIDGET (pvm_gui_test_find_window (PVM_TYPE_LAUNCH_DIALOG));
  g_assert_nonnull (dialog);
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      g_autofree char *title = g_strdup_printf ("VM %u", i + 1);
      g_autofree char *output = g_strdup_printf ("%s/results/%s", workdir, images[i]);
      GtkWidget *group;

      if (i > 0)
        pvm_gui_test_press (dialog, "_Add a VM");
      group = pvm_gui_test_find_group (dialog, title);
      g_assert_nonnull (group);
      pick (group, "Image", images[i]);
      pick (group, "Input (read-only)", "survey-2024");
      type (group, "Output folder", output);
      type (group, "Memory", "256M");
      type (group, "vCPUs", "1");
    }
  gtk_window_set_default_size (GTK_WINDOW (dialog), 600, 760);
  /* A VM added scrolls to it: back to the top, the Output Type row. */
  pvm_gui_test_run_for (300);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (
    GTK_SCROLLED_WINDOW (pvm_gui_test_find (dialog, GTK_TYPE_SCROLLED_WINDOW, NULL))), 0);
  shoot (dialog, "launch-dialog");
  pvm_gui_test_press (dialog, "_Launch");
  pvm_gui_test_wait_for_seconds (no_launch_dialog, NULL, 180, "the launch");
}

static gboolean
both_running (gpointer data)
{
  PvmListPage *machines = PVM_LIST_PAGE (page (PVM_TYPE_MACHINES_PAGE));
  GPtrArray *vms = pvm_list_page_get_items (machines);
  guint running = 0;

  if (g_strcmp0 (pvm_list_page_get_shown (machines), "list") != 0 || vms == NULL)
    return FALSE;
  for (guint i = 0; i < vms->len; i++)
    if (pvm_vm_get_state (vms->pdata[i]) == PVM_VM_STATE_RUNNING)
      running++;
  return running == 2;
}

static void
make_repositories (const char *workdir,
                   const char *images,
                   const char *data)
{
  const char *guest = pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_GUEST_QCOW2");
  g_autofree char *base = g_build_filename (images, "arch-base.qcow2", NULL);
  g_autofree char *blank = g_build_filename (images, "scratch.qcow2", NULL);
  g_autofree char *input = g_build_filename (workdir, "survey-2024", NULL);
  g_autofree char *job = g_build_filename (input, PVM_CONTRACT_JOB_FILE, NULL);
  g_autofree char *docs = g_build_filename (workdir, "reference-docs", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (input, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (docs, 0755), ==, 0);

  /* A base (the test guest, standalone), two overlays of it, a blank disk. */
  run ((const char *[]) { "qemu-img", "convert", "-q", "-O", "qcow2", guest, base, NULL });
  for (guint i = 0; i < 2; i++)
    {
      const char *names[] = { "web-frontend.qcow2", "db-backend.qcow2" };
      g_autofree char *overlay = g_build_filename (images, names[i], NULL);

      run ((const char *[]) { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2",
                              "-b", "arch-base.qcow2", overlay, NULL });
    }
  run ((const char *[]) { "qemu-img", "create", "-q", "-f", "qcow2", blank, "20G", NULL });

  /* The input: a job that keeps the VM busy, and what it reads. */
  g_file_set_contents (job, "sleep 3600\n", -1, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("responses-%02u.csv", i);
      g_autofree char *path = g_build_filename (input, name, NULL);
      g_autoptr(GString) text = g_string_new ("id,region,answer,score\n");

      for (guint j = 0; j < 2000; j++)
        g_string_append_printf (text, "%u,region-%u,%s,%u\n", j, j % 7,
                                j % 3 == 0 ? "yes" : "no", (j * 37 + i) % 100);
      g_file_set_contents (path, text->str, -1, &error);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *name = g_strdup_printf ("chapter-%02u.txt", i + 1);
      g_autofree char *path = g_build_filename (docs, name, NULL);
      g_autoptr(GString) text = g_string_new (NULL);

      for (guint j = 0; j < 400; j++)
        g_string_append_printf (text, "Chapter %u, paragraph %u: the reference text.\n",
                                i + 1, j);
      g_file_set_contents (path, text->str, -1, &error);
      g_assert_no_error (error);
    }
  {
    g_autofree char *archive = g_build_filename (data, "survey-2024.sqsh", NULL);
    g_autofree char *archive2 = g_build_filename (data, "reference-docs.sqsh", NULL);

    run ((const char *[]) { "mksquashfs", input, archive, "-all-root", "-no-progress",
                            "-quiet", "-comp", "zstd", NULL });
    run ((const char *[]) { "mksquashfs", docs, archive2, "-all-root", "-no-progress",
                            "-quiet", "-comp", "xz", NULL });
  }
}

static gboolean
panel_has_port (gpointer panel)
{
  return !pvm_gui_test_has_text (panel, "waiting for the guest");
}

int
main (int    argc,
      char **argv)
{
  const char *workdir = pvm_test_require_env ("PVM_TEST_WORKDIR");
  g_autofree char *images = g_build_filename (workdir, "images", NULL);
  g_autofree char *data = g_build_filename (workdir, "data", NULL);
  g_autofree char *config_dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *schemas = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *dialog;
  GtkWindow *bundle_dialog;
  GtkWidget *row;

  pvm_test_require_env ("PVM_DEBUG_SCREENSHOTS");
  schemas = g_path_get_dirname (pvm_test_require_env ("PVM_TEST_FILE_GSCHEMAS_COMPILED"));
  g_setenv ("GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pvm-test-bus", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  gtk_init ();
  adw_init ();

  make_repositories (workdir, images, data);
  config_dir = g_build_filename (g_get_user_config_dir (), "pvm", NULL);
  config = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\nLIBVIRT_URI=qemu:///session\n"
                            "MEM=256M\nCORES=1\nINIT_SSH_PORT=%u\n", images, data,
                            22000 + (guint) (getpid () % 20000));
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  {
    g_autofree char *path = g_build_filename (config_dir, "pvm.conf", NULL);

    g_file_set_contents (path, config, -1, &error);
    g_assert_no_error (error);
  }

  app = pvm_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = PVM_WINDOW (pvm_gui_test_find_window (PVM_TYPE_WINDOW));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 960, 640);

  /* Dialogs that need no VM. */
  show_page ("images", PVM_TYPE_IMAGES_PAGE);
  shoot (window, "images");
  gtk_widget_activate_action (page (PVM_TYPE_IMAGES_PAGE), "images.create", NULL);
  dialog = pvm_gui_test_find_window (PVM_TYPE_IMAGE_CREATE_DIALOG);
  type (GTK_WIDGET (dialog), "Name", "debian-12");
  shoot (dialog, "image-create-dialog");
  close_window (dialog);
  gtk_widget_activate_action (page (PVM_TYPE_IMAGES_PAGE), "images.snapshot", "s", "arch-base");
  dialog = pvm_gui_test_find_window (PVM_TYPE_IMAGE_SNAPSHOT_DIALOG);
  type (GTK_WIDGET (dialog), "Name", "ci-runner");
  shoot (dialog, "image-snapshot-dialog");
  close_window (dialog);

  show_page ("data", PVM_TYPE_DATA_PAGE);
  shoot (window, "data");
  {
    g_autofree char *folder = g_build_filename (workdir, "reference-docs", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (folder);

    pvm_data_page_add_folder (PVM_DATA_PAGE (page (PVM_TYPE_DATA_PAGE)), file);
    dialog = pvm_gui_test_find_window (PVM_TYPE_ARCHIVE_CREATE_DIALOG);
    shoot (dialog, "archive-create-dialog");
    close_window (dialog);
  }

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  shoot (dialog = pvm_gui_test_find_window (PVM_TYPE_PREFERENCES_WINDOW), "preferences");
  close_window (dialog);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.welcome", NULL);
  dialog = pvm_gui_test_find_window (PVM_TYPE_WELCOME_DIALOG);
  settle (4000);   /* the host checks */
  shoot (dialog, "welcome");
  close_window (dialog);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-vm", NULL);
  shoot (dialog = pvm_gui_test_find_window (PVM_TYPE_INSTALL_ASSISTANT), "install-assistant");
  close_window (dialog);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  dialog = GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  shoot (dialog, "shortcuts");
  gtk_window_close (dialog);

  /* Two VMs, from the Launch dialog. */
  show_page ("machines", PVM_TYPE_MACHINES_PAGE);
  launch_two (workdir);
  pvm_window_set_visible_page (window, "machines");
  pvm_gui_test_wait_for_seconds (both_running, NULL, 120, "two running VMs");
  shoot (window, "machines");

  /* Selection mode, one of them picked. */
  pvm_machines_page_set_selection_mode (PVM_MACHINES_PAGE (page (PVM_TYPE_MACHINES_PAGE)), TRUE);
  pvm_machines_page_select (PVM_MACHINES_PAGE (page (PVM_TYPE_MACHINES_PAGE)), "db-backend", TRUE);
  shoot (window, "machines-select");
  pvm_machines_page_set_selection_mode (PVM_MACHINES_PAGE (page (PVM_TYPE_MACHINES_PAGE)), FALSE);

  show_page ("images", PVM_TYPE_IMAGES_PAGE);
  shoot (window, "images-in-use");

  /* The panel of one of them, once the guest has its port. */
  show_page ("machines", PVM_TYPE_MACHINES_PAGE);
  row = pvm_gui_test_find (page (PVM_TYPE_MACHINES_PAGE), ADW_TYPE_ACTION_ROW, "web-frontend");
  g_assert_nonnull (row);
  g_assert_true (gtk_widget_activate (row));
  dialog = pvm_gui_test_find_window (PVM_TYPE_VM_WINDOW);
  g_assert_nonnull (dialog);
  pvm_gui_test_wait_for_seconds (panel_has_port, dialog, 120, "the SSH port in the panel");
  shoot (dialog, "vm-panel");

  /* Its Save menu's Save to a File…, the file it offers. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "vm.save-to-file", NULL));
  bundle_dialog = pvm_gui_test_find_window (PVM_TYPE_BUNDLE_DIALOG);
  g_assert_nonnull (bundle_dialog);
  shoot (bundle_dialog, "save-to-file-dialog");
  close_window (bundle_dialog);
  close_window (dialog);

  /* Narrow, as on a phone: the view switcher moves to the bottom bar. */
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 700);
  settle (1000);
  shoot (window, "machines-narrow");
  pvm_machines_page_set_selection_mode (PVM_MACHINES_PAGE (page (PVM_TYPE_MACHINES_PAGE)), TRUE);
  pvm_machines_page_select (PVM_MACHINES_PAGE (page (PVM_TYPE_MACHINES_PAGE)), "db-backend", TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 700);
  shoot (window, "machines-narrow-select");

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&app);
  return 0;
}
