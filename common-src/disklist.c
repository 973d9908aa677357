/* disklist: parser of the disklist file (see disklist.h).  It shares the
 * lexer and the dumptype body grammar with the config parser, so an inline
 * dumptype accepts exactly what "define dumptype" accepts. */
#include "config.h"
#include "conf-internal.h"
#include "disklist.h"

#include <string.h>

#define MAX_INCLUDE_DEPTH 16

struct disklist {
    conf_t *conf;
    GPtrArray *entries;          /* disklist_entry_t* */
    GPtrArray *inline_types;     /* conf_section_t* owned */
    GPtrArray *errors, *warnings;
    GHashTable *seen;            /* "host\ndisk" -> entry */
    int include_depth;
};

static void
entry_free(gpointer p)
{
    disklist_entry_t *e = p;
    g_free(e->host);
    g_free(e->disk);
    g_free(e->device);
    g_free(e->dumptype_name);
    g_free(e->interface);
    g_free(e);
}

disklist_t *
disklist_new(conf_t *conf)
{
    disklist_t *dl = g_new0(disklist_t, 1);
    dl->conf = conf;
    dl->entries = g_ptr_array_new_with_free_func(entry_free);
    dl->inline_types = g_ptr_array_new_with_free_func(
        (GDestroyNotify)conf_section_free);
    dl->errors = g_ptr_array_new_with_free_func(g_free);
    dl->warnings = g_ptr_array_new_with_free_func(g_free);
    dl->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return dl;
}

void
disklist_free(disklist_t *dl)
{
    if (!dl)
        return;
    g_ptr_array_unref(dl->entries);
    g_ptr_array_unref(dl->inline_types);
    g_ptr_array_unref(dl->errors);
    g_ptr_array_unref(dl->warnings);
    g_hash_table_unref(dl->seen);
    g_free(dl);
}

const GPtrArray *disklist_entries(const disklist_t *dl) { return dl->entries; }
const GPtrArray *disklist_errors(const disklist_t *dl) { return dl->errors; }
const GPtrArray *disklist_warnings(const disklist_t *dl) { return dl->warnings; }

const disklist_entry_t *
disklist_find(const disklist_t *dl, const char *host, const char *disk)
{
    g_autofree char *key = g_strdup_printf("%s\n%s", host, disk);
    return g_hash_table_lookup(dl->seen, key);
}

static gboolean
is_number(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return FALSE;
    for (; *s; s++)
        if (!g_ascii_isdigit(*s))
            return FALSE;
    return TRUE;
}

static void skip_rest(conf_ctx_t *ctx)
{
    if (ctx->lx->cur.kind != TOK_NL && ctx->lx->cur.kind != TOK_EOF)
        conf_lex_skip_line(ctx->lx);
}

/* Inline "{" NL body "}": a fresh dumptype named custom(host:disk). */
static conf_section_t *
parse_inline(disklist_t *dl, conf_ctx_t *ctx, disklist_entry_t *e)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (t->kind != TOK_NL && t->kind != TOK_EOF) {
        conf_ctx_error(ctx, t->line, "unexpected \"%s\" after \"{\" (the inline "
                       "dumptype starts on the next line)",
                       t->text ? t->text : t->kind == TOK_RBRACE ? "}" : "{");
        while (t->kind != TOK_RBRACE && t->kind != TOK_EOF)   /* skip the block */
            t = conf_lex_next(ctx->lx);
        return NULL;
    }
    g_autofree char *name = g_strdup_printf("custom(%s:%s)", e->host, e->disk);
    conf_section_t *sec = conf_section_new(dl->conf, CONF_DUMPTYPE, name,
                                           ctx->file, e->line);
    conf_parse_section_body(dl->conf, ctx, sec, e->line, TRUE);
    g_ptr_array_add(dl->inline_types, sec);
    e->dumptype_name = g_steal_pointer(&name);
    return sec;
}

/* Reads "[device] dumptype" or "[device] {" after host and disk. */
static gboolean
parse_dumptype(disklist_t *dl, conf_ctx_t *ctx, disklist_entry_t *e)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (t->kind != TOK_LBRACE && !conf_tok_is_value(t)) {
        conf_ctx_error(ctx, t->line, "host \"%s\" disk \"%s\": a dumptype is "
                       "expected", e->host, e->disk);
        return FALSE;
    }
    if (t->kind != TOK_LBRACE) {
        g_autofree char *first = g_strdup(t->text);
        const conf_token_t *pk = conf_lex_peek(ctx->lx);
        gboolean device_follows = pk->kind == TOK_LBRACE
            || (pk->kind == TOK_WORD && !is_number(pk->text))
            || pk->kind == TOK_STRING;
        if (!device_follows) {
            e->dumptype_name = g_steal_pointer(&first);
        } else {
            e->device = g_steal_pointer(&first);
            t = conf_lex_next(ctx->lx);
            if (t->kind != TOK_LBRACE)
                e->dumptype_name = g_strdup(t->text);
        }
    }
    if (!e->dumptype_name)
        return (e->dumptype = parse_inline(dl, ctx, e)) != NULL;
    e->dumptype = conf_lookup(dl->conf, CONF_DUMPTYPE, e->dumptype_name);
    if (!e->dumptype) {
        conf_ctx_error(ctx, e->line, "unknown dumptype \"%s\"", e->dumptype_name);
        return FALSE;
    }
    return TRUE;
}

