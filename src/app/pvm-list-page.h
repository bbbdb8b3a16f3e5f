/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PVM_TYPE_LIST_PAGE (pvm_list_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (PvmListPage, pvm_list_page, PVM, LIST_PAGE, AdwBin)

/**
 * PvmListPageClass:
 * @load: reads the items; runs in a thread, so it may block (libvirt,
 *   files) but must not touch widgets
 * @load_async: reads the items without blocking the main thread; by
 *   default, runs @load in a thread
 * @load_finish: the items @load_async read
 * @setup_row: adds what a page's rows show besides their title, subtitle
 *   and icon (suffix buttons, say) to a new row; rows are reused for
 *   other items, so nothing of an item goes in here
 * @bind_row: shows @item in @row (pvm_list_page_set_row() and the
 *   widgets of @setup_row), on the main thread
 * @unbind_row: undoes what @bind_row connected, before @row shows
 *   another item; may be %NULL
 * @activate: what activating the row of @item (a click, Enter) does; %NULL
 *   for a page whose rows are not activatable
 * @add_rows: lists the items; by default, a row for each in the page's
 *   list (pvm_list_page_append_item()). A page may put them in groups of
 *   its own (pvm_list_page_add_group()) instead.
 * @get_item_name: the name of @item, which a search looks for
 *   (pvm_list_page_set_search()); %NULL: every item is found
 *
 * A page that lists what a repository or libvirt holds: a spinner while it
 * loads, an empty state, the list, or why it could not be read with a way
 * to try again (the list.reload action). The list is a #GtkListView: only
 * the rows on screen exist, reused as the list scrolls, so a thousand
 * items cost what a screenful does.
 */
struct _PvmListPageClass
{
  AdwBinClass parent_class;

  GPtrArray *(*load)        (PvmListPage         *self,
                             GCancellable        *cancellable,
                             GError             **error);
  void       (*load_async)  (PvmListPage         *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data);
  GPtrArray *(*load_finish) (PvmListPage         *self,
                             GAsyncResult        *result,
                             GError             **error);
  void       (*setup_row)   (PvmListPage         *self,
                             AdwActionRow        *row);
  void       (*bind_row)    (PvmListPage         *self,
                             AdwActionRow        *row,
                             gpointer             item);
  void       (*unbind_row)  (PvmListPage         *self,
                             AdwActionRow        *row,
                             gpointer             item);
  void       (*activate)    (PvmListPage         *self,
                             gpointer             item);
  void       (*add_rows)    (PvmListPage         *self,
                             GPtrArray           *items);
  const char *(*get_item_name) (PvmListPage      *self,
                                gpointer          item);
};

void        pvm_list_page_set_empty     (PvmListPage *self,
                                         const char  *icon_name,
                                         const char  *title,
                                         const char  *description);
void        pvm_list_page_set_frame     (PvmListPage     *self,
                                         GtkWidget       *content,
                                         AdwToastOverlay *overlay,
                                         GtkWidget       *empty_button,
                                         GtkWidget       *bar);
void        pvm_list_page_set_error     (PvmListPage *self,
                                         const char  *icon_name,
                                         const char  *title);
void        pvm_list_page_reload        (PvmListPage *self);
void        pvm_list_page_refresh_soon  (PvmListPage *self);
void        pvm_list_page_set_search    (PvmListPage *self,
                                         const char  *text);
void        pvm_list_page_watch_directory (PvmListPage *self,
                                           const char  *path);
void        pvm_list_page_set_row       (AdwActionRow *row,
                                         const char   *title,
                                         const char   *subtitle_markup,
                                         const char   *icon_name);
const char *pvm_list_page_get_shown     (PvmListPage *self);
GtkWindow  *pvm_list_page_get_window    (PvmListPage *self);
void        pvm_list_page_show_message  (PvmListPage *self,
                                         const char  *heading,
                                         const char  *text);
void        pvm_list_page_show_toast    (PvmListPage     *self,
                                         AdwToastOverlay *overlay,
                                         const char      *text,
                                         const char      *notes);
void        pvm_list_page_present_dialog (PvmListPage *self,
                                          gpointer     dialog,
                                          const char  *response,
                                          GCallback    response_cb);
GPtrArray  *pvm_list_page_get_items     (PvmListPage *self);
void        pvm_list_page_append_item   (PvmListPage         *self,
                                         gpointer             item);
void        pvm_list_page_add_group     (PvmListPage         *self,
                                         AdwPreferencesGroup *group);
void        pvm_list_page_append_placeholder (PvmListPage    *self,
                                              const char     *title);

G_END_DECLS
