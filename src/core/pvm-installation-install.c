/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-installation-install.c: the installation itself: the blank image and
 * the VM in install mode (start), or those of an earlier one (attach), the
 * wait for the guest's power-off, the user's stop, and undoing what a
 * failed or stopped step made. */

#define G_LOG_DOMAIN "pvm-installation"

#include "config.h"

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-installation-private.h"
#include "pvm-size.h"

/* ------------------------------------------------------------------ */
/* Undoing                                                            */

/* In a thread: what a failed or stopped installation leaves behind goes,
 * as far as this object made it: the VM is turned off (its definition is
 * removed on the main context, by finish_undo()), the image deleted
 * unless @keep_image. Appends to @undone what it did, or could not do. */
static void
undo (PvmInstallation *self,
      PvmVm           *vm,
      gboolean         keep_image,
      GString         *undone)
{
  g_autoptr(GError) error = NULL;

  if (vm != NULL && self->made_vm)
    {
      GVirDomain *domain = pvm_vm_get_domain (vm);

      if (gvir_domain_get_id (domain, NULL) >= 0 && !gvir_domain_stop (domain, 0, &error))
        g_string_append_printf (undone, " The VM %s could not be stopped (%s): stop it with "
                                "pvm stop --force %s.", pvm_vm_get_name (vm), error->message,
                                pvm_vm_get_name (vm));
      g_clear_error (&error);
    }

  if (!self->made_image)
    return;
  if (keep_image)
    g_string_append_printf (undone, " The image %s was kept, with what was written on it "
                            "(pvm image delete %s deletes it).", self->name, self->name);
  else if (!pvm_image_repo_delete (self->repo, self->name, NULL, &error))
    g_string_append_printf (undone, " The image %s could not be deleted (%s): delete it with "
                            "pvm image delete %s.", self->name, error->message, self->name);
  else
    g_string_append_printf (undone, " The image %s was deleted.", self->name);
}

static void
undo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PvmInstallation *self = source_object;
  PvmInstallationOp *op = task_data;

  undo (self, op->vm, op->keep_image, op->undone);
  g_task_return_boolean (task, TRUE);
}

/* On the main context, after undo(): the VM's definition goes (PvmVm
 * notifies its state), and @self forgets what no longer exists. Returns
 * what was undone, for the message. */
static char *
finish_undo (PvmInstallation *self,
             PvmInstallationOp              *op)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (op->vm != NULL && self->made_vm)
    {
      g_autoptr(GError) error = NULL;

      if (pvm_vm_delete (op->vm, &error))
        g_string_append_printf (text, " The VM %s was stopped and removed.",
                                pvm_vm_get_name (op->vm));
      else
        g_string_append_printf (text, " The VM %s could not be removed (%s): remove it with "
                                "pvm delete %s.", pvm_vm_get_name (op->vm), error->message,
                                pvm_vm_get_name (op->vm));
      _pvm_installation_set_vm (self, NULL);
    }
  self->made_vm = FALSE;
  if (self->made_image && !op->keep_image)
    {
      g_clear_pointer (&self->image, pvm_image_unref);
      self->made_image = FALSE;
    }
  g_string_append (text, op->undone->str);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Ends @task with @error (taken), after undoing what @self made. */
static void fail_done_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data);

static void
fail (GTask  *task,
      GError *error)
{
  PvmInstallation *self = g_task_get_source_object (task);
  GTask *undo_task = g_task_new (self, NULL, fail_done_cb, g_object_ref (task));
  PvmInstallationOp *op = g_new0 (PvmInstallationOp, 1);

  op->undone = g_string_new (NULL);
  op->vm = self->vm != NULL ? g_object_ref (self->vm) : NULL;
  op->keep_image = self->keep_on_failure;
  g_task_set_task_data (undo_task, op, (GDestroyNotify) _pvm_installation_op_free);
  g_object_set_data_full (G_OBJECT (undo_task), "pvm-error", error, (GDestroyNotify) g_error_free);
  g_task_run_in_thread (undo_task, undo_thread);
  g_object_unref (undo_task);
}

static void
fail_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvmInstallation *self = PVM_INSTALLATION (object);
  g_autoptr(GTask) task = user_data;
  PvmInstallationOp *op = g_task_get_task_data (G_TASK (result));
  GError *error = g_object_steal_data (G_OBJECT (result), "pvm-error");
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_autofree char *undone = finish_undo (self, op);
  char *message = g_strconcat (error->message, g_str_has_suffix (error->message, ".") ? "" : ".",
                              *undone != '\0' ? undone : " Nothing was made.", NULL);

  g_free (error->message);
  error->message = message;
  self->busy = FALSE;
  _pvm_installation_set_progress (self,
                                  cancelled ? PVM_INSTALLATION_STEP_STOPPED
                                            : PVM_INSTALLATION_STEP_FAILED,
                                  0.0, error->message);
  g_task_return_error (task, error);
}

