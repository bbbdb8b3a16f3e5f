/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-application.c: the pVM application: its actions, its windows, and
 * a desktop notification when a VM's job ends while it runs. */

#define G_LOG_DOMAIN "pvm-application"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-application.h"
#include "pvm-console-window.h"
#include "pvm-core.h"
#include "pvm-folder.h"
#include "pvm-preferences-window.h"
#include "pvm-window.h"

struct _PvmApplication
{
  AdwApplication  parent_instance;

  /* Owned references; they exist from startup to shutdown */
  PvmSettings    *settings;
  PvmJobMonitor  *job_monitor;

  /* Owned: VM name -> PvmJobReport, the last notification about it */
  GHashTable     *notifications;

  gboolean        console_only;   /* started by --console: no main window */
};

G_DEFINE_FINAL_TYPE (PvmApplication, pvm_application, ADW_TYPE_APPLICATION)

static void
pvm_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  PvmApplication *self = user_data;
  GList *windows;

  g_assert (PVM_IS_APPLICATION (self));

  /* Close the windows rather than quit outright, so that each one saves
   * its state; the application ends with the last of them. A copy, as
   * closing one may destroy others (its transient dialogs).
   */
  windows = g_list_copy_deep (gtk_application_get_windows (GTK_APPLICATION (self)),
                              (GCopyFunc) g_object_ref, NULL);
  for (const GList *iter = windows; iter != NULL; iter = iter->next)
    gtk_window_close (iter->data);
  g_list_free_full (windows, g_object_unref);
}

static void
pvm_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  PvmApplication *self = user_data;
  GtkWindow *about;

  g_assert (PVM_IS_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "application-icon", APP_ID,
                        "application-name", _("pVM"),
                        "comments", _("Run Linux virtual machines over your data"),
                        "developer-name", _("The pVM developers"),
                        "version", PACKAGE_VERSION,
                        "website", PACKAGE_WEBSITE,
                        "issue-url", PACKAGE_WEBSITE "/issues",
                        "copyright", _("© 2026 The pVM developers"),
                        "license-type", GTK_LICENSE_BSD_3,
                        /* Translators: your name(s), one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (about);
}

/* The console of one VM, found by name on the configured connection. */
static void
find_vm_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GVirConnection) connection = NULL;
  GError *error = NULL;
  const char *uri, *name;
  PvmVm *vm;

  g_variant_get (task_data, "(&s&s)", &uri, &name);
  if (*uri == '\0')
    {
      if (!pvm_config_load_default (config, NULL, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      uri = pvm_config_get_string (config, "LIBVIRT_URI");
    }
  connection = gvir_connection_new (uri);
  if (!gvir_connection_open (connection, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  vm = pvm_vm_find (connection, name, &error);
  if (vm == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, vm, g_object_unref);
}

static void
console_vm_found_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  PvmApplication *self = PVM_APPLICATION (source);
  g_autoptr(PvmVm) vm = NULL;
  g_autoptr(GError) error = NULL;

  vm = g_task_propagate_pointer (G_TASK (result), &error);
  if (vm == NULL)
    {
      GtkWidget *dialog = adw_message_dialog_new (NULL, _("Cannot Open the Console"),
                                                  error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else
    pvm_console_window_present (GTK_APPLICATION (self), vm);
  g_application_release (G_APPLICATION (self));
}

/* app.console(("URI", "NAME")): `pvm console NAME` and `pvm-app --console
 * NAME [--connect URI]`; an empty URI is the configured one. */
static void
pvm_application_console_action (GSimpleAction *action,
                                GVariant      *parameter,
                                gpointer       user_data)
{
  PvmApplication *self = user_data;
  g_autoptr(GTask) task = g_task_new (self, NULL, console_vm_found_cb, NULL);

  g_task_set_task_data (task, g_variant_ref (parameter), (GDestroyNotify) g_variant_unref);
  /* Alive until the window shows, even with no window yet. */
  g_application_hold (G_APPLICATION (self));
  g_task_run_in_thread (task, find_vm_thread);
}

/* The main window, made if there is none. */
static PvmWindow *
get_main_window (PvmApplication *self)
{
  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL;
       iter = iter->next)
    if (PVM_IS_WINDOW (iter->data))
      return iter->data;

  g_application_activate (G_APPLICATION (self));
  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL;
       iter = iter->next)
    if (PVM_IS_WINDOW (iter->data))
      return iter->data;
  return NULL;
}

static void
pvm_application_preferences_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  PvmApplication *self = user_data;
  PvmWindow *window = get_main_window (self);
  PvmPreferencesWindow *preferences = NULL;

  g_assert (PVM_IS_APPLICATION (self));

  /* One at a time. */
  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL && preferences == NULL;
       iter = iter->next)
    if (PVM_IS_PREFERENCES_WINDOW (iter->data))
      preferences = iter->data;

  if (preferences == NULL)
    {
      preferences = pvm_preferences_window_new ();
      gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
      gtk_window_set_transient_for (GTK_WINDOW (preferences), GTK_WINDOW (window));
      gtk_window_set_modal (GTK_WINDOW (preferences), TRUE);
      if (window != NULL)
        g_signal_connect_object (preferences, "changed", G_CALLBACK (pvm_window_reload), window,
                                 G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
open_output_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PvmWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!pvm_folder_open_finish (result, &error))
    pvm_window_show_toast (window, error->message);
}

/* app.open-output("PATH"): a VM's output folder in the file manager, from
 * a notification or a toast. */
static void
pvm_application_open_output_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  PvmApplication *self = user_data;
  PvmWindow *window = get_main_window (self);

  if (window == NULL)
    return;
  pvm_folder_open_async (GTK_WIDGET (window), g_variant_get_string (parameter, NULL), NULL,
                         open_output_done_cb, g_object_ref (window));
}

