/* amreport-text: the classic text report, laid out column for column as
 * AMANDA 3.5.1's amreport prints it (checked against the stock program on
 * real run logs: header, FAILURE/STRANGE summaries, STATISTICS, details,
 * USAGE BY TAPE, NOTES, DUMP SUMMARY). */
#include "config.h"

#include <string.h>

#include "amreport.h"
#include "amutil.h"

/* "h:mm" for the statistics block */
static char *
hrmn(double sec)
{
    gint64 min = (gint64)((sec < 0 ? 0 : sec) + 30) / 60;
    return g_strdup_printf("%" G_GINT64_FORMAT ":%02d", min / 60, (int)(min % 60));
}

/* "m:ss" for the dump summary */
static char *
mnsc(double sec)
{
    gint64 s = (gint64)((sec < 0 ? 0 : sec) + 0.5);
    return g_strdup_printf("%" G_GINT64_FORMAT ":%02d", s / 60, (int)(s % 60));
}

static gboolean
failed(const report_dump_t *d)
{
    return d->planner_failed || d->dumper_failed || d->taper_failed;
}

/* ---- header ---- */

static void
append_header(GString *out, const report_t *r, const report_header_t *h)
{
    if (!r->finished)
        g_string_append(out, "*** THE DUMPS DID NOT FINISH PROPERLY!\n\n");
    if (r->hostname)
        g_string_append_printf(out, "Hostname: %s\n", r->hostname);
    g_autofree char *date = report_nice_date(r->datestamp);
    g_string_append_printf(out, "Org     : %s\nConfig  : %s\nDate    : %s\n\n",
                           h->org ? h->org : "", h->config ? h->config : "", date);
    if (r->tape_errors->len > 0)
        g_string_append_printf(out, "*** A TAPE ERROR OCCURRED: %s.\n"
                                    "Some dumps may have been left in the holding disk.\n\n",
                               (const char *)g_ptr_array_index(r->tape_errors, 0));
    /* only the volumes of this configuration's storage, as AMANDA */
    g_autoptr(GString) labels = g_string_new(NULL);
    int ntapes = 0;
    for (guint i = 0; i < r->tapes->len; i++) {
        const report_tape_t *t = g_ptr_array_index(r->tapes, i);
        const char *st = h->storage ? h->storage : h->config;
        if (t->storage && st && strcmp(t->storage, st) != 0)
            continue;
        g_string_append_printf(labels, "%s%s", ntapes++ ? ", " : "", t->label);
    }
    if (r->finished && ntapes > 0)
        g_string_append_printf(out, "%s %s %s.\n",
                               r->flush ? "The dumps were flushed to" : "These dumps were to",
                               ntapes > 1 ? "tapes" : "tape", labels->str);
    guint nnext = h->next_tape_lines ? h->next_tape_lines->len : 0;
    for (guint i = 0; i < nnext; i++)
        g_string_append_printf(out, "%s\n", (const char *)g_ptr_array_index(h->next_tape_lines, i));
    /* AMANDA leaves the "next new tape already labelled" line empty */
    if (nnext < 2)
        g_string_append(out, "\n");
    g_string_append(out, "\n");
}

static void
append_summaries(GString *out, const report_t *r)
{
    g_autoptr(GString) fail = g_string_new(NULL), strange = g_string_new(NULL);
    for (guint i = 0; i < r->dumps->len; i++) {
        const report_dump_t *d = g_ptr_array_index(r->dumps, i);
        g_autofree char *q = quote_string(d->disk);
        if (failed(d))
            g_string_append_printf(fail, "  %s %s lev %d  FAILED %s\n", d->host, q, d->level,
                                   d->fail_msg ? d->fail_msg : "[]");
        else if (d->taper_partial)
            g_string_append_printf(fail, "  %s %s lev %d  partial taper: %s\n", d->host, q,
                                   d->level, d->fail_msg ? d->fail_msg : "");
        if (d->strange)
            g_string_append_printf(strange, "  %s %s lev %d  STRANGE (see below)\n", d->host, q,
                                   d->level);
    }
    if (fail->len)
        g_string_append_printf(out, "FAILURE DUMP SUMMARY:\n%s\n\n", fail->str);
    if (strange->len)
        g_string_append_printf(out, "STRANGE DUMP SUMMARY:\n%s\n\n", strange->str);
}

/* ---- statistics ---- */

