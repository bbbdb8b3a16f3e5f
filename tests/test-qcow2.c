/* SPDX-License-Identifier: BSD-3-Clause */
/* test-qcow2.c: the in-process qcow2 header reader of libpvm-core, checked
 * against images made by the real qemu-img and against what `qemu-img info`
 * says about them. */

#define G_LOG_DOMAIN "test-qcow2"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pvm-core.h"
#include "pvm-test-util.h"

#define GIB (G_GUINT64_CONSTANT (1) << 30)

typedef struct
{
  /* Owned */
  char *dir;       /* the test's temporary directory, removed at the end */
  char *qemu_img;  /* full path of qemu-img */
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->qemu_img = pvm_host_find_tool ("qemu-img", "qemu-utils", &error);
  g_assert_no_error (error);

  f->dir = g_dir_make_tmp ("pvm-test-qcow2-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pvm_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->qemu_img);
}

static char *
fixture_path (Fixture    *f,
              const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* Runs qemu-img with @args in the test's directory, so relative names
 * are stored as given. Returns its output. */
static char *
run_qemu_img_argv (Fixture   *f,
                   GPtrArray *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, f->qemu_img);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);

  return pvm_test_run_tool (f->dir, (const char * const *) argv->pdata);
}

/* The arguments of `qemu-img create` up to its options. */
static GPtrArray *
create_args (const char *format,
             const char *option)
{
  GPtrArray *args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "create");
  g_ptr_array_add (args, (char *) "-q");
  g_ptr_array_add (args, (char *) "-f");
  g_ptr_array_add (args, (char *) format);
  if (option != NULL)
    {
      g_ptr_array_add (args, (char *) "-o");
      g_ptr_array_add (args, (char *) option);
    }
  return args;
}

/* Creates the image @name of @format and @size, with "-o @option" unless
 * @option is NULL. */
static void
create_image (Fixture    *f,
              const char *format,
              const char *option,
              const char *name,
              const char *size)
{
  g_autoptr(GPtrArray) args = create_args (format, option);

  g_ptr_array_add (args, (char *) name);
  g_ptr_array_add (args, (char *) size);
  g_free (run_qemu_img_argv (f, args));
}

/* Decodes the JSON string that starts after its opening quote at @s, with
 * the escapes QEMU's JSON writer uses. */
static char *
json_decode_string (const char *s)
{
  g_autoptr(GString) out = g_string_new (NULL);

  while (*s != '"')
    {
      g_assert_cmpint (*s, !=, '\0');
      if (*s != '\\')
        {
          g_string_append_c (out, *s++);
          continue;
        }

      s++;
      switch (*s)
        {
        case '"': case '\\': case '/':
          g_string_append_c (out, *s);
          break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            g_autofree char *hex = g_strndup (s + 1, 4);
            gunichar c = g_ascii_strtoull (hex, NULL, 16);

            g_assert_cmpuint (strlen (hex), ==, 4);
            s += 4;
            if (c >= 0xd800 && c < 0xdc00)
              {
                g_autofree char *low_hex = NULL;

                g_assert_true (g_str_has_prefix (s + 1, "\\u"));
                low_hex = g_strndup (s + 3, 4);
                c = 0x10000 + ((c - 0xd800) << 10) +
                    (g_ascii_strtoull (low_hex, NULL, 16) - 0xdc00);
                s += 6;
              }
            g_string_append_unichar (out, c);
          }
          break;
        default:
          g_assert_not_reached ();
        }
      s++;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The value of the member @key in qemu-img's pretty-printed JSON, where
 * each member starts a line: a decoded string, or the text of a number or
 * boolean. NULL if absent. */
static char *
json_member (const char *json,
             const char *key)
{
  g_auto(GStrv) lines = g_strsplit (json, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("\"%s\": ", key);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i] + strspn (lines[i], " ");
      const char *value;

      if (!g_str_has_prefix (line, prefix))
        continue;

      value = line + strlen (prefix);
      if (*value == '"')
        return json_decode_string (value + 1);
      return g_strndup (value, strcspn (value, ","));
    }

  return NULL;
}

static void
read_info_ok (const char   *path,
              PvmQcow2Info *info)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pvm_qcow2_read_info (path, info, &error));
  g_assert_no_error (error);
  g_assert_true (pvm_qcow2_is_qcow2 (path));
}

