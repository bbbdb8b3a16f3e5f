/* SPDX-License-Identifier: BSD-3-Clause */
/* test-hosts-gui.c: several hosts in the app, in process, on a real
 * (virtual) display: the Machines page with a group per host, and the
 * Move to… dialog of a VM's panel. The hosts are libvirt's test driver:
 * "local" a node file with pVM's domains (metadata and all), "big"
 * test:///default (its one domain is not pVM's), and "gone" an SSH URI
 * nothing answers (port 1 of 127.0.0.1). No daemon runs; the test driver
 * cannot migrate, so every move here is refused or fails, and the VM must
 * stay where it was. Real migrations are tests/hosts/'s.
 *
 * Run through pvm-xvfb-run (meson test does). With
 * PVM_DEBUG_SCREENSHOTS=DIR it saves the page and the dialog there.
 */

#define G_LOG_DOMAIN "test-hosts-gui"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-gui-test.h"
#include "pvm-machines-page.h"
#include "pvm-migrate-dialog.h"
#include "pvm-vm-window.h"

#define GONE_URI "qemu+ssh://nobody@127.0.0.1:1/session"

/* @ssh_port 0: no forwarded port. */
static char *
domain_xml (const char *name,
            guint       ssh_port,
            const char *devices)
{
  g_autofree char *port = ssh_port != 0 ? g_strdup_printf ("<ssh-port>%u</ssh-port>", ssh_port)
                                        : g_strdup ("");

  return g_strdup_printf (
    "<domain type='test'>"
    "<name>pvm-%s</name>"
    "<metadata><pvm:vm xmlns:pvm='https://io.github.pvm/xmlns/vm/1'>"
    "<index>0</index><name value='%s'/><image path='/srv/images/%s.qcow2'/>"
    "<input kind='squashfs' path='/srv/data/survey-2024.sqsh'/>"
    "<output path='/srv/results/%s'/>"
    "<memory unit='bytes'>536870912</memory><cores>2</cores>%s"
    "<extra-args/>"
    "</pvm:vm></metadata>"
    "<memory unit='KiB'>524288</memory><vcpu>2</vcpu>"
    "<os><type arch='x86_64'>hvm</type></os><devices>%s</devices></domain>",
    name, name, name, name, port, devices);
}

/* "local": a node file with "plain" (nothing in the way of a move) and
 * "shared" (a 9p share, which QEMU cannot migrate); with @hosts, HOSTS. */
static char *node_dir;   /* of the test that runs */

static void
remove_node (void)
{
  g_autofree char *node = g_build_filename (node_dir, "vms.xml", NULL);

  g_assert_cmpint (g_unlink (node), ==, 0);
  g_assert_cmpint (g_rmdir (node_dir), ==, 0);
  g_clear_pointer (&node_dir, g_free);
}

static char *
write_config (gboolean hosts)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *node = NULL;
  g_autofree char *plain = domain_xml ("plain", 2223, "");
  g_autofree char *shared = domain_xml ("shared", 2222,
                                        "<filesystem type='mount' accessmode='mapped'>"
                                        "<source dir='/srv/results/shared'/>"
                                        "<target dir='output'/></filesystem>");
  g_autofree char *node_text = g_strdup_printf ("<node>%s%s</node>", plain, shared);
  g_autofree char *config_text = NULL;

  /* A short path, as the group's title shows it (the test's own
   * directories have long names). */
  node_dir = g_dir_make_tmp ("pvm-hosts-XXXXXX", &error);
  g_assert_no_error (error);
  node = g_build_filename (node_dir, "vms.xml", NULL);
  config_text = g_strdup_printf ("[pvm]\nLIBVIRT_URI=test://%s\n%s", node,
                                 hosts ? "HOSTS=big=test:///default;gone=" GONE_URI "\n" : "");
  pvm_gui_test_write_config (config_text);
  g_file_set_contents (node, node_text, -1, &error);
  g_assert_no_error (error);
  return g_strconcat ("test://", node, NULL);
}

