/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-list-page.c: the base of the Machines, Images and Data pages: load
 * in a thread, then an empty state, a list of rows (or groups of rows),
 * or an error with a way to try again. The list is a GtkListView over
 * entries (an item's row, a group's header, a placeholder row): rows are
 * made for what is on screen only and reused as it scrolls, and styled
 * (data/ui/pvm-list-page.css) as the cards of a boxed list. */

#define G_LOG_DOMAIN "pvm-list-page"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pvm-list-page.h"
#include "pvm-toasts.h"

/* --- what the list view lists ----------------------------------------- */

typedef enum
{
  ENTRY_ROW,           /* an item's row */
  ENTRY_HEADER,        /* a group's title and description */
  ENTRY_PLACEHOLDER,   /* a dimmed row that stands for no items */
} EntryKind;

#define PVM_TYPE_LIST_ENTRY (pvm_list_entry_get_type ())

G_DECLARE_FINAL_TYPE (PvmListEntry, pvm_list_entry, PVM, LIST_ENTRY, GObject)

/* One line of the list: private to the page, which alone makes them. */
struct _PvmListEntry
{
  GObject    parent_instance;

  EntryKind  kind;
  gboolean   first;    /* the first row of its card */
  gboolean   last;     /* the last row of its card */
  gboolean   top;      /* the list's first entry */
  gboolean   bottom;   /* the list's last entry */

  /* Owned */
  GPtrArray *items;    /* ENTRY_ROW: the page's items, which hold @item */
  GtkWidget *header;   /* ENTRY_HEADER: the group, without rows */
  char      *title;    /* ENTRY_PLACEHOLDER */

  /* Borrowed */
  gpointer   item;     /* ENTRY_ROW */
};

G_DEFINE_FINAL_TYPE (PvmListEntry, pvm_list_entry, G_TYPE_OBJECT)

static void
pvm_list_entry_finalize (GObject *object)
{
  PvmListEntry *self = PVM_LIST_ENTRY (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_object (&self->header);
  g_free (self->title);

  G_OBJECT_CLASS (pvm_list_entry_parent_class)->finalize (object);
}

static void
pvm_list_entry_class_init (PvmListEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pvm_list_entry_finalize;
}

static void
pvm_list_entry_init (PvmListEntry *self)
{
}

/* The rows are AdwActionRows, which are GtkListBoxRows, but they sit in a
 * GtkListView: when the list gives an item the focus (a click, Tab, a
 * dialog closing), GTK 4.8's item asks its child first, and a
 * GtkListBoxRow outside a GtkListBox fails an assertion there. This row
 * declines, so that the item takes the focus itself, as a list box's row
 * does: GTK's default would hand it to the row's first button (a menu,
 * Delete). Tab still reaches the buttons. */
#define PVM_TYPE_LIST_ROW (pvm_list_row_get_type ())
G_DECLARE_FINAL_TYPE (PvmListRow, pvm_list_row, PVM, LIST_ROW, AdwActionRow)

struct _PvmListRow
{
  AdwActionRow parent_instance;
};

G_DEFINE_FINAL_TYPE (PvmListRow, pvm_list_row, ADW_TYPE_ACTION_ROW)

static gboolean
pvm_list_row_grab_focus (GtkWidget *widget)
{
  return FALSE;
}

static void
pvm_list_row_class_init (PvmListRowClass *klass)
{
  GTK_WIDGET_CLASS (klass)->grab_focus = pvm_list_row_grab_focus;
}

static void
pvm_list_row_init (PvmListRow *self)
{
}

static PvmListEntry *
pvm_list_entry_new (EntryKind kind)
{
  PvmListEntry *self = g_object_new (PVM_TYPE_LIST_ENTRY, NULL);

  self->kind = kind;
  return self;
}

/* --- the page --------------------------------------------------------- */

typedef struct
{
  /* Owned */
  GCancellable  *cancellable;
  GPtrArray     *items;          /* what load() returned */
  GPtrArray     *entries;        /* PvmListEntry: add_rows() fills it */
  GListStore    *store;          /* PvmListEntry: what the list shows */
  AdwToast      *toast;          /* shown last, until dismissed */
  gint64         toast_time;     /* when it was added (monotonic) */
  GFileMonitor  *monitor;        /* on @watched_path */
  char          *watched_path;
  GHashTable    *being_written;  /* names made there and not yet closed */
  GStrv          search_terms;   /* folded; NULL: no search */
  guint          refresh_source;

  /* From a load's thread (pvm_list_page_watch_directory ()) */
  GMutex         watch_lock;
  char          *watch_next;     /* the directory to watch once it is done */

  /* Template widgets */
  GtkStack      *stack;
  AdwStatusPage *empty_status;
  AdwStatusPage *error_status;
  GtkListView   *list_view;
} PvmListPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (PvmListPage, pvm_list_page, ADW_TYPE_BIN)

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* How long a burst of changes may last before the page reads them. */
#define PVM_LIST_PAGE_REFRESH_DELAY_MS 250

static void watch_next (PvmListPage *self);

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PvmListPage *self = source_object;
  GError *error = NULL;
  GPtrArray *items = PVM_LIST_PAGE_GET_CLASS (self)->load (self, cancellable, &error);

  if (items != NULL)
    g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

static void
pvm_list_page_real_load_async (PvmListPage         *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pvm_list_page_real_load_async);
  g_task_run_in_thread (task, load_thread);
}

