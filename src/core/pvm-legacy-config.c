/* SPDX-License-Identifier: BSD-3-Clause */

#define G_LOG_DOMAIN "pvm-legacy-config"

#include "config.h"

#include <string.h>

#include "pvm-error.h"
#include "pvm-legacy-config.h"

/*
 * The original pVM sourced pVM.cfg with bash. pVM reads the same files
 * without running them: this parser knows the part of bash such files use
 * and rejects everything else with a message naming the line.
 *
 * What it accepts:
 *
 *   file       := { blank | newline | comment | assignment }
 *   comment    := "#" at the start of a word, up to the end of the line
 *   assignment := NAME "=" word | NAME "=(" { blank | newline | comment | word } ")"
 *   word       := { unquoted text | '...' | "..." | $NAME | ${NAME} | ${NAME[@]} }
 *
 * with bash's rules for backslashes, backslash-newline, "~" and "~/" at the
 * start of a word (and after ":" in NAME=word), and for which words an
 * array gets (an empty unquoted expansion gives none, "" gives one).
 *
 * Where it would differ from bash, it refuses rather than guesses: an
 * unquoted expansion in an array whose value bash would split into words
 * or use as a file name pattern is an error, as are unquoted * ? [ {
 * there. The exception is CRLF line ends, read as LF.
 */

#define EXCERPT_MAX_CHARS 60

typedef enum
{
  CONTEXT_SCALAR,  /* NAME=word: no file name patterns, "~" also after ":" */
  CONTEXT_ARRAY,   /* a word of NAME=( ... ) */
} Context;

typedef struct
{
  /* Owned */
  char       *text;      /* the file, CRLF turned into LF, NUL-terminated */
  GHashTable *vars;      /* name -> GStrv, what the file assigned so far */
  GHashTable *builtins;  /* name -> GStrv: HOME and USER */

  /* Borrowed */
  const char *filename;  /* for messages only */
  const char *p;         /* next character to read, inside text */
  guint       line;      /* line of p, 1-based */
} Parser;

/* One field of a word being read: ${NAME[@]} can make a word several. */
typedef struct
{
  GString  *text;
  gboolean  kept;  /* holds quoted or literal text, so survives when empty */
} Field;

static gboolean parser_error (Parser      *self,
                              guint        line,
                              GError     **error,
                              const char  *format,
                              ...) G_GNUC_PRINTF (4, 5);

static void
parser_clear (Parser *self)
{
  g_clear_pointer (&self->text, g_free);
  g_clear_pointer (&self->vars, g_hash_table_unref);
  g_clear_pointer (&self->builtins, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Parser, parser_clear)

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* The characters that end a word in bash, besides blanks and newlines. */
static gboolean
is_metachar (char c)
{
  return c != '\0' && strchr ("|&;<>()", c) != NULL;
}

static gboolean
ends_word (char c)
{
  return c == '\0' || c == '\n' || is_blank (c) || is_metachar (c);
}

static gboolean
is_name_start (char c)
{
  return g_ascii_isalpha (c) || c == '_';
}

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

static guint
count_lines (const char *start,
             const char *stop)
{
  guint line = 1;

  for (const char *q = start; q < stop; q++)
    if (*q == '\n')
      line++;

  return line;
}

/* The rest of the line from @start, shortened, for messages. */
static char *
excerpt_line (const char *start)
{
  g_autofree char *text = g_strndup (start, strcspn (start, "\n"));

  g_strchomp (text);
  if (g_utf8_strlen (text, -1) > EXCERPT_MAX_CHARS)
    {
      g_autofree char *shorter = g_utf8_substring (text, 0, EXCERPT_MAX_CHARS);

      return g_strconcat (shorter, "…", NULL);
    }

  return g_steal_pointer (&text);
}

static gboolean
parser_error (Parser      *self,
              guint        line,
              GError     **error,
              const char  *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, PVM_ERROR, PVM_ERROR_INVALID_CONFIG,
               "%s:%u: %s", self->filename, line, message);
  return FALSE;
}

/* The character at the read position. Backslash-newline pairs there are
 * dropped first, as bash does everywhere but in single quotes and
 * comments, whose readers look at self->p directly.
 */
static char
parser_peek (Parser *self)
{
  while (self->p[0] == '\\' && self->p[1] == '\n')
    {
      self->p += 2;
      self->line++;
    }

  return self->p[0];
}

