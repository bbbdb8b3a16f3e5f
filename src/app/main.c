/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c: the entry point of pvm-app, the pVM GTK application. */

#define G_LOG_DOMAIN "pvm-app"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-application.h"

/* Without a GPU render node GTK's GL renderer runs on a software
 * rasterizer and repaints the whole window every frame: bench/console
 * measured the console at 25x spice-gtk's CPU there, against its cairo
 * renderer, which redraws only what changed. GDK would still set up GL
 * at start-up, which loads Mesa's software rasterizer and LLVM for
 * nothing: 60 MB resident (bench/scale), so GL is off too. The user's own
 * choice wins. */
static void
pick_renderer (void)
{
  g_autoptr(GDir) dri = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  if (g_getenv ("GSK_RENDERER") != NULL)
    return;
  while (dri != NULL && (name = g_dir_read_name (dri)) != NULL)
    if (g_str_has_prefix (name, "renderD"))
      return;
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PvmApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  pick_renderer ();
  app = pvm_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
