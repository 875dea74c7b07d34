/*
 * A QR code as text rows for a terminal or a log (libqrencode), shared by `sitegpt login
 * --qr` and sitegpt-gateway --qr. Two module rows per text row in UTF-8 half blocks, light
 * modules drawn and dark ones left blank (so it scans on the usual dark terminal), as
 * `qrencode -t UTF8` does, inside a 2-module quiet zone.
 */
#ifndef EX_QR_H
#define EX_QR_H

#include <sitegpt/sg_base.h>

/* Receives one text row, NUL-terminated, without a line ending. */
typedef void (*ex_qr_row_fn)(void *ctx, const char *row);

/* Draw text as a QR code, row by row. SG_ERR_INVALID_ARG when it cannot be encoded. */
SG_NODISCARD sg_status ex_qr_render(const char *text, ex_qr_row_fn row, void *ctx);

#endif /* EX_QR_H */
