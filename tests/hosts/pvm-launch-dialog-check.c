/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-launch-dialog-check: the app's Launch dialog places VMs on hosts.
 * Fills the dialog as a user would, one VM per IMAGE, on HOST, with the
 * archive INPUT and the output folder OUTPUT, presses Launch and waits
 * until the dialog closes (every VM runs: prints "launched N VMs", exits
 * 0) or shows why not (prints "refused: " and the dialog's text, exits
 * 1). The dialog reads the default configuration
 * ($XDG_CONFIG_HOME/pvm/pvm.conf), as in the app.
 *
 *   pvm-launch-dialog-check IMAGE HOST INPUT OUTPUT [IMAGE HOST INPUT OUTPUT...]
 *
 * tests/hosts/test-hosts runs it on a private Xvfb (pvm-xvfb-run). */

#include "config.h"

#include <adwaita.h>

#include "pvm-launch-dialog.h"

#define TIMEOUT_S 180

typedef struct
{
  GMainLoop *loop;
  guint      launched;
  gboolean   timed_out;
} Check;

/* The dialog closes right after. */
static void
launched_cb (PvmLaunchDialog *dialog,
             guint            n_vms,
             Check           *check)
{
  check->launched = n_vms;
  g_main_loop_quit (check->loop);
}

static void
problems_cb (PvmLaunchDialog *dialog,
             GParamSpec      *pspec,
             Check           *check)
{
  if (pvm_launch_dialog_get_problems (dialog) != NULL)
    g_main_loop_quit (check->loop);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Check *check = user_data;

  check->timed_out = TRUE;
  g_main_loop_quit (check->loop);
  return G_SOURCE_REMOVE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Check check = { loop, 0, FALSE };
  PvmLaunchDialog *dialog;
  guint n_vms = (argc - 1) / 4;

  if (argc < 5 || (argc - 1) % 4 != 0)
    {
      g_printerr ("Usage: pvm-launch-dialog-check IMAGE HOST INPUT OUTPUT...\n");
      return 2;
    }
  gtk_init ();
  adw_init ();

  dialog = pvm_launch_dialog_new ();
  g_object_ref_sink (dialog);
  for (guint i = 0; i < n_vms; i++)
    {
      char **vm = argv + 1 + 4 * i;

      pvm_launch_dialog_set_vm (dialog, i, vm[0], vm[2], vm[3], NULL, NULL);
      if (!pvm_launch_dialog_set_host (dialog, i, vm[1]))
        {
          g_printerr ("pvm-launch-dialog-check: the dialog offers no host %s\n", vm[1]);
          return 1;
        }
    }
  g_signal_connect (dialog, "launched", G_CALLBACK (launched_cb), &check);
  g_signal_connect (dialog, "notify::problems", G_CALLBACK (problems_cb), &check);
  gtk_window_present (GTK_WINDOW (dialog));

  if (!gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.start", NULL))
    {
      g_printerr ("pvm-launch-dialog-check: Launch cannot be pressed\n");
      return 1;
    }
  g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &check);
  g_main_loop_run (loop);

  if (check.launched > 0)
    {
      g_print ("launched %u VMs\n", check.launched);
      g_object_unref (dialog);
      return 0;
    }
  if (check.timed_out)
    g_print ("after %d s, the dialog still launches\n", TIMEOUT_S);
  else
    g_print ("refused: %s\n", pvm_launch_dialog_get_problems (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  return 1;
}
