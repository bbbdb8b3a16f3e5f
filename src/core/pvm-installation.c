/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-installation.c: a guided OS installation, step by step.
 *
 *   start      the blank qcow2 image in DRIVEREPO, then the VM launched in
 *              install mode on it (PvmLauncher, with a copy of the
 *              configuration: DRIVES=NAME, INSTALLING=true,
 *              INSTALL_MEDIA=ISO, MEM and CORES as chosen, no input, no
 *              output)
 *   attach     or: the VM of an installation started earlier, found by name
 *   wait       until the guest powers off; its disk must have been written
 *   make base  the install VM's definition removed, then the snapshots
 *              (overlays) of the image, which makes it a protected base
 *   launch     the snapshots, as one launch
 *
 * Each step runs its slow parts in threads and reports on the main
 * context through the "step", "message" and "fraction" properties. A step
 * that fails or is stopped undoes what this object made: the VM is
 * stopped and its definition removed, the blank image deleted (unless
 * keep-on-failure) - except that a failed "make base" keeps the installed
 * image, which is worth more than the snapshots.
 *
 * This file has the object, its checks and what the steps share; the
 * steps are in pvm-installation-install.c (start, attach, wait, stop) and
 * pvm-installation-base.c (make base, launch). */

#define G_LOG_DOMAIN "pvm-installation"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "pvm-autocleanups.h"
#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-installation-private.h"
#include "pvm-launcher.h"
#include "pvm-plan.h"
#include "pvm-size.h"


G_DEFINE_FINAL_TYPE (PvmInstallation, pvm_installation, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (PvmInstallationStep, pvm_installation_step,
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_READY, "ready"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_CREATING_IMAGE, "creating-image"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_STARTING, "starting"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_INSTALLING, "installing"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_INSTALLED, "installed"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_MAKING_BASE, "making-base"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_BASE_MADE, "base-made"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_LAUNCHING, "launching"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_LAUNCHED, "launched"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_FAILED, "failed"),
                    G_DEFINE_ENUM_VALUE (PVM_INSTALLATION_STEP_STOPPED, "stopped"))

enum {
  PROP_0,
  PROP_STEP,
  PROP_MESSAGE,
  PROP_FRACTION,
  PROP_VM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


void
_pvm_installation_op_free (PvmInstallationOp *op)
{
  g_clear_object (&op->config);
  g_clear_pointer (&op->plan, pvm_plan_free);
  g_clear_object (&op->launcher);
  g_clear_pointer (&op->image, pvm_image_unref);
  g_clear_object (&op->vm);
  g_strfreev (op->names);
  g_clear_pointer (&op->made, g_ptr_array_unref);
  if (op->undone != NULL)
    g_string_free (op->undone, TRUE);
  g_free (op);
}

GTask *
_pvm_installation_op_task_new (PvmInstallation     *self,
                               gpointer             source_tag,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PvmInstallationOp *op = g_new0 (PvmInstallationOp, 1);

  op->undone = g_string_new (NULL);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) _pvm_installation_op_free);
  /* Every step ends with what it did or undid, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  return task;
}

/* ------------------------------------------------------------------ */
/* Object                                                             */

void
_pvm_installation_set_progress (PvmInstallation     *self,
                                PvmInstallationStep  step,
                                double               fraction,
                                const char          *message)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (self->step != step)
    {
      self->step = step;
      g_object_notify_by_pspec (object, properties[PROP_STEP]);
    }
  if (self->fraction != fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (object, properties[PROP_FRACTION]);
    }
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (object, properties[PROP_MESSAGE]);
    }
  g_object_thaw_notify (object);
}

void
_pvm_installation_set_vm (PvmInstallation *self,
                          PvmVm           *vm)
{
  if (g_set_object (&self->vm, vm))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VM]);
}

static void
pvm_installation_dispose (GObject *object)
{
  PvmInstallation *self = PVM_INSTALLATION (object);

  g_clear_object (&self->vm);
  g_clear_pointer (&self->connection, pvm_connection_release);

  G_OBJECT_CLASS (pvm_installation_parent_class)->dispose (object);
}

