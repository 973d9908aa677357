/* admin-util: config, paths, changer and device set-up for the admin tools. */
#include "config.h"
#include "admin-util.h"

#include <stdio.h>
#include <string.h>

#include "amanda_paths.h"
#include "debug.h"
#include "find.h"
#include "volume-policy.h"

char **
admin_take_overrides(int *argc, char **argv)
{
    GPtrArray *out = g_ptr_array_new();
    int w = 1;
    for (int r = 1; r < *argc; r++) {
        if (strcmp(argv[r], "-o") == 0 && r + 1 < *argc) {
            g_ptr_array_add(out, g_strdup(argv[++r]));
        } else if (strncmp(argv[r], "-o", 2) == 0 && argv[r][2] && strchr(argv[r], '=')) {
            g_ptr_array_add(out, g_strdup(argv[r] + 2));
        } else {
            argv[w++] = argv[r];
        }
    }
    argv[w] = NULL;
    *argc = w;
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

conf_t *
admin_load_config(const char *name, char **overrides)
{
    conf_t *conf = conf_load(name, NULL, 0, overrides);
    const GPtrArray *errs = conf_errors(conf);
    if (errs->len > 0) {
        printf("ERROR: errors processing config file\n");
        fflush(stdout);
        for (guint i = 0; i < errs->len; i++)
            fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(errs, i));
        conf_free(conf);
        return NULL;
    }
    const GPtrArray *warns = conf_warnings(conf);
    for (guint i = 0; i < warns->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(warns, i));
    return conf;
}

char *
admin_conf_path(const conf_t *conf, conf_param_t id)
{
    const char *v = conf_get_str(conf, id);
    if (!v || !*v)
        v = ".";
    if (g_path_is_absolute(v))
        return g_strdup(v);
    const char *dir = conf_dir(conf);
    return g_build_filename(dir ? dir : ".", v, NULL);
}

tapelist_t *
admin_read_tapelist(const conf_t *conf, GError **error)
{
    g_autofree char *path = admin_conf_path(conf, CNF_TAPELIST);
    return tapelist_read(path, error);
}

/* "num_slot" and "Num-Slot" are the same property. */
static char *
property_key(const char *name)
{
    char *k = g_ascii_strdown(name, -1);
    for (char *c = k; *c; c++)
        if (*c == '_')
            *c = '-';
    return k;
}

static void
add_properties(GHashTable *props, const conf_value_t *v)
{
    for (guint i = 0; v && v->props && i < v->props->len; i++) {
        const conf_property_t *p = g_ptr_array_index(v->props, i);
        if (p->values && p->values->len > 0)
            g_hash_table_replace(props, property_key(p->name),
                                 g_strdup(g_ptr_array_index(p->values, 0)));
    }
}

/* tpchanger of the storage section, else the global one */
static const char *
tpchanger_name(const conf_t *conf)
{
    const conf_section_t *st = admin_storage_section(conf);
    const conf_value_t *v = st ? conf_section_get(st, STORAGE_TPCHANGER) : NULL;
    return v && v->seen && v->s ? v->s : conf_get_str(conf, CNF_TPCHANGER);
}

static conf_section_t *
changer_section(const conf_t *conf)
{
    const char *name = tpchanger_name(conf);
    if (!name || !*name)
        return NULL;
    return conf_lookup(conf, CONF_CHANGER, name);
}

