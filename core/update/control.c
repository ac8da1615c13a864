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

/* The socket file this pinvm made, to remove only that one. */
static struct stat bound;

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

int control_listen(const char *path, struct pinvm_error *err)
{
	struct sockaddr_un sa;
	mode_t old_mask;
	int fd, probe, ret;

	if (control_address(path, &sa, err))
		return -1;
	if (file_make_parent(path, err))
		return -1;
	/*
	 * A socket someone answers on belongs to a pinvm that still runs;
	 * only one nobody listens on (ECONNREFUSED) is a dead pinvm's.
	 */
	probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (probe < 0) {
		error_set(err, "%s: cannot make a socket: %s", path, strerror(errno));
		return -1;
	}
	ret = connect(probe, (struct sockaddr *)&sa, sizeof(sa)) ? errno : 0;
	close(probe);
	if (!ret) {
		error_set(err, "%s: another pinvm is running", path);
		return -1;
	}
	if (ret != ECONNREFUSED && ret != ENOENT) {
		error_set(err, "%s: cannot tell whether another pinvm runs: %s",
			  path, strerror(ret));
		return -1;
	}
	if (ret == ECONNREFUSED)
		unlink(path);
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
	       (cred.uid == 0 || cred.uid == geteuid());
}

/*
 * One request and the one fd it carries. Every other fd a client sends
 * is closed, and a client gets a second to speak: the monitor waits on
 * nobody.
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
	struct pollfd pfd = { .fd = client, .events = POLLIN };
	struct cmsghdr *c;
	ssize_t n = -1;

	*fd = -1;
	if (poll(&pfd, 1, 1000) == 1)
		n = recvmsg(client, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
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
	update_request(guest, bundle_fd, n == 2, client);
	close(bundle_fd);
}

void control_serve_one(int listen_fd)
{
	char req[256];
	int client, bundle_fd;

	client = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (client < 0)
		return;
	if (!peer_allowed(client)) {
		refuse(client, "permission denied: only root may control pinvm");
		return;
	}
	if (receive_request(client, req, sizeof(req), &bundle_fd)) {
		refuse(client, "no request received");
		return;
	}
	control_dispatch(client, req, bundle_fd);
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

int control_update(const char *path, const char *guest, const char *bundle,
		   bool allow_downgrade)
{
	struct pinvm_error err;
	struct sockaddr_un sa;
	char req[256], msg[CONTROL_MSG_MAX + 1];
	int sock, fd;
	ssize_t n;

	fd = open(bundle, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("%s: %s", bundle, strerror(errno));
		return 1;
	}
	if (control_address(path, &sa, &err)) {
		pr_err("%s", err.msg);
		return 1;
	}
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_err("%s: %s (is pinvm running?)", path, strerror(errno));
		return 1;
	}
	snprintf(req, sizeof(req), "update %s%s", guest,
		 allow_downgrade ? " allow-downgrade" : "");
	if (send_request(sock, req, fd)) {
		pr_err("%s: cannot send the request: %s", path, strerror(errno));
		return 1;
	}
	close(fd);
	while ((n = recv(sock, msg, sizeof(msg) - 1, 0)) > 0) {
		msg[n] = '\0';
		if (!strncmp(msg, "info ", 5)) {
			printf("%s\n", msg + 5);
			fflush(stdout);
		} else if (!strncmp(msg, "ok ", 3)) {
			printf("%s\n", msg + 3);
			return 0;
		} else {
			pr_err("update of %s: %s", guest,
			       strncmp(msg, "error ", 6) ? msg : msg + 6);
			return 1;
		}
	}
	pr_err("update of %s: pinvm went away before it finished (see pinvm status)",
	       guest);
	return 1;
}