static void
pvm_installation_finalize (GObject *object)
{
  PvmInstallation *self = PVM_INSTALLATION (object);

  g_clear_object (&self->config);
  g_clear_object (&self->repo);
  g_free (self->name);
  g_free (self->iso);
  g_clear_pointer (&self->image, pvm_image_unref);
  g_clear_pointer (&self->snapshots, g_ptr_array_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_free (self->message);

  G_OBJECT_CLASS (pvm_installation_parent_class)->finalize (object);
}

static void
pvm_installation_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PvmInstallation *self = PVM_INSTALLATION (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_enum (value, self->step);
      break;

    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;

    case PROP_VM:
      g_value_set_object (value, self->vm);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_installation_class_init (PvmInstallationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pvm_installation_dispose;
  object_class->finalize = pvm_installation_finalize;
  object_class->get_property = pvm_installation_get_property;

  /**
   * PvmInstallation:step:
   *
   * Where the installation is.
   */
  properties[PROP_STEP] =
    g_param_spec_enum ("step", NULL, NULL, PVM_TYPE_INSTALLATION_STEP,
                       PVM_INSTALLATION_STEP_READY,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PvmInstallation:message:
   *
   * What happens now, or what happened last, for people.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PvmInstallation:fraction:
   *
   * How much of the step is done, from 0 to 1, where it can be told (the
   * snapshots); 0 otherwise.
   */
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * PvmInstallation:vm:
   *
   * The VM that runs the installer, from the moment it runs until its
   * definition is removed.
   */
  properties[PROP_VM] =
    g_param_spec_object ("vm", NULL, NULL, PVM_TYPE_VM,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pvm_installation_init (PvmInstallation *self)
{
  self->warnings = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  self->snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_image_unref);
}

/**
 * pvm_installation_new:
 * @config: the configuration (DRIVEREPO, LIBVIRT_URI, QEMU_BIN...); the
 *   installation reads it, never changes it
 * @name: the new image's name, which is also the install VM's (".qcow2"
 *   may be given)
 * @iso: the installation ISO
 *
 * The disk size, memory and vCPUs start as pVM's defaults; set them from
 * pvm_media_identify()'s proposals or the user's choice.
 *
 * Returns: (transfer full): an installation, not started
 */
PvmInstallation *
pvm_installation_new (PvmConfig  *config,
                      const char *name,
                      const char *iso)
{
  PvmInstallation *self;

  g_return_val_if_fail (PVM_IS_CONFIG (config), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (iso != NULL, NULL);

  self = g_object_new (PVM_TYPE_INSTALLATION, NULL);
  self->config = g_object_ref (config);
  self->repo = pvm_image_repo_new (pvm_config_get_string (config, "DRIVEREPO"));
  self->name = g_str_has_suffix (name, ".qcow2") ? g_strndup (name, strlen (name) - 6)
                                                 : g_strdup (name);
  self->iso = g_canonicalize_filename (iso, NULL);
  self->disk_size = G_GUINT64_CONSTANT (20) << 30;
  self->memory = G_GUINT64_CONSTANT (2) << 30;
  self->cores = 2;
  return self;
}

const char *
pvm_installation_step_to_string (PvmInstallationStep step)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PVM_TYPE_INSTALLATION_STEP);
  GEnumValue *value = g_enum_get_value (klass, step);

  return value != NULL ? value->value_nick : "unknown";
}

void
pvm_installation_set_disk_size (PvmInstallation *self,
                                guint64          bytes)
{
  g_return_if_fail (PVM_IS_INSTALLATION (self));
  g_return_if_fail (self->step == PVM_INSTALLATION_STEP_READY);

  self->disk_size = bytes;
}

void
pvm_installation_set_memory (PvmInstallation *self,
                             guint64          bytes)
{
  g_return_if_fail (PVM_IS_INSTALLATION (self));

  self->memory = bytes;
}

void
pvm_installation_set_cores (PvmInstallation *self,
                            guint            cores)
{
  g_return_if_fail (PVM_IS_INSTALLATION (self));

  self->cores = cores;
}

/**
 * pvm_installation_set_keep_on_failure:
 * @self: an installation
 * @keep: keep the image when a step fails
 *
 * By default a failed or stopped installation deletes the image it made.
 */
void
pvm_installation_set_keep_on_failure (PvmInstallation *self,
                                      gboolean         keep)
{
  g_return_if_fail (PVM_IS_INSTALLATION (self));

  self->keep_on_failure = keep;
}

const char *
pvm_installation_get_name (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  return self->name;
}

const char *
pvm_installation_get_iso (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  return self->iso;
}

guint64
pvm_installation_get_disk_size (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), 0);
  return self->disk_size;
}

guint64
pvm_installation_get_memory (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), 0);
  return self->memory;
}

