/* SPDX-License-Identifier: BSD-3-Clause */
/* test-pages.c: the Machines, Images and Data pages, in process, on a
 * real (virtual) display. Machines against libvirt's test driver (a node
 * file with pVM's domains, metadata and all, and one domain pVM did not
 * define: no daemon runs); Images and Data against repositories made here
 * with qemu-img and mksquashfs.
 *
 * Run through pvm-xvfb-run (meson test does).
 */

#define G_LOG_DOMAIN "test-pages"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "pvm-bundle-dialog.h"
#include "pvm-core.h"
#include "pvm-data-page.h"
#include "pvm-gui-test.h"
#include "pvm-images-page.h"
#include "pvm-launch-dialog.h"
#include "pvm-machines-page.h"
#include "pvm-settings.h"
#include "pvm-test-util.h"
#include "pvm-vm-window.h"
#include "pvm-window.h"

static guint
n_items (PvmListPage *page)
{
  GPtrArray *items = pvm_list_page_get_items (page);

  return items != NULL ? items->len : 0;
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
    "<memory unit='bytes'>536870912</memory><cores>2</cores><ssh-port>2222</ssh-port>"
    "<extra-args/>"
    "</pvm:vm></metadata>"
    "<memory unit='KiB'>524288</memory><vcpu>2</vcpu>"
    "<os><type arch='x86_64'>hvm</type></os>%s</domain>",
    domain, name, name, name, name, state);
}

/* Writes the node file and a pvm.conf pointing at it. */
static void
write_node (const char *domains)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *node = g_build_filename (g_get_user_config_dir (), "vms.xml", NULL);
  g_autofree char *node_text = g_strdup_printf ("<node>%s</node>", domains);
  g_autofree char *config_text = g_strdup_printf ("[pvm]\nLIBVIRT_URI=test://%s\n", node);

  pvm_gui_test_write_config (config_text);
  g_file_set_contents (node, node_text, -1, &error);
  g_assert_no_error (error);
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
  PvmListPage *page;

  write_node (domains);
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);

  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "list");
  g_assert_cmpuint (n_items (page), ==, 2);
  titles = pvm_gui_test_dup_titles (page);
  g_assert_cmpstr (titles, ==, "alpha: Running · 512 MiB · 2 vCPUs\n"
                              "alpha.sqsh → alpha|"
                              "beta: Stopped · 512 MiB · 2 vCPUs\n"
                              "beta.sqsh → beta");

  gtk_window_destroy (window);
}

static void
test_empty (void)
{
  GtkWindow *window;
  PvmListPage *page;

  write_node ("<domain type='test'><name>other</name><memory>262144</memory>"
              "<os><type arch='x86_64'>hvm</type></os></domain>");
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "empty");
  g_assert_cmpuint (n_items (page), ==, 0);
  gtk_window_destroy (window);
}

static void
test_unreachable (void)
{
  GtkWindow *window;
  PvmListPage *page;

  pvm_gui_test_write_config ("[pvm]\nLIBVIRT_URI=test:///nonexistent/node.xml\n");
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "error");
  gtk_window_destroy (window);
}

static gboolean
is_stopped (PvmVm *vm)
{
  return pvm_vm_get_state (vm) == PVM_VM_STATE_STOPPED;
}

