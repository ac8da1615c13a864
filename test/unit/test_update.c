// SPDX-License-Identifier: GPL-2.0-only
/*
 * The field-update service (core/update/update.c) through its hooks, on a real
 * partition (partitions/update.dts) and real slot directories, with a
 * fake guest: monitor_restart(), guest_stop_and_wait(), guest_finish() and
 * guest_running() below stand for core/main.c and core/guest.c, and record
 * what the service asked of them. Each scenario checks what the guest
 * booted, what its health register would show, the status line, what the
 * `pinvm update` client was told, and the state record and slots on disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "control.h"
#include "monitor.h"
#include "service.h"
#include "update.h"
#include "update_state.h"
#include "unit.h"

#define ALPHA		0
#define PLAIN		1
#define IMAGE_SIZE	4096
#define GUEST_RAM	0x10000
#define TIMEOUT_MS	100

static const char *build_dir;
static char tmp[] = "/tmp/pinvm-unit-XXXXXX";
static char image_dir[128], update_dir[128], slot_dir[256], control_path[100];
static void *dtb;
static uint8_t sk[BUNDLE_SECRET_KEY_SIZE];
static uint8_t fw1[IMAGE_SIZE], fw2[IMAGE_SIZE], fw3[IMAGE_SIZE];
static volatile sig_atomic_t wakes;

/* What the service asked of the fake guests. */
static struct {
	unsigned int restarts;		/* monitor_restart() */
	unsigned int stops;		/* guest_stop_and_wait() of a live guest */
	unsigned int finishes;		/* guest_finish() */
	unsigned int joins;		/* of those, of a guest with a thread */
	bool fail_restart;		/* the next monitor_restart() fails */
	int guest;			/* the guest of the last (re)boot */
	uint8_t *image;			/* and the bytes it booted */
	size_t size;
	char path[PATH_MAX];
} fake;

static void record_boot(const struct monitor *m, const struct guest *g)
{
	free(fake.image);
	fake.image = malloc(g->image.size ? g->image.size : 1);
	memcpy(fake.image, g->image.data, g->image.size);
	fake.size = g->image.size;
	fake.guest = g - m->guests;
	snprintf(fake.path, sizeof(fake.path), "%s", g->image.path);
}

/* The fake guest_restart(): as core/main.c, the services first. */
int monitor_restart(struct monitor *m, struct guest *g,
		    struct pinvm_error *err)
{
	services_guest_boot(m, g);
	if (fake.fail_restart) {
		/* As guest_restart() does: the guest crashed and is finished. */
		fake.fail_restart = false;
		snprintf(err->msg, sizeof(err->msg), "%s: KVM_CREATE_VM: fake",
			 g->cfg->path);
		atomic_store(&g->state, GUEST_CRASHED);
		guest_finish(g);
		return -1;
	}
	fake.restarts++;
	record_boot(m, g);
	atomic_store(&g->state, GUEST_RUNNING);
	return 0;
}

void guest_stop_and_wait(struct guest *g)
{
	if (g->has_thread)
		fake.stops++;
}

void guest_finish(struct guest *g)
{
	fake.finishes++;
	fake.joins += g->has_thread;
	g->has_thread = false;
	if (atomic_load(&g->state) == GUEST_RUNNING)
		atomic_store(&g->state, GUEST_STOPPED);
}

bool guest_running(const struct guest *g)
{
	return atomic_load(&g->state) == GUEST_RUNNING;
}

/* update_link_report() wakes the main thread, which is this one. */
static void wake(int sig)
{
	wakes++;
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "test_update: %s: %s\n", what, why);
	exit(2);
}

/* pinvm starts: the partition parsed, the guests' images the partition's. */
static struct monitor *new_monitor(void)
{
	struct monitor *m = calloc(1, sizeof(*m));
	struct pinvm_error err = { "" };
	unsigned int i;

	if (!m)
		die("monitor", "out of memory");
	if (partition_parse(&m->part, dtb, "update.dtb", image_dir, &err))
		die("update.dtb", err.msg);
	m->main_thread = pthread_self();
	m->update_dir = update_dir;
	m->control = control_path;
	for (i = 0; i < m->part.nr_guests; i++)
		m->guests[i].image = m->part.guests[i].image;
	return m;
}

/* What create_guests() and start_guests() do: the boot hooks, then run. */
static void boot_guests(struct monitor *m)
{
	unsigned int i;

	for (i = 0; i < m->part.nr_guests; i++) {
		struct guest *g = &m->guests[i];

		g->cfg = &m->part.guests[i];
		g->part = &m->part;
		services_guest_boot(m, g);
		if (i == ALPHA)
			record_boot(m, g);
		g->has_thread = true;
		atomic_store(&g->state, GUEST_RUNNING);
	}
}

static struct monitor *pinvm_start(void)
{
	struct monitor *m = new_monitor();
	struct pinvm_error err = { "" };
	int ret = update_service.init(m, &err);

	CHECK(ret == 0);
	if (ret)
		die("update_service.init", err.msg);
	boot_guests(m);
	return m;
}

static void pinvm_stop(struct monitor *m)
{
	update_service.exit(m);
	partition_free(&m->part);
	free(m);
}

/* A fresh update directory for a scenario. */
static void fresh_dir(const char *name)
{
	snprintf(update_dir, sizeof(update_dir), "%s/%s", tmp, name);
	snprintf(slot_dir, sizeof(slot_dir), "%s/alpha", update_dir);
}

static struct update_link *link_of(struct monitor *m)
{
	return guest_link(&m->guests[ALPHA].links, UPDATE_SERVICE);
}

static struct guest *alpha(struct monitor *m)
{
	return &m->guests[ALPHA];
}

/* A file of the slot directory, or NULL. */
static uint8_t *slot_file(const char *name, size_t *len)
{
	char path[512];
	uint8_t *data;

	snprintf(path, sizeof(path), "%s/%s", slot_dir, name);
	if (access(path, F_OK))
		return NULL;
	data = unit_read_file(path, len);
	return data;
}

static bool slot_file_is(const char *name, const uint8_t *image, size_t size)
{
	size_t len;
	uint8_t *data = slot_file(name, &len);
	bool same = data && len == size && !memcmp(data, image, size);

	free(data);
	return same;
}

