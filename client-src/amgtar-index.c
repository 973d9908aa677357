/* amgtar-index: listing lines -> index/state lines (see amgtar-index.h). */
#include "config.h"
#include "amgtar-index.h"

#include <string.h>

char *
amgtar_index_path(const char *member)
{
    if (strcmp(member, ".") == 0 || strcmp(member, "./") == 0)
        return g_strdup("/");
    if (strncmp(member, "./", 2) == 0)
        return g_strdup(member + 1);
    if (member[0] == '/')
        return g_strdup(member);
    return g_strconcat("/", member, NULL);
}

gboolean
amgtar_index_parse_block_line(const char *line, guint64 *block, char **path)
{
    static const char prefix[] = "block ";
    if (strncmp(line, prefix, sizeof prefix - 1) != 0)
        return FALSE;
    const char *num = line + sizeof prefix - 1;
    if (!g_ascii_isdigit(*num))
        return FALSE;
    char *end = NULL;
    guint64 b = g_ascii_strtoull(num, &end, 10);
    if (end[0] != ':' || end[1] != ' ' || end[2] == '\0')
        return FALSE;
    const char *member = end + 2;
    /* tar's own diagnostics can carry a block prefix too */
    if (strncmp(member, "tar: ", 5) == 0 || strncmp(member, "** ", 3) == 0)
        return FALSE;
    *block = b;
    *path = amgtar_index_path(member);
    return TRUE;
}

static gboolean
has_dotdot(const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, "/", -1);
    for (char **p = parts; *p; p++)
        if (strcmp(*p, "..") == 0)
            return TRUE;
    return FALSE;
}

char *
amgtar_restore_member(const char *path)
{
    if (path[0] == '\0')
        return NULL;
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    while (path[0] == '/')
        path++;
    if (path[0] == '\0' || strcmp(path, ".") == 0)
        return g_strdup(".");
    if (has_dotdot(path))
        return NULL;
    return g_strconcat("./", path, NULL);
}
