/* SPDX-License-Identifier: BSD-3-Clause */
/* test-network.c: the tap network (pvm-network.c). Its libvirt XML
 * against golden files that libvirt's schema accepts (tests/xml/network-*),
 * and pvm_network_ensure()/pvm_network_undo() on libvirt's test driver,
 * which keeps networks in memory: define, reuse, start, refuse a network
 * that differs from the configuration or a bridge another network owns,
 * and take back only what it did. The real thing (a bridge, dnsmasq, a
 * guest's lease) is tests/test-tap, as root in a network namespace.
 *
 *   PVM_UPDATE_GOLDEN=1 meson test -C BUILDDIR test-network
 *
 * rewrites the golden files after a deliberate change. */

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "pvm-core.h"
#include "pvm-network.h"
#include "pvm-test-util.h"

typedef virNetwork TestVirNetwork;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestVirNetwork, virNetworkFree)
typedef virConnect TestVirConnect;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestVirConnect, virConnectClose)

static PvmNetwork *
network_for (const char *bridge,
             const char *address,
             const char *range)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  PvmNetwork *network;

  g_assert_true (pvm_config_set_string (config, "VM_BRIDGE", bridge, &error));
  g_assert_true (pvm_config_set_string (config, "BR_ADDR", address, &error));
  g_assert_true (pvm_config_set_string (config, "LEASE_RANGE", range, &error));
  network = pvm_network_new_from_config (config, &error);
  g_assert_no_error (error);
  return network;
}

static void
assert_golden (const char *name,
               const char *xml)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "xml", name, NULL);
  g_autofree char *golden = NULL;
  g_autoptr(GError) error = NULL;
  const char * const argv[] = { "virt-xml-validate", path, "network", NULL };

  if (g_strcmp0 (g_getenv ("PVM_UPDATE_GOLDEN"), "1") == 0)
    {
      g_file_set_contents (path, xml, -1, &error);
      g_assert_no_error (error);
    }
  g_file_get_contents (path, &golden, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (xml, ==, golden);
  g_free (pvm_test_run_tool (NULL, argv));
}

static void
test_xml_managed (void)
{
  g_autoptr(PvmNetwork) network = network_for ("ovs-br1", "10.0.0.1/24", "10.0.0.2,10.0.0.30");
  g_autofree char *xml = NULL;

  g_assert_cmpstr (network->name, ==, "pvm-ovs-br1");
  g_assert_cmpuint (network->prefix, ==, 24);
  g_assert_cmpint (network->kind, ==, PVM_NETWORK_KIND_MANAGED);
  xml = pvm_network_to_xml (network);
  assert_golden ("network-managed.xml", xml);
}

static void
test_xml_existing_bridges (void)
{
  g_autoptr(PvmNetwork) network = network_for ("br-lab", "192.168.7.1/25", "192.168.7.10,"
                                               "192.168.7.99");
  g_autofree char *ovs = NULL;
  g_autofree char *linux_bridge = NULL;

  network->kind = PVM_NETWORK_KIND_OPENVSWITCH;
  ovs = pvm_network_to_xml (network);
  assert_golden ("network-openvswitch.xml", ovs);

  network->kind = PVM_NETWORK_KIND_LINUX_BRIDGE;
  linux_bridge = pvm_network_to_xml (network);
  assert_golden ("network-linux-bridge.xml", linux_bridge);
}

/* Whitespace around the range's comma is the user's, not an error. */
static void
test_config_spaces (void)
{
  g_autoptr(PvmNetwork) network = network_for ("br0", "172.16.0.1/16", "172.16.1.1 , "
                                               "172.16.1.200");

  g_assert_cmpstr (network->range_start, ==, "172.16.1.1");
  g_assert_cmpstr (network->range_end, ==, "172.16.1.200");
  g_assert_cmpuint (network->prefix, ==, 16);
}

/* ------------------------------------------------------------------ */
/* On the test driver                                                 */

