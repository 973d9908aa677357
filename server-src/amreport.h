/* amreport: the run report, as a model built from a run log and two
 * renderings of it (AMANDA's classic text report and JSON).
 *
 *   amreport-model.c   run log entries (logfile.h) -> report_t
 *   amreport-text.c    report_t -> the text AMANDA 3.5.1's amreport prints
 *   amreport-json.c    report_t -> JSON
 *   amreport.c         command line, config, where the report goes
 *
 * The model is plain data so the renderers and the unit tests can be fed
 * from any log without a config on disk. */
#ifndef AMREPORT_H
#define AMREPORT_H

#include <glib.h>

/* One dump of the run (a DLE at a level), a row of DUMP SUMMARY. */
typedef struct {
    char *host, *disk;       /* disk unquoted */
    char *datestamp;         /* the dump's; another run's for a flush */
    int level;
    gboolean compressed;     /* the disklist says the DLE is compressed */
    gboolean in_disklist;

    gboolean planner_failed, dumper_failed, taper_failed, taper_partial;
    gboolean strange;
    char *fail_prog;         /* who failed it: planner, driver, dumper, taper */
    char *fail_msg;          /* "[...]" as logged */
    GPtrArray *fail_details; /* continuation lines of FAIL (char*) */
    GPtrArray *strange_details;

    gboolean dumped;         /* dumper SUCCESS or STRANGE */
    double dump_sec, dump_kps;
    gint64 dump_kb, orig_kb;
    gboolean chunked;        /* chunker SUCCESS: its kb is the output size */
    gint64 chunk_kb;

    gboolean taped;          /* taper DONE or PARTIAL */
    gboolean taper_result;   /* DONE, PARTIAL or FAIL seen */
    double tape_sec, tape_kps;
    gint64 tape_kb, tape_orig_kb;
    int nparts;              /* PART lines */
} report_dump_t;

typedef struct {
    char *label;
    char *storage;           /* "ST:" of its taper lines, or NULL */
    double sec;
    gint64 kb;
    int nparts;
    int nstarted;            /* dumps whose first part is on this volume */
    GPtrArray *dumps;        /* report_dump_t* with parts on it (not owned) */
} report_tape_t;

typedef struct {
    char *hostname;          /* "STATS driver hostname", or NULL */
    char *datestamp;         /* the run's, from START */
    gboolean finished;       /* FINISH driver (or amflush) seen */
    gboolean flush;          /* an amflush run: images of earlier runs taped,
                              * nothing dumped */
    double planner_sec, run_sec; /* < 0 when unknown */
    GPtrArray *dumps;        /* report_dump_t*, sorted host, disk, level */
    GPtrArray *tapes;        /* report_tape_t*, in order of use */
    GPtrArray *notes;        /* "program: text" */
    GPtrArray *tape_errors;  /* taper ERROR messages */
    gint64 tape_length_kb;   /* tapetype length, for the % columns */
    gint64 filemark_kb;      /* tapetype filemark: AMANDA counts one per part
                              * (and per volume label / per dump) as used */
} report_t;

/* Config facts the model needs: DLE -> compressed? (key "host\ndisk",
 * value GINT_TO_POINTER(1 + compressed)); may be NULL. */
report_t *report_build(const GPtrArray *entries, GHashTable *dle_compression,
                       gint64 tape_length_kb);
void report_free(report_t *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(report_t, report_free)

/* Everything the report header says that does not come from the log. */
typedef struct {
    const char *org;
    const char *config;
    GPtrArray *next_tape_lines; /* "The next tape Amanda expects ..." lines */
    const char *storage;        /* the header lists this storage's volumes
                                 * (NULL: the config name) */
} report_header_t;

char *report_format_text(const report_t *r, const report_header_t *h);
char *report_format_json(const report_t *r, const report_header_t *h);

/* "November 25, 2026" for a datestamp. */
char *report_nice_date(const char *datestamp);
/* The dump came from an earlier run's holding-disk image (AMANDA shows
 * FLUSH in its dumper columns). */
gboolean report_dump_is_flush(const report_t *r, const report_dump_t *d);
/* Problems worth a non-zero exit / a mail: failures, strange, tape errors. */
gboolean report_has_problems(const report_t *r);

#endif
