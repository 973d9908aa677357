/* holding: holding-disk images in chunks (see holding.h). */
#include "config.h" /* first: it defines _GNU_SOURCE, for sync_file_range */
#include "holding.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(holding-error-quark, holding_error)

static gboolean
io_error(GError **error, const char *what, const char *path, int err)
{
    g_set_error(error, HOLDING_ERROR, err == ENOSPC ? HOLDING_ERROR_NO_SPACE : HOLDING_ERROR_IO,
                "%s %s: %s", what, path, g_strerror(err));
    return FALSE;
}

char *
holding_file_name(const char *holdingdir, const char *run_ts, const char *host,
                  const char *disk, int level)
{
    g_autofree char *h = sanitise_filename(host);
    g_autofree char *d = sanitise_filename(disk);
    g_autofree char *name = g_strdup_printf("%s.%s.%d", h, d, level);
    return g_build_filename(holdingdir, run_ts, name, NULL);
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

/* Writeback pacing.  An image is written once and fsynced at its end;
 * left alone, the kernel would hold all of it dirty (the background
 * threshold is a share of RAM) and that final sync would wait for the whole
 * image at once, while the taper and the other dumpers wait for the disk
 * too.  So every WB_STEP bytes the range just written is handed to the disk
 * (SYNC_FILE_RANGE_WRITE does not wait), and ranges more than WB_WINDOW
 * behind are waited for, which bounds this writer's dirty memory; the final
 * sync then finds at most WB_WINDOW + WB_STEP left.  The pages stay cached:
 * the taper reads the image soon after. */
#define WB_STEP ((off_t)8 << 20)
#define WB_WINDOW ((off_t)32 << 20)

typedef struct {
    off_t started; /* writeback has been started below this offset */
    off_t waited;  /* and has completed below this one */
} writeback_t;

static void
writeback_advance(int fd, writeback_t *wb, off_t pos)
{
    if (pos - wb->started < WB_STEP)
        return;
    /* errors here are only lost hints: the final fdatasync reports them */
    (void)sync_file_range(fd, wb->started, pos - wb->started, SYNC_FILE_RANGE_WRITE);
    wb->started = pos;
    if (wb->started - wb->waited > WB_WINDOW) {
        off_t upto = wb->started - WB_WINDOW;
        (void)sync_file_range(fd, wb->waited, upto - wb->waited,
                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                  SYNC_FILE_RANGE_WAIT_AFTER);
        wb->waited = upto;
    }
}

/* write() until done or an error; returns the bytes written, *ERR = errno. */
static gsize
write_some(int fd, const char *p, gsize len, int *err)
{
    gsize done = 0;
    *err = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *err = errno;
            break;
        }
        if (n == 0) {
            *err = EIO;
            break;
        }
        done += (gsize)n;
    }
    return done;
}

/* ------------------------------------------------------------------ */
/* writer                                                             */

typedef struct {
    char *final;
    char *tmp;
} chunk_t;

struct holding_writer {
    dumpfile_t header;  /* template: the first chunk's header */
    guint64 chunksize;
    GArray *chunks;     /* chunk_t */
    char *base;         /* name further chunks derive from */
    guint next_suffix;  /* ".1", ".2" ... */
    int fd;             /* current chunk, -1 when closed */
    guint64 in_chunk;   /* payload bytes in the current chunk */
    writeback_t wb;     /* of the current chunk */
    guint64 total;
    gboolean need_new;  /* the disk filled up: only continue/finish/abort */
};

static void
chunk_clear(gpointer p)
{
    chunk_t *c = p;
    g_free(c->final);
    g_free(c->tmp);
}

