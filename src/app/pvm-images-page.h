/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include "pvm-list-page.h"

G_BEGIN_DECLS

#define PVM_TYPE_IMAGES_PAGE (pvm_images_page_get_type ())

G_DECLARE_FINAL_TYPE (PvmImagesPage, pvm_images_page, PVM, IMAGES_PAGE, PvmListPage)

G_END_DECLS
