/* conf-values: parsing one parameter's value from tokens into a typed
 * conf_value_t, copying and freeing values.  The text form printed by
 * amgetconf is in conf-print.c. */
#include "config.h"
#include "conf-internal.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <string.h>

/* ---- messages ---- */
static void
ctx_add(GPtrArray *to, const char *file, int line, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    g_ptr_array_add(to, g_strdup_printf("%s:%d: %s", file, line, msg));
}

void
conf_ctx_error(conf_ctx_t *ctx, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx_add(ctx->errors, ctx->file, line, fmt, ap);
    va_end(ap);
}

void
conf_ctx_warning(conf_ctx_t *ctx, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx_add(ctx->warnings, ctx->file, line, fmt, ap);
    va_end(ap);
}

/* ---- value lifetime ---- */
static void
property_free(gpointer p)
{
    conf_property_t *prop = p;
    g_free(prop->name);
    g_ptr_array_unref(prop->values);
    g_free(prop);
}

static conf_property_t *
property_copy(const conf_property_t *src)
{
    conf_property_t *p = g_new0(conf_property_t, 1);
    p->name = g_strdup(src->name);
    p->values = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < src->values->len; i++)
        g_ptr_array_add(p->values, g_strdup(g_ptr_array_index(src->values, i)));
    p->priority = src->priority;
    p->append = src->append;
    return p;
}

static GPtrArray *
strv_array_new(void)
{
    return g_ptr_array_new_with_free_func(g_free);
}

static GPtrArray *
strv_array_copy(const GPtrArray *src)
{
    GPtrArray *a = strv_array_new();
    for (guint i = 0; src && i < src->len; i++)
        g_ptr_array_add(a, g_strdup(g_ptr_array_index(src, i)));
    return a;
}

void
conf_value_init(conf_value_t *v, conf_type_t type)
{
    memset(v, 0, sizeof(*v));
    v->type = type;
    if (type == CONF_T_ESTIMATELIST)
        v->list = g_ptr_array_new();
    else if (type == CONF_T_PROPLIST)
        v->props = g_ptr_array_new_with_free_func(property_free);
    else if (type == CONF_T_STRLIST || type == CONF_T_HOSTLIMIT
             || type == CONF_T_EXINCLUDE || type == CONF_T_DUMP_SELECTION
             || type == CONF_T_VAULT)
        v->list = strv_array_new();
    if (type == CONF_T_EXINCLUDE)
        v->list2 = strv_array_new();
}

void
conf_value_clear(conf_value_t *v)
{
    g_clear_pointer(&v->s, g_free);
    g_clear_pointer(&v->list, g_ptr_array_unref);
    g_clear_pointer(&v->list2, g_ptr_array_unref);
    g_clear_pointer(&v->props, g_ptr_array_unref);
}

void
conf_value_copy(conf_value_t *dst, const conf_value_t *src)
{
    *dst = *src;
    dst->s = g_strdup(src->s);
    if (src->type == CONF_T_ESTIMATELIST) {
        dst->list = g_ptr_array_copy(src->list, NULL, NULL);
    } else {
        dst->list = src->list ? strv_array_copy(src->list) : NULL;
    }
    dst->list2 = src->list2 ? strv_array_copy(src->list2) : NULL;
    if (src->props) {
        dst->props = g_ptr_array_new_with_free_func(property_free);
        for (guint i = 0; i < src->props->len; i++)
            g_ptr_array_add(dst->props, property_copy(g_ptr_array_index(src->props, i)));
    }
}

/* ---- numbers ---- */
typedef enum { U_BYTES, U_KB, U_MB, U_GB, U_TB, U_ONE, U_WEEK } unit_t;

