/* conf: loading a configuration (file lookup, defaults, overrides) and the
 * public getters over the parsed sections.  The grammar is in conf-parse.c,
 * values in conf-values.c, tables in conf-tables.c. */
#include "config.h"
#include "conf-internal.h"
#include "amanda_paths.h"

#include <string.h>

G_DEFINE_QUARK(conf-error-quark, conf_error)

static conf_t *global_conf;

const char *
conf_intern(conf_t *conf, const char *s)
{
    return g_string_chunk_insert_const(conf->strings, s ? s : "");
}

/* The defaults of a kind, parsed from the table's default texts once. */
static conf_section_t *
defaults_for(conf_t *conf, conf_kind_t kind)
{
    if (conf->defaults[kind])
        return conf->defaults[kind];
    const conf_table_t *tab = conf_table(kind);
    conf_section_t *d = g_new0(conf_section_t, 1);
    d->kind = kind;
    d->name = g_strdup("(defaults)");
    d->file = conf_intern(conf, "(defaults)");
    d->values = g_new0(conf_value_t, tab->count);
    g_autoptr(GPtrArray) errs = g_ptr_array_new_with_free_func(g_free);
    for (int i = 0; i < tab->count; i++) {
        conf_value_init(&d->values[i], tab->keys[i].type);
        if (tab->keys[i].defval)
            conf_value_parse_text(&d->values[i], tab->keys[i].keyword,
                                  tab->keys[i].defval, "(defaults)", 1,
                                  errs, errs);
    }
    for (guint i = 0; i < errs->len; i++)   /* a bug in conf-keys.h */
        g_critical("conf defaults: %s", (char *)g_ptr_array_index(errs, i));
    conf->defaults[kind] = d;
    return d;
}

conf_section_t *
conf_section_new(conf_t *conf, conf_kind_t kind, const char *name,
                 const char *file, int line)
{
    const conf_section_t *d = defaults_for(conf, kind);
    int n = conf_table(kind)->count;
    conf_section_t *sec = g_new0(conf_section_t, 1);
    sec->kind = kind;
    sec->name = g_strdup(name);
    sec->file = conf_intern(conf, file);
    sec->line = line;
    sec->values = g_new0(conf_value_t, n);
    for (int i = 0; i < n; i++)
        conf_value_copy(&sec->values[i], &d->values[i]);
    return sec;
}

void
conf_section_free(conf_section_t *sec)
{
    if (!sec)
        return;
    int n = conf_table(sec->kind)->count;
    for (int i = 0; i < n; i++)
        conf_value_clear(&sec->values[i]);
    g_free(sec->values);
    g_free(sec->name);
    g_free(sec);
}

void
conf_section_copy_values(conf_section_t *dst, const conf_section_t *src)
{
    int n = conf_table(dst->kind)->count;
    for (int i = 0; i < n; i++) {
        if (!src->values[i].seen)
            continue;
        conf_value_clear(&dst->values[i]);
        conf_value_copy(&dst->values[i], &src->values[i]);
    }
}

/* Sections every configuration has (a file may redefine them). */
static const char predefined[] =
    "define tapetype DEFAULT_TAPE {\n comment \"default tapetype\"\n}\n"
    "define dumptype no-compress {\n compress none\n}\n"
    "define dumptype compress-fast {\n compress client fast\n}\n"
    "define dumptype compress-best {\n compress client best\n}\n"
    "define dumptype srvcompress {\n compress server fast\n}\n"
    "define dumptype bsd-auth {\n auth \"bsd\"\n}\n"
    "define dumptype bsdtcp-auth {\n auth \"bsdtcp\"\n}\n"
    "define dumptype no-record {\n record no\n}\n"
    "define dumptype no-hold {\n holdingdisk no\n}\n"
    "define dumptype no-full {\n skip-full yes\n}\n";

