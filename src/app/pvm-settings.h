/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PVM_TYPE_SETTINGS (pvm_settings_get_type ())

G_DECLARE_FINAL_TYPE (PvmSettings, pvm_settings, PVM, SETTINGS, GObject)

PvmSettings *pvm_settings_new                  (void);
PvmSettings *pvm_settings_new_with_backend     (GSettingsBackend *backend);
int          pvm_settings_get_window_width     (PvmSettings      *self);
void         pvm_settings_set_window_width     (PvmSettings      *self,
                                                int               window_width);
int          pvm_settings_get_window_height    (PvmSettings      *self);
void         pvm_settings_set_window_height    (PvmSettings      *self,
                                                int               window_height);
gboolean     pvm_settings_get_window_maximized (PvmSettings      *self);
void         pvm_settings_set_window_maximized (PvmSettings      *self,
                                                gboolean          window_maximized);
const char  *pvm_settings_get_last_page        (PvmSettings      *self);
void         pvm_settings_set_last_page        (PvmSettings      *self,
                                                const char       *last_page);

G_END_DECLS
