/* fileheader: the text header at the start of every tape file, vtape file
 * and holding-disk chunk.
 *
 * A header is a few lines of text ("AMANDA: TAPESTART DATE ... TAPE ...",
 * "AMANDA: SPLIT_FILE <ts> <host> <disk>  part 1/-1  lev 0 comp N program
 * APPLICATION", then KEY=value lines, a DLE heredoc and a restore hint),
 * ended by "\n\f\n" and padded with NULs to one block (32 KiB by default).
 * This module turns a dumpfile_t into those bytes and back, byte-compatible
 * with AMANDA 3.5.1.  Both directions are pure functions over buffers. */
#ifndef FILEHEADER_H
#define FILEHEADER_H

#include <glib.h>
#include <stddef.h>

/* Size of a header block on holding disks and vtapes. */
#ifndef DISK_BLOCK_BYTES
#define DISK_BLOCK_BYTES 32768
#endif

/* The parser refuses header text (bytes before the first NUL) longer than
 * this: no AMANDA device writes headers in blocks bigger than this. */
#define FILEHEADER_MAX_TEXT (4 * 1024 * 1024)

/* The numeric values are AMANDA's own (handy when comparing debug logs). */
typedef enum {
    FILEHEADER_EMPTY = -2,        /* an all-zero block */
    FILEHEADER_WEIRD = -1,        /* starts like a header but is not one we know */
    FILEHEADER_UNKNOWN = 0,       /* not an AMANDA header at all */
    FILEHEADER_TAPESTART = 1,     /* volume label, file 0 */
    FILEHEADER_TAPEEND = 2,       /* end-of-volume marker */
    FILEHEADER_DUMPFILE = 3,      /* "FILE": a whole dump (holding disk, index copy) */
    FILEHEADER_CONT_DUMPFILE = 4, /* "CONT_FILE": second and later holding chunks */
    FILEHEADER_SPLIT_DUMPFILE = 5,/* "SPLIT_FILE": a part of a dump on a volume */
    FILEHEADER_NOOP = 6,          /* "NOOP": a placeholder file */
} fileheader_type_t;

/* A CRC line: "NATIVE-CRC=403beedd:165355520" (crc32 in hex, byte count).
 * A crc of 0 means "not known" and is not written. */
typedef struct {
    guint32 crc;
    guint64 size;
} fileheader_crc_t;

/* All strings are owned by the struct (g_malloc'd); NULL reads as "".
 * Release with fileheader_clear(). */
typedef struct {
    fileheader_type_t type;
    char *datestamp;       /* YYYYMMDDhhmmss (or "X" on a fresh label) */
    char *name;            /* TAPESTART: the volume label */
    char *host;            /* dumps: the client host */
    char *disk;            /* dumps: the disk name (unquoted) */
    int dumplevel;
    gboolean compressed;
    char *comp_suffix;     /* ".gz", ".bz2", "cust" ...; written as "N" when !compressed */
    char *program;         /* "APPLICATION", "GNUTAR", "DUMP" ... */
    char *application;     /* "amgtar" ... (APPLICATION= line) */
    gboolean encrypted;
    char *encrypt_suffix;  /* "enc" when encrypted */
    char *srvcompprog;     /* server_custom_compress (at most one of the two) */
    char *clntcompprog;    /* client_custom_compress */
    char *srv_encrypt;     /* server_encrypt program (at most one of the two) */
    char *clnt_encrypt;    /* client_encrypt program */
    char *srv_decrypt_opt; /* server_decrypt_option (at most one of the two) */
    char *clnt_decrypt_opt;/* client_decrypt_option */
    char *cont_filename;   /* holding disk: the next chunk's file name */
    gboolean is_partial;   /* PARTIAL=YES: the dump did not finish */
    int partnum;           /* SPLIT_FILE: this part, from 1 (parsed FILE/CONT_FILE: 1/1) */
    int totalparts;        /* SPLIT_FILE: number of parts, -1 = not known yet */
    gint64 orig_size;      /* ORIGSIZE= in KiB, before compression; 0 = unknown */
    fileheader_crc_t native_crc; /* over the data as the application produced it */
    fileheader_crc_t client_crc; /* over what the client sent */
    fileheader_crc_t server_crc; /* over what the server stored */
    char *dle_str;         /* the DLE XML of the DLE=<<ENDDLE heredoc, without
                            * the newline before the closing ENDDLE */
    /* Restore hint: "dd if=<tape> bs=32k skip=1 | DECRYPT | UNCOMPRESS | RECOVER".
     * Each command is stored without the pipe sign. */
    char *recover_cmd;
    char *uncompress_cmd;
    char *decrypt_cmd;
    gsize blocksize;       /* bytes; written as bs=<n>k in the hint when non-zero */
    char *weird_reason;    /* parser only: why the header was called WEIRD */
} dumpfile_t;

