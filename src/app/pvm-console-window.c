/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-console-window.c: a VM's console. A SPICE server serves one client
 * at a time, so this process makes one PvmConsole per VM and every view
 * shares it: the panel's and the console window's show the same session,
 * and `pvm console NAME` reaches the running app (GApplication) instead of
 * opening a second connection. When another viewer (virt-viewer, another
 * user's pVM) takes the console, the views say so and offer to take it
 * back. The session follows the VM: it reconnects when the VM runs again
 * after a save, a stop or a restart. */

#define G_LOG_DOMAIN "pvm-console-window"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-console-window.h"
#include "pvm-toasts.h"

struct _PvmConsoleWindow
{
  AdwWindow        parent_instance;

  PvmVm           *vm;
  PvmConsole      *console;
  PvmSpiceView    *view;
  GtkWidget       *status;
  AdwWindowTitle  *title;
  AdwToastOverlay *toasts;
  GtkToggleButton *grab_button;
};

G_DEFINE_FINAL_TYPE (PvmConsoleWindow, pvm_console_window, ADW_TYPE_WINDOW)

/* ------------------------------------------------------------------ */
/* One console per VM                                                 */

static GHashTable *consoles;   /* "URI#domain" -> PvmConsole, weak */

/* The VM a console opens its channels on: another one after a move. */
typedef struct
{
  PvmVm    *vm;
  gboolean  preparing;       /* a remote console's SSH forward starts */
  GError   *prepare_error;   /* why it did not, for the next open_fd() */
} ConsoleVm;

static void
console_vm_free (ConsoleVm *console_vm)
{
  g_clear_object (&console_vm->vm);
  g_clear_error (&console_vm->prepare_error);
  g_free (console_vm);
}

static int
open_fd (gpointer   user_data,
         GError   **error)
{
  ConsoleVm *console_vm = user_data;

  if (console_vm->prepare_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&console_vm->prepare_error));
      return -1;
    }
  return pvm_vm_open_spice_fd (console_vm->vm, error);
}

static gboolean
console_is_preparing (PvmConsole *console)
{
  ConsoleVm *console_vm = g_object_get_data (G_OBJECT (console), "pvm-console-vm");

  return console_vm != NULL && console_vm->preparing;
}

static void
prepared_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PvmConsole) console = user_data;
  ConsoleVm *console_vm = g_object_get_data (G_OBJECT (console), "pvm-console-vm");

  console_vm->preparing = FALSE;
  g_clear_error (&console_vm->prepare_error);
  /* A failure goes through open_fd() into the console's own state. */
  pvm_vm_prepare_console_finish (PVM_VM (object), result, &console_vm->prepare_error);
  if (pvm_console_get_state (console) == PVM_CONSOLE_STATE_DISCONNECTED)
    pvm_console_connect (console, NULL);
  g_clear_error (&console_vm->prepare_error);
  /* (The status pages follow the console's state.) */
  g_object_notify (G_OBJECT (console), "state");
}

/* Connects @console. The console of another host's VM waits for SSH
 * first: in a thread, never in the GUI's. */
static gboolean
begin_connect (PvmConsole  *console,
               GError     **error)
{
  ConsoleVm *console_vm = g_object_get_data (G_OBJECT (console), "pvm-console-vm");

  if (console_vm == NULL || pvm_hosts_uri_is_local (pvm_vm_get_uri (console_vm->vm)))
    return pvm_console_connect (console, error);
  if (!console_vm->preparing)
    {
      console_vm->preparing = TRUE;
      pvm_vm_prepare_console_async (console_vm->vm, NULL, prepared_cb, g_object_ref (console));
      g_object_notify (G_OBJECT (console), "state");
    }
  return TRUE;
}

static char *
console_key (PvmVm *vm)
{
  return g_strconcat (pvm_vm_get_uri (vm), "#", pvm_vm_get_domain_name (vm), NULL);
}

static gboolean
vm_runs (PvmVm *vm)
{
  return pvm_vm_get_state (vm) == PVM_VM_STATE_RUNNING ||
         pvm_vm_get_state (vm) == PVM_VM_STATE_PAUSED;
}

/* The VM ran again (resumed, relaunched): a console that was shown
 * reconnects by itself; one that another viewer took waits to be asked. */
static gboolean
reconnect_cb (gpointer user_data)
{
  g_autoptr(PvmConsole) console = user_data;
  PvmVm *vm = g_object_get_data (G_OBJECT (console), "pvm-vm");

  if (vm != NULL && vm_runs (vm) &&
      pvm_console_get_state (console) == PVM_CONSOLE_STATE_DISCONNECTED)
    begin_connect (console, NULL);
  return G_SOURCE_REMOVE;
}

