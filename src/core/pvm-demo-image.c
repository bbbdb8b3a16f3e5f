/* SPDX-License-Identifier: BSD-3-Clause */
/* pvm-demo-image.c: the demo image, built by pvm-build-guest.
 *
 * The builder is the one the tests use to make their guest (installed in
 * $libexecdir/pvm with the guest's init next to it): a BIOS-bootable qcow2
 * disk with SYSLINUX, the host's kernel and a busybox initramfs, made with
 * no root and no download in a few seconds. It writes a hidden temporary
 * file of the repository, which is renamed into place only when the build
 * succeeded: a failed or cancelled build leaves the repository as it was.
 * Its progress comes from the lines it prints. */

#define G_LOG_DOMAIN "pvm-demo-image"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-demo-image.h"
#include "pvm-error.h"
#include "pvm-repo-private.h"

#define BUILDER_NAME "pvm-build-guest"
#define QCOW2_SUFFIX ".qcow2"

/* How long the builder has to clean up after SIGTERM before SIGKILL. */
#define KILL_TIMEOUT_SECONDS 10

/* What the builder prints as it goes ("pvm-build-guest: STEP..."), and how
 * far along each line is: measured, the initramfs (gzip -9) takes most of
 * the 2 s, the disk and its conversion a tenth. */
static const struct {
  const char *prefix;
  double      fraction;
} steps[] = {
  { "kernel ", 0.02 },
  { "busybox ", 0.03 },
  { "init ", 0.04 },
  { "initramfs: ", 0.08 },
  { "boot disk: ", 0.9 },
  { "converting to qcow2", 0.95 },
  { "wrote ", 1.0 },
};

/**
 * pvm_demo_image_find_builder:
 * @error: return location for a #GError
 *
 * Where pvm-build-guest is: $PVM_GUEST_BUILDER when it is set (an
 * uninstalled build, the tests: src/guest/pvm-build-guest of the source
 * tree), else where pVM installs it ($libexecdir/pvm).
 *
 * Returns: (transfer full): the builder's path, or %NULL with
 *   %PVM_ERROR_MISSING_TOOL
 */
char *
pvm_demo_image_find_builder (GError **error)
{
  const char *path = g_getenv (PVM_DEMO_IMAGE_BUILDER_ENV);

  if (path != NULL && *path != '\0')
    {
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) &&
          !g_file_test (path, G_FILE_TEST_IS_DIR))
        return g_strdup (path);
      g_set_error (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL,
                   "The image builder %s (" PVM_DEMO_IMAGE_BUILDER_ENV ") is not an executable "
                   "file: set " PVM_DEMO_IMAGE_BUILDER_ENV " to src/guest/" BUILDER_NAME " of "
                   "pVM's source tree, or unset it to use the installed one", path);
      return NULL;
    }

  if (g_file_test (PKGLIBEXECDIR "/" BUILDER_NAME, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (PKGLIBEXECDIR "/" BUILDER_NAME);

  g_set_error (error, PVM_ERROR, PVM_ERROR_MISSING_TOOL,
               "pVM's image builder is not installed (there is no " PKGLIBEXECDIR "/" BUILDER_NAME
               "): install pVM (meson install), or, to run it from its build directory, set "
               PVM_DEMO_IMAGE_BUILDER_ENV " to src/guest/" BUILDER_NAME " of its source tree");
  return NULL;
}

typedef struct
{
  /* Owned */
  GSubprocess          *process;
  GDataInputStream     *output;
  char                 *path;         /* the image, once renamed */
  char                 *temp;         /* what the builder writes */
  GString              *messages;     /* what it printed that is not a step */
  char                 *error_line;   /* its last "error: " line */

  /* Borrowed */
  PvmImageProgressFunc  progress;
  gpointer              progress_data;

  GSource              *kill_source;  /* after SIGTERM, in case it did not stop */
  gulong                cancelled_id;
  gboolean              cancelled;
} Build;

/* Removes what a build may have left: @temp, and the builder's own
 * temporary file next to it (".TEMP.XXXXXXXX") when it was killed. */
static void
remove_leftovers (const char *temp)
{
  g_autofree char *directory = g_path_get_dirname (temp);
  g_autofree char *base = g_path_get_basename (temp);
  g_autofree char *prefix = g_strconcat (".", base, ".", NULL);
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  g_unlink (temp);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix))
      {
        g_autofree char *path = g_build_filename (directory, name, NULL);

        g_unlink (path);
      }
}