Changer *
admin_open_changer(const conf_t *conf, char **spec_out, GError **error)
{
    g_autoptr(GHashTable) props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                        g_free);
    const char *tpchanger = tpchanger_name(conf);
    const char *tapedev = conf_get_str(conf, CNF_TAPEDEV);
    conf_section_t *sec = changer_section(conf);
    g_autofree char *spec = NULL;
    if (sec) {
        const char *t = conf_value_str(conf_section_get(sec, CHANGER_CONFIG_TPCHANGER));
        const char *d = conf_value_str(conf_section_get(sec, CHANGER_CONFIG_TAPEDEV));
        add_properties(props, conf_section_get(sec, CHANGER_CONFIG_PROPERTY));
        if (t && *t)
            spec = g_strdup(t);
        else if (d && *d)
            spec = g_strdup_printf("chg-single:%s", d);
    } else if (tpchanger && *tpchanger) {
        spec = g_strdup(tpchanger);
    } else if (tapedev && *tapedev) {
        conf_section_t *dsec = conf_lookup(conf, CONF_CHANGER, tapedev);
        const char *t = dsec ? conf_value_str(conf_section_get(dsec, CHANGER_CONFIG_TPCHANGER))
                             : NULL;
        if (dsec)
            add_properties(props, conf_section_get(dsec, CHANGER_CONFIG_PROPERTY));
        spec = t && *t ? g_strdup(t) : g_strdup_printf("chg-single:%s", tapedev);
    }
    if (!spec) {
        g_set_error(error, CHANGER_ERR, CHANGER_ERR_NAME,
                    "%s: neither tpchanger nor tapedev is set; add 'tpchanger "
                    "\"chg-disk:/path/to/vtapes\"'", conf_filename(conf));
        return NULL;
    }
    /* a tpchanger naming an undefined section is a plain device or error */
    if (!strchr(spec, ':')) {
        g_set_error(error, CHANGER_ERR, CHANGER_ERR_NAME,
                    "%s: tpchanger \"%s\" is neither a 'define changer' section nor "
                    "TYPE:ARG (chg-disk:DIR, chg-single:DEVICE)", conf_filename(conf), spec);
        return NULL;
    }
    if (!g_str_has_prefix(spec, "chg-")) {
        char *single = g_strdup_printf("chg-single:%s", spec);
        g_free(spec);
        spec = single;
    }
    Changer *chg = changer_open(spec, props, error);
    if (chg && spec_out)
        *spec_out = g_steal_pointer(&spec);
    return chg;
}

char *
admin_changer_display_name(const conf_t *conf)
{
    const char *t = tpchanger_name(conf);
    if (t && *t)
        return g_strdup(t);
    t = conf_get_str(conf, CNF_TAPEDEV);
    return g_strdup(t ? t : "the changer");
}

static gboolean
apply_props(Device *dev, const conf_value_t *v, GError **error)
{
    for (guint i = 0; v && v->props && i < v->props->len; i++) {
        const conf_property_t *p = g_ptr_array_index(v->props, i);
        if (!p->values || p->values->len == 0)
            continue;
        if (!device_property_set(dev, p->name, g_ptr_array_index(p->values, 0), error))
            return FALSE;
    }
    return TRUE;
}

gboolean
admin_setup_device(const conf_t *conf, Device *dev, GError **error)
{
    const conf_section_t *sec = admin_tapetype_section(conf);
    if (sec) {
        const conf_value_t *len = conf_section_get(sec, TAPETYPE_LENGTH);
        const conf_value_t *bs = conf_section_get(sec, TAPETYPE_BLOCKSIZE);
        if (len && len->seen && len->i > 0) {
            g_autofree char *v = g_strdup_printf("%" G_GINT64_FORMAT "k", len->i);
            if (!device_property_set(dev, "MAX_VOLUME_USAGE", v, error))
                return FALSE;
        }
        if (bs && bs->seen && bs->i > 0) {
            g_autofree char *v = g_strdup_printf("%" G_GINT64_FORMAT "k", bs->i);
            if (!device_property_set(dev, "BLOCK_SIZE", v, error))
                return FALSE;
        }
    }
    if (!apply_props(dev, conf_get(conf, CNF_DEVICE_PROPERTY), error))
        return FALSE;
    conf_section_t *chg = changer_section(conf);
    if (chg && !apply_props(dev, conf_section_get(chg, CHANGER_CONFIG_DEVICE_PROPERTY), error))
        return FALSE;
    return TRUE;
}

const char *
admin_storage_name(const conf_t *conf)
{
    const conf_value_t *st = conf_get(conf, CNF_STORAGE);
    if (st && st->list && st->list->len > 0)
        return g_ptr_array_index(st->list, 0);
    const char *n = conf_name(conf);
    return n ? n : "";
}

