/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-image-repo.c: the repository of VM images.
 *
 * Listing reads every header in-process (pvm-qcow2) in one pass over the
 * directory; the overlays of an image come from the map of backing files,
 * by device and inode, so symlinks and "../repo/x.qcow2" names count.
 * Changes run qemu-img on a hidden temporary name in the repository and
 * rename the result into place, so that a failure or a cancellation
 * leaves the repository as it was. */

#define G_LOG_DOMAIN "pvm-image-repo"
#define _GNU_SOURCE  /* renameat2 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-json-private.h"
#include "pvm-host.h"
#include "pvm-image-repo.h"
#include "pvm-names.h"
#include "pvm-qcow2.h"
#include "pvm-repo-private.h"

#define QCOW2_SUFFIX   ".qcow2"
#define MAX_STEM_BYTES 240    /* ".STEM.qcow2.XXXXXX" must fit NAME_MAX */

/* --- PvmImage ------------------------------------------------------------ */

static void
pvm_image_free (PvmImage *image)
{
  g_free (image->name);
  g_free (image->path);
  g_free (image->problem);
  g_free (image->backing_file);
  g_free (image->backing_format);
  g_free (image->backing_path);
  g_strfreev (image->chain);
  g_strfreev (image->overlays);
  g_free (image->broken_path);
  g_free (image->used_by);
}

/**
 * pvm_image_ref:
 * @image: an image
 *
 * Returns: (transfer full): @image
 */
PvmImage *
pvm_image_ref (PvmImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);

  return g_atomic_rc_box_acquire (image);
}

/**
 * pvm_image_unref:
 * @image: (nullable): an image
 */
void
pvm_image_unref (PvmImage *image)
{
  if (image != NULL)
    g_atomic_rc_box_release_full (image, (GDestroyNotify) pvm_image_free);
}

G_DEFINE_BOXED_TYPE (PvmImage, pvm_image, pvm_image_ref, pvm_image_unref)

const char *
pvm_image_format_to_string (PvmImageFormat format)
{
  switch (format)
    {
    case PVM_IMAGE_FORMAT_QCOW2:   return "qcow2";
    case PVM_IMAGE_FORMAT_RAW:     return "raw";
    case PVM_IMAGE_FORMAT_UNKNOWN:
    default:                       return "unknown";
    }
}

static void
add_strv (JsonBuilder        *builder,
          const char         *name,
          const char * const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

/**
 * pvm_image_to_json:
 * @image: an image
 *
 * Returns: (transfer full): a JSON object whose keys are the fields of
 *   #PvmImage ("protected" for @is_protected), with "broken" (a boolean)
 *   next to "broken_path"; sizes in bytes, missing values null
 */
JsonNode *
pvm_image_to_json (PvmImage *image)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (image != NULL, NULL);

  json_builder_begin_object (builder);
  _pvm_json_add_nullable_string (builder, "name", image->name);
  _pvm_json_add_nullable_string (builder, "path", image->path);
  _pvm_json_add_nullable_string (builder, "format", pvm_image_format_to_string (image->format));
  json_builder_set_member_name (builder, "usable");
  json_builder_add_boolean_value (builder, image->usable);
  _pvm_json_add_nullable_string (builder, "problem", image->problem);
  json_builder_set_member_name (builder, "virtual_size");
  json_builder_add_int_value (builder, (gint64) image->virtual_size);
  json_builder_set_member_name (builder, "disk_usage");
  json_builder_add_int_value (builder, (gint64) image->disk_usage);
  json_builder_set_member_name (builder, "read_only");
  json_builder_add_boolean_value (builder, image->read_only);
  _pvm_json_add_nullable_string (builder, "backing_file", image->backing_file);
  _pvm_json_add_nullable_string (builder, "backing_format", image->backing_format);
  _pvm_json_add_nullable_string (builder, "backing_path", image->backing_path);
  add_strv (builder, "chain", (const char * const *) image->chain);
  add_strv (builder, "overlays", (const char * const *) image->overlays);
  json_builder_set_member_name (builder, "protected");
  json_builder_add_boolean_value (builder, image->is_protected);
  json_builder_set_member_name (builder, "broken");
  json_builder_add_boolean_value (builder, image->broken_path != NULL);
  _pvm_json_add_nullable_string (builder, "broken_path", image->broken_path);
  _pvm_json_add_nullable_string (builder, "used_by", image->used_by);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* --- names --------------------------------------------------------------- */

/* @name without a trailing ".qcow2". */
static char *
dup_stem (const char *name)
{
  gsize len = strlen (name);

  if (g_str_has_suffix (name, QCOW2_SUFFIX))
    len -= strlen (QCOW2_SUFFIX);
  return g_strndup (name, len);
}

/* What is wrong with @name as a file name in the repository, or NULL:
 * the rules every name follows, new or existing. */
static const char *
path_like (const char *name)
{
  if (*name == '\0')
    return "it is empty";
  if (strchr (name, '/') != NULL)
    return "it contains \"/\": give a name in the repository, not a path";
  if (g_str_equal (name, ".") || g_str_equal (name, ".."))
    return "it is a directory, not a name";
  return NULL;
}

/**
 * pvm_image_check_name:
 * @name: the name of a new image, with or without ".qcow2"
 * @error: return location for a #GError
 *
 * Names may hold spaces, quotes and any UTF-8 letter. Refused, with
 * %PVM_ERROR_INVALID_NAME: an empty name, "/", "." and "..", a leading "."
 * (the file would be hidden, as pVM's temporary files are) or "-" (tools
 * would take it for an option), control characters such as a newline,
 * text that is not UTF-8, and names over 240 bytes. (A NUL cannot reach
 * this function: it ends a C string.)
 *
 * Returns: %TRUE if @name can be given to a new image
 */
gboolean
pvm_image_check_name (const char  *name,
                      GError     **error)
{
  g_autofree char *stem = NULL;
  const char *why;

  g_return_val_if_fail (name != NULL, FALSE);

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_NAME,
                   "Invalid image name: it is not valid UTF-8 text");
      return FALSE;
    }

  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      {
        g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_NAME,
                     "Invalid image name: it contains control characters (such as a "
                     "newline or a tab)");
        return FALSE;
      }

  stem = dup_stem (name);
  if ((why = path_like (name)) != NULL || (why = path_like (stem)) != NULL)
    ;
  else if (*name == '.')
    why = "it starts with \".\", which would hide the file";
  else if (*name == '-')
    why = "it starts with \"-\", which tools would take for an option";
  else if (strlen (stem) > MAX_STEM_BYTES)
    why = "it is longer than 240 bytes";

  if (why != NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_NAME,
                   "Invalid image name \"%s\": %s", name, why);
      return FALSE;
    }

  return TRUE;
}