/* The header block of chunk INDEX with CONT_FILENAME = NEXT. */
static char *
chunk_header(holding_writer_t *w, guint index, const char *next, gboolean partial,
             GError **error)
{
    dumpfile_t h;
    fileheader_copy(&h, &w->header);
    h.type = index == 0 ? FILEHEADER_DUMPFILE : FILEHEADER_CONT_DUMPFILE;
    /* AMANDA's chunker puts sizes and CRCs in the first chunk only, and
     * "bs=32k" in the restore hint of the others only */
    h.blocksize = index == 0 ? 0 : DISK_BLOCK_BYTES;
    if (index > 0) {
        h.orig_size = 0;
        h.native_crc = h.client_crc = h.server_crc = (fileheader_crc_t){ 0, 0 };
    }
    g_free(h.cont_filename);
    h.cont_filename = g_strdup(next ? next : "");
    h.is_partial = partial;
    char *block = fileheader_build(&h, DISK_BLOCK_BYTES, error);
    fileheader_clear(&h);
    return block;
}

static gboolean
rewrite_header(holding_writer_t *w, guint index, const char *next, gboolean partial,
               GError **error)
{
    chunk_t *c = &g_array_index(w->chunks, chunk_t, index);
    g_autofree char *block = chunk_header(w, index, next, partial, error);
    if (!block)
        return FALSE;
    int fd = open(c->tmp, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return io_error(error, "cannot reopen", c->tmp, errno);
    ssize_t n = pwrite(fd, block, DISK_BLOCK_BYTES, 0);
    int err = errno;
    if (n != DISK_BLOCK_BYTES || fdatasync(fd) < 0) {
        close(fd);
        return io_error(error, "cannot rewrite header of", c->tmp, n < 0 ? err : EIO);
    }
    close(fd);
    return TRUE;
}

static gboolean
close_current(holding_writer_t *w, GError **error)
{
    if (w->fd < 0)
        return TRUE;
    chunk_t *c = &g_array_index(w->chunks, chunk_t, w->chunks->len - 1);
    /* Why the image must be durable here, before the dumper reports it
     * done and not merely before the taper has copied it: on that report
     * the driver logs the dump as SUCCESS and records it in curinfo, and
     * from then on the next run plans its levels on top of this one (and
     * the client has already moved its incremental state on), so a crash
     * must never leave that record pointing at an image that is gone; if
     * the taper then fails, amflush tapes this copy.  fdatasync suffices:
     * the data and the file size (which it includes) are what a reader
     * needs; the name is made durable by the directory fsync after the
     * rename.  The pacing above leaves it little to write. */
    gboolean ok = fdatasync(w->fd) == 0 || io_error(error, "cannot sync", c->tmp, errno);
    close(w->fd);
    w->fd = -1;
    return ok;
}

/* Create chunk FINAL (as FINAL.tmp) with its header; on failure nothing
 * of it remains. */
static gboolean
open_chunk(holding_writer_t *w, const char *final, GError **error)
{
    g_autofree char *dir = g_path_get_dirname(final);
    if (!mkdir_p(dir, 0700, error))
        return FALSE;
    chunk_t c = { g_strdup(final), g_strconcat(final, ".tmp", NULL) };
    guint index = w->chunks->len;
    g_array_append_val(w->chunks, c);
    g_autofree char *block = chunk_header(w, index, NULL, FALSE, error);
    int fd = block ? open(c.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
    int err = errno;
    if (fd >= 0) {
        gsize n = write_some(fd, block, DISK_BLOCK_BYTES, &err);
        if (n == DISK_BLOCK_BYTES) {
            w->fd = fd;
            w->in_chunk = 0;
            w->wb = (writeback_t){ 0, 0 };
            return TRUE;
        }
        close(fd);
        unlink(c.tmp);
    }
    if (block)
        io_error(error, "cannot write chunk", c.tmp, err);
    g_array_set_size(w->chunks, index);
    return FALSE;
}

/* Move on to chunk FINAL: create it, then chain the previous one to it. */
static gboolean
start_next_chunk(holding_writer_t *w, const char *final, GError **error)
{
    if (!close_current(w, error))
        return FALSE;
    if (!open_chunk(w, final, error))
        return FALSE;
    return rewrite_header(w, w->chunks->len - 2, final, FALSE, error);
}

holding_writer_t *
holding_writer_open(const char *path, const dumpfile_t *header, guint64 chunksize,
                    GError **error)
{
    if (chunksize != 0 && chunksize < 2 * DISK_BLOCK_BYTES) {
        g_set_error(error, HOLDING_ERROR, HOLDING_ERROR_INVALID,
                    "chunksize %" G_GUINT64_FORMAT " bytes is smaller than two 32 KiB blocks",
                    chunksize);
        return NULL;
    }
    holding_writer_t *w = g_new0(holding_writer_t, 1);
    fileheader_copy(&w->header, header);
    w->chunksize = chunksize;
    w->chunks = g_array_new(FALSE, TRUE, sizeof(chunk_t));
    g_array_set_clear_func(w->chunks, chunk_clear);
    w->base = g_strdup(path);
    w->next_suffix = 1;
    w->fd = -1;
    if (!open_chunk(w, path, error)) {
        holding_writer_abort(w);
        return NULL;
    }
    return w;
}

static guint64
room_in_chunk(const holding_writer_t *w)
{
    if (w->chunksize == 0)
        return G_MAXUINT64;
    guint64 cap = w->chunksize - DISK_BLOCK_BYTES;
    return w->in_chunk >= cap ? 0 : cap - w->in_chunk;
}

gboolean
holding_writer_write(holding_writer_t *w, const void *buf, gsize len, gsize *done,
                     GError **error)
{
    const char *p = buf;
    gsize total = 0;
    GError *err = NULL;
    if (w->need_new || w->fd < 0)
        g_set_error(&err, HOLDING_ERROR, HOLDING_ERROR_NO_SPACE,
                    "holding disk full; continue on another disk first");
    while (!err && total < len) {
        if (room_in_chunk(w) == 0) {
            g_autofree char *next = g_strdup_printf("%s.%u", w->base, w->next_suffix);
            if (!start_next_chunk(w, next, &err))
                break;
            w->next_suffix++;
        }
        gsize want = (gsize)MIN((guint64)(len - total), room_in_chunk(w));
        int errnum;
        gsize n = write_some(w->fd, p + total, want, &errnum);
        total += n;
        w->in_chunk += n;
        w->total += n;
        writeback_advance(w->fd, &w->wb, (off_t)(DISK_BLOCK_BYTES + w->in_chunk));
        if (n < want) {
            chunk_t *c = &g_array_index(w->chunks, chunk_t, w->chunks->len - 1);
            io_error(&err, "cannot write", c->tmp, errnum);
        }
    }
    if (done)
        *done = total;
    if (!err)
        return TRUE;
    if (err->code == HOLDING_ERROR_NO_SPACE)
        w->need_new = TRUE;
    g_propagate_error(error, err);
    return FALSE;
}

gboolean
holding_writer_continue(holding_writer_t *w, const char *new_path, GError **error)
{
    if (!start_next_chunk(w, new_path, error))
        return FALSE;
    g_free(w->base);
    w->base = g_strdup(new_path);
    w->next_suffix = 1;
    w->need_new = FALSE;
    return TRUE;
}

guint64
holding_writer_bytes(const holding_writer_t *w)
{
    return w->total;
}

static void
writer_free(holding_writer_t *w)
{
    if (w->fd >= 0)
        close(w->fd);
    fileheader_clear(&w->header);
    g_array_unref(w->chunks);
    g_free(w->base);
    g_free(w);
}

gboolean
holding_writer_finish(holding_writer_t *w, gboolean partial, GError **error)
{
    gboolean ok = close_current(w, error);
    if (ok && partial) {
        const char *next = w->chunks->len > 1
            ? g_array_index(w->chunks, chunk_t, 1).final : NULL;
        ok = rewrite_header(w, 0, next, TRUE, error);
    }
    /* last chunk first: a first chunk under its final name means "complete" */
    for (guint i = w->chunks->len; ok && i-- > 0;) {
        chunk_t *c = &g_array_index(w->chunks, chunk_t, i);
        if (rename(c->tmp, c->final) < 0)
            ok = io_error(error, "cannot rename", c->tmp, errno);
        else
            fsync_dir_of(c->final);
    }
    if (!ok) {
        holding_writer_abort(w);
        return FALSE;
    }
    writer_free(w);
    return TRUE;
}

void
holding_writer_abort(holding_writer_t *w)
{
    if (!w)
        return;
    if (w->fd >= 0) {
        close(w->fd);
        w->fd = -1;
    }
    for (guint i = 0; i < w->chunks->len; i++) {
        chunk_t *c = &g_array_index(w->chunks, chunk_t, i);
        unlink(c->tmp);
    }
    writer_free(w);
}

/* ------------------------------------------------------------------ */
/* reader                                                             */

struct holding_reader {
    dumpfile_t first;
    char *path; /* current chunk */
    int fd;
    off_t pos;     /* read offset in the current chunk */
    off_t dropped; /* pages below this were dropped from the cache */
};

/* The taper reads an image once, front to back, and the image was made
 * durable before it was handed over, so its pages are clean: let them go
 * every WB_STEP behind the reader rather than crowd out the cache (a
 * re-read, as for a part retried on the next volume, reads from disk). */
static void
reader_drop_behind(holding_reader_t *r)
{
    if (r->pos - r->dropped < WB_STEP)
        return;
    (void)posix_fadvise(r->fd, r->dropped, r->pos - r->dropped, POSIX_FADV_DONTNEED);
    r->dropped = r->pos;
}

/* Open PATH and parse its header into H; fd positioned after it. */
static int
open_chunk_read(const char *path, dumpfile_t *h, GError **error)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        io_error(error, "cannot open", path, errno);
        return -1;
    }
    g_autofree char *block = g_malloc(DISK_BLOCK_BYTES);
    ssize_t n = full_read(fd, block, DISK_BLOCK_BYTES);
    GError *err = NULL;
    if (n <= 0 || !fileheader_parse(block, (size_t)n, h, &err)) {
        g_set_error(error, HOLDING_ERROR, HOLDING_ERROR_CORRUPT, "%s: bad header: %s", path,
                    err ? err->message : "file is empty");
        g_clear_error(&err);
        close(fd);
        return -1;
    }
    if (n != DISK_BLOCK_BYTES || lseek(fd, DISK_BLOCK_BYTES, SEEK_SET) < 0) {
        g_set_error(error, HOLDING_ERROR, HOLDING_ERROR_CORRUPT, "%s: short header", path);
        close(fd);
        return -1;
    }
    return fd;
}

