/* SPDX-License-Identifier: BSD-3-Clause */
/* test-legacy-config.c: reading the original pVM's bash pVM.cfg without
 * running it. The expected values of the good cases are what bash 5.2
 * gives when it sources the same text with HOME=/home/tester.
 */

#define G_LOG_DOMAIN "test-legacy-config"

#include "config.h"

#include <glib/gstdio.h>

#include "pvm-error.h"
#include "pvm-legacy-config.h"

#define HOME "/home/tester"

/* Stands for g_get_user_name () in expected values. */
#define USER_PLACEHOLDER "@USER@"

#define MAX_VALUES 8
#define MAX_VARS 24

typedef struct
{
  const char *name;
  const char *values[MAX_VALUES];  /* NULL-terminated */
} Var;

typedef struct
{
  const char *path;
  const char *contents;
  gssize      length;              /* 0: NUL-terminated */
  Var         vars[MAX_VARS];      /* all the file sets, up to a NULL name */
} GoodCase;

typedef struct
{
  const char *path;
  const char *contents;
  gssize      length;              /* 0: NUL-terminated */
  guint       line;                /* the message starts "pVM.cfg:LINE: " */
  const char *phrase;              /* and contains this */
  const char *filename;            /* NULL: "pVM.cfg" */
} BadCase;

typedef struct
{
  const char *path;
  const char *contents;
  gssize      length;              /* 0: NUL-terminated */
  gboolean    expected;
} SniffCase;

/* A pVM.cfg as the original pVM shipped it, filled in by a user. */
#define FULL_CFG \
  "# pVM configuration file\n" \
  "#\n" \
  "# General options\n" \
  "DRIVEREPO=\"/data/VMs/images\"\n" \
  "SQUASHREPO='/data/VMs/squash'\n" \
  "QEMU_BIN=\"${HOME}/local/bin/qemu-system-x86_64\"\n" \
  "NET_TYPE=\"user\"        # \"user\" or \"tap\"\n" \
  "\n" \
  "# Per-VM configurations\n" \
  "DRIVES=( \"${DRIVEREPO}/image1.qcow2\"   # the first VM\n" \
  "         \"${DRIVEREPO}/image2.qcow2\"\n" \
  "         # a commented-out one: image0\n" \
  "         image3 )\n" \
  "INDRIVES=( \"${SQUASHREPO}/data1.sqsh\"\n" \
  "           \"$HOME/data\" )\n" \
  "OUTDIRS=( ~/VMs/output \"$HOME/out put\" )\n" \
  "MEM=( 4G 8G )\n" \
  "CORES=( 4 2 1 )\n" \
  "ADDITIONAL=( \"\" \" -snapshot\" )\n" \
  "\n" \
  "# User net settings\n" \
  "INIT_SSH_PORT=2222\n" \
  "\n" \
  "# Tap net settings\n" \
  "VM_BRIDGE=\"ovs-br1\"\n" \
  "BR_ADDR=\"10.0.0.1/24\"\n" \
  "LEASE_RANGE=\"10.0.0.2,10.0.0.30\"\n" \
  "\n" \
  "# New installation settings\n" \
  "INSTALLING=\"false\"\n" \
  "INSTALL_MEDIA=~/iso/archlinux-x86_64.iso\n"

