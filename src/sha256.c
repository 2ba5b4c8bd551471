/*-------------------------------------------------------------------------
 *
 * sha256.c
 *	  SHA-256 as FIPS 180-4 defines it (sections 4.1.2, 4.2.2, 5.1.1, 6.2).
 *
 * See sha256.h.  The constants are the spec's: the first 32 bits of the
 * fractional parts of the square roots (initial hash value) and cube roots
 * (K) of the first primes.  Words are big-endian; the message is padded
 * with 0x80, zeros and its length in bits as a 64-bit big-endian number.
 *
 * Two implementations of the compression function, the same blocks in, the
 * same hash value out: the portable one (CompressPortable, 6.2.2 as
 * written) and, on x86-64 processors with the SHA extensions, one with
 * their instructions (CompressShaNi), several times faster: the digest
 * was a fifth of writing an event (perf of a 10k cancel_order).  The
 * processor is asked once (cpuid); test/unit/test_sha256.c runs every
 * check through both (enroll_sha256_hardware).
 *
 *-------------------------------------------------------------------------
 */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ENROLL_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

static const uint32_t initial[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
	0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
	0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
	0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define BSIG0(x) (ROTR(x, 2) ^ ROTR(x, 13) ^ ROTR(x, 22))
#define BSIG1(x) (ROTR(x, 6) ^ ROTR(x, 11) ^ ROTR(x, 25))
#define SSIG0(x) (ROTR(x, 7) ^ ROTR(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROTR(x, 17) ^ ROTR(x, 19) ^ ((x) >> 10))

/* the hash computation of one 64-byte block (6.2.2) */
static void
CompressOne(uint32_t h[8], const unsigned char *p)
{
	uint32_t	w[64];
	uint32_t	a = h[0], b = h[1], c = h[2], d = h[3];
	uint32_t	e = h[4], f = h[5], g = h[6], k = h[7];

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t) p[4 * t] << 24 | (uint32_t) p[4 * t + 1] << 16 |
			(uint32_t) p[4 * t + 2] << 8 | (uint32_t) p[4 * t + 3];
	for (int t = 16; t < 64; t++)
		w[t] = SSIG1(w[t - 2]) + w[t - 7] + SSIG0(w[t - 15]) + w[t - 16];
	for (int t = 0; t < 64; t++)
	{
		uint32_t	t1 = k + BSIG1(e) + CH(e, f, g) + K[t] + w[t];
		uint32_t	t2 = BSIG0(a) + MAJ(a, b, c);

		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

/* n consecutive 64-byte blocks, as written */
static void
CompressPortable(uint32_t h[8], const unsigned char *p, size_t n)
{
	for (; n > 0; n--, p += 64)
		CompressOne(h, p);
}

#ifdef ENROLL_SHA_NI
/*
 * Four rounds (t = 4g .. 4g+3) with the SHA extensions.  The state is two
 * registers, abef = (a, b, e, f) and cdgh = (c, d, g, h) from the highest
 * 32-bit lane down, which is how sha256rnds2 takes it: each call does two
 * rounds with the two W[t] + K[t] in the low half of its third operand and
 * returns the new (a, b, e, f); the old one is the new (c, d, g, h).  wg
 * holds W[4g .. 4g+3], lowest lane first.
 */
#define SHANI_ROUNDS(g, wg) \
	do { \
		__m128i		wk_ = _mm_add_epi32((wg), _mm_loadu_si128((const __m128i *) &K[4 * (g)])); \
		cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_); \
		abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk_, 0x0E)); \
	} while (0)

/*
 * The message schedule's next four words (6.2.2 step 1), W[4g .. 4g+3]
 * for g >= 4, into w4 which holds W[4g-16 ..]: sha256msg1 adds sigma0 of
 * W[t-15] to W[t-16]; then W[t-7] (the words four to one before w1's
 * last); sha256msg2 adds sigma1 of W[t-2], two by two.
 */
#define SHANI_SCHEDULE(w4, w3, w2, w1) \
	((w4) = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((w4), (w3)), \
											   _mm_alignr_epi8((w1), (w2), 4)), (w1)))

