/* conf-parse: the statement grammar of amanda.conf / amanda-client.conf:
 * global "KEYWORD value" lines, "define KIND NAME { ... }" sections with
 * inheritance, the old "holdingdisk NAME { ... }" form, and includefile.
 * Every problem is recorded as "FILE:LINE: message" and parsing goes on
 * with the next line. */
#include "config.h"
#include "conf-internal.h"

#include <string.h>

#define MAX_INCLUDE_DEPTH 16

static const char *
tok_desc(const conf_token_t *t)
{
    switch (t->kind) {
    case TOK_LBRACE: return "{";
    case TOK_RBRACE: return "}";
    case TOK_COMMA: return ",";
    case TOK_NL: return "end of line";
    case TOK_EOF: return "end of file";
    default: return t->text ? t->text : "";
    }
}

/* Client/server-only and deprecated keywords are accepted with a warning.
 * The client/server split is only checked for global parameters. */
static void
warn_flags(conf_t *conf, conf_ctx_t *ctx, conf_kind_t kind,
           const conf_keyword_t *k, int line)
{
    gboolean client = (conf->flags & CONF_FLAG_CLIENT) != 0;
    if (strcmp(ctx->file, CONF_PREDEFINED) == 0)
        return;
    gboolean global = kind == CONF_GLOBAL;
    if (global && client && !(k->flags & CK_C))
        conf_ctx_warning(ctx, line, "\"%s\" is a server parameter; it has no "
                         "effect in a client configuration", k->keyword);
    else if (global && !client && !(k->flags & CK_S))
        conf_ctx_warning(ctx, line, "\"%s\" is a client parameter; it has no "
                         "effect in amanda.conf", k->keyword);
    if (k->flags & CK_DEPRECATED)
        conf_ctx_warning(ctx, line, "\"%s\" is deprecated%s", k->keyword,
                         conf_keyword_eq(k->keyword, "usetimestamps")
                         ? " (timestamps are always used)" : " and ignored");
}

void
conf_parse_param(conf_t *conf, conf_ctx_t *ctx, conf_section_t *sec,
                 const conf_token_t *kw)
{
    int line = kw->line;
    int id = conf_param_find(sec->kind, kw->text);
    if (id < 0) {
        if (sec->kind == CONF_GLOBAL)
            conf_ctx_error(ctx, line, "unknown parameter \"%s\"", kw->text);
        else
            conf_ctx_error(ctx, line, "unknown %s parameter \"%s\"",
                           conf_kind_name(sec->kind), kw->text);
        conf_lex_skip_line(ctx->lx);
        return;
    }
    const conf_keyword_t *k = &conf_table(sec->kind)->keys[id];
    g_autofree char *keyword = g_strdup(k->keyword);
    warn_flags(conf, ctx, sec->kind, k, line);
    conf_value_t *v = &sec->values[id];
    if (!conf_value_parse(ctx, keyword, v))
        return;
    v->seen = TRUE;
    v->seen_file = conf_intern(conf, ctx->file);
    v->seen_line = line;
    g_autofree char *bad = conf_validate(sec->kind, id, v);
    if (bad)
        conf_ctx_error(ctx, line, "%s", bad);
}

static void
inherit(conf_t *conf, conf_ctx_t *ctx, conf_section_t *sec, const conf_token_t *t)
{
    conf_section_t *parent = conf_lookup(conf, sec->kind, t->text);
    if (!parent || parent == sec) {
        conf_ctx_error(ctx, t->line, "unknown %s \"%s\"",
                       conf_kind_name(sec->kind), t->text);
        return;
    }
    conf_section_copy_values(sec, parent);
}

static gboolean
expect_eol(conf_ctx_t *ctx, const char *after)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (t->kind == TOK_NL || t->kind == TOK_EOF)
        return TRUE;
    conf_ctx_error(ctx, t->line, "unexpected \"%s\" after %s", tok_desc(t), after);
    conf_lex_skip_line(ctx->lx);
    return FALSE;
}

gboolean
conf_expect_eol(conf_ctx_t *ctx, const char *after)
{
    return expect_eol(ctx, after);
}

