/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-config.h: pVM's configuration, with the original pVM.cfg's names. */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PVM_TYPE_CONFIG (pvm_config_get_type ())

G_DECLARE_FINAL_TYPE (PvmConfig, pvm_config, PVM, CONFIG, GObject)

typedef enum
{
  PVM_CONFIG_FORMAT_NATIVE,
  PVM_CONFIG_FORMAT_LEGACY,
} PvmConfigFormat;

typedef enum
{
  PVM_NET_TYPE_USER,
  PVM_NET_TYPE_TAP,
} PvmNetType;

typedef enum
{
  PVM_CPU_MODE_MIGRATION_SAFE,
  PVM_CPU_MODE_FASTEST,
} PvmCpuMode;

typedef enum
{
  PVM_OUTPUT_MODE_SHARED,
  PVM_OUTPUT_MODE_DISK,
} PvmOutputMode;

/* The group of the native key file. */
#define PVM_CONFIG_GROUP "pvm"

PvmConfig           *pvm_config_new               (void);
PvmConfig           *pvm_config_copy              (PvmConfig        *self);
char                *pvm_config_dup_default_path  (void);
const char * const  *pvm_config_list_keys         (void);
const char          *pvm_config_describe_key      (const char       *key);

gboolean             pvm_config_load_file         (PvmConfig        *self,
                                                   const char       *path,
                                                   PvmConfigFormat  *format,
                                                   GError          **error);
gboolean             pvm_config_load_default      (PvmConfig        *self,
                                                   char            **loaded_path,
                                                   GError          **error);
char                *pvm_config_to_data           (PvmConfig        *self);
gboolean             pvm_config_save              (PvmConfig        *self,
                                                   const char       *path,
                                                   GError          **error);

gboolean             pvm_config_set_list          (PvmConfig         *self,
                                                   const char        *key,
                                                   const char * const *values,
                                                   GError           **error);
gboolean             pvm_config_set_string        (PvmConfig         *self,
                                                   const char        *key,
                                                   const char        *value,
                                                   GError           **error);
const char * const  *pvm_config_get_list          (PvmConfig        *self,
                                                   const char       *key);
const char          *pvm_config_pick              (PvmConfig        *self,
                                                   const char       *key,
                                                   guint             index);
const char          *pvm_config_get_string        (PvmConfig        *self,
                                                   const char       *key);
gboolean             pvm_config_get_boolean       (PvmConfig        *self,
                                                   const char       *key);
guint                pvm_config_get_uint          (PvmConfig        *self,
                                                   const char       *key);
PvmNetType           pvm_config_get_net_type      (PvmConfig        *self);
PvmCpuMode           pvm_config_get_cpu_mode      (PvmConfig        *self);
PvmOutputMode        pvm_config_get_output_mode   (PvmConfig        *self);
guint64              pvm_config_get_output_disk_size (PvmConfig     *self);
const char          *pvm_config_ensure_repository  (PvmConfig        *self,
                                                    const char       *key,
                                                    GError          **error);

char               **pvm_config_split_list        (const char       *text);

G_END_DECLS
