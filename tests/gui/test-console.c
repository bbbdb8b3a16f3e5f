/* SPDX-License-Identifier: BSD-3-Clause */
/* test-console.c: the SPICE console (src/console, src/app/pvm-console-
 * window.c) against the real test guest, through the VM harness (its own
 * libvirt session daemon) on a private Xvfb:
 *
 * - the guest writes known text on its VGA console; the view's own
 *   rendering (its GtkWidgetPaintable rendered to a texture, not the SPICE
 *   surface) equals QEMU's screenshot of the guest's screen, pixel for
 *   pixel;
 * - keys typed with XTest (xdotool) into the focused view arrive in the
 *   guest exactly: the guest echoes the bytes its keyboard gives on the
 *   serial port (letters, a digit, shift, enter, an arrow, keypad enter,
 *   insert);
 * - what the window itself shows on the X server equals it too: on X11
 *   under the cairo renderer the view draws the guest's changes straight
 *   to the window, and a one-character change copies only its rectangle;
 * - a view scrolled partly out of sight draws nothing outside its
 *   scrolled window;
 * - a one-character change re-uploads only the tiles it touches;
 * - after the VM is saved and resumed, the view reconnects by itself and
 *   shows the screen again;
 * - a second viewer takes the console: the first says so, takes it back,
 *   and the second is told;
 * - after the VM is powered off and launched again, the view reconnects.
 *
 * Run through meson: tests/harness/pvm-harness stages this program, pvm
 * and the guest image, and tests/gui/pvm-xvfb-run gives it a display. */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include <adwaita.h>
#include <gdk/x11/gdkx.h>

#include "pvm-console-window.h"
#include "pvm-core.h"
#include "pvm-gui-test.h"
#include "pvm-test-util.h"

#define GUEST_TIMEOUT_SECONDS 120
#define SCREEN_WIDTH  720     /* VGA text mode, 80x25 with 9x16 glyphs */
#define SCREEN_HEIGHT 400

/* The guest's job: known text on the VGA console (tty1), the cursor
 * hidden so that nothing blinks, then every byte the keyboard gives on
 * the serial port; "z" also writes a "Z" at row 10, column 10, then a
 * "Y", then "Z" again. */
static const char console_job[] =
  "printf '\\033[2J\\033[H\\033[?25lpVM console test: ABC abc 0123456789\\n"
  "The quick brown fox jumps over the lazy dog.\\n' > /dev/tty1\n"
  /* Open once: keys typed while nobody has the tty open are lost. */
  "exec 3</dev/tty1\n"
  "stty -F /dev/tty1 raw -echo\n"
  "echo 'pvm-console: ready' > /dev/ttyS0\n"
  "while :; do\n"
  "  b=$(dd bs=1 count=1 <&3 2>/dev/null | od -An -tx1 | tr -d ' \\n')\n"
  "  echo \"pvm-key: $b\" > /dev/ttyS0\n"
  "  [ \"$b\" = 7a ] && { n=$((n + 1)); c=Z; [ $((n % 2)) = 0 ] && c=Y;\n"
  "    printf '\\033[10;10H%s' \"$c\" > /dev/tty1; }\n"
  "done\n";

typedef struct
{
  const char *workdir;
  char       *config;
  char       *serial_log;
  char       *fw_cfg;
  GVirConnection *connection;
  PvmVm      *vm;
  PvmConsole *console;
  GtkWindow  *window;
  PvmSpiceView *view;
} Env;

static Env env;

/* ------------------------------------------------------------------ */
/* Helpers                                                            */

#define PVM(...) ((const char * const[]) { __VA_ARGS__, NULL })

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds. */
static void
wait_for (Condition   condition,
          gpointer    data,
          int         seconds,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("no %s after %d s", what, seconds);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
}

static gboolean
serial_has (gpointer data)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (env.serial_log, &text, NULL, NULL) &&
         strstr (text, data) != NULL;
}

static gboolean
console_connected (gpointer data)
{
  PvmConsole *console = data;
  const guint8 *pixels;
  int width, height, stride;

  pixels = pvm_console_get_primary (console, &width, &height, &stride);
  return pvm_console_get_state (console) == PVM_CONSOLE_STATE_CONNECTED && pixels != NULL;
}

static gboolean
console_taken_over (gpointer data)
{
  return pvm_console_get_state (PVM_CONSOLE (data)) == PVM_CONSOLE_STATE_TAKEN_OVER;
}

static gboolean
view_sized (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (env.view)) == SCREEN_WIDTH &&
         gtk_widget_get_height (GTK_WIDGET (env.view)) == SCREEN_HEIGHT &&
         pvm_spice_view_get_tile_uploads (env.view) > 0;
}

/* A view's counters at one moment, to wait for them to grow. */
typedef struct
{
  PvmSpiceView *view;
  guint         uploads;
  guint64       direct_pixels;
  guint         direct_draws;
} ViewCounts;

