/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PVM_TYPE_IMAGE_SNAPSHOT_DIALOG (pvm_image_snapshot_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PvmImageSnapshotDialog, pvm_image_snapshot_dialog, PVM,
                      IMAGE_SNAPSHOT_DIALOG, AdwMessageDialog)

PvmImageSnapshotDialog *pvm_image_snapshot_dialog_new       (const char             *base);
const char             *pvm_image_snapshot_dialog_get_base  (PvmImageSnapshotDialog *self);
void                    pvm_image_snapshot_dialog_add_name  (PvmImageSnapshotDialog *self);
GStrv                   pvm_image_snapshot_dialog_dup_names (PvmImageSnapshotDialog *self);

G_END_DECLS
