/* Unit tests for planner-levels: which levels the planner estimates and
 * which it picks, for new, due, forced, bumped and strategy-limited DLEs. */
#include "config.h"
#include "planner-levels.h"
#include "conf.h"

#include <string.h>

#define DAY 86400
#define NOW ((time_t)1795589105) /* 2026-11-25 */

static plan_params_t
defaults(void)
{
    plan_params_t p = { 0 };
    p.dumpcycle = 7;
    p.strategy = DS_STANDARD;
    p.bumpsize = 10240;
    p.bumppercent = 0;
    p.bumpmult = 1.5;
    p.bumpdays = 2;
    return p;
}

/* A DLE whose last full was DAYS_AGO days ago, last level LAST run RUNS
 * times in a row. */
static curinfo_t *
history(int full_days_ago, int last, int runs)
{
    curinfo_t *info = curinfo_new();
    if (full_days_ago >= 0) {
        info->inf[0].date = NOW - (gint64)full_days_ago * DAY;
        info->inf[0].size = 100000;
        info->inf[0].csize = 100000;
    }
    for (int l = 1; l <= last; l++) {
        info->inf[l].date = NOW - DAY;
        info->inf[l].size = 5000;
    }
    info->last_level = last;
    info->consecutive_runs = runs;
    return info;
}

static gboolean
asks(const plan_request_t *r, int level, gboolean server)
{
    for (int i = 0; i < r->nlevels; i++)
        if (r->levels[i] == level)
            return r->server[i] == server;
    return FALSE;
}

static void
test_new_disk_full(void)
{
    plan_params_t p = defaults();
    g_autoptr(curinfo_t) info = history(-1, -1, 0);
    plan_request_t r;
    plan_setup(&p, info, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_FULL_ONLY);
    g_assert_true(r.new_disk);
    g_assert_cmpint(r.nlevels, ==, 1);
    g_assert_true(asks(&r, 0, FALSE));
    /* AMANDA: a DLE never dumped is overdue by the days since 1970. */
    g_assert_cmpint(r.next_level0, ==, -20782);
    g_assert_cmpstr(r.reason, ==, "overdue 20782 days for level 0");
    gint64 sizes[3] = { 500, -1, -1 };
    char *why = NULL;
    g_assert_cmpint(plan_choose_level(&p, &r, sizes, info, &why), ==, 0);
    g_free(why);
    plan_request_clear(&r);
}

static void
test_due_after_dumpcycle(void)
{
    plan_params_t p = defaults();
    for (int days = 0; days <= 9; days++) {
        g_autoptr(curinfo_t) info = history(days, 1, 1);
        plan_request_t r;
        plan_setup(&p, info, NOW, &r);
        g_assert_cmpint(r.next_level0, ==, 7 - days);
        if (days >= 7) {
            g_assert_cmpint(r.kind, ==, PLAN_DUE);
            g_assert_true(asks(&r, 0, FALSE));
            g_assert_true(asks(&r, 1, FALSE)); /* fallback for delaying */
        } else {
            g_assert_cmpint(r.kind, ==, PLAN_INCR);
            g_assert_true(asks(&r, 0, TRUE));  /* level 0 from history */
            g_assert_true(asks(&r, 1, FALSE));
        }
        plan_request_clear(&r);
    }
}

static void
test_overdue_reason(void)
{
    plan_params_t p = defaults();
    g_autoptr(curinfo_t) info = history(10, 1, 1);
    plan_request_t r;
    plan_setup(&p, info, NOW, &r);
    g_assert_cmpstr(r.reason, ==, "overdue 3 days for level 0");
    plan_request_clear(&r);
    g_autoptr(curinfo_t) info2 = history(8, 1, 1);
    plan_setup(&p, info2, NOW, &r);
    g_assert_cmpstr(r.reason, ==, "overdue 1 day for level 0");
    plan_request_clear(&r);
}

