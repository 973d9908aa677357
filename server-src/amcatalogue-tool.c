/* amcatalogue-tool: run the catalogue parsers of libamserver on real files,
 * for installcheck and for operators who want to see what our code reads
 * in a log, info file, tapelist, holding disk or index directory.  Only
 * the *-rewrite commands change a file: they write it back through our
 * writers (atomically, under the same locks), optionally with one change;
 * holding-write makes a new holding image with our chunk writer. */
#include "config.h"
#include "curinfo.h"
#include "find.h"
#include "holding.h"
#include "indexfile.h"
#include "logfile.h"
#include "tapelist.h"
#include "amutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail(GError *err)
{
    fprintf(stderr, "amcatalogue-tool: %s\n", err ? err->message : "failed");
    if (err)
        g_error_free(err);
    return 1;
}

static gboolean
read_file(const char *path, char **buf, gsize *len, GError **error)
{
    return g_file_get_contents(path, buf, len, error);
}

static int
cmd_find(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return 2;
    GError *err = NULL;
    g_autoptr(GPtrArray) res = find_dumps(argv[0], argv[1], &err);
    if (!res || (argc == 3 && !find_sort(res, argv[2], &err)))
        return fail(err);
    g_autofree char *table = find_format(res);
    fputs(table, stdout);
    return 0;
}

static void
print_entry(const logfile_entry_t *e)
{
    printf("%s %s", logfile_type_name(e->type), logfile_program_name(e->program));
    if (e->has_dump) {
        g_autofree char *qd = quote_string(e->disk);
        printf(" host=%s disk=%s date=%s level=%d", e->host, qd, e->datestamp, e->level);
    }
    if (e->storage)
        printf(" storage=%s", e->storage);
    if (e->pool)
        printf(" pool=%s", e->pool);
    if (e->label)
        printf(" label=%s", e->label);
    if (e->filenum >= 0)
        printf(" filenum=%" G_GINT64_FORMAT, e->filenum);
    if (e->partnum >= 0 || e->totalparts >= 0)
        printf(" part=%d/%d", e->partnum, e->totalparts);
    if (e->stats.present)
        printf(" sec=%g kb=%" G_GINT64_FORMAT " bytes=%" G_GINT64_FORMAT " kps=%g orig-kb=%"
               G_GINT64_FORMAT, e->stats.sec, e->stats.kb, e->stats.bytes, e->stats.kps,
               e->stats.orig_kb);
    if (e->message)
        printf(" msg=%s", e->message);
    printf("\n");
}

static int
cmd_log_parse(int argc, char **argv)
{
    if (argc != 1)
        return 2;
    GError *err = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) entries = logfile_read_warn(argv[0], warnings, &err);
    if (!entries)
        return fail(err);
    for (guint i = 0; i < entries->len; i++)
        print_entry(g_ptr_array_index(entries, i));
    for (guint i = 0; i < warnings->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(warnings, i));
    return 0;
}

static int
cmd_curinfo_dump(int argc, char **argv)
{
    if (argc != 1)
        return 2;
    g_autofree char *buf = NULL;
    gsize len;
    GError *err = NULL;
    g_autoptr(curinfo_t) info = curinfo_new();
    if (!read_file(argv[0], &buf, &len, &err) || !curinfo_parse(buf, len, info, &err))
        return fail(err);
    g_autofree char *text = curinfo_format(info);
    fputs(text, stdout);
    return 0;
}

static int
cmd_tapelist_dump(int argc, char **argv)
{
    if (argc != 1)
        return 2;
    GError *err = NULL;
    g_autoptr(tapelist_t) tl = tapelist_read(argv[0], &err);
    if (!tl)
        return fail(err);
    g_autofree char *text = tapelist_format(tl);
    fputs(text, stdout);
    return 0;
}