static guint
count_groups (GtkWidget *widget)
{
  guint n = ADW_IS_PREFERENCES_GROUP (widget) ? 1 : 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    n += count_groups (c);
  return n;
}

/* The only host: one list, as before hosts existed, with the input's and
 * the output's names (their paths in the tooltip). */
static void
test_single_host (void)
{
  g_autofree char *uri = write_config (FALSE);
  g_autofree char *titles = NULL;
  GtkWindow *window;
  PvmListPage *page;
  GtkWidget *row;

  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "list");
  g_assert_cmpuint (pvm_list_page_get_items (page)->len, ==, 2);
  g_assert_cmpuint (count_groups (GTK_WIDGET (page)), ==, 0);
  titles = pvm_gui_test_dup_titles (page);
  g_assert_cmpstr (titles, ==, "plain: Running · 512 MiB · 2 vCPUs\n"
                               "survey-2024.sqsh → plain|"
                               "shared: Running · 512 MiB · 2 vCPUs\n"
                               "survey-2024.sqsh → shared");
  row = pvm_gui_test_find (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, "plain");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (row), ==,
                   "Input: /srv/data/survey-2024.sqsh\nOutput: /srv/results/plain");
  gtk_window_destroy (window);
  remove_node ();
}

/* Several hosts: a group each, titled with its name and URI, saying what
 * it offers, or why it does not answer. */
static void
test_groups (void)
{
  g_autofree char *uri = write_config (TRUE);
  g_autofree char *local_title = g_strdup_printf ("local — %s", uri);
  g_autofree char *titles = NULL;
  GtkWidget *local, *big, *gone;
  const char *description;
  GtkWindow *window;
  PvmListPage *page;

  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "list");
  /* The items are the VMs of every host. */
  g_assert_cmpuint (pvm_list_page_get_items (page)->len, ==, 2);
  g_assert_cmpuint (count_groups (GTK_WIDGET (page)), ==, 3);

  local = pvm_gui_test_find_group (GTK_WIDGET (page), local_title);
  big = pvm_gui_test_find_group (GTK_WIDGET (page), "big — test:///default");
  gone = pvm_gui_test_find_group (GTK_WIDGET (page), "gone — " GONE_URI);
  g_assert_nonnull (local);
  g_assert_nonnull (big);
  g_assert_nonnull (gone);
  /* In the configuration's order, and no other. */
  titles = pvm_gui_test_dup_groups (page);
  {
    g_autofree char *order = g_strdup_printf ("%s|big — test:///default|gone — " GONE_URI,
                                              local_title);

    g_assert_cmpstr (titles, ==, order);
  }
  g_clear_pointer (&titles, g_free);

  /* The rows of a group follow its header in the page's list. */
  titles = pvm_gui_test_dup_group_titles (page, local_title);
  g_assert_cmpstr (titles, ==, "plain: Running · 512 MiB · 2 vCPUs\n"
                               "survey-2024.sqsh → plain|"
                               "shared: Running · 512 MiB · 2 vCPUs\n"
                               "survey-2024.sqsh → shared");
  g_clear_pointer (&titles, g_free);

  /* The test driver's host: no QEMU (its guests are of type "test"), its
   * cores and memory; its one domain is not pVM's. */
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (big));
  g_test_message ("big: %s", description);
  g_assert_true (g_str_has_prefix (description, "no x86_64 QEMU · "));
  g_assert_nonnull (strstr (description, " cores · "));
  g_assert_nonnull (strstr (description, " free"));
  titles = pvm_gui_test_dup_group_titles (page, "big — test:///default");
  g_assert_cmpstr (titles, ==, "No VMs on this host: ");
  g_clear_pointer (&titles, g_free);

  /* The host nothing answers for: why, and no rows. */
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (gone));
  g_test_message ("gone: %s", description);
  g_assert_true (g_str_has_prefix (description, "not reachable: Cannot connect to libvirt at "
                                                GONE_URI ": "));
  titles = pvm_gui_test_dup_group_titles (page, "gone — " GONE_URI);
  g_assert_cmpstr (titles, ==, "");
  /* ... and a way to ask again. */
  g_assert_true (pvm_gui_test_can_press (gone, "list.reload"));
  g_assert_false (pvm_gui_test_can_press (big, "list.reload"));

  pvm_gui_test_screenshot (GTK_WIDGET (window), "machines-hosts");

  /* A search lists the groups with VMs found, and only those VMs. */
  pvm_list_page_set_search (page, "SHARED");
  pvm_gui_test_run_for (100);
  titles = pvm_gui_test_dup_groups (page);
  g_assert_cmpstr (titles, ==, local_title);
  g_clear_pointer (&titles, g_free);
  titles = pvm_gui_test_dup_titles (page);
  g_assert_cmpstr (titles, ==, "shared: Running · 512 MiB · 2 vCPUs\n"
                               "survey-2024.sqsh → shared");
  g_clear_pointer (&titles, g_free);
  pvm_list_page_set_search (page, "shared plain");
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "no-results");
  pvm_list_page_set_search (page, "  ");
  pvm_gui_test_run_for (100);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "list");
  g_assert_cmpuint (count_groups (GTK_WIDGET (page)), ==, 3);

  gtk_window_destroy (window);
  remove_node ();
}

