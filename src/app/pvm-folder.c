/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-folder.c: folders and the user: showing one in the file manager, and
 * asking for one. GTK 4.8 has neither GtkFileLauncher nor GtkFileDialog
 * (4.10): a folder is opened through its file:// URI and the default
 * handler of directories, with the display's launch context, and chosen
 * with a GtkFileChooserNative. */

#define G_LOG_DOMAIN "pvm-folder"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-folder.h"

static void
launched_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, error->domain, error->code,
                             _("Cannot open %s: %s. Is a file manager installed?"),
                             (const char *) g_task_get_task_data (task), error->message);
}

/**
 * pvm_folder_open_async:
 * @widget: a widget on the display to open the file manager on
 * @path: a folder
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file manager was started, or not
 * @user_data: data for @callback
 *
 * Opens @path in the file manager.
 */
void
pvm_folder_open_async (GtkWidget           *widget,
                       const char          *path,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GdkAppLaunchContext) context = NULL;
  g_autofree char *uri = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (path != NULL);

  task = g_task_new (widget, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_folder_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);

  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (widget));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), cancellable,
                                           launched_cb, g_steal_pointer (&task));
}

gboolean
pvm_folder_open_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pvm_folder_chooser_new:
 * @parent: the window it is modal for
 * @title: what it asks for
 * @path: the folder chosen so far; it need not exist
 *
 * A chooser of one folder, opened on @path, or where @path would be made.
 * Connect to its "response" and show it.
 *
 * Returns: (transfer full): the chooser
 */
GtkFileChooserNative *
pvm_folder_chooser_new (GtkWindow  *parent,
                        const char *title,
                        const char *path)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GFile) file = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (title != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  file = g_file_new_for_path (path);
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL);
      return chooser;
    }

  /* The nearest folder that exists. */
  while (file != NULL && !g_file_query_exists (file, NULL))
    {
      GFile *up = g_file_get_parent (file);

      g_object_unref (file);
      file = up;
    }
  if (file != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), file, NULL);
  return chooser;
}
