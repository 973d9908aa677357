/* tapelist: the list of volumes of a configuration, newest first.
 *
 *   20261125064520 Bench-002 reuse BLOCKSIZE:32 POOL:Bench STORAGE:Bench CONFIG:Bench
 *   <write ts>     <label>   reuse|no-reuse [BARCODE:x] [META:x] [BLOCKSIZE:kib]
 *                            [POOL:p] [STORAGE:s] [CONFIG:c] [#comment]
 *
 * A timestamp of "0" marks a labelled volume never written.  Parsing and
 * formatting are pure; tapelist_write replaces the file atomically, and
 * tapelist_lock serialises read-modify-write cycles of amlabel, taper and
 * amadmin through "<tapelist>.lock" (fcntl lock, as AMANDA's own). */
#ifndef TAPELIST_H
#define TAPELIST_H

#include <glib.h>

#define TAPELIST_ERROR (tapelist_error_quark())
GQuark tapelist_error_quark(void);
typedef enum {
    TAPELIST_ERROR_IO,
    TAPELIST_ERROR_SYNTAX,
    TAPELIST_ERROR_EXISTS,    /* add: label already listed */
    TAPELIST_ERROR_NOT_FOUND, /* label not listed */
    TAPELIST_ERROR_REGEX,     /* labelstr does not compile */
} tapelist_error_t;

typedef struct {
    char *datestamp; /* "YYYYMMDDhhmmss", or "0" when never written */
    char *label;
    gboolean reuse;
    char *barcode, *meta;
    gint64 blocksize; /* KiB; 0 = not recorded */
    char *pool, *storage, *config;
    char *comment;    /* text after '#', or NULL */
} tapelist_entry_t;

typedef struct {
    GPtrArray *entries; /* tapelist_entry_t*, newest first */
} tapelist_t;

tapelist_t *tapelist_new(void);
void tapelist_free(tapelist_t *tl);
void tapelist_entry_free(tapelist_entry_t *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(tapelist_t, tapelist_free)

/* Parse the text of a tapelist.  Empty lines are skipped; a last line
 * without its newline (torn write) is ignored; a line without label is
 * TAPELIST_ERROR_SYNTAX naming its number.  The order of the file is kept. */
tapelist_t *tapelist_parse(const char *buf, gsize len, GError **error);
/* The same; errors read "NAME:LINE: reason; what to do". */
tapelist_t *tapelist_parse_named(const char *buf, gsize len, const char *name, GError **error);
char *tapelist_format(const tapelist_t *tl);

/* Missing file: an empty list. */
tapelist_t *tapelist_read(const char *path, GError **error);
/* Replace PATH atomically (temp in the same dir, fsync, rename). */
gboolean tapelist_write(const char *path, const tapelist_t *tl, GError **error);

/* Exclusive lock on "<path>.lock"; returns a descriptor for
 * tapelist_unlock, or -1 with ERROR. */
int tapelist_lock(const char *path, GError **error);
void tapelist_unlock(int fd);

tapelist_entry_t *tapelist_lookup_label(const tapelist_t *tl, const char *label);

/* Add a volume at its place by timestamp (before others of the same
 * timestamp, as AMANDA's amlabel does).  Fails when LABEL is already
 * there. */
tapelist_entry_t *tapelist_add(tapelist_t *tl, const char *datestamp, const char *label,
                               gboolean reuse, GError **error);
/* A volume was (re)written: new timestamp, moved to its new place (the
 * top, above volumes of the same run written before it); POOL,
 * STORAGE, CONFIG replaced when not NULL, BLOCKSIZE when > 0. */
tapelist_entry_t *tapelist_mark_written(tapelist_t *tl, const char *label,
                                        const char *datestamp, const char *pool,
                                        const char *storage, const char *config,
                                        gint64 blocksize, GError **error);
gboolean tapelist_remove(tapelist_t *tl, const char *label, GError **error);
gboolean tapelist_set_reuse(tapelist_t *tl, const char *label, gboolean reuse,
                            GError **error);

/* AMANDA's reuse rule (lookup_last_reusable_tape): count the volumes that
 * are marked reuse, were written (timestamp != 0) and match LABELSTR (an
 * extended regex, NULL = any).  When that count is at least TAPECYCLE the
 * oldest of them may be overwritten; otherwise none may.  Volumes marked
 * no-reuse neither count nor qualify.  NULL with no error = none. */
tapelist_entry_t *tapelist_oldest_reusable(const tapelist_t *tl, int tapecycle,
                                           const char *labelstr, GError **error);
/* TRUE when LABEL is the volume tapelist_oldest_reusable picks, or was
 * never written and is marked reuse. */
gboolean tapelist_is_reusable(const tapelist_t *tl, const char *label, int tapecycle,
                              const char *labelstr);

#endif
