/* dle: parse and render the XML disk-list entries of AMANDA 3.x requests.
 * Parsing uses GMarkup (the XML subset AMANDA emits: elements, text,
 * entities, one attribute pair on <disk>/<diskdevice>). */
#include "config.h"
#include "dle.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(dle-error-quark, dle_error)

/* --- construction ------------------------------------------------------- */

static void
property_free(gpointer p)
{
    dle_property_t *prop = p;
    g_free(prop->name);
    g_ptr_array_unref(prop->values);
    g_free(prop);
}

static dle_property_t *
property_new(const char *name)
{
    dle_property_t *prop = g_new0(dle_property_t, 1);
    prop->name = g_strdup(name);
    prop->values = g_ptr_array_new_with_free_func(g_free);
    return prop;
}

static void
script_free(gpointer p)
{
    dle_script_t *s = p;
    g_free(s->plugin);
    g_free(s->execute_on);
    g_free(s->execute_where);
    g_ptr_array_unref(s->properties);
    g_free(s);
}

static void
exinclude_init(dle_exinclude_t *x)
{
    x->files = g_ptr_array_new_with_free_func(g_free);
    x->lists = g_ptr_array_new_with_free_func(g_free);
}

dle_t *
dle_new(void)
{
    dle_t *dle = g_new0(dle_t, 1);
    dle->levels = g_array_new(FALSE, FALSE, sizeof(dle_level_t));
    dle->estimates = g_array_new(FALSE, FALSE, sizeof(dle_estimate_t));
    dle->spindle = -1;
    exinclude_init(&dle->exclude);
    exinclude_init(&dle->include);
    dle->app_properties = g_ptr_array_new_with_free_func(property_free);
    dle->scripts = g_ptr_array_new_with_free_func(script_free);
    return dle;
}

void
dle_free(dle_t *dle)
{
    if (!dle)
        return;
    g_free(dle->program);
    g_free(dle->disk);
    g_free(dle->device);
    g_array_unref(dle->levels);
    g_array_unref(dle->estimates);
    g_free(dle->auth);
    g_free(dle->compress);
    g_free(dle->custom_compress);
    g_free(dle->encrypt);
    g_free(dle->custom_encrypt);
    g_free(dle->decrypt_option);
    g_free(dle->datapath);
    g_ptr_array_unref(dle->exclude.files);
    g_ptr_array_unref(dle->exclude.lists);
    g_ptr_array_unref(dle->include.files);
    g_ptr_array_unref(dle->include.lists);
    g_free(dle->plugin);
    g_ptr_array_unref(dle->app_properties);
    g_ptr_array_unref(dle->scripts);
    g_free(dle);
}

void
dle_add_property(GPtrArray *props, const char *name, const char *value)
{
    dle_property_t *prop = property_new(name);
    g_ptr_array_add(prop->values, g_strdup(value));
    g_ptr_array_add(props, prop);
}

static gboolean
same_property_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (*a == '_') ? '-' : g_ascii_tolower(*a);
        char cb = (*b == '_') ? '-' : g_ascii_tolower(*b);
        if (ca != cb)
            return FALSE;
    }
    return *a == *b;
}

const char *
dle_property_value(const GPtrArray *props, const char *name)
{
    for (guint i = 0; i < props->len; i++) {
        const dle_property_t *prop = g_ptr_array_index(props, i);
        if (same_property_name(prop->name, name) && prop->values->len > 0)
            return g_ptr_array_index(prop->values, 0);
    }
    return NULL;
}

/* --- parsing ------------------------------------------------------------ */

typedef struct {
    GPtrArray *result;          /* dle_t * */
    dle_t *dle;                 /* the <dle> being read */
    dle_property_t *property;   /* the <property> being read */
    dle_exinclude_t *exinclude; /* inside <exclude>/<include> */
    dle_script_t *script;       /* inside <script> */
    dle_level_t level;          /* inside <level> */
    gboolean in_backup_program;
    GString *text;
    char *raw_value;            /* decoded raw= attribute of the current element */
    GString *level_text;        /* "N" of <level>N<server>..</server></level> */
} parse_state_t;

static const char *const known_ignored[] = {
    "dumpdate", "directtcp", "client_name", "application_version", "amandad_path", NULL,
};

static gboolean
parse_bool(const char *text, gboolean *out)
{
    if (g_ascii_strcasecmp(text, "YES") == 0 || g_ascii_strcasecmp(text, "TRUE") == 0) {
        *out = TRUE;
        return TRUE;
    }
    if (g_ascii_strcasecmp(text, "NO") == 0 || g_ascii_strcasecmp(text, "FALSE") == 0) {
        *out = FALSE;
        return TRUE;
    }
    return FALSE;
}

