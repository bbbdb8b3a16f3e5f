/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-install-assistant-steps.c: the New VM assistant's pages 3 to 5,
 * which drive the core's PvmInstallation: the installation with the VM's
 * console and Stop, the base's snapshots, and their launch. */

#define G_LOG_DOMAIN "pvm-install-assistant"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pvm-console-window.h"
#include "pvm-install-assistant-private.h"

/* --- page 3: installing -------------------------------------------------- */

static void
installation_message_cb (PvmInstallAssistant *self)
{
  const char *message = pvm_installation_get_message (self->installation);

  gtk_label_set_text (self->install_label, message != NULL ? message : "");
  if (_pvm_install_assistant_step (self) == PVM_INSTALLATION_STEP_MAKING_BASE)
    {
      gtk_progress_bar_set_fraction (self->base_progress,
                                     pvm_installation_get_fraction (self->installation));
      gtk_progress_bar_set_text (self->base_progress, message);
    }
  _pvm_install_assistant_update_header (self);
}

static void
remove_console (PvmInstallAssistant *self)
{
  g_clear_handle_id (&self->console_source, g_source_remove);
  if (self->console != NULL)
    gtk_box_remove (self->console_box, self->console);
  self->console = NULL;
}

/* Back to page 2, saying why: an @error, or what was done. */
static void
back_to_settings (PvmInstallAssistant *self,
                  const char          *message,
                  gboolean             error)
{
  remove_console (self);
  gtk_spinner_stop (self->install_spinner);
  _pvm_install_assistant_show_page (self, "settings");
  _pvm_install_assistant_check_settings (self);
  /* What happened matters more than the next problem of the settings. */
  if (message != NULL)
    _pvm_install_assistant_show_message (self, self->settings_error_label, message, error);
}

static void
fill_snapshot_rows (PvmInstallAssistant *self);

static void
wait_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PvmInstallAssistant) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  PvmImage *image;

  pvm_installation_wait_finish (PVM_INSTALLATION (object), result, &error);
  g_clear_object (&self->wait_cancellable);
  if (self->disposed)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;    /* stopped: stop_done_cb moves on */

  gtk_spinner_stop (self->install_spinner);
  if (error != NULL)
    {
      back_to_settings (self, error->message, TRUE);
      _pvm_install_assistant_emit_changed (self);
      return;
    }

  remove_console (self);
  image = pvm_installation_get_image (self->installation);
  {
    g_autofree char *used = pvm_size_format (image->disk_usage);
    g_autofree char *name = g_markup_escape_text (image->name, -1);

    /* Translators: the image's name, and the space the installed system takes */
    description = g_strdup_printf (_("The installer powered the VM off: “%s” holds the installed "
                                     "system (%s)."), name, used);
  }
  adw_status_page_set_description (self->base_status, description);
  fill_snapshot_rows (self);
  _pvm_install_assistant_show_page (self, "base");
  _pvm_install_assistant_emit_changed (self);
}

static gboolean
add_console_cb (gpointer user_data)
{
  PvmInstallAssistant *self = user_data;
  PvmVm *vm = pvm_installation_get_vm (self->installation);
  g_autoptr(PvmConsole) console = NULL;

  self->console_source = 0;
  if (vm == NULL || _pvm_install_assistant_step (self) != PVM_INSTALLATION_STEP_INSTALLING)
    return G_SOURCE_REMOVE;

  console = pvm_console_for_vm (vm);
  self->console = pvm_console_status_new (console, vm);
  gtk_widget_set_hexpand (self->console, TRUE);
  gtk_widget_set_vexpand (self->console, TRUE);
  gtk_box_append (self->console_box, self->console);
  /* The keyboard goes to the installer. */
  gtk_widget_grab_focus (g_object_get_data (G_OBJECT (self->console), "view"));
  return G_SOURCE_REMOVE;
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PvmInstallAssistant) self = user_data;
  g_autoptr(GError) error = NULL;

  pvm_installation_start_finish (PVM_INSTALLATION (object), result, &error);
  g_clear_object (&self->start_cancellable);
  if (self->disposed)
    return;

  if (error != NULL)
    {
      if (self->close_when_stopped)
        {
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }
      back_to_settings (self, error->message, TRUE);
      return;
    }

  /* The VM runs: its console shows the progress now. A spinner that went
   * on animating would also keep the main loop from its idle sources,
   * where spice-glib opens the console's channels, wherever drawing a
   * frame takes longer than the frame (a software renderer). */
  gtk_spinner_stop (self->install_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->install_spinner), FALSE);

  /* The installer's screen, connected when shown: in a moment, as the
   * console window reconnects (QEMU's SPICE server takes a moment after
   * the start event). */
  self->console_source = g_timeout_add (CONSOLE_DELAY_MS, add_console_cb, self);
  _pvm_install_assistant_emit_changed (self);

  self->wait_cancellable = g_cancellable_new ();
  pvm_installation_wait_async (self->installation, self->wait_cancellable, wait_done_cb,
                               g_object_ref (self));
  _pvm_install_assistant_update_header (self);
}