static const GoodCase good_cases[] = {
  {
    "/legacy-config/parse/good/full", FULL_CFG, 0,
    {
      { "DRIVEREPO", { "/data/VMs/images" } },
      { "SQUASHREPO", { "/data/VMs/squash" } },
      { "QEMU_BIN", { HOME "/local/bin/qemu-system-x86_64" } },
      { "NET_TYPE", { "user" } },
      { "DRIVES", { "/data/VMs/images/image1.qcow2", "/data/VMs/images/image2.qcow2",
                    "image3" } },
      { "INDRIVES", { "/data/VMs/squash/data1.sqsh", HOME "/data" } },
      { "OUTDIRS", { HOME "/VMs/output", HOME "/out put" } },
      { "MEM", { "4G", "8G" } },
      { "CORES", { "4", "2", "1" } },
      { "ADDITIONAL", { "", " -snapshot" } },
      { "INIT_SSH_PORT", { "2222" } },
      { "VM_BRIDGE", { "ovs-br1" } },
      { "BR_ADDR", { "10.0.0.1/24" } },
      { "LEASE_RANGE", { "10.0.0.2,10.0.0.30" } },
      { "INSTALLING", { "false" } },
      { "INSTALL_MEDIA", { HOME "/iso/archlinux-x86_64.iso" } },
    },
  },
  { "/legacy-config/parse/good/empty-file", "", 0, { { NULL } } },
  { "/legacy-config/parse/good/comments-only", "# nothing\n\n   # here\n\t\n", 0, { { NULL } } },
  {
    "/legacy-config/parse/good/empty-array", "E=()\nF=(   \n  # none\n)\n", 0,
    { { "E", { NULL } }, { "F", { NULL } } },
  },
  {
    "/legacy-config/parse/good/empty-scalar", "S=\nT=  # a comment\nU=''\nV=\"\"\n", 0,
    { { "S", { "" } }, { "T", { "" } }, { "U", { "" } }, { "V", { "" } } },
  },
  {
    "/legacy-config/parse/good/single-quotes", "Q='a $HOME \"x\" \\n ${B} $(ls) `ls` ~'\n", 0,
    { { "Q", { "a $HOME \"x\" \\n ${B} $(ls) `ls` ~" } } },
  },
  {
    "/legacy-config/parse/good/double-quote-escapes",
    "D=\"say \\\"hi\\\" \\\\ \\$HOME \\` \\a 'q'\"\n", 0,
    { { "D", { "say \"hi\" \\ $HOME ` \\a 'q'" } } },
  },
  {
    "/legacy-config/parse/good/unquoted-escapes", "E=\\$HOME\\ x\\\"\\'\\#\n", 0,
    { { "E", { "$HOME x\"'#" } } },
  },
  {
    "/legacy-config/parse/good/mixed-quoting", "M=a'b c'\"d $USER\"e\n", 0,
    { { "M", { "ab cd " USER_PLACEHOLDER "e" } } },
  },
  {
    "/legacy-config/parse/good/continuation",
    "C=abc\\\ndef\nD=\"abc\\\ndef\"\nS='abc\\\ndef'\nDRI\\\nVES=( a\\\nb c )\nH=$HO\\\nME\n", 0,
    {
      { "C", { "abcdef" } },
      { "D", { "abcdef" } },
      { "S", { "abc\\\ndef" } },
      { "DRIVES", { "ab", "c" } },
      { "H", { HOME } },
    },
  },
  {
    "/legacy-config/parse/good/several-per-line", "A=1 B=2\tC=$A$B D=( x y ) E=3\n", 0,
    {
      { "A", { "1" } },
      { "B", { "2" } },
      { "C", { "12" } },
      { "D", { "x", "y" } },
      { "E", { "3" } },
    },
  },
  {
    "/legacy-config/parse/good/later-overrides",
    "L=first\nL=second\nN=x\nN=( y z )\nO=( a b )\nO=( c )\n", 0,
    { { "L", { "second" } }, { "N", { "y", "z" } }, { "O", { "c" } } },
  },
  {
    /* bash: NAME=word on an array sets its first element, keeps the others. */
    "/legacy-config/parse/good/scalar-over-array",
    "M=( a b )\nM=c\nE=()\nE=x\nS=( y )\nS=z\n", 0,
    { { "M", { "c", "b" } }, { "E", { "x" } }, { "S", { "z" } } },
  },
  {
    "/legacy-config/parse/good/array-first-element",
    "ARR=( one two )\nE=()\nF=$ARR\nG=\"${ARR}x\"\nH=$E\n", 0,
    {
      { "ARR", { "one", "two" } },
      { "E", { NULL } },
      { "F", { "one" } },
      { "G", { "onex" } },
      { "H", { "" } },
    },
  },
  {
    "/legacy-config/parse/good/unquoted-expansion-in-array",
    "D=/data\nS=\"a b\"\nA=( $D/x ${D}y \"$S\" ~/$D )\nB=$S\n", 0,
    {
      { "D", { "/data" } },
      { "S", { "a b" } },
      { "A", { "/data/x", "/datay", "a b", HOME "//data" } },
      { "B", { "a b" } },
    },
  },
  {
    "/legacy-config/parse/good/all-elements",
    "B=( \"\" x )\nE=()\nU=\n"
    "A=( \"${B[@]}\" )\nC=( ${B[@]} )\nD=( \"${E[@]}\" ${E[@]} x\"${E[@]}\" )\n"
    "P=( 0 p${B[@]}q \"r${B[@]}s\" )\nS=${B[@]}\n", 0,
    {
      { "B", { "", "x" } },
      { "E", { NULL } },
      { "U", { "" } },
      { "A", { "", "x" } },
      { "C", { "x" } },
      { "D", { "x" } },
      { "P", { "0", "p", "xq", "r", "xs" } },
      { "S", { " x" } },
    },
  },
  {
    "/legacy-config/parse/good/empty-expansions",
    "U=\nA=( $U \"$U\" $U$U a$U '' \"\" )\n", 0,
    { { "U", { "" } }, { "A", { "", "a", "", "" } } },
  },
  {
    "/legacy-config/parse/good/comments-after-values",
    "A=1 # one\nB=\"x\"\t# two\nC=( a # in the array\n  b ) # after it\n", 0,
    { { "A", { "1" } }, { "B", { "x" } }, { "C", { "a", "b" } } },
  },
  {
    "/legacy-config/parse/good/hash-inside-word",
    "A=a#b\nB=\"q\"#b\nC=#c\nD=( x#y )\n", 0,
    { { "A", { "a#b" } }, { "B", { "q#b" } }, { "C", { "#c" } }, { "D", { "x#y" } } },
  },
  {
    "/legacy-config/parse/good/tilde",
    "T=~\nT2=~/x\nT3=a~\nT4=~:~/y:z~\nT5=\"~\"\nT6=\\~/x\nT7=~/\"a b\"\nT8=( ~ ~/d x~ )\n", 0,
    {
      { "T", { HOME } },
      { "T2", { HOME "/x" } },
      { "T3", { "a~" } },
      { "T4", { HOME ":" HOME "/y:z~" } },
      { "T5", { "~" } },
      { "T6", { "~/x" } },
      { "T7", { HOME "/a b" } },
      { "T8", { HOME, HOME "/d", "x~" } },
    },
  },
  {
    "/legacy-config/parse/good/home-and-user",
    "A=$HOME/a\nB=${USER}-vm\nC=\"$USER\"\n", 0,
    {
      { "A", { HOME "/a" } },
      { "B", { USER_PLACEHOLDER "-vm" } },
      { "C", { USER_PLACEHOLDER } },
    },
  },
  {
    "/legacy-config/parse/good/home-assigned",
    "HOME=/srv\nA=~/x\nB=$HOME\n", 0,
    { { "HOME", { "/srv" } }, { "A", { "/srv/x" } }, { "B", { "/srv" } } },
  },
  {
    "/legacy-config/parse/good/literal-characters",
    "STAR=*.qcow2\nQ=a?[b]{c,d}\nDOL=$\nDOL2=a$/b\nDOL3=\"$\"\nEQ=a=b\n", 0,
    {
      { "STAR", { "*.qcow2" } },
      { "Q", { "a?[b]{c,d}" } },
      { "DOL", { "$" } },
      { "DOL2", { "a$/b" } },
      { "DOL3", { "$" } },
      { "EQ", { "a=b" } },
    },
  },
  {
    "/legacy-config/parse/good/multi-line-strings",
    "ML=\"line1\nline2\"\nSQ='a\n\nb'\nAFTER=$ML\n", 0,
    { { "ML", { "line1\nline2" } }, { "SQ", { "a\n\nb" } }, { "AFTER", { "line1\nline2" } } },
  },
  {
    "/legacy-config/parse/good/utf8", "MB=\"héllo wörld ✓\"\nN=( ünï ✓ )\n", 0,
    { { "MB", { "héllo wörld ✓" } }, { "N", { "ünï", "✓" } } },
  },
  {
    "/legacy-config/parse/good/blanks", "\t  A=1\t \n   B=( \tx\t)   \n", 0,
    { { "A", { "1" } }, { "B", { "x" } } },
  },
  {
    "/legacy-config/parse/good/crlf",
    "# pVM.cfg from Windows\r\nA=1\r\nB=( x\r\n  y )\r\nC=\"q\"\r\n\r\nD=\"a\r\nb\"\r\n", 0,
    { { "A", { "1" } }, { "B", { "x", "y" } }, { "C", { "q" } }, { "D", { "a\nb" } } },
  },
  {
    "/legacy-config/parse/good/no-final-newline", "A=1\nB=( x )", 0,
    { { "A", { "1" } }, { "B", { "x" } } },
  },
  {
    "/legacy-config/parse/good/length", "A=1\nB=$(ls)\n", 3,
    { { "A", { "1" } } },
  },
};

