/* volread: reading dump files back from a volume (see volread.h). */
#include "volread.h"

#include "crc32c.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "amutil.h"

G_DEFINE_QUARK(volread-error-quark, volread_error)

static gboolean
label_ok(Device *dev, const char *device_name, const char *want_label, GError **error)
{
    DeviceStatusFlags st = device_read_label(dev);
    if (st != DEVICE_STATUS_SUCCESS) {
        const char *why = dev->errmsg ? dev->errmsg : "no usable volume";
        if (g_str_has_prefix(why, device_name))
            g_set_error_literal(error, VOLREAD_ERROR, VOLREAD_ERROR_VOLUME, why);
        else
            g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_VOLUME, "%s: %s", device_name, why);
        return FALSE;
    }
    if (want_label && g_strcmp0(dev->volume_label, want_label) != 0) {
        g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_VOLUME,
                    "%s holds volume '%s', not the volume '%s' asked for", device_name,
                    dev->volume_label, want_label);
        return FALSE;
    }
    return TRUE;
}

Device *
volread_open(const char *device_name, const char *want_label, gsize block_size, GError **error)
{
    Device *dev = device_open(device_name, error);
    if (!dev)
        return NULL;
    g_autofree char *bs = g_strdup_printf("%" G_GSIZE_FORMAT,
                                          block_size ? block_size : VOLREAD_DEFAULT_BLOCK);
    if (!device_property_set(dev, "BLOCK_SIZE", bs, error) ||
        !label_ok(dev, device_name, want_label, error) ||
        !device_start(dev, DEVICE_MODE_READ, NULL, NULL, error)) {
        device_free(dev);
        return NULL;
    }
    return dev;
}

/* volread_copy_file reads through a ring of buffers; a worker thread
 * computes the CRC-32C of each one in order while the main thread reads
 * and writes the next, so verifying costs no time when a core is free
 * (it cost as much as the read itself with the image in the page cache). */
#define COPY_RING 8
#define RING_SLOT_MIN (256u << 10)   /* fits in L2 with room to spare */

typedef struct {
    char *buf;
    gsize len;
} ring_buf_t;

typedef struct {
    GAsyncQueue *todo, *done;
    guint32 crc;
} crc_worker_t;

static ring_buf_t crc_worker_stop;

static gpointer
crc_worker_run(gpointer arg)
{
    crc_worker_t *w = arg;
    for (;;) {
        ring_buf_t *b = g_async_queue_pop(w->todo);
        if (b == &crc_worker_stop)
            return NULL;
        w->crc = crc32c(w->crc, b->buf, b->len);
        g_async_queue_push(w->done, b);
    }
}

char *
volread_alloc_buffer(gsize size)
{
    /* page-aligned: the kernel copies into it at full speed (unaligned
     * destinations made read() several times slower on AMD CPUs) */
    void *mem = NULL;
    if (posix_memalign(&mem, 4096, size) != 0)
        g_error("out of memory for a %" G_GSIZE_FORMAT "-byte read buffer", size);
    return mem;
}

/* Fill B (SLOT bytes) with blocks of at most ROOM bytes, each written to
 * SINK as soon as it is read, until it is full or the file ends.  A slot
 * is one hand-over to the CRC thread; small slots keep the bytes in the
 * cache the CRC thread reads them from (4 MiB slots ran slower than no
 * thread at all).  -1 with ERROR set on failure. */
static gssize
fill_slot(Device *dev, ImageSink *sink, ring_buf_t *b, gsize slot, gsize room, GError **error)
{
    b->len = 0;
    while (b->len + room <= slot) {
        gsize size = room;
        GError *err = NULL;
        gssize n = device_read_block(dev, b->buf + b->len, &size, &err);
        if (n < 0) {
            g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_READ, "volume '%s' file %d: %s",
                        dev->volume_label, dev->file, err ? err->message : "read error");
            g_clear_error(&err);
            return -1;
        }
        if (n == 0)
            break;
        if (!imagesink_write_uncounted(sink, b->buf + b->len, (gsize)n, error))
            return -1;
        b->len += (gsize)n;
    }
    return (gssize)b->len;
}

