/* SPDX-License-Identifier: BSD-3-Clause */
/* test-config.c: PvmConfig, sizes and comma lists. */

#define G_LOG_DOMAIN "test-config"

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pvm-core.h"

/* --- sizes ------------------------------------------------------------- */

typedef struct
{
  const char *text;
  guint64     bytes;      /* 0: invalid */
  const char *message;    /* part of the error message when invalid */
} SizeCase;

static const SizeCase size_cases[] = {
  { "4G", 4 * PVM_SIZE_GIB, NULL },
  { "4g", 4 * PVM_SIZE_GIB, NULL },
  { "512M", 512 * PVM_SIZE_MIB, NULL },
  { "1.5G", 3 * PVM_SIZE_GIB / 2, NULL },
  { "0.5K", 512, NULL },
  { "100000K", 100000 * PVM_SIZE_KIB, NULL },
  { "1T", 1024 * PVM_SIZE_GIB, NULL },
  { "4096", 4 * PVM_SIZE_GIB, NULL },           /* MiB without a unit, as QEMU's -m */
  { "1B", 1, NULL },
  { "16E", 0, "too large" },
  { "8E", 0, "too large" },
  { "7E", 7 * (PVM_SIZE_GIB << 30), NULL },
  { "99999999999999999999", 0, "too large" },
  { "", 0, "use a number" },
  { "G", 0, "use a number" },
  { "4GB", 0, "use a number" },
  { "4X", 0, "use a number" },
  { "-1G", 0, "use a number" },
  { " 4G", 0, "use a number" },
  { "4G ", 0, "use a number" },
  { "1.5.5G", 0, "use a number" },
  { "1.5", 0, "needs a unit" },
  { "0", 0, "larger than zero" },
  { "0.0001K", 0, "whole number of bytes" },
};

static void
test_size_parse (gconstpointer data)
{
  const SizeCase *c = data;
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;
  gboolean ok = pvm_size_parse (c->text, PVM_SIZE_MIB, &bytes, &error);

  if (c->bytes != 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpuint (bytes, ==, c->bytes);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, c->message));
      g_assert_nonnull (strstr (error->message, c->text));
    }
}

