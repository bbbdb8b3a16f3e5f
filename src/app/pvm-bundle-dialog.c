/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-bundle-dialog.c: "Save to File…" and "Restore a Saved VM…", as
 * "pvm save NAME --to FILE" and "pvm restore FILE --on HOST" do. Saving
 * puts a running VM (its memory, the disks it writes, its definition)
 * into one file, and the VM leaves its host; restoring continues it from
 * that file on a host picked here. The user picks the file (and the
 * host); the core's refusals are shown as it words them, with the VM
 * where it was; while the core works, a Cancel stops it, which leaves
 * the VM running (save) or nothing on the host (restore). The work runs
 * in the core's threads: the window never waits. */

#define G_LOG_DOMAIN "pvm-bundle-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-bundle-dialog.h"

/* A bundle's usual name ends so, as the chooser's filter expects. */
#define BUNDLE_SUFFIX ".pvmsave"

typedef enum
{
  MODE_SAVE,
  MODE_RESTORE,
} Mode;

typedef enum
{
  STATE_CHOOSE,      /* picking; a refusal may be shown */
  STATE_RUNNING,     /* the core saves or restores */
  STATE_DONE,        /* saved or restored: the result is shown */
} State;

struct _PvmBundleDialog
{
  AdwWindow             parent_instance;

  /* Owned */
  Mode                  mode;
  State                 state;
  PvmVm                *vm;              /* save: the VM */
  char                 *path;            /* the bundle, once picked */
  GPtrArray            *hosts;           /* restore: PvmHostEntry, once read */
  char                 *blocker;         /* why nothing can start, whatever the file:
                                          * a restore's hosts unread, a save's VM
                                          * on another host */
  PvmHostEntry         *host;            /* restore: where it goes, once started */
  GCancellable         *cancellable;     /* of the hosts' reading or the run */
  GtkFileChooserNative *chooser;         /* while a file is picked */
  GTimer               *timer;           /* of the run */
  guint                 pulse_id;
  PvmBundleStep         step;            /* the run's, as the core told it */
  guint64               processed;
  guint64               total;           /* 0: not known, the bar pulses */
  char                 *result;          /* what came of it */
  gboolean              disposed;        /* a run ends without showing it */

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkWidget            *cancel_button;
  GtkWidget            *start_button;
  GtkStack             *stack;
  AdwPreferencesGroup  *group;
  AdwActionRow         *file_row;
  AdwComboRow          *host_row;
  GtkWidget            *problem_box;
  GtkLabel             *problem_label;
  GtkLabel             *progress_title;
  GtkProgressBar       *progress_bar;
  GtkLabel             *progress_label;
  GtkLabel             *progress_hint;
  AdwStatusPage        *done_status;
};

G_DEFINE_FINAL_TYPE (PvmBundleDialog, pvm_bundle_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  RESTORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_PROGRESS_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const PvmHostEntry *
get_host (PvmBundleDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->host_row);

  if (self->hosts == NULL || selected >= self->hosts->len)
    return NULL;
  return g_ptr_array_index (self->hosts, selected);
}

static void
show_problem (PvmBundleDialog *self,
              const char      *problem)
{
  if (problem != NULL)
    gtk_label_set_text (self->problem_label, problem);
  gtk_widget_set_visible (self->problem_box, problem != NULL);
}

static void
set_state (PvmBundleDialog *self,
           State            state)
{
  gboolean ready = self->path != NULL && self->blocker == NULL &&
                   (self->mode == MODE_SAVE || get_host (self) != NULL);

  self->state = state;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bundle.start",
                                 state == STATE_CHOOSE && ready);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bundle.choose", state == STATE_CHOOSE);
  gtk_widget_set_visible (self->cancel_button, state != STATE_DONE);
  gtk_widget_set_visible (self->start_button, state == STATE_CHOOSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->host_row), state == STATE_CHOOSE);
  gtk_stack_set_visible_child_name (self->stack,
                                    state == STATE_RUNNING ? "progress"
                                    : state == STATE_DONE ? "done"
                                    : "choose");
}

/* --- the file -------------------------------------------------------------- */

/* The problem the file (or the configuration) has, shown before anything
 * starts: for a save a file that exists (the core refuses it too: a bundle
 * is never overwritten), for a restore one that does not. */
