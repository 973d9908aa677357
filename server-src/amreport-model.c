/* amreport-model: turn the entries of a run log into a report_t.
 *
 * Which numbers AMANDA's report uses was checked against the stock
 * amreport on real logs: the output size of a dump is the chunker's kb
 * when the dump went through the holding disk (else the dumper's), the
 * dump time the dumper's; taper figures come from DONE/PARTIAL lines with
 * kb = bytes / 1024 truncated, and a volume's size sums the truncated kb
 * of each part written to it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "amreport.h"
#include "amutil.h"
#include "logfile.h"

static void
dump_free(gpointer p)
{
    report_dump_t *d = p;
    g_free(d->host);
    g_free(d->disk);
    g_free(d->datestamp);
    g_free(d->fail_prog);
    g_free(d->fail_msg);
    if (d->fail_details)
        g_ptr_array_unref(d->fail_details);
    if (d->strange_details)
        g_ptr_array_unref(d->strange_details);
    g_free(d);
}

static void
tape_free(gpointer p)
{
    report_tape_t *t = p;
    g_free(t->label);
    g_free(t->storage);
    g_ptr_array_unref(t->dumps);
    g_free(t);
}

void
report_free(report_t *r)
{
    if (!r)
        return;
    g_free(r->hostname);
    g_free(r->datestamp);
    g_ptr_array_unref(r->dumps);
    g_ptr_array_unref(r->tapes);
    g_ptr_array_unref(r->notes);
    g_ptr_array_unref(r->tape_errors);
    g_free(r);
}

typedef struct {
    report_t *r;
    GHashTable *by_key;      /* "host\ndisk\nlevel" -> report_dump_t* */
    GHashTable *compression; /* from the caller, may be NULL */
    GHashTable *tapes;       /* label -> report_tape_t* */
    GPtrArray *notes_by_prog[LOGFILE_P_COUNT];
    gboolean planned;        /* a planner ran: not an amflush */
} builder_t;

static report_dump_t *
dump_for(builder_t *b, const logfile_entry_t *e)
{
    g_autofree char *key = g_strdup_printf("%s\n%s\n%d", e->host, e->disk, e->level);
    report_dump_t *d = g_hash_table_lookup(b->by_key, key);
    if (d)
        return d;
    d = g_new0(report_dump_t, 1);
    d->host = g_strdup(e->host);
    d->disk = g_strdup(e->disk);
    d->datestamp = g_strdup(e->datestamp);
    d->level = e->level;
    g_autofree char *dle = g_strdup_printf("%s\n%s", e->host, e->disk);
    gpointer c = b->compression ? g_hash_table_lookup(b->compression, dle) : NULL;
    d->in_disklist = c != NULL;
    d->compressed = GPOINTER_TO_INT(c) == 2;
    g_hash_table_insert(b->by_key, g_steal_pointer(&key), d);
    g_ptr_array_add(b->r->dumps, d);
    return d;
}

static report_tape_t *
tape_for(builder_t *b, const char *label, const char *storage)
{
    report_tape_t *t = g_hash_table_lookup(b->tapes, label);
    if (!t) {
        t = g_new0(report_tape_t, 1);
        t->label = g_strdup(label);
        t->storage = g_strdup(storage);
        t->dumps = g_ptr_array_new();
        g_hash_table_insert(b->tapes, t->label, t);
        g_ptr_array_add(b->r->tapes, t);
    }
    return t;
}

static gint64
kb_of(const logfile_stats_t *s)
{
    if (s->bytes >= 0)
        return s->bytes / 1024;
    return s->kb >= 0 ? s->kb : 0;
}

/* "\"[msg]\"" or "msg" -> "[msg]" as the report prints it. */
static char *
bracketed(const char *msg)
{
    if (!msg)
        return g_strdup("[]");
    g_autofree char *plain = msg[0] == '"' ? unquote_string(msg) : g_strdup(msg);
    if (plain[0] == '[')
        return g_steal_pointer(&plain);
    return g_strdup_printf("[%s]", plain);
}

static GPtrArray *
copy_cont(const logfile_entry_t *e)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; e->cont && i < e->cont->len; i++)
        g_ptr_array_add(out, g_strdup(g_ptr_array_index(e->cont, i)));
    return out;
}

static void
on_fail(builder_t *b, const logfile_entry_t *e)
{
    report_dump_t *d = dump_for(b, e);
    switch (e->program) {
    case LOGFILE_P_PLANNER: d->planner_failed = TRUE; break;
    case LOGFILE_P_TAPER: d->taper_failed = TRUE; d->taper_result = TRUE; break;
    default: d->dumper_failed = TRUE; break;
    }
    g_free(d->fail_prog);
    d->fail_prog = g_strdup(e->program_name);
    g_free(d->fail_msg);
    d->fail_msg = bracketed(e->message);
    if (e->cont && e->cont->len) {
        if (d->fail_details)
            g_ptr_array_unref(d->fail_details);
        d->fail_details = copy_cont(e);
    }
}

