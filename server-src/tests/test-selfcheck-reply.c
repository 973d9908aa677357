/* Tests of selfcheck-reply: classic OK/ERROR lines, AMANDA 3.5.1's
 * "MESSAGE JSON" reply (a real one captured from Debian's amandad),
 * objects inside an array, escapes, nested members and torn input. */
#include "config.h"

#include <string.h>

#include "selfcheck-reply.h"

static void
collect(const char *severity, const char *message, void *arg)
{
    g_ptr_array_add(arg, g_strdup_printf("%s|%s", severity, message));
}

static GPtrArray *
parse(const char *body)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    selfcheck_reply_parse(body, collect, out);
    return out;
}

static void
test_classic(void)
{
    g_autoptr(GPtrArray) m = parse("OPTIONS features=ff;\nOK /a: fine\nERROR  /b: gone\nnoise\n");
    g_assert_cmpuint(m->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(m, 0), ==, "info|/a: fine");
    g_assert_cmpstr(g_ptr_array_index(m, 1), ==, "error|/b: gone");
    g_autoptr(GPtrArray) none = parse(NULL);
    g_assert_cmpuint(none->len, ==, 0);
}

static void
test_stock_reply(void)
{
    const char *dir = g_getenv("AMANDA_TEST_SRCDIR");
    g_autofree char *path = g_build_filename(dir ? dir : "tests", "data",
                                             "admin-selfcheck-json.txt", NULL);
    g_autofree char *body = NULL;
    g_assert_true(g_file_get_contents(path, &body, NULL, NULL));
    g_autoptr(GPtrArray) m = parse(body);
    g_assert_cmpuint(m->len, ==, 23);
    g_assert_cmpstr(g_ptr_array_index(m, 0), ==, "info|version '3.5.1");
    guint errors = 0;
    for (guint i = 0; i < m->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(m, i), "error|")) {
            errors++;
            g_assert_cmpstr(g_ptr_array_index(m, i), ==,
                            "error|can not stat '/tmp/admobs/data/nonexist': No such file or "
                            "directory");
        }
    g_assert_cmpuint(errors, ==, 1);
}

static void
test_array_escapes_nesting(void)
{
    static const char BODY[] =
        "MESSAGE JSON\n"
        "[ { \"severity\" : \"warning\", \"extra\" : { \"message\" : \"inner\" },\n"
        "    \"message\" : \"a \\\"quoted\\\" \\\\ path\\tx\" },\n"
        "  { \"message\" : \"no severity\", \"list\" : [1, {\"severity\": \"error\"}] } ]\n";
    g_autoptr(GPtrArray) m = parse(BODY);
    g_assert_cmpuint(m->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(m, 0), ==, "warning|a \"quoted\" \\ path\tx");
    g_assert_cmpstr(g_ptr_array_index(m, 1), ==, "info|no severity");
}

static void
test_torn(void)
{
    static const char *const BODIES[] = {
        "MESSAGE JSON\n  { \"severity\" : \"error\", \"message\" : \"cut",
        "MESSAGE JSON\n  { \"severity\" : \"error\", \"message\" : \"x\\",
        "MESSAGE JSON\n }}}]]] { \"message\" : \"after junk\" }",
        "MESSAGE JSON",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(BODIES); i++) {
        g_autoptr(GPtrArray) m = parse(BODIES[i]);
        g_assert_cmpuint(m->len, <=, 1); /* no crash, nothing invented */
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/selfcheck-reply/classic", test_classic);
    g_test_add_func("/selfcheck-reply/stock-amanda-3.5.1", test_stock_reply);
    g_test_add_func("/selfcheck-reply/array-escapes-nesting", test_array_escapes_nesting);
    g_test_add_func("/selfcheck-reply/torn", test_torn);
    return g_test_run();
}
