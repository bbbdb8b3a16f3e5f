/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-test-util.h: helpers shared by the test programs. */

#pragma once

#include <sys/resource.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* A full disk, simulated: see pvm_test_limit_file_size(). */
typedef struct
{
  struct rlimit saved;
  void (*handler) (int);
} PvmTestFileLimit;

void  pvm_test_limit_file_size   (PvmTestFileLimit   *limit,
                                  rlim_t              bytes);
void  pvm_test_unlimit_file_size (PvmTestFileLimit   *limit);
/* A disk whose first write fails once with ENOSPC, for a VM that QEMU
 * pauses: see pvm_test_make_failing_disk(). The job writes one block to
 * it, found by its serial, and its status into $PVM_OUTPUT/result.txt. */
#define PVM_TEST_FAILING_DISK_SERIAL "full"
extern const char pvm_test_failing_disk_job[];

char *pvm_test_make_failing_disk (const char         *dir);
void  pvm_test_remove_tree (const char         *path);
char *pvm_test_run_tool    (const char         *cwd,
                            const char * const *argv);
char *pvm_test_checksum_file (const char         *path);
char *pvm_test_dir_state   (const char         *dir_path);
GSubprocess *pvm_test_spawn_pvm (const char * const *args,
                                 const char         *xdg_dir,
                                 GError            **error);
int   pvm_test_finish_pvm  (GSubprocess        *process,
                            char              **out,
                            char              **err);
int   pvm_test_run_pvm     (const char * const *args,
                            char              **out,
                            char              **err);
char *pvm_test_pvm_ok      (const char * const *args);

const char *pvm_test_require_env (const char *name);
void  pvm_test_checksum_tree (GHashTable         *sums,
                              const char         *root,
                              const char         *relative);
void  pvm_test_drop_log_cb (const char         *log_domain,
                            GLogLevelFlags      log_level,
                            const char         *message,
                            gpointer            user_data);

G_END_DECLS