static void
test_size_format (void)
{
  static const struct { guint64 bytes; const char *text; } cases[] = {
    { 0, "0 bytes" },
    { 1000, "1000 bytes" },
    { 1024, "1 KiB" },
    { 512 * PVM_SIZE_MIB, "512 MiB" },
    { 3 * PVM_SIZE_GIB / 2, "1.5 GiB" },
    { 4 * PVM_SIZE_GIB, "4 GiB" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = pvm_size_format (cases[i].bytes);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* --- comma lists ------------------------------------------------------- */

typedef struct
{
  const char *text;
  const char *values[5];
} SplitCase;

static const SplitCase split_cases[] = {
  { "a", { "a" } },
  { "a,b", { "a", "b" } },
  { "image1,image2,image3", { "image1", "image2", "image3" } },
  { "", { "" } },
  { " -snapshot", { " -snapshot" } },
  { "a\\,b,c", { "a,b", "c" } },
  { "a\\\\,b", { "a\\", "b" } },
  { "x\\y", { "x\\y" } },
  { "a,,b", { "a", "", "b" } },
  { "a,", { "a", "" } },
  { "/path/to/data", { "/path/to/data" } },
};

static void
test_split_list (gconstpointer data)
{
  const SplitCase *c = data;
  g_auto(GStrv) values = pvm_config_split_list (c->text);

  g_assert_cmpstrv (values, c->values);
}

/* --- setting values ---------------------------------------------------- */

typedef struct
{
  const char *key;
  const char *values[3];
  const char *message;    /* NULL: valid */
} SetCase;

static const SetCase set_cases[] = {
  { "MEM", { "4G", "512M" }, NULL },
  { "MEM", { "4G", "4X" }, "MEM: Invalid size \"4X\"" },
  { "MEM", { "0" }, "larger than zero" },
  { "CORES", { "1", "4096" }, NULL },
  { "CORES", { "0" }, "CORES: Invalid number \"0\"" },
  { "CORES", { "4097" }, "from 1 to 4096" },
  { "CORES", { "two" }, "Invalid number \"two\"" },
  { "INIT_SSH_PORT", { "2222" }, NULL },
  { "INIT_SSH_PORT", { "70000" }, "Invalid port \"70000\"" },
  { "INIT_SSH_PORT", { "22", "23" }, "INIT_SSH_PORT takes one value, not 2" },
  { "NET_TYPE", { "tap" }, NULL },
  { "NET_TYPE", { "bridge" }, "use user or tap" },
  { "INSTALLING", { "true" }, NULL },
  { "INSTALLING", { "yes" }, "use true or false" },
  { "CPU_MODE", { "fastest" }, NULL },
  { "CPU_MODE", { "fast" }, "use migration-safe or fastest" },
  { "OUTPUT_MODE", { "disk" }, NULL },
  { "OUTPUT_MODE", { "9p" }, "use shared or disk" },
  { "OUTPUT_DISK_SIZE", { "64M" }, NULL },
  { "OUTPUT_DISK_SIZE", { "lots" }, "lots" },
  { "DRIVEREPO", { "/a", "/b" }, "DRIVEREPO takes one value" },
  { "DRIVES", { "image1", "image2" }, NULL },
  { "ADDITIONAL", { "", " -snapshot" }, NULL },
  { "MEMORY", { "4G" }, "Unknown setting \"MEMORY\"" },
};

static void
test_set (gconstpointer data)
{
  const SetCase *c = data;
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) before = NULL;
  gboolean known = pvm_config_describe_key (c->key) != NULL;
  gboolean ok;

  if (known)
    before = g_strdupv ((char **) pvm_config_get_list (config, c->key));

  ok = pvm_config_set_list (config, c->key, c->values, &error);

  if (c->message == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstrv (pvm_config_get_list (config, c->key), c->values);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, c->message) == NULL)
        g_error ("\"%s\" does not contain \"%s\"", error->message, c->message);
      /* A refused value changes nothing. */
      if (known)
        g_assert_cmpstrv (pvm_config_get_list (config, c->key), before);
    }
}

static void
test_defaults (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "pvm", "images", NULL);
  g_autofree char *data = g_build_filename (g_get_user_data_dir (), "pvm", "data", NULL);
  const char * const empty[] = { NULL };
  const char * const mem[] = { "2G", NULL };
  const char * const cores[] = { "2", NULL };
  const char * const additional[] = { "", NULL };

  g_assert_cmpstr (pvm_config_get_string (config, "DRIVEREPO"), ==, images);
  g_assert_cmpstr (pvm_config_get_string (config, "SQUASHREPO"), ==, data);
  g_assert_cmpstr (pvm_config_get_string (config, "QEMU_BIN"), ==, "qemu-system-x86_64");
  g_assert_cmpint (pvm_config_get_net_type (config), ==, PVM_NET_TYPE_USER);
  g_assert_cmpstrv (pvm_config_get_list (config, "DRIVES"), empty);
  g_assert_cmpstrv (pvm_config_get_list (config, "INDRIVES"), empty);
  g_assert_cmpstrv (pvm_config_get_list (config, "OUTDIRS"), empty);
  g_assert_cmpstrv (pvm_config_get_list (config, "MEM"), mem);
  g_assert_cmpstrv (pvm_config_get_list (config, "CORES"), cores);
  g_assert_cmpstrv (pvm_config_get_list (config, "ADDITIONAL"), additional);
  g_assert_cmpuint (pvm_config_get_uint (config, "INIT_SSH_PORT"), ==, 2222);
  g_assert_cmpstr (pvm_config_get_string (config, "VM_BRIDGE"), ==, "ovs-br1");
  g_assert_cmpstr (pvm_config_get_string (config, "BR_ADDR"), ==, "10.0.0.1/24");
  g_assert_cmpstr (pvm_config_get_string (config, "LEASE_RANGE"), ==, "10.0.0.2,10.0.0.30");
  g_assert_false (pvm_config_get_boolean (config, "INSTALLING"));
  g_assert_cmpstr (pvm_config_get_string (config, "INSTALL_MEDIA"), ==, "");
  g_assert_cmpstr (pvm_config_get_string (config, "LIBVIRT_URI"), ==, pvm_host_get_default_uri ());
  g_assert_cmpint (pvm_config_get_cpu_mode (config), ==, PVM_CPU_MODE_MIGRATION_SAFE);
  g_assert_cmpint (pvm_config_get_output_mode (config), ==, PVM_OUTPUT_MODE_SHARED);

  /* Nothing set, nothing written. */
  {
    g_autofree char *data_out = pvm_config_to_data (config);
    g_assert_null (strstr (data_out, "[pvm]"));
  }
}

