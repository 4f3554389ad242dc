/* SPDX-License-Identifier: MIT */
/*
 * The BGP-4 finite state machine of RFC 4271 §8, kept pure: no sockets, no libevent,
 * no clock of its own. The session layer (bgp/session.c) feeds it events and carries
 * out the actions it asks for through struct bgp_fsm_ops (open/close a connection,
 * send OPEN/KEEPALIVE/NOTIFICATION, session up/down). Timers are deadlines kept here
 * and read from an injected clock; whoever owns the event loop arms one wake-up at
 * bgp_fsm_next_deadline() and calls bgp_fsm_tick() when it fires. Unit tests drive it
 * with a fake clock (tests/unit/bgp/test_fsm.c).
 *
 * This file does not parse or build messages (bgp/msg.c does) and does not decide
 * which of two colliding connections survives on its own: bgp_fsm_collision() gives the
 * RFC 4271 §6.8 verdict, the session layer applies it.
 */
#ifndef CUTOVER_BGP_FSM_H
#define CUTOVER_BGP_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bgp_state {
	BGP_STATE_IDLE = 0,
	BGP_STATE_CONNECT,
	BGP_STATE_ACTIVE,
	BGP_STATE_OPENSENT,
	BGP_STATE_OPENCONFIRM,
	BGP_STATE_ESTABLISHED,
	BGP_STATE_COUNT,
};

/* RFC 4271 §8.1 events we act on (numbers in comments are the RFC's). */
enum bgp_event {
	BGP_EV_MANUAL_START = 0,	/* 1 (and 4 when the peer is passive) */
	BGP_EV_MANUAL_STOP,		/* 2 */
	BGP_EV_AUTO_START,		/* 3 / 5: restart after an error (IdleHold expiry) */
	BGP_EV_CONNECT_RETRY_EXPIRES,	/* 9 */
	BGP_EV_HOLD_EXPIRES,		/* 10 */
	BGP_EV_KEEPALIVE_EXPIRES,	/* 11 */
	BGP_EV_DELAY_OPEN_EXPIRES,	/* 12 */
	BGP_EV_IDLE_HOLD_EXPIRES,	/* 13 */
	BGP_EV_TCP_CONNECTED,		/* 16 / 17: outgoing connected or incoming accepted */
	BGP_EV_TCP_FAILED,		/* 18: connect failed, peer closed, read/write error */
	BGP_EV_OPEN_RECV,		/* 19 / 20: a valid OPEN (msg: hold time, id) */
	BGP_EV_HEADER_ERR,		/* 21 (msg: the NOTIFICATION to send) */
	BGP_EV_OPEN_ERR,		/* 22 (msg: the NOTIFICATION to send) */
	BGP_EV_OPEN_COLLISION_DUMP,	/* 23: lost the §6.8 collision */
	BGP_EV_NOTIF_VERSION_ERR,	/* 24 */
	BGP_EV_NOTIF_RECV,		/* 25 */
	BGP_EV_KEEPALIVE_RECV,		/* 26 */
	BGP_EV_UPDATE_RECV,		/* 27 */
	BGP_EV_UPDATE_ERR,		/* 28 (msg: the NOTIFICATION to send) */
	BGP_EV_ROUTE_REFRESH_RECV,	/* RFC 2918: Established only, otherwise FSM error */
	BGP_EV_ADMIN_RESET,		/* stop with a Cease (msg: code/subcode/data), e.g.
					   max-prefix or admin shutdown (RFC 8203), then
					   restart automatically unless manual stop follows */
	BGP_EV_COUNT,
};

enum bgp_timer {
	BGP_TIMER_CONNECT_RETRY = 0,
	BGP_TIMER_HOLD,
	BGP_TIMER_KEEPALIVE,
	BGP_TIMER_DELAY_OPEN,
	BGP_TIMER_IDLE_HOLD,
	BGP_TIMER_COUNT,
};

/* NOTIFICATION codes the FSM itself emits (RFC 4271 §4.5, RFC 6608). They equal the
 * wire constants of bgp/bgp_wire.h; kept here so the FSM has no codec dependency. */
#define BGP_FSM_NOTIF_HOLD_EXPIRED	4
#define BGP_FSM_NOTIF_FSM_ERROR		5
#define BGP_FSM_NOTIF_CEASE		6
#define BGP_FSM_SUB_FSM_OPENSENT	1	/* RFC 6608 §4 */
#define BGP_FSM_SUB_FSM_OPENCONFIRM	2
#define BGP_FSM_SUB_FSM_ESTABLISHED	3
#define BGP_FSM_SUB_CEASE_ADMIN_SHUTDOWN 2	/* RFC 4486 */
#define BGP_FSM_SUB_CEASE_COLLISION	7

/* OpenSent hold time before the peer's OPEN tells us better (RFC 4271 §8.2.2). */
#define BGP_FSM_OPENSENT_HOLD		240
#define BGP_FSM_NOTIF_DATA_MAX		256

/* What comes with an event. Only the fields an event needs are read. */
struct bgp_fsm_msg {
	uint8_t		 code;		/* NOTIFICATION to send (errors) or received */
	uint8_t		 subcode;
	const uint8_t	*data;
	size_t		 datalen;
	uint16_t	 hold_time;	/* OPEN_RECV: the peer's hold time */
	uint32_t	 remote_id;	/* OPEN_RECV: the peer's BGP identifier */
};

