/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-vm-window.c: a VM's panel: how to reach it (its host when there
 * are several, SSH, console, serial log), its input, output (opened in
 * the file manager), image and resources, and what can be done to it
 * (start, stop, force off, save, save to a file, resume, delete, move to
 * another host),
 * each enabled by its state. The work runs through the core's async API;
 * failures come as toasts. */

#define G_LOG_DOMAIN "pvm-vm-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-application.h"
#include "pvm-bundle-dialog.h"
#include "pvm-console-window.h"
#include "pvm-folder.h"
#include "pvm-migrate-dialog.h"
#include "pvm-toasts.h"
#include "pvm-vm-window.h"

struct _PvmVmWindow
{
  AdwWindow        parent_instance;

  /* Owned */
  PvmVm           *vm;
  GCancellable    *cancellable;
  gboolean         busy;            /* an action runs */
  GPtrArray       *hosts;           /* PvmHostEntry of the configuration, once read */
  guint            guest_id;        /* reads the guest's status again, while it runs */
  GCancellable    *guest_read;      /* while the guest's status is read */
  gboolean         guest_again;     /* read it again once that reading ends */
  gboolean         collect_asked;   /* Collect was pressed: its report is toasted here */
  gboolean         follows_reports; /* of the application's job monitor */

  /* Template widgets */
  AdwWindowTitle      *window_title;
  AdwToastOverlay     *toast_overlay;
  AdwPreferencesGroup *io_error_group;
  AdwActionRow        *host_row;
  AdwActionRow        *ssh_row;
  AdwActionRow        *console_row;
  AdwActionRow        *serial_row;
  AdwActionRow        *guest_row;
  AdwActionRow        *input_row;
  AdwActionRow        *output_row;
  AdwActionRow        *image_row;
  AdwActionRow        *resources_row;
  GtkBox              *console_box;
  GtkButton           *output_button;
  GtkButton           *collect_button;
  GtkButton           *start_button;
  GtkButton           *stop_button;
  GtkButton           *force_off_button;
};

