// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinvm's command line: parse the options, run a service's command (pinvm
 * update), show the status file, or validate the whole partition and then
 * write a guest's device tree (pinvm dtb), check it (--check) or hand it
 * to the monitor (core/monitor.c); or write a thread's seccomp filter
 * (pinvm filter).
 */
#include <errno.h>
#include <getopt.h>
#include <libfdt.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "file.h"
#include "guest_fdt.h"
#include "loader.h"
#include "monitor.h"
#include "sandbox.h"
#include "service.h"
#include "status.h"

#ifndef PINVM_VERSION
#define PINVM_VERSION "unknown"
#endif

extern const char partition_dtb[];

static struct monitor monitor;
static struct partition *const part = &monitor.part;

static void usage(FILE *f)
{
	const struct service *sp;

	fprintf(f,
		"Usage: pinvm [options]\n"
		"       pinvm status [--status-file FILE]\n"
		"       pinvm [-p FILE] [-i DIR] dtb GUEST FILE\n"
		"       pinvm filter vcpu|main|source FILE\n");
	for_each_service(sp)
		if (sp->command)
			fprintf(f, "       pinvm %s %s\n", sp->command,
				sp->command_usage);
	fprintf(f,
		"Run the board's guests, one per core, as the partition says;\n"
		"or show the guests' state and counters of a running pinvm;\n"
		"or write the device tree a guest boots with to FILE;\n"
		"or write a thread's seccomp filter, as the BPF program the kernel\n"
		"runs (struct sock_filter in the host's byte order), to FILE;\n"
		"or (source) every filter, as the C table the monitor carries.\n");
	for_each_service(sp)
		if (sp->command)
			fprintf(f, "%s: %s.\n", sp->command,
				sp->command_help);
	fprintf(f, "\n"
		"  -p, --partition FILE  use this partition blob instead of the built-in one\n"
		"  -i, --image-dir DIR   find relative guest images here (default %s)\n"
		"  -k, --kvm DEV         the KVM device (default /dev/kvm)\n"
		"  -t, --timestamps      prefix guest lines with seconds since pinvm started\n"
		"  -s, --status-file F   keep the status file here (default %s)\n"
		"  -u, --update-dir DIR  keep guests' firmware slots here (default %s)\n"
		"  -C, --control SOCKET  the control socket (default %s)\n"
		"      --allow-downgrade update: install a version older than the running one\n"
		"      --timeout SECONDS update: wait this long for the outcome (default 300)\n"
		"  -c, --check           validate the partition and its images, then exit\n"
		"  -V, --version         print the version and the board\n"
		"  -h, --help            this text\n",
		CONFIG_IMAGE_DIR, CONFIG_STATUS_FILE, CONFIG_UPDATE_DIR,
		CONFIG_CONTROL_SOCKET);
}

/* --timeout: 1 second to a day, in whole seconds. */
static int parse_seconds(const char *arg, unsigned int *seconds)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] < '0' || arg[0] > '9' ||
	    v < 1 || v > 86400) {
		pr_err("--timeout %s: whole seconds from 1 to 86400", arg);
		return -1;
	}
	*seconds = v;
	return 0;
}

/*
 * pinvm filter KIND FILE: the filter every thread of KIND runs under, for
 * an audit, and for the benchmark's floor, which runs under the vCPU
 * threads' own (docs/testing.md).
 */
