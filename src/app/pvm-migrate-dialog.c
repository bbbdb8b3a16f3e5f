/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-migrate-dialog.c: "Move to…": moves a running VM to another host,
 * as "pvm migrate NAME HOST" does. The user picks the host; the core's
 * checks run first (PVM_MIGRATION_CHECK_ONLY), and a refusal is shown as
 * the core words it, with the VM where it was. Then the live migration,
 * with its progress (data left, the guest's writes, the expected pause)
 * and a Cancel that aborts it (the VM keeps running on its host), and what
 * came of it. The work runs in the core's threads: the window never
 * waits. */

#define G_LOG_DOMAIN "pvm-migrate-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-migrate-dialog.h"

typedef enum
{
  STATE_CHOOSE,      /* picking the host; a refusal may be shown */
  STATE_CHECKING,    /* the core's checks run */
  STATE_MOVING,      /* the migration runs */
  STATE_DONE,        /* moved, cancelled or failed: the result is shown */
} State;

struct _PvmMigrateDialog
{
  AdwWindow        parent_instance;

  /* Owned */
  PvmVm           *vm;
  char            *source_name;
  GPtrArray       *destinations;    /* PvmHostEntry: every host but the source */
  GPtrArray       *checks;          /* GtkCheckButton of each destination, borrowed */
  GCancellable    *cancellable;     /* of the checks or the migration that runs */
  PvmHostEntry    *destination;     /* where it goes, once started */
  char            *result;          /* what came of it */
  State            state;
  gboolean         disposed;        /* a run ends without showing it */

  /* Template widgets */
  AdwWindowTitle  *window_title;
  GtkWidget       *cancel_button;
  GtkWidget       *move_button;
  GtkStack        *stack;
  AdwPreferencesGroup *hosts_group;
  GtkWidget       *checking_box;
  GtkLabel        *checking_label;
  GtkWidget       *problem_box;
  GtkLabel        *problem_label;
  GtkLabel        *progress_title;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
  GtkLabel        *progress_hint;
  AdwStatusPage   *done_status;
};

G_DEFINE_FINAL_TYPE (PvmMigrateDialog, pvm_migrate_dialog, ADW_TYPE_WINDOW)

enum {
  MOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const PvmHostEntry *
get_selected (PvmMigrateDialog *self)
{
  for (guint i = 0; i < self->checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->checks, i)))
      return g_ptr_array_index (self->destinations, i);
  return NULL;
}

static void
set_state (PvmMigrateDialog *self,
           State             state)
{
  self->state = state;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "move.start",
                                 state == STATE_CHOOSE && get_selected (self) != NULL);
  gtk_widget_set_visible (self->cancel_button, state != STATE_DONE);
  gtk_widget_set_visible (self->move_button, state == STATE_CHOOSE || state == STATE_CHECKING);
  gtk_widget_set_visible (self->checking_box, state == STATE_CHECKING);
  for (guint i = 0; i < self->checks->len; i++)
    gtk_widget_set_sensitive (g_ptr_array_index (self->checks, i), state == STATE_CHOOSE);
  if (state == STATE_CHECKING)
    gtk_widget_set_visible (self->problem_box, FALSE);
  gtk_stack_set_visible_child_name (self->stack,
                                    state == STATE_MOVING ? "progress"
                                    : state == STATE_DONE ? "done"
                                    : "choose");
}

static void
selection_cb (PvmMigrateDialog *self)
{
  if (self->state == STATE_CHOOSE)
    set_state (self, STATE_CHOOSE);
}

/* The end: what came of it on the "done" page, and in a toast of the
 * window that opened the dialog (the "moved" signal) when it moved. */
static void
show_done (PvmMigrateDialog *self,
           const char       *icon_name,
           const char       *title,
           const char       *message)
{
  g_free (self->result);
  self->result = g_strdup (message);
  adw_status_page_set_icon_name (self->done_status, icon_name);
  adw_status_page_set_title (self->done_status, title);
  adw_status_page_set_description (self->done_status, message);
  set_state (self, STATE_DONE);
}

/* --- the migration ------------------------------------------------------- */

