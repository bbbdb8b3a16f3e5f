/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-contract.h: the names shared between pVM and its guests.
 *
 * docs/guest-contract.md describes them for people who build guest images;
 * tests/test-contract.c checks that the document and these names agree.
 */

#pragma once

/* Disks, found by the guest through /sys/block/vdX/serial. */
#define PVM_CONTRACT_INPUT_SERIAL   "pvm-input"
#define PVM_CONTRACT_OUTPUT_SERIAL  "pvm-output"

/* 9p mount tags. */
#define PVM_CONTRACT_INPUT_TAG      "input"
#define PVM_CONTRACT_OUTPUT_TAG     "output"
#define PVM_CONTRACT_INSTALL_TAG    "install"

/* Where the guest mounts them. */
#define PVM_CONTRACT_INPUT_DIR      "/mnt/input"
#define PVM_CONTRACT_OUTPUT_DIR     "/mnt/output"
#define PVM_CONTRACT_INSTALL_DIR    "/mnt/install"

/* The job: a script at the root of the input, or a fw_cfg entry. */
#define PVM_CONTRACT_JOB_FILE       "pvm-job"
#define PVM_CONTRACT_JOB_FW_CFG     "opt/pvm/job"

/* Virtio serial channels for the guest's agents: the SPICE agent
 * (spice-vdagent: clipboard, display size, files dropped on the console)
 * and the QEMU guest agent (qemu-ga). */
#define PVM_CONTRACT_SPICE_AGENT_CHANNEL "com.redhat.spice.0"
#define PVM_CONTRACT_GUEST_AGENT_CHANNEL "org.qemu.guest_agent.0"

/* Lines the guest prints on its first serial port. */
#define PVM_CONTRACT_STATUS_PREFIX   "pvm-guest: "
#define PVM_CONTRACT_PROGRESS_PREFIX "pvm-progress: "
#define PVM_CONTRACT_STATUS_READY    "ready"
#define PVM_CONTRACT_STATUS_JOB_START "job start"
#define PVM_CONTRACT_STATUS_JOB_EXIT "job exit"
#define PVM_CONTRACT_STATUS_POWEROFF "poweroff"
