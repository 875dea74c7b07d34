/*
 * sitegpt-gateway: a QR code as text lines for a console or a log (libqrencode).
 * Two module rows per line with Unicode half blocks, dark modules drawn as spaces on a
 * light border so it scans on the usual dark terminal; a 2-module quiet zone.
 */
#ifndef GW_QR_H
#define GW_QR_H

#include "sg_base.h"

/* Log text as a QR code, one gw_log_raw line per text row. SG_ERR_INVALID_ARG if it cannot
 * be encoded (the caller still shows the URL and the code in words). */
SG_NODISCARD sg_status gw_qr_log(const char *text);

#endif /* GW_QR_H */
