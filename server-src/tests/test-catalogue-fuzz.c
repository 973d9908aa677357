/* Fuzz tests for the catalogue parsers: thousands of inputs made from the
 * real AMANDA files (bytes flipped, cut short, lines spliced, catalogue
 * punctuation sprinkled) and plain random bytes go through the log,
 * stats, curinfo, tapelist, index-name and find code.  Nothing may crash
 * or leak, and what parses must format to text that parses back to the
 * same text.  Fixed seed (CATALOGUE_FUZZ_SEED changes it);
 * CATALOGUE_FUZZ_ITERATIONS scales the run. */
#include "config.h"
#include "curinfo.h"
#include "find.h"
#include "holding.h"
#include "indexfile.h"
#include "logfile.h"
#include "tapelist.h"
#include "catalogue-test-util.h"

#include <stdlib.h>
#include <string.h>

static GRand *rng;

static guint
iterations(void)
{
    const char *s = g_getenv("CATALOGUE_FUZZ_ITERATIONS");
    guint n = s ? (guint)strtoul(s, NULL, 10) : 0;
    return n ? n : 3000;
}

static void
insert_byte(GByteArray *b, guint at, guint8 c)
{
    g_byte_array_set_size(b, b->len + 1);
    memmove(b->data + at + 1, b->data + at, b->len - 1 - at);
    b->data[at] = c;
}

/* One mutation of SEED: several edits of one kind picked at random. */
static GByteArray *
mutate(const char *seed, gsize len)
{
    static const char specials[] = " \t\n\"\\[]:/#_-0123456789.\0\r\f";
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, (const guint8 *)seed, (guint)len);
    guint kind = g_rand_int_range(rng, 0, 6);
    guint edits = g_rand_int_range(rng, 1, 9);
    for (guint e = 0; e < edits && b->len > 0; e++) {
        guint at = g_rand_int_range(rng, 0, (gint32)b->len);
        switch (kind) {
        case 0: /* flip a byte */
            b->data[at] ^= (guint8)g_rand_int_range(rng, 1, 256);
            break;
        case 1: /* cut short */
            g_byte_array_set_size(b, at);
            break;
        case 2: { /* insert catalogue punctuation */
            guint8 c = (guint8)specials[g_rand_int_range(rng, 0, sizeof(specials) - 1)];
            insert_byte(b, at, c);
            break;
        }
        case 3: { /* duplicate a stretch elsewhere */
            guint want = (guint)g_rand_int_range(rng, 1, 80); /* MIN evaluates twice */
            guint n = MIN(want, b->len - at);
            g_autofree guint8 *copy = g_memdup2(b->data + at, n);
            guint to = g_rand_int_range(rng, 0, (gint32)b->len);
            for (guint i = 0; i < n; i++)
                insert_byte(b, to + i, copy[i]);
            break;
        }
        case 4: { /* delete a stretch */
            guint want = (guint)g_rand_int_range(rng, 1, 40);
            g_byte_array_remove_range(b, at, MIN(want, b->len - at));
            break;
        }
        default: /* replace a digit run by a huge or negative number */
            if (g_ascii_isdigit(b->data[at])) {
                const char *big = g_rand_boolean(rng) ? "99999999999999999999999" : "-1";
                for (const char *p = big; *p; p++)
                    insert_byte(b, at, *p);
            }
            break;
        }
    }
    return b;
}

static GByteArray *
random_bytes(void)
{
    GByteArray *b = g_byte_array_new();
    guint n = g_rand_int_range(rng, 0, 400);
    for (guint i = 0; i < n; i++) {
        guint8 c = g_rand_boolean(rng) ? (guint8)g_rand_int_range(rng, 32, 127)
                                       : (guint8)g_rand_int_range(rng, 0, 256);
        g_byte_array_append(b, &c, 1);
    }
    return b;
}

static GByteArray *
next_input(const char *const *seeds)
{
    if (g_rand_int_range(rng, 0, 10) == 0)
        return random_bytes();
    guint n = g_strv_length((char **)seeds);
    gsize len;
    g_autofree char *seed = ct_data(seeds[g_rand_int_range(rng, 0, (gint32)n)], &len);
    return mutate(seed, len);
}

