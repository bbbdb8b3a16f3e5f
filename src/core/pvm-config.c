/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-config"

#include "config.h"

#include <errno.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-config.h"
#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-hosts.h"
#include "pvm-legacy-config.h"
#include "pvm-size.h"

typedef enum
{
  KIND_STRING,
  KIND_PATH,
  KIND_LIST,
  KIND_PATH_LIST,
  KIND_SIZE_LIST,
  KIND_SIZE,
  KIND_COUNT_LIST,
  KIND_PORT,
  KIND_BOOLEAN,
  KIND_CHOICE,
  KIND_HOST_LIST,
} KeyKind;

typedef struct
{
  const char *name;
  KeyKind     kind;
  const char *choices;      /* KIND_CHOICE: "a|b", the first is the default */
  const char *description;
} KeyInfo;

/* Every setting, in the order of the original pVM.cfg, then pVM's own.
 * docs/configuration.md documents each; tests/test-config.c checks that. */
static const KeyInfo keys[] = {
  { "DRIVEREPO", KIND_PATH, NULL, "The directory of the VM images (qcow2)" },
  { "SQUASHREPO", KIND_PATH, NULL, "The directory of the SquashFS data archives" },
  { "QEMU_BIN", KIND_STRING, NULL, "The QEMU system emulator (a path, or a name looked up in PATH)" },
  { "NET_TYPE", KIND_CHOICE, "user|tap", "The network of the VMs: user, or tap (needs root)" },
  { "DRIVES", KIND_PATH_LIST, NULL, "The VM images, one per VM: their number is the number of VMs" },
  { "INDRIVES", KIND_PATH_LIST, NULL, "The inputs: SquashFS archives or directories (read-only)" },
  { "OUTDIRS", KIND_PATH_LIST, NULL, "The output directories (read-write)" },
  { "MEM", KIND_SIZE_LIST, NULL, "The memory of each VM (4G, 512M, 1.5G; a plain number is MiB)" },
  { "CORES", KIND_COUNT_LIST, NULL, "The vCPUs of each VM" },
  { "ADDITIONAL", KIND_LIST, NULL, "Additional QEMU arguments of each VM" },
  { "INIT_SSH_PORT", KIND_PORT, NULL, "The host port forwarded to the first VM's SSH port (user network)" },
  { "VM_BRIDGE", KIND_STRING, NULL, "The bridge the VMs join (tap network)" },
  { "BR_ADDR", KIND_STRING, NULL, "The bridge's address and netmask (tap network)" },
  { "LEASE_RANGE", KIND_STRING, NULL, "The DHCP range leased to the VMs (tap network)" },
  { "INSTALLING", KIND_BOOLEAN, NULL, "Whether to boot the installation media (install mode)" },
  { "INSTALL_MEDIA", KIND_PATH, NULL, "The installation media, e.g. an ISO image" },
  { "LIBVIRT_URI", KIND_STRING, NULL, "The libvirt connection the VMs run on" },
  { "CPU_MODE", KIND_CHOICE, "migration-safe|fastest", "The guest CPU: migration-safe, or fastest (KVM only)" },
  { "OUTPUT_MODE", KIND_CHOICE, "shared|disk", "The output: a shared folder (9p), or a disk image (can be saved and migrated)" },
  { "OUTPUT_DISK_SIZE", KIND_SIZE, NULL, "The size of a new output disk (OUTPUT_MODE=disk; sparse; a plain number is MiB)" },
  { "HOSTS", KIND_HOST_LIST, NULL, "Other libvirt hosts VMs can run on, as NAME=URI (local is LIBVIRT_URI)" },
};

struct _PvmConfig
{
  GObject     parent_instance;

  /* Owned: key name (static) -> GStrv, for every key */
  GHashTable *values;
  /* Owned: the key names (static) set by a file or a caller, not defaults */
  GHashTable *explicit;
};

G_DEFINE_FINAL_TYPE (PvmConfig, pvm_config, G_TYPE_OBJECT)

static const KeyInfo *
find_key (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (g_str_equal (keys[i].name, name))
      return &keys[i];
  return NULL;
}

static gboolean
kind_is_list (KeyKind kind)
{
  switch (kind)
    {
    case KIND_LIST:
    case KIND_PATH_LIST:
    case KIND_SIZE_LIST:
    case KIND_COUNT_LIST:
    case KIND_HOST_LIST:
      return TRUE;
    case KIND_STRING:
    case KIND_PATH:
    case KIND_SIZE:
    case KIND_PORT:
    case KIND_BOOLEAN:
    case KIND_CHOICE:
    default:
      return FALSE;
    }
}

