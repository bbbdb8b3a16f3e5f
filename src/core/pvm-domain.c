/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-domain"

#include "config.h"

#include <string.h>
#include <sys/un.h>

#include "pvm-autocleanups.h"
#include "pvm-contract.h"
#include "pvm-domain-private.h"
#include "pvm-error.h"
#include "pvm-hosts.h"
#include "pvm-size.h"

/* The guest's architecture and machine: pVM's guests are x86-64 PCs. */
#define GUEST_ARCH    "x86_64"
#define GUEST_MACHINE "q35"

/* The one I/O thread of every domain, shared by its virtio disks. */
#define IOTHREAD_ID   "1"

/* ------------------------------------------------------------------ */
/* Names                                                              */

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.' || c == '+' || c == '-';
}

/**
 * pvm_domain_name_for_image_name:
 * @image_name: an image's name without .qcow2 (PvmVmPlan.name)
 *
 * The name of the domain pVM defines for an image: "pvm-" followed by
 * @image_name with every character other than ASCII letters, digits, "_",
 * ".", "+" and "-" replaced by one "_" (a UTF-8 character of several bytes
 * by one "_"; in a name that is not UTF-8, every byte outside that set).
 * Such a name needs no quoting in virsh, in file names libvirt derives
 * from it, or in QEMU's -name. Two image names can map to the same domain
 * name ("a b" and "a_b"): the launcher tells them apart by the image path
 * in pVM's metadata.
 *
 * Returns: (transfer full): the domain name
 */
char *
pvm_domain_name_for_image_name (const char *image_name)
{
  GString *name;
  gboolean utf8;

  g_return_val_if_fail (image_name != NULL, NULL);

  name = g_string_new (PVM_DOMAIN_NAME_PREFIX);
  utf8 = g_utf8_validate (image_name, -1, NULL);
  for (const char *p = image_name; *p != '\0'; p = utf8 ? g_utf8_next_char (p) : p + 1)
    g_string_append_c (name, is_name_char (*p) ? *p : '_');

  return g_string_free (name, FALSE);
}

/**
 * pvm_domain_name_for_plan:
 * @vm: a VM of a launch plan
 *
 * Returns: (transfer full): pvm_domain_name_for_image_name() of @vm's name
 */
char *
pvm_domain_name_for_plan (const PvmVmPlan *vm)
{
  g_return_val_if_fail (vm != NULL, NULL);
  g_return_val_if_fail (vm->name != NULL, NULL);

  return pvm_domain_name_for_image_name (vm->name);
}

/* QEMU takes its options with one dash or two. */
static gboolean
is_snapshot_arg (const char *arg)
{
  return g_str_equal (arg, "-snapshot") || g_str_equal (arg, "--snapshot");
}

/**
 * pvm_domain_args_have_snapshot:
 * @args: (nullable): QEMU arguments
 *
 * Returns: whether @args hold QEMU's -snapshot option, which pVM turns
 *   into a transient system disk instead of passing it on
 */
gboolean
pvm_domain_args_have_snapshot (const char * const *args)
{
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    if (is_snapshot_arg (args[i]))
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Checks                                                             */

/* A value that goes into the domain XML: UTF-8 (libvirt's XML is UTF-8)
 * without control characters (XML 1.0 cannot carry most of them, and a
 * newline in an attribute would come back as a space). */
static gboolean
check_text (const char  *what,
            const char  *value,
            GError     **error)
{
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (value, -1);

      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "The %s “%s” is not valid UTF-8: a libvirt domain cannot hold it "
                   "(rename it)", what, shown);
      return FALSE;
    }

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      {
        g_autofree char *shown = g_strescape (value, NULL);

        g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                     "The %s “%s” contains a control character (a newline, a tab...): "
                     "a libvirt domain cannot hold it (rename it)", what, shown);
        return FALSE;
      }

  return TRUE;
}

