/* SPDX-License-Identifier: BSD-3-Clause */
/* test-squash-repo.c: PvmSquashRepo on temporary repositories, with real
 * mksquashfs and unsquashfs. Listings are compared with what
 * "unsquashfs -s" says and with the source trees; every refusal, failure
 * and cancellation must leave the repository exactly as it was.
 *
 * meson runs it twice: directly, and through the harness as an
 * unprivileged user, where the permission cases exist (they are only
 * registered when not running as root, where permissions do not apply). */

#define G_LOG_DOMAIN "test-squash-repo"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

typedef struct
{
  /* Owned */
  char          *root;    /* the test's temporary directory, removed at the end */
  char          *dir;     /* root/repo */
  char          *source;  /* root/source */
  PvmSquashRepo *repo;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("pvm-test-squash-repo-XXXXXX", &error);

  g_assert_no_error (error);
  f->root = realpath (tmp, NULL);
  g_assert_nonnull (f->root);
  f->dir = g_build_filename (f->root, "repo", NULL);
  f->source = g_build_filename (f->root, "source", NULL);
  g_assert_cmpint (g_mkdir (f->dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->source, 0755), ==, 0);
  f->repo = pvm_squash_repo_new (f->dir);
}

static void
make_writable (const char *path)
{
  struct stat st;

  if (lstat (path, &st) == 0 && !S_ISLNK (st.st_mode))
    g_chmod (path, S_ISDIR (st.st_mode) ? 0755 : 0644);
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          make_writable (child);
        }
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* A task's worker thread may drop its reference (to the task, and so to
   * the repository) just after the callback ran. */
  while (g_atomic_int_get (&G_OBJECT (f->repo)->ref_count) > 1)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_finalize_object (f->repo);
  /* Tests make files and directories unreadable. */
  make_writable (f->root);
  pvm_test_remove_tree (f->root);
  g_free (f->source);
  g_free (f->dir);
  g_free (f->root);
}

static void
write_file (const char *path,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
}

/* @size bytes from /dev/urandom: what no compressor shrinks. */
static void
write_random (const char *path,
              guint64     size)
{
  g_autofree char *buffer = g_malloc (MIB);
  FILE *in = fopen ("/dev/urandom", "rb");
  FILE *out = fopen (path, "wb");

  g_assert_nonnull (in);
  g_assert_nonnull (out);
  for (guint64 done = 0; done < size; done += MIB)
    {
      size_t n = (size_t) MIN (MIB, size - done);

      g_assert_cmpuint (fread (buffer, 1, n, in), ==, n);
      g_assert_cmpuint (fwrite (buffer, 1, n, out), ==, n);
    }
  fclose (in);
  g_assert_cmpint (fclose (out), ==, 0);
}

/* A small tree: text that compresses, a subdirectory, a symlink, an
 * empty file, a name with spaces. */
static void
make_small_tree (const char *dir)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *sub = g_build_filename (dir, "sub dir", NULL);
  g_autofree char *a = g_build_filename (dir, "a.txt", NULL);
  g_autofree char *b = g_build_filename (sub, "b été.txt", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "line %u of some compressible text\n", i);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  write_file (a, text->str, (gssize) text->len);
  write_file (b, text->str, (gssize) text->len / 3);
  write_file (empty, "", 0);
  g_assert_cmpint (symlink ("a.txt", link), ==, 0);
}

/* The regular files under @dir and their total size. */
static void
tree_stats (const char *dir,
            guint64    *files,
            guint64    *bytes)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;

      g_assert_cmpint (lstat (path, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        tree_stats (path, files, bytes);
      else if (S_ISREG (st.st_mode))
        {
          *files += 1;
          *bytes += (guint64) st.st_size;
        }
    }
}

/* The value of "KEY VALUE" in "unsquashfs -s" output. */
static char *
superblock_value (const char *summary,
                  const char *key)
{
  g_auto(GStrv) lines = g_strsplit (summary, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], key) && lines[i][strlen (key)] == ' ')
      return g_strdup (lines[i] + strlen (key) + 1);
  g_error ("No \"%s\" in unsquashfs -s output:\n%s", key, summary);
  return NULL;
}

