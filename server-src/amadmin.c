/* amadmin: administrative queries and commands on a configuration's
 * catalogue.
 *
 *   amadmin [-o NAME=VALUE]... CONFIG VERB [ARGS]
 *     force | force-level-1 | force-bump | force-no-bump | unforce |
 *     unforce-bump  HOST [DISK...]...      (curinfo "command:" flags)
 *     info [HOST [DISK...]...] | due [...] | balance
 *     find [--sort ORDER] [HOST [DISK...]...] | tape | delete HOST [DISK...]
 *     holding list [-l] | reuse LABEL... | no-reuse LABEL... | hosts | dles
 *
 * The force verbs set and clear the flags exactly as AMANDA 3.5.1's
 * amadmin does (checked against it), with the same messages. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin-util.h"
#include "amadmin.h"
#include "amutil.h"
#include "curinfo.h"
#include "debug.h"

/* ---- DLE matching ---- */

static gboolean
components_match(const char *pattern, const char *name, const char *sep)
{
    g_auto(GStrv) pc = g_strsplit(pattern, sep, -1);
    g_auto(GStrv) nc = g_strsplit(name, sep, -1);
    guint np = g_strv_length(pc), nn = g_strv_length(nc);
    for (guint start = 0; start + np <= nn; start++) {
        gboolean all = TRUE;
        for (guint i = 0; i < np && all; i++)
            all = *pc[i] == '\0' ? *nc[start + i] == '\0'
                                 : g_pattern_match_simple(pc[i], nc[start + i]);
        if (all)
            return TRUE;
    }
    return FALSE;
}

gboolean
amadmin_match_host(const char *pattern, const char *host)
{
    if (pattern[0] == '=')
        return g_ascii_strcasecmp(pattern + 1, host) == 0;
    g_autofree char *p = g_ascii_strdown(pattern, -1);
    g_autofree char *h = g_ascii_strdown(host, -1);
    return strcmp(p, h) == 0 || g_pattern_match_simple(p, h) || components_match(p, h, ".");
}

gboolean
amadmin_match_disk(const char *pattern, const char *disk)
{
    if (pattern[0] == '=')
        return strcmp(pattern + 1, disk) == 0;
    if (strcmp(pattern, disk) == 0 || g_pattern_match_simple(pattern, disk))
        return TRUE;
    /* "/" alone would match every component boundary: only exact */
    return strcmp(pattern, "/") != 0 && components_match(pattern, disk, "/");
}

typedef struct {
    const char *host;
    GPtrArray *disks; /* patterns */
} host_group_t;

static gboolean
any_host(const GPtrArray *dles, const char *pat)
{
    for (guint i = 0; i < dles->len; i++)
        if (amadmin_match_host(pat, ((disklist_entry_t *)g_ptr_array_index(dles, i))->host))
            return TRUE;
    return FALSE;
}

static gboolean
any_disk(const GPtrArray *dles, const char *hostpat, const char *pat)
{
    for (guint i = 0; i < dles->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(dles, i);
        if (amadmin_match_host(hostpat, d->host) && amadmin_match_disk(pat, d->disk))
            return TRUE;
    }
    return FALSE;
}

static gboolean
group_selects(const host_group_t *g, const disklist_entry_t *d)
{
    if (!amadmin_match_host(g->host, d->host))
        return FALSE;
    if (g->disks->len == 0)
        return TRUE;
    for (guint i = 0; i < g->disks->len; i++)
        if (amadmin_match_disk(g_ptr_array_index(g->disks, i), d->disk))
            return TRUE;
    return FALSE;
}

GPtrArray *
amadmin_select(const amadmin_ctx_t *ctx, int argc, char **argv)
{
    const GPtrArray *dles = disklist_entries(ctx->dl);
    GPtrArray *out = g_ptr_array_new();
    g_autoptr(GArray) groups = g_array_new(FALSE, TRUE, sizeof(host_group_t));
    for (int i = 0; i < argc; i++) {
        host_group_t *cur = groups->len ? &g_array_index(groups, host_group_t, groups->len - 1)
                                        : NULL;
        /* a disk of the current host wins over another host's name */
        if (cur && any_disk(dles, cur->host, argv[i])) {
            g_ptr_array_add(cur->disks, argv[i]);
        } else if (any_host(dles, argv[i])) {
            host_group_t g = { argv[i], g_ptr_array_new() };
            g_array_append_val(groups, g);
        } else {
            printf("amadmin: Argument '%s' matches neither a host nor a disk.\n", argv[i]);
            g_clear_pointer(&out, g_ptr_array_unref);
            break;
        }
    }
    for (guint i = 0; out && i < dles->len; i++) {
        disklist_entry_t *d = g_ptr_array_index(dles, i);
        gboolean take = argc == 0;
        for (guint g = 0; g < groups->len && !take; g++)
            take = group_selects(&g_array_index(groups, host_group_t, g), d);
        if (take)
            g_ptr_array_add(out, d);
    }
    for (guint g = 0; g < groups->len; g++)
        g_ptr_array_unref(g_array_index(groups, host_group_t, g).disks);
    return out;
}

