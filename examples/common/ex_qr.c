/* QR rendering with libqrencode (see ex_qr.h). */
#include <qrencode.h>
#include <string.h>

#include "ex_qr.h"

#define QUIET        2
#define QR_WIDTH_MAX 177 /* version 40 */

/* Light module at (x, y), counting the quiet zone as light. */
static int light(const QRcode *q, int x, int y)
{
    if (x < 0 || y < 0 || x >= q->width || y >= q->width) {
        return 1;
    }
    return (q->data[y * q->width + x] & 1) == 0;
}

sg_status ex_qr_render(const char *text, ex_qr_row_fn row_fn, void *ctx)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
    if (q == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    /* Each cell is one of four glyphs of at most 3 bytes. */
    char row[3 * (QR_WIDTH_MAX + 2 * QUIET) + 1];
    for (int y = -QUIET; y < q->width + QUIET; y += 2) {
        size_t len = 0;
        for (int x = -QUIET; x < q->width + QUIET; x++) {
            int top = light(q, x, y), bottom = light(q, x, y + 1);
            const char *glyph = top && bottom ? "\xe2\x96\x88" /* full block */
                                : top         ? "\xe2\x96\x80" /* upper half */
                                : bottom      ? "\xe2\x96\x84" /* lower half */
                                              : " ";
            size_t g = strlen(glyph);
            memcpy(row + len, glyph, g);
            len += g;
        }
        row[len] = '\0';
        row_fn(ctx, row);
    }
    QRcode_free(q);
    return SG_OK;
}