static gboolean
parse_int(const char *text, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < -1 || v > 1000000)
        return FALSE;
    *out = (int)v;
    return TRUE;
}

static gboolean
parse_estimates(GArray *out, const char *text)
{
    g_auto(GStrv) words = g_strsplit_set(text, " \t\n", -1);
    for (char **w = words; *w; w++) {
        dle_estimate_t e;
        if (**w == '\0')
            continue;
        if (g_ascii_strcasecmp(*w, "CLIENT") == 0)
            e = DLE_ESTIMATE_CLIENT;
        else if (g_ascii_strcasecmp(*w, "SERVER") == 0)
            e = DLE_ESTIMATE_SERVER;
        else if (g_ascii_strcasecmp(*w, "CALCSIZE") == 0)
            e = DLE_ESTIMATE_CALCSIZE;
        else
            return FALSE;
        g_array_append_val(out, e);
    }
    return TRUE;
}

static void
on_start(GMarkupParseContext *ctx, const gchar *name, const gchar **attr_names,
         const gchar **attr_values, gpointer data, GError **error)
{
    parse_state_t *st = data;
    (void)ctx;
    if (strcmp(name, "server") == 0)
        g_string_assign(st->level_text, st->text->str);
    else if (strcmp(name, "level") == 0)
        g_string_truncate(st->level_text, 0);
    g_string_truncate(st->text, 0);
    g_clear_pointer(&st->raw_value, g_free);
    for (int i = 0; attr_names[i]; i++) {
        if (strcmp(attr_names[i], "raw") == 0) {
            gsize len;
            guchar *raw = g_base64_decode(attr_values[i], &len);
            st->raw_value = g_strndup((const char *)raw, len);
            g_free(raw);
        }
    }
    if (strcmp(name, "dle") == 0) {
        if (st->dle) {
            g_set_error(error, DLE_ERROR, 1, "<dle> inside <dle>");
            return;
        }
        st->dle = dle_new();
    } else if (!st->dle) {
        g_set_error(error, DLE_ERROR, 1, "<%s> outside of <dle>", name);
    } else if (strcmp(name, "backup-program") == 0) {
        st->in_backup_program = TRUE;
    } else if (st->property) {
        if (strcmp(name, "name") != 0 && strcmp(name, "value") != 0 && strcmp(name, "priority") != 0)
            g_set_error(error, DLE_ERROR, 1, "<%s> inside <property>", name);
    } else if (strcmp(name, "property") == 0) {
        st->property = property_new("");
    } else if (strcmp(name, "exclude") == 0) {
        st->exinclude = &st->dle->exclude;
    } else if (strcmp(name, "include") == 0) {
        st->exinclude = &st->dle->include;
    } else if (strcmp(name, "script") == 0) {
        if (st->script) {
            g_set_error(error, DLE_ERROR, 1, "<script> inside <script>");
            return;
        }
        st->script = g_new0(dle_script_t, 1);
        st->script->properties = g_ptr_array_new_with_free_func(property_free);
    } else if (strcmp(name, "level") == 0) {
        st->level.level = -1;
        st->level.server = FALSE;
    }
}

/* Text of the element just closed, with surrounding blanks removed. */
static char *
take_text(parse_state_t *st)
{
    if (st->raw_value) {
        char *raw = st->raw_value;
        st->raw_value = NULL;
        return raw;
    }
    return g_strstrip(g_strdup(st->text->str));
}

static gboolean
end_value_element(parse_state_t *st, const char *name, char *text, GError **error)
{
    dle_t *dle = st->dle;
    char **slot = NULL;
    if (strcmp(name, "program") == 0) slot = &dle->program;
    else if (strcmp(name, "disk") == 0) slot = &dle->disk;
    else if (strcmp(name, "diskdevice") == 0) slot = &dle->device;
    else if (strcmp(name, "auth") == 0) slot = &dle->auth;
    else if (strcmp(name, "compress") == 0) slot = &dle->compress;
    else if (strcmp(name, "custom-compress") == 0) slot = &dle->custom_compress;
    else if (strcmp(name, "encrypt") == 0) slot = &dle->encrypt;
    else if (strcmp(name, "custom-encrypt") == 0) slot = &dle->custom_encrypt;
    else if (strcmp(name, "decrypt-option") == 0) slot = &dle->decrypt_option;
    else if (strcmp(name, "datapath") == 0) slot = &dle->datapath;
    if (slot) {
        g_free(*slot);
        *slot = g_strdup(text);
        return TRUE;
    }
    gboolean *flag = NULL;
    if (strcmp(name, "record") == 0) flag = &dle->record;
    else if (strcmp(name, "index") == 0) flag = &dle->index;
    else if (strcmp(name, "kencrypt") == 0) flag = &dle->kencrypt;
    else if (strcmp(name, "calcsize") == 0) flag = &dle->calcsize;
    if (flag) {
        if (!parse_bool(text, flag))
            g_set_error(error, DLE_ERROR, 1, "<%s> must be YES or NO, not \"%s\"", name, text);
        return TRUE;
    }
    return FALSE;
}