static const struct { const char *name; unit_t unit; } units[] = {
    { "b", U_BYTES }, { "byte", U_BYTES }, { "bytes", U_BYTES },
    { "bps", U_BYTES },
    { "k", U_KB }, { "kb", U_KB }, { "kbyte", U_KB }, { "kbytes", U_KB },
    { "kilobyte", U_KB }, { "kilobytes", U_KB }, { "kps", U_KB },
    { "kbps", U_KB },
    { "m", U_MB }, { "mb", U_MB }, { "meg", U_MB }, { "mbyte", U_MB },
    { "mbytes", U_MB }, { "megabyte", U_MB }, { "megabytes", U_MB },
    { "mps", U_MB }, { "mbps", U_MB },
    { "g", U_GB }, { "gb", U_GB }, { "gbyte", U_GB }, { "gbytes", U_GB },
    { "gigabyte", U_GB }, { "gigabytes", U_GB }, { "gps", U_GB },
    { "gbps", U_GB },
    { "t", U_TB }, { "tb", U_TB }, { "tbyte", U_TB }, { "tbytes", U_TB },
    { "terabyte", U_TB }, { "terabytes", U_TB }, { "tps", U_TB },
    { "tbps", U_TB },
    { "tape", U_ONE }, { "tapes", U_ONE }, { "day", U_ONE },
    { "days", U_ONE }, { "week", U_WEEK }, { "weeks", U_WEEK },
};

static int
find_unit(const char *word)
{
    for (gsize i = 0; i < G_N_ELEMENTS(units); i++)
        if (g_ascii_strcasecmp(word, units[i].name) == 0)
            return (int)units[i].unit;
    return -1;
}

static gboolean
unit_allowed(conf_type_t type, unit_t u, const char *word)
{
    if (type == CONF_T_DAYS)
        return u == U_ONE || u == U_WEEK;
    if (type == CONF_T_SIZE)
        return u != U_WEEK && (u != U_ONE || g_ascii_strncasecmp(word, "day", 3) != 0);
    return TRUE;
}

/* Multiplies N by unit U for a value of TYPE; FALSE on overflow. */
static gboolean
apply_unit(conf_type_t type, unit_t u, gint64 *n)
{
    static const gint64 mult[] = { 1, 1, 1024, 1024 * 1024,
                                   (gint64)1024 * 1024 * 1024, 1, 7 };
    if (u == U_BYTES) {
        if (type == CONF_T_SIZE)
            *n /= 1024;
        return TRUE;
    }
    gint64 m = mult[u];
    if (*n > G_MAXINT64 / m || *n < G_MININT64 / m)
        return FALSE;
    *n *= m;
    return TRUE;
}

/* Split "1280k" into number text and suffix; the suffix may be empty. */
static gboolean
split_number(const char *word, gboolean real, char **num, const char **suffix)
{
    const char *p = word;
    if (*p == '-' || *p == '+')
        p++;
    const char *digits = p;
    while (g_ascii_isdigit(*p) || (real && (*p == '.' || *p == 'e' || *p == 'E')
                                   && p > digits))
        p++;
    if (real && *digits == '.') {
        p = digits + 1;
        while (g_ascii_isdigit(*p))
            p++;
    }
    if (p == digits)
        return FALSE;
    *num = g_strndup(word, p - word);
    *suffix = p;
    return TRUE;
}

static gint64
inf_value(conf_type_t type)
{
    return type == CONF_T_SIZE ? G_MAXINT64 : G_MAXINT32;
}

/* Reads the unit after a number: attached SUFFIX, or the next word. */
static gboolean
read_unit(conf_ctx_t *ctx, const char *kw, conf_type_t type, const char *suffix,
          int line, gint64 *n)
{
    g_autofree char *word = NULL;
    if (*suffix) {
        word = g_strdup(suffix);
    } else {
        const conf_token_t *pk = conf_lex_peek(ctx->lx);
        if (pk->kind != TOK_WORD || !g_ascii_isalpha(pk->text[0]))
            return TRUE;        /* no unit; a letter must start one */
        word = g_strdup(conf_lex_next(ctx->lx)->text);
    }
    int u = find_unit(word);
    if (u < 0 || !unit_allowed(type, (unit_t)u, word)) {
        conf_ctx_error(ctx, line, "%s: unknown unit \"%s\"", kw, word);
        return FALSE;
    }
    if (!apply_unit(type, (unit_t)u, n)) {
        conf_ctx_error(ctx, line, "%s: value too large", kw);
        return FALSE;
    }
    return TRUE;
}