static const char *const log_seeds[] = { "obs-log.20261125104704.0",
                                         "synthetic-log.20261125110000.0", NULL };
static const char *const curinfo_seeds[] = { "obs-curinfo-a.info", "obs-curinfo-b.info",
                                             "amadmin-curinfo-b.info",
                                             "amadmin-curinfo-e1.info", NULL };
static const char *const tapelist_seeds[] = { "obs-tapelist", "synthetic-tapelist", NULL };

/* A parsed entry formatted again parses to the same fields. */
static void
check_entry_round_trip(const logfile_entry_t *e)
{
    if (e->type == LOGFILE_L_BOGUS || e->program == LOGFILE_P_UNKNOWN)
        return;
    g_autofree char *line = logfile_format_line(e->type, e->program, e->rest);
    logfile_entry_t again;
    g_assert_true(logfile_parse_line(line, strlen(line), &again, NULL));
    g_assert_cmpstr(again.rest, ==, e->rest);
    g_assert_cmpint(again.has_dump, ==, e->has_dump);
    g_assert_cmpstr(again.disk, ==, e->disk);
    g_assert_cmpint(again.level, ==, e->level);
    logfile_entry_clear(&again);
}

static void
test_log(void)
{
    g_autofree char *tltext = ct_data("synthetic-tapelist", NULL);
    g_autoptr(tapelist_t) tl = tapelist_parse(tltext, strlen(tltext), NULL);
    for (guint i = 0; i < iterations(); i++) {
        g_autoptr(GByteArray) in = next_input(log_seeds);
        g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) entries =
            logfile_parse_buffer_warn((const char *)in->data, in->len, "fuzz", warnings);
        for (guint k = 0; k < entries->len; k++)
            check_entry_round_trip(g_ptr_array_index(entries, k));
        for (guint k = 0; k < warnings->len; k++)
            g_assert_true(g_str_has_prefix(g_ptr_array_index(warnings, k), "fuzz:"));
        g_autoptr(GPtrArray) res = g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
        find_scan_log_full(entries, "20261125110000", tl, g_rand_boolean(rng), res);
        g_assert_true(find_sort(res, "hkdlpbfwso", NULL));
        g_autofree char *table = find_format(res);
        g_assert_nonnull(table);
    }
}

static void
test_single_lines(void)
{
    for (guint i = 0; i < iterations(); i++) {
        g_autoptr(GByteArray) in = next_input(log_seeds);
        /* one line out of the mutated buffer */
        /* an empty GByteArray has data NULL, and memchr(NULL) lets the
         * compiler assume non-NULL afterwards */
        const char *p = in->len ? (const char *)in->data : "";
        gsize n = in->len;
        const char *nl = memchr(p, '\n', n);
        if (nl && g_rand_boolean(rng)) {
            n -= (gsize)(nl + 1 - p);
            p = nl + 1;
        }
        logfile_entry_t e;
        if (logfile_parse_line(p, n, &e, NULL))
            check_entry_round_trip(&e);
        logfile_entry_clear(&e);
        logfile_stats_t st;
        g_autofree char *text = g_strndup(p, MIN(n, 120));
        logfile_parse_stats(text, &st);
        logfile_name_split(text, NULL, NULL);
        indexfile_name_split(text, NULL, NULL, NULL);
    }
}

static void
test_curinfo(void)
{
    g_autoptr(curinfo_t) info = curinfo_new();
    g_autoptr(curinfo_t) again = curinfo_new();
    guint parsed = 0;
    for (guint i = 0; i < iterations(); i++) {
        g_autoptr(GByteArray) in = next_input(curinfo_seeds);
        GError *err = NULL;
        if (!curinfo_parse_named((const char *)in->data, in->len, "fuzz", info, &err)) {
            g_assert_error(err, CURINFO_ERROR, CURINFO_ERROR_SYNTAX);
            g_assert_true(g_str_has_prefix(err->message, "fuzz:"));
            g_error_free(err);
            continue;
        }
        parsed++;
        g_autofree char *text = curinfo_format(info);
        g_assert_true(curinfo_parse(text, strlen(text), again, NULL));
        g_autofree char *text2 = curinfo_format(again);
        g_assert_cmpstr(text2, ==, text);
        g_autofree char *amadmin = curinfo_format_amadmin(info);
        g_assert_true(curinfo_parse(amadmin, strlen(amadmin), again, NULL));
        g_autofree char *text3 = curinfo_format(again);
        g_assert_cmpstr(text3, ==, text);
        curinfo_dump_t d = { g_rand_int_range(rng, -1, 5), 100, 10, 3, 1795603624, TRUE };
        curinfo_record_dump(info, &d);
    }
    g_assert_cmpuint(parsed, >, 0);
}

