/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-size"

#include "config.h"

#include <math.h>

#include "pvm-error.h"
#include "pvm-size.h"

static guint64
unit_for_suffix (char suffix)
{
  switch (g_ascii_toupper (suffix))
    {
    case 'B': return 1;
    case 'K': return PVM_SIZE_KIB;
    case 'M': return PVM_SIZE_MIB;
    case 'G': return PVM_SIZE_GIB;
    case 'T': return PVM_SIZE_GIB << 10;
    case 'P': return PVM_SIZE_GIB << 20;
    case 'E': return PVM_SIZE_GIB << 30;
    default:  return 0;
    }
}

/**
 * pvm_size_parse:
 * @text: a size such as "4G", "512M", "1.5G" or "4096"
 * @default_unit: what a number without suffix counts, e.g. %PVM_SIZE_MIB
 *   for memory, as QEMU's -m does
 * @bytes: (out): the size in bytes
 * @error: return location for a #GError
 *
 * Parses a size with QEMU's suffixes: B, K, M, G, T, P, E (powers of
 * 1024, either case). A fraction is allowed with a suffix ("1.5G") as
 * long as the result is a whole number of bytes.
 *
 * Returns: %TRUE if @text is a valid, non-zero size
 */
gboolean
pvm_size_parse (const char  *text,
                guint64      default_unit,
                guint64     *bytes,
                GError     **error)
{
  const char *p = text;
  guint64 whole = 0;
  guint64 fraction = 0;
  guint64 fraction_scale = 1;
  guint64 unit = default_unit;
  gboolean digits = FALSE;
  gboolean has_fraction = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (default_unit > 0, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);

  for (; g_ascii_isdigit (*p); p++)
    {
      if (whole > (G_MAXUINT64 - 9) / 10)
        goto too_large;
      whole = whole * 10 + (guint64) (*p - '0');
      digits = TRUE;
    }

  if (*p == '.')
    {
      has_fraction = TRUE;
      for (p++; g_ascii_isdigit (*p); p++)
        {
          /* Nineteen decimals are more than any unit can use. */
          if (fraction_scale < G_GUINT64_CONSTANT (1000000000000000000))
            {
              fraction = fraction * 10 + (guint64) (*p - '0');
              fraction_scale *= 10;
            }
          digits = TRUE;
        }
    }

  if (!digits)
    goto invalid;

  if (*p != '\0')
    {
      unit = unit_for_suffix (*p);
      if (unit == 0 || p[1] != '\0')
        goto invalid;
    }
  else if (has_fraction)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid size \"%s\": a fraction needs a unit, as in \"1.5G\"", text);
      return FALSE;
    }

  if (whole > G_MAXUINT64 / unit)
    goto too_large;

  /* fraction / fraction_scale of a unit, in whole bytes only. */
  {
    guint64 result = whole * unit;
    long double part = (long double) fraction * (long double) unit / (long double) fraction_scale;

    if (part != floorl (part))
      {
        g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                     "Invalid size \"%s\": it is not a whole number of bytes", text);
        return FALSE;
      }
    if ((long double) (G_MAXUINT64 - result) < part)
      goto too_large;
    result += (guint64) part;

    /* QEMU, libvirt and JSON all count sizes in signed 64-bit integers. */
    if (result > (guint64) G_MAXINT64)
      goto too_large;

    if (result == 0)
      {
        g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                     "Invalid size \"%s\": it must be larger than zero", text);
        return FALSE;
      }

    *bytes = result;
    return TRUE;
  }

invalid:
  g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
               "Invalid size \"%s\": use a number with an optional unit "
               "K, M, G or T, as in \"4G\", \"512M\" or \"1.5G\"", text);
  return FALSE;

too_large:
  g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
               "Invalid size \"%s\": it is too large", text);
  return FALSE;
}

/**
 * pvm_size_format:
 * @bytes: a size
 *
 * Returns: (transfer full): @bytes in the largest binary unit that keeps
 *   it readable, e.g. "4 GiB", "1.5 GiB", "512 MiB"
 */
char *
pvm_size_format (guint64 bytes)
{
  static const char * const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
  guint i = 0;
  double value = (double) bytes;

  while (value >= 1024.0 && i + 1 < G_N_ELEMENTS (units))
    {
      value /= 1024.0;
      i++;
    }

  if (i == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", bytes, units[0]);
  if (value == floor (value))
    return g_strdup_printf ("%.0f %s", value, units[i]);
  return g_strdup_printf ("%.1f %s", value, units[i]);
}
