/* recover-extract: amrecover's "extract": for each dump that holds
 * chosen files (fulls first, then each incremental in order), ask the
 * tape server (amidxtaped) for it, take its header, and pipe the data,
 * decompressed as the header says, into the application's "restore"
 * command run in the local directory with the chosen paths.  When the
 * tape server offers direct access (USE-DAR YES), the dump has a state
 * file and the application supports DAR, the application is run with
 * --dar yes and the state file, and its "DAR start:end" ranges are relayed
 * to the tape server, which then sends only those bytes. */
#ifndef RECOVER_EXTRACT_H
#define RECOVER_EXTRACT_H

#include <glib.h>

typedef struct {
    char *timestamp;   /* 14 digits */
    int level;
    char *tapes;       /* "ST:LABEL:1,2;ST:LABEL2:1" */
    gint64 file;       /* first file */
    GPtrArray *members;/* index paths chosen from this dump ("/a", "/dir/") */
} RecoverDump;

RecoverDump *recover_dump_new(const char *timestamp, int level, const char *tapes, gint64 file);
void recover_dump_free(RecoverDump *d);

typedef struct {
    const char *tape_server, *auth, *port;
    const char *config, *host, *disk;
    const char *device;       /* DEVICE= (settape), or "" */
    const char *local_dir;    /* where to restore */
    const char *features_hex;
} RecoverTarget;

/* Restore every dump of DUMPS (RecoverDump*), sorted here by level then
 * date.  Messages go to stderr.  FALSE when any dump failed. */
gboolean recover_extract(const RecoverTarget *t, GPtrArray *dumps);

#endif