static int
cmd_holding_list(int argc, char **argv)
{
    if (argc < 1)
        return 2;
    g_autofree char **dirs = g_new0(char *, (gsize)argc + 1);
    memcpy(dirs, argv, sizeof(char *) * (gsize)argc);
    g_autoptr(GPtrArray) files = holding_list((const char *const *)dirs, NULL);
    for (guint i = 0; i < files->len; i++) {
        const holding_file_t *f = g_ptr_array_index(files, i);
        g_autofree char *qd = quote_string(f->disk);
        printf("%s %s %s %d %" G_GUINT64_FORMAT " %u%s %s\n", f->datestamp, f->host, qd,
               f->level, f->kb, f->nchunks, f->partial ? " PARTIAL" : "", f->path);
    }
    g_autoptr(GPtrArray) tmps = holding_list_tmp((const char *const *)dirs, NULL);
    for (guint i = 0; i < tmps->len; i++)
        printf("TMP %s\n", (const char *)g_ptr_array_index(tmps, i));
    return 0;
}

static int
cmd_index_list(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    GError *err = NULL;
    g_autoptr(GPtrArray) dumps = indexfile_list_dumps(argv[0], argv[1], argv[2], &err);
    if (!dumps)
        return fail(err);
    static const char *const kinds[] = { "sorted", "unsorted", "header", "state" };
    for (guint i = 0; i < dumps->len; i++) {
        const indexfile_dump_t *d = g_ptr_array_index(dumps, i);
        printf("%s %d", d->timestamp, d->level);
        for (int k = 0; k < INDEXFILE_KIND_COUNT; k++)
            if (d->have[k])
                printf(" %s", kinds[k]);
        printf("\n");
    }
    return 0;
}

static int
cmd_index_cat(int argc, char **argv)
{
    if (argc != 1)
        return 2;
    GError *err = NULL;
    g_autoptr(GPtrArray) lines = indexfile_read_lines(argv[0], &err);
    if (!lines)
        return fail(err);
    for (guint i = 0; i < lines->len; i++)
        printf("%s\n", (const char *)g_ptr_array_index(lines, i));
    return 0;
}

/* PATH: the payload of a holding image, following its chunks. */
static int
cmd_holding_cat(int argc, char **argv)
{
    if (argc != 1)
        return 2;
    GError *err = NULL;
    holding_reader_t *r = holding_reader_open(argv[0], NULL, &err);
    if (!r)
        return fail(err);
    char buf[65536];
    gssize n;
    while ((n = holding_reader_read(r, buf, sizeof(buf), &err)) > 0) {
        if (fwrite(buf, 1, (gsize)n, stdout) != (gsize)n) {
            holding_reader_close(r);
            fprintf(stderr, "amcatalogue-tool: cannot write to standard output\n");
            return 1;
        }
    }
    holding_reader_close(r);
    return n < 0 ? fail(err) : 0;
}

static void
holding_header(dumpfile_t *h, char **argv, gsize len)
{
    fileheader_init(h);
    h->type = FILEHEADER_DUMPFILE;
    h->host = g_strdup(argv[2]);
    h->disk = g_strdup(argv[3]);
    h->datestamp = g_strdup(argv[4]);
    h->dumplevel = atoi(argv[5]);
    h->program = g_strdup("APPLICATION");
    h->application = g_strdup("amgtar");
    h->orig_size = (gint64)((len + 1023) / 1024);
}

/* PATH CHUNK-KB HOST DISK DATESTAMP LEVEL < image: a holding image made
 * by our chunk writer (an amgtar dump, not compressed). */
static int
cmd_holding_write(int argc, char **argv)
{
    if (argc != 6)
        return 2;
    g_autoptr(GByteArray) data = g_byte_array_new();
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
        g_byte_array_append(data, (guint8 *)buf, (guint)n);
    dumpfile_t h;
    holding_header(&h, argv, data->len);
    GError *err = NULL;
    guint64 chunksize = g_ascii_strtoull(argv[1], NULL, 10) * 1024;
    holding_writer_t *w = holding_writer_open(argv[0], &h, chunksize, &err);
    fileheader_clear(&h);
    if (!w)
        return fail(err);
    if (!holding_writer_write(w, data->data, data->len, NULL, &err)) {
        holding_writer_abort(w);
        return fail(err);
    }
    return holding_writer_finish(w, FALSE, &err) ? 0 : fail(err);
}