holding_reader_t *
holding_reader_open(const char *path, dumpfile_t *header, GError **error)
{
    holding_reader_t *r = g_new0(holding_reader_t, 1);
    fileheader_init(&r->first);
    r->fd = open_chunk_read(path, &r->first, error);
    if (r->fd >= 0 && r->first.type != FILEHEADER_DUMPFILE) {
        g_set_error(error, HOLDING_ERROR, HOLDING_ERROR_CORRUPT,
                    "%s: not the first chunk of a dump (header type %s)", path,
                    fileheader_type_name(r->first.type));
        close(r->fd);
        r->fd = -1;
    }
    if (r->fd < 0) {
        holding_reader_close(r);
        return NULL;
    }
    r->path = g_strdup(path);
    r->pos = r->dropped = DISK_BLOCK_BYTES;
    if (header)
        fileheader_copy(header, &r->first);
    return r;
}

static gboolean
same_dump(const dumpfile_t *a, const dumpfile_t *b)
{
    return g_strcmp0(a->host, b->host) == 0 && g_strcmp0(a->disk, b->disk) == 0 &&
           g_strcmp0(a->datestamp, b->datestamp) == 0 && a->dumplevel == b->dumplevel;
}

/* At the end of a chunk: open the next one, if any. */
static gboolean
advance(holding_reader_t *r, const char *next, GError **error)
{
    close(r->fd);
    r->fd = -1;
    dumpfile_t h;
    fileheader_init(&h);
    int fd = open_chunk_read(next, &h, error);
    gboolean ok = fd >= 0;
    if (ok && (h.type != FILEHEADER_CONT_DUMPFILE || !same_dump(&h, &r->first))) {
        g_set_error(error, HOLDING_ERROR, HOLDING_ERROR_CORRUPT,
                    "%s: chunk of another dump in the chain of %s", next, r->path);
        close(fd);
        ok = FALSE;
    }
    if (ok) {
        r->fd = fd;
        r->pos = r->dropped = DISK_BLOCK_BYTES;
        g_free(r->path);
        r->path = g_strdup(next);
        g_free(r->first.cont_filename);
        r->first.cont_filename = g_strdup(h.cont_filename);
    }
    fileheader_clear(&h);
    return ok;
}

