/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-network.h: the tap network of the original pVM (NET_TYPE=tap) as a
 * libvirt network: the bridge VM_BRIDGE with the address BR_ADDR and a
 * DHCP server leasing LEASE_RANGE, or an existing bridge (Open vSwitch or
 * Linux) the VMs join as they are. docs/networking.md tells the story. */

#pragma once

#include <libvirt/libvirt.h>

#include "pvm-config.h"

G_BEGIN_DECLS

/* The libvirt network of bridge B is named "pvm-" + B. */
#define PVM_NETWORK_NAME_PREFIX "pvm-"

/**
 * PvmNetworkKind:
 * @PVM_NETWORK_KIND_MANAGED: libvirt makes the bridge, gives it BR_ADDR
 *   and runs a DHCP server for LEASE_RANGE
 * @PVM_NETWORK_KIND_LINUX_BRIDGE: an existing Linux bridge; its address
 *   and DHCP are whoever made it's
 * @PVM_NETWORK_KIND_OPENVSWITCH: an existing Open vSwitch bridge; same
 */
typedef enum
{
  PVM_NETWORK_KIND_MANAGED,
  PVM_NETWORK_KIND_LINUX_BRIDGE,
  PVM_NETWORK_KIND_OPENVSWITCH,
} PvmNetworkKind;

typedef struct
{
  char           *name;         /* the libvirt network */
  char           *bridge;       /* VM_BRIDGE */
  char           *address;      /* BR_ADDR without its prefix length */
  guint           prefix;       /* BR_ADDR's prefix length */
  char           *range_start;  /* LEASE_RANGE */
  char           *range_end;
  PvmNetworkKind  kind;         /* what pvm_network_ensure() found or made */
} PvmNetwork;

PvmNetwork *pvm_network_new_from_config   (PvmConfig         *config,
                                           GError           **error);
void        pvm_network_free              (PvmNetwork        *network);
char       *pvm_network_to_xml            (const PvmNetwork  *network);
gboolean    pvm_network_ensure            (PvmNetwork        *network,
                                           virConnectPtr      connection,
                                           gboolean           local,
                                           gboolean          *defined,
                                           gboolean          *started,
                                           GError           **error);
void        pvm_network_undo              (const PvmNetwork  *network,
                                           virConnectPtr      connection,
                                           gboolean           defined,
                                           gboolean           started);
gboolean    pvm_network_start_by_name     (virConnectPtr      connection,
                                           const char        *name,
                                           GError           **error);
char       *pvm_network_dup_guest_address (virDomainPtr       domain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmNetwork, pvm_network_free)

G_END_DECLS
