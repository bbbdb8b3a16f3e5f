/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-media.c: identifies an installation ISO with libosinfo: its volume
 * descriptor (volume, system, publisher and application IDs) is matched
 * against the OS database (osinfo-db), whose entry gives the OS's name and
 * the resources it recommends. */

#define G_LOG_DOMAIN "pvm-media"

#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <osinfo/osinfo.h>

#include "pvm-error.h"
#include "pvm-media.h"

G_DEFINE_BOXED_TYPE (PvmMedia, pvm_media, pvm_media_ref, pvm_media_unref)

/* The OS database, read once; libosinfo is not thread-safe, so every use
 * holds the lock. */
G_LOCK_DEFINE_STATIC (osinfo);
static OsinfoLoader *osinfo_loader;

/* OSes with install scripts of their own, by libosinfo's distro name. */
static const struct
{
  const char *distro;
  const char *scripts;
} os_scripts[] = {
  { "archlinux", "arch" },
};

/* The share's mount commands, as install_scripts/README.md gives them. */
#define MOUNT_COMMANDS \
  "    mkdir -p /mnt/install\n" \
  "    mount -t 9p -o trans=virtio,version=9p2000.L,ro install /mnt/install\n"

PvmMedia *
pvm_media_ref (PvmMedia *media)
{
  g_return_val_if_fail (media != NULL, NULL);

  return g_atomic_rc_box_acquire (media);
}

static void
media_clear (PvmMedia *media)
{
  g_free (media->path);
  g_free (media->volume_id);
  g_free (media->os_id);
  g_free (media->short_id);
  g_free (media->name);
  g_free (media->scripts);
  g_free (media->instructions);
}

void
pvm_media_unref (PvmMedia *media)
{
  if (media != NULL)
    g_atomic_rc_box_release_full (media, (GDestroyNotify) media_clear);
}

/**
 * pvm_media_to_json:
 * @media: a medium
 *
 * Returns: (transfer full): @media as a JSON object, for "pvm install --json"
 */
JsonNode *
pvm_media_to_json (PvmMedia *media)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (media != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "path");
  json_builder_add_string_value (builder, media->path);
  json_builder_set_member_name (builder, "volume_id");
  json_builder_add_string_value (builder, media->volume_id);
  json_builder_set_member_name (builder, "recognized");
  json_builder_add_boolean_value (builder, media->recognized);
  json_builder_set_member_name (builder, "os_id");
  json_builder_add_string_value (builder, media->os_id);
  json_builder_set_member_name (builder, "short_id");
  json_builder_add_string_value (builder, media->short_id);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, media->name);
  json_builder_set_member_name (builder, "memory_bytes");
  json_builder_add_int_value (builder, (gint64) media->memory_bytes);
  json_builder_set_member_name (builder, "cores");
  json_builder_add_int_value (builder, media->cores);
  json_builder_set_member_name (builder, "disk_bytes");
  json_builder_add_int_value (builder, (gint64) media->disk_bytes);
  json_builder_set_member_name (builder, "scripts");
  json_builder_add_string_value (builder, media->scripts);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/**
 * pvm_media_dup_instructions:
 * @scripts: an install_scripts subdirectory: "arch", or
 *   %PVM_MEDIA_GENERIC_SCRIPTS
 *
 * Returns: (transfer full): what to do in the installing guest with the
 *   install share, for people
 */
char *
pvm_media_dup_instructions (const char *scripts)
{
  g_return_val_if_fail (scripts != NULL, NULL);

  if (g_str_equal (scripts, "arch"))
    return g_strdup ("In the installer's shell (you are root), mount the install share and run "
                     "pVM's Arch Linux script. It wipes the VM's disk, installs Arch Linux (it "
                     "downloads the packages) and powers the VM off:\n"
                     "\n"
                     MOUNT_COMMANDS
                     "    /mnt/install/install_scripts/arch/install.sh\n"
                     "\n"
                     "The share also holds your SSH public key (ssh.pub) and the new system's "
                     "host name, user, time zone and locale (pvm-install.conf).");

  return g_strdup ("Install the system with its own installer, with an OpenSSH server and "
                   "your user. Before it reboots, in a root shell where the new system is "
                   "mounted (/target in Debian's installer, /mnt/sysroot in Fedora's), make it "
                   "a pVM guest:\n"
                   "\n"
                   MOUNT_COMMANDS
                   "    /mnt/install/install_scripts/generic/pvm-guest-setup --root /target\n"
                   "\n"
                   "Then power the VM off: the installation is over when the VM is off. If it "
                   "reboots into the installer again, power it off from there, or stop the "
                   "VM.");
}

