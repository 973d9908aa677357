/* fileheader: build and parse the 32 KiB text header of tape files, vtape
 * files and holding chunks (see fileheader.h for the format). */
#include "config.h"
#include "fileheader.h"
#include "amutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(fileheader-error-quark, fileheader_error)

#define HEADER_END "\n\f\n"
#define RESTORE_INTRO "To restore, position tape at start of file and run:"
#define DLE_MARKER "ENDDLE"

/* ------------------------------------------------------------------ */
/* struct helpers                                                      */

void
fileheader_init(dumpfile_t *file)
{
    memset(file, 0, sizeof(*file));
    file->type = FILEHEADER_UNKNOWN;
    file->totalparts = -1;
}

/* Every owned string field, so clear/copy/equal cannot forget one. */
#define FOR_EACH_STRING_FIELD(X) \
    X(datestamp) X(name) X(host) X(disk) X(comp_suffix) X(program) \
    X(application) X(encrypt_suffix) X(srvcompprog) X(clntcompprog) \
    X(srv_encrypt) X(clnt_encrypt) X(srv_decrypt_opt) X(clnt_decrypt_opt) \
    X(cont_filename) X(dle_str) X(recover_cmd) X(uncompress_cmd) \
    X(decrypt_cmd) X(weird_reason)

void
fileheader_clear(dumpfile_t *file)
{
#define FREE_FIELD(f) g_free(file->f);
    FOR_EACH_STRING_FIELD(FREE_FIELD)
#undef FREE_FIELD
    fileheader_init(file);
}

void
fileheader_copy(dumpfile_t *dst, const dumpfile_t *src)
{
    *dst = *src;
#define DUP_FIELD(f) dst->f = g_strdup(src->f);
    FOR_EACH_STRING_FIELD(DUP_FIELD)
#undef DUP_FIELD
}

static const char *
or_empty(const char *s)
{
    return s ? s : "";
}

static gboolean
is_set(const char *s)
{
    return s != NULL && *s != '\0';
}

gboolean
fileheader_equal(const dumpfile_t *a, const dumpfile_t *b)
{
#define SAME_STRING(f) if (strcmp(or_empty(a->f), or_empty(b->f)) != 0) return FALSE;
    FOR_EACH_STRING_FIELD(SAME_STRING)
#undef SAME_STRING
    return a->type == b->type && a->dumplevel == b->dumplevel
        && !a->compressed == !b->compressed && !a->encrypted == !b->encrypted
        && !a->is_partial == !b->is_partial && a->orig_size == b->orig_size
        && (a->type != FILEHEADER_SPLIT_DUMPFILE
            || (a->partnum == b->partnum && a->totalparts == b->totalparts))
        && a->native_crc.crc == b->native_crc.crc && a->native_crc.size == b->native_crc.size
        && a->client_crc.crc == b->client_crc.crc && a->client_crc.size == b->client_crc.size
        && a->server_crc.crc == b->server_crc.crc && a->server_crc.size == b->server_crc.size
        && a->blocksize == b->blocksize;
}

const char *
fileheader_type_name(fileheader_type_t type)
{
    switch (type) {
    case FILEHEADER_EMPTY: return "EMPTY";
    case FILEHEADER_WEIRD: return "WEIRD";
    case FILEHEADER_UNKNOWN: return "UNKNOWN";
    case FILEHEADER_TAPESTART: return "TAPESTART";
    case FILEHEADER_TAPEEND: return "TAPEEND";
    case FILEHEADER_DUMPFILE: return "FILE";
    case FILEHEADER_CONT_DUMPFILE: return "CONT_FILE";
    case FILEHEADER_SPLIT_DUMPFILE: return "SPLIT_FILE";
    case FILEHEADER_NOOP: return "NOOP";
    }
    return "UNKNOWN";
}

static gboolean
is_dump_type(fileheader_type_t type)
{
    return type == FILEHEADER_DUMPFILE || type == FILEHEADER_CONT_DUMPFILE
        || type == FILEHEADER_SPLIT_DUMPFILE;
}

