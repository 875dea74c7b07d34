/* Split feeding of the HTTP response parser; see http_feed.h. */
#include "http_feed.h"

#include <string.h>

bool http_feed(const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts, size_t bufsize,
               bool head, const sg_http_sink *sink, http_feed_result *out)
{
    static uint8_t buf[HTTP_FEED_BUF_MAX];
    sg_http_parser p;
    memset(out, 0, sizeof(*out));
    if (bufsize > sizeof(buf) || sg_http_parser_init(&p, buf, bufsize, sink, head) != SG_OK) {
        return false;
    }
    size_t start = 0;
    sg_status st = SG_OK;
    for (size_t i = 0; i <= ncuts && st == SG_OK && !p.done; i++) {
        size_t end = i < ncuts ? cuts[i] : len;
        size_t used = 0;
        st = sg_http_parser_feed(&p, in + start, end - start, &used);
        if (used > end - start || (st == SG_OK && !p.done && used != end - start)) {
            return false; /* only a complete response leaves bytes */
        }
        out->consumed += used;
        start = end;
    }
    if (st == SG_OK && !p.done) {
        st = sg_http_parser_finish(&p);
    }
    if (st != SG_OK) {
        size_t used = 99;
        if (sg_http_parser_feed(&p, (const uint8_t *)"x", 1, &used) != st || used != 0 ||
            sg_http_parser_finish(&p) != st) {
            return false;
        }
        out->consumed = 0;
    }
    out->st = st;
    out->status = p.status;
    out->done = p.done;
    out->keep_alive = p.keep_alive;
    out->body_mode = (uint8_t)p.body_mode;
    out->content_length = p.content_length;
    return true;
}
