/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-install-assistant.c: "New VM": an OS installed from its ISO into a
 * new image, which then becomes a protected base with snapshots. The
 * core's PvmInstallation does the work, as for "pvm install".
 *
 * 1. iso        the ISO, chosen (GtkFileChooserNative, *.iso) and
 *               identified in a thread (pvm_media_identify_async()): the
 *               OS, or "not recognized", and the resources it needs
 * 2. settings   the image's name and disk size, the install VM's memory
 *               and vCPUs, checked as they are typed by the core's checks;
 *               Install creates the image and boots the ISO on it
 * 3. installing the VM's console, embedded, and what to run in the guest
 *               with the install share; Stop turns it off (discarding the
 *               image, or keeping it); Power Off presses its power button
 *               for installers that reboot instead of powering off. The
 *               page moves on by itself when the guest powers off
 * 4. base       the snapshots' names (NAME-1, NAME-2 by default; add,
 *               remove); Create makes them, which protects the base
 * 5. done       the snapshots, and Launch Them, which opens the launch
 *               dialog with one VM per snapshot
 *
 * Every step shows its progress; a failure says what failed and what was
 * undone, and the page it happened on lets the user try again.
 *
 * This file has the object, the navigation and pages 1 and 2; pages 3 to
 * 5, which drive the installation, are pvm-install-assistant-steps.c. */

#define G_LOG_DOMAIN "pvm-install-assistant"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pvm-console-window.h"
#include "pvm-install-assistant-private.h"
#include "pvm-launch-dialog.h"
#include "pvm-toasts.h"


G_DEFINE_FINAL_TYPE (PvmInstallAssistant, pvm_install_assistant, ADW_TYPE_WINDOW)

enum {
  CHANGED,
  LAUNCH_DIALOG,
  N_SIGNALS
};

static guint signals[N_SIGNALS];


/* The pages, in order; the last one is no step of its own. */
static const char * const page_names[] = { "iso", "settings", "installing", "base", "done" };
#define N_STEPS 4

static guint
page_index (PvmInstallAssistant *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  for (guint i = 0; i < G_N_ELEMENTS (page_names); i++)
    if (g_strcmp0 (name, page_names[i]) == 0)
      return i;
  g_return_val_if_reached (0);
}

void
_pvm_install_assistant_toast (PvmInstallAssistant *self,
                              const char          *title)
{
  AdwToast *item = adw_toast_new (title);

  adw_toast_set_timeout (item, 8);
  pvm_toasts_add (self->toast_overlay, item);
}

PvmInstallationStep
_pvm_install_assistant_step (PvmInstallAssistant *self)
{
  return self->installation != NULL ? pvm_installation_get_step (self->installation)
                                    : PVM_INSTALLATION_STEP_READY;
}

gboolean
_pvm_install_assistant_busy (PvmInstallAssistant *self)
{
  switch (_pvm_install_assistant_step (self))
    {
    case PVM_INSTALLATION_STEP_CREATING_IMAGE:
    case PVM_INSTALLATION_STEP_STARTING:
    case PVM_INSTALLATION_STEP_MAKING_BASE:
    case PVM_INSTALLATION_STEP_LAUNCHING:
      return TRUE;

    case PVM_INSTALLATION_STEP_READY:
    case PVM_INSTALLATION_STEP_INSTALLING:
    case PVM_INSTALLATION_STEP_INSTALLED:
    case PVM_INSTALLATION_STEP_BASE_MADE:
    case PVM_INSTALLATION_STEP_LAUNCHED:
    case PVM_INSTALLATION_STEP_FAILED:
    case PVM_INSTALLATION_STEP_STOPPED:
    default:
      return FALSE;
    }
}

/* "20G", "512M": sizes as the entries take them back. */
char *
_pvm_install_assistant_format_size (guint64 bytes)
{
  if (bytes % PVM_SIZE_GIB == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "G", bytes / PVM_SIZE_GIB);
  if (bytes % PVM_SIZE_MIB == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT "M", bytes / PVM_SIZE_MIB);
  return g_strdup_printf ("%" G_GUINT64_FORMAT "M", (bytes + PVM_SIZE_MIB - 1) / PVM_SIZE_MIB);
}

/* Shows @message (or nothing) in @label, a page's error or, not @error,
 * what happened. */
