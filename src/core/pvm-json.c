/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-json"

#include "config.h"

#include "pvm-json-private.h"

/* Adds the member @name: @value, or null when @value is %NULL. */
void
_pvm_json_add_nullable_string (JsonBuilder *builder,
                               const char  *name,
                               const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}
