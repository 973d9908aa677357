/* conf-print: the text form of a typed value, as amgetconf prints it.
 * Numbers are printed plainly (sizes in KiB, days as days), single
 * strings unquoted, enumerations in upper case, and lists as quoted
 * strings separated by blanks, one line per property or sub-list. */
#include "config.h"
#include "conf-internal.h"
#include "amutil.h"

#include <string.h>

static void
append_upper(GString *out, const char *s)
{
    g_autofree char *up = g_ascii_strup(s, -1);
    for (char *p = up; *p; p++)
        if (*p == '_')
            *p = '-';
    g_string_append(out, up);
}

static void
append_quoted_list(GString *out, const GPtrArray *list)
{
    for (guint i = 0; list && i < list->len; i++) {
        g_autofree char *q = quote_string_always(g_ptr_array_index(list, i));
        g_string_append_printf(out, "%s%s", i ? " " : "", q);
    }
}

static void
print_compress(GString *out, gint64 c)
{
    static const char *const names[] = {
        "NONE", "CLIENT FAST", "CLIENT BEST", "CLIENT CUSTOM",
        "SERVER FAST", "SERVER BEST", "SERVER CUSTOM" };
    g_string_append(out, c >= 0 && c < 7 ? names[c] : "?");
}

static void
print_properties(GString *out, const GPtrArray *props)
{
    for (guint i = 0; props && i < props->len; i++) {
        const conf_property_t *p = g_ptr_array_index(props, i);
        g_autofree char *name = quote_string_always(p->name);
        if (out->len)
            g_string_append_c(out, '\n');
        if (p->priority)
            g_string_append(out, "priority ");
        g_string_append(out, name);
        if (p->values->len)
            g_string_append_c(out, ' ');
        append_quoted_list(out, p->values);
    }
}

static void
print_exinclude(GString *out, const conf_value_t *v)
{
    const char *opt = v->i ? "OPTIONAL " : "";
    if (v->list->len) {
        g_string_append_printf(out, "FILE %s", opt);
        append_quoted_list(out, v->list);
    }
    if (v->list2->len) {
        if (out->len)
            g_string_append_c(out, '\n');
        g_string_append_printf(out, "LIST %s", opt);
        append_quoted_list(out, v->list2);
    }
}

static void
print_bits(GString *out, gint64 bits, const char *const *names, int n,
           const char *sep)
{
    gboolean first = TRUE;
    for (int b = 0; b < n; b++) {
        if (!(bits & ((gint64)1 << b)))
            continue;
        if (!first)
            g_string_append(out, sep);
        append_upper(out, names[b]);
        first = FALSE;
    }
}

static void
print_autolabel(GString *out, const conf_value_t *v)
{
    static const char *const conds[] = {
        "other-config", "non-amanda", "volume-error", "empty" };
    if (!v->s)
        return;
    g_autofree char *q = quote_string_always(v->s);
    g_string_append_printf(out, "%s ", q);
    print_bits(out, v->i, conds, 4, " ");
}

static void
print_execute_on(GString *out, gint64 bits)
{
    const char *names[CONF_EXECUTE_ON_COUNT];
    for (int b = 0; b < CONF_EXECUTE_ON_COUNT; b++)
        names[b] = conf_execute_on_name(b);
    print_bits(out, bits, names, CONF_EXECUTE_ON_COUNT, ",");
}

static void
print_hostlimit(GString *out, const conf_value_t *v)
{
    if (v->i & HOSTLIMIT_SAME_HOST)
        g_string_append(out, "SAME-HOST ");
    if (v->i & HOSTLIMIT_SERVER)
        g_string_append(out, "SERVER ");
    append_quoted_list(out, v->list);
    if (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
}

static void
print_estimates(GString *out, const GPtrArray *list)
{
    for (guint i = 0; i < list->len; i++) {
        if (i)
            g_string_append_c(out, ' ');
        append_upper(out, conf_enum_name_of(CONF_T_ESTIMATELIST,
                                            GPOINTER_TO_INT(g_ptr_array_index(list, i))));
    }
}

static void
print_enum(GString *out, const conf_value_t *v)
{
    const char *n = conf_enum_name_of(v->type, v->i);
    if (v->type == CONF_T_NO_YES_ALL) {      /* printed like a boolean */
        g_string_append(out, v->i == CONF_ALL ? "all" : v->i ? "yes" : "no");
        return;
    }
    if (n)
        append_upper(out, n);
    else
        g_string_append_printf(out, "%" G_GINT64_FORMAT, v->i);
}

static void
print_lines(GString *out, const GPtrArray *list)
{
    for (guint i = 0; i < list->len; i++)
        g_string_append_printf(out, "%s%s", i ? "\n" : "",
                               (char *)g_ptr_array_index(list, i));
}

char *
conf_value_to_string(const conf_value_t *v)
{
    GString *out = g_string_new(NULL);
    switch (v->type) {
    case CONF_T_INT: case CONF_T_SIZE: case CONF_T_DAYS:
        g_string_append_printf(out, "%" G_GINT64_FORMAT, v->i);
        break;
    case CONF_T_REAL: g_string_append_printf(out, "%g", v->r[0]); break;
    case CONF_T_RATE:
        g_string_append_printf(out, "%g %g", v->r[0], v->r[1]);
        break;
    case CONF_T_INTRANGE:
        g_string_append_printf(out, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT,
                               v->i, v->i2);
        break;
    case CONF_T_BOOL: g_string_append(out, v->i ? "yes" : "no"); break;
    case CONF_T_STR: case CONF_T_IDENT: case CONF_T_PORT:
        g_string_append(out, v->s ? v->s : "");
        break;
    case CONF_T_LABELSTR:
        g_string_append(out, v->i ? "MATCH-AUTOLABEL" : (v->s ? v->s : ""));
        break;
    case CONF_T_COMPRESS: print_compress(out, v->i); break;
    case CONF_T_ESTIMATELIST: print_estimates(out, v->list); break;
    case CONF_T_EXECUTE_ON: print_execute_on(out, v->i); break;
    case CONF_T_EXINCLUDE: print_exinclude(out, v); break;
    case CONF_T_PROPLIST: print_properties(out, v->props); break;
    case CONF_T_AUTOLABEL: print_autolabel(out, v); break;
    case CONF_T_STRLIST: append_quoted_list(out, v->list); break;
    case CONF_T_HOSTLIMIT: print_hostlimit(out, v); break;
    case CONF_T_DUMP_SELECTION: case CONF_T_VAULT: print_lines(out, v->list); break;
    default: print_enum(out, v); break;
    }
    return g_string_free(out, FALSE);
}
