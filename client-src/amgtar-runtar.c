/* amgtar-runtar: the privileged helper that lets amgtar, running as the
 * unprivileged backup user, dump files that user cannot read.
 *
 * Why it exists, and why it is shaped like this
 * ----------------------------------------------
 * Backing up a whole machine needs read access to every file, yet amgtar
 * and amandad should not run as root.  AMANDA solved this with setuid-root
 * helpers (runtar, rundump) that took a command line from the caller and
 * handed most of it to tar.  Two published holes came from exactly that:
 * CVE-2022-37704 (rundump passed caller options to dump) and
 * CVE-2023-30577 (runtar filtered tar options with a deny-list, and a
 * caller could still slip in options such as --rsh-command,
 * --to-command, --checkpoint-action or --use-compress-program, i.e. run
 * any program as root).  A deny-list of tar options cannot be made safe.
 *
 * This helper therefore takes no options at all.  Its whole interface is
 *
 *     amgtar-runtar estimate|backup CONFIG HOST DISK LEVEL
 *
 * and every word is checked against a whitelist (runtar-policy.c): the
 * operation is one of two words, CONFIG and HOST match [A-Za-z0-9._-]
 * (at most 64 bytes, not starting with '.' or '-'), LEVEL is 0..399, and
 * DISK is an absolute, normalised path.  Then:
 *
 *  - DISK is opened as a directory and made the working directory; the
 *    helper refuses it unless getcwd() gives DISK back byte for byte, so a
 *    symlink anywhere in the path (or swapped in during the check) is
 *    refused.  If the root-owned file CONFIG_DIR/amgtar-runtar.conf exists
 *    (not writable by group or others), DISK must also be at or below one
 *    of the absolute directories listed in it.
 *  - tar's argv is built from fixed strings: the GNU tar found by
 *    configure (compiled in, never from PATH or the environment), the fixed
 *    option set amgtar uses, "." as the only member, and a snapshot file
 *    LISTDIR/HOST_DISK_LEVEL.new (backup) or .est (estimate) where LISTDIR
 *    is compiled in.  Nothing else the caller says reaches tar.
 *  - Only the configured dump user (CLIENT_LOGIN) or root may call it.
 *  - Before exec the helper becomes the calling user again and keeps a
 *    single capability, CAP_DAC_READ_SEARCH (read any file, search any
 *    directory), passed to tar as an ambient capability, with
 *    no_new_privs set and supplementary groups dropped.  tar therefore
 *    writes the snapshot, the archive and anything else only with the
 *    caller's own rights: a symlink planted at the snapshot path cannot
 *    make root overwrite a file.
 *  - The environment is replaced (PATH=/usr/bin:/bin, LC_ALL=C), every
 *    descriptor above 2 is closed, umask is 077, and no shell is ever run.
 *
 * The backup user is trusted to read everything below an allowed DISK;
 * that is what a backup is.  It gains no way to write or run anything as
 * root.  amgtar uses the helper only when the helper is installed
 * setuid root and amgtar itself is not root; the administrator makes it
 * setuid at install time (chown root:backup, chmod 4750).  Run without
 * the setuid bit it simply runs tar as the caller. */
#include "config.h"
#include "runtar-policy.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define HELPER "amgtar-runtar"
#define POLICY_FILE CONFIG_DIR "/amgtar-runtar.conf"

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(HELPER ": ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

/* fds 0-2 open (on /dev/null if need be), everything above closed. */
static void
sanitise_fds(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) == -1 && open("/dev/null", O_RDWR) != fd)
            _exit(2);
    long max = sysconf(_SC_OPEN_MAX);
    if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0)
        for (long fd = 3; fd < (max > 0 ? max : 1024); fd++)
            close((int)fd);
}

static void
check_caller(void)
{
    uid_t ruid = getuid();
    if (ruid == 0 || geteuid() == ruid)
        return;     /* root, or no privilege to misuse */
    struct passwd *pw = getpwnam(CLIENT_LOGIN);
    if (!pw || pw->pw_uid != ruid)
        die("only root and the dump user \"%s\" may run this helper", CLIENT_LOGIN);
}