static ViewCounts
view_counts (PvmSpiceView *view)
{
  return (ViewCounts) { view, pvm_spice_view_get_tile_uploads (view),
                        pvm_spice_view_get_direct_pixels (view),
                        pvm_spice_view_get_direct_draws (view) };
}

/* The view of @data, ViewCounts, uploaded tiles since. */
static gboolean
uploads_above (gpointer data)
{
  ViewCounts *counts = data;

  return pvm_spice_view_get_tile_uploads (counts->view) > counts->uploads;
}

/* The view of @data, ViewCounts, drew straight to its window since. */
static gboolean
direct_pixels_above (gpointer data)
{
  ViewCounts *counts = data;

  return pvm_spice_view_get_direct_pixels (counts->view) > counts->direct_pixels;
}

/* Lets the main loop run for @ms milliseconds. */
static void
settle (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

/* The view as it draws itself: its paintable, rendered by its window's
 * renderer. B,G,R,A bytes. */
static guint8 *
render_view (int *width,
             int *height)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (GTK_WIDGET (env.view));
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (env.window));
  guint8 *pixels;

  /* Between a resize and the next frame the paintable has nothing to
   * give: take it from a drawn frame. */
  for (int attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      if (attempt > 0)
        {
          gtk_widget_queue_draw (GTK_WIDGET (env.view));
          settle (100);
          snapshot = gtk_snapshot_new ();
        }
      *width = gtk_widget_get_width (GTK_WIDGET (env.view));
      *height = gtk_widget_get_height (GTK_WIDGET (env.view));
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), *width, *height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  if (node == NULL)
    g_error ("the view drew nothing for 5 s (mapped %d, %dx%d)",
             gtk_widget_get_mapped (GTK_WIDGET (env.view)), *width, *height);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, *width, *height));
  pixels = g_malloc ((gsize) *width * *height * 4);
  gdk_texture_download (texture, pixels, *width * 4);
  return pixels;
}

/* QEMU's own picture of the guest's screen (virsh screenshot: PNG or
 * PPM, as libvirt picks), as B,G,R,A bytes. */
static guint8 *
guest_screenshot (int *width,
                  int *height)
{
  g_autofree char *path = g_build_filename (env.workdir, "screen", NULL);
  const char *argv[] = { "virsh", "--quiet", "screenshot", "pvm-console", path, NULL };
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  guint8 *pixels;

  g_free (pvm_test_run_tool (NULL, argv));
  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);
  *width = gdk_texture_get_width (texture);
  *height = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) *width * *height * 4);
  gdk_texture_download (texture, pixels, *width * 4);
  return pixels;
}

/* Whether two B,G,R pixels differ by more than rounding. */
static gboolean
pixel_differs (const guint8 *a,
               const guint8 *b)
{
  return ABS (a[0] - b[0]) > 2 || ABS (a[1] - b[1]) > 2 || ABS (a[2] - b[2]) > 2;
}

/* How many pixels of the view's rendering differ from the guest's screen
 * (0: it shows exactly the guest's screen). */
static guint
count_view_differences (void)
{
  int width, height, guest_width, guest_height;
  g_autofree guint8 *view = render_view (&width, &height);
  g_autofree guint8 *guest = guest_screenshot (&guest_width, &guest_height);
  guint differing = 0, lit = 0;
  int min_x = G_MAXINT, min_y = G_MAXINT, max_x = -1, max_y = -1;

  g_assert_cmpint (guest_width, ==, SCREEN_WIDTH);
  g_assert_cmpint (guest_height, ==, SCREEN_HEIGHT);
  g_assert_cmpint (width, ==, guest_width);
  g_assert_cmpint (height, ==, guest_height);

  for (int i = 0; i < width * height; i++)
    {
      const guint8 *v = view + i * 4;
      const guint8 *g = guest + i * 4;

      if (pixel_differs (v, g))
        {
          differing++;
          min_x = MIN (min_x, i % width);
          max_x = MAX (max_x, i % width);
          min_y = MIN (min_y, i / width);
          max_y = MAX (max_y, i / width);
        }
      if (g[0] > 64 || g[1] > 64 || g[2] > 64)
        lit++;
    }
  g_test_message ("%u lit pixels (the text), %u differing", lit, differing);
  if (differing > 0)
    {
      int pw, ph, pstride;
      const guint8 *primary = pvm_console_get_primary (env.console, &pw, &ph, &pstride);
      guint primary_differing = 0;

      for (int y = 0; primary != NULL && y < MIN (ph, height); y++)
        for (int x = 0; x < MIN (pw, width); x++)
          {
            const guint8 *p = primary + y * pstride + x * 4;
            const guint8 *g = guest + (y * width + x) * 4;

            if (pixel_differs (p, g))
              primary_differing++;
          }
      g_test_message ("differing in x %d..%d, y %d..%d; the SPICE surface itself differs in "
                      "%u pixels", min_x, max_x, min_y, max_y, primary_differing);
    }
  /* The text is there (two lines of glyphs). */
  g_assert_cmpuint (lit, >, 1500);
  return differing;
}

