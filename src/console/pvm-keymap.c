/* SPDX-License-Identifier: BSD-3-Clause */
/* The table below was written by hand from two public specifications:
 *
 * - the Linux evdev key codes, include/uapi/linux/input-event-codes.h
 *   (KEY_ESC = 1 ... KEY_MICMUTE = 248);
 * - the IBM PC XT keyboard scancode set 1, as documented for the PC/AT
 *   keyboard controller ("make" codes; extended keys carry the 0xe0
 *   prefix), which is what SPICE's inputs channel carries.
 *
 * For the main block, the function keys and the keypad the two are the
 * same number by design (evdev took its first 88 codes from set 1), so
 * only the keys after KEY_F12 need an entry that differs. tests/
 * test-keymap.c checks the table key by key against the same sources. */

#include "config.h"

#include "pvm-keymap.h"

#define E(code) (PVM_XT_EXTENDED | (code))

/* evdev code -> XT scancode, for codes 89 and up; 0 where there is none. */
static const guint16 high_keys[] = {
  [86]  = 0x56,    /* KEY_102ND: the 105th key, "<>" next to left shift */
  [87]  = 0x57,    /* KEY_F11 */
  [88]  = 0x58,    /* KEY_F12 */
  [89]  = 0x73,    /* KEY_RO (Japanese) */
  [90]  = 0x78,    /* KEY_KATAKANA */
  [91]  = 0x77,    /* KEY_HIRAGANA */
  [92]  = 0x79,    /* KEY_HENKAN */
  [93]  = 0x70,    /* KEY_KATAKANAHIRAGANA */
  [94]  = 0x7b,    /* KEY_MUHENKAN */
  [95]  = 0x5c,    /* KEY_KPJPCOMMA */
  [96]  = E (0x1c), /* KEY_KPENTER */
  [97]  = E (0x1d), /* KEY_RIGHTCTRL */
  [98]  = E (0x35), /* KEY_KPSLASH */
  [99]  = E (0x37), /* KEY_SYSRQ (Print Screen) */
  [100] = E (0x38), /* KEY_RIGHTALT (AltGr) */
  [102] = E (0x47), /* KEY_HOME */
  [103] = E (0x48), /* KEY_UP */
  [104] = E (0x49), /* KEY_PAGEUP */
  [105] = E (0x4b), /* KEY_LEFT */
  [106] = E (0x4d), /* KEY_RIGHT */
  [107] = E (0x4f), /* KEY_END */
  [108] = E (0x50), /* KEY_DOWN */
  [109] = E (0x51), /* KEY_PAGEDOWN */
  [110] = E (0x52), /* KEY_INSERT */
  [111] = E (0x53), /* KEY_DELETE */
  [113] = E (0x20), /* KEY_MUTE */
  [114] = E (0x2e), /* KEY_VOLUMEDOWN */
  [115] = E (0x30), /* KEY_VOLUMEUP */
  [116] = E (0x5e), /* KEY_POWER */
  [117] = 0x59,    /* KEY_KPEQUAL */
  /* KEY_PAUSE: set 1 sends e1 1d 45 with no break code; SPICE servers
   * (QEMU's ui/spice-input.c) take it as 0xe0 0x46 like Ctrl+Break. */
  [119] = E (0x46), /* KEY_PAUSE */
  [121] = 0x7e,    /* KEY_KPCOMMA */
  [122] = 0x72,    /* KEY_HANGEUL */
  [123] = 0x71,    /* KEY_HANJA */
  [124] = 0x7d,    /* KEY_YEN */
  [125] = E (0x5b), /* KEY_LEFTMETA */
  [126] = E (0x5c), /* KEY_RIGHTMETA */
  [127] = E (0x5d), /* KEY_COMPOSE (Menu) */
  [128] = E (0x68), /* KEY_STOP */
  [140] = E (0x21), /* KEY_CALC */
  [142] = E (0x5f), /* KEY_SLEEP */
  [143] = E (0x63), /* KEY_WAKEUP */
  [155] = E (0x6c), /* KEY_MAIL */
  [156] = E (0x66), /* KEY_BOOKMARKS */
  [157] = E (0x6b), /* KEY_COMPUTER */
  [158] = E (0x6a), /* KEY_BACK */
  [159] = E (0x69), /* KEY_FORWARD */
  [163] = E (0x19), /* KEY_NEXTSONG */
  [164] = E (0x22), /* KEY_PLAYPAUSE */
  [165] = E (0x10), /* KEY_PREVIOUSSONG */
  [166] = E (0x24), /* KEY_STOPCD */
  [172] = E (0x32), /* KEY_HOMEPAGE */
  [173] = E (0x67), /* KEY_REFRESH */
  [183] = 0x5d,    /* KEY_F13 */
  [184] = 0x5e,    /* KEY_F14 */
  [185] = 0x5f,    /* KEY_F15 */
  [217] = E (0x65), /* KEY_SEARCH */
  [226] = E (0x6d), /* KEY_MEDIA */
};

/**
 * pvm_keymap_evdev_to_xt:
 * @evdev_code: a Linux key code (KEY_*)
 *
 * Returns: its XT set 1 scancode, with %PVM_XT_EXTENDED for the 0xe0
 *   prefix, or 0 for a key a PC keyboard does not have
 */
guint
pvm_keymap_evdev_to_xt (guint evdev_code)
{
  /* KEY_ESC (1) .. KEY_KPDOT (83): the same numbers in set 1. */
  if (evdev_code >= 1 && evdev_code <= 83)
    return evdev_code;
  if (evdev_code < G_N_ELEMENTS (high_keys))
    return high_keys[evdev_code];
  return 0;
}

/**
 * pvm_keymap_x11_keycode_to_xt:
 * @keycode: a hardware key code as GDK reports it
 *
 * On Wayland and on X servers with the evdev keymap (Xorg's and Xvfb's
 * default) a hardware key code is the evdev code plus 8.
 *
 * Returns: the XT scancode, or 0
 */
guint
pvm_keymap_x11_keycode_to_xt (guint keycode)
{
  if (keycode < 8)
    return 0;
  return pvm_keymap_evdev_to_xt (keycode - 8);
}
