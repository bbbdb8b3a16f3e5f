/* SPDX-License-Identifier: BSD-3-Clause */
/* test-preferences.c: the Preferences window of the real application, in
 * process, on a private Xvfb (pvm-xvfb-run):
 *
 * - app.preferences is in the main menu, on Ctrl+comma, and opens it;
 * - settings changed through its rows (combo rows, entry rows and their
 *   apply buttons, the folder chooser's answer) are in pvm.conf, and the
 *   real pvm command ("pvm config show --json") sees them;
 * - values the core refuses (a size, a port) are shown under their group,
 *   the row marked, and pvm.conf is left byte for byte as it was.
 */

#define G_LOG_DOMAIN "test-preferences"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pvm-application.h"
#include "pvm-core.h"
#include "pvm-gui-test.h"
#include "pvm-preferences-window.h"
#include "pvm-test-util.h"
#include "pvm-window.h"

static PvmApplication *app;

static gboolean
not_saving (gpointer data)
{
  return !pvm_preferences_window_is_saving (data);
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static GObject *
child (PvmPreferencesWindow *window,
       const char           *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window),
                                                   PVM_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

/* The apply button a row shows once its text was edited. */
static GtkWidget *
find_visible_button (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (!gtk_widget_get_visible (c))
        continue;
      if (GTK_IS_BUTTON (c))
        return c;
      if ((found = find_visible_button (c)) != NULL)
        return found;
    }
  return NULL;
}

/* Types @text into the entry row @name as a user would, and presses its
 * apply button. */
static void
type_and_apply (PvmPreferencesWindow *window,
                const char           *name,
                const char           *text)
{
  GtkWidget *row = GTK_WIDGET (child (window, name));
  GtkWidget *apply;

  g_assert_true (gtk_widget_grab_focus (row));
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  apply = find_visible_button (row);
  g_assert_nonnull (apply);
  g_signal_emit_by_name (apply, "clicked");
  pvm_gui_test_wait_for (not_saving, window, "the preferences saved");
}

