/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PVM_TYPE_LAUNCH_DIALOG (pvm_launch_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PvmLaunchDialog, pvm_launch_dialog, PVM, LAUNCH_DIALOG, AdwWindow)

PvmLaunchDialog *pvm_launch_dialog_new          (void);
void             pvm_launch_dialog_add_vm       (PvmLaunchDialog *self);
void             pvm_launch_dialog_set_vm       (PvmLaunchDialog *self,
                                                 guint            index,
                                                 const char      *image,
                                                 const char      *input,
                                                 const char      *output,
                                                 const char      *memory,
                                                 const char      *cores);
void             pvm_launch_dialog_set_discard_changes (PvmLaunchDialog *self,
                                                        guint            index,
                                                        gboolean         discard);
gboolean         pvm_launch_dialog_set_host     (PvmLaunchDialog *self,
                                                 guint            index,
                                                 const char      *host);
guint            pvm_launch_dialog_get_n_vms    (PvmLaunchDialog *self);
const char      *pvm_launch_dialog_get_problems (PvmLaunchDialog *self);

G_END_DECLS
