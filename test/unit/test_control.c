// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket (core/update/control.c) against hostile neighbours:
 * clients that connect and say nothing, files that are not a stale socket
 * where the socket goes, directories others may write, and a monitor that
 * never answers `pinvm update`. update_request() below stands for field
 * update and records what reached it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "update.h"
#include "unit.h"

#define NOBODY 65534

static char tmp[] = "/tmp/pinvm-control-XXXXXX";
static char path[100], bundle[100];

/* What reached field update. */
static struct {
	unsigned int requests;
	char guest[64];
} got;

void update_request(const char *guest, int bundle_fd, bool allow_downgrade,
		    int client)
{
	got.requests++;
	snprintf(got.guest, sizeof(got.guest), "%s", guest);
	send(client, "ok served", 9, MSG_NOSIGNAL);
	close(client);
}

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(2);
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int client_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)))
		die(path);
	return sock;
}

/* "update GUEST" with the bundle's fd, as pinvm update sends it. */
static void client_send(int sock, const char *req)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)req, strlen(req) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fd = open(bundle, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(bundle);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		die("sendmsg");
	close(fd);
}

/* A request whose fd is a pipe nobody writes to. */
static void client_send_pipe(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { "update alpha", 12 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int p[2];

	if (pipe(p))
		die("pipe");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[0], sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		die("sendmsg");
	close(p[0]);
	close(p[1]);
}

/* The monitor's answer, or "" when there is none (yet). */
static const char *answer(int sock)
{
	static char buf[1100];
	ssize_t n = recv(sock, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int listen_ok(void)
{
	struct pinvm_error err = { "" };
	int fd = control_listen(path, &err);

	if (fd < 0)
		fprintf(stderr, "control_listen: %s\n", err.msg);
	return fd;
}

static void test_silent_clients(void)
{
	int fd = listen_ok(), silent[4], late, good, busy, gone;
	unsigned int i;
	double t;

	TEST("silent clients do not hold the main loop");
	CHECK(fd >= 0);
	for (i = 0; i < ARRAY_SIZE(silent); i++)
		silent[i] = client_connect();
	t = now_ms();
	control_serve_one(fd);
	CHECK(now_ms() - t < 100);
	CHECK(control_timeout_ms() >= 0 && control_timeout_ms() <= 10);
	CHECK(!strcmp(answer(silent[0]), ""));

	TEST("a client that spoke is served while silent ones wait");
	good = client_connect();
	client_send(good, "update alpha");
	t = now_ms();
	control_serve_one(fd);
	CHECK(now_ms() - t < 100);
	CHECK(got.requests == 1 && !strcmp(got.guest, "alpha"));
	CHECK(!strcmp(answer(good), "ok served"));
	close(good);

	TEST("one silent client too many is refused at once");
	busy = client_connect();
	control_serve_one(fd);
	CHECK_CONTAINS(answer(busy), "error busy");
	close(busy);

	TEST("a request sent after the connect is served by the poll");
	close(silent[3]);
	control_poll();
	CHECK(got.requests == 1);
	late = client_connect();
	control_serve_one(fd);
	CHECK(!strcmp(answer(late), ""));
	client_send(late, "update beta");
	control_poll();
	CHECK(got.requests == 2 && !strcmp(got.guest, "beta"));
	CHECK(!strcmp(answer(late), "ok served"));
	close(late);

	TEST("a bundle that is not a regular file is refused unread");
	good = client_connect();
	client_send_pipe(good);
	control_serve_one(fd);
	CHECK(got.requests == 2);
	CHECK_CONTAINS(answer(good), "error the bundle is not a regular file");
	close(good);

	TEST("a client that hangs up is forgotten");
	gone = client_connect();
	close(gone);
	control_serve_one(fd);
	CHECK(got.requests == 2);

	TEST("silence past its second is refused");
	t = now_ms();
	while (control_timeout_ms() >= 0 && now_ms() - t < 3000) {
		usleep(control_timeout_ms() * 1000);
		control_poll();
	}
	CHECK(now_ms() - t >= 900 && now_ms() - t < 1500);
	CHECK(control_timeout_ms() == -1);
	for (i = 0; i < 3; i++) {
		CHECK_CONTAINS(answer(silent[i]), "error no request within 1000 ms");
		close(silent[i]);
	}
	CHECK(got.requests == 2);
	control_close(fd, path);
}

/* control_listen() fails with these words in its error, and leaves path be. */
static void check_refused(const char *why)
{
	struct pinvm_error err = { "" };
	struct stat before, after;

	CHECK(!lstat(path, &before));
	CHECK(control_listen(path, &err) == -1);
	CHECK_CONTAINS(err.msg, path);
	CHECK_CONTAINS(err.msg, why);
	CHECK(!lstat(path, &after) && after.st_ino == before.st_ino &&
	      after.st_mode == before.st_mode);
}

static void test_in_the_way(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, other;

	TEST("a regular file where the socket goes is left alone");
	unit_write_file(tmp, "control", "mine", 4);
	check_refused("a regular file is where the control socket goes");
	unlink(path);

	TEST("a directory there is left alone");
	mkdir(path, 0700);
	check_refused("a directory is where");
	rmdir(path);

	TEST("a dangling symbolic link there is left alone");
	if (symlink("/nonexistent/pinvm", path))
		die(path);
	check_refused("a symbolic link is where");
	unlink(path);

	TEST("a symbolic link to a file is not followed");
	if (symlink(bundle, path))
		die(path);
	check_refused("a symbolic link is where");
	unlink(path);
	CHECK(!access(bundle, F_OK));

	TEST("a stale socket is replaced");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	other = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (other < 0 || bind(other, (struct sockaddr *)&sa, sizeof(sa)))
		die(path);
	close(other);
	fd = listen_ok();
	CHECK(fd >= 0);

	TEST("a live socket is another pinvm's");
	check_refused("another pinvm is running");
	control_close(fd, path);
	CHECK(access(path, F_OK) && errno == ENOENT);
}

static void test_directories(void)
{
	char dir[64];
	int fd;

	snprintf(dir, sizeof(dir), "%s/run", tmp);
	snprintf(path, sizeof(path), "%s/control", dir);
	mkdir(dir, 0700);

	TEST("a world-writable directory is refused");
	chmod(dir, 0777);
	{
		struct pinvm_error err = { "" };

		CHECK(control_listen(path, &err) == -1);
		CHECK_CONTAINS(err.msg, dir);
		CHECK_CONTAINS(err.msg, "world-writable (mode 0777) and not sticky");
		CHECK(access(path, F_OK));
	}

	TEST("a group-writable directory is refused");
	chmod(dir, 0770);
	{
		struct pinvm_error err = { "" };

		CHECK(control_listen(path, &err) == -1);
		CHECK_CONTAINS(err.msg, "group-writable (mode 0770)");
	}

	TEST("a sticky world-writable directory will do");
	chmod(dir, 01777);
	fd = listen_ok();
	CHECK(fd >= 0);
	control_close(fd, path);

	if (geteuid())
		return;
	TEST("a socket of another user in a sticky directory is refused");
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int other = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		if (other < 0 || bind(other, (struct sockaddr *)&sa, sizeof(sa)) ||
		    lchown(path, NOBODY, NOBODY))
			die(path);
		close(other);
		check_refused("a socket of uid 65534");
		unlink(path);
	}

	TEST("a directory of another user is refused");
	chmod(dir, 0755);
	if (chown(dir, NOBODY, NOBODY))
		die(dir);
	{
		struct pinvm_error err = { "" };

		CHECK(control_listen(path, &err) == -1);
		CHECK_CONTAINS(err.msg, "belongs to uid 65534");
	}
	if (chown(dir, 0, 0))
		die(dir);
}

/* A monitor that takes the connection and never answers. */
static void test_client_deadline(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int mute = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	double t;

	TEST("pinvm update gives up on a monitor that never answers");
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (mute < 0 || bind(mute, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(mute, 4))
		die(path);
	t = now_ms();
	CHECK(control_update(path, "alpha", bundle, false, 1) == 1);
	CHECK(now_ms() - t >= 900 && now_ms() - t < 3000);
	close(mute);
	unlink(path);
}

/* Someone else's socket, in a sticky directory, must not get the bundle. */
static void test_client_trusts_no_stranger(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int ready[2], status;
	char c, cmd[300];
	pid_t pid;

	if (geteuid())
		return;
	TEST("pinvm update sends nothing to another user's socket");
	/* The stranger may reach the directory and write in it. */
	chmod(tmp, 0755);
	snprintf(cmd, sizeof(cmd), "%s/run", tmp);
	chmod(cmd, 01777);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (pipe(ready))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		char buf[300];

		if (setgid(NOBODY) || setuid(NOBODY) || s < 0 ||
		    bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 4))
			_exit(2);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		/* A stranger who got a request would answer "ok". */
		s = accept(s, NULL, NULL);
		if (s >= 0 && recv(s, buf, sizeof(buf), 0) > 0)
			send(s, "ok stolen", 9, MSG_NOSIGNAL);
		sleep(2);
		_exit(0);
	}
	close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1);
	close(ready[0]);
	CHECK(control_update(path, "alpha", bundle, false, 2) == 1);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	unlink(path);
}

int main(void)
{
	char cmd[300];

	/* A client or server that waits forever fails the run, not hangs it. */
	alarm(30);
	if (!mkdtemp(tmp))
		die(tmp);
	snprintf(path, sizeof(path), "%s/control", tmp);
	snprintf(bundle, sizeof(bundle), "%s/bundle.pvb", tmp);
	unit_write_file(tmp, "bundle.pvb", "bundle", 6);
	test_silent_clients();
	test_in_the_way();
	test_directories();
	test_client_deadline();
	test_client_trusts_no_stranger();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd))
		return 2;
	return unit_report();
}