static gboolean
check_path (const char  *what,
            const char  *path,
            GError     **error)
{
  if (path == NULL || *path == '\0')
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT, "No %s given", what);
      return FALSE;
    }
  if (!check_text (what, path, error))
    return FALSE;
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "The %s “%s” is not an absolute path", what, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_plan (const PvmVmPlan  *vm,
            GError          **error)
{
  if (vm->name == NULL)
    {
      g_set_error_literal (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT, "The VM has no name");
      return FALSE;
    }
  if (!check_text ("image name", vm->name, error))
    return FALSE;
  if (!check_path ("image", vm->image, error))
    return FALSE;

  switch (vm->input_kind)
    {
    case PVM_INPUT_KIND_NONE:
      if (vm->input != NULL)
        {
          g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                       "The input “%s” of %s has no kind", vm->input, vm->name);
          return FALSE;
        }
      break;
    case PVM_INPUT_KIND_SQUASHFS:
    case PVM_INPUT_KIND_DIRECTORY:
      if (!check_path ("input", vm->input, error))
        return FALSE;
      break;
    default:
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Unknown input kind %d", (int) vm->input_kind);
      return FALSE;
    }

  if (vm->output != NULL && !check_path ("output", vm->output, error))
    return FALSE;

  if (vm->memory_bytes == 0 || vm->memory_bytes % PVM_SIZE_KIB != 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "The memory of %s, %" G_GUINT64_FORMAT " bytes, is not a positive "
                   "whole number of KiB", vm->name, vm->memory_bytes);
      return FALSE;
    }
  if (vm->cores == 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "%s has no CPU cores", vm->name);
      return FALSE;
    }
  if (vm->ssh_port > G_MAXUINT16)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "The SSH port %u of %s is not a TCP port", vm->ssh_port, vm->name);
      return FALSE;
    }

  for (guint i = 0; vm->extra_args != NULL && vm->extra_args[i] != NULL; i++)
    if (!check_text ("QEMU argument", vm->extra_args[i], error))
      return FALSE;

  return TRUE;
}

static gboolean
check_options (const PvmDomainOptions  *options,
               GError                 **error)
{
  if (g_strcmp0 (options->domain_type, "kvm") != 0 &&
      g_strcmp0 (options->domain_type, "qemu") != 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Unknown domain type “%s” (use “kvm” or “qemu”)",
                   options->domain_type != NULL ? options->domain_type : "(none)");
      return FALSE;
    }
  if ((options->emulator != NULL && !check_path ("QEMU binary", options->emulator, error)) ||
      !check_path ("serial log", options->serial_log, error) ||
      (options->output_disk != NULL && !check_path ("output disk", options->output_disk, error)) ||
      (options->install_media != NULL &&
       !check_path ("installation media", options->install_media, error)) ||
      (options->install_share != NULL &&
       !check_path ("install share", options->install_share, error)))
    return FALSE;
  if (options->uuid != NULL && !g_uuid_string_is_valid (options->uuid))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a UUID", options->uuid);
      return FALSE;
    }
  if (options->cpu_mode != PVM_CPU_MODE_MIGRATION_SAFE &&
      options->cpu_mode != PVM_CPU_MODE_FASTEST)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Unknown CPU mode %d", (int) options->cpu_mode);
      return FALSE;
    }
  if (options->cpu_mode == PVM_CPU_MODE_FASTEST && g_str_equal (options->domain_type, "qemu"))
    {
      g_set_error_literal (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
                           "The CPU mode “fastest” passes the host CPU through, which needs "
                           "KVM, and this host runs guests under TCG (no usable /dev/kvm): "
                           "use the CPU mode “migration-safe”");
      return FALSE;
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Shared with pvm-domain-metadata.c                                  */

/* Appends @format's result with every string argument escaped for XML. */
void
_pvm_domain_append_escaped (GString    *xml,
                            const char *format,
                            ...)
{
  g_autofree char *escaped = NULL;
  va_list args;

  va_start (args, format);
  escaped = g_markup_vprintf_escaped (format, args);
  va_end (args);
  g_string_append (xml, escaped);
}

/* ------------------------------------------------------------------ */
/* The domain                                                         */

/* What pVM passes to QEMU itself: the user-mode network with the SSH
 * forward (libvirt 9.0 has no session-mode port forwarding of its own,
 * see ../shared/PLATFORM.md), then the user's extra arguments unchanged,
 * except -snapshot, which becomes a transient disk. */
static GStrv
qemu_args_for_plan (const PvmVmPlan *vm)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (vm->ssh_port != 0)
    {
      g_autofree char *netdev = g_strdup_printf ("user,id=" PVM_DOMAIN_NETDEV_ID
                                                 ",hostfwd=tcp:127.0.0.1:%u-:22",
                                                 vm->ssh_port);

      g_strv_builder_add (builder, "-netdev");
      g_strv_builder_add (builder, netdev);
      g_strv_builder_add (builder, "-device");
      g_strv_builder_add (builder, "virtio-net-pci,netdev=" PVM_DOMAIN_NETDEV_ID
                                   ",bus=pcie.0,addr=" PVM_DOMAIN_NETDEV_PCI_SLOT);
    }

  for (guint i = 0; vm->extra_args != NULL && vm->extra_args[i] != NULL; i++)
    if (!is_snapshot_arg (vm->extra_args[i]))
      g_strv_builder_add (builder, vm->extra_args[i]);

  return g_strv_builder_end (builder);
}

/* The domain's outline. libvirt does not care about the order of these
 * elements, but people reading the XML do: libvirt-gconfig replaces each
 * empty element in place, where an added element would go to the end.
 * The outline also carries the parts libvirt-gconfig 4.0 has no API for:
 * <iothreads>, <emulator> and <qemu:commandline>. */
