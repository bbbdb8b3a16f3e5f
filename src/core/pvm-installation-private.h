/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-installation-private.h: what the parts of PvmInstallation share:
 * pvm-installation.c (the object, its checks and helpers),
 * pvm-installation-install.c (start, attach, wait, stop, and undoing) and
 * pvm-installation-base.c (the base's snapshots, their launch). */

#pragma once

#include <sys/types.h>

#include "pvm-installation.h"
#include "pvm-launcher.h"
#include "pvm-plan.h"
#include "pvm-size.h"

G_BEGIN_DECLS

/* A disk whose usage grew by less than this since it was created holds no
 * installed system: the installer powered off without writing it. */
#define WRITTEN_THRESHOLD PVM_SIZE_MIB

struct _PvmInstallation
{
  GObject              parent_instance;

  /* Owned, set at construction */
  PvmConfig           *config;
  PvmImageRepo        *repo;
  char                *name;            /* without ".qcow2" */
  char                *iso;             /* absolute */
  guint64              disk_size;
  guint64              memory;
  guint                cores;
  gboolean             keep_on_failure;

  /* Owned, set on the main context as the steps go */
  GVirConnection      *connection;
  PvmVm               *vm;              /* the install VM */
  PvmImage            *image;
  GPtrArray           *snapshots;       /* PvmImage */
  GPtrArray           *warnings;        /* char*, NULL-terminated */
  char                *message;
  double               fraction;
  PvmInstallationStep  step;
  guint64              blank_usage;     /* the image's disk usage when created */
  gboolean             made_image;      /* by this object: undo deletes it */
  gboolean             made_vm;         /* likewise its definition */
  gboolean             stopping;        /* pvm_installation_stop_async() runs */
  gboolean             busy;            /* a step runs */
};

/* What one step needs besides the object, in its GTask. */
typedef struct
{
  PvmConfig   *config;          /* the launch's */
  PvmPlan     *plan;
  PvmLauncher *launcher;
  PvmImage    *image;           /* a thread's result */
  PvmVm       *vm;              /* attach's */
  GStrv        names;           /* make base */
  guint        next;
  GPtrArray   *made;            /* PvmImage made by this make base */
  mode_t       base_mode;
  gboolean     base_mode_known;
  gboolean     keep_image;      /* stop */
  GString     *undone;          /* what undo did, for the message */
} PvmInstallationOp;

void             _pvm_installation_op_free           (PvmInstallationOp    *op);
GTask           *_pvm_installation_op_task_new       (PvmInstallation      *self,
                                                      gpointer              source_tag,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
void             _pvm_installation_set_progress      (PvmInstallation      *self,
                                                      PvmInstallationStep   step,
                                                      double                fraction,
                                                      const char           *message);
void             _pvm_installation_set_vm            (PvmInstallation      *self,
                                                      PvmVm                *vm);
void             _pvm_installation_add_warnings      (PvmInstallation      *self,
                                                      const char * const   *warnings);
gboolean         _pvm_installation_image_exists      (PvmInstallation      *self,
                                                      const char           *name,
                                                      char                **path);
PvmConfig       *_pvm_installation_dup_launch_config (PvmInstallation      *self,
                                                      const char * const   *drives,
                                                      gboolean              installing,
                                                      GError              **error);
GVirConnection  *_pvm_installation_open_connection   (PvmInstallation      *self,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
void             _pvm_installation_plan_thread       (GTask                *task,
                                                      gpointer              source_object,
                                                      gpointer              task_data,
                                                      GCancellable         *cancellable);

G_END_DECLS
