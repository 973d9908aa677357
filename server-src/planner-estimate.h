/* planner-estimate: ask every client for its DLEs' sizes, one sendsize
 * request per host, all hosts at once, each bounded by etimeout x the
 * number of estimates asked of it (a negative etimeout is a limit for the
 * whole host).  Levels the planner marked "server" are not asked: they
 * come from the curinfo history. */
#ifndef PLANNER_ESTIMATE_H
#define PLANNER_ESTIMATE_H

#include <glib.h>
#include "conf.h"
#include "disklist.h"
#include "planner-levels.h"

/* One DLE's estimate request and results. */
typedef struct {
    const disklist_entry_t *entry;
    plan_request_t req;
    gint64 sizes[PLAN_MAX_LEVELS];  /* KiB, -1 unknown */
    char *error;                    /* why estimates failed, or NULL */
    gboolean asked;                 /* some level went to the client */
} plan_estimate_t;

/* Parse one reply line "<disk> <level> SIZE <kb>" (disk possibly quoted).
 * FALSE for OPTIONS/ERROR/other lines. */
gboolean plan_parse_size_line(const char *line, char **disk, int *level, gint64 *kb);

/* An index of ESTS (plan_estimate_t*) by host and disk, for
 * plan_apply_reply (replies of thousands of DLEs stay linear). */
GHashTable *plan_estimate_index(GPtrArray *ests);
/* Apply a PREP/REP body to the estimates of HOST.  Sizes that change are
 * noted in LOG (optional) as "disk level -> sizeK" lines.  A global
 * "ERROR msg" line is recorded on every DLE of the host that still lacks
 * a size. */
void plan_apply_reply(GPtrArray *ests, GHashTable *index, const char *host, const char *body,
                      GString *log);

/* Send the requests and run the event loop until every host answered or
 * timed out.  TIMESTAMP goes in the OPTIONS line.  Progress goes to the
 * trace (stderr). */
void plan_get_estimates(const conf_t *conf, GPtrArray *ests, const char *timestamp);

#endif