static GPtrArray *
pvm_list_page_real_load_finish (PvmListPage   *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
pvm_list_page_real_add_rows (PvmListPage *self,
                             GPtrArray   *items)
{
  for (guint i = 0; i < items->len; i++)
    pvm_list_page_append_item (self, items->pdata[i]);
}

/* --- searching ----------------------------------------------------- */

/* @text as a search compares it: any character that looks alike, any
 * case. */
static char *
fold (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *normalized = g_utf8_normalize (valid, -1, G_NORMALIZE_ALL);

  return g_utf8_casefold (normalized, -1);
}

/* Whether the name of @item holds every word of the search. */
static gboolean
is_found (PvmListPage *self,
          gpointer     item)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  PvmListPageClass *klass = PVM_LIST_PAGE_GET_CLASS (self);
  g_autofree char *name = NULL;

  if (priv->search_terms == NULL || klass->get_item_name == NULL)
    return TRUE;

  name = fold (klass->get_item_name (self, item));
  for (guint i = 0; priv->search_terms[i] != NULL; i++)
    if (strstr (name, priv->search_terms[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* While a search is on: the groups with rows found, without the
 * placeholders of groups without items. */
static void
keep_found (GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; )
    {
      PvmListEntry *entry = entries->pdata[i];
      gboolean keep = entry->kind == ENTRY_ROW;

      for (guint j = i + 1; entry->kind == ENTRY_HEADER && !keep && j < entries->len; j++)
        {
          PvmListEntry *next = entries->pdata[j];

          if (next->kind == ENTRY_HEADER)
            break;
          keep = next->kind == ENTRY_ROW;
        }
      if (keep)
        i++;
      else
        g_ptr_array_remove_index (entries, i);
    }
}

/* --- loading -------------------------------------------------------- */

static void
show_items (PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_object_unref);
  const char *shown = "list";

  priv->entries = entries;
  PVM_LIST_PAGE_GET_CLASS (self)->add_rows (self, priv->items);
  priv->entries = NULL;
  if (priv->search_terms != NULL)
    keep_found (entries);

  /* Each run of rows is a card: rounded at its ends. */
  for (guint i = 0; i < entries->len; i++)
    {
      PvmListEntry *entry = entries->pdata[i];
      PvmListEntry *before = i > 0 ? entries->pdata[i - 1] : NULL;
      PvmListEntry *after = i + 1 < entries->len ? entries->pdata[i + 1] : NULL;

      entry->top = before == NULL;
      entry->bottom = after == NULL;
      entry->first = before == NULL || before->kind == ENTRY_HEADER;
      entry->last = after == NULL || after->kind == ENTRY_HEADER;
      /* As far from the card above as the groups of a preferences page */
      if (entry->kind == ENTRY_HEADER)
        gtk_widget_set_margin_top (entry->header, before != NULL ? 24 : 0);
    }

  /* At once: the list view reuses its rows for the new entries. */
  g_list_store_splice (priv->store, 0, g_list_model_get_n_items (G_LIST_MODEL (priv->store)),
                       entries->pdata, entries->len);
  /* A search of nothing is no search: the empty state says what to do. */
  if (entries->len == 0)
    shown = priv->search_terms != NULL && priv->items != NULL && priv->items->len > 0
            ? "no-results" : "empty";
  gtk_stack_set_visible_child_name (priv->stack, shown);
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvmListPage *self = PVM_LIST_PAGE (object);
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  GPtrArray *items = PVM_LIST_PAGE_GET_CLASS (self)->load_finish (self, result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_pointer (&items, g_ptr_array_unref);
      return;
    }

  if (items == NULL)
    {
      adw_status_page_set_description (priv->error_status, error->message);
      gtk_stack_set_visible_child_name (priv->stack, "error");
      return;
    }

  g_clear_pointer (&priv->items, g_ptr_array_unref);
  priv->items = items;
  show_items (self);
  watch_next (self);
  g_signal_emit (self, signals[LOADED], 0);
}

/* Loads the items again, instead of a load under way. */
static void
load (PvmListPage *self,
      gboolean     spinner)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  priv->cancellable = g_cancellable_new ();

  if (spinner)
    gtk_stack_set_visible_child_name (priv->stack, "loading");
  PVM_LIST_PAGE_GET_CLASS (self)->load_async (self, priv->cancellable, load_done_cb, NULL);
}

/**
 * pvm_list_page_reload:
 * @self: a #PvmListPage
 *
 * Loads the items again, in a thread; the page shows a spinner meanwhile.
 */
void
pvm_list_page_reload (PvmListPage *self)
{
  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  load (self, TRUE);
}

static gboolean
refresh_cb (gpointer user_data)
{
  PvmListPage *self = user_data;
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  priv->refresh_source = 0;
  load (self, FALSE);
  return G_SOURCE_REMOVE;
}

/**
 * pvm_list_page_refresh_soon:
 * @self: a #PvmListPage
 *
 * Loads the items again in a moment, as pvm_list_page_reload() does, but
 * the page goes on showing what it shows until they are read: for changes
 * the page learns of by itself, which should not make the list blink.
 * Such changes come in bursts (a launch defines a domain per VM, a copy
 * writes a file): the items are read once the burst is over.
 */
void
pvm_list_page_refresh_soon (PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  if (priv->refresh_source == 0)
    priv->refresh_source = g_timeout_add (PVM_LIST_PAGE_REFRESH_DELAY_MS, refresh_cb, self);
}

/**
 * pvm_list_page_set_search:
 * @self: a #PvmListPage
 * @text: (nullable): what to look for; %NULL or blank: no search
 *
 * Lists only the items whose name (@get_item_name) holds every word of
 * @text, in any case; with groups, only the groups with items found. The
 * search stays on as the page loads its items again.
 */
void
pvm_list_page_set_search (PvmListPage *self,
                          const char  *text)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  g_auto(GStrv) terms = NULL;
  const char *shown;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  folded = fold (text != NULL ? text : "");
  words = g_strsplit_set (folded, " \t\n", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      g_strv_builder_add (builder, words[i]);
  terms = g_strv_builder_end (builder);
  if (terms[0] == NULL)
    g_clear_pointer (&terms, g_strfreev);

  if (terms == priv->search_terms ||
      (terms != NULL && priv->search_terms != NULL &&
       g_strv_equal ((const char * const *) terms, (const char * const *) priv->search_terms)))
    return;
  g_strfreev (priv->search_terms);
  priv->search_terms = g_steal_pointer (&terms);

  /* Not while it loads or could not: the load shows what it finds. */
  shown = pvm_list_page_get_shown (self);
  if (priv->items != NULL && g_strcmp0 (shown, "loading") != 0 && g_strcmp0 (shown, "error") != 0)
    show_items (self);
}

/* The name of @file if it is one a page may list (pVM's temporary files
 * and caches are hidden), else %NULL. */
static char *
dup_listed_name (GFile *file)
{
  g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;

  return name != NULL && name[0] != '.' ? g_steal_pointer (&name) : NULL;
}

static void
directory_changed_cb (PvmListPage       *self,
                      GFile             *file,
                      GFile             *other_file,
                      GFileMonitorEvent  event,
                      GFileMonitor      *monitor)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autofree char *name = dup_listed_name (file);
  g_autofree char *other_name = dup_listed_name (other_file);

  switch (event)
    {
    case G_FILE_MONITOR_EVENT_CREATED:
      /* Shown at once, and again once it is written (a copy). */
      if (name != NULL)
        {
          g_hash_table_add (priv->being_written, g_strdup (name));
          pvm_list_page_refresh_soon (self);
        }
      break;

    case G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT:
      /* Only for a file made since: the images of running VMs are
       * written all the time. */
      if (name != NULL && g_hash_table_remove (priv->being_written, name))
        pvm_list_page_refresh_soon (self);
      break;

    case G_FILE_MONITOR_EVENT_DELETED:
    case G_FILE_MONITOR_EVENT_MOVED_IN:
    case G_FILE_MONITOR_EVENT_MOVED_OUT:
      if (name != NULL)
        {
          g_hash_table_remove (priv->being_written, name);
          pvm_list_page_refresh_soon (self);
        }
      break;

    case G_FILE_MONITOR_EVENT_RENAMED:
      if (name != NULL)
        g_hash_table_remove (priv->being_written, name);
      if (name != NULL || other_name != NULL)
        pvm_list_page_refresh_soon (self);
      break;

    case G_FILE_MONITOR_EVENT_CHANGED:
    case G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED:
    case G_FILE_MONITOR_EVENT_PRE_UNMOUNT:
    case G_FILE_MONITOR_EVENT_UNMOUNTED:
    case G_FILE_MONITOR_EVENT_MOVED:
    default:
      break;
    }
}