static void
test_tilde (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_build_filename (g_get_home_dir (), "VMs", NULL);
  const char * const drives[] = { "~/a.qcow2", "b", "x~/y", NULL };

  pvm_config_set_string (config, "DRIVEREPO", "~/VMs", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pvm_config_get_string (config, "DRIVEREPO"), ==, expected);

  pvm_config_set_list (config, "DRIVES", drives, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pvm_config_get_list (config, "DRIVES")[0], g_get_home_dir ()));
  g_assert_cmpstr (pvm_config_get_list (config, "DRIVES")[1], ==, "b");
  g_assert_cmpstr (pvm_config_get_list (config, "DRIVES")[2], ==, "x~/y");
}

/* Every setting is documented, with its default. */
static void
test_documented (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "docs", "configuration.md",
                                                 NULL);
  g_autofree char *doc = NULL;
  const char * const *keys = pvm_config_list_keys ();
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &doc, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (g_strv_length ((char **) keys), ==, 21);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autofree char *row = g_strdup_printf ("| `%s` |", keys[i]);

      if (strstr (doc, row) == NULL)
        g_error ("docs/configuration.md has no row for %s", keys[i]);
      g_assert_nonnull (pvm_config_describe_key (keys[i]));
    }
}

/* HOSTS: NAME=URI entries after the local host; bad entries refused with
 * what is wrong, and nothing stored. */
