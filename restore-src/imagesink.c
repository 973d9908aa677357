/* imagesink: write a restored image, undoing compression/encryption
 * (see imagesink.h). */
#include "imagesink.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "amutil.h"
#include "crc32c.h"

#define ZBUF_SIZE (256 * 1024)

G_DEFINE_QUARK(imagesink-error-quark, imagesink_error)

typedef enum { INPROC_COPY, INPROC_INFLATE, INPROC_DEFLATE } inproc_t;

struct ImageSink {
    int fd;
    char *out_name;
    guint64 bytes_in;
    guint32 crc_state;
    inproc_t inproc;
    z_stream z;
    gboolean z_ready;
    gboolean z_stream_end;   /* inflate: the last member ended */
    guchar *zbuf;
    int chain_in;            /* write end of the external filters, or -1 */
    GArray *pids;            /* GPid of each external filter */
    GPtrArray *filter_names; /* "gpg -d" ... for messages */
    gboolean finished;
};

static gboolean
is_gzip_suffix(const char *suffix)
{
    return suffix && (strcmp(suffix, ".gz") == 0 || strcmp(suffix, "gz") == 0);
}

/* What the output will hold, decided from the header and options. */
typedef struct {
    gboolean decrypt, decompress, compress;
    const char *crypt_prog, *crypt_opt;  /* decrypt with these */
    const char *comp_prog;               /* custom decompressor, or NULL for gzip */
} sink_plan_t;

static gboolean
make_plan(const dumpfile_t *hdr, const ImageSinkOptions *opt, sink_plan_t *plan,
          GError **error)
{
    memset(plan, 0, sizeof *plan);
    if (opt->raw)
        return TRUE;
    if (hdr->encrypted && opt->decrypt) {
        plan->decrypt = TRUE;
        plan->crypt_prog = hdr->srv_encrypt && *hdr->srv_encrypt ? hdr->srv_encrypt
                                                                  : hdr->clnt_encrypt;
        plan->crypt_opt = hdr->srv_decrypt_opt && *hdr->srv_decrypt_opt ? hdr->srv_decrypt_opt
                          : hdr->clnt_decrypt_opt && *hdr->clnt_decrypt_opt
                              ? hdr->clnt_decrypt_opt
                              : "-d";
        if (!plan->crypt_prog || !*plan->crypt_prog) {
            g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_UNKNOWN,
                        "the header says the image is encrypted but names no program to "
                        "decrypt it; restore it raw (-r, or -l for amfetchdump)");
            return FALSE;
        }
    }
    if (hdr->compressed && opt->decompress && opt->compress_level == 0) {
        plan->decompress = TRUE;
        plan->comp_prog = hdr->srvcompprog && *hdr->srvcompprog ? hdr->srvcompprog
                          : hdr->clntcompprog && *hdr->clntcompprog ? hdr->clntcompprog
                                                                    : NULL;
        if (!plan->comp_prog && !is_gzip_suffix(hdr->comp_suffix)) {
            g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_UNKNOWN,
                        "unknown compression \"%s\" in the header; restore it without "
                        "decompressing (-r, or -l for amfetchdump)",
                        hdr->comp_suffix ? hdr->comp_suffix : "");
            return FALSE;
        }
    }
    plan->compress = !hdr->compressed && opt->compress_level > 0;
    return TRUE;
}

