/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-storage-private.h: files on a libvirt host, local or remote, through
 * libvirt's storage pools (so that qemu+ssh needs nothing else): whether a
 * file is there, whether a directory is shared with another host, and
 * copying a file there. */

#pragma once

#include <libvirt/libvirt.h>
#include <gio/gio.h>

G_BEGIN_DECLS

const char *_pvm_storage_last_error    (void);
gboolean    _pvm_storage_stat          (virConnectPtr   conn,
                                        const char     *path,
                                        gboolean       *exists,
                                        guint64        *size,
                                        GError        **error);
gboolean    _pvm_storage_dir_is_shared (virConnectPtr   source,
                                        virConnectPtr   dest,
                                        const char     *dir,
                                        gboolean       *shared,
                                        GError        **error);
gboolean    _pvm_storage_upload        (virConnectPtr   conn,
                                        const char     *local_path,
                                        const char     *path,
                                        guint64        *sent,
                                        GCancellable   *cancellable,
                                        GError        **error);
guint64     _pvm_param_ullong          (virTypedParameterPtr params,
                                        int             n_params,
                                        const char     *name);
gboolean    _pvm_storage_delete        (virConnectPtr   conn,
                                        const char     *path,
                                        GError        **error);
gboolean    _pvm_storage_download      (virConnectPtr   conn,
                                        const char     *path,
                                        const char     *local_path,
                                        GCancellable   *cancellable,
                                        GError        **error);
char       *_pvm_storage_dup_stamp     (virConnectPtr   conn,
                                        const char     *path);
char       *_pvm_storage_read_tail     (virConnectPtr   conn,
                                        const char     *path,
                                        guint64         max_bytes);
gboolean    _pvm_storage_dir_is_here   (virConnectPtr   conn,
                                        const char     *dir);
gboolean    _pvm_storage_make_dir      (virConnectPtr   conn,
                                        const char     *dir,
                                        GError        **error);
gboolean    _pvm_storage_describe      (virConnectPtr   conn,
                                        const char     *path,
                                        guint64        *capacity,
                                        char          **format,
                                        char          **backing,
                                        char          **backing_format,
                                        GError        **error);
gboolean    _pvm_storage_create_empty  (virConnectPtr   conn,
                                        const char     *path,
                                        const char     *format,
                                        guint64         capacity,
                                        const char     *backing,
                                        const char     *backing_format,
                                        GError        **error);

void        _pvm_storage_add_ssh_ports (virConnectPtr   conn,
                                        GHashTable     *ports);
guint       _pvm_storage_pick_ssh_port (virConnectPtr   dest,
                                        virConnectPtr   source,
                                        guint           port);

G_END_DECLS