/**
 * pvm_list_page_watch_directory:
 * @self: a #PvmListPage
 * @path: (nullable): the directory whose files the items are
 *
 * For a page's @load, in its thread: once the load is done, the page
 * follows @path, and reads its items again (pvm_list_page_refresh_soon())
 * when a file is made there (and again once it is written: a copy),
 * removed or renamed, by pVM or anything else. Hidden files do not count:
 * they are temporary files and caches. %NULL: the page follows no
 * directory.
 */
void
pvm_list_page_watch_directory (PvmListPage *self,
                               const char  *path)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  g_mutex_lock (&priv->watch_lock);
  g_free (priv->watch_next);
  priv->watch_next = g_strdup (path);
  g_mutex_unlock (&priv->watch_lock);
}

/* After a load: follows the directory it found, if it is another one. */
static void
watch_next (PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autofree char *path = NULL;
  g_autoptr(GFile) directory = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&priv->watch_lock);
  path = g_steal_pointer (&priv->watch_next);
  g_mutex_unlock (&priv->watch_lock);
  if (g_strcmp0 (path, priv->watched_path) == 0)
    return;

  if (priv->monitor != NULL)
    {
      g_file_monitor_cancel (priv->monitor);
      g_clear_object (&priv->monitor);
    }
  g_hash_table_remove_all (priv->being_written);
  g_free (priv->watched_path);
  priv->watched_path = g_steal_pointer (&path);
  if (priv->watched_path == NULL)
    return;

  directory = g_file_new_for_path (priv->watched_path);
  priv->monitor = g_file_monitor_directory (directory, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (priv->monitor == NULL)
    {
      /* The page still lists it; it just does not follow it. */
      g_debug ("Cannot follow %s: %s", priv->watched_path, error->message);
      return;
    }
  g_signal_connect_object (priv->monitor, "changed", G_CALLBACK (directory_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

void
pvm_list_page_set_empty (PvmListPage *self,
                         const char  *icon_name,
                         const char  *title,
                         const char  *description)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  adw_status_page_set_icon_name (priv->empty_status, icon_name);
  adw_status_page_set_title (priv->empty_status, title);
  adw_status_page_set_description (priv->empty_status, description);
}

void
pvm_list_page_set_error (PvmListPage *self,
                         const char  *icon_name,
                         const char  *title)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  adw_status_page_set_icon_name (priv->error_status, icon_name);
  adw_status_page_set_title (priv->error_status, title);
}

static void
action_bar_shown_cb (GtkStack   *stack,
                     GParamSpec *pspec,
                     GtkWidget  *bar)
{
  const char *shown = gtk_stack_get_visible_child_name (stack);

  if (g_strcmp0 (shown, "loading") != 0)
    gtk_widget_set_visible (bar, g_strcmp0 (shown, "list") == 0 ||
                                 g_strcmp0 (shown, "no-results") == 0);
}

/**
 * pvm_list_page_set_frame:
 * @self: a #PvmListPage
 * @content: what the page shows around its list (from its template, the
 *   page's child until now): it becomes the page's child
 * @overlay: where in @content the list goes (under the page's toasts)
 * @empty_button: the empty state's button, the first thing to do
 * @bar: the page's bar of actions, whose first action @empty_button
 *   offers too
 *
 * Puts the page's list (its stack of states) into @overlay, and
 * @empty_button into its empty state. Shows @bar while the page lists
 * items, or a search of them found none (which is no empty state); hides
 * it in the empty state, where @empty_button stands for it, and with an
 * error. While the page loads, @bar stays as it is.
 */
void
pvm_list_page_set_frame (PvmListPage     *self,
                         GtkWidget       *content,
                         AdwToastOverlay *overlay,
                         GtkWidget       *empty_button,
                         GtkWidget       *bar)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(GtkWidget) list = NULL;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));
  g_return_if_fail (GTK_IS_WIDGET (content));
  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (GTK_IS_WIDGET (empty_button));
  g_return_if_fail (GTK_IS_WIDGET (bar));

  list = g_object_ref (adw_bin_get_child (ADW_BIN (self)));
  adw_bin_set_child (ADW_BIN (self), content);
  adw_toast_overlay_set_child (overlay, list);
  adw_status_page_set_child (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (priv->stack, "empty")),
                             empty_button);

  g_signal_connect_object (priv->stack, "notify::visible-child-name",
                           G_CALLBACK (action_bar_shown_cb), bar, 0);
  action_bar_shown_cb (priv->stack, NULL, bar);
}