conf_t *
conf_new(unsigned flags)
{
    conf_t *conf = g_new0(conf_t, 1);
    conf->flags = flags;
    conf->strings = g_string_chunk_new(256);
    conf->errors = g_ptr_array_new_with_free_func(g_free);
    conf->warnings = g_ptr_array_new_with_free_func(g_free);
    for (int k = 0; k < CONF_KIND_COUNT; k++)
        conf->sections[k] = g_ptr_array_new_with_free_func(
            (GDestroyNotify)conf_section_free);
    conf->global = conf_section_new(conf, CONF_GLOBAL, "global", "(defaults)", 0);
    conf_parse_into(conf, predefined, sizeof predefined - 1, CONF_PREDEFINED);
    g_assert(conf->errors->len == 0);
    return conf;
}

void
conf_free(conf_t *conf)
{
    if (!conf)
        return;
    for (int k = 0; k < CONF_KIND_COUNT; k++) {
        g_ptr_array_unref(conf->sections[k]);
        conf_section_free(conf->defaults[k]);
    }
    conf_section_free(conf->global);
    g_ptr_array_unref(conf->errors);
    g_ptr_array_unref(conf->warnings);
    g_string_chunk_free(conf->strings);
    g_free(conf->name);
    g_free(conf->filename);
    g_free(conf->dir);
    g_free(conf);
}

gboolean
conf_parse_buffer(conf_t *conf, const char *buf, gsize len, const char *filename)
{
    guint before = conf->errors->len;
    if (!conf->filename) {
        conf->filename = g_strdup(filename);
        conf->dir = g_path_get_dirname(filename);
    }
    conf_parse_into(conf, buf, len, filename);
    return conf->errors->len == before;
}

gboolean
conf_parse_file(conf_t *conf, const char *path)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        g_ptr_array_add(conf->errors, g_strdup_printf("%s: cannot read the "
                        "configuration file: %s", path, err->message));
        return FALSE;
    }
    return conf_parse_buffer(conf, buf, len, path);
}

/* Defaults that depend on where the config lives. */
static void
set_path_defaults(conf_t *conf)
{
    static const struct { conf_param_t id; const char *sub; } paths[] = {
        { CNF_INFOFILE, "curinfo" }, { CNF_LOGDIR, NULL },
        { CNF_INDEXDIR, "index" } };
    if (!conf->dir || (conf->flags & CONF_FLAG_CLIENT))
        return;
    for (gsize i = 0; i < G_N_ELEMENTS(paths); i++) {
        conf_value_t *v = &conf->global->values[paths[i].id];
        if (v->seen)
            continue;
        g_free(v->s);
        v->s = paths[i].sub ? g_build_filename(conf->dir, paths[i].sub, NULL)
                            : g_strdup(conf->dir);
    }
}

static void
load_client(conf_t *conf, const char *name, const char *file)
{
    const char *dir = amanda_config_dir();
    g_autofree char *base = g_build_filename(dir, "amanda-client.conf", NULL);
    if (file) {
        conf_parse_file(conf, file);
        return;
    }
    if (g_file_test(base, G_FILE_TEST_EXISTS))
        conf_parse_file(conf, base);
    if (!name)
        return;
    g_autofree char *leaf = g_strdup_printf("amanda-client-%s.conf", name);
    g_autofree char *named = g_build_filename(dir, leaf, NULL);
    g_autofree char *sub = g_build_filename(dir, name, "amanda-client.conf", NULL);
    if (g_file_test(named, G_FILE_TEST_EXISTS))
        conf_parse_file(conf, named);
    else if (g_file_test(sub, G_FILE_TEST_EXISTS))
        conf_parse_file(conf, sub);
}

conf_t *
conf_load(const char *name, const char *file, unsigned flags, char **overrides)
{
    conf_t *conf = conf_new(flags);
    conf->name = g_strdup(name);
    if (flags & CONF_FLAG_CLIENT) {
        load_client(conf, name, file);
    } else {
        g_autofree char *path = file ? g_strdup(file)
                              : amanda_config_file(name ? name : DEFAULT_CONFIG);
        conf_parse_file(conf, path);
        if (!conf->filename) {
            conf->filename = g_strdup(path);
            conf->dir = g_path_get_dirname(path);
        }
    }
    set_path_defaults(conf);
    for (char **o = overrides; o && *o; o++)
        conf_apply_override(conf, *o);
    return conf;
}