/* ---- force flags ---- */

typedef struct {
    const char *verb;
    guint set;          /* bit set by the verb (0 for unforce verbs) */
    guint clear;        /* bits cleared, with a message each */
    const char *done;   /* "is set to ..." text */
} force_verb_t;

static const force_verb_t force_verbs[] = {
    { "force", CURINFO_FORCE_FULL, CURINFO_FORCE_BUMP | CURINFO_FORCE_LEVEL_1,
      "a forced level 0" },
    { "force-level-1", CURINFO_FORCE_LEVEL_1, CURINFO_FORCE_FULL | CURINFO_FORCE_BUMP,
      "a forced level 1" },
    { "force-bump", CURINFO_FORCE_BUMP, CURINFO_FORCE_FULL | CURINFO_FORCE_NO_BUMP, "bump" },
    { "force-no-bump", CURINFO_FORCE_NO_BUMP, CURINFO_FORCE_BUMP, "not bump" },
};

static const char *
cleared_name(guint bit)
{
    switch (bit) {
    case CURINFO_FORCE_FULL: return "FORCE command was cleared";
    case CURINFO_FORCE_BUMP: return "FORCE-BUMP command was cleared";
    case CURINFO_FORCE_NO_BUMP: return "FORCE-NO-BUMP command was cleared.";
    default: return "FORCE-LEVEL-1 command was cleared";
    }
}

static char *
dle_name(const disklist_entry_t *d)
{
    g_autofree char *q = quote_string(d->disk);
    return g_strdup_printf("%s:%s", d->host, q);
}

static gboolean
apply_force(const amadmin_ctx_t *ctx, const disklist_entry_t *d, const force_verb_t *v)
{
    GError *err = NULL;
    guint old = 0;
    g_autofree char *name = dle_name(d);
    if (!curinfo_set_command(ctx->infodir, d->host, d->disk, v->set, v->clear, &old, &err)) {
        fprintf(stderr, "amadmin: %s: %s\n", name, err->message);
        g_error_free(err);
        return FALSE;
    }
    static const guint order[] = { CURINFO_FORCE_FULL, CURINFO_FORCE_LEVEL_1,
                                   CURINFO_FORCE_BUMP, CURINFO_FORCE_NO_BUMP };
    for (gsize i = 0; i < G_N_ELEMENTS(order); i++)
        if ((old & order[i]) && (v->clear & order[i]))
            printf("amadmin: %s %s\n", name, cleared_name(order[i]));
    printf("amadmin: %s is set to %s at next run.\n", name, v->done);
    return TRUE;
}

static gboolean
apply_unforce(const amadmin_ctx_t *ctx, const disklist_entry_t *d, gboolean bump)
{
    GError *err = NULL;
    curinfo_t info;
    g_autofree char *name = dle_name(d);
    guint mask = bump ? CURINFO_FORCE_BUMP | CURINFO_FORCE_NO_BUMP
                      : CURINFO_FORCE_FULL | CURINFO_FORCE_LEVEL_1;
    guint old = 0;
    curinfo_init(&info);
    gboolean ok = curinfo_read(ctx->infodir, d->host, d->disk, &info, NULL, &err);
    old = info.command;
    curinfo_clear(&info);
    if (ok && (old & mask))
        ok = curinfo_set_command(ctx->infodir, d->host, d->disk, 0, mask, NULL, &err);
    if (!ok) {
        fprintf(stderr, "amadmin: %s: %s\n", name, err->message);
        g_error_free(err);
        return FALSE;
    }
    if (!(old & mask))
        printf("amadmin: no %s command outstanding for %s, unchanged.\n",
               bump ? "bump" : "force", name);
    else if (bump)
        printf("amadmin: bump command for %s cleared.\n", name);
    else
        printf("amadmin: %s command for %s cleared.\n",
               (old & CURINFO_FORCE_FULL) ? "force" : "force-level-1", name);
    return TRUE;
}

