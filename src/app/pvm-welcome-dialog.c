/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-welcome-dialog.c: the first run, in three pages.
 *
 * 1. What this host offers (pvm_host_check_run_async(), as "pvm host"),
 *    each problem with what to do, and "Check Again".
 * 2. The image and data repositories: the configuration's folders, another
 *    one chosen, or the settings of an original pVM.cfg adopted (as "pvm
 *    config import"). Next creates the folders and saves the core's
 *    pvm.conf, which the pvm command reads too.
 * 3. A demo image built on this host (pvm_demo_image_create_async(), as
 *    "pvm image demo"), with its progress and Cancel, or Skip.
 *
 * Everything slow runs in a thread or a subprocess: the window never
 * waits. "changed" tells the main window to read its lists again. */

#define G_LOG_DOMAIN "pvm-welcome-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-folder.h"
#include "pvm-toasts.h"
#include "pvm-welcome-dialog.h"

struct _PvmWelcomeDialog
{
  AdwWindow             parent_instance;

  /* Owned */
  GCancellable         *cancellable;       /* the host check and the save */
  GCancellable         *demo_cancellable;  /* the demo build under way */
  PvmConfig            *config;            /* what page 2 saves */
  char                 *config_path;
  char                 *config_error;      /* pvm.conf exists but could not be read */
  char                 *legacy_path;       /* an original pVM.cfg, or NULL */
  GPtrArray            *host_items;        /* PvmHostCheckItem; NULL while checking */
  GPtrArray            *host_rows;         /* the rows of host_group */
  GtkFileChooserNative *chooser;

  PvmWelcomeDemoState   demo_state;
  guint                 checking : 1;
  guint                 saving : 1;
  guint                 adopted : 1;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkButton            *back_button;
  GtkButton            *next_button;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwPreferencesGroup  *host_group;
  GtkSpinner           *host_spinner;
  AdwPreferencesGroup  *adopt_group;
  AdwActionRow         *adopt_row;
  GtkButton            *adopt_button;
  AdwActionRow         *images_row;
  AdwActionRow         *data_row;
  GtkLabel             *config_label;
  GtkLabel             *save_error_label;
  AdwStatusPage        *demo_status;
  GtkButton            *demo_button;
  GtkWidget            *demo_progress_box;
  GtkProgressBar       *demo_progress;
  GtkLabel             *demo_label;
};

G_DEFINE_FINAL_TYPE (PvmWelcomeDialog, pvm_welcome_dialog, ADW_TYPE_WINDOW)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The demo page's description until there is an image. */
static const char demo_description[] =
  N_("pVM can build a small Linux image on this computer, from its own kernel and busybox, in "
     "a few seconds and with no download: a VM to try everything with.");

/* The pages, in order. */
static const char * const page_names[] = { "host", "repositories", "demo" };

static const char * const folder_keys[] = {
  [PVM_WELCOME_FOLDER_IMAGES] = "DRIVEREPO",
  [PVM_WELCOME_FOLDER_DATA] = "SQUASHREPO",
};

static guint
page_index (PvmWelcomeDialog *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    if (g_strcmp0 (name, page_names[i]) == 0)
      return i;
  g_return_val_if_reached (0);
}

static void
toast (PvmWelcomeDialog *self,
       const char       *title)
{
  pvm_toasts_add (self->toast_overlay, adw_toast_new (title));
}

static void
update_actions (PvmWelcomeDialog *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint page = page_index (self);
  gboolean building = self->demo_state == PVM_WELCOME_DEMO_RUNNING;
  gboolean busy = self->saving || building;

  gtk_widget_action_set_enabled (widget, "welcome.back", page > 0 && !busy);
  gtk_widget_action_set_enabled (widget, "welcome.next",
                                 !busy && (page != 1 || self->config_error == NULL));
  gtk_widget_action_set_enabled (widget, "welcome.check", !self->checking);
  gtk_widget_action_set_enabled (widget, "welcome.choose", !self->saving);
  gtk_widget_action_set_enabled (widget, "welcome.adopt",
                                 !self->saving && self->legacy_path != NULL && !self->adopted);
  gtk_widget_action_set_enabled (widget, "welcome.create-demo",
                                 !building && self->demo_state != PVM_WELCOME_DEMO_DONE);
  gtk_widget_action_set_enabled (widget, "welcome.cancel-demo", building);
}

/* --- page 1: the host ---------------------------------------------------- */

static const char *
status_icon (PvmHostCheckStatus status)
{
  switch (status)
    {
    case PVM_HOST_CHECK_OK:
      return "emblem-ok-symbolic";
    case PVM_HOST_CHECK_WARNING:
      return "dialog-warning-symbolic";
    case PVM_HOST_CHECK_ERROR:
      return "dialog-error-symbolic";
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char *
status_style (PvmHostCheckStatus status)
{
  switch (status)
    {
    case PVM_HOST_CHECK_OK:
      return "success";
    case PVM_HOST_CHECK_WARNING:
      return "warning";
    case PVM_HOST_CHECK_ERROR:
      return "error";
    default:
      g_return_val_if_reached (NULL);
    }
}

static GtkWidget *
create_host_row (PvmHostCheckItem *item)
{
  g_autofree char *detail = g_markup_escape_text (item->detail, -1);
  g_autofree char *subtitle = NULL;
  AdwActionRow *row;
  GtkWidget *icon;

  if (item->what_to_do != NULL && item->status != PVM_HOST_CHECK_OK)
    {
      g_autofree char *what_to_do = g_markup_escape_text (item->what_to_do, -1);

      /* Translators: before what to do about a problem of the host */
      subtitle = g_strdup_printf ("%s\n<b>%s</b> %s", detail, _("What to do:"), what_to_do);
    }
  else
    subtitle = g_steal_pointer (&detail);

  row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
  adw_action_row_set_subtitle (row, subtitle);
  icon = gtk_image_new_from_icon_name (status_icon (item->status));
  gtk_widget_add_css_class (icon, status_style (item->status));
  gtk_widget_set_tooltip_text (icon, item->status == PVM_HOST_CHECK_OK ? _("Fine")
                                     : item->status == PVM_HOST_CHECK_WARNING ? _("Warning")
                                     : _("Problem"));
  adw_action_row_add_prefix (row, icon);
  return GTK_WIDGET (row);
}

static void
clear_host_rows (PvmWelcomeDialog *self)
{
  for (guint i = 0; i < self->host_rows->len; i++)
    adw_preferences_group_remove (self->host_group, g_ptr_array_index (self->host_rows, i));
  g_ptr_array_set_size (self->host_rows, 0);
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PvmWelcomeDialog) self = user_data;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = pvm_host_check_run_finish (result, &error);
  if (items == NULL)
    return;    /* cancelled: the dialog is going away */

  self->checking = FALSE;
  gtk_spinner_stop (self->host_spinner);
  clear_host_rows (self);
  for (guint i = 0; i < items->len; i++)
    {
      GtkWidget *row = create_host_row (g_ptr_array_index (items, i));

      g_ptr_array_add (self->host_rows, row);
      adw_preferences_group_add (self->host_group, row);
    }
  adw_preferences_group_set_description (self->host_group,
                                         pvm_host_check_passed (items)
                                         ? _("pVM can run VMs here.")
                                         : _("pVM cannot run VMs here until the problems "
                                             "below are fixed."));
  g_clear_pointer (&self->host_items, g_ptr_array_unref);
  self->host_items = g_steal_pointer (&items);
  update_actions (self);
}

/* Runs the host check on the configuration being set up: its QEMU, its
 * libvirt, its folders. */
static void
start_check (PvmWelcomeDialog *self)
{
  g_return_if_fail (!self->checking);

  self->checking = TRUE;
  gtk_spinner_start (self->host_spinner);
  adw_preferences_group_set_description (self->host_group, _("Checking…"));
  pvm_host_check_run_async (self->config, self->cancellable, check_done_cb,
                            g_object_ref (self));
  update_actions (self);
}

static void
check_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  start_check (PVM_WELCOME_DIALOG (widget));
}

/* --- page 2: the repositories -------------------------------------------- */

static void
update_folder_row (PvmWelcomeDialog *self,
                   AdwActionRow     *row,
                   const char       *key)
{
  const char *path = pvm_config_get_string (self->config, key);
  g_autofree char *escaped = g_markup_escape_text (path, -1);
  g_autofree char *subtitle = NULL;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    subtitle = g_steal_pointer (&escaped);
  else
    /* Translators: a folder that Next will create */
    subtitle = g_strdup_printf ("%s\n<i>%s</i>", escaped, _("Will be created"));
  adw_action_row_set_subtitle (row, subtitle);
}

static void
update_repositories (PvmWelcomeDialog *self)
{
  g_autofree char *config_text = NULL;

  update_folder_row (self, self->images_row, folder_keys[PVM_WELCOME_FOLDER_IMAGES]);
  update_folder_row (self, self->data_row, folder_keys[PVM_WELCOME_FOLDER_DATA]);

  gtk_widget_set_visible (GTK_WIDGET (self->adopt_group), self->legacy_path != NULL);
  if (self->legacy_path != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (self->legacy_path, -1);
      g_autofree char *subtitle = NULL;

      gtk_button_set_label (self->adopt_button, self->adopted ? _("Adopted") : _("_Adopt"));
      if (self->adopted)
        subtitle = g_strdup_printf (_("%s: adopted; Next saves its settings as pVM's"), escaped);
      else
        subtitle = g_strdup_printf (_("%s: its folders and other settings become pVM's, as "
                                      "“pvm config import” does"), escaped);
      adw_action_row_set_subtitle (self->adopt_row, subtitle);
    }

  if (self->config_error != NULL)
    {
      gtk_label_set_text (self->save_error_label, self->config_error);
      gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), TRUE);
    }

  config_text = g_strdup_printf (_("Next creates the folders and saves them in %s."),
                                 self->config_path);
  gtk_label_set_text (self->config_label, config_text);
}

