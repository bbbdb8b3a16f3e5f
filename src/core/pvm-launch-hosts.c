/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-launch-hosts.c: a launch whose VMs are placed on several hosts. Each
 * host's VMs are launched by a PvmLauncher on a connection to that host,
 * host after host in the order they are first named; when a host's VMs
 * cannot start (its launcher put them back as they were), the VMs already
 * started on the hosts before are stopped and removed: all or none, across
 * hosts too. */

#define G_LOG_DOMAIN "pvm-launch-hosts"

#include "config.h"

#include "pvm-autocleanups.h"
#include "pvm-hosts.h"
#include "pvm-launch-hosts.h"
#include "pvm-launcher.h"
#include "pvm-vm.h"

typedef struct
{
  PvmConfig   *config;
  PvmPlan     *plan;          /* borrowed: the caller keeps it alive */
  GPtrArray   *hosts;         /* PvmHostEntry, in the order first named */
  GPtrArray   *placement;     /* PvmHostEntry of hosts, one per VM of the plan */
  guint        next;          /* the next host to launch on */
  PvmPlan     *part;          /* the VMs of the host being launched on */
  PvmLauncher *launcher;
  GPtrArray   *vms;           /* PvmVm: those running */
  GPtrArray   *warnings;      /* char *, NULL-terminated */
  GError      *error;         /* what stopped the launch, while undoing */
  GString     *undone;        /* "NAME on HOST, ..." */
  GString     *not_undone;    /* "\nCannot stop and remove NAME on HOST: why" per VM */
  guint        undoing;
} LaunchData;

static void
launch_data_free (LaunchData *data)
{
  g_object_unref (data->config);
  g_ptr_array_unref (data->placement);
  g_ptr_array_unref (data->hosts);
  g_clear_pointer (&data->part, pvm_plan_free);
  g_clear_object (&data->launcher);
  g_ptr_array_unref (data->vms);
  g_ptr_array_unref (data->warnings);
  g_clear_error (&data->error);
  g_string_free (data->undone, TRUE);
  g_string_free (data->not_undone, TRUE);
  g_free (data);
}

static gboolean
is_multi (LaunchData *data)
{
  return data->hosts->len > 1;
}

static const PvmHostEntry *
current_host (LaunchData *data)
{
  return g_ptr_array_index (data->hosts, data->next - 1);
}

static void launch_next (GTask *task);

static const char *
host_name_of (LaunchData *data,
              PvmVm      *vm)
{
  return ((PvmHostEntry *) g_ptr_array_index (data->placement, pvm_vm_get_plan (vm)->index))->name;
}

static void
return_error (GTask *task)
{
  LaunchData *data = g_task_get_task_data (task);
  GError *error = g_steal_pointer (&data->error);

  if (data->undone->len > 0 || data->not_undone->len > 0)
    {
      g_autofree char *undone = NULL;
      GError *full;

      if (data->undone->len > 0)
        undone = g_strdup_printf ("\nThe VMs already started on other hosts were stopped and "
                                  "removed (%s)%s", data->undone->str,
                                  data->not_undone->len == 0 ? ": nothing runs" : "");
      full = g_error_new (error->domain, error->code, "%s%s%s", error->message,
                          undone != NULL ? undone : "", data->not_undone->str);
      g_error_free (error);
      error = full;
    }
  g_task_return_error (task, error);
}

static void
undo_stopped_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LaunchData *data = g_task_get_task_data (task);
  PvmVm *vm = PVM_VM (object);
  g_autoptr(GError) error = NULL;

  if (pvm_vm_stop_finish (vm, result, NULL, &error) && pvm_vm_delete (vm, &error))
    g_string_append_printf (data->undone, "%s%s on %s", data->undone->len > 0 ? ", " : "",
                            pvm_vm_get_name (vm), host_name_of (data, vm));
  else
    g_string_append_printf (data->not_undone, "\nCannot stop and remove %s on %s: %s",
                            pvm_vm_get_name (vm), host_name_of (data, vm), error->message);

  if (--data->undoing == 0)
    return_error (task);
}

/* The launch stopped with @error on the current host: the VMs started on
 * the hosts before are stopped and removed (never their images), and the
 * task returns @error saying so. */
static void
fail (GTask  *task,
      GError *error)
{
  LaunchData *data = g_task_get_task_data (task);

  if (is_multi (data) && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (&error, "%s: ", current_host (data)->name);
  data->error = error;

  if (data->vms->len == 0)
    {
      return_error (task);
      return;
    }

  data->undoing = data->vms->len;
  for (guint i = 0; i < data->vms->len; i++)
    pvm_vm_stop_async (g_ptr_array_index (data->vms, i), PVM_VM_STOP_FORCE, 0, NULL,
                       undo_stopped_cb, g_object_ref (task));
}

static void
launched_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LaunchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GPtrArray) vms = pvm_launcher_launch_finish (PVM_LAUNCHER (object), result, &error);
  const char * const *warnings = pvm_launcher_get_warnings (PVM_LAUNCHER (object));

  for (guint i = 0; warnings[i] != NULL; i++)
    g_ptr_array_add (data->warnings,
                     is_multi (data)
                       ? g_strdup_printf ("%s: %s", current_host (data)->name, warnings[i])
                       : g_strdup (warnings[i]));

  if (vms == NULL)
    {
      fail (task, error);
      return;
    }
  g_ptr_array_extend_and_steal (data->vms, g_steal_pointer (&vms));
  launch_next (task);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GVirConnection *connection = pvm_vm_open_connection (task_data, cancellable, &error);

  if (connection != NULL)
    g_task_return_pointer (task, connection, g_object_unref);
  else
    g_task_return_error (task, error);
}

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LaunchData *data = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(GVirConnection) connection = g_task_propagate_pointer (G_TASK (result), &error);

  if (connection == NULL)
    {
      fail (task, error);
      return;
    }

  g_clear_object (&data->launcher);
  data->launcher = pvm_launcher_new (connection, data->config);
  pvm_launcher_launch_async (data->launcher, data->part, g_task_get_cancellable (task),
                             launched_cb, g_object_ref (task));
}

