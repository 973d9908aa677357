/* amcheck: check that the next amdump of a configuration can run.
 *
 *   amcheck [-o NAME=VALUE]... CONFIG [-s|-l|-t|-c] [-w] [-m|-a] [-M ADDR]
 *           [HOST [DISK...]...]
 *
 * -s server checks (holding disks, catalogue directories, the next
 *    volume), -l the same without the volume, -t the volume only,
 *    -c the clients (selfcheck); no option: everything.  -w writes the
 *    label of the volume the next run would use, to prove it writable.
 * -m mails the output (through the configured mailer) when there are
 *    problems and prints nothing; -a mails it always.
 * Exit status 0 when no problem was found, 1 otherwise. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include "admin-util.h"
#include "dumpuser.h"
#include "amcheck.h"
#include "server-dle.h"
#include "amutil.h"
#include "debug.h"

typedef struct {
    const char *config;
    gboolean server, tape, client, local_only;
    gboolean write_test, mail, mail_always;
    const char *mail_to;
    char **words;
    int nwords;
} amcheck_args_t;

static void
usage(void)
{
    fprintf(stderr, "Usage: amcheck [-am] [-w] [-sclt] [-M <address>] [-o configoption]* "
                    "<conf> [host [disk]* ]*\n");
    exit(1);
}

static void
parse_args(int argc, char **argv, amcheck_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->words = g_new0(char *, argc + 1);
    gboolean any = FALSE;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (strcmp(s, "--version") == 0) {
            printf("amcheck-%s\n", PACKAGE_VERSION);
            exit(0);
        }
        if (strcmp(s, "-M") == 0) {
            if (++i >= argc)
                usage();
            a->mail_to = argv[i];
            a->mail = TRUE;
            continue;
        }
        if (s[0] == '-' && s[1]) {
            for (const char *c = s + 1; *c; c++) {
                switch (*c) {
                case 's': a->server = a->tape = any = TRUE; break;
                case 'l': a->server = a->local_only = any = TRUE; break;
                case 't': a->tape = any = TRUE; break;
                case 'c': a->client = any = TRUE; break;
                case 'w': a->write_test = a->tape = TRUE; break;
                case 'm': a->mail = TRUE; break;
                case 'a': a->mail = a->mail_always = TRUE; break;
                default: usage();
                }
            }
        } else if (!a->config) {
            a->config = s;
        } else {
            a->words[a->nwords++] = argv[i];
        }
    }
    if (!a->config)
        usage();
    if (!any)
        a->server = a->tape = a->client = TRUE;
    if (a->local_only && !a->write_test)
        a->tape = FALSE;
}

/* ---- server checks ---- */

static void
check_holding(const conf_t *conf, amcheck_part_t *p)
{
    g_autoptr(GPtrArray) hds = conf_holdingdisks(conf);
    for (guint i = 0; hds && i < hds->len; i++) {
        const conf_section_t *hd = g_ptr_array_index(hds, i);
        const conf_value_t *dir = conf_section_get(hd, HOLDING_DIRECTORY);
        const conf_value_t *use = conf_section_get(hd, HOLDING_USE);
        const char *path = dir && dir->s ? dir->s : "";
        struct statvfs fs;
        if (statvfs(path, &fs) != 0) {
            g_string_append_printf(p->out, "ERROR: holding disk '%s': %s; create it (mkdir -p "
                                   "%s) for the dump user\n", path, g_strerror(errno), path);
            p->problems++;
            continue;
        }
        if (access(path, W_OK | X_OK) != 0) {
            g_string_append_printf(p->out, "ERROR: holding disk '%s' is not writable; fix its "
                                   "owner or mode\n", path);
            p->problems++;
            continue;
        }
        gint64 avail = (gint64)((guint64)fs.f_bavail * fs.f_frsize / 1024);
        gint64 want = use ? use->i : 0;
        if (want > 0 && avail < want)
            g_string_append_printf(p->out, "WARNING: holding disk '%s': only %" G_GINT64_FORMAT
                                   " KB available (%" G_GINT64_FORMAT " KB requested)\n",
                                   path, avail, want);
        else if (want > 0)
            g_string_append_printf(p->out, "NOTE: Holding disk '%s': %" G_GINT64_FORMAT " KB "
                                   "disk space available, using %" G_GINT64_FORMAT " KB as "
                                   "requested\n", path, avail, want);
        else
            g_string_append_printf(p->out, "NOTE: Holding disk '%s': %" G_GINT64_FORMAT " KB "
                                   "disk space available, using %" G_GINT64_FORMAT " KB\n",
                                   path, avail, avail + want);
    }
}

