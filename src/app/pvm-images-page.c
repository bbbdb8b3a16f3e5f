/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-images-page.c: the Images page: the images of DRIVEREPO, each base
 * followed by its overlays, protected bases and broken chains marked. */

#define G_LOG_DOMAIN "pvm-images-page"

#include "config.h"

#include <glib/gi18n.h>

#include "pvm-core.h"
#include "pvm-images-page.h"

struct _PvmImagesPage
{
  PvmListPage parent_instance;
};

G_DEFINE_FINAL_TYPE (PvmImagesPage, pvm_images_page, PVM_TYPE_LIST_PAGE)

/* "20 GiB · 1.2 GiB used", then what the image is to the others. */
static char *
dup_subtitle (PvmImage *image)
{
  g_autofree char *size = pvm_size_format (image->virtual_size);
  g_autofree char *used = pvm_size_format (image->disk_usage);
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_printf (text, _("%s · %s used"), size, used);
  if (image->broken_path != NULL)
    g_string_append_printf (text, "\n%s", image->problem != NULL ? image->problem : "");
  else if (image->is_protected)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                               "\nProtected: the base of %u overlay",
                                               "\nProtected: the base of %u overlays",
                                               g_strv_length (image->overlays)),
                            g_strv_length (image->overlays));
  else if (image->backing_file != NULL)
    g_string_append_printf (text, _("\nOverlay of %s"), image->backing_file);
  else if (!image->usable && image->problem != NULL)
    g_string_append_printf (text, "\n%s", image->problem);

  return g_markup_escape_text (text->str, -1);
}

static GtkWidget *
pvm_images_page_create_row (PvmListPage *page,
                            gpointer     item)
{
  PvmImage *image = item;
  g_autofree char *subtitle = dup_subtitle (image);
  AdwActionRow *row = pvm_list_page_new_row (image->name, subtitle,
                                             image->broken_path != NULL ? "dialog-error-symbolic"
                                             : image->is_protected ? "changes-prevent-symbolic"
                                             : "drive-harddisk-symbolic");

  return GTK_WIDGET (row);
}

/* Bases (and standalone images) in name order, each followed by the
 * overlays made from it. */
static void
add_with_overlays (GPtrArray  *ordered,
                   GHashTable *by_path,
                   GHashTable *added,
                   PvmImage   *image,
                   GPtrArray  *images)
{
  if (g_hash_table_contains (added, image))
    return;
  g_hash_table_add (added, image);
  g_ptr_array_add (ordered, pvm_image_ref (image));

  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *other = g_ptr_array_index (images, i);

      if (other->backing_path != NULL && g_hash_table_lookup (by_path, other->backing_path) == image)
        add_with_overlays (ordered, by_path, added, other, images);
    }
}

static GPtrArray *
pvm_images_page_load (PvmListPage   *page,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(PvmImageRepo) repo = NULL;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GHashTable) by_path = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) added = g_hash_table_new (NULL, NULL);
  GPtrArray *ordered;

  if (!pvm_config_load_default (config, NULL, error))
    return NULL;
  repo = pvm_image_repo_new (pvm_config_get_string (config, "DRIVEREPO"));
  if ((images = pvm_image_repo_list (repo, error)) == NULL)
    return NULL;

  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      g_hash_table_insert (by_path, image->path, image);
    }

  ordered = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_image_unref);
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      if (image->backing_path == NULL || !g_hash_table_contains (by_path, image->backing_path))
        add_with_overlays (ordered, by_path, added, image, images);
    }
  /* Whatever a cycle of backing files left out. */
  for (guint i = 0; i < images->len; i++)
    add_with_overlays (ordered, by_path, added, g_ptr_array_index (images, i), images);

  return ordered;
}

static void
pvm_images_page_class_init (PvmImagesPageClass *klass)
{
  PvmListPageClass *page_class = PVM_LIST_PAGE_CLASS (klass);

  page_class->load = pvm_images_page_load;
  page_class->create_row = pvm_images_page_create_row;
}

static void
pvm_images_page_init (PvmImagesPage *self)
{
  pvm_list_page_set_empty (PVM_LIST_PAGE (self), "drive-harddisk-symbolic", _("No Images"),
                           _("Base images appear here, each kept as a protected backing "
                             "snapshot"));
  pvm_list_page_set_error (PVM_LIST_PAGE (self), "drive-harddisk-symbolic",
                           _("Cannot Read the Images"));
  pvm_list_page_reload (PVM_LIST_PAGE (self));
}