static void
check_policy_file(const char *disk)
{
    struct stat st;
    if (lstat(POLICY_FILE, &st) != 0) {
        if (errno == ENOENT)
            return;
        die("cannot check %s: %s", POLICY_FILE, strerror(errno));
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) || st.st_size > 65536)
        die("%s must be a regular file owned by root, not writable by group or others",
            POLICY_FILE);
    static char conf[65537];
    int fd = open(POLICY_FILE, O_RDONLY | O_NOFOLLOW);
    ssize_t n = fd >= 0 ? read(fd, conf, sizeof conf - 1) : -1;
    if (n < 0)
        die("cannot read %s: %s", POLICY_FILE, strerror(errno));
    close(fd);
    conf[n] = '\0';
    if (!runtar_disk_allowed(conf, disk))
        die("%s is not listed in %s", disk, POLICY_FILE);
}

/* Make DISK the working directory; refuse any symlink on the way. */
static void
enter_disk(const char *disk)
{
    int fd = open(disk, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        die("cannot open directory %s: %s", disk, strerror(errno));
    if (fchdir(fd) != 0)
        die("cannot enter %s: %s", disk, strerror(errno));
    close(fd);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, disk) != 0)
        die("%s is not a canonical path (a symlink in it?): refused", disk);
}

static void
check_snapshot(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        die("snapshot %s: %s (amgtar creates it before calling)", path, strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_uid != getuid() || st.st_nlink != 1)
        die("snapshot %s must be a regular file owned by the caller, with one link", path);
}

/* Become the caller again, keeping only CAP_DAC_READ_SEARCH for tar. */
static void
drop_privileges(void)
{
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (geteuid() != 0 || uid == 0)
        return;
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    unsigned idx = CAP_DAC_READ_SEARCH / 32, bit = 1U << (CAP_DAC_READ_SEARCH % 32);
    data[idx].effective = data[idx].permitted = data[idx].inheritable = bit;
    if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0 || setgroups(0, NULL) != 0
        || setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0
        || syscall(SYS_capset, &hdr, data) != 0
        || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_DAC_READ_SEARCH, 0L, 0L) != 0
        || prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
        die("cannot drop privileges: %s", strerror(errno));
    if (setuid(0) == 0 || geteuid() == 0)
        die("privileges were not dropped");
}

int
main(int argc, char **argv)
{
    enum runtar_op op;
    bool check_device;
    int level;
    sanitise_fds();
    umask(077);
    if (argc != 6)
        die("usage: " HELPER " estimate|backup[-no-check-device] CONFIG HOST DISK LEVEL");
    if (!runtar_parse_op(argv[1], &op, &check_device))
        die("unknown operation \"%s\" (estimate or backup, optionally with "
            "-no-check-device)", argv[1]);
    if (!runtar_valid_name(argv[2]))
        die("invalid config name");
    if (!runtar_valid_name(argv[3]))
        die("invalid host name");
    if (!runtar_valid_disk(argv[4]))
        die("disk must be an absolute, normalised path");
    if (!runtar_parse_level(argv[5], &level))
        die("level must be a number from 0 to %d", RUNTAR_MAX_LEVEL);
    check_caller();
    check_policy_file(argv[4]);
    enter_disk(argv[4]);

    static char snapshot[PATH_MAX];
    if (!runtar_snapshot_path(snapshot, sizeof snapshot, GNUTAR_LISTDIR_DEFAULT, argv[3],
                              argv[4], level, op == RUNTAR_BACKUP ? ".new" : ".est"))
        die("snapshot path too long");
    check_snapshot(snapshot);
    drop_privileges();

    const char *tar_argv[RUNTAR_MAX_ARGV];
    runtar_build_argv(tar_argv, op, check_device, GNUTAR_PATH, snapshot);
    static char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };
    execve(GNUTAR_PATH, (char *const *)tar_argv, envp);
    die("cannot run %s: %s", GNUTAR_PATH, strerror(errno));
}
