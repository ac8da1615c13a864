// SPDX-License-Identifier: GPL-2.0-only
/*
 * arm64 KVM: the VM with its RAM slots, the single vCPU, the in-kernel vGIC
 * at the board's GIC addresses, and the vCPU's boot state.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm.h"

#define ARM64_CORE_REG(x)	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | \
				 KVM_REG_ARM_CORE | KVM_REG_ARM_CORE_REG(x))

#define SCTLR_EL1		ARM64_SYS_REG(3, 0, 1, 0, 0)
#define SCTLR_EL1_EE		(1ull << 25)

/* EL1h with D, A, I and F masked: the arm64 boot protocol's entry state. */
#define PSTATE_BOOT		(PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | \
				 PSR_F_BIT | PSR_MODE_EL1h)

/* Interrupt configuration registers: two bits an INTID, the upper one edge. */
#define GICD_ICFGR		0xc00

/* Without KVM_CAP_ARM_VM_IPA_SIZE a VM has a 40-bit guest-physical space. */
#define KVM_DEFAULT_IPA_BITS	40
#define KVM_MIN_IPA_BITS	32

static int kvm_fd = -1;
static int kvm_run_size;
static unsigned int kvm_max_ipa_bits;
static bool kvm_ipa_cap;

static const struct {
	int cap;
	const char *name;
} kvm_required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
	{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL" },
	{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_ARM_INJECT_EXT_DABT, "KVM_CAP_ARM_INJECT_EXT_DABT" },
	{ KVM_CAP_ARM_NISV_TO_USER, "KVM_CAP_ARM_NISV_TO_USER" },
};

static int gic_device_type(unsigned int version)
{
	return version == 3 ? KVM_DEV_TYPE_ARM_VGIC_V3 :
			      KVM_DEV_TYPE_ARM_VGIC_V2;
}

int kvm_init(const char *dev, struct pinvm_error *err)
{
	unsigned int i;
	int ver;

	kvm_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		error_set(err, "cannot open %s: %s (is this kernel built with KVM, and booted at EL2?)",
			  dev, strerror(errno));
		return -1;
	}
	ver = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (ver != KVM_API_VERSION) {
		error_set(err, "%s: KVM API version %d, pinvm needs %d", dev,
			  ver, KVM_API_VERSION);
		goto fail;
	}
	for (i = 0; i < ARRAY_SIZE(kvm_required_caps); i++) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION,
			  kvm_required_caps[i].cap) <= 0) {
			error_set(err, "%s: KVM lacks %s, which pinvm needs",
				  dev, kvm_required_caps[i].name);
			goto fail;
		}
	}
	kvm_run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kvm_run_size < (int)sizeof(struct kvm_run)) {
		error_set(err, "%s: KVM_GET_VCPU_MMAP_SIZE failed", dev);
		goto fail;
	}
	kvm_max_ipa_bits = ioctl(kvm_fd, KVM_CHECK_EXTENSION,
				 KVM_CAP_ARM_VM_IPA_SIZE);
	kvm_ipa_cap = (int)kvm_max_ipa_bits > 0;
	if (!kvm_ipa_cap)
		kvm_max_ipa_bits = KVM_DEFAULT_IPA_BITS;
	/*
	 * Whether KVM can give guests the partition's vGIC, each guest's
	 * first VM proves (kvm_create_vgic()) before any guest runs: no
	 * throw-away VM here.
	 */
	return 0;
fail:
	kvm_exit();
	return -1;
}

void kvm_exit(void)
{
	if (kvm_fd >= 0)
		close(kvm_fd);
	kvm_fd = -1;
}

static int kvm_map_ram(struct vm *vm, const struct vm_config *c,
		       struct pinvm_error *err)
{
	unsigned int i;