static gboolean
is_running (PvmVm *vm)
{
  return pvm_vm_get_state (vm) == PVM_VM_STATE_RUNNING;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* A VM's panel: its connection details, and the actions its state allows,
 * done for real on libvirt's test driver. */
static void
test_panel (void)
{
  g_autofree char *running = domain_xml ("pvm-alpha", "alpha", "");
  g_autofree char *titles = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  PvmListPage *page;
  PvmVmWindow *panel;
  GtkWindow *dialog;
  PvmVm *vm;

  write_node (running);
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  g_assert_cmpuint (n_items (page), ==, 1);
  vm = g_ptr_array_index (pvm_list_page_get_items (page), 0);

  panel = pvm_vm_window_new (vm);
  g_object_add_weak_pointer (G_OBJECT (panel), (gpointer *) &panel);
  gtk_window_present (GTK_WINDOW (panel));
  titles = pvm_gui_test_dup_titles (panel);
  g_assert_nonnull (strstr (titles, "SSH: ssh -p 2222 127.0.0.1|"));
  g_assert_nonnull (strstr (titles, "|Console: virt-viewer --connect "));
  g_assert_nonnull (strstr (titles, "|Input (read-only): /srv/data/alpha.sqsh (squashfs)|"));
  g_assert_nonnull (strstr (titles, "|Output: /srv/out/alpha|"));
  g_assert_nonnull (strstr (titles, "|Memory and vCPUs: 512 MiB, 2 vCPUs"));

  /* Its output folder is not there: nothing to open, and the button says why. */
  {
    GtkWidget *output = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (panel),
                                                                   PVM_TYPE_VM_WINDOW,
                                                                   "output_button"));

    g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.open-output"));
    g_assert_cmpstr (gtk_widget_get_tooltip_text (output), ==,
                     "The output folder /srv/out/alpha does not exist");
  }

  /* Running: it can be stopped, not deleted. */
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.start"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.delete"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.resume"));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.stop"));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.force-off"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "vm.force-off", NULL));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_stopped, vm, "the VM to stop");

  /* Stopped: started again, as it is defined, and stopped again. */
  while (!pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.start") &&
         g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.start"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "vm.start", NULL));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_running, vm, "the VM to start again");
  while (!pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.force-off") &&
         g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.start"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "vm.force-off", NULL));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_stopped, vm, "the VM to stop again");

  /* Stopped: deleted, and gone from libvirt; the panel closes. */
  while (!pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.delete") &&
         g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.stop"));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (panel), "vm.delete"));
  /* Asked first: Cancel keeps it. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "vm.delete", NULL));
  dialog = pvm_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Delete alpha?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "alpha will leave libvirt. Its image"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  gtk_window_destroy (dialog);
  g_assert_nonnull (panel);
  g_assert_true (is_stopped (vm));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "vm.delete", NULL));
  dialog = pvm_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  gtk_window_destroy (dialog);
  /* The deletion runs in a thread; the panel closes when it is done. */
  pvm_gui_test_wait_for (is_null, &panel, "the panel to close");
  {
    /* (A new connection to a test driver file would start from the file.) */
    g_autoptr(GVirConfigDomain) config = gvir_domain_get_config (pvm_vm_get_domain (vm), 0,
                                                                 &error);

    g_assert_null (config);
    g_assert_nonnull (error);
  }
  gtk_window_destroy (window);
}

static PvmVm *
find_vm (PvmListPage *page,
         const char  *name)
{
  GPtrArray *items = pvm_list_page_get_items (page);

  for (guint i = 0; items != NULL && i < items->len; i++)
    if (g_str_equal (pvm_vm_get_name (g_ptr_array_index (items, i)), name))
      return g_ptr_array_index (items, i);
  return NULL;
}

static gboolean
page_has_text (gpointer text)
{
  PvmListPage *page = PVM_LIST_PAGE (pvm_gui_test_find (GTK_WIDGET (pvm_gui_test_find_window (
                                                          GTK_TYPE_WINDOW)),
                                                        PVM_TYPE_MACHINES_PAGE, NULL));

  return page != NULL && pvm_gui_test_has_text (GTK_WIDGET (page), text);
}

/* Clicks the (icon) button of @action under @page. */
static void
press_action (PvmListPage *page,
              const char  *action)
{
  GtkWidget *button = pvm_gui_test_find_action_button (GTK_WIDGET (page), action);

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static gboolean
lists_only_gamma (gpointer page)
{
  g_autofree char *titles = pvm_gui_test_dup_titles (page);

  return g_str_has_prefix (titles, "gamma: ") && strchr (titles, '|') == NULL;
}

/* Selection mode: VMs picked by their check buttons or by activating
 * their rows, then started, stopped and deleted together, for real on
 * libvirt's test driver; what cannot be done with the VMs picked is
 * disabled. */
static void
test_select (void)
{
  g_autofree char *alpha = domain_xml ("pvm-alpha", "alpha", "");
  g_autofree char *beta = domain_xml ("pvm-beta", "beta", "<test:runstate>5</test:runstate>");
  g_autofree char *gamma = domain_xml ("pvm-gamma", "gamma", "");
  g_autofree char *domains = g_strconcat (alpha, beta, gamma, NULL);
  PvmMachinesPage *machines;
  GtkWidget *row, *check, *delete_button;
  GtkWindow *window, *dialog;
  PvmListPage *page;

  write_node (domains);
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  machines = PVM_MACHINES_PAGE (page);
  g_assert_cmpuint (n_items (page), ==, 3);
  g_assert_false (pvm_machines_page_get_selection_mode (machines));
  g_assert_nonnull (pvm_gui_test_find (GTK_WIDGET (page), GTK_TYPE_BUTTON, "_Launch VMs"));
  g_assert_true (gtk_widget_get_visible (pvm_gui_test_find (GTK_WIDGET (page), GTK_TYPE_BUTTON,
                                                            "_Launch VMs")));

  /* The bar's Select: a check button on every row, nothing picked yet. */
  press_action (page, "machines.selection-mode");
  g_assert_true (pvm_machines_page_get_selection_mode (machines));
  g_assert_cmpstr (pvm_machines_page_get_selection_text (machines), ==,
                   "Click VMs to select them");
  row = pvm_gui_test_find (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, "beta");
  check = pvm_gui_test_find (row, GTK_TYPE_CHECK_BUTTON, NULL);
  g_assert_true (gtk_widget_get_visible (check));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.start-selected"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.stop-selected"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.delete-selected"));

  /* alpha (running) picked by activating its row, as a click does; beta
   * (off) by its check button. */
  g_assert_true (gtk_widget_activate (pvm_gui_test_find (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW,
                                                         "alpha")));
  g_assert_null (pvm_gui_test_find_window (PVM_TYPE_VM_WINDOW));
  g_assert_cmpstr (pvm_machines_page_get_selection_text (machines), ==, "1 VM selected");
  g_assert_true (gtk_check_button_get_active (
    GTK_CHECK_BUTTON (pvm_gui_test_find (pvm_gui_test_find (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW,
                                                            "alpha"),
                                         GTK_TYPE_CHECK_BUTTON, NULL))));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);
  g_assert_cmpstr (pvm_machines_page_get_selection_text (machines), ==, "2 VMs selected");
  /* One runs: both can be started (the one off) or stopped (the one on),
   * neither deleted, and Delete says why. */
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.start-selected"));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.stop-selected"));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.delete-selected"));
  delete_button = pvm_gui_test_find (GTK_WIDGET (page), GTK_TYPE_BUTTON, "_Delete");
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (delete_button), "stop the others first"));

  /* Stop: alpha powers off (the power button), beta stays off, gamma,
   * not picked, runs on. */
  pvm_gui_test_press (GTK_WIDGET (page), "Sto_p");
  pvm_gui_test_wait_for (page_has_text, (gpointer) "Stopped 1 VM", "the stop's toast");
  g_assert_true (is_stopped (find_vm (page, "alpha")));
  g_assert_true (is_stopped (find_vm (page, "beta")));
  g_assert_true (is_running (find_vm (page, "gamma")));

  /* Start: both. */
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.stop-selected"));
  pvm_gui_test_press (GTK_WIDGET (page), "_Start");
  pvm_gui_test_wait_for (page_has_text, (gpointer) "Started 2 VMs", "the start's toast");
  g_assert_true (is_running (find_vm (page, "alpha")));
  g_assert_true (is_running (find_vm (page, "beta")));
  pvm_gui_test_press (GTK_WIDGET (page), "Sto_p");
  pvm_gui_test_wait_for (page_has_text, (gpointer) "Stopped 2 VMs", "the second stop's toast");

  /* Delete, once both are off: asked first; Cancel keeps them. */
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.delete-selected"));
  pvm_gui_test_press (GTK_WIDGET (page), "_Delete");
  dialog = pvm_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Delete 2 VMs?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "alpha, beta will leave libvirt"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_assert_cmpuint (n_items (page), ==, 3);
  pvm_gui_test_press (GTK_WIDGET (page), "_Delete");
  dialog = pvm_gui_test_find_window (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "delete");
  pvm_gui_test_wait_for (lists_only_gamma, page, "the list without alpha and beta");
  g_assert_true (page_has_text ((gpointer) "Deleted 2 VMs; their images are kept"));
  /* They left the selection with the list. */
  g_assert_cmpstr (pvm_machines_page_get_selection_text (machines), ==,
                   "Click VMs to select them");

  /* Select All; Select again leaves selection mode and forgets them. */
  press_action (page, "machines.select-all");
  g_assert_cmpstr (pvm_machines_page_get_selection_text (machines), ==, "1 VM selected");
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (page), "machines.select-all"));
  press_action (page, "machines.selection-mode");
  g_assert_false (pvm_machines_page_get_selection_mode (machines));
  row = pvm_gui_test_find (GTK_WIDGET (page), ADW_TYPE_ACTION_ROW, "gamma");
  g_assert_false (gtk_widget_get_visible (pvm_gui_test_find (row, GTK_TYPE_CHECK_BUTTON, NULL)));
  press_action (page, "machines.selection-mode");
  g_assert_cmpstr (pvm_machines_page_get_selection_text (machines), ==,
                   "Click VMs to select them");
  /* Escape's action leaves it too (test-shortcuts: the key is bound). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "machines.leave-selection", NULL));
  g_assert_false (pvm_machines_page_get_selection_mode (machines));
  gtk_window_destroy (window);
}

static gboolean
titles_have (gpointer data)
{
  const char **args = data;   /* the page, then the text */
  g_autofree char *titles = pvm_gui_test_dup_titles ((gpointer) args[0]);

  return strstr (titles, args[1]) != NULL;
}

