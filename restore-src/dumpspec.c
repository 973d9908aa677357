/* dumpspec: match expressions and dump specifications (see dumpspec.h). */
#include "dumpspec.h"

#include <stdlib.h>
#include <string.h>

/* Append the regex form of the glob character run starting at *P (one
 * token) to RE, advancing *P.  SEP is the word separator. */
static void
glob_token_to_regex(GString *re, const char **p, char sep)
{
    const char *s = *p;
    if (s[0] == '*' && s[1] == '*') {
        g_string_append(re, ".*");
        *p = s + 2;
        return;
    }
    if (s[0] == '*') {
        g_string_append_printf(re, "[^%s]*", sep == '.' ? "." : "/");
        *p = s + 1;
        return;
    }
    if (s[0] == '?') {
        g_string_append_printf(re, "[^%s]", sep == '.' ? "." : "/");
        *p = s + 1;
        return;
    }
    if (s[0] == '[') {
        const char *end = strchr(s + 1, ']');
        if (end && end > s + 1) {
            g_string_append_c(re, '[');
            const char *c = s + 1;
            if (*c == '!') {
                g_string_append_c(re, '^');
                c++;
            }
            for (; c < end; c++) {
                if (*c == '\\' || *c == '^' || *c == '[')
                    g_string_append_c(re, '\\');
                g_string_append_c(re, *c);
            }
            g_string_append_c(re, ']');
            *p = end + 1;
            return;
        }
    }
    if (s[0] == '\\' && s[1] != '\0')
        s++;
    char lit[2] = { s[0], '\0' };
    g_autofree char *esc = g_regex_escape_string(lit, 1);
    g_string_append(re, esc);
    *p = s + 1;
}

/* The subject is matched as SEP + SUBJECT + SEP, so a word boundary is
 * always a separator; the pattern gets a separator at each end unless it
 * has one already or is anchored there. */
static gboolean
match_words(const char *pattern, const char *subject, char sep, gboolean caseless)
{
    if (pattern[0] == '=')
        return caseless ? g_ascii_strcasecmp(pattern + 1, subject) == 0
                        : strcmp(pattern + 1, subject) == 0;
    if (pattern[0] == sep && pattern[1] == '\0')
        return subject[0] == sep && subject[1] == '\0';

    gsize len = strlen(pattern);
    gboolean anchor_left = pattern[0] == '^';
    gboolean anchor_right = len > 0 && pattern[len - 1] == '$' &&
                            !(len > 1 && pattern[len - 2] == '\\');
    g_autofree char *body = g_strndup(pattern + anchor_left,
                                      len - anchor_left - anchor_right);
    gsize blen = strlen(body);
    char sepstr[2] = { sep, '\0' };
    g_autofree char *sep_re = g_regex_escape_string(sepstr, 1);

    GString *re = g_string_new(NULL);
    if (anchor_left)
        g_string_append_printf(re, "^%s", sep_re);
    else if (blen == 0 || body[0] != sep)
        g_string_append(re, sep_re);
    for (const char *p = body; *p;)
        glob_token_to_regex(re, &p, sep);
    if (anchor_right)
        g_string_append_printf(re, "%s$", sep_re);
    else if (blen == 0 || body[blen - 1] != sep)
        g_string_append(re, sep_re);

    g_autofree char *wrapped = g_strdup_printf("%c%s%c", sep, subject, sep);
    GRegexCompileFlags flags = G_REGEX_DOTALL | (caseless ? G_REGEX_CASELESS : 0);
    GRegex *rx = g_regex_new(re->str, flags, 0, NULL);
    g_string_free(re, TRUE);
    if (!rx)
        return FALSE;
    gboolean hit = g_regex_match(rx, wrapped, 0, NULL);
    g_regex_unref(rx);
    return hit;
}

gboolean
dumpspec_match_host(const char *pattern, const char *host)
{
    return match_words(pattern, host, '.', TRUE);
}

/* A UNC disk ("\\win\share") is matched with '/' for every '\'. */
static char *
unc_to_slashes(const char *s)
{
    char *out = g_strdup(s);
    if (strncmp(s, "\\\\", 2) == 0 || strncmp(s, "=\\\\", 3) == 0)
        g_strdelimit(out, "\\", '/');
    return out;
}

gboolean
dumpspec_match_disk(const char *pattern, const char *disk)
{
    g_autofree char *d = unc_to_slashes(disk);
    g_autofree char *p = unc_to_slashes(pattern);
    return match_words(p, d, '/', FALSE);
}

