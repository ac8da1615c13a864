// SPDX-License-Identifier: GPL-2.0-only
/*
 * Field update: each guest with a health register keeps its firmware in two
 * slots under <update dir>/<guest>/ (core/update_state.h). An update
 * writes the slot not committed, records it as on trial, and restarts that
 * guest alone from it. Health reported in time commits the slot; no
 * report, a crash, a power-off or more boots than update-attempts (counted
 * in the record, so across restarts and power cuts) roll back to the
 * committed slot. Nothing is written before the bundle has passed every
 * check, and a slot is booted only when its bytes match its record.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "generated/update_key.h"
#include "loader.h"
#include "update.h"
#include "update_state.h"

struct slots {
	struct guest *g;
	struct guest_config *cfg;
	char dir[PATH_MAX - 64];	/* room for "/slot-a.img.tmp" */
	struct update_state st;
	int boot;			/* the slot the guest runs */
	struct timespec trial_start;	/* of the boot on trial */
	struct timespec deadline;	/* for its health report */
	int client;			/* `pinvm update` waiting, or -1 */
};

static struct partition *part;
static struct slots slots[CONFIG_MAX_GUESTS];
static uint8_t public_key[BUNDLE_KEY_SIZE];

static const char *const slot_files[] = { "slot-a.img", "slot-b.img" };

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

static struct slots *slots_of(const struct guest *g)
{
	unsigned int i;

	for (i = 0; i < part->nr_guests; i++)
		if (slots[i].cfg && slots[i].g == g)
			return &slots[i];
	return NULL;
}

static bool on_trial(const struct slots *s)
{
	return s->st.trial != SLOT_NONE && s->boot == s->st.trial;
}

