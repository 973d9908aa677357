/* changer: the generic half of the changer API (see changer.h) and the
 * one-device changer chg-single. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "changer-internal.h"

G_DEFINE_QUARK(amanda-changer-error-quark, changer_error)

static const struct {
    const char *type;
    const ChangerOps *ops;
} changer_types[] = {
    { "chg-disk", &changer_disk_ops },
    { "chg-single", &changer_single_ops },
    { "chg-multi", NULL },
    { "chg-robot", NULL },
};

void
changer_set_error(Changer *chg, GError **error, ChangerErrorCode code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, CHANGER_ERR, code, "%s: %s", chg->name, msg);
}

gboolean
changer_parse_bool(const char *text, gboolean *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };
    for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(text, yes[i]) == 0)
            return (*out = TRUE), TRUE;
        if (g_ascii_strcasecmp(text, no[i]) == 0)
            return (*out = FALSE), TRUE;
    }
    return FALSE;
}

static const ChangerOps *
lookup_type(const char *spec, GError **error)
{
    const char *colon = strchr(spec, ':');
    g_autofree char *type = colon ? g_strndup(spec, colon - spec) : g_strdup(spec);
    for (gsize i = 0; i < G_N_ELEMENTS(changer_types); i++) {
        if (strcmp(changer_types[i].type, type) != 0)
            continue;
        if (!changer_types[i].ops)
            g_set_error(error, CHANGER_ERR, CHANGER_ERR_NOT_IMPLEMENTED,
                        "%s: changer type %s is not implemented yet "
                        "(available: chg-disk, chg-single)", spec, type);
        return changer_types[i].ops;
    }
    g_set_error(error, CHANGER_ERR, CHANGER_ERR_NAME,
                "%s: unknown changer, expected chg-disk:DIR or chg-single:DEVICE", spec);
    return NULL;
}

static gboolean
check_properties(Changer *chg, GHashTable *props, GError **error)
{
    if (!props)
        return TRUE;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, props);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const char *const *names = chg->ops->property_names;
        gboolean known = FALSE;
        for (; names && *names && !known; names++)
            known = g_ascii_strcasecmp(*names, key) == 0;
        if (!known) {
            changer_set_error(chg, error, CHANGER_ERR_NAME,
                              "unknown changer property \"%s\"", (const char *)key);
            return FALSE;
        }
    }
    return TRUE;
}

Changer *
changer_open(const char *spec, GHashTable *properties, GError **error)
{
    const ChangerOps *ops = lookup_type(spec, error);
    if (!ops)
        return NULL;
    const char *colon = strchr(spec, ':');
    Changer *chg = g_new0(Changer, 1);
    chg->ops = ops;
    chg->name = g_strdup(spec);
    chg->arg = g_strdup(colon ? colon + 1 : "");
    if (!*chg->arg) {
        changer_set_error(chg, error, CHANGER_ERR_NAME, "missing argument after \"%s:\"",
                          ops->type);
        changer_free(chg);
        return NULL;
    }
    if (!check_properties(chg, properties, error) || !ops->open(chg, properties, error)) {
        changer_free(chg);
        return NULL;
    }
    return chg;
}

void
changer_free(Changer *chg)
{
    if (!chg)
        return;
    if (chg->ops->free)
        chg->ops->free(chg);
    g_free(chg->name);
    g_free(chg->arg);
    g_free(chg);
}

const char *
changer_name(Changer *chg)
{
    return chg->name;
}

DeviceStatusFlags
changer_probe_label(const char *device_name, char **label)
{
    *label = NULL;
    g_autoptr(Device) dev = device_open(device_name, NULL);
    if (!dev)
        return DEVICE_STATUS_DEVICE_ERROR;
    DeviceStatusFlags st = device_read_label(dev);
    if (st == DEVICE_STATUS_SUCCESS)
        *label = g_strdup(dev->volume_label);
    return st;
}

static ChangerReservation *
finish_load(Changer *chg, ChangerReservation *res, gboolean ok)
{
    if (!ok) {
        g_free(res->device_name);
        g_free(res);
        return NULL;
    }
    res->chg = chg;
    if (!res->label)
        res->device_status = changer_probe_label(res->device_name, &res->label);
    return res;
}

ChangerReservation *
changer_load(Changer *chg, const char *slot_spec, GError **error)
{
    ChangerReservation *res = g_new0(ChangerReservation, 1);
    return finish_load(chg, res, chg->ops->load(chg, slot_spec, res, error));
}

ChangerReservation *
changer_load_label(Changer *chg, const char *label, GError **error)
{
    ChangerReservation *res = g_new0(ChangerReservation, 1);
    return finish_load(chg, res, chg->ops->load_label(chg, label, res, error));
}

void
changer_release(ChangerReservation *res)
{
    if (!res)
        return;
    res->chg->ops->release(res->chg, res);
    g_free(res->device_name);
    g_free(res->label);
    g_free(res);
}

gboolean
changer_reset(Changer *chg, GError **error)
{
    return chg->ops->reset(chg, error);
}

gboolean
changer_eject(Changer *chg, GError **error)
{
    return chg->ops->eject ? chg->ops->eject(chg, error) : TRUE;
}

GPtrArray *
changer_inventory(Changer *chg, GError **error)
{
    return chg->ops->inventory(chg, error);
}

gboolean
changer_info(Changer *chg, ChangerInfo *info, GError **error)
{
    return chg->ops->info(chg, info, error);
}

static void
slot_info_free(gpointer p)
{
    ChangerSlotInfo *si = p;
    g_free(si->label);
    g_free(si->device_name);
    g_free(si);
}

ChangerSlotInfo *
changer_slot_info_new(int slot, const char *device_name)
{
    ChangerSlotInfo *si = g_new0(ChangerSlotInfo, 1);
    si->slot = slot;
    si->device_name = g_strdup(device_name);
    return si;
}

GPtrArray *
changer_inventory_array_new(void)
{
    return g_ptr_array_new_with_free_func(slot_info_free);
}

ChangerSlotState
changer_slot_state(DeviceStatusFlags st)
{
    if (st == DEVICE_STATUS_SUCCESS)
        return CHANGER_SLOT_LABELED;
    if (st & DEVICE_STATUS_VOLUME_MISSING)
        return CHANGER_SLOT_EMPTY;
    if (st == DEVICE_STATUS_VOLUME_UNLABELED)
        return CHANGER_SLOT_UNLABELED;
    return CHANGER_SLOT_ERROR;
}

static int
slot_index(GArray *slots, int slot)
{
    for (guint i = 0; i < slots->len; i++)
        if (g_array_index(slots, int, i) == slot)
            return (int)i;
    return -1;
}

static int
parse_slot_number(const char *spec)
{
    char *end;
    errno = 0;
    long n = strtol(spec, &end, 10);
    if (!*spec || *end || errno || n < 0 || n > G_MAXINT)
        return -1;
    return (int)n;
}

int
changer_resolve_slot(Changer *chg, GArray *slots, int current, const char *spec,
                     GError **error)
{
    if (slots->len == 0) {
        changer_set_error(chg, error, CHANGER_ERR_NO_SLOT, "the changer has no slots");
        return -1;
    }
    int n = slots->len;
    int cur = slot_index(slots, current);
    int idx = -1;
    if (g_ascii_strcasecmp(spec, "current") == 0)
        idx = cur < 0 ? 0 : cur;
    else if (g_ascii_strcasecmp(spec, "next") == 0 || g_ascii_strcasecmp(spec, "advance") == 0)
        idx = cur < 0 ? 0 : (cur + 1) % n;
    else if (g_ascii_strcasecmp(spec, "prev") == 0)
        idx = cur < 0 ? 0 : (cur + n - 1) % n;
    else if (g_ascii_strcasecmp(spec, "first") == 0)
        idx = 0;
    else if (g_ascii_strcasecmp(spec, "last") == 0)
        idx = n - 1;
    else
        idx = slot_index(slots, parse_slot_number(spec));
    if (idx < 0) {
        changer_set_error(chg, error, CHANGER_ERR_NO_SLOT,
                          "no slot \"%s\" (slots %d to %d; or current, next, prev, first, "
                          "last)", spec, g_array_index(slots, int, 0),
                          g_array_index(slots, int, n - 1));
        return -1;
    }
    return g_array_index(slots, int, idx);
}

/* ---- chg-single: one device, always slot 1 ---- */

