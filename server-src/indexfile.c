/* indexfile: per-dump index files (see indexfile.h). */
#include "config.h"
#include "indexfile.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

G_DEFINE_QUARK(indexfile-error-quark, indexfile_error)

static const char *const suffixes[INDEXFILE_KIND_COUNT] = {
    ".gz", "-unsorted.gz", ".header", ".state.gz",
};

char *
indexfile_dir(const char *indexdir, const char *host, const char *disk)
{
    g_autofree char *h = sanitise_filename(host);
    g_autofree char *d = sanitise_filename(disk);
    return g_build_filename(indexdir, h, d, NULL);
}

char *
indexfile_path(const char *indexdir, const char *host, const char *disk,
               const char *timestamp, int level, indexfile_kind_t kind)
{
    g_autofree char *dir = indexfile_dir(indexdir, host, disk);
    g_autofree char *name = g_strdup_printf("%s_%d%s", timestamp, level, suffixes[kind]);
    return g_build_filename(dir, name, NULL);
}

gboolean
indexfile_name_split(const char *name, char **timestamp, int *level, indexfile_kind_t *kind)
{
    const char *us = strchr(name, '_');
    if (!us || us == name)
        return FALSE;
    for (const char *p = name; p < us; p++)
        if (!g_ascii_isdigit(*p))
            return FALSE;
    const char *p = us + 1;
    if (!g_ascii_isdigit(*p))
        return FALSE;
    int lev = 0;
    while (g_ascii_isdigit(*p) && lev < 10000)
        lev = lev * 10 + (*p++ - '0');
    /* longest suffix first: ".state.gz" and "-unsorted.gz" before ".gz" */
    static const indexfile_kind_t order[] = { INDEXFILE_UNSORTED, INDEXFILE_STATE,
                                              INDEXFILE_HEADER, INDEXFILE_SORTED };
    for (gsize i = 0; i < G_N_ELEMENTS(order); i++) {
        if (strcmp(p, suffixes[order[i]]) == 0) {
            if (timestamp)
                *timestamp = g_strndup(name, (gsize)(us - name));
            if (level)
                *level = lev;
            if (kind)
                *kind = order[i];
            return TRUE;
        }
    }
    return FALSE;
}

/* ------------------------------------------------------------------ */
/* writer                                                             */

struct indexfile_writer {
    char *path, *tmp;
    int syncfd; /* a dup of the gz descriptor, to fsync after gzclose */
    gzFile gz;
};

static gboolean
io_error(GError **error, const char *what, const char *path, int err)
{
    g_set_error(error, INDEXFILE_ERROR, INDEXFILE_ERROR_IO, "%s %s: %s", what, path,
                g_strerror(err));
    return FALSE;
}

indexfile_writer_t *
indexfile_writer_open(const char *path, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(path);
    if (!mkdir_p(dir, 0755, error))
        return NULL;
    g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        io_error(error, "cannot create", tmp, errno);
        return NULL;
    }
    int syncfd = dup(fd);
    gzFile gz = syncfd >= 0 ? gzdopen(fd, "wb9") : NULL;
    if (!gz) {
        io_error(error, "cannot start gzip stream on", tmp, errno ? errno : ENOMEM);
        if (syncfd >= 0)
            close(syncfd);
        close(fd);
        unlink(tmp);
        return NULL;
    }
    indexfile_writer_t *w = g_new0(indexfile_writer_t, 1);
    w->path = g_strdup(path);
    w->tmp = g_steal_pointer(&tmp);
    w->syncfd = syncfd;
    w->gz = gz;
    return w;
}

gboolean
indexfile_writer_write(indexfile_writer_t *w, const void *buf, gsize len, GError **error)
{
    const char *p = buf;
    while (len > 0) {
        unsigned chunk = (unsigned)MIN(len, (gsize)G_MAXINT / 2);
        int n = gzwrite(w->gz, p, chunk);
        if (n <= 0) {
            int zerr;
            const char *msg = gzerror(w->gz, &zerr);
            g_set_error(error, INDEXFILE_ERROR, INDEXFILE_ERROR_IO, "cannot write %s: %s",
                        w->tmp, zerr == Z_ERRNO ? g_strerror(errno) : msg);
            return FALSE;
        }
        p += n;
        len -= (gsize)n;
    }
    return TRUE;
}

static void
writer_free(indexfile_writer_t *w)
{
    if (w->syncfd >= 0)
        close(w->syncfd);
    g_free(w->path);
    g_free(w->tmp);
    g_free(w);
}

