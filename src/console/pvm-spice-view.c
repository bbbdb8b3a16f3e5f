/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-console"

#include "config.h"

#include <math.h>
#include <string.h>

#include <spice-client.h>

#include "pvm-keymap.h"
#include "pvm-spice-view.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#include <X11/extensions/Xrender.h>
#endif

/* The priorities of the draw's source (see invalidate_cb ()): after a quiet
 * frame, below SPICE's idles; within a frame of the last draw, above them. */
#define DRAW_PRIORITY_AFTER_QUIET (G_PRIORITY_DEFAULT_IDLE + 10)
#define DRAW_PRIORITY_IN_FRAME    (G_PRIORITY_HIGH_IDLE + 10)

struct _PvmSpiceView
{
  GtkWidget    parent_instance;

  PvmConsole  *console;

  /* The display in tiles: a render node per tile, NULL where the guest drew
   * since the last upload. The tiles cut up the "tile space": for GTK's GL
   * renderer the guest's display itself, each tile a texture the GPU
   * scales when it draws; for its cairo renderer the device pixels the
   * guest's display covers in the widget, each tile a cairo node that
   * scales its part of the display when drawn (see cairo_tile_node_new ()). */
  GPtrArray   *tiles;
  gboolean     cairo_tiles;      /* the nodes are for the cairo renderer */
  int          tile_size;
  int          width;            /* the guest's display */
  int          height;
  int          space_width;      /* the tile space */
  int          space_height;
  int          origin_x;         /* cairo: the tile space's origin in the */
  int          origin_y;         /* widget, device pixels */
  int          device_scale;     /* cairo: the widget's scale factor */
  int          columns;
  int          rows;
  guint        uploads;

  /* Drawing straight to the window (X11, cairo renderer): see
   * draw_directly (). */
  gboolean     tiles_behind;          /* drawn directly since the snapshot */
  cairo_rectangle_int_t pending;      /* the bounds of what changed, in */
  gboolean     have_pending;          /* tile space, to draw directly */
  gint64       last_direct_draw;      /* monotonic, µs */
  GSource     *draw_source;           /* draws what is pending when due */
  gint64       draw_due;              /* monotonic, µs */
  guint        settle_source;
  guint64      direct_pixels;         /* of the guest's, copied to the pixmap */
  guint        direct_draws;
  GdkFrameClock *frame_clock;
  gulong       after_paint_handler;
#ifdef GDK_WINDOWING_X11
  GdkDisplay  *direct_display;
  Display     *direct_xdisplay;
  Picture      direct_window;
  Pixmap       direct_pixmap;         /* the guest's display */
  Picture      direct_guest;          /* on it, scaled to the tile space */
  GC           direct_gc;
  XImage      *direct_image;          /* over the guest's display, for uploads */
#endif
  cairo_region_t *direct_visible;     /* the window's pixels the view may draw */
  int          direct_left;           /* the picture's origin in the window */
  int          direct_top;
  gulong       layout_handler;
  gboolean     may_draw_directly;     /* not PVM_CONSOLE_DRAW=gtk */
  GtkNative   *x11_native;            /* while realized in an X11 window */
  GdkSurface  *x11_surface;           /* its surface */

  gboolean     grabbed;
  gboolean     have_last;
  double       last_x;
  double       last_y;

  /* Ctrl+Alt toggles the grab when pressed and released alone. */
  gboolean     ctrl_down;
  gboolean     alt_down;
  gboolean     combo_armed;

  guint        resize_source;
  GdkClipboard *clipboard;
  gulong       clipboard_handler;
};

