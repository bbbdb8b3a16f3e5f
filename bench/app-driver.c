/* SPDX-License-Identifier: BSD-3-Clause */
/* app-driver.c: drives the real pvm-app for bench/scale, as the GUI tests
 * drive it, from inside its process: bench/scale compiles it into a
 * module and loads it with LD_PRELOAD. It uses GTK and libadwaita only
 * (pvm-app exports no symbols): widgets are found by type name, title and
 * label, as a user finds them, and actions are the window's own.
 *
 *   PVM_BENCH_LOG=FILE     where to write what happened, a line each:
 *                          "MICROSECONDS EVENT ..." (g_get_real_time())
 *   PVM_BENCH_LAUNCH=VMS   once every page has loaded: open the Launch
 *                          dialog (win.launch), fill one group per VM and
 *                          press Launch. VMS is "IMAGE|INPUT|OUTPUT|MEMORY|
 *                          CORES" per VM, separated by ";"
 *   PVM_BENCH_PAGES=MS     once every page has loaded: show the Machines,
 *                          Images and Data pages in turn (win.visible-page),
 *                          MS milliseconds each, then "settled"
 *   PVM_BENCH_SEARCH=TEXT  with PVM_BENCH_PAGES: on the Images page, after
 *                          its MS, search it for TEXT (the window's search
 *                          entry, as typing does), MS more
 *
 * Events: "mapped" (the main window), "loaded PAGE SHOWN ROWS" (a page's
 * list is filled: SHOWN is its stack's child, ROWS its list's rows),
 * "shown PAGE" and "painted PAGE" (the first frame drawn after it was
 * shown), "launch-pressed", "launched" (the dialog closed: every VM
 * runs), "launch-failed TEXT", "settled". Never part of pvm-app. */

#define G_LOG_DOMAIN "pvm-bench-driver"

#include <stdio.h>
#include <string.h>

#include <adwaita.h>

static const char * const page_types[] = { "PvmMachinesPage", "PvmImagesPage", "PvmDataPage" };
static const char * const page_names[] = { "machines", "images", "data" };
#define N_PAGES G_N_ELEMENTS (page_types)

static FILE      *log_file;
static GtkWidget *window;
static GtkWidget *pages[N_PAGES];
static gboolean   loaded[N_PAGES];
static gboolean   acted;
static guint      tour_index;
static guint      tour_ms;
static gboolean   searched;

static void
note (const char *format,
      ...) G_GNUC_PRINTF (1, 2);

static void
note (const char *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (log_file, "%" G_GINT64_FORMAT " %s\n", g_get_real_time (), text);
  fflush (log_file);
}

/* The first widget under @widget (itself included) whose type is, or
 * derives from, @type, and that has @label or @title if given. */
static GtkWidget *
find (GtkWidget  *widget,
      GType       type,
      const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    {
      const char *text = NULL;

      if (GTK_IS_BUTTON (widget))
        text = gtk_button_get_label (GTK_BUTTON (widget));
      else if (ADW_IS_PREFERENCES_ROW (widget))
        text = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
      else if (ADW_IS_PREFERENCES_GROUP (widget))
        text = adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget));
      if (title == NULL || g_strcmp0 (text, title) == 0)
        return widget;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_toplevel (const char *type_name)
{
  GType type = g_type_from_name (type_name);
  GListModel *toplevels;

  if (type == 0)
    return NULL;
  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) toplevel = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (toplevel, type) && gtk_widget_get_visible (toplevel))
        return toplevel;
    }
  return NULL;
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

/* ---- the page tour ------------------------------------------------------ */

static void
after_paint_cb (GdkFrameClock *clock,
                gpointer       user_data)
{
  note ("painted %s", (const char *) user_data);
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, user_data);
}

static void
paint_next (const char *what)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), (gpointer) what);
  gtk_widget_queue_draw (window);
}

/* Before the window's own handler: the search starts. */
static gboolean
search_changed_hook (GSignalInvocationHint *hint,
                     guint                  n_values,
                     const GValue          *values,
                     gpointer               user_data)
{
  note ("search-changed");
  paint_next ("search");
  return FALSE;
}