static void
console_vm_state_cb (PvmVm      *vm,
                     GParamSpec *pspec,
                     PvmConsole *console)
{
  gboolean running = vm_runs (vm);

  pvm_console_set_vm_running (console, running);
  if (!running)
    pvm_console_disconnect (console);
  else if (g_object_get_data (G_OBJECT (console), "pvm-wanted") != NULL)
    /* QEMU's SPICE server takes a moment after the start event. */
    g_timeout_add (500, reconnect_cb, g_object_ref (console));
}

static gboolean
is_console (gpointer key,
            gpointer value,
            gpointer console)
{
  return value == console;
}

static void
console_gone (gpointer  data,
              GObject  *where_the_object_was)
{
  g_hash_table_foreach_remove (consoles, is_console, where_the_object_was);
}

/**
 * pvm_console_for_vm:
 * @vm: a VM
 *
 * Returns: (transfer full): the console of @vm that this process shares
 */
PvmConsole *
pvm_console_for_vm (PvmVm *vm)
{
  PvmConsole *console;
  ConsoleVm *console_vm;
  char *key;

  g_return_val_if_fail (PVM_IS_VM (vm), NULL);

  if (consoles == NULL)
    consoles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  key = console_key (vm);
  console = g_hash_table_lookup (consoles, key);
  if (console != NULL)
    {
      g_free (key);
      return g_object_ref (console);
    }

  console_vm = g_new0 (ConsoleVm, 1);
  console_vm->vm = g_object_ref (vm);
  console = pvm_console_new (pvm_vm_get_name (vm), open_fd, console_vm,
                             (GDestroyNotify) console_vm_free);
  g_object_set_data (G_OBJECT (console), "pvm-console-vm", console_vm);
  g_object_set_data_full (G_OBJECT (console), "pvm-vm", g_object_ref (vm), g_object_unref);
  pvm_console_set_vm_running (console, vm_runs (vm));
  g_signal_connect_object (vm, "notify::state", G_CALLBACK (console_vm_state_cb), console, 0);
  g_hash_table_insert (consoles, key, console);
  g_object_weak_ref (G_OBJECT (console), console_gone, NULL);
  return console;
}

/**
 * pvm_console_open:
 * @console: a console from pvm_console_for_vm()
 * @error: return location for a #GError
 *
 * Connects @console, taking it back from another viewer if need be, and
 * keeps it connected: it reconnects when the VM runs again after a save
 * or a restart.
 *
 * Returns: %TRUE if the session is being opened
 */
gboolean
pvm_console_open (PvmConsole  *console,
                  GError     **error)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (console), FALSE);

  g_object_set_data (G_OBJECT (console), "pvm-wanted", GINT_TO_POINTER (TRUE));
  if (pvm_console_get_state (console) == PVM_CONSOLE_STATE_TAKEN_OVER)
    pvm_console_disconnect (console);
  return begin_connect (console, error);
}

/* ------------------------------------------------------------------ */
/* A view with its status                                             */

typedef struct
{
  PvmConsole    *console;
  PvmVm         *vm;
  GtkWidget     *view;
  AdwStatusPage *status;
  GtkButton     *button;
} StatusBox;

static void
status_box_free (StatusBox *box)
{
  g_object_unref (box->console);
  g_object_unref (box->vm);
  g_free (box);
}

static void
update_status (StatusBox *box)
{
  PvmConsoleState state = pvm_console_get_state (box->console);
  const char *message = pvm_console_get_message (box->console);

  /* Waiting for SSH to another host is connecting too. */
  if (state == PVM_CONSOLE_STATE_DISCONNECTED && console_is_preparing (box->console))
    state = PVM_CONSOLE_STATE_CONNECTING;

  gtk_widget_set_visible (GTK_WIDGET (box->status), state != PVM_CONSOLE_STATE_CONNECTED);
  gtk_widget_set_visible (GTK_WIDGET (box->button), vm_runs (box->vm) &&
                                                    state != PVM_CONSOLE_STATE_CONNECTING);
  if (!vm_runs (box->vm))
    {
      adw_status_page_set_title (box->status, _("The VM Is Not Running"));
      adw_status_page_set_description (box->status,
                                       _("The console comes back when the VM runs again."));
    }
  else if (state == PVM_CONSOLE_STATE_TAKEN_OVER)
    {
      adw_status_page_set_title (box->status, _("Console Open Elsewhere"));
      adw_status_page_set_description (box->status,
                                       _("Another viewer took over this console. A VM's "
                                         "console shows in one viewer at a time."));
      gtk_button_set_label (box->button, _("_Take Back"));
    }
  else if (state == PVM_CONSOLE_STATE_CONNECTING)
    {
      adw_status_page_set_title (box->status, _("Connecting…"));
      adw_status_page_set_description (box->status, NULL);
    }
  else
    {
      adw_status_page_set_title (box->status, _("Console Not Connected"));
      adw_status_page_set_description (box->status, message);
      gtk_button_set_label (box->button, _("_Connect"));
    }
}