char *
fileheader_summary(const dumpfile_t *file)
{
    if (file->type == FILEHEADER_TAPESTART)
        return g_strdup_printf("TAPESTART label %s (%s)", or_empty(file->name),
                               or_empty(file->datestamp));
    if (!is_dump_type(file->type))
        return g_strdup_printf("%s (%s)", fileheader_type_name(file->type),
                               or_empty(file->datestamp));
    g_autofree char *qdisk = quote_string(or_empty(file->disk));
    GString *s = g_string_new(NULL);
    g_string_printf(s, "%s %s %s lev %d", fileheader_type_name(file->type),
                    or_empty(file->host), qdisk, file->dumplevel);
    if (file->type == FILEHEADER_SPLIT_DUMPFILE)
        g_string_append_printf(s, " part %d/%d", file->partnum, file->totalparts);
    g_string_append_printf(s, " (%s)", or_empty(file->datestamp));
    return g_string_free(s, FALSE);
}

/* ------------------------------------------------------------------ */
/* building                                                            */

/* A value written as one blank-separated token of the first line. */
static gboolean
check_token(const char *what, const char *value, gboolean required, GError **error)
{
    if (!is_set(value)) {
        if (!required)
            return TRUE;
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                    "tape header: %s is empty", what);
        return FALSE;
    }
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p <= ' ' || *p == '"') {
            g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                        "tape header: %s \"%s\" holds a blank, quote or control byte",
                        what, value);
            return FALSE;
        }
    }
    return TRUE;
}

/* A value written on a line of its own (or inside the DLE heredoc, where
 * newlines are allowed): no byte that the parser would call garbage. */
static gboolean
check_text(const char *what, const char *value, gboolean allow_newline, GError **error)
{
    for (const unsigned char *p = (const unsigned char *)or_empty(value); *p; p++) {
        if (*p == '\t' || (*p == '\n' && allow_newline))
            continue;
        if (*p < ' ') {
            g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                        "tape header: %s holds control byte 0x%02x", what, *p);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
check_datestamp(const char *ts, GError **error)
{
    if (g_strcmp0(ts, "X") == 0)
        return TRUE;
    if (!check_token("datestamp", ts, TRUE, error))
        return FALSE;
    for (const char *p = ts; *p; p++) {
        if (!g_ascii_isdigit(*p)) {
            g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                        "tape header: datestamp \"%s\" is not YYYYMMDDhhmmss", ts);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
check_exclusive(const char *what, const char *server, const char *client, GError **error)
{
    if (is_set(server) && is_set(client)) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                    "tape header: both server and client %s are set", what);
        return FALSE;
    }
    return TRUE;
}

static gboolean
check_dump_fields(const dumpfile_t *f, GError **error)
{
    if (!check_datestamp(f->datestamp, error)
        || !check_token("program", f->program, FALSE, error)
        || !check_token("compression suffix", f->comp_suffix, f->compressed, error)
        || !check_token("encryption suffix", f->encrypt_suffix, f->encrypted, error)
        || !check_exclusive("custom compression", f->srvcompprog, f->clntcompprog, error)
        || !check_exclusive("encryption", f->srv_encrypt, f->clnt_encrypt, error)
        || !check_exclusive("decrypt option", f->srv_decrypt_opt, f->clnt_decrypt_opt, error))
        return FALSE;
    const char *tokens[][2] = {
        {"server custom compression", f->srvcompprog}, {"client custom compression", f->clntcompprog},
        {"server encryption", f->srv_encrypt}, {"client encryption", f->clnt_encrypt},
        {"server decrypt option", f->srv_decrypt_opt}, {"client decrypt option", f->clnt_decrypt_opt},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(tokens); i++)
        if (!check_token(tokens[i][0], tokens[i][1], FALSE, error))
            return FALSE;
    if (!is_set(f->host)) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID, "tape header: host is empty");
        return FALSE;
    }
    if (f->encrypted && strcmp(f->encrypt_suffix, "N") == 0) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                    "tape header: encrypted, but the encryption suffix is \"N\"");
        return FALSE;
    }
    return TRUE;
}

