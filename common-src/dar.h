/* dar: the "DAR start:end" lines of Direct Access Recovery: amgtar writes
 * them (restore --dar yes), amrecover reads its application's and relays
 * them, amidxtaped reads amrecover's.  A range is a byte range of the dump image as the
 * application reads it: START and END inclusive, END "-1" for the end of
 * the image.  Pure functions, unit-tested in tests/test-dar.c. */
#ifndef DAR_H
#define DAR_H

#include <glib.h>

#define DAR_END_OF_IMAGE G_MAXUINT64

typedef struct {
    guint64 start;   /* first byte */
    guint64 end;     /* last byte, inclusive, or DAR_END_OF_IMAGE */
} DarRange;

/* "DAR 4096:6143" -> 4096, 6143; "DAR 4096:-1" -> 4096, DAR_END_OF_IMAGE.
 * FALSE (outputs undefined) for anything else: other words, signs,
 * blanks, trailing text, END before START. */
gboolean dar_parse_line(const char *line, guint64 *start, guint64 *end);

/* Append the line for START..END (with its newline) to OUT. */
void dar_append_line(GString *out, guint64 start, guint64 end);

/* How many bytes of an IMAGE_SIZE-byte image START..END holds; with
 * IMAGE_SIZE 0 (unknown), END must be known or the answer is -1. */
gint64 dar_range_bytes(guint64 start, guint64 end, guint64 image_size);

#endif
