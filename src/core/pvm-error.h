/* SPDX-License-Identifier: BSD-3-Clause */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PVM_ERROR (pvm_error_quark ())

/**
 * PvmError:
 * @PVM_ERROR_FAILED: anything without a more precise code
 * @PVM_ERROR_INVALID_ARGUMENT: a value given by the user is malformed
 * @PVM_ERROR_NOT_FOUND: a file, device or program does not exist
 * @PVM_ERROR_PERMISSION_DENIED: it exists but the user may not use it
 * @PVM_ERROR_NOT_SUPPORTED: the host or a tool lacks a needed feature
 * @PVM_ERROR_MISSING_TOOL: an external program pVM runs is not installed
 * @PVM_ERROR_LIBVIRT: libvirt refused or failed
 * @PVM_ERROR_INVALID_CONFIG: a configuration file is malformed (the message
 *   starts with "FILE:LINE: ")
 * @PVM_ERROR_NOT_QCOW2: a file that must be a qcow2 image is not one
 * @PVM_ERROR_IMAGE_HAS_OVERLAYS: the image is the backing image of others,
 *   so it must not be booted, written, resized or deleted
 * @PVM_ERROR_EXISTS: something of that name already exists
 * @PVM_ERROR_INVALID_NAME: a name cannot be used: empty, a path, "..",
 *   a leading "-" or ".", control characters, too long
 * @PVM_ERROR_NO_SPACE: the file system is full
 * @PVM_ERROR_BUSY: a running VM uses it (an image, a VM's definition)
 *
 * Error codes of the %PVM_ERROR domain, for the UI and the CLI to act on.
 */
typedef enum
{
  PVM_ERROR_FAILED,
  PVM_ERROR_INVALID_ARGUMENT,
  PVM_ERROR_NOT_FOUND,
  PVM_ERROR_PERMISSION_DENIED,
  PVM_ERROR_NOT_SUPPORTED,
  PVM_ERROR_MISSING_TOOL,
  PVM_ERROR_LIBVIRT,
  PVM_ERROR_INVALID_CONFIG,
  PVM_ERROR_NOT_QCOW2,
  PVM_ERROR_IMAGE_HAS_OVERLAYS,
  PVM_ERROR_EXISTS,
  PVM_ERROR_INVALID_NAME,
  PVM_ERROR_NO_SPACE,
  PVM_ERROR_BUSY,
} PvmError;

GQuark pvm_error_quark (void);

G_END_DECLS
