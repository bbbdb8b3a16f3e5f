/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-keymap.h: Linux evdev key codes to the PC XT (set 1) scancodes a
 * SPICE server expects, for every key of a 105-key PC keyboard and the
 * common extra keys. pvm-keymap.c names the sources of the table. */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SPICE writes a scancode with the 0xe0 prefix as 0x100 | code. */
#define PVM_XT_EXTENDED 0x100

/* A few scancodes the console sends by itself. */
#define PVM_XT_LEFT_CTRL  0x1d
#define PVM_XT_LEFT_ALT   0x38
#define PVM_XT_DELETE     (PVM_XT_EXTENDED | 0x53)

guint pvm_keymap_evdev_to_xt      (guint evdev_code);
guint pvm_keymap_x11_keycode_to_xt (guint keycode);

G_END_DECLS
