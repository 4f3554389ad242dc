/* SPDX-License-Identifier: MIT */
/*
 * BFD (RFC 5880 asynchronous mode, RFC 5881 single hop) for cutoverd's BGP peers.
 *
 * Three layers, one header:
 *  - the control packet codec and the stateless reception checks (bfd_pkt.c),
 *  - the pure per-session state machine with RFC 5880 §6.8.1 variables, poll sequence,
 *    detection time and jittered transmission (bfd_fsm.c): no sockets, no libevent, a
 *    clock/timer/transmit ops table injected by the owner,
 *  - the UDP transport and session table (bfd_session.c, the only BFD file that knows
 *    sockets and libevent).
 * Not supported (and rejected as RFC 5880 says): authentication (packets with the A bit
 * are discarded, §6.8.6), the echo function (we advertise Required Min Echo RX Interval 0,
 * §6.8.9), demand mode (we never set D; a peer's D bit is honoured as §6.8.7 requires),
 * multipoint (M bit discarded) and multihop (RFC 5883).
 * All intervals are in microseconds, as on the wire.
 */
#ifndef CUTOVER_BGP_BFD_H
#define CUTOVER_BGP_BFD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/buf.h"

/* ---- wire constants (RFC 5880 §4.1, RFC 5881 §4) ---- */
#define BFD_VERSION		1
#define BFD_PKT_LEN		24	/* mandatory section */
#define BFD_PKT_AUTH_MIN_LEN	26	/* mandatory section + auth type + auth len */
#define BFD_PKT_MAX_LEN		255	/* the Length field is one octet */
#define BFD_PORT_CONTROL	3784	/* RFC 5881 §4: single-hop control packets */
#define BFD_PORT_ECHO		3785
#define BFD_SRC_PORT_MIN	49152	/* RFC 5881 §4: source port range */
#define BFD_SRC_PORT_MAX	65535
#define BFD_TTL			255	/* RFC 5881 §5: GTSM-style TTL/hop limit */

#define BFD_FLAG_P		0x20	/* Poll */
#define BFD_FLAG_F		0x10	/* Final */
#define BFD_FLAG_C		0x08	/* Control Plane Independent */
#define BFD_FLAG_A		0x04	/* Authentication Present */
#define BFD_FLAG_D		0x02	/* Demand */
#define BFD_FLAG_M		0x01	/* Multipoint (reserved, must be zero) */
#define BFD_FLAGS_MASK		0x3f

#define BFD_USEC_PER_SEC	1000000u
/* §6.8.3: DesiredMinTxInterval while the session is not Up. */
#define BFD_SLOW_TX_US		BFD_USEC_PER_SEC
/* Issue 8 defaults: 300 ms x 3. */
#define BFD_DEFAULT_TX_US	300000u
#define BFD_DEFAULT_RX_US	300000u
#define BFD_DEFAULT_MULT	3

enum bfd_state {
	BFD_STATE_ADMIN_DOWN = 0,
	BFD_STATE_DOWN = 1,
	BFD_STATE_INIT = 2,
	BFD_STATE_UP = 3,
};

/* RFC 5880 §4.1 diagnostic codes (IANA "BFD Diagnostic Codes"). */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_TIME_EXPIRED = 1,
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_FWD_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_PATH_DOWN = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REV_CONCAT_PATH_DOWN = 8,
	BFD_DIAG_MAX = 31,		/* five bits on the wire */
};

/* Why a received packet was discarded (one counter each). */
enum bfd_drop {
	BFD_DROP_NONE = 0,
	BFD_DROP_SHORT,		/* fewer than BFD_PKT_LEN bytes of payload */
	BFD_DROP_VERSION,	/* §6.8.6: version is not 1 */
	BFD_DROP_LENGTH,	/* §6.8.6: Length < 24 (26 with A) or > payload */
	BFD_DROP_DETECT_MULT,	/* §6.8.6: Detect Mult is zero */
	BFD_DROP_MULTIPOINT,	/* §6.8.6: M bit set */
	BFD_DROP_MY_DISCR,	/* §6.8.6: My Discriminator is zero */
	BFD_DROP_YOUR_DISCR_ZERO, /* §6.8.6: Your Discr 0 while State is Init/Up */
	BFD_DROP_YOUR_DISCR,	/* §6.8.6: Your Discr selects no session */
	BFD_DROP_AUTH,		/* §6.8.6: A bit set, no authentication configured */
	BFD_DROP_TTL,		/* RFC 5881 §5: TTL/hop limit is not 255 */
	BFD_DROP_NO_SESSION,	/* Your Discr 0 and no session for the source */
	BFD_DROP_ADMIN_DOWN,	/* §6.8.6: local session is AdminDown */
	BFD_DROP_MAX
};

