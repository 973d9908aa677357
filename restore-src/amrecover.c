/* amrecover: the interactive restore shell.  It talks to the index server
 * (amindexd, through the server's amandad) to browse a DLE as of a date,
 * keeps a list of files to extract, and extracts them through the tape
 * server (amidxtaped, recover-extract.c) into the local directory.
 * With a terminal it uses readline (history, command completion); with
 * commands on standard input it runs them as a script. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <getopt.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "amfeatures.h"
#include "amutil.h"
#include "conf.h"
#include "debug.h"
#include "recover-conn.h"
#include "recover-extract.h"

typedef struct {
    RecoverConn *idx;
    RecoverStream *mesg;
    char *config, *host, *disk, *cwd;
    char *index_server, *tape_server, *auth, *port, *device;
    char *features_hex;
    GHashTable *dumps;        /* "ts level" -> RecoverDump* : the extract list */
    gboolean interactive;
} Shell;

/* One parsed listing line "DATE LEVEL "TAPES" FILE PATH". */
typedef struct {
    char *date, *tapes, *path;
    int level;
    gint64 file;
} Entry;

static void
entry_free(gpointer p)
{
    Entry *e = p;
    g_free(e->date);
    g_free(e->tapes);
    g_free(e->path);
    g_free(e);
}

/* ---- index server ---- */

/* Send CMD; collect the "201- " lines into *LIST (optional); return the
 * final reply line (owned), NULL when the connection is gone. */
static char *
index_cmd(Shell *sh, const char *cmd, GPtrArray **list)
{
    if (list)
        *list = g_ptr_array_new_with_free_func(g_free);
    if (!recover_stream_send_line(sh->mesg, cmd))
        return NULL;
    for (;;) {
        char *line = recover_stream_read_line(sh->mesg);
        if (!line)
            return NULL;
        if (strlen(line) >= 4 && line[3] == '-') {
            if (list && g_str_has_prefix(line, "201- "))
                g_ptr_array_add(*list, g_strdup(line + 5));
            g_free(line);
            continue;
        }
        return line;
    }
}

static gboolean
reply_ok(const char *line)
{
    return line && g_str_has_prefix(line, "200");
}

/* Run CMD and print every reply line, as amrecover shows them. */
static gboolean
index_cmd_print(Shell *sh, const char *cmd, gboolean print_list)
{
    if (!recover_stream_send_line(sh->mesg, cmd))
        return FALSE;
    for (;;) {
        g_autofree char *line = recover_stream_read_line(sh->mesg);
        if (!line) {
            printf("The index server closed the connection.\n");
            return FALSE;
        }
        gboolean more = strlen(line) >= 4 && line[3] == '-';
        if (!more || print_list)
            printf("%s\n", line);
        if (!more)
            return g_str_has_prefix(line, "200");
    }
}

static Entry *
parse_entry(const char *text)
{
    const char *cur = text;
    g_autofree char *date = next_quoted_token(&cur);
    g_autofree char *level = next_quoted_token(&cur);
    g_autofree char *tapes = next_quoted_token(&cur);
    g_autofree char *file = next_quoted_token(&cur);
    while (*cur == ' ')
        cur++;
    if (!date || !level || !tapes || !file || !*cur)
        return NULL;
    Entry *e = g_new0(Entry, 1);
    e->date = g_steal_pointer(&date);
    e->level = atoi(level);
    e->tapes = g_steal_pointer(&tapes);
    e->file = g_ascii_strtoll(file, NULL, 10);
    e->path = unquote_string(cur);
    return e;
}

/* The entries of DIR (OLSD, or ORLD with RECURSIVE); NULL after a message. */
static GPtrArray *
list_dir(Shell *sh, const char *dir, gboolean recursive)
{
    g_autofree char *q = quote_string(dir);
    g_autofree char *cmd = g_strdup_printf("%s %s", recursive ? "ORLD" : "OLSD", q);
    GPtrArray *lines = NULL;
    g_autofree char *last = index_cmd(sh, cmd, &lines);
    if (!reply_ok(last)) {
        printf("%s\n", last ? last : "The index server closed the connection.");
        g_ptr_array_unref(lines);
        return NULL;
    }
    GPtrArray *entries = g_ptr_array_new_with_free_func(entry_free);
    for (guint i = 0; i < lines->len; i++) {
        Entry *e = parse_entry(lines->pdata[i]);
        if (e)
            g_ptr_array_add(entries, e);
    }
    g_ptr_array_unref(lines);
    return entries;
}

