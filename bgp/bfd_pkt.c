// SPDX-License-Identifier: MIT
/*
 * BFD control packet codec (RFC 5880 §4.1) and the reception checks that need nothing but
 * the packet (RFC 5880 §6.8.6 first half, RFC 5881 §5 TTL). Session selection, the
 * A-bit-versus-configuration check and everything stateful live in bfd_fsm.c and
 * bfd_session.c. All bytes go through lib/buf cursors.
 */
#include <errno.h>

#include "bgp/bfd.h"

static const char *const bfd_state_names[] = {
	[BFD_STATE_ADMIN_DOWN] = "AdminDown",
	[BFD_STATE_DOWN] = "Down",
	[BFD_STATE_INIT] = "Init",
	[BFD_STATE_UP] = "Up",
};

static const char *const bfd_diag_names[] = {
	[BFD_DIAG_NONE] = "none",
	[BFD_DIAG_TIME_EXPIRED] = "control-detection-time-expired",
	[BFD_DIAG_ECHO_FAILED] = "echo-function-failed",
	[BFD_DIAG_NEIGHBOR_DOWN] = "neighbor-signaled-session-down",
	[BFD_DIAG_FWD_RESET] = "forwarding-plane-reset",
	[BFD_DIAG_PATH_DOWN] = "path-down",
	[BFD_DIAG_CONCAT_PATH_DOWN] = "concatenated-path-down",
	[BFD_DIAG_ADMIN_DOWN] = "administratively-down",
	[BFD_DIAG_REV_CONCAT_PATH_DOWN] = "reverse-concatenated-path-down",
};

static const char *const bfd_drop_names[BFD_DROP_MAX] = {
	[BFD_DROP_NONE] = "none",
	[BFD_DROP_SHORT] = "short",
	[BFD_DROP_VERSION] = "bad-version",
	[BFD_DROP_LENGTH] = "bad-length",
	[BFD_DROP_DETECT_MULT] = "detect-mult-zero",
	[BFD_DROP_MULTIPOINT] = "multipoint",
	[BFD_DROP_MY_DISCR] = "my-discr-zero",
	[BFD_DROP_YOUR_DISCR_ZERO] = "your-discr-zero",
	[BFD_DROP_YOUR_DISCR] = "your-discr-mismatch",
	[BFD_DROP_AUTH] = "auth-not-configured",
	[BFD_DROP_TTL] = "bad-ttl",
	[BFD_DROP_NO_SESSION] = "no-session",
	[BFD_DROP_ADMIN_DOWN] = "local-admin-down",
};

const char *
bfd_state_name(enum bfd_state s)
{
	if ((unsigned)s < sizeof(bfd_state_names) / sizeof(bfd_state_names[0]))
		return bfd_state_names[s];
	return "?";
}

const char *
bfd_diag_name(unsigned diag)
{
	if (diag < sizeof(bfd_diag_names) / sizeof(bfd_diag_names[0]))
		return bfd_diag_names[diag];
	return "unassigned";
}

const char *
bfd_drop_name(enum bfd_drop d)
{
	if ((unsigned)d < BFD_DROP_MAX && bfd_drop_names[d] != NULL)
		return bfd_drop_names[d];
	return "?";
}

static int
bfd_drop(enum bfd_drop *why, enum bfd_drop d)
{
	if (why != NULL)
		*why = d;
	return -EBADMSG;
}

