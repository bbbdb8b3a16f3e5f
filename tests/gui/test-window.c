/* SPDX-License-Identifier: BSD-3-Clause */
/* test-window.c: the main window, in process, on a real (virtual) display.
 *
 * Run through pvm-xvfb-run, which gives it a private Xvfb. Without a
 * display gtk_init() fails the test: it is never skipped.
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <adwaita.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "pvm-machines-page.h"
#include "pvm-settings.h"
#include "pvm-window.h"

/* How long a window may take to appear or a change to arrive. */
#define WAIT_SECONDS 10

static gboolean
set_flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;

  return G_SOURCE_REMOVE;
}

static gboolean
is_mapped (gconstpointer widget)
{
  return gtk_widget_get_mapped (GTK_WIDGET (widget));
}

typedef struct
{
  PvmWindow  *window;
  const char *page;
} PageShown;

static gboolean
is_page_shown (gconstpointer data)
{
  const PageShown *shown = data;

  return g_strcmp0 (pvm_window_get_visible_page (shown->window), shown->page) == 0;
}

/* Iterates the main context until @done (@data) holds; fails the test
 * after WAIT_SECONDS, saying it was waiting for @what.
 */
static void
wait_until (gboolean     (*done) (gconstpointer data),
            gconstpointer  data,
            const char    *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id;

  timeout_id = g_timeout_add_seconds (WAIT_SECONDS, set_flag_cb, &timed_out);
  while (!done (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("waited %d s for %s", WAIT_SECONDS, what);
  g_source_remove (timeout_id);
}

static void
wait_for_mapped (GtkWidget *widget)
{
  wait_until (is_mapped, widget, "the window to be mapped");
}

static void
wait_for_visible_page (PvmWindow  *window,
                       const char *page)
{
  const PageShown shown = { window, page };

  wait_until (is_page_shown, &shown, page);
}

/* Dispatches what is pending, such as GSettings change notifications. */
static void
flush_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The view switcher buttons a user can see under @widget, in page order.
 * (AdwViewSwitcherTitle holds a wide and a narrow switcher; one is shown.)
 */
static void
collect_toggle_buttons (GtkWidget *widget,
                        GPtrArray *buttons)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_TOGGLE_BUTTON (widget))
    g_ptr_array_add (buttons, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_toggle_buttons (child, buttons);
}

static GObject *
get_child (PvmWindow  *window,
           const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (window), PVM_TYPE_WINDOW, name);

  g_assert_nonnull (child);

  return child;
}

/* Closes @window as a user would and checks that nothing keeps it alive. */
static void
close_and_finalize (PvmWindow *window)
{
  g_object_ref (window);
  gtk_window_close (GTK_WINDOW (window));
  flush_main_context ();
  g_assert_finalize_object (window);
}

static void
test_pages (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(PvmSettings) settings = pvm_settings_new_with_backend (backend);
  g_autoptr(GSettings) stored = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(GtkSelectionModel) pages = NULL;
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  static const struct {
    const char *name;
    const char *title;
  } expected[] = {
    { "machines", "Machines" },
    { "images", "Images" },
    { "data", "Data" },
  };
  AdwViewStack *view_stack;
  GtkWidget *machines_page;
  PvmWindow *window;

  window = pvm_window_new (NULL, settings);
  g_assert_true (pvm_window_get_settings (window) == settings);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_mapped (GTK_WIDGET (window));

  /* Three pages, in order, with their titles. */
  view_stack = ADW_VIEW_STACK (get_child (window, "view_stack"));
  pages = adw_view_stack_get_pages (view_stack);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (pages)), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), i);

      g_assert_cmpstr (adw_view_stack_page_get_name (page), ==, expected[i].name);
      g_assert_cmpstr (adw_view_stack_page_get_title (page), ==, expected[i].title);
      g_assert_nonnull (adw_view_stack_page_get_icon_name (page));
      /* Each page lists what it is named after (tests/gui/test-pages.c). */
      g_assert_true (PVM_IS_LIST_PAGE (adw_view_stack_page_get_child (page)));
    }

  /* A first start shows the Machines page. */
  machines_page = GTK_WIDGET (get_child (window, "machines_page"));
  g_assert_cmpstr (pvm_window_get_visible_page (window), ==, "machines");
  g_assert_true (adw_view_stack_get_visible_child (view_stack) == machines_page);
  g_assert_true (gtk_widget_get_mapped (machines_page));

  /* Through the action, as Alt+2 does. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.visible-page", "s", "images"));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (view_stack), ==, "images");
  g_assert_cmpstr (pvm_settings_get_last_page (settings), ==, "images");
  g_assert_cmpstr (g_settings_get_string (stored, "last-page"), ==, "images");

  /* Through the view switcher in the header bar, as the keyboard does
   * (GtkButton's activation shows the button pressed for a moment).
   */
  collect_toggle_buttons (GTK_WIDGET (get_child (window, "switcher_title")), buttons);
  g_assert_cmpuint (buttons->len, ==, G_N_ELEMENTS (expected));
  g_assert_true (gtk_widget_activate (g_ptr_array_index (buttons, 2)));
  wait_for_visible_page (window, "data");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (get_child (window, "data_page"))));
  g_assert_false (gtk_widget_get_mapped (machines_page));
  g_assert_cmpstr (g_settings_get_string (stored, "last-page"), ==, "data");

  /* Closing saves the size and keeps the page: tearing the stack down
   * must not record another one.
   */
  close_and_finalize (window);
  g_assert_cmpstr (g_settings_get_string (stored, "last-page"), ==, "data");
  g_assert_cmpint (g_settings_get_int (stored, "window-width"), ==, 960);
  g_assert_cmpint (g_settings_get_int (stored, "window-height"), ==, 640);
  g_assert_false (g_settings_get_boolean (stored, "window-maximized"));
}