typedef struct {
    int dumped, taped, parts;
    double dump_sec, tape_sec;
    gint64 out_kb, orig_kb, tape_kb;
} stats_t;

/* The size a dump takes where it was stored, as AMANDA's report counts
 * it: the chunker's kb for a dump through the holding disk, else the
 * taper's (a dump sent straight to the volume), else the dumper's. */
static gint64
out_kb_of(const report_dump_t *d)
{
    return d->chunked ? d->chunk_kb : d->taped ? d->tape_kb : d->dump_kb;
}

/* The DUMP SUMMARY row: the dumper's kb for a dump through the holding
 * disk (checked against the stock report), else as above. */
static gint64
row_kb_of(const report_dump_t *d)
{
    return d->chunked ? d->dump_kb : d->taped ? d->tape_kb : d->dump_kb;
}

static void
add_stats(stats_t *s, const report_dump_t *d)
{
    /* as AMANDA: a dump counts once it landed somewhere (holding disk or
     * volume), not on the dumper's word alone */
    if (d->dumped && (d->chunked || d->taped)) {
        s->dumped++;
        s->dump_sec += d->dump_sec;
        s->out_kb += out_kb_of(d);
        s->orig_kb += d->orig_kb;
    }
    if (d->taped) {
        s->taped++;
        s->tape_sec += d->tape_sec;
        s->tape_kb += d->tape_kb;
    }
    if (d->taped)
        s->parts += d->nparts;
}

/* AMANDA drops the decimal of a statistic longer than 7 characters. */
static char *
ratio(double num, double den, double scale)
{
    if (den <= 0)
        return g_strdup("-- ");
    char *s = g_strdup_printf("%.1f", num * scale / den);
    if (strlen(s) > 7) {
        g_free(s);
        s = g_strdup_printf("%.0f", num * scale / den);
    }
    return s;
}

static void
stat_line(GString *out, const char *label, char *t, char *f, char *i, const char *levels)
{
    g_autoptr(GString) l = g_string_new(NULL);
    g_string_printf(l, "%-23s%9s", label, t);
    if (f)
        g_string_append_printf(l, "%11s%11s%s", f, i, levels ? levels : "");
    while (l->len && l->str[l->len - 1] == ' ')
        g_string_truncate(l, l->len - 1);
    g_string_append_printf(out, "%s\n", l->str);
    g_free(t);
    g_free(f);
    g_free(i);
}

/* "  1:2 2:1": how many incrementals per level (WHAT: dumped, taped, parts) */
static char *
level_counts(const report_t *r, int what)
{
    GString *s = g_string_new(NULL);
    int maxlev = 0;
    for (guint i = 0; i < r->dumps->len; i++)
        maxlev = MAX(maxlev, ((report_dump_t *)g_ptr_array_index(r->dumps, i))->level);
    for (int lev = 1; lev <= maxlev; lev++) {
        int n = 0;
        for (guint i = 0; i < r->dumps->len; i++) {
            const report_dump_t *d = g_ptr_array_index(r->dumps, i);
            if (d->level != lev)
                continue;
            n += what == 0 ? (d->dumped && (d->chunked || d->taped))
                 : what == 1 ? d->taped : (d->taped ? d->nparts : 0);
        }
        if (n > 0)
            g_string_append_printf(s, "%s%d:%d", s->len ? " " : "  ", lev, n);
    }
    return g_string_free(s, FALSE);
}

