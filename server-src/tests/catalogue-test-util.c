/* Helpers for the catalogue unit tests (see catalogue-test-util.h). */
#include "config.h"
#include "catalogue-test-util.h"
#include "amutil.h"

#include <glib/gstdio.h>
#include <stdlib.h>

char *
ct_data_path(const char *name)
{
    const char *src = g_getenv("AMANDA_TEST_SRCDIR");
    return g_build_filename(src ? src : "tests", "data", name, NULL);
}

char *
ct_data(const char *name, gsize *len)
{
    g_autofree char *path = ct_data_path(name);
    char *buf = NULL;
    GError *err = NULL;
    if (!g_file_get_contents(path, &buf, len, &err))
        g_error("test data %s: %s", path, err->message);
    return buf;
}

char *
ct_tmpdir(void)
{
    const char *base = g_getenv("AMANDA_TMPDIR");
    if (base)
        g_mkdir_with_parents(base, 0700);
    g_autofree char *tmpl = g_build_filename(base ? base : g_get_tmp_dir(), "cat-XXXXXX", NULL);
    char *dir = g_mkdtemp(g_strdup(tmpl));
    g_assert_nonnull(dir);
    return dir;
}

void
ct_rm_rf(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    if (d) {
        const char *name;
        while ((name = g_dir_read_name(d)) != NULL) {
            g_autofree char *child = g_build_filename(path, name, NULL);
            if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
                !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                ct_rm_rf(child);
            else
                g_unlink(child);
        }
        g_dir_close(d);
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

void
ct_write(const char *path, const char *text, gssize len)
{
    g_autofree char *dir = g_path_get_dirname(path);
    g_mkdir_with_parents(dir, 0700);
    GError *err = NULL;
    if (!g_file_set_contents(path, text, len, &err))
        g_error("cannot write %s: %s", path, err->message);
}

char *
ct_read(const char *path, gsize *len)
{
    char *buf = NULL;
    if (!g_file_get_contents(path, &buf, len, NULL))
        return NULL;
    return buf;
}

guint
ct_count_entries(const char *path)
{
    GDir *d = g_dir_open(path, 0, NULL);
    guint n = 0;
    if (!d)
        return 0;
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    return n;
}