static char *
outline_xml (const PvmDomainOptions  *options,
             const char * const      *qemu_args)
{
  GString *xml = g_string_new ("<domain");

  if (qemu_args[0] != NULL)
    g_string_append (xml, " xmlns:qemu='" PVM_DOMAIN_QEMU_NS_URI "'");
  g_string_append (xml, "><name/>");
  if (options->uuid != NULL)
    g_string_append (xml, "<uuid/>");
  g_string_append (xml, "<metadata/><memory/><vcpu/><iothreads>" IOTHREAD_ID "</iothreads>"
                        "<os/><features/><cpu/><clock/>"
                        "<on_poweroff/><on_reboot/><on_crash/>");
  /* No emulator: libvirt's default for the architecture and machine. */
  if (options->emulator != NULL)
    _pvm_domain_append_escaped (xml, "<devices><emulator>%s</emulator></devices>",
                                options->emulator);
  else
    g_string_append (xml, "<devices/>");
  if (qemu_args[0] != NULL)
    {
      g_string_append (xml, "<qemu:commandline>");
      for (guint i = 0; qemu_args[i] != NULL; i++)
        _pvm_domain_append_escaped (xml, "<qemu:arg value='%s'/>", qemu_args[i]);
      g_string_append (xml, "</qemu:commandline>");
    }
  g_string_append (xml, "</domain>");

  return g_string_free (xml, FALSE);
}

/* The CPU: see docs/performance.md. The vCPUs are cores of one socket, as
 * QEMU's own "-smp N" makes them (libvirt would make N sockets). */
static void
set_cpu (GVirConfigDomain       *domain,
         const PvmVmPlan        *vm,
         const PvmDomainOptions *options)
{
  g_autoptr(GVirConfigDomainCpu) cpu = gvir_config_domain_get_cpu (domain);
  g_autoptr(GVirConfigCapabilitiesCpuTopology) topology =
    gvir_config_capabilities_cpu_topology_new ();
  gboolean kvm = g_str_equal (options->domain_type, "kvm");

  if (options->cpu_mode == PVM_CPU_MODE_FASTEST)
    {
      g_assert (kvm);
      gvir_config_domain_cpu_set_mode (cpu, GVIR_CONFIG_DOMAIN_CPU_MODE_HOST_PASSTHROUGH);
    }
  else if (kvm)
    gvir_config_domain_cpu_set_mode (cpu, GVIR_CONFIG_DOMAIN_CPU_MODE_HOST_MODEL);
  else
    {
      g_autoptr(GVirConfigDomainCpuModel) model = NULL;

      /* fallback='forbid' (no API for it): this model or no guest at all,
       * so that the guest sees the same CPU on every host. libvirt-glib 4.0
       * declares gvir_config_domain_cpu_model_new_from_xml() but does not
       * export it. */
      model = GVIR_CONFIG_DOMAIN_CPU_MODEL (
        gvir_config_object_new_from_xml (GVIR_CONFIG_TYPE_DOMAIN_CPU_MODEL, "model", NULL,
                                         "<model fallback='forbid'/>", NULL));
      g_assert (model != NULL);
      gvir_config_capabilities_cpu_model_set_name (GVIR_CONFIG_CAPABILITIES_CPU_MODEL (model),
                                                   PVM_DOMAIN_TCG_CPU_MODEL);
      gvir_config_domain_cpu_set_mode (cpu, GVIR_CONFIG_DOMAIN_CPU_MODE_CUSTOM);
      gvir_config_domain_cpu_set_model (cpu, model);
    }

  gvir_config_capabilities_cpu_topology_set_sockets (topology, 1);
  gvir_config_capabilities_cpu_topology_set_cores (topology, vm->cores);
  gvir_config_capabilities_cpu_topology_set_threads (topology, 1);
  gvir_config_capabilities_cpu_set_topology (GVIR_CONFIG_CAPABILITIES_CPU (cpu), topology);
}

/* Adds @device, if any, to @domain and drops the caller's reference. */
static gboolean
add_device (GVirConfigDomain *domain,
            gpointer          device)
{
  if (device == NULL)
    return FALSE;

  gvir_config_domain_add_device (domain, GVIR_CONFIG_DOMAIN_DEVICE (device));
  g_object_unref (device);
  return TRUE;
}

/* A virtio disk on the I/O thread, bypassing the host's page cache
 * (cache='none' io='native'; see docs/performance.md), unless its file
 * system cannot (@buffered: cache='writeback' io='threads'). @outline
 * carries what libvirt-gconfig 4.0 has no API for: <boot>, <serial>,
 * <transient shareBacking='yes'/>. */
