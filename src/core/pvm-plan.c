/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-plan"

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pvm-emulator.h"
#include "pvm-error.h"
#include "pvm-json-private.h"
#include "pvm-host.h"
#include "pvm-image-repo.h"
#include "pvm-network.h"
#include "pvm-plan.h"
#include "pvm-qcow2.h"
#include "pvm-size.h"

#define MIN_MEMORY (64 * PVM_SIZE_MIB)
#define SQUASHFS_MAGIC "hsqs"

/**
 * pvm_vm_plan_free:
 * @vm: (nullable): a VM's plan
 */
void
pvm_vm_plan_free (PvmVmPlan *vm)
{
  if (vm == NULL)
    return;

  g_free (vm->name);
  g_free (vm->image);
  g_free (vm->input);
  g_free (vm->output);
  g_strfreev (vm->extra_args);
  g_free (vm);
}

static void
pvm_problem_free (PvmProblem *problem)
{
  g_free (problem->vm_name);
  g_free (problem->setting);
  g_free (problem->message);
  g_free (problem);
}

G_GNUC_PRINTF (4, 5)
static void
add_problem (PvmPlan    *plan,
             PvmVmPlan  *vm,
             const char *setting,
             const char *format,
             ...)
{
  PvmProblem *problem = g_new0 (PvmProblem, 1);
  va_list args;

  problem->vm_index = vm != NULL ? (int) vm->index : -1;
  problem->vm_name = vm != NULL ? g_strdup (vm->name) : NULL;
  problem->setting = g_strdup (setting);
  va_start (args, format);
  problem->message = g_strdup_vprintf (format, args);
  va_end (args);

  g_ptr_array_add (plan->problems, problem);
}

static gboolean
is_path (const char *value)
{
  return strchr (value, '/') != NULL || g_str_equal (value, ".") || g_str_equal (value, "..");
}

static char *
absolute (const char *path,
          const char *cwd)
{
  return g_canonicalize_filename (path, cwd);
}

/* @path itself, or @path@suffix when only that exists. */
static char *
with_optional_suffix (char       *path,
                      const char *suffix)
{
  char *suffixed;

  if (g_str_has_suffix (path, suffix) || g_file_test (path, G_FILE_TEST_EXISTS))
    return path;

  suffixed = g_strconcat (path, suffix, NULL);
  if (g_file_test (suffixed, G_FILE_TEST_EXISTS))
    {
      g_free (path);
      return suffixed;
    }

  g_free (suffixed);
  return path;
}

/* A bare name is in @repo, with @suffix unless the name exists as it is;
 * a path is taken as it is, with @suffix only when that is what exists. */
static char *
resolve_in_repo (const char *value,
                 const char *repo,
                 const char *suffix,
                 const char *cwd)
{
  g_autofree char *in_repo = NULL;
  g_autofree char *suffixed = NULL;

  if (is_path (value))
    return with_optional_suffix (absolute (value, cwd), suffix);

  in_repo = g_build_filename (repo, value, NULL);
  if (g_str_has_suffix (value, suffix) || g_file_test (in_repo, G_FILE_TEST_EXISTS))
    return absolute (in_repo, cwd);

  suffixed = g_strconcat (in_repo, suffix, NULL);
  return absolute (suffixed, cwd);
}

/* What an input is: a directory or a SquashFS file when it exists. One that
 * does not is an archive when named in SQUASHREPO or ending in .sqsh, and
 * otherwise a directory, as "/path/to/data" is in the original README. */
static PvmInputKind
input_kind (const char *path,
            gboolean    from_repo)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    return PVM_INPUT_KIND_DIRECTORY;
  if (g_file_test (path, G_FILE_TEST_EXISTS) || from_repo || g_str_has_suffix (path, ".sqsh"))
    return PVM_INPUT_KIND_SQUASHFS;
  return PVM_INPUT_KIND_DIRECTORY;
}