__attribute__((target("sha,sse4.1,ssse3")))
static void
CompressShaNi(uint32_t h[8], const unsigned char *p, size_t n)
{
	/* the bytes of each 32-bit word reversed: words are big-endian */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i		abcd = _mm_loadu_si128((const __m128i *) &h[0]);
	__m128i		efgh = _mm_loadu_si128((const __m128i *) &h[4]);
	__m128i		abef;
	__m128i		cdgh;

	/* (a, b, c, d), (e, f, g, h) lowest lane first -> abef, cdgh */
	abcd = _mm_shuffle_epi32(abcd, 0xB1);	/* b a d c */
	efgh = _mm_shuffle_epi32(efgh, 0x1B);	/* h g f e */
	abef = _mm_alignr_epi8(abcd, efgh, 8);	/* f e b a */
	cdgh = _mm_blend_epi16(efgh, abcd, 0xF0);	/* h g d c */

	for (; n > 0; n--, p += 64)
	{
		__m128i		abef0 = abef;
		__m128i		cdgh0 = cdgh;
		__m128i		w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 0)), bswap);
		__m128i		w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 16)), bswap);
		__m128i		w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 32)), bswap);
		__m128i		w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (p + 48)), bswap);

		SHANI_ROUNDS(0, w0);
		SHANI_ROUNDS(1, w1);
		SHANI_ROUNDS(2, w2);
		SHANI_ROUNDS(3, w3);
		for (int g = 4; g < 16; g += 4)
		{
			SHANI_SCHEDULE(w0, w1, w2, w3);
			SHANI_ROUNDS(g, w0);
			SHANI_SCHEDULE(w1, w2, w3, w0);
			SHANI_ROUNDS(g + 1, w1);
			SHANI_SCHEDULE(w2, w3, w0, w1);
			SHANI_ROUNDS(g + 2, w2);
			SHANI_SCHEDULE(w3, w0, w1, w2);
			SHANI_ROUNDS(g + 3, w3);
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}

	/* back: abef, cdgh -> (a, b, c, d), (e, f, g, h) */
	abef = _mm_shuffle_epi32(abef, 0x1B);	/* a b e f */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);	/* g h c d */
	abcd = _mm_blend_epi16(abef, cdgh, 0xF0);	/* a b c d */
	efgh = _mm_alignr_epi8(cdgh, abef, 8);	/* e f g h */
	_mm_storeu_si128((__m128i *) &h[0], abcd);
	_mm_storeu_si128((__m128i *) &h[4], efgh);
}

/* whether this processor has the SHA extensions and the SSE they come with */
static int
HasShaNi(void)
{
	unsigned int a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b & (1u << 29)) != 0;	/* CPUID.(EAX=7,ECX=0):EBX.SHA[bit 29] */
}
#endif

typedef void (*CompressFn) (uint32_t h[8], const unsigned char *p, size_t n);

/* the implementation in use; NULL until the first block asks the processor */
static CompressFn compress_blocks;

static CompressFn
Chosen(void)
{
	if (compress_blocks == NULL)
	{
#ifdef ENROLL_SHA_NI
		compress_blocks = HasShaNi() ? CompressShaNi : CompressPortable;
#else
		compress_blocks = CompressPortable;
#endif
	}
	return compress_blocks;
}

static void
Compress(uint32_t h[8], const unsigned char *p, size_t n)
{
	Chosen() (h, p, n);
}

int
enroll_sha256_hardware(int use)
{
	CompressFn	portable = CompressPortable;

	if (use == 0)
		compress_blocks = portable;
	else if (use == 1)
	{
#ifdef ENROLL_SHA_NI
		compress_blocks = HasShaNi() ? CompressShaNi : portable;
#else
		compress_blocks = portable;
#endif
	}
	return Chosen() != portable;
}

void
enroll_sha256_init(EnrollSha256 *c)
{
	memcpy(c->h, initial, sizeof(initial));
	c->bytes = 0;
	c->used = 0;
}

void
enroll_sha256_update(EnrollSha256 *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->bytes += len;
	if (c->used > 0)
	{
		size_t		n = 64 - c->used < len ? 64 - c->used : len;

		memcpy(c->block + c->used, p, n);
		c->used += n;
		p += n;
		len -= n;
		if (c->used < 64)
			return;
		Compress(c->h, c->block, 1);
		c->used = 0;
	}
	if (len >= 64)
	{
		Compress(c->h, p, len / 64);
		p += len - len % 64;
		len %= 64;
	}
	if (len > 0)
		memcpy(c->block, p, len);
	c->used = len;
}

void
enroll_sha256_final(EnrollSha256 *c, unsigned char out[ENROLL_SHA256_LENGTH])
{
	uint64_t	bits = c->bytes * 8;

	/* padding (5.1.1): 0x80, zeros up to 56 bytes of a block, the length */
	c->block[c->used++] = 0x80;
	if (c->used > 56)
	{
		memset(c->block + c->used, 0, 64 - c->used);
		Compress(c->h, c->block, 1);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (int i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char) (bits >> (56 - 8 * i));
	Compress(c->h, c->block, 1);
	for (int i = 0; i < 8; i++)
	{
		out[4 * i] = (unsigned char) (c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char) (c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char) (c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char) c->h[i];
	}
}
