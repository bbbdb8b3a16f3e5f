/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-network"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libvirt/virterror.h>

#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-network.h"

typedef virNetwork PvmVirNetwork;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmVirNetwork, virNetworkFree)

/* Linux's IFNAMSIZ - 1. */
#define BRIDGE_NAME_MAX 15

void
pvm_network_free (PvmNetwork *network)
{
  if (network == NULL)
    return;
  g_free (network->name);
  g_free (network->bridge);
  g_free (network->address);
  g_free (network->range_start);
  g_free (network->range_end);
  g_free (network);
}

/* ------------------------------------------------------------------ */
/* The configuration                                                  */

/* An IPv4 address in dotted form, as a host-order number. */
static gboolean
parse_ipv4 (const char *text,
            guint32    *number)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);
  const guint8 *bytes;

  if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV4)
    return FALSE;
  bytes = g_inet_address_to_bytes (address);
  *number = ((guint32) bytes[0] << 24) | ((guint32) bytes[1] << 16) |
            ((guint32) bytes[2] << 8) | bytes[3];
  return TRUE;
}

static gboolean
check_bridge_name (const char  *bridge,
                   GError     **error)
{
  gsize length = strlen (bridge);

  if (length == 0 || length > BRIDGE_NAME_MAX || g_str_equal (bridge, ".") ||
      g_str_equal (bridge, ".."))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "VM_BRIDGE “%s” is not a network interface name: use 1 to %d letters, "
                   "digits, “-”, “_” or “.”", bridge, BRIDGE_NAME_MAX);
      return FALSE;
    }
  for (const char *c = bridge; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
      {
        g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                     "VM_BRIDGE “%s” is not a network interface name: use only letters, "
                     "digits, “-”, “_” or “.”", bridge);
        return FALSE;
      }
  return TRUE;
}

/**
 * pvm_network_new_from_config:
 * @config: a configuration
 * @error: return location for a #GError
 *
 * Reads VM_BRIDGE, BR_ADDR ("10.0.0.1/24": the bridge's IPv4 address and
 * prefix length) and LEASE_RANGE ("10.0.0.2,10.0.0.30": the first and last
 * address leased, inside BR_ADDR's subnet, not the bridge's own) and
 * checks them. The kind is %PVM_NETWORK_KIND_MANAGED until
 * pvm_network_ensure() finds an existing bridge.
 *
 * Returns: (transfer full): the network, or %NULL with
 *   %PVM_ERROR_INVALID_ARGUMENT naming the setting that is wrong
 */