/* ------------------------------------------------------------------ */
/* Start: the blank image, the install VM                             */

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PvmInstallation *self = source_object;
  PvmInstallationOp *op = task_data;
  GError *error = NULL;

  /* libvirt first: without it, no image is worth making. */
  if (self->connection == NULL)
    {
      GVirConnection *connection = _pvm_installation_open_connection (self, cancellable, &error);

      if (connection == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_object_set_data_full (G_OBJECT (task), "pvm-connection", connection, g_object_unref);
    }

  op->image = pvm_image_repo_create (self->repo, self->name, self->disk_size, cancellable,
                                     &error);
  if (op->image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
start_launched_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallation *self = g_task_get_source_object (task);
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  vms = pvm_launcher_launch_finish (PVM_LAUNCHER (object), result, &error);
  _pvm_installation_add_warnings (self, pvm_launcher_get_warnings (PVM_LAUNCHER (object)));
  if (vms == NULL)
    {
      g_prefix_error (&error, "The VM did not start in install mode: ");
      fail (task, g_steal_pointer (&error));
      return;
    }

  self->made_vm = TRUE;
  _pvm_installation_set_vm (self, g_ptr_array_index (vms, 0));
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The installation of %s was cancelled.", self->name));
      return;
    }

  self->busy = FALSE;
  message = g_strdup_printf ("The VM %s runs the installer from %s: install the system on its "
                             "console; the installation is over when the VM powers off",
                             self->name, self->iso);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_INSTALLING, 0.0, message);
  g_task_return_boolean (task, TRUE);
}

static void
start_planned_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallation *self = g_task_get_source_object (task);
  PvmInstallationOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_prefix_error (&error, "The install VM's launch has problems: ");
      fail (task, error);
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The installation of %s was cancelled.", self->name));
      return;
    }

  op->launcher = pvm_launcher_new (self->connection, op->config);
  pvm_launcher_launch_async (op->launcher, op->plan, g_task_get_cancellable (task),
                             start_launched_cb, g_object_ref (task));
}

static void
start_created_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallation *self = g_task_get_source_object (task);
  PvmInstallationOp *op = g_task_get_task_data (task);
  GVirConnection *connection = g_object_get_data (G_OBJECT (result), "pvm-connection");
  const char * const drives[] = { self->name, NULL };
  g_autoptr(GTask) plan_task = NULL;
  g_autofree char *message = NULL;
  GError *error = NULL;

  if (connection != NULL)
    g_set_object (&self->connection, connection);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail (task, error);
      return;
    }

  self->image = pvm_image_ref (op->image);
  self->made_image = TRUE;
  self->blank_usage = op->image->disk_usage;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      fail (task, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The installation of %s was cancelled.", self->name));
      return;
    }

  op->config = _pvm_installation_dup_launch_config (self, drives, TRUE, &error);
  if (op->config == NULL)
    {
      fail (task, error);
      return;
    }

  message = g_strdup_printf ("Starting the VM %s in install mode", self->name);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_STARTING, 0.0, message);
  plan_task = g_task_new (self, g_task_get_cancellable (task), start_planned_cb,
                          g_object_ref (task));
  g_task_set_task_data (plan_task, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (plan_task, _pvm_installation_plan_thread);
}

/**
 * pvm_installation_start_async:
 * @self: an installation, not started
 * @cancellable: (nullable): cancels the start; once the VM runs, it is
 *   stopped and removed, and the image deleted
 * @callback: called when the VM runs the installer, or nothing was left
 * @user_data: data for @callback
 *
 * Checks (pvm_installation_check()), opens libvirt, creates the blank
 * image, then launches the VM in install mode: the ISO as a CD-ROM it
 * boots first, the image as its disk, the install share (the install
 * scripts, the user's SSH key). On failure the image is deleted (unless
 * keep-on-failure) and no VM is left defined.
 */