static void
append_statistics(GString *out, const report_t *r)
{
    stats_t all = { 0 }, full = { 0 }, incr = { 0 };
    for (guint i = 0; i < r->dumps->len; i++) {
        const report_dump_t *d = g_ptr_array_index(r->dumps, i);
        add_stats(&all, d);
        add_stats(d->level == 0 ? &full : &incr, d);
    }
    stats_t *s[3] = { &all, &full, &incr };
    g_autofree char *lv_dump = level_counts(r, 0);
    g_autofree char *lv_tape = level_counts(r, 1);
    g_autofree char *lv_part = level_counts(r, 2);
    double len = (double)r->tape_length_kb;
    g_string_append(out, "STATISTICS:\n"
                         "                          Total       Full      Incr.   Level:#\n"
                         "                        --------   --------   --------  --------\n");
    stat_line(out, "Estimate Time (hrs:min)", hrmn(r->planner_sec), NULL, NULL, NULL);
    stat_line(out, "Run Time (hrs:min)", hrmn(r->run_sec), NULL, NULL, NULL);
    stat_line(out, "Dump Time (hrs:min)", hrmn(s[0]->dump_sec), hrmn(s[1]->dump_sec),
              hrmn(s[2]->dump_sec), NULL);
#define MEG(k) g_strdup_printf("%.1f", (double)(k) / 1024.0)
    stat_line(out, "Output Size (meg)", MEG(all.out_kb), MEG(full.out_kb), MEG(incr.out_kb), NULL);
    stat_line(out, "Original Size (meg)", MEG(all.orig_kb), MEG(full.orig_kb), MEG(incr.orig_kb),
              NULL);
    stat_line(out, "Avg Compressed Size (%)", ratio(all.out_kb, all.orig_kb, 100),
              ratio(full.out_kb, full.orig_kb, 100), ratio(incr.out_kb, incr.orig_kb, 100), NULL);
    stat_line(out, "DLEs Dumped", g_strdup_printf("%d", all.dumped),
              g_strdup_printf("%d", full.dumped), g_strdup_printf("%d", incr.dumped), lv_dump);
    stat_line(out, "Avg Dump Rate (k/s)", ratio(all.out_kb, all.dump_sec, 1),
              ratio(full.out_kb, full.dump_sec, 1), ratio(incr.out_kb, incr.dump_sec, 1), NULL);
    g_string_append(out, "\n");
    stat_line(out, "Tape Time (hrs:min)", hrmn(all.tape_sec), hrmn(full.tape_sec),
              hrmn(incr.tape_sec), NULL);
    stat_line(out, "Tape Size (meg)", MEG(all.tape_kb), MEG(full.tape_kb), MEG(incr.tape_kb), NULL);
    /* AMANDA counts a filemark per part and per dump as used */
    gint64 fm = r->filemark_kb;
    stat_line(out, "Tape Used (%)", ratio(all.tape_kb + fm * (all.parts + all.taped), len, 100),
              ratio(full.tape_kb + fm * (full.parts + full.taped), len, 100),
              ratio(incr.tape_kb + fm * (incr.parts + incr.taped), len, 100), NULL);
#undef MEG
    stat_line(out, "DLEs Taped", g_strdup_printf("%d", all.taped),
              g_strdup_printf("%d", full.taped), g_strdup_printf("%d", incr.taped), lv_tape);
    stat_line(out, "Parts Taped", g_strdup_printf("%d", all.parts),
              g_strdup_printf("%d", full.parts), g_strdup_printf("%d", incr.parts), lv_part);
    stat_line(out, "Avg Tp Write Rate (k/s)",
              all.taped ? ratio(all.tape_kb, all.tape_sec, 1) : g_strdup("-- "),
              full.taped ? ratio(full.tape_kb, full.tape_sec, 1) : g_strdup("-- "),
              incr.taped ? ratio(incr.tape_kb, incr.tape_sec, 1) : g_strdup("-- "), NULL);
    g_string_append(out, "\n\n");
}

/* ---- details, tapes, notes ---- */

static void
append_details(GString *out, const report_t *r, gboolean strange)
{
    g_autoptr(GString) body = g_string_new(NULL);
    for (guint i = 0; i < r->dumps->len; i++) {
        const report_dump_t *d = g_ptr_array_index(r->dumps, i);
        GPtrArray *lines = strange ? d->strange_details : d->fail_details;
        if (!lines || !lines->len || (strange ? !d->strange : !failed(d)))
            continue;
        g_autofree char *q = quote_string(d->disk);
        if (strange)
            g_string_append_printf(body, "\n/-- %s %s lev %d STRANGE\n", d->host, q, d->level);
        else
            g_string_append_printf(body, "\n/-- %s %s lev %d FAILED %s\n", d->host, q, d->level,
                                   d->fail_msg ? d->fail_msg : "[]");
        for (guint k = 0; k < lines->len; k++)
            g_string_append_printf(body, "%s\n", (const char *)g_ptr_array_index(lines, k));
        g_string_append(body, "\\--------\n");
    }
    if (body->len)
        g_string_append_printf(out, "%s DUMP DETAILS:\n%s\n\n", strange ? "STRANGE" : "FAILED",
                               body->str);
}