/* A catalogue directory: missing is fine (created on the next run) when
 * its parent is writable; present must be writable. */
static void
check_dir(amcheck_part_t *p, const char *what, const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        if (access(path, W_OK | X_OK) != 0) {
            g_string_append_printf(p->out, "ERROR: %s '%s' is not writable by the dump "
                                   "user; fix its owner or mode\n", what, path);
            p->problems++;
        }
        return;
    }
    g_autofree char *parent = g_path_get_dirname(path);
    while (!g_file_test(parent, G_FILE_TEST_IS_DIR) && strcmp(parent, "/") != 0) {
        char *up = g_path_get_dirname(parent);
        g_free(parent);
        parent = up;
    }
    if (access(parent, W_OK | X_OK) != 0) {
        g_string_append_printf(p->out, "ERROR: %s '%s' does not exist and cannot be created "
                               "('%s' is not writable)\n", what, path, parent);
        p->problems++;
        return;
    }
    g_string_append_printf(p->out, "NOTE: %s '%s' does not exist\n"
                           "      it will be created on the next run\n", what, path);
}

static void
check_catalogue(const conf_t *conf, amcheck_part_t *p)
{
    g_autofree char *info = admin_conf_path(conf, CNF_INFOFILE);
    g_autofree char *index = admin_conf_path(conf, CNF_INDEXDIR);
    g_autofree char *logdir = admin_conf_path(conf, CNF_LOGDIR);
    g_autofree char *tapelist = admin_conf_path(conf, CNF_TAPELIST);
    check_dir(p, "conf info dir", info);
    check_dir(p, "index dir", index);
    if (!g_file_test(logdir, G_FILE_TEST_IS_DIR) || access(logdir, W_OK | X_OK) != 0) {
        g_string_append_printf(p->out, "ERROR: logdir '%s' is missing or not writable; "
                               "create it for the dump user\n", logdir);
        p->problems++;
    }
    g_autofree char *tldir = g_path_get_dirname(tapelist);
    if (access(tldir, W_OK | X_OK) != 0 ||
        (g_file_test(tapelist, G_FILE_TEST_EXISTS) && access(tapelist, R_OK | W_OK) != 0)) {
        g_string_append_printf(p->out, "ERROR: tapelist '%s' cannot be written; fix the "
                               "owner or mode of it or of '%s'\n", tapelist, tldir);
        p->problems++;
    }
}

/* -w: write the chosen volume's label again (it is about to be
 * overwritten anyway) to prove the device writable.  A volume autolabel
 * would label first is left alone: a label written here would not be in
 * the tapelist and the taper would then refuse the volume. */
static void
write_test(const conf_t *conf, Changer *chg, const admin_scan_t *scan, amcheck_part_t *p)
{
    if (scan->new_label) {
        g_string_append(p->out, "NOTE: skipping tape-writable test of a volume autolabel "
                                "has yet to label\n");
        return;
    }
    GError *err = NULL;
    g_autofree char *slot = g_strdup_printf("%d", scan->slot);
    ChangerReservation *res = changer_load(chg, slot, &err);
    g_autoptr(Device) dev = res ? device_open(res->device_name, &err) : NULL;
    g_string_append_printf(p->out, "Writing label '%s' to check writability\n", scan->label);
    if (!dev || !admin_setup_device(conf, dev, &err) ||
        !device_start(dev, DEVICE_MODE_WRITE, scan->label, "X", &err) ||
        !device_finish(dev, &err)) {
        g_string_append_printf(p->out, "ERROR: volume '%s' is not writable: %s\n", scan->label,
                               err ? err->message : "unknown error");
        p->problems++;
        g_clear_error(&err);
    } else {
        g_string_append_printf(p->out, "Volume '%s' is writeable.\n", scan->label);
    }
    if (res)
        changer_release(res);
}

static void
print_expectation(const conf_t *conf, amcheck_part_t *p)
{
    g_autoptr(GPtrArray) reusable = NULL;
    g_autoptr(GPtrArray) fresh = NULL;
    if (admin_next_volumes(conf, &reusable, &fresh, NULL) && reusable->len > 0)
        g_string_append_printf(p->out, "    (expecting volume '%s' or a new volume)\n",
                               (const char *)g_ptr_array_index(reusable, 0));
    else
        g_string_append(p->out, "    (expecting a new volume)\n");
}