static void
test_tapelist(void)
{
    guint parsed = 0;
    for (guint i = 0; i < iterations(); i++) {
        g_autoptr(GByteArray) in = next_input(tapelist_seeds);
        GError *err = NULL;
        g_autoptr(tapelist_t) tl =
            tapelist_parse_named((const char *)in->data, in->len, "fuzz", &err);
        if (!tl) {
            g_assert_error(err, TAPELIST_ERROR, TAPELIST_ERROR_SYNTAX);
            g_assert_true(g_str_has_prefix(err->message, "fuzz:"));
            g_error_free(err);
            continue;
        }
        parsed++;
        g_autofree char *text = tapelist_format(tl);
        g_autoptr(tapelist_t) again = tapelist_parse(text, strlen(text), &err);
        g_assert_no_error(err);
        g_autofree char *text2 = tapelist_format(again);
        g_assert_cmpstr(text2, ==, text);
        tapelist_oldest_reusable(tl, g_rand_int_range(rng, 0, 4), "^Obs", NULL);
    }
    g_assert_cmpuint(parsed, >, 0);
}

/* Holding chunks whose header block is damaged: refused with an error
 * or read, never a crash. */
static void
test_holding_headers(void)
{
    g_autofree char *dir = ct_tmpdir();
    gsize len;
    g_autofree char *text = ct_data("obs-index-a.header", &len);
    g_autofree char *path = g_build_filename(dir, "run", "h._a.0", NULL);
    const char *dirs[] = { dir, NULL };
    guint rounds = MAX(iterations() / 20, 20);
    for (guint i = 0; i < rounds; i++) {
        g_autoptr(GByteArray) hdr = mutate(text, len);
        g_byte_array_set_size(hdr, DISK_BLOCK_BYTES);
        if (hdr->len > len)
            memset(hdr->data + len, 0, DISK_BLOCK_BYTES - MIN(len, DISK_BLOCK_BYTES));
        guint extra = g_rand_int_range(rng, 0, 3000);
        for (guint k = 0; k < extra; k++) {
            guint8 c = (guint8)k;
            g_byte_array_append(hdr, &c, 1);
        }
        if (g_rand_int_range(rng, 0, 4) == 0)
            g_byte_array_set_size(hdr, g_rand_int_range(rng, 0, (gint32)hdr->len + 1));
        ct_write(path, (const char *)hdr->data, hdr->len);
        GError *err = NULL;
        holding_reader_t *r = holding_reader_open(path, NULL, &err);
        if (r) {
            char buf[4096];
            while (holding_reader_read(r, buf, sizeof(buf), &err) > 0)
                ;
            g_clear_error(&err);
            holding_reader_close(r);
        } else {
            g_assert_nonnull(err);
            g_error_free(err);
        }
        g_autoptr(GPtrArray) files = holding_list(dirs, NULL);
        g_assert_cmpuint(files->len, <=, 1);
    }
    ct_rm_rf(dir);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    const char *seed = g_getenv("CATALOGUE_FUZZ_SEED");
    guint32 s = seed ? (guint32)strtoul(seed, NULL, 10) : 20261125;
    g_test_message("seed %u (CATALOGUE_FUZZ_SEED), %u iterations (CATALOGUE_FUZZ_ITERATIONS)",
                   s, iterations());
    rng = g_rand_new_with_seed(s);
    g_test_add_func("/catalogue-fuzz/log", test_log);
    g_test_add_func("/catalogue-fuzz/single-lines", test_single_lines);
    g_test_add_func("/catalogue-fuzz/curinfo", test_curinfo);
    g_test_add_func("/catalogue-fuzz/tapelist", test_tapelist);
    g_test_add_func("/catalogue-fuzz/holding-headers", test_holding_headers);
    int rc = g_test_run();
    g_rand_free(rng);
    return rc;
}