static void
append_tapes(GString *out, const report_t *r)
{
    if (r->tapes->len == 0)
        return;
    g_string_append(out, "USAGE BY TAPE:\n"
                         "  Label                 Time         Size      %  DLEs Parts\n");
    for (guint i = 0; i < r->tapes->len; i++) {
        const report_tape_t *t = g_ptr_array_index(r->tapes, i);
        g_autofree char *tm = hrmn(t->sec);
        /* a filemark per part and one for the label count as used */
        gint64 used = t->kb + r->filemark_kb * (t->nparts + 1);
        g_autofree char *pct = r->tape_length_kb > 0
            ? g_strdup_printf("%.1f", (double)used * 100.0 / (double)r->tape_length_kb)
            : g_strdup("--");
        g_string_append_printf(out, "  %-20s %5s %11" G_GINT64_FORMAT "K %6s %5d %5d\n",
                               t->label, tm, t->kb, pct, t->nstarted, t->nparts);
    }
    g_string_append(out, "\n\n");
}

static void
append_notes(GString *out, const report_t *r)
{
    if (r->notes->len == 0)
        return;
    g_string_append(out, "NOTES:\n");
    for (guint i = 0; i < r->notes->len; i++)
        g_string_append_printf(out, "  %s\n", (const char *)g_ptr_array_index(r->notes, i));
    g_string_append(out, "\n\n");
}

/* ---- dump summary ---- */

/* The numeric columns after DISK; AMANDA widens one when a value needs
 * more room than its default width, and the section rules follow. */
enum { C_LEVEL, C_ORIG, C_OUT, C_COMP, C_DTIME, C_DRATE, C_TTIME, C_TRATE, C_COUNT };
static const int default_width[C_COUNT] = { 1, 7, 7, 6, 7, 6, 6, 6 };
static const char *const column_title[C_COUNT] = { "L", "ORIG-KB", "OUT-KB", "COMP%",
                                                   "MMM:SS", "KB/s", "MMM:SS", "KB/s" };

typedef struct {
    char *cell[C_COUNT];   /* NULL = blank */
    const char *dumper_text;  /* "FAILED" (or "FLUSH") across the dumper columns */
    gboolean taper_failed_text;
    const char *suffix;    /* " PARTIAL" after the taper columns */
} row_t;

static void
row_clear(row_t *row)
{
    for (int c = 0; c < C_COUNT; c++)
        g_free(row->cell[c]);
}

static void
fill_row(row_t *row, const report_t *r, const report_dump_t *d)
{
    memset(row, 0, sizeof *row);
    gboolean only_planner = d->planner_failed && !d->dumped && !d->taper_result && !d->nparts;
    if (!only_planner) {
        gint64 o = d->dumped ? d->orig_kb : d->tape_orig_kb;
        gint64 k = d->dumped ? row_kb_of(d) : d->tape_kb;
        row->cell[C_LEVEL] = g_strdup_printf("%d", d->level);
        if (d->dumped || d->taped)
            row->cell[C_ORIG] = g_strdup_printf("%" G_GINT64_FORMAT, o);
        if (d->dumped || (d->taped && !d->taper_partial))
            row->cell[C_OUT] = g_strdup_printf("%" G_GINT64_FORMAT, k);
        row->cell[C_COMP] = d->dumped && d->compressed && o > 0
                                ? g_strdup_printf("%.1f", (double)k * 100.0 / (double)o)
                                : g_strdup("-- ");
    }
    if (d->dumped) {
        row->cell[C_DTIME] = mnsc(d->dump_sec);
        row->cell[C_DRATE] = g_strdup_printf("%.1f", d->dump_kps < 0 ? 0.0 : d->dump_kps);
    } else {
        /* an amflush run dumps nothing: its images come from the holding disk */
        row->dumper_text = report_dump_is_flush(r, d) ? "FLUSH" : "FAILED";
    }
    if (d->taper_failed) {
        row->taper_failed_text = TRUE;
    } else if (d->taped) {
        row->cell[C_TTIME] = mnsc(d->tape_sec);
        row->cell[C_TRATE] = g_strdup_printf("%.1f", d->tape_kps < 0 ? 0.0 : d->tape_kps);
        row->suffix = d->taper_partial ? " PARTIAL" : NULL;
    }
}

static void
append_cell(GString *line, const row_t *row, int c, const int *w)
{
    g_string_append_printf(line, "%s%*s", c == C_LEVEL ? "" : " ", w[c],
                           row->cell[c] ? row->cell[c] : "");
}

