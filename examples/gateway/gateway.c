/*
 * sitegpt-gateway: a Linux provisioning agent for IoT gateways. Parses the command line,
 * turns SIGTERM/SIGINT into a stop flag, and hands over to the agent (gw_agent.c).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gw_agent.h"
#include "gw_log.h"
#include "gw_options.h"
#include "gw_status.h"
#include <sitegpt/sg_posix.h>
#include "sg_tls.h"
#include <sitegpt/sitegpt.h>

static volatile sig_atomic_t stop_signal = 0;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    (void)sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocked connect or read returns at once */
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)signal(SIGPIPE, SIG_IGN); /* a peer gone mid-write is an error, not a death */
}

int main(int argc, char **argv)
{
    /* A library built with other options than this program would corrupt memory. */
    sg_status layout = sg_check_layout();
    if (layout == SG_OK) {
        layout = sg_tls_check_layout();
    }
    if (layout != SG_OK) {
        fprintf(stderr, "sitegpt-gateway: %s\n", sg_strerror(layout));
        return 1;
    }
    gw_options opts;
    int rc = gw_options_parse(argc, argv, &opts);
    if (rc >= 0) {
        return rc;
    }
    if (opts.command == GW_CMD_STATUS) {
        return gw_status_print(opts.status_file, stdout);
    }
    gw_log_set_level(opts.log_level);
    /* Before the token is read: no core file, no debugger of the same user. */
    if (sg_posix_protect_secrets() != SG_OK) {
        fprintf(stderr, "sitegpt-gateway: warning: cannot keep secrets out of core dumps\n");
    }
    install_signals();
    return gw_agent_run(&opts, &stop_signal);
}