static int
cmd_force(const amadmin_ctx_t *ctx, const char *verb, int argc, char **argv)
{
    if (argc < 1) {
        fprintf(stderr, "amadmin: %s needs a host (and optionally disks)\n", verb);
        return 1;
    }
    g_autoptr(GPtrArray) sel = amadmin_select(ctx, argc, argv);
    if (!sel)
        return 1;
    gboolean ok = TRUE;
    for (guint i = 0; i < sel->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(sel, i);
        if (strcmp(verb, "unforce") == 0 || strcmp(verb, "unforce-bump") == 0) {
            ok &= apply_unforce(ctx, d, strcmp(verb, "unforce-bump") == 0);
            continue;
        }
        for (gsize v = 0; v < G_N_ELEMENTS(force_verbs); v++)
            if (strcmp(force_verbs[v].verb, verb) == 0)
                ok &= apply_force(ctx, d, &force_verbs[v]);
    }
    return ok ? 0 : 1;
}

/* ---- info ---- */

static void
print_perf(const char *what, const double v[CURINFO_AVG_COUNT], gboolean percent)
{
    printf("%s", what);
    for (int i = 0; i < CURINFO_AVG_COUNT; i++) {
        double x = v[i] < 0 ? -1.0 : v[i];
        if (percent)
            printf("%s%5.1f%%", i ? "," : " ", x * 100.0);
        else
            printf("%s%5.1f", i ? ", " : "  ", x);
    }
    printf("\n");
}

static void
print_info(const disklist_entry_t *d, const curinfo_t *info)
{
    /* AMANDA 3.5.1 prints the disk name unquoted here (seen with blanks) */
    printf("\nCurrent info for %s %s:\n", d->host, d->disk);
    if (info->command & CURINFO_FORCE_FULL)
        printf("  (Forcing to level 0 dump at next run)\n");
    if (info->command & CURINFO_FORCE_BUMP)
        printf("  (Forcing bump at next run)\n");
    if (info->command & CURINFO_FORCE_NO_BUMP)
        printf("  (Forcing no-bump at next run)\n");
    print_perf("  Stats: dump rates (kps), Full:", info->full.rate, FALSE);
    print_perf("                    Incremental:", info->incr.rate, FALSE);
    print_perf("          compressed size, Full:", info->full.comp, TRUE);
    print_perf("                    Incremental:", info->incr.comp, TRUE);
    printf("  Dumps: lev datestmp  tape             file   origK   compK secs\n");
    for (int l = 0; l < CURINFO_LEVELS; l++) {
        const curinfo_stats_t *s = &info->inf[l];
        if (s->date < 0)
            continue;
        time_t t = (time_t)s->date;
        struct tm tm;
        char date[16];
        localtime_r(&t, &tm);
        strftime(date, sizeof date, "%Y%m%d", &tm);
        printf("        %3d  %s  %-15s  %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
               " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
               l, date, s->label ? s->label : "", s->filenum, s->size, s->csize, s->secs);
    }
}

static int
cmd_info(const amadmin_ctx_t *ctx, int argc, char **argv)
{
    g_autoptr(GPtrArray) sel = amadmin_select(ctx, argc, argv);
    if (!sel)
        return 1;
    for (guint i = 0; i < sel->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(sel, i);
        curinfo_t info;
        GError *err = NULL;
        curinfo_init(&info);
        if (!curinfo_read(ctx->infodir, d->host, d->disk, &info, NULL, &err)) {
            fprintf(stderr, "amadmin: %s:%s: %s\n", d->host, d->disk, err->message);
            g_clear_error(&err);
        } else {
            print_info(d, &info);
        }
        curinfo_clear(&info);
    }
    return 0;
}

/* ---- due and balance ---- */

static int
dumpcycle_of(const disklist_entry_t *d)
{
    const conf_value_t *v = conf_section_get(d->dumptype, DUMPTYPE_DUMPCYCLE);
    return v ? (int)v->i : 10;
}

/* Days until the next full: AMANDA counts a started day as a whole one.
 * FALSE for a DLE never dumped at level 0 (a new disk). */
