// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two guests on one pinvm,shmem link (drivers/shmem.c): a ring of
 * checksummed messages in the shared window, a doorbell for each.
 *   ROLE=1 tx  waits until the peer is up, then sends MSGS messages,
 *              waiting for room on the peer's doorbell; counts the
 *              peer's downs and ups (state interrupts); "tx done"
 *   ROLE=2 rx  takes them in order, each checked (sequence, checksum),
 *              rings back for room; resumes where the window says after
 *              a restart (the pages are kept); with RESET_AT=K it resets
 *              once, at message K of its first boot; with PACE_MS it
 *              sleeps that long after each message and says where it is
 *              every 1000 (a stream slow enough to update it mid-way);
 *              "rx done"
 *   ROLE=5 echo: the Linux guest's peer (test/guests/linux/shmem-uio.c):
 *              answers each request in the window with a reply derived
 *              from it, on its doorbell
 *   ROLE=3 ping / ROLE=4 pong: the benchmark (test/bench/): ROUNDS round
 *              trips timed on the virtual counter, then a one-way burst of
 *              MSGS messages; RELAY=1 rings through pinvm (the relayed
 *              doorbell, an exit) instead of the kernel's.
 * LINK is the link's guest address: the register page, then the window.
 * With FW_VERSION (and the pinvm,health register at HEALTH_BASE) it is
 * firmware that is field-updated: it prints the slot and attempt it runs
 * as firmware.c does, and reports health once it has taken up the stream.
 */
#include "firmware.h"

#ifndef ROLE
#define ROLE 1
#endif
#ifndef MSGS
#define MSGS 10000
#endif
#ifndef RESET_AT
#define RESET_AT 0
#endif
#ifndef ROUNDS
#define ROUNDS 2000
#endif
#ifndef RELAY
#define RELAY 0
#endif
#ifndef PACE_MS
#define PACE_MS 0
#endif

#define REG_ID		(LINK + 0x00)
#define REG_PEER_STATE	(LINK + 0x04)
#define REG_PEER_UPS	(LINK + 0x08)
#define REG_SIZE	(LINK + 0x0c)
#define REG_DOORBELL	(LINK + 0x40)
#define REG_STATE	(LINK + 0x44)
#define REG_RELAY	(LINK + 0x48)
#define WINDOW		(LINK + 0x1000)

#define SLOTS		64
#define MSG_WORDS	6

struct msg {
	uint32_t seq;
	uint32_t data[MSG_WORDS];
	uint32_t sum;
};

/* The window: each index on its own line, then the slots. */
struct ring {
	volatile uint32_t head;		/* written by tx */
	uint32_t pad0[15];
	volatile uint32_t tail;		/* written by rx */
	uint32_t pad1[15];
	volatile uint32_t rx_boots;	/* rx's boots, kept across restarts */
	uint32_t pad2[15];
	volatile uint32_t ping;		/* ping-pong: the round sent */
	uint32_t pad3[15];
	volatile uint32_t pong;		/* and the round echoed */
	uint32_t pad4[15];
	struct msg slot[SLOTS];
};

#define RING	((struct ring *)WINDOW)

static volatile unsigned int bells, downs, ups;
static unsigned int peer, spi;
static uint32_t last_state, last_ups;

static void barrier(void)
{
	asm volatile("dsb sy" ::: "memory");
}

static void ring_peer(void)
{
	barrier();
	mmio_write32(RELAY ? REG_RELAY : REG_DOORBELL, peer);
}

/*
 * The peer's state, on each interrupt (and once at start). Up and down
 * alternate, so the downs since the last look are its ups since then plus
 * the state it had minus the one it has: a restart quicker than this
 * guest's look is still counted.
 */
static void track_peer(void)
{
	uint32_t state = mmio_read32(REG_PEER_STATE);
	uint32_t now = mmio_read32(REG_PEER_UPS);
	uint32_t down = now - last_ups + last_state - state;

	if (down) {
		downs += down;
		con_puts(state ? "shmem: peer down (between two looks)\n" :
				 "shmem: peer down\n");
	}
	if (now != last_ups) {
		ups += now - last_ups;
		con_puts("shmem: peer up, ups ");
		put_dec(now);
		con_puts("\n");
	}
	last_ups = now;
	last_state = state;
}

