/* logfile: writer, names and parser of the run log (see logfile.h). */
#include "config.h"
#include "logfile.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(logfile-error-quark, logfile_error)

static const char *const type_names[LOGFILE_L_COUNT] = {
    "BOGUS", "FATAL", "ERROR", "WARNING", "INFO", "SUMMARY", "START", "FINISH",
    "DISK", "DONE", "PART", "PARTPARTIAL", "SUCCESS", "PARTIAL", "FAIL",
    "STRANGE", "CHUNK", "CHUNKSUCCESS", "STATS", "CONT", "RETRY", "MARKER",
};

static const char *const program_names[LOGFILE_P_COUNT] = {
    "UNKNOWN", "planner", "driver", "amreport", "dumper", "chunker", "taper",
    "amflush", "amdump", "amidxtaped", "amfetchdump", "amcheckdump", "amvault",
    "amcleanup", "ambackupd", "amtrmidx", "amtrmlog",
};

const char *
logfile_type_name(logfile_type_t type)
{
    return (type >= 0 && type < LOGFILE_L_COUNT) ? type_names[type] : "BOGUS";
}

logfile_type_t
logfile_type_from_name(const char *name)
{
    for (int i = 1; i < LOGFILE_L_COUNT; i++)
        if (g_strcmp0(name, type_names[i]) == 0)
            return (logfile_type_t)i;
    return LOGFILE_L_BOGUS;
}

const char *
logfile_program_name(logfile_program_t prog)
{
    return (prog >= 0 && prog < LOGFILE_P_COUNT) ? program_names[prog] : "UNKNOWN";
}

logfile_program_t
logfile_program_from_name(const char *name)
{
    for (int i = 1; i < LOGFILE_P_COUNT; i++)
        if (g_strcmp0(name, program_names[i]) == 0)
            return (logfile_program_t)i;
    /* AMANDA writes the report program as "amreport"; older logs say "reporter" */
    if (g_strcmp0(name, "reporter") == 0)
        return LOGFILE_P_REPORTER;
    return LOGFILE_P_UNKNOWN;
}

/* ------------------------------------------------------------------ */
/* entries                                                            */

static void
stats_init(logfile_stats_t *s)
{
    s->present = FALSE;
    s->sec = s->kps = -1;
    s->kb = s->bytes = s->orig_kb = s->nkb = s->ckb = -1;
}

void
logfile_entry_init(logfile_entry_t *e)
{
    memset(e, 0, sizeof(*e));
    e->level = -1;
    e->filenum = -1;
    e->partnum = -1;
    e->totalparts = -1;
    stats_init(&e->stats);
}

void
logfile_entry_clear(logfile_entry_t *e)
{
    g_free(e->type_name);
    g_free(e->program_name);
    g_free(e->rest);
    g_free(e->storage);
    g_free(e->pool);
    g_free(e->host);
    g_free(e->disk);
    g_free(e->datestamp);
    g_free(e->label);
    g_free(e->message);
    if (e->cont)
        g_ptr_array_unref(e->cont);
    logfile_entry_init(e);
}

void
logfile_entry_free(logfile_entry_t *e)
{
    if (!e)
        return;
    logfile_entry_clear(e);
    g_free(e);
}

/* ------------------------------------------------------------------ */
/* parsing                                                            */

static gboolean
parse_int64(const char *s, gint64 *out)
{
    if (!s || !*s)
        return FALSE;
    char *end = NULL;
    errno = 0;
    gint64 v = g_ascii_strtoll(s, &end, 10);
    if (errno || *end)
        return FALSE;
    *out = v;
    return TRUE;
}

static gboolean
parse_int(const char *s, int *out)
{
    gint64 v;
    if (!parse_int64(s, &v) || v < G_MININT || v > G_MAXINT)
        return FALSE;
    *out = (int)v;
    return TRUE;
}

static gboolean
parse_double(const char *s, double *out)
{
    if (!s || !*s)
        return FALSE;
    char *end = NULL;
    double v = g_ascii_strtod(s, &end);
    if (*end)
        return FALSE;
    *out = v;
    return TRUE;
}