static bool slot_file_exists(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", slot_dir, name);
	return !access(path, F_OK);
}

static int read_record(struct update_state *st)
{
	struct pinvm_error err = { "" };
	size_t len;
	char *text = (char *)slot_file("state", &len);
	int ret;

	if (!text)
		return -1;
	ret = update_state_parse(text, len, st, &err);
	if (ret)
		fprintf(stderr, "  state: %s\n", err.msg);
	free(text);
	return ret;
}

/* The state record on disk. */
static void check_record(int committed, int trial, unsigned int attempts,
			 const char *result, const char *reason)
{
	struct update_state st;

	CHECK(!read_record(&st));
	CHECK(st.committed == committed);
	CHECK(st.trial == trial);
	CHECK(st.attempts == attempts);
	CHECK(!strcmp(st.result, result));
	CHECK_CONTAINS(st.reason, reason);
}

/* A slot on disk: its file holds image, its record says so. */
static void check_slot(int slot, const char *version, const uint8_t *image)
{
	uint8_t hash[BUNDLE_SHA256_SIZE];
	struct update_state st;
	const struct slot_record *r = &st.slot[slot];
	char name[16];

	snprintf(name, sizeof(name), "slot-%c.img", slot_name(slot));
	CHECK(slot_file_is(name, image, IMAGE_SIZE));
	bundle_sha256(image, IMAGE_SIZE, hash);
	CHECK(!read_record(&st));
	CHECK(r->used && !strcmp(r->version, version));
	CHECK(r->size == IMAGE_SIZE && !memcmp(r->sha256, hash, sizeof(hash)));
}

/* The fake guest's last boot, and its health register. */
static void check_booted(struct monitor *m, int slot, const uint8_t *image,
			 unsigned int attempt)
{
	struct update_link *l = link_of(m);
	char path[512];

	snprintf(path, sizeof(path), "%s/slot-%c.img", slot_dir,
		 slot_name(slot));
	CHECK(fake.guest == ALPHA);
	CHECK(fake.size == IMAGE_SIZE && !memcmp(fake.image, image, IMAGE_SIZE));
	CHECK(!strcmp(fake.path, path));
	CHECK(l && atomic_load(&l->slot) == (uint32_t)slot);
	CHECK(l && atomic_load(&l->attempt) == attempt);
}

static void check_status(struct monitor *m, const char *want)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	update_service.status(m, f, alpha(m));
	fclose(f);
	CHECK_CONTAINS(text, want);
	free(text);
}

/* The next message the client has, "" when none waits; NULL once closed. */
static const char *client_msg(int fd)
{
	static char msg[1024];
	ssize_t n = recv(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT);

	if (n == 0)
		return NULL;
	msg[n > 0 ? n : 0] = '\0';
	return msg;
}

static void check_client(int fd, const char *want)
{
	const char *msg = client_msg(fd);

	CHECK(msg != NULL);
	CHECK_CONTAINS(msg ? msg : "(closed)", want);
}

static void check_client_closed(int fd)
{
	CHECK(client_msg(fd) == NULL);
	close(fd);
}

static void check_client_waits(int fd)
{
	const char *msg = client_msg(fd);

	CHECK(msg && !msg[0]);
}

/* A bundle file with these bytes, open for reading. */
static int bundle_fd(const uint8_t *data, size_t len)
{
	char path[512];
	int fd;

	unit_write_file(tmp, "bundle.pvb", data, len);
	snprintf(path, sizeof(path), "%s/bundle.pvb", tmp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path, strerror(errno));
	return fd;
}

static uint8_t *make_bundle(const uint8_t *image, size_t size,
			    const char *guest, const char *version,
			    const uint8_t *key, size_t *len)
{
	struct pinvm_error err = { "" };
	uint8_t *data;

	if (bundle_create(image, size, guest, version, key, &data, len, &err))
		die("bundle_create", err.msg);
	return data;
}

/* `pinvm update` of bundle bytes to guest: the client's end of the answer. */
static int request_bytes(const char *guest, const uint8_t *data, size_t len,
			 bool allow_downgrade)
{
	int sv[2], fd = bundle_fd(data, len);

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		die("socketpair", strerror(errno));
	update_request(guest, fd, allow_downgrade, sv[1]);
	close(fd);
	return sv[0];
}

static int request(const char *guest, const uint8_t *image,
		   const char *for_guest, const char *version)
{
	size_t len;
	uint8_t *data = make_bundle(image, IMAGE_SIZE, for_guest, version, sk,
				    &len);
	int client = request_bytes(guest, data, len, false);

	free(data);
	return client;
}

/* The same through the control socket, as pinvm update sends it. */
static int request_by_socket(struct monitor *m, const char *req,
			     const uint8_t *image, const char *version)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)req, strlen(req) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	uint8_t *data;
	size_t len;
	int sock, fd;

	data = make_bundle(image, IMAGE_SIZE, "alpha", version, sk, &len);
	fd = bundle_fd(data, len);
	free(data);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", control_path);
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)))
		die(control_path, strerror(errno));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		die("sendmsg", strerror(errno));
	close(fd);
	update_service.fd_ready(m);
	return sock;
}

/* 1. The first start seeds slot a from the partition's image. */
static struct monitor *test_first_start(void)
{
	struct monitor *m;
	struct stat st;

