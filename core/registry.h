/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Registries built by the linker: each entry is a const pointer to a const
 * struct, placed in a section named after the table, and the linker's
 * __start_ and __stop_ symbols bound it. Nothing runs at start-up and
 * nothing can change a table afterwards (as Jailhouse's DEFINE_UNIT and
 * U-Boot's U_BOOT_DRIVER).
 *
 * Pointers, not the structs, go in the section: they all have one size and
 * alignment, so the table is a plain array. AddressSanitizer must not put
 * redzones between them: gcc never instruments a global with a section,
 * clang leaves sections named like C identifiers alone on ELF, and clang is
 * told so as well, since it accepts the attribute on a variable (gcc would
 * warn about it).
 */
#ifndef PINVM_REGISTRY_H
#define PINVM_REGISTRY_H

#if defined(__clang__)
#define REGISTRY_NO_ASAN	__attribute__((no_sanitize("address")))
#else
#define REGISTRY_NO_ASAN
#endif

/* The entry of obj (a const type) in the section table, a C identifier. */
#define REGISTRY_ENTRY(table, type, obj)				\
	static const type *const obj##_entry				\
	__attribute__((used, section(#table), aligned(sizeof(void *)))) \
	REGISTRY_NO_ASAN = &(obj)

/*
 * REGISTRY_DEFINE(table, type, obj) = { ... }; defines obj, a static const
 * type, with its entry.
 */
#define REGISTRY_DEFINE(table, type, obj)				\
	static const type obj;						\
	REGISTRY_ENTRY(table, type, obj);				\
	static const type obj

/*
 * The table's bounds. Weak: with no entry compiled in, the section does
 * not exist, both are NULL and the table is empty.
 */
#define REGISTRY_DECLARE(table, type)					\
	extern const type *const __start_##table[] __attribute__((weak)); \
	extern const type *const __stop_##table[] __attribute__((weak))

/* var (the caller's const type *) takes each entry in turn. */
#define registry_for_each(table, var)					\
	for (__typeof__(var) const *var##_pos = __start_##table;	\
	     var##_pos < __stop_##table && ((var) = *var##_pos, 1);	\
	     var##_pos++)

#endif