G_DEFINE_FINAL_TYPE (PvmSpiceView, pvm_spice_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_CONSOLE,
  PROP_GRABBED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean can_draw_directly (PvmSpiceView *self);
static void draw_source_start (PvmSpiceView *self,
                               int           priority,
                               gint64        due);
static void draw_pending (PvmSpiceView *self);
static void direct_release (PvmSpiceView *self);

/* ------------------------------------------------------------------ */
/* The display                                                        */

/* Tiles that wait for an upload are NULL. */
static void
tile_free (gpointer tile)
{
  if (tile != NULL)
    gsk_render_node_unref (tile);
}

static void
reset_tiles (PvmSpiceView *self)
{
  self->columns = (self->space_width + self->tile_size - 1) / self->tile_size;
  self->rows = (self->space_height + self->tile_size - 1) / self->tile_size;
  g_ptr_array_set_size (self->tiles, 0);
  g_ptr_array_set_size (self->tiles, self->columns * self->rows);
}

static gboolean
renderer_is_cairo (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;

  return renderer != NULL && GSK_IS_CAIRO_RENDERER (renderer);
}

/* Sets the tile space for the guest's display, the renderer and the
 * widget's size and scale factor; starts the tiles over if it changed. */
static void
update_tile_space (PvmSpiceView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean cairo_tiles = renderer_is_cairo (widget);
  int device_scale = cairo_tiles ? gtk_widget_get_scale_factor (widget) : 1;
  int space_width = self->width;
  int space_height = self->height;
  int origin_x = 0, origin_y = 0;
  graphene_rect_t guest;

  if (cairo_tiles && pvm_spice_view_get_guest_rect (self, &guest))
    {
      origin_x = (int) round (guest.origin.x * device_scale);
      origin_y = (int) round (guest.origin.y * device_scale);
      space_width = MAX (1, (int) round (guest.size.width * device_scale));
      space_height = MAX (1, (int) round (guest.size.height * device_scale));
    }
  if (cairo_tiles == self->cairo_tiles && device_scale == self->device_scale &&
      space_width == self->space_width && space_height == self->space_height &&
      origin_x == self->origin_x && origin_y == self->origin_y)
    return;
  self->cairo_tiles = cairo_tiles;
  self->device_scale = device_scale;
  self->space_width = space_width;
  self->space_height = space_height;
  self->origin_x = origin_x;
  self->origin_y = origin_y;
  self->tile_size = cairo_tiles ? PVM_SPICE_VIEW_CAIRO_TILE_SIZE : PVM_SPICE_VIEW_TILE_SIZE;
  reset_tiles (self);
  direct_release (self);
}

static void
primary_changed_cb (PvmConsole   *console,
                    PvmSpiceView *self)
{
  int stride;

  pvm_console_get_primary (self->console, &self->width, &self->height, &stride);
  direct_release (self);
  /* The next snapshot sets the tile space up. */
  self->space_width = self->space_height = 0;
  self->columns = self->rows = 0;
  g_ptr_array_set_size (self->tiles, 0);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

/* The scale from the guest's display to the tile space, and how many of
 * the guest's pixels around one the filter reaches (one further for
 * bilinear filtering, about 1 / scale when shrinking); FALSE at 1:1. */
static gboolean
filter_reach (PvmSpiceView *self,
              double       *scale_x,
              double       *scale_y,
              int          *margin_x,
              int          *margin_y)
{
  if (self->space_width == self->width && self->space_height == self->height)
    return FALSE;
  *scale_x = (double) self->space_width / self->width;
  *scale_y = (double) self->space_height / self->height;
  *margin_x = 1 + (int) ceil (1 / *scale_x);
  *margin_y = 1 + (int) ceil (1 / *scale_y);
  return TRUE;
}

/* A rectangle of the guest's display as the rectangle of the tile space
 * its pixels reach: when scaled, each pixel of the picture is filtered
 * from the guest's pixels around it. */
static void
guest_to_tile_space (PvmSpiceView *self,
                     int          *x,
                     int          *y,
                     int          *width,
                     int          *height)
{
  double scale_x, scale_y;
  int margin_x, margin_y, x0, y0, x1, y1;

  if (!filter_reach (self, &scale_x, &scale_y, &margin_x, &margin_y))
    return;
  x0 = (int) floor ((*x - margin_x) * scale_x);
  y0 = (int) floor ((*y - margin_y) * scale_y);
  x1 = (int) ceil ((*x + *width + margin_x) * scale_x);
  y1 = (int) ceil ((*y + *height + margin_y) * scale_y);
  *x = MAX (x0, 0);
  *y = MAX (y0, 0);
  *width = MIN (x1, self->space_width) - *x;
  *height = MIN (y1, self->space_height) - *y;
}

/* The other way: the rectangle of the guest's display whose pixels a
 * rectangle of the tile space is filtered from. */
static void
tile_to_guest_space (PvmSpiceView *self,
                     int          *x,
                     int          *y,
                     int          *width,
                     int          *height)
{
  double scale_x, scale_y;
  int margin_x, margin_y, x0, y0, x1, y1;

  if (!filter_reach (self, &scale_x, &scale_y, &margin_x, &margin_y))
    return;
  x0 = (int) floor (*x / scale_x) - margin_x;
  y0 = (int) floor (*y / scale_y) - margin_y;
  x1 = (int) ceil ((*x + *width) / scale_x) + margin_x;
  y1 = (int) ceil ((*y + *height) / scale_y) + margin_y;
  *x = MAX (x0, 0);
  *y = MAX (y0, 0);
  *width = MIN (x1, self->width) - *x;
  *height = MIN (y1, self->height) - *y;
}

static void
invalidate_cb (PvmConsole   *console,
               int           x,
               int           y,
               int           width,
               int           height,
               PvmSpiceView *self)
{
  int first_column, last_column, first_row, last_row;
  gint64 now;

  if (self->tiles->len == 0 || width <= 0 || height <= 0)
    return;
  guest_to_tile_space (self, &x, &y, &width, &height);
  if (width <= 0 || height <= 0)
    return;
  first_column = CLAMP (x / self->tile_size, 0, self->columns - 1);
  last_column = CLAMP ((x + width - 1) / self->tile_size, 0, self->columns - 1);
  first_row = CLAMP (y / self->tile_size, 0, self->rows - 1);
  last_row = CLAMP ((y + height - 1) / self->tile_size, 0, self->rows - 1);
  for (int row = first_row; row <= last_row; row++)
    for (int column = first_column; column <= last_column; column++)
      {
        GskRenderNode **tile = (GskRenderNode **) &g_ptr_array_index (self->tiles,
                                                                      row * self->columns +
                                                                      column);

        g_clear_pointer (tile, gsk_render_node_unref);
      }
  if (!can_draw_directly (self))
    {
      /* The pixmap misses this change: made again when next needed. */
      direct_release (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  /* At most one draw a frame, 60 a second, as GTK would draw: what the
   * guest draws within a frame (a whole screen comes as hundreds of
   * rectangles, in as many messages) goes to the window at once. After a
   * quiet frame, a change goes once SPICE has read what there is to read:
   * QEMU often sends one change as two rectangles in messages read one
   * after the other, and spice-client-glib hands each to the main loop
   * in an idle of G_PRIORITY_DEFAULT_IDLE, so the draw's source is then
   * of a lower priority (at the same priority it came first, and drew
   * half the change, the rest a frame later). SPICE's reading wakes the
   * loop once more when it is done anyway, so the draw costs no wake-up
   * of its own. Where SPICE's idles never stop (the guest streams), the
   * draw does not wait more than a frame for them. Within a frame of the
   * last draw, the draw's source has a higher priority than SPICE's idles
   * and comes when the frame is over. */
  now = g_get_monotonic_time ();
  if (self->have_pending)
    {
      gdk_rectangle_union (&self->pending, &(cairo_rectangle_int_t) { x, y, width, height },
                           &self->pending);
      /* Waiting for SPICE's idles since draw_due: a frame at most. */
      if (g_source_get_priority (self->draw_source) == DRAW_PRIORITY_AFTER_QUIET &&
          now - self->draw_due >= G_USEC_PER_SEC / 60)
        draw_pending (self);
      return;
    }
  self->pending = (cairo_rectangle_int_t) { x, y, width, height };
  self->have_pending = TRUE;
  if (self->last_direct_draw + G_USEC_PER_SEC / 60 <= now)
    draw_source_start (self, DRAW_PRIORITY_AFTER_QUIET, now);
  else
    draw_source_start (self, DRAW_PRIORITY_IN_FRAME, self->last_direct_draw + G_USEC_PER_SEC / 60);
}

/* A copy of a rectangle of the surface as a texture. SPICE's 32-bit xRGB
 * is B,G,R,X in memory; the X byte is forced opaque. */
static GdkTexture *
texture_from_surface (const guint8 *pixels,
                      int           stride,
                      int           x,
                      int           y,
                      int           width,
                      int           height)
{
  gsize row_bytes = (gsize) width * 4;
  guint8 *copy = g_malloc (row_bytes * height);
  g_autoptr(GBytes) bytes = NULL;

  for (int row = 0; row < height; row++)
    {
      guint8 *out = copy + row * row_bytes;

      memcpy (out, pixels + (gsize) (y + row) * stride + (gsize) x * 4, row_bytes);
      for (int i = 3; i < (int) row_bytes; i += 4)
        out[i] = 0xff;
    }
  bytes = g_bytes_new_take (copy, row_bytes * height);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes,
                                 row_bytes);
}

/* The cairo renderer's tile at @x, @y of the tile space: a cairo node in
 * widget coordinates that draws a copy of the guest's pixels under it
 * scaled to the tile, with a margin of the guest's pixels around it so
 * that the filter blends across the tile's edges as it would across the
 * whole display: no seams.
 *
 * GTK 4.8's cairo renderer repaints the region where the render nodes
 * changed, but cannot follow a change through a scaling transform node:
 * the scale is inside the node, which is drawn untransformed, so only the
 * changed tiles' area is repainted. The pixels are scaled once, straight
 * from the guest's when GTK draws the node into its frame: no scaled copy
 * of the display to keep and copy tiles out of, and only the guest's
 * pixels, fewer than the scaled ones, are copied here. (GDK 4.8 draws an
 * X11 frame in an image surface: the scaling stays in this process. The
 * guest's changes themselves go to the window another way on X11, scaled
 * by the X server: see draw_directly ().) SPICE's xRGB is cairo's RGB24. */
static GskRenderNode *
cairo_tile_node_new (PvmSpiceView *self,
                     const guint8 *pixels,
                     int           stride,
                     int           x,
                     int           y,
                     int           width,
                     int           height)
{
  double factor = self->device_scale;
  double scale_x = (double) self->space_width / self->width;
  double scale_y = (double) self->space_height / self->height;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT ((self->origin_x + x) / factor,
                                               (self->origin_y + y) / factor,
                                               width / factor, height / factor);
  int guest_x = x, guest_y = y, guest_width = width, guest_height = height;
  cairo_surface_t *part;
  cairo_pattern_t *pattern;
  guint8 *to;
  int part_stride;
  GskRenderNode *node;
  cairo_t *cr;

  tile_to_guest_space (self, &guest_x, &guest_y, &guest_width, &guest_height);
  part = cairo_image_surface_create (CAIRO_FORMAT_RGB24, guest_width, guest_height);
  part_stride = cairo_image_surface_get_stride (part);
  to = cairo_image_surface_get_data (part);
  for (int row = 0; row < guest_height; row++)
    memcpy (to + (gsize) row * part_stride,
            pixels + (gsize) (guest_y + row) * stride + (gsize) guest_x * 4,
            (gsize) guest_width * 4);
  cairo_surface_mark_dirty (part);

  node = gsk_cairo_node_new (&bounds);
  cr = gsk_cairo_node_get_draw_context (node);
  cairo_translate (cr, self->origin_x / factor, self->origin_y / factor);
  cairo_scale (cr, 1 / factor, 1 / factor);
  cairo_rectangle (cr, x, y, width, height);
  cairo_clip (cr);
  cairo_scale (cr, scale_x, scale_y);
  cairo_set_source_surface (cr, part, guest_x, guest_y);
  pattern = cairo_get_source (cr);
  cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
  /* Bilinear, unless shrinking much (cairo's "good" filter averages). */
  cairo_pattern_set_filter (pattern, scale_x < 0.75 || scale_y < 0.75 ? CAIRO_FILTER_GOOD
                                                                       : CAIRO_FILTER_BILINEAR);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (part);
  return node;
}

/**
 * pvm_spice_view_get_guest_rect:
 * @self: a #PvmSpiceView
 * @rect: (out): where the guest's display is drawn, in widget coordinates
 *
 * Returns: %FALSE if there is no display
 */
gboolean
pvm_spice_view_get_guest_rect (PvmSpiceView    *self,
                               graphene_rect_t *rect)
{
  int widget_width = gtk_widget_get_width (GTK_WIDGET (self));
  int widget_height = gtk_widget_get_height (GTK_WIDGET (self));
  double scale;

  g_return_val_if_fail (PVM_IS_SPICE_VIEW (self), FALSE);

  if (self->width <= 0 || self->height <= 0 || widget_width <= 0 || widget_height <= 0)
    return FALSE;
  scale = MIN ((double) widget_width / self->width, (double) widget_height / self->height);
  /* Whole pixels at 1:1, so that nothing is resampled when it fits. */
  rect->size.width = self->width * scale;
  rect->size.height = self->height * scale;
  rect->origin.x = floor ((widget_width - rect->size.width) / 2);
  rect->origin.y = floor ((widget_height - rect->size.height) / 2);
  return TRUE;
}

/* Black where the display is not. The cairo renderer paints every node
 * over the damaged area: under the cairo tiles, which cover whole device
 * pixels and are opaque, black would be painted only to be painted over,
 * so it goes around them. Under the GL renderer's textures, whose edges
 * may fall between pixels, it goes everywhere. */
static void
append_background (PvmSpiceView *self,
                   GtkSnapshot  *snapshot)
{
  const GdkRGBA black = { 0, 0, 0, 1 };
  double widget_width = gtk_widget_get_width (GTK_WIDGET (self));
  double widget_height = gtk_widget_get_height (GTK_WIDGET (self));
  double factor = self->device_scale;
  double left, top, right, bottom;
  graphene_rect_t bars[4];

  if (!self->cairo_tiles)
    {
      gtk_snapshot_append_color (snapshot, &black,
                                 &GRAPHENE_RECT_INIT (0, 0, widget_width, widget_height));
      return;
    }
  left = self->origin_x / factor;
  top = self->origin_y / factor;
  right = (self->origin_x + self->space_width) / factor;
  bottom = (self->origin_y + self->space_height) / factor;
  graphene_rect_init (&bars[0], 0, 0, widget_width, top);
  graphene_rect_init (&bars[1], 0, bottom, widget_width, widget_height - bottom);
  graphene_rect_init (&bars[2], 0, top, left, bottom - top);
  graphene_rect_init (&bars[3], right, top, widget_width - right, bottom - top);
  for (guint i = 0; i < G_N_ELEMENTS (bars); i++)
    if (bars[i].size.width > 0 && bars[i].size.height > 0)
      gtk_snapshot_append_color (snapshot, &black, &bars[i]);
}

static void
pvm_spice_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (widget);
  const GdkRGBA black = { 0, 0, 0, 1 };
  graphene_rect_t guest;
  const guint8 *pixels;
  int width, height, stride;
  double scale;

  pixels = pvm_console_get_primary (self->console, &width, &height, &stride);
  if (pixels == NULL || width != self->width || height != self->height ||
      !pvm_spice_view_get_guest_rect (self, &guest))
    {
      gtk_snapshot_append_color (snapshot, &black,
                                 &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                      gtk_widget_get_height (widget)));
      return;
    }

  /* The renderer changes when the window moves to another display. */
  update_tile_space (self);
  append_background (self, snapshot);

  scale = guest.size.width / self->width;
  if (!self->cairo_tiles)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &guest.origin);
      gtk_snapshot_scale (snapshot, scale, scale);
    }
  for (int row = 0; row < self->rows; row++)
    for (int column = 0; column < self->columns; column++)
      {
        GskRenderNode **tile = (GskRenderNode **) &g_ptr_array_index (self->tiles,
                                                                      row * self->columns +
                                                                      column);
        int x = column * self->tile_size;
        int y = row * self->tile_size;
        int tile_width = MIN (self->tile_size, self->space_width - x);
        int tile_height = MIN (self->tile_size, self->space_height - y);

        if (*tile == NULL)
          {
            if (self->cairo_tiles)
              *tile = cairo_tile_node_new (self, pixels, stride, x, y, tile_width,
                                           tile_height);
            else
              {
                g_autoptr(GdkTexture) texture = texture_from_surface (pixels, stride, x, y,
                                                                      tile_width, tile_height);

                *tile = gsk_texture_node_new (texture,
                                              &GRAPHENE_RECT_INIT (x, y, tile_width,
                                                                   tile_height));
              }
            self->uploads++;
          }
        /* The cairo node as it is, in widget coordinates (no transform
         * node: see cairo_tile_node_new ()); a texture through the
         * snapshot's own call, which puts the scale into its bounds
         * (exact at 1:1). */
        if (self->cairo_tiles)
          gtk_snapshot_append_node (snapshot, *tile);
        else
          gtk_snapshot_append_texture (snapshot, gsk_texture_node_get_texture (*tile),
                                       &GRAPHENE_RECT_INIT (x, y, tile_width, tile_height));
      }
  if (!self->cairo_tiles)
    gtk_snapshot_restore (snapshot);
  self->tiles_behind = FALSE;
}

