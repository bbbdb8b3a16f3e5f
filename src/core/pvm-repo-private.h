/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-repo-private.h: file helpers the core's parts share (the image and
 * squash repositories, the output disk, the install share). */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean _pvm_rename_no_replace (const char  *from,
                                 const char  *to,
                                 GError     **error);

void     _pvm_remove_tree       (const char  *path);

G_END_DECLS
