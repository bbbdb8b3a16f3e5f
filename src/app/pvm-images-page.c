/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-images-page.c: the Images page: the images of DRIVEREPO as trees,
 * each base followed by its overlays, indented; with their size, the space
 * they use, the VM that boots each, protected bases and broken chains
 * marked. And what "pvm image" does: create a blank image, make overlays
 * of a base, flatten an overlay (with its progress, cancellable), delete an
 * image. The work is the core's, in a thread or through its async API;
 * the core's refusals are shown as it words them. One change at a time.
 * The page follows DRIVEREPO: images that "pvm image" or anything else
 * adds, removes or renames there show at once. */

#define G_LOG_DOMAIN "pvm-images-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-image-create-dialog.h"
#include "pvm-image-snapshot-dialog.h"
#include "pvm-images-page.h"

/* How far an overlay is indented under its base, per level. */
#define INDENT_PX 24

/* One change of the repository, as the page runs it. */
typedef struct
{
  /* Owned: what to do */
  char         *name;           /* the image acted on, or the new image */
  GStrv         names;          /* snapshot: the overlays to make of @name */
  guint64       size;           /* create */
  char         *heading;        /* of the dialog, if it fails */
  char         *cancelled;      /* the toast, if Cancel stops it */

  /* Owned: written by the thread, read once it is done */
  PvmImageRepo *repo;
  GString      *done;           /* the toast */
  GString      *notes;          /* the core's notes, shown on demand */
} Job;

