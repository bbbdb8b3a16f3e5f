/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-migration.h: moving a running VM to another host (live migration
 * through libvirt), with the checks that make it safe, progress and
 * cancelling; it runs on exactly one host whatever happens. */

#pragma once

#include "pvm-hosts.h"
#include "pvm-vm.h"

G_BEGIN_DECLS

/**
 * PvmMigrationProgress:
 * @elapsed_ms: time since the migration started
 * @data_total: bytes to move in all (memory and disks), as known so far
 * @data_processed: bytes moved
 * @data_remaining: bytes still to move
 * @dirty_rate: bytes of guest memory written per second
 * @expected_downtime_ms: how long the guest will pause at the switch-over,
 *   as QEMU expects it now (0: not known yet)
 * @iteration: the pass over the guest's memory
 *
 * How far a migration is.
 */
typedef struct
{
  guint64 elapsed_ms;
  guint64 data_total;
  guint64 data_processed;
  guint64 data_remaining;
  guint64 dirty_rate;
  guint64 expected_downtime_ms;
  guint64 iteration;
} PvmMigrationProgress;

/**
 * PvmMigrationResult:
 * @total_ms: the migration's duration
 * @downtime_ms: how long the guest was paused at the switch-over
 * @data_processed: bytes moved
 * @ssh_port: its SSH port on the destination (another one than on the
 *   source when a VM there holds that one), or 0
 * @copied: how many of its disks (an overlay, an output disk) were copied
 *   along, not being on storage the hosts share; their copies on the
 *   source stay, no longer used
 */
typedef struct
{
  guint64 total_ms;
  guint64 downtime_ms;
  guint64 data_processed;
  guint   ssh_port;
  guint   copied;
} PvmMigrationResult;

/**
 * PvmMigrationFlags:
 * @PVM_MIGRATION_NONE: migrate
 * @PVM_MIGRATION_CHECK_ONLY: only check that the VM can move
 */
typedef enum
{
  PVM_MIGRATION_NONE = 0,
  PVM_MIGRATION_CHECK_ONLY = 1 << 0,
} PvmMigrationFlags;

typedef void (*PvmMigrationProgressFunc) (const PvmMigrationProgress *progress,
                                          gpointer                    user_data);

void    pvm_vm_migrate_async  (PvmVm                   *vm,
                               const char              *source_name,
                               const PvmHostEntry      *destination,
                               guint                    bandwidth_mib,
                               PvmMigrationFlags        flags,
                               PvmMigrationProgressFunc progress,
                               gpointer                 progress_data,
                               GCancellable            *cancellable,
                               GAsyncReadyCallback      callback,
                               gpointer                 user_data);
PvmVm  *pvm_vm_migrate_finish (PvmVm                   *vm,
                               GAsyncResult            *result,
                               PvmMigrationResult      *migration,
                               GError                 **error);

G_END_DECLS
