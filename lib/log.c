// SPDX-License-Identifier: MIT
/* Logging (see log.h). */
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum log_level log_level = LOG_LVL_INFO;
static bool log_ts;

static const char *const log_names[] = {
	[LOG_LVL_ERR] = "ERROR",
	[LOG_LVL_WARN] = "WARN",
	[LOG_LVL_INFO] = "INFO",
	[LOG_LVL_DEBUG] = "DEBUG",
};

void
log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

void
log_set_timestamps(bool on)
{
	log_ts = on;
}

bool
log_enabled(enum log_level lvl)
{
	return lvl <= log_level;
}

int
log_level_parse(const char *s, enum log_level *lvl)
{
	static const struct { const char *name; enum log_level lvl; } tab[] = {
		{ "err", LOG_LVL_ERR }, { "error", LOG_LVL_ERR },
		{ "warn", LOG_LVL_WARN }, { "warning", LOG_LVL_WARN },
		{ "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcasecmp(s, tab[i].name) == 0) {
			*lvl = tab[i].lvl;
			return 0;
		}
	}
	return -EINVAL;
}

void
log_vmsg(enum log_level lvl, const char *scope, const char *fmt, va_list ap)
{
	char line[2048];
	int n = 0;

	if (!log_enabled(lvl))
		return;
	if (log_ts) {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n = (int)strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
		n += snprintf(line + n, sizeof(line) - (size_t)n, ".%03ldZ ",
		    ts.tv_nsec / 1000000);
	}
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s ", log_names[lvl]);
	if (scope && *scope)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "[%s] ", scope);
	if ((size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* One write per line so lines from several processes do not interleave. */
	fprintf(stderr, "%s\n", line);
}

void
log_msg(enum log_level lvl, const char *scope, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, scope, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LVL_ERR, "fatal", fmt, ap);
	va_end(ap);
	exit(1);
}
