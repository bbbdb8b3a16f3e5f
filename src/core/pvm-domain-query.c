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
#include "pvm-domain-private.h"

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

/* Every value @xpath selects in @config's XML, for the rest of the core. */
GStrv
_pvm_domain_query_strings (GVirConfigDomain *config,
                           const char       *xpath)
{
  return query_strings (config, xpath);
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

/* Where the serial log of a VM that moves to another host goes: next to
 * its output disk, the one directory the hosts share for certain. NULL
 * when it is already there (or the VM has no output disk). */
char *
_pvm_domain_dup_moved_serial_log (const char *output_disk,
                                  const char *serial_log)
{
  g_autofree char *dir = NULL;
  g_autofree char *log_dir = NULL;

  if (output_disk == NULL || serial_log == NULL)
    return NULL;
  dir = g_path_get_dirname (output_disk);
  log_dir = g_path_get_dirname (serial_log);
  if (g_str_equal (dir, log_dir))
    return NULL;
  return g_build_filename (dir, "serial.log", NULL);
}

/* The nodes @xpath selects in @context's document; free with
 * xmlXPathFreeObject(). */
static xmlXPathObjectPtr
select_nodes (xmlXPathContextPtr  context,
              const char         *xpath)
{
  xmlXPathObjectPtr result = xmlXPathEvalExpression ((const xmlChar *) xpath, context);

  if (result != NULL && result->nodesetval == NULL)
    g_clear_pointer (&result, xmlXPathFreeObject);
  return result;
}

/* The serial port (and console) append to their file, not truncate it (on
 * shared storage the source's QEMU may still be writing it), and write
 * @to instead of @from when @to is not NULL. */
static void
move_serial (xmlXPathContextPtr  context,
             const char         *from,
             const char         *to)
{
  xmlXPathObjectPtr result = select_nodes (context, "/domain/devices/serial/source | "
                                                    "/domain/devices/console/source");

  for (int i = 0; result != NULL && i < result->nodesetval->nodeNr; i++)
    {
      xmlNodePtr node = result->nodesetval->nodeTab[i];
      xmlChar *path = xmlGetProp (node, (const xmlChar *) "path");

      if (path == NULL)
        continue;
      if (to != NULL && from != NULL && g_str_equal ((const char *) path, from))
        xmlSetProp (node, (const xmlChar *) "path", (const xmlChar *) to);
      xmlSetProp (node, (const xmlChar *) "append", (const xmlChar *) "on");
      xmlFree (path);
    }
  if (result != NULL)
    xmlXPathFreeObject (result);
}

/* The guest agent's socket goes to @path, or where libvirt puts it. */
static void
move_agent_socket (xmlXPathContextPtr  context,
                   const char         *path)
{
  xmlXPathObjectPtr result = select_nodes (context, "/domain/devices/channel"
                                                    "[target/@name='"
                                                    PVM_CONTRACT_GUEST_AGENT_CHANNEL "']/source");

  for (int i = 0; result != NULL && i < result->nodesetval->nodeNr; i++)
    {
      xmlNodePtr node = result->nodesetval->nodeTab[i];

      if (path != NULL)
        xmlSetProp (node, (const xmlChar *) "path", (const xmlChar *) path);
      else
        xmlUnsetProp (node, (const xmlChar *) "path");
    }
  if (result != NULL)
    xmlXPathFreeObject (result);
}

/* pVM's SSH port forward moves from @from to @to: the QEMU argument and
 * the plan in the metadata. */
static void
move_ssh_port (xmlXPathContextPtr context,
               guint              from,
               guint              to)
{
  g_autofree char *old_forward = g_strdup_printf ("hostfwd=tcp:127.0.0.1:%u-:22", from);
  g_autofree char *new_forward = g_strdup_printf ("hostfwd=tcp:127.0.0.1:%u-:22", to);
  g_autofree char *old_port = g_strdup_printf ("%u", from);
  g_autofree char *new_port = g_strdup_printf ("%u", to);
  xmlXPathObjectPtr result = select_nodes (context,
                                           "/domain/*[local-name()='commandline']"
                                           "/*[local-name()='arg'] | "
                                           "/domain/metadata/*/*[local-name()='ssh-port']");

  for (int i = 0; result != NULL && i < result->nodesetval->nodeNr; i++)
    {
      xmlNodePtr node = result->nodesetval->nodeTab[i];

      if (xmlStrcmp (node->name, (const xmlChar *) "arg") == 0)
        {
          xmlChar *value = xmlGetProp (node, (const xmlChar *) "value");
          const char *at = value != NULL ? strstr ((const char *) value, old_forward) : NULL;

          if (at != NULL && at[strlen (old_forward)] == '\0')
            {
              g_autofree char *before = g_strndup ((const char *) value,
                                                   at - (const char *) value);
              g_autofree char *changed = g_strconcat (before, new_forward, NULL);

              xmlSetProp (node, (const xmlChar *) "value", (const xmlChar *) changed);
            }
          xmlFree (value);
        }
      else
        {
          xmlChar *text = xmlNodeGetContent (node);

          if (text != NULL && g_str_equal ((const char *) text, old_port))
            xmlNodeSetContent (node, (const xmlChar *) new_port);
          xmlFree (text);
        }
    }
  if (result != NULL)
    xmlXPathFreeObject (result);
}

/* The SPICE display listens on a Unix socket of libvirt's naming
 * (@socket), or on nothing (file descriptors only). */
static void
set_spice_listen (xmlXPathContextPtr context,
                  gboolean           socket)
{
  xmlXPathObjectPtr result = select_nodes (context, "/domain/devices/graphics[@type='spice']");

  for (int i = 0; result != NULL && i < result->nodesetval->nodeNr; i++)
    {
      xmlNodePtr graphics = result->nodesetval->nodeTab[i];
      xmlNodePtr child = graphics->children;
      xmlNodePtr listen;

      /* Every listener goes, and the attributes of the old one. */
      while (child != NULL)
        {
          xmlNodePtr next = child->next;

          if (child->type == XML_ELEMENT_NODE &&
              xmlStrcmp (child->name, (const xmlChar *) "listen") == 0)
            {
              xmlUnlinkNode (child);
              xmlFreeNode (child);
            }
          child = next;
        }
      xmlUnsetProp (graphics, (const xmlChar *) "port");
      xmlUnsetProp (graphics, (const xmlChar *) "tlsPort");
      xmlUnsetProp (graphics, (const xmlChar *) "autoport");
      xmlUnsetProp (graphics, (const xmlChar *) "listen");
      listen = xmlNewNode (NULL, (const xmlChar *) "listen");
      xmlSetProp (listen, (const xmlChar *) "type", (const xmlChar *) (socket ? "socket" : "none"));
      if (graphics->children != NULL)
        xmlAddPrevSibling (graphics->children, listen);
      else
        xmlAddChild (graphics, listen);
    }
  if (result != NULL)
    xmlXPathFreeObject (result);
}

/* @xml for a VM that continues on another host (a migration, a restored
 * bundle), @move's changes made in one pass. NULL if @xml does not parse. */
char *
_pvm_domain_xml_for_move (const char          *xml,
                          const PvmDomainMove *move)
{
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), "domain.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlXPathContextPtr context;
  xmlChar *out = NULL;
  int size = 0;
  char *copy = NULL;

  if (doc == NULL)
    return NULL;
  context = xmlXPathNewContext (doc);
  if (context != NULL)
    {
      move_serial (context, move->serial_from, move->serial_to);
      if (move->ssh_port_from != move->ssh_port_to)
        move_ssh_port (context, move->ssh_port_from, move->ssh_port_to);
      set_spice_listen (context, move->spice_socket);
      move_agent_socket (context, move->agent_socket);
      xmlXPathFreeContext (context);
      xmlDocDumpMemory (doc, &out, &size);
      copy = out != NULL ? g_strndup ((const char *) out, size) : NULL;
      xmlFree (out);
    }
  xmlFreeDoc (doc);
  return copy;
}