typedef struct
{
  virConnectPtr connection;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->connection = virConnectOpen ("test:///default");
  g_assert_nonnull (f->connection);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  virNetworkPtr *networks = NULL;
  int n = virConnectListAllNetworks (f->connection, &networks, 0);

  /* Leave the driver's shared state as it was: only "default". */
  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (virNetworkGetName (networks[i]), PVM_NETWORK_NAME_PREFIX))
        {
          if (virNetworkIsActive (networks[i]) == 1)
            virNetworkDestroy (networks[i]);
          virNetworkUndefine (networks[i]);
        }
      virNetworkFree (networks[i]);
    }
  free (networks);
  virConnectClose (f->connection);
}

static gboolean
network_is_active (Fixture    *f,
                   const char *name)
{
  g_autoptr(TestVirNetwork) network = virNetworkLookupByName (f->connection, name);

  g_assert_nonnull (network);
  return virNetworkIsActive (network) == 1;
}

static gboolean
network_exists (Fixture    *f,
                const char *name)
{
  g_autoptr(TestVirNetwork) network = virNetworkLookupByName (f->connection, name);

  return network != NULL;
}

static void
test_ensure_defines_then_reuses (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(PvmNetwork) network = network_for ("pvmbr0", "10.9.0.1/24", "10.9.0.10,10.9.0.20");
  g_autoptr(PvmNetwork) again = network_for ("pvmbr0", "10.9.0.1/24", "10.9.0.10,10.9.0.20");
  g_autoptr(GError) error = NULL;
  gboolean defined, started;

  g_assert_true (pvm_network_ensure (network, f->connection, FALSE, &defined, &started, &error));
  g_assert_no_error (error);
  g_assert_true (defined);
  g_assert_true (started);
  g_assert_true (network_is_active (f, "pvm-pvmbr0"));

  /* A second launch finds it as the first one left it. */
  g_assert_true (pvm_network_ensure (again, f->connection, FALSE, &defined, &started, &error));
  g_assert_no_error (error);
  g_assert_false (defined);
  g_assert_false (started);
  g_assert_cmpint (again->kind, ==, PVM_NETWORK_KIND_MANAGED);

  /* Undoing the second launch leaves the first one's network alone. */
  pvm_network_undo (again, f->connection, FALSE, FALSE);
  g_assert_true (network_is_active (f, "pvm-pvmbr0"));

  /* Undoing the first removes it. */
  pvm_network_undo (network, f->connection, TRUE, TRUE);
  g_assert_false (network_exists (f, "pvm-pvmbr0"));
}

static void
test_ensure_starts_inactive (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PvmNetwork) network = network_for ("pvmbr1", "10.9.1.1/24", "10.9.1.10,10.9.1.20");
  g_autoptr(TestVirNetwork) defined_before = NULL;
  g_autoptr(GError) error = NULL;
  gboolean defined, started;

  /* Defined by an earlier launch, down since the host restarted; the
   * netmask form of the same address. */
  defined_before = virNetworkDefineXML (f->connection,
                                        "<network><name>pvm-pvmbr1</name>"
                                        "<bridge name='pvmbr1'/>"
                                        "<ip address='10.9.1.1' netmask='255.255.255.0'><dhcp>"
                                        "<range start='10.9.1.10' end='10.9.1.20'/></dhcp></ip>"
                                        "</network>");
  g_assert_nonnull (defined_before);
  g_assert_false (network_is_active (f, "pvm-pvmbr1"));

  g_assert_true (pvm_network_ensure (network, f->connection, FALSE, &defined, &started, &error));
  g_assert_no_error (error);
  g_assert_false (defined);
  g_assert_true (started);
  g_assert_true (network_is_active (f, "pvm-pvmbr1"));

  /* A failed launch stops it again and keeps its definition. */
  pvm_network_undo (network, f->connection, defined, started);
  g_assert_true (network_exists (f, "pvm-pvmbr1"));
  g_assert_false (network_is_active (f, "pvm-pvmbr1"));

  /* pvm resume starts it for a saved VM. */
  g_assert_true (pvm_network_start_by_name (f->connection, "pvm-pvmbr1", &error));
  g_assert_no_error (error);
  g_assert_true (network_is_active (f, "pvm-pvmbr1"));
}

