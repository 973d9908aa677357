/* amreport: print or mail the report of a run.
 *
 *   amreport [-o NAME=VALUE]... CONFIG [--log=FILE] [--text[=FILE]] [--json[=FILE]]
 *   amreport [-o NAME=VALUE]... CONFIG [-i] [-M ADDRESS] [-l LOGFILE] [-f OUTFILE]
 *
 * The first form (command-line mode) writes the text report to stdout
 * unless told otherwise; the second (script mode, as amdump runs it) mails
 * the report to mailto (or -M) through the configured mailer, or writes it
 * to -f OUTFILE.  As in AMANDA the two sets of options cannot be mixed.
 * Exit status: 0, or 1 when the report could not be made or sent. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "admin-util.h"
#include "amreport.h"
#include "amutil.h"
#include "debug.h"
#include "disklist.h"
#include "logfile.h"

typedef struct {
    const char *config;
    const char *log;
    const char *text, *json;   /* "-" = stdout */
    gboolean want_text, want_json;
    gboolean script, long_opts;
    gboolean no_mail;          /* -i */
    const char *mail_to;       /* -M */
    const char *outfile;       /* -f */
} amreport_args_t;

static void G_GNUC_NORETURN
usage(const char *why)
{
    if (why)
        fprintf(stderr, "amreport: %s\n", why);
    fprintf(stderr, "Usage: amreport [--version] [--help] [-o configoption] <conf>\n"
                    "  command-line mode options:\n"
                    "    --log=logfile --text[=file] --json[=file]\n"
                    "  script-mode options:\n"
                    "    [-i] [-M address] [-f output-file] [-l logfile]\n");
    exit(1);
}

static const char *
opt_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0)
        return NULL;
    if (arg[n] == '=')
        return arg + n + 1;
    return arg[n] == '\0' ? "-" : NULL;
}

static gboolean
take_short(amreport_args_t *a, int argc, char **argv, int *i)
{
    const char *s = argv[*i];
    if (strcmp(s, "-i") == 0) {
        a->no_mail = TRUE;
        return TRUE;
    }
    const char **dst = strcmp(s, "-M") == 0 ? &a->mail_to : strcmp(s, "-l") == 0 ? &a->log
                     : strcmp(s, "-f") == 0 ? &a->outfile : NULL;
    if (!dst)
        return FALSE;
    if (*i + 1 >= argc)
        usage("option needs a value");
    *dst = argv[++*i];
    return TRUE;
}

static void
parse_args(int argc, char **argv, amreport_args_t *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i], *v;
        if (strcmp(s, "--version") == 0) {
            printf("amreport-%s\n", PACKAGE_VERSION);
            exit(0);
        } else if (strcmp(s, "--help") == 0) {
            usage(NULL);
        } else if ((v = opt_value(s, "--log")) && strcmp(v, "-") != 0) {
            a->log = v, a->long_opts = TRUE;
        } else if ((v = opt_value(s, "--text"))) {
            a->text = v, a->want_text = a->long_opts = TRUE;
        } else if ((v = opt_value(s, "--json"))) {
            a->json = v, a->want_json = a->long_opts = TRUE;
        } else if (g_str_has_prefix(s, "--ps") || g_str_has_prefix(s, "--xml")) {
            usage("PostScript and XML output are not supported; use --text or --json");
        } else if (s[0] == '-' && s[1] != '-' && take_short(a, argc, argv, &i)) {
            a->script = TRUE;
        } else if (s[0] == '-') {
            usage(NULL);
        } else if (!a->config) {
            a->config = s;
        } else {
            usage(NULL);
        }
    }
    if (!a->config)
        usage(NULL);
    if (a->script && a->long_opts)
        usage("cannot mix long options (command-line mode), and short options (script mode) "
              "with each other");
    if (!a->long_opts && !a->outfile && !a->mail_to && !a->no_mail)
        a->script = TRUE; /* plain "amreport CONFIG": mail as amdump does */
}

/* logdir/log if it exists, else the newest log.<ts>.<n> in logdir. */
static char *
default_log(const conf_t *conf)
{
    g_autofree char *logdir = admin_conf_path(conf, CNF_LOGDIR);
    char *cur = g_build_filename(logdir, "log", NULL);
    if (g_file_test(cur, G_FILE_TEST_IS_REGULAR))
        return cur;
    g_free(cur);
    g_autoptr(GPtrArray) names = logfile_list(logdir, NULL);
    if (!names || names->len == 0)
        return NULL;
    return g_build_filename(logdir, (const char *)g_ptr_array_index(names, names->len - 1),
                            NULL);
}

/* host\ndisk -> 1 (not compressed) or 2 (compressed) */
static GHashTable *
dle_compression(conf_t *conf)
{
    GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(disklist_t) dl = disklist_load(conf, NULL);
    const GPtrArray *dles = disklist_entries(dl);
    for (guint i = 0; i < dles->len; i++) {
        const disklist_entry_t *d = g_ptr_array_index(dles, i);
        const conf_value_t *c = conf_section_get(d->dumptype, DUMPTYPE_COMPRESS);
        gboolean comp = c && c->i != COMP_NONE;
        g_hash_table_replace(map, g_strdup_printf("%s\n%s", d->host, d->disk),
                             GINT_TO_POINTER(comp ? 2 : 1));
    }
    return map;
}

static gint64
tape_length_kb(const conf_t *conf)
{
    const conf_section_t *sec = admin_tapetype_section(conf);
    const conf_value_t *len = sec ? conf_section_get(sec, TAPETYPE_LENGTH) : NULL;
    return len ? len->i : 0;
}

