/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-image-create-dialog.c: asks for a new blank image's name and size,
 * checked as the user types by the core's own name check and size parser
 * (as "pvm image create NAME SIZE" reads them); "create" is enabled only
 * for values the core accepts. The page that opens it does the work. */

#define G_LOG_DOMAIN "pvm-image-create-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-image-create-dialog.h"

struct _PvmImageCreateDialog
{
  AdwMessageDialog  parent_instance;

  guint64           size;           /* parsed from size_row, 0 when invalid */

  /* Template widgets */
  AdwEntryRow      *name_row;
  AdwEntryRow      *size_row;
  GtkLabel         *size_label;
  AdwActionRow     *format_row;
  GtkLabel         *problem_label;
};

G_DEFINE_FINAL_TYPE (PvmImageCreateDialog, pvm_image_create_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
mark_row (AdwEntryRow *row,
          gboolean     wrong)
{
  if (wrong)
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
}

/* Checks both values; the first problem is shown under the rows. An empty
 * name is no problem to show yet, only a reason to wait. */
static void
changed_cb (PvmImageCreateDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *size = gtk_editable_get_text (GTK_EDITABLE (self->size_row));
  g_autoptr(GError) name_error = NULL;
  g_autoptr(GError) size_error = NULL;
  g_autofree char *size_text = NULL;
  gboolean name_ok = pvm_image_check_name (name, &name_error);
  GError *shown;

  /* Whatever has no unit counts bytes, as for qemu-img and pvm. */
  if (!pvm_size_parse (size, 1, &self->size, &size_error))
    self->size = 0;
  size_text = self->size > 0 ? pvm_size_format (self->size) : NULL;
  gtk_label_set_text (self->size_label, size_text != NULL ? size_text : "");

  mark_row (self->name_row, !name_ok && *name != '\0');
  mark_row (self->size_row, self->size == 0);
  shown = *name != '\0' && name_error != NULL ? name_error : size_error;
  gtk_label_set_text (self->problem_label, shown != NULL ? shown->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), shown != NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "create",
                                           name_ok && self->size > 0);
}

static void
pvm_image_create_dialog_class_init (PvmImageCreateDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/pvm/Pvm/ui/pvm-image-create-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmImageCreateDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PvmImageCreateDialog, size_row);
  gtk_widget_class_bind_template_child (widget_class, PvmImageCreateDialog, size_label);
  gtk_widget_class_bind_template_child (widget_class, PvmImageCreateDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, PvmImageCreateDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
}

static void
pvm_image_create_dialog_init (PvmImageCreateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* pvm_image_repo_create() makes qcow2 images: the format pVM boots. */
  adw_action_row_set_subtitle (self->format_row,
                               pvm_image_format_to_string (PVM_IMAGE_FORMAT_QCOW2));
  changed_cb (self);
}

/**
 * pvm_image_create_dialog_new:
 *
 * Returns: (transfer full): a dialog for a new blank image, 20 GiB unless
 *   changed; it emits "response" with "create" or "cancel"
 */
PvmImageCreateDialog *
pvm_image_create_dialog_new (void)
{
  return g_object_new (PVM_TYPE_IMAGE_CREATE_DIALOG, NULL);
}

/**
 * pvm_image_create_dialog_get_name:
 * @self: a #PvmImageCreateDialog
 *
 * Returns: the name typed, as typed
 */
const char *
pvm_image_create_dialog_get_name (PvmImageCreateDialog *self)
{
  g_return_val_if_fail (PVM_IS_IMAGE_CREATE_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

/**
 * pvm_image_create_dialog_get_size:
 * @self: a #PvmImageCreateDialog
 *
 * Returns: the size typed, in bytes, or 0 while it is not a valid size
 */
guint64
pvm_image_create_dialog_get_size (PvmImageCreateDialog *self)
{
  g_return_val_if_fail (PVM_IS_IMAGE_CREATE_DIALOG (self), 0);

  return self->size;
}
