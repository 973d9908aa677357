/* amstatus: the state of a running (or the last) amdump, from its trace
 * file (logdir/amdump.1, or --file).  The driver writes one line per
 * event there:
 *
 *   driver: schedule HOST DISK LEVEL EST-KB
 *   driver: dumping time T HOST DISK LEVEL to holding|taper FILE
 *   driver: dumped time T HOST DISK LEVEL KB SECS
 *   driver: dump-failed time T HOST DISK LEVEL MESSAGE
 *   driver: taping time T HOST DISK LEVEL
 *   driver: taped time T HOST DISK LEVEL LABEL KB
 *   driver: tape-failed time T HOST DISK LEVEL MESSAGE
 *   driver: finished time T
 *
 * For a dump in progress to a holding disk the bytes so far are the sizes
 * of its chunks; the rate and ETA come from the elapsed time.
 *
 *   amstatus CONFIG [--file FILE] [--summary]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "amutil.h"
#include "debug.h"
#include "fileheader.h"
#include "server-util.h"

typedef enum { S_WAIT, S_DUMPING, S_DUMPED, S_TAPING, S_TAPED, S_FAILED } st_t;
static const char *const st_names[] = { "wait for dumping", "dumping", "dumped, wait for writing",
                                        "writing to tape", "finished", "failed" };

typedef struct {
    char *host, *disk, *file, *label, *msg;
    int level;
    gint64 est_kb, kb;
    double start_t, end_t;
    gboolean direct;
    st_t st;
} dle_st_t;

typedef struct {
    GPtrArray *dles;
    double now_t;
    gboolean finished;
} status_t;

static dle_st_t *
find_dle(status_t *s, const char *host, const char *disk)
{
    for (guint i = 0; i < s->dles->len; i++) {
        dle_st_t *d = g_ptr_array_index(s->dles, i);
        if (strcmp(d->host, host) == 0 && strcmp(d->disk, disk) == 0)
            return d;
    }
    return NULL;
}

static void
dle_free(gpointer p)
{
    dle_st_t *d = p;
    g_free(d->host);
    g_free(d->disk);
    g_free(d->file);
    g_free(d->label);
    g_free(d->msg);
    g_free(d);
}

/* t = tokens after "driver:"; event with "time T" then HOST DISK LEVEL ... */
static void
apply_event(status_t *s, char **t, guint n)
{
    if (strcmp(t[0], "schedule") == 0 && n >= 5) {
        dle_st_t *d = g_new0(dle_st_t, 1);
        d->host = g_strdup(t[1]);
        d->disk = g_strdup(t[2]);
        d->level = atoi(t[3]);
        d->est_kb = g_ascii_strtoll(t[4], NULL, 10);
        g_ptr_array_add(s->dles, d);
        return;
    }
    if (n < 3 || strcmp(t[1], "time") != 0)
        return;
    s->now_t = g_ascii_strtod(t[2], NULL);
    if (strcmp(t[0], "finished") == 0) {
        s->finished = TRUE;
        return;
    }
    dle_st_t *d = n >= 6 ? find_dle(s, t[3], t[4]) : NULL;
    if (!d)
        return;
    if (strcmp(t[0], "dumping") == 0 && n >= 9) {
        d->st = S_DUMPING;
        d->start_t = s->now_t;
        d->direct = strcmp(t[7], "taper") == 0;
        g_free(d->file);
        d->file = g_strdup(t[8]);
    } else if (strcmp(t[0], "dumped") == 0 && n >= 7) {
        d->st = d->direct ? S_TAPING : S_DUMPED;
        d->kb = g_ascii_strtoll(t[6], NULL, 10);
        d->end_t = s->now_t;
    } else if (strcmp(t[0], "taping") == 0) {
        d->st = S_TAPING;
    } else if (strcmp(t[0], "taped") == 0 && n >= 8) {
        d->st = S_TAPED;
        g_free(d->label);
        d->label = g_strdup(t[6]);
        d->kb = g_ascii_strtoll(t[7], NULL, 10);
    } else if ((strcmp(t[0], "dump-failed") == 0 || strcmp(t[0], "tape-failed") == 0) && n >= 7) {
        d->st = strcmp(t[0], "dump-failed") == 0 ? S_FAILED : S_DUMPED;
        g_free(d->msg);
        d->msg = g_strdup(t[6]);
    }
}

