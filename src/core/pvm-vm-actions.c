/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-vm-actions.c: what is done to a PvmVm: stopping it (the power button,
 * then force off), waiting for it to power off, saving and resuming it,
 * starting it again, deleting it, and opening its console. */

#define G_LOG_DOMAIN "pvm-vm"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-autocleanups.h"
#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-hosts.h"
#include "pvm-install.h"
#include "pvm-network.h"
#include "pvm-repo-private.h"
#include "pvm-domain-private.h"
#include "pvm-vm-private.h"

/* How often a graceful stop presses the power button while it waits. */
#define PRESS_AGAIN_SECONDS 5

/* ------------------------------------------------------------------ */
/* Stopping                                                           */

typedef struct
{
  gulong         stopped_id;
  guint          timeout_id;
  guint          repress_id;
  gulong         cancelled_id;
  guint          cancel_idle_id;
  gboolean       forced;
  gboolean       destroying;
  gboolean       done;
  gboolean       holds_ref;     /* a reference to the task while it waits */
} StopData;

static void
stop_data_free (StopData *data)
{
  g_assert (data->stopped_id == 0 && data->timeout_id == 0 && data->repress_id == 0 &&
            data->cancelled_id == 0 && data->cancel_idle_id == 0);
  g_free (data);
}

/* Disconnects everything that waits; the task then completes, once. */
static void
stop_disarm (GTask *task)
{
  PvmVm *self = g_task_get_source_object (task);
  StopData *data = g_task_get_task_data (task);

  g_clear_signal_handler (&data->stopped_id, self);
  g_clear_handle_id (&data->timeout_id, g_source_remove);
  g_clear_handle_id (&data->repress_id, g_source_remove);
  g_clear_handle_id (&data->cancel_idle_id, g_source_remove);
  if (data->cancelled_id != 0)
    {
      g_cancellable_disconnect (g_task_get_cancellable (task), data->cancelled_id);
      data->cancelled_id = 0;
    }
}

/* Takes @error. */
static void
stop_complete (GTask  *task,
               GError *error)
{
  StopData *data = g_task_get_task_data (task);

  g_assert (!data->done);
  data->done = TRUE;
  stop_disarm (task);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  if (data->holds_ref)
    {
      data->holds_ref = FALSE;
      g_object_unref (task);
    }
}

static gboolean
is_active_now (PvmVm *self)
{
  PvmVmState state = _pvm_vm_query_state (self->domain, NULL);

  return state == PVM_VM_STATE_RUNNING || state == PVM_VM_STATE_PAUSED;
}

static void
destroy_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PvmVm *self = source_object;
  g_autoptr(GError) error = NULL;

  /* A failure after the VM stopped by itself meanwhile is no failure. */
  if (gvir_domain_stop (self->domain, 0, &error) || !is_active_now (self))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot force %s off: %s",
                             self->domain_name, error->message);
}

static void
destroy_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StopData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->forced = TRUE;
  g_task_propagate_boolean (G_TASK (result), &error);
  stop_complete (task, error);
}

/* Force off, in a thread: QEMU may take seconds to die. From here on the
 * task waits for nothing else. */
static void
stop_destroy (GTask *task)
{
  PvmVm *self = g_task_get_source_object (task);
  StopData *data = g_task_get_task_data (task);
  g_autoptr(GTask) destroy = NULL;

  stop_disarm (task);
  data->destroying = TRUE;
  destroy = g_task_new (self, NULL, destroy_done_cb, g_object_ref (task));
  g_task_set_source_tag (destroy, stop_destroy);
  g_task_run_in_thread (destroy, destroy_thread);
}

static void
stop_state_cb (PvmVm      *self,
               GParamSpec *pspec,
               GTask      *task)
{
  if (!pvm_vm_is_active (self))
    stop_complete (task, NULL);
}

static gboolean
stop_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;
  StopData *data = g_task_get_task_data (task);

  data->timeout_id = 0;
  stop_destroy (task);
  return G_SOURCE_REMOVE;
}

static gboolean
stop_cancel_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  StopData *data = g_task_get_task_data (task);

  data->cancel_idle_id = 0;
  stop_complete (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                            "Stopped waiting for the VM to power off"));
  return G_SOURCE_REMOVE;
}

