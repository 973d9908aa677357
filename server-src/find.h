/* find: which dumps exist on which volumes, from the run logs and the
 * tapelist -- the data behind `amadmin CONFIG find`, amfetchdump and
 * amindexd.
 *
 * A dump part counts when a log says the taper wrote it (PART or
 * PARTPARTIAL) to a volume that is still in the tapelist with the same
 * write timestamp (a volume overwritten since then no longer holds it).
 * The taper's DONE, PARTIAL or FAIL line for the dump sets the dump's
 * status (and DONE the part count); parts without such a line are left
 * out, as AMANDA 3.5.1's amadmin find does.  Only logs named after a timestamp that a
 * volume of the tapelist was written at are read (in logdir and
 * logdir/oldlog), as AMANDA does. */
#ifndef FIND_H
#define FIND_H

#include <glib.h>
#include "tapelist.h"

#define FIND_ERROR (find_error_quark())
GQuark find_error_quark(void);
typedef enum {
    FIND_ERROR_IO,
    FIND_ERROR_SORT_ORDER, /* a letter find_sort does not know */
} find_error_t;

typedef struct {
    char *timestamp;       /* the dump's datestamp */
    char *write_timestamp; /* when the volume was written */
    char *hostname, *diskname;
    int level;
    char *storage, *pool, *label;
    gint64 filenum;
    int partnum, totalparts;
    char *status;          /* this part: OK or PARTIAL */
    char *dump_status;     /* the whole dump: OK, PARTIAL or FAIL */
    char *message;         /* why a dump is PARTIAL/FAIL; "" otherwise */
    double sec;
    gint64 kb, bytes, orig_kb;
} find_result_t;

void find_result_free(find_result_t *r);

/* Collect the parts one parsed log (logfile_parse_buffer entries) names,
 * into OUT.  LOG_TIMESTAMP (from the log's name) is the write timestamp
 * when the log has no "START taper" line. */
void find_scan_log(GPtrArray *entries, const char *log_timestamp, const tapelist_t *tl,
                   GPtrArray *out);
/* The same; with KEEP_UNSETTLED, parts of dumps the taper never gave a
 * verdict on (the run died before DONE/PARTIAL/FAIL) are kept with
 * dump_status PARTIAL.  find_scan_log, like AMANDA, leaves them out. */
void find_scan_log_full(GPtrArray *entries, const char *log_timestamp, const tapelist_t *tl,
                        gboolean keep_unsettled, GPtrArray *out);
/* All dumps of a configuration; sorted with the default order. */
GPtrArray *find_dumps(const char *logdir, const char *tapelist_path, GError **error);

/* amadmin's sort keys, applied left to right: h host, k disk, d dump
 * timestamp, l level, p part number, b label, f file number, w write
 * timestamp, s storage, o pool; a capital letter reverses that key. */
#define FIND_DEFAULT_SORT_ORDER "hkdlpbfw"
gboolean find_sort(GPtrArray *results, const char *order, GError **error);

/* "2026-11-25 10:47:04" for 14 digits, "2026-11-25" for 8. */
char *find_nicedate(const char *timestamp);
/* The table `amadmin CONFIG find` prints (leading empty line, header,
 * one line per part), or "\nNo dump to list\n". */
char *find_format(const GPtrArray *results);

#endif
