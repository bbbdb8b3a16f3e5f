/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-host.h: what this host can do for pVM's virtual machines. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PVM_HOST_KVM_DEVICE "/dev/kvm"

const char *pvm_host_get_default_uri  (void);
const char *pvm_host_get_connect_hint (const char  *uri);
gboolean    pvm_host_in_sandbox       (void);
char       *pvm_host_dup_log_dir      (void);
char       *pvm_host_dup_nearest_existing (const char *path);
gboolean    pvm_host_check_kvm_device (const char  *device,
                                       GError     **error);
gboolean    pvm_host_kvm_usable       (GError     **error);
char       *pvm_host_find_tool        (const char  *program,
                                       const char  *debian_package,
                                       GError     **error);
char       *pvm_host_find_qemu        (const char  *qemu_bin,
                                       GError     **error);

G_END_DECLS
