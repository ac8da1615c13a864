// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor of the MMIO benchmark: the smallest userspace exit handler that
 * can run the benchmark guest. One VM, one vCPU, its RAM, the same vGIC as
 * pinvm's guests, and a KVM_RUN loop. Without --device it answers every
 * MMIO exit with nothing (a console byte when the guest prints); with
 * --device it also performs the one access on the real PL031 that a
 * passthrough must do, and nothing else. pinvm's trap path is measured
 * against both in one boot.
 *   floor IMAGE.bin CPU [--device]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/kvm.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define GICD_BASE	0x08000000ull
#define GICR_BASE	0x080a0000ull
#define RAM_BASE	0x40000000ull
#define RAM_SIZE	0x200000ull
#define CONSOLE_DR	0x09000000ull
#define RTC_BASE	0x09010000ull

#define CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
			 KVM_REG_ARM_CORE_REG(x))

static int must(int ret, const char *what)
{
	if (ret < 0) {
		perror(what);
		exit(1);
	}
	return ret;
}

static void set_reg(int vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	must(ioctl(vcpu, KVM_SET_ONE_REG, &reg), "KVM_SET_ONE_REG");
}

/* The same in-kernel GICv3 pinvm gives its guests: equal VMs, equal exits. */
static void add_vgic(int vm)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = GICD_BASE, redist = GICR_BASE;
	struct kvm_device_attr attr = { .group = KVM_DEV_ARM_VGIC_GRP_ADDR };

	must(ioctl(vm, KVM_CREATE_DEVICE, &dev), "vgic");
	attr.attr = KVM_VGIC_V3_ADDR_TYPE_DIST;
	attr.addr = (uintptr_t)&dist;
	must(ioctl(dev.fd, KVM_SET_DEVICE_ATTR, &attr), "vgic dist");
	attr.attr = KVM_VGIC_V3_ADDR_TYPE_REDIST;
	attr.addr = (uintptr_t)&redist;
	must(ioctl(dev.fd, KVM_SET_DEVICE_ATTR, &attr), "vgic redist");
	attr.group = KVM_DEV_ARM_VGIC_GRP_CTRL;
	attr.attr = KVM_DEV_ARM_VGIC_CTRL_INIT;
	attr.addr = 0;
	must(ioctl(dev.fd, KVM_SET_DEVICE_ATTR, &attr), "vgic init");
}

static int setup(const char *image, struct kvm_run **run)
{
	struct kvm_userspace_memory_region slot = {
		.guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE,
	};
	struct kvm_vcpu_init init;
	int kvm, vm, vcpu, fd;
	uint8_t *ram;

	kvm = must(open("/dev/kvm", O_RDWR), "/dev/kvm");
	vm = must(ioctl(kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fd = must(open(image, O_RDONLY), image);
	must(read(fd, ram, RAM_SIZE), image);
	slot.userspace_addr = (uintptr_t)ram;
	must(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot), "memory");
	vcpu = must(ioctl(vm, KVM_CREATE_VCPU, 0), "KVM_CREATE_VCPU");
	must(ioctl(vm, KVM_ARM_PREFERRED_TARGET, &init), "target");
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	must(ioctl(vcpu, KVM_ARM_VCPU_INIT, &init), "KVM_ARM_VCPU_INIT");
	add_vgic(vm);
	set_reg(vcpu, CORE_REG(regs.pstate), 0x3c5);
	set_reg(vcpu, CORE_REG(regs.pc), RAM_BASE);
	*run = mmap(NULL, must(ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), "mmap size"),
		    PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	return vcpu;
}

/* The PL031's page through /dev/mem, as pinvm maps it. */
static volatile uint8_t *map_rtc(void)
{
	int fd = must(open("/dev/mem", O_RDWR | O_SYNC), "/dev/mem");
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       RTC_BASE);

	if (p == MAP_FAILED) {
		perror("mmap /dev/mem");
		exit(1);
	}
	return p;
}

int main(int argc, char **argv)
{
	volatile uint8_t *rtc = NULL;
	struct kvm_run *run;
	cpu_set_t cpus;
	int vcpu;

	if (argc < 3) {
		fprintf(stderr, "usage: floor IMAGE.bin CPU [--device]\n");
		return 2;
	}
	if (argc > 3)
		rtc = map_rtc();
	CPU_ZERO(&cpus);
	CPU_SET(atoi(argv[2]), &cpus);
	must(sched_setaffinity(0, sizeof(cpus), &cpus), "sched_setaffinity");
	vcpu = setup(argv[1], &run);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		must(ioctl(vcpu, KVM_RUN, 0), "KVM_RUN");
		if (run->exit_reason == KVM_EXIT_MMIO) {
			uint64_t off = run->mmio.phys_addr - RTC_BASE;

			if (rtc && off < 4096) {
				if (run->mmio.is_write)
					*(volatile uint32_t *)(rtc + off) =
						*(uint32_t *)run->mmio.data;
				else
					*(uint32_t *)run->mmio.data =
						*(volatile uint32_t *)(rtc + off);
			} else if (!run->mmio.is_write) {
				*(uint64_t *)run->mmio.data = 0;
			} else if (run->mmio.phys_addr == CONSOLE_DR) {
				putchar(run->mmio.data[0]);
			}
			continue;
		}
		if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
			return 0;
		fprintf(stderr, "floor: exit %u\n", run->exit_reason);
		return 1;
	}
}