static char *
image_name (const char *image)
{
  g_autofree char *base = g_path_get_basename (image);

  if (g_str_has_suffix (base, ".qcow2") && strlen (base) > strlen (".qcow2"))
    base[strlen (base) - strlen (".qcow2")] = '\0';
  return g_steal_pointer (&base);
}

/* @name, or when a VM before it in @vms has that name (the same image
 * twice, with -snapshot; images of one name in two directories),
 * "NAME-N" for VM N: each VM's domain has a name of its own. */
static char *
unique_name (GPtrArray  *vms,
             const char *name,
             guint       index)
{
  g_autofree char *candidate = g_strdup (name);

  for (guint round = 0;; round++)
    {
      gboolean taken = FALSE;

      for (guint i = 0; i < vms->len && !taken; i++)
        {
          PvmVmPlan *other = g_ptr_array_index (vms, i);

          taken = other->index != index && other->name != NULL &&
                  g_str_equal (other->name, candidate);
        }
      if (!taken)
        return g_steal_pointer (&candidate);
      g_free (candidate);
      candidate = round == 0 ? g_strdup_printf ("%s-%u", name, index + 1)
                             : g_strdup_printf ("%s-%u-%u", name, index + 1, round + 1);
    }
}

static gboolean
is_blank (const char *value)
{
  for (; *value != '\0'; value++)
    if (!g_ascii_isspace (*value))
      return FALSE;
  return TRUE;
}

/**
 * pvm_plan_new_from_config:
 * @config: the configuration, with the command line's values set over it
 * @cwd: the directory relative paths are relative to
 *
 * Resolves one VM per DRIVES entry with the original pVM's rules: the other
 * lists repeat their last value; a bare image name is DRIVEREPO/NAME.qcow2,
 * a bare input name SQUASHREPO/NAME.sqsh; paths are taken as they are and
 * the extensions may be omitted. What cannot be resolved is a problem in
 * the plan; pvm_plan_check() adds what is wrong on this host.
 *
 * Returns: (transfer full): the plan
 */
