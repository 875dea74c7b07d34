/* POSIX platform: TCP transport against loopback servers, clock, sleep, entropy. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "loopback.h"
#include <sitegpt/sg_posix.h>

#define T_MS 5000u

/* ---------------------------------------------------------------- servers --- */

static void serve_echo(int fd, void *arg)
{
    uint8_t buf[512];
    ssize_t n;
    (void)arg;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
        if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n) {
            return;
        }
    }
}

static void serve_close(int fd, void *arg)
{
    (void)fd;
    (void)arg;
}

/* Waits for one byte, then aborts the connection with a RST. */
static void serve_reset(int fd, void *arg)
{
    uint8_t b;
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    (void)arg;
    (void)recv(fd, &b, 1, 0);
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

typedef struct server {
    int fd;
    uint16_t port;
    pid_t pid;
} server;

static void start(server *s, loopback_serve_fn fn)
{
    s->fd = loopback_listen(&s->port);
    assert_true(s->fd >= 0);
    s->pid = fn != NULL ? loopback_fork_server(s->fd, fn, NULL) : 0;
    assert_true(s->pid >= 0);
}

static void stop(server *s)
{
    loopback_stop_server(s->pid);
    close(s->fd);
}

/* Start a server serving with fn (NULL: listen only) and connect tcp to it through host. */
static sg_transport *connect_to(server *s, loopback_serve_fn fn, sg_posix_tcp *tcp,
                                volatile sig_atomic_t *cancel, const char *host)
{
    start(s, fn);
    assert_int_equal(sg_posix_tcp_init(tcp, cancel), SG_OK);
    sg_transport *tr = &tcp->transport;
    assert_int_equal(tr->open(tr->ctx, host, s->port, T_MS), SG_OK);
    return tr;
}

/* Close the connection, then stop its server. */
static void hang_up(server *s, sg_transport *tr)
{
    tr->close(tr->ctx);
    stop(s);
}

/* One recv that must end with want and no bytes. */
static void expect_empty_recv(sg_transport *tr, uint32_t timeout_ms, sg_status want)
{
    uint8_t buf[16];
    size_t n = 99;
    assert_int_equal(tr->recv(tr->ctx, buf, sizeof buf, &n, timeout_ms), want);
    assert_int_equal(n, 0);
}

/* Receive exactly len bytes or fail the test. */
static void recv_all(sg_transport *tr, uint8_t *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        size_t n = 0;
        assert_int_equal(tr->recv(tr->ctx, buf + got, len - got, &n, T_MS), SG_OK);
        assert_true(n > 0);
        got += n;
    }
}

/* ---------------------------------------------------------------- TCP --- */

static void echo_through(const char *host)
{
    server s;
    sg_posix_tcp tcp;
    sg_transport *tr = connect_to(&s, serve_echo, &tcp, NULL, host);
    assert_true(tcp.fd >= 0);

    static const char msg[] = "ping over loopback";
    size_t off = 0;
    while (off < sizeof msg - 1) {
        size_t sent = 0;
        assert_int_equal(
            tr->send(tr->ctx, (const uint8_t *)msg + off, sizeof msg - 1 - off, &sent, T_MS),
            SG_OK);
        assert_true(sent > 0);
        off += sent;
    }
    uint8_t back[sizeof msg - 1];
    recv_all(tr, back, sizeof back);
    assert_memory_equal(back, msg, sizeof back);
    tr->close(tr->ctx);
    assert_int_equal(tcp.fd, -1);
    stop(&s);
}

static void test_tcp_echo_ipv4_literal(void **state)
{
    (void)state;
    echo_through("127.0.0.1");
}

static void test_tcp_echo_localhost(void **state)
{
    (void)state;
    echo_through("localhost"); /* may resolve to ::1 first: every address is tried */
}

static void test_tcp_orderly_eof(void **state)
{
    (void)state;
    server s;
    sg_posix_tcp tcp;
    sg_transport *tr = connect_to(&s, serve_close, &tcp, NULL, "127.0.0.1");
    expect_empty_recv(tr, T_MS, SG_OK);
    hang_up(&s, tr);
}

static void test_tcp_reset_is_closed(void **state)
{
    (void)state;
    server s;
    sg_posix_tcp tcp;
    sg_transport *tr = connect_to(&s, serve_reset, &tcp, NULL, "127.0.0.1");
    size_t sent = 0;
    assert_int_equal(tr->send(tr->ctx, (const uint8_t *)"x", 1, &sent, T_MS), SG_OK);
    expect_empty_recv(tr, T_MS, SG_ERR_CLOSED);
    assert_int_equal(tcp.last_errno, ECONNRESET);
    hang_up(&s, tr);
}

