/* SPDX-License-Identifier: BSD-3-Clause */
/* test-keymap.c: the console's key table (src/console/pvm-keymap.c),
 * key by key for all 105 keys of a PC keyboard (ISO layout), with the
 * evdev codes from the kernel's own header and the set 1 scancodes of the
 * IBM PC/AT keyboard documentation; extended keys carry 0xe0 (0x100). */

#include "config.h"

#include <linux/input-event-codes.h>

#include <glib.h>

#include "pvm-keymap.h"

typedef struct
{
  guint       evdev;
  guint       xt;
  const char *name;
} Key;

#define K(code, xt) { code, xt, #code }
#define X(code, xt) { code, PVM_XT_EXTENDED | (xt), #code }

static const Key pc105[] = {
  /* Function row */
  K (KEY_ESC, 0x01), K (KEY_F1, 0x3b), K (KEY_F2, 0x3c), K (KEY_F3, 0x3d), K (KEY_F4, 0x3e),
  K (KEY_F5, 0x3f), K (KEY_F6, 0x40), K (KEY_F7, 0x41), K (KEY_F8, 0x42), K (KEY_F9, 0x43),
  K (KEY_F10, 0x44), K (KEY_F11, 0x57), K (KEY_F12, 0x58),
  X (KEY_SYSRQ, 0x37), K (KEY_SCROLLLOCK, 0x46), X (KEY_PAUSE, 0x46),
  /* Number row */
  K (KEY_GRAVE, 0x29), K (KEY_1, 0x02), K (KEY_2, 0x03), K (KEY_3, 0x04), K (KEY_4, 0x05),
  K (KEY_5, 0x06), K (KEY_6, 0x07), K (KEY_7, 0x08), K (KEY_8, 0x09), K (KEY_9, 0x0a),
  K (KEY_0, 0x0b), K (KEY_MINUS, 0x0c), K (KEY_EQUAL, 0x0d), K (KEY_BACKSPACE, 0x0e),
  /* Top letter row */
  K (KEY_TAB, 0x0f), K (KEY_Q, 0x10), K (KEY_W, 0x11), K (KEY_E, 0x12), K (KEY_R, 0x13),
  K (KEY_T, 0x14), K (KEY_Y, 0x15), K (KEY_U, 0x16), K (KEY_I, 0x17), K (KEY_O, 0x18),
  K (KEY_P, 0x19), K (KEY_LEFTBRACE, 0x1a), K (KEY_RIGHTBRACE, 0x1b), K (KEY_ENTER, 0x1c),
  /* Home row */
  K (KEY_CAPSLOCK, 0x3a), K (KEY_A, 0x1e), K (KEY_S, 0x1f), K (KEY_D, 0x20), K (KEY_F, 0x21),
  K (KEY_G, 0x22), K (KEY_H, 0x23), K (KEY_J, 0x24), K (KEY_K, 0x25), K (KEY_L, 0x26),
  K (KEY_SEMICOLON, 0x27), K (KEY_APOSTROPHE, 0x28), K (KEY_BACKSLASH, 0x2b),
  /* Bottom row, with the 105th key */
  K (KEY_LEFTSHIFT, 0x2a), K (KEY_102ND, 0x56), K (KEY_Z, 0x2c), K (KEY_X, 0x2d),
  K (KEY_C, 0x2e), K (KEY_V, 0x2f), K (KEY_B, 0x30), K (KEY_N, 0x31), K (KEY_M, 0x32),
  K (KEY_COMMA, 0x33), K (KEY_DOT, 0x34), K (KEY_SLASH, 0x35), K (KEY_RIGHTSHIFT, 0x36),
  /* Space row */
  K (KEY_LEFTCTRL, 0x1d), X (KEY_LEFTMETA, 0x5b), K (KEY_LEFTALT, 0x38), K (KEY_SPACE, 0x39),
  X (KEY_RIGHTALT, 0x38), X (KEY_RIGHTMETA, 0x5c), X (KEY_COMPOSE, 0x5d),
  X (KEY_RIGHTCTRL, 0x1d),
  /* Navigation block */
  X (KEY_INSERT, 0x52), X (KEY_HOME, 0x47), X (KEY_PAGEUP, 0x49), X (KEY_DELETE, 0x53),
  X (KEY_END, 0x4f), X (KEY_PAGEDOWN, 0x51), X (KEY_UP, 0x48), X (KEY_LEFT, 0x4b),
  X (KEY_DOWN, 0x50), X (KEY_RIGHT, 0x4d),
  /* Keypad */
  K (KEY_NUMLOCK, 0x45), X (KEY_KPSLASH, 0x35), K (KEY_KPASTERISK, 0x37),
  K (KEY_KPMINUS, 0x4a), K (KEY_KP7, 0x47), K (KEY_KP8, 0x48), K (KEY_KP9, 0x49),
  K (KEY_KPPLUS, 0x4e), K (KEY_KP4, 0x4b), K (KEY_KP5, 0x4c), K (KEY_KP6, 0x4d),
  K (KEY_KP1, 0x4f), K (KEY_KP2, 0x50), K (KEY_KP3, 0x51), X (KEY_KPENTER, 0x1c),
  K (KEY_KP0, 0x52), K (KEY_KPDOT, 0x53),
};

static void
test_pc105 (void)
{
  GHashTable *seen = g_hash_table_new (NULL, NULL);

  /* 105 keys, and the two that have no key of their own on it (Pause and
   * Print Screen share theirs with Ctrl combinations) are counted once. */
  g_assert_cmpuint (G_N_ELEMENTS (pc105), ==, 105);
  for (guint i = 0; i < G_N_ELEMENTS (pc105); i++)
    {
      guint xt = pvm_keymap_evdev_to_xt (pc105[i].evdev);

      if (xt != pc105[i].xt)
        g_error ("%s (%u): scancode 0x%x, expected 0x%x", pc105[i].name, pc105[i].evdev, xt,
                 pc105[i].xt);
      /* No two keys send the same scancode. */
      g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (xt)));
      g_hash_table_add (seen, GUINT_TO_POINTER (xt));
    }
  g_hash_table_unref (seen);
}

static void
test_x11_keycodes (void)
{
  /* evdev + 8, as X servers with the evdev keymap and Wayland report. */
  g_assert_cmpuint (pvm_keymap_x11_keycode_to_xt (KEY_A + 8), ==, 0x1e);
  g_assert_cmpuint (pvm_keymap_x11_keycode_to_xt (KEY_UP + 8), ==, PVM_XT_EXTENDED | 0x48);
  g_assert_cmpuint (pvm_keymap_x11_keycode_to_xt (0), ==, 0);
  g_assert_cmpuint (pvm_keymap_x11_keycode_to_xt (7), ==, 0);
}

static void
test_unknown (void)
{
  g_assert_cmpuint (pvm_keymap_evdev_to_xt (0), ==, 0);
  g_assert_cmpuint (pvm_keymap_evdev_to_xt (KEY_MACRO1), ==, 0);
  g_assert_cmpuint (pvm_keymap_evdev_to_xt (100000), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/keymap/pc105", test_pc105);
  g_test_add_func ("/keymap/x11-keycodes", test_x11_keycodes);
  g_test_add_func ("/keymap/unknown", test_unknown);

  return g_test_run ();
}
