/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-vm-private.h: what pvm-vm.c (the VM, its state and details) and
 * pvm-vm-actions.c (stopping, waiting, saving, deleting it) share. */

#pragma once

#include "pvm-vm.h"

G_BEGIN_DECLS

struct _PvmVm
{
  GObject          parent_instance;

  /* Owned */
  GVirConnection  *connection;
  GVirDomain      *domain;
  PvmVmPlan       *plan;
  char            *domain_name;
  char            *serial_log;
  char            *output_disk;     /* OUTPUT_MODE=disk, or NULL */
  /* A remote host's VM, off: whether this machine sees its output disk,
   * and if not, the disk's stamp there (checked once while it is off) */
  gboolean         output_checked;
  gboolean         output_here;
  char            *output_stamp;
  char            *network;         /* NET_TYPE=tap: its libvirt network, or NULL */
  char            *address;         /* on it: the guest's address, once known */
  virConnectPtr    handle;
  /* libvirt's lifecycle events, shared by the connection's VMs */
  struct _PvmVmFollowers *followers;
  GWeakRef        *follower;        /* this VM's entry in followers */

  PvmVmState       state;
  gboolean         io_error;        /* paused by QEMU: a disk write failed */

  /* A remote host's VM: the SSH forward of its console's Unix socket */
  GSubprocess     *spice_forward;
  char            *spice_forward_dir;
};

void       _pvm_vm_set_state   (PvmVm        *self,
                                PvmVmState    state);
PvmVmState _pvm_vm_query_state (GVirDomain   *domain,
                                gboolean     *io_error);
void       _pvm_vm_stop_spice_forward (PvmVm *self);
gboolean   _pvm_vm_check_not_transient (PvmVm       *self,
                                        const char  *where,
                                        GError     **error);

G_END_DECLS