/**
 * pvm_list_page_set_row:
 * @row: a row of the page, in its page's @bind_row
 * @title: the item's name, as it is (it is escaped here)
 * @subtitle_markup: up to two lines of details, as Pango markup
 * @icon_name: the row's icon
 *
 * Shows an item in @row as the pages show their items.
 */
void
pvm_list_page_set_row (AdwActionRow *row,
                       const char   *title,
                       const char   *subtitle_markup,
                       const char   *icon_name)
{
  g_autofree char *escaped = NULL;
  GtkWidget *owner;

  g_return_if_fail (ADW_IS_ACTION_ROW (row));

  escaped = g_markup_escape_text (title, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle (row, subtitle_markup);
  adw_action_row_set_icon_name (row, icon_name);
  /* What has the keyboard focus is the list's row around it: named as
   * the item. */
  if ((owner = gtk_widget_get_parent (GTK_WIDGET (row))) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (owner), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                    -1);
}

/**
 * pvm_list_page_get_shown:
 * @self: a #PvmListPage
 *
 * Returns: what the page shows: "loading", "empty", "error" or "list"
 */
const char *
pvm_list_page_get_shown (PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_return_val_if_fail (PVM_IS_LIST_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (priv->stack);
}

/**
 * pvm_list_page_get_items:
 * @self: a #PvmListPage
 *
 * Returns: (transfer none) (nullable): the items listed, or %NULL before
 *   the first load
 */
GPtrArray *
pvm_list_page_get_items (PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_return_val_if_fail (PVM_IS_LIST_PAGE (self), NULL);

  return priv->items;
}

/**
 * pvm_list_page_append_item:
 * @self: a #PvmListPage
 * @item: one of pvm_list_page_get_items()
 *
 * Lists @item, after what is listed so far, unless a search is on and
 * does not find it: for the @add_rows of a page.
 */
void
pvm_list_page_append_item (PvmListPage *self,
                           gpointer     item)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  PvmListEntry *entry;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));
  g_return_if_fail (priv->entries != NULL);

  if (!is_found (self, item))
    return;
  entry = pvm_list_entry_new (ENTRY_ROW);
  entry->items = g_ptr_array_ref (priv->items);
  entry->item = item;
  g_ptr_array_add (priv->entries, entry);
}