PvmPlan *
pvm_plan_new_from_config (PvmConfig  *config,
                          const char *cwd)
{
  PvmPlan *plan;
  const char * const *drives;
  const char *drive_repo;
  const char *squash_repo;
  gboolean user_net;
  guint first_port;

  g_return_val_if_fail (PVM_IS_CONFIG (config), NULL);
  g_return_val_if_fail (cwd != NULL && g_path_is_absolute (cwd), NULL);

  plan = g_new0 (PvmPlan, 1);
  plan->vms = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_vm_plan_free);
  plan->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_problem_free);

  drives = pvm_config_get_list (config, "DRIVES");
  drive_repo = pvm_config_get_string (config, "DRIVEREPO");
  squash_repo = pvm_config_get_string (config, "SQUASHREPO");
  user_net = pvm_config_get_net_type (config) == PVM_NET_TYPE_USER;
  first_port = pvm_config_get_uint (config, "INIT_SSH_PORT");

  if (drives[0] == NULL)
    add_problem (plan, NULL, "-d/DRIVES",
                 "No VM to launch: give the images with -d, or list them in DRIVES "
                 "in the configuration");

  for (guint i = 0; drives[i] != NULL; i++)
    {
      PvmVmPlan *vm = g_new0 (PvmVmPlan, 1);
      const char *input = pvm_config_pick (config, "INDRIVES", i);
      const char *output = pvm_config_pick (config, "OUTDIRS", i);
      const char *memory = pvm_config_pick (config, "MEM", i);
      const char *cores = pvm_config_pick (config, "CORES", i);
      const char *additional = pvm_config_pick (config, "ADDITIONAL", i);
      g_autoptr(GError) error = NULL;
      guint64 number;

      vm->index = i;
      g_ptr_array_add (plan->vms, vm);

      if (*drives[i] == '\0')
        {
          vm->name = g_strdup_printf ("%u", i + 1);
          vm->image = g_strdup ("");
          add_problem (plan, vm, "-d/DRIVES", "The image name is empty");
        }
      else
        {
          g_autofree char *name = NULL;

          vm->image = resolve_in_repo (drives[i], drive_repo, ".qcow2", cwd);
          name = image_name (vm->image);
          vm->name = unique_name (plan->vms, name, i);
        }

      if (input != NULL && *input != '\0')
        {
          vm->input = resolve_in_repo (input, squash_repo, ".sqsh", cwd);
          vm->input_kind = input_kind (vm->input, !is_path (input));
        }

      if (output != NULL && *output != '\0')
        vm->output = absolute (output, cwd);

      if (memory == NULL)
        add_problem (plan, vm, "-m/MEM", "No memory size is given");
      else if (!pvm_size_parse (memory, PVM_SIZE_MIB, &vm->memory_bytes, &error))
        add_problem (plan, vm, "-m/MEM", "%s", error->message);
      g_clear_error (&error);

      if (cores == NULL)
        add_problem (plan, vm, "-c/CORES", "No number of vCPUs is given");
      else if (!g_ascii_string_to_unsigned (cores, 10, 1, 4096, &number, &error))
        add_problem (plan, vm, "-c/CORES", "Invalid number of vCPUs \"%s\"", cores);
      else
        vm->cores = (guint) number;
      g_clear_error (&error);

      if (additional == NULL || is_blank (additional))
        vm->extra_args = g_new0 (char *, 1);
      else if (!g_shell_parse_argv (additional, NULL, &vm->extra_args, &error))
        {
          vm->extra_args = g_new0 (char *, 1);
          add_problem (plan, vm, "-a/ADDITIONAL", "Cannot split \"%s\" into arguments: %s",
                       additional, error->message);
        }

      if (user_net)
        {
          if (first_port + i > 65535)
            add_problem (plan, vm, "INIT_SSH_PORT",
                         "The SSH port would be %u, past 65535: lower INIT_SSH_PORT (%u)",
                         first_port + i, first_port);
          else
            vm->ssh_port = first_port + i;
        }
    }

  return plan;
}

void
pvm_plan_free (PvmPlan *plan)
{
  if (plan == NULL)
    return;

  g_ptr_array_unref (plan->vms);
  g_ptr_array_unref (plan->problems);
  g_free (plan);
}

/* QEMU takes its options with one dash or two. */
static gboolean
has_snapshot_arg (PvmVmPlan *vm)
{
  return g_strv_contains ((const char * const *) vm->extra_args, "-snapshot") ||
         g_strv_contains ((const char * const *) vm->extra_args, "--snapshot");
}