static void
test_dumpcycle_zero_always_full(void)
{
    plan_params_t p = defaults();
    p.dumpcycle = 0;
    g_autoptr(curinfo_t) info = history(0, 0, 1);
    plan_request_t r;
    plan_setup(&p, info, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_DUE);
    gint64 sizes[3] = { 100, 10, -1 };
    char *why = NULL;
    g_assert_cmpint(plan_choose_level(&p, &r, sizes, info, &why), ==, 0);
    g_free(why);
    plan_request_clear(&r);
}

static void
test_force_full(void)
{
    plan_params_t p = defaults();
    g_autoptr(curinfo_t) info = history(1, 2, 3);
    info->command = CURINFO_FORCE_FULL;
    plan_request_t r;
    plan_setup(&p, info, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_FULL_ONLY);
    g_assert_true(r.forced);
    g_assert_cmpint(r.nlevels, ==, 1);
    g_assert_cmpint(r.levels[0], ==, 0);
    plan_request_clear(&r);
    /* Even strategy incronly takes a forced full. */
    p.strategy = DS_INCRONLY;
    plan_setup(&p, info, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_FULL_ONLY);
    plan_request_clear(&r);
}

static void
test_force_level_1(void)
{
    plan_params_t p = defaults();
    g_autoptr(curinfo_t) info = history(3, 3, 5);
    info->command = CURINFO_FORCE_LEVEL_1;
    plan_request_t r;
    plan_setup(&p, info, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_INCR);
    g_assert_cmpint(r.nlevels, ==, 1);
    g_assert_cmpint(r.levels[0], ==, 1);
    gint64 sizes[3] = { 900, -1, -1 };
    char *why = NULL;
    g_assert_cmpint(plan_choose_level(&p, &r, sizes, info, &why), ==, 1);
    g_assert_nonnull(strstr(why, "force-level-1"));
    g_free(why);
    plan_request_clear(&r);
}

static int
pick(const plan_params_t *p, curinfo_t *info, gint64 base_kb, gint64 bump_kb, char **why)
{
    plan_request_t r;
    plan_setup(p, info, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_INCR);
    gint64 sizes[3];
    for (int i = 0; i < r.nlevels; i++)
        sizes[i] = r.levels[i] == 0 ? 100000 : r.levels[i] == info->last_level ? base_kb : bump_kb;
    int level = plan_choose_level(p, &r, sizes, info, why);
    plan_request_clear(&r);
    return level;
}

static void
test_level1_after_full(void)
{
    plan_params_t p = defaults();
    g_autoptr(curinfo_t) info = history(1, 0, 1);
    plan_request_t r;
    plan_setup(&p, info, NOW, &r);
    /* the run after a full asks 0 (server) and 1, never 2 */
    g_assert_true(asks(&r, 1, FALSE));
    g_assert_false(asks(&r, 2, FALSE));
    plan_request_clear(&r);
    char *why = NULL;
    g_assert_cmpint(pick(&p, info, 50000, 0, &why), ==, 1);
    g_free(why);
}

static void
test_bump_rules(void)
{
    plan_params_t p = defaults(); /* bumpsize 10 MiB, bumpdays 2 */
    char *why = NULL;
    /* saving 20 MiB after 2 runs at level 1: bump */
    g_autoptr(curinfo_t) a = history(2, 1, 2);
    g_assert_cmpint(pick(&p, a, 30000, 10000, &why), ==, 2);
    g_assert_nonnull(strstr(why, "bumping to level 2"));
    g_clear_pointer(&why, g_free);
    /* saving only 5 MiB: stick */
    g_assert_cmpint(pick(&p, a, 15000, 10000, &why), ==, 1);
    g_assert_nonnull(strstr(why, "sticking with level 1"));
    g_clear_pointer(&why, g_free);
    /* exactly the threshold saved: bump (not less than thresh) */
    g_assert_cmpint(pick(&p, a, 20240, 10000, &why), ==, 2);
    g_clear_pointer(&why, g_free);
    /* only one run at level 1: too soon */
    g_autoptr(curinfo_t) b = history(2, 1, 1);
    g_assert_cmpint(pick(&p, b, 30000, 10000, &why), ==, 1);
    g_assert_nonnull(strstr(why, "bumpdays"));
    g_clear_pointer(&why, g_free);
}

