/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-list-page.c: the base of the Machines, Images and Data pages: load
 * in a thread, then an empty state, a list of rows, or an error with a way
 * to try again. */

#define G_LOG_DOMAIN "pvm-list-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-list-page.h"

typedef struct
{
  /* Owned */
  GCancellable  *cancellable;
  GPtrArray     *items;          /* what load() returned */
  AdwToast      *toast;          /* shown last, until dismissed */

  /* Template widgets */
  GtkStack      *stack;
  AdwStatusPage *empty_status;
  AdwStatusPage *error_status;
  GtkListBox    *list_box;
} PvmListPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (PvmListPage, pvm_list_page, ADW_TYPE_BIN)

enum {
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

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
show_items (PvmListPage *self)
{
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (priv->list_box))) != NULL)
    gtk_list_box_remove (priv->list_box, child);

  for (guint i = 0; i < priv->items->len; i++)
    gtk_list_box_append (priv->list_box,
                         PVM_LIST_PAGE_GET_CLASS (self)->create_row (self,
                                                                     priv->items->pdata[i]));

  gtk_stack_set_visible_child_name (priv->stack, priv->items->len > 0 ? "list" : "empty");
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvmListPage *self = PVM_LIST_PAGE (object);
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  GPtrArray *items = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (items == NULL)
    {
      adw_status_page_set_description (priv->error_status, error->message);
      gtk_stack_set_visible_child_name (priv->stack, "error");
      return;
    }

  g_clear_pointer (&priv->items, g_ptr_array_unref);
  priv->items = items;
  show_items (self);
  g_signal_emit (self, signals[LOADED], 0);
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
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_LIST_PAGE (self));

  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  priv->cancellable = g_cancellable_new ();

  gtk_stack_set_visible_child_name (priv->stack, "loading");
  task = g_task_new (self, priv->cancellable, load_done_cb, NULL);
  g_task_set_source_tag (task, pvm_list_page_reload);
  g_task_run_in_thread (task, load_thread);
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

/**
 * pvm_list_page_new_row:
 * @title: the item's name, as it is (it is escaped here)
 * @subtitle_markup: up to two lines of details, as Pango markup
 * @icon_name: the row's icon
 *
 * Returns: (transfer floating): a row as the pages show their items
 */
AdwActionRow *
pvm_list_page_new_row (const char *title,
                       const char *subtitle_markup,
                       const char *icon_name)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle (row, subtitle_markup);
  adw_action_row_set_subtitle_lines (row, 2);
  adw_action_row_set_icon_name (row, icon_name);
  return row;
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

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  pvm_list_page_reload (PVM_LIST_PAGE (widget));
}

static void
pvm_list_page_dispose (GObject *object)
{
  PvmListPage *self = PVM_LIST_PAGE (object);
  PvmListPagePrivate *priv = pvm_list_page_get_instance_private (self);

  g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  g_clear_pointer (&priv->items, g_ptr_array_unref);
  g_clear_object (&priv->toast);

  /* AdwBin unparents its child, the template's stack. */
  G_OBJECT_CLASS (pvm_list_page_parent_class)->dispose (object);
}

static void
pvm_list_page_class_init (PvmListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_list_page_dispose;

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
  gtk_widget_class_bind_template_child_private (widget_class, PvmListPage, list_box);

  gtk_widget_class_install_action (widget_class, "list.reload", NULL, reload_action);
}

static void
pvm_list_page_init (PvmListPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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

/**
 * pvm_list_page_show_toast:
 * @self: a #PvmListPage
 * @overlay: the page's toast overlay
 * @text: what was done
 * @notes: (nullable): the core's notes about it, behind a Details button
 *
 * A toast in place of the last one, which is stale.
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
  toast = adw_toast_new (title);
  if (priv->toast != NULL)
    adw_toast_dismiss (priv->toast);
  g_set_object (&priv->toast, toast);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self,
                           G_CONNECT_SWAPPED);
  if (notes != NULL && *notes != '\0')
    {
      g_object_set_data_full (G_OBJECT (toast), "text", g_strdup (text), g_free);
      g_object_set_data_full (G_OBJECT (toast), "notes", g_strdup (notes), g_free);
      adw_toast_set_button_label (toast, _("_Details"));
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_details_cb), self, 0);
    }
  adw_toast_overlay_add_toast (overlay, toast);
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