void
pvm_installation_start_async (PvmInstallation     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) create_task = NULL;
  g_autofree char *size = NULL;
  g_autofree char *message = NULL;
  GError *error = NULL;

  g_return_if_fail (PVM_IS_INSTALLATION (self));

  task = _pvm_installation_op_task_new (self, pvm_installation_start_async, cancellable, callback,
                                        user_data);
  if (self->step != PVM_INSTALLATION_STEP_READY || self->busy)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "The installation of %s has started already", self->name);
      return;
    }
  if (!pvm_installation_check (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  self->busy = TRUE;
  size = pvm_size_format (self->disk_size);
  message = g_strdup_printf ("Creating the blank image %s (%s)", self->name, size);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_CREATING_IMAGE, 0.0, message);

  create_task = g_task_new (self, cancellable, start_created_cb, g_object_ref (task));
  g_task_set_task_data (create_task, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (create_task, create_thread);
}

gboolean
pvm_installation_start_finish (PvmInstallation  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Attach: an installation started earlier                            */

static void
attach_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PvmInstallation *self = source_object;
  PvmInstallationOp *op = task_data;
  GVirConnection *connection = self->connection;
  g_autoptr(GError) local_error = NULL;
  GError *error = NULL;

  if ((op->image = pvm_image_repo_info (self->repo, self->name, &error)) == NULL)
    {
      g_prefix_error (&error, "Nothing to continue: ");
      g_task_return_error (task, error);
      return;
    }
  if (op->image->is_protected)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_IMAGE_HAS_OVERLAYS,
                               "The image %s is a base with snapshots already: its installation "
                               "is over", self->name);
      return;
    }
  if (connection == NULL)
    {
      if ((connection = _pvm_installation_open_connection (self, cancellable, &error)) == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_object_set_data_full (G_OBJECT (task), "pvm-connection", connection, g_object_unref);
    }
  /* No VM: it was removed, or never there; the image is what counts. */
  op->vm = pvm_vm_find (connection, self->name, &local_error);
  g_task_return_boolean (task, TRUE);
}

static void
attach_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallation *self = g_task_get_source_object (task);
  PvmInstallationOp *op = g_task_get_task_data (task);
  GVirConnection *connection = g_object_get_data (G_OBJECT (result), "pvm-connection");
  g_autofree char *message = NULL;
  GError *error = NULL;

  self->busy = FALSE;
  if (connection != NULL)
    g_set_object (&self->connection, connection);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_READY, 0.0, error->message);
      g_task_return_error (task, error);
      return;
    }

  self->image = pvm_image_ref (op->image);
  self->disk_size = op->image->virtual_size;
  if (op->vm != NULL)
    {
      const PvmVmPlan *plan = pvm_vm_get_plan (op->vm);

      self->memory = plan->memory_bytes;
      self->cores = plan->cores;
      _pvm_installation_set_vm (self, op->vm);
    }

  if (op->vm != NULL && pvm_vm_is_active (op->vm))
    {
      message = g_strdup_printf ("The VM %s runs the installer: the installation is over when "
                                 "the VM powers off", self->name);
      _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_INSTALLING, 0.0, message);
    }
  else
    {
      message = g_strdup_printf ("The VM %s is off: %s holds what was installed", self->name,
                                 op->image->path);
      _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_INSTALLED, 0.0, message);
    }
  g_task_return_boolean (task, TRUE);
}

/**
 * pvm_installation_attach_async:
 * @self: an installation, not started
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when found
 * @user_data: data for @callback
 *
 * Takes up an installation started earlier ("pvm install" stopped
 * waiting): the image of that name, and its VM if it is still defined.
 * The step becomes INSTALLING if the VM runs, INSTALLED otherwise. What
 * was found is never deleted when a later step fails.
 */
void
pvm_installation_attach_async (PvmInstallation     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) thread_task = NULL;

  g_return_if_fail (PVM_IS_INSTALLATION (self));

  task = _pvm_installation_op_task_new (self, pvm_installation_attach_async, cancellable, callback,
                                        user_data);
  if (self->step != PVM_INSTALLATION_STEP_READY || self->busy)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "The installation of %s has started already", self->name);
      return;
    }

  self->busy = TRUE;
  thread_task = g_task_new (self, cancellable, attach_done_cb, g_object_ref (task));
  g_task_set_task_data (thread_task, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (thread_task, attach_thread);
}

gboolean
pvm_installation_attach_finish (PvmInstallation  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Wait: until the guest powers off                                   */

static void
reread_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PvmInstallation *self = source_object;
  PvmInstallationOp *op = task_data;
  GError *error = NULL;

  op->image = pvm_image_repo_info (self->repo, self->name, &error);
  if (op->image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
wait_reread_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallation *self = g_task_get_source_object (task);
  PvmInstallationOp *op = g_task_get_task_data (task);
  g_autofree char *message = NULL;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_prefix_error (&error, "The VM %s powered off, but its image cannot be read: ",
                      self->name);
      fail (task, error);
      return;
    }

  g_clear_pointer (&self->image, pvm_image_unref);
  self->image = pvm_image_ref (op->image);
  if (self->made_image && op->image->disk_usage < self->blank_usage + WRITTEN_THRESHOLD)
    {
      fail (task, g_error_new (PVM_ERROR, PVM_ERROR_FAILED,
                               "The VM %s powered off without writing to its disk: nothing was "
                               "installed (did the installer fail? its messages were on the "
                               "VM's console).", self->name));
      return;
    }

  self->busy = FALSE;
  message = g_strdup_printf ("The VM %s powered off: %s holds the installed system",
                             self->name, op->image->path);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_INSTALLED, 1.0, message);
  g_task_return_boolean (task, TRUE);
}