PvmNetwork *
pvm_network_new_from_config (PvmConfig  *config,
                             GError    **error)
{
  g_autoptr(PvmNetwork) network = g_new0 (PvmNetwork, 1);
  const char *bridge = pvm_config_get_string (config, "VM_BRIDGE");
  const char *br_addr = pvm_config_get_string (config, "BR_ADDR");
  const char *range = pvm_config_get_string (config, "LEASE_RANGE");
  g_auto(GStrv) addr_parts = NULL;
  g_auto(GStrv) range_parts = NULL;
  guint32 address, start, end, mask;
  guint64 prefix;

  g_return_val_if_fail (PVM_IS_CONFIG (config), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_bridge_name (bridge, error))
    return NULL;

  addr_parts = g_strsplit (br_addr, "/", 2);
  if (g_strv_length (addr_parts) != 2 || !parse_ipv4 (addr_parts[0], &address) ||
      !g_ascii_string_to_unsigned (addr_parts[1], 10, 1, 30, &prefix, NULL))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "BR_ADDR “%s” is not an IPv4 address with a prefix length from 1 to 30, "
                   "like 10.0.0.1/24", br_addr);
      return NULL;
    }
  mask = G_MAXUINT32 << (32 - prefix);
  if ((address & ~mask) == 0 || (address & ~mask) == ~mask)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "BR_ADDR “%s” is the network or broadcast address of its subnet: give the "
                   "bridge a host address, like 10.0.0.1/24", br_addr);
      return NULL;
    }

  range_parts = g_strsplit (range, ",", 2);
  if (g_strv_length (range_parts) != 2 ||
      !parse_ipv4 (g_strstrip (range_parts[0]), &start) ||
      !parse_ipv4 (g_strstrip (range_parts[1]), &end) || start > end)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "LEASE_RANGE “%s” is not a first and a last IPv4 address, like "
                   "10.0.0.2,10.0.0.30", range);
      return NULL;
    }
  if ((start & mask) != (address & mask) || (end & mask) != (address & mask) ||
      (start & ~mask) == 0 || (end & ~mask) == ~mask)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "LEASE_RANGE “%s” is not inside the bridge's subnet %s: lease host "
                   "addresses of that subnet", range, br_addr);
      return NULL;
    }
  if (start <= address && address <= end)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "LEASE_RANGE “%s” contains the bridge's own address %s: start it after "
                   "or end it before", range, addr_parts[0]);
      return NULL;
    }

  network->name = g_strconcat (PVM_NETWORK_NAME_PREFIX, bridge, NULL);
  network->bridge = g_strdup (bridge);
  network->address = g_strdup (addr_parts[0]);
  network->prefix = prefix;
  network->range_start = g_strdup (range_parts[0]);
  network->range_end = g_strdup (range_parts[1]);
  network->kind = PVM_NETWORK_KIND_MANAGED;
  return g_steal_pointer (&network);
}

/**
 * pvm_network_to_xml:
 * @network: a network
 *
 * The libvirt definition of @network. A managed network is isolated, as
 * the original pVM's bridge was: no forwarding to the host's other
 * interfaces (docs/networking.md shows how to add it). An existing bridge
 * is joined in libvirt's "bridge" mode.
 *
 * Returns: (transfer full): the XML
 */
char *
pvm_network_to_xml (const PvmNetwork *network)
{
  g_return_val_if_fail (network != NULL, NULL);

  switch (network->kind)
    {
    case PVM_NETWORK_KIND_MANAGED:
      return g_markup_printf_escaped ("<network>\n"
                                      "  <name>%s</name>\n"
                                      "  <bridge name='%s' stp='off' delay='0'/>\n"
                                      "  <ip address='%s' prefix='%u'>\n"
                                      "    <dhcp>\n"
                                      "      <range start='%s' end='%s'/>\n"
                                      "    </dhcp>\n"
                                      "  </ip>\n"
                                      "</network>\n",
                                      network->name, network->bridge, network->address,
                                      network->prefix, network->range_start,
                                      network->range_end);
    case PVM_NETWORK_KIND_OPENVSWITCH:
      return g_markup_printf_escaped ("<network>\n"
                                      "  <name>%s</name>\n"
                                      "  <forward mode='bridge'/>\n"
                                      "  <bridge name='%s'/>\n"
                                      "  <virtualport type='openvswitch'/>\n"
                                      "</network>\n",
                                      network->name, network->bridge);
    case PVM_NETWORK_KIND_LINUX_BRIDGE:
      return g_markup_printf_escaped ("<network>\n"
                                      "  <name>%s</name>\n"
                                      "  <forward mode='bridge'/>\n"
                                      "  <bridge name='%s'/>\n"
                                      "</network>\n",
                                      network->name, network->bridge);
    default:
      g_assert_not_reached ();
    }
}

/* ------------------------------------------------------------------ */
/* An existing network                                                */

typedef struct
{
  char *bridge;
  char *forward;
  char *address;
  char *prefix;
  char *netmask;
  char *range_start;
  char *range_end;
} NetworkFacts;