/* ------------------------------------------------------------------ */
/* Drawing straight to the window                                     */

/* GTK 4.8 draws every frame of a window in the process, and a frame costs
 * it more than spice-gtk's whole small update (docs/performance.md,
 * "Console drawing"). On X11, under the cairo renderer, the view draws
 * what the guest changed straight to the window instead, as spice-gtk's
 * GTK 3 widget does through GTK 3: the guest's display lives in an X
 * pixmap, each change is copied into it (only the changed rectangle) and
 * composited, scaled by the X server's RENDER, into the window, where
 * the view is seen and nothing of GTK's is above it. No GTK frame is
 * drawn; the tiles catch up once the guest has been quiet for a while
 * (settle_fire ()), and whenever GTK draws the window before that,
 * the view draws over it again from the pixmap (after_paint_cb ()). */

#ifdef GDK_WINDOWING_X11

static void
direct_release (PvmSpiceView *self)
{
  g_clear_pointer (&self->direct_visible, cairo_region_destroy);
  if (self->direct_display == NULL)
    return;
  gdk_x11_display_error_trap_push (self->direct_display);
  if (self->direct_window != None)
    XRenderFreePicture (self->direct_xdisplay, self->direct_window);
  if (self->direct_guest != None)
    XRenderFreePicture (self->direct_xdisplay, self->direct_guest);
  if (self->direct_pixmap != None)
    XFreePixmap (self->direct_xdisplay, self->direct_pixmap);
  if (self->direct_gc != NULL)
    XFreeGC (self->direct_xdisplay, self->direct_gc);
  gdk_x11_display_error_trap_pop_ignored (self->direct_display);
  if (self->direct_image != NULL)
    {
      self->direct_image->data = NULL;   /* the guest's, not Xlib's */
      XDestroyImage (self->direct_image);
    }
  self->direct_window = self->direct_guest = None;
  self->direct_pixmap = None;
  self->direct_gc = NULL;
  self->direct_image = NULL;
  self->direct_display = NULL;
  self->direct_xdisplay = NULL;
}