/* Actions requested by the FSM. ctx is bgp_fsm.ctx. Every hook may be NULL except now. */
struct bgp_fsm_ops {
	uint64_t (*now)(void *ctx);			/* monotonic milliseconds */
	/* A deadline changed: re-arm the single wake-up at bgp_fsm_next_deadline(). */
	void	(*timers_changed)(void *ctx);
	/* Start a non-blocking connect; completion comes back as TCP_CONNECTED/FAILED. */
	void	(*connect)(void *ctx);
	/* Drop the connection (after flushing queued output). */
	void	(*disconnect)(void *ctx);
	void	(*send_open)(void *ctx);
	void	(*send_keepalive)(void *ctx);
	void	(*send_notification)(void *ctx, uint8_t code, uint8_t subcode,
		    const uint8_t *data, size_t len);
	/* Entered Established: negotiated hold/keepalive are in the fsm. */
	void	(*established)(void *ctx);
	/* Left Established: drop the peer's routes (graceful restart comes later). */
	void	(*down)(void *ctx);
	void	(*state_changed)(void *ctx, enum bgp_state from, enum bgp_state to,
		    enum bgp_event why);
};

struct bgp_fsm_conf {
	uint16_t	 hold_time;	/* proposed, 0 or 3..65535 s (RFC 4271 §4.2) */
	uint16_t	 keepalive;	/* 0: hold/3 */
	uint16_t	 connect_retry;	/* s, > 0 */
	uint16_t	 idle_hold;	/* s before an automatic restart, > 0 */
	uint16_t	 delay_open;	/* s, 0: off (RFC 4271 §8.1.1 DelayOpen) */
	bool		 passive;	/* never connect, only accept */
};

struct bgp_fsm {
	enum bgp_state		 state;
	struct bgp_fsm_conf	 conf;
	const struct bgp_fsm_ops *ops;
	void			*ctx;
	uint64_t		 deadline[BGP_TIMER_COUNT];	/* ms, 0: stopped */
	uint16_t		 hold_time;	/* negotiated, 0: no hold/keepalive */
	uint16_t		 keepalive;	/* negotiated */
	uint32_t		 connect_retry_counter;
	uint32_t		 remote_id;	/* from the accepted OPEN */
	bool			 admin_down;	/* ManualStop: no automatic restart */
	uint64_t		 established_at;	/* ms, when (last) Established */
	uint64_t		 state_since;	/* ms, when the current state began */
	uint32_t		 established_count;
	/* Last error that ended a session, for show commands. */
	enum bgp_event		 last_event;
	uint8_t			 last_err_code, last_err_subcode;
	bool			 last_err_sent;	/* we sent it (else received) */
	uint32_t		 idle_hold_next;	/* s, doubles on flaps up to a cap */
};

void	bgp_fsm_init(struct bgp_fsm *fsm, const struct bgp_fsm_conf *conf,
	    const struct bgp_fsm_ops *ops, void *ctx);
/* Feed one event. msg may be NULL for events that carry nothing. */
void	bgp_fsm(struct bgp_fsm *fsm, enum bgp_event ev, const struct bgp_fsm_msg *msg);
/* Fire every expired timer (in enum order). Returns how many fired. */
int	bgp_fsm_tick(struct bgp_fsm *fsm);
/* Earliest armed deadline in ms, 0 when none is armed. */
uint64_t bgp_fsm_next_deadline(const struct bgp_fsm *fsm);
/* Arm (secs > 0) or stop (secs == 0) a timer relative to ops->now(). */
void	bgp_timer_set(struct bgp_fsm *fsm, enum bgp_timer t, unsigned secs);
/* Same with a millisecond delay (jitter, tests). */
void	bgp_timer_set_ms(struct bgp_fsm *fsm, enum bgp_timer t, uint64_t ms);
bool	bgp_timer_running(const struct bgp_fsm *fsm, enum bgp_timer t);
/* Transition and report it; public for the session layer's collision switch-over. */
void	bgp_change_state(struct bgp_fsm *fsm, enum bgp_state to, enum bgp_event why);

/* RFC 4271 §6.8: with a second connection whose OPEN carries remote_id, should the
 * existing connection be closed (true) or the new one (false)? The connection opened
 * by the speaker with the higher BGP identifier survives; ids compare as host-order
 * unsigned 32-bit integers. Equal ids (only possible in misconfiguration): keep the
 * existing one. In Established the new one always loses. */
bool	bgp_fsm_collision_keep_new(const struct bgp_fsm *fsm, uint32_t local_id,
	    uint32_t remote_id, bool existing_is_outgoing);
/* Can an incoming connection be taken as the session's connection right now? Returns
 * 1: use it (Connect/Active: any outgoing attempt is abandoned), 0: keep it aside for
 * collision resolution (OpenSent/OpenConfirm), -1: refuse it (Idle, Established). */
int	bgp_fsm_incoming(const struct bgp_fsm *fsm);

const char *bgp_state_name(enum bgp_state s);
const char *bgp_event_name(enum bgp_event ev);
const char *bgp_timer_name(enum bgp_timer t);

#endif
