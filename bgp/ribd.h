/* SPDX-License-Identifier: MIT */
/*
 * The daemon's routing core: wires the sessions (struct bgp_rib_client of bgp/adjin.h)
 * through each peer's import filter into the RIB (bgp/rib.h), and the RIB's best routes
 * into the kernel (bgp/ksync.h). Owns graceful restart state in both roles (RFC 4724):
 *  - restarting speaker: kernel routes of the previous run are adopted as stale at start
 *    (so forwarding goes on), re-confirmed as the peers re-advertise, and the rest swept
 *    once every graceful-restart peer has sent End-of-RIB or the restart time passed;
 *  - helper: a peer whose session dies without a NOTIFICATION keeps its routes (stale,
 *    and in the kernel) until its End-of-RIB per family or its restart time.
 * Timers are the caller's: call ribd_tick() about once a second. The control endpoint
 * GET /v1/bgp/rib (counts; ?prefix=P for one prefix's paths; ?dump=1 for all best
 * routes) is registered by ribd_control_register(). No libevent here.
 */
#ifndef CUTOVER_BGP_RIBD_H
#define CUTOVER_BGP_RIBD_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp/adjin.h"
#include "bgp/conf.h"
#include "bgp/rib.h"
#include "lib/diag.h"

struct ribd;
struct ctl_server;

/*
 * Build the RIB for conf (borrowed, must outlive the ribd). With rib.kernel, open the
 * kernel table and adopt our routes found there (stale). now_ms: monotonic clock.
 * NULL + errno with the reason in d.
 */
struct ribd *ribd_new(const struct bgp_conf *conf, uint64_t now_ms, struct diag *d);
void	ribd_free(struct ribd *rd);
/* Kernel routes adopted at start (0 without kernel sync or after a clean stop). */
int	ribd_adopted(const struct ribd *rd);
/* The session hooks (arg = rd). */
const struct bgp_rib_client *ribd_client(struct ribd *rd);
/* Run the graceful-restart deadlines. */
void	ribd_tick(struct ribd *rd, uint64_t now_ms);
/* True once the restarting-speaker phase is over (stale kernel routes swept). */
bool	ribd_restart_done(const struct ribd *rd);
/* Planned stop: keep_kernel (graceful restart) leaves our kernel routes for the next
 * run to adopt; otherwise they are removed. */
void	ribd_stop(struct ribd *rd, bool keep_kernel);
struct rib *ribd_rib(struct ribd *rd);
int	ribd_control_register(struct ribd *rd, struct ctl_server *ctl);

#endif