/* --- scanning a directory ------------------------------------------------ */

typedef struct
{
  dev_t dev;
  ino_t ino;
} FileId;

static guint
file_id_hash (gconstpointer key)
{
  const FileId *id = key;

  return (guint) (id->ino ^ (id->ino >> 32) ^ ((guint64) id->dev * 31));
}

static gboolean
file_id_equal (gconstpointer a,
               gconstpointer b)
{
  const FileId *x = a, *y = b;

  return x->dev == y->dev && x->ino == y->ino;
}

static void
file_id_from_stat (FileId            *id,
                   const struct stat *st)
{
  id->dev = st->st_dev;
  id->ino = st->st_ino;
}

typedef struct
{
  /* Owned */
  char         *file_name;
  char         *path;           /* directory/file_name */
  PvmQcow2Info  info;           /* when @is_qcow2 */
  GError       *error;          /* why the file or its header cannot be read */
  char         *backing_path;   /* as QEMU opens it, or NULL */

  struct stat   st;             /* valid when @stat_ok */
  FileId        id;
  gboolean      stat_ok;
  gboolean      is_qcow2;       /* a header was read */
  gboolean      has_magic;      /* starts with the qcow2 magic */

  /* The backing file, when @backing_path is a file name */
  gboolean      backing_exists;
  FileId        backing_id;
} Entry;

static void
entry_free (Entry *entry)
{
  g_free (entry->file_name);
  g_free (entry->path);
  pvm_qcow2_info_clear (&entry->info);
  g_clear_error (&entry->error);
  g_free (entry->backing_path);
  g_free (entry);
}

typedef enum
{
  /* The files the repository lists: visible files named *.qcow2 or
   * starting with the qcow2 magic. Otherwise every qcow2 image, hidden or
   * not, since any of them may be an overlay. */
  SCAN_LISTING = 1 << 0,
} ScanFlags;

static void
set_directory_error (GError     **error,
                     int          saved_errno,
                     const char  *directory)
{
  if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                 "The image repository %s does not exist: create it (mkdir -p %s), or set "
                 "DRIVEREPO to the directory of your images", directory, directory);
  else if (saved_errno == EACCES || saved_errno == EPERM)
    g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                 "Cannot read the image repository %s: permission denied", directory);
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                 "Cannot read the image repository %s: %s", directory,
                 g_strerror (saved_errno));
}

static Entry *
scan_file (const char *directory,
           const char *file_name,
           ScanFlags   flags)
{
  g_autoptr(GError) error = NULL;
  Entry *entry = g_new0 (Entry, 1);
  gboolean listing = (flags & SCAN_LISTING) != 0;
  gboolean named = g_str_has_suffix (file_name, QCOW2_SUFFIX);

  entry->file_name = g_strdup (file_name);
  entry->path = g_build_filename (directory, file_name, NULL);

  if (stat (entry->path, &entry->st) != 0)
    {
      int saved_errno = errno;

      /* A dangling symlink named like an image is listed, as unusable. */
      if (!listing || !named)
        goto skip;
      g_set_error (&entry->error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "Cannot read %s: %s", entry->path, g_strerror (saved_errno));
      return entry;
    }

  entry->stat_ok = TRUE;
  file_id_from_stat (&entry->id, &entry->st);
  if (!S_ISREG (entry->st.st_mode))
    goto skip;

  if (pvm_qcow2_read_info (entry->path, &entry->info, &error))
    entry->is_qcow2 = entry->has_magic = TRUE;
  else if (g_error_matches (error, PVM_ERROR, PVM_ERROR_NOT_QCOW2))
    {
      entry->has_magic = pvm_qcow2_is_qcow2 (entry->path);
      if (!listing || !(named || entry->has_magic))
        goto skip;
      if (entry->has_magic)
        entry->error = g_steal_pointer (&error);
      return entry;
    }
  else
    {
      if (!listing || !named)
        goto skip;
      entry->error = g_steal_pointer (&error);
      return entry;
    }

  entry->backing_path = pvm_qcow2_info_dup_backing_path (&entry->info, entry->path);
  /* A name with a protocol prefix ("nbd:") is no file to look for. */
  if (entry->backing_path != NULL && g_path_is_absolute (entry->backing_path))
    {
      struct stat st;

      if (stat (entry->backing_path, &st) == 0)
        {
          entry->backing_exists = TRUE;
          file_id_from_stat (&entry->backing_id, &st);
        }
    }

  return entry;

skip:
  entry_free (entry);
  return NULL;
}

/* The images of @directory (see ScanFlags), in the directory's order. */
static GPtrArray *
scan_directory (const char  *directory,
                ScanFlags    flags,
                GError     **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  dir = g_dir_open (directory, 0, NULL);
  if (dir == NULL)
    {
      set_directory_error (error, errno, directory);
      return NULL;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      Entry *entry;

      if ((flags & SCAN_LISTING) && name[0] == '.')
        continue;
      if ((entry = scan_file (directory, name, flags)) != NULL)
        g_ptr_array_add (entries, entry);
    }

  return g_steal_pointer (&entries);
}

/* --- protection ---------------------------------------------------------- */

/**
 * pvm_image_find_overlays:
 * @image: path of an image
 * @directories: (array zero-terminated=1): the directories to look in;
 *   those that do not exist are skipped, each is read once
 * @error: return location for a #GError
 *
 * Finds the qcow2 images in @directories, whatever their names (hidden
 * ones too), whose backing file is @image: the same file, by device and
 * inode, however the name stored in the overlay reaches it.
 *
 * Returns: (transfer full): the overlays' paths, sorted (empty if there is
 *   none), or %NULL if @image cannot be found
 */
