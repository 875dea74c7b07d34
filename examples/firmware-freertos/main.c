/*
 * sitegpt-c firmware on FreeRTOS + lwIP + mbedTLS (QEMU mps2-an386, LAN9118 Ethernet).
 *
 * Tasks (static, highest priority first):
 *   eth-rx     moves received frames from the LAN9118 to lwIP (woken by its interrupt)
 *   tcpip      lwIP's core thread
 *   heartbeat  counts on a fixed period; its count at the end shows login never starved it
 *   app        device-code login over TLS over lwIP, token in the key-value store,
 *              GET /api/v2/me, then the per-boot report
 *
 * Semihosting command line: fw base=<URL> ca=<PEM> kv=<folder> host=<name>=<IPv4>
 * [seed=<text>]. host= puts the API host in lwIP's local host list, so resolving it sends no
 * DNS query. Exit 0: done; 1: login or API failed; 2: bad command line or setup; 3: fault.
 */
#include <string.h>

#include <FreeRTOS.h>
#include <semphr.h>
#include <task.h>

#include "lwip/dns.h"
#include "lwip/ip4_addr.h"
#include "lwip/memp.h"
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"

#include "cortexm.h"
#include "fr.h"
#include "fw.h"
#include "lan9118.h"
#include <sitegpt/sg_api.h>
#include <sitegpt/sg_device.h>
#include <sitegpt/sg_freertos.h>
#include <sitegpt/sg_lwip.h>
#include "sg_tls.h"
#include <sitegpt/sg_url.h>
#include <sitegpt/sitegpt.h>

#define CMDLINE_MAX   512u
#define CA_MAX        4096u
#define HTTP_BUF_SIZE 1536u
#define HOST_MAX      64u
#define HEARTBEAT_MS  100u

/* QEMU's user network: the guest's address and gateway. */
#define FR_IP      "10.0.2.15"
#define FR_NETMASK "255.255.255.0"
#define FR_GATEWAY "10.0.2.2"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_SETUP = 2 };

/* Task stacks in words. */
#define APP_STACK       2560u
#define RX_STACK        256u
#define HEARTBEAT_STACK 128u
enum { PRIO_APP = 2, PRIO_HEARTBEAT = 3, PRIO_RX = 5 }; /* tcpip: TCPIP_THREAD_PRIO (4) */

static StaticTask_t app_tcb, rx_tcb, heartbeat_tcb;
static StackType_t app_stack[APP_STACK], rx_stack[RX_STACK], heartbeat_stack[HEARTBEAT_STACK];
static TaskHandle_t app_task, rx_task, heartbeat_task;
static StaticSemaphore_t tcpip_ready_storage;
static SemaphoreHandle_t tcpip_ready;
static volatile uint32_t heartbeats;

static char cmdline[CMDLINE_MAX];
static uint8_t ca_pem[CA_MAX];
static uint8_t http_buf[HTTP_BUF_SIZE];
static struct netif netif;
static sg_lwip_stream net;
static sg_rtos rtos;
static sg_tls tls;
static sg_http_client http;
static char host[HOST_MAX];
static char token[SG_RTOS_TOKEN_MAX];
static union {
    sg_device dev;
    struct {
        sg_api api;
        sg_envelope env;
        sg_api_identity me;
        uint8_t work[SG_API_WORK_MIN];
    } call;
} phase;

static int fail(const char *what, sg_status st)
{
    fw_say_error(what, st, tls.last_error, net.last_err);
    return EXIT_FAILED;
}

/* ---------------------------------------------------------------- network --- */

static void tcpip_up(void *arg)
{
    (void)arg;
    (void)xSemaphoreGive(tcpip_ready);
}