static gboolean
read_int(conf_ctx_t *ctx, const char *kw, conf_type_t type, gint64 *out)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    int line = t->line;
    if (t->kind != TOK_WORD && t->kind != TOK_STRING) {
        conf_ctx_error(ctx, line, "%s: a number is expected", kw);
        return FALSE;
    }
    if (g_ascii_strcasecmp(t->text, "inf") == 0) {
        *out = inf_value(type);
        return TRUE;
    }
    g_autofree char *num = NULL;
    const char *suffix = NULL;
    if (!split_number(t->text, FALSE, &num, &suffix)) {
        conf_ctx_error(ctx, line, "%s: a number is expected, got \"%s\"", kw, t->text);
        return FALSE;
    }
    g_autofree char *suffix_copy = g_strdup(suffix);
    errno = 0;
    gint64 n = g_ascii_strtoll(num, NULL, 10);
    if (errno == ERANGE) {
        conf_ctx_error(ctx, line, "%s: number out of range \"%s\"", kw, num);
        return FALSE;
    }
    if (!read_unit(ctx, kw, type, suffix_copy, line, &n))
        return FALSE;
    if (type != CONF_T_SIZE && (n > G_MAXINT32 || n < G_MININT32)) {
        conf_ctx_error(ctx, line, "%s: number out of range", kw);
        return FALSE;
    }
    *out = n;
    return TRUE;
}

static gboolean
read_real(conf_ctx_t *ctx, const char *kw, double *out)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    g_autofree char *num = NULL;
    const char *suffix = NULL;
    if (t->kind != TOK_WORD || !split_number(t->text, TRUE, &num, &suffix)
        || *suffix) {
        conf_ctx_error(ctx, t->line, "%s: a number is expected%s%s%s", kw,
                       t->text ? ", got \"" : "", t->text ? t->text : "",
                       t->text ? "\"" : "");
        return FALSE;
    }
    char *end = NULL;
    *out = g_ascii_strtod(num, &end);
    if (!end || *end) {
        conf_ctx_error(ctx, t->line, "%s: bad number \"%s\"", kw, t->text);
        return FALSE;
    }
    return TRUE;
}

/* ---- generic helpers ---- */
static gboolean
at_end(conf_ctx_t *ctx)
{
    conf_tok_kind_t k = conf_lex_peek(ctx->lx)->kind;
    return k == TOK_NL || k == TOK_EOF;
}

static gboolean
read_string(conf_ctx_t *ctx, const char *kw, char **out)
{
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (t->kind == TOK_ERROR) {
        conf_ctx_error(ctx, t->line, "%s", t->text);
        return FALSE;
    }
    if (!conf_tok_is_value(t)) {
        conf_ctx_error(ctx, t->line, "%s: a string is expected", kw);
        return FALSE;
    }
    g_free(*out);
    *out = g_strdup(t->text);
    return TRUE;
}

static const char *const bool_true[] = { "yes", "true", "on", "y", "t", "1", NULL };
static const char *const bool_false[] = { "no", "false", "off", "n", "f", "0", NULL };

static int
bool_of(const char *w)
{
    for (int i = 0; bool_true[i]; i++)
        if (g_ascii_strcasecmp(w, bool_true[i]) == 0)
            return 1;
    for (int i = 0; bool_false[i]; i++)
        if (g_ascii_strcasecmp(w, bool_false[i]) == 0)
            return 0;
    return -1;
}

static gboolean
read_bool(conf_ctx_t *ctx, const char *kw, gint64 *out)
{
    if (at_end(ctx)) {
        *out = 1;               /* a bare keyword means yes */
        return TRUE;
    }
    const conf_token_t *t = conf_lex_next(ctx->lx);
    int b = conf_tok_is_value(t) ? bool_of(t->text) : -1;
    if (b < 0) {
        conf_ctx_error(ctx, t->line, "%s: yes or no is expected%s%s%s", kw,
                       t->text ? ", got \"" : "", t->text ? t->text : "",
                       t->text ? "\"" : "");
        return FALSE;
    }
    *out = b;
    return TRUE;
}

