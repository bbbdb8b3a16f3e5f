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

/**
 * PvmBundleStep:
 * @PVM_BUNDLE_STEP_STATE: saving: the VM's memory and device state is
 *   written (bytes of it)
 * @PVM_BUNDLE_STEP_WRITE: saving: the state and the disks go into the
 *   bundle (bytes of data)
 * @PVM_BUNDLE_STEP_UNPACK: restoring: the bundle is unpacked next to it
 *   (bytes of it)
 * @PVM_BUNDLE_STEP_COPY: restoring: the disks and the state are copied
 *   to the host (bytes of data)
 * @PVM_BUNDLE_STEP_CONTINUE: restoring: the VM continues from its state
 *   (no count)
 *
 * The steps of a save into a bundle and of a restore, in their order.
 */
typedef enum
{
  PVM_BUNDLE_STEP_STATE,
  PVM_BUNDLE_STEP_WRITE,
  PVM_BUNDLE_STEP_UNPACK,
  PVM_BUNDLE_STEP_COPY,
  PVM_BUNDLE_STEP_CONTINUE,
} PvmBundleStep;

/**
 * PvmBundleProgressFunc:
 * @step: the step under way
 * @processed: how much of it is done
 * @total: how much there is in all, or 0 when that is not known
 * @user_data: the data given with the function
 *
 * How far a save or a restore is, told about four times a second (and
 * once at each step's start) in the thread-default main context of the
 * caller of the _async function.
 */
typedef void (*PvmBundleProgressFunc) (PvmBundleStep step,
                                       guint64       processed,
                                       guint64       total,
                                       gpointer      user_data);

void      pvm_vm_save_to_bundle_async  (PvmVm                *vm,
                                        const char           *path,
                                        PvmBundleProgressFunc progress,
                                        gpointer              progress_data,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean  pvm_vm_save_to_bundle_finish (PvmVm                *vm,
                                        GAsyncResult         *result,
                                        GError              **error);

void      pvm_bundle_restore_async     (const char           *path,
                                        const PvmHostEntry   *host,
                                        PvmBundleProgressFunc progress,
                                        gpointer              progress_data,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
PvmVm    *pvm_bundle_restore_finish    (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
