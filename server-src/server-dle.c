/* server-dle: build the <dle> element of a disklist entry. */
#include "server-dle.h"

#include <string.h>

gint64
server_dle_int(const disklist_entry_t *entry, int id)
{
    return conf_value_int(conf_section_get(entry->dumptype, id));
}

const char *
server_dle_str(const disklist_entry_t *entry, int id)
{
    return conf_value_str(conf_section_get(entry->dumptype, id));
}

const conf_value_t *
server_dle_inherited(const conf_t *conf, const disklist_entry_t *entry, int dt_id,
                     conf_param_t global_id)
{
    const conf_value_t *v = conf_section_get(entry->dumptype, dt_id);
    if ((v && v->seen) || !conf)
        return v;
    return conf_get(conf, global_id);
}

int
server_dle_maxdumps(const conf_t *conf, const disklist_entry_t *entry)
{
    return (int)MAX(1, conf_value_int(server_dle_inherited(conf, entry, DUMPTYPE_MAXDUMPS,
                                                           CNF_MAXDUMPS)));
}

int
server_dle_compress(const disklist_entry_t *entry)
{
    return (int)server_dle_int(entry, DUMPTYPE_COMPRESS);
}

const char *
server_dle_auth(const disklist_entry_t *entry)
{
    const char *auth = server_dle_str(entry, DUMPTYPE_AUTH);
    return auth && *auth ? auth : "bsdtcp";
}

const char *
server_dle_comp_suffix(const disklist_entry_t *entry)
{
    switch (server_dle_compress(entry)) {
    case COMP_FAST: case COMP_BEST: case COMP_SERVER_FAST: case COMP_SERVER_BEST:
        return ".gz";
    case COMP_CUST: case COMP_SERVER_CUST:
        return "cust";
    default:
        return NULL;
    }
}

/* The configuration the security conf function reads amanda.conf's global
 * port ranges from (set by server_dle_set_conf). */
static const conf_t *security_conf;
static char *reserved_tcp_text, *unreserved_tcp_text;

void
server_dle_set_conf(const conf_t *conf)
{
    security_conf = conf;
    g_clear_pointer(&reserved_tcp_text, g_free);
    g_clear_pointer(&unreserved_tcp_text, g_free);
}

/* "LOW,HIGH" of ID when amanda.conf sets it; NULL otherwise, so the
 * defaults of stream-ports (and configure's --with-tcpportrange) apply. */
static const char *
port_range_seen(conf_param_t id, char **text)
{
    if (!security_conf || !conf_seen(security_conf, id))
        return NULL;
    if (!*text) {
        const conf_value_t *v = conf_get(security_conf, id);
        *text = g_strdup_printf("%d,%d", (int)v->i, (int)v->i2);
    }
    return *text;
}

const char *
server_dle_security_conf(const char *key, void *arg)
{
    const disklist_entry_t *entry = arg;
    const char *v = NULL;
    if (strcmp(key, "reserved_tcp_port") == 0)
        return port_range_seen(CNF_RESERVED_TCP_PORT, &reserved_tcp_text);
    if (strcmp(key, "unreserved_tcp_port") == 0)
        return port_range_seen(CNF_UNRESERVED_TCP_PORT, &unreserved_tcp_text);
    if (strcmp(key, "client_username") == 0)
        v = server_dle_str(entry, DUMPTYPE_CLIENT_USERNAME);
    else if (strcmp(key, "amandad_path") == 0)
        v = server_dle_str(entry, DUMPTYPE_AMANDAD_PATH);
    else if (strcmp(key, "client_port") == 0)
        v = server_dle_str(entry, DUMPTYPE_CLIENT_PORT);
    return v && *v ? v : NULL;
}

static const char *
compress_name(int comp)
{
    switch (comp) {
    case COMP_FAST: return "FAST";
    case COMP_BEST: return "BEST";
    case COMP_CUST: return "CUSTOM";
    case COMP_SERVER_FAST: return "SERVER-FAST";
    case COMP_SERVER_BEST: return "SERVER-BEST";
    case COMP_SERVER_CUST: return "SERVER-CUSTOM";
    default: return NULL;
    }
}

