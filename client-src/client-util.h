/* client-util: what the client services (noop, selfcheck, sendsize,
 * sendbackup) share: reading and validating a request (the OPTIONS line
 * and the <dle> elements), the feature string we advertise, talking to an
 * application plugin (support, argv building), sendsize reply lines, the
 * MESG framing of sendbackup and the CRC32 accumulator.
 *
 * The request reaches a service on stdin (amandad forks it); the reply is
 * its stdout.  Nothing here runs a shell: applications are run from argv
 * arrays whose elements come from validated request fields. */
#ifndef CLIENT_UTIL_H
#define CLIENT_UTIL_H

#include <glib.h>
#include <stdint.h>

#include "dle.h"

#define CLIENT_ERROR (client_error_quark())
GQuark client_error_quark(void);

/* The pipes amandad gives a service: pair I is fd CLIENT_DATA_FD_OFFSET+2I
 * (the service writes, amandad reads) and +2I+1 (amandad writes, the
 * service reads).  A CONNECT line names pair I as CLIENT_DATA_FD_OFFSET+I. */
#define CLIENT_DATA_FD_OFFSET 150
#define CLIENT_DATA_FD_COUNT 5
#define CLIENT_PAIR_WRITE_FD(i) (CLIENT_DATA_FD_OFFSET + 2 * (i))
#define CLIENT_PAIR_READ_FD(i) (CLIENT_DATA_FD_OFFSET + 2 * (i) + 1)

/* Largest request a service reads from stdin. */
#define CLIENT_REQUEST_MAX (16u * 1024u * 1024u)

/* The OPTIONS line of a request. */
typedef struct {
    char *features;      /* peer's feature mask (hex), NULL if absent */
    int maxdumps;        /* 1 if absent */
    char *hostname;      /* the name the server calls us, NULL if absent */
    char *config;        /* configuration name, NULL if absent */
    char *timestamp;     /* YYYYMMDDhhmmss, NULL if absent */
    char *auth;
} client_options_t;

