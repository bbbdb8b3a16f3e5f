/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-launcher"

#include "config.h"

/* O_DIRECT */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-autocleanups.h"
#include "pvm-domain-private.h"
#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-hosts.h"
#include "pvm-install.h"
#include "pvm-launcher.h"
#include "pvm-network.h"
#include "pvm-output-disk.h"
#include "pvm-vm.h"

struct _PvmLauncher
{
  GObject         parent_instance;

  /* Owned */
  GVirConnection *connection;
  PvmConfig      *config;

  /* Set by the last launch, read on the main thread after it finished */
  const char     *domain_type;
  GPtrArray      *warnings;
};

G_DEFINE_FINAL_TYPE (PvmLauncher, pvm_launcher, G_TYPE_OBJECT)

/* One VM of a launch, from its definition to its start. */
typedef struct
{
  PvmVmPlan        *vm;             /* borrowed from the plan */
  char             *domain_name;
  char             *serial_log;
  GVirConfigDomain *config;         /* what pVM defines */
  GVirConfigDomain *old_config;     /* the definition it replaces, if any */
  GVirDomain       *domain;         /* once defined */
  GPtrArray        *created_dirs;   /* the output and its parents pVM made, top first */
  PvmDomainOptions  options;        /* how the domain is built; strings below or borrowed */
  char             *uuid;
  char             *output_disk;    /* OUTPUT_MODE=disk */
  gboolean          created_disk;
  char             *install_share;  /* install mode */
  char             *agent_socket;   /* see pvm_domain_dup_agent_socket () */
  char             *mac;            /* NET_TYPE=tap: the MAC of the definition it replaces */
  gboolean          started;
  GError           *start_error;
  gboolean          chown_output;   /* root, QEMU another user: give it the output pVM makes */
} Slot;

/* The user QEMU runs as under a system daemon, looked up once a launch. */
typedef struct
{
  uid_t  uid;
  gid_t  gid;
  char  *name;                      /* its login name, else its number */
  gid_t  groups[64];                /* its group and those it is a member of */
  int    n_groups;
} QemuUser;

typedef struct
{
  PvmPlan    *plan;                 /* borrowed: the caller keeps it alive */
  GPtrArray  *slots;                /* Slot */
  char       *emulator;
  PvmCpuMode  cpu_mode;
  gboolean    output_disk;
  guint64     output_disk_size;
  gboolean    installing;
  PvmNetwork *network;              /* NET_TYPE=tap, else NULL */
  gboolean    network_defined;      /* by this launch */
  gboolean    network_started;
  char       *install_media;        /* absolute */
  const char *domain_type;
  gboolean    qemu_other_user;      /* QEMU runs as another user (a system daemon): */
  QemuUser    qemu;                 /* that user */
  GPtrArray  *warnings;             /* char* */
} LaunchData;

static void
slot_free (Slot *slot)
{
  g_free (slot->domain_name);
  g_free (slot->serial_log);
  g_clear_object (&slot->config);
  g_clear_object (&slot->old_config);
  g_free (slot->mac);
  g_clear_object (&slot->domain);
  g_clear_error (&slot->start_error);
  g_clear_pointer (&slot->created_dirs, g_ptr_array_unref);
  g_free (slot->uuid);
  g_free (slot->output_disk);
  g_free (slot->install_share);
  g_free (slot->agent_socket);
  g_free (slot);
}

static void
launch_data_free (LaunchData *data)
{
  g_ptr_array_unref (data->slots);
  g_free (data->emulator);
  g_free (data->install_media);
  g_free (data->qemu.name);
  g_clear_pointer (&data->network, pvm_network_free);
  g_ptr_array_unref (data->warnings);
  g_free (data);
}

static void
pvm_launcher_finalize (GObject *object)
{
  PvmLauncher *self = PVM_LAUNCHER (object);

  g_clear_pointer (&self->connection, pvm_connection_release);
  g_clear_object (&self->config);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);

  G_OBJECT_CLASS (pvm_launcher_parent_class)->finalize (object);
}

static void
pvm_launcher_class_init (PvmLauncherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pvm_launcher_finalize;
}

static void
pvm_launcher_init (PvmLauncher *self)
{
  self->warnings = g_ptr_array_new_null_terminated (0, g_free, TRUE);
}

/**
 * pvm_launcher_new:
 * @connection: an open libvirt connection
 * @config: the configuration the plans were made from (QEMU_BIN, CPU_MODE)
 *
 * Returns: (transfer full): a launcher
 */
