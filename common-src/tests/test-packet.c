/* Unit tests for the packet codec: good packets round-trip, each kind of
 * bad input is refused with its own reason, and thousands of random,
 * truncated and oversized inputs never crash the parser. */
#include "config.h"
#include "packet.h"

#include <string.h>

static pkt_t
parse_ok(const char *text)
{
    pkt_t pkt;
    g_autoptr(GError) err = NULL;
    g_assert_true(pkt_parse(text, strlen(text), PKT_MAX_TCP, &pkt, &err));
    g_assert_no_error(err);
    return pkt;
}

static void
assert_refused(const char *text, size_t len, size_t limit, pkt_error_t code)
{
    pkt_t pkt;
    g_autoptr(GError) err = NULL;
    g_assert_false(pkt_parse(text, len, limit, &pkt, &err));
    g_assert_error(err, PKT_ERROR, (gint)code);
}

static void
test_roundtrip(void)
{
    pkt_t out, in;
    pkt_init(&out, P_REQ, "SERVICE noop\nOPTIONS features=%s;\n", "ffff");
    GString *wire = pkt_format(&out, "000-0000a0b8", 1732500000u);
    g_assert_cmpstr(wire->str, ==, "Amanda 3.5 REQ HANDLE 000-0000a0b8 SEQ 1732500000\n"
                                   "SERVICE noop\nOPTIONS features=ffff;\n");
    in = parse_ok(wire->str);
    g_assert_cmpint(in.type, ==, P_REQ);
    g_assert_cmpstr(in.handle, ==, "000-0000a0b8");
    g_assert_cmpuint(in.seq, ==, 1732500000u);
    g_assert_cmpint(in.major, ==, 3);
    g_assert_cmpint(in.minor, ==, 5);
    g_assert_cmpstr(in.body->str, ==, out.body->str);
    g_string_free(wire, TRUE);
    pkt_clear(&in);
    pkt_clear(&out);
}

static void
test_all_types_and_old_version(void)
{
    const char *names[] = { "REQ", "REP", "PREP", "ACK", "NAK" };
    for (unsigned i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *text = g_strdup_printf("Amanda 2.6 %s HANDLE h SEQ 7\n", names[i]);
        pkt_t pkt = parse_ok(text);
        g_assert_cmpint(pkt.type, ==, (int)i);
        g_assert_cmpint(pkt.major, ==, 2);
        g_assert_cmpstr(pkt_type2str(pkt.type), ==, names[i]);
        g_assert_cmpuint(pkt.body->len, ==, 0);
        pkt_clear(&pkt);
    }
    /* an empty-bodied packet may come without the newline */
    pkt_t ack = parse_ok("Amanda 3.5 ACK HANDLE 000-1 SEQ 1");
    g_assert_cmpint(ack.type, ==, P_ACK);
    pkt_clear(&ack);
}

static void
test_bad_headers(void)
{
    static const struct { const char *text; pkt_error_t code; } cases[] = {
        { "", PKT_ERROR_HEADER },
        { "\nbody", PKT_ERROR_HEADER },
        { "Amandx 3.5 REQ HANDLE h SEQ 1\n", PKT_ERROR_HEADER },
        { "Amanda REQ HANDLE h SEQ 1\n", PKT_ERROR_VERSION },
        { "Amanda 3 REQ HANDLE h SEQ 1\n", PKT_ERROR_VERSION },
        { "Amanda 3.x REQ HANDLE h SEQ 1\n", PKT_ERROR_VERSION },
        { "Amanda 3.5\n", PKT_ERROR_TYPE },
        { "Amanda 3.5 FOO HANDLE h SEQ 1\n", PKT_ERROR_TYPE },
        { "Amanda 3.5 REQUESTING HANDLE h SEQ 1\n", PKT_ERROR_TYPE },
        { "Amanda 3.5 REQ HANDEL h SEQ 1\n", PKT_ERROR_HEADER },
        { "Amanda 3.5 REQ HANDLE\n", PKT_ERROR_HANDLE },
        { "Amanda 3.5 REQ HANDLE h SEQ\n", PKT_ERROR_SEQ },
        { "Amanda 3.5 REQ HANDLE h SEQ 12a\n", PKT_ERROR_SEQ },
        { "Amanda 3.5 REQ HANDLE h SEQ -1\n", PKT_ERROR_SEQ },
        { "Amanda 3.5 REQ HANDLE h SEQ 4294967296\n", PKT_ERROR_SEQ },
        { "Amanda 3.5 REQ HANDLE h SEQ 1 extra\n", PKT_ERROR_HEADER },
        { "Amanda 3.5 REQ HANDLE h NOSEQ 1\n", PKT_ERROR_HEADER },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++)
        assert_refused(cases[i].text, strlen(cases[i].text), PKT_MAX_TCP, cases[i].code);

    g_autofree char *longhandle = g_strnfill(PKT_HANDLE_MAX + 1, 'h');
    g_autofree char *text = g_strdup_printf("Amanda 3.5 REQ HANDLE %s SEQ 1\n", longhandle);
    assert_refused(text, strlen(text), PKT_MAX_TCP, PKT_ERROR_HANDLE);
}

