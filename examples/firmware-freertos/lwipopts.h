/*
 * lwIP options for the sitegpt-c FreeRTOS firmware: IPv4, static address, TCP for one TLS
 * connection at a time, the netconn API, DNS answered from the local host list only.
 * Everything lwIP allocates comes from its own static pools and its static MEM heap
 * (no malloc); the pools are sized for one connection and their peaks are printed at the
 * end of each boot (MEM_STATS / MEMP_STATS).
 */
#ifndef LWIPOPTS_H
#define LWIPOPTS_H

#define NO_SYS                        0
#define SYS_LIGHTWEIGHT_PROT          1
#define LWIP_TCPIP_CORE_LOCKING       1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 0
#define LWIP_NETCONN_SEM_PER_THREAD   0
#define LWIP_NETCONN                  1
#define LWIP_SOCKET                   0 /* netconn only: see README.md */
#define LWIP_NETIF_API                0
#define LWIP_COMPAT_MUTEX             0
#define LWIP_TIMERS                   1

/* Memory: lwIP's own static heap for PBUF_RAM, fixed pools for the rest. */
#define MEM_LIBC_MALLOC          0
#define MEMP_MEM_MALLOC          0
#define MEM_ALIGNMENT            4
#define MEM_SIZE                 (12 * 1024)
#define MEMP_NUM_PBUF            8
#define MEMP_NUM_RAW_PCB         0
#define MEMP_NUM_UDP_PCB         1 /* DNS's pcb (never sends: no server is configured) */
#define MEMP_NUM_TCP_PCB         2
#define MEMP_NUM_TCP_PCB_LISTEN  0
#define MEMP_NUM_TCP_SEG         16
#define MEMP_NUM_NETBUF          2
#define MEMP_NUM_NETCONN         2
#define MEMP_NUM_TCPIP_MSG_API   4
#define MEMP_NUM_TCPIP_MSG_INPKT 8
#define MEMP_NUM_SYS_TIMEOUT     (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 1)
#define PBUF_POOL_SIZE           12
#define PBUF_POOL_BUFSIZE        1536

/* IPv4 with a static address (QEMU user network: 10.0.2.15/24, gateway 10.0.2.2). */
#define LWIP_IPV4                     1
#define LWIP_IPV6                     0
#define LWIP_ARP                      1
#define ARP_TABLE_SIZE                4
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_ICMP                     1
#define LWIP_RAW                      0
#define LWIP_DHCP                     0
#define LWIP_AUTOIP                   0
#define LWIP_ACD                      0
#define LWIP_IGMP                     0
#define IP_REASSEMBLY                 0
#define IP_FRAG                       0
#define LWIP_HAVE_LOOPIF              0 /* "localhost" is the API host's name in the tests */
#define LWIP_NETIF_LOOPBACK           0
#define LWIP_NETIF_STATUS_CALLBACK    0
#define LWIP_NETIF_LINK_CALLBACK      0
#define LWIP_SINGLE_NETIF             1
#define ETH_PAD_SIZE                  0

/* UDP only for the DNS module. */
#define LWIP_UDP 1

/* TCP: one connection, windows that fit the pools above. */
#define LWIP_TCP           1
#define TCP_MSS            1460
#define TCP_WND            (4 * TCP_MSS)
#define TCP_SND_BUF        (4 * TCP_MSS)
#define TCP_SND_QUEUELEN   (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_QUEUE_OOSEQ    0
#define TCP_SYNMAXRTX      4 /* bounds a connect to an address nobody answers */
#define LWIP_TCP_KEEPALIVE 0
#define LWIP_SO_RCVTIMEO   1 /* sg_transport recv timeouts map onto these */
#define LWIP_SO_SNDTIMEO   1
#define LWIP_SO_LINGER     0

/* DNS through lwIP, answered from the local host list (filled at boot): no query leaves. */
#define LWIP_DNS                      1
#define DNS_LOCAL_HOSTLIST            1
#define DNS_LOCAL_HOSTLIST_IS_DYNAMIC 1
#define DNS_TABLE_SIZE                1
#define DNS_MAX_NAME_LENGTH           64
#define DNS_MAX_SERVERS               1
#define LWIP_DNS_SUPPORT_MDNS_QUERIES 0

/* The tcpip thread and the mailboxes (sizes are entries; sys_arch.c holds the storage). */
#define TCPIP_THREAD_NAME         "tcpip"
#define TCPIP_THREAD_STACKSIZE    512 /* words */
#define TCPIP_THREAD_PRIO         4
#define TCPIP_MBOX_SIZE           16
#define DEFAULT_TCP_RECVMBOX_SIZE 8
#define DEFAULT_UDP_RECVMBOX_SIZE 2
#define DEFAULT_RAW_RECVMBOX_SIZE 2
#define DEFAULT_ACCEPTMBOX_SIZE   2

/* Checksums in software (the LAN9118 model offloads nothing). */
#define CHECKSUM_GEN_IP    1
#define CHECKSUM_GEN_TCP   1
#define CHECKSUM_CHECK_IP  1
#define CHECKSUM_CHECK_TCP 1

/* Peaks for the end-of-boot report; no debug output. */
#define LWIP_STATS         1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS          1
#define MEMP_STATS         1
#define SYS_STATS          1
#define LINK_STATS         0
#define ETHARP_STATS       0
#define IP_STATS           0
#define ICMP_STATS         0
#define UDP_STATS          0
#define TCP_STATS          0

/* TCP initial sequence numbers, DNS ids and ports: from the board's entropy. */
#define LWIP_RAND() fr_lwip_rand()
#include <stdint.h>
uint32_t fr_lwip_rand(void);

#endif /* LWIPOPTS_H */