PvmLauncher *
pvm_launcher_new (GVirConnection *connection,
                  PvmConfig      *config)
{
  PvmLauncher *self;

  g_return_val_if_fail (GVIR_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (PVM_IS_CONFIG (config), NULL);

  self = g_object_new (PVM_TYPE_LAUNCHER, NULL);
  self->connection = g_object_ref (connection);
  self->config = g_object_ref (config);
  return self;
}

/* ------------------------------------------------------------------ */
/* What the host offers                                               */

/* Whether files named in domains of @connection are files of this host. */
static gboolean
connection_is_local (GVirConnection *connection)
{
  return pvm_hosts_uri_is_local (gvir_connection_get_uri (connection));
}

/* cache='none' opens files with O_DIRECT, which some file systems (tmpfs)
 * refuse. */
static gboolean
supports_direct_io (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_DIRECT | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      close (fd);
      return TRUE;
    }
  return errno != EINVAL;
}

/* Whether the file system that has, or will have, the directory @path
 * keeps user extended attributes, which a 9p share in mapped mode stores
 * the guest's owners and modes in. Asks the nearest existing directory
 * (a missing output is made in it) for one, changing nothing: tmpfs before
 * Linux 6.6, FAT and NFSv3 answer that they keep none. */
static gboolean
supports_user_xattrs (const char *path)
{
  g_autofree char *existing = pvm_host_dup_nearest_existing (path);

  if (getxattr (existing, "user.pvm", NULL, 0) >= 0)
    return TRUE;
  return errno != ENOTSUP;
}

/* Whether QEMU runs as a user other than us: under the system daemon it
 * has one of its own (libvirt-qemu on Debian), which the capabilities
 * @caps name in the DAC model's base label for each domain type
 * ("+64055:+64055"); under a session daemon it runs as us. Fills @user
 * when it is another. FALSE when libvirt does not say. */
static gboolean
get_qemu_user (GVirConfigCapabilities *caps,
               const char             *domain_type,
               QemuUser               *user)
{
  g_autofree char *xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (caps));
  g_autofree char *pattern = NULL;
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *uid_text = NULL;
  g_autofree char *gid_text = NULL;
  struct passwd *pw;

  pattern = g_strdup_printf ("<baselabel type=['\"]%s['\"]>\\+?([0-9]+):\\+?([0-9]+)</baselabel>",
                             domain_type);
  regex = g_regex_new (pattern, 0, 0, NULL);
  if (!g_regex_match (regex, xml, 0, &match))
    return FALSE;
  uid_text = g_match_info_fetch (match, 1);
  gid_text = g_match_info_fetch (match, 2);
  user->uid = (uid_t) g_ascii_strtoull (uid_text, NULL, 10);
  user->gid = (gid_t) g_ascii_strtoull (gid_text, NULL, 10);
  if (user->uid == geteuid ())
    return FALSE;

  pw = getpwuid (user->uid);
  user->name = pw != NULL ? g_strdup (pw->pw_name) : g_strdup_printf ("%u", (guint) user->uid);
  user->n_groups = G_N_ELEMENTS (user->groups);
  if (pw == NULL || getgrouplist (pw->pw_name, user->gid, user->groups, &user->n_groups) < 0)
    {
      user->groups[0] = user->gid;
      user->n_groups = 1;
    }
  return TRUE;
}

/* Whether the mode bits of @st let the user @uid, of the groups @groups,
 * do what @user_bits (S_IRWXU bits) ask. */
static gboolean
mode_allows (const GStatBuf *st,
             uid_t           uid,
             const gid_t    *groups,
             int             n_groups,
             mode_t          user_bits)
{
  if (st->st_uid == uid)
    return (st->st_mode & user_bits) == user_bits;
  for (int i = 0; i < n_groups; i++)
    if (groups[i] == st->st_gid)
      return (st->st_mode & (user_bits >> 3)) == (user_bits >> 3);
  return (st->st_mode & (user_bits >> 6)) == (user_bits >> 6);
}

/* Where QEMU's @user is stopped on the way to @path: the directory nearest
 * the root that it may not pass (search), or @path itself when it may not
 * do @leaf_bits (S_IRWXU bits; 0: nothing asked of @path, as of a disk
 * libvirt hands over). NULL when nothing stops it. Mode bits as the
 * kernel weighs them; a file with an ACL counts as open (pVM does not
 * read ACLs). */
static char *
dup_access_block (const char     *path,
                  const QemuUser *user,
                  mode_t          leaf_bits)
{
  g_autofree char *current = g_strdup (path);
  char *block = NULL;
  mode_t bits = leaf_bits;

  if (user->uid == 0)
    return NULL;

  for (;;)
    {
      GStatBuf st;
      char *parent;

      if (bits != 0 && g_stat (current, &st) == 0 &&
          getxattr (current, "system.posix_acl_access", NULL, 0) < 0 &&
          !mode_allows (&st, user->uid, user->groups, user->n_groups, bits))
        {
          g_free (block);
          block = g_strdup (current);
        }
      parent = g_path_get_dirname (current);
      if (g_str_equal (parent, current))
        {
          g_free (parent);
          return block;
        }
      g_free (current);
      current = parent;
      bits = S_IXUSR;
    }
}

/* Says what QEMU's user cannot reach for @slot, and how to let it: the
 * setfacl permissions @fix, on the files under @path too when @recursive
 * (an input directory's). */