/* The core's instructions, with the commands (indented lines) in a
 * monospace font. */
static char *
dup_instructions_markup (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) markup = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *escaped = NULL;

      if (g_str_has_prefix (lines[i], "    "))
        {
          escaped = g_markup_escape_text (lines[i] + 4, -1);
          g_string_append_printf (markup, "<tt>%s</tt>", escaped);
        }
      else
        {
          escaped = g_markup_escape_text (lines[i], -1);
          g_string_append (markup, escaped);
        }
      if (lines[i + 1] != NULL)
        g_string_append_c (markup, '\n');
    }
  return g_string_free (g_steal_pointer (&markup), FALSE);
}

void
_pvm_install_assistant_start_installation (PvmInstallAssistant *self)
{
  g_autoptr(GError) error = NULL;
  PvmInstallation *installation = _pvm_install_assistant_installation_from_settings (self, &error);

  if (installation == NULL)
    {
      _pvm_install_assistant_show_error (self, self->settings_error_label, error->message);
      return;
    }

  if (self->installation != NULL)
    g_signal_handlers_disconnect_by_data (self->installation, self);
  g_set_object (&self->installation, installation);
  g_object_unref (installation);
  g_signal_connect_object (installation, "notify::message",
                           G_CALLBACK (installation_message_cb), self, G_CONNECT_SWAPPED);

  {
    g_autofree char *markup = dup_instructions_markup (self->media->instructions);

    gtk_label_set_markup (self->instructions_label, markup);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->install_spinner), TRUE);
  gtk_spinner_start (self->install_spinner);
  self->start_cancellable = g_cancellable_new ();
  pvm_installation_start_async (installation, self->start_cancellable, start_done_cb,
                                g_object_ref (self));
  _pvm_install_assistant_show_page (self, "installing");
}

static void
stop_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PvmInstallAssistant) self = user_data;
  g_autoptr(GError) error = NULL;

  pvm_installation_stop_finish (PVM_INSTALLATION (object), result, &error);
  if (self->disposed)
    return;

  _pvm_install_assistant_emit_changed (self);
  if (self->close_when_stopped)
    {
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  back_to_settings (self, error != NULL ? error->message
                                        : pvm_installation_get_message (self->installation),
                    error != NULL);
}

static void do_stop (PvmInstallAssistant *self,
                     const char          *response);

/**
 * pvm_install_assistant_stop:
 * @self: a #PvmInstallAssistant whose VM installs
 * @response: what the stop dialog's answer was: "continue" (nothing),
 *   "keep" (stop, keep the image), "discard" (stop, delete the image) or
 *   "background" (close the assistant; the VM goes on)
 *
 * What the stop dialog does with its answer.
 */
void
pvm_install_assistant_stop (PvmInstallAssistant *self,
                            const char          *response)
{
  g_return_if_fail (PVM_IS_INSTALL_ASSISTANT (self));
  g_return_if_fail (response != NULL);

  if (self->stop_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->stop_dialog));
  do_stop (self, response);
}

static void
stop_response_cb (PvmInstallAssistant *self,
                  const char          *response)
{
  do_stop (self, response);
}

static void
do_stop (PvmInstallAssistant *self,
         const char          *response)
{
  if (g_str_equal (response, "background"))
    {
      g_cancellable_cancel (self->wait_cancellable);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }
  if (!g_str_equal (response, "keep") && !g_str_equal (response, "discard"))
    {
      self->close_when_stopped = FALSE;
      return;
    }
  if (_pvm_install_assistant_step (self) != PVM_INSTALLATION_STEP_INSTALLING)
    return;

  gtk_label_set_text (self->install_label, _("Stopping the VM…"));
  pvm_installation_stop_async (self->installation, g_str_equal (response, "keep"), NULL,
                               stop_done_cb, g_object_ref (self));
  _pvm_install_assistant_update_header (self);
}