static void
test_nul_and_size(void)
{
    const char with_nul[] = "Amanda 3.5 REQ HANDLE h SEQ 1\nab\0cd";
    assert_refused(with_nul, sizeof(with_nul) - 1, PKT_MAX_TCP, PKT_ERROR_NUL);

    GString *big = g_string_new("Amanda 3.5 REP HANDLE h SEQ 1\n");
    while (big->len <= PKT_MAX_UDP)
        g_string_append(big, "x 0 SIZE 123\n");
    assert_refused(big->str, big->len, PKT_MAX_UDP, PKT_ERROR_TOO_BIG);
    pkt_t pkt;
    g_assert_true(pkt_parse(big->str, big->len, PKT_MAX_TCP, &pkt, NULL));
    pkt_clear(&pkt);
    g_string_free(big, TRUE);
}

/* Mutations of a valid packet plus pure noise, fixed seed: every input is
 * either parsed into a sane packet or refused with a message. */
static void
test_fuzz(void)
{
    GRand *rand = g_rand_new_with_seed(20261125);
    const char *seed = "Amanda 3.5 PREP HANDLE 000-0000002a SEQ 99\nOPTIONS features=ff;\n/d 0 SIZE 1\n";
    size_t seed_len = strlen(seed);
    int accepted = 0, refused = 0;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)g_rand_int_range(rand, 0, 200);
        char *buf = g_malloc(len + 1);
        int mode = round % 3;
        for (size_t i = 0; i < len; i++) {
            if (mode == 0)
                buf[i] = (char)g_rand_int_range(rand, 0, 256);
            else
                buf[i] = i < seed_len ? seed[i] : (char)g_rand_int_range(rand, 32, 127);
        }
        if (mode == 2 && len > 0)  /* flip a few bytes of a valid packet */
            for (int k = 0; k < 3; k++)
                buf[g_rand_int_range(rand, 0, (gint32)len)] = (char)g_rand_int_range(rand, 0, 256);
        pkt_t pkt;
        GError *err = NULL;
        size_t limit = round % 7 == 0 ? (size_t)g_rand_int_range(rand, 0, 100) : PKT_MAX_UDP;
        if (pkt_parse(buf, len, limit, &pkt, &err)) {
            g_assert_cmpuint(strlen(pkt.handle), <=, PKT_HANDLE_MAX);
            g_assert_cmpuint(pkt.body->len, <=, len);
            pkt_clear(&pkt);
            accepted++;
        } else {
            g_assert_nonnull(err);
            g_assert_cmpstr(err->message, !=, "");
            g_error_free(err);
            refused++;
        }
        g_free(buf);
    }
    g_assert_cmpint(accepted, >, 0);
    g_assert_cmpint(refused, >, 0);
    g_rand_free(rand);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/packet/roundtrip", test_roundtrip);
    g_test_add_func("/packet/types", test_all_types_and_old_version);
    g_test_add_func("/packet/bad-headers", test_bad_headers);
    g_test_add_func("/packet/nul-and-size", test_nul_and_size);
    g_test_add_func("/packet/fuzz", test_fuzz);
    return g_test_run();
}
