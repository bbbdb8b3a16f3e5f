/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-launch-dialog.c: launch several VMs at once: per VM an image of
 * DRIVEREPO, an input (an archive of SQUASHREPO, a folder, or none), an
 * output folder, memory, vCPUs and, with HOSTS, the host; for all of them
 * the kind of output. The values become the configuration's lists,
 * exactly as the pvm command line's flags do; the plan is checked in a
 * thread, its problems shown here, and a valid plan is launched all or
 * none, across hosts, by the core (pvm_launch_on_hosts_async ()). The
 * dialog emits "launched" and closes on success. */

#define G_LOG_DOMAIN "pvm-launch-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-folder.h"
#include "pvm-launch-dialog.h"

typedef struct
{
  AdwPreferencesGroup *group;
  GtkWidget           *remove;
  AdwComboRow         *image;
  AdwComboRow         *host;
  AdwComboRow         *input;
  AdwEntryRow         *output;
  AdwEntryRow         *memory;
  AdwEntryRow         *cores;
  GtkSwitch           *discard;       /* -snapshot */
} VmRows;

struct _PvmLaunchDialog
{
  AdwWindow              parent_instance;

  /* Owned */
  GCancellable          *cancellable;
  GtkStringList         *images;        /* names in DRIVEREPO */
  GtkStringList         *inputs;        /* "None", the archives of SQUASHREPO, folders chosen */
  GtkStringList         *host_names;
  GPtrArray             *hosts;         /* PvmHostEntry: local, then HOSTS */
  GArray                *vms;           /* VmRows */
  char                  *problems;
  PvmConfig             *config;        /* of the launch being made */
  PvmPlan               *plan;
  GtkFileChooserNative  *chooser;

  /* Template widgets */
  AdwPreferencesPage    *page;
  AdwPreferencesGroup   *problems_group;
  GtkLabel              *problems_label;
  AdwComboRow           *output_mode_row;
  GtkSpinner            *spinner;
};

G_DEFINE_FINAL_TYPE (PvmLaunchDialog, pvm_launch_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_PROBLEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static GtkWidget *
suffix_button (const char *icon_name,
               const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

/* An input as its row shows it: an archive's name, a folder's name. */
static char *
input_label (GtkStringObject *item)
{
  const char *value = gtk_string_object_get_string (item);

  if (g_path_is_absolute (value))
    return g_path_get_basename (value);
  return g_strdup (value);
}

static guint
find_rows (PvmLaunchDialog *self,
           GtkWidget       *widget)
{
  for (guint i = 0; i < self->vms->len; i++)
    {
      VmRows *rows = &g_array_index (self->vms, VmRows, i);

      if (widget == GTK_WIDGET (rows->group) ||
          gtk_widget_is_ancestor (widget, GTK_WIDGET (rows->group)))
        return i;
    }
  g_return_val_if_reached (0);
}

/* The VMs' titles follow their order; one VM alone cannot be removed. */
static void
update_titles (PvmLaunchDialog *self)
{
  for (guint i = 0; i < self->vms->len; i++)
    {
      VmRows *rows = &g_array_index (self->vms, VmRows, i);
      g_autofree char *title = g_strdup_printf (_("VM %u"), i + 1);

      adw_preferences_group_set_title (rows->group, title);
      gtk_widget_set_visible (rows->remove, self->vms->len > 1);
    }
}

/* A folder input is a 9p share: say so, with its path. */
static void
input_selected_cb (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);
  const char *value = item != NULL ? gtk_string_object_get_string (item) : "";
  g_autofree char *subtitle = NULL;

  if (g_path_is_absolute (value))
    subtitle = g_strdup_printf (_("%s, a shared folder: the VM cannot be saved or moved"),
                                value);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
}

static void
select_input (PvmLaunchDialog *self,
              VmRows          *rows,
              const char      *value)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->inputs));

  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (self->inputs, i), value))
      {
        adw_combo_row_set_selected (rows->input, i);
        return;
      }
  /* A folder (or an archive file) chosen: every VM may pick it then. */
  if (g_path_is_absolute (value))
    {
      gtk_string_list_append (self->inputs, value);
      adw_combo_row_set_selected (rows->input, n);
    }
}

