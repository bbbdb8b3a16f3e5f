/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-launch-dialog.c: launch several VMs at once: per VM an image of
 * DRIVEREPO, an archive of SQUASHREPO (or none), an output folder, memory
 * and vCPUs. The values become the configuration's lists, exactly as the
 * pvm command line's flags do; the plan is checked in a thread, its
 * problems shown here, and a valid plan is launched all or none by the
 * core's PvmLauncher. The dialog emits "launched" and closes on success. */

#define G_LOG_DOMAIN "pvm-launch-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-launch-dialog.h"

typedef struct
{
  AdwComboRow *image;
  AdwComboRow *input;
  AdwEntryRow *output;
  AdwEntryRow *memory;
  AdwEntryRow *cores;
} VmRows;

struct _PvmLaunchDialog
{
  AdwWindow              parent_instance;

  /* Owned */
  GCancellable          *cancellable;
  GtkStringList         *images;        /* names in DRIVEREPO */
  GtkStringList         *inputs;        /* "None", then the archives of SQUASHREPO */
  GArray                *vms;           /* VmRows */
  char                  *problems;
  PvmConfig             *config;        /* of the launch being made */
  PvmPlan               *plan;
  GVirConnection        *connection;
  PvmLauncher           *launcher;

  /* Template widgets */
  AdwPreferencesPage    *page;
  AdwPreferencesGroup   *problems_group;
  GtkLabel              *problems_label;
};

G_DEFINE_FINAL_TYPE (PvmLaunchDialog, pvm_launch_dialog, ADW_TYPE_WINDOW)

enum {
  LAUNCHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The names of @directory's files ending with @suffix, without it, in
 * the order of the pages and of pvm's lists. */
static GtkStringList *
list_names (const char *directory,
            const char *suffix,
            const char *first)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GtkStringList *list = gtk_string_list_new (NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && g_str_has_suffix (name, suffix))
      g_ptr_array_add (names, g_strndup (name, strlen (name) - strlen (suffix)));
  pvm_names_sort (names, NULL);

  if (first != NULL)
    gtk_string_list_append (list, first);
  for (guint i = 0; i < names->len; i++)
    gtk_string_list_append (list, g_ptr_array_index (names, i));
  return list;
}

static AdwEntryRow *
entry_row (AdwPreferencesGroup *group,
           const char          *title,
           const char          *text)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  adw_preferences_group_add (group, row);
  return ADW_ENTRY_ROW (row);
}

static AdwComboRow *
combo_row (AdwPreferencesGroup *group,
           const char          *title,
           GListModel          *model)
{
  GtkWidget *row = adw_combo_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), model);
  adw_preferences_group_add (group, row);
  return ADW_COMBO_ROW (row);
}

/**
 * pvm_launch_dialog_add_vm:
 * @self: a #PvmLaunchDialog
 *
 * Adds the rows of one more VM, the next image selected.
 */
void
pvm_launch_dialog_add_vm (PvmLaunchDialog *self)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  g_autofree char *title = g_strdup_printf (_("VM %u"), self->vms->len + 1);
  guint n_images = g_list_model_get_n_items (G_LIST_MODEL (self->images));
  VmRows rows;

  adw_preferences_group_set_title (group, title);
  rows.image = combo_row (group, _("Image"), G_LIST_MODEL (self->images));
  if (n_images > 0)
    adw_combo_row_set_selected (rows.image, MIN (self->vms->len, n_images - 1));
  rows.input = combo_row (group, _("Input (read-only)"), G_LIST_MODEL (self->inputs));
  rows.output = entry_row (group, _("Output folder"), "");
  rows.memory = entry_row (group, _("Memory"),
                           pvm_config_get_list (self->config, "MEM")[0] != NULL
                             ? pvm_config_get_list (self->config, "MEM")[0] : "2G");
  rows.cores = entry_row (group, _("vCPUs"),
                          pvm_config_get_list (self->config, "CORES")[0] != NULL
                            ? pvm_config_get_list (self->config, "CORES")[0] : "2");
  g_array_append_val (self->vms, rows);
  adw_preferences_page_add (self->page, group);
}

/**
 * pvm_launch_dialog_set_vm:
 * @self: a #PvmLaunchDialog
 * @index: which VM, from 0; VMs are added up to it
 * @image: (nullable): an image name of DRIVEREPO
 * @input: (nullable): an archive name of SQUASHREPO, or "None"
 * @output: (nullable): the output folder
 * @memory: (nullable): the memory, e.g. "2G"
 * @cores: (nullable): the vCPUs
 *
 * Fills a VM's rows as a user would.
 */
