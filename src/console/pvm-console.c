/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-console"

#include "config.h"

#include <string.h>

#include <spice-client.h>
#include <spice/vd_agent.h>

#include "pvm-console.h"
#include "pvm-keymap.h"

struct _PvmConsole
{
  GObject               parent_instance;

  char                 *name;
  PvmConsoleOpenFdFunc  open_fd;
  gpointer              open_fd_data;
  GDestroyNotify        open_fd_destroy;

  SpiceSession         *session;
  SpiceMainChannel     *main;
  SpiceDisplayChannel  *display;
  SpiceInputsChannel   *inputs;
  SpiceCursorChannel   *cursor;

  PvmConsoleState       state;
  char                 *message;
  gboolean              vm_running;

  /* The primary surface: owned by the display channel. */
  const guint8         *primary;
  int                   width;
  int                   height;
  int                   stride;

  /* The cursor shape, a copy. */
  guint8               *cursor_pixels;
  int                   cursor_width;
  int                   cursor_height;
  int                   cursor_hot_x;
  int                   cursor_hot_y;
  gboolean              cursor_visible;

  /* Input state. */
  GHashTable           *pressed;        /* scancodes held down */
  int                   button_state;
  int                   last_x;
  int                   last_y;

  char                 *host_clipboard;
};