/* A handler cannot disconnect itself: complete the task from an idle. */
static void
stop_cancelled_cb (GCancellable *cancellable,
                   GTask        *task)
{
  StopData *data = g_task_get_task_data (task);

  if (data->cancel_idle_id == 0)
    data->cancel_idle_id = g_idle_add (stop_cancel_idle_cb, task);
}

static void
power_button_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  PvmVm *self = source_object;
  GError *error = NULL;

  if (gvir_domain_shutdown (self->domain, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
power_button_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  StopData *data = g_task_get_task_data (task);
  PvmVm *self = g_task_get_source_object (task);

  if (g_task_propagate_boolean (G_TASK (result), &error) || data->done || data->destroying)
    return;

  /* The VM stopped meanwhile: its lifecycle event completes the task. */
  if (!is_active_now (self))
    return;

  /* The button could not be pressed (a guest without ACPI): pull the plug. */
  g_debug ("%s: the power button failed: %s", self->domain_name, error->message);
  stop_destroy (task);
}

static void
press_power_button (GTask *task)
{
  g_autoptr(GTask) button = g_task_new (g_task_get_source_object (task), NULL,
                                        power_button_done_cb, g_object_ref (task));

  g_task_set_source_tag (button, press_power_button);
  g_task_run_in_thread (button, power_button_thread);
}

static gboolean
press_again_cb (gpointer user_data)
{
  press_power_button (user_data);
  return G_SOURCE_CONTINUE;
}

/**
 * pvm_vm_stop_async:
 * @self: a #PvmVm
 * @mode: press the power button, or force off
 * @timeout_seconds: with %PVM_VM_STOP_GRACEFUL, how long to wait for the
 *   guest before forcing it off
 * @cancellable: (nullable): stops waiting (the VM may stop all the same);
 *   cancel it from the main context
 * @callback: called when the VM has stopped
 * @user_data: data for @callback
 *
 * Stops the VM: the ACPI power button, which pVM's guest contract turns
 * into a clean power off, then, if the guest has not powered off after
 * @timeout_seconds, the equivalent of pulling the plug. A VM that is not
 * running is stopped already. Needs libvirt's events (gvir_event_register()).
 */
void
pvm_vm_stop_async (PvmVm               *self,
                   PvmVmStopMode        mode,
                   guint                timeout_seconds,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  StopData *data;

  g_return_if_fail (PVM_IS_VM (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_stop_async);
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (StopData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) stop_data_free);

  if (!pvm_vm_is_active (self))
    {
      stop_complete (task, NULL);
      return;
    }

  if (mode == PVM_VM_STOP_FORCE)
    {
      stop_destroy (task);
      return;
    }

  /* The handlers below hold no reference: this one lasts until the end. */
  data->holds_ref = TRUE;
  g_object_ref (task);
  data->stopped_id = g_signal_connect (self, "notify::state", G_CALLBACK (stop_state_cb), task);
  data->timeout_id = g_timeout_add_seconds (timeout_seconds, stop_timeout_cb, task);
  if (cancellable != NULL)
    data->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (stop_cancelled_cb),
                                                task, NULL);

  press_power_button (task);
  /* A guest still booting ignores the button: press it again now and
   * then, as a person would. */
  data->repress_id = g_timeout_add_seconds (PRESS_AGAIN_SECONDS, press_again_cb, task);
}

/**
 * pvm_vm_stop_finish:
 * @self: a #PvmVm
 * @result: the result
 * @forced: (out) (optional): whether the VM had to be forced off
 * @error: return location for a #GError
 *
 * Returns: %TRUE if the VM is stopped
 */
gboolean
pvm_vm_stop_finish (PvmVm         *self,
                    GAsyncResult  *result,
                    gboolean      *forced,
                    GError       **error)
{
  StopData *data;

  g_return_val_if_fail (PVM_IS_VM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (forced != NULL)
    *forced = data->forced;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Waiting                                                            */

static void
wait_complete (GTask  *task,
               GError *error)
{
  PvmVm *self = g_task_get_source_object (task);
  gulong *ids = g_task_get_task_data (task);

  g_clear_signal_handler (&ids[0], self);
  if (ids[2] != 0)
    g_source_remove (ids[2]);
  ids[2] = 0;
  if (ids[1] != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), ids[1]);
  ids[1] = 0;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  /* The reference taken when it started waiting. */
  g_object_unref (task);
}

static void
wait_state_cb (PvmVm      *self,
               GParamSpec *pspec,
               GTask      *task)
{
  if (!pvm_vm_is_active (self))
    wait_complete (task, NULL);
}

static gboolean
wait_cancel_idle_cb (gpointer user_data)
{
  GTask *task = user_data;
  gulong *ids = g_task_get_task_data (task);

  ids[2] = 0;
  wait_complete (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                            "Stopped waiting for the VM to power off"));
  return G_SOURCE_REMOVE;
}

