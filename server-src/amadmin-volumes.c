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
#include "logfile.h"
#include "volume-policy.h"

/* ---- find ---- */

static char **holding_dirs(const conf_t *conf);

/* A dump that failed before reaching a volume, as AMANDA's find lists it:
 * no storage or volume, part -1/-1, "FAILED (program)" and the quoted
 * reason. */
static find_result_t *
failed_result(const logfile_entry_t *e, const char *log_ts)
{
    find_result_t *r = g_new0(find_result_t, 1);
    r->timestamp = g_strdup(e->datestamp);
    r->write_timestamp = g_strdup(log_ts);
    r->hostname = g_strdup(e->host);
    r->diskname = g_strdup(e->disk);
    r->level = e->level;
    r->storage = g_strdup("");
    r->pool = g_strdup("");
    r->label = g_strdup("");
    r->partnum = r->totalparts = -1;
    r->status = g_strdup("FAILED");
    r->dump_status = g_strdup_printf("(%s)", e->program_name);
    g_autofree char *plain = e->message && e->message[0] == '"' ? unquote_string(e->message)
                                                                 : g_strdup(e->message ? e->message : "");
    g_autofree char *bracketed = plain[0] == '[' ? g_strdup(plain) : g_strdup_printf("[%s]", plain);
    g_autofree char *q = quote_string(bracketed);
    r->message = g_strdup_printf("%s  ", q);
    r->kb = r->bytes = r->orig_kb = -1;
    return r;
}

/* FAIL lines of the planner, driver and dumper in the logs of runs that
 * wrote a volume still in the tapelist (the taper's own failures are in
 * find's results already). */
static void
add_failed_results(const conf_t *conf, GPtrArray *out)
{
    g_autofree char *logdir = admin_conf_path(conf, CNF_LOGDIR);
    g_autoptr(tapelist_t) tl = admin_read_tapelist(conf, NULL);
    if (!tl)
        return;
    const char *dirs[] = { logdir, "oldlog" };
    for (gsize d = 0; d < G_N_ELEMENTS(dirs); d++) {
        g_autofree char *dir = d == 0 ? g_strdup(logdir) : g_build_filename(logdir, "oldlog", NULL);
        g_autoptr(GPtrArray) names = logfile_list(dir, NULL);
        for (guint i = 0; names && i < names->len; i++) {
            g_autofree char *ts = NULL;
            int seq;
            if (!logfile_name_split(g_ptr_array_index(names, i), &ts, &seq))
                continue;
            gboolean listed = FALSE;
            for (guint k = 0; k < tl->entries->len && !listed; k++)
                listed = strcmp(((tapelist_entry_t *)g_ptr_array_index(tl->entries, k))->datestamp,
                                ts) == 0;
            if (!listed)
                continue;
            g_autofree char *path = g_build_filename(dir, (char *)g_ptr_array_index(names, i), NULL);
            g_autoptr(GPtrArray) entries = logfile_read(path, NULL);
            for (guint k = 0; entries && k < entries->len; k++) {
                const logfile_entry_t *e = g_ptr_array_index(entries, k);
                if (e->type == LOGFILE_L_FAIL && e->has_dump && e->program != LOGFILE_P_TAPER)
                    g_ptr_array_add(out, failed_result(e, ts));
            }
        }
    }
}

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

/* find filters with AMANDA's "host [disk...]..." patterns applied to the
 * dumps themselves (a DLE no longer in the disklist is still found); an
 * argument that matches nothing is reported but still filters. */
typedef struct {
    const char *host;
    GPtrArray *disks;
} find_group_t;

static gboolean
any_result(const GPtrArray *all, const char *host_pat, const char *disk_pat)
{
    for (guint i = 0; i < all->len; i++) {
        const find_result_t *r = g_ptr_array_index(all, i);
        if ((!host_pat || amadmin_match_host(host_pat, r->hostname)) &&
            (!disk_pat || amadmin_match_disk(disk_pat, r->diskname)))
            return TRUE;
    }
    return FALSE;
}

