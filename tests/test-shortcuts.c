/* SPDX-License-Identifier: BSD-3-Clause */
/* test-shortcuts.c: the keyboard shortcuts window lists every shortcut the
 * application sets, and only those; it opens from the main menu and with
 * Ctrl+?.
 *
 * What the app sets is read from the running objects, not from the
 * source: the application's accelerators, and the shortcuts of the main
 * window, of its Machines page and of the console window bound to their
 * actions. Run through
 * pvm-xvfb-run (suite gui): without a display gtk_test_init() fails.
 */

#define G_LOG_DOMAIN "test-shortcuts"

#include "config.h"

#include <adwaita.h>

#include "gui/pvm-gui-test.h"
#include "pvm-application.h"
#include "pvm-console-window.h"
#include "pvm-test-util.h"
#include "pvm-window.h"

static PvmApplication *app;

/* The accelerator @accel (as gtk_accelerator_parse() reads it) in one
 * spelling, so that "<Primary>question" and "<Control>question" match.
 * Combinations of keys pressed together ("Control_L+Alt_L") stay as they
 * are. */
static char *
dup_normalized (const char *accel)
{
  guint keyval;
  GdkModifierType mods;

  if (strchr (accel, '+') != NULL)
    return g_strdup (accel);
  g_assert_true (gtk_accelerator_parse (accel, &keyval, &mods));
  return gtk_accelerator_name (keyval, mods);
}

static void
add_accel (GHashTable *set,
           const char *accel,
           const char *what)
{
  g_hash_table_insert (set, dup_normalized (accel), g_strdup (what));
}

/* The shortcuts of @widget's controllers that activate an action whose
 * name starts with @prefix ("win.", "console."). */
static void
add_widget_shortcuts (GHashTable *set,
                      GtkWidget  *widget,
                      const char *prefix)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *action = gtk_shortcut_get_action (shortcut);
          GtkShortcutTrigger *trigger = gtk_shortcut_get_trigger (shortcut);
          const char *name;
          g_autofree char *accel = NULL;

          if (!GTK_IS_NAMED_ACTION (action))
            continue;
          name = gtk_named_action_get_action_name (GTK_NAMED_ACTION (action));
          if (!g_str_has_prefix (name, prefix))
            continue;
          g_assert_true (GTK_IS_KEYVAL_TRIGGER (trigger));
          accel = gtk_accelerator_name (gtk_keyval_trigger_get_keyval (GTK_KEYVAL_TRIGGER (trigger)),
                                        gtk_keyval_trigger_get_modifiers (GTK_KEYVAL_TRIGGER (trigger)));
          add_accel (set, accel, name);
        }
    }
}

/* The accelerators shown in the shortcuts window @widget. */
static void
add_listed_shortcuts (GHashTable *set,
                      GtkWidget  *widget)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accel = NULL;
      g_autofree char *title = NULL;
      g_auto(GStrv) alternatives = NULL;

      g_object_get (widget, "accelerator", &accel, "title", &title, NULL);
      g_assert_nonnull (accel);
      alternatives = g_strsplit (accel, " ", -1);
      for (guint i = 0; alternatives[i] != NULL; i++)
        add_accel (set, alternatives[i], title);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    add_listed_shortcuts (set, child);
}

static GtkMenuButton *
find_primary_menu_button (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return GTK_MENU_BUTTON (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkMenuButton *button = find_primary_menu_button (child);

      if (button != NULL)
        return button;
    }
  return NULL;
}

static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name) &&
          g_str_equal (name, action))
        return TRUE;
      section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      if (section != NULL && menu_has_action (section, action))
        return TRUE;
    }
  return FALSE;
}

static PvmWindow *
get_main_window (void)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (PVM_IS_WINDOW (l->data))
      return l->data;
  g_assert_not_reached ();
}

