/* logfile: the run log "log.<YYYYMMDDhhmmss>.<n>" in logdir.
 *
 * Every line is "TYPE program rest"; a line starting with two blanks
 * continues the previous one (multi-line FAIL/STRANGE details).  Planner,
 * driver, dumpers and taper append to one file at the same time: each line
 * goes out in one write() on an O_APPEND descriptor under an fcntl lock.
 * The parser turns one line into its type, program and, for the common
 * shapes (START, FINISH, DISK, SUCCESS, PART, DONE, FAIL, ...), the dump
 * fields; it is a pure function over a buffer.  amreport, amadmin find,
 * amfetchdump and amindexd all read this file, so its format is an API. */
#ifndef LOGFILE_H
#define LOGFILE_H

#include <glib.h>
#include <stdarg.h>

#define LOGFILE_ERROR (logfile_error_quark())
GQuark logfile_error_quark(void);
typedef enum {
    LOGFILE_ERROR_IO,        /* open/read/write/rename failed */
    LOGFILE_ERROR_SYNTAX,    /* a line that is not "TYPE program ..." */
} logfile_error_t;

typedef enum {
    LOGFILE_L_BOGUS = 0,
    LOGFILE_L_FATAL, LOGFILE_L_ERROR, LOGFILE_L_WARNING, LOGFILE_L_INFO,
    LOGFILE_L_SUMMARY, LOGFILE_L_START, LOGFILE_L_FINISH, LOGFILE_L_DISK,
    LOGFILE_L_DONE, LOGFILE_L_PART, LOGFILE_L_PARTPARTIAL, LOGFILE_L_SUCCESS,
    LOGFILE_L_PARTIAL, LOGFILE_L_FAIL, LOGFILE_L_STRANGE, LOGFILE_L_CHUNK,
    LOGFILE_L_CHUNKSUCCESS, LOGFILE_L_STATS, LOGFILE_L_CONT, LOGFILE_L_RETRY,
    LOGFILE_L_MARKER,
    LOGFILE_L_COUNT
} logfile_type_t;

typedef enum {
    LOGFILE_P_UNKNOWN = 0,
    LOGFILE_P_PLANNER, LOGFILE_P_DRIVER, LOGFILE_P_REPORTER, LOGFILE_P_DUMPER,
    LOGFILE_P_CHUNKER, LOGFILE_P_TAPER, LOGFILE_P_AMFLUSH, LOGFILE_P_AMDUMP,
    LOGFILE_P_AMIDXTAPED, LOGFILE_P_AMFETCHDUMP, LOGFILE_P_AMCHECKDUMP,
    LOGFILE_P_AMVAULT, LOGFILE_P_AMCLEANUP, LOGFILE_P_AMBACKUPD,
    LOGFILE_P_AMTRMIDX, LOGFILE_P_AMTRMLOG,
    LOGFILE_P_COUNT
} logfile_program_t;

/* "SUCCESS" <-> LOGFILE_L_SUCCESS; unknown names give L_BOGUS / P_UNKNOWN. */
const char *logfile_type_name(logfile_type_t type);
logfile_type_t logfile_type_from_name(const char *name);
const char *logfile_program_name(logfile_program_t prog);
logfile_program_t logfile_program_from_name(const char *name);

/* The bracketed statistics "[sec 1.9 kb 161480 kps 84912.4 orig-kb 161480]".
 * Taper lines say "bytes" instead of "kb"; estimates say nkb/ckb.
 * Absent numbers are -1. */
typedef struct {
    gboolean present;
    double sec;
    gint64 kb;
    gint64 bytes;
    double kps;
    gint64 orig_kb;
    gint64 nkb;
    gint64 ckb;
} logfile_stats_t;

/* One parsed line.  Strings are owned; NULL when the shape has no such
 * field.  Numbers are -1 when absent. */
typedef struct {
    logfile_type_t type;
    logfile_program_t program;
    char *type_name;     /* as written (also for unknown types) */
    char *program_name;  /* as written */
    char *rest;          /* everything after "TYPE program " */
    gboolean has_dump;   /* host, disk and datestamp were found */
    char *storage;       /* "ST:<storage>" prefix of 3.5 taper lines */
    char *pool;          /* "POOL:<pool>" prefix */
    char *host;
    char *disk;          /* unquoted */
    char *datestamp;     /* the dump's (or START/FINISH's) datestamp */
    int level;
    char *label;         /* PART/PARTPARTIAL and START taper */
    gint64 filenum;      /* PART/PARTPARTIAL; START taper: "tape <n>" */
    int partnum;         /* PART: k of k/n */
    int totalparts;      /* PART: n of k/n (-1 unknown); DONE/PARTIAL taper: nparts */
    logfile_stats_t stats;
    char *message;       /* FAIL/PARTIAL/STRANGE reason, text after the stats */
    GPtrArray *cont;     /* continuation lines (without the two blanks), or NULL */
} logfile_entry_t;

