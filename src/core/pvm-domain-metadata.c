/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-domain-metadata.c: pVM's own element in a domain's <metadata>, which
 * holds a VM's whole plan, written and read back. */

#define G_LOG_DOMAIN "pvm-domain"

#include "config.h"

#include <string.h>

#include "pvm-autocleanups.h"
#include "pvm-domain-private.h"
#include "pvm-error.h"

/* The <vm> element of pVM's metadata, without its namespace (which
 * gvir_config_domain_set_custom_xml() adds). Strings are attributes, so
 * that no reformatting of the XML can change them; numbers are text. */
char *
_pvm_domain_metadata_xml (const PvmVmPlan *vm)
{
  GString *xml = g_string_new ("<vm>");

  _pvm_domain_append_escaped (xml, "<index>%u</index>", vm->index);
  _pvm_domain_append_escaped (xml, "<name value='%s'/>", vm->name);
  _pvm_domain_append_escaped (xml, "<image path='%s'/>", vm->image);
  if (vm->input != NULL)
    _pvm_domain_append_escaped (xml, "<input kind='%s' path='%s'/>",
                                pvm_input_kind_to_string (vm->input_kind), vm->input);
  else
    _pvm_domain_append_escaped (xml, "<input kind='%s'/>",
                                pvm_input_kind_to_string (PVM_INPUT_KIND_NONE));
  if (vm->output != NULL)
    _pvm_domain_append_escaped (xml, "<output path='%s'/>", vm->output);
  _pvm_domain_append_escaped (xml, "<memory unit='bytes'>%" G_GUINT64_FORMAT "</memory>",
                              vm->memory_bytes);
  _pvm_domain_append_escaped (xml, "<cores>%u</cores>", vm->cores);
  if (vm->ssh_port != 0)
    _pvm_domain_append_escaped (xml, "<ssh-port>%u</ssh-port>", vm->ssh_port);
  g_string_append (xml, "<extra-args>");
  for (guint i = 0; vm->extra_args != NULL && vm->extra_args[i] != NULL; i++)
    _pvm_domain_append_escaped (xml, "<arg value='%s'/>", vm->extra_args[i]);
  g_string_append (xml, "</extra-args></vm>");

  return g_string_free (xml, FALSE);
}

typedef struct
{
  /* Borrowed from plan_from_metadata_xml(), which owns them */
  PvmVmPlan *vm;         /* filled while parsing */
  GPtrArray *args;       /* extra arguments, NULL-terminated at the end */
  GString   *text;       /* text of the current element */

  gboolean   has_name;
  gboolean   has_image;
  gboolean   has_input;
  gboolean   has_memory;
  gboolean   has_cores;
} MetadataParser;

static const char *
find_attribute (const char **names,
                const char **values,
                const char  *name)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (names[i], name))
      return values[i];
  return NULL;
}

static const char *
require_attribute (GMarkupParseContext  *context,
                   const char           *element,
                   const char          **names,
                   const char          **values,
                   const char           *name,
                   GError              **error)
{
  const char *value = find_attribute (names, values, name);

  if (value == NULL)
    g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_MISSING_ATTRIBUTE,
                 "<%s> has no “%s” attribute", element, name);
  return value;
}

static gboolean
input_kind_from_string (const char   *text,
                        PvmInputKind *kind)
{
  const PvmInputKind kinds[] = {
    PVM_INPUT_KIND_NONE, PVM_INPUT_KIND_SQUASHFS, PVM_INPUT_KIND_DIRECTORY,
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (text, pvm_input_kind_to_string (kinds[i])))
      {
        *kind = kinds[i];
        return TRUE;
      }
  return FALSE;
}

static void
metadata_start_element_cb (GMarkupParseContext  *context,
                           const char           *element,
                           const char          **names,
                           const char          **values,
                           gpointer              user_data,
                           GError              **error)
{
  MetadataParser *parser = user_data;
  const GSList *stack = g_markup_parse_context_get_element_stack (context);
  guint depth = g_slist_length ((GSList *) stack);
  const char *parent = depth > 1 ? stack->next->data : NULL;
  const char *value;

  g_string_truncate (parser->text, 0);

  if (depth == 1)
    {
      const char *colon = strchr (element, ':');

      if (!g_str_equal (colon != NULL ? colon + 1 : element, "vm"))
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_UNKNOWN_ELEMENT,
                     "the root element is <%s>, not <vm>", element);
      return;
    }

  if (depth == 3 && g_str_equal (parent, "extra-args") && g_str_equal (element, "arg"))
    {
      if ((value = require_attribute (context, element, names, values, "value", error)))
        g_ptr_array_add (parser->args, g_strdup (value));
      return;
    }

  /* Elements a newer pVM added are skipped. */
  if (depth != 2)
    return;

  if (g_str_equal (element, "name"))
    {
      if ((value = require_attribute (context, element, names, values, "value", error)))
        {
          g_free (parser->vm->name);
          parser->vm->name = g_strdup (value);
          parser->has_name = TRUE;
        }
    }
  else if (g_str_equal (element, "image"))
    {
      if ((value = require_attribute (context, element, names, values, "path", error)))
        {
          g_free (parser->vm->image);
          parser->vm->image = g_strdup (value);
          parser->has_image = TRUE;
        }
    }
  else if (g_str_equal (element, "input"))
    {
      PvmInputKind kind;

      if ((value = require_attribute (context, element, names, values, "kind", error)) == NULL)
        return;
      if (!input_kind_from_string (value, &kind))
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       "unknown input kind “%s”", value);
          return;
        }
      value = find_attribute (names, values, "path");
      if ((kind == PVM_INPUT_KIND_NONE) != (value == NULL))
        {
          g_set_error_literal (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                               "an input needs a path exactly when its kind is not “none”");
          return;
        }
      parser->vm->input_kind = kind;
      g_free (parser->vm->input);
      parser->vm->input = g_strdup (value);
      parser->has_input = TRUE;
    }
  else if (g_str_equal (element, "output"))
    {
      if ((value = require_attribute (context, element, names, values, "path", error)))
        {
          g_free (parser->vm->output);
          parser->vm->output = g_strdup (value);
        }
    }
  else if (g_str_equal (element, "memory"))
    {
      value = find_attribute (names, values, "unit");
      if (value != NULL && !g_str_equal (value, "bytes"))
        g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                     "the memory's unit is “%s”, not “bytes”", value);
    }
}