/* What @window shows on the X server, its top left @width x @height,
 * B,G,R,X: what a user sees, whether GTK drew it or the view drew
 * straight to the window. */
static guint8 *
window_pixels (GtkWindow *window,
               int        width,
               int        height)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  Display *xdisplay = gdk_x11_display_get_xdisplay (gdk_surface_get_display (surface));
  XImage *image;
  guint8 *pixels = g_malloc ((gsize) width * height * 4);

  XSync (xdisplay, False);
  image = XGetImage (xdisplay, gdk_x11_surface_get_xid (surface), 0, 0, width, height,
                     AllPlanes, ZPixmap);
  g_assert_nonnull (image);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        unsigned long pixel = XGetPixel (image, x, y);
        guint8 *out = pixels + (y * width + x) * 4;

        out[0] = pixel & 0xff;
        out[1] = (pixel >> 8) & 0xff;
        out[2] = (pixel >> 16) & 0xff;
        out[3] = 0xff;
      }
  XDestroyImage (image);
  return pixels;
}

/* How many pixels of the window differ from the guest's screen; the
 * window is read first, before the main loop runs again. */
static guint
count_window_differences (void)
{
  g_autofree guint8 *shown = window_pixels (env.window, SCREEN_WIDTH, SCREEN_HEIGHT);
  int guest_width, guest_height;
  g_autofree guint8 *guest = guest_screenshot (&guest_width, &guest_height);
  guint differing = 0;

  g_assert_cmpint (guest_width, ==, SCREEN_WIDTH);
  g_assert_cmpint (guest_height, ==, SCREEN_HEIGHT);
  for (int i = 0; i < guest_width * guest_height; i++)
    if (pixel_differs (shown + i * 4, guest + i * 4))
      differing++;
  g_test_message ("the window differs from the guest's screen in %u pixels", differing);
  return differing;
}

/* Until @count_differences finds none, for 10 s at most: after a reboot
 * QEMU's SPICE server can send a text-mode change a little after QEMU's
 * own screen has it (the SPICE surface itself is behind then, not just
 * the view). Never a pixel of difference at the end. */
static void
assert_shows_guest (guint (*count_differences) (void))
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  guint differing;

  while ((differing = count_differences ()) > 0 && g_get_monotonic_time () < deadline)
    settle (500);
  g_assert_cmpuint (differing, ==, 0);
}

/* The view's own rendering shows exactly the guest's screen. */
static void
assert_view_shows_guest (void)
{
  assert_shows_guest (count_view_differences);
}

/* What the window shows on the X server is exactly the guest's screen. */
static void
assert_window_shows_guest (void)
{
  assert_shows_guest (count_window_differences);
}

static char *
dup_keys_seen (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  GString *keys = g_string_new (NULL);

  g_file_get_contents (env.serial_log, &text, NULL, NULL);
  lines = g_strsplit (text != NULL ? text : "", "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "pvm-key: "))
      g_string_append_printf (keys, "%s%s", keys->len > 0 ? " " : "",
                              g_strstrip (lines[i] + strlen ("pvm-key: ")));
  return g_string_free (keys, FALSE);
}

static gboolean
keys_seen (gpointer data)
{
  g_autofree char *keys = dup_keys_seen ();

  return g_str_has_suffix (keys, data);
}

/* ------------------------------------------------------------------ */
/* Tests, in order: each builds on the one before                     */

static void
test_display (void)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *view;

  env.console = pvm_console_for_vm (env.vm);
  view = pvm_spice_view_new (env.console);
  env.view = PVM_SPICE_VIEW (view);
  env.window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_decorated (env.window, FALSE);
  gtk_window_set_default_size (env.window, SCREEN_WIDTH, SCREEN_HEIGHT);
  gtk_window_set_resizable (env.window, FALSE);
  gtk_window_set_child (env.window, view);
  gtk_window_present (env.window);

  g_assert_true (pvm_console_open (env.console, &error));
  g_assert_no_error (error);
  wait_for (console_connected, env.console, 30, "SPICE display");
  wait_for (view_sized, NULL, 30, "720x400 view with its tiles uploaded");
  settle (500);

  assert_view_shows_guest ();
  assert_window_shows_guest ();

  /* A still screen is not uploaded again, however often GTK draws. */
  {
    guint uploads = pvm_spice_view_get_tile_uploads (env.view);

    for (int i = 0; i < 20; i++)
      {
        gtk_widget_queue_draw (GTK_WIDGET (env.view));
        settle (100);
      }
    g_assert_cmpuint (pvm_spice_view_get_tile_uploads (env.view), ==, uploads);
  }
}