static char *
enum_choices(const conf_enum_name_t *n)
{
    GString *s = g_string_new(NULL);
    for (; n->name; n++) {
        if (g_ascii_isdigit(n->name[0]) || strlen(n->name) == 1)
            continue;
        g_string_append_printf(s, "%s%s", s->len ? ", " : "", n->name);
    }
    return g_string_free(s, FALSE);
}

static gboolean
lookup_enum(const conf_enum_name_t *names, const char *w, gint64 *out)
{
    for (const conf_enum_name_t *n = names; n->name; n++)
        if (conf_keyword_eq(w, n->name)) {
            *out = n->value;
            return TRUE;
        }
    return FALSE;
}

static gboolean
read_enum(conf_ctx_t *ctx, const char *kw, conf_type_t type, gint64 *out)
{
    const conf_enum_name_t *names = conf_enum_names_for(type);
    if (type == CONF_T_NO_YES_ALL && at_end(ctx)) {
        *out = CONF_YES;
        return TRUE;
    }
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (conf_tok_is_value(t) && lookup_enum(names, t->text, out))
        return TRUE;
    if (type == CONF_T_PRIORITY && t->kind == TOK_WORD) {
        char *end = NULL;
        gint64 n = g_ascii_strtoll(t->text, &end, 10);
        if (end && !*end && end != t->text) {
            *out = n;
            return TRUE;
        }
    }
    g_autofree char *choices = enum_choices(names);
    conf_ctx_error(ctx, t->line, "%s: expected one of %s%s%s%s", kw, choices,
                   t->text ? "; got \"" : "", t->text ? t->text : "",
                   t->text ? "\"" : "");
    return FALSE;
}

/* ---- composite types ---- */
static gboolean
read_compress(conf_ctx_t *ctx, const char *kw, gint64 *out)
{
    int where = 0, how = -1;    /* where: 0 unset, 1 client, 2 server */
    while (!at_end(ctx)) {
        const conf_token_t *t = conf_lex_next(ctx->lx);
        if (conf_tok_is_word(t, "none") && where == 0 && how < 0) {
            *out = COMP_NONE;
            return TRUE;
        } else if (conf_tok_is_word(t, "client") && where == 0) {
            where = 1;
        } else if (conf_tok_is_word(t, "server") && where == 0) {
            where = 2;
        } else if (conf_tok_is_word(t, "fast") && how < 0) {
            how = 0;
        } else if (conf_tok_is_word(t, "best") && how < 0) {
            how = 1;
        } else if (conf_tok_is_word(t, "custom") && how < 0) {
            how = 2;
        } else {
            conf_ctx_error(ctx, t->line, "%s: expected none, client, server, "
                           "fast, best or custom%s%s%s", kw,
                           t->text ? "; got \"" : "", t->text ? t->text : "",
                           t->text ? "\"" : "");
            return FALSE;
        }
    }
    if (how < 0)
        how = 0;
    *out = (where == 2 ? COMP_SERVER_FAST : COMP_FAST) + how;
    return TRUE;
}

static gboolean
read_estimatelist(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    g_ptr_array_set_size(v->list, 0);
    while (!at_end(ctx)) {
        gint64 e;
        if (!read_enum(ctx, kw, CONF_T_ESTIMATELIST, &e))
            return FALSE;
        g_ptr_array_add(v->list, GINT_TO_POINTER((int)e));
    }
    if (v->list->len == 0) {
        conf_ctx_error(ctx, ctx->lx->cur.line, "%s: client, server or calcsize "
                       "is expected", kw);
        return FALSE;
    }
    return TRUE;
}

static gboolean
read_rate_or_range(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    gboolean real = v->type == CONF_T_RATE;
    gint64 a = 0, b = 0;
    if (real ? !read_real(ctx, kw, &v->r[0]) : !read_int(ctx, kw, CONF_T_INT, &a))
        return FALSE;
    if (conf_lex_peek(ctx->lx)->kind == TOK_COMMA)
        conf_lex_next(ctx->lx);
    if (at_end(ctx)) {
        if (!real) {
            conf_ctx_error(ctx, ctx->lx->cur.line, "%s: two numbers LOW,HIGH "
                           "are expected", kw);
            return FALSE;
        }
        v->r[1] = v->r[0];
        return TRUE;
    }
    if (real ? !read_real(ctx, kw, &v->r[1]) : !read_int(ctx, kw, CONF_T_INT, &b))
        return FALSE;
    if (!real && (a > b || a < 0 || b > 65535)) {
        conf_ctx_error(ctx, ctx->lx->cur.line, "%s: bad port range %"
                       G_GINT64_FORMAT ",%" G_GINT64_FORMAT, kw, a, b);
        return FALSE;
    }
    v->i = a;
    v->i2 = b;
    return TRUE;
}

