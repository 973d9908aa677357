/* amgetconf: print one configuration value, list sections, or print a
 * build-time setting.  Used by shell scripts and operators:
 *
 *   amgetconf [--client] [-o NAME=VALUE]... [CONFIG] PARAM
 *   amgetconf [CONFIG] --list KIND        (names of dumptypes, ...)
 *   amgetconf CONFIG --list disklist      (host and disk of every DLE)
 *   amgetconf build.VARIABLE
 *
 * PARAM is a global parameter or KIND:NAME:PARAM.  Exit status 1 with the
 * reason on stderr for an unknown parameter, a missing config or a config
 * with errors (every "FILE:LINE: message" is printed). */
#include "config.h"
#include "conf.h"
#include "disklist.h"
#include "amanda_paths.h"
#include "amutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    gboolean client;
    GPtrArray *overrides;   /* char*, NULL-terminated at the end */
    char *list_kind;
    char *config;
    char *param;
} options_t;

static void
usage(void)
{
    fprintf(stderr,
            "Usage: amgetconf [--client] [-o NAME=VALUE]... [CONFIG] PARAM\n"
            "       amgetconf [-o NAME=VALUE]... [CONFIG] --list KIND\n"
            "       amgetconf build.VARIABLE\n");
    exit(1);
}

static const char *
build_value(const char *var)
{
    static const struct { const char *name; const char *value; } fixed[] = {
        { "VERSION", PACKAGE_VERSION }, { "GNUTAR", GNUTAR_PATH },
        { "CLIENT_LOGIN", CLIENT_LOGIN }, { "DEFAULT_CONFIG", DEFAULT_CONFIG },
        { "localstatedir", LOCALSTATEDIR }, { "GZIP", GZIP_PATH },
        { "DEFAULT_TCPPORTRANGE", DEFAULT_TCPPORTRANGE },
        { "DEFAULT_UDPPORTRANGE", DEFAULT_UDPPORTRANGE },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(fixed); i++)
        if (g_ascii_strcasecmp(var, fixed[i].name) == 0)
            return fixed[i].value;
    if (g_ascii_strcasecmp(var, "CONFIG_DIR") == 0)
        return amanda_config_dir();
    if (g_ascii_strcasecmp(var, "amlibexecdir") == 0)
        return amanda_libexec_dir();
    if (g_ascii_strcasecmp(var, "sbindir") == 0)
        return amanda_sbin_dir();
    if (g_ascii_strcasecmp(var, "APPLICATION_DIR") == 0)
        return amanda_application_dir();
    if (g_ascii_strcasecmp(var, "AMANDA_DBGDIR") == 0)
        return amanda_dbgdir();
    if (g_ascii_strcasecmp(var, "AMANDA_TMPDIR") == 0)
        return amanda_tmpdir();
    if (g_ascii_strcasecmp(var, "GNUTAR_LISTED_INCREMENTAL_DIR") == 0)
        return amanda_gnutar_listdir();
    return NULL;
}

static int
print_build(const char *param)
{
    const char *v = build_value(param + strlen("build."));
    if (!v) {
        fprintf(stderr, "amgetconf: no build setting \"%s\"\n", param);
        return 1;
    }
    printf("%s\n", v);
    return 0;
}

static void
print_list(const char *prefix, const GPtrArray *msgs)
{
    for (guint i = 0; i < msgs->len; i++)
        fprintf(stderr, "%s%s\n", prefix, (char *)g_ptr_array_index(msgs, i));
}

static int
list_disklist(conf_t *conf)
{
    g_autoptr(disklist_t) dl = disklist_load(conf, NULL);
    print_list("amgetconf: warning: ", disklist_warnings(dl));
    if (disklist_errors(dl)->len) {
        print_list("", disklist_errors(dl));
        return 1;
    }
    const GPtrArray *e = disklist_entries(dl);
    for (guint i = 0; i < e->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(e, i);
        g_autofree char *h = quote_string(d->host);
        g_autofree char *k = quote_string(d->disk);
        printf("%s %s\n", h, k);
    }
    return 0;
}