/* app.collect-output("DOMAIN"): a VM's output disk collected again, from
 * the toast of a collect that failed. */
static void
pvm_application_collect_output_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  PvmApplication *self = user_data;

  pvm_job_monitor_collect (self->job_monitor, g_variant_get_string (parameter, NULL));
}

static const GActionEntry app_actions[] = {
  { "about", pvm_application_about_action },
  { "quit", pvm_application_quit_action },
  { "console", pvm_application_console_action, "(ss)" },
  { "preferences", pvm_application_preferences_action },
  { "open-output", pvm_application_open_output_action, "s" },
  { "collect-output", pvm_application_collect_output_action, "s" },
};

/* A job ended while the app ran: a desktop notification, which opens the
 * output folder. Without a session bus there is no notification server to
 * send it to; it is kept all the same (pvm_application_lookup_notification())
 * and the main window shows its toast. */
static void
job_report_cb (PvmApplication     *self,
               const PvmJobReport *report,
               PvmJobMonitor      *monitor)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;

  if (report->end != PVM_JOB_END_JOB)
    return;

  id = g_strconcat ("job-", report->name, NULL);
  notification = g_notification_new (report->title);
  g_notification_set_body (notification, report->body);
  if (report->output != NULL && g_file_test (report->output, G_FILE_TEST_IS_DIR))
    g_notification_set_default_action_and_target (notification, "app.open-output", "s",
                                                  report->output);
  if (report->crashed || report->job_exit > 0 || report->collect_error != NULL)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);

  g_hash_table_replace (self->notifications, g_strdup (report->name),
                        pvm_job_report_copy (report));
  if (g_application_get_dbus_connection (G_APPLICATION (self)) != NULL)
    g_application_send_notification (G_APPLICATION (self), id, notification);
}

/* --console NAME opens just that VM's console, in this instance or in the
 * one already running. */
static int
pvm_application_handle_local_options (GApplication *application,
                                      GVariantDict *options)
{
  const char *name = NULL;
  const char *uri = "";
  g_autoptr(GError) error = NULL;

  if (!g_variant_dict_lookup (options, "console", "&s", &name))
    return -1;
  g_variant_dict_lookup (options, "connect", "&s", &uri);
  if (!g_application_register (application, NULL, &error))
    {
      g_printerr ("pvm-app: %s\n", error->message);
      return 1;
    }
  g_action_group_activate_action (G_ACTION_GROUP (application), "console",
                                  g_variant_new ("(ss)", uri, name));
  if (g_application_get_is_remote (application))
    return 0;
  /* This is the first instance: run, without the main window. */
  PVM_APPLICATION (application)->console_only = TRUE;
  return -1;
}

