// SPDX-License-Identifier: GPL-2.0-only
/*
 * Field update: each guest with a health register keeps its firmware in two
 * slots under <update dir>/<guest>/ (core/update/update_state.h). An update
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

#include "control.h"
#include "driver.h"
#include "generated/update_key.h"
#include "loader.h"
#include "update.h"
#include "update_state.h"

struct slots {
	struct guest *g;
	const struct guest_config *cfg;
	const struct update_guest_props *props;
	uint32_t timeout_ms;		/* of its health register */
	char dir[PATH_MAX - 64];	/* room for "/slot-a.img.tmp" */
	struct update_state st;
	int boot;			/* the slot the guest runs */
	uint8_t *image;			/* its bytes, which the guest boots */
	char image_path[PATH_MAX];
	struct timespec trial_start;	/* of the boot on trial */
	struct timespec deadline;	/* for its health report */
	int client;			/* `pinvm update` waiting, or -1 */
	struct update_link link;
	/* Its slots cannot be used: it runs the partition's image. */
	bool degraded;
	char why[sizeof(((struct pinvm_error *)0)->msg)];
	bool unsaved;			/* st is not on disk yet: retried */
	unsigned int failures;		/* record writes failed in a row */
	time_t log_at;			/* when the next failure is logged */
};

static struct monitor *mon;
static const struct partition *part;
static struct slots slots[CONFIG_MAX_GUESTS];
static int control_fd = -1;
static bool starting;			/* in update_init(): no thread yet */
static uint8_t public_key[BUNDLE_KEY_SIZE];

static const char *const slot_files[] = { "slot-a.img", "slot-b.img" };

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

static struct slots *slots_of(const struct guest *g)
{
	unsigned int i = g - mon->guests;

	return i < part->nr_guests && slots[i].cfg ? &slots[i] : NULL;
}

static bool on_trial(const struct slots *s)
{
	return !s->degraded && s->st.trial != SLOT_NONE &&
	       s->boot == s->st.trial;
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
	s->unsaved = false;
	s->failures = 0;
	return 0;
}

/*
 * A record that cannot be written (a full disk) is tried again on every
 * poll, but said once a minute: the log is on the same storage.
 */
static void record_failed(struct slots *s, const char *what,
			  const struct pinvm_error *err)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (s->failures++ && now.tv_sec < s->log_at)
		return;
	s->log_at = now.tv_sec + 60;
	pr_err("%s: cannot record the %s (%u tries, retried every second, said once a minute): %s",
	       s->cfg->name, what, s->failures, err->msg);
}

/* Whether the guest's loader takes the image: format, and fit in memory. */
static int check_image(const struct slots *s, const uint8_t *image,
		       size_t len, const char *path, struct pinvm_error *err)
{
	struct guest_image img = { .data = image, .size = len, .path = path };
	struct boot_info boot = { 0 };

	/* cfg->mem has no host mappings: the loader only checks. */
	return s->cfg->loader->load(part, s->cfg, &img, &s->cfg->mem, &boot,
				    err);
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
	if (check_image(s, *image, *len, path, err))
		goto fail;
	return 0;
fail:
	free(*image);
	return -1;
}

/*
 * Boot slot: read and check it, and once the guest runs, stop it, give it
 * the slot's bytes and boot it again, alone; no other guest is touched.
 */
static int switch_to(struct slots *s, int slot, struct pinvm_error *err)
{
	struct guest *g = s->g;
	bool live = g->has_thread;
	uint8_t *image;
	size_t len;

	if (read_slot(s, slot, &image, &len, err))
		return -1;
	if (live)
		guest_stop_and_wait(g);
	free(s->image);
	s->image = image;
	snprintf(s->image_path, sizeof(s->image_path), "%s/%s", s->dir,
		 slot_files[slot]);
	g->image.data = image;
	g->image.size = len;
	g->image.path = s->image_path;
	s->boot = slot;
	if (live && monitor_restart(mon, g, err)) {
		error_prefix(err, "cannot restart: ");
		return -1;
	}
	return 0;
}

/*
 * The rollback is not on disk: kept in memory and retried, and the trial's
 * slot removed (which a full disk allows), so that no start boots it on a
 * record that still says trial. The client is told all of it.
 */