void logfile_entry_init(logfile_entry_t *e);
void logfile_entry_clear(logfile_entry_t *e);
void logfile_entry_free(logfile_entry_t *e);

/* Parse one line (LEN bytes, no newline needed).  Fails with
 * LOGFILE_ERROR_SYNTAX on an empty line, a continuation line (see
 * logfile_is_continuation) or a line without a program word.  Unknown
 * types and programs are accepted (type L_BOGUS) so newer logs stay
 * readable; malformed dump fields leave has_dump FALSE. */
gboolean logfile_parse_line(const char *line, gsize len, logfile_entry_t *out,
                            GError **error);
/* TRUE for "  text" lines. */
gboolean logfile_is_continuation(const char *line, gsize len);

/* Parse a whole log held in BUF: one entry per logical line with its
 * continuation lines attached.  A last line without its newline (a torn
 * write from a crash) is ignored; unparsable lines are skipped.  Returns
 * an array of logfile_entry_t* (free function set). */
GPtrArray *logfile_parse_buffer(const char *buf, gsize len);
/* The same, and for every line skipped (unparsable, torn, stray
 * continuation) a "NAME:LINE: reason" string is added to WARNINGS (an
 * array with g_free, or NULL). */
GPtrArray *logfile_parse_buffer_warn(const char *buf, gsize len, const char *name,
                                     GPtrArray *warnings);
/* Read and parse a log file. */
GPtrArray *logfile_read(const char *path, GError **error);
/* The same, collecting "PATH:LINE: reason" for skipped lines. */
GPtrArray *logfile_read_warn(const char *path, GPtrArray *warnings, GError **error);

/* Parse "[sec .. kb .. kps ..]" (with or without brackets). */
gboolean logfile_parse_stats(const char *text, logfile_stats_t *out);

/* "TYPE program rest" plus newline; newlines inside REST become
 * continuation lines ("\n  "). */
char *logfile_format_line(logfile_type_t type, logfile_program_t prog, const char *rest);

/* ---- writing ---- */
typedef struct logfile logfile_t;

/* Open PATH for appending (created 0600 if missing).  When a writer died
 * mid-line, that line is ended first so new lines start clean. */
logfile_t *logfile_open(const char *path, GError **error);
/* Append one line (printf-style REST) atomically with respect to other
 * writers of the same file, and fdatasync it before returning. */
gboolean logfile_add(logfile_t *log, logfile_type_t type, logfile_program_t prog,
                     GError **error, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
gboolean logfile_add_v(logfile_t *log, logfile_type_t type, logfile_program_t prog,
                       GError **error, const char *fmt, va_list ap) G_GNUC_PRINTF(5, 0);
/* A writer with many lines in a row (the planner's DISK lines of a big
 * disklist) may turn the per-line sync off and call logfile_sync once
 * after the batch; turn it back on before lines others rely on. */
void logfile_set_sync(logfile_t *log, gboolean sync_each_line);
gboolean logfile_sync(logfile_t *log, GError **error);
const char *logfile_path(const logfile_t *log);
void logfile_close(logfile_t *log);

/* Create the run's log "LOGDIR/log.<TIMESTAMP>.<n>" with the lowest free
 * n (0 first), exclusively, and return its path. */
char *logfile_create_new(const char *logdir, const char *timestamp, GError **error);
/* Point LOGDIR/log at NAME (a file name inside logdir), atomically. */
gboolean logfile_link_current(const char *logdir, const char *name, GError **error);
/* Move LOGDIR/NAME to LOGDIR/oldlog/NAME (created 0700 when missing). */
gboolean logfile_rotate(const char *logdir, const char *name, GError **error);
/* File names "log.<ts>.<n>" in DIR, oldest first (by timestamp, then n).
 * A missing directory gives an empty list. */
GPtrArray *logfile_list(const char *dir, GError **error);
/* Split "log.<ts>.<n>" into its parts; FALSE for other names. */
gboolean logfile_name_split(const char *name, char **timestamp, int *seq);

#endif