static void
network_facts_clear (NetworkFacts *facts)
{
  g_free (facts->bridge);
  g_free (facts->forward);
  g_free (facts->address);
  g_free (facts->prefix);
  g_free (facts->netmask);
  g_free (facts->range_start);
  g_free (facts->range_end);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (NetworkFacts, network_facts_clear)

static char *
query_string (xmlXPathContextPtr  context,
              const char         *xpath)
{
  xmlXPathObjectPtr result = xmlXPathEvalExpression ((const xmlChar *) xpath, context);
  char *value = NULL;

  if (result != NULL && result->nodesetval != NULL && result->nodesetval->nodeNr > 0)
    {
      xmlChar *content = xmlNodeGetContent (result->nodesetval->nodeTab[0]);

      value = g_strdup ((const char *) content);
      xmlFree (content);
    }
  if (result != NULL)
    xmlXPathFreeObject (result);
  return value;
}

/* What pVM compares in a network's definition: its bridge, forward mode
 * and first IPv4 address with its first DHCP range. */
static void
read_facts (const char   *xml,
            NetworkFacts *facts)
{
  xmlDocPtr doc = xmlReadMemory (xml, strlen (xml), "network.xml", NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlXPathContextPtr context;

  if (doc == NULL)
    return;
  context = xmlXPathNewContext (doc);
  if (context != NULL)
    {
      facts->bridge = query_string (context, "/network/bridge/@name");
      facts->forward = query_string (context, "/network/forward/@mode");
      facts->address = query_string (context, "/network/ip[not(@family) or @family='ipv4'][1]"
                                              "/@address");
      facts->prefix = query_string (context, "/network/ip[not(@family) or @family='ipv4'][1]"
                                             "/@prefix");
      facts->netmask = query_string (context, "/network/ip[not(@family) or @family='ipv4'][1]"
                                              "/@netmask");
      facts->range_start = query_string (context, "/network/ip[not(@family) or "
                                                  "@family='ipv4'][1]/dhcp/range[1]/@start");
      facts->range_end = query_string (context, "/network/ip[not(@family) or "
                                                "@family='ipv4'][1]/dhcp/range[1]/@end");
      xmlXPathFreeContext (context);
    }
  xmlFreeDoc (doc);
}

/* The prefix length of @facts's address, from prefix= or netmask=. */
static guint
facts_prefix (const NetworkFacts *facts)
{
  guint64 prefix;
  guint32 mask;

  if (facts->prefix != NULL &&
      g_ascii_string_to_unsigned (facts->prefix, 10, 0, 32, &prefix, NULL))
    return prefix;
  if (facts->netmask != NULL && parse_ipv4 (facts->netmask, &mask))
    return __builtin_popcount (mask);
  return 0;
}

static char *
describe_facts (const NetworkFacts *facts)
{
  if (facts->address == NULL)
    return g_strdup_printf ("bridge %s without an IPv4 address",
                            facts->bridge != NULL ? facts->bridge : "(none)");
  return g_strdup_printf ("bridge %s, address %s/%u, leases %s to %s",
                          facts->bridge != NULL ? facts->bridge : "(none)",
                          facts->address, facts_prefix (facts),
                          facts->range_start != NULL ? facts->range_start : "(none)",
                          facts->range_end != NULL ? facts->range_end : "(none)");
}

/* An existing network named for the bridge is kept if it is what the
 * configuration asks for: pVM's own from an earlier launch, or one the
 * user adjusted (NAT forwarding added, say) without changing the
 * addresses. */
static gboolean
check_existing (PvmNetwork     *network,
                virNetworkPtr   existing,
                const char     *uri,
                GError        **error)
{
  g_auto(NetworkFacts) facts = { NULL, };
  g_autofree char *xml = virNetworkGetXMLDesc (existing, 0);
  g_autofree char *found = NULL;
  guint32 a, b;

  if (xml == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot read the libvirt network %s: %s",
                   network->name, virGetLastErrorMessage ());
      return FALSE;
    }
  read_facts (xml, &facts);

  if (g_strcmp0 (facts.bridge, network->bridge) == 0 && g_strcmp0 (facts.forward, "bridge") == 0)
    {
      network->kind = strstr (xml, "openvswitch") != NULL ? PVM_NETWORK_KIND_OPENVSWITCH
                                                          : PVM_NETWORK_KIND_LINUX_BRIDGE;
      return TRUE;
    }

  if (g_strcmp0 (facts.bridge, network->bridge) == 0 &&
      facts.address != NULL && parse_ipv4 (facts.address, &a) &&
      parse_ipv4 (network->address, &b) && a == b &&
      facts_prefix (&facts) == network->prefix &&
      facts.range_start != NULL && parse_ipv4 (facts.range_start, &a) &&
      parse_ipv4 (network->range_start, &b) && a == b &&
      facts.range_end != NULL && parse_ipv4 (facts.range_end, &a) &&
      parse_ipv4 (network->range_end, &b) && a == b)
    {
      network->kind = PVM_NETWORK_KIND_MANAGED;
      return TRUE;
    }

  found = describe_facts (&facts);
  g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
               "The libvirt network %s has %s, but the configuration asks for bridge %s, "
               "address %s/%u, leases %s to %s: set VM_BRIDGE, BR_ADDR and LEASE_RANGE to what "
               "it has, or remove it when no VM uses it (virsh -c %s net-destroy %s; "
               "virsh -c %s net-undefine %s)",
               network->name, found, network->bridge, network->address, network->prefix,
               network->range_start, network->range_end, uri, network->name, uri, network->name);
  return FALSE;
}