/* KiB written so far to a holding image: every chunk, headers excluded. */
static gint64
holding_progress(const char *first)
{
    gint64 total = 0;
    for (int i = 0; i < 100000; i++) {
        g_autofree char *name = i ? g_strdup_printf("%s.%d", first, i) : g_strdup(first);
        g_autofree char *tmp = g_strdup_printf("%s.tmp", name);
        struct stat st;
        if (stat(tmp, &st) != 0 && stat(name, &st) != 0)
            break;
        total += MAX(0, (gint64)st.st_size - DISK_BLOCK_BYTES);
    }
    return total / 1024;
}

static void
print_dle(const status_t *s, const dle_st_t *d)
{
    g_autofree char *qd = quote_string(d->disk);
    g_autofree char *name = g_strdup_printf("%s:%s", d->host, qd);
    printf("%-40s %2d %10" G_GINT64_FORMAT "k ", name, d->level, d->est_kb);
    if (d->st == S_DUMPING && !d->direct && d->file) {
        gint64 kb = holding_progress(d->file);
        double el = MAX(s->now_t - d->start_t, 0.001);
        double rate = kb / el;
        double pct = d->est_kb > 0 ? 100.0 * kb / d->est_kb : 0;
        double eta = rate > 0 && d->est_kb > kb ? (d->est_kb - kb) / rate : 0;
        printf("dumping %" G_GINT64_FORMAT "k (%.1f%%) %.0f kps ETA %.0fs\n", kb, pct, rate, eta);
    } else if (d->st == S_TAPED) {
        printf("finished %" G_GINT64_FORMAT "k on %s\n", d->kb, d->label);
    } else if (d->st == S_FAILED || d->msg) {
        printf("%s: %s\n", d->st == S_FAILED ? "failed" : st_names[d->st], d->msg ? d->msg : "");
    } else {
        printf("%s%s\n", st_names[d->st], d->direct && d->st == S_DUMPING ? " to tape" : "");
    }
}

static void
print_summary(const status_t *s)
{
    int count[S_FAILED + 1] = { 0 };
    gint64 est = 0, done = 0;
    for (guint i = 0; i < s->dles->len; i++) {
        const dle_st_t *d = g_ptr_array_index(s->dles, i);
        count[d->st]++;
        est += d->est_kb;
        done += d->st == S_TAPED || d->st == S_DUMPED ? d->kb : 0;
    }
    printf("\nSUMMARY          dle    size\n");
    printf("disk            : %4u %10" G_GINT64_FORMAT "k (estimated)\n", s->dles->len, est);
    for (int k = 0; k <= S_FAILED; k++)
        printf("%-16s: %4d\n", st_names[k], count[k]);
    printf("dumped and taped: %10" G_GINT64_FORMAT "k\n", done);
    printf("%s\n", s->finished ? "the run is finished" : "the run is in progress");
}

int
main(int argc, char **argv)
{
    g_set_prgname("amstatus");
    g_autofree char *file = NULL;
    gboolean summary = FALSE;
    GOptionEntry opts[] = {
        { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "trace file to read", "FILE" },
        { "summary", 0, 0, G_OPTION_ARG_NONE, &summary, "summary only", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("CONFIG");
    g_option_context_add_main_entries(ctx, opts, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
        fprintf(stderr, "usage: amstatus CONFIG [--file FILE] [--summary]\n");
        return 1;
    }
    g_autoptr(conf_t) conf = server_load_config(argv[1], NULL);
    if (!file) {
        g_autofree char *logdir = server_conf_path(conf, CNF_LOGDIR);
        file = g_build_filename(logdir ? logdir : ".", "amdump.1", NULL);
    }
    g_autofree char *text = NULL;
    if (!g_file_get_contents(file, &text, NULL, &err)) {
        fprintf(stderr, "amstatus: cannot read %s: %s (no amdump has run yet?)\n", file, err->message);
        return 1;
    }
    status_t s = { g_ptr_array_new_with_free_func(dle_free), 0, FALSE };
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (!g_str_has_prefix(*l, "driver: "))
            continue;
        g_auto(GStrv) t = split_quoted_strings(*l + 8);
        if (t[0])
            apply_event(&s, t, g_strv_length(t));
    }
    printf("Using: %s\n\n", file);
    for (guint i = 0; !summary && i < s.dles->len; i++)
        print_dle(&s, g_ptr_array_index(s.dles, i));
    print_summary(&s);
    g_ptr_array_unref(s.dles);
    return 0;
}
