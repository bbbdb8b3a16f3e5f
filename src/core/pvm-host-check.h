/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-host-check.h: what this host offers pVM, item by item, each with
 * what to do about it ("pvm host", and the app's first-run wizard); and
 * the first run's other questions: an original pVM.cfg to adopt, the
 * repositories to create. */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pvm-config.h"

G_BEGIN_DECLS

/**
 * PvmHostCheckStatus:
 * @PVM_HOST_CHECK_OK: as pVM needs it
 * @PVM_HOST_CHECK_WARNING: pVM works, but worse (no KVM, little space)
 *   or not yet (a repository to create)
 * @PVM_HOST_CHECK_ERROR: pVM cannot launch VMs until it is fixed
 */
typedef enum
{
  PVM_HOST_CHECK_OK,
  PVM_HOST_CHECK_WARNING,
  PVM_HOST_CHECK_ERROR,
} PvmHostCheckStatus;

/* Below this, a repository's file system gets a warning. */
#define PVM_HOST_CHECK_LOW_SPACE (G_GUINT64_CONSTANT (5) * 1024 * 1024 * 1024)

#define PVM_TYPE_HOST_CHECK_ITEM (pvm_host_check_item_get_type ())

/**
 * PvmHostCheckItem:
 * @id: what was checked, stable, the key of "pvm host --json": "QEMU",
 *   "libvirt", "KVM", "qemu-img", "mksquashfs", "DRIVEREPO", "SQUASHREPO",
 *   "pvm.conf"
 * @title: the same for a person ("Space for Images")
 * @status: how it went
 * @detail: what was found: a path, a URI, the free space, or why not
 * @what_to_do: (nullable): for a warning or an error, what to do about
 *   it, when something can be done
 *
 * One result of pvm_host_check_run(). Reference counted; the fields are
 * read-only.
 */
typedef struct
{
  char               *id;
  char               *title;
  PvmHostCheckStatus  status;
  char               *detail;
  char               *what_to_do;
} PvmHostCheckItem;

GType             pvm_host_check_item_get_type      (void) G_GNUC_CONST;
PvmHostCheckItem *pvm_host_check_item_ref           (PvmHostCheckItem    *item);
void              pvm_host_check_item_unref         (PvmHostCheckItem    *item);
JsonNode         *pvm_host_check_item_to_json       (PvmHostCheckItem    *item);
const char       *pvm_host_check_status_to_string   (PvmHostCheckStatus   status);

GPtrArray        *pvm_host_check_run                (PvmConfig           *config,
                                                     GCancellable        *cancellable);
void              pvm_host_check_run_async          (PvmConfig           *config,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GPtrArray        *pvm_host_check_run_finish         (GAsyncResult        *result,
                                                     GError             **error);
gboolean          pvm_host_check_passed             (GPtrArray           *items);

char             *pvm_host_check_find_legacy_config (void);
gboolean          pvm_host_check_create_repositories (PvmConfig          *config,
                                                      char              **message,
                                                      GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmHostCheckItem, pvm_host_check_item_unref)

G_END_DECLS