G_DEFINE_FINAL_TYPE (PvmVmWindow, pvm_vm_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_VM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The host @vm runs on, or NULL before the hosts are read, or when the
 * configuration does not name its libvirt URI. */
static const PvmHostEntry *
find_host (PvmVmWindow *self)
{
  if (self->hosts == NULL)
    return NULL;
  return pvm_hosts_find_uri (self->hosts, pvm_vm_get_uri (self->vm));
}

static void
set_subtitle (AdwActionRow *row,
              const char   *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_action_row_set_subtitle (row, escaped);
}

static void collect_report_cb (PvmVmWindow        *self,
                               const PvmJobReport *report,
                               PvmJobMonitor      *monitor);
static void toast             (PvmVmWindow        *self,
                               const char         *message);

/* The application's job monitor, once the panel belongs to the
 * application; the panel follows its reports from then on. */
static PvmJobMonitor *
job_monitor (PvmVmWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  PvmJobMonitor *monitor;

  if (!PVM_IS_APPLICATION (application))
    return NULL;
  monitor = pvm_application_get_job_monitor (PVM_APPLICATION (application));
  if (!self->follows_reports)
    {
      g_signal_connect_object (monitor, "report", G_CALLBACK (collect_report_cb), self,
                               G_CONNECT_SWAPPED);
      self->follows_reports = TRUE;
    }
  return monitor;
}

/* Whether Collect can copy the VM's output disk now: as the monitor
 * that does it says. */
static gboolean
may_collect (PvmVmWindow *self)
{
  PvmJobMonitor *monitor = job_monitor (self);

  return monitor != NULL &&
         pvm_job_monitor_can_collect (monitor, pvm_vm_get_domain_name (self->vm));
}

/* The output folder can be opened once it exists: the launch makes it.
 * An output disk's files can be copied into it again while the VM is off
 * (the app does at its power off; again after a collect that failed). */
static void
update_output (PvmVmWindow *self)
{
  const char *output = pvm_vm_get_plan (self->vm)->output;
  g_autofree char *tooltip = NULL;
  gboolean exists = output != NULL && g_file_test (output, G_FILE_TEST_IS_DIR);

  gtk_widget_set_visible (GTK_WIDGET (self->collect_button),
                          pvm_vm_get_output_disk (self->vm) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.collect", may_collect (self));

  if (output == NULL)
    tooltip = g_strdup (_("This VM has no output folder"));
  else if (!exists)
    tooltip = g_strdup_printf (_("The output folder %s does not exist"), output);
  else
    tooltip = g_strdup (_("Open the Output Folder"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->output_button), tooltip);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.open-output", exists);
}

/* What the guest's serial log said, read in a thread: a VM of another
 * host has its log there, read through libvirt. */
typedef struct
{
  PvmVm *vm;
  char  *status;
  char  *progress;
  int    percent;
} GuestReading;

static void
guest_reading_free (GuestReading *reading)
{
  g_object_unref (reading->vm);
  g_free (reading->status);
  g_free (reading->progress);
  g_free (reading);
}

static void
read_guest_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GuestReading *reading = task_data;

  reading->progress = pvm_vm_dup_job_progress (reading->vm, &reading->percent, &reading->status);
  g_task_return_boolean (task, TRUE);
}

static void update_guest (PvmVmWindow *self);

/* The guest's last status, and its job's progress while it runs. */
static void
read_guest_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PvmVmWindow *self = PVM_VM_WINDOW (object);
  GuestReading *reading = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = NULL;

  /* Cancelled: the panel is going. */
  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;
  g_clear_object (&self->guest_read);
  if (reading->vm != self->vm || self->guest_again)
    {
      self->guest_again = FALSE;
      update_guest (self);
      return;
    }

  /* Off, no progress: not even of a job forced off before its exit. */
  if (!pvm_vm_is_active (self->vm))
    g_clear_pointer (&reading->progress, g_free);

  if (reading->status == NULL)
    text = g_strdup (_("no status reported"));
  else if (reading->progress != NULL && *reading->progress != '\0')
    text = g_strdup_printf (_("%s, job at %d%% (%s)"), reading->status, reading->percent,
                            reading->progress);
  else if (reading->progress != NULL)
    text = g_strdup_printf (_("%s, job at %d%%"), reading->status, reading->percent);
  else
    text = g_strdup (reading->status);
  set_subtitle (self->guest_row, text);
}

static void
update_guest (PvmVmWindow *self)
{
  g_autoptr(GTask) task = NULL;
  GuestReading *reading;

  /* One reading at a time; one more after it if asked meanwhile. */
  if (self->guest_read != NULL)
    {
      self->guest_again = TRUE;
      return;
    }
  reading = g_new0 (GuestReading, 1);
  reading->vm = g_object_ref (self->vm);
  self->guest_read = g_cancellable_new ();
  task = g_task_new (self, self->guest_read, read_guest_cb, NULL);
  g_task_set_source_tag (task, update_guest);
  g_task_set_task_data (task, reading, (GDestroyNotify) guest_reading_free);
  g_task_run_in_thread (task, read_guest_thread);
}

static gboolean
guest_timeout_cb (gpointer user_data)
{
  PvmVmWindow *self = user_data;

  if (pvm_vm_is_active (self->vm))
    update_guest (self);
  return G_SOURCE_CONTINUE;
}

/* The state in the title, the actions that make sense in it, the guest's
 * last status. */
