// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Linux test guest's end of a pinvm,shmem link, through stock
 * uio_pdrv_genirq: /dev/uio0's map 0 is the register page and the window
 * (drivers/shmem.c); read() waits for the SPI, a write of 1 unmasks it.
 * It sends N requests to the bare-metal peer (test/guests/shmem.c, ROLE
 * 5), each a sequence number and words derived from it, and checks each
 * reply, which the peer derives from the request: messages both ways.
 * Window: the request at 0x100 (its number at 0x00), the reply at 0x800
 * (its number at 0x40). Every access is one 32-bit volatile load or store:
 * UIO maps the pages uncached (device memory), where memcpy's wider or
 * unaligned accesses would fault.
 *   shmem-uio N
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REG_ID		0x00
#define REG_PEER_STATE	0x04
#define REG_SIZE	0x0c
#define REG_DOORBELL	0x40
#define REG_STATE	0x44
#define WIN		0x1000
#define REQ_SEQ		(WIN + 0x00)
#define RSP_SEQ		(WIN + 0x40)
#define REQ		(WIN + 0x100)
#define RSP		(WIN + 0x800)
#define WORDS		8

static volatile uint32_t *base;
static int fd;

static uint32_t rd(unsigned int off)
{
	return base[off / 4];
}

static void wr(unsigned int off, uint32_t v)
{
	base[off / 4] = v;
}

/* Unmask, look, and only then sleep: a doorbell between them ends read(). */
static int wait_until(unsigned int off, uint32_t want)
{
	uint32_t one = 1, count;
	struct pollfd p = { .fd = 0, .events = POLLIN };

	p.fd = fd;
	for (;;) {
		if (write(fd, &one, sizeof(one)) != sizeof(one))
			return -1;
		if (rd(off) == want)
			return 0;
		if (poll(&p, 1, 10000) != 1) {
			fprintf(stderr, "shmem-uio: no doorbell in 10 s (0x%x is %u, want %u)\n",
				off, rd(off), want);
			return -1;
		}
		if (read(fd, &count, sizeof(count)) != sizeof(count))
			return -1;
	}
}

static uint32_t req_word(uint32_t seq, unsigned int i)
{
	return (seq + 1) * 2654435761u ^ i;
}

/* What the peer answers: each word turned around, plus its index. */
static uint32_t rsp_word(uint32_t seq, unsigned int i)
{
	return ~req_word(seq, i) + i;
}

int main(int argc, char **argv)
{
	unsigned int n = argc > 1 ? atoi(argv[1]) : 100, seq, i, bad = 0;
	char size_text[32] = "";
	size_t size;
	FILE *f;

	f = fopen("/sys/class/uio/uio0/maps/map0/size", "r");
	if (!f || !fgets(size_text, sizeof(size_text), f)) {
		fprintf(stderr, "shmem-uio: no /sys/class/uio/uio0 map 0: %s\n",
			strerror(errno));
		return 1;
	}
	fclose(f);
	size = strtoul(size_text, NULL, 0);
	fd = open("/dev/uio0", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "shmem-uio: /dev/uio0: %s\n", strerror(errno));
		return 1;
	}
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		fprintf(stderr, "shmem-uio: mmap: %s\n", strerror(errno));
		return 1;
	}
	printf("shmem-uio: map 0x%zx, id %u, window 0x%x\n", size, rd(REG_ID),
	       rd(REG_SIZE));
	wr(REG_STATE, 1);
	if (wait_until(REG_PEER_STATE, 1))
		return 1;
	printf("shmem-uio: peer up\n");
	for (seq = 1; seq <= n; seq++) {
		for (i = 0; i < WORDS; i++)
			wr(REQ + 4 * i, req_word(seq, i));
		__sync_synchronize();
		wr(REQ_SEQ, seq);
		wr(REG_DOORBELL, 1 - rd(REG_ID));
		if (wait_until(RSP_SEQ, seq))
			return 1;
		__sync_synchronize();
		for (i = 0; i < WORDS; i++)
			if (rd(RSP + 4 * i) != rsp_word(seq, i) && bad++ < 5)
				printf("shmem-uio: bad reply %u word %u\n", seq, i);
	}
	printf("shmem-uio: done %u replies, bad %u\n", n, bad);
	return bad != 0;
}