static void update_demo_state (PvmWelcomeDialog *self);

static void
show_save_error (PvmWelcomeDialog *self,
                 const char       *message)
{
  gtk_label_set_text (self->save_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), message != NULL);
}

/**
 * pvm_welcome_dialog_set_folder:
 * @self: a #PvmWelcomeDialog
 * @folder: which repository
 * @file: its folder, chosen by the user
 *
 * What the folder chooser does with its answer: @file becomes the
 * repository's folder in the configuration that Next saves. It need not
 * exist yet.
 */
void
pvm_welcome_dialog_set_folder (PvmWelcomeDialog *self,
                               PvmWelcomeFolder  folder,
                               GFile            *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (PVM_IS_WELCOME_DIALOG (self));
  g_return_if_fail (folder <= PVM_WELCOME_FOLDER_DATA);
  g_return_if_fail (G_IS_FILE (file));

  path = g_file_get_path (file);
  if (path == NULL)
    {
      show_save_error (self, _("This folder is not on this computer's file system: choose a "
                               "local folder."));
      return;
    }

  show_save_error (self, NULL);
  if (!pvm_config_set_string (self->config, folder_keys[folder], path, &error))
    show_save_error (self, error->message);
  update_repositories (self);
}

static void
chooser_response_cb (PvmWelcomeDialog     *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  PvmWelcomeFolder folder = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (chooser), "folder"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        pvm_welcome_dialog_set_folder (self, folder, file);
    }
  g_clear_object (&self->chooser);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (widget);
  PvmWelcomeFolder folder = g_str_equal (g_variant_get_string (parameter, NULL), "data")
                            ? PVM_WELCOME_FOLDER_DATA : PVM_WELCOME_FOLDER_IMAGES;
  const char *path = pvm_config_get_string (self->config, folder_keys[folder]);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  /* The folder itself, or where it would be made. */
  self->chooser = pvm_folder_chooser_new (GTK_WINDOW (self),
                                          folder == PVM_WELCOME_FOLDER_IMAGES
                                            ? _("Folder of the VM Images")
                                            : _("Folder of the Data Archives"),
                                          path);
  g_object_set_data (G_OBJECT (self->chooser), "folder", GUINT_TO_POINTER (folder));
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
adopt_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (widget);
  g_autoptr(PvmConfig) adopted = pvm_config_new ();
  g_autoptr(GError) error = NULL;

  g_return_if_fail (self->legacy_path != NULL);

  /* Its settings over those of pvm.conf, if any: "pvm config import"
   * over what was there. Into a new configuration, as a file that fails
   * may have been read in part. */
  if ((self->config_error == NULL && !pvm_config_load_default (adopted, NULL, &error)) ||
      !pvm_config_load_file (adopted, self->legacy_path, NULL, &error))
    {
      show_save_error (self, error->message);
      return;
    }

  show_save_error (self, NULL);
  g_set_object (&self->config, adopted);
  g_clear_pointer (&self->config_error, g_free);
  self->adopted = TRUE;
  update_repositories (self);
  update_actions (self);
  toast (self, _("Adopted the settings of the original pVM"));
}