/* Another libvirt network that already owns the bridge. */
static gboolean
check_bridge_unclaimed (PvmNetwork     *network,
                        virConnectPtr   connection,
                        GError        **error)
{
  virNetworkPtr *networks = NULL;
  int n = virConnectListAllNetworks (connection, &networks, 0);
  gboolean ok = TRUE;

  if (n < 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "Cannot list the libvirt networks: %s",
                   virGetLastErrorMessage ());
      return FALSE;
    }
  for (int i = 0; i < n; i++)
    {
      g_autofree char *xml = NULL;
      g_auto(NetworkFacts) facts = { NULL, };

      if (ok && (xml = virNetworkGetXMLDesc (networks[i], 0)) != NULL)
        {
          read_facts (xml, &facts);
          if (g_strcmp0 (facts.bridge, network->bridge) == 0)
            {
              g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                           "The bridge %s belongs to the libvirt network %s, which pVM did not "
                           "make: choose another VM_BRIDGE", network->bridge,
                           virNetworkGetName (networks[i]));
              ok = FALSE;
            }
        }
      virNetworkFree (networks[i]);
    }
  free (networks);
  return ok;
}

/* An Open vSwitch bridge is a network interface without the sysfs bridge
 * directory; ovs-vsctl is the authority. */
static gboolean
is_openvswitch_bridge (const char *bridge)
{
  g_autofree char *ovs_vsctl = pvm_host_find_tool ("ovs-vsctl", "openvswitch-switch", NULL);
  g_autoptr(GSubprocess) process = NULL;

  if (ovs_vsctl == NULL)
    return FALSE;
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              NULL, ovs_vsctl, "--timeout=5", "br-exists", bridge, NULL);
  return process != NULL && g_subprocess_wait_check (process, NULL, NULL);
}

/* What a bridge of that name on this host is, if one exists. */
static gboolean
find_host_bridge (PvmNetwork  *network,
                  gboolean    *exists,
                  GError     **error)
{
  g_autofree char *device = g_build_filename ("/sys/class/net", network->bridge, NULL);
  g_autofree char *bridge_dir = g_build_filename (device, "bridge", NULL);

  *exists = FALSE;
  if (!g_file_test (device, G_FILE_TEST_EXISTS))
    return TRUE;

  if (g_file_test (bridge_dir, G_FILE_TEST_IS_DIR))
    network->kind = PVM_NETWORK_KIND_LINUX_BRIDGE;
  else if (is_openvswitch_bridge (network->bridge))
    network->kind = PVM_NETWORK_KIND_OPENVSWITCH;
  else
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                   "The network interface %s exists and is not a bridge: choose another "
                   "VM_BRIDGE", network->bridge);
      return FALSE;
    }
  *exists = TRUE;
  return TRUE;
}

