/* planner-balance: delay and promotion of fulls (see the header). */
#include "planner-balance.h"

gint64
plan_total_size(GPtrArray *items, gint64 filemark_kb)
{
    gint64 total = 0;
    for (guint i = 0; i < items->len; i++) {
        const plan_item_t *it = g_ptr_array_index(items, i);
        if (it->level >= 0)
            total += it->size + filemark_kb;
    }
    return total;
}

static void
set_note(plan_item_t *it, char *note)
{
    g_free(it->note);
    it->note = note;
}

/* Candidate order for delaying: lowest priority first, then biggest. */
static gint
delay_order(gconstpointer a, gconstpointer b)
{
    const plan_item_t *x = *(plan_item_t *const *)a, *y = *(plan_item_t *const *)b;
    if (x->priority != y->priority)
        return x->priority < y->priority ? -1 : 1;
    return x->size > y->size ? -1 : x->size < y->size ? 1 : 0;
}

/* A second array over the same items, without a free function. */
static GPtrArray *
view_of(GPtrArray *items)
{
    GPtrArray *v = g_ptr_array_sized_new(items->len);
    for (guint i = 0; i < items->len; i++)
        g_ptr_array_add(v, g_ptr_array_index(items, i));
    return v;
}

static gboolean
fits(GPtrArray *items, const plan_balance_params_t *bp)
{
    return bp->tape_kb <= 0 || plan_total_size(items, bp->filemark_kb) <= bp->tape_kb;
}

/* One pass of delaying; PHASE 0: full -> incremental, 1: drop
 * incrementals, 2: drop anything. */
static void
delay_pass(GPtrArray *sorted, GPtrArray *items, const plan_balance_params_t *bp, int phase,
           GPtrArray *messages)
{
    for (guint i = 0; i < sorted->len && !fits(items, bp); i++) {
        plan_item_t *it = g_ptr_array_index(sorted, i);
        if (it->level < 0)
            continue;
        if (phase == 0 && it->level == 0 && !it->full_fixed && it->inc_level > 0 && it->inc_size >= 0) {
            it->level = it->inc_level;
            it->size = it->inc_size;
            set_note(it, g_strdup_printf("Full dump of %s:%s delayed, level %d instead: run larger than tape.",
                                         it->host, it->disk, it->level));
        } else if ((phase == 1 && it->level > 0) || phase == 2) {
            it->level = -1;
            set_note(it, g_strdup_printf("dump larger than available tape space, %" G_GINT64_FORMAT
                                         " KB, skipping", it->size));
        } else {
            continue;
        }
        g_ptr_array_add(messages, g_strdup(it->note));
    }
}

static void
delay_dumps(GPtrArray *items, const plan_balance_params_t *bp, GPtrArray *messages)
{
    if (fits(items, bp))
        return;
    g_autoptr(GPtrArray) sorted = view_of(items);
    g_ptr_array_sort(sorted, delay_order);
    for (int phase = 0; phase < 3 && !fits(items, bp); phase++)
        delay_pass(sorted, items, bp, phase, messages);
}

static gint
promote_order(gconstpointer a, gconstpointer b)
{
    const plan_item_t *x = *(plan_item_t *const *)a, *y = *(plan_item_t *const *)b;
    if (x->next_level0 != y->next_level0)
        return x->next_level0 < y->next_level0 ? -1 : 1;
    return y->priority - x->priority;
}

static gint64
tonight_lev0(GPtrArray *items)
{
    gint64 t = 0;
    for (guint i = 0; i < items->len; i++) {
        const plan_item_t *it = g_ptr_array_index(items, i);
        if (it->level == 0)
            t += it->size;
    }
    return t;
}

static gboolean
try_promote(plan_item_t *it, GPtrArray *items, const plan_balance_params_t *bp, gint64 balanced)
{
    if (it->level <= 0 || it->lev0_size < 0 || it->next_level0 > it->maxpromoteday)
        return FALSE;
    if (tonight_lev0(items) + it->lev0_size > balanced)
        return FALSE;
    int old_level = it->level;
    gint64 old_size = it->size;
    it->level = 0;
    it->size = it->lev0_size;
    if (!fits(items, bp)) {
        it->level = old_level;
        it->size = old_size;
        return FALSE;
    }
    set_note(it, g_strdup_printf("Full dump of %s:%s promoted from %d day%s ahead.", it->host, it->disk,
                                 it->next_level0, it->next_level0 == 1 ? "" : "s"));
    return TRUE;
}

static void
promote_dumps(GPtrArray *items, const plan_balance_params_t *bp, GPtrArray *messages)
{
    int runs = bp->runs_per_cycle > 0 ? bp->runs_per_cycle : 1;
    gint64 balanced = bp->total_lev0_kb / runs;
    g_autoptr(GPtrArray) sorted = view_of(items);
    g_ptr_array_sort(sorted, promote_order);
    for (guint i = 0; i < sorted->len; i++) {
        if (tonight_lev0(items) >= balanced)
            break;
        plan_item_t *it = g_ptr_array_index(sorted, i);
        if (try_promote(it, items, bp, balanced))
            g_ptr_array_add(messages, g_strdup(it->note));
    }
}

void
plan_balance(GPtrArray *items, const plan_balance_params_t *bp, GPtrArray *messages)
{
    delay_dumps(items, bp, messages);
    promote_dumps(items, bp, messages);
}