static void
end_level(parse_state_t *st, const char *text, GError **error)
{
    /* the level number is the text before any <server> child */
    while (g_ascii_isspace(*text))
        text++;
    g_autofree char *num = g_strndup(text, strcspn(text, " \t\n<"));
    if (!parse_int(num, &st->level.level) || st->level.level < 0) {
        g_set_error(error, DLE_ERROR, 1, "bad <level> \"%s\"", text);
        return;
    }
    g_array_append_val(st->dle->levels, st->level);
}

static void
end_in_property(parse_state_t *st, const char *name, char *text, GError **error)
{
    dle_property_t *prop = st->property;
    if (strcmp(name, "name") == 0) {
        g_free(prop->name);
        prop->name = g_strdup(text);
    } else if (strcmp(name, "value") == 0) {
        g_ptr_array_add(prop->values, g_strdup(text));
    } else if (strcmp(name, "priority") == 0) {
        if (!parse_bool(text, &prop->priority))
            g_set_error(error, DLE_ERROR, 1, "bad property <priority> \"%s\"", text);
    } else if (strcmp(name, "property") == 0) {
        GPtrArray *dest = st->script ? st->script->properties : st->dle->app_properties;
        if (*prop->name == '\0') {
            g_set_error(error, DLE_ERROR, 1, "<property> without <name>");
            property_free(prop);
        } else {
            g_ptr_array_add(dest, prop);
        }
        st->property = NULL;
    } else {
        g_set_error(error, DLE_ERROR, 1, "unknown tag <%s> in <property>", name);
    }
}

static void
end_other(parse_state_t *st, const char *name, char *text, GError **error)
{
    if (strcmp(name, "plugin") == 0) {
        char **slot = st->script ? &st->script->plugin : &st->dle->plugin;
        g_free(*slot);
        *slot = g_strdup(text);
    } else if (st->script && strcmp(name, "execute_on") == 0) {
        g_free(st->script->execute_on);
        st->script->execute_on = g_strdup(text);
    } else if (st->script && strcmp(name, "execute_where") == 0) {
        g_free(st->script->execute_where);
        st->script->execute_where = g_strdup(text);
    } else if (strcmp(name, "script") == 0 && st->script) {
        g_ptr_array_add(st->dle->scripts, st->script);
        st->script = NULL;
    } else if (st->exinclude && strcmp(name, "file") == 0) {
        g_ptr_array_add(st->exinclude->files, g_strdup(text));
    } else if (st->exinclude && strcmp(name, "list") == 0) {
        g_ptr_array_add(st->exinclude->lists, g_strdup(text));
    } else if (st->exinclude && strcmp(name, "optional") == 0) {
        if (!parse_bool(text, &st->exinclude->optional))
            g_set_error(error, DLE_ERROR, 1, "bad <optional> \"%s\"", text);
    } else if (strcmp(name, "exclude") == 0 || strcmp(name, "include") == 0) {
        st->exinclude = NULL;
    } else if (strcmp(name, "backup-program") == 0) {
        st->in_backup_program = FALSE;
    } else if (strcmp(name, "server") == 0) {
        if (!parse_bool(text, &st->level.server))
            g_set_error(error, DLE_ERROR, 1, "bad <server> \"%s\"", text);
    } else if (strcmp(name, "level") == 0) {
        end_level(st, st->level_text->len ? st->level_text->str : st->text->str, error);
    } else if (strcmp(name, "spindle") == 0) {
        st->dle->has_spindle = TRUE;
        if (!parse_int(text, &st->dle->spindle))
            g_set_error(error, DLE_ERROR, 1, "bad <spindle> \"%s\"", text);
    } else if (strcmp(name, "estimate") == 0) {
        if (!parse_estimates(st->dle->estimates, text))
            g_set_error(error, DLE_ERROR, 1, "bad <estimate> \"%s\"", text);
    } else if (!g_strv_contains(known_ignored, name)) {
        g_set_error(error, DLE_ERROR, 1, "unknown tag <%s> in <dle>", name);
    }
}

