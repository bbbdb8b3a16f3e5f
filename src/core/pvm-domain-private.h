/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-domain-private.h: what the domain builder's files share. */

#pragma once

#include "pvm-domain.h"

G_BEGIN_DECLS

void  _pvm_domain_append_escaped (GString         *xml,
                                  const char      *format,
                                  ...) G_GNUC_PRINTF (2, 3);
char *_pvm_domain_metadata_xml   (const PvmVmPlan *vm);

G_END_DECLS
