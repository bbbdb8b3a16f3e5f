/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-image-snapshot-dialog.c: asks for the names of one or more new
 * overlays of a base image ("pvm image snapshot BASE NAME", once per
 * name). Each name is checked as it is typed by the core's name check;
 * empty rows are left out; "create" is enabled for at least one name, all
 * valid and all different. The page that opens it does the work. */

#define G_LOG_DOMAIN "pvm-image-snapshot-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-image-snapshot-dialog.h"

struct _PvmImageSnapshotDialog
{
  AdwMessageDialog  parent_instance;

  /* Owned */
  char             *base;
  GPtrArray        *rows;           /* AdwEntryRow, borrowed from names_list */

  /* Template widgets */
  GtkListBox       *names_list;
  GtkLabel         *problem_label;
};

G_DEFINE_FINAL_TYPE (PvmImageSnapshotDialog, pvm_image_snapshot_dialog, ADW_TYPE_MESSAGE_DIALOG)

static const char *
row_text (PvmImageSnapshotDialog *self,
          guint                   i)
{
  return gtk_editable_get_text (GTK_EDITABLE (g_ptr_array_index (self->rows, i)));
}

static void
changed_cb (PvmImageSnapshotDialog *self)
{
  g_autoptr(GError) error = NULL;
  guint n_names = 0;

  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      const char *name = row_text (self, i);
      g_autoptr(GError) row_error = NULL;

      if (*name == '\0')
        {
          gtk_widget_remove_css_class (row, "error");
          continue;
        }
      n_names++;
      pvm_image_check_name (name, &row_error);
      for (guint j = 0; row_error == NULL && j < i; j++)
        if (g_str_equal (name, row_text (self, j)))
          g_set_error (&row_error, PVM_ERROR, PVM_ERROR_EXISTS,
                       _("“%s” is given twice: each overlay needs a name of its own"), name);

      if (row_error != NULL)
        gtk_widget_add_css_class (row, "error");
      else
        gtk_widget_remove_css_class (row, "error");
      if (error == NULL)
        error = g_steal_pointer (&row_error);
    }

  gtk_label_set_text (self->problem_label, error != NULL ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), error != NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "create",
                                           error == NULL && n_names > 0);
}

/**
 * pvm_image_snapshot_dialog_add_name:
 * @self: a #PvmImageSnapshotDialog
 *
 * Adds a row for one more overlay's name, and focuses it.
 */
void
pvm_image_snapshot_dialog_add_name (PvmImageSnapshotDialog *self)
{
  GtkWidget *row = adw_entry_row_new ();

  g_return_if_fail (PVM_IS_IMAGE_SNAPSHOT_DIALOG (self));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 self->rows->len == 0 ? _("Name") : _("Another Name"));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
  g_signal_connect_object (row, "changed", G_CALLBACK (changed_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_append (self->names_list, row);
  g_ptr_array_add (self->rows, row);
  gtk_widget_grab_focus (row);
  changed_cb (self);
}

static void
add_name_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  pvm_image_snapshot_dialog_add_name (PVM_IMAGE_SNAPSHOT_DIALOG (widget));
}

static void
pvm_image_snapshot_dialog_finalize (GObject *object)
{
  PvmImageSnapshotDialog *self = PVM_IMAGE_SNAPSHOT_DIALOG (object);

  g_free (self->base);
  g_ptr_array_unref (self->rows);

  G_OBJECT_CLASS (pvm_image_snapshot_dialog_parent_class)->finalize (object);
}

static void
pvm_image_snapshot_dialog_class_init (PvmImageSnapshotDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = pvm_image_snapshot_dialog_finalize;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/pvm/Pvm/ui/pvm-image-snapshot-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmImageSnapshotDialog, names_list);
  gtk_widget_class_bind_template_child (widget_class, PvmImageSnapshotDialog, problem_label);

  gtk_widget_class_install_action (widget_class, "snapshot.add-name", NULL, add_name_action);
}

static void
pvm_image_snapshot_dialog_init (PvmImageSnapshotDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_ptr_array_new ();
}

/**
 * pvm_image_snapshot_dialog_new:
 * @base: the name of the image the overlays are made of
 *
 * Returns: (transfer full): a dialog with one empty name; it emits
 *   "response" with "create" or "cancel"
 */
PvmImageSnapshotDialog *
pvm_image_snapshot_dialog_new (const char *base)
{
  PvmImageSnapshotDialog *self;

  g_return_val_if_fail (base != NULL, NULL);

  self = g_object_new (PVM_TYPE_IMAGE_SNAPSHOT_DIALOG, NULL);
  self->base = g_strdup (base);
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (self), _("New Overlays of “%s”"), base);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("Each overlay starts as “%s” and keeps its own changes, so "
                                    "that VMs can share one base. “%s” becomes read-only as long "
                                    "as it has overlays."), base, base);
  pvm_image_snapshot_dialog_add_name (self);
  return self;
}

/**
 * pvm_image_snapshot_dialog_get_base:
 * @self: a #PvmImageSnapshotDialog
 *
 * Returns: the name of the base image
 */
const char *
pvm_image_snapshot_dialog_get_base (PvmImageSnapshotDialog *self)
{
  g_return_val_if_fail (PVM_IS_IMAGE_SNAPSHOT_DIALOG (self), NULL);

  return self->base;
}

/**
 * pvm_image_snapshot_dialog_dup_names:
 * @self: a #PvmImageSnapshotDialog
 *
 * Returns: (transfer full): the names typed, in order, empty rows left out
 */
GStrv
pvm_image_snapshot_dialog_dup_names (PvmImageSnapshotDialog *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  g_return_val_if_fail (PVM_IS_IMAGE_SNAPSHOT_DIALOG (self), NULL);

  for (guint i = 0; i < self->rows->len; i++)
    if (*row_text (self, i) != '\0')
      g_strv_builder_add (names, row_text (self, i));
  return g_strv_builder_end (names);
}
