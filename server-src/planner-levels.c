/* planner-levels: level rules of the planner (see the header). */
#include "planner-levels.h"

#include <math.h>
#include <string.h>
#include "conf.h"

int
plan_days_diff(time_t from, time_t to)
{
    double d = difftime(to, from) / 86400.0;
    return (int)floor(d);
}

static gboolean
has_full(const curinfo_t *info)
{
    return info->inf[0].date >= 0;
}

int
plan_next_level0(const plan_params_t *p, const curinfo_t *info, time_t now)
{
    if (!has_full(info))
        return -plan_days_diff(0, now);
    return p->dumpcycle - plan_days_diff((time_t)info->inf[0].date, now);
}

void
plan_request_clear(plan_request_t *req)
{
    g_clear_pointer(&req->reason, g_free);
}

static void
add_level(plan_request_t *req, int level, gboolean server)
{
    if (req->nlevels >= PLAN_MAX_LEVELS || level < 0 || level > PLAN_MAX_DUMP_LEVEL)
        return;
    for (int i = 0; i < req->nlevels; i++)
        if (req->levels[i] == level)
            return;
    req->levels[req->nlevels] = level;
    req->server[req->nlevels] = server;
    req->nlevels++;
}

/* The incremental level to start from: 1 after a full, else the last. */
static int
base_inclevel(const plan_request_t *req)
{
    return req->last_level <= 0 ? 1 : req->last_level;
}

static void
setup_incremental(const plan_params_t *p, const curinfo_t *info, plan_request_t *req,
                  gboolean full_allowed)
{
    guint cmd = info->command;
    int base = base_inclevel(req);
    req->kind = PLAN_INCR;
    /* Level 0 comes from the history, for balancing (promotion). */
    if (full_allowed && info->inf[0].size >= 0)
        add_level(req, 0, TRUE);
    add_level(req, base, FALSE);
    if (req->last_level > 0 && !(cmd & CURINFO_FORCE_NO_BUMP) && base < PLAN_MAX_DUMP_LEVEL)
        add_level(req, base + 1, FALSE);
    (void)p;
}

static void
set_skip(plan_request_t *req, const char *reason)
{
    req->kind = PLAN_SKIP;
    req->nlevels = 0;
    req->reason = g_strdup(reason);
}

/* Due for a full (or overdue): the full, with the incremental as the
 * fallback the balancer may use when the run does not fit. */
static void
setup_due(const plan_params_t *p, plan_request_t *req)
{
    if (p->skip_full) {
        set_skip(req, "skip-full: full dump due, nothing dumped this run");
        return;
    }
    req->kind = PLAN_DUE;
    add_level(req, 0, FALSE);
    if (req->last_level >= 0)
        add_level(req, base_inclevel(req), FALSE);
    if (req->next_level0 < 0)
        req->reason = g_strdup_printf("overdue %d day%s for level 0", -req->next_level0,
                                      req->next_level0 == -1 ? "" : "s");
    else
        req->reason = g_strdup("due for level 0");
}

void
plan_setup(const plan_params_t *p, const curinfo_t *info, time_t now, plan_request_t *req)
{
    memset(req, 0, sizeof(*req));
    req->last_level = info->last_level;
    req->new_disk = !has_full(info);
    req->next_level0 = plan_next_level0(p, info, now);
    if (p->strategy == DS_SKIP) {
        set_skip(req, "strategy skip");
        return;
    }
    if (info->command & CURINFO_FORCE_FULL) {
        req->kind = PLAN_FULL_ONLY;
        req->forced = TRUE;
        add_level(req, 0, FALSE);
        req->reason = g_strdup("forced full dump (amadmin force)");
        return;
    }
    if (req->new_disk) {
        req->kind = PLAN_FULL_ONLY;
        add_level(req, 0, FALSE);
        req->reason = g_strdup_printf("overdue %d days for level 0", -req->next_level0);
        return;
    }
    if (info->command & CURINFO_FORCE_LEVEL_1) {
        req->kind = PLAN_INCR;
        req->forced = TRUE;
        add_level(req, 1, FALSE);
        req->reason = g_strdup("forced level 1 (amadmin force-level-1)");
        return;
    }
    if (p->strategy == DS_NOINC) {
        req->kind = PLAN_FULL_ONLY;
        add_level(req, 0, FALSE);
        req->reason = g_strdup("strategy noinc");
        return;
    }
    gboolean fulls_allowed = p->strategy != DS_NOFULL && p->strategy != DS_INCRONLY;
    if (fulls_allowed && req->next_level0 <= 0) {
        setup_due(p, req);
        return;
    }
    if (p->skip_incr) {
        set_skip(req, "skip-incr: no full dump due");
        return;
    }
    setup_incremental(p, info, req, fulls_allowed);
}

