/* SPDX-License-Identifier: MIT */
/*
 * IPv4/IPv6 addresses and prefixes: parse, format, normalise, compare, contains,
 * split, host bits, ranges to prefixes. Addresses are kept in network byte order in
 * a 16-byte array (IPv4 in the first 4 bytes) so that bit i is the same bit for the
 * trie, the wire and the kernel. No allocation anywhere in this file.
 */
#ifndef CUTOVER_LIB_ADDR_H
#define CUTOVER_LIB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_V4_BITS	32
#define ADDR_V6_BITS	128
/* Longest text form: IPv6 with embedded IPv4 plus "/128" and NUL. */
#define ADDR_STRLEN	46
#define PREFIX_STRLEN	(ADDR_STRLEN + 4)

struct addr {
	uint8_t	 family;	/* AF_INET or AF_INET6 */
	uint8_t	 bytes[16];	/* network order; IPv4 uses bytes[0..3], rest zero */
};

struct prefix {
	struct addr	 addr;
	uint8_t		 len;	/* 0..32 or 0..128 */
};

/* Flags for prefix_parse(). */
#define PREFIX_PARSE_STRICT	0x0	/* host bits set -> -EINVAL */
#define PREFIX_PARSE_NORMALIZE	0x1	/* clear host bits */
#define PREFIX_PARSE_HOST_OK	0x2	/* a bare address means /32 or /128 */

unsigned	addr_bits(const struct addr *a);	/* 32 or 128 */
unsigned	addr_family_bits(int family);
/* "10.0.0.1", "2001:db8::1". Returns 0 or -EINVAL (or -EAFNOSUPPORT for family mismatch). */
int	addr_parse(const char *s, struct addr *a);
/* Same, but parses at most n bytes of s (no NUL needed). */
int	addr_parse_n(const char *s, size_t n, struct addr *a);
/* Writes text into out (at least ADDR_STRLEN bytes); returns out. */
char	*addr_format(const struct addr *a, char *out, size_t outlen);
void	addr_from_v4(struct addr *a, uint32_t host_order);
uint32_t addr_to_v4(const struct addr *a);	/* host order */
int	addr_from_bytes(struct addr *a, int family, const void *p, size_t n);
/* Total order: family first (v4 < v6), then bytes. */
int	addr_cmp(const struct addr *a, const struct addr *b);
bool	addr_eq(const struct addr *a, const struct addr *b);
/* Bit i counted from the most significant bit of the first byte. */
int	addr_bit(const struct addr *a, unsigned i);
/* a + n within the family; returns -ERANGE on wrap-around (a unchanged). */
int	addr_add(struct addr *a, uint64_t n);
/* a - b for same-family addresses closer than 2^64; -ERANGE otherwise. */
int	addr_diff(const struct addr *a, const struct addr *b, uint64_t *out);
bool	addr_is_v4_mapped(const struct addr *a);

int	prefix_parse(const char *s, struct prefix *p, unsigned flags);
char	*prefix_format(const struct prefix *p, char *out, size_t outlen);
int	prefix_make(struct prefix *p, const struct addr *a, unsigned len);
/* Clear host bits. */
void	prefix_normalize(struct prefix *p);
bool	prefix_has_host_bits(const struct prefix *p);
int	prefix_cmp(const struct prefix *a, const struct prefix *b);
bool	prefix_eq(const struct prefix *a, const struct prefix *b);
bool	prefix_contains_addr(const struct prefix *p, const struct addr *a);
/* outer covers inner (equal counts as covering). Different families never do. */
bool	prefix_contains(const struct prefix *outer, const struct prefix *inner);
bool	prefix_overlaps(const struct prefix *a, const struct prefix *b);
/* Split p into its two halves; -ERANGE for a host prefix. */
int	prefix_split(const struct prefix *p, struct prefix *lo, struct prefix *hi);
/* First and last address of p. */
void	prefix_first(const struct prefix *p, struct addr *a);
void	prefix_last(const struct prefix *p, struct addr *a);
/* Number of addresses as log2 (host bits). */
unsigned prefix_host_bits(const struct prefix *p);
/* Host prefix (/32 or /128) of a. */
void	prefix_host(struct prefix *p, const struct addr *a);
/*
 * The minimal list of prefixes that covers exactly [lo, hi] (same family, lo <= hi).
 * Writes at most max into out; returns the number needed (which may exceed max:
 * call again with room), or -EINVAL.
 */
int	prefix_range(const struct addr *lo, const struct addr *hi, struct prefix *out, size_t max);

#endif
