/* SPDX-License-Identifier: BSD-3-Clause */
/* test-image-repo.c: PvmImageRepo on temporary repositories, with real
 * qemu-img (and qemu-io to put data in images). Listings are compared
 * field by field with what "qemu-img info" says; every refusal must leave
 * the repository exactly as it was (names, modes, sizes, times, content).
 *
 * meson runs it twice: directly, and through the harness as an
 * unprivileged user, where the permission cases mean something. */

#define G_LOG_DOMAIN "test-image-repo"

#include "config.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

typedef struct
{
  /* Owned */
  char         *root;    /* the test's temporary directory, removed at the end */
  char         *dir;     /* root/repo */
  PvmImageRepo *repo;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("pvm-test-image-repo-XXXXXX", &error);

  g_assert_no_error (error);
  f->root = realpath (tmp, NULL);
  g_assert_nonnull (f->root);
  f->dir = g_build_filename (f->root, "repo", NULL);
  g_assert_cmpint (g_mkdir (f->dir, 0755), ==, 0);
  f->repo = pvm_image_repo_new (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->repo);
  /* Tests make files read-only; their directories stay writable. */
  pvm_test_remove_tree (f->root);
  g_free (f->dir);
  g_free (f->root);
}

static char *
repo_path (Fixture    *f,
           const char *file_name)
{
  return g_build_filename (f->dir, file_name, NULL);
}

/* "@" in @text is the repository's directory. */
static char *
expand (Fixture    *f,
        const char *text)
{
  g_autoptr(GString) result = g_string_new (text);

  g_string_replace (result, "@", f->dir, 0);
  return g_string_free (g_steal_pointer (&result), FALSE);
}

G_GNUC_NULL_TERMINATED
static char *
run (const char *cwd,
     const char *first_arg,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list args;

  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  return pvm_test_run_tool (cwd, (const char * const *) argv->pdata);
}

/* A qcow2 image made by hand, not through the repository: @file_name in
 * the repository, with @backing stored as given. */
static void
hand_made (Fixture    *f,
           const char *file_name,
           const char *backing,
           const char *size)
{
  if (backing == NULL)
    g_free (run (f->dir, "qemu-img", "create", "-q", "-f", "qcow2", file_name, size, NULL));
  else
    g_free (run (f->dir, "qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", backing,
                 "-F", "qcow2", file_name, size, NULL));
}

/* Writes @length bytes of @pattern at @offset of the image @path, as a
 * guest would. */
static void
write_pattern (const char *path,
               guint       pattern,
               const char *offset,
               const char *length)
{
  g_autofree char *command = g_strdup_printf ("write -P 0x%02x %s %s", pattern, offset, length);

  g_free (run (NULL, "qemu-io", "-f", "qcow2", "-c", command, path, NULL));
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* No hidden (temporary) file is left in the repository. */
static void
assert_no_temp_files (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, &error);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      g_error ("A temporary file was left in the repository: %s", name);
}

static PvmImage *
find (GPtrArray  *images,
      const char *name)
{
  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      if (g_str_equal (image->name, name))
        return image;
    }
  g_error ("No image \"%s\" in the listing", name);
  return NULL;
}

static void
assert_strv (const char * const *got,
             const char * const *expected)
{
  g_autofree char *got_text = g_strjoinv ("|", (char **) got);
  g_autofree char *expected_text = g_strjoinv ("|", (char **) expected);

  g_assert_cmpstr (got_text, ==, expected_text);
}

static const char *
nullable_member (JsonObject *object,
                 const char *member)
{
  return json_object_has_member (object, member)
         ? json_object_get_string_member (object, member) : NULL;
}