static void
add_access_problem (GString          *problems,
                    const Slot       *slot,
                    const LaunchData *data,
                    GVirConnection   *connection,
                    const char       *what,
                    const char       *path,
                    const char       *block,
                    const char       *fix,
                    gboolean          recursive)
{
  const char *user = data->qemu.name;
  g_autofree char *quoted = g_shell_quote (block);
  const char *recurse = recursive ? "-R " : "";

  g_string_append_printf (problems, "VM %u (%s): QEMU runs as the user %s under %s and cannot "
                          "reach %s %s", slot->vm->index + 1, slot->vm->name, user,
                          gvir_connection_get_uri (connection), what, path);
  if (g_str_equal (block, path) && !g_file_test (path, G_FILE_TEST_EXISTS))
    g_string_append_printf (problems, ", which pVM would make: make it and give %s access to "
                            "it (mkdir -p %s && setfacl -m u:%s:%s %s)",
                            user, quoted, user, fix, quoted);
  else if (g_str_equal (block, path))
    g_string_append_printf (problems, ": give %s access to it (setfacl %s-m u:%s:%s %s)",
                            user, recurse, user, fix, quoted);
  else
    g_string_append_printf (problems, ": %s is closed to it (let it through with "
                            "setfacl -m u:%s:x %s, or use another directory)",
                            block, user, quoted);
  g_string_append_c (problems, '\n');
}

/* Whether QEMU's user can reach what @slot's VM gets: libvirt hands it
 * the disks, not the directories above them, nor a 9p share's directory.
 * Appends what it cannot to @problems. */
