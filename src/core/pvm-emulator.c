/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-emulator"

#include "config.h"

#include <string.h>

#include "pvm-emulator.h"
#include "pvm-error.h"

/* Runs "@qemu OPTION help" and returns what it printed. The exit status
 * means nothing: QEMU 7.2 exits with 1 after "-spice help". */
static char *
run_help (const char    *qemu,
          const char    *option,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *output = NULL;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE |
                                        G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  process = g_subprocess_launcher_spawn (launcher, error, qemu, option, "help", NULL);
  if (process == NULL)
    {
      g_prefix_error (error, "Cannot run QEMU (%s): ", qemu);
      return NULL;
    }
  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, &output, NULL, error))
    return NULL;
  return g_steal_pointer (&output);
}

static gboolean
lists_device (const char *device_help,
              const char *device)
{
  g_autofree char *needle = g_strdup_printf ("name \"%s\"", device);

  return strstr (device_help, needle) != NULL;
}

/**
 * pvm_emulator_check_features:
 * @qemu: path of a QEMU system emulator (QEMU_BIN)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks that @qemu has what every pVM domain uses, the two things the
 * original pVM asked its users to check when building QEMU: SPICE (the
 * -spice option and the qxl display, which Debian ships as loadable
 * modules) and VirtFS (the virtio-9p device of the shares). It asks QEMU
 * itself ("-spice help", "-device help"): nothing is started.
 *
 * Returns: %TRUE if it has both; otherwise %FALSE with
 *   %PVM_ERROR_NOT_SUPPORTED naming what is missing
 */
gboolean
pvm_emulator_check_features (const char    *qemu,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autofree char *spice_help = NULL;
  g_autofree char *device_help = NULL;
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();

  g_return_val_if_fail (qemu != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((spice_help = run_help (qemu, "-spice", cancellable, error)) == NULL ||
      (device_help = run_help (qemu, "-device", cancellable, error)) == NULL)
    return FALSE;

  if (strstr (spice_help, "spice options") == NULL || !lists_device (device_help, "qxl-vga"))
    g_ptr_array_add (missing, (gpointer) "SPICE (the -spice option and the qxl-vga device)");
  if (!lists_device (device_help, "virtio-9p-pci"))
    g_ptr_array_add (missing, (gpointer) "VirtFS (the virtio-9p-pci device)");

  if (missing->len == 0)
    return TRUE;

  g_ptr_array_add (missing, NULL);
  {
    g_autofree char *list = g_strjoinv (" and ", (char **) missing->pdata);

    g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                 "QEMU (%s) lacks %s, which pVM needs: use a QEMU built with "
                 "--enable-spice --enable-virtfs (on Debian: qemu-system-x86)", qemu, list);
  }
  return FALSE;
}
