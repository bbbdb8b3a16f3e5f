/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-job-monitor.c: what the app watches while it runs: every VM the
 * Machines page lists. When one that ran powers off, its job has ended:
 * the monitor collects its output disk (OUTPUT_MODE=disk), in a thread,
 * as the pvm command does when it sees a VM power off, and emits a
 * PvmJobReport with the job's exit status, the output folder and what was
 * copied. The application turns reports into desktop notifications, the
 * main window into toasts.
 *
 * VMs are known by their domain name: the page makes new PvmVm objects at
 * each load, and a power off is reported once whichever object saw it. */

#define G_LOG_DOMAIN "pvm-job-monitor"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-job-monitor.h"

typedef struct
{
  PvmJobMonitor *monitor;         /* borrowed: it owns the watch */
  PvmVm         *vm;              /* the latest object of the domain */
  gulong         state_id;
  gboolean       active;          /* as last seen */
  gboolean       stop_expected;   /* the app asked it to stop */
  gboolean       collecting;
} Watch;

struct _PvmJobMonitor
{
  GObject     parent_instance;

  /* Owned: domain name -> Watch */
  GHashTable *watches;
};

G_DEFINE_FINAL_TYPE (PvmJobMonitor, pvm_job_monitor, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PvmJobReport, pvm_job_report, pvm_job_report_copy, pvm_job_report_free)

enum {
  REPORT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

PvmJobReport *
pvm_job_report_copy (const PvmJobReport *report)
{
  PvmJobReport *copy = g_memdup2 (report, sizeof *report);

  copy->name = g_strdup (report->name);
  copy->domain = g_strdup (report->domain);
  copy->output = g_strdup (report->output);
  copy->collect_error = g_strdup (report->collect_error);
  copy->title = g_strdup (report->title);
  copy->body = g_strdup (report->body);
  copy->summary = g_strdup (report->summary);
  return copy;
}

void
pvm_job_report_free (PvmJobReport *report)
{
  if (report == NULL)
    return;
  g_free (report->name);
  g_free (report->domain);
  g_free (report->output);
  g_free (report->collect_error);
  g_free (report->title);
  g_free (report->body);
  g_free (report->summary);
  g_free (report);
}

/* The title, body and summary from the facts. */
static void
report_write (PvmJobReport *report)
{
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GString) summary = g_string_new (NULL);

  if (report->crashed)
    report->title = g_strdup_printf (_("%s crashed"), report->name);
  else if (report->end == PVM_JOB_END_JOB && report->job_exit >= 0)
    report->title = g_strdup_printf (_("Job finished: %s"), report->name);
  else if (report->end == PVM_JOB_END_UNSEEN && report->collect_error != NULL)
    report->title = g_strdup_printf (_("Output not collected: %s"), report->name);
  else if (report->end == PVM_JOB_END_UNSEEN)
    report->title = g_strdup_printf (_("Output collected: %s"), report->name);
  else
    report->title = g_strdup_printf (_("%s powered off"), report->name);
  g_string_append (summary, report->title);

  if (report->job_exit == 0)
    g_string_append (body, _("The job succeeded (exit status 0)."));
  else if (report->job_exit > 0)
    g_string_append_printf (body, _("The job failed (exit status %d)."), report->job_exit);
  else if (report->end != PVM_JOB_END_UNSEEN)
    g_string_append (body, _("The guest reported no job."));
  if (report->job_exit >= 0)
    /* Translators: the end of "Job finished: NAME", with its exit status */
    g_string_append_printf (summary, _(", exit status %d"), report->job_exit);

  if (report->output != NULL)
    g_string_append_printf (body, "%s%s", body->len > 0 ? "\n" : "", report->output);

  if (report->collect_error != NULL)
    {
      g_string_append_printf (body, "\n%s", report->collect_error);
      if (report->collect_no_space)
        g_string_append (summary, _(", not enough space to collect its output"));
      else if (report->end != PVM_JOB_END_UNSEEN)
        g_string_append (summary, _(", its output could not be collected"));
    }
  else if (report->collected)
    {
      g_autofree char *copied =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "copied %u file from the output disk",
                                      "copied %u files from the output disk", report->n_copied),
                         report->n_copied);

      g_string_append_printf (body, "\n%c%s", g_ascii_toupper (copied[0]), copied + 1);
      if (report->n_kept > 0)
        g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE,
                                                   ", kept %u newer file of the folder",
                                                   ", kept %u newer files of the folder",
                                                   report->n_kept), report->n_kept);
      g_string_append_c (body, '.');
      g_string_append_printf (summary, ", %s", copied);
    }

  report->body = g_string_free (g_steal_pointer (&body), FALSE);
  report->summary = g_string_free (g_steal_pointer (&summary), FALSE);
}

