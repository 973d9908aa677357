/* driver: runs tonight's schedule.  Reads the planner's DUMP lines on
 * stdin, starts up to inparallel dumpers (maxdumps per client) writing to
 * holding disks (space accounted per disk) or, when no holding disk can
 * take a dump and its dumptype allows it, straight to the taper through a
 * FIFO; feeds finished holding files to the taper one at a time; retries
 * TRY-AGAIN dumps; records each dump in curinfo.  When the taper has no
 * volume the run goes on in degraded mode: dumps stay on the holding disk
 * for amflush.  Progress lines for amstatus go to stderr (the amdump
 * trace); START/FINISH driver lines to the run log.
 *
 *   driver CONFIG [--timestamp TS] [--log FILE] < schedule
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amanda_paths.h"
#include "amutil.h"
#include "curinfo.h"
#include "debug.h"
#include "driver.h"
#include "holding.h"
#include "schedule.h"
#include "server-dle.h"
#include "server-util.h"

typedef enum { J_WAIT, J_DUMPING, J_TAPE_WAIT, J_TAPING, J_DONE, J_FAILED } job_state_t;

typedef struct {
    sched_dump_t s;
    const disklist_entry_t *entry;
    job_state_t state;
    int tries;
    int hdisk;              /* holding disk index, -1 direct */
    gint64 reserved_kb;
    char *holdfile;
    char *fifo;
    gboolean dumper_done, taper_done;  /* direct: both must finish */
    gint64 orig_kb, out_kb, secs;
    char *crcs;             /* "native client server" for FILE-WRITE */
    time_t started;
    gboolean tried;         /* could not start in this dispatch round */
} job_t;

typedef struct {
    conf_t *conf;
    disklist_t *dl;
    char *config, *timestamp, *logpath, *infodir;
    GPtrArray *jobs;
    GPtrArray *hdisks;
    driver_peer_t *taper;
    job_t *taping;          /* the job on the taper */
    gboolean taper_dead, degraded;
    int running;
    int inparallel;
    gint64 start_us;
    GQueue tapeq;           /* job_t* waiting for the taper */
    char **overrides;       /* -o NAME=VALUE, passed on to dumpers and taper */
} driver_t;

static double
now_s(driver_t *d)
{
    return server_elapsed(d->start_us);
}

static const char *
qdisk(job_t *j)
{
    static char *q;
    g_free(q);
    q = quote_string(j->s.disk);
    return q;
}

/* ---- schedule ---- */

static gint
job_order(gconstpointer a, gconstpointer b)
{
    const job_t *x = *(job_t *const *)a, *y = *(job_t *const *)b;
    if (x->s.priority != y->s.priority)
        return x->s.priority > y->s.priority ? -1 : 1;
    return x->s.csize > y->s.csize ? -1 : x->s.csize < y->s.csize ? 1 : 0;
}

static void
read_schedule(driver_t *d)
{
    char line[65536];
    while (fgets(line, sizeof line, stdin)) {
        g_strchomp(line);
        if (!g_str_has_prefix(line, "DUMP "))
            continue;
        job_t *j = g_new0(job_t, 1);
        g_autoptr(GError) err = NULL;
        if (!sched_parse_dump(line, &j->s, &err)) {
            fprintf(stderr, "driver: %s\n", err->message);
            g_free(j);
            continue;
        }
        j->entry = disklist_find(d->dl, j->s.host, j->s.disk);
        j->hdisk = -1;
        if (!j->entry) {
            fprintf(stderr, "driver: %s:%s is not in the disklist, skipped\n", j->s.host, j->s.disk);
            sched_dump_clear(&j->s);
            g_free(j);
            continue;
        }
        fprintf(stderr, "driver: schedule %s %s %d %" G_GINT64_FORMAT "\n", j->s.host, qdisk(j),
                j->s.level, j->s.csize);
        g_ptr_array_add(d->jobs, j);
    }
    g_ptr_array_sort(d->jobs, job_order);
}

/* autoflush: images earlier runs left on the holding disks go to the taper
 * first (the driver only writes them; their curinfo already has the dump). */
