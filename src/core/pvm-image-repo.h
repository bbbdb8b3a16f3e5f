/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-image-repo.h: the repository of VM images (DRIVEREPO): listing,
 * blank images, overlays ("snapshots"), deletion, flattening, and the
 * protection of backing images. */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * PvmImageFormat:
 * @PVM_IMAGE_FORMAT_QCOW2: a qcow2 image, the only format pVM boots
 * @PVM_IMAGE_FORMAT_RAW: anything else: QEMU would open it as raw
 * @PVM_IMAGE_FORMAT_UNKNOWN: the file could not be read
 */
typedef enum
{
  PVM_IMAGE_FORMAT_QCOW2,
  PVM_IMAGE_FORMAT_RAW,
  PVM_IMAGE_FORMAT_UNKNOWN,
} PvmImageFormat;

/**
 * PvmImageAccess:
 * @PVM_IMAGE_ACCESS_BOOT: a VM would boot it (and write it)
 * @PVM_IMAGE_ACCESS_WRITE: its file would be rewritten (flatten)
 * @PVM_IMAGE_ACCESS_RESIZE: its virtual size would change
 * @PVM_IMAGE_ACCESS_DELETE: it would be deleted
 *
 * What an operation does to an image, for pvm_image_check_unprotected().
 */
typedef enum
{
  PVM_IMAGE_ACCESS_BOOT,
  PVM_IMAGE_ACCESS_WRITE,
  PVM_IMAGE_ACCESS_RESIZE,
  PVM_IMAGE_ACCESS_DELETE,
} PvmImageAccess;

#define PVM_TYPE_IMAGE (pvm_image_get_type ())

/**
 * PvmImage:
 * @name: the name pVM knows it by: the file name without ".qcow2"
 *   (a qcow2 file with another name keeps its whole name)
 * @path: absolute path of the file, in the repository
 * @format: what the file is
 * @usable: pVM can boot it: a readable qcow2 image, not marked corrupt,
 *   whose backing chain is whole
 * @problem: (nullable): why it is not usable, for a person
 * @virtual_size: size of the disk the guest sees, in bytes (for a raw
 *   file, its size)
 * @disk_usage: space the file takes on disk, in bytes (st_blocks * 512,
 *   qemu-img's "actual-size"); the backing files are not counted
 * @read_only: the file has no write permission bit at all (pVM sets this
 *   on a base image when its first overlay is made)
 * @backing_file: (nullable): the backing file name as stored in the image
 * @backing_format: (nullable): the backing file's format as stored
 * @backing_path: (nullable): @backing_file as QEMU opens it: relative
 *   names are relative to the repository
 * @chain: the backing chain, nearest first: @backing_path, then its
 *   backing file, and so on; empty for a standalone image. When a file of
 *   the chain is missing, it is the last one, and @broken_path
 * @overlays: names of the images of the repository whose backing file is
 *   this image, sorted
 * @is_protected: it has overlays: pVM never boots, writes, resizes or
 *   deletes it
 * @broken_path: (nullable): the path where a missing file of the chain is
 *   expected, or %NULL if the chain is whole
 * @used_by: (nullable): the pVM VMs that boot the image, "NAME (STATE)",
 *   several separated by ", " (VMs that discard their changes may share
 *   an image), when the caller asked libvirt
 *   (pvm_vm_list_mark_image_users())
 * @n_users: how many VMs @used_by names
 *
 * One image of a #PvmImageRepo, as it was when listed. Reference counted:
 * pvm_image_ref(), pvm_image_unref(). The fields are read-only.
 */
typedef struct
{
  char            *name;
  char            *path;
  PvmImageFormat   format;
  gboolean         usable;
  char            *problem;

  guint64          virtual_size;
  guint64          disk_usage;
  gboolean         read_only;

  char            *backing_file;
  char            *backing_format;
  char            *backing_path;
  GStrv            chain;

  GStrv            overlays;
  gboolean         is_protected;
  char            *broken_path;

  char            *used_by;
  guint            n_users;
} PvmImage;

/**
 * PvmImageProgressFunc:
 * @fraction: how much is done, from 0.0 to 1.0
 * @user_data: the data given with the function
 */
typedef void (*PvmImageProgressFunc) (double   fraction,
                                      gpointer user_data);

GType        pvm_image_get_type              (void) G_GNUC_CONST;
PvmImage    *pvm_image_ref                   (PvmImage            *image);
void         pvm_image_unref                 (PvmImage            *image);
JsonNode    *pvm_image_to_json               (PvmImage            *image);
const char  *pvm_image_format_to_string      (PvmImageFormat       format);

gboolean     pvm_image_check_name            (const char          *name,
                                              GError             **error);
GStrv        pvm_image_find_overlays         (const char          *image,
                                              const char * const  *directories,
                                              GError             **error);
gboolean     pvm_image_check_unprotected     (const char          *image,
                                              const char          *repo,
                                              PvmImageAccess       access,
                                              GError             **error);

#define PVM_TYPE_IMAGE_REPO (pvm_image_repo_get_type ())

G_DECLARE_FINAL_TYPE (PvmImageRepo, pvm_image_repo, PVM, IMAGE_REPO, GObject)

PvmImageRepo *pvm_image_repo_new             (const char          *directory);
const char   *pvm_image_repo_get_directory   (PvmImageRepo        *self);

gboolean      pvm_image_repo_prepare         (PvmImageRepo        *self,
                                              char               **message,
                                              GError             **error);

GPtrArray    *pvm_image_repo_list            (PvmImageRepo        *self,
                                              GError             **error);
PvmImage     *pvm_image_repo_info            (PvmImageRepo        *self,
                                              const char          *name,
                                              GError             **error);
PvmImage     *pvm_image_repo_create          (PvmImageRepo        *self,
                                              const char          *name,
                                              guint64              size,
                                              GCancellable        *cancellable,
                                              GError             **error);
PvmImage     *pvm_image_repo_snapshot        (PvmImageRepo        *self,
                                              const char          *base,
                                              const char          *name,
                                              char               **message,
                                              GCancellable        *cancellable,
                                              GError             **error);
gboolean      pvm_image_repo_delete          (PvmImageRepo        *self,
                                              const char          *name,
                                              char               **message,
                                              GError             **error);
PvmImage     *pvm_image_repo_flatten         (PvmImageRepo        *self,
                                              const char          *name,
                                              PvmImageProgressFunc progress,
                                              gpointer             progress_data,
                                              GCancellable        *cancellable,
                                              GError             **error);
void          pvm_image_repo_flatten_async   (PvmImageRepo        *self,
                                              const char          *name,
                                              PvmImageProgressFunc progress,
                                              gpointer             progress_data,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
PvmImage     *pvm_image_repo_flatten_finish  (PvmImageRepo        *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmImage, pvm_image_unref)

G_END_DECLS
