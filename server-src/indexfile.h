/* indexfile: the per-dump file lists kept for amrecover.
 *
 * For every dump the index directory holds, under
 * <indexdir>/<host sanitised>/<disk sanitised>/ (same sanitising as curinfo):
 *   <ts>_<level>-unsorted.gz  the gzipped list as the dumper received it
 *   <ts>_<level>.gz           the same list sorted (made on first use)
 *   <ts>_<level>.header       the dump's text header (type FILE)
 *   <ts>_<level>.state.gz     the application's state (amgtar: "<record> <path>")
 * Paths are one a line, directories end in '/'.  Writers put the data in
 * "<name>.tmp" and rename it when complete, so a reader never sees half a
 * list. */
#ifndef INDEXFILE_H
#define INDEXFILE_H

#include <glib.h>

#define INDEXFILE_ERROR (indexfile_error_quark())
GQuark indexfile_error_quark(void);
typedef enum {
    INDEXFILE_ERROR_IO,
    INDEXFILE_ERROR_CORRUPT, /* not gzip, or cut short */
} indexfile_error_t;

typedef enum {
    INDEXFILE_SORTED,   /* ".gz" */
    INDEXFILE_UNSORTED, /* "-unsorted.gz" */
    INDEXFILE_HEADER,   /* ".header" */
    INDEXFILE_STATE,    /* ".state.gz" */
    INDEXFILE_KIND_COUNT
} indexfile_kind_t;

char *indexfile_dir(const char *indexdir, const char *host, const char *disk);
char *indexfile_path(const char *indexdir, const char *host, const char *disk,
                     const char *timestamp, int level, indexfile_kind_t kind);
/* Split a file name of the directory into timestamp, level and kind. */
gboolean indexfile_name_split(const char *name, char **timestamp, int *level,
                              indexfile_kind_t *kind);

/* gzip writer (the dumper's INDEX and STATE streams). */
typedef struct indexfile_writer indexfile_writer_t;
/* Creates the parent directories; writes to PATH.tmp. */
indexfile_writer_t *indexfile_writer_open(const char *path, GError **error);
gboolean indexfile_writer_write(indexfile_writer_t *w, const void *buf, gsize len,
                                GError **error);
/* Flush, fsync and rename into place; frees W in every case. */
gboolean indexfile_writer_close(indexfile_writer_t *w, GError **error);
/* Throw the partial file away; frees W. */
void indexfile_writer_abort(indexfile_writer_t *w);

/* Read a gzipped (or plain) list into lines without their newlines.  A
 * last line without newline is kept (sort output always has one). */
GPtrArray *indexfile_read_lines(const char *path, GError **error);
/* Read UNSORTED, sort bytewise (as "LC_ALL=C sort"), write SORTED. */
gboolean indexfile_sort(const char *unsorted, const char *sorted, GError **error);

/* What exists for one dump of a DLE. */
typedef struct {
    char *timestamp;
    int level;
    gboolean have[INDEXFILE_KIND_COUNT];
} indexfile_dump_t;
void indexfile_dump_free(indexfile_dump_t *d);
/* Dumps that have any index file for HOST:DISK, newest first, then by
 * level.  A missing directory gives an empty list. */
GPtrArray *indexfile_list_dumps(const char *indexdir, const char *host, const char *disk,
                                GError **error);

#endif
