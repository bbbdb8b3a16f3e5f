/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-console-window.h: a VM's console in a window of its own, and the one
 * PvmConsole per VM that every view of it in this process shares. */

#pragma once

#include <adwaita.h>

#include "pvm-console.h"
#include "pvm-core.h"
#include "pvm-spice-view.h"

G_BEGIN_DECLS

#define PVM_TYPE_CONSOLE_WINDOW (pvm_console_window_get_type ())
G_DECLARE_FINAL_TYPE (PvmConsoleWindow, pvm_console_window, PVM, CONSOLE_WINDOW, AdwWindow)

PvmConsole       *pvm_console_for_vm                (PvmVm            *vm);
gboolean          pvm_console_open                  (PvmConsole       *console,
                                                     GError          **error);
PvmConsoleWindow *pvm_console_window_present        (GtkApplication   *application,
                                                     PvmVm            *vm);
PvmSpiceView     *pvm_console_window_get_view       (PvmConsoleWindow *self);
PvmVm            *pvm_console_window_get_vm         (PvmConsoleWindow *self);
void              pvm_console_follow_move           (GtkApplication   *application,
                                                     PvmVm            *from,
                                                     PvmVm            *to);
GtkWidget        *pvm_console_status_new            (PvmConsole       *console,
                                                     PvmVm            *vm);

G_END_DECLS