static void
check_image (PvmPlan    *plan,
             PvmVmPlan  *vm,
             const char *drive_repo,
             GHashTable *images)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *real = NULL;
  g_autofree char *backing_path = NULL;
  PvmVmPlan *other;

  if (*vm->image == '\0')
    return;

  if (!g_file_test (vm->image, G_FILE_TEST_EXISTS))
    {
      /* Quoted, so that the command can be pasted into a shell as it is. */
      g_autofree char *quoted = g_shell_quote (vm->image);

      add_problem (plan, vm, "-d/DRIVES",
                   "The image %s does not exist: create it (qemu-img create -f qcow2 %s 20G), "
                   "or check the name and DRIVEREPO (%s)", vm->image, quoted, drive_repo);
      return;
    }

  if (!g_file_test (vm->image, G_FILE_TEST_IS_REGULAR))
    {
      add_problem (plan, vm, "-d/DRIVES", "The image %s is not a file", vm->image);
      return;
    }

  if (!pvm_qcow2_read_info (vm->image, &info, &error))
    {
      add_problem (plan, vm, "-d/DRIVES", "%s", error->message);
      return;
    }

  /* A backing image is never booted: writing it corrupts its overlays.
   * Checked first: pVM makes such an image read-only, and this says why. */
  if (!pvm_image_check_unprotected (vm->image, drive_repo, PVM_IMAGE_ACCESS_BOOT, &error))
    {
      add_problem (plan, vm, "-d/DRIVES", "%s", error->message);
      return;
    }

  if (access (vm->image, has_snapshot_arg (vm) ? R_OK : R_OK | W_OK) != 0)
    {
      int saved_errno = errno;

      add_problem (plan, vm, "-d/DRIVES", "Cannot %s the image %s: %s",
                   has_snapshot_arg (vm) ? "read" : "read and write", vm->image,
                   g_strerror (saved_errno));
      return;
    }

  backing_path = pvm_qcow2_info_dup_backing_path (&info, vm->image);
  if (backing_path != NULL && !g_file_test (backing_path, G_FILE_TEST_IS_REGULAR))
    add_problem (plan, vm, "-d/DRIVES",
                 "The image %s is an overlay of %s, which is missing: restore it there",
                 vm->image, backing_path);

  real = realpath (vm->image, NULL);
  g_assert (real != NULL);

  /* VMs with -snapshot only read their image (each writes an overlay of
   * its own): any number of them may share it, none that writes it. */
  if ((other = g_hash_table_lookup (images, real)) != NULL &&
      !(has_snapshot_arg (vm) && has_snapshot_arg (other)))
    add_problem (plan, vm, "-d/DRIVES",
                 "VM %u uses the same image %s: two VMs must not write one image; make an "
                 "overlay for each, or have each of them discard its changes (-a \" -snapshot\"; "
                 "Discard Changes in the app's Launch dialog)", other->index + 1, vm->image);
  else if (other == NULL)
    g_hash_table_insert (images, g_steal_pointer (&real), vm);
}

static void
check_input (PvmPlan   *plan,
             PvmVmPlan *vm)
{
  if (vm->input == NULL)
    return;

  if (!g_file_test (vm->input, G_FILE_TEST_EXISTS))
    {
      add_problem (plan, vm, "-i/INDRIVES",
                   "The input %s does not exist: check the name, the path and SQUASHREPO",
                   vm->input);
      return;
    }

  if (access (vm->input, vm->input_kind == PVM_INPUT_KIND_DIRECTORY ? R_OK | X_OK : R_OK) != 0)
    {
      int saved_errno = errno;

      add_problem (plan, vm, "-i/INDRIVES", "Cannot read the input %s: %s",
                   vm->input, g_strerror (saved_errno));
      return;
    }

  if (vm->input_kind == PVM_INPUT_KIND_SQUASHFS)
    {
      char magic[4] = { 0 };
      FILE *file = fopen (vm->input, "rb");
      gboolean is_squashfs = file != NULL && fread (magic, 1, sizeof magic, file) == sizeof magic
                             && memcmp (magic, SQUASHFS_MAGIC, sizeof magic) == 0;

      if (file != NULL)
        fclose (file);
      if (!is_squashfs)
        add_problem (plan, vm, "-i/INDRIVES",
                     "The input %s is neither a directory nor a SquashFS archive "
                     "(make one with mksquashfs)", vm->input);
    }
}

static void
check_output (PvmPlan   *plan,
              PvmVmPlan *vm)
{
  g_autofree char *existing = NULL;

  if (vm->output == NULL)
    return;

  /* It is created at launch when missing: its nearest existing parent must
   * then be a writable directory. */
  existing = pvm_host_dup_nearest_existing (vm->output);

  if (!g_file_test (existing, G_FILE_TEST_IS_DIR))
    {
      if (g_str_equal (existing, vm->output))
        add_problem (plan, vm, "-o/OUTDIRS", "The output %s is not a directory", vm->output);
      else
        add_problem (plan, vm, "-o/OUTDIRS",
                     "Cannot create the output directory %s: %s is not a directory",
                     vm->output, existing);
      return;
    }

  if (access (existing, W_OK | X_OK) != 0)
    {
      int saved_errno = errno;

      if (g_str_equal (existing, vm->output))
        add_problem (plan, vm, "-o/OUTDIRS", "Cannot write to the output directory %s: %s",
                     vm->output, g_strerror (saved_errno));
      else
        add_problem (plan, vm, "-o/OUTDIRS",
                     "Cannot create the output directory %s: %s is not writable",
                     vm->output, existing);
    }
}

