/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM calls pinvm makes, on a small VM object: one VM, its one vCPU
 * and kvm_run, and its RAM. It knows nothing of guests, partitions'
 * meaning or devices: guest.c, above it, says what to build.
 */
#ifndef PINVM_KVM_H
#define PINVM_KVM_H

#include "bus.h"
#include "guest_memory.h"
#include "loader.h"

struct kvm_run;

/* An irqfd the VM holds, so it is removed before the VM goes. */
struct vm_irqfd {
	int fd;
	unsigned int gsi;
};

#define VM_MAX_IRQFDS	(BUS_MAX_REGIONS * REGION_MAX_IRQS)

struct vm {
	int vm_fd;
	int vcpu_fd;
	struct kvm_run *run;
	struct guest_memory mem;	/* the RAM ranges, with host mappings */
	struct vm_irqfd irqfds[VM_MAX_IRQFDS];
	unsigned int nr_irqfds;
};

/* What a VM is built from. */
struct vm_config {
	const char *what;		/* named in messages: the guest's node */
	const struct gic_config *gic;
	const struct guest_memory *mem;	/* RAM ranges, without mappings */
	uint64_t top;			/* highest guest-physical address + 1 */
	const struct bus *bus;		/* its regions' direct windows and
					   forwarded interrupts */
	bool big_endian;		/* SCTLR_EL1.EE at every boot */
	bool populate_later;		/* RAM mapped, its caller populates it
					   (kvm_vm_populate) */
};

/* Open /dev/kvm and check every capability pinvm needs. */
int kvm_init(const char *dev, struct pinvm_error *err);
void kvm_exit(void);

/*
 * RAM populated, direct windows mapped, the vCPU and the vGIC made, the
 * regions' forwarded interrupts wired to the vGIC (trigger set, irqfd).
 */
int kvm_vm_create(struct vm *vm, const struct vm_config *c,
		  struct pinvm_error *err);
/*
 * Make every page of the VM's RAM resident now, on the calling thread's
 * core: after a populate_later create, before the image is loaded.
 */
int kvm_vm_populate(struct vm *vm, const char *what, struct pinvm_error *err);
/* PC at the image entry, x0 as it says, EL1h, exceptions masked, MMU off. */
int kvm_vcpu_set_boot(struct vm *vm, const struct vm_config *c,
		      const struct boot_info *boot, struct pinvm_error *err);
/*
 * A VM goes in two steps: its irqfds unwired (a VM ioctl, the main
 * thread's), then released (munmap and close only, so its own vCPU thread
 * can do it, on its core, while the others do theirs: the last close
 * destroys the VM). kvm_vm_destroy() does both; each step is idempotent.
 */
void kvm_vm_unwire(struct vm *vm);
void kvm_vm_release(struct vm *vm);
void kvm_vm_destroy(struct vm *vm);
/* Drive a shared peripheral interrupt (GIC INTID 32+) of the guest. */
int kvm_irq_line(struct vm *vm, unsigned int intid, bool level);
/* Make the vCPU take an external data abort on the access that exited. */
int kvm_inject_dabt(struct vm *vm);

#endif
