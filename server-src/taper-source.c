/* taper-source: holding image or FIFO, with a part cache (see the header). */
#include "taper-source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amutil.h"
#include "conf.h"
#include "debug.h"

static GQuark
source_quark(void)
{
    return g_quark_from_static_string("taper-source");
}

gboolean
taper_source_open(taper_source_t *s, const char *path, gboolean fifo, GError **error)
{
    memset(s, 0, sizeof *s);
    s->fd = s->cache_fd = -1;
    fileheader_init(&s->hdr);
    if (!fifo) {
        s->holdfile = g_strdup(path);
        s->hr = holding_reader_open(path, &s->hdr, error);
        return s->hr != NULL;
    }
    s->fd = open(path, O_RDONLY);
    if (s->fd < 0) {
        g_set_error(error, source_quark(), 1, "%s: %s", path, g_strerror(errno));
        return FALSE;
    }
    g_autofree char *block = g_malloc(DISK_BLOCK_BYTES);
    if (full_read(s->fd, block, DISK_BLOCK_BYTES) != DISK_BLOCK_BYTES) {
        g_set_error(error, source_quark(), 1, "%s: no dump header", path);
        return FALSE;
    }
    return fileheader_parse(block, DISK_BLOCK_BYTES, &s->hdr, error);
}

void
taper_source_close(taper_source_t *s)
{
    if (s->hr)
        holding_reader_close(s->hr);
    if (s->fd >= 0)
        close(s->fd);
    if (s->cache_fd >= 0)
        close(s->cache_fd);
    if (s->mem)
        g_byte_array_unref(s->mem);
    g_free(s->holdfile);
    fileheader_clear(&s->hdr);
}

void
taper_source_set_cache(taper_source_t *s, int type, const char *dir)
{
    if (s->holdfile || type == PART_CACHE_TYPE_NONE)
        return;
    if (type == PART_CACHE_TYPE_MEMORY) {
        s->mem = g_byte_array_new();
        s->cache_type = type;
        return;
    }
    g_autofree char *tmpl = g_build_filename(dir && *dir ? dir : g_get_tmp_dir(),
                                             "taper-part-cache.XXXXXX", NULL);
    s->cache_fd = g_mkstemp(tmpl);
    if (s->cache_fd < 0) {
        dbprintf("part cache %s: %s; parts will not be rewritten\n", tmpl, g_strerror(errno));
        return;
    }
    unlink(tmpl);  /* gone with the descriptor */
    s->cache_type = type;
}

static void
cache_append(taper_source_t *s, const char *buf, gsize len)
{
    if (s->cache_type == PART_CACHE_TYPE_MEMORY)
        g_byte_array_append(s->mem, (const guint8 *)buf, (guint)len);
    else if (s->cache_fd >= 0 && pwrite(s->cache_fd, buf, len, (off_t)s->cache_len) != (ssize_t)len)
        dbprintf("part cache write failed: %s\n", g_strerror(errno));
    s->cache_len += len;
}

static gsize
cache_replay(taper_source_t *s, char *buf, gsize len)
{
    gsize n = (gsize)MIN((guint64)len, s->cache_len - s->replay_off);
    if (s->cache_type == PART_CACHE_TYPE_MEMORY)
        memcpy(buf, s->mem->data + s->replay_off, n);
    else if (pread(s->cache_fd, buf, n, (off_t)s->replay_off) != (ssize_t)n)
        return 0;
    s->replay_off += n;
    if (s->replay_off >= s->cache_len)
        s->replaying = FALSE;
    return n;
}

static gssize
input_read(taper_source_t *s, char *buf, gsize len)
{
    for (;;) {
        gssize n;
        if (s->hr) {
            g_autoptr(GError) err = NULL;
            n = holding_reader_read(s->hr, buf, len, &err);
            if (n < 0)
                dbprintf("holding read: %s\n", err->message);
        } else {
            n = read(s->fd, buf, len);
            if (n < 0 && errno == EINTR)
                continue;
        }
        return n;
    }
}

gssize
taper_source_read(taper_source_t *s, char *buf, gsize len)
{
    gsize got = 0;
    while (got < len) {
        if (s->replaying) {
            gsize n = cache_replay(s, buf + got, len - got);
            if (n == 0 && s->replaying)
                return -1;
            got += n;
            continue;
        }
        if (s->input_eof)
            break;
        gssize n = input_read(s, buf + got, len - got);
        if (n < 0)
            return -1;
        if (n == 0) {
            s->input_eof = TRUE;
            break;
        }
        if (s->cache_type != PART_CACHE_TYPE_NONE)
            cache_append(s, buf + got, (gsize)n);
        got += (gsize)n;
    }
    return (gssize)got;
}

gboolean
taper_source_done(const taper_source_t *s)
{
    return s->input_eof && !s->replaying;
}

void
taper_source_part_start(taper_source_t *s)
{
    if (s->mem)
        g_byte_array_set_size(s->mem, 0);
    s->cache_len = 0;
    s->replay_off = 0;
    s->replaying = FALSE;
}

/* Reopen a holding image and skip to OFFSET. */
static gboolean
reopen_holding(taper_source_t *s, guint64 offset)
{
    holding_reader_close(s->hr);
    s->input_eof = FALSE;
    s->hr = holding_reader_open(s->holdfile, NULL, NULL);
    if (!s->hr)
        return FALSE;
    char buf[65536];
    while (offset > 0) {
        gssize n = holding_reader_read(s->hr, buf, MIN(offset, sizeof buf), NULL);
        if (n <= 0)
            return FALSE;
        offset -= (guint64)n;
    }
    return TRUE;
}

gboolean
taper_source_rewind_part(taper_source_t *s, guint64 part_start)
{
    if (s->holdfile)
        return reopen_holding(s, part_start);
    if (s->cache_type == PART_CACHE_TYPE_NONE || (s->cache_type == PART_CACHE_TYPE_DISK && s->cache_fd < 0))
        return FALSE;
    s->replay_off = 0;
    s->replaying = s->cache_len > 0;
    return TRUE;
}