	vm->mem = *c->mem;
	for (i = 0; i < vm->mem.nr_ram; i++) {
		struct guest_ram *r = &vm->mem.ram[i];
		struct kvm_userspace_memory_region slot = {
			.slot = i,
			.guest_phys_addr = r->base,
			.memory_size = r->size,
		};

		/*
		 * Populated up front (here, or by kvm_vm_populate() before
		 * the guest's first instruction): no page faults once the
		 * guest runs.
		 */
		r->host = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			       (c->populate_later ? 0 : MAP_POPULATE), -1, 0);
		if (r->host == MAP_FAILED) {
			r->host = NULL;
			error_set(err, "%s: memory: cannot allocate 0x%llx bytes: %s",
				  c->what, (unsigned long long)r->size,
				  strerror(errno));
			return -1;
		}
		slot.userspace_addr = (uintptr_t)r->host;
		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0) {
			error_set(err, "%s: memory: KVM_SET_USER_MEMORY_REGION 0x%llx+0x%llx: %s",
				  c->what, (unsigned long long)r->base,
				  (unsigned long long)r->size, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Before Linux 5.14 there is no MADV_POPULATE_WRITE: touch each page. */
static void touch_pages(volatile uint8_t *p, uint64_t size)
{
	uint64_t off;

	for (off = 0; off < size; off += 4096)
		p[off] = 0;
}

int kvm_vm_populate(struct vm *vm, const char *what, struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < vm->mem.nr_ram; i++) {
		struct guest_ram *r = &vm->mem.ram[i];

		/* Write faults now: the pages are the guest's, zeroed. */
		if (!madvise(r->host, r->size, MADV_POPULATE_WRITE))
			continue;
		if (errno == EINVAL) {
			touch_pages(r->host, r->size);
			continue;
		}
		error_set(err, "%s: memory: cannot populate 0x%llx bytes at 0x%llx: %s",
			  what, (unsigned long long)r->size,
			  (unsigned long long)r->base, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Direct windows: a passthrough device's /dev/mem or VFIO mapping as a
 * memory slot (KVM maps such VM_PFNMAP pages as device memory in stage
 * 2), or host pages a driver shares (read-only ones as KVM_MEM_READONLY).
 */
static int kvm_map_direct(struct vm *vm, const struct vm_config *c,
			  struct pinvm_error *err)
{
	unsigned int i, slot = GUEST_MAX_RAM;

	for (i = 0; i < c->bus->nr_regions; i++) {
		const struct region *r = &c->bus->regions[i];
		struct kvm_userspace_memory_region mr = {
			.slot = slot,
			.guest_phys_addr = r->base,
			.memory_size = r->size,
			.userspace_addr = (uintptr_t)r->direct,
			.flags = r->direct_readonly ? KVM_MEM_READONLY : 0,
		};

		if (!r->direct)
			continue;
		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
			error_set(err, "%s: cannot map the region into the guest's stage 2%s: %s",
				  r->name, r->direct_readonly ? " read-only" : "",
				  strerror(errno));
			return -1;
		}
		slot++;
	}
	return 0;
}

static int kvm_set_gic_addr(int dev_fd, uint64_t type, uint64_t addr)
{
	struct kvm_device_attr attr = {
		.group = KVM_DEV_ARM_VGIC_GRP_ADDR,
		.attr = type,
		.addr = (uintptr_t)&addr,
	};

	return ioctl(dev_fd, KVM_SET_DEVICE_ATTR, &attr);
}

/*
 * KVM's vGIC resets every SPI to edge: a level device interrupt would be
 * taken once and never again. The region says which it is (the board's
 * flags); a guest may still program GICD_ICFGR itself later.
 */
static int kvm_set_spi_trigger(int dev_fd, unsigned int spi, bool level)
{
	unsigned int intid = spi + 32;
	uint32_t edge = 2u << (intid % 16 * 2);
	uint32_t val = 0;
	struct kvm_device_attr attr = {
		.group = KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
		.attr = GICD_ICFGR + intid / 16 * 4,
		.addr = (uintptr_t)&val,
	};

	if (ioctl(dev_fd, KVM_GET_DEVICE_ATTR, &attr) < 0)
		return -1;
	val = level ? val & ~edge : val | edge;
	return ioctl(dev_fd, KVM_SET_DEVICE_ATTR, &attr);
}

static int kvm_set_triggers(int dev_fd, const struct vm_config *c,
			    struct pinvm_error *err)
{
	unsigned int i, j;

	for (i = 0; i < c->bus->nr_regions; i++) {
		const struct region *r = &c->bus->regions[i];

		for (j = 0; j < r->nr_irqs; j++) {
			if (!kvm_set_spi_trigger(dev_fd, r->irqs[j].spi,
						 r->irqs[j].level))
				continue;
			error_set(err, "%s: interrupt %u: cannot make guest SPI %u %s-triggered in the vGIC: %s",
				  r->name, j, r->irqs[j].spi,
				  r->irqs[j].level ? "level" : "edge",
				  strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* After the vCPU exists: the vGIC sizes its redistributors by the vCPUs. */
static int kvm_create_vgic(struct vm *vm, const struct vm_config *c,
			   struct pinvm_error *err)
{
	const struct gic_config *gic = c->gic;
	struct kvm_create_device dev = { .type = gic_device_type(gic->version) };
	struct kvm_device_attr init = {
		.group = KVM_DEV_ARM_VGIC_GRP_CTRL,
		.attr = KVM_DEV_ARM_VGIC_CTRL_INIT,
	};
	bool v3 = gic->version == 3;
	int ret;

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev) < 0) {
		if (errno == ENODEV)
			error_set(err, "KVM on this host cannot give guests a GICv%u (KVM_CREATE_DEVICE: %s); pinvm was built with CONFIG_VGIC_V%u: choose the GIC version this host's KVM offers",
				  gic->version, strerror(errno), gic->version);
		else
			error_set(err, "%s: cannot create the GICv%u: %s",
				  c->what, gic->version, strerror(errno));
		return -1;
	}
	ret = kvm_set_gic_addr(dev.fd, v3 ? KVM_VGIC_V3_ADDR_TYPE_DIST :
				       KVM_VGIC_V2_ADDR_TYPE_DIST,
			       gic->dist_base);
	if (!ret)
		ret = kvm_set_gic_addr(dev.fd, v3 ? KVM_VGIC_V3_ADDR_TYPE_REDIST :
					       KVM_VGIC_V2_ADDR_TYPE_CPU,
				       gic->cpu_base);
	if (!ret)
		ret = ioctl(dev.fd, KVM_SET_DEVICE_ATTR, &init);
	if (ret < 0) {
		error_set(err, "%s: cannot set up the GICv%u at %s: %s",
			  c->what, gic->version, gic->path,
			  strerror(errno));
		close(dev.fd);
		return -1;
	}
	ret = kvm_set_triggers(dev.fd, c, err);
	/* The VM holds its own reference to the device. */
	close(dev.fd);
	return ret;
}

/*
 * Each forwarded interrupt's eventfd raises its SPI from the kernel; a
 * level one is held until the guest's EOI, which signals the resample
 * eventfd (and the host driver unmasks the line). An event that came
 * while no VM listened is injected as soon as the irqfd exists.
 */
static int kvm_wire_irqfds(struct vm *vm, const struct vm_config *c,
			   struct pinvm_error *err)
{
	unsigned int i, j;

	for (i = 0; i < c->bus->nr_regions; i++) {
		const struct region *r = &c->bus->regions[i];

		for (j = 0; j < r->nr_irqs; j++) {
			const struct region_irq *q = &r->irqs[j];
			struct kvm_irqfd fd = {
				.fd = q->trigger_fd,
				.gsi = q->spi,
			};

			if (q->level) {
				fd.flags = KVM_IRQFD_FLAG_RESAMPLE;
				fd.resamplefd = q->resample_fd;
			}
			if (ioctl(vm->vm_fd, KVM_IRQFD, &fd) < 0) {
				error_set(err, "%s: interrupt %u: cannot wire it to guest SPI %u (KVM_IRQFD): %s",
					  r->name, j, q->spi, strerror(errno));
				return -1;
			}
			vm->irqfds[vm->nr_irqfds].fd = q->trigger_fd;
			vm->irqfds[vm->nr_irqfds++].gsi = q->spi;
		}
	}
	return 0;
}

/*
 * Registers the kernel answers: a matching write signals the eventfd
 * inside KVM_RUN, without an exit. They go with the VM's fd.
 */
static int kvm_wire_ioeventfds(struct vm *vm, const struct vm_config *c,
			       struct pinvm_error *err)
{
	unsigned int i, j;

	for (i = 0; i < c->bus->nr_regions; i++) {
		const struct region *r = &c->bus->regions[i];

		for (j = 0; j < r->nr_ioeventfds; j++) {
			const struct region_ioeventfd *q = &r->ioeventfds[j];
			struct kvm_ioeventfd io = {
				.datamatch = q->datamatch,
				.addr = r->base + q->offset,
				.len = 4,
				.fd = q->fd,
				.flags = KVM_IOEVENTFD_FLAG_DATAMATCH,
			};

			if (ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0) {
				error_set(err, "%s: cannot make the register at 0x%llx an ioeventfd (KVM_IOEVENTFD): %s",
					  r->name, (unsigned long long)io.addr,
					  strerror(errno));
				return -1;
			}
		}
	}
	return 0;
}

/* Before the VM goes: no interrupt is ever injected into a dying VM. */
static void kvm_unwire_irqfds(struct vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_irqfds; i++) {
		struct kvm_irqfd fd = {
			.fd = vm->irqfds[i].fd,
			.gsi = vm->irqfds[i].gsi,
			.flags = KVM_IRQFD_FLAG_DEASSIGN,
		};

		ioctl(vm->vm_fd, KVM_IRQFD, &fd);
	}
	vm->nr_irqfds = 0;
}

static int kvm_set_reg(int vcpu_fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	return ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg);
}

static int kvm_get_reg(int vcpu_fd, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu_fd, KVM_GET_ONE_REG, &reg);
}

static int kvm_vcpu_init(struct vm *vm, const struct vm_config *c,
			 struct pinvm_error *err)
{
	struct kvm_vcpu_init init;

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		error_set(err, "%s: KVM_ARM_PREFERRED_TARGET: %s", c->what,
			  strerror(errno));
		return -1;
	}
	memset(init.features, 0, sizeof(init.features));
	init.features[0] = 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vm->vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		error_set(err, "%s: KVM_ARM_VCPU_INIT: %s", c->what,
			  strerror(errno));
		return -1;
	}
	return 0;
}

