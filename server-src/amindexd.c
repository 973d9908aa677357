/* amindexd: the index server amrecover browses, run by amandad as the
 * "amindexd" service.  It answers "CONNECT MESG 150" on stdout (the REP),
 * then speaks AMANDA's line protocol on the MESG stream (fd 150 out, 151
 * in; lines end in CR LF): numeric replies 200 (done), 200-/201- (a
 * list), 500/501 (errors), to commands FEATURES, DATE, SCNF, HOST, DISK,
 * LISTHOST, LISTDISK, DHST, OISD, OLSD, ORLD, DLE, TAPE and QUIT.  The
 * dumps come from the catalogue (run logs + tapelist, find.h), the file
 * lists from the index directory (indexfile.h); indexd-tree.c merges a
 * full and its incrementals as of the working date. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amfeatures.h"
#include "amutil.h"
#include "conf.h"
#include "debug.h"
#include "disklist.h"
#include "fileheader.h"
#include "find.h"
#include "indexd-tree.h"
#include "indexfile.h"

#define MESG_OUT_FD 150
#define MESG_IN_FD 151
#define MAX_LINE (64 * 1024)

typedef struct {
    FILE *in;
    FILE *out;
    conf_t *conf;
    disklist_t *dl;
    char *config;
    char *date;        /* as amrecover gave it */
    char *limit;       /* 14 digits */
    char *host, *disk;
    GPtrArray *dumps;  /* indexd_dump_t* of host:disk that have an index */
    char *indexdir;
} Session;

/* ---- replies ---- */

static void G_GNUC_PRINTF(2, 3)
reply(Session *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    dbprintf("< %s\n", line);
    fprintf(s->out, "%s\r\n", line);
    fflush(s->out);
}

/* Lines of a list are buffered by stdio and flushed at its end. */
static void
list_line(Session *s, const char *line)
{
    fprintf(s->out, "201- %s\r\n", line);
}

/* ---- configuration ---- */

static char *
conf_path(const conf_t *conf, conf_param_t param)
{
    const char *p = conf_get_str(conf, param);
    if (!p)
        p = "";
    return g_path_is_absolute(p) ? g_strdup(p) : g_build_filename(conf_dir(conf), p, NULL);
}

static void
forget_disk(Session *s)
{
    g_clear_pointer(&s->disk, g_free);
    g_clear_pointer(&s->dumps, g_ptr_array_unref);
}

static void
cmd_scnf(Session *s, const char *arg)
{
    if (!*arg || strchr(arg, '/') || strcmp(arg, "..") == 0) {
        reply(s, "501 Invalid config name \"%s\".", arg);
        return;
    }
    GError *err = NULL;
    conf_t *conf = conf_load_checked(arg, NULL, 0, NULL, &err);
    if (!conf) {
        dbprintf("config %s: %s\n", arg, err->message);
        reply(s, "501 Could not read config file for %s!", arg);
        g_error_free(err);
        return;
    }
    forget_disk(s);
    g_clear_pointer(&s->host, g_free);
    g_clear_pointer(&s->dl, disklist_free);
    g_clear_pointer(&s->conf, conf_free);
    s->conf = conf;
    s->dl = disklist_load(conf, NULL);
    g_free(s->config);
    s->config = g_strdup(arg);
    g_free(s->indexdir);
    s->indexdir = conf_path(conf, CNF_INDEXDIR);
    reply(s, "200 Config set to %s.", arg);
}

static void
cmd_date(Session *s, const char *arg)
{
    char *limit = indexd_date_limit(arg);
    if (!limit) {
        reply(s, "501 Invalid date \"%s\": use YYYY-MM-DD or YYYY-MM-DD-hh-mm-ss.", arg);
        return;
    }
    g_free(s->limit);
    s->limit = limit;
    g_free(s->date);
    s->date = g_strdup(arg);
    reply(s, "200 Working date set to %s.", arg);
}

static const char *
disklist_host(Session *s, const char *host)
{
    const GPtrArray *es = disklist_entries(s->dl);
    for (guint i = 0; i < es->len; i++) {
        const disklist_entry_t *e = es->pdata[i];
        if (g_ascii_strcasecmp(e->host, host) == 0)
            return e->host;
    }
    return NULL;
}