/* @widget's bounds in device pixels of @native's surface: the whole
 * pixels inside them if @inside, else every pixel they touch. FALSE if
 * @widget is not in @native. */
static gboolean
device_bounds (GtkWidget             *widget,
               GtkNative             *native,
               double                 offset_x,
               double                 offset_y,
               double                 factor,
               gboolean               inside,
               cairo_rectangle_int_t *rect)
{
  graphene_rect_t bounds;
  double x0, y0, x1, y1;

  if (!gtk_widget_compute_bounds (widget, GTK_WIDGET (native), &bounds))
    return FALSE;
  x0 = (bounds.origin.x + offset_x) * factor;
  y0 = (bounds.origin.y + offset_y) * factor;
  x1 = (bounds.origin.x + bounds.size.width + offset_x) * factor;
  y1 = (bounds.origin.y + bounds.size.height + offset_y) * factor;
  rect->x = (int) (inside ? ceil (x0) : floor (x0));
  rect->y = (int) (inside ? ceil (y0) : floor (y0));
  rect->width = (int) (inside ? floor (x1) : ceil (x1)) - rect->x;
  rect->height = (int) (inside ? floor (y1) : ceil (y1)) - rect->y;
  return TRUE;
}

/* Cuts @region (device pixels of @native's surface) down to what of
 * @widget is seen: within each of its ancestors (a scrolled window shows
 * part of it), and not under what GTK draws above it, the siblings after
 * it and after each of its ancestors that are shown (an overlay's
 * children, toasts), other than popovers and other surfaces of their
 * own. */
static void
clip_to_seen (GtkWidget      *widget,
              GtkNative      *native,
              double          offset_x,
              double          offset_y,
              double          factor,
              cairo_region_t *region)
{
  for (GtkWidget *child = widget; child != GTK_WIDGET (native);
       child = gtk_widget_get_parent (child))
    {
      GtkWidget *parent = gtk_widget_get_parent (child);
      cairo_rectangle_int_t rect;

      if (parent != GTK_WIDGET (native) &&
          device_bounds (parent, native, offset_x, offset_y, factor, TRUE, &rect))
        cairo_region_intersect_rectangle (region, &rect);
      for (GtkWidget *above = gtk_widget_get_next_sibling (child); above != NULL;
           above = gtk_widget_get_next_sibling (above))
        if (!GTK_IS_NATIVE (above) && gtk_widget_get_mapped (above) &&
            device_bounds (above, native, offset_x, offset_y, factor, FALSE, &rect))
          cairo_region_subtract_rectangle (region, &rect);
    }
}

/* The X resources for @surface and the guest's display as it is now;
 * FALSE if they cannot be had. A new tile space or guest display releases
 * them (update_tile_space (), primary_changed_cb ()), and so does
 * unrealizing the view, the only way to another window (x11_native). */
static gboolean
direct_prepare (PvmSpiceView *self,
                GdkSurface   *surface,
                const guint8 *pixels,
                int           stride)
{
  GdkDisplay *display = gdk_surface_get_display (surface);
  Display *xdisplay = gdk_x11_display_get_xdisplay (display);
  Window xid = gdk_x11_surface_get_xid (surface);
  XRenderPictFormat *window_format, *guest_format;
  XRenderPictureAttributes attributes = { .repeat = RepeatPad };
  XWindowAttributes window_attributes;
  XTransform transform = { { { 0 } } };
  int event_base, error_base;

  direct_release (self);
  if (!XRenderQueryExtension (xdisplay, &event_base, &error_base) ||
      !XGetWindowAttributes (xdisplay, xid, &window_attributes) ||
      (window_format = XRenderFindVisualFormat (xdisplay, window_attributes.visual)) == NULL ||
      (guest_format = XRenderFindStandardFormat (xdisplay, PictStandardRGB24)) == NULL)
    return FALSE;

  self->direct_display = display;
  self->direct_xdisplay = xdisplay;
  gdk_x11_display_error_trap_push (display);
  self->direct_window = XRenderCreatePicture (xdisplay, xid, window_format, 0, NULL);
  self->direct_pixmap = XCreatePixmap (xdisplay, xid, self->width, self->height, 24);
  self->direct_gc = XCreateGC (xdisplay, self->direct_pixmap, 0, NULL);
  self->direct_guest = XRenderCreatePicture (xdisplay, self->direct_pixmap, guest_format,
                                             CPRepeat, &attributes);
  /* From the picture's pixels to the guest's, sampled as cairo samples
   * the tiles: bilinear, or exact at 1:1. */
  transform.matrix[0][0] = XDoubleToFixed ((double) self->width / self->space_width);
  transform.matrix[1][1] = XDoubleToFixed ((double) self->height / self->space_height);
  transform.matrix[2][2] = XDoubleToFixed (1);
  XRenderSetPictureTransform (xdisplay, self->direct_guest, &transform);
  XRenderSetPictureFilter (xdisplay, self->direct_guest,
                           self->space_width == self->width &&
                           self->space_height == self->height ? FilterNearest : FilterBilinear,
                           NULL, 0);
  if (gdk_x11_display_error_trap_pop (display) != 0)
    {
      direct_release (self);
      return FALSE;
    }
  /* SPICE's 32-bit xRGB is the X server's depth 24 in 32 bits. */
  self->direct_image = XCreateImage (xdisplay, window_attributes.visual, 24, ZPixmap, 0,
                                     (char *) pixels, self->width, self->height, 32, stride);
  if (self->direct_image == NULL)
    {
      direct_release (self);
      return FALSE;
    }
  self->direct_image->byte_order = LSBFirst;
  /* The pixmap starts as the whole display. */
  XPutImage (xdisplay, self->direct_pixmap, self->direct_gc, self->direct_image, 0, 0, 0, 0,
             self->width, self->height);
  self->direct_pixels += (guint64) self->width * self->height;
  return TRUE;
}