static void
test_hosts (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GPtrArray) hosts = NULL;
  g_autoptr(GError) error = NULL;
  const char * const good[] = { "big=qemu+ssh://me@server.example/session?keyfile=/k",
                                "gpu-1=qemu:///system", NULL };
  const struct { const char *entry; const char *message; } bad[] = {
    { "qemu+ssh://server/session", "write NAME=URI" },
    { "local=qemu:///system", "LIBVIRT_URI's host" },
    { "my host=qemu:///system", "Invalid host name \"my host\"" },
    { "x=http://server/", "Invalid libvirt URI" },
    { "x=", "Invalid libvirt URI" },
  };
  const PvmHostEntry *entry;
  g_autofree char *address = NULL;
  g_autofree char *local_address = NULL;

  pvm_config_set_string (config, "LIBVIRT_URI", "qemu:///session", &error);
  g_assert_no_error (error);
  hosts = pvm_hosts_from_config (config);
  g_assert_cmpuint (hosts->len, ==, 1);
  g_clear_pointer (&hosts, g_ptr_array_unref);

  pvm_config_set_list (config, "HOSTS", good, &error);
  g_assert_no_error (error);
  hosts = pvm_hosts_from_config (config);
  g_assert_cmpuint (hosts->len, ==, 3);
  entry = g_ptr_array_index (hosts, 0);
  g_assert_cmpstr (entry->name, ==, "local");
  g_assert_cmpstr (entry->uri, ==, "qemu:///session");
  entry = pvm_hosts_find (hosts, "big", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (entry->uri, ==, "qemu+ssh://me@server.example/session?keyfile=/k");
  g_assert_true (pvm_hosts_find_uri (hosts, "qemu:///system") == g_ptr_array_index (hosts, 2));
  g_assert_false (pvm_hosts_uri_is_local (entry->uri));
  g_assert_true (pvm_hosts_uri_is_local ("qemu:///system"));
  address = pvm_hosts_dup_address (entry->uri);
  g_assert_cmpstr (address, ==, "server.example");
  local_address = pvm_hosts_dup_address ("qemu:///session");
  g_assert_cmpstr (local_address, ==, "127.0.0.1");

  g_assert_null (pvm_hosts_find (hosts, "small", &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "the hosts are local, big, gpu-1"));
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char * const list[] = { "ok=qemu:///system", bad[i].entry, NULL };

      g_assert_false (pvm_config_set_list (config, "HOSTS", list, &error));
      g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_ARGUMENT);
      if (strstr (error->message, bad[i].message) == NULL)
        g_error ("HOSTS %s: \"%s\" lacks \"%s\"", bad[i].entry, error->message, bad[i].message);
      g_clear_error (&error);
      /* The good value stays. */
      g_assert_cmpstr (pvm_config_get_list (config, "HOSTS")[0], ==, good[0]);
    }
}

/* --- files ------------------------------------------------------------- */