static gboolean
titles_lack (gpointer data)
{
  return !titles_have (data);
}

static void
append_serial (const char *path,
               const char *text)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, NULL);

  g_assert_nonnull (stream);
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (stream), text, strlen (text), NULL,
                                            NULL, NULL));
}

/* The progress a running job reports on the serial port (docs/guest-
 * contract.md) shows in its row, as it changes, and goes once the job
 * has ended; the panel's Guest row says it too. */
static void
test_progress (void)
{
  g_autofree char *serial = g_build_filename (g_get_user_state_dir (), "alpha.log", NULL);
  g_autofree char *devices = g_strdup_printf ("<devices><serial type='file'><source path='%s'/>"
                                              "<target port='0'/></serial></devices>", serial);
  g_autofree char *alpha = domain_xml ("pvm-alpha", "alpha", devices);
  const char *panel_guest[] = { NULL, "|Guest: job start input, job at 40% (half way)|" };
  const char *half[] = { NULL, "alpha: Running, job at 40% (half way) · 512 MiB · 2 vCPUs" };
  const char *more[] = { NULL, "alpha: Running, job at 75% · 512 MiB · 2 vCPUs" };
  const char *job[] = { NULL, "job at" };
  GtkWindow *window;
  PvmListPage *page;
  PvmVmWindow *panel;

  g_mkdir_with_parents (g_get_user_state_dir (), 0700);
  g_file_set_contents (serial, "SeaBIOS\npvm-guest: boot\npvm-progress: 10 not yet\n"
                               "pvm-guest: ready\npvm-guest: job start input\n"
                               "counting\npvm-progress: 40 half way\r\n", -1, NULL);
  write_node (alpha);
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  half[0] = more[0] = job[0] = (const char *) page;
  pvm_machines_page_read_progress (PVM_MACHINES_PAGE (page));
  pvm_gui_test_wait_for (titles_have, half, "the job's progress in its row");

  /* The panel's Guest row. */
  panel = pvm_vm_window_new (g_ptr_array_index (pvm_list_page_get_items (page), 0));
  gtk_window_present (GTK_WINDOW (panel));
  panel_guest[0] = (const char *) panel;
  pvm_gui_test_wait_for (titles_have, panel_guest, "the job's progress in the panel");
  gtk_window_destroy (GTK_WINDOW (panel));

  /* A line that is no progress changes nothing; the next one shows. */
  append_serial (serial, "pvm-progress: lots\npvm-progress: 75\n");
  pvm_machines_page_read_progress (PVM_MACHINES_PAGE (page));
  pvm_gui_test_wait_for (titles_have, more, "the job's next progress");

  /* Ended: no progress any more. */
  append_serial (serial, "pvm-guest: job exit 0\n");
  pvm_machines_page_read_progress (PVM_MACHINES_PAGE (page));
  pvm_gui_test_wait_for (titles_lack, job, "the job's end");
  gtk_window_destroy (window);
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

/* A VM that discards its changes (-snapshot: a transient disk) is not
 * saved, into libvirt or into a file: libvirt cannot, and pVM says so in
 * its words, the VM running on. */
static void
test_snapshot_not_saved (void)
{
  g_autofree char *alpha = domain_xml ("pvm-alpha", "alpha", "");
  g_autofree char *bundle = g_build_filename (g_get_user_data_dir (), "alpha.pvmsave", NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  PvmListPage *page;
  PvmVm *vm;
  char *at;

  /* The pVM metadata's extra arguments: -snapshot. */
  at = strstr (alpha, "<extra-args/>");
  g_assert_nonnull (at);
  {
    g_autofree char *head = g_strndup (alpha, at - alpha);
    g_autofree char *with = g_strconcat (head, "<extra-args><arg value='-snapshot'/></extra-args>",
                                         at + strlen ("<extra-args/>"), NULL);

    write_node (with);
  }
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  vm = find_vm (page, "alpha");
  g_assert_nonnull (vm);

  pvm_vm_save_async (vm, NULL, async_done_cb, &result);
  pvm_gui_test_wait_for (has_result, &result, "the save");
  g_assert_false (pvm_vm_save_finish (vm, result, &error));
  g_assert_nonnull (strstr (error->message, "The VM alpha discards its changes (-snapshot)"));
  g_assert_nonnull (strstr (error->message, "it keeps running here"));
  g_clear_error (&error);
  g_clear_object (&result);

  pvm_vm_save_to_bundle_async (vm, bundle, NULL, NULL, NULL, async_done_cb, &result);
  pvm_gui_test_wait_for (has_result, &result, "the save into a file");
  g_assert_false (pvm_vm_save_to_bundle_finish (vm, result, &error));
  g_assert_nonnull (strstr (error->message, "The VM alpha discards its changes (-snapshot)"));
  g_assert_false (g_file_test (bundle, G_FILE_TEST_EXISTS));
  g_assert_true (is_running (vm));
  gtk_window_destroy (window);
}

/* DRIVEREPO and SQUASHREPO in this test's own directories. */
static void
write_repos_config (char **images,
                    char **data)
{
  g_autofree char *text = NULL;

  *images = g_build_filename (g_get_user_data_dir (), "images", NULL);
  *data = g_build_filename (g_get_user_data_dir (), "data", NULL);
  text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\n", *images, *data);
  pvm_gui_test_write_config (text);
}

/* Gives every row of @page's list the focus, as a click, Tab or a closing
 * dialog does: the focus must land in the row (GTK 4.8 asked the row, a
 * GtkListBoxRow outside a GtkListBox, and failed an assertion, which is
 * fatal here). */
static void
focus_each_row (PvmListPage *page,
                GtkWindow   *window)
{
  GtkWidget *list = NULL;
  guint n_focused = 0;

  for (GtkWidget *w = GTK_WIDGET (page); w != NULL && list == NULL; )
    {
      if (GTK_IS_LIST_VIEW (w))
        list = w;
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && w != GTK_WIDGET (page) && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w == NULL || w == GTK_WIDGET (page) ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (list);

  for (GtkWidget *item = gtk_widget_get_first_child (list); item != NULL;
       item = gtk_widget_get_next_sibling (item))
    {
      GtkWidget *focus;

      if (!ADW_IS_ACTION_ROW (gtk_widget_get_first_child (item)))
        continue;
      g_assert_true (gtk_widget_grab_focus (item));
      focus = gtk_root_get_focus (GTK_ROOT (window));
      g_assert_true (focus == item || gtk_widget_is_ancestor (focus, item));
      n_focused++;
    }
  g_assert_cmpuint (n_focused, ==, n_items (page));
  g_assert_true (gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD));
}

/* What a page that follows its directory should come to show. */
typedef struct
{
  PvmListPage *page;
  guint        n_items;
  const char  *title;        /* among its titles, or NULL */
  gboolean     saw_spinner;  /* it showed its spinner meanwhile */
  guint        loads;        /* "loaded" so far */
} Follow;

static gboolean
page_follows (gpointer data)
{
  Follow *follow = data;
  g_autofree char *titles = NULL;

  if (g_strcmp0 (pvm_list_page_get_shown (follow->page), "loading") == 0)
    {
      follow->saw_spinner = TRUE;
      return FALSE;
    }
  if (n_items (follow->page) != follow->n_items)
    return FALSE;
  titles = pvm_gui_test_dup_titles (follow->page);
  return follow->title == NULL || strstr (titles, follow->title) != NULL;
}

static void
loaded_cb (PvmListPage *page,
           Follow      *follow)
{
  follow->loads++;
}

/* @page follows @directory: @file (a name of @make's), made there, shows
 * as @title; renamed to @renamed_file, as @renamed_title; removed, it
 * goes; a hidden file (pVM's temporary files and caches) changes nothing.
 * No reload asked, no spinner, no load after another without end. */
static void
check_follows (PvmListPage        *page,
               const char         *directory,
               const char * const *make,
               const char         *file,
               const char         *title,
               const char         *renamed_file,
               const char         *renamed_title)
{
  g_autofree char *path = g_build_filename (directory, file, NULL);
  g_autofree char *renamed = g_build_filename (directory, renamed_file, NULL);
  g_autofree char *hidden = g_build_filename (directory, ".scratch", NULL);
  g_autoptr(GError) error = NULL;
  guint before = n_items (page);
  Follow follow = { page, before + 1, title, FALSE, 0 };
  gulong handler = g_signal_connect (page, "loaded", G_CALLBACK (loaded_cb), &follow);
  guint loads;

  g_free (pvm_test_run_tool (directory, make));
  pvm_gui_test_wait_for (page_follows, &follow, file);
  /* Listing it wrote nothing that makes the page read it again (one more
   * load: the file's closing, if it came after the first one started). */
  loads = follow.loads;
  pvm_gui_test_run_for (1000);   /* time for a refresh that should not come */
  g_assert_cmpuint (follow.loads, <=, loads + 1);

  g_assert_cmpint (g_rename (path, renamed), ==, 0);
  follow.title = renamed_title;
  pvm_gui_test_wait_for (page_follows, &follow, renamed_file);

  g_file_set_contents (hidden, "temporary\n", -1, &error);
  g_assert_no_error (error);
  loads = follow.loads;
  pvm_gui_test_run_for (1000);   /* time for a refresh that should not come */
  g_assert_cmpuint (follow.loads, ==, loads);
  g_assert_cmpint (g_unlink (hidden), ==, 0);

  g_assert_cmpint (g_unlink (renamed), ==, 0);
  follow.n_items = before;
  follow.title = NULL;
  pvm_gui_test_wait_for (page_follows, &follow, "the removal");
  g_assert_false (follow.saw_spinner);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "list");
  g_signal_handler_disconnect (page, handler);
}

static void
test_images (void)
{
  g_autofree char *images = NULL;
  g_autofree char *data = NULL;
  g_autofree char *titles = NULL;
  GtkWindow *window;
  PvmListPage *page;

  write_repos_config (&images, &data);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  {
    const char *base[] = { "qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", "1G", NULL };
    const char *overlay[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                              "base.qcow2", "a-overlay.qcow2", NULL };
    const char *alone[] = { "qemu-img", "create", "-q", "-f", "qcow2", "alone.qcow2", "2G", NULL };

    g_free (pvm_test_run_tool (images, base));
    g_free (pvm_test_run_tool (images, overlay));
    g_free (pvm_test_run_tool (images, alone));
  }

  page = pvm_gui_test_show_page (PVM_TYPE_IMAGES_PAGE, &window);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "list");
  g_assert_cmpuint (n_items (page), ==, 3);
  titles = pvm_gui_test_dup_titles (page);
  /* Each base followed by its overlays. */
  g_assert_true (g_str_has_prefix (titles, "alone: 2 GiB · "));
  g_assert_nonnull (strstr (titles, "|base: 1 GiB · "));
  g_assert_nonnull (strstr (titles, "Protected: the base of 1 overlay, never booted, changed or "
                            "deleted|a-overlay: 1 GiB · "));
  g_assert_true (g_str_has_suffix (titles, "Overlay of base.qcow2"));
  focus_each_row (page, window);

  {
    const char *more[] = { "qemu-img", "create", "-q", "-f", "qcow2", "more.qcow2", "3G", NULL };

    check_follows (page, images, more, "more.qcow2", "more: 3 GiB", "renamed.qcow2",
                   "renamed: 3 GiB");
  }
  gtk_window_destroy (window);
}

