/* sendbackup-data: the data path of sendbackup, between the application's
 * image (fd 1 of the application) and the DATA stream.
 *
 *   native bytes -> CRC32 (native) -> [zlib gzip, level 1 or 9]
 *                -> [external filters: custom compress, then encrypt]
 *                -> CRC32 (client) -> DATA fd
 *
 * zlib runs in-process; external filters are child processes chained with
 * pipes, and a thread copies the last one's output to DATA (so a filter
 * that holds its output back can never dead-lock our writes to it). */
#ifndef SENDBACKUP_DATA_H
#define SENDBACKUP_DATA_H

#include <glib.h>

#include "client-util.h"

typedef struct sendbackup_data sendbackup_data_t;

/* OUT_FD is the DATA fd (not closed by us).  ZLEVEL 0 means no zlib stage,
 * otherwise the gzip level.  FILTERS is a NULL-terminated list of program
 * paths (may be NULL), each run without arguments. */
sendbackup_data_t *sendbackup_data_new(int out_fd, int zlevel, const char *const *filters,
                                       GError **error);
gboolean sendbackup_data_write(sendbackup_data_t *d, const void *buf, size_t len, GError **error);
/* Move what IN_FD has now (up to SIZE bytes; BUF is scratch space of
 * SIZE) through the chain: the bytes written, or 0 at EOF, or -1 with
 * ERROR.  When the image goes out unchanged and both ends are pipes the
 * bytes are tee(2)'d, not copied. */
ssize_t sendbackup_data_from_fd(sendbackup_data_t *d, int in_fd, char *buf, size_t size,
                                GError **error);
/* Flush everything, wait for the filters; fills both CRCs.  FALSE with
 * ERROR if a stage failed. */
gboolean sendbackup_data_finish(sendbackup_data_t *d, client_crc_t *native, client_crc_t *client,
                                GError **error);
void sendbackup_data_free(sendbackup_data_t *d);

#endif