static void
wait_cancelled_cb (GCancellable *cancellable,
                   GTask        *task)
{
  gulong *ids = g_task_get_task_data (task);

  if (ids[2] == 0)
    ids[2] = g_idle_add (wait_cancel_idle_cb, task);
}

/**
 * pvm_vm_wait_stopped_async:
 * @self: a #PvmVm
 * @cancellable: (nullable): stops waiting; cancel it from the main context
 * @callback: called when the VM is no longer running
 * @user_data: data for @callback
 *
 * Waits, however long it takes, until the VM stops: its guest powered off
 * (the end of a job), or someone stopped it. Needs libvirt's events.
 */
void
pvm_vm_wait_stopped_async (PvmVm               *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gulong *ids;

  g_return_if_fail (PVM_IS_VM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_wait_stopped_async);
  g_task_set_check_cancellable (task, FALSE);
  ids = g_new0 (gulong, 3);
  g_task_set_task_data (task, ids, g_free);

  if (!pvm_vm_is_active (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  /* The handlers hold no reference: this one lasts until the end. */
  g_object_ref (task);
  ids[0] = g_signal_connect (self, "notify::state", G_CALLBACK (wait_state_cb), task);
  if (cancellable != NULL)
    ids[1] = g_cancellable_connect (cancellable, G_CALLBACK (wait_cancelled_cb), task, NULL);
}

gboolean
pvm_vm_wait_stopped_finish (PvmVm         *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Saving and resuming                                                */

/* QEMU's refusal to save while the guest has a 9p share mounted, e.g.
 * "Migration is disabled when VirtFS export path '/x' is mounted in the
 * guest using mount_tag 'output'", as a message that says the way out. */
static gboolean
explain_virtfs_refusal (PvmVm       *self,
                        const char  *message,
                        GError     **error)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *path = NULL;
  g_autofree char *tag = NULL;

  if (strstr (message, "VirtFS") == NULL)
    return FALSE;

  regex = g_regex_new ("export path '([^']*)'.*mount_tag '([^']*)'", G_REGEX_DOTALL, 0, NULL);
  if (g_regex_match (regex, message, 0, &match))
    {
      path = g_match_info_fetch (match, 1);
      tag = g_match_info_fetch (match, 2);
    }

  g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
               "The VM %s cannot be saved while its guest has the shared folder %s mounted "
               "(9p tag \"%s\"): QEMU cannot save 9p shares. It keeps running. A VM that must be "
               "saved needs a SquashFS input and OUTPUT_MODE=disk", self->plan->name,
               path != NULL ? path : "(unknown)", tag != NULL ? tag : "?");
  return TRUE;
}

/**
 * _pvm_vm_check_not_transient:
 * @self: a VM
 * @where: where it keeps running if refused ("here", "on big")
 * @error: return location for a #GError
 *
 * libvirt saves and migrates no VM whose system disk is a throwaway
 * overlay (-snapshot: "migration with transient disk is not supported"):
 * said in pVM's words, with the way out.
 *
 * Returns: %TRUE if @self may be saved or moved as far as that goes
 */
gboolean
_pvm_vm_check_not_transient (PvmVm       *self,
                             const char  *where,
                             GError     **error)
{
  if (!pvm_domain_args_have_snapshot ((const char * const *) self->plan->extra_args))
    return TRUE;
  g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
               "The VM %s discards its changes (-snapshot), and libvirt cannot save or move a "
               "VM whose disk is a throwaway overlay; it keeps running %s. A VM that must be "
               "saved or moved needs an image of its own (pvm image snapshot BASE NAME)",
               self->plan->name, where);
  return FALSE;
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PvmVm *self = source_object;
  g_autoptr(GError) error = NULL;
  GError *explained = NULL;

  if (!_pvm_vm_check_not_transient (self, "here", &explained))
    g_task_return_error (task, explained);
  else if (gvir_domain_save (self->domain, 0, &error))
    g_task_return_boolean (task, TRUE);
  else if (explain_virtfs_refusal (self, error->message, &explained))
    g_task_return_error (task, explained);
  else
    g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot save the VM %s: %s",
                             self->plan->name, error->message);
}