static void
on_end(GMarkupParseContext *ctx, const gchar *name, gpointer data, GError **error)
{
    parse_state_t *st = data;
    (void)ctx;
    if (strcmp(name, "dle") == 0) {
        if (!st->dle->disk) {
            g_set_error(error, DLE_ERROR, 1, "<dle> without <disk>");
            return;
        }
        g_ptr_array_add(st->result, st->dle);
        st->dle = NULL;
        return;
    }
    g_autofree char *text = take_text(st);
    if (st->property)
        end_in_property(st, name, text, error);
    else if (!end_value_element(st, name, text, error))
        end_other(st, name, text, error);
    g_string_truncate(st->text, 0);
}

static void
on_text(GMarkupParseContext *ctx, const gchar *text, gsize len, gpointer data, GError **error)
{
    parse_state_t *st = data;
    (void)ctx;
    (void)error;
    if (st->dle)
        g_string_append_len(st->text, text, (gssize)len);
}

static const GMarkupParser dle_markup = { on_start, on_end, on_text, NULL, NULL };

/* The request text may start with non-XML lines (OPTIONS ...): parse from
 * the first "<dle>" on. */
GPtrArray *
dle_parse_all(const char *text, gssize len, GError **error)
{
    gsize size = len < 0 ? strlen(text) : (gsize)len;
    const char *start = g_strstr_len(text, (gssize)size, "<dle>");
    parse_state_t st = { 0 };
    st.result = g_ptr_array_new_with_free_func((GDestroyNotify)dle_free);
    st.text = g_string_new(NULL);
    st.level_text = g_string_new(NULL);
    gboolean ok = TRUE;
    if (start) {
        GMarkupParseContext *ctx = g_markup_parse_context_new(&dle_markup, 0, &st, NULL);
        ok = g_markup_parse_context_parse(ctx, start, (gssize)(size - (gsize)(start - text)), error)
             && g_markup_parse_context_end_parse(ctx, error);
        g_markup_parse_context_free(ctx);
    }
    if (st.property)
        property_free(st.property);
    if (st.script)
        script_free(st.script);
    dle_free(st.dle);
    g_free(st.raw_value);
    g_string_free(st.text, TRUE);
    g_string_free(st.level_text, TRUE);
    if (!ok) {
        g_ptr_array_unref(st.result);
        return NULL;
    }
    return st.result;
}

/* --- rendering ---------------------------------------------------------- */

static gboolean
needs_raw_encoding(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return TRUE;
    return FALSE;
}

static void
render_tag(GString *out, const char *indent, const char *tag, const char *value)
{
    g_autofree char *esc = g_markup_escape_text(value, -1);
    g_string_append_printf(out, "%s<%s>%s</%s>\n", indent, tag, esc, tag);
}

/* <disk> and <diskdevice>: names with blanks or odd bytes travel base64 in
 * raw="..." with a printable stand-in (odd bytes replaced by '_') as text. */
static void
render_name(GString *out, const char *tag, const char *value)
{
    if (!needs_raw_encoding(value)) {
        render_tag(out, "  ", tag, value);
        return;
    }
    g_autofree char *b64 = g_base64_encode((const guchar *)value, strlen(value));
    g_autofree char *shown = g_strdup(value);
    for (unsigned char *p = (unsigned char *)shown; *p; p++)
        if (*p <= ' ' || *p >= 0x7f)
            *p = '_';
    g_autofree char *esc = g_markup_escape_text(shown, -1);
    g_string_append_printf(out, "  <%s encoding=\"raw\" raw=\"%s\">%s</%s>\n", tag, b64, esc, tag);
}

static void
render_properties(GString *out, const char *indent, const GPtrArray *props)
{
    for (guint i = 0; i < props->len; i++) {
        const dle_property_t *prop = g_ptr_array_index(props, i);
        g_string_append_printf(out, "%s<property>\n", indent);
        if (prop->priority)
            g_string_append_printf(out, "%s  <priority>yes</priority>\n", indent);
        g_autofree char *inner = g_strconcat(indent, "  ", NULL);
        render_tag(out, inner, "name", prop->name);
        for (guint j = 0; j < prop->values->len; j++)
            render_tag(out, inner, "value", g_ptr_array_index(prop->values, j));
        g_string_append_printf(out, "%s</property>\n", indent);
    }
}

static void
render_backup_program(GString *out, const dle_t *dle)
{
    if (!dle->plugin)
        return;
    g_string_append(out, "  <backup-program>\n");
    render_tag(out, "    ", "plugin", dle->plugin);
    render_properties(out, "    ", dle->app_properties);
    g_string_append(out, "  </backup-program>\n");
}

