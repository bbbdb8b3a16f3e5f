/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-cli.h: what the pvm command's parts share. */

#pragma once

#include <json-glib/json-glib.h>

#include "pvm-core.h"

G_BEGIN_DECLS

/* Exit statuses: 0 success, 1 the work failed or was refused, 2 usage. */
#define PVM_EXIT_FAILURE 1
#define PVM_EXIT_USAGE   2

int        pvm_cli_launch            (int          argc,
                                      char       **argv);
int        pvm_cli_config            (int          argc,
                                      char       **argv);
int        pvm_cli_host              (int          argc,
                                      char       **argv);
int        pvm_cli_image             (int          argc,
                                      char       **argv);
int        pvm_cli_install           (int          argc,
                                      char       **argv);
int        pvm_cli_squash            (int          argc,
                                      char       **argv);
int        pvm_cli_list              (int          argc,
                                      char       **argv);
int        pvm_cli_console           (int          argc,
                                      char       **argv);
int        pvm_cli_info              (int          argc,
                                      char       **argv);
int        pvm_cli_stop              (int          argc,
                                      char       **argv);
int        pvm_cli_delete            (int          argc,
                                      char       **argv);
int        pvm_cli_save              (int          argc,
                                      char       **argv);
int        pvm_cli_resume            (int          argc,
                                      char       **argv);
int        pvm_cli_start             (int          argc,
                                      char       **argv);
int        pvm_cli_collect_command   (int          argc,
                                      char       **argv);
int        pvm_cli_hosts             (int          argc,
                                      char       **argv);
int        pvm_cli_migrate           (int          argc,
                                      char       **argv);
int        pvm_cli_save_bundle       (int          argc,
                                      char       **argv,
                                      const char  *usage);
int        pvm_cli_restore           (int          argc,
                                      char       **argv);

PvmVm     *pvm_cli_find_vm_on_hosts  (GPtrArray           *hosts,
                                      const char          *name,
                                      const PvmHostEntry **host,
                                      GError             **error);

GVirConnection *pvm_cli_open_connection (PvmConfig *config,
                                         GError   **error);
void       pvm_cli_print_vm          (PvmVm       *vm,
                                      guint        number);
gboolean   pvm_cli_collect           (PvmVm       *vm,
                                      gboolean     quiet);

PvmConfig *pvm_cli_load_config       (const char  *path,
                                      gboolean     verbose,
                                      GError     **error);
void       pvm_cli_print_json        (JsonNode    *node);
void       pvm_cli_print_json_array  (JsonArray   *array);
guint      pvm_cli_display_width     (const char  *text);
char      *pvm_cli_dup_shell_word    (const char  *word);
void       pvm_cli_print_table       (GPtrArray   *rows,
                                      guint        n_columns);
int        pvm_cli_usage_error       (const char  *command,
                                      const char  *format,
                                      ...) G_GNUC_PRINTF (2, 3);
gboolean   pvm_cli_parse_options     (GOptionContext  *context,
                                      const char      *command,
                                      const char      *usage,
                                      int             *argc,
                                      char          ***argv,
                                      int             *status);

G_END_DECLS