/**
 * pvm_list_page_add_group:
 * @self: a #PvmListPage
 * @group: (transfer floating): a group's header: its title, description
 *   and header suffix, no rows
 *
 * Starts a group: the items appended after it are its rows, until the
 * next group. For the @add_rows of a page that shows its items in groups.
 */
void
pvm_list_page_add_group (PvmListPage         *self,
                         AdwPreferencesGroup *group)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  PvmListEntry *entry;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));
  g_return_if_fail (ADW_IS_PREFERENCES_GROUP (group));
  g_return_if_fail (priv->entries != NULL);

  entry = pvm_list_entry_new (ENTRY_HEADER);
  entry->header = g_object_ref_sink (GTK_WIDGET (group));
  g_ptr_array_add (priv->entries, entry);
}

/**
 * pvm_list_page_append_placeholder:
 * @self: a #PvmListPage
 * @title: what it says, such as "No VMs on this host"
 *
 * A dimmed row that is no item: for a group without items.
 */
void
pvm_list_page_append_placeholder (PvmListPage *self,
                                  const char  *title)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  PvmListEntry *entry;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));
  g_return_if_fail (priv->entries != NULL);

  entry = pvm_list_entry_new (ENTRY_PLACEHOLDER);
  entry->title = g_strdup (title);
  g_ptr_array_add (priv->entries, entry);
}

