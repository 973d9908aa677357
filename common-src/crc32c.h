/* crc32c: the CRC AMANDA 3.5 puts in NATIVE-CRC, CLIENT-CRC and SERVER-CRC
 * (header lines, sendbackup MESG lines, run log, driver results): CRC-32C
 * (Castagnoli, reflected polynomial 0x82F63B78), checked against the
 * values a stock 3.5.1 client reports.  The one implementation the client,
 * the server and the restore tools share: three interleaved lanes of the
 * SSE4.2 crc32 instruction when the CPU has it, a slicing-by-8 table
 * otherwise. */
#ifndef CRC32C_H
#define CRC32C_H

#include <glib.h>

/* Chainable like zlib's crc32(): start with 0, pass the previous result. */
guint32 crc32c(guint32 crc, const void *buf, gsize len);

/* The same value from the table path alone, whatever the CPU: tests check
 * the hardware path against it. */
guint32 crc32c_by_table(guint32 crc, const void *buf, gsize len);

#endif
