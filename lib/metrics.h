/* SPDX-License-Identifier: MIT */
/*
 * Prometheus text exposition (format 0.0.4) on TCP, served by evhttp at /metrics.
 * Modules register collectors; at each scrape every collector writes its families
 * and samples through metrics_family()/metrics_sample(), so values are read live
 * from the module's own counters (nothing to keep in sync). Label values are escaped.
 */
#ifndef CUTOVER_LIB_METRICS_H
#define CUTOVER_LIB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/diag.h"

#define METRICS_PORT_DEFAULT	9963

struct event_base;
struct metrics;
struct metrics_out;

typedef void (*metrics_collect_fn)(struct metrics_out *out, void *arg);

/* Serve on addr:port when addr is non-NULL; with addr NULL only rendering works
 * (tests). NULL + errno with d on failure (address in use, ...). */
struct metrics *metrics_new(struct event_base *base, const struct addr *addr, uint16_t port,
	    struct diag *d);
void	metrics_free(struct metrics *m);
int	metrics_register(struct metrics *m, metrics_collect_fn fn, void *arg);

/* "# HELP name help" and "# TYPE name type" (type: "counter" or "gauge"). */
void	metrics_family(struct metrics_out *out, const char *name, const char *type,
	    const char *help);
/* name{k1="v1",...} value — nlabels pairs of const char * follow. */
void	metrics_sample(struct metrics_out *out, const char *name, double value,
	    int nlabels, ...);

/* Render every collector into a malloc'ed NUL-terminated string (caller frees). */
char	*metrics_render(struct metrics *m, size_t *len);

#endif