void
pvm_launch_dialog_set_vm (PvmLaunchDialog *self,
                          guint            index,
                          const char      *image,
                          const char      *input,
                          const char      *output,
                          const char      *memory,
                          const char      *cores)
{
  VmRows *rows;

  g_return_if_fail (PVM_IS_LAUNCH_DIALOG (self));

  while (self->vms->len <= index)
    pvm_launch_dialog_add_vm (self);
  rows = &g_array_index (self->vms, VmRows, index);

  for (guint i = 0; image != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->images)); i++)
    if (g_str_equal (gtk_string_list_get_string (self->images, i), image))
      adw_combo_row_set_selected (rows->image, i);
  for (guint i = 0; input != NULL && i < g_list_model_get_n_items (G_LIST_MODEL (self->inputs)); i++)
    if (g_str_equal (gtk_string_list_get_string (self->inputs, i), input))
      adw_combo_row_set_selected (rows->input, i);
  if (output != NULL)
    gtk_editable_set_text (GTK_EDITABLE (rows->output), output);
  if (memory != NULL)
    gtk_editable_set_text (GTK_EDITABLE (rows->memory), memory);
  if (cores != NULL)
    gtk_editable_set_text (GTK_EDITABLE (rows->cores), cores);
}

/**
 * pvm_launch_dialog_get_problems:
 * @self: a #PvmLaunchDialog
 *
 * Returns: (nullable): what stopped the last launch, as shown, or %NULL
 */
const char *
pvm_launch_dialog_get_problems (PvmLaunchDialog *self)
{
  g_return_val_if_fail (PVM_IS_LAUNCH_DIALOG (self), NULL);

  return self->problems;
}

static void
show_problems (PvmLaunchDialog *self,
               const char      *text)
{
  g_free (self->problems);
  self->problems = g_strdup (text);
  gtk_label_set_text (self->problems_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), text != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "launch.start", TRUE);
}

static void
launch_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PvmLaunchDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vms = pvm_launcher_launch_finish (PVM_LAUNCHER (object), result, &error);

  if (vms == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_problems (self, error->message);
      return;
    }
  g_signal_emit (self, signals[LAUNCHED], 0, vms->len);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* In a thread: the plan's checks read files, run QEMU and bind ports, and
 * opening libvirt may take a moment. Returns the problems, or "" */
static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PvmLaunchDialog *self = source_object;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GVirConnection) connection = NULL;
  const char *uri = pvm_config_get_string (self->config, "LIBVIRT_URI");

  self->plan = pvm_plan_new_from_config (self->config, g_get_home_dir ());
  pvm_plan_check (self->plan, self->config);
  for (guint i = 0; i < self->plan->problems->len; i++)
    {
      g_autofree char *line = pvm_problem_to_string (g_ptr_array_index (self->plan->problems, i));

      g_string_append_printf (problems, "%s%s", problems->len > 0 ? "\n" : "", line);
    }
  if (problems->len > 0)
    {
      g_task_return_pointer (task, g_string_free (g_steal_pointer (&problems), FALSE), g_free);
      return;
    }

  connection = gvir_connection_new (uri);
  if (!gvir_connection_open (connection, cancellable, &error))
    {
      g_task_return_pointer (task, g_strdup_printf (_("Cannot reach libvirt at %s: %s"), uri,
                                                    error->message), g_free);
      return;
    }
  self->connection = g_steal_pointer (&connection);
  g_task_return_pointer (task, g_strdup (""), g_free);
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (object);
  g_autofree char *problems = g_task_propagate_pointer (G_TASK (result), NULL);

  if (problems == NULL)
    return;
  if (*problems != '\0')
    {
      show_problems (self, problems);
      return;
    }

  self->launcher = pvm_launcher_new (self->connection, self->config);
  pvm_launcher_launch_async (self->launcher, self->plan, self->cancellable, launch_done_cb,
                             g_object_ref (self));
}

