/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-spice-view.h: a GTK 4 widget showing a PvmConsole: the guest's
 * display scaled to fit, in tiles re-uploaded only where the guest drew
 * (on X11 under the cairo renderer, drawn straight to the window first),
 * with keyboard, mouse, clipboard and file drop going to the guest. */

#pragma once

#include <gtk/gtk.h>

#include "pvm-console.h"

G_BEGIN_DECLS

/* The side of the square tiles the display is uploaded in, in pixels: of
 * the guest's display for GTK's GL renderer, of its picture scaled to the
 * widget for the cairo renderer (which draws every node of a window in
 * every frame: fewer, bigger tiles). */
#define PVM_SPICE_VIEW_TILE_SIZE 64
#define PVM_SPICE_VIEW_CAIRO_TILE_SIZE 128

/* Where the view draws the guest's changes straight to the window (X11,
 * cairo renderer), its tiles catch up once the guest has not drawn for
 * this long, in milliseconds. */
#define PVM_SPICE_VIEW_SETTLE_MS 250

#define PVM_TYPE_SPICE_VIEW (pvm_spice_view_get_type ())
G_DECLARE_FINAL_TYPE (PvmSpiceView, pvm_spice_view, PVM, SPICE_VIEW, GtkWidget)

GtkWidget   *pvm_spice_view_new               (PvmConsole   *console);
PvmConsole  *pvm_spice_view_get_console       (PvmSpiceView *self);
gboolean     pvm_spice_view_get_grabbed       (PvmSpiceView *self);
void         pvm_spice_view_set_grabbed       (PvmSpiceView *self,
                                               gboolean      grabbed);
GdkTexture  *pvm_spice_view_dup_screenshot    (PvmSpiceView *self);
guint        pvm_spice_view_get_tile_uploads  (PvmSpiceView *self);
guint64      pvm_spice_view_get_direct_pixels (PvmSpiceView *self);
guint        pvm_spice_view_get_direct_draws  (PvmSpiceView *self);
gboolean     pvm_spice_view_get_guest_rect    (PvmSpiceView *self,
                                               graphene_rect_t *rect);

G_END_DECLS