static gboolean
read_strings(conf_ctx_t *ctx, const char *kw, GPtrArray *into)
{
    while (!at_end(ctx)) {
        const conf_token_t *t = conf_lex_next(ctx->lx);
        if (t->kind == TOK_ERROR) {
            conf_ctx_error(ctx, t->line, "%s", t->text);
            return FALSE;
        }
        if (!conf_tok_is_value(t)) {
            conf_ctx_error(ctx, t->line, "%s: a string is expected", kw);
            return FALSE;
        }
        g_ptr_array_add(into, g_strdup(t->text));
    }
    return TRUE;
}

static gboolean
read_exinclude(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    gboolean is_list = FALSE, append = FALSE, optional = FALSE;
    for (;;) {
        const conf_token_t *pk = conf_lex_peek(ctx->lx);
        if (conf_tok_is_word(pk, "list"))
            is_list = TRUE;
        else if (conf_tok_is_word(pk, "file"))
            is_list = FALSE;
        else if (conf_tok_is_word(pk, "append"))
            append = TRUE;
        else if (conf_tok_is_word(pk, "optional"))
            optional = TRUE;
        else
            break;
        conf_lex_next(ctx->lx);
    }
    GPtrArray *target = is_list ? v->list2 : v->list;
    if (!append)
        g_ptr_array_set_size(target, 0);
    if (!read_strings(ctx, kw, target))
        return FALSE;
    if (optional)
        v->i = 1;
    return TRUE;
}

static conf_property_t *
find_property(GPtrArray *props, const char *name)
{
    for (guint i = 0; i < props->len; i++) {
        conf_property_t *p = g_ptr_array_index(props, i);
        if (conf_keyword_eq(p->name, name))
            return p;
    }
    return NULL;
}

static gboolean
read_property(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    gboolean append = FALSE, priority = FALSE;
    const conf_token_t *pk;
    while ((pk = conf_lex_peek(ctx->lx))->kind == TOK_WORD
           && (conf_keyword_eq(pk->text, "append")
               || conf_keyword_eq(pk->text, "priority"))) {
        if (conf_keyword_eq(pk->text, "append"))
            append = TRUE;
        else
            priority = TRUE;
        conf_lex_next(ctx->lx);
    }
    g_autofree char *name = NULL;
    if (!read_string(ctx, kw, &name))
        return FALSE;
    g_autoptr(GPtrArray) values = strv_array_new();
    if (!read_strings(ctx, kw, values))
        return FALSE;
    conf_property_t *p = find_property(v->props, name);
    if (p && append) {
        for (guint i = 0; i < values->len; i++)
            g_ptr_array_add(p->values, g_strdup(g_ptr_array_index(values, i)));
        p->priority |= priority;
        return TRUE;
    }
    if (p)
        g_ptr_array_remove(v->props, p);
    p = g_new0(conf_property_t, 1);
    p->name = g_steal_pointer(&name);
    p->values = g_steal_pointer(&values);
    p->priority = priority;
    p->append = append;
    g_ptr_array_add(v->props, p);
    return TRUE;
}