gssize
holding_reader_read(holding_reader_t *r, void *buf, gsize len, GError **error)
{
    while (r->fd >= 0) {
        ssize_t n = full_read(r->fd, buf, len);
        if (n < 0) {
            io_error(error, "cannot read", r->path, errno);
            return -1;
        }
        if (n > 0 || len == 0) {
            r->pos += n;
            reader_drop_behind(r);
            return n;
        }
        (void)posix_fadvise(r->fd, r->dropped, 0, POSIX_FADV_DONTNEED); /* the tail */
        g_autofree char *next = g_strdup(r->first.cont_filename);
        if (!next || !*next) {
            close(r->fd);
            r->fd = -1;
            return 0;
        }
        if (!advance(r, next, error))
            return -1;
    }
    return 0;
}

void
holding_reader_close(holding_reader_t *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    fileheader_clear(&r->first);
    g_free(r->path);
    g_free(r);
}

/* ------------------------------------------------------------------ */
/* walking                                                            */

void
holding_file_free(holding_file_t *f)
{
    if (!f)
        return;
    g_free(f->path);
    g_free(f->holdingdir);
    g_free(f->run_dir);
    g_free(f->host);
    g_free(f->disk);
    g_free(f->datestamp);
    g_free(f);
}

static gboolean
read_header_only(const char *path, dumpfile_t *h, guint64 *payload)
{
    int fd = open_chunk_read(path, h, NULL);
    if (fd < 0)
        return FALSE;
    struct stat st;
    gboolean ok = fstat(fd, &st) == 0 && st.st_size >= DISK_BLOCK_BYTES;
    if (ok)
        *payload = (guint64)st.st_size - DISK_BLOCK_BYTES;
    close(fd);
    return ok;
}