void
_pvm_install_assistant_show_message (PvmInstallAssistant *self,
                                     GtkLabel            *label,
                                     const char          *message,
                                     gboolean             error)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
}

void
_pvm_install_assistant_show_error (PvmInstallAssistant *self,
                                   GtkLabel            *label,
                                   const char          *message)
{
  _pvm_install_assistant_show_message (self, label, message, TRUE);
}

void
_pvm_install_assistant_update_header (PvmInstallAssistant *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint page = page_index (self);
  gboolean running = _pvm_install_assistant_busy (self);
  gboolean installing = _pvm_install_assistant_step (self) == PVM_INSTALLATION_STEP_INSTALLING;
  const char *next = NULL;
  gboolean can_next = FALSE;
  g_autofree char *subtitle = NULL;

  switch (page)
    {
    case 0:
      next = _("_Next");
      can_next = self->media != NULL && !self->identifying;
      break;
    case 1:
      next = _("_Install");
      can_next = self->settings_valid && !running;
      break;
    case 3:
      next = _("C_reate");
      can_next = self->names_valid && !running;
      break;
    case 4:
      next = _("_Done");
      can_next = TRUE;
      break;
    default:
      break;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->next_button), next != NULL);
  if (next != NULL)
    gtk_button_set_label (self->next_button, next);
  gtk_widget_action_set_enabled (widget, "assistant.next", can_next);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), page == 1);
  gtk_widget_action_set_enabled (widget, "assistant.back", page == 1 && !running);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), page < 2 || page == 3);
  gtk_button_set_label (self->cancel_button, page == 3 ? _("_Skip") : _("_Cancel"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), !running);

  gtk_widget_action_set_enabled (widget, "assistant.choose", !running);
  gtk_widget_action_set_enabled (widget, "assistant.stop", installing);
  gtk_widget_action_set_enabled (widget, "assistant.power-off", installing);
  gtk_widget_action_set_enabled (widget, "assistant.add-snapshot", !running);

  if (page < N_STEPS)
    /* Translators: the page of the New VM assistant, "Step 1 of 4" */
    subtitle = g_strdup_printf (_("Step %u of %u"), page + 1, N_STEPS);
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
page_changed_cb (PvmInstallAssistant *self)
{
  /* The stack notifies while the template is built, before it is bound. */
  if (self->window_title == NULL || self->next_button == NULL || self->cancel_button == NULL)
    return;

  _pvm_install_assistant_update_header (self);
}

void
_pvm_install_assistant_show_page (PvmInstallAssistant *self,
                                  const char          *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  _pvm_install_assistant_update_header (self);
  /* The focus goes with the page: GTK 4.8's selectable labels of the page
   * sliding out (the instructions) fail an assertion while they are
   * allocated without a focus widget in the window. */
  if (gtk_widget_get_visible (GTK_WIDGET (self->next_button)))
    gtk_widget_grab_focus (GTK_WIDGET (self->next_button));
}

/* --- page 1: the ISO ----------------------------------------------------- */

/* A name for the new image that no image has yet: the OS's short ID. */
static char *
propose_name (PvmInstallAssistant *self)
{
  const char *directory = pvm_config_get_string (self->config, "DRIVEREPO");
  const char *stem = self->media->recognized && self->media->short_id != NULL
                     ? self->media->short_id : "new-vm";

  for (guint i = 1; i < 1000; i++)
    {
      g_autofree char *name = i == 1 ? g_strdup (stem) : g_strdup_printf ("%s-%u", stem, i);
      g_autofree char *file = g_strconcat (name, ".qcow2", NULL);
      g_autofree char *path = g_build_filename (directory, file, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&name);
    }
  return g_strdup (stem);
}

