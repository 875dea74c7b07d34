/*
 * LAN9118 driver for lwIP on FreeRTOS (see lan9118.h).
 */
#include <string.h>

#include <FreeRTOS.h>
#include <task.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"

#include "lan9118.h"

/* Register offsets (32-bit access). */
#define RX_DATA_FIFO   0x00u
#define TX_DATA_FIFO   0x20u
#define RX_STATUS_FIFO 0x40u
#define TX_STATUS_FIFO 0x48u
#define ID_REV         0x50u
#define IRQ_CFG        0x54u
#define INT_STS        0x58u
#define INT_EN         0x5Cu
#define BYTE_TEST      0x64u
#define TX_CFG         0x70u
#define HW_CFG         0x74u
#define RX_FIFO_INF    0x7Cu
#define TX_FIFO_INF    0x80u
#define MAC_CSR_CMD    0xA4u
#define MAC_CSR_DATA   0xA8u

#define BYTE_TEST_VALUE          0x87654321u
#define ID_LAN9118               0x0118u
#define HW_CFG_SRST              0x1u
#define IRQ_CFG_EN_PUSHPULL_HIGH 0x111u /* IRQ_EN | IRQ_POL | IRQ_TYPE */
#define INT_RSFL                 0x8u   /* RX status FIFO above its level (0: any frame) */
#define TX_CFG_TX_ON             0x2u
#define MAC_CSR_BUSY             0x80000000u
#define MAC_CSR_READ             0x40000000u

/* MAC CSRs, reached through MAC_CSR_CMD/DATA. */
#define MAC_CR           1u
#define MAC_ADDRH        2u
#define MAC_ADDRL        3u
#define MAC_MII_ACC      6u
#define MAC_MII_DATA     7u
#define MAC_CR_FDPX      0x00100000u
#define MAC_CR_TXEN      0x8u
#define MAC_CR_RXEN      0x4u
#define PHY_ADDR         1u
#define PHY_BASIC_STATUS 1u
#define PHY_LINK_UP      0x4u

/* TX command words. */
#define TX_CMD_A_FIRST 0x2000u
#define TX_CMD_A_LAST  0x1000u

#define FRAME_MAX     1536u
#define ETH_MIN_FRAME 14u
#define CRC_LEN       4u

/* NVIC */
#define NVIC_ISER0       0xE000E100u
#define NVIC_IPR_BASE    0xE000E400u
#define LAN_IRQ_PRIORITY 0xE0u /* below configMAX_SYSCALL_INTERRUPT_PRIORITY: may notify */

static TaskHandle_t rx_task;
static lan9118_counters counters;
/* One frame in flight each way; word-aligned for the 32-bit FIFO copies. */
static uint32_t tx_frame[FRAME_MAX / 4u];
static uint32_t rx_frame[FRAME_MAX / 4u];

static volatile uint32_t *mmio32(uintptr_t addr)
{
    return (volatile uint32_t *)addr; /* NOLINT(performance-no-int-to-ptr): MMIO */
}

static volatile uint32_t *reg(uint32_t off)
{
    return mmio32(LAN9118_BASE + off);
}

static uint32_t rd(uint32_t off)
{
    return *reg(off);
}

static void wr(uint32_t off, uint32_t v)
{
    *reg(off) = v;
}

static bool mac_wait(void)
{
    for (uint32_t i = 0; i < 100000u; i++) {
        if ((rd(MAC_CSR_CMD) & MAC_CSR_BUSY) == 0) {
            return true;
        }
    }
    return false;
}

static uint32_t mac_read(uint32_t csr)
{
    wr(MAC_CSR_CMD, MAC_CSR_BUSY | MAC_CSR_READ | csr);
    (void)mac_wait();
    return rd(MAC_CSR_DATA);
}

static void mac_write(uint32_t csr, uint32_t v)
{
    wr(MAC_CSR_DATA, v);
    wr(MAC_CSR_CMD, MAC_CSR_BUSY | csr);
    (void)mac_wait();
}

static uint32_t phy_read(uint32_t phy_reg)
{
    mac_write(MAC_MII_ACC, (PHY_ADDR << 11) | (phy_reg << 6));
    return mac_read(MAC_MII_DATA) & 0xffffu;
}

bool lan9118_link_up(void)
{
    return (phy_read(PHY_BASIC_STATUS) & PHY_LINK_UP) != 0;
}

const lan9118_counters *lan9118_stats(void)
{
    return &counters;
}

/* Drop TX status words nobody reads (the FIFO would fill and stop the transmitter). */
static void tx_status_drain(void)
{
    while (((rd(TX_FIFO_INF) >> 16) & 0xffu) != 0) {
        (void)rd(TX_STATUS_FIFO);
    }
}