	TEST("first start seeds slot a");
	fresh_dir("first");
	m = pinvm_start();
	CHECK(!stat(slot_dir, &st) && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 0777) == 0700);
	check_record(0, SLOT_NONE, 0, "none", "slot a seeded from ");
	check_slot(0, "1.0", fw1);
	CHECK(!slot_file_exists("slot-b.img"));
	check_booted(m, 0, fw1, 0);
	CHECK(fake.restarts == 0 && fake.stops == 0);
	CHECK(update_service.timeout_ms(m) == -1);
	check_status(m, "update guest=alpha slot=a version=1.0 committed=a trial=- attempts=0/3 a=1.0 b=- result=none reason=slot a seeded from ");

	TEST("the control socket");
	CHECK(update_service.get_fd(m) >= 0);
	CHECK(!stat(control_path, &st) && S_ISSOCK(st.st_mode) &&
	      (st.st_mode & 0777) == 0600);

	TEST("a guest without a health register has no slots");
	CHECK(guest_link(&m->guests[PLAIN].links, UPDATE_SERVICE) == NULL);
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		update_service.status(m, f, &m->guests[PLAIN]);
		fclose(f);
		CHECK(len == 0);
		free(text);
	}
	CHECK(!update_service.guest_ended(m, &m->guests[PLAIN],
					  GUEST_EXIT_RESET));
	TEST("nothing to do without a trial");
	update_service.poll(m);
	CHECK(!update_service.guest_ended(m, alpha(m), GUEST_EXIT_RESET));
	CHECK(!update_service.guest_ended(m, alpha(m), GUEST_EXIT_CRASH));
	CHECK(fake.restarts == 0);
	check_record(0, SLOT_NONE, 0, "none", "slot a seeded from ");
	return m;
}

/* 2. An update: slot b written, the trial recorded, one restart from b. */
static int test_update(struct monitor *m)
{
	int client, left;

	TEST("update through the control socket");
	client = request_by_socket(m, "update alpha", fw2, "2.0");
	check_client(client, "info alpha: version 2.0 written to slot b; restarting it on trial");
	check_client_waits(client);
	check_record(0, 1, 1, "trial", "version 2.0 written to slot b");
	check_slot(1, "2.0", fw2);
	check_slot(0, "1.0", fw1);
	CHECK(fake.restarts == 1 && fake.stops == 1);
	check_booted(m, 1, fw2, 1);
	left = update_service.timeout_ms(m);
	CHECK(left > 0 && left <= TIMEOUT_MS + 1);
	check_status(m, "update guest=alpha slot=b version=2.0 committed=a trial=b attempts=1/3 a=1.0 b=2.0 result=trial reason=version 2.0 written to slot b");
	/* Within timeout-ms, silence is no reason to roll back yet. */
	update_service.poll(m);
	CHECK(fake.restarts == 1);
	check_client_waits(client);
	return client;
}

/* 3. Health reported: the poll commits slot b, and nothing restarts. */
static void test_commit(struct monitor *m, int client)
{
	struct update_link *l = link_of(m);

	TEST("commit");
	update_link_report(l);
	CHECK(wakes == 1);
	CHECK(atomic_load(&l->healthy));
	update_service.poll(m);
	check_record(1, SLOT_NONE, 0, "committed",
		     "version 2.0 reported health ");
	check_record(1, SLOT_NONE, 0, "committed", " s into boot attempt 1");
	check_slot(1, "2.0", fw2);
	check_slot(0, "1.0", fw1);
	check_client(client, "ok committed: version 2.0 reported health ");
	check_client_closed(client);
	CHECK(fake.restarts == 1);
	CHECK(atomic_load(&l->attempt) == 0 && atomic_load(&l->slot) == 1);
	CHECK(update_service.timeout_ms(m) == -1);
	check_status(m, "update guest=alpha slot=b version=2.0 committed=b trial=- attempts=0/3 a=1.0 b=2.0 result=committed reason=version 2.0 reported health ");
	update_service.poll(m);
	CHECK(fake.restarts == 1);
}

/* A restart boots the committed slot b; the next update goes to slot a. */
static void test_after_commit(struct monitor *m)
{
	int client;

	TEST("the last status file, written after the service ends, has the update line");
	update_service.exit(m);
	check_status(m, "update guest=alpha slot=b version=2.0 committed=b trial=-");
	partition_free(&m->part);
	free(m);

	TEST("pinvm restarts after a commit");
	m = pinvm_start();
	check_booted(m, 1, fw2, 0);
	check_record(1, SLOT_NONE, 0, "committed", "version 2.0 reported health");
	check_slot(0, "1.0", fw1);
	CHECK(fake.restarts == 1);

	TEST("the next update writes slot a");
	client = request("alpha", fw3, "alpha", "3.0");
	check_client(client, "info alpha: version 3.0 written to slot a");
	check_record(1, 0, 1, "trial", "version 3.0 written to slot a");
	check_slot(0, "3.0", fw3);
	check_slot(1, "2.0", fw2);
	CHECK(fake.restarts == 2);
	check_booted(m, 0, fw3, 1);

	TEST("pinvm stops during a trial");
	pinvm_stop(m);
	check_client(client, "error pinvm stopped before the trial ended");
	check_client_closed(client);
	check_record(1, 0, 1, "trial", "version 3.0 written to slot a");
}

/* 4. No report within timeout-ms: back to slot a. */
static void test_silence(void)
{
	struct monitor *m;
	struct update_link *l;
	int client;

	TEST("rollback on silence");
	fresh_dir("silence");
	m = pinvm_start();
	l = link_of(m);
	fake.restarts = 0;
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	check_booted(m, 1, fw2, 1);
	usleep((TIMEOUT_MS + 50) * 1000);
	CHECK(update_service.timeout_ms(m) == 1);
	update_service.poll(m);
	CHECK(fake.restarts == 2);
	check_booted(m, 0, fw1, 0);
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "no health report within 100 ms");
	check_slot(0, "1.0", fw1);
	check_slot(1, "2.0", fw2);
	check_client(client, "error rolled back to version 1.0: no health report within 100 ms");
	check_client_closed(client);
	CHECK(update_service.timeout_ms(m) == -1);
	check_status(m, "update guest=alpha slot=a version=1.0 committed=a trial=- attempts=0/3 a=1.0 b=2.0 result=rolled-back reason=no health report within 100 ms");

	TEST("a report after the rollback changes nothing");
	update_link_report(l);
	update_service.poll(m);
	CHECK(fake.restarts == 2);
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "no health report within 100 ms");
	pinvm_stop(m);
}

