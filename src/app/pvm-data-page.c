/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-data-page.c: the Data page: the SquashFS archives of SQUASHREPO,
 * with their compressor, sizes and ratio. And what "pvm squash" does: a
 * folder, dropped on the page from the file manager or picked, becomes an
 * archive (pvm_squash_repo_create_async(), its progress shown, Cancel
 * leaving nothing); an archive can be deleted. One change at a time.
 * The page follows SQUASHREPO: archives that "pvm squash" or anything
 * else adds, removes or renames there show at once. */

#define G_LOG_DOMAIN "pvm-data-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-archive-create-dialog.h"
#include "pvm-core.h"
#include "pvm-data-page.h"

struct _PvmDataPage
{
  PvmListPage           parent_instance;

  /* Owned */
  char                 *job_name;        /* the archive made or deleted, or NULL */
  GCancellable         *job_cancellable; /* of the job: Cancel, and dispose */
  GtkFileChooserNative *chooser;         /* while a folder is picked */
  gboolean              disposed;

  /* Template widgets */
  GtkWidget            *content;
  AdwToastOverlay      *toast_overlay;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkActionBar         *action_bar;
  GtkWidget            *empty_button;
};

G_DEFINE_FINAL_TYPE (PvmDataPage, pvm_data_page, PVM_TYPE_LIST_PAGE)

/* The configuration, as pvm reads it, and its data repository. */
static PvmSquashRepo *
open_repo (GError **error)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();

  const char *directory;

  if (!pvm_config_load_default (config, NULL, error) ||
      (directory = pvm_config_ensure_repository (config, "SQUASHREPO", error)) == NULL)
    return NULL;
  return pvm_squash_repo_new (directory);
}

#define get_window(self) pvm_list_page_get_window (PVM_LIST_PAGE (self))
#define show_error(self, heading, text) \
  pvm_list_page_show_message (PVM_LIST_PAGE (self), heading, text)
#define toast(self, text) \
  pvm_list_page_show_toast (PVM_LIST_PAGE (self), (self)->toast_overlay, text, NULL)
#define present_dialog(self, dialog, response, response_cb) \
  pvm_list_page_present_dialog (PVM_LIST_PAGE (self), dialog, response, response_cb)

/* One job at a time: says so if one runs. */
static gboolean
refuse_if_busy (PvmDataPage *self)
{
  if (self->job_name == NULL)
    return FALSE;
  toast (self, _("One change at a time: wait for the one that runs, or cancel it"));
  return TRUE;
}

/* Cancel is for making an archive. Returns: whether the job may start (a
 * dialog may have been opened before the job that runs). */
static gboolean
start_job (PvmDataPage *self,
           const char  *name,
           gboolean     cancellable)
{
  if (refuse_if_busy (self))
    return FALSE;

  self->job_name = g_strdup (name);
  self->job_cancellable = g_cancellable_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.add", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.delete", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.cancel", cancellable);
  gtk_revealer_set_reveal_child (self->progress_revealer, cancellable);
  return TRUE;
}

/* Returns: whether the page is still there to show the result. */
static gboolean
finish_job (PvmDataPage *self)
{
  g_clear_pointer (&self->job_name, g_free);
  g_clear_object (&self->job_cancellable);
  if (self->disposed)
    return FALSE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.add", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.delete", TRUE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.cancel", FALSE);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  pvm_list_page_reload (PVM_LIST_PAGE (self));
  return TRUE;
}

/* --- create -------------------------------------------------------------- */

static void
create_progress_cb (double   fraction,
                    guint64  bytes_done,
                    guint64  bytes_total,
                    gpointer user_data)
{
  PvmDataPage *self = user_data;
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  g_autofree char *text = NULL;

  if (self->disposed || self->job_name == NULL)
    return;
  done = pvm_size_format (bytes_done);
  total = pvm_size_format (bytes_total);
  /* Nothing counted yet: the folder is being read. */
  text = bytes_total == 0 ? g_strdup_printf (_("Archiving “%s”…"), self->job_name)
                          : g_strdup_printf (_("Archiving “%s”: %.0f %% · %s of %s"),
                                             self->job_name, fraction * 100.0, done, total);
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
create_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PvmDataPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autofree char *name = g_strdup (self->job_name);
  g_autofree char *size = NULL;
  g_autofree char *done = NULL;
  g_autofree char *heading = NULL;

  archive = pvm_squash_repo_create_finish (PVM_SQUASH_REPO (object), result, &error);
  if (!finish_job (self))
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      toast (self, _("Cancelled: no archive was made"));
      return;
    }
  if (archive == NULL)
    {
      heading = g_strdup_printf (_("Cannot Create “%s”"), name);
      show_error (self, heading, error->message);
      return;
    }

  size = pvm_size_format (archive->archive_size);
  if (archive->has_stats && archive->ratio > 0.0)
    done = g_strdup_printf (_("Created “%s”: %s, ratio %.2f"), archive->name, size,
                            archive->ratio);
  else
    done = g_strdup_printf (_("Created “%s”: %s"), archive->name, size);
  toast (self, done);
}