/* Called in the tcpip thread (core locked): one frame, copied into the TX data FIFO. */
static err_t lan9118_output(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    uint16_t len = p->tot_len;
    if (len > FRAME_MAX - CRC_LEN) {
        LINK_STATS_INC(link.lenerr);
        return ERR_IF;
    }
    uint32_t words = (len + 3u) / 4u;
    /* Free space in bytes: the two command words and the padded frame must fit. */
    uint32_t spins = 0;
    while ((rd(TX_FIFO_INF) & 0xffffu) < words * 4u + 8u) {
        if (++spins > 100000u) {
            LINK_STATS_INC(link.drop);
            return ERR_MEM;
        }
    }
    if (pbuf_copy_partial(p, tx_frame, len, 0) != len) {
        return ERR_BUF;
    }
    wr(TX_DATA_FIFO, TX_CMD_A_FIRST | TX_CMD_A_LAST | len);
    wr(TX_DATA_FIFO, ((uint32_t)len << 16) | len); /* tag = length, packet length */
    for (uint32_t i = 0; i < words; i++) {
        wr(TX_DATA_FIFO, tx_frame[i]);
    }
    tx_status_drain();
    counters.tx_frames++;
    LINK_STATS_INC(link.xmit);
    return ERR_OK;
}

void lan9118_irq_handler(void)
{
    BaseType_t woken = pdFALSE;
    /* Mask until the task has drained the FIFO: the line is level-triggered. */
    wr(INT_EN, 0);
    if (rx_task != NULL) {
        vTaskNotifyGiveFromISR(rx_task, &woken);
    }
    portYIELD_FROM_ISR(woken);
}

/* Pop one frame (status already read) into a pbuf; NULL when it is dropped. */
static struct pbuf *rx_one(uint32_t status)
{
    uint32_t len = (status >> 16) & 0x3fffu; /* includes the CRC */
    uint32_t words = (len + 3u) / 4u;
    bool fits = len >= ETH_MIN_FRAME + CRC_LEN && len <= FRAME_MAX;
    for (uint32_t i = 0; i < words; i++) {
        uint32_t w = rd(RX_DATA_FIFO);
        if (fits) {
            rx_frame[i] = w;
        }
    }
    if (!fits) {
        counters.rx_dropped++;
        return NULL;
    }
    uint16_t frame_len = (uint16_t)(len - CRC_LEN);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, frame_len, PBUF_POOL);
    if (p == NULL) {
        counters.rx_dropped++;
        LINK_STATS_INC(link.memerr);
        return NULL;
    }
    if (pbuf_take(p, rx_frame, frame_len) != ERR_OK) {
        pbuf_free(p);
        counters.rx_dropped++;
        return NULL;
    }
    return p;
}

void lan9118_rx_task(void *arg)
{
    struct netif *netif = arg;
    rx_task = xTaskGetCurrentTaskHandle();
    for (;;) {
        /* The timeout only guards against a lost edge; frames normally wake us. */
        (void)ulTaskNotifyTake(pdTRUE, pdMS_TO_TICKS(50));
        wr(INT_STS, INT_RSFL);
        while (((rd(RX_FIFO_INF) >> 16) & 0xffu) != 0) {
            struct pbuf *p = rx_one(rd(RX_STATUS_FIFO));
            if (p == NULL) {
                continue;
            }
            counters.rx_frames++;
            LINK_STATS_INC(link.recv);
            if (netif->input(p, netif) != ERR_OK) {
                pbuf_free(p);
            }
        }
        wr(INT_EN, INT_RSFL);
    }
}

err_t lan9118_netif_init(struct netif *netif)
{
    if (rd(BYTE_TEST) != BYTE_TEST_VALUE || (rd(ID_REV) >> 16) != ID_LAN9118) {
        return ERR_IF;
    }
    wr(HW_CFG, HW_CFG_SRST);
    for (uint32_t i = 0; (rd(HW_CFG) & HW_CFG_SRST) != 0; i++) {
        if (i > 100000u) {
            return ERR_IF;
        }
    }
    uint32_t lo = mac_read(MAC_ADDRL);
    uint32_t hi = mac_read(MAC_ADDRH);
    netif->hwaddr_len = ETH_HWADDR_LEN;
    netif->hwaddr[0] = (u8_t)lo;
    netif->hwaddr[1] = (u8_t)(lo >> 8);
    netif->hwaddr[2] = (u8_t)(lo >> 16);
    netif->hwaddr[3] = (u8_t)(lo >> 24);
    netif->hwaddr[4] = (u8_t)hi;
    netif->hwaddr[5] = (u8_t)(hi >> 8);
    netif->mtu = 1500;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = lan9118_output;

    /* Unicast to our address and broadcast (ARP); no promiscuous mode. */
    mac_write(MAC_CR, MAC_CR_TXEN | MAC_CR_RXEN | MAC_CR_FDPX);
    wr(TX_CFG, TX_CFG_TX_ON);
    wr(INT_STS, 0xffffffffu);
    wr(IRQ_CFG, IRQ_CFG_EN_PUSHPULL_HIGH);
    wr(INT_EN, INT_RSFL);

    /* Byte-wide priority fields, four to a word: IRQ 13 is byte 1 of IPR3. */
    volatile uint32_t *ipr = mmio32(NVIC_IPR_BASE + (LAN9118_IRQ & ~3u));
    uint32_t shift = (LAN9118_IRQ & 3u) * 8u;
    *ipr = (*ipr & ~(0xffu << shift)) | (LAN_IRQ_PRIORITY << shift);
    *mmio32(NVIC_ISER0) = 1u << LAN9118_IRQ;
    return ERR_OK;
}
