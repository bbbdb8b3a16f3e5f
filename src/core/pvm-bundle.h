/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-bundle.h: a running VM saved into one file (its memory state, the
 * disks it writes and its definition), to continue later on any host. */

#pragma once

#include "pvm-hosts.h"
#include "pvm-vm.h"

G_BEGIN_DECLS

/* The bundle's format, in its manifest. */
#define PVM_BUNDLE_FORMAT  "pvm-bundle"
#define PVM_BUNDLE_VERSION 1

void      pvm_vm_save_to_bundle_async  (PvmVm              *vm,
                                        const char         *path,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean  pvm_vm_save_to_bundle_finish (PvmVm              *vm,
                                        GAsyncResult       *result,
                                        GError            **error);

void      pvm_bundle_restore_async     (const char         *path,
                                        const PvmHostEntry *host,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
PvmVm    *pvm_bundle_restore_finish    (GAsyncResult       *result,
                                        GError            **error);

G_END_DECLS
