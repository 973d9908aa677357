/* conf-internal: shared between the conf-*.c files and disklist.c only.
 * Lexer, keyword tables, value parser and the config's own structures. */
#ifndef CONF_INTERNAL_H
#define CONF_INTERNAL_H

#include "conf.h"

/* ---- lexer (conf-lexer.c) ---- */
typedef enum {
    TOK_EOF, TOK_NL, TOK_WORD, TOK_STRING, TOK_LBRACE, TOK_RBRACE, TOK_COMMA,
    TOK_ERROR,
} conf_tok_kind_t;

typedef struct {
    conf_tok_kind_t kind;
    char *text;          /* WORD/STRING (unquoted), or the error message */
    int line;
} conf_token_t;

typedef struct {
    const char *buf;
    gsize len, pos;
    int line;
    gboolean have_peek;
    conf_token_t peek;
    conf_token_t cur;    /* owned: last token returned by conf_lex_next */
} conf_lexer_t;

void conf_lex_init(conf_lexer_t *lx, const char *buf, gsize len);
void conf_lex_clear(conf_lexer_t *lx);
/* The next token; valid until the next call. */
const conf_token_t *conf_lex_next(conf_lexer_t *lx);
const conf_token_t *conf_lex_peek(conf_lexer_t *lx);
/* Skip to just after the next newline (error recovery). */
void conf_lex_skip_line(conf_lexer_t *lx);
gboolean conf_tok_is_word(const conf_token_t *t, const char *word);
gboolean conf_tok_is_value(const conf_token_t *t);   /* WORD or STRING */

/* ---- keyword tables (conf-tables.c) ---- */
enum { CK_S = 1, CK_C = 2, CK_B = 3, CK_DEPRECATED = 4 };

typedef struct {
    const char *keyword;
    conf_type_t type;
    const char *defval;
    unsigned flags;
} conf_keyword_t;

typedef struct {
    const char *name;
    gint64 value;
} conf_enum_name_t;

typedef struct {
    const conf_keyword_t *keys;
    int count;
} conf_table_t;

const conf_table_t *conf_table(conf_kind_t kind);
/* Names of an enumerated type, NULL-name terminated; NULL if not enum. */
const conf_enum_name_t *conf_enum_names_for(conf_type_t type);
const char *conf_enum_name_of(conf_type_t type, gint64 value);
/* Compare keywords case-insensitively with '-' == '_'. */
gboolean conf_keyword_eq(const char *a, const char *b);
/* An optional check run after a value is parsed; returns an error message
 * (newly allocated) or NULL. */
char *conf_validate(conf_kind_t kind, int id, const conf_value_t *v);

/* ---- values (conf-values.c) ---- */
typedef struct {
    conf_lexer_t *lx;
    GPtrArray *errors;       /* where messages go */
    GPtrArray *warnings;
    const char *file;
} conf_ctx_t;

void conf_ctx_error(conf_ctx_t *ctx, int line, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void conf_ctx_warning(conf_ctx_t *ctx, int line, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

void conf_value_init(conf_value_t *v, conf_type_t type);
void conf_value_clear(conf_value_t *v);
void conf_value_copy(conf_value_t *dst, const conf_value_t *src);
/* Parse the rest of the line (the tokens after KEYWORD) into V, which
 * already holds the previous value (for "append" forms).  Consumes the
 * newline.  On error adds a message and returns FALSE, V unchanged. */
gboolean conf_value_parse(conf_ctx_t *ctx, const char *keyword,
                          conf_value_t *v);
/* Parse a default/override text for one value; errors go to ERRORS. */
gboolean conf_value_parse_text(conf_value_t *v, const char *keyword,
                               const char *text, const char *file, int line,
                               GPtrArray *errors, GPtrArray *warnings);

/* ---- config structures ---- */
#define CONF_PREDEFINED "(predefined)"   /* file name of built-in sections */
struct conf_section {
    conf_kind_t kind;
    char *name;
    const char *file;
    int line;
    conf_value_t *values;    /* conf_table(kind)->count */
};

struct conf {
    unsigned flags;
    char *name;
    char *filename;
    char *dir;
    conf_section_t *global;
    GPtrArray *sections[CONF_KIND_COUNT];   /* conf_section_t* (owned) */
    GPtrArray *errors, *warnings;
    GStringChunk *strings;                   /* file names for seen_file */
    int include_depth;
    conf_section_t *defaults[CONF_KIND_COUNT];   /* parsed once, lazily */
};

/* A section holding the defaults of its kind. */
conf_section_t *conf_section_new(conf_t *conf, conf_kind_t kind,
                                 const char *name, const char *file, int line);
void conf_section_free(conf_section_t *sec);
void conf_section_copy_values(conf_section_t *dst, const conf_section_t *src);
/* Parse one "KEYWORD value..." line into SEC (kind's table).  The keyword
 * token has been read. */
void conf_parse_param(conf_t *conf, conf_ctx_t *ctx, conf_section_t *sec,
                      const conf_token_t *kw);
/* Parse the body of a section after "{" NL up to and including "}".
 * A bare word naming an earlier section of the same kind copies it.
 * Unless TAIL_ALLOWED, the "}" must end its line. */
void conf_parse_section_body(conf_t *conf, conf_ctx_t *ctx,
                             conf_section_t *sec, int open_line,
                             gboolean tail_allowed);
/* Consume a newline (or EOF); otherwise record an error, skip the line. */
gboolean conf_expect_eol(conf_ctx_t *ctx, const char *after);
const char *conf_intern(conf_t *conf, const char *s);
/* Parse BUF as the file FILENAME into CONF (conf-parse.c). */
void conf_parse_into(conf_t *conf, const char *buf, gsize len,
                     const char *filename);
/* "override:0: msg" from a temporary list, re-labelled for OVERRIDE. */
void conf_add_relabelled(GPtrArray *to, GPtrArray *from, const char *label);

#endif
