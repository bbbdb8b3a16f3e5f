/* SPDX-License-Identifier: BSD-3-Clause */
/* test-welcome.c: the set-up dialog of the first run, in process, on a
 * real (virtual) display, driven through its buttons: the host check of
 * this machine (real QEMU, libvirt's test driver), folders chosen as the
 * folder chooser gives them, an original pVM.cfg adopted, pvm.conf saved,
 * and the demo image built by the real pvm-build-guest (and cancelled).
 *
 * Run through pvm-xvfb-run (meson test does).
 */

#define G_LOG_DOMAIN "test-welcome"

#include "config.h"

#include <string.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pvm-core.h"
#include "pvm-gui-test.h"
#include "pvm-test-util.h"
#include "pvm-welcome-dialog.h"
#include "pvm-window.h"

static gboolean
host_checked (PvmWelcomeDialog *dialog)
{
  return pvm_welcome_dialog_get_host_items (dialog) != NULL;
}

static gboolean
on_demo_page (PvmWelcomeDialog *dialog)
{
  return g_strcmp0 (pvm_welcome_dialog_get_page (dialog), "demo") == 0;
}

static gboolean
demo_settled (PvmWelcomeDialog *dialog)
{
  return pvm_welcome_dialog_get_demo_state (dialog) != PVM_WELCOME_DEMO_RUNNING;
}

/* The builder has started for real: it printed its first step. */
static gboolean
demo_progressing (PvmWelcomeDialog *dialog)
{
  GtkWidget *bar = pvm_gui_test_find (GTK_WIDGET (dialog), GTK_TYPE_PROGRESS_BAR, NULL);

  return gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)) > 0.0 ||
         demo_settled (dialog);
}

static PvmWelcomeDialog *
show_dialog (guint *n_changed)
{
  PvmWelcomeDialog *dialog = pvm_welcome_dialog_new ();

  if (n_changed != NULL)
    g_signal_connect_swapped (dialog, "changed", G_CALLBACK (g_atomic_int_inc), n_changed);
  gtk_window_present (GTK_WINDOW (dialog));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) host_checked, dialog, "the host check");
  return dialog;
}

/* Closes @dialog once no check runs in a thread, and waits for it to go. */
static void
destroy_dialog (PvmWelcomeDialog *dialog)
{
  pvm_gui_test_wait_for ((PvmGuiTestCondition) host_checked, dialog, "the host check");
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  gtk_window_destroy (GTK_WINDOW (dialog));
  while (dialog != NULL)
    g_main_context_iteration (NULL, TRUE);
}

static PvmHostCheckItem *
find_item (PvmWelcomeDialog *dialog,
           const char       *id)
{
  GPtrArray *items = pvm_welcome_dialog_get_host_items (dialog);

  for (guint i = 0; i < items->len; i++)
    {
      PvmHostCheckItem *item = g_ptr_array_index (items, i);

      if (g_str_equal (item->id, id))
        return item;
    }
  g_error ("no host check item %s", id);
}

static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static char *
dup_setting (const char *key)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = pvm_config_dup_default_path ();
  char *value;

  g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  value = g_key_file_get_string (key_file, PVM_CONFIG_GROUP, key, &error);
  g_assert_no_error (error);
  return value;
}

static void
set_folder (PvmWelcomeDialog *dialog,
            PvmWelcomeFolder  folder,
            const char       *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  pvm_welcome_dialog_set_folder (dialog, folder, file);
  g_assert_cmpstr (pvm_welcome_dialog_get_folder (dialog, folder), ==, path);
}

/* Page 1: this machine's real answers, with what to do where it falls
 * short; "Check Again" replaces them. */