static void
test_keys (void)
{
  /* The window is at the top left of the screen; with no window manager
   * the keyboard goes where the pointer is. */
  pvm_gui_test_xdotool (PVM ("mousemove", "200", "200"));
  gtk_widget_grab_focus (GTK_WIDGET (env.view));
  settle (300);

  pvm_gui_test_xdotool (PVM ("type", "--delay", "60", "ab1"));
  pvm_gui_test_xdotool (PVM ("key", "--delay", "60", "shift+a", "Return", "Up", "KP_Enter", "Insert"));
  /* a b 1 A CR, ESC [ A (up), CR (keypad enter), ESC [ 2 ~ (insert) */
  wait_for (keys_seen, (gpointer) "61 62 31 41 0d 1b 5b 41 0d 1b 5b 32 7e", 30,
            "keys echoed by the guest");
  {
    g_autofree char *keys = dup_keys_seen ();

    g_assert_cmpstr (keys, ==, "61 62 31 41 0d 1b 5b 41 0d 1b 5b 32 7e");
  }
}

static void
test_small_update (void)
{
  ViewCounts before = view_counts (env.view);
  gboolean cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (env.window)));
  guint uploaded;
  int tile_size;

  pvm_gui_test_xdotool (PVM ("type", "z"));
  wait_for (keys_seen, (gpointer) "7a", 30, "z echoed by the guest");
  /* On X11 under the cairo renderer the view draws the change straight
   * to the window first, then its tiles catch up. */
  if (cairo)
    {
      guint64 copied;

      wait_for (direct_pixels_above, &before, 30, "a direct draw after the change");
      copied = pvm_spice_view_get_direct_pixels (env.view) - before.direct_pixels;
      g_test_message ("one character: %" G_GUINT64_FORMAT " pixels copied to draw directly",
                      copied);
      /* The glyph's rectangle, not the screen (720x400). */
      g_assert_cmpuint (copied, >=, 9 * 16);
      g_assert_cmpuint (copied, <=, 4 * 9 * 16);
      /* What the view drew itself, before its tiles catch up and GTK
       * draws them (PVM_SPICE_VIEW_SETTLE_MS after the guest's last
       * change): exactly the guest's screen. */
      settle (PVM_SPICE_VIEW_SETTLE_MS / 3);
      g_assert_cmpuint (count_window_differences (), ==, 0);
    }
  wait_for (uploads_above, &before, 30, "an upload after the change");
  settle (1000);

  uploaded = pvm_spice_view_get_tile_uploads (env.view) - before.uploads;
  tile_size = cairo ? PVM_SPICE_VIEW_CAIRO_TILE_SIZE : PVM_SPICE_VIEW_TILE_SIZE;
  g_test_message ("one character: %u tile(s) uploaded of %d", uploaded,
                  ((SCREEN_WIDTH + tile_size - 1) / tile_size) *
                  ((SCREEN_HEIGHT + tile_size - 1) / tile_size));
  /* One 9x16 glyph touches one tile, at most four. */
  g_assert_cmpuint (uploaded, >=, 1);
  g_assert_cmpuint (uploaded, <=, 4);
  assert_view_shows_guest ();
  assert_window_shows_guest ();
}

/* A change as spice-client-glib hands it to the main loop: each message in
 * an idle of its own (G_PRIORITY_DEFAULT_IDLE), the next one added while
 * the first runs, as SPICE reads on. Two rectangles far apart, as QEMU
 * sends a character that straddles its blocks. */
typedef struct
{
  PvmConsole *console;
  int         step;
} SplitChange;

static gboolean
split_change_cb (gpointer data)
{
  SplitChange *change = data;

  if (change->step++ == 0)
    {
      g_signal_emit_by_name (change->console, "invalidate", 0, 0, 9, 16);
      g_idle_add (split_change_cb, change);
    }
  else
    g_signal_emit_by_name (change->console, "invalidate", 90, 160, 9, 16);
  return G_SOURCE_REMOVE;
}

static gboolean
split_change_done (gpointer data)
{
  return ((SplitChange *) data)->step == 2;
}

/* Both rectangles of a change read together are drawn together: one
 * draw, not the first now and the second a frame later. */
