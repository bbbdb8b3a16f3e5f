/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-json-private.h: what the core's JSON writers share. */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

void _pvm_json_add_nullable_string (JsonBuilder *builder,
                                    const char  *name,
                                    const char  *value);

G_END_DECLS