static void
status_console_state_cb (GObject    *object,
                         GParamSpec *pspec,
                         GtkWidget  *overlay)
{
  update_status (g_object_get_data (G_OBJECT (overlay), "pvm-status-box"));
}

/* The status of @overlay (pvm_console_status_new()) follows @vm now. */
static void
status_set_vm (GtkWidget *overlay,
               PvmVm     *vm)
{
  StatusBox *box = g_object_get_data (G_OBJECT (overlay), "pvm-status-box");

  g_signal_handlers_disconnect_by_func (box->vm, status_console_state_cb, overlay);
  g_set_object (&box->vm, vm);
  g_signal_connect_object (vm, "notify::state", G_CALLBACK (status_console_state_cb), overlay, 0);
  update_status (box);
}

static void
connect_clicked_cb (GtkButton *button,
                    StatusBox *box)
{
  g_autoptr(GError) error = NULL;

  /* A failure shows in the status page, with libvirt's message. */
  if (!pvm_console_open (box->console, &error))
    g_debug ("%s", error->message);
  else
    gtk_widget_grab_focus (box->view);
}

static void
status_map_cb (GtkWidget *widget,
               StatusBox *box)
{
  /* Shown: connect, unless another viewer has the console. */
  if (vm_runs (box->vm) && pvm_console_get_state (box->console) == PVM_CONSOLE_STATE_DISCONNECTED)
    connect_clicked_cb (NULL, box);
  update_status (box);
}

/**
 * pvm_console_status_new:
 * @console: a VM's console
 * @vm: the VM
 *
 * The console's view with what to say and do when it shows nothing: the
 * VM is not running, another viewer has it, the connection was lost. It
 * connects when it is first shown. The #PvmSpiceView is the object data
 * "view" of the returned widget.
 *
 * Returns: (transfer floating): the widget
 */
GtkWidget *
pvm_console_status_new (PvmConsole *console,
                        PvmVm      *vm)
{
  GtkWidget *overlay = gtk_overlay_new ();
  StatusBox *box = g_new0 (StatusBox, 1);

  box->console = g_object_ref (console);
  box->vm = g_object_ref (vm);
  box->view = pvm_spice_view_new (console);
  gtk_widget_set_hexpand (box->view, TRUE);
  gtk_widget_set_vexpand (box->view, TRUE);
  gtk_overlay_set_child (GTK_OVERLAY (overlay), box->view);

  box->status = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (box->status, "computer-symbolic");
  box->button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Connect")));
  gtk_widget_set_halign (GTK_WIDGET (box->button), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (box->button), "pill");
  gtk_widget_add_css_class (GTK_WIDGET (box->button), "suggested-action");
  adw_status_page_set_child (box->status, GTK_WIDGET (box->button));
  gtk_widget_add_css_class (GTK_WIDGET (box->status), "osd");
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), GTK_WIDGET (box->status));

  g_signal_connect (box->button, "clicked", G_CALLBACK (connect_clicked_cb), box);
  g_object_set_data (G_OBJECT (overlay), "view", box->view);
  g_object_set_data_full (G_OBJECT (overlay), "pvm-status-box", box,
                          (GDestroyNotify) status_box_free);
  g_signal_connect_object (console, "notify::state", G_CALLBACK (status_console_state_cb),
                           overlay, 0);
  g_signal_connect_object (vm, "notify::state", G_CALLBACK (status_console_state_cb), overlay, 0);
  g_signal_connect (overlay, "map", G_CALLBACK (status_map_cb), box);
  update_status (box);
  return overlay;
}

/* ------------------------------------------------------------------ */
/* The window                                                         */

static void
toast (PvmConsoleWindow *self,
       const char       *text)
{
  pvm_toasts_add (self->toasts, adw_toast_new (text));
}

static void
ctrl_alt_del_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PvmConsoleWindow *self = PVM_CONSOLE_WINDOW (widget);

  pvm_console_send_ctrl_alt_del (self->console);
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

/* The screenshot goes to the user's Pictures folder, named after the VM
 * and the time. */