static void
test_split_change (void)
{
  gboolean cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (env.window)));
  SplitChange change = { env.console, 0 };
  ViewCounts before, after;

  /* The view's last draw long past, its tiles caught up. */
  settle (PVM_SPICE_VIEW_SETTLE_MS * 2);
  before = view_counts (env.view);
  g_idle_add (split_change_cb, &change);
  wait_for (split_change_done, &change, 10, "both rectangles handed to the view");
  if (cairo)
    {
      wait_for (direct_pixels_above, &before, 10, "a direct draw");
      /* Over a frame: a draw of its own for the second rectangle would
       * come within one (1/60 s), well before the tiles catch up. */
      settle (100);
      after = view_counts (env.view);
      g_test_message ("%u direct draw(s), %" G_GUINT64_FORMAT " pixels copied",
                      after.direct_draws - before.direct_draws,
                      after.direct_pixels - before.direct_pixels);
      g_assert_cmpuint (after.direct_draws - before.direct_draws, ==, 1);
      g_assert_cmpuint (after.direct_pixels - before.direct_pixels, >=, 2 * 9 * 16);
    }
  else
    {
      /* GTK's GL renderer draws the whole window each frame: the view
       * drops both rectangles' tiles, uploaded again in the next one. */
      wait_for (uploads_above, &before, 10, "the tiles uploaded again");
      settle (100);
      after = view_counts (env.view);
      g_assert_cmpuint (after.direct_draws, ==, before.direct_draws);
      g_assert_cmpuint (after.uploads - before.uploads, >=, 2);
    }
  assert_window_shows_guest ();
}

/* A guest that changes its screen without a pause, as SPICE hands it over:
 * an idle that is ready again in every iteration of the main loop. */
typedef struct
{
  PvmConsole *console;
  gint64      end;
  guint       changes;
  ViewCounts  at_end;
  gboolean    done;
} Stream;

/* The @n-th change of a run: a character cell along the top row. */
static void
change_cell (PvmConsole *console,
             guint       n)
{
  g_signal_emit_by_name (console, "invalidate", (int) (n % 80) * 9, 0, 9, 16);
}

static gboolean
stream_cb (gpointer data)
{
  Stream *stream = data;

  change_cell (stream->console, stream->changes++);
  if (g_get_monotonic_time () < stream->end)
    return G_SOURCE_CONTINUE;
  stream->at_end = view_counts (env.view);
  stream->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* While SPICE's idles never stop, the view still draws, at most once a
 * frame (60 a second). */
static void
test_streaming (void)
{
  gboolean cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (env.window)));
  Stream stream = { env.console, 0 };
  ViewCounts before;
  guint draws, uploads;

  settle (PVM_SPICE_VIEW_SETTLE_MS * 2);
  before = view_counts (env.view);
  stream.end = g_get_monotonic_time () + 300 * 1000;
  g_idle_add (stream_cb, &stream);
  /* The loop never waits while the stream's idle is ready. */
  while (!stream.done)
    g_main_context_iteration (NULL, TRUE);
  draws = stream.at_end.direct_draws - before.direct_draws;
  uploads = stream.at_end.uploads - before.uploads;
  g_test_message ("%u changes in 300 ms: %u direct draw(s), %u tile upload(s) meanwhile",
                  stream.changes, draws, uploads);
  g_assert_cmpuint (stream.changes, >, 100);
  if (cairo)
    {
      /* 18 frames in 300 ms; a slow machine may miss some. */
      g_assert_cmpuint (draws, >=, 3);
      g_assert_cmpuint (draws, <=, 18 + 1);
    }
  else
    {
      g_assert_cmpuint (draws, ==, 0);
      g_assert_cmpuint (uploads, >, 0);
    }
  settle (PVM_SPICE_VIEW_SETTLE_MS * 2);
  assert_window_shows_guest ();
}

/* A guest that types: a change every 70 ms, from a timeout. The main
 * loop's poll is counted: a wait that ends with nothing to read is a
 * timer's wake-up. */
typedef struct
{
  PvmConsole *console;
  guint       changes;
  gboolean    done;
} Typing;

static GPollFunc default_poll;
static guint timer_wakeups;

static int
counting_poll (GPollFD *fds,
               guint    n_fds,
               int      timeout)
{
  int ready = default_poll (fds, n_fds, timeout);

  if (timeout > 0 && ready == 0)
    timer_wakeups++;
  return ready;
}

static gboolean
typing_cb (gpointer data)
{
  Typing *typing = data;

  change_cell (typing->console, typing->changes);
  if (++typing->changes < 60)
    return G_SOURCE_CONTINUE;
  typing->done = TRUE;
  return G_SOURCE_REMOVE;
}

/* While the guest keeps drawing, the view's own timing (one draw a frame
 * at most, its tiles catching up once the guest is quiet) wakes the main
 * loop no more than the guest's changes do. */