/* 5. A crash or a power-off during the trial rolls back at once. */
static void test_crash(void)
{
	static const struct {
		enum guest_exit why;
		const char *reason;
	} ends[] = {
		{ GUEST_EXIT_CRASH, "crashed during its trial" },
		{ GUEST_EXIT_POWEROFF, "powered off during its trial" },
	};
	struct monitor *m;
	unsigned int i;
	int client;

	fresh_dir("crash");
	m = pinvm_start();
	for (i = 0; i < ARRAY_SIZE(ends); i++) {
		TEST(ends[i].reason);
		fake.restarts = 0;
		client = request("alpha", fw2, "alpha", "2.0");
		check_client(client, "info ");
		check_booted(m, 1, fw2, 1);
		CHECK(update_service.guest_ended(m, alpha(m), ends[i].why));
		CHECK(fake.restarts == 2);
		check_booted(m, 0, fw1, 0);
		check_record(0, SLOT_NONE, 0, "rolled-back", ends[i].reason);
		check_client(client, "error rolled back to version 1.0: ");
		check_client_closed(client);
		check_status(m, ends[i].reason);
	}

	TEST("pinvm stopping the guest is no end of its trial");
	fake.restarts = 0;
	client = request("alpha", fw2, "alpha", "2.0");
	CHECK(!update_service.guest_ended(m, alpha(m), GUEST_EXIT_STOP));
	CHECK(fake.restarts == 1);
	check_record(0, 1, 1, "trial", "version 2.0 written to slot b");
	check_client(client, "info ");
	check_client_waits(client);
	pinvm_stop(m);
	check_client(client, "error pinvm stopped before the trial ended");
	check_client_closed(client);
}

/* 6. Each reset during a trial is a boot attempt; one too many rolls back. */
static void test_attempts(void)
{
	struct monitor *m;
	unsigned int attempt;
	int client, left;

	TEST("resets during a trial");
	fresh_dir("attempts");
	m = pinvm_start();
	fake.restarts = 0;
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	for (attempt = 2; attempt <= 3; attempt++) {
		CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_RESET));
		CHECK(fake.restarts == attempt);
		check_booted(m, 1, fw2, attempt);
		check_record(0, 1, attempt, "trial",
			     "version 2.0 written to slot b");
		left = update_service.timeout_ms(m);
		CHECK(left > 0 && left <= TIMEOUT_MS + 1);
		check_client_waits(client);
	}
	check_status(m, "trial=b attempts=3/3");

	TEST("too many attempts");
	CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_RESET));
	CHECK(fake.restarts == 4);
	check_booted(m, 0, fw1, 0);
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "no health report in 3 boot attempts");
	check_slot(1, "2.0", fw2);
	check_client(client, "error rolled back to version 1.0: no health report in 3 boot attempts");
	check_client_closed(client);
	/* The committed firmware's resets are the restart policy's. */
	CHECK(!update_service.guest_ended(m, alpha(m), GUEST_EXIT_RESET));
	CHECK(fake.restarts == 4);
	pinvm_stop(m);
}

/* 7. A pinvm restart during a trial is one more boot attempt. */
/*
 * In a fresh directory: an update starts its trial, pinvm stops (its client
 * told so), and pinvm starts again over the trial.
 */
static struct monitor *trial_then_power_cut(const char *dir)
{
	struct monitor *m;
	int client;

	fresh_dir(dir);
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	pinvm_stop(m);
	check_client(client, "error pinvm stopped");
	check_client_closed(client);
	return pinvm_start();
}

static void test_restarts(void)
{
	struct monitor *m;
	unsigned int attempt;
	int client;

	TEST("attempts across pinvm restarts");
	fresh_dir("restarts");
	m = pinvm_start();
	fake.restarts = 0;
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	for (attempt = 2; attempt <= 3; attempt++) {
		pinvm_stop(m);
		/* What a power cut left half-written goes at start. */
		unit_write_file(slot_dir, "slot-b.img.tmp", "torn", 4);
		unit_write_file(slot_dir, "state.tmp", "torn", 4);
		m = pinvm_start();
		CHECK(!slot_file_exists("slot-b.img.tmp"));
		CHECK(!slot_file_exists("state.tmp"));
		check_record(0, 1, attempt, "trial",
			     "version 2.0 written to slot b");
		check_booted(m, 1, fw2, attempt);
		CHECK(fake.restarts == 1);
		CHECK(update_service.timeout_ms(m) > 0);
	}
	check_status(m, "slot=b version=2.0 committed=a trial=b attempts=3/3");
	check_client(client, "error pinvm stopped before the trial ended");
	check_client_closed(client);

	TEST("too many pinvm restarts");
	pinvm_stop(m);
	m = pinvm_start();
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "no health report in 3 boot attempts");
	check_booted(m, 0, fw1, 0);
	check_slot(0, "1.0", fw1);
	CHECK(fake.restarts == 1);
	CHECK(update_service.timeout_ms(m) == -1);
	pinvm_stop(m);

	TEST("a trial restarted by pinvm commits");
	m = trial_then_power_cut("restart-commit");
	check_booted(m, 1, fw2, 2);
	update_link_report(link_of(m));
	update_service.poll(m);
	check_record(1, SLOT_NONE, 0, "committed",
		     "version 2.0 reported health ");
	check_record(1, SLOT_NONE, 0, "committed", "into boot attempt 2");
	CHECK(atomic_load(&link_of(m)->attempt) == 0);
	pinvm_stop(m);
}

/* 8. A report and then a reset before any poll: committed, then rebooted. */
static void test_report_then_reset(void)
{
	struct pinvm_error err = { "" };
	struct monitor *m;
	unsigned int restarts;
	int client;

	TEST("health then reset");
	fresh_dir("race");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	restarts = fake.restarts;
	update_link_report(link_of(m));
	CHECK(!update_service.guest_ended(m, alpha(m), GUEST_EXIT_RESET));
	CHECK(fake.restarts == restarts);
	check_record(1, SLOT_NONE, 0, "committed",
		     "version 2.0 reported health ");
	check_client(client, "ok committed: version 2.0 reported health ");
	check_client_closed(client);
	CHECK(atomic_load(&link_of(m)->attempt) == 0);
	/* The default restart policy reboots what is now committed. */
	CHECK(!monitor_restart(m, alpha(m), &err));
	check_booted(m, 1, fw2, 0);
	update_service.poll(m);
	CHECK(fake.restarts == restarts + 1);
	check_status(m, "slot=b version=2.0 committed=b trial=- attempts=0/3");

	TEST("health then crash");
	client = request("alpha", fw3, "alpha", "3.0");
	check_client(client, "info ");
	check_booted(m, 0, fw3, 1);
	restarts = fake.restarts;
	update_link_report(link_of(m));
	CHECK(!update_service.guest_ended(m, alpha(m), GUEST_EXIT_CRASH));
	CHECK(fake.restarts == restarts);
	check_record(0, SLOT_NONE, 0, "committed",
		     "version 3.0 reported health ");
	check_client(client, "ok committed: ");
	check_client_closed(client);
	pinvm_stop(m);
}