G_DEFINE_FINAL_TYPE (PvmConsole, pvm_console, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (PvmConsoleState, pvm_console_state,
                    G_DEFINE_ENUM_VALUE (PVM_CONSOLE_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (PVM_CONSOLE_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (PVM_CONSOLE_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (PVM_CONSOLE_STATE_TAKEN_OVER, "taken-over"))

enum
{
  PROP_0,
  PROP_STATE,
  PROP_AGENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PRIMARY_CHANGED,
  SIGNAL_INVALIDATE,
  SIGNAL_CURSOR_CHANGED,
  SIGNAL_GUEST_CLIPBOARD,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
set_state (PvmConsole      *self,
           PvmConsoleState  state,
           const char      *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ------------------------------------------------------------------ */
/* Channels                                                           */

static void
channel_open_fd_cb (SpiceChannel *channel,
                    int           with_tls,
                    gpointer      user_data)
{
  PvmConsole *self = user_data;
  g_autoptr(GError) error = NULL;
  int fd = self->open_fd (self->open_fd_data, &error);

  if (fd < 0)
    {
      /* The VM went away while the session opened: the main channel's
       * end says so. */
      g_debug ("%s: %s", self->name, error->message);
      return;
    }
  spice_channel_open_fd (channel, fd);
}

static void
primary_create_cb (SpiceChannel *channel,
                   int           format,
                   int           width,
                   int           height,
                   int           stride,
                   int           shmid,
                   gpointer      imgdata,
                   gpointer      user_data)
{
  PvmConsole *self = user_data;

  if (format != SPICE_SURFACE_FMT_32_xRGB && format != SPICE_SURFACE_FMT_32_ARGB)
    {
      g_warning ("%s: unsupported surface format %d", self->name, format);
      return;
    }
  self->primary = imgdata;
  self->width = width;
  self->height = height;
  self->stride = stride;
  set_state (self, PVM_CONSOLE_STATE_CONNECTED, NULL);
  g_signal_emit (self, signals[SIGNAL_PRIMARY_CHANGED], 0);
}

static void
primary_destroy_cb (SpiceChannel *channel,
                    gpointer      user_data)
{
  PvmConsole *self = user_data;

  self->primary = NULL;
  self->width = self->height = self->stride = 0;
  g_signal_emit (self, signals[SIGNAL_PRIMARY_CHANGED], 0);
}

/* "invalidate" comes for every rectangle the guest draws, so it has
 * marshallers of its own: GLib's generic one goes through libffi and
 * GValues each time. */
typedef void (*InvalidateFunc) (gpointer instance,
                                int      x,
                                int      y,
                                int      width,
                                int      height,
                                gpointer user_data);

static void
invalidate_marshal (GClosure     *closure,
                    GValue       *return_value,
                    guint         n_param_values,
                    const GValue *param_values,
                    gpointer      invocation_hint,
                    gpointer      marshal_data)
{
  gpointer instance = g_value_peek_pointer (&param_values[0]);
  InvalidateFunc callback = (InvalidateFunc) (marshal_data != NULL ? marshal_data
                                              : ((GCClosure *) closure)->callback);

  g_return_if_fail (n_param_values == 5);
  if (G_CCLOSURE_SWAP_DATA (closure))
    callback (closure->data, g_value_get_int (&param_values[1]), g_value_get_int (&param_values[2]),
              g_value_get_int (&param_values[3]), g_value_get_int (&param_values[4]), instance);
  else
    callback (instance, g_value_get_int (&param_values[1]), g_value_get_int (&param_values[2]),
              g_value_get_int (&param_values[3]), g_value_get_int (&param_values[4]),
              closure->data);
}

static void
invalidate_marshal_va (GClosure *closure,
                       GValue   *return_value,
                       gpointer  instance,
                       va_list   args,
                       gpointer  marshal_data,
                       int       n_params,
                       GType    *param_types)
{
  InvalidateFunc callback = (InvalidateFunc) (marshal_data != NULL ? marshal_data
                                              : ((GCClosure *) closure)->callback);
  va_list copy;
  int x, y, width, height;

  va_copy (copy, args);
  x = va_arg (copy, int);
  y = va_arg (copy, int);
  width = va_arg (copy, int);
  height = va_arg (copy, int);
  va_end (copy);
  if (G_CCLOSURE_SWAP_DATA (closure))
    callback (closure->data, x, y, width, height, instance);
  else
    callback (instance, x, y, width, height, closure->data);
}

static void
invalidate_cb (SpiceChannel *channel,
               int           x,
               int           y,
               int           width,
               int           height,
               gpointer      user_data)
{
  PvmConsole *self = user_data;

  g_signal_emit (self, signals[SIGNAL_INVALIDATE], 0, x, y, width, height);
}

static void
cursor_set_cb (SpiceChannel *channel,
               int           width,
               int           height,
               int           hot_x,
               int           hot_y,
               gpointer      rgba,
               gpointer      user_data)
{
  PvmConsole *self = user_data;

  g_clear_pointer (&self->cursor_pixels, g_free);
  if (rgba != NULL && width > 0 && height > 0)
    {
      self->cursor_pixels = g_memdup2 (rgba, (gsize) width * height * 4);
      self->cursor_width = width;
      self->cursor_height = height;
      self->cursor_hot_x = hot_x;
      self->cursor_hot_y = hot_y;
    }
  self->cursor_visible = TRUE;
  g_signal_emit (self, signals[SIGNAL_CURSOR_CHANGED], 0);
}

static void
cursor_hide_cb (SpiceChannel *channel,
                gpointer      user_data)
{
  PvmConsole *self = user_data;

  self->cursor_visible = FALSE;
  g_signal_emit (self, signals[SIGNAL_CURSOR_CHANGED], 0);
}

static void
cursor_reset_cb (SpiceChannel *channel,
                 gpointer      user_data)
{
  PvmConsole *self = user_data;

  g_clear_pointer (&self->cursor_pixels, g_free);
  self->cursor_visible = TRUE;
  g_signal_emit (self, signals[SIGNAL_CURSOR_CHANGED], 0);
}

/* The main channel closing is the end of the session. If the VM still
 * runs, another client took it over: the SPICE server serves one. */
static void
main_channel_event_cb (SpiceChannel      *channel,
                       SpiceChannelEvent  event,
                       gpointer           user_data)
{
  PvmConsole *self = user_data;

  switch (event)
    {
    case SPICE_CHANNEL_OPENED:
      spice_main_channel_request_mouse_mode (self->main, SPICE_MOUSE_MODE_CLIENT);
      break;
    case SPICE_CHANNEL_CLOSED:
    case SPICE_CHANNEL_ERROR_CONNECT:
    case SPICE_CHANNEL_ERROR_TLS:
    case SPICE_CHANNEL_ERROR_LINK:
    case SPICE_CHANNEL_ERROR_AUTH:
    case SPICE_CHANNEL_ERROR_IO:
      pvm_console_disconnect (self);
      if (self->vm_running && event == SPICE_CHANNEL_CLOSED)
        set_state (self, PVM_CONSOLE_STATE_TAKEN_OVER,
                   "Another viewer took over this console");
      else if (self->vm_running)
        set_state (self, PVM_CONSOLE_STATE_DISCONNECTED, "The console connection was lost");
      else
        set_state (self, PVM_CONSOLE_STATE_DISCONNECTED, "The VM is not running");
      break;
    case SPICE_CHANNEL_NONE:
    case SPICE_CHANNEL_SWITCHING:
    default:
      break;
    }
}

/* Tells the guest's agent whether the host has text to paste: the guest
 * asks for it when it pastes (clipboard_request_cb ()). */
static void
offer_host_clipboard (PvmConsole *self)
{
  guint32 types[] = { VD_AGENT_CLIPBOARD_UTF8_TEXT };

  if (!pvm_console_has_agent (self))
    return;
  if (self->host_clipboard != NULL)
    spice_main_channel_clipboard_selection_grab (self->main,
                                                 VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD, types,
                                                 G_N_ELEMENTS (types));
  else
    spice_main_channel_clipboard_selection_release (self->main,
                                                    VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD);
}

static void
agent_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  PvmConsole *self = user_data;

  /* What the host copied before the agent started is offered now. */
  if (self->host_clipboard != NULL)
    offer_host_clipboard (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AGENT]);
}

/* Guest to host: the guest's agent announces text, pVM asks for it. */
static gboolean
clipboard_grab_cb (SpiceMainChannel *main,
                   guint             selection,
                   gpointer          types,
                   guint             ntypes,
                   gpointer          user_data)
{
  const guint32 *type_list = types;

  if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD)
    return TRUE;
  for (guint i = 0; i < ntypes; i++)
    if (type_list[i] == VD_AGENT_CLIPBOARD_UTF8_TEXT)
      {
        spice_main_channel_clipboard_selection_request (main, selection,
                                                        VD_AGENT_CLIPBOARD_UTF8_TEXT);
        break;
      }
  return TRUE;
}

static void
clipboard_selection_cb (SpiceMainChannel *main,
                        guint             selection,
                        guint             type,
                        gpointer          data,
                        guint             size,
                        gpointer          user_data)
{
  PvmConsole *self = user_data;
  g_autofree char *text = NULL;

  if (selection != VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD ||
      type != VD_AGENT_CLIPBOARD_UTF8_TEXT)
    return;
  text = g_strndup (data, size);
  if (g_utf8_validate (text, -1, NULL))
    g_signal_emit (self, signals[SIGNAL_GUEST_CLIPBOARD], 0, text);
}

/* Host to guest: the guest asks for the text pVM announced. */
static gboolean
clipboard_request_cb (SpiceMainChannel *main,
                      guint             selection,
                      guint             type,
                      gpointer          user_data)
{
  PvmConsole *self = user_data;

  if (self->host_clipboard == NULL || type != VD_AGENT_CLIPBOARD_UTF8_TEXT)
    return FALSE;
  spice_main_channel_clipboard_selection_notify (main, selection, type,
                                                 (const guchar *) self->host_clipboard,
                                                 strlen (self->host_clipboard));
  return TRUE;
}

static void
channel_new_cb (SpiceSession *session,
                SpiceChannel *channel,
                gpointer      user_data)
{
  PvmConsole *self = user_data;
  gboolean wanted = TRUE;

  if (SPICE_IS_MAIN_CHANNEL (channel))
    {
      self->main = SPICE_MAIN_CHANNEL (channel);
      g_signal_connect_object (channel, "channel-event", G_CALLBACK (main_channel_event_cb),
                               self, 0);
      g_signal_connect_object (channel, "notify::agent-connected", G_CALLBACK (agent_notify_cb),
                               self, 0);
      g_signal_connect_object (channel, "main-clipboard-selection-grab",
                               G_CALLBACK (clipboard_grab_cb), self, 0);
      g_signal_connect_object (channel, "main-clipboard-selection",
                               G_CALLBACK (clipboard_selection_cb), self, 0);
      g_signal_connect_object (channel, "main-clipboard-selection-request",
                               G_CALLBACK (clipboard_request_cb), self, 0);
    }
  else if (SPICE_IS_DISPLAY_CHANNEL (channel))
    {
      int id;

      g_object_get (channel, "channel-id", &id, NULL);
      /* One display: the first. */
      wanted = id == 0 && self->display == NULL;
      if (wanted)
        {
          self->display = SPICE_DISPLAY_CHANNEL (channel);
          g_signal_connect_object (channel, "display-primary-create",
                                   G_CALLBACK (primary_create_cb), self, 0);
          g_signal_connect_object (channel, "display-primary-destroy",
                                   G_CALLBACK (primary_destroy_cb), self, 0);
          g_signal_connect_object (channel, "display-invalidate", G_CALLBACK (invalidate_cb),
                                   self, 0);
        }
    }
  else if (SPICE_IS_INPUTS_CHANNEL (channel))
    self->inputs = SPICE_INPUTS_CHANNEL (channel);
  else if (SPICE_IS_CURSOR_CHANNEL (channel))
    {
      self->cursor = SPICE_CURSOR_CHANNEL (channel);
      g_signal_connect_object (channel, "cursor-set", G_CALLBACK (cursor_set_cb), self, 0);
      g_signal_connect_object (channel, "cursor-hide", G_CALLBACK (cursor_hide_cb), self, 0);
      g_signal_connect_object (channel, "cursor-reset", G_CALLBACK (cursor_reset_cb), self, 0);
    }
  else
    wanted = FALSE;   /* audio, USB, smartcard, ports: not pVM's */

  if (!wanted)
    return;

  g_signal_connect_object (channel, "open-fd", G_CALLBACK (channel_open_fd_cb), self, 0);
  /* Opened from an fd, the session does not connect the channels after
   * the main one by itself (../shared/PLATFORM.md). */
  if (!SPICE_IS_MAIN_CHANNEL (channel))
    spice_channel_connect (channel);
}

static void
channel_destroy_cb (SpiceSession *session,
                    SpiceChannel *channel,
                    gpointer      user_data)
{
  PvmConsole *self = user_data;

  if ((gpointer) channel == (gpointer) self->main)
    self->main = NULL;
  else if ((gpointer) channel == (gpointer) self->display)
    {
      self->display = NULL;
      self->primary = NULL;
      self->width = self->height = 0;
      g_signal_emit (self, signals[SIGNAL_PRIMARY_CHANGED], 0);
    }
  else if ((gpointer) channel == (gpointer) self->inputs)
    self->inputs = NULL;
  else if ((gpointer) channel == (gpointer) self->cursor)
    self->cursor = NULL;
}

/* ------------------------------------------------------------------ */
/* The object                                                         */

static void
pvm_console_dispose (GObject *object)
{
  PvmConsole *self = PVM_CONSOLE (object);

  pvm_console_disconnect (self);
  if (self->open_fd_destroy != NULL)
    g_clear_pointer (&self->open_fd_data, self->open_fd_destroy);

  G_OBJECT_CLASS (pvm_console_parent_class)->dispose (object);
}

static void
pvm_console_finalize (GObject *object)
{
  PvmConsole *self = PVM_CONSOLE (object);

  g_free (self->name);
  g_free (self->message);
  g_free (self->cursor_pixels);
  g_free (self->host_clipboard);
  g_hash_table_unref (self->pressed);

  G_OBJECT_CLASS (pvm_console_parent_class)->finalize (object);
}

static void
pvm_console_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PvmConsole *self = PVM_CONSOLE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_AGENT:
      g_value_set_boolean (value, pvm_console_has_agent (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_console_class_init (PvmConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pvm_console_dispose;
  object_class->finalize = pvm_console_finalize;
  object_class->get_property = pvm_console_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, PVM_TYPE_CONSOLE_STATE,
                       PVM_CONSOLE_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AGENT] =
    g_param_spec_boolean ("agent", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The display surface appeared, changed size or went away. */
  signals[SIGNAL_PRIMARY_CHANGED] =
    g_signal_new ("primary-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  /* A rectangle of the surface changed: x, y, width, height. */
  signals[SIGNAL_INVALIDATE] =
    g_signal_new ("invalidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  invalidate_marshal, G_TYPE_NONE, 4, G_TYPE_INT, G_TYPE_INT, G_TYPE_INT,
                  G_TYPE_INT);
  g_signal_set_va_marshaller (signals[SIGNAL_INVALIDATE], G_TYPE_FROM_CLASS (klass),
                              invalidate_marshal_va);
  signals[SIGNAL_CURSOR_CHANGED] =
    g_signal_new ("cursor-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);
  /* The guest copied text. */
  signals[SIGNAL_GUEST_CLIPBOARD] =
    g_signal_new ("guest-clipboard", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pvm_console_init (PvmConsole *self)
{
  self->pressed = g_hash_table_new (NULL, NULL);
  self->cursor_visible = TRUE;
  self->vm_running = TRUE;
}

/**
 * pvm_console_new:
 * @name: the VM's name, for messages
 * @open_fd: how to reach its SPICE server
 * @user_data: data for @open_fd
 * @destroy: (nullable): frees @user_data
 *
 * Returns: (transfer full): a console, not connected yet
 */
PvmConsole *
pvm_console_new (const char           *name,
                 PvmConsoleOpenFdFunc  open_fd,
                 gpointer              user_data,
                 GDestroyNotify        destroy)
{
  PvmConsole *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (open_fd != NULL, NULL);

  self = g_object_new (PVM_TYPE_CONSOLE, NULL);
  self->name = g_strdup (name);
  self->open_fd = open_fd;
  self->open_fd_data = user_data;
  self->open_fd_destroy = destroy;
  return self;
}

const char *
pvm_console_get_name (PvmConsole *self)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (self), NULL);

  return self->name;
}

/**
 * pvm_console_connect:
 * @self: a #PvmConsole
 * @error: return location for a #GError
 *
 * Opens the SPICE session: main, display, inputs and cursor channels,
 * each on a connection of its own. The display arrives asynchronously
 * (#PvmConsole::primary-changed). Connecting again while connected does
 * nothing.
 *
 * Returns: %TRUE if the session is being opened
 */
gboolean
pvm_console_connect (PvmConsole  *self,
                     GError     **error)
{
  GError *local_error = NULL;
  int fd;

  g_return_val_if_fail (PVM_IS_CONSOLE (self), FALSE);

  if (self->session != NULL)
    return TRUE;

  fd = self->open_fd (self->open_fd_data, &local_error);
  if (fd < 0)
    {
      set_state (self, PVM_CONSOLE_STATE_DISCONNECTED, local_error->message);
      g_propagate_error (error, local_error);
      return FALSE;
    }

  self->vm_running = TRUE;
  self->session = spice_session_new ();
  g_object_set (self->session,
                "enable-audio", FALSE,
                "enable-usbredir", FALSE,
                "enable-smartcard", FALSE,
                NULL);
  g_signal_connect_object (self->session, "channel-new", G_CALLBACK (channel_new_cb), self, 0);
  g_signal_connect_object (self->session, "channel-destroy", G_CALLBACK (channel_destroy_cb),
                           self, 0);
  set_state (self, PVM_CONSOLE_STATE_CONNECTING, NULL);
  if (!spice_session_open_fd (self->session, fd))
    {
      g_autofree char *message = g_strdup_printf ("Cannot open the console of %s", self->name);

      pvm_console_disconnect (self);
      set_state (self, PVM_CONSOLE_STATE_DISCONNECTED, message);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, message);
      return FALSE;
    }
  return TRUE;
}

/**
 * pvm_console_disconnect:
 * @self: a #PvmConsole
 *
 * Closes the session, releasing the keys held down first.
 */
void
pvm_console_disconnect (PvmConsole *self)
{
  SpiceSession *session;

  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (self->session == NULL)
    return;
  pvm_console_release_keys (self);
  session = g_steal_pointer (&self->session);
  g_signal_handlers_disconnect_by_data (session, self);
  spice_session_disconnect (session);
  g_object_unref (session);
  self->main = NULL;
  self->display = NULL;
  self->inputs = NULL;
  self->cursor = NULL;
  self->primary = NULL;
  self->width = self->height = self->stride = 0;
  set_state (self, PVM_CONSOLE_STATE_DISCONNECTED, NULL);
  g_signal_emit (self, signals[SIGNAL_PRIMARY_CHANGED], 0);
}

PvmConsoleState
pvm_console_get_state (PvmConsole *self)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (self), PVM_CONSOLE_STATE_DISCONNECTED);

  return self->state;
}

/**
 * pvm_console_get_message:
 * @self: a #PvmConsole
 *
 * Returns: (nullable): why the console is not connected, for the user
 */
const char *
pvm_console_get_message (PvmConsole *self)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (self), NULL);

  return self->message;
}

/**
 * pvm_console_set_vm_running:
 * @self: a #PvmConsole
 * @running: whether the VM runs
 *
 * Tells the console what libvirt says of the VM, so that a session that
 * closes is told apart: the VM stopped (or was saved), or another viewer
 * took the console.
 */
void
pvm_console_set_vm_running (PvmConsole *self,
                            gboolean    running)
{
  g_return_if_fail (PVM_IS_CONSOLE (self));

  self->vm_running = running;
}

const guint8 *
pvm_console_get_primary (PvmConsole *self,
                         int        *width,
                         int        *height,
                         int        *stride)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (self), NULL);

  *width = self->width;
  *height = self->height;
  *stride = self->stride;
  return self->primary;
}