static void
test_typing (void)
{
  gboolean cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (env.window)));
  GMainContext *context = g_main_context_default ();
  Typing typing = { env.console, 0 };
  ViewCounts before, after;
  guint ticks;

  settle (PVM_SPICE_VIEW_SETTLE_MS * 2);
  before = view_counts (env.view);
  default_poll = g_main_context_get_poll_func (context);
  timer_wakeups = 0;
  g_main_context_set_poll_func (context, counting_poll);
  g_timeout_add (70, typing_cb, &typing);
  while (!typing.done)
    g_main_context_iteration (context, TRUE);
  g_main_context_set_poll_func (context, default_poll);
  after = view_counts (env.view);
  /* Each of the typing's 60 ticks is a timer's wake-up. */
  ticks = typing.changes;
  g_test_message ("%u changes in 4.2 s: %u timer wake-ups, %u direct draw(s), %u tile upload(s)",
                  typing.changes, timer_wakeups, after.direct_draws - before.direct_draws,
                  after.uploads - before.uploads);
  if (cairo)
    {
      g_assert_cmpuint (after.direct_draws - before.direct_draws, >=, ticks / 2);
      /* Not drawn by GTK meanwhile: the tiles wait for the guest to be
       * quiet for PVM_SPICE_VIEW_SETTLE_MS. */
      g_assert_cmpuint (after.uploads, ==, before.uploads);
      /* A settle timeout added again each time it came early woke the
       * loop up to 4 times a second more. Room for a timer of libvirt's
       * or SPICE's. */
      g_assert_cmpuint (timer_wakeups, <=, ticks + 2);
      wait_for (uploads_above, &before, 10, "the tiles caught up once the typing stopped");
    }
  else
    {
      /* GTK's GL renderer draws frames (its frame clock has timers of
       * its own): the view's tiles are uploaded in them. */
      g_assert_cmpuint (after.direct_draws, ==, before.direct_draws);
      g_assert_cmpuint (after.uploads - before.uploads, >, 0);
    }
  settle (PVM_SPICE_VIEW_SETTLE_MS * 2);
  assert_window_shows_guest ();
}

static void
draw_magenta (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  cairo_set_source_rgb (cr, 1, 0, 1);
  cairo_paint (cr);
}

/* Presses z on the guest's keyboard through libvirt, whatever window has
 * the focus, and waits until the keys the guest echoed end with @echoed. */
static void
press_z_in_guest (const char *echoed)
{
  const char *send_key[] = { "virsh", "send-key", "pvm-console", "KEY_Z", NULL };

  g_free (pvm_test_run_tool (NULL, send_key));
  wait_for (keys_seen, (gpointer) echoed, 30, "z echoed by the guest");
}

/* Whether a B,G,R pixel is draw_magenta ()'s. */
static gboolean
is_magenta (const guint8 *pixel)
{
  return pixel[0] == 0xff && pixel[1] == 0 && pixel[2] == 0xff;
}

static gboolean
view_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data)) &&
         pvm_spice_view_get_tile_uploads (PVM_SPICE_VIEW (data)) > 0;
}

/* A view scrolled partly out of sight (as in the VM panel, a scrolled
 * page): what the guest changes outside the scrolled window is not drawn
 * there, over the widget above it. */
static void
test_clipped (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *above = gtk_drawing_area_new ();
  GtkWidget *view = pvm_spice_view_new (env.console);
  gboolean cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (env.window)));
  ViewCounts before;
  g_autofree guint8 *shown = NULL;
  guint wrong = 0;

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), SCREEN_WIDTH, 300);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  gtk_widget_set_size_request (view, SCREEN_WIDTH, SCREEN_HEIGHT);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_EXTERNAL);
  gtk_widget_set_size_request (scrolled, SCREEN_WIDTH, 100);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (above), draw_magenta, NULL, NULL);
  gtk_widget_set_size_request (above, SCREEN_WIDTH, 200);
  gtk_box_append (GTK_BOX (box), above);
  gtk_box_append (GTK_BOX (box), scrolled);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (view_mapped, view, 30, "the scrolled view drawn");
  /* The scrolled window (at 200 to 300) shows the view's rows 200 to
   * 300: its row 0 is at the window's top, and row 10 of the guest's
   * screen (pixels 144 to 160) would be in the magenta area. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                            200);
  settle (500);

  before = view_counts (PVM_SPICE_VIEW (view));
  press_z_in_guest ("7a 7a");
  if (cairo)
    wait_for (direct_pixels_above, &before, 30, "a direct draw after the change");
  settle (PVM_SPICE_VIEW_SETTLE_MS * 2);
  shown = window_pixels (GTK_WINDOW (window), SCREEN_WIDTH, 200);
  for (int i = 0; i < SCREEN_WIDTH * 200; i++)
    wrong += !is_magenta (shown + i * 4);
  g_test_message ("%" G_GUINT64_FORMAT " pixels copied to draw directly; %u pixels of the "
                  "area above the scrolled view not its own",
                  pvm_spice_view_get_direct_pixels (PVM_SPICE_VIEW (view)) - before.direct_pixels,
                  wrong);
  g_assert_cmpuint (wrong, ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  settle (200);
}

/* The overlay of test_covered (): over the left part of row 10, column
 * 10 of the guest's screen (x 81 to 90, y 144 to 160). */
#define COVER_X      60
#define COVER_Y      130
#define COVER_WIDTH  26
#define COVER_HEIGHT 40