/* In the main context, about four times a second. */
static void
progress_cb (const PvmMigrationProgress *progress,
             gpointer                    user_data)
{
  PvmMigrateDialog *self = user_data;
  g_autofree char *remaining = NULL;
  g_autofree char *dirty = NULL;
  g_autofree char *text = NULL;

  if (self->disposed || self->state != STATE_MOVING)
    return;
  if (progress->data_total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar,
                                   CLAMP ((double) progress->data_processed /
                                          (double) progress->data_total, 0.0, 1.0));
  remaining = pvm_size_format (progress->data_remaining);
  dirty = pvm_size_format (progress->dirty_rate);
  if (progress->expected_downtime_ms > 0)
    text = g_strdup_printf (_("%s left, guest writes %s/s, expected pause %u ms"), remaining,
                            dirty, (guint) progress->expected_downtime_ms);
  else
    text = g_strdup_printf (_("%s left, guest writes %s/s"), remaining, dirty);
  gtk_label_set_text (self->progress_label, text);
}

static void
migrated_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PvmMigrateDialog) self = user_data;
  g_autoptr(PvmVm) moved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *title = NULL;
  PvmMigrationResult migration = { 0 };
  const char *name = pvm_vm_get_name (self->vm);

  moved = pvm_vm_migrate_finish (PVM_VM (object), result, &migration, &error);
  g_clear_object (&self->cancellable);
  if (self->disposed)
    return;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* The core's message says where the VM runs. */
      show_done (self, "process-stop-symbolic", _("Move Cancelled"), error->message);
      return;
    }
  if (moved == NULL)
    {
      title = g_strdup_printf (_("Cannot Move “%s”"), name);
      show_done (self, "dialog-error-symbolic", title, error != NULL ? error->message : "");
      return;
    }

  message = g_strdup_printf (_("%s moved to %s in %.1f s, paused %u ms"), name,
                             self->destination->name, migration.total_ms / 1000.0,
                             (guint) migration.downtime_ms);
  if (migration.ssh_port != 0 && migration.ssh_port != pvm_vm_get_plan (self->vm)->ssh_port)
    {
      g_autofree char *port = g_strdup_printf (_("%s; its SSH port there is %u"), message,
                                               migration.ssh_port);

      g_free (message);
      message = g_steal_pointer (&port);
    }
  if (migration.copied > 0)
    {
      g_autofree char *copied = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "%s; %u disk was copied along",
                                                              "%s; %u disks were copied along",
                                                              migration.copied),
                                                 message, migration.copied);

      g_free (message);
      message = g_steal_pointer (&copied);
    }
  title = g_strdup_printf (_("Moved to %s"), self->destination->name);
  show_done (self, "emblem-ok-symbolic", title, message);
  g_signal_emit (self, signals[MOVED], 0, moved, message);
}

static void
start_migration (PvmMigrateDialog *self)
{
  g_autofree char *title = NULL;
  g_autofree char *hint = NULL;
  const char *name = pvm_vm_get_name (self->vm);

  title = g_strdup_printf (_("Moving “%s” to %s"), name, self->destination->name);
  hint = g_strdup_printf (_("Cancel stops the move: %s then keeps running on %s"), name,
                          self->source_name);
  gtk_label_set_text (self->progress_title, title);
  gtk_label_set_text (self->progress_label, _("Starting…"));
  gtk_label_set_text (self->progress_hint, hint);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  set_state (self, STATE_MOVING);

  self->cancellable = g_cancellable_new ();
  /* The dialog stays until the core is done: the progress comes before
   * the result, in the same main context. */
  pvm_vm_migrate_async (self->vm, self->source_name, self->destination, 0, PVM_MIGRATION_NONE,
                        progress_cb, self, self->cancellable, migrated_cb, g_object_ref (self));
}

