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
 * appears. Seen in pVM when two jobs ended at the same moment.
 *
 * So pVM gives an overlay a toast only when the overlay shows none and
 * hides none (it then shows in 300 ms), and dismisses it only once a frame
 * has passed the end of its showing. Toasts wait here in turn meanwhile;
 * one of high priority goes before the waiting ones of normal priority,
 * but does not push the shown one aside. (A toast's own timeout is a
 * second at least; a user closing it within its first 300 ms still could.)
 */

#include "config.h"

#include "pvm-toasts.h"

/* How often to look whether the last toast has finished hiding. */
#define IDLE_CHECK_MS 100
/* How long libadwaita 1.2 takes to show a toast on an idle overlay. */
#define SHOW_USEC (300 * G_TIME_SPAN_MILLISECOND)

#define TOASTS_KEY "pvm-toasts"
#define OVERLAY_KEY "pvm-toasts-overlay"

typedef struct
{
  AdwToastOverlay *overlay;  /* owns this, as its data */
  GQueue           waiting;  /* of AdwToast, owned */
  AdwToast        *shown;    /* owned: given to the overlay, not dismissed yet */
  gint64           shown_at; /* the frame time its showing started at */
  guint            tick_id;  /* waiting for the end of its showing, to dismiss it */
  guint            dismiss_id;
  guint            next_id;  /* the next look at the overlay */
  gboolean         destroyed;
} Toasts;

static void
stop_waiting_to_dismiss (Toasts *toasts)
{
  if (toasts->tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (toasts->overlay), toasts->tick_id);
  toasts->tick_id = 0;
  g_clear_handle_id (&toasts->dismiss_id, g_source_remove);
}

static void
forget_shown (Toasts *toasts)
{
  if (toasts->shown == NULL)
    return;
  stop_waiting_to_dismiss (toasts);
  g_signal_handlers_disconnect_by_data (toasts->shown, toasts);
  g_clear_object (&toasts->shown);
}

static void
toasts_free (Toasts *toasts)
{
  g_clear_handle_id (&toasts->next_id, g_source_remove);
  g_clear_handle_id (&toasts->dismiss_id, g_source_remove);
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
  forget_shown (toasts);
  /* Its hiding starts now: the next toast waits for its end. (Never the
   * next one right here: the overlay may be going away.) */
  if (!g_queue_is_empty (&toasts->waiting))
    look_again_later (toasts);
}

static void
show_next (Toasts *toasts)
{
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
  toasts->shown_at = gdk_frame_clock_get_frame_time (gtk_widget_get_frame_clock (GTK_WIDGET (toasts->overlay)));
  g_signal_connect (toast, "dismissed", G_CALLBACK (shown_dismissed_cb), toasts);
  adw_toast_overlay_add_toast (toasts->overlay, g_object_ref (toast));
}

static gboolean
dismiss_cb (gpointer data)
{
  Toasts *toasts = data;

  toasts->dismiss_id = 0;
  if (toasts->shown != NULL)
    adw_toast_dismiss (toasts->shown);
  return G_SOURCE_REMOVE;
}

/* Once a frame has passed the end of the shown toast's showing, its
 * animation's own callback has run in that frame: dismissed after it. */
static gboolean
dismiss_tick_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       data)
{
  Toasts *toasts = data;

  if (gdk_frame_clock_get_frame_time (clock) < toasts->shown_at + SHOW_USEC)
    return G_SOURCE_CONTINUE;
  toasts->tick_id = 0;
  toasts->dismiss_id = g_idle_add (dismiss_cb, toasts);
  return G_SOURCE_REMOVE;
}

static void
overlay_destroy_cb (AdwToastOverlay *overlay,
                    Toasts          *toasts)
{
  toasts->destroyed = TRUE;
  stop_waiting_to_dismiss (toasts);
  g_clear_handle_id (&toasts->next_id, g_source_remove);
  g_queue_clear_full (&toasts->waiting, g_object_unref);
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
      GtkWidget *widget = GTK_WIDGET (overlay);

      /* Unmapped, the overlay ended its animations at once. */
      if (!gtk_widget_get_mapped (widget) || toasts->destroyed)
        {
          stop_waiting_to_dismiss (toasts);
          adw_toast_dismiss (toast);
        }
      else if (toasts->tick_id == 0 && toasts->dismiss_id == 0)
        {
          toasts->tick_id = gtk_widget_add_tick_callback (widget, dismiss_tick_cb, toasts, NULL);
        }
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