static void
check_file (PvmBundleDialog *self)
{
  g_autofree char *problem = NULL;

  if (self->blocker != NULL)
    problem = g_strdup (self->blocker);
  else if (self->path == NULL)
    problem = NULL;
  else if (self->mode == MODE_SAVE && g_file_test (self->path, G_FILE_TEST_EXISTS))
    problem = g_strdup_printf (_("%s exists: pVM does not overwrite it. Choose another name."),
                               self->path);
  else if (self->mode == MODE_RESTORE && !g_file_test (self->path, G_FILE_TEST_IS_REGULAR))
    problem = g_strdup_printf (_("%s is not a file"), self->path);
  show_problem (self, problem);
  if (problem != NULL && self->blocker == NULL)
    g_clear_pointer (&self->path, g_free);
}

static void
chooser_response_cb (PvmBundleDialog      *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        pvm_bundle_dialog_set_file (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (widget);
  gboolean save = self->mode == MODE_SAVE;
  GtkFileFilter *filter = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();
  g_autoptr(GFile) current = NULL;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  self->chooser = gtk_file_chooser_native_new (save ? _("Save the VM to a File")
                                                    : _("Choose a Saved VM"),
                                               GTK_WINDOW (self),
                                               save ? GTK_FILE_CHOOSER_ACTION_SAVE
                                                    : GTK_FILE_CHOOSER_ACTION_OPEN,
                                               save ? _("_Save") : _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Saved VMs"));
  gtk_file_filter_add_pattern (filter, "*" BUNDLE_SUFFIX);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  g_object_unref (all);

  if (save)
    {
      g_autofree char *name = g_strconcat (pvm_vm_get_name (self->vm), BUNDLE_SUFFIX, NULL);
      g_autofree char *dir = self->path != NULL ? g_path_get_dirname (self->path)
                                                : g_strdup (g_get_home_dir ());

      current = g_file_new_for_path (dir);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), current, NULL);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
    }

  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* --- the run ----------------------------------------------------------------- */

/* What the step under way does, and how far it is. */
static char *
dup_step_text (PvmBundleDialog *self)
{
  g_autofree char *done = pvm_size_format (self->processed);
  g_autofree char *all = pvm_size_format (self->total);
  const char *host = self->host != NULL ? self->host->name : "";

  switch (self->step)
    {
    case PVM_BUNDLE_STEP_STATE:
      return self->total > 0 ? g_strdup_printf (_("Saving its memory: %s of %s"), done, all)
                             : g_strdup (_("Saving its memory…"));
    case PVM_BUNDLE_STEP_WRITE:
      return g_strdup_printf (_("Writing the file: %s of %s"), done, all);
    case PVM_BUNDLE_STEP_UNPACK:
      return g_strdup_printf (_("Unpacking the file: %s of %s"), done, all);
    case PVM_BUNDLE_STEP_COPY:
      return g_strdup_printf (_("Copying its disks to %s: %s of %s"), host, done, all);
    case PVM_BUNDLE_STEP_CONTINUE:
    default:
      return g_strdup_printf (_("Continuing it on %s…"), host);
    }
}

/* The bar follows the step's count, and pulses when there is none; the
 * seconds pass, so that a long run is seen to go on. */
static gboolean
pulse_cb (gpointer user_data)
{
  PvmBundleDialog *self = user_data;
  g_autofree char *step = NULL;
  g_autofree char *text = NULL;
  guint seconds = (guint) g_timer_elapsed (self->timer, NULL);

  if (self->total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   CLAMP ((double) self->processed / (double) self->total,
                                          0.0, 1.0));
  else
    gtk_progress_bar_pulse (self->progress_bar);
  if (!g_cancellable_is_cancelled (self->cancellable))
    {
      step = dup_step_text (self);
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%u second)", "%s (%u seconds)",
                                           seconds), step, seconds);
      if (g_strcmp0 (text, gtk_label_get_text (self->progress_label)) != 0)
        {
          gtk_label_set_text (self->progress_label, text);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TEXT]);
        }
    }
  return G_SOURCE_CONTINUE;
}