static void
screenshot_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PvmConsoleWindow *self = PVM_CONSOLE_WINDOW (widget);
  g_autoptr(GdkTexture) texture = pvm_spice_view_dup_screenshot (self->view);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  const char *dir = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);

  if (texture == NULL)
    {
      toast (self, _("There is no display to take a screenshot of"));
      return;
    }
  if (dir == NULL)
    dir = g_get_home_dir ();
  /* Translators: a file name: the VM's name and the date and time */
  name = g_strdup_printf (_("%s %s.png"), pvm_vm_get_name (self->vm), stamp);
  path = g_build_filename (dir, name, NULL);
  if (gdk_texture_save_to_png (texture, path))
    message = g_strdup_printf (_("Screenshot saved as %s"), path);
  else
    message = g_strdup_printf (_("Cannot save the screenshot as %s"), path);
  toast (self, message);
}

static void
grab_toggled_cb (GtkToggleButton  *button,
                 PvmConsoleWindow *self)
{
  pvm_spice_view_set_grabbed (self->view, gtk_toggle_button_get_active (button));
}

static void
grabbed_cb (PvmSpiceView     *view,
            GParamSpec       *pspec,
            PvmConsoleWindow *self)
{
  gboolean grabbed = pvm_spice_view_get_grabbed (view);

  gtk_toggle_button_set_active (self->grab_button, grabbed);
  adw_window_title_set_subtitle (self->title, grabbed ? _("Press Ctrl+Alt to release the "
                                                          "keyboard")
                                                      : pvm_vm_state_to_string (
                                                          pvm_vm_get_state (self->vm)));
}

static void
window_vm_state_cb (PvmVm            *vm,
                    GParamSpec       *pspec,
                    PvmConsoleWindow *self)
{
  grabbed_cb (self->view, NULL, self);
}

static GtkWidget *
header_button (const char *icon,
               const char *tooltip,
               const char *action)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  return button;
}

static void
pvm_console_window_dispose (GObject *object)
{
  PvmConsoleWindow *self = PVM_CONSOLE_WINDOW (object);

  g_clear_object (&self->console);
  g_clear_object (&self->vm);

  G_OBJECT_CLASS (pvm_console_window_parent_class)->dispose (object);
}

static void
pvm_console_window_class_init (PvmConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_console_window_dispose;

  gtk_widget_class_install_action (widget_class, "console.ctrl-alt-del", NULL,
                                   ctrl_alt_del_action);
  gtk_widget_class_install_action (widget_class, "console.screenshot", NULL, screenshot_action);
  gtk_widget_class_install_action (widget_class, "console.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "console.fullscreen", NULL);
}

static void
pvm_console_window_init (PvmConsoleWindow *self)
{
}

/**
 * pvm_console_window_present:
 * @application: the application
 * @vm: a VM
 *
 * Shows the console window of @vm, making it if there is none.
 *
 * Returns: (transfer none): the window
 */
PvmConsoleWindow *
pvm_console_window_present (GtkApplication *application,
                            PvmVm          *vm)
{
  PvmConsoleWindow *self;
  GtkWidget *box, *header, *status;
  g_autofree char *title = NULL;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (PVM_IS_VM (vm), NULL);

  for (GList *l = gtk_application_get_windows (application); l != NULL; l = l->next)
    if (PVM_IS_CONSOLE_WINDOW (l->data) &&
        g_str_equal (pvm_vm_get_domain_name (PVM_CONSOLE_WINDOW (l->data)->vm),
                     pvm_vm_get_domain_name (vm)))
      {
        gtk_window_present (l->data);
        return l->data;
      }

  self = g_object_new (PVM_TYPE_CONSOLE_WINDOW, "application", application,
                       "default-width", 1024, "default-height", 700, NULL);
  self->vm = g_object_ref (vm);
  self->console = pvm_console_for_vm (vm);
  /* Translators: the console window's title: the VM's name */
  title = g_strdup_printf (_("%s — Console"), pvm_vm_get_name (vm));
  gtk_window_set_title (GTK_WINDOW (self), title);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  self->title = ADW_WINDOW_TITLE (adw_window_title_new (pvm_vm_get_name (vm), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header),
                             header_button ("input-keyboard-symbolic", _("Send Ctrl+Alt+Del"),
                                            "console.ctrl-alt-del"));
  self->grab_button = GTK_TOGGLE_BUTTON (gtk_toggle_button_new ());
  gtk_button_set_icon_name (GTK_BUTTON (self->grab_button), "input-mouse-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->grab_button),
                               _("Keep the Keyboard and Mouse (Ctrl+Alt)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grab_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Keep the Keyboard and Mouse (Ctrl+Alt)"), -1);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->grab_button));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header),
                           header_button ("view-fullscreen-symbolic", _("Fullscreen (F11)"),
                                          "console.fullscreen"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header),
                           header_button ("camera-photo-symbolic", _("Take a Screenshot"),
                                          "console.screenshot"));
  gtk_box_append (GTK_BOX (box), header);

  status = pvm_console_status_new (self->console, vm);
  self->status = status;
  self->view = PVM_SPICE_VIEW (g_object_get_data (G_OBJECT (status), "view"));
  self->toasts = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toasts, status);
  gtk_widget_set_vexpand (GTK_WIDGET (self->toasts), TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->toasts));
  adw_window_set_content (ADW_WINDOW (self), box);

  g_signal_connect (self->grab_button, "toggled", G_CALLBACK (grab_toggled_cb), self);
  g_signal_connect_object (self->view, "notify::grabbed", G_CALLBACK (grabbed_cb), self, 0);
  g_signal_connect_object (vm, "notify::state", G_CALLBACK (window_vm_state_cb), self, 0);
  grabbed_cb (self->view, NULL, self);

  gtk_window_present (GTK_WINDOW (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->view));
  return self;
}

