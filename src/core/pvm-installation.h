/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-installation.h: a guided OS installation, from an ISO to a
 * protected base image with snapshots: the blank image, the VM in install
 * mode, its power-off, the base and its overlays, and launching them. The
 * CLI ("pvm install") and the app's assistant both drive it. */

#pragma once

#include <libvirt-gobject/libvirt-gobject.h>

#include "pvm-config.h"
#include "pvm-image-repo.h"
#include "pvm-vm.h"

G_BEGIN_DECLS

/**
 * PvmInstallationStep:
 * @PVM_INSTALLATION_STEP_READY: nothing done yet
 * @PVM_INSTALLATION_STEP_CREATING_IMAGE: making the blank image
 * @PVM_INSTALLATION_STEP_STARTING: launching the VM in install mode
 * @PVM_INSTALLATION_STEP_INSTALLING: the VM runs the installer
 * @PVM_INSTALLATION_STEP_INSTALLED: the guest powered off, its disk written
 * @PVM_INSTALLATION_STEP_MAKING_BASE: making the snapshots of the base
 * @PVM_INSTALLATION_STEP_BASE_MADE: the image is a protected base with
 *   snapshots
 * @PVM_INSTALLATION_STEP_LAUNCHING: launching the snapshots
 * @PVM_INSTALLATION_STEP_LAUNCHED: the snapshots run
 * @PVM_INSTALLATION_STEP_FAILED: a step failed; what it made is undone
 * @PVM_INSTALLATION_STEP_STOPPED: stopped on request; what it made is
 *   undone, the image kept if asked
 */
typedef enum
{
  PVM_INSTALLATION_STEP_READY,
  PVM_INSTALLATION_STEP_CREATING_IMAGE,
  PVM_INSTALLATION_STEP_STARTING,
  PVM_INSTALLATION_STEP_INSTALLING,
  PVM_INSTALLATION_STEP_INSTALLED,
  PVM_INSTALLATION_STEP_MAKING_BASE,
  PVM_INSTALLATION_STEP_BASE_MADE,
  PVM_INSTALLATION_STEP_LAUNCHING,
  PVM_INSTALLATION_STEP_LAUNCHED,
  PVM_INSTALLATION_STEP_FAILED,
  PVM_INSTALLATION_STEP_STOPPED,
} PvmInstallationStep;

/* How many snapshots a base gets unless the user says otherwise. */
#define PVM_INSTALLATION_DEFAULT_SNAPSHOTS 2

#define PVM_TYPE_INSTALLATION_STEP (pvm_installation_step_get_type ())
GType pvm_installation_step_get_type (void) G_GNUC_CONST;

#define PVM_TYPE_INSTALLATION (pvm_installation_get_type ())

G_DECLARE_FINAL_TYPE (PvmInstallation, pvm_installation, PVM, INSTALLATION, GObject)

PvmInstallation     *pvm_installation_new                (PvmConfig           *config,
                                                          const char          *name,
                                                          const char          *iso);
const char          *pvm_installation_step_to_string     (PvmInstallationStep  step);

void                 pvm_installation_set_disk_size      (PvmInstallation     *self,
                                                          guint64              bytes);
void                 pvm_installation_set_memory         (PvmInstallation     *self,
                                                          guint64              bytes);
void                 pvm_installation_set_cores          (PvmInstallation     *self,
                                                          guint                cores);
void                 pvm_installation_set_keep_on_failure (PvmInstallation    *self,
                                                          gboolean             keep);
gboolean             pvm_installation_check              (PvmInstallation     *self,
                                                          GError             **error);

const char          *pvm_installation_get_name           (PvmInstallation     *self);
const char          *pvm_installation_get_iso            (PvmInstallation     *self);
guint64              pvm_installation_get_disk_size      (PvmInstallation     *self);
guint64              pvm_installation_get_memory         (PvmInstallation     *self);
guint                pvm_installation_get_cores          (PvmInstallation     *self);
PvmInstallationStep  pvm_installation_get_step           (PvmInstallation     *self);
const char          *pvm_installation_get_message        (PvmInstallation     *self);
double               pvm_installation_get_fraction       (PvmInstallation     *self);
PvmVm               *pvm_installation_get_vm             (PvmInstallation     *self);
PvmImage            *pvm_installation_get_image          (PvmInstallation     *self);
GPtrArray           *pvm_installation_get_snapshots      (PvmInstallation     *self);
const char * const  *pvm_installation_get_warnings       (PvmInstallation     *self);

void                 pvm_installation_start_async        (PvmInstallation     *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             pvm_installation_start_finish       (PvmInstallation     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void                 pvm_installation_attach_async       (PvmInstallation     *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             pvm_installation_attach_finish      (PvmInstallation     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void                 pvm_installation_wait_async         (PvmInstallation     *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             pvm_installation_wait_finish        (PvmInstallation     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void                 pvm_installation_stop_async         (PvmInstallation     *self,
                                                          gboolean             keep_image,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean             pvm_installation_stop_finish        (PvmInstallation     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

GStrv                pvm_installation_dup_snapshot_names (const char          *base,
                                                          guint                n);
gboolean             pvm_installation_check_snapshot_names (PvmInstallation   *self,
                                                          const char * const  *names,
                                                          GError             **error);
void                 pvm_installation_make_base_async    (PvmInstallation     *self,
                                                          const char * const  *names,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray           *pvm_installation_make_base_finish   (PvmInstallation     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
void                 pvm_installation_launch_async       (PvmInstallation     *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
GPtrArray           *pvm_installation_launch_finish      (PvmInstallation     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

G_END_DECLS
