/*
 * libFuzzer target for the typed list calls (tokens and chatbots), through sg_api, the HTTP
 * client and the in-memory transport. Input: a knob byte (which list, all pages or one,
 * chunked or Content-Length, the largest piece one recv returns), then up to four page
 * bodies separated by 0xfe (a byte no UTF-8 text holds). Each page is served as a 200.
 * Property: when the call succeeds, the items it streamed, in order and byte for byte, are
 * those a whole-buffer parse of the same pages finds under data.<list>, and the last
 * page's hasNextPage and nextCursor are what that parse says; the counts agree.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_walk.h"
#include "mem_transport.h"
#include <sitegpt/sg_api.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAGES 4
#define ITEMS_MAX 65536

typedef struct seen {
    char text[ITEMS_MAX]; /* raw items, each followed by a 0xff separator */
    size_t len;
    size_t items;
} seen;

static seen streamed, oracle;
static sg_status item_failure; /* what on_item last refused an item with */

static void add_item(seen *s, const char *p, size_t n)
{
    if (s->len + n + 1 > sizeof s->text) {
        abort(); /* the pages fit the input: cannot happen */
    }
    memcpy(s->text + s->len, p, n);
    s->len += n;
    s->text[s->len++] = (char)0xff;
    s->items++;
}

static sg_status on_item(void *ctx, const sg_json_element *e)
{
    (void)ctx;
    sg_slice raw;
    sg_json_type ty;
    sg_status st = sg_json_elem_type(e, 0, &ty);
    if (st == SG_ERR_JSON_TOO_MANY_TOKENS) {
        /* Elements are tokenized when first read: one with more tokens than the reader
           holds fails here, and the call must end with this status (checked by the caller). */
        item_failure = st;
        return st;
    }
    if (st != SG_OK || ty != SG_JSON_OBJECT || sg_json_tok_raw(e, 0, &raw) != SG_OK) {
        abort();
    }
    add_item(&streamed, raw.ptr, raw.len);
    return SG_OK;
}

/* Value tokens of members named key of object obj, in order. */
static size_t members_named(const sg_json_element *e, int obj, const char *key, int *out,
                            size_t max)
{
    size_t n = 0;
    if (obj < 0 || walk_type(e, obj) != SG_JSON_OBJECT) {
        return 0;
    }
    int k = obj + 1;
    for (size_t m = walk_size(e, obj); m > 0; m--, k = walk_next(e, k + 1)) {
        if (walk_key_is(e, k, key) && n < max) {
            out[n++] = k + 1;
        }
    }
    return n;
}

typedef struct page_truth {
    bool has_next;
    char cursor[SG_API_CURSOR_MAX];
} page_truth;

