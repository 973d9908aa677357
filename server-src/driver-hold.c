/* driver-hold: holding disk space for the driver (see driver.h). */
#include "driver.h"

#include <stdio.h>
#include <sys/statvfs.h>

#include "amutil.h"
#include "debug.h"

static gint64
fs_free_kb(const char *dir)
{
    struct statvfs st;
    if (statvfs(dir, &st) != 0)
        return 0;
    return (gint64)((guint64)st.f_bavail * st.f_frsize / 1024);
}

GPtrArray *
driver_holding_disks(const conf_t *conf)
{
    GPtrArray *out = g_ptr_array_new();
    g_autoptr(GPtrArray) secs = conf_holdingdisks(conf);
    for (guint i = 0; i < secs->len; i++) {
        const conf_section_t *s = g_ptr_array_index(secs, i);
        const char *dir = conf_value_str(conf_section_get(s, HOLDING_DIRECTORY));
        if (!dir || !*dir || !mkdir_p(dir, 0700, NULL)) {
            fprintf(stderr, "driver: holding disk %s: cannot use directory \"%s\"\n",
                    conf_section_name(s), dir ? dir : "");
            continue;
        }
        gint64 use = conf_value_int(conf_section_get(s, HOLDING_USE));
        gint64 avail = fs_free_kb(dir);
        driver_hdisk_t *h = g_new0(driver_hdisk_t, 1);
        h->dir = g_strdup(dir);
        /* use 0: all free space; negative: all but that much */
        h->free_kb = use > 0 ? MIN(use, avail) : use < 0 ? MAX(avail + use, 0) : avail;
        h->total_kb = h->free_kb;
        h->chunksize = conf_value_int(conf_section_get(s, HOLDING_CHUNKSIZE)) * 1024;
        fprintf(stderr, "driver: adding holding disk %u dir %s size %" G_GINT64_FORMAT
                " chunksize %" G_GINT64_FORMAT "\n", i, dir, h->free_kb, h->chunksize / 1024);
        g_ptr_array_add(out, h);
    }
    return out;
}

int
driver_holding_pick(GPtrArray *disks, gint64 need_kb, int reserve_pct)
{
    int best = -1;
    for (guint i = 0; i < disks->len; i++) {
        driver_hdisk_t *h = g_ptr_array_index(disks, i);
        gint64 keep = h->total_kb / 100 * CLAMP(reserve_pct, 0, 100);
        if (h->free_kb - keep >= need_kb &&
            (best < 0 || h->free_kb > ((driver_hdisk_t *)g_ptr_array_index(disks, best))->free_kb))
            best = (int)i;
    }
    return best;
}
