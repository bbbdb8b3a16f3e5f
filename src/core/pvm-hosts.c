/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-hosts"

#include "config.h"

#include <string.h>

#include "pvm-autocleanups.h"
#include "pvm-error.h"
#include "pvm-hosts.h"
#include "pvm-vm.h"

void
pvm_host_entry_free (PvmHostEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->name);
  g_free (entry->uri);
  g_free (entry);
}

PvmHostEntry *
pvm_host_entry_copy (const PvmHostEntry *entry)
{
  PvmHostEntry *copy = g_new0 (PvmHostEntry, 1);

  copy->name = g_strdup (entry->name);
  copy->uri = g_strdup (entry->uri);
  return copy;
}

void
pvm_host_status_free (PvmHostStatus *status)
{
  if (status == NULL)
    return;
  pvm_host_entry_free (status->host);
  g_free (status->error);
  g_free (status->hostname);
  g_clear_pointer (&status->vms, g_ptr_array_unref);
  g_clear_pointer (&status->connection, pvm_connection_release);
  g_free (status);
}

static gboolean
name_is_valid (const char *name)
{
  if (*name == '\0' || strlen (name) > 32)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/**
 * pvm_hosts_parse_entry:
 * @text: one HOSTS entry, NAME=URI
 * @name: (out) (optional): the name
 * @uri: (out) (optional): the URI
 * @error: return location for a #GError
 *
 * Returns: %TRUE if @text is a host entry, else %FALSE with
 *   %PVM_ERROR_INVALID_ARGUMENT saying what is wrong
 */
gboolean
pvm_hosts_parse_entry (const char  *text,
                       char       **name,
                       char       **uri,
                       GError     **error)
{
  const char *equal = strchr (text, '=');
  g_autofree char *host_name = NULL;
  g_autoptr(GUri) parsed = NULL;

  if (equal == NULL)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid host \"%s\": write NAME=URI, e.g. "
                   "big=qemu+ssh://me@server/session", text);
      return FALSE;
    }
  host_name = g_strndup (text, equal - text);
  if (!name_is_valid (host_name))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid host name \"%s\" in \"%s\": use up to 32 letters, digits, "
                   "\"-\", \"_\" or \".\"", host_name, text);
      return FALSE;
    }
  if (g_str_equal (host_name, PVM_HOSTS_LOCAL))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid host \"%s\": the name \"local\" is LIBVIRT_URI's host; "
                   "set LIBVIRT_URI instead, or pick another name", text);
      return FALSE;
    }
  parsed = g_uri_parse (equal + 1, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS, NULL);
  /* QEMU's drivers, and libvirt's test driver to try things out. */
  if (parsed == NULL || (!g_str_has_prefix (g_uri_get_scheme (parsed), "qemu") &&
                         !g_str_equal (g_uri_get_scheme (parsed), "test")))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT,
                   "Invalid libvirt URI \"%s\" for the host %s: use qemu:///session, "
                   "qemu:///system or qemu+ssh://USER@SERVER/session", equal + 1, host_name);
      return FALSE;
    }

  if (name != NULL)
    *name = g_steal_pointer (&host_name);
  if (uri != NULL)
    *uri = g_strdup (equal + 1);
  return TRUE;
}

/**
 * pvm_hosts_from_config:
 * @config: the configuration (LIBVIRT_URI, HOSTS)
 *
 * Returns: (transfer container) (element-type PvmHostEntry): the hosts,
 *   "local" first
 */
GPtrArray *
pvm_hosts_from_config (PvmConfig *config)
{
  GPtrArray *hosts = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_host_entry_free);
  const char * const *entries = pvm_config_get_list (config, "HOSTS");
  PvmHostEntry *local = g_new0 (PvmHostEntry, 1);

  local->name = g_strdup (PVM_HOSTS_LOCAL);
  local->uri = g_strdup (pvm_config_get_string (config, "LIBVIRT_URI"));
  g_ptr_array_add (hosts, local);

  for (guint i = 0; entries != NULL && entries[i] != NULL; i++)
    {
      PvmHostEntry *entry = g_new0 (PvmHostEntry, 1);

      /* The configuration validated every entry. */
      if (!pvm_hosts_parse_entry (entries[i], &entry->name, &entry->uri, NULL) ||
          pvm_hosts_find (hosts, entry->name, NULL) != NULL)
        {
          pvm_host_entry_free (entry);
          continue;
        }
      g_ptr_array_add (hosts, entry);
    }
  return hosts;
}

