/* dumper-output: holding or pipe sink with compression and CRCs. */
#include "dumper-output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "amutil.h"
#include "crc32c.h"
#include "dumper-filter.h"
#include "holding.h"

#define OUT_BUF (256 * 1024)

struct dumper_out {
    holding_writer_t *holding;
    int fd;
    gboolean compress;
    z_stream z;
    unsigned char *zbuf;
    guint32 client_crc, server_crc;
    guint64 received, stored;
    gboolean server_crc_set;   /* stored bytes differ from received ones */
    dumper_filter_t *filter;   /* server custom compress / encrypt programs */
};

static dumper_out_t *
out_new(int comp_level, GError **error)
{
    dumper_out_t *o = g_new0(dumper_out_t, 1);
    o->fd = -1;
    o->client_crc = o->server_crc = 0;
    if (comp_level > 0) {
        /* windowBits 15 + 16: a gzip stream, so "gzip -dc" restores it. */
        if (deflateInit2(&o->z, comp_level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            g_set_error(error, g_quark_from_static_string("dumper"), 1, "zlib init failed");
            g_free(o);
            return NULL;
        }
        o->compress = TRUE;
        o->zbuf = g_malloc(OUT_BUF);
    }
    return o;
}

dumper_out_t *
dumper_out_holding(const char *path, const dumpfile_t *hdr, guint64 chunksize, int comp_level,
                   GError **error)
{
    dumper_out_t *o = out_new(comp_level, error);
    if (!o)
        return NULL;
    o->holding = holding_writer_open(path, hdr, chunksize, error);
    if (!o->holding) {
        dumper_out_abort(o);
        return NULL;
    }
    return o;
}

dumper_out_t *
dumper_out_fd(int fd, const dumpfile_t *hdr, int comp_level, GError **error)
{
    dumper_out_t *o = out_new(comp_level, error);
    if (!o)
        return NULL;
    o->fd = fd;
    g_autofree char *block = fileheader_build(hdr, DISK_BLOCK_BYTES, error);
    if (!block || full_write(fd, block, DISK_BLOCK_BYTES) != DISK_BLOCK_BYTES) {
        if (block)
            g_set_error(error, g_quark_from_static_string("dumper"), 1,
                        "writing the header to the taper: %s", g_strerror(errno));
        dumper_out_abort(o);
        return NULL;
    }
    return o;
}

static gboolean
store(dumper_out_t *o, const void *buf, gsize len, GError **error)
{
    if (len == 0)
        return TRUE;
    /* uncompressed, what is stored is what was received: one CRC will do */
    if (o->compress || o->filter) {
        o->server_crc = crc32c(o->server_crc, buf, len);
        o->server_crc_set = TRUE;
    }
    o->stored += len;
    if (o->holding)
        return holding_writer_write(o->holding, buf, len, NULL, error);
    if (full_write(o->fd, buf, len) != (ssize_t)len) {
        g_set_error(error, g_quark_from_static_string("dumper"), 1, "writing to the taper: %s",
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* The filter's output (reader thread) goes to the holding file or pipe. */
static gboolean
store_sink(void *arg, const void *buf, gsize len, GError **error)
{
    return store(arg, buf, len, error);
}

/* Bytes leaving the zlib stage: through the filter programs, if any. */
static gboolean
emit(dumper_out_t *o, const void *buf, gsize len, GError **error)
{
    if (o->filter)
        return len == 0 || dumper_filter_write(o->filter, buf, len, error);
    return store(o, buf, len, error);
}

gboolean
dumper_out_add_filter(dumper_out_t *o, char **const *cmds, int ncmds, GError **error)
{
    o->filter = dumper_filter_start(cmds, ncmds, store_sink, o, error);
    return o->filter != NULL;
}

static gboolean
deflate_some(dumper_out_t *o, int flush, GError **error)
{
    int rc;
    do {
        o->z.next_out = o->zbuf;
        o->z.avail_out = OUT_BUF;
        rc = deflate(&o->z, flush);
        if (rc == Z_STREAM_ERROR) {
            g_set_error(error, g_quark_from_static_string("dumper"), 1, "zlib error");
            return FALSE;
        }
        if (!emit(o, o->zbuf, OUT_BUF - o->z.avail_out, error))
            return FALSE;
    } while (o->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return TRUE;
}

gboolean
dumper_out_write(dumper_out_t *o, const void *buf, gsize len, GError **error)
{
    o->client_crc = crc32c(o->client_crc, buf, len);
    o->received += len;
    if (!o->compress)
        return emit(o, buf, len, error);
    o->z.next_in = (Bytef *)buf;
    o->z.avail_in = (uInt)len;
    return deflate_some(o, Z_NO_FLUSH, error);
}

guint64
dumper_out_received(const dumper_out_t *o)
{
    return o->received;
}

static void
out_free(dumper_out_t *o)
{
    if (o->compress)
        deflateEnd(&o->z);
    g_free(o->zbuf);
    g_free(o);
}

gboolean
dumper_out_finish(dumper_out_t *o, gboolean partial, fileheader_crc_t *client_crc,
                  fileheader_crc_t *server_crc, GError **error)
{
    gboolean ok = TRUE;
    if (o->compress) {
        o->z.next_in = NULL;
        o->z.avail_in = 0;
        ok = deflate_some(o, Z_FINISH, error);
    }
    if (o->filter) {
        GError *ferr = NULL;
        if (!dumper_filter_finish(o->filter, ok ? &ferr : NULL) && ok) {
            g_propagate_error(error, ferr);
            ok = FALSE;
        }
        o->filter = NULL;
    }
    gboolean transformed = o->compress || o->server_crc_set;
    client_crc->crc = o->client_crc;
    client_crc->size = o->received;
    server_crc->crc = transformed ? o->server_crc : o->client_crc;
    server_crc->size = o->stored;
    if (o->holding) {
        if (ok)
            ok = holding_writer_finish(o->holding, partial, error);
        else
            holding_writer_abort(o->holding);
        o->holding = NULL;
    }
    out_free(o);
    return ok;
}

void
dumper_out_abort(dumper_out_t *o)
{
    if (!o)
        return;
    if (o->filter)
        dumper_filter_finish(o->filter, NULL);
    o->filter = NULL;
    if (o->holding)
        holding_writer_abort(o->holding);
    out_free(o);
}