/* Takes @report. */
static void
emit_report (PvmJobMonitor *self,
             PvmJobReport  *report)
{
  g_autoptr(PvmJobReport) owned = report;

  report_write (report);
  g_debug ("%s: %s", report->title, report->body);
  g_signal_emit (self, signals[REPORT], 0, report);
}

typedef struct
{
  PvmVm        *vm;
  PvmJobReport *report;
  gboolean      read_status;   /* the guest's status is read here too */
  gboolean      collect;       /* its output may have to be collected */
} Collect;

static void
collect_free (Collect *collect)
{
  g_clear_object (&collect->vm);
  pvm_job_report_free (collect->report);
  g_free (collect);
}

static void
collect_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Collect *collect = task_data;
  g_autoptr(GPtrArray) copied = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  /* Another host's VM has its serial log there. */
  if (collect->read_status)
    g_free (pvm_vm_dup_guest_status (collect->vm, &collect->report->job_exit));

  /* (For another host's VM, whether there is anything to collect is that
   * host's to say: asked here, off the main thread.) */
  if (collect->collect && pvm_vm_needs_collect (collect->vm))
    {
      if (pvm_vm_collect (collect->vm, copied, kept, &error))
        {
          collect->report->collected = TRUE;
          collect->report->n_copied = copied->len;
          collect->report->n_kept = kept->len;
        }
      else
        {
          collect->report->collect_error = g_strdup (error->message);
          collect->report->collect_no_space = g_error_matches (error, PVM_ERROR,
                                                               PVM_ERROR_NO_SPACE);
        }
    }
  g_task_return_boolean (task, TRUE);
}

static void
collect_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PvmJobMonitor *self = PVM_JOB_MONITOR (object);
  Collect *collect = g_task_get_task_data (G_TASK (result));
  Watch *watch = g_hash_table_lookup (self->watches, pvm_vm_get_domain_name (collect->vm));

  if (watch != NULL && collect->collect)
    watch->collecting = FALSE;
  emit_report (self, g_steal_pointer (&collect->report));
}

/* Whether the output of @vm, off, may have to be collected: a VM of
 * another host with an output disk may, unless it is saved (its host
 * says, in the collect thread); for this machine's,
 * pvm_vm_needs_collect() answers at once (never for a saved one). */
static gboolean
may_need_collect (PvmVm *vm)
{
  if (pvm_vm_get_output_disk (vm) != NULL && !pvm_hosts_uri_is_local (pvm_vm_get_uri (vm)))
    return !pvm_vm_is_active (vm) && pvm_vm_get_state (vm) != PVM_VM_STATE_SAVED;
  return pvm_vm_needs_collect (vm);
}

/* The VM of @watch is off: collect its output disk if it has one, then
 * report. The serial log of another host's VM is read in the thread as
 * well (through libvirt). */
static void
watch_end (Watch     *watch,
           PvmJobEnd  end)
{
  PvmJobReport *report = g_new0 (PvmJobReport, 1);
  const PvmVmPlan *plan = pvm_vm_get_plan (watch->vm);
  gboolean collect, read_status;

  report->end = end;
  report->name = g_strdup (pvm_vm_get_name (watch->vm));
  report->domain = g_strdup (pvm_vm_get_domain_name (watch->vm));
  report->output = g_strdup (plan->output);
  report->crashed = pvm_vm_get_state (watch->vm) == PVM_VM_STATE_CRASHED;
  report->job_exit = -1;
  collect = may_need_collect (watch->vm) && !watch->collecting;
  read_status = !pvm_hosts_uri_is_local (pvm_vm_get_uri (watch->vm));
  if (!read_status)
    g_free (pvm_vm_dup_guest_status (watch->vm, &report->job_exit));

  if (collect || read_status)
    {
      g_autoptr(GTask) task = g_task_new (watch->monitor, NULL, collect_done_cb, NULL);
      Collect *data = g_new0 (Collect, 1);

      data->vm = g_object_ref (watch->vm);
      data->report = report;
      data->read_status = read_status;
      data->collect = collect;
      watch->collecting |= collect;
      g_task_set_source_tag (task, watch_end);
      g_task_set_task_data (task, data, (GDestroyNotify) collect_free);
      g_task_run_in_thread (task, collect_thread);
      return;
    }

  emit_report (watch->monitor, report);
}