/* Removes the temporary files of a build that will not be renamed. */
static void
discard (Build *build)
{
  if (build->temp != NULL)
    remove_leftovers (build->temp);
  g_clear_pointer (&build->temp, g_free);
}

static void
build_free (Build *build)
{
  g_assert (build->cancelled_id == 0);

  if (build->kill_source != NULL)
    g_source_destroy (build->kill_source);
  g_clear_pointer (&build->kill_source, g_source_unref);
  g_clear_object (&build->process);
  g_clear_object (&build->output);
  discard (build);
  g_free (build->path);
  g_string_free (build->messages, TRUE);
  g_free (build->error_line);
  g_free (build);
}

/* Between fork and exec: only async-signal-safe calls. A process group of
 * its own, so that Ctrl+C in a terminal reaches pvm alone, which cancels
 * cleanly; and SIGTERM (which the builder cleans up on) if pVM dies. */
static void
builder_child_setup (gpointer user_data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
kill_timeout_cb (gpointer user_data)
{
  Build *build = user_data;

  g_debug ("The image builder did not stop on SIGTERM: killing it");
  g_subprocess_force_exit (build->process);
  return G_SOURCE_REMOVE;
}

/* On the thread that cancels: the builder removes its files on SIGTERM,
 * and the task ends once it has exited (SIGKILL if it takes too long). */
static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Build *build = g_task_get_task_data (task);

  if (build->cancelled)
    return;
  build->cancelled = TRUE;
  g_subprocess_send_signal (build->process, SIGTERM);

  build->kill_source = g_timeout_source_new_seconds (KILL_TIMEOUT_SECONDS);
  g_source_set_callback (build->kill_source, kill_timeout_cb, build, NULL);
  g_source_set_name (build->kill_source, "[pvm] demo image kill timeout");
  g_source_attach (build->kill_source, g_task_get_context (task));
}