static GVirConfigDomainDisk *
virtio_disk_new (const char                  *outline,
                 const char                  *path,
                 GVirConfigDomainDiskFormat   format,
                 const char                  *target,
                 gboolean                     writable,
                 gboolean                     buffered,
                 GError                     **error)
{
  g_autoptr(GVirConfigDomainDiskDriver) driver = NULL;
  GVirConfigDomainDisk *disk;

  disk = gvir_config_domain_disk_new_from_xml (outline, error);
  if (disk == NULL)
    return NULL;
  /* No API for the iothread attribute either. */
  driver = gvir_config_domain_disk_driver_new_from_xml ("<driver iothread='" IOTHREAD_ID "'/>",
                                                        error);
  if (driver == NULL)
    {
      g_object_unref (disk);
      return NULL;
    }

  gvir_config_domain_disk_set_type (disk, GVIR_CONFIG_DOMAIN_DISK_FILE);
  gvir_config_domain_disk_set_guest_device_type (disk, GVIR_CONFIG_DOMAIN_DISK_GUEST_DEVICE_DISK);
  gvir_config_domain_disk_driver_set_name (driver, "qemu");
  gvir_config_domain_disk_driver_set_format (driver, format);
  gvir_config_domain_disk_driver_set_cache (driver, buffered
                                                      ? GVIR_CONFIG_DOMAIN_DISK_CACHE_WRITEBACK
                                                      : GVIR_CONFIG_DOMAIN_DISK_CACHE_NONE);
  gvir_config_domain_disk_driver_set_io_policy (
    driver, buffered ? GVIR_CONFIG_DOMAIN_DISK_DRIVER_IO_POLICY_THREADS
                     : GVIR_CONFIG_DOMAIN_DISK_DRIVER_IO_POLICY_NATIVE);
  if (writable)
    gvir_config_domain_disk_driver_set_discard (driver,
                                                GVIR_CONFIG_DOMAIN_DISK_DRIVER_DISCARD_UNMAP);
  gvir_config_domain_disk_set_driver (disk, driver);
  gvir_config_domain_disk_set_source (disk, path);
  gvir_config_domain_disk_set_target_dev (disk, target);
  gvir_config_domain_disk_set_target_bus (disk, GVIR_CONFIG_DOMAIN_DISK_BUS_VIRTIO);
  gvir_config_domain_disk_set_readonly (disk, !writable);

  return disk;
}

/* The system disk boots first (SeaBIOS needs a boot order to pick it among
 * several virtio disks). With -snapshot it is transient: libvirt puts a
 * throwaway overlay over it and the image is never written; shared, so
 * that several VMs may boot one image at once (the overlay is made before
 * QEMU starts, which opens the image read-only). */
static GVirConfigDomainDisk *
image_disk_new (const PvmVmPlan         *vm,
                const PvmDomainOptions  *options,
                GError                 **error)
{
  /* In install mode the CD-ROM boots first. */
  gboolean second = options->install_media != NULL;
  const char *outline = pvm_domain_args_have_snapshot ((const char * const *) vm->extra_args)
                          ? (second ? "<disk><boot order='2'/><transient shareBacking='yes'/></disk>"
                                    : "<disk><boot order='1'/><transient shareBacking='yes'/></disk>")
                          : (second ? "<disk><boot order='2'/></disk>"
                                    : "<disk><boot order='1'/></disk>");

  return virtio_disk_new (outline, vm->image, GVIR_CONFIG_DOMAIN_DISK_FORMAT_QCOW2,
                          "vda", TRUE, options->image_buffered, error);
}

/* Install mode's installation media: a read-only SATA CD-ROM that boots
 * first (q35's AHCI controller; SeaBIOS boots CDs from it). */
static GVirConfigDomainDisk *
install_media_new (const char  *path,
                   GError     **error)
{
  g_autoptr(GVirConfigDomainDiskDriver) driver = gvir_config_domain_disk_driver_new ();
  GVirConfigDomainDisk *disk;

  disk = gvir_config_domain_disk_new_from_xml ("<disk><boot order='1'/></disk>", error);
  if (disk == NULL)
    return NULL;
  gvir_config_domain_disk_set_type (disk, GVIR_CONFIG_DOMAIN_DISK_FILE);
  gvir_config_domain_disk_set_guest_device_type (disk,
                                                 GVIR_CONFIG_DOMAIN_DISK_GUEST_DEVICE_CDROM);
  gvir_config_domain_disk_driver_set_name (driver, "qemu");
  gvir_config_domain_disk_driver_set_format (driver, GVIR_CONFIG_DOMAIN_DISK_FORMAT_RAW);
  gvir_config_domain_disk_set_driver (disk, driver);
  gvir_config_domain_disk_set_source (disk, path);
  gvir_config_domain_disk_set_target_dev (disk, "sda");
  gvir_config_domain_disk_set_target_bus (disk, GVIR_CONFIG_DOMAIN_DISK_BUS_SATA);
  gvir_config_domain_disk_set_readonly (disk, TRUE);
  return disk;
}

