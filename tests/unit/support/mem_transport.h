/*
 * A scripted in-memory sg_transport and a fake clock for unit tests.
 *
 * Each transport operation (open, send, recv) has its own script of steps, consumed in
 * order; an operation whose script is exhausted gets the default (open and send succeed,
 * recv reports an orderly close). A step may first let time pass on the fake clock: when
 * that delay exceeds the call's timeout the call advances the clock by the timeout, returns
 * SG_ERR_TIMEOUT and keeps the rest of the delay for the next call. A recv with timeout 0
 * (the client's idle-connection probe) sees EOF and error steps but never the start of a
 * DATA step: responses only come once a request was sent.
 *
 *   static const mem_step resp[] = {
 *       MEM_DATA_STR("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"),
 *       MEM_EOF(),
 *       MEM_ERROR(SG_ERR_IO),
 *   };
 *   mem_clock clk; mem_clock_init(&clk, 1000);
 *   mem_transport mt; mem_transport_init(&mt, &clk, capture, sizeof(capture));
 *   mem_transport_script_recv(&mt, resp, 3);
 *   sg_transport t = mem_transport_iface(&mt);
 *   sg_platform plat = mem_clock_platform(&clk);
 */
#ifndef MEM_TRANSPORT_H
#define MEM_TRANSPORT_H

#include <sitegpt/sg_base.h>

typedef struct mem_clock {
    uint64_t now_ms;
    uint64_t slept_ms; /* total of every sleep_ms call */
    uint32_t sleep_calls;
    uint32_t rng; /* state of the deterministic "random" bytes */
} mem_clock;

void mem_clock_init(mem_clock *c, uint64_t start_ms);
/* now_ms reads the clock, sleep_ms advances it, random gives a fixed xorshift sequence. */
sg_platform mem_clock_platform(mem_clock *c);

typedef enum mem_step_kind {
    MEM_STEP_DATA,  /* recv: deliver bytes (over several calls if cap is small);
                        send: accept at most len bytes of this call */
    MEM_STEP_EOF,   /* recv: orderly close (received 0); open/send: treated as SG_ERR_CLOSED */
    MEM_STEP_ERROR, /* return the error */
    MEM_STEP_OK     /* open/send: succeed normally (a placeholder to reach a later step) */
} mem_step_kind;

typedef struct mem_step {
    mem_step_kind kind;
    const void *data;
    size_t len;
    sg_status error;
    uint32_t delay_ms; /* time passing before the step happens */
} mem_step;

#define MEM_DATA(ptr, n)                    \
    {                                       \
        MEM_STEP_DATA, (ptr), (n), SG_OK, 0 \
    }
#define MEM_DATA_STR(s)                             \
    {                                               \
        MEM_STEP_DATA, (s), sizeof(s) - 1, SG_OK, 0 \
    }
#define MEM_DATA_STR_AFTER(ms, s)                      \
    {                                                  \
        MEM_STEP_DATA, (s), sizeof(s) - 1, SG_OK, (ms) \
    }
#define MEM_EOF()                       \
    {                                   \
        MEM_STEP_EOF, NULL, 0, SG_OK, 0 \
    }
#define MEM_ERROR(err)                    \
    {                                     \
        MEM_STEP_ERROR, NULL, 0, (err), 0 \
    }
#define MEM_OK()                       \
    {                                  \
        MEM_STEP_OK, NULL, 0, SG_OK, 0 \
    }
#define MEM_OK_AFTER(ms)                  \
    {                                     \
        MEM_STEP_OK, NULL, 0, SG_OK, (ms) \
    }
#define MEM_SEND_PARTIAL(n)                \
    {                                      \
        MEM_STEP_DATA, NULL, (n), SG_OK, 0 \
    }

typedef struct mem_script {
    const mem_step *steps;
    size_t count;
    size_t pos;         /* next step */
    size_t offset;      /* bytes of the current DATA step already delivered */
    uint32_t waited_ms; /* part of the current step's delay already spent */
} mem_script;

typedef struct mem_transport {
    mem_clock *clock; /* may be NULL: delays are then ignored */
    mem_script open_script;
    mem_script send_script;
    mem_script recv_script;
    size_t recv_max; /* largest piece one recv returns; 0: no limit */

    /* everything sent, over all connections */
    uint8_t *capture;
    size_t capture_cap;
    size_t captured;   /* bytes kept in capture */
    size_t sent_total; /* bytes sent, kept or not */

    bool is_open;
    unsigned opens; /* successful opens */
    unsigned open_calls;
    unsigned closes;
    unsigned sends;
    unsigned recvs;
    size_t received_total;
    char last_host[256];
    uint16_t last_port;
    uint32_t last_open_timeout_ms;
    uint32_t last_send_timeout_ms;
    uint32_t last_recv_timeout_ms;
} mem_transport;

void mem_transport_init(mem_transport *t, mem_clock *clock, uint8_t *capture, size_t capture_cap);
void mem_transport_script_open(mem_transport *t, const mem_step *steps, size_t count);
void mem_transport_script_send(mem_transport *t, const mem_step *steps, size_t count);
void mem_transport_script_recv(mem_transport *t, const mem_step *steps, size_t count);
sg_transport mem_transport_iface(mem_transport *t);

/*
 * The stack most tests start from: a fake clock, a scripted transport over it capturing what
 * is sent, and the interfaces of both. mem_net_init wires them; n must not move afterwards.
 */
typedef struct mem_net {
    mem_clock clock;
    mem_transport mt;
    sg_transport transport;
    sg_platform platform;
} mem_net;

void mem_net_init(mem_net *n, uint64_t start_ms, uint8_t *capture, size_t capture_cap);

/* Recv steps not yet consumed (a partly delivered DATA step counts). */
size_t mem_transport_recv_left(const mem_transport *t);

/* Occurrences of the NUL-terminated needle in the captured bytes (e.g. "GET /"). */
size_t mem_transport_count_sent(const mem_transport *t, const char *needle);

#endif /* MEM_TRANSPORT_H */
