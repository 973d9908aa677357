/* amadmin verbs about volumes and images: find, tape, delete, holding. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>

#include "admin-util.h"
#include "amadmin.h"
#include "amutil.h"
#include "curinfo.h"
#include "find.h"
#include "holding.h"
#include "volume-policy.h"

/* ---- find ---- */

static char **holding_dirs(const conf_t *conf);

/* Images still on the holding disk are listed as AMANDA does: storage
 * and pool "HOLDING", the file's path in place of a label. */
static void
add_holding_results(const conf_t *conf, GPtrArray *out)
{
    g_auto(GStrv) dirs = holding_dirs(conf);
    g_autoptr(GPtrArray) files = holding_list((const char *const *)dirs, NULL);
    for (guint i = 0; files && i < files->len; i++) {
        const holding_file_t *f = g_ptr_array_index(files, i);
        find_result_t *r = g_new0(find_result_t, 1);
        r->timestamp = g_strdup(f->datestamp);
        r->write_timestamp = g_strdup(f->datestamp);
        r->hostname = g_strdup(f->host);
        r->diskname = g_strdup(f->disk);
        r->level = f->level;
        r->storage = g_strdup("HOLDING");
        r->pool = g_strdup("HOLDING");
        r->label = g_strdup(f->path);
        r->partnum = r->totalparts = -1;
        r->status = g_strdup("OK");
        r->dump_status = g_strdup(f->partial ? "PARTIAL" : "OK");
        r->message = g_strdup("");
        r->kb = r->orig_kb = (gint64)f->kb;
        r->bytes = (gint64)f->bytes;
        g_ptr_array_add(out, r);
    }
}

static gboolean
selected(const GPtrArray *sel, const find_result_t *r)
{
    for (guint i = 0; i < sel->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(sel, i);
        if (g_ascii_strcasecmp(d->host, r->hostname) == 0 && strcmp(d->disk, r->diskname) == 0)
            return TRUE;
    }
    return FALSE;
}

int
amadmin_find(const amadmin_ctx_t *ctx, int argc, char **argv)
{
    const char *order = FIND_DEFAULT_SORT_ORDER;
    if (argc >= 2 && strcmp(argv[0], "--sort") == 0) {
        order = argv[1];
        argc -= 2;
        argv += 2;
    }
    g_autoptr(GPtrArray) sel = NULL;
    if (argc > 0 && !(sel = amadmin_select(ctx, argc, argv))) {
        printf("\nNo dump to list\n");
        return 1;
    }
    g_autofree char *logdir = admin_conf_path(ctx->conf, CNF_LOGDIR);
    g_autofree char *tlpath = admin_conf_path(ctx->conf, CNF_TAPELIST);
    GError *err = NULL;
    g_autoptr(GPtrArray) all = find_dumps(logdir, tlpath, &err);
    if (!all) {
        fprintf(stderr, "amadmin: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    add_holding_results(ctx->conf, all);
    g_autoptr(GPtrArray) shown = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++)
        if (!sel || selected(sel, g_ptr_array_index(all, i)))
            g_ptr_array_add(shown, g_ptr_array_index(all, i));
    if (!find_sort(shown, order, &err)) {
        fprintf(stderr, "amadmin: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    g_autofree char *text = find_format(shown);
    fputs(text, stdout);
    return 0;
}

/* ---- tape ---- */

int
amadmin_tape(const amadmin_ctx_t *ctx, G_GNUC_UNUSED int argc, G_GNUC_UNUSED char **argv)
{
    GError *err = NULL;
    g_autoptr(GPtrArray) written = NULL;
    g_autoptr(GPtrArray) fresh = NULL;
    if (!admin_next_volumes(ctx->conf, &written, &fresh, &err)) {
        fprintf(stderr, "amadmin: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    int runtapes = MAX(1, (int)conf_get_int(ctx->conf, CNF_RUNTAPES));
    int nnew = 0;
    for (int i = 0; i < runtapes; i++) {
        if ((guint)i < written->len)
            printf("The next Amanda run should go onto tape %s or a new tape.\n",
                   (const char *)g_ptr_array_index(written, i));
        else
            nnew++;
    }
    if (nnew > 0)
        printf("The next Amanda should go onto %d new tape%s.\n", nnew, nnew == 1 ? "" : "s");
    /* the never-written volumes were listed newest first; show the oldest */
    if (fresh->len > 0)
        printf("The next new tape already labelled is: %s.\n",
               (const char *)g_ptr_array_index(fresh, 0));
    return 0;
}

/* ---- delete ---- */

int
amadmin_delete(const amadmin_ctx_t *ctx, int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "amadmin: delete needs a host (and optionally disks)\n");
        return 1;
    }
    g_autoptr(GPtrArray) sel = amadmin_select(ctx, argc, argv);
    if (!sel)
        return 1;
    int rc = 0;
    for (guint i = 0; i < sel->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(sel, i);
        g_autofree char *path = curinfo_path(ctx->infodir, d->host, d->disk);
        g_autofree char *dir = curinfo_dir(ctx->infodir, d->host, d->disk);
        g_autofree char *q = quote_string(d->disk);
        if (g_unlink(path) != 0 && errno != ENOENT) {
            fprintf(stderr, "amadmin: cannot remove %s: %s\n", path, g_strerror(errno));
            rc = 1;
            continue;
        }
        g_rmdir(dir); /* only when empty; the host dir stays for its other DLEs */
        printf("amadmin: %s:%s deleted from curinfo database.\n", d->host, q);
    }
    if (sel->len > 0)
        printf("amadmin: NOTE: you'll have to remove these from the disklist yourself.\n");
    return rc;
}

/* ---- holding ---- */

static char **
holding_dirs(const conf_t *conf)
{
    g_autoptr(GPtrArray) hds = conf_holdingdisks(conf);
    GPtrArray *dirs = g_ptr_array_new();
    for (guint i = 0; hds && i < hds->len; i++) {
        const conf_value_t *v = conf_section_get(g_ptr_array_index(hds, i), HOLDING_DIRECTORY);
        if (v && v->s)
            g_ptr_array_add(dirs, g_strdup(v->s));
    }
    g_ptr_array_add(dirs, NULL);
    return (char **)g_ptr_array_free(dirs, FALSE);
}

int
amadmin_holding(const amadmin_ctx_t *ctx, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "list") != 0) {
        fprintf(stderr, "amadmin: holding supports: list [-l]\n");
        return 1;
    }
    gboolean longform = argc >= 2 && strcmp(argv[1], "-l") == 0;
    g_auto(GStrv) dirs = holding_dirs(ctx->conf);
    GError *err = NULL;
    g_autoptr(GPtrArray) files = holding_list((const char *const *)dirs, &err);
    if (!files) {
        fprintf(stderr, "amadmin: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    if (longform)
        printf("size (kB)  lv outd dump specification\n");
    for (guint i = 0; i < files->len; i++) {
        const holding_file_t *f = g_ptr_array_index(files, i);
        g_autofree char *q = quote_string(f->disk);
        if (longform)
            /* size counts the 32 KiB header of every chunk, as AMANDA's */
            printf("%-10" G_GUINT64_FORMAT " %-2d %-4s %s %s %s\n",
                   f->kb + 32 * (guint64)f->nchunks, f->level, "", f->host, q, f->datestamp);
        else
            printf("%s %s %s\n", f->host, q, f->datestamp);
    }
    return 0;
}
