/* dar: DAR range lines (see dar.h). */
#include "config.h"
#include "dar.h"

#include <string.h>

/* Digits only, no sign or blank, at most 19 of them (fits gint64). */
static gboolean
parse_offset(const char *s, const char **end, guint64 *out)
{
    const char *p = s;
    while (g_ascii_isdigit(*p))
        p++;
    if (p == s || p - s > 19)
        return FALSE;
    *out = g_ascii_strtoull(s, NULL, 10);
    *end = p;
    return TRUE;
}

gboolean
dar_parse_line(const char *line, guint64 *start, guint64 *end)
{
    if (strncmp(line, "DAR ", 4) != 0)
        return FALSE;
    const char *p = NULL;
    if (!parse_offset(line + 4, &p, start) || *p != ':')
        return FALSE;
    if (strcmp(p + 1, "-1") == 0) {
        *end = DAR_END_OF_IMAGE;
        return TRUE;
    }
    const char *q = NULL;
    return parse_offset(p + 1, &q, end) && *q == '\0' && *end >= *start;
}

void
dar_append_line(GString *out, guint64 start, guint64 end)
{
    if (end == DAR_END_OF_IMAGE)
        g_string_append_printf(out, "DAR %" G_GUINT64_FORMAT ":-1\n", start);
    else
        g_string_append_printf(out, "DAR %" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT "\n", start,
                               end);
}

gint64
dar_range_bytes(guint64 start, guint64 end, guint64 image_size)
{
    if (image_size) {
        if (start >= image_size)
            return 0;
        if (end == DAR_END_OF_IMAGE || end >= image_size)
            end = image_size - 1;
    } else if (end == DAR_END_OF_IMAGE) {
        return -1;
    }
    return (gint64)(end - start + 1);
}