static void
test_data (void)
{
  g_autofree char *images = NULL;
  g_autofree char *data = NULL;
  g_autofree char *titles = NULL;
  g_autofree char *source = g_build_filename (g_get_user_data_dir (), "source", NULL);
  g_autofree char *file = g_build_filename (source, "numbers.txt", NULL);
  g_autofree char *archive = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  PvmListPage *page;

  write_repos_config (&images, &data);

  /* No repository yet: why, and a way to try again. */
  page = pvm_gui_test_show_page (PVM_TYPE_DATA_PAGE, &window);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "error");
  gtk_window_destroy (window);

  archive = g_build_filename (data, "numbers.sqsh", NULL);
  g_assert_cmpint (g_mkdir_with_parents (source, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data, 0755), ==, 0);
  g_file_set_contents (file, "1\n2\n3\n", -1, &error);
  g_assert_no_error (error);
  {
    const char *mksquashfs[] = { "mksquashfs", source, archive, "-comp", "xz", "-quiet",
                                 "-no-progress", NULL };

    g_free (pvm_test_run_tool (NULL, mksquashfs));
  }

  page = pvm_gui_test_show_page (PVM_TYPE_DATA_PAGE, &window);
  g_assert_cmpstr (pvm_list_page_get_shown (page), ==, "list");
  titles = pvm_gui_test_dup_titles (page);
  g_test_message ("%s", titles);
  g_assert_true (g_str_has_prefix (titles, "numbers: 4 KiB · xz\n6 bytes in 1 file, ratio 0.00"));

  {
    g_autofree char *more_archive = g_build_filename (data, "more.sqsh", NULL);
    const char *more[] = { "mksquashfs", source, more_archive, "-comp", "gzip", "-quiet",
                           "-no-progress", NULL };

    check_follows (page, data, more, "more.sqsh", "more: 4 KiB · gzip", "renamed.sqsh",
                   "renamed: 4 KiB · gzip");
  }
  gtk_window_destroy (window);
}

