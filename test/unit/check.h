/*
 * check.h
 *	  The unit tests' harness, shared by every program in test/unit.
 *
 * Plain C, no framework: check() counts a check and prints it TAP-style,
 * "not ok N - what" always and "ok N - what" with -v (check_start reads
 * the arguments); check_done() prints the last line, "N passed, M failed",
 * which test/unit/Makefile adds up, and returns the exit status: 1 on any
 * failure.  Each test program is one translation unit that includes this
 * once, so the definitions are static.
 */
#ifndef ENROLL_UNIT_CHECK_H
#define ENROLL_UNIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int	n_pass;
static int	n_fail;
static int	verbose;

/* Record one check and print it TAP-style. */
static void
check(int ok, const char *fmt,...)
{
	va_list		ap;

	if (ok)
		n_pass++;
	else
		n_fail++;
	if (ok && !verbose)
		return;
	printf("%s %d - ", ok ? "ok" : "not ok", n_pass + n_fail);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* -v: print the passing checks too */
static void
check_start(int argc, char **argv)
{
	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
}

/* the last line, and the exit status */
static int
check_done(void)
{
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail > 0;
}

#endif							/* ENROLL_UNIT_CHECK_H */
