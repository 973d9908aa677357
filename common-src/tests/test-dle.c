/* Unit tests for the DLE XML codec: requests as a stock AMANDA 3.5.1 server
 * sends them parse into the right fields and render back byte for byte;
 * malformed XML and unknown tags are refused with a reason; random input
 * never crashes. */
#include "config.h"
#include "dle.h"

#include <glib.h>
#include <string.h>

#define GTAR_PROGRAM \
    "  <backup-program>\n" \
    "    <plugin>amgtar</plugin>\n" \
    "    <property>\n" \
    "      <name>check-device</name>\n" \
    "      <value>no</value>\n" \
    "    </property>\n" \
    "    <property>\n" \
    "      <name>gnutar-listdir</name>\n" \
    "      <value>/var/lib/amanda/gnutar-lists/Obs</value>\n" \
    "    </property>\n" \
    "  </backup-program>\n"

/* layout of a sendsize request element seen from AMANDA 3.5.1 */
static const char sendsize_dle[] =
    "<dle>\n"
    "  <program>APPLICATION</program>\n"
    GTAR_PROGRAM
    "  <estimate>CLIENT </estimate>\n"
    "  <disk encoding=\"raw\" raw=\"L3Nydi9vYnMvZGF0YS9jIGRfZQ==\">/srv/obs/data/c_d_e</disk>\n"
    "  <level>0</level>\n"
    "    <spindle>-1</spindle>\n"
    "  <auth>local</auth>\n"
    "  <record>YES</record>\n"
    "  <index>YES</index>\n"
    "  <datapath>AMANDA</datapath>\n"
    "</dle>\n";

static const char sendsize_dle_compressed[] =
    "<dle>\n"
    "  <program>APPLICATION</program>\n"
    GTAR_PROGRAM
    "  <estimate>CLIENT </estimate>\n"
    "  <disk>/srv/obs/data/b</disk>\n"
    "  <level>0<server>YES</server></level>\n"
    "  <level>1</level>\n"
    "    <spindle>-1</spindle>\n"
    "  <auth>local</auth>\n"
    "  <compress>FAST</compress>\n"
    "  <record>YES</record>\n"
    "  <index>YES</index>\n"
    "  <datapath>AMANDA</datapath>\n"
    "  <exclude>\n"
    "    <file>*.tmp</file>\n"
    "    <list>/srv/obs/excl</list>\n"
    "  </exclude>\n"
    "</dle>\n";

/* layout of a sendbackup request element: backup-program comes last */
static const char sendbackup_dle[] =
    "<dle>\n"
    "  <program>APPLICATION</program>\n"
    "  <disk>/srv/obs/data/a</disk>\n"
    "  <level>0</level>\n"
    "  <auth>local</auth>\n"
    "  <record>YES</record>\n"
    "  <index>YES</index>\n"
    "  <datapath>AMANDA</datapath>\n"
    GTAR_PROGRAM
    "</dle>\n";

static dle_t *
parse_one(const char *text)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *all = dle_parse_all(text, -1, &error);
    g_assert_no_error(error);
    g_assert_cmpint(all->len, ==, 1);
    dle_t *dle = g_ptr_array_steal_index(all, 0);
    g_ptr_array_unref(all);
    return dle;
}

static void
test_parse_sendsize(void)
{
    g_autoptr(dle_t) dle = parse_one(sendsize_dle);
    g_assert_cmpstr(dle->program, ==, "APPLICATION");
    g_assert_cmpstr(dle->disk, ==, "/srv/obs/data/c d_e");   /* from raw= */
    g_assert_cmpstr(dle->plugin, ==, "amgtar");
    g_assert_cmpstr(dle_property_value(dle->app_properties, "CHECK_DEVICE"), ==, "no");
    g_assert_cmpstr(dle_property_value(dle->app_properties, "gnutar-listdir"), ==,
                    "/var/lib/amanda/gnutar-lists/Obs");
    g_assert_cmpint(dle->levels->len, ==, 1);
    g_assert_cmpint(g_array_index(dle->levels, dle_level_t, 0).level, ==, 0);
    g_assert_cmpint(dle->estimates->len, ==, 1);
    g_assert_cmpint(g_array_index(dle->estimates, dle_estimate_t, 0), ==, DLE_ESTIMATE_CLIENT);
    g_assert_true(dle->has_spindle);
    g_assert_cmpint(dle->spindle, ==, -1);
    g_assert_cmpstr(dle->auth, ==, "local");
    g_assert_true(dle->record);
    g_assert_true(dle->index);
    g_assert_null(dle->compress);
}

static void
test_parse_levels_and_exclude(void)
{
    g_autoptr(dle_t) dle = parse_one(sendsize_dle_compressed);
    g_assert_cmpint(dle->levels->len, ==, 2);
    g_assert_true(g_array_index(dle->levels, dle_level_t, 0).server);
    g_assert_cmpint(g_array_index(dle->levels, dle_level_t, 1).level, ==, 1);
    g_assert_false(g_array_index(dle->levels, dle_level_t, 1).server);
    g_assert_cmpstr(dle->compress, ==, "FAST");
    g_assert_cmpint(dle->exclude.files->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(dle->exclude.files, 0), ==, "*.tmp");
    g_assert_cmpstr(g_ptr_array_index(dle->exclude.lists, 0), ==, "/srv/obs/excl");
}

