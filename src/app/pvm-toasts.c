/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-toasts.c: toasts shown one at a time on an AdwToastOverlay.
 *
 * libadwaita 1.2 (Debian 12's) frees a toast's bookkeeping when the toast
 * has finished hiding, while the animation that showed it may still be
 * running; when that animation ends (its last frame, or the overlay being
 * unmapped) its handler writes into the freed memory, and the app crashes
 * (fixed in libadwaita 1.3, "toast-overlay: Prevent show_done from firing
 * after hide_done"). It happens when a toast starts hiding before it has
 * finished showing, and its hiding ends first, or in the same frame (the
 * frame clock then runs the hiding's callback first): a toast of high
 * priority pushing the shown one aside, a toast shown as another hides
 * (its showing then lasts 500 ms, its hiding 300), a toast dismissed as it
 * appears, or a toast's timeout running out while the main loop was held
 * up for longer than it, before the frame that would have ended its
 * showing. Seen in pVM when two jobs ended at the same moment, and in its
 * tests, which wait for pvm with the main loop held.
 *
 * So pVM gives an overlay a toast only when the overlay shows none and
 * hides none (it then shows in 300 ms), and dismisses it, at its timeout
 * or when asked to, only once a frame has passed the end of its showing:
 * the toast's timeout runs here, from that frame on (libadwaita's is
 * turned off; it would pause while the pointer is over the toast). Toasts
 * wait here in turn meanwhile; one of high priority goes before the
 * waiting ones of normal priority, but does not push the shown one aside.
 * (A user who closes a toast within its first 300 ms still could.)
 */

#define G_LOG_DOMAIN "pvm-toasts"

#include "config.h"

#include "pvm-toasts.h"

/* How often to look whether the last toast has finished hiding. */
#define IDLE_CHECK_MS 100
/* How long libadwaita 1.2 takes to show a toast on an idle overlay, and
 * a millisecond more (its animation counts whole milliseconds). */
#define SHOW_USEC (301 * G_TIME_SPAN_MILLISECOND)

#define TOASTS_KEY "pvm-toasts"
#define OVERLAY_KEY "pvm-toasts-overlay"

typedef struct
{
  AdwToastOverlay *overlay;   /* owns this, as its data */
  GQueue           waiting;   /* of AdwToast, owned */
  AdwToast        *shown;     /* owned: given to the overlay, not dismissed yet */
  guint            timeout;   /* its timeout, in seconds (0: none) */
  gint64           shown_at;  /* the frame time its showing started at */
  gint64           given_at;  /* the monotonic time it was given to the overlay */
  gboolean         show_over; /* its showing has ended */
  gboolean         dismiss_wanted;
  guint            tick_id;   /* waiting for a frame past the end of its showing */
  guint            over_id;   /* ... and for the end of that frame */
  guint            timer_id;  /* its timeout */
  guint            next_id;   /* the next look at the overlay */
  gboolean         destroyed;
} Toasts;

static void
stop_waiting_for_show_end (Toasts *toasts)
{
  if (toasts->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (toasts->overlay), toasts->tick_id);
  toasts->tick_id = 0;
  g_clear_handle_id (&toasts->over_id, g_source_remove);
}

static void
forget_shown (Toasts *toasts)
{
  if (toasts->shown == NULL)
    return;
  stop_waiting_for_show_end (toasts);
  g_clear_handle_id (&toasts->timer_id, g_source_remove);
  toasts->show_over = FALSE;
  toasts->dismiss_wanted = FALSE;
  g_signal_handlers_disconnect_by_data (toasts->shown, toasts);
  g_clear_object (&toasts->shown);
}

static void
toasts_free (Toasts *toasts)
{
  g_clear_handle_id (&toasts->next_id, g_source_remove);
  g_queue_clear_full (&toasts->waiting, g_object_unref);
  forget_shown (toasts);
  g_free (toasts);
}

/* Whether the overlay holds no toast widget, shown or hiding. */
static gboolean
overlay_is_idle (AdwToastOverlay *overlay)
{
  GtkWidget *content = adw_toast_overlay_get_child (overlay);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (overlay));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != content)
      return FALSE;
  return TRUE;
}

static void show_next (Toasts *toasts);

