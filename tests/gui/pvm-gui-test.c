/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-gui-test"

#include "config.h"

#include <string.h>

#include "pvm-gui-test.h"

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * pvm_gui_test_wait_for:
 * @condition: what to wait for
 * @data: its data
 * @what: what it is, for the failure
 *
 * Runs the main loop until @condition holds; fails the test after
 * %PVM_GUI_TEST_WAIT_SECONDS.
 */
void
pvm_gui_test_wait_for (PvmGuiTestCondition  condition,
                       gpointer             data,
                       const char          *what)
{
  pvm_gui_test_wait_for_seconds (condition, data, PVM_GUI_TEST_WAIT_SECONDS, what);
}

/* The same, for something that may take @seconds, such as a guest's job. */
void
pvm_gui_test_wait_for_seconds (PvmGuiTestCondition  condition,
                               gpointer             data,
                               guint                seconds,
                               const char          *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (seconds, set_flag_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("still waiting for %s after %u s", what, seconds);
  g_source_remove (timeout_id);
}

/**
 * pvm_gui_test_run_for:
 * @milliseconds: how long
 *
 * Runs the main loop for @milliseconds: time for something that should
 * not happen to show that it does not.
 */
void
pvm_gui_test_run_for (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, set_flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
process_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

/**
 * pvm_gui_test_xdotool:
 * @args: xdotool's arguments
 *
 * Runs xdotool (keys and the pointer through XTest, to the window under
 * the pointer) and waits until it is done, the main loop running
 * meanwhile so that GTK takes the events as they come, as a user's, and
 * not all at once after xdotool is done.
 */
void
pvm_gui_test_xdotool (const char * const *args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  g_strv_builder_add (builder, "xdotool");
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);
  process = g_subprocess_newv ((const char * const *) argv, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, process_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_successful (process));
}

gboolean
pvm_gui_test_is_loaded (PvmListPage *page)
{
  return g_strcmp0 (pvm_list_page_get_shown (page), "loading") != 0;
}

/* @type, a PvmListPage, in a window of its own, once it has loaded. */
PvmListPage *
pvm_gui_test_show_page (GType       type,
                        GtkWindow **window)
{
  PvmListPage *page = g_object_new (type, NULL);

  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (*window, 800, 600);
  gtk_window_set_child (*window, GTK_WIDGET (page));
  gtk_window_present (*window);
  pvm_gui_test_wait_for ((PvmGuiTestCondition) pvm_gui_test_is_loaded, page,
                         G_OBJECT_TYPE_NAME (page));
  return page;
}

/* Depth-first, children in order, the widgets under @widget (itself
 * included): the rows of a page's list come in the list's order, each
 * after the header of its group (an AdwPreferencesGroup without rows). */
static GPtrArray *
list_widgets (GtkWidget *widget)
{
  GPtrArray *widgets = g_ptr_array_new ();
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, widget);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);
      g_autoptr(GPtrArray) children = g_ptr_array_new ();

      g_ptr_array_add (widgets, w);
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL;
           c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (children, c);
      for (guint i = children->len; i > 0; i--)
        g_ptr_array_add (stack, children->pdata[i - 1]);
    }
  return widgets;
}

/* Whether @w is under the group titled @group (any, if NULL): inside its
 * widget, or after its header in a page's list, before the next header. */
static gboolean
in_group (GtkWidget  *w,
          const char *group,
          const char *current)
{
  GtkWidget *ancestor;

  if (group == NULL)
    return TRUE;
  ancestor = gtk_widget_get_ancestor (w, ADW_TYPE_PREFERENCES_GROUP);
  if (ancestor != NULL)
    return g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (ancestor)),
                      group) == 0;
  return g_strcmp0 (current, group) == 0;
}

/* The titles and subtitles of the rows under @widget in the group @group
 * (all, if NULL), in order: "title: subtitle|...". */
static char *
dup_titles (GtkWidget  *widget,
            const char *group)
{
  g_autoptr(GString) titles = g_string_new (NULL);
  g_autoptr(GPtrArray) widgets = list_widgets (widget);
  const char *current = NULL;

  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *w = widgets->pdata[i];

      if (ADW_IS_PREFERENCES_GROUP (w))
        current = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (w));
      else if (ADW_IS_ACTION_ROW (w) && in_group (w, group, current))
        g_string_append_printf (titles, "%s%s: %s", titles->len > 0 ? "|" : "",
                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)),
                                adw_action_row_get_subtitle (ADW_ACTION_ROW (w)));
    }
  return g_string_free (g_steal_pointer (&titles), FALSE);
}

/* The row titles and subtitles under @widget, in order:
 * "title: subtitle|...". A list page makes rows for what is on screen
 * only: the test windows show a few. */
char *
pvm_gui_test_dup_titles (gpointer widget)
{
  return dup_titles (widget, NULL);
}

/* The same, of the rows of the group titled @group under @widget: inside
 * an AdwPreferencesGroup, or after its header in a page's list. */
char *
pvm_gui_test_dup_group_titles (gpointer    widget,
                               const char *group)
{
  return dup_titles (widget, group);
}