static gboolean
check_dump_lines(const dumpfile_t *f, GError **error)
{
    if (!check_text("CONT_FILENAME", f->cont_filename, FALSE, error)
        || !check_text("APPLICATION", f->application, FALSE, error)
        || !check_text("recover command", f->recover_cmd, FALSE, error)
        || !check_text("uncompress command", f->uncompress_cmd, FALSE, error)
        || !check_text("decrypt command", f->decrypt_cmd, FALSE, error)
        || !check_text("DLE", f->dle_str, TRUE, error))
        return FALSE;
    if (!is_set(f->recover_cmd) && (is_set(f->uncompress_cmd) || is_set(f->decrypt_cmd))) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                    "tape header: an uncompress or decrypt command needs a recover command");
        return FALSE;
    }
    /* A line "ENDDLE" inside the XML would end the heredoc early. */
    g_autofree char *framed = g_strdup_printf("\n%s\n", or_empty(f->dle_str));
    if (strstr(framed, "\n" DLE_MARKER "\n") != NULL) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                    "tape header: the DLE holds a line \"" DLE_MARKER "\"");
        return FALSE;
    }
    return TRUE;
}

static void
append_crc_line(GString *s, const char *key, const fileheader_crc_t *crc)
{
    if (crc->crc != 0)
        g_string_append_printf(s, "%s=%08x:%" G_GUINT64_FORMAT "\n", key, crc->crc, crc->size);
}

/* The first line of a dump header.  AMANDA leaves an empty field where
 * the split data would go, hence "disk  lev" and "disk  part 1/-1  lev". */
static void
append_dump_first_line(GString *s, const dumpfile_t *f)
{
    g_autofree char *qhost = quote_string(f->host);
    g_autofree char *qdisk = quote_string(or_empty(f->disk));
    g_autofree char *split = f->type == FILEHEADER_SPLIT_DUMPFILE
        ? g_strdup_printf(" part %d/%d ", f->partnum, f->totalparts) : g_strdup("");
    g_string_append_printf(s, "AMANDA: %s %s %s %s %s lev %d comp %s program %s",
                           fileheader_type_name(f->type), f->datestamp, qhost, qdisk,
                           split, f->dumplevel, f->compressed ? f->comp_suffix : "N",
                           or_empty(f->program));
    if (f->encrypted)
        g_string_append_printf(s, " crypt %s", f->encrypt_suffix);
    if (is_set(f->srvcompprog))
        g_string_append_printf(s, " server_custom_compress %s", f->srvcompprog);
    else if (is_set(f->clntcompprog))
        g_string_append_printf(s, " client_custom_compress %s", f->clntcompprog);
    if (is_set(f->srv_encrypt))
        g_string_append_printf(s, " server_encrypt %s", f->srv_encrypt);
    else if (is_set(f->clnt_encrypt))
        g_string_append_printf(s, " client_encrypt %s", f->clnt_encrypt);
    if (is_set(f->srv_decrypt_opt))
        g_string_append_printf(s, " server_decrypt_option %s", f->srv_decrypt_opt);
    else if (is_set(f->clnt_decrypt_opt))
        g_string_append_printf(s, " client_decrypt_option %s", f->clnt_decrypt_opt);
    g_string_append_c(s, '\n');
}

/* The restore hint; every command is followed by a blank, and the pipe
 * signs between them are ours to add (the struct stores bare commands). */
static void
append_restore_hint(GString *s, const dumpfile_t *f)
{
    g_string_append(s, RESTORE_INTRO "\n\tdd if=<tape> ");
    if (f->blocksize)
        g_string_append_printf(s, "bs=%luk ", (unsigned long)(f->blocksize / 1024));
    g_string_append(s, "skip=1 | ");
    if (!is_set(f->recover_cmd))
        return;
    if (is_set(f->decrypt_cmd))
        g_string_append_printf(s, "%s | ", f->decrypt_cmd);
    if (is_set(f->uncompress_cmd))
        g_string_append_printf(s, "%s | ", f->uncompress_cmd);
    g_string_append_printf(s, "%s ", f->recover_cmd);
}

static gboolean
append_dump_header(GString *s, const dumpfile_t *f, GError **error)
{
    if (!check_dump_fields(f, error) || !check_dump_lines(f, error))
        return FALSE;
    append_dump_first_line(s, f);
    if (is_set(f->cont_filename))
        g_string_append_printf(s, "CONT_FILENAME=%s\n", f->cont_filename);
    if (is_set(f->application))
        g_string_append_printf(s, "APPLICATION=%s\n", f->application);
    if (f->is_partial)
        g_string_append(s, "PARTIAL=YES\n");
    if (f->orig_size > 0)
        g_string_append_printf(s, "ORIGSIZE=%" G_GINT64_FORMAT "\n", f->orig_size);
    append_crc_line(s, "NATIVE-CRC", &f->native_crc);
    append_crc_line(s, "CLIENT-CRC", &f->client_crc);
    append_crc_line(s, "SERVER-CRC", &f->server_crc);
    if (is_set(f->dle_str))
        g_string_append_printf(s, "DLE=<<" DLE_MARKER "\n%s\n" DLE_MARKER "\n", f->dle_str);
    append_restore_hint(s, f);
    return TRUE;
}

