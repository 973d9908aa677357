/* amanda_paths: where the suite keeps its files.
 *
 * Each location has a compiled-in default (set by configure from --prefix,
 * --sysconfdir, --localstatedir, --libexecdir) and an environment variable
 * of the same name that overrides it, so that tests can install and run a
 * whole suite under one temporary prefix as an unprivileged user. */
#ifndef AMANDA_PATHS_H
#define AMANDA_PATHS_H

const char *amanda_config_dir(void);      /* AMANDA_CONFIG_DIR: $sysconfdir/amanda */
const char *amanda_libexec_dir(void);     /* AMANDA_LIBEXECDIR: $libexecdir/amanda */
const char *amanda_application_dir(void); /* AMANDA_APPLICATION_DIR: .../amanda/application */
const char *amanda_sbin_dir(void);        /* AMANDA_SBINDIR */
const char *amanda_state_dir(void);       /* AMANDA_STATEDIR: $localstatedir/lib/amanda */
const char *amanda_gnutar_listdir(void);  /* AMANDA_GNUTAR_LISTDIR */
const char *amanda_dbgdir(void);          /* AMANDA_DBGDIR: $localstatedir/log/amanda */
const char *amanda_tmpdir(void);          /* AMANDA_TMPDIR: /tmp/amanda */

/* "$config_dir/NAME/amanda.conf" (newly allocated). */
char *amanda_config_file(const char *config_name);

#endif