/* The resources of @list that apply to an x86_64 guest: "x86_64" before
 * "all". Borrowed from @list. */
static OsinfoResources *
pick_resources (OsinfoResourcesList *list)
{
  OsinfoResources *all = NULL;

  for (int i = 0; list != NULL && i < osinfo_list_get_length (OSINFO_LIST (list)); i++)
    {
      OsinfoResources *resources = OSINFO_RESOURCES (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *arch = osinfo_resources_get_architecture (resources);

      if (g_strcmp0 (arch, "x86_64") == 0)
        return resources;
      if (g_strcmp0 (arch, OSINFO_ARCHITECTURE_ALL) == 0)
        all = resources;
    }
  return all;
}

/* Fills @media's proposals from @os: recommended, else minimum, else
 * pVM's defaults. */
static void
set_resources (PvmMedia *media,
               OsinfoOs *os)
{
  g_autoptr(OsinfoResourcesList) recommended_list = NULL;
  g_autoptr(OsinfoResourcesList) minimum_list = NULL;
  OsinfoResources *tiers[2] = { NULL, NULL };
  static const char * const tier_names[] = { "recommended", "minimum" };

  media->memory_bytes = PVM_MEDIA_DEFAULT_MEMORY;
  media->cores = PVM_MEDIA_DEFAULT_CORES;
  media->disk_bytes = PVM_MEDIA_DEFAULT_DISK;
  media->memory_source = media->cores_source = media->disk_source = "default";

  if (os != NULL)
    {
      recommended_list = osinfo_os_get_recommended_resources (os);
      minimum_list = osinfo_os_get_minimum_resources (os);
      tiers[0] = pick_resources (recommended_list);
      tiers[1] = pick_resources (minimum_list);
    }

  /* The last tier that has a value wins, so walk from the least wanted. */
  for (int t = G_N_ELEMENTS (tiers) - 1; t >= 0; t--)
    {
      gint64 ram, storage;
      int cpus;

      if (tiers[t] == NULL)
        continue;
      ram = osinfo_resources_get_ram (tiers[t]);
      cpus = osinfo_resources_get_n_cpus (tiers[t]);
      storage = osinfo_resources_get_storage (tiers[t]);
      if (ram > 0)
        {
          media->memory_bytes = (guint64) ram;
          media->memory_source = tier_names[t];
        }
      if (cpus > 0)
        {
          media->cores = (guint) cpus;
          media->cores_source = tier_names[t];
        }
      if (storage > 0)
        {
          media->disk_bytes = (guint64) storage;
          media->disk_source = tier_names[t];
        }
    }

  media->cores = CLAMP (media->cores, 1, (guint) MAX (g_get_num_processors (), 1));
}

static const char *
scripts_for_os (OsinfoOs *os)
{
  const char *distro = os != NULL ? osinfo_os_get_distro (os) : NULL;

  for (guint i = 0; distro != NULL && i < G_N_ELEMENTS (os_scripts); i++)
    if (g_str_equal (distro, os_scripts[i].distro))
      return os_scripts[i].scripts;
  return PVM_MEDIA_GENERIC_SCRIPTS;
}

/* libosinfo's errors about the ISO, as what they mean for the user. */
static void
set_media_error (GError      **error,
                 const char   *path,
                 const GError *osinfo_error)
{
  if (osinfo_error->domain == OSINFO_MEDIA_ERROR &&
      osinfo_error->code == OSINFO_MEDIA_ERROR_NOT_BOOTABLE)
    g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                 "%s is not bootable: an installation medium boots from a CD or DVD, and this "
                 "ISO image has no boot record. Choose the installation ISO of the OS", path);
  else if (osinfo_error->domain == OSINFO_MEDIA_ERROR)
    g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                 "%s is not an ISO 9660 image of a CD or DVD (%s): choose the installation "
                 "ISO of the OS", path, osinfo_error->message);
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED, "Cannot read %s: %s", path,
                 osinfo_error->message);
}