static void
on_success(builder_t *b, const logfile_entry_t *e)
{
    report_dump_t *d = dump_for(b, e);
    if (e->program == LOGFILE_P_CHUNKER) {
        d->chunked = TRUE;
        d->chunk_kb = kb_of(&e->stats);
        return;
    }
    if (e->program != LOGFILE_P_DUMPER)
        return;
    d->dumped = TRUE;
    d->dumper_failed = FALSE; /* a retry that worked */
    d->dump_sec = e->stats.sec > 0 ? e->stats.sec : 0;
    d->dump_kps = e->stats.kps;
    d->dump_kb = kb_of(&e->stats);
    d->orig_kb = e->stats.orig_kb >= 0 ? e->stats.orig_kb : d->dump_kb;
    if (e->type == LOGFILE_L_STRANGE) {
        d->strange = TRUE;
        if (d->strange_details)
            g_ptr_array_unref(d->strange_details);
        d->strange_details = copy_cont(e);
    }
}

static void
on_part(builder_t *b, const logfile_entry_t *e)
{
    report_dump_t *d = dump_for(b, e);
    report_tape_t *t = tape_for(b, e->label, e->storage);
    t->sec += e->stats.sec > 0 ? e->stats.sec : 0;
    t->kb += kb_of(&e->stats);
    /* a part cut short by the end of the volume counts too */
    t->nparts++;
    if (e->partnum == 1 && e->type == LOGFILE_L_PART)
        t->nstarted++;
    d->nparts++;
    if (e->stats.orig_kb >= 0)
        d->tape_orig_kb = e->stats.orig_kb;
    if (!g_ptr_array_find(t->dumps, d, NULL))
        g_ptr_array_add(t->dumps, d);
}

static void
on_taper_result(builder_t *b, const logfile_entry_t *e)
{
    report_dump_t *d = dump_for(b, e);
    d->taper_result = TRUE;
    d->taped = TRUE;
    d->tape_sec = e->stats.sec > 0 ? e->stats.sec : 0;
    d->tape_kps = e->stats.kps;
    d->tape_kb = kb_of(&e->stats);
    if (e->stats.orig_kb >= 0)
        d->tape_orig_kb = e->stats.orig_kb;
    if (e->type == LOGFILE_L_PARTIAL) {
        d->taper_partial = TRUE;
        g_free(d->fail_msg);
        d->fail_msg = e->message && e->message[0] == '"' ? unquote_string(e->message)
                                                         : g_strdup(e->message ? e->message : "");
    }
}

/* INFO/WARNING lines worth an operator's eye (not the pid bookkeeping). */
static gboolean
is_note(const logfile_entry_t *e)
{
    if (e->type != LOGFILE_L_INFO && e->type != LOGFILE_L_WARNING &&
        e->type != LOGFILE_L_ERROR)
        return FALSE;
    if (e->type == LOGFILE_L_ERROR && e->program == LOGFILE_P_TAPER)
        return FALSE; /* shown in the header as a tape error */
    const char *r = e->rest;
    if (g_str_has_prefix(r, "pid-done ") || strstr(r, " pid ") != NULL ||
        g_str_has_prefix(r, "pid "))
        return FALSE;
    return TRUE;
}

static void
on_misc(builder_t *b, const logfile_entry_t *e)
{
    report_t *r = b->r;
    if (e->type == LOGFILE_L_START && e->datestamp && !r->datestamp)
        r->datestamp = g_strdup(e->datestamp);
    if (e->type == LOGFILE_L_START && e->program == LOGFILE_P_AMFLUSH)
        r->flush = TRUE;
    if (e->type == LOGFILE_L_START && e->program == LOGFILE_P_PLANNER)
        b->planned = TRUE;
    if (e->type == LOGFILE_L_START && e->program == LOGFILE_P_TAPER && e->label)
        tape_for(b, e->label, e->storage);
    if (e->type == LOGFILE_L_FINISH && e->program == LOGFILE_P_PLANNER)
        r->planner_sec = e->stats.sec;
    if (e->type == LOGFILE_L_FINISH &&
        (e->program == LOGFILE_P_DRIVER || e->program == LOGFILE_P_AMFLUSH)) {
        r->finished = TRUE;
        r->run_sec = e->stats.sec;
    }
    if (e->type == LOGFILE_L_STATS && g_str_has_prefix(e->rest, "hostname ")) {
        g_free(r->hostname);
        r->hostname = g_strdup(e->rest + strlen("hostname "));
    }
    if (e->type == LOGFILE_L_ERROR && e->program == LOGFILE_P_TAPER) {
        const char *br = strchr(e->rest, '[');
        g_ptr_array_add(r->tape_errors, g_strdup(br ? br : e->rest));
    }
    if (is_note(e)) {
        GPtrArray *n = b->notes_by_prog[e->program];
        if (!n)
            n = b->notes_by_prog[e->program] = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(n, g_strdup_printf("%s: %s", e->program_name, e->rest));
        for (guint i = 0; e->cont && i < e->cont->len; i++)
            g_ptr_array_add(n, g_strdup_printf("  %s", (char *)g_ptr_array_index(e->cont, i)));
    }
}

