/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-preferences-window.c: the settings of the core's configuration file
 * (pvm.conf) that a user changes now and then: the image and data
 * repositories, the libvirt connection, the network and first SSH port,
 * the guest CPU, the output mode and the size of a new output disk.
 *
 * Every change is checked by the core (pvm_config_set_string()), as the
 * pvm command checks the file: a value it refuses is shown in red under
 * its group and changes nothing. A value it takes is saved at once, in a
 * thread, with pvm_config_save(), which replaces the file atomically; the
 * pvm command reads the same file. "changed" tells the main window to read
 * its lists again. */

#define G_LOG_DOMAIN "pvm-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-folder.h"
#include "pvm-preferences-window.h"

struct _PvmPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  /* Owned */
  GCancellable         *cancellable;
  PvmConfig            *config;          /* as shown; changed on the main thread only */
  char                 *config_path;
  GtkFileChooserNative *chooser;
  guint                 saving : 1;
  guint                 save_again : 1;  /* changed while saving */
  guint                 filling : 1;     /* the rows are being set from the file */

  /* Template widgets */
  AdwPreferencesGroup  *status_group;
  GtkLabel             *status_label;
  GtkLabel             *save_error_label;
  AdwPreferencesGroup  *repositories_group;
  AdwActionRow         *images_row;
  AdwActionRow         *data_row;
  AdwPreferencesGroup  *vms_group;
  AdwEntryRow          *uri_row;
  AdwComboRow          *net_row;
  AdwEntryRow          *port_row;
  AdwComboRow          *cpu_row;
  GtkLabel             *vms_error_label;
  AdwPreferencesGroup  *output_group;
  AdwComboRow          *output_mode_row;
  AdwEntryRow          *disk_size_row;
  GtkLabel             *output_error_label;
};

G_DEFINE_FINAL_TYPE (PvmPreferencesWindow, pvm_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The rows, the keys they set and where their errors show. Offsets into
 * the instance, as the template binds them. */
static const struct {
  const char *key;
  gsize       row;
  gsize       error_label;
} entries[] = {
  { "LIBVIRT_URI", G_STRUCT_OFFSET (PvmPreferencesWindow, uri_row),
    G_STRUCT_OFFSET (PvmPreferencesWindow, vms_error_label) },
  { "INIT_SSH_PORT", G_STRUCT_OFFSET (PvmPreferencesWindow, port_row),
    G_STRUCT_OFFSET (PvmPreferencesWindow, vms_error_label) },
  { "OUTPUT_DISK_SIZE", G_STRUCT_OFFSET (PvmPreferencesWindow, disk_size_row),
    G_STRUCT_OFFSET (PvmPreferencesWindow, output_error_label) },
};

/* The choices of the combo rows, in the order of their models. */
static const struct {
  const char *key;
  gsize       row;
  const char *choices[3];
} combos[] = {
  { "NET_TYPE", G_STRUCT_OFFSET (PvmPreferencesWindow, net_row), { "user", "tap", NULL } },
  { "CPU_MODE", G_STRUCT_OFFSET (PvmPreferencesWindow, cpu_row),
    { "migration-safe", "fastest", NULL } },
  { "OUTPUT_MODE", G_STRUCT_OFFSET (PvmPreferencesWindow, output_mode_row),
    { "shared", "disk", NULL } },
};

#define MEMBER(self, offset) G_STRUCT_MEMBER (gpointer, (self), (offset))

static void
set_folder_subtitle (AdwActionRow *row,
                     const char   *path)
{
  g_autofree char *escaped = g_markup_escape_text (path, -1);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    adw_action_row_set_subtitle (row, escaped);
  else
    {
      /* Translators: a repository folder that is not there */
      g_autofree char *subtitle = g_strdup_printf ("%s\n<i>%s</i>", escaped,
                                                   _("Does not exist yet"));

      adw_action_row_set_subtitle (row, subtitle);
    }
}

/* The rows as the configuration has them. */
static void
fill (PvmPreferencesWindow *self)
{
  self->filling = TRUE;

  set_folder_subtitle (self->images_row, pvm_config_get_string (self->config, "DRIVEREPO"));
  set_folder_subtitle (self->data_row, pvm_config_get_string (self->config, "SQUASHREPO"));

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    gtk_editable_set_text (GTK_EDITABLE (MEMBER (self, entries[i].row)),
                           pvm_config_get_string (self->config, entries[i].key));

  for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
    {
      const char *value = pvm_config_get_string (self->config, combos[i].key);

      for (guint c = 0; combos[i].choices[c] != NULL; c++)
        if (g_str_equal (value, combos[i].choices[c]))
          adw_combo_row_set_selected (MEMBER (self, combos[i].row), c);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->disk_size_row),
                            pvm_config_get_output_mode (self->config) == PVM_OUTPUT_MODE_DISK);
  self->filling = FALSE;
}

