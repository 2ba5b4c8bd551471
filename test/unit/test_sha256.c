/*
 * test_sha256.c
 *	  Unit tests for src/sha256.c (the audit log's row digests).
 *
 * Plain C, no framework: every check prints "not ok" on failure (and "ok"
 * with -v), the last line is "N passed, M failed", the exit code is 1 on
 * any failure.  The expected digests are FIPS 180-4's examples and, for
 * every message length from 0 to 299 bytes (each padding case: 55, 56, 63,
 * 64 bytes and their next blocks), a chain computed once with Python's
 * hashlib: d(i) = sha256(d(i-1) || m(i)), m(i) = i bytes (7i + j) mod 256.
 */
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"


static void
hex(const unsigned char *d, char *out)
{
	for (int i = 0; i < ENROLL_SHA256_LENGTH; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* the digest of data in one update */
static void
digest_of(const void *data, size_t len, char *out)
{
	EnrollSha256 c;
	unsigned char d[ENROLL_SHA256_LENGTH];

	enroll_sha256_init(&c);
	enroll_sha256_update(&c, data, len);
	enroll_sha256_final(&c, d);
	hex(d, out);
}

/* the digest of data fed in pieces of the sizes a simple generator gives */
static void
digest_in_pieces(const unsigned char *data, size_t len, unsigned seed, char *out)
{
	EnrollSha256 c;
	unsigned char d[ENROLL_SHA256_LENGTH];
	size_t		done = 0;

	enroll_sha256_init(&c);
	while (done < len)
	{
		size_t		n;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 70;	/* 0 to 69: empty, partial and over a block */
		if (n > len - done)
			n = len - done;
		enroll_sha256_update(&c, data + done, n);
		done += n;
	}
	enroll_sha256_final(&c, d);
	hex(d, out);
}

static void
test_fips_examples(void)
{
	static const char *const two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char		got[2 * ENROLL_SHA256_LENGTH + 1];
	char	   *million = malloc(1000000);

	digest_of("abc", 3, got);
	check(strcmp(got, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
		  "FIPS 180-4 example \"abc\" (%s)", got);
	digest_of(two_blocks, strlen(two_blocks), got);
	check(strcmp(got, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0,
		  "FIPS 180-4 example, 448 bits: two blocks (%s)", got);
	digest_of("", 0, got);
	check(strcmp(got, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
		  "the empty message (%s)", got);
	if (million == NULL)
		abort();
	memset(million, 'a', 1000000);
	digest_of(million, 1000000, got);
	check(strcmp(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
		  "one million 'a' (%s)", got);
	free(million);
}

static void
test_every_length(void)
{
	unsigned char prev[ENROLL_SHA256_LENGTH];
	unsigned char buf[ENROLL_SHA256_LENGTH + 300];
	size_t		prev_len = 0;
	char		got[2 * ENROLL_SHA256_LENGTH + 1];
	char		whole[2 * ENROLL_SHA256_LENGTH + 1];
	int			pieces_agree = 1;

	for (int i = 0; i < 300; i++)
	{
		EnrollSha256 c;
		size_t		len;

		memcpy(buf, prev, prev_len);
		for (int j = 0; j < i; j++)
			buf[prev_len + j] = (unsigned char) ((7 * i + j) & 0xff);
		len = prev_len + i;
		/* fed whole and fed in pieces, the same digest */
		digest_of(buf, len, whole);
		digest_in_pieces(buf, len, (unsigned) i, got);
		if (strcmp(whole, got) != 0)
		{
			pieces_agree = 0;
			check(0, "length %zu: in pieces %s, whole %s", len, got, whole);
		}
		enroll_sha256_init(&c);
		enroll_sha256_update(&c, buf, len);
		enroll_sha256_final(&c, prev);
		prev_len = ENROLL_SHA256_LENGTH;
	}
	check(pieces_agree, "every message fed in pieces of 0 to 69 bytes digests as fed whole");
	hex(prev, got);
	check(strcmp(got, "ed9efa88fc094a107fb17ff92aa75a221290b767882be10ce2d9f2861dc21863") == 0,
		  "the chain over every length 0-299 ends as hashlib's (%s)", got);
}

/*
 * The two compression functions on the same messages: every length 0-1029
 * (up to 16 blocks in one update) of bytes from a simple generator.
 */
static void
test_implementations_agree(void)
{
	unsigned char buf[1030];
	unsigned	seed = 12345u;
	int			agree = 1;

	for (size_t i = 0; i < sizeof(buf); i++)
	{
		seed = seed * 1103515245u + 12345u;
		buf[i] = (unsigned char) (seed >> 16);
	}
	for (size_t len = 0; len <= sizeof(buf); len++)
	{
		char		portable[2 * ENROLL_SHA256_LENGTH + 1];
		char		hardware[2 * ENROLL_SHA256_LENGTH + 1];

		enroll_sha256_hardware(0);
		digest_of(buf, len, portable);
		enroll_sha256_hardware(1);
		digest_of(buf, len, hardware);
		if (strcmp(portable, hardware) != 0)
		{
			agree = 0;
			check(0, "length %zu: portable %s, SHA extensions %s", len, portable, hardware);
		}
	}
	check(agree, "both compression functions give the same digest of every length 0-1030");
}

int
main(int argc, char **argv)
{
	check_start(argc, argv);

	/* every check through the portable compression function ... */
	check(enroll_sha256_hardware(0) == 0, "the portable compression function can be chosen");
	test_fips_examples();
	test_every_length();
	/* ... and again through the SHA extensions, where the processor has them */
	if (enroll_sha256_hardware(1))
	{
		printf("the processor has the SHA extensions: every check again through them\n");
		test_fips_examples();
		test_every_length();
		test_implementations_agree();
	}
	else
		printf("the processor has no SHA extensions: the portable function only\n");
	return check_done();
}