/* One decoded control packet. Intervals in microseconds. */
struct bfd_pkt {
	uint8_t		 version;
	uint8_t		 diag;		/* enum bfd_diag */
	uint8_t		 state;		/* enum bfd_state */
	uint8_t		 flags;		/* BFD_FLAG_* */
	uint8_t		 detect_mult;
	uint8_t		 length;
	uint32_t	 my_discr;
	uint32_t	 your_discr;
	uint32_t	 desired_min_tx;
	uint32_t	 required_min_rx;
	uint32_t	 required_min_echo_rx;
	uint8_t		 auth_type;	/* only when BFD_FLAG_A */
	uint8_t		 auth_len;
};

const char	*bfd_state_name(enum bfd_state s);	/* "AdminDown", "Down", "Init", "Up" */
const char	*bfd_diag_name(unsigned diag);		/* "none", "control-detection-time-expired", ... */
const char	*bfd_drop_name(enum bfd_drop d);	/* "bad-version", ... (counter/metric label) */

/*
 * Decode one UDP payload and apply the packet-only reception checks of RFC 5880 §6.8.6
 * (version, length vs A bit and payload, detect mult, M bit, my discriminator, your
 * discriminator zero outside Down/AdminDown). Bytes after Length are ignored.
 * Returns 0, or -EBADMSG with *why set (why may be NULL). pkt is filled as far as read.
 */
int	bfd_pkt_decode(const uint8_t *data, size_t len, struct bfd_pkt *pkt, enum bfd_drop *why);
/* RFC 5881 §5: ttl is the received TTL/hop limit, -1 when unknown. 0 or -EBADMSG. */
int	bfd_pkt_check_ttl(int ttl, enum bfd_drop *why);
/*
 * Encode the mandatory section (24 bytes; Length is written as BFD_PKT_LEN). We never
 * send authentication: a pkt with BFD_FLAG_A, a state > 3, diag > 31 or flags outside
 * BFD_FLAGS_MASK gives -EINVAL. Otherwise returns bw_error(bw) (0 or -ENOBUFS/-ENOMEM).
 */
int	bfd_pkt_encode(const struct bfd_pkt *pkt, struct buf_writer *bw);

/* ---- the state machine (bfd_fsm.c) ---- */

enum bfd_timer {
	BFD_TIMER_TX = 0,	/* next periodic control packet */
	BFD_TIMER_DETECT,	/* detection time (§6.8.4) since the last accepted packet */
	BFD_TIMER_MAX
};

/*
 * What the owner gives the FSM. Every callback gets ctx. now() is a monotonic clock in
 * microseconds; random() feeds the transmit jitter; timer_arm() (re)arms timer t to fire
 * after delay_us, and the owner then calls bfd_fsm_timer(); send() transmits one encoded
 * packet (returns 0 or -errno; failures are counted, never fatal); state_changed() is
 * called after every state change with the diagnostic that caused it.
 */
struct bfd_fsm_ops {
	uint64_t	(*now)(void *ctx);
	uint32_t	(*random)(void *ctx);
	void		(*timer_arm)(void *ctx, enum bfd_timer t, uint64_t delay_us);
	void		(*timer_stop)(void *ctx, enum bfd_timer t);
	int		(*send)(void *ctx, const uint8_t *pkt, size_t len);
	void		(*state_changed)(void *ctx, enum bfd_state from, enum bfd_state to,
			    enum bfd_diag diag);
};

struct bfd_cfg {
	uint32_t	 desired_min_tx_us;	/* when Up; 1 ms .. 60 s */
	uint32_t	 required_min_rx_us;	/* >= 1 ms */
	uint8_t		 detect_mult;		/* >= 1 */
};

