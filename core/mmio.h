/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One access of exactly len bytes to a mapped device register, and nothing
 * else: on arm64 a single ldr/str of that width, written in asm so the
 * compiler can neither split, widen nor merge it.
 *
 * If the device (or the CPU, for an unaligned access to device memory)
 * faults, the SIGBUS handler in core/vcpu.c steps over that one
 * instruction and sets mmio_fault, so a passthrough access that the hardware
 * refuses becomes a data abort for the guest instead of the end of pinvm.
 */
#ifndef PINVM_MMIO_H
#define PINVM_MMIO_H

#include <string.h>

#include "pinvm.h"

extern __thread volatile int mmio_in_access;
extern __thread volatile int mmio_fault;

#if defined(__aarch64__)
#define MMIO_LOAD(insn, reg, type)					\
	({ type v_;							\
	   asm volatile(insn " %" reg "0, [%1]" : "=r"(v_)		\
			: "r"(addr) : "memory");			\
	   v_; })
#define MMIO_STORE(insn, reg, v)					\
	asm volatile(insn " %" reg "0, [%1]" :: "r"(v), "r"(addr)	\
		     : "memory")
#define mmio_load8()	MMIO_LOAD("ldrb", "w", uint8_t)
#define mmio_load16()	MMIO_LOAD("ldrh", "w", uint16_t)
#define mmio_load32()	MMIO_LOAD("ldr", "w", uint32_t)
#define mmio_load64()	MMIO_LOAD("ldr", "x", uint64_t)
#define mmio_store8(v)	MMIO_STORE("strb", "w", v)
#define mmio_store16(v)	MMIO_STORE("strh", "w", v)
#define mmio_store32(v)	MMIO_STORE("str", "w", v)
#define mmio_store64(v)	MMIO_STORE("str", "x", v)
#else
/* Host-native builds (unit tests, benchmarks): a volatile access. */
#define mmio_load8()	(*(volatile uint8_t *)addr)
#define mmio_load16()	(*(volatile uint16_t *)addr)
#define mmio_load32()	(*(volatile uint32_t *)addr)
#define mmio_load64()	(*(volatile uint64_t *)addr)
#define mmio_store8(v)	(*(volatile uint8_t *)addr = (v))
#define mmio_store16(v)	(*(volatile uint16_t *)addr = (v))
#define mmio_store32(v)	(*(volatile uint32_t *)addr = (v))
#define mmio_store64(v)	(*(volatile uint64_t *)addr = (v))
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
		mmio_store8(v8);
		break;
	case 2:
		memcpy(&v16, data, 2);
		mmio_store16(v16);
		break;
	case 4:
		memcpy(&v32, data, 4);
		mmio_store32(v32);
		break;
	case 8:
		memcpy(&v64, data, 8);
		mmio_store64(v64);
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
		v8 = mmio_load8();
		memcpy(data, &v8, 1);
		break;
	case 2:
		v16 = mmio_load16();
		memcpy(data, &v16, 2);
		break;
	case 4:
		v32 = mmio_load32();
		memcpy(data, &v32, 4);
		break;
	case 8:
		v64 = mmio_load64();
		memcpy(data, &v64, 8);
		break;
	}
	mmio_in_access = 0;
	return !mmio_fault;
}

#endif