/* The ISO is a readable file: libosinfo's own messages for these are
 * about URIs and volume descriptors. */
static gboolean
check_file (const char  *path,
            GError     **error)
{
  struct stat st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR, saved_errno == ENOENT ? PVM_ERROR_NOT_FOUND
                                                             : PVM_ERROR_PERMISSION_DENIED,
                   "The ISO %s %s", path, saved_errno == ENOENT ? "does not exist: check the "
                   "path" : g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "%s is not a file: choose the installation ISO image itself", path);
      return FALSE;
    }
  if (g_access (path, R_OK) != 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                   "Cannot read the ISO %s: you have no read permission on it", path);
      return FALSE;
    }
  return TRUE;
}

/**
 * pvm_media_identify:
 * @iso_path: an installation ISO
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Reads the ISO's volume descriptor and looks it up in libosinfo's OS
 * database (osinfo-db). An ISO that the database does not know is no
 * error: it comes back with @recognized %FALSE, its volume ID and pVM's
 * default resources. Reads the file and the database: blocking, see
 * pvm_media_identify_async().
 *
 * Returns: (transfer full): the medium, or %NULL when the file is missing,
 *   unreadable, not an ISO 9660 image or not bootable
 */
PvmMedia *
pvm_media_identify (const char    *iso_path,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(PvmMedia) media = NULL;
  g_autoptr(OsinfoMedia) osinfo_media = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  OsinfoOs *os = NULL;

  g_return_val_if_fail (iso_path != NULL, NULL);

  path = g_canonicalize_filename (iso_path, NULL);
  if (!check_file (path, error))
    return NULL;

  osinfo_media = osinfo_media_create_from_location (path, cancellable, &local_error);
  if (osinfo_media == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_media_error (error, path, local_error);
      return NULL;
    }

  media = g_atomic_rc_box_new0 (PvmMedia);
  media->path = g_steal_pointer (&path);
  media->volume_id = g_strdup (osinfo_media_get_volume_id (osinfo_media));
  if (media->volume_id != NULL)
    g_strstrip (media->volume_id);

  G_LOCK (osinfo);
  if (osinfo_loader == NULL)
    {
      osinfo_loader = osinfo_loader_new ();
      /* A database with a broken file still knows the others. */
      osinfo_loader_process_default_path (osinfo_loader, &local_error);
      if (local_error != NULL)
        g_debug ("Reading the OS database: %s", local_error->message);
      g_clear_error (&local_error);
    }
  if (osinfo_db_identify_media (osinfo_loader_get_db (osinfo_loader), osinfo_media))
    os = osinfo_media_get_os (osinfo_media);

  media->recognized = os != NULL;
  if (os != NULL)
    {
      media->os_id = g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os)));
      media->short_id = g_strdup (osinfo_product_get_short_id (OSINFO_PRODUCT (os)));
      media->name = g_strdup (osinfo_product_get_name (OSINFO_PRODUCT (os)));
      media->live = osinfo_media_get_live (osinfo_media);
    }
  set_resources (media, os);
  media->scripts = g_strdup (scripts_for_os (os));
  g_clear_object (&os);
  G_UNLOCK (osinfo);

  if (media->name == NULL)
    media->name = g_strdup (media->volume_id != NULL && *media->volume_id != '\0'
                            ? media->volume_id : "unknown");
  media->instructions = pvm_media_dup_instructions (media->scripts);
  return g_steal_pointer (&media);
}

static void
identify_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GError *error = NULL;
  PvmMedia *media = pvm_media_identify (task_data, cancellable, &error);

  if (media != NULL)
    g_task_return_pointer (task, media, (GDestroyNotify) pvm_media_unref);
  else
    g_task_return_error (task, error);
}

/**
 * pvm_media_identify_async:
 * @iso_path: an installation ISO
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * pvm_media_identify() in a thread.
 */
void
pvm_media_identify_async (const char          *iso_path,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (iso_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_media_identify_async);
  g_task_set_task_data (task, g_strdup (iso_path), g_free);
  g_task_run_in_thread (task, identify_thread);
}

/**
 * pvm_media_identify_finish:
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the medium, or %NULL
 */
PvmMedia *
pvm_media_identify_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
