/* SPDX-License-Identifier: BSD-3-Clause */
/* spice-floor.c: the floor of bench/console. A SPICE client on
 * spice-client-glib with no window and no toolkit: it connects the
 * channels pVM's console connects (main, the first display, inputs,
 * cursor; no audio, USB or smartcard), through file descriptors libvirt
 * passes, as pVM and virt-viewer do, and counts the display's invalidate
 * signals without drawing anything. Its CPU time per guest update is what
 * any viewer built on spice-client-glib pays before it draws a pixel:
 * reading and decoding the SPICE messages, drawing them into the guest's
 * surface in memory, and the main loop iterations that the library's
 * coroutines take for each message.
 *
 *   pvm-spice-floor URI DOMAIN
 *
 * Runs until SIGTERM or SIGINT, then prints "invalidates N" and exits 0;
 * exits 1 with a message when it cannot connect or the server closes the
 * connection. bench/console builds it with cc; it is not part of pVM.
 */

#include <glib-unix.h>
#include <libvirt/libvirt.h>
#include <spice-client.h>

typedef struct
{
  virDomainPtr  domain;
  GMainLoop    *loop;
  guint64       invalidates;
  int           status;
} Client;

static void
fail (Client     *client,
      const char *message)
{
  g_printerr ("pvm-spice-floor: %s\n", message);
  client->status = 1;
  g_main_loop_quit (client->loop);
}

static void
open_fd_cb (SpiceChannel *channel,
            int           with_tls,
            gpointer      user_data)
{
  Client *client = user_data;
  int fd = virDomainOpenGraphicsFD (client->domain, 0, 0);

  if (fd < 0)
    {
      fail (client, "libvirt gave no SPICE connection");
      return;
    }
  spice_channel_open_fd (channel, fd);
}

static void
main_event_cb (SpiceChannel     *channel,
               SpiceChannelEvent event,
               gpointer          user_data)
{
  if (event == SPICE_CHANNEL_CLOSED || event >= SPICE_CHANNEL_ERROR_CONNECT)
    fail (user_data, "the SPICE server closed the connection");
}

static void
invalidate_cb (SpiceChannel *channel,
               int           x,
               int           y,
               int           width,
               int           height,
               gpointer      user_data)
{
  Client *client = user_data;

  client->invalidates++;
}

static void
channel_new_cb (SpiceSession *session,
                SpiceChannel *channel,
                gpointer      user_data)
{
  Client *client = user_data;
  int id;

  g_object_get (channel, "channel-id", &id, NULL);
  if (SPICE_IS_MAIN_CHANNEL (channel))
    g_signal_connect (channel, "channel-event", G_CALLBACK (main_event_cb), client);
  else if (SPICE_IS_DISPLAY_CHANNEL (channel) && id == 0)
    g_signal_connect (channel, "display-invalidate", G_CALLBACK (invalidate_cb), client);
  else if (!SPICE_IS_INPUTS_CHANNEL (channel) && !SPICE_IS_CURSOR_CHANNEL (channel))
    return;
  g_signal_connect (channel, "open-fd", G_CALLBACK (open_fd_cb), client);
  /* Opened from a file descriptor, the session leaves the channels after
   * the main one to its user. */
  if (!SPICE_IS_MAIN_CHANNEL (channel))
    spice_channel_connect (channel);
}

static gboolean
quit_cb (gpointer user_data)
{
  Client *client = user_data;

  g_main_loop_quit (client->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  Client client = { 0 };
  virConnectPtr connection;
  SpiceSession *session;
  int fd;

  if (argc != 3)
    {
      g_printerr ("usage: pvm-spice-floor URI DOMAIN\n");
      return 2;
    }
  connection = virConnectOpen (argv[1]);
  if (connection == NULL)
    {
      g_printerr ("pvm-spice-floor: cannot connect to %s\n", argv[1]);
      return 1;
    }
  client.domain = virDomainLookupByName (connection, argv[2]);
  if (client.domain == NULL)
    {
      g_printerr ("pvm-spice-floor: no domain %s at %s\n", argv[2], argv[1]);
      return 1;
    }
  fd = virDomainOpenGraphicsFD (client.domain, 0, 0);
  if (fd < 0)
    {
      g_printerr ("pvm-spice-floor: libvirt gave no SPICE connection to %s\n", argv[2]);
      return 1;
    }

  client.loop = g_main_loop_new (NULL, FALSE);
  session = spice_session_new ();
  g_object_set (session,
                "enable-audio", FALSE,
                "enable-usbredir", FALSE,
                "enable-smartcard", FALSE,
                NULL);
  g_signal_connect (session, "channel-new", G_CALLBACK (channel_new_cb), &client);
  if (!spice_session_open_fd (session, fd))
    {
      g_printerr ("pvm-spice-floor: cannot open the SPICE session of %s\n", argv[2]);
      return 1;
    }
  g_unix_signal_add (SIGTERM, quit_cb, &client);
  g_unix_signal_add (SIGINT, quit_cb, &client);
  g_main_loop_run (client.loop);

  g_print ("invalidates %" G_GUINT64_FORMAT "\n", client.invalidates);
  spice_session_disconnect (session);
  g_object_unref (session);
  g_main_loop_unref (client.loop);
  virDomainFree (client.domain);
  virConnectClose (connection);
  return client.status;
}