static void
show_media (PvmInstallAssistant *self)
{
  PvmMedia *media = self->media;
  g_autofree char *memory = pvm_size_format (media->memory_bytes);
  g_autofree char *disk = pvm_size_format (media->disk_bytes);
  g_autofree char *resources = NULL;
  g_autofree char *os = NULL;
  g_autofree char *name = NULL;
  g_autofree char *size_text = _pvm_install_assistant_format_size (media->disk_bytes);
  g_autofree char *memory_text = _pvm_install_assistant_format_size (media->memory_bytes);
  g_autofree char *cores_text = g_strdup_printf ("%u", media->cores);

  if (media->recognized)
    {
      os = g_markup_escape_text (media->name, -1);
      gtk_image_set_from_icon_name (self->os_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->os_icon), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->os_icon), "success");
    }
  else
    {
      g_autofree char *volume = g_markup_escape_text (media->volume_id != NULL
                                                      ? media->volume_id : "", -1);

      /* Translators: %s is the ISO's volume ID */
      os = g_strdup_printf (_("Not recognized (volume “%s”): choose the resources on the next "
                              "page"), volume);
      gtk_image_set_from_icon_name (self->os_icon, "dialog-warning-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->os_icon), "success");
      gtk_widget_add_css_class (GTK_WIDGET (self->os_icon), "warning");
    }
  adw_action_row_set_subtitle (self->os_row, os);

  /* Translators: memory, vCPUs and disk size proposed for the OS */
  resources = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of memory, %u vCPU, a %s disk",
                                            "%s of memory, %u vCPUs, a %s disk", media->cores),
                               memory, media->cores, disk);
  adw_action_row_set_subtitle (self->resources_row, resources);
  gtk_widget_set_visible (GTK_WIDGET (self->resources_row), TRUE);

  /* One primary action on the page: Next. */
  gtk_button_set_label (self->choose_button, _("_Choose Another ISO…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->choose_button), "suggested-action");

  /* Page 2 starts from the proposals. */
  name = propose_name (self);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  gtk_editable_set_text (GTK_EDITABLE (self->size_row), size_text);
  gtk_editable_set_text (GTK_EDITABLE (self->memory_row), memory_text);
  gtk_editable_set_text (GTK_EDITABLE (self->cores_row), cores_text);
}

static void
identify_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PvmInstallAssistant) self = user_data;
  g_autoptr(PvmMedia) media = NULL;
  g_autoptr(GError) error = NULL;

  media = pvm_media_identify_finish (result, &error);
  if (self->disposed)
    return;

  self->identifying = FALSE;
  gtk_spinner_stop (self->media_spinner);
  if (media == NULL)
    {
      adw_action_row_set_subtitle (self->os_row, _("Cannot be used"));
      gtk_image_set_from_icon_name (self->os_icon, "dialog-error-symbolic");
      _pvm_install_assistant_show_error (self, self->media_error_label, error->message);
    }
  else
    {
      self->media = g_steal_pointer (&media);
      show_media (self);
    }
  _pvm_install_assistant_update_header (self);
}

/**
 * pvm_install_assistant_set_iso:
 * @self: a #PvmInstallAssistant
 * @file: the installation ISO
 *
 * What the file chooser does with its answer: @file is identified, in a
 * thread, and page 1 shows what it is.
 */
void
pvm_install_assistant_set_iso (PvmInstallAssistant *self,
                               GFile               *file)
{
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;

  g_return_if_fail (PVM_IS_INSTALL_ASSISTANT (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!_pvm_install_assistant_busy (self));

  g_clear_pointer (&self->media, pvm_media_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->media_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->resources_row), FALSE);
  _pvm_install_assistant_show_error (self, self->media_error_label, NULL);

  path = g_file_get_path (file);
  if (path == NULL)
    {
      _pvm_install_assistant_show_error (self, self->media_error_label,
                                         _("This file is not on this computer's file system: "
                                           "copy the ISO to a local folder and choose it "
                                           "there."));
      _pvm_install_assistant_update_header (self);
      return;
    }

  escaped = g_markup_escape_text (path, -1);
  adw_action_row_set_subtitle (self->iso_row, escaped);
  adw_action_row_set_subtitle (self->os_row, _("Reading the ISO…"));
  gtk_image_set_from_icon_name (self->os_icon, "computer-symbolic");
  self->identifying = TRUE;
  gtk_spinner_start (self->media_spinner);
  _pvm_install_assistant_update_header (self);
  pvm_media_identify_async (path, self->cancellable, identify_done_cb, g_object_ref (self));
}

