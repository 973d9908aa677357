/* planner: decide tonight's dumps.  Reads the config, disklist and curinfo,
 * asks every client for estimates (planner-estimate.c), picks each DLE's
 * level (planner-levels.c), fits and balances the run (planner-balance.c)
 * and prints the schedule (schedule.h) on stdout for the driver.  Its
 * reasoning goes to stderr (the amdump trace) and START/DISK/INFO/FAIL/
 * FINISH lines to the run log, as AMANDA's planner writes them.
 *
 *   planner CONFIG [--timestamp TS] [--log FILE] [-o NAME=VALUE]... [HOST [DISK...]]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amfeatures.h"
#include "amutil.h"
#include "curinfo.h"
#include "debug.h"
#include "planner-balance.h"
#include "planner-estimate.h"
#include "schedule.h"
#include "server-dle.h"
#include "server-util.h"

typedef struct {
    conf_t *conf;
    disklist_t *dl;
    char *infodir;
    char *timestamp;
    time_t now;
    GPtrArray *ests;   /* plan_estimate_t* */
    GPtrArray *infos;  /* curinfo_t*, parallel */
    GPtrArray *items;  /* plan_item_t*, parallel */
} planner_t;

static void
params_of(const disklist_entry_t *e, plan_params_t *p)
{
    p->dumpcycle = (int)conf_value_int(server_dle_inherited(conf_global(), e, DUMPTYPE_DUMPCYCLE, CNF_DUMPCYCLE));
    p->strategy = (int)server_dle_int(e, DUMPTYPE_STRATEGY);
    p->skip_full = server_dle_int(e, DUMPTYPE_SKIP_FULL) != 0;
    p->skip_incr = server_dle_int(e, DUMPTYPE_SKIP_INCR) != 0;
    p->bumpsize = conf_value_int(server_dle_inherited(conf_global(), e, DUMPTYPE_BUMPSIZE, CNF_BUMPSIZE));
    p->bumppercent = (int)conf_value_int(server_dle_inherited(conf_global(), e, DUMPTYPE_BUMPPERCENT, CNF_BUMPPERCENT));
    p->bumpmult = server_dle_inherited(conf_global(), e, DUMPTYPE_BUMPMULT, CNF_BUMPMULT)->r[0];
    p->bumpdays = (int)conf_value_int(server_dle_inherited(conf_global(), e, DUMPTYPE_BUMPDAYS, CNF_BUMPDAYS));
}

/* The size a history gives LEVEL: its last dump, or for a level never
 * dumped the nearest lower level (an upper bound: a bump, or the first
 * incremental after a full). */
static gint64
history_size(const curinfo_t *info, int level, gboolean guess)
{
    if (info->inf[level].date >= 0)
        return info->inf[level].size;
    for (int l = level - 1; guess && l >= 0; l--)
        if (info->inf[l].date >= 0)
            return info->inf[l].size;
    return -1;
}

/* Sizes from the history for the levels marked "server"; with estimate
 * "server" first in the dumptype, every level with history; with
 * "server" alone, the client is asked only for a level 0 never dumped. */
static void
server_estimates(plan_estimate_t *est, const curinfo_t *info)
{
    const conf_value_t *v = conf_section_get(est->entry->dumptype, DUMPTYPE_ESTIMATE);
    gboolean server_first = v && v->list && v->list->len > 0 &&
                            GPOINTER_TO_INT(g_ptr_array_index(v->list, 0)) == ES_SERVER;
    gboolean server_only = server_first && v->list->len == 1;
    for (int i = 0; i < est->req.nlevels; i++) {
        gint64 hist = history_size(info, est->req.levels[i], server_only);
        if (server_first && hist >= 0)
            est->req.server[i] = TRUE;
        if (est->req.server[i])
            est->sizes[i] = hist;
    }
}