static void
test_render_matches_amanda(void)
{
    const char *samples[] = { sendsize_dle, sendsize_dle_compressed };
    for (guint i = 0; i < G_N_ELEMENTS(samples); i++) {
        g_autoptr(dle_t) dle = parse_one(samples[i]);
        g_autofree char *again = dle_render(dle, FALSE);
        g_assert_cmpstr(again, ==, samples[i]);
    }
    g_autoptr(dle_t) dle = parse_one(sendbackup_dle);
    g_autofree char *again = dle_render(dle, TRUE);
    g_assert_cmpstr(again, ==, sendbackup_dle);
}

static void
test_request_with_options_and_several(void)
{
    g_autofree char *req = g_strconcat("OPTIONS features=ff;maxdumps=1;hostname=h;config=Obs;\n",
                                       sendsize_dle, sendsize_dle_compressed, sendbackup_dle, NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) all = dle_parse_all(req, -1, &error);
    g_assert_no_error(error);
    g_assert_cmpint(all->len, ==, 3);
    g_assert_cmpstr(((dle_t *)g_ptr_array_index(all, 2))->disk, ==, "/srv/obs/data/a");
}

static void
test_odd_names_roundtrip(void)
{
    g_autoptr(dle_t) dle = dle_new();
    dle->disk = g_strdup("/data/My Files/<&>\"\t\xc3\xa9");
    dle->device = g_strdup("/dev/sda1");
    dle->plugin = g_strdup("amgtar");
    dle_add_property(dle->app_properties, "exclude-file", "a & <b>");
    dle->encrypt = g_strdup("CLIENT");
    dle->custom_encrypt = g_strdup("/usr/sbin/amcrypt");
    dle->decrypt_option = g_strdup("-d");
    g_autofree char *xml = dle_render(dle, TRUE);
    g_autoptr(dle_t) back = parse_one(xml);
    g_assert_cmpstr(back->disk, ==, dle->disk);
    g_assert_cmpstr(back->device, ==, "/dev/sda1");
    g_assert_cmpstr(dle_property_value(back->app_properties, "exclude_file"), ==, "a & <b>");
    g_assert_cmpstr(back->custom_encrypt, ==, "/usr/sbin/amcrypt");
    g_assert_cmpstr(back->decrypt_option, ==, "-d");
}

static void
expect_error(const char *text, const char *fragment)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *all = dle_parse_all(text, -1, &error);
    g_assert_null(all);
    g_assert_nonnull(error);
    if (!strstr(error->message, fragment))
        g_error("error \"%s\" does not mention \"%s\"", error->message, fragment);
}

static void
test_bad_input(void)
{
    expect_error("<dle><disk>/a</disk><frobnicate>1</frobnicate></dle>", "frobnicate");
    expect_error("<dle><program>X</program></dle>", "without <disk>");
    expect_error("<dle><disk>/a</disk><level>x</level></dle>", "level");
    expect_error("<dle><disk>/a</disk><record>maybe</record></dle>", "record");
    expect_error("<dle><disk>/a</disk><estimate>GUESS</estimate></dle>", "estimate");
    expect_error("<dle><disk>/a</disk>", "");                      /* truncated */
    expect_error("<dle><disk>/a</dsk></dle>", "");                 /* mismatched */
    expect_error("<dle><dle><disk>/a</disk></dle></dle>", "inside");
}

static void
test_fuzz(void)
{
    GRand *rng = g_rand_new_with_seed(20261125);
    const char *seeds[] = { sendsize_dle, sendsize_dle_compressed, sendbackup_dle };
    for (int i = 0; i < 20000; i++) {
        const char *seed = seeds[i % 3];
        gsize len = strlen(seed);
        g_autofree char *buf = g_strdup(seed);
        int edits = g_rand_int_range(rng, 1, 6);
        for (int e = 0; e < edits; e++)
            buf[g_rand_int_range(rng, 0, (gint32)len)] = (char)g_rand_int_range(rng, 1, 256);
        gsize cut = (i % 4 == 0) ? (gsize)g_rand_int_range(rng, 0, (gint32)len) : len;
        GError *error = NULL;
        GPtrArray *all = dle_parse_all(buf, (gssize)cut, &error);
        g_assert_true((all == NULL) == (error != NULL));
        if (all)
            g_ptr_array_unref(all);
        g_clear_error(&error);
    }
    g_rand_free(rng);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dle/parse-sendsize", test_parse_sendsize);
    g_test_add_func("/dle/parse-levels-exclude", test_parse_levels_and_exclude);
    g_test_add_func("/dle/render-matches-amanda", test_render_matches_amanda);
    g_test_add_func("/dle/request-with-options", test_request_with_options_and_several);
    g_test_add_func("/dle/odd-names-roundtrip", test_odd_names_roundtrip);
    g_test_add_func("/dle/bad-input", test_bad_input);
    g_test_add_func("/dle/fuzz", test_fuzz);
    return g_test_run();
}