/* After it: the page is filtered. */
static void
search_changed_cb (GtkSearchEntry *entry,
                   gpointer        user_data)
{
  GtkWidget *list = find (pages[1], GTK_TYPE_LIST_VIEW, NULL);

  note ("searched %u", list != NULL ? g_list_model_get_n_items (
          G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)))) : 0);
}

/* Types @text into the window's search entry, as the keyboard does. */
static void
search (const char *text)
{
  GtkWidget *entry = find (window, GTK_TYPE_SEARCH_ENTRY, NULL);

  if (entry == NULL)
    g_error ("the window has no search entry");
  g_signal_add_emission_hook (g_signal_lookup ("search-changed", GTK_TYPE_SEARCH_ENTRY), 0,
                              search_changed_hook, NULL, NULL);
  g_signal_connect (entry, "search-changed", G_CALLBACK (search_changed_cb), NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static gboolean
tour_cb (gpointer user_data)
{
  const char *text = g_getenv ("PVM_BENCH_SEARCH");

  if (tour_index == 2 && !searched && text != NULL && *text != '\0')
    {
      searched = TRUE;
      search (text);
      g_timeout_add (tour_ms, tour_cb, NULL);
      return G_SOURCE_REMOVE;
    }
  if (tour_index == N_PAGES)
    {
      note ("settled");
      return G_SOURCE_REMOVE;
    }
  gtk_widget_activate_action (window, "win.visible-page", "s", page_names[tour_index]);
  note ("shown %s", page_names[tour_index]);
  paint_next (page_names[tour_index]);
  tour_index++;
  g_timeout_add (tour_ms, tour_cb, NULL);
  return G_SOURCE_REMOVE;
}

/* ---- the launch ----------------------------------------------------------- */

static void
pick (GtkWidget  *group,
      const char *title,
      const char *item)
{
  GtkWidget *row = find (group, ADW_TYPE_COMBO_ROW, title);
  GListModel *model;

  if (row == NULL)
    g_error ("no row \"%s\" in the Launch dialog", title);
  model = adw_combo_row_get_model (ADW_COMBO_ROW (row));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), item))
      {
        adw_combo_row_set_selected (ADW_COMBO_ROW (row), i);
        return;
      }
  g_error ("no \"%s\" in the row \"%s\" of the Launch dialog", item, title);
}