static void
test_bump_threshold(void)
{
    plan_params_t p = defaults();
    g_assert_cmpint(plan_bump_threshold(&p, 1, 100000), ==, 10240);
    g_assert_cmpint(plan_bump_threshold(&p, 2, 100000), ==, 15360);
    g_assert_cmpint(plan_bump_threshold(&p, 3, 100000), ==, 23040);
    p.bumppercent = 20;
    g_assert_cmpint(plan_bump_threshold(&p, 1, 100000), ==, 20000);
    g_assert_cmpint(plan_bump_threshold(&p, 2, 100000), ==, 30000);
    /* a level 0 of 1 MiB or less: bumpsize again */
    g_assert_cmpint(plan_bump_threshold(&p, 1, 1024), ==, 10240);
    /* bumpmult 0 treated as 1 */
    p.bumppercent = 0;
    p.bumpmult = 0;
    g_assert_cmpint(plan_bump_threshold(&p, 4, 100000), ==, 10240);
}

static void
test_bump_higher_level_uses_mult(void)
{
    plan_params_t p = defaults();
    char *why = NULL;
    /* level 2 -> 3 needs 15 MiB */
    g_autoptr(curinfo_t) a = history(3, 2, 5);
    g_assert_cmpint(pick(&p, a, 22000, 10000, &why), ==, 2);
    g_clear_pointer(&why, g_free);
    g_assert_cmpint(pick(&p, a, 26000, 10000, &why), ==, 3);
    g_clear_pointer(&why, g_free);
}

static void
test_force_bump_and_no_bump(void)
{
    plan_params_t p = defaults();
    char *why = NULL;
    g_autoptr(curinfo_t) a = history(2, 1, 1);
    a->command = CURINFO_FORCE_BUMP;
    g_assert_cmpint(pick(&p, a, 100, 100, &why), ==, 2);
    g_assert_nonnull(strstr(why, "force-bump"));
    g_clear_pointer(&why, g_free);
    g_autoptr(curinfo_t) b = history(2, 1, 9);
    b->command = CURINFO_FORCE_NO_BUMP;
    plan_request_t r;
    plan_setup(&p, b, NOW, &r);
    g_assert_false(asks(&r, 2, FALSE)); /* no bump level asked */
    plan_request_clear(&r);
    g_assert_cmpint(pick(&p, b, 90000, 10, &why), ==, 1);
    g_assert_nonnull(strstr(why, "force-no-bump"));
    g_clear_pointer(&why, g_free);
}

static void
test_strategies(void)
{
    plan_params_t p = defaults();
    g_autoptr(curinfo_t) due = history(30, 1, 1);
    g_autoptr(curinfo_t) fresh = history(1, 1, 1);
    plan_request_t r;

    p.strategy = DS_SKIP;
    plan_setup(&p, fresh, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_SKIP);
    g_assert_cmpint(r.nlevels, ==, 0);
    plan_request_clear(&r);

    p.strategy = DS_NOINC;
    plan_setup(&p, fresh, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_FULL_ONLY);
    plan_request_clear(&r);

    p.strategy = DS_NOFULL;
    plan_setup(&p, due, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_INCR);
    g_assert_false(asks(&r, 0, TRUE));
    g_assert_false(asks(&r, 0, FALSE));
    plan_request_clear(&r);

    p.strategy = DS_INCRONLY;
    plan_setup(&p, due, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_INCR);
    plan_request_clear(&r);

    /* nofull still starts a new DLE with a full */
    g_autoptr(curinfo_t) newd = history(-1, -1, 0);
    p.strategy = DS_NOFULL;
    plan_setup(&p, newd, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_FULL_ONLY);
    plan_request_clear(&r);
}

