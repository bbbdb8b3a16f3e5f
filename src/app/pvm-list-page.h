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
 * @create_row: a row of the list for one item, on the main thread
 *
 * A page that lists what a repository or libvirt holds: a spinner while it
 * loads, an empty state, the list, or why it could not be read with a way
 * to try again (the list.reload action).
 */
struct _PvmListPageClass
{
  AdwBinClass parent_class;

  GPtrArray *(*load)       (PvmListPage   *self,
                            GCancellable  *cancellable,
                            GError       **error);
  GtkWidget *(*create_row) (PvmListPage   *self,
                            gpointer       item);
};

void        pvm_list_page_set_empty     (PvmListPage *self,
                                         const char  *icon_name,
                                         const char  *title,
                                         const char  *description);
void        pvm_list_page_set_error     (PvmListPage *self,
                                         const char  *icon_name,
                                         const char  *title);
void        pvm_list_page_reload        (PvmListPage *self);
AdwActionRow *pvm_list_page_new_row     (const char  *title,
                                         const char  *subtitle_markup,
                                         const char  *icon_name);
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

G_END_DECLS