static void
checked_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PvmMigrateDialog) self = user_data;
  g_autoptr(PvmVm) moved = NULL;
  g_autoptr(GError) error = NULL;

  moved = pvm_vm_migrate_finish (PVM_VM (object), result, NULL, &error);
  g_assert (moved == NULL);
  if (error == NULL && g_cancellable_is_cancelled (self->cancellable))
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
  g_clear_object (&self->cancellable);

  if (self->disposed)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Nothing moved: pick again. */
      set_state (self, STATE_CHOOSE);
      return;
    }
  if (error != NULL)
    {
      /* Refused: it stays where it is, and the core says why. */
      gtk_label_set_text (self->problem_label, error->message);
      gtk_widget_set_visible (self->problem_box, TRUE);
      set_state (self, STATE_CHOOSE);
      return;
    }
  start_migration (self);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PvmMigrateDialog *self = PVM_MIGRATE_DIALOG (widget);
  const PvmHostEntry *destination = get_selected (self);
  g_autofree char *checking = NULL;

  if (destination == NULL || self->state != STATE_CHOOSE)
    return;

  g_clear_pointer (&self->destination, pvm_host_entry_free);
  self->destination = pvm_host_entry_copy (destination);
  checking = g_strdup_printf (_("Checking that “%s” can move to %s…"),
                              pvm_vm_get_name (self->vm), destination->name);
  gtk_label_set_text (self->checking_label, checking);
  set_state (self, STATE_CHECKING);

  self->cancellable = g_cancellable_new ();
  pvm_vm_migrate_async (self->vm, self->source_name, self->destination, 0,
                        PVM_MIGRATION_CHECK_ONLY, NULL, NULL, self->cancellable, checked_cb,
                        g_object_ref (self));
}

/* Cancel: closes the dialog, or stops what runs (the dialog then says what
 * came of it). */
static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PvmMigrateDialog *self = PVM_MIGRATE_DIALOG (widget);

  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      if (self->state == STATE_MOVING)
        gtk_label_set_text (self->progress_label, _("Cancelling…"));
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

/* Closing the window while a move runs cancels it, and waits for the VM
 * to be back where it was. */
static gboolean
pvm_migrate_dialog_close_request (GtkWindow *window)
{
  PvmMigrateDialog *self = PVM_MIGRATE_DIALOG (window);

  if (self->cancellable != NULL)
    {
      cancel_action (GTK_WIDGET (self), "move.cancel", NULL);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (pvm_migrate_dialog_parent_class)->close_request (window);
}

/* --- the dialog ---------------------------------------------------------- */

static void
add_destination (PvmMigrateDialog   *self,
                 const PvmHostEntry *host)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();
  g_autofree char *name = g_markup_escape_text (host->name, -1);
  g_autofree char *uri = g_markup_escape_text (host->uri, -1);

  if (self->checks->len > 0)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), g_ptr_array_index (self->checks, 0));
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  g_signal_connect_object (check, "toggled", G_CALLBACK (selection_cb), self, G_CONNECT_SWAPPED);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), uri);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  adw_preferences_group_add (self->hosts_group, row);

  g_ptr_array_add (self->destinations, pvm_host_entry_copy (host));
  g_ptr_array_add (self->checks, check);
}

static void
pvm_migrate_dialog_dispose (GObject *object)
{
  PvmMigrateDialog *self = PVM_MIGRATE_DIALOG (object);

  /* A run holds the dialog until it is done; destroyed meanwhile (the
   * application quits), it stops the run, which shows nothing. */
  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (pvm_migrate_dialog_parent_class)->dispose (object);
}

static void
pvm_migrate_dialog_finalize (GObject *object)
{
  PvmMigrateDialog *self = PVM_MIGRATE_DIALOG (object);

  g_clear_object (&self->vm);
  g_free (self->source_name);
  g_ptr_array_unref (self->destinations);
  g_ptr_array_unref (self->checks);
  g_clear_pointer (&self->destination, pvm_host_entry_free);
  g_free (self->result);

  G_OBJECT_CLASS (pvm_migrate_dialog_parent_class)->finalize (object);
}

static void
pvm_migrate_dialog_class_init (PvmMigrateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pvm_migrate_dialog_dispose;
  object_class->finalize = pvm_migrate_dialog_finalize;
  window_class->close_request = pvm_migrate_dialog_close_request;

  /**
   * PvmMigrateDialog::moved:
   * @self: the dialog
   * @vm: the VM on its new host
   * @message: what happened, for a toast
   *
   * The VM runs on the destination now; the #PvmVm the dialog was made
   * with is gone.
   */
  signals[MOVED] = g_signal_new ("moved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 2, PVM_TYPE_VM, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-migrate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, move_button);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, hosts_group);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, checking_box);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, checking_label);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, problem_box);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, problem_label);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, progress_title);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, progress_hint);
  gtk_widget_class_bind_template_child (widget_class, PvmMigrateDialog, done_status);

  gtk_widget_class_install_action (widget_class, "move.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "move.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "move.cancel", NULL);
}

static void
pvm_migrate_dialog_init (PvmMigrateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->destinations = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_host_entry_free);
  self->checks = g_ptr_array_new ();
}

