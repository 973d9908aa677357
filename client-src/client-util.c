/* client-util: request parsing, features, application helpers, reply
 * lines and MESG framing shared by the client services (see the header). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "amanda_paths.h"
#include "amutil.h"
#include "client-util.h"
#include "crc32c.h"
#include "debug.h"

#include "amfeatures.h"

G_DEFINE_QUARK(client-error-quark, client_error)

/* ---------------------------------------------------------------- options */

client_options_t *client_options_new(void)
{
    client_options_t *opts = g_new0(client_options_t, 1);
    opts->maxdumps = 1;
    return opts;
}

void client_options_free(client_options_t *opts)
{
    if (!opts)
        return;
    g_free(opts->features);
    g_free(opts->hostname);
    g_free(opts->config);
    g_free(opts->timestamp);
    g_free(opts->auth);
    g_free(opts);
}

static gboolean all_chars(const char *s, const char *extra, gboolean hex_only)
{
    if (!*s)
        return FALSE;
    for (; *s; s++) {
        if (hex_only ? g_ascii_isxdigit(*s) : (g_ascii_isalnum(*s) || strchr(extra, *s)))
            continue;
        return FALSE;
    }
    return TRUE;
}

/* A configuration name becomes part of file names: no '/', no leading '.'. */
static gboolean valid_config_name(const char *s)
{
    return s[0] != '.' && all_chars(s, "-_.+@", FALSE);
}

static gboolean set_option(client_options_t *opts, const char *key, const char *value,
                           GError **error)
{
    char **slot = NULL;
    gboolean ok = TRUE;

    if (strcmp(key, "features") == 0) {
        ok = all_chars(value, "", TRUE) && strlen(value) <= 4096;
        slot = &opts->features;
    } else if (strcmp(key, "maxdumps") == 0) {
        char *end = NULL;
        gint64 n = g_ascii_strtoll(value, &end, 10);
        ok = *value && end && !*end && n >= 1 && n <= 1000;
        if (ok)
            opts->maxdumps = (int)MIN(n, 64);
    } else if (strcmp(key, "hostname") == 0) {
        ok = all_chars(value, "-_.:", FALSE) && strlen(value) <= 255;
        slot = &opts->hostname;
    } else if (strcmp(key, "config") == 0) {
        ok = valid_config_name(value) && strlen(value) <= 255;
        slot = &opts->config;
    } else if (strcmp(key, "timestamp") == 0) {
        ok = all_chars(value, "", FALSE) && strlen(value) <= 14;
        for (const char *p = value; ok && *p; p++)
            ok = g_ascii_isdigit(*p);
        slot = &opts->timestamp;
    } else if (strcmp(key, "auth") == 0) {
        ok = all_chars(value, "-_", FALSE) && strlen(value) <= 32;
        slot = &opts->auth;
    } else {
        debug_printf("ignoring unknown OPTIONS key \"%s\"", key);
        return TRUE;
    }
    if (!ok) {
        g_autofree char *q = quote_string(value);
        g_set_error(error, CLIENT_ERROR, 1, "bad value %s for option %s in OPTIONS", q, key);
        return FALSE;
    }
    if (slot) {
        g_free(*slot);
        *slot = g_strdup(value);
    }
    return TRUE;
}

gboolean client_parse_options(const char *text, client_options_t *opts, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(text, ";", -1);

    for (int i = 0; parts[i]; i++) {
        char *item = g_strstrip(parts[i]);
        if (!*item)
            continue;
        char *eq = strchr(item, '=');
        if (!eq) {
            debug_printf("ignoring OPTIONS item without a value: \"%s\"", item);
            continue;
        }
        *eq = '\0';
        if (!set_option(opts, item, eq + 1, error))
            return FALSE;
    }
    return TRUE;
}

/* ---------------------------------------------------------------- request */

void client_request_free(client_request_t *req)
{
    if (!req)
        return;
    client_options_free(req->opts);
    if (req->dles)
        g_ptr_array_unref(req->dles);
    g_free(req);
}