static void
progress_cb (PvmBundleStep step,
             guint64       processed,
             guint64       total,
             gpointer      user_data)
{
  PvmBundleDialog *self = user_data;

  self->step = step;
  self->processed = processed;
  self->total = total;
  if (!self->disposed && self->state == STATE_RUNNING)
    pulse_cb (self);
}

static void
begin_run (PvmBundleDialog *self,
           const char      *title,
           const char      *hint)
{
  gtk_label_set_text (self->progress_title, title);
  gtk_label_set_text (self->progress_hint, hint);
  gtk_label_set_text (self->progress_label, "");
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  self->step = self->mode == MODE_SAVE ? PVM_BUNDLE_STEP_STATE : PVM_BUNDLE_STEP_UNPACK;
  self->processed = 0;
  self->total = 0;
  show_problem (self, NULL);
  set_state (self, STATE_RUNNING);

  self->cancellable = g_cancellable_new ();
  g_timer_start (self->timer);
  self->pulse_id = g_timeout_add (150, pulse_cb, self);
}

/* Returns whether the dialog may show what came of the run. */
static gboolean
end_run (PvmBundleDialog *self)
{
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  g_clear_object (&self->cancellable);
  return !self->disposed;
}

/* Back to picking, with why: the core's words, or the cancel's. */
static void
show_refused (PvmBundleDialog *self,
              GError          *error,
              const char      *cancelled)
{
  self->result = g_strdup (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                           ? cancelled : error->message);
  show_problem (self, self->result);
  set_state (self, STATE_CHOOSE);
}

static void
show_done (PvmBundleDialog *self,
           const char      *title,
           const char      *message)
{
  self->result = g_strdup (message);
  adw_status_page_set_title (self->done_status, title);
  adw_status_page_set_description (self->done_status, message);
  set_state (self, STATE_DONE);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PvmBundleDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *cancelled = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;
  const char *name = pvm_vm_get_name (self->vm);
  gboolean saved = pvm_vm_save_to_bundle_finish (PVM_VM (object), result, &error);

  if (!end_run (self))
    return;
  if (!saved)
    {
      cancelled = g_strdup_printf (_("Cancelled: %s keeps running here"), name);
      show_refused (self, error, cancelled);
      return;
    }

  basename = g_path_get_basename (self->path);
  title = g_strdup_printf (_("Saved to “%s”"), basename);
  message = g_strdup_printf (_("%s has left this host with the disks it writes, and %s holds "
                               "it. Restore a Saved VM… in the main menu continues it from "
                               "there, on this host or another one."), name, self->path);
  show_done (self, title, message);
  g_signal_emit (self, signals[SAVED], 0, message);
}

static void
restored_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PvmBundleDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmVm) vm = pvm_bundle_restore_finish (result, &error);
  g_autofree char *cancelled = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;

  if (!end_run (self))
    return;
  if (vm == NULL)
    {
      cancelled = g_strdup_printf (_("Cancelled: nothing was left on %s"), self->host->name);
      show_refused (self, error, cancelled);
      return;
    }

  title = g_strdup_printf (_("“%s” Continues on %s"), pvm_vm_get_name (vm), self->host->name);
  message = g_strdup_printf (_("%s runs from where it was saved. %s stays: delete it once you "
                               "no longer need it."), pvm_vm_get_name (vm), self->path);
  show_done (self, title, message);
  g_signal_emit (self, signals[RESTORED], 0, vm, message);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (widget);
  g_autofree char *title = NULL;
  g_autofree char *hint = NULL;

  if (self->state != STATE_CHOOSE || self->path == NULL)
    return;
  g_clear_pointer (&self->result, g_free);

  if (self->mode == MODE_SAVE)
    {
      const char *name = pvm_vm_get_name (self->vm);

      check_file (self);
      if (self->path == NULL)
        {
          set_state (self, STATE_CHOOSE);
          return;
        }
      title = g_strdup_printf (_("Saving “%s”"), name);
      hint = g_strdup_printf (_("Cancel stops the save: %s then keeps running here"), name);
      begin_run (self, title, hint);
      /* The dialog stays until the core is done. */
      pvm_vm_save_to_bundle_async (self->vm, self->path, progress_cb, self, self->cancellable,
                                   saved_cb, g_object_ref (self));
      return;
    }

  g_clear_pointer (&self->host, pvm_host_entry_free);
  self->host = pvm_host_entry_copy (get_host (self));
  title = g_strdup_printf (_("Restoring on %s"), self->host->name);
  hint = g_strdup_printf (_("Cancel stops the restore: nothing is then left on %s"),
                          self->host->name);
  begin_run (self, title, hint);
  pvm_bundle_restore_async (self->path, self->host, progress_cb, self, self->cancellable,
                            restored_cb, g_object_ref (self));
}