static void
chooser_response_cb (PvmLaunchDialog      *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  const char *what = g_object_get_data (G_OBJECT (chooser), "what");
  GtkWidget *row = g_object_get_data (G_OBJECT (chooser), "row");
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (folder != NULL)
    path = g_file_get_path (folder);
  if (path != NULL && g_str_equal (what, "input"))
    select_input (self, &g_array_index (self->vms, VmRows, find_rows (self, row)), path);
  else if (path != NULL)
    gtk_editable_set_text (GTK_EDITABLE (row), path);
  g_clear_object (&self->chooser);
}

static void
choose_folder (PvmLaunchDialog *self,
               GtkWidget       *row,
               const char      *what,
               const char      *title,
               const char      *path)
{
  if (self->chooser != NULL)
    return;
  self->chooser = pvm_folder_chooser_new (GTK_WINDOW (self), title,
                                          path != NULL && *path != '\0' ? path
                                                                        : g_get_home_dir ());
  /* Static strings; the row lives as long as the dialog's chooser. */
  g_object_set_data (G_OBJECT (self->chooser), "what", (gpointer) what);
  g_object_set_data (G_OBJECT (self->chooser), "row", row);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
choose_input_cb (GtkButton *button,
                 gpointer   user_data)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (user_data);
  VmRows *rows = &g_array_index (self->vms, VmRows, find_rows (self, GTK_WIDGET (button)));
  GtkStringObject *item = adw_combo_row_get_selected_item (rows->input);
  const char *value = item != NULL ? gtk_string_object_get_string (item) : NULL;

  choose_folder (self, GTK_WIDGET (rows->input), "input", _("Choose an Input Folder"),
                 value != NULL && g_path_is_absolute (value) ? value : NULL);
}

static void
choose_output_cb (GtkButton *button,
                  gpointer   user_data)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (user_data);
  VmRows *rows = &g_array_index (self->vms, VmRows, find_rows (self, GTK_WIDGET (button)));

  choose_folder (self, GTK_WIDGET (rows->output), "output", _("Choose an Output Folder"),
                 gtk_editable_get_text (GTK_EDITABLE (rows->output)));
}

static void
remove_cb (GtkButton *button,
           gpointer   user_data)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (user_data);
  guint index = find_rows (self, GTK_WIDGET (button));

  if (self->chooser != NULL)
    return;
  adw_preferences_page_remove (self->page, g_array_index (self->vms, VmRows, index).group);
  g_array_remove_index (self->vms, index);
  update_titles (self);
}

static gboolean
has_snapshot (const char *additional)
{
  g_auto(GStrv) args = NULL;

  return additional != NULL && g_shell_parse_argv (additional, NULL, &args, NULL) &&
         pvm_domain_args_have_snapshot ((const char * const *) args);
}

/* @additional with -snapshot or without, as @discard says; quoted as the
 * plan splits it (g_shell_parse_argv ()). */
static char *
dup_additional (const char *additional,
                gboolean    discard)
{
  g_auto(GStrv) args = NULL;
  GString *value;

  if (discard == has_snapshot (additional))
    return g_strdup (additional != NULL ? additional : "");
  if (discard)
    return g_strconcat (additional != NULL ? additional : "", " -snapshot", NULL);

  /* Without it: the other arguments, each quoted. */
  g_shell_parse_argv (additional, NULL, &args, NULL);
  value = g_string_new (NULL);
  for (guint i = 0; args[i] != NULL; i++)
    if (!g_str_equal (args[i], "-snapshot") && !g_str_equal (args[i], "--snapshot"))
      {
        g_autofree char *quoted = g_shell_quote (args[i]);

        g_string_append_printf (value, " %s", quoted);
      }
  return g_string_free (value, FALSE);
}

