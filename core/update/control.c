// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket: server side in the monitor's main thread, client
 * side for `pinvm update`. One request per connection:
 *
 *   client -> "update <guest> [allow-downgrade]" + the bundle's fd
 *   monitor -> "info <text>" ... then "ok <text>" or "error <text>"
 *
 * The answer comes when the trial has ended, committed or rolled back.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "file.h"
#include "update.h"

#define CONTROL_MSG_MAX	1024
/* `pinvm update`: seconds to connect and send, and to wait for the outcome. */
#define CONTROL_CONNECT_S	5
#define CONTROL_ANSWER_S	300
/*
 * A client that connected gets this long to send its request; it waits in
 * a slot of its own meanwhile, so the main loop never waits on it. A
 * slot's request is looked for on every wake of the main loop, and at
 * least every CONTROL_TICK_MS while one is taken (the loop polls only the
 * listening socket).
 */
#define CONTROL_REQUEST_MS	1000u
#define CONTROL_TICK_MS		10
#define CONTROL_PENDING_MAX	4
/* Connections taken from the backlog per wake: a flood cannot hold the loop. */
#define CONTROL_ACCEPT_MAX	8

/* The socket file this pinvm made, to remove only that one. */
static struct stat bound;

/* Clients that connected and have not said anything yet. */
static struct pending {
	bool used;
	int fd;
	struct timespec deadline;
} pending[CONTROL_PENDING_MAX];

static int control_address(const char *path, struct sockaddr_un *sa,
			   struct pinvm_error *err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		error_set(err, "%s: control socket path too long", path);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

static bool uid_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/*
 * Whoever may write to the socket's directory may put their own socket
 * there, and answer root's `pinvm update` in pinvm's place. So the
 * directory must belong to root or pinvm's user, and be writable by no
 * one else, unless it is sticky (/tmp: others cannot remove or rename
 * what pinvm makes; what they made first is refused below).
 */
static int check_directory(const char *path, struct pinvm_error *err)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st)) {
		error_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!uid_trusted(st.st_uid)) {
		error_set(err, "%s: the control socket's directory belongs to uid %u, neither root nor pinvm's user (uid %u): its owner could replace the socket; use a directory of root's (or --control)",
			  dir, (unsigned int)st.st_uid,
			  (unsigned int)geteuid());
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		error_set(err, "%s: the control socket's directory is %s-writable (mode %04o) and not sticky: another user could replace the socket; chmod go-w it (or use --control)",
			  dir, st.st_mode & S_IWOTH ? "world" : "group",
			  (unsigned int)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISREG(mode))
		return "regular file";
	if (S_ISDIR(mode))
		return "directory";
	if (S_ISLNK(mode))
		return "symbolic link";
	return "special file";
}

/*
 * What is at the socket's path may go only when it is a dead pinvm's
 * socket: a socket of a trusted owner that nobody listens on. Anything
 * else is someone's, and stays: a file, a directory, a symbolic link
 * (never followed) or a socket that answers.
 */
static int clear_stale_socket(const char *path, const struct sockaddr_un *sa,
			      struct pinvm_error *err)
{
	struct stat st;
	int probe, ret;

	if (lstat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		error_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		error_set(err, "%s: a %s is where the control socket goes; pinvm removes only a stale socket: remove it or choose another --control",
			  path, file_kind(st.st_mode));
		return -1;
	}
	if (!uid_trusted(st.st_uid)) {
		error_set(err, "%s: a socket of uid %u, neither root nor pinvm's user, is where the control socket goes: remove it or choose another --control",
			  path, (unsigned int)st.st_uid);
		return -1;
	}
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe < 0) {
		error_set(err, "%s: cannot make a socket: %s", path, strerror(errno));
		return -1;
	}
	ret = connect(probe, (const struct sockaddr *)sa, sizeof(*sa)) ? errno : 0;
	close(probe);
	if (!ret) {
		error_set(err, "%s: another pinvm is running", path);
		return -1;
	}
	if (ret != ECONNREFUSED) {
		error_set(err, "%s: cannot tell whether another pinvm runs: %s",
			  path, strerror(ret));
		return -1;
	}
	if (unlink(path) && errno != ENOENT) {
		error_set(err, "%s: cannot remove the stale socket: %s", path,
			  strerror(errno));
		return -1;
	}
	return 0;
}