/* TAPELIST [LABEL reuse|no-reuse] */
static int
cmd_tapelist_rewrite(int argc, char **argv)
{
    if (argc != 1 && argc != 3)
        return 2;
    if (argc == 3 && strcmp(argv[2], "reuse") != 0 && strcmp(argv[2], "no-reuse") != 0)
        return 2;
    GError *err = NULL;
    int lock = tapelist_lock(argv[0], &err);
    if (lock < 0)
        return fail(err);
    g_autoptr(tapelist_t) tl = tapelist_read(argv[0], &err);
    gboolean ok = tl != NULL;
    if (ok && argc == 3)
        ok = tapelist_set_reuse(tl, argv[1], argv[2][0] == 'r', &err);
    if (ok)
        ok = tapelist_write(argv[0], tl, &err);
    tapelist_unlock(lock);
    return ok ? 0 : fail(err);
}

static gboolean
set_command_bits(curinfo_t *info, gpointer data, GError **error)
{
    (void)error;
    const guint *bits = data;
    if (*bits != G_MAXUINT)
        info->command = *bits;
    return TRUE;
}

/* INFODIR HOST DISK [COMMAND-BITS] */
static int
cmd_curinfo_rewrite(int argc, char **argv)
{
    if (argc != 3 && argc != 4)
        return 2;
    guint bits = G_MAXUINT;
    if (argc == 4) {
        char *end;
        guint64 v = g_ascii_strtoull(argv[3], &end, 10);
        if (*end || end == argv[3] || v > 15)
            return 2;
        bits = (guint)v;
    }
    GError *err = NULL;
    gboolean exists = FALSE;
    g_autoptr(curinfo_t) info = curinfo_new();
    if (!curinfo_read(argv[0], argv[1], argv[2], info, &exists, &err))
        return fail(err);
    if (!exists) {
        fprintf(stderr, "amcatalogue-tool: no info file for %s %s under %s\n", argv[1],
                argv[2], argv[0]);
        return 1;
    }
    if (!curinfo_update(argv[0], argv[1], argv[2], set_command_bits, &bits, &err))
        return fail(err);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *args;
} commands[] = {
    { "find", cmd_find, "LOGDIR TAPELIST [SORT-ORDER]" },
    { "log-parse", cmd_log_parse, "LOGFILE" },
    { "curinfo-dump", cmd_curinfo_dump, "INFOFILE" },
    { "tapelist-dump", cmd_tapelist_dump, "TAPELIST" },
    { "holding-list", cmd_holding_list, "HOLDINGDIR..." },
    { "index-list", cmd_index_list, "INDEXDIR HOST DISK" },
    { "index-cat", cmd_index_cat, "FILE.gz" },
    { "holding-cat", cmd_holding_cat, "PATH" },
    { "holding-write", cmd_holding_write, "PATH CHUNK-KB HOST DISK DATESTAMP LEVEL < IMAGE" },
    { "tapelist-rewrite", cmd_tapelist_rewrite, "TAPELIST [LABEL reuse|no-reuse]" },
    { "curinfo-rewrite", cmd_curinfo_rewrite, "INFODIR HOST DISK [COMMAND-BITS]" },
};

static int
usage(void)
{
    fprintf(stderr, "usage:\n");
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(stderr, "  amcatalogue-tool %s %s\n", commands[i].name, commands[i].args);
    return 2;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            int rc = commands[i].fn(argc - 2, argv + 2);
            return rc == 2 ? usage() : rc;
        }
    }
    return usage();
}
