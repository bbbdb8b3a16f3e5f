/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void                  pvm_folder_open_async    (GtkWidget            *widget,
                                                const char           *path,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean              pvm_folder_open_finish   (GAsyncResult         *result,
                                                GError              **error);
GtkFileChooserNative *pvm_folder_chooser_new   (GtkWindow            *parent,
                                                const char           *title,
                                                const char           *path);

G_END_DECLS
