/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-launch-hosts.h: a launch whose VMs are placed on several hosts: all
 * of them start, across hosts, or none does. */

#pragma once

#include <gio/gio.h>

#include "pvm-config.h"
#include "pvm-plan.h"

G_BEGIN_DECLS

void       pvm_launch_on_hosts_async  (PvmConfig            *config,
                                       PvmPlan              *plan,
                                       GPtrArray            *placement,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
GPtrArray *pvm_launch_on_hosts_finish (GAsyncResult         *result,
                                       char               ***warnings,
                                       GError              **error);

G_END_DECLS