static void
assert_matches_unsquashfs (PvmSquashArchive *archive)
{
  const char * const argv[] = { "unsquashfs", "-s", archive->path, NULL };
  g_autofree char *summary = pvm_test_run_tool (NULL, argv);
  g_autofree char *compression = superblock_value (summary, "Compression");
  g_autofree char *block_size = superblock_value (summary, "Block size");
  g_autofree char *inodes = superblock_value (summary, "Number of inodes");
  struct stat st;

  g_assert_true (archive->usable);
  g_assert_null (archive->problem);
  g_assert_cmpstr (archive->compressor, ==, compression);
  g_assert_cmpuint (archive->block_size, ==, g_ascii_strtoull (block_size, NULL, 10));
  g_assert_cmpuint (archive->inodes, ==, g_ascii_strtoull (inodes, NULL, 10));
  g_assert_cmpint (stat (archive->path, &st), ==, 0);
  g_assert_cmpuint (archive->archive_size, ==, (guint64) st.st_size);
  g_assert_cmpuint (archive->bytes_used, <=, archive->archive_size);
}

static PvmSquashArchive *
create (Fixture             *f,
        const char          *source,
        const char          *name,
        PvmSquashCompressor  compressor)
{
  g_autoptr(GError) error = NULL;
  PvmSquashArchive *archive = pvm_squash_repo_create (f->repo, source, name, compressor, NULL,
                                                      NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (archive);
  return archive;
}

static PvmSquashArchive *
find (GPtrArray  *archives,
      const char *name)
{
  for (guint i = 0; i < archives->len; i++)
    {
      PvmSquashArchive *archive = g_ptr_array_index (archives, i);

      if (g_str_equal (archive->name, name))
        return archive;
    }
  g_error ("No archive \"%s\" in the listing", name);
  return NULL;
}

static GPtrArray *
list (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *archives = pvm_squash_repo_list (f->repo, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (archives);
  return archives;
}

/* No hidden file but the statistics caches ".NAME.pvm-stats". */
static void
assert_no_temp_files (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.' && !g_str_has_suffix (name, ".pvm-stats"))
      g_error ("A temporary file was left in the repository: %s", name);
}

/* --- listing ------------------------------------------------------------- */

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(PvmSquashArchive) zstd = NULL;
  g_autoptr(PvmSquashArchive) gzip = NULL;
  g_autoptr(GPtrArray) archives = NULL;
  g_autofree char *hand_made = g_build_filename (f->dir, "hand made.squashfs", NULL);
  g_autofree char *not_squash = g_build_filename (f->dir, "other.sfs", NULL);
  g_autofree char *bad = g_build_filename (f->dir, "bad.sqsh", NULL);
  g_autofree char *hidden = g_build_filename (f->dir, ".hidden.sqsh", NULL);
  guint64 files = 0, bytes = 0;

  make_small_tree (f->source);
  tree_stats (f->source, &files, &bytes);

  zstd = create (f, f->source, "data", PVM_SQUASH_COMPRESSOR_ZSTD);
  gzip = create (f, f->source, "data gzip.sqsh", PVM_SQUASH_COMPRESSOR_GZIP);
  {
    const char * const argv[] = { "mksquashfs", f->source, hand_made, "-comp", "xz",
                                  "-b", "65536", "-quiet", "-no-progress", NULL };

    g_free (pvm_test_run_tool (NULL, argv));
  }
  write_file (not_squash, "not squashfs at all", -1);
  write_file (bad, "not squashfs either, but named so", -1);
  write_file (hidden, "hidden", -1);

  archives = list (f);
  g_assert_cmpuint (archives->len, ==, 4);
  g_assert_cmpstr (((PvmSquashArchive *) archives->pdata[0])->name, ==, "bad");
  g_assert_cmpstr (((PvmSquashArchive *) archives->pdata[1])->name, ==, "data");
  g_assert_cmpstr (((PvmSquashArchive *) archives->pdata[2])->name, ==, "data gzip");
  g_assert_cmpstr (((PvmSquashArchive *) archives->pdata[3])->name, ==, "hand made.squashfs");

  for (guint i = 1; i < 4; i++)
    {
      PvmSquashArchive *archive = archives->pdata[i];

      assert_matches_unsquashfs (archive);
      g_assert_true (archive->has_stats);
      g_assert_cmpuint (archive->files, ==, files);
      g_assert_cmpuint (archive->uncompressed_size, ==, bytes);
      g_assert_cmpfloat (archive->ratio, ==,
                         (double) bytes / (double) archive->archive_size);
    }
  g_assert_cmpstr (find (archives, "data")->compressor, ==, "zstd");
  g_assert_cmpstr (find (archives, "data gzip")->compressor, ==, "gzip");
  g_assert_cmpstr (find (archives, "hand made.squashfs")->compressor, ==, "xz");
  g_assert_cmpuint (find (archives, "hand made.squashfs")->block_size, ==, 65536);
  g_assert_cmpfloat (find (archives, "data")->ratio, >, 3.0);

  /* What create returned is what list says. */
  g_assert_cmpuint (zstd->uncompressed_size, ==, bytes);
  g_assert_cmpuint (zstd->inodes, ==, find (archives, "data")->inodes);

  g_assert_false (find (archives, "bad")->usable);
  g_assert_nonnull (strstr (find (archives, "bad")->problem, "not a SquashFS archive"));
  g_assert_false (find (archives, "bad")->has_stats);

  /* JSON: the fields, and null for what is unknown. */
  {
    g_autoptr(JsonNode) node = pvm_squash_archive_to_json (find (archives, "data"));
    g_autoptr(JsonNode) bad_node = pvm_squash_archive_to_json (find (archives, "bad"));
    JsonObject *object = json_node_get_object (node);

    g_assert_cmpstr (json_object_get_string_member (object, "compressor"), ==, "zstd");
    g_assert_cmpint (json_object_get_int_member (object, "uncompressed_size"), ==,
                     (gint64) bytes);
    g_assert_true (json_object_get_null_member (json_node_get_object (bad_node), "ratio"));
  }
}

static void
test_empty_and_missing (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->root, "missing", NULL);
  g_autoptr(PvmSquashRepo) repo = pvm_squash_repo_new (missing);
  g_autoptr(GPtrArray) archives = list (f);
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (archives->len, ==, 0);

  none = pvm_squash_repo_list (repo, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "mkdir -p"));
  g_clear_error (&error);

  make_small_tree (f->source);
  archive = pvm_squash_repo_create (repo, f->source, "x", PVM_SQUASH_COMPRESSOR_ZSTD, NULL,
                                    NULL, NULL, &error);
  g_assert_null (archive);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