static char *
expand_tilde (const char *path)
{
  if (g_str_equal (path, "~"))
    return g_strdup (g_get_home_dir ());
  if (g_str_has_prefix (path, "~/"))
    return g_build_filename (g_get_home_dir (), path + 2, NULL);
  return g_strdup (path);
}

static gboolean
validate_value (const KeyInfo  *info,
                const char     *value,
                GError        **error)
{
  guint64 number;

  switch (info->kind)
    {
    case KIND_SIZE_LIST:
    case KIND_SIZE:
      return pvm_size_parse (value, PVM_SIZE_MIB, &number, error);

    case KIND_COUNT_LIST:
      if (!g_ascii_string_to_unsigned (value, 10, 1, 4096, &number, NULL))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                       "Invalid number \"%s\": use a whole number from 1 to 4096", value);
          return FALSE;
        }
      return TRUE;

    case KIND_PORT:
      if (!g_ascii_string_to_unsigned (value, 10, 1, 65535, &number, NULL))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                       "Invalid port \"%s\": use a number from 1 to 65535", value);
          return FALSE;
        }
      return TRUE;

    case KIND_BOOLEAN:
      if (!g_str_equal (value, "true") && !g_str_equal (value, "false"))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                       "Invalid value \"%s\": use true or false", value);
          return FALSE;
        }
      return TRUE;

    case KIND_CHOICE:
      {
        g_auto(GStrv) choices = g_strsplit (info->choices, "|", -1);

        if (!g_strv_contains ((const char * const *) choices, value))
          {
            g_autofree char *list = g_strjoinv (" or ", choices);

            g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                         "Invalid value \"%s\": use %s", value, list);
            return FALSE;
          }
        return TRUE;
      }

    case KIND_HOST_LIST:
      return pvm_hosts_parse_entry (value, NULL, NULL, error);

    case KIND_STRING:
    case KIND_PATH:
    case KIND_LIST:
    case KIND_PATH_LIST:
    default:
      return TRUE;
    }
}

/* Validates @values for @info and stores them, without marking them explicit. */
static gboolean
store (PvmConfig          *self,
       const KeyInfo      *info,
       const char * const *values,
       GError            **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = values != NULL ? g_strv_length ((char **) values) : 0;

  if (!kind_is_list (info->kind) && n != 1)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "%s takes one value, not %u", info->name, n);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!validate_value (info, values[i], &local_error))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                       "%s: %s", info->name, local_error->message);
          return FALSE;
        }

      if (info->kind == KIND_PATH || info->kind == KIND_PATH_LIST)
        {
          g_autofree char *path = expand_tilde (values[i]);
          g_strv_builder_add (builder, path);
        }
      else
        g_strv_builder_add (builder, values[i]);
    }

  g_hash_table_replace (self->values, (gpointer) info->name, g_strv_builder_end (builder));
  return TRUE;
}

static void
store_default (PvmConfig  *self,
               const char *name,
               const char *value)
{
  const char *values[] = { value, NULL };
  const KeyInfo *info = find_key (name);

  g_assert (info != NULL);
  if (!store (self, info, value != NULL ? values : NULL, NULL))
    g_assert_not_reached ();
}

static void
pvm_config_finalize (GObject *object)
{
  PvmConfig *self = PVM_CONFIG (object);

  g_clear_pointer (&self->values, g_hash_table_unref);
  g_clear_pointer (&self->explicit, g_hash_table_unref);

  G_OBJECT_CLASS (pvm_config_parent_class)->finalize (object);
}

static void
pvm_config_class_init (PvmConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pvm_config_finalize;
}

/* Where the repositories are by default: $XDG_DATA_HOME/pvm for a user;
 * /var/lib/pvm for root (unless XDG_DATA_HOME says otherwise), as QEMU runs
 * as libvirt's own user under qemu:///system and cannot enter root's home. */
static char *
dup_default_data_dir (void)
{
  if (geteuid () == 0 && g_getenv ("XDG_DATA_HOME") == NULL)
    return g_strdup ("/var/lib/pvm");
  return g_build_filename (g_get_user_data_dir (), "pvm", NULL);
}

