/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-qcow2.h: what the header of a qcow2 image says, read in-process. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PvmQcow2Info:
 * @version: the qcow2 version, 2 or 3
 * @virtual_size: size of the disk the guest sees, in bytes
 * @backing_file: (nullable): the backing file name as stored in the header
 *   (it may be relative: see pvm_qcow2_info_dup_backing_path()), or %NULL
 * @backing_format: (nullable): the backing file's format from the backing
 *   format header extension ("qcow2", "raw"), or %NULL (always %NULL
 *   without a backing file, as QEMU ignores it then)
 * @cluster_bits: log2 of the cluster size, 9 to 21
 * @dirty: the image was not closed cleanly (refcounts may be stale)
 * @corrupt: QEMU found metadata corruption; the image must not be written
 * @has_data_file: guest data lives in an external data file
 *
 * The header of a qcow2 image. Clear with pvm_qcow2_info_clear(), or
 * declare with g_auto(PvmQcow2Info).
 */
typedef struct
{
  guint32  version;
  guint64  virtual_size;

  /* Owned, UTF-8 */
  char    *backing_file;
  char    *backing_format;

  guint32  cluster_bits;

  /* Version 3 incompatible feature bits; always %FALSE for version 2 */
  gboolean dirty;
  gboolean corrupt;
  gboolean has_data_file;
} PvmQcow2Info;

gboolean  pvm_qcow2_read_info             (const char          *path,
                                           PvmQcow2Info        *info,
                                           GError             **error);
void      pvm_qcow2_info_clear            (PvmQcow2Info        *info);
char     *pvm_qcow2_info_dup_backing_path (const PvmQcow2Info  *info,
                                           const char          *image_path);
gboolean  pvm_qcow2_is_qcow2              (const char          *path);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PvmQcow2Info, pvm_qcow2_info_clear)

G_END_DECLS