typedef struct
{
  PvmConfig *config;
  char      *path;
  char      *message;
} Save;

static void
save_free (Save *save)
{
  g_clear_object (&save->config);
  g_free (save->path);
  g_free (save->message);
  g_free (save);
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Save *save = task_data;
  GError *error = NULL;

  if (!pvm_host_check_create_repositories (save->config, &save->message, &error) ||
      !pvm_config_save (save->config, save->path, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (object);
  Save *save = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;

  /* Disposed: the window is gone (the file was saved all the same). */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  self->saving = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      show_save_error (self, error->message);
      update_actions (self);
      return;
    }

  update_repositories (self);
  update_demo_state (self);
  g_signal_emit (self, signals[CHANGED], 0);
  saved = g_strdup_printf (_("Saved in %s"), save->path);
  toast (self, save->message != NULL ? save->message : saved);
  gtk_stack_set_visible_child_name (self->stack, "demo");
  update_actions (self);
  /* Page 1 as it is now: the folders exist. */
  if (!self->checking)
    start_check (self);
}

static void
start_save (PvmWelcomeDialog *self)
{
  g_autoptr(GTask) task = NULL;
  Save *save = g_new0 (Save, 1);

  /* Nothing changes the configuration until it is saved. */
  self->saving = TRUE;
  show_save_error (self, NULL);
  update_actions (self);

  save->config = g_object_ref (self->config);
  save->path = g_strdup (self->config_path);
  task = g_task_new (self, self->cancellable, save_done_cb, NULL);
  g_task_set_source_tag (task, start_save);
  g_task_set_task_data (task, save, (GDestroyNotify) save_free);
  /* Cancelling the dialog must not stop a save half-way. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, save_thread);
}

/* --- page 3: the demo image ---------------------------------------------- */

/* The header's last button: Next, then on the last page Skip until there
 * is a demo image, and Done. */
static void
update_next_button (PvmWelcomeDialog *self)
{
  gboolean last = page_index (self) == G_N_ELEMENTS (page_names) - 1;
  gboolean done = self->demo_state == PVM_WELCOME_DEMO_DONE;

  gtk_button_set_label (self->next_button, !last ? _("_Next") : done ? _("_Done") : _("_Skip"));
  if (!last || done)
    gtk_widget_add_css_class (GTK_WIDGET (self->next_button), "suggested-action");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->next_button), "suggested-action");
}