/* Cancel: closes the dialog, or stops what runs (the dialog then says
 * what came of it). */
static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (widget);

  if (self->state == STATE_RUNNING && self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      gtk_label_set_text (self->progress_label, _("Cancelling…"));
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

/* Closing the window while a run goes on cancels it, and waits for the
 * core to have undone it. */
static gboolean
pvm_bundle_dialog_close_request (GtkWindow *window)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (window);

  if (self->state == STATE_RUNNING)
    {
      cancel_action (GTK_WIDGET (self), "bundle.cancel", NULL);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (pvm_bundle_dialog_parent_class)->close_request (window);
}

/* --- the hosts (restore) ------------------------------------------------------- */

static void
hosts_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GPtrArray *hosts = pvm_hosts_load_default_finish (result, &error);

  g_clear_object (&self->cancellable);
  if (hosts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Without the configuration there is no host to restore on. */
          self->blocker = g_strdup (error->message);
          show_problem (self, self->blocker);
        }
      return;
    }
  self->hosts = hosts;
  for (guint i = 0; i < hosts->len; i++)
    gtk_string_list_append (names, ((PvmHostEntry *) g_ptr_array_index (hosts, i))->name);
  adw_combo_row_set_model (self->host_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->host_row, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->host_row), hosts->len > 1);
  set_state (self, self->state);
}

static void
host_selected_cb (PvmBundleDialog *self)
{
  if (self->state == STATE_CHOOSE)
    set_state (self, STATE_CHOOSE);
}

/* --- the dialog ---------------------------------------------------------------- */

static void
pvm_bundle_dialog_dispose (GObject *object)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (object);

  /* A run holds the dialog until it is done; destroyed meanwhile (the
   * application quits), it stops the run, which shows nothing. */
  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (pvm_bundle_dialog_parent_class)->dispose (object);
}

static void
pvm_bundle_dialog_finalize (GObject *object)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (object);

  g_clear_object (&self->vm);
  g_free (self->path);
  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  g_clear_pointer (&self->host, pvm_host_entry_free);
  g_free (self->blocker);
  g_clear_object (&self->cancellable);
  g_timer_destroy (self->timer);
  g_free (self->result);

  G_OBJECT_CLASS (pvm_bundle_dialog_parent_class)->finalize (object);
}

static void
pvm_bundle_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PvmBundleDialog *self = PVM_BUNDLE_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PROGRESS_TEXT:
      g_value_set_string (value, pvm_bundle_dialog_get_progress_text (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_bundle_dialog_class_init (PvmBundleDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pvm_bundle_dialog_dispose;
  object_class->finalize = pvm_bundle_dialog_finalize;
  object_class->get_property = pvm_bundle_dialog_get_property;
  window_class->close_request = pvm_bundle_dialog_close_request;

  /**
   * PvmBundleDialog:progress-text:
   *
   * While a save or a restore runs, its step and how far it is, as
   * shown under the bar; %NULL otherwise.
   */
  properties[PROP_PROGRESS_TEXT] =
    g_param_spec_string ("progress-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PvmBundleDialog::saved:
   * @self: the dialog
   * @message: what happened, for a toast
   *
   * The VM is in the file and has left its host: the #PvmVm the dialog
   * was made with is gone.
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * PvmBundleDialog::restored:
   * @self: the dialog
   * @vm: the VM, running on the host picked
   * @message: what happened, for a toast
   */
  signals[RESTORED] = g_signal_new ("restored", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                    NULL, NULL, NULL, G_TYPE_NONE, 2, PVM_TYPE_VM,
                                    G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-bundle-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, start_button);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, group);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, problem_box);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, progress_title);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, progress_hint);
  gtk_widget_class_bind_template_child (widget_class, PvmBundleDialog, done_status);

  gtk_widget_class_install_action (widget_class, "bundle.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "bundle.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "bundle.choose", NULL, choose_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "bundle.cancel", NULL);
}