static const BadCase bad_cases[] = {
  {
    "/legacy-config/parse/bad/command-substitution", "A=1\nB=$(ls)\n", 0, 2,
    "command substitution \"$(\" is not allowed: pVM never runs the configuration file",
  },
  {
    "/legacy-config/parse/bad/command-substitution-quoted", "A=\"x$(ls)\"\n", 0, 1,
    "command substitution \"$(\"",
  },
  {
    "/legacy-config/parse/bad/command-substitution-array",
    "A=( a\n  \"b\n c\" $(x) )\n", 0, 3, "command substitution \"$(\"",
  },
  {
    "/legacy-config/parse/bad/command-substitution-after-continuation", "A=\\\n$(ls)\n", 0, 2,
    "command substitution \"$(\"",
  },
  {
    "/legacy-config/parse/bad/command-substitution-after-single-quotes",
    "A='\n\n$(ls)'\nB=$(ls)\n", 0, 4, "command substitution \"$(\"",
  },
  { "/legacy-config/parse/bad/backticks", "\nA=`ls`\n", 0, 2, "command substitution \"`\"" },
  {
    "/legacy-config/parse/bad/backticks-quoted", "A=\"a`ls`\"\n", 0, 1,
    "command substitution \"`\"",
  },
  { "/legacy-config/parse/bad/arithmetic", "B=$((1+2))\n", 0, 1, "arithmetic expansion \"$((\"" },
  {
    "/legacy-config/parse/bad/arithmetic-brackets", "B=\"x$[1+2]\"\n", 0, 1,
    "arithmetic expansion \"$[\"",
  },
  {
    "/legacy-config/parse/bad/command", "# a comment\n\necho hello\n", 0, 3,
    "\"echo hello\" is not an assignment",
  },
  {
    "/legacy-config/parse/bad/command-after-assignment", "A=1 echo hello\n", 0, 1,
    "\"echo hello\" is not an assignment",
  },
  {
    "/legacy-config/parse/bad/export", "export A=1\n", 0, 1,
    "\"export A=1\" is not an assignment",
  },
  {
    "/legacy-config/parse/bad/declare", "A=1\ndeclare -a B=(1)\n", 0, 2,
    "\"declare -a B=(1)\" is not an assignment",
  },
  {
    "/legacy-config/parse/bad/readonly", "readonly A=1\n", 0, 1,
    "\"readonly A=1\" is not an assignment",
  },
  {
    "/legacy-config/parse/bad/source", "source other.cfg\n", 0, 1,
    "\"source other.cfg\" is not an assignment",
  },
  { "/legacy-config/parse/bad/dot", ". other.cfg\n", 0, 1, "\". other.cfg\" is not an assignment" },
  {
    "/legacy-config/parse/bad/if", "if true\nthen A=1\nfi\n", 0, 1,
    "\"if true\" is not an assignment",
  },
  { "/legacy-config/parse/bad/function", "f() { :; }\n", 0, 1, "is not an assignment" },
  {
    "/legacy-config/parse/bad/name-starts-with-digit", "1A=x\n", 0, 1,
    "\"1A=x\" is not an assignment",
  },
  { "/legacy-config/parse/bad/quoted-name", "\"A\"=x\n", 0, 1, "is not an assignment" },
  {
    "/legacy-config/parse/bad/spaces-around-equals", "A =1\n", 0, 1,
    "bash allows no spaces around \"=\"",
  },
  {
    "/legacy-config/parse/bad/append", "A=1\nA+=2\n", 0, 2,
    "appending with \"+=\" is not supported",
  },
  {
    "/legacy-config/parse/bad/element", "A=()\nA[0]=1\n", 0, 2,
    "setting one array element is not supported",
  },
  {
    "/legacy-config/parse/bad/unterminated-double-quote", "A=1\nB=\"abc\n\nC=2\n", 0, 2,
    "unterminated double quote (opened on line 2)",
  },
  {
    "/legacy-config/parse/bad/unterminated-double-quote-escaped", "A=\"abc\\\"\n", 0, 1,
    "unterminated double quote (opened on line 1)",
  },
  {
    "/legacy-config/parse/bad/unterminated-single-quote", "A=1\n\nB=( 'abc )\n", 0, 3,
    "unterminated single quote (opened on line 3)",
  },
  {
    "/legacy-config/parse/bad/unknown-variable", "A=$FOO\n", 0, 1,
    "unknown variable \"FOO\"",
  },
  {
    "/legacy-config/parse/bad/unknown-variable-braces", "A=1\nB=( x \"${FOO}/y\" )\n", 0, 2,
    "unknown variable \"FOO\"",
  },
  {
    "/legacy-config/parse/bad/variable-assigned-later", "A=$B\nB=1\n", 0, 1,
    "unknown variable \"B\"",
  },
  {
    "/legacy-config/parse/bad/environment-variable", "A=$PATH\n", 0, 1,
    "unknown variable \"PATH\"",
  },
  {
    "/legacy-config/parse/bad/unclosed-array", "A=x\n\n\nDRIVES=( a\n b\n # c )\n", 0, 4,
    "unclosed array \"DRIVES\" (opened on line 4)",
  },
  {
    "/legacy-config/parse/bad/default-value", "A=1\nB=${VAR:-x}\n", 0, 2,
    "\"${VAR:-x}\": parameter operators are not supported",
  },
  { "/legacy-config/parse/bad/length-operator", "A=${#HOME}\n", 0, 1, "parameter operators" },
  { "/legacy-config/parse/bad/indirection", "A=${!HOME}\n", 0, 1, "parameter operators" },
  { "/legacy-config/parse/bad/index", "A=${HOME[0]}\n", 0, 1, "parameter operators" },
  { "/legacy-config/parse/bad/star-index", "A=${HOME[*]}\n", 0, 1, "parameter operators" },
  { "/legacy-config/parse/bad/unterminated-braces", "A=${HOME\n", 0, 1, "unterminated \"${\"" },
  {
    "/legacy-config/parse/bad/special-parameter", "A=$1\n", 0, 1,
    "special parameter \"$1\" is not supported",
  },
  { "/legacy-config/parse/bad/ansi-c-quoting", "A=$'x'\n", 0, 1, "ANSI-C quoting" },
  { "/legacy-config/parse/bad/locale-quoting", "A=$\"x\"\n", 0, 1, "locale quoting" },
  { "/legacy-config/parse/bad/semicolon", "A=1\nA=1; B=2\n", 0, 2, "\";\" is not allowed" },
  {
    "/legacy-config/parse/bad/ampersand", "A=1 &\n", 0, 1,
    "\"&\" is not allowed: pVM never runs the configuration file",
  },
  { "/legacy-config/parse/bad/pipe", "A=1 | B=2\n", 0, 1, "\"|\" is not allowed" },
  { "/legacy-config/parse/bad/output-redirection", "A=1 >x\n", 0, 1, "redirection \">\"" },
  { "/legacy-config/parse/bad/input-redirection", "A=( x\n) <y\n", 0, 2, "redirection \"<\"" },
  { "/legacy-config/parse/bad/metachar-in-word", "A=x>y\n", 0, 1, "redirection \">\"" },
  {
    "/legacy-config/parse/bad/glob-star", "A=( a\n *.qcow2 )\n", 0, 2,
    "unquoted \"*\" in an array: bash would expand it",
  },
  { "/legacy-config/parse/bad/glob-question", "A=( a? )\n", 0, 1, "unquoted \"?\" in an array" },
  { "/legacy-config/parse/bad/glob-bracket", "A=( [0]=x )\n", 0, 1, "unquoted \"[\" in an array" },
  {
    "/legacy-config/parse/bad/unquoted-blanks", "S=\"a b\"\nA=( x\n  $S/y )\n", 0, 3,
    "$S must be quoted in an array: its value holds blanks",
  },
  {
    "/legacy-config/parse/bad/unquoted-pattern", "P='/data/*'\nA=( x ${P[@]} )\n", 0, 2,
    "${P[@]} must be quoted in an array",
  },
  { "/legacy-config/parse/bad/brace-expansion", "A=( a{1,2} )\n", 0, 1, "brace expansion" },
  { "/legacy-config/parse/bad/tilde-user", "A=~root/x\n", 0, 1, "\"~root\" is not supported" },
  {
    "/legacy-config/parse/bad/text-after-array", "A=( a )b\n", 0, 1,
    "unexpected \"b\" right after the \")\" of array \"A\"",
  },
  { "/legacy-config/parse/bad/nested-parenthesis", "A=( (a) )\n", 0, 1, "unexpected \"(\"" },
  { "/legacy-config/parse/bad/parenthesis-in-word", "A=x(y)\n", 0, 1, "unexpected \"(\"" },
  { "/legacy-config/parse/bad/closing-parenthesis", "A=1\n)\n", 0, 2, "unexpected \")\"" },
  {
    "/legacy-config/parse/bad/nul-byte", "A=1\nB=x\0y\n", 10, 2,
    "the file contains a NUL byte",
  },
  { "/legacy-config/parse/bad/invalid-utf8", "A=1\n# \xc3\n", 0, 2, "invalid UTF-8" },
  { "/legacy-config/parse/bad/invalid-utf8-quoted", "A=1\n\nB=\"\xff\"\n", 0, 3, "invalid UTF-8" },
  {
    "/legacy-config/parse/bad/filename", "A=1\nB=$(ls)\n", 0, 2, "command substitution",
    "/etc/pvm/old.cfg",
  },
};