/* SCTLR_EL1.EE: data accesses at EL1 (and table walks) are big-endian. */
static int kvm_vcpu_set_big_endian(struct vm *vm)
{
	uint64_t sctlr;

	if (kvm_get_reg(vm->vcpu_fd, SCTLR_EL1, &sctlr))
		return -1;
	return kvm_set_reg(vm->vcpu_fd, SCTLR_EL1, sctlr | SCTLR_EL1_EE);
}

int kvm_vcpu_set_boot(struct vm *vm, const struct vm_config *c,
		      const struct boot_info *boot, struct pinvm_error *err)
{
	if (kvm_set_reg(vm->vcpu_fd, ARM64_CORE_REG(regs.pstate), PSTATE_BOOT) ||
	    kvm_set_reg(vm->vcpu_fd, ARM64_CORE_REG(regs.pc), boot->entry) ||
	    kvm_set_reg(vm->vcpu_fd, ARM64_CORE_REG(regs.regs[0]), boot->x0) ||
	    (c->big_endian && kvm_vcpu_set_big_endian(vm))) {
		error_set(err, "%s: cannot set the vCPU's entry state: %s",
			  c->what, strerror(errno));
		return -1;
	}
	return 0;
}

/* The VM type: a guest-physical space just large enough for the guest. */
static int kvm_vm_type(const struct vm_config *c, unsigned long *type,
		       struct pinvm_error *err)
{
	uint64_t top = c->top;
	unsigned int bits = KVM_MIN_IPA_BITS;