static void
set_demo_state (PvmWelcomeDialog    *self,
                PvmWelcomeDemoState  state,
                const char          *message)
{
  gboolean running = state == PVM_WELCOME_DEMO_RUNNING;

  self->demo_state = state;
  gtk_widget_set_visible (self->demo_progress_box, running);
  gtk_widget_set_visible (GTK_WIDGET (self->demo_button), !running &&
                          state != PVM_WELCOME_DEMO_DONE);
  /* Done: the page says so, and what comes next. */
  adw_status_page_set_icon_name (self->demo_status, state == PVM_WELCOME_DEMO_DONE
                                                    ? "emblem-ok-symbolic"
                                                    : "drive-harddisk-symbolic");
  adw_status_page_set_title (self->demo_status, state == PVM_WELCOME_DEMO_DONE
                                                ? _("The Demo Image Is Ready")
                                                : _("Try a Demo Image"));
  adw_status_page_set_description (self->demo_status, state == PVM_WELCOME_DEMO_DONE
                                   ? NULL : _(demo_description));
  gtk_label_set_text (self->demo_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->demo_label), message != NULL);
  if (state == PVM_WELCOME_DEMO_FAILED)
    gtk_widget_add_css_class (GTK_WIDGET (self->demo_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->demo_label), "error");

  update_next_button (self);
  update_actions (self);
}

/* Page 3 for the image folder just saved: whether it has a demo image. */
static void
update_demo_state (PvmWelcomeDialog *self)
{
  const char *directory = pvm_config_get_string (self->config, "DRIVEREPO");
  g_autofree char *path = g_build_filename (directory, PVM_DEMO_IMAGE_DEFAULT_NAME ".qcow2",
                                            NULL);

  if (self->demo_state == PVM_WELCOME_DEMO_RUNNING)
    return;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *message = NULL;

      /* Translators: the name of the image, and its folder */
      message = g_strdup_printf (_("There is a “%s” in %s already. Launch a VM on it with the "
                                   "+ button of the main window."),
                                 PVM_DEMO_IMAGE_DEFAULT_NAME, directory);
      set_demo_state (self, PVM_WELCOME_DEMO_DONE, message);
    }
  else
    set_demo_state (self, PVM_WELCOME_DEMO_IDLE, NULL);
}

