/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include "pvm-list-page.h"

G_BEGIN_DECLS

#define PVM_TYPE_DATA_PAGE (pvm_data_page_get_type ())

G_DECLARE_FINAL_TYPE (PvmDataPage, pvm_data_page, PVM, DATA_PAGE, PvmListPage)

void pvm_data_page_add_folder (PvmDataPage *self,
                               GFile       *folder);

G_END_DECLS