static void
job_free (Job *job)
{
  g_free (job->name);
  g_strfreev (job->names);
  g_free (job->heading);
  g_free (job->cancelled);
  g_clear_object (&job->repo);
  g_string_free (job->done, TRUE);
  g_string_free (job->notes, TRUE);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

struct _PvmImagesPage
{
  PvmListPage      parent_instance;

  /* Owned */
  Job             *job;             /* the change that runs, or NULL */
  GCancellable    *job_cancellable; /* of @job: Cancel, and dispose */
  gboolean         disposed;
  GMutex           lock;            /* of connection: the page reads in threads */
  GVirConnection  *connection;      /* LIBVIRT_URI's, from the read before */

  /* Template widgets */
  GtkWidget       *content;
  AdwToastOverlay *toast_overlay;
  GtkRevealer     *progress_revealer;
  GtkLabel        *progress_label;
  GtkProgressBar  *progress_bar;
  GtkActionBar    *action_bar;
  GtkWidget       *empty_button;
};

G_DEFINE_FINAL_TYPE (PvmImagesPage, pvm_images_page, PVM_TYPE_LIST_PAGE)

static Job *
job_new (const char *name)
{
  Job *job = g_new0 (Job, 1);

  job->name = g_strdup (name);
  job->done = g_string_new (NULL);
  job->notes = g_string_new (NULL);
  return job;
}

static void
job_add_note (Job        *job,
              const char *note)
{
  if (note != NULL)
    g_string_append_printf (job->notes, "%s%s", job->notes->len > 0 ? "\n\n" : "", note);
}

/* --- in a thread: what "pvm image" does before and around the core ----- */

/* The configuration, as pvm reads it, and its image repository. */
static PvmImageRepo *
open_repo (PvmConfig **config,
           GError    **error)
{
  g_autoptr(PvmConfig) loaded = pvm_config_new ();

  const char *directory;

  if (!pvm_config_load_default (loaded, NULL, error) ||
      (directory = pvm_config_ensure_repository (loaded, "DRIVEREPO", error)) == NULL)
    return NULL;
  if (config != NULL)
    *config = g_object_ref (loaded);
  return pvm_image_repo_new (directory);
}

/* As pvm image refuses it (the core decides): a change of @path while a
 * VM needs it. */
static gboolean
check_no_vm_uses (PvmConfig       *config,
                  const char      *path,
                  PvmImageChange   change,
                  GError         **error)
{
  g_autoptr(GPtrArray) vms =
    pvm_vm_list_fetch_for_uri (pvm_config_get_string (config, "LIBVIRT_URI"));

  return pvm_vm_list_check_image_change (vms, path, change, error);
}

/* On btrfs, the repository's attributes, before a change; their failure
 * is worth a note, not a refusal. */
static void
prepare_change (PvmImageRepo *repo,
                Job          *job)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_file_test (pvm_image_repo_get_directory (repo), G_FILE_TEST_IS_DIR))
    return;    /* the change says why it fails */
  if (!pvm_image_repo_prepare (repo, &message, &error))
    job_add_note (job, error->message);
  job_add_note (job, message);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autofree char *size = NULL;
  GError *error = NULL;

  if ((repo = open_repo (NULL, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  prepare_change (repo, job);
  if ((image = pvm_image_repo_create (repo, job->name, job->size, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  size = pvm_size_format (image->virtual_size);
  g_string_printf (job->done, _("Created the image “%s”, %s"), image->name, size);
  g_task_return_boolean (task, TRUE);
}

static void
snapshot_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) base = NULL;
  g_autoptr(GString) made = g_string_new (NULL);
  GError *error = NULL;

  /* A running VM would go on writing what becomes a base. */
  if ((repo = open_repo (&config, &error)) == NULL ||
      (base = pvm_image_repo_info (repo, job->name, &error)) == NULL ||
      !check_no_vm_uses (config, base->path, PVM_IMAGE_CHANGE_SNAPSHOT, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  prepare_change (repo, job);

  for (guint i = 0; job->names[i] != NULL; i++)
    {
      g_autoptr(PvmImage) overlay = NULL;
      g_autofree char *note = NULL;

      overlay = pvm_image_repo_snapshot (repo, job->name, job->names[i], &note, cancellable,
                                         &error);
      if (overlay == NULL)
        {
          /* Those made stay: say which. */
          if (made->len > 0)
            g_prefix_error (&error, _("Made %s. "), made->str);
          g_task_return_error (task, error);
          return;
        }
      g_string_append_printf (made, "%s“%s”", made->len > 0 ? ", " : "", overlay->name);
      job_add_note (job, note);
    }

  g_string_printf (job->done, g_dngettext (GETTEXT_PACKAGE, "Created the overlay %s of “%s”",
                                           "Created the overlays %s of “%s”",
                                           g_strv_length (job->names)),
                   made->str, base->name);
  g_task_return_boolean (task, TRUE);
}

static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autofree char *note = NULL;
  GError *error = NULL;

  if ((repo = open_repo (&config, &error)) == NULL ||
      (image = pvm_image_repo_info (repo, job->name, &error)) == NULL ||
      !check_no_vm_uses (config, image->path, PVM_IMAGE_CHANGE_DELETE, &error) ||
      !pvm_image_repo_delete (repo, job->name, &note, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  job_add_note (job, note);
  g_string_printf (job->done, _("Deleted “%s”"), image->name);
  g_task_return_boolean (task, TRUE);
}

/* Before the flatten itself, which pvm_image_repo_flatten_async() runs. */
static void
flatten_check_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(PvmImage) overlay = NULL;
  GError *error = NULL;

  if ((job->repo = open_repo (&config, &error)) == NULL ||
      (overlay = pvm_image_repo_info (job->repo, job->name, &error)) == NULL ||
      !check_no_vm_uses (config, overlay->path, PVM_IMAGE_CHANGE_FLATTEN, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  prepare_change (job->repo, job);
  g_task_return_boolean (task, TRUE);
}

/* --- on the main thread: the page around a change ----------------------- */

static void
set_busy (PvmImagesPage *self,
          gboolean       busy,
          gboolean       cancellable)
{
  static const char * const changes[] = { "images.create", "images.snapshot", "images.flatten",
                                          "images.delete" };

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), changes[i], !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "images.cancel", busy && cancellable);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy && cancellable);
}

#define show_message(self, heading, text) \
  pvm_list_page_show_message (PVM_LIST_PAGE (self), heading, text)
#define show_done(self, text, notes) \
  pvm_list_page_show_toast (PVM_LIST_PAGE (self), (self)->toast_overlay, text, notes)

static void
finish_job (PvmImagesPage *self,
            const GError  *error)
{
  g_autoptr(Job) job = g_steal_pointer (&self->job);

  g_clear_object (&self->job_cancellable);
  if (self->disposed)
    return;

  set_busy (self, FALSE, FALSE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_done (self, job->cancelled != NULL ? job->cancelled : _("Cancelled"), NULL);
  else if (error != NULL)
    show_message (self, job->heading, error->message);
  else
    show_done (self, job->done->str, job->notes->str);
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  PvmImagesPage *self = PVM_IMAGES_PAGE (object);
  g_autoptr(GError) error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  finish_job (self, error);
}

/* Runs @thread on @job, which the page keeps until finish_job(); @done
 * is called with the page, when @thread returns. */
static void
start_job (PvmImagesPage       *self,
           Job                 *job,
           GTaskThreadFunc      thread,
           GAsyncReadyCallback  done,
           gboolean             cancellable)
{
  g_autoptr(GTask) task = NULL;

  /* A dialog opened before the change that runs */
  if (self->job != NULL)
    {
      show_done (self, _("One change at a time: wait for the one that runs"), NULL);
      job_free (job);
      return;
    }

  self->job = job;
  self->job_cancellable = g_cancellable_new ();
  set_busy (self, TRUE, cancellable);

  task = g_task_new (self, self->job_cancellable, done, NULL);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, NULL);
  /* The result says what happened, even when Cancel came too late. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, thread);
}

/* --- flatten ------------------------------------------------------------- */

static void
flatten_progress_cb (double   fraction,
                     gpointer user_data)
{
  PvmImagesPage *self = user_data;
  g_autofree char *text = NULL;

  if (self->disposed || self->job == NULL)
    return;
  text = g_strdup_printf (_("Flattening “%s”: %.0f %%"), self->job->name, fraction * 100.0);
  gtk_label_set_text (self->progress_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
flatten_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PvmImagesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmImage) image = pvm_image_repo_flatten_finish (PVM_IMAGE_REPO (object), result,
                                                             &error);

  if (image != NULL)
    g_string_printf (self->job->done, _("“%s” is standalone now"), image->name);
  finish_job (self, error);
}

static void
flatten_checked_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PvmImagesPage *self = PVM_IMAGES_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) ||
      g_cancellable_set_error_if_cancelled (self->job_cancellable, &error))
    {
      finish_job (self, error);
      return;
    }

  pvm_image_repo_flatten_async (self->job->repo, self->job->name, flatten_progress_cb, self,
                                self->job_cancellable, flatten_done_cb, g_object_ref (self));
}

static void
flatten_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PvmImagesPage *self = PVM_IMAGES_PAGE (widget);
  Job *job = job_new (g_variant_get_string (parameter, NULL));

  job->heading = g_strdup_printf (_("Cannot Flatten “%s”"), job->name);
  job->cancelled = g_strdup_printf (_("Flattening cancelled: “%s” is unchanged"), job->name);
  start_job (self, job, flatten_check_thread, flatten_checked_cb, TRUE);
  flatten_progress_cb (0.0, self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmImagesPage *self = PVM_IMAGES_PAGE (widget);

  g_cancellable_cancel (self->job_cancellable);
}

/* --- create, snapshot, delete -------------------------------------------- */

/* Shows @dialog over the page's window; @response_cb gets its @response
 * (the dialog closes itself). */
#define present_dialog(self, dialog, response, response_cb) \
  pvm_list_page_present_dialog (PVM_LIST_PAGE (self), dialog, response, response_cb)

static void
create_cb (PvmImageCreateDialog *dialog,
           const char           *response,
           PvmImagesPage        *self)
{
  Job *job = job_new (pvm_image_create_dialog_get_name (dialog));

  job->size = pvm_image_create_dialog_get_size (dialog);
  job->heading = g_strdup_printf (_("Cannot Create “%s”"), job->name);
  start_job (self, job, create_thread, job_done_cb, FALSE);
}

static void
create_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  present_dialog (PVM_IMAGES_PAGE (widget), pvm_image_create_dialog_new (), "create",
                  G_CALLBACK (create_cb));
}

static void
snapshot_cb (PvmImageSnapshotDialog *dialog,
             const char             *response,
             PvmImagesPage          *self)
{
  Job *job = job_new (pvm_image_snapshot_dialog_get_base (dialog));

  job->names = pvm_image_snapshot_dialog_dup_names (dialog);
  job->heading = g_strdup_printf (_("Cannot Make Overlays of “%s”"), job->name);
  start_job (self, job, snapshot_thread, job_done_cb, FALSE);
}

static void
snapshot_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  present_dialog (PVM_IMAGES_PAGE (widget),
                  pvm_image_snapshot_dialog_new (g_variant_get_string (parameter, NULL)),
                  "create", G_CALLBACK (snapshot_cb));
}