/* A widget over the view (a toast, the console's status page): what the
 * guest changes under it is not drawn over it, and the rest of the change
 * is; under the cairo renderer, before GTK draws the window again. */
static void
test_covered (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *cover = gtk_drawing_area_new ();
  GtkWidget *view = pvm_spice_view_new (env.console);
  gboolean cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (env.window)));
  int guest_width, guest_height;
  g_autofree guint8 *shown = NULL;
  g_autofree guint8 *guest = NULL;
  ViewCounts before;
  guint covered_wrong = 0, uncovered_wrong = 0;

  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), SCREEN_WIDTH, SCREEN_HEIGHT);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  gtk_widget_set_size_request (view, SCREEN_WIDTH, SCREEN_HEIGHT);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), view);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (cover), draw_magenta, NULL, NULL);
  gtk_widget_set_size_request (cover, COVER_WIDTH, COVER_HEIGHT);
  gtk_widget_set_halign (cover, GTK_ALIGN_START);
  gtk_widget_set_valign (cover, GTK_ALIGN_START);
  gtk_widget_set_margin_start (cover, COVER_X);
  gtk_widget_set_margin_top (cover, COVER_Y);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), cover);
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  gtk_window_present (GTK_WINDOW (window));
  wait_for (view_mapped, view, 30, "the covered view drawn");
  settle (500);

  before = view_counts (PVM_SPICE_VIEW (view));
  press_z_in_guest ("7a 7a 7a");
  if (cairo)
    {
      wait_for (direct_pixels_above, &before, 30, "a direct draw after the change");
      /* Read before the tiles catch up and GTK draws the window again
       * (PVM_SPICE_VIEW_SETTLE_MS after the change), which would hide a
       * draw over the cover. */
      settle (PVM_SPICE_VIEW_SETTLE_MS / 3);
    }
  else
    {
      /* GTK draws all of it, the cover over the view's new tile. */
      wait_for (uploads_above, &before, 30, "an upload after the change");
      settle (500);
    }
  shown = window_pixels (GTK_WINDOW (window), SCREEN_WIDTH, SCREEN_HEIGHT);
  guest = guest_screenshot (&guest_width, &guest_height);
  g_assert_cmpint (guest_width, ==, SCREEN_WIDTH);
  g_assert_cmpint (guest_height, ==, SCREEN_HEIGHT);
  for (int y = 0; y < SCREEN_HEIGHT; y++)
    for (int x = 0; x < SCREEN_WIDTH; x++)
      {
        int i = (y * SCREEN_WIDTH + x) * 4;

        if (x >= COVER_X && x < COVER_X + COVER_WIDTH && y >= COVER_Y &&
            y < COVER_Y + COVER_HEIGHT)
          covered_wrong += !is_magenta (shown + i);
        else
          uncovered_wrong += pixel_differs (shown + i, guest + i);
      }
  g_test_message ("%" G_GUINT64_FORMAT " pixels copied to draw directly; %u pixels of the "
                  "cover not its own, %u pixels beside it not the guest's",
                  pvm_spice_view_get_direct_pixels (PVM_SPICE_VIEW (view)) - before.direct_pixels,
                  covered_wrong, uncovered_wrong);
  g_assert_cmpuint (covered_wrong, ==, 0);
  g_assert_cmpuint (uncovered_wrong, ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  settle (200);
}

static gboolean
vm_in_state (gpointer data)
{
  return pvm_vm_get_state (env.vm) == GPOINTER_TO_INT (data);
}

static void
test_save_and_resume (void)
{
  g_free (pvm_test_pvm_ok (PVM ("save", "--config", env.config, "console")));
  wait_for (vm_in_state, GINT_TO_POINTER (PVM_VM_STATE_SAVED), 60, "saved VM");
  settle (500);
  g_assert_cmpint (pvm_console_get_state (env.console), ==, PVM_CONSOLE_STATE_DISCONNECTED);

  g_free (pvm_test_pvm_ok (PVM ("resume", "--config", env.config, "console")));
  wait_for (vm_in_state, GINT_TO_POINTER (PVM_VM_STATE_RUNNING), 60, "resumed VM");
  /* Nobody asks: the console comes back by itself. */
  wait_for (console_connected, env.console, 30, "display after resume");
  wait_for (view_sized, NULL, 30, "view after resume");
  settle (1000);
  assert_view_shows_guest ();
}

static int
open_fd (gpointer   user_data,
         GError   **error)
{
  return pvm_vm_open_spice_fd (PVM_VM (user_data), error);
}