#define FILEHEADER_ERROR (fileheader_error_quark())
GQuark fileheader_error_quark(void);
typedef enum {
    FILEHEADER_ERROR_INVALID,   /* build: a field cannot be written */
    FILEHEADER_ERROR_TOO_LONG,  /* build: text does not fit the block; parse: over-long text */
    FILEHEADER_ERROR_TRUNCATED, /* parse: buffer ends inside the header */
    FILEHEADER_ERROR_GARBAGE,   /* parse: binary bytes inside AMANDA text */
} fileheader_error_t;

/* Reset to an empty UNKNOWN header (totalparts = -1); frees nothing. */
void fileheader_init(dumpfile_t *file);
/* Free every string and re-initialise. */
void fileheader_clear(dumpfile_t *file);
/* Deep copy SRC into DST (DST is overwritten, not freed first). */
void fileheader_copy(dumpfile_t *dst, const dumpfile_t *src);
/* TRUE when every field is equal (NULL and "" compare equal); the part
 * numbers count only for SPLIT_FILE headers. */
gboolean fileheader_equal(const dumpfile_t *a, const dumpfile_t *b);

/* "TAPESTART", "SPLIT_FILE", ... as written on the first line, or for the
 * types that are never written "EMPTY", "WEIRD", "UNKNOWN". */
const char *fileheader_type_name(fileheader_type_t type);

/* The header text including the "\n\f\n" terminator (what is kept as the
 * index ".header" copy).  *LEN (optional) gets its length.  NULL and a
 * FILEHEADER_ERROR_INVALID error when a field cannot be written (a blank
 * in the datestamp, a newline in a command, both server and client
 * encryption, a type that has no header form ...). */
char *fileheader_to_text(const dumpfile_t *file, gsize *len, GError **error);

/* The header block: the text then NULs, exactly BLOCK_SIZE bytes
 * (0 = DISK_BLOCK_BYTES).  A text that does not fit, with at least one
 * NUL after it, is FILEHEADER_ERROR_TOO_LONG, never silently cut. */
char *fileheader_build(const dumpfile_t *file, size_t block_size, GError **error);

/* Parse LEN bytes (never reads past them) into OUT (initialised here; call
 * fileheader_clear afterwards even on failure).
 *  - all-zero bytes: EMPTY;  text not starting "AMANDA:"/"NETDUMP:": UNKNOWN;
 *  - AMANDA text whose first line is not understood: WEIRD, with
 *    OUT->weird_reason saying why;
 *  - FALSE with an error for: no bytes, text cut off by the end of the
 *    buffer (no NUL and no form-feed terminator), control bytes inside the
 *    header text, text longer than FILEHEADER_MAX_TEXT.
 * Unknown KEY=value lines are skipped and malformed optional values left at
 * their defaults, as AMANDA does, so newer writers stay readable. */
gboolean fileheader_parse(const char *buf, size_t len, dumpfile_t *out, GError **error);

/* One line for logs and messages: "SPLIT_FILE localhost /home lev 0 part 1/-1 (20261125064505)". */
char *fileheader_summary(const dumpfile_t *file);

#endif