static void link_irq(unsigned int intid)
{
	if (intid != GIC_SPI_BASE + spi)
		return;
	track_peer();
	bells++;
}

/* Until cond holds; a doorbell after the check ends the wait. */
#define WAIT_UNTIL(cond)						\
	do {								\
		unsigned int seen_ = bells;				\
		if (cond)						\
			break;						\
		wait_for_count(&bells, seen_ + 1);			\
	} while (1)

static uint32_t mix(uint32_t seq, unsigned int i)
{
	return (seq + 1) * 2654435761u ^ (i * 0x9e3779b9u);
}

static void fill(struct msg *m, uint32_t seq)
{
	uint32_t sum = seq;
	unsigned int i;

	m->seq = seq;
	for (i = 0; i < MSG_WORDS; i++) {
		m->data[i] = mix(seq, i);
		sum = sum * 31 + m->data[i];
	}
	m->sum = sum;
}

static int check(const struct msg *m, uint32_t seq)
{
	uint32_t sum = m->seq;
	unsigned int i;

	for (i = 0; i < MSG_WORDS; i++) {
		if (m->data[i] != mix(seq, i))
			return 0;
		sum = sum * 31 + m->data[i];
	}
	return m->seq == seq && m->sum == sum;
}

static void send(uint32_t seq)
{
	struct ring *r = RING;

	WAIT_UNTIL(seq - r->tail < SLOTS);
	fill(&r->slot[seq % SLOTS], seq);
	barrier();
	r->head = seq + 1;
	ring_peer();
}

static void tx(void)
{
	uint32_t seq;

	con_puts("shmem: waiting for the peer\n");
	WAIT_UNTIL(mmio_read32(REG_PEER_STATE));
	con_puts("shmem: tx start\n");
	for (seq = 0; seq < MSGS; seq++)
		send(seq);
	WAIT_UNTIL(RING->tail == MSGS);
	con_puts("shmem: tx done ");
	put_dec(MSGS);
	con_puts(" downs ");
	put_dec(downs);
	con_puts(" ups ");
	put_dec(ups);
	con_puts("\n");
}

static void pace(uint32_t tail)
{
	sleep_ms(PACE_MS);
	if (tail % 1000 == 0) {
		con_puts("shmem: rx at ");
		put_dec(tail);
		con_puts("\n");
	}
}

static void rx(void)
{
	struct ring *r = RING;
	uint32_t tail = r->tail, first = tail, errors = 0;
	unsigned int boots = ++r->rx_boots;

	con_puts("shmem: rx boot ");
	put_dec(boots);
	con_puts(" from ");
	put_dec(tail);
	con_puts("\n");
#ifdef FW_VERSION
	mmio_write32(HEALTH_STATUS, HEALTH_OK);
#endif
	while (tail < MSGS) {
		WAIT_UNTIL(r->head != tail);
		barrier();
		if (!check(&r->slot[tail % SLOTS], tail) && errors++ < 5) {
			con_puts("shmem: bad message ");
			put_dec(tail);
			con_puts("\n");
		}
		r->tail = ++tail;
		ring_peer();
		if (PACE_MS)
			pace(tail);
		if (RESET_AT && boots == 1 && tail == RESET_AT) {
			con_puts("shmem: rx resets at ");
			put_dec(tail);
			con_puts("\n");
			psci_system_reset();
		}
	}
	con_puts("shmem: rx done ");
	put_dec(tail);
	con_puts(" errors ");
	put_dec(errors);
	con_puts(" this boot ");
	put_dec(tail - first);
	con_puts("\n");
}