static void
test_skip_full_and_incr(void)
{
    plan_params_t p = defaults();
    g_autoptr(curinfo_t) due = history(30, 1, 1);
    g_autoptr(curinfo_t) fresh = history(1, 1, 1);
    plan_request_t r;
    p.skip_full = TRUE;
    plan_setup(&p, due, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_SKIP);
    plan_request_clear(&r);
    plan_setup(&p, fresh, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_INCR);
    plan_request_clear(&r);
    p.skip_full = FALSE;
    p.skip_incr = TRUE;
    plan_setup(&p, fresh, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_SKIP);
    plan_request_clear(&r);
    plan_setup(&p, due, NOW, &r);
    g_assert_cmpint(r.kind, ==, PLAN_DUE);
    plan_request_clear(&r);
}

static void
test_missing_estimates(void)
{
    plan_params_t p = defaults();
    char *why = NULL;
    g_autoptr(curinfo_t) newd = history(-1, -1, 0);
    plan_request_t r;
    plan_setup(&p, newd, NOW, &r);
    gint64 none[3] = { -1, -1, -1 };
    g_assert_cmpint(plan_choose_level(&p, &r, none, newd, &why), ==, -1);
    g_assert_cmpstr(why, ==, "no estimate for level 0");
    g_clear_pointer(&why, g_free);
    plan_request_clear(&r);
    /* bump level failed: stay */
    g_autoptr(curinfo_t) a = history(2, 1, 5);
    plan_setup(&p, a, NOW, &r);
    gint64 sizes[3];
    for (int i = 0; i < r.nlevels; i++)
        sizes[i] = r.levels[i] == 1 ? 90000 : -1;
    g_assert_cmpint(plan_choose_level(&p, &r, sizes, a, &why), ==, 1);
    g_clear_pointer(&why, g_free);
    /* current level failed, bump known: the bump */
    for (int i = 0; i < r.nlevels; i++)
        sizes[i] = r.levels[i] == 2 ? 90 : -1;
    g_assert_cmpint(plan_choose_level(&p, &r, sizes, a, &why), ==, 2);
    g_clear_pointer(&why, g_free);
    plan_request_clear(&r);
}

static void
test_days_diff(void)
{
    g_assert_cmpint(plan_days_diff(NOW, NOW), ==, 0);
    g_assert_cmpint(plan_days_diff(NOW - DAY + 1, NOW), ==, 0);
    g_assert_cmpint(plan_days_diff(NOW - DAY, NOW), ==, 1);
    g_assert_cmpint(plan_days_diff(NOW, NOW - 1), ==, -1);
}

static void
test_est_size(void)
{
    plan_request_t r = { 0 };
    r.nlevels = 2;
    r.levels[0] = 0;
    r.levels[1] = 1;
    gint64 sizes[3] = { 5, -3, 0 };
    g_assert_cmpint(plan_est_size(&r, sizes, 0), ==, 5);
    g_assert_cmpint(plan_est_size(&r, sizes, 1), ==, -1);
    g_assert_cmpint(plan_est_size(&r, sizes, 2), ==, -1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/planner-levels/new-disk", test_new_disk_full);
    g_test_add_func("/planner-levels/due-after-dumpcycle", test_due_after_dumpcycle);
    g_test_add_func("/planner-levels/overdue-reason", test_overdue_reason);
    g_test_add_func("/planner-levels/dumpcycle-zero", test_dumpcycle_zero_always_full);
    g_test_add_func("/planner-levels/force-full", test_force_full);
    g_test_add_func("/planner-levels/force-level-1", test_force_level_1);
    g_test_add_func("/planner-levels/level1-after-full", test_level1_after_full);
    g_test_add_func("/planner-levels/bump-rules", test_bump_rules);
    g_test_add_func("/planner-levels/bump-threshold", test_bump_threshold);
    g_test_add_func("/planner-levels/bump-mult", test_bump_higher_level_uses_mult);
    g_test_add_func("/planner-levels/force-bump", test_force_bump_and_no_bump);
    g_test_add_func("/planner-levels/strategies", test_strategies);
    g_test_add_func("/planner-levels/skip-full-incr", test_skip_full_and_incr);
    g_test_add_func("/planner-levels/missing-estimates", test_missing_estimates);
    g_test_add_func("/planner-levels/days-diff", test_days_diff);
    g_test_add_func("/planner-levels/est-size", test_est_size);
    return g_test_run();
}