#else

static void
direct_release (PvmSpiceView *self)
{
  g_clear_pointer (&self->direct_visible, cairo_region_destroy);
}

#endif

static gboolean
can_draw_directly (PvmSpiceView *self)
{
#ifdef GDK_WINDOWING_X11
  /* Only in an X11 window, under the cairo renderer (a GL one draws the
   * whole window in every frame anyway), and not when shrinking much,
   * where cairo's filter averages and RENDER's would not. */
  return self->x11_native != NULL && self->cairo_tiles && self->tiles->len > 0 &&
         self->space_width * 4 >= self->width * 3 && self->space_height * 4 >= self->height * 3 &&
         gtk_widget_get_mapped (GTK_WIDGET (self)) && self->may_draw_directly;
#else
  return FALSE;
#endif
}

/* Copies the guest's pixels under @damage (the tile space; NULL: none)
 * into the pixmap and draws @damage, or all of the picture if
 * @damage is NULL, to the window where the view is seen (see
 * clip_to_seen ()). FALSE where it cannot. */
static gboolean
draw_directly (PvmSpiceView                *self,
               const cairo_rectangle_int_t *damage)
{
#ifdef GDK_WINDOWING_X11
  GtkWidget *widget = GTK_WIDGET (self);
  GtkNative *native;
  GdkSurface *surface;
  int stride, width, height;
  const guint8 *pixels;
  cairo_rectangle_int_t window_damage;

  if (!can_draw_directly (self))
    return FALSE;
  native = self->x11_native;
  surface = self->x11_surface;
  pixels = pvm_console_get_primary (self->console, &width, &height, &stride);
  if (pixels == NULL || width != self->width || height != self->height ||
      (self->direct_image == NULL && !direct_prepare (self, surface, pixels, stride)))
    return FALSE;

  /* Where the picture is in the window and what of it is seen: the
   * same until the next layout (scrolling is one). */
  if (self->direct_visible == NULL)
    {
      double surface_x, surface_y, factor = self->device_scale;
      graphene_point_t origin;

      if (!gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (0, 0),
                                     &origin))
        return FALSE;
      gtk_native_get_surface_transform (native, &surface_x, &surface_y);
      self->direct_left = (int) round ((origin.x + surface_x) * factor) + self->origin_x;
      self->direct_top = (int) round ((origin.y + surface_y) * factor) + self->origin_y;
      self->direct_visible = cairo_region_create_rectangle (&(cairo_rectangle_int_t) {
                                                              self->direct_left,
                                                              self->direct_top,
                                                              self->space_width,
                                                              self->space_height });
      clip_to_seen (widget, native, surface_x, surface_y, factor, self->direct_visible);
    }

  if (damage != NULL)
    {
      int x = damage->x, y = damage->y;

      width = damage->width, height = damage->height;
      tile_to_guest_space (self, &x, &y, &width, &height);
      XPutImage (self->direct_xdisplay, self->direct_pixmap, self->direct_gc,
                 self->direct_image, x, y, x, y, width, height);
      self->direct_pixels += (guint64) width * height;
      window_damage = *damage;
      window_damage.x += self->direct_left;
      window_damage.y += self->direct_top;
    }
  /* What is seen is most often one rectangle: no region is made. */
  for (int i = 0; i < cairo_region_num_rectangles (self->direct_visible); i++)
    {
      cairo_rectangle_int_t rect;

      cairo_region_get_rectangle (self->direct_visible, i, &rect);
      if (damage != NULL && !gdk_rectangle_intersect (&rect, &window_damage, &rect))
        continue;
      XRenderComposite (self->direct_xdisplay, PictOpSrc, self->direct_guest, None,
                        self->direct_window, rect.x - self->direct_left,
                        rect.y - self->direct_top, 0, 0, rect.x, rect.y, rect.width,
                        rect.height);
    }
  /* Not flushed here: GDK's X11 source flushes the requests as the main
   * loop prepares its next wait (XPending ()), and an XFlush () of the
   * view's own made Xlib read the connection twice more per draw. */
  self->direct_draws++;
  return TRUE;
#else
  return FALSE;
#endif
}

/* A source that comes at a time the view keeps (@due), read as the main
 * loop prepares to wait: moving that time costs neither a wake-up nor a
 * new source. One draws what the guest changed (draw_source_start ()),
 * one lets the tiles catch up (settle_start ()). */
typedef struct
{
  GSource         source;
  PvmSpiceView   *view;
  gboolean      (*due) (PvmSpiceView *self,
                        gint64       *when);   /* FALSE: nothing is due */
  gboolean      (*fire) (PvmSpiceView *self);  /* G_SOURCE_CONTINUE or _REMOVE */
} ViewSource;

static gboolean
view_source_prepare (GSource *source,
                     int     *timeout)
{
  ViewSource *view_source = (ViewSource *) source;
  gint64 when, left;

  if (!view_source->due (view_source->view, &when))
    {
      *timeout = -1;
      return FALSE;
    }
  left = when - g_source_get_time (source);
  *timeout = left > 0 ? (int) ((left + 999) / 1000) : 0;
  return left <= 0;
}

static gboolean
view_source_check (GSource *source)
{
  int timeout;

  return view_source_prepare (source, &timeout);
}

static gboolean
view_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  ViewSource *view_source = (ViewSource *) source;

  return view_source->fire (view_source->view);
}

static GSourceFuncs view_source_funcs = {
  .prepare = view_source_prepare,
  .check = view_source_check,
  .dispatch = view_source_dispatch,
};

