/* curinfo: the per-DLE history database ("infofile" in amanda.conf).
 *
 * One text file per DLE at <infofile>/<host>/<disk>/info, host and disk
 * sanitised ('/', ':' and '\' become '_'; blanks and '_' stay, as AMANDA
 * 3.5.1 does: "/srv/obs/data/c d_e" -> "_srv_obs_data_c d_e"):
 *
 *   version: 0
 *   command: 0                      force flags (CURINFO_FORCE_*)
 *   full-rate: 74780.000000         up to 3 recent values, newest first;
 *   full-comp:                      unset values are not written (amadmin
 *                                   writes all three, unset as "-1")
 *   incr-rate: 5550.000000
 *   incr-comp:
 *   stats: 0 149560 149560 2 1795589105 2 Bench-001
 *          level orig-kb out-kb secs epoch [filenum label]
 *   last_level: 1 1                 level, consecutive runs at it
 *   history: 1 5550 5550 1795589120 1     level orig out epoch secs,
 *   //                              newest first, at most 100
 *
 * Parsing and formatting are pure; writes take an flock on the DLE's
 * directory and replace the file atomically (temp, fsync, rename). */
#ifndef CURINFO_H
#define CURINFO_H

#include <glib.h>

#define CURINFO_ERROR (curinfo_error_quark())
GQuark curinfo_error_quark(void);
typedef enum {
    CURINFO_ERROR_IO,
    CURINFO_ERROR_SYNTAX,
} curinfo_error_t;

/* "command:" bits; values checked against amadmin force/force-bump/
 * force-no-bump/force-level-1 of AMANDA 3.5.1. */
enum {
    CURINFO_FORCE_FULL = 1,
    CURINFO_FORCE_BUMP = 2,
    CURINFO_FORCE_NO_BUMP = 4,
    CURINFO_FORCE_LEVEL_1 = 8,
};

#define CURINFO_LEVELS 400     /* dump levels 0..399, as AMANDA */
#define CURINFO_AVG_COUNT 3    /* values kept per rate/comp line */
#define CURINFO_NB_HISTORY 100 /* history lines kept */

typedef struct {
    double rate[CURINFO_AVG_COUNT]; /* KiB/s, newest first; < 0 = unset */
    double comp[CURINFO_AVG_COUNT]; /* out/orig; < 0 = unset */
} curinfo_perf_t;

typedef struct {
    gint64 size;    /* KiB before compression; -1 unset */
    gint64 csize;   /* KiB written */
    gint64 secs;
    gint64 date;    /* epoch seconds; < 0: no dump at this level */
    gint64 filenum; /* on the volume LABEL */
    char *label;    /* NULL when not on a volume yet */
} curinfo_stats_t;

typedef struct {
    int level;
    gint64 size, csize, date, secs;
} curinfo_history_t;

typedef struct {
    guint command;
    curinfo_perf_t full, incr;
    curinfo_stats_t inf[CURINFO_LEVELS];
    int last_level;       /* -1: never dumped */
    int consecutive_runs;
    int nhistory;
    curinfo_history_t history[CURINFO_NB_HISTORY];
} curinfo_t;

/* What the driver learns from a finished dump. */
typedef struct {
    int level;
    gint64 orig_kb, out_kb, secs, date;
    gboolean compressed;  /* comp ratios are only kept for compressed dumps */
} curinfo_dump_t;

curinfo_t *curinfo_new(void);
void curinfo_free(curinfo_t *info);
void curinfo_init(curinfo_t *info);  /* an empty record, nothing to free */
void curinfo_clear(curinfo_t *info); /* free labels and re-init */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(curinfo_t, curinfo_free)

/* Parse an info file in BUF into OUT, which must hold a record (from
 * curinfo_new or curinfo_init): its old contents are freed.  The same
 * goes for curinfo_read.  Reading stops at "//"; a last line without
 * its newline is ignored.  Unknown keys are skipped; a known key with bad
 * values is CURINFO_ERROR_SYNTAX naming the line. */
gboolean curinfo_parse(const char *buf, gsize len, curinfo_t *out, GError **error);
/* The same; errors read "NAME:LINE: reason; what to do". */
gboolean curinfo_parse_named(const char *buf, gsize len, const char *name, curinfo_t *out,
                             GError **error);
/* The file text, byte-compatible with AMANDA's driver (unset rates and
 * ratios left out). */
char *curinfo_format(const curinfo_t *info);
/* The same as AMANDA's amadmin writes it: all three values of each
 * rate/ratio line, unset ones as "-1". */
char *curinfo_format_amadmin(const curinfo_t *info);

/* <infodir>/<host sanitised>/<disk sanitised> and .../info */
char *curinfo_dir(const char *infodir, const char *host, const char *disk);
char *curinfo_path(const char *infodir, const char *host, const char *disk);

/* Read a DLE's record.  A DLE without a file gets an empty record and
 * TRUE (*EXISTS, if given, says which). */
gboolean curinfo_read(const char *infodir, const char *host, const char *disk,
                      curinfo_t *out, gboolean *exists, GError **error);
/* Replace the record (directories created as needed). */
gboolean curinfo_write(const char *infodir, const char *host, const char *disk,
                       const curinfo_t *info, GError **error);

/* Read-modify-write under the DLE's lock: FN changes INFO; returning
 * FALSE (with ERROR set) abandons the write. */
typedef gboolean (*curinfo_update_fn)(curinfo_t *info, gpointer data, GError **error);
gboolean curinfo_update(const char *infodir, const char *host, const char *disk,
                        curinfo_update_fn fn, gpointer data, GError **error);

/* Record a finished dump into INFO (pure): stats of its level (and the
 * levels above it are forgotten), rates (out_kb/secs when secs > 0),
 * compression ratio (compressed dumps with orig_kb > 0), last_level run
 * counting, a new history entry in front (at most 100 kept); clears
 * FORCE_FULL after a level 0, FORCE_LEVEL_1 after a level 1 and both
 * bump flags after any dump. */
void curinfo_record_dump(curinfo_t *info, const curinfo_dump_t *dump);
/* Note where the taper put a level's dump. */
void curinfo_set_tape(curinfo_t *info, int level, gint64 filenum, const char *label);

/* Set then clear command bits of one DLE (amadmin force ...); *OLD
 * (optional) receives the previous bits.  The file is written as stock
 * amadmin writes it (curinfo_format_amadmin). */
gboolean curinfo_set_command(const char *infodir, const char *host, const char *disk,
                             guint set, guint clear, guint *old, GError **error);

/* Every DLE that has an info file: pairs of sanitised names. */
typedef struct {
    char *host; /* directory names, i.e. sanitised */
    char *disk;
} curinfo_dle_t;
void curinfo_dle_free(curinfo_dle_t *d);
GPtrArray *curinfo_list(const char *infodir, GError **error);

#endif
