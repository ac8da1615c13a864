// SPDX-License-Identifier: GPL-2.0-only
/*
 * The floor of the MMIO benchmark: the smallest userspace exit handler that
 * can run the benchmark guest. One VM, one vCPU, its RAM, the same vGIC as
 * pinvm's guests, and a KVM_RUN loop. Without --device it answers every
 * MMIO exit with nothing (a console byte when the guest prints); with
 * --device it also performs the one access on the real PL031 that a
 * passthrough must do, and nothing else. pinvm's trap path is measured
 * against both in one boot.
 *
 * With --relay it is the interrupt benchmark's userspace relay: the
 * path of a VMM without irqfd. The PL061 is claimed through VFIO
 * (vfio.c) and mapped into the guest as pinvm's direct mode maps it; a
 * relay thread on RELAY_CPU reads VFIO's eventfd and raises the SPI with
 * KVM_IRQ_LINE. The guest (test/guests/bench-irq.c, built with
 * BENCH_RELAY) rings a doorbell after clearing the device, where the
 * vCPU thread lowers the line and unmasks VFIO: what a resample eventfd
 * does in the kernel for irqfd, done here before the guest's EOI.
 *
 * With --filter FILE (after --device) it runs its loop under the seccomp
 * filter in FILE, pinvm's vCPU threads' own (pinvm filter vcpu FILE), so
 * that pinvm's path is measured against a floor that pays the same filter.
 * --seccomp-allow and --seccomp-min are the two filters below any real
 * one: one that allows every call, which the kernel answers from its
 * cache without running it (the price of being filtered at all), and the
 * smallest that checks an argument, so that the kernel runs it on every
 * call (the price of any filter with argument checks).
 *
 * With --shape or --shape-core it is the start-up benchmark's reference
 * (shape_run()).
 *   floor IMAGE.bin CPU [--device [--filter FILE | --seccomp-allow |
 *                                  --seccomp-min] |
 *                        --relay RELAY_CPU | --shape[-core] [N]]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "vfio.h"

#define GICD_BASE	0x08000000ull
#define GICR_BASE	0x080a0000ull
#define RAM_BASE	0x40000000ull
#define RAM_SIZE	0x200000ull
#define CONSOLE_DR	0x09000000ull
#define RTC_BASE	0x09010000ull
#define PL061_BASE	0x09030000ull
#define PL061_NAME	"9030000.pl061"
/* The PL061's SPI on the board (interrupts = <0 7 4>): INTID 32 + 7. */
#define PL061_INTID	39
/* Nothing is there: a write exits to us (test/guests/bench-irq-vectors.S). */
#define DOORBELL	0x0b000000ull
#define GICD_ICFGR	0xc00

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

struct vm {
	int vm, vcpu, gic;
	struct kvm_run *run;
};

/* The same in-kernel GICv3 pinvm gives its guests: equal VMs, equal exits. */
static int add_vgic(int vm)
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
	return dev.fd;
}

static void setup(const char *image, struct vm *vm)
{
	struct kvm_userspace_memory_region slot = {
		.guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE,
	};
	struct kvm_vcpu_init init;
	int kvm, fd;
	uint8_t *ram;

	kvm = must(open("/dev/kvm", O_RDWR), "/dev/kvm");
	vm->vm = must(ioctl(kvm, KVM_CREATE_VM, 0), "KVM_CREATE_VM");
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fd = must(open(image, O_RDONLY), image);
	must(read(fd, ram, RAM_SIZE), image);
	slot.userspace_addr = (uintptr_t)ram;
	must(ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &slot), "memory");
	vm->vcpu = must(ioctl(vm->vm, KVM_CREATE_VCPU, 0), "KVM_CREATE_VCPU");
	must(ioctl(vm->vm, KVM_ARM_PREFERRED_TARGET, &init), "target");
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	must(ioctl(vm->vcpu, KVM_ARM_VCPU_INIT, &init), "KVM_ARM_VCPU_INIT");
	vm->gic = add_vgic(vm->vm);
	set_reg(vm->vcpu, CORE_REG(regs.pstate), 0x3c5);
	set_reg(vm->vcpu, CORE_REG(regs.pc), RAM_BASE);
	vm->run = mmap(NULL, must(ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), "mmap size"),
		       PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
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

