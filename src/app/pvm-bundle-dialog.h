/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

#include "pvm-core.h"

G_BEGIN_DECLS

#define PVM_TYPE_BUNDLE_DIALOG (pvm_bundle_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PvmBundleDialog, pvm_bundle_dialog, PVM, BUNDLE_DIALOG, AdwWindow)

PvmBundleDialog *pvm_bundle_dialog_new_save           (PvmVm           *vm);
PvmBundleDialog *pvm_bundle_dialog_new_restore        (void);
void             pvm_bundle_dialog_set_file           (PvmBundleDialog *self,
                                                       const char      *path);
gboolean         pvm_bundle_dialog_select_host        (PvmBundleDialog *self,
                                                       const char      *name);
gboolean         pvm_bundle_dialog_is_ready           (PvmBundleDialog *self);
gboolean         pvm_bundle_dialog_is_busy            (PvmBundleDialog *self);
const char      *pvm_bundle_dialog_get_progress_text  (PvmBundleDialog *self);
const char      *pvm_bundle_dialog_get_problem        (PvmBundleDialog *self);
const char      *pvm_bundle_dialog_get_result         (PvmBundleDialog *self);

G_END_DECLS