/* --- the cache ----------------------------------------------------------- */

/* Overwrites everything but the superblock of @path with zeros, or puts
 * back @original, keeping the file's size and modification time: the
 * cache's key is unchanged, but no walk of the damaged archive can
 * succeed. */
static void
swap_contents (const char *path,
               const char *original,
               gsize       length)
{
  g_autofree char *contents = g_memdup2 (original, length);
  struct stat st;
  struct timespec times[2] = { { 0, UTIME_OMIT } };

  g_assert_cmpint (stat (path, &st), ==, 0);
  times[1] = st.st_mtim;
  if (original == NULL)
    {
      g_autoptr(GError) error = NULL;

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      memset (contents + 96, 0, length - 96);
    }
  write_file (path, contents, (gssize) length);
  g_assert_cmpint (utimensat (AT_FDCWD, path, times, 0), ==, 0);
}

static void
test_cache (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(PvmSquashArchive) created = NULL;
  g_autoptr(GPtrArray) cached = NULL;
  g_autoptr(GPtrArray) stale = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) cached_again = NULL;
  g_autoptr(GPtrArray) repaired = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = g_build_filename (f->dir, ".data.sqsh.pvm-stats", NULL);
  g_autofree char *original = NULL;
  gsize length;
  guint64 files = 0, bytes = 0;
  struct timespec times[2] = { { 0, UTIME_OMIT }, { 1000000000, 0 } };

  make_small_tree (f->source);
  tree_stats (f->source, &files, &bytes);
  created = create (f, f->source, "data", PVM_SQUASH_COMPRESSOR_LZ4);
  g_file_get_contents (created->path, &original, &length, &error);
  g_assert_no_error (error);

  /* create filled the cache: listing a damaged archive with the same
   * size and time still gives the statistics, so no walk ran. */
  g_assert_true (g_file_test (cache, G_FILE_TEST_IS_REGULAR));
  swap_contents (created->path, NULL, 0);
  cached = list (f);
  g_assert_true (find (cached, "data")->usable);
  g_assert_true (find (cached, "data")->has_stats);
  g_assert_cmpuint (find (cached, "data")->uncompressed_size, ==, bytes);
  g_assert_cmpuint (find (cached, "data")->files, ==, files);

  /* Touched: the cache is stale, the walk runs, and fails. */
  g_assert_cmpint (utimensat (AT_FDCWD, created->path, times, 0), ==, 0);
  stale = list (f);
  g_assert_false (find (stale, "data")->has_stats);
  g_assert_false (find (stale, "data")->usable);
  g_assert_nonnull (strstr (find (stale, "data")->problem, "unsquashfs cannot read"));

  /* Repaired (a new time): recomputed, and the cache rewritten... */
  swap_contents (created->path, original, length);
  g_assert_cmpint (utimensat (AT_FDCWD, created->path, times, 0), ==, 0);
  again = list (f);
  g_assert_true (find (again, "data")->has_stats);
  g_assert_cmpuint (find (again, "data")->uncompressed_size, ==, bytes);
  g_assert_cmpint (find (again, "data")->mtime, ==, 1000000000);

  /* ...which the next listing uses. */
  swap_contents (created->path, NULL, 0);
  cached_again = list (f);
  g_assert_true (find (cached_again, "data")->has_stats);
  g_assert_cmpuint (find (cached_again, "data")->uncompressed_size, ==, bytes);

  /* A damaged cache is ignored, and replaced. */
  swap_contents (created->path, original, length);
  write_file (cache, "[pvm-squash-stats]\nversion=1\nsize=garbage\n", -1);
  repaired = list (f);
  g_assert_cmpuint (find (repaired, "data")->uncompressed_size, ==, bytes);
  {
    g_autofree char *text = NULL;

    g_file_get_contents (cache, &text, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (text, "uncompressed-size="));
  }
}

