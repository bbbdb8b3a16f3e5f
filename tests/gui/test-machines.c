/* SPDX-License-Identifier: BSD-3-Clause */
/* test-machines.c: the Machines page, in process, on a real (virtual)
 * display, against libvirt's test driver: a node file with pVM's domains
 * (metadata and all) and one domain pVM did not define. No daemon runs.
 *
 * Run through pvm-xvfb-run (meson test does).
 */

#define G_LOG_DOMAIN "test-machines"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-machines-page.h"

#define WAIT_SECONDS 10

static gboolean
set_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
is_loaded (PvmMachinesPage *page)
{
  return g_strcmp0 (pvm_machines_page_get_shown (page), "loading") != 0;
}

static void
wait_until_loaded (PvmMachinesPage *page)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_SECONDS, set_flag_cb, &timed_out);

  while (!is_loaded (page) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("the Machines page was still loading after %d s", WAIT_SECONDS);
  g_source_remove (timeout_id);
}

static char *
domain_xml (const char *domain,
            const char *name,
            const char *state)
{
  return g_strdup_printf (
    "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
    "<name>%s</name>"
    "<metadata><pvm:vm xmlns:pvm='https://io.github.pvm/xmlns/vm/1'>"
    "<index>0</index><name value='%s'/><image path='/srv/images/%s.qcow2'/>"
    "<input kind='squashfs' path='/srv/data/%s.sqsh'/><output path='/srv/out/%s'/>"
    "<memory unit='bytes'>536870912</memory><cores>2</cores><extra-args/>"
    "</pvm:vm></metadata>"
    "<memory unit='KiB'>524288</memory><vcpu>2</vcpu>"
    "<os><type arch='x86_64'>hvm</type></os>%s</domain>",
    domain, name, name, name, name, state);
}

/* Writes the node file and a pvm.conf pointing at it, in this test's own
 * XDG directories (G_TEST_OPTION_ISOLATE_DIRS). */
static void
write_node (const char *domains)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "pvm", NULL);
  g_autofree char *node = g_build_filename (g_get_user_config_dir (), "vms.xml", NULL);
  g_autofree char *config = g_build_filename (dir, "pvm.conf", NULL);
  g_autofree char *node_text = g_strdup_printf ("<node>%s</node>", domains);
  g_autofree char *config_text = g_strdup_printf ("[pvm]\nLIBVIRT_URI=test://%s\n", node);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (node, node_text, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);
}

static PvmMachinesPage *
show_page (GtkWindow **window)
{
  PvmMachinesPage *page = g_object_new (PVM_TYPE_MACHINES_PAGE, NULL);

  *window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_child (*window, GTK_WIDGET (page));
  gtk_window_present (*window);
  wait_until_loaded (page);
  return page;
}

/* The row titles, in order, joined with "|". */
static char *
dup_titles (PvmMachinesPage *page)
{
  g_autoptr(GString) titles = g_string_new (NULL);
  GtkWidget *widget = GTK_WIDGET (page);
  GPtrArray *stack = g_ptr_array_new ();

  /* Depth-first, children in order. */
  g_ptr_array_add (stack, widget);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);
      g_autoptr(GPtrArray) children = g_ptr_array_new ();

      if (ADW_IS_ACTION_ROW (w))
        g_string_append_printf (titles, "%s%s", titles->len > 0 ? "|" : "",
                                adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)));
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL;
           c = gtk_widget_get_next_sibling (c))
        g_ptr_array_add (children, c);
      for (guint i = children->len; i > 0; i--)
        g_ptr_array_add (stack, children->pdata[i - 1]);
    }
  g_ptr_array_unref (stack);
  return g_string_free (g_steal_pointer (&titles), FALSE);
}

static void
test_list (void)
{
  g_autofree char *running = domain_xml ("pvm-alpha", "alpha", "");
  g_autofree char *stopped = domain_xml ("pvm-beta", "beta",
                                                  "<test:runstate>5</test:runstate>");
  g_autofree char *domains = g_strconcat (running, stopped,
                                          "<domain type='test'><name>other</name>"
                                          "<memory>262144</memory>"
                                          "<os><type arch='x86_64'>hvm</type></os></domain>",
                                          NULL);
  g_autofree char *titles = NULL;
  GtkWindow *window;
  PvmMachinesPage *page;

  write_node (domains);
  page = show_page (&window);

  g_assert_cmpstr (pvm_machines_page_get_shown (page), ==, "list");
  g_assert_cmpuint (pvm_machines_page_get_n_machines (page), ==, 2);
  titles = dup_titles (page);
  g_assert_cmpstr (titles, ==, "alpha|beta");

  gtk_window_destroy (window);
}

static void
test_empty (void)
{
  GtkWindow *window;
  PvmMachinesPage *page;

  write_node ("<domain type='test'><name>other</name><memory>262144</memory>"
              "<os><type arch='x86_64'>hvm</type></os></domain>");
  page = show_page (&window);
  g_assert_cmpstr (pvm_machines_page_get_shown (page), ==, "empty");
  g_assert_cmpuint (pvm_machines_page_get_n_machines (page), ==, 0);
  gtk_window_destroy (window);
}

static void
test_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "pvm", NULL);
  g_autofree char *config = g_build_filename (dir, "pvm.conf", NULL);
  GtkWindow *window;
  PvmMachinesPage *page;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (config, "[pvm]\nLIBVIRT_URI=test:///nonexistent/node.xml\n", -1, &error);
  g_assert_no_error (error);

  page = show_page (&window);
  g_assert_cmpstr (pvm_machines_page_get_shown (page), ==, "error");
  gtk_window_destroy (window);
}

int
main (int    argc,
      char **argv)
{
  /* Each test gets its own XDG directories, so its own pvm.conf: that
   * needs g_test_init() itself rather than gtk_test_init(). Without a
   * display gtk_init() fails the test: it is never skipped. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  g_test_add_func ("/machines/list", test_list);
  g_test_add_func ("/machines/empty", test_empty);
  g_test_add_func ("/machines/unreachable", test_unreachable);

  return g_test_run ();
}
