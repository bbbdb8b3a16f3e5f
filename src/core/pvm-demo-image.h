/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-demo-image.h: a small bootable image built on this host, from its
 * own kernel and busybox, to try pVM without downloading an OS ("pvm
 * image demo", the app's first-run wizard). */

#pragma once

#include <gio/gio.h>

#include "pvm-image-repo.h"

G_BEGIN_DECLS

/* The name "pvm image demo" gives the image when none is given. */
#define PVM_DEMO_IMAGE_DEFAULT_NAME "demo"

/* The environment variable naming the builder, for uninstalled runs. */
#define PVM_DEMO_IMAGE_BUILDER_ENV "PVM_GUEST_BUILDER"

char     *pvm_demo_image_find_builder  (GError              **error);
void      pvm_demo_image_create_async  (PvmImageRepo         *repo,
                                        const char           *name,
                                        PvmImageProgressFunc  progress,
                                        gpointer              progress_data,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
PvmImage *pvm_demo_image_create_finish (PvmImageRepo         *repo,
                                        GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