conf_t *
conf_load_checked(const char *name, const char *file, unsigned flags,
                  char **overrides, GError **error)
{
    conf_t *conf = conf_load(name, file, flags, overrides);
    if (conf->errors->len == 0)
        return conf;
    GString *msg = g_string_new(NULL);
    for (guint i = 0; i < conf->errors->len; i++)
        g_string_append_printf(msg, "%s%s", i ? "\n" : "",
                               (char *)g_ptr_array_index(conf->errors, i));
    gboolean missing = conf->errors->len == 1 && !(flags & CONF_FLAG_CLIENT)
        && !g_file_test(conf->filename, G_FILE_TEST_EXISTS);
    g_set_error_literal(error, CONF_ERROR,
                        missing ? CONF_ERROR_NOT_FOUND : CONF_ERROR_PARSE, msg->str);
    g_string_free(msg, TRUE);
    conf_free(conf);
    return NULL;
}

void
conf_set_global(conf_t *conf)
{
    if (global_conf != conf)
        conf_free(global_conf);
    global_conf = conf;
}

conf_t *
conf_global(void)
{
    return global_conf;
}

const GPtrArray *conf_errors(const conf_t *conf) { return conf->errors; }
const GPtrArray *conf_warnings(const conf_t *conf) { return conf->warnings; }
const char *conf_name(const conf_t *conf) { return conf->name; }
const char *conf_dir(const conf_t *conf) { return conf->dir; }
const char *conf_filename(const conf_t *conf) { return conf->filename; }

const conf_value_t *
conf_get(const conf_t *conf, conf_param_t id)
{
    g_return_val_if_fail((int)id >= 0 && id < CNF_CNF, NULL);
    return &conf->global->values[id];
}

gint64 conf_get_int(const conf_t *conf, conf_param_t id) { return conf_get(conf, id)->i; }
const char *conf_get_str(const conf_t *conf, conf_param_t id) { return conf_get(conf, id)->s; }
double conf_get_real(const conf_t *conf, conf_param_t id) { return conf_get(conf, id)->r[0]; }
gboolean conf_get_bool(const conf_t *conf, conf_param_t id) { return conf_get(conf, id)->i != 0; }
gboolean conf_seen(const conf_t *conf, conf_param_t id) { return conf_get(conf, id)->seen; }

gint64 conf_value_int(const conf_value_t *v) { return v->i; }
const char *conf_value_str(const conf_value_t *v) { return v->s; }

const conf_property_t *
conf_value_property(const conf_value_t *v, const char *name)
{
    for (guint i = 0; v->props && i < v->props->len; i++) {
        const conf_property_t *p = g_ptr_array_index(v->props, i);
        if (conf_keyword_eq(p->name, name))
            return p;
    }
    return NULL;
}