void
conf_parse_section_body(conf_t *conf, conf_ctx_t *ctx, conf_section_t *sec,
                        int open_line, gboolean tail_allowed)
{
    for (;;) {
        const conf_token_t *t = conf_lex_next(ctx->lx);
        switch (t->kind) {
        case TOK_NL:
            continue;
        case TOK_EOF:
            conf_ctx_error(ctx, t->line, "missing \"}\" to close %s \"%s\" "
                           "opened at line %d", conf_kind_name(sec->kind),
                           sec->name, open_line);
            return;
        case TOK_RBRACE:
            if (!tail_allowed)
                expect_eol(ctx, "\"}\"");
            return;
        case TOK_ERROR:
            conf_ctx_error(ctx, t->line, "%s", t->text);
            conf_lex_skip_line(ctx->lx);
            continue;
        case TOK_WORD:
        case TOK_STRING: {
            conf_tok_kind_t next = conf_lex_peek(ctx->lx)->kind;
            gboolean bare = next == TOK_NL || next == TOK_EOF;
            if (bare && (conf_param_find(sec->kind, t->text) < 0
                         || t->kind == TOK_STRING)) {
                inherit(conf, ctx, sec, t);
                conf_lex_next(ctx->lx);
            } else {
                conf_parse_param(conf, ctx, sec, t);
            }
            continue;
        }
        default:
            conf_ctx_error(ctx, t->line, "unexpected \"%s\" in %s \"%s\"",
                           tok_desc(t), conf_kind_name(sec->kind), sec->name);
            conf_lex_skip_line(ctx->lx);
            continue;
        }
    }
}

/* After an error in a section head: skip the line and, if it opened a
 * block, everything up to the matching "}". */
static void
skip_block(conf_ctx_t *ctx)
{
    int depth = 0;
    conf_tok_kind_t k = ctx->lx->cur.kind;
    while (k != TOK_EOF && !(k == TOK_NL && depth == 0)) {
        if (k == TOK_LBRACE)
            depth++;
        else if (k == TOK_RBRACE && depth > 0)
            depth--;
        k = conf_lex_next(ctx->lx)->kind;
    }
}

/* Reads NAME then "{" NL.  Returns the name or NULL (error recorded). */
static char *
read_section_head(conf_ctx_t *ctx, const char *what, gboolean need_brace)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (!conf_tok_is_value(t)) {
        conf_ctx_error(ctx, t->line, "%s: a name is expected, got \"%s\"", what,
                       tok_desc(t));
        skip_block(ctx);
        return NULL;
    }
    g_autofree char *name = g_strdup(t->text);
    if (!need_brace)
        return g_steal_pointer(&name);
    t = conf_lex_next(ctx->lx);
    if (t->kind != TOK_LBRACE) {
        conf_ctx_error(ctx, t->line, "%s \"%s\": \"{\" is expected, got \"%s\"",
                       what, name, tok_desc(t));
        skip_block(ctx);
        return NULL;
    }
    expect_eol(ctx, "\"{\"");     /* on error the body still follows */
    return g_steal_pointer(&name);
}

static conf_section_t *
define_section(conf_t *conf, conf_ctx_t *ctx, conf_kind_t kind, int line)
{
    g_autofree char *name = read_section_head(ctx, conf_kind_name(kind), TRUE);
    if (!name)
        return NULL;
    conf_section_t *old = conf_lookup(conf, kind, name);
    conf_section_t *sec = conf_section_new(conf, kind, name, ctx->file, line);
    conf_parse_section_body(conf, ctx, sec, line, FALSE);
    if (old && strcmp(old->file, CONF_PREDEFINED) == 0) {
        conf_ctx_warning(ctx, line, "%s \"%s\" replaces the predefined one",
                         conf_kind_name(kind), name);
        g_ptr_array_remove(conf->sections[kind], old);
    } else if (old) {
        conf_ctx_error(ctx, line, "%s \"%s\" is already defined at %s:%d",
                       conf_kind_name(kind), name, old->file, old->line);
        conf_section_free(sec);
        return NULL;
    }
    g_ptr_array_add(conf->sections[kind], sec);
    return sec;
}

static void
parse_define(conf_t *conf, conf_ctx_t *ctx, int line)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    conf_kind_t kind = conf_tok_is_value(t) ? conf_kind_from_name(t->text)
                                            : (conf_kind_t)-1;
    if ((int)kind < 0) {
        conf_ctx_error(ctx, t->line, "define: unknown section kind \"%s\"",
                       tok_desc(t));
        skip_block(ctx);
        return;
    }
    define_section(conf, ctx, kind, line);
}

static void
use_holdingdisk(conf_t *conf, conf_ctx_t *ctx, const char *name, int line)
{
    conf_value_t *v = &conf->global->values[CNF_HOLDINGDISK];
    for (guint i = 0; i < v->list->len; i++)
        if (g_strcmp0(g_ptr_array_index(v->list, i), name) == 0)
            return;
    g_ptr_array_add(v->list, g_strdup(name));
    v->seen = TRUE;
    v->seen_file = conf_intern(conf, ctx->file);
    v->seen_line = line;
}