/* Every file of the slot directory, name and bytes, and the fake's counts. */
struct snapshot {
	unsigned int restarts, stops;
	unsigned int n;
	char name[8][64];
	uint8_t *data[8];
	size_t len[8];
};

static void snapshot_take(struct snapshot *s)
{
	DIR *d = opendir(slot_dir);
	struct dirent *e;

	memset(s, 0, sizeof(*s));
	s->restarts = fake.restarts;
	s->stops = fake.stops;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' || s->n == ARRAY_SIZE(s->name))
			continue;
		snprintf(s->name[s->n], sizeof(s->name[0]), "%.63s", e->d_name);
		s->data[s->n] = slot_file(e->d_name, &s->len[s->n]);
		s->n++;
	}
	if (d)
		closedir(d);
}

static bool snapshot_same(const struct snapshot *s)
{
	struct snapshot now;
	unsigned int i;
	bool same;

	snapshot_take(&now);
	same = now.n == s->n;
	for (i = 0; same && i < s->n; i++)
		same = slot_file_is(s->name[i], s->data[i], s->len[i]);
	for (i = 0; i < now.n; i++)
		free(now.data[i]);
	return same;
}

static void snapshot_free(struct snapshot *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		free(s->data[i]);
}

/* A refused request: the client told why, nothing written or restarted. */
static void check_refused(const char *name, int client, const char *why,
			  const struct snapshot *before)
{
	const char *msg;

	TEST(name);
	msg = client_msg(client);
	CHECK(msg && !strncmp(msg, "error ", 6));
	CHECK_CONTAINS(msg ? msg : "(closed)", why);
	check_client_closed(client);
	CHECK(snapshot_same(before));
	CHECK(fake.restarts == before->restarts && fake.stops == before->stops);
}

/*
 * The guest's slots could not be used: update_service.init() went on, the
 * guest boots the partition's image (its fake boot is what
 * boot_guests() saw), the status says why and an update is refused.
 */
static void check_degraded(struct monitor *m, const char *why)
{
	struct snapshot before;
	char path[512];
	int client;

	boot_guests(m);
	snprintf(path, sizeof(path), "%s/alpha.bin", image_dir);
	CHECK(!strcmp(fake.path, path));
	CHECK(fake.size == IMAGE_SIZE && !memcmp(fake.image, fw1, IMAGE_SIZE));
	check_status(m, "update guest=alpha slot=- version=1.0 committed=- trial=- attempts=0/3 a=- b=- result=degraded reason=booted the partition's image: ");
	check_status(m, why);
	CHECK(update_service.timeout_ms(m) == -1);
	snapshot_take(&before);
	client = request("alpha", fw2, "alpha", "2.0");
	check_refused("  and it cannot be updated", client,
		      "guest alpha runs its partition's image", &before);
	snapshot_free(&before);
}

/* Every slot the record on disk names has the bytes it names. */
static void check_record_true(void)
{
	uint8_t hash[BUNDLE_SHA256_SIZE];
	struct update_state st;
	unsigned int i;

	CHECK(!read_record(&st));
	for (i = 0; i < 2; i++) {
		char name[16];
		uint8_t *data;
		size_t len;

		if (!st.slot[i].used)
			continue;
		snprintf(name, sizeof(name), "slot-%c.img", slot_name(i));
		data = slot_file(name, &len);
		CHECK(data && len == st.slot[i].size);
		if (data)
			bundle_sha256(data, len, hash);
		CHECK(data && !memcmp(hash, st.slot[i].sha256, sizeof(hash)));
		free(data);
	}
}

/* stderr into a file for a while: what pinvm logged. */
static int log_start(void)
{
	char path[512];
	int saved = dup(STDERR_FILENO), fd;

	snprintf(path, sizeof(path), "%s/log", tmp);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (saved < 0 || fd < 0)
		die(path, strerror(errno));
	dup2(fd, STDERR_FILENO);
	close(fd);
	return saved;
}

/* Back to the real stderr; how many lines held what. */
static unsigned int log_count(int saved, const char *what)
{
	unsigned int n = 0;
	char path[512];
	char *text, *p;
	size_t len;

	dup2(saved, STDERR_FILENO);
	close(saved);
	snprintf(path, sizeof(path), "%s/log", tmp);
	text = unit_read_file(path, &len);
	text = realloc(text, len + 1);
	text[len] = '\0';
	fputs(text, stderr);
	for (p = text; (p = strstr(p, what)); p++)
		n++;
	free(text);
	return n;
}