static void
queue_flushes(driver_t *d)
{
    if (conf_get_int(d->conf, CNF_AUTOFLUSH) == CONF_NO)
        return;
    g_autoptr(GPtrArray) dirs = g_ptr_array_new();
    for (guint i = 0; i < d->hdisks->len; i++)
        g_ptr_array_add(dirs, ((driver_hdisk_t *)g_ptr_array_index(d->hdisks, i))->dir);
    g_ptr_array_add(dirs, NULL);
    g_autoptr(GPtrArray) files = holding_list((const char *const *)dirs->pdata, NULL);
    for (guint i = 0; files && i < files->len; i++) {
        const holding_file_t *f = g_ptr_array_index(files, i);
        if (strcmp(f->run_dir, d->timestamp) == 0 || f->partial)
            continue;
        job_t *j = g_new0(job_t, 1);
        j->s.host = g_strdup(f->host);
        j->s.disk = g_strdup(f->disk);
        j->s.datestamp = g_strdup(f->datestamp);
        j->s.level = f->level;
        j->entry = disklist_find(d->dl, f->host, f->disk);
        j->holdfile = g_strdup(f->path);
        j->hdisk = -1;
        j->orig_kb = (gint64)f->kb;
        j->crcs = g_strdup("");
        j->state = J_TAPE_WAIT;
        fprintf(stderr, "driver: flush %s %s %d %s\n", j->s.host, qdisk(j), j->s.level, f->path);
        g_ptr_array_add(d->jobs, j);
        g_queue_push_tail(&d->tapeq, j);
    }
}

/* ---- curinfo ---- */

typedef struct {
    curinfo_dump_t dump;
    const char *label;
    gint64 filenum;
} info_update_t;

static gboolean
apply_info(curinfo_t *info, gpointer data, GError **error)
{
    info_update_t *u = data;
    (void)error;
    if (u->label)
        curinfo_set_tape(info, u->dump.level, u->filenum, u->label);
    else
        curinfo_record_dump(info, &u->dump);
    return TRUE;
}

static void
update_info(driver_t *d, job_t *j, const char *label, gint64 filenum)
{
    info_update_t u = { { j->s.level, j->orig_kb, j->out_kb, j->secs, (gint64)j->started,
                          j->entry && server_dle_comp_suffix(j->entry) != NULL }, label, filenum };
    g_autoptr(GError) err = NULL;
    if (!curinfo_update(d->infodir, j->s.host, j->s.disk, apply_info, &u, &err))
        fprintf(stderr, "driver: curinfo of %s:%s not updated: %s\n", j->s.host, j->s.disk,
                err->message);
}

/* Append "-o NAME=VALUE" for every override of the run. */
static void
add_overrides(driver_t *d, GPtrArray *argv)
{
    for (int i = 0; d->overrides && d->overrides[i]; i++) {
        g_ptr_array_add(argv, "-o");
        g_ptr_array_add(argv, d->overrides[i]);
    }
}

/* ---- taper ---- */

static void dispatch(driver_t *d);

static void
release_holding(driver_t *d, job_t *j)
{
    if (j->hdisk >= 0) {
        driver_hdisk_t *h = g_ptr_array_index(d->hdisks, j->hdisk);
        h->free_kb += j->reserved_kb;
        j->reserved_kb = 0;
    }
}

static void
enter_degraded(driver_t *d, const char *why)
{
    if (d->degraded)
        return;
    d->degraded = TRUE;
    /* AMANDA's shape "no-tape <type> [why]": its amreport skips the type word */
    server_log(LOGFILE_L_ERROR, LOGFILE_P_TAPER, "no-tape error [%s]", why);
    fprintf(stderr, "driver: degraded time %.3f %s\n", now_s(d), why);
}

/* After "DONE <handle> <label> <filenum> ..." for J: record where it is,
 * then delete its holding image (in that order: a crash between them leaves
 * an image amflush would tape again, never a record of nothing). */
static void
record_taped(driver_t *d, job_t *j, char **t)
{
    if (j->fifo)
        update_info(d, j, NULL, 0);
    update_info(d, j, t[2], g_ascii_strtoll(t[3], NULL, 10));
    if (j->holdfile && !j->fifo)
        holding_delete(j->holdfile, NULL);
}

/* DONE/PARTIAL/FAILED/NO-VOLUME <handle> ... from the taper; TRUE when the
 * job is on a volume and record_taped is still to be done for it. */