/* Attached to the default context; the caller owns the reference. */
static GSource *
view_source_new (PvmSpiceView *self,
                 const char   *name,
                 int           priority,
                 gboolean    (*due) (PvmSpiceView *, gint64 *),
                 gboolean    (*fire) (PvmSpiceView *))
{
  GSource *source = g_source_new (&view_source_funcs, sizeof (ViewSource));
  ViewSource *view_source = (ViewSource *) source;

  view_source->view = self;
  view_source->due = due;
  view_source->fire = fire;
  g_source_set_static_name (source, name);
  g_source_set_priority (source, priority);
  g_source_attach (source, NULL);
  return source;
}

/* The guest has been quiet for PVM_SPICE_VIEW_SETTLE_MS since the last
 * direct draw: the tiles catch up, for GTK's own drawing of the window and
 * for snapshots of the view. Each draw moves that moment on (a timeout
 * added again each time it came early woke the loop 4 times a second). */
static gboolean
settle_time (PvmSpiceView *self,
             gint64       *when)
{
  *when = self->last_direct_draw + PVM_SPICE_VIEW_SETTLE_MS * 1000;
  return TRUE;
}

static gboolean
settle_fire (PvmSpiceView *self)
{
  self->settle_source = 0;
  if (self->tiles_behind)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_REMOVE;
}

static void
settle_start (PvmSpiceView *self)
{
  GSource *source = view_source_new (self, "[pvm] view settle", G_PRIORITY_DEFAULT, settle_time,
                                     settle_fire);

  self->settle_source = g_source_get_id (source);
  g_source_unref (source);
}

/* What changed is drawn once its time (self->draw_due) has come, by a source
 * that stays from one change to the next. */
static gboolean
draw_time (PvmSpiceView *self,
           gint64       *when)
{
  *when = self->draw_due;
  return self->have_pending;
}

static gboolean
draw_fire (PvmSpiceView *self)
{
  draw_pending (self);
  return G_SOURCE_CONTINUE;
}

/* What is pending is drawn at @due, by a source of @priority. */
static void
draw_source_start (PvmSpiceView *self,
                   int           priority,
                   gint64        due)
{
  if (self->draw_source == NULL)
    self->draw_source = view_source_new (self, "[pvm] view draw", priority, draw_time, draw_fire);
  else if (g_source_get_priority (self->draw_source) != priority)
    g_source_set_priority (self->draw_source, priority);
  self->draw_due = due;
}

/* Only while something is pending (draw_time (), invalidate_cb ()). */
static void
draw_pending (PvmSpiceView *self)
{
  self->have_pending = FALSE;
  self->last_direct_draw = g_get_monotonic_time ();
  if (draw_directly (self, &self->pending))
    {
      self->tiles_behind = TRUE;
      if (self->settle_source == 0)
        settle_start (self);
    }
  else
    {
      direct_release (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* The cairo renderer's tiles are in device pixels: a new scale factor
 * makes a new tile space at once, before the view next draws directly. */
static void
scale_factor_cb (PvmSpiceView *self)
{
  if (self->tiles->len > 0)
    update_tile_space (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Widgets may have moved: where the view may draw is found again. */
static void
layout_cb (PvmSpiceView *self)
{
  g_clear_pointer (&self->direct_visible, cairo_region_destroy);
}

/* GTK drew a frame of the window from tiles older than what the view drew
 * straight to it: the view draws its picture over it again. */
static void
after_paint_cb (GdkFrameClock *frame_clock,
                PvmSpiceView  *self)
{
  if (self->tiles_behind && !draw_directly (self, NULL))
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
pvm_spice_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (widget);
  int size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->width : self->height;

  *minimum = 80;
  *natural = MAX (size, orientation == GTK_ORIENTATION_HORIZONTAL ? 640 : 400);
}

/* With the agent, the guest follows the view's size. */
static gboolean
resize_guest_cb (gpointer user_data)
{
  PvmSpiceView *self = user_data;
  int factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));

  self->resize_source = 0;
  pvm_console_request_resize (self->console, gtk_widget_get_width (GTK_WIDGET (self)) * factor,
                              gtk_widget_get_height (GTK_WIDGET (self)) * factor);
  return G_SOURCE_REMOVE;
}

/* Once the view's size has settled for 300 ms. */
static void
schedule_resize_guest (PvmSpiceView *self)
{
  if (!pvm_console_has_agent (self->console))
    return;
  g_clear_handle_id (&self->resize_source, g_source_remove);
  self->resize_source = g_timeout_add (300, resize_guest_cb, self);
}

static void
pvm_spice_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  schedule_resize_guest (PVM_SPICE_VIEW (widget));
}

/* The agent starts long after the view is sized (the guest boots, then
 * its desktop): the guest takes the view's size when it does. */
static void
agent_changed_cb (PvmConsole   *console,
                  GParamSpec   *pspec,
                  PvmSpiceView *self)
{
  schedule_resize_guest (self);
}

/* ------------------------------------------------------------------ */
/* The cursor                                                         */

static void
update_cursor (PvmSpiceView *self)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkCursor) cursor = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *pixels;
  int width, height, hot_x, hot_y;

  if (!pvm_console_get_cursor_visible (self->console) ||
      (self->grabbed && !pvm_console_is_client_mouse (self->console)))
    {
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "none");
      return;
    }
  pixels = pvm_console_get_cursor (self->console, &width, &height, &hot_x, &hot_y);
  if (pixels == NULL)
    {
      gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
      return;
    }
  bytes = g_bytes_new (pixels, (gsize) width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8A8, bytes, width * 4);
  cursor = gdk_cursor_new_from_texture (texture, hot_x, hot_y, NULL);
  gtk_widget_set_cursor (GTK_WIDGET (self), cursor);
}

static void
cursor_changed_cb (PvmConsole   *console,
                   PvmSpiceView *self)
{
  update_cursor (self);
}

/* ------------------------------------------------------------------ */
/* Grab                                                               */

/**
 * pvm_spice_view_set_grabbed:
 * @self: a #PvmSpiceView
 * @grabbed: whether the view keeps the keyboard (system shortcuts go to
 *   the guest) and, when the guest wants relative motion, the pointer
 */
void
pvm_spice_view_set_grabbed (PvmSpiceView *self,
                            gboolean      grabbed)
{
  GtkNative *native;
  GdkSurface *surface = NULL;

  g_return_if_fail (PVM_IS_SPICE_VIEW (self));

  grabbed = !!grabbed;
  if (self->grabbed == grabbed)
    return;
  self->grabbed = grabbed;
  self->have_last = FALSE;

  native = gtk_widget_get_native (GTK_WIDGET (self));
  if (native != NULL)
    surface = gtk_native_get_surface (native);
  if (surface != NULL && GDK_IS_TOPLEVEL (surface))
    {
      if (grabbed)
        gdk_toplevel_inhibit_system_shortcuts (GDK_TOPLEVEL (surface), NULL);
      else
        gdk_toplevel_restore_system_shortcuts (GDK_TOPLEVEL (surface));
    }
  if (grabbed)
    gtk_widget_grab_focus (GTK_WIDGET (self));
  update_cursor (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRABBED]);
}