/**
 * pvm_launch_dialog_add_vm:
 * @self: a #PvmLaunchDialog
 *
 * Adds the rows of one more VM: the next image selected (the same one
 * after a VM that discards its changes), the other values those of the VM
 * before (as the command line's lists repeat their last value).
 */
void
pvm_launch_dialog_add_vm (PvmLaunchDialog *self)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  guint n_images = g_list_model_get_n_items (G_LIST_MODEL (self->images));
  VmRows *before = self->vms->len > 0 ? &g_array_index (self->vms, VmRows, self->vms->len - 1)
                                      : NULL;
  const char * const *mem = pvm_config_get_list (self->config, "MEM");
  const char * const *cores = pvm_config_get_list (self->config, "CORES");
  GtkWidget *button;
  VmRows rows;

  rows.group = group;
  rows.remove = suffix_button ("user-trash-symbolic", _("Remove This VM"));
  g_signal_connect (rows.remove, "clicked", G_CALLBACK (remove_cb), self);
  adw_preferences_group_set_header_suffix (group, rows.remove);

  /* The next image; after a VM that discards its changes, its image: one
   * image for a batch. */
  rows.image = combo_row (group, _("Image"), G_LIST_MODEL (self->images));
  if (before != NULL && gtk_switch_get_active (before->discard))
    adw_combo_row_set_selected (rows.image, adw_combo_row_get_selected (before->image));
  else if (n_images > 0)
    adw_combo_row_set_selected (rows.image, MIN (self->vms->len, n_images - 1));

  rows.host = combo_row (group, _("Host"), G_LIST_MODEL (self->host_names));
  gtk_widget_set_visible (GTK_WIDGET (rows.host), self->hosts->len > 1);
  if (before != NULL)
    adw_combo_row_set_selected (rows.host, adw_combo_row_get_selected (before->host));

  rows.input = combo_row (group, _("Input (read-only)"), G_LIST_MODEL (self->inputs));
  adw_combo_row_set_expression (rows.input,
                                gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                             G_CALLBACK (input_label),
                                                             NULL, NULL));
  g_signal_connect (rows.input, "notify::selected", G_CALLBACK (input_selected_cb), NULL);
  button = suffix_button ("folder-open-symbolic", _("Use a Folder as Input"));
  g_signal_connect (button, "clicked", G_CALLBACK (choose_input_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (rows.input), button);

  rows.output = entry_row (group, _("Output folder"), "");
  button = suffix_button ("folder-open-symbolic", _("Choose the Output Folder"));
  g_signal_connect (button, "clicked", G_CALLBACK (choose_output_cb), self);
  adw_entry_row_add_suffix (rows.output, button);

  rows.memory = entry_row (group, _("Memory"),
                           before != NULL ? gtk_editable_get_text (GTK_EDITABLE (before->memory))
                           : mem[0] != NULL ? mem[0] : "2G");
  rows.cores = entry_row (group, _("vCPUs"),
                          before != NULL ? gtk_editable_get_text (GTK_EDITABLE (before->cores))
                          : cores[0] != NULL ? cores[0] : "2");

  /* -snapshot: the image is only read; VMs that all discard their changes
   * may boot one image together. */
  {
    GtkWidget *row = adw_action_row_new ();

    rows.discard = GTK_SWITCH (gtk_switch_new ());
    gtk_widget_set_valign (GTK_WIDGET (rows.discard), GTK_ALIGN_CENTER);
    gtk_switch_set_active (rows.discard,
                           before != NULL
                             ? gtk_switch_get_active (before->discard)
                             : has_snapshot (pvm_config_pick (self->config, "ADDITIONAL",
                                                              self->vms->len)));
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Discard Changes"));
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                 _("Its image is only read: what the VM changes on it is gone "
                                   "when it stops, and other such VMs may boot the same image"));
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), GTK_WIDGET (rows.discard));
    adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), GTK_WIDGET (rows.discard));
    adw_preferences_group_add (group, row);
  }
  g_array_append_val (self->vms, rows);
  adw_preferences_page_add (self->page, group);
  update_titles (self);
}

