/* SPDX-License-Identifier: BSD-3-Clause */
/* test-repo-actions.c: what the Images and Data pages do to the
 * repositories, driven as a user drives them: the pages' actions and
 * buttons, the dialogs' entries and responses, a folder dropped on the
 * page. Against real repositories made here, with real qemu-img,
 * mksquashfs and unsquashfs; libvirt is its test driver (a node file), so
 * that an image can be in use by a VM.
 *
 * Run through pvm-xvfb-run (meson test does).
 */

#define G_LOG_DOMAIN "test-repo-actions"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pvm-archive-create-dialog.h"
#include "pvm-core.h"
#include "pvm-data-page.h"
#include "pvm-gui-test.h"
#include "pvm-image-create-dialog.h"
#include "pvm-image-snapshot-dialog.h"
#include "pvm-images-page.h"
#include "pvm-test-util.h"

typedef struct
{
  char        *images;     /* DRIVEREPO */
  char        *data;       /* SQUASHREPO */
  GtkWindow   *window;
  PvmListPage *page;
  const char  *action;     /* the page's first action: enabled when it is idle */
} Fixture;

/* Empty repositories, and libvirt's test driver with @domains. */
static void
fixture_set_up (Fixture    *f,
                const char *domains)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *node = g_build_filename (g_get_user_config_dir (), "vms.xml", NULL);
  g_autofree char *node_text = g_strdup_printf ("<node>%s</node>", domains);
  g_autofree char *text = NULL;

  f->images = g_build_filename (g_get_user_data_dir (), "images", NULL);
  f->data = g_build_filename (g_get_user_data_dir (), "data", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->images, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->data, 0755), ==, 0);
  text = g_strdup_printf ("[pvm]\nDRIVEREPO=%s\nSQUASHREPO=%s\nLIBVIRT_URI=test://%s\n",
                          f->images, f->data, node);
  pvm_gui_test_write_config (text);
  g_file_set_contents (node, node_text, -1, &error);
  g_assert_no_error (error);
}

static void
fixture_show (Fixture *f,
              GType    type)
{
  f->page = pvm_gui_test_show_page (type, &f->window);
  f->action = type == PVM_TYPE_IMAGES_PAGE ? "images.create" : "data.add";
}

static gboolean
is_null (gpointer *pointer)
{
  return *pointer == NULL;
}

/* The page goes with its window: no job, toast or dialog keeps it. */
static void
fixture_tear_down (Fixture *f)
{
  g_object_add_weak_pointer (G_OBJECT (f->page), (gpointer *) &f->page);
  gtk_window_destroy (f->window);
  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_null, &f->page, "the page to be finalized");
  g_free (f->images);
  g_free (f->data);
}

static gboolean
is_idle (Fixture *f)
{
  return pvm_gui_test_is_loaded (f->page) &&
         pvm_gui_test_can_press (GTK_WIDGET (f->page), f->action);
}

/* Until the change that runs is done and the list read again. */
static void
wait_idle (Fixture *f)
{
  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_idle, f, "the page to be done");
}

static void
qemu_img (Fixture    *f,
          const char *first,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  g_ptr_array_add (argv, (gpointer) "qemu-img");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  g_free (pvm_test_run_tool (f->images, (const char * const *) argv->pdata));
}

/* What qemu-img itself says of @name.qcow2: a check apart from the core. */
static JsonObject *
image_info (Fixture    *f,
            const char *name)
{
  g_autofree char *file = g_strconcat (name, ".qcow2", NULL);
  const char *argv[] = { "qemu-img", "info", "-U", "--output=json", file, NULL };
  g_autofree char *out = pvm_test_run_tool (f->images, argv);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
image_exists (Fixture    *f,
              const char *name)
{
  g_autofree char *file = g_strconcat (name, ".qcow2", NULL);
  g_autofree char *path = g_build_filename (f->images, file, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
set_row_text (GtkWindow  *dialog,
              const char *title,
              const char *text)
{
  GtkWidget *row = pvm_gui_test_find (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static GtkWindow *
find_dialog (GType type)
{
  GtkWindow *dialog = pvm_gui_test_find_window (type);

  g_assert_nonnull (dialog);
  return dialog;
}

/* The message dialog whose heading is @heading, shown. */
static AdwMessageDialog *
find_message (const char *heading)
{
  GListModel *windows = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (windows); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (windows, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)) &&
          g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), heading) == 0)
        return ADW_MESSAGE_DIALOG (window);
    }
  g_error ("no dialog \"%s\"", heading);
  return NULL;
}