/* Optional "spindle [interface]" then end of line. */
static gboolean
parse_tail(disklist_t *dl, conf_ctx_t *ctx, disklist_entry_t *e)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (t->kind == TOK_NL || t->kind == TOK_EOF)
        return TRUE;
    if (t->kind != TOK_WORD || !is_number(t->text)) {
        conf_ctx_error(ctx, t->line, "host \"%s\" disk \"%s\": a spindle number "
                       "is expected, got \"%s\"", e->host, e->disk,
                       t->text ? t->text : "{");
        return FALSE;
    }
    e->spindle = (int)g_ascii_strtoll(t->text, NULL, 10);
    t = conf_lex_next(ctx->lx);
    if (conf_tok_is_value(t)) {
        e->interface = g_strdup(t->text);
        if (!conf_lookup(dl->conf, CONF_INTERFACE, e->interface)) {
            conf_ctx_error(ctx, t->line, "unknown interface \"%s\"", e->interface);
            return FALSE;
        }
        return conf_expect_eol(ctx, "the interface");
    }
    if (t->kind == TOK_NL || t->kind == TOK_EOF)
        return TRUE;
    conf_ctx_error(ctx, t->line, "host \"%s\" disk \"%s\": unexpected text "
                   "after the spindle", e->host, e->disk);
    return FALSE;
}

static void
add_entry(disklist_t *dl, conf_ctx_t *ctx, disklist_entry_t *e)
{
    g_autofree char *key = g_strdup_printf("%s\n%s", e->host, e->disk);
    disklist_entry_t *old = g_hash_table_lookup(dl->seen, key);
    if (old) {
        conf_ctx_error(ctx, e->line, "host \"%s\" disk \"%s\" is already listed "
                       "at %s:%d", e->host, e->disk, old->file, old->line);
        entry_free(e);
        return;
    }
    g_hash_table_insert(dl->seen, g_steal_pointer(&key), e);
    g_ptr_array_add(dl->entries, e);
}

static void parse_into(disklist_t *dl, const char *buf, gsize len,
                       const char *filename);

static void
parse_include(disklist_t *dl, conf_ctx_t *ctx, int line)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (!conf_tok_is_value(t)) {
        conf_ctx_error(ctx, line, "includefile: a file name is expected");
        skip_rest(ctx);
        return;
    }
    g_autofree char *name = g_strdup(t->text);
    if (!conf_expect_eol(ctx, "the includefile name"))
        return;
    if (dl->conf->flags & CONF_FLAG_NO_INCLUDE)
        return;
    g_autofree char *dir = g_path_get_dirname(ctx->file);
    g_autofree char *path = g_path_is_absolute(name) ? g_strdup(name)
                          : g_build_filename(dir, name, NULL);
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (dl->include_depth >= MAX_INCLUDE_DEPTH) {
        conf_ctx_error(ctx, line, "includefile \"%s\": includes nested too deep",
                       name);
        return;
    }
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        conf_ctx_error(ctx, line, "cannot read includefile \"%s\": %s", path,
                       err->message);
        return;
    }
    dl->include_depth++;
    parse_into(dl, buf, len, path);
    dl->include_depth--;
}

static void
parse_line(disklist_t *dl, conf_ctx_t *ctx, const conf_token_t *t)
{
    if (t->kind == TOK_WORD && strcmp(t->text, "includefile") == 0) {
        parse_include(dl, ctx, t->line);
        return;
    }
    if (!conf_tok_is_value(t)) {
        conf_ctx_error(ctx, t->line, "%s", t->kind == TOK_ERROR ? t->text
                       : "a host name is expected");
        skip_rest(ctx);
        return;
    }
    disklist_entry_t *e = g_new0(disklist_entry_t, 1);
    e->host = g_strdup(t->text);
    e->line = t->line;
    e->file = ctx->file;
    e->spindle = -1;
    t = conf_lex_next(ctx->lx);
    if (!conf_tok_is_value(t)) {
        conf_ctx_error(ctx, e->line, "host \"%s\": a disk name is expected",
                       e->host);
    } else {
        e->disk = g_strdup(t->text);
        if (parse_dumptype(dl, ctx, e) && parse_tail(dl, ctx, e)) {
            add_entry(dl, ctx, e);
            return;
        }
    }
    skip_rest(ctx);
    entry_free(e);
}

static void
parse_into(disklist_t *dl, const char *buf, gsize len, const char *filename)
{
    conf_lexer_t lx;
    conf_lex_init(&lx, buf, len);
    conf_ctx_t ctx = { &lx, dl->errors, dl->warnings,
                       conf_intern(dl->conf, filename) };
    for (;;) {
        const conf_token_t *t = conf_lex_next(&lx);
        if (t->kind == TOK_EOF)
            break;
        if (t->kind != TOK_NL)
            parse_line(dl, &ctx, t);
    }
    conf_lex_clear(&lx);
}

gboolean
disklist_parse_buffer(disklist_t *dl, const char *buf, gsize len,
                      const char *filename)
{
    guint before = dl->errors->len;
    parse_into(dl, buf, len, filename);
    return dl->errors->len == before;
}

gboolean
disklist_parse_file(disklist_t *dl, const char *path)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        g_ptr_array_add(dl->errors, g_strdup_printf("%s: cannot read the "
                        "disklist: %s", path, err->message));
        return FALSE;
    }
    return disklist_parse_buffer(dl, buf, len, path);
}

disklist_t *
disklist_load(conf_t *conf, const char *path)
{
    disklist_t *dl = disklist_new(conf);
    g_autofree char *p = path ? g_strdup(path) : conf_disklist_path(conf);
    disklist_parse_file(dl, p);
    return dl;
}