static char *
read_config (void)
{
  g_autofree char *path = pvm_config_dup_default_path ();
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* "pvm config show --json", parsed: KEY -> [values]. */
static JsonObject *
pvm_config_show (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *args[] = { "config", "show", "--json", NULL };

  process = pvm_test_spawn_pvm (args, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("pvm config show failed: %s", err);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
shown (JsonObject *settings,
       const char *key)
{
  return json_array_get_string_element (json_object_get_array_member (settings, key), 0);
}

static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        return TRUE;
      if (section != NULL && menu_has_action (section, action))
        return TRUE;
    }
  return FALSE;
}

static PvmPreferencesWindow *
find_preferences (void)
{
  for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (PVM_IS_PREFERENCES_WINDOW (l->data))
      return l->data;
  return NULL;
}

static PvmWindow *
find_main_window (void)
{
  for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (PVM_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

/* The action is where a user looks for it, and opens the window. */
static void
test_open (void)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                               "app.preferences");
  PvmWindow *window = find_main_window ();
  GtkWidget *menu_button;

  g_assert_nonnull (window);
  g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>comma"));
  menu_button = pvm_gui_test_find (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, NULL);
  g_assert_nonnull (menu_button);
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)),
                                  "app.preferences"));

  g_assert_null (find_preferences ());
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  g_assert_nonnull (find_preferences ());
  pvm_gui_test_wait_for (window_mapped, find_preferences (), "the preferences window");
  /* Again: the same window, not a second one. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  {
    guint n = 0;

    for (const GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL;
         l = l->next)
      n += PVM_IS_PREFERENCES_WINDOW (l->data);
    g_assert_cmpuint (n, ==, 1);
  }
}

/* Changed through the rows: in the file, and as pvm sees it. */
static void
test_change (void)
{
  PvmPreferencesWindow *window = find_preferences ();
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "my-images", NULL);
  g_autofree char *data = g_build_filename (g_get_user_data_dir (), "my-data", NULL);
  g_autoptr(GFile) images_file = g_file_new_for_path (images);
  g_autoptr(GFile) data_file = g_file_new_for_path (data);
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(JsonObject) settings = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (window);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);

  /* What the folder chooser does with the user's answer. */
  pvm_preferences_window_set_folder (window, "DRIVEREPO", images_file);
  pvm_preferences_window_set_folder (window, "SQUASHREPO", data_file);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (window, "images_row"))),
                   ==, images);
  /* One that is not there yet says so. */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (child (window,
                                                                                "data_row"))),
                            "Does not exist yet"));

  /* The combo rows, as picking an item does. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child (window, "disk_size_row"))));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (window, "output_mode_row")), 1);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (child (window, "disk_size_row"))));
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (window, "net_row")), 1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (window, "cpu_row")), 1);

  type_and_apply (window, "disk_size_row", "8G");
  type_and_apply (window, "port_row", "2300");
  type_and_apply (window, "uri_row", "test:///default");
  pvm_gui_test_wait_for (not_saving, window, "the preferences saved");

  text = read_config ();
  g_key_file_load_from_data (key_file, text, -1, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
#define ASSERT_SAVED(key, value) \
  do { \
    g_autofree char *saved = g_key_file_get_string (key_file, PVM_CONFIG_GROUP, key, &error); \
    g_assert_no_error (error); \
    g_assert_cmpstr (saved, ==, value); \
  } while (0)
  ASSERT_SAVED ("DRIVEREPO", images);
  ASSERT_SAVED ("SQUASHREPO", data);
  ASSERT_SAVED ("OUTPUT_MODE", "disk");
  ASSERT_SAVED ("NET_TYPE", "tap");
  ASSERT_SAVED ("CPU_MODE", "fastest");
  ASSERT_SAVED ("OUTPUT_DISK_SIZE", "8G");
  ASSERT_SAVED ("INIT_SSH_PORT", "2300");
  ASSERT_SAVED ("LIBVIRT_URI", "test:///default");
#undef ASSERT_SAVED
  /* Only what was set: the defaults stay out of the file. */
  g_assert_false (g_key_file_has_key (key_file, PVM_CONFIG_GROUP, "QEMU_BIN", NULL));

  settings = pvm_config_show ();
  g_assert_cmpstr (shown (settings, "DRIVEREPO"), ==, images);
  g_assert_cmpstr (shown (settings, "SQUASHREPO"), ==, data);
  g_assert_cmpstr (shown (settings, "OUTPUT_MODE"), ==, "disk");
  g_assert_cmpstr (shown (settings, "NET_TYPE"), ==, "tap");
  g_assert_cmpstr (shown (settings, "CPU_MODE"), ==, "fastest");
  g_assert_cmpstr (shown (settings, "OUTPUT_DISK_SIZE"), ==, "8G");
  g_assert_cmpstr (shown (settings, "INIT_SSH_PORT"), ==, "2300");

  /* Back to the defaults' values, by the same rows. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (window, "net_row")), 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (window, "cpu_row")), 0);
  pvm_gui_test_wait_for (not_saving, window, "the preferences saved");
  g_clear_pointer (&settings, json_object_unref);
  settings = pvm_config_show ();
  g_assert_cmpstr (shown (settings, "NET_TYPE"), ==, "user");
  g_assert_cmpstr (shown (settings, "CPU_MODE"), ==, "migration-safe");
}

/* What the core refuses is shown and never saved. */
static void
test_refused (void)
{
  PvmPreferencesWindow *window = find_preferences ();
  GtkWidget *size_row = GTK_WIDGET (child (window, "disk_size_row"));
  GtkWidget *port_row = GTK_WIDGET (child (window, "port_row"));
  GtkWidget *output_error = GTK_WIDGET (child (window, "output_error_label"));
  GtkWidget *vms_error = GTK_WIDGET (child (window, "vms_error_label"));
  g_autofree char *before = read_config ();
  g_autofree char *after = NULL;
  g_autoptr(JsonObject) settings = NULL;

  g_assert_false (gtk_widget_get_visible (output_error));
  type_and_apply (window, "disk_size_row", "lots");
  g_assert_false (pvm_preferences_window_is_saving (window));
  g_assert_true (gtk_widget_get_visible (output_error));
  g_assert_true (gtk_widget_has_css_class (size_row, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (output_error)), "OUTPUT_DISK_SIZE"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (output_error)), "lots"));

  type_and_apply (window, "port_row", "70000");
  g_assert_true (gtk_widget_get_visible (vms_error));
  g_assert_true (gtk_widget_has_css_class (port_row, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (vms_error)), "70000"));
  pvm_gui_test_screenshot (GTK_WIDGET (window), "preferences-refused");

  after = read_config ();
  g_assert_cmpstr (after, ==, before);
  settings = pvm_config_show ();
  g_assert_cmpstr (shown (settings, "OUTPUT_DISK_SIZE"), ==, "8G");
  g_assert_cmpstr (shown (settings, "INIT_SSH_PORT"), ==, "2300");

  /* Corrected: the marks go, the value is saved. */
  type_and_apply (window, "disk_size_row", "12G");
  g_assert_false (gtk_widget_get_visible (output_error));
  g_assert_false (gtk_widget_has_css_class (size_row, "error"));
  type_and_apply (window, "port_row", "2400");
  g_assert_false (gtk_widget_get_visible (vms_error));
  g_clear_pointer (&settings, json_object_unref);
  settings = pvm_config_show ();
  g_assert_cmpstr (shown (settings, "OUTPUT_DISK_SIZE"), ==, "12G");
  g_assert_cmpstr (shown (settings, "INIT_SSH_PORT"), ==, "2400");
  pvm_gui_test_screenshot (GTK_WIDGET (window), "preferences");
}

/* A pvm.conf the core cannot read is not overwritten. */
static void
test_unreadable (void)
{
  PvmPreferencesWindow *window;
  g_autofree char *text = NULL;

  gtk_window_destroy (GTK_WINDOW (find_preferences ()));
  pvm_gui_test_write_config ("[pvm]\nINIT_SSH_PORT=none\n");

  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  window = find_preferences ();
  g_assert_nonnull (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (child (window, "save_error_label"))));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (child (window, "output_group"))));
  text = read_config ();
  g_assert_cmpstr (text, ==, "[pvm]\nINIT_SSH_PORT=none\n");
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("pvm-test-preferences-XXXXXX", NULL);
  const char *dirs[][2] = {
    { "XDG_CONFIG_HOME", "config" }, { "XDG_DATA_HOME", "data" }, { "XDG_CACHE_HOME", "cache" },
  };
  int status;

  /* One home for the whole run (the tests build on each other), and the
   * pvm command run by the tests sees it too. */
  g_assert_nonnull (home);
  g_setenv ("HOME", home, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *dir = g_build_filename (home, dirs[i][1], NULL);

      g_setenv (dirs[i][0], dir, TRUE);
    }
  /* No session bus: GApplication then runs as a plain local instance. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pvm-test-bus", TRUE);
  g_test_init (&argc, &argv, NULL);

  pvm_gui_test_write_config ("[pvm]\nLIBVIRT_URI=test:///default\n");
  app = pvm_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  g_test_add_func ("/preferences/open", test_open);
  g_test_add_func ("/preferences/change", test_change);
  g_test_add_func ("/preferences/refused", test_refused);
  g_test_add_func ("/preferences/unreadable", test_unreadable);
  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&app);
  pvm_test_remove_tree (home);
  return status;
}