static int
compare_vm_index (gconstpointer a,
                  gconstpointer b)
{
  const PvmVmPlan *plan_a = pvm_vm_get_plan (*(PvmVm **) a);
  const PvmVmPlan *plan_b = pvm_vm_get_plan (*(PvmVm **) b);

  return (int) plan_a->index - (int) plan_b->index;
}

static void
launch_next (GTask *task)
{
  LaunchData *data = g_task_get_task_data (task);
  const PvmHostEntry *host;
  g_autoptr(GTask) open = NULL;

  if (data->next == data->hosts->len)
    {
      g_ptr_array_sort (data->vms, compare_vm_index);
      g_task_return_pointer (task, g_ptr_array_ref (data->vms),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  host = g_ptr_array_index (data->hosts, data->next++);
  g_clear_pointer (&data->part, pvm_plan_free);
  data->part = g_new0 (PvmPlan, 1);
  data->part->vms = g_ptr_array_new ();
  data->part->problems = g_ptr_array_new ();
  for (guint i = 0; i < data->plan->vms->len; i++)
    if (g_ptr_array_index (data->placement, i) == host)
      g_ptr_array_add (data->part->vms, g_ptr_array_index (data->plan->vms, i));

  /* Opening a connection runs ssh for a remote host: not here. */
  open = g_task_new (NULL, g_task_get_cancellable (task), opened_cb, g_object_ref (task));
  g_task_set_source_tag (open, launch_next);
  g_task_set_task_data (open, g_strdup (host->uri), g_free);
  g_task_run_in_thread (open, open_thread);
}

/**
 * pvm_launch_on_hosts_async:
 * @config: the configuration the plan was made from (LIBVIRT_URI, and
 *   what #PvmLauncher reads)
 * @plan: a plan without problems (pvm_plan_check()); it must stay alive
 *   until @callback runs
 * @placement: (element-type PvmHostEntry) (nullable): the host of each VM
 *   of @plan, in its order (pvm_hosts_find()); %NULL places them all on
 *   `local` (LIBVIRT_URI)
 * @cancellable: (nullable): a #GCancellable, honoured until the VMs start
 * @callback: called when every VM runs, or none does
 * @user_data: data for @callback
 *
 * Launches @plan, each VM on its host: the VMs of one host by one
 * #PvmLauncher (all or none), host after host in the order they are first
 * named. When the VMs of a host cannot start (or the launch is cancelled,
 * or a host cannot be reached), the VMs already started on the hosts
 * before are stopped and removed (never their images): nothing runs. With
 * more than one host, the error and the warnings start with the host's
 * name.
 */
void
pvm_launch_on_hosts_async (PvmConfig           *config,
                           PvmPlan             *plan,
                           GPtrArray           *placement,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LaunchData *data;

  g_return_if_fail (PVM_IS_CONFIG (config));
  g_return_if_fail (plan != NULL);
  g_return_if_fail (placement == NULL || placement->len == plan->vms->len);

  data = g_new0 (LaunchData, 1);
  data->config = g_object_ref (config);
  data->plan = plan;
  data->placement = g_ptr_array_new ();
  data->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_host_entry_free);
  data->vms = g_ptr_array_new_with_free_func (g_object_unref);
  data->warnings = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  data->undone = g_string_new (NULL);
  data->not_undone = g_string_new (NULL);

  /* One entry per host, in the order first named; placement points to them. */
  for (guint i = 0; i < plan->vms->len; i++)
    {
      const PvmHostEntry *wanted = placement != NULL ? g_ptr_array_index (placement, i) : NULL;
      PvmHostEntry *entry = NULL;

      for (guint h = 0; h < data->hosts->len && entry == NULL; h++)
        if (wanted == NULL ||
            g_str_equal (((PvmHostEntry *) g_ptr_array_index (data->hosts, h))->name, wanted->name))
          entry = g_ptr_array_index (data->hosts, h);
      if (entry == NULL && wanted != NULL)
        entry = pvm_host_entry_copy (wanted);
      else if (entry == NULL)
        {
          entry = g_new0 (PvmHostEntry, 1);
          entry->name = g_strdup (PVM_HOSTS_LOCAL);
          entry->uri = g_strdup (pvm_config_get_string (config, "LIBVIRT_URI"));
        }
      if (!g_ptr_array_find (data->hosts, entry, NULL))
        g_ptr_array_add (data->hosts, entry);
      g_ptr_array_add (data->placement, entry);
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_launch_on_hosts_async);
  g_task_set_task_data (task, data, (GDestroyNotify) launch_data_free);
  /* Once the VMs run, the launch has succeeded, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  launch_next (task);
}

/**
 * pvm_launch_on_hosts_finish:
 * @result: the #GAsyncResult
 * @warnings: (out) (optional) (transfer full): what the launch warned
 *   about (KVM not usable, ...), also when it failed
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (element-type PvmVm) (nullable): the VMs, each
 *   running, in the order of the plan; %NULL when none runs
 */
GPtrArray *
pvm_launch_on_hosts_finish (GAsyncResult   *result,
                            char         ***warnings,
                            GError        **error)
{
  LaunchData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pvm_launch_on_hosts_async,
                        NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (warnings != NULL)
    *warnings = g_strdupv ((char **) data->warnings->pdata);
  return g_task_propagate_pointer (G_TASK (result), error);
}