conf_section_t *
conf_lookup(const conf_t *conf, conf_kind_t kind, const char *name)
{
    if ((int)kind <= CONF_GLOBAL || kind >= CONF_KIND_COUNT || !name)
        return NULL;
    GPtrArray *a = conf->sections[kind];
    for (guint i = 0; i < a->len; i++) {
        conf_section_t *s = g_ptr_array_index(a, i);
        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

const GPtrArray *
conf_sections(const conf_t *conf, conf_kind_t kind)
{
    g_return_val_if_fail(kind < CONF_KIND_COUNT, NULL);
    return conf->sections[kind];
}

GPtrArray *
conf_holdingdisks(const conf_t *conf)
{
    GPtrArray *out = g_ptr_array_new();
    const GPtrArray *names = conf->global->values[CNF_HOLDINGDISK].list;
    for (guint i = 0; i < names->len; i++) {
        conf_section_t *s = conf_lookup(conf, CONF_HOLDINGDISK,
                                        g_ptr_array_index(names, i));
        if (s)
            g_ptr_array_add(out, s);
    }
    return out;
}

const char *conf_section_name(const conf_section_t *sec) { return sec->name; }
conf_kind_t conf_section_kind(const conf_section_t *sec) { return sec->kind; }
int conf_section_line(const conf_section_t *sec) { return sec->line; }

const conf_value_t *
conf_section_get(const conf_section_t *sec, int id)
{
    g_return_val_if_fail(id >= 0 && id < conf_table(sec->kind)->count, NULL);
    return &sec->values[id];
}

const conf_value_t *
conf_section_get_by_name(const conf_section_t *sec, const char *param)
{
    int id = conf_param_find(sec->kind, param);
    return id < 0 ? NULL : &sec->values[id];
}

/* Splits "KIND:NAME:PARAM" (NAME may itself hold ':'); FALSE if no ':'. */
static gboolean
split_subsection(const char *spec, char **kind, char **name, char **param)
{
    const char *c1 = strchr(spec, ':');
    const char *c2 = strrchr(spec, ':');
    if (!c1 || c1 == c2)
        return FALSE;
    *kind = g_strndup(spec, c1 - spec);
    *name = g_strndup(c1 + 1, c2 - c1 - 1);
    *param = g_strdup(c2 + 1);
    return TRUE;
}

static conf_value_t *
find_value(const conf_t *conf, const char *spec, GError **error)
{
    g_autofree char *kind_s = NULL, *name = NULL, *param = NULL;
    if (!split_subsection(spec, &kind_s, &name, &param)) {
        int id = conf_param_find(CONF_GLOBAL, spec);
        if (id >= 0)
            return &conf->global->values[id];
        g_set_error(error, CONF_ERROR, CONF_ERROR_UNKNOWN,
                    "unknown parameter \"%s\"", spec);
        return NULL;
    }
    conf_kind_t kind = conf_kind_from_name(kind_s);
    if ((int)kind < 0) {
        g_set_error(error, CONF_ERROR, CONF_ERROR_UNKNOWN,
                    "unknown section kind \"%s\"", kind_s);
        return NULL;
    }
    conf_section_t *sec = conf_lookup(conf, kind, name);
    int id = conf_param_find(kind, param);
    if (!sec || id < 0) {
        g_set_error(error, CONF_ERROR, CONF_ERROR_UNKNOWN,
                    !sec ? "unknown %s \"%s\"" : "unknown %s parameter \"%s\"",
                    conf_kind_name(kind), !sec ? name : param);
        return NULL;
    }
    return &sec->values[id];
}

const conf_value_t *
conf_get_by_name(const conf_t *conf, const char *name, GError **error)
{
    return find_value(conf, name, error);
}

void
conf_add_relabelled(GPtrArray *to, GPtrArray *from, const char *label)
{
    static const char prefix[] = "override:0: ";
    for (guint i = 0; i < from->len; i++) {
        const char *m = g_ptr_array_index(from, i);
        if (g_str_has_prefix(m, prefix))
            m += strlen(prefix);
        g_ptr_array_add(to, g_strdup_printf("-o %s: %s", label, m));
    }
}

static gboolean
is_string_type(conf_type_t t)
{
    return t == CONF_T_STR || t == CONF_T_IDENT || t == CONF_T_PORT;
}

gboolean
conf_apply_override(conf_t *conf, const char *override)
{
    const char *eq = strchr(override, '=');
    g_autofree char *spec = eq ? g_strndup(override, eq - override) : g_strdup(override);
    g_autoptr(GError) err = NULL;
    conf_value_t *v = find_value(conf, spec, &err);
    if (!eq || !v) {
        g_ptr_array_add(conf->errors, g_strdup_printf("-o %s: %s", override,
                        eq ? err->message : "NAME=VALUE is expected"));
        return FALSE;
    }
    const char *text = eq + 1;
    if (is_string_type(v->type) && text[0] != '"') {
        g_free(v->s);
        v->s = g_strdup(text);
    } else {
        g_autoptr(GPtrArray) errs = g_ptr_array_new_with_free_func(g_free);
        const char *kw = strrchr(spec, ':') ? strrchr(spec, ':') + 1 : spec;
        if (!conf_value_parse_text(v, kw, text, "override", 0, errs, errs)) {
            conf_add_relabelled(conf->errors, errs, override);
            return FALSE;
        }
    }
    v->seen = TRUE;
    v->seen_file = conf_intern(conf, "-o");
    v->seen_line = 0;
    return TRUE;
}

char *
conf_disklist_path(const conf_t *conf)
{
    const char *f = conf->global->values[CNF_DISKFILE].s;
    if (!f)
        f = "disklist";
    if (g_path_is_absolute(f) || !conf->dir)
        return g_strdup(f);
    return g_build_filename(conf->dir, f, NULL);
}
