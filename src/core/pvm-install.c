/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-install"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-install.h"
#include "pvm-repo-private.h"

/**
 * pvm_install_dup_scripts_dir:
 *
 * Returns: (transfer full): the install scripts pVM shares with an
 *   installing guest: $PVM_INSTALL_SCRIPTS_DIR, else the installed ones
 *   (PKGDATADIR/install_scripts)
 */
char *
pvm_install_dup_scripts_dir (void)
{
  const char *dir = g_getenv (PVM_INSTALL_SCRIPTS_ENV);

  if (dir != NULL && *dir != '\0')
    return g_strdup (dir);
  return g_build_filename (PKGDATADIR, PVM_INSTALL_SCRIPTS_NAME, NULL);
}

/**
 * pvm_install_dup_share_dir:
 * @domain_name: the VM's domain name
 *
 * Returns: (transfer full): the folder of the VM's install share:
 *   $XDG_STATE_HOME/pvm/install/DOMAIN, or /var/lib/pvm/install/DOMAIN for
 *   root (QEMU, as libvirt's user, cannot enter root's home)
 */
char *
pvm_install_dup_share_dir (const char *domain_name)
{
  g_return_val_if_fail (domain_name != NULL, NULL);

  if (geteuid () == 0)
    return g_build_filename ("/var/lib/pvm/install", domain_name, NULL);
  return g_build_filename (g_get_user_state_dir (), "pvm", "install", domain_name, NULL);
}

static gboolean
set_io_error (GError     **error,
              const char  *what,
              const char  *path)
{
  int saved_errno = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot %s %s: %s", what,
               path, g_strerror (saved_errno));
  return FALSE;
}

/* Copies the tree @from into @to (which must not exist), files, folders
 * and symbolic links as they are. */
static gboolean
copy_tree (GFile         *from,
           GFile         *to,
           GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  if (!g_file_make_directory (to, NULL, error))
    return FALSE;

  children = g_file_enumerate_children (from, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, error);
  if (children == NULL)
    return FALSE;

  while ((info = g_file_enumerator_next_file (children, NULL, error)) != NULL)
    {
      g_autoptr(GFileInfo) owned = info;
      g_autoptr(GFile) child_from = g_file_get_child (from, g_file_info_get_name (info));
      g_autoptr(GFile) child_to = g_file_get_child (to, g_file_info_get_name (info));

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        {
          if (!copy_tree (child_from, child_to, error))
            return FALSE;
        }
      else if (!g_file_copy (child_from, child_to,
                             G_FILE_COPY_NOFOLLOW_SYMLINKS | G_FILE_COPY_ALL_METADATA, NULL,
                             NULL, NULL, error))
        return FALSE;
    }
  return error == NULL || *error == NULL;
}

/* The user's first SSH public key, or NULL. */
static char *
dup_public_key (void)
{
  static const char * const names[] = { "id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (g_get_home_dir (), ".ssh", names[i], NULL);
      char *key = NULL;

      if (g_file_get_contents (path, &key, NULL, NULL))
        return key;
    }
  return NULL;
}

static char *
dup_timezone (void)
{
  g_autofree char *zone = NULL;
  g_autofree char *link = g_file_read_link ("/etc/localtime", NULL);
  const char *marker;

  if (g_file_get_contents ("/etc/timezone", &zone, NULL, NULL) && *g_strstrip (zone) != '\0')
    return g_steal_pointer (&zone);
  if (link != NULL && (marker = strstr (link, "zoneinfo/")) != NULL)
    return g_strdup (marker + strlen ("zoneinfo/"));
  return g_strdup ("UTC");
}

/**
 * pvm_install_prepare_share:
 * @share_dir: the share's folder, from pvm_install_dup_share_dir(); made
 *   again from scratch
 * @vm_name: the VM's name (the installed system's host name)
 * @note: (out) (optional) (nullable): what the user should know (no SSH key)
 * @error: return location for a #GError
 *
 * Fills the install share: install_scripts/ (a copy: the installed scripts
 * are never modified), ssh.pub (the user's public key, if there is one),
 * pvm-install.conf (hostname, user, timezone, locale, one "key=value" per
 * line), as install_scripts/README.md describes.
 *
 * Returns: %TRUE on success; on failure @share_dir is gone
 */
gboolean
pvm_install_prepare_share (const char  *share_dir,
                           const char  *vm_name,
                           char       **note,
                           GError     **error)
{
  g_autofree char *scripts = pvm_install_dup_scripts_dir ();
  g_autofree char *key = dup_public_key ();
  g_autofree char *timezone = dup_timezone ();
  g_autofree char *config = NULL;
  g_autofree char *config_path = g_build_filename (share_dir, PVM_INSTALL_CONFIG_FILE, NULL);
  g_autofree char *key_path = g_build_filename (share_dir, PVM_INSTALL_KEY_FILE, NULL);
  g_autoptr(GFile) from = g_file_new_for_path (scripts);
  g_autoptr(GFile) to = NULL;
  g_autofree char *parent = g_path_get_dirname (share_dir);
  const char *lang = g_getenv ("LANG");

  g_return_val_if_fail (share_dir != NULL && vm_name != NULL, FALSE);

  if (note != NULL)
    *note = NULL;
  if (!g_file_test (scripts, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "The install scripts %s are missing: reinstall pVM, or set %s", scripts,
                   PVM_INSTALL_SCRIPTS_ENV);
      return FALSE;
    }

  pvm_install_remove_share (share_dir);
  if (g_mkdir_with_parents (parent, 0755) != 0)
    return set_io_error (error, "create", parent);
  if (g_mkdir (share_dir, 0755) != 0)
    return set_io_error (error, "create", share_dir);

  to = g_file_new_build_filename (share_dir, PVM_INSTALL_SCRIPTS_NAME, NULL);
  config = g_strdup_printf ("hostname=%s\nuser=%s\ntimezone=%s\nlocale=%s\n", vm_name,
                            g_get_user_name (), timezone,
                            lang != NULL && *lang != '\0' ? lang : "C.UTF-8");
  if (!copy_tree (from, to, error) ||
      !g_file_set_contents (config_path, config, -1, error) ||
      (key != NULL && !g_file_set_contents (key_path, key, -1, error)))
    {
      g_prefix_error (error, "Cannot prepare the install share %s: ", share_dir);
      pvm_install_remove_share (share_dir);
      return FALSE;
    }

  if (key == NULL && note != NULL)
    *note = g_strdup ("No SSH public key in ~/.ssh (id_ed25519.pub, id_ecdsa.pub, id_rsa.pub): "
                      "the installed system will have no key for SSH (ssh-keygen makes one)");
  return TRUE;
}

/**
 * pvm_install_remove_share:
 * @share_dir: an install share's folder
 *
 * Removes it, if it is there.
 */
void
pvm_install_remove_share (const char *share_dir)
{
  g_return_if_fail (share_dir != NULL);

  _pvm_remove_tree (share_dir);
}
