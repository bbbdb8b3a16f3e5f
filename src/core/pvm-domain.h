/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-domain.h: one VM of a launch plan as a libvirt domain definition, and
 * the plan read back from a domain pVM defined.
 *
 * docs/performance.md explains the devices and the policies chosen here. */

#pragma once

#include <libvirt-gconfig/libvirt-gconfig.h>

#include "pvm-config.h"
#include "pvm-plan.h"

G_BEGIN_DECLS

/* Every domain pVM defines is named "pvm-" + the image name. */
#define PVM_DOMAIN_NAME_PREFIX     "pvm-"

/* pVM's own element in the domain's <metadata>: <pvm:vm xmlns:pvm="...">.
 * The trailing /1 is the version of its format; a change that older pVMs
 * cannot read gets a new URI. */
#define PVM_DOMAIN_METADATA_PREFIX "pvm"
#define PVM_DOMAIN_METADATA_URI    "https://io.github.pvm/xmlns/vm/1"

/* libvirt's namespace for raw QEMU arguments (<qemu:commandline>). */
#define PVM_DOMAIN_QEMU_NS_URI     "http://libvirt.org/schemas/domain/qemu/1.0"

/* The QEMU id of the user-mode network device pVM adds for SSH forwarding,
 * and the free slot on the PCI Express root bus it goes to (without an
 * explicit address it collides with the qxl device on q35). */
#define PVM_DOMAIN_NETDEV_ID       "pvmnet0"
#define PVM_DOMAIN_NETDEV_PCI_SLOT "0x10"

/* Under TCG, the fixed CPU model of the "migration-safe" mode. */
#define PVM_DOMAIN_TCG_CPU_MODEL   "Westmere"

typedef struct
{
  const char *domain_type;   /* "kvm", or "qemu" for TCG */
  const char *emulator;      /* absolute path of the QEMU binary (QEMU_BIN), or NULL for
                              * libvirt's default (pVM in a sandbox) */
  PvmCpuMode  cpu_mode;      /* "fastest" needs "kvm" */
  const char *serial_log;    /* absolute path of the file the first serial port writes */
  const char *uuid;          /* the domain's UUID, or NULL to let libvirt pick one */
  gboolean    image_buffered; /* the image's file system cannot bypass the page cache */
  gboolean    input_buffered; /* (O_DIRECT, e.g. tmpfs): use it, with I/O in threads */
  const char *output_disk;    /* OUTPUT_MODE=disk: the output disk image, else NULL
                               * for a 9p share of the output directory */
  gboolean    output_buffered;
  gboolean    output_squash;  /* the output directory's file system keeps no user xattrs
                               * (tmpfs, FAT): a 9p share with accessmode='squash' */
  const char *install_media;  /* install mode: the CD-ROM to boot first, else NULL */
  const char *install_share;  /* install mode: the folder shared as 9p tag "install" */
  const char *network;        /* NET_TYPE=tap: the libvirt network to join, else NULL
                               * for the user-mode network with the SSH forward */
  const char *mac;            /* its MAC address, or NULL to let libvirt pick one */
  gboolean    spice_socket;   /* SPICE on a Unix socket libvirt names (a remote host's VM:
                               * its console comes through SSH), else no listener at all
                               * (a local VM's console gets a file descriptor) */
  const char *agent_socket;   /* the guest agent's socket where libvirt's path could be
                               * too long (pvm_domain_dup_agent_socket ()), else NULL */
} PvmDomainOptions;

char             *pvm_domain_dup_agent_socket    (const char              *uri,
                                                  const char              *domain_name);

char             *pvm_domain_name_for_image_name (const char              *image_name);
char             *pvm_domain_name_for_plan       (const PvmVmPlan         *vm);
GVirConfigDomain *pvm_domain_build               (const PvmVmPlan         *vm,
                                                  const PvmDomainOptions  *options,
                                                  GError                 **error);
PvmVmPlan        *pvm_domain_dup_plan            (GVirConfigDomain        *config,
                                                  GError                 **error);
gboolean          pvm_domain_args_have_snapshot  (const char * const      *args);
GStrv             pvm_domain_dup_disk_paths      (GVirConfigDomain        *config);
char             *pvm_domain_dup_serial_log      (GVirConfigDomain        *config);
char             *pvm_domain_dup_output_disk     (GVirConfigDomain        *config);
char             *pvm_domain_dup_network         (GVirConfigDomain        *config,
                                                  char                   **mac);


G_END_DECLS
