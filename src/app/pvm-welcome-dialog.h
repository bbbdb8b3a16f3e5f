/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/**
 * PvmWelcomeFolder:
 * @PVM_WELCOME_FOLDER_IMAGES: the image repository, DRIVEREPO
 * @PVM_WELCOME_FOLDER_DATA: the data archives' repository, SQUASHREPO
 */
typedef enum
{
  PVM_WELCOME_FOLDER_IMAGES,
  PVM_WELCOME_FOLDER_DATA,
} PvmWelcomeFolder;

/**
 * PvmWelcomeDemoState:
 * @PVM_WELCOME_DEMO_IDLE: not asked for yet
 * @PVM_WELCOME_DEMO_RUNNING: being built
 * @PVM_WELCOME_DEMO_DONE: made
 * @PVM_WELCOME_DEMO_FAILED: the build failed; the page says why
 * @PVM_WELCOME_DEMO_CANCELLED: cancelled; no file was left
 */
typedef enum
{
  PVM_WELCOME_DEMO_IDLE,
  PVM_WELCOME_DEMO_RUNNING,
  PVM_WELCOME_DEMO_DONE,
  PVM_WELCOME_DEMO_FAILED,
  PVM_WELCOME_DEMO_CANCELLED,
} PvmWelcomeDemoState;

#define PVM_TYPE_WELCOME_DIALOG (pvm_welcome_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PvmWelcomeDialog, pvm_welcome_dialog, PVM, WELCOME_DIALOG, AdwWindow)

PvmWelcomeDialog    *pvm_welcome_dialog_new            (void);
const char          *pvm_welcome_dialog_get_page       (PvmWelcomeDialog *self);
GPtrArray           *pvm_welcome_dialog_get_host_items (PvmWelcomeDialog *self);
const char          *pvm_welcome_dialog_get_folder     (PvmWelcomeDialog *self,
                                                        PvmWelcomeFolder  folder);
void                 pvm_welcome_dialog_set_folder     (PvmWelcomeDialog *self,
                                                        PvmWelcomeFolder  folder,
                                                        GFile            *file);
PvmWelcomeDemoState  pvm_welcome_dialog_get_demo_state (PvmWelcomeDialog *self);

G_END_DECLS
