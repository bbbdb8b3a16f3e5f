/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-host"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-host.h"

/**
 * pvm_host_get_default_uri:
 *
 * The libvirt URI pVM uses when the configuration names none: the
 * per-user session daemon, as GNOME Boxes does, except for root, whose
 * session URI would reach the system daemon anyway.
 *
 * Returns: (transfer none): a libvirt URI
 */
const char *
pvm_host_get_default_uri (void)
{
  return geteuid () == 0 ? "qemu:///system" : "qemu:///session";
}

/**
 * pvm_host_get_connect_hint:
 * @uri: a libvirt URI pVM could not connect to
 *
 * What a user who is not root can do when the local system daemon turns
 * them away: start it, or (on Debian, through polkit) be root or a member
 * of the libvirt group.
 *
 * Returns: (nullable) (transfer none): a sentence, or %NULL when there is
 *   nothing to add to libvirt's own message
 */
const char *
pvm_host_get_connect_hint (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (geteuid () == 0 || parsed == NULL ||
      (g_uri_get_host (parsed) != NULL && *g_uri_get_host (parsed) != '\0') ||
      !g_str_equal (g_uri_get_path (parsed), "/system"))
    return NULL;
  return "the system libvirt daemon must run (sudo systemctl start libvirtd) and lets in root "
         "and the members of the libvirt group: run pvm as root, or join the group (sudo "
         "adduser $USER libvirt, then log in again)";
}

/**
 * pvm_host_in_sandbox:
 *
 * Whether pVM runs in a Flatpak sandbox (FLATPAK_ID is set, or
 * /.flatpak-info exists). There QEMU is not pVM's to run: the host's
 * libvirt daemon runs its own, found from its capabilities.
 *
 * Returns: %TRUE in a sandbox
 */
gboolean
pvm_host_in_sandbox (void)
{
  return g_getenv ("FLATPAK_ID") != NULL || g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS);
}

/**
 * pvm_host_dup_log_dir:
 *
 * Where pVM's VMs write their serial port: $XDG_STATE_HOME/pvm/serial for
 * a user, /var/log/pvm for root (whose home QEMU, running as libvirt's
 * unprivileged user under qemu:///system, cannot enter).
 *
 * Returns: (transfer full): an absolute directory path; it may not exist
 */
char *
pvm_host_dup_log_dir (void)
{
  if (geteuid () == 0)
    return g_strdup ("/var/log/pvm");
  return g_build_filename (g_get_user_state_dir (), "pvm", "serial", NULL);
}

/**
 * pvm_host_dup_nearest_existing:
 * @path: a path
 *
 * @path when something is there, else its nearest parent that exists: where
 * a directory pVM makes at @path will be made. lstat(), so a dangling
 * symbolic link counts as something in the way, as it does for mkdir().
 *
 * Returns: (transfer full): @path or one of its parents ("/" or "." at
 *   the last)
 */
char *
pvm_host_dup_nearest_existing (const char *path)
{
  char *existing;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  existing = g_strdup (path);
  while (g_lstat (existing, &st) != 0)
    {
      char *parent = g_path_get_dirname (existing);

      if (g_str_equal (parent, existing))
        {
          g_free (parent);
          break;
        }
      g_free (existing);
      existing = parent;
    }
  return existing;
}

/**
 * pvm_host_check_kvm_device:
 * @device: path of the KVM device, normally %PVM_HOST_KVM_DEVICE
 * @error: return location for a #GError
 *
 * Checks that @device can be opened read-write and answers the KVM API
 * version query, which is what QEMU needs to run a guest with KVM.
 *
 * Returns: %TRUE if KVM is usable through @device
 */
gboolean
pvm_host_check_kvm_device (const char  *device,
                           GError     **error)
{
  int fd;
  int version;

  g_return_val_if_fail (device != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fd = g_open (device, O_RDWR | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                     "%s does not exist: this host offers no hardware virtualization "
                     "(enable VT-x/AMD-V in the firmware, or load the kvm module)",
                     device);
      else if (saved_errno == EACCES || saved_errno == EPERM)
        g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                     "Cannot open %s: permission denied (add yourself to the "
                     "\"kvm\" group and log in again)",
                     device);
      else
        g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                     "Cannot open %s: %s", device, g_strerror (saved_errno));
      return FALSE;
    }

  version = ioctl (fd, KVM_GET_API_VERSION, 0);
  close (fd);

  if (version != KVM_API_VERSION)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                   "%s is not a usable KVM device (API version query returned %d, "
                   "expected %d)",
                   device, version, KVM_API_VERSION);
      return FALSE;
    }

  return TRUE;
}

/**
 * pvm_host_kvm_usable:
 * @error: return location for a #GError saying why not
 *
 * Returns: %TRUE if guests of this user can run under KVM
 */
gboolean
pvm_host_kvm_usable (GError **error)
{
  return pvm_host_check_kvm_device (PVM_HOST_KVM_DEVICE, error);
}

/**
 * pvm_host_find_tool:
 * @program: name of an external program, e.g. "qemu-img"
 * @debian_package: the Debian package that provides it, for the message
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the full path of @program, or %NULL with
 *   %PVM_ERROR_MISSING_TOOL naming the package to install
 */
char *
pvm_host_find_tool (const char  *program,
                    const char  *debian_package,
                    GError     **error)
{
  static const char * const sbin_dirs[] = { "/usr/sbin", "/sbin" };
  char *path;

  g_return_val_if_fail (program != NULL, NULL);
  g_return_val_if_fail (debian_package != NULL, NULL);

  path = g_find_program_in_path (program);
  /* mkfs.ext4 and debugfs live in sbin, which a user's PATH lacks on Debian. */
  for (guint i = 0; path == NULL && i < G_N_ELEMENTS (sbin_dirs); i++)
    {
      g_autofree char *candidate = g_build_filename (sbin_dirs[i], program, NULL);

      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        path = g_steal_pointer (&candidate);
    }
  if (path == NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL,
                 "%s was not found in PATH (on Debian, install the package \"%s\")",
                 program, debian_package);

  return path;
}

/**
 * pvm_host_find_qemu:
 * @qemu_bin: the QEMU_BIN setting: a path, or a name looked up in PATH
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the QEMU executable's path, or %NULL with
 *   %PVM_ERROR_MISSING_TOOL saying what to do
 */
char *
pvm_host_find_qemu (const char  *qemu_bin,
                    GError     **error)
{
  g_return_val_if_fail (qemu_bin != NULL, NULL);

  if (strchr (qemu_bin, '/') == NULL)
    {
      char *path = g_find_program_in_path (qemu_bin);

      if (path == NULL)
        g_set_error (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL,
                     "QEMU (%s) was not found in PATH: install it (on Debian: "
                     "qemu-system-x86), or set QEMU_BIN to its path", qemu_bin);
      return path;
    }

  if (g_file_test (qemu_bin, G_FILE_TEST_IS_EXECUTABLE) &&
      !g_file_test (qemu_bin, G_FILE_TEST_IS_DIR))
    return g_strdup (qemu_bin);

  g_set_error (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL,
               "QEMU (%s) is not an executable file: install QEMU (on Debian: "
               "qemu-system-x86), or set QEMU_BIN to its path", qemu_bin);
  return NULL;
}