static void
test_ensure_refuses_different (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(PvmNetwork) old = network_for ("pvmbr2", "10.9.2.1/24", "10.9.2.10,10.9.2.20");
  g_autoptr(PvmNetwork) changed = network_for ("pvmbr2", "10.9.2.1/24", "10.9.2.10,10.9.2.50");
  g_autoptr(GError) error = NULL;
  gboolean defined, started;

  g_assert_true (pvm_network_ensure (old, f->connection, FALSE, &defined, &started, &error));
  g_assert_no_error (error);

  g_assert_false (pvm_network_ensure (changed, f->connection, FALSE, &defined, &started, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_EXISTS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "The libvirt network pvm-pvmbr2 has bridge pvmbr2, "
                                            "address 10.9.2.1/24, leases 10.9.2.10 to "
                                            "10.9.2.20, but the configuration asks for bridge "
                                            "pvmbr2, address 10.9.2.1/24, leases 10.9.2.10 to "
                                            "10.9.2.50"));
  g_assert_nonnull (strstr (error->message, "virsh -c test:///default net-undefine pvm-pvmbr2"));
  g_assert_false (defined);
  g_assert_false (started);
  /* Untouched. */
  g_assert_true (network_is_active (f, "pvm-pvmbr2"));
}

static void
test_ensure_refuses_claimed_bridge (Fixture       *f,
                                    gconstpointer  data)
{
  /* The test driver's "default" network owns virbr0. */
  g_autoptr(PvmNetwork) network = network_for ("virbr0", "10.9.3.1/24", "10.9.3.10,10.9.3.20");
  g_autoptr(GError) error = NULL;
  gboolean defined, started;

  g_assert_false (pvm_network_ensure (network, f->connection, FALSE, &defined, &started, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "The bridge virbr0 belongs to the libvirt network "
                                            "default, which pVM did not make: choose another "
                                            "VM_BRIDGE"));
  g_assert_false (network_exists (f, "pvm-virbr0"));
}

/* A bridge-mode network (an existing Open vSwitch bridge) is taken as it
 * is, whatever BR_ADDR says: its addresses are not libvirt's. */
static void
test_ensure_keeps_bridge_mode (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(PvmNetwork) ovs = network_for ("pvmbr4", "10.9.4.1/24", "10.9.4.10,10.9.4.20");
  g_autoptr(PvmNetwork) network = network_for ("pvmbr4", "10.0.0.1/24", "10.0.0.2,10.0.0.30");
  g_autoptr(TestVirNetwork) defined_before = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *xml = NULL;
  gboolean defined, started;

  ovs->kind = PVM_NETWORK_KIND_OPENVSWITCH;
  xml = pvm_network_to_xml (ovs);
  defined_before = virNetworkDefineXML (f->connection, xml);
  g_assert_nonnull (defined_before);

  g_assert_true (pvm_network_ensure (network, f->connection, FALSE, &defined, &started, &error));
  g_assert_no_error (error);
  g_assert_cmpint (network->kind, ==, PVM_NETWORK_KIND_OPENVSWITCH);
  g_assert_false (defined);
  g_assert_true (started);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/network/xml/managed", test_xml_managed);
  g_test_add_func ("/network/xml/existing-bridges", test_xml_existing_bridges);
  g_test_add_func ("/network/config/spaces", test_config_spaces);
  g_test_add ("/network/ensure/defines-then-reuses", Fixture, NULL, fixture_set_up,
              test_ensure_defines_then_reuses, fixture_tear_down);
  g_test_add ("/network/ensure/starts-inactive", Fixture, NULL, fixture_set_up,
              test_ensure_starts_inactive, fixture_tear_down);
  g_test_add ("/network/ensure/refuses-different", Fixture, NULL, fixture_set_up,
              test_ensure_refuses_different, fixture_tear_down);
  g_test_add ("/network/ensure/refuses-claimed-bridge", Fixture, NULL, fixture_set_up,
              test_ensure_refuses_claimed_bridge, fixture_tear_down);
  g_test_add ("/network/ensure/keeps-bridge-mode", Fixture, NULL, fixture_set_up,
              test_ensure_keeps_bridge_mode, fixture_tear_down);

  return g_test_run ();
}