static void test_tcp_recv_timeout(void **state)
{
    (void)state;
    server s;
    sg_posix_tcp tcp;
    /* listens, never accepts: the kernel completes the connect */
    sg_transport *tr = connect_to(&s, NULL, &tcp, NULL, "127.0.0.1");
    expect_empty_recv(tr, 200, SG_ERR_TIMEOUT);
    hang_up(&s, tr);
}

/* Poll (timeout 0) until something other than "nothing yet" comes, for at most ~5 s. */
static sg_status poll_until_ready(sg_transport *tr, uint8_t *buf, size_t cap, size_t *n)
{
    for (int i = 0; i < 5000; i++) {
        sg_status st = tr->recv(tr->ctx, buf, cap, n, 0);
        if (st != SG_ERR_TIMEOUT) {
            return st;
        }
        assert_int_equal(*n, 0);
        usleep(1000);
    }
    return SG_ERR_TIMEOUT;
}

static void test_tcp_poll_with_timeout_zero(void **state)
{
    (void)state;
    server s;
    sg_posix_tcp tcp;
    sg_transport *tr = connect_to(&s, serve_echo, &tcp, NULL, "127.0.0.1");
    uint8_t buf[16];
    size_t n = 99;
    /* nothing sent, nothing to read: a poll answers at once instead of waiting */
    assert_int_equal(tr->recv(tr->ctx, buf, sizeof buf, &n, 0), SG_ERR_TIMEOUT);
    assert_int_equal(n, 0);
    size_t sent = 0;
    assert_int_equal(tr->send(tr->ctx, (const uint8_t *)"x", 1, &sent, T_MS), SG_OK);
    assert_int_equal(poll_until_ready(tr, buf, sizeof buf, &n), SG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(buf[0], 'x');
    hang_up(&s, tr);

    /* a peer that closed while the connection idled: the poll sees the EOF */
    start(&s, serve_close);
    assert_int_equal(tr->open(tr->ctx, "127.0.0.1", s.port, T_MS), SG_OK);
    n = 99;
    assert_int_equal(poll_until_ready(tr, buf, sizeof buf, &n), SG_OK);
    assert_int_equal(n, 0);
    hang_up(&s, tr);
}

static void test_tcp_refused(void **state)
{
    (void)state;
    uint16_t port = loopback_closed_port();
    assert_true(port != 0);
    sg_posix_tcp tcp;
    assert_int_equal(sg_posix_tcp_init(&tcp, NULL), SG_OK);
    assert_int_equal(tcp.transport.open(&tcp, "127.0.0.1", port, T_MS), SG_ERR_CONNECT);
    assert_int_equal(tcp.last_errno, ECONNREFUSED);
    assert_int_equal(tcp.fd, -1);
}

static void test_tcp_unknown_host(void **state)
{
    (void)state;
    sg_posix_tcp tcp;
    assert_int_equal(sg_posix_tcp_init(&tcp, NULL), SG_OK);
    assert_int_equal(tcp.transport.open(&tcp, "no-such-host.invalid", 443, T_MS), SG_ERR_DNS);
    assert_int_equal(tcp.fd, -1);
}

static void test_tcp_bad_use(void **state)
{
    (void)state;
    sg_posix_tcp tcp;
    assert_int_equal(sg_posix_tcp_init(NULL, NULL), SG_ERR_INVALID_ARG);
    assert_int_equal(sg_posix_tcp_init(&tcp, NULL), SG_OK);
    uint8_t buf[4];
    size_t n = 0;
    assert_int_equal(tcp.transport.send(&tcp, buf, sizeof buf, &n, T_MS), SG_ERR_CLOSED);
    assert_int_equal(tcp.transport.recv(&tcp, buf, sizeof buf, &n, T_MS), SG_ERR_CLOSED);
    assert_int_equal(tcp.transport.recv(&tcp, buf, 0, &n, T_MS), SG_ERR_INVALID_ARG);
    assert_int_equal(tcp.transport.open(&tcp, "", 80, T_MS), SG_ERR_INVALID_ARG);
    tcp.transport.close(&tcp); /* closing a closed transport is harmless */
}

/* ---------------------------------------------------------------- cancel via signal --- */

static volatile sig_atomic_t g_cancel;

static void on_alarm(int sig)
{
    (void)sig;
    g_cancel = 1;
}

/* SIGALRM after ms without SA_RESTART, so blocking calls see EINTR like on Ctrl-C. */
static void arm_cancel(unsigned ms)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    g_cancel = 0;
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)(ms / 1000u);
    it.it_value.tv_usec = (suseconds_t)((ms % 1000u) * 1000u);
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void test_tcp_recv_cancelled(void **state)
{
    (void)state;
    server s;
    sg_posix_tcp tcp;
    sg_transport *tr = connect_to(&s, NULL, &tcp, &g_cancel, "127.0.0.1");
    arm_cancel(100);
    expect_empty_recv(tr, 60000, SG_ERR_CANCELLED);
    assert_int_equal(g_cancel, 1);
    hang_up(&s, tr);
}

