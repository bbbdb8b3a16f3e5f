/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PVM_TYPE_IMAGE_CREATE_DIALOG (pvm_image_create_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PvmImageCreateDialog, pvm_image_create_dialog, PVM, IMAGE_CREATE_DIALOG,
                      AdwMessageDialog)

PvmImageCreateDialog *pvm_image_create_dialog_new      (void);
const char           *pvm_image_create_dialog_get_name (PvmImageCreateDialog *self);
guint64               pvm_image_create_dialog_get_size (PvmImageCreateDialog *self);

G_END_DECLS