gboolean
volread_copy_file(Device *dev, ImageSink *sink, guint64 *bytes, GError **error)
{
    gsize room = dev->block_size, slot = MAX(room, RING_SLOT_MIN);
    ring_buf_t ring[COPY_RING];
    crc_worker_t w = { g_async_queue_new(), g_async_queue_new(), imagesink_crc_in(sink) };
    for (int i = 0; i < COPY_RING; i++) {
        ring[i].buf = volread_alloc_buffer(slot);
        g_async_queue_push(w.done, &ring[i]);
    }
    GThread *thread = g_thread_new("crc32c", crc_worker_run, &w);
    guint64 total = 0;
    gboolean ok = TRUE;
    for (;;) {
        ring_buf_t *b = g_async_queue_pop(w.done);
        gssize n = fill_slot(dev, sink, b, slot, room, error);
        if (n < 0) {
            ok = FALSE;
            break;
        }
        if (n == 0)
            break;
        total += (guint64)n;
        g_async_queue_push(w.todo, b);
        if (b->len + room <= slot)
            break;  /* a short slot: the file ended */
    }
    g_async_queue_push(w.todo, &crc_worker_stop);
    g_thread_join(thread);
    imagesink_set_crc_in(sink, w.crc);
    for (int i = 0; i < COPY_RING; i++)
        free(ring[i].buf);
    g_async_queue_unref(w.todo);
    g_async_queue_unref(w.done);
    if (ok && bytes)
        *bytes = total;
    return ok;
}

gboolean
volread_copy_holding(holding_reader_t *reader, ImageSink *sink, GError **error)
{
    gsize room = VOLREAD_DEFAULT_BLOCK;
    g_autofree char *buf = volread_alloc_buffer(room);
    for (;;) {
        gssize n = holding_reader_read(reader, buf, room, error);
        if (n < 0)
            return FALSE;
        if (n == 0)
            return TRUE;
        if (!imagesink_write(sink, buf, (gsize)n, error))
            return FALSE;
    }
}

gboolean
volread_crc_ieee(Device *dev, guint32 *crc, GError **error)
{
    gsize room = dev->block_size;
    g_autofree char *buf = g_malloc(room);
    for (;;) {
        gsize size = room;
        GError *err = NULL;
        gssize n = device_read_block(dev, buf, &size, &err);
        if (n < 0) {
            g_set_error(error, VOLREAD_ERROR, VOLREAD_ERROR_READ, "volume '%s' file %d: %s",
                        dev->volume_label, dev->file, err ? err->message : "read error");
            g_clear_error(&err);
            return FALSE;
        }
        if (n == 0)
            return TRUE;
        *crc = (guint32)crc32(*crc, (const Bytef *)buf, (uInt)n);
    }
}

gboolean
volread_is_dump(const dumpfile_t *hdr)
{
    return hdr->type == FILEHEADER_SPLIT_DUMPFILE || hdr->type == FILEHEADER_DUMPFILE;
}

gboolean
volread_same_dump(const dumpfile_t *a, const dumpfile_t *b)
{
    return volread_is_dump(a) && volread_is_dump(b) && g_strcmp0(a->host, b->host) == 0 &&
           g_strcmp0(a->disk, b->disk) == 0 && g_strcmp0(a->datestamp, b->datestamp) == 0 &&
           a->dumplevel == b->dumplevel;
}

gboolean
volread_is_next_part(const dumpfile_t *a, const dumpfile_t *b)
{
    return a->type == FILEHEADER_SPLIT_DUMPFILE && b->type == FILEHEADER_SPLIT_DUMPFILE &&
           volread_same_dump(a, b) && b->partnum == a->partnum + 1;
}

gboolean
volread_is_last_part(const dumpfile_t *hdr)
{
    if (hdr->type == FILEHEADER_DUMPFILE)
        return TRUE;
    return hdr->totalparts > 0 && hdr->partnum == hdr->totalparts;
}

char *
volread_image_name(const char *host, const char *disk, const char *datestamp, int level)
{
    g_autofree char *h = sanitise_filename(host ? host : "");
    g_autofree char *d = sanitise_filename(disk ? disk : "");
    return g_strdup_printf("%s.%s.%s.%d", h, d, datestamp ? datestamp : "", level);
}

char *
volread_describe(const dumpfile_t *hdr)
{
    g_autofree char *disk = quote_string(hdr->disk ? hdr->disk : "");
    g_autofree char *parts = NULL;
    if (hdr->type == FILEHEADER_SPLIT_DUMPFILE)
        parts = hdr->totalparts > 0 ? g_strdup_printf(" part %d/%d", hdr->partnum, hdr->totalparts)
                                    : g_strdup_printf(" part %d/UNKNOWN", hdr->partnum);
    gboolean comp = hdr->compressed && hdr->comp_suffix && *hdr->comp_suffix;
    return g_strdup_printf("%s: date %s host %s disk %s%s lev %d comp %s program %s",
                           hdr->type == FILEHEADER_SPLIT_DUMPFILE ? "split dumpfile"
                                                                  : "dumpfile",
                           hdr->datestamp ? hdr->datestamp : "", hdr->host ? hdr->host : "",
                           disk, parts ? parts : "", hdr->dumplevel,
                           comp ? hdr->comp_suffix : "N",
                           hdr->program ? hdr->program : "");
}
