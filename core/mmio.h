/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One access of exactly len bytes to a mapped device register, and nothing
 * else: on arm64 a single ldr/str of that width, written in asm so the
 * compiler can neither split, widen nor merge it.
 *
 * If the device (or the CPU, for an unaligned access to device memory)
 * faults, the SIGBUS handler of core/mmio.c steps over that one instruction
 * and sets mmio_fault, so a passthrough access that the hardware refuses
 * becomes a data abort for the guest instead of the end of pinvm.
 *
 * The accessors take the register's address explicitly, as Jailhouse's
 * mmio_read32(addr) do.
 */
#ifndef PINVM_MMIO_H
#define PINVM_MMIO_H

#include <string.h>

#include "pinvm.h"

extern __thread volatile int mmio_in_access;
extern __thread volatile int mmio_fault;

/* Catch the SIGBUS of a faulting access; once, before any guest runs. */
void mmio_fault_init(void);

#if defined(__aarch64__)
#define MMIO_LOAD(insn, reg, type, a)					\
	({ type v_;							\
	   asm volatile(insn " %" reg "0, [%1]" : "=r"(v_)		\
			: "r"(a) : "memory");				\
	   v_; })
#define MMIO_STORE(insn, reg, a, v)					\
	asm volatile(insn " %" reg "0, [%1]" :: "r"(v), "r"(a)		\
		     : "memory")
#define mmio_load8(a)		MMIO_LOAD("ldrb", "w", uint8_t, a)
#define mmio_load16(a)		MMIO_LOAD("ldrh", "w", uint16_t, a)
#define mmio_load32(a)		MMIO_LOAD("ldr", "w", uint32_t, a)
#define mmio_load64(a)		MMIO_LOAD("ldr", "x", uint64_t, a)
#define mmio_store8(a, v)	MMIO_STORE("strb", "w", a, v)
#define mmio_store16(a, v)	MMIO_STORE("strh", "w", a, v)
#define mmio_store32(a, v)	MMIO_STORE("str", "w", a, v)
#define mmio_store64(a, v)	MMIO_STORE("str", "x", a, v)
#else
/* Host-native builds (unit tests, benchmarks): a volatile access. */
#define mmio_load8(a)		(*(volatile uint8_t *)(a))
#define mmio_load16(a)		(*(volatile uint16_t *)(a))
#define mmio_load32(a)		(*(volatile uint32_t *)(a))
#define mmio_load64(a)		(*(volatile uint64_t *)(a))
#define mmio_store8(a, v)	(*(volatile uint8_t *)(a) = (v))
#define mmio_store16(a, v)	(*(volatile uint16_t *)(a) = (v))
#define mmio_store32(a, v)	(*(volatile uint32_t *)(a) = (v))
#define mmio_store64(a, v)	(*(volatile uint64_t *)(a) = (v))
#endif

/*
 * data[] is bus byte order; the value stored is its host-native reading,
 * so the bytes reach the device's bus exactly as the guest put them there.
 * Returns false when the device faulted.
 */
static inline bool mmio_write(volatile void *addr, const uint8_t *data,
			      unsigned int len)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	mmio_fault = 0;
	mmio_in_access = 1;
	switch (len) {
	case 1:
		memcpy(&v8, data, 1);
		mmio_store8(addr, v8);
		break;
	case 2:
		memcpy(&v16, data, 2);
		mmio_store16(addr, v16);
		break;
	case 4:
		memcpy(&v32, data, 4);
		mmio_store32(addr, v32);
		break;
	case 8:
		memcpy(&v64, data, 8);
		mmio_store64(addr, v64);
		break;
	}
	mmio_in_access = 0;
	return !mmio_fault;
}

static inline bool mmio_read(volatile void *addr, uint8_t *data,
			     unsigned int len)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	mmio_fault = 0;
	mmio_in_access = 1;
	switch (len) {
	case 1:
		v8 = mmio_load8(addr);
		memcpy(data, &v8, 1);
		break;
	case 2:
		v16 = mmio_load16(addr);
		memcpy(data, &v16, 2);
		break;
	case 4:
		v32 = mmio_load32(addr);
		memcpy(data, &v32, 4);
		break;
	case 8:
		v64 = mmio_load64(addr);
		memcpy(data, &v64, 8);
		break;
	}
	mmio_in_access = 0;
	return !mmio_fault;
}

#endif