static void
pvm_config_init (PvmConfig *self)
{
  g_autofree char *data_dir = dup_default_data_dir ();
  g_autofree char *images = g_build_filename (data_dir, "images", NULL);
  g_autofree char *data = g_build_filename (data_dir, "data", NULL);

  self->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_strfreev);
  self->explicit = g_hash_table_new (g_str_hash, g_str_equal);

  /* The defaults, as docs/configuration.md lists them. */
  store_default (self, "DRIVEREPO", images);
  store_default (self, "SQUASHREPO", data);
  store_default (self, "QEMU_BIN", "qemu-system-x86_64");
  store_default (self, "NET_TYPE", "user");
  store_default (self, "DRIVES", NULL);
  store_default (self, "INDRIVES", NULL);
  store_default (self, "OUTDIRS", NULL);
  store_default (self, "MEM", "2G");
  store_default (self, "CORES", "2");
  store_default (self, "ADDITIONAL", "");
  store_default (self, "INIT_SSH_PORT", "2222");
  store_default (self, "VM_BRIDGE", "ovs-br1");
  store_default (self, "BR_ADDR", "10.0.0.1/24");
  store_default (self, "LEASE_RANGE", "10.0.0.2,10.0.0.30");
  store_default (self, "INSTALLING", "false");
  store_default (self, "INSTALL_MEDIA", "");
  store_default (self, "LIBVIRT_URI", pvm_host_get_default_uri ());
  store_default (self, "CPU_MODE", "migration-safe");
  store_default (self, "OUTPUT_MODE", "shared");
  store_default (self, "OUTPUT_DISK_SIZE", "20G");
  store_default (self, "HOSTS", NULL);

  g_assert (g_hash_table_size (self->values) == G_N_ELEMENTS (keys));
}

/**
 * pvm_config_new:
 *
 * Returns: (transfer full): a configuration holding the defaults
 */
PvmConfig *
pvm_config_new (void)
{
  return g_object_new (PVM_TYPE_CONFIG, NULL);
}

/**
 * pvm_config_copy:
 * @self: a #PvmConfig
 *
 * A copy to hand to another thread, e.g. to save it with pvm_config_save()
 * while @self may change.
 *
 * Returns: (transfer full): a new configuration with the values of @self,
 *   the same ones set explicitly
 */
PvmConfig *
pvm_config_copy (PvmConfig *self)
{
  PvmConfig *copy;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (PVM_IS_CONFIG (self), NULL);

  copy = pvm_config_new ();
  g_hash_table_iter_init (&iter, self->values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_replace (copy->values, key, g_strdupv (value));
  g_hash_table_iter_init (&iter, self->explicit);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (copy->explicit, key);
  return copy;
}

/**
 * pvm_config_dup_default_path:
 *
 * Returns: (transfer full): `$XDG_CONFIG_HOME/pvm/pvm.conf`
 */
char *
pvm_config_dup_default_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "pvm", "pvm.conf", NULL);
}

/**
 * pvm_config_list_keys:
 *
 * Returns: (transfer none): the names of every setting, in file order
 */
const char * const *
pvm_config_list_keys (void)
{
  static const char *names[G_N_ELEMENTS (keys) + 1];

  if (names[0] == NULL)
    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      names[i] = keys[i].name;

  return names;
}

/**
 * pvm_config_describe_key:
 * @key: a setting's name
 *
 * Returns: (transfer none) (nullable): a one-line description of @key,
 *   or %NULL if there is no such setting
 */
const char *
pvm_config_describe_key (const char *key)
{
  const KeyInfo *info;

  g_return_val_if_fail (key != NULL, NULL);

  info = find_key (key);
  return info != NULL ? info->description : NULL;
}

static const KeyInfo *
lookup_key (const char  *key,
            GError     **error)
{
  const KeyInfo *info = find_key (key);

  if (info == NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                 "Unknown setting \"%s\" (see docs/configuration.md for the list)", key);
  return info;
}

/**
 * pvm_config_set_list:
 * @self: a #PvmConfig
 * @key: a setting's name, e.g. "MEM"
 * @values: (array zero-terminated=1): its values; one for a single-valued key
 * @error: return location for a #GError
 *
 * Validates and sets @key. A leading "~" of a path is the home directory.
 * On error nothing changes.
 *
 * Returns: %TRUE if @values are valid for @key
 */
