/* curinfo: per-DLE info files (see curinfo.h). */
#include "config.h"
#include "curinfo.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

G_DEFINE_QUARK(curinfo-error-quark, curinfo_error)

static void
perf_init(curinfo_perf_t *p)
{
    for (int i = 0; i < CURINFO_AVG_COUNT; i++)
        p->rate[i] = p->comp[i] = -1.0;
}

static void
stats_reset(curinfo_stats_t *s)
{
    g_free(s->label);
    s->label = NULL;
    s->size = s->csize = s->secs = s->date = -1;
    s->filenum = 0;
}

void
curinfo_init(curinfo_t *info)
{
    memset(info, 0, sizeof(*info));
    perf_init(&info->full);
    perf_init(&info->incr);
    for (int l = 0; l < CURINFO_LEVELS; l++)
        stats_reset(&info->inf[l]);
    info->last_level = -1;
    info->consecutive_runs = -1;
}

void
curinfo_clear(curinfo_t *info)
{
    for (int l = 0; l < CURINFO_LEVELS; l++)
        g_free(info->inf[l].label);
    curinfo_init(info);
}

curinfo_t *
curinfo_new(void)
{
    curinfo_t *info = g_new(curinfo_t, 1);
    curinfo_init(info);
    return info;
}

void
curinfo_free(curinfo_t *info)
{
    if (!info)
        return;
    curinfo_clear(info);
    g_free(info);
}

/* ------------------------------------------------------------------ */
/* parsing                                                            */

static gboolean
num64(const char *s, gint64 *out)
{
    if (!s || !*s)
        return FALSE;
    char *end;
    errno = 0;
    *out = g_ascii_strtoll(s, &end, 10);
    return errno == 0 && *end == '\0';
}

static gboolean
num_int(const char *s, int *out)
{
    gint64 v;
    if (!num64(s, &v) || v < G_MININT || v > G_MAXINT)
        return FALSE;
    *out = (int)v;
    return TRUE;
}

static gboolean
parse_perf_values(char **w, double *vals)
{
    int n = 0;
    for (; *w; w++) {
        if (n == CURINFO_AVG_COUNT)
            return FALSE;
        char *end;
        double v = g_ascii_strtod(*w, &end);
        if (*end || end == *w)
            return FALSE;
        vals[n++] = v < 0 ? -1.0 : v; /* amadmin writes unset values as -1 */
    }
    return TRUE;
}

static gboolean
parse_stats(char **w, curinfo_t *info)
{
    guint n = g_strv_length(w);
    int level;
    if ((n != 5 && n != 7) || !num_int(w[0], &level) || level < 0 || level >= CURINFO_LEVELS)
        return FALSE;
    curinfo_stats_t *s = &info->inf[level];
    if (!num64(w[1], &s->size) || !num64(w[2], &s->csize) || !num64(w[3], &s->secs) ||
        !num64(w[4], &s->date))
        return FALSE;
    g_free(s->label);
    s->label = NULL;
    if (n == 7) {
        if (!num64(w[5], &s->filenum))
            return FALSE;
        s->label = g_strdup(w[6]);
    }
    return TRUE;
}

static gboolean
parse_history(char **w, curinfo_t *info)
{
    curinfo_history_t h;
    if (g_strv_length(w) != 5 || !num_int(w[0], &h.level) || !num64(w[1], &h.size) ||
        !num64(w[2], &h.csize) || !num64(w[3], &h.date) || !num64(w[4], &h.secs))
        return FALSE;
    if (info->nhistory < CURINFO_NB_HISTORY)
        info->history[info->nhistory++] = h;
    return TRUE;
}

static double *
perf_slot(curinfo_t *info, const char *key)
{
    if (strcmp(key, "full-rate") == 0) return info->full.rate;
    if (strcmp(key, "full-comp") == 0) return info->full.comp;
    if (strcmp(key, "incr-rate") == 0) return info->incr.rate;
    if (strcmp(key, "incr-comp") == 0) return info->incr.comp;
    return NULL;
}