static void
pvm_bundle_dialog_init (PvmBundleDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->timer = g_timer_new ();
  g_signal_connect_object (self->host_row, "notify::selected", G_CALLBACK (host_selected_cb),
                           self, G_CONNECT_SWAPPED);
}

static void
set_description (PvmBundleDialog *self,
                 const char      *description)
{
  g_autofree char *escaped = g_markup_escape_text (description, -1);

  adw_preferences_group_set_description (self->group, escaped);
}

/**
 * pvm_bundle_dialog_new_save:
 * @vm: a running VM
 *
 * Returns: (transfer full): a dialog that saves @vm into a file the user
 *   picks (its home folder and name by default); it emits "saved" once
 *   @vm is in the file and has left its host. For a VM of another host
 *   it says that it cannot (a bundle is written on this machine), and
 *   how to go on.
 */
PvmBundleDialog *
pvm_bundle_dialog_new_save (PvmVm *vm)
{
  PvmBundleDialog *self;
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  g_autofree char *path = NULL;
  const char *name;

  g_return_val_if_fail (PVM_IS_VM (vm), NULL);

  self = g_object_new (PVM_TYPE_BUNDLE_DIALOG, NULL);
  self->mode = MODE_SAVE;
  self->vm = g_object_ref (vm);
  name = pvm_vm_get_name (vm);

  title = g_strdup_printf (_("Save “%s” to a File"), name);
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  gtk_button_set_label (GTK_BUTTON (self->start_button), _("_Save"));
  description = g_strdup_printf (_("The memory of %s, the disks it writes and its definition go "
                                   "into one file, and %s leaves this host with those disks. "
                                   "Restored from the file, on this host or another one with its "
                                   "base image and input at the same paths, it continues from "
                                   "exactly where it was."), name, name);
  set_description (self, description);

  /* The first name free in the home folder: NAME.pvmsave, NAME-2.pvmsave… */
  for (guint i = 1; i < 100 && path == NULL; i++)
    {
      g_autofree char *file = i == 1 ? g_strconcat (name, BUNDLE_SUFFIX, NULL)
                                     : g_strdup_printf ("%s-%u" BUNDLE_SUFFIX, name, i);
      g_autofree char *candidate = g_build_filename (g_get_home_dir (), file, NULL);

      if (!g_file_test (candidate, G_FILE_TEST_EXISTS))
        path = g_steal_pointer (&candidate);
    }
  /* The core writes a bundle of this machine's VMs only: say so before a
   * file is picked. */
  if (!pvm_hosts_uri_is_local (pvm_vm_get_uri (vm)))
    self->blocker = g_strdup_printf (_("%s runs on another host (%s): a VM is saved to a file "
                                       "on this machine only. Move it here first (Move To…), "
                                       "or save it where it runs (Save)."),
                                     name, pvm_vm_get_uri (vm));
  if (path != NULL)
    pvm_bundle_dialog_set_file (self, path);
  else
    {
      check_file (self);
      set_state (self, STATE_CHOOSE);
    }
  return self;
}

/**
 * pvm_bundle_dialog_new_restore:
 *
 * Returns: (transfer full): a dialog that continues the VM of a file the
 *   user picks on a host of the configuration; it emits "restored" once
 *   the VM runs there
 */
PvmBundleDialog *
pvm_bundle_dialog_new_restore (void)
{
  PvmBundleDialog *self = g_object_new (PVM_TYPE_BUNDLE_DIALOG, NULL);

  self->mode = MODE_RESTORE;
  gtk_window_set_title (GTK_WINDOW (self), _("Restore a Saved VM"));
  adw_window_title_set_title (self->window_title, _("Restore a Saved VM"));
  gtk_button_set_label (GTK_BUTTON (self->start_button), _("_Restore"));
  adw_action_row_set_subtitle (self->file_row, _("None chosen"));
  set_description (self, _("A VM saved to a file (Save to a File…, or pvm save NAME --to "
                           "FILE) continues from exactly where it was saved. The host must have "
                           "its base image and input at the same paths, and no file where its "
                           "disks go; if the restore fails, nothing is left there."));
  set_state (self, STATE_CHOOSE);

  self->cancellable = g_cancellable_new ();
  pvm_hosts_load_default_async (self, self->cancellable, hosts_loaded_cb, NULL);
  return self;
}