static void
check_qemu_access (GString          *problems,
                   const Slot       *slot,
                   const LaunchData *data,
                   GVirConnection   *connection)
{
  g_autofree char *image_block = dup_access_block (slot->vm->image, &data->qemu, 0);

  if (image_block != NULL)
    add_access_problem (problems, slot, data, connection, "the image", slot->vm->image,
                        image_block, "r", FALSE);
  if (slot->vm->input_kind != PVM_INPUT_KIND_NONE)
    {
      gboolean dir = slot->vm->input_kind == PVM_INPUT_KIND_DIRECTORY;
      g_autofree char *block = dup_access_block (slot->vm->input, &data->qemu,
                                                 dir ? S_IRUSR | S_IXUSR : 0);

      if (block != NULL)
        add_access_problem (problems, slot, data, connection,
                            dir ? "the input directory" : "the input", slot->vm->input, block,
                            dir ? "rX" : "r", dir);
    }
  if (slot->output_disk != NULL)
    {
      g_autofree char *block = dup_access_block (slot->output_disk, &data->qemu, 0);

      if (block != NULL)
        add_access_problem (problems, slot, data, connection, "the output disk",
                            slot->output_disk, block, "rw", FALSE);
    }
  else if (slot->vm->output != NULL && g_file_test (slot->vm->output, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *block = dup_access_block (slot->vm->output, &data->qemu,
                                                 S_IWUSR | S_IXUSR);

      if (block != NULL)
        add_access_problem (problems, slot, data, connection, "the output directory",
                            slot->vm->output, block, "rwx", FALSE);
    }
}

/* Files of running domains, by their real path, and the domain that has
 * each open (any domain, pVM's or not). */
static GHashTable *
dup_files_in_use (GVirConnection *connection)
{
  GHashTable *in_use = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GList *domains = gvir_connection_get_domains (connection);

  for (GList *l = domains; l != NULL; l = l->next)
    {
      g_autoptr(GVirConfigDomain) config = NULL;
      g_auto(GStrv) paths = NULL;

      if (gvir_domain_get_id (l->data, NULL) < 0 ||
          (config = gvir_domain_get_config (l->data, 0, NULL)) == NULL)
        continue;

      paths = pvm_domain_dup_disk_paths (config);
      for (guint i = 0; paths[i] != NULL; i++)
        {
          char *real = realpath (paths[i], NULL);

          if (real != NULL)
            g_hash_table_insert (in_use, real, g_strdup (gvir_domain_get_name (l->data)));
        }
    }
  g_list_free_full (domains, g_object_unref);

  return in_use;
}

/* ------------------------------------------------------------------ */
/* Preparing each VM                                                  */

/* Checks what only libvirt knows about @slot's VM, and builds its domain.
 * Appends what is wrong to @problems. */
static void
prepare_slot (GVirConnection *connection,
              LaunchData     *data,
              Slot           *slot,
              GHashTable     *in_use,
              const char     *log_dir,
              gboolean        local,
              GString        *problems)
{
  g_autoptr(GVirDomain) existing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *real = NULL;
  g_autofree char *log_name = NULL;
  const char *user;

  slot->domain_name = pvm_domain_name_for_plan (slot->vm);
  log_name = g_strconcat (slot->domain_name, ".log", NULL);
  slot->serial_log = g_build_filename (log_dir, log_name, NULL);

  existing = gvir_connection_find_domain_by_name (connection, slot->domain_name);
  if (existing != NULL)
    {
      g_autoptr(PvmVmPlan) old_plan = NULL;

      slot->old_config = gvir_domain_get_config (existing, VIR_DOMAIN_XML_INACTIVE, &error);
      if (slot->old_config == NULL)
        {
          g_string_append_printf (problems, "VM %u (%s): cannot read the domain %s: %s\n",
                                  slot->vm->index + 1, slot->vm->name, slot->domain_name,
                                  error->message);
          return;
        }
      old_plan = pvm_domain_dup_plan (slot->old_config, NULL);
      if (old_plan == NULL)
        {
          g_string_append_printf (problems,
                                  "VM %u (%s): a libvirt domain named %s exists and pVM did not "
                                  "define it: rename the image, or remove that domain "
                                  "(virsh undefine %s)\n", slot->vm->index + 1, slot->vm->name,
                                  slot->domain_name, slot->domain_name);
          return;
        }
      if (gvir_domain_get_id (existing, NULL) >= 0)
        {
          g_string_append_printf (problems, "VM %u (%s): it is running already: stop it first "
                                  "(pvm stop %s)\n", slot->vm->index + 1, slot->vm->name,
                                  slot->vm->name);
          return;
        }
      if (gvir_domain_get_saved (existing))
        {
          g_string_append_printf (problems, "VM %u (%s): it has a saved state, which launching "
                                  "it again would lose: resume it, or discard the state "
                                  "(virsh managedsave-remove %s)\n", slot->vm->index + 1,
                                  slot->vm->name, slot->domain_name);
          return;
        }
      /* Redefined in place: same domain, new plan, and on a tap network
       * the same MAC address, so the guest keeps its lease. */
      slot->uuid = g_strdup (gvir_domain_get_uuid (existing));
      g_free (pvm_domain_dup_network (slot->old_config, &slot->mac));
    }

  real = realpath (slot->vm->image, NULL);
  if (real != NULL && (user = g_hash_table_lookup (in_use, real)) != NULL)
    {
      g_string_append_printf (problems, "VM %u (%s): the image %s is in use by the running "
                              "VM %s: two VMs must not write one image\n", slot->vm->index + 1,
                              slot->vm->name, slot->vm->image, user);
      return;
    }

  if (data->output_disk && slot->vm->output != NULL)
    {
      g_autofree char *disk_real = NULL;

      slot->output_disk = pvm_output_disk_dup_path (slot->vm->output);
      disk_real = realpath (slot->output_disk, NULL);
      if (disk_real != NULL && (user = g_hash_table_lookup (in_use, disk_real)) != NULL)
        {
          g_string_append_printf (problems, "VM %u (%s): the output disk %s is in use by the "
                                  "running VM %s\n", slot->vm->index + 1, slot->vm->name,
                                  slot->output_disk, user);
          return;
        }
    }

  /* On another host this user's log directory may not exist: the log goes
   * next to the output disk, on the storage the hosts share. */
  if (!local && slot->output_disk != NULL)
    {
      g_autofree char *moved = _pvm_domain_dup_moved_serial_log (slot->output_disk,
                                                                 slot->serial_log);

      if (moved != NULL)
        {
          g_free (slot->serial_log);
          slot->serial_log = g_steal_pointer (&moved);
        }
    }

  slot->options.domain_type = data->domain_type;
  slot->options.emulator = data->emulator;
  slot->options.spice_socket = !local;
  slot->agent_socket = pvm_domain_dup_agent_socket (gvir_connection_get_uri (connection),
                                                    slot->domain_name);
  slot->options.agent_socket = slot->agent_socket;
  slot->options.cpu_mode = data->cpu_mode;
  slot->options.serial_log = slot->serial_log;
  slot->options.uuid = slot->uuid;
  slot->options.output_disk = slot->output_disk;
  if (data->network != NULL)
    {
      slot->options.network = data->network->name;
      slot->options.mac = slot->mac;
    }
  if (data->installing)
    {
      slot->install_share = pvm_install_dup_share_dir (slot->domain_name);
      slot->options.install_media = data->install_media;
      slot->options.install_share = slot->install_share;
    }
  if (local)
    {
      slot->options.image_buffered = !supports_direct_io (slot->vm->image);
      slot->options.input_buffered = slot->vm->input_kind == PVM_INPUT_KIND_SQUASHFS &&
                                     !supports_direct_io (slot->vm->input);
      slot->options.output_squash = slot->vm->output != NULL && slot->output_disk == NULL &&
                                    !supports_user_xattrs (slot->vm->output);
    }

  /* A 9p output is written by QEMU itself, which libvirt does not give
   * the directory as it gives disks: as root, pVM gives it the output it
   * makes; otherwise QEMU's user must be able to write there already. */
  if (local && data->qemu_other_user)
    {
      check_qemu_access (problems, slot, data, connection);
      if (slot->vm->output != NULL && slot->output_disk == NULL &&
          !g_file_test (slot->vm->output, G_FILE_TEST_IS_DIR))
        {
          if (geteuid () == 0)
            slot->chown_output = TRUE;
          else
            add_access_problem (problems, slot, data, connection, "the output directory",
                                slot->vm->output, slot->vm->output, "rwx", FALSE);
        }
    }

  slot->config = pvm_domain_build (slot->vm, &slot->options, &error);
  if (slot->config == NULL)
    g_string_append_printf (problems, "VM %u (%s): %s\n", slot->vm->index + 1, slot->vm->name,
                            error->message);
}

/* Everything is checked before anything is defined: a launch that fails
 * here has changed nothing. */
static gboolean
prepare (PvmLauncher  *self,
         LaunchData   *data,
         GError      **error)
{
  g_autoptr(GHashTable) in_use = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *log_dir = pvm_host_dup_log_dir ();
  g_autoptr(GVirConfigCapabilities) caps = NULL;
  gboolean local = connection_is_local (self->connection);

  if (data->plan->problems->len > 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "The launch has %u problems: see pvm_plan_check()", data->plan->problems->len);
      return FALSE;
    }

  caps = pvm_hosts_dup_caps (self->connection, error);
  if (caps == NULL)
    return FALSE;
  data->domain_type = pvm_hosts_domain_type_from_caps (caps,
                                                       gvir_connection_get_uri (self->connection),
                                                       error);
  if (data->domain_type == NULL)
    return FALSE;
  data->qemu_other_user = local && get_qemu_user (caps, data->domain_type, &data->qemu);

  if (g_str_equal (data->domain_type, "qemu"))
    {
      g_autoptr(GError) kvm_error = NULL;

      if (data->cpu_mode == PVM_CPU_MODE_FASTEST)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                       "CPU_MODE=fastest needs KVM, which %s does not offer: use "
                       "CPU_MODE=migration-safe", gvir_connection_get_uri (self->connection));
          return FALSE;
        }
      if (local && !pvm_host_kvm_usable (&kvm_error))
        g_ptr_array_add (data->warnings,
                         g_strdup_printf ("KVM is not usable (%s): the VMs run under TCG "
                                          "emulation, many times slower", kvm_error->message));
      else
        g_ptr_array_add (data->warnings,
                         g_strdup_printf ("%s does not offer KVM: the VMs run under TCG "
                                          "emulation, many times slower",
                                          gvir_connection_get_uri (self->connection)));
    }

  if (!gvir_connection_fetch_domains (self->connection, NULL, &local_error))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot list the VMs of %s: %s",
                   gvir_connection_get_uri (self->connection), local_error->message);
      return FALSE;
    }
  in_use = dup_files_in_use (self->connection);

  for (guint i = 0; i < data->slots->len; i++)
    prepare_slot (self->connection, data, g_ptr_array_index (data->slots, i), in_use, log_dir,
                  local, problems);

  /* One ext4 disk written by two guests would be corrupted. */
  for (guint i = 0; data->output_disk && i < data->slots->len; i++)
    for (guint j = 0; j < i; j++)
      {
        Slot *a = g_ptr_array_index (data->slots, j);
        Slot *b = g_ptr_array_index (data->slots, i);

        if (a->output_disk != NULL && b->output_disk != NULL &&
            g_str_equal (a->output_disk, b->output_disk))
          {
            g_string_append_printf (problems, "VM %u (%s): VM %u has the same output %s: with "
                                    "OUTPUT_MODE=disk each VM needs an output directory of its "
                                    "own\n", b->vm->index + 1, b->vm->name, a->vm->index + 1,
                                    b->vm->output);
            break;
          }
      }

  if (problems->len > 0)
    {
      g_string_truncate (problems, problems->len - 1);
      g_set_error (error, PVM_ERROR, PVM_ERROR_BUSY, "%s", problems->str);
      return FALSE;
    }

  if (local && g_mkdir_with_parents (log_dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create the serial log directory %s: %s", log_dir,
                   g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Defining, starting, undoing                                        */

/* Creates @slot's output directory and the parents it lacks, as the plan
 * announced (pvm_plan_check() found that they can be made). */
static gboolean
create_output (Slot     *slot,
               GError  **error)
{
  g_autofree char *dir = NULL;

  if (slot->vm->output == NULL || g_file_test (slot->vm->output, G_FILE_TEST_IS_DIR))
    return TRUE;

  slot->created_dirs = g_ptr_array_new_with_free_func (g_free);
  for (dir = g_strdup (slot->vm->output); !g_file_test (dir, G_FILE_TEST_EXISTS); )
    {
      char *parent = g_path_get_dirname (dir);

      g_ptr_array_insert (slot->created_dirs, 0, g_steal_pointer (&dir));
      dir = parent;
    }

  for (guint i = 0; i < slot->created_dirs->len; i++)
    {
      const char *path = g_ptr_array_index (slot->created_dirs, i);

      if (g_mkdir (path, 0777) != 0)
        {
          int saved_errno = errno;

          g_ptr_array_set_size (slot->created_dirs, i);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "VM %u (%s): cannot create the output directory %s: %s",
                       slot->vm->index + 1, slot->vm->name, path, g_strerror (saved_errno));
          return FALSE;
        }
    }
  return TRUE;
}

/* Removes the directories create_output() made, if nothing was put in. */
static void
remove_created_output (Slot *slot)
{
  for (guint i = slot->created_dirs != NULL ? slot->created_dirs->len : 0; i > 0; i--)
    g_rmdir (g_ptr_array_index (slot->created_dirs, i - 1));
  g_clear_pointer (&slot->created_dirs, g_ptr_array_unref);
}

/* Puts back what was defined before, or removes what pVM defined. */
static void
undo (GVirConnection *connection,
      LaunchData     *data,
      GString        *notes)
{
  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);
      g_autoptr(GError) error = NULL;

      if (slot->started && !gvir_domain_stop (slot->domain, 0, &error))
        g_string_append_printf (notes, "; could not stop %s: %s", slot->domain_name,
                                error->message);
      slot->started = FALSE;
      g_clear_error (&error);
      if (slot->created_disk)
        {
          g_autofree char *dir = g_path_get_dirname (slot->output_disk);

          g_unlink (slot->output_disk);
          g_rmdir (dir);
          slot->created_disk = FALSE;
        }
      remove_created_output (slot);
      if (slot->install_share != NULL)
        pvm_install_remove_share (slot->install_share);

      if (slot->domain == NULL)
        continue;

      if (slot->old_config != NULL)
        {
          g_autoptr(GVirDomain) restored = NULL;

          restored = gvir_connection_create_domain (connection, slot->old_config, &error);
          if (restored == NULL)
            g_string_append_printf (notes, "; could not restore the previous definition of "
                                    "%s: %s", slot->domain_name, error->message);
        }
      else if (!gvir_domain_delete (slot->domain, 0, &error))
        g_string_append_printf (notes, "; could not remove the domain %s: %s",
                                slot->domain_name, error->message);
      g_clear_object (&slot->domain);
    }

  /* Last: libvirt keeps a network with domains on it. */
  if (data->network != NULL)
    {
      g_autoptr(PvmVirConnect) handle = NULL;

      g_object_get (connection, "handle", &handle, NULL);
      pvm_network_undo (data->network, handle, data->network_defined, data->network_started);
      data->network_defined = data->network_started = FALSE;
    }
}

