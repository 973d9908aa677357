/* amgtar-tar: argv building (see amgtar-tar.h). */
#include "config.h"
#include "amgtar-tar.h"
#include "amutil.h"

#include <stdarg.h>

char *
amgtar_snapshot_base(const char *host, const char *disk)
{
    g_autofree char *h = sanitise_filename(host);
    g_autofree char *d = sanitise_filename(disk);
    return g_strconcat(h, "_", d, NULL);
}

char *
amgtar_snapshot_path(const char *listdir, const char *host, const char *disk, int level)
{
    g_autofree char *base = amgtar_snapshot_base(host, disk);
    g_autofree char *name = g_strdup_printf("%s_%d", base, level);
    return g_build_filename(listdir, name, NULL);
}

static void
add(GPtrArray *argv, ...)
{
    va_list ap;
    va_start(ap, argv);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        g_ptr_array_add(argv, g_strdup(s));
    va_end(ap);
}

static GPtrArray *
argv_new(const AmgtarArgs *a)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    add(argv, amgtar_args_tar(a), NULL);
    return argv;
}

static GPtrArray *
argv_finish(GPtrArray *argv)
{
    g_ptr_array_add(argv, NULL);
    return argv;
}

/* Options shared by estimate and backup, after --file. */
static void
add_create_options(GPtrArray *argv, const AmgtarArgs *a, const char *snapshot)
{
    add(argv, "--directory", amgtar_args_dir(a), NULL);
    if (a->one_file_system)
        add(argv, "--one-file-system", NULL);
    if (!a->check_device)
        add(argv, "--no-check-device", NULL);
    add(argv, "--listed-incremental", snapshot, NULL);
    if (a->sparse)
        add(argv, "--sparse", NULL);
    if (a->atime_preserve > 0)
        add(argv, "--atime-preserve=system", NULL);
    if (a->acls)
        add(argv, "--acls", NULL);
    if (a->selinux)
        add(argv, "--selinux", NULL);
    if (a->xattrs)
        add(argv, "--xattrs", NULL);
    add(argv, "--ignore-failed-read", "--totals", NULL);
}

static void
add_file_selection(GPtrArray *argv, const AmgtarArgs *a, const AmgtarLists *lists)
{
    if (lists && lists->exclude_from)
        add(argv, "--exclude-from", lists->exclude_from, NULL);
    if (lists && lists->files_from) {
        if (a->no_unquote)
            add(argv, "--no-unquote", NULL);
        add(argv, "--files-from", lists->files_from, NULL);
    } else {
        add(argv, ".", NULL);
    }
}

GPtrArray *
amgtar_argv_backup(const AmgtarArgs *a, const char *snapshot, const AmgtarLists *lists)
{
    GPtrArray *argv = argv_new(a);
    add(argv, "--create", "--file", "-", NULL);
    add_create_options(argv, a, snapshot);
    add(argv, "--verbose", "--block-number", NULL);
    add_file_selection(argv, a, lists);
    return argv_finish(argv);
}

GPtrArray *
amgtar_argv_estimate(const AmgtarArgs *a, const char *snapshot, const AmgtarLists *lists)
{
    GPtrArray *argv = argv_new(a);
    /* with /dev/null as the archive GNU tar skips reading file data */
    add(argv, "--create", "--file", "/dev/null", NULL);
    add_create_options(argv, a, snapshot);
    add_file_selection(argv, a, lists);
    return argv_finish(argv);
}

GPtrArray *
amgtar_argv_restore(const AmgtarArgs *a, const char *target, const char *files_from)
{
    GPtrArray *argv = argv_new(a);
    /* The image comes on a pipe: 64 KiB reads, each filled before tar
     * looks at it (--read-full-records), instead of one 10 KiB read per
     * record, which kept tar and its feeder waking each other (an
     * extraction into tmpfs took 0.12 s instead of 0.09).  Reading only:
     * the image's own record size does not matter. */
    add(argv, "--extract", "--file", "-", "--read-full-records", "--blocking-factor", "128",
        "--numeric-owner", "--preserve-permissions", "--listed-incremental=/dev/null", NULL);
    if (target)
        add(argv, "--directory", target, NULL);
    if (a->acls)
        add(argv, "--acls", NULL);
    if (a->selinux)
        add(argv, "--selinux", NULL);
    if (a->xattrs)
        add(argv, "--xattrs", NULL);
    if (files_from) {
        if (a->no_unquote)
            add(argv, "--no-unquote", NULL);
        add(argv, "--files-from", files_from, NULL);
    }
    return argv_finish(argv);
}

GPtrArray *
amgtar_argv_list(const AmgtarArgs *a)
{
    GPtrArray *argv = argv_new(a);
    add(argv, "--list", "--file", "-", NULL);
    return argv_finish(argv);
}

char *
amgtar_argv_to_string(GPtrArray *argv)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < argv->len && g_ptr_array_index(argv, i); i++) {
        g_autofree char *q = quote_string(g_ptr_array_index(argv, i));
        if (i)
            g_string_append_c(s, ' ');
        g_string_append(s, q);
    }
    return g_string_free(s, FALSE);
}