gint64
plan_bump_threshold(const plan_params_t *p, int level, gint64 level0_kb)
{
    double thresh;
    if (p->bumppercent > 0 && level0_kb > 1024)
        thresh = (double)level0_kb * p->bumppercent / 100.0;
    else
        thresh = (double)p->bumpsize;
    double mult = p->bumpmult > 0 ? p->bumpmult : 1.0;
    for (int l = 1; l < level; l++)
        thresh *= mult;
    return (gint64)thresh;
}

gint64
plan_est_size(const plan_request_t *req, const gint64 *sizes, int level)
{
    for (int i = 0; i < req->nlevels; i++)
        if (req->levels[i] == level)
            return sizes[i] >= 0 ? sizes[i] : -1;
    return -1;
}

int
plan_pick_inclevel(const plan_params_t *p, const plan_request_t *req, const gint64 *sizes,
                   guint command, int consecutive, char **why)
{
    int base = base_inclevel(req);
    gint64 base_size = plan_est_size(req, sizes, base);
    if (req->forced) {
        *why = g_strdup_printf("level %d (amadmin force-level-1)", req->levels[0]);
        return req->levels[0];
    }
    if (req->last_level <= 0) {
        *why = g_strdup_printf("level %d after the last full", base);
        return base;
    }
    if (command & CURINFO_FORCE_NO_BUMP) {
        *why = g_strdup_printf("bump of level %d prevented (amadmin force-no-bump)", base);
        return base;
    }
    gint64 bump_size = plan_est_size(req, sizes, base + 1);
    if (command & CURINFO_FORCE_BUMP) {
        *why = g_strdup_printf("bumping to level %d (amadmin force-bump)", base + 1);
        return base + 1;
    }
    if (base_size < 0 || bump_size < 0) {
        *why = g_strdup_printf("sticking with level %d (no estimate for level %d)", base,
                               base_size < 0 ? base : base + 1);
        return base_size < 0 && bump_size >= 0 ? base + 1 : base;
    }
    gint64 thresh = plan_bump_threshold(p, base, plan_est_size(req, sizes, 0));
    if (base_size - bump_size < thresh) {
        *why = g_strdup_printf("pick: size %" G_GINT64_FORMAT " level %d size %" G_GINT64_FORMAT
                               " (thresh %" G_GINT64_FORMAT "K): sticking with level %d",
                               base_size, base + 1, bump_size, thresh, base);
        return base;
    }
    if (consecutive < p->bumpdays) {
        *why = g_strdup_printf("sticking with level %d: ran %d of %d bumpdays", base,
                               consecutive, p->bumpdays);
        return base;
    }
    *why = g_strdup_printf("pick: size %" G_GINT64_FORMAT " level %d size %" G_GINT64_FORMAT
                           " (thresh %" G_GINT64_FORMAT "K, %d days): bumping to level %d",
                           base_size, base + 1, bump_size, thresh, consecutive, base + 1);
    return base + 1;
}

int
plan_choose_level(const plan_params_t *p, const plan_request_t *req, const gint64 *sizes,
                  const curinfo_t *info, char **why)
{
    switch (req->kind) {
    case PLAN_SKIP:
        *why = g_strdup(req->reason ? req->reason : "skipped");
        return -1;
    case PLAN_FULL_ONLY:
    case PLAN_DUE:
        if (plan_est_size(req, sizes, 0) < 0) {
            *why = g_strdup("no estimate for level 0");
            return -1;
        }
        *why = g_strdup(req->reason ? req->reason : "full dump");
        return 0;
    case PLAN_INCR:
        break;
    }
    int level = plan_pick_inclevel(p, req, sizes, info->command, info->consecutive_runs, why);
    if (plan_est_size(req, sizes, level) < 0) {
        g_free(*why);
        *why = g_strdup_printf("no estimate for level %d", level);
        return -1;
    }
    return level;
}