static void
load_default_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  GError *error = NULL;

  if (!pvm_config_load_default (config, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, pvm_hosts_from_config (config),
                           (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pvm_hosts_load_default_async:
 * @source_object: (type GObject) (nullable): the object @callback gets as
 *   its source, kept until then
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the hosts
 * @user_data: data for @callback
 *
 * Reads the default configuration (pvm_config_load_default()) in a
 * thread, for its hosts.
 */
void
pvm_hosts_load_default_async (gpointer            source_object,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);

  g_task_set_source_tag (task, pvm_hosts_load_default_async);
  g_task_run_in_thread (task, load_default_thread);
}

/**
 * pvm_hosts_load_default_finish:
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type PvmHostEntry): the hosts,
 *   "local" first, or %NULL with why the configuration cannot be read
 */
GPtrArray *
pvm_hosts_load_default_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pvm_hosts_find:
 * @hosts: (element-type PvmHostEntry): the hosts
 * @name: a host's name
 * @error: return location for a #GError
 *
 * Returns: (transfer none) (nullable): the host named @name, or %NULL with
 *   %PVM_ERROR_NOT_FOUND listing the hosts there are
 */
const PvmHostEntry *
pvm_hosts_find (GPtrArray   *hosts,
                const char  *name,
                GError     **error)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < hosts->len; i++)
    {
      const PvmHostEntry *entry = g_ptr_array_index (hosts, i);

      if (g_str_equal (entry->name, name))
        return entry;
      g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", entry->name);
    }
  g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
               "No host is named \"%s\": the hosts are %s (HOSTS in the configuration "
               "adds more; pvm hosts shows them)", name, names->str);
  return NULL;
}

/**
 * pvm_hosts_find_uri:
 * @hosts: (element-type PvmHostEntry): the hosts
 * @uri: a libvirt URI
 *
 * Returns: (transfer none) (nullable): the host of @uri, or %NULL
 */
const PvmHostEntry *
pvm_hosts_find_uri (GPtrArray  *hosts,
                    const char *uri)
{
  for (guint i = 0; i < hosts->len; i++)
    {
      const PvmHostEntry *entry = g_ptr_array_index (hosts, i);

      if (g_str_equal (entry->uri, uri))
        return entry;
    }
  return NULL;
}

/**
 * pvm_hosts_uri_is_local:
 * @uri: a libvirt URI
 *
 * Returns: whether the VMs of @uri run on this machine, so that the paths
 *   in their domains are paths of this machine's files
 */
gboolean
pvm_hosts_uri_is_local (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                                        NULL);

  return parsed != NULL &&
         (g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0');
}

/**
 * pvm_hosts_dup_address:
 * @uri: a libvirt URI
 *
 * Returns: (transfer full): the address a migration stream reaches the
 *   host of @uri at: the URI's server, or 127.0.0.1 for this machine
 */
char *
pvm_hosts_dup_address (const char *uri)
{
  g_autoptr(GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_NON_DNS,
                                        NULL);

  if (parsed == NULL || g_uri_get_host (parsed) == NULL || *g_uri_get_host (parsed) == '\0' ||
      g_str_equal (g_uri_get_host (parsed), "localhost"))
    return g_strdup ("127.0.0.1");
  return g_strdup (g_uri_get_host (parsed));
}

/**
 * pvm_hosts_domain_type_from_caps:
 * @caps: a libvirt host's capabilities
 * @uri: (nullable): the host's URI, for the message
 * @error: return location for a #GError
 *
 * KVM when @caps offer it for x86_64 guests (libvirt checks /dev/kvm for
 * the user its QEMUs run as), TCG ("qemu") otherwise.
 *
 * Returns: (transfer none): "kvm" or "qemu", or %NULL when the host runs
 *   no x86_64 guest
 */