static struct bench_vfio pl061;

static void irq_line(int vm, int level)
{
	struct kvm_irq_level irq = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | PL061_INTID,
		.level = level,
	};

	must(ioctl(vm, KVM_IRQ_LINE, &irq), "KVM_IRQ_LINE");
}

static void pin(int cpu)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(cpu, &cpus);
	must(sched_setaffinity(0, sizeof(cpus), &cpus), "sched_setaffinity");
}

struct relay {
	int vm, cpu;
};

/* The whole relay: wait for the host's interrupt, raise the guest's. */
static void *relay_thread(void *arg)
{
	struct relay *r = arg;
	uint64_t count;

	pin(r->cpu);
	for (;;) {
		if (read(pl061.trigger, &count, sizeof(count)) != sizeof(count)) {
			if (errno == EINTR)
				continue;
			perror("relay: read");
			exit(1);
		}
		irq_line(r->vm, 1);
	}
	return NULL;
}

/*
 * The PL061's page in the guest at the board's address, as pinvm's
 * direct mode maps it, and its SPI level-triggered in the vGIC (KVM
 * resets SPIs to edge), as the board's node says.
 */
static void start_relay(struct vm *vm, int cpu)
{
	struct kvm_userspace_memory_region slot = {
		.slot = 1, .guest_phys_addr = PL061_BASE,
		.memory_size = pl061.size, .userspace_addr = (uintptr_t)pl061.regs,
	};
	struct kvm_device_attr attr = {
		.group = KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
		.attr = GICD_ICFGR + PL061_INTID / 16 * 4,
	};
	static struct relay r;
	uint32_t cfg;
	pthread_t t;

	must(ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &slot), "PL061 slot");
	attr.addr = (uintptr_t)&cfg;
	must(ioctl(vm->gic, KVM_GET_DEVICE_ATTR, &attr), "GICD_ICFGR");
	cfg &= ~(2u << (PL061_INTID % 16 * 2));
	must(ioctl(vm->gic, KVM_SET_DEVICE_ATTR, &attr), "GICD_ICFGR");
	r.vm = vm->vm;
	r.cpu = cpu;
	if (pthread_create(&t, NULL, relay_thread, &r)) {
		fprintf(stderr, "floor: cannot start the relay thread\n");
		exit(1);
	}
}

/* --shape N: at most as many VMs as pinvm's start-up benchmark's guests. */
#define SHAPE_MAX	7

struct shape {
	const char *image;
	bool built;
	int kvm, run_size;
	uint8_t *ram;
	struct vm vm;
};

/* The guest's VM as core/kvm.c builds it, ioctl for ioctl. */
static void shape_build(struct shape *s)
{
	struct kvm_enable_cap nisv = { .cap = KVM_CAP_ARM_NISV_TO_USER };
	struct kvm_userspace_memory_region slot = {
		.guest_phys_addr = RAM_BASE, .memory_size = RAM_SIZE,
	};
	struct kvm_vcpu_init init;
	unsigned long type = 0;

	s->kvm = must(open("/dev/kvm", O_RDWR | O_CLOEXEC), "/dev/kvm");
	/* The board's RAM and vGIC end below 4 GiB: a 32-bit IPA space. */
	if (ioctl(s->kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE) > 0)
		type = KVM_VM_TYPE_ARM_IPA_SIZE(32);
	s->vm.vm = must(ioctl(s->kvm, KVM_CREATE_VM, type), "KVM_CREATE_VM");
	must(ioctl(s->vm.vm, KVM_ENABLE_CAP, &nisv), "KVM_CAP_ARM_NISV_TO_USER");
	s->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		      MAP_POPULATE, -1, 0);
	if (s->ram == MAP_FAILED) {
		perror("mmap RAM");
		exit(1);
	}
	slot.userspace_addr = (uintptr_t)s->ram;
	must(ioctl(s->vm.vm, KVM_SET_USER_MEMORY_REGION, &slot), "memory");
	s->vm.vcpu = must(ioctl(s->vm.vm, KVM_CREATE_VCPU, 0), "KVM_CREATE_VCPU");
	s->run_size = must(ioctl(s->kvm, KVM_GET_VCPU_MMAP_SIZE, 0), "mmap size");
	s->vm.run = mmap(NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 s->vm.vcpu, 0);
	if (s->vm.run == MAP_FAILED) {
		perror("mmap kvm_run");
		exit(1);
	}
	must(ioctl(s->vm.vm, KVM_ARM_PREFERRED_TARGET, &init), "target");
	memset(init.features, 0, sizeof(init.features));
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	must(ioctl(s->vm.vcpu, KVM_ARM_VCPU_INIT, &init), "KVM_ARM_VCPU_INIT");
	/* pinvm keeps no fd of its vGIC: the VM holds it. */
	close(add_vgic(s->vm.vm));
}