static gboolean
taper_result(driver_t *d, char **t)
{
    job_t *j = d->taping;
    d->taping = NULL;
    if (!j)
        return FALSE;
    j->taper_done = TRUE;
    if (strcmp(t[0], "DONE") == 0 && g_strv_length(t) >= 6) {
        fprintf(stderr, "driver: taped time %.3f %s %s %d %s %s\n", now_s(d), j->s.host, qdisk(j),
                j->s.level, t[2], t[5]);
        release_holding(d, j);
        j->state = J_DONE;
        return TRUE;
    } else {
        const char *why = g_strv_length(t) >= 3 ? t[g_strv_length(t) - 1] : "taper failed";
        g_autofree char *qw = quote_string_always(why);
        fprintf(stderr, "driver: tape-failed time %.3f %s %s %d %s\n", now_s(d), j->s.host,
                qdisk(j), j->s.level, qw);
        if (strcmp(t[0], "NO-VOLUME") == 0 || strcmp(t[0], "PARTIAL") == 0)
            enter_degraded(d, why);
        /* a holding image stays for amflush; a direct dump is lost */
        j->state = j->fifo ? J_FAILED : J_DONE;
    }
    return FALSE;
}

static void
taper_line(void *arg, const char *line)
{
    driver_t *d = arg;
    if (!line) {
        d->taper_dead = TRUE;
        enter_degraded(d, "the taper exited");
        if (d->taping) {
            d->taping->state = d->taping->fifo ? J_FAILED : J_DONE;
            d->taping = NULL;
        }
        return;
    }
    fprintf(stderr, "driver: result time %.3f from taper: %s\n", now_s(d), line);
    g_auto(GStrv) t = split_quoted_strings(line);
    job_t *j = d->taping;
    gboolean taped = t[0] && taper_result(d, t);
    dispatch(d);
    /* only now, with the taper busy on the next image: the curinfo sync
     * and the unlink of a large image took tens of ms with the taper idle */
    if (taped)
        record_taped(d, j, t);
}

static gboolean
taper_usable(driver_t *d)
{
    return d->taper && !d->taper_dead && !d->degraded;
}

static void
start_taper(driver_t *d)
{
    if (!conf_get_str(d->conf, CNF_TPCHANGER) && !conf_get_str(d->conf, CNF_TAPEDEV)) {
        enter_degraded(d, "no tpchanger or tapedev configured");
        return;
    }
    g_autofree char *path = g_build_filename(amanda_libexec_dir(), "taper", NULL);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *fixed[] = { path, d->config, "--timestamp", d->timestamp, NULL };
    for (int i = 0; fixed[i]; i++)
        g_ptr_array_add(argv, (char *)fixed[i]);
    if (d->logpath) {
        g_ptr_array_add(argv, "--log");
        g_ptr_array_add(argv, d->logpath);
    }
    add_overrides(d, argv);
    g_ptr_array_add(argv, NULL);
    g_autoptr(GError) err = NULL;
    d->taper = driver_peer_start((char **)argv->pdata, taper_line, d, &err);
    if (!d->taper)
        enter_degraded(d, err->message);
}

static void
send_to_taper(driver_t *d, job_t *j, const char *cmd)
{
    fprintf(stderr, "driver: taping time %.3f %s %s %d\n", now_s(d), j->s.host, qdisk(j), j->s.level);
    fprintf(stderr, "driver: send-cmd time %.3f to taper: %s\n", now_s(d), cmd);
    d->taping = j;
    j->state = J_TAPING;
    if (!driver_peer_send(d->taper, cmd)) {
        d->taping = NULL;
        d->taper_dead = TRUE;
        enter_degraded(d, "cannot talk to the taper");
        j->state = j->fifo ? J_FAILED : J_DONE;
    }
}

static void
feed_taper(driver_t *d)
{
    if (!taper_usable(d) || d->taping || g_queue_is_empty(&d->tapeq))
        return;
    job_t *j = g_queue_pop_head(&d->tapeq);
    g_autofree char *qf = quote_string(j->holdfile);
    /* the handle names the dump; it may hold blanks, so it is quoted */
    g_autofree char *handle = g_strdup_printf("%s:%s:%d", j->s.host, j->s.disk, j->s.level);
    g_autofree char *qh = quote_string(handle);
    g_autofree char *qcmd = g_strdup_printf("FILE-WRITE %s %s %" G_GINT64_FORMAT " %s", qh, qf,
                                            j->orig_kb, j->crcs);
    send_to_taper(d, j, qcmd);
}

/* ---- dumpers ---- */

static void
dumper_finished(void *arg, const char *output, int status);

