/* schedule: the planner's output, read by the driver: one line a dump,
 *
 *   DUMP <host> <features> <disk> <datestamp> <priority> <level>
 *        <dumpdate> <nsize-kb> <csize-kb> <est-secs> <kps> <reason>
 *
 * the shape of AMANDA 3.5's planner output (disk and reason quoted when
 * needed; dumpdate "YYYY:M:D:h:m:s" of the dump the level is based on).
 * Pure formatting and parsing. */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include <glib.h>
#include <time.h>

typedef struct {
    char *host, *features, *disk, *datestamp, *dumpdate, *reason;
    int priority, level;
    gint64 nsize, csize, est_secs, kps;
} sched_dump_t;

void sched_dump_clear(sched_dump_t *d);
void sched_dump_free(sched_dump_t *d);
char *sched_format_dump(const sched_dump_t *d);
/* FALSE with ERROR naming the problem for a malformed DUMP line. */
gboolean sched_parse_dump(const char *line, sched_dump_t *out, GError **error);
/* "1970:1:1:0:0:0" form of WHEN (UTC), as AMANDA writes it. */
char *sched_dumpdate(time_t when);

#endif