GStrv
pvm_image_find_overlays (const char          *image,
                         const char * const  *directories,
                         GError             **error)
{
  g_autoptr(GPtrArray) overlays = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (file_id_hash, file_id_equal, g_free, NULL);
  struct stat st;
  FileId id;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (directories != NULL, NULL);

  if (stat (image, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR, saved_errno == ENOENT ? PVM_ERROR_NOT_FOUND : PVM_ERROR_FAILED,
                   "Cannot read %s: %s", image, g_strerror (saved_errno));
      return NULL;
    }
  file_id_from_stat (&id, &st);

  for (guint i = 0; directories[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) entries = NULL;
      FileId *dir_id;
      struct stat dir_st;

      if (stat (directories[i], &dir_st) != 0 || !S_ISDIR (dir_st.st_mode))
        continue;
      dir_id = g_new (FileId, 1);
      file_id_from_stat (dir_id, &dir_st);
      if (!g_hash_table_add (seen, dir_id))
        continue;

      entries = scan_directory (directories[i], 0, NULL);
      for (guint j = 0; entries != NULL && j < entries->len; j++)
        {
          Entry *entry = g_ptr_array_index (entries, j);

          if (entry->backing_exists && file_id_equal (&entry->backing_id, &id))
            g_ptr_array_add (overlays, g_strdup (entry->path));
        }
    }

  pvm_names_sort (overlays, NULL);
  g_ptr_array_add (overlays, NULL);
  return (GStrv) g_ptr_array_steal (overlays, NULL);
}

/**
 * pvm_image_check_unprotected:
 * @image: path of an image
 * @repo: (nullable): the image repository (DRIVEREPO); the directory of
 *   @image (and of the file it links to) is always searched too
 * @access: what the caller is about to do to @image
 * @error: return location for a #GError
 *
 * The one check before anything boots, writes, resizes or deletes an
 * image: an image with overlays must be left as it is, or they are
 * corrupted. The %PVM_ERROR_IMAGE_HAS_OVERLAYS message names the overlays
 * and what to do instead.
 *
 * Returns: %TRUE if no overlay depends on @image
 */
gboolean
pvm_image_check_unprotected (const char      *image,
                             const char      *repo,
                             PvmImageAccess   access,
                             GError         **error)
{
  g_autofree char *directory = NULL;
  g_autofree char *real = NULL;
  g_autofree char *real_directory = NULL;
  g_auto(GStrv) overlays = NULL;
  g_autofree char *names = NULL;
  const char *those;
  const char *directories[4] = { NULL };
  guint n = 0;

  g_return_val_if_fail (image != NULL, FALSE);

  /* The directory of the image, of the file it is a symlink to, and the
   * repository. */
  directory = g_path_get_dirname (image);
  directories[n++] = directory;
  if ((real = realpath (image, NULL)) != NULL)
    directories[n++] = real_directory = g_path_get_dirname (real);
  directories[n++] = repo;
  overlays = pvm_image_find_overlays (image, directories, error);
  if (overlays == NULL)
    return FALSE;
  if (overlays[0] == NULL)
    return TRUE;

  names = g_strjoinv (", ", overlays);
  those = overlays[1] == NULL ? "that overlay" : "those overlays";
  switch (access)
    {
    case PVM_IMAGE_ACCESS_BOOT:
      g_set_error (error, PVM_ERROR, PVM_ERROR_IMAGE_HAS_OVERLAYS,
                   "The image %s is the backing image of %s: booting it would corrupt %s. "
                   "Launch an overlay of it instead", image, names, those);
      break;
    case PVM_IMAGE_ACCESS_WRITE:
    case PVM_IMAGE_ACCESS_RESIZE:
      g_set_error (error, PVM_ERROR, PVM_ERROR_IMAGE_HAS_OVERLAYS,
                   "The image %s is the backing image of %s: %s it would corrupt %s. "
                   "Make an overlay of it (pvm image snapshot) and change that instead",
                   image, names, access == PVM_IMAGE_ACCESS_WRITE ? "changing" : "resizing",
                   those);
      break;
    case PVM_IMAGE_ACCESS_DELETE:
    default:
      g_set_error (error, PVM_ERROR, PVM_ERROR_IMAGE_HAS_OVERLAYS,
                   "The image %s is the backing image of %s: deleting it would break %s. "
                   "Delete %s first (pvm image delete), or make %s standalone "
                   "(pvm image flatten)", image, names, those, those,
                   overlays[1] == NULL ? "it" : "them");
      break;
    }
  return FALSE;
}

/* --- PvmImageRepo -------------------------------------------------------- */

struct _PvmImageRepo
{
  GObject parent_instance;

  /* Owned: absolute, as given (symlinks are not resolved) */
  char *directory;
};