void
imagesink_output_header(const dumpfile_t *hdr, const ImageSinkOptions *opt, dumpfile_t *out)
{
    fileheader_copy(out, hdr);
    if (opt->raw)
        return;
    sink_plan_t plan;
    if (!make_plan(hdr, opt, &plan, NULL))
        return;
    if (plan.decrypt) {
        out->encrypted = FALSE;
        g_clear_pointer(&out->encrypt_suffix, g_free);
        g_clear_pointer(&out->srv_encrypt, g_free);
        g_clear_pointer(&out->clnt_encrypt, g_free);
        g_clear_pointer(&out->srv_decrypt_opt, g_free);
        g_clear_pointer(&out->clnt_decrypt_opt, g_free);
        g_clear_pointer(&out->decrypt_cmd, g_free);
    }
    if (plan.decompress) {
        out->compressed = FALSE;
        g_clear_pointer(&out->comp_suffix, g_free);
        g_clear_pointer(&out->srvcompprog, g_free);
        g_clear_pointer(&out->clntcompprog, g_free);
        g_clear_pointer(&out->uncompress_cmd, g_free);
    }
    if (plan.compress) {
        out->compressed = TRUE;
        g_free(out->comp_suffix);
        out->comp_suffix = g_strdup(".gz");
        g_free(out->uncompress_cmd);
        out->uncompress_cmd = g_strdup("/bin/gzip -dc");
    }
    out->blocksize = opt->hint_blocksize;
}

static gboolean
write_out(ImageSink *s, const void *buf, gsize len, GError **error)
{
    if (len == 0)
        return TRUE;
    if (full_write(s->fd, buf, len) != (ssize_t)len) {
        g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_WRITE, "cannot write %s: %s",
                    s->out_name, g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

static gboolean
write_header(ImageSink *s, const dumpfile_t *hdr, const ImageSinkOptions *opt, GError **error)
{
    dumpfile_t out;
    imagesink_output_header(hdr, opt, &out);
    char *block = fileheader_build(&out, DISK_BLOCK_BYTES, error);
    fileheader_clear(&out);
    if (!block)
        return FALSE;
    gboolean ok = write_out(s, block, DISK_BLOCK_BYTES, error);
    g_free(block);
    return ok;
}

/* Start one external filter reading IN_FD and writing OUT_FD. */
static gboolean
spawn_filter(ImageSink *s, const char *const *argv, int in_fd, int out_fd, GError **error)
{
    GPid pid;
    GError *err = NULL;
    if (!g_spawn_async_with_pipes_and_fds(NULL, argv, NULL,
                                          G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                                          NULL, NULL, in_fd, out_fd, -1, NULL, NULL, 0, &pid,
                                          NULL, NULL, NULL, &err)) {
        g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_FILTER, "cannot run %s: %s",
                    argv[0], err->message);
        g_error_free(err);
        return FALSE;
    }
    g_array_append_val(s->pids, pid);
    g_ptr_array_add(s->filter_names, g_strjoinv(" ", (char **)argv));
    return TRUE;
}

static gboolean
pipe_or_error(int p[2], GError **error)
{
    if (pipe(p) == 0)
        return TRUE;
    g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_FILTER, "pipe: %s", g_strerror(errno));
    return FALSE;
}

/* External filters in data order: we write the first one's stdin, each
 * feeds the next through a pipe, the last writes straight to s->fd. */
static gboolean
start_chain(ImageSink *s, GPtrArray *argvs, GError **error)
{
    int p[2];
    if (!pipe_or_error(p, error))
        return FALSE;
    s->chain_in = p[1];
    int in_fd = p[0];
    for (guint i = 0; i < argvs->len; i++) {
        int out_fd = s->fd, next_in = -1;
        if (i + 1 < argvs->len) {
            if (!pipe_or_error(p, error)) {
                close(in_fd);
                return FALSE;
            }
            out_fd = p[1];
            next_in = p[0];
        }
        gboolean ok = spawn_filter(s, argvs->pdata[i], in_fd, out_fd, error);
        close(in_fd);
        if (out_fd != s->fd)
            close(out_fd);
        in_fd = next_in;
        if (!ok) {
            if (in_fd >= 0)
                close(in_fd);
            return FALSE;
        }
    }
    return TRUE;
}

static char **
argv_of(const char *prog, const char *arg)
{
    char **argv = g_new0(char *, 3);
    argv[0] = g_strdup(prog);
    argv[1] = arg ? g_strdup(arg) : NULL;
    return argv;
}

