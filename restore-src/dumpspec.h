/* dumpspec: AMANDA's match expressions for hosts, disks, datestamps and
 * levels (amanda-match(7)), and the "HOST [DISK [DATE [LEVEL]]] ..."
 * dump specifications that amrestore and amfetchdump take.
 *
 * Host and disk expressions match by word ('.' separates host words, '/'
 * disk words, a UNC disk's '\' counts as '/'): each word is a glob ('?',
 * '*', '[...]', '[!...]'), '**' also crosses separators, '^' and '$'
 * anchor at the ends, a leading '=' asks for an exact match.  Hosts
 * compare case-insensitively.  Datestamp expressions are prefixes or
 * ranges ("20001212-14"); level expressions prefixes, "3$" or "3-5".
 * Everything here is pure. */
#ifndef DUMPSPEC_H
#define DUMPSPEC_H

#include <glib.h>

gboolean dumpspec_match_host(const char *pattern, const char *host);
gboolean dumpspec_match_disk(const char *pattern, const char *disk);
gboolean dumpspec_match_datestamp(const char *pattern, const char *datestamp);
gboolean dumpspec_match_level(const char *pattern, int level);

/* One "host disk date level" group; NULL fields match anything. */
typedef struct {
    char *host, *disk, *datestamp, *level;
} dumpspec_t;

void dumpspec_free(dumpspec_t *ds);

/* Group ARGV (ARGC words) into specs of WIDTH words (3 for amrestore:
 * host disk date; 4 for amfetchdump: host disk date level).  No words
 * give an empty array (match everything).  With EXACT, every expression
 * is compared literally (as if it started with '='). */
GPtrArray *dumpspec_from_args(int argc, char **argv, int width, gboolean exact);

/* TRUE when SPECS is empty or one of them matches.  LEVEL < 0 skips the
 * level test. */
gboolean dumpspec_list_match(const GPtrArray *specs, const char *host, const char *disk,
                             const char *datestamp, int level);

#endif
