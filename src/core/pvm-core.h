/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-core.h: the one header users of libpvm-core include. */

#pragma once

#include "pvm-autocleanups.h"
#include "pvm-bundle.h"
#include "pvm-config.h"
#include "pvm-contract.h"
#include "pvm-demo-image.h"
#include "pvm-domain.h"
#include "pvm-emulator.h"
#include "pvm-error.h"
#include "pvm-host.h"
#include "pvm-host-check.h"
#include "pvm-hosts.h"
#include "pvm-image-repo.h"
#include "pvm-install.h"
#include "pvm-installation.h"
#include "pvm-launcher.h"
#include "pvm-media.h"
#include "pvm-migration.h"
#include "pvm-names.h"
#include "pvm-output-disk.h"
#include "pvm-plan.h"
#include "pvm-qcow2.h"
#include "pvm-size.h"
#include "pvm-squash-repo.h"
#include "pvm-vm.h"