/* The titles of the groups under @widget, in order: "title|...". */
char *
pvm_gui_test_dup_groups (gpointer widget)
{
  g_autoptr(GString) titles = g_string_new (NULL);
  g_autoptr(GPtrArray) widgets = list_widgets (widget);

  for (guint i = 0; i < widgets->len; i++)
    if (ADW_IS_PREFERENCES_GROUP (widgets->pdata[i]))
      g_string_append_printf (titles, "%s%s", titles->len > 0 ? "|" : "",
                              adw_preferences_group_get_title (widgets->pdata[i]));
  return g_string_free (g_steal_pointer (&titles), FALSE);
}

/* Whether a button for @action under @widget can be pressed: GTK makes
 * a button insensitive while its action is disabled. */
gboolean
pvm_gui_test_can_press (GtkWidget  *widget,
                        const char *action)
{
  if (GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0 &&
      gtk_widget_is_sensitive (widget))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (pvm_gui_test_can_press (child, action))
      return TRUE;
  return FALSE;
}

/* What @widget shows as its label: a button's (or its AdwButtonContent's),
 * a row's title. */
static const char *
get_label (GtkWidget *widget)
{
  GtkWidget *child = GTK_IS_BUTTON (widget) ? gtk_button_get_child (GTK_BUTTON (widget)) : NULL;

  if (ADW_IS_BUTTON_CONTENT (child))
    return adw_button_content_get_label (ADW_BUTTON_CONTENT (child));
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_label (GTK_BUTTON (widget));
  if (ADW_IS_PREFERENCES_ROW (widget))
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  return NULL;
}

/* The first widget of @type under @widget (itself included), in order;
 * with @label, a button with that label or a row with that title. */
GtkWidget *
pvm_gui_test_find (GtkWidget  *widget,
                   GType       type,
                   const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      (label == NULL || g_strcmp0 (get_label (widget), label) == 0))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = pvm_gui_test_find (child, type, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The preferences group titled @title under @widget, or NULL: in a
 * page's list, the group's header, without its rows. */
GtkWidget *
pvm_gui_test_find_group (GtkWidget  *widget,
                         const char *title)
{
  if (ADW_IS_PREFERENCES_GROUP (widget) &&
      g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = pvm_gui_test_find_group (c, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* As pvm_gui_test_find(), among the rows of the group titled @group under
 * @widget (see pvm_gui_test_dup_group_titles()). */
GtkWidget *
pvm_gui_test_find_in_group (GtkWidget  *widget,
                            const char *group,
                            GType       type,
                            const char *label)
{
  g_autoptr(GPtrArray) widgets = list_widgets (widget);
  const char *current = NULL;

  for (guint i = 0; i < widgets->len; i++)
    {
      GtkWidget *w = widgets->pdata[i];

      if (ADW_IS_PREFERENCES_GROUP (w))
        current = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (w));
      else if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && in_group (w, group, current) &&
               (label == NULL || g_strcmp0 (get_label (w), label) == 0))
        return w;
    }
  return NULL;
}

/* The button under @widget bound to @action, pressable or not, or NULL. */
GtkWidget *
pvm_gui_test_find_action_button (GtkWidget  *widget,
                                 const char *action)
{
  if (GTK_IS_BUTTON (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = pvm_gui_test_find_action_button (c, action);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether a label under @widget that the user can see holds @text. */
gboolean
pvm_gui_test_has_text (GtkWidget  *widget,
                       const char *text)
{
  if (!gtk_widget_get_visible (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (pvm_gui_test_has_text (child, text))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GtkWidget  *widget;
  const char *text;
} TextWait;

static gboolean
has_text_cb (gpointer data)
{
  TextWait *wait = data;

  return pvm_gui_test_has_text (wait->widget, wait->text);
}

/* Waits until @widget shows @text. A toast shows only once the one before
 * it has gone (pvm-toasts.c): a report that comes as a toast may take its
 * turn. */
void
pvm_gui_test_wait_for_text (GtkWidget  *widget,
                            const char *text)
{
  TextWait wait = { widget, text };
  g_autofree char *what = g_strdup_printf ("“%s” to show", text);

  pvm_gui_test_wait_for (has_text_cb, &wait, what);
}

/* The shown window of @type, or NULL. */
GtkWindow *
pvm_gui_test_find_window (GType type)
{
  GListModel *windows = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (windows); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (windows, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

/* Presses the button labelled @label under @widget, as a click does; it
 * must be there and sensitive. */
void
pvm_gui_test_press (GtkWidget  *widget,
                    const char *label)
{
  GtkWidget *button = pvm_gui_test_find (widget, GTK_TYPE_BUTTON, label);

  if (button == NULL)
    g_error ("no button \"%s\" in %s", label, G_OBJECT_TYPE_NAME (widget));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Writes @text as pvm.conf in this test's own XDG directories
 * (G_TEST_OPTION_ISOLATE_DIRS). */
void
pvm_gui_test_write_config (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "pvm", NULL);
  g_autofree char *config = g_build_filename (dir, "pvm.conf", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (config, text, -1, &error);
  g_assert_no_error (error);
}

/* With PVM_DEBUG_SCREENSHOTS=DIR, saves @widget as it draws itself now
 * (a window with its header bar and contents) as DIR/NAME.png, for a
 * person to look at. Nothing otherwise. */
void
pvm_gui_test_screenshot (GtkWidget  *widget,
                         const char *name)
{
  const char *dir = g_getenv ("PVM_DEBUG_SCREENSHOTS");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  int width, height;

  if (dir == NULL || *dir == '\0')
    return;

  /* Let it lay out and draw what changed last. */
  for (int i = 0; i < 20; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (20000);
    }

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}
