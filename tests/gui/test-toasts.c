/* SPDX-License-Identifier: BSD-3-Clause */
/* test-toasts.c: pvm_toasts_add() and pvm_toasts_dismiss() on a real
 * AdwToastOverlay in a shown window, its animations running.
 *
 * - toasts show one at a time, in turn, high priority ones first, the
 *   next only once the last has finished hiding;
 * - a waiting toast that is dismissed is never shown, and says so;
 * - a toast's timeout runs out while the main loop is held up (as a
 *   synchronous call holds it): the toast goes once it has shown;
 * - toasts given and dismissed in quick succession, then the window
 *   closed with toasts shown and waiting: what crashed libadwaita 1.2
 *   (its showing animation outliving the toast, see src/app/pvm-toasts.c)
 *   when toasts were given to the overlay directly. meson runs the test
 *   with MALLOC_PERTURB_, so that memory used after it is freed holds
 *   garbage.
 */

#define G_LOG_DOMAIN "test-toasts"

#include "config.h"

#include <adwaita.h>

#include "pvm-toasts.h"

#include "pvm-gui-test.h"

typedef struct
{
  GtkWindow       *window;
  AdwToastOverlay *overlay;
  guint            most_toasts;  /* toast widgets at once, at most */
  guint            watch_id;
} Fixture;

/* The overlay's toast widgets, shown or hiding. */
static guint
count_toasts (AdwToastOverlay *overlay)
{
  GtkWidget *content = adw_toast_overlay_get_child (overlay);
  guint count = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (overlay)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += child != content;
  return count;
}

static gboolean
watch_cb (GtkWidget     *widget,
          GdkFrameClock *clock,
          gpointer       data)
{
  Fixture *f = data;

  f->most_toasts = MAX (f->most_toasts, count_toasts (f->overlay));
  return G_SOURCE_CONTINUE;
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->window = GTK_WINDOW (adw_window_new ());
  f->overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (f->overlay, gtk_label_new ("content"));
  adw_window_set_content (ADW_WINDOW (f->window), GTK_WIDGET (f->overlay));
  gtk_window_set_default_size (f->window, 600, 400);
  gtk_window_present (f->window);
  pvm_gui_test_wait_for (is_mapped, f->overlay, "the window shown");
  g_assert_true (adw_get_enable_animations (GTK_WIDGET (f->overlay)));
  /* Counted at every frame, as the overlay draws. */
  f->watch_id = gtk_widget_add_tick_callback (GTK_WIDGET (f->overlay), watch_cb, f, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (f->window);
  pvm_gui_test_run_for (100);
}

static AdwToast *
toast_new (const char       *title,
           AdwToastPriority  priority)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_priority (toast, priority);
  adw_toast_set_timeout (toast, 0);  /* until dismissed */
  return toast;
}

typedef struct
{
  Fixture    *f;
  const char *title;
} Shown;

/* The overlay shows the toast titled @title, and no other. */
static gboolean
shows_only (gpointer data)
{
  Shown *shown = data;

  return count_toasts (shown->f->overlay) == 1 &&
         pvm_gui_test_has_text (GTK_WIDGET (shown->f->overlay), shown->title);
}

static void
wait_for_only (Fixture    *f,
               const char *title)
{
  Shown shown = { f, title };
  g_autofree char *what = g_strdup_printf ("the toast \"%s\" alone", title);

  pvm_gui_test_wait_for (shows_only, &shown, what);
}

static void
count_dismissed (AdwToast *toast,
                 guint    *count)
{
  (*count)++;
}

static void
test_in_turn (Fixture       *f,
              gconstpointer  data)
{
  AdwToast *first = toast_new ("first", ADW_TOAST_PRIORITY_NORMAL);
  AdwToast *second = toast_new ("second", ADW_TOAST_PRIORITY_NORMAL);
  AdwToast *urgent = toast_new ("urgent", ADW_TOAST_PRIORITY_HIGH);
  AdwToast *later = toast_new ("later", ADW_TOAST_PRIORITY_NORMAL);
  guint later_dismissed = 0;

  /* Kept, to dismiss them after the overlay has taken them. */
  g_object_ref (first);
  g_object_ref (urgent);
  g_object_ref (later);
  g_signal_connect (later, "dismissed", G_CALLBACK (count_dismissed), &later_dismissed);

  pvm_toasts_add (f->overlay, first);
  pvm_toasts_add (f->overlay, second);
  pvm_toasts_add (f->overlay, urgent);
  pvm_toasts_add (f->overlay, later);
  /* The first at once, as adw_toast_overlay_add_toast() would. */
  g_assert_cmpuint (count_toasts (f->overlay), ==, 1);
  wait_for_only (f, "first");
  pvm_gui_test_run_for (500);
  wait_for_only (f, "first");

  /* The one of high priority before the other waiting ones. */
  pvm_toasts_dismiss (first);
  wait_for_only (f, "urgent");
  pvm_gui_test_screenshot (GTK_WIDGET (f->window), "toast");

  /* A waiting toast dismissed: never shown, but dismissed. */
  pvm_toasts_dismiss (later);
  g_assert_cmpuint (later_dismissed, ==, 1);

  pvm_toasts_dismiss (urgent);
  wait_for_only (f, "second");
  pvm_gui_test_run_for (1000);
  wait_for_only (f, "second");
  g_assert_false (pvm_gui_test_has_text (GTK_WIDGET (f->overlay), "later"));
  g_assert_cmpuint (later_dismissed, ==, 1);

  /* Never two toasts on the overlay, shown or hiding. */
  g_assert_cmpuint (f->most_toasts, ==, 1);

  g_object_unref (first);
  g_object_unref (urgent);
  g_object_unref (later);
}