/* One "key: values" line; FALSE when the values do not fit the key. */
static gboolean
parse_info_line(curinfo_t *info, const char *key, char **w)
{
    double *perf = perf_slot(info, key);
    if (perf)
        return parse_perf_values(w, perf);
    if (strcmp(key, "version") == 0) {
        int v;
        return g_strv_length(w) == 1 && num_int(w[0], &v);
    }
    if (strcmp(key, "command") == 0) {
        gint64 v;
        if (g_strv_length(w) != 1 || !num64(w[0], &v) || v < 0 || v > G_MAXUINT)
            return FALSE;
        info->command = (guint)v;
        return TRUE;
    }
    if (strcmp(key, "stats") == 0)
        return parse_stats(w, info);
    if (strcmp(key, "last_level") == 0)
        return g_strv_length(w) == 2 && num_int(w[0], &info->last_level) &&
               num_int(w[1], &info->consecutive_runs);
    if (strcmp(key, "history") == 0)
        return parse_history(w, info);
    return TRUE; /* a key of a newer version: skip it */
}

/* What a line of KEY must look like, for error messages. */
static const char *
expected_shape(const char *key)
{
    if (g_str_has_suffix(key, "-rate") || g_str_has_suffix(key, "-comp"))
        return "up to 3 numbers";
    if (strcmp(key, "stats") == 0)
        return "LEVEL ORIG-KB OUT-KB SECS EPOCH [FILENUM LABEL]";
    if (strcmp(key, "history") == 0)
        return "LEVEL ORIG-KB OUT-KB EPOCH SECS";
    if (strcmp(key, "last_level") == 0)
        return "LEVEL RUNS";
    return "one number";
}

static void
syntax_error(GError **error, const char *name, int lineno, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

/* "NAME:LINE: what; what to do" (or "line LINE: ..." without a name). */
static void
syntax_error(GError **error, const char *name, int lineno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (name)
        g_set_error(error, CURINFO_ERROR, CURINFO_ERROR_SYNTAX,
                    "%s:%d: %s; fix the line, or delete the file to forget the DLE's history",
                    name, lineno, msg);
    else
        g_set_error(error, CURINFO_ERROR, CURINFO_ERROR_SYNTAX, "line %d: %s", lineno, msg);
}

static gboolean
parse_one(curinfo_t *info, const char *line, const char *name, int lineno, GError **error)
{
    const char *colon = strchr(line, ':');
    if (!colon) {
        syntax_error(error, name, lineno, "expected \"key: values\"");
        return FALSE;
    }
    g_autofree char *key = g_strndup(line, (gsize)(colon - line));
    g_auto(GStrv) w = g_strsplit_set(colon + 1, " \t", -1);
    /* drop empty words from repeated blanks */
    int j = 0;
    for (int i = 0; w[i]; i++) {
        if (*w[i])
            w[j++] = w[i];
        else
            g_free(w[i]);
    }
    w[j] = NULL;
    if (!parse_info_line(info, key, w)) {
        syntax_error(error, name, lineno, "bad values for \"%s\" (expected \"%s: %s\")", key,
                     key, expected_shape(key));
        return FALSE;
    }
    return TRUE;
}

gboolean
curinfo_parse(const char *buf, gsize len, curinfo_t *out, GError **error)
{
    return curinfo_parse_named(buf, len, NULL, out, error);
}

gboolean
curinfo_parse_named(const char *buf, gsize len, const char *name, curinfo_t *out,
                    GError **error)
{
    curinfo_clear(out);
    gsize pos = 0;
    int lineno = 0;
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (!nl)
            break; /* torn last line */
        gsize n = (gsize)(nl - (buf + pos));
        if (memchr(buf + pos, '\0', n)) {
            syntax_error(error, name, lineno + 1, "NUL byte in text");
            curinfo_clear(out);
            return FALSE;
        }
        g_autofree char *line = g_strndup(buf + pos, n);
        pos += n + 1;
        lineno++;
        g_strchomp(line);
        if (strcmp(line, "//") == 0)
            return TRUE;
        if (*line == '\0')
            continue;
        if (!parse_one(out, line, name, lineno, error)) {
            curinfo_clear(out);
            return FALSE;
        }
    }
    return TRUE;
}