/* --- the rows ---------------------------------------------------------- */

static void
set_class (GtkWidget  *widget,
           const char *name,
           gboolean    set)
{
  if (set)
    gtk_widget_add_css_class (widget, name);
  else
    gtk_widget_remove_css_class (widget, name);
}

/* The list's own row around @child, which the style sheet draws as a part
 * of a card. */
static void
style_owner (GtkWidget    *child,
             PvmListEntry *entry)
{
  GtkWidget *owner = gtk_widget_get_parent (child);
  gboolean card = entry != NULL && entry->kind != ENTRY_HEADER;

  if (owner == NULL)
    return;
  set_class (owner, "pvm-card", card);
  set_class (owner, "pvm-first", card && entry->first);
  set_class (owner, "pvm-last", card && entry->last);
  set_class (owner, "pvm-top", entry != NULL && entry->top);
  set_class (owner, "pvm-bottom", entry != NULL && entry->bottom);
}

/* gtk_widget_activate() on a row, as the tests and bench/scale do (and as
 * it activated a row of a GtkListBox): the list's activation of its item,
 * as a click or Enter does. */
static void
row_activate_cb (AdwActionRow *row,
                 GtkListItem  *list_item)
{
  gtk_widget_activate_action (GTK_WIDGET (row), "list.activate-item", "u",
                              gtk_list_item_get_position (list_item));
}

static GtkWidget *
create_row (PvmListPage *self,
            GtkListItem *list_item,
            EntryKind    kind)
{
  AdwActionRow *row = g_object_new (PVM_TYPE_LIST_ROW, NULL);

  g_object_set_data (G_OBJECT (row), "pvm-list-kind", GINT_TO_POINTER (kind + 1));
  /* The list's row around it takes the focus and activates. */
  gtk_widget_set_focusable (GTK_WIDGET (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  adw_action_row_set_subtitle_lines (row, 2);
  if (kind == ENTRY_PLACEHOLDER)
    gtk_widget_add_css_class (GTK_WIDGET (row), "dim-label");
  else
    {
      g_signal_connect_object (row, "activate", G_CALLBACK (row_activate_cb), list_item, 0);
      if (PVM_LIST_PAGE_GET_CLASS (self)->setup_row != NULL)
        PVM_LIST_PAGE_GET_CLASS (self)->setup_row (self, row);
    }
  return GTK_WIDGET (row);
}

static void
bind_cb (GtkSignalListItemFactory *factory,
         GtkListItem              *list_item,
         PvmListPage              *self)
{
  PvmListEntry *entry = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);

  /* Selectable in a GtkNoSelection: nothing is ever selected, but GTK 4.8
   * gives the focus (keys, Tab) only to selectable items. */
  gtk_list_item_set_selectable (list_item, entry->kind == ENTRY_ROW);
  gtk_list_item_set_activatable (list_item, entry->kind == ENTRY_ROW &&
                                 PVM_LIST_PAGE_GET_CLASS (self)->activate != NULL);

  if (entry->kind == ENTRY_HEADER)
    {
      gtk_list_item_set_child (list_item, entry->header);
      style_owner (entry->header, entry);
      return;
    }

  if (child == NULL ||
      GPOINTER_TO_INT (g_object_get_data (G_OBJECT (child), "pvm-list-kind")) != entry->kind + 1)
    {
      child = create_row (self, list_item, entry->kind);
      gtk_list_item_set_child (list_item, child);
    }
  style_owner (child, entry);

  if (entry->kind == ENTRY_PLACEHOLDER)
    pvm_list_page_set_row (ADW_ACTION_ROW (child), entry->title, NULL, NULL);
  else
    PVM_LIST_PAGE_GET_CLASS (self)->bind_row (self, ADW_ACTION_ROW (child), entry->item);
}

static void
unbind_cb (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           PvmListPage              *self)
{
  PvmListEntry *entry = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (child == NULL)
    return;
  style_owner (child, NULL);
  if (entry != NULL && entry->kind == ENTRY_HEADER)
    {
      /* The group stays with its entry; the row is made again. */
      gtk_list_item_set_child (list_item, NULL);
      return;
    }
  if (entry != NULL && entry->kind == ENTRY_ROW &&
      PVM_LIST_PAGE_GET_CLASS (self)->unbind_row != NULL)
    PVM_LIST_PAGE_GET_CLASS (self)->unbind_row (self, ADW_ACTION_ROW (child), entry->item);
}

static void
activate_cb (GtkListView *list_view,
             guint        position,
             PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(PvmListEntry) entry = g_list_model_get_item (G_LIST_MODEL (priv->store), position);

  if (entry != NULL && entry->kind == ENTRY_ROW && PVM_LIST_PAGE_GET_CLASS (self)->activate != NULL)
    PVM_LIST_PAGE_GET_CLASS (self)->activate (self, entry->item);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  pvm_list_page_reload (PVM_LIST_PAGE (widget));
}

/* The keyboard on the page: its list (the row it was on), else what the
 * page shows (the empty state's button, Try Again). */
static gboolean
pvm_list_page_grab_focus (GtkWidget *widget)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (PVM_LIST_PAGE (widget));
  GtkWidget *shown = gtk_stack_get_visible_child (priv->stack);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (priv->stack), "list") == 0)
    return gtk_widget_grab_focus (GTK_WIDGET (priv->list_view));
  /* Not the page's own child_focus (): GTK's asks grab_focus () again. */
  return shown != NULL && gtk_widget_child_focus (shown, GTK_DIR_TAB_FORWARD);
}