G_DEFINE_FINAL_TYPE (PvmImageRepo, pvm_image_repo, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
pvm_image_repo_finalize (GObject *object)
{
  PvmImageRepo *self = PVM_IMAGE_REPO (object);

  g_clear_pointer (&self->directory, g_free);

  G_OBJECT_CLASS (pvm_image_repo_parent_class)->finalize (object);
}

static void
pvm_image_repo_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PvmImageRepo *self = PVM_IMAGE_REPO (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_image_repo_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PvmImageRepo *self = PVM_IMAGE_REPO (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_assert (self->directory == NULL);
      self->directory = g_canonicalize_filename (g_value_get_string (value), NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_image_repo_class_init (PvmImageRepoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pvm_image_repo_finalize;
  object_class->get_property = pvm_image_repo_get_property;
  object_class->set_property = pvm_image_repo_set_property;

  /**
   * PvmImageRepo:directory:
   *
   * The repository's directory, made absolute (against the current
   * directory) when the repository is constructed.
   */
  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pvm_image_repo_init (PvmImageRepo *self)
{
}

/**
 * pvm_image_repo_new:
 * @directory: the repository's directory (DRIVEREPO); it need not exist yet
 *
 * Returns: (transfer full): a repository
 */
PvmImageRepo *
pvm_image_repo_new (const char *directory)
{
  g_return_val_if_fail (directory != NULL && *directory != '\0', NULL);

  return g_object_new (PVM_TYPE_IMAGE_REPO, "directory", directory, NULL);
}

const char *
pvm_image_repo_get_directory (PvmImageRepo *self)
{
  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), NULL);

  return self->directory;
}

/**
 * pvm_image_repo_prepare:
 * @self: a repository
 * @message: (out) (optional) (nullable): what was done, for the user, or
 *   %NULL when nothing was
 * @error: return location for a #GError
 *
 * On btrfs, does once what the original pVM's README asks for: no
 * copy-on-write for the images (chattr +C), and compression (chattr +c)
 * where the kernel allows both (recent kernels refuse compression on a
 * no-copy-on-write directory: then only +C is set, and the message says
 * so). The attributes apply to files created afterwards. On any other file
 * system, and when the directory already has no copy-on-write, it does
 * nothing.
 *
 * Returns: %FALSE if the attributes were needed but could not be set
 */
gboolean
pvm_image_repo_prepare (PvmImageRepo  *self,
                        char         **message,
                        GError       **error)
{
  struct statfs fs;
  int fd, flags, wanted, saved_errno;
  gboolean compressed = TRUE;

  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), FALSE);

  if (message != NULL)
    *message = NULL;

  if (statfs (self->directory, &fs) != 0)
    {
      set_directory_error (error, errno, self->directory);
      return FALSE;
    }
  if (fs.f_type != BTRFS_SUPER_MAGIC)
    return TRUE;

  fd = open (self->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      set_directory_error (error, errno, self->directory);
      return FALSE;
    }

  if (ioctl (fd, FS_IOC_GETFLAGS, &flags) != 0)
    goto failed;
  if (flags & FS_NOCOW_FL)
    {
      close (fd);
      return TRUE;
    }

  /* Recent kernels refuse compression with no copy-on-write (EINVAL, for
   * "chattr +C +c" too), and no copy-on-write on a directory that has
   * compression: then no copy-on-write alone, which the original README
   * requires, where compression was only preferred. */
  wanted = flags | FS_NOCOW_FL | FS_COMPR_FL;
  if (ioctl (fd, FS_IOC_SETFLAGS, &wanted) != 0)
    {
      int plain = flags & ~(FS_COMPR_FL | FS_NOCOMP_FL);

      if (errno != EINVAL)
        goto failed;
      compressed = FALSE;
      if (plain != flags && ioctl (fd, FS_IOC_SETFLAGS, &plain) != 0)
        goto failed;
      wanted = plain | FS_NOCOW_FL;
      if (ioctl (fd, FS_IOC_SETFLAGS, &wanted) != 0)
        {
          saved_errno = errno;
          ioctl (fd, FS_IOC_SETFLAGS, &flags);
          errno = saved_errno;
          goto failed;
        }
    }
  close (fd);

  if (message != NULL)
    *message = g_strdup_printf ("%s is on btrfs: pVM turned off copy-on-write for the images "
                                "made there from now on (as \"chattr +C\" does)%s. Images "
                                "already there keep their attributes", self->directory,
                                compressed ? ", and turned on compression (\"chattr +c\")"
                                : (flags & FS_COMPR_FL)
                                ? "; this kernel does not compress files without copy-on-write, "
                                  "so the directory's compression (\"chattr +c\") is off now"
                                : "; this kernel does not compress files without copy-on-write, "
                                  "so compression stays off");
  return TRUE;

failed:
  saved_errno = errno;
  close (fd);
  g_set_error (error, PVM_ERROR,
               saved_errno == EPERM || saved_errno == EACCES ? PVM_ERROR_PERMISSION_DENIED
                                                             : PVM_ERROR_FAILED,
               "%s is on btrfs, but its copy-on-write could not be turned off (%s): images "
               "there will be slow and fragment. Run \"chattr +C %s\" as its owner",
               self->directory, g_strerror (saved_errno), self->directory);
  return FALSE;
}

/* --- listing ------------------------------------------------------------- */

/* The header of the file @id at @path: the repository's, or read (once per
 * listing, in @outside) for a file outside it. NULL if it is no qcow2. */
static const PvmQcow2Info *
lookup_info (GHashTable   *by_id,
             GHashTable   *outside,
             const FileId *id,
             const char   *path)
{
  Entry *entry = g_hash_table_lookup (by_id, id);
  PvmQcow2Info *info;

  if (entry != NULL)
    return entry->is_qcow2 ? &entry->info : NULL;

  if (g_hash_table_lookup_extended (outside, id, NULL, (gpointer *) &info))
    return info;

  info = g_new0 (PvmQcow2Info, 1);
  if (!pvm_qcow2_read_info (path, info, NULL))
    g_clear_pointer (&info, g_free);
  g_hash_table_insert (outside, g_memdup2 (id, sizeof *id), info);
  return info;
}

static void
info_free (PvmQcow2Info *info)
{
  if (info == NULL)
    return;
  pvm_qcow2_info_clear (info);
  g_free (info);
}

/* Follows the backing chain of @entry: fills @image's chain and
 * broken_path, and its problem when the chain loops. */
static void
follow_chain (Entry      *entry,
              PvmImage   *image,
              GHashTable *by_id,
              GHashTable *outside)
{
  g_autoptr(GStrvBuilder) chain = g_strv_builder_new ();
  g_autoptr(GHashTable) visited = g_hash_table_new (file_id_hash, file_id_equal);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  const PvmQcow2Info *info = &entry->info;
  g_autofree char *path = g_strdup (entry->path);

  g_hash_table_add (visited, &entry->id);
  while (info != NULL)
    {
      g_autofree char *backing = pvm_qcow2_info_dup_backing_path (info, path);
      FileId *id;
      struct stat st;

      if (backing == NULL)
        break;
      g_strv_builder_add (chain, backing);
      if (!g_path_is_absolute (backing))
        break;

      if (stat (backing, &st) != 0)
        {
          if (errno == ENOENT || errno == ENOTDIR)
            image->broken_path = g_strdup (backing);
          break;
        }

      id = g_new (FileId, 1);
      file_id_from_stat (id, &st);
      g_ptr_array_add (ids, id);
      if (!g_hash_table_add (visited, id))
        {
          image->problem = g_strdup_printf ("Its backing chain loops back to %s: QEMU cannot "
                                            "open it", backing);
          break;
        }

      if (info->backing_format != NULL && !g_str_equal (info->backing_format, "qcow2"))
        break;

      info = lookup_info (by_id, outside, id, backing);
      g_free (path);
      path = g_steal_pointer (&backing);
    }

  image->chain = g_strv_builder_end (chain);
}

static PvmImage *
image_new (Entry *entry)
{
  PvmImage *image = g_atomic_rc_box_new0 (PvmImage);

  image->path = g_strdup (entry->path);
  if (g_str_has_suffix (entry->file_name, QCOW2_SUFFIX) &&
      !g_str_equal (entry->file_name, QCOW2_SUFFIX))
    image->name = dup_stem (entry->file_name);
  else
    image->name = g_strdup (entry->file_name);

  if (entry->stat_ok)
    {
      image->disk_usage = (guint64) entry->st.st_blocks * 512;
      image->read_only = (entry->st.st_mode & 0222) == 0;
    }

  if (entry->is_qcow2)
    {
      image->format = PVM_IMAGE_FORMAT_QCOW2;
      image->virtual_size = entry->info.virtual_size;
      image->backing_file = g_strdup (entry->info.backing_file);
      image->backing_format = g_strdup (entry->info.backing_format);
      image->backing_path = g_strdup (entry->backing_path);
    }
  else if (entry->error != NULL && !entry->has_magic)
    image->format = PVM_IMAGE_FORMAT_UNKNOWN;
  else if (entry->has_magic)
    image->format = PVM_IMAGE_FORMAT_QCOW2;
  else
    {
      image->format = PVM_IMAGE_FORMAT_RAW;
      image->virtual_size = (guint64) entry->st.st_size;
    }

  return image;
}

static void
set_problem (PvmImage *image,
             Entry    *entry)
{
  if (image->problem != NULL)
    return;

  if (entry->error != NULL)
    image->problem = g_strdup (entry->error->message);
  else if (image->format == PVM_IMAGE_FORMAT_RAW)
    image->problem = g_strdup ("It is not a qcow2 image: pVM boots only qcow2 images "
                               "(qemu-img convert -O qcow2 makes one)");
  else if (entry->info.corrupt)
    image->problem = g_strdup_printf ("QEMU marked it corrupt: repair it with "
                                      "qemu-img check -r all %s", image->path);
  else if (image->broken_path != NULL)
    image->problem = g_strdup_printf ("Its backing file %s is missing: restore it there",
                                      image->broken_path);
}

static const char *
get_image_name (gconstpointer item)
{
  return ((const PvmImage *) item)->name;
}

/**
 * pvm_image_repo_list:
 * @self: a repository
 * @error: return location for a #GError
 *
 * Lists the images of the repository: its visible files named *.qcow2,
 * whatever they hold (those that are no qcow2 image are listed as not
 * usable), and its other files that are qcow2 images, made by pVM or by
 * hand. It reads each header once, in-process.
 *
 * Returns: (transfer full) (element-type PvmImage): the images, sorted by
 *   name, or %NULL if the directory cannot be read
 */
GPtrArray *
pvm_image_repo_list (PvmImageRepo  *self,
                     GError       **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GHashTable) by_id = NULL;
  g_autoptr(GHashTable) outside = NULL;
  g_autoptr(GHashTable) overlays = NULL;

  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), NULL);

  entries = scan_directory (self->directory, SCAN_LISTING, error);
  if (entries == NULL)
    return NULL;

  by_id = g_hash_table_new (file_id_hash, file_id_equal);
  outside = g_hash_table_new_full (file_id_hash, file_id_equal, g_free,
                                   (GDestroyNotify) info_free);
  overlays = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  images = g_ptr_array_new_full (entries->len, (GDestroyNotify) pvm_image_unref);

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);

      if (entry->stat_ok)
        g_hash_table_insert (by_id, &entry->id, entry);
      g_ptr_array_add (images, image_new (entry));
    }

  /* Each overlay, under its base. */
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      Entry *base;
      GPtrArray *names;

      if (!entry->backing_exists || (base = g_hash_table_lookup (by_id, &entry->backing_id)) == NULL)
        continue;
      names = g_hash_table_lookup (overlays, base);
      if (names == NULL)
        {
          names = g_ptr_array_new ();
          g_hash_table_insert (overlays, base, names);
        }
      g_ptr_array_add (names, ((PvmImage *) g_ptr_array_index (images, i))->name);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (entries, i);
      PvmImage *image = g_ptr_array_index (images, i);
      GPtrArray *names = g_hash_table_lookup (overlays, entry);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      if (names != NULL)
        {
          pvm_names_sort (names, NULL);
          for (guint j = 0; j < names->len; j++)
            g_strv_builder_add (builder, g_ptr_array_index (names, j));
        }
      image->overlays = g_strv_builder_end (builder);
      image->is_protected = image->overlays[0] != NULL;

      if (entry->is_qcow2)
        follow_chain (entry, image, by_id, outside);
      else
        image->chain = g_new0 (char *, 1);

      set_problem (image, entry);
      image->usable = image->problem == NULL;
    }

  pvm_names_sort (images, get_image_name);
  return g_steal_pointer (&images);
}

