/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-install.h: install mode's share (9p tag "install"): a folder made
 * for each launch with a copy of the install scripts, the user's SSH public
 * key and a small configuration for the scripts. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The environment variable that points pVM at another install_scripts
 * folder (the source tree's, in tests). */
#define PVM_INSTALL_SCRIPTS_ENV "PVM_INSTALL_SCRIPTS_DIR"

/* The files of the share, besides the scripts' folder. */
#define PVM_INSTALL_KEY_FILE     "ssh.pub"
#define PVM_INSTALL_CONFIG_FILE  "pvm-install.conf"
#define PVM_INSTALL_SCRIPTS_NAME "install_scripts"

char     *pvm_install_dup_scripts_dir (void);
char     *pvm_install_dup_share_dir   (const char  *domain_name);
gboolean  pvm_install_prepare_share   (const char  *share_dir,
                                       const char  *vm_name,
                                       char       **note,
                                       GError     **error);
void      pvm_install_remove_share    (const char  *share_dir);

G_END_DECLS