static guint64
host_memory (void)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);

  return pages > 0 && page_size > 0 ? (guint64) pages * (guint64) page_size : G_MAXUINT64;
}

static void
check_resources (PvmPlan   *plan,
                 PvmVmPlan *vm)
{
  guint64 total = host_memory ();
  guint cpus = g_get_num_processors ();

  if (vm->memory_bytes != 0 && vm->memory_bytes < MIN_MEMORY)
    {
      g_autofree char *size = pvm_size_format (vm->memory_bytes);

      add_problem (plan, vm, "-m/MEM", "%s of memory is too little to boot Linux: give at "
                   "least 64M", size);
    }
  else if (vm->memory_bytes > total)
    {
      g_autofree char *size = pvm_size_format (vm->memory_bytes);
      g_autofree char *host = pvm_size_format (total);

      add_problem (plan, vm, "-m/MEM", "%s of memory is more than this host has (%s)",
                   size, host);
    }

  if (vm->cores > cpus)
    add_problem (plan, vm, "-c/CORES", "%u vCPUs are more than this host's %u CPUs",
                 vm->cores, cpus);
}

/* Binds @port as QEMU's port forwarding will, on the loopback address.
 * Returns 0, or the errno of the failure. */
static int
try_port (guint port)
{
  struct sockaddr_in address = { 0 };
  int fd, one = 1, result, saved_errno;

  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert (fd >= 0);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  address.sin_family = AF_INET;
  address.sin_port = htons ((guint16) port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  result = bind (fd, (struct sockaddr *) &address, sizeof address);
  saved_errno = errno;
  close (fd);
  return result == 0 ? 0 : saved_errno;
}

static void
check_port (PvmPlan   *plan,
            PvmVmPlan *vm)
{
  int saved_errno;

  if (vm->ssh_port == 0)
    return;

  saved_errno = try_port (vm->ssh_port);
  if (saved_errno == 0)
    return;

  if (saved_errno == EADDRINUSE)
    add_problem (plan, vm, "INIT_SSH_PORT",
                 "The SSH port %u on 127.0.0.1 is in use: stop what uses it, or choose another "
                 "INIT_SSH_PORT", vm->ssh_port);
  else
    add_problem (plan, vm, "INIT_SSH_PORT", "Cannot use the SSH port %u on 127.0.0.1: %s",
                 vm->ssh_port, g_strerror (saved_errno));
}

static gboolean
plan_has_vm (PvmPlan    *plan,
             const char *name)
{
  for (guint i = 0; i < plan->vms->len; i++)
    if (g_strcmp0 (((PvmVmPlan *) g_ptr_array_index (plan->vms, i))->name, name) == 0)
      return TRUE;
  return FALSE;
}

/* Whether a VM of @defined other than those of @plan holds @port. */
static gboolean
port_is_held (PvmPlan   *plan,
              GPtrArray *defined,
              guint      port)
{
  for (guint i = 0; defined != NULL && i < defined->len; i++)
    {
      const PvmVmPlan *vm = g_ptr_array_index (defined, i);

      if (vm->ssh_port == port && !plan_has_vm (plan, vm->name))
        return TRUE;
    }
  return FALSE;
}

/**
 * pvm_plan_choose_ssh_ports:
 * @plan: a plan, before pvm_plan_check()
 * @defined: (element-type PvmVmPlan) (nullable): the plans of the pVM VMs
 *   defined on the host (pvm_vm_get_plan()), running or not: a VM that
 *   starts again keeps its port
 *
 * Moves the VMs' SSH ports past those in use: from the first VM's port
 * (INIT_SSH_PORT) up, each VM takes the next port that no VM of @defined
 * holds and nothing listens on. A port held by a VM of @plan itself is
 * free: the launch replaces that VM's definition. The app's Launch dialog
 * does this, so that a second launch does not meet the first one's ports;
 * pvm's command line keeps INIT_SSH_PORT + N, as the original pVM did.
 */
void
pvm_plan_choose_ssh_ports (PvmPlan   *plan,
                           GPtrArray *defined)
{
  guint next = 0;

  g_return_if_fail (plan != NULL);

  for (guint i = 0; i < plan->vms->len; i++)
    {
      PvmVmPlan *vm = g_ptr_array_index (plan->vms, i);
      guint port;

      if (vm->ssh_port == 0)
        continue;
      port = MAX (vm->ssh_port, next);
      while (port <= 65535 && (port_is_held (plan, defined, port) || try_port (port) != 0))
        port++;
      /* None left: the check says so about the port it had. */
      if (port > 65535)
        return;
      vm->ssh_port = port;
      next = port + 1;
    }
}

/* The tap network is a libvirt network with a bridge: only the system
 * daemon can make one (a session daemon runs as the user, who cannot
 * create network interfaces). */
static void
check_tap (PvmPlan   *plan,
           PvmConfig *config)
{
  g_autoptr(PvmNetwork) network = NULL;
  g_autoptr(GError) error = NULL;
  const char *uri = pvm_config_get_string (config, "LIBVIRT_URI");
  const char *scheme = g_uri_peek_scheme (uri);
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);

  network = pvm_network_new_from_config (config, &error);
  if (network == NULL)
    add_problem (plan, NULL, "NET_TYPE", "%s", error->message);

  if (parsed != NULL && scheme != NULL && g_str_has_prefix (scheme, "qemu") &&
      g_str_equal (g_uri_get_path (parsed), "/session"))
    add_problem (plan, NULL, "NET_TYPE",
                 "The tap network needs the system libvirt daemon, which can make bridges, "
                 "and LIBVIRT_URI is %s: run pvm as root (sudo pvm ...), or set "
                 "LIBVIRT_URI=qemu:///system and join the libvirt group (sudo adduser $USER "
                 "libvirt, then log in again)", uri);
}