int control_listen(const char *path, struct pinvm_error *err)
{
	struct sockaddr_un sa;
	mode_t old_mask;
	int fd;

	if (control_address(path, &sa, err) || file_make_parent(path, err) ||
	    check_directory(path, err) || clear_stale_socket(path, &sa, err))
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	/* Created 0600: there is no moment when others could connect. */
	old_mask = umask(0177);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 4)) {
		umask(old_mask);
		error_set(err, "%s: cannot listen: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	umask(old_mask);
	if (stat(path, &bound))
		memset(&bound, 0, sizeof(bound));
	return fd;
}

/*
 * Remove the socket only if it is still ours: a pinvm on its way out must
 * not take away the socket of the pinvm that replaced it
 * (S50pinvm restart, a quick stop and start).
 */
void control_close(int listen_fd, const char *path)
{
	struct stat st;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pending); i++) {
		if (pending[i].used)
			close(pending[i].fd);
		pending[i].used = false;
	}
	if (listen_fd < 0)
		return;
	close(listen_fd);
	if (!stat(path, &st) && st.st_ino == bound.st_ino &&
	    st.st_dev == bound.st_dev)
		unlink(path);
}

static void refuse(int client, const char *why)
{
	char msg[CONTROL_MSG_MAX];
	int n = snprintf(msg, sizeof(msg), "error %s", why);

	pr_warn("control: request refused: %s", why);
	send(client, msg, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(client);
}

/* Root, or the user pinvm runs as (tests): nobody else. */
static bool peer_allowed(int client)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return !getsockopt(client, SOL_SOCKET, SO_PEERCRED, &cred, &len) &&
	       uid_trusted(cred.uid);
}

/*
 * One request and the one fd it carries, if the client has sent it: 0,
 * 1 when it has not yet, -1 for anything but one whole request. Every
 * other fd a client sends is closed.
 */
static int receive_request(int client, char *req, size_t size, int *fd)
{
	char cbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { req, size - 1 };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	n = recvmsg(client, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 1;
	for (c = n >= 0 ? CMSG_FIRSTHDR(&msg) : NULL; c;
	     c = CMSG_NXTHDR(&msg, c)) {
		size_t i, nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (i = 0; i < nfds; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else
				close(f);
		}
	}
	if (n <= 0 || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		return -1;
	}
	req[n] = '\0';
	return 0;
}

/*
 * The main loop reads the bundle: from a pipe or a device, that read could
 * wait for ever. Only a regular file will do.
 */
static bool bundle_readable(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISREG(st.st_mode);
}

/* "update <guest> [allow-downgrade]" with its bundle's fd, to the service. */
static void control_dispatch(int client, const char *req, int bundle_fd)
{
	char guest[64] = "", flag[32] = "", extra[2];
	int n;

	n = sscanf(req, "update %63s %31s %1s", guest, flag, extra);
	if (n < 1 || n > 2 || (n == 2 && strcmp(flag, "allow-downgrade")) ||
	    bundle_fd < 0) {
		if (bundle_fd >= 0)
			close(bundle_fd);
		refuse(client, "malformed request");
		return;
	}
	if (!bundle_readable(bundle_fd)) {
		close(bundle_fd);
		refuse(client, "the bundle is not a regular file: save it to one first");
		return;
	}
	update_request(guest, bundle_fd, n == 2, client);
	close(bundle_fd);
}

/* Serve client's request if it came: true when the client is done with. */
static bool try_request(int client)
{
	char req[256];
	int ret, bundle_fd;

	ret = receive_request(client, req, sizeof(req), &bundle_fd);
	if (ret > 0)
		return false;
	if (ret < 0)
		refuse(client, "no request received");
	else
		control_dispatch(client, req, bundle_fd);
	return true;
}

static void wait_for_request(int client)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pending); i++) {
		if (pending[i].used)
			continue;
		pending[i].used = true;
		pending[i].fd = client;
		clock_gettime(CLOCK_MONOTONIC, &pending[i].deadline);
		timespec_add_ms(&pending[i].deadline, CONTROL_REQUEST_MS);
		return;
	}
	refuse(client, "busy: too many connections wait to send their request");
}

void control_serve_one(int listen_fd)
{
	unsigned int i;

	for (i = 0; i < CONTROL_ACCEPT_MAX; i++) {
		int client = accept4(listen_fd, NULL, NULL,
				     SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (client < 0)
			break;
		if (!peer_allowed(client))
			refuse(client, "permission denied: only root may control pinvm");
		else if (!try_request(client))
			wait_for_request(client);
	}
	control_poll();
}

static bool deadline_passed(const struct timespec *deadline,
			    const struct timespec *now)
{
	return now->tv_sec > deadline->tv_sec ||
	       (now->tv_sec == deadline->tv_sec &&
		now->tv_nsec >= deadline->tv_nsec);
}

void control_poll(void)
{
	struct timespec now;
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < ARRAY_SIZE(pending); i++) {
		struct pending *p = &pending[i];

		if (!p->used)
			continue;
		if (try_request(p->fd)) {
			p->used = false;
		} else if (deadline_passed(&p->deadline, &now)) {
			char why[64];

			p->used = false;
			snprintf(why, sizeof(why), "no request within %u ms",
				 CONTROL_REQUEST_MS);
			refuse(p->fd, why);
		}
	}
}