static void
setup_one(planner_t *pl, const disklist_entry_t *e)
{
    curinfo_t *info = curinfo_new();
    g_autoptr(GError) err = NULL;
    if (!curinfo_read(pl->infodir, e->host, e->disk, info, NULL, &err))
        fprintf(stderr, "planner: %s:%s: cannot read curinfo (%s); treating as new\n", e->host,
                e->disk, err->message);
    plan_estimate_t *est = g_new0(plan_estimate_t, 1);
    est->entry = e;
    plan_params_t p;
    params_of(e, &p);
    plan_setup(&p, info, pl->now, &est->req);
    for (int i = 0; i < PLAN_MAX_LEVELS; i++)
        est->sizes[i] = -1;
    server_estimates(est, info);
    g_autofree char *qd = quote_string(e->disk);
    if (est->req.new_disk)
        server_log(LOGFILE_L_INFO, LOGFILE_P_PLANNER, "Adding new disk %s:%s.", e->host, qd);
    if (est->req.reason)
        fprintf(stderr, "%s:%s %s\n", e->host, qd, est->req.reason);
    fprintf(stderr, "setup_estimate: %s:%s: command %u, last_level %d next_level0 %d, getting estimates",
            e->host, qd, info->command, est->req.last_level, est->req.next_level0);
    for (int i = 0; i < est->req.nlevels; i++)
        fprintf(stderr, " %d%s", est->req.levels[i], est->req.server[i] ? "(server)" : "");
    fprintf(stderr, "\n");
    g_ptr_array_add(pl->ests, est);
    g_ptr_array_add(pl->infos, info);
}

/* Compressed size: the history's ratio, else the dumptype's comprate. */
static gint64
compressed_kb(const plan_estimate_t *est, const curinfo_t *info, int level, gint64 kb)
{
    if (!server_dle_comp_suffix(est->entry) || kb <= 0)
        return kb;
    const curinfo_perf_t *perf = level == 0 ? &info->full : &info->incr;
    double ratio = perf->comp[0] > 0 ? perf->comp[0]
                 : conf_section_get(est->entry->dumptype, DUMPTYPE_COMPRATE)->r[level == 0 ? 0 : 1];
    return (gint64)((double)kb * ratio);
}

static plan_item_t *
analyze_one(planner_t *pl, plan_estimate_t *est, const curinfo_t *info)
{
    plan_params_t p;
    params_of(est->entry, &p);
    plan_item_t *it = g_new0(plan_item_t, 1);
    it->host = est->entry->host;
    it->disk = est->entry->disk;
    g_autofree char *why = NULL;
    it->level = plan_choose_level(&p, &est->req, est->sizes, info, &why);
    g_autofree char *qd = quote_string(est->entry->disk);
    fprintf(stderr, "pondering %s:%s... next_level0 %d last_level %d: %s\n", it->host, qd,
            est->req.next_level0, est->req.last_level, why);
    it->size = it->level >= 0 ? compressed_kb(est, info, it->level, plan_est_size(&est->req, est->sizes, it->level)) : 0;
    gint64 l0 = plan_est_size(&est->req, est->sizes, 0);
    it->lev0_size = l0 >= 0 ? compressed_kb(est, info, 0, l0) : -1;
    it->inc_level = -1;
    for (int i = 0; i < est->req.nlevels; i++)
        if (est->req.levels[i] > 0 && est->sizes[i] >= 0 && it->inc_level < 0) {
            it->inc_level = est->req.levels[i];
            it->inc_size = compressed_kb(est, info, it->inc_level, est->sizes[i]);
        }
    it->next_level0 = est->req.next_level0;
    it->maxpromoteday = (int)server_dle_int(est->entry, DUMPTYPE_MAXPROMOTEDAY);
    it->full_fixed = est->req.new_disk || est->req.forced || est->req.kind == PLAN_FULL_ONLY;
    it->priority = (int)server_dle_int(est->entry, DUMPTYPE_PRIORITY);
    (void)pl;
    return it;
}

static gint64
tape_capacity(const conf_t *conf, gint64 *filemark)
{
    *filemark = 0;
    gint64 maxdumpsize = conf_get_int(conf, CNF_MAXDUMPSIZE);
    const conf_section_t *tt = conf_lookup(conf, CONF_TAPETYPE, conf_get_str(conf, CNF_TAPETYPE));
    gint64 length = tt ? conf_value_int(conf_section_get(tt, TAPETYPE_LENGTH)) : 0;
    if (tt)
        *filemark = conf_value_int(conf_section_get(tt, TAPETYPE_FILEMARK));
    if (maxdumpsize > 0)
        return maxdumpsize;
    return length * MAX(1, conf_get_int(conf, CNF_RUNTAPES));
}