/* ---- paths ---- */

/* ARG relative to the current directory, normalised ("/a/b"). */
static char *
resolve(Shell *sh, const char *arg)
{
    g_autofree char *joined = arg[0] == '/' ? g_strdup(arg)
                                            : g_strconcat(sh->cwd, "/", arg, NULL);
    g_auto(GStrv) parts = g_strsplit(joined, "/", -1);
    GPtrArray *out = g_ptr_array_new();
    for (char **p = parts; *p; p++) {
        if (!**p || strcmp(*p, ".") == 0)
            continue;
        if (strcmp(*p, "..") == 0) {
            if (out->len)
                g_ptr_array_remove_index(out, out->len - 1);
            continue;
        }
        g_ptr_array_add(out, *p);
    }
    g_ptr_array_add(out, NULL);
    g_autofree char *rel = g_strjoinv("/", (char **)out->pdata);
    g_ptr_array_unref(out);
    return g_strconcat("/", rel, NULL);
}

/* ---- commands ---- */

static void
cmd_sethost(Shell *sh, const char *arg)
{
    g_autofree char *cmd = g_strdup_printf("HOST %s", arg);
    if (index_cmd_print(sh, cmd, FALSE)) {
        g_free(sh->host);
        sh->host = g_strdup(arg);
        g_clear_pointer(&sh->disk, g_free);
    }
}

static void
cmd_setdisk(Shell *sh, const char *arg)
{
    g_autofree char *disk = unquote_string(arg);
    g_autofree char *q = quote_string(disk);
    g_autofree char *cmd = g_strdup_printf("DISK %s", q);
    if (index_cmd_print(sh, cmd, FALSE)) {
        g_free(sh->disk);
        sh->disk = g_steal_pointer(&disk);
        g_free(sh->cwd);
        sh->cwd = g_strdup("/");
        g_hash_table_remove_all(sh->dumps);
    }
}

static void
cmd_setdate(Shell *sh, const char *arg)
{
    g_autofree char *cmd = g_strdup_printf("DATE %s", arg);
    index_cmd_print(sh, cmd, FALSE);
}

static gboolean
need_disk(Shell *sh)
{
    if (sh->disk)
        return TRUE;
    printf("Must select a disk before this command (setdisk).\n");
    return FALSE;
}

static void
print_pwd(Shell *sh)
{
    if (strcmp(sh->cwd, "/") == 0)
        printf("%s\n", sh->disk);
    else
        printf("%s%s\n", strcmp(sh->disk, "/") == 0 ? "" : sh->disk, sh->cwd);
}

static void
cmd_cd(Shell *sh, const char *arg)
{
    if (!need_disk(sh))
        return;
    g_autofree char *target = resolve(sh, arg);
    g_autofree char *q = quote_string(target);
    g_autofree char *cmd = g_strdup_printf("OISD %s", q);
    g_autofree char *last = index_cmd(sh, cmd, NULL);
    if (!reply_ok(last)) {
        printf("Invalid directory - %s\n", arg);
        return;
    }
    g_free(sh->cwd);
    sh->cwd = g_steal_pointer(&target);
    print_pwd(sh);
}

/* The name of E inside the current directory ("." for the directory). */
static const char *
name_in_cwd(Shell *sh, const Entry *e)
{
    gsize clen = strcmp(sh->cwd, "/") == 0 ? 1 : strlen(sh->cwd) + 1;
    if (strlen(e->path) <= clen)
        return ".";
    return e->path + clen;
}

static void
cmd_ls(Shell *sh)
{
    if (!need_disk(sh))
        return;
    g_autoptr(GPtrArray) entries = list_dir(sh, sh->cwd, FALSE);
    if (!entries)
        return;
    for (guint i = entries->len; i-- > 0;) {
        const Entry *e = entries->pdata[i];
        g_autofree char *q = quote_string(name_in_cwd(sh, e));
        printf("%s %s\n", e->date, q);
    }
}