void
_pvm_install_assistant_present_stop_dialog (PvmInstallAssistant *self,
                                            gboolean             closing)
{
  const char *name = pvm_installation_get_name (self->installation);
  GtkWidget *dialog;

  if (self->stop_dialog != NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Stop the Installation?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("The VM “%s” is turned off at once. Its image holds what "
                                    "the installer wrote so far: discard it, or keep it to "
                                    "look at or to start again."), name);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "continue",
                                   _("_Keep Installing"));
  if (closing)
    adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "background",
                                     _("Close, _Let It Run"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "keep", _("Stop, Keep _Image"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "discard",
                                   _("Stop and _Discard"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  g_signal_connect_object (dialog, "response", G_CALLBACK (stop_response_cb), self,
                           G_CONNECT_SWAPPED);
  self->stop_dialog = ADW_MESSAGE_DIALOG (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->stop_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_pvm_install_assistant_stop_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *parameter)
{
  _pvm_install_assistant_present_stop_dialog (PVM_INSTALL_ASSISTANT (widget), FALSE);
}

static void
power_off_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PvmInstallAssistant) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pvm_vm_stop_finish (PVM_VM (object), result, NULL, &error) && !self->disposed &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    _pvm_install_assistant_toast (self, error->message);
}

void
_pvm_install_assistant_power_off_action (GtkWidget  *widget,
                                         const char *action_name,
                                         GVariant   *parameter)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (widget);
  PvmVm *vm = pvm_installation_get_vm (self->installation);

  g_return_if_fail (vm != NULL);

  _pvm_install_assistant_toast (self, _("Pressed the VM's power button"));
  pvm_vm_stop_async (vm, PVM_VM_STOP_GRACEFUL, PVM_VM_DEFAULT_STOP_TIMEOUT_SECONDS,
                     self->cancellable, power_off_done_cb, g_object_ref (self));
}

/* --- page 4: the base ---------------------------------------------------- */

static GStrv
dup_snapshot_names (PvmInstallAssistant *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  for (guint i = 0; i < self->snapshot_rows->len; i++)
    {
      const char *text = gtk_editable_get_text (g_ptr_array_index (self->snapshot_rows, i));

      if (*text != '\0')
        g_strv_builder_add (names, text);
    }
  return g_strv_builder_end (names);
}

static void
names_changed_cb (PvmInstallAssistant *self)
{
  g_auto(GStrv) names = dup_snapshot_names (self);
  g_autoptr(GError) error = NULL;

  self->names_valid = pvm_installation_check_snapshot_names (self->installation,
                                                             (const char * const *) names,
                                                             &error);
  for (guint i = 0; i < self->snapshot_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->snapshot_rows, i);
      const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

      _pvm_install_assistant_mark_row (row, error != NULL && *text != '\0' &&
                                            strstr (error->message, text) != NULL);
    }
  _pvm_install_assistant_show_error (self, self->base_error_label,
                                     error != NULL ? error->message : NULL);
  _pvm_install_assistant_update_header (self);
}

static void
remove_snapshot_cb (GtkButton *button,
                    GtkWidget *row)
{
  PvmInstallAssistant *self =
    PVM_INSTALL_ASSISTANT (gtk_widget_get_ancestor (row, PVM_TYPE_INSTALL_ASSISTANT));

  g_ptr_array_remove (self->snapshot_rows, row);
  adw_preferences_group_remove (self->snapshots_group, row);
  names_changed_cb (self);
}

static void
add_snapshot_row (PvmInstallAssistant *self,
                  const char          *name)
{
  GtkWidget *row = adw_entry_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Snapshot"));
  gtk_editable_set_text (GTK_EDITABLE (row), name);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Remove"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Remove"), -1);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_snapshot_cb), row);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), remove);
  g_signal_connect_object (row, "changed", G_CALLBACK (names_changed_cb), self,
                           G_CONNECT_SWAPPED);
  adw_preferences_group_add (self->snapshots_group, row);
  g_ptr_array_add (self->snapshot_rows, row);
}

static void
fill_snapshot_rows (PvmInstallAssistant *self)
{
  g_auto(GStrv) names = NULL;

  while (self->snapshot_rows->len > 0)
    {
      GtkWidget *row = g_ptr_array_steal_index (self->snapshot_rows, 0);

      adw_preferences_group_remove (self->snapshots_group, row);
    }
  names = pvm_installation_dup_snapshot_names (pvm_installation_get_name (self->installation),
                                               PVM_INSTALLATION_DEFAULT_SNAPSHOTS);
  for (guint i = 0; names[i] != NULL; i++)
    add_snapshot_row (self, names[i]);
  names_changed_cb (self);
}

