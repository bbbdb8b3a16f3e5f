/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-installation-base.c: after the installation: the install VM's
 * definition removed, the snapshots that make the image a protected base,
 * and their launch. */

#define G_LOG_DOMAIN "pvm-installation"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-installation-private.h"

/* ------------------------------------------------------------------ */
/* Make base: the snapshots                                           */

/**
 * pvm_installation_dup_snapshot_names:
 * @base: the base's name
 * @n: how many
 *
 * Returns: (transfer full): "BASE-1" to "BASE-N"
 */
GStrv
pvm_installation_dup_snapshot_names (const char *base,
                                     guint       n)
{
  GStrv names = g_new0 (char *, n + 1);

  g_return_val_if_fail (base != NULL, NULL);

  for (guint i = 0; i < n; i++)
    names[i] = g_strdup_printf ("%s-%u", base, i + 1);
  return names;
}

static char *
dup_stem (const char *name)
{
  return g_str_has_suffix (name, ".qcow2") ? g_strndup (name, strlen (name) - 6)
                                           : g_strdup (name);
}

/**
 * pvm_installation_check_snapshot_names:
 * @self: an installation
 * @names: the snapshots' names
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @names are at least one valid image name, all
 *   different, none the base's and none an existing image's
 */
gboolean
pvm_installation_check_snapshot_names (PvmInstallation     *self,
                                       const char * const  *names,
                                       GError             **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_return_val_if_fail (PVM_IS_INSTALLATION (self), FALSE);
  g_return_val_if_fail (names != NULL, FALSE);

  if (names[0] == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "A base needs at least one snapshot: give it a name");
      return FALSE;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *stem = dup_stem (names[i]);
      g_autofree char *existing = NULL;

      if (!pvm_image_check_name (names[i], error))
        return FALSE;
      if (g_str_equal (stem, self->name))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                       "The snapshot \"%s\" would have the base's name: choose another one",
                       names[i]);
          return FALSE;
        }
      if (!g_hash_table_add (seen, g_steal_pointer (&stem)))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                       "The snapshot name \"%s\" is given twice: each needs its own", names[i]);
          return FALSE;
        }
      if (_pvm_installation_image_exists (self, names[i], &existing))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                       "An image named \"%s\" already exists (%s): choose another name",
                       names[i], existing);
          return FALSE;
        }
    }
  return TRUE;
}

/* In a thread: the base's mode, for a rollback. */
static void
base_prepare_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  PvmInstallation *self = source_object;
  PvmInstallationOp *op = task_data;
  struct stat st;

  if (g_stat (self->image->path, &st) == 0)
    {
      op->base_mode = st.st_mode & 07777;
      op->base_mode_known = TRUE;
    }
  g_task_return_boolean (task, TRUE);
}

static void
snapshot_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PvmInstallation *self = source_object;
  PvmInstallationOp *op = task_data;
  g_autofree char *note = NULL;
  GError *error = NULL;

  op->image = pvm_image_repo_snapshot (self->repo, self->name, op->names[op->next], &note,
                                       cancellable, &error);
  if (op->image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* In a thread: the snapshots of a failed make base go, and the base is
 * as it was. */
static void
base_rollback_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PvmInstallation *self = source_object;
  PvmInstallationOp *op = task_data;

  for (guint i = op->made->len; i > 0; i--)
    {
      PvmImage *image = g_ptr_array_index (op->made, i - 1);
      g_autoptr(GError) error = NULL;

      if (!pvm_image_repo_delete (self->repo, image->name, NULL, &error))
        g_string_append_printf (op->undone, " The snapshot %s could not be deleted (%s).",
                                image->name, error->message);
    }
  /* pVM made the base read-only for its first overlay; none is left. */
  if (op->base_mode_known && op->made->len > 0)
    g_chmod (self->image->path, op->base_mode);
  g_task_return_boolean (task, TRUE);
}

static void snapshot_next (GTask *task);

static void
base_rollback_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  PvmInstallation *self = PVM_INSTALLATION (object);
  g_autoptr(GTask) task = user_data;
  PvmInstallationOp *op = g_task_get_task_data (task);
  GError *error = g_object_steal_data (G_OBJECT (result), "pvm-error");
  g_autofree char *message = NULL;

  message = g_strdup_printf ("%s%s%s No snapshot was left; %s keeps the installed system: "
                             "try again.", error->message,
                             g_str_has_suffix (error->message, ".") ? "" : ".",
                             op->undone->str, self->name);
  g_free (error->message);
  error->message = g_strdup (message);
  self->busy = FALSE;
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_INSTALLED, 0.0, message);
  g_task_return_error (task, error);
}