/* 0 or -EINVAL with a reason in *why (static string) for bad values. */
int	bfd_cfg_check(const struct bfd_cfg *cfg, const char **why);
void	bfd_cfg_default(struct bfd_cfg *cfg);

struct bfd_counters {
	uint64_t	 rx;			/* accepted packets */
	uint64_t	 tx;
	uint64_t	 tx_errors;
	uint64_t	 drops[BFD_DROP_MAX];
	uint64_t	 up;			/* transitions into Up */
	uint64_t	 down;			/* transitions from Up to Down/AdminDown */
	uint64_t	 polls;			/* poll sequences started */
};

struct bfd_fsm {
	const struct bfd_fsm_ops *ops;
	void		*ctx;
	struct bfd_cfg	 cfg;			/* what the operator asked for */

	/* RFC 5880 §6.8.1 state variables */
	enum bfd_state	 state;			/* bfd.SessionState */
	enum bfd_state	 remote_state;		/* bfd.RemoteSessionState */
	uint32_t	 local_discr;		/* bfd.LocalDiscr */
	uint32_t	 remote_discr;		/* bfd.RemoteDiscr */
	enum bfd_diag	 local_diag;		/* bfd.LocalDiag */
	uint32_t	 desired_min_tx;	/* bfd.DesiredMinTxInterval (advertised) */
	uint32_t	 required_min_rx;	/* bfd.RequiredMinRxInterval (advertised) */
	uint32_t	 remote_min_rx;		/* bfd.RemoteMinRxInterval */
	bool		 demand_mode;		/* bfd.DemandMode: always false */
	bool		 remote_demand_mode;	/* bfd.RemoteDemandMode */
	uint8_t		 detect_mult;		/* bfd.DetectMult */
	/* bfd.AuthType is always 0 (no authentication). */

	/* what the last accepted packet said, for §6.8.4 */
	uint32_t	 remote_desired_min_tx;
	uint8_t		 remote_detect_mult;	/* 0: nothing received within a detection time */
	enum bfd_diag	 remote_diag;

	/* §6.8.3: values in use until a poll sequence confirms the advertised ones */
	bool		 poll_active;
	uint32_t	 tx_in_use;		/* DesiredMinTx used for our transmit interval */
	uint32_t	 rx_in_use;		/* RequiredMinRx used for our detection time */

	bool		 running;		/* timers armed */
	uint64_t	 next_tx;		/* absolute time of the armed TX timer */
	uint64_t	 detect_deadline;	/* absolute; 0 when not armed */
	uint64_t	 last_rx;
	uint64_t	 last_change;		/* time of the last state change */
	enum bfd_diag	 last_down_diag;	/* why the session last left Up */
	struct bfd_counters cnt;
};

/* Set up f in AdminDown with cfg (checked by the caller) and a nonzero local_discr. */
void	bfd_fsm_init(struct bfd_fsm *f, const struct bfd_cfg *cfg, uint32_t local_discr,
	    const struct bfd_fsm_ops *ops, void *ctx);
/* §6.8.16 enable: AdminDown -> Down, start transmitting (first packet at once). */
void	bfd_fsm_enable(struct bfd_fsm *f);
/*
 * §6.8.16 disable: -> AdminDown with diag (BFD_DIAG_ADMIN_DOWN or BFD_DIAG_PATH_DOWN).
 * Keeps transmitting AdminDown periodically (the RFC asks for at least a detection time
 * of the remote, see bfd_fsm_admin_linger_us()) until bfd_fsm_stop().
 */
void	bfd_fsm_disable(struct bfd_fsm *f, enum bfd_diag diag);
/* How long AdminDown should still be sent so the peer sees it: DetectMult x tx interval. */
uint64_t bfd_fsm_admin_linger_us(const struct bfd_fsm *f);
/* Stop both timers (no state change). Call before freeing f. */
void	bfd_fsm_stop(struct bfd_fsm *f);
/* Runtime change of the intervals/multiplier; Up sessions run a poll sequence (§6.8.3). */
void	bfd_fsm_set_cfg(struct bfd_fsm *f, const struct bfd_cfg *cfg);
/*
 * Process a packet that passed bfd_pkt_decode() and the TTL check and was matched to
 * this session: the session-level checks of §6.8.6 (A bit, Your Discriminator), the
 * variable updates, the state table, poll/final. Returns 0 when accepted, -EBADMSG when
 * discarded (the reason is counted in f->cnt.drops and returned in *why, may be NULL).
 */
