/* Unit tests for amfeatures: the 3.5.1 set, bit positions, hex round
 * trips, set algebra, rejection of bad hex and a fixed-seed fuzz run. */
#include "config.h"
#include "amfeatures.h"

#include <glib.h>
#include <string.h>

/* What AMANDA 3.5.1 (Debian 1:3.5.1-11) advertises for itself. */
static const char amanda_351[] = "ffffffff9efefbfffffffffffffff3fffbf71f";

static void
test_ours_is_351(void)
{
    g_autoptr(am_features_t) ours = am_features_ours();
    g_autofree char *hex = am_features_to_hex(ours);
    g_assert_cmpstr(hex, ==, amanda_351);

    g_autoptr(GError) err = NULL;
    g_autoptr(am_features_t) parsed = am_features_from_hex(amanda_351, &err);
    g_assert_no_error(err);
    g_autofree char *again = am_features_to_hex(parsed);
    g_assert_cmpstr(again, ==, amanda_351);
    g_assert_true(am_features_equal(parsed, ours));
}

/* Bit numbers checked against Amanda::Feature of 3.5.1. */
static void
test_known_positions(void)
{
    g_assert_cmpint(AM_FEATURE_OPTIONS_AUTH, ==, 1);
    g_assert_cmpint(AM_FEATURE_SELFCHECK_REP, ==, 4);
    g_assert_cmpint(AM_FEATURE_SENDSIZE_REQ_OPTIONS, ==, 6);
    g_assert_cmpint(AM_FEATURE_REQ_XML, ==, 80);
    g_assert_cmpint(AM_FEATURE_XML_LEVEL_SERVER, ==, 88);
    g_assert_cmpint(AM_FEATURE_SENDBACKUP_STREAM_STATE, ==, 117);
    g_assert_cmpint(AM_FEATURE_REQ_OPTIONS_TIMESTAMP, ==, 148);
    g_assert_cmpint(AM_FEATURE_COUNT, ==, 149);

    g_autoptr(am_features_t) ours = am_features_ours();
    g_assert_true(am_feature_test(ours, AM_FEATURE_HAVE_FEATURE_SUPPORT));
    g_assert_true(am_feature_test(ours, AM_FEATURE_OPTIONS_AUTH));
    g_assert_true(am_feature_test(ours, AM_FEATURE_REQ_XML));
    g_assert_true(am_feature_test(ours, AM_FEATURE_SENDBACKUP_STREAM_STATE));
    g_assert_true(am_feature_test(ours, AM_FEATURE_REQ_OPTIONS_TIMESTAMP));
    g_assert_false(am_feature_test(ours, AM_FEATURE_OPTIONS_KRB4_AUTH));
    g_assert_false(am_feature_test(ours, AM_FEATURE_SENDSIZE_MESSAGE));
    g_assert_false(am_feature_test(ours, AM_FEATURE_COUNT));
    g_assert_false(am_feature_test(ours, 100000));
    g_assert_false(am_feature_test(NULL, AM_FEATURE_OPTIONS_AUTH));

    g_assert_cmpstr(am_feature_name(AM_FEATURE_XML_LEVEL_SERVER), ==, "xml_level_server");
    g_assert_cmpstr(am_feature_name(0), ==, "have_feature_support");
    g_assert_null(am_feature_name(AM_FEATURE_COUNT));
    for (guint n = 0; n < AM_FEATURE_COUNT; n++)
        g_assert_nonnull(am_feature_name(n));
}

/* Bit n is byte n>>3, bit n&7: bit 0 -> "01", bit 9 -> "0002". */
static void
test_layout(void)
{
    g_autoptr(am_features_t) set = am_features_new();
    g_assert_cmpuint(set->size, ==, 19);
    am_feature_set(set, 0);
    am_feature_set(set, 9);
    am_feature_set(set, 151);
    g_autofree char *hex = am_features_to_hex(set);
    g_assert_cmpstr(hex, ==, "01020000000000000000000000000000000080");
    am_feature_set(set, 200); /* grows */
    g_assert_cmpuint(set->size, ==, 26);
    g_assert_true(am_feature_test(set, 200));
    am_feature_clear(set, 200);
    am_feature_clear(set, 5000); /* past the end: nothing to do */
    g_assert_false(am_feature_test(set, 200));
    am_feature_clear(set, 0);
    g_assert_false(am_feature_test(set, 0));
    g_assert_true(am_feature_test(set, 9));
}