static const SniffCase sniff_cases[] = {
  { "/legacy-config/sniff/full", FULL_CFG, 0, TRUE },
  { "/legacy-config/sniff/one-assignment", "A=1", 0, TRUE },
  { "/legacy-config/sniff/array-first", "# pVM\n\nDRIVES=(\n  a\n)\n", 0, TRUE },
  { "/legacy-config/sniff/crlf", "  MEM=4G\r\nCORES=2\r\n", 0, TRUE },
  { "/legacy-config/sniff/keyfile", "[pvm]\nmemory=4G\n", 0, FALSE },
  { "/legacy-config/sniff/keyfile-comment-first", "# pVM\n\n[pvm]\nmemory=4G\n", 0, FALSE },
  { "/legacy-config/sniff/keyfile-spaces", "  [pvm]  \r\nmemory = 4G\n", 0, FALSE },
  { "/legacy-config/sniff/group-later", "A=1\n[pvm]\nmemory=4G\n", 0, FALSE },
  { "/legacy-config/sniff/group-beyond-length", "A=1\n[pvm]\n", 4, TRUE },
  { "/legacy-config/sniff/empty", "", 0, FALSE },
  { "/legacy-config/sniff/blank", " \n\t\n", 0, FALSE },
  { "/legacy-config/sniff/comments-only", "# A=1\n", 0, FALSE },
  { "/legacy-config/sniff/command-first", "echo hi\nA=1\n", 0, FALSE },
  { "/legacy-config/sniff/spaces-around-equals", "memory = 4G\n", 0, FALSE },
};

