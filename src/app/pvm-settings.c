/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-settings.c: the UI preferences of the application, kept in GSettings.
 *
 * Every key of the io.github.pvm.Pvm schema is a property of PvmSettings,
 * bound both ways to GSettings, so a window can bind its own properties to
 * it. Tests inject a memory backend through the "backend" property.
 */

#define G_LOG_DOMAIN "pvm-settings"

#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "pvm-settings.h"

struct _PvmSettings
{
  GObject           parent_instance;

  /* Owned references */
  GSettingsBackend *backend;
  GSettings        *settings;

  /* Values of the keys, kept in step with GSettings by g_settings_bind() */
  char             *last_page;
  int               window_width;
  int               window_height;
  guint             window_maximized : 1;
};

G_DEFINE_FINAL_TYPE (PvmSettings, pvm_settings, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BACKEND,
  PROP_LAST_PAGE,
  PROP_WINDOW_HEIGHT,
  PROP_WINDOW_MAXIMIZED,
  PROP_WINDOW_WIDTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Each bound key and the property that mirrors it. */
static const struct {
  const char *key;
  guint       prop_id;
} bound_keys[] = {
  { "last-page", PROP_LAST_PAGE },
  { "window-height", PROP_WINDOW_HEIGHT },
  { "window-maximized", PROP_WINDOW_MAXIMIZED },
  { "window-width", PROP_WINDOW_WIDTH },
};

static gboolean
pvm_settings_key_accepts (PvmSettings *self,
                          const char  *key,
                          GVariant    *value)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) schema_key = NULL;
  g_autoptr(GVariant) sunk = g_variant_ref_sink (value);

  g_assert (PVM_IS_SETTINGS (self));

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  schema_key = g_settings_schema_get_key (schema, key);

  return g_settings_schema_key_range_check (schema_key, sunk);
}

static void
pvm_settings_constructed (GObject *object)
{
  PvmSettings *self = (PvmSettings *)object;

  G_OBJECT_CLASS (pvm_settings_parent_class)->constructed (object);

  if (self->backend != NULL)
    self->settings = g_settings_new_with_backend (APP_ID, self->backend);
  else
    self->settings = g_settings_new (APP_ID);

  for (guint i = 0; i < G_N_ELEMENTS (bound_keys); i++)
    g_settings_bind (self->settings, bound_keys[i].key,
                     self, g_param_spec_get_name (properties[bound_keys[i].prop_id]),
                     G_SETTINGS_BIND_DEFAULT);
}

static void
pvm_settings_finalize (GObject *object)
{
  PvmSettings *self = (PvmSettings *)object;

  g_clear_object (&self->settings);
  g_clear_object (&self->backend);
  g_clear_pointer (&self->last_page, g_free);

  G_OBJECT_CLASS (pvm_settings_parent_class)->finalize (object);
}

