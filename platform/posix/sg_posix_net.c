/* sitegpt-c: TCP sg_transport over POSIX sockets, every wait bounded by poll(2). */
#include <sitegpt/sg_posix.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef MSG_NOSIGNAL
#define SG_SEND_FLAGS MSG_NOSIGNAL
#else
#define SG_SEND_FLAGS 0 /* SO_NOSIGPIPE is set on the socket instead */
#endif

static uint64_t mono_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool tcp_cancelled(const sg_posix_tcp *t)
{
    return t->cancel != NULL && *t->cancel != 0;
}

static sg_status fail_errno(sg_posix_tcp *t, sg_status st)
{
    t->last_errno = errno;
    return st;
}

/* Wait until fd is ready for events or the monotonic deadline passes. */
static sg_status wait_fd(sg_posix_tcp *t, int fd, short events, uint64_t deadline)
{
    for (;;) {
        uint64_t now = mono_ms();
        uint64_t left = deadline > now ? deadline - now : 0;
        struct pollfd pfd = {.fd = fd, .events = events, .revents = 0};
        int rc = poll(&pfd, 1, left > (uint64_t)INT_MAX ? INT_MAX : (int)left);
        if (rc > 0) {
            return SG_OK; /* errors and hang-ups surface in the next socket call */
        }
        if (rc == 0) {
            return SG_ERR_TIMEOUT;
        }
        if (errno != EINTR) {
            return fail_errno(t, SG_ERR_IO);
        }
        if (tcp_cancelled(t)) {
            return SG_ERR_CANCELLED;
        }
    }
}

static void tcp_close(void *ctx)
{
    sg_posix_tcp *t = ctx;
    if (t != NULL && t->fd >= 0) {
        (void)close(t->fd);
        t->fd = -1;
    }
}

static int make_socket(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
        int saved = errno;
        (void)close(fd);
        errno = saved;
        return -1;
    }
#ifdef SO_NOSIGPIPE
    int one_sp = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one_sp, sizeof one_sp);
#endif
    return fd;
}

/* One address: non-blocking connect, then poll for completion until deadline. */
static sg_status connect_one(sg_posix_tcp *t, const struct addrinfo *ai, uint64_t deadline)
{
    int fd = make_socket(ai);
    if (fd < 0) {
        return fail_errno(t, SG_ERR_CONNECT);
    }
    sg_status st = SG_OK;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS && errno != EINTR) {
            st = fail_errno(t, SG_ERR_CONNECT);
        } else {
            st = wait_fd(t, fd, POLLOUT, deadline);
            int err = 0;
            socklen_t len = sizeof err;
            if (st == SG_OK && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
                st = fail_errno(t, SG_ERR_CONNECT);
            } else if (st == SG_OK && err != 0) {
                t->last_errno = err;
                st = SG_ERR_CONNECT;
            }
        }
    }
    if (st != SG_OK) {
        (void)close(fd);
        return st;
    }
    int one = 1;
    /* requests are written in one go; waiting for ACKs only adds latency */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    t->fd = fd;
    return SG_OK;
}

static sg_status tcp_open(void *ctx, const char *host, uint16_t port, uint32_t timeout_ms)
{
    sg_posix_tcp *t = ctx;
    if (t == NULL || host == NULL || host[0] == '\0') {
        return SG_ERR_INVALID_ARG;
    }
    tcp_close(t);
    t->last_errno = 0;

    char service[8];
    (void)snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {0};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0) {
        t->last_errno = rc;
        return tcp_cancelled(t) ? SG_ERR_CANCELLED : SG_ERR_DNS;
    }

    size_t n = 0;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        n++;
    }
    const uint64_t deadline = mono_ms() + timeout_ms;
    bool refused = false;
    sg_status st = SG_ERR_CONNECT;
    size_t i = 0;
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next, i++) {
        uint64_t now = mono_ms();
        if (now >= deadline) {
            st = SG_ERR_TIMEOUT;
            break;
        }
        /* share the time left evenly so one black-holed address cannot starve the rest */
        uint64_t slice_end = now + (deadline - now) / (uint64_t)(n - i);
        st = connect_one(t, ai, slice_end);
        if (st == SG_OK || st == SG_ERR_CANCELLED) {
            break;
        }
        if (st == SG_ERR_CONNECT) {
            refused = true;
        }
    }
    freeaddrinfo(res);
    if (st == SG_ERR_TIMEOUT && refused) {
        st = SG_ERR_CONNECT; /* some address answered no: that is the better explanation */
    }
    return st;
}

static sg_status io_errno_status(sg_posix_tcp *t)
{
    if (errno == ECONNRESET || errno == EPIPE || errno == ENOTCONN) {
        return fail_errno(t, SG_ERR_CLOSED);
    }
    return fail_errno(t, SG_ERR_IO);
}

/*
 * One send (out != NULL) or recv (in != NULL) once the socket is ready, retrying EAGAIN and
 * an EINTR that was not a cancel, until the deadline.
 */
static sg_status tcp_io(sg_posix_tcp *t, const uint8_t *out, uint8_t *in, size_t len, size_t *done,
                        uint32_t timeout_ms)
{
    const uint64_t deadline = mono_ms() + timeout_ms;
    for (;;) {
        sg_status st = wait_fd(t, t->fd, out != NULL ? POLLOUT : POLLIN, deadline);
        if (st != SG_OK) {
            return st;
        }
        ssize_t n = out != NULL ? send(t->fd, out, len, SG_SEND_FLAGS) : recv(t->fd, in, len, 0);
        if (n >= 0) {
            *done = (size_t)n;
            return SG_OK;
        }
        if (errno == EINTR && tcp_cancelled(t)) {
            return SG_ERR_CANCELLED;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return io_errno_status(t);
        }
    }
}

static sg_status tcp_send(void *ctx, const uint8_t *data, size_t len, size_t *sent,
                          uint32_t timeout_ms)
{
    sg_posix_tcp *t = ctx;
    if (t == NULL || sent == NULL || (data == NULL && len > 0)) {
        return SG_ERR_INVALID_ARG;
    }
    *sent = 0;
    if (t->fd < 0) {
        return SG_ERR_CLOSED;
    }
    if (len == 0) {
        return SG_OK;
    }
    return tcp_io(t, data, NULL, len, sent, timeout_ms);
}

static sg_status tcp_recv(void *ctx, uint8_t *buf, size_t cap, size_t *received,
                          uint32_t timeout_ms)
{
    sg_posix_tcp *t = ctx;
    if (t == NULL || received == NULL || buf == NULL || cap == 0) {
        return SG_ERR_INVALID_ARG;
    }
    *received = 0;
    if (t->fd < 0) {
        return SG_ERR_CLOSED;
    }
    return tcp_io(t, NULL, buf, cap, received, timeout_ms); /* 0 bytes: orderly EOF */
}

sg_status sg_posix_tcp_init(sg_posix_tcp *t, volatile sig_atomic_t *cancel)
{
    if (t == NULL) {
        return SG_ERR_INVALID_ARG;
    }
    t->fd = -1;
    t->last_errno = 0;
    t->cancel = cancel;
    t->transport.ctx = t;
    t->transport.open = tcp_open;
    t->transport.send = tcp_send;
    t->transport.recv = tcp_recv;
    t->transport.close = tcp_close;
    return SG_OK;
}