static void
show_save_error (PvmPreferencesWindow *self,
                 const char           *message)
{
  gtk_label_set_text (self->save_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->save_error_label), message != NULL);
}

static void save (PvmPreferencesWindow *self);

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PvmPreferencesWindow *self = source_object;
  GError *error = NULL;

  /* task_data is a copy: the window's configuration may change meanwhile. */
  if (pvm_config_save (task_data, self->config_path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvmPreferencesWindow *self = PVM_PREFERENCES_WINDOW (object);
  g_autoptr(GError) error = NULL;
  gboolean saved = g_task_propagate_boolean (G_TASK (result), &error);

  self->saving = FALSE;
  /* Closed meanwhile: the file was written all the same. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;

  show_save_error (self, saved ? NULL : error->message);
  if (saved)
    g_signal_emit (self, signals[CHANGED], 0);
  if (self->save_again)
    save (self);
}

/* Saves what the window shows; a change made while saving is saved next. */
static void
save (PvmPreferencesWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->saving)
    {
      self->save_again = TRUE;
      return;
    }

  self->saving = TRUE;
  self->save_again = FALSE;
  /* No cancellable: a save that started ends, the window open or not. */
  task = g_task_new (self, NULL, save_done_cb, NULL);
  g_task_set_source_tag (task, save);
  g_task_set_task_data (task, pvm_config_copy (self->config), g_object_unref);
  g_task_run_in_thread (task, save_thread);
}

/* Sets @key as the core checks it. Returns the core's refusal, or NULL. */
static char *
set_value (PvmPreferencesWindow *self,
           const char           *key,
           const char           *value)
{
  g_autoptr(GError) error = NULL;

  if (!pvm_config_set_string (self->config, key, value, &error))
    return g_strdup (error->message);
  save (self);
  return NULL;
}

static void
entry_apply_cb (PvmPreferencesWindow *self,
                AdwEntryRow          *row)
{
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      GtkLabel *label = MEMBER (self, entries[i].error_label);
      g_autofree char *value = NULL;
      g_autofree char *refused = NULL;

      if (MEMBER (self, entries[i].row) != (gpointer) row)
        continue;

      value = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
      refused = set_value (self, entries[i].key, value);
      if (refused != NULL)
        {
          gtk_widget_add_css_class (GTK_WIDGET (row), "error");
          gtk_label_set_text (label, refused);
          gtk_widget_set_visible (GTK_WIDGET (label), TRUE);
          g_object_set_data (G_OBJECT (label), "row", row);
        }
      else
        {
          gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
          if (g_object_get_data (G_OBJECT (label), "row") == row)
            {
              gtk_widget_set_visible (GTK_WIDGET (label), FALSE);
              g_object_set_data (G_OBJECT (label), "row", NULL);
            }
        }
    }
}

static void
combo_selected_cb (PvmPreferencesWindow *self,
                   GParamSpec           *pspec,
                   AdwComboRow          *row)
{
  guint selected = adw_combo_row_get_selected (row);

  if (self->filling || selected == GTK_INVALID_LIST_POSITION)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (combos); i++)
    if (MEMBER (self, combos[i].row) == (gpointer) row &&
        selected < g_strv_length ((char **) combos[i].choices))
      {
        g_autofree char *refused = set_value (self, combos[i].key, combos[i].choices[selected]);

        /* The choices are the core's own: it takes them. */
        g_assert (refused == NULL);
      }

  gtk_widget_set_sensitive (GTK_WIDGET (self->disk_size_row),
                            pvm_config_get_output_mode (self->config) == PVM_OUTPUT_MODE_DISK);
}

/**
 * pvm_preferences_window_set_folder:
 * @self: a #PvmPreferencesWindow
 * @key: "DRIVEREPO" or "SQUASHREPO"
 * @folder: the folder the user chose
 *
 * What the folder chooser does with its answer: @folder becomes the
 * repository, and is saved.
 */