static void
cmd_host(Session *s, const char *arg)
{
    if (!s->conf) {
        reply(s, "501 Must set config before host.");
        return;
    }
    const char *host = disklist_host(s, arg);
    if (!host) {
        reply(s, "501 Host %s is not in your disklist.", arg);
        return;
    }
    g_autofree char *dir = g_build_filename(s->indexdir, host, NULL);
    g_autofree char *sane = sanitise_filename(host);
    g_autofree char *dir2 = g_build_filename(s->indexdir, sane, NULL);
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR) && !g_file_test(dir2, G_FILE_TEST_IS_DIR)) {
        reply(s, "501 No index records for host: %s. Have you enabled indexing?", host);
        return;
    }
    forget_disk(s);
    g_free(s->host);
    s->host = g_strdup(host);
    reply(s, "200 Dump host set to %s.", host);
}

static void
cmd_listhost(Session *s)
{
    if (!s->conf) {
        reply(s, "501 Must set config before listhost.");
        return;
    }
    reply(s, "200- List hosts for config %s", s->config);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    const GPtrArray *es = disklist_entries(s->dl);
    for (guint i = 0; i < es->len; i++) {
        const disklist_entry_t *e = es->pdata[i];
        if (g_hash_table_add(seen, e->host))
            list_line(s, e->host);
    }
    reply(s, "200  List hosts for config %s", s->config);
}

static void
cmd_listdisk(Session *s, const char *device)
{
    if (!s->host) {
        reply(s, "501 Must set host before listdisk.");
        return;
    }
    reply(s, "200- List of disk for host %s", s->host);
    const GPtrArray *es = disklist_entries(s->dl);
    for (guint i = 0; i < es->len; i++) {
        const disklist_entry_t *e = es->pdata[i];
        if (strcmp(e->host, s->host) != 0)
            continue;
        if (*device && g_strcmp0(e->device ? e->device : e->disk, device) != 0)
            continue;
        g_autofree char *q = quote_string(e->disk);
        list_line(s, q);
    }
    reply(s, "200 List of disk for host %s", s->host);
}

/* ---- the dumps of a disk ---- */

static gboolean
has_index(Session *s, const char *ts, int level)
{
    g_autofree char *sorted = indexfile_path(s->indexdir, s->host, s->disk, ts, level,
                                             INDEXFILE_SORTED);
    g_autofree char *unsorted = indexfile_path(s->indexdir, s->host, s->disk, ts, level,
                                               INDEXFILE_UNSORTED);
    return g_file_test(sorted, G_FILE_TEST_EXISTS) || g_file_test(unsorted, G_FILE_TEST_EXISTS);
}

static void
add_part(GHashTable *by_key, GPtrArray *dumps, GHashTable *parts_of, const find_result_t *r,
         const char *default_storage)
{
    g_autofree char *key = g_strdup_printf("%s %d", r->timestamp, r->level);
    indexd_dump_t *d = g_hash_table_lookup(by_key, key);
    if (!d) {
        d = g_new0(indexd_dump_t, 1);
        d->timestamp = g_strdup(r->timestamp);
        d->level = r->level;
        d->first_file = r->filenum;
        g_ptr_array_add(dumps, d);
        g_hash_table_insert(by_key, g_strdup(key), d);
        g_hash_table_insert(parts_of, d, g_array_new(FALSE, FALSE, sizeof(indexd_part_t)));
    }
    /* logs without "ST:" name the storage after the config, as AMANDA does */
    indexd_part_t p = { r->storage && *r->storage ? r->storage : default_storage, r->label,
                        r->filenum, r->partnum };
    g_array_append_val((GArray *)g_hash_table_lookup(parts_of, d), p);
    if (r->partnum == 1)
        d->first_file = r->filenum;
}

static void
free_parts(gpointer a)
{
    g_array_unref(a);
}