/* Sorted in place, for the median and p99 (ROUNDS is small). */
static void sort(uint64_t *v, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		uint64_t x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void put_us(uint64_t ticks)
{
	uint64_t ns = ticks * 1000000000ull / cntfrq();

	put_dec(ns / 1000);
	con_putc('.');
	put_dec(ns / 100 % 10);
	put_dec(ns / 10 % 10);
}

static uint64_t rtt[ROUNDS];

static void ping(void)
{
	struct ring *r = RING;
	uint64_t t0, t1;
	unsigned int i;

	WAIT_UNTIL(mmio_read32(REG_PEER_STATE));
	for (i = 0; i < ROUNDS; i++) {
		t0 = cntvct();
		r->ping = i + 1;
		ring_peer();
		WAIT_UNTIL(r->pong == i + 1);
		rtt[i] = cntvct() - t0;
	}
	sort(rtt, ROUNDS);
	con_puts("BENCH-SHMEM: path=");
	con_puts(RELAY ? "relay" : "kernel");
	con_puts(" rounds=");
	put_dec(ROUNDS);
	con_puts(" rtt_median_us=");
	put_us(rtt[ROUNDS / 2]);
	con_puts(" rtt_p99_us=");
	put_us(rtt[ROUNDS * 99 / 100]);
	con_puts("\n");
	/* One way: MSGS messages through the ring, room by doorbell. */
	t0 = cntvct();
	for (i = 0; i < MSGS; i++)
		send(i);
	WAIT_UNTIL(r->tail == MSGS);
	t1 = cntvct() - t0;
	con_puts("BENCH-SHMEM: path=");
	con_puts(RELAY ? "relay" : "kernel");
	con_puts(" msgs=");
	put_dec(MSGS);
	con_puts(" bytes=");
	put_dec(sizeof(struct msg));
	con_puts(" oneway_msgs_per_s=");
	put_dec(MSGS * cntfrq() / (t1 ? t1 : 1));
	con_puts("\n");
}

static void pong(void)
{
	struct ring *r = RING;
	uint32_t tail = 0;
	unsigned int i;

	for (i = 1; i <= ROUNDS; i++) {
		WAIT_UNTIL(r->ping == i);
		r->pong = i;
		ring_peer();
	}
	while (tail < MSGS) {
		WAIT_UNTIL(r->head != tail);
		barrier();
		r->tail = ++tail;
		ring_peer();
	}
}

/* The layout shmem-uio.c uses: raw words, no ring. */
#define ECHO_REQ_SEQ	(WINDOW + 0x00)
#define ECHO_RSP_SEQ	(WINDOW + 0x40)
#define ECHO_REQ	(WINDOW + 0x100)
#define ECHO_RSP	(WINDOW + 0x800)
#define ECHO_WORDS	8

static void echo(void)
{
	uint32_t seq = 0, i;

	con_puts("shmem: echo ready\n");
	for (;;) {
		WAIT_UNTIL(mmio_read32(ECHO_REQ_SEQ) != seq);
		barrier();
		seq = mmio_read32(ECHO_REQ_SEQ);
		for (i = 0; i < ECHO_WORDS; i++)
			mmio_write32(ECHO_RSP + 4 * i,
				     ~mmio_read32(ECHO_REQ + 4 * i) + i);
		barrier();
		mmio_write32(ECHO_RSP_SEQ, seq);
		ring_peer();
		if (seq % 100 == 0) {
			con_puts("shmem: echoed ");
			put_dec(seq);
			con_puts("\n");
		}
	}
}

int main(void)
{
	timer_init();
	print_boot();
#ifdef FW_VERSION
	print_firmware(FW_VERSION);
#endif
	peer = 1 - mmio_read32(REG_ID);
	spi = LINK_SPI;
	irq_set_handler(link_irq);
	gic_spi_enable(spi, GIC_TRIGGER_EDGE, 0x80);
	track_peer();
	irq_enable();
	con_puts("shmem: id ");
	put_dec(1 - peer);
	con_puts(" window ");
	put_hex(mmio_read32(REG_SIZE));
	con_puts("\n");
	mmio_write32(REG_STATE, 1);
	if (ROLE == 1)
		tx();
	else if (ROLE == 2)
		rx();
	else if (ROLE == 3)
		ping();
	else if (ROLE == 5)
		echo();
	else
		pong();
	for (;;)
		sleep_ms(1000);
}
