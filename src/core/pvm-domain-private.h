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
char *_pvm_domain_xml_with_serial (const char     *xml,
                                   const char     *from,
                                   const char     *to);
char *_pvm_domain_dup_moved_serial_log (const char *output_disk,
                                        const char *serial_log);
char *_pvm_domain_xml_with_ssh_port (const char *xml,
                                     guint       from,
                                     guint       to);
char *_pvm_domain_xml_with_spice_listen (const char *xml,
                                         gboolean    socket);

G_END_DECLS
