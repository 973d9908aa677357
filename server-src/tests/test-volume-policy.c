/* Tests of volume-policy: label acceptance (labelstr, match-autolabel),
 * reuse by tapecycle, no-reuse, active dumps, the next autolabel label and
 * the order the taper tries volumes in. */
#include <string.h>

#include "volume-policy.h"

static tapelist_t *
tl_from(const char *text)
{
    GError *err = NULL;
    tapelist_t *tl = tapelist_parse(text, strlen(text), &err);
    g_assert_no_error(err);
    return tl;
}

/* Four volumes written, newest first, one labelled but never written. */
static const char TAPELIST[] =
    "0 D-05 reuse\n"
    "20261104000000 D-04 reuse\n"
    "20261103000000 D-03 reuse\n"
    "20261102000000 D-02 no-reuse\n"
    "20261101000000 D-01 reuse\n";

static void
test_labelstr(void)
{
    GError *err = NULL;
    g_autoptr(volume_policy_t) p =
        volume_policy_new("^D-[0-9][0-9]$", FALSE, NULL, 0, 3, "Daily", "org", &err);
    g_assert_no_error(err);
    g_assert_true(volume_policy_label_ok(p, "D-07", NULL));
    g_assert_false(volume_policy_label_ok(p, "X-07", &err));
    g_assert_error(err, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_LABEL);
    g_assert_nonnull(strstr(err->message, "doesn't match labelstr '^D-[0-9][0-9]$'"));
    g_clear_error(&err);
    g_assert_false(volume_policy_label_ok(p, "D 07", &err));
    g_clear_error(&err);
    g_assert_false(volume_policy_label_ok(p, "", &err));
    g_clear_error(&err);

    /* unanchored, as AMANDA matches */
    g_autoptr(volume_policy_t) q = volume_policy_new("Set", FALSE, NULL, 0, 3, "c", NULL, &err);
    g_assert_true(volume_policy_label_ok(q, "DailySet1-01", NULL));

    g_assert_null(volume_policy_new("([", FALSE, NULL, 0, 3, "c", NULL, &err));
    g_assert_error(err, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_REGEX);
    g_clear_error(&err);
}

static void
test_match_autolabel(void)
{
    GError *err = NULL;
    g_autoptr(volume_policy_t) p = volume_policy_new(NULL, TRUE, "$c-%%%", AL_EMPTY, 3,
                                                     "Daily.1", "org", &err);
    g_assert_no_error(err);
    g_assert_true(volume_policy_label_ok(p, "Daily.1-001", NULL));
    g_assert_false(volume_policy_label_ok(p, "DailyX1-001", NULL)); /* '.' is literal */
    g_assert_false(volume_policy_label_ok(p, "Daily.1-01", NULL));
    g_assert_false(volume_policy_label_ok(p, "Daily.1-0011", NULL));
    g_assert_cmpstr(volume_policy_labelstr(p), ==, "^Daily\\.1-([0-9]{3})$");

    g_autoptr(volume_policy_t) b = volume_policy_new(NULL, TRUE, "$b-$o", AL_EMPTY, 3,
                                                     "c", "Org", &err);
    g_assert_true(volume_policy_label_ok(b, "ABC123-Org", NULL));
    g_assert_false(volume_policy_label_ok(b, "ABC123-Other", NULL));
    /* match-autolabel without a template accepts anything */
    g_autoptr(volume_policy_t) any = volume_policy_new(NULL, TRUE, NULL, 0, 3, "c", NULL, &err);
    g_assert_true(volume_policy_label_ok(any, "whatever", NULL));
}