/* 9. Refusals: before a byte is written, and with nothing restarted. */
static void test_refusals(void)
{
	uint8_t other_pk[BUNDLE_KEY_SIZE], other_sk[BUNDLE_SECRET_KEY_SIZE];
	struct snapshot before;
	struct monitor *m;
	uint8_t *data, *big;
	size_t len;
	int client, trial;

	fresh_dir("refusals");
	m = pinvm_start();
	snapshot_take(&before);
	CHECK(before.n == 2);

	client = request("alpha", fw2, "beta", "2.0");
	check_refused("a bundle for another guest", client,
		      "bundle: made for guest beta, not alpha", &before);

	data = make_bundle(fw2, IMAGE_SIZE, "alpha", "2.0", sk, &len);
	data[len - 1] ^= 1;
	client = request_bytes("alpha", data, len, false);
	free(data);
	check_refused("a tampered image byte", client, "tampered image", &before);

	client = request("alpha", fw2, "alpha", "0.9");
	check_refused("a downgrade", client,
		      "bundle: version 0.9 is older than the running 1.0 (--allow-downgrade",
		      &before);

	crypto_sign_keypair(other_pk, other_sk);
	data = make_bundle(fw2, IMAGE_SIZE, "alpha", "2.0", other_sk, &len);
	client = request_bytes("alpha", data, len, false);
	free(data);
	check_refused("another key", client, "signed by another key", &before);

	big = calloc(1, GUEST_RAM + 1);
	data = make_bundle(big, GUEST_RAM + 1, "alpha", "2.0", sk, &len);
	client = request_bytes("alpha", data, len, false);
	free(data);
	check_refused("an image the loader refuses", client, "bundle: ", &before);
	free(big);

	big = calloc(1, GUEST_RAM + BUNDLE_MANIFEST_MAX + 100);
	client = request_bytes("alpha", big, GUEST_RAM + BUNDLE_MANIFEST_MAX + 100,
			       false);
	free(big);
	check_refused("a bundle larger than the guest's memory", client,
		      "cannot fit guest alpha's 65536 bytes of memory", &before);

	client = request("plain", fw2, "plain", "2.0");
	check_refused("a guest without a health register", client,
		      "guest plain has no pinvm,health device", &before);
	client = request("nope", fw2, "nope", "2.0");
	check_refused("no such guest", client, "no guest named \"nope\"", &before);
	check_record(0, SLOT_NONE, 0, "none", "slot a seeded from ");
	snapshot_free(&before);

	trial = request("alpha", fw2, "alpha", "2.0");
	check_client(trial, "info ");
	snapshot_take(&before);
	client = request("alpha", fw3, "alpha", "3.0");
	check_refused("an update while a trial runs", client,
		      "guest alpha: an update is already on trial", &before);
	check_client_waits(trial);
	check_record(0, 1, 1, "trial", "version 2.0 written to slot b");
	snapshot_free(&before);

	TEST("a downgrade, allowed");
	CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_CRASH));
	check_client(trial, "error rolled back");
	check_client_closed(trial);
	data = make_bundle(fw3, IMAGE_SIZE, "alpha", "0.9", sk, &len);
	client = request_bytes("alpha", data, len, true);
	free(data);
	check_client(client, "info alpha: version 0.9 written to slot b");
	check_booted(m, 1, fw3, 1);
	check_slot(1, "0.9", fw3);
	pinvm_stop(m);
	check_client(client, "error pinvm stopped");
	check_client_closed(client);
}

/* A slot is booted only when its bytes are those of its record. */
static void test_corrupt_slots(void)
{
	struct pinvm_error err = { "" };
	struct monitor *m;
	uint8_t bad[IMAGE_SIZE];
	int client;

	TEST("a corrupt slot on trial");
	fresh_dir("corrupt");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	pinvm_stop(m);
	check_client(client, "error pinvm stopped");
	check_client_closed(client);
	memcpy(bad, fw2, sizeof(bad));
	bad[100] ^= 1;
	unit_write_file(slot_dir, "slot-b.img", bad, sizeof(bad));
	m = pinvm_start();
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "slot-b.img: does not match its state record");
	check_booted(m, 0, fw1, 0);
	pinvm_stop(m);

	TEST("a corrupt committed slot, the other one rolled back: the partition's image");
	memcpy(bad, fw1, sizeof(bad));
	bad[0] ^= 1;
	unit_write_file(slot_dir, "slot-a.img", bad, sizeof(bad));
	m = new_monitor();
	CHECK(update_service.init(m, &err) == 0);
	check_degraded(m, "slot-a.img: does not match its state record");
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "slot-b.img: does not match its state record");
	pinvm_stop(m);

	TEST("a trial out of attempts and a corrupt committed slot");
	m = trial_then_power_cut("corrupt-both");
	pinvm_stop(m);
	m = pinvm_start();
	pinvm_stop(m);
	check_record(0, 1, 3, "trial", "version 2.0 written to slot b");
	unit_write_file(slot_dir, "slot-a.img", bad, sizeof(bad));
	m = new_monitor();
	CHECK(update_service.init(m, &err) == 0);
	/* Slot b failed its trial: no stand-in for slot a. */
	check_degraded(m, "committed slot a: ");
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "no health report in 3 boot attempts");
	CHECK(slot_file_is("slot-b.img", fw2, IMAGE_SIZE));
	pinvm_stop(m);
}

static void setup(void)
{
	struct pinvm_error err = { "" };
	char path[512];
	size_t len;
	char *text;
	unsigned int i;

	if (!mkdtemp(tmp))
		die(tmp, strerror(errno));
	snprintf(image_dir, sizeof(image_dir), "%s/images", tmp);
	snprintf(control_path, sizeof(control_path), "%s/control", tmp);
	mkdir(image_dir, 0755);
	for (i = 0; i < IMAGE_SIZE; i++) {
		fw1[i] = i * 7;
		fw2[i] = i * 13 + 1;
		fw3[i] = i * 3 + 5;
	}
	unit_write_file(image_dir, "alpha.bin", fw1, sizeof(fw1));
	snprintf(path, sizeof(path), "%s/unit/partitions/update.dtb", build_dir);
	dtb = unit_read_file(path, &len);
	/* The built-in key is the development key: sign with its secret half. */
	snprintf(path, sizeof(path), "%s/keys/development.sec", build_dir);
	text = unit_read_file(path, &len);
	if (bundle_crypto_init(&err) ||
	    bundle_parse_key(text, len, sk, sizeof(sk), path, &err))
		die(path, err.msg);
	free(text);
	signal(SIGUSR2, wake);
}

/* A guest that ended for good, and a trial whose restart failed. */
static void test_not_running(void)
{
	struct snapshot before;
	struct monitor *m;
	int client;

	fresh_dir("not-running");
	m = pinvm_start();
	guest_finish(alpha(m));
	snapshot_take(&before);
	client = request("alpha", fw2, "alpha", "2.0");
	check_refused("an update of a guest that no longer runs", client,
		      "guest alpha is not running", &before);
	snapshot_free(&before);
	pinvm_stop(m);

	TEST("a trial whose restart fails rolls back");
	fresh_dir("restart-fails");
	m = pinvm_start();
	fake.fail_restart = true;
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	check_client(client, "error rolled back to version 1.0: cannot restart: ");
	check_client_closed(client);
	check_record(0, SLOT_NONE, 0, "rolled-back", "cannot restart: ");
	/* Not restarted by the rollback: its thread is gone, nothing runs it. */
	CHECK(!alpha(m)->has_thread && !guest_running(alpha(m)));
	CHECK(update_service.timeout_ms(m) == -1);
	pinvm_stop(m);
}