/* The image @name of @images: the file named @name, else @name.qcow2. */
static PvmImage *
find_image (GPtrArray  *images,
            const char *name)
{
  g_autofree char *with_suffix = g_strconcat (name, QCOW2_SUFFIX, NULL);
  const char *wanted[] = { name, with_suffix };

  for (guint w = 0; w < G_N_ELEMENTS (wanted); w++)
    for (guint i = 0; i < images->len; i++)
      {
        PvmImage *image = g_ptr_array_index (images, i);
        const char *file_name = strrchr (image->path, '/') + 1;

        if (g_str_equal (file_name, wanted[w]))
          return pvm_image_ref (image);
      }

  return NULL;
}

/**
 * pvm_image_repo_info:
 * @self: a repository
 * @name: an image's name, or its file name
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the image, as pvm_image_repo_list() lists it,
 *   or %NULL with %PVM_ERROR_NOT_FOUND or %PVM_ERROR_INVALID_NAME
 */
PvmImage *
pvm_image_repo_info (PvmImageRepo  *self,
                     const char    *name,
                     GError       **error)
{
  g_autoptr(GPtrArray) images = NULL;
  PvmImage *image;
  const char *why;

  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if ((why = path_like (name)) != NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_NAME,
                   "Invalid image name \"%s\": %s", name, why);
      return NULL;
    }

  images = pvm_image_repo_list (self, error);
  if (images == NULL)
    return NULL;

  image = find_image (images, name);
  if (image == NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                 "There is no image \"%s\" in %s (\"pvm image list\" lists them)",
                 name, self->directory);
  return image;
}

/* --- running qemu-img ---------------------------------------------------- */

/* "(42.00/100%)", the progress qemu-img -p prints, as 0.42. */
static gboolean
parse_progress (const char *line,
                double     *fraction)
{
  g_autofree char *number = NULL;
  const char *open = strchr (line, '(');
  const char *end;
  char *parsed_end;
  double value;

  if (open == NULL || (end = strstr (open, "/100%)")) == NULL)
    return FALSE;

  /* The decimal separator follows the locale. */
  number = g_strndup (open + 1, (gsize) (end - open - 1));
  g_strdelimit (number, ",", '.');
  value = g_ascii_strtod (number, &parsed_end);
  if (parsed_end == number || *parsed_end != '\0' || value < 0.0 || value > 100.0)
    return FALSE;

  *fraction = value / 100.0;
  return TRUE;
}

/* Between fork and exec: only async-signal-safe calls. qemu-img gets a
 * process group of its own, so that Ctrl+C in a terminal reaches pVM
 * alone, which cancels cleanly; and it dies with the thread that runs it. */