gboolean
pvm_config_set_list (PvmConfig          *self,
                     const char         *key,
                     const char * const *values,
                     GError            **error)
{
  const KeyInfo *info;

  g_return_val_if_fail (PVM_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!(info = lookup_key (key, error)) || !store (self, info, values, error))
    return FALSE;

  g_hash_table_add (self->explicit, (gpointer) info->name);
  return TRUE;
}

/**
 * pvm_config_set_string:
 * @self: a #PvmConfig
 * @key: a setting's name
 * @value: its value (a one-element list for a list setting)
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @value is valid for @key
 */
gboolean
pvm_config_set_string (PvmConfig   *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  const char *values[] = { value, NULL };

  g_return_val_if_fail (value != NULL, FALSE);

  return pvm_config_set_list (self, key, values, error);
}

/**
 * pvm_config_pick:
 * @self: a #PvmConfig
 * @key: a per-VM list (INDRIVES, MEM, ADDITIONAL...)
 * @index: a VM's index in DRIVES
 *
 * The original's rule: a list shorter than DRIVES repeats its last value.
 *
 * Returns: (transfer none) (nullable): the value of @key for VM @index, or
 *   %NULL when the list is empty
 */
const char *
pvm_config_pick (PvmConfig  *self,
                 const char *key,
                 guint       index)
{
  const char * const *values = pvm_config_get_list (self, key);
  guint n = g_strv_length ((char **) values);

  return n > 0 ? values[MIN (index, n - 1)] : NULL;
}

/**
 * pvm_config_get_list:
 * @self: a #PvmConfig
 * @key: a setting's name
 *
 * Returns: (transfer none) (array zero-terminated=1): the values of @key
 */
const char * const *
pvm_config_get_list (PvmConfig  *self,
                     const char *key)
{
  const char * const *values;

  g_return_val_if_fail (PVM_IS_CONFIG (self), NULL);
  g_return_val_if_fail (find_key (key) != NULL, NULL);

  values = g_hash_table_lookup (self->values, key);
  g_assert (values != NULL);
  return values;
}

/**
 * pvm_config_get_string:
 * @self: a #PvmConfig
 * @key: a single-valued setting's name
 *
 * Returns: (transfer none): the value of @key
 */
const char *
pvm_config_get_string (PvmConfig  *self,
                       const char *key)
{
  const char * const *values = pvm_config_get_list (self, key);

  g_return_val_if_fail (!kind_is_list (find_key (key)->kind), NULL);

  return values[0];
}

gboolean
pvm_config_get_boolean (PvmConfig  *self,
                        const char *key)
{
  g_return_val_if_fail (find_key (key)->kind == KIND_BOOLEAN, FALSE);

  return g_str_equal (pvm_config_get_string (self, key), "true");
}

guint
pvm_config_get_uint (PvmConfig  *self,
                     const char *key)
{
  guint64 value;

  g_return_val_if_fail (find_key (key)->kind == KIND_PORT, 0);

  if (!g_ascii_string_to_unsigned (pvm_config_get_string (self, key), 10, 0, G_MAXUINT,
                                   &value, NULL))
    g_assert_not_reached ();
  return (guint) value;
}

PvmNetType
pvm_config_get_net_type (PvmConfig *self)
{
  return g_str_equal (pvm_config_get_string (self, "NET_TYPE"), "tap")
    ? PVM_NET_TYPE_TAP : PVM_NET_TYPE_USER;
}

PvmCpuMode
pvm_config_get_cpu_mode (PvmConfig *self)
{
  return g_str_equal (pvm_config_get_string (self, "CPU_MODE"), "fastest")
    ? PVM_CPU_MODE_FASTEST : PVM_CPU_MODE_MIGRATION_SAFE;
}

PvmOutputMode
pvm_config_get_output_mode (PvmConfig *self)
{
  return g_str_equal (pvm_config_get_string (self, "OUTPUT_MODE"), "disk")
    ? PVM_OUTPUT_MODE_DISK : PVM_OUTPUT_MODE_SHARED;
}

/**
 * pvm_config_get_output_disk_size:
 * @self: a #PvmConfig
 *
 * Returns: OUTPUT_DISK_SIZE, in bytes
 */
guint64
pvm_config_get_output_disk_size (PvmConfig *self)
{
  guint64 size = 0;

  g_return_val_if_fail (PVM_IS_CONFIG (self), 0);

  /* Valid: it was checked when it was set. */
  if (!pvm_size_parse (pvm_config_get_string (self, "OUTPUT_DISK_SIZE"), PVM_SIZE_MIB, &size,
                       NULL))
    g_return_val_if_reached (0);
  return size;
}

