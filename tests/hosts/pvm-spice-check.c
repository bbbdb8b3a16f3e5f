/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-spice-check: opens the console of a pVM VM on any configured host,
 * as the app's console does (pvm_vm_open_spice_fd(), one connection per
 * SPICE channel), and waits until the guest's display arrives: prints
 * "NAME on HOST: WIDTHxHEIGHT" and exits 0, or says why not and exits 1.
 *
 *   pvm-spice-check CONFIG NAME
 *
 * tests/hosts/test-hosts runs it for VMs on a qemu+ssh:// host, whose
 * console comes through an SSH forward of a Unix socket. */

#include "config.h"

#include <spice-client.h>

#include "pvm-core.h"

typedef struct
{
  PvmVm     *vm;
  GMainLoop *loop;
  int        width;
  int        height;
  char      *failure;
} Check;

static void
fail (Check      *check,
      const char *message)
{
  if (check->failure == NULL)
    check->failure = g_strdup (message);
  g_main_loop_quit (check->loop);
}

static void
open_fd_cb (SpiceChannel *channel,
            int           with_tls,
            gpointer      user_data)
{
  Check *check = user_data;
  g_autoptr(GError) error = NULL;
  int fd = pvm_vm_open_spice_fd (check->vm, &error);

  if (fd < 0)
    {
      fail (check, error->message);
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
                   gpointer      data,
                   gpointer      user_data)
{
  Check *check = user_data;

  check->width = width;
  check->height = height;
  g_main_loop_quit (check->loop);
}

static void
channel_event_cb (SpiceChannel      *channel,
                  SpiceChannelEvent  event,
                  gpointer           user_data)
{
  if (event == SPICE_CHANNEL_ERROR_CONNECT || event == SPICE_CHANNEL_ERROR_IO ||
      event == SPICE_CHANNEL_ERROR_LINK || event == SPICE_CHANNEL_CLOSED)
    fail (user_data, "the SPICE main channel closed");
}

static void
channel_new_cb (SpiceSession *session,
                SpiceChannel *channel,
                gpointer      user_data)
{
  g_signal_connect (channel, "open-fd", G_CALLBACK (open_fd_cb), user_data);
  if (SPICE_IS_MAIN_CHANNEL (channel))
    {
      g_signal_connect (channel, "channel-event", G_CALLBACK (channel_event_cb), user_data);
      return;
    }
  if (SPICE_IS_DISPLAY_CHANNEL (channel))
    g_signal_connect (channel, "display-primary-create", G_CALLBACK (primary_create_cb),
                      user_data);
  /* A session opened from a file descriptor connects no other channel by
   * itself (../shared/PLATFORM.md). */
  spice_channel_connect (channel);
}

static gboolean
timeout_cb (gpointer user_data)
{
  fail (user_data, "no display within 60 s");
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GError) error = NULL;
  SpiceSession *session = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  const PvmHostEntry *host = NULL;
  Check check = { NULL, loop, 0, 0, NULL };
  int fd;

  if (argc != 3)
    {
      g_printerr ("usage: pvm-spice-check CONFIG NAME\n");
      return 2;
    }
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  if (!pvm_config_load_file (config, argv[1], NULL, &error))
    {
      g_printerr ("pvm-spice-check: %s\n", error->message);
      return 1;
    }
  hosts = pvm_hosts_from_config (config);
  for (guint i = 0; i < hosts->len && check.vm == NULL; i++)
    {
      g_autoptr(GVirConnection) connection = NULL;

      host = g_ptr_array_index (hosts, i);
      connection = pvm_vm_open_connection (host->uri, NULL, NULL);
      if (connection != NULL)
        check.vm = pvm_vm_find (connection, argv[2], NULL);
    }
  if (check.vm == NULL)
    {
      g_printerr ("pvm-spice-check: no VM %s on any host\n", argv[2]);
      return 1;
    }

  fd = pvm_vm_open_spice_fd (check.vm, &error);
  if (fd < 0)
    {
      g_printerr ("pvm-spice-check: %s\n", error->message);
      g_object_unref (check.vm);
      return 1;
    }
  session = spice_session_new ();
  g_object_set (session, "enable-audio", FALSE, "enable-usbredir", FALSE, NULL);
  g_signal_connect (session, "channel-new", G_CALLBACK (channel_new_cb), &check);
  if (!spice_session_open_fd (session, fd))
    fail (&check, "spice_session_open_fd() failed");
  else
    {
      g_timeout_add_seconds (60, timeout_cb, &check);
      g_main_loop_run (loop);
    }
  spice_session_disconnect (session);
  g_object_unref (session);

  if (check.failure != NULL || check.width <= 0)
    {
      g_printerr ("pvm-spice-check: the console of %s on %s: %s\n", argv[2], host->name,
                  check.failure != NULL ? check.failure : "no display");
      g_object_unref (check.vm);
      return 1;
    }
  g_print ("%s on %s: %dx%d\n", argv[2], host->name, check.width, check.height);
  g_object_unref (check.vm);
  return 0;
}