static void
demo_progress_cb (double   fraction,
                  gpointer user_data)
{
  PvmWelcomeDialog *self = user_data;

  gtk_progress_bar_set_fraction (self->demo_progress, fraction);
}

static void
demo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PvmWelcomeDialog) self = user_data;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = pvm_demo_image_create_finish (PVM_IMAGE_REPO (object), result, &error);
  g_clear_object (&self->demo_cancellable);

  /* Disposed: the build was stopped, and the window is gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  if (image != NULL)
    {
      g_autofree char *size = pvm_size_format (image->disk_usage);
      g_autofree char *message = NULL;

      /* Translators: the name, the size on disk and the path of the image */
      message = g_strdup_printf (_("“%s” (%s) is %s. Launch a VM on it with the + button of "
                                   "the main window: with no job, it waits at a shell on its "
                                   "console."),
                                 image->name, size, image->path);
      set_demo_state (self, PVM_WELCOME_DEMO_DONE, message);
      toast (self, _("Demo image created"));
      g_signal_emit (self, signals[CHANGED], 0);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_demo_state (self, PVM_WELCOME_DEMO_CANCELLED, _("Cancelled: no image was made."));
  else
    set_demo_state (self, PVM_WELCOME_DEMO_FAILED, error->message);
}

static void
create_demo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (widget);
  g_autoptr(PvmImageRepo) repo = NULL;

  g_return_if_fail (self->demo_cancellable == NULL);

  repo = pvm_image_repo_new (pvm_config_get_string (self->config, "DRIVEREPO"));
  self->demo_cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->demo_progress, 0.0);
  set_demo_state (self, PVM_WELCOME_DEMO_RUNNING, NULL);
  pvm_demo_image_create_async (repo, PVM_DEMO_IMAGE_DEFAULT_NAME, demo_progress_cb, self,
                               self->demo_cancellable, demo_done_cb, g_object_ref (self));
}

static void
cancel_demo_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (widget);

  g_cancellable_cancel (self->demo_cancellable);
}

/* --- navigation ---------------------------------------------------------- */

static void
page_changed_cb (PvmWelcomeDialog *self)
{
  g_autofree char *step = NULL;

  /* The stack notifies while the template is built, before it is bound. */
  if (self->window_title == NULL || self->back_button == NULL || self->next_button == NULL)
    return;

  /* Translators: the page of the set-up dialog, "Step 1 of 3" */
  step = g_strdup_printf (_("Step %u of %u"), page_index (self) + 1,
                          (guint) G_N_ELEMENTS (page_names));
  adw_window_title_set_subtitle (self->window_title, step);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), page_index (self) > 0);
  update_next_button (self);
  update_actions (self);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (widget);

  switch (page_index (self))
    {
    case 0:
      gtk_stack_set_visible_child_name (self->stack, "repositories");
      break;

    case 1:
      start_save (self);
      break;

    default:
      gtk_window_close (GTK_WINDOW (self));
      break;
    }
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (widget);
  guint page = page_index (self);

  if (page > 0)
    gtk_stack_set_visible_child_name (self->stack, page_names[page - 1]);
}

/* --- the object ---------------------------------------------------------- */

/* Closed or destroyed: a build stops (and removes its files), a check is
 * dropped, a save in a thread finishes. Not in dispose, which waits for
 * the last reference: the callbacks of the work under way hold one. */
static void
pvm_welcome_dialog_unrealize (GtkWidget *widget)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (widget);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->demo_cancellable);

  GTK_WIDGET_CLASS (pvm_welcome_dialog_parent_class)->unrealize (widget);
}

static void
pvm_welcome_dialog_dispose (GObject *object)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->demo_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), PVM_TYPE_WELCOME_DIALOG);

  G_OBJECT_CLASS (pvm_welcome_dialog_parent_class)->dispose (object);
}

static void
pvm_welcome_dialog_finalize (GObject *object)
{
  PvmWelcomeDialog *self = PVM_WELCOME_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->demo_cancellable);
  g_clear_object (&self->config);
  g_free (self->config_path);
  g_free (self->config_error);
  g_free (self->legacy_path);
  g_clear_pointer (&self->host_items, g_ptr_array_unref);
  g_clear_pointer (&self->host_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (pvm_welcome_dialog_parent_class)->finalize (object);
}