char *
fileheader_to_text(const dumpfile_t *f, gsize *len, GError **error)
{
    g_autoptr(GString) s = g_string_new(NULL);
    switch (f->type) {
    case FILEHEADER_TAPESTART: {
        if (!check_datestamp(f->datestamp, error))
            return NULL;
        if (!is_set(f->name)) {
            g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                        "tape header: the volume label is empty");
            return NULL;
        }
        g_autofree char *qlabel = quote_string(f->name);
        g_string_append_printf(s, "AMANDA: TAPESTART DATE %s TAPE %s", f->datestamp, qlabel);
        break;
    }
    case FILEHEADER_TAPEEND:
        if (!check_datestamp(f->datestamp, error))
            return NULL;
        g_string_append_printf(s, "AMANDA: TAPEEND DATE %s", f->datestamp);
        break;
    case FILEHEADER_NOOP:
        g_string_append(s, "AMANDA: NOOP");
        break;
    case FILEHEADER_DUMPFILE:
    case FILEHEADER_CONT_DUMPFILE:
    case FILEHEADER_SPLIT_DUMPFILE:
        if (!append_dump_header(s, f, error))
            return NULL;
        break;
    default:
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_INVALID,
                    "tape header: a header of type %s cannot be written",
                    fileheader_type_name(f->type));
        return NULL;
    }
    g_string_append(s, HEADER_END);
    if (len)
        *len = s->len;
    return g_string_free(g_steal_pointer(&s), FALSE);
}

char *
fileheader_build(const dumpfile_t *f, size_t block_size, GError **error)
{
    if (block_size == 0)
        block_size = DISK_BLOCK_BYTES;
    gsize len;
    g_autofree char *text = fileheader_to_text(f, &len, error);
    if (!text)
        return NULL;
    /* keep at least one NUL so a reader can find the end of the text */
    if (len >= block_size) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_TOO_LONG,
                    "tape header for %s %s is %zu bytes, more than the %zu-byte block holds",
                    or_empty(f->host ? f->host : f->name), or_empty(f->disk), len, block_size);
        return NULL;
    }
    char *block = g_malloc0(block_size);
    memcpy(block, text, len);
    return block;
}

/* ------------------------------------------------------------------ */
/* parsing                                                             */

