/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-launcher.h: runs a launch plan on a libvirt connection: every VM of
 * the plan starts, or none does. */

#pragma once

#include <libvirt-gobject/libvirt-gobject.h>

#include "pvm-config.h"
#include "pvm-plan.h"

G_BEGIN_DECLS

#define PVM_TYPE_LAUNCHER (pvm_launcher_get_type ())

G_DECLARE_FINAL_TYPE (PvmLauncher, pvm_launcher, PVM, LAUNCHER, GObject)

PvmLauncher        *pvm_launcher_new              (GVirConnection       *connection,
                                                   PvmConfig            *config);
void                pvm_launcher_launch_async     (PvmLauncher          *self,
                                                   PvmPlan              *plan,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
GPtrArray          *pvm_launcher_launch_finish    (PvmLauncher          *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
const char         *pvm_launcher_get_domain_type  (PvmLauncher          *self);
const char * const *pvm_launcher_get_warnings     (PvmLauncher          *self);

G_END_DECLS
