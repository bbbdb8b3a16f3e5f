/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include "pvm-core.h"

G_BEGIN_DECLS

/**
 * PvmJobEnd:
 * @PVM_JOB_END_JOB: the VM powered off by itself (or by another program)
 *   while the app watched it: its job ended
 * @PVM_JOB_END_ASKED: the app stopped it (pvm_job_monitor_expect_stop())
 * @PVM_JOB_END_UNSEEN: it was found off with an output disk to collect:
 *   it stopped while nothing watched it, or its collect failed and the
 *   user asked again (pvm_job_monitor_collect())
 */
typedef enum
{
  PVM_JOB_END_JOB,
  PVM_JOB_END_ASKED,
  PVM_JOB_END_UNSEEN,
} PvmJobEnd;

/**
 * PvmJobReport:
 *
 * What the app tells about a VM that powered off: its guest's job exit
 * status, its output, and what was copied from its output disk.
 */
typedef struct
{
  PvmJobEnd  end;
  char      *name;           /* the VM's */
  char      *domain;         /* its libvirt domain's name (pvm_job_monitor_collect()) */
  char      *output;         /* its output folder, or NULL */
  int        job_exit;       /* the job's exit status, or -1 if none was reported */
  gboolean   crashed;
  gboolean   collected;      /* its output disk was collected */
  guint      n_copied;
  guint      n_kept;         /* host files kept: newer than the guest's */
  char      *collect_error;  /* why collecting failed, or NULL */
  gboolean   collect_no_space; /* it failed for want of space in the output folder */
  char      *title;          /* for a notification */
  char      *body;
  char      *summary;        /* one line, for a toast */
} PvmJobReport;

#define PVM_TYPE_JOB_REPORT (pvm_job_report_get_type ())
GType         pvm_job_report_get_type (void) G_GNUC_CONST;
PvmJobReport *pvm_job_report_copy     (const PvmJobReport *report);
void          pvm_job_report_free     (PvmJobReport       *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmJobReport, pvm_job_report_free)

#define PVM_TYPE_JOB_MONITOR (pvm_job_monitor_get_type ())

G_DECLARE_FINAL_TYPE (PvmJobMonitor, pvm_job_monitor, PVM, JOB_MONITOR, GObject)

PvmJobMonitor *pvm_job_monitor_new          (void);
void           pvm_job_monitor_watch        (PvmJobMonitor *self,
                                             GPtrArray     *vms);
void           pvm_job_monitor_expect_stop  (PvmJobMonitor *self,
                                             PvmVm         *vm);
gboolean       pvm_job_monitor_can_collect  (PvmJobMonitor *self,
                                             const char    *domain);
gboolean       pvm_job_monitor_collect      (PvmJobMonitor *self,
                                             const char    *domain);

G_END_DECLS