static void
update_state (PvmVmWindow *self)
{
  PvmVmState state = pvm_vm_get_state (self->vm);
  gboolean active = pvm_vm_is_active (self->vm);
  gboolean io_error = pvm_vm_is_paused_by_io_error (self->vm);

  /* QEMU pauses a VM whose disk write failed (a full disk, most often):
   * said at the top, with Resume beside it. */
  adw_window_title_set_subtitle (self->window_title,
                                 io_error ? _("paused: a disk write failed")
                                          : pvm_vm_state_to_string (state));
  gtk_widget_set_visible (GTK_WIDGET (self->io_error_group), io_error);
  update_guest (self);
  update_output (self);

  /* Start where Stop and Force Off would be: one or the other applies. */
  gtk_widget_set_visible (GTK_WIDGET (self->start_button), !active);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), active);
  gtk_widget_set_visible (GTK_WIDGET (self->force_off_button), active);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.start",
                                 (state == PVM_VM_STATE_STOPPED ||
                                  state == PVM_VM_STATE_CRASHED) && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.stop", active && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.force-off", active && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.save",
                                 state == PVM_VM_STATE_RUNNING && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.save-to-file",
                                 state == PVM_VM_STATE_RUNNING && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.resume",
                                 (state == PVM_VM_STATE_SAVED || state == PVM_VM_STATE_PAUSED) &&
                                 !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.delete",
                                 !active && state != PVM_VM_STATE_SAVED && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.move",
                                 state == PVM_VM_STATE_RUNNING && !self->busy &&
                                 self->hosts != NULL && self->hosts->len > 1 &&
                                 find_host (self) != NULL);
}

/* With several hosts, the one the VM runs on: "big — qemu+ssh://…". */
static void
update_host (PvmVmWindow *self)
{
  const PvmHostEntry *host = find_host (self);
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->host_row),
                          self->hosts != NULL && self->hosts->len > 1);
  if (host != NULL)
    text = g_strdup_printf (_("%s — %s"), host->name, host->uri);
  else
    text = g_strdup (pvm_vm_get_uri (self->vm));
  escaped = g_markup_escape_text (text, -1);
  adw_action_row_set_subtitle (self->host_row, escaped);
}

/* A report of this VM: its output may have been collected. The collect
 * asked for here is said here too (the main window says it as well, out
 * of sight behind the panel, maybe). */
static void
collect_report_cb (PvmVmWindow        *self,
                   const PvmJobReport *report,
                   PvmJobMonitor      *monitor)
{
  if (g_strcmp0 (report->domain, pvm_vm_get_domain_name (self->vm)) != 0)
    return;
  update_output (self);
  if (self->collect_asked && report->end == PVM_JOB_END_UNSEEN)
    {
      self->collect_asked = FALSE;
      toast (self, report->summary);
    }
}

static void
collect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PvmVmWindow *self = PVM_VM_WINDOW (widget);
  PvmJobMonitor *monitor = job_monitor (self);

  if (monitor != NULL && pvm_job_monitor_collect (monitor, pvm_vm_get_domain_name (self->vm)))
    self->collect_asked = TRUE;
  update_output (self);
}

static void
application_cb (PvmVmWindow *self)
{
  if (self->vm != NULL)
    update_output (self);
}

static void
vm_state_cb (PvmVm       *vm,
             GParamSpec  *pspec,
             PvmVmWindow *self)
{
  update_state (self);
}

static void
show_vm (PvmVmWindow *self)
{
  const PvmVmPlan *plan = pvm_vm_get_plan (self->vm);
  g_autofree char *ssh = pvm_vm_dup_ssh_command (self->vm);
  g_autofree char *console = pvm_vm_dup_console_command (self->vm);
  g_autofree char *memory = pvm_size_format (plan->memory_bytes);
  g_autofree char *resources = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u vCPU",
                                                             "%s, %u vCPUs", plan->cores),
                                                memory, plan->cores);
  g_autofree char *input = NULL;
  const char *serial = pvm_vm_get_serial_log (self->vm);

  gtk_window_set_title (GTK_WINDOW (self), plan->name);
  adw_window_title_set_title (self->window_title, plan->name);
  if (ssh != NULL)
    set_subtitle (self->ssh_row, ssh);
  else if (pvm_vm_get_network (self->vm) != NULL)
    set_subtitle (self->ssh_row, _("waiting for the guest's address"));
  else
    set_subtitle (self->ssh_row, _("no forwarded port"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "vm.copy-ssh", ssh != NULL);
  set_subtitle (self->console_row, console);
  set_subtitle (self->serial_row, serial != NULL ? serial : _("none"));
  if (plan->input != NULL)
    input = g_strdup_printf ("%s (%s)", plan->input, pvm_input_kind_to_string (plan->input_kind));
  set_subtitle (self->input_row, input != NULL ? input : _("none"));
  if (plan->output == NULL)
    set_subtitle (self->output_row, _("none"));
  else if (pvm_vm_get_output_disk (self->vm) != NULL)
    {
      g_autofree char *output = g_strdup_printf (_("%s\nan output disk, whose files are copied "
                                                   "into this folder when the VM is off"),
                                                 plan->output);

      set_subtitle (self->output_row, output);
    }
  else
    set_subtitle (self->output_row, plan->output);
  set_subtitle (self->image_row, plan->image);
  set_subtitle (self->resources_row, resources);
  update_host (self);
  update_state (self);
}