/* One message to a waiting `pinvm update`; it never blocks the monitor. */
static void client_send(int client, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void client_send(int client, const char *kind, const char *fmt, ...)
{
	char msg[700];
	va_list ap;
	int n;

	if (client < 0)
		return;
	n = snprintf(msg, sizeof(msg), "%s ", kind);
	va_start(ap, fmt);
	n += vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	if (send(client, msg, n < (int)sizeof(msg) ? n : (int)sizeof(msg) - 1,
		 MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		pr_warn("update: cannot answer the client: %s", strerror(errno));
}

static void client_finish(struct slots *s, bool ok, const char *text)
{
	if (s->client < 0)
		return;
	client_send(s->client, ok ? "ok" : "error", "%s", text);
	close(s->client);
	s->client = -1;
}

/*
 * Write next as the guest's state record; only once it is on disk is it the
 * state the monitor acts on. The reason is one line of plain text.
 */
static int save_state(struct slots *s, const struct update_state *next,
		      const char *step, struct pinvm_error *err)
{
	struct update_state clean = *next;
	char text[1024], *c;
	size_t n;

	for (c = clean.reason; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	n = update_state_format(&clean, text, sizeof(text));
	if (!n) {
		error_set(err, "%s/state: the record does not fit", s->dir);
		return -1;
	}
	if (file_replace(s->dir, "state", text, n, step, err))
		return -1;
	s->st = clean;
	return 0;
}

/* Whether the guest's loader takes the image: format, and fit in memory. */
static int check_image(const struct slots *s, const uint8_t *image,
		       size_t len, struct pinvm_error *err)
{
	struct guest_config tmp = *s->cfg;
	struct boot_info boot = { 0 };

	tmp.image = (uint8_t *)image;
	tmp.image_size = len;
	/* cfg->mem has no host mappings: the loader only checks. */
	return s->cfg->loader->load(part, &tmp, &s->cfg->mem, &boot, err);
}

/* A slot's image, only when its bytes are those its record promises. */
static int read_slot(struct slots *s, int slot, uint8_t **image, size_t *len,
		     struct pinvm_error *err)
{
	const struct slot_record *r = &s->st.slot[slot];
	uint8_t hash[BUNDLE_SHA256_SIZE];
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", s->dir, slot_files[slot]);
	if (file_read_all(path, r->size, image, len, err))
		return -1;
	bundle_sha256(*image, *len, hash);
	if (*len != r->size || memcmp(hash, r->sha256, sizeof(hash))) {
		error_set(err, "%s: does not match its state record (size or SHA-256): incomplete or corrupt",
			  path);
		goto fail;
	}
	if (check_image(s, *image, *len, err))
		goto fail;
	return 0;
fail:
	free(*image);
	return -1;
}

/* Restart the guest alone; the other guests' threads are not touched. */
static void restart(struct slots *s)
{
	struct pinvm_error err;
	struct guest *g = s->g;

	if (guest_create(g, part, s->cfg, &err)) {
		pr_err("%s: cannot restart: %s", s->cfg->name, err.msg);
		return;
	}
	update_prepare(g);
	if (guest_start(g, pthread_self(), &err)) {
		pr_err("%s: cannot restart: %s", s->cfg->name, err.msg);
		guest_destroy(g);
	}
}

/*
 * Boot slot: read and check it, and once guests run, stop this one, swap
 * its image (no vCPU thread may reset from it meanwhile) and restart it.
 */
static int switch_to(struct slots *s, int slot, struct pinvm_error *err)
{
	bool live = s->g->cfg != NULL;
	uint8_t *image;
	size_t len;

	if (read_slot(s, slot, &image, &len, err))
		return -1;
	if (live)
		guest_shutdown(s->g);
	free(s->cfg->image);
	s->cfg->image = image;
	s->cfg->image_size = len;
	snprintf(s->cfg->image_path, sizeof(s->cfg->image_path), "%s/%s",
		 s->dir, slot_files[slot]);
	s->boot = slot;
	if (live)
		restart(s);
	return 0;
}

static int rollback(struct slots *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int rollback(struct slots *s, const char *fmt, ...)
{
	struct update_state next = s->st;
	int committed = next.committed;
	struct pinvm_error err;
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(next.reason, sizeof(next.reason), fmt, ap);
	va_end(ap);
	pr_warn("%s: update to version %s rolled back, back to slot %c (version %s): %s",
		s->cfg->name, next.slot[next.trial].version, slot_name(committed),
		next.slot[committed].version, next.reason);
	snprintf(msg, sizeof(msg), "rolled back to version %s: %s",
		 next.slot[committed].version, next.reason);
	next.trial = SLOT_NONE;
	next.attempts = 0;
	strcpy(next.result, "rolled-back");
	/*
	 * The guest goes back either way. Unrecorded, the next start still
	 * sees the trial and boots it again if it has attempts left.
	 */
	if (save_state(s, &next, "rollback", &err)) {
		pr_err("%s: cannot record the rollback: %s", s->cfg->name,
		       err.msg);
		s->st = next;
	}
	client_finish(s, false, msg);
	if (switch_to(s, committed, &err)) {
		pr_err("%s: cannot boot its committed firmware, so it stays stopped: %s",
		       s->cfg->name, err.msg);
		if (s->g->cfg)
			guest_shutdown(s->g);
		return -1;
	}
	return 0;
}

/* One more boot of the slot on trial, if it has boots left. */
static int trial_boot(struct slots *s)
{
	struct update_state next = s->st;
	struct pinvm_error err;

	if (next.attempts >= s->cfg->update_attempts)
		return rollback(s, "no health report in %u boot attempts",
				next.attempts);
	next.attempts++;
	if (save_state(s, &next, "attempt", &err))
		return rollback(s, "cannot record the boot attempt: %s",
				err.msg);
	if (switch_to(s, s->st.trial, &err))
		return rollback(s, "%s", err.msg);
	pr_info("%s: booting version %s from slot %c on trial (attempt %u of %u)",
		s->cfg->name, s->st.slot[s->st.trial].version,
		slot_name(s->st.trial), s->st.attempts, s->cfg->update_attempts);
	return 0;
}

/* The trial reported health: its slot becomes the committed one. */
static int commit(struct slots *s)
{
	struct update_state next = s->st;
	struct timespec now;
	struct pinvm_error err;
	char msg[300];

	clock_gettime(CLOCK_MONOTONIC, &now);
	next.committed = next.trial;
	next.trial = SLOT_NONE;
	snprintf(next.reason, sizeof(next.reason),
		 "version %s reported health %.2f s into boot attempt %u",
		 next.slot[next.committed].version,
		 ms_between(&s->trial_start, &now) / 1e3, next.attempts);
	next.attempts = 0;
	strcpy(next.result, "committed");
	if (save_state(s, &next, "commit", &err)) {
		/* Still on trial, in memory as on disk: tried again next poll. */
		pr_err("%s: cannot record the commit: %s", s->cfg->name, err.msg);
		return -1;
	}
	atomic_store(&s->g->on_trial, false);
	__atomic_store_n(&s->g->bus.boot_attempt, 0, __ATOMIC_RELAXED);
	pr_info("%s: committed slot %c: %s", s->cfg->name,
		slot_name(s->st.committed), s->st.reason);
	snprintf(msg, sizeof(msg), "committed: %s", s->st.reason);
	client_finish(s, true, msg);
	return 0;
}

static int seed(struct slots *s, struct pinvm_error *err)
{
	struct update_state next;
	char reason[UPDATE_REASON_MAX];

	snprintf(reason, sizeof(reason), "slot a seeded from %.150s",
		 s->cfg->image_path);
	update_state_seed(&next, s->cfg->firmware_version, s->cfg->image,
			  s->cfg->image_size, reason);
	if (file_replace(s->dir, slot_files[0], s->cfg->image,
			 s->cfg->image_size, "seed", err) ||
	    save_state(s, &next, "seed", err))
		return -1;
	pr_info("%s: %s (version %s)", s->cfg->name, s->st.reason,
		s->st.slot[0].version);
	return 0;
}

static int load_state(struct slots *s, struct pinvm_error *err)
{
	char path[PATH_MAX];
	uint8_t *text;
	size_t len;
	int ret;

	snprintf(path, sizeof(path), "%s/state", s->dir);
	if (access(path, F_OK) && errno == ENOENT)
		return seed(s, err);
	if (file_read_all(path, 4096, &text, &len, err))
		return -1;
	ret = update_state_parse((char *)text, len, &s->st, err);
	free(text);
	if (ret)
		error_prefix(err, "%s: ", path);
	return ret;
}

static int init_guest(struct slots *s, const char *dir,
		      struct pinvm_error *err)
{
	char tmp[PATH_MAX];
	unsigned int i;

	s->client = -1;
	if (snprintf(s->dir, sizeof(s->dir), "%s/%s", dir, s->cfg->name) >=
	    (int)sizeof(s->dir)) {
		error_set(err, "%s: update directory path too long", dir);
		return -1;
	}
	/* The guest's own directory is root's alone. */
	if (file_make_dirs(s->dir, 0700, err))
		return -1;
	/* What a power cut left half-written was never in a record. */
	for (i = 0; i < 3; i++) {
		snprintf(tmp, sizeof(tmp), "%s/%s.tmp", s->dir,
			 i < 2 ? slot_files[i] : "state");
		unlink(tmp);
	}
	if (load_state(s, err))
		return -1;
	if (s->st.trial != SLOT_NONE) {
		if (!trial_boot(s))
			return 0;
		error_set(err, "%s: no firmware to boot", s->cfg->name);
		return -1;
	}
	if (switch_to(s, s->st.committed, err)) {
		error_prefix(err, "%s: committed firmware: ", s->cfg->name);
		return -1;
	}
	return 0;
}

int update_init(struct partition *p, struct guest *guests, const char *dir,
		struct pinvm_error *err)
{
	static const char key[] = UPDATE_PUBLIC_KEY_HEX;
	unsigned int i;

	part = p;
	if (bundle_crypto_init(err) ||
	    bundle_parse_key(key, sizeof(key) - 1, public_key,
			     sizeof(public_key), "built-in update key", err))
		return -1;
	for (i = 0; i < p->nr_guests; i++) {
		if (!p->guests[i].health)
			continue;
		slots[i].g = &guests[i];
		slots[i].cfg = &p->guests[i];
		if (init_guest(&slots[i], dir, err))
			return -1;
	}
	return 0;
}

void update_prepare(struct guest *g)
{
	struct slots *s = slots_of(g);

	if (!s)
		return;
	g->bus.boot_slot = s->boot;
	g->bus.boot_attempt = on_trial(s) ? s->st.attempts : 0;
	atomic_store(&g->on_trial, on_trial(s));
	clock_gettime(CLOCK_MONOTONIC, &s->trial_start);
	s->deadline = s->trial_start;
	s->deadline.tv_sec += s->cfg->health->timeout_ms / 1000;
	s->deadline.tv_nsec += s->cfg->health->timeout_ms % 1000 * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L) {
		s->deadline.tv_sec++;
		s->deadline.tv_nsec -= 1000000000L;
	}
}

static const char *guest_end_reason(enum guest_state state)
{
	if (state == GUEST_CRASHED)
		return "crashed";
	/* restart() could not create or start it (logged then). */
	if (state == GUEST_CREATED)
		return "failed to start";
	return "powered off";
}

static void poll_trial(struct slots *s, const struct timespec *now)
{
	struct guest *g = s->g;
	/* Read before the report: a guest may report, then reset at once. */
	bool ended = !guest_running(g);

	if (atomic_load(&g->healthy)) {
		/* A reset after the report restarts it: see update_poll(). */
		commit(s);
		return;
	}
	fault_point("trial", "-running");
	if (ended) {
		if (g->reset_requested)
			trial_boot(s);
		else
			rollback(s, "%s during its trial",
				 guest_end_reason(atomic_load(&g->state)));
		return;
	}
	if (ms_between(&s->deadline, now) >= 0)
		rollback(s, "no health report within %u ms",
			 s->cfg->health->timeout_ms);
}

/*
 * A guest that reset while its thread still saw it on trial, but whose
 * trial was committed meanwhile: it reset committed firmware, so it boots
 * again from the committed slot.
 */
static void poll_committed(struct slots *s)
{
	struct pinvm_error err;

	if (guest_running(s->g) || !s->g->reset_requested)
		return;
	s->g->reset_requested = false;
	if (switch_to(s, s->st.committed, &err))
		pr_err("%s: cannot restart: %s", s->cfg->name, err.msg);
}

void update_poll(void)
{
	struct timespec now;
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < part->nr_guests; i++) {
		if (!slots[i].cfg)
			continue;
		if (on_trial(&slots[i]))
			poll_trial(&slots[i], &now);
		else
			poll_committed(&slots[i]);
	}
}

int update_timeout_ms(void)
{
	struct timespec now;
	double best = -1;
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < part->nr_guests; i++) {
		double left;

		if (!slots[i].cfg || !on_trial(&slots[i]))
			continue;
		left = ms_between(&now, &slots[i].deadline);
		if (best < 0 || left < best)
			best = left > 0 ? left : 0;
	}
	return best < 0 ? -1 : (int)best + 1;
}

static struct slots *find_slots(const char *name, struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < part->nr_guests; i++) {
		if (strcmp(part->guests[i].name, name))
			continue;
		if (!slots[i].cfg) {
			error_set(err, "guest %s has no pinvm,health device, so it cannot be updated (see dts/bindings/pinvm-partition.txt)",
				  name);
			return NULL;
		}
		return &slots[i];
	}
	error_set(err, "no guest named \"%s\" in %s", name, part->source);
	return NULL;
}

/* The bundle, bounded by what could fit the guest's memory. */
static int read_bundle(struct slots *s, int fd, uint8_t **data, size_t *len,
		       struct pinvm_error *err)
{
	uint64_t ram = 0, max;
	struct stat st;
	unsigned int i;

	for (i = 0; i < s->cfg->mem.nr_ram; i++)
		ram += s->cfg->mem.ram[i].size;
	max = BUNDLE_HEADER_SIZE + BUNDLE_MANIFEST_MAX + BUNDLE_SIG_SIZE + ram;
	if (!fstat(fd, &st) && (uint64_t)st.st_size > max) {
		error_set(err, "bundle: %lld bytes: the image cannot fit guest %s's %llu bytes of memory",
			  (long long)st.st_size, s->cfg->name,
			  (unsigned long long)ram);
		return -1;
	}
	errno = 0;
	return file_read_fd(fd, "bundle", max, data, len, err);
}

/* Every check a bundle must pass before a byte of it is written. */
static int check_bundle(struct slots *s, const struct bundle *b,
			bool allow_downgrade, struct pinvm_error *err)
{
	const struct bundle_manifest *m = &b->manifest;
	const char *running = s->st.slot[s->st.committed].version;

	if (strcmp(m->guest, s->cfg->name)) {
		error_set(err, "bundle: made for guest %s, not %s", m->guest,
			  s->cfg->name);
		return -1;
	}
	if (!allow_downgrade && version_compare(m->version, running) < 0) {
		error_set(err, "bundle: version %s is older than the running %s (--allow-downgrade to install it anyway)",
			  m->version, running);
		return -1;
	}
	if (check_image(s, b->image, b->image_size, err)) {
		error_prefix(err, "bundle: ");
		return -1;
	}
	return 0;
}

static int install(struct slots *s, int fd, bool allow_downgrade,
		   struct pinvm_error *err)
{
	struct update_state next = s->st;
	int target = !next.committed;
	struct slot_record *r = &next.slot[target];
	uint8_t *data;
	struct bundle b;
	size_t len;
	int ret = -1;

	if (next.trial != SLOT_NONE) {
		error_set(err, "guest %s: an update is already on trial",
			  s->cfg->name);
		return -1;
	}
	if (read_bundle(s, fd, &data, &len, err))
		return -1;
	if (bundle_open(data, len, public_key, "bundle", &b, err) ||
	    check_bundle(s, &b, allow_downgrade, err) ||
	    file_replace(s->dir, slot_files[target], b.image, b.image_size,
			 "slot", err))
		goto out;
	r->used = true;
	strcpy(r->version, b.manifest.version);
	r->size = b.image_size;
	memcpy(r->sha256, b.manifest.sha256, sizeof(r->sha256));
	next.trial = target;
	next.attempts = 0;
	strcpy(next.result, "trial");
	snprintf(next.reason, sizeof(next.reason),
		 "version %s written to slot %c", b.manifest.version,
		 slot_name(target));
	ret = save_state(s, &next, "trial", err);
out:
	free(data);
	return ret;
}

void update_request(const char *guest, int bundle_fd, bool allow_downgrade,
		    int client)
{
	struct pinvm_error err;
	struct slots *s = find_slots(guest, &err);

	if (!s || install(s, bundle_fd, allow_downgrade, &err)) {
		pr_warn("update of %s refused: %s", guest, err.msg);
		client_send(client, "error", "%s", err.msg);
		close(client);
		return;
	}
	pr_info("%s: %s; restarting it on trial (health within %u ms)",
		s->cfg->name, s->st.reason, s->cfg->health->timeout_ms);
	client_send(client, "info", "%s: %s; restarting it on trial",
		    s->cfg->name, s->st.reason);
	s->client = client;
	trial_boot(s);
}

void update_status(FILE *f, const struct guest *g)
{
	struct slots *s = slots_of(g);
	const struct update_state *st;

	if (!s)
		return;
	st = &s->st;
	fprintf(f, "update guest=%s slot=%c version=%s committed=%c trial=%c attempts=%u/%u a=%s b=%s result=%s reason=%s\n",
		s->cfg->name, slot_name(s->boot),
		st->slot[s->boot].version, slot_name(st->committed),
		st->trial == SLOT_NONE ? '-' : slot_name(st->trial),
		st->attempts, s->cfg->update_attempts,
		st->slot[0].used ? st->slot[0].version : "-",
		st->slot[1].used ? st->slot[1].version : "-",
		st->result, st->reason);
}

void update_exit(void)
{
	unsigned int i;

	for (i = 0; part && i < part->nr_guests; i++)
		if (slots[i].cfg)
			client_finish(&slots[i], false,
				      "pinvm stopped before the trial ended");
}
