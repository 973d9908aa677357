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
    if (r->finished && r->tapes->len > 0) {
        g_autoptr(GString) labels = g_string_new(NULL);
        for (guint i = 0; i < r->tapes->len; i++)
            g_string_append_printf(labels, "%s%s", i ? ", " : "",
                                   ((report_tape_t *)g_ptr_array_index(r->tapes, i))->label);
        g_string_append_printf(out, "%s %s %s.\n",
                               r->flush ? "The dumps were flushed to" : "These dumps were to",
                               r->tapes->len > 1 ? "tapes" : "tape", labels->str);
    }
    for (guint i = 0; h->next_tape_lines && i < h->next_tape_lines->len; i++)
        g_string_append_printf(out, "%s\n", (const char *)g_ptr_array_index(h->next_tape_lines, i));
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
        g_string_append_printf(out, "FAILURE DUMP SUMMARY:\n%s\n", fail->str);
    if (strange->len)
        g_string_append_printf(out, "STRANGE DUMP SUMMARY:\n%s\n", strange->str);
}

/* ---- statistics ---- */

typedef struct {
    int dumped, taped, parts;
    double dump_sec, tape_sec;
    gint64 out_kb, orig_kb, tape_kb;
} stats_t;

static gint64
out_kb_of(const report_dump_t *d)
{
    return d->chunked ? d->chunk_kb : d->dump_kb;
}

