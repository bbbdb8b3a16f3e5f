/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

#include "pvm-job-monitor.h"

G_BEGIN_DECLS

#define PVM_TYPE_APPLICATION (pvm_application_get_type ())

G_DECLARE_FINAL_TYPE (PvmApplication, pvm_application, PVM, APPLICATION, AdwApplication)

PvmApplication     *pvm_application_new                 (void);
PvmJobMonitor      *pvm_application_get_job_monitor     (PvmApplication *self);
const PvmJobReport *pvm_application_lookup_notification (PvmApplication *self,
                                                         const char     *name);

G_END_DECLS