/* The image at the RAM base and the vCPU's entry state, as pinvm's loader. */
static void shape_load(struct shape *s)
{
	int fd = must(open(s->image, O_RDONLY | O_CLOEXEC), s->image);

	must(read(fd, s->ram, RAM_SIZE), s->image);
	close(fd);
	set_reg(s->vm.vcpu, CORE_REG(regs.pstate), 0x3c5);
	set_reg(s->vm.vcpu, CORE_REG(regs.pc), RAM_BASE);
	set_reg(s->vm.vcpu, CORE_REG(regs.regs[0]), 0);
}

static void *shape_thread(void *arg)
{
	struct shape *s = arg;
	struct kvm_run *run;

	if (!s->built) {
		shape_build(s);
		shape_load(s);
	}
	run = s->vm.run;
	for (;;) {
		must(ioctl(s->vm.vcpu, KVM_RUN, 0), "KVM_RUN");
		if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
			return NULL;
		if (run->exit_reason != KVM_EXIT_MMIO) {
			fprintf(stderr, "floor: exit %u\n", run->exit_reason);
			exit(1);
		}
		if (!run->mmio.is_write)
			*(uint64_t *)run->mmio.data = 0;
	}
}

/*
 * --shape: the VM pinvm builds for a guest and nothing else of pinvm (no
 * partition, no checks, no sandbox), so that what pinvm takes beyond it
 * is pinvm's own start-up. Built where pinvm builds it, on the main
 * thread, and run on a thread born pinned to the guest's core, as
 * pinvm's vCPU thread is; once the guest has powered off, the main
 * thread tears the VM down as pinvm's does: vCPU, VM, then RAM.
 * --shape-core builds it on the pinned thread instead, RAM populated on
 * the guest's own core: issue 16's proposal, measured beside it. With N,
 * N such VMs, on cores CPU to CPU + N - 1, all built first, then all run
 * at once: what N guests cost the machine itself, pinvm's N guests'
 * reference.
 */
static int shape_run(const char *image, int cpu, bool on_core, int n)
{
	static struct shape s[SHAPE_MAX];
	pthread_attr_t attr;
	pthread_t t[SHAPE_MAX];
	cpu_set_t cpus;
	int i;

	for (i = 0; i < n; i++) {
		s[i].image = image;
		if (!on_core) {
			shape_build(&s[i]);
			shape_load(&s[i]);
			s[i].built = true;
		}
	}
	for (i = 0; i < n; i++) {
		CPU_ZERO(&cpus);
		CPU_SET(cpu + i, &cpus);
		pthread_attr_init(&attr);
		if (pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus) ||
		    pthread_create(&t[i], &attr, shape_thread, &s[i])) {
			fprintf(stderr, "floor: cannot run a vCPU thread on core %d\n",
				cpu + i);
			return 1;
		}
		pthread_attr_destroy(&attr);
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < n; i++) {
		munmap(s[i].vm.run, s[i].run_size);
		close(s[i].vm.vcpu);
		close(s[i].vm.vm);
		munmap(s[i].ram, RAM_SIZE);
		close(s[i].kvm);
	}
	return 0;
}