static int
list_sections(conf_t *conf, const char *kind_name)
{
    if (g_ascii_strcasecmp(kind_name, "disklist") == 0)
        return list_disklist(conf);
    conf_kind_t kind = conf_kind_from_name(kind_name);
    if ((int)kind <= CONF_GLOBAL) {
        fprintf(stderr, "amgetconf: --list: unknown section kind \"%s\"\n",
                kind_name);
        return 1;
    }
    const GPtrArray *secs = conf_sections(conf, kind);
    for (guint i = 0; i < secs->len; i++)
        printf("%s\n", conf_section_name(g_ptr_array_index(secs, i)));
    return 0;
}

static int
print_param(conf_t *conf, const char *param)
{
    if (g_str_has_prefix(param, "dbopen.") || g_str_has_prefix(param, "dbclose.")) {
        fprintf(stderr, "amgetconf: %s is not supported\n", param);
        return 1;
    }
    g_autoptr(GError) err = NULL;
    const conf_value_t *v = conf_get_by_name(conf, param, &err);
    if (!v) {
        fprintf(stderr, "amgetconf: %s\n", err->message);
        return 1;
    }
    g_autofree char *text = conf_value_to_string(v);
    printf("%s\n", text);
    return 0;
}

static void
parse_args(int argc, char **argv, options_t *o)
{
    o->overrides = g_ptr_array_new();
    g_autoptr(GPtrArray) rest = g_ptr_array_new();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--client") == 0) {
            o->client = TRUE;
        } else if (strcmp(a, "-o") == 0 && i + 1 < argc) {
            g_ptr_array_add(o->overrides, argv[++i]);
        } else if (g_str_has_prefix(a, "-o") && a[2]) {
            g_ptr_array_add(o->overrides, (char *)a + 2);
        } else if (strcmp(a, "--list") == 0 && i + 1 < argc) {
            o->list_kind = argv[++i];
        } else if (strcmp(a, "--execute-where") == 0 && i + 1 < argc) {
            o->client = strcmp(argv[++i], "client") == 0;
        } else if (a[0] == '-' && a[1]) {
            usage();
        } else {
            g_ptr_array_add(rest, (char *)a);
        }
    }
    g_ptr_array_add(o->overrides, NULL);
    if (rest->len > 2 || (rest->len == 2 && o->list_kind)
        || (rest->len == 0 && !o->list_kind))
        usage();
    if (o->list_kind) {
        o->config = rest->len ? g_ptr_array_index(rest, 0) : NULL;
    } else if (rest->len == 2) {
        o->config = g_ptr_array_index(rest, 0);
        o->param = g_ptr_array_index(rest, 1);
    } else {
        o->param = g_ptr_array_index(rest, 0);
    }
}

int
main(int argc, char **argv)
{
    options_t o = { 0 };
    parse_args(argc, argv, &o);
    if (o.param && g_ascii_strncasecmp(o.param, "build.", 6) == 0)
        return print_build(o.param);
    unsigned flags = o.client ? CONF_FLAG_CLIENT : 0;
    const char *name = o.config ? o.config : (o.client ? NULL : DEFAULT_CONFIG);
    conf_t *conf = conf_load(name, NULL, flags, (char **)o.overrides->pdata);
    conf_set_global(conf);
    print_list("amgetconf: warning: ", conf_warnings(conf));
    int rc;
    if (conf_errors(conf)->len) {
        print_list("", conf_errors(conf));
        fprintf(stderr, "amgetconf: errors processing config \"%s\"\n",
                name ? name : "(client)");
        rc = 1;
    } else if (o.list_kind) {
        rc = list_sections(conf, o.list_kind);
    } else {
        rc = print_param(conf, o.param);
    }
    conf_set_global(NULL);
    g_ptr_array_unref(o.overrides);
    return rc;
}