/* Follow the chain of a first chunk; NULL when it is not one or broken. */
static holding_file_t *
examine(const char *holdingdir, const char *run_dir, const char *path)
{
    dumpfile_t h;
    fileheader_init(&h);
    guint64 bytes = 0, part;
    if (!read_header_only(path, &h, &bytes) || h.type != FILEHEADER_DUMPFILE) {
        fileheader_clear(&h);
        return NULL;
    }
    holding_file_t *f = g_new0(holding_file_t, 1);
    f->path = g_strdup(path);
    f->holdingdir = g_strdup(holdingdir);
    f->run_dir = g_strdup(run_dir);
    f->host = g_strdup(h.host);
    f->disk = g_strdup(h.disk);
    f->datestamp = g_strdup(h.datestamp);
    f->level = h.dumplevel;
    f->partial = h.is_partial;
    f->nchunks = 1;
    g_autofree char *next = g_strdup(h.cont_filename);
    while (next && *next && f->nchunks < 100000) {
        fileheader_clear(&h);
        if (!read_header_only(next, &h, &part) || h.type != FILEHEADER_CONT_DUMPFILE) {
            fileheader_clear(&h);
            holding_file_free(f);
            return NULL;
        }
        bytes += part;
        f->nchunks++;
        g_free(next);
        next = g_strdup(h.cont_filename);
    }
    fileheader_clear(&h);
    f->bytes = bytes;
    f->kb = (bytes + 1023) / 1024;
    return f;
}