static void
test_union_intersection(void)
{
    g_autoptr(am_features_t) a = am_features_from_hex("0f", NULL);
    g_autoptr(am_features_t) b = am_features_from_hex("F0ff01", NULL);
    g_autoptr(am_features_t) u = am_features_union(a, b);
    g_autoptr(am_features_t) i = am_features_intersection(a, b);
    g_autofree char *uh = am_features_to_hex(u);
    g_autofree char *ih = am_features_to_hex(i);
    g_assert_cmpstr(uh, ==, "ffff01");
    g_assert_cmpstr(ih, ==, "000000");
    g_autoptr(am_features_t) short_set = am_features_from_hex("ff", NULL);
    g_autoptr(am_features_t) long_set = am_features_from_hex("ff0000", NULL);
    g_assert_true(am_features_equal(short_set, long_set));
    g_assert_false(am_features_equal(short_set, b));
    g_autoptr(am_features_t) copy = am_features_copy(b);
    g_assert_true(am_features_equal(copy, b));
    /* a peer older than us: what both have */
    g_autoptr(am_features_t) ours = am_features_ours();
    g_autoptr(am_features_t) old = am_features_from_hex("ffff", NULL);
    g_autoptr(am_features_t) common = am_features_intersection(ours, old);
    g_assert_true(am_feature_test(common, AM_FEATURE_NOOP_REP));
    g_assert_false(am_feature_test(common, AM_FEATURE_REQ_XML));
}

static void
expect_bad(const char *hex, int code, const char *part)
{
    g_autoptr(GError) err = NULL;
    am_features_t *set = am_features_from_hex(hex, &err);
    g_assert_null(set);
    g_assert_error(err, AM_FEATURES_ERROR, code);
    g_assert_nonnull(strstr(err->message, part));
}

static void
test_garbage(void)
{
    expect_bad("abc", AM_FEATURES_ERROR_SYNTAX, "odd number");
    expect_bad("zz", AM_FEATURES_ERROR_SYNTAX, "character 1 (0x7a)");
    expect_bad("0 1", AM_FEATURES_ERROR_SYNTAX, "odd");
    expect_bad("00 0", AM_FEATURES_ERROR_SYNTAX, "character 3");
    expect_bad("0x12", AM_FEATURES_ERROR_SYNTAX, "character 2");
    expect_bad("ff;", AM_FEATURES_ERROR_SYNTAX, "odd");
    g_autofree char *huge = g_strnfill(AM_FEATURES_MAX_HEX + 2, 'f');
    expect_bad(huge, AM_FEATURES_ERROR_TOO_LONG, "more than");
    g_autoptr(am_features_t) empty = am_features_from_hex("", NULL);
    g_assert_nonnull(empty);
    g_assert_cmpuint(empty->size, ==, 0);
    g_autofree char *hex = am_features_to_hex(empty);
    g_assert_cmpstr(hex, ==, "");
    g_assert_false(am_feature_test(empty, 0));
}

static void
test_fuzz(void)
{
    static const char alphabet[] = "0123456789abcdefABCDEFgxyz ;:\n";
    GRand *rng = g_rand_new_with_seed(7);
    for (int i = 0; i < 20000; i++) {
        char buf[80];
        int len = g_rand_int_range(rng, 0, sizeof(buf));
        for (int j = 0; j < len; j++)
            buf[j] = i % 3 ? alphabet[g_rand_int_range(rng, 0, 16)]
                           : alphabet[g_rand_int_range(rng, 0, sizeof(alphabet) - 1)];
        buf[len] = '\0';
        GError *err = NULL;
        am_features_t *set = am_features_from_hex(buf, &err);
        g_assert_true((set == NULL) == (err != NULL));
        if (set) {
            /* lowercase round trip */
            g_autofree char *hex = am_features_to_hex(set);
            g_autofree char *lower = g_ascii_strdown(buf, -1);
            g_assert_cmpstr(hex, ==, lower);
            /* random bit operations agree with a plain model */
            guint n = g_rand_int_range(rng, 0, 700);
            gboolean was = am_feature_test(set, n);
            am_feature_set(set, n);
            g_assert_true(am_feature_test(set, n));
            am_feature_clear(set, n);
            g_assert_false(am_feature_test(set, n));
            if (was)
                am_feature_set(set, n);
            g_autofree char *back = am_features_to_hex(set);
            g_assert_true(g_str_has_prefix(back, lower));
            am_features_free(set);
        }
        g_clear_error(&err);
    }
    g_rand_free(rng);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/amfeatures/ours-is-3.5.1", test_ours_is_351);
    g_test_add_func("/amfeatures/known-positions", test_known_positions);
    g_test_add_func("/amfeatures/layout", test_layout);
    g_test_add_func("/amfeatures/union-intersection", test_union_intersection);
    g_test_add_func("/amfeatures/garbage", test_garbage);
    g_test_add_func("/amfeatures/fuzz", test_fuzz);
    return g_test_run();
}