static char *
nice_to_ts(const char *nice)
{
    GString *s = g_string_new(NULL);
    for (const char *p = nice; *p; p++)
        if (g_ascii_isdigit(*p))
            g_string_append_c(s, *p);
    return g_string_free(s, FALSE);
}

static RecoverDump *
dump_for(Shell *sh, const Entry *e)
{
    g_autofree char *ts = nice_to_ts(e->date);
    g_autofree char *key = g_strdup_printf("%s %d", ts, e->level);
    RecoverDump *d = g_hash_table_lookup(sh->dumps, key);
    if (!d) {
        d = recover_dump_new(ts, e->level, e->tapes, e->file);
        g_hash_table_insert(sh->dumps, g_strdup(key), d);
    }
    return d;
}

static void
add_member(RecoverDump *d, const char *path)
{
    for (guint i = 0; i < d->members->len; i++)
        if (strcmp(d->members->pdata[i], path) == 0)
            return;
    g_ptr_array_add(d->members, g_strdup(path));
}

/* A directory: every dump that holds something below it restores it. */
static void
add_dir(Shell *sh, const Entry *dir)
{
    g_autofree char *plain = g_strndup(dir->path, strlen(dir->path) > 1 && g_str_has_suffix(dir->path, "/")
                                                        ? strlen(dir->path) - 1
                                                        : strlen(dir->path));
    g_autoptr(GPtrArray) below = list_dir(sh, plain, TRUE);
    if (!below)
        return;
    for (guint i = 0; i < below->len; i++)
        add_member(dump_for(sh, below->pdata[i]), dir->path);
    printf("Added dir %s at date %s\n", dir->path, dir->date);
}

static void
cmd_add(Shell *sh, char **args)
{
    if (!need_disk(sh))
        return;
    g_autoptr(GPtrArray) cwd_entries = list_dir(sh, sh->cwd, FALSE);
    if (!cwd_entries)
        return;
    for (char **a = args; *a; a++) {
        g_autofree char *want = resolve(sh, *a);
        g_autofree char *want_dir = strcmp(want, "/") == 0 ? g_strdup("/")
                                                           : g_strconcat(want, "/", NULL);
        /* "add sub/file": look in the directory the name is in */
        g_autofree char *parent = g_path_get_dirname(want);
        g_autoptr(GPtrArray) other = strcmp(parent, sh->cwd) != 0 && strcmp(want, "/") != 0
                                         ? list_dir(sh, parent, FALSE) : NULL;
        GPtrArray *entries = other ? other : cwd_entries;
        const Entry *hit = NULL;
        for (guint i = 0; i < entries->len && !hit; i++) {
            const Entry *e = entries->pdata[i];
            if (strcmp(e->path, want) == 0 || strcmp(e->path, want_dir) == 0)
                hit = e;
        }
        if (!hit) {
            printf("File %s doesn't exist in directory\n", *a);
            continue;
        }
        if (g_str_has_suffix(hit->path, "/")) {
            add_dir(sh, hit);
        } else {
            add_member(dump_for(sh, hit), hit->path);
            printf("Added file %s\n", hit->path);
        }
    }
}

static void
cmd_delete(Shell *sh, char **args)
{
    for (char **a = args; *a; a++) {
        g_autofree char *want = resolve(sh, *a);
        g_autofree char *want_dir = g_strconcat(want, "/", NULL);
        gboolean found = FALSE;
        GHashTableIter it;
        gpointer v;
        g_hash_table_iter_init(&it, sh->dumps);
        while (g_hash_table_iter_next(&it, NULL, &v)) {
            RecoverDump *d = v;
            for (guint i = 0; i < d->members->len;) {
                const char *m = d->members->pdata[i];
                if (strcmp(m, want) == 0 || strcmp(m, want_dir) == 0) {
                    g_ptr_array_remove_index(d->members, i);
                    found = TRUE;
                } else {
                    i++;
                }
            }
        }
        printf(found ? "Deleted %s\n" : "File %s is not in the extract list\n", want);
    }
}

static void
cmd_list(Shell *sh)
{
    GHashTableIter it;
    gpointer v;
    guint n = 0;
    g_hash_table_iter_init(&it, sh->dumps);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        RecoverDump *d = v;
        if (d->members->len == 0)
            continue;
        printf("TAPE %s LEVEL %d DATE %s\n", d->tapes, d->level, d->timestamp);
        for (guint i = 0; i < d->members->len; i++, n++)
            printf("\t%s\n", (char *)d->members->pdata[i]);
    }
    if (n == 0)
        printf("Extract list empty\n");
}