/* The character @n places after the read position, without moving it. */
static char
parser_peek_ahead (Parser *self,
                   guint   n)
{
  const char *q;

  parser_peek (self);
  for (q = self->p; ; q++, n--)
    {
      while (q[0] == '\\' && q[1] == '\n')
        q += 2;
      if (n == 0 || q[0] == '\0')
        return q[0];
    }
}

static void
parser_advance (Parser *self)
{
  g_assert (self->p[0] != '\0');

  if (self->p[0] == '\n')
    self->line++;
  self->p++;
}

static void
parser_skip_comment (Parser *self)
{
  while (self->p[0] != '\0' && self->p[0] != '\n')
    parser_advance (self);
}

static gboolean
parser_metachar_error (Parser  *self,
                       char     c,
                       GError **error)
{
  switch (c)
    {
    case ';':
      return parser_error (self, self->line, error,
                           "\";\" is not allowed: put each assignment on a line of its own "
                           "or separate them with spaces");
    case '&':
    case '|':
      return parser_error (self, self->line, error,
                           "\"%c\" is not allowed: pVM never runs the configuration file", c);
    case '<':
    case '>':
      return parser_error (self, self->line, error,
                           "redirection \"%c\" is not allowed: pVM never runs the "
                           "configuration file", c);
    default:
      return parser_error (self, self->line, error, "unexpected \"%c\"", c);
    }
}

static const char * const *
parser_lookup (Parser     *self,
               const char *name)
{
  GStrv value = g_hash_table_lookup (self->vars, name);

  if (value == NULL)
    value = g_hash_table_lookup (self->builtins, name);

  return (const char * const *) value;
}

static void
field_free (gpointer data)
{
  Field *field = data;

  g_string_free (field->text, TRUE);
  g_free (field);
}

static void
word_new_field (GPtrArray *word)
{
  Field *field = g_new0 (Field, 1);

  field->text = g_string_new (NULL);
  g_ptr_array_add (word, field);
}

static Field *
word_get_field (GPtrArray *word)
{
  g_assert (word->len > 0);

  return g_ptr_array_index (word, word->len - 1);
}

static void
word_append (GPtrArray  *word,
             const char *text,
             gboolean    keep)
{
  Field *field = word_get_field (word);

  g_string_append (field->text, text);
  field->kept |= keep;
}

static void
word_append_c (GPtrArray *word,
               char       c)
{
  Field *field = word_get_field (word);

  g_string_append_c (field->text, c);
  field->kept = TRUE;
}

/* $NAME is the first element; ${NAME[@]} all of them, one field each,
 * the first and last joined to the text around them, as in bash.
 */
static void
word_append_value (GPtrArray          *word,
                   const char * const *value,
                   gboolean            all,
                   gboolean            quoted)
{
  if (!all)
    {
      word_append (word, value[0] != NULL ? value[0] : "", quoted);
      return;
    }

  for (guint i = 0; value[i] != NULL; i++)
    {
      if (i > 0)
        word_new_field (word);
      word_append (word, value[i], quoted);
    }
}

/* A scalar joins the fields with spaces, as NAME=${A[@]} does; an array
 * element drops the empty fields that came from unquoted expansions only.
 */
static void
word_finish (GPtrArray *word,
             Context    context,
             GPtrArray *out)
{
  if (context == CONTEXT_SCALAR)
    {
      g_autoptr(GString) joined = g_string_new (NULL);

      for (guint i = 0; i < word->len; i++)
        {
          Field *field = g_ptr_array_index (word, i);

          if (i > 0)
            g_string_append_c (joined, ' ');
          g_string_append_len (joined, field->text->str, field->text->len);
        }
      g_ptr_array_add (out, g_string_free (g_steal_pointer (&joined), FALSE));
      return;
    }

  for (guint i = 0; i < word->len; i++)
    {
      Field *field = g_ptr_array_index (word, i);

      if (field->kept || field->text->len > 0)
        g_ptr_array_add (out, g_strndup (field->text->str, field->text->len));
    }
}

/* The text of ${...} from @start, up to its "}" on the same line. */
static char *
excerpt_braces (const char *start)
{
  gsize len = strcspn (start, "}\n");

  if (start[len] == '}')
    len++;

  return g_strndup (start, len);
}

static gboolean
parse_name (Parser  *self,
            GString *name)
{
  if (!is_name_start (parser_peek (self)))
    return FALSE;

  while (is_name_char (parser_peek (self)))
    {
      g_string_append_c (name, self->p[0]);
      parser_advance (self);
    }

  return TRUE;
}