/* The main window's search, by keyboard as a user does it (XTest: the
 * window is at the top left of the screen and, with no window manager,
 * the keyboard goes where the pointer is). */
typedef struct
{
  PvmListPage  *page;
  GtkSearchBar *bar;
  GtkEditable  *entry;
  const char   *text;     /* what the entry holds: every key typed taken */
  const char   *titles;   /* the names the page lists, "a|b" (in pVM's
                           * order: pvm_names_sort ()); NULL: none found */
  gboolean      searching;
} Search;

static char *
dup_names (PvmListPage *page)
{
  g_autofree char *titles = pvm_gui_test_dup_titles (page);
  g_auto(GStrv) rows = g_strsplit (titles, "|", -1);
  GString *names = g_string_new (NULL);

  for (guint i = 0; rows[i] != NULL && rows[i][0] != '\0'; i++)
    {
      char *colon = strchr (rows[i], ':');

      g_string_append_printf (names, "%s%.*s", names->len > 0 ? "|" : "",
                              colon != NULL ? (int) (colon - rows[i]) : (int) strlen (rows[i]),
                              rows[i]);
    }
  return g_string_free (names, FALSE);
}

static gboolean
search_shows (gpointer data)
{
  Search *search = data;
  g_autofree char *names = NULL;

  if (gtk_search_bar_get_search_mode (search->bar) != search->searching ||
      g_strcmp0 (gtk_editable_get_text (search->entry), search->text) != 0)
    return FALSE;
  if (search->titles == NULL)
    return g_strcmp0 (pvm_list_page_get_shown (search->page), "no-results") == 0;
  names = dup_names (search->page);
  return g_strcmp0 (pvm_list_page_get_shown (search->page), "list") == 0 &&
         g_strcmp0 (names, search->titles) == 0;
}

/* A search of @data's text is on, and its page shows its empty state. */
static gboolean
empty_searched (gpointer data)
{
  Search *search = data;

  return gtk_search_bar_get_search_mode (search->bar) &&
         g_strcmp0 (gtk_editable_get_text (search->entry), search->text) == 0 &&
         g_strcmp0 (pvm_list_page_get_shown (search->page), "empty") == 0;
}

#define ARGS(...) ((const char * const []) { __VA_ARGS__, NULL })

/* The keyboard is on @page's list, on a row rather than a button in it. */
static void
assert_list_has_focus (GtkWindow   *window,
                       PvmListPage *page)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  g_assert_nonnull (focus);
  g_assert_true (gtk_widget_is_ancestor (focus, GTK_WIDGET (page)));
  g_assert_false (GTK_IS_BUTTON (focus));
}

/* Typing on a page searches it, as in GNOME Boxes; every word must be in
 * a name, in any case; nothing found says so; Escape ends the search;
 * Ctrl+F starts one; another page ends it; a search stays on as the page
 * follows its directory. */