/* From the state the VM of @watch has now. */
static void
watch_update (Watch *watch)
{
  gboolean active = pvm_vm_is_active (watch->vm);
  gboolean was_active = watch->active;

  watch->active = active;
  /* A save stops QEMU too, but nothing ended. */
  if (!was_active || active || pvm_vm_get_state (watch->vm) == PVM_VM_STATE_SAVED)
    return;

  watch_end (watch, watch->stop_expected ? PVM_JOB_END_ASKED : PVM_JOB_END_JOB);
  watch->stop_expected = FALSE;
}

static void
vm_state_cb (PvmVm      *vm,
             GParamSpec *pspec,
             Watch      *watch)
{
  watch_update (watch);
}

static void
watch_set_vm (Watch *watch,
              PvmVm *vm)
{
  if (watch->vm != NULL)
    g_clear_signal_handler (&watch->state_id, watch->vm);
  g_set_object (&watch->vm, vm);
  watch->state_id = g_signal_connect (vm, "notify::state", G_CALLBACK (vm_state_cb), watch);
}

static void
watch_free (Watch *watch)
{
  g_clear_signal_handler (&watch->state_id, watch->vm);
  g_clear_object (&watch->vm);
  g_free (watch);
}

/* A VM of another host that powered off while the app was not watching:
 * whether its output waits to be collected is that host's to say, asked
 * in a thread; then it ends as any unseen job. */
static void
check_unseen_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_task_return_boolean (task, pvm_vm_needs_collect (PVM_VM (task_data)));
}

static void
check_unseen_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  PvmJobMonitor *self = PVM_JOB_MONITOR (object);
  PvmVm *vm = g_task_get_task_data (G_TASK (result));
  Watch *watch = g_hash_table_lookup (self->watches, pvm_vm_get_domain_name (vm));

  if (g_task_propagate_boolean (G_TASK (result), NULL) && watch != NULL && watch->vm == vm &&
      !watch->collecting)
    watch_end (watch, PVM_JOB_END_UNSEEN);
}

static void
check_unseen (PvmJobMonitor *self,
              PvmVm         *vm)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, check_unseen_done_cb, NULL);

  g_task_set_source_tag (task, check_unseen);
  g_task_set_task_data (task, g_object_ref (vm), g_object_unref);
  g_task_run_in_thread (task, check_unseen_thread);
}

/**
 * pvm_job_monitor_watch:
 * @self: a #PvmJobMonitor
 * @vms: (element-type PvmVm): every VM of the connection, as a load of
 *   the Machines page found them
 *
 * Watches @vms from now on, in place of the objects of an earlier load.
 * A VM seen running before that is off now has powered off meanwhile and
 * is reported. A VM seen for the first time that is off with an output
 * disk not collected yet stopped while nothing watched it: it is
 * collected and reported (%PVM_JOB_END_UNSEEN), as "pvm list" does.
 */
void
pvm_job_monitor_watch (PvmJobMonitor *self,
                       GPtrArray     *vms)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (PVM_IS_JOB_MONITOR (self));
  g_return_if_fail (vms != NULL);

  for (guint i = 0; i < vms->len; i++)
    {
      PvmVm *vm = g_ptr_array_index (vms, i);
      const char *domain = pvm_vm_get_domain_name (vm);
      Watch *watch = g_hash_table_lookup (self->watches, domain);

      g_hash_table_add (listed, (gpointer) domain);
      if (watch == NULL)
        {
          watch = g_new0 (Watch, 1);
          watch->monitor = self;
          watch_set_vm (watch, vm);
          watch->active = pvm_vm_is_active (vm);
          g_hash_table_insert (self->watches, g_strdup (domain), watch);
          if (pvm_vm_get_output_disk (vm) != NULL && !pvm_vm_is_active (vm) &&
              !pvm_hosts_uri_is_local (pvm_vm_get_uri (vm)))
            check_unseen (self, vm);
          else if (pvm_vm_needs_collect (vm))
            watch_end (watch, PVM_JOB_END_UNSEEN);
        }
      else if (watch->vm != vm)
        {
          watch_set_vm (watch, vm);
          watch_update (watch);
        }
    }

  /* Deleted meanwhile. */
  g_hash_table_iter_init (&iter, self->watches);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (listed, key))
      g_hash_table_iter_remove (&iter);
}