/* The complete dumps of host:disk in the catalogue that have an index. */
static GPtrArray *
load_dumps(Session *s, GError **error)
{
    g_autofree char *logdir = conf_path(s->conf, CNF_LOGDIR);
    g_autofree char *tapelist = conf_path(s->conf, CNF_TAPELIST);
    g_autoptr(GPtrArray) results = find_dumps(logdir, tapelist, error);
    if (!results)
        return NULL;
    GPtrArray *dumps = g_ptr_array_new_with_free_func((GDestroyNotify)indexd_dump_free);
    g_autoptr(GHashTable) by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) parts_of = g_hash_table_new_full(NULL, NULL, NULL, free_parts);
    for (guint i = 0; i < results->len; i++) {
        const find_result_t *r = results->pdata[i];
        if (g_strcmp0(r->hostname, s->host) != 0 || g_strcmp0(r->diskname, s->disk) != 0 ||
            g_strcmp0(r->dump_status, "OK") != 0 || g_strcmp0(r->status, "OK") != 0)
            continue;
        add_part(by_key, dumps, parts_of, r, s->config);
    }
    for (guint i = 0; i < dumps->len;) {
        indexd_dump_t *d = dumps->pdata[i];
        if (!has_index(s, d->timestamp, d->level)) {
            g_ptr_array_remove_index(dumps, i);
            continue;
        }
        d->tapes = indexd_tapes_string(g_hash_table_lookup(parts_of, d));
        i++;
    }
    return dumps;
}

static void
cmd_disk(Session *s, const char *arg)
{
    if (!s->host) {
        reply(s, "501 Must set host before disk.");
        return;
    }
    g_autofree char *disk = unquote_string(arg);
    if (!disklist_find(s->dl, s->host, disk)) {
        g_autofree char *q = quote_string(disk);
        reply(s, "501 Disk %s:%s is not in your disklist.", s->host, q);
        return;
    }
    forget_disk(s);
    s->disk = g_strdup(disk);
    GError *err = NULL;
    s->dumps = load_dumps(s, &err);
    g_autofree char *q = quote_string(disk);
    if (!s->dumps) {
        reply(s, "501 Cannot read the catalogue: %s", err->message);
        g_error_free(err);
        forget_disk(s);
        return;
    }
    if (s->dumps->len == 0) {
        reply(s, "501 No index records for disk: %s. Invalid?", q);
        forget_disk(s);
        return;
    }
    reply(s, "200 Disk set to %s.", q);
}

static gint
cmp_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the index of D into memory (sorted), once. */
static gboolean
load_index(Session *s, indexd_dump_t *d)
{
    if (d->paths)
        return TRUE;
    g_autofree char *sorted = indexfile_path(s->indexdir, s->host, s->disk, d->timestamp,
                                             d->level, INDEXFILE_SORTED);
    gboolean have_sorted = g_file_test(sorted, G_FILE_TEST_EXISTS);
    g_autofree char *path = have_sorted ? g_strdup(sorted)
                                        : indexfile_path(s->indexdir, s->host, s->disk,
                                                         d->timestamp, d->level,
                                                         INDEXFILE_UNSORTED);
    GError *err = NULL;
    d->paths = indexfile_read_lines(path, &err);
    if (!d->paths) {
        dbprintf("index %s: %s\n", path, err->message);
        g_error_free(err);
        return FALSE;
    }
    if (!have_sorted)
        g_ptr_array_sort(d->paths, cmp_paths);
    return TRUE;
}

/* The chain as of the working date, indexes loaded; NULL after a reply. */
static GPtrArray *
chain_or_reply(Session *s)
{
    if (!s->disk) {
        reply(s, "501 Must set disk before listing.");
        return NULL;
    }
    GPtrArray *chain = indexd_chain(s->dumps, s->limit);
    if (chain->len == 0) {
        reply(s, "500 No dumps available on or before date \"%s\"", s->date);
        g_ptr_array_unref(chain);
        return NULL;
    }
    for (guint i = 0; i < chain->len; i++) {
        if (!load_index(s, chain->pdata[i])) {
            indexd_dump_t *d = chain->pdata[i];
            reply(s, "599 Cannot read the index of the dump of %s level %d.", d->timestamp,
                  d->level);
            g_ptr_array_unref(chain);
            return NULL;
        }
    }
    return chain;
}

static void
cmd_oisd(Session *s, const char *arg)
{
    g_autoptr(GPtrArray) chain = chain_or_reply(s);
    if (!chain)
        return;
    g_autofree char *path = unquote_string(arg);
    g_autofree char *dir = indexd_normalise_dir(path);
    g_autofree char *q = quote_string_always(path);
    if (indexd_is_dir(chain, dir))
        reply(s, "200 %s is a valid directory", q);
    else
        reply(s, "500 %s is not a valid directory", q);
}