const char *
pvm_hosts_domain_type_from_caps (GVirConfigCapabilities  *caps,
                                 const char              *uri,
                                 GError                 **error)
{
  GList *guests;
  gboolean qemu = FALSE, kvm = FALSE;

  g_return_val_if_fail (GVIR_CONFIG_IS_CAPABILITIES (caps), NULL);

  guests = gvir_config_capabilities_get_guests (caps);
  for (GList *l = guests; l != NULL; l = l->next)
    {
      g_autoptr(GVirConfigCapabilitiesGuestArch) arch =
        gvir_config_capabilities_guest_get_arch (l->data);
      GList *domains;

      if (gvir_config_capabilities_guest_get_os_type (l->data) != GVIR_CONFIG_DOMAIN_OS_TYPE_HVM ||
          g_strcmp0 (gvir_config_capabilities_guest_arch_get_name (arch), "x86_64") != 0)
        continue;

      domains = gvir_config_capabilities_guest_arch_get_domains (arch);
      for (GList *d = domains; d != NULL; d = d->next)
        {
          GVirConfigDomainVirtType type =
            gvir_config_capabilities_guest_domain_get_virt_type (d->data);

          kvm |= type == GVIR_CONFIG_DOMAIN_VIRT_KVM;
          qemu |= type == GVIR_CONFIG_DOMAIN_VIRT_QEMU;
        }
      g_list_free_full (domains, g_object_unref);
    }
  g_list_free_full (guests, g_object_unref);

  if (kvm)
    return "kvm";
  if (qemu)
    return "qemu";

  g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_SUPPORTED,
               "%s cannot run x86_64 guests: install QEMU (on Debian: qemu-system-x86 and "
               "libvirt-daemon-driver-qemu) and restart libvirt", uri != NULL ? uri : "libvirt");
  return NULL;
}

/**
 * pvm_hosts_dup_caps:
 * @connection: an open connection
 * @error: return location for a #GError
 *
 * Reads the capabilities of @connection's host. Calls libvirt.
 *
 * Returns: (transfer full): the capabilities, or %NULL with @error set
 */
GVirConfigCapabilities *
pvm_hosts_dup_caps (GVirConnection  *connection,
                    GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  GVirConfigCapabilities *caps = gvir_connection_get_capabilities (connection, &local_error);

  if (caps == NULL)
    g_set_error (error, PVM_ERROR, PVM_ERROR_LIBVIRT,
                 "Cannot read the capabilities of %s: %s",
                 gvir_connection_get_uri (connection), local_error->message);
  return caps;
}

/**
 * pvm_hosts_pick_domain_type:
 * @connection: an open connection
 * @error: return location for a #GError
 *
 * pvm_hosts_domain_type_from_caps() of @connection's capabilities. Calls
 * libvirt.
 *
 * Returns: (transfer none): "kvm" or "qemu", or %NULL when the host runs
 *   no x86_64 guest or its capabilities cannot be read
 */
const char *
pvm_hosts_pick_domain_type (GVirConnection  *connection,
                            GError         **error)
{
  g_autoptr(GVirConfigCapabilities) caps = pvm_hosts_dup_caps (connection, error);

  if (caps == NULL)
    return NULL;
  return pvm_hosts_domain_type_from_caps (caps, gvir_connection_get_uri (connection), error);
}

/**
 * pvm_hosts_query:
 * @host: a host
 * @connections: (element-type GVirConnection) (nullable): connections
 *   open from an earlier query, asked again if still alive
 *   (pvm_vm_reuse_connection())
 * @cancellable: (nullable): a #GCancellable
 *
 * Asks @host what it offers and which pVM VMs it has. Calls libvirt (and,
 * for a remote host, SSH): run it in a thread.
 *
 * Returns: (transfer full): the answer; its error says why there is none
 */
