/* amanda_paths: compiled-in locations with environment overrides. */
#include "config.h"
#include "amanda_paths.h"

#include <glib.h>
#include <stdlib.h>

static const char *
env_or(const char *env_name, const char *compiled)
{
    const char *value = getenv(env_name);
    return (value && *value) ? value : compiled;
}

const char *amanda_config_dir(void)      { return env_or("AMANDA_CONFIG_DIR", CONFIG_DIR); }
const char *amanda_libexec_dir(void)     { return env_or("AMANDA_LIBEXECDIR", AMLIBEXECDIR); }
const char *amanda_application_dir(void) { return env_or("AMANDA_APPLICATION_DIR", APPLICATION_DIR); }
const char *amanda_sbin_dir(void)        { return env_or("AMANDA_SBINDIR", SBINDIR); }
const char *amanda_state_dir(void)       { return env_or("AMANDA_STATEDIR", AMANDA_STATEDIR_DEFAULT); }
const char *amanda_gnutar_listdir(void)  { return env_or("AMANDA_GNUTAR_LISTDIR", GNUTAR_LISTDIR_DEFAULT); }
const char *amanda_dbgdir(void)          { return env_or("AMANDA_DBGDIR", AMANDA_DBGDIR_DEFAULT); }
const char *amanda_tmpdir(void)          { return env_or("AMANDA_TMPDIR", AMANDA_TMPDIR_DEFAULT); }

char *
amanda_config_file(const char *config_name)
{
    return g_build_filename(amanda_config_dir(), config_name, "amanda.conf", NULL);
}