static void
set_weird(dumpfile_t *out, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
set_weird(dumpfile_t *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(out->weird_reason);
    out->weird_reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    out->type = FILEHEADER_WEIRD;
}

static gboolean
parse_int(const char *s, gint64 min, gint64 max, gint64 *value)
{
    if (!s || !*s)
        return FALSE;
    char *end;
    errno = 0;
    gint64 v = g_ascii_strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return FALSE;
    *value = v;
    return TRUE;
}

static void
replace(char **field, const char *value)
{
    g_free(*field);
    *field = g_strdup(value);
}

/* "<n>/<total>", total -1 while the number of parts is not known */
static gboolean
parse_part(const char *s, dumpfile_t *out)
{
    g_auto(GStrv) nums = g_strsplit(s, "/", 3);
    gint64 part, total;
    if (g_strv_length(nums) != 2 || !parse_int(nums[0], 0, G_MAXINT, &part)
        || !parse_int(nums[1], -1, G_MAXINT, &total))
        return FALSE;
    out->partnum = (int)part;
    out->totalparts = (int)total;
    return TRUE;
}

/* "TAPESTART DATE <ts> TAPE <label>" */
static void
parse_tapestart(char **tok, dumpfile_t *out)
{
    guint n = g_strv_length(tok);
    if (n < 6 || strcmp(tok[2], "DATE") != 0 || strcmp(tok[4], "TAPE") != 0) {
        set_weird(out, "TAPESTART line is not \"DATE <datestamp> TAPE <label>\"");
        return;
    }
    out->type = FILEHEADER_TAPESTART;
    replace(&out->datestamp, tok[3]);
    replace(&out->name, tok[5]);
}

/* "TAPEEND DATE [<ts>]" */
static void
parse_tapeend(char **tok, dumpfile_t *out)
{
    guint n = g_strv_length(tok);
    if (n < 3 || strcmp(tok[2], "DATE") != 0) {
        set_weird(out, "TAPEEND line has no DATE");
        return;
    }
    out->type = FILEHEADER_TAPEEND;
    if (n > 3)
        replace(&out->datestamp, tok[3]);
}

/* The optional "keyword value" pairs after "program <prog>". */
static void
parse_dump_options(char **tok, dumpfile_t *out)
{
    static const struct { const char *key; size_t offset; } opts[] = {
        {"crypt", G_STRUCT_OFFSET(dumpfile_t, encrypt_suffix)},
        {"server_custom_compress", G_STRUCT_OFFSET(dumpfile_t, srvcompprog)},
        {"client_custom_compress", G_STRUCT_OFFSET(dumpfile_t, clntcompprog)},
        {"server_encrypt", G_STRUCT_OFFSET(dumpfile_t, srv_encrypt)},
        {"client_encrypt", G_STRUCT_OFFSET(dumpfile_t, clnt_encrypt)},
        {"server_decrypt_option", G_STRUCT_OFFSET(dumpfile_t, srv_decrypt_opt)},
        {"client_decrypt_option", G_STRUCT_OFFSET(dumpfile_t, clnt_decrypt_opt)},
    };
    for (guint i = 0; tok[i]; i++) {
        for (gsize k = 0; k < G_N_ELEMENTS(opts); k++) {
            if (strcmp(tok[i], opts[k].key) != 0 || tok[i + 1] == NULL)
                continue;
            replace(G_STRUCT_MEMBER_P(out, opts[k].offset), tok[++i]);
            if (k == 0)
                out->encrypted = TRUE;
            break;
        }
    }
}

/* "<type> <ts> <host> <disk> [part <n>/<total>] lev <n> comp <sfx> [program <p> [options]]" */
static void
parse_dump_line(char **tok, fileheader_type_t type, dumpfile_t *out)
{
    guint n = g_strv_length(tok), i = 5;
    if (n < 5) {
        set_weird(out, "%s line ends before the host and disk names", tok[1]);
        return;
    }
    replace(&out->datestamp, tok[2]);
    replace(&out->host, tok[3]);
    replace(&out->disk, tok[4]);
    if (type == FILEHEADER_SPLIT_DUMPFILE) {
        if (i + 1 >= n || strcmp(tok[i], "part") != 0 || !parse_part(tok[i + 1], out)) {
            set_weird(out, "SPLIT_FILE line has no \"part <n>/<total>\"");
            return;
        }
        i += 2;
    } else {
        /* a whole dump is its own single part, as AMANDA reads it too */
        out->partnum = 1;
        out->totalparts = 1;
    }
    gint64 level;
    if (i + 1 >= n || strcmp(tok[i], "lev") != 0 || !parse_int(tok[i + 1], 0, 399, &level)) {
        set_weird(out, "%s line has no valid \"lev <level>\"", tok[1]);
        return;
    }
    out->dumplevel = (int)level;
    i += 2;
    if (i + 1 >= n || strcmp(tok[i], "comp") != 0) {
        set_weird(out, "%s line has no \"comp <suffix>\"", tok[1]);
        return;
    }
    out->compressed = strcmp(tok[i + 1], "N") != 0;
    if (out->compressed)
        replace(&out->comp_suffix, tok[i + 1]);
    i += 2;
    if (i + 1 < n && strcmp(tok[i], "program") == 0) {
        replace(&out->program, tok[i + 1]);
        i += 2;
    }
    parse_dump_options(tok + i, out);
    out->type = type;
}

static void
parse_first_line(const char *line, dumpfile_t *out)
{
    g_auto(GStrv) tok = split_quoted_strings(line);
    if (!tok[0] || (strcmp(tok[0], "AMANDA:") != 0 && strcmp(tok[0], "NETDUMP:") != 0)) {
        set_weird(out, "header does not start with \"AMANDA: \"");
        return;
    }
    if (!tok[1]) {
        set_weird(out, "header names no file type");
        return;
    }
    if (strcmp(tok[1], "TAPESTART") == 0)
        parse_tapestart(tok, out);
    else if (strcmp(tok[1], "TAPEEND") == 0)
        parse_tapeend(tok, out);
    else if (strcmp(tok[1], "NOOP") == 0)
        out->type = FILEHEADER_NOOP;
    else if (strcmp(tok[1], "FILE") == 0)
        parse_dump_line(tok, FILEHEADER_DUMPFILE, out);
    else if (strcmp(tok[1], "CONT_FILE") == 0)
        parse_dump_line(tok, FILEHEADER_CONT_DUMPFILE, out);
    else if (strcmp(tok[1], "SPLIT_FILE") == 0)
        parse_dump_line(tok, FILEHEADER_SPLIT_DUMPFILE, out);
    else
        set_weird(out, "unknown header type \"%s\"", tok[1]);
}

/* "403beedd:165355520" */
static void
parse_crc(const char *value, fileheader_crc_t *crc)
{
    char *end;
    errno = 0;
    guint64 c = g_ascii_strtoull(value, &end, 16);
    if (end == value || *end != ':' || c > G_MAXUINT32 || errno != 0)
        return;
    const char *size_str = end + 1;
    guint64 size = g_ascii_strtoull(size_str, &end, 10);
    if (end == size_str || *end != '\0' || errno != 0 || !g_ascii_isdigit(*size_str))
        return;
    crc->crc = (guint32)c;
    crc->size = size;
}

/* Split what follows "skip=1 |" into the stored commands.  With two
 * commands the first is the uncompressor unless the dump is encrypted and
 * not compressed, which is the only way to tell the two apart. */
static void
parse_pipeline(const char *p, dumpfile_t *out)
{
    g_auto(GStrv) seg = g_strsplit(p, "|", -1);
    guint n = g_strv_length(seg);
    for (guint i = 0; i < n; i++)
        g_strstrip(seg[i]);
    if (n == 0 || (n == 1 && *seg[0] == '\0'))
        return;
    replace(&out->recover_cmd, seg[n - 1]);
    if (n == 2 && out->encrypted && !out->compressed) {
        replace(&out->decrypt_cmd, seg[0]);
        return;
    }
    if (n >= 2)
        replace(&out->uncompress_cmd, seg[n - 2]);
    if (n >= 3) {
        /* more than three: the extra pipes belong to the decrypt command */
        GString *decrypt = g_string_new(seg[0]);
        for (guint i = 1; i + 2 < n; i++)
            g_string_append_printf(decrypt, " | %s", seg[i]);
        g_free(out->decrypt_cmd);
        out->decrypt_cmd = g_string_free(decrypt, FALSE);
    }
}

/* "\tdd if=<tape> [bs=<n>k ]skip=1 | [decrypt | ][uncompress | ]recover " */
static void
parse_restore_hint(const char *line, dumpfile_t *out)
{
    const char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!g_str_has_prefix(p, "dd if=<tape> "))
        return;
    p += strlen("dd if=<tape> ");
    if (g_str_has_prefix(p, "bs=")) {
        char *end;
        guint64 kib = g_ascii_strtoull(p + 3, &end, 10);
        if (end == p + 3 || *end != 'k' || kib > G_MAXSIZE / 1024)
            return;
        out->blocksize = (gsize)kib * 1024;
        p = end + 1;
        while (*p == ' ')
            p++;
    }
    if (!g_str_has_prefix(p, "skip=1 |"))
        return;
    parse_pipeline(p + strlen("skip=1 |"), out);
}

