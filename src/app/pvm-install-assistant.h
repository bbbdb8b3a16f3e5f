/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

#include "pvm-core.h"

G_BEGIN_DECLS

#define PVM_TYPE_INSTALL_ASSISTANT (pvm_install_assistant_get_type ())

G_DECLARE_FINAL_TYPE (PvmInstallAssistant, pvm_install_assistant, PVM, INSTALL_ASSISTANT, AdwWindow)

PvmInstallAssistant *pvm_install_assistant_new              (void);
void                 pvm_install_assistant_set_iso          (PvmInstallAssistant *self,
                                                             GFile               *file);
const char          *pvm_install_assistant_get_page         (PvmInstallAssistant *self);
PvmMedia            *pvm_install_assistant_get_media        (PvmInstallAssistant *self);
PvmInstallation     *pvm_install_assistant_get_installation (PvmInstallAssistant *self);
const char          *pvm_install_assistant_get_error        (PvmInstallAssistant *self);
gboolean             pvm_install_assistant_is_busy          (PvmInstallAssistant *self);
void                 pvm_install_assistant_stop             (PvmInstallAssistant *self,
                                                             const char          *response);

G_END_DECLS
