/* planner-balance: fit the run to the volumes and spread the fulls over
 * the dump cycle.  Pure logic over the list of planned dumps.
 *
 * delay (when the run is bigger than the tape capacity): turn fulls that
 * are not forced or new into their incremental, lowest priority and
 * biggest first; then drop incrementals; then drop whole dumps.
 * promote (balancing): while tonight's fulls total less than
 * balanced = (sum of every DLE's last full) / runspercycle, pull in the
 * fulls that are closest to due (within maxpromoteday), as long as the
 * run stays within the tape capacity. */
#ifndef PLANNER_BALANCE_H
#define PLANNER_BALANCE_H

#include <glib.h>

typedef struct {
    const char *host, *disk;  /* for messages */
    int level;                /* chosen level; -1 = dropped */
    gint64 size;              /* KiB of the chosen level (after compression) */
    gint64 lev0_size;         /* KiB of a full, -1 unknown */
    int inc_level;            /* fallback incremental, -1 none */
    gint64 inc_size;
    int next_level0;          /* days until the full is due */
    int maxpromoteday;
    gboolean full_fixed;      /* a forced or new full: never delayed */
    int priority;             /* higher = more important */
    char *note;               /* what the balancer did (for the log) */
} plan_item_t;

typedef struct {
    gint64 tape_kb;           /* runtapes x length (0 = unlimited) */
    gint64 filemark_kb;       /* counted per dump */
    int runs_per_cycle;
    gint64 total_lev0_kb;     /* every DLE's full size (balanced = this / runs) */
} plan_balance_params_t;

/* Total tape use of the run. */
gint64 plan_total_size(GPtrArray *items, gint64 filemark_kb);

/* Apply delay then promote to ITEMS (plan_item_t*).  INFO lines for the
 * run log ("Full dump of h:d promoted from 3 days ahead.") go to MESSAGES
 * (char*, owned). */
void plan_balance(GPtrArray *items, const plan_balance_params_t *bp, GPtrArray *messages);

#endif
