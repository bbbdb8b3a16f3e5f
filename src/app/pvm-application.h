/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PVM_TYPE_APPLICATION (pvm_application_get_type ())

G_DECLARE_FINAL_TYPE (PvmApplication, pvm_application, PVM, APPLICATION, AdwApplication)

PvmApplication *pvm_application_new (void);

G_END_DECLS