/* A repository the user cannot write lists all the same, without cache. */
static void
test_cache_read_only_repo (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PvmSquashArchive) created = NULL;
  g_autoptr(GPtrArray) archives = NULL;
  g_autofree char *cache = g_build_filename (f->dir, ".data.sqsh.pvm-stats", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  guint64 files = 0, bytes = 0;

  make_small_tree (f->source);
  tree_stats (f->source, &files, &bytes);
  created = create (f, f->source, "data", PVM_SQUASH_COMPRESSOR_ZSTD);
  g_assert_cmpint (g_unlink (cache), ==, 0);
  g_assert_cmpint (g_chmod (f->dir, 0555), ==, 0);
  before = pvm_test_dir_state (f->dir);

  archives = list (f);
  g_assert_true (find (archives, "data")->has_stats);
  g_assert_cmpuint (find (archives, "data")->uncompressed_size, ==, bytes);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);
}

/* --- create -------------------------------------------------------------- */

typedef struct
{
  GArray           *fractions;
  GCancellable     *cancellable;   /* cancelled at the first report past 0 */
  GMainLoop        *loop;
  PvmSquashArchive *archive;
  GError           *error;
  gboolean          in_main_thread;
  guint64           bytes_total;
  guint64           last_bytes;
} CreateRun;

static void
record_progress_cb (double   fraction,
                    guint64  bytes_done,
                    guint64  bytes_total,
                    gpointer user_data)
{
  CreateRun *run = user_data;

  g_array_append_val (run->fractions, fraction);
  run->bytes_total = bytes_total;
  g_assert_cmpuint (bytes_done, >=, run->last_bytes);
  g_assert_cmpuint (bytes_done, <=, bytes_total);
  run->last_bytes = bytes_done;
  run->in_main_thread &= g_main_context_is_owner (g_main_context_default ());
  if (run->cancellable != NULL && fraction > 0.0)
    g_cancellable_cancel (run->cancellable);
}

static void
create_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CreateRun *run = user_data;

  run->archive = pvm_squash_repo_create_finish (PVM_SQUASH_REPO (object), result, &run->error);
  g_main_loop_quit (run->loop);
}