gboolean
pvm_spice_view_get_grabbed (PvmSpiceView *self)
{
  g_return_val_if_fail (PVM_IS_SPICE_VIEW (self), FALSE);

  return self->grabbed;
}

/* ------------------------------------------------------------------ */
/* Keyboard                                                           */

static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                PvmSpiceView          *self)
{
  guint scancode = pvm_keymap_x11_keycode_to_xt (keycode);

  if (scancode == PVM_XT_LEFT_CTRL)
    self->ctrl_down = TRUE;
  else if (scancode == PVM_XT_LEFT_ALT)
    self->alt_down = TRUE;
  else
    self->combo_armed = FALSE;
  if (self->ctrl_down && self->alt_down &&
      (scancode == PVM_XT_LEFT_CTRL || scancode == PVM_XT_LEFT_ALT))
    self->combo_armed = TRUE;

  pvm_console_key (self->console, scancode, TRUE);
  return TRUE;
}

static void
key_released_cb (GtkEventControllerKey *controller,
                 guint                  keyval,
                 guint                  keycode,
                 GdkModifierType        state,
                 PvmSpiceView          *self)
{
  guint scancode = pvm_keymap_x11_keycode_to_xt (keycode);

  pvm_console_key (self->console, scancode, FALSE);

  if (scancode == PVM_XT_LEFT_CTRL || scancode == PVM_XT_LEFT_ALT)
    {
      if (self->combo_armed)
        {
          self->combo_armed = FALSE;
          pvm_spice_view_set_grabbed (self, !self->grabbed);
        }
      if (scancode == PVM_XT_LEFT_CTRL)
        self->ctrl_down = FALSE;
      else
        self->alt_down = FALSE;
    }
}

static void
focus_leave_cb (GtkEventControllerFocus *controller,
                PvmSpiceView            *self)
{
  pvm_console_release_keys (self->console);
  self->ctrl_down = self->alt_down = self->combo_armed = FALSE;
  pvm_spice_view_set_grabbed (self, FALSE);
}

/* ------------------------------------------------------------------ */
/* Pointer                                                            */

static gboolean
to_guest (PvmSpiceView *self,
          double        x,
          double        y,
          int          *guest_x,
          int          *guest_y)
{
  graphene_rect_t rect;
  double scale;

  if (!pvm_spice_view_get_guest_rect (self, &rect))
    return FALSE;
  scale = rect.size.width / self->width;
  *guest_x = CLAMP ((int) ((x - rect.origin.x) / scale), 0, self->width - 1);
  *guest_y = CLAMP ((int) ((y - rect.origin.y) / scale), 0, self->height - 1);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           PvmSpiceView             *self)
{
  int guest_x, guest_y;

  if (pvm_console_is_client_mouse (self->console))
    {
      if (to_guest (self, x, y, &guest_x, &guest_y))
        pvm_console_pointer_position (self->console, guest_x, guest_y);
      return;
    }
  /* Server mode: relative motion, only while grabbed. GTK 4 cannot warp
   * the pointer back, so the motion ends at the screen's edge. */
  if (self->grabbed && self->have_last)
    pvm_console_pointer_motion (self->console, (int) (x - self->last_x),
                                (int) (y - self->last_y));
  self->last_x = x;
  self->last_y = y;
  self->have_last = TRUE;
}

static int
spice_button (guint gdk_button)
{
  switch (gdk_button)
    {
    case GDK_BUTTON_PRIMARY:
      return SPICE_MOUSE_BUTTON_LEFT;
    case GDK_BUTTON_MIDDLE:
      return SPICE_MOUSE_BUTTON_MIDDLE;
    case GDK_BUTTON_SECONDARY:
      return SPICE_MOUSE_BUTTON_RIGHT;
    default:
      return 0;
    }
}

static void
pressed_cb (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            PvmSpiceView    *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (!pvm_console_is_client_mouse (self->console) && !self->grabbed)
    {
      /* The first click grabs; it does not reach the guest. */
      pvm_spice_view_set_grabbed (self, TRUE);
      return;
    }
  motion_cb (NULL, x, y, self);
  pvm_console_button (self->console, spice_button (button), TRUE);
}

static void
released_cb (GtkGestureClick *gesture,
             int              n_press,
             double           x,
             double           y,
             PvmSpiceView    *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));

  pvm_console_button (self->console, spice_button (button), FALSE);
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           PvmSpiceView             *self)
{
  int steps = (int) (dy > 0 ? ceil (dy) : floor (dy));

  pvm_console_scroll (self->console, steps);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Clipboard and files                                                */

static void
host_text_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PvmSpiceView) self = user_data;
  g_autofree char *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, NULL);

  if (text != NULL && self->console != NULL)
    pvm_console_set_host_clipboard (self->console, text);
}

static void
host_clipboard_changed_cb (GdkClipboard *clipboard,
                           PvmSpiceView *self)
{
  if (gdk_clipboard_is_local (clipboard) || !pvm_console_has_agent (self->console))
    return;
  gdk_clipboard_read_text_async (clipboard, NULL, host_text_read_cb, g_object_ref (self));
}

static void
guest_clipboard_cb (PvmConsole   *console,
                    const char   *text,
                    PvmSpiceView *self)
{
  if (self->clipboard != NULL)
    gdk_clipboard_set_text (self->clipboard, text);
}

static void
files_copied_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!pvm_console_copy_files_finish (PVM_CONSOLE (source), result, &error))
    g_warning ("%s", error->message);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         PvmSpiceView  *self)
{
  GSList *list = g_value_get_boxed (value);
  g_autoptr(GPtrArray) files = g_ptr_array_new_null_terminated (0, NULL, TRUE);

  if (!pvm_console_has_agent (self->console))
    return FALSE;
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (files->len == 0)
    return FALSE;
  pvm_console_copy_files_async (self->console, (GFile **) files->pdata, NULL, files_copied_cb,
                                NULL);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The object                                                         */

static void
pvm_spice_view_realize (GtkWidget *widget)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (widget);
#ifdef GDK_WINDOWING_X11
  GtkNative *native;
#endif

  GTK_WIDGET_CLASS (pvm_spice_view_parent_class)->realize (widget);

  self->clipboard = gtk_widget_get_clipboard (widget);
  self->clipboard_handler = g_signal_connect (self->clipboard, "changed",
                                              G_CALLBACK (host_clipboard_changed_cb), self);
  self->frame_clock = gtk_widget_get_frame_clock (widget);
  self->after_paint_handler = g_signal_connect (self->frame_clock, "after-paint",
                                                G_CALLBACK (after_paint_cb), self);
  self->layout_handler = g_signal_connect_swapped (self->frame_clock, "layout",
                                                   G_CALLBACK (layout_cb), self);
#ifdef GDK_WINDOWING_X11
  /* Found once: a new window realizes the view again. */
  native = gtk_widget_get_native (widget);
  if (GDK_IS_X11_SURFACE (gtk_native_get_surface (native)))
    {
      self->x11_native = native;
      self->x11_surface = gtk_native_get_surface (native);
    }
#endif
}

