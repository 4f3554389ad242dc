/* SPDX-License-Identifier: MIT */
/*
 * Logging to stderr with levels (journald adds timestamps). A log line is
 * "LEVEL [scope] message". Scoped helpers let modules prefix peer or node names
 * without formatting twice. lib/ code logs rarely: it returns errors.
 */
#ifndef CUTOVER_LIB_LOG_H
#define CUTOVER_LIB_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

void	log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* "err", "warn"/"warning", "info", "debug" -> 0 and *lvl set, else -EINVAL. */
int	log_level_parse(const char *s, enum log_level *lvl);
/* Prefix every line with a timestamp (for runs without journald). */
void	log_set_timestamps(bool on);
bool	log_enabled(enum log_level lvl);

void	log_msg(enum log_level lvl, const char *scope, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	log_vmsg(enum log_level lvl, const char *scope, const char *fmt, va_list ap)
	    __attribute__((format(printf, 3, 0)));

#define log_err(...)	log_msg(LOG_LVL_ERR, NULL, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, NULL, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, NULL, __VA_ARGS__)
#define log_debug(...)	do { if (log_enabled(LOG_LVL_DEBUG)) \
				log_msg(LOG_LVL_DEBUG, NULL, __VA_ARGS__); } while (0)

/* Startup failure, broken invariant or OOM only: log and exit(1). Never in lib/ paths
 * reachable from input. */
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