static gboolean
read_autolabel(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    static const conf_enum_name_t conds[] = {
        { "other_config", AL_OTHER_CONFIG }, { "non_amanda", AL_NON_AMANDA },
        { "volume_error", AL_VOLUME_ERROR }, { "empty", AL_EMPTY },
        { "any", AL_OTHER_CONFIG | AL_NON_AMANDA | AL_VOLUME_ERROR | AL_EMPTY },
        { NULL, 0 } };
    gint64 bits = 0;
    if (conf_lex_peek(ctx->lx)->kind == TOK_STRING && !read_string(ctx, kw, &v->s))
        return FALSE;
    while (!at_end(ctx)) {
        const conf_token_t *t = conf_lex_next(ctx->lx);
        gint64 b;
        if (!conf_tok_is_value(t) || !lookup_enum(conds, t->text, &b)) {
            conf_ctx_error(ctx, t->line, "%s: expected a quoted template then "
                           "any, other-config, non-amanda, volume-error or empty", kw);
            return FALSE;
        }
        bits |= b;
    }
    v->i = bits ? bits : (AL_VOLUME_ERROR | AL_EMPTY);
    return TRUE;
}

static gboolean
read_labelstr(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    const conf_token_t *pk = conf_lex_peek(ctx->lx);
    if (conf_tok_is_word(pk, "match_autolabel")) {
        conf_lex_next(ctx->lx);
        v->i = 1;
        g_clear_pointer(&v->s, g_free);
        return TRUE;
    }
    if (!read_string(ctx, kw, &v->s))
        return FALSE;
    regex_t re;
    int rc = regcomp(&re, v->s, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char buf[256];
        regerror(rc, &re, buf, sizeof buf);
        conf_ctx_error(ctx, ctx->lx->cur.line, "%s: bad regular expression "
                       "\"%s\": %s", kw, v->s, buf);
        return FALSE;
    }
    regfree(&re);
    v->i = 0;
    return TRUE;
}