/* A SquashFS input: a read-only raw disk the guest finds by its serial. */
static GVirConfigDomainDisk *
input_disk_new (const PvmVmPlan         *vm,
                const PvmDomainOptions  *options,
                GError                 **error)
{
  return virtio_disk_new ("<disk><serial>" PVM_CONTRACT_INPUT_SERIAL "</serial></disk>",
                          vm->input, GVIR_CONFIG_DOMAIN_DISK_FORMAT_RAW, "vdb", FALSE,
                          options->input_buffered, error);
}

/* A 9p share. accessmode='mapped' keeps the guest's owners and modes in
 * user xattrs, so an unprivileged QEMU can store files root made in the
 * guest; on the host a writable share's new files are 0644 and its
 * directories 0755 (QEMU's default is 0600 and 0700), so that the outputs
 * can be read by others than QEMU's user, as files made on the host would.
 * Where the host file system keeps no user xattrs (@squash: tmpfs before
 * Linux 6.6, FAT, NFSv3), QEMU would refuse every file the guest creates
 * in mapped mode; 'squash' stores the files with the modes the guest gives
 * them, owned by QEMU's user, and ignores the guest's chown. */
static GVirConfigDomainFilesys *
share_new (const char *dir,
           const char *tag,
           gboolean    writable,
           gboolean    squash)
{
  GVirConfigDomainFilesys *filesys = writable && !squash
    ? gvir_config_domain_filesys_new_from_xml ("<filesystem fmode='0644' dmode='0755'/>", NULL)
    : gvir_config_domain_filesys_new ();

  gvir_config_domain_filesys_set_type (filesys, GVIR_CONFIG_DOMAIN_FILESYS_MOUNT);
  gvir_config_domain_filesys_set_access_type (filesys, squash
                                              ? GVIR_CONFIG_DOMAIN_FILESYS_ACCESS_SQUASH
                                              : GVIR_CONFIG_DOMAIN_FILESYS_ACCESS_MAPPED);
  gvir_config_domain_filesys_set_source (filesys, dir);
  gvir_config_domain_filesys_set_target (filesys, tag);
  gvir_config_domain_filesys_set_readonly (filesys, !writable);

  return filesys;
}

static gpointer
input_new (const PvmVmPlan         *vm,
           const PvmDomainOptions  *options,
           GError                 **error)
{
  if (vm->input_kind == PVM_INPUT_KIND_SQUASHFS)
    return input_disk_new (vm, options, error);

  g_assert (vm->input_kind == PVM_INPUT_KIND_DIRECTORY);
  return share_new (vm->input, PVM_CONTRACT_INPUT_TAG, FALSE, FALSE);
}

/* NET_TYPE=tap: a virtio NIC on pVM's libvirt network (pvm-network.c). */
static GVirConfigDomainInterface *
network_interface_new (const PvmDomainOptions *options)
{
  GVirConfigDomainInterfaceNetwork *nic = gvir_config_domain_interface_network_new ();

  gvir_config_domain_interface_network_set_source (nic, options->network);
  if (options->mac != NULL)
    gvir_config_domain_interface_set_mac (GVIR_CONFIG_DOMAIN_INTERFACE (nic), options->mac);
  gvir_config_domain_interface_set_model (GVIR_CONFIG_DOMAIN_INTERFACE (nic), "virtio");
  return GVIR_CONFIG_DOMAIN_INTERFACE (nic);
}

/* The first serial port writes to a file; libvirt-gconfig 4.0 has no file
 * chardev source. The console is the same port, as libvirt requires. The
 * file is appended to: libvirt would truncate it when a saved VM resumes
 * (the launcher empties it for each launch). */
static GVirConfigDomainSerial *
serial_new (const char  *path,
            GError     **error)
{
  g_autofree char *xml = g_markup_printf_escaped ("<serial type='file'>"
                                                  "<source path='%s' append='on'/>"
                                                  "<target port='0'/></serial>", path);

  return gvir_config_domain_serial_new_from_xml (xml, error);
}

static GVirConfigDomainConsole *
console_new (const char  *path,
             GError     **error)
{
  g_autofree char *xml = g_markup_printf_escaped ("<console type='file'>"
                                                  "<source path='%s' append='on'/>"
                                                  "<target type='serial' port='0'/></console>",
                                                  path);

  return gvir_config_domain_console_new_from_xml (xml, error);
}

/* SPICE without any network listener: clients get a file descriptor from
 * libvirt (virDomainOpenGraphicsFD), which only a local libvirt can pass;
 * on another host, a Unix socket of libvirt's naming, which pVM reaches
 * through SSH. Never a TCP port. gconfig has no <listen>. */
static GVirConfigDomainGraphicsSpice *
spice_new (gboolean   socket,
           GError   **error)
{
  return gvir_config_domain_graphics_spice_new_from_xml (socket ? "<graphics type='spice'>"
                                                                  "<listen type='socket'/>"
                                                                  "</graphics>"
                                                                : "<graphics type='spice'>"
                                                                  "<listen type='none'/>"
                                                                  "</graphics>",
                                                         error);
}