static gboolean
days_until_full(const disklist_entry_t *d, const curinfo_t *info, time_t now, int *days)
{
    if (info->command & CURINFO_FORCE_FULL) {
        *days = 0;
        return TRUE;
    }
    if (info->inf[0].date < 0)
        return FALSE;
    gint64 diff = (gint64)now - info->inf[0].date;
    gint64 since = diff <= 0 ? 0 : (diff + 86399) / 86400;
    *days = dumpcycle_of(d) - (int)since;
    return TRUE;
}

static int
cmd_due(const amadmin_ctx_t *ctx, int argc, char **argv)
{
    g_autoptr(GPtrArray) sel = amadmin_select(ctx, argc, argv);
    if (!sel)
        return 1;
    time_t now = time(NULL);
    for (guint i = 0; i < sel->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(sel, i);
        curinfo_t info;
        int days;
        curinfo_init(&info);
        curinfo_read(ctx->infodir, d->host, d->disk, &info, NULL, NULL);
        g_autofree char *name = dle_name(d);
        if (!days_until_full(d, &info, now, &days))
            printf("new disk %s ignored.\n", name);
        else if (days < 0)
            printf("Overdue %2d day%s: %s\n", -days, days == -1 ? "" : "s", name);
        else if (days == 0)
            printf("Due today: %s\n", name);
        else
            printf("Due in %2d day%s: %s\n", days, days == 1 ? "" : "s", name);
        curinfo_clear(&info);
    }
    return 0;
}

typedef struct {
    int fs;
    gint64 orig, out;
} balance_day_t;

static void
print_balance(const balance_day_t *days, int ndays, int runs, time_t now)
{
    gint64 total_orig = 0, total_out = 0;
    int total_fs = 0;
    for (int i = 0; i < ndays; i++) {
        total_fs += days[i].fs;
        total_orig += days[i].orig;
        total_out += days[i].out;
    }
    gint64 avg = runs > 0 ? total_out / runs : 0;
    printf("\n due-date  #fs    orig KB     out KB   balance\n");
    printf("----------------------------------------------\n\n");
    for (int i = 0; i < ndays; i++) {
        if (!days[i].fs && !days[i].out)
            continue;
        time_t t = now + (time_t)i * 86400;
        struct tm tm;
        char date[32];
        localtime_r(&t, &tm);
        strftime(date, sizeof date, "%m/%d %a", &tm);
        printf("%-9s %4d %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " ", date, days[i].fs,
               days[i].orig, days[i].out);
        if (avg > 0)
            printf("%+8.1f%%\n", (double)(days[i].out - avg) * 100.0 / (double)avg);
        else
            printf("     ---\n");
    }
    printf("----------------------------------------------\n");
    printf("%-9s %4d %10" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " %9" G_GINT64_FORMAT "\n",
           "TOTAL", total_fs, total_orig, total_out, avg);
    printf("  (estimated %d run%s per dumpcycle)\n", runs, runs == 1 ? "" : "s");
}

static int
cmd_balance(const amadmin_ctx_t *ctx)
{
    int dumpcycle = (int)conf_get_int(ctx->conf, CNF_DUMPCYCLE);
    int runs = (int)conf_get_int(ctx->conf, CNF_RUNSPERCYCLE);
    if (runs <= 0)
        runs = dumpcycle > 0 ? dumpcycle : 1;
    int ndays = MAX(dumpcycle, 1) + 1;
    g_autofree balance_day_t *days = g_new0(balance_day_t, ndays);
    const GPtrArray *dles = disklist_entries(ctx->dl);
    time_t now = time(NULL);
    gboolean any = FALSE;
    for (guint i = 0; i < dles->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(dles, i);
        curinfo_t info;
        int due;
        curinfo_init(&info);
        curinfo_read(ctx->infodir, d->host, d->disk, &info, NULL, NULL);
        if (!days_until_full(d, &info, now, &due)) {
            g_autofree char *name = dle_name(d);
            printf("new disk %s ignored.\n", name);
        } else {
            int slot = CLAMP(due, 0, ndays - 1);
            days[slot].fs++;
            days[slot].orig += MAX(info.inf[0].size, 0);
            days[slot].out += MAX(info.inf[0].csize, 0);
            any = TRUE;
        }
        curinfo_clear(&info);
    }
    if (!any) {
        printf("\nNo data to report on yet.\n");
        return 0;
    }
    print_balance(days, ndays, runs, now);
    return 0;
}

/* ---- hosts, dles ---- */

