/* runtar-policy: argument whitelist and tar argv of amgtar-runtar. */
#include "config.h"
#include "runtar-policy.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

bool
runtar_parse_op(const char *word, enum runtar_op *op, bool *check_device)
{
    static const struct {
        const char *word;
        enum runtar_op op;
        bool check_device;
    } ops[] = {
        { "estimate", RUNTAR_ESTIMATE, true },
        { "backup", RUNTAR_BACKUP, true },
        { "estimate-no-check-device", RUNTAR_ESTIMATE, false },
        { "backup-no-check-device", RUNTAR_BACKUP, false },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(word, ops[i].word) == 0) {
            *op = ops[i].op;
            *check_device = ops[i].check_device;
            return true;
        }
    return false;
}

bool
runtar_valid_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > RUNTAR_MAX_NAME || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

bool
runtar_parse_level(const char *word, int *level)
{
    size_t len = strlen(word);
    if (len == 0 || len > 3 || (len > 1 && word[0] == '0'))
        return false;
    int v = 0;
    for (const char *p = word; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (*p - '0');
    }
    if (v > RUNTAR_MAX_LEVEL)
        return false;
    *level = v;
    return true;
}

bool
runtar_valid_disk(const char *disk)
{
    size_t len = strlen(disk);
    if (disk[0] != '/' || len >= PATH_MAX)
        return false;
    if (len > 1 && disk[len - 1] == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)disk; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    if (strstr(disk, "//") || strstr(disk, "/./") || strstr(disk, "/../"))
        return false;
    if ((len >= 2 && strcmp(disk + len - 2, "/.") == 0)
        || (len >= 3 && strcmp(disk + len - 3, "/..") == 0))
        return false;
    return true;
}

static void
sanitise_into(char *out, const char *in)
{
    for (; *in; in++, out++)
        *out = (*in == '/' || *in == ':' || *in == '\\') ? '_' : *in;
    *out = '\0';
}

bool
runtar_snapshot_path(char *out, size_t outlen, const char *listdir, const char *host,
                     const char *disk, int level, const char *suffix)
{
    char h[RUNTAR_MAX_NAME + 1], d[PATH_MAX];
    if (strlen(host) > RUNTAR_MAX_NAME || strlen(disk) >= sizeof d)
        return false;
    sanitise_into(h, host);
    sanitise_into(d, disk);
    int n = snprintf(out, outlen, "%s/%s_%s_%d%s", listdir, h, d, level, suffix);
    return n > 0 && (size_t)n < outlen;
}

void
runtar_build_argv(const char **argv, enum runtar_op op, bool check_device,
                  const char *tar, const char *snapshot)
{
    int n = 0;
    argv[n++] = tar;
    argv[n++] = "--create";
    argv[n++] = "--file";
    argv[n++] = op == RUNTAR_BACKUP ? "-" : "/dev/null";
    argv[n++] = "--one-file-system";
    if (!check_device)
        argv[n++] = "--no-check-device";
    argv[n++] = "--listed-incremental";
    argv[n++] = snapshot;
    argv[n++] = "--sparse";
    argv[n++] = "--ignore-failed-read";
    argv[n++] = "--totals";
    if (op == RUNTAR_BACKUP) {
        argv[n++] = "--verbose";
        argv[n++] = "--block-number";
    }
    argv[n++] = "--";
    argv[n++] = ".";
    argv[n] = NULL;
}

static bool
disk_under(const char *disk, const char *prefix, size_t plen)
{
    while (plen > 1 && prefix[plen - 1] == '/')
        plen--;
    if (plen == 1 && prefix[0] == '/')
        return true;
    return strncmp(disk, prefix, plen) == 0 && (disk[plen] == '\0' || disk[plen] == '/');
}

bool
runtar_disk_allowed(const char *conf, const char *disk)
{
    const char *line = conf;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
            len--;
        while (len && (*line == ' ' || *line == '\t')) {
            line++;
            len--;
        }
        if (len && line[0] == '/' && disk_under(disk, line, len))
            return true;
        if (!end)
            break;
        line = end + 1;
    }
    return false;
}