static void
qemu_img_child_setup (gpointer user_data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* Runs qemu-img with @args (never through a shell) and waits for it. Its
 * messages go into the error, with @temp_path shown as @final_path, the
 * name the user knows; with @progress, it runs with -p's percentages
 * reported. Cancelling @cancellable kills it. */
static gboolean
run_qemu_img (const char * const    *args,
              const char            *temp_path,
              const char            *final_path,
              PvmImageProgressFunc   progress,
              gpointer               progress_data,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GString) messages = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *qemu_img = NULL;
  GInputStream *out;
  char buffer[4096];
  gssize n;

  qemu_img = pvm_host_find_tool ("qemu-img", "qemu-utils", error);
  if (qemu_img == NULL)
    return FALSE;

  g_ptr_array_add (argv, qemu_img);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, qemu_img_child_setup, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (process == NULL)
    return FALSE;

  /* Progress lines end in "\r", messages in "\n". */
  out = g_subprocess_get_stdout_pipe (process);
  while ((n = g_input_stream_read (out, buffer, sizeof buffer, cancellable, &local_error)) > 0)
    for (gssize i = 0; i < n; i++)
      {
        double fraction;

        if (buffer[i] != '\r' && buffer[i] != '\n')
          {
            g_string_append_c (line, buffer[i]);
            continue;
          }
        if (parse_progress (line->str, &fraction))
          {
            if (progress != NULL)
              progress (fraction, progress_data);
          }
        else if (*g_strstrip (line->str) != '\0')
          g_string_append_printf (messages, "%s%s", messages->len > 0 ? "; " : "", line->str);
        g_string_truncate (line, 0);
      }
  if (*g_strstrip (line->str) != '\0')
    g_string_append_printf (messages, "%s%s", messages->len > 0 ? "; " : "", line->str);

  if (n < 0)
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!g_subprocess_wait (process, NULL, error))
    return FALSE;
  if (g_subprocess_get_successful (process))
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (temp_path != NULL)
    g_string_replace (messages, temp_path, final_path, 0);
  if (messages->len == 0)
    g_string_assign (messages, "qemu-img failed without a message");

  if (strstr (messages->str, g_strerror (ENOSPC)) != NULL ||
      strstr (messages->str, "No space left") != NULL)
    {
      g_autofree char *directory = g_path_get_dirname (final_path);

      g_set_error (error, PVM_ERROR, PVM_ERROR_NO_SPACE,
                   "the file system of %s is full: free some space there (%s)", directory,
                   messages->str);
    }
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "%s", messages->str);
  return FALSE;
}

/* A new, empty, hidden file in @directory for the image @stem to be made
 * in (qemu-img writes it, then it is renamed into place). */
static char *
create_temp_file (const char  *directory,
                  const char  *stem,
                  int          mode,
                  GError     **error)
{
  g_autofree char *file_name = g_strdup_printf (".%s" QCOW2_SUFFIX ".XXXXXX", stem);
  g_autofree char *path = g_build_filename (directory, file_name, NULL);
  int fd = g_mkstemp_full (path, O_WRONLY | O_CLOEXEC, mode);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == ENOSPC ? PVM_ERROR_NO_SPACE :
                   saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                     ? PVM_ERROR_PERMISSION_DENIED : PVM_ERROR_FAILED,
                   "Cannot create a file in %s: %s", directory, g_strerror (saved_errno));
      return NULL;
    }

  close (fd);
  return g_steal_pointer (&path);
}

/* Moves @from to @to, unless @to exists (shared with the squash
 * repository: pvm-repo-private.h). */
gboolean
_pvm_rename_no_replace (const char  *from,
                        const char  *to,
                        GError     **error)
{
  int result = renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);

  /* File systems without RENAME_NOREPLACE: a hard link fails the same way. */
  if (result != 0 && (errno == EINVAL || errno == ENOSYS))
    {
      result = link (from, to);
      if (result == 0)
        g_unlink (from);
    }

  if (result == 0)
    return TRUE;

  if (errno == EEXIST)
    g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                 "%s appeared while it was being made: it was left as it is", to);
  else
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "Cannot create %s: %s", to,
                   g_strerror (saved_errno));
    }
  return FALSE;
}

/* The path of the new image @name: refuses a bad name and an existing
 * file (as @name, or as @name.qcow2). */
static char *
new_image_path (PvmImageRepo  *self,
                const char    *name,
                GError       **error)
{
  g_autofree char *stem = NULL;
  g_autofree char *as_given = NULL;
  g_autofree char *path = NULL;
  struct stat st;

  if (!pvm_image_check_name (name, error))
    return NULL;

  if (!g_file_test (self->directory, G_FILE_TEST_IS_DIR))
    {
      set_directory_error (error, ENOENT, self->directory);
      return NULL;
    }

  stem = dup_stem (name);
  path = g_strdup_printf ("%s/%s" QCOW2_SUFFIX, self->directory, stem);
  as_given = g_build_filename (self->directory, name, NULL);
  if (lstat (path, &st) == 0 || lstat (as_given, &st) == 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                   "An image named \"%s\" already exists (%s): choose another name, or "
                   "delete it first", stem, lstat (path, &st) == 0 ? path : as_given);
      return NULL;
    }

  return g_steal_pointer (&path);
}

/* @name's image, as listed, refusing one that pVM cannot use. */
static PvmImage *
usable_image (PvmImageRepo  *self,
              const char    *name,
              const char    *doing,
              GError       **error)
{
  g_autoptr(PvmImage) image = pvm_image_repo_info (self, name, error);

  if (image == NULL)
    {
      g_prefix_error (error, "Cannot %s \"%s\": ", doing, name);
      return NULL;
    }

  if (image->broken_path != NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "Cannot %s \"%s\": its backing file %s is missing (restore it there)",
                   doing, name, image->broken_path);
      return NULL;
    }

  if (!image->usable)
    {
      g_set_error (error, PVM_ERROR,
                   image->format == PVM_IMAGE_FORMAT_QCOW2 ? PVM_ERROR_FAILED
                                                           : PVM_ERROR_NOT_QCOW2,
                   "Cannot %s \"%s\": %s", doing, name, image->problem);
      return NULL;
    }

  return g_steal_pointer (&image);
}

/* --- create, snapshot, delete -------------------------------------------- */

/**
 * pvm_image_repo_create:
 * @self: a repository
 * @name: the new image's name (".qcow2" is added when missing)
 * @size: its virtual size in bytes (qemu-img rounds it up to 512 bytes)
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a blank qcow2 image with qemu-img, under a temporary name that
 * is renamed into place: on failure nothing is left.
 *
 * Returns: (transfer full): the new image, or %NULL with
 *   %PVM_ERROR_INVALID_NAME, %PVM_ERROR_EXISTS, %PVM_ERROR_NO_SPACE...
 */