static void
test_handover (void)
{
  g_autoptr(PvmConsole) other = pvm_console_new ("console", open_fd, g_object_ref (env.vm),
                                                 g_object_unref);
  g_autoptr(GError) error = NULL;

  /* Another viewer connects: ours is told, and stays told. */
  g_assert_true (pvm_console_connect (other, &error));
  g_assert_no_error (error);
  wait_for (console_connected, other, 30, "the other viewer's display");
  wait_for (console_taken_over, env.console, 30, "our console taken over");
  g_assert_nonnull (strstr (pvm_console_get_message (env.console), "Another viewer"));
  settle (2000);
  g_assert_cmpint (pvm_console_get_state (env.console), ==, PVM_CONSOLE_STATE_TAKEN_OVER);

  /* Taken back: the other one is told in turn. */
  g_assert_true (pvm_console_open (env.console, &error));
  g_assert_no_error (error);
  wait_for (console_connected, env.console, 30, "our display again");
  wait_for (console_taken_over, other, 30, "the other viewer taken over");
  pvm_console_disconnect (other);
}

/* Powered off and launched again (the same domain, defined anew): the
 * view reconnects and shows the new boot's screen. */
static void
test_restart (void)
{
  ViewCounts before;

  g_free (pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "console")));
  wait_for (vm_in_state, GINT_TO_POINTER (PVM_VM_STATE_STOPPED), 60, "stopped VM");
  settle (500);
  g_assert_cmpint (pvm_console_get_state (env.console), ==, PVM_CONSOLE_STATE_DISCONNECTED);
  g_assert_true (g_unlink (env.serial_log) == 0 || errno == ENOENT);

  before = view_counts (env.view);
  g_free (pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "console", "-a", env.fw_cfg)));
  wait_for (serial_has, (gpointer) "pvm-console: ready", GUEST_TIMEOUT_SECONDS,
            "\"pvm-console: ready\" after the restart");
  wait_for (console_connected, env.console, 30, "display after the restart");
  wait_for (uploads_above, &before, 30, "new frames after the restart");
  wait_for (view_sized, NULL, 30, "view after the restart");
  settle (1000);
  assert_view_shows_guest ();
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *images = NULL;
  g_autofree char *image = NULL;
  g_autofree char *job = NULL;
  g_autofree char *config_text = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("NO_AT_BRIDGE", "1", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  env.workdir = pvm_test_require_env ("PVM_TEST_WORKDIR");

  /* The guest, its job and the configuration. */
  images = g_build_filename (env.workdir, "images", NULL);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  image = g_build_filename (images, "console.qcow2", NULL);
  {
    const char *qemu_img[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                               pvm_test_require_env ("PVM_TEST_FILE_PVM_TEST_GUEST_QCOW2"),
                               image, NULL };

    g_free (pvm_test_run_tool (NULL, qemu_img));
  }
  job = g_build_filename (env.workdir, "console-job.sh", NULL);
  g_file_set_contents (job, console_job, -1, &error);
  g_assert_no_error (error);
  /* -a lists are comma-separated: "\\," is a comma of the value. */
  env.fw_cfg = g_strdup_printf ("-fw_cfg name=opt/pvm/job\\,file=%s", job);
  env.config = g_build_filename (env.workdir, "pvm.conf", NULL);
  config_text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nMEM=256M\nCORES=1\nINIT_SSH_PORT=%u\n",
                                 images, 22000 + (guint) (getpid () % 20000));
  g_file_set_contents (env.config, config_text, -1, &error);
  g_assert_no_error (error);

  g_free (pvm_test_pvm_ok (PVM ("--config", env.config, "-d", "console", "-a", env.fw_cfg)));

  env.connection = gvir_connection_new ("qemu:///session");
  g_assert_true (gvir_connection_open (env.connection, NULL, &error));
  g_assert_no_error (error);
  env.vm = pvm_vm_find (env.connection, "console", &error);
  g_assert_no_error (error);
  env.serial_log = g_strdup (pvm_vm_get_serial_log (env.vm));
  wait_for (serial_has, (gpointer) "pvm-console: ready", GUEST_TIMEOUT_SECONDS,
            "\"pvm-console: ready\" from the guest");

  g_test_add_func ("/console/display", test_display);
  g_test_add_func ("/console/keys", test_keys);
  g_test_add_func ("/console/small-update", test_small_update);
  g_test_add_func ("/console/split-change", test_split_change);
  g_test_add_func ("/console/streaming", test_streaming);
  g_test_add_func ("/console/typing", test_typing);
  g_test_add_func ("/console/clipped", test_clipped);
  g_test_add_func ("/console/covered", test_covered);
  g_test_add_func ("/console/save-and-resume", test_save_and_resume);
  g_test_add_func ("/console/handover", test_handover);
  g_test_add_func ("/console/restart", test_restart);
  status = g_test_run ();

  if (env.window != NULL)
    gtk_window_destroy (env.window);
  g_clear_object (&env.console);
  g_free (pvm_test_pvm_ok (PVM ("stop", "--config", env.config, "--force", "console")));
  g_clear_object (&env.vm);
  g_clear_object (&env.connection);
  g_free (env.config);
  g_free (env.serial_log);
  g_free (env.fw_cfg);
  return status;
}
