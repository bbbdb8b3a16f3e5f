/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-names.h: the order pVM lists VMs, images and archives in. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PvmNameFunc:
 * @item: an item of the array being sorted
 *
 * Returns: (transfer none): the name @item is sorted by
 */
typedef const char *(*PvmNameFunc) (gconstpointer item);

void pvm_names_sort (GPtrArray   *items,
                     PvmNameFunc  get_name);

G_END_DECLS