static char *
expected_value (const char *value)
{
  g_autoptr(GString) text = g_string_new (value);

  g_string_replace (text, USER_PLACEHOLDER, g_get_user_name (), 0);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
check_var (GHashTable *vars,
           const Var  *var)
{
  const char * const *value = g_hash_table_lookup (vars, var->name);
  guint n_expected = 0;

  g_test_message ("checking %s", var->name);
  g_assert_nonnull (value);

  while (var->values[n_expected] != NULL)
    n_expected++;
  g_assert_cmpuint (g_strv_length ((GStrv) value), ==, n_expected);

  for (guint i = 0; i < n_expected; i++)
    {
      g_autofree char *expected = expected_value (var->values[i]);

      g_assert_cmpstr (value[i], ==, expected);
    }
}

static void
test_parse_good (gconstpointer data)
{
  const GoodCase *good = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) vars = NULL;
  guint n_vars = 0;

  vars = pvm_legacy_config_parse (good->contents, good->length != 0 ? good->length : -1,
                                  "pVM.cfg", HOME, &error);
  g_assert_no_error (error);
  g_assert_nonnull (vars);

  for (; n_vars < MAX_VARS && good->vars[n_vars].name != NULL; n_vars++)
    check_var (vars, &good->vars[n_vars]);
  g_assert_cmpuint (g_hash_table_size (vars), ==, n_vars);
}