/**
 * pvm_launch_dialog_set_vm:
 * @self: a #PvmLaunchDialog
 * @index: which VM, from 0; VMs are added up to it
 * @image: (nullable): an image name of DRIVEREPO
 * @input: (nullable): an archive name of SQUASHREPO, "None", or the
 *   absolute path of a folder (as the user chooses one)
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
  if (input != NULL)
    select_input (self, rows, input);
  if (output != NULL)
    gtk_editable_set_text (GTK_EDITABLE (rows->output), output);
  if (memory != NULL)
    gtk_editable_set_text (GTK_EDITABLE (rows->memory), memory);
  if (cores != NULL)
    gtk_editable_set_text (GTK_EDITABLE (rows->cores), cores);
}

/**
 * pvm_launch_dialog_set_discard_changes:
 * @self: a #PvmLaunchDialog
 * @index: which VM, from 0; VMs are added up to it
 * @discard: whether the VM discards its changes (-snapshot)
 *
 * Sets a VM's Discard Changes switch as a user would.
 */
void
pvm_launch_dialog_set_discard_changes (PvmLaunchDialog *self,
                                       guint            index,
                                       gboolean         discard)
{
  g_return_if_fail (PVM_IS_LAUNCH_DIALOG (self));

  while (self->vms->len <= index)
    pvm_launch_dialog_add_vm (self);
  gtk_switch_set_active (g_array_index (self->vms, VmRows, index).discard, discard);
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

/**
 * pvm_launch_dialog_set_host:
 * @self: a #PvmLaunchDialog
 * @index: which VM, from 0; VMs are added up to it
 * @host: a host's name: `local` or one of HOSTS
 *
 * Chooses a VM's host, as a user would.
 *
 * Returns: whether there is such a host
 */
gboolean
pvm_launch_dialog_set_host (PvmLaunchDialog *self,
                            guint            index,
                            const char      *host)
{
  g_return_val_if_fail (PVM_IS_LAUNCH_DIALOG (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  while (self->vms->len <= index)
    pvm_launch_dialog_add_vm (self);
  for (guint i = 0; i < self->hosts->len; i++)
    if (g_str_equal (((PvmHostEntry *) g_ptr_array_index (self->hosts, i))->name, host))
      {
        adw_combo_row_set_selected (g_array_index (self->vms, VmRows, index).host, i);
        return TRUE;
      }
  return FALSE;
}

/**
 * pvm_launch_dialog_get_n_vms:
 * @self: a #PvmLaunchDialog
 *
 * Returns: how many VMs the dialog would launch
 */
guint
pvm_launch_dialog_get_n_vms (PvmLaunchDialog *self)
{
  g_return_val_if_fail (PVM_IS_LAUNCH_DIALOG (self), 0);

  return self->vms->len;
}

static void
output_mode_selected_cb (PvmLaunchDialog *self)
{
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->output_mode_row),
                               adw_combo_row_get_selected (self->output_mode_row) == 1
                                 ? _("Files copied out at power off; the VMs can be saved and "
                                     "moved")
                                 : _("The host sees the files as the VMs write them"));
}

static void
set_launching (PvmLaunchDialog *self,
               gboolean         launching)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "launch.start", !launching);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "launch.add", !launching);
  gtk_spinner_set_spinning (self->spinner, launching);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), launching);
}

static void
show_problems (PvmLaunchDialog *self,
               const char      *text)
{
  g_free (self->problems);
  self->problems = g_strdup (text);
  gtk_label_set_text (self->problems_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problems_group), text != NULL);
  set_launching (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROBLEMS]);
}

static void
launch_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PvmLaunchDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vms = pvm_launch_on_hosts_finish (result, NULL, &error);

  if (vms == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_problems (self, error->message);
      return;
    }
  g_signal_emit (self, signals[LAUNCHED], 0, vms->len);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* The host VM @index (0-based) is placed on. */
static PvmHostEntry *
get_vm_host (PvmLaunchDialog *self,
             guint            index)
{
  guint selected = adw_combo_row_get_selected (g_array_index (self->vms, VmRows, index).host);

  return g_ptr_array_index (self->hosts, selected < self->hosts->len ? selected : 0);
}

