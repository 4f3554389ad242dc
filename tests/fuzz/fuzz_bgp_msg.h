/* SPDX-License-Identifier: MIT */
/*
 * The input layout shared by the fuzz_bgp_msg target and its seed generator:
 * the first octet selects the session mode, the rest is a message stream.
 */
#ifndef CUTOVER_TESTS_FUZZ_BGP_MSG_H
#define CUTOVER_TESTS_FUZZ_BGP_MSG_H

#define FUZZ_MODE_AS4		0x01
#define FUZZ_MODE_EXT_MSG	0x02
#define FUZZ_MODE_EBGP		0x04
#define FUZZ_MODE_V6		0x08
#define FUZZ_MODE_FIRST_AS	0x10
#define FUZZ_PEER_AS		65001

#endif