/* Issue 14, item 10: one guest's slot problem stops no guest. */
static void test_degrade_at_start(void)
{
	struct pinvm_error err = { "" };
	struct monitor *m;
	uint8_t bad[IMAGE_SIZE];
	char *text;
	size_t len;
	int client;

	TEST("an update directory that cannot be made: the partition's image");
	fresh_dir("not-a-dir");
	unit_write_file(tmp, "not-a-dir", "x", 1);
	m = new_monitor();
	CHECK(update_service.init(m, &err) == 0);
	check_degraded(m, "cannot create: Not a directory");
	pinvm_stop(m);

	TEST("a full update directory at the first start: the partition's image");
	fresh_dir("full-at-seed");
	setenv("PINVM_FAULT", "seed-full", 1);
	m = new_monitor();
	CHECK(update_service.init(m, &err) == 0);
	unsetenv("PINVM_FAULT");
	check_degraded(m, "cannot write: No space left on device");
	CHECK(!slot_file_exists("slot-a.img") && !slot_file_exists("state"));
	pinvm_stop(m);
	TEST("  and once it has room, the next start seeds");
	m = pinvm_start();
	check_record(0, SLOT_NONE, 0, "none", "slot a seeded from ");
	check_booted(m, 0, fw1, 0);

	TEST("a committed slot with one flipped bit: the other slot stands in");
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	update_link_report(link_of(m));
	update_service.poll(m);
	check_client(client, "ok committed");
	check_client_closed(client);
	pinvm_stop(m);
	memcpy(bad, fw2, sizeof(bad));
	bad[7] ^= 0x10;
	unit_write_file(slot_dir, "slot-b.img", bad, sizeof(bad));
	m = pinvm_start();
	check_booted(m, 0, fw1, 0);
	check_record(0, SLOT_NONE, 0, "rolled-back",
		     "slot b did not match its record: back to slot a");
	check_record_true();
	check_status(m, "slot=a version=1.0 committed=a trial=- attempts=0/3 a=1.0 b=- result=rolled-back");
	TEST("  and the next update writes the bad slot");
	client = request("alpha", fw3, "alpha", "3.0");
	check_client(client, "info alpha: version 3.0 written to slot b");
	check_booted(m, 1, fw3, 1);
	check_slot(1, "3.0", fw3);
	pinvm_stop(m);
	check_client(client, "error pinvm stopped");
	check_client_closed(client);

	TEST("a corrupt state record: the partition's image, the slots kept");
	fresh_dir("bad-record");
	m = pinvm_start();
	pinvm_stop(m);
	unit_write_file(slot_dir, "state", "pinvm-update-state 1\ncommitted=c\n",
			33);
	m = new_monitor();
	CHECK(update_service.init(m, &err) == 0);
	check_degraded(m, "not a valid state record (at committed)");
	text = (char *)slot_file("state", &len);
	CHECK(text && len == 33 && !memcmp(text, "pinvm-update-state 1\n", 21));
	free(text);
	CHECK(slot_file_is("slot-a.img", fw1, IMAGE_SIZE));
	pinvm_stop(m);
}

/* Item 11: a rollback that cannot be recorded is not said to be done. */
static void test_rollback_unrecorded(void)
{
	struct monitor *m;
	int client;

	TEST("a rollback whose record cannot be written");
	fresh_dir("rollback-full");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	setenv("PINVM_FAULT", "rollback-full", 1);
	CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_CRASH));
	check_booted(m, 0, fw1, 0);
	check_client(client, "error rolled back to version 1.0: crashed during its trial; the rollback is not recorded (");
	check_client_closed(client);
	/* On disk still the trial, but its slot is gone. */
	check_record(0, 1, 1, "trial", "version 2.0 written to slot b");
	CHECK(!slot_file_exists("slot-b.img"));
	check_status(m, "committed=a trial=- attempts=0/3 a=1.0 b=- result=rolled-back");
	update_service.poll(m);
	check_record(0, 1, 1, "trial", "version 2.0 written to slot b");
	TEST("  retried on the next poll once it can be written");
	unsetenv("PINVM_FAULT");
	update_service.poll(m);
	check_record(0, SLOT_NONE, 0, "rolled-back", "crashed during its trial");
	check_record_true();
	pinvm_stop(m);

	TEST("  or the next start finishes it");
	fresh_dir("rollback-full-restart");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	setenv("PINVM_FAULT", "rollback-full", 1);
	CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_POWEROFF));
	check_client(client, "the rollback is not recorded");
	check_client_closed(client);
	pinvm_stop(m);
	unsetenv("PINVM_FAULT");
	check_record(0, 1, 1, "trial", "version 2.0 written to slot b");
	m = pinvm_start();
	check_booted(m, 0, fw1, 0);
	check_record(0, SLOT_NONE, 0, "rolled-back", "slot-b.img");
	check_record_true();
	check_status(m, "slot=a version=1.0 committed=a trial=-");
	pinvm_stop(m);
}

