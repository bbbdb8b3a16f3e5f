/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-output-disk.h: the migratable output (OUTPUT_MODE=disk): a sparse
 * ext4 disk image kept in OUTPUT/.pvm/, and copying its files into the
 * output directory once the VM is off, without root and without mounting. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The folder of pVM's files inside an output directory. */
#define PVM_OUTPUT_DISK_DIR  ".pvm"
#define PVM_OUTPUT_DISK_FILE "output.img"

char     *pvm_output_disk_dup_path       (const char    *output_dir);
gboolean  pvm_output_disk_prepare        (const char    *output_dir,
                                          guint64        size,
                                          gboolean      *created,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean  pvm_output_disk_needs_collect  (const char    *output_dir);
gboolean  pvm_output_disk_collect        (const char    *output_dir,
                                          GPtrArray     *copied,
                                          GPtrArray     *kept,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean  pvm_output_disk_remote_needs_collect (const char *output_dir,
                                                const char *stamp);
gboolean  pvm_output_disk_collect_copy   (const char    *output_dir,
                                          const char    *copy,
                                          const char    *stamp,
                                          GPtrArray     *copied,
                                          GPtrArray     *kept,
                                          GCancellable  *cancellable,
                                          GError       **error);

G_END_DECLS
