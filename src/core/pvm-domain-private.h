/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-domain-private.h: what the domain builder's files share. */

#pragma once

#include "pvm-domain.h"

G_BEGIN_DECLS

void  _pvm_domain_append_escaped (GString         *xml,
                                  const char      *format,
                                  ...) G_GNUC_PRINTF (2, 3);
char *_pvm_domain_metadata_xml   (const PvmVmPlan *vm);
GStrv _pvm_domain_query_strings  (GVirConfigDomain *config,
                                  const char       *xpath);
char *_pvm_domain_dup_moved_serial_log (const char *output_disk,
                                        const char *serial_log);
/* What changes in a VM's definition when it continues on another host. */
typedef struct
{
  const char *serial_from;   /* its serial log, ... */
  const char *serial_to;     /* ... moved here when not NULL */
  guint       ssh_port_from; /* its SSH forward's port, ... */
  guint       ssh_port_to;   /* ... moved here when they differ */
  gboolean    spice_socket;  /* SPICE on a Unix socket (another host), else no listener */
  const char *agent_socket;  /* the guest agent's socket there, or NULL for libvirt's path
                              * (pvm_domain_dup_agent_socket ()) */
} PvmDomainMove;

char *_pvm_domain_xml_for_move   (const char          *xml,
                                  const PvmDomainMove *move);

G_END_DECLS
