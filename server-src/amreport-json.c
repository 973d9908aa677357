/* amreport-json: the report as one JSON object, for monitoring scripts.
 *
 * {"head": {org, config, date, datestamp, hostname, finished,
 *           tape_errors[], next_tape[]},
 *  "dumps": [{host, disk, level, status, dumper{...}, taper{...},
 *             message, details[]}],
 *  "tapes": [{label, kb, seconds, dles, parts, percent_used}],
 *  "notes": [...],
 *  "totals": {dles_dumped, dles_failed, out_kb, orig_kb, tape_kb, ...}} */
#include "config.h"

#include <string.h>

#include "amreport.h"

static void
json_str(GString *out, const char *s)
{
    if (!s) {
        g_string_append(out, "null");
        return;
    }
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\t': g_string_append(out, "\\t"); break;
        case '\r': g_string_append(out, "\\r"); break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
}

static void
json_str_array(GString *out, const GPtrArray *a)
{
    g_string_append_c(out, '[');
    for (guint i = 0; a && i < a->len; i++) {
        if (i)
            g_string_append(out, ", ");
        json_str(out, g_ptr_array_index(a, i));
    }
    g_string_append_c(out, ']');
}

static const char *
status_of(const report_dump_t *d)
{
    if (d->planner_failed || d->dumper_failed || d->taper_failed)
        return "FAILED";
    if (d->taper_partial)
        return "PARTIAL";
    if (d->strange)
        return "STRANGE";
    if (!d->dumped && !d->taped)
        return "INCOMPLETE";
    if (d->dumped && !d->taped)
        return "NOT-TAPED";
    return "OK";
}

static void
json_dump(GString *out, const report_dump_t *d)
{
    g_string_append(out, "    {\"host\": ");
    json_str(out, d->host);
    g_string_append(out, ", \"disk\": ");
    json_str(out, d->disk);
    g_string_append_printf(out, ", \"level\": %d, \"status\": ", d->level);
    json_str(out, status_of(d));
    if (d->dumped)
        g_string_append_printf(out, ",\n     \"dumper\": {\"orig_kb\": %" G_GINT64_FORMAT
                               ", \"out_kb\": %" G_GINT64_FORMAT ", \"seconds\": %.3f"
                               ", \"kps\": %.1f, \"compressed\": %s}",
                               d->orig_kb, d->chunked ? d->chunk_kb : d->dump_kb, d->dump_sec,
                               d->dump_kps, d->compressed ? "true" : "false");
    if (d->taped)
        g_string_append_printf(out, ",\n     \"taper\": {\"kb\": %" G_GINT64_FORMAT
                               ", \"seconds\": %.3f, \"kps\": %.1f, \"parts\": %d}",
                               d->tape_kb, d->tape_sec, d->tape_kps, d->nparts);
    if (d->fail_msg) {
        g_string_append(out, ",\n     \"message\": ");
        json_str(out, d->fail_msg);
        g_string_append(out, ", \"failed_by\": ");
        json_str(out, d->fail_prog);
    }
    const GPtrArray *details = d->strange ? d->strange_details : d->fail_details;
    if (details && details->len) {
        g_string_append(out, ",\n     \"details\": ");
        json_str_array(out, details);
    }
    g_string_append(out, "}");
}

static void
json_tapes(GString *out, const report_t *r)
{
    g_string_append(out, "  \"tapes\": [");
    for (guint i = 0; i < r->tapes->len; i++) {
        const report_tape_t *t = g_ptr_array_index(r->tapes, i);
        g_string_append(out, i ? ",\n    {\"label\": " : "\n    {\"label\": ");
        json_str(out, t->label);
        g_string_append_printf(out, ", \"kb\": %" G_GINT64_FORMAT ", \"seconds\": %.3f"
                               ", \"dles\": %d, \"parts\": %d", t->kb, t->sec, t->nstarted,
                               t->nparts);
        if (r->tape_length_kb > 0)
            g_string_append_printf(out, ", \"percent_used\": %.1f",
                                   (double)t->kb * 100.0 / (double)r->tape_length_kb);
        g_string_append(out, "}");
    }
    g_string_append(out, r->tapes->len ? "\n  ],\n" : "],\n");
}

static void
json_totals(GString *out, const report_t *r)
{
    int dumped = 0, failed = 0, taped = 0;
    gint64 out_kb = 0, orig_kb = 0, tape_kb = 0;
    for (guint i = 0; i < r->dumps->len; i++) {
        const report_dump_t *d = g_ptr_array_index(r->dumps, i);
        dumped += d->dumped;
        taped += d->taped;
        failed += strcmp(status_of(d), "FAILED") == 0;
        if (d->dumped) {
            out_kb += d->chunked ? d->chunk_kb : d->taped ? d->tape_kb : d->dump_kb;
            orig_kb += d->orig_kb;
        }
        if (d->taped)
            tape_kb += d->tape_kb;
    }
    g_string_append_printf(out, "  \"totals\": {\"dles_dumped\": %d, \"dles_failed\": %d, "
                           "\"dles_taped\": %d, \"out_kb\": %" G_GINT64_FORMAT ", \"orig_kb\": %"
                           G_GINT64_FORMAT ", \"tape_kb\": %" G_GINT64_FORMAT
                           ", \"run_seconds\": %.3f, \"estimate_seconds\": %.3f}\n",
                           dumped, failed, taped, out_kb, orig_kb, tape_kb, r->run_sec,
                           r->planner_sec);
}

char *
report_format_json(const report_t *r, const report_header_t *h)
{
    GString *out = g_string_new("{\n  \"head\": {\"org\": ");
    g_autofree char *date = report_nice_date(r->datestamp);
    json_str(out, h->org);
    g_string_append(out, ", \"config\": ");
    json_str(out, h->config);
    g_string_append(out, ", \"date\": ");
    json_str(out, date);
    g_string_append(out, ", \"datestamp\": ");
    json_str(out, r->datestamp);
    g_string_append(out, ", \"hostname\": ");
    json_str(out, r->hostname);
    g_string_append_printf(out, ",\n    \"finished\": %s, \"flush\": %s, \"tape_errors\": ",
                           r->finished ? "true" : "false", r->flush ? "true" : "false");
    json_str_array(out, r->tape_errors);
    g_string_append(out, ", \"next_tape\": ");
    json_str_array(out, h->next_tape_lines);
    g_string_append(out, "},\n  \"dumps\": [");
    for (guint i = 0; i < r->dumps->len; i++) {
        g_string_append(out, i ? ",\n" : "\n");
        json_dump(out, g_ptr_array_index(r->dumps, i));
    }
    g_string_append(out, r->dumps->len ? "\n  ],\n" : "],\n");
    json_tapes(out, r);
    g_string_append(out, "  \"notes\": ");
    json_str_array(out, r->notes);
    g_string_append(out, ",\n");
    json_totals(out, r);
    g_string_append(out, "}\n");
    return g_string_free(out, FALSE);
}