static char *read_command(Shell *sh, const char *prompt);

static void
cmd_extract(Shell *sh)
{
    if (!need_disk(sh))
        return;
    g_autoptr(GPtrArray) dumps = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, sh->dumps);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (((RecoverDump *)v)->members->len)
            g_ptr_array_add(dumps, v);
    if (dumps->len == 0) {
        printf("Extract list empty - No files to extract!\n");
        return;
    }
    g_autofree char *device = NULL;
    if (sh->device) {
        device = g_strdup(sh->device);
    } else {
        g_autofree char *last = index_cmd(sh, "TAPE", NULL);
        device = g_strdup(reply_ok(last) && strlen(last) > 4 ? last + 4 : "");
    }
    g_autofree char *cwd = g_get_current_dir();
    printf("\nExtracting files using tape drive %s on host %s.\n", *device ? device : "(default)",
           sh->tape_server);
    printf("Restoring files into directory %s\n", cwd);
    g_autofree char *answer = read_command(sh, "Continue [?/Y/n]? ");
    if (answer && (answer[0] == 'n' || answer[0] == 'N')) {
        printf("Extract cancelled.\n");
        return;
    }
    g_autofree char *ours = g_strdup(sh->features_hex);
    RecoverTarget t = { sh->tape_server, sh->auth, sh->port, sh->config, sh->host, sh->disk,
                        device, cwd, ours };
    fflush(stdout);
    if (recover_extract(&t, dumps))
        g_hash_table_remove_all(sh->dumps);
    else
        printf("Some files were not restored (see the messages above); the extract list is "
               "kept.\n");
}

static void
cmd_help(void)
{
    printf("Commands:\n"
           "  sethost HOST, setdisk DISK, setdate YYYY-MM-DD[-hh-mm-ss]\n"
           "  listhost, listdisk, history\n"
           "  cd DIR, pwd, ls, lcd DIR, lpwd\n"
           "  add PATH..., delete PATH..., list, clear, extract\n"
           "  settape HOST[:DEVICE], setdevice DEVICE, help, quit\n");
}

static void
cmd_lcd(const char *dir)
{
    if (chdir(dir) < 0)
        printf("lcd %s: %s\n", dir, g_strerror(errno));
    else
        printf("Local directory is now %s\n", dir);
}

static void
cmd_settape(Shell *sh, const char *arg)
{
    const char *colon = strchr(arg, ':');
    if (colon && colon != arg) {
        g_free(sh->tape_server);
        sh->tape_server = g_strndup(arg, (gsize)(colon - arg));
    }
    const char *dev = colon ? colon + 1 : arg;
    if (*dev) {
        g_free(sh->device);
        sh->device = g_strdup(dev);
    }
    printf("Using tape %s from server %s.\n", sh->device ? sh->device : "(default)",
           sh->tape_server);
}

/* Run one command line; FALSE to quit. */
static gboolean
run_command(Shell *sh, const char *line)
{
    g_auto(GStrv) w = split_quoted_strings(line);
    if (!w[0])
        return TRUE;
    const char *c = w[0], *arg = w[1] ? w[1] : "";
    if (!strcmp(c, "quit") || !strcmp(c, "exit")) return FALSE;
    else if (!strcmp(c, "sethost")) cmd_sethost(sh, arg);
    else if (!strcmp(c, "setdisk")) cmd_setdisk(sh, arg);
    else if (!strcmp(c, "setdate")) cmd_setdate(sh, arg);
    else if (!strcmp(c, "listhost")) index_cmd_print(sh, "LISTHOST", TRUE);
    else if (!strcmp(c, "listdisk")) index_cmd_print(sh, "LISTDISK", TRUE);
    else if (!strcmp(c, "history")) { if (need_disk(sh)) index_cmd_print(sh, "DHST", TRUE); }
    else if (!strcmp(c, "cd") || !strcmp(c, "cdx")) cmd_cd(sh, arg);
    else if (!strcmp(c, "pwd")) { if (need_disk(sh)) print_pwd(sh); }
    else if (!strcmp(c, "ls")) cmd_ls(sh);
    else if (!strcmp(c, "add") || !strcmp(c, "addx")) cmd_add(sh, w + 1);
    else if (!strcmp(c, "delete") || !strcmp(c, "deletex")) cmd_delete(sh, w + 1);
    else if (!strcmp(c, "list")) cmd_list(sh);
    else if (!strcmp(c, "clear")) { g_hash_table_remove_all(sh->dumps); printf("Extract list cleared\n"); }
    else if (!strcmp(c, "extract")) cmd_extract(sh);
    else if (!strcmp(c, "lcd")) cmd_lcd(arg);
    else if (!strcmp(c, "lpwd")) { g_autofree char *d = g_get_current_dir(); printf("%s\n", d); }
    else if (!strcmp(c, "settape") || !strcmp(c, "setdevice")) cmd_settape(sh, arg);
    else if (!strcmp(c, "mode") || !strcmp(c, "setmode")) printf("Only the default (unix) restore mode exists.\n");
    else if (!strcmp(c, "help") || !strcmp(c, "?")) cmd_help();
    else printf("Invalid command: %s\n", c);
    fflush(stdout);
    return TRUE;
}