const guint8 *
pvm_console_get_cursor (PvmConsole *self,
                        int        *width,
                        int        *height,
                        int        *hot_x,
                        int        *hot_y)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (self), NULL);

  *width = self->cursor_width;
  *height = self->cursor_height;
  *hot_x = self->cursor_hot_x;
  *hot_y = self->cursor_hot_y;
  return self->cursor_pixels;
}

gboolean
pvm_console_get_cursor_visible (PvmConsole *self)
{
  g_return_val_if_fail (PVM_IS_CONSOLE (self), FALSE);

  return self->cursor_visible;
}

/* ------------------------------------------------------------------ */
/* Input                                                              */

/**
 * pvm_console_is_client_mouse:
 * @self: a #PvmConsole
 *
 * Returns: whether the guest takes absolute pointer positions (its tablet
 *   or the agent); otherwise it takes relative motion, while grabbed
 */
gboolean
pvm_console_is_client_mouse (PvmConsole *self)
{
  int mode = SPICE_MOUSE_MODE_SERVER;

  g_return_val_if_fail (PVM_IS_CONSOLE (self), FALSE);

  if (self->main != NULL)
    g_object_get (self->main, "mouse-mode", &mode, NULL);
  return mode == SPICE_MOUSE_MODE_CLIENT;
}