client_request_t *client_parse_request(const char *text, gsize len, GError **error)
{
    g_autoptr(client_request_t) req = g_new0(client_request_t, 1);
    g_autofree char *copy = g_strndup(text, len);
    char *body = copy;

    if (memchr(text, '\0', len)) {
        g_set_error(error, CLIENT_ERROR, 1, "request contains a NUL byte");
        return NULL;
    }
    req->opts = client_options_new();
    while (*body == '\n' || *body == '\r')
        body++;
    if (g_str_has_prefix(body, "OPTIONS ")) {
        char *nl = strchr(body, '\n');
        if (nl)
            *nl = '\0';
        if (!client_parse_options(body + strlen("OPTIONS "), req->opts, error))
            return NULL;
        body = nl ? nl + 1 : body + strlen(body);
    }
    if (strstr(body, "<dle>")) {
        req->dles = dle_parse_all(body, -1, error);
        if (!req->dles)
            return NULL;
    } else {
        if (*g_strstrip(body)) {
            g_set_error(error, CLIENT_ERROR, 1, "request has text that is not a <dle>: \"%.60s\"",
                        body);
            return NULL;
        }
        req->dles = g_ptr_array_new_with_free_func((GDestroyNotify)dle_free);
    }
    return g_steal_pointer(&req);
}

client_request_t *client_read_request(int fd, GError **error)
{
    g_autoptr(GString) buf = g_string_sized_new(4096);
    char chunk[8192];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            g_set_error(error, CLIENT_ERROR, 1, "reading the request: %s", g_strerror(errno));
            return NULL;
        }
        if (n == 0)
            break;
        if (buf->len + (size_t)n > CLIENT_REQUEST_MAX) {
            g_set_error(error, CLIENT_ERROR, 1, "request larger than %u bytes",
                        CLIENT_REQUEST_MAX);
            return NULL;
        }
        g_string_append_len(buf, chunk, n);
    }
    debug_printf("request:\n%s", buf->str);
    return client_parse_request(buf->str, buf->len, error);
}

/* --------------------------------------------------------------- features */

const char *client_features_hex(void)
{
    static char *hex;
    if (!hex) {
        g_autoptr(am_features_t) ours = am_features_ours();
        hex = am_features_to_hex(ours);
    }
    return hex;
}

const char *client_options_reply(void)
{
    static char *line;
    if (!line)
        line = g_strdup_printf("OPTIONS features=%s;\n", client_features_hex());
    return line;
}

gboolean client_peer_has_feature(const char *hex, int bit)
{
    if (!hex || bit < 0)
        return FALSE;
    g_autoptr(am_features_t) peer = am_features_from_hex(hex, NULL);
    return peer && am_feature_test(peer, (guint)bit);
}

gboolean client_peer_wants_state_stream(const client_options_t *opts)
{
    return client_peer_has_feature(opts->features, AM_FEATURE_SENDBACKUP_STREAM_STATE);
}

/* ------------------------------------------------------------ service args */

gboolean client_check_service_args(int argc, char **argv, GError **error)
{
    if (argc <= 1)
        return TRUE;
    if (argc == 3 && strcmp(argv[1], "amandad") == 0 && all_chars(argv[2], "-_", FALSE)
        && strlen(argv[2]) <= 32)
        return TRUE;
    g_set_error(error, CLIENT_ERROR, 1,
                "usage: %s [amandad AUTH] (the request is read from stdin)", argv[0]);
    return FALSE;
}

void client_service_start(const char *name, int argc, char **argv)
{
    GError *err = NULL;

    g_set_prgname(name);
    debug_open("client");
    debug_printf("%s started, pid %ld", name, (long)getpid());
    if (!client_check_service_args(argc, argv, &err)) {
        debug_printf("%s", err->message);
        g_printerr("%s\n", err->message);
        exit(2);
    }
}

/* ----------------------------------------------------------- applications */

char *client_app_path(const char *plugin, GError **error)
{
    if (!plugin || !*plugin) {
        g_set_error(error, CLIENT_ERROR, 1, "the DLE names no application (<plugin>)");
        return NULL;
    }
    if (plugin[0] == '.' || strchr(plugin, '/') || !all_chars(plugin, "-_.+", FALSE)) {
        g_autofree char *q = quote_string(plugin);
        g_set_error(error, CLIENT_ERROR, 1, "invalid application name %s", q);
        return NULL;
    }
    char *path = g_build_filename(amanda_application_dir(), plugin, NULL);
    if (access(path, X_OK) != 0) {
        g_set_error(error, CLIENT_ERROR, 1, "Application '%s': can't execute %s: %s", plugin,
                    path, g_strerror(errno));
        g_free(path);
        return NULL;
    }
    return path;
}

