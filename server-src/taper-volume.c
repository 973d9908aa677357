/* taper-volume: volume choice and bookkeeping for the taper. */
#include "taper.h"

#include <stdio.h>
#include <string.h>
#include "admin-util.h"
#include "debug.h"
#include "server-util.h"
#include "tapelist.h"

const char *
taper_storage_prefix(taper_t *t)
{
    static char buf[512];
    const char *st = admin_storage_name(t->conf);
    g_snprintf(buf, sizeof buf, "\"ST:%s\" \"POOL:%s\"", st, st);
    return buf;
}

/* Record the volume as written now, labelled LABEL (adding it when new). */
static gboolean
update_tapelist(taper_t *t, const char *label, const char *old_label, GError **error)
{
    g_autofree char *path = admin_conf_path(t->conf, CNF_TAPELIST);
    int lock = tapelist_lock(path, error);
    if (lock < 0)
        return FALSE;
    gboolean ok = FALSE;
    g_autoptr(tapelist_t) tl = tapelist_read(path, error);
    if (tl) {
        if (old_label && strcmp(old_label, label) != 0)
            tapelist_remove(tl, old_label, NULL);
        if (!tapelist_lookup_label(tl, label))
            tapelist_add(tl, t->timestamp, label, TRUE, NULL);
        const char *st = admin_storage_name(t->conf);
        gint64 bs = (gint64)(t->dev->block_size / 1024);
        ok = tapelist_mark_written(tl, label, t->timestamp, st, st, st, bs, error) != NULL &&
             tapelist_write(path, tl, error);
    }
    tapelist_unlock(lock);
    return ok;
}

static gboolean
no_volume(taper_t *t, GError **error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean
no_volume(taper_t *t, GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(t->last_error);
    t->last_error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, g_quark_from_static_string("taper"), 1, "%s", t->last_error);
    dbprintf("no volume: %s\n", t->last_error);
    return FALSE;
}

static gboolean
start_device(taper_t *t, const char *label, GError **error)
{
    g_autoptr(GError) err = NULL;
    t->dev = device_open(t->res->device_name, &err);
    if (!t->dev || !admin_setup_device(t->conf, t->dev, &err) ||
        !device_start(t->dev, DEVICE_MODE_WRITE, label, t->timestamp, &err)) {
        g_clear_pointer(&t->dev, device_free);
        return no_volume(t, error, "cannot start %s: %s", t->res->device_name, err->message);
    }
    return TRUE;
}

gboolean
taper_volume_open(taper_t *t, GError **error)
{
    if (t->volumes_used >= t->runtapes)
        return no_volume(t, error, "runtapes (%d) volumes already used", t->runtapes);
    g_autoptr(GError) err = NULL;
    if (!t->chg && !(t->chg = admin_open_changer(t->conf, NULL, &err)))
        return no_volume(t, error, "cannot open the changer: %s", err->message);
    admin_scan_t scan;
    if (!admin_taperscan_run(t->conf, t->chg, t->timestamp, &scan, &err)) {
        admin_scan_clear(&scan);
        return no_volume(t, error, "volume scan failed: %s", err->message);
    }
    for (guint i = 0; i < scan.lines->len; i++)
        server_log(LOGFILE_L_INFO, LOGFILE_P_TAPER, "%s", (char *)g_ptr_array_index(scan.lines, i));
    if (!scan.found) {
        admin_scan_clear(&scan);
        return no_volume(t, error, "No acceptable volumes found");
    }
    g_autofree char *slot = g_strdup_printf("%d", scan.slot);
    t->res = changer_load(t->chg, slot, &err);
    const char *label = scan.new_label ? scan.new_label : scan.label;
    gboolean ok = t->res && start_device(t, label, error) &&
                  update_tapelist(t, label, scan.label, &err);
    if (!ok && !t->last_error)
        no_volume(t, error, "cannot use slot %d: %s", scan.slot, err ? err->message : "unknown error");
    if (ok) {
        g_free(t->label);
        t->label = g_strdup(label);
        t->volumes_used++;
        t->volume_bytes = 0;
        t->volume_files = 0;
        server_log(LOGFILE_L_START, LOGFILE_P_TAPER, "datestamp %s %s label %s tape %d", t->timestamp,
                   taper_storage_prefix(t), label, t->volumes_used);
    }
    admin_scan_clear(&scan);
    if (!ok)
        taper_volume_close(t);
    return ok;
}

void
taper_volume_close(taper_t *t)
{
    if (t->dev) {
        g_autoptr(GError) err = NULL;
        gboolean ok = device_finish(t->dev, &err);
        server_log(LOGFILE_L_INFO, LOGFILE_P_TAPER, "tape %s kb %" G_GUINT64_FORMAT " fm %d [%s]",
                   t->label, t->volume_bytes / 1024, t->volume_files, ok ? "OK" : err->message);
        device_free(t->dev);
        t->dev = NULL;
    }
    if (t->res) {
        changer_release(t->res);
        t->res = NULL;
    }
}