typedef struct {
    gboolean reserved;
} SingleChg;

static gboolean
single_open(Changer *chg, G_GNUC_UNUSED GHashTable *props, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Device) dev = device_open(chg->arg, &err);
    if (!dev) {
        changer_set_error(chg, error, CHANGER_ERR_NAME, "%s", err->message);
        return FALSE;
    }
    chg->priv = g_new0(SingleChg, 1);
    return TRUE;
}

static void
single_free(Changer *chg)
{
    g_free(chg->priv);
}

static gboolean
single_reserve(Changer *chg, ChangerReservation *res, GError **error)
{
    SingleChg *s = chg->priv;
    if (s->reserved) {
        changer_set_error(chg, error, CHANGER_ERR_IN_USE, "slot 1 is already reserved");
        return FALSE;
    }
    s->reserved = TRUE;
    res->slot = 1;
    res->device_name = g_strdup(chg->arg);
    return TRUE;
}

static gboolean
single_load(Changer *chg, const char *spec, ChangerReservation *res, GError **error)
{
    GArray *slots = g_array_new(FALSE, FALSE, sizeof(int));
    int one = 1;
    g_array_append_val(slots, one);
    int slot = changer_resolve_slot(chg, slots, 1, spec, error);
    g_array_unref(slots);
    return slot == 1 && single_reserve(chg, res, error);
}