static void
balance(planner_t *pl)
{
    plan_balance_params_t bp = { 0 };
    bp.tape_kb = tape_capacity(pl->conf, &bp.filemark_kb);
    gint64 rpc = conf_get_int(pl->conf, CNF_RUNSPERCYCLE);
    gint64 dumpcycle = conf_get_int(pl->conf, CNF_DUMPCYCLE);
    bp.runs_per_cycle = (int)(rpc > 0 ? rpc : MAX(dumpcycle, 1));
    for (guint i = 0; i < pl->items->len; i++) {
        const plan_item_t *it = g_ptr_array_index(pl->items, i);
        if (it->lev0_size > 0)
            bp.total_lev0_kb += it->lev0_size;
    }
    fprintf(stderr, "\nDELAYING DUMPS IF NEEDED, total_size %" G_GINT64_FORMAT ", tape length %" G_GINT64_FORMAT "\n",
            plan_total_size(pl->items, bp.filemark_kb), bp.tape_kb);
    fprintf(stderr, "PROMOTING DUMPS IF NEEDED, balanced_size %" G_GINT64_FORMAT "\n",
            bp.total_lev0_kb / bp.runs_per_cycle);
    g_autoptr(GPtrArray) msgs = g_ptr_array_new_with_free_func(g_free);
    plan_balance(pl->items, &bp, msgs);
    for (guint i = 0; i < msgs->len; i++) {
        server_log(LOGFILE_L_INFO, LOGFILE_P_PLANNER, "%s", (char *)g_ptr_array_index(msgs, i));
        fprintf(stderr, "  %s\n", (char *)g_ptr_array_index(msgs, i));
    }
}

/* The date of the newest dump below LEVEL (what an incremental is based on). */
static time_t
based_on(const curinfo_t *info, int level)
{
    time_t best = 0;
    for (int l = 0; l < level; l++)
        if (info->inf[l].date > (gint64)best)
            best = (time_t)info->inf[l].date;
    return best;
}

static void
emit_one(planner_t *pl, guint i, const char *features)
{
    plan_estimate_t *est = g_ptr_array_index(pl->ests, i);
    const curinfo_t *info = g_ptr_array_index(pl->infos, i);
    plan_item_t *it = g_ptr_array_index(pl->items, i);
    g_autofree char *qd = quote_string(est->entry->disk);
    if (it->level < 0) {
        if (est->req.kind == PLAN_SKIP)
            return;
        const char *why = est->error ? est->error : it->note ? it->note : "no estimate";
        server_log(LOGFILE_L_FAIL, LOGFILE_P_PLANNER, "%s %s %s %d [%s]", it->host, qd,
                   pl->timestamp, est->req.nlevels ? est->req.levels[0] : 0, why);
        return;
    }
    gint64 nsize = plan_est_size(&est->req, est->sizes, it->level);
    const curinfo_perf_t *perf = it->level == 0 ? &info->full : &info->incr;
    gint64 kps = perf->rate[0] > 0 ? (gint64)perf->rate[0] : 1024;
    g_autofree char *dd = sched_dumpdate(based_on(info, it->level));
    g_autofree char *reason = g_strdup(it->note ? it->note : "");
    int prio = it->priority + (it->level == 0 && it->next_level0 <= 0 ? 1 - it->next_level0 : 0);
    sched_dump_t d = { (char *)it->host, (char *)features, (char *)est->entry->disk,
                       pl->timestamp, dd, reason, prio, it->level, nsize, it->size,
                       it->size / MAX(kps, 1), kps };
    g_autofree char *line = sched_format_dump(&d);
    printf("%s\n", line);
}

static void
emit_schedule(planner_t *pl)
{
    am_features_t *ours = am_features_ours();
    g_autofree char *features = am_features_to_hex(ours);
    am_features_free(ours);
    fprintf(stderr, "\nGENERATING SCHEDULE:\n--------\n");
    for (guint i = 0; i < pl->items->len; i++)
        emit_one(pl, i, features);
    fflush(stdout);
}

static void
est_free(gpointer p)
{
    plan_estimate_t *e = p;
    plan_request_clear(&e->req);
    g_free(e->error);
    g_free(e);
}

static void
item_free(gpointer p)
{
    plan_item_t *it = p;
    g_free(it->note);
    g_free(it);
}