static void
create_cb (PvmArchiveCreateDialog *dialog,
           const char             *response,
           PvmDataPage            *self)
{
  g_autoptr(PvmSquashRepo) repo = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = pvm_archive_create_dialog_get_name (dialog);

  /* Reading pvm.conf is the only file read here. */
  if ((repo = open_repo (&error)) == NULL)
    {
      show_error (self, _("Cannot Read the Configuration"), error->message);
      return;
    }
  if (!start_job (self, name, TRUE))
    return;

  create_progress_cb (0.0, 0, 0, self);
  pvm_squash_repo_create_async (repo, pvm_archive_create_dialog_get_source (dialog), name,
                                pvm_archive_create_dialog_get_compressor (dialog),
                                create_progress_cb, self, self->job_cancellable, create_done_cb,
                                g_object_ref (self));
}

/**
 * pvm_data_page_add_folder:
 * @self: a #PvmDataPage
 * @folder: a local folder, dropped on the page or picked
 *
 * Asks for the name and compressor of an archive of @folder, then makes
 * it, its progress shown on the page. This is what a drop of a folder
 * on the page does.
 */
void
pvm_data_page_add_folder (PvmDataPage *self,
                          GFile       *folder)
{
  g_autofree char *path = NULL;

  g_return_if_fail (PVM_IS_DATA_PAGE (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (refuse_if_busy (self))
    return;
  if ((path = g_file_get_path (folder)) == NULL)
    {
      g_autofree char *uri = g_file_get_uri (folder);
      g_autofree char *message = g_strdup_printf (_("%s is not a local folder: copy it to this "
                                                    "computer first"), uri);

      show_error (self, _("Cannot Archive It"), message);
      return;
    }

  present_dialog (self, pvm_archive_create_dialog_new (path), "create", G_CALLBACK (create_cb));
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         PvmDataPage   *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  if (files->next != NULL)
    toast (self, _("One folder at a time: the first is archived"));
  pvm_data_page_add_folder (self, files->data);
  g_slist_free (files);
  return TRUE;
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     PvmDataPage     *self)
{
  g_autoptr(GFile) folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (folder != NULL)
    pvm_data_page_add_folder (self, folder);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  PvmDataPage *self = PVM_DATA_PAGE (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Choose a Folder to Archive"), get_window (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Archive"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmDataPage *self = PVM_DATA_PAGE (widget);

  g_cancellable_cancel (self->job_cancellable);
}

/* --- delete -------------------------------------------------------------- */

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  const char *name = task_data;
  g_autoptr(PvmSquashRepo) repo = NULL;
  GError *error = NULL;

  if ((repo = open_repo (&error)) == NULL || !pvm_squash_repo_delete (repo, name, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  PvmDataPage *self = PVM_DATA_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup (self->job_name);
  g_autofree char *text = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  if (!finish_job (self))
    return;

  if (error != NULL)
    {
      text = g_strdup_printf (_("Cannot Delete “%s”"), name);
      show_error (self, text, error->message);
      return;
    }
  text = g_strdup_printf (_("Deleted “%s”"), name);
  toast (self, text);
}

static void
delete_cb (AdwMessageDialog *dialog,
           const char       *response,
           PvmDataPage      *self)
{
  g_autoptr(GTask) task = NULL;

  if (!start_job (self, g_object_get_data (G_OBJECT (dialog), "archive"), FALSE))
    return;

  task = g_task_new (self, self->job_cancellable, delete_done_cb, NULL);
  g_task_set_source_tag (task, delete_cb);
  g_task_set_task_data (task, g_strdup (self->job_name), g_free);
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, delete_thread);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  const char *name = g_variant_get_string (parameter, NULL);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (NULL, NULL, NULL));

  adw_message_dialog_format_heading (dialog, _("Delete “%s”?"), name);
  adw_message_dialog_set_body (dialog,
                               _("The archive is deleted for good. The folder it was made of, "
                                 "if it is still there, stays as it is."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "archive", g_strdup (name), g_free);
  present_dialog (PVM_DATA_PAGE (widget), dialog, "delete", G_CALLBACK (delete_cb));
}

/* --- the list ------------------------------------------------------------ */

static char *
dup_subtitle (PvmSquashArchive *archive)
{
  g_autofree char *size = pvm_size_format (archive->archive_size);
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_printf (text, "%s · %s", size,
                   archive->compressor != NULL ? archive->compressor : _("unknown compressor"));
  if (!archive->usable && archive->problem != NULL)
    g_string_append_printf (text, _("\nNot usable: %s"), archive->problem);
  else if (archive->has_stats)
    {
      g_autofree char *uncompressed = pvm_size_format (archive->uncompressed_size);
      /* A number, not G_GUINT64_FORMAT in the message: xgettext cannot
       * read a macro inside a string, and the message would never be
       * translated. */
      g_autofree char *files = g_strdup_printf ("%" G_GUINT64_FORMAT, archive->files);

      /* Translators: the size of the data, the number of its files, and
       * the compression ratio */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "\n%s in %s file, ratio %.2f",
                                                 "\n%s in %s files, ratio %.2f",
                                                 archive->files),
                              uncompressed, files, archive->ratio);
    }
  return g_markup_escape_text (text->str, -1);
}

/* A row's Delete button, made once; pvm_data_page_bind_row() points it at
 * an archive. */
static void
pvm_data_page_setup_row (PvmListPage  *page,
                         AdwActionRow *row)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  adw_action_row_add_suffix (row, button);
  g_object_set_data (G_OBJECT (row), "delete-button", button);
}

