/* Fuzz-style robustness test of the config and disklist parsers: thousands
 * of deterministic mutations (byte flips, token splices, truncations, line
 * swaps) of the fixture files, plus random bytes, must never crash, hang or
 * leak; each result is also printed through conf_value_to_string.  Run it
 * under valgrind or ASan for the memory checks. */
#include "config.h"
#include "conf.h"
#include "disklist.h"

#include <glib.h>
#include <string.h>

#define SEED 20261125
static const char *const dictionary[] = {
    "{", "}", "\"", ",", "#", "\n", "define", "dumptype", "tapetype",
    "holdingdisk", "includefile", "inf", "-1", "99999999999999999999", "1k",
    "append", "priority", "property", "exclude", "list", "optional",
    "compress", "client", "server", "none", "best", "\\", "\"\\", "0x",
    "yes", "match-autolabel", "execute-on", "  ", "\t", "global", "tar-base",
    "1.5e308", "1,2", "autolabel", "any", "estimate", "calcsize", "\0",
};

static GByteArray *
read_fixture(const char *name)
{
    const char *src = g_getenv("AMANDA_TEST_SRCDIR");
    g_autofree char *here = g_path_get_dirname(__FILE__);
    g_autofree char *path = g_build_filename(src ? src : here, "conf", "full",
                                             name, NULL);
    gchar *buf = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(path, &buf, &len, NULL));
    return g_byte_array_new_take((guint8 *)buf, len);
}

static void
bytes_insert(GByteArray *b, guint at, const guint8 *data, guint n)
{
    guint old = b->len;
    g_byte_array_set_size(b, old + n);
    memmove(b->data + at + n, b->data + at, old - at);
    memcpy(b->data + at, data, n);
}

static void
mutate(GRand *rng, GByteArray *b)
{
    int kind = g_rand_int_range(rng, 0, 5);
    guint pos = b->len ? (guint)g_rand_int_range(rng, 0, (gint32)b->len) : 0;
    switch (kind) {
    case 0:                                   /* flip a byte */
        if (b->len)
            b->data[pos] = (guint8)g_rand_int_range(rng, 0, 256);
        break;
    case 1: {                                 /* splice a token */
        const char *tok = dictionary[g_rand_int_range(rng, 0, G_N_ELEMENTS(dictionary))];
        guint n = strlen(tok) ? (guint)strlen(tok) : 1;
        bytes_insert(b, pos, (const guint8 *)tok, n);
        break;
    }
    case 2:                                   /* truncate */
        g_byte_array_set_size(b, pos);
        break;
    case 3:                                   /* delete a run */
        if (b->len) {
            guint want = (guint)g_rand_int_range(rng, 1, 40);
            g_byte_array_remove_range(b, pos, MIN(b->len - pos, want));
        }
        break;
    default: {                                /* duplicate a run elsewhere */
        guint want = (guint)g_rand_int_range(rng, 1, 200);
        guint n = MIN(b->len - pos, want);
        g_autofree guint8 *copy = g_memdup2(b->data + pos, n);
        guint at = b->len ? (guint)g_rand_int_range(rng, 0, (gint32)b->len) : 0;
        bytes_insert(b, at, copy, n);
        break;
    }
    }
}

static void
print_everything(conf_t *conf)
{
    for (int k = 0; k < CONF_KIND_COUNT; k++) {
        const GPtrArray *secs = conf_sections(conf, k);
        for (guint s = 0; s < secs->len; s++)
            for (int i = 0; i < conf_param_count(k); i++) {
                g_autofree char *t = conf_value_to_string(
                    conf_section_get(g_ptr_array_index(secs, s), i));
            }
    }
    for (int i = 0; i < CNF_CNF; i++) {
        g_autofree char *t = conf_value_to_string(conf_get(conf, i));
    }
}

static void
parse_both(const GByteArray *confbuf, const GByteArray *dlbuf, unsigned flags)
{
    g_autoptr(conf_t) conf = conf_new(CONF_FLAG_NO_INCLUDE | flags);
    conf_parse_buffer(conf, (const char *)confbuf->data, confbuf->len,
                      "/nonexistent/fuzz/amanda.conf");
    print_everything(conf);
    g_autoptr(disklist_t) dl = disklist_new(conf);
    disklist_parse_buffer(dl, (const char *)dlbuf->data, dlbuf->len,
                          "/nonexistent/fuzz/disklist");
    const GPtrArray *e = disklist_entries(dl);
    for (guint i = 0; i < e->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(e, i);
        g_assert_nonnull(d->dumptype);
        g_autofree char *t = conf_value_to_string(
            conf_section_get(d->dumptype, DUMPTYPE_EXCLUDE));
    }
}

static void
test_mutations(void)
{
    g_autoptr(GByteArray) conf = read_fixture("amanda.conf");
    g_autoptr(GByteArray) tapes = read_fixture("tapetypes.conf");
    g_autoptr(GByteArray) dl = read_fixture("disklist");
    g_autoptr(GByteArray) client = read_fixture("amanda-client.conf");
    g_byte_array_append(conf, tapes->data, tapes->len);   /* one whole file */
    GRand *rng = g_rand_new_with_seed(SEED);
    for (int iter = 0; iter < 3000; iter++) {
        g_autoptr(GByteArray) c = g_byte_array_sized_new(conf->len);
        g_autoptr(GByteArray) d = g_byte_array_sized_new(dl->len);
        const GByteArray *base = iter % 4 == 3 ? client : conf;
        g_byte_array_append(c, base->data, base->len);
        g_byte_array_append(d, dl->data, dl->len);
        int n = g_rand_int_range(rng, 1, 12);
        for (int m = 0; m < n; m++) {
            mutate(rng, c);
            mutate(rng, d);
        }
        parse_both(c, d, iter % 4 == 3 ? CONF_FLAG_CLIENT : 0);
    }
    g_rand_free(rng);
}

static void
test_random_bytes(void)
{
    GRand *rng = g_rand_new_with_seed(SEED + 1);
    for (int iter = 0; iter < 2000; iter++) {
        guint len = (guint)g_rand_int_range(rng, 0, 600);
        g_autoptr(GByteArray) b = g_byte_array_sized_new(len);
        for (guint i = 0; i < len; i++) {
            /* bias towards the characters the lexer cares about */
            static const char special[] = "{}\",#\n \\0123456789kmg";
            guint8 byte = g_rand_boolean(rng)
                ? (guint8)special[g_rand_int_range(rng, 0, sizeof special - 1)]
                : (guint8)g_rand_int_range(rng, 0, 256);
            g_byte_array_append(b, &byte, 1);
        }
        parse_both(b, b, 0);
    }
    g_rand_free(rng);
}

static void
test_truncations(void)
{
    g_autoptr(GByteArray) conf = read_fixture("amanda.conf");
    g_autoptr(GByteArray) dl = read_fixture("disklist");
    for (guint cut = 0; cut <= conf->len; cut += 7) {
        g_autoptr(GByteArray) c = g_byte_array_new();
        g_autoptr(GByteArray) d = g_byte_array_new();
        g_byte_array_append(c, conf->data, cut);
        g_byte_array_append(d, dl->data, MIN(cut, dl->len));
        parse_both(c, d, 0);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/conf-fuzz/mutations", test_mutations);
    g_test_add_func("/conf-fuzz/random-bytes", test_random_bytes);
    g_test_add_func("/conf-fuzz/truncations", test_truncations);
    return g_test_run();
}