static gboolean
stats_set(logfile_stats_t *out, const char *key, const char *val)
{
    if (strcmp(key, "sec") == 0)
        return parse_double(val, &out->sec);
    if (strcmp(key, "kps") == 0)
        return parse_double(val, &out->kps);
    if (strcmp(key, "kb") == 0)
        return parse_int64(val, &out->kb);
    if (strcmp(key, "bytes") == 0)
        return parse_int64(val, &out->bytes);
    if (strcmp(key, "orig-kb") == 0)
        return parse_int64(val, &out->orig_kb);
    if (strcmp(key, "nkb") == 0)
        return parse_int64(val, &out->nkb);
    if (strcmp(key, "ckb") == 0)
        return parse_int64(val, &out->ckb);
    return FALSE;
}

gboolean
logfile_parse_stats(const char *text, logfile_stats_t *out)
{
    stats_init(out);
    g_autofree char *copy = g_strdup(text ? text : "");
    char *s = g_strstrip(copy);
    gsize n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s[n - 1] = '\0';
        s++;
    }
    g_auto(GStrv) words = g_strsplit_set(s, " \t", -1);
    const char *key = NULL;
    gboolean any = FALSE;
    for (char **w = words; *w; w++) {
        if (**w == '\0')
            continue;
        if (!key) {
            key = *w;
            continue;
        }
        if (!stats_set(out, key, *w))
            return FALSE;
        any = TRUE;
        key = NULL;
    }
    if (key || !any)
        return FALSE;
    out->present = TRUE;
    return TRUE;
}

/* A cursor over the REST of a line: tokens are AMANDA-quoted words. */
typedef struct {
    const char *p;
} cursor_t;

static char *
next_tok(cursor_t *c)
{
    return next_quoted_token(&c->p);
}

static const char *
rest_of(cursor_t *c)
{
    while (*c->p == ' ' || *c->p == '\t')
        c->p++;
    return c->p;
}

/* Optional "ST:<storage>" "POOL:<pool>" prefix of 3.5 taper lines. */
static void
take_storage_pool(logfile_entry_t *e, cursor_t *c)
{
    for (int i = 0; i < 2; i++) {
        cursor_t probe = *c;
        g_autofree char *t = next_tok(&probe);
        if (!t)
            return;
        if (g_str_has_prefix(t, "ST:") && !e->storage)
            e->storage = g_strdup(t + 3);
        else if (g_str_has_prefix(t, "POOL:") && !e->pool)
            e->pool = g_strdup(t + 5);
        else
            return;
        *c = probe;
    }
}

static gboolean
looks_like_crc(const char *t)
{
    const char *colon = strchr(t, ':');
    if (!colon || colon == t)
        return FALSE;
    for (const char *q = t; q < colon; q++)
        if (!g_ascii_isxdigit(*q))
            return FALSE;
    gint64 v;
    return parse_int64(colon + 1, &v);
}

/* After the fixed fields: CRC words, then "[stats]" and a message. */
static void
take_tail(logfile_entry_t *e, cursor_t *c)
{
    for (;;) {
        cursor_t probe = *c;
        g_autofree char *t = next_tok(&probe);
        if (!t || !looks_like_crc(t))
            break;
        *c = probe;
    }
    const char *r = rest_of(c);
    if (e->type == LOGFILE_L_FAIL) {
        gsize n = strlen(r);
        if (n >= 2 && r[0] == '[' && r[n - 1] == ']')
            e->message = g_strndup(r + 1, n - 2);
        else
            e->message = g_strdup(r);
        return;
    }
    const char *close = (*r == '[') ? strchr(r, ']') : NULL;
    if (close) {
        g_autofree char *inner = g_strndup(r, (gsize)(close - r + 1));
        if (logfile_parse_stats(inner, &e->stats))
            r = close + 1;
    }
    while (*r == ' ')
        r++;
    if (*r)
        e->message = g_strdup(r);
}

static gboolean
take_host_disk_ts(logfile_entry_t *e, cursor_t *c)
{
    e->host = next_tok(c);
    e->disk = next_tok(c);
    e->datestamp = next_tok(c);
    return e->datestamp != NULL;
}