void
pvm_preferences_window_set_folder (PvmPreferencesWindow *self,
                                   const char           *key,
                                   GFile                *folder)
{
  g_autofree char *path = NULL;
  g_autofree char *refused = NULL;

  g_return_if_fail (PVM_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (g_strcmp0 (key, "DRIVEREPO") == 0 || g_strcmp0 (key, "SQUASHREPO") == 0);
  g_return_if_fail (G_IS_FILE (folder));

  path = g_file_get_path (folder);
  if (path == NULL)
    {
      show_save_error (self, _("This folder is not on this computer's file system: choose a "
                               "local folder."));
      return;
    }

  refused = set_value (self, key, path);
  show_save_error (self, refused);
  fill (self);
}

static void
chooser_response_cb (PvmPreferencesWindow *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (folder != NULL)
        pvm_preferences_window_set_folder (self, g_object_get_data (G_OBJECT (chooser), "key"),
                                           folder);
    }
  g_clear_object (&self->chooser);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmPreferencesWindow *self = PVM_PREFERENCES_WINDOW (widget);
  gboolean images = g_str_equal (g_variant_get_string (parameter, NULL), "DRIVEREPO");
  /* Static strings, for the chooser's data. */
  const char *key = images ? "DRIVEREPO" : "SQUASHREPO";

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  self->chooser = pvm_folder_chooser_new (GTK_WINDOW (self),
                                          images ? _("Folder of the VM Images")
                                                 : _("Folder of the Data Archives"),
                                          pvm_config_get_string (self->config, key));
  g_object_set_data (G_OBJECT (self->chooser), "key", (gpointer) key);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/**
 * pvm_preferences_window_is_saving:
 * @self: a #PvmPreferencesWindow
 *
 * Returns: whether a change is being written to the file
 */
gboolean
pvm_preferences_window_is_saving (PvmPreferencesWindow *self)
{
  g_return_val_if_fail (PVM_IS_PREFERENCES_WINDOW (self), FALSE);

  return self->saving;
}

static void
pvm_preferences_window_dispose (GObject *object)
{
  PvmPreferencesWindow *self = PVM_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), PVM_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (pvm_preferences_window_parent_class)->dispose (object);
}

static void
pvm_preferences_window_finalize (GObject *object)
{
  PvmPreferencesWindow *self = PVM_PREFERENCES_WINDOW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->config);
  g_free (self->config_path);

  G_OBJECT_CLASS (pvm_preferences_window_parent_class)->finalize (object);
}

static void
pvm_preferences_window_class_init (PvmPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_preferences_window_dispose;
  object_class->finalize = pvm_preferences_window_finalize;

  /**
   * PvmPreferencesWindow::changed:
   * @self: the window
   *
   * A change was saved: the repositories or the connection may differ.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, status_group);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, save_error_label);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, repositories_group);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, images_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, data_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, vms_group);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, uri_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, net_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, port_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, cpu_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, vms_error_label);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, output_group);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, output_mode_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, disk_size_row);
  gtk_widget_class_bind_template_child (widget_class, PvmPreferencesWindow, output_error_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, combo_selected_cb);

  gtk_widget_class_install_action (widget_class, "prefs.choose", "s", choose_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pvm_preferences_window_init (PvmPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->config = pvm_config_new ();
  self->config_path = pvm_config_dup_default_path ();
  status = g_strdup_printf (_("These settings are kept in %s, which the pvm command reads too."),
                            self->config_path);
  gtk_label_set_text (self->status_label, status);

  if (!pvm_config_load_default (self->config, NULL, &error))
    {
      /* Saving would lose what could not be read: fix the file first. */
      g_autofree char *message = g_strdup_printf (_("%s Fix it (or move it away) and open the "
                                                    "preferences again."), error->message);

      show_save_error (self, message);
      gtk_widget_set_sensitive (GTK_WIDGET (self->repositories_group), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->vms_group), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->output_group), FALSE);
    }
  fill (self);
}

/**
 * pvm_preferences_window_new:
 *
 * Returns: (transfer full): the preferences, as pvm.conf has them
 */
PvmPreferencesWindow *
pvm_preferences_window_new (void)
{
  return g_object_new (PVM_TYPE_PREFERENCES_WINDOW, NULL);
}