static void
pvm_list_page_dispose (GObject *object)
{
  PvmListPage *self = PVM_LIST_PAGE (object);
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  g_clear_object (&priv->toast);
  g_clear_handle_id (&priv->refresh_source, g_source_remove);
  if (priv->monitor != NULL)
    g_file_monitor_cancel (priv->monitor);
  g_clear_object (&priv->monitor);

  /* AdwBin unparents its child, the template's stack, and with it the
   * list's rows, which show the entries. */
  G_OBJECT_CLASS (pvm_list_page_parent_class)->dispose (object);

  g_clear_object (&priv->store);
  g_clear_pointer (&priv->items, g_ptr_array_unref);
}

static void
pvm_list_page_finalize (GObject *object)
{
  PvmListPage *self = PVM_LIST_PAGE (object);
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_free (priv->watched_path);
  g_free (priv->watch_next);
  g_hash_table_unref (priv->being_written);
  g_strfreev (priv->search_terms);
  g_mutex_clear (&priv->watch_lock);

  G_OBJECT_CLASS (pvm_list_page_parent_class)->finalize (object);
}

static void
pvm_list_page_class_init (PvmListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_list_page_dispose;
  object_class->finalize = pvm_list_page_finalize;

  widget_class->grab_focus = pvm_list_page_grab_focus;

  klass->load_async = pvm_list_page_real_load_async;
  klass->load_finish = pvm_list_page_real_load_finish;
  klass->add_rows = pvm_list_page_real_add_rows;

  /**
   * PvmListPage::loaded:
   * @self: the page
   *
   * The items were loaded and are shown: pvm_list_page_get_items() has
   * them.
   */
  signals[LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-list-page.ui");
  gtk_widget_class_bind_template_child_private (widget_class, PvmListPage, stack);
  gtk_widget_class_bind_template_child_private (widget_class, PvmListPage, empty_status);
  gtk_widget_class_bind_template_child_private (widget_class, PvmListPage, error_status);
  gtk_widget_class_bind_template_child_private (widget_class, PvmListPage, list_view);

  gtk_widget_class_install_action (widget_class, "list.reload", NULL, reload_action);
}

/* The style of the lists, once per display: the pages are shown by the
 * application and, in tests, by themselves. */
static void
load_style (GdkDisplay *display)
{
  static GQuark quark;
  g_autoptr(GtkCssProvider) provider = NULL;

  if (display == NULL)
    return;
  if (quark == 0)
    quark = g_quark_from_static_string ("pvm-list-page-style");
  if (g_object_get_qdata (G_OBJECT (display), quark) != NULL)
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (provider, "/io/github/pvm/Pvm/ui/pvm-list-page.css");
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_qdata_full (G_OBJECT (display), quark, g_steal_pointer (&provider),
                           g_object_unref);
}

static void
pvm_list_page_init (PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  load_style (gtk_widget_get_display (GTK_WIDGET (self)));

  g_mutex_init (&priv->watch_lock);
  priv->being_written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  priv->store = g_list_store_new (PVM_TYPE_LIST_ENTRY);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cb), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_cb), self, 0);
  gtk_list_view_set_factory (priv->list_view, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (priv->store)));
  gtk_list_view_set_model (priv->list_view, GTK_SELECTION_MODEL (selection));
  g_signal_connect_object (priv->list_view, "activate", G_CALLBACK (activate_cb), self, 0);
}

