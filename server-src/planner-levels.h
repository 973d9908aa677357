/* planner-levels: which dump levels the planner asks estimates for and
 * which one it picks, for one DLE.  Pure logic over the DLE's dumptype
 * values and curinfo record: no I/O, so every rule is unit-tested.
 *
 * Rules (AMANDA 3.5's planner):
 *  - strategy skip: nothing;  a new DLE (no level 0 known): level 0;
 *  - amadmin force (FORCE_FULL): level 0;  force-level-1: level 1;
 *  - a full is due when next_level0 = dumpcycle - days since the last
 *    full is <= 0 (a DLE never dumped is overdue by days since 1970);
 *    strategy noinc: always full;  nofull and incronly: fulls only when
 *    new or forced;  skip-full: a due DLE is not dumped at all;
 *    skip-incr: only due fulls are dumped;
 *  - otherwise an incremental: level 1 the run after a full, else the
 *    last level, bumped to last+1 when that saves at least the bump
 *    threshold and the last level ran at least bumpdays times
 *    (force-bump / force-no-bump override).  The threshold is bumpsize,
 *    or bumppercent% of the level-0 size when bumppercent is set and
 *    that size is over 1 MiB, times bumpmult^(level-1). */
#ifndef PLANNER_LEVELS_H
#define PLANNER_LEVELS_H

#include <glib.h>
#include <time.h>
#include "curinfo.h"

#define PLAN_MAX_LEVELS 3
#define PLAN_MAX_DUMP_LEVEL 399

typedef struct {
    int dumpcycle;      /* days; 0 = a full every run */
    int strategy;       /* DS_* of conf.h */
    gboolean skip_full, skip_incr;
    gint64 bumpsize;    /* KiB */
    int bumppercent;
    double bumpmult;
    int bumpdays;
} plan_params_t;

typedef enum {
    PLAN_SKIP = 0,      /* not dumped this run (reason says why) */
    PLAN_FULL_ONLY,     /* only level 0 is acceptable */
    PLAN_INCR,          /* an incremental; level 0 estimated for balancing */
    PLAN_DUE,           /* full due; the incremental is a fallback if it does not fit */
} plan_kind_t;

typedef struct {
    plan_kind_t kind;
    int nlevels;
    int levels[PLAN_MAX_LEVELS];
    gboolean server[PLAN_MAX_LEVELS]; /* estimated from history, not asked */
    int last_level;     /* -1 when never dumped */
    int next_level0;    /* days until the next full is due (<= 0: due) */
    gboolean new_disk;
    gboolean forced;    /* FORCE_FULL or FORCE_LEVEL_1 */
    char *reason;       /* for SKIP and for the log ("overdue 3 days ...") */
} plan_request_t;

/* Days from FROM to TO (whole days, rounded down; negative when TO is
 * earlier). */
int plan_days_diff(time_t from, time_t to);

/* next_level0 as the planner defines it. */
int plan_next_level0(const plan_params_t *p, const curinfo_t *info, time_t now);

/* Fill REQ (free its reason with plan_request_clear). */
void plan_setup(const plan_params_t *p, const curinfo_t *info, time_t now, plan_request_t *req);
void plan_request_clear(plan_request_t *req);

/* The bump threshold (KiB) for bumping from LEVEL to LEVEL+1. */
gint64 plan_bump_threshold(const plan_params_t *p, int level, gint64 level0_kb);

/* Estimated size (KiB) of LEVEL among REQ's levels with SIZES[i] for
 * REQ->levels[i]; -1 when not estimated or unknown. */
gint64 plan_est_size(const plan_request_t *req, const gint64 *sizes, int level);

/* Pick the level for an incremental run given the estimates (SIZES
 * parallel to REQ->levels).  *WHY gets the log text ("bumping to level 2
 * ...").  CONSECUTIVE is how many runs the last level ran in a row. */
int plan_pick_inclevel(const plan_params_t *p, const plan_request_t *req, const gint64 *sizes,
                       guint command, int consecutive, char **why);

/* The level to dump: 0 for FULL_ONLY/DUE, the incremental pick for INCR;
 * -1 when no usable estimate came back. */
int plan_choose_level(const plan_params_t *p, const plan_request_t *req, const gint64 *sizes,
                      const curinfo_t *info, char **why);

#endif
