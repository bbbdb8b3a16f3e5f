/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-plan.h: what a launch will do, VM by VM, resolved from a PvmConfig
 * with the original pVM's rules, and every problem found before anything
 * starts. The launcher runs exactly this plan; --dry-run prints it. */

#pragma once

#include <json-glib/json-glib.h>

#include "pvm-config.h"

G_BEGIN_DECLS

typedef enum
{
  PVM_INPUT_KIND_NONE,
  PVM_INPUT_KIND_SQUASHFS,
  PVM_INPUT_KIND_DIRECTORY,
} PvmInputKind;

typedef struct
{
  guint         index;         /* 0-based position in the launch */
  char         *name;          /* the image's name without .qcow2 */
  char         *image;         /* absolute path */
  char         *input;         /* absolute path, or NULL */
  PvmInputKind  input_kind;
  char         *output;        /* absolute path, or NULL */
  guint64       memory_bytes;
  guint         cores;
  char        **extra_args;    /* QEMU arguments, split as a shell would */
  guint         ssh_port;      /* host port forwarded to the guest's 22, or 0 */
} PvmVmPlan;

typedef struct
{
  int   vm_index;              /* -1 for the launch as a whole */
  char *vm_name;               /* NULL for the launch as a whole */
  char *setting;               /* e.g. "-d/DRIVES", or NULL */
  char *message;
} PvmProblem;

typedef struct
{
  GPtrArray *vms;              /* PvmVmPlan */
  GPtrArray *problems;         /* PvmProblem */
} PvmPlan;

PvmPlan    *pvm_plan_new_from_config   (PvmConfig    *config,
                                        const char   *cwd);
void        pvm_plan_check             (PvmPlan      *plan,
                                        PvmConfig    *config);
void        pvm_plan_choose_ssh_ports  (PvmPlan      *plan,
                                        GPtrArray    *defined);
void        pvm_plan_free              (PvmPlan      *plan);
void        pvm_vm_plan_free           (PvmVmPlan    *vm);
JsonNode   *pvm_plan_to_json           (PvmPlan      *plan);
void        pvm_vm_plan_add_json_members (const PvmVmPlan *vm,
                                        JsonBuilder     *builder);
char       *pvm_problem_to_string      (PvmProblem   *problem);
const char *pvm_input_kind_to_string   (PvmInputKind  kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmPlan, pvm_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PvmVmPlan, pvm_vm_plan_free)

G_END_DECLS