/**
 * pvm_vm_save_async:
 * @self: a running #PvmVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the VM is saved, or not
 * @user_data: data for @callback
 *
 * Saves the running VM's whole state to libvirt's managed save file and
 * stops it; pvm_vm_resume_async() continues it from exactly there. QEMU
 * cannot save a guest that has a 9p share mounted: the error
 * (%PVM_ERROR_NOT_SUPPORTED) names the share, and the VM keeps running.
 */
void
pvm_vm_save_async (PvmVm               *self,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_VM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_save_async);
  if (self->state != PVM_VM_STATE_RUNNING && self->state != PVM_VM_STATE_PAUSED)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_FAILED,
                               "The VM %s is not running (%s): there is nothing to save",
                               self->plan->name, pvm_vm_state_to_string (self->state));
      return;
    }
  g_task_run_in_thread (task, save_thread);
}

gboolean
pvm_vm_save_finish (PvmVm         *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* After a host restart the tap network is down until a VM needs it. In a
 * thread. */
static gboolean
start_network (PvmVm       *self,
               const char  *what,
               GError     **error)
{
  g_autoptr(PvmVirConnect) handle = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->network == NULL)
    return TRUE;

  g_object_get (self->connection, "handle", &handle, NULL);
  if (pvm_network_start_by_name (handle, self->network, &local_error))
    return TRUE;
  g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot %s the VM %s: %s", what,
               self->plan->name, local_error->message);
  return FALSE;
}

static void
resume_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PvmVm *self = source_object;
  g_autoptr(GError) error = NULL;
  gboolean paused = GPOINTER_TO_INT (task_data);
  gboolean done;

  if (!paused && !start_network (self, "resume", &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  done = paused ? gvir_domain_resume (self->domain, &error)
                : gvir_domain_start (self->domain, 0, &error);
  if (done)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot resume the VM %s: %s",
                             self->plan->name, error->message);
}

/**
 * pvm_vm_resume_async:
 * @self: a saved or paused #PvmVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the VM runs again, or not
 * @user_data: data for @callback
 *
 * Continues a saved VM from its saved state (the guest does not notice),
 * or a paused one. A VM that is stopped without a saved state is
 * refused: it is started again (pvm_vm_start_async()), not resumed.
 */
void
pvm_vm_resume_async (PvmVm               *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_VM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_resume_async);
  if (self->state != PVM_VM_STATE_SAVED && self->state != PVM_VM_STATE_PAUSED)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_FAILED,
                               "The VM %s is %s, with no saved state to resume from%s",
                               self->plan->name, pvm_vm_state_to_string (self->state),
                               self->state == PVM_VM_STATE_RUNNING ? ""
                                 : ": start it instead (pvm start NAME)");
      return;
    }
  g_task_set_task_data (task, GINT_TO_POINTER (self->state == PVM_VM_STATE_PAUSED), NULL);
  g_task_run_in_thread (task, resume_thread);
}

gboolean
pvm_vm_resume_finish (PvmVm         *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Starting again                                                     */

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PvmVm *self = source_object;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_dir = pvm_host_dup_log_dir ();

  if (!start_network (self, "start", &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The guest's status lines are those of this boot, as after a launch:
   * the log is appended to. pVM's own log only, emptied in place so that
   * it keeps the owner libvirt gave it. */
  if (self->serial_log != NULL && g_str_has_prefix (self->serial_log, log_dir) &&
      self->serial_log[strlen (log_dir)] == G_DIR_SEPARATOR &&
      g_file_test (self->serial_log, G_FILE_TEST_IS_REGULAR))
    g_file_set_contents_full (self->serial_log, "", 0, G_FILE_SET_CONTENTS_NONE, 0666, NULL);

  if (gvir_domain_start (self->domain, 0, &error))
    g_task_return_boolean (task, TRUE);
  else if (self->plan->ssh_port != 0 && strstr (error->message, "host forwarding") != NULL)
    g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                             "Cannot start the VM %s: its SSH port %u on 127.0.0.1 is in use. "
                             "Stop what uses it, or launch the VM again with another "
                             "INIT_SSH_PORT (%s)", self->plan->name, self->plan->ssh_port,
                             error->message);
  else
    g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot start the VM %s: %s",
                             self->plan->name, error->message);
}

