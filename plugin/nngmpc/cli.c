/*
 * nngmpc: helpers shared by the subcommands (argument parsing, messages).
 * Threading: none.
 */
#define _GNU_SOURCE /* nftw, explicit_bzero */
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "nngmpc.h"

static int
rmtree_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void) sb;
	(void) flag;
	(void) ftw;
	return (remove(path));
}

void
nngmpc_rmtree(const char *dir)
{
	/* Depth first, never following links out of the tree. */
	(void) nftw(dir, rmtree_entry, 8, FTW_DEPTH | FTW_PHYS);
}

void
nngmpc_secure_zero(void *p, size_t n)
{
	explicit_bzero(p, n); /* glibc: never optimised away */
}

bool
nngmpc_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (s == NULL || *s == '\0' || (s[0] == '0' && s[1] != '\0')) {
		return (false);
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			return (false);
		}
		v = v * 10 + (uint64_t) (*s - '0');
		if (v > UINT32_MAX) {
			return (false);
		}
	}
	if (v < min || v > max) {
		return (false);
	}
	*out = (uint32_t) v;
	return (true);
}

void
nngmpc_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nngmpc %s: error: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
nngmpc_hint(const char *fmt, ...)
{
	va_list ap;

	fputs("  hint: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
nngmpc_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nngmpc %s: error: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n  Run 'nngmpc %s --help' for usage.\n", cmd);
	return (NNGMPC_EXIT_USAGE);
}

uint64_t
nngmpc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u);
}