static gboolean
load_legacy (PvmConfig   *self,
             const char  *path,
             const char  *contents,
             gsize        length,
             GError     **error)
{
  g_autoptr(GHashTable) variables = NULL;
  g_autoptr(GError) local_error = NULL;

  variables = pvm_legacy_config_parse (contents, length, path, g_get_home_dir (), error);
  if (variables == NULL)
    return FALSE;

  /* Other variables are the file's own helpers (for ${...}): not settings. */
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char * const *values = g_hash_table_lookup (variables, keys[i].name);

      if (values == NULL)
        continue;

      if (!pvm_config_set_list (self, keys[i].name, values, &local_error))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG,
                       "%s: %s", path, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
load_native (PvmConfig   *self,
             const char  *path,
             const char  *contents,
             gsize        length,
             GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) names = NULL;

  if (!g_key_file_load_from_data (key_file, contents, length, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG,
                   "%s: %s", path, local_error->message);
      return FALSE;
    }

  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (!g_str_equal (groups[i], PVM_CONFIG_GROUP))
      {
        g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG,
                     "%s: unknown group [%s]: pVM's settings are in [" PVM_CONFIG_GROUP "]",
                     path, groups[i]);
        return FALSE;
      }

  if (!g_key_file_has_group (key_file, PVM_CONFIG_GROUP))
    return TRUE;

  names = g_key_file_get_keys (key_file, PVM_CONFIG_GROUP, NULL, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const KeyInfo *info = find_key (names[i]);
      g_auto(GStrv) values = NULL;

      if (info == NULL)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG,
                       "%s: unknown setting \"%s\" in [" PVM_CONFIG_GROUP "] "
                       "(see docs/configuration.md for the list)", path, names[i]);
          return FALSE;
        }

      if (kind_is_list (info->kind))
        values = g_key_file_get_string_list (key_file, PVM_CONFIG_GROUP, names[i], NULL,
                                             &local_error);
      else
        {
          char *value = g_key_file_get_string (key_file, PVM_CONFIG_GROUP, names[i],
                                               &local_error);
          if (value != NULL)
            {
              values = g_new0 (char *, 2);
              values[0] = value;
            }
        }

      if (local_error != NULL)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG,
                       "%s: %s: %s", path, names[i], local_error->message);
          return FALSE;
        }

      if (!pvm_config_set_list (self, info->name, (const char * const *) values, &local_error))
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG,
                       "%s: %s", path, local_error->message);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * pvm_config_load_file:
 * @self: a #PvmConfig
 * @path: a native pvm.conf key file or an original pVM.cfg
 * @format: (out) (optional): which of the two @path was
 * @error: return location for a #GError
 *
 * Reads @path over the current values. An original pVM.cfg is parsed, never
 * run. Errors name the file (and the line, where there is one). On error
 * some settings may have been read: load into a fresh #PvmConfig.
 *
 * Returns: %TRUE on success
 */
gboolean
pvm_config_load_file (PvmConfig        *self,
                      const char       *path,
                      PvmConfigFormat  *format,
                      GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (PVM_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      int code = PVM_ERROR_FAILED;

      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        code = PVM_ERROR_NOT_FOUND;
      else if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
        code = PVM_ERROR_PERMISSION_DENIED;
      g_set_error (error, PVM_ERROR, code, "Cannot read the configuration: %s",
                   local_error->message);
      return FALSE;
    }

  if (pvm_legacy_config_sniff (contents, length))
    {
      if (format != NULL)
        *format = PVM_CONFIG_FORMAT_LEGACY;
      return load_legacy (self, path, contents, length, error);
    }

  if (format != NULL)
    *format = PVM_CONFIG_FORMAT_NATIVE;
  return load_native (self, path, contents, length, error);
}

/**
 * pvm_config_load_default:
 * @self: a #PvmConfig
 * @loaded_path: (out) (optional): the file read, or %NULL if there is none
 * @error: return location for a #GError
 *
 * Reads `$XDG_CONFIG_HOME/pvm/pvm.conf` if it exists.
 *
 * Returns: %TRUE if there is no such file or it was read
 */
gboolean
pvm_config_load_default (PvmConfig  *self,
                         char      **loaded_path,
                         GError    **error)
{
  g_autofree char *path = pvm_config_dup_default_path ();

  g_return_val_if_fail (PVM_IS_CONFIG (self), FALSE);

  if (loaded_path != NULL)
    *loaded_path = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;

  if (!pvm_config_load_file (self, path, NULL, error))
    return FALSE;

  if (loaded_path != NULL)
    *loaded_path = g_steal_pointer (&path);
  return TRUE;
}