static void
test_restore (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) stored = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(PvmSettings) settings = NULL;
  PvmWindow *window;
  int width;
  int height;

  /* What a previous run left. */
  g_assert_true (g_settings_set_string (stored, "last-page", "images"));
  g_assert_true (g_settings_set_int (stored, "window-width", 700));
  g_assert_true (g_settings_set_int (stored, "window-height", 500));

  settings = pvm_settings_new_with_backend (backend);
  window = pvm_window_new (NULL, settings);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_mapped (GTK_WIDGET (window));

  g_assert_cmpstr (pvm_window_get_visible_page (window), ==, "images");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (get_child (window, "images_page"))));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 500);

  /* A change made elsewhere (another window, dconf-editor) follows. */
  g_assert_true (g_settings_set_string (stored, "last-page", "data"));
  flush_main_context ();
  g_assert_cmpstr (pvm_window_get_visible_page (window), ==, "data");

  close_and_finalize (window);
  g_assert_cmpint (g_settings_get_int (stored, "window-width"), ==, 700);
}

static void
test_settings_memory_backend (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) stored = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(PvmSettings) settings = pvm_settings_new_with_backend (backend);

  /* The schema's defaults. */
  g_assert_cmpstr (pvm_settings_get_last_page (settings), ==, "machines");
  g_assert_cmpint (pvm_settings_get_window_width (settings), ==, 960);
  g_assert_cmpint (pvm_settings_get_window_height (settings), ==, 640);
  g_assert_false (pvm_settings_get_window_maximized (settings));

  /* Writes reach the backend... */
  pvm_settings_set_window_width (settings, 1024);
  pvm_settings_set_window_maximized (settings, TRUE);
  pvm_settings_set_last_page (settings, "data");
  g_assert_cmpint (g_settings_get_int (stored, "window-width"), ==, 1024);
  g_assert_true (g_settings_get_boolean (stored, "window-maximized"));
  g_assert_cmpstr (g_settings_get_string (stored, "last-page"), ==, "data");

  /* ...and the backend's changes come back. */
  g_assert_true (g_settings_set_int (stored, "window-height", 480));
  flush_main_context ();
  g_assert_cmpint (pvm_settings_get_window_height (settings), ==, 480);
}

/* A page the schema does not know is a programming error, refused
 * before it reaches GSettings.
 */
static void
test_settings_rejects_unknown_page (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
      g_autoptr(PvmSettings) settings = pvm_settings_new_with_backend (backend);

      pvm_settings_set_last_page (settings, "no-such-page");
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*pvm_settings_key_accepts*");
}

int
main (int   argc,
      char *argv[])
{
  /* Each test gets its own XDG directories, so that the window's pages
   * make their default repositories there, not in the tester's home (or,
   * as root, /var/lib/pvm): that needs g_test_init() itself rather than
   * gtk_test_init(). GIO reads the MIME database (which GTK needs to load
   * its SVG icons) from the data directories it sees first: the system's,
   * before the isolated ones replace them. */
  g_free (g_content_type_guess ("icon.svg", (const guchar *) "<svg", 4, NULL));
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();

  g_test_add_func ("/pvm/settings/memory-backend", test_settings_memory_backend);
  g_test_add_func ("/pvm/settings/rejects-unknown-page", test_settings_rejects_unknown_page);
  g_test_add_func ("/pvm/window/pages", test_pages);
  g_test_add_func ("/pvm/window/restore", test_restore);

  return g_test_run ();
}