void client_support_free(client_support_t *sup)
{
    if (!sup)
        return;
    g_hash_table_unref(sup->kv);
    g_free(sup);
}

client_support_t *client_support_parse(const char *text)
{
    client_support_t *sup = g_new0(client_support_t, 1);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

    sup->kv = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);
        char *sp = strpbrk(line, " \t");
        if (!*line || !sp)
            continue;
        *sp = '\0';
        g_hash_table_replace(sup->kv, g_ascii_strup(line, -1), g_strdup(g_strstrip(sp + 1)));
    }
    return sup;
}

client_support_t *client_app_support(const char *app_path, GError **error)
{
    const char *argv[] = { app_path, "support", NULL };
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                      &status, error))
        return NULL;
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, CLIENT_ERROR, 1, "%s support failed: %s", app_path,
                    err && *err ? g_strstrip(err) : "non-zero exit");
        return NULL;
    }
    return client_support_parse(out);
}

gboolean client_support_yes(const client_support_t *sup, const char *key)
{
    const char *v = g_hash_table_lookup(sup->kv, key);
    return v && g_ascii_strcasecmp(v, "YES") == 0;
}

int client_support_max_level(const client_support_t *sup)
{
    const char *v = g_hash_table_lookup(sup->kv, "MAX-LEVEL");
    return v ? atoi(v) : 0;
}

static gboolean need_support(const client_support_t *sup, const char *key, GError **error)
{
    if (client_support_yes(sup, key))
        return TRUE;
    g_set_error(error, CLIENT_ERROR, 1, "the application does not support %s", key);
    return FALSE;
}

static gboolean check_exinclude(const client_support_t *sup, const dle_exinclude_t *x,
                                const char *kind, GError **error)
{
    char key[64];
    guint nfiles = x->files ? x->files->len : 0;
    guint nlists = x->lists ? x->lists->len : 0;

    g_snprintf(key, sizeof key, "%s-FILE", kind);
    if (nfiles && !need_support(sup, key, error))
        return FALSE;
    g_snprintf(key, sizeof key, "%s-LIST", kind);
    if (nlists && !need_support(sup, key, error))
        return FALSE;
    g_snprintf(key, sizeof key, "%s-OPTIONAL", kind);
    if (x->optional && (nfiles || nlists) && !need_support(sup, key, error))
        return FALSE;
    return TRUE;
}

gboolean client_support_check(const client_support_t *sup, const dle_t *dle, GError **error)
{
    if (dle->index && !need_support(sup, "INDEX-LINE", error))
        return FALSE;
    if (dle->record && !need_support(sup, "RECORD", error))
        return FALSE;
    if (!check_exinclude(sup, &dle->exclude, "EXCLUDE", error))
        return FALSE;
    return check_exinclude(sup, &dle->include, "INCLUDE", error);
}

gboolean client_valid_property_name(const char *name)
{
    return name && strlen(name) <= 128 && g_ascii_isalnum(name[0])
           && all_chars(name, "-_", FALSE);
}

const char *client_dle_device(const dle_t *dle)
{
    return dle->device && *dle->device ? dle->device : dle->disk;
}

static void add(GPtrArray *argv, const char *s)
{
    g_ptr_array_add(argv, g_strdup(s));
}

static void add_exinclude(GPtrArray *argv, const dle_exinclude_t *x, const char *kind)
{
    for (guint i = 0; x->files && i < x->files->len; i++) {
        g_ptr_array_add(argv, g_strdup_printf("--%s-file", kind));
        add(argv, g_ptr_array_index(x->files, i));
    }
    for (guint i = 0; x->lists && i < x->lists->len; i++) {
        g_ptr_array_add(argv, g_strdup_printf("--%s-list", kind));
        add(argv, g_ptr_array_index(x->lists, i));
    }
    if (x->optional && ((x->files && x->files->len) || (x->lists && x->lists->len))) {
        g_ptr_array_add(argv, g_strdup_printf("--%s-optional", kind));
        add(argv, "yes");
    }
}

