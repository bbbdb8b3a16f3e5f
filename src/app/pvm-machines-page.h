/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PVM_TYPE_MACHINES_PAGE (pvm_machines_page_get_type ())

G_DECLARE_FINAL_TYPE (PvmMachinesPage, pvm_machines_page, PVM, MACHINES_PAGE, AdwBin)

void        pvm_machines_page_reload         (PvmMachinesPage *self);
const char *pvm_machines_page_get_shown      (PvmMachinesPage *self);
guint       pvm_machines_page_get_n_machines (PvmMachinesPage *self);

G_END_DECLS