static gboolean
single_load_label(Changer *chg, const char *label, ChangerReservation *res, GError **error)
{
    g_autofree char *found = NULL;
    changer_probe_label(chg->arg, &found);
    if (g_strcmp0(found, label) != 0) {
        changer_set_error(chg, error, CHANGER_ERR_NOT_FOUND,
                          "volume %s is not loaded (the device holds %s)", label,
                          found ? found : "no labelled volume");
        return FALSE;
    }
    return single_reserve(chg, res, error);
}

static void
single_release(Changer *chg, G_GNUC_UNUSED ChangerReservation *res)
{
    ((SingleChg *)chg->priv)->reserved = FALSE;
}

static gboolean
single_reset(G_GNUC_UNUSED Changer *chg, G_GNUC_UNUSED GError **error)
{
    return TRUE;
}

static GPtrArray *
single_inventory(Changer *chg, G_GNUC_UNUSED GError **error)
{
    GPtrArray *inv = changer_inventory_array_new();
    ChangerSlotInfo *si = changer_slot_info_new(1, chg->arg);
    DeviceStatusFlags st = changer_probe_label(chg->arg, &si->label);
    si->state = changer_slot_state(st);
    si->reserved = ((SingleChg *)chg->priv)->reserved;
    g_ptr_array_add(inv, si);
    return inv;
}

static gboolean
single_info(G_GNUC_UNUSED Changer *chg, ChangerInfo *info, G_GNUC_UNUSED GError **error)
{
    info->num_slots = 1;
    info->current_slot = 1;
    info->fast_search = TRUE;
    return TRUE;
}

const ChangerOps changer_single_ops = {
    .type = "chg-single",
    .property_names = NULL,
    .open = single_open,
    .free = single_free,
    .load = single_load,
    .load_label = single_load_label,
    .release = single_release,
    .reset = single_reset,
    .inventory = single_inventory,
    .info = single_info,
};