static void rollback_unrecorded(struct slots *s, struct update_state *next,
				int trial, const struct pinvm_error *err,
				char *msg, size_t size)
{
	char path[PATH_MAX];
	size_t n = strlen(msg);
	bool gone;

	record_failed(s, "rollback", err);
	snprintf(path, sizeof(path), "%s/%s", s->dir, slot_files[trial]);
	gone = !unlink(path) || errno == ENOENT;
	if (gone)
		next->slot[trial].used = false;
	else
		pr_err("%s: cannot remove %s: %s: a restart may boot it on trial again",
		       s->cfg->name, path, strerror(errno));
	s->st = *next;
	s->unsaved = true;
	snprintf(msg + n, size - n,
		 "; the rollback is not recorded (%s), retried every second%s",
		 err->msg, gone ? ", and slot " : "");
	n = strlen(msg);
	if (gone && n + 40 < size)
		snprintf(msg + n, size - n,
			 "%c was removed so that no start boots it",
			 slot_name(trial));
}

static int rollback(struct slots *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int rollback(struct slots *s, const char *fmt, ...)
{
	struct update_state next = s->st;
	int committed = next.committed, trial = next.trial;
	struct pinvm_error err;
	char msg[700], path[PATH_MAX];
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
	/* A trial slot found missing is recorded as such. */
	snprintf(path, sizeof(path), "%s/%s", s->dir, slot_files[trial]);
	if (access(path, F_OK) && errno == ENOENT)
		next.slot[trial].used = false;
	/*
	 * The guest goes back either way. Unrecorded, the next start would
	 * still see the trial and boot it again: its slot goes, so that the
	 * next start finds it missing and rolls back too.
	 */
	if (save_state(s, &next, "rollback", &err))
		rollback_unrecorded(s, &next, trial, &err, msg, sizeof(msg));
	client_finish(s, false, msg);
	if (switch_to(s, committed, &err)) {
		snprintf(s->why, sizeof(s->why), "%s", err.msg);
		/* At start, init_guest() falls back to what else can boot. */
		if (starting)
			return -1;
		pr_err("%s: cannot boot its committed firmware, so it stays stopped: %s",
		       s->cfg->name, err.msg);
		if (s->g->has_thread) {
			guest_stop_and_wait(s->g);
			guest_finish(s->g);
		}
		return -1;
	}
	return 0;
}

/* One more boot of the slot on trial, if it has boots left. */
static int trial_boot(struct slots *s)
{
	struct update_state next = s->st;
	struct pinvm_error err;

	if (next.attempts >= s->props->update_attempts)
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
		slot_name(s->st.trial), s->st.attempts,
		s->props->update_attempts);
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
		record_failed(s, "commit", &err);
		return -1;
	}
	atomic_store(&s->link.attempt, 0);
	pr_info("%s: committed slot %c: %s", s->cfg->name,
		slot_name(s->st.committed), s->st.reason);
	snprintf(msg, sizeof(msg), "committed: %s", s->st.reason);
	client_finish(s, true, msg);
	return 0;
}

/*
 * No record: seed only when no slot holds firmware it would have to
 * describe. Slot a with the partition's very bytes alone is a seed cut
 * before its record; anything else may be newer firmware, which a seed
 * would silently put behind the factory image.
 */
static int check_no_slots(struct slots *s, struct pinvm_error *err)
{
	char path[PATH_MAX];
	uint8_t *data;
	size_t len;
	bool same;
	int i;

	for (i = 1; i >= 0; i--) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, slot_files[i]);
		if (access(path, F_OK) && errno == ENOENT)
			continue;
		if (!i && !file_read_all(path, s->cfg->image.size, &data, &len,
					 err)) {
			same = len == s->cfg->image.size &&
			       !memcmp(data, s->cfg->image.data, len);
			free(data);
			if (same)
				continue;
		}
		error_set(err, "%s/state: missing, but %s is there: not seeding over firmware no record describes (remove the slot files to seed slot a from the partition's image again)",
			  s->dir, slot_files[i]);
		return -1;
	}
	return 0;
}

