/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-drag-source: a window that a pointer drags files from, as a file
 * manager does, for check-agent's drop on the console.
 *
 *   pvm-drag-source FILE...
 *
 * Shows a 160x100 window titled "pvm-drag-source"; a drag that starts in
 * it carries FILE... as a file list (text/uri-list over XDND). */

#include <gtk/gtk.h>

static GdkContentProvider *
prepare_cb (GtkDragSource *source,
            double         x,
            double         y,
            gpointer       user_data)
{
  char **paths = user_data;
  g_autoslist(GFile) files = NULL;
  GdkContentProvider *provider;
  GdkFileList *list;

  for (guint i = 0; paths[i] != NULL; i++)
    files = g_slist_append (files, g_file_new_for_commandline_arg (paths[i]));
  list = gdk_file_list_new_from_list (files);
  provider = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  return provider;
}

int
main (int    argc,
      char **argv)
{
  GtkDragSource *source;
  GtkWidget *window;
  GtkWidget *label;

  if (argc < 2)
    {
      g_printerr ("Usage: pvm-drag-source FILE...\n");
      return 2;
    }
  gtk_init ();

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "pvm-drag-source");
  label = gtk_label_new ("Drag");
  gtk_widget_set_size_request (label, 160, 100);
  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (prepare_cb), argv + 1);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (source));
  gtk_window_set_child (GTK_WINDOW (window), label);
  gtk_window_present (GTK_WINDOW (window));

  while (g_list_model_get_n_items (gtk_window_get_toplevels ()) > 0)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}