static gboolean add_properties(GPtrArray *argv, const GPtrArray *props, GError **error)
{
    for (guint i = 0; props && i < props->len; i++) {
        const dle_property_t *p = g_ptr_array_index(props, i);
        if (!client_valid_property_name(p->name)) {
            g_autofree char *q = quote_string(p->name ? p->name : "");
            g_set_error(error, CLIENT_ERROR, 1, "invalid application property name %s", q);
            return FALSE;
        }
        for (guint j = 0; p->values && j < p->values->len; j++) {
            g_ptr_array_add(argv, g_strdup_printf("--%s", p->name));
            add(argv, g_ptr_array_index(p->values, j));
        }
    }
    return TRUE;
}

GPtrArray *client_app_argv(const char *app_path, const char *command, const dle_t *dle,
                           const client_options_t *opts, const GArray *levels, GError **error)
{
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    gboolean backup = strcmp(command, "backup") == 0;

    add(argv, app_path);
    add(argv, command);
    add(argv, "--message");
    add(argv, "line");
    if (opts->config) {
        add(argv, "--config");
        add(argv, opts->config);
    }
    if (opts->timestamp) {
        add(argv, "--timestamp");
        add(argv, opts->timestamp);
    }
    add(argv, "--host");
    add(argv, opts->hostname ? opts->hostname : g_get_host_name());
    add(argv, "--disk");
    add(argv, dle->disk);
    add(argv, "--device");
    add(argv, client_dle_device(dle));
    for (guint i = 0; levels && i < levels->len; i++) {
        add(argv, "--level");
        g_ptr_array_add(argv, g_strdup_printf("%d", g_array_index(levels, int, i)));
    }
    if (backup && dle->index) {
        add(argv, "--index");
        add(argv, "line");
    }
    if ((backup || strcmp(command, "estimate") == 0) && dle->record)
        add(argv, "--record");
    add_exinclude(argv, &dle->exclude, "exclude");
    add_exinclude(argv, &dle->include, "include");
    if (opts->features) {
        add(argv, "--amfeatures");
        add(argv, opts->features);
    }
    if (!add_properties(argv, dle->app_properties, error))
        return NULL;
    return g_steal_pointer(&argv);
}

