/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-error"

#include "config.h"

#include "pvm-error.h"

G_DEFINE_QUARK (pvm-error-quark, pvm_error)
