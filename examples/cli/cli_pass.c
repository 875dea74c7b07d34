/*
 * sitegpt CLI: --json passthrough of response bodies. A body is held until it is known to be
 * one complete JSON document, so stdout never gets raw or cut bytes; a body that is not
 * JSON is dropped and the caller prints an ok:false envelope instead.
 */
#include <string.h>

#include "cli.h"

static struct {
    uint8_t buf[CLI_PASS_MAX];
    size_t len;
    bool too_large;
    bool started;
    sg_status json; /* the reader's verdict so far */
    sg_json_reader reader;
} pass;

void cli_pass_reset(void)
{
    sg_json_config cfg;
    memset(&cfg, 0, sizeof cfg);
    sg_wipe(pass.buf, pass.len);
    pass.len = 0;
    pass.too_large = false;
    pass.started = false;
    pass.json = sg_json_reader_init(&pass.reader, &cfg);
}

sg_status cli_pass_sink(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    if (!pass.started) {
        cli_pass_reset();
        pass.started = true;
    }
    if (pass.json == SG_OK) {
        pass.json = sg_json_reader_feed(&pass.reader, data, len);
    }
    if (len > sizeof pass.buf - pass.len) {
        pass.too_large = true;
        return SG_OK; /* keep reading: the caller reports it once the response is over */
    }
    if (len > 0) {
        memcpy(pass.buf + pass.len, data, len);
        pass.len += len;
    }
    return SG_OK;
}

/* The document with DEL and C1 controls as \u escapes: the same JSON, safe on a terminal.
 * In a valid document those bytes can only stand inside strings. */
static void print_safe(const uint8_t *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        bool c1 = p[i] == 0xC2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] < 0xA0;
        if (p[i] != 0x7f && !c1) {
            continue;
        }
        (void)fwrite(p + run, 1, i - run, stdout);
        uint8_t c = c1 ? p[++i] : p[i];
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        (void)fwrite(esc, 1, sizeof esc, stdout);
        run = i + 1;
    }
    (void)fwrite(p + run, 1, len - run, stdout);
}

cli_pass_result cli_pass_flush(void)
{
    cli_pass_result r;
    if (!pass.started || pass.len == 0) {
        r = pass.too_large ? CLI_PASS_TOO_LARGE : CLI_PASS_EMPTY;
    } else if (pass.too_large) {
        r = CLI_PASS_TOO_LARGE;
    } else if (pass.json != SG_OK || sg_json_reader_finish(&pass.reader) != SG_OK) {
        r = CLI_PASS_NOT_JSON;
    } else {
        print_safe(pass.buf, pass.len);
        fputc('\n', stdout);
        fflush(stdout);
        r = CLI_PASS_PRINTED;
    }
    cli_pass_reset();
    return r;
}