/**
 * pvm_bundle_dialog_set_file:
 * @self: a #PvmBundleDialog
 * @path: the bundle's path
 *
 * Picks @path, as the file chooser does.
 */
void
pvm_bundle_dialog_set_file (PvmBundleDialog *self,
                            const char      *path)
{
  g_autofree char *escaped = NULL;

  g_return_if_fail (PVM_IS_BUNDLE_DIALOG (self));
  g_return_if_fail (path != NULL);

  if (self->state != STATE_CHOOSE)
    return;
  g_free (self->path);
  self->path = g_canonicalize_filename (path, NULL);
  escaped = g_markup_escape_text (self->path, -1);
  adw_action_row_set_subtitle (self->file_row, escaped);
  check_file (self);
  set_state (self, STATE_CHOOSE);
}

/**
 * pvm_bundle_dialog_select_host:
 * @self: a #PvmBundleDialog
 * @name: a host's name
 *
 * Picks @name for a restore, as the Host row does.
 *
 * Returns: whether the dialog offers @name
 */
gboolean
pvm_bundle_dialog_select_host (PvmBundleDialog *self,
                               const char      *name)
{
  g_return_val_if_fail (PVM_IS_BUNDLE_DIALOG (self), FALSE);

  for (guint i = 0; self->hosts != NULL && i < self->hosts->len; i++)
    if (g_str_equal (((PvmHostEntry *) g_ptr_array_index (self->hosts, i))->name, name))
      {
        adw_combo_row_set_selected (self->host_row, i);
        return TRUE;
      }
  return FALSE;
}

/**
 * pvm_bundle_dialog_is_ready:
 * @self: a #PvmBundleDialog
 *
 * Returns: whether Save or Restore can be pressed
 */
gboolean
pvm_bundle_dialog_is_ready (PvmBundleDialog *self)
{
  g_return_val_if_fail (PVM_IS_BUNDLE_DIALOG (self), FALSE);

  return gtk_widget_is_sensitive (self->start_button) &&
         gtk_widget_get_visible (self->start_button);
}

/**
 * pvm_bundle_dialog_is_busy:
 * @self: a #PvmBundleDialog
 *
 * Returns: whether the save or the restore runs
 */
gboolean
pvm_bundle_dialog_is_busy (PvmBundleDialog *self)
{
  g_return_val_if_fail (PVM_IS_BUNDLE_DIALOG (self), FALSE);

  return self->state == STATE_RUNNING;
}

/**
 * pvm_bundle_dialog_get_progress_text:
 * @self: a #PvmBundleDialog
 *
 * Returns: (nullable): the #PvmBundleDialog:progress-text
 */
const char *
pvm_bundle_dialog_get_progress_text (PvmBundleDialog *self)
{
  g_return_val_if_fail (PVM_IS_BUNDLE_DIALOG (self), NULL);

  return self->state == STATE_RUNNING ? gtk_label_get_text (self->progress_label) : NULL;
}

/**
 * pvm_bundle_dialog_get_problem:
 * @self: a #PvmBundleDialog
 *
 * Returns: (nullable): why the file or the run was refused, as shown, or
 *   %NULL
 */
const char *
pvm_bundle_dialog_get_problem (PvmBundleDialog *self)
{
  g_return_val_if_fail (PVM_IS_BUNDLE_DIALOG (self), NULL);

  return gtk_widget_get_visible (self->problem_box) ? gtk_label_get_text (self->problem_label)
                                                    : NULL;
}

/**
 * pvm_bundle_dialog_get_result:
 * @self: a #PvmBundleDialog
 *
 * Returns: (nullable): what came of the last run (done, refused,
 *   cancelled), as shown, or %NULL while there is none
 */
const char *
pvm_bundle_dialog_get_result (PvmBundleDialog *self)
{
  g_return_val_if_fail (PVM_IS_BUNDLE_DIALOG (self), NULL);

  return self->result;
}