static void
run(planner_t *pl, char **words, int nwords)
{
    gint64 start = g_get_monotonic_time();
    const GPtrArray *entries = disklist_entries(pl->dl);
    server_log(LOGFILE_L_START, LOGFILE_P_PLANNER, "date %s", pl->timestamp);
    gint64 tapecycle = conf_get_int(pl->conf, CNF_TAPECYCLE);
    gint64 rpc = conf_get_int(pl->conf, CNF_RUNSPERCYCLE);
    if (rpc > 0 && tapecycle <= rpc)
        server_log(LOGFILE_L_WARNING, LOGFILE_P_PLANNER, "tapecycle (%" G_GINT64_FORMAT ") <= runspercycle (%"
                   G_GINT64_FORMAT ")", tapecycle, rpc);
    fprintf(stderr, "SETTING UP FOR ESTIMATES...\n");
    for (guint i = 0; i < entries->len; i++) {
        const disklist_entry_t *e = g_ptr_array_index(entries, i);
        if (!server_dle_selected(words, nwords, pl->dl, e->host, e->disk) ||
            server_dle_int(e, DUMPTYPE_IGNORE))
            continue;
        g_autofree char *qd = quote_string(e->disk);
        server_log(LOGFILE_L_DISK, LOGFILE_P_PLANNER, "%s %s", e->host, qd);
        setup_one(pl, e);
    }
    fprintf(stderr, "\nGETTING ESTIMATES...\n");
    plan_get_estimates(pl->conf, pl->ests, pl->timestamp);
    fprintf(stderr, "planner: time %.3f: getting estimates done\n\nANALYZING ESTIMATES...\n",
            server_elapsed(start));
    for (guint i = 0; i < pl->ests->len; i++)
        g_ptr_array_add(pl->items, analyze_one(pl, g_ptr_array_index(pl->ests, i),
                                               g_ptr_array_index(pl->infos, i)));
    balance(pl);
    emit_schedule(pl);
    server_log(LOGFILE_L_FINISH, LOGFILE_P_PLANNER, "date %s time %.3f", pl->timestamp,
               server_elapsed(start));
}

int
main(int argc, char **argv)
{
    g_set_prgname("planner");
    debug_open("server");
    g_autofree char *timestamp = NULL, *logpath = NULL;
    g_auto(GStrv) overrides = NULL;
    GOptionEntry opts[] = {
        { "timestamp", 0, 0, G_OPTION_ARG_STRING, &timestamp, "run timestamp", "TS" },
        { "log", 0, 0, G_OPTION_ARG_FILENAME, &logpath, "run log file", "FILE" },
        { "override", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &overrides, "config override", "NAME=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG [HOST [DISK...]]...");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc < 2) {
        fprintf(stderr, "usage: planner CONFIG [--timestamp TS] [--log FILE] [HOST [DISK...]]...\n");
        return 2;
    }
    planner_t pl = { 0 };
    pl.conf = server_load_config(argv[1], overrides);
    server_dle_set_conf(pl.conf);
    conf_set_global(pl.conf);
    pl.dl = server_load_disklist(pl.conf);
    pl.infodir = server_conf_path(pl.conf, CNF_INFOFILE);
    pl.now = time(NULL);
    if (!timestamp) {
        timestamp = g_malloc(15);
        amanda_timestamp(pl.now, timestamp);
    }
    pl.timestamp = timestamp;
    pl.ests = g_ptr_array_new_with_free_func(est_free);
    pl.infos = g_ptr_array_new_with_free_func((GDestroyNotify)curinfo_free);
    pl.items = g_ptr_array_new_with_free_func(item_free);
    server_log_open(logpath);
    server_log(LOGFILE_L_INFO, LOGFILE_P_PLANNER, "planner pid %d", (int)getpid());
    run(&pl, argv + 2, argc - 2);
    server_log(LOGFILE_L_INFO, LOGFILE_P_PLANNER, "pid-done %d", (int)getpid());
    server_log_close();
    g_ptr_array_unref(pl.items);
    g_ptr_array_unref(pl.infos);
    g_ptr_array_unref(pl.ests);
    g_free(pl.infodir);
    disklist_free(pl.dl);
    conf_set_global(NULL);
    debug_close();
    return 0;
}
