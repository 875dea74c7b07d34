/* Scripted in-memory transport and fake clock; see mem_transport.h. */
#include "mem_transport.h"

#include <string.h>

static uint64_t clock_now(void *ctx)
{
    return ((mem_clock *)ctx)->now_ms;
}

static void clock_sleep(void *ctx, uint32_t ms)
{
    mem_clock *c = ctx;
    c->now_ms += ms;
    c->slept_ms += ms;
    c->sleep_calls++;
}

static sg_status clock_random(void *ctx, uint8_t *out, size_t len)
{
    mem_clock *c = ctx;
    for (size_t i = 0; i < len; i++) {
        c->rng ^= c->rng << 13;
        c->rng ^= c->rng >> 17;
        c->rng ^= c->rng << 5;
        out[i] = (uint8_t)c->rng;
    }
    return SG_OK;
}

void mem_clock_init(mem_clock *c, uint64_t start_ms)
{
    memset(c, 0, sizeof(*c));
    c->now_ms = start_ms;
    c->rng = 0x2545f491u;
}

sg_platform mem_clock_platform(mem_clock *c)
{
    sg_platform p = {c, clock_now, clock_sleep, clock_random};
    return p;
}

void mem_net_init(mem_net *n, uint64_t start_ms, uint8_t *capture, size_t capture_cap)
{
    mem_clock_init(&n->clock, start_ms);
    mem_transport_init(&n->mt, &n->clock, capture, capture_cap);
    n->transport = mem_transport_iface(&n->mt);
    n->platform = mem_clock_platform(&n->clock);
}

void mem_transport_init(mem_transport *t, mem_clock *clock, uint8_t *capture, size_t capture_cap)
{
    memset(t, 0, sizeof(*t));
    t->clock = clock;
    t->capture = capture;
    t->capture_cap = capture ? capture_cap : 0;
}

static void script_set(mem_script *s, const mem_step *steps, size_t count)
{
    memset(s, 0, sizeof(*s));
    s->steps = steps;
    s->count = count;
}

void mem_transport_script_open(mem_transport *t, const mem_step *steps, size_t count)
{
    script_set(&t->open_script, steps, count);
}

void mem_transport_script_send(mem_transport *t, const mem_step *steps, size_t count)
{
    script_set(&t->send_script, steps, count);
}

void mem_transport_script_recv(mem_transport *t, const mem_step *steps, size_t count)
{
    script_set(&t->recv_script, steps, count);
}

/*
 * The step the call gets, after letting its delay pass; NULL when the script is
 * exhausted. *timed_out when the delay outlasts timeout_ms (the step stays pending).
 */
static const mem_step *script_next(mem_transport *t, mem_script *s, uint32_t timeout_ms,
                                   bool *timed_out)
{
    *timed_out = false;
    if (s->pos >= s->count) {
        return NULL;
    }
    const mem_step *st = &s->steps[s->pos];
    uint32_t left = st->delay_ms - s->waited_ms;
    if (left > timeout_ms) {
        s->waited_ms += timeout_ms;
        if (t->clock) {
            t->clock->now_ms += timeout_ms;
        }
        *timed_out = true;
        return st;
    }
    s->waited_ms = st->delay_ms;
    if (t->clock) {
        t->clock->now_ms += left;
    }
    return st;
}

static void script_advance(mem_script *s)
{
    s->pos++;
    s->offset = 0;
    s->waited_ms = 0;
}

/* Consume step st (may be NULL) of an open or send script: what an ERROR or EOF step makes
 * the call return, SG_OK for the others. */
static sg_status take_step(mem_script *s, const mem_step *st)
{
    if (st == NULL) {
        return SG_OK;
    }
    script_advance(s);
    if (st->kind == MEM_STEP_ERROR) {
        return st->error;
    }
    return st->kind == MEM_STEP_EOF ? SG_ERR_CLOSED : SG_OK;
}