static void
toast (PvmVmWindow *self,
       const char  *message)
{
  pvm_toasts_add (self->toast_overlay, adw_toast_new (message));
}

static void
set_busy (PvmVmWindow *self,
          gboolean     busy)
{
  self->busy = busy;
  update_state (self);
}

static void
stop_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PvmVmWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean forced = FALSE;

  if (!pvm_vm_stop_finish (PVM_VM (object), result, &forced, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
    }
  else
    toast (self, forced ? _("Forced off") : _("Powered off"));
  set_busy (self, FALSE);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PvmVmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pvm_vm_save_finish (PVM_VM (object), result, &error))
    toast (self, error->message);
  set_busy (self, FALSE);
}

static void
resume_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PvmVmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pvm_vm_resume_finish (PVM_VM (object), result, &error))
    toast (self, error->message);
  set_busy (self, FALSE);
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PvmVmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pvm_vm_start_finish (PVM_VM (object), result, &error))
    toast (self, error->message);
  else
    toast (self, _("Started"));
  set_busy (self, FALSE);
}

/* The application's monitor reports power offs the app did not ask for
 * as the ends of jobs: this one is asked for. */
static void
expect_stop (PvmVmWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (PVM_IS_APPLICATION (application))
    pvm_job_monitor_expect_stop (pvm_application_get_job_monitor (PVM_APPLICATION (application)),
                                 self->vm);
}

/* In a thread: one call to libvirt (another host's answers over the
 * network); the images stay. */
static void
delete_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;

  if (pvm_vm_delete (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  PvmVmWindow *self = PVM_VM_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    gtk_window_destroy (GTK_WINDOW (self));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      toast (self, error->message);
      set_busy (self, FALSE);
    }
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    PvmVmWindow      *self)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, deleted_cb, NULL);

  set_busy (self, TRUE);
  g_task_set_source_tag (task, delete_response_cb);
  g_task_set_task_data (task, g_object_ref (self->vm), g_object_unref);
  g_task_run_in_thread (task, delete_thread);
}

/* Asked first, as the Machines page asks for the VMs picked there. */
static void
ask_delete (PvmVmWindow *self)
{
  const char *name = pvm_vm_get_name (self->vm);
  g_autofree char *heading = g_strdup_printf (_("Delete %s?"), name);
  g_autofree char *body = g_strdup_printf (_("%s will leave libvirt. Its image, input and "
                                             "output folder stay as they are: launch it "
                                             "again to run it."), name);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                                         heading, body));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response::delete", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
vm_action (GtkWidget  *widget,
           const char *action_name,
           GVariant   *parameter)
{
  PvmVmWindow *self = PVM_VM_WINDOW (widget);

  if (g_str_equal (action_name, "vm.start"))
    {
      set_busy (self, TRUE);
      pvm_vm_start_async (self->vm, self->cancellable, start_done_cb, g_object_ref (self));
    }
  else if (g_str_equal (action_name, "vm.stop") || g_str_equal (action_name, "vm.force-off"))
    {
      expect_stop (self);
      set_busy (self, TRUE);
      pvm_vm_stop_async (self->vm, g_str_equal (action_name, "vm.stop") ? PVM_VM_STOP_GRACEFUL
                                                                         : PVM_VM_STOP_FORCE,
                         PVM_VM_DEFAULT_STOP_TIMEOUT_SECONDS, self->cancellable, stop_done_cb,
                         g_object_ref (self));
    }
  else if (g_str_equal (action_name, "vm.save"))
    {
      set_busy (self, TRUE);
      pvm_vm_save_async (self->vm, self->cancellable, save_done_cb, g_object_ref (self));
    }
  else if (g_str_equal (action_name, "vm.resume"))
    {
      set_busy (self, TRUE);
      pvm_vm_resume_async (self->vm, self->cancellable, resume_done_cb, g_object_ref (self));
    }
  else if (g_str_equal (action_name, "vm.delete"))
    ask_delete (self);
}