/* The page's item for @name, or NULL. */
static PvmVm *
lookup_vm (PvmListPage *page,
           const char  *name)
{
  GPtrArray *vms = pvm_list_page_get_items (page);

  for (guint i = 0; vms != NULL && i < vms->len; i++)
    if (g_str_equal (pvm_vm_get_name (g_ptr_array_index (vms, i)), name))
      return g_ptr_array_index (vms, i);
  return NULL;
}

static PvmVm *
find_vm (PvmListPage *page,
         const char  *name)
{
  PvmVm *vm = lookup_vm (page, name);

  if (vm == NULL)
    g_error ("no VM %s on the page", name);
  return vm;
}

typedef struct
{
  PvmListPage *page;
  const char  *name;
} Appears;

static gboolean
vm_appears (gpointer data)
{
  Appears *appears = data;

  return lookup_vm (appears->page, appears->name) != NULL;
}

static gboolean
first_runs (gpointer page)
{
  return pvm_vm_get_state (find_vm (page, "first")) == PVM_VM_STATE_RUNNING;
}

/* Defines a pVM domain on the test driver's shared host ("big"): the
 * page's connection to it hears of it, and reads the list again. */
static void
define_on_big (virConnectPtr  handle,
               const char    *name,
               PvmListPage   *page)
{
  g_autofree char *xml = domain_xml (name, 0, "");
  virDomainPtr domain = virDomainDefineXML (handle, xml);
  Appears appears = { page, name };

  g_assert_nonnull (domain);
  virDomainFree (domain);
  pvm_gui_test_wait_for (vm_appears, &appears, name);
}

/* The list read again (a domain defined on a host) asks every host on
 * the connections it has open: with remote hosts, a new connection is a
 * new SSH session, and maybe a password asked, at every change. The VMs
 * found again on a connection that still holds the VMs found before
 * follow their state as well (libvirt takes one lifecycle callback per
 * domain and connection: pvm-vm.c shares it). */
