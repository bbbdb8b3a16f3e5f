/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-media.h: what an installation ISO is (libosinfo's database), the
 * resources to propose for it, and how pVM's install scripts serve it. */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What pVM proposes when the OS database says nothing. */
#define PVM_MEDIA_DEFAULT_MEMORY (G_GUINT64_CONSTANT (2) << 30)
#define PVM_MEDIA_DEFAULT_CORES  2
#define PVM_MEDIA_DEFAULT_DISK   (G_GUINT64_CONSTANT (20) << 30)

/* install_scripts/generic: for any OS without scripts of its own. */
#define PVM_MEDIA_GENERIC_SCRIPTS "generic"

#define PVM_TYPE_MEDIA (pvm_media_get_type ())

/**
 * PvmMedia:
 * @path: the ISO's absolute path
 * @volume_id: (nullable): the ISO 9660 volume ID, e.g. "ARCH_202611"
 * @recognized: libosinfo's database knows the OS of this medium
 * @os_id: (nullable): the OS's libosinfo ID, e.g.
 *   "http://archlinux.org/archlinux/rolling", when recognized
 * @short_id: (nullable): its short ID, e.g. "archlinux", when recognized
 * @name: a name for people: the OS's ("Arch Linux"), or the volume ID when
 *   not recognized
 * @live: the medium is a live system (libosinfo says so)
 * @memory_bytes: the memory to propose: the OS's recommended, else its
 *   minimum, else %PVM_MEDIA_DEFAULT_MEMORY
 * @cores: the vCPUs to propose, likewise (at most this host's CPUs)
 * @disk_bytes: the disk size to propose, likewise
 * @memory_source, @cores_source, @disk_source: where each came from:
 *   "recommended", "minimum" or "default"
 * @scripts: the install_scripts subdirectory for this OS: "arch" for
 *   Arch Linux, %PVM_MEDIA_GENERIC_SCRIPTS for any other
 * @instructions: what to do in the guest, for people: how to mount the
 *   install share and which script to run (plain text, commands indented)
 *
 * An installation medium, as pvm_media_identify() found it. Reference
 * counted: pvm_media_ref(), pvm_media_unref(). The fields are read-only.
 */
typedef struct
{
  char       *path;
  char       *volume_id;
  gboolean    recognized;
  char       *os_id;
  char       *short_id;
  char       *name;
  gboolean    live;

  guint64     memory_bytes;
  guint       cores;
  guint64     disk_bytes;
  const char *memory_source;
  const char *cores_source;
  const char *disk_source;

  char       *scripts;
  char       *instructions;
} PvmMedia;

GType      pvm_media_get_type         (void) G_GNUC_CONST;
PvmMedia  *pvm_media_ref              (PvmMedia             *media);
void       pvm_media_unref            (PvmMedia             *media);
JsonNode  *pvm_media_to_json          (PvmMedia             *media);

char      *pvm_media_dup_instructions (const char           *scripts);

PvmMedia  *pvm_media_identify         (const char           *iso_path,
                                       GCancellable         *cancellable,
                                       GError              **error);
void       pvm_media_identify_async   (const char           *iso_path,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
PvmMedia  *pvm_media_identify_finish  (GAsyncResult         *result,
                                       GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmMedia, pvm_media_unref)

G_END_DECLS