static void
render_estimates(GString *out, const dle_t *dle)
{
    static const char *const names[] = { "CLIENT", "SERVER", "CALCSIZE" };
    if (dle->estimates->len == 0)
        return;
    g_string_append(out, "  <estimate>");
    for (guint i = 0; i < dle->estimates->len; i++)
        g_string_append_printf(out, "%s ", names[g_array_index(dle->estimates, dle_estimate_t, i)]);
    g_string_append(out, "</estimate>\n");
}

static void
render_levels(GString *out, const dle_t *dle)
{
    for (guint i = 0; i < dle->levels->len; i++) {
        const dle_level_t *l = &g_array_index(dle->levels, dle_level_t, i);
        g_string_append_printf(out, "  <level>%d%s</level>\n", l->level,
                               l->server ? "<server>YES</server>" : "");
    }
}

static void
render_exinclude(GString *out, const char *tag, const dle_exinclude_t *x)
{
    if (x->files->len == 0 && x->lists->len == 0)
        return;
    g_string_append_printf(out, "  <%s>\n", tag);
    for (guint i = 0; i < x->files->len; i++)
        render_tag(out, "    ", "file", g_ptr_array_index(x->files, i));
    for (guint i = 0; i < x->lists->len; i++)
        render_tag(out, "    ", "list", g_ptr_array_index(x->lists, i));
    if (x->optional)
        render_tag(out, "    ", "optional", "YES");
    g_string_append_printf(out, "  </%s>\n", tag);
}

static void
render_compress_encrypt(GString *out, const dle_t *dle)
{
    if (dle->compress) {
        if (dle->custom_compress) {
            g_autofree char *esc = g_markup_escape_text(dle->custom_compress, -1);
            g_string_append_printf(out, "  <compress>%s\n    <custom-compress>%s</custom-compress>\n  </compress>\n",
                                   dle->compress, esc);
        } else {
            render_tag(out, "  ", "compress", dle->compress);
        }
    }
    if (dle->encrypt) {
        g_string_append_printf(out, "  <encrypt>%s", dle->encrypt);
        if (dle->custom_encrypt || dle->decrypt_option) {
            g_string_append(out, "\n");
            if (dle->custom_encrypt)
                render_tag(out, "    ", "custom-encrypt", dle->custom_encrypt);
            if (dle->decrypt_option)
                render_tag(out, "    ", "decrypt-option", dle->decrypt_option);
            g_string_append(out, "  ");
        }
        g_string_append(out, "</encrypt>\n");
    }
    if (dle->kencrypt)
        render_tag(out, "  ", "kencrypt", "YES");
}

static void
render_scripts(GString *out, const dle_t *dle)
{
    for (guint i = 0; i < dle->scripts->len; i++) {
        const dle_script_t *s = g_ptr_array_index(dle->scripts, i);
        g_string_append(out, "  <script>\n");
        if (s->plugin)
            render_tag(out, "    ", "plugin", s->plugin);
        if (s->execute_on)
            render_tag(out, "    ", "execute_on", s->execute_on);
        if (s->execute_where)
            render_tag(out, "    ", "execute_where", s->execute_where);
        render_properties(out, "    ", s->properties);
        g_string_append(out, "  </script>\n");
    }
}

char *
dle_render(const dle_t *dle, gboolean for_backup)
{
    GString *out = g_string_new("<dle>\n");
    render_tag(out, "  ", "program", dle->program ? dle->program : "APPLICATION");
    if (!for_backup) {
        render_backup_program(out, dle);
        render_estimates(out, dle);
    }
    render_name(out, "disk", dle->disk);
    if (dle->device)
        render_name(out, "diskdevice", dle->device);
    if (dle->calcsize)
        render_tag(out, "  ", "calcsize", "YES");
    render_levels(out, dle);
    if (!for_backup && dle->has_spindle)
        g_string_append_printf(out, "    <spindle>%d</spindle>\n", dle->spindle);
    if (dle->auth)
        render_tag(out, "  ", "auth", dle->auth);
    render_compress_encrypt(out, dle);
    render_tag(out, "  ", "record", dle->record ? "YES" : "NO");
    render_tag(out, "  ", "index", dle->index ? "YES" : "NO");
    render_tag(out, "  ", "datapath", dle->datapath ? dle->datapath : "AMANDA");
    render_exinclude(out, "exclude", &dle->exclude);
    render_exinclude(out, "include", &dle->include);
    if (for_backup)
        render_backup_program(out, dle);
    render_scripts(out, dle);
    g_string_append(out, "</dle>\n");
    return g_string_free(out, FALSE);
}