guint
pvm_installation_get_cores (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), 0);
  return self->cores;
}

PvmInstallationStep
pvm_installation_get_step (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), PVM_INSTALLATION_STEP_READY);
  return self->step;
}

const char *
pvm_installation_get_message (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  return self->message;
}

double
pvm_installation_get_fraction (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), 0.0);
  return self->fraction;
}

/**
 * pvm_installation_get_vm:
 * @self: an installation
 *
 * Returns: (transfer none) (nullable): the install VM, while it is defined
 */
PvmVm *
pvm_installation_get_vm (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  return self->vm;
}

/**
 * pvm_installation_get_image:
 * @self: an installation
 *
 * Returns: (transfer none) (nullable): the image, once made (or found)
 */
PvmImage *
pvm_installation_get_image (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  return self->image;
}

/**
 * pvm_installation_get_snapshots:
 * @self: an installation
 *
 * Returns: (transfer none) (element-type PvmImage): the snapshots made
 */
GPtrArray *
pvm_installation_get_snapshots (PvmInstallation *self)
{
  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);
  return self->snapshots;
}

/**
 * pvm_installation_get_warnings:
 * @self: an installation
 *
 * Returns: (transfer none): what the user should know (TCG instead of KVM,
 *   no SSH key for the install share...)
 */
const char * const *
pvm_installation_get_warnings (PvmInstallation *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (PVM_IS_INSTALLATION (self), NULL);

  /* GLib 2.74 leaves pdata NULL in an empty null-terminated array. */
  if (self->warnings->pdata == NULL)
    return none;
  return (const char * const *) self->warnings->pdata;
}

void
_pvm_installation_add_warnings (PvmInstallation    *self,
                                const char * const *warnings)
{
  for (guint i = 0; warnings[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (self->warnings, warnings[i], g_str_equal, NULL))
      g_ptr_array_add (self->warnings, g_strdup (warnings[i]));
}

/* Whether @name, as given or with ".qcow2", is a file of the repository. */
gboolean
_pvm_installation_image_exists (PvmInstallation *self,
                                const char      *name,
                                char           **path)
{
  const char *directory = pvm_image_repo_get_directory (self->repo);
  g_autofree char *file = g_str_has_suffix (name, ".qcow2") ? g_strdup (name)
                                                            : g_strconcat (name, ".qcow2", NULL);
  g_autofree char *with_suffix = g_build_filename (directory, file, NULL);
  g_autofree char *as_given = g_build_filename (directory, name, NULL);

  if (g_file_test (with_suffix, G_FILE_TEST_EXISTS))
    {
      if (path != NULL)
        *path = g_steal_pointer (&with_suffix);
      return TRUE;
    }
  if (g_file_test (as_given, G_FILE_TEST_EXISTS))
    {
      if (path != NULL)
        *path = g_steal_pointer (&as_given);
      return TRUE;
    }
  return FALSE;
}

/**
 * pvm_installation_check:
 * @self: an installation, not started
 * @error: return location for a #GError
 *
 * Checks what can be checked before anything is made: the name, the
 * sizes, the ISO, and that no image of that name exists. What only
 * libvirt knows (a VM of that name) is checked when it starts.
 *
 * Returns: %TRUE if the installation may start
 */
gboolean
pvm_installation_check (PvmInstallation  *self,
                        GError          **error)
{
  g_autofree char *existing = NULL;

  g_return_val_if_fail (PVM_IS_INSTALLATION (self), FALSE);

  if (!pvm_image_check_name (self->name, error))
    return FALSE;
  if (self->disk_size < PVM_SIZE_MIB)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid disk size: give at least 1M (e.g. 20G)");
      return FALSE;
    }
  if (self->memory < 64 * PVM_SIZE_MIB)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid memory: give at least 64M (e.g. 2G)");
      return FALSE;
    }
  if (self->cores == 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid number of vCPUs: give at least 1");
      return FALSE;
    }
  if (!g_file_test (self->iso, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "The ISO %s does not exist: check the path", self->iso);
      return FALSE;
    }
  if (_pvm_installation_image_exists (self, self->name, &existing))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                   "An image named \"%s\" already exists (%s): choose another name, or "
                   "delete it first (pvm image delete %s)", self->name, existing, self->name);
      return FALSE;
    }
  return TRUE;
}