PvmHostStatus *
pvm_hosts_query (const PvmHostEntry *host,
                 GPtrArray          *connections,
                 GCancellable       *cancellable)
{
  g_autoptr(PvmHostStatus) status = g_new0 (PvmHostStatus, 1);
  g_autoptr(GVirConnection) connection = NULL;
  g_autoptr(PvmVirConnect) handle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hostname = NULL;
  virNodeInfo info;
  unsigned long long free_memory;

  status->host = pvm_host_entry_copy (host);
  connection = pvm_vm_reuse_connection (connections, host->uri);
  if (connection == NULL)
    connection = pvm_vm_open_connection (host->uri, cancellable, &error);
  if (connection == NULL)
    {
      status->error = g_strdup (error->message);
      return g_steal_pointer (&status);
    }

  status->connection = g_object_ref (connection);
  g_object_get (connection, "handle", &handle, NULL);
  hostname = virConnectGetHostname (handle);
  status->hostname = g_strdup (hostname);
  if (virNodeGetInfo (handle, &info) == 0)
    {
      status->cpus = info.cpus;
      status->memory = (guint64) info.memory * 1024;
    }
  free_memory = virNodeGetFreeMemory (handle);
  status->free_memory = free_memory;
  status->domain_type = pvm_hosts_pick_domain_type (connection, NULL);

  status->vms = pvm_vm_list_fetch (connection, &error);
  if (status->vms == NULL)
    status->error = g_strdup_printf ("Cannot list the VMs of %s: %s", host->uri, error->message);
  return g_steal_pointer (&status);
}

typedef struct
{
  const PvmHostEntry *host;
  GPtrArray          *connections;
  GCancellable       *cancellable;
  PvmHostStatus      *status;
} QueryOne;

static gpointer
query_one_thread (gpointer user_data)
{
  QueryOne *one = user_data;

  one->status = pvm_hosts_query (one->host, one->connections, one->cancellable);
  return NULL;
}

typedef struct
{
  GPtrArray *hosts;
  GPtrArray *connections;   /* nullable */
} Query;

static void
query_free (Query *query)
{
  g_ptr_array_unref (query->hosts);
  g_clear_pointer (&query->connections, g_ptr_array_unref);
  g_free (query);
}

/* Asks every host at once: a host that does not answer (SSH waiting for a
 * timeout) does not hold up the others' answers more than its own. */
static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Query *query = task_data;
  GPtrArray *hosts = query->hosts;
  g_autofree QueryOne *ones = g_new0 (QueryOne, hosts->len);
  g_autofree GThread **threads = g_new0 (GThread *, hosts->len);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) pvm_host_status_free);

  for (guint i = 0; i < hosts->len; i++)
    {
      ones[i].host = g_ptr_array_index (hosts, i);
      ones[i].connections = query->connections;
      ones[i].cancellable = cancellable;
      threads[i] = g_thread_new ("pvm-host-query", query_one_thread, &ones[i]);
    }
  for (guint i = 0; i < hosts->len; i++)
    {
      g_thread_join (threads[i]);
      g_ptr_array_add (result, ones[i].status);
    }
  g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * pvm_hosts_query_async:
 * @hosts: (element-type PvmHostEntry): the hosts
 * @connections: (element-type GVirConnection) (nullable): connections
 *   open from an earlier query, asked again if still alive
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answers
 * @user_data: data for @callback
 *
 * Asks every host of @hosts at once (pvm_hosts_query()).
 */
void
pvm_hosts_query_async (GPtrArray           *hosts,
                       GPtrArray           *connections,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Query *query = g_new0 (Query, 1);

  query->hosts = g_ptr_array_ref (hosts);
  query->connections = connections != NULL ? g_ptr_array_ref (connections) : NULL;
  g_task_set_source_tag (task, pvm_hosts_query_async);
  g_task_set_task_data (task, query, (GDestroyNotify) query_free);
  g_task_run_in_thread (task, query_thread);
}

/**
 * pvm_hosts_query_finish:
 * @result: the result
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type PvmHostStatus): one answer
 *   per host, in the order of the hosts
 */
GPtrArray *
pvm_hosts_query_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