/* Item 12: a lost record does not seed slot a over newer firmware. */
static void test_lost_record(void)
{
	char path[512];
	struct monitor *m;
	int client;

	TEST("a lost state record with committed firmware in slot b");
	fresh_dir("lost-record");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	update_link_report(link_of(m));
	update_service.poll(m);
	check_client(client, "info ");
	check_client(client, "ok committed");
	check_client_closed(client);
	pinvm_stop(m);
	snprintf(path, sizeof(path), "%s/state", slot_dir);
	unlink(path);
	m = pinvm_start();
	check_degraded(m, "state: missing, but slot-b.img is there: not seeding");
	CHECK(!slot_file_exists("state"));
	CHECK(slot_file_is("slot-a.img", fw1, IMAGE_SIZE));
	CHECK(slot_file_is("slot-b.img", fw2, IMAGE_SIZE));
	pinvm_stop(m);

	TEST("  or other bytes in slot a");
	snprintf(path, sizeof(path), "%s/slot-b.img", slot_dir);
	unlink(path);
	unit_write_file(slot_dir, "slot-a.img", fw2, IMAGE_SIZE);
	m = pinvm_start();
	check_degraded(m, "slot-a.img is there: not seeding");
	CHECK(slot_file_is("slot-a.img", fw2, IMAGE_SIZE));
	pinvm_stop(m);

	TEST("  a seed cut before its record: seeded again");
	unit_write_file(slot_dir, "slot-a.img", fw1, IMAGE_SIZE);
	m = pinvm_start();
	check_record(0, SLOT_NONE, 0, "none", "slot a seeded from ");
	check_booted(m, 0, fw1, 0);
	pinvm_stop(m);
}

/* Item 13: a guest's thread is joined once, whatever the rollback met. */
static void test_join_once(void)
{
	struct monitor *m;
	uint8_t bad[IMAGE_SIZE];
	int client;

	TEST("a rollback to a committed slot that cannot boot joins once");
	fresh_dir("join-once");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	memcpy(bad, fw1, sizeof(bad));
	bad[1] ^= 1;
	unit_write_file(slot_dir, "slot-a.img", bad, sizeof(bad));
	fake.joins = 0;
	CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_CRASH));
	check_client(client, "error rolled back");
	check_client_closed(client);
	CHECK(fake.joins == 1 && !alpha(m)->has_thread);
	update_service.poll(m);
	client = request("alpha", fw3, "alpha", "3.0");
	check_client(client, "error guest alpha is not running");
	check_client_closed(client);
	CHECK(fake.joins == 1);
	pinvm_stop(m);

	TEST("a trial whose restart fails joins once");
	fresh_dir("join-once-restart");
	m = pinvm_start();
	fake.joins = 0;
	fake.fail_restart = true;
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	check_client(client, "error rolled back");
	check_client_closed(client);
	update_service.poll(m);
	CHECK(fake.joins == 1 && !alpha(m)->has_thread);
	pinvm_stop(m);
}

/* Item 14: an empty image, a refused update's spare slot, a quiet retry. */
static void test_empty_image(void)
{
	struct snapshot before;
	struct monitor *m;
	uint8_t *data;
	size_t len;
	int client;

	TEST("a signed 0-byte image is refused");
	fresh_dir("empty-image");
	m = pinvm_start();
	snapshot_take(&before);
	data = make_bundle(fw2, 0, "alpha", "2.0", sk, &len);
	client = request_bytes("alpha", data, len, false);
	free(data);
	check_refused("  before anything is written", client,
		      "bundle: the image is empty (0 bytes)", &before);
	snapshot_free(&before);
	pinvm_stop(m);
}

static void test_refused_spare(void)
{
	struct snapshot before;
	struct monitor *m;
	int client;

	TEST("a refused update leaves no record promising the spare's old bytes");
	fresh_dir("refused-spare");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	check_client(client, "info ");
	CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_CRASH));
	check_client(client, "error rolled back");
	check_client_closed(client);
	check_slot(1, "2.0", fw2);
	setenv("PINVM_FAULT", "trial-full", 1);
	client = request("alpha", fw3, "alpha", "3.0");
	unsetenv("PINVM_FAULT");
	check_client(client, "error ");
	check_client_closed(client);
	check_record_true();
	CHECK(!slot_file_exists("slot-b.img"));
	check_status(m, "slot=a version=1.0 committed=a trial=- attempts=0/3 a=1.0 b=-");
	pinvm_stop(m);

	TEST("  and a full disk refuses before the spare is touched");
	fresh_dir("spare-full");
	m = pinvm_start();
	client = request("alpha", fw2, "alpha", "2.0");
	CHECK(update_service.guest_ended(m, alpha(m), GUEST_EXIT_CRASH));
	check_client(client, "info ");
	check_client(client, "error rolled back");
	check_client_closed(client);
	snapshot_take(&before);
	setenv("PINVM_FAULT", "spare-full", 1);
	client = request("alpha", fw3, "alpha", "3.0");
	unsetenv("PINVM_FAULT");
	check_refused("  (nothing written)", client, "No space left on device",
		      &before);
	snapshot_free(&before);
	pinvm_stop(m);
}

static void test_commit_retry_quiet(void)
{
	struct monitor *m;
	unsigned int restarts;
	int client, saved;

	TEST("a commit that cannot be recorded is retried, and logged once");
	fresh_dir("commit-full");
	m = pinvm_start();
	client = request("alpha", fw3, "alpha", "3.0");
	check_client(client, "info ");
	restarts = fake.restarts;
	update_link_report(link_of(m));
	setenv("PINVM_FAULT", "commit-full", 1);
	saved = log_start();
	update_service.poll(m);
	update_service.poll(m);
	update_service.poll(m);
	update_service.poll(m);
	CHECK(log_count(saved, "cannot record the commit") == 1);
	check_record(0, 1, 1, "trial", "version 3.0 written to slot b");
	check_client_waits(client);
	CHECK(fake.restarts == restarts);
	unsetenv("PINVM_FAULT");
	update_service.poll(m);
	check_record(1, SLOT_NONE, 0, "committed", "version 3.0 reported health");
	check_client(client, "ok committed");
	check_client_closed(client);
	pinvm_stop(m);
}

int main(int argc, char **argv)
{
	char cmd[300];
	struct monitor *m;

	build_dir = argc > 1 ? argv[1] : "build";
	setup();
	m = test_first_start();
	test_commit(m, test_update(m));
	test_after_commit(m);
	test_silence();
	test_crash();
	test_attempts();
	test_restarts();
	test_report_then_reset();
	test_refusals();
	test_corrupt_slots();
	test_not_running();
	test_degrade_at_start();
	test_rollback_unrecorded();
	test_lost_record();
	test_join_once();
	test_empty_image();
	test_refused_spare();
	test_commit_retry_quiet();

	free(fake.image);
	free(dtb);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		return 2;
	return unit_report();
}