/* The x of @row's icon in the list: how far the row is indented. The
 * page may rebuild its rows meanwhile (a refresh after a change of the
 * repository): the row and its icon are found anew each time. */
typedef struct
{
  Fixture    *f;
  const char *title;
  double      x;
} Indent;

static gboolean
indent_known (gpointer data)
{
  Indent *indent = data;
  GtkWidget *row = pvm_gui_test_find (GTK_WIDGET (indent->f->page), ADW_TYPE_ACTION_ROW,
                                      indent->title);
  GtkWidget *icon = row != NULL ? pvm_gui_test_find (row, GTK_TYPE_IMAGE, NULL) : NULL;
  double y = 0;

  return icon != NULL && gtk_widget_get_width (icon) > 0 &&
         gtk_widget_translate_coordinates (icon, gtk_widget_get_parent (row), 0, 0,
                                           &indent->x, &y);
}

static double
row_indent (Fixture    *f,
            const char *title)
{
  Indent indent = { f, title, 0 };

  pvm_gui_test_wait_for_seconds (indent_known, &indent, 10, "the row's icon laid out");
  return indent.x;
}

/* --- images -------------------------------------------------------------- */

/* New Image from the empty state: a name and a size the core checks as
 * they are typed; then the image, of that size, says qemu-img. */
static void
test_image_create (void)
{
  Fixture f = { 0 };
  g_autoptr(JsonObject) info = NULL;
  g_autofree char *titles = NULL;
  PvmImageCreateDialog *dialog;
  AdwMessageDialog *message;

  fixture_set_up (&f, "");
  fixture_show (&f, PVM_TYPE_IMAGES_PAGE);
  g_assert_cmpstr (pvm_list_page_get_shown (f.page), ==, "empty");

  pvm_gui_test_press (GTK_WIDGET (f.page), "_Create Image");
  dialog = PVM_IMAGE_CREATE_DIALOG (find_dialog (PVM_TYPE_IMAGE_CREATE_DIALOG));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));

  /* Refused as the core refuses them, and said why. */
  set_row_text (GTK_WINDOW (dialog), "Name", "-x");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "-x"));
  set_row_text (GTK_WINDOW (dialog), "Name", "blank & <disk>");
  set_row_text (GTK_WINDOW (dialog), "Size (e.g. 20G, 512M)", "lots");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "Invalid size \"lots\""));
  set_row_text (GTK_WINDOW (dialog), "Size (e.g. 20G, 512M)", "3G");
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "3 GiB"));

  pvm_gui_test_press (GTK_WIDGET (dialog), "_Create");
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (f.page), "images.create"));
  wait_idle (&f);

  g_assert_true (image_exists (&f, "blank & <disk>"));
  info = image_info (&f, "blank & <disk>");
  g_assert_cmpstr (json_object_get_string_member (info, "format"), ==, "qcow2");
  g_assert_cmpint (json_object_get_int_member (info, "virtual-size"), ==, 3 * PVM_SIZE_GIB);
  g_assert_false (json_object_has_member (info, "backing-filename"));
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page),
                              "Created the image “blank & <disk>”, 3 GiB");
  g_assert_cmpstr (pvm_list_page_get_shown (f.page), ==, "list");
  titles = pvm_gui_test_dup_titles (f.page);
  g_assert_true (g_str_has_prefix (titles, "blank &amp; &lt;disk&gt;: 3 GiB · "));

  /* The same name again: the core's refusal, and nothing changed. */
  pvm_gui_test_press (GTK_WIDGET (f.page), "_New Image");
  dialog = PVM_IMAGE_CREATE_DIALOG (find_dialog (PVM_TYPE_IMAGE_CREATE_DIALOG));
  set_row_text (GTK_WINDOW (dialog), "Name", "blank & <disk>");
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Create");
  wait_idle (&f);
  message = find_message ("Cannot Create “blank & <disk>”");
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (message), "exists"));
  pvm_gui_test_press (GTK_WIDGET (message), "_Close");
  json_object_unref (info);
  info = image_info (&f, "blank & <disk>");
  g_assert_cmpint (json_object_get_int_member (info, "virtual-size"), ==, 3 * PVM_SIZE_GIB);

  fixture_tear_down (&f);
}

