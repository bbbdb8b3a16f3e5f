/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-size.h: sizes written as QEMU writes them (4G, 512M, 1.5G). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PVM_SIZE_KIB (G_GUINT64_CONSTANT (1) << 10)
#define PVM_SIZE_MIB (G_GUINT64_CONSTANT (1) << 20)
#define PVM_SIZE_GIB (G_GUINT64_CONSTANT (1) << 30)

gboolean  pvm_size_parse  (const char  *text,
                           guint64      default_unit,
                           guint64     *bytes,
                           GError     **error);
char     *pvm_size_format (guint64      bytes);

G_END_DECLS