static void
delete_cb (AdwMessageDialog *dialog,
           const char       *response,
           PvmImagesPage    *self)
{
  Job *job = job_new (g_object_get_data (G_OBJECT (dialog), "image"));

  job->heading = g_strdup_printf (_("Cannot Delete “%s”"), job->name);
  start_job (self, job, delete_thread, job_done_cb, FALSE);
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
                               _("Its file is deleted for good, and whatever the VMs wrote on "
                                 "it with it. The image it is an overlay of, if any, stays as it "
                                 "is."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "image", g_strdup (name), g_free);
  present_dialog (PVM_IMAGES_PAGE (widget), dialog, "delete", G_CALLBACK (delete_cb));
}

/* --- the list ------------------------------------------------------------ */

static PvmImage *
find_image (GPtrArray  *images,
            const char *path)
{
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      if (g_str_equal (image->path, path))
        return image;
    }
  return NULL;
}

/* How many of @image's bases the list shows: how deep it is indented. */
static guint
count_bases (GPtrArray *images,
             PvmImage  *image)
{
  const char *backing = image->backing_path;
  PvmImage *base;
  guint n = 0;

  /* At most once round a chain that loops. */
  while (backing != NULL && n < images->len && (base = find_image (images, backing)) != NULL)
    {
      backing = base->backing_path;
      n++;
    }
  return n;
}