/* ---- input ---- */

static const char *const command_names[] = {
    "add", "addx", "cd", "cdx", "clear", "delete", "deletex", "extract", "help", "history",
    "lcd", "list", "listdisk", "listhost", "lpwd", "ls", "mode", "pwd", "quit", "setdate",
    "setdevice", "setdisk", "sethost", "setmode", "settape", NULL,
};

static char *
complete_command(const char *text, int state)
{
    static int idx;
    static size_t len;
    if (state == 0) {
        idx = 0;
        len = strlen(text);
    }
    while (command_names[idx]) {
        const char *name = command_names[idx++];
        if (strncmp(name, text, len) == 0)
            return strdup(name);
    }
    return NULL;
}

static char **
completion(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = start != 0 ? 0 : 1;
    return start == 0 ? rl_completion_matches(text, complete_command) : NULL;
}

/* A line from the terminal (readline) or from the script on stdin. */
static char *
read_command(Shell *sh, const char *prompt)
{
    if (sh->interactive) {
        char *line = readline(prompt);
        if (!line)
            return NULL;
        if (*line)
            add_history(line);
        char *copy = g_strdup(line);
        free(line);
        return copy;
    }
    char buf[8192];
    fputs(prompt, stdout);
    fflush(stdout);
    if (!fgets(buf, sizeof buf, stdin))
        return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    printf("%s\n", buf);    /* a script's transcript shows what was run */
    return g_strdup(buf);
}

/* ---- start ---- */

static const char *
client_value(conf_t *cc, const char *name)
{
    const conf_value_t *v = cc ? conf_get_by_name(cc, name, NULL) : NULL;
    return v && v->s && *v->s ? v->s : NULL;
}

static void
usage(void)
{
    fprintf(stderr, "Usage: amrecover [CONFIG] [-s INDEX-SERVER] [-t TAPE-SERVER] [-d DEVICE] "
            "[-o NAME=VALUE ...]\n");
    exit(2);
}

static void
parse_args(Shell *sh, int argc, char **argv, conf_t **client_conf)
{
    GPtrArray *overrides = g_ptr_array_new();
    const char *config = NULL, *index_server = NULL, *tape_server = NULL;
    int c;
    while ((c = getopt(argc, argv, "C:s:t:d:o:h")) != -1) {
        switch (c) {
        case 'C': config = optarg; break;
        case 's': index_server = optarg; break;
        case 't': tape_server = optarg; break;
        case 'd': sh->device = g_strdup(optarg); break;
        case 'o': g_ptr_array_add(overrides, optarg); break;
        default: usage();
        }
    }
    if (optind < argc)
        config = argv[optind++];
    if (optind < argc)
        usage();
    g_ptr_array_add(overrides, NULL);
    *client_conf = conf_load(NULL, NULL, CONF_FLAG_CLIENT, (char **)overrides->pdata);
    g_ptr_array_unref(overrides);
    const char *conf_config = client_value(*client_conf, "conf");
    sh->config = g_strdup(config ? config : conf_config ? conf_config : "DailySet1");
    const char *is = index_server ? index_server : client_value(*client_conf, "index_server");
    sh->index_server = g_strdup(is ? is : "localhost");
    const char *ts = tape_server ? tape_server : client_value(*client_conf, "tape_server");
    sh->tape_server = g_strdup(ts ? ts : sh->index_server);
    const char *auth = client_value(*client_conf, "auth");
    sh->auth = g_strdup(auth ? auth : "bsdtcp");
    const conf_value_t *port = conf_get_by_name(*client_conf, "client_port", NULL);
    g_autofree char *ptext = port ? conf_value_to_string(port) : NULL;
    if (ptext) {
        g_strstrip(g_strdelimit(ptext, "\"", ' '));
        if (*ptext && strcmp(ptext, "amanda") != 0)
            sh->port = g_strdup(ptext);
    }
}