/**
 * pvm_config_to_data:
 * @self: a #PvmConfig
 *
 * Returns: (transfer full): the settings that were set (not the defaults)
 *   as a native key file
 */
char *
pvm_config_to_data (PvmConfig *self)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();

  g_return_val_if_fail (PVM_IS_CONFIG (self), NULL);

  g_key_file_set_comment (key_file, NULL, NULL,
                          " pVM configuration: the settings of the original pVM.cfg, and pVM's own."
                          "\n Lists (DRIVES, INDRIVES, OUTDIRS, MEM, CORES, ADDITIONAL) are separated"
                          "\n by \";\". Every setting and its default: docs/configuration.md",
                          NULL);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char * const *values;

      if (!g_hash_table_contains (self->explicit, keys[i].name))
        continue;

      values = g_hash_table_lookup (self->values, keys[i].name);
      if (kind_is_list (keys[i].kind))
        g_key_file_set_string_list (key_file, PVM_CONFIG_GROUP, keys[i].name, values,
                                    g_strv_length ((char **) values));
      else
        g_key_file_set_string (key_file, PVM_CONFIG_GROUP, keys[i].name, values[0]);
    }

  return g_key_file_to_data (key_file, NULL, NULL);
}

/**
 * pvm_config_save:
 * @self: a #PvmConfig
 * @path: where to write the native key file
 * @error: return location for a #GError
 *
 * Writes pvm_config_to_data() atomically: @path holds either its old
 * contents or the new ones, never a part.
 *
 * Returns: %TRUE on success
 */
gboolean
pvm_config_save (PvmConfig   *self,
                 const char  *path,
                 GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (PVM_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = pvm_config_to_data (self);
  dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "Cannot create the directory %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_file_set_contents_full (path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644,
                                 &local_error))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                   "Cannot write the configuration: %s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

/**
 * pvm_config_split_list:
 * @text: a comma-separated list, as the command line's -d, -i, -o, -m, -c, -a
 *
 * Splits @text at commas, as the original pVM did. A comma inside a value is
 * written "\,", a backslash before a comma "\\"; any other backslash is kept.
 * "" is one empty value.
 *
 * Returns: (transfer full): the values
 */
char **
pvm_config_split_list (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) value = g_string_new (NULL);

  g_return_val_if_fail (text != NULL, NULL);

  for (const char *p = text; ; p++)
    {
      if (*p == '\\' && (p[1] == ',' || (p[1] == '\\' && p[2] == ',')))
        g_string_append_c (value, *++p);
      else if (*p == ',' || *p == '\0')
        {
          g_strv_builder_add (builder, value->str);
          g_string_truncate (value, 0);
          if (*p == '\0')
            break;
        }
      else
        g_string_append_c (value, *p);
    }

  return g_strv_builder_end (builder);
}

/**
 * pvm_config_ensure_repository:
 * @self: a #PvmConfig
 * @key: "DRIVEREPO" or "SQUASHREPO"
 * @error: return location for a #GError
 *
 * The repository directory of @key, made first if it is pVM's default
 * (under the user's data directory) and does not exist yet: a new user's
 * first image or archive needs no mkdir. A directory the user chose is
 * never made: a typo there must not create a repository elsewhere.
 *
 * Returns: (transfer none): the directory, or %NULL if the default one
 *   cannot be made
 */
const char *
pvm_config_ensure_repository (PvmConfig   *self,
                           const char  *key,
                           GError     **error)
{
  const char *directory;

  g_return_val_if_fail (PVM_IS_CONFIG (self), NULL);
  g_return_val_if_fail (g_str_equal (key, "DRIVEREPO") || g_str_equal (key, "SQUASHREPO"), NULL);

  directory = pvm_config_get_string (self, key);
  if (!g_hash_table_contains (self->explicit, key) &&
      !g_file_test (directory, G_FILE_TEST_IS_DIR) && g_mkdir_with_parents (directory, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PVM_ERROR,
                   saved_errno == EACCES ? PVM_ERROR_PERMISSION_DENIED : PVM_ERROR_FAILED,
                   "Cannot create the default repository %s (%s): %s", directory, key,
                   g_strerror (saved_errno));
      return NULL;
    }
  return directory;
}