/* "20 GiB · 1.2 GiB used", then what the image is to the others, then
 * the VM that boots it. */
static char *
dup_subtitle (PvmImage *image)
{
  g_autofree char *size = pvm_size_format (image->virtual_size);
  g_autofree char *used = pvm_size_format (image->disk_usage);
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_printf (text, _("%s · %s used"), size, used);
  if (image->broken_path != NULL)
    g_string_append_printf (text, "\n%s", image->problem != NULL ? image->problem : "");
  else if (image->is_protected)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "\nProtected: the base of %u overlay, never "
                                               "booted, changed or deleted",
                                               "\nProtected: the base of %u overlays, never "
                                               "booted, changed or deleted",
                                               g_strv_length (image->overlays)),
                            g_strv_length (image->overlays));
  else if (image->backing_file != NULL)
    g_string_append_printf (text, _("\nOverlay of %s"), image->backing_file);
  else if (!image->usable && image->problem != NULL)
    g_string_append_printf (text, "\n%s", image->problem);
  if (image->used_by != NULL)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "\nUsed by the VM %s",
                                               "\nUsed by the VMs %s", image->n_users),
                            image->used_by);

  return g_markup_escape_text (text->str, -1);
}

static void
append_item (GMenu      *section,
             const char *label,
             const char *action,
             const char *name)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (name));
  g_menu_append_item (section, item);
}

/* What can be done to @image: overlays of a usable image, flattening an
 * overlay, and deleting (which the core may refuse, and says why). Made
 * when the menu first opens: a menu model makes its popover and all its
 * widgets at once, and a thousand rows' popovers cost over 80 MB
 * (bench/scale). */
static void
create_menu_cb (GtkMenuButton *button,
                gpointer       user_data)
{
  PvmImage *image = user_data;
  g_autoptr(GMenu) menu = NULL;
  g_autoptr(GMenu) changes = NULL;
  g_autoptr(GMenu) removal = NULL;

  if (gtk_menu_button_get_menu_model (button) != NULL)
    return;
  menu = g_menu_new ();
  changes = g_menu_new ();
  removal = g_menu_new ();
  if (image->usable)
    append_item (changes, _("New _Overlays…"), "images.snapshot", image->name);
  if (image->usable && image->backing_path != NULL)
    append_item (changes, _("_Flatten"), "images.flatten", image->name);
  append_item (removal, _("_Delete…"), "images.delete", image->name);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (changes));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (removal));
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (menu));
}