/* The tap network, made or started for this launch if it must be. */
static gboolean
ensure_network (PvmLauncher  *self,
                LaunchData   *data,
                GError      **error)
{
  g_autoptr(PvmVirConnect) handle = NULL;

  g_object_get (self->connection, "handle", &handle, NULL);
  if (!pvm_network_ensure (data->network, handle, connection_is_local (self->connection),
                           &data->network_defined, &data->network_started, error))
    return FALSE;

  if (data->network->kind != PVM_NETWORK_KIND_MANAGED)
    g_ptr_array_add (data->warnings,
                     g_strdup_printf ("The VMs join the existing %s bridge %s as it is: its "
                                      "own DHCP server must lease their addresses (BR_ADDR "
                                      "and LEASE_RANGE are not applied to it)",
                                      data->network->kind == PVM_NETWORK_KIND_OPENVSWITCH
                                        ? "Open vSwitch" : "Linux",
                                      data->network->bridge));
  return TRUE;
}

/* What to do when QEMU refused @slot's extra arguments for want of a PCI
 * slot: a -device of -a without an address takes the first free slot of
 * the root bus, before pVM's own devices, which have theirs. "" when
 * that is not why. */
static const char *
start_hint (Slot *slot)
{
  gboolean has_device = FALSE;
  const char *message = slot->start_error->message;

  for (guint i = 0; slot->vm->extra_args != NULL && slot->vm->extra_args[i] != NULL; i++)
    has_device |= g_str_equal (slot->vm->extra_args[i], "-device");
  if (!has_device || strstr (message, "PCI: slot ") == NULL ||
      strstr (message, " not available for ") == NULL)
    return "";
  return "\nA -device among its additional QEMU arguments (-a, ADDITIONAL) has no PCI "
         "address and took a slot that pVM's own devices need: give it one of slots 0x11 to "
         "0x1e of pcie.0, which pVM leaves free, e.g. -device virtio-rng-pci,bus=pcie.0,"
         "addr=0x11 (in -a, write each comma \\,)";
}