/* TRUE if bash would split @value into words or use it as a file name
 * pattern, were it expanded unquoted in an array.
 */
static gboolean
value_needs_quotes (const char * const *value,
                    gboolean            all)
{
  for (guint i = 0; value[i] != NULL && (all || i == 0); i++)
    if (strpbrk (value[i], " \t\n*?[") != NULL)
      return TRUE;

  return FALSE;
}

/* At "$". @quoted: inside double quotes; @in_array: unquoted in an array,
 * where bash splits and globs what expansions give. Sets @was_all when it
 * was ${NAME[@]}.
 */
static gboolean
parse_expansion (Parser     *self,
                 GPtrArray  *word,
                 gboolean    quoted,
                 gboolean    in_array,
                 gboolean   *was_all,
                 GError    **error)
{
  g_autoptr(GString) name = g_string_new (NULL);
  const char * const *value;
  const char *start = self->p;
  guint line = self->line;
  char next = parser_peek_ahead (self, 1);
  gboolean all = FALSE;

  *was_all = FALSE;

  if (next == '[')
    return parser_error (self, line, error,
                         "arithmetic expansion \"$[\" is not allowed: pVM never runs the "
                         "configuration file");

  if (next == '(')
    {
      if (parser_peek_ahead (self, 2) == '(')
        return parser_error (self, line, error,
                             "arithmetic expansion \"$((\" is not allowed: pVM never runs "
                             "the configuration file");
      return parser_error (self, line, error,
                           "command substitution \"$(\" is not allowed: pVM never runs the "
                           "configuration file");
    }

  if (next == '{')
    {
      gboolean valid;

      parser_advance (self);
      parser_peek (self);
      parser_advance (self);

      valid = parse_name (self, name);
      if (valid && parser_peek (self) == '[')
        {
          valid = FALSE;
          parser_advance (self);
          if (parser_peek (self) == '@')
            {
              parser_advance (self);
              if (parser_peek (self) == ']')
                {
                  parser_advance (self);
                  valid = all = TRUE;
                }
            }
        }

      if (!valid || parser_peek (self) != '}')
        {
          g_autofree char *text = excerpt_braces (start);

          if (strchr (text, '}') == NULL)
            return parser_error (self, line, error, "unterminated \"${\" in \"%s\"", text);
          return parser_error (self, line, error,
                               "\"%s\": parameter operators are not supported (only $NAME, "
                               "${NAME} and ${NAME[@]} are)",
                               text);
        }
      parser_advance (self);
    }
  else if (is_name_start (next))
    {
      parser_advance (self);
      parse_name (self, name);
    }
  else if (g_ascii_isdigit (next) || (next != '\0' && strchr ("@*#?$!-", next) != NULL))
    {
      return parser_error (self, line, error,
                           "special parameter \"$%c\" is not supported: pVM never runs the "
                           "configuration file",
                           next);
    }
  else if (!quoted && next == '\'')
    {
      return parser_error (self, line, error,
                           "ANSI-C quoting $'...' is not supported: use '...' or \"...\"");
    }
  else if (!quoted && next == '"')
    {
      return parser_error (self, line, error,
                           "locale quoting $\"...\" is not supported: use \"...\"");
    }
  else
    {
      /* A "$" that starts no expansion is itself, as in bash. */
      word_append_c (word, '$');
      parser_advance (self);
      return TRUE;
    }

  value = parser_lookup (self, name->str);
  if (value == NULL)
    return parser_error (self, line, error,
                         "unknown variable \"%s\": only variables assigned earlier in the "
                         "file, HOME and USER can be used",
                         name->str);

  if (in_array && value_needs_quotes (value, all))
    {
      g_autofree char *text = g_strndup (start, self->p - start);

      return parser_error (self, line, error,
                           "%s must be quoted in an array: its value holds blanks or * ? [, "
                           "which bash would split into words or expand as file names "
                           "(write \"%s\")",
                           text, text);
    }

  word_append_value (word, value, all, quoted);
  *was_all = all;

  return TRUE;
}

static gboolean
parse_single_quoted (Parser     *self,
                     GPtrArray  *word,
                     GError    **error)
{
  guint line = self->line;

  parser_advance (self);
  word_append (word, "", TRUE);

  while (self->p[0] != '\'')
    {
      if (self->p[0] == '\0')
        return parser_error (self, line, error,
                             "unterminated single quote (opened on line %u)", line);
      word_append_c (word, self->p[0]);
      parser_advance (self);
    }
  parser_advance (self);

  return TRUE;
}

