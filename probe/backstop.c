/* backstop: SIGALRM at the deadline; only async-signal-safe calls in the handlers
 * (signal-safety(7): sigaction, sigprocmask, alarm, write, _exit). */
#include "probe/backstop.h"

#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "probe/state.h"

static const char *backstop_line;
static size_t backstop_len; /* measured when armed: the handler calls write() only */

/* The second stage: the line could not even be written (stdout blocked). */
static void backstop_exit(int sig)
{
	(void)sig;
	_exit(STATE_UNKNOWN);
}

static void backstop_fire(int sig)
{
	struct sigaction sa = {.sa_handler = backstop_exit};
	sigset_t alrm;
	(void)sig;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	/* SIGALRM is blocked while this handler runs: unblocked, the second alarm can end a
	 * write that blocks too, a second later */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);
	alarm(1);
	ssize_t n = write(STDOUT_FILENO, backstop_line, backstop_len);
	(void)n;
	_exit(STATE_UNKNOWN);
}

void backstop_arm(double at_s, const char *line)
{
	struct sigaction sa = {.sa_handler = backstop_fire};
	struct itimerval it = {
		.it_value = {.tv_sec = (time_t)at_s,
			     .tv_usec = (suseconds_t)((at_s - floor(at_s)) * 1e6)},
	};
	backstop_line = line;
	backstop_len = strlen(line);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}