static void
pvm_data_page_bind_row (PvmListPage  *page,
                        AdwActionRow *row,
                        gpointer      item)
{
  PvmSquashArchive *archive = item;
  g_autofree char *subtitle = dup_subtitle (archive);
  g_autofree char *tooltip = g_strdup_printf (_("Delete “%s”"), archive->name);
  GtkWidget *button = g_object_get_data (G_OBJECT (row), "delete-button");

  pvm_list_page_set_row (row, archive->name, subtitle,
                         archive->usable ? "package-x-generic-symbolic" : "dialog-error-symbolic");
  /* Its target first: the action takes one. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button),
                                          g_variant_new_string (archive->name));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "data.delete");
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
}

static GPtrArray *
pvm_data_page_load (PvmListPage   *page,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(PvmSquashRepo) repo = open_repo (error);
  GPtrArray *archives;

  if (repo == NULL || (archives = pvm_squash_repo_list (repo, cancellable, error)) == NULL)
    return NULL;
  pvm_list_page_watch_directory (page, pvm_squash_repo_get_directory (repo));
  return archives;
}

static void
pvm_data_page_dispose (GObject *object)
{
  PvmDataPage *self = PVM_DATA_PAGE (object);

  /* A job that runs holds the page until it is done; it shows nothing
   * after this. */
  self->disposed = TRUE;
  g_cancellable_cancel (self->job_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (pvm_data_page_parent_class)->dispose (object);
}

static void
pvm_data_page_finalize (GObject *object)
{
  PvmDataPage *self = PVM_DATA_PAGE (object);

  g_free (self->job_name);
  g_clear_object (&self->job_cancellable);

  G_OBJECT_CLASS (pvm_data_page_parent_class)->finalize (object);
}

static const char *
pvm_data_page_get_item_name (PvmListPage *page,
                             gpointer     item)
{
  PvmSquashArchive *archive = item;

  return archive->name;
}

static void
pvm_data_page_class_init (PvmDataPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PvmListPageClass *page_class = PVM_LIST_PAGE_CLASS (klass);

  object_class->dispose = pvm_data_page_dispose;
  object_class->finalize = pvm_data_page_finalize;

  page_class->load = pvm_data_page_load;
  page_class->setup_row = pvm_data_page_setup_row;
  page_class->get_item_name = pvm_data_page_get_item_name;
  page_class->bind_row = pvm_data_page_bind_row;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-data-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmDataPage, content);
  gtk_widget_class_bind_template_child (widget_class, PvmDataPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvmDataPage, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, PvmDataPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PvmDataPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmDataPage, action_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmDataPage, empty_button);

  gtk_widget_class_install_action (widget_class, "data.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "data.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "data.cancel", NULL, cancel_action);
}

static void
pvm_data_page_init (PvmDataPage *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The list under the toasts, above the progress and the action bar;
   * the action bar's Add Data is the empty state's button: one of them. */
  pvm_list_page_set_frame (PVM_LIST_PAGE (self), self->content, self->toast_overlay,
                           self->empty_button, GTK_WIDGET (self->action_bar));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "data.cancel", FALSE);

  /* Folders dropped from the file manager. */
  g_signal_connect_object (drop, "drop", G_CALLBACK (drop_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  pvm_list_page_set_empty (PVM_LIST_PAGE (self), "folder-symbolic", _("No Data"),
                           _("SquashFS archives of your data appear here: read-only inputs for "
                             "your VMs. Drop a folder here to archive it."));
  pvm_list_page_set_error (PVM_LIST_PAGE (self), "folder-symbolic", _("Cannot Read the Data"));
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}
