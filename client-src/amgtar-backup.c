/* amgtar-backup: estimate and backup (see amgtar-backup.h).
 *
 * tar writes the archive straight to amgtar's fd 1; amgtar only reads
 * tar's stderr, which carries the --verbose --block-number listing (turned
 * into index and state lines) and tar's diagnostics (classified into
 * message lines on fd 3). */
#include "config.h"
#include "amgtar-backup.h"
#include "amgtar-index.h"
#include "amgtar-messages.h"
#include "amgtar-run.h"
#include "amgtar-tar.h"
#include "amutil.h"
#include "debug.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    FILE *mesg, *index, *state;
    const AmgtarClassifier *cls;
    guint64 total_bytes;
    gboolean have_total;
    char *last_message;     /* for error reports */
} TarOutput;

static void
output_message(TarOutput *o, const char *line)
{
    guint64 bytes;
    if (amgtar_parse_total_bytes(line, &bytes)) {
        o->total_bytes = bytes;
        o->have_total = TRUE;
    }
    dbprintf("tar: %s", line);
    AmgtarMsgClass cls = o->cls ? amgtar_classify(o->cls, line) : AMGTAR_MSG_IGNORE;
    if (cls != AMGTAR_MSG_IGNORE && !g_str_has_prefix(line, "Total bytes written")) {
        g_free(o->last_message);
        o->last_message = g_strdup(line);
    }
    if (!o->mesg || cls == AMGTAR_MSG_IGNORE)
        return;
    fprintf(o->mesg, "%c %s\n", cls == AMGTAR_MSG_NORMAL ? '|' : '?', line);
}

static void
output_line(TarOutput *o, const char *line)
{
    guint64 block;
    char *path;
    if (!amgtar_index_parse_block_line(line, &block, &path)) {
        output_message(o, line);
        return;
    }
    if (o->index)
        fprintf(o->index, "%s\n", path);
    if (o->state)
        fprintf(o->state, "%" G_GUINT64_FORMAT " %s\n", block, path);
    g_free(path);
}

/* Read tar's stderr to the end, line by line. */
static void
read_tar_output(int fd, TarOutput *o)
{
    FILE *in = fdopen(fd, "r");
    if (!in) {
        close(fd);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        output_line(o, line);
    }
    free(line);
    fclose(in);
}

/* tar's argv for OP, through the helper when it must be used. */
static GPtrArray *
tar_argv(const AmgtarArgs *a, const char *op, int level, const char *snapshot,
         const AmgtarLists *lists, GError **error)
{
    g_autofree char *helper = amgtar_helper_path();
    if (!helper)
        return strcmp(op, "backup") == 0 ? amgtar_argv_backup(a, snapshot, lists)
                                         : amgtar_argv_estimate(a, snapshot, lists);
    g_autofree char *why = amgtar_helper_incompatible(a);
    if (why) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                    "%s cannot be used through the privileged helper %s", why, helper);
        return NULL;
    }
    return amgtar_helper_argv(helper, op, a, level);
}

/* Run tar for OP at LEVEL, snapshot already prepared; tar's stdout goes
 * to OUT_FD.  Returns tar's exit status, or -1 if it could not start. */
static int
run_tar(const AmgtarArgs *a, const char *op, int level, const char *snapshot,
        int out_fd, TarOutput *o, GError **error)
{
    g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
    AmgtarLists lists;
    if (!amgtar_lists_build(a, amgtar_args_dir(a), &lists, notes, error))
        return -1;
    for (guint i = 0; i < notes->len; i++)
        output_message(o, g_ptr_array_index(notes, i));
    int status = -1;
    g_autoptr(GPtrArray) argv = tar_argv(a, op, level, snapshot, &lists, error);
    if (argv) {
        g_autofree char *cmd = amgtar_argv_to_string(argv);
        dbprintf("running %s", cmd);
        int err_fd;
        pid_t pid = amgtar_spawn((char **)argv->pdata, -1, out_fd, &err_fd, error);
        if (pid > 0) {
            read_tar_output(err_fd, o);
            g_autofree char *what = NULL;
            amgtar_wait(pid, &status, &what);
            dbprintf("tar %s", what);
        }
    }
    amgtar_lists_clear(&lists);
    return status;
}

static gboolean
estimate_with_tar(const AmgtarArgs *a, int level, guint64 *bytes, GError **error)
{
    TarOutput o = { 0 };
    g_autofree char *snap = amgtar_snapshot_prepare(a, level, ".est", NULL, error);
    if (!snap)
        return FALSE;
    int status = run_tar(a, "estimate", level, snap, -1, &o, error);
    unlink(snap);
    gboolean ok = status >= 0 && status < 256 && a->exit_good[status] && o.have_total;
    if (ok)
        *bytes = o.total_bytes;
    else if (status >= 0)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "tar exited with status %d%s%s",
                    status, o.last_message ? ": " : "", o.last_message ? o.last_message : "");
    g_free(o.last_message);
    return ok;
}

static gboolean
estimate_with_calcsize(const AmgtarArgs *a, int level, guint64 *bytes, GError **error)
{
    struct timespec base;
    gboolean have_base = FALSE;
    for (int lower = level - 1; lower >= 0 && !have_base; lower--) {
        g_autofree char *p = amgtar_snapshot_path(amgtar_listdir(a), a->host, a->disk, lower);
        have_base = amgtar_snapshot_time(p, &base);
    }
    return amgtar_calcsize(amgtar_args_dir(a), have_base ? &base : NULL,
                           a->one_file_system, bytes, error);
}

