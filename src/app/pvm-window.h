/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

#include "pvm-settings.h"

G_BEGIN_DECLS

#define PVM_TYPE_WINDOW (pvm_window_get_type ())

G_DECLARE_FINAL_TYPE (PvmWindow, pvm_window, PVM, WINDOW, AdwApplicationWindow)

PvmWindow   *pvm_window_new              (GtkApplication *application,
                                          PvmSettings    *settings);
PvmSettings *pvm_window_get_settings     (PvmWindow      *self);
const char  *pvm_window_get_visible_page (PvmWindow      *self);
void         pvm_window_set_visible_page (PvmWindow      *self,
                                          const char     *visible_page);
void         pvm_window_reload           (PvmWindow      *self);
void         pvm_window_add_toast        (PvmWindow      *self,
                                          AdwToast       *toast);
void         pvm_window_show_toast       (PvmWindow      *self,
                                          const char     *text);
const char  *pvm_window_get_last_toast   (PvmWindow      *self);

G_END_DECLS
