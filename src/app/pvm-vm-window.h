/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

#include "pvm-core.h"

G_BEGIN_DECLS

#define PVM_TYPE_VM_WINDOW (pvm_vm_window_get_type ())

G_DECLARE_FINAL_TYPE (PvmVmWindow, pvm_vm_window, PVM, VM_WINDOW, AdwWindow)

PvmVmWindow *pvm_vm_window_new    (PvmVm       *vm);
PvmVm       *pvm_vm_window_get_vm (PvmVmWindow *self);
void         pvm_vm_window_set_vm (PvmVmWindow *self,
                                   PvmVm       *vm);

G_END_DECLS