/**
 * pvm_job_monitor_expect_stop:
 * @self: a #PvmJobMonitor
 * @vm: a VM the app is about to stop
 *
 * The next power off of @vm is the app's doing: it is reported as
 * %PVM_JOB_END_ASKED, which the application does not notify.
 */
void
pvm_job_monitor_expect_stop (PvmJobMonitor *self,
                             PvmVm         *vm)
{
  Watch *watch;

  g_return_if_fail (PVM_IS_JOB_MONITOR (self));
  g_return_if_fail (PVM_IS_VM (vm));

  watch = g_hash_table_lookup (self->watches, pvm_vm_get_domain_name (vm));
  if (watch == NULL)
    {
      /* A VM the page has not listed yet: watch this object. */
      watch = g_new0 (Watch, 1);
      watch->monitor = self;
      watch_set_vm (watch, vm);
      watch->active = pvm_vm_is_active (vm);
      g_hash_table_insert (self->watches, g_strdup (pvm_vm_get_domain_name (vm)), watch);
    }
  watch->stop_expected = TRUE;
}

/**
 * pvm_job_monitor_can_collect:
 * @self: a #PvmJobMonitor
 * @domain: the domain name of a VM
 *
 * Whether pvm_job_monitor_collect() would collect that VM's output disk
 * now: the monitor watches it, it is off and not saved, it may have files
 * to collect (another host's VM: its host is asked by the collect), and no
 * collect of it runs.
 *
 * Returns: %TRUE when a collect can start
 */
gboolean
pvm_job_monitor_can_collect (PvmJobMonitor *self,
                             const char    *domain)
{
  Watch *watch;

  g_return_val_if_fail (PVM_IS_JOB_MONITOR (self), FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);

  watch = g_hash_table_lookup (self->watches, domain);
  return watch != NULL && !watch->collecting && !pvm_vm_is_active (watch->vm) &&
         may_need_collect (watch->vm);
}

/**
 * pvm_job_monitor_collect:
 * @self: a #PvmJobMonitor
 * @domain: the domain name of a VM it watches (#PvmJobReport's)
 *
 * Collects the output disk of that VM again, off the main thread, when
 * pvm_job_monitor_can_collect() (a collect that failed, say for want of
 * space): a report (%PVM_JOB_END_UNSEEN) tells how it went.
 *
 * Returns: whether a collect was started
 */
gboolean
pvm_job_monitor_collect (PvmJobMonitor *self,
                         const char    *domain)
{
  g_return_val_if_fail (PVM_IS_JOB_MONITOR (self), FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);

  if (!pvm_job_monitor_can_collect (self, domain))
    return FALSE;
  watch_end (g_hash_table_lookup (self->watches, domain), PVM_JOB_END_UNSEEN);
  return TRUE;
}

static void
pvm_job_monitor_finalize (GObject *object)
{
  PvmJobMonitor *self = PVM_JOB_MONITOR (object);

  g_clear_pointer (&self->watches, g_hash_table_unref);

  G_OBJECT_CLASS (pvm_job_monitor_parent_class)->finalize (object);
}

static void
pvm_job_monitor_class_init (PvmJobMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pvm_job_monitor_finalize;

  /**
   * PvmJobMonitor::report:
   * @self: the monitor
   * @report: what happened
   *
   * A VM powered off (and its output disk was collected), or one found
   * off had its output disk collected.
   */
  signals[REPORT] = g_signal_new ("report", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1,
                                  PVM_TYPE_JOB_REPORT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
pvm_job_monitor_init (PvmJobMonitor *self)
{
  self->watches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) watch_free);
}

/**
 * pvm_job_monitor_new:
 *
 * Returns: (transfer full): a monitor watching nothing yet
 */
PvmJobMonitor *
pvm_job_monitor_new (void)
{
  return g_object_new (PVM_TYPE_JOB_MONITOR, NULL);
}
