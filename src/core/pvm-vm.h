/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-vm.h: one VM pVM launched, as its libvirt domain tells it: the plan
 * stored in the domain's metadata, its state from libvirt's events, what
 * its guest reported on the serial port, how to reach it, and shutting it
 * down, saving, resuming and starting it again. */

#pragma once

#include <json-glib/json-glib.h>
#include <libvirt-gobject/libvirt-gobject.h>

#include "pvm-plan.h"

G_BEGIN_DECLS

/**
 * PvmVmState:
 * @PVM_VM_STATE_STOPPED: defined, not running
 * @PVM_VM_STATE_RUNNING: running
 * @PVM_VM_STATE_PAUSED: paused
 * @PVM_VM_STATE_SAVED: not running, with a saved state to resume from
 * @PVM_VM_STATE_CRASHED: the guest crashed
 */
typedef enum
{
  PVM_VM_STATE_STOPPED,
  PVM_VM_STATE_RUNNING,
  PVM_VM_STATE_PAUSED,
  PVM_VM_STATE_SAVED,
  PVM_VM_STATE_CRASHED,
} PvmVmState;

/**
 * PvmVmStopMode:
 * @PVM_VM_STOP_GRACEFUL: press the power button (ACPI); force it off when
 *   the guest has not powered off by the timeout
 * @PVM_VM_STOP_FORCE: pull the plug at once
 */
typedef enum
{
  PVM_VM_STOP_GRACEFUL,
  PVM_VM_STOP_FORCE,
} PvmVmStopMode;

/**
 * PvmImageChange:
 * @PVM_IMAGE_CHANGE_SNAPSHOT: make overlays of the image
 * @PVM_IMAGE_CHANGE_FLATTEN: copy its base's data into it
 * @PVM_IMAGE_CHANGE_DELETE: delete it
 */
typedef enum
{
  PVM_IMAGE_CHANGE_SNAPSHOT,
  PVM_IMAGE_CHANGE_FLATTEN,
  PVM_IMAGE_CHANGE_DELETE,
} PvmImageChange;

/* How long a graceful stop waits for the guest, by default. */
#define PVM_VM_DEFAULT_STOP_TIMEOUT_SECONDS 60

#define PVM_TYPE_VM_STATE (pvm_vm_state_get_type ())
GType pvm_vm_state_get_type (void) G_GNUC_CONST;

#define PVM_TYPE_VM (pvm_vm_get_type ())

G_DECLARE_FINAL_TYPE (PvmVm, pvm_vm, PVM, VM, GObject)

PvmVm           *pvm_vm_new_for_domain         (GVirConnection  *connection,
                                                GVirDomain      *domain,
                                                GError         **error);
GPtrArray       *pvm_vm_list_fetch             (GVirConnection  *connection,
                                                GError         **error);
PvmVm           *pvm_vm_find                   (GVirConnection  *connection,
                                                const char      *name,
                                                GError         **error);

PvmVm           *pvm_vm_list_find_image_user   (GPtrArray       *vms,
                                                const char      *image);
GVirConnection  *pvm_vm_open_connection        (const char      *uri,
                                                GCancellable    *cancellable,
                                                GError         **error);
GVirConnection  *pvm_vm_reuse_connection       (GPtrArray       *connections,
                                                const char      *uri);
GPtrArray       *pvm_vm_list_fetch_for_uri     (const char      *uri);
gboolean         pvm_vm_list_check_image_change (GPtrArray      *vms,
                                                const char      *image,
                                                PvmImageChange   change,
                                                GError         **error);
void             pvm_vm_list_mark_image_users  (GPtrArray       *vms,
                                                GPtrArray       *images);

const char      *pvm_vm_get_name               (PvmVm           *self);
const char      *pvm_vm_get_domain_name        (PvmVm           *self);
GVirDomain      *pvm_vm_get_domain             (PvmVm           *self);
const PvmVmPlan *pvm_vm_get_plan               (PvmVm           *self);
const char      *pvm_vm_get_uri                (PvmVm           *self);
GVirConnection  *pvm_vm_get_connection         (PvmVm           *self);
gboolean         pvm_vm_is_connected           (PvmVm           *self);
const char      *pvm_vm_get_serial_log         (PvmVm           *self);
const char      *pvm_vm_get_output_disk        (PvmVm           *self);
PvmVmState       pvm_vm_get_state              (PvmVm           *self);
const char      *pvm_vm_state_to_string        (PvmVmState       state);
gboolean         pvm_vm_is_active              (PvmVm           *self);
gboolean         pvm_vm_is_paused_by_io_error  (PvmVm           *self);

char            *pvm_vm_dup_guest_status       (PvmVm           *self,
                                                int             *job_exit);
char            *pvm_vm_dup_job_progress       (PvmVm           *self,
                                                int             *percent,
                                                char           **status);
char            *pvm_vm_dup_ssh_command        (PvmVm           *self);
const char      *pvm_vm_get_network            (PvmVm           *self);
const char      *pvm_vm_get_address            (PvmVm           *self);
const char      *pvm_vm_refresh_address        (PvmVm           *self);
char            *pvm_vm_dup_console_command    (PvmVm           *self);
JsonNode        *pvm_vm_to_json                (PvmVm           *self);

void             pvm_vm_stop_async             (PvmVm           *self,
                                                PvmVmStopMode    mode,
                                                guint            timeout_seconds,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean         pvm_vm_stop_finish            (PvmVm           *self,
                                                GAsyncResult    *result,
                                                gboolean        *forced,
                                                GError         **error);
void             pvm_vm_wait_stopped_async     (PvmVm           *self,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean         pvm_vm_wait_stopped_finish    (PvmVm           *self,
                                                GAsyncResult    *result,
                                                GError         **error);
void             pvm_vm_save_async             (PvmVm           *self,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean         pvm_vm_save_finish            (PvmVm           *self,
                                                GAsyncResult    *result,
                                                GError         **error);
void             pvm_vm_resume_async           (PvmVm           *self,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean         pvm_vm_resume_finish          (PvmVm           *self,
                                                GAsyncResult    *result,
                                                GError         **error);
void             pvm_vm_start_async            (PvmVm           *self,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean         pvm_vm_start_finish           (PvmVm           *self,
                                                GAsyncResult    *result,
                                                GError         **error);
gboolean         pvm_vm_needs_collect          (PvmVm           *self);
gboolean         pvm_vm_output_disk_is_here    (PvmVm           *self);
gboolean         pvm_vm_collect                (PvmVm           *self,
                                                GPtrArray       *copied,
                                                GPtrArray       *kept,
                                                GError         **error);
gboolean         pvm_vm_delete                 (PvmVm           *self,
                                                GError         **error);
int              pvm_vm_open_spice_fd          (PvmVm           *self,
                                                GError         **error);
void             pvm_vm_prepare_console_async  (PvmVm               *self,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
gboolean         pvm_vm_prepare_console_finish (PvmVm           *self,
                                                GAsyncResult    *result,
                                                GError         **error);

G_END_DECLS
