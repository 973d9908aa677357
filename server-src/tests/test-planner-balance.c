/* Unit tests for planner-balance: a run that does not fit the tape has
 * fulls delayed then dumps dropped; a light run gets fulls promoted. */
#include "config.h"
#include "planner-balance.h"

#include <string.h>

static plan_item_t *
item(const char *disk, int level, gint64 size, gint64 lev0, int inc_level, gint64 inc_size,
     int next_level0, int priority)
{
    plan_item_t *it = g_new0(plan_item_t, 1);
    it->host = "h";
    it->disk = disk;
    it->level = level;
    it->size = size;
    it->lev0_size = lev0;
    it->inc_level = inc_level;
    it->inc_size = inc_size;
    it->next_level0 = next_level0;
    it->maxpromoteday = 10000;
    it->priority = priority;
    return it;
}

static void
item_free(gpointer p)
{
    plan_item_t *it = p;
    g_free(it->note);
    g_free(it);
}

static GPtrArray *
items_new(void)
{
    return g_ptr_array_new_with_free_func(item_free);
}

#define IT(a, i) ((plan_item_t *)g_ptr_array_index((a), (i)))

static void
test_fits_untouched(void)
{
    g_autoptr(GPtrArray) a = items_new();
    g_ptr_array_add(a, item("/a", 0, 100, 100, 1, 10, 0, 1));
    g_ptr_array_add(a, item("/b", 1, 10, 100, 1, 10, 3, 1));
    plan_balance_params_t bp = { 1000, 1, 2, 100 };
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 0)->level, ==, 0);
    g_assert_cmpint(IT(a, 1)->level, ==, 1);
    g_assert_cmpint(msgs->len, ==, 0);
    g_assert_cmpint(plan_total_size(a, 1), ==, 112);
}

static void
test_delay_full_to_incremental(void)
{
    g_autoptr(GPtrArray) a = items_new();
    g_ptr_array_add(a, item("/a", 0, 600, 600, 1, 50, 0, 1));
    g_ptr_array_add(a, item("/b", 0, 500, 500, 1, 40, 0, 2));  /* higher priority */
    plan_balance_params_t bp = { 1000, 0, 1, 0 };
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 0)->level, ==, 1);  /* lowest priority delayed */
    g_assert_cmpint(IT(a, 1)->level, ==, 0);
    g_assert_cmpint(msgs->len, ==, 1);
    g_assert_nonnull(strstr(g_ptr_array_index(msgs, 0), "Full dump of h:/a delayed"));
}

static void
test_fixed_full_never_delayed(void)
{
    g_autoptr(GPtrArray) a = items_new();
    plan_item_t *fixed = item("/new", 0, 900, 900, -1, 0, -20000, 1);
    fixed->full_fixed = TRUE;
    g_ptr_array_add(a, fixed);
    g_ptr_array_add(a, item("/b", 2, 300, 800, 2, 300, 2, 1));
    plan_balance_params_t bp = { 1000, 0, 1, 0 };
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 0)->level, ==, 0);
    g_assert_cmpint(IT(a, 1)->level, ==, -1); /* the incremental is dropped */
    g_assert_nonnull(strstr(IT(a, 1)->note, "larger than available tape space"));
}

static void
test_drop_when_nothing_else(void)
{
    g_autoptr(GPtrArray) a = items_new();
    plan_item_t *fixed = item("/huge", 0, 5000, 5000, -1, 0, 0, 1);
    fixed->full_fixed = TRUE;
    g_ptr_array_add(a, fixed);
    plan_balance_params_t bp = { 1000, 0, 1, 0 };
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 0)->level, ==, -1);
}

static void
test_unlimited_tape(void)
{
    g_autoptr(GPtrArray) a = items_new();
    g_ptr_array_add(a, item("/a", 0, 1 << 30, 1 << 30, 1, 5, 0, 1));
    plan_balance_params_t bp = { 0, 0, 1, 0 };
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 0)->level, ==, 0);
}

static void
test_promote_closest_first(void)
{
    g_autoptr(GPtrArray) a = items_new();
    /* four DLEs of 100 KiB fulls, 4 runs per cycle: balanced = 100 */
    g_ptr_array_add(a, item("/a", 1, 5, 100, 1, 5, 5, 1));
    g_ptr_array_add(a, item("/b", 1, 5, 100, 1, 5, 2, 1));
    g_ptr_array_add(a, item("/c", 1, 5, 100, 1, 5, 3, 1));
    g_ptr_array_add(a, item("/d", 1, 5, 100, 1, 5, 4, 1));
    plan_balance_params_t bp = { 100000, 0, 4, 400 };
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 1)->level, ==, 0);   /* /b: 2 days ahead */
    g_assert_cmpint(IT(a, 0)->level, ==, 1);
    g_assert_cmpint(IT(a, 2)->level, ==, 1);
    g_assert_cmpint(IT(a, 3)->level, ==, 1);
    g_assert_cmpint(msgs->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(msgs, 0), ==, "Full dump of h:/b promoted from 2 days ahead.");
}

static void
test_no_promotion_when_balanced(void)
{
    g_autoptr(GPtrArray) a = items_new();
    g_ptr_array_add(a, item("/a", 0, 100, 100, 1, 5, 0, 1));
    g_ptr_array_add(a, item("/b", 1, 5, 100, 1, 5, 1, 1));
    plan_balance_params_t bp = { 100000, 0, 2, 200 };
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 1)->level, ==, 1);
    g_assert_cmpint(msgs->len, ==, 0);
}

static void
test_promotion_respects_maxpromoteday_and_tape(void)
{
    g_autoptr(GPtrArray) a = items_new();
    plan_item_t *x = item("/a", 1, 5, 100, 1, 5, 5, 1);
    x->maxpromoteday = 0;
    g_ptr_array_add(a, x);
    g_ptr_array_add(a, item("/b", 1, 5, 100, 1, 5, 6, 1));
    plan_balance_params_t bp = { 50, 0, 1, 1000 };  /* tape too small for a full */
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(a, &bp, msgs);
    g_assert_cmpint(IT(a, 0)->level, ==, 1);
    g_assert_cmpint(IT(a, 1)->level, ==, 1);
    g_assert_cmpint(msgs->len, ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/planner-balance/fits", test_fits_untouched);
    g_test_add_func("/planner-balance/delay-full", test_delay_full_to_incremental);
    g_test_add_func("/planner-balance/fixed-full", test_fixed_full_never_delayed);
    g_test_add_func("/planner-balance/drop", test_drop_when_nothing_else);
    g_test_add_func("/planner-balance/unlimited", test_unlimited_tape);
    g_test_add_func("/planner-balance/promote", test_promote_closest_first);
    g_test_add_func("/planner-balance/balanced", test_no_promotion_when_balanced);
    g_test_add_func("/planner-balance/promote-limits", test_promotion_respects_maxpromoteday_and_tape);
    return g_test_run();
}
