/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-toasts.h: toasts shown one at a time on an AdwToastOverlay. */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void pvm_toasts_add     (AdwToastOverlay *overlay,
                         AdwToast        *toast);
void pvm_toasts_dismiss (AdwToast        *toast);

G_END_DECLS