/* lwIP's core, the LAN9118 netif with a static address, the API host in the host list. */
static bool network_up(const fw_args *args)
{
    ip4_addr_t ip, mask, gw, api;
    if (ip4addr_aton(args->host_ip, &api) == 0) {
        fw_say("error: host= wants NAME=A.B.C.D, got ", args->host_ip);
        return false;
    }
    tcpip_ready = xSemaphoreCreateBinaryStatic(&tcpip_ready_storage);
    tcpip_init(tcpip_up, NULL);
    (void)xSemaphoreTake(tcpip_ready, portMAX_DELAY);

    (void)ip4addr_aton(FR_IP, &ip);
    (void)ip4addr_aton(FR_NETMASK, &mask);
    (void)ip4addr_aton(FR_GATEWAY, &gw);
    LOCK_TCPIP_CORE();
    struct netif *added = netif_add(&netif, &ip, &mask, &gw, NULL, lan9118_netif_init, tcpip_input);
    if (added != NULL) {
        netif_set_default(&netif);
        netif_set_up(&netif);
        netif_set_link_up(&netif);
    }
    err_t host_err = dns_local_addhost(args->host_name, &api);
    UNLOCK_TCPIP_CORE();
    if (added == NULL) {
        fw_say("error: ", "no LAN9118 at 0x40200000");
        return false;
    }
    if (host_err != ERR_OK) {
        fw_say("error: cannot add to the local host list: ", args->host_name);
        return false;
    }
    rx_task =
        xTaskCreateStatic(lan9118_rx_task, "eth-rx", RX_STACK, &netif, PRIO_RX, rx_stack, &rx_tcb);
    fw_say("net: link ", lan9118_link_up() ? "up" : "down");
    fw_say("net: address ", FR_IP);
    return true;
}

/* ---------------------------------------------------------------- the API --- */

static sg_status login_and_store(const sg_url *base)
{
    uint32_t beats_before = heartbeats;
    /* the heartbeat runs while the login sleeps between polls */
    sg_status st =
        fw_device_login(&phase.dev, &http, &rtos, base, "sitegpt-c freertos", token, sizeof token);
    fw_say_num("heartbeats_during_login=", heartbeats - beats_before, "");
    if (st != SG_OK) {
        (void)fail("login", st);
        return st;
    }
    st = sg_rtos_token_store(&rtos, token);
    if (st != SG_OK) {
        (void)fail("token store", st);
        return st;
    }
    fw_say("token: ", "stored");
    return SG_OK;
}

static sg_status whoami(const sg_url *base)
{
    sg_api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    memset(&phase.call.me, 0, sizeof phase.call.me);
    memset(&phase.call.env, 0, sizeof phase.call.env);
    cfg.http = &http;
    cfg.origin = base->origin;
    cfg.base_path = "";
    cfg.token = token;
    cfg.platform = &rtos.platform;
    cfg.work = phase.call.work;
    cfg.work_size = sizeof phase.call.work;
    sg_status st = sg_api_init(&phase.call.api, &cfg);
    if (st == SG_OK) {
        st = sg_api_me(&phase.call.api, &phase.call.me, &phase.call.env);
    }
    if (st == SG_OK) {
        fw_say("user name=", phase.call.me.name);
        fw_say("user email=", phase.call.me.email);
    } else if (phase.call.env.code[0] != '\0') {
        fw_say("api error=", phase.call.env.code);
    }
    return st;
}

/* ---------------------------------------------------------------- the report --- */

static void report_task(const char *name, TaskHandle_t task, size_t stack_words)
{
    size_t size = stack_words * sizeof(StackType_t);
    size_t never_used = (size_t)uxTaskGetStackHighWaterMark(task) * sizeof(StackType_t);
    cm_sh_puts("fw: stack ");
    cm_sh_puts(name);
    cm_sh_puts(" high_water=");
    cm_sh_put_u32((uint32_t)(size - never_used));
    cm_sh_puts(" size=");
    cm_sh_put_u32((uint32_t)size);
    cm_sh_puts("\n");
}

static void report(void)
{
    size_t peak = 0, blocks = 0, pool = 0;
    report_task("app", app_task, APP_STACK);
    report_task("tcpip", fr_tcpip_thread(), TCPIP_THREAD_STACKSIZE);
    report_task("eth-rx", rx_task, RX_STACK);
    report_task("heartbeat", heartbeat_task, HEARTBEAT_STACK);
    fw_say_num("lwip_mem_peak=", lwip_stats.mem.max, " bytes");
    fw_say_num("lwip_mem_size=", MEM_SIZE, " bytes");
    fw_say_num("lwip_pbuf_pool_peak=", lwip_stats.memp[MEMP_PBUF_POOL]->max, "");
    fw_say_num("lwip_pbuf_pool_size=", PBUF_POOL_SIZE, "");
    fw_say_num("lwip_tcp_seg_peak=", lwip_stats.memp[MEMP_TCP_SEG]->max, "");
    fw_say_num("lwip_netconn_peak=", lwip_stats.memp[MEMP_NETCONN]->max, "");
    fw_say_num("lwip_mbox_peak=", lwip_stats.sys.mbox.max, "");
    fw_say_num("lwip_sem_peak=", lwip_stats.sys.sem.max + lwip_stats.sys.mutex.max, "");
    fw_mbedtls_pool_stats(&peak, &blocks, &pool);
    fw_say_num("mbedtls_pool_peak=", peak, " bytes");
    fw_say_num("mbedtls_pool_size=", pool, " bytes");
    fw_say_num("static_ram=", cm_static_ram(), " bytes (data+bss: task stacks and pools included)");
    fw_say_num("eth_rx_frames=", lan9118_stats()->rx_frames, "");
    fw_say_num("eth_tx_frames=", lan9118_stats()->tx_frames, "");
    fw_say_num("tls_handshakes=", net.connects, "");
    fw_say_num("heartbeats=", heartbeats, "");
}