static char *
write_temp (const char *dir,
            const char *name,
            const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static const char original_cfg[] =
  "# pVM.cfg as the original shipped it, more or less\n"
  "DRIVEREPO=\"${HOME}/VMs\"\n"
  "SQUASHREPO=\"$HOME/squash\"\n"
  "QEMU_BIN=\"/usr/bin/qemu-system-x86_64\"\n"
  "NET_TYPE=\"user\"\n"
  "\n"
  "DRIVES=( \"${DRIVEREPO}/image1.qcow2\"   # the first\n"
  "         image2\n"
  "       )\n"
  "INDRIVES=( data1 \"/path/to/data\" )\n"
  "OUTDIRS=( \"/path/to/output\" )\n"
  "MEM=( 4G 8G )\n"
  "CORES=( 4 )\n"
  "ADDITIONAL=( \"\" \" -snapshot\" )\n"
  "INIT_SSH_PORT=2230\n"
  "VM_BRIDGE=\"ovs-br1\"\n"
  "BR_ADDR=\"10.0.0.1/24\"\n"
  "LEASE_RANGE=\"10.0.0.2,10.0.0.30\"\n"
  "INSTALLING=\"false\"\n"
  "INSTALL_MEDIA=\"${HOME}/iso/archlinux.iso\"\n"
  "SOMETHING_ELSE=\"a helper variable, not a setting\"\n";

static void
check_original_values (PvmConfig *config)
{
  g_autofree char *repo = g_build_filename (g_get_home_dir (), "VMs", NULL);
  g_autofree char *image1 = g_build_filename (repo, "image1.qcow2", NULL);
  g_autofree char *squash = g_strdup_printf ("%s/squash", g_get_home_dir ());
  g_autofree char *media = g_strdup_printf ("%s/iso/archlinux.iso", g_get_home_dir ());
  const char * const drives[] = { image1, "image2", NULL };
  const char * const indrives[] = { "data1", "/path/to/data", NULL };
  const char * const outdirs[] = { "/path/to/output", NULL };
  const char * const mem[] = { "4G", "8G", NULL };
  const char * const cores[] = { "4", NULL };
  const char * const additional[] = { "", " -snapshot", NULL };

  g_assert_cmpstr (pvm_config_get_string (config, "DRIVEREPO"), ==, repo);
  g_assert_cmpstr (pvm_config_get_string (config, "SQUASHREPO"), ==, squash);
  g_assert_cmpstr (pvm_config_get_string (config, "QEMU_BIN"), ==, "/usr/bin/qemu-system-x86_64");
  g_assert_cmpstrv (pvm_config_get_list (config, "DRIVES"), drives);
  g_assert_cmpstrv (pvm_config_get_list (config, "INDRIVES"), indrives);
  g_assert_cmpstrv (pvm_config_get_list (config, "OUTDIRS"), outdirs);
  g_assert_cmpstrv (pvm_config_get_list (config, "MEM"), mem);
  g_assert_cmpstrv (pvm_config_get_list (config, "CORES"), cores);
  g_assert_cmpstrv (pvm_config_get_list (config, "ADDITIONAL"), additional);
  g_assert_cmpuint (pvm_config_get_uint (config, "INIT_SSH_PORT"), ==, 2230);
  g_assert_false (pvm_config_get_boolean (config, "INSTALLING"));
  g_assert_cmpstr (pvm_config_get_string (config, "INSTALL_MEDIA"), ==, media);
}

static void
test_load_original (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-config-XXXXXX", NULL);
  g_autofree char *cfg = write_temp (dir, "pVM.cfg", original_cfg);
  g_autofree char *conf_dir = g_build_filename (dir, "sub", NULL);
  g_autofree char *conf = g_build_filename (conf_dir, "pvm.conf", NULL);
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(PvmConfig) reloaded = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  PvmConfigFormat format = PVM_CONFIG_FORMAT_NATIVE;

  pvm_config_load_file (config, cfg, &format, &error);
  g_assert_no_error (error);
  g_assert_cmpint (format, ==, PVM_CONFIG_FORMAT_LEGACY);
  check_original_values (config);

  /* Imported into the native format, it reads back the same. */
  pvm_config_save (config, conf, &error);
  g_assert_no_error (error);
  pvm_config_load_file (reloaded, conf, &format, &error);
  g_assert_no_error (error);
  g_assert_cmpint (format, ==, PVM_CONFIG_FORMAT_NATIVE);
  check_original_values (reloaded);
  for (const char * const *key = pvm_config_list_keys (); *key != NULL; key++)
    g_assert_cmpstrv (pvm_config_get_list (config, *key), pvm_config_get_list (reloaded, *key));

  g_assert_cmpint (g_unlink (conf), ==, 0);
  g_assert_cmpint (g_rmdir (conf_dir), ==, 0);
  g_assert_cmpint (g_unlink (cfg), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_load_native (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-config-XXXXXX", NULL);
  g_autofree char *conf = write_temp (dir, "pvm.conf",
                                      "# comment\n"
                                      "[pvm]\n"
                                      "DRIVEREPO=/srv/images\n"
                                      "DRIVES=image1;image2;with\\;semicolon\n"
                                      "ADDITIONAL=;\\s-snapshot\n"
                                      "NET_TYPE=tap\n"
                                      "OUTPUT_MODE=disk\n");
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  const char * const drives[] = { "image1", "image2", "with;semicolon", NULL };
  const char * const additional[] = { "", " -snapshot", NULL };
  const char * const mem[] = { "2G", NULL };
  PvmConfigFormat format = PVM_CONFIG_FORMAT_LEGACY;

  pvm_config_load_file (config, conf, &format, &error);
  g_assert_no_error (error);
  g_assert_cmpint (format, ==, PVM_CONFIG_FORMAT_NATIVE);
  g_assert_cmpstr (pvm_config_get_string (config, "DRIVEREPO"), ==, "/srv/images");
  g_assert_cmpstrv (pvm_config_get_list (config, "DRIVES"), drives);
  g_assert_cmpstrv (pvm_config_get_list (config, "ADDITIONAL"), additional);
  g_assert_cmpstrv (pvm_config_get_list (config, "MEM"), mem);
  g_assert_cmpint (pvm_config_get_net_type (config), ==, PVM_NET_TYPE_TAP);
  g_assert_cmpint (pvm_config_get_output_mode (config), ==, PVM_OUTPUT_MODE_DISK);

  g_assert_cmpint (g_unlink (conf), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

typedef struct
{
  const char *name;
  const char *contents;
  int         code;
  const char *message;   /* after "PATH: " (or "PATH:LINE: ") */
} BadFileCase;

static const BadFileCase bad_file_cases[] = {
  { "unknown-key", "[pvm]\nMEMORY=4G\n", PVM_ERROR_INVALID_CONFIG,
    ": unknown setting \"MEMORY\" in [pvm]" },
  { "unknown-group", "[vm]\nMEM=4G\n", PVM_ERROR_INVALID_CONFIG, ": unknown group [vm]" },
  { "bad-size", "[pvm]\nMEM=4G;lots\n", PVM_ERROR_INVALID_CONFIG,
    ": MEM: Invalid size \"lots\"" },
  { "bad-keyfile", "[pvm]\nthis is not a key file line\n", PVM_ERROR_INVALID_CONFIG, ": " },
  { "bad-choice", "[pvm]\nNET_TYPE=bridge\n", PVM_ERROR_INVALID_CONFIG, ": NET_TYPE: " },
  { "legacy-bad-size", "MEM=( 4G 8 GB )\n", PVM_ERROR_INVALID_CONFIG,
    ": MEM: Invalid size \"GB\"" },
  { "legacy-command", "DRIVEREPO=/srv\nrm -rf /\n", PVM_ERROR_INVALID_CONFIG, ":2: " },
  { "legacy-substitution", "DRIVEREPO=$(pwd)\n", PVM_ERROR_INVALID_CONFIG, ":1: " },
  { "legacy-two-repos", "DRIVEREPO=( /a /b )\n", PVM_ERROR_INVALID_CONFIG,
    ": DRIVEREPO takes one value, not 2" },
};

static void
test_load_bad (gconstpointer data)
{
  const BadFileCase *c = data;
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-config-XXXXXX", NULL);
  g_autofree char *path = write_temp (dir, c->name, c->contents);
  g_autofree char *expected = g_strconcat (path, c->message, NULL);
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (pvm_config_load_file (config, path, NULL, &error));
  g_assert_error (error, PVM_ERROR, c->code);
  if (!g_str_has_prefix (error->message, expected))
    g_error ("\"%s\" does not start with \"%s\"", error->message, expected);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_load_missing (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (pvm_config_load_file (config, "/nonexistent/pVM.cfg", NULL, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/pVM.cfg"));
}

static void
test_load_default (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = pvm_config_dup_default_path ();
  g_autofree char *loaded = NULL;
  g_autofree char *expected = g_build_filename (g_get_user_config_dir (), "pvm", "pvm.conf", NULL);

  g_assert_cmpstr (path, ==, expected);

  /* No file: the defaults, and no error. */
  g_assert_true (pvm_config_load_default (config, &loaded, &error));
  g_assert_no_error (error);
  g_assert_null (loaded);

  g_assert_true (pvm_config_set_string (config, "CORES", "3", &error));
  g_assert_true (pvm_config_save (config, path, &error));
  g_assert_no_error (error);

  {
    g_autoptr(PvmConfig) again = pvm_config_new ();

    g_assert_true (pvm_config_load_default (again, &loaded, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (loaded, ==, path);
    g_assert_cmpstr (pvm_config_get_list (again, "CORES")[0], ==, "3");
  }

  g_assert_cmpint (g_unlink (path), ==, 0);
}

static void
test_save_fails_cleanly (void)
{
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-config-XXXXXX", NULL);
  g_autofree char *file = write_temp (dir, "a-file", "x");
  g_autofree char *path = g_build_filename (file, "pvm.conf", NULL);
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) listing = NULL;

  /* Its directory would have to be a file: refused, and nothing written. */
  g_assert_false (pvm_config_save (config, path, &error));
  g_assert_error (error, PVM_ERROR, PVM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, file));

  listing = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "a-file");
  g_assert_null (g_dir_read_name (listing));

  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A copy has the same values and saves the same file; it changes apart. */
static void
test_copy (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(PvmConfig) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *copy_data = NULL;

  g_assert_true (pvm_config_set_string (config, "OUTPUT_MODE", "disk", &error));
  g_assert_true (pvm_config_set_string (config, "CORES", "3", &error));
  g_assert_no_error (error);

  copy = pvm_config_copy (config);
  data = pvm_config_to_data (config);
  copy_data = pvm_config_to_data (copy);
  g_assert_cmpstr (copy_data, ==, data);
  g_assert_nonnull (strstr (copy_data, "OUTPUT_MODE=disk"));
  /* Defaults stay defaults: not written. */
  g_assert_null (strstr (copy_data, "QEMU_BIN"));
  g_assert_cmpstr (pvm_config_get_string (copy, "QEMU_BIN"), ==, "qemu-system-x86_64");

  g_assert_true (pvm_config_set_string (config, "CORES", "4", &error));
  g_assert_cmpstr (pvm_config_get_list (copy, "CORES")[0], ==, "3");
}

/* A new user's default repositories are made on first use. */
static void
test_repository_default_made (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *images = g_build_filename (g_get_user_data_dir (), "pvm", "images", NULL);
  const char *directory;

  g_assert_false (g_file_test (images, G_FILE_TEST_EXISTS));
  directory = pvm_config_ensure_repository (config, "DRIVEREPO", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (directory, ==, images);
  g_assert_true (g_file_test (images, G_FILE_TEST_IS_DIR));
}

/* One the user chose is never made: a typo must not create a repository. */
static void
test_repository_chosen_not_made (void)
{
  g_autoptr(PvmConfig) config = pvm_config_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *chosen = g_build_filename (g_get_user_data_dir (), "my-imgaes", NULL);

  g_assert_true (pvm_config_set_string (config, "DRIVEREPO", chosen, &error));
  g_assert_cmpstr (pvm_config_ensure_repository (config, "DRIVEREPO", &error), ==, chosen);
  g_assert_no_error (error);
  g_assert_false (g_file_test (chosen, G_FILE_TEST_EXISTS));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (size_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/size/parse/%u", i);
      g_test_add_data_func (path, &size_cases[i], test_size_parse);
    }
  g_test_add_func ("/config/size/format", test_size_format);

  for (guint i = 0; i < G_N_ELEMENTS (split_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/split-list/%u", i);
      g_test_add_data_func (path, &split_cases[i], test_split_list);
    }

  for (guint i = 0; i < G_N_ELEMENTS (set_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/set/%s/%u", set_cases[i].key, i);
      g_test_add_data_func (path, &set_cases[i], test_set);
    }

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/tilde", test_tilde);
  g_test_add_func ("/config/documented", test_documented);
  g_test_add_func ("/config/load/original", test_load_original);
  g_test_add_func ("/config/load/native", test_load_native);
  for (guint i = 0; i < G_N_ELEMENTS (bad_file_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/config/load/bad/%s", bad_file_cases[i].name);
      g_test_add_data_func (path, &bad_file_cases[i], test_load_bad);
    }
  g_test_add_func ("/config/load/missing", test_load_missing);
  g_test_add_func ("/config/load/default", test_load_default);
  g_test_add_func ("/config/save/fails-cleanly", test_save_fails_cleanly);
  g_test_add_func ("/config/copy", test_copy);
  g_test_add_func ("/config/hosts", test_hosts);
  g_test_add_func ("/config/repository/default-made", test_repository_default_made);
  g_test_add_func ("/config/repository/chosen-not-made", test_repository_chosen_not_made);

  return g_test_run ();
}
