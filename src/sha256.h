/*-------------------------------------------------------------------------
 *
 * sha256.h
 *	  SHA-256 (FIPS 180-4), for the audit log's row digests.
 *
 * Every event the extension writes carries the SHA-256 of its row
 * (event.c, EnrollEventDigest).  Through pg_cryptohash each digest built
 * and freed an OpenSSL context and looked the algorithm up again: about two
 * thirds of the digest's time for a row of a few hundred bytes (perf of a
 * 10k cancel_order and of accept_offer, scripts/bench).  This one keeps its
 * whole state in the caller's struct.
 *
 * Pure C99 (and, on x86-64, the compiler's intrinsics for the SHA
 * extensions): no PostgreSQL header, no allocation; the one global is
 * which compression function the processor allows, chosen at the first
 * block.  The unit test (test/unit/test_sha256.c) checks it alone against
 * the FIPS 180-4 examples and an independent implementation, through both
 * compression functions.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ENROLL_SHA256_H
#define ENROLL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ENROLL_SHA256_LENGTH 32

typedef struct EnrollSha256
{
	uint32_t	h[8];			/* the hash value so far */
	uint64_t	bytes;			/* message length so far */
	unsigned char block[64];	/* the incomplete block */
	size_t		used;			/* bytes in block */
} EnrollSha256;

extern void enroll_sha256_init(EnrollSha256 *c);
extern void enroll_sha256_update(EnrollSha256 *c, const void *data, size_t len);
extern void enroll_sha256_final(EnrollSha256 *c, unsigned char out[ENROLL_SHA256_LENGTH]);

/*
 * Which compression function digests: use 0 the portable one, 1 the SHA
 * extensions' when the processor has them, -1 leaves the choice as it is.
 * Returns 1 when the SHA extensions' is in use.  For tests and benchmarks;
 * the extension leaves the choice to the processor.
 */
extern int	enroll_sha256_hardware(int use);

#endif							/* ENROLL_SHA256_H */