PvmImage *
pvm_image_repo_create (PvmImageRepo  *self,
                       const char    *name,
                       guint64        size,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *path = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *final_name = NULL;

  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (size == 0 || size > (guint64) G_MAXINT64)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid size for the image \"%s\": it must be larger than zero and "
                   "fit in 63 bits", name);
      return NULL;
    }

  if ((path = new_image_path (self, name, error)) == NULL)
    return NULL;
  stem = dup_stem (name);
  if ((temp = create_temp_file (self->directory, stem, 0644, error)) == NULL)
    return NULL;

  size_text = g_strdup_printf ("%" G_GUINT64_FORMAT, size);
  {
    const char * const args[] = { "create", "-q", "-f", "qcow2", temp, size_text, NULL };

    if (!run_qemu_img (args, temp, path, NULL, NULL, cancellable, error) ||
        !_pvm_rename_no_replace (temp, path, error))
      {
        g_unlink (temp);
        g_prefix_error (error, "Cannot create the image %s: ", path);
        return NULL;
      }
  }

  final_name = g_path_get_basename (path);
  return pvm_image_repo_info (self, final_name, error);
}

/**
 * pvm_image_repo_snapshot:
 * @self: a repository
 * @base: the base image's name
 * @name: the new overlay's name (".qcow2" is added when missing)
 * @message: (out) (optional) (nullable): a note for the user when @base
 *   was made read-only on disk, or %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates an overlay of @base (qemu-img create -b), whose backing file is
 * stored relative ("base.qcow2"), so that the repository can be moved as a
 * whole. When it is @base's first overlay, @base loses its write
 * permissions (chmod a-w): from now on it must not change.
 *
 * Returns: (transfer full): the new overlay, or %NULL
 */
PvmImage *
pvm_image_repo_snapshot (PvmImageRepo  *self,
                         const char    *base,
                         const char    *name,
                         char         **message,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(PvmImage) base_image = NULL;
  g_autofree char *path = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *backing = NULL;
  g_autofree char *base_file = NULL;
  g_autofree char *final_name = NULL;
  gboolean first, made_read_only = FALSE;
  struct stat st;

  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), NULL);
  g_return_val_if_fail (base != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (message != NULL)
    *message = NULL;

  if ((path = new_image_path (self, name, error)) == NULL)
    return NULL;
  if ((base_image = usable_image (self, base, "make an overlay of", error)) == NULL)
    return NULL;

  if (stat (base_image->path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "Cannot read %s: %s",
                   base_image->path, g_strerror (saved_errno));
      return NULL;
    }
  first = !base_image->is_protected;

  /* Relative to the overlay, which is in the same directory. A colon
   * before any slash would be read by QEMU as a protocol ("nbd:"). */
  base_file = g_path_get_basename (base_image->path);
  backing = strchr (base_file, ':') != NULL ? g_strconcat ("./", base_file, NULL)
                                            : g_strdup (base_file);

  stem = dup_stem (name);
  if ((temp = create_temp_file (self->directory, stem, 0644, error)) == NULL)
    return NULL;

  {
    const char * const args[] = { "create", "-q", "-f", "qcow2", "-b", backing, "-F", "qcow2",
                                  temp, NULL };

    if (!run_qemu_img (args, temp, path, NULL, NULL, cancellable, error))
      goto failed;
  }

  if (first && (st.st_mode & 0222) != 0)
    {
      if (g_chmod (base_image->path, st.st_mode & 07555) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                       "Cannot make the base image %s read-only (%s): only its owner can, "
                       "and pVM makes no overlay of a base it cannot protect",
                       base_image->path, g_strerror (saved_errno));
          goto failed;
        }
      made_read_only = TRUE;
    }

  if (!_pvm_rename_no_replace (temp, path, error))
    goto failed;

  if (made_read_only && message != NULL)
    *message = g_strdup_printf ("%s is now read-only on disk: it is the base of %s, and "
                                "changing it would corrupt its overlays",
                                base_image->path, path);

  final_name = g_path_get_basename (path);
  return pvm_image_repo_info (self, final_name, error);

failed:
  if (made_read_only)
    g_chmod (base_image->path, st.st_mode & 07777);
  g_unlink (temp);
  g_prefix_error (error, "Cannot create the overlay %s of %s: ", path, base_image->path);
  return NULL;
}

/**
 * pvm_image_repo_delete:
 * @self: a repository
 * @name: the image's name
 * @message: (out) (optional) (nullable): a note for the user when the
 *   deleted image was the last overlay of a base that stays read-only
 * @error: return location for a #GError
 *
 * Deletes an image that no other image depends on; its backing file, if
 * any, is not touched. A base whose last overlay goes stays read-only:
 * pVM never makes a file writable again on its own.
 *
 * Returns: %TRUE if it was deleted; %FALSE with
 *   %PVM_ERROR_IMAGE_HAS_OVERLAYS for a base image
 */
gboolean
pvm_image_repo_delete (PvmImageRepo  *self,
                       const char    *name,
                       char         **message,
                       GError       **error)
{
  g_autoptr(PvmImage) image = NULL;
  g_auto(GStrv) left = NULL;

  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (message != NULL)
    *message = NULL;

  image = pvm_image_repo_info (self, name, error);
  if (image == NULL)
    {
      g_prefix_error (error, "Cannot delete \"%s\": ", name);
      return FALSE;
    }

  if (!pvm_image_check_unprotected (image->path, self->directory, PVM_IMAGE_ACCESS_DELETE, error))
    return FALSE;

  if (g_unlink (image->path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS
                     ? PVM_ERROR_PERMISSION_DENIED : PVM_ERROR_FAILED,
                   "Cannot delete %s: %s", image->path, g_strerror (saved_errno));
      return FALSE;
    }

  if (message != NULL && image->backing_path != NULL && !image->broken_path)
    {
      const char * const directories[] = { self->directory, NULL };
      struct stat st;

      left = pvm_image_find_overlays (image->backing_path, directories, NULL);
      if (left != NULL && left[0] == NULL && stat (image->backing_path, &st) == 0 &&
          (st.st_mode & 0222) == 0)
        *message = g_strdup_printf ("%s has no overlays left in the repository; it stays "
                                    "read-only. To change or boot it again, make it writable: "
                                    "chmod u+w %s", image->backing_path, image->backing_path);
    }

  return TRUE;
}

/* --- flatten ------------------------------------------------------------- */