/* Every listed shortcut is set, and every shortcut set is listed. */
static void
test_listed_are_set (void)
{
  PvmWindow *window = get_main_window ();
  GtkShortcutsWindow *overlay;
  g_autoptr(GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) actions = NULL;
  GtkWidget *console;
  GHashTableIter iter;
  const char *accel, *what;
  guint missing = 0;

  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_nonnull (overlay);
  add_listed_shortcuts (listed, GTK_WIDGET (overlay));

  actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                     actions[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        add_accel (set, accels[j], actions[i]);
    }
  add_widget_shortcuts (set, GTK_WIDGET (window), "win.");
  add_widget_shortcuts (set, GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                        PVM_TYPE_WINDOW,
                                                                        "machines_page")),
                        "machines.");
  console = g_object_new (PVM_TYPE_CONSOLE_WINDOW, NULL);
  add_widget_shortcuts (set, console, "console.");
  gtk_window_destroy (GTK_WINDOW (console));
  /* F10 opens a primary menu button (GtkMenuButton:primary). */
  if (find_primary_menu_button (GTK_WIDGET (window)) != NULL)
    add_accel (set, "F10", "the primary menu");
  /* The console view's key controller, not a GtkShortcut: Ctrl+Alt
   * pressed and released alone keeps or releases the keyboard and mouse
   * (src/console/pvm-spice-view.c). */
  add_accel (set, "Control_L+Alt_L", "the console's grab");

  g_hash_table_iter_init (&iter, listed);
  while (g_hash_table_iter_next (&iter, (gpointer *) &accel, (gpointer *) &what))
    if (!g_hash_table_contains (set, accel))
      {
        g_test_message ("listed but not set: %s (%s)", accel, what);
        missing++;
      }
  g_hash_table_iter_init (&iter, set);
  while (g_hash_table_iter_next (&iter, (gpointer *) &accel, (gpointer *) &what))
    if (!g_hash_table_contains (listed, accel))
      {
        g_test_message ("set but not listed: %s (%s)", accel, what);
        missing++;
      }
  g_assert_cmpuint (missing, ==, 0);
  /* The pages, Ctrl+N, the app's accelerators and the console's: not an
   * empty list matching an empty list. */
  g_assert_cmpuint (g_hash_table_size (listed), >=, 10);
}

/* Ctrl+? and the main menu open the shortcuts window. */
static void
test_opens (void)
{
  PvmWindow *window = get_main_window ();
  GtkMenuButton *menu_button = find_primary_menu_button (GTK_WIDGET (window));
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                 "win.show-help-overlay");
  g_autofree char *normalized = NULL;
  GtkShortcutsWindow *overlay;

  g_assert_nonnull (menu_button);
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (menu_button),
                                  "win.show-help-overlay"));
  g_assert_cmpuint (g_strv_length (accels), ==, 1);
  normalized = dup_normalized (accels[0]);
  g_assert_cmpstr (normalized, ==, "<Control>question");

  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (overlay)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (overlay)) == GTK_WINDOW (window));
  gtk_window_close (GTK_WINDOW (overlay));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("pvm-test-shortcuts-XXXXXX", NULL);
  g_autofree char *config_home = g_build_filename (home, "config", NULL);
  g_autofree char *data_home = g_build_filename (home, "data", NULL);
  g_autofree char *state_home = g_build_filename (home, "state", NULL);
  g_autofree char *cache_home = g_build_filename (home, "cache", NULL);
  int status;

  g_assert_nonnull (home);
  /* Every directory the app may write to is the test's (the repositories:
   * root's default is /var/lib/pvm when XDG_DATA_HOME is not set). */
  g_setenv ("HOME", home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_STATE_HOME", state_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  /* No session bus: GApplication then runs as a plain local instance. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/pvm-test-bus", TRUE);
  gtk_test_init (&argc, &argv, NULL);

  /* A configuration: not a first run, so no set-up dialog. */
  pvm_gui_test_write_config ("[pvm]\nLIBVIRT_URI=test:///default\n");
  app = pvm_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));

  g_test_add_func ("/shortcuts/listed-are-set", test_listed_are_set);
  g_test_add_func ("/shortcuts/opens", test_opens);
  status = g_test_run ();

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&app);
  pvm_test_remove_tree (home);
  return status;
}