static char *
run_qemu_img_info (Fixture    *f,
                   const char *image)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, (char *) "info");
  g_ptr_array_add (args, (char *) "-U");
  g_ptr_array_add (args, (char *) "--output=json");
  g_ptr_array_add (args, (char *) image);
  return run_qemu_img_argv (f, args);
}

/* Checks @info against `qemu-img info` of @image, a path relative to the
 * test's directory or absolute, which is also what the backing path is
 * resolved against. */
static void
assert_agrees_with_qemu (Fixture            *f,
                         const char         *image,
                         const PvmQcow2Info *info)
{
  g_autofree char *json = run_qemu_img_info (f, image);
  g_autofree char *virtual_size = json_member (json, "virtual-size");
  g_autofree char *cluster_size = json_member (json, "cluster-size");
  g_autofree char *compat = json_member (json, "compat");
  g_autofree char *backing = json_member (json, "backing-filename");
  g_autofree char *full_backing = json_member (json, "full-backing-filename");
  g_autofree char *backing_format = json_member (json, "backing-filename-format");
  g_autofree char *dirty = json_member (json, "dirty-flag");
  g_autofree char *corrupt = json_member (json, "corrupt");
  g_autofree char *data_file = json_member (json, "data-file");
  g_autofree char *backing_path = pvm_qcow2_info_dup_backing_path (info, image);

  g_assert_cmpuint (g_ascii_strtoull (virtual_size, NULL, 10), ==, info->virtual_size);
  g_assert_cmpuint (g_ascii_strtoull (cluster_size, NULL, 10), ==, 1u << info->cluster_bits);
  g_assert_cmpstr (compat, ==, info->version == 2 ? "0.10" : "1.1");
  g_assert_cmpstr (backing, ==, info->backing_file);
  g_assert_cmpstr (full_backing, ==, backing_path);
  g_assert_cmpstr (backing_format, ==, info->backing_format);
  g_assert_cmpstr (dirty, ==, info->dirty ? "true" : "false");
  /* QEMU reports "corrupt" for version 3 images only. */
  if (info->version == 3)
    g_assert_cmpstr (corrupt, ==, info->corrupt ? "true" : "false");
  else
    g_assert_null (corrupt);
  g_assert_cmpint (data_file != NULL, ==, info->has_data_file);
}

/* Creates the qcow2 overlay @overlay over @backing of @format, with
 * "-o @option" unless @option is NULL; with @unsafe, qemu-img neither
 * opens nor needs the backing file. Reads it into @info and checks the
 * backing fields and what `qemu-img info` says. */
static void
create_overlay (Fixture      *f,
                const char   *overlay,
                const char   *option,
                const char   *backing,
                const char   *format,
                gboolean      unsafe,
                PvmQcow2Info *info)
{
  g_autoptr(GPtrArray) args = create_args ("qcow2", option);
  g_autofree char *path = fixture_path (f, overlay);

  if (unsafe)
    g_ptr_array_add (args, (char *) "-u");
  g_ptr_array_add (args, (char *) "-b");
  g_ptr_array_add (args, (char *) backing);
  g_ptr_array_add (args, (char *) "-F");
  g_ptr_array_add (args, (char *) format);
  g_ptr_array_add (args, (char *) overlay);
  if (unsafe)
    g_ptr_array_add (args, (char *) "1G");
  g_free (run_qemu_img_argv (f, args));

  read_info_ok (path, info);
  g_assert_cmpstr (info->backing_file, ==, backing);
  g_assert_cmpstr (info->backing_format, ==, format);
  assert_agrees_with_qemu (f, overlay, info);
}

static void
assert_read_error (const char *path,
                   gint        code,
                   const char *reason)
{
  g_autoptr(GError) error = NULL;
  PvmQcow2Info info;

  memset (&info, 0xaa, sizeof info);
  g_assert_false (pvm_qcow2_read_info (path, &info, &error));
  g_assert_error (error, PVM_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, reason));

  /* A failed read leaves nothing to free. */
  g_assert_cmpuint (info.version, ==, 0);
  g_assert_null (info.backing_file);
  g_assert_null (info.backing_format);
}

static void
write_file (const char   *path,
            const guint8 *data,
            gsize         len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) data, len, &error);
  g_assert_no_error (error);
}