static gboolean
parse_double_quoted (Parser     *self,
                     GPtrArray  *word,
                     GError    **error)
{
  guint line = self->line;
  gboolean saw_all = FALSE;

  parser_advance (self);

  for (;;)
    {
      char c = parser_peek (self);
      gboolean was_all = FALSE;

      switch (c)
        {
        case '\0':
          return parser_error (self, line, error,
                               "unterminated double quote (opened on line %u)", line);

        case '"':
          parser_advance (self);
          /* "" is an empty word; "${A[@]}" with A empty is none. */
          if (!saw_all)
            word_append (word, "", TRUE);
          return TRUE;

        case '\\':
          parser_advance (self);
          if (self->p[0] != '\0' && strchr ("\"\\$`", self->p[0]) != NULL)
            {
              word_append_c (word, self->p[0]);
              parser_advance (self);
            }
          else
            {
              word_append_c (word, '\\');
            }
          break;

        case '$':
          if (!parse_expansion (self, word, TRUE, FALSE, &was_all, error))
            return FALSE;
          saw_all |= was_all;
          break;

        case '`':
          return parser_error (self, self->line, error,
                               "command substitution \"`\" is not allowed: pVM never runs the "
                               "configuration file");

        default:
          word_append_c (word, c);
          parser_advance (self);
          break;
        }
    }
}

/* At the "~" of a word. Only "~" and "~/..." are home directories here. */
static gboolean
parse_tilde (Parser     *self,
             GPtrArray  *word,
             Context     context,
             GError    **error)
{
  const char * const *home;
  char next = parser_peek_ahead (self, 1);

  if (next != '/' && !ends_word (next) && !(context == CONTEXT_SCALAR && next == ':'))
    {
      const char *end = self->p;

      while (!ends_word (*end) && *end != '/')
        end++;
      return parser_error (self, self->line, error,
                           "\"%.*s\" is not supported: only \"~\" and \"~/\" (your home "
                           "directory) are",
                           (int) (end - self->p), self->p);
    }

  home = parser_lookup (self, "HOME");
  word_append (word, home[0] != NULL ? home[0] : "", TRUE);
  parser_advance (self);

  return TRUE;
}

/* Reads one word and adds what it gives to @out: one string for a
 * scalar, none or more for an array.
 */
static gboolean
parse_word (Parser     *self,
            Context     context,
            GPtrArray  *out,
            GError    **error)
{
  g_autoptr(GPtrArray) word = g_ptr_array_new_with_free_func (field_free);
  gboolean tilde_here = TRUE;

  word_new_field (word);

  for (;;)
    {
      char c = parser_peek (self);
      gboolean tilde_next = FALSE;
      gboolean was_all = FALSE;

      if (ends_word (c))
        break;

      if (c == '~' && tilde_here)
        {
          if (!parse_tilde (self, word, context, error))
            return FALSE;
          tilde_here = FALSE;
          continue;
        }

      switch (c)
        {
        case '\\':
          parser_advance (self);
          /* A backslash at the very end of the file is itself. */
          if (self->p[0] == '\0')
            {
              word_append_c (word, '\\');
            }
          else
            {
              word_append_c (word, self->p[0]);
              parser_advance (self);
            }
          break;

        case '\'':
          if (!parse_single_quoted (self, word, error))
            return FALSE;
          break;

        case '"':
          if (!parse_double_quoted (self, word, error))
            return FALSE;
          break;

        case '$':
          if (!parse_expansion (self, word, FALSE, context == CONTEXT_ARRAY,
                                &was_all, error))
            return FALSE;
          break;

        case '`':
          return parser_error (self, self->line, error,
                               "command substitution \"`\" is not allowed: pVM never runs the "
                               "configuration file");

        case '*':
        case '?':
        case '[':
          if (context == CONTEXT_ARRAY)
            return parser_error (self, self->line, error,
                                 "unquoted \"%c\" in an array: bash would expand it as a file "
                                 "name pattern (quote the value)",
                                 c);
          word_append_c (word, c);
          parser_advance (self);
          break;

        case '{':
          if (context == CONTEXT_ARRAY)
            return parser_error (self, self->line, error,
                                 "unquoted \"{\" in an array: bash would do brace expansion "
                                 "(quote the value)");
          word_append_c (word, c);
          parser_advance (self);
          break;

        default:
          tilde_next = context == CONTEXT_SCALAR && c == ':';
          word_append_c (word, c);
          parser_advance (self);
          break;
        }

      tilde_here = tilde_next;
    }

  word_finish (word, context, out);

  return TRUE;
}

