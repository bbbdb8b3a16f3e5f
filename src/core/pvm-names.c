/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-names.c: the order pVM lists names in, in the CLI and in the app
 * alike: as GNOME Files orders file names. A number in a name counts by
 * its value, so that the VMs of a fan-out list as job1, job2, ...,
 * job10 (byte order would put job10 before job2); the rest goes as the
 * locale sorts text, in any case (Run-3 between run-2 and run-10, also
 * in the C locale of a server); names found equal so go in byte order,
 * so that the order is the same at every listing. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "pvm-names.h"

typedef struct
{
  char       *key;    /* g_utf8_collate_key_for_filename() */
  const char *name;
  gpointer    item;
} Keyed;

static int
compare_keyed (const void *a,
               const void *b)
{
  const Keyed *x = a;
  const Keyed *y = b;
  int order = strcmp (x->key, y->key);

  return order != 0 ? order : strcmp (x->name, y->name);
}

/**
 * pvm_names_sort:
 * @items: the items to sort, in place
 * @get_name: (nullable): gives an item's name; %NULL: the items are the
 *   names (strings)
 *
 * Sorts @items by name, in pVM's order (see the file comment). Each
 * item's collation key is made once: listing 1,000 images makes 1,000
 * keys, not one per comparison.
 */
void
pvm_names_sort (GPtrArray   *items,
                PvmNameFunc  get_name)
{
  Keyed *keyed;

  g_return_if_fail (items != NULL);

  if (items->len < 2)
    return;

  keyed = g_new (Keyed, items->len);
  for (guint i = 0; i < items->len; i++)
    {
      const char *name = get_name != NULL ? get_name (items->pdata[i]) : items->pdata[i];
      g_autofree char *valid = g_utf8_make_valid (name, -1);
      g_autofree char *folded = g_utf8_casefold (valid, -1);

      keyed[i].name = name;
      keyed[i].item = items->pdata[i];
      keyed[i].key = g_utf8_collate_key_for_filename (folded, -1);
    }

  qsort (keyed, items->len, sizeof *keyed, compare_keyed);
  for (guint i = 0; i < items->len; i++)
    {
      items->pdata[i] = keyed[i].item;
      g_free (keyed[i].key);
    }
  g_free (keyed);
}