static void
pvm_settings_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PvmSettings *self = PVM_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      g_value_set_object (value, self->backend);
      break;

    case PROP_LAST_PAGE:
      g_value_set_string (value, self->last_page);
      break;

    case PROP_WINDOW_HEIGHT:
      g_value_set_int (value, self->window_height);
      break;

    case PROP_WINDOW_MAXIMIZED:
      g_value_set_boolean (value, self->window_maximized);
      break;

    case PROP_WINDOW_WIDTH:
      g_value_set_int (value, self->window_width);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_settings_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PvmSettings *self = PVM_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      self->backend = g_value_dup_object (value);
      break;

    case PROP_LAST_PAGE:
      pvm_settings_set_last_page (self, g_value_get_string (value));
      break;

    case PROP_WINDOW_HEIGHT:
      pvm_settings_set_window_height (self, g_value_get_int (value));
      break;

    case PROP_WINDOW_MAXIMIZED:
      pvm_settings_set_window_maximized (self, g_value_get_boolean (value));
      break;

    case PROP_WINDOW_WIDTH:
      pvm_settings_set_window_width (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pvm_settings_class_init (PvmSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pvm_settings_constructed;
  object_class->finalize = pvm_settings_finalize;
  object_class->get_property = pvm_settings_get_property;
  object_class->set_property = pvm_settings_set_property;

  /**
   * PvmSettings:backend:
   *
   * The GSettings backend to store the preferences in, or %NULL for the
   * default one (dconf on a desktop).
   */
  properties[PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL,
                         G_TYPE_SETTINGS_BACKEND,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * PvmSettings:last-page:
   *
   * The name of the page of the main window shown last: "machines",
   * "images" or "data".
   */
  properties[PROP_LAST_PAGE] =
    g_param_spec_string ("last-page", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_WINDOW_HEIGHT] =
    g_param_spec_int ("window-height", NULL, NULL,
                      0, G_MAXINT, 0,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_WINDOW_MAXIMIZED] =
    g_param_spec_boolean ("window-maximized", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_WINDOW_WIDTH] =
    g_param_spec_int ("window-width", NULL, NULL,
                      0, G_MAXINT, 0,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pvm_settings_init (PvmSettings *self)
{
}

/**
 * pvm_settings_new:
 *
 * Creates the UI preferences on the default GSettings backend.
 *
 * Returns: (transfer full): a new #PvmSettings
 */
PvmSettings *
pvm_settings_new (void)
{
  return g_object_new (PVM_TYPE_SETTINGS, NULL);
}

/**
 * pvm_settings_new_with_backend:
 * @backend: a #GSettingsBackend
 *
 * Creates the UI preferences stored in @backend, such as the one of
 * g_memory_settings_backend_new() in tests.
 *
 * Returns: (transfer full): a new #PvmSettings
 */
PvmSettings *
pvm_settings_new_with_backend (GSettingsBackend *backend)
{
  g_return_val_if_fail (G_IS_SETTINGS_BACKEND (backend), NULL);

  return g_object_new (PVM_TYPE_SETTINGS,
                       "backend", backend,
                       NULL);
}

int
pvm_settings_get_window_width (PvmSettings *self)
{
  g_return_val_if_fail (PVM_IS_SETTINGS (self), 0);

  return self->window_width;
}

void
pvm_settings_set_window_width (PvmSettings *self,
                               int          window_width)
{
  g_return_if_fail (PVM_IS_SETTINGS (self));
  g_return_if_fail (window_width >= 0);

  if (self->window_width != window_width)
    {
      self->window_width = window_width;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_WIDTH]);
    }
}

int
pvm_settings_get_window_height (PvmSettings *self)
{
  g_return_val_if_fail (PVM_IS_SETTINGS (self), 0);

  return self->window_height;
}

void
pvm_settings_set_window_height (PvmSettings *self,
                                int          window_height)
{
  g_return_if_fail (PVM_IS_SETTINGS (self));
  g_return_if_fail (window_height >= 0);

  if (self->window_height != window_height)
    {
      self->window_height = window_height;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_HEIGHT]);
    }
}

gboolean
pvm_settings_get_window_maximized (PvmSettings *self)
{
  g_return_val_if_fail (PVM_IS_SETTINGS (self), FALSE);

  return self->window_maximized;
}

void
pvm_settings_set_window_maximized (PvmSettings *self,
                                   gboolean     window_maximized)
{
  g_return_if_fail (PVM_IS_SETTINGS (self));

  window_maximized = !!window_maximized;

  if (self->window_maximized != window_maximized)
    {
      self->window_maximized = window_maximized;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW_MAXIMIZED]);
    }
}

/**
 * pvm_settings_get_last_page:
 * @self: a #PvmSettings
 *
 * Returns: (transfer none): the name of the page shown last
 */
const char *
pvm_settings_get_last_page (PvmSettings *self)
{
  g_return_val_if_fail (PVM_IS_SETTINGS (self), NULL);

  return self->last_page;
}

/**
 * pvm_settings_set_last_page:
 * @self: a #PvmSettings
 * @last_page: one of the page names the schema allows
 *
 * Records the page of the main window shown last.
 */
void
pvm_settings_set_last_page (PvmSettings *self,
                            const char  *last_page)
{
  g_return_if_fail (PVM_IS_SETTINGS (self));
  g_return_if_fail (last_page != NULL);
  g_return_if_fail (pvm_settings_key_accepts (self, "last-page", g_variant_new_string (last_page)));

  if (g_strcmp0 (self->last_page, last_page) != 0)
    {
      g_free (self->last_page);
      self->last_page = g_strdup (last_page);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_PAGE]);
    }
}
