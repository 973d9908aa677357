/* Unit tests for crc32c: known vectors, chaining, hardware = table. */
#include "config.h"
#include "crc32c.h"

#include <string.h>

static void
test_vectors(void)
{
    g_assert_cmphex(crc32c(0, "", 0), ==, 0);
    g_assert_cmphex(crc32c(0, "123456789", 9), ==, 0xe3069283);
    guint8 zeros[32] = { 0 };
    g_assert_cmphex(crc32c(0, zeros, 32), ==, 0x8a9136aa);
}

static void
test_chaining(void)
{
    GRand *r = g_rand_new_with_seed(7);
    guint8 buf[10007];
    for (gsize i = 0; i < sizeof buf; i++)
        buf[i] = (guint8)g_rand_int(r);
    guint32 whole = crc32c(0, buf, sizeof buf);
    for (gsize cut = 0; cut < sizeof buf; cut += 997) {
        guint32 c = crc32c(0, buf, cut);
        c = crc32c(c, buf + cut, sizeof buf - cut);
        g_assert_cmphex(c, ==, whole);
    }
    g_rand_free(r);
}

/* The lane path (used from 3 x 8 KiB on) and the table path agree on
 * every length and split, including lengths around lane boundaries. */
static void
test_lanes_equal_table(void)
{
    GRand *r = g_rand_new_with_seed(11);
    gsize n = 200000;
    guint8 *buf = g_malloc(n);
    for (gsize i = 0; i < n; i++)
        buf[i] = (guint8)g_rand_int(r);
    const gsize lens[] = { 0, 1, 7, 8, 24575, 24576, 24577, 49152, 65536 + 3, 199999, 200000 };
    for (gsize k = 0; k < G_N_ELEMENTS(lens); k++)
        g_assert_cmphex(crc32c(0, buf, lens[k]), ==, crc32c_by_table(0, buf, lens[k]));
    for (int round = 0; round < 200; round++) {
        gsize off = g_rand_int_range(r, 0, 1000), len = g_rand_int_range(r, 0, (gint32)(n - off));
        gsize cut = len ? g_rand_int_range(r, 0, (gint32)len) : 0;
        guint32 c = crc32c(0, buf + off, cut);
        c = crc32c(c, buf + off + cut, len - cut);
        g_assert_cmphex(c, ==, crc32c_by_table(0, buf + off, len));
    }
    g_free(buf);
    g_rand_free(r);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crc32c/vectors", test_vectors);
    g_test_add_func("/crc32c/chaining", test_chaining);
    g_test_add_func("/crc32c/lanes-equal-table", test_lanes_equal_table);
    return g_test_run();
}