static void
test_search (void)
{
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "images", NULL);
  g_autofree char *data = g_build_filename (g_get_user_data_dir (), "data", NULL);
  g_autofree char *config = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\n"
                                             "LIBVIRT_URI=test:///default\n", images, data);
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(PvmSettings) settings = pvm_settings_new_with_backend (backend);
  const char * const names[] = { "Survey-2024", "survey-2025", "base", NULL };
  GtkSearchEntry *entry;
  PvmWindow *window;
  Search search = { NULL };
  Search data_search = { NULL };

  pvm_gui_test_write_config (config);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (data, 0755), ==, 0);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *file = g_strconcat (names[i], ".qcow2", NULL);

      g_free (pvm_test_run_tool (images, ARGS ("qemu-img", "create", "-q", "-f", "qcow2", file,
                                               "1G")));
    }

  window = pvm_window_new (NULL, settings);
  pvm_window_set_visible_page (window, "images");
  gtk_window_present (GTK_WINDOW (window));
  search.page = PVM_LIST_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                              PVM_TYPE_WINDOW, "images_page"));
  search.bar = GTK_SEARCH_BAR (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                              PVM_TYPE_WINDOW, "search_bar"));
  entry = GTK_SEARCH_ENTRY (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                           PVM_TYPE_WINDOW, "search_entry"));
  search.entry = GTK_EDITABLE (entry);
  search.text = "";
  search.titles = "base|Survey-2024|survey-2025";
  pvm_gui_test_wait_for (search_shows, &search, "the images");

  pvm_gui_test_xdotool (ARGS ("mousemove", "200", "200"));
  pvm_gui_test_run_for (300);
  /* In one go, as a user types: the keys come while the bar opens and
   * the list is filtered (a space among them was lost, once). */
  pvm_gui_test_xdotool (ARGS ("type", "--delay", "40", "survey 25"));
  search.searching = TRUE;
  search.text = "survey 25";
  search.titles = "survey-2025";
  pvm_gui_test_wait_for (search_shows, &search, "a search for survey 25");
  pvm_gui_test_xdotool (ARGS ("type", "--delay", "40", "x"));
  search.text = "survey 25x";
  search.titles = NULL;
  pvm_gui_test_wait_for (search_shows, &search, "no results");
  /* Still the page's New Image: a search that finds nothing is not an
   * empty repository, whose own button would stand for it. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (gtk_widget_get_template_child (
    GTK_WIDGET (search.page), PVM_TYPE_IMAGES_PAGE, "action_bar"))));

  pvm_gui_test_xdotool (ARGS ("key", "Escape"));
  search.searching = FALSE;
  search.text = "";
  search.titles = "base|Survey-2024|survey-2025";
  pvm_gui_test_wait_for (search_shows, &search, "the end of the search");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  assert_list_has_focus (GTK_WINDOW (window), search.page);

  pvm_gui_test_xdotool (ARGS ("key", "ctrl+f"));
  search.searching = TRUE;
  pvm_gui_test_wait_for (search_shows, &search, "Ctrl+F");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (entry)) ||
                 gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                         GTK_WIDGET (entry)));
  pvm_gui_test_xdotool (ARGS ("type", "--delay", "40", "2024"));
  search.text = "2024";
  search.titles = "Survey-2024";
  pvm_gui_test_wait_for (search_shows, &search, "a search for 2024");

  /* The page follows its directory, and the search holds. */
  g_free (pvm_test_run_tool (images, ARGS ("qemu-img", "create", "-q", "-f", "qcow2",
                                           "run-2024.qcow2", "1G")));
  search.titles = "run-2024|Survey-2024";
  pvm_gui_test_wait_for (search_shows, &search, "a new image found");

  /* Another page: the search ends, and no page stays filtered. */
  pvm_window_set_visible_page (window, "data");
  g_assert_false (gtk_search_bar_get_search_mode (search.bar));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  /* The Data page is empty: its Add Data button. */
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)),
                                         GTK_WIDGET (gtk_widget_get_template_child (
                                           GTK_WIDGET (window), PVM_TYPE_WINDOW, "data_page"))));
  /* A search there finds nothing in nothing: the page stays empty, with
   * its button, rather than saying the search found nothing. */
  pvm_gui_test_xdotool (ARGS ("type", "--delay", "40", "x"));
  data_search.page = PVM_LIST_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                   PVM_TYPE_WINDOW, "data_page"));
  data_search.bar = search.bar;
  data_search.entry = search.entry;
  data_search.text = "x";
  pvm_gui_test_wait_for (empty_searched, &data_search, "a search of the empty Data page");
  /* The entry tells of a change a moment after it: the page has it now. */
  pvm_gui_test_run_for (500);
  g_assert_cmpstr (pvm_list_page_get_shown (data_search.page), ==, "empty");
  pvm_gui_test_xdotool (ARGS ("key", "Escape"));

  pvm_window_set_visible_page (window, "images");
  search.searching = FALSE;
  search.text = "";
  search.titles = "base|run-2024|Survey-2024|survey-2025";
  pvm_gui_test_wait_for (search_shows, &search, "the images, none hidden");

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
has_problems (PvmLaunchDialog *dialog)
{
  return pvm_launch_dialog_get_problems (dialog) != NULL;
}

/* The launch dialog turns its rows into the configuration's lists, checks
 * the plan in a thread and shows its problems; nothing starts. */
static void
test_launch_problems (void)
{
  g_autofree char *images = NULL;
  g_autofree char *data = NULL;
  PvmLaunchDialog *dialog;

  write_repos_config (&images, &data);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  {
    const char *base[] = { "qemu-img", "create", "-q", "-f", "qcow2", "base.qcow2", "1G", NULL };
    const char *overlay[] = { "qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
                              "base.qcow2", "worker.qcow2", NULL };

    g_free (pvm_test_run_tool (images, base));
    g_free (pvm_test_run_tool (images, overlay));
  }

  dialog = pvm_launch_dialog_new ();
  gtk_window_present (GTK_WINDOW (dialog));

  /* A size that does not parse: said at once. */
  pvm_launch_dialog_set_vm (dialog, 0, "worker", "None", "", "lots", "1");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.start", NULL));
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog), "MEM: "));
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog), "lots"));

  /* A base image, by the plan's checks in a thread: the problems of the
   * last try are gone meanwhile. */
  pvm_launch_dialog_set_vm (dialog, 0, "base", "None", "", "256M", "1");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.start", NULL);
  g_assert_false (has_problems (dialog));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) has_problems, dialog, "the plan's problems");
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog),
                            "VM 1 (base), -d/DRIVES: The image "));
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog),
                            "is the backing image of"));

  /* One image for two VMs: refused while they would write it, allowed once
   * both discard their changes (an output folder that cannot be made
   * stops the launch either way: nothing starts). */
  pvm_launch_dialog_set_vm (dialog, 0, "worker", "None", "/etc/hostname/out", "256M", "1");
  pvm_launch_dialog_set_vm (dialog, 1, "worker", "None", "/etc/hostname/out", "256M", "1");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.start", NULL);
  pvm_gui_test_wait_for ((PvmGuiTestCondition) has_problems, dialog, "the plan's problems");
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog),
                            "VM 2 (worker-2), -d/DRIVES: VM 1 uses the same image"));
  pvm_launch_dialog_set_discard_changes (dialog, 0, TRUE);
  pvm_launch_dialog_set_discard_changes (dialog, 1, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.start", NULL);
  pvm_gui_test_wait_for ((PvmGuiTestCondition) has_problems, dialog, "the plan's problems");
  g_assert_null (strstr (pvm_launch_dialog_get_problems (dialog), "same image"));
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog),
                            "Cannot create the output directory /etc/hostname/out"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The button under @widget whose tooltip is @tooltip, or NULL. */