/* ---------------------------------------------------------------- platform --- */

static void test_clock_monotonic_and_sleep(void **state)
{
    (void)state;
    sg_posix_platform p;
    assert_int_equal(sg_posix_platform_init(&p, NULL), SG_OK);
    const sg_platform *pl = &p.platform;
    uint64_t t0 = pl->now_ms(pl->ctx);
    assert_true(t0 > 0);
    pl->sleep_ms(pl->ctx, 30);
    uint64_t t1 = pl->now_ms(pl->ctx);
    assert_true(t1 >= t0 + 30); /* a sleep never returns early without a cancel */
    uint64_t t2 = pl->now_ms(pl->ctx);
    assert_true(t2 >= t1);
}

static void test_sleep_cancelled_by_flag(void **state)
{
    (void)state;
    volatile sig_atomic_t cancel = 1;
    sg_posix_platform p;
    assert_int_equal(sg_posix_platform_init(&p, &cancel), SG_OK);
    uint64_t t0 = p.platform.now_ms(p.platform.ctx);
    p.platform.sleep_ms(p.platform.ctx, 600000);
    assert_true(p.platform.now_ms(p.platform.ctx) < t0 + 600000);
}

static void test_sleep_cancelled_by_signal(void **state)
{
    (void)state;
    sg_posix_platform p;
    assert_int_equal(sg_posix_platform_init(&p, &g_cancel), SG_OK);
    arm_cancel(100);
    uint64_t t0 = p.platform.now_ms(p.platform.ctx);
    p.platform.sleep_ms(p.platform.ctx, 600000);
    assert_int_equal(g_cancel, 1);
    assert_true(p.platform.now_ms(p.platform.ctx) < t0 + 600000);
}

static void test_entropy(void **state)
{
    (void)state;
    uint8_t a[32], b[32], zero[32] = {0};
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    sg_posix_platform p;
    assert_int_equal(sg_posix_platform_init(&p, NULL), SG_OK);
    assert_int_equal(p.platform.random(p.platform.ctx, a, sizeof a), SG_OK);
    assert_int_equal(sg_posix_entropy(NULL, b, sizeof b), SG_OK);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
    assert_int_equal(sg_posix_entropy(NULL, NULL, 4), SG_ERR_INVALID_ARG);
}

/* Secrets in memory: no core file, not dumpable (so no ptrace or /proc/PID/mem by peers). */
static void test_protect_secrets(void **state)
{
    (void)state;
    assert_int_equal(sg_posix_protect_secrets(), SG_OK);
    assert_int_equal(prctl(PR_GET_DUMPABLE, 0L, 0L, 0L, 0L), 0);
    struct rlimit core;
    assert_int_equal(getrlimit(RLIMIT_CORE, &core), 0);
    assert_true(core.rlim_cur == 0 && core.rlim_max == 0);
}

/* The library's sg_wipe (tests/unit/test_wipe.c checks the core calls it). */
static void test_wipe_zeroes(void **state)
{
    (void)state;
    char secret[64];
    memset(secret, 'x', sizeof secret);
    sg_wipe(secret + 8, 40);
    for (size_t i = 0; i < sizeof secret; i++) {
        assert_int_equal(secret[i], i >= 8 && i < 48 ? 0 : 'x');
    }
    sg_wipe(NULL, 0);
    sg_wipe(secret, 0);
    assert_int_equal(secret[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_echo_ipv4_literal),
        cmocka_unit_test(test_tcp_echo_localhost),
        cmocka_unit_test(test_tcp_orderly_eof),
        cmocka_unit_test(test_tcp_reset_is_closed),
        cmocka_unit_test(test_tcp_recv_timeout),
        cmocka_unit_test(test_tcp_poll_with_timeout_zero),
        cmocka_unit_test(test_tcp_refused),
        cmocka_unit_test(test_tcp_unknown_host),
        cmocka_unit_test(test_tcp_bad_use),
        cmocka_unit_test(test_tcp_recv_cancelled),
        cmocka_unit_test(test_clock_monotonic_and_sleep),
        cmocka_unit_test(test_sleep_cancelled_by_flag),
        cmocka_unit_test(test_sleep_cancelled_by_signal),
        cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_protect_secrets),
        cmocka_unit_test(test_wipe_zeroes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