const conf_section_t *
admin_storage_section(const conf_t *conf)
{
    const conf_value_t *st = conf_get(conf, CNF_STORAGE);
    if (!st || !st->list || st->list->len == 0)
        return NULL;
    return conf_lookup(conf, CONF_STORAGE, g_ptr_array_index(st->list, 0));
}

const conf_section_t *
admin_tapetype_section(const conf_t *conf)
{
    const conf_section_t *st = admin_storage_section(conf);
    const conf_value_t *v = st ? conf_section_get(st, STORAGE_TAPETYPE) : NULL;
    const char *tt = v && v->seen && v->s ? v->s : conf_get_str(conf, CNF_TAPETYPE);
    return tt ? conf_lookup(conf, CONF_TAPETYPE, tt) : NULL;
}

void
admin_start(const char *prog)
{
    g_set_prgname(prog);
    debug_open("server");
    dbprintf("%s: start\n", prog);
}

/* ---- the taper's volume choice ---- */

void
admin_scan_clear(admin_scan_t *scan)
{
    if (scan->lines)
        g_ptr_array_unref(scan->lines);
    g_free(scan->label);
    g_free(scan->new_label);
    memset(scan, 0, sizeof *scan);
}

GHashTable *
admin_active_labels(const conf_t *conf)
{
    g_autofree char *logdir = admin_conf_path(conf, CNF_LOGDIR);
    g_autofree char *tlpath = admin_conf_path(conf, CNF_TAPELIST);
    GError *err = NULL;
    g_autoptr(GPtrArray) dumps = find_dumps(logdir, tlpath, &err);
    if (!dumps) {
        dbprintf("active labels: %s\n", err->message);
        g_error_free(err);
    }
    return volume_policy_active_labels(dumps);
}

static volume_slot_state_t
slot_state(const ChangerSlotInfo *si)
{
    switch (si->state) {
    case CHANGER_SLOT_LABELED: return VOLUME_SLOT_LABELED;
    case CHANGER_SLOT_ERROR: return VOLUME_SLOT_ERROR;
    /* a vtape slot without label file (or not created yet) is blank */
    case CHANGER_SLOT_EMPTY:
    case CHANGER_SLOT_UNLABELED: return VOLUME_SLOT_EMPTY;
    }
    return VOLUME_SLOT_MISSING;
}

static void
describe_choice(const volume_choice_t *c, GPtrArray *lines)
{
    gboolean written = c->datestamp && strcmp(c->datestamp, "0") != 0;
    /* AMANDA searches for an expected (written, reusable) volume by label */
    if (c->label && c->action == VOLUME_USE_AS_IS && written)
        g_ptr_array_add(lines, g_strdup_printf("Searching for label '%s':found in slot %d: "
                                               "volume '%s'", c->label, c->slot, c->label));
    else if (c->label && c->action == VOLUME_USE_AS_IS)
        g_ptr_array_add(lines, g_strdup_printf("slot %d: volume '%s'", c->slot, c->label));
    else if (!c->label && c->action == VOLUME_USE_RELABEL)
        g_ptr_array_add(lines, g_strdup_printf("slot %d: contains an empty volume", c->slot));
    else if (g_str_has_prefix(c->reason, "slot "))
        g_ptr_array_add(lines, g_strdup(c->reason)); /* names its slot already */
    else
        g_ptr_array_add(lines, g_strdup_printf("slot %d: %s", c->slot, c->reason));
}

static gboolean
take_choice(const volume_policy_t *pol, const tapelist_t *tl, const volume_choice_t *c,
            admin_scan_t *scan)
{
    scan->found = TRUE;
    scan->slot = c->slot;
    scan->label = g_strdup(c->label);
    if (c->action == VOLUME_USE_AS_IS) {
        g_ptr_array_add(scan->lines, g_strdup_printf("Will write to volume '%s' in slot %d.",
                                                     c->label, c->slot));
        return TRUE;
    }
    GError *err = NULL;
    scan->new_label = volume_policy_next_label(pol, tl, NULL, NULL, &err);
    if (!scan->new_label) {
        g_ptr_array_add(scan->lines, g_strdup_printf("slot %d: %s", c->slot, err->message));
        g_error_free(err);
        scan->found = FALSE;
        return FALSE;
    }
    g_ptr_array_add(scan->lines, g_strdup_printf("Will write label '%s' to new volume in "
                                                 "slot %d.", scan->new_label, c->slot));
    return TRUE;
}