static GtkWidget *
find_tooltip_button (GtkWidget  *widget,
                     const char *tooltip)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_tooltip_button (c, tooltip);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
selected_string (AdwComboRow *row)
{
  return gtk_string_object_get_string (adw_combo_row_get_selected_item (row));
}

/* The launch dialog's rows as a user changes them: a VM added takes the
 * next image and the values of the VM before, a VM removed renumbers the
 * others, a folder as input is shown by its name and reaches the plan by
 * its path, the host row shows with HOSTS only, and a host no daemon
 * answers for stops the launch with why. */
static void
test_launch_rows (void)
{
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "images", NULL);
  g_autofree char *data = g_build_filename (g_get_user_data_dir (), "data", NULL);
  g_autofree char *folder = g_build_filename (g_get_user_data_dir (), "field notes", NULL);
  g_autofree char *text = NULL;
  g_autofree char *titles = NULL;
  g_autofree char *expected = NULL;
  PvmLaunchDialog *dialog;
  GtkWidget *group, *second, *third, *host;

  text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\nOUTPUT_MODE=disk\n"
                          "HOSTS=gone=qemu+unix:///session?socket=/nonexistent/libvirt-sock\n",
                          images, data);
  pvm_gui_test_write_config (text);
  g_assert_cmpint (g_mkdir_with_parents (images, 0755), ==, 0);
  {
    const char *one[] = { "qemu-img", "create", "-q", "-f", "qcow2", "one.qcow2", "1G", NULL };
    const char *two[] = { "qemu-img", "create", "-q", "-f", "qcow2", "two.qcow2", "1G", NULL };

    g_free (pvm_test_run_tool (images, one));
    g_free (pvm_test_run_tool (images, two));
  }

  dialog = pvm_launch_dialog_new ();
  gtk_window_present (GTK_WINDOW (dialog));
  /* The configuration's output type, and one VM, which cannot be removed. */
  g_assert_cmpstr (selected_string (ADW_COMBO_ROW (pvm_gui_test_find (GTK_WIDGET (dialog),
                                                                      ADW_TYPE_COMBO_ROW,
                                                                      "Output Type"))),
                   ==, "Disk image");
  g_assert_cmpuint (pvm_launch_dialog_get_n_vms (dialog), ==, 1);
  group = pvm_gui_test_find_group (GTK_WIDGET (dialog), "VM 1");
  g_assert_false (gtk_widget_get_visible (find_tooltip_button (group, "Remove This VM")));
  host = pvm_gui_test_find (group, ADW_TYPE_COMBO_ROW, "Host");
  g_assert_true (gtk_widget_get_visible (host));
  g_assert_cmpstr (selected_string (ADW_COMBO_ROW (host)), ==, "local");

  /* VM 1 on the other host, with a folder as input and 300M: VM 2, added,
   * takes the next image and the rest of VM 1's values. */
  g_assert_true (pvm_launch_dialog_set_host (dialog, 0, "gone"));
  g_assert_false (pvm_launch_dialog_set_host (dialog, 0, "elsewhere"));
  pvm_launch_dialog_set_vm (dialog, 0, "one", folder, NULL, "300M", "1");
  expected = g_strdup_printf ("Input (read-only): %s, a shared folder: the VM cannot be saved "
                              "or moved", folder);
  titles = pvm_gui_test_dup_group_titles (dialog, "VM 1");
  g_assert_nonnull (strstr (titles, expected));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.add", NULL));
  g_assert_cmpuint (pvm_launch_dialog_get_n_vms (dialog), ==, 2);
  second = pvm_gui_test_find_group (GTK_WIDGET (dialog), "VM 2");
  g_assert_cmpstr (selected_string (ADW_COMBO_ROW (pvm_gui_test_find (second, ADW_TYPE_COMBO_ROW,
                                                                      "Image"))), ==, "two");
  g_assert_cmpstr (selected_string (ADW_COMBO_ROW (pvm_gui_test_find (second, ADW_TYPE_COMBO_ROW,
                                                                      "Host"))), ==, "gone");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (pvm_gui_test_find (second,
                                                                           ADW_TYPE_ENTRY_ROW,
                                                                           "Memory"))), ==,
                   "300M");
  g_assert_true (gtk_widget_get_visible (find_tooltip_button (group, "Remove This VM")));

  /* VM 2 discards its changes: VM 3, added, boots the same image (one
   * image for a batch) and discards its changes too. */
  pvm_launch_dialog_set_discard_changes (dialog, 1, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.add", NULL));
  third = pvm_gui_test_find_group (GTK_WIDGET (dialog), "VM 3");
  g_assert_cmpstr (selected_string (ADW_COMBO_ROW (pvm_gui_test_find (third, ADW_TYPE_COMBO_ROW,
                                                                      "Image"))), ==, "two");
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (pvm_gui_test_find (third, GTK_TYPE_SWITCH,
                                                                       NULL))));
  g_signal_emit_by_name (find_tooltip_button (third, "Remove This VM"), "clicked");
  g_assert_cmpuint (pvm_launch_dialog_get_n_vms (dialog), ==, 2);
  pvm_launch_dialog_set_discard_changes (dialog, 1, FALSE);

  /* The folder does not exist yet: the plan names it, with VM 1. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.start", NULL));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) has_problems, dialog, "the plan's problems");
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog), folder));
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog), "VM 1 (one)"));

  /* VM 1 removed: VM 2 is VM 1, alone again. */
  g_signal_emit_by_name (find_tooltip_button (group, "Remove This VM"), "clicked");
  g_assert_cmpuint (pvm_launch_dialog_get_n_vms (dialog), ==, 1);
  g_free (titles);
  titles = pvm_gui_test_dup_groups (dialog);
  g_assert_cmpstr (titles, ==, "VM 1");
  g_assert_true (pvm_gui_test_find_group (GTK_WIDGET (dialog), "VM 1") == second);
  g_assert_false (gtk_widget_get_visible (find_tooltip_button (second, "Remove This VM")));

  /* The plan is sound now; its host does not answer: said, with why. */
  g_assert_cmpint (g_mkdir_with_parents (folder, 0755), ==, 0);
  pvm_launch_dialog_set_vm (dialog, 0, NULL, folder, NULL, NULL, NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "launch.start", NULL));
  g_assert_false (has_problems (dialog));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "launch.start"));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) has_problems, dialog, "the host's error");
  g_assert_nonnull (strstr (pvm_launch_dialog_get_problems (dialog),
                            "Cannot connect to libvirt at qemu+unix:///session?socket="
                            "/nonexistent/libvirt-sock: "));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (dialog), "launch.start"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