gboolean client_check_program(const char *what, const char *path, GError **error)
{
    if (!path || !g_path_is_absolute(path)) {
        g_set_error(error, CLIENT_ERROR, 1, "%s program must be an absolute path, not \"%s\"",
                    what, path ? path : "");
        return FALSE;
    }
    if (access(path, X_OK) != 0) {
        g_set_error(error, CLIENT_ERROR, 1, "%s program %s is not executable: %s", what, path,
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* ------------------------------------------------------------- sendsize */

char *client_size_line(const char *disk, int level, gint64 kib)
{
    g_autofree char *q = quote_string(disk);
    return g_strdup_printf("%s %d SIZE %" G_GINT64_FORMAT "\n", q, level, kib);
}

char *client_size_error_line(const char *disk, int level, const char *msg)
{
    g_autofree char *q = quote_string(disk);
    g_autofree char *m = g_strdup(msg);
    g_strdelimit(m, "\r\n", ' ');
    return g_strdup_printf("%s %d ERROR %s\n", q, level, g_strstrip(m));
}

gboolean client_parse_estimate_line(const char *line, int *level, gint64 *kib)
{
    gint64 lv, n1, n2;
    char *end;
    const char *p = line;

    lv = g_ascii_strtoll(p, &end, 10);
    if (end == p || lv < 0 || lv > 399)
        return FALSE;
    p = end;
    n1 = g_ascii_strtoll(p, &end, 10);
    if (end == p)
        return FALSE;
    p = end;
    n2 = g_ascii_strtoll(p, &end, 10);
    if (end == p)
        return FALSE;
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
        end++;
    if (*end)
        return FALSE;
    *level = (int)lv;
    if (n1 < 0)
        *kib = n1 == -2 ? -2 : -1;
    else if (n2 <= 0 || n1 > G_MAXINT64 / n2)
        *kib = -1;
    else
        *kib = n1 * n2;
    return TRUE;
}

/* -------------------------------------------------------------- messages */

char *client_frame_message(const char *line, client_msg_kind_t *kind, gint64 *size_kb)
{
    if (g_str_has_prefix(line, "| ")) {
        *kind = CLIENT_MSG_NORMAL;
    } else if (g_str_has_prefix(line, "? ")) {
        *kind = CLIENT_MSG_STRANGE;
    } else if (g_str_has_prefix(line, "& ") || g_str_has_prefix(line, "sendbackup: error")) {
        *kind = CLIENT_MSG_ERROR;
    } else if (g_str_has_prefix(line, "sendbackup: size ")) {
        char *end;
        const char *num = line + strlen("sendbackup: size ");
        gint64 n = g_ascii_strtoll(num, &end, 10);
        if (end == num || *end || n < 0) {
            *kind = CLIENT_MSG_STRANGE;
            return g_strdup_printf("? %s\n", line);
        }
        *kind = CLIENT_MSG_SIZE;
        *size_kb = n;
    } else if (strcmp(line, "sendbackup: end") == 0) {
        *kind = CLIENT_MSG_END;
    } else if (g_str_has_prefix(line, "sendbackup: ")) {
        *kind = CLIENT_MSG_OTHER;
    } else {
        *kind = CLIENT_MSG_STRANGE;
        return g_strdup_printf("? %s\n", line);
    }
    return g_strdup_printf("%s\n", line);
}

char *client_crc_line(const char *prefix, uint32_t crc, guint64 size)
{
    return g_strdup_printf("sendbackup: %s-CRC %08x:%" G_GUINT64_FORMAT "\n", prefix, crc, size);
}

const char *client_dle_compress(const dle_t *dle)
{
    static const char *const known[] = { "NONE", "FAST", "BEST", "CUSTOM", "SERVER-FAST",
                                         "SERVER-BEST", "SERVER-CUSTOM", NULL };
    const char *c = dle->compress;
    if (!c || !*c)
        return dle->custom_compress && *dle->custom_compress ? "CUSTOM" : "NONE";
    for (int i = 0; known[i]; i++)
        if (g_ascii_strcasecmp(c, known[i]) == 0)
            return known[i];
    return c;
}

gboolean client_dle_client_encrypt(const dle_t *dle)
{
    if (dle->encrypt && *dle->encrypt)
        return g_ascii_strcasecmp(dle->encrypt, "CLIENT") == 0
               || g_ascii_strcasecmp(dle->encrypt, "CUSTOM") == 0;
    return FALSE;
}

static gboolean compressed_on_client(const dle_t *dle)
{
    const char *c = client_dle_compress(dle);
    return !strcmp(c, "FAST") || !strcmp(c, "BEST") || !strcmp(c, "CUSTOM");
}

static gboolean encrypted_on_client(const dle_t *dle)
{
    return client_dle_client_encrypt(dle);
}

char *client_info_lines(const char *app_path, const dle_t *dle)
{
    GString *s = g_string_new("sendbackup: info BACKUP=APPLICATION\n");
    gboolean custom = strcmp(client_dle_compress(dle), "CUSTOM") == 0;

    g_string_append_printf(s, "sendbackup: info APPLICATION=%s\n", dle->plugin);
    g_string_append(s, "sendbackup: info RECOVER_CMD=");
    if (encrypted_on_client(dle))
        g_string_append_printf(s, "%s %s |", dle->custom_encrypt,
                               dle->decrypt_option ? dle->decrypt_option : "-d");
    if (compressed_on_client(dle))
        g_string_append_printf(s, "%s %s |", custom ? dle->custom_compress : "gzip",
                               custom ? "-d" : "-dc");
    g_string_append_printf(s, "%s restore [./file-to-restore]+\n", app_path);
    if (compressed_on_client(dle))
        g_string_append_printf(s, "sendbackup: info COMPRESS_SUFFIX=%s\n",
                               custom ? dle->custom_compress : ".gz");
    if (encrypted_on_client(dle)) {
        g_string_append(s, "sendbackup: info ENCRYPT_SUFFIX=enc\n");
        g_string_append_printf(s, "sendbackup: info CLIENT_ENCRYPT=%s\n", dle->custom_encrypt);
        if (dle->decrypt_option)
            g_string_append_printf(s, "sendbackup: info CLIENT_DECRYPT_OPTION=%s\n",
                                   dle->decrypt_option);
    }
    g_string_append(s, "sendbackup: info end\n");
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------ CRC */

/* CRC-32C (common-src/crc32c), the checksum AMANDA 3.5 puts in NATIVE-CRC
 * and CLIENT-CRC: its server and amfetchdump compute the same over what
 * they receive and restore. */
void client_crc_init(client_crc_t *c)
{
    c->crc = 0;
    c->size = 0;
}

void client_crc_add(client_crc_t *c, const void *buf, size_t len)
{
    c->size += len;
    c->crc = crc32c(c->crc, buf, len);
}