static void
check_launch (PvmPlan   *plan,
              PvmConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *qemu = pvm_host_find_qemu (pvm_config_get_string (config, "QEMU_BIN"),
                                              &error);

  /* In a sandbox without QEMU_BIN, the host's libvirt picks its QEMU. */
  if (qemu == NULL && pvm_host_in_sandbox ())
    g_clear_error (&error);
  else if (qemu == NULL || !pvm_emulator_check_features (qemu, NULL, &error))
    add_problem (plan, NULL, "QEMU_BIN", "%s", error->message);

  if (pvm_config_get_net_type (config) == PVM_NET_TYPE_TAP)
    check_tap (plan, config);

  if (pvm_config_get_boolean (config, "INSTALLING"))
    {
      const char *media = pvm_config_get_string (config, "INSTALL_MEDIA");

      if (*media == '\0')
        add_problem (plan, NULL, "INSTALL_MEDIA",
                     "Install mode needs the installation media: set INSTALL_MEDIA");
      else if (!g_file_test (media, G_FILE_TEST_IS_REGULAR) || access (media, R_OK) != 0)
        add_problem (plan, NULL, "INSTALL_MEDIA",
                     "The installation media %s does not exist or cannot be read", media);
    }
}

/**
 * pvm_plan_check:
 * @plan: a plan from pvm_plan_new_from_config()
 * @config: the same configuration
 *
 * Adds to @plan->problems everything that would make its launch fail or do
 * harm on this host: missing or unreadable images and inputs, an image that
 * is the backing image of another, two VMs on one image, outputs that cannot
 * be written, memory or vCPUs this host does not have, SSH ports in use, a
 * missing QEMU. It reads files and binds a socket for a moment; it creates
 * and changes nothing.
 */