client_options_t *client_options_new(void);
void client_options_free(client_options_t *opts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(client_options_t, client_options_free)

/* Parse "features=..;maxdumps=..;...;" (without the leading "OPTIONS ").
 * Unknown keys are ignored with a debug line; a known key with a bad value
 * is an error naming it. */
gboolean client_parse_options(const char *text, client_options_t *opts, GError **error);

/* A parsed request: options and DLEs (dle_t *, maybe none). */
typedef struct {
    client_options_t *opts;
    GPtrArray *dles;
} client_request_t;

void client_request_free(client_request_t *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(client_request_t, client_request_free)

/* Parse a whole request body: an "OPTIONS ...;" line first (optional for
 * noop), then the <dle> elements. */
client_request_t *client_parse_request(const char *text, gsize len, GError **error);
/* Read FD to EOF (at most CLIENT_REQUEST_MAX bytes) and parse it. */
client_request_t *client_read_request(int fd, GError **error);

/* Our feature mask as hex, and the reply's first line
 * "OPTIONS features=<hex>;\n" (static strings). */
const char *client_features_hex(void);
const char *client_options_reply(void);
/* Does the peer's hex mask (may be NULL) have feature bit BIT? */
gboolean client_peer_has_feature(const char *hex, int bit);
/* Feature bit of the STATE stream in sendbackup's CONNECT line. */
gboolean client_peer_wants_state_stream(const client_options_t *opts);

/* Check the argument list a service was started with: nothing (run by
 * hand) or "amandad AUTH" (run by amandad).  FALSE with ERROR otherwise. */
gboolean client_check_service_args(int argc, char **argv, GError **error);

/* Common start of every service: program name, debug log, argument check.
 * Exits with a message on stderr for a bad argument list. */
void client_service_start(const char *name, int argc, char **argv);

/* --- applications ---------------------------------------------------- */

/* Full path of application PLUGIN in the application directory, checked
 * to be a plain name (no '/', no leading '.') of an executable file. */
char *client_app_path(const char *plugin, GError **error);

/* The answer of `PLUGIN support`: KEY -> VALUE (keys upper case). */
typedef struct {
    GHashTable *kv;
} client_support_t;

void client_support_free(client_support_t *sup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(client_support_t, client_support_free)
client_support_t *client_support_parse(const char *text);
client_support_t *client_app_support(const char *app_path, GError **error);
gboolean client_support_yes(const client_support_t *sup, const char *key);
int client_support_max_level(const client_support_t *sup);

/* Check that SUP allows what DLE asks (index, record, include/exclude
 * kinds).  FALSE with ERROR naming the first missing capability. */
gboolean client_support_check(const client_support_t *sup, const dle_t *dle, GError **error);

/* Is NAME a valid property name (letters, digits, '-', '_')? */
gboolean client_valid_property_name(const char *name);

/* argv (NULL-terminated GPtrArray of owned strings) of
 * `APP COMMAND --message line --config C ... --host H --disk D --device DEV`
 * then, in order, LEVELS (int array, may be NULL), --index line and
 * --record when the DLE asks for them and COMMAND is backup, the
 * include/exclude options, --amfeatures, and the application properties.
 * FALSE with ERROR for an invalid property name. */
GPtrArray *client_app_argv(const char *app_path, const char *command, const dle_t *dle,
                           const client_options_t *opts, const GArray *levels,
                           GError **error);

/* The device a DLE names (<diskdevice>, else <disk>). */
const char *client_dle_device(const dle_t *dle);

/* The DLE's compression, upper case: NONE, FAST, BEST, CUSTOM, SERVER-...
 * (a <custom-compress> with an empty <compress> text counts as CUSTOM). */
const char *client_dle_compress(const dle_t *dle);
/* Does the DLE ask for encryption on the client? */
gboolean client_dle_client_encrypt(const dle_t *dle);

/* Is an external filter program acceptable (absolute path, executable)? */
gboolean client_check_program(const char *what, const char *path, GError **error);

/* --- sendsize ------------------------------------------------------ */

/* "<quoted disk> <level> SIZE <kib>\n" */
char *client_size_line(const char *disk, int level, gint64 kib);
/* "<quoted disk> <level> ERROR <msg>\n" (newlines in MSG become blanks) */
char *client_size_error_line(const char *disk, int level, const char *msg);
/* Parse one `estimate` output line "<level> <n1> <n2>" into the level and
 * the size in KiB (n1 * n2; negative values pass through as -1/-2). */
gboolean client_parse_estimate_line(const char *line, int *level, gint64 *kib);

/* --- sendbackup MESG framing ------------------------------------------ */

typedef enum {
    CLIENT_MSG_NORMAL,   /* "| text" */
    CLIENT_MSG_STRANGE,  /* "? text" */
    CLIENT_MSG_ERROR,    /* "& text" or "sendbackup: error ..." */
    CLIENT_MSG_SIZE,     /* "sendbackup: size N" */
    CLIENT_MSG_END,      /* "sendbackup: end": the service sends its own */
    CLIENT_MSG_OTHER,    /* another "sendbackup: ..." line, passed as is */
} client_msg_kind_t;

/* Turn one line an application wrote on its message fd (no newline) into
 * the line to send on MESG (with newline), and say what kind it is.  An
 * untagged line becomes strange ("? line").  *SIZE_KB is set for SIZE. */
char *client_frame_message(const char *line, client_msg_kind_t *kind, gint64 *size_kb);

/* "sendbackup: native-CRC 0123abcd:12345\n" (PREFIX "native" or "client") */
char *client_crc_line(const char *prefix, uint32_t crc, guint64 size);

/* The tape-header info lines sent before the image:
 * BACKUP=APPLICATION, APPLICATION=, RECOVER_CMD=, COMPRESS_SUFFIX= (when
 * compressed on the client), client encryption keys, then "info end". */
char *client_info_lines(const char *app_path, const dle_t *dle);

/* CRC-32C (see common-src/crc32c.h) of a byte stream, with its length. */
typedef struct {
    uint32_t crc;
    guint64 size;
} client_crc_t;

void client_crc_init(client_crc_t *c);
void client_crc_add(client_crc_t *c, const void *buf, size_t len);

#endif