void
pvm_console_key (PvmConsole *self,
                 guint       scancode,
                 gboolean    pressed)
{
  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (scancode == 0 || self->inputs == NULL)
    return;
  if (pressed)
    {
      g_hash_table_add (self->pressed, GUINT_TO_POINTER (scancode));
      spice_inputs_channel_key_press (self->inputs, scancode);
    }
  else if (g_hash_table_remove (self->pressed, GUINT_TO_POINTER (scancode)))
    spice_inputs_channel_key_release (self->inputs, scancode);
}

/**
 * pvm_console_release_keys:
 * @self: a #PvmConsole
 *
 * Releases every key the guest believes held down: when the view loses
 * the focus, the releases go elsewhere.
 */
void
pvm_console_release_keys (PvmConsole *self)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (PVM_IS_CONSOLE (self));

  g_hash_table_iter_init (&iter, self->pressed);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (self->inputs != NULL)
        spice_inputs_channel_key_release (self->inputs, GPOINTER_TO_UINT (key));
      g_hash_table_iter_remove (&iter);
    }
  if (self->inputs != NULL)
    for (int button = SPICE_MOUSE_BUTTON_LEFT; button <= SPICE_MOUSE_BUTTON_RIGHT; button++)
      if (self->button_state & (1 << (button - 1)))
        spice_inputs_channel_button_release (self->inputs, button, 0);
  self->button_state = 0;
}