void
pvm_plan_check (PvmPlan   *plan,
                PvmConfig *config)
{
  g_autoptr(GHashTable) images = NULL;
  const char *drive_repo;

  g_return_if_fail (plan != NULL);
  g_return_if_fail (PVM_IS_CONFIG (config));

  images = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  drive_repo = pvm_config_get_string (config, "DRIVEREPO");

  check_launch (plan, config);

  for (guint i = 0; i < plan->vms->len; i++)
    {
      PvmVmPlan *vm = g_ptr_array_index (plan->vms, i);

      check_image (plan, vm, drive_repo, images);
      check_input (plan, vm);
      check_output (plan, vm);
      check_resources (plan, vm);
      check_port (plan, vm);
    }
}

const char *
pvm_input_kind_to_string (PvmInputKind kind)
{
  switch (kind)
    {
    case PVM_INPUT_KIND_SQUASHFS:  return "squashfs";
    case PVM_INPUT_KIND_DIRECTORY: return "directory";
    case PVM_INPUT_KIND_NONE:
    default:                       return "none";
    }
}

/**
 * pvm_vm_plan_add_json_members:
 * @vm: a VM of a plan
 * @builder: a #JsonBuilder inside an object
 *
 * Adds @vm's members to the object @builder is building: exactly name,
 * image, input, input_kind, output, memory_bytes, cores, extra_args and
 * ssh_port (null where there is none).
 */
void
pvm_vm_plan_add_json_members (const PvmVmPlan *vm,
                              JsonBuilder     *builder)
{
  g_return_if_fail (vm != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, vm->name);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, vm->image);
  _pvm_json_add_nullable_string (builder, "input", vm->input);
  json_builder_set_member_name (builder, "input_kind");
  json_builder_add_string_value (builder, pvm_input_kind_to_string (vm->input_kind));
  _pvm_json_add_nullable_string (builder, "output", vm->output);
  json_builder_set_member_name (builder, "memory_bytes");
  json_builder_add_int_value (builder, (gint64) vm->memory_bytes);
  json_builder_set_member_name (builder, "cores");
  json_builder_add_int_value (builder, vm->cores);
  json_builder_set_member_name (builder, "extra_args");
  json_builder_begin_array (builder);
  for (guint j = 0; vm->extra_args != NULL && vm->extra_args[j] != NULL; j++)
    json_builder_add_string_value (builder, vm->extra_args[j]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "ssh_port");
  if (vm->ssh_port != 0)
    json_builder_add_int_value (builder, vm->ssh_port);
  else
    json_builder_add_null_value (builder);
}

/**
 * pvm_plan_to_json:
 * @plan: a plan
 *
 * Returns: (transfer full): a JSON array with one object per VM, with the
 *   members of pvm_vm_plan_add_json_members()
 */
JsonNode *
pvm_plan_to_json (PvmPlan *plan)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (plan != NULL, NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i < plan->vms->len; i++)
    {
      json_builder_begin_object (builder);
      pvm_vm_plan_add_json_members (g_ptr_array_index (plan->vms, i), builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return json_builder_get_root (builder);
}

/**
 * pvm_problem_to_string:
 * @problem: a problem
 *
 * Returns: (transfer full): "VM 2 (image2), -d/DRIVES: message", or the
 *   message alone for the launch as a whole
 */
char *
pvm_problem_to_string (PvmProblem *problem)
{
  g_return_val_if_fail (problem != NULL, NULL);

  if (problem->vm_index < 0)
    return g_strdup_printf ("%s%s%s", problem->setting != NULL ? problem->setting : "",
                            problem->setting != NULL ? ": " : "", problem->message);

  return g_strdup_printf ("VM %d (%s), %s: %s", problem->vm_index + 1, problem->vm_name,
                          problem->setting, problem->message);
}
