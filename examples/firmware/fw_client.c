/*
 * The client steps both QEMU firmwares run alike: TLS and HTTP over the sg_rtos byte stream,
 * and the device login as a superloop or a task runs it.
 */
#include <string.h>

#include "fw.h"

sg_status fw_client_init(sg_tls *tls, sg_http_client *http, sg_rtos *rtos, const uint8_t *ca,
                         size_t ca_len, uint8_t *buf, size_t cap)
{
    sg_status st = sg_tls_init(tls, &rtos->stream, sg_rtos_entropy, rtos, &rtos->platform);
    if (st == SG_OK) {
        st = sg_tls_load_ca_buffer(tls, ca, ca_len);
    }
    if (st == SG_OK) {
        /* 2 KB records where the server allows: what both record buffers hold */
        st = sg_tls_set_max_fragment(tls, 2048);
    }
    sg_http_config hcfg;
    memset(&hcfg, 0, sizeof hcfg);
    hcfg.platform = &rtos->platform;
    hcfg.tls = &tls->transport;
    if (st == SG_OK) {
        st = sg_http_client_init(http, &hcfg, buf, cap);
    }
    return st;
}

sg_status fw_device_login(sg_device *dev, sg_http_client *http, sg_rtos *rtos, const sg_url *base,
                          const char *token_name, char *token, size_t token_cap)
{
    if (rtos->platform.sleep_ms == NULL) {
        return SG_ERR_INVALID_ARG; /* polling without a pause would hammer the server */
    }
    sg_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.http = http;
    cfg.platform = &rtos->platform;
    cfg.base = base->origin;
    cfg.base_path = "";
    cfg.token_name = token_name;
    sg_status st = sg_device_start(dev, &cfg);
    if (st != SG_OK) {
        return st;
    }
    fw_say("user_code=", dev->user_code);
    fw_say("verification_uri=", dev->verification_uri);
    for (;;) {
        uint32_t wait_ms = 0;
        st = sg_device_poll(dev, &wait_ms);
        if (st != SG_ERR_AUTHORIZATION_PENDING) {
            break;
        }
        rtos->platform.sleep_ms(rtos->platform.ctx, wait_ms);
    }
    if (st == SG_OK) {
        st = sg_device_take_token(dev, token, token_cap);
    }
    sg_device_clear(dev);
    return st;
}