static void
test_reuse(void)
{
    g_autoptr(tapelist_t) tl = tl_from(TAPELIST);
    g_autoptr(volume_policy_t) p = volume_policy_new("^D-", FALSE, NULL, 0, 3, "c", NULL, NULL);
    char *why = NULL;
    /* D-01: newer written reuse volumes are D-04, D-03 (D-02 no-reuse) = 2 >= 3-1 */
    g_assert_cmpint(volume_policy_check_volume(p, tl, "D-01", NULL, &why), ==, VOLUME_REUSABLE);
    g_free(why);
    g_assert_cmpint(volume_policy_check_volume(p, tl, "D-03", NULL, &why), ==,
                    VOLUME_TOO_RECENT);
    g_assert_cmpstr(why, ==, "volume 'D-03' is among the 2 most recently written volumes "
                    "(tapecycle 3)");
    g_free(why);
    g_assert_cmpint(volume_policy_check_volume(p, tl, "D-02", NULL, &why), ==, VOLUME_NO_REUSE);
    g_free(why);
    g_assert_cmpint(volume_policy_check_volume(p, tl, "D-05", NULL, NULL), ==, VOLUME_NEW);
    g_assert_cmpint(volume_policy_check_volume(p, tl, "D-99", NULL, &why), ==,
                    VOLUME_NOT_LISTED);
    g_assert_cmpstr(why, ==, "volume 'D-99' is not in the tapelist");
    g_free(why);

    /* tapecycle 4: D-01 has only 2 newer reusable volumes */
    g_autoptr(volume_policy_t) p4 = volume_policy_new("^D-", FALSE, NULL, 0, 4, "c", NULL, NULL);
    g_assert_cmpint(volume_policy_check_volume(p4, tl, "D-01", NULL, NULL), ==,
                    VOLUME_TOO_RECENT);

    /* active dumps protect */
    g_autoptr(GHashTable) active = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_add(active, "D-01");
    g_assert_cmpint(volume_policy_check_volume(p, tl, "D-01", active, &why), ==, VOLUME_ACTIVE);
    g_assert_cmpstr(why, ==, "volume 'D-01' holds the only copy of an active dump");
    g_free(why);

    /* a label outside labelstr never counts as ours */
    g_autoptr(volume_policy_t) px = volume_policy_new("^X-", FALSE, NULL, 0, 1, "c", NULL, NULL);
    g_assert_cmpint(volume_policy_check_volume(px, tl, "D-01", NULL, NULL), ==,
                    VOLUME_LABEL_MISMATCH);
}

static find_result_t *
fr(const char *ts, const char *host, const char *disk, int level, const char *storage,
   const char *label, int part, int nparts, const char *status)
{
    find_result_t *r = g_new0(find_result_t, 1);
    r->timestamp = g_strdup(ts);
    r->write_timestamp = g_strdup(ts);
    r->hostname = g_strdup(host);
    r->diskname = g_strdup(disk);
    r->level = level;
    r->storage = g_strdup(storage);
    r->pool = g_strdup(storage);
    r->label = g_strdup(label);
    r->partnum = part;
    r->totalparts = nparts;
    r->status = g_strdup("OK");
    r->dump_status = g_strdup(status);
    r->message = g_strdup("");
    return r;
}

static void
test_active_labels(void)
{
    g_autoptr(GPtrArray) res = g_ptr_array_new_with_free_func((GDestroyNotify)find_result_free);
    /* h:/a: old full on D-01, newer full split over D-02 and D-03, incr on D-04 */
    g_ptr_array_add(res, fr("20261101", "h", "/a", 0, "S", "D-01", 1, 1, "OK"));
    g_ptr_array_add(res, fr("20261102", "h", "/a", 0, "S", "D-02", 1, 2, "OK"));
    g_ptr_array_add(res, fr("20261102", "h", "/a", 0, "S", "D-03", 2, 2, "OK"));
    g_ptr_array_add(res, fr("20261103", "h", "/a", 1, "S", "D-04", 1, 1, "OK"));
    /* h:/b: its only full on D-01 but copied (vault) to V-01 */
    g_ptr_array_add(res, fr("20261101", "h", "/b", 0, "S", "D-01", 1, 1, "OK"));
    g_ptr_array_add(res, fr("20261101", "h", "/b", 0, "V", "V-01", 1, 1, "OK"));
    /* h:/c: a failed full on D-05 does not make it active */
    g_ptr_array_add(res, fr("20261104", "h", "/c", 0, "S", "D-05", 1, 1, "FAIL"));
    g_autoptr(GHashTable) active = volume_policy_active_labels(res);
    g_assert_false(g_hash_table_contains(active, "D-01"));
    g_assert_true(g_hash_table_contains(active, "D-02"));
    g_assert_true(g_hash_table_contains(active, "D-03"));
    g_assert_true(g_hash_table_contains(active, "D-04"));
    g_assert_false(g_hash_table_contains(active, "V-01"));
    g_assert_false(g_hash_table_contains(active, "D-05"));
    g_assert_cmpuint(g_hash_table_size(active), ==, 3);

    /* without the vault copy, D-01 holds h:/b's only full */
    g_ptr_array_remove_index(res, 5);
    g_autoptr(GHashTable) active2 = volume_policy_active_labels(res);
    g_assert_true(g_hash_table_contains(active2, "D-01"));
}