/* "holdingdisk NAME { ... }" defines and uses; "holdingdisk NAME..." uses. */
static void
parse_global_holdingdisk(conf_t *conf, conf_ctx_t *ctx, int line)
{
    const conf_token_t *pk = conf_lex_peek(ctx->lx);
    if (!conf_tok_is_value(pk)) {
        conf_ctx_error(ctx, line, "holdingdisk: a name is expected");
        conf_lex_skip_line(ctx->lx);
        return;
    }
    g_autofree char *name = g_strdup(conf_lex_next(ctx->lx)->text);
    if (conf_lex_peek(ctx->lx)->kind == TOK_LBRACE) {
        conf_lex_next(ctx->lx);
        expect_eol(ctx, "\"{\"");
        conf_section_t *sec = conf_section_new(conf, CONF_HOLDINGDISK, name,
                                               ctx->file, line);
        conf_parse_section_body(conf, ctx, sec, line, FALSE);
        conf_section_t *old = conf_lookup(conf, CONF_HOLDINGDISK, name);
        if (old) {
            conf_ctx_error(ctx, line, "holdingdisk \"%s\" is already defined "
                           "at %s:%d", name, old->file, old->line);
            conf_section_free(sec);
            return;
        }
        g_ptr_array_add(conf->sections[CONF_HOLDINGDISK], sec);
        use_holdingdisk(conf, ctx, name, line);
        return;
    }
    for (;;) {
        if (!conf_lookup(conf, CONF_HOLDINGDISK, name))
            conf_ctx_error(ctx, line, "unknown holdingdisk \"%s\"", name);
        else
            use_holdingdisk(conf, ctx, name, line);
        const conf_token_t *t = conf_lex_next(ctx->lx);
        if (t->kind == TOK_NL || t->kind == TOK_EOF)
            return;
        if (!conf_tok_is_value(t)) {
            conf_ctx_error(ctx, t->line, "holdingdisk: unexpected \"%s\"", tok_desc(t));
            conf_lex_skip_line(ctx->lx);
            return;
        }
        g_free(name);
        name = g_strdup(t->text);
    }
}

static char *
include_path(const char *including, const char *path)
{
    if (g_path_is_absolute(path))
        return g_strdup(path);
    g_autofree char *dir = g_path_get_dirname(including);
    return g_build_filename(dir, path, NULL);
}

static void
parse_includefile(conf_t *conf, conf_ctx_t *ctx, int line)
{
    g_autofree char *name = NULL;
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (!conf_tok_is_value(t)) {
        conf_ctx_error(ctx, line, "includefile: a file name is expected");
        if (t->kind != TOK_NL && t->kind != TOK_EOF)
            conf_lex_skip_line(ctx->lx);
        return;
    }
    name = g_strdup(t->text);
    if (!expect_eol(ctx, "the includefile name"))
        return;
    if (conf->flags & CONF_FLAG_NO_INCLUDE)
        return;
    if (conf->include_depth >= MAX_INCLUDE_DEPTH) {
        conf_ctx_error(ctx, line, "includefile \"%s\": includes nested more "
                       "than %d deep (a loop?)", name, MAX_INCLUDE_DEPTH);
        return;
    }
    g_autofree char *path = include_path(ctx->file, name);
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        conf_ctx_error(ctx, line, "cannot read includefile \"%s\": %s", path,
                       err->message);
        return;
    }
    conf->include_depth++;
    conf_parse_into(conf, buf, len, path);
    conf->include_depth--;
}

static void
parse_statement(conf_t *conf, conf_ctx_t *ctx, const conf_token_t *t)
{
    int line = t->line;
    if (conf_tok_is_word(t, "define")) {
        parse_define(conf, ctx, line);
    } else if (conf_tok_is_word(t, "includefile")) {
        parse_includefile(conf, ctx, line);
    } else if (conf_tok_is_word(t, "holdingdisk")) {
        parse_global_holdingdisk(conf, ctx, line);
    } else if (t->kind == TOK_WORD || t->kind == TOK_STRING) {
        conf_parse_param(conf, ctx, conf->global, t);
    } else if (t->kind == TOK_ERROR) {
        conf_ctx_error(ctx, line, "%s", t->text);
        conf_lex_skip_line(ctx->lx);
    } else {
        conf_ctx_error(ctx, line, "unexpected \"%s\"", tok_desc(t));
        conf_lex_skip_line(ctx->lx);
    }
}

void
conf_parse_into(conf_t *conf, const char *buf, gsize len, const char *filename)
{
    conf_lexer_t lx;
    conf_lex_init(&lx, buf, len);
    conf_ctx_t ctx = { &lx, conf->errors, conf->warnings,
                       conf_intern(conf, filename) };
    for (;;) {
        const conf_token_t *t = conf_lex_next(&lx);
        if (t->kind == TOK_EOF)
            break;
        if (t->kind == TOK_NL)
            continue;
        parse_statement(conf, &ctx, t);
    }
    conf_lex_clear(&lx);
}