/**
 * pvm_migrate_dialog_new:
 * @vm: a running VM
 * @source_name: the name of the host it runs on
 * @hosts: (element-type PvmHostEntry): the hosts (pvm_hosts_from_config())
 *
 * Returns: (transfer full): a dialog offering every host of @hosts but
 *   @source_name; it emits "moved" when the VM runs on the one picked
 */
PvmMigrateDialog *
pvm_migrate_dialog_new (PvmVm      *vm,
                        const char *source_name,
                        GPtrArray  *hosts)
{
  PvmMigrateDialog *self;
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (PVM_IS_VM (vm), NULL);
  g_return_val_if_fail (source_name != NULL, NULL);
  g_return_val_if_fail (hosts != NULL, NULL);

  self = g_object_new (PVM_TYPE_MIGRATE_DIALOG, NULL);
  self->vm = g_object_ref (vm);
  self->source_name = g_strdup (source_name);

  title = g_strdup_printf (_("Move “%s”"), pvm_vm_get_name (vm));
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, source_name);
  description = g_strdup_printf (_("%s keeps running on %s while its memory is copied, then "
                                   "pauses for a moment and continues on the host picked here. "
                                   "Its disks must be at the same paths there."),
                                 pvm_vm_get_name (vm), source_name);
  escaped = g_markup_escape_text (description, -1);
  adw_preferences_group_set_description (self->hosts_group, escaped);

  for (guint i = 0; i < hosts->len; i++)
    {
      const PvmHostEntry *host = g_ptr_array_index (hosts, i);

      if (!g_str_equal (host->name, source_name))
        add_destination (self, host);
    }
  /* With one other host, there is nothing to pick. */
  if (self->checks->len == 1)
    gtk_check_button_set_active (g_ptr_array_index (self->checks, 0), TRUE);
  set_state (self, STATE_CHOOSE);
  return self;
}

/**
 * pvm_migrate_dialog_select_host:
 * @self: a #PvmMigrateDialog
 * @name: a host's name
 *
 * Picks @name, as a click on its row does.
 *
 * Returns: whether the dialog offers @name
 */
gboolean
pvm_migrate_dialog_select_host (PvmMigrateDialog *self,
                                const char       *name)
{
  g_return_val_if_fail (PVM_IS_MIGRATE_DIALOG (self), FALSE);

  for (guint i = 0; i < self->destinations->len; i++)
    {
      const PvmHostEntry *host = g_ptr_array_index (self->destinations, i);

      if (g_str_equal (host->name, name))
        {
          gtk_check_button_set_active (g_ptr_array_index (self->checks, i), TRUE);
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * pvm_migrate_dialog_is_busy:
 * @self: a #PvmMigrateDialog
 *
 * Returns: whether the checks or the migration run
 */
gboolean
pvm_migrate_dialog_is_busy (PvmMigrateDialog *self)
{
  g_return_val_if_fail (PVM_IS_MIGRATE_DIALOG (self), FALSE);

  return self->cancellable != NULL;
}

/**
 * pvm_migrate_dialog_get_problem:
 * @self: a #PvmMigrateDialog
 *
 * Returns: (nullable): why the last check refused the move, as shown, or
 *   %NULL
 */
const char *
pvm_migrate_dialog_get_problem (PvmMigrateDialog *self)
{
  g_return_val_if_fail (PVM_IS_MIGRATE_DIALOG (self), NULL);

  return gtk_widget_get_visible (self->problem_box) ? gtk_label_get_text (self->problem_label)
                                                    : NULL;
}

/**
 * pvm_migrate_dialog_get_result:
 * @self: a #PvmMigrateDialog
 *
 * Returns: (nullable): what came of the move (moved, cancelled, failed),
 *   as shown, or %NULL while there is none
 */
const char *
pvm_migrate_dialog_get_result (PvmMigrateDialog *self)
{
  g_return_val_if_fail (PVM_IS_MIGRATE_DIALOG (self), NULL);

  return self->result;
}