/* ------------------------------------------------------------------ */
/* formatting                                                         */

static char *format_styled(const curinfo_t *info, gboolean amadmin_style);

/* The driver leaves unset values out; amadmin writes all three, unset
 * ones as "-1" (both seen from AMANDA 3.5.1). */
static void
format_perf(GString *s, const char *key, const double *vals, gboolean amadmin_style)
{
    g_string_append_printf(s, "%s:", key);
    for (int i = 0; i < CURINFO_AVG_COUNT; i++) {
        if (vals[i] >= 0) {
            char num[400]; /* "%f" of the largest double is ~320 characters */
            g_ascii_formatd(num, sizeof(num), "%f", vals[i]);
            g_string_append_printf(s, " %s", num);
        } else if (amadmin_style) {
            g_string_append(s, " -1");
        }
    }
    g_string_append_c(s, '\n');
}

char *
curinfo_format(const curinfo_t *info)
{
    return format_styled(info, FALSE);
}

char *
curinfo_format_amadmin(const curinfo_t *info)
{
    return format_styled(info, TRUE);
}

static char *
format_styled(const curinfo_t *info, gboolean amadmin_style)
{
    GString *s = g_string_new("version: 0\n");
    g_string_append_printf(s, "command: %u\n", info->command);
    format_perf(s, "full-rate", info->full.rate, amadmin_style);
    format_perf(s, "full-comp", info->full.comp, amadmin_style);
    format_perf(s, "incr-rate", info->incr.rate, amadmin_style);
    format_perf(s, "incr-comp", info->incr.comp, amadmin_style);
    for (int l = 0; l < CURINFO_LEVELS; l++) {
        const curinfo_stats_t *st = &info->inf[l];
        if (st->date < 0 && !st->label)
            continue;
        g_string_append_printf(s, "stats: %d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                               " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
                               l, st->size, st->csize, st->secs, st->date);
        if (st->label && *st->label)
            g_string_append_printf(s, " %" G_GINT64_FORMAT " %s", st->filenum, st->label);
        g_string_append_c(s, '\n');
    }
    g_string_append_printf(s, "last_level: %d %d\n", info->last_level, info->consecutive_runs);
    for (int i = 0; i < info->nhistory; i++) {
        const curinfo_history_t *h = &info->history[i];
        g_string_append_printf(s, "history: %d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                               " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                               h->level, h->size, h->csize, h->date, h->secs);
    }
    g_string_append(s, "//\n");
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------ */
/* updates (pure)                                                     */

static void
push_value(double *vals, double v)
{
    for (int i = CURINFO_AVG_COUNT - 1; i > 0; i--)
        vals[i] = vals[i - 1];
    vals[0] = v;
}

void
curinfo_record_dump(curinfo_t *info, const curinfo_dump_t *d)
{
    if (d->level < 0 || d->level >= CURINFO_LEVELS)
        return;
    curinfo_perf_t *perf = d->level == 0 ? &info->full : &info->incr;
    if (d->compressed && d->orig_kb > 0)
        push_value(perf->comp, (double)d->out_kb / (double)d->orig_kb);
    if (d->secs > 0)
        push_value(perf->rate, d->secs >= d->out_kb ? 1.0 : (double)d->out_kb / (double)d->secs);
    for (int l = d->level; l < CURINFO_LEVELS; l++)
        stats_reset(&info->inf[l]);
    curinfo_stats_t *st = &info->inf[d->level];
    st->size = d->orig_kb;
    st->csize = d->out_kb;
    st->secs = d->secs;
    st->date = d->date;
    if (info->last_level == d->level) {
        info->consecutive_runs++;
    } else {
        info->last_level = d->level;
        info->consecutive_runs = 1;
    }
    int keep = MIN(info->nhistory, CURINFO_NB_HISTORY - 1);
    memmove(&info->history[1], &info->history[0], (gsize)keep * sizeof(curinfo_history_t));
    info->history[0] = (curinfo_history_t){ d->level, d->orig_kb, d->out_kb, d->date, d->secs };
    info->nhistory = keep + 1;
    if (d->level == 0)
        info->command &= ~(guint)CURINFO_FORCE_FULL;
    if (d->level == 1)
        info->command &= ~(guint)CURINFO_FORCE_LEVEL_1;
    info->command &= ~(guint)(CURINFO_FORCE_BUMP | CURINFO_FORCE_NO_BUMP);
}

void
curinfo_set_tape(curinfo_t *info, int level, gint64 filenum, const char *label)
{
    if (level < 0 || level >= CURINFO_LEVELS)
        return;
    g_free(info->inf[level].label);
    info->inf[level].label = g_strdup(label);
    info->inf[level].filenum = filenum;
}

/* ------------------------------------------------------------------ */
/* files                                                              */

char *
curinfo_dir(const char *infodir, const char *host, const char *disk)
{
    g_autofree char *h = sanitise_filename(host);
    g_autofree char *d = sanitise_filename(disk);
    return g_build_filename(infodir, h, d, NULL);
}

char *
curinfo_path(const char *infodir, const char *host, const char *disk)
{
    g_autofree char *dir = curinfo_dir(infodir, host, disk);
    return g_build_filename(dir, "info", NULL);
}

static gboolean
io_error(GError **error, const char *what, const char *path, int err)
{
    g_set_error(error, CURINFO_ERROR, CURINFO_ERROR_IO, "%s %s: %s", what, path,
                g_strerror(err));
    return FALSE;
}

static gboolean
read_path(const char *path, curinfo_t *out, gboolean *exists, GError **error)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    GError *err = NULL;
    if (exists)
        *exists = FALSE;
    if (!g_file_get_contents(path, &buf, &len, &err)) {
        gboolean missing = g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT);
        g_set_error(error, CURINFO_ERROR, CURINFO_ERROR_IO, "cannot read %s: %s", path,
                    err->message);
        g_error_free(err);
        curinfo_clear(out);
        if (missing)
            g_clear_error(error);
        return missing;
    }
    if (exists)
        *exists = TRUE;
    return curinfo_parse_named(buf, len, path, out, error);
}