/* --- moving to another host --------------------------------------------- */

static void
hosts_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PvmVmWindow *self = PVM_VM_WINDOW (object);
  g_autoptr(GError) error = NULL;
  GPtrArray *hosts = pvm_hosts_load_default_finish (result, &error);

  /* Without the configuration the panel shows the VM as it is. */
  if (hosts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No hosts: %s", error->message);
      return;
    }
  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  self->hosts = hosts;
  update_host (self);
  update_state (self);
}

static void
set_vm (PvmVmWindow *self,
        PvmVm       *vm)
{
  g_autoptr(PvmConsole) console = NULL;
  GtkWidget *child;

  if (self->vm != NULL)
    g_signal_handlers_disconnect_by_data (self->vm, self);
  g_set_object (&self->vm, vm);

  /* The same session as the console window's: one per VM. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->console_box))) != NULL)
    gtk_box_remove (self->console_box, child);
  console = pvm_console_for_vm (self->vm);
  gtk_box_append (self->console_box, pvm_console_status_new (console, self->vm));

  g_signal_connect_object (self->vm, "notify::state", G_CALLBACK (vm_state_cb), self, 0);
  show_vm (self);
  if (self->guest_id == 0)
    self->guest_id = g_timeout_add_seconds (2, guest_timeout_cb, self);
}

/* The VM runs elsewhere now: the panel shows it there. */
static void
moved_cb (PvmVmWindow      *self,
          PvmVm            *vm,
          const char       *message,
          PvmMigrateDialog *dialog)
{
  /* The console, in this panel and in its own window, follows the VM. */
  pvm_console_follow_move (gtk_window_get_application (GTK_WINDOW (self)), self->vm, vm);
  set_vm (self, vm);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
  toast (self, message);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvmVmWindow *self = PVM_VM_WINDOW (widget);
  const PvmHostEntry *host = find_host (self);
  PvmMigrateDialog *dialog;

  if (host == NULL)
    return;
  dialog = pvm_migrate_dialog_new (self->vm, host->name, self->hosts);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "moved", G_CALLBACK (moved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- saving to a file ----------------------------------------------------- */

/* The VM has left its host: its panel closes, and the dialog says where
 * it went. */
static void
saved_to_file_cb (PvmVmWindow     *self,
                  const char      *message,
                  PvmBundleDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_to_file_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PvmVmWindow *self = PVM_VM_WINDOW (widget);
  PvmBundleDialog *dialog = pvm_bundle_dialog_new_save (self->vm);

  /* Modal over the panel while it saves; it stays when the panel closes. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (saved_to_file_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PvmVmWindow *self = PVM_VM_WINDOW (widget);
  g_autofree char *text = g_str_equal (action_name, "vm.copy-ssh")
                            ? pvm_vm_dup_ssh_command (self->vm)
                            : pvm_vm_dup_console_command (self->vm);

  if (text == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  toast (self, _("Copied"));
}

static void
open_output_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PvmVmWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pvm_folder_open_finish (result, &error))
    toast (self, error->message);
}

static void
open_output_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PvmVmWindow *self = PVM_VM_WINDOW (widget);
  const char *output = pvm_vm_get_plan (self->vm)->output;

  if (output != NULL)
    pvm_folder_open_async (widget, output, self->cancellable, open_output_done_cb,
                           g_object_ref (self));
}

static void
open_console_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PvmVmWindow *self = PVM_VM_WINDOW (widget);
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (application != NULL)
    pvm_console_window_present (application, self->vm);
}

static void
pvm_vm_window_constructed (GObject *object)
{
  PvmVmWindow *self = PVM_VM_WINDOW (object);
  g_autoptr(PvmVm) vm = g_steal_pointer (&self->vm);

  G_OBJECT_CLASS (pvm_vm_window_parent_class)->constructed (object);

  set_vm (self, vm);

  pvm_hosts_load_default_async (self, self->cancellable, hosts_loaded_cb, NULL);
}

static void
pvm_vm_window_dispose (GObject *object)
{
  PvmVmWindow *self = PVM_VM_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->guest_id, g_source_remove);
  g_cancellable_cancel (self->guest_read);
  g_clear_object (&self->guest_read);
  g_clear_object (&self->vm);
  g_clear_pointer (&self->hosts, g_ptr_array_unref);

  G_OBJECT_CLASS (pvm_vm_window_parent_class)->dispose (object);
}

static void
pvm_vm_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PvmVmWindow *self = PVM_VM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VM:
      g_value_set_object (value, self->vm);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_vm_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PvmVmWindow *self = PVM_VM_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VM:
      self->vm = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_vm_window_class_init (PvmVmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pvm_vm_window_constructed;
  object_class->dispose = pvm_vm_window_dispose;
  object_class->get_property = pvm_vm_window_get_property;
  object_class->set_property = pvm_vm_window_set_property;

  /* Construct-only, and notified when the VM moves to another host: the
   * panel shows it there. */
  properties[PROP_VM] =
    g_param_spec_object ("vm", NULL, NULL, PVM_TYPE_VM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-vm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, io_error_group);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, host_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, ssh_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, console_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, serial_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, guest_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, input_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, output_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, image_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, resources_row);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, console_box);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, output_button);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, collect_button);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, PvmVmWindow, force_off_button);

  gtk_widget_class_install_action (widget_class, "vm.start", NULL, vm_action);
  gtk_widget_class_install_action (widget_class, "vm.stop", NULL, vm_action);
  gtk_widget_class_install_action (widget_class, "vm.force-off", NULL, vm_action);
  gtk_widget_class_install_action (widget_class, "vm.save", NULL, vm_action);
  gtk_widget_class_install_action (widget_class, "vm.save-to-file", NULL, save_to_file_action);
  gtk_widget_class_install_action (widget_class, "vm.resume", NULL, vm_action);
  gtk_widget_class_install_action (widget_class, "vm.delete", NULL, vm_action);
  gtk_widget_class_install_action (widget_class, "vm.move", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "vm.collect", NULL, collect_action);
  gtk_widget_class_install_action (widget_class, "vm.copy-ssh", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "vm.copy-console", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "vm.open-console", NULL, open_console_action);
  gtk_widget_class_install_action (widget_class, "vm.open-output", NULL, open_output_action);
}