static GVirConfigDomainVideo *
video_new (void)
{
  GVirConfigDomainVideo *video = gvir_config_domain_video_new ();

  gvir_config_domain_video_set_model (video, GVIR_CONFIG_DOMAIN_VIDEO_MODEL_QXL);
  return video;
}

/* virtio input devices: an absolute pointer without a USB controller.
 * gconfig's bus enumeration has no virtio. */
static GVirConfigDomainInput *
virtio_input_new (GVirConfigDomainInputDeviceType   type,
                  GError                          **error)
{
  GVirConfigDomainInput *input = gvir_config_domain_input_new_from_xml ("<input bus='virtio'/>",
                                                                       error);

  if (input != NULL)
    gvir_config_domain_input_set_device_type (input, type);
  return input;
}

/* A device that gconfig has no class for: a plain device object made from
 * @xml, whose root element is @element. */
static GVirConfigDomainDevice *
device_new_from_xml (const char  *element,
                     const char  *xml,
                     GError     **error)
{
  GVirConfigObject *device;

  device = gvir_config_object_new_from_xml (GVIR_CONFIG_TYPE_DOMAIN_DEVICE, element, NULL, xml,
                                            error);
  return device != NULL ? GVIR_CONFIG_DOMAIN_DEVICE (device) : NULL;
}

/* The SPICE agent's channel (clipboard, resolution). */
static GVirConfigDomainChannel *
spice_agent_channel_new (void)
{
  GVirConfigDomainChannel *channel = gvir_config_domain_channel_new ();
  g_autoptr(GVirConfigDomainChardevSourceSpiceVmc) source =
    gvir_config_domain_chardev_source_spicevmc_new ();

  gvir_config_domain_channel_set_target_type (channel, GVIR_CONFIG_DOMAIN_CHANNEL_TARGET_VIRTIO);
  gvir_config_domain_channel_set_target_name (channel, PVM_CONTRACT_SPICE_AGENT_CHANNEL);
  gvir_config_domain_chardev_set_source (GVIR_CONFIG_DOMAIN_CHARDEV (channel),
                                         GVIR_CONFIG_DOMAIN_CHARDEV_SOURCE (source));
  return channel;
}

/* libvirt 9.0 binds a session VM's channel sockets at
 * $XDG_CONFIG_HOME/libvirt/qemu/channel/target/domain-ID-NAME/TARGET, NAME
 * the domain name's first 20 characters and ID the domain's, which grows
 * at every start. A Unix socket's path holds 107 bytes: past that, QEMU
 * cannot bind it and the VM does not start ("UNIX socket path ... too
 * long"). For /home/jean.dupont (its .config 25 bytes) and a VM name of
 * 16 characters, that is from the hundredth start on. */
#define LIBVIRT_SHORT_NAME_MAX  20
#define DOMAIN_ID_MAX_DIGITS    10    /* an int */

/**
 * pvm_domain_dup_agent_socket:
 * @uri: the libvirt URI the domain is defined on
 * @domain_name: the domain's name
 *
 * Returns: (transfer full) (nullable): where the guest agent's socket goes
 *   when libvirt's own path for it could be too long at some start (a
 *   session on this machine only): a path in the user's runtime
 *   directory, named by a hash of @domain_name. %NULL: libvirt's path.
 */
char *
pvm_domain_dup_agent_socket (const char *uri,
                             const char *domain_name)
{
  struct sockaddr_un address;
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *path = NULL;
  glong name_chars;
  gsize libvirt_length;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (domain_name != NULL && g_utf8_validate (domain_name, -1, NULL), NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, NULL);
  if (parsed == NULL || !pvm_hosts_uri_is_local (uri) ||
      g_strcmp0 (g_uri_get_path (parsed), "/session") != 0)
    return NULL;

  name_chars = MIN (g_utf8_strlen (domain_name, -1), LIBVIRT_SHORT_NAME_MAX);
  libvirt_length = strlen (g_get_user_config_dir ()) + strlen ("/libvirt/qemu/channel/target")
                   + strlen ("/domain-") + DOMAIN_ID_MAX_DIGITS + strlen ("-")
                   + (gsize) (g_utf8_offset_to_pointer (domain_name, name_chars) - domain_name)
                   + strlen ("/" PVM_CONTRACT_GUEST_AGENT_CHANNEL);
  if (libvirt_length < sizeof address.sun_path)
    return NULL;

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, domain_name, -1);
  path = g_strdup_printf ("%s/pvm-agent-%.16s.sock", g_get_user_runtime_dir (), hash);
  return strlen (path) < sizeof address.sun_path ? g_steal_pointer (&path) : NULL;
}