static gboolean
show_next_cb (gpointer data)
{
  Toasts *toasts = data;

  toasts->next_id = 0;
  show_next (toasts);
  return G_SOURCE_REMOVE;
}

static void
look_again_later (Toasts *toasts)
{
  if (toasts->next_id == 0)
    toasts->next_id = g_timeout_add (IDLE_CHECK_MS, show_next_cb, toasts);
}

static void
shown_dismissed_cb (AdwToast *toast,
                    Toasts   *toasts)
{
  if (toast != toasts->shown)
    return;
  g_debug ("Toast dismissed %" G_GINT64_FORMAT " ms after it was given to %s %p: %s",
           (g_get_monotonic_time () - toasts->given_at) / 1000,
           G_OBJECT_TYPE_NAME (toasts->overlay), toasts->overlay, adw_toast_get_title (toast));
  forget_shown (toasts);
  /* Its hiding starts now: the next toast waits for its end. (Never the
   * next one right here: the overlay may be going away.) */
  if (!g_queue_is_empty (&toasts->waiting))
    look_again_later (toasts);
}

static gboolean
timeout_cb (gpointer data)
{
  Toasts *toasts = data;

  toasts->timer_id = 0;
  adw_toast_dismiss (toasts->shown);
  return G_SOURCE_REMOVE;
}

/* The shown toast has finished appearing: it may go now. */
static void
show_ended (Toasts *toasts)
{
  toasts->show_over = TRUE;
  if (toasts->dismiss_wanted)
    adw_toast_dismiss (toasts->shown);
  else if (toasts->timeout > 0)
    toasts->timer_id = g_timeout_add (toasts->timeout * 1000, timeout_cb, toasts);
}

static gboolean
show_over_cb (gpointer data)
{
  Toasts *toasts = data;

  toasts->over_id = 0;
  show_ended (toasts);
  return G_SOURCE_REMOVE;
}

/* A frame past the end of the toast's showing: its animation ends in this
 * frame, at the latest; the toast may go once the frame is done. */
static gboolean
shown_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       data)
{
  Toasts *toasts = data;

  if (gdk_frame_clock_get_frame_time (clock) < toasts->shown_at + SHOW_USEC)
    return G_SOURCE_CONTINUE;
  toasts->tick_id = 0;
  toasts->over_id = g_idle_add (show_over_cb, toasts);
  return G_SOURCE_REMOVE;
}

static void
show_next (Toasts *toasts)
{
  GtkWidget *widget = GTK_WIDGET (toasts->overlay);
  GdkFrameClock *clock;
  AdwToast *toast;

  if (toasts->destroyed || toasts->shown != NULL || g_queue_is_empty (&toasts->waiting))
    return;
  if (!overlay_is_idle (toasts->overlay))
    {
      look_again_later (toasts);
      return;
    }

  toast = g_queue_pop_head (&toasts->waiting);
  toasts->shown = toast;
  toasts->timeout = adw_toast_get_timeout (toast);
  adw_toast_set_timeout (toast, 0);
  toasts->given_at = g_get_monotonic_time ();
  g_debug ("Toast given to %s %p (mapped: %d), %u waiting: %s", G_OBJECT_TYPE_NAME (widget),
           widget, gtk_widget_get_mapped (widget), g_queue_get_length (&toasts->waiting),
           adw_toast_get_title (toast));
  g_signal_connect (toast, "dismissed", G_CALLBACK (shown_dismissed_cb), toasts);
  adw_toast_overlay_add_toast (toasts->overlay, g_object_ref (toast));
  /* Read after its showing started: never before the animation's start. */
  clock = gtk_widget_get_frame_clock (widget);
  toasts->shown_at = clock != NULL ? gdk_frame_clock_get_frame_time (clock) : 0;

  /* Unmapped, the overlay skipped the animation (as it skips it when it
   * is unmapped later); mapped, the toast waits for the end of it. */
  if (toasts->shown != toast)
    return;
  if (!gtk_widget_get_mapped (widget) || clock == NULL)
    show_ended (toasts);
  else
    toasts->tick_id = gtk_widget_add_tick_callback (widget, shown_tick_cb, toasts, NULL);
}