static gpointer
start_thread (gpointer user_data)
{
  Slot *slot = user_data;

  slot->started = gvir_domain_start (slot->domain, 0, &slot->start_error);
  return NULL;
}

static void
launch_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  PvmLauncher *self = source_object;
  LaunchData *data = task_data;
  g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GString) failures = g_string_new (NULL);
  g_autoptr(GString) notes = g_string_new (NULL);
  GError *error = NULL;

  if (!prepare (self, data, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (data->network != NULL && !ensure_network (self, data, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The paths of a launch are this machine's, on another host too (pvm -H:
   * a repository the hosts share): outputs and output disks are made
   * here. */
  for (guint i = 0; i < data->slots->len; i++)
    if (!create_output (g_ptr_array_index (data->slots, i), &error))
      {
        g_string_append (failures, error->message);
        g_clear_error (&error);
        goto failed;
      }

  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);

      g_autofree char *block = NULL;

      if (!slot->chown_output)
        continue;
      if (chown (slot->vm->output, data->qemu.uid, data->qemu.gid) != 0)
        block = g_strdup (slot->vm->output);
      else
        block = dup_access_block (slot->vm->output, &data->qemu, S_IWUSR | S_IXUSR);
      if (block != NULL)
        {
          add_access_problem (failures, slot, data, self->connection, "the output directory",
                              slot->vm->output, block, "rwx", FALSE);
          g_string_truncate (failures, failures->len - 1);
          goto failed;
        }
    }

  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);
      g_autofree char *note = NULL;

      if (slot->install_share == NULL)
        continue;
      if (!connection_is_local (self->connection))
        {
          g_string_append_printf (failures, "VM %u (%s): install mode needs a local libvirt "
                                  "connection, not %s", slot->vm->index + 1, slot->vm->name,
                                  gvir_connection_get_uri (self->connection));
          goto failed;
        }
      if (!pvm_install_prepare_share (slot->install_share, slot->vm->name, &note, &error))
        {
          g_string_append_printf (failures, "VM %u (%s): %s", slot->vm->index + 1,
                                  slot->vm->name, error->message);
          g_clear_error (&error);
          g_clear_pointer (&slot->install_share, g_free);
          goto failed;
        }
      if (note != NULL)
        g_ptr_array_add (data->warnings, g_steal_pointer (&note));
    }

  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);

      if (slot->output_disk == NULL)
        continue;
      if (!pvm_output_disk_prepare (slot->vm->output, data->output_disk_size,
                                    &slot->created_disk, cancellable, &error))
        {
          g_string_append_printf (failures, "VM %u (%s): %s", slot->vm->index + 1,
                                  slot->vm->name, error->message);
          g_clear_error (&error);
          goto failed;
        }
      if (!supports_direct_io (slot->output_disk))
        {
          slot->options.output_buffered = TRUE;
          g_clear_object (&slot->config);
          slot->config = pvm_domain_build (slot->vm, &slot->options, &error);
          if (slot->config == NULL)
            {
              g_string_append_printf (failures, "VM %u (%s): %s", slot->vm->index + 1,
                                      slot->vm->name, error->message);
              g_clear_error (&error);
              goto failed;
            }
        }
    }

  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);

      /* Existing domains keep their UUID, so this redefines them. */
      slot->domain = gvir_connection_create_domain (self->connection, slot->config, &error);
      if (slot->domain == NULL)
        {
          g_string_append_printf (failures, "VM %u (%s): libvirt refused its definition: %s",
                                  slot->vm->index + 1, slot->vm->name, error->message);
          g_clear_error (&error);
          goto failed;
        }
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_string_append (failures, "The launch was cancelled");
      goto failed;
    }

  /* QEMU truncates the serial log when it opens it; a file that exists
   * also keeps the ownership libvirt gives it under qemu:///system, and
   * one made here the user's umask (libvirt would make it 0600), so that
   * on shared storage (another host's VM logs next to its output disk)
   * the user's group can read it as the output. */
  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);

      if (connection_is_local (self->connection) || slot->output_disk != NULL)
        g_file_set_contents_full (slot->serial_log, "", 0, G_FILE_SET_CONTENTS_NONE, 0666, NULL);
    }

  /* All at once: libvirt starts QEMUs in parallel. */
  for (guint i = 0; i < data->slots->len; i++)
    g_ptr_array_add (threads, g_thread_new ("pvm-start", start_thread,
                                            g_ptr_array_index (data->slots, i)));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);

      if (slot->start_error != NULL)
        g_string_append_printf (failures, "%sVM %u (%s) did not start: %s%s",
                                failures->len > 0 ? "\n" : "", slot->vm->index + 1,
                                slot->vm->name, slot->start_error->message, start_hint (slot));
    }
  if (failures->len > 0)
    goto failed;

  for (guint i = 0; i < data->slots->len; i++)
    {
      Slot *slot = g_ptr_array_index (data->slots, i);
      PvmVm *vm = pvm_vm_new_for_domain (self->connection, slot->domain, &error);

      if (vm == NULL)
        {
          /* It started: the caller can find it with pvm_vm_list_fetch(). */
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (vms, vm);
    }

  g_task_return_pointer (task, g_steal_pointer (&vms), (GDestroyNotify) g_ptr_array_unref);
  return;

failed:
  undo (self->connection, data, notes);
  g_task_return_new_error (task, PVM_ERROR, PVM_ERROR_LIBVIRT, "%s\nNo VM of this launch was "
                           "left running or defined%s", failures->str, notes->str);
}

