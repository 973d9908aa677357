/* conf-lexer: splits amanda.conf / disklist text into tokens.
 *
 * Tokens are words (runs of characters other than blanks, quotes, braces,
 * commas and '#'), double-quoted strings (with \" \\ \n \t and \ooo escapes),
 * '{', '}', ',' and newlines.  '#' starts a comment up to the end of line.
 * The lexer never fails on bad input: an unterminated string becomes a
 * TOK_ERROR token carrying the message. */
#include "config.h"
#include "conf-internal.h"

#include <string.h>

void
conf_lex_init(conf_lexer_t *lx, const char *buf, gsize len)
{
    memset(lx, 0, sizeof(*lx));
    lx->buf = buf;
    lx->len = len;
    lx->line = 1;
}

static void
tok_clear(conf_token_t *t)
{
    g_clear_pointer(&t->text, g_free);
    t->kind = TOK_EOF;
}

void
conf_lex_clear(conf_lexer_t *lx)
{
    tok_clear(&lx->cur);
    tok_clear(&lx->peek);
    lx->have_peek = FALSE;
}

static gboolean
is_word_char(char c)
{
    return !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"'
             || c == '{' || c == '}' || c == ',' || c == '#' || c == '\0'
             || c == '\f' || c == '\v');
}

static void
skip_blanks_and_comments(conf_lexer_t *lx)
{
    while (lx->pos < lx->len) {
        char c = lx->buf[lx->pos];
        if (c == '#') {
            while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
                lx->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f'
                   || c == '\v' || c == '\0') {
            lx->pos++;
        } else if (c == '\\' && lx->pos + 1 < lx->len
                   && lx->buf[lx->pos + 1] == '\n') {
            lx->pos += 2;            /* line continuation */
            lx->line++;
        } else {
            return;
        }
    }
}

static int
read_octal(const char *p, gsize avail, int *used)
{
    int v = 0, n = 0;
    while (n < 3 && (gsize)n < avail && p[n] >= '0' && p[n] <= '7')
        v = v * 8 + (p[n++] - '0');
    *used = n;
    return v;
}

static char
escape_char(char c)
{
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'f': return '\f';
    default: return c;
    }
}

/* Reads a quoted string; lx->pos is on the opening quote. */
static void
lex_string(conf_lexer_t *lx, conf_token_t *t)
{
    GString *s = g_string_new(NULL);
    lx->pos++;
    while (lx->pos < lx->len) {
        char c = lx->buf[lx->pos];
        if (c == '"') {
            lx->pos++;
            t->kind = TOK_STRING;
            t->text = g_string_free(s, FALSE);
            return;
        }
        if (c == '\n')
            break;
        if (c == '\\' && lx->pos + 1 < lx->len && lx->buf[lx->pos + 1] != '\n') {
            const char *p = lx->buf + lx->pos + 1;
            int used = 0;
            int oct = read_octal(p, lx->len - lx->pos - 1, &used);
            if (used > 0 && oct > 0) {
                g_string_append_c(s, (char)oct);
                lx->pos += 1 + used;
            } else {
                g_string_append_c(s, escape_char(*p));
                lx->pos += 2;
            }
            continue;
        }
        g_string_append_c(s, c);
        lx->pos++;
    }
    g_string_free(s, TRUE);
    t->kind = TOK_ERROR;
    t->text = g_strdup("unterminated quoted string");
}

static void
lex_one(conf_lexer_t *lx, conf_token_t *t)
{
    skip_blanks_and_comments(lx);
    t->line = lx->line;
    t->text = NULL;
    if (lx->pos >= lx->len) {
        t->kind = TOK_EOF;
        return;
    }
    char c = lx->buf[lx->pos];
    switch (c) {
    case '\n': lx->pos++; lx->line++; t->kind = TOK_NL; return;
    case '{': lx->pos++; t->kind = TOK_LBRACE; return;
    case '}': lx->pos++; t->kind = TOK_RBRACE; return;
    case ',': lx->pos++; t->kind = TOK_COMMA; return;
    case '"': lex_string(lx, t); return;
    default: break;
    }
    gsize start = lx->pos;
    while (lx->pos < lx->len && is_word_char(lx->buf[lx->pos]))
        lx->pos++;
    t->kind = TOK_WORD;
    t->text = g_strndup(lx->buf + start, lx->pos - start);
}

const conf_token_t *
conf_lex_next(conf_lexer_t *lx)
{
    tok_clear(&lx->cur);
    if (lx->have_peek) {
        lx->cur = lx->peek;
        lx->peek.text = NULL;
        lx->have_peek = FALSE;
    } else {
        lex_one(lx, &lx->cur);
    }
    return &lx->cur;
}

const conf_token_t *
conf_lex_peek(conf_lexer_t *lx)
{
    if (!lx->have_peek) {
        lex_one(lx, &lx->peek);
        lx->have_peek = TRUE;
    }
    return &lx->peek;
}

void
conf_lex_skip_line(conf_lexer_t *lx)
{
    for (;;) {
        const conf_token_t *t = conf_lex_next(lx);
        if (t->kind == TOK_NL || t->kind == TOK_EOF)
            return;
    }
}

gboolean
conf_tok_is_word(const conf_token_t *t, const char *word)
{
    return t->kind == TOK_WORD && conf_keyword_eq(t->text, word);
}

gboolean
conf_tok_is_value(const conf_token_t *t)
{
    return t->kind == TOK_WORD || t->kind == TOK_STRING;
}