/**
 * pvm_vm_start_async:
 * @self: a stopped #PvmVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the VM runs, or not
 * @user_data: data for @callback
 *
 * Starts a VM that is off again, exactly as it was launched: its domain's
 * definition holds its plan (image, input, output, memory, vCPUs, SSH
 * port, network), so the guest boots on the same image and runs its job
 * over the same input into the same output. The serial log starts empty,
 * so pvm_vm_dup_guest_status() tells this boot's status. A running VM is
 * refused, and so is a saved one (%PVM_ERROR_BUSY), which
 * pvm_vm_resume_async() continues instead. To change the plan, launch it
 * again (#PvmLauncher).
 */
void
pvm_vm_start_async (PvmVm               *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_VM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_start_async);
  if (pvm_vm_is_active (self))
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY, "The VM %s is running already",
                               self->plan->name);
      return;
    }
  if (self->state == PVM_VM_STATE_SAVED)
    {
      g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_BUSY,
                               "The VM %s has a saved state, which starting it afresh would "
                               "lose: resume it instead (pvm resume %s)", self->plan->name,
                               self->plan->name);
      return;
    }
  g_task_run_in_thread (task, start_thread);
}

gboolean
pvm_vm_start_finish (PvmVm         *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (PVM_IS_VM (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Deleting, the console                                              */

/**
 * pvm_vm_delete:
 * @self: a stopped #PvmVm
 * @error: return location for a #GError
 *
 * Removes the VM's libvirt definition and its serial log. Its image, input
 * and output are never touched. A running VM, or one with a saved state
 * that deleting would lose, is refused with %PVM_ERROR_BUSY.
 *
 * Returns: %TRUE if the VM no longer exists
 */
gboolean
pvm_vm_delete (PvmVm   *self,
               GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *log_dir = NULL;
  PvmVmState state;

  g_return_val_if_fail (PVM_IS_VM (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  state = _pvm_vm_query_state (self->domain, NULL);
  if (state == PVM_VM_STATE_RUNNING || state == PVM_VM_STATE_PAUSED)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_BUSY,
                   "The VM %s is running: stop it first (pvm stop %s)",
                   self->plan->name, self->plan->name);
      return FALSE;
    }
  if (state == PVM_VM_STATE_SAVED)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_BUSY,
                   "The VM %s has a saved state, which deleting it would lose: resume it, "
                   "or discard the state (virsh managedsave-remove %s)",
                   self->plan->name, self->domain_name);
      return FALSE;
    }

  if (!gvir_domain_delete (self->domain, 0, &local_error))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot delete the VM %s: %s",
                   self->plan->name, local_error->message);
      return FALSE;
    }

  /* Install mode's share, if the VM had one: pVM's own folder. */
  {
    g_autofree char *share = pvm_install_dup_share_dir (self->domain_name);

    pvm_install_remove_share (share);
  }

  /* The serial log is pVM's own file when it is in pVM's log directory. */
  log_dir = pvm_host_dup_log_dir ();
  if (self->serial_log != NULL && g_str_has_prefix (self->serial_log, log_dir) &&
      self->serial_log[strlen (log_dir)] == G_DIR_SEPARATOR &&
      g_unlink (self->serial_log) != 0 && errno != ENOENT)
    g_debug ("Cannot remove %s: %s", self->serial_log, g_strerror (errno));

  _pvm_vm_set_state (self, PVM_VM_STATE_STOPPED);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The console of a remote host's VM                                  */

/**
 * _pvm_vm_stop_spice_forward:
 * @self: a VM
 *
 * Ends the SSH forward of @self's console, if there is one.
 */
void
_pvm_vm_stop_spice_forward (PvmVm *self)
{
  if (self->spice_forward != NULL)
    {
      g_subprocess_force_exit (self->spice_forward);
      g_clear_object (&self->spice_forward);
    }
  if (self->spice_forward_dir != NULL)
    {
      _pvm_remove_tree (self->spice_forward_dir);
      g_clear_pointer (&self->spice_forward_dir, g_free);
    }
}