void
_pvm_install_assistant_add_snapshot_action (GtkWidget  *widget,
                                            const char *action_name,
                                            GVariant   *parameter)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (widget);
  const char *base = pvm_installation_get_name (self->installation);
  g_autofree char *name = NULL;

  /* The next NAME-N that no row has. */
  for (guint n = self->snapshot_rows->len + 1; name == NULL; n++)
    {
      g_autofree char *candidate = g_strdup_printf ("%s-%u", base, n);
      gboolean taken = FALSE;

      for (guint i = 0; i < self->snapshot_rows->len; i++)
        taken |= g_str_equal (candidate,
                              gtk_editable_get_text (g_ptr_array_index (self->snapshot_rows, i)));
      if (!taken)
        name = g_steal_pointer (&candidate);
    }
  add_snapshot_row (self, name);
  gtk_widget_grab_focus (g_ptr_array_index (self->snapshot_rows, self->snapshot_rows->len - 1));
  names_changed_cb (self);
}

static void
show_done (PvmInstallAssistant *self,
           GPtrArray           *snapshots)
{
  const char *base = pvm_installation_get_name (self->installation);
  g_autoptr(GPtrArray) names = g_ptr_array_new_null_terminated (snapshots->len, NULL, TRUE);
  g_autofree char *joined = NULL;
  g_autofree char *description = NULL;

  for (guint i = 0; i < self->done_rows->len; i++)
    adw_preferences_group_remove (self->done_group, g_ptr_array_index (self->done_rows, i));
  g_ptr_array_set_size (self->done_rows, 0);

  for (guint i = 0; i < snapshots->len; i++)
    {
      PvmImage *image = g_ptr_array_index (snapshots, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *path = g_markup_escape_text (image->path, -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), image->name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), path);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("drive-harddisk-symbolic"));
      adw_preferences_group_add (self->done_group, row);
      g_ptr_array_add (self->done_rows, row);
      g_ptr_array_add (names, image->name);
    }

  joined = g_strjoinv (",", (char **) names->pdata);
  /* Translators: the base image's name, how many snapshots, the pvm command */
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                              "“%s” is a read-only base now, with %u snapshot. "
                                              "Launch a VM on it here, or with pvm -d %s.",
                                              "“%s” is a read-only base now, with %u snapshots. "
                                              "Launch VMs on them here, or with pvm -d %s.",
                                              snapshots->len),
                                 base, snapshots->len, joined);
  adw_status_page_set_description (self->done_status, description);
  _pvm_install_assistant_show_page (self, "done");
}

static void
make_base_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PvmInstallAssistant) self = user_data;
  g_autoptr(GPtrArray) snapshots = NULL;
  g_autoptr(GError) error = NULL;

  snapshots = pvm_installation_make_base_finish (PVM_INSTALLATION (object), result, &error);
  if (self->disposed)
    return;

  gtk_widget_set_visible (GTK_WIDGET (self->base_progress), FALSE);
  if (snapshots == NULL)
    {
      _pvm_install_assistant_show_error (self, self->base_error_label, error->message);
      _pvm_install_assistant_update_header (self);
      return;
    }
  _pvm_install_assistant_emit_changed (self);
  _pvm_install_assistant_toast (self, _("Base and snapshots created"));
  show_done (self, snapshots);
}

void
_pvm_install_assistant_make_base (PvmInstallAssistant *self)
{
  g_auto(GStrv) names = dup_snapshot_names (self);

  _pvm_install_assistant_show_error (self, self->base_error_label, NULL);
  gtk_progress_bar_set_fraction (self->base_progress, 0.0);
  gtk_progress_bar_set_text (self->base_progress, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->base_progress), TRUE);
  pvm_installation_make_base_async (self->installation, (const char * const *) names, NULL,
                                    make_base_done_cb, g_object_ref (self));
  _pvm_install_assistant_update_header (self);
}

/* --- page 5: done -------------------------------------------------------- */

void
_pvm_install_assistant_launch_action (GtkWidget  *widget,
                                      const char *action_name,
                                      GVariant   *parameter)
{
  PvmInstallAssistant *self = PVM_INSTALL_ASSISTANT (widget);
  GPtrArray *snapshots = pvm_installation_get_snapshots (self->installation);
  guint64 memory_bytes = pvm_installation_get_memory (self->installation);
  g_autofree char *memory = _pvm_install_assistant_format_size (memory_bytes);
  g_autofree char *cores = g_strdup_printf ("%u", pvm_installation_get_cores (self->installation));
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  PvmLaunchDialog *dialog = pvm_launch_dialog_new ();

  for (guint i = 0; i < snapshots->len; i++)
    pvm_launch_dialog_set_vm (dialog, i, ((PvmImage *) g_ptr_array_index (snapshots, i))->name,
                              NULL, NULL, memory, cores);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
  _pvm_install_assistant_emit_launch_dialog (self, dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (self));
}