static gboolean
take_level(logfile_entry_t *e, cursor_t *c)
{
    g_autofree char *t = next_tok(c);
    return parse_int(t, &e->level);
}

/* PART / PARTPARTIAL: label filenum host disk ts k/n level [stats] msg */
static void
parse_part(logfile_entry_t *e, cursor_t *c)
{
    take_storage_pool(e, c);
    e->label = next_tok(c);
    g_autofree char *fn = next_tok(c);
    if (!parse_int64(fn, &e->filenum) || !take_host_disk_ts(e, c))
        return;
    g_autofree char *kn = next_tok(c);
    if (!kn || sscanf(kn, "%d/%d", &e->partnum, &e->totalparts) != 2)
        return;
    if (!take_level(e, c))
        return;
    e->has_dump = TRUE;
    take_tail(e, c);
}

/* SUCCESS, DONE, PARTIAL, FAIL, STRANGE, CHUNK..., RETRY: host disk ts
 * [nparts|chunk] level ...  Taper DONE/PARTIAL carry the part count and
 * CHUNK the chunk number before the level. */
static void
parse_dump(logfile_entry_t *e, cursor_t *c)
{
    take_storage_pool(e, c);
    if (!take_host_disk_ts(e, c))
        return;
    gboolean counted = (e->program == LOGFILE_P_TAPER &&
                        (e->type == LOGFILE_L_DONE || e->type == LOGFILE_L_PARTIAL)) ||
                       e->type == LOGFILE_L_CHUNK;
    if (counted) {
        g_autofree char *t = next_tok(c);
        int n;
        if (!parse_int(t, &n))
            return;
        if (e->type == LOGFILE_L_CHUNK)
            e->partnum = n;
        else
            e->totalparts = n;
    }
    if (!take_level(e, c))
        return;
    e->has_dump = TRUE;
    take_tail(e, c);
}

/* START: "date <ts>" or "datestamp <ts> [ST POOL] label <L> tape <n>";
 * FINISH: "date <ts> time <s>". */
static void
parse_start_finish(logfile_entry_t *e, cursor_t *c)
{
    g_autofree char *kw = next_tok(c);
    if (!kw || (strcmp(kw, "date") != 0 && strcmp(kw, "datestamp") != 0))
        return;
    e->datestamp = next_tok(c);
    take_storage_pool(e, c);
    for (;;) {
        g_autofree char *k = next_tok(c);
        if (!k)
            break;
        g_autofree char *v = next_tok(c);
        if (!v)
            break;
        if (strcmp(k, "label") == 0 && !e->label)
            e->label = g_steal_pointer(&v);
        else if (strcmp(k, "tape") == 0)
            parse_int64(v, &e->filenum);
        else if (strcmp(k, "time") == 0)
            parse_double(v, &e->stats.sec);
    }
}

static void
parse_fields(logfile_entry_t *e)
{
    cursor_t c = { e->rest };
    switch (e->type) {
    case LOGFILE_L_START:
    case LOGFILE_L_FINISH:
        parse_start_finish(e, &c);
        break;
    case LOGFILE_L_DISK:
        e->host = next_tok(&c);
        e->disk = next_tok(&c);
        break;
    case LOGFILE_L_PART:
    case LOGFILE_L_PARTPARTIAL:
        parse_part(e, &c);
        break;
    case LOGFILE_L_STATS: {
        cursor_t probe = c;
        g_autofree char *kw = next_tok(&probe);
        if (g_strcmp0(kw, "estimate") == 0) {
            c = probe;
            parse_dump(e, &c);
        }
        break;
    }
    case LOGFILE_L_SUCCESS: case LOGFILE_L_DONE: case LOGFILE_L_PARTIAL:
    case LOGFILE_L_FAIL: case LOGFILE_L_STRANGE: case LOGFILE_L_CHUNK:
    case LOGFILE_L_CHUNKSUCCESS: case LOGFILE_L_RETRY:
        parse_dump(e, &c);
        break;
    default:
        break;
    }
}

