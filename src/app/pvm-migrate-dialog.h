/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

#include "pvm-core.h"

G_BEGIN_DECLS

#define PVM_TYPE_MIGRATE_DIALOG (pvm_migrate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (PvmMigrateDialog, pvm_migrate_dialog, PVM, MIGRATE_DIALOG, AdwWindow)

PvmMigrateDialog *pvm_migrate_dialog_new         (PvmVm              *vm,
                                                  const char         *source_name,
                                                  GPtrArray          *hosts);
gboolean          pvm_migrate_dialog_select_host (PvmMigrateDialog   *self,
                                                  const char         *name);
gboolean          pvm_migrate_dialog_is_busy     (PvmMigrateDialog   *self);
const char       *pvm_migrate_dialog_get_problem (PvmMigrateDialog   *self);
const char       *pvm_migrate_dialog_get_result  (PvmMigrateDialog   *self);

G_END_DECLS