static void
append_row(GString *out, const report_dump_t *d, const row_t *row, int hw, int dw,
           const int *w)
{
    g_autofree char *q = quote_string(d->disk);
    g_autoptr(GString) line = g_string_new(NULL);
    g_string_printf(line, "%-*s %-*s %-*s", hw, d->host, dw, q, w[C_LEVEL],
                    row->cell[C_LEVEL] ? row->cell[C_LEVEL] : "");
    for (int c = C_ORIG; c <= C_COMP; c++)
        append_cell(line, row, c, w);
    int dumper = w[C_DTIME] + 1 + w[C_DRATE], taper = w[C_TTIME] + 1 + w[C_TRATE];
    if (row->dumper_text)
        g_string_append_printf(line, " %-*s%-*s", 4, "", dumper - 4, row->dumper_text);
    else
        append_cell(line, row, C_DTIME, w), append_cell(line, row, C_DRATE, w);
    if (row->taper_failed_text)
        g_string_append_printf(line, " %*s %*s", w[C_TTIME], "FAILED", w[C_TRATE], "FAILED");
    else if (row->cell[C_TTIME])
        append_cell(line, row, C_TTIME, w), append_cell(line, row, C_TRATE, w);
    else
        g_string_append_printf(line, " %*s", taper, "");
    g_string_append_printf(out, "%s%s\n", line->str, row->suffix ? row->suffix : "");
}

static void
append_dump_summary(GString *out, const report_t *r)
{
    int hw = 12, dw = 11, w[C_COUNT];
    memcpy(w, default_width, sizeof w);
    guint n = r->dumps->len;
    g_autofree row_t *rows = g_new0(row_t, n + 1);
    for (guint i = 0; i < n; i++) {
        const report_dump_t *d = g_ptr_array_index(r->dumps, i);
        g_autofree char *q = quote_string(d->disk);
        hw = MAX(hw, (int)strlen(d->host));
        dw = MAX(dw, (int)strlen(q));
        fill_row(&rows[i], r, d);
        for (int c = 0; c < C_COUNT; c++)
            if (rows[i].cell[c])
                w[c] = MAX(w[c], (int)strlen(rows[i].cell[c]));
    }
    int dumper_col = hw + 1 + dw + 1 + w[C_LEVEL] + 1 + w[C_ORIG] + 1 + w[C_OUT] + 1 +
                     w[C_COMP] + 1;
    int dumper = w[C_DTIME] + 1 + w[C_DRATE], taper = w[C_TTIME] + 1 + w[C_TRATE];
    g_string_append(out, "DUMP SUMMARY:\n");
    /* the two titles are centred over their sections */
    int dumper_title = dumper_col + (dumper - 12) / 2;
    int taper_title = dumper_col + dumper + 1 + (taper - 11) / 2;
    g_string_append_printf(out, "%*sDUMPER STATS%*sTAPER STATS\n", dumper_title, "",
                           taper_title - dumper_title - 12, "");
    g_string_append_printf(out, "%-*s %-*s %-*s", hw, "HOSTNAME", dw, "DISK", w[C_LEVEL],
                           column_title[C_LEVEL]);
    for (int c = C_ORIG; c < C_COUNT; c++)
        g_string_append_printf(out, " %*s", w[c], column_title[c]);
    g_autofree char *d1 = g_strnfill((gsize)(hw + 1 + dw + 1 + w[C_LEVEL]), '-');
    g_autofree char *d2 = g_strnfill((gsize)(w[C_ORIG] + 1 + w[C_OUT] + 1 + w[C_COMP]), '-');
    g_autofree char *d3 = g_strnfill((gsize)dumper, '-');
    g_autofree char *d4 = g_strnfill((gsize)taper, '-');
    g_string_append_printf(out, "\n%s %s %s %s\n", d1, d2, d3, d4);
    for (guint i = 0; i < n; i++) {
        append_row(out, g_ptr_array_index(r->dumps, i), &rows[i], hw, dw, w);
        row_clear(&rows[i]);
    }
    g_string_append(out, "\n");
}

char *
report_format_text(const report_t *r, const report_header_t *h)
{
    GString *out = g_string_new(NULL);
    append_header(out, r, h);
    append_summaries(out, r);
    append_statistics(out, r);
    append_details(out, r, FALSE);
    append_details(out, r, TRUE);
    append_tapes(out, r);
    append_notes(out, r);
    append_dump_summary(out, r);
    g_string_append_printf(out, "(brought to you by Amanda version %s)\n", PACKAGE_VERSION);
    return g_string_free(out, FALSE);
}