static void
test_host (void)
{
  g_autofree char *titles = NULL;
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "pvm", "images", NULL);
  PvmWelcomeDialog *dialog;
  PvmHostCheckItem *item;

  pvm_gui_test_write_config ("[pvm]\nLIBVIRT_URI=test:///default\n");
  dialog = show_dialog (NULL);
  g_assert_cmpstr (pvm_welcome_dialog_get_page (dialog), ==, "host");
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.back"));

  /* QEMU is installed here, with both features; libvirt's test driver
   * answers; the default image folder does not exist yet. */
  item = find_item (dialog, "QEMU");
  g_assert_cmpint (item->status, ==, PVM_HOST_CHECK_OK);
  titles = pvm_gui_test_dup_titles (dialog);
  g_test_message ("%s", titles);
  g_assert_nonnull (strstr (titles, "QEMU: /"));
  g_assert_nonnull (strstr (titles, ", with SPICE and VirtFS (9p)|"));
  g_assert_nonnull (strstr (titles, "|libvirt: test:///default (reachable)|"));
  g_assert_nonnull (strstr (titles, "|KVM: "));
  g_assert_nonnull (strstr (titles, "|qemu-img: /"));
  g_assert_nonnull (strstr (titles, "|mksquashfs: /"));
  item = find_item (dialog, "DRIVEREPO");
  g_assert_cmpint (item->status, ==, PVM_HOST_CHECK_WARNING);
  g_assert_nonnull (strstr (titles, "|Space for Images: "));
  g_assert_nonnull (strstr (titles, " does not exist yet ("));
  g_assert_cmpint (find_item (dialog, "pvm.conf")->status, ==, PVM_HOST_CHECK_OK);
  {
    g_autofree char *to_do = g_strdup_printf ("\nWhat to do: Create it (mkdir -p %s)",
                                              images);

    g_assert_nonnull (strstr (titles, to_do));
  }
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "pVM can run VMs here."));

  /* Checked again: the same rows, once. */
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Check Again");
  g_assert_null (pvm_welcome_dialog_get_host_items (dialog));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.check"));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) host_checked, dialog, "the host check");
  g_clear_pointer (&titles, g_free);
  titles = pvm_gui_test_dup_titles (dialog);
  g_assert_cmpuint (count (titles, "QEMU: "), ==, 1);
  g_assert_cmpuint (count (titles, "Space for Data: "), ==, 1);

  destroy_dialog (dialog);
}

/* An unreachable libvirt is an error, with what to do. */
static void
test_host_problem (void)
{
  PvmWelcomeDialog *dialog;
  PvmHostCheckItem *item;

  pvm_gui_test_write_config ("[pvm]\nLIBVIRT_URI=test:///nonexistent/node.xml\n");
  dialog = show_dialog (NULL);
  item = find_item (dialog, "libvirt");
  g_assert_cmpint (item->status, ==, PVM_HOST_CHECK_ERROR);
  g_assert_nonnull (item->what_to_do);
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "pVM cannot run VMs here"));
  /* A problem does not keep the user from going on. */
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.next"));
  destroy_dialog (dialog);
}

/* Page 2 on a first run (no pvm.conf): folders chosen, Next creates them
 * and saves pvm.conf, which the CLI reads. */