gboolean
curinfo_read(const char *infodir, const char *host, const char *disk, curinfo_t *out,
             gboolean *exists, GError **error)
{
    g_autofree char *path = curinfo_path(infodir, host, disk);
    return read_path(path, out, exists, error);
}

/* Write TEXT to DIR/info through DIR/info.tmp.<pid>, fsync, rename. */
static gboolean
replace_info(const char *dir, const char *text, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "info", NULL);
    g_autofree char *tmp = g_strdup_printf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return io_error(error, "cannot create", tmp, errno);
    gsize len = strlen(text);
    ssize_t n = full_write(fd, text, len);
    int saved = errno;
    if (n < 0 || (gsize)n != len || fsync(fd) < 0) {
        saved = (n >= 0 && (gsize)n != len) ? EIO : errno ? errno : saved;
        close(fd);
        unlink(tmp);
        return io_error(error, "cannot write", tmp, saved);
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        saved = errno;
        unlink(tmp);
        return io_error(error, "cannot replace", path, saved);
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return TRUE;
}

/* Temp files of writers killed mid-way: nobody else writes while we hold
 * the DLE's lock, so every "info.tmp.*" there is stale. */
static void
remove_stale_temps(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        if (g_str_has_prefix(name, "info.tmp.")) {
            g_autofree char *path = g_build_filename(dir, name, NULL);
            unlink(path);
        }
    }
    g_dir_close(d);
}

/* flock on the DLE directory (created as needed); returns the fd or -1. */
static int
lock_dir(const char *dir, GError **error)
{
    if (!mkdir_p(dir, 0755, error))
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        io_error(error, "cannot open", dir, errno);
        return -1;
    }
    while (flock(fd, LOCK_EX) < 0) {
        if (errno != EINTR) {
            io_error(error, "cannot lock", dir, errno);
            close(fd);
            return -1;
        }
    }
    remove_stale_temps(dir);
    return fd;
}