gboolean
logfile_is_continuation(const char *line, gsize len)
{
    return len >= 2 && line[0] == ' ' && line[1] == ' ';
}

gboolean
logfile_parse_line(const char *line, gsize len, logfile_entry_t *out, GError **error)
{
    logfile_entry_init(out);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (len == 0 || logfile_is_continuation(line, len) || memchr(line, '\0', len) ||
        memchr(line, '\n', len)) {
        g_set_error(error, LOGFILE_ERROR, LOGFILE_ERROR_SYNTAX,
                    "log line is empty, a continuation or holds a NUL byte or newline");
        return FALSE;
    }
    g_autofree char *copy = g_strndup(line, len);
    char *sp1 = strchr(copy, ' ');
    char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
    if (!sp1 || sp1 == copy || sp1[1] == ' ' || sp1[1] == '\0') {
        g_set_error(error, LOGFILE_ERROR, LOGFILE_ERROR_SYNTAX,
                    "log line \"%.40s\" is not \"TYPE program ...\"", copy);
        return FALSE;
    }
    out->type_name = g_strndup(copy, (gsize)(sp1 - copy));
    out->program_name = sp2 ? g_strndup(sp1 + 1, (gsize)(sp2 - sp1 - 1)) : g_strdup(sp1 + 1);
    out->rest = g_strdup(sp2 ? sp2 + 1 : "");
    out->type = logfile_type_from_name(out->type_name);
    out->program = logfile_program_from_name(out->program_name);
    parse_fields(out);
    return TRUE;
}

static void
attach_continuation(GPtrArray *entries, const char *line, gsize len)
{
    if (entries->len == 0)
        return;
    logfile_entry_t *prev = g_ptr_array_index(entries, entries->len - 1);
    if (!prev->cont)
        prev->cont = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(prev->cont, g_strndup(line + 2, len - 2));
}

static void
warn(GPtrArray *warnings, const char *name, int lineno, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
warn(GPtrArray *warnings, const char *name, int lineno, const char *fmt, ...)
{
    if (!warnings)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(warnings, g_strdup_printf("%s:%d: %s", name ? name : "log", lineno, msg));
}

GPtrArray *
logfile_parse_buffer_warn(const char *buf, gsize len, const char *name, GPtrArray *warnings)
{
    GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)logfile_entry_free);
    gsize pos = 0;
    int lineno = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        lineno++;
        if (!nl) {
            /* the writer died mid-line; the next run starts a new log */
            warn(warnings, name, lineno, "last line has no newline (torn write); ignored");
            break;
        }
        const char *line = buf + pos;
        gsize n = (gsize)(nl - line);
        pos += n + 1;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (logfile_is_continuation(line, n)) {
            if (entries->len == 0)
                warn(warnings, name, lineno, "continuation line before any entry; ignored");
            attach_continuation(entries, line, n);
            continue;
        }
        logfile_entry_t *e = g_new(logfile_entry_t, 1);
        GError *err = NULL;
        if (logfile_parse_line(line, n, e, &err)) {
            g_ptr_array_add(entries, e);
        } else {
            warn(warnings, name, lineno, "%s; line ignored", err->message);
            g_error_free(err);
            logfile_entry_free(e);
        }
    }
    return entries;
}

GPtrArray *
logfile_parse_buffer(const char *buf, gsize len)
{
    return logfile_parse_buffer_warn(buf, len, NULL, NULL);
}

GPtrArray *
logfile_read(const char *path, GError **error)
{
    return logfile_read_warn(path, NULL, error);
}

GPtrArray *
logfile_read_warn(const char *path, GPtrArray *warnings, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        g_set_error(error, LOGFILE_ERROR, LOGFILE_ERROR_IO, "cannot read log %s: %s",
                    path, err->message);
        g_error_free(err);
        return NULL;
    }
    return logfile_parse_buffer_warn(buf, len, path, warnings);
}