/* A source that takes xz a second or two: 32 MiB that do not compress. */
static guint64
make_big_source (Fixture *f)
{
  g_autofree char *big = g_build_filename (f->source, "random.bin", NULL);

  make_small_tree (f->source);
  write_random (big, 32 * MIB);
  return 32 * MIB;
}

static void
test_create_progress (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  CreateRun run = { fractions, NULL, loop, NULL, NULL, TRUE, 0, 0 };
  guint64 files = 0, bytes = 0;
  guint intermediate = 0;

  make_big_source (f);
  tree_stats (f->source, &files, &bytes);
  pvm_squash_repo_create_async (f->repo, f->source, "big", PVM_SQUASH_COMPRESSOR_XZ,
                                record_progress_cb, &run, NULL, create_done_cb, &run);
  g_main_loop_run (loop);

  g_assert_no_error (run.error);
  g_assert_nonnull (run.archive);
  g_assert_true (run.in_main_thread);
  g_assert_cmpuint (run.bytes_total, ==, bytes);
  g_assert_cmpuint (run.last_bytes, ==, bytes);

  /* Increasing, from 0 to 1, with real steps in between. */
  g_assert_cmpfloat (g_array_index (fractions, double, 0), ==, 0.0);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
  for (guint i = 1; i < fractions->len; i++)
    {
      double current = g_array_index (fractions, double, i);

      g_assert_cmpfloat (current, >, g_array_index (fractions, double, i - 1));
      intermediate += current > 0.0 && current < 1.0;
    }
  g_test_message ("%u progress reports between 0 and 100%%", intermediate);
  g_assert_cmpuint (intermediate, >=, 3);

  assert_matches_unsquashfs (run.archive);
  g_assert_cmpstr (run.archive->compressor, ==, "xz");
  g_assert_cmpuint (run.archive->uncompressed_size, ==, bytes);
  g_assert_cmpuint (run.archive->files, ==, files);
  pvm_squash_archive_unref (run.archive);
  assert_no_temp_files (f);
}

/* The statistics cached at creation: from the walk of the source when it
 * did not change meanwhile and mksquashfs counted as many files, from
 * unsquashfs otherwise; right either way. */
static void
create_and_check_stats (Fixture    *f,
                        const char *name,
                        const char *expected_source)
{
  g_autofree char *pattern = g_strdup_printf ("The statistics of */%s.sqsh: from %s*", name,
                                              expected_source);
  g_autoptr(PvmSquashArchive) archive = NULL;
  guint64 files = 0, bytes = 0;

  tree_stats (f->source, &files, &bytes);
  g_test_expect_message ("pvm-squash-repo", G_LOG_LEVEL_DEBUG, pattern);
  archive = create (f, f->source, name, PVM_SQUASH_COMPRESSOR_LZ4);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (archive->files, ==, files);
  g_assert_cmpuint (archive->uncompressed_size, ==, bytes);
}

static void
test_create_stats (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *a = g_build_filename (f->source, "a.txt", NULL);
  g_autofree char *hard = g_build_filename (f->source, "sub dir", "hard link", NULL);
  g_autofree char *late = g_build_filename (f->source, "late", NULL);

  make_small_tree (f->source);
  /* Older than the second pVM allows for the file system's coarse clock. */
  g_usleep (G_USEC_PER_SEC * 12 / 10);
  create_and_check_stats (f, "quiet", "the walk");

  /* mksquashfs counts a file with two names once; unsquashfs twice. */
  g_assert_cmpint (link (a, hard), ==, 0);
  g_usleep (G_USEC_PER_SEC * 12 / 10);
  create_and_check_stats (f, "linked", "unsquashfs (mksquashfs counted otherwise)");

  write_file (late, "written just now", -1);
  create_and_check_stats (f, "changed", "unsquashfs (the source changed meanwhile)");
  assert_no_temp_files (f);
}

/* Cancelled at its first progress report: mksquashfs is killed, nothing is
 * left; cancelled before it starts: the same. */