static gboolean
check_dle(const AmgtarArgs *a, GError **error)
{
    if (!a->host || !amgtar_args_dir(a) || !a->disk) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "--host and --disk are required");
        return FALSE;
    }
    return TRUE;
}

int
amgtar_cmd_estimate(const AmgtarArgs *a)
{
    int rc = 0;
    g_autoptr(GError) err = NULL;
    if (!check_dle(a, &err) || a->levels->len == 0) {
        printf("ERROR amgtar: %s\n", err ? err->message : "no --level given");
        return 1;
    }
    for (guint i = 0; i < a->levels->len; i++) {
        int level = g_array_index(a->levels, int, i);
        guint64 bytes = 0;
        g_clear_error(&err);
        gboolean ok = a->calcsize ? estimate_with_calcsize(a, level, &bytes, &err)
                                  : estimate_with_tar(a, level, &bytes, &err);
        if (ok) {
            /* The application API reports KiB (AMANDA's amgtar prints
             * "0 300 1" for a 307200-byte archive). */
            printf("%d %" G_GUINT64_FORMAT " 1\n", level, (bytes + 1023) / 1024);
        } else {
            printf("ERROR amgtar: estimate of %s level %d: %s\n", a->disk, level,
                   err ? err->message : "failed");
            rc = 1;
        }
        fflush(stdout);
    }
    return rc;
}

static gboolean
fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

/* Open the MESG, INDEX and STATE streams the caller asked for. */
static gboolean
open_streams(const AmgtarArgs *a, TarOutput *o, GError **error)
{
    o->mesg = fd_is_open(3) ? fdopen(3, "w") : stderr;
    if (a->index_line) {
        if (!fd_is_open(4) || !(o->index = fdopen(4, "w"))) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_BADF,
                        "--index line given but file descriptor 4 is not open");
            return FALSE;
        }
        setvbuf(o->index, NULL, _IOFBF, 65536);
    }
    if (a->state_stream >= 0) {
        if (!fd_is_open(a->state_stream)
            || !(o->state = fdopen(a->state_stream, "w"))) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_BADF,
                        "--state-stream %d is not an open file descriptor", a->state_stream);
            return FALSE;
        }
        setvbuf(o->state, NULL, _IOFBF, 65536);
    }
    return TRUE;
}

static gboolean
close_streams(TarOutput *o)
{
    gboolean ok = TRUE;
    if (o->index)
        ok = fclose(o->index) == 0 && ok;
    if (o->state)
        ok = fclose(o->state) == 0 && ok;
    o->index = o->state = NULL;
    return ok;
}

/* A bigger pipe buffer on the data stream lets tar and the reader run
 * with fewer wake-ups; harmless (and ignored) when fd 1 is not a pipe. */
static void
enlarge_data_pipe(void)
{
    if (!pipe_grow(1))
        dbprintf("could not enlarge the data pipe: %s", g_strerror(errno));
}

/* The backup proper, once streams are open; returns the exit status. */
static int
backup_level(const AmgtarArgs *a, int level, TarOutput *o)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *note = NULL;
    g_autofree char *snap = amgtar_snapshot_prepare(a, level, ".new", &note, &err);
    if (note)
        fprintf(o->mesg, "? amgtar: %s\n", note);
    enlarge_data_pipe();
    int status = snap ? run_tar(a, "backup", level, snap, 1, o, &err) : -1;
    gboolean streams_ok = close_streams(o);
    if (status < 0 || status > 255 || !a->exit_good[status] || !o->have_total) {
        if (status < 0)
            fprintf(o->mesg, "sendbackup: error [%s]\n", err ? err->message : "tar did not run");
        else
            fprintf(o->mesg, "sendbackup: error [tar exited with status %d%s%s]\n", status,
                    o->last_message ? ": " : "", o->last_message ? o->last_message : "");
        if (snap)
            unlink(snap);
        return 1;
    }
    if (!streams_ok)
        fprintf(o->mesg, "? amgtar: writing the index or state stream failed: %s\n",
                g_strerror(errno));
    if (a->record && !amgtar_snapshot_commit(a, level, &err))
        fprintf(o->mesg, "? amgtar: %s\n", err->message);
    else if (!a->record)
        unlink(snap);
    fprintf(o->mesg, "sendbackup: size %" G_GUINT64_FORMAT "\n", (o->total_bytes + 1023) / 1024);
    fprintf(o->mesg, "sendbackup: end\n");
    return 0;
}

int
amgtar_cmd_backup(const AmgtarArgs *a)
{
    g_autoptr(GError) err = NULL;
    TarOutput o = { 0 };
    int rc = 1;
    g_autoptr(AmgtarClassifier) cls = amgtar_classifier_new(a->normal, a->ignore, a->strange, &err);
    o.cls = cls;
    if (!open_streams(a, &o, err ? NULL : &err) || err || !check_dle(a, &err)
        || a->levels->len != 1) {
        fprintf(o.mesg ? o.mesg : stderr, "sendbackup: error [%s]\n",
                err ? err->message : "backup needs exactly one --level");
    } else {
        rc = backup_level(a, g_array_index(a->levels, int, 0), &o);
    }
    close_streams(&o);
    g_free(o.last_message);
    if (o.mesg && o.mesg != stderr)
        fclose(o.mesg);
    return rc;
}
