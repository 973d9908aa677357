/* amgtar-lists: include/exclude lists handed to tar (see amgtar-run.h).
 *
 * Includes are glob patterns relative to the DLE directory ("./usr/local*"
 * or "usr/local*"), expanded here so tar gets plain member names in
 * --files-from; excludes are tar patterns passed through --exclude-from.
 * The *-FILE options give patterns on the command line, the *-LIST
 * options name files holding one pattern per line. */
#include "config.h"
#include "amgtar-run.h"
#include "amanda_paths.h"
#include "amutil.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_QUARK(amgtar-lists-error-quark, amgtar_lists_error)

static char *
escape_for_tar(const char *s)
{
    GString *out = g_string_new(NULL);
    for (; *s; s++) {
        if (*s == '\\')
            g_string_append(out, "\\\\");
        else if (*s == '\n')
            g_string_append(out, "\\n");
        else
            g_string_append_c(out, *s);
    }
    return g_string_free(out, FALSE);
}

char *
amgtar_write_temp_list(GPtrArray *lines, gboolean escape, GError **error)
{
    const char *dir = amanda_tmpdir();
    if (!mkdir_p(dir, 0700, error))
        return NULL;
    char *path = g_build_filename(dir, "amgtar.XXXXXX", NULL);
    int fd = g_mkstemp_full(path, O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) {
        g_set_error(error, amgtar_lists_error_quark(), errno, "cannot create %s: %s",
                    path, g_strerror(errno));
        g_free(path);
        return NULL;
    }
    GString *text = g_string_new(NULL);
    for (guint i = 0; i < lines->len; i++) {
        const char *line = g_ptr_array_index(lines, i);
        g_autofree char *esc = escape ? escape_for_tar(line) : g_strdup(line);
        g_string_append(text, esc);
        g_string_append_c(text, '\n');
    }
    gboolean ok = full_write(fd, text->str, text->len) == (ssize_t)text->len;
    ok = close(fd) == 0 && ok;
    g_string_free(text, TRUE);
    if (!ok) {
        g_set_error(error, amgtar_lists_error_quark(), errno, "cannot write %s", path);
        unlink(path);
        g_free(path);
        return NULL;
    }
    return path;
}

/* Append the non-empty lines of FILE to OUT; a note when it is missing. */
static void
read_list(const char *file, gboolean optional, GPtrArray *out, GPtrArray *notes)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(file, &text, NULL, &err)) {
        if (!optional)
            g_ptr_array_add(notes, g_strdup_printf("list file %s: %s", file, err->message));
        return;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        if (**l)
            g_ptr_array_add(out, g_strdup(*l));
}

/* Expand one include pattern below DIR into "./member" names. */
static void
expand_include(const char *dir, const char *pattern, GPtrArray *out, GPtrArray *notes)
{
    while (pattern[0] == '.' && pattern[1] == '/')
        pattern += 2;
    while (pattern[0] == '/')
        pattern++;
    g_autofree char *full = g_build_filename(dir, pattern, NULL);
    glob_t g;
    size_t prefix = strlen(dir) + (g_str_has_suffix(dir, "/") ? 0 : 1);
    if (glob(full, 0, NULL, &g) != 0) {
        g_ptr_array_add(notes, g_strdup_printf("include pattern \"%s\" matched nothing in %s",
                                               pattern, dir));
        return;
    }
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (strlen(g.gl_pathv[i]) > prefix)
            g_ptr_array_add(out, g_strconcat("./", g.gl_pathv[i] + prefix, NULL));
    globfree(&g);
}

gboolean
amgtar_lists_build(const AmgtarArgs *a, const char *dir, AmgtarLists *lists,
                   GPtrArray *notes, GError **error)
{
    memset(lists, 0, sizeof *lists);
    if (a->exclude_file->len || a->exclude_list->len) {
        g_autoptr(GPtrArray) ex = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < a->exclude_file->len; i++)
            g_ptr_array_add(ex, g_strdup(g_ptr_array_index(a->exclude_file, i)));
        for (guint i = 0; i < a->exclude_list->len; i++)
            read_list(g_ptr_array_index(a->exclude_list, i), a->exclude_optional, ex, notes);
        lists->exclude_from = amgtar_write_temp_list(ex, FALSE, error);
        if (!lists->exclude_from)
            return FALSE;
    }
    if (a->include_file->len || a->include_list->len) {
        g_autoptr(GPtrArray) pats = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        for (guint i = 0; i < a->include_file->len; i++)
            g_ptr_array_add(pats, g_strdup(g_ptr_array_index(a->include_file, i)));
        for (guint i = 0; i < a->include_list->len; i++)
            read_list(g_ptr_array_index(a->include_list, i), a->include_optional, pats, notes);
        for (guint i = 0; i < pats->len; i++)
            expand_include(dir, g_ptr_array_index(pats, i), names, notes);
        lists->files_from = amgtar_write_temp_list(names, !a->no_unquote, error);
        if (!lists->files_from) {
            amgtar_lists_clear(lists);
            return FALSE;
        }
    }
    return TRUE;
}

void
amgtar_lists_clear(AmgtarLists *lists)
{
    if (lists->files_from)
        unlink(lists->files_from);
    if (lists->exclude_from)
        unlink(lists->exclude_from);
    g_free((char *)lists->files_from);
    g_free((char *)lists->exclude_from);
    memset(lists, 0, sizeof *lists);
}