/* The Unix socket the SPICE server of @self listens on, on its host. */
static char *
dup_spice_socket (PvmVm   *self,
                  GError **error)
{
  g_autoptr(GVirConfigDomain) live = gvir_domain_get_config (self->domain, 0, error);
  g_auto(GStrv) sockets = NULL;

  if (live == NULL)
    return NULL;
  sockets = _pvm_domain_query_strings (live, "/domain/devices/graphics[@type='spice']"
                                             "/listen[@type='socket']/@socket");
  if (sockets[0] == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                   "%s runs on %s without a console socket (it has no SPICE Unix socket "
                   "listener: launched by an older pVM?); launch it again to get one",
                   self->plan->name, gvir_connection_get_uri (self->connection));
      return NULL;
    }
  return g_strdup (sockets[0]);
}

/* Starts "ssh -N -L LOCAL:REMOTE" to the host of @self's qemu+ssh URI, as
 * libvirt reaches it (user, port, keyfile, no_verify), and waits until
 * the local end exists. */
static gboolean
start_spice_forward (PvmVm   *self,
                     GError **error)
{
  const char *uri = gvir_connection_get_uri (self->connection);
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                                        NULL);
  g_autoptr(GHashTable) params = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *remote = NULL;
  g_autofree char *local = NULL;
  g_autofree char *log = NULL;
  const char *value;
  gint64 deadline;

  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "qemu+ssh") != 0 ||
      g_uri_get_host (parsed) == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                   "The console of %s on %s needs SSH to reach it: pVM shows the consoles of "
                   "this machine's VMs and of qemu+ssh:// hosts", self->plan->name, uri);
      return FALSE;
    }
  if ((remote = dup_spice_socket (self, error)) == NULL)
    return FALSE;

  self->spice_forward_dir = g_dir_make_tmp ("pvm-console-XXXXXX", error);
  if (self->spice_forward_dir == NULL)
    return FALSE;
  local = g_build_filename (self->spice_forward_dir, "spice.sock", NULL);
  log = g_build_filename (self->spice_forward_dir, "ssh.log", NULL);

  params = g_uri_parse_params (g_uri_get_query (parsed) != NULL ? g_uri_get_query (parsed) : "",
                               -1, "&", G_URI_PARAMS_NONE, NULL);
  g_ptr_array_add (argv, g_strdup ("ssh"));
  g_ptr_array_add (argv, g_strdup ("-N"));
  g_ptr_array_add (argv, g_strdup ("-T"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("BatchMode=yes"));
  g_ptr_array_add (argv, g_strdup ("-o"));
  g_ptr_array_add (argv, g_strdup ("ExitOnForwardFailure=yes"));
  if (g_uri_get_port (parsed) > 0)
    {
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", g_uri_get_port (parsed)));
    }
  if (params != NULL && (value = g_hash_table_lookup (params, "keyfile")) != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-i"));
      g_ptr_array_add (argv, g_strdup (value));
    }
  if (params != NULL && g_strcmp0 (g_hash_table_lookup (params, "no_verify"), "1") == 0)
    {
      g_ptr_array_add (argv, g_strdup ("-o"));
      g_ptr_array_add (argv, g_strdup ("StrictHostKeyChecking=no"));
      g_ptr_array_add (argv, g_strdup ("-o"));
      g_ptr_array_add (argv, g_strdup ("UserKnownHostsFile=/dev/null"));
    }
  if (g_uri_get_user (parsed) != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-l"));
      g_ptr_array_add (argv, g_strdup (g_uri_get_user (parsed)));
    }
  g_ptr_array_add (argv, g_strdup ("-L"));
  g_ptr_array_add (argv, g_strconcat (local, ":", remote, NULL));
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, g_strdup (g_uri_get_host (parsed)));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/null");
  self->spice_forward = g_subprocess_launcher_spawnv (launcher,
                                                      (const char * const *) argv->pdata,
                                                      &local_error);
  if (self->spice_forward == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL,
                   "Cannot run ssh for the console of %s: %s (on Debian: openssh-client)",
                   self->plan->name, local_error->message);
      _pvm_vm_stop_spice_forward (self);
      return FALSE;
    }

  /* ssh makes the local end once the server accepted the forward. */
  deadline = g_get_monotonic_time () + 20 * G_TIME_SPAN_SECOND;
  while (!g_file_test (local, G_FILE_TEST_EXISTS))
    {
      if (g_subprocess_get_identifier (self->spice_forward) == NULL ||
          g_get_monotonic_time () > deadline)
        {
          g_autofree char *said = NULL;

          g_file_get_contents (log, &said, NULL, NULL);
          g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT,
                       "Cannot reach the console of %s through SSH to %s: %s", self->plan->name,
                       g_uri_get_host (parsed),
                       said != NULL && *g_strstrip (said) != '\0' ? said : "no answer in 20 s");
          _pvm_vm_stop_spice_forward (self);
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
  return TRUE;
}