/* The vCPU threads' filter, as pinvm's vCPU thread takes it. */
/* As pinvm's vCPU threads load theirs (core/sandbox.c). */
static void install_filter(struct sock_filter *insns, size_t len)
{
	struct sock_fprog prog = { .filter = insns, .len = len };

	must(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs");
	must(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), "seccomp");
}

static void load_filter(const char *path)
{
	static struct sock_filter insns[4096];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	n = fread(insns, 1, sizeof(insns), f);
	fclose(f);
	if (!n || n % sizeof(insns[0]) || n == sizeof(insns)) {
		fprintf(stderr, "floor: %s: not a BPF program\n", path);
		exit(1);
	}
	install_filter(insns, n / sizeof(insns[0]));
}

/* --seccomp-allow, or with args --seccomp-min: see the top of the file. */
static void load_reference_filter(bool args)
{
	struct sock_filter allow[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_filter min[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, args[1])),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	if (args)
		install_filter(min, sizeof(min) / sizeof(min[0]));
	else
		install_filter(allow, sizeof(allow) / sizeof(allow[0]));
}

int main(int argc, char **argv)
{
	volatile uint8_t *rtc = NULL;
	struct kvm_run *run;
	static char line[4096];
	const char *filter = NULL, *reference = NULL;
	int relay = -1;
	struct vm vm;

	if ((argc == 4 || argc == 5) && !strncmp(argv[3], "--shape", 7) &&
	    (!argv[3][7] || !strcmp(argv[3] + 7, "-core"))) {
		int n = argc == 5 ? atoi(argv[4]) : 1;

		if (n < 1 || n > SHAPE_MAX) {
			fprintf(stderr, "floor: --shape: 1 to %d VMs\n", SHAPE_MAX);
			return 2;
		}
		return shape_run(argv[1], atoi(argv[2]), argv[3][7], n);
	}
	if (argc == 6 && !strcmp(argv[3], "--device") &&
	    !strcmp(argv[4], "--filter"))
		filter = argv[5];
	else if (argc == 5 && !strcmp(argv[3], "--device") &&
		 (!strcmp(argv[4], "--seccomp-allow") ||
		  !strcmp(argv[4], "--seccomp-min")))
		reference = argv[4];
	else if (argc < 3 || argc > 5 ||
		 (argc == 4 && strcmp(argv[3], "--device")) ||
		 (argc == 5 && strcmp(argv[3], "--relay"))) {
		fprintf(stderr, "usage: floor IMAGE.bin CPU [--device [--filter FILE | --seccomp-allow | --seccomp-min] | --relay RELAY_CPU | --shape[-core] [N]]\n");
		return 2;
	}
	if (argc == 5 && !reference)
		relay = atoi(argv[4]);
	else if (argc > 3)
		rtc = map_rtc();
	if (relay >= 0)
		bench_vfio_claim(&pl061, "amba", PL061_NAME, 0);
	pin(atoi(argv[2]));
	setup(argv[1], &vm);
	if (relay >= 0)
		start_relay(&vm, relay);
	run = vm.run;
	/* A buffer of its own: stdio's would be allocated after an fstat. */
	setvbuf(stdout, line, _IOLBF, sizeof(line));
	if (filter)
		load_filter(filter);
	else if (reference)
		load_reference_filter(!strcmp(reference, "--seccomp-min"));
	for (;;) {
		must(ioctl(vm.vcpu, KVM_RUN, 0), "KVM_RUN");
		if (run->exit_reason == KVM_EXIT_MMIO && relay >= 0 &&
		    run->mmio.phys_addr == DOORBELL) {
			irq_line(vm.vm, 0);
			bench_vfio_unmask(&pl061);
			continue;
		}
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
		if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT) {
			if (relay >= 0)
				bench_vfio_release(&pl061);
			return 0;
		}
		fprintf(stderr, "floor: exit %u\n", run->exit_reason);
		return 1;
	}
}
