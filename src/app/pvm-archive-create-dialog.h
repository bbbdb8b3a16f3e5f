/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

#include "pvm-core.h"

G_BEGIN_DECLS

#define PVM_TYPE_ARCHIVE_CREATE_DIALOG (pvm_archive_create_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PvmArchiveCreateDialog, pvm_archive_create_dialog, PVM,
                      ARCHIVE_CREATE_DIALOG, AdwMessageDialog)

PvmArchiveCreateDialog *pvm_archive_create_dialog_new            (const char             *source);
const char             *pvm_archive_create_dialog_get_source     (PvmArchiveCreateDialog *self);
const char             *pvm_archive_create_dialog_get_name       (PvmArchiveCreateDialog *self);
PvmSquashCompressor     pvm_archive_create_dialog_get_compressor (PvmArchiveCreateDialog *self);

G_END_DECLS