static int write_filter_source(const char *path)
{
	struct pinvm_error err;
	FILE *f = fopen(path, "we");

	if (!f) {
		pr_err("%s: cannot write: %s", path, strerror(errno));
		return 1;
	}
	if (sandbox_write_source(f, &err)) {
		pr_err("filter source: %s", err.msg);
		fclose(f);
		return 1;
	}
	if (fclose(f)) {
		pr_err("%s: cannot write: %s", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int write_filter(const char *kind_name, const char *path)
{
	struct pinvm_error err;
	struct sock_fprog prog;
	enum sandbox_kind kind;
	size_t size;
	FILE *f;

	if (!strcmp(kind_name, "source"))
		return write_filter_source(path);
	for (kind = 0; kind < SANDBOX_KINDS; kind++)
		if (!strcmp(sandbox_kind_name(kind), kind_name))
			break;
	if (kind == SANDBOX_KINDS) {
		pr_err("filter %s: no such kind of thread (vcpu or main), nor source",
		       kind_name);
		return 2;
	}
	if (sandbox_export(kind, &prog, &err)) {
		pr_err("filter %s: %s", kind_name, err.msg);
		return 1;
	}
	size = prog.len * sizeof(*prog.filter);
	f = fopen(path, "we");
	if (!f || fwrite(prog.filter, 1, size, f) != size || fclose(f)) {
		pr_err("%s: cannot write: %s", path, strerror(errno));
		free(prog.filter);
		return 1;
	}
	pr_info("%s: wrote the %s threads' filter (%u instructions)", path,
		kind_name, prog.len);
	free(prog.filter);
	return 0;
}

static int parse_options(int argc, char **argv, struct monitor_options *o)
{
	const struct service *sp;
	static const struct option longopts[] = {
		{ "partition", required_argument, NULL, 'p' },
		{ "image-dir", required_argument, NULL, 'i' },
		{ "kvm", required_argument, NULL, 'k' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "status-file", required_argument, NULL, 's' },
		{ "update-dir", required_argument, NULL, 'u' },
		{ "control", required_argument, NULL, 'C' },
		{ "allow-downgrade", no_argument, NULL, 'D' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "check", no_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->image_dir = CONFIG_IMAGE_DIR;
	o->kvm_dev = "/dev/kvm";
	o->status_file = CONFIG_STATUS_FILE;
	o->update_dir = CONFIG_UPDATE_DIR;
	o->control = CONFIG_CONTROL_SOCKET;
	while ((c = getopt_long(argc, argv, "p:i:k:s:u:C:tcVh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			o->partition = optarg;
			break;
		case 'i':
			o->image_dir = optarg;
			break;
		case 'k':
			o->kvm_dev = optarg;
			break;
		case 't':
			log_timestamps = true;
			break;
		case 's':
			o->status_file = optarg;
			break;
		case 'u':
			o->update_dir = optarg;
			break;
		case 'C':
			o->control = optarg;
			break;
		case 'D':
			o->allow_downgrade = true;
			break;
		case 'T':
			if (parse_seconds(optarg, &o->timeout_s))
				return -1;
			break;
		case 'c':
			o->check_only = true;
			break;
		case 'V':
			printf("pinvm %s for %s\n", PINVM_VERSION,
			       CONFIG_BOARD_NAME);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc && !strcmp(argv[optind], "status") &&
	    optind + 1 == argc)
		exit(status_show(o->status_file));
	for_each_service(sp)
		if (optind < argc && sp->command &&
		    !strcmp(argv[optind], sp->command))
			exit(sp->run_command(o, argc - optind - 1,
						argv + optind + 1));
	if (optind < argc && !strcmp(argv[optind], "filter") &&
	    optind + 3 == argc)
		exit(write_filter(argv[optind + 1], argv[optind + 2]));
	if (optind < argc && !strcmp(argv[optind], "dtb") &&
	    optind + 3 == argc) {
		o->dtb_guest = argv[optind + 1];
		o->dtb_file = argv[optind + 2];
		return 0;
	}
	if (optind != argc) {
		pr_err("unexpected argument '%s' (see pinvm --help)",
		       argv[optind]);
		return -1;
	}
	return 0;
}

static void *read_partition_file(const char *path, struct pinvm_error *err)
{
	uint8_t *blob;
	size_t size;

	if (file_read_all(path, SIZE_MAX, &blob, &size, err))
		return NULL;
	if (size < sizeof(struct fdt_header) || fdt_totalsize(blob) > size) {
		error_set(err, "%s: truncated: the file has %zu bytes, the device tree header says %u",
			  path, size,
			  size < sizeof(struct fdt_header) ? 0 : fdt_totalsize(blob));
		free(blob);
		return NULL;
	}
	return blob;
}

static const struct guest_config *find_guest(const char *name,
					     struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < part->nr_guests; i++)
		if (!strcmp(part->guests[i].name, name))
			return &part->guests[i];
	error_set(err, "%s: no guest named \"%s\"", part->source, name);
	return NULL;
}

/*
 * The tree a guest boots with: the loader's own, read back from a scratch
 * copy of the guest's RAM when the image format passes one in x0 (Linux),
 * else the tree pinvm would write for it.
 */
static int write_guest_dtb(const struct monitor_options *o, struct pinvm_error *err)
{
	const struct guest_config *g = find_guest(o->dtb_guest, err);
	struct guest_memory mem;
	struct boot_info boot = { 0 };
	const void *fdt = NULL;
	static uint8_t built[GUEST_FDT_MAX];
	unsigned int i;
	int ret = -1;
	FILE *f;

	if (!g)
		return -1;
	mem = g->mem;
	for (i = 0; i < mem.nr_ram; i++) {
		mem.ram[i].host = mmap(NULL, mem.ram[i].size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				       -1, 0);
		if (mem.ram[i].host == MAP_FAILED) {
			mem.ram[i].host = NULL;
			error_set(err, "%s: cannot allocate scratch memory", g->path);
			goto out;
		}
	}
	if (g->loader->load(part, g, &g->image, &mem, &boot, err))
		goto out;
	if (boot.x0)
		fdt = guest_memory_ptr(&mem, boot.x0, sizeof(struct fdt_header));
	if (!fdt && guest_fdt_build(part, g, 0, 0, built, sizeof(built), err))
		goto out;
	if (!fdt)
		fdt = built;
	f = fopen(o->dtb_file, "we");
	if (!f || fwrite(fdt, 1, fdt_totalsize(fdt), f) != fdt_totalsize(fdt) ||
	    fclose(f)) {
		error_set(err, "%s: cannot write: %s", o->dtb_file, strerror(errno));
		goto out;
	}
	pr_info("%s: wrote %s's device tree (%u bytes)", o->dtb_file, g->name,
		fdt_totalsize(fdt));
	ret = 0;
out:
	for (i = 0; i < mem.nr_ram; i++)
		if (mem.ram[i].host)
			munmap(mem.ram[i].host, mem.ram[i].size);
	return ret;
}

int main(int argc, char **argv)
{
	struct pinvm_error err;
	struct monitor_options o = { 0 };
	const void *fdt = partition_dtb;
	const char *source = "built-in partition (" CONFIG_PARTITION_DTS ")";
	int ret;

	log_start_clock();
	if (parse_options(argc, argv, &o))
		return 2;
	if (o.partition) {
		fdt = read_partition_file(o.partition, &err);
		source = o.partition;
		if (!fdt) {
			pr_err("%s", err.msg);
			return 1;
		}
	}
	if (partition_parse(part, fdt, source, o.image_dir, &err)) {
		pr_err("%s", err.msg);
		return 1;
	}
	if (o.check_only || o.dtb_guest) {
		ret = 0;
		if (o.dtb_guest && write_guest_dtb(&o, &err)) {
			pr_err("%s", err.msg);
			ret = 1;
		} else if (o.check_only) {
			pr_info("%s: %u guests, valid", source, part->nr_guests);
		}
		partition_free(part);
		return ret;
	}
	ret = monitor_run(&monitor, &o, &err);
	if (ret < 0) {
		pr_err("%s", err.msg);
		partition_free(part);
		return 1;
	}
	return ret;
}