static void
overlay_destroy_cb (AdwToastOverlay *overlay,
                    Toasts          *toasts)
{
  toasts->destroyed = TRUE;
  g_clear_handle_id (&toasts->next_id, g_source_remove);
  g_queue_clear_full (&toasts->waiting, g_object_unref);
  /* (The overlay's own disposal has dismissed it, as a rule.) Not left
   * for the overlay's finalization, where its tick callbacks are gone. */
  forget_shown (toasts);
}

static void
overlay_unmap_cb (AdwToastOverlay *overlay,
                  Toasts          *toasts)
{
  /* The overlay ended the shown toast's animation (and the frames stop). */
  if (toasts->shown != NULL && !toasts->show_over)
    {
      stop_waiting_for_show_end (toasts);
      show_ended (toasts);
    }
}

static Toasts *
toasts_of (AdwToastOverlay *overlay)
{
  Toasts *toasts = g_object_get_data (G_OBJECT (overlay), TOASTS_KEY);

  if (toasts == NULL)
    {
      toasts = g_new0 (Toasts, 1);
      toasts->overlay = overlay;
      g_queue_init (&toasts->waiting);
      g_object_set_data_full (G_OBJECT (overlay), TOASTS_KEY, toasts,
                              (GDestroyNotify) toasts_free);
      g_signal_connect (overlay, "destroy", G_CALLBACK (overlay_destroy_cb), toasts);
      g_signal_connect_after (overlay, "unmap", G_CALLBACK (overlay_unmap_cb), toasts);
    }
  return toasts;
}

static void
weak_ref_free (GWeakRef *ref)
{
  g_weak_ref_clear (ref);
  g_free (ref);
}

/**
 * pvm_toasts_add:
 * @overlay: where to show @toast
 * @toast: (transfer full): a toast not shown anywhere yet
 *
 * Shows @toast on @overlay now if it shows no other, else once the others
 * given before it have gone (those of normal priority after it, if @toast
 * has a high priority). Use it instead of adw_toast_overlay_add_toast(),
 * and pvm_toasts_dismiss() instead of adw_toast_dismiss().
 */
void
pvm_toasts_add (AdwToastOverlay *overlay,
                AdwToast        *toast)
{
  Toasts *toasts;
  GWeakRef *ref;

  g_return_if_fail (ADW_IS_TOAST_OVERLAY (overlay));
  g_return_if_fail (ADW_IS_TOAST (toast));

  toasts = toasts_of (overlay);
  if (toasts->destroyed)
    {
      g_object_unref (toast);
      return;
    }

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, overlay);
  g_object_set_data_full (G_OBJECT (toast), OVERLAY_KEY, ref, (GDestroyNotify) weak_ref_free);

  if (adw_toast_get_priority (toast) == ADW_TOAST_PRIORITY_HIGH)
    {
      GList *link = toasts->waiting.head;

      while (link != NULL && adw_toast_get_priority (link->data) == ADW_TOAST_PRIORITY_HIGH)
        link = link->next;
      g_queue_insert_before (&toasts->waiting, link, toast);
    }
  else
    {
      g_queue_push_tail (&toasts->waiting, toast);
    }
  show_next (toasts);
}

/**
 * pvm_toasts_dismiss:
 * @toast: a toast given to pvm_toasts_add()
 *
 * Hides @toast if it is shown (once it has finished appearing), or takes
 * it out of those waiting (it is then never shown; it emits
 * #AdwToast::dismissed all the same).
 */
void
pvm_toasts_dismiss (AdwToast *toast)
{
  GWeakRef *ref;
  g_autoptr(AdwToastOverlay) overlay = NULL;
  Toasts *toasts;
  GList *link;

  g_return_if_fail (ADW_IS_TOAST (toast));

  ref = g_object_get_data (G_OBJECT (toast), OVERLAY_KEY);
  overlay = ref != NULL ? g_weak_ref_get (ref) : NULL;
  toasts = overlay != NULL ? g_object_get_data (G_OBJECT (overlay), TOASTS_KEY) : NULL;
  if (toasts == NULL)
    return;

  if (toast == toasts->shown)
    {
      if (toasts->show_over)
        adw_toast_dismiss (toast);
      else
        toasts->dismiss_wanted = TRUE;
      return;
    }
  link = g_queue_find (&toasts->waiting, toast);
  if (link != NULL)
    {
      g_queue_delete_link (&toasts->waiting, link);
      g_signal_emit_by_name (toast, "dismissed");
      g_object_unref (toast);
    }
}
