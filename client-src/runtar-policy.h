/* runtar-policy: the rules of the privileged helper amgtar-runtar, kept
 * apart from its main() so they are unit-tested.  Plain C without GLib:
 * the helper runs setuid root and links as little as possible.
 *
 * Everything the caller controls is one of: an operation word, a config
 * name, a host name, a disk path and a level.  Each is checked against a
 * whitelist here; tar's argv is then built from fixed strings plus the
 * checked disk and a snapshot path derived from compiled-in locations. */
#ifndef RUNTAR_POLICY_H
#define RUNTAR_POLICY_H

#include <stdbool.h>
#include <stddef.h>

enum runtar_op { RUNTAR_ESTIMATE, RUNTAR_BACKUP };

#define RUNTAR_MAX_LEVEL 399
#define RUNTAR_MAX_NAME 64
#define RUNTAR_MAX_ARGV 24

/* "estimate" or "backup", tar checking device numbers (AMGTAR's default,
 * CHECK-DEVICE yes), or the same with "-no-check-device" appended
 * (CHECK-DEVICE no: tar gets --no-check-device).  *CHECK_DEVICE says
 * which. */
bool runtar_parse_op(const char *word, enum runtar_op *op, bool *check_device);
/* [A-Za-z0-9._-]{1,64}, not starting with '.' or '-'. */
bool runtar_valid_name(const char *name);
/* Decimal 0..RUNTAR_MAX_LEVEL, no sign, no leading zeros. */
bool runtar_parse_level(const char *word, int *level);
/* Absolute, at most PATH_MAX-1 bytes, printable ASCII or UTF-8 bytes,
 * no control characters, no "//", no "." or ".." component, no trailing
 * '/' (except "/" itself).  Lexical only: the caller also checks that
 * the path resolves to itself (no symlink anywhere) and is a directory. */
bool runtar_valid_disk(const char *disk);

/* LISTDIR/HOST_DISK_LEVEL.SUFFIX with '/', ':' and '\\' of HOST and DISK
 * turned into '_' (the same naming amgtar uses).  false if it does not
 * fit in OUT. */
bool runtar_snapshot_path(char *out, size_t outlen, const char *listdir,
                          const char *host, const char *disk, int level,
                          const char *suffix);

/* Fill ARGV (at least RUNTAR_MAX_ARGV slots) with tar's whole command
 * line; the strings point at TAR, SNAPSHOT or static text.  tar archives
 * "." : the helper has already made the checked disk its working
 * directory, so no path from the caller reaches tar at all. */
void runtar_build_argv(const char **argv, enum runtar_op op, bool check_device,
                       const char *tar, const char *snapshot);

/* Is DISK equal to or below one of the absolute directories listed in
 * CONF (one per line; blank lines and '#' comments skipped)? */
bool runtar_disk_allowed(const char *conf, const char *disk);

#endif
