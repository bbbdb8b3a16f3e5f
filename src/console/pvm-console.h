/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-console.h: one SPICE connection to one VM's console, shared by every
 * view of it (the panel, a console window): a SPICE server serves one
 * client at a time, so pVM makes one and shares it. */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * PvmConsoleOpenFdFunc:
 * @user_data: the data given to pvm_console_new()
 * @error: return location for a #GError
 *
 * Opens a new connection to the VM's SPICE server (for a local libvirt:
 * virDomainOpenGraphicsFD). Each SPICE channel needs its own.
 *
 * Returns: a connected socket, or -1
 */
typedef int (*PvmConsoleOpenFdFunc) (gpointer   user_data,
                                     GError   **error);

/**
 * PvmConsoleState:
 * @PVM_CONSOLE_STATE_DISCONNECTED: not connected (yet, or any more)
 * @PVM_CONSOLE_STATE_CONNECTING: the channels are being opened
 * @PVM_CONSOLE_STATE_CONNECTED: the display is there
 * @PVM_CONSOLE_STATE_TAKEN_OVER: another SPICE client took the console
 *   while the VM kept running
 */
typedef enum
{
  PVM_CONSOLE_STATE_DISCONNECTED,
  PVM_CONSOLE_STATE_CONNECTING,
  PVM_CONSOLE_STATE_CONNECTED,
  PVM_CONSOLE_STATE_TAKEN_OVER,
} PvmConsoleState;

#define PVM_TYPE_CONSOLE_STATE (pvm_console_state_get_type ())
GType pvm_console_state_get_type (void) G_GNUC_CONST;

#define PVM_TYPE_CONSOLE (pvm_console_get_type ())
G_DECLARE_FINAL_TYPE (PvmConsole, pvm_console, PVM, CONSOLE, GObject)

PvmConsole      *pvm_console_new                 (const char            *name,
                                                  PvmConsoleOpenFdFunc   open_fd,
                                                  gpointer               user_data,
                                                  GDestroyNotify         destroy);
const char      *pvm_console_get_name            (PvmConsole            *self);
gboolean         pvm_console_connect             (PvmConsole            *self,
                                                  GError               **error);
void             pvm_console_disconnect          (PvmConsole            *self);
PvmConsoleState  pvm_console_get_state           (PvmConsole            *self);
const char      *pvm_console_get_message         (PvmConsole            *self);
void             pvm_console_set_vm_running      (PvmConsole            *self,
                                                  gboolean               running);

/* The guest's display: 32-bit B,G,R,X pixels. */
const guint8    *pvm_console_get_primary         (PvmConsole            *self,
                                                  int                   *width,
                                                  int                   *height,
                                                  int                   *stride);

/* The guest's cursor (R,G,B,A, straight alpha), or NULL for none. */
const guint8    *pvm_console_get_cursor          (PvmConsole            *self,
                                                  int                   *width,
                                                  int                   *height,
                                                  int                   *hot_x,
                                                  int                   *hot_y);
gboolean         pvm_console_get_cursor_visible  (PvmConsole            *self);

/* Input, in the guest's terms. */
gboolean         pvm_console_is_client_mouse     (PvmConsole            *self);
void             pvm_console_key                 (PvmConsole            *self,
                                                  guint                  scancode,
                                                  gboolean               pressed);
void             pvm_console_release_keys        (PvmConsole            *self);
void             pvm_console_send_ctrl_alt_del   (PvmConsole            *self);
void             pvm_console_pointer_position    (PvmConsole            *self,
                                                  int                    x,
                                                  int                    y);
void             pvm_console_pointer_motion      (PvmConsole            *self,
                                                  int                    dx,
                                                  int                    dy);
void             pvm_console_button              (PvmConsole            *self,
                                                  int                    button,
                                                  gboolean               pressed);
void             pvm_console_scroll              (PvmConsole            *self,
                                                  int                    steps);

/* With the SPICE agent in the guest. */
gboolean         pvm_console_has_agent           (PvmConsole            *self);
void             pvm_console_request_resize      (PvmConsole            *self,
                                                  int                    width,
                                                  int                    height);
void             pvm_console_set_host_clipboard  (PvmConsole            *self,
                                                  const char            *text);
void             pvm_console_copy_files_async    (PvmConsole            *self,
                                                  GFile                **files,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);
gboolean         pvm_console_copy_files_finish   (PvmConsole            *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);

G_END_DECLS