static gint64
tape_filemark_kb(const conf_t *conf)
{
    const conf_section_t *sec = admin_tapetype_section(conf);
    const conf_value_t *fm = sec ? conf_section_get(sec, TAPETYPE_FILEMARK) : NULL;
    return fm ? fm->i : 1;
}

static GPtrArray *
next_tape_lines(const conf_t *conf)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) reusable = NULL;
    g_autoptr(GPtrArray) fresh = NULL;
    if (!admin_next_volumes(conf, &reusable, &fresh, NULL))
        return lines;
    int runtapes = MAX(1, (int)conf_get_int(conf, CNF_RUNTAPES));
    g_autoptr(GString) what = g_string_new(NULL);
    int nnew = 0;
    for (int i = 0; i < runtapes; i++) {
        if ((guint)i < reusable->len)
            g_string_append_printf(what, "%s%s", what->len ? ", " : "",
                                   (const char *)g_ptr_array_index(reusable, i));
        else
            nnew++;
    }
    if (nnew)
        g_string_append_printf(what, "%s%d new tape%s", what->len ? ", " : "", nnew,
                               nnew == 1 ? "" : "s");
    if (runtapes == 1)
        g_ptr_array_add(lines, g_strdup_printf("The next tape Amanda expects to use is: %s.",
                                               what->str));
    else
        g_ptr_array_add(lines, g_strdup_printf("The next %d tapes Amanda expects to use are: "
                                               "%s.", runtapes, what->str));
    if (fresh->len)
        g_ptr_array_add(lines, g_strdup_printf("The next new tape already labelled is: %s.",
                                               (const char *)g_ptr_array_index(fresh, 0)));
    return lines;
}

static gboolean
write_to(const char *where, const char *text)
{
    if (strcmp(where, "-") == 0) {
        fputs(text, stdout);
        return fflush(stdout) == 0;
    }
    GError *err = NULL;
    if (!write_file_or_device(where, text, strlen(text), &err)) {
        fprintf(stderr, "amreport: cannot write the report: %s\n", err->message);
        g_error_free(err);
        return FALSE;
    }
    return TRUE;
}

/* Feed TEXT to "MAILER -s SUBJECT TO" (no shell involved). */
static gboolean
mail_report(const conf_t *conf, const char *to, const char *subject, const char *text)
{
    const char *mailer = conf_get_str(conf, CNF_MAILER);
    if (!mailer || !*mailer) {
        fprintf(stderr, "amreport: no mailer is configured; set 'mailer' in amanda.conf\n");
        return FALSE;
    }
    const char *argv[] = { mailer, "-s", subject, to, NULL };
    GError *err = NULL;
    GPid pid;
    int in_fd;
    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL,
                                  NULL, &pid, &in_fd, NULL, NULL, &err)) {
        fprintf(stderr, "amreport: cannot run mailer %s: %s\n", mailer, err->message);
        g_error_free(err);
        return FALSE;
    }
    gboolean ok = full_write(in_fd, text, strlen(text)) == (ssize_t)strlen(text);
    close(in_fd);
    int status = 0;
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "amreport: mailer %s failed (status %d)\n", mailer, status);
        return FALSE;
    }
    return TRUE;
}

static int
deliver(const conf_t *conf, const amreport_args_t *a, const report_t *r, const char *text,
        const char *json)
{
    gboolean ok = TRUE;
    if (!a->script) {
        if (a->want_text || !a->want_json)
            ok &= write_to(a->text ? a->text : "-", text);
        if (a->want_json)
            ok &= write_to(a->json, json);
        return ok ? 0 : 1;
    }
    if (a->outfile)
        return write_to(a->outfile, text) ? 0 : 1;
    const char *to = a->mail_to ? a->mail_to : conf_get_str(conf, CNF_MAILTO);
    if (a->no_mail || !to || !*to) {
        if (!a->no_mail)
            fprintf(stderr, "amreport: no mailto address configured; printing the report\n");
        return write_to("-", text) ? 0 : 1;
    }
    g_autofree char *date = report_nice_date(r->datestamp);
    g_autofree char *subject = g_strdup_printf("%s AMANDA MAIL REPORT FOR %s",
                                               conf_get_str(conf, CNF_ORG), date);
    return mail_report(conf, to, subject, text) ? 0 : 1;
}

int
main(int argc, char **argv)
{
    admin_start("amreport");
    g_auto(GStrv) overrides = admin_take_overrides(&argc, argv);
    amreport_args_t a;
    parse_args(argc, argv, &a);
    g_autoptr(conf_t) conf = admin_load_config(a.config, overrides);
    if (!conf)
        return 1;
    g_autofree char *log = a.log ? g_strdup(a.log) : default_log(conf);
    if (!log) {
        g_autofree char *logdir = admin_conf_path(conf, CNF_LOGDIR);
        fprintf(stderr, "amreport: no run log in %s; name one with --log=FILE\n", logdir);
        return 1;
    }
    GError *err = NULL;
    g_autoptr(GPtrArray) entries = logfile_read(log, &err);
    if (!entries) {
        fprintf(stderr, "amreport: %s\n", err->message);
        g_error_free(err);
        return 1;
    }
    g_autoptr(GHashTable) comp = dle_compression(conf);
    g_autoptr(report_t) r = report_build(entries, comp, tape_length_kb(conf));
    r->filemark_kb = tape_filemark_kb(conf);
    g_autoptr(GPtrArray) next = next_tape_lines(conf);
    report_header_t h = { conf_get_str(conf, CNF_ORG), conf_name(conf), next,
                          admin_storage_name(conf) };
    g_autofree char *text = report_format_text(r, &h);
    g_autofree char *json = report_format_json(r, &h);
    int rc = deliver(conf, &a, r, text, json);
    dbprintf("amreport: report of %s done (rc %d)\n", log, rc);
    debug_close();
    return rc;
}