static void
wait_stopped_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PvmInstallation *self = g_task_get_source_object (task);
  g_autoptr(GTask) reread_task = NULL;
  GError *error = NULL;

  if (!pvm_vm_wait_stopped_finish (PVM_VM (object), result, &error))
    {
      /* Only waiting stops: the VM goes on installing. */
      self->busy = FALSE;
      g_task_return_error (task, error);
      return;
    }
  if (self->stopping || self->step == PVM_INSTALLATION_STEP_STOPPED ||
      self->step == PVM_INSTALLATION_STEP_FAILED)
    {
      self->busy = FALSE;
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "The installation of %s was stopped", self->name);
      return;
    }

  reread_task = g_task_new (self, NULL, wait_reread_cb, g_object_ref (task));
  g_task_set_task_data (reread_task, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (reread_task, reread_thread);
}

/**
 * pvm_installation_wait_async:
 * @self: an installation whose VM runs the installer
 * @cancellable: (nullable): stops waiting, and only that: the VM goes on
 * @callback: called when the guest has powered off
 * @user_data: data for @callback
 *
 * Waits, however long it takes, until the install VM powers off, then
 * checks that its disk was written. A disk left blank is a failed
 * installation: the VM is removed, and the image too unless
 * keep-on-failure.
 */
void
pvm_installation_wait_async (PvmInstallation     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_INSTALLATION (self));

  task = _pvm_installation_op_task_new (self, pvm_installation_wait_async, cancellable, callback,
                                        user_data);
  if (self->step == PVM_INSTALLATION_STEP_INSTALLED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->step != PVM_INSTALLATION_STEP_INSTALLING || self->busy || self->vm == NULL)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "The VM %s is not installing", self->name);
      return;
    }

  self->busy = TRUE;
  pvm_vm_wait_stopped_async (self->vm, cancellable, wait_stopped_cb, g_object_ref (task));
}

gboolean
pvm_installation_wait_finish (PvmInstallation  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Stop: on the user's request                                        */

static void
stop_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PvmInstallation *self = PVM_INSTALLATION (object);
  g_autoptr(GTask) task = user_data;
  PvmInstallationOp *op = g_task_get_task_data (task);
  g_autofree char *undone = NULL;
  g_autofree char *message = NULL;

  g_task_propagate_boolean (G_TASK (result), NULL);
  undone = finish_undo (self, op);
  self->stopping = FALSE;
  message = g_strdup_printf ("The installation of %s was stopped.%s", self->name, undone);
  _pvm_installation_set_progress (self, PVM_INSTALLATION_STEP_STOPPED, 0.0, message);
  g_task_return_boolean (task, TRUE);
}

/**
 * pvm_installation_stop_async:
 * @self: an installation whose VM runs the installer (or has powered off)
 * @keep_image: keep the image, with what the installer wrote so far
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Stops the installation: the VM is turned off at once and its definition
 * removed, and the image deleted unless @keep_image. A wait under way
 * ends with %G_IO_ERROR_CANCELLED. The message says what was done.
 */
void
pvm_installation_stop_async (PvmInstallation     *self,
                             gboolean             keep_image,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) undo_task = NULL;
  PvmInstallationOp *op;

  g_return_if_fail (PVM_IS_INSTALLATION (self));

  task = _pvm_installation_op_task_new (self, pvm_installation_stop_async, cancellable, callback,
                                        user_data);
  if ((self->step != PVM_INSTALLATION_STEP_INSTALLING &&
       self->step != PVM_INSTALLATION_STEP_INSTALLED) || self->stopping)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "The installation of %s cannot be stopped now", self->name);
      return;
    }

  self->stopping = TRUE;
  op = g_task_get_task_data (task);
  op->vm = self->vm != NULL ? g_object_ref (self->vm) : NULL;
  op->keep_image = keep_image;
  undo_task = g_task_new (self, NULL, stop_done_cb, g_object_ref (task));
  g_task_set_task_data (undo_task, op, NULL);
  g_task_run_in_thread (undo_task, undo_thread);
}

gboolean
pvm_installation_stop_finish (PvmInstallation  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
