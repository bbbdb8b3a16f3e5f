/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include "pvm-list-page.h"

G_BEGIN_DECLS

#define PVM_TYPE_MACHINES_PAGE (pvm_machines_page_get_type ())

G_DECLARE_FINAL_TYPE (PvmMachinesPage, pvm_machines_page, PVM, MACHINES_PAGE, PvmListPage)

void        pvm_machines_page_set_selection_mode (PvmMachinesPage *self,
                                                  gboolean         selection_mode);
gboolean    pvm_machines_page_get_selection_mode (PvmMachinesPage *self);
gboolean    pvm_machines_page_select             (PvmMachinesPage *self,
                                                  const char      *name,
                                                  gboolean         selected);
const char *pvm_machines_page_get_selection_text (PvmMachinesPage *self);
void        pvm_machines_page_read_progress      (PvmMachinesPage *self);

G_END_DECLS