static gboolean
setup_filters(ImageSink *s, const sink_plan_t *plan, int level, GError **error)
{
    gboolean external = plan->decrypt || (plan->decompress && plan->comp_prog);
    if (!external) {
        if (plan->decompress) {
            s->inproc = INPROC_INFLATE;
            s->z_ready = inflateInit2(&s->z, 16 + MAX_WBITS) == Z_OK;
        } else if (plan->compress) {
            s->inproc = INPROC_DEFLATE;
            s->z_ready = deflateInit2(&s->z, level, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                      Z_DEFAULT_STRATEGY) == Z_OK;
        }
        if (s->inproc != INPROC_COPY && !s->z_ready) {
            g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_FILTER, "zlib init failed");
            return FALSE;
        }
        if (s->inproc != INPROC_COPY)
            s->zbuf = g_malloc(ZBUF_SIZE);
        return TRUE;
    }
    g_autoptr(GPtrArray) argvs = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    if (plan->decrypt)
        g_ptr_array_add(argvs, argv_of(plan->crypt_prog, plan->crypt_opt));
    if (plan->decompress)
        g_ptr_array_add(argvs, plan->comp_prog ? argv_of(plan->comp_prog, "-d")
                                               : argv_of("gzip", "-dc"));
    if (plan->compress)
        g_ptr_array_add(argvs, argv_of("gzip", level >= 9 ? "-9" : "-1"));
    return start_chain(s, argvs, error);
}

ImageSink *
imagesink_new(int fd, const char *out_name, const dumpfile_t *hdr, const ImageSinkOptions *opt,
              GError **error)
{
    sink_plan_t plan;
    if (!make_plan(hdr, opt, &plan, error))
        return NULL;
    ImageSink *s = g_new0(ImageSink, 1);
    s->fd = fd;
    s->out_name = g_strdup(out_name);
    s->crc_state = 0;
    s->chain_in = -1;
    s->pids = g_array_new(FALSE, FALSE, sizeof(GPid));
    s->filter_names = g_ptr_array_new_with_free_func(g_free);
    if ((opt->write_header && !write_header(s, hdr, opt, error)) ||
        !setup_filters(s, &plan, opt->compress_level, error)) {
        imagesink_free(s);
        return NULL;
    }
    return s;
}

static gboolean
zlib_error(ImageSink *s, int rc, GError **error)
{
    g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_FILTER,
                "%s of the image for %s failed: %s (zlib %d)",
                s->inproc == INPROC_INFLATE ? "gzip decompression" : "gzip compression",
                s->out_name, s->z.msg ? s->z.msg : "corrupt data", rc);
    return FALSE;
}

/* Feed LEN bytes through inflate; a new gzip member may follow the end of
 * one (concatenated streams are valid gzip). */
static gboolean
inflate_some(ImageSink *s, const void *buf, gsize len, GError **error)
{
    s->z.next_in = (Bytef *)buf;
    s->z.avail_in = (uInt)len;
    while (s->z.avail_in > 0) {
        if (s->z_stream_end) {
            inflateReset(&s->z);
            s->z_stream_end = FALSE;
        }
        s->z.next_out = s->zbuf;
        s->z.avail_out = ZBUF_SIZE;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return zlib_error(s, rc, error);
        if (!write_out(s, s->zbuf, ZBUF_SIZE - s->z.avail_out, error))
            return FALSE;
        if (rc == Z_STREAM_END)
            s->z_stream_end = TRUE;
    }
    return TRUE;
}

