/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-legacy-config.h: reads the original pVM's bash configuration file,
 * pVM.cfg, without ever running it.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

GHashTable *pvm_legacy_config_parse (const char  *contents,
                                     gssize       length,
                                     const char  *filename,
                                     const char  *home,
                                     GError     **error);
gboolean    pvm_legacy_config_sniff (const char  *contents,
                                     gssize       length);

G_END_DECLS
