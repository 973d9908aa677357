/* indexd-tree: what amindexd shows of a DLE as of a date.
 *
 * The dumps of a DLE form a chain for a given date: the newest dump made
 * on or before it, then each older dump of a lower level, down to the
 * level 0 (AMANDA's rule: a level-2 needs the level-1 and the full it is
 * based on).  Every dump brings its index (the sorted paths it holds,
 * directories ending in '/'); a directory listing merges them, each
 * entry shown with the newest dump of the chain that has it.  Also the
 * volume list AMANDA prints for a dump ("ST:LABEL:2,3;ST:LABEL2:1").
 * Everything here is pure. */
#ifndef INDEXD_TREE_H
#define INDEXD_TREE_H

#include <glib.h>

typedef struct {
    char *timestamp;   /* YYYYMMDDhhmmss */
    int level;
    char *tapes;       /* "storage:label:file,file;storage:label:file" */
    gint64 first_file; /* file number of part 1 */
    GPtrArray *paths;  /* char*, sorted bytewise; NULL until loaded */
} indexd_dump_t;

void indexd_dump_free(indexd_dump_t *d);

/* One part of a dump on a volume, for indexd_tapes_string. */
typedef struct {
    const char *storage, *label;
    gint64 filenum;
    int partnum;
} indexd_part_t;

/* AMANDA's marshalled volume list, parts taken in partnum order: labels
 * in first-use order, their files joined by ',', volumes by ';'; ':',
 * ',', ';' and '\' in names are escaped with '\'. */
char *indexd_tapes_string(GArray *parts /* indexd_part_t */);

/* "2026-11-25-10-47-04" from "20261125104704" ("2026-11-25" from 8 digits). */
char *indexd_nice_date(const char *timestamp);

/* Turn amrecover's DATE argument ("2026-11-25", "2026-11-25-10-47-04",
 * "20261125") into the 14-digit upper limit ("20261125235959").  NULL
 * when malformed. */
char *indexd_date_limit(const char *date);

/* The chain for LIMIT (14 digits) among DUMPS (indexd_dump_t*, any
 * order): a new array of borrowed pointers, newest first.  Empty when no
 * dump is that old. */
GPtrArray *indexd_chain(const GPtrArray *dumps, const char *limit);

/* "/a/b/" -> "/a/b", "" -> "/", adds a leading '/'. */
char *indexd_normalise_dir(const char *dir);

/* Does any dump of CHAIN (loaded) hold directory DIR (normalised)? */
gboolean indexd_is_dir(const GPtrArray *chain, const char *dir);

typedef struct {
    const indexd_dump_t *dump; /* newest dump of the chain holding it */
    const char *path;          /* as in the index (borrowed) */
} indexd_entry_t;

/* The entries of DIR (normalised): the directory itself ("/sub/", or "/")
 * and what is directly in it, or with RECURSIVE everything below it;
 * sorted by path.  A GArray of indexd_entry_t. */
GArray *indexd_list(const GPtrArray *chain, const char *dir, gboolean recursive);

#endif