static void
add_stats(stats_t *s, const report_dump_t *d)
{
    if (d->dumped) {
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

static char *
ratio(double num, double den, double scale)
{
    return den > 0 ? g_strdup_printf("%.1f", num * scale / den) : g_strdup("-- ");
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
            n += what == 0 ? d->dumped : what == 1 ? d->taped : (d->taped ? d->nparts : 0);
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
    g_string_append(out, "\nSTATISTICS:\n"
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
    stat_line(out, "Tape Used (%)", ratio(all.tape_kb, len, 100), ratio(full.tape_kb, len, 100),
              ratio(incr.tape_kb, len, 100), NULL);
#undef MEG
    stat_line(out, "DLEs Taped", g_strdup_printf("%d", all.taped),
              g_strdup_printf("%d", full.taped), g_strdup_printf("%d", incr.taped), lv_tape);
    stat_line(out, "Parts Taped", g_strdup_printf("%d", all.parts),
              g_strdup_printf("%d", full.parts), g_strdup_printf("%d", incr.parts), lv_part);
    stat_line(out, "Avg Tp Write Rate (k/s)",
              all.taped ? ratio(all.tape_kb, all.tape_sec, 1) : g_strdup("-- "),
              full.taped ? ratio(full.tape_kb, full.tape_sec, 1) : g_strdup("-- "),
              incr.taped ? ratio(incr.tape_kb, incr.tape_sec, 1) : g_strdup("-- "), NULL);
    g_string_append(out, "\n");
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
        g_string_append_printf(out, "\n%s DUMP DETAILS:\n%s\n", strange ? "STRANGE" : "FAILED",
                               body->str);
}

static void
append_tapes(GString *out, const report_t *r)
{
    if (r->tapes->len == 0)
        return;
    g_string_append(out, "\nUSAGE BY TAPE:\n"
                         "  Label                 Time         Size      %  DLEs Parts\n");
    for (guint i = 0; i < r->tapes->len; i++) {
        const report_tape_t *t = g_ptr_array_index(r->tapes, i);
        int ndles = 0;
        for (guint k = 0; k < t->dumps->len; k++)
            ndles += ((report_dump_t *)g_ptr_array_index(t->dumps, k))->taper_result;
        g_autofree char *tm = hrmn(t->sec);
        g_autofree char *pct = r->tape_length_kb > 0
            ? g_strdup_printf("%.1f", (double)t->kb * 100.0 / (double)r->tape_length_kb)
            : g_strdup("--");
        g_string_append_printf(out, "  %-20s %5s %11" G_GINT64_FORMAT "K %6s %5d %5d\n",
                               t->label, tm, t->kb, pct, ndles, t->nparts);
    }
    g_string_append(out, "\n");
}

static void
append_notes(GString *out, const report_t *r)
{
    if (r->notes->len == 0)
        return;
    g_string_append(out, "\nNOTES:\n");
    for (guint i = 0; i < r->notes->len; i++)
        g_string_append_printf(out, "  %s\n", (const char *)g_ptr_array_index(r->notes, i));
    g_string_append(out, "\n");
}

/* ---- dump summary ---- */

/* The 14-character dumper and 13-character taper sections of a row. */
static void
append_row_stats(GString *row, const report_dump_t *d)
{
    if (d->dumped) {
        g_autofree char *t = mnsc(d->dump_sec);
        g_string_append_printf(row, " %7s %6.1f", t, d->dump_kps < 0 ? 0.0 : d->dump_kps);
    } else {
        g_string_append_printf(row, " %-14s", "    FAILED");
    }
    if (d->taper_failed) {
        g_string_append(row, " FAILED FAILED");
    } else if (d->taped) {
        g_autofree char *t = mnsc(d->tape_sec);
        g_string_append_printf(row, " %6s %6.1f%s", t, d->tape_kps < 0 ? 0.0 : d->tape_kps,
                               d->taper_partial ? " PARTIAL" : "");
    } else {
        g_string_append_printf(row, " %13s", "");
    }
}

static void
append_row(GString *out, const report_dump_t *d, int hw, int dw)
{
    g_autofree char *q = quote_string(d->disk);
    g_autoptr(GString) row = g_string_new(NULL);
    g_string_printf(row, "%-*s %-*s ", hw, d->host, dw, q);
    gboolean only_planner = d->planner_failed && !d->dumped && !d->taper_result && !d->nparts;
    if (only_planner) {
        g_string_append_printf(row, "%-1s %7s %7s %6s", "", "", "", "");
    } else {
        char orig[32] = "", outkb[32] = "", comp[32] = "   -- ";
        gint64 o = d->dumped ? d->orig_kb : d->tape_orig_kb;
        /* the row shows the dumper's own kb (the statistics the chunker's) */
        gint64 k = d->dumped ? d->dump_kb : d->tape_kb;
        if (d->dumped || d->taped)
            g_snprintf(orig, sizeof orig, "%" G_GINT64_FORMAT, o);
        if (d->dumped || (d->taped && !d->taper_partial))
            g_snprintf(outkb, sizeof outkb, "%" G_GINT64_FORMAT, k);
        if (d->dumped && d->compressed && o > 0)
            g_snprintf(comp, sizeof comp, "%6.1f", (double)k * 100.0 / (double)o);
        g_string_append_printf(row, "%d %7s %7s %6s", d->level, orig, outkb, comp);
    }
    append_row_stats(row, d);
    g_string_append_printf(out, "%s\n", row->str);
}

static void
append_dump_summary(GString *out, const report_t *r)
{
    int hw = 12, dw = 11;
    for (guint i = 0; i < r->dumps->len; i++) {
        const report_dump_t *d = g_ptr_array_index(r->dumps, i);
        g_autofree char *q = quote_string(d->disk);
        hw = MAX(hw, (int)strlen(d->host));
        dw = MAX(dw, (int)strlen(q));
    }
    int dumper_col = hw + 1 + dw + 1 + 1 + 1 + 7 + 1 + 7 + 1 + 6 + 1;
    g_string_append(out, "\nDUMP SUMMARY:\n");
    g_string_append_printf(out, "%*s%s\n", dumper_col + 1, "", "DUMPER STATS   TAPER STATS");
    g_string_append_printf(out, "%-*s %-*s L ORIG-KB  OUT-KB  COMP%%  MMM:SS   KB/s MMM:SS   "
                                "KB/s\n", hw, "HOSTNAME", dw, "DISK");
    g_autofree char *dashes = g_strnfill((gsize)(hw + 1 + dw + 1 + 1), '-');
    g_string_append_printf(out, "%s ---------------------- -------------- -------------\n",
                           dashes);
    for (guint i = 0; i < r->dumps->len; i++)
        append_row(out, g_ptr_array_index(r->dumps, i), hw, dw);
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