static gboolean
connect_index(Shell *sh)
{
    printf("AMRECOVER Version 3.5.1 (amanda-ng). Contacting server on %s ...\n",
           sh->index_server);
    GError *err = NULL;
    sh->idx = recover_conn_open(sh->index_server, sh->auth, sh->port, "amindexd",
                                sh->features_hex, &err);
    if (!sh->idx) {
        printf("amrecover: cannot reach the index server: %s\n", err->message);
        g_error_free(err);
        return FALSE;
    }
    sh->mesg = recover_conn_stream(sh->idx, "MESG");
    g_autofree char *greeting = sh->mesg ? recover_stream_read_line(sh->mesg) : NULL;
    if (!greeting || !g_str_has_prefix(greeting, "220")) {
        printf("amrecover: the index server did not greet us (%s)\n", greeting ? greeting : "EOF");
        return FALSE;
    }
    printf("%s\n", greeting);
    g_autofree char *feat = g_strdup_printf("FEATURES %s", sh->features_hex);
    g_autofree char *fr = index_cmd(sh, feat, NULL);
    char today[15];
    amanda_timestamp(time(NULL), today);
    g_autofree char *date = g_strdup_printf("DATE %.4s-%.2s-%.2s", today, today + 4, today + 6);
    printf("Setting restore date to today (%.4s-%.2s-%.2s)\n", today, today + 4, today + 6);
    index_cmd_print(sh, date, FALSE);
    g_autofree char *scnf = g_strdup_printf("SCNF %s", sh->config);
    if (!index_cmd_print(sh, scnf, FALSE))
        return FALSE;
    /* our own host name is the usual choice */
    g_autofree char *host = g_strdup_printf("HOST %s", g_get_host_name());
    g_autofree char *hr = index_cmd(sh, host, NULL);
    if (reply_ok(hr)) {
        printf("%s\n", hr);
        sh->host = g_strdup(g_get_host_name());
    } else {
        printf("Use the sethost command to choose a host to recover\n");
    }
    return TRUE;
}

static void
shell_free(Shell *sh)
{
    if (sh->mesg) {
        g_autofree char *bye = index_cmd(sh, "QUIT", NULL);
        if (bye)
            printf("%s\n", bye);
    }
    recover_conn_free(sh->idx);
    g_hash_table_unref(sh->dumps);
    g_free(sh->config);
    g_free(sh->host);
    g_free(sh->disk);
    g_free(sh->cwd);
    g_free(sh->index_server);
    g_free(sh->tape_server);
    g_free(sh->auth);
    g_free(sh->port);
    g_free(sh->device);
    g_free(sh->features_hex);
}

int
main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    g_set_prgname("amrecover");
    debug_open("client");
    Shell sh = { 0 };
    conf_t *client_conf = NULL;
    parse_args(&sh, argc, argv, &client_conf);
    sh.dumps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)recover_dump_free);
    sh.cwd = g_strdup("/");
    sh.interactive = isatty(STDIN_FILENO);
    am_features_t *ours = am_features_ours();
    sh.features_hex = am_features_to_hex(ours);
    am_features_free(ours);
    if (sh.interactive) {
        rl_attempted_completion_function = completion;
        using_history();
    }
    int rc = 0;
    if (!connect_index(&sh)) {
        rc = 1;
    } else {
        for (;;) {
            g_autofree char *line = read_command(&sh, "amrecover> ");
            if (!line || !run_command(&sh, line))
                break;
        }
    }
    shell_free(&sh);
    conf_free(client_conf);
    debug_close();
    return rc;
}