static void
check_tape(const conf_t *conf, gboolean write, amcheck_part_t *p)
{
    GError *err = NULL;
    g_autoptr(Changer) chg = admin_open_changer(conf, NULL, &err);
    admin_scan_t scan = { 0 };
    if (!chg || !admin_taperscan(conf, chg, &scan, &err)) {
        g_string_append_printf(p->out, "ERROR: %s\n", err->message);
        g_error_free(err);
        p->problems++;
        admin_scan_clear(&scan);
        return;
    }
    for (guint i = 0; i < scan.lines->len; i++)
        g_string_append_printf(p->out, "%s\n", (const char *)g_ptr_array_index(scan.lines, i));
    if (!scan.found) {
        g_string_append(p->out, "Taper scan algorithm did not find an acceptable volume.\n");
        print_expectation(conf, p);
        g_string_append(p->out, "ERROR: No acceptable volumes found\n");
        p->problems++;
    } else if (write) {
        write_test(conf, chg, &scan, p);
    } else {
        g_string_append(p->out, "NOTE: skipping tape-writable test\n");
    }
    admin_scan_clear(&scan);
}

static void
check_server(const conf_t *conf, const amcheck_args_t *a, amcheck_part_t *p)
{
    gint64 start = g_get_monotonic_time();
    g_string_append(p->out, "Amanda Tape Server Host Check\n"
                            "-----------------------------\n");
    if (a->server)
        check_holding(conf, p);
    if (a->tape)
        check_tape(conf, a->write_test, p);
    else if (a->server)
        g_string_append(p->out, "NOTE: skipping tape checks\n");
    if (a->server)
        check_catalogue(conf, p);
    g_string_append_printf(p->out, "Server check took %.3f seconds\n",
                           (double)(g_get_monotonic_time() - start) / 1e6);
}

/* ---- output ---- */

static int
mail_output(const conf_t *conf, const char *to, const char *text, gboolean problems)
{
    const char *mailer = conf_get_str(conf, CNF_MAILER);
    g_autofree char *subject = g_strdup_printf("%s AMANDA %s", conf_get_str(conf, CNF_ORG),
                                               problems ? "PROBLEM: FIX BEFORE RUN, IF POSSIBLE"
                                                        : "CHECK REPORT");
    if (!mailer || !*mailer || !to || !*to) {
        fprintf(stderr, "amcheck: cannot mail the report: set 'mailer' and 'mailto' in "
                        "amanda.conf (or use -M ADDRESS)\n");
        fputs(text, stdout);
        return 1;
    }
    const char *argv[] = { mailer, "-s", subject, to, NULL };
    GError *err = NULL;
    GPid pid;
    int in_fd, status = 0;
    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                  NULL, &pid, &in_fd, NULL, NULL, &err)) {
        fprintf(stderr, "amcheck: cannot run mailer %s: %s\n", mailer, err->message);
        g_error_free(err);
        return 1;
    }
    full_write(in_fd, text, strlen(text));
    close(in_fd);
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
    admin_start("amcheck");
    g_auto(GStrv) overrides = admin_take_overrides(&argc, argv);
    amcheck_args_t a;
    parse_args(argc, argv, &a);
    g_autoptr(conf_t) conf = admin_load_config(a.config, overrides);
    if (!conf)
        return 1;
    server_dle_set_conf(conf);
    g_autofree char *not_dumpuser = dumpuser_mismatch(conf);
    if (not_dumpuser) {
        printf("ERROR: %s\n", not_dumpuser);
        return 1;
    }
    amcheck_part_t srv = { g_string_new(NULL), 0 }, cli = { g_string_new(NULL), 0 };
    if (a.server || a.tape)
        check_server(conf, &a, &srv);
    if (!a.mail) { /* show the server part before the clients take their time */
        fputs(srv.out->str, stdout);
        fflush(stdout);
        g_string_truncate(srv.out, 0);
    }
    if (a.client)
        amcheck_clients(conf, a.words, a.nwords, &cli);
    g_autoptr(GString) rest = g_string_new(srv.out->str);
    g_string_append(rest, cli.out->str);
    g_string_append_printf(rest, "(brought to you by Amanda %s)\n", PACKAGE_VERSION);
    int problems = srv.problems + cli.problems;
    int rc = problems ? 1 : 0;
    if (!a.mail)
        fputs(rest->str, stdout);
    else if (problems || a.mail_always)
        rc |= mail_output(conf, a.mail_to ? a.mail_to : conf_get_str(conf, CNF_MAILTO),
                          rest->str, problems > 0);
    dbprintf("amcheck: %d server and %d client problem(s)\n", srv.problems, cli.problems);
    g_string_free(srv.out, TRUE);
    g_string_free(cli.out, TRUE);
    g_free(a.words);
    debug_close();
    return rc;
}