typedef struct {
    driver_t *d;
    job_t *j;
} dumper_ctx_t;

/* Spindles: two DLEs of one client with the same spindle (not -1) are
 * never dumped at once; netusage: the estimated rates of running dumps
 * stay within it (a lone dump always runs). */
static gboolean
limits_allow(driver_t *d, const job_t *cand)
{
    gint64 kps = 0;
    int running = 0;
    for (guint i = 0; i < d->jobs->len; i++) {
        const job_t *j = g_ptr_array_index(d->jobs, i);
        if (j->state != J_DUMPING)
            continue;
        running++;
        kps += j->s.kps;
        if (cand->entry->spindle >= 0 && j->entry && j->entry->spindle == cand->entry->spindle &&
            strcmp(j->s.host, cand->s.host) == 0)
            return FALSE;
    }
    gint64 netusage = conf_get_int(d->conf, CNF_NETUSAGE);
    return running == 0 || netusage <= 0 || kps + cand->s.kps <= netusage;
}

static int
host_running(driver_t *d, const char *host)
{
    int n = 0;
    for (guint i = 0; i < d->jobs->len; i++) {
        job_t *j = g_ptr_array_index(d->jobs, i);
        n += j->state == J_DUMPING && strcmp(j->s.host, host) == 0;
    }
    return n;
}

static gboolean
spawn_dumper(driver_t *d, job_t *j, int pass_fd)
{
    g_autofree char *path = g_build_filename(amanda_libexec_dir(), "dumper", NULL);
    g_autofree char *level = g_strdup_printf("%d", j->s.level);
    GPtrArray *argv = g_ptr_array_new();
    const char *fixed[] = { path, d->config, "--timestamp", d->timestamp, "--host", j->s.host,
                            "--disk", j->s.disk, "--level", level, NULL };
    for (int i = 0; fixed[i]; i++)
        g_ptr_array_add(argv, (char *)fixed[i]);
    g_autofree char *chunk = NULL;
    if (pass_fd >= 0) {
        g_ptr_array_add(argv, "--to-fd");
        g_ptr_array_add(argv, "3");
    } else {
        driver_hdisk_t *h = g_ptr_array_index(d->hdisks, j->hdisk);
        chunk = g_strdup_printf("%" G_GINT64_FORMAT, h->chunksize);
        g_ptr_array_add(argv, "--holding");
        g_ptr_array_add(argv, j->holdfile);
        g_ptr_array_add(argv, "--chunksize");
        g_ptr_array_add(argv, chunk);
    }
    if (d->logpath) {
        g_ptr_array_add(argv, "--log");
        g_ptr_array_add(argv, d->logpath);
    }
    add_overrides(d, argv);
    g_ptr_array_add(argv, NULL);
    dumper_ctx_t *ctx = g_new0(dumper_ctx_t, 1);
    ctx->d = d;
    ctx->j = j;
    GPid pid;
    g_autoptr(GError) err = NULL;
    gboolean ok = driver_spawn((char **)argv->pdata, pass_fd, dumper_finished, ctx, &pid, &err);
    g_ptr_array_free(argv, TRUE);
    if (!ok) {
        fprintf(stderr, "driver: cannot start the dumper: %s\n", err->message);
        g_free(ctx);
        return FALSE;
    }
    j->state = J_DUMPING;
    j->started = time(NULL);
    d->running++;
    fprintf(stderr, "driver: dumping time %.3f %s %s %d to %s %s\n", now_s(d), j->s.host, qdisk(j),
            j->s.level, pass_fd >= 0 ? "taper" : "holding", pass_fd >= 0 ? j->fifo : j->holdfile);
    return TRUE;
}

static gboolean
start_to_holding(driver_t *d, job_t *j, int hd)
{
    driver_hdisk_t *h = g_ptr_array_index(d->hdisks, hd);
    j->hdisk = hd;
    /* headers of every chunk plus a margin for a low estimate */
    j->reserved_kb = j->s.csize + j->s.csize / 10 + 64;
    h->free_kb -= j->reserved_kb;
    g_free(j->holdfile);
    j->holdfile = holding_file_name(h->dir, d->timestamp, j->s.host, j->s.disk, j->s.level);
    if (!spawn_dumper(d, j, -1)) {
        release_holding(d, j);
        return FALSE;
    }
    return TRUE;
}

