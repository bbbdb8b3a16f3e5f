/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-repo-private.h: what the image and squash repositories share. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean _pvm_rename_no_replace (const char  *from,
                                 const char  *to,
                                 GError     **error);

G_END_DECLS