static void
test_next_label(void)
{
    GError *err = NULL;
    g_autoptr(tapelist_t) tl = tl_from("20261103000000 Daily-003 reuse\n"
                                       "20261101000000 Daily-001 reuse\n"
                                       "20261101000000 Other-009 reuse\n");
    g_autoptr(volume_policy_t) p = volume_policy_new(NULL, TRUE, "$c-%%%", AL_EMPTY, 3,
                                                     "Daily", NULL, &err);
    g_autofree char *l = volume_policy_next_label(p, tl, NULL, NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(l, ==, "Daily-004");

    g_autoptr(tapelist_t) empty = tapelist_new();
    g_autofree char *first = volume_policy_next_label(p, empty, NULL, NULL, &err);
    g_assert_cmpstr(first, ==, "Daily-001");

    /* width exhausted at the top: the lowest free number */
    g_autoptr(volume_policy_t) one = volume_policy_new(NULL, TRUE, "T%", AL_EMPTY, 1, "c",
                                                       NULL, &err);
    g_autoptr(tapelist_t) t9 = tl_from("1 T9 reuse\n1 T1 reuse\n");
    g_autofree char *t = volume_policy_next_label(one, t9, NULL, NULL, &err);
    g_assert_cmpstr(t, ==, "T2");
    g_autoptr(tapelist_t) full = tl_from("1 T1 reuse\n1 T2 reuse\n1 T3 reuse\n1 T4 reuse\n"
                                         "1 T5 reuse\n1 T6 reuse\n1 T7 reuse\n1 T8 reuse\n"
                                         "1 T9 reuse\n");
    g_assert_null(volume_policy_next_label(one, full, NULL, NULL, &err));
    g_assert_error(err, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_EXHAUSTED);
    g_clear_error(&err);

    /* barcode and a literal dollar */
    g_autoptr(volume_policy_t) bc = volume_policy_new(NULL, FALSE, "$b$$%%", AL_EMPTY, 1,
                                                      "c", NULL, &err);
    g_autofree char *b = volume_policy_next_label(bc, empty, "BC7", NULL, &err);
    g_assert_cmpstr(b, ==, "BC7$01");

    /* no template */
    g_autoptr(volume_policy_t) none = volume_policy_new("x", FALSE, NULL, 0, 1, "c", NULL, &err);
    g_assert_null(volume_policy_next_label(none, empty, NULL, NULL, &err));
    g_assert_error(err, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_TEMPLATE);
    g_clear_error(&err);

    /* generated label outside labelstr */
    g_autoptr(volume_policy_t) bad = volume_policy_new("^Z", FALSE, "A-%%", AL_EMPTY, 1, "c",
                                                       NULL, &err);
    g_assert_null(volume_policy_next_label(bad, empty, NULL, NULL, &err));
    g_assert_error(err, VOLUME_POLICY_ERROR, VOLUME_POLICY_ERROR_LABEL);
    g_clear_error(&err);
}

static void
test_rank(void)
{
    g_autoptr(tapelist_t) tl = tl_from(TAPELIST);
    g_autoptr(volume_policy_t) p = volume_policy_new("^D-", FALSE, "D-%%", AL_EMPTY, 3, "c",
                                                     NULL, NULL);
    volume_candidate_t c[] = {
        { 1, VOLUME_SLOT_LABELED, "D-04" }, { 2, VOLUME_SLOT_LABELED, "D-01" },
        { 3, VOLUME_SLOT_EMPTY, NULL },     { 4, VOLUME_SLOT_LABELED, "D-05" },
        { 5, VOLUME_SLOT_NON_AMANDA, NULL }, { 6, VOLUME_SLOT_LABELED, "Foreign-1" },
        { 7, VOLUME_SLOT_MISSING, NULL },   { 8, VOLUME_SLOT_LABELED, "D-02" },
    };
    g_autoptr(GPtrArray) r = volume_policy_rank(p, tl, c, G_N_ELEMENTS(c), NULL);
    g_assert_cmpuint(r->len, ==, 8);
    int want_slot[] = { 4, 2, 3, 1, 5, 6, 7, 8 };
    volume_action_t want_act[] = { VOLUME_USE_AS_IS, VOLUME_USE_AS_IS, VOLUME_USE_RELABEL,
                                   VOLUME_SKIP, VOLUME_SKIP, VOLUME_SKIP, VOLUME_SKIP,
                                   VOLUME_SKIP };
    for (guint i = 0; i < r->len; i++) {
        volume_choice_t *ch = g_ptr_array_index(r, i);
        g_assert_cmpint(ch->slot, ==, want_slot[i]);
        g_assert_cmpint(ch->action, ==, want_act[i]);
        g_assert_nonnull(ch->reason);
    }
    volume_choice_t *nonam = g_ptr_array_index(r, 4);
    g_assert_cmpstr(nonam->reason, ==,
                    "slot 5 holds a non-AMANDA volume and autolabel does not allow "
                    "'non-amanda'");

    /* "any": foreign and non-AMANDA volumes may be relabelled, after empty ones */
    g_autoptr(volume_policy_t) any = volume_policy_new("^D-", FALSE, "D-%%",
                                                       AL_EMPTY | AL_NON_AMANDA |
                                                       AL_OTHER_CONFIG | AL_VOLUME_ERROR,
                                                       3, "c", NULL, NULL);
    g_autoptr(GPtrArray) r2 = volume_policy_rank(any, tl, c, G_N_ELEMENTS(c), NULL);
    int want2[] = { 4, 2, 3, 5, 6, 1, 7, 8 };
    for (guint i = 0; i < r2->len; i++)
        g_assert_cmpint(((volume_choice_t *)g_ptr_array_index(r2, i))->slot, ==, want2[i]);
}

static void
test_next_volumes(void)
{
    g_autoptr(tapelist_t) tl = tl_from(TAPELIST);
    g_autoptr(volume_policy_t) p = volume_policy_new("^D-", FALSE, NULL, 0, 2, "c", NULL, NULL);
    /* tapecycle 2: D-05 (new), then D-01, D-03 (D-04 is the newest) */
    g_autoptr(GPtrArray) v = volume_policy_next_volumes(p, tl, NULL, 5);
    g_assert_cmpuint(v->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(v, 0), ==, "D-05");
    g_assert_cmpstr(g_ptr_array_index(v, 1), ==, "D-01");
    g_assert_cmpstr(g_ptr_array_index(v, 2), ==, "D-03");
    g_autoptr(GPtrArray) one = volume_policy_next_volumes(p, tl, NULL, 1);
    g_assert_cmpuint(one->len, ==, 1);
}

static void
test_from_conf(void)
{
    static const char CONF[] = "org \"MyOrg\"\n"
                               "tapecycle 4\n"
                               "labelstr match-autolabel\n"
                               "autolabel \"$c-%%%\" empty volume-error\n";
    g_autoptr(conf_t) conf = conf_new(0);
    g_assert_true(conf_parse_buffer(conf, CONF, strlen(CONF), "amanda.conf"));
    GError *err = NULL;
    g_autoptr(volume_policy_t) p = volume_policy_from_conf(conf, &err);
    g_assert_no_error(err);
    g_assert_cmpint(volume_policy_tapecycle(p), ==, 4);
    g_assert_true(volume_policy_has_autolabel(p));
    g_assert_cmpuint(volume_policy_autolabel_when(p), ==, AL_EMPTY | AL_VOLUME_ERROR);
    g_autoptr(tapelist_t) empty = tapelist_new();
    g_autofree char *l = volume_policy_next_label(p, empty, NULL, NULL, &err);
    g_assert_no_error(err);
    /* a config from a buffer has no name: $c is empty */
    g_assert_cmpstr(l, ==, "-001");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/volume-policy/labelstr", test_labelstr);
    g_test_add_func("/volume-policy/match-autolabel", test_match_autolabel);
    g_test_add_func("/volume-policy/reuse", test_reuse);
    g_test_add_func("/volume-policy/active-labels", test_active_labels);
    g_test_add_func("/volume-policy/next-label", test_next_label);
    g_test_add_func("/volume-policy/rank", test_rank);
    g_test_add_func("/volume-policy/next-volumes", test_next_volumes);
    g_test_add_func("/volume-policy/from-conf", test_from_conf);
    return g_test_run();
}