/**
 * pvm_launcher_launch_async:
 * @self: a #PvmLauncher
 * @plan: a plan without problems (pvm_plan_check()); it must stay alive
 *   until @callback runs
 * @cancellable: (nullable): a #GCancellable, honoured until the VMs start
 * @callback: called when every VM runs, or none does
 * @user_data: data for @callback
 *
 * Launches @plan: checks what only libvirt knows (KVM or TCG, a domain of
 * the same name that pVM did not define, an image that a running VM uses),
 * defines one persistent domain per VM (named after its image; an earlier
 * definition of the same VM is replaced), then starts them all at once.
 * If any VM fails to start, the others are stopped and every definition is
 * put back as it was: a launch starts all of its VMs or none.
 */
void
pvm_launcher_launch_async (PvmLauncher         *self,
                           PvmPlan             *plan,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LaunchData *data;

  g_return_if_fail (PVM_IS_LAUNCHER (self));
  g_return_if_fail (plan != NULL);

  data = g_new0 (LaunchData, 1);
  data->plan = plan;
  data->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);
  for (guint i = 0; i < plan->vms->len; i++)
    {
      Slot *slot = g_new0 (Slot, 1);

      slot->vm = g_ptr_array_index (plan->vms, i);
      g_ptr_array_add (data->slots, slot);
    }
  data->emulator = pvm_host_find_qemu (pvm_config_get_string (self->config, "QEMU_BIN"), NULL);
  /* In a sandbox without QEMU_BIN: none, libvirt takes its default. */
  if (data->emulator == NULL && !pvm_host_in_sandbox ())
    data->emulator = g_strdup (pvm_config_get_string (self->config, "QEMU_BIN"));
  data->cpu_mode = pvm_config_get_cpu_mode (self->config);
  data->output_disk = pvm_config_get_output_mode (self->config) == PVM_OUTPUT_MODE_DISK;
  data->output_disk_size = pvm_config_get_output_disk_size (self->config);
  if (pvm_config_get_net_type (self->config) == PVM_NET_TYPE_TAP)
    /* pvm_plan_check() found the settings valid. */
    data->network = pvm_network_new_from_config (self->config, NULL);
  data->installing = pvm_config_get_boolean (self->config, "INSTALLING");
  if (data->installing)
    {
      /* pvm_plan_check() found it readable; libvirt wants it absolute. */
      const char *media = pvm_config_get_string (self->config, "INSTALL_MEDIA");

      data->install_media = realpath (media, NULL);
      if (data->install_media == NULL)
        data->install_media = g_strdup (media);
    }
  data->warnings = g_ptr_array_new_with_free_func (g_free);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_launcher_launch_async);
  /* Once the VMs run, the launch has succeeded, cancelled or not. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) launch_data_free);
  g_task_run_in_thread (task, launch_thread);
}

/**
 * pvm_launcher_launch_finish:
 * @self: a #PvmLauncher
 * @result: the result
 * @error: return location for a #GError
 *
 * After it, pvm_launcher_get_domain_type() and pvm_launcher_get_warnings()
 * tell how the VMs run.
 *
 * Returns: (transfer container) (element-type PvmVm): the running VMs, in
 *   the order of the plan, or %NULL
 */