static int seed(struct slots *s, struct pinvm_error *err)
{
	struct update_state next;
	char reason[UPDATE_REASON_MAX];

	if (check_no_slots(s, err))
		return -1;
	snprintf(reason, sizeof(reason), "slot a seeded from %.150s",
		 s->cfg->image.path);
	update_state_seed(&next, s->props->firmware_version,
			  s->cfg->image.data,
			  s->cfg->image.size, reason);
	if (file_replace(s->dir, slot_files[0], s->cfg->image.data,
			 s->cfg->image.size, "seed", err) ||
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

/*
 * The committed slot cannot boot: the other one can stand in when it
 * matches its record and is not the firmware the last update rolled back.
 * It becomes the committed slot, and the bad one's record goes.
 */
static int fall_back(struct slots *s, struct pinvm_error *err)
{
	struct update_state next = s->st;
	int bad = next.committed, other = !bad;
	struct pinvm_error why;

	if (!next.slot[other].used || !strcmp(next.result, "rolled-back")) {
		error_set(err, "committed slot %c: %s", slot_name(bad), s->why);
		return -1;
	}
	if (switch_to(s, other, &why)) {
		error_set(err, "committed slot %c: %.200s; slot %c: %.200s",
			  slot_name(bad), s->why, slot_name(other), why.msg);
		return -1;
	}
	pr_warn("%s: committed slot %c cannot boot (%s): booting slot %c (version %s), which matches its record",
		s->cfg->name, slot_name(bad), s->why, slot_name(other),
		next.slot[other].version);
	next.committed = other;
	next.trial = SLOT_NONE;
	next.attempts = 0;
	next.slot[bad].used = false;
	strcpy(next.result, "rolled-back");
	snprintf(next.reason, sizeof(next.reason),
		 "slot %c did not match its record: back to slot %c",
		 slot_name(bad), slot_name(other));
	if (save_state(s, &next, "rollback", &why)) {
		record_failed(s, "rollback", &why);
		s->st = next;
		s->unsaved = true;
	}
	return 0;
}

/* The slot its record says, with a trial's boot counted, or a stand-in. */
static int boot_slots(struct slots *s, struct pinvm_error *err)
{
	if (s->st.trial != SLOT_NONE) {
		if (!trial_boot(s))
			return 0;
	} else if (switch_to(s, s->st.committed, err)) {
		snprintf(s->why, sizeof(s->why), "%s", err->msg);
	} else {
		return 0;
	}
	return fall_back(s, err);
}

/*
 * Its slots cannot be used: the guest boots the partition's image (read
 * and checked with the partition) and cannot be updated until they can.
 * The other guests start as ever.
 */
static void degrade(struct slots *s, const struct pinvm_error *err)
{
	s->degraded = true;
	snprintf(s->why, sizeof(s->why), "%s", err->msg);
	free(s->image);
	s->image = NULL;
	s->g->image = s->cfg->image;
	pr_err("%s: its firmware slots cannot be used: %s: booting the partition's image %s (version %s) instead; it cannot be updated until pinvm is restarted with usable slots",
	       s->cfg->name, s->why, s->cfg->image.path,
	       s->props->firmware_version);
}

static void init_guest(struct slots *s, const char *dir)
{
	struct pinvm_error err;
	char tmp[PATH_MAX];
	unsigned int i;

	s->client = -1;
	if (snprintf(s->dir, sizeof(s->dir), "%s/%s", dir, s->cfg->name) >=
	    (int)sizeof(s->dir)) {
		error_set(&err, "%s: update directory path too long", dir);
		goto degrade;
	}
	/* The guest's own directory is root's alone. */
	if (file_make_dirs(s->dir, 0700, &err))
		goto degrade;
	/* What a power cut left half-written was never in a record. */
	for (i = 0; i < 3; i++) {
		snprintf(tmp, sizeof(tmp), "%s/%s.tmp", s->dir,
			 i < 2 ? slot_files[i] : "state");
		unlink(tmp);
	}
	if (!load_state(s, &err) && !boot_slots(s, &err))
		return;
degrade:
	degrade(s, &err);
}

/* The guest's health register: a device whose driver fronts this service. */
static const struct device_config *health_device(const struct guest_config *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_devices; i++)
		if (g->devices[i].drv->fronts &&
		    !strcmp(g->devices[i].drv->fronts, UPDATE_SERVICE))
			return &g->devices[i];
	return NULL;
}

static int update_init(struct monitor *m, struct pinvm_error *err)
{
	static const char key[] = UPDATE_PUBLIC_KEY_HEX;
	unsigned int i;

	mon = m;
	part = &m->part;
	/* Only the partition's guests' are ever read: the rest stay untouched. */
	memset(slots, 0, part->nr_guests * sizeof(*slots));
	/* First: a second pinvm must not touch the first one's slots. */
	control_fd = control_listen(m->control, err);
	if (control_fd < 0 || bundle_crypto_init(err) ||
	    bundle_parse_key(key, sizeof(key) - 1, public_key,
			     sizeof(public_key), "built-in update key", err))
		return -1;
	for (i = 0; i < part->nr_guests; i++) {
		const struct device_config *health = health_device(&part->guests[i]);
		struct slots *s = &slots[i];

		if (!health)
			continue;
		s->g = &m->guests[i];
		s->cfg = &part->guests[i];
		s->props = update_props_of(s->cfg);
		s->timeout_ms = ((const struct update_config *)health->config)->timeout_ms;
		s->link.main = m->main_thread;
		guest_set_link(&s->g->links, &update_service, &s->link);
		/* One guest's slots stop no other guest. */
		starting = true;
		init_guest(s, m->update_dir);
		starting = false;
	}
	return 0;
}

/* A guest is about to boot: show it this boot, start a trial's deadline. */
static void update_guest_boot(struct monitor *m, struct guest *g)
{
	struct slots *s = slots_of(g);

	if (!s)
		return;
	atomic_store(&s->link.slot, s->boot);
	atomic_store(&s->link.attempt, on_trial(s) ? s->st.attempts : 0);
	atomic_store(&s->link.healthy, false);
	clock_gettime(CLOCK_MONOTONIC, &s->trial_start);
	s->deadline = s->trial_start;
	timespec_add_ms(&s->deadline, s->timeout_ms);
}

/*
 * A guest on trial ended its run. A report before the end commits first
 * (a guest may report, then reset at once); then a reset is one more boot
 * attempt, anything else a rollback.
 */
static bool update_guest_ended(struct monitor *m, struct guest *g,
			       enum guest_exit why)
{
	struct slots *s = slots_of(g);

	if (!s || !on_trial(s))
		return false;
	if (atomic_load(&s->link.healthy)) {
		/* Committed, a reset reboots it as any reset does. */
		commit(s);
		return false;
	}
	if (why == GUEST_EXIT_STOP)
		return false;
	if (why == GUEST_EXIT_RESET) {
		pr_info("%s: reset (%s) during its trial", s->cfg->name,
			guest_reset_cause(g));
		trial_boot(s);
		return true;
	}
	rollback(s, "%s during its trial",
		 why == GUEST_EXIT_CRASH ? "crashed" : "powered off");
	return true;
}

static void update_poll(struct monitor *m)
{
	struct timespec now;
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < part->nr_guests; i++) {
		struct slots *s = &slots[i];
		struct pinvm_error err;

		if (s->cfg && s->unsaved &&
		    save_state(s, &s->st, "rollback", &err))
			record_failed(s, "rollback", &err);
		if (!s->cfg || !on_trial(s) || !guest_running(s->g))
			continue;
		if (atomic_load(&s->link.healthy)) {
			commit(s);
			continue;
		}
		fault_point("trial", "-running");
		if (ms_between(&s->deadline, &now) >= 0)
			rollback(s, "no health report within %u ms",
				 s->timeout_ms);
	}
}

