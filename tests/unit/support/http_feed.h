/*
 * Feed one HTTP response to sg_http_parser in pieces, the way the unit test and the fuzz
 * target both compare a whole parse with split ones. No cmocka here (the fuzz target links
 * this file alone): a broken parser contract comes back as false.
 */
#ifndef HTTP_FEED_H
#define HTTP_FEED_H

#include <sitegpt/sg_http.h>

/* What a parse gave, whatever the pieces (the sink saw the rest). */
typedef struct http_feed_result {
    sg_status st;
    int status;
    bool done;
    bool keep_alive;
    uint8_t body_mode;
    size_t consumed; /* 0 after an error: where it stops is not in the contract */
    uint64_t content_length;
} http_feed_result;

/*
 * Parse in[0..len) with a bufsize-byte header buffer (at most HTTP_FEED_BUF_MAX) into sink,
 * fed in pieces ending at cuts[] (ascending; the last piece runs to len), then finished when
 * the input ran out first. false when the parser broke its contract: a piece consumed past
 * its end, bytes left over before the response was complete, or an error that was not
 * sticky (later feed and finish give it again, consuming nothing).
 */
#define HTTP_FEED_BUF_MAX 8192u
bool http_feed(const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts, size_t bufsize,
               bool head, const sg_http_sink *sink, http_feed_result *out);

#endif /* HTTP_FEED_H */
