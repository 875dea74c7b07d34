/*
 * libFuzzer target for the device flow: the input scripts every answer the server gives
 * (through the in-memory transport of the unit tests, on a fake clock), then the flow runs
 * as the CLI runs it: start, then poll, waiting what poll asks. Records, one after another:
 *   0x00..0x7f  a JSON response: status from a table (low nibble), a delay (bits 4-6),
 *               a length byte, that many body bytes
 *   0x80..0xbf  raw bytes (any HTTP at all): a length byte, that many bytes
 *   0xc0..0xff  a transport failure from a table (low 3 bits), after a delay
 * Once the script is used up the server hangs up on every request.
 * Properties: the flow reaches a final status, never later than the code's lifetime (plus
 * one request's deadline); PENDING always asks for a wait inside that lifetime; requests
 * are never closer than one second; after a failure no secret is left in the struct (the
 * token request body, the access token room, the string buffer are zero); after success
 * the token is handed over once and then neither it nor the device code remains.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem_transport.h"
#include <sitegpt/sg_device.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS          48
#define REQUEST_TIMEOUT_MS 5000u
#define MAX_POLLS          4000

static const int k_status[16] = {200, 200, 200, 400, 400, 400, 401, 403,
                                 404, 429, 500, 503, 302, 201, 204, 418};
static const sg_status k_fail[8] = {SG_ERR_IO,  SG_ERR_TIMEOUT, SG_ERR_CLOSED, SG_ERR_CONNECT,
                                    SG_ERR_TLS, SG_ERR_DNS,     SG_ERR_CERT,   SG_ERR_CANCELLED};

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        if (b[i] != 0) {
            return false;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mem_net net;
    static sg_http_client http;
    static uint8_t io[1024];
    static uint8_t capture[1];
    /* A head (under 100 bytes) plus a body of up to 255. */
    static char pool[MAX_STEPS][384];
    static mem_step steps[MAX_STEPS];
    static sg_device d;
    size_t nsteps = 0;

    for (size_t i = 0; i < size && nsteps < MAX_STEPS;) {
        uint8_t h = data[i++];
        uint32_t delay = (uint32_t)((h >> 4) & 7) * 700u;
        if (h < 0x80 || h < 0xc0) {
            size_t len = i < size ? data[i++] : 0;
            if (len > size - i) {
                len = size - i;
            }
            char *b = pool[nsteps];
            int n;
            if (h < 0x80) {
                n = snprintf(b, sizeof pool[0],
                             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n\r\n",
                             k_status[h & 15], len);
            } else {
                n = 0;
                delay = 0;
            }
            if (n < 0 || (size_t)n + len > sizeof pool[0]) {
                abort();
            }
            memcpy(b + n, data + i, len);
            i += len;
            steps[nsteps++] = (mem_step){MEM_STEP_DATA, b, (size_t)n + len, SG_OK, delay};
        } else {
            steps[nsteps++] = (mem_step){MEM_STEP_ERROR, NULL, 0, k_fail[h & 7], delay};
        }
    }

    mem_net_init(&net, 1000000, capture, 0);
    mem_transport_script_recv(&net.mt, steps, nsteps);
    sg_http_config hc = {.platform = &net.platform,
                         .plain = &net.transport,
                         .connect_timeout_ms = 1000,
                         .read_timeout_ms = 1000,
                         .request_timeout_ms = REQUEST_TIMEOUT_MS};
    if (sg_http_client_init(&http, &hc, io, sizeof io) != SG_OK) {
        abort();
    }
    sg_device_config cfg = {
        .http = &http, .platform = &net.platform, .base = {"127.0.0.1", 8080, false}};

    sg_status st = sg_device_start(&d, &cfg);
    if (st != SG_OK) {
        if (!all_zero(d._private.body, sizeof d._private.body) ||
            !all_zero(&d._private.u, sizeof d._private.u) ||
            !all_zero(d._private.str, sizeof d._private.str)) {
            abort();
        }
        return 0;
    }
    if (d.expires_in == 0 || d.interval == 0 || d.user_code[0] == '\0' ||
        d.verification_uri[0] == '\0') {
        abort();
    }
    uint64_t expires_at = net.clock.now_ms + (uint64_t)d.expires_in * 1000u;
    uint64_t last_send_at = 0;
    bool sent_before = false;
    int polls = 0;
    for (;;) {
        size_t sent = net.mt.sent_total;
        uint64_t before = net.clock.now_ms;
        uint32_t wait = 12345;
        st = sg_device_poll(&d, &wait);
        if (net.mt.sent_total != sent) {
            if (sent_before && before - last_send_at < 1000) {
                abort(); /* faster than 1/s */
            }
            sent_before = true;
            last_send_at = before;
        }
        if (st != SG_ERR_AUTHORIZATION_PENDING) {
            break;
        }
        if (wait == 0 || net.clock.now_ms + wait > expires_at) {
            abort();
        }
        net.clock.now_ms += wait;
        if (++polls > MAX_POLLS) {
            return 0; /* a very long-lived code: nothing to conclude */
        }
    }
    if (net.clock.now_ms > expires_at + REQUEST_TIMEOUT_MS) {
        abort();
    }
    if (!all_zero(d._private.body, sizeof d._private.body) ||
        !all_zero(d._private.str, sizeof d._private.str)) {
        abort();
    }
    if (st != SG_OK) {
        if (st == SG_ERR_INVALID_ARG || !all_zero(&d._private.u, sizeof d._private.u)) {
            abort();
        }
        uint32_t w = 7;
        if (sg_device_poll(&d, &w) != SG_ERR_INVALID_ARG || w != 0) {
            abort(); /* over */
        }
        return 0;
    }
    static char tok[SG_DEVICE_TOKEN_MAX];
    if (sg_device_take_token(&d, tok, sizeof tok) != SG_OK || tok[0] == '\0') {
        abort();
    }
    if (!all_zero(&d._private.u, sizeof d._private.u) || !all_zero(io, sizeof io)) {
        abort();
    }
    if (sg_device_take_token(&d, tok, sizeof tok) != SG_ERR_INVALID_ARG) {
        abort();
    }
    sg_device_clear(&d);
    return 0;
}
