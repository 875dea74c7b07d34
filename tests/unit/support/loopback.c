/* Loopback TCP listener and forked server for transport tests. */
#include "loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static int bind_loopback(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return -1;
    }
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

int loopback_listen(uint16_t *port)
{
    int fd = bind_loopback(port);
    if (fd >= 0 && listen(fd, 8) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

uint16_t loopback_closed_port(void)
{
    uint16_t port = 0;
    int fd = bind_loopback(&port);
    if (fd < 0) {
        return 0;
    }
    close(fd);
    return port;
}

pid_t loopback_fork_server(int listen_fd, loopback_serve_fn serve, void *arg)
{
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) {
        return pid;
    }
    /*
     * Serve as long as the test runs, however slow, and not a moment longer: killed with its
     * parent, and a second after it at most where that signal is not there. (A fixed alarm of
     * 120 s ended the servers in the middle of test_tls under valgrind on a loaded machine,
     * and every later handshake then timed out.)
     */
#ifdef __linux__
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    for (;;) {
        if (getppid() != parent) {
            _exit(0);
        }
        struct pollfd ready = {.fd = listen_fd, .events = POLLIN, .revents = 0};
        if (poll(&ready, 1, 1000) <= 0) {
            continue;
        }
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            continue;
        }
        /* a client that stalls must not wedge the server for the next test */
        struct timeval tv = {.tv_sec = 5, .tv_usec = 0};
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        /* a TLS server writes each record of a flight on its own: without this, Nagle holds
           the second until the client's delayed ACK, some 40 ms per flight */
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve(fd, arg);
        close(fd);
    }
}

void loopback_stop_server(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
    }
}