static void
type (GtkWidget  *group,
      const char *title,
      const char *text)
{
  GtkWidget *row = find (group, ADW_TYPE_ENTRY_ROW, title);

  if (row == NULL)
    g_error ("no row \"%s\" in the Launch dialog", title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
press (GtkWidget  *widget,
       const char *label)
{
  GtkWidget *button = find (widget, GTK_TYPE_BUTTON, label);

  if (button == NULL || !gtk_widget_is_sensitive (button))
    g_error ("no button \"%s\" to press in the Launch dialog", label);
  g_signal_emit_by_name (button, "clicked");
}

static void
dialog_gone_cb (gpointer  data,
                GObject  *where)
{
  note ("launched");
}

/* While the dialog is open: the problems it shows, once. */
static gboolean
watch_dialog_cb (gpointer user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(GtkWidget) dialog = g_weak_ref_get (ref);

  if (dialog == NULL)
    {
      g_weak_ref_clear (ref);
      g_free (ref);
      return G_SOURCE_REMOVE;
    }
  /* The problems label is the only one with the "error" style class. */
  for (GtkWidget *w = dialog; w != NULL;)
    {
      if (GTK_IS_LABEL (w) && gtk_widget_has_css_class (w, "error") && gtk_widget_is_visible (w) &&
          *gtk_label_get_text (GTK_LABEL (w)) != '\0')
        {
          g_autofree char *text = g_strdelimit (g_strdup (gtk_label_get_text (GTK_LABEL (w))),
                                                "\n", ' ');

          note ("launch-failed %s", text);
          g_weak_ref_clear (ref);
          g_free (ref);
          return G_SOURCE_REMOVE;
        }
      /* Depth-first, without recursion. */
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != dialog && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == dialog ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
launch (const char *spec)
{
  g_auto(GStrv) vms = g_strsplit (spec, ";", -1);
  GtkWidget *dialog;
  GWeakRef *ref;

  gtk_widget_activate_action (window, "win.launch", NULL);
  dialog = find_toplevel ("PvmLaunchDialog");
  if (dialog == NULL)
    g_error ("win.launch showed no Launch dialog");
  for (guint i = 0; vms[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (vms[i], "|", 5);
      g_autofree char *title = g_strdup_printf ("VM %u", i + 1);
      GtkWidget *group;

      if (g_strv_length (f) != 5)
        g_error ("PVM_BENCH_LAUNCH: \"%s\" is not IMAGE|INPUT|OUTPUT|MEMORY|CORES", vms[i]);
      if (i > 0)
        press (dialog, "_Add a VM");
      group = find (dialog, ADW_TYPE_PREFERENCES_GROUP, title);
      if (group == NULL)
        g_error ("no group \"%s\" in the Launch dialog", title);
      pick (group, "Image", f[0]);
      pick (group, "Input (read-only)", f[1]);
      type (group, "Output folder", f[2]);
      type (group, "Memory", f[3]);
      type (group, "vCPUs", f[4]);
    }
  g_object_weak_ref (G_OBJECT (dialog), dialog_gone_cb, NULL);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, dialog);
  note ("launch-pressed");
  press (dialog, "_Launch");
  g_timeout_add (20, watch_dialog_cb, ref);
}

/* ---- finding the window and its pages ------------------------------------------ */

static void
check_loaded (guint i)
{
  GtkWidget *stack, *list;
  const char *shown;

  if (loaded[i] || pages[i] == NULL)
    return;
  stack = find (pages[i], GTK_TYPE_STACK, NULL);
  shown = stack != NULL ? gtk_stack_get_visible_child_name (GTK_STACK (stack)) : NULL;
  if (shown == NULL || g_str_equal (shown, "loading"))
    return;
  loaded[i] = TRUE;
  /* A list view has rows for what is on screen only: its model has them all. */
  if ((list = find (pages[i], GTK_TYPE_LIST_VIEW, NULL)) != NULL)
    note ("loaded %s %s %u", page_names[i], shown,
          g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (list)))));
  else
    {
      list = find (pages[i], GTK_TYPE_LIST_BOX, NULL);
      note ("loaded %s %s %u", page_names[i], shown, list != NULL ? count_children (list) : 0);
    }
}

static void
page_loaded_cb (GtkWidget *page,
                gpointer   user_data)
{
  check_loaded (GPOINTER_TO_UINT (user_data));
}

static gboolean
poll_cb (gpointer user_data)
{
  const char *spec;

  if (!gtk_is_initialized ())
    return G_SOURCE_CONTINUE;
  if (window == NULL)
    {
      window = find_toplevel ("PvmWindow");
      if (window == NULL || !gtk_widget_get_mapped (window))
        {
          window = NULL;
          return G_SOURCE_CONTINUE;
        }
      note ("mapped");
      for (guint i = 0; i < N_PAGES; i++)
        {
          pages[i] = find (window, g_type_from_name (page_types[i]), NULL);
          if (pages[i] == NULL)
            g_error ("the window has no %s", page_types[i]);
          g_signal_connect (pages[i], "loaded", G_CALLBACK (page_loaded_cb), GUINT_TO_POINTER (i));
        }
    }
  for (guint i = 0; i < N_PAGES; i++)
    check_loaded (i);
  if (!loaded[0] || !loaded[1] || !loaded[2] || acted)
    return acted ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;

  acted = TRUE;
  spec = g_getenv ("PVM_BENCH_LAUNCH");
  if (spec != NULL && *spec != '\0')
    launch (spec);
  else if (g_getenv ("PVM_BENCH_PAGES") != NULL)
    {
      tour_ms = MAX (1, atoi (g_getenv ("PVM_BENCH_PAGES")));
      tour_cb (NULL);
    }
  return G_SOURCE_REMOVE;
}

__attribute__((constructor))
static void
driver_init (void)
{
  const char *path = g_getenv ("PVM_BENCH_LOG");

  if (path == NULL || *path == '\0')
    return;
  log_file = fopen (path, "a");
  if (log_file == NULL)
    g_error ("cannot open PVM_BENCH_LOG %s", path);
  g_timeout_add (10, poll_cb, NULL);
}