static gboolean
parse_number (const char  *element,
              const char  *text,
              guint64      max,
              guint64     *number,
              GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autoptr(GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (stripped, 10, 0, max, number, &local_error))
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   "<%s>: %s", element, local_error->message);
      return FALSE;
    }
  return TRUE;
}

static void
metadata_end_element_cb (GMarkupParseContext  *context,
                         const char           *element,
                         gpointer              user_data,
                         GError              **error)
{
  MetadataParser *parser = user_data;
  guint depth = g_slist_length ((GSList *) g_markup_parse_context_get_element_stack (context));
  guint64 number;

  if (depth != 2)
    return;

  if (g_str_equal (element, "index"))
    {
      if (parse_number (element, parser->text->str, G_MAXUINT, &number, error))
        parser->vm->index = (guint) number;
    }
  else if (g_str_equal (element, "memory"))
    {
      if (parse_number (element, parser->text->str, G_MAXINT64, &number, error))
        {
          parser->vm->memory_bytes = number;
          parser->has_memory = TRUE;
        }
    }
  else if (g_str_equal (element, "cores"))
    {
      if (parse_number (element, parser->text->str, G_MAXUINT, &number, error))
        {
          parser->vm->cores = (guint) number;
          parser->has_cores = TRUE;
        }
    }
  else if (g_str_equal (element, "ssh-port"))
    {
      if (parse_number (element, parser->text->str, G_MAXUINT16, &number, error))
        parser->vm->ssh_port = (guint) number;
    }
}

static void
metadata_text_cb (GMarkupParseContext  *context,
                  const char           *text,
                  gsize                 length,
                  gpointer              user_data,
                  GError              **error)
{
  MetadataParser *parser = user_data;

  g_string_append_len (parser->text, text, length);
}

static PvmVmPlan *
plan_from_metadata_xml (const char  *xml,
                        GError     **error)
{
  static const GMarkupParser callbacks = {
    metadata_start_element_cb,
    metadata_end_element_cb,
    metadata_text_cb,
    NULL,
    NULL,
  };
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(PvmVmPlan) vm = g_new0 (PvmVmPlan, 1);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) text = g_string_new (NULL);
  MetadataParser parser = { vm, args, text, FALSE, FALSE, FALSE, FALSE, FALSE };
  const char *missing = NULL;

  context = g_markup_parse_context_new (&callbacks, G_MARKUP_PREFIX_ERROR_POSITION,
                                        &parser, NULL);
  if (!g_markup_parse_context_parse (context, xml, -1, error) ||
      !g_markup_parse_context_end_parse (context, error))
    return NULL;

  if (!parser.has_name)
    missing = "name";
  else if (!parser.has_image)
    missing = "image";
  else if (!parser.has_input)
    missing = "input";
  else if (!parser.has_memory)
    missing = "memory";
  else if (!parser.has_cores)
    missing = "cores";
  if (missing != NULL)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   "there is no <%s>", missing);
      return NULL;
    }

  g_ptr_array_add (args, NULL);
  vm->extra_args = (char **) g_ptr_array_steal (args, NULL);

  return g_steal_pointer (&vm);
}

/**
 * pvm_domain_dup_plan:
 * @config: a domain definition
 * @error: return location for a #GError
 *
 * Reads back the plan pvm_domain_build() stored in @config's metadata, so
 * that pVM can rediscover its VMs from libvirt alone. The error is
 * %PVM_ERROR_NOT_FOUND when @config has no pVM metadata (pVM did not define
 * that domain), %PVM_ERROR_FAILED when the metadata is malformed.
 *
 * Returns: (transfer full): the plan, free it with pvm_vm_plan_free()
 */
PvmVmPlan *
pvm_domain_dup_plan (GVirConfigDomain  *config,
                     GError           **error)
{
  g_autofree char *xml = NULL;
  g_autoptr(GError) local_error = NULL;
  PvmVmPlan *vm;

  g_return_val_if_fail (GVIR_CONFIG_IS_DOMAIN (config), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  xml = gvir_config_domain_get_custom_xml (config, PVM_DOMAIN_METADATA_URI);
  if (xml == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "The domain %s has no pVM metadata (%s): pVM did not define it",
                   gvir_config_domain_get_name (config), PVM_DOMAIN_METADATA_URI);
      return NULL;
    }

  vm = plan_from_metadata_xml (xml, &local_error);
  if (vm == NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_FAILED,
                 "The pVM metadata of the domain %s is malformed: %s",
                 gvir_config_domain_get_name (config), local_error->message);
  return vm;
}

