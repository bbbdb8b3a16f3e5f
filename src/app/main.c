/* SPDX-License-Identifier: BSD-3-Clause */
/* main.c: the entry point of pvm-app, the pVM GTK application. */

#define G_LOG_DOMAIN "pvm-app"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PvmApplication) app = NULL;

  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = pvm_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
