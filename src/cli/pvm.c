/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm.c: the pvm command line. */

#define G_LOG_DOMAIN "pvm-cli"

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "pvm-core.h"

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} PvmCommand;

static int pvm_command_host (int argc, char **argv);

static const PvmCommand commands[] = {
  { "host", "Check what this host offers pVM: libvirt, KVM, QEMU and tools", pvm_command_host },
};

static void
print_usage (FILE *stream)
{
  fprintf (stream,
           "Usage: pvm COMMAND [OPTION...]\n"
           "\n"
           "pVM starts and manages QEMU/KVM virtual machines for data processing:\n"
           "each VM gets one read-only input and one read-write output.\n"
           "\n"
           "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (stream,
           "\n"
           "Options:\n"
           "  -h, --help     Show this help and exit\n"
           "  --version      Show the version and exit\n"
           "\n"
           "Launching VMs with the original pVM flags (-d -i -o -m -c -a --install)\n"
           "is not in this version yet.\n");
}

static void
print_check (const char *what,
             const char *value)
{
  g_print ("%-20s %s\n", what, value);
}

static gboolean
check_tool (const char *program,
            const char *package)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = pvm_host_find_tool (program, package, &error);

  print_check (program, path != NULL ? path : error->message);
  return path != NULL;
}

static int
pvm_command_host (int    argc,
                  char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVirConnection) connection = NULL;
  const char *uri;
  gboolean ok = TRUE;

  if (argc > 1)
    {
      g_printerr ("pvm host: unexpected argument \"%s\"\n", argv[1]);
      return 2;
    }

  uri = g_getenv ("LIBVIRT_DEFAULT_URI");
  if (uri == NULL || *uri == '\0')
    uri = pvm_host_get_default_uri ();

  connection = gvir_connection_new (uri);
  if (gvir_connection_open (connection, NULL, &error))
    {
      g_autofree char *reached = g_strdup_printf ("%s (reachable)", uri);
      print_check ("libvirt", reached);
      gvir_connection_close (connection);
    }
  else
    {
      g_autofree char *failed = g_strdup_printf ("%s: cannot connect: %s", uri, error->message);
      print_check ("libvirt", failed);
      g_clear_error (&error);
      ok = FALSE;
    }

  if (pvm_host_kvm_usable (&error))
    print_check ("KVM", "usable");
  else
    {
      g_autofree char *why = g_strdup_printf ("not usable, guests run under TCG (much slower): %s",
                                              error->message);
      print_check ("KVM", why);
      g_clear_error (&error);
    }

  ok &= check_tool ("qemu-system-x86_64", "qemu-system-x86");
  ok &= check_tool ("qemu-img", "qemu-utils");
  ok &= check_tool ("mksquashfs", "squashfs-tools");

  return ok ? 0 : 1;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }

  if (g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "--help") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("%s %s\n", "pvm", PACKAGE_VERSION);
      return 0;
    }

  gvir_init_object (NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);

  g_printerr ("pvm: unknown command or option \"%s\" (see \"pvm --help\")\n", argv[1]);
  return 2;
}
