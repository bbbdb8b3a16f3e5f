/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include "pvm-list-page.h"

G_BEGIN_DECLS

#define PVM_TYPE_MACHINES_PAGE (pvm_machines_page_get_type ())

G_DECLARE_FINAL_TYPE (PvmMachinesPage, pvm_machines_page, PVM, MACHINES_PAGE, PvmListPage)

G_END_DECLS
