/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-archive-create-dialog.c: asks for the name and the compressor of a
 * new data archive of a folder, as "pvm squash create SOURCE_DIR [NAME]
 * [--compressor ...]" takes them: the name defaults to the folder's, is
 * checked as it is typed by the core's name check, and the compressors are
 * the core's. The page that opens it does the work. */

#define G_LOG_DOMAIN "pvm-archive-create-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-archive-create-dialog.h"

struct _PvmArchiveCreateDialog
{
  AdwMessageDialog  parent_instance;

  /* Owned */
  char             *source;

  /* Template widgets */
  AdwEntryRow      *name_row;
  AdwComboRow      *compressor_row;
  GtkLabel         *problem_label;
};

G_DEFINE_FINAL_TYPE (PvmArchiveCreateDialog, pvm_archive_create_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
changed_cb (PvmArchiveCreateDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autoptr(GError) error = NULL;
  gboolean ok = pvm_squash_check_name (name, &error);
  gboolean shown = !ok && *name != '\0';

  if (shown)
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_label_set_text (self->problem_label, shown ? error->message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), shown);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "create", ok);
}

static void
pvm_archive_create_dialog_finalize (GObject *object)
{
  PvmArchiveCreateDialog *self = PVM_ARCHIVE_CREATE_DIALOG (object);

  g_free (self->source);

  G_OBJECT_CLASS (pvm_archive_create_dialog_parent_class)->finalize (object);
}

static void
pvm_archive_create_dialog_class_init (PvmArchiveCreateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = pvm_archive_create_dialog_finalize;

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/pvm/Pvm/ui/pvm-archive-create-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PvmArchiveCreateDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PvmArchiveCreateDialog, compressor_row);
  gtk_widget_class_bind_template_child (widget_class, PvmArchiveCreateDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
}

static void
pvm_archive_create_dialog_init (PvmArchiveCreateDialog *self)
{
  g_autoptr(GtkStringList) compressors = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* In the enum's order, so that a position is a PvmSquashCompressor. */
  for (PvmSquashCompressor c = 0; c <= PVM_SQUASH_COMPRESSOR_GZIP; c++)
    gtk_string_list_append (compressors, pvm_squash_compressor_to_string (c));
  adw_combo_row_set_model (self->compressor_row, G_LIST_MODEL (compressors));
  adw_combo_row_set_selected (self->compressor_row, PVM_SQUASH_COMPRESSOR_DEFAULT);
}

/**
 * pvm_archive_create_dialog_new:
 * @source: the folder to archive
 *
 * Returns: (transfer full): a dialog whose name is the folder's; it emits
 *   "response" with "create" or "cancel"
 */
PvmArchiveCreateDialog *
pvm_archive_create_dialog_new (const char *source)
{
  PvmArchiveCreateDialog *self;
  g_autofree char *canonical = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (source != NULL, NULL);

  self = g_object_new (PVM_TYPE_ARCHIVE_CREATE_DIALOG, NULL);
  self->source = g_strdup (source);
  canonical = g_canonicalize_filename (source, NULL);
  name = g_path_get_basename (canonical);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("%s becomes a compressed, read-only archive that VMs take "
                                    "as their input. The folder stays as it is."), canonical);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  changed_cb (self);
  return self;
}

/**
 * pvm_archive_create_dialog_get_source:
 * @self: a #PvmArchiveCreateDialog
 *
 * Returns: the folder to archive, as given
 */
const char *
pvm_archive_create_dialog_get_source (PvmArchiveCreateDialog *self)
{
  g_return_val_if_fail (PVM_IS_ARCHIVE_CREATE_DIALOG (self), NULL);

  return self->source;
}

/**
 * pvm_archive_create_dialog_get_name:
 * @self: a #PvmArchiveCreateDialog
 *
 * Returns: the archive's name, as typed
 */
const char *
pvm_archive_create_dialog_get_name (PvmArchiveCreateDialog *self)
{
  g_return_val_if_fail (PVM_IS_ARCHIVE_CREATE_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

/**
 * pvm_archive_create_dialog_get_compressor:
 * @self: a #PvmArchiveCreateDialog
 *
 * Returns: the compressor chosen
 */
PvmSquashCompressor
pvm_archive_create_dialog_get_compressor (PvmArchiveCreateDialog *self)
{
  guint selected;

  g_return_val_if_fail (PVM_IS_ARCHIVE_CREATE_DIALOG (self), PVM_SQUASH_COMPRESSOR_DEFAULT);

  selected = adw_combo_row_get_selected (self->compressor_row);
  return selected != GTK_INVALID_LIST_POSITION ? (PvmSquashCompressor) selected
                                               : PVM_SQUASH_COMPRESSOR_DEFAULT;
}
