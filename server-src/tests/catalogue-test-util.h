/* Helpers shared by the catalogue unit tests: the real AMANDA files under
 * tests/data, private temp directories, small file utilities. */
#ifndef CATALOGUE_TEST_UTIL_H
#define CATALOGUE_TEST_UTIL_H

#include <glib.h>

/* Full path of tests/data/NAME (AMANDA_TEST_SRCDIR set by make check). */
char *ct_data_path(const char *name);
/* Contents of tests/data/NAME; aborts the test when missing. */
char *ct_data(const char *name, gsize *len);
/* A fresh directory under AMANDA_TMPDIR (or /tmp), removed by ct_rm_rf. */
char *ct_tmpdir(void);
void ct_rm_rf(const char *path);
/* Write TEXT (LEN bytes, -1 = strlen) to PATH, creating directories. */
void ct_write(const char *path, const char *text, gssize len);
/* Contents of PATH, NULL when it does not exist. */
char *ct_read(const char *path, gsize *len);
/* Number of entries in directory PATH. */
guint ct_count_entries(const char *path);

#endif