/* ---------------------------------------------------------------- tasks --- */

static void heartbeat_main(void *arg)
{
    (void)arg;
    TickType_t next = xTaskGetTickCount();
    for (;;) {
        vTaskDelayUntil(&next, pdMS_TO_TICKS(HEARTBEAT_MS));
        heartbeats++;
    }
}

static int app_run(void)
{
    fw_args args;
    sg_rtos_hooks hooks;
    sg_url base;
    size_t ca_len = 0;

    sg_status layout = sg_check_layout();
    if (layout == SG_OK) {
        layout = sg_tls_check_layout();
    }
    if (layout != SG_OK) {
        (void)fail("setup", layout);
        return EXIT_SETUP;
    }
    if (cm_sh_cmdline(cmdline, sizeof cmdline) != SG_OK || !fw_parse_args(cmdline, &args) ||
        args.host_name == NULL) {
        cm_sh_puts("usage: fw base=<url> ca=<pem file> kv=<folder> host=<name>=<IPv4> "
                   "[seed=<text>]\n");
        return EXIT_SETUP;
    }
    memset(&hooks, 0, sizeof hooks);
    sg_lwip_hooks(&net, &hooks);
    sg_freertos_hooks(&hooks);
    fr_board_hooks(&args, &hooks);
    sg_status st = sg_rtos_init(&rtos, &hooks);
    if (st == SG_OK) {
        st = sg_url_parse(args.base_url, host, sizeof host, &base);
    }
    if (st == SG_OK) {
        st = fw_read_pem(args.ca_file, ca_pem, sizeof ca_pem, &ca_len);
    }
    if (st != SG_OK) {
        (void)fail("setup", st);
        return EXIT_SETUP;
    }
    if (!network_up(&args)) {
        return EXIT_SETUP;
    }
    fw_mbedtls_init(&rtos);
    st = fw_client_init(&tls, &http, &rtos, ca_pem, ca_len, http_buf, sizeof http_buf);
    if (st != SG_OK) {
        (void)fail("tls setup", st);
        return EXIT_SETUP;
    }

    bool stored = sg_rtos_token_load(&rtos, token, sizeof token) == SG_OK;
    if (stored) {
        fw_say("token: ", "stored token found, login skipped");
    } else {
        fw_say("token: ", "none stored, starting device login");
        if (login_and_store(&base) != SG_OK) {
            return EXIT_FAILED;
        }
    }
    st = whoami(&base);
    if (st == SG_ERR_AUTH && stored) {
        /* Revoked or expired: no refresh token exists, so forget it and log in again. */
        fw_say("token: ", "stored token rejected, erased; starting device login");
        st = sg_rtos_token_erase(&rtos);
        if (st != SG_OK) {
            return fail("token erase", st);
        }
        if (login_and_store(&base) != SG_OK) {
            return EXIT_FAILED;
        }
        st = whoami(&base);
    }
    sg_wipe(token, sizeof token);
    sg_http_client_close(&http);
    sg_tls_free(&tls);
    if (st != SG_OK) {
        return fail("GET /api/v2/me", st);
    }
    report();
    fw_say("done", "");
    return EXIT_OK;
}

static void app_main(void *arg)
{
    (void)arg;
    cm_sh_exit(app_run());
}

int main(void)
{
    heartbeat_task = xTaskCreateStatic(heartbeat_main, "heartbeat", HEARTBEAT_STACK, NULL,
                                       PRIO_HEARTBEAT, heartbeat_stack, &heartbeat_tcb);
    app_task = xTaskCreateStatic(app_main, "app", APP_STACK, NULL, PRIO_APP, app_stack, &app_tcb);
    vTaskStartScheduler();
    cm_sh_puts("fatal: the scheduler returned\n");
    return 3;
}
