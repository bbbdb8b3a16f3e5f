/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-squash-repo.h: the repository of SquashFS data archives
 * (SQUASHREPO): listing with cached statistics, creation with mksquashfs,
 * information and deletion. */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * PvmSquashCompressor:
 * @PVM_SQUASH_COMPRESSOR_LZ4: lz4, the default: the fastest to make and
 *   to read (docs/performance.md), archives half as large again as zstd's
 * @PVM_SQUASH_COMPRESSOR_ZSTD: zstd: small archives, read more slowly
 * @PVM_SQUASH_COMPRESSOR_XZ: xz: the smallest archives, slow
 * @PVM_SQUASH_COMPRESSOR_GZIP: gzip: what every kernel reads
 *
 * The compressors pvm_squash_repo_create() can use, the default first.
 */
typedef enum
{
  PVM_SQUASH_COMPRESSOR_LZ4,
  PVM_SQUASH_COMPRESSOR_ZSTD,
  PVM_SQUASH_COMPRESSOR_XZ,
  PVM_SQUASH_COMPRESSOR_GZIP,
} PvmSquashCompressor;

#define PVM_SQUASH_COMPRESSOR_DEFAULT PVM_SQUASH_COMPRESSOR_LZ4

#define PVM_TYPE_SQUASH_ARCHIVE (pvm_squash_archive_get_type ())

/**
 * PvmSquashArchive:
 * @name: the name pVM knows it by: the file name without ".sqsh" (a
 *   "*.squashfs" or "*.sfs" archive keeps its whole file name)
 * @path: absolute path of the file, in the repository
 * @usable: its superblock is a valid SquashFS 4.0 superblock
 * @problem: (nullable): why it is not usable, for a person
 * @compressor: (nullable): "zstd", "lz4", "xz", "gzip", "lzo", "lzma",
 *   or "unknown"; %NULL when the superblock could not be read
 * @block_size: data block size in bytes
 * @inodes: number of inodes: files, directories, links...
 * @bytes_used: bytes of the file the archive uses (the superblock's
 *   bytes_used; mksquashfs pads the file to 4 KiB)
 * @archive_size: size of the file in bytes
 * @mtime: when the file was last changed (seconds since the epoch)
 * @mkfs_time: when the archive was made, from the superblock
 * @has_stats: @files and @uncompressed_size are known: they need a walk
 *   of the archive (unsquashfs), cached beside it
 * @files: number of regular files (a hard link counts once per name)
 * @uncompressed_size: sum of the sizes of its regular files: what
 *   extracting it writes
 * @ratio: @uncompressed_size / @archive_size, or 0 when unknown
 *
 * One archive of a #PvmSquashRepo, as it was when listed. Reference
 * counted: pvm_squash_archive_ref(), pvm_squash_archive_unref().
 */
typedef struct
{
  char     *name;
  char     *path;
  gboolean  usable;
  char     *problem;

  char     *compressor;
  guint32   block_size;
  guint32   inodes;
  guint64   bytes_used;
  guint64   archive_size;
  gint64    mtime;
  gint64    mkfs_time;

  gboolean  has_stats;
  guint64   files;
  guint64   uncompressed_size;
  double    ratio;
} PvmSquashArchive;

/**
 * PvmSquashProgressFunc:
 * @fraction: how much is done, from 0.0 to 1.0
 * @bytes_done: bytes of the source compressed so far (an estimate from
 *   @fraction)
 * @bytes_total: bytes of the source's regular files
 * @user_data: the data given with the function
 */
typedef void (*PvmSquashProgressFunc) (double   fraction,
                                       guint64  bytes_done,
                                       guint64  bytes_total,
                                       gpointer user_data);

GType              pvm_squash_archive_get_type   (void) G_GNUC_CONST;
PvmSquashArchive  *pvm_squash_archive_ref        (PvmSquashArchive *archive);
void               pvm_squash_archive_unref      (PvmSquashArchive *archive);
JsonNode          *pvm_squash_archive_to_json    (PvmSquashArchive *archive);

const char        *pvm_squash_compressor_to_string   (PvmSquashCompressor  compressor);
gboolean           pvm_squash_compressor_from_string (const char          *text,
                                                      PvmSquashCompressor *compressor,
                                                      GError             **error);

gboolean           pvm_squash_check_name         (const char        *name,
                                                  GError           **error);

#define PVM_TYPE_SQUASH_REPO (pvm_squash_repo_get_type ())

G_DECLARE_FINAL_TYPE (PvmSquashRepo, pvm_squash_repo, PVM, SQUASH_REPO, GObject)

PvmSquashRepo     *pvm_squash_repo_new           (const char        *directory);
const char        *pvm_squash_repo_get_directory (PvmSquashRepo     *self);

GPtrArray         *pvm_squash_repo_list          (PvmSquashRepo     *self,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
void               pvm_squash_repo_list_async    (PvmSquashRepo     *self,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
GPtrArray         *pvm_squash_repo_list_finish   (PvmSquashRepo     *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
PvmSquashArchive  *pvm_squash_repo_info          (PvmSquashRepo     *self,
                                                  const char        *name,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
gboolean           pvm_squash_repo_delete        (PvmSquashRepo     *self,
                                                  const char        *name,
                                                  GError           **error);
PvmSquashArchive  *pvm_squash_repo_create        (PvmSquashRepo     *self,
                                                  const char        *source_dir,
                                                  const char        *name,
                                                  PvmSquashCompressor compressor,
                                                  PvmSquashProgressFunc progress,
                                                  gpointer           progress_data,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
void               pvm_squash_repo_create_async  (PvmSquashRepo     *self,
                                                  const char        *source_dir,
                                                  const char        *name,
                                                  PvmSquashCompressor compressor,
                                                  PvmSquashProgressFunc progress,
                                                  gpointer           progress_data,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
PvmSquashArchive  *pvm_squash_repo_create_finish (PvmSquashRepo     *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmSquashArchive, pvm_squash_archive_unref)

G_END_DECLS