static void
set_build_error (Build   *build,
                 GError **error)
{
  g_autofree char *what = NULL;
  int code = PVM_ERROR_FAILED;

  if (build->error_line != NULL)
    what = g_strdup (build->error_line);
  else if (build->messages->len > 0)
    what = g_strdup (build->messages->str);
  else if (g_subprocess_get_if_signaled (build->process))
    what = g_strdup_printf ("it was killed by signal %d",
                            g_subprocess_get_term_sig (build->process));
  else
    what = g_strdup_printf ("it failed (exit status %d) without a message",
                            g_subprocess_get_exit_status (build->process));

  /* The user knows the image by its name, not by the temporary file's. */
  {
    g_autoptr(GString) text = g_string_new (what);

    g_string_replace (text, build->temp, build->path, 0);
    g_free (what);
    what = g_string_free (g_steal_pointer (&text), FALSE);
  }

  if (strstr (what, "install the Debian package") != NULL)
    code = PVM_ERROR_MISSING_TOOL;
  else if (strstr (what, g_strerror (ENOSPC)) != NULL || strstr (what, "No space left") != NULL)
    code = PVM_ERROR_NO_SPACE;
  else if (strstr (what, "not writable") != NULL || strstr (what, "ermission denied") != NULL)
    code = PVM_ERROR_PERMISSION_DENIED;

  g_set_error (error, PVM_ERROR, code, "Cannot build the demo image %s: %s", build->path, what);
}

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Build *build = g_task_get_task_data (task);
  PvmImageRepo *repo = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  PvmImage *image;

  g_cancellable_disconnect (g_task_get_cancellable (task), build->cancelled_id);
  build->cancelled_id = 0;
  if (build->kill_source != NULL)
    g_source_destroy (build->kill_source);
  g_clear_pointer (&build->kill_source, g_source_unref);

  /* (Without a cancellable, waiting does not fail.) */
  g_subprocess_wait_finish (build->process, result, NULL);

  /* Whoever gets the result finds nothing left behind. */
  if (build->cancelled)
    {
      discard (build);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "Cancelled: no image was made");
      return;
    }

  if (!g_subprocess_get_successful (build->process))
    {
      set_build_error (build, &error);
      discard (build);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!_pvm_rename_no_replace (build->temp, build->path, &error))
    {
      discard (build);
      g_prefix_error (&error, "Cannot create the demo image: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_clear_pointer (&build->temp, g_free);

  name = g_path_get_basename (build->path);
  image = pvm_image_repo_info (repo, name, &error);
  if (image == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, image, (GDestroyNotify) pvm_image_unref);
}

static void
read_line_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Build *build = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *text;

  line = g_data_input_stream_read_line_finish_utf8 (build->output, result, NULL, &error);
  if (line != NULL)
    g_strchomp (line);
  if (line == NULL)
    {
      /* The end of its output (or an unreadable pipe): wait for it. */
      if (error != NULL)
        g_debug ("Cannot read the image builder's output: %s", error->message);
      g_subprocess_wait_async (build->process, NULL, wait_cb, g_steal_pointer (&task));
      return;
    }

  text = g_str_has_prefix (line, BUILDER_NAME ": ") ? line + strlen (BUILDER_NAME ": ") : line;
  if (g_str_has_prefix (text, "error: "))
    {
      g_free (build->error_line);
      build->error_line = g_strdup (text + strlen ("error: "));
    }
  else
    {
      gboolean step = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
        if (g_str_has_prefix (text, steps[i].prefix))
          {
            step = TRUE;
            if (build->progress != NULL && !build->cancelled)
              build->progress (steps[i].fraction, build->progress_data);
            break;
          }
      if (!step && *text != '\0')
        g_string_append_printf (build->messages, "%s%s", build->messages->len > 0 ? "; " : "",
                                text);
    }

  g_data_input_stream_read_line_async (build->output, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       g_steal_pointer (&task));
}

/* The path of the new image @name in @directory: refuses a bad name, a
 * missing repository and an existing image (as @name, or @name.qcow2), as
 * pvm_image_repo_create() does. */
static char *
new_image_path (const char  *directory,
                const char  *name,
                GError     **error)
{
  g_autofree char *stem = NULL;
  g_autofree char *path = NULL;
  g_autofree char *as_given = NULL;
  struct stat st;

  if (!pvm_image_check_name (name, error))
    return NULL;

  if (!g_file_test (directory, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND,
                   "The image repository %s does not exist: create it (mkdir -p %s), or set "
                   "DRIVEREPO to the directory of your images", directory, directory);
      return NULL;
    }

  stem = g_str_has_suffix (name, QCOW2_SUFFIX)
           ? g_strndup (name, strlen (name) - strlen (QCOW2_SUFFIX))
           : g_strdup (name);
  path = g_strdup_printf ("%s/%s" QCOW2_SUFFIX, directory, stem);
  as_given = g_build_filename (directory, name, NULL);
  if (lstat (path, &st) == 0 || lstat (as_given, &st) == 0)
    {
      g_set_error (error, PVM_ERROR, PVM_ERROR_EXISTS,
                   "An image named \"%s\" already exists (%s): choose another name, or "
                   "delete it first", stem, lstat (path, &st) == 0 ? path : as_given);
      return NULL;
    }

  return g_steal_pointer (&path);
}