/* The pVM VMs of the libvirt of each of @uris; a host that does not
 * answer adds none (the launch will say so). */
static GPtrArray *
fetch_defined (const char * const *uris,
               GCancellable       *cancellable)
{
  GPtrArray *vms = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GVirConnection) connection = pvm_vm_open_connection (uris[i], cancellable, NULL);
      g_autoptr(GPtrArray) host_vms = connection != NULL ? pvm_vm_list_fetch (connection, NULL)
                                                         : NULL;

      for (guint j = 0; host_vms != NULL && j < host_vms->len; j++)
        g_ptr_array_add (vms, g_object_ref (g_ptr_array_index (host_vms, j)));
    }
  return vms;
}

/* In a thread: the plan's checks read files, run QEMU and bind ports, and
 * the VMs there are hold ports too (unlike pvm's command line, the dialog
 * moves its VMs' ports past theirs): those of every host the launch
 * places a VM on, a port that one of them keeps for a VM that is off
 * being taken on its host as soon as that VM starts again. The task's
 * data are the hosts' URIs. Returns the problems, or "" */
static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PvmLaunchDialog *self = source_object;
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GPtrArray) vms = fetch_defined (task_data, cancellable);
  g_autoptr(GPtrArray) defined = g_ptr_array_new ();

  for (guint i = 0; i < vms->len; i++)
    g_ptr_array_add (defined, (gpointer) pvm_vm_get_plan (g_ptr_array_index (vms, i)));
  self->plan = pvm_plan_new_from_config (self->config, g_get_home_dir ());
  pvm_plan_choose_ssh_ports (self->plan, defined);
  pvm_plan_check (self->plan, self->config);
  for (guint i = 0; i < self->plan->problems->len; i++)
    {
      g_autofree char *line = pvm_problem_to_string (g_ptr_array_index (self->plan->problems, i));

      g_string_append_printf (problems, "%s%s", problems->len > 0 ? "\n" : "", line);
    }
  g_task_return_pointer (task, g_string_free (g_steal_pointer (&problems), FALSE), g_free);
}

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (object);
  g_autofree char *problems = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GPtrArray) placement = g_ptr_array_new ();

  if (problems == NULL)
    return;
  if (*problems != '\0')
    {
      show_problems (self, problems);
      return;
    }

  for (guint i = 0; i < self->vms->len; i++)
    g_ptr_array_add (placement, get_vm_host (self, i));
  pvm_launch_on_hosts_async (self->config, self->plan, placement, self->cancellable,
                             launch_done_cb, g_object_ref (self));
}

/* The rows' values become the configuration's lists, as pvm's flags do. */
static gboolean
set_lists (PvmLaunchDialog  *self,
           GError          **error)
{
  static const char * const keys[] = { "DRIVES", "INDRIVES", "OUTDIRS", "MEM", "CORES",
                                       "ADDITIONAL" };
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);
  static const char * const output_modes[] = { "shared", "disk" };
  GPtrArray *lists[G_N_ELEMENTS (keys)];
  guint output_mode = adw_combo_row_get_selected (self->output_mode_row);
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

      /* The configuration's arguments for this VM, with -snapshot as its
       * switch says. */
      g_ptr_array_add (owned, dup_additional (pvm_config_pick (self->config, "ADDITIONAL", i),
                                              gtk_switch_get_active (rows->discard)));
      g_ptr_array_add (lists[5], g_ptr_array_index (owned, owned->len - 1));
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
  if (ok && output_mode < G_N_ELEMENTS (output_modes) &&
      !pvm_config_set_string (self->config, "OUTPUT_MODE", output_modes[output_mode], error))
    ok = FALSE;
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
  g_autoptr(GStrvBuilder) uris = g_strv_builder_new ();
  g_autoptr(GHashTable) placed = g_hash_table_new (NULL, NULL);

  g_clear_pointer (&self->plan, pvm_plan_free);
  show_problems (self, NULL);
  if (!set_lists (self, &error))
    {
      show_problems (self, error->message);
      return;
    }

  /* The hosts the VMs go to, local first (its VMs are always read). */
  g_hash_table_add (placed, g_ptr_array_index (self->hosts, 0));
  g_strv_builder_add (uris, ((PvmHostEntry *) g_ptr_array_index (self->hosts, 0))->uri);
  for (guint i = 0; i < self->vms->len; i++)
    {
      PvmHostEntry *host = get_vm_host (self, i);

      if (g_hash_table_add (placed, host))
        g_strv_builder_add (uris, host->uri);
    }

  set_launching (self, TRUE);
  task = g_task_new (self, self->cancellable, check_done_cb, NULL);
  g_task_set_source_tag (task, start_action);
  g_task_set_task_data (task, g_strv_builder_end (uris), (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, check_thread);
}