static GArray *
find_groups(const GPtrArray *all, int argc, char **argv)
{
    GArray *groups = g_array_new(FALSE, TRUE, sizeof(find_group_t));
    for (int i = 0; i < argc; i++) {
        find_group_t *cur = groups->len ? &g_array_index(groups, find_group_t, groups->len - 1)
                                        : NULL;
        if (cur && any_result(all, cur->host, argv[i])) {
            g_ptr_array_add(cur->disks, argv[i]);
            continue;
        }
        if (!any_result(all, argv[i], NULL)) {
            printf("Argument '%s' matches neither a host nor a disk.\n", argv[i]);
            if (cur) {
                g_ptr_array_add(cur->disks, argv[i]);
                continue;
            }
        }
        find_group_t g = { argv[i], g_ptr_array_new() };
        g_array_append_val(groups, g);
    }
    return groups;
}

static gboolean
any_dle(const amadmin_ctx_t *ctx, const char *host_pat, const char *disk_pat)
{
    const GPtrArray *dles = disklist_entries(ctx->dl);
    for (guint i = 0; i < dles->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(dles, i);
        if ((!host_pat || amadmin_match_host(host_pat, d->host)) &&
            (!disk_pat || amadmin_match_disk(disk_pat, d->disk)))
            return TRUE;
    }
    return FALSE;
}

/* AMANDA's find first checks the words against the disklist and says
 * which match nothing there (the dumps may still match). */
static void
warn_unknown_words(const amadmin_ctx_t *ctx, int argc, char **argv)
{
    const char *host = NULL;
    for (int i = 0; i < argc; i++) {
        if (host && any_dle(ctx, host, argv[i]))
            continue;
        if (any_dle(ctx, argv[i], NULL)) {
            host = argv[i];
            continue;
        }
        printf("Argument '%s' matches neither a host nor a disk.\n", argv[i]);
        if (!host)
            host = argv[i];
    }
}

static gboolean
selected(const GArray *groups, const find_result_t *r)
{
    for (guint g = 0; g < groups->len; g++) {
        const find_group_t *grp = &g_array_index(groups, find_group_t, g);
        if (!amadmin_match_host(grp->host, r->hostname))
            continue;
        if (grp->disks->len == 0)
            return TRUE;
        for (guint d = 0; d < grp->disks->len; d++)
            if (amadmin_match_disk(g_ptr_array_index(grp->disks, d), r->diskname))
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
    add_failed_results(ctx->conf, all);
    warn_unknown_words(ctx, argc, argv);
    g_autoptr(GArray) groups = find_groups(all, argc, argv);
    g_autoptr(GPtrArray) shown = g_ptr_array_new();
    for (guint i = 0; i < all->len; i++)
        if (argc == 0 || selected(groups, g_ptr_array_index(all, i)))
            g_ptr_array_add(shown, g_ptr_array_index(all, i));
    for (guint g = 0; g < groups->len; g++)
        g_ptr_array_unref(g_array_index(groups, find_group_t, g).disks);
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

/* ---- reuse / no-reuse ---- */

int
amadmin_reuse(const amadmin_ctx_t *ctx, gboolean reuse, int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "amadmin: %s needs at least one label\n", reuse ? "reuse" : "no-reuse");
        return 1;
    }
    g_autofree char *path = admin_conf_path(ctx->conf, CNF_TAPELIST);
    GError *err = NULL;
    int lock = tapelist_lock(path, &err);
    g_autoptr(tapelist_t) tl = lock >= 0 ? tapelist_read(path, &err) : NULL;
    if (!tl) {
        fprintf(stderr, "amadmin: %s\n", err->message);
        g_error_free(err);
        if (lock >= 0)
            tapelist_unlock(lock);
        return 1;
    }
    const char *what = reuse ? "reusable" : "not reusable";
    gboolean changed = FALSE;
    for (int i = 0; i < argc; i++) {
        tapelist_entry_t *e = tapelist_lookup_label(tl, argv[i]);
        if (!e)
            fprintf(stderr, "label '%s' not found in tapelist file '%s'.\n", argv[i], path);
        else if (e->reuse == reuse)
            fprintf(stderr, "tape '%s' already %s.\n", argv[i], what);
        else {
            e->reuse = reuse;
            changed = TRUE;
            fprintf(stderr, "marking tape '%s' as %s.\n", argv[i], what);
        }
    }
    int rc = 0;
    if (changed && !tapelist_write(path, tl, &err)) {
        fprintf(stderr, "amadmin: %s\n", err->message);
        g_error_free(err);
        rc = 1;
    }
    tapelist_unlock(lock);
    return rc;
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