static void
test_parse_bad (gconstpointer data)
{
  const BadCase *bad = data;
  const char *filename = bad->filename != NULL ? bad->filename : "pVM.cfg";
  g_autofree char *prefix = g_strdup_printf ("%s:%u: ", filename, bad->line);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) vars = NULL;

  vars = pvm_legacy_config_parse (bad->contents, bad->length != 0 ? bad->length : -1,
                                  filename, HOME, &error);
  g_assert_null (vars);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG);

  g_test_message ("message: %s", error->message);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, bad->phrase));
}

/* A configuration that would run a command does not run it. */
static void
test_parse_never_runs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) vars = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pvm-test-legacy-config-XXXXXX", NULL);
  g_autofree char *marker = g_build_filename (dir, "ran", NULL);
  g_autofree char *contents = g_strdup_printf ("A=1\n"
                                               "B=\"$(touch %s)\"\n"
                                               "C=`touch %s`\n"
                                               "touch %s\n",
                                               marker, marker, marker);

  vars = pvm_legacy_config_parse (contents, -1, "pVM.cfg", HOME, &error);
  g_assert_null (vars);
  g_assert_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_sniff (gconstpointer data)
{
  const SniffCase *sniff = data;

  g_assert_cmpint (pvm_legacy_config_sniff (sniff->contents,
                                            sniff->length != 0 ? sniff->length : -1),
                   ==, sniff->expected);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    g_test_add_data_func (good_cases[i].path, &good_cases[i], test_parse_good);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    g_test_add_data_func (bad_cases[i].path, &bad_cases[i], test_parse_bad);
  g_test_add_func ("/legacy-config/parse/never-runs", test_parse_never_runs);
  for (guint i = 0; i < G_N_ELEMENTS (sniff_cases); i++)
    g_test_add_data_func (sniff_cases[i].path, &sniff_cases[i], test_sniff);

  return g_test_run ();
}