static GtkWidget *
create_menu_button (void)
{
  GtkWidget *button = gtk_menu_button_new ();

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

/* A row's widgets, made once; pvm_images_page_bind_row() shows an image
 * in them. */
static void
pvm_images_page_setup_row (PvmListPage  *page,
                           AdwActionRow *row)
{
  GtkWidget *indent = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *button = create_menu_button ();

  adw_action_row_set_subtitle_lines (row, 3);
  adw_action_row_add_suffix (row, button);
  /* A prefix of overlays only: the row keeps room for any prefix. */
  g_object_set_data_full (G_OBJECT (row), "indent", g_object_ref_sink (indent), g_object_unref);
  g_object_set_data (G_OBJECT (row), "menu-button", button);
}

static void
pvm_images_page_bind_row (PvmListPage  *page,
                          AdwActionRow *row,
                          gpointer      item)
{
  PvmImage *image = item;
  g_autofree char *subtitle = dup_subtitle (image);
  g_autofree char *tooltip = g_strdup_printf (_("Actions for “%s”"), image->name);
  guint depth = count_bases (pvm_list_page_get_items (page), image);
  GtkWidget *indent = g_object_get_data (G_OBJECT (row), "indent");
  GtkMenuButton *button = g_object_get_data (G_OBJECT (row), "menu-button");

  pvm_list_page_set_row (row, image->name, subtitle,
                         image->broken_path != NULL ? "dialog-error-symbolic"
                         : image->is_protected ? "changes-prevent-symbolic"
                         : "drive-harddisk-symbolic");
  gtk_widget_set_size_request (indent, INDENT_PX * (int) depth, -1);
  if (depth > 0 && gtk_widget_get_parent (indent) == NULL)
    adw_action_row_add_prefix (row, indent);
  else if (depth == 0 && gtk_widget_get_parent (indent) != NULL)
    adw_action_row_remove (row, indent);

  /* The menu of the image shown before is no more. */
  gtk_menu_button_set_menu_model (button, NULL);
  gtk_menu_button_set_create_popup_func (button, create_menu_cb, pvm_image_ref (image),
                                         (GDestroyNotify) pvm_image_unref);
  gtk_widget_set_tooltip_text (GTK_WIDGET (button), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
}

/* Bases (and standalone images) in name order, each followed by the
 * overlays made from it. */
static void
add_with_overlays (GPtrArray  *ordered,
                   GHashTable *by_path,
                   GHashTable *added,
                   PvmImage   *image,
                   GPtrArray  *images)
{
  if (g_hash_table_contains (added, image))
    return;
  g_hash_table_add (added, image);
  g_ptr_array_add (ordered, pvm_image_ref (image));

  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *other = g_ptr_array_index (images, i);

      if (other->backing_path != NULL && g_hash_table_lookup (by_path, other->backing_path) == image)
        add_with_overlays (ordered, by_path, added, other, images);
    }
}

/* The VMs of @uri, to say which boots each image: on the connection of
 * the read before while it is alive, since the page reads again at every
 * change of a VM's state (for a remote LIBVIRT_URI, a new connection is
 * an SSH session). None when libvirt cannot be reached: no VM runs there
 * either. In a thread. */
static GPtrArray *
fetch_vms (PvmImagesPage *self,
           const char    *uri)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GVirConnection) connection = NULL;

  g_mutex_lock (&self->lock);
  if (self->connection != NULL)
    g_ptr_array_add (held, g_object_ref (self->connection));
  g_mutex_unlock (&self->lock);

  connection = pvm_vm_reuse_connection (held, uri);
  if (connection == NULL && (connection = pvm_vm_open_connection (uri, NULL, NULL)) == NULL)
    return NULL;
  g_mutex_lock (&self->lock);
  g_set_object (&self->connection, connection);
  g_mutex_unlock (&self->lock);
  return pvm_vm_list_fetch (connection, NULL);
}

