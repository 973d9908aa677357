/* dar: the "DAR start:end" lines of Direct Access Recovery, shared by
 * amrecover (reading its application's ranges) and amidxtaped (reading
 * amrecover's).  A range is a byte range of the dump image as the
 * application reads it: START and END inclusive, END "-1" for the end of
 * the image.  Pure functions, unit-tested in tests/test-dar.c. */
#ifndef DAR_H
#define DAR_H

#include <glib.h>

#define DAR_END_OF_IMAGE G_MAXUINT64

/* "DAR 4096:6143" -> 4096, 6143; "DAR 4096:-1" -> 4096, DAR_END_OF_IMAGE.
 * FALSE (outputs undefined) for anything else: other words, signs,
 * blanks, trailing text, END before START. */
gboolean dar_parse_line(const char *line, guint64 *start, guint64 *end);

/* How many bytes of an IMAGE_SIZE-byte image START..END holds; with
 * IMAGE_SIZE 0 (unknown), END must be known or the answer is -1. */
gint64 dar_range_bytes(guint64 start, guint64 end, guint64 image_size);

#endif