static PvmImage *
create (Fixture    *f,
        const char *name,
        guint64     size)
{
  g_autoptr(GError) error = NULL;
  PvmImage *image = pvm_image_repo_create (f->repo, name, size, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (image);
  return image;
}

static PvmImage *
snapshot (Fixture     *f,
          const char  *base,
          const char  *name,
          char       **message)
{
  g_autoptr(GError) error = NULL;
  PvmImage *image = pvm_image_repo_snapshot (f->repo, base, name, message, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (image);
  return image;
}

/* --- listing ------------------------------------------------------------- */

/* Images made by hand with qemu-img: a chain three deep with relative
 * names, an absolute name, a base outside the repository, a qcow2 image
 * named .img, a version 2 image, a raw file named .qcow2, a broken chain,
 * and files that are no images. */
static void
test_list_hand_made (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const qcow2_images[] = {
    "base", "mid", "top", "absolute", "outside", "hand.img", "old", "broken",
  };
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *other = g_build_filename (f->root, "other", NULL);
  g_autofree char *outside_base = g_build_filename (other, "outside-base.qcow2", NULL);
  g_autofree char *base_path = repo_path (f, "base.qcow2");
  g_autofree char *mid_path = repo_path (f, "mid.qcow2");
  g_autofree char *gone = repo_path (f, "gone.qcow2");
  g_autofree char *notes = repo_path (f, "notes.txt");
  g_autofree char *hidden = repo_path (f, ".hidden.qcow2");
  g_autofree char *subdir = repo_path (f, "dir.qcow2");
  PvmImage *image;

  g_assert_cmpint (g_mkdir (other, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  hand_made (f, "base.qcow2", NULL, "64M");
  write_pattern (base_path, 0xab, "0", "4M");
  hand_made (f, "mid.qcow2", "base.qcow2", "64M");
  write_pattern (mid_path, 0xcd, "1M", "1M");
  hand_made (f, "top.qcow2", "mid.qcow2", "64M");
  hand_made (f, "absolute.qcow2", base_path, "64M");
  g_free (run (other, "qemu-img", "create", "-q", "-f", "qcow2", "outside-base.qcow2", "32M",
               NULL));
  hand_made (f, "outside.qcow2", "../other/outside-base.qcow2", "32M");
  hand_made (f, "hand.img", NULL, "1G");
  g_free (run (f->dir, "qemu-img", "create", "-q", "-f", "qcow2", "-o", "compat=0.10",
               "old.qcow2", "1G", NULL));
  g_free (run (f->dir, "qemu-img", "create", "-q", "-f", "raw", "raw.qcow2", "3M", NULL));
  hand_made (f, "broken.qcow2", "gone.qcow2", "64M");
  hand_made (f, ".hidden.qcow2", "base.qcow2", "64M");
  g_file_set_contents (notes, "not an image\n", -1, &error);
  g_assert_no_error (error);

  images = pvm_image_repo_list (f->repo, &error);
  g_assert_no_error (error);

  /* Sorted by name; the hidden image, the text file and the directory are
   * not images of the repository. */
  {
    static const char * const names[] = {
      "absolute", "base", "broken", "hand.img", "mid", "old", "outside", "raw", "top",
    };

    g_assert_cmpuint (images->len, ==, G_N_ELEMENTS (names));
    for (guint i = 0; i < images->len; i++)
      g_assert_cmpstr (((PvmImage *) g_ptr_array_index (images, i))->name, ==, names[i]);
  }

  /* What qemu-img says, field by field. */
  for (guint i = 0; i < G_N_ELEMENTS (qcow2_images); i++)
    {
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *out = NULL;
      JsonObject *info;
      struct stat st;

      image = find (images, qcow2_images[i]);
      out = run (NULL, "qemu-img", "info", "--output=json", image->path, NULL);
      node = parse_json (out);
      info = json_node_get_object (node);

      g_test_message ("%s", image->path);
      g_assert_cmpstr (pvm_image_format_to_string (image->format), ==,
                       json_object_get_string_member (info, "format"));
      g_assert_cmpint ((gint64) image->virtual_size, ==,
                       json_object_get_int_member (info, "virtual-size"));
      g_assert_cmpint ((gint64) image->disk_usage, ==,
                       json_object_get_int_member (info, "actual-size"));
      g_assert_cmpint (stat (image->path, &st), ==, 0);
      g_assert_cmpint ((gint64) image->disk_usage, ==, (gint64) st.st_blocks * 512);
      g_assert_cmpstr (image->backing_file, ==, nullable_member (info, "backing-filename"));
      g_assert_cmpstr (image->backing_path, ==, nullable_member (info, "full-backing-filename"));
      g_assert_cmpstr (image->backing_format, ==,
                       nullable_member (info, "backing-filename-format"));
      g_assert_null (image->used_by);
      g_assert_false (image->read_only);

      /* The chain as qemu-img follows it, where it can. */
      if (image->broken_path == NULL)
        {
          g_autoptr(JsonNode) chain_node = NULL;
          g_autofree char *chain_out = NULL;
          JsonArray *chain;

          chain_out = run (NULL, "qemu-img", "info", "--backing-chain", "--output=json",
                           image->path, NULL);
          chain_node = parse_json (chain_out);
          chain = json_node_get_array (chain_node);
          g_assert_cmpuint (g_strv_length (image->chain) + 1, ==, json_array_get_length (chain));
          for (guint j = 0; image->chain[j] != NULL; j++)
            g_assert_cmpstr (image->chain[j], ==,
                             json_object_get_string_member (
                               json_array_get_object_element (chain, j + 1), "filename"));
          g_assert_true (image->usable);
          g_assert_null (image->problem);
        }
    }

  /* The chain three deep, and who depends on whom. */
  image = find (images, "top");
  {
    const char * const chain[] = { mid_path, base_path, NULL };

    assert_strv ((const char * const *) image->chain, chain);
  }
  g_assert_false (image->is_protected);
  image = find (images, "mid");
  {
    const char * const overlays[] = { "top", NULL };

    assert_strv ((const char * const *) image->overlays, overlays);
  }
  g_assert_true (image->is_protected);
  image = find (images, "base");
  {
    const char * const overlays[] = { "absolute", "mid", NULL };

    assert_strv ((const char * const *) image->overlays, overlays);
  }
  g_assert_true (image->is_protected);
  g_assert_cmpuint (g_strv_length (image->chain), ==, 0);

  /* A base outside the repository is in the chain; it has no entry. */
  image = find (images, "outside");
  {
    g_autofree char *expected = g_build_filename (f->dir, "..", "other", "outside-base.qcow2",
                                                  NULL);

    g_assert_cmpstr (image->chain[0], ==, expected);
  }
  g_assert_true (image->usable);

  /* The broken chain names the file it expects. */
  image = find (images, "broken");
  g_assert_cmpstr (image->broken_path, ==, gone);
  g_assert_false (image->usable);
  g_assert_nonnull (strstr (image->problem, gone));
  {
    const char * const chain[] = { gone, NULL };

    assert_strv ((const char * const *) image->chain, chain);
  }

  /* A raw file named .qcow2 is listed, as qemu-img sees it, not usable. */
  image = find (images, "raw");
  g_assert_cmpint (image->format, ==, PVM_IMAGE_FORMAT_RAW);
  g_assert_cmpuint (image->virtual_size, ==, 3 * MIB);
  g_assert_false (image->usable);
  g_assert_nonnull (strstr (image->problem, "not a qcow2 image"));

  /* The JSON has every field. */
  {
    g_autoptr(JsonNode) node = pvm_image_to_json (find (images, "broken"));
    JsonObject *object = json_node_get_object (node);

    g_assert_cmpuint (json_object_get_size (object), ==, 17);
    g_assert_true (json_object_get_boolean_member (object, "broken"));
    g_assert_cmpstr (json_object_get_string_member (object, "broken_path"), ==, gone);
    g_assert_true (json_object_get_null_member (object, "used_by"));
  }
}

/* A base missing in the middle of a chain, and a moved base: the images
 * above them are broken, with the path they expect. */
static void
test_broken_chain (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PvmImage) top = NULL;
  g_autoptr(PvmImage) moved = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_path = repo_path (f, "base.qcow2");
  g_autofree char *elsewhere = g_build_filename (f->root, "elsewhere", NULL);
  g_autofree char *far_base = g_build_filename (elsewhere, "far.qcow2", NULL);
  g_autofree char *moved_dir = g_build_filename (f->root, "moved", NULL);

  hand_made (f, "base.qcow2", NULL, "16M");
  hand_made (f, "mid.qcow2", "base.qcow2", "16M");
  hand_made (f, "top.qcow2", "mid.qcow2", "16M");
  g_assert_cmpint (g_unlink (base_path), ==, 0);

  top = pvm_image_repo_info (f->repo, "top", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (top->broken_path, ==, base_path);
  g_assert_cmpuint (g_strv_length (top->chain), ==, 2);
  g_assert_cmpstr (top->chain[1], ==, base_path);
  g_assert_false (top->usable);

  /* An absolute backing name, and its directory renamed. */
  g_assert_cmpint (g_mkdir (elsewhere, 0755), ==, 0);
  g_free (run (elsewhere, "qemu-img", "create", "-q", "-f", "qcow2", "far.qcow2", "16M", NULL));
  hand_made (f, "near.qcow2", far_base, "16M");
  g_assert_cmpint (g_rename (elsewhere, moved_dir), ==, 0);
  moved = pvm_image_repo_info (f->repo, "near", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (moved->broken_path, ==, far_base);
  g_assert_cmpstr (moved->backing_file, ==, far_base);
}

/* --- names --------------------------------------------------------------- */

static const char * const bad_names[] = {
  "", "/", "a/b", "../x", ".", "..", ".qcow2", "-rf", "--help", ".hidden", "tab\there",
  "new\nline", "bell\a", "\xff\xfe", "caf\xc3",
};

static void
test_bad_names (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *before = pvm_test_dir_state (f->dir);
  g_autofree char *too_long = g_strnfill (241, 'x');
  g_autoptr(PvmImage) base = create (f, "base", MIB);
  g_autofree char *with_base = pvm_test_dir_state (f->dir);

  for (guint i = 0; i <= G_N_ELEMENTS (bad_names); i++)
    {
      const char *name = i < G_N_ELEMENTS (bad_names) ? bad_names[i] : too_long;
      g_autoptr(GError) create_error = NULL;
      g_autoptr(GError) snapshot_error = NULL;
      g_autoptr(GError) check_error = NULL;
      g_autoptr(PvmImage) created = NULL;
      g_autoptr(PvmImage) overlay = NULL;
      g_autofree char *after = NULL;
      g_autofree char *escaped = g_strescape (name, NULL);

      g_test_message ("name \"%s\"", escaped);
      g_assert_false (pvm_image_check_name (name, &check_error));
      g_assert_error (check_error, PVM_ERROR, PVM_ERROR_INVALID_NAME);
      g_assert_true (g_str_has_prefix (check_error->message, "Invalid image name"));

      created = pvm_image_repo_create (f->repo, name, MIB, NULL, &create_error);
      g_assert_null (created);
      g_assert_error (create_error, PVM_ERROR, PVM_ERROR_INVALID_NAME);

      overlay = pvm_image_repo_snapshot (f->repo, "base", name, NULL, NULL, &snapshot_error);
      g_assert_null (overlay);
      g_assert_error (snapshot_error, PVM_ERROR, PVM_ERROR_INVALID_NAME);

      after = pvm_test_dir_state (f->dir);
      g_assert_cmpstr (after, ==, with_base);
    }

  g_assert_cmpstr (before, !=, with_base);
}

/* Spaces, quotes, non-ASCII letters, a colon (which QEMU would read as a
 * protocol), and the longest name work, as bases and as overlays. */
static void
test_good_names (Fixture       *f,
                 gconstpointer  data)
{
  static const struct
  {
    const char *given;
    const char *name;
  } names[] = {
    { "my image", "my image" },
    { "it's \"quoted\"", "it's \"quoted\"" },
    { "Ωmega ünïcode 日本", "Ωmega ünïcode 日本" },
    { "with.qcow2", "with" },
    { "a..b", "a..b" },
    { "a:b", "a:b" },
    { "semi;colon $(x) `y` *", "semi;colon $(x) `y` *" },
  };
  g_autofree char *longest = g_strnfill (240, 'y');

  for (guint i = 0; i <= G_N_ELEMENTS (names); i++)
    {
      const char *given = i < G_N_ELEMENTS (names) ? names[i].given : longest;
      const char *name = i < G_N_ELEMENTS (names) ? names[i].name : longest;
      g_autofree char *overlay_name = g_strconcat (name, " (overlay)", NULL);
      g_autofree char *file_name = g_strconcat (name, ".qcow2", NULL);
      g_autofree char *path = repo_path (f, file_name);
      g_autoptr(PvmImage) image = NULL;
      g_autoptr(PvmImage) overlay = NULL;
      g_autoptr(PvmImage) again = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("name \"%s\"", given);
      g_assert_true (pvm_image_check_name (given, NULL));
      image = create (f, given, 16 * MIB);
      g_assert_cmpstr (image->name, ==, name);
      g_assert_cmpstr (image->path, ==, path);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

      again = pvm_image_repo_info (f->repo, name, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (again->path, ==, path);

      if (i == G_N_ELEMENTS (names))
        continue;    /* no room for " (overlay)" */
      overlay = snapshot (f, name, overlay_name, NULL);
      /* "a:b" is stored as "./a:b.qcow2", which QEMU joins as it is. */
      {
        g_autofree char *canonical = g_canonicalize_filename (overlay->chain[0], NULL);

        g_assert_cmpstr (canonical, ==, path);
      }
      g_assert_null (overlay->broken_path);
      g_assert_true (overlay->usable);
      /* QEMU agrees. */
      {
        g_autofree char *out = run (NULL, "qemu-img", "info", "--output=json", "--backing-chain",
                                    overlay->path, NULL);
        g_autoptr(JsonNode) node = parse_json (out);
        JsonArray *chain = json_node_get_array (node);

        g_assert_cmpuint (json_array_get_length (chain), ==, 2);
      }
    }
}

/* --- snapshot, create, delete -------------------------------------------- */

static void
test_snapshot_protects_base (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(PvmImage) base = create (f, "base", 64 * MIB);
  g_autoptr(PvmImage) first = NULL;
  g_autoptr(PvmImage) second = NULL;
  g_autoptr(PvmImage) third = NULL;
  g_autoptr(PvmImage) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *second_message = NULL;
  g_autofree char *moved = g_build_filename (f->root, "moved", NULL);
  g_autoptr(PvmImageRepo) moved_repo = NULL;
  struct stat st;

  g_assert_cmpint (stat (base->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0222, !=, 0);
  g_assert_false (base->read_only);

  first = snapshot (f, "base", "first", &message);
  g_assert_cmpstr (first->backing_file, ==, "base.qcow2");    /* relative */
  g_assert_cmpstr (first->backing_format, ==, "qcow2");
  g_assert_cmpstr (first->backing_path, ==, base->path);
  g_assert_cmpuint (first->virtual_size, ==, 64 * MIB);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "read-only"));

  /* chmod a-w */
  g_assert_cmpint (stat (base->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0222, ==, 0);
  g_assert_cmpint (st.st_mode & 0444, ==, 0444);

  /* Not the first overlay: nothing more to say. */
  second = snapshot (f, "base.qcow2", "second", &second_message);
  g_assert_null (second_message);

  /* Three deep. */
  third = snapshot (f, "first", "third", NULL);
  g_assert_cmpuint (g_strv_length (third->chain), ==, 2);

  listed = pvm_image_repo_info (f->repo, "base", &error);
  g_assert_no_error (error);
  g_assert_true (listed->is_protected);
  g_assert_true (listed->read_only);
  {
    const char * const overlays[] = { "first", "second", NULL };

    assert_strv ((const char * const *) listed->overlays, overlays);
  }

  /* Relative names: the repository can be moved as a whole. */
  g_assert_cmpint (g_rename (f->dir, moved), ==, 0);
  moved_repo = pvm_image_repo_new (moved);
  {
    g_autoptr(PvmImage) moved_third = pvm_image_repo_info (moved_repo, "third", &error);

    g_assert_no_error (error);
    g_assert_null (moved_third->broken_path);
    g_assert_true (moved_third->usable);
    g_assert_true (g_str_has_prefix (moved_third->chain[1], moved));
  }
  g_assert_cmpint (g_rename (moved, f->dir), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&moved_repo));
}

static void
test_delete_overlay_leaves_base (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(PvmImage) base = create (f, "base", 16 * MIB);
  g_autoptr(PvmImage) one = NULL;
  g_autoptr(PvmImage) two = NULL;
  g_autoptr(PvmImage) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_sum = NULL;
  g_autofree char *message = NULL;
  g_autofree char *last_message = NULL;
  struct stat before, st;

  write_pattern (base->path, 0x5a, "0", "2M");
  one = snapshot (f, "base", "one", NULL);
  two = snapshot (f, "base", "two", NULL);
  base_sum = pvm_test_checksum_file (base->path);
  g_assert_cmpint (stat (base->path, &before), ==, 0);

  /* The base keeps another overlay: no note. */
  g_assert_true (pvm_image_repo_delete (f->repo, "one", &message, &error));
  g_assert_no_error (error);
  g_assert_null (message);
  g_assert_false (g_file_test (one->path, G_FILE_TEST_EXISTS));

  /* Its last overlay: it stays read-only, and the note says how to
   * change that. */
  g_assert_true (pvm_image_repo_delete (f->repo, "two.qcow2", &last_message, &error));
  g_assert_no_error (error);
  g_assert_nonnull (last_message);
  g_assert_nonnull (strstr (last_message, "stays read-only"));
  g_assert_nonnull (strstr (last_message, "chmod u+w"));
  g_assert_nonnull (strstr (last_message, base->path));

  g_assert_cmpint (stat (base->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode, ==, before.st_mode);
  g_assert_cmpint (st.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
  g_assert_cmpint (st.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
  g_assert_cmpint (st.st_ctim.tv_nsec, ==, before.st_ctim.tv_nsec);
  {
    g_autofree char *sum = pvm_test_checksum_file (base->path);

    g_assert_cmpstr (sum, ==, base_sum);
  }

  after = pvm_image_repo_info (f->repo, "base", &error);
  g_assert_no_error (error);
  g_assert_false (after->is_protected);
  g_assert_true (after->read_only);

  /* Now it can go: unprotected, even read-only. */
  g_assert_true (pvm_image_repo_delete (f->repo, "base", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (base->path, G_FILE_TEST_EXISTS));
}

typedef enum
{
  OP_CREATE,
  OP_SNAPSHOT,
  OP_DELETE,
  OP_FLATTEN,
  OP_INFO,
} Op;

typedef struct
{
  Op          op;
  const char *a;
  const char *b;        /* snapshot: the new name */
  guint64     size;     /* create */
  int         code;     /* in PVM_ERROR */
  const char *message;  /* a part of the message; "@" is the repository */
} Refusal;

static const Refusal refusals[] = {
  { OP_DELETE, "base", NULL, 0, PVM_ERROR_IMAGE_HAS_OVERLAYS,
    "The image @/base.qcow2 is the backing image of @/mid.qcow2: deleting it would break that "
    "overlay. Delete that overlay first" },
  { OP_DELETE, "mid.qcow2", NULL, 0, PVM_ERROR_IMAGE_HAS_OVERLAYS,
    "is the backing image of @/top.qcow2" },
  { OP_FLATTEN, "mid", NULL, 0, PVM_ERROR_IMAGE_HAS_OVERLAYS, "changing it would corrupt" },
  { OP_FLATTEN, "solo", NULL, 0, PVM_ERROR_INVALID_ARGUMENT, "already standalone" },
  { OP_FLATTEN, "broken", NULL, 0, PVM_ERROR_NOT_FOUND, "its backing file @/gone.qcow2 is "
    "missing" },
  { OP_FLATTEN, "nothere", NULL, 0, PVM_ERROR_NOT_FOUND, "There is no image \"nothere\" in @" },
  { OP_FLATTEN, "raw", NULL, 0, PVM_ERROR_NOT_QCOW2, "not a qcow2 image" },
  { OP_SNAPSHOT, "nothere", "new", 0, PVM_ERROR_NOT_FOUND,
    "Cannot make an overlay of \"nothere\": There is no image \"nothere\" in @" },
  { OP_SNAPSHOT, "broken", "new", 0, PVM_ERROR_NOT_FOUND, "@/gone.qcow2 is missing" },
  { OP_SNAPSHOT, "raw", "new", 0, PVM_ERROR_NOT_QCOW2, "not a qcow2 image" },
  { OP_SNAPSHOT, "notes.txt", "new", 0, PVM_ERROR_NOT_FOUND, "There is no image" },
  { OP_SNAPSHOT, "solo", "mid", 0, PVM_ERROR_EXISTS, "An image named \"mid\" already exists" },
  { OP_SNAPSHOT, "solo", "top.qcow2", 0, PVM_ERROR_EXISTS, "(@/top.qcow2)" },
  { OP_SNAPSHOT, "../repo/solo", "new", 0, PVM_ERROR_INVALID_NAME, "not a path" },
  { OP_CREATE, "solo", NULL, MIB, PVM_ERROR_EXISTS, "An image named \"solo\" already exists" },
  { OP_CREATE, "solo.qcow2", NULL, MIB, PVM_ERROR_EXISTS, "already exists" },
  { OP_CREATE, "notes.txt", NULL, MIB, PVM_ERROR_EXISTS, "(@/notes.txt)" },
  { OP_CREATE, "raw", NULL, MIB, PVM_ERROR_EXISTS, "already exists" },
  { OP_CREATE, "zero", NULL, 0, PVM_ERROR_INVALID_ARGUMENT, "larger than zero" },
  { OP_DELETE, "nothere", NULL, 0, PVM_ERROR_NOT_FOUND, "Cannot delete \"nothere\"" },
  { OP_DELETE, "notes.txt", NULL, 0, PVM_ERROR_NOT_FOUND, "There is no image \"notes.txt\"" },
  { OP_DELETE, "../repo/solo", NULL, 0, PVM_ERROR_INVALID_NAME, "not a path" },
  { OP_DELETE, "", NULL, 0, PVM_ERROR_INVALID_NAME, "it is empty" },
  { OP_DELETE, ".hidden", NULL, 0, PVM_ERROR_NOT_FOUND, "There is no image" },
  { OP_INFO, "..", NULL, 0, PVM_ERROR_INVALID_NAME, "not a name" },
  { OP_INFO, "sub", NULL, 0, PVM_ERROR_NOT_FOUND, "There is no image \"sub\"" },
};

/* Every refusal, with its code and message, leaves the repository as it
 * was, to the byte and the nanosecond. */
static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PvmImage) base = create (f, "base", 16 * MIB);
  g_autoptr(PvmImage) mid = snapshot (f, "base", "mid", NULL);
  g_autoptr(PvmImage) top = snapshot (f, "mid", "top", NULL);
  g_autoptr(PvmImage) solo = create (f, "solo", 16 * MIB);
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = repo_path (f, "notes.txt");
  g_autofree char *sub = repo_path (f, "sub.qcow2");
  g_autofree char *before = NULL;

  hand_made (f, "broken.qcow2", "gone.qcow2", "16M");
  hand_made (f, ".hidden.qcow2", NULL, "16M");
  g_free (run (f->dir, "qemu-img", "create", "-q", "-f", "raw", "raw.qcow2", "1M", NULL));
  g_file_set_contents (notes, "notes\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  before = pvm_test_dir_state (f->dir);

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      const Refusal *row = &refusals[i];
      g_autoptr(PvmImage) image = NULL;
      g_autoptr(GError) refused = NULL;
      g_autofree char *expected = expand (f, row->message);
      g_autofree char *after = NULL;
      gboolean ok;

      g_test_message ("refusal %u: %s %s", i, row->a, row->b != NULL ? row->b : "");
      switch (row->op)
        {
        case OP_CREATE:
          image = pvm_image_repo_create (f->repo, row->a, row->size, NULL, &refused);
          ok = image != NULL;
          break;
        case OP_SNAPSHOT:
          image = pvm_image_repo_snapshot (f->repo, row->a, row->b, NULL, NULL, &refused);
          ok = image != NULL;
          break;
        case OP_DELETE:
          ok = pvm_image_repo_delete (f->repo, row->a, NULL, &refused);
          break;
        case OP_FLATTEN:
          image = pvm_image_repo_flatten (f->repo, row->a, NULL, NULL, NULL, &refused);
          ok = image != NULL;
          break;
        case OP_INFO:
        default:
          image = pvm_image_repo_info (f->repo, row->a, &refused);
          ok = image != NULL;
          break;
        }

      g_assert_false (ok);
      g_assert_error (refused, PVM_ERROR, row->code);
      if (strstr (refused->message, expected) == NULL)
        g_error ("refusal %u: \"%s\" does not contain \"%s\"", i, refused->message, expected);

      after = pvm_test_dir_state (f->dir);
      g_assert_cmpstr (after, ==, before);
    }
}

/* As an unprivileged user, a repository that cannot be written refuses
 * changes with a clear error, and is left as it was. */
static void
test_read_only_repo (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(PvmImage) base = create (f, "base", 16 * MIB);
  g_autoptr(PvmImage) created = NULL;
  g_autoptr(PvmImage) overlay = NULL;
  g_autoptr(GError) create_error = NULL;
  g_autoptr(GError) snapshot_error = NULL;
  g_autofree char *before = pvm_test_dir_state (f->dir);
  g_autofree char *after = NULL;

  g_assert_cmpint (g_chmod (f->dir, 0555), ==, 0);
  created = pvm_image_repo_create (f->repo, "new", MIB, NULL, &create_error);
  overlay = pvm_image_repo_snapshot (f->repo, "base", "overlay", NULL, NULL, &snapshot_error);
  g_assert_cmpint (g_chmod (f->dir, 0755), ==, 0);

  if (geteuid () == 0)
    {
      /* Root writes anyway: this case means something as the harness's
       * unprivileged user. */
      g_assert_no_error (create_error);
      g_assert_no_error (snapshot_error);
      g_test_message ("running as root: the directory's permissions do not apply");
      return;
    }

  g_assert_error (create_error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (create_error->message, f->dir));
  g_assert_nonnull (strstr (create_error->message, "Permission denied"));
  g_assert_error (snapshot_error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

/* The one protection check, for every kind of access, also through a
 * symlink from another directory. */
static void
test_protection_check (Fixture       *f,
                       gconstpointer  data)
{
  static const struct
  {
    PvmImageAccess  access;
    const char     *words;
  } accesses[] = {
    { PVM_IMAGE_ACCESS_BOOT, "booting it would corrupt that overlay. Launch an overlay" },
    { PVM_IMAGE_ACCESS_WRITE, "changing it would corrupt that overlay" },
    { PVM_IMAGE_ACCESS_RESIZE, "resizing it would corrupt that overlay" },
    { PVM_IMAGE_ACCESS_DELETE, "deleting it would break that overlay" },
  };
  g_autoptr(PvmImage) base = create (f, "base", 16 * MIB);
  g_autoptr(PvmImage) overlay = snapshot (f, "base", "overlay", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *links = g_build_filename (f->root, "links", NULL);
  g_autofree char *link = g_build_filename (links, "link.qcow2", NULL);
  const char * const repo_only[] = { f->dir, NULL };
  g_auto(GStrv) overlays = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (accesses); i++)
    {
      g_autoptr(GError) refused = NULL;

      g_assert_false (pvm_image_check_unprotected (base->path, NULL, accesses[i].access,
                                                   &refused));
      g_assert_error (refused, PVM_ERROR, PVM_ERROR_IMAGE_HAS_OVERLAYS);
      g_assert_nonnull (strstr (refused->message, overlay->path));
      g_assert_nonnull (strstr (refused->message, accesses[i].words));
    }

  /* The overlay itself is free; so is a file that is nobody's base. */
  g_assert_true (pvm_image_check_unprotected (overlay->path, f->dir, PVM_IMAGE_ACCESS_BOOT,
                                              &error));
  g_assert_no_error (error);

  /* Through a symlink in another directory: its target's directory is
   * searched, and the image counts by identity, not by name. */
  g_assert_cmpint (g_mkdir (links, 0755), ==, 0);
  g_assert_cmpint (symlink (base->path, link), ==, 0);
  g_assert_false (pvm_image_check_unprotected (link, NULL, PVM_IMAGE_ACCESS_BOOT, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_IMAGE_HAS_OVERLAYS);
  g_clear_error (&error);

  overlays = pvm_image_find_overlays (link, repo_only, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (overlays), ==, 1);
  g_assert_cmpstr (overlays[0], ==, overlay->path);
}

/* --- flatten ------------------------------------------------------------- */

typedef struct
{
  GArray       *fractions;
  GCancellable *cancel_on_first;
  GMainLoop    *loop;
  PvmImage     *image;
  GError       *error;
  gboolean      in_main_thread;
} FlattenRun;

static void
record_progress_cb (double   fraction,
                    gpointer user_data)
{
  FlattenRun *run_data = user_data;

  g_array_append_val (run_data->fractions, fraction);
  if (run_data->loop != NULL && !g_main_context_is_owner (g_main_context_default ()))
    run_data->in_main_thread = FALSE;
  if (run_data->cancel_on_first != NULL)
    g_cancellable_cancel (run_data->cancel_on_first);
}

static void
assert_progress (GArray *fractions)
{
  guint steps = 0;

  g_assert_cmpuint (fractions->len, >=, 3);
  for (guint i = 1; i < fractions->len; i++)
    {
      double previous = g_array_index (fractions, double, i - 1);
      double current = g_array_index (fractions, double, i);

      g_assert_cmpfloat (current, >=, previous);
      steps += current > previous;
    }
  g_assert_cmpuint (steps, >=, 2);
  g_assert_cmpfloat (g_array_index (fractions, double, 0), >=, 0.0);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
}

/* A base with data, and an overlay that changed part of it. */
static void
make_changed_overlay (Fixture    *f,
                      const char *size,
                      const char *data_length,
                      char      **reference)
{
  g_autoptr(PvmImage) base = create (f, "base", 64 * MIB);
  g_autoptr(PvmImage) overlay = NULL;

  g_free (run (NULL, "qemu-img", "resize", "-q", base->path, size, NULL));
  write_pattern (base->path, 0xab, "0", data_length);
  overlay = snapshot (f, "base", "overlay", NULL);
  write_pattern (overlay->path, 0xcd, "1M", "2M");

  /* What the guest sees, kept outside the repository. */
  *reference = g_build_filename (f->root, "reference.raw", NULL);
  g_free (run (NULL, "qemu-img", "convert", "-O", "raw", overlay->path, *reference, NULL));
}

static void
test_flatten (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(PvmImage) base = NULL;
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *base_path = repo_path (f, "base.qcow2");
  g_autofree char *overlay_path = repo_path (f, "overlay.qcow2");
  g_autofree char *base_sum = NULL;
  FlattenRun run_data = { fractions };
  struct stat before, st;

  make_changed_overlay (f, "64M", "16M", &reference);
  base_sum = pvm_test_checksum_file (base_path);
  g_assert_cmpint (g_chmod (overlay_path, 0640), ==, 0);
  g_assert_cmpint (stat (overlay_path, &before), ==, 0);

  image = pvm_image_repo_flatten (f->repo, "overlay", record_progress_cb, &run_data, NULL,
                                  &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  assert_progress (fractions);

  /* Standalone, with the same content, mode and owner. */
  g_assert_null (image->backing_file);
  g_assert_cmpuint (g_strv_length (image->chain), ==, 0);
  g_assert_true (image->usable);
  g_free (run (NULL, "qemu-img", "compare", "-f", "raw", "-F", "qcow2", reference, image->path,
               NULL));
  {
    g_autofree char *out = run (NULL, "qemu-img", "info", "--output=json", image->path, NULL);

    g_assert_null (strstr (out, "backing"));
  }
  g_assert_cmpint (stat (overlay_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode, ==, before.st_mode);
  g_assert_cmpint (st.st_uid, ==, before.st_uid);
  g_assert_cmpint (st.st_ino, !=, before.st_ino);    /* renamed into place */

  /* The base is untouched; with no overlay left it is no longer
   * protected, and stays read-only. */
  {
    g_autofree char *sum = pvm_test_checksum_file (base_path);

    g_assert_cmpstr (sum, ==, base_sum);
  }
  base = pvm_image_repo_info (f->repo, "base", &error);
  g_assert_no_error (error);
  g_assert_false (base->is_protected);
  g_assert_true (base->read_only);
  assert_no_temp_files (f);

  /* Once standalone, there is nothing to flatten. */
  g_assert_null (pvm_image_repo_flatten (f->repo, "overlay", NULL, NULL, NULL, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT);
}

/* A read-only overlay is not rewritten. */
static void
test_flatten_read_only (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PvmImage) base = create (f, "base", 16 * MIB);
  g_autoptr(PvmImage) overlay = snapshot (f, "base", "overlay", NULL);
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_cmpint (g_chmod (overlay->path, 0444), ==, 0);
  before = pvm_test_dir_state (f->dir);
  image = pvm_image_repo_flatten (f->repo, "overlay", NULL, NULL, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "chmod u+w"));
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

static void
flatten_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  FlattenRun *run_data = user_data;

  run_data->image = pvm_image_repo_flatten_finish (PVM_IMAGE_REPO (object), result,
                                                   &run_data->error);
  g_main_loop_quit (run_data->loop);
}

/* The async version reports progress in the caller's main context. */
static void
test_flatten_async (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *reference = NULL;
  FlattenRun run_data = { fractions, NULL, loop, NULL, NULL, TRUE };

  make_changed_overlay (f, "64M", "16M", &reference);
  pvm_image_repo_flatten_async (f->repo, "overlay", record_progress_cb, &run_data, NULL,
                                flatten_done_cb, &run_data);
  g_main_loop_run (loop);

  g_assert_no_error (run_data.error);
  g_assert_nonnull (run_data.image);
  g_assert_true (run_data.in_main_thread);
  assert_progress (fractions);
  g_assert_null (run_data.image->backing_file);
  g_free (run (NULL, "qemu-img", "compare", "-f", "raw", "-F", "qcow2", reference,
               run_data.image->path, NULL));
  pvm_image_unref (run_data.image);
  assert_no_temp_files (f);
}

/* Cancelled at its first progress report: no temporary file is left, and
 * the overlay is unchanged to the byte. */
static void
test_flatten_cancelled (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *reference = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  FlattenRun run_data = { fractions, cancellable, loop, NULL, NULL, TRUE };

  make_changed_overlay (f, "512M", "256M", &reference);
  before = pvm_test_dir_state (f->dir);

  pvm_image_repo_flatten_async (f->repo, "overlay", record_progress_cb, &run_data, cancellable,
                                flatten_done_cb, &run_data);
  g_main_loop_run (loop);

  g_assert_null (run_data.image);
  g_assert_error (run_data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run_data.error);
  g_assert_cmpuint (fractions->len, >=, 1);
  assert_no_temp_files (f);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);

  /* Cancelled before it starts: the same. */
  pvm_image_repo_flatten_async (f->repo, "overlay", NULL, NULL, cancellable, flatten_done_cb,
                                &run_data);
  g_main_loop_run (loop);
  g_assert_error (run_data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run_data.error);
  assert_no_temp_files (f);
  g_free (after);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

/* --- the repository ------------------------------------------------------ */

static void
test_missing_repo (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->root, "missing", NULL);
  g_autoptr(PvmImageRepo) repo = pvm_image_repo_new (missing);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(PvmImage) image = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (pvm_image_repo_get_directory (repo), ==, missing);
  images = pvm_image_repo_list (repo, &error);
  g_assert_null (images);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "mkdir -p"));
  g_clear_error (&error);

  image = pvm_image_repo_create (repo, "x", MIB, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

static void
test_empty_repo (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;

  images = pvm_image_repo_list (f->repo, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (images->len, ==, 0);
}

/* The order of the list, the CLI's and the app's: a number in a name
 * counts by its value (run-9 before run-10), in any case, as in GNOME
 * Files; the overlays of a base likewise. Made in another order, so that the
 * directory's own order cannot pass for it. */
static void
test_list_order (Fixture       *f,
                 gconstpointer  data)
{
  const char * const made[] = { "run-100", "Run-9c", "run-9", "base", "run-10", "run-9b", NULL };
  const char * const overlays[] = { "base-2", "base-10", "base-1", NULL };
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *base_path = repo_path (f, "base.qcow2");
  g_auto(GStrv) found = NULL;
  g_autofree char *found_names = NULL;
  const char * const directories[] = { f->dir, NULL };

  for (guint i = 0; made[i] != NULL; i++)
    {
      g_autofree char *file_name = g_strconcat (made[i], ".qcow2", NULL);

      hand_made (f, file_name, NULL, "1M");
    }
  for (guint i = 0; overlays[i] != NULL; i++)
    {
      g_autofree char *file_name = g_strconcat (overlays[i], ".qcow2", NULL);

      hand_made (f, file_name, "base.qcow2", "1M");
    }

  images = pvm_image_repo_list (f->repo, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < images->len; i++)
    g_string_append_printf (names, "%s%s", i > 0 ? " " : "",
                            ((PvmImage *) g_ptr_array_index (images, i))->name);
  g_assert_cmpstr (names->str, ==,
                   "base base-1 base-2 base-10 run-9 run-9b Run-9c run-10 run-100");

  for (guint i = 0; i < images->len; i++)
    {
      PvmImage *image = g_ptr_array_index (images, i);

      if (g_str_equal (image->name, "base"))
        {
          g_autofree char *joined = g_strjoinv (" ", image->overlays);

          g_assert_cmpstr (joined, ==, "base-1 base-2 base-10");
        }
    }

  found = pvm_image_find_overlays (base_path, directories, &error);
  g_assert_no_error (error);
  for (guint i = 0; found[i] != NULL; i++)
    {
      char *name = g_path_get_basename (found[i]);

      g_free (found[i]);
      found[i] = name;
    }
  found_names = g_strjoinv (" ", found);
  g_assert_cmpstr (found_names, ==, "base-1.qcow2 base-2.qcow2 base-10.qcow2");
}

/* btrfs: this machine's temporary directory is not on btrfs (mounting one
 * needs root), so only the "not btrfs: do nothing" branch runs here; the
 * btrfs branch was checked by hand (docs/images.md). */
static void
test_btrfs (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *before = pvm_test_dir_state (f->dir);
  g_autofree char *after = NULL;
  struct statfs fs;

  g_assert_cmpint (statfs (f->dir, &fs), ==, 0);
  g_assert_true (pvm_image_repo_prepare (f->repo, &message, &error));
  g_assert_no_error (error);

  if (fs.f_type == BTRFS_SUPER_MAGIC)
    {
      g_assert_nonnull (message);
      g_assert_nonnull (strstr (message, "btrfs"));
      g_clear_pointer (&message, g_free);
      /* Once only. */
      g_assert_true (pvm_image_repo_prepare (f->repo, &message, &error));
      g_assert_null (message);
      return;
    }

  g_assert_null (message);
  after = pvm_test_dir_state (f->dir);
  g_assert_cmpstr (after, ==, before);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/image-repo/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("list/hand-made", test_list_hand_made);
  ADD ("list/broken-chain", test_broken_chain);
  ADD ("list/empty", test_empty_repo);
  ADD ("list/order", test_list_order);
  ADD ("list/missing-repo", test_missing_repo);
  ADD ("names/bad", test_bad_names);
  ADD ("names/good", test_good_names);
  ADD ("snapshot/protects-base", test_snapshot_protects_base);
  ADD ("delete/overlay-leaves-base", test_delete_overlay_leaves_base);
  ADD ("refusals", test_refusals);
  ADD ("protection-check", test_protection_check);
  ADD ("read-only-repo", test_read_only_repo);
  ADD ("flatten/sync", test_flatten);
  ADD ("flatten/read-only", test_flatten_read_only);
  ADD ("flatten/async", test_flatten_async);
  ADD ("flatten/cancelled", test_flatten_cancelled);
  ADD ("btrfs", test_btrfs);

#undef ADD

  return g_test_run ();
}