static gboolean
read_hostlimit(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    g_ptr_array_set_size(v->list, 0);
    v->i = 0;
    while (!at_end(ctx)) {
        const conf_token_t *t = conf_lex_next(ctx->lx);
        if (conf_tok_is_word(t, "same_host"))
            v->i |= HOSTLIMIT_SAME_HOST;
        else if (conf_tok_is_word(t, "server"))
            v->i |= HOSTLIMIT_SERVER;
        else if (conf_tok_is_value(t))
            g_ptr_array_add(v->list, g_strdup(t->text));
        else {
            conf_ctx_error(ctx, t->line, "%s: a host name, same-host or server "
                           "is expected", kw);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
read_execute_on(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    v->i = 0;
    while (!at_end(ctx)) {
        const conf_token_t *t = conf_lex_next(ctx->lx);
        if (t->kind == TOK_COMMA)
            continue;
        int bit = -1;
        for (int b = 0; conf_tok_is_value(t) && b < CONF_EXECUTE_ON_COUNT; b++)
            if (conf_keyword_eq(t->text, conf_execute_on_name(b)))
                bit = b;
        if (bit < 0) {
            conf_ctx_error(ctx, t->line, "%s: unknown execute-on \"%s\"", kw,
                           t->text ? t->text : ",");
            return FALSE;
        }
        v->i |= (gint64)1 << bit;
    }
    return TRUE;
}

/* dump-selection TAG|ALL ALL|FULL|INCR, and vault STORAGE DAYS: appended. */
static gboolean
read_pair(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    g_autoptr(GPtrArray) words = strv_array_new();
    if (!read_strings(ctx, kw, words))
        return FALSE;
    gboolean ok = words->len == 2;
    if (ok && v->type == CONF_T_VAULT) {
        char *end = NULL;
        g_ascii_strtoll(g_ptr_array_index(words, 1), &end, 10);
        ok = end && !*end;
    } else if (ok) {
        const char *lvl = g_ptr_array_index(words, 1);
        ok = conf_keyword_eq(lvl, "all") || conf_keyword_eq(lvl, "full")
             || conf_keyword_eq(lvl, "incr");
    }
    if (!ok) {
        conf_ctx_error(ctx, ctx->lx->cur.line, v->type == CONF_T_VAULT
                       ? "%s: STORAGE DAYS is expected"
                       : "%s: TAG|ALL then ALL, FULL or INCR is expected", kw);
        return FALSE;
    }
    g_ptr_array_add(v->list, g_strdup_printf("%s %s",
                    (char *)g_ptr_array_index(words, 0),
                    (char *)g_ptr_array_index(words, 1)));
    return TRUE;
}

static gboolean
read_strlist(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    gboolean append = conf_keyword_eq(kw, "script");
    if (conf_tok_is_word(conf_lex_peek(ctx->lx), "append")) {
        conf_lex_next(ctx->lx);
        append = TRUE;
    }
    if (!append)
        g_ptr_array_set_size(v->list, 0);
    return read_strings(ctx, kw, v->list);
}

static gboolean
read_typed(conf_ctx_t *ctx, const char *kw, conf_value_t *v)
{
    switch (v->type) {
    case CONF_T_INT: case CONF_T_SIZE: case CONF_T_DAYS:
        return read_int(ctx, kw, v->type, &v->i);
    case CONF_T_REAL: return read_real(ctx, kw, &v->r[0]);
    case CONF_T_BOOL: return read_bool(ctx, kw, &v->i);
    case CONF_T_STR: case CONF_T_IDENT: case CONF_T_PORT:
        return read_string(ctx, kw, &v->s);
    case CONF_T_RATE: case CONF_T_INTRANGE:
        return read_rate_or_range(ctx, kw, v);
    case CONF_T_NO_YES_ALL: case CONF_T_TAPERALGO: case CONF_T_PRIORITY:
    case CONF_T_STRATEGY: case CONF_T_ENCRYPT: case CONF_T_HOLDING:
    case CONF_T_PART_CACHE_TYPE: case CONF_T_EXECUTE_WHERE:
    case CONF_T_SEND_AMREPORT: case CONF_T_DATA_PATH:
        return read_enum(ctx, kw, v->type, &v->i);
    case CONF_T_COMPRESS: return read_compress(ctx, kw, &v->i);
    case CONF_T_ESTIMATELIST: return read_estimatelist(ctx, kw, v);
    case CONF_T_EXECUTE_ON: return read_execute_on(ctx, kw, v);
    case CONF_T_EXINCLUDE: return read_exinclude(ctx, kw, v);
    case CONF_T_PROPLIST: return read_property(ctx, kw, v);
    case CONF_T_AUTOLABEL: return read_autolabel(ctx, kw, v);
    case CONF_T_LABELSTR: return read_labelstr(ctx, kw, v);
    case CONF_T_STRLIST: return read_strlist(ctx, kw, v);
    case CONF_T_HOSTLIMIT: return read_hostlimit(ctx, kw, v);
    case CONF_T_DUMP_SELECTION: case CONF_T_VAULT: return read_pair(ctx, kw, v);
    }
    return FALSE;
}

gboolean
conf_value_parse(conf_ctx_t *ctx, const char *keyword, conf_value_t *v)
{
    conf_value_t tmp;
    conf_value_copy(&tmp, v);
    if (!read_typed(ctx, keyword, &tmp)) {
        conf_value_clear(&tmp);
        if (ctx->lx->cur.kind != TOK_NL && ctx->lx->cur.kind != TOK_EOF)
            conf_lex_skip_line(ctx->lx);
        return FALSE;
    }
    const conf_token_t *t = conf_lex_next(ctx->lx);
    if (t->kind != TOK_NL && t->kind != TOK_EOF) {
        conf_ctx_error(ctx, t->line, "%s: unexpected \"%s\" after the value",
                       keyword, t->kind == TOK_LBRACE ? "{" :
                       t->kind == TOK_RBRACE ? "}" :
                       t->kind == TOK_COMMA ? "," : t->text);
        conf_value_clear(&tmp);
        conf_lex_skip_line(ctx->lx);
        return FALSE;
    }
    conf_value_clear(v);
    *v = tmp;
    return TRUE;
}

gboolean
conf_value_parse_text(conf_value_t *v, const char *keyword, const char *text,
                      const char *file, int line, GPtrArray *errors,
                      GPtrArray *warnings)
{
    conf_lexer_t lx;
    conf_lex_init(&lx, text, strlen(text));
    lx.line = line;
    conf_ctx_t ctx = { &lx, errors, warnings, file };
    gboolean ok = conf_value_parse(&ctx, keyword, v);
    conf_lex_clear(&lx);
    return ok;
}