/* ------------------------------------------------------------------ */
/* What the pages that change a repository share                      */

/**
 * pvm_list_page_get_window:
 * @self: a #PvmListPage
 *
 * Returns: (transfer none) (nullable): the window the page is in
 */
GtkWindow *
pvm_list_page_get_window (PvmListPage *self)
{
  GtkRoot *root;

  g_return_val_if_fail (PVM_IS_LIST_PAGE (self), NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/**
 * pvm_list_page_show_message:
 * @self: a #PvmListPage
 * @heading: what happened, as a title
 * @text: the core's message
 *
 * A dialog with @text left-aligned and selectable: the core's messages
 * name files, which users copy.
 */
void
pvm_list_page_show_message (PvmListPage *self,
                            const char  *heading,
                            const char  *text)
{
  GtkWidget *dialog;
  GtkWidget *label;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  dialog = adw_message_dialog_new (pvm_list_page_get_window (self), heading, NULL);
  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
toast_details_cb (AdwToast    *toast,
                  PvmListPage *self)
{
  pvm_list_page_show_message (self, g_object_get_data (G_OBJECT (toast), "text"),
                              g_object_get_data (G_OBJECT (toast), "notes"));
}

static void
toast_dismissed_cb (PvmListPage *self,
                    AdwToast    *toast)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  if (priv->toast == toast)
    g_clear_object (&priv->toast);
}

static void
set_toast (AdwToast   *toast,
           const char *title,
           const char *text,
           const char *notes)
{
  gboolean details = notes != NULL && *notes != '\0';

  adw_toast_set_title (toast, title);
  g_object_set_data_full (G_OBJECT (toast), "text", g_strdup (text), g_free);
  g_object_set_data_full (G_OBJECT (toast), "notes", details ? g_strdup (notes) : NULL, g_free);
  adw_toast_set_button_label (toast, details ? _("_Details") : NULL);
}

/**
 * pvm_list_page_show_toast:
 * @self: a #PvmListPage
 * @overlay: the page's toast overlay
 * @text: what was done
 * @notes: (nullable): the core's notes about it, behind a Details button
 *
 * A toast in place of the last one, which is stale. A toast added less
 * than a second before says the new text itself: libadwaita 1.2 frees a
 * toast dismissed while it still slides in, in place of another one, before
 * its slide ends, and crashes then.
 */
void
pvm_list_page_show_toast (PvmListPage     *self,
                          AdwToastOverlay *overlay,
                          const char      *text,
                          const char      *notes)
{
  PvmListPagePrivate *priv;
  g_autofree char *title = NULL;
  AdwToast *toast;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));
  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));

  priv = pvm_list_page_get_instance_private (self);
  title = g_markup_escape_text (text, -1);   /* names hold any character */

  if (priv->toast != NULL && g_get_monotonic_time () - priv->toast_time < G_USEC_PER_SEC)
    {
      set_toast (priv->toast, title, text, notes);
      return;
    }

  toast = adw_toast_new (title);
  set_toast (toast, title, text, notes);
  if (priv->toast != NULL)
    pvm_toasts_dismiss (priv->toast);
  g_set_object (&priv->toast, toast);
  priv->toast_time = g_get_monotonic_time ();
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_details_cb), self, 0);
  pvm_toasts_add (overlay, toast);
}

/**
 * pvm_list_page_present_dialog:
 * @self: a #PvmListPage
 * @dialog: an #AdwMessageDialog or another dialog with a "response" signal
 * @response: the response that does the work
 * @response_cb: called with @self as its last argument on @response
 *
 * Shows @dialog over the page's window.
 */
void
pvm_list_page_present_dialog (PvmListPage *self,
                              gpointer     dialog,
                              const char  *response,
                              GCallback    response_cb)
{
  g_autofree char *signal = NULL;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  signal = g_strconcat ("response::", response, NULL);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), pvm_list_page_get_window (self));
  g_signal_connect_object (dialog, signal, response_cb, self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