static void
test_repositories (void)
{
  g_autofree char *base = g_build_filename (g_get_user_data_dir (), "chosen", NULL);
  g_autofree char *images = g_build_filename (base, "my images", NULL);
  g_autofree char *data = g_build_filename (base, "deep", "data", NULL);
  g_autofree char *config_path = pvm_config_dup_default_path ();
  g_autofree char *titles = NULL;
  g_autofree char *saved_images = NULL;
  g_autofree char *saved_data = NULL;
  PvmWelcomeDialog *dialog;
  guint n_changed = 0;

  g_assert_false (g_file_test (config_path, G_FILE_TEST_EXISTS));
  dialog = show_dialog (&n_changed);
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  g_assert_cmpstr (pvm_welcome_dialog_get_page (dialog), ==, "repositories");
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.back"));
  /* No pVM.cfg in this home. */
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.adopt"));

  set_folder (dialog, PVM_WELCOME_FOLDER_IMAGES, images);
  set_folder (dialog, PVM_WELCOME_FOLDER_DATA, data);
  titles = pvm_gui_test_dup_titles (dialog);
  {
    g_autofree char *row = g_strdup_printf ("|VM Images: %s\nWill be created|", images);

    g_assert_nonnull (strstr (titles, row));
  }
  g_assert_false (g_file_test (config_path, G_FILE_TEST_EXISTS));

  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  pvm_gui_test_wait_for ((PvmGuiTestCondition) on_demo_page, dialog, "the saved settings");
  g_assert_cmpuint (n_changed, ==, 1);

  saved_images = dup_setting ("DRIVEREPO");
  saved_data = dup_setting ("SQUASHREPO");
  g_assert_cmpstr (saved_images, ==, images);
  g_assert_cmpstr (saved_data, ==, data);
  g_assert_true (g_file_test (images, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (data, G_FILE_TEST_IS_DIR));
  {
    /* The CLI's view: the same configuration. */
    g_autoptr(PvmConfig) config = pvm_config_new ();
    g_autoptr(GError) error = NULL;

    g_assert_true (pvm_config_load_default (config, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (pvm_config_get_string (config, "DRIVEREPO"), ==, images);
  }

  /* Back to the folders, which exist now. */
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Back");
  g_assert_cmpstr (pvm_welcome_dialog_get_page (dialog), ==, "repositories");
  g_clear_pointer (&titles, g_free);
  titles = pvm_gui_test_dup_titles (dialog);
  g_assert_null (strstr (titles, "Will be created"));

  destroy_dialog (dialog);
}

/* An original ~/pVM/pVM.cfg: offered, adopted, saved as pvm.conf. */
static void
test_adopt (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *legacy_dir = g_build_filename (g_get_home_dir (), "pVM", NULL);
  g_autofree char *legacy = g_build_filename (legacy_dir, "pVM.cfg", NULL);
  g_autofree char *images = g_build_filename (g_get_home_dir (), "vm", "images", NULL);
  g_autofree char *data = g_build_filename (g_get_home_dir (), "vm", "data", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *saved = NULL;
  PvmWelcomeDialog *dialog;

  /* The home directory is this test's own (G_TEST_OPTION_ISOLATE_DIRS). */
  g_assert_true (g_str_has_prefix (g_get_home_dir (), g_get_tmp_dir ()));

  contents = g_strdup ("# pVM configuration\nDRIVEREPO=\"${HOME}/vm/images\"\n"
                       "SQUASHREPO=~/vm/data\nCORES=( 4 )\n");
  g_assert_cmpint (g_mkdir_with_parents (legacy_dir, 0755), ==, 0);
  g_file_set_contents (legacy, contents, -1, &error);
  g_assert_no_error (error);

  dialog = show_dialog (NULL);
  /* Page 1 says so, as "pvm host" does. */
  {
    PvmHostCheckItem *item = find_item (dialog, "pvm.conf");

    g_assert_cmpint (item->status, ==, PVM_HOST_CHECK_WARNING);
    g_assert_nonnull (strstr (item->detail, legacy));
    g_assert_nonnull (strstr (item->what_to_do, "pvm config import "));
  }
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), legacy));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.adopt"));

  pvm_gui_test_press (GTK_WIDGET (dialog), "_Adopt");
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.adopt"));
  g_assert_cmpstr (pvm_welcome_dialog_get_folder (dialog, PVM_WELCOME_FOLDER_IMAGES), ==, images);
  g_assert_cmpstr (pvm_welcome_dialog_get_folder (dialog, PVM_WELCOME_FOLDER_DATA), ==, data);

  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  pvm_gui_test_wait_for ((PvmGuiTestCondition) on_demo_page, dialog, "the saved settings");
  saved = dup_setting ("DRIVEREPO");
  g_assert_cmpstr (saved, ==, images);
  g_clear_pointer (&saved, g_free);
  saved = dup_setting ("CORES");
  g_assert_cmpstr (saved, ==, "4;");    /* a list, as pvm.conf writes lists */
  g_assert_true (g_file_test (images, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (data, G_FILE_TEST_IS_DIR));

  destroy_dialog (dialog);
}

/* The files in @dir, hidden ones included, sorted, joined by " ". */
static char *
dup_listing (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, (gpointer) name);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* Pages 1 and 2 with DRIVEREPO at @images, to page 3. */
static PvmWelcomeDialog *
show_demo_page (const char *images,
                guint      *n_changed)
{
  PvmWelcomeDialog *dialog;

  pvm_gui_test_write_config ("[pvm]\nLIBVIRT_URI=test:///default\n");
  dialog = show_dialog (n_changed);
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  set_folder (dialog, PVM_WELCOME_FOLDER_IMAGES, images);
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  pvm_gui_test_wait_for ((PvmGuiTestCondition) on_demo_page, dialog, "the saved settings");
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "Try a Demo Image"));
  return dialog;
}

/* Page 3: the real builder makes a bootable qcow2 image in the chosen
 * repository, with its progress; Done closes. */
static void
test_demo (void)
{
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "demo-images", NULL);
  g_autofree char *path = g_build_filename (images, "demo.qcow2", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *info_text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  PvmWelcomeDialog *dialog;
  JsonObject *info;
  guint n_changed = 0;

  dialog = show_demo_page (images, &n_changed);
  g_assert_cmpuint (n_changed, ==, 1);
  g_assert_nonnull (pvm_gui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "_Skip"));

  pvm_gui_test_press (GTK_WIDGET (dialog), "C_reate Demo Image");
  g_assert_cmpint (pvm_welcome_dialog_get_demo_state (dialog), ==, PVM_WELCOME_DEMO_RUNNING);
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.cancel-demo"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.next"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.back"));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) demo_settled, dialog, "the demo image");
  g_assert_cmpint (pvm_welcome_dialog_get_demo_state (dialog), ==, PVM_WELCOME_DEMO_DONE);
  g_assert_cmpuint (n_changed, ==, 2);
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "The Demo Image Is Ready"));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "“demo” ("));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), path));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.create-demo"));
  g_assert_nonnull (pvm_gui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "_Done"));

  /* Only the image, in the repository; a bootable-looking qcow2 image. */
  listing = dup_listing (images);
  g_assert_cmpstr (listing, ==, "demo.qcow2");
  {
    const char * const argv[] = { "qemu-img", "info", "--output=json", path, NULL };

    info_text = pvm_test_run_tool (NULL, argv);
  }
  json_parser_load_from_data (parser, info_text, -1, &error);
  g_assert_no_error (error);
  info = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (info, "format"), ==, "qcow2");
  g_assert_cmpint (json_object_get_int_member (info, "virtual-size"), >, 4 * 1024 * 1024);

  /* Done closes the dialog. */
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  pvm_gui_test_wait_for ((PvmGuiTestCondition) host_checked, dialog, "the host check");
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Done");
  while (dialog != NULL)
    g_main_context_iteration (NULL, TRUE);

  /* Set up again (the menu's Set Up pVM…): the image is there already. */
  dialog = show_dialog (NULL);
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  g_assert_cmpstr (pvm_welcome_dialog_get_folder (dialog, PVM_WELCOME_FOLDER_IMAGES), ==, images);
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Next");
  pvm_gui_test_wait_for ((PvmGuiTestCondition) on_demo_page, dialog, "the saved settings");
  g_assert_cmpint (pvm_welcome_dialog_get_demo_state (dialog), ==, PVM_WELCOME_DEMO_DONE);
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "There is a “demo” in "));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.create-demo"));
  destroy_dialog (dialog);
}