	while (bits < 64 && (top - 1) >> bits)
		bits++;
	if (bits > kvm_max_ipa_bits) {
		error_set(err, "%s: memory/reg: addresses up to 0x%llx need a %u-bit guest-physical space; this host's KVM gives at most %u bits",
			  c->what, (unsigned long long)top - 1, bits,
			  kvm_max_ipa_bits);
		return -1;
	}
	/* Type 0 means 40 bits, which a host with a smaller limit refuses. */
	*type = kvm_ipa_cap ? KVM_VM_TYPE_ARM_IPA_SIZE(bits) : 0;
	return 0;
}

int kvm_vm_create(struct vm *vm, const struct vm_config *c,
		  struct pinvm_error *err)
{
	struct kvm_enable_cap nisv = { .cap = KVM_CAP_ARM_NISV_TO_USER };
	unsigned long type;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = vm->vcpu_fd = -1;
	if (kvm_vm_type(c, &type, err))
		return -1;
	vm->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, type);
	if (vm->vm_fd < 0) {
		error_set(err, "%s: KVM_CREATE_VM: %s", c->what, strerror(errno));
		return -1;
	}
	/* Accesses KVM cannot decode come to pinvm, to be aborted, not fatal. */
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &nisv) < 0) {
		error_set(err, "%s: KVM_ENABLE_CAP(KVM_CAP_ARM_NISV_TO_USER): %s",
			  c->what, strerror(errno));
		return -1;
	}
	if (kvm_map_ram(vm, c, err) || kvm_map_direct(vm, c, err))
		return -1;
	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		error_set(err, "%s: KVM_CREATE_VCPU: %s", c->what, strerror(errno));
		return -1;
	}
	vm->run = mmap(NULL, kvm_run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		vm->run = NULL;
		error_set(err, "%s: cannot map kvm_run: %s", c->what,
			  strerror(errno));
		return -1;
	}
	if (kvm_vcpu_init(vm, c, err) || kvm_create_vgic(vm, c, err))
		return -1;
	if (kvm_wire_ioeventfds(vm, c, err))
		return -1;
	return kvm_wire_irqfds(vm, c, err);
}

void kvm_vm_unwire(struct vm *vm)
{
	if (vm->vm_fd >= 0)
		kvm_unwire_irqfds(vm);
}

void kvm_vm_release(struct vm *vm)
{
	unsigned int i;

	if (vm->run)
		munmap(vm->run, kvm_run_size);
	vm->run = NULL;
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	vm->vcpu_fd = vm->vm_fd = -1;
	for (i = 0; i < vm->mem.nr_ram; i++) {
		if (vm->mem.ram[i].host)
			munmap(vm->mem.ram[i].host, vm->mem.ram[i].size);
		vm->mem.ram[i].host = NULL;
	}
}

void kvm_vm_destroy(struct vm *vm)
{
	kvm_vm_unwire(vm);
	kvm_vm_release(vm);
}

int kvm_irq_line(struct vm *vm, unsigned int intid, bool level)
{
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | intid,
		.level = level,
	};

	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq);
}

int kvm_inject_dabt(struct vm *vm)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	return ioctl(vm->vcpu_fd, KVM_SET_VCPU_EVENTS, &ev);
}