static gboolean
deflate_some(ImageSink *s, const void *buf, gsize len, int flush, GError **error)
{
    s->z.next_in = (Bytef *)buf;
    s->z.avail_in = (uInt)len;
    int rc;
    do {
        s->z.next_out = s->zbuf;
        s->z.avail_out = ZBUF_SIZE;
        rc = deflate(&s->z, flush);
        if (rc == Z_STREAM_ERROR)
            return zlib_error(s, rc, error);
        if (!write_out(s, s->zbuf, ZBUF_SIZE - s->z.avail_out, error))
            return FALSE;
    } while (s->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    return TRUE;
}

gboolean
imagesink_write(ImageSink *s, const void *buf, gsize len, GError **error)
{
    s->crc_state = crc32c(s->crc_state, buf, len);
    return imagesink_write_uncounted(s, buf, len, error);
}

void
imagesink_set_crc_in(ImageSink *s, guint32 crc)
{
    s->crc_state = crc;
}

gboolean
imagesink_write_uncounted(ImageSink *s, const void *buf, gsize len, GError **error)
{
    s->bytes_in += len;
    if (s->chain_in >= 0) {
        if (full_write(s->chain_in, buf, len) != (ssize_t)len) {
            g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_FILTER,
                        "cannot feed %s: %s (did it fail? see its messages above)",
                        (char *)s->filter_names->pdata[0], g_strerror(errno));
            return FALSE;
        }
        return TRUE;
    }
    switch (s->inproc) {
    case INPROC_INFLATE:
        return inflate_some(s, buf, len, error);
    case INPROC_DEFLATE:
        return deflate_some(s, buf, len, Z_NO_FLUSH, error);
    default:
        return write_out(s, buf, len, error);
    }
}

static gboolean
wait_filters(ImageSink *s, GError **error)
{
    gboolean ok = TRUE;
    for (guint i = 0; i < s->pids->len; i++) {
        GPid pid = g_array_index(s->pids, GPid, i);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        g_spawn_close_pid(pid);
        if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_FILTER,
                        "%s failed (%s %d) while restoring %s",
                        (char *)s->filter_names->pdata[i],
                        WIFEXITED(status) ? "exit status" : "signal",
                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                        s->out_name);
            ok = FALSE;
        }
    }
    g_array_set_size(s->pids, 0);
    return ok;
}

gboolean
imagesink_finish(ImageSink *s, GError **error)
{
    if (s->finished)
        return TRUE;
    s->finished = TRUE;
    gboolean ok = TRUE;
    if (s->chain_in >= 0) {
        close(s->chain_in);
        s->chain_in = -1;
        return wait_filters(s, error);
    }
    if (s->inproc == INPROC_DEFLATE)
        ok = deflate_some(s, NULL, 0, Z_FINISH, error);
    if (ok && s->inproc == INPROC_INFLATE && !s->z_stream_end) {
        g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_FILTER,
                    "the compressed image for %s ends early (gzip stream not finished): "
                    "a part is missing or truncated", s->out_name);
        ok = FALSE;
    }
    return ok;
}

void
imagesink_free(ImageSink *s)
{
    if (!s)
        return;
    if (s->chain_in >= 0)
        close(s->chain_in);
    for (guint i = 0; i < s->pids->len; i++) {
        GPid pid = g_array_index(s->pids, GPid, i);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        g_spawn_close_pid(pid);
    }
    if (s->z_ready) {
        if (s->inproc == INPROC_INFLATE)
            inflateEnd(&s->z);
        else
            deflateEnd(&s->z);
    }
    g_free(s->zbuf);
    g_array_unref(s->pids);
    g_ptr_array_unref(s->filter_names);
    g_free(s->out_name);
    g_free(s);
}

guint64
imagesink_bytes_in(const ImageSink *s)
{
    return s->bytes_in;
}

guint32
imagesink_crc_in(const ImageSink *s)
{
    return s->crc_state;
}

gboolean
imagesink_verify(const ImageSink *s, const dumpfile_t *hdr, GError **error)
{
    const fileheader_crc_t *want = &hdr->server_crc;
    if (want->size > 0 && want->size != s->bytes_in) {
        g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_VERIFY,
                    "%s: read %" G_GUINT64_FORMAT " bytes but the header's SERVER-CRC says "
                    "the dump has %" G_GUINT64_FORMAT ": a part is missing or truncated",
                    s->out_name, s->bytes_in, want->size);
        return FALSE;
    }
    guint32 got = imagesink_crc_in(s);
    if (want->size > 0 && want->crc != 0 && want->crc != got) {
        g_set_error(error, IMAGESINK_ERROR, IMAGESINK_ERROR_CRC,
                    "%s: the data's CRC-32C is %08x but the header's SERVER-CRC says %08x: "
                    "the image is corrupted", s->out_name, got, want->crc);
        return FALSE;
    }
    return TRUE;
}