int control_timeout_ms(void)
{
	struct timespec now;
	int best = -1;
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < ARRAY_SIZE(pending); i++) {
		long ms;

		if (!pending[i].used)
			continue;
		ms = (pending[i].deadline.tv_sec - now.tv_sec) * 1000 +
		     (pending[i].deadline.tv_nsec - now.tv_nsec) / 1000000;
		ms = ms < 0 ? 0 : ms > CONTROL_TICK_MS ? CONTROL_TICK_MS : ms;
		if (best < 0 || ms < best)
			best = ms;
	}
	return best;
}

static int send_request(int sock, const char *req, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)req, strlen(req) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf,
		.msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(cbuf, 0, sizeof(cbuf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/*
 * Connecting waits while the monitor's backlog is full and sending while
 * its buffer is: both are bounded, as is the wait for the answer.
 */
static int client_connect(const char *path, const struct sockaddr_un *sa)
{
	struct timeval tv = { .tv_sec = CONTROL_CONNECT_S };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int sock;

	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0 ||
	    setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(sock, (const struct sockaddr *)sa, sizeof(*sa))) {
		pr_err("%s: %s (is pinvm running?)", path,
		       errno == EAGAIN ? "busy: no room for another connection" :
		       strerror(errno));
		if (sock >= 0)
			close(sock);
		return -1;
	}
	/*
	 * The bundle goes only to a pinvm of root or our own user: a socket
	 * someone else put there is not one to trust.
	 */
	if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		pr_err("%s: cannot tell who answers: %s", path, strerror(errno));
		close(sock);
		return -1;
	}
	if (!uid_trusted(cred.uid)) {
		pr_err("%s: answered by uid %u, neither root nor you: not a pinvm to trust",
		       path, (unsigned int)cred.uid);
		close(sock);
		return -1;
	}
	return sock;
}

/* The monitor's next message, or -1 when it went away or time ran out. */
static ssize_t client_receive(int sock, char *msg, size_t size,
			      const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct timespec now;
	long ms;
	int ret;

	do {
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (deadline->tv_sec - now.tv_sec) * 1000 +
		     (deadline->tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		ret = poll(&pfd, 1, ms > 60000 ? 60000 : (int)ms);
	} while (ret == 0 || (ret < 0 && errno == EINTR));
	if (ret < 0)
		return -1;
	return recv(sock, msg, size, MSG_DONTWAIT);
}

int control_update(const char *path, const char *guest, const char *bundle,
		   bool allow_downgrade, unsigned int timeout_s)
{
	struct pinvm_error err;
	struct sockaddr_un sa;
	struct timespec deadline;
	char req[256], msg[CONTROL_MSG_MAX + 1], text[4 * CONTROL_MSG_MAX + 1];
	int sock, fd;
	ssize_t n;

	if (!timeout_s)
		timeout_s = CONTROL_ANSWER_S;
	fd = open(bundle, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("%s: %s", bundle, strerror(errno));
		return 1;
	}
	if (control_address(path, &sa, &err)) {
		pr_err("%s", err.msg);
		return 1;
	}
	sock = client_connect(path, &sa);
	if (sock < 0)
		return 1;
	snprintf(req, sizeof(req), "update %s%s", guest,
		 allow_downgrade ? " allow-downgrade" : "");
	if (send_request(sock, req, fd)) {
		pr_err("%s: cannot send the request: %s", path, strerror(errno));
		return 1;
	}
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	while ((n = client_receive(sock, msg, sizeof(msg) - 1, &deadline)) > 0) {
		msg[n] = '\0';
		if (!strncmp(msg, "info ", 5)) {
			/* What pinvm says may quote a bundle: shown escaped. */
			log_escape(text, sizeof(text), msg + 5, n - 5);
			printf("%s\n", text);
			fflush(stdout);
		} else if (!strncmp(msg, "ok ", 3)) {
			log_escape(text, sizeof(text), msg + 3, n - 3);
			printf("%s\n", text);
			return 0;
		} else {
			pr_err("update of %s: %s", guest,
			       strncmp(msg, "error ", 6) ? msg : msg + 6);
			return 1;
		}
	}
	if (n < 0 && errno == ETIMEDOUT)
		pr_err("update of %s: no outcome within %u s (--timeout); the trial may still run: see pinvm status",
		       guest, timeout_s);
	else
		pr_err("update of %s: pinvm went away before it finished (see pinvm status)",
		       guest);
	return 1;
}