static void
cmd_list(Session *s, const char *arg, gboolean recursive)
{
    g_autoptr(GPtrArray) chain = chain_or_reply(s);
    if (!chain)
        return;
    g_autofree char *path = unquote_string(arg);
    g_autofree char *dir = indexd_normalise_dir(path);
    const char *what = recursive ? "Opaque recursive list of" : "Opaque list of";
    reply(s, "200- %s %s", what, arg);
    g_autoptr(GArray) entries = indexd_list(chain, dir, recursive);
    for (guint i = 0; i < entries->len; i++) {
        const indexd_entry_t *e = &g_array_index(entries, indexd_entry_t, i);
        g_autofree char *date = indexd_nice_date(e->dump->timestamp);
        g_autofree char *tapes = quote_string_always(e->dump->tapes);
        g_autofree char *qpath = quote_string(e->path);
        g_autofree char *line = g_strdup_printf("%s %d %s %" G_GINT64_FORMAT " %s", date,
                                                e->dump->level, tapes, e->dump->first_file,
                                                qpath);
        list_line(s, line);
    }
    reply(s, "200  %s %s", what, arg);
}

static gint
dump_newest_first(gconstpointer a, gconstpointer b)
{
    const indexd_dump_t *x = *(indexd_dump_t *const *)a, *y = *(indexd_dump_t *const *)b;
    int c = strcmp(y->timestamp, x->timestamp);
    return c ? c : (x->level > y->level) - (x->level < y->level);
}

static void
cmd_dhst(Session *s)
{
    if (!s->disk) {
        reply(s, "501 Must set disk before history.");
        return;
    }
    g_autofree char *q = quote_string(s->disk);
    reply(s, "200- Dump history for config \"%s\" host \"%s\" disk %s", s->config, s->host, q);
    g_autoptr(GPtrArray) sorted = g_ptr_array_copy(s->dumps, NULL, NULL);
    g_ptr_array_set_free_func(sorted, NULL);   /* the copy borrows the dumps */
    g_ptr_array_sort(sorted, dump_newest_first);
    for (guint i = 0; i < sorted->len; i++) {
        const indexd_dump_t *d = sorted->pdata[i];
        g_autofree char *date = indexd_nice_date(d->timestamp);
        g_autofree char *line = g_strdup_printf("%s %d %s", date, d->level, d->tapes);
        list_line(s, line);
    }
    reply(s, "200 Dump history for config \"%s\" host \"%s\" disk %s", s->config, s->host, q);
}

/* The DLE of the newest dump in the chain, from its ".header" copy. */
static void
cmd_dle(Session *s)
{
    g_autoptr(GPtrArray) chain = chain_or_reply(s);
    if (!chain)
        return;
    const indexd_dump_t *d = chain->pdata[0];
    g_autofree char *path = indexfile_path(s->indexdir, s->host, s->disk, d->timestamp,
                                           d->level, INDEXFILE_HEADER);
    g_autofree char *text = NULL;
    gsize len = 0;
    dumpfile_t h;
    fileheader_init(&h);
    if (g_file_get_contents(path, &text, &len, NULL) && fileheader_parse(text, len, &h, NULL) &&
        h.dle_str && *h.dle_str) {
        g_autofree char *q = quote_string_always(h.dle_str);
        reply(s, "200 %s", q);
    } else {
        reply(s, "500 No DLE recorded for this dump.");
    }
    fileheader_clear(&h);
}

static void
cmd_tape(Session *s)
{
    if (!s->conf) {
        reply(s, "501 Must set config before tape.");
        return;
    }
    const conf_param_t order[] = { CNF_AMRECOVER_CHANGER, CNF_TPCHANGER, CNF_TAPEDEV };
    for (gsize i = 0; i < G_N_ELEMENTS(order); i++) {
        const char *v = conf_get_str(s->conf, order[i]);
        if (v && *v) {
            reply(s, "200 %s", v);
            return;
        }
    }
    reply(s, "501 No tapedev or tpchanger in the config.");
}

/* Our features: the library's set plus the index-server ones we speak. */
static void
cmd_features(Session *s)
{
    am_features_t *ours = am_features_ours();
    const guint mine[] = { AM_FEATURE_AMINDEXD_FILENO_IN_OLSD, AM_FEATURE_AMINDEXD_FILENO_IN_ORLD,
                           AM_FEATURE_AMINDEXD_MARSHALL_IN_OLSD,
                           AM_FEATURE_AMINDEXD_MARSHALL_IN_ORLD,
                           AM_FEATURE_AMINDEXD_MARSHALL_IN_DHST, AM_FEATURE_AMINDEXD_DLE };
    for (gsize i = 0; i < G_N_ELEMENTS(mine); i++)
        am_feature_set(ours, mine[i]);
    g_autofree char *hex = am_features_to_hex(ours);
    am_features_free(ours);
    reply(s, "200 FEATURES %s", hex);
}

