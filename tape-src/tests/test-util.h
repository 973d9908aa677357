/* test-util: temp directories and data patterns for the tape-src tests. */
#ifndef TEST_UTIL_H
#define TEST_UTIL_H

#include <glib.h>

/* A fresh directory under $AMANDA_TMPDIR (or /tmp); removed by tu_rmtree. */
char *tu_mkdtemp(void);
void tu_rmtree(const char *dir);
/* LEN bytes of a pattern that depends on SEED and the offset. */
char *tu_pattern(gsize len, guint seed);
/* Size of PATH, or -1. */
gint64 tu_file_size(const char *path);
/* Sorted names in DIR (NULL-terminated). */
char **tu_list_dir(const char *dir);

#endif