static int update_timeout_ms(struct monitor *m)
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

/* The compatible of the driver whose devices front this service. */
static const char *health_compatible(void)
{
	const struct driver *drv;

	for_each_driver(drv)
		if (drv->fronts && !strcmp(drv->fronts, UPDATE_SERVICE))
			return drv->compatible;
	return "health register";
}

static struct slots *find_slots(const char *name, struct pinvm_error *err)
{
	unsigned int i;

	for (i = 0; i < part->nr_guests; i++) {
		if (strcmp(part->guests[i].name, name))
			continue;
		if (!slots[i].cfg) {
			error_set(err, "guest %s has no %s device, so it cannot be updated (see dts/bindings/pinvm-partition.txt)",
				  name, health_compatible());
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

	/* The partition refuses an empty image; so does an update. */
	if (!b->image_size) {
		error_set(err, "bundle: the image is empty (0 bytes)");
		return -1;
	}
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
	if (check_image(s, b->image, b->image_size, "the bundle's image", err)) {
		error_prefix(err, "bundle: ");
		return -1;
	}
	return 0;
}

static void unlink_slot(struct slots *s, int slot)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", s->dir, slot_files[slot]);
	if (unlink(path) && errno != ENOENT)
		pr_warn("%s: cannot remove %s: %s", s->cfg->name, path,
			strerror(errno));
}

/*
 * Before the spare slot is overwritten, its record goes: a trial record
 * that then cannot be written must not leave one that promises the old
 * bytes (a stand-in at the next start) over the new ones.
 */
static int forget_spare(struct slots *s, int spare, struct pinvm_error *err)
{
	struct update_state next = s->st;

	if (!next.slot[spare].used)
		return 0;
	next.slot[spare].used = false;
	return save_state(s, &next, "spare", err);
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

	if (s->degraded) {
		error_set(err, "guest %s runs its partition's image, since its firmware slots cannot be used (%.300s): fix that and restart pinvm to update it",
			  s->cfg->name, s->why);
		return -1;
	}
	/* Its trial could neither boot nor end: nothing would run it. */
	if (!s->g->has_thread) {
		error_set(err, "guest %s is not running (it stopped or crashed): restart pinvm to update it",
			  s->cfg->name);
		return -1;
	}
	if (next.trial != SLOT_NONE) {
		error_set(err, "guest %s: an update is already on trial",
			  s->cfg->name);
		return -1;
	}
	if (read_bundle(s, fd, &data, &len, err))
		return -1;
	if (bundle_open(data, len, public_key, "bundle", &b, err) ||
	    check_bundle(s, &b, allow_downgrade, err) ||
	    forget_spare(s, target, err) ||
	    file_replace(s->dir, slot_files[target], b.image, b.image_size,
			 "slot", err))
		goto out;
	next = s->st;
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
	/* The record says the slot is empty: make it so, and free the space. */
	if (ret)
		unlink_slot(s, target);
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
		s->cfg->name, s->st.reason, s->timeout_ms);
	client_send(client, "info", "%s: %s; restarting it on trial",
		    s->cfg->name, s->st.reason);
	s->client = client;
	trial_boot(s);
}