static void
fsync_dir_of(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

gboolean
indexfile_writer_close(indexfile_writer_t *w, GError **error)
{
    int zerr = gzclose(w->gz);
    gboolean ok = TRUE;
    if (zerr != Z_OK)
        ok = io_error(error, "cannot finish", w->tmp, zerr == Z_ERRNO ? errno : EIO);
    else if (fsync(w->syncfd) < 0)
        ok = io_error(error, "cannot sync", w->tmp, errno);
    else if (rename(w->tmp, w->path) < 0)
        ok = io_error(error, "cannot rename into", w->path, errno);
    if (!ok)
        unlink(w->tmp);
    else
        fsync_dir_of(w->path); /* the rename itself survives a crash */
    writer_free(w);
    return ok;
}

void
indexfile_writer_abort(indexfile_writer_t *w)
{
    if (!w)
        return;
    gzclose(w->gz);
    unlink(w->tmp);
    writer_free(w);
}

/* ------------------------------------------------------------------ */
/* reading and sorting                                                */

static void
split_into(GPtrArray *lines, GString *data)
{
    gsize start = 0;
    for (gsize i = 0; i < data->len; i++) {
        if (data->str[i] == '\n') {
            g_ptr_array_add(lines, g_strndup(data->str + start, i - start));
            start = i + 1;
        }
    }
    if (start < data->len)
        g_ptr_array_add(lines, g_strndup(data->str + start, data->len - start));
}

GPtrArray *
indexfile_read_lines(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        io_error(error, "cannot open", path, errno);
        return NULL;
    }
    gzFile gz = gzdopen(fd, "rb");
    if (!gz) {
        close(fd);
        io_error(error, "cannot read", path, ENOMEM);
        return NULL;
    }
    g_autoptr(GString) data = g_string_new(NULL);
    char buf[65536];
    int n;
    while ((n = gzread(gz, buf, sizeof(buf))) > 0)
        g_string_append_len(data, buf, n);
    /* a stream cut short ends with Z_BUF_ERROR rather than n < 0 */
    int zerr = Z_OK;
    const char *msg = gzerror(gz, &zerr);
    if (n < 0 || zerr != Z_OK) {
        g_set_error(error, INDEXFILE_ERROR, INDEXFILE_ERROR_CORRUPT,
                    "%s: %s (damaged or cut short; the dump's index must be rebuilt or "
                    "removed)", path, zerr == Z_ERRNO ? g_strerror(errno) : msg);
        gzclose(gz);
        return NULL;
    }
    gzclose(gz);
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    split_into(lines, data);
    return lines;
}

static gint
compare_bytes(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

gboolean
indexfile_sort(const char *unsorted, const char *sorted, GError **error)
{
    g_autoptr(GPtrArray) lines = indexfile_read_lines(unsorted, error);
    if (!lines)
        return FALSE;
    g_ptr_array_sort(lines, compare_bytes);
    indexfile_writer_t *w = indexfile_writer_open(sorted, error);
    if (!w)
        return FALSE;
    for (guint i = 0; i < lines->len; i++) {
        const char *l = g_ptr_array_index(lines, i);
        if (!indexfile_writer_write(w, l, strlen(l), error) ||
            !indexfile_writer_write(w, "\n", 1, error)) {
            indexfile_writer_abort(w);
            return FALSE;
        }
    }
    return indexfile_writer_close(w, error);
}

/* ------------------------------------------------------------------ */
/* listing                                                            */

void
indexfile_dump_free(indexfile_dump_t *d)
{
    if (!d)
        return;
    g_free(d->timestamp);
    g_free(d);
}

static gint
compare_dumps(gconstpointer a, gconstpointer b)
{
    const indexfile_dump_t *x = *(indexfile_dump_t *const *)a;
    const indexfile_dump_t *y = *(indexfile_dump_t *const *)b;
    gsize lx = strlen(x->timestamp), ly = strlen(y->timestamp);
    int c = lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->timestamp, y->timestamp);
    if (c)
        return -c; /* newest first */
    return (x->level > y->level) - (x->level < y->level);
}

static indexfile_dump_t *
find_or_add(GPtrArray *out, char *ts, int level)
{
    for (guint i = 0; i < out->len; i++) {
        indexfile_dump_t *d = g_ptr_array_index(out, i);
        if (d->level == level && strcmp(d->timestamp, ts) == 0) {
            g_free(ts);
            return d;
        }
    }
    indexfile_dump_t *d = g_new0(indexfile_dump_t, 1);
    d->timestamp = ts;
    d->level = level;
    g_ptr_array_add(out, d);
    return d;
}

GPtrArray *
indexfile_list_dumps(const char *indexdir, const char *host, const char *disk,
                     GError **error)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)indexfile_dump_free);
    g_autofree char *dir = indexfile_dir(indexdir, host, disk);
    GError *err = NULL;
    GDir *d = g_dir_open(dir, 0, &err);
    if (!d) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            g_error_free(err);
            return out;
        }
        g_set_error(error, INDEXFILE_ERROR, INDEXFILE_ERROR_IO, "cannot list %s: %s", dir,
                    err->message);
        g_error_free(err);
        g_ptr_array_unref(out);
        return NULL;
    }
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        char *ts = NULL;
        int level;
        indexfile_kind_t kind;
        if (indexfile_name_split(name, &ts, &level, &kind))
            find_or_add(out, ts, level)->have[kind] = TRUE;
    }
    g_dir_close(d);
    g_ptr_array_sort(out, compare_dumps);
    return out;
}