static void
test_same_connections (void)
{
  g_autofree char *uri = write_config (TRUE);
  virConnectPtr handle = virConnectOpen ("test:///default");
  GVirConnection *local, *big;
  GtkWindow *window;
  PvmListPage *page;
  virDomainPtr domain;

  g_assert_nonnull (handle);
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  local = pvm_vm_get_connection (find_vm (page, "plain"));

  define_on_big (handle, "first", page);
  g_assert_true (pvm_vm_get_connection (find_vm (page, "plain")) == local);
  big = pvm_vm_get_connection (find_vm (page, "first"));
  g_assert_cmpstr (gvir_connection_get_uri (big), ==, "test:///default");

  define_on_big (handle, "second", page);
  g_assert_true (pvm_vm_get_connection (find_vm (page, "plain")) == local);
  g_assert_true (pvm_vm_get_connection (find_vm (page, "first")) == big);
  g_assert_true (pvm_vm_get_connection (find_vm (page, "second")) == big);

  /* A VM found again follows its domain: "first" starts. */
  domain = virDomainLookupByName (handle, "pvm-first");
  g_assert_nonnull (domain);
  g_assert_cmpint (pvm_vm_get_state (find_vm (page, "first")), ==, PVM_VM_STATE_STOPPED);
  g_assert_cmpint (virDomainCreate (domain), ==, 0);
  pvm_gui_test_wait_for (first_runs, page, "the VM first running");

  gtk_window_destroy (window);
  /* test:///default is one host for the whole process. */
  g_assert_cmpint (virDomainDestroy (domain), ==, 0);
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);
  domain = virDomainLookupByName (handle, "pvm-second");
  g_assert_cmpint (virDomainUndefine (domain), ==, 0);
  virDomainFree (domain);
  virConnectClose (handle);
  remove_node ();
}

static gboolean
can_move (GtkWidget *panel)
{
  return pvm_gui_test_can_press (panel, "vm.move");
}

static gboolean
has_result (PvmMigrateDialog *dialog)
{
  return pvm_migrate_dialog_get_result (dialog) != NULL;
}

static gboolean
is_idle (PvmMigrateDialog *dialog)
{
  return !pvm_migrate_dialog_is_busy (dialog);
}

/* Opens the panel of @name from the page, as a click on its row does, and
 * its Move to… dialog. */
static PvmMigrateDialog *
open_move_dialog (PvmListPage  *page,
                  const char   *name,
                  PvmVmWindow **panel)
{
  GtkWidget *row = pvm_gui_test_find (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, name);
  g_autofree char *titles = NULL;
  PvmMigrateDialog *dialog;

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_activate (row));
  *panel = PVM_VM_WINDOW (pvm_gui_test_find_window (PVM_TYPE_VM_WINDOW));
  g_assert_nonnull (*panel);
  g_assert_true (pvm_vm_window_get_vm (*panel) == find_vm (page, name));

  /* Its host, among the connection details, once the hosts are read. */
  pvm_gui_test_wait_for ((PvmGuiTestCondition) can_move, *panel, "Move To… to be enabled");
  titles = pvm_gui_test_dup_titles (*panel);
  g_assert_nonnull (strstr (titles, "Host: local — test://"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (*panel), "vm.move", NULL));
  dialog = PVM_MIGRATE_DIALOG (pvm_gui_test_find_window (PVM_TYPE_MIGRATE_DIALOG));
  g_assert_nonnull (dialog);
  /* Every host but its own, none picked: two to choose from. */
  g_assert_false (pvm_migrate_dialog_select_host (dialog, "local"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "move.start"));
  return dialog;
}

/* The VM still runs on its host, as the page shows it once read again. */
static void
assert_still_local (PvmListPage *page,
                    const char  *name)
{
  g_autofree char *uri = NULL;
  PvmVm *vm;

  pvm_list_page_reload (page);
  pvm_gui_test_wait_for ((PvmGuiTestCondition) pvm_gui_test_is_loaded, page, "the page");
  vm = find_vm (page, name);
  g_assert_cmpint (pvm_vm_get_state (vm), ==, PVM_VM_STATE_RUNNING);
  uri = g_strconcat ("local — ", pvm_vm_get_uri (vm), NULL);
  g_assert_nonnull (pvm_gui_test_find_group (GTK_WIDGET (page), uri));
  g_assert_nonnull (pvm_gui_test_find_in_group (GTK_WIDGET (page), uri, ADW_TYPE_ACTION_ROW,
                                                name));
}