/* The whole-buffer reading of one page; false when it cannot be had (too many tokens). */
static bool read_page(const char *body, size_t len, const char *list, page_truth *pt)
{
    static sg_json_tok toks[8192];
    sg_json_element e;
    memset(pt, 0, sizeof *pt);
    if (sg_json_parse(body, len, toks, sizeof toks / sizeof toks[0], &e) != SG_OK) {
        return false;
    }
    int datas[64], lists[64], pags[64], vals[64];
    size_t nd = members_named(&e, 0, "data", datas, 64);
    for (size_t i = 0; i < nd; i++) {
        size_t nl = members_named(&e, datas[i], list, lists, 64);
        for (size_t j = 0; j < nl; j++) {
            int arr = lists[j];
            if (walk_type(&e, arr) != SG_JSON_ARRAY) {
                continue;
            }
            int t = arr + 1;
            for (size_t left = walk_size(&e, arr); left > 0; left--, t = walk_next(&e, t)) {
                sg_slice raw;
                if (sg_json_tok_raw(&e, t, &raw) != SG_OK) {
                    abort();
                }
                add_item(&oracle, raw.ptr, raw.len);
            }
        }
        size_t np = members_named(&e, datas[i], "pagination", pags, 64);
        for (size_t j = 0; j < np; j++) {
            size_t nv = members_named(&e, pags[j], "hasNextPage", vals, 64);
            for (size_t v = 0; v < nv; v++) {
                if (sg_json_tok_bool(&e, vals[v], &pt->has_next) != SG_OK) {
                    abort();
                }
            }
            nv = members_named(&e, pags[j], "nextCursor", vals, 64);
            for (size_t v = 0; v < nv; v++) {
                size_t cl = 0;
                bool null = false;
                if (sg_json_tok_is_null(&e, vals[v], &null) == SG_OK && null) {
                    pt->cursor[0] = '\0';
                } else if (sg_json_tok_string(&e, vals[v], pt->cursor, sizeof pt->cursor, &cl) !=
                           SG_OK) {
                    abort();
                }
            }
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mem_net net;
    static sg_http_client http;
    static sg_api api;
    static sg_envelope env;
    static uint8_t io[1024];
    static uint64_t work[1024]; /* 8 KB */
    static char pool[MAX_PAGES][8192];
    static mem_step steps[MAX_PAGES];
    if (size < 1 || size > 4096) {
        return 0;
    }
    uint8_t knobs = data[0];
    bool chatbots = knobs & 1, all_pages = knobs & 2, chunked = knobs & 4;
    const char *list = chatbots ? "chatbots" : "tokens";

    const char *body[MAX_PAGES];
    size_t blen[MAX_PAGES];
    size_t pages = 0;
    const uint8_t *p = data + 1, *end = data + size;
    while (pages < MAX_PAGES) {
        const uint8_t *sep = memchr(p, 0xfe, (size_t)(end - p));
        body[pages] = (const char *)p;
        blen[pages] = sep ? (size_t)(sep - p) : (size_t)(end - p);
        char *r = pool[pages];
        int n =
            snprintf(r, sizeof pool[0], "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
        if (chunked) {
            n += snprintf(r + n, sizeof pool[0] - (size_t)n, "Transfer-Encoding: chunked\r\n\r\n");
            /* chunks of at most 37 bytes: sizes in hex cross piece boundaries too */
            for (size_t o = 0; o < blen[pages];) {
                size_t c = blen[pages] - o < 37 ? blen[pages] - o : 37;
                n += snprintf(r + n, sizeof pool[0] - (size_t)n, "%zx\r\n", c);
                memcpy(r + n, body[pages] + o, c);
                n += (int)c;
                n += snprintf(r + n, sizeof pool[0] - (size_t)n, "\r\n");
                o += c;
            }
            n += snprintf(r + n, sizeof pool[0] - (size_t)n, "0\r\n\r\n");
        } else {
            n += snprintf(r + n, sizeof pool[0] - (size_t)n, "Content-Length: %zu\r\n\r\n",
                          blen[pages]);
            memcpy(r + n, body[pages], blen[pages]);
            n += (int)blen[pages];
        }
        steps[pages] = (mem_step){MEM_STEP_DATA, r, (size_t)n, SG_OK, 0};
        pages++;
        if (sep == NULL) {
            break;
        }
        p = sep + 1;
    }

    mem_net_init(&net, 1000000, NULL, 0);
    mem_transport_script_recv(&net.mt, steps, pages);
    net.mt.recv_max = (knobs >> 3) == 0 ? 0 : (size_t)(knobs >> 3) * 3;
    sg_http_config hc = {&net.platform, &net.transport, &net.transport, 1000, 1000, 5000};
    if (sg_http_client_init(&http, &hc, io, sizeof io) != SG_OK) {
        abort();
    }
    sg_api_config ac = {&http,
                        {"127.0.0.1", 8080, false},
                        "",
                        "sgpt_fuzz_token",
                        {1, 100, 1000, 10000},
                        &net.platform,
                        work,
                        sizeof work,
                        0};
    if (sg_api_init(&api, &ac) != SG_OK) {
        abort();
    }

    streamed.len = streamed.items = 0;
    oracle.len = oracle.items = 0;
    item_failure = SG_OK;
    sg_api_list_params lp = {0, NULL, false, all_pages};
    sg_api_list_out out = {on_item, NULL, NULL, {0}, 0};
    sg_status st = chatbots ? sg_api_chatbots_list(&api, &lp, &out, &env)
                            : sg_api_tokens_list(&api, &lp, &out, &env);
    if (item_failure != SG_OK && st != item_failure) {
        abort(); /* a callback's refusal must end the call with its status */
    }
    if (st != SG_OK) {
        return 0;
    }
    if (out.last.page < 1 || out.last.page > pages) {
        abort();
    }
    page_truth pt;
    for (size_t i = 0; i < out.last.page; i++) {
        if (!read_page(body[i], blen[i], list, &pt)) {
            return 0;
        }
    }
    if (streamed.items != oracle.items || out.total_items != oracle.items ||
        streamed.len != oracle.len || memcmp(streamed.text, oracle.text, oracle.len) != 0 ||
        out.last.has_next_page != pt.has_next || strcmp(out.last.next_cursor, pt.cursor) != 0) {
        abort();
    }
    return 0;
}