static int
cmd_list(const amadmin_ctx_t *ctx, gboolean hosts_only)
{
    const GPtrArray *dles = disklist_entries(ctx->dl);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < dles->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(dles, i);
        if (!hosts_only) {
            g_autofree char *q = quote_string(d->disk);
            printf("%s %s\n", d->host, q);
        } else if (g_hash_table_add(seen, d->host)) {
            printf("%s\n", d->host);
        }
    }
    return 0;
}

/* ---- main ---- */

static void
usage(void)
{
    fprintf(stderr,
            "Usage: amadmin [-o configoption]* <conf> <command> {<args>}\n"
            "  Valid <command>s are:\n"
            "    force [<hostname> [<disks>]* ]+       force level 0 at next run\n"
            "    force-level-1 [<hostname> [<disks>]* ]+ force level 1 at next run\n"
            "    force-bump [<hostname> [<disks>]* ]+  force bump at next run\n"
            "    force-no-bump [<hostname> [<disks>]* ]+ force no-bump at next run\n"
            "    unforce [<hostname> [<disks>]* ]+     clear force command\n"
            "    unforce-bump [<hostname> [<disks>]* ]+ clear bump command\n"
            "    info [<hostname> [<disks>]* ]*        show database info\n"
            "    due [<hostname> [<disks>]* ]*         show due date\n"
            "    balance                              show nightly dump size balance\n"
            "    find [--sort <hkdlpbfw>] [<hostname> [<disks>]* ]* find dumps on volumes\n"
            "    tape                                 show the volumes the next run uses\n"
            "    delete [<hostname> [<disks>]* ]+      delete from the info database\n"
            "    holding list [-l]                    list holding-disk files\n"
            "    reuse <label>... | no-reuse <label>... mark volumes (not) reusable\n"
            "    hosts | dles                         list the disklist's hosts or DLEs\n");
    exit(1);
}

static int
dispatch(amadmin_ctx_t *ctx, const char *verb, int argc, char **argv)
{
    if (g_str_has_prefix(verb, "force") || g_str_has_prefix(verb, "unforce")) {
        if (strcmp(verb, "unforce") == 0 || strcmp(verb, "unforce-bump") == 0)
            return cmd_force(ctx, verb, argc, argv);
        for (gsize v = 0; v < G_N_ELEMENTS(force_verbs); v++)
            if (strcmp(force_verbs[v].verb, verb) == 0)
                return cmd_force(ctx, verb, argc, argv);
    }
    if (strcmp(verb, "info") == 0)
        return cmd_info(ctx, argc, argv);
    if (strcmp(verb, "due") == 0)
        return cmd_due(ctx, argc, argv);
    if (strcmp(verb, "balance") == 0)
        return cmd_balance(ctx);
    if (strcmp(verb, "find") == 0)
        return amadmin_find(ctx, argc, argv);
    if (strcmp(verb, "tape") == 0)
        return amadmin_tape(ctx, argc, argv);
    if (strcmp(verb, "delete") == 0)
        return amadmin_delete(ctx, argc, argv);
    if (strcmp(verb, "holding") == 0)
        return amadmin_holding(ctx, argc, argv);
    if (strcmp(verb, "reuse") == 0 || strcmp(verb, "no-reuse") == 0)
        return amadmin_reuse(ctx, strcmp(verb, "reuse") == 0, argc, argv);
    if (strcmp(verb, "hosts") == 0 || strcmp(verb, "dles") == 0)
        return cmd_list(ctx, strcmp(verb, "hosts") == 0);
    fprintf(stderr, "amadmin: unknown command \"%s\"\n", verb);
    usage();
    return 1;
}

int
main(int argc, char **argv)
{
    admin_start("amadmin");
    g_auto(GStrv) overrides = admin_take_overrides(&argc, argv);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("amadmin-%s\n", PACKAGE_VERSION);
        return 0;
    }
    if (argc < 3)
        usage();
    amadmin_ctx_t ctx = { 0 };
    ctx.conf = admin_load_config(argv[1], overrides);
    if (!ctx.conf)
        return 1;
    ctx.dl = disklist_load(ctx.conf, NULL);
    const GPtrArray *derr = disklist_errors(ctx.dl);
    for (guint i = 0; i < derr->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(derr, i));
    int rc = 1;
    if (derr->len == 0) {
        ctx.infodir = admin_conf_path(ctx.conf, CNF_INFOFILE);
        rc = dispatch(&ctx, argv[2], argc - 3, argv + 3);
    }
    g_free(ctx.infodir);
    disklist_free(ctx.dl);
    conf_free(ctx.conf);
    debug_close();
    return rc;
}