/* Once the new VM's rows have their place, the page scrolls to show them
 * all and the focus goes to the first. */
static gboolean
show_new_vm_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (gtk_widget_get_root (widget));
  VmRows *rows = &g_array_index (self->vms, VmRows, find_rows (self, widget));
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  if (gtk_widget_get_height (widget) == 0)
    return G_SOURCE_CONTINUE;
  if (scrolled != NULL && gtk_widget_compute_bounds (widget, scrolled, &bounds))
    {
      GtkAdjustment *adjustment =
        gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
      double page = gtk_adjustment_get_page_size (adjustment);
      double below = bounds.origin.y + bounds.size.height - page;

      if (below > 0)
        gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) +
                                                MIN (below, bounds.origin.y));
    }
  gtk_widget_grab_focus (GTK_WIDGET (rows->image));
  return G_SOURCE_REMOVE;
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (widget);
  VmRows *rows;

  pvm_launch_dialog_add_vm (self);
  rows = &g_array_index (self->vms, VmRows, self->vms->len - 1);
  gtk_widget_add_tick_callback (GTK_WIDGET (rows->group), show_new_vm_cb, NULL, NULL);
}

static void
pvm_launch_dialog_dispose (GObject *object)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (pvm_launch_dialog_parent_class)->dispose (object);
}

static void
pvm_launch_dialog_finalize (GObject *object)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (object);

  g_clear_object (&self->images);
  g_clear_object (&self->inputs);
  g_clear_object (&self->host_names);
  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  g_clear_pointer (&self->vms, g_array_unref);
  g_clear_pointer (&self->plan, pvm_plan_free);
  g_clear_object (&self->config);
  g_free (self->problems);

  G_OBJECT_CLASS (pvm_launch_dialog_parent_class)->finalize (object);
}

static void
pvm_launch_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PvmLaunchDialog *self = PVM_LAUNCH_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PROBLEMS:
      g_value_set_string (value, self->problems);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_launch_dialog_class_init (PvmLaunchDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pvm_launch_dialog_dispose;
  object_class->finalize = pvm_launch_dialog_finalize;
  object_class->get_property = pvm_launch_dialog_get_property;

  /**
   * PvmLaunchDialog:problems:
   *
   * What stopped the last launch, as shown, or %NULL.
   */
  properties[PROP_PROBLEMS] = g_param_spec_string ("problems", NULL, NULL, NULL,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  gtk_widget_class_bind_template_child (widget_class, PvmLaunchDialog, output_mode_row);
  gtk_widget_class_bind_template_child (widget_class, PvmLaunchDialog, spinner);

  gtk_widget_class_bind_template_callback (widget_class, output_mode_selected_cb);

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
  self->hosts = pvm_hosts_from_config (self->config);
  self->host_names = gtk_string_list_new (NULL);
  for (guint i = 0; i < self->hosts->len; i++)
    gtk_string_list_append (self->host_names,
                            ((PvmHostEntry *) g_ptr_array_index (self->hosts, i))->name);
  adw_combo_row_set_selected (self->output_mode_row,
                              pvm_config_get_output_mode (self->config) == PVM_OUTPUT_MODE_DISK);
  output_mode_selected_cb (self);
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
