/* Unit tests for the DAR range lines amgtar, amrecover and amidxtaped exchange. */
#include "config.h"

#include <glib.h>

#include "dar.h"

static void
test_parse_good(void)
{
    guint64 s = 1, e = 1;
    g_assert_true(dar_parse_line("DAR 4096:6143", &s, &e));
    g_assert_cmpuint(s, ==, 4096);
    g_assert_cmpuint(e, ==, 6143);
    g_assert_true(dar_parse_line("DAR 0:-1", &s, &e));
    g_assert_cmpuint(s, ==, 0);
    g_assert_cmpuint(e, ==, DAR_END_OF_IMAGE);
    g_assert_true(dar_parse_line("DAR 512:512", &s, &e));   /* one byte */
    g_assert_cmpuint(e, ==, 512);
    g_assert_true(dar_parse_line("DAR 9223372036854775807:-1", &s, &e));
    g_assert_cmpuint(s, ==, G_MAXINT64);
}

static void
test_parse_bad(void)
{
    static const char *const bad[] = {
        "", "DAR", "DAR ", "DAR-DONE", "dar 1:2", "DAR 1", "DAR 1:", "DAR :2", "DAR 2:1",
        "DAR -1:0", "DAR 1:-2", "DAR +1:2", "DAR  1:2", "DAR 1: 2", "DAR 1:2 ", "DAR 1:2x",
        "DAR 1:-1x", "DAR 0x10:0x20", "DAR 99999999999999999999:-1", "USE-DAR YES",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        guint64 s, e;
        if (dar_parse_line(bad[i], &s, &e))
            g_error("accepted \"%s\"", bad[i]);
    }
}

static void
test_range_bytes(void)
{
    g_assert_cmpint(dar_range_bytes(4096, 6143, 0), ==, 2048);
    g_assert_cmpint(dar_range_bytes(4096, 6143, 10000), ==, 2048);
    /* to the end: known only with the image size */
    g_assert_cmpint(dar_range_bytes(4096, DAR_END_OF_IMAGE, 0), ==, -1);
    g_assert_cmpint(dar_range_bytes(4096, DAR_END_OF_IMAGE, 10000), ==, 5904);
    /* clamped to the image; nothing past its end */
    g_assert_cmpint(dar_range_bytes(4096, 20000, 10000), ==, 5904);
    g_assert_cmpint(dar_range_bytes(10000, 20000, 10000), ==, 0);
    g_assert_cmpint(dar_range_bytes(0, 0, 1), ==, 1);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dar/parse/good", test_parse_good);
    g_test_add_func("/dar/parse/bad", test_parse_bad);
    g_test_add_func("/dar/range-bytes", test_range_bytes);
    return g_test_run();
}
