/*
 * SMSC LAN9118 Ethernet controller as an lwIP netif (QEMU mps2-an386: base 0x40200000,
 * IRQ 13). Written from the controller's register description and QEMU's model
 * (hw/net/lan9118.c): 32-bit PIO FIFOs, one frame per TX command, RX status FIFO level
 * interrupt. The receive side runs in its own task, woken by the interrupt, which hands
 * frames to lwIP's tcpip thread.
 */
#ifndef FR_LAN9118_H
#define FR_LAN9118_H

#include <stdbool.h>
#include <stdint.h>

#include "lwip/netif.h"

#define LAN9118_BASE 0x40200000u
#define LAN9118_IRQ  13u

typedef struct lan9118_counters {
    uint32_t rx_frames;
    uint32_t tx_frames;
    uint32_t rx_dropped; /* bad length or no pbuf */
} lan9118_counters;

/*
 * netif_add() init function: resets the chip, reads its MAC address, enables TX and RX
 * and the RX interrupt. ERR_IF when no LAN9118 answers at LAN9118_BASE.
 */
err_t lan9118_netif_init(struct netif *netif);
/* The receive loop (a task body; arg is the netif). */
void lan9118_rx_task(void *arg);
/* PHY basic status says the link is up. */
bool lan9118_link_up(void);
const lan9118_counters *lan9118_stats(void);
/* The interrupt handler (vector table, IRQ LAN9118_IRQ). */
void lan9118_irq_handler(void);

#endif /* FR_LAN9118_H */