static sg_status mt_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    mem_transport *t = ctx;
    bool timed_out;
    t->open_calls++;
    t->last_open_timeout_ms = timeout_ms;
    if (host != NULL) {
        size_t n = strlen(host);
        n = n < sizeof(t->last_host) - 1 ? n : sizeof(t->last_host) - 1;
        memcpy(t->last_host, host, n);
        t->last_host[n] = '\0';
    }
    t->last_port = port;
    const mem_step *st = script_next(t, &t->open_script, timeout_ms, &timed_out);
    if (timed_out) {
        return SG_ERR_TIMEOUT;
    }
    sg_status failed = take_step(&t->open_script, st);
    if (failed != SG_OK) {
        return failed;
    }
    t->is_open = true;
    t->opens++;
    return SG_OK;
}

static sg_status mt_send(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                         uint32_t timeout_ms)
{
    mem_transport *t = ctx;
    bool timed_out;
    *sent = 0;
    t->sends++;
    t->last_send_timeout_ms = timeout_ms;
    if (!t->is_open) {
        return SG_ERR_CLOSED;
    }
    const mem_step *st = script_next(t, &t->send_script, timeout_ms, &timed_out);
    if (timed_out) {
        return SG_ERR_TIMEOUT;
    }
    size_t n = len;
    sg_status failed = take_step(&t->send_script, st);
    if (failed != SG_OK) {
        return failed;
    }
    if (st != NULL && st->kind == MEM_STEP_DATA && st->len < n) {
        n = st->len; /* a partial send */
    }
    size_t keep = t->capture_cap - t->captured;
    keep = n < keep ? n : keep;
    if (keep > 0) {
        memcpy(t->capture + t->captured, data, keep);
        t->captured += keep;
    }
    t->sent_total += n;
    *sent = n;
    return SG_OK;
}

static sg_status mt_recv(void *ctx, uint8_t *buf, size_t cap, size_t *received, uint32_t timeout_ms)
{
    mem_transport *t = ctx;
    mem_script *s = &t->recv_script;
    bool timed_out;
    *received = 0;
    t->recvs++;
    t->last_recv_timeout_ms = timeout_ms;
    if (!t->is_open) {
        return SG_ERR_CLOSED;
    }
    /* A poll (timeout 0) between exchanges: a scripted response has not been asked for yet. */
    if (timeout_ms == 0 && s->pos < s->count && s->steps[s->pos].kind == MEM_STEP_DATA &&
        s->offset == 0) {
        return SG_ERR_TIMEOUT;
    }
    const mem_step *st = script_next(t, s, timeout_ms, &timed_out);
    if (timed_out) {
        return SG_ERR_TIMEOUT;
    }
    if (st == NULL) {
        return SG_OK; /* nothing scripted: the peer closed */
    }
    if (st->kind == MEM_STEP_ERROR) {
        script_advance(s);
        return st->error;
    }
    if (st->kind != MEM_STEP_DATA) {
        script_advance(s);
        return SG_OK;
    }
    size_t n = st->len - s->offset;
    n = n < cap ? n : cap;
    if (t->recv_max > 0 && n > t->recv_max) {
        n = t->recv_max;
    }
    memcpy(buf, (const uint8_t *)st->data + s->offset, n);
    s->offset += n;
    if (s->offset == st->len) {
        script_advance(s);
    }
    t->received_total += n;
    *received = n;
    return SG_OK;
}

static void mt_close(void *ctx)
{
    mem_transport *t = ctx;
    t->closes++;
    t->is_open = false;
}

sg_transport mem_transport_iface(mem_transport *t)
{
    sg_transport tr = {t, mt_open, mt_send, mt_recv, mt_close};
    return tr;
}

size_t mem_transport_recv_left(const mem_transport *t)
{
    return t->recv_script.count - t->recv_script.pos;
}

size_t mem_transport_count_sent(const mem_transport *t, const char *needle)
{
    size_t n = strlen(needle);
    size_t hits = 0;
    if (n == 0 || t->captured < n) {
        return 0;
    }
    for (size_t i = 0; i + n <= t->captured; i++) {
        if (memcmp(t->capture + i, needle, n) == 0) {
            hits++;
        }
    }
    return hits;
}