/* Collect the heredoc lines after "DLE=<<MARKER" up to the line MARKER.
 * Returns the index of the marker line, or -1 if it never comes. */
static int
parse_heredoc(char **lines, int first, const char *marker, dumpfile_t *out)
{
    for (int i = first; lines[i]; i++) {
        if (strcmp(lines[i], marker) != 0)
            continue;
        char *saved = lines[i];
        lines[i] = NULL;
        g_free(out->dle_str);
        out->dle_str = g_strjoinv("\n", lines + first);
        lines[i] = saved;
        return i;
    }
    return -1;
}

static void
parse_key_line(const char *line, dumpfile_t *out)
{
    gint64 v;
    if (g_str_has_prefix(line, "CONT_FILENAME="))
        replace(&out->cont_filename, line + strlen("CONT_FILENAME="));
    else if (g_str_has_prefix(line, "APPLICATION="))
        replace(&out->application, line + strlen("APPLICATION="));
    else if (g_str_has_prefix(line, "PARTIAL="))
        out->is_partial = g_ascii_strcasecmp(line + strlen("PARTIAL="), "YES") == 0;
    else if (g_str_has_prefix(line, "ORIGSIZE=")) {
        if (parse_int(line + strlen("ORIGSIZE="), 0, G_MAXINT64, &v))
            out->orig_size = v;
    } else if (g_str_has_prefix(line, "NATIVE-CRC="))
        parse_crc(line + strlen("NATIVE-CRC="), &out->native_crc);
    else if (g_str_has_prefix(line, "CLIENT-CRC="))
        parse_crc(line + strlen("CLIENT-CRC="), &out->client_crc);
    else if (g_str_has_prefix(line, "SERVER-CRC="))
        parse_crc(line + strlen("SERVER-CRC="), &out->server_crc);
    /* anything else: a newer writer's field, skipped */
}