static gboolean
all_digits(const char *s, gsize len)
{
    for (gsize i = 0; i < len; i++)
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
    return TRUE;
}

gboolean
dumpspec_match_datestamp(const char *pattern, const char *datestamp)
{
    if (pattern[0] == '=')
        return strcmp(pattern + 1, datestamp) == 0;
    if (pattern[0] == '^')
        pattern++;
    gsize len = strlen(pattern);
    if (len > 0 && pattern[len - 1] == '$')
        return strncmp(pattern, datestamp, len - 1) == 0 && strlen(datestamp) == len - 1;
    const char *dash = strchr(pattern, '-');
    if (!dash)
        return strncmp(pattern, datestamp, len) == 0;

    /* "20001212-14": the high end replaces the low end's last digits. */
    gsize lowlen = (gsize)(dash - pattern), highlen = strlen(dash + 1);
    if (lowlen == 0 || highlen == 0 || highlen > lowlen || !all_digits(pattern, lowlen) ||
        !all_digits(dash + 1, highlen))
        return FALSE;
    g_autofree char *low = g_strndup(pattern, lowlen);
    g_autofree char *high = g_strdup(low);
    memcpy(high + lowlen - highlen, dash + 1, highlen);
    if (strlen(datestamp) < lowlen)
        return FALSE;
    return strncmp(datestamp, low, lowlen) >= 0 && strncmp(datestamp, high, lowlen) <= 0;
}

gboolean
dumpspec_match_level(const char *pattern, int level)
{
    char text[16];
    g_snprintf(text, sizeof text, "%d", level);
    if (pattern[0] == '=')
        return strcmp(pattern + 1, text) == 0;
    if (pattern[0] == '^')
        pattern++;
    gsize len = strlen(pattern);
    if (len > 0 && pattern[len - 1] == '$')
        return strncmp(pattern, text, len - 1) == 0 && strlen(text) == len - 1;
    const char *dash = strchr(pattern, '-');
    if (dash) {
        char *end;
        long lo = strtol(pattern, &end, 10);
        if (end != dash)
            return FALSE;
        long hi = strtol(dash + 1, &end, 10);
        if (*end != '\0' || dash[1] == '\0')
            return FALSE;
        return level >= lo && level <= hi;
    }
    return strncmp(pattern, text, len) == 0;
}

void
dumpspec_free(dumpspec_t *ds)
{
    if (!ds)
        return;
    g_free(ds->host);
    g_free(ds->disk);
    g_free(ds->datestamp);
    g_free(ds->level);
    g_free(ds);
}

static char *
spec_word(char *word, gboolean exact)
{
    if (!word)
        return NULL;
    return exact ? g_strconcat("=", word, NULL) : g_strdup(word);
}

GPtrArray *
dumpspec_from_args(int argc, char **argv, int width, gboolean exact)
{
    GPtrArray *specs = g_ptr_array_new_with_free_func((GDestroyNotify)dumpspec_free);
    for (int i = 0; i < argc; i += width) {
        dumpspec_t *ds = g_new0(dumpspec_t, 1);
        ds->host = spec_word(argv[i], exact);
        ds->disk = spec_word(i + 1 < argc ? argv[i + 1] : NULL, exact);
        ds->datestamp = spec_word(i + 2 < argc ? argv[i + 2] : NULL, exact);
        if (width > 3)
            ds->level = spec_word(i + 3 < argc ? argv[i + 3] : NULL, exact);
        g_ptr_array_add(specs, ds);
    }
    return specs;
}

gboolean
dumpspec_list_match(const GPtrArray *specs, const char *host, const char *disk,
                    const char *datestamp, int level)
{
    if (!specs || specs->len == 0)
        return TRUE;
    for (guint i = 0; i < specs->len; i++) {
        const dumpspec_t *ds = specs->pdata[i];
        if (ds->host && !dumpspec_match_host(ds->host, host ? host : ""))
            continue;
        if (ds->disk && !dumpspec_match_disk(ds->disk, disk ? disk : ""))
            continue;
        if (ds->datestamp && !dumpspec_match_datestamp(ds->datestamp, datestamp ? datestamp : ""))
            continue;
        if (ds->level && level >= 0 && !dumpspec_match_level(ds->level, level))
            continue;
        return TRUE;
    }
    return FALSE;
}