static gboolean
is_denied (void)
{
  virErrorPtr last = virGetLastError ();

  return last != NULL && (last->code == VIR_ERR_OPERATION_DENIED ||
                          last->code == VIR_ERR_ACCESS_DENIED ||
                          last->code == VIR_ERR_AUTH_FAILED);
}

/* "@what @name: libvirt's message", with the way out when it is a
 * question of rights. */
static void
set_libvirt_error (GError     **error,
                   const char  *uri,
                   const char  *what,
                   const char  *name)
{
  if (is_denied ())
    g_set_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED,
                 "%s %s: %s. The tap network needs the right to manage networks on %s: run "
                 "pvm as root, or join the libvirt group (sudo adduser $USER libvirt, then log "
                 "in again)", what, name, virGetLastErrorMessage (), uri);
  else
    g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT, "%s %s: %s", what, name,
                 virGetLastErrorMessage ());
}

/**
 * pvm_network_ensure:
 * @network: the network the configuration asks for
 * @connection: a connection to a system daemon (qemu:///system)
 * @local: whether the daemon runs on this host (its bridges can be seen)
 * @defined: (out): whether this call defined the libvirt network
 * @started: (out): whether this call started it
 * @error: return location for a #GError
 *
 * Makes sure the libvirt network for @network exists and is active. An
 * existing one named for the bridge is used if it matches the
 * configuration and refused, with the way out, if it does not. Otherwise a
 * bridge that already exists on the host (Open vSwitch or Linux) is
 * joined as it is, and a new one is made with BR_ADDR and a DHCP server
 * for LEASE_RANGE. The network is persistent, without autostart: pVM
 * starts it when a VM needs it. Sets @network's kind to what it found.
 *
 * Calls libvirt: run it in a thread. pvm_network_undo() takes back what
 * this call did.
 *
 * Returns: %TRUE if the network is active
 */