/* A move the checks refuse: the refusal is shown as the core words it,
 * the dialog stays to pick again, the VM stays. */
static void
test_move_refused (void)
{
  g_autofree char *uri = write_config (TRUE);
  PvmMigrateDialog *dialog;
  PvmVmWindow *panel;
  GtkWindow *window;
  PvmListPage *page;
  const char *problem;

  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  dialog = open_move_dialog (page, "shared", &panel);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  g_assert_true (pvm_migrate_dialog_select_host (dialog, "big"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "move.start", NULL));
  g_assert_true (pvm_migrate_dialog_is_busy (dialog));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_idle, dialog, "the checks");

  problem = pvm_migrate_dialog_get_problem (dialog);
  g_test_message ("refused: %s", problem);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "9p shared folder"));
  g_assert_nonnull (strstr (problem, "keeps running on local"));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "9p shared folder"));
  g_assert_null (pvm_migrate_dialog_get_result (dialog));
  /* Another host can be tried. */
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "move.start"));
  pvm_gui_test_screenshot (GTK_WIDGET (dialog), "move-dialog");

  /* A host that does not answer: said so too. */
  g_assert_true (pvm_migrate_dialog_select_host (dialog, "gone"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "move.start", NULL));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_idle, dialog, "the checks");
  problem = pvm_migrate_dialog_get_problem (dialog);
  g_test_message ("refused: %s", problem);
  g_assert_nonnull (problem);
  g_assert_true (g_str_has_prefix (problem, "Cannot move shared to gone: "));

  /* Cancel closes it; nothing moved. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "move.cancel", NULL));
  g_assert_null (dialog);
  gtk_window_destroy (GTK_WINDOW (panel));
  assert_still_local (page, "shared");
  gtk_window_destroy (window);
  remove_node ();
}

/* A move the checks allow but libvirt cannot do (the test driver does not
 * migrate): whatever libvirt says is shown, and the VM stays. */
static void
test_move_fails (void)
{
  g_autofree char *uri = write_config (TRUE);
  PvmMigrateDialog *dialog;
  PvmVmWindow *panel;
  GtkWindow *window;
  PvmListPage *page;
  const char *result;

  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  dialog = open_move_dialog (page, "plain", &panel);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);

  g_assert_true (pvm_migrate_dialog_select_host (dialog, "big"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "move.start", NULL));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) has_result, dialog,
                         "the move's result");
  result = pvm_migrate_dialog_get_result (dialog);
  g_test_message ("result: %s", result);
  g_assert_null (pvm_migrate_dialog_get_problem (dialog));
  g_assert_true (g_str_has_prefix (result, "Cannot move plain to big: "));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), result));
  g_assert_false (pvm_migrate_dialog_is_busy (dialog));
  /* The panel still shows it where it was. */
  g_assert_true (pvm_vm_window_get_vm (panel) == find_vm (page, "plain"));

  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_null (dialog);
  gtk_window_destroy (GTK_WINDOW (panel));
  assert_still_local (page, "plain");
  gtk_window_destroy (window);
  remove_node ();
}

int
main (int    argc,
      char **argv)
{
  /* As test-pages: each test its own XDG directories (its own pvm.conf);
   * the MIME database read before they replace the system's. */
  g_free (g_content_type_guess ("icon.svg", (const guchar *) "<svg", 4, NULL));
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  /* The icon theme, which the isolated data directories hide: for the
   * screenshots. */
  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  "/usr/share/icons");
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  g_test_add_func ("/hosts/single-host", test_single_host);
  g_test_add_func ("/hosts/groups", test_groups);
  g_test_add_func ("/hosts/move-refused", test_move_refused);
  g_test_add_func ("/hosts/move-fails", test_move_fails);
  g_test_add_func ("/hosts/same-connections", test_same_connections);

  return g_test_run ();
}