/* Overlays of a base, two at once; then deleting one, and the refusal to
 * delete the base, as the core words it. */
static void
test_image_snapshot_delete (void)
{
  Fixture f = { 0 };
  g_autoptr(JsonObject) info = NULL;
  g_autofree char *base_path = NULL;
  g_autofree char *titles = NULL;
  AdwMessageDialog *message;
  GtkWindow *dialog;
  GStatBuf st;

  fixture_set_up (&f, "");
  qemu_img (&f, "create", "-q", "-f", "qcow2", "base.qcow2", "1G", NULL);
  base_path = g_build_filename (f.images, "base.qcow2", NULL);
  fixture_show (&f, PVM_TYPE_IMAGES_PAGE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "images.snapshot", "s", "base"));
  dialog = find_dialog (PVM_TYPE_IMAGE_SNAPSHOT_DIALOG);
  set_row_text (dialog, "Name", "worker");
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Add Another");
  set_row_text (dialog, "Another Name", "worker");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (dialog), "“worker” is given twice"));
  set_row_text (dialog, "Another Name", "worker 2");
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Create");
  wait_idle (&f);

  for (guint i = 0; i < 2; i++)
    {
      info = image_info (&f, i == 0 ? "worker" : "worker 2");
      g_assert_cmpstr (json_object_get_string_member (info, "backing-filename"), ==,
                       "base.qcow2");
      g_clear_pointer (&info, json_object_unref);
    }
  /* The base is read-only now; the core's note says so, behind Details. */
  g_assert_cmpint (g_stat (base_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0222, ==, 0);
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page),
                              "Created the overlays “worker”, “worker 2” of “base”");
  pvm_gui_test_press (GTK_WIDGET (f.page), "_Details");
  message = find_message ("Created the overlays “worker”, “worker 2” of “base”");
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (message), "is now read-only on disk"));
  pvm_gui_test_press (GTK_WIDGET (message), "_Close");

  /* A tree: the base, then its overlays, indented. */
  titles = pvm_gui_test_dup_titles (f.page);
  g_assert_true (g_str_has_prefix (titles, "base: 1 GiB · "));
  g_assert_nonnull (strstr (titles, "Protected: the base of 2 overlays"));
  g_assert_nonnull (strstr (titles, "|worker: 1 GiB · "));
  g_assert_nonnull (strstr (titles, "|worker 2: 1 GiB · "));
  g_assert_cmpfloat (row_indent (&f, "worker"), >, row_indent (&f, "base"));
  g_assert_cmpfloat (row_indent (&f, "worker 2"), ==, row_indent (&f, "worker"));

  /* An overlay goes; its base stays. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "images.delete", "s",
                                             "worker 2"));
  pvm_gui_test_press (GTK_WIDGET (find_message ("Delete “worker 2”?")), "_Delete");
  wait_idle (&f);
  g_assert_false (image_exists (&f, "worker 2"));
  g_assert_true (image_exists (&f, "base"));
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "Deleted “worker 2”");

  /* The base of an overlay: refused, the reason shown, nothing deleted. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "images.delete", "s", "base"));
  pvm_gui_test_press (GTK_WIDGET (find_message ("Delete “base”?")), "_Delete");
  wait_idle (&f);
  message = find_message ("Cannot Delete “base”");
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (message), "is the backing image of"));
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (message), "worker.qcow2"));
  g_assert_true (image_exists (&f, "base"));
  g_assert_true (image_exists (&f, "worker"));
  pvm_gui_test_press (GTK_WIDGET (message), "_Close");

  /* Cancelled: nothing happens. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "images.delete", "s",
                                             "worker"));
  pvm_gui_test_press (GTK_WIDGET (find_message ("Delete “worker”?")), "_Cancel");
  g_assert_true (is_idle (&f));
  g_assert_true (image_exists (&f, "worker"));

  fixture_tear_down (&f);
}

/* An image a VM boots: shown, and not deleted while that VM exists. */
static void
test_image_in_use (void)
{
  Fixture f = { 0 };
  g_autofree char *used = NULL;
  g_autofree char *domain = NULL;
  g_autofree char *titles = NULL;
  AdwMessageDialog *message;

  used = g_build_filename (g_get_user_data_dir (), "images", "used.qcow2", NULL);
  domain = g_strdup_printf (
    "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
    "<name>pvm-used</name>"
    "<metadata><pvm:vm xmlns:pvm='https://io.github.pvm/xmlns/vm/1'>"
    "<index>0</index><name value='used'/><image path='%s'/>"
    "<input kind='squashfs' path='/srv/data/in.sqsh'/><output path='/srv/out/used'/>"
    "<memory unit='bytes'>536870912</memory><cores>1</cores><ssh-port>2222</ssh-port>"
    "<extra-args/>"
    "</pvm:vm></metadata>"
    "<memory unit='KiB'>524288</memory><vcpu>1</vcpu>"
    "<os><type arch='x86_64'>hvm</type></os><test:runstate>5</test:runstate></domain>", used);
  fixture_set_up (&f, domain);
  qemu_img (&f, "create", "-q", "-f", "qcow2", "used.qcow2", "1G", NULL);
  fixture_show (&f, PVM_TYPE_IMAGES_PAGE);

  titles = pvm_gui_test_dup_titles (f.page);
  g_assert_nonnull (strstr (titles, "Used by the VM used (stopped)"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "images.delete", "s", "used"));
  pvm_gui_test_press (GTK_WIDGET (find_message ("Delete “used”?")), "_Delete");
  wait_idle (&f);
  message = find_message ("Cannot Delete “used”");
  g_assert_true (pvm_gui_test_has_text (GTK_WIDGET (message), "The VM used boots"));
  pvm_gui_test_press (GTK_WIDGET (message), "_Close");
  g_assert_true (image_exists (&f, "used"));

  fixture_tear_down (&f);
}

