/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-hosts.h: the libvirt hosts VMs can run on: "local" (LIBVIRT_URI) and
 * the configuration's HOSTS, each a short name and a libvirt URI; what
 * each host offers and which pVM VMs it runs. */

#pragma once

#include <libvirt-gobject/libvirt-gobject.h>

#include "pvm-config.h"

G_BEGIN_DECLS

/* The name of the host of LIBVIRT_URI. */
#define PVM_HOSTS_LOCAL "local"

/**
 * PvmHostEntry:
 * @name: the short name (`local`, or as HOSTS names it)
 * @uri: its libvirt URI
 *
 * One host VMs can run on.
 */
typedef struct
{
  char *name;
  char *uri;
} PvmHostEntry;

/**
 * PvmHostStatus:
 * @host: the host
 * @error: why it cannot be reached, or %NULL when it answered
 * @hostname: the host's name, as libvirt tells it
 * @domain_type: "kvm" or "qemu" (TCG), or %NULL when it runs no x86_64 guest
 * @cpus: its logical CPUs
 * @memory: its memory, in bytes
 * @free_memory: the memory not in use, in bytes
 * @vms: (element-type PvmVm): the pVM VMs defined there
 * @connection: the connection that asked it, still open (its domains'
 *   events come through it), or %NULL when it did not answer
 *
 * What a host offers, when it was asked.
 */
typedef struct
{
  PvmHostEntry   *host;
  char           *error;
  char           *hostname;
  const char     *domain_type;
  guint           cpus;
  guint64         memory;
  guint64         free_memory;
  GPtrArray      *vms;
  GVirConnection *connection;
} PvmHostStatus;

void                pvm_host_entry_free          (PvmHostEntry   *entry);
PvmHostEntry       *pvm_host_entry_copy          (const PvmHostEntry *entry);
void                pvm_host_status_free         (PvmHostStatus  *status);

gboolean            pvm_hosts_parse_entry        (const char     *text,
                                                  char          **name,
                                                  char          **uri,
                                                  GError        **error);
GPtrArray          *pvm_hosts_from_config        (PvmConfig      *config);
void                pvm_hosts_load_default_async (gpointer        source_object,
                                                  GCancellable   *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer        user_data);
GPtrArray          *pvm_hosts_load_default_finish (GAsyncResult  *result,
                                                  GError        **error);
const PvmHostEntry *pvm_hosts_find               (GPtrArray      *hosts,
                                                  const char     *name,
                                                  GError        **error);
const PvmHostEntry *pvm_hosts_find_uri           (GPtrArray      *hosts,
                                                  const char     *uri);
gboolean            pvm_hosts_uri_is_local       (const char     *uri);
char               *pvm_hosts_dup_address        (const char     *uri);
GVirConfigCapabilities *pvm_hosts_dup_caps        (GVirConnection *connection,
                                                  GError        **error);
const char         *pvm_hosts_domain_type_from_caps (GVirConfigCapabilities *caps,
                                                  const char     *uri,
                                                  GError        **error);
const char         *pvm_hosts_pick_domain_type   (GVirConnection *connection,
                                                  GError        **error);

PvmHostStatus      *pvm_hosts_query              (const PvmHostEntry *host,
                                                  GPtrArray      *connections,
                                                  GCancellable   *cancellable);
void                pvm_hosts_query_async        (GPtrArray      *hosts,
                                                  GPtrArray      *connections,
                                                  GCancellable   *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer        user_data);
GPtrArray          *pvm_hosts_query_finish       (GAsyncResult   *result,
                                                  GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmHostEntry, pvm_host_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmHostStatus, pvm_host_status_free)

G_END_DECLS
