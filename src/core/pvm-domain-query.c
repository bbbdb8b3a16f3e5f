/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-domain-query.c: facts read from any domain definition, pVM's or not:
 * the files of its disks and of its serial port. libvirt-gconfig 4.0 has no
 * accessor for a file chardev, so these are XPath queries on its XML. */

#define G_LOG_DOMAIN "pvm-domain"

#include "config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "pvm-contract.h"
#include "pvm-domain.h"

/* Every value @xpath selects in @config's XML (attributes or text). */
static GStrv
query_strings (GVirConfigDomain *config,
               const char       *xpath)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *xml = gvir_config_object_to_xml (GVIR_CONFIG_OBJECT (config));
  xmlDocPtr doc;
  xmlXPathContextPtr context = NULL;
  xmlXPathObjectPtr result = NULL;

  doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                             XML_PARSE_NOWARNING);
  if (doc == NULL)
    return g_strv_builder_end (builder);

  context = xmlXPathNewContext (doc);
  if (context != NULL)
    result = xmlXPathEvalExpression ((const xmlChar *) xpath, context);
  if (result != NULL && result->nodesetval != NULL)
    for (int i = 0; i < result->nodesetval->nodeNr; i++)
      {
        xmlChar *value = xmlNodeGetContent (result->nodesetval->nodeTab[i]);

        if (value != NULL && *value != '\0')
          g_strv_builder_add (builder, (const char *) value);
        xmlFree (value);
      }

  if (result != NULL)
    xmlXPathFreeObject (result);
  if (context != NULL)
    xmlXPathFreeContext (context);
  xmlFreeDoc (doc);
  return g_strv_builder_end (builder);
}

/**
 * pvm_domain_dup_disk_paths:
 * @config: a domain definition
 *
 * Returns: (transfer full): the files of @config's file-backed disks and
 *   CD-ROMs, as written in it, in order
 */
GStrv
pvm_domain_dup_disk_paths (GVirConfigDomain *config)
{
  g_return_val_if_fail (GVIR_CONFIG_IS_DOMAIN (config), NULL);

  return query_strings (config, "/domain/devices/disk[@type='file']/source/@file");
}

/**
 * pvm_domain_dup_serial_log:
 * @config: a domain definition
 *
 * Returns: (transfer full) (nullable): the file the first serial port
 *   writes to, or %NULL if it writes to no file
 */
char *
pvm_domain_dup_serial_log (GVirConfigDomain *config)
{
  g_auto(GStrv) paths = NULL;

  g_return_val_if_fail (GVIR_CONFIG_IS_DOMAIN (config), NULL);

  paths = query_strings (config, "/domain/devices/serial[@type='file'][1]/source/@path");
  return paths[0] != NULL ? g_strdup (paths[0]) : NULL;
}

/**
 * pvm_domain_dup_output_disk:
 * @config: a domain definition
 *
 * Returns: (transfer full) (nullable): the file of the disk with the
 *   contract's output serial (OUTPUT_MODE=disk), or %NULL
 */
char *
pvm_domain_dup_output_disk (GVirConfigDomain *config)
{
  g_auto(GStrv) paths = NULL;

  g_return_val_if_fail (GVIR_CONFIG_IS_DOMAIN (config), NULL);

  paths = query_strings (config, "/domain/devices/disk[serial='" PVM_CONTRACT_OUTPUT_SERIAL "']"
                                 "/source/@file");
  return paths[0] != NULL ? g_strdup (paths[0]) : NULL;
}

/**
 * pvm_domain_dup_network:
 * @config: a domain definition
 * @mac: (out) (optional) (transfer full): the MAC address of its interface
 *   on that network, or %NULL
 *
 * Returns: (transfer full) (nullable): the libvirt network @config's first
 *   network interface joins, or %NULL if it has none (pVM's user-mode
 *   network is not a libvirt interface)
 */
char *
pvm_domain_dup_network (GVirConfigDomain  *config,
                        char             **mac)
{
  g_auto(GStrv) networks = NULL;
  g_auto(GStrv) macs = NULL;

  g_return_val_if_fail (GVIR_CONFIG_IS_DOMAIN (config), NULL);

  networks = query_strings (config, "/domain/devices/interface[@type='network'][1]"
                                    "/source/@network");
  if (mac != NULL)
    {
      macs = query_strings (config, "/domain/devices/interface[@type='network'][1]"
                                    "/mac/@address");
      *mac = networks[0] != NULL && macs[0] != NULL ? g_strdup (macs[0]) : NULL;
    }
  return networks[0] != NULL ? g_strdup (networks[0]) : NULL;
}