/* The QEMU guest agent's channel, at @path or, %NULL, where libvirt puts
 * it; libvirt talks to the agent itself (virsh domfsinfo, shutdown --mode
 * agent). */
static GVirConfigDomainChannel *
guest_agent_channel_new (const char  *path,
                         GError     **error)
{
  g_autoptr(GString) xml = g_string_new ("<channel type='unix'>");

  if (path != NULL)
    _pvm_domain_append_escaped (xml, "<source mode='bind' path='%s'/>", path);
  else
    g_string_append (xml, "<source mode='bind'/>");
  g_string_append (xml, "<target type='virtio' name='" PVM_CONTRACT_GUEST_AGENT_CHANNEL "'/>"
                        "</channel>");
  return gvir_config_domain_channel_new_from_xml (xml->str, error);
}

/* The controller of the two channels above, with room for 4 ports (the
 * console's port 0, the two channels, one spare) instead of QEMU's 31. The
 * guest's driver sets up two virtqueues for every port, and each is an
 * eventfd that QEMU's main loop polls at every wake-up: 78 descriptors
 * instead of 24. With 31 ports, a job writing small files to a 9p output
 * cost the main loop 1.8 times the CPU (docs/performance.md, "Where the
 * time of a 9p output goes"). gconfig has no virtio-serial class. */
static GVirConfigDomainDevice *
serial_controller_new (GError **error)
{
  return device_new_from_xml ("controller",
                              "<controller type='virtio-serial' index='0' ports='4'/>", error);
}

/* No USB at all: libvirt would add a qemu-xhci controller, whose
 * initialization in SeaBIOS costs seconds under TCG. gconfig's model
 * enumeration has no "none". */
static GVirConfigDomainControllerUsb *
no_usb_new (GError **error)
{
  GVirConfigDomainControllerUsb *usb;

  usb = gvir_config_domain_controller_usb_new_from_xml ("<controller type='usb' model='none'/>",
                                                        error);
  if (usb != NULL)
    gvir_config_domain_controller_set_index (GVIR_CONFIG_DOMAIN_CONTROLLER (usb), 0);
  return usb;
}

/* Entropy for the guest's kernel from the host's /dev/urandom; gconfig has
 * no RNG class. */
static GVirConfigDomainDevice *
rng_new (GError **error)
{
  return device_new_from_xml ("rng",
                              "<rng model='virtio'>"
                              "<backend model='random'>/dev/urandom</backend>"
                              "</rng>", error);
}

/* A virtio balloon that also hands pages the guest frees back to the host
 * (freePageReporting, no API for it). */
static GVirConfigDomainMemballoon *
balloon_new (GError **error)
{
  GVirConfigDomainMemballoon *balloon;

  balloon = gvir_config_domain_memballoon_new_from_xml ("<memballoon freePageReporting='on'/>",
                                                        error);
  if (balloon != NULL)
    gvir_config_domain_memballoon_set_model (balloon, GVIR_CONFIG_DOMAIN_MEMBALLOON_MODEL_VIRTIO);
  return balloon;
}

/**
 * pvm_domain_build:
 * @vm: a VM of a launch plan
 * @options: how to run it on this host
 * @error: return location for a #GError
 *
 * Builds the definition of the libvirt domain that runs @vm: a q35 PC with
 * ACPI, @vm's image as its boot disk, its input and output as
 * docs/guest-contract.md describes them, the first serial port in
 * @options's serial_log, SPICE without a network listener, no USB, a
 * virtio RNG and balloon, the SSH port forward when @vm has a port or a
 * virtio NIC on @options's libvirt network (NET_TYPE=tap), and
 * @vm's extra QEMU arguments (-snapshot becomes a transient boot disk). The
 * whole of @vm is stored in pVM's metadata; pvm_domain_dup_plan() reads it
 * back. docs/performance.md explains the choices.
 *
 * Nothing is checked on the host: that is the launcher's job. The errors
 * are %PVM_ERROR_INVALID_ARGUMENT for a value a domain cannot hold and
 * %PVM_ERROR_NOT_SUPPORTED for the "fastest" CPU mode under TCG.
 *
 * Returns: (transfer full): the domain definition, or %NULL
 */