gboolean
pvm_network_ensure (PvmNetwork     *network,
                    virConnectPtr   connection,
                    gboolean        local,
                    gboolean       *defined,
                    gboolean       *started,
                    GError        **error)
{
  g_autoptr(PvmVirNetwork) existing = NULL;
  g_autofree char *uri = NULL;
  int active;

  g_return_val_if_fail (network != NULL, FALSE);
  g_return_val_if_fail (connection != NULL, FALSE);
  g_return_val_if_fail (defined != NULL && started != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *defined = *started = FALSE;
  uri = virConnectGetURI (connection);

  existing = virNetworkLookupByName (connection, network->name);
  if (existing != NULL)
    {
      if (!check_existing (network, existing, uri, error))
        return FALSE;
    }
  else
    {
      g_autofree char *xml = NULL;
      gboolean bridge_exists = FALSE;

      if (!check_bridge_unclaimed (network, connection, error) ||
          (local && !find_host_bridge (network, &bridge_exists, error)))
        return FALSE;

      xml = pvm_network_to_xml (network);
      existing = virNetworkDefineXML (connection, xml);
      if (existing == NULL)
        {
          set_libvirt_error (error, uri, "Cannot define the libvirt network", network->name);
          return FALSE;
        }
      *defined = TRUE;
    }

  active = virNetworkIsActive (existing);
  if (active < 0)
    {
      set_libvirt_error (error, uri, "Cannot read the state of the libvirt network",
                         network->name);
      pvm_network_undo (network, connection, *defined, FALSE);
      return FALSE;
    }
  if (active == 0)
    {
      if (virNetworkCreate (existing) < 0)
        {
          set_libvirt_error (error, uri, "Cannot start the libvirt network", network->name);
          pvm_network_undo (network, connection, *defined, FALSE);
          *defined = FALSE;
          return FALSE;
        }
      *started = TRUE;
    }
  return TRUE;
}

/**
 * pvm_network_undo:
 * @network: a network pvm_network_ensure() was called for
 * @connection: the same connection
 * @defined: whether that call defined it
 * @started: whether that call started it
 *
 * Stops and removes what pvm_network_ensure() did, for a launch that
 * failed. Errors are logged: there is nothing more to do about them.
 */
void
pvm_network_undo (const PvmNetwork *network,
                  virConnectPtr     connection,
                  gboolean          defined,
                  gboolean          started)
{
  g_autoptr(PvmVirNetwork) existing = NULL;

  g_return_if_fail (network != NULL);

  if (!defined && !started)
    return;
  existing = virNetworkLookupByName (connection, network->name);
  if (existing == NULL)
    return;
  if ((started || defined) && virNetworkIsActive (existing) == 1 && virNetworkDestroy (existing) < 0)
    g_warning ("Cannot stop the libvirt network %s: %s", network->name, virGetLastErrorMessage ());
  if (defined && virNetworkUndefine (existing) < 0)
    g_warning ("Cannot remove the libvirt network %s: %s", network->name,
               virGetLastErrorMessage ());
}

/**
 * pvm_network_start_by_name:
 * @connection: a connection
 * @name: a libvirt network
 * @error: return location for a #GError
 *
 * Starts @name unless it is active: a saved VM on it resumes only then
 * (after the host restarted, say).
 *
 * Returns: %TRUE if @name is active
 */
gboolean
pvm_network_start_by_name (virConnectPtr   connection,
                           const char     *name,
                           GError        **error)
{
  g_autoptr(PvmVirNetwork) existing = NULL;
  g_autofree char *uri = NULL;

  g_return_val_if_fail (connection != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  uri = virConnectGetURI (connection);
  existing = virNetworkLookupByName (connection, name);
  if (existing == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "The libvirt network %s does not exist any more: launch the VM again to "
                   "make it", name);
      return FALSE;
    }
  if (virNetworkIsActive (existing) == 1)
    return TRUE;
  if (virNetworkCreate (existing) < 0)
    {
      set_libvirt_error (error, uri, "Cannot start the libvirt network", name);
      return FALSE;
    }
  return TRUE;
}

static char *
first_ipv4 (virDomainPtr domain,
            unsigned int source)
{
  virDomainInterfacePtr *interfaces = NULL;
  int n = virDomainInterfaceAddresses (domain, &interfaces, source, 0);
  char *address = NULL;

  for (int i = 0; i < n; i++)
    {
      for (guint j = 0; address == NULL && j < interfaces[i]->naddrs; j++)
        if (interfaces[i]->addrs[j].type == VIR_IP_ADDR_TYPE_IPV4)
          address = g_strdup (interfaces[i]->addrs[j].addr);
      virDomainInterfaceFree (interfaces[i]);
    }
  free (interfaces);
  return address;
}

/**
 * pvm_network_dup_guest_address:
 * @domain: a running domain on a tap network
 *
 * The guest's IPv4 address: its DHCP lease on a managed network, else what
 * the host's ARP table knows (an existing bridge, whose DHCP server libvirt
 * does not see). Calls libvirt.
 *
 * Returns: (transfer full) (nullable): the address, or %NULL while the
 *   guest has none yet
 */
char *
pvm_network_dup_guest_address (virDomainPtr domain)
{
  char *address;

  g_return_val_if_fail (domain != NULL, NULL);

  address = first_ipv4 (domain, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE);
  if (address == NULL)
    address = first_ipv4 (domain, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP);
  return address;
}
