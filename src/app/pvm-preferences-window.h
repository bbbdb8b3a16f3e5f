/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PVM_TYPE_PREFERENCES_WINDOW (pvm_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (PvmPreferencesWindow, pvm_preferences_window, PVM, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

PvmPreferencesWindow *pvm_preferences_window_new        (void);
void                  pvm_preferences_window_set_folder (PvmPreferencesWindow *self,
                                                         const char           *key,
                                                         GFile                *folder);
gboolean              pvm_preferences_window_is_saving  (PvmPreferencesWindow *self);

G_END_DECLS