/**
 * pvm_demo_image_create_async:
 * @repo: the image repository
 * @name: the new image's name (".qcow2" is added when missing), such as
 *   %PVM_DEMO_IMAGE_DEFAULT_NAME
 * @progress: (nullable) (scope call): called on the caller's main context
 *   as the build goes on
 * @progress_data: its data
 * @cancellable: (nullable): a #GCancellable: cancelling stops the builder,
 *   which removes its files, and the task ends once it has exited
 * @callback: called on the thread-default main context of the caller
 * @user_data: its data
 *
 * Builds the demo image with pvm-build-guest (pvm_demo_image_find_builder())
 * into a hidden temporary file of @repo, and renames it to @name when the
 * build succeeded. It needs the Debian packages the builder names when one
 * is missing (linux-image-amd64, busybox-static, syslinux, mtools...): the
 * error then has %PVM_ERROR_MISSING_TOOL and the builder's message, which
 * names the package. An existing image is never replaced.
 */
void
pvm_demo_image_create_async (PvmImageRepo         *repo,
                             const char           *name,
                             PvmImageProgressFunc  progress,
                             gpointer              progress_data,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *builder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *temp = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *base = NULL;
  Build *build;
  int fd;

  g_return_if_fail (PVM_IS_IMAGE_REPO (repo));
  g_return_if_fail (name != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (repo, cancellable, callback, user_data);
  g_task_set_source_tag (task, pvm_demo_image_create_async);

  if (g_task_return_error_if_cancelled (task))
    return;
  if ((path = new_image_path (pvm_image_repo_get_directory (repo), name, &error)) == NULL ||
      (builder = pvm_demo_image_find_builder (&error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Hidden, as pVM's other temporary files: never listed as an image. */
  base = g_path_get_basename (path);
  temp = g_strdup_printf ("%s/.%s.XXXXXX", pvm_image_repo_get_directory (repo), base);
  fd = g_mkstemp_full (temp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, PVM_ERROR,
                               saved_errno == ENOSPC ? PVM_ERROR_NO_SPACE :
                               saved_errno == EACCES || saved_errno == EPERM ||
                               saved_errno == EROFS ? PVM_ERROR_PERMISSION_DENIED
                                                    : PVM_ERROR_FAILED,
                               "Cannot create a file in %s: %s",
                               pvm_image_repo_get_directory (repo), g_strerror (saved_errno));
      return;
    }
  close (fd);

  build = g_new0 (Build, 1);
  build->path = g_steal_pointer (&path);
  build->temp = g_steal_pointer (&temp);
  build->messages = g_string_new (NULL);
  build->progress = progress;
  build->progress_data = progress_data;
  g_task_set_task_data (task, build, (GDestroyNotify) build_free);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, builder_child_setup, NULL, NULL);
  build->process = g_subprocess_launcher_spawn (launcher, &error,
                                                builder, "--output", build->temp, NULL);
  if (build->process == NULL)
    {
      discard (build);
      g_prefix_error (&error, "Cannot run the image builder %s: ", builder);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_debug ("Building the demo image %s with %s", build->path, builder);

  build->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (build->process));
  g_data_input_stream_set_newline_type (build->output, G_DATA_STREAM_NEWLINE_TYPE_LF);

  if (cancellable != NULL)
    build->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                 task, NULL);

  g_data_input_stream_read_line_async (build->output, G_PRIORITY_DEFAULT, NULL, read_line_cb,
                                       g_steal_pointer (&task));
}

/**
 * pvm_demo_image_create_finish:
 * @repo: the image repository
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the new image, or %NULL with
 *   %G_IO_ERROR_CANCELLED, %PVM_ERROR_EXISTS, %PVM_ERROR_MISSING_TOOL...
 */
PvmImage *
pvm_demo_image_create_finish (PvmImageRepo  *repo,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (PVM_IS_IMAGE_REPO (repo), NULL);
  g_return_val_if_fail (g_task_is_valid (result, repo), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pvm_demo_image_create_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