/* A configuration that says what @self's launches need, from the user's. */
PvmConfig *
_pvm_installation_dup_launch_config (PvmInstallation     *self,
                                     const char * const  *drives,
                                     gboolean             installing,
                                     GError             **error)
{
  g_autoptr(PvmConfig) copy = pvm_config_new ();
  const char * const *keys = pvm_config_list_keys ();
  const char * const none[] = { NULL };
  g_autofree char *memory = g_strdup_printf ("%" G_GUINT64_FORMAT "M",
                                             (self->memory + PVM_SIZE_MIB - 1) / PVM_SIZE_MIB);
  g_autofree char *cores = g_strdup_printf ("%u", self->cores);

  for (guint i = 0; keys[i] != NULL; i++)
    if (!pvm_config_set_list (copy, keys[i], pvm_config_get_list (self->config, keys[i]), error))
      return NULL;

  if (!pvm_config_set_list (copy, "DRIVES", drives, error) ||
      !pvm_config_set_list (copy, "INDRIVES", none, error) ||
      !pvm_config_set_list (copy, "OUTDIRS", none, error) ||
      !pvm_config_set_list (copy, "ADDITIONAL", none, error) ||
      !pvm_config_set_string (copy, "MEM", memory, error) ||
      !pvm_config_set_string (copy, "CORES", cores, error) ||
      !pvm_config_set_string (copy, "INSTALLING", installing ? "true" : "false", error) ||
      !pvm_config_set_string (copy, "INSTALL_MEDIA", installing ? self->iso : "", error))
    return NULL;
  return g_steal_pointer (&copy);
}

/* In a thread: the launch's plan, checked; NULL with its problems. */
static PvmPlan *
check_plan (PvmConfig  *config,
            GError    **error)
{
  g_autoptr(PvmPlan) plan = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autofree char *cwd = g_get_current_dir ();

  plan = pvm_plan_new_from_config (config, cwd);
  pvm_plan_check (plan, config);
  for (guint i = 0; i < plan->problems->len; i++)
    {
      g_autofree char *line = pvm_problem_to_string (g_ptr_array_index (plan->problems, i));

      g_string_append_printf (problems, "%s%s", problems->len > 0 ? "\n" : "", line);
    }
  if (problems->len > 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT, "%s", problems->str);
      return NULL;
    }
  return g_steal_pointer (&plan);
}

/* In a thread: @self's connection, opened. */
GVirConnection *
_pvm_installation_open_connection (PvmInstallation  *self,
                                   GCancellable     *cancellable,
                                   GError          **error)
{
  return pvm_vm_open_connection (pvm_config_get_string (self->config, "LIBVIRT_URI"), cancellable,
                                 error);
}

void
_pvm_installation_plan_thread (GTask        *task,
                               gpointer      source_object,
                               gpointer      task_data,
                               GCancellable *cancellable)
{
  PvmInstallationOp *op = task_data;
  GError *error = NULL;

  op->plan = check_plan (op->config, &error);
  if (op->plan == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}