char *
logfile_format_line(logfile_type_t type, logfile_program_t prog, const char *rest)
{
    GString *s = g_string_new(logfile_type_name(type));
    g_string_append_c(s, ' ');
    g_string_append(s, logfile_program_name(prog));
    if (rest && *rest) {
        g_string_append_c(s, ' ');
        for (const char *p = rest; *p; p++) {
            if (*p == '\n') {
                if (p[1] != '\0')
                    g_string_append(s, "\n  ");
            } else {
                g_string_append_c(s, *p);
            }
        }
    }
    g_string_append_c(s, '\n');
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------ */
/* writing                                                            */

struct logfile {
    char *path;
    int fd;
    gboolean sync_each_line;
};

static void
set_io_error(GError **error, const char *what, const char *path, int err)
{
    g_set_error(error, LOGFILE_ERROR, LOGFILE_ERROR_IO, "%s %s: %s", what, path,
                g_strerror(err));
}

static gboolean
lock_fd(int fd, short type)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    while (fcntl(fd, F_SETLKW, &fl) < 0) {
        if (errno != EINTR)
            return FALSE;
    }
    return TRUE;
}

/* A writer that died mid-line left the log without a final newline:
 * end that line so the next one (amcleanup's, say) starts clean.  Done
 * under the append lock so two openers add one newline, not two. */
static gboolean
end_torn_line(int fd)
{
    struct stat st;
    char last = '\n';
    if (!lock_fd(fd, F_WRLCK))
        return FALSE;
    gboolean ok = fstat(fd, &st) == 0;
    if (ok && st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n')
        ok = full_write(fd, "\n", 1) == 1 && fdatasync(fd) == 0;
    lock_fd(fd, F_UNLCK);
    return ok;
}

logfile_t *
logfile_open(const char *path, GError **error)
{
    int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        set_io_error(error, "cannot open log", path, errno);
        return NULL;
    }
    if (!end_torn_line(fd)) {
        set_io_error(error, "cannot repair the last line of log", path, errno);
        close(fd);
        return NULL;
    }
    logfile_t *log = g_new0(logfile_t, 1);
    log->path = g_strdup(path);
    log->fd = fd;
    log->sync_each_line = TRUE;
    return log;
}

const char *
logfile_path(const logfile_t *log)
{
    return log->path;
}

void
logfile_close(logfile_t *log)
{
    if (!log)
        return;
    if (log->fd >= 0)
        close(log->fd);
    g_free(log->path);
    g_free(log);
}

gboolean
logfile_add_v(logfile_t *log, logfile_type_t type, logfile_program_t prog,
              GError **error, const char *fmt, va_list ap)
{
    g_autofree char *rest = g_strdup_vprintf(fmt, ap);
    g_autofree char *line = logfile_format_line(type, prog, rest);
    gsize len = strlen(line);
    if (!lock_fd(log->fd, F_WRLCK)) {
        set_io_error(error, "cannot lock log", log->path, errno);
        return FALSE;
    }
    ssize_t n = full_write(log->fd, line, len);
    int saved = errno;
    /* each line is on disk before the next step runs: a crash loses at
     * most the line being written, never one a later action relied on */
    gboolean synced = n >= 0 && (gsize)n == len &&
                      (!log->sync_each_line || fdatasync(log->fd) == 0);
    if (!synced && n >= 0 && (gsize)n == len)
        saved = errno;
    lock_fd(log->fd, F_UNLCK);
    if (n < 0 || (gsize)n != len) {
        set_io_error(error, "cannot append to log", log->path, n < 0 ? saved : EIO);
        return FALSE;
    }
    if (!synced) {
        set_io_error(error, "cannot sync log", log->path, saved);
        return FALSE;
    }
    return TRUE;
}

void
logfile_set_sync(logfile_t *log, gboolean sync_each_line)
{
    log->sync_each_line = sync_each_line;
}

gboolean
logfile_sync(logfile_t *log, GError **error)
{
    if (fdatasync(log->fd) == 0)
        return TRUE;
    set_io_error(error, "cannot sync log", log->path, errno);
    return FALSE;
}

gboolean
logfile_add(logfile_t *log, logfile_type_t type, logfile_program_t prog,
            GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gboolean ok = logfile_add_v(log, type, prog, error, fmt, ap);
    va_end(ap);
    return ok;
}

