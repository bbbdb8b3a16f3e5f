/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-emulator.h: what a QEMU binary (QEMU_BIN) supports of what pVM's
 * domains need. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean pvm_emulator_check_features (const char    *qemu,
                                      GCancellable  *cancellable,
                                      GError       **error);

G_END_DECLS