/* Writes the first @len bytes of @src to @dest. */
static void
copy_head (const char *src,
           const char *dest,
           gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize size;

  g_file_get_contents (src, &data, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (size, >=, len);
  write_file (dest, (const guint8 *) data, len);
}

/* Copies @src to @dest with @len bytes at @offset replaced by @bytes: a
 * fault qemu-img never writes, so the test writes it. */
static void
copy_patched (const char   *src,
              const char   *dest,
              gsize         offset,
              const guint8 *bytes,
              gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize size;

  g_file_get_contents (src, &data, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (size, >=, offset + len);
  memcpy (data + offset, bytes, len);
  write_file (dest, (const guint8 *) data, size);
}

/* Copies @src to @dest with the @width-byte (1, 4 or 8) big-endian
 * @value at @offset. */
static void
copy_patched_be (const char *src,
                 const char *dest,
                 gsize       offset,
                 guint       width,
                 guint64     value)
{
  guint8 bytes[8];

  g_assert_true (width == 1 || width == 4 || width == 8);
  for (guint i = 0; i < width; i++)
    bytes[i] = value >> (8 * (width - 1 - i));

  copy_patched (src, dest, offset, bytes, width);
}

/* Makes "ov.qcow2", an overlay of "base.qcow2" as qemu-img lays it out:
 * the 112-byte header, the backing format extension (type at 112, length
 * at 116, "qcow2" at 120), the feature name table (at 128, 384 bytes of
 * data), the end marker at 520 and the backing file name at 528. */
static char *
make_overlay (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *overlay = fixture_path (f, "ov.qcow2");
  g_autofree char *head = NULL;
  gsize size;

  create_image (f, "qcow2", NULL, "base.qcow2", "1G");
  create_overlay (f, "ov.qcow2", NULL, "base.qcow2", "qcow2", FALSE, &info);

  /* The layout the tests that edit it assume. */
  g_file_get_contents (overlay, &head, &size, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (head + 100, 4, "\0\0\0\x70", 4);
  g_assert_cmpmem (head + 112, 4, "\xe2\x79\x2a\xca", 4);
  g_assert_cmpmem (head + 120, 5, "qcow2", 5);
  g_assert_cmpmem (head + 128, 8, "\x68\x03\xf8\x57\0\0\x01\x80", 8);
  g_assert_cmpmem (head + 520, 8, "\0\0\0\0\0\0\0\0", 8);
  g_assert_cmpmem (head + 528, 10, "base.qcow2", 10);

  return g_steal_pointer (&overlay);
}

typedef struct
{
  const char *option;   /* qemu-img's -o, or NULL for its default */
  guint32     version;
} Compat;

static const Compat compat_default = { NULL, 3 };
static const Compat compat_v2 = { "compat=0.10", 2 };

static void
test_blank (Fixture       *f,
            gconstpointer  data)
{
  const Compat *compat = data;
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *path = fixture_path (f, "x.qcow2");
  g_autofree char *backing_path = NULL;

  create_image (f, "qcow2", compat->option, "x.qcow2", "1G");
  read_info_ok (path, &info);

  g_assert_cmpuint (info.version, ==, compat->version);
  g_assert_cmpuint (info.virtual_size, ==, GIB);
  g_assert_null (info.backing_file);
  g_assert_null (info.backing_format);
  g_assert_cmpuint (info.cluster_bits, ==, 16);
  g_assert_false (info.dirty);
  g_assert_false (info.corrupt);
  g_assert_false (info.has_data_file);

  backing_path = pvm_qcow2_info_dup_backing_path (&info, path);
  g_assert_null (backing_path);
  assert_agrees_with_qemu (f, "x.qcow2", &info);

  /* Clearing twice is harmless; g_auto clears a third time. */
  pvm_qcow2_info_clear (&info);
  pvm_qcow2_info_clear (&info);
  g_assert_cmpuint (info.version, ==, 0);
}

static void
test_sizes (Fixture       *f,
            gconstpointer  data)
{
  static const struct {
    const char *text;
    guint64     bytes;
  } sizes[] = {
    { "1.5G", 1610612736 },
    { "512M", 536870912 },
    { "100000K", 102400000 },
    { "3T", G_GUINT64_CONSTANT (3298534883328) },
  };
  static const char * const compats[] = { "0.10", "1.1" };

  for (guint c = 0; c < G_N_ELEMENTS (compats); c++)
    for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
      {
        g_auto(PvmQcow2Info) info = { 0 };
        g_autofree char *name = g_strdup_printf ("%s-%s.qcow2", sizes[i].text, compats[c]);
        g_autofree char *path = fixture_path (f, name);
        g_autofree char *option = g_strdup_printf ("compat=%s", compats[c]);

        create_image (f, "qcow2", option, name, sizes[i].text);
        read_info_ok (path, &info);
        g_assert_cmpuint (info.virtual_size, ==, sizes[i].bytes);
        g_assert_cmpuint (info.version, ==, c == 0 ? 2 : 3);
        assert_agrees_with_qemu (f, name, &info);
      }
}

static void
test_cluster_sizes (Fixture       *f,
                    gconstpointer  data)
{
  static const struct {
    const char *option;
    guint32     bits;
  } clusters[] = {
    { "cluster_size=2M", 21 },
    { "cluster_size=512", 9 },
  };

  create_image (f, "qcow2", NULL, "base.qcow2", "1G");

  for (guint i = 0; i < G_N_ELEMENTS (clusters); i++)
    {
      g_auto(PvmQcow2Info) info = { 0 };
      g_auto(PvmQcow2Info) overlay_info = { 0 };
      g_autofree char *path = fixture_path (f, "c.qcow2");
      g_autofree char *overlay = fixture_path (f, "ov.qcow2");

      create_image (f, "qcow2", clusters[i].option, "c.qcow2", "1G");
      read_info_ok (path, &info);
      g_assert_cmpuint (info.cluster_bits, ==, clusters[i].bits);
      g_assert_cmpuint (info.virtual_size, ==, GIB);
      assert_agrees_with_qemu (f, "c.qcow2", &info);

      /* With a backing file, whose name must fit in the first cluster too. */
      create_overlay (f, "ov.qcow2", clusters[i].option, "base.qcow2", "qcow2", FALSE,
                      &overlay_info);
      g_assert_cmpuint (overlay_info.cluster_bits, ==, clusters[i].bits);

      g_assert_cmpint (g_unlink (path), ==, 0);
      g_assert_cmpint (g_unlink (overlay), ==, 0);
    }
}

static void
test_backing_relative (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *path = fixture_path (f, "ov.qcow2");
  g_autofree char *base = fixture_path (f, "base.qcow2");
  g_autofree char *backing_path = NULL;
  g_autofree char *relative_backing_path = NULL;

  create_image (f, "qcow2", NULL, "base.qcow2", "1.5G");
  create_overlay (f, "ov.qcow2", NULL, "base.qcow2", "qcow2", FALSE, &info);
  g_assert_cmpuint (info.version, ==, 3);
  g_assert_cmpuint (info.virtual_size, ==, 1610612736);

  /* Relative to the image's directory, which is not the current one. */
  g_assert_false (g_file_test ("base.qcow2", G_FILE_TEST_EXISTS));
  backing_path = pvm_qcow2_info_dup_backing_path (&info, path);
  g_assert_cmpstr (backing_path, ==, base);
  relative_backing_path = pvm_qcow2_info_dup_backing_path (&info, "ov.qcow2");
  g_assert_cmpstr (relative_backing_path, ==, "base.qcow2");
  assert_agrees_with_qemu (f, path, &info);
}

static void
test_backing_absolute (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *path = fixture_path (f, "ov.qcow2");
  g_autofree char *base = fixture_path (f, "base.qcow2");
  g_autofree char *backing_path = NULL;

  create_image (f, "qcow2", NULL, base, "512M");
  create_overlay (f, "ov.qcow2", NULL, base, "qcow2", FALSE, &info);
  g_assert_cmpuint (info.virtual_size, ==, 536870912);

  backing_path = pvm_qcow2_info_dup_backing_path (&info, "elsewhere/ov.qcow2");
  g_assert_cmpstr (backing_path, ==, base);
  assert_agrees_with_qemu (f, path, &info);
}

static void
test_backing_subdirectory (Fixture       *f,
                           gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *base_dir = fixture_path (f, "base");
  g_autofree char *overlay_dir = fixture_path (f, "ov");
  g_autofree char *path = g_build_filename (overlay_dir, "o.qcow2", NULL);
  g_autofree char *expected = g_build_filename (overlay_dir, "..", "base", "b.qcow2", NULL);
  g_autofree char *backing_path = NULL;

  g_assert_cmpint (g_mkdir (base_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (overlay_dir, 0755), ==, 0);
  create_image (f, "qcow2", NULL, "base/b.qcow2", "1G");
  /* qemu-img opens the name relative to the overlay, not to its own
   * directory, or this would fail. */
  create_overlay (f, "ov/o.qcow2", NULL, "../base/b.qcow2", "qcow2", FALSE, &info);

  backing_path = pvm_qcow2_info_dup_backing_path (&info, path);
  g_assert_cmpstr (backing_path, ==, expected);
  g_assert_true (g_file_test (backing_path, G_FILE_TEST_IS_REGULAR));
  g_assert_true (pvm_qcow2_is_qcow2 (backing_path));
  assert_agrees_with_qemu (f, path, &info);
}

static void
test_backing_odd_names (Fixture       *f,
                        gconstpointer  data)
{
  static const char * const names[] = {
    "it's a \"base\" image.qcow2",
    "b\xc3\xa4se \xc3\xbc \xf0\x9f\x92\xbe.qcow2",  /* "bäse ü 💾" */
    "back\\slash.qcow2",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_auto(PvmQcow2Info) info = { 0 };
      g_autofree char *path = fixture_path (f, "ov.qcow2");
      g_autofree char *base = fixture_path (f, names[i]);
      g_autofree char *backing_path = NULL;

      create_image (f, "qcow2", NULL, names[i], "100000K");
      create_overlay (f, "ov.qcow2", NULL, names[i], "qcow2", FALSE, &info);
      g_assert_cmpuint (info.virtual_size, ==, 102400000);

      backing_path = pvm_qcow2_info_dup_backing_path (&info, path);
      g_assert_cmpstr (backing_path, ==, base);
      g_assert_true (pvm_qcow2_is_qcow2 (backing_path));
      g_assert_cmpint (g_unlink (path), ==, 0);
    }
}

static void
test_backing_raw (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *base = fixture_path (f, "base.raw");

  create_image (f, "raw", NULL, "base.raw", "64M");
  create_overlay (f, "ov.qcow2", NULL, "base.raw", "raw", FALSE, &info);
  g_assert_cmpuint (info.virtual_size, ==, 64 << 20);
  g_assert_false (pvm_qcow2_is_qcow2 (base));
}

static void
test_backing_v2 (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };

  create_image (f, "qcow2", "compat=0.10", "base.qcow2", "1G");
  create_overlay (f, "ov.qcow2", "compat=0.10", "base.qcow2", "qcow2", FALSE, &info);
  g_assert_cmpuint (info.version, ==, 2);
}

static void
test_backing_protocol (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *path = fixture_path (f, "ov.qcow2");
  g_autofree char *backing_path = NULL;

  /* QEMU opens "protocol:" names as they are, never relative to the image. */
  create_overlay (f, "ov.qcow2", NULL, "file:base.qcow2", "qcow2", TRUE, &info);
  backing_path = pvm_qcow2_info_dup_backing_path (&info, path);
  g_assert_cmpstr (backing_path, ==, "file:base.qcow2");
  assert_agrees_with_qemu (f, path, &info);
}

static void
test_backing_longest_name (Fixture       *f,
                           gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autoptr(GString) name = g_string_new (NULL);

  /* The format's limit, which qemu-img accepts; 1024 it refuses. */
  while (name->len < 1023 - strlen (".qcow2"))
    g_string_append (name, name->len % 200 == 199 ? "/" : "n");
  g_string_append (name, ".qcow2");
  g_assert_cmpuint (name->len, ==, 1023);

  create_overlay (f, "ov.qcow2", NULL, name->str, "qcow2", TRUE, &info);
}

static void
test_data_file (Fixture       *f,
                gconstpointer  data)
{
  g_auto(PvmQcow2Info) info = { 0 };
  g_autofree char *path = fixture_path (f, "x.qcow2");

  create_image (f, "qcow2", "data_file=x.raw", "x.qcow2", "1G");
  read_info_ok (path, &info);

  g_assert_true (info.has_data_file);
  g_assert_false (info.dirty);
  g_assert_false (info.corrupt);
  g_assert_null (info.backing_file);
  assert_agrees_with_qemu (f, "x.qcow2", &info);
}

static void
test_feature_bits (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *clean = fixture_path (f, "clean.qcow2");
  g_autofree char *dirty = fixture_path (f, "dirty.qcow2");
  g_autofree char *corrupt = fixture_path (f, "corrupt.qcow2");
  g_auto(PvmQcow2Info) dirty_info = { 0 };
  g_auto(PvmQcow2Info) corrupt_info = { 0 };

  /* qemu-img leaves an image dirty or corrupt only after a crash or a
   * metadata error, so the test sets the bits itself. */
  create_image (f, "qcow2", "lazy_refcounts=on", "clean.qcow2", "1G");
  copy_patched_be (clean, dirty, 72, 8, 1 << 0);
  copy_patched_be (clean, corrupt, 72, 8, 1 << 1);

  read_info_ok (dirty, &dirty_info);
  g_assert_true (dirty_info.dirty);
  g_assert_false (dirty_info.corrupt);
  g_assert_false (dirty_info.has_data_file);
  assert_agrees_with_qemu (f, "dirty.qcow2", &dirty_info);

  read_info_ok (corrupt, &corrupt_info);
  g_assert_false (corrupt_info.dirty);
  g_assert_true (corrupt_info.corrupt);
  g_assert_false (corrupt_info.has_data_file);
  assert_agrees_with_qemu (f, "corrupt.qcow2", &corrupt_info);
}

/* Headers qemu-img does not write but QEMU opens, edited into a real
 * overlay (see make_overlay()). */
static void
test_edited_headers (Fixture       *f,
                     gconstpointer  data)
{
  static const struct {
    gsize       offset;
    guint8      bytes[24];
    gsize       len;
    const char *backing_file;
    const char *backing_format;
  } edits[] = {
    /* An empty backing file name is no backing file, and QEMU ignores
     * the backing format then. */
    { 16, { 0, 0, 0, 0 }, 4, NULL, NULL },
    /* A second backing format extension replaces the first, as in QEMU. */
    { 128, { 0xe2, 0x79, 0x2a, 0xca, 0, 0, 0, 3, 'r', 'a', 'w', 0, 0, 0, 0, 0,
             0, 0, 0, 0, 0, 0, 0, 0 }, 24, "base.qcow2", "raw" },
    /* An extension of an unknown type is skipped. */
    { 128, { 0x12, 0x34, 0x56, 0x78 }, 4, "base.qcow2", "qcow2" },
  };
  g_autofree char *overlay = make_overlay (f);
  g_autofree char *edited = fixture_path (f, "edited.qcow2");

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_auto(PvmQcow2Info) info = { 0 };

      copy_patched (overlay, edited, edits[i].offset, edits[i].bytes, edits[i].len);
      read_info_ok (edited, &info);
      g_assert_cmpstr (info.backing_file, ==, edits[i].backing_file);
      g_assert_cmpstr (info.backing_format, ==, edits[i].backing_format);
      assert_agrees_with_qemu (f, "edited.qcow2", &info);
    }
}

static void
test_not_qcow2 (Fixture       *f,
                gconstpointer  data)
{
  static const guint8 text[] = "hello, world\n";
  g_autofree char *raw = fixture_path (f, "disk.raw");
  g_autofree char *empty = fixture_path (f, "empty");
  g_autofree char *hello = fixture_path (f, "hello.txt");
  g_autofree char *subdir = fixture_path (f, "subdir");
  g_autofree char *fifo = fixture_path (f, "fifo");

  create_image (f, "raw", NULL, "disk.raw", "1M");
  assert_read_error (raw, PVM_ERROR_NOT_QCOW2,
                     "is not a qcow2 image (it starts with the bytes 00 00 00 00,");
  g_assert_false (pvm_qcow2_is_qcow2 (raw));

  write_file (empty, (const guint8 *) "", 0);
  assert_read_error (empty, PVM_ERROR_NOT_QCOW2, "is not a qcow2 image (it is empty)");
  g_assert_false (pvm_qcow2_is_qcow2 (empty));

  write_file (hello, text, 2);
  assert_read_error (hello, PVM_ERROR_NOT_QCOW2, "(it starts with the bytes 68 65,");
  write_file (hello, text, sizeof text - 1);
  assert_read_error (hello, PVM_ERROR_NOT_QCOW2, "(it starts with the bytes 68 65 6c 6c,");
  g_assert_false (pvm_qcow2_is_qcow2 (hello));

  g_assert_cmpint (g_mkdir (subdir, 0755), ==, 0);
  assert_read_error (subdir, PVM_ERROR_NOT_QCOW2, "is not a qcow2 image (it is a directory)");
  g_assert_false (pvm_qcow2_is_qcow2 (subdir));

  /* A FIFO without a writer would block a plain open. */
  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  assert_read_error (fifo, PVM_ERROR_NOT_QCOW2, "neither a regular file nor a block device");
  g_assert_false (pvm_qcow2_is_qcow2 (fifo));
}

static void
test_missing (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *missing = fixture_path (f, "missing.qcow2");
  g_autofree char *file = fixture_path (f, "file");
  g_autofree char *under_file = g_build_filename (file, "x.qcow2", NULL);

  assert_read_error (missing, PVM_ERROR_NOT_FOUND, "does not exist");
  g_assert_false (pvm_qcow2_is_qcow2 (missing));

  write_file (file, (const guint8 *) "", 0);
  assert_read_error (under_file, PVM_ERROR_NOT_FOUND, "does not exist");
}

static void
test_no_permission (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = fixture_path (f, "x.qcow2");

  create_image (f, "qcow2", NULL, "x.qcow2", "1G");
  g_assert_cmpint (g_chmod (path, 0), ==, 0);

  if (geteuid () == 0)
    {
      g_auto(PvmQcow2Info) info = { 0 };

      /* root reads any file. */
      read_info_ok (path, &info);
      g_assert_cmpuint (info.virtual_size, ==, GIB);
    }
  else
    {
      assert_read_error (path, PVM_ERROR_PERMISSION_DENIED, "permission denied");
      g_assert_false (pvm_qcow2_is_qcow2 (path));
    }
}

static void
test_truncated (Fixture       *f,
                gconstpointer  data)
{
  static const struct {
    gsize       len;
    const char *reason;
  } cuts[] = {
    { 2, "its header ends at byte 72" },
    { 4, "its header ends at byte 72" },
    { 50, "its header ends at byte 72" },
    { 71, "its header ends at byte 72" },
    { 100, "its version 3 header ends at byte 104" },
    { 110, "its version 3 header ends at byte 112" },
    /* Inside the feature name table, before the end of the extensions */
    { 300, "its header extension area ends at byte 528" },
    /* Inside the backing file name, "base.qcow2" at byte 528 */
    { 531, "its backing file name ends at byte 538" },
  };
  g_autofree char *overlay = make_overlay (f);
  g_autofree char *cut = fixture_path (f, "cut.qcow2");

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *reason = g_strdup_printf ("has a truncated qcow2 header (the file is %"
                                                 G_GSIZE_FORMAT " bytes long, but %s)",
                                                 cuts[i].len, cuts[i].reason);

      copy_head (overlay, cut, cuts[i].len);
      assert_read_error (cut, PVM_ERROR_NOT_QCOW2, reason);
      /* The magic is all pvm_qcow2_is_qcow2() looks at. */
      g_assert_cmpint (pvm_qcow2_is_qcow2 (cut), ==, cuts[i].len >= 4);
    }

  /* The whole file reads, so the cuts above are what failed. */
  copy_head (overlay, cut, 538);
  {
    g_auto(PvmQcow2Info) info = { 0 };

    read_info_ok (cut, &info);
    g_assert_cmpstr (info.backing_file, ==, "base.qcow2");
  }
}

static void
test_corrupt (Fixture       *f,
              gconstpointer  data)
{
  /* One header field of a real overlay (see make_overlay()) changed at a
   * time. */
  static const struct {
    gsize       offset;
    guint       width;
    guint64     value;
    gint        code;
    const char *reason;
  } patches[] = {
    { 0, 4, 0x514649fa, PVM_ERROR_NOT_QCOW2, "it starts with the bytes 51 46 49 fa," },
    { 4, 4, 7, PVM_ERROR_NOT_QCOW2, "it has the qcow2 magic but version 7;" },
    { 4, 4, 1, PVM_ERROR_NOT_QCOW2, "it has the qcow2 magic but version 1;" },
    { 16, 4, 5000, PVM_ERROR_NOT_QCOW2,
      "corrupt qcow2 header (the backing file name is 5000 bytes long; the limit is 1023)" },
    { 16, 4, 1024, PVM_ERROR_NOT_QCOW2, "the backing file name is 1024 bytes long" },
    { 8, 8, 65530, PVM_ERROR_NOT_QCOW2,
      "the 10-byte backing file name at byte 65530 runs past the first cluster of 65536 bytes" },
    { 8, 8, G_GUINT64_CONSTANT (1) << 40, PVM_ERROR_NOT_QCOW2,
      "runs past the first cluster of 65536 bytes" },
    { 8, 8, 64, PVM_ERROR_NOT_QCOW2,
      "the backing file name at byte 64 overlaps the 112-byte header" },
    { 8, 8, 516, PVM_ERROR_NOT_QCOW2,
      "header extension 0x6803f857 at byte 128 is 384 bytes long and runs past "
      "the backing file name" },
    { 8, 8, 524, PVM_ERROR_NOT_QCOW2,
      "the header extension at byte 520 runs past the backing file name" },
    { 20, 4, 8, PVM_ERROR_NOT_QCOW2, "cluster_bits is 8, not between 9 and 21" },
    { 20, 4, 22, PVM_ERROR_NOT_QCOW2, "cluster_bits is 22, not between 9 and 21" },
    { 20, 4, 0xffffffff, PVM_ERROR_NOT_QCOW2, "cluster_bits is 4294967295," },
    { 24, 8, G_GUINT64_CONSTANT (1) << 63, PVM_ERROR_NOT_QCOW2,
      "the virtual size 9223372036854775808 bytes is larger" },
    { 100, 4, 100, PVM_ERROR_NOT_QCOW2,
      "header_length is 100, not between 104 and the cluster size 65536" },
    { 100, 4, 65544, PVM_ERROR_NOT_QCOW2, "header_length is 65544," },
    { 116, 4, 0x100000, PVM_ERROR_NOT_QCOW2,
      "header extension 0xe2792aca at byte 112 is 1048576 bytes long and runs past" },
    /* The name's first byte */
    { 528, 1, 0xff, PVM_ERROR_FAILED, "has a backing file name that is not valid UTF-8" },
    { 528, 1, 0x00, PVM_ERROR_NOT_QCOW2, "(the backing file name contains a zero byte)" },
    /* The format's first byte */
    { 120, 1, 0xc3, PVM_ERROR_FAILED, "has a backing file format that is not valid UTF-8" },
    { 122, 1, 0x00, PVM_ERROR_NOT_QCOW2, "(the backing file format contains a zero byte)" },
  };
  g_autofree char *overlay = make_overlay (f);
  g_autofree char *bad = fixture_path (f, "bad.qcow2");

  for (guint i = 0; i < G_N_ELEMENTS (patches); i++)
    {
      g_test_message ("patch %u bytes at %" G_GSIZE_FORMAT, patches[i].width,
                      patches[i].offset);
      copy_patched_be (overlay, bad, patches[i].offset, patches[i].width, patches[i].value);
      assert_read_error (bad, patches[i].code, patches[i].reason);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add ("/qcow2/blank/v3", Fixture, &compat_default,
              fixture_set_up, test_blank, fixture_tear_down);
  g_test_add ("/qcow2/blank/v2", Fixture, &compat_v2,
              fixture_set_up, test_blank, fixture_tear_down);
  ADD ("/qcow2/sizes", test_sizes);
  ADD ("/qcow2/cluster-sizes", test_cluster_sizes);
  ADD ("/qcow2/backing/relative", test_backing_relative);
  ADD ("/qcow2/backing/absolute", test_backing_absolute);
  ADD ("/qcow2/backing/subdirectory", test_backing_subdirectory);
  ADD ("/qcow2/backing/odd-names", test_backing_odd_names);
  ADD ("/qcow2/backing/raw", test_backing_raw);
  ADD ("/qcow2/backing/v2", test_backing_v2);
  ADD ("/qcow2/backing/protocol", test_backing_protocol);
  ADD ("/qcow2/backing/longest-name", test_backing_longest_name);
  ADD ("/qcow2/data-file", test_data_file);
  ADD ("/qcow2/feature-bits", test_feature_bits);
  ADD ("/qcow2/edited-headers", test_edited_headers);
  ADD ("/qcow2/error/not-qcow2", test_not_qcow2);
  ADD ("/qcow2/error/missing", test_missing);
  ADD ("/qcow2/error/no-permission", test_no_permission);
  ADD ("/qcow2/error/truncated", test_truncated);
  ADD ("/qcow2/error/corrupt", test_corrupt);

#undef ADD

  return g_test_run ();
}