static void
pvm_welcome_dialog_class_init (PvmWelcomeDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_welcome_dialog_dispose;
  object_class->finalize = pvm_welcome_dialog_finalize;

  widget_class->unrealize = pvm_welcome_dialog_unrealize;

  /**
   * PvmWelcomeDialog::changed:
   * @self: the dialog
   *
   * The configuration was saved, or a demo image made: what the main
   * window lists may have changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-welcome-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, back_button);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, next_button);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, host_group);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, host_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, adopt_group);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, adopt_row);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, adopt_button);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, images_row);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, data_row);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, config_label);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, demo_status);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, demo_button);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, demo_progress_box);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, demo_progress);
  gtk_widget_class_bind_template_child (widget_class, PvmWelcomeDialog, demo_label);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);

  gtk_widget_class_install_action (widget_class, "welcome.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "welcome.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "welcome.check", NULL, check_action);
  gtk_widget_class_install_action (widget_class, "welcome.choose", "s", choose_action);
  gtk_widget_class_install_action (widget_class, "welcome.adopt", NULL, adopt_action);
  gtk_widget_class_install_action (widget_class, "welcome.create-demo", NULL,
                                   create_demo_action);
  gtk_widget_class_install_action (widget_class, "welcome.cancel-demo", NULL,
                                   cancel_demo_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pvm_welcome_dialog_init (PvmWelcomeDialog *self)
{
  g_autoptr(GError) error = NULL;

  self->cancellable = g_cancellable_new ();
  self->host_rows = g_ptr_array_new ();
  self->config = pvm_config_new ();
  self->config_path = pvm_config_dup_default_path ();
  if (!pvm_config_load_default (self->config, NULL, &error))
    {
      /* Saving would lose what could not be read: fix the file first. */
      self->config_error = g_strdup_printf (_("%s Fix it (or move it away) and open this "
                                              "dialog again."), error->message);
      g_clear_object (&self->config);
      self->config = pvm_config_new ();
    }
  self->legacy_path = pvm_host_check_find_legacy_config ();

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_status_page_set_description (self->demo_status, _(demo_description));
  update_repositories (self);
  page_changed_cb (self);
  start_check (self);
}

/**
 * pvm_welcome_dialog_new:
 *
 * Returns: (transfer full): the set-up dialog, on its first page, with the
 *   configuration of pvm.conf (or the defaults) and the host check started
 */
PvmWelcomeDialog *
pvm_welcome_dialog_new (void)
{
  return g_object_new (PVM_TYPE_WELCOME_DIALOG, NULL);
}

/**
 * pvm_welcome_dialog_get_page:
 * @self: a #PvmWelcomeDialog
 *
 * Returns: (transfer none): the page shown: "host", "repositories" or "demo"
 */
const char *
pvm_welcome_dialog_get_page (PvmWelcomeDialog *self)
{
  g_return_val_if_fail (PVM_IS_WELCOME_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * pvm_welcome_dialog_get_host_items:
 * @self: a #PvmWelcomeDialog
 *
 * Returns: (transfer none) (nullable) (element-type PvmHostCheckItem): the
 *   items of the last host check, or %NULL before it ends
 */
GPtrArray *
pvm_welcome_dialog_get_host_items (PvmWelcomeDialog *self)
{
  g_return_val_if_fail (PVM_IS_WELCOME_DIALOG (self), NULL);

  return self->checking ? NULL : self->host_items;
}

/**
 * pvm_welcome_dialog_get_folder:
 * @self: a #PvmWelcomeDialog
 * @folder: which repository
 *
 * Returns: (transfer none): the folder that Next saves for @folder
 */
const char *
pvm_welcome_dialog_get_folder (PvmWelcomeDialog *self,
                               PvmWelcomeFolder  folder)
{
  g_return_val_if_fail (PVM_IS_WELCOME_DIALOG (self), NULL);
  g_return_val_if_fail (folder <= PVM_WELCOME_FOLDER_DATA, NULL);

  return pvm_config_get_string (self->config, folder_keys[folder]);
}

PvmWelcomeDemoState
pvm_welcome_dialog_get_demo_state (PvmWelcomeDialog *self)
{
  g_return_val_if_fail (PVM_IS_WELCOME_DIALOG (self), PVM_WELCOME_DEMO_IDLE);

  return self->demo_state;
}
