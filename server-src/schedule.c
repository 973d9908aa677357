/* schedule: planner -> driver DUMP lines (see the header). */
#include "schedule.h"

#include <string.h>
#include "amutil.h"

void
sched_dump_clear(sched_dump_t *d)
{
    g_free(d->host);
    g_free(d->features);
    g_free(d->disk);
    g_free(d->datestamp);
    g_free(d->dumpdate);
    g_free(d->reason);
    memset(d, 0, sizeof(*d));
}

void
sched_dump_free(sched_dump_t *d)
{
    if (!d)
        return;
    sched_dump_clear(d);
    g_free(d);
}

char *
sched_format_dump(const sched_dump_t *d)
{
    g_autofree char *qd = quote_string(d->disk);
    g_autofree char *qr = quote_string_always(d->reason ? d->reason : "");
    return g_strdup_printf("DUMP %s %s %s %s %d %d %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                           " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %s",
                           d->host, d->features ? d->features : "0", qd, d->datestamp,
                           d->priority, d->level, d->dumpdate ? d->dumpdate : "1970:1:1:0:0:0",
                           d->nsize, d->csize, d->est_secs, d->kps, qr);
}

static gboolean
parse_int(const char *s, gint64 *out)
{
    char *end;
    if (!s || !*s)
        return FALSE;
    *out = g_ascii_strtoll(s, &end, 10);
    return *end == '\0';
}

gboolean
sched_parse_dump(const char *line, sched_dump_t *out, GError **error)
{
    memset(out, 0, sizeof(*out));
    g_auto(GStrv) t = split_quoted_strings(line);
    guint n = g_strv_length(t);
    gint64 v[6];
    if (n < 12 || strcmp(t[0], "DUMP") != 0) {
        g_set_error(error, g_quark_from_static_string("schedule-error"), 1,
                    "schedule line is not \"DUMP host features disk ...\" (%u fields): %s", n, line);
        return FALSE;
    }
    if (!parse_int(t[5], &v[0]) || !parse_int(t[6], &v[1]) || !parse_int(t[8], &v[2]) ||
        !parse_int(t[9], &v[3]) || !parse_int(t[10], &v[4]) || !parse_int(t[11], &v[5]) ||
        v[1] < 0 || v[1] > 399) {
        g_set_error(error, g_quark_from_static_string("schedule-error"), 1, "bad number in schedule line: %s", line);
        return FALSE;
    }
    out->host = g_strdup(t[1]);
    out->features = g_strdup(t[2]);
    out->disk = g_strdup(t[3]);
    out->datestamp = g_strdup(t[4]);
    out->priority = (int)v[0];
    out->level = (int)v[1];
    out->dumpdate = g_strdup(t[7]);
    out->nsize = v[2];
    out->csize = v[3];
    out->est_secs = v[4];
    out->kps = v[5];
    out->reason = g_strdup(n > 12 ? t[12] : "");
    return TRUE;
}

char *
sched_dumpdate(time_t when)
{
    struct tm tm;
    gmtime_r(&when, &tm);
    return g_strdup_printf("%d:%d:%d:%d:%d:%d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                           tm.tm_hour, tm.tm_min, tm.tm_sec);
}
