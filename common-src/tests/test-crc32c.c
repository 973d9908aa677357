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

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crc32c/vectors", test_vectors);
    g_test_add_func("/crc32c/chaining", test_chaining);
    return g_test_run();
}