/* After "NAME=(" up to its ")". */
static gboolean
parse_array (Parser     *self,
             const char *name,
             guint       open_line,
             GPtrArray  *out,
             GError    **error)
{
  for (;;)
    {
      char c = parser_peek (self);

      if (c == '\0')
        return parser_error (self, open_line, error,
                             "unclosed array \"%s\" (opened on line %u)", name, open_line);

      if (c == ')')
        {
          parser_advance (self);
          return TRUE;
        }

      if (is_blank (c) || c == '\n')
        parser_advance (self);
      else if (c == '#')
        parser_skip_comment (self);
      else if (is_metachar (c))
        return parser_metachar_error (self, c, error);
      else if (!parse_word (self, CONTEXT_ARRAY, out, error))
        return FALSE;
    }
}

/* Explains why the word at @start is not NAME=... */
static gboolean
parser_not_assignment (Parser      *self,
                       const char  *start,
                       guint        line,
                       const char  *name,
                       GError     **error)
{
  g_autofree char *text = excerpt_line (start);
  const char *after = self->p;

  if (*name != '\0')
    {
      if (after[0] == '+' && after[1] == '=')
        return parser_error (self, line, error,
                             "\"%s+=\": appending with \"+=\" is not supported", name);
      if (after[0] == '[')
        return parser_error (self, line, error,
                             "\"%s\": setting one array element is not supported "
                             "(write the whole array: %s=( ... ))",
                             text, name);
      while (is_blank (*after))
        after++;
      if (after != self->p && *after == '=')
        return parser_error (self, line, error,
                             "\"%s\" is not an assignment: bash allows no spaces around \"=\"",
                             text);
    }

  return parser_error (self, line, error,
                       "\"%s\" is not an assignment (pVM reads only NAME=value lines and "
                       "never runs commands)",
                       text);
}

static gboolean
parse_assignment (Parser  *self,
                  GError **error)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  const char *start = self->p;
  guint line = self->line;
  char c;

  if (!parse_name (self, name) || parser_peek (self) != '=')
    return parser_not_assignment (self, start, line, name->str, error);
  parser_advance (self);

  if (parser_peek (self) == '(')
    {
      guint open_line = self->line;

      parser_advance (self);
      if (!parse_array (self, name->str, open_line, values, error))
        return FALSE;

      /* bash would read NAME=(a)b as the string "(a)b". */
      c = parser_peek (self);
      if (!ends_word (c))
        return parser_error (self, self->line, error,
                             "unexpected \"%c\" right after the \")\" of array \"%s\"",
                             c, name->str);
    }
  else
    {
      const char * const *old;

      if (!parse_word (self, CONTEXT_SCALAR, values, error))
        return FALSE;

      /* As in bash, NAME=word on an array replaces only its first element. */
      old = g_hash_table_lookup (self->vars, name->str);
      for (guint i = 1; old != NULL && old[0] != NULL && old[i] != NULL; i++)
        g_ptr_array_add (values, g_strdup (old[i]));
    }

  c = parser_peek (self);
  if (is_metachar (c))
    return parser_metachar_error (self, c, error);

  g_ptr_array_add (values, NULL);
  g_hash_table_replace (self->vars,
                        g_string_free (g_steal_pointer (&name), FALSE),
                        g_ptr_array_free (g_steal_pointer (&values), FALSE));

  return TRUE;
}

static gboolean
check_encoding (Parser      *self,
                const char  *contents,
                gsize        length,
                GError     **error)
{
  const char *nul = memchr (contents, '\0', length);
  const char *end = NULL;

  if (nul != NULL)
    return parser_error (self, count_lines (contents, nul), error,
                         "the file contains a NUL byte: it is not a text file");

  if (!g_utf8_validate_len (contents, length, &end))
    return parser_error (self, count_lines (contents, end), error,
                         "invalid UTF-8: the file must be UTF-8 text");

  return TRUE;
}

/* A copy of @contents with CRLF line ends turned into LF. */
static char *
normalize_line_ends (const char *contents,
                     gsize       length)
{
  GString *text = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (contents[i] == '\r' && i + 1 < length && contents[i + 1] == '\n')
        continue;
      g_string_append_c (text, contents[i]);
    }

  return g_string_free (text, FALSE);
}

static GStrv
strv_new1 (const char *value)
{
  GStrv strv = g_new0 (char *, 2);

  strv[0] = g_strdup (value);
  return strv;
}