/* Cancel while the builder runs: it stops, and nothing is left in the
 * repository, not even a hidden file; it can be started again. */
static void
test_demo_cancel (void)
{
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "cancel-images", NULL);
  g_autofree char *listing = NULL;
  PvmWelcomeDialog *dialog;

  dialog = show_demo_page (images, NULL);
  pvm_gui_test_press (GTK_WIDGET (dialog), "C_reate Demo Image");
  pvm_gui_test_wait_for ((PvmGuiTestCondition) demo_progressing, dialog,
                         "the builder's first step");
  g_assert_cmpint (pvm_welcome_dialog_get_demo_state (dialog), ==, PVM_WELCOME_DEMO_RUNNING);
  listing = dup_listing (images);
  g_assert_nonnull (strstr (listing, ".demo.qcow2."));

  pvm_gui_test_press (GTK_WIDGET (dialog), "_Cancel");
  pvm_gui_test_wait_for ((PvmGuiTestCondition) demo_settled, dialog, "the cancelled build");
  g_assert_cmpint (pvm_welcome_dialog_get_demo_state (dialog), ==, PVM_WELCOME_DEMO_CANCELLED);
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "Cancelled: no image was made."));
  g_clear_pointer (&listing, g_free);
  listing = dup_listing (images);
  g_assert_cmpstr (listing, ==, "");
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.create-demo"));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "welcome.next"));

  /* Started again, and the dialog closed meanwhile: the build stops all
   * the same (the dialog goes once it has), and leaves nothing. */
  pvm_gui_test_wait_for ((PvmGuiTestCondition) host_checked, dialog, "the host check");
  pvm_gui_test_press (GTK_WIDGET (dialog), "C_reate Demo Image");
  pvm_gui_test_wait_for ((PvmGuiTestCondition) demo_progressing, dialog,
                         "the builder's first step");
  destroy_dialog (dialog);
  g_clear_pointer (&listing, g_free);
  listing = dup_listing (images);
  g_assert_cmpstr (listing, ==, "");
}

/* The main window's menu opens the dialog. */
static void
test_window_action (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(PvmSettings) settings = pvm_settings_new_with_backend (backend);
  PvmWindow *window;
  GtkWindow *dialog;

  pvm_gui_test_write_config ("[pvm]\nLIBVIRT_URI=test:///default\n");
  window = pvm_window_new (NULL, settings);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_null (pvm_gui_test_find_window (PVM_TYPE_WELCOME_DIALOG));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.welcome", NULL));
  dialog = pvm_gui_test_find_window (PVM_TYPE_WELCOME_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (window));
  destroy_dialog (PVM_WELCOME_DIALOG (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *builder = NULL;

  /* As test-pages.c: each test gets its own XDG directories and home, so
   * its own pvm.conf; the MIME database is read before they replace the
   * system's. Without a display gtk_init() fails: never skipped. */
  g_free (g_content_type_guess ("icon.svg", (const guchar *) "<svg", 4, NULL));
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  /* The builder of the source tree, as an uninstalled pVM uses it. */
  builder = g_test_build_filename (G_TEST_DIST, "..", "..", "src", "guest", "pvm-build-guest",
                                   NULL);
  g_setenv (PVM_DEMO_IMAGE_BUILDER_ENV, builder, TRUE);

  g_test_add_func ("/welcome/host", test_host);
  g_test_add_func ("/welcome/host-problem", test_host_problem);
  g_test_add_func ("/welcome/repositories", test_repositories);
  g_test_add_func ("/welcome/adopt", test_adopt);
  g_test_add_func ("/welcome/demo", test_demo);
  g_test_add_func ("/welcome/demo-cancel", test_demo_cancel);
  g_test_add_func ("/welcome/window-action", test_window_action);

  return g_test_run ();
}