/* The rows' values become the configuration's lists, as pvm's flags do. */
static gboolean
set_lists (PvmLaunchDialog  *self,
           GError          **error)
{
  static const char * const keys[] = { "DRIVES", "INDRIVES", "OUTDIRS", "MEM", "CORES" };
  GPtrArray *lists[G_N_ELEMENTS (keys)];
  gboolean ok = TRUE;

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    lists[k] = g_ptr_array_new_null_terminated (self->vms->len, NULL, TRUE);

  for (guint i = 0; i < self->vms->len; i++)
    {
      VmRows *rows = &g_array_index (self->vms, VmRows, i);
      guint image = adw_combo_row_get_selected (rows->image);
      guint input = adw_combo_row_get_selected (rows->input);

      g_ptr_array_add (lists[0], (gpointer) (image != GTK_INVALID_LIST_POSITION
                                               ? gtk_string_list_get_string (self->images, image)
                                               : ""));
      g_ptr_array_add (lists[1], (gpointer) (input != GTK_INVALID_LIST_POSITION && input > 0
                                               ? gtk_string_list_get_string (self->inputs, input)
                                               : ""));
      g_ptr_array_add (lists[2], (gpointer) gtk_editable_get_text (GTK_EDITABLE (rows->output)));
      g_ptr_array_add (lists[3], (gpointer) gtk_editable_get_text (GTK_EDITABLE (rows->memory)));
      g_ptr_array_add (lists[4], (gpointer) gtk_editable_get_text (GTK_EDITABLE (rows->cores)));
    }

  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      if (ok && !pvm_config_set_list (self->config, keys[k],
                                      (const char * const *) lists[k]->pdata, error))
        {
          g_prefix_error (error, "%s: ", keys[k]);
          ok = FALSE;
        }
      g_ptr_array_unref (lists[k]);
    }
  return ok;
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->plan, pvm_plan_free);
  g_clear_object (&self->launcher);
  g_clear_object (&self->connection);
  show_problems (self, NULL);
  if (!set_lists (self, &error))
    {
      show_problems (self, error->message);
      return;
    }

  gtk_widget_action_set_enabled (widget, "launch.start", FALSE);
  task = g_task_new (self, self->cancellable, check_done_cb, NULL);
  g_task_set_source_tag (task, start_action);
  g_task_run_in_thread (task, check_thread);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  pvm_launch_dialog_add_vm (PVM_LAUNCH_DIALOG (widget));
}

static void
pvm_launch_dialog_dispose (GObject *object)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->launcher);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (pvm_launch_dialog_parent_class)->dispose (object);
}

static void
pvm_launch_dialog_finalize (GObject *object)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (object);

  g_clear_object (&self->images);
  g_clear_object (&self->inputs);
  g_clear_pointer (&self->vms, g_array_unref);
  g_clear_pointer (&self->plan, pvm_plan_free);
  g_clear_object (&self->config);
  g_free (self->problems);

  G_OBJECT_CLASS (pvm_launch_dialog_parent_class)->finalize (object);
}

static void
pvm_launch_dialog_class_init (PvmLaunchDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_launch_dialog_dispose;
  object_class->finalize = pvm_launch_dialog_finalize;

  /**
   * PvmLaunchDialog::launched:
   * @self: the dialog
   * @n_vms: how many VMs started
   *
   * Every VM of the launch runs; the dialog closes after this.
   */
  signals[LAUNCHED] = g_signal_new ("launched", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-launch-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmLaunchDialog, page);
  gtk_widget_class_bind_template_child (widget_class, PvmLaunchDialog, problems_group);
  gtk_widget_class_bind_template_child (widget_class, PvmLaunchDialog, problems_label);

  gtk_widget_class_install_action (widget_class, "launch.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "launch.add", NULL, add_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
pvm_launch_dialog_init (PvmLaunchDialog *self)
{
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->vms = g_array_new (FALSE, TRUE, sizeof (VmRows));
  self->config = pvm_config_new ();
  if (!pvm_config_load_default (self->config, NULL, &error))
    show_problems (self, error->message);
  self->images = list_names (pvm_config_get_string (self->config, "DRIVEREPO"), ".qcow2", NULL);
  self->inputs = list_names (pvm_config_get_string (self->config, "SQUASHREPO"), ".sqsh",
                             _("None"));
  pvm_launch_dialog_add_vm (self);
}

/**
 * pvm_launch_dialog_new:
 *
 * Returns: (transfer full): a dialog with one VM, from the configuration
 */
PvmLaunchDialog *
pvm_launch_dialog_new (void)
{
  return g_object_new (PVM_TYPE_LAUNCH_DIALOG, NULL);
}