/* Flatten: with its progress and Cancel while it runs; then standalone. */
static void
test_image_flatten (void)
{
  Fixture f = { 0 };
  g_autoptr(JsonObject) info = NULL;

  fixture_set_up (&f, "");
  qemu_img (&f, "create", "-q", "-f", "qcow2", "base.qcow2", "64M", NULL);
  qemu_img (&f, "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", "base.qcow2", "top.qcow2",
            NULL);
  fixture_show (&f, PVM_TYPE_IMAGES_PAGE);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "images.flatten", "s", "top"));
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (f.page), "images.cancel"));
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "Flattening “top”");
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (f.page), "images.create"));
  wait_idle (&f);

  info = image_info (&f, "top");
  g_assert_false (json_object_has_member (info, "backing-filename"));
  g_assert_cmpint (json_object_get_int_member (info, "virtual-size"), ==, 64 * PVM_SIZE_MIB);
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (f.page), "images.cancel"));
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "“top” is standalone now");

  fixture_tear_down (&f);
}

/* --- data ---------------------------------------------------------------- */

/* The files of @dir, hidden ones too, joined with " ". */
static char *
dup_listing (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* Drops @folder on the page's drop target, as the file manager would. */
static void
drop_folder (Fixture    *f,
             const char *folder)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->page));
  g_autoptr(GFile) file = g_file_new_for_path (folder);
  GSList files = { file, NULL };
  GValue value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  gboolean accepted = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);
      gsize n_types = 0;
      const GType *types;

      if (!GTK_IS_DROP_TARGET (controller))
        continue;
      types = gtk_drop_target_get_gtypes (GTK_DROP_TARGET (controller), &n_types);
      for (gsize t = 0; t < n_types; t++)
        if (types[t] == GDK_TYPE_FILE_LIST)
          target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (&files));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_value_unset (&value);
  g_assert_true (accepted);
}

static double
progress (Fixture *f)
{
  GtkWidget *bar = pvm_gui_test_find (GTK_WIDGET (f->page), GTK_TYPE_PROGRESS_BAR, NULL);

  g_assert_nonnull (bar);
  return gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar));
}

static gboolean
is_progressing (Fixture *f)
{
  return progress (f) > 0.0;
}

static void
write_file (const char *dir,
            const char *name,
            const char *text)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* A folder dropped on the empty page: its name by default, a compressor
 * of the core's; the archive made, listed, and deleted again. */