GVirConfigDomain *
pvm_domain_build (const PvmVmPlan         *vm,
                  const PvmDomainOptions  *options,
                  GError                 **error)
{
  static const char * const features[] = { "acpi", "apic", NULL };
  g_autoptr(GVirConfigDomain) domain = NULL;
  g_autoptr(GVirConfigDomainOs) os = NULL;
  g_autoptr(GVirConfigDomainClock) klock = NULL;
  g_auto(GStrv) qemu_args = NULL;
  g_autofree char *outline = NULL;
  g_autofree char *name = NULL;
  g_autofree char *metadata = NULL;

  g_return_val_if_fail (vm != NULL, NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_plan (vm, error) || !check_options (options, error))
    return NULL;

  qemu_args = qemu_args_for_plan (vm);
  outline = outline_xml (options, (const char * const *) qemu_args);
  domain = gvir_config_domain_new_from_xml (outline, error);
  if (domain == NULL)
    return NULL;

  gvir_config_domain_set_virt_type (domain, g_str_equal (options->domain_type, "kvm")
                                              ? GVIR_CONFIG_DOMAIN_VIRT_KVM
                                              : GVIR_CONFIG_DOMAIN_VIRT_QEMU);
  name = pvm_domain_name_for_plan (vm);
  gvir_config_domain_set_name (domain, name);
  if (options->uuid != NULL)
    gvir_config_domain_set_uuid (domain, options->uuid);

  metadata = _pvm_domain_metadata_xml (vm);
  if (!gvir_config_domain_set_custom_xml (domain, metadata, PVM_DOMAIN_METADATA_PREFIX,
                                          PVM_DOMAIN_METADATA_URI, error))
    return NULL;

  gvir_config_domain_set_memory (domain, vm->memory_bytes / PVM_SIZE_KIB);
  gvir_config_domain_set_vcpus (domain, vm->cores);

  /* The getters return views of the outline's elements: no <boot dev>,
   * the disk's boot order decides. */
  os = gvir_config_domain_get_os (domain);
  gvir_config_domain_os_set_os_type (os, GVIR_CONFIG_DOMAIN_OS_TYPE_HVM);
  gvir_config_domain_os_set_arch (os, GUEST_ARCH);
  gvir_config_domain_os_set_machine (os, GUEST_MACHINE);

  /* Without ACPI libvirt passes -no-acpi, and the power button is ACPI. */
  gvir_config_domain_set_features (domain, (GStrv) features);
  set_cpu (domain, vm, options);
  klock = gvir_config_domain_get_clock (domain);
  gvir_config_domain_clock_set_offset (klock, GVIR_CONFIG_DOMAIN_CLOCK_UTC);

  gvir_config_domain_set_lifecycle (domain, GVIR_CONFIG_DOMAIN_LIFECYCLE_ON_POWEROFF,
                                    GVIR_CONFIG_DOMAIN_LIFECYCLE_DESTROY);
  gvir_config_domain_set_lifecycle (domain, GVIR_CONFIG_DOMAIN_LIFECYCLE_ON_REBOOT,
                                    GVIR_CONFIG_DOMAIN_LIFECYCLE_RESTART);
  gvir_config_domain_set_lifecycle (domain, GVIR_CONFIG_DOMAIN_LIFECYCLE_ON_CRASH,
                                    GVIR_CONFIG_DOMAIN_LIFECYCLE_DESTROY);

  if (!add_device (domain, image_disk_new (vm, options, error)))
    return NULL;
  if (vm->input_kind != PVM_INPUT_KIND_NONE && !add_device (domain, input_new (vm, options, error)))
    return NULL;
  if (vm->output != NULL && options->output_disk != NULL)
    {
      if (!add_device (domain, virtio_disk_new ("<disk><serial>" PVM_CONTRACT_OUTPUT_SERIAL
                                                "</serial></disk>", options->output_disk,
                                                GVIR_CONFIG_DOMAIN_DISK_FORMAT_RAW, "vdc", TRUE,
                                                options->output_buffered, error)))
        return NULL;
    }
  else if (vm->output != NULL)
    add_device (domain, share_new (vm->output, PVM_CONTRACT_OUTPUT_TAG, TRUE,
                                   options->output_squash));

  if (options->install_media != NULL &&
      !add_device (domain, install_media_new (options->install_media, error)))
    return NULL;
  if (options->install_share != NULL)
    add_device (domain, share_new (options->install_share, PVM_CONTRACT_INSTALL_TAG, FALSE,
                                   FALSE));

  if (options->network != NULL)
    add_device (domain, network_interface_new (options));

  if (!add_device (domain, serial_new (options->serial_log, error)) ||
      !add_device (domain, console_new (options->serial_log, error)) ||
      !add_device (domain, spice_new (options->spice_socket, error)) ||
      !add_device (domain, video_new ()) ||
      !add_device (domain, virtio_input_new (GVIR_CONFIG_DOMAIN_INPUT_DEVICE_TABLET, error)) ||
      !add_device (domain, virtio_input_new (GVIR_CONFIG_DOMAIN_INPUT_DEVICE_KEYBOARD, error)) ||
      !add_device (domain, spice_agent_channel_new ()) ||
      !add_device (domain, guest_agent_channel_new (options->agent_socket, error)) ||
      !add_device (domain, serial_controller_new (error)) ||
      !add_device (domain, no_usb_new (error)) ||
      !add_device (domain, rng_new (error)) ||
      !add_device (domain, balloon_new (error)))
    return NULL;

  return g_steal_pointer (&domain);
}