/**
 * pvm_legacy_config_parse:
 * @contents: the text of an original pVM.cfg
 * @length: length of @contents in bytes, or -1 if it is NUL-terminated
 * @filename: the file's name, for messages only
 * @home: the home directory: the value of "~" and of $HOME
 * @error: return location for a #GError
 *
 * Reads the variables an original pVM.cfg sets, without running it: the
 * file may hold only comments and assignments, NAME=word and
 * NAME=( word ... ), whose words may use quotes, $NAME, ${NAME},
 * ${NAME[@]} and "~". Variables assigned earlier in the file, HOME and
 * USER can be expanded; an array expands to its first element, as in bash.
 * A later assignment replaces an earlier one, except that NAME=word on an
 * array replaces only its first element, as in bash.
 * Anything else (commands, command substitution, redirections, unknown
 * variables...) is refused with %PVM_ERROR_INVALID_CONFIG and a message
 * that starts with "FILE:LINE: ".
 *
 * Returns: (transfer full) (element-type utf8 GStrv): variable name ->
 *   value, a scalar being a vector of one string and "()" an empty one;
 *   %NULL on error
 */
GHashTable *
pvm_legacy_config_parse (const char  *contents,
                         gssize       length,
                         const char  *filename,
                         const char  *home,
                         GError     **error)
{
  g_auto(Parser) self = { 0 };

  g_return_val_if_fail (contents != NULL || length == 0, NULL);
  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (home != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (contents == NULL)
    contents = "";
  if (length < 0)
    length = strlen (contents);

  self.filename = filename;
  if (!check_encoding (&self, contents, length, error))
    return NULL;

  self.text = normalize_line_ends (contents, length);
  self.vars = g_hash_table_new_full (g_str_hash, g_str_equal,
                                     g_free, (GDestroyNotify) g_strfreev);
  self.builtins = g_hash_table_new_full (g_str_hash, g_str_equal,
                                         g_free, (GDestroyNotify) g_strfreev);
  g_hash_table_insert (self.builtins, g_strdup ("HOME"), strv_new1 (home));
  g_hash_table_insert (self.builtins, g_strdup ("USER"), strv_new1 (g_get_user_name ()));
  self.p = self.text;
  self.line = 1;

  for (;;)
    {
      char c = parser_peek (&self);

      if (c == '\0')
        break;

      if (is_blank (c) || c == '\n')
        parser_advance (&self);
      else if (c == '#')
        parser_skip_comment (&self);
      else if (is_metachar (c))
        {
          parser_metachar_error (&self, c, error);
          return NULL;
        }
      else if (!parse_assignment (&self, error))
        return NULL;
    }

  return g_steal_pointer (&self.vars);
}

static gboolean
looks_like_assignment (const char *line,
                       const char *end)
{
  const char *q = line;

  if (q == end || !is_name_start (*q))
    return FALSE;
  while (q < end && is_name_char (*q))
    q++;

  return q < end && *q == '=';
}

/**
 * pvm_legacy_config_sniff:
 * @contents: the text of a configuration file
 * @length: length of @contents in bytes, or -1 if it is NUL-terminated
 *
 * Tells an original pVM.cfg from a #GKeyFile, to read a file given with
 * --config the right way: its first line that is neither blank nor a
 * comment must be an assignment, NAME=... or NAME=(..., and none of its
 * lines a [group] header. This only looks; pvm_legacy_config_parse()
 * decides whether the file is valid.
 *
 * Returns: %TRUE if @contents looks like an original pVM.cfg
 */
gboolean
pvm_legacy_config_sniff (const char *contents,
                         gssize      length)
{
  const char *p;
  const char *end;
  gboolean seen_first = FALSE;

  g_return_val_if_fail (contents != NULL || length == 0, FALSE);

  if (contents == NULL)
    return FALSE;
  if (length < 0)
    length = strlen (contents);

  end = contents + length;
  for (p = contents; p < end; )
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *line_end = eol != NULL ? eol : end;
      const char *first = p;
      const char *last = line_end;

      while (first < last && g_ascii_isspace (*first))
        first++;
      while (last > first && g_ascii_isspace (last[-1]))
        last--;

      if (first < last && *first == '[' && last[-1] == ']')
        return FALSE;

      if (!seen_first && first < last && *first != '#')
        {
          if (!looks_like_assignment (first, last))
            return FALSE;
          seen_first = TRUE;
        }

      p = eol != NULL ? eol + 1 : end;
    }

  return seen_first;
}