static GPtrArray *
pvm_images_page_load (PvmListPage   *page,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(PvmConfig) config = NULL;
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GHashTable) by_path = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) added = g_hash_table_new (NULL, NULL);
  GPtrArray *ordered;

  if ((repo = open_repo (&config, error)) == NULL ||
      (images = pvm_image_repo_list (repo, error)) == NULL)
    return NULL;
  pvm_list_page_watch_directory (page, pvm_image_repo_get_directory (repo));
  if ((vms = fetch_vms (PVM_IMAGES_PAGE (page), pvm_config_get_string (config, "LIBVIRT_URI"))) !=
      NULL)
    pvm_vm_list_mark_image_users (vms, images);

  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      g_hash_table_insert (by_path, image->path, image);
    }

  ordered = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_image_unref);
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      if (image->backing_path == NULL || !g_hash_table_contains (by_path, image->backing_path))
        add_with_overlays (ordered, by_path, added, image, images);
    }
  /* Whatever a cycle of backing files left out. */
  for (guint i = 0; i < images->len; i++)
    add_with_overlays (ordered, by_path, added, g_ptr_array_index (images, i), images);

  return ordered;
}

static void
pvm_images_page_dispose (GObject *object)
{
  PvmImagesPage *self = PVM_IMAGES_PAGE (object);

  /* A change that runs holds the page until it is done; it shows nothing
   * after this. */
  self->disposed = TRUE;
  g_cancellable_cancel (self->job_cancellable);

  G_OBJECT_CLASS (pvm_images_page_parent_class)->dispose (object);
}

static void
pvm_images_page_finalize (GObject *object)
{
  PvmImagesPage *self = PVM_IMAGES_PAGE (object);

  g_clear_pointer (&self->job, job_free);
  g_clear_object (&self->job_cancellable);
  g_clear_pointer (&self->connection, pvm_connection_release);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pvm_images_page_parent_class)->finalize (object);
}

static const char *
pvm_images_page_get_item_name (PvmListPage *page,
                               gpointer     item)
{
  PvmImage *image = item;

  return image->name;
}

static void
pvm_images_page_class_init (PvmImagesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  PvmListPageClass *page_class = PVM_LIST_PAGE_CLASS (klass);

  object_class->dispose = pvm_images_page_dispose;
  object_class->finalize = pvm_images_page_finalize;

  page_class->load = pvm_images_page_load;
  page_class->setup_row = pvm_images_page_setup_row;
  page_class->get_item_name = pvm_images_page_get_item_name;
  page_class->bind_row = pvm_images_page_bind_row;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-images-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmImagesPage, content);
  gtk_widget_class_bind_template_child (widget_class, PvmImagesPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvmImagesPage, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, PvmImagesPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PvmImagesPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmImagesPage, action_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmImagesPage, empty_button);

  gtk_widget_class_install_action (widget_class, "images.create", NULL, create_action);
  gtk_widget_class_install_action (widget_class, "images.snapshot", "s", snapshot_action);
  gtk_widget_class_install_action (widget_class, "images.flatten", "s", flatten_action);
  gtk_widget_class_install_action (widget_class, "images.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "images.cancel", NULL, cancel_action);
}

static void
pvm_images_page_init (PvmImagesPage *self)
{
  g_mutex_init (&self->lock);
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The list under the toasts, above the progress and the action bar;
   * the action bar's New Image is the empty state's button: one of them. */
  pvm_list_page_set_frame (PVM_LIST_PAGE (self), self->content, self->toast_overlay,
                           self->empty_button, GTK_WIDGET (self->action_bar));
  set_busy (self, FALSE, FALSE);

  pvm_list_page_set_empty (PVM_LIST_PAGE (self), "drive-harddisk-symbolic", _("No Images"),
                           _("Base images appear here, each kept as a protected backing "
                             "snapshot"));
  pvm_list_page_set_error (PVM_LIST_PAGE (self), "drive-harddisk-symbolic",
                           _("Cannot Read the Images"));
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}