static void
parse_lines(char **lines, dumpfile_t *out)
{
    for (int i = 1; lines[i]; i++) {
        const char *line = lines[i];
        if (line[0] == '\f')
            return;
        if (g_str_has_prefix(line, "DLE=<<")) {
            int end = parse_heredoc(lines, i + 1, line + strlen("DLE=<<"), out);
            if (end < 0) {
                set_weird(out, "the DLE=<<%s heredoc is never closed", line + strlen("DLE=<<"));
                return;
            }
            i = end;
        } else if (strcmp(line, RESTORE_INTRO) == 0) {
            if (lines[i + 1] && lines[i + 1][0] != '\f')
                parse_restore_hint(lines[++i], out);
        } else {
            parse_key_line(line, out);
        }
    }
}

static gboolean
all_zero(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != '\0')
            return FALSE;
    return TRUE;
}

static gboolean
starts_like_amanda(const char *buf, size_t len)
{
    return (len >= 7 && memcmp(buf, "AMANDA:", 7) == 0)
        || (len >= 8 && memcmp(buf, "NETDUMP:", 8) == 0);
}

/* Checks on the raw text before it is split: size, termination and bytes. */
static gboolean
check_raw_text(const char *buf, size_t textlen, size_t len, GError **error)
{
    if (textlen > FILEHEADER_MAX_TEXT) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_TOO_LONG,
                    "tape header text runs for more than %d bytes without an end",
                    FILEHEADER_MAX_TEXT);
        return FALSE;
    }
    if (textlen == len && memchr(buf, '\f', textlen) == NULL) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_TRUNCATED,
                    "tape header is cut off after %zu bytes (no form feed, no NUL padding)",
                    len);
        return FALSE;
    }
    for (size_t i = 0; i < textlen; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
            g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_GARBAGE,
                        "tape header holds control byte 0x%02x at offset %zu", c, i);
            return FALSE;
        }
    }
    return TRUE;
}

gboolean
fileheader_parse(const char *buf, size_t len, dumpfile_t *out, GError **error)
{
    fileheader_init(out);
    if (len == 0 || buf == NULL) {
        g_set_error(error, FILEHEADER_ERROR, FILEHEADER_ERROR_TRUNCATED,
                    "tape header: no bytes to read");
        return FALSE;
    }
    if (all_zero(buf, len)) {
        out->type = FILEHEADER_EMPTY;
        return TRUE;
    }
    if (!starts_like_amanda(buf, len))
        return TRUE; /* UNKNOWN: data, not a header */
    const char *nul = memchr(buf, '\0', len);
    size_t textlen = nul ? (size_t)(nul - buf) : len;
    if (!check_raw_text(buf, textlen, len, error))
        return FALSE;
    g_autofree char *text = g_strndup(buf, textlen);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    /* tolerate CRLF line ends from hand-edited copies */
    for (char **l = lines; *l; l++) {
        size_t n = strlen(*l);
        if (n > 0 && (*l)[n - 1] == '\r')
            (*l)[n - 1] = '\0';
    }
    parse_first_line(lines[0], out);
    if (out->type != FILEHEADER_WEIRD)
        parse_lines(lines, out);
    return TRUE;
}