static void
unlock_dir(int fd)
{
    flock(fd, LOCK_UN);
    close(fd);
}

gboolean
curinfo_write(const char *infodir, const char *host, const char *disk, const curinfo_t *info,
              GError **error)
{
    g_autofree char *dir = curinfo_dir(infodir, host, disk);
    int lk = lock_dir(dir, error);
    if (lk < 0)
        return FALSE;
    g_autofree char *text = curinfo_format(info);
    gboolean ok = replace_info(dir, text, error);
    unlock_dir(lk);
    return ok;
}

static gboolean
update_styled(const char *infodir, const char *host, const char *disk, curinfo_update_fn fn,
              gpointer data, gboolean amadmin_style, GError **error)
{
    g_autofree char *dir = curinfo_dir(infodir, host, disk);
    int lk = lock_dir(dir, error);
    if (lk < 0)
        return FALSE;
    g_autofree char *path = g_build_filename(dir, "info", NULL);
    g_autoptr(curinfo_t) info = curinfo_new();
    gboolean ok = read_path(path, info, NULL, error) && fn(info, data, error);
    if (ok) {
        g_autofree char *text = format_styled(info, amadmin_style);
        ok = replace_info(dir, text, error);
    }
    unlock_dir(lk);
    return ok;
}

gboolean
curinfo_update(const char *infodir, const char *host, const char *disk, curinfo_update_fn fn,
               gpointer data, GError **error)
{
    return update_styled(infodir, host, disk, fn, data, FALSE, error);
}

typedef struct {
    guint set, clear, old;
} command_change_t;

static gboolean
change_command(curinfo_t *info, gpointer data, GError **error)
{
    (void)error;
    command_change_t *c = data;
    c->old = info->command;
    info->command = (info->command | c->set) & ~c->clear;
    return TRUE;
}

gboolean
curinfo_set_command(const char *infodir, const char *host, const char *disk, guint set,
                    guint clear, guint *old, GError **error)
{
    command_change_t c = { set, clear, 0 };
    if (!update_styled(infodir, host, disk, change_command, &c, TRUE, error))
        return FALSE;
    if (old)
        *old = c.old;
    return TRUE;
}

void
curinfo_dle_free(curinfo_dle_t *d)
{
    if (!d)
        return;
    g_free(d->host);
    g_free(d->disk);
    g_free(d);
}

static void
list_host(const char *infodir, const char *host, GPtrArray *out)
{
    g_autofree char *hdir = g_build_filename(infodir, host, NULL);
    GDir *d = g_dir_open(hdir, 0, NULL);
    if (!d)
        return;
    const char *disk;
    while ((disk = g_dir_read_name(d)) != NULL) {
        g_autofree char *info = g_build_filename(hdir, disk, "info", NULL);
        if (!g_file_test(info, G_FILE_TEST_IS_REGULAR))
            continue;
        curinfo_dle_t *e = g_new0(curinfo_dle_t, 1);
        e->host = g_strdup(host);
        e->disk = g_strdup(disk);
        g_ptr_array_add(out, e);
    }
    g_dir_close(d);
}

static gint
compare_dle(gconstpointer a, gconstpointer b)
{
    const curinfo_dle_t *x = *(curinfo_dle_t *const *)a, *y = *(curinfo_dle_t *const *)b;
    int c = strcmp(x->host, y->host);
    return c ? c : strcmp(x->disk, y->disk);
}

GPtrArray *
curinfo_list(const char *infodir, GError **error)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)curinfo_dle_free);
    GError *err = NULL;
    GDir *d = g_dir_open(infodir, 0, &err);
    if (!d) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            g_error_free(err);
            return out;
        }
        g_set_error(error, CURINFO_ERROR, CURINFO_ERROR_IO, "cannot list %s: %s", infodir,
                    err->message);
        g_error_free(err);
        g_ptr_array_unref(out);
        return NULL;
    }
    const char *host;
    while ((host = g_dir_read_name(d)) != NULL)
        list_host(infodir, host, out);
    g_dir_close(d);
    g_ptr_array_sort(out, compare_dle);
    return out;
}