/* Open the FIFO for writing once the taper has opened it for reading
 * (ENXIO until then); NULL after TIMEOUT_S seconds without a reader. */
static int
open_fifo_writer(const char *path, int timeout_s)
{
    for (int i = 0; i < timeout_s * 100; i++) {
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            return fd;
        }
        if (errno != ENXIO)
            return -1;
        g_usleep(10000);
    }
    return -1;
}

/* Stream a dump straight to the taper: the taper reads the FIFO (and so
 * is its only reader: if it dies, the dumper gets EPIPE, never blocks). */
static gboolean
start_direct(driver_t *d, job_t *j)
{
    g_autofree char *name = g_strdup_printf("driver-fifo.%d.%u", (int)getpid(), g_random_int());
    j->fifo = g_build_filename(amanda_tmpdir(), name, NULL);
    mkdir_p(amanda_tmpdir(), 0700, NULL);
    if (mkfifo(j->fifo, 0600) != 0) {
        fprintf(stderr, "driver: mkfifo %s: %s\n", j->fifo, g_strerror(errno));
        return FALSE;
    }
    j->hdisk = -1;
    g_autofree char *handle = g_strdup_printf("%s:%s:%d", j->s.host, j->s.disk, j->s.level);
    g_autofree char *qh = quote_string(handle);
    g_autofree char *qf = quote_string(j->fifo);
    g_autofree char *cmd = g_strdup_printf("PORT-WRITE %s %s %" G_GINT64_FORMAT, qh, qf, j->s.nsize);
    send_to_taper(d, j, cmd);
    if (d->taping != j)
        return FALSE;
    int fd = open_fifo_writer(j->fifo, 30);
    if (fd < 0 || !spawn_dumper(d, j, fd)) {
        fprintf(stderr, "driver: cannot stream %s to the taper\n", j->fifo);
        if (fd >= 0)
            close(fd);
        j->state = J_FAILED;  /* the taper reports on its own when it sees EOF */
        return TRUE;
    }
    close(fd);
    return TRUE;
}