/**
 * pvm_console_window_get_view:
 * @self: a #PvmConsoleWindow
 *
 * Returns: (transfer none): the window's view
 */
PvmSpiceView *
pvm_console_window_get_view (PvmConsoleWindow *self)
{
  g_return_val_if_fail (PVM_IS_CONSOLE_WINDOW (self), NULL);

  return self->view;
}

/**
 * pvm_console_follow_move:
 * @application: (nullable): the application, whose console window of the
 *   VM follows it
 * @from: a VM that moved to another host (pvm_vm_migrate_async())
 * @to: the same VM where it runs now
 *
 * The console of @from becomes @to's: the views that show it stay, and a
 * session that was open connects again, to the VM on its new host (QEMU
 * there has a SPICE server of its own).
 */
void
pvm_console_follow_move (GtkApplication *application,
                         PvmVm          *from,
                         PvmVm          *to)
{
  g_autofree char *from_key = NULL;
  PvmConsole *console = NULL;

  g_return_if_fail (application == NULL || GTK_IS_APPLICATION (application));
  g_return_if_fail (PVM_IS_VM (from));
  g_return_if_fail (PVM_IS_VM (to));

  from_key = console_key (from);
  if (consoles != NULL)
    console = g_hash_table_lookup (consoles, from_key);
  if (console != NULL)
    {
      ConsoleVm *console_vm = g_object_get_data (G_OBJECT (console), "pvm-console-vm");

      g_hash_table_remove (consoles, from_key);
      g_signal_handlers_disconnect_by_func (from, console_vm_state_cb, console);
      g_set_object (&console_vm->vm, to);
      g_object_set_data_full (G_OBJECT (console), "pvm-vm", g_object_ref (to), g_object_unref);
      g_signal_connect_object (to, "notify::state", G_CALLBACK (console_vm_state_cb), console, 0);
      g_hash_table_replace (consoles, console_key (to), console);

      /* The source's QEMU is gone, and its session with it (which the
       * console may have taken for another viewer taking over: it was
       * not). */
      pvm_console_disconnect (console);
      pvm_console_set_vm_running (console, vm_runs (to));
      if (vm_runs (to) && g_object_get_data (G_OBJECT (console), "pvm-wanted") != NULL)
        begin_connect (console, NULL);
    }

  for (GList *l = application != NULL ? gtk_application_get_windows (application) : NULL;
       l != NULL; l = l->next)
    {
      PvmConsoleWindow *self = l->data;

      if (!PVM_IS_CONSOLE_WINDOW (self) || self->vm != from)
        continue;
      g_signal_handlers_disconnect_by_func (from, window_vm_state_cb, self);
      g_set_object (&self->vm, to);
      g_signal_connect_object (to, "notify::state", G_CALLBACK (window_vm_state_cb), self, 0);
      status_set_vm (self->status, to);
      grabbed_cb (self->view, NULL, self);
    }
}

/**
 * pvm_console_window_get_vm:
 * @self: a #PvmConsoleWindow
 *
 * Returns: (transfer none): the VM the window shows
 */
PvmVm *
pvm_console_window_get_vm (PvmConsoleWindow *self)
{
  g_return_val_if_fail (PVM_IS_CONSOLE_WINDOW (self), NULL);

  return self->vm;
}