static void
add_props(GPtrArray *dst, const conf_value_t *v)
{
    if (!v || !v->props)
        return;
    for (guint i = 0; i < v->props->len; i++) {
        const conf_property_t *p = g_ptr_array_index(v->props, i);
        dle_property_t *dp = g_new0(dle_property_t, 1);
        dp->name = g_strdup(p->name);
        dp->values = g_ptr_array_new_with_free_func(g_free);
        for (guint j = 0; j < p->values->len; j++)
            g_ptr_array_add(dp->values, g_strdup(g_ptr_array_index(p->values, j)));
        if (dp->values->len == 0)
            g_ptr_array_add(dp->values, g_strdup(""));
        dp->priority = p->priority;
        g_ptr_array_add(dst, dp);
    }
}

static void
copy_strs(GPtrArray *dst, const GPtrArray *src)
{
    for (guint i = 0; src && i < src->len; i++)
        g_ptr_array_add(dst, g_strdup(g_ptr_array_index(src, i)));
}

static void
fill_exinclude(dle_exinclude_t *x, const conf_value_t *v)
{
    if (!v || !v->seen)
        return;
    copy_strs(x->files, v->list);
    copy_strs(x->lists, v->list2);
    x->optional = v->i != 0;
}

/* The application block: plugin and properties of the application-tool
 * the dumptype names (AMANDA sends them with the DLE). */
static void
fill_application(dle_t *dle, const conf_t *conf, const disklist_entry_t *entry)
{
    const char *app = server_dle_str(entry, DUMPTYPE_APPLICATION);
    if (!app || !*app)
        return;
    const conf_section_t *sec = conf_lookup(conf, CONF_APPLICATION, app);
    if (!sec) {
        dle->plugin = g_strdup(app);
        return;
    }
    const char *plugin = conf_value_str(conf_section_get(sec, APPLICATION_PLUGIN));
    dle->plugin = g_strdup(plugin && *plugin ? plugin : app);
    add_props(dle->app_properties, conf_section_get(sec, APPLICATION_PROPERTY));
}

static void
fill_estimates(dle_t *dle, const disklist_entry_t *entry)
{
    const conf_value_t *v = conf_section_get(entry->dumptype, DUMPTYPE_ESTIMATE);
    for (guint i = 0; v && v->list && i < v->list->len; i++) {
        dle_estimate_t e = (dle_estimate_t)GPOINTER_TO_INT(g_ptr_array_index(v->list, i));
        g_array_append_val(dle->estimates, e);
    }
    if (dle->estimates->len == 0) {
        dle_estimate_t e = DLE_ESTIMATE_CLIENT;
        g_array_append_val(dle->estimates, e);
    }
}

dle_t *
server_dle_new(const conf_t *conf, const disklist_entry_t *entry, const int *levels,
               const gboolean *server, int nlevels)
{
    dle_t *dle = dle_new();
    fill_application(dle, conf, entry);
    const char *program = server_dle_str(entry, DUMPTYPE_PROGRAM);
    dle->program = g_strdup(dle->plugin ? "APPLICATION" : (program && *program ? program : "DUMP"));
    dle->disk = g_strdup(entry->disk);
    dle->device = g_strdup(entry->device);
    for (int i = 0; i < nlevels; i++) {
        dle_level_t l = { levels[i], server ? server[i] : FALSE };
        g_array_append_val(dle->levels, l);
    }
    fill_estimates(dle, entry);
    dle->spindle = entry->spindle;
    dle->has_spindle = TRUE;
    dle->auth = g_strdup(server_dle_auth(entry));
    const char *comp = compress_name(server_dle_compress(entry));
    dle->compress = g_strdup(comp);
    if (server_dle_compress(entry) == COMP_CUST)
        dle->custom_compress = g_strdup(server_dle_str(entry, DUMPTYPE_CLIENT_CUSTOM_COMPRESS));
    dle->record = server_dle_int(entry, DUMPTYPE_RECORD) != 0;
    dle->index = server_dle_int(entry, DUMPTYPE_INDEX) != 0;
    dle->datapath = g_strdup(server_dle_int(entry, DUMPTYPE_DATA_PATH) == DATA_PATH_DIRECTTCP
                             ? "DIRECTTCP" : "AMANDA");
    fill_exinclude(&dle->exclude, conf_section_get(entry->dumptype, DUMPTYPE_EXCLUDE));
    fill_exinclude(&dle->include, conf_section_get(entry->dumptype, DUMPTYPE_INCLUDE));
    return dle;
}