int
bfd_pkt_decode(const uint8_t *data, size_t len, struct bfd_pkt *pkt, enum bfd_drop *why)
{
	struct buf_reader br, body;
	uint8_t vd, sf;
	int rc = 0;

	if (why != NULL)
		*why = BFD_DROP_NONE;
	*pkt = (struct bfd_pkt){ 0 };
	br_init(&br, data, len);
	if (br_left(&br) < BFD_PKT_LEN)
		return bfd_drop(why, BFD_DROP_SHORT);
	rc |= br_u8(&br, &vd);
	rc |= br_u8(&br, &sf);
	rc |= br_u8(&br, &pkt->detect_mult);
	rc |= br_u8(&br, &pkt->length);
	if (rc != 0)
		return bfd_drop(why, BFD_DROP_SHORT);
	pkt->version = vd >> 5;
	pkt->diag = vd & 0x1f;
	pkt->state = sf >> 6;
	pkt->flags = sf & BFD_FLAGS_MASK;

	/* §6.8.6, in the RFC's order. */
	if (pkt->version != BFD_VERSION)
		return bfd_drop(why, BFD_DROP_VERSION);
	if (pkt->length < ((pkt->flags & BFD_FLAG_A) ? BFD_PKT_AUTH_MIN_LEN : BFD_PKT_LEN))
		return bfd_drop(why, BFD_DROP_LENGTH);
	if (pkt->length > len)
		return bfd_drop(why, BFD_DROP_LENGTH);
	/* Only the first Length bytes belong to the packet. */
	br_init(&br, data, len);
	if (br_sub(&br, pkt->length, &body) != 0 || br_skip(&body, 4) != 0)
		return bfd_drop(why, BFD_DROP_LENGTH);
	rc |= br_be32(&body, &pkt->my_discr);
	rc |= br_be32(&body, &pkt->your_discr);
	rc |= br_be32(&body, &pkt->desired_min_tx);
	rc |= br_be32(&body, &pkt->required_min_rx);
	rc |= br_be32(&body, &pkt->required_min_echo_rx);
	if (rc != 0)
		return bfd_drop(why, BFD_DROP_LENGTH);
	if (pkt->flags & BFD_FLAG_A) {
		/* §4.2: the section is Auth Type, Auth Len (which counts both), data. */
		if (br_u8(&body, &pkt->auth_type) != 0 || br_u8(&body, &pkt->auth_len) != 0)
			return bfd_drop(why, BFD_DROP_LENGTH);
		if (pkt->auth_len < 2 || pkt->auth_len - 2u > br_left(&body))
			return bfd_drop(why, BFD_DROP_LENGTH);
	}
	if (pkt->detect_mult == 0)
		return bfd_drop(why, BFD_DROP_DETECT_MULT);
	if (pkt->flags & BFD_FLAG_M)
		return bfd_drop(why, BFD_DROP_MULTIPOINT);
	if (pkt->my_discr == 0)
		return bfd_drop(why, BFD_DROP_MY_DISCR);
	if (pkt->your_discr == 0 && pkt->state != BFD_STATE_DOWN &&
	    pkt->state != BFD_STATE_ADMIN_DOWN)
		return bfd_drop(why, BFD_DROP_YOUR_DISCR_ZERO);
	return 0;
}

int
bfd_pkt_check_ttl(int ttl, enum bfd_drop *why)
{
	if (ttl != BFD_TTL)
		return bfd_drop(why, BFD_DROP_TTL);
	if (why != NULL)
		*why = BFD_DROP_NONE;
	return 0;
}

int
bfd_pkt_encode(const struct bfd_pkt *pkt, struct buf_writer *bw)
{
	if ((pkt->flags & BFD_FLAG_A) || (pkt->flags & ~BFD_FLAGS_MASK) ||
	    pkt->state > BFD_STATE_UP || pkt->diag > BFD_DIAG_MAX)
		return -EINVAL;
	bw_u8(bw, (uint8_t)(BFD_VERSION << 5 | pkt->diag));
	bw_u8(bw, (uint8_t)(pkt->state << 6 | pkt->flags));
	bw_u8(bw, pkt->detect_mult);
	bw_u8(bw, BFD_PKT_LEN);
	bw_be32(bw, pkt->my_discr);
	bw_be32(bw, pkt->your_discr);
	bw_be32(bw, pkt->desired_min_tx);
	bw_be32(bw, pkt->required_min_rx);
	bw_be32(bw, pkt->required_min_echo_rx);
	return bw_error(bw);
}