GPtrArray *
pvm_launcher_launch_finish (PvmLauncher   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  LaunchData *data;

  g_return_val_if_fail (PVM_IS_LAUNCHER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  data = g_task_get_task_data (G_TASK (result));
  self->domain_type = data->domain_type;
  g_ptr_array_set_size (self->warnings, 0);
  for (guint i = 0; i < data->warnings->len; i++)
    g_ptr_array_add (self->warnings, g_strdup (g_ptr_array_index (data->warnings, i)));

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pvm_launcher_get_domain_type:
 * @self: a #PvmLauncher
 *
 * Returns: (nullable): "kvm" or "qemu" (TCG), as the last launch chose
 */
const char *
pvm_launcher_get_domain_type (PvmLauncher *self)
{
  g_return_val_if_fail (PVM_IS_LAUNCHER (self), NULL);

  return self->domain_type;
}

/**
 * pvm_launcher_get_warnings:
 * @self: a #PvmLauncher
 *
 * Returns: (transfer none): what the user should know about the last
 *   launch (TCG instead of KVM, and why)
 */
const char * const *
pvm_launcher_get_warnings (PvmLauncher *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (PVM_IS_LAUNCHER (self), NULL);

  /* GLib 2.74 leaves pdata NULL in an empty null-terminated array. */
  if (self->warnings->pdata == NULL)
    return none;
  return (const char * const *) self->warnings->pdata;
}