/* Forwards of remote consoles start and stop under this lock: one may
 * start in a thread (pvm_vm_prepare_console_async()). */
static GMutex spice_forward_lock;

/* A running forward for @self: the one there is, or a new one. */
static gboolean
ensure_spice_forward (PvmVm   *self,
                      GError **error)
{
  if (self->spice_forward != NULL && g_subprocess_get_identifier (self->spice_forward) == NULL)
    _pvm_vm_stop_spice_forward (self);
  return self->spice_forward != NULL || start_spice_forward (self, error);
}

static void
prepare_console_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  PvmVm *self = source_object;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&spice_forward_lock);
  GError *error = NULL;

  if (ensure_spice_forward (self, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * pvm_vm_prepare_console_async:
 * @self: a running #PvmVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when pvm_vm_open_spice_fd() no longer waits
 * @user_data: data for @callback
 *
 * For a VM of a qemu+ssh:// host, starts the SSH forward of its console
 * in a thread (it waits for SSH: a second, or up to 20 s for a host that
 * does not answer), so that pvm_vm_open_spice_fd() then returns at once;
 * what a GUI calls before it connects. For a VM of this machine there is
 * nothing to wait for.
 */
void
pvm_vm_prepare_console_async (PvmVm               *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_VM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_vm_prepare_console_async);
  if (pvm_hosts_uri_is_local (gvir_connection_get_uri (self->connection)))
    g_task_return_boolean (task, TRUE);
  else
    g_task_run_in_thread (task, prepare_console_thread);
}

/**
 * pvm_vm_prepare_console_finish:
 * @self: a #PvmVm
 * @result: the #GAsyncResult
 * @error: return location for a #GError: why the console cannot be
 *   reached
 *
 * Returns: %TRUE when pvm_vm_open_spice_fd() can connect without waiting
 */
gboolean
pvm_vm_prepare_console_finish (PvmVm         *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A new connection to the local end of the forward. */
static int
connect_spice_forward (PvmVm   *self,
                       GError **error)
{
  g_autofree char *local = g_build_filename (self->spice_forward_dir, "spice.sock", NULL);
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int fd;

  if (strlen (local) >= sizeof address.sun_path)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "The socket path %s is too long", local);
      return -1;
    }
  strcpy (address.sun_path, local);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot connect to the console of %s: %s", self->plan->name,
                   g_strerror (saved_errno));
      return -1;
    }
  return fd;
}

/**
 * pvm_vm_open_spice_fd:
 * @self: a running #PvmVm
 * @error: return location for a #GError
 *
 * A new connection to @self's SPICE server, for one SPICE channel (each
 * channel needs its own). A VM of this machine's libvirt: a file
 * descriptor libvirt passes (virDomainOpenGraphicsFD), no listener at
 * all. A VM of a qemu+ssh:// host: a connection to its SPICE Unix socket
 * there, through one "ssh -L" forward started on the first call (with the
 * URI's user, port and key) and ended with @self; never a network port
 * on the server. The first call on a remote VM waits for SSH, unless
 * pvm_vm_prepare_console_async() was called first.
 *
 * Returns: a connected file descriptor, or -1 with an error
 */
int
pvm_vm_open_spice_fd (PvmVm   *self,
                      GError **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd;

  g_return_val_if_fail (PVM_IS_VM (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (!pvm_hosts_uri_is_local (gvir_connection_get_uri (self->connection)))
    {
      g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&spice_forward_lock);

      if (!ensure_spice_forward (self, error))
        return -1;
      return connect_spice_forward (self, error);
    }

  fd = gvir_domain_open_graphics_fd (self->domain, 0, 0, &local_error);
  if (fd < 0)
    g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT,
                 "Cannot open the console of %s: %s", self->plan->name,
                 local_error != NULL ? local_error->message : "unknown error");
  return fd;
}