static void
stop_drawing_directly (PvmSpiceView *self)
{
  if (self->draw_source != NULL)
    {
      g_source_destroy (self->draw_source);
      g_clear_pointer (&self->draw_source, g_source_unref);
    }
  g_clear_handle_id (&self->settle_source, g_source_remove);
  self->have_pending = FALSE;
  direct_release (self);
}

static void
pvm_spice_view_unrealize (GtkWidget *widget)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (widget);

  g_clear_signal_handler (&self->clipboard_handler, self->clipboard);
  self->clipboard = NULL;
  g_clear_signal_handler (&self->after_paint_handler, self->frame_clock);
  g_clear_signal_handler (&self->layout_handler, self->frame_clock);
  self->frame_clock = NULL;
  stop_drawing_directly (self);
  self->x11_native = NULL;
  self->x11_surface = NULL;
  pvm_spice_view_set_grabbed (self, FALSE);

  GTK_WIDGET_CLASS (pvm_spice_view_parent_class)->unrealize (widget);
}

static void
pvm_spice_view_set_console (PvmSpiceView *self,
                            PvmConsole   *console)
{
  int stride;

  g_assert (self->console == NULL);

  self->console = g_object_ref (console);
  g_signal_connect_object (console, "primary-changed", G_CALLBACK (primary_changed_cb), self, 0);
  g_signal_connect_object (console, "invalidate", G_CALLBACK (invalidate_cb), self, 0);
  g_signal_connect_object (console, "cursor-changed", G_CALLBACK (cursor_changed_cb), self, 0);
  g_signal_connect_object (console, "guest-clipboard", G_CALLBACK (guest_clipboard_cb), self, 0);
  g_signal_connect_object (console, "notify::agent", G_CALLBACK (agent_changed_cb), self, 0);
  /* The first snapshot sets the tile space up. */
  pvm_console_get_primary (console, &self->width, &self->height, &stride);
}

static void
pvm_spice_view_dispose (GObject *object)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (object);

  g_clear_handle_id (&self->resize_source, g_source_remove);
  stop_drawing_directly (self);
  if (self->console != NULL)
    {
      pvm_console_release_keys (self->console);
      g_signal_handlers_disconnect_by_data (self->console, self);
      g_clear_object (&self->console);
    }

  G_OBJECT_CLASS (pvm_spice_view_parent_class)->dispose (object);
}

static void
pvm_spice_view_finalize (GObject *object)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (object);

  g_ptr_array_unref (self->tiles);

  G_OBJECT_CLASS (pvm_spice_view_parent_class)->finalize (object);
}

static void
pvm_spice_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      g_value_set_object (value, self->console);
      break;
    case PROP_GRABBED:
      g_value_set_boolean (value, self->grabbed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_spice_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PvmSpiceView *self = PVM_SPICE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONSOLE:
      pvm_spice_view_set_console (self, g_value_get_object (value));
      break;
    case PROP_GRABBED:
      pvm_spice_view_set_grabbed (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_spice_view_class_init (PvmSpiceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_spice_view_dispose;
  object_class->finalize = pvm_spice_view_finalize;
  object_class->get_property = pvm_spice_view_get_property;
  object_class->set_property = pvm_spice_view_set_property;

  widget_class->snapshot = pvm_spice_view_snapshot;
  widget_class->measure = pvm_spice_view_measure;
  widget_class->size_allocate = pvm_spice_view_size_allocate;
  widget_class->realize = pvm_spice_view_realize;
  widget_class->unrealize = pvm_spice_view_unrealize;

  properties[PROP_CONSOLE] =
    g_param_spec_object ("console", NULL, NULL, PVM_TYPE_CONSOLE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRABBED] =
    g_param_spec_boolean ("grabbed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "pvm-spice-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
pvm_spice_view_init (PvmSpiceView *self)
{
  GtkEventController *controller;
  GtkDropTarget *drop;
  GtkGesture *click;

  self->tiles = g_ptr_array_new_with_free_func (tile_free);
  self->may_draw_directly = g_strcmp0 (g_getenv ("PVM_CONSOLE_DRAW"), "gtk") != 0;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  g_signal_connect (self, "notify::scale-factor", G_CALLBACK (scale_factor_cb), NULL);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  g_signal_connect (controller, "key-released", G_CALLBACK (key_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  g_signal_connect (click, "released", G_CALLBACK (released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL |
                                                GTK_EVENT_CONTROLLER_SCROLL_DISCRETE);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

/**
 * pvm_spice_view_new:
 * @console: the console to show
 *
 * Returns: (transfer floating): a view of @console
 */
GtkWidget *
pvm_spice_view_new (PvmConsole *console)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (console), NULL);

  return g_object_new (PVM_TYPE_SPICE_VIEW, "console", console, NULL);
}

PvmConsole *
pvm_spice_view_get_console (PvmSpiceView *self)
{
  g_return_val_if_fail (PVM_IS_SPICE_VIEW (self), NULL);

  return self->console;
}

/**
 * pvm_spice_view_dup_screenshot:
 * @self: a #PvmSpiceView
 *
 * Returns: (transfer full) (nullable): the guest's display at its own
 *   size, or %NULL without one
 */
GdkTexture *
pvm_spice_view_dup_screenshot (PvmSpiceView *self)
{
  const guint8 *pixels;
  int width, height, stride;

  g_return_val_if_fail (PVM_IS_SPICE_VIEW (self), NULL);

  pixels = pvm_console_get_primary (self->console, &width, &height, &stride);
  if (pixels == NULL || width <= 0 || height <= 0)
    return NULL;
  return texture_from_surface (pixels, stride, 0, 0, width, height);
}

/**
 * pvm_spice_view_get_tile_uploads:
 * @self: a #PvmSpiceView
 *
 * Returns: how many tiles were uploaded since the view was made: the
 *   tests and bench/console count them
 */
guint
pvm_spice_view_get_tile_uploads (PvmSpiceView *self)
{
  g_return_val_if_fail (PVM_IS_SPICE_VIEW (self), 0);

  return self->uploads;
}

/**
 * pvm_spice_view_get_direct_pixels:
 * @self: a #PvmSpiceView
 *
 * Returns: how many of the guest's pixels the view copied to draw them
 *   straight to the window (X11, cairo renderer) since it was made, the
 *   whole display counted each time it starts doing so: the tests count
 *   them
 */
guint64
pvm_spice_view_get_direct_pixels (PvmSpiceView *self)
{
  g_return_val_if_fail (PVM_IS_SPICE_VIEW (self), 0);

  return self->direct_pixels;
}

/**
 * pvm_spice_view_get_direct_draws:
 * @self: a #PvmSpiceView
 *
 * Returns: how many times the view drew straight to the window since it
 *   was made: the tests count them
 */
guint
pvm_spice_view_get_direct_draws (PvmSpiceView *self)
{
  g_return_val_if_fail (PVM_IS_SPICE_VIEW (self), 0);

  return self->direct_draws;
}
