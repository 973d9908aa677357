/* Unit tests of indexd-tree: dump chains, merged listings, volume lists. */
#include "config.h"

#include <string.h>

#include "indexd-tree.h"

static indexd_dump_t *
dump(const char *ts, int level, const char *const *paths)
{
    indexd_dump_t *d = g_new0(indexd_dump_t, 1);
    d->timestamp = g_strdup(ts);
    d->level = level;
    d->tapes = g_strdup_printf("ST:V-%s:1", ts);
    d->paths = g_ptr_array_new_with_free_func(g_free);
    for (; *paths; paths++)
        g_ptr_array_add(d->paths, g_strdup(*paths));
    return d;
}

static GPtrArray *
sample(void)
{
    static const char *const full[] = { "/", "/a", "/gone", "/sub/", "/sub/x", "/sub/y", NULL };
    static const char *const incr1[] = { "/", "/a", "/new", "/sub/", NULL };
    static const char *const incr2[] = { "/", "/sub/", "/sub/y", NULL };
    static const char *const oldfull[] = { "/", "/ancient", NULL };
    GPtrArray *dumps = g_ptr_array_new_with_free_func((GDestroyNotify)indexd_dump_free);
    g_ptr_array_add(dumps, dump("20261120000000", 0, oldfull));
    g_ptr_array_add(dumps, dump("20261122101010", 2, incr2));
    g_ptr_array_add(dumps, dump("20261121101010", 1, incr1));
    g_ptr_array_add(dumps, dump("20261120101010", 0, full));
    return dumps;
}

static void
test_chain(void)
{
    g_autoptr(GPtrArray) dumps = sample();
    g_autoptr(GPtrArray) c = indexd_chain(dumps, "20261122235959");
    g_assert_cmpuint(c->len, ==, 3);
    g_assert_cmpint(((indexd_dump_t *)c->pdata[0])->level, ==, 2);
    g_assert_cmpstr(((indexd_dump_t *)c->pdata[2])->timestamp, ==, "20261120101010");
    g_autoptr(GPtrArray) c2 = indexd_chain(dumps, "20261121235959");
    g_assert_cmpuint(c2->len, ==, 2);
    g_autoptr(GPtrArray) c3 = indexd_chain(dumps, "20261120050000");
    g_assert_cmpuint(c3->len, ==, 1);
    g_assert_cmpstr(((indexd_dump_t *)c3->pdata[0])->timestamp, ==, "20261120000000");
    g_autoptr(GPtrArray) c4 = indexd_chain(dumps, "20261119235959");
    g_assert_cmpuint(c4->len, ==, 0);
}

static void
test_list(void)
{
    g_autoptr(GPtrArray) dumps = sample();
    g_autoptr(GPtrArray) c = indexd_chain(dumps, "20261122235959");
    g_assert_true(indexd_is_dir(c, "/"));
    g_assert_true(indexd_is_dir(c, "/sub"));
    g_assert_false(indexd_is_dir(c, "/a"));
    g_assert_false(indexd_is_dir(c, "/su"));
    g_autoptr(GArray) root = indexd_list(c, "/", FALSE);
    GString *got = g_string_new(NULL);
    for (guint i = 0; i < root->len; i++) {
        indexd_entry_t *e = &g_array_index(root, indexd_entry_t, i);
        g_string_append_printf(got, "%s@%d ", e->path, e->dump->level);
    }
    /* each entry from the newest dump of the chain that lists it */
    g_assert_cmpstr(got->str, ==, "/@2 /a@1 /gone@0 /new@1 /sub/@2 ");
    g_string_truncate(got, 0);
    g_autoptr(GArray) sub = indexd_list(c, "/sub", FALSE);
    for (guint i = 0; i < sub->len; i++) {
        indexd_entry_t *e = &g_array_index(sub, indexd_entry_t, i);
        g_string_append_printf(got, "%s@%d ", e->path, e->dump->level);
    }
    g_assert_cmpstr(got->str, ==, "/sub/@2 /sub/x@0 /sub/y@2 ");
    g_autoptr(GArray) all = indexd_list(c, "/", TRUE);
    g_assert_cmpuint(all->len, ==, 7);
    g_string_free(got, TRUE);
}

static void
test_big_listing_is_fast(void)
{
    /* 100,000 entries in one directory: listing must stay well under a second */
    GPtrArray *dumps = g_ptr_array_new_with_free_func((GDestroyNotify)indexd_dump_free);
    indexd_dump_t *d = g_new0(indexd_dump_t, 1);
    d->timestamp = g_strdup("20261120101010");
    d->tapes = g_strdup("ST:V:1");
    d->paths = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(d->paths, g_strdup("/"));
    g_ptr_array_add(d->paths, g_strdup("/big/"));
    for (int i = 0; i < 100000; i++)
        g_ptr_array_add(d->paths, g_strdup_printf("/big/f%06d", i));
    g_ptr_array_add(dumps, d);
    gint64 t0 = g_get_monotonic_time();
    g_autoptr(GPtrArray) c = indexd_chain(dumps, "20261122235959");
    g_autoptr(GArray) l = indexd_list(c, "/big", FALSE);
    gint64 us = g_get_monotonic_time() - t0;
    g_assert_cmpuint(l->len, ==, 100001);
    g_test_message("listing 100001 entries took %" G_GINT64_FORMAT " us", us);
    g_assert_cmpint(us, <, 1000000);
    g_ptr_array_unref(dumps);
}

static void
test_strings(void)
{
    indexd_part_t parts[] = {
        { "ST", "V-002", 1, 5 }, { "ST", "V-001", 2, 1 }, { "ST", "V-001", 3, 2 },
        { "ST", "V-001", 4, 3 }, { "ST", "V-002", 0, 4 },
    };
    parts[4].filenum = 9; /* file 9 of V-002 holds part 4 */
    GArray *a = g_array_new(FALSE, FALSE, sizeof(indexd_part_t));
    g_array_append_vals(a, parts, G_N_ELEMENTS(parts));
    g_autofree char *t = indexd_tapes_string(a);
    g_assert_cmpstr(t, ==, "ST:V-001:2,3,4;ST:V-002:9,1");
    g_array_unref(a);
    indexd_part_t odd = { "S", "a:b,c", 7, 1 };
    GArray *b = g_array_new(FALSE, FALSE, sizeof(indexd_part_t));
    g_array_append_val(b, odd);
    g_autofree char *t2 = indexd_tapes_string(b);
    g_assert_cmpstr(t2, ==, "S:a\\:b\\,c:7");
    g_array_unref(b);

    g_autofree char *n = indexd_nice_date("20261125104704");
    g_assert_cmpstr(n, ==, "2026-11-25-10-47-04");
    g_autofree char *l1 = indexd_date_limit("2026-11-25");
    g_assert_cmpstr(l1, ==, "20261125235959");
    g_autofree char *l2 = indexd_date_limit("2026-11-25-10-47-04");
    g_assert_cmpstr(l2, ==, "20261125104704");
    g_assert_null(indexd_date_limit("yesterday"));
    g_assert_null(indexd_date_limit("2026-11"));
    g_autofree char *d1 = indexd_normalise_dir("sub/x/");
    g_assert_cmpstr(d1, ==, "/sub/x");
    g_autofree char *d2 = indexd_normalise_dir("/");
    g_assert_cmpstr(d2, ==, "/");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/indexd/chain", test_chain);
    g_test_add_func("/indexd/list", test_list);
    g_test_add_func("/indexd/big-listing", test_big_listing_is_fast);
    g_test_add_func("/indexd/strings", test_strings);
    return g_test_run();
}