/* ------------------------------------------------------------------ */
/* names                                                              */

char *
logfile_create_new(const char *logdir, const char *timestamp, GError **error)
{
    for (int n = 0; n < 100000; n++) {
        g_autofree char *name = g_strdup_printf("log.%s.%d", timestamp, n);
        char *path = g_build_filename(logdir, name, NULL);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0) {
            close(fd);
            return path;
        }
        int saved = errno;
        if (saved != EEXIST) {
            set_io_error(error, "cannot create log", path, saved);
            g_free(path);
            return NULL;
        }
        g_free(path);
    }
    g_set_error(error, LOGFILE_ERROR, LOGFILE_ERROR_IO,
                "%s: no free log.%s.<n> name", logdir, timestamp);
    return NULL;
}

gboolean
logfile_link_current(const char *logdir, const char *name, GError **error)
{
    g_autofree char *link = g_build_filename(logdir, "log", NULL);
    g_autofree char *tmp = g_strdup_printf("%s.%ld.tmp", link, (long)getpid());
    unlink(tmp);
    if (symlink(name, tmp) < 0) {
        set_io_error(error, "cannot create link", tmp, errno);
        return FALSE;
    }
    if (rename(tmp, link) < 0) {
        int saved = errno;
        unlink(tmp);
        set_io_error(error, "cannot rename link to", link, saved);
        return FALSE;
    }
    int dfd = open(logdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) { /* the new link survives a crash */
        fsync(dfd);
        close(dfd);
    }
    return TRUE;
}

gboolean
logfile_rotate(const char *logdir, const char *name, GError **error)
{
    g_autofree char *olddir = g_build_filename(logdir, "oldlog", NULL);
    if (!mkdir_p(olddir, 0700, error))
        return FALSE;
    g_autofree char *from = g_build_filename(logdir, name, NULL);
    g_autofree char *to = g_build_filename(olddir, name, NULL);
    if (rename(from, to) < 0) {
        set_io_error(error, "cannot move log to oldlog:", from, errno);
        return FALSE;
    }
    return TRUE;
}

gboolean
logfile_name_split(const char *name, char **timestamp, int *seq)
{
    if (!g_str_has_prefix(name, "log."))
        return FALSE;
    const char *ts = name + 4;
    const char *dot = strchr(ts, '.');
    if (!dot || dot == ts)
        return FALSE;
    for (const char *p = ts; p < dot; p++)
        if (!g_ascii_isdigit(*p))
            return FALSE;
    int n;
    if (!parse_int(dot + 1, &n) || n < 0)
        return FALSE;
    if (timestamp)
        *timestamp = g_strndup(ts, (gsize)(dot - ts));
    if (seq)
        *seq = n;
    return TRUE;
}

static gint
compare_log_names(gconstpointer a, gconstpointer b)
{
    const char *na = *(const char *const *)a, *nb = *(const char *const *)b;
    g_autofree char *ta = NULL, *tb = NULL;
    int sa = 0, sb = 0;
    logfile_name_split(na, &ta, &sa);
    logfile_name_split(nb, &tb, &sb);
    gsize la = strlen(ta), lb = strlen(tb);
    if (la != lb) /* 8-digit dates of old logs sort before 14-digit ones of that day */
        return strncmp(ta, tb, MIN(la, lb)) != 0 ? strncmp(ta, tb, MIN(la, lb))
                                                 : (la < lb ? -1 : 1);
    int c = strcmp(ta, tb);
    return c ? c : (sa > sb) - (sa < sb);
}

GPtrArray *
logfile_list(const char *dir, GError **error)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GError *err = NULL;
    GDir *d = g_dir_open(dir, 0, &err);
    if (!d) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            g_error_free(err);
            return names;
        }
        g_set_error(error, LOGFILE_ERROR, LOGFILE_ERROR_IO, "cannot list %s: %s", dir,
                    err->message);
        g_error_free(err);
        g_ptr_array_unref(names);
        return NULL;
    }
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (logfile_name_split(name, NULL, NULL))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_dir_close(d);
    g_ptr_array_sort(names, compare_log_names);
    return names;
}