static void
test_archive_create_delete (void)
{
  Fixture f = { 0 };
  g_autofree char *source = g_build_filename (g_get_user_data_dir (), "survey 2024", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(PvmSquashRepo) repo = NULL;
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *titles = NULL;
  PvmArchiveCreateDialog *dialog;
  GtkWidget *name_row;
  AdwComboRow *compressor_row;
  GListModel *compressors;

  fixture_set_up (&f, "");
  g_assert_cmpint (g_mkdir_with_parents (source, 0755), ==, 0);
  write_file (source, "numbers.txt", "1\n2\n3\n");
  write_file (source, "words.txt", "one two three\n");
  fixture_show (&f, PVM_TYPE_DATA_PAGE);
  g_assert_cmpstr (pvm_list_page_get_shown (f.page), ==, "empty");
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (f.page), "data.add"));

  drop_folder (&f, source);
  dialog = PVM_ARCHIVE_CREATE_DIALOG (find_dialog (PVM_TYPE_ARCHIVE_CREATE_DIALOG));
  name_row = pvm_gui_test_find (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Name");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "survey 2024");

  /* A name the core refuses. */
  gtk_editable_set_text (GTK_EDITABLE (name_row), ".hidden");
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  gtk_editable_set_text (GTK_EDITABLE (name_row), "survey & co");

  /* The core's compressors, the default (lz4) first and chosen; xz chosen. */
  compressor_row = ADW_COMBO_ROW (pvm_gui_test_find (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW,
                                                     "Compressor"));
  compressors = adw_combo_row_get_model (compressor_row);
  g_assert_cmpuint (g_list_model_get_n_items (compressors), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (compressors), 0), ==, "lz4");
  g_assert_cmpuint (adw_combo_row_get_selected (compressor_row), ==, 0);
  for (guint i = 0; i < g_list_model_get_n_items (compressors); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (compressors), i), "xz"))
      adw_combo_row_set_selected (compressor_row, i);

  pvm_gui_test_press (GTK_WIDGET (dialog), "_Create");
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (f.page), "data.cancel"));
  wait_idle (&f);

  repo = pvm_squash_repo_new (f.data);
  archive = pvm_squash_repo_info (repo, "survey & co", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (archive->usable);
  g_assert_cmpstr (archive->compressor, ==, "xz");
  g_assert_cmpuint (archive->files, ==, 2);
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "Created “survey & co”");
  g_assert_cmpstr (pvm_list_page_get_shown (f.page), ==, "list");
  titles = pvm_gui_test_dup_titles (f.page);
  g_assert_true (g_str_has_prefix (titles, "survey &amp; co: "));

  /* Deleted, its statistics cache with it. */
  g_assert_true (pvm_gui_test_can_press (GTK_WIDGET (f.page), "data.delete"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.page), "data.delete", "s",
                                             "survey & co"));
  pvm_gui_test_press (GTK_WIDGET (find_message ("Delete “survey & co”?")), "_Delete");
  wait_idle (&f);
  listing = dup_listing (f.data);
  g_assert_cmpstr (listing, ==, "");
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "Deleted “survey & co”");
  g_assert_cmpstr (pvm_list_page_get_shown (f.page), ==, "empty");

  fixture_tear_down (&f);
}

static gboolean
has_file (GtkFileChooser *chooser)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);

  return file != NULL;
}

/* Add Data in the empty page: a folder picked in the file chooser. */
static void
test_archive_pick (void)
{
  Fixture f = { 0 };
  g_autofree char *source = g_build_filename (g_get_user_data_dir (), "picked", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (source);
  GtkWindow *chooser;
  GtkWidget *name_row;

  fixture_set_up (&f, "");
  g_assert_cmpint (g_mkdir_with_parents (source, 0755), ==, 0);
  fixture_show (&f, PVM_TYPE_DATA_PAGE);

  /* No portal here: GTK's own chooser. */
  pvm_gui_test_press (GTK_WIDGET (f.page), "_Add Data…");
  chooser = find_dialog (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)), ==,
                   GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER);
  g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL));
  pvm_gui_test_wait_for ((PvmGuiTestCondition) has_file, chooser, "the chooser's folder");
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);

  name_row = pvm_gui_test_find (GTK_WIDGET (find_dialog (PVM_TYPE_ARCHIVE_CREATE_DIALOG)),
                                ADW_TYPE_ENTRY_ROW, "Name");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (name_row)), ==, "picked");
  pvm_gui_test_press (GTK_WIDGET (pvm_gui_test_find_window (PVM_TYPE_ARCHIVE_CREATE_DIALOG)),
                      "_Cancel");
  g_assert_null (pvm_gui_test_find_window (PVM_TYPE_ARCHIVE_CREATE_DIALOG));

  fixture_tear_down (&f);
}