static void
test_create_cancelled (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PvmSquashArchive) other = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CreateRun run = { fractions, cancellable, loop, NULL, NULL, TRUE, 0, 0 };

  make_big_source (f);
  {
    g_autofree char *small = g_build_filename (f->root, "small", NULL);

    g_assert_cmpint (g_mkdir (small, 0755), ==, 0);
    make_small_tree (small);
    other = create (f, small, "other", PVM_SQUASH_COMPRESSOR_ZSTD);
  }
  before = pvm_test_dir_state (f->dir);

  pvm_squash_repo_create_async (f->repo, f->source, "big", PVM_SQUASH_COMPRESSOR_XZ,
                                record_progress_cb, &run, cancellable, create_done_cb, &run);
  g_main_loop_run (loop);

  g_assert_null (run.archive);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.error);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), <, 1.0);
  assert_no_temp_files (f);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);

  pvm_squash_repo_create_async (f->repo, f->source, "big", PVM_SQUASH_COMPRESSOR_XZ, NULL,
                                NULL, cancellable, create_done_cb, &run);
  g_main_loop_run (loop);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.error);
  g_free (after);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

/* An existing archive is never replaced nor appended to, whichever name
 * reaches it. */
static void
test_create_exists (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char * const names[] = { "data", "data.sqsh", NULL };

  make_small_tree (f->source);
  archive = create (f, f->source, "data", PVM_SQUASH_COMPRESSOR_ZSTD);
  before = pvm_test_dir_state (f->dir);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PvmSquashArchive) again = NULL;

      again = pvm_squash_repo_create (f->repo, f->source, names[i], PVM_SQUASH_COMPRESSOR_GZIP,
                                      NULL, NULL, NULL, &error);
      g_assert_null (again);
      g_assert_error (error, PVM_ERROR, PVM_ERROR_EXISTS);
      g_assert_nonnull (strstr (error->message, "already exists"));
    }
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  const char * const bad[] = { "", ".", "..", "../x", "a/b", ".hidden", "-x", "new\nline",
                               "tab\there", ".sqsh", NULL };
  const char * const good[] = { "with space", "quote's \"double\"", "日本語 données",
                                "x.squashfs", NULL };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) archives = NULL;

  make_small_tree (f->source);
  before = pvm_test_dir_state (f->dir);
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PvmSquashArchive) archive = NULL;

      g_assert_false (pvm_squash_check_name (bad[i], NULL));
      archive = pvm_squash_repo_create (f->repo, f->source, bad[i], PVM_SQUASH_COMPRESSOR_LZ4,
                                        NULL, NULL, NULL, &error);
      g_assert_null (archive);
      g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_NAME);
      g_assert_true (g_str_has_prefix (error->message, "Invalid archive name"));
    }
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autoptr(PvmSquashArchive) archive = create (f, f->source, good[i],
                                                    PVM_SQUASH_COMPRESSOR_LZ4);
      g_autoptr(PvmSquashArchive) info = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *file_name = g_strconcat (good[i], ".sqsh", NULL);
      g_autofree char *path = g_build_filename (f->dir, file_name, NULL);

      g_assert_cmpstr (archive->name, ==, good[i]);
      g_assert_cmpstr (archive->path, ==, path);
      info = pvm_squash_repo_info (f->repo, good[i], NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (info->path, ==, path);
    }
  archives = list (f);
  g_assert_cmpuint (archives->len, ==, g_strv_length ((char **) good));
}