/**
 * pvm_image_repo_flatten:
 * @self: a repository
 * @name: an overlay's name
 * @progress: (nullable) (scope call): called as qemu-img progresses, in
 *   this thread
 * @progress_data: data for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes an overlay standalone: qemu-img convert copies what the guest
 * sees, its backing files' data included, into a temporary file of the
 * repository, which then replaces the overlay (a rename: at every moment
 * the image is either the old overlay or the new standalone image). Its
 * former base is not touched. Cancelled or failed, the temporary file is
 * removed and the overlay is as it was. This blocks: the GUI uses
 * pvm_image_repo_flatten_async().
 *
 * Returns: (transfer full): the image, now standalone, or %NULL
 */
PvmImage *
pvm_image_repo_flatten (PvmImageRepo          *self,
                        const char            *name,
                        PvmImageProgressFunc   progress,
                        gpointer               progress_data,
                        GCancellable          *cancellable,
                        GError               **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *final_name = NULL;
  struct stat st;

  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if ((image = usable_image (self, name, "flatten", error)) == NULL)
    return NULL;

  if (image->backing_path == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Cannot flatten \"%s\": it has no backing file, it is already standalone",
                   name);
      return NULL;
    }

  if (!pvm_image_check_unprotected (image->path, self->directory, PVM_IMAGE_ACCESS_WRITE, error))
    return NULL;

  if (stat (image->path, &st) != 0 || (st.st_mode & 0222) == 0 || access (image->path, W_OK) != 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                   "Cannot flatten \"%s\": %s is read-only. Make it writable first "
                   "(chmod u+w %s)", name, image->path, image->path);
      return NULL;
    }

  if ((temp = create_temp_file (self->directory, image->name, 0600, error)) == NULL)
    {
      g_prefix_error (error, "Cannot flatten \"%s\": ", name);
      return NULL;
    }

  {
    const char * const args[] = { "convert", "-p", "-f", "qcow2", "-O", "qcow2", image->path,
                                  temp, NULL };

    if (!run_qemu_img (args, temp, image->path, progress, progress_data, cancellable,
                       &local_error))
      goto failed;
  }

  /* Past this point the overlay is replaced, or nothing happened. */
  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto failed;

  if ((st.st_uid != geteuid () || st.st_gid != getegid ()) &&
      chown (temp, st.st_uid, st.st_gid) != 0)
    g_debug ("Cannot give %s to %u:%u: %s", temp, (guint) st.st_uid, (guint) st.st_gid,
             g_strerror (errno));

  if (g_chmod (temp, st.st_mode & 07777) != 0 || g_rename (temp, image->path) != 0)
    {
      int saved_errno = errno;

      g_set_error (&local_error, PVM_ERROR, PVM_ERROR_FAILED, "Cannot replace %s: %s",
                   image->path, g_strerror (saved_errno));
      goto failed;
    }

  final_name = g_path_get_basename (image->path);
  return pvm_image_repo_info (self, final_name, error);

failed:
  g_unlink (temp);
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (&local_error, "Cannot flatten %s (it is unchanged): ", image->path);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

typedef struct
{
  /* Owned */
  char                 *name;
  GMainContext         *context;   /* where progress is reported */

  /* Borrowed: the caller keeps it until the callback */
  PvmImageProgressFunc  progress;
  gpointer              progress_data;
} FlattenData;

static void
flatten_data_free (FlattenData *data)
{
  g_free (data->name);
  g_main_context_unref (data->context);
  g_free (data);
}

typedef struct
{
  GTask  *task;     /* owned */
  double  fraction;
} ProgressEvent;

static void
progress_event_free (ProgressEvent *event)
{
  g_object_unref (event->task);
  g_free (event);
}

static gboolean
progress_event_dispatch (gpointer user_data)
{
  ProgressEvent *event = user_data;
  FlattenData *data = g_task_get_task_data (event->task);

  data->progress (event->fraction, data->progress_data);
  return G_SOURCE_REMOVE;
}

/* In the worker thread: passes the progress to the caller's context. */
static void
flatten_progress_cb (double   fraction,
                     gpointer user_data)
{
  GTask *task = user_data;
  FlattenData *data = g_task_get_task_data (task);
  ProgressEvent *event = g_new0 (ProgressEvent, 1);

  g_autoptr(GSource) source = g_idle_source_new ();

  /* Always through a source: g_main_context_invoke() could call it here,
   * in the worker thread. */
  event->task = g_object_ref (task);
  event->fraction = fraction;
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, progress_event_dispatch, event,
                         (GDestroyNotify) progress_event_free);
  g_source_set_static_name (source, "[pvm] flatten progress");
  g_source_attach (source, data->context);
}

static void
flatten_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  FlattenData *data = task_data;
  GError *error = NULL;
  PvmImage *image;

  image = pvm_image_repo_flatten (source_object, data->name,
                                  data->progress != NULL ? flatten_progress_cb : NULL, task,
                                  cancellable, &error);
  if (image != NULL)
    g_task_return_pointer (task, image, (GDestroyNotify) pvm_image_unref);
  else
    g_task_return_error (task, error);
}

/**
 * pvm_image_repo_flatten_async:
 * @self: a repository
 * @name: an overlay's name
 * @progress: (nullable) (scope notified): called in the thread-default
 *   main context of the caller as qemu-img progresses, never after
 *   @callback
 * @progress_data: data for @progress, kept alive by the caller until
 *   @callback runs (as g_file_copy_async() does)
 * @cancellable: (nullable): cancels the copy; the overlay stays as it was
 * @callback: called when it is done
 * @user_data: data for @callback
 *
 * pvm_image_repo_flatten() in a worker thread.
 */
void
pvm_image_repo_flatten_async (PvmImageRepo         *self,
                              const char           *name,
                              PvmImageProgressFunc  progress,
                              gpointer              progress_data,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  FlattenData *data;

  g_return_if_fail (PVM_IS_IMAGE_REPO (self));
  g_return_if_fail (name != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (FlattenData, 1);
  data->name = g_strdup (name);
  data->context = g_main_context_ref_thread_default ();
  data->progress = progress;
  data->progress_data = progress_data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_image_repo_flatten_async);
  g_task_set_task_data (task, data, (GDestroyNotify) flatten_data_free);
  /* The result says what happened: a rename that beat the cancellation
   * is a success. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, flatten_thread);
}

/**
 * pvm_image_repo_flatten_finish:
 * @self: a repository
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError (%G_IO_ERROR_CANCELLED when
 *   cancelled)
 *
 * Returns: (transfer full): the image, now standalone, or %NULL
 */
PvmImage *
pvm_image_repo_flatten_finish (PvmImageRepo  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (PVM_IS_IMAGE_REPO (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pvm_image_repo_flatten_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