static void
base_fail (GTask  *task,
           GError *error)
{
  PvmInstallation *self = g_task_get_source_object (task);
  g_autoptr(GTask) rollback = g_task_new (self, NULL, base_rollback_done_cb, g_object_ref (task));

  g_task_set_task_data (rollback, g_task_get_task_data (task), NULL);
  g_object_set_data_full (G_OBJECT (rollback), "pvm-error", error, (GDestroyNotify) g_error_free);
  g_task_run_in_thread (rollback, base_rollback_thread);
}

static void
snapshot_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallationOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      base_fail (task, error);
      return;
    }
  g_ptr_array_add (op->made, g_steal_pointer (&op->image));
  op->next++;
  snapshot_next (g_steal_pointer (&task));
}

/* Makes the next snapshot, or ends @task (taken) after the last. */
static void
snapshot_next (GTask *task)
{
  PvmInstallation *self = g_task_get_source_object (task);
  PvmInstallationOp *op = g_task_get_task_data (task);
  guint n = g_strv_length (op->names);
  g_autoptr(GTask) thread_task = NULL;
  g_autofree char *message = NULL;

  if (op->next == n)
    {
      g_autoptr(GTask) owned = task;

      for (guint i = 0; i < op->made->len; i++)
        g_ptr_array_add (self->snapshots, pvm_image_ref (g_ptr_array_index (op->made, i)));
      /* The base as it is now: protected, with its overlays. */
      {
        g_autoptr(PvmImage) base = pvm_image_repo_info (self->repo, self->name, NULL);

        if (base != NULL)
          {
            g_clear_pointer (&self->image, pvm_image_unref);
            self->image = g_steal_pointer (&base);
          }
      }
      self->busy = FALSE;
      message = g_strdup_printf ("%s is a protected base with %u snapshot%s", self->name, n,
                                 n == 1 ? "" : "s");
      _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_BASE_MADE, 1.0, message);
      g_task_return_pointer (owned, g_ptr_array_ref (op->made), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      base_fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                    "Making the snapshots was cancelled."));
      return;
    }

  message = g_strdup_printf ("Creating the snapshot %s (%u of %u)", op->names[op->next],
                             op->next + 1, n);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_MAKING_BASE, (double) op->next / n,
                                  message);
  thread_task = g_task_new (self, g_task_get_cancellable (task), snapshot_done_cb, task);
  g_task_set_task_data (thread_task, op, NULL);
  g_task_run_in_thread (thread_task, snapshot_thread);
}

static void
base_prepared_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  g_task_propagate_boolean (G_TASK (result), NULL);
  snapshot_next (g_steal_pointer (&task));
}

/**
 * pvm_installation_make_base_async:
 * @self: an installation whose guest has powered off
 * @names: the snapshots' names (pvm_installation_check_snapshot_names())
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when all snapshots exist, or none
 * @user_data: data for @callback
 *
 * Removes the install VM's definition (the image must never boot again),
 * then creates the snapshots one by one: the first makes the image a
 * protected, read-only base. If one fails, those made are deleted and the
 * base is as it was: the installed image is always kept.
 */
void
pvm_installation_make_base_async (PvmInstallation     *self,
                                  const char * const  *names,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  g_autofree char *message = NULL;
  GError *error = NULL;
  PvmInstallationOp *op;

  g_return_if_fail (PVM_IS_INSTALLATION (self));
  g_return_if_fail (names != NULL);

  task = _pvm_installation_op_task_new (self, pvm_installation_make_base_async, cancellable,
                                        callback, user_data);
  if (self->step != PVM_INSTALLATION_STEP_INSTALLED || self->busy || self->image == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "%s is not installed yet: wait until its VM powers off",
                               self->name);
      return;
    }
  if (self->vm != NULL && pvm_vm_is_active (self->vm))
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "The VM %s runs: stop it first (pvm stop %s)", self->name,
                               self->name);
      return;
    }
  if (!pvm_installation_check_snapshot_names (self, names, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The install VM's definition goes: its image becomes a base that no
   * VM may boot. */
  if (self->vm != NULL && !pvm_vm_delete (self->vm, &error))
    {
      g_prefix_error (&error, "Cannot make %s a base: ", self->name);
      g_task_return_error (task, error);
      return;
    }
  _pvm_installation_set_vm (self, NULL);
  self->made_vm = FALSE;

  self->busy = TRUE;
  op = g_task_get_task_data (task);
  op->names = g_strdupv ((char **) names);
  op->made = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_image_unref);
  message = g_strdup_printf ("Making %s a base", self->name);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_MAKING_BASE, 0.0, message);

  thread_task = g_task_new (self, cancellable, base_prepared_cb, g_object_ref (task));
  g_task_set_task_data (thread_task, op, NULL);
  g_task_run_in_thread (thread_task, base_prepare_thread);
}

