/* selfcheck: answers amcheck's client check.  For every DLE of the request
 * it checks that the application exists and supports what the DLE asks
 * (index, record, include/exclude kinds, levels), that client compression
 * and encryption programs are usable, and runs the application's own
 * `selfcheck`, forwarding its OK/ERROR lines.  The reply is plain
 * "OK <text>" / "ERROR <text>" lines after our OPTIONS line. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "amutil.h"
#include "client-util.h"
#include "debug.h"

typedef struct {
    const client_options_t *opts;
    GString *out;
    int errors;
} check_t;

static void say(check_t *c, gboolean ok, const char *qdisk, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void say(check_t *c, gboolean ok, const char *qdisk, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_strdelimit(msg, "\r\n", ' ');
    g_string_append_printf(c->out, "%s %s: %s%s%s\n", ok ? "OK" : "ERROR",
                           c->opts->hostname ? c->opts->hostname : g_get_host_name(),
                           qdisk ? qdisk : "", qdisk ? ": " : "", msg);
    if (!ok)
        c->errors++;
    debug_printf("%s %s: %s", ok ? "OK" : "ERROR", qdisk ? qdisk : "", msg);
}

static gboolean check_filters(check_t *c, const dle_t *dle, const char *qdisk)
{
    GError *err = NULL;
    const char *comp = client_dle_compress(dle);
    static const char *const ok[] = { "NONE", "FAST", "BEST", "CUSTOM", "SERVER-FAST",
                                      "SERVER-BEST", "SERVER-CUSTOM", NULL };

    if (!g_strv_contains(ok, comp)) {
        say(c, FALSE, qdisk, "unknown <compress> \"%s\"", comp);
        return FALSE;
    }
    if (strcmp(comp, "CUSTOM") == 0
        && !client_check_program("client compression", dle->custom_compress, &err)) {
        say(c, FALSE, qdisk, "%s", err->message);
        g_clear_error(&err);
        return FALSE;
    }
    if (client_dle_client_encrypt(dle)
        && !client_check_program("client encryption", dle->custom_encrypt, &err)) {
        say(c, FALSE, qdisk, "%s", err->message);
        g_clear_error(&err);
        return FALSE;
    }
    return TRUE;
}

static gboolean check_levels(check_t *c, const dle_t *dle, const client_support_t *sup,
                             const char *qdisk)
{
    int max = client_support_max_level(sup);
    for (guint i = 0; dle->levels && i < dle->levels->len; i++) {
        int lv = g_array_index(dle->levels, dle_level_t, i).level;
        if (lv > max) {
            say(c, FALSE, qdisk, "level %d is above the application's maximum %d", lv, max);
            return FALSE;
        }
    }
    return TRUE;
}

/* Run `APP selfcheck ...` and forward its OK/ERROR lines. */
static void run_app_selfcheck(check_t *c, const dle_t *dle, const char *app, const char *qdisk)
{
    GError *err = NULL;
    g_autoptr(GPtrArray) argv = client_app_argv(app, "selfcheck", dle, c->opts, NULL, &err);
    g_autofree char *out = NULL, *errout = NULL;
    int status = 0, forwarded_errors = 0;

    if (!argv) {
        say(c, FALSE, qdisk, "%s", err->message);
        g_clear_error(&err);
        return;
    }
    g_ptr_array_add(argv, NULL);
    if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                      &errout, &status, &err)) {
        say(c, FALSE, qdisk, "cannot run %s: %s", app, err->message);
        g_clear_error(&err);
        return;
    }
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        const char *l = lines[i];
        if (g_str_has_prefix(l, "OK ") || g_str_has_prefix(l, "ERROR ")) {
            g_string_append_printf(c->out, "%s\n", l);
            if (l[0] == 'E')
                forwarded_errors++;
        } else if (*l) {
            debug_printf("application selfcheck said: %s", l);
        }
    }
    c->errors += forwarded_errors;
    if (errout && *errout)
        debug_printf("application selfcheck stderr: %s", errout);
    if (!g_spawn_check_wait_status(status, NULL) && !forwarded_errors)
        say(c, FALSE, qdisk, "%s selfcheck failed: %s", dle->plugin,
            errout && *errout ? g_strstrip(errout) : "non-zero exit status");
}

static void check_dle(check_t *c, const dle_t *dle)
{
    GError *err = NULL;
    g_autofree char *qdisk = quote_string(dle->disk);

    if (!dle->program || strcmp(dle->program, "APPLICATION") != 0) {
        say(c, FALSE, qdisk, "program \"%s\" is not supported by this client; "
            "use an application (program \"APPLICATION\" with amgtar)",
            dle->program ? dle->program : "");
        return;
    }
    g_autofree char *app = client_app_path(dle->plugin, &err);
    if (!app) {
        say(c, FALSE, qdisk, "%s", err->message);
        g_clear_error(&err);
        return;
    }
    g_autoptr(client_support_t) sup = client_app_support(app, &err);
    if (!sup || !client_support_check(sup, dle, &err)) {
        say(c, FALSE, qdisk, "application %s: %s", dle->plugin, err->message);
        g_clear_error(&err);
        return;
    }
    if (!check_levels(c, dle, sup, qdisk) || !check_filters(c, dle, qdisk))
        return;
    int before = c->errors;
    run_app_selfcheck(c, dle, app, qdisk);
    if (c->errors == before)
        say(c, TRUE, qdisk, "application %s is ready", dle->plugin);
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    check_t c = { 0 };

    client_service_start("selfcheck", argc, argv);
    g_autoptr(client_request_t) req = client_read_request(STDIN_FILENO, &err);
    fputs(client_options_reply(), stdout);
    if (!req) {
        printf("ERROR [%s: bad selfcheck request: %s]\n", g_get_host_name(), err->message);
        debug_printf("bad request: %s", err->message);
        fflush(stdout);
        return 1;
    }
    c.opts = req->opts;
    c.out = g_string_new(NULL);
    for (guint i = 0; i < req->dles->len; i++) {
        check_dle(&c, g_ptr_array_index(req->dles, i));
        fputs(c.out->str, stdout);
        fflush(stdout);
        g_string_truncate(c.out, 0);
    }
    g_string_free(c.out, TRUE);
    debug_printf("selfcheck done, %d error(s)", c.errors);
    debug_close();
    return 0;
}