hosts_read (PvmBundleDialog *dialog)
{
  return pvm_bundle_dialog_select_host (dialog, "local");
}

static gboolean
bundle_dialog_done (PvmBundleDialog *dialog)
{
  return !pvm_bundle_dialog_is_busy (dialog);
}

/* Save to a File… and Restore a Saved VM… up to the core: the file
 * offered (the first name free in the home folder), a file that exists
 * refused for a save and one that does not for a restore, the hosts of the
 * configuration; a file the core refuses (no bundle) says why, and the
 * restore can be tried again. (test-launch-gui saves and restores a real
 * VM.) */
static void
test_bundle_dialogs (void)
{
  g_autofree char *running = domain_xml ("pvm-alpha", "alpha", "");
  g_autofree char *first = g_build_filename (g_get_home_dir (), "alpha.pvmsave", NULL);
  g_autofree char *second = g_build_filename (g_get_home_dir (), "alpha-2.pvmsave", NULL);
  g_autofree char *missing = g_build_filename (g_get_home_dir (), "nothing.pvmsave", NULL);
  g_autofree char *offered = NULL;
  g_autofree char *titles = NULL;
  g_autofree char *config = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  PvmListPage *page;
  PvmBundleDialog *dialog;
  PvmVm *vm;

  write_node (running);
  g_assert_cmpint (g_mkdir_with_parents (g_get_home_dir (), 0700), ==, 0);
  page = pvm_gui_test_show_page (PVM_TYPE_MACHINES_PAGE, &window);
  g_assert_cmpuint (n_items (page), ==, 1);
  vm = g_ptr_array_index (pvm_list_page_get_items (page), 0);

  dialog = pvm_bundle_dialog_new_save (vm);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Save “alpha” to a File");
  offered = g_strdup_printf ("File: %s", first);
  titles = pvm_gui_test_dup_titles (dialog);
  g_assert_nonnull (strstr (titles, offered));
  g_assert_true (pvm_bundle_dialog_is_ready (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* That name taken: the next; the taken one picked is refused. */
  g_file_set_contents (first, "not a bundle\n", -1, &error);
  g_assert_no_error (error);
  dialog = pvm_bundle_dialog_new_save (vm);
  gtk_window_present (GTK_WINDOW (dialog));
  g_free (offered);
  g_free (titles);
  offered = g_strdup_printf ("File: %s", second);
  titles = pvm_gui_test_dup_titles (dialog);
  g_assert_nonnull (strstr (titles, offered));
  pvm_bundle_dialog_set_file (dialog, first);
  g_assert_nonnull (strstr (pvm_bundle_dialog_get_problem (dialog),
                            "exists: pVM does not overwrite it"));
  g_assert_false (pvm_bundle_dialog_is_ready (dialog));
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (dialog), "bundle.start"));
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (window);

  /* A restore, with a second host. */
  config = g_strdup_printf ("[pvm]\nLIBVIRT_URI=test://%s/vms.xml\n"
                            "HOSTS=gone=qemu+unix:///session?socket=/nonexistent/libvirt-sock\n",
                            g_get_user_config_dir ());
  pvm_gui_test_write_config (config);
  dialog = pvm_bundle_dialog_new_restore ();
  gtk_window_present (GTK_WINDOW (dialog));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) hosts_read, dialog, "the hosts");
  g_assert_true (gtk_widget_get_visible (pvm_gui_test_find (GTK_WIDGET (dialog),
                                                            ADW_TYPE_COMBO_ROW, "Host")));
  g_assert_true (pvm_bundle_dialog_select_host (dialog, "gone"));
  g_assert_false (pvm_bundle_dialog_select_host (dialog, "elsewhere"));
  g_assert_false (pvm_bundle_dialog_is_ready (dialog));
  pvm_bundle_dialog_set_file (dialog, missing);
  g_assert_nonnull (strstr (pvm_bundle_dialog_get_problem (dialog), "is not a file"));
  g_assert_false (pvm_bundle_dialog_is_ready (dialog));

  pvm_bundle_dialog_set_file (dialog, first);
  g_assert_null (pvm_bundle_dialog_get_problem (dialog));
  g_assert_true (pvm_bundle_dialog_is_ready (dialog));
  g_assert_true (pvm_bundle_dialog_select_host (dialog, "local"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "bundle.start", NULL));
  g_assert_true (pvm_bundle_dialog_is_busy (dialog));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) bundle_dialog_done, dialog, "the restore");
  g_assert_nonnull (strstr (pvm_bundle_dialog_get_problem (dialog),
                            "is not a pVM bundle (pvm save --to writes them)"));
  g_assert_true (pvm_bundle_dialog_is_ready (dialog));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int    argc,
      char **argv)
{
  /* Each test gets its own XDG directories, so its own pvm.conf: that
   * needs g_test_init() itself rather than gtk_test_init(). Without a
   * display gtk_init() fails the test: it is never skipped. */
  /* GIO reads the MIME database (which GTK needs to load its SVG icons)
   * from the data directories it sees first: the system's, before each
   * test's isolated ones replace them. */
  g_free (g_content_type_guess ("icon.svg", (const guchar *) "<svg", 4, NULL));
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  g_test_add_func ("/machines/list", test_list);
  g_test_add_func ("/machines/empty", test_empty);
  g_test_add_func ("/machines/unreachable", test_unreachable);
  g_test_add_func ("/machines/panel", test_panel);
  g_test_add_func ("/machines/select", test_select);
  g_test_add_func ("/machines/progress", test_progress);
  g_test_add_func ("/machines/snapshot-not-saved", test_snapshot_not_saved);
  g_test_add_func ("/images/list", test_images);
  g_test_add_func ("/data/list", test_data);
  g_test_add_func ("/window/search", test_search);
  g_test_add_func ("/launch/problems", test_launch_problems);
  g_test_add_func ("/launch/rows", test_launch_rows);
  g_test_add_func ("/bundle/dialogs", test_bundle_dialogs);

  return g_test_run ();
}
