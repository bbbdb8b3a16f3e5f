/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-install-assistant-private.h: what pvm-install-assistant.c (the
 * object, the navigation, pages 1 and 2) and pvm-install-assistant-steps.c
 * (pages 3 to 5: installing, the base, done) share. */

#pragma once

#include "pvm-install-assistant.h"
#include "pvm-launch-dialog.h"

G_BEGIN_DECLS

struct _PvmInstallAssistant
{
  AdwWindow             parent_instance;

  /* Owned */
  GCancellable         *cancellable;        /* identification; cancelled in dispose */
  GCancellable         *start_cancellable;  /* the installation's start */
  GCancellable         *wait_cancellable;   /* waiting for its power-off */
  PvmConfig            *config;
  PvmMedia             *media;
  PvmInstallation      *installation;       /* the one under way, or the last */
  GtkFileChooserNative *chooser;
  AdwMessageDialog     *stop_dialog;
  GPtrArray            *snapshot_rows;      /* AdwEntryRow, borrowed from snapshots_group */
  GPtrArray            *done_rows;          /* AdwActionRow, borrowed from done_group */
  GtkWidget            *console;            /* the console's view, in console_box */
  guint                 console_source;     /* adds it */

  guint                 identifying : 1;
  guint                 settings_valid : 1;
  guint                 names_valid : 1;
  guint                 close_when_stopped : 1;
  guint                 disposed : 1;

  /* Template widgets */
  AdwWindowTitle       *window_title;
  GtkButton            *back_button;
  GtkButton            *cancel_button;
  GtkButton            *next_button;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwPreferencesGroup  *media_group;
  GtkSpinner           *media_spinner;
  GtkButton            *choose_button;
  AdwActionRow         *iso_row;
  AdwActionRow         *os_row;
  GtkImage             *os_icon;
  AdwActionRow         *resources_row;
  GtkLabel             *media_error_label;
  AdwStatusPage        *settings_status;
  AdwEntryRow          *name_row;
  AdwEntryRow          *size_row;
  AdwEntryRow          *memory_row;
  AdwEntryRow          *cores_row;
  GtkLabel             *settings_error_label;
  GtkSpinner           *install_spinner;
  GtkLabel             *install_label;
  GtkBox               *console_box;
  GtkLabel             *instructions_label;
  AdwStatusPage        *base_status;
  AdwPreferencesGroup  *snapshots_group;
  GtkProgressBar       *base_progress;
  GtkLabel             *base_error_label;
  AdwStatusPage        *done_status;
  AdwPreferencesGroup  *done_group;
};

/* How long after its start the VM's console is connected. */
#define CONSOLE_DELAY_MS 500

/* pvm-install-assistant.c */
void             _pvm_install_assistant_toast               (PvmInstallAssistant  *self,
                                                             const char           *title);
PvmInstallationStep _pvm_install_assistant_step             (PvmInstallAssistant  *self);
gboolean         _pvm_install_assistant_busy                (PvmInstallAssistant  *self);
char            *_pvm_install_assistant_format_size         (guint64               bytes);
void             _pvm_install_assistant_show_message        (PvmInstallAssistant  *self,
                                                             GtkLabel             *label,
                                                             const char           *message,
                                                             gboolean              error);
void             _pvm_install_assistant_show_error          (PvmInstallAssistant  *self,
                                                             GtkLabel             *label,
                                                             const char           *message);
void             _pvm_install_assistant_update_header       (PvmInstallAssistant  *self);
void             _pvm_install_assistant_show_page           (PvmInstallAssistant  *self,
                                                             const char           *name);
void             _pvm_install_assistant_mark_row            (gpointer              row,
                                                             gboolean              bad);
PvmInstallation *_pvm_install_assistant_installation_from_settings (PvmInstallAssistant  *self,
                                                             GError              **error);
void             _pvm_install_assistant_check_settings      (PvmInstallAssistant  *self);
void             _pvm_install_assistant_emit_changed        (PvmInstallAssistant  *self);
void             _pvm_install_assistant_emit_launch_dialog  (PvmInstallAssistant  *self,
                                                             PvmLaunchDialog      *dialog);

/* pvm-install-assistant-steps.c */
void             _pvm_install_assistant_start_installation  (PvmInstallAssistant  *self);
void             _pvm_install_assistant_make_base           (PvmInstallAssistant  *self);
void             _pvm_install_assistant_present_stop_dialog (PvmInstallAssistant  *self,
                                                             gboolean              closing);
void             _pvm_install_assistant_stop_action         (GtkWidget            *widget,
                                                             const char           *action_name,
                                                             GVariant             *parameter);
void             _pvm_install_assistant_power_off_action    (GtkWidget            *widget,
                                                             const char           *action_name,
                                                             GVariant             *parameter);
void             _pvm_install_assistant_add_snapshot_action (GtkWidget            *widget,
                                                             const char           *action_name,
                                                             GVariant             *parameter);
void             _pvm_install_assistant_launch_action       (GtkWidget            *widget,
                                                             const char           *action_name,
                                                             GVariant             *parameter);

G_END_DECLS