/* DONE <orig> <out> <secs> <native> <client> <server> "<stats>" | FAILED/TRY-AGAIN "<msg>" */
static void
dumper_result(driver_t *d, job_t *j, char **t)
{
    if (t[0] && strcmp(t[0], "DONE") == 0 && g_strv_length(t) >= 7) {
        j->orig_kb = g_ascii_strtoll(t[1], NULL, 10);
        j->out_kb = g_ascii_strtoll(t[2], NULL, 10);
        j->secs = g_ascii_strtoll(t[3], NULL, 10);
        j->crcs = g_strdup_printf("%s %s %s", t[4], t[5], t[6]);
        j->dumper_done = TRUE;
        fprintf(stderr, "driver: dumped time %.3f %s %s %d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                now_s(d), j->s.host, qdisk(j), j->s.level, j->out_kb, j->secs);
        if (j->fifo)
            return;  /* curinfo when the taper is done too */
        update_info(d, j, NULL, 0);
        if (j->hdisk >= 0) {
            driver_hdisk_t *h = g_ptr_array_index(d->hdisks, j->hdisk);
            h->free_kb += j->reserved_kb - j->out_kb;
            j->reserved_kb = j->out_kb;
        }
        j->state = J_TAPE_WAIT;
        g_queue_push_tail(&d->tapeq, j);
        return;
    }
    const char *why = t[0] && t[1] ? t[1] : "the dumper died";
    gboolean retry = t[0] && strcmp(t[0], "TRY-AGAIN") == 0 &&
                     j->tries < server_dle_int(j->entry, DUMPTYPE_RETRY_DUMP);
    g_autofree char *qw = quote_string_always(why);
    fprintf(stderr, "driver: dump-failed time %.3f %s %s %d %s\n", now_s(d), j->s.host, qdisk(j),
            j->s.level, qw);
    release_holding(d, j);
    j->tries++;
    if (!j->fifo && retry) {
        j->state = J_WAIT;
        return;
    }
    /* the dumper logs its permanent failures itself */
    if (!t[0] || strcmp(t[0], "TRY-AGAIN") == 0)
        server_log(LOGFILE_L_FAIL, LOGFILE_P_DRIVER, "%s %s %s %d [%s (after %d tries)]", j->s.host,
                   qdisk(j), d->timestamp, j->s.level, why, j->tries);
    if (j->fifo && d->taping == j)
        return; /* the taper reports and finishes the job */
    j->state = J_FAILED;
}

static void
dumper_finished(void *arg, const char *output, int status)
{
    dumper_ctx_t *ctx = arg;
    driver_t *d = ctx->d;
    job_t *j = ctx->j;
    g_free(ctx);
    d->running--;
    (void)status;
    g_autofree char *first = g_strdup(output);
    char *nl = strchr(first, '\n');
    if (nl)
        *nl = '\0';
    fprintf(stderr, "driver: result time %.3f from dumper: %s\n", now_s(d), first);
    g_auto(GStrv) t = split_quoted_strings(first);
    dumper_result(d, j, t);
    if (j->fifo && j->taper_done && j->state != J_FAILED && j->dumper_done)
        update_info(d, j, NULL, 0);
    dispatch(d);
}

/* ---- dispatch ---- */

static gboolean
try_start(driver_t *d, job_t *j)
{
    int hold = (int)server_dle_int(j->entry, DUMPTYPE_HOLDINGDISK);
    if (hold != HOLD_NEVER) {
        /* in degraded mode fulls leave "reserve" percent for incrementals */
        int reserve = d->degraded && j->s.level == 0 ? (int)conf_get_int(d->conf, CNF_RESERVE) : 0;
        int hd = driver_holding_pick(d->hdisks, j->s.csize + j->s.csize / 10 + 64, reserve);
        if (hd >= 0)
            return start_to_holding(d, j, hd);
    }
    if (hold != HOLD_REQUIRED && taper_usable(d) && !d->taping && g_queue_is_empty(&d->tapeq))
        return start_direct(d, j);
    return FALSE;
}

/* A job that can never start: no holding space and no taper. */
static gboolean
hopeless(driver_t *d, job_t *j)
{
    (void)j;
    return d->running == 0 && !d->taping && (g_queue_is_empty(&d->tapeq) || !taper_usable(d));
}

/* Is A a better next dump than B for a dumper whose dumporder letter is
 * ORDER?  Priority first; then s/S smallest/largest size, t/T shortest/
 * longest estimated time, b/B lowest/highest bandwidth. */
static gboolean
better_job(const job_t *a, const job_t *b, char order)
{
    if (a->s.priority != b->s.priority)
        return a->s.priority > b->s.priority;
    gint64 x, y;
    switch (g_ascii_tolower(order)) {
    case 's': x = a->s.csize; y = b->s.csize; break;
    case 'b': x = a->s.kps; y = b->s.kps; break;
    default: x = a->s.est_secs; y = b->s.est_secs; break;
    }
    return g_ascii_isupper(order) ? x > y : x < y;
}

static job_t *
pick_job(driver_t *d, char order)
{
    job_t *best = NULL;
    for (guint i = 0; i < d->jobs->len; i++) {
        job_t *j = g_ptr_array_index(d->jobs, i);
        if (j->state != J_WAIT || j->tried ||
            host_running(d, j->s.host) >= server_dle_maxdumps(d->conf, j->entry) ||
            !limits_allow(d, j))
            continue;
        if (!best || better_job(j, best, order))
            best = j;
    }
    return best;
}

static void
fail_hopeless(driver_t *d, job_t *j)
{
    g_autofree char *why = g_strdup(d->degraded ? "can't dump in degraded mode: no holding disk space"
                                                : "no holding disk space and the taper is busy");
    server_log(LOGFILE_L_FAIL, LOGFILE_P_DRIVER, "%s %s %s %d [%s]", j->s.host, qdisk(j),
               d->timestamp, j->s.level, why);
    g_autofree char *qw = quote_string_always(why);
    fprintf(stderr, "driver: dump-failed time %.3f %s %s %d %s\n", now_s(d), j->s.host,
            qdisk(j), j->s.level, qw);
    j->state = J_FAILED;
}

/* Start dumps while dumpers are free; the dumporder letter of each free
 * dumper slot picks among the dumps allowed to start. */
static void
dispatch(driver_t *d)
{
    const char *order = conf_get_str(d->conf, CNF_DUMPORDER);
    gsize olen = order ? strlen(order) : 0;
    while (d->running < d->inparallel) {
        char letter = olen ? order[(gsize)d->running % olen] : 'T';
        job_t *j = pick_job(d, letter);
        if (!j)
            break;
        if (try_start(d, j))
            continue;
        j->tried = TRUE;
        if (hopeless(d, j))
            fail_hopeless(d, j);
    }
    for (guint i = 0; i < d->jobs->len; i++)
        ((job_t *)g_ptr_array_index(d->jobs, i))->tried = FALSE;
    feed_taper(d);
}

static gboolean
all_done(driver_t *d)
{
    if (d->running > 0 || d->taping)
        return FALSE;
    for (guint i = 0; i < d->jobs->len; i++) {
        job_t *j = g_ptr_array_index(d->jobs, i);
        if (j->state == J_WAIT || j->state == J_DUMPING || j->state == J_TAPING)
            return FALSE;
        if (j->state == J_TAPE_WAIT && taper_usable(d))
            return FALSE;
    }
    return TRUE;
}

static void
job_free(gpointer p)
{
    job_t *j = p;
    if (j->fifo)
        unlink(j->fifo);
    sched_dump_clear(&j->s);
    g_free(j->holdfile);
    g_free(j->fifo);
    g_free(j->crcs);
    g_free(j);
}

static void
hdisk_free(gpointer p)
{
    driver_hdisk_t *h = p;
    g_free(h->dir);
    g_free(h);
}

static void
run(driver_t *d)
{
    server_log(LOGFILE_L_START, LOGFILE_P_DRIVER, "date %s", d->timestamp);
    server_log(LOGFILE_L_STATS, LOGFILE_P_DRIVER, "hostname %s", g_get_host_name());
    server_log(LOGFILE_L_STATS, LOGFILE_P_DRIVER, "startup time %.3f", now_s(d));
    read_schedule(d);
    d->hdisks = driver_holding_disks(d->conf);
    g_ptr_array_set_free_func(d->hdisks, hdisk_free);
    queue_flushes(d);
    if (d->jobs->len > 0)
        start_taper(d);
    fprintf(stderr, "driver: start time %.3f inparallel %d dumps %u\n", now_s(d), d->inparallel,
            d->jobs->len);
    dispatch(d);
    while (!all_done(d)) {
        g_main_context_iteration(NULL, TRUE);
        dispatch(d);
    }
    if (d->taper) {
        driver_peer_send(d->taper, "QUIT");
        driver_peer_finish(d->taper);
    }
    fprintf(stderr, "driver: finished time %.3f\n", now_s(d));
    server_log(LOGFILE_L_FINISH, LOGFILE_P_DRIVER, "date %s time %.3f", d->timestamp, now_s(d));
}

int
main(int argc, char **argv)
{
    g_set_prgname("driver");
    debug_open("server");
    driver_t d = { 0 };
    GOptionEntry opts[] = {
        { "timestamp", 0, 0, G_OPTION_ARG_STRING, &d.timestamp, "run timestamp", "TS" },
        { "log", 0, 0, G_OPTION_ARG_FILENAME, &d.logpath, "run log", "FILE" },
        { "override", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &d.overrides, "config override", "NAME=VALUE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
        fprintf(stderr, "usage: driver CONFIG [--timestamp TS] [--log FILE] < schedule\n");
        return 2;
    }
    d.start_us = g_get_monotonic_time();
    d.config = argv[1];
    d.conf = server_load_config(argv[1], d.overrides);
    d.dl = server_load_disklist(d.conf);
    d.infodir = server_conf_path(d.conf, CNF_INFOFILE);
    if (!d.timestamp) {
        d.timestamp = g_malloc(15);
        amanda_timestamp(time(NULL), d.timestamp);
    }
    d.inparallel = (int)MAX(1, conf_get_int(d.conf, CNF_INPARALLEL));
    d.jobs = g_ptr_array_new_with_free_func(job_free);
    g_queue_init(&d.tapeq);
    server_log_open(d.logpath);
    server_log(LOGFILE_L_INFO, LOGFILE_P_DRIVER, "driver pid %d", (int)getpid());
    run(&d);
    server_log(LOGFILE_L_INFO, LOGFILE_P_DRIVER, "pid-done %d", (int)getpid());
    server_log_close();
    g_queue_clear(&d.tapeq);
    g_ptr_array_unref(d.jobs);
    g_ptr_array_unref(d.hdisks);
    g_free(d.infodir);
    g_free(d.timestamp);
    g_free(d.logpath);
    g_strfreev(d.overrides);
    disklist_free(d.dl);
    conf_free(d.conf);
    debug_close();
    return 0;
}