static gboolean
has_no_toast (gpointer data)
{
  return count_toasts (data) == 0;
}

/* The main loop held up past the toast's timeout as it starts showing:
 * it stays until its showing has ended, then goes. */
static void
test_held_up (Fixture       *f,
              gconstpointer  data)
{
  for (guint i = 0; i < 3; i++)
    {
      AdwToast *toast = toast_new ("held up", ADW_TOAST_PRIORITY_NORMAL);

      adw_toast_set_timeout (toast, 1);
      pvm_toasts_add (f->overlay, toast);
      pvm_gui_test_run_for (20 * i);
      g_usleep (1500 * G_TIME_SPAN_MILLISECOND);
      pvm_gui_test_wait_for (has_no_toast, f->overlay, "the toast gone");
    }
  /* Its timeout (from the end of its showing) ends it, not before. */
  {
    AdwToast *toast = toast_new ("timed", ADW_TOAST_PRIORITY_NORMAL);
    guint dismissed = 0;

    adw_toast_set_timeout (toast, 2);
    g_signal_connect (toast, "dismissed", G_CALLBACK (count_dismissed), &dismissed);
    pvm_toasts_add (f->overlay, toast);
    pvm_gui_test_run_for (1000);
    g_assert_cmpuint (dismissed, ==, 0);
    pvm_gui_test_wait_for (has_no_toast, f->overlay, "the timed toast gone");
    g_assert_cmpuint (dismissed, ==, 1);
  }
}

/* Toasts given and dismissed in quick succession, some of high priority,
 * some dismissed as they show, some while they wait; then the window
 * closes with one shown and others waiting. */
static void
test_quick_succession (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) toasts = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < 24; i++)
    {
      g_autofree char *title = g_strdup_printf ("toast %u", i);
      AdwToast *toast = toast_new (title, i % 2 ? ADW_TOAST_PRIORITY_HIGH
                                                : ADW_TOAST_PRIORITY_NORMAL);

      g_ptr_array_add (toasts, g_object_ref (toast));
      pvm_toasts_add (f->overlay, toast);
      pvm_gui_test_run_for (20 + 40 * (i % 4));
      if (i % 3 != 2)
        pvm_toasts_dismiss (toast);
      if (i >= 2 && i % 5 == 0)
        pvm_toasts_dismiss (g_ptr_array_index (toasts, i - 2));
    }
  pvm_gui_test_run_for (800);
  g_assert_cmpuint (f->most_toasts, ==, 1);
  g_assert_cmpuint (count_toasts (f->overlay), ==, 1);

  /* Closed with toasts on it and waiting: the overlay unmapped ends the
   * animations at once. */
  for (guint i = 0; i < 3; i++)
    pvm_toasts_add (f->overlay, toast_new ("at the end", ADW_TOAST_PRIORITY_HIGH));
  pvm_gui_test_run_for (50);
  gtk_window_destroy (f->window);
  f->window = NULL;
  pvm_gui_test_run_for (800);

  /* Dismissing the toasts of an overlay that is gone does nothing. */
  for (guint i = 0; i < toasts->len; i++)
    pvm_toasts_dismiss (g_ptr_array_index (toasts, i));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/toasts/in-turn", Fixture, NULL, fixture_set_up, test_in_turn,
              fixture_tear_down);
  g_test_add ("/toasts/held-up", Fixture, NULL, fixture_set_up, test_held_up,
              fixture_tear_down);
  g_test_add ("/toasts/quick-succession", Fixture, NULL, fixture_set_up,
              test_quick_succession, fixture_tear_down);
  return g_test_run ();
}