/* Cancel once mksquashfs has made progress: no archive, no temporary file,
 * nothing at all left in the repository. */
static void
test_archive_cancel (void)
{
  Fixture f = { 0 };
  g_autofree char *source = g_build_filename (g_get_user_data_dir (), "big", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(GFile) folder = g_file_new_for_path (source);
  GtkWindow *dialog;

  fixture_set_up (&f, "");
  g_assert_cmpint (g_mkdir_with_parents (source, 0755), ==, 0);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *of = g_strdup_printf ("of=random-%u.bin", i);
      const char *dd[] = { "dd", "if=/dev/urandom", of, "bs=1M", "count=16", "status=none",
                           NULL };

      g_free (pvm_test_run_tool (source, dd));
    }
  fixture_show (&f, PVM_TYPE_DATA_PAGE);

  /* What the drop target calls (test_archive_create_delete drops). */
  pvm_data_page_add_folder (PVM_DATA_PAGE (f.page), folder);
  dialog = find_dialog (PVM_TYPE_ARCHIVE_CREATE_DIALOG);
  /* xz: the slowest, so that there is time to cancel. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (pvm_gui_test_find (GTK_WIDGET (dialog),
                                                                ADW_TYPE_COMBO_ROW,
                                                                "Compressor")),
                              PVM_SQUASH_COMPRESSOR_XZ);
  pvm_gui_test_press (GTK_WIDGET (dialog), "_Create");

  pvm_gui_test_wait_for ((PvmGuiTestCondition) is_progressing, &f, "mksquashfs's progress");
  g_test_message ("cancelled at %.0f %%", progress (&f) * 100.0);
  g_assert_cmpfloat (progress (&f), <, 1.0);
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "Archiving “big”");

  /* Another folder meanwhile: one at a time. */
  pvm_data_page_add_folder (PVM_DATA_PAGE (f.page), folder);
  g_assert_null (pvm_gui_test_find_window (PVM_TYPE_ARCHIVE_CREATE_DIALOG));
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "One change at a time");
  g_assert_false (pvm_gui_test_can_press (GTK_WIDGET (f.page), "data.add"));

  pvm_gui_test_press (GTK_WIDGET (f.page), "_Cancel");
  wait_idle (&f);

  listing = dup_listing (f.data);
  g_assert_cmpstr (listing, ==, "");
  pvm_gui_test_wait_for_text (GTK_WIDGET (f.page), "Cancelled: no archive was made");
  g_assert_cmpstr (pvm_list_page_get_shown (f.page), ==, "empty");

  fixture_tear_down (&f);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *data_home = g_dir_make_tmp ("test-repo-actions-XXXXXX", NULL);
  int status;

  /* GTK's file chooser keeps the list of recent files in the user's data
   * directory, bound once per process: this process's own, not the
   * user's, nor a test's (removed after each test). */
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);

  /* As test-pages does: the MIME database first, then isolated XDG
   * directories per test, then GTK, which fails without a display. The
   * GSettings schemas too are found before (GTK's file chooser has its
   * own, in the system's data directories). */
  g_free (g_content_type_guess ("icon.svg", (const guchar *) "<svg", 4, NULL));
  g_settings_schema_source_get_default ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  gtk_init ();
  adw_init ();
  gtk_recent_manager_get_default ();
  gvir_init_object (NULL, NULL);
  gvir_event_register ();

  g_test_add_func ("/images/create", test_image_create);
  g_test_add_func ("/images/snapshot-delete", test_image_snapshot_delete);
  g_test_add_func ("/images/in-use", test_image_in_use);
  g_test_add_func ("/images/flatten", test_image_flatten);
  g_test_add_func ("/data/create-delete", test_archive_create_delete);
  g_test_add_func ("/data/pick", test_archive_pick);
  g_test_add_func ("/data/cancel", test_archive_cancel);

  status = g_test_run ();
  pvm_test_remove_tree (data_home);
  return status;
}