typedef void (*visit_fn)(const char *holdingdir, const char *run_dir, const char *path,
                         const char *name, GPtrArray *out);

static void
walk(const char *const *dirs, visit_fn fn, GPtrArray *out)
{
    for (const char *const *hd = dirs; hd && *hd; hd++) {
        GDir *top = g_dir_open(*hd, 0, NULL);
        if (!top)
            continue;
        const char *run;
        while ((run = g_dir_read_name(top)) != NULL) {
            g_autofree char *rundir = g_build_filename(*hd, run, NULL);
            GDir *d = g_dir_open(rundir, 0, NULL);
            if (!d)
                continue;
            const char *name;
            while ((name = g_dir_read_name(d)) != NULL) {
                g_autofree char *path = g_build_filename(rundir, name, NULL);
                fn(*hd, run, path, name, out);
            }
            g_dir_close(d);
        }
        g_dir_close(top);
    }
}

static void
visit_image(const char *holdingdir, const char *run_dir, const char *path, const char *name,
            GPtrArray *out)
{
    if (g_str_has_suffix(name, ".tmp") || !g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return;
    holding_file_t *f = examine(holdingdir, run_dir, path);
    if (f)
        g_ptr_array_add(out, f);
}

static void
visit_tmp(const char *holdingdir, const char *run_dir, const char *path, const char *name,
          GPtrArray *out)
{
    (void)holdingdir;
    (void)run_dir;
    if (g_str_has_suffix(name, ".tmp"))
        g_ptr_array_add(out, g_strdup(path));
}

static gint
compare_files(gconstpointer a, gconstpointer b)
{
    const holding_file_t *x = *(holding_file_t *const *)a, *y = *(holding_file_t *const *)b;
    int c = strcmp(x->run_dir, y->run_dir);
    if (!c)
        c = g_strcmp0(x->host, y->host);
    if (!c)
        c = g_strcmp0(x->disk, y->disk);
    if (!c)
        c = (x->level > y->level) - (x->level < y->level);
    return c ? c : strcmp(x->path, y->path);
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
holding_list(const char *const *dirs, GError **error)
{
    (void)error;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)holding_file_free);
    walk(dirs, visit_image, out);
    g_ptr_array_sort(out, compare_files);
    return out;
}

GPtrArray *
holding_list_tmp(const char *const *dirs, GError **error)
{
    (void)error;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    walk(dirs, visit_tmp, out);
    g_ptr_array_sort(out, compare_strings);
    return out;
}

gboolean
holding_delete(const char *path, GError **error)
{
    g_autofree char *current = g_strdup(path);
    gboolean first = TRUE;
    while (current && *current) {
        dumpfile_t h;
        fileheader_init(&h);
        guint64 dummy;
        gboolean ok = read_header_only(current, &h, &dummy) &&
                      h.type == (first ? FILEHEADER_DUMPFILE : FILEHEADER_CONT_DUMPFILE);
        char *next = ok ? g_strdup(h.cont_filename) : NULL;
        fileheader_clear(&h);
        if (!ok) {
            g_free(next);
            g_set_error(error, HOLDING_ERROR, HOLDING_ERROR_CORRUPT,
                        "%s is not a chunk of the holding image %s", current, path);
            return FALSE;
        }
        if (unlink(current) < 0) {
            g_free(next);
            return io_error(error, "cannot remove", current, errno);
        }
        g_free(current);
        current = next;
        first = FALSE;
    }
    g_autofree char *dir = g_path_get_dirname(path);
    rmdir(dir); /* only succeeds when empty */
    return TRUE;
}