/**
 * pvm_installation_make_base_finish:
 * @self: an installation
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type PvmImage): the snapshots, or
 *   %NULL
 */
GPtrArray *
pvm_installation_make_base_finish (PvmInstallation  *self,
                                   GAsyncResult     *result,
                                   GError          **error)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Launch: the snapshots                                              */

static void
launch_launched_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallation *self = g_task_get_source_object (task);
  GPtrArray *vms;
  GError *error = NULL;
  g_autofree char *message = NULL;

  vms = pvm_launcher_launch_finish (PVM_LAUNCHER (object), result, &error);
  _pvm_installation_add_warnings (self, pvm_launcher_get_warnings (PVM_LAUNCHER (object)));
  self->busy = FALSE;
  if (vms == NULL)
    {
      _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_BASE_MADE, 0.0, error->message);
      g_task_return_error (task, error);
      return;
    }
  message = g_strdup_printf ("%u VM%s launched on the snapshots of %s", vms->len,
                             vms->len == 1 ? "" : "s", self->name);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_LAUNCHED, 1.0, message);
  g_task_return_pointer (task, vms, (GDestroyNotify) g_ptr_array_unref);
}

static void
launch_planned_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PvmInstallation *self = PVM_INSTALLATION (object);
  g_autoptr(GTask) task = user_data;
  PvmInstallationOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->busy = FALSE;
      _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_BASE_MADE, 0.0, error->message);
      g_task_return_error (task, error);
      return;
    }
  op->launcher = pvm_launcher_new (self->connection, op->config);
  pvm_launcher_launch_async (op->launcher, op->plan, g_task_get_cancellable (task),
                             launch_launched_cb, g_object_ref (task));
}

/**
 * pvm_installation_launch_async:
 * @self: an installation whose base has its snapshots
 * @cancellable: (nullable): a #GCancellable, honoured until the VMs start
 * @callback: called when every snapshot runs, or none does
 * @user_data: data for @callback
 *
 * Launches a VM on each snapshot, with the installation's memory and
 * vCPUs, no input and no output: as "pvm -d SNAPSHOT,... -m MEM -c CORES".
 */
void
pvm_installation_launch_async (PvmInstallation     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;
  g_autoptr(GPtrArray) drives = g_ptr_array_new_null_terminated (0, NULL, TRUE);
  g_autofree char *message = NULL;
  GError *error = NULL;
  PvmInstallationOp *op;

  g_return_if_fail (PVM_IS_INSTALLATION (self));

  task = _pvm_installation_op_task_new (self, pvm_installation_launch_async, cancellable, callback,
                                        user_data);
  if (self->step != PVM_INSTALLATION_STEP_BASE_MADE || self->busy || self->connection == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "%s has no snapshots to launch yet", self->name);
      return;
    }

  for (guint i = 0; i < self->snapshots->len; i++)
    g_ptr_array_add (drives, ((PvmImage *) g_ptr_array_index (self->snapshots, i))->name);
  op = g_task_get_task_data (task);
  op->config = _pvm_installation_dup_launch_config (self, (const char * const *) drives->pdata,
                                                    FALSE, &error);
  if (op->config == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  self->busy = TRUE;
  message = g_strdup_printf ("Launching the snapshots of %s", self->name);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_LAUNCHING, 0.0, message);
  thread_task = g_task_new (self, cancellable, launch_planned_cb, g_object_ref (task));
  g_task_set_task_data (thread_task, op, NULL);
  g_task_run_in_thread (thread_task, _pvm_installation_plan_thread);
}

/**
 * pvm_installation_launch_finish:
 * @self: an installation
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type PvmVm): the running VMs, or
 *   %NULL
 */
GPtrArray *
pvm_installation_launch_finish (PvmInstallation  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