static void
test_info_and_delete (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(PvmSquashArchive) archive = NULL;
  g_autoptr(PvmSquashArchive) info = NULL;
  g_autoptr(PvmSquashArchive) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) archives = NULL;
  g_autofree char *cache = g_build_filename (f->dir, ".data.sqsh.pvm-stats", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  make_small_tree (f->source);
  archive = create (f, f->source, "data", PVM_SQUASH_COMPRESSOR_ZSTD);
  kept = create (f, f->source, "kept", PVM_SQUASH_COMPRESSOR_ZSTD);

  info = pvm_squash_repo_info (f->repo, "data.sqsh", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->path, ==, archive->path);
  g_assert_cmpuint (info->uncompressed_size, ==, archive->uncompressed_size);

  before = pvm_test_dir_state (f->dir);
  for (guint i = 0; i < 4; i++)
    {
      const char *names[] = { "missing", "../repo/data", ".data.sqsh.pvm-stats", "" };

      g_assert_false (pvm_squash_repo_delete (f->repo, names[i], &error));
      g_assert_true (error->domain == PVM_ERROR);
      g_assert_true (error->code == PVM_ERROR_NOT_FOUND || error->code == PVM_ERROR_INVALID_NAME);
      g_clear_error (&error);
    }
  g_assert_null (pvm_squash_repo_info (f->repo, "missing", NULL, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_clear_error (&error);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);

  g_assert_true (pvm_squash_repo_delete (f->repo, "data", &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (archive->path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (cache, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept->path, G_FILE_TEST_EXISTS));
  archives = list (f);
  g_assert_cmpuint (archives->len, ==, 1);
}

static void
test_missing_source (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->root, "missing", NULL);
  g_autofree char *file = g_build_filename (f->root, "file", NULL);
  g_autofree char *before = pvm_test_dir_state (f->dir);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (pvm_squash_repo_create (f->repo, missing, "x", PVM_SQUASH_COMPRESSOR_ZSTD,
                                         NULL, NULL, NULL, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  write_file (file, "x", -1);
  g_assert_null (pvm_squash_repo_create (f->repo, file, "x", PVM_SQUASH_COMPRESSOR_ZSTD,
                                         NULL, NULL, NULL, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "not a directory"));
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

/* A full disk, simulated: the archive may not grow past 1 MiB
 * (RLIMIT_FSIZE, inherited by mksquashfs, with SIGXFSZ ignored), so its
 * writes fail with EFBIG as they would with ENOSPC on a full file system.
 * Mounting a small file system needs root, which this test does not
 * have in its unprivileged run. */
static void
test_create_too_large (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *big = g_build_filename (f->source, "random.bin", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PvmSquashArchive) archive = NULL;
  PvmTestFileLimit limit;

  write_random (big, 4 * MIB);
  before = pvm_test_dir_state (f->dir);

  pvm_test_limit_file_size (&limit, MIB);
  archive = pvm_squash_repo_create (f->repo, f->source, "big", PVM_SQUASH_COMPRESSOR_ZSTD,
                                    NULL, NULL, NULL, &error);
  pvm_test_unlimit_file_size (&limit);

  g_assert_null (archive);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NO_SPACE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "File too large"));
  g_assert_nonnull (strstr (error->message, f->dir));
  assert_no_temp_files (f);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

/* As the unprivileged user: an unreadable file or directory in the source
 * is an error naming it (mksquashfs alone would leave it out). */
static void
test_create_unreadable (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *secret = g_build_filename (f->source, "sub dir", "secret", NULL);
  g_autofree char *closed = g_build_filename (f->source, "closed", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (geteuid (), !=, 0);
  make_small_tree (f->source);
  write_file (secret, "secret", -1);
  g_assert_cmpint (g_chmod (secret, 0), ==, 0);
  before = pvm_test_dir_state (f->dir);

  g_assert_null (pvm_squash_repo_create (f->repo, f->source, "x", PVM_SQUASH_COMPRESSOR_ZSTD,
                                         NULL, NULL, NULL, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, secret));
  g_clear_error (&error);

  g_assert_cmpint (g_chmod (secret, 0644), ==, 0);
  g_assert_cmpint (g_mkdir (closed, 0), ==, 0);
  g_assert_null (pvm_squash_repo_create (f->repo, f->source, "x", PVM_SQUASH_COMPRESSOR_ZSTD,
                                         NULL, NULL, NULL, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, closed));

  assert_no_temp_files (f);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/squash-repo/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("list/matches-unsquashfs", test_list);
  ADD ("list/empty-and-missing", test_empty_and_missing);
  ADD ("cache/used-and-invalidated", test_cache);
  ADD ("create/progress", test_create_progress);
  ADD ("create/cancelled", test_create_cancelled);
  ADD ("create/statistics", test_create_stats);
  ADD ("create/exists", test_create_exists);
  ADD ("create/missing-source", test_missing_source);
  ADD ("create/too-large", test_create_too_large);
  ADD ("names", test_names);
  ADD ("info-and-delete", test_info_and_delete);
  /* Permissions do not apply to root: these run in the unprivileged
   * (integration) run only. */
  if (geteuid () != 0)
    {
      ADD ("cache/read-only-repo", test_cache_read_only_repo);
      ADD ("create/unreadable-source", test_create_unreadable);
    }

#undef ADD

  return g_test_run ();
}
