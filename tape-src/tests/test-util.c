/* test-util: helpers shared by the tape-src tests. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "test-util.h"

char *
tu_mkdtemp(void)
{
    const char *base = g_getenv("AMANDA_TMPDIR");
    if (!base)
        base = g_get_tmp_dir();
    g_mkdir_with_parents(base, 0700);
    char *tmpl = g_build_filename(base, "tape-test-XXXXXX", NULL);
    g_assert_nonnull(g_mkdtemp(tmpl));
    return tmpl;
}

void
tu_rmtree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    if (!d)
        return;
    const char *name;
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK))
            tu_rmtree(path);
        else
            g_unlink(path);
    }
    g_dir_close(d);
    g_rmdir(dir);
}

char *
tu_pattern(gsize len, guint seed)
{
    char *buf = g_malloc(len);
    guint32 x = seed * 2654435761u + 1;
    for (gsize i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (char)(x >> 16);
    }
    return buf;
}

gint64
tu_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (gint64)st.st_size : -1;
}

static gint
str_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
tu_list_dir(const char *dir)
{
    GPtrArray *names = g_ptr_array_new();
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    if (d)
        g_dir_close(d);
    g_ptr_array_sort(names, str_cmp);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}