void
pvm_console_send_ctrl_alt_del (PvmConsole *self)
{
  static const guint keys[] = { PVM_XT_LEFT_CTRL, PVM_XT_LEFT_ALT, PVM_XT_DELETE };

  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (self->inputs == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    spice_inputs_channel_key_press (self->inputs, keys[i]);
  for (guint i = G_N_ELEMENTS (keys); i > 0; i--)
    spice_inputs_channel_key_release (self->inputs, keys[i - 1]);
}

void
pvm_console_pointer_position (PvmConsole *self,
                              int         x,
                              int         y)
{
  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (self->inputs == NULL || (x == self->last_x && y == self->last_y))
    return;
  self->last_x = x;
  self->last_y = y;
  spice_inputs_channel_position (self->inputs, x, y, 0, self->button_state);
}

void
pvm_console_pointer_motion (PvmConsole *self,
                            int         dx,
                            int         dy)
{
  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (self->inputs != NULL && (dx != 0 || dy != 0))
    spice_inputs_channel_motion (self->inputs, dx, dy, self->button_state);
}

/* @button: SPICE_MOUSE_BUTTON_LEFT, _MIDDLE or _RIGHT. */
void
pvm_console_button (PvmConsole *self,
                    int         button,
                    gboolean    pressed)
{
  int mask;

  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (self->inputs == NULL || button < SPICE_MOUSE_BUTTON_LEFT ||
      button > SPICE_MOUSE_BUTTON_RIGHT)
    return;
  mask = 1 << (button - 1);
  if (pressed)
    {
      self->button_state |= mask;
      spice_inputs_channel_button_press (self->inputs, button, self->button_state);
    }
  else
    {
      self->button_state &= ~mask;
      spice_inputs_channel_button_release (self->inputs, button, self->button_state);
    }
}

/* @steps: positive scrolls down. */
void
pvm_console_scroll (PvmConsole *self,
                    int         steps)
{
  int button = steps > 0 ? SPICE_MOUSE_BUTTON_DOWN : SPICE_MOUSE_BUTTON_UP;

  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (self->inputs == NULL)
    return;
  for (int i = 0; i < ABS (steps); i++)
    {
      spice_inputs_channel_button_press (self->inputs, button, self->button_state);
      spice_inputs_channel_button_release (self->inputs, button, self->button_state);
    }
}

/* ------------------------------------------------------------------ */
/* The agent                                                          */

gboolean
pvm_console_has_agent (PvmConsole *self)
{
  gboolean connected = FALSE;

  g_return_val_if_fail (PVM_IS_CONSOLE (self), FALSE);

  if (self->main != NULL)
    g_object_get (self->main, "agent-connected", &connected, NULL);
  return connected;
}

/**
 * pvm_console_request_resize:
 * @self: a #PvmConsole
 * @width: the width the view offers, in pixels
 * @height: its height
 *
 * Asks the guest's agent to change the display to that size; without an
 * agent, nothing happens and the view scales.
 */
void
pvm_console_request_resize (PvmConsole *self,
                            int         width,
                            int         height)
{
  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (!pvm_console_has_agent (self) || width < 320 || height < 200)
    return;
  /* The display must be marked enabled too: otherwise the configuration
   * sent holds no monitor, and the guest's agent turns its output off
   * (xrandr: "Virtual-1 disconnected"). Even widths: some guest drivers
   * refuse odd ones. */
  spice_main_channel_update_display_enabled (self->main, 0, TRUE, FALSE);
  spice_main_channel_update_display (self->main, 0, 0, 0, width & ~1, height, FALSE);
  spice_main_channel_send_monitor_config (self->main);
}

/**
 * pvm_console_set_host_clipboard:
 * @self: a #PvmConsole
 * @text: (nullable): the host's clipboard text
 *
 * Offers @text to the guest's agent, which takes it when the guest pastes.
 */
void
pvm_console_set_host_clipboard (PvmConsole *self,
                                const char *text)
{
  g_return_if_fail (PVM_IS_CONSOLE (self));

  if (g_strcmp0 (text, self->host_clipboard) == 0)
    return;
  g_free (self->host_clipboard);
  self->host_clipboard = g_strdup (text);
  offer_host_clipboard (self);
}

static void
copy_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (spice_main_channel_file_copy_finish (SPICE_MAIN_CHANNEL (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * pvm_console_copy_files_async:
 * @self: a #PvmConsole
 * @files: (array zero-terminated=1): the files to copy
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when they are copied
 * @user_data: data for @callback
 *
 * Copies @files into the guest through its agent (which puts them in the
 * guest user's download folder).
 */
void
pvm_console_copy_files_async (PvmConsole          *self,
                              GFile              **files,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PVM_IS_CONSOLE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  if (!pvm_console_has_agent (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "The guest of %s has no SPICE agent to receive files: install "
                               "spice-vdagent in it", self->name);
      return;
    }
  spice_main_channel_file_copy_async (self->main, files, G_FILE_COPY_NONE, cancellable, NULL,
                                      NULL, copy_done_cb, g_steal_pointer (&task));
}

gboolean
pvm_console_copy_files_finish (PvmConsole    *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