static void
pvm_application_activate (GApplication *application)
{
  PvmApplication *self = (PvmApplication *)application;
  PvmWindow *window;

  g_assert (PVM_IS_APPLICATION (self));

  if (self->console_only)
    {
      self->console_only = FALSE;
      return;
    }

  for (const GList *iter = gtk_application_get_windows (GTK_APPLICATION (self));
       iter != NULL;
       iter = iter->next)
    {
      if (PVM_IS_WINDOW (iter->data))
        {
          gtk_window_present (iter->data);
          return;
        }
    }

  window = pvm_window_new (GTK_APPLICATION (self), self->settings);
  gtk_window_present (GTK_WINDOW (window));

  /* The first run: no pvm.conf yet (the set-up dialog writes one). */
  {
    g_autofree char *config_path = pvm_config_dup_default_path ();

    if (!g_file_test (config_path, G_FILE_TEST_EXISTS))
      gtk_widget_activate_action (GTK_WIDGET (window), "win.welcome", NULL);
  }
}

static void
pvm_application_startup (GApplication *application)
{
  PvmApplication *self = (PvmApplication *)application;
  static const char * const quit_accels[] = { "<Control>q", NULL };
  static const char * const preferences_accels[] = { "<Control>comma", NULL };

  g_assert (PVM_IS_APPLICATION (self));

  G_APPLICATION_CLASS (pvm_application_parent_class)->startup (application);

  /* libvirt through GLib's main loop: its events keep the VMs' states. */
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  self->settings = pvm_settings_new ();
  self->job_monitor = pvm_job_monitor_new ();
  g_signal_connect_object (self->job_monitor, "report", G_CALLBACK (job_report_cb), self,
                           G_CONNECT_SWAPPED);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences",
                                         preferences_accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
pvm_application_shutdown (GApplication *application)
{
  PvmApplication *self = (PvmApplication *)application;

  g_assert (PVM_IS_APPLICATION (self));

  G_APPLICATION_CLASS (pvm_application_parent_class)->shutdown (application);

  g_clear_object (&self->settings);
  g_clear_object (&self->job_monitor);
}

static void
pvm_application_dispose (GObject *object)
{
  PvmApplication *self = (PvmApplication *)object;

  g_clear_object (&self->settings);
  g_clear_object (&self->job_monitor);

  G_OBJECT_CLASS (pvm_application_parent_class)->dispose (object);
}

static void
pvm_application_finalize (GObject *object)
{
  PvmApplication *self = (PvmApplication *)object;

  g_clear_pointer (&self->notifications, g_hash_table_unref);

  G_OBJECT_CLASS (pvm_application_parent_class)->finalize (object);
}

static void
pvm_application_class_init (PvmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pvm_application_dispose;
  object_class->finalize = pvm_application_finalize;

  application_class->activate = pvm_application_activate;
  application_class->handle_local_options = pvm_application_handle_local_options;
  application_class->startup = pvm_application_startup;
  application_class->shutdown = pvm_application_shutdown;
}

static void
pvm_application_init (PvmApplication *self)
{
  self->notifications = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) pvm_job_report_free);
  g_application_add_main_option (G_APPLICATION (self), "console", 0, G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_STRING, _("Open the console of the VM NAME"),
                                 _("NAME"));
  g_application_add_main_option (G_APPLICATION (self), "connect", 0, G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_STRING,
                                 _("With --console: the libvirt URI of the VM"), _("URI"));
}

/**
 * pvm_application_new:
 *
 * Returns: (transfer full): the pVM application
 */
PvmApplication *
pvm_application_new (void)
{
  return g_object_new (PVM_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/pvm/Pvm",
                       NULL);
}

/**
 * pvm_application_get_job_monitor:
 * @self: a #PvmApplication
 *
 * Returns: (transfer none) (nullable): what watches the VMs, from startup
 *   to shutdown
 */
PvmJobMonitor *
pvm_application_get_job_monitor (PvmApplication *self)
{
  g_return_val_if_fail (PVM_IS_APPLICATION (self), NULL);

  return self->job_monitor;
}

/**
 * pvm_application_lookup_notification:
 * @self: a #PvmApplication
 * @name: a VM's name
 *
 * Returns: (transfer none) (nullable): what the last desktop notification
 *   about the VM @name said, or %NULL if there was none
 */
const PvmJobReport *
pvm_application_lookup_notification (PvmApplication *self,
                                     const char     *name)
{
  g_return_val_if_fail (PVM_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_hash_table_lookup (self->notifications, name);
}