static void
chooser_response_cb (PvmInstallAssistant  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        pvm_install_assistant_set_iso (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (widget);
  GtkFileFilter *filter = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  self->chooser = gtk_file_chooser_native_new (_("Installation ISO"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("ISO Images"));
  gtk_file_filter_add_pattern (filter, "*.iso");
  gtk_file_filter_add_pattern (filter, "*.ISO");
  gtk_file_filter_add_mime_type (filter, "application/x-cd-image");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  g_object_unref (all);

  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- page 2: the settings ------------------------------------------------ */

void
_pvm_install_assistant_mark_row (gpointer row,
                                 gboolean bad)
{
  if (bad)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* An installation of the settings as typed, or NULL with @error and the
 * row at fault marked. */
PvmInstallation *
_pvm_install_assistant_installation_from_settings (PvmInstallAssistant  *self,
                                                   GError              **error)
{
  g_autoptr(PvmInstallation) installation = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *size = gtk_editable_get_text (GTK_EDITABLE (self->size_row));
  const char *memory = gtk_editable_get_text (GTK_EDITABLE (self->memory_row));
  const char *cores = gtk_editable_get_text (GTK_EDITABLE (self->cores_row));
  guint64 size_bytes = 0, memory_bytes = 0, n_cores = 0;
  gboolean bad_size, bad_memory, bad_cores;
  GError *local_error = NULL;

  _pvm_install_assistant_mark_row (self->name_row, FALSE);
  bad_size = !pvm_size_parse (size, 1, &size_bytes, error);
  bad_memory = !bad_size && !pvm_size_parse (memory, PVM_SIZE_MIB, &memory_bytes, error);
  bad_cores = !bad_size && !bad_memory &&
              !g_ascii_string_to_unsigned (cores, 10, 1, 1024, &n_cores, NULL);
  _pvm_install_assistant_mark_row (self->size_row, bad_size);
  _pvm_install_assistant_mark_row (self->memory_row, bad_memory);
  _pvm_install_assistant_mark_row (self->cores_row, bad_cores);
  if (bad_size)
    g_prefix_error (error, _("Disk size: "));
  if (bad_memory)
    g_prefix_error (error, _("Memory: "));
  if (bad_cores)
    g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                 _("vCPUs: give a number from 1 to 1024"));
  if (bad_size || bad_memory || bad_cores)
    return NULL;

  installation = pvm_installation_new (self->config, name, self->media->path);
  pvm_installation_set_disk_size (installation, size_bytes);
  pvm_installation_set_memory (installation, memory_bytes);
  pvm_installation_set_cores (installation, (guint) n_cores);
  if (!pvm_installation_check (installation, &local_error))
    {
      gboolean bad_name = g_error_matches (local_error, PVM_ERROR, PVM_ERROR_INVALID_NAME) ||
                          g_error_matches (local_error, PVM_ERROR, PVM_ERROR_EXISTS);

      _pvm_install_assistant_mark_row (self->name_row, bad_name);
      _pvm_install_assistant_mark_row (self->size_row,
                                       strstr (local_error->message, "disk size") != NULL);
      _pvm_install_assistant_mark_row (self->memory_row,
                                       strstr (local_error->message, "memory") != NULL);
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&installation);
}

void
_pvm_install_assistant_check_settings (PvmInstallAssistant *self)
{
  g_autoptr(PvmInstallation) installation = NULL;
  g_autoptr(GError) error = NULL;

  /* The rows notify while the template is built. */
  if (self->settings_error_label == NULL || self->cores_row == NULL || self->media == NULL)
    return;

  installation = _pvm_install_assistant_installation_from_settings (self, &error);
  self->settings_valid = installation != NULL;
  _pvm_install_assistant_show_error (self, self->settings_error_label,
                                     error != NULL ? error->message : NULL);
  _pvm_install_assistant_update_header (self);
}

static void
settings_changed_cb (PvmInstallAssistant *self)
{
  _pvm_install_assistant_check_settings (self);
}

/* --- navigation ---------------------------------------------------------- */

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (widget);

  switch (page_index (self))
    {
    case 0:
      _pvm_install_assistant_show_page (self, "settings");
      settings_changed_cb (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      break;
    case 1:
      _pvm_install_assistant_start_installation (self);
      break;
    case 3:
      _pvm_install_assistant_make_base (self);
      break;
    case 4:
      gtk_window_destroy (GTK_WINDOW (self));
      break;
    default:
      break;
    }
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  _pvm_install_assistant_show_page (PVM_INSTALL_ASSISTANT (widget), "iso");
}

static gboolean
pvm_install_assistant_close_request (GtkWindow *window)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (window);

  switch (_pvm_install_assistant_step (self))
    {
    case PVM_INSTALLATION_STEP_CREATING_IMAGE:
    case PVM_INSTALLATION_STEP_STARTING:
      /* Undone, then closed. */
      self->close_when_stopped = TRUE;
      g_cancellable_cancel (self->start_cancellable);
      return TRUE;

    case PVM_INSTALLATION_STEP_INSTALLING:
      self->close_when_stopped = TRUE;
      _pvm_install_assistant_present_stop_dialog (self, TRUE);
      return TRUE;

    case PVM_INSTALLATION_STEP_MAKING_BASE:
    case PVM_INSTALLATION_STEP_LAUNCHING:
      _pvm_install_assistant_toast (self, _("Wait a moment: the snapshots are being made"));
      return TRUE;

    case PVM_INSTALLATION_STEP_READY:
    case PVM_INSTALLATION_STEP_INSTALLED:
    case PVM_INSTALLATION_STEP_BASE_MADE:
    case PVM_INSTALLATION_STEP_LAUNCHED:
    case PVM_INSTALLATION_STEP_FAILED:
    case PVM_INSTALLATION_STEP_STOPPED:
    default:
      return GTK_WINDOW_CLASS (pvm_install_assistant_parent_class)->close_request (window);
    }
}

/* For the steps (pvm-install-assistant-steps.c). */
void
_pvm_install_assistant_emit_changed (PvmInstallAssistant *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

void
_pvm_install_assistant_emit_launch_dialog (PvmInstallAssistant *self,
                                           PvmLaunchDialog     *dialog)
{
  g_signal_emit (self, signals[LAUNCH_DIALOG], 0, dialog);
}

/* --- accessors ----------------------------------------------------------- */

/**
 * pvm_install_assistant_get_page:
 * @self: a #PvmInstallAssistant
 *
 * Returns: the page shown: "iso", "settings", "installing", "base" or "done"
 */
const char *
pvm_install_assistant_get_page (PvmInstallAssistant *self)
{
  g_return_val_if_fail (PVM_IS_INSTALL_ASSISTANT (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * pvm_install_assistant_get_media:
 * @self: a #PvmInstallAssistant
 *
 * Returns: (transfer none) (nullable): the ISO as identified, once it is
 */
PvmMedia *
pvm_install_assistant_get_media (PvmInstallAssistant *self)
{
  g_return_val_if_fail (PVM_IS_INSTALL_ASSISTANT (self), NULL);

  return self->media;
}

/**
 * pvm_install_assistant_get_installation:
 * @self: a #PvmInstallAssistant
 *
 * Returns: (transfer none) (nullable): the installation under way, or the
 *   last one
 */
PvmInstallation *
pvm_install_assistant_get_installation (PvmInstallAssistant *self)
{
  g_return_val_if_fail (PVM_IS_INSTALL_ASSISTANT (self), NULL);

  return self->installation;
}

/**
 * pvm_install_assistant_get_error:
 * @self: a #PvmInstallAssistant
 *
 * Returns: (nullable): the error the current page shows, if any
 */
const char *
pvm_install_assistant_get_error (PvmInstallAssistant *self)
{
  GtkLabel *label;

  g_return_val_if_fail (PVM_IS_INSTALL_ASSISTANT (self), NULL);

  switch (page_index (self))
    {
    case 0:
      label = self->media_error_label;
      break;
    case 1:
      label = self->settings_error_label;
      break;
    case 3:
      label = self->base_error_label;
      break;
    default:
      return NULL;
    }
  return gtk_widget_get_visible (GTK_WIDGET (label)) ? gtk_label_get_text (label) : NULL;
}

/**
 * pvm_install_assistant_is_busy:
 * @self: a #PvmInstallAssistant
 *
 * Returns: whether something runs that the user waits for: the ISO being
 *   read, the image being made, the VM starting, the snapshots being made
 */
gboolean
pvm_install_assistant_is_busy (PvmInstallAssistant *self)
{
  g_return_val_if_fail (PVM_IS_INSTALL_ASSISTANT (self), FALSE);

  return self->identifying || _pvm_install_assistant_busy (self);
}

/* --- object -------------------------------------------------------------- */

static void
pvm_install_assistant_dispose (GObject *object)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  /* A start under way is undone: no image or VM is left half made. */
  g_cancellable_cancel (self->start_cancellable);
  /* The installation goes on in its VM: only the waiting stops. */
  g_cancellable_cancel (self->wait_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->stop_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->stop_dialog));
  if (self->installation != NULL)
    g_signal_handlers_disconnect_by_data (self->installation, self);
  g_clear_handle_id (&self->console_source, g_source_remove);
  self->console = NULL;

  gtk_widget_dispose_template (GTK_WIDGET (self), PVM_TYPE_INSTALL_ASSISTANT);

  G_OBJECT_CLASS (pvm_install_assistant_parent_class)->dispose (object);
}

static void
pvm_install_assistant_finalize (GObject *object)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->start_cancellable);
  g_clear_object (&self->wait_cancellable);
  g_clear_object (&self->config);
  g_clear_pointer (&self->media, pvm_media_unref);
  g_clear_object (&self->installation);
  g_clear_pointer (&self->snapshot_rows, g_ptr_array_unref);
  g_clear_pointer (&self->done_rows, g_ptr_array_unref);
  G_OBJECT_CLASS (pvm_install_assistant_parent_class)->finalize (object);
}

static void
pvm_install_assistant_class_init (PvmInstallAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pvm_install_assistant_dispose;
  object_class->finalize = pvm_install_assistant_finalize;
  window_class->close_request = pvm_install_assistant_close_request;

  /**
   * PvmInstallAssistant::changed:
   *
   * Images or VMs changed: an image was made or deleted, the install VM
   * started or went.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * PvmInstallAssistant::launch-dialog:
   * @self: the assistant
   * @dialog: a #PvmLaunchDialog, filled with the snapshots
   *
   * Launch Them opened @dialog; the assistant closes.
   */
  signals[LAUNCH_DIALOG] = g_signal_new ("launch-dialog", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                         PVM_TYPE_LAUNCH_DIALOG);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-install-assistant.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, window_title);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, back_button);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, next_button);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, stack);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, media_group);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, media_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, choose_button);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, iso_row);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, os_row);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, os_icon);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, resources_row);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, media_error_label);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, settings_status);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, name_row);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, size_row);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, memory_row);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, cores_row);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, settings_error_label);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, install_spinner);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, install_label);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, console_box);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, instructions_label);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, base_status);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, snapshots_group);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, base_progress);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, base_error_label);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, done_status);
  gtk_widget_class_bind_template_child (widget_class, PvmInstallAssistant, done_group);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, settings_changed_cb);

  gtk_widget_class_install_action (widget_class, "assistant.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "assistant.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "assistant.choose", NULL, choose_action);
  gtk_widget_class_install_action (widget_class, "assistant.stop", NULL,
                                   _pvm_install_assistant_stop_action);
  gtk_widget_class_install_action (widget_class, "assistant.power-off", NULL,
                                   _pvm_install_assistant_power_off_action);
  gtk_widget_class_install_action (widget_class, "assistant.add-snapshot", NULL,
                                   _pvm_install_assistant_add_snapshot_action);
  gtk_widget_class_install_action (widget_class, "assistant.launch", NULL,
                                   _pvm_install_assistant_launch_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pvm_install_assistant_init (PvmInstallAssistant *self)
{
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->snapshot_rows = g_ptr_array_new ();
  self->done_rows = g_ptr_array_new ();
  self->config = pvm_config_new ();
  if (!pvm_config_load_default (self->config, NULL, &error))
    {
      /* Its defaults, and the problem said on page 1. */
      g_clear_object (&self->config);
      self->config = pvm_config_new ();
      gtk_widget_set_visible (GTK_WIDGET (self->media_error_label), TRUE);
      gtk_label_set_text (self->media_error_label, error->message);
    }

  {
    g_autofree char *directory = g_markup_escape_text (pvm_config_get_string (self->config,
                                                                              "DRIVEREPO"), -1);
    g_autofree char *description = NULL;

    /* Translators: the folder of the VM images */
    description = g_strdup_printf (_("The system is installed into a new image in %s, by a VM "
                                     "that boots the ISO. Sizes as 20G or 512M."), directory);
    adw_status_page_set_description (self->settings_status, description);
  }
  _pvm_install_assistant_update_header (self);
}

/**
 * pvm_install_assistant_new:
 *
 * Returns: (transfer full): the New VM assistant, on its first page, with
 *   the configuration's repositories
 */
PvmInstallAssistant *
pvm_install_assistant_new (void)
{
  return g_object_new (PVM_TYPE_INSTALL_ASSISTANT, NULL);
}