static void
add_entry(builder_t *b, const logfile_entry_t *e)
{
    gboolean dump = e->has_dump && e->host && e->disk;
    switch (e->type) {
    case LOGFILE_L_FAIL:
        if (dump)
            on_fail(b, e);
        return;
    case LOGFILE_L_SUCCESS: case LOGFILE_L_STRANGE:
        if (dump)
            on_success(b, e);
        return;
    case LOGFILE_L_PART: case LOGFILE_L_PARTPARTIAL:
        if (dump && e->label)
            on_part(b, e);
        return;
    case LOGFILE_L_DONE: case LOGFILE_L_PARTIAL:
        if (dump && e->program == LOGFILE_P_TAPER)
            on_taper_result(b, e);
        return;
    default:
        on_misc(b, e);
    }
}

static int
compare_dumps(gconstpointer a, gconstpointer b)
{
    const report_dump_t *x = *(report_dump_t *const *)a, *y = *(report_dump_t *const *)b;
    int c = g_ascii_strcasecmp(x->host, y->host);
    if (c == 0)
        c = strcmp(x->disk, y->disk);
    return c != 0 ? c : x->level - y->level;
}

/* Notes in AMANDA's order: by program, then as logged. */
static void
collect_notes(builder_t *b)
{
    static const logfile_program_t order[] = {
        LOGFILE_P_PLANNER, LOGFILE_P_DRIVER, LOGFILE_P_AMFLUSH, LOGFILE_P_DUMPER,
        LOGFILE_P_CHUNKER, LOGFILE_P_TAPER,
    };
    gboolean done[LOGFILE_P_COUNT] = { FALSE };
    for (gsize i = 0; i < G_N_ELEMENTS(order) + LOGFILE_P_COUNT; i++) {
        logfile_program_t p = i < G_N_ELEMENTS(order) ? order[i]
                                                       : (logfile_program_t)(i - G_N_ELEMENTS(order));
        GPtrArray *n = b->notes_by_prog[p];
        if (done[p] || !n)
            continue;
        done[p] = TRUE;
        for (guint k = 0; k < n->len; k++)
            g_ptr_array_add(b->r->notes, g_strdup(g_ptr_array_index(n, k)));
    }
    for (int p = 0; p < LOGFILE_P_COUNT; p++)
        if (b->notes_by_prog[p])
            g_ptr_array_unref(b->notes_by_prog[p]);
}

report_t *
report_build(const GPtrArray *entries, GHashTable *dle_compression, gint64 tape_length_kb)
{
    report_t *r = g_new0(report_t, 1);
    r->planner_sec = r->run_sec = -1;
    r->dumps = g_ptr_array_new_with_free_func(dump_free);
    r->tapes = g_ptr_array_new_with_free_func(tape_free);
    r->notes = g_ptr_array_new_with_free_func(g_free);
    r->tape_errors = g_ptr_array_new_with_free_func(g_free);
    r->tape_length_kb = tape_length_kb;
    builder_t b = { .r = r, .compression = dle_compression };
    b.by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    b.tapes = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; entries && i < entries->len; i++)
        add_entry(&b, g_ptr_array_index(entries, i));
    g_ptr_array_sort(r->dumps, compare_dumps);
    collect_notes(&b);
    /* amflush runs no planner and dumps nothing: it tapes earlier images */
    gboolean dumped = FALSE;
    for (guint i = 0; i < r->dumps->len; i++)
        dumped |= ((report_dump_t *)g_ptr_array_index(r->dumps, i))->dumped;
    if (!b.planned && !dumped && r->dumps->len > 0)
        r->flush = TRUE;
    g_hash_table_unref(b.by_key);
    g_hash_table_unref(b.tapes);
    return r;
}

gboolean
report_dump_is_flush(const report_t *r, const report_dump_t *d)
{
    return !d->dumped && !d->dumper_failed && !d->planner_failed &&
           (r->flush || (d->datestamp && r->datestamp && strcmp(d->datestamp, r->datestamp) != 0));
}

gboolean
report_has_problems(const report_t *r)
{
    if (r->tape_errors->len > 0 || !r->finished)
        return TRUE;
    for (guint i = 0; i < r->dumps->len; i++) {
        const report_dump_t *d = g_ptr_array_index(r->dumps, i);
        if (d->strange || d->planner_failed || d->dumper_failed || d->taper_failed ||
            d->taper_partial)
            return TRUE;
    }
    return FALSE;
}

char *
report_nice_date(const char *datestamp)
{
    static const char *const months[] = { "January", "February", "March", "April", "May",
                                          "June", "July", "August", "September", "October",
                                          "November", "December" };
    int y, m, d;
    if (!datestamp || sscanf(datestamp, "%4d%2d%2d", &y, &m, &d) != 3 || m < 1 || m > 12)
        return g_strdup(datestamp ? datestamp : "");
    return g_strdup_printf("%s %d, %d", months[m - 1], d, y);
}
