/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-data-page.c: the Data page: the SquashFS archives of SQUASHREPO,
 * with their compressor, sizes and ratio. */

#define G_LOG_DOMAIN "pvm-data-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-data-page.h"

struct _PvmDataPage
{
  PvmListPage parent_instance;
};

G_DEFINE_FINAL_TYPE (PvmDataPage, pvm_data_page, PVM_TYPE_LIST_PAGE)

static char *
dup_subtitle (PvmSquashArchive *archive)
{
  g_autofree char *size = pvm_size_format (archive->archive_size);
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_printf (text, "%s · %s", size,
                   archive->compressor != NULL ? archive->compressor : _("unknown compressor"));
  if (archive->has_stats)
    {
      g_autofree char *uncompressed = pvm_size_format (archive->uncompressed_size);

      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                                 "\n%s in %" G_GUINT64_FORMAT " file, ratio %.2f",
                                                 "\n%s in %" G_GUINT64_FORMAT " files, ratio %.2f",
                                                 archive->files),
                              uncompressed, archive->files, archive->ratio);
    }
  return g_markup_escape_text (text->str, -1);
}

static GtkWidget *
pvm_data_page_create_row (PvmListPage *page,
                          gpointer     item)
{
  PvmSquashArchive *archive = item;
  g_autofree char *subtitle = dup_subtitle (archive);

  return GTK_WIDGET (pvm_list_page_new_row (archive->name, subtitle,
                                            "package-x-generic-symbolic"));
}

static GPtrArray *
pvm_data_page_load (PvmListPage   *page,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(PvmSquashRepo) repo = NULL;

  if (!pvm_config_load_default (config, NULL, error))
    return NULL;
  repo = pvm_squash_repo_new (pvm_config_get_string (config, "SQUASHREPO"));
  return pvm_squash_repo_list (repo, cancellable, error);
}

static void
pvm_data_page_class_init (PvmDataPageClass *klass)
{
  PvmListPageClass *page_class = PVM_LIST_PAGE_CLASS (klass);

  page_class->load = pvm_data_page_load;
  page_class->create_row = pvm_data_page_create_row;
}

static void
pvm_data_page_init (PvmDataPage *self)
{
  pvm_list_page_set_empty (PVM_LIST_PAGE (self), "folder-symbolic", _("No Data"),
                           _("SquashFS archives of your data appear here: read-only inputs for "
                             "your VMs"));
  pvm_list_page_set_error (PVM_LIST_PAGE (self), "folder-symbolic", _("Cannot Read the Data"));
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}