/* ---- the session ---- */

/* Split "CMD arg..." and run it; FALSE after QUIT. */
static gboolean
dispatch(Session *s, char *line)
{
    char *arg = strchr(line, ' ');
    if (arg)
        *arg++ = '\0';
    else
        arg = line + strlen(line);
    if (strcmp(line, "QUIT") == 0) {
        reply(s, "200 Good bye.");
        return FALSE;
    }
    if (strcmp(line, "FEATURES") == 0) cmd_features(s);
    else if (strcmp(line, "DATE") == 0) cmd_date(s, arg);
    else if (strcmp(line, "SCNF") == 0) cmd_scnf(s, arg);
    else if (strcmp(line, "HOST") == 0) cmd_host(s, arg);
    else if (strcmp(line, "LISTHOST") == 0) cmd_listhost(s);
    else if (strcmp(line, "LISTDISK") == 0) cmd_listdisk(s, arg);
    else if (strcmp(line, "DISK") == 0) cmd_disk(s, arg);
    else if (strcmp(line, "DHST") == 0) cmd_dhst(s);
    else if (strcmp(line, "OISD") == 0) cmd_oisd(s, arg);
    else if (strcmp(line, "OLSD") == 0) cmd_list(s, arg, FALSE);
    else if (strcmp(line, "ORLD") == 0) cmd_list(s, arg, TRUE);
    else if (strcmp(line, "DLE") == 0) cmd_dle(s);
    else if (strcmp(line, "TAPE") == 0) cmd_tape(s);
    else reply(s, "500 Invalid command \"%s\".", line);
    return TRUE;
}

static void
serve(Session *s)
{
    reply(s, "220 %s AMANDA index server (3.5.1) ready.", g_get_host_name());
    char *line = g_malloc(MAX_LINE);
    while (fgets(line, MAX_LINE, s->in)) {
        line[strcspn(line, "\r\n")] = '\0';
        dbprintf("> %s\n", line);
        if (!dispatch(s, line))
            break;
    }
    g_free(line);
}

/* Read the request (OPTIONS line) amandad gives on stdin, answer the
 * CONNECT line, and close stdout so amandad sends it as the REP. */
static gboolean
answer_request(void)
{
    g_autofree char *req = NULL;
    gsize len = 0;
    GIOChannel *ch = g_io_channel_unix_new(STDIN_FILENO);
    g_io_channel_read_to_end(ch, &req, &len, NULL);
    g_io_channel_unref(ch);
    dbprintf("request: %s\n", req ? req : "");
    if (full_write(STDOUT_FILENO, "CONNECT MESG 150\n\n", 18) != 18)
        return FALSE;
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        close(devnull);
    }
    return TRUE;
}

int
main(int argc, char **argv)
{
    g_set_prgname("amindexd");
    debug_open("server");
    dbprintf("started as amindexd %s %s\n", argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "");
    if (fcntl(MESG_OUT_FD, F_GETFD) < 0 || fcntl(MESG_IN_FD, F_GETFD) < 0) {
        fprintf(stderr, "amindexd: fds %d/%d are not open: amindexd is a service that "
                "amandad starts (list it in amandad's arguments)\n", MESG_OUT_FD, MESG_IN_FD);
        return 1;
    }
    if (!answer_request())
        return 1;
    Session s = { 0 };
    s.in = fdopen(MESG_IN_FD, "r");
    s.out = fdopen(MESG_OUT_FD, "w");
    s.date = g_strdup("today");
    char today[15];
    amanda_timestamp(time(NULL), today);
    today[8] = '\0';
    s.limit = indexd_date_limit(today);
    serve(&s);
    forget_disk(&s);
    g_clear_pointer(&s.dl, disklist_free);
    g_clear_pointer(&s.conf, conf_free);
    g_free(s.config);
    g_free(s.date);
    g_free(s.limit);
    g_free(s.host);
    g_free(s.indexdir);
    fclose(s.in);
    fclose(s.out);
    debug_close();
    return 0;
}