int	bfd_fsm_rx(struct bfd_fsm *f, const struct bfd_pkt *pkt, enum bfd_drop *why);
/* The owner's timer t fired. */
void	bfd_fsm_timer(struct bfd_fsm *f, enum bfd_timer t);
/* Negotiated transmit interval without jitter: max(DesiredMinTx in use, RemoteMinRx). */
uint32_t bfd_fsm_tx_interval(const struct bfd_fsm *f);
/* §6.8.4 detection time (async mode); 0 while nothing has been received. */
uint64_t bfd_fsm_detect_time(const struct bfd_fsm *f);
/* Fill pkt with what we would send now (final: reply to a poll). */
void	bfd_fsm_build(const struct bfd_fsm *f, struct bfd_pkt *pkt, bool final);

/* ---- UDP transport, sessions (bfd_session.c) ---- */

#define BFD_NAME_MAX		64

struct event_base;
struct bfd_ctx;
struct bfd_session;

/*
 * Client callback: the session changed state. Per RFC 5882 §3.2 a peer that signals
 * AdminDown is not a path failure: `failure` is true only for Up -> Down caused by
 * anything but a received AdminDown.
 */
typedef void	(*bfd_notify_fn)(void *arg, struct bfd_session *s, enum bfd_state from,
		    enum bfd_state to, enum bfd_diag diag, bool failure);

/* A BFD instance on base: opens the IPv4 and IPv6 listeners on port (BFD_PORT_CONTROL,
 * or another for tests), bound to bind_addr when given. NULL + errno on failure. */
struct bfd_ctx	*bfd_ctx_new(struct event_base *base, uint16_t port,
		    const struct addr *bind4, const struct addr *bind6);
void		 bfd_ctx_free(struct bfd_ctx *c);
/* Datagrams dropped before any session was found (decode, TTL, no session), per reason. */
const uint64_t	*bfd_ctx_drops(const struct bfd_ctx *c);

/*
 * A single-hop session to peer from local (same family; NULL: the source address the
 * kernel picks toward peer), optionally bound to ifname (NULL: any). dst_port is
 * BFD_PORT_CONTROL except in tests. name (logs, JSON, metrics; the BGP peer's name) may
 * be NULL: the peer address. Enabled at once. NULL + errno (EINVAL, ENODEV, EADDRINUSE...).
 */
struct bfd_session *bfd_session_add(struct bfd_ctx *c, const char *name,
		    const struct addr *local,
		    const struct addr *peer, const char *ifname, uint16_t dst_port,
		    const struct bfd_cfg *cfg, bfd_notify_fn fn, void *arg);
/* Go AdminDown with diag (sent at once) and, with linger, keep sending it for the peer's
 * detection time as it was (at least one slow interval, at most 3 s) before the session
 * is freed; fn is not called again. With linger false the session is freed at once. */
void		 bfd_session_del(struct bfd_session *s, enum bfd_diag diag, bool linger);
const struct bfd_fsm *bfd_session_fsm(const struct bfd_session *s);
const struct addr *bfd_session_peer(const struct bfd_session *s);
const struct addr *bfd_session_local(const struct bfd_session *s);
const char	*bfd_session_ifname(const struct bfd_session *s);
/* The client's name for the session (the BGP peer name), for logs, JSON and metrics. */
void		 bfd_session_set_name(struct bfd_session *s, const char *name);
const char	*bfd_session_name(const struct bfd_session *s);
uint16_t	 bfd_session_src_port(const struct bfd_session *s);
void		 bfd_session_set_cfg(struct bfd_session *s, const struct bfd_cfg *cfg);
/* Iterate sessions in creation order; NULL ends. */
struct bfd_session *bfd_session_first(struct bfd_ctx *c);
struct bfd_session *bfd_session_next(struct bfd_session *s);
/* Number of sessions still lingering in AdminDown (shutdown waits for 0). */
unsigned	 bfd_ctx_lingering(const struct bfd_ctx *c);

#endif