static void
pvm_vm_window_init (PvmVmWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Made, then given to the application: its job monitor is known then. */
  g_signal_connect (self, "notify::application", G_CALLBACK (application_cb), NULL);
}

/**
 * pvm_vm_window_new:
 * @vm: a VM
 *
 * Returns: (transfer full): the VM's panel
 */
PvmVmWindow *
pvm_vm_window_new (PvmVm *vm)
{
  g_return_val_if_fail (PVM_IS_VM (vm), NULL);

  return g_object_new (PVM_TYPE_VM_WINDOW, "vm", vm, NULL);
}

/**
 * pvm_vm_window_set_vm:
 * @self: a #PvmVmWindow
 * @vm: the same VM, found again (on a new connection)
 *
 * Shows @vm instead of the VM before, its console too.
 */
void
pvm_vm_window_set_vm (PvmVmWindow *self,
                      PvmVm       *vm)
{
  g_return_if_fail (PVM_IS_VM_WINDOW (self));
  g_return_if_fail (PVM_IS_VM (vm));

  if (vm == self->vm)
    return;
  set_vm (self, vm);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
}

/**
 * pvm_vm_window_get_vm:
 * @self: a #PvmVmWindow
 *
 * Returns: (transfer none): the VM
 */
PvmVm *
pvm_vm_window_get_vm (PvmVmWindow *self)
{
  g_return_val_if_fail (PVM_IS_VM_WINDOW (self), NULL);

  return self->vm;
}
