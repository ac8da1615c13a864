/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The KVM calls pinvm makes, behind a few functions, so the run loop and the
 * guest lifecycle read as what they do rather than as ioctls.
 */
#ifndef PINVM_KVM_H
#define PINVM_KVM_H

#include "guest.h"

/* Open /dev/kvm and check every capability pinvm needs, with a test VM. */
int kvm_init(const char *dev, unsigned int gic_version, struct pinvm_error *err);
void kvm_exit(void);
/* Recover from a device fault during a passthrough access (SIGBUS). */
void kvm_signals_init(void);

int kvm_vm_create(struct guest *g, struct pinvm_error *err);
struct boot_info;
/* PC at the image entry, x0 as it says, EL1h, exceptions masked, MMU off. */
int kvm_vcpu_set_boot(struct guest *g, const struct boot_info *boot,
		      struct pinvm_error *err);
void kvm_vm_destroy(struct guest *g);
/* Drive a shared peripheral interrupt (GIC INTID 32+) of the guest. */
int kvm_irq_line(struct guest *g, unsigned int intid, bool level);
/* Make the vCPU take an external data abort on the access that exited. */
int kvm_inject_dabt(struct guest *g);

#endif