gboolean
admin_taperscan(const conf_t *conf, Changer *chg, admin_scan_t *scan, GError **error)
{
    return admin_taperscan_run(conf, chg, NULL, scan, error);
}

/* Volumes written by run RUN_TS count as active: never overwrite them. */
static void
protect_run_volumes(const tapelist_t *tl, const char *run_ts, GHashTable *active)
{
    for (guint i = 0; run_ts && i < tl->entries->len; i++) {
        const tapelist_entry_t *e = g_ptr_array_index(tl->entries, i);
        if (strcmp(e->datestamp, run_ts) == 0)
            g_hash_table_add(active, g_strdup(e->label));
    }
}

gboolean
admin_taperscan_run(const conf_t *conf, Changer *chg, const char *run_ts, admin_scan_t *scan,
                    GError **error)
{
    memset(scan, 0, sizeof *scan);
    scan->lines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(volume_policy_t) pol = volume_policy_from_conf(conf, error);
    g_autoptr(tapelist_t) tl = pol ? admin_read_tapelist(conf, error) : NULL;
    g_autoptr(GPtrArray) inv = tl ? changer_inventory(chg, error) : NULL;
    if (!inv)
        return FALSE;
    g_autoptr(GHashTable) active = admin_active_labels(conf);
    protect_run_volumes(tl, run_ts, active);
    g_autofree volume_candidate_t *cands = g_new0(volume_candidate_t, inv->len + 1);
    for (guint i = 0; i < inv->len; i++) {
        const ChangerSlotInfo *si = g_ptr_array_index(inv, i);
        cands[i].slot = si->slot;
        cands[i].state = slot_state(si);
        cands[i].label = si->label;
    }
    g_autoptr(GPtrArray) ranked = volume_policy_rank(pol, tl, cands, inv->len, active);
    for (guint i = 0; i < ranked->len; i++) {
        const volume_choice_t *c = g_ptr_array_index(ranked, i);
        if (c->action == VOLUME_SKIP)
            continue;
        describe_choice(c, scan->lines);
        if (take_choice(pol, tl, c, scan))
            return TRUE;
    }
    /* nothing usable: say why for every slot, in slot order */
    g_ptr_array_set_size(scan->lines, 0);
    for (guint s = 0; s < inv->len; s++)
        for (guint i = 0; i < ranked->len; i++) {
            const volume_choice_t *c = g_ptr_array_index(ranked, i);
            if (c->slot == cands[s].slot)
                describe_choice(c, scan->lines);
        }
    g_ptr_array_add(scan->lines, g_strdup("all slots have been loaded"));
    return TRUE;
}

gboolean
admin_next_volumes(const conf_t *conf, GPtrArray **reusable, GPtrArray **fresh, GError **error)
{
    g_autoptr(volume_policy_t) pol = volume_policy_from_conf(conf, error);
    g_autoptr(tapelist_t) tl = pol ? admin_read_tapelist(conf, error) : NULL;
    if (!tl)
        return FALSE;
    g_autoptr(GHashTable) active = admin_active_labels(conf);
    *reusable = g_ptr_array_new_with_free_func(g_free);
    *fresh = g_ptr_array_new_with_free_func(g_free);
    for (guint i = tl->entries->len; i-- > 0;) {
        const tapelist_entry_t *e = g_ptr_array_index(tl->entries, i);
        volume_verdict_t v = volume_policy_check_volume(pol, tl, e->label, active, NULL);
        if (v == VOLUME_REUSABLE)
            g_ptr_array_add(*reusable, g_strdup(e->label));
        else if (v == VOLUME_NEW)
            g_ptr_array_add(*fresh, g_strdup(e->label));
    }
    return TRUE;
}