static void update_status(struct monitor *m, FILE *f, const struct guest *g)
{
	struct slots *s = slots_of(g);
	const struct update_state *st;

	if (!s)
		return;
	if (s->degraded) {
		fprintf(f, "update guest=%s slot=- version=%s committed=- trial=- attempts=0/%u a=- b=- result=degraded reason=booted the partition's image: %s\n",
			s->cfg->name, s->props->firmware_version,
			s->props->update_attempts, s->why);
		return;
	}
	st = &s->st;
	fprintf(f, "update guest=%s slot=%c version=%s committed=%c trial=%c attempts=%u/%u a=%s b=%s result=%s reason=%s\n",
		s->cfg->name, slot_name(s->boot),
		st->slot[s->boot].version, slot_name(st->committed),
		st->trial == SLOT_NONE ? '-' : slot_name(st->trial),
		st->attempts, s->props->update_attempts,
		st->slot[0].used ? st->slot[0].version : "-",
		st->slot[1].used ? st->slot[1].version : "-",
		st->result, st->reason);
}

static int update_get_fd(struct monitor *m)
{
	return control_fd;
}

static void update_fd_ready(struct monitor *m)
{
	control_serve_one(control_fd);
}

/* The trials, and the control socket's clients that have not spoken yet. */
static void update_and_control_poll(struct monitor *m)
{
	control_poll();
	update_poll(m);
}

static int update_and_control_timeout_ms(struct monitor *m)
{
	int a = update_timeout_ms(m), b = control_timeout_ms();

	return a < 0 || (b >= 0 && b < a) ? b : a;
}

static void update_exit(struct monitor *m)
{
	unsigned int i;

	for (i = 0; part && i < part->nr_guests; i++) {
		if (!slots[i].cfg)
			continue;
		client_finish(&slots[i], false,
			      "pinvm stopped before the trial ended");
	}
	control_close(control_fd, m->control);
	control_fd = -1;
	/*
	 * No guest boots again: the slots' bytes can go. The records stay
	 * for the last status file, written after this.
	 */
	for (i = 0; i < ARRAY_SIZE(slots); i++) {
		free(slots[i].image);
		slots[i].image = NULL;
	}
}

static int update_command(const struct monitor_options *o, int argc,
			  char **argv)
{
	if (argc != 2) {
		pr_err("usage: pinvm update [--allow-downgrade] [--timeout SECONDS] GUEST BUNDLE");
		return 2;
	}
	return control_update(o->control, argv[0], argv[1], o->allow_downgrade,
			      o->timeout_s);
}

const struct service update_service = {
	.name = UPDATE_SERVICE,
	.init = update_init,
	.exit = update_exit,
	.guest_boot = update_guest_boot,
	.guest_ended = update_guest_ended,
	.poll = update_and_control_poll,
	.timeout_ms = update_and_control_timeout_ms,
	.get_fd = update_get_fd,
	.fd_ready = update_fd_ready,
	.status = update_status,
	.command = "update",
	.command_usage = "[--allow-downgrade] [--timeout SECONDS] GUEST BUNDLE",
	.command_help = "install new firmware in one guest of a running pinvm",
	.run_command = update_command,
};
DEFINE_SERVICE(update_service);
