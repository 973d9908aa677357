/* confchanger: the changer of a configuration (see confchanger.h). */
#include "confchanger.h"

#include <string.h>

static const char *
storage_changer(const conf_t *conf)
{
    const conf_value_t *st = conf_get(conf, CNF_STORAGE);
    if (!st || !st->seen || !st->list || st->list->len == 0)
        return NULL;
    conf_section_t *sec = conf_lookup(conf, CONF_STORAGE, st->list->pdata[0]);
    if (!sec)
        return NULL;
    const conf_value_t *v = conf_section_get(sec, STORAGE_TPCHANGER);
    if (v && v->s && *v->s)
        return v->s;
    v = conf_section_get(sec, STORAGE_TAPEDEV);
    return v && v->s && *v->s ? v->s : NULL;
}

static const char *
configured_changer(const conf_t *conf)
{
    const char *name = storage_changer(conf);
    if (name)
        return name;
    const char *tpc = conf_get_str(conf, CNF_TPCHANGER);
    if (tpc && *tpc)
        return tpc;
    return conf_get_str(conf, CNF_TAPEDEV);
}

/* "name" "value" properties of a changer section, first value each. */
static GHashTable *
section_properties(conf_section_t *sec)
{
    GHashTable *props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const conf_value_t *v = conf_section_get(sec, CHANGER_CONFIG_PROPERTY);
    for (guint i = 0; v && v->props && i < v->props->len; i++) {
        const conf_property_t *p = v->props->pdata[i];
        if (p->values && p->values->len > 0)
            g_hash_table_replace(props, g_ascii_strdown(p->name, -1),
                                 g_strdup(p->values->pdata[0]));
    }
    return props;
}

Changer *
confchanger_open(const conf_t *conf, const char *override, GError **error)
{
    const char *name = override ? override : configured_changer(conf);
    if (!name || !*name) {
        g_set_error(error, CHANGER_ERR, CHANGER_ERR_NAME,
                    "%s names no tpchanger or tapedev; give a device with -d",
                    conf_filename(conf));
        return NULL;
    }
    g_autoptr(GHashTable) props = NULL;
    conf_section_t *sec = conf_lookup(conf, CONF_CHANGER, name);
    if (sec) {
        const conf_value_t *v = conf_section_get(sec, CHANGER_CONFIG_TPCHANGER);
        if (!v || !v->s || !*v->s)
            v = conf_section_get(sec, CHANGER_CONFIG_TAPEDEV);
        if (!v || !v->s || !*v->s) {
            g_set_error(error, CHANGER_ERR, CHANGER_ERR_NAME,
                        "%s: changer \"%s\" has no tpchanger", conf_filename(conf), name);
            return NULL;
        }
        props = section_properties(sec);
        name = v->s;
    }
    if (strncmp(name, "chg-", 4) == 0)
        return changer_open(name, props, error);
    g_autofree char *single = g_strconcat("chg-single:", name, NULL);
    return changer_open(single, NULL, error);
}

char *
confchanger_path(const conf_t *conf, conf_param_t param)
{
    const char *p = conf_get_str(conf, param);
    if (!p)
        p = "";
    if (g_path_is_absolute(p))
        return g_strdup(p);
    return g_build_filename(conf_dir(conf), p, NULL);
}
