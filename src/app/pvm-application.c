/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-application.c: the pVM application: its actions and its windows. */

#define G_LOG_DOMAIN "pvm-application"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-application.h"
#include "pvm-core.h"
#include "pvm-window.h"

struct _PvmApplication
{
  AdwApplication  parent_instance;

  /* Owned references; the settings exist from startup to shutdown */
  PvmSettings    *settings;
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

static const GActionEntry app_actions[] = {
  { "about", pvm_application_about_action },
  { "quit", pvm_application_quit_action },
};

static void
pvm_application_activate (GApplication *application)
{
  PvmApplication *self = (PvmApplication *)application;
  PvmWindow *window;

  g_assert (PVM_IS_APPLICATION (self));

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
}

static void
pvm_application_startup (GApplication *application)
{
  PvmApplication *self = (PvmApplication *)application;
  static const char * const quit_accels[] = { "<Control>q", NULL };

  g_assert (PVM_IS_APPLICATION (self));

  G_APPLICATION_CLASS (pvm_application_parent_class)->startup (application);

  /* libvirt through GLib's main loop: its events keep the VMs' states. */
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  self->settings = pvm_settings_new ();

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  gtk_window_set_default_icon_name (APP_ID);
}

static void
pvm_application_shutdown (GApplication *application)
{
  PvmApplication *self = (PvmApplication *)application;

  g_assert (PVM_IS_APPLICATION (self));

  G_APPLICATION_CLASS (pvm_application_parent_class)->shutdown (application);

  g_clear_object (&self->settings);
}

static void
pvm_application_dispose (GObject *object)
{
  PvmApplication *self = (PvmApplication *)object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pvm_application_parent_class)->dispose (object);
}

static void
pvm_application_class_init (PvmApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pvm_application_dispose;

  application_class->activate = pvm_application_activate;
  application_class->startup = pvm_application_startup;
  application_class->shutdown = pvm_application_shutdown;
}

static void
pvm_application_init (PvmApplication *self)
{
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
