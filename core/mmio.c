// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one place a device's refusal is caught: the SIGBUS of a passthrough
 * access (mmio.h) becomes a device fault for that access alone.
 */
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "mmio.h"

__thread volatile int mmio_in_access;
__thread volatile int mmio_fault;

/*
 * A passthrough access the hardware refused raises SIGBUS on the one
 * load/store of mmio.h: step over it and let the access report a fault.
 * Anywhere else SIGBUS is a real bug and ends pinvm as usual.
 */
static void mmio_sigbus_handler(int sig, siginfo_t *si, void *uctx)
{
	ucontext_t *uc = uctx;

	/*
	 * Only the kernel's fault, not a SIGBUS someone sent with kill; and
	 * only where the faulting access is the one 4-byte instruction.
	 */
	if (!mmio_in_access || si->si_code <= 0 || !IS_ENABLED(__aarch64__)) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	mmio_fault = 1;
#ifdef __aarch64__
	uc->uc_mcontext.pc += 4;
#else
	(void)uc;
#endif
}

void mmio_fault_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = mmio_sigbus_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

