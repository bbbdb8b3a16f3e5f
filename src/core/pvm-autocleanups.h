/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-autocleanups.h: g_autoptr() support for the libvirt types pVM uses.
 *
 * libvirt and libvirt-glib 4.0 define no cleanup functions of their own;
 * they are declared once here and nowhere else.
 */

#pragma once

#include <libvirt/libvirt.h>
#include <libvirt-glib/libvirt-glib.h>
#include <libvirt-gconfig/libvirt-gconfig.h>
#include <libvirt-gobject/libvirt-gobject.h>

void pvm_connection_release (GVirConnection *connection);

/* A connection may be dropped in any thread: see pvm_connection_release(). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConnection, pvm_connection_release)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirDomain, g_object_unref)
static inline void
pvm_domain_info_free (GVirDomainInfo *info)
{
  g_boxed_free (GVIR_TYPE_DOMAIN_INFO, info);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirDomainInfo, pvm_domain_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomain, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigCapabilities, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigCapabilitiesGuestArch, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainCpu, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainCpuModel, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigCapabilitiesCpuTopology, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainClock, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainOs, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainDiskDriver, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GVirConfigDomainChardevSourceSpiceVmc, g_object_unref)

typedef virConnect PvmVirConnect;
typedef virDomain PvmVirDomain;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmVirConnect, virConnectClose)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmVirDomain, virDomainFree)
