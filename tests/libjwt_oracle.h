
/*
 * libjwt 1.10 as a second, independent implementation of JWS signature
 * verification, for the differential checks of tests/test_jwt.c and
 * tests/fuzz/fuzz_jwt.c.  Only those test binaries link -ljwt; the module
 * does not use libjwt (docs/design.md).
 *
 * The properties checked with it, for the algorithms libjwt 1.10 knows
 * (HS256/384/512, RS256/384/512, ES256/384/512; not PS* nor EdDSA):
 *   - a token the module accepts, libjwt accepts with the same key;
 *   - a token libjwt refuses for its signature, the module refuses.
 * The module is stricter in everything else (claims, strict base64url,
 * the key deciding the algorithm), so the converse of each does not hold.
 *
 * How libjwt is asked follows its traps (shared/notes/platform.md):
 *   - jwt_decode() without a key skips the signature and succeeds: it is
 *     called without one only to learn whether libjwt parses the token
 *     at all, which tells a refusal of the signature (parses without the
 *     key, refused with it) from any other refusal;
 *   - "alg":"none" is accepted without a key: never counted as accepted;
 *   - the token's header picks the algorithm: the caller gets it back and
 *     compares it with what it expects (after a decode without a key,
 *     jwt_get_alg() says "none": the header's "alg" is read instead);
 *   - it reads a C string: a token with a NUL byte is not given to it;
 *   - its base64 decoder skips invalid characters, and its header check
 *     refuses a "typ" other than "JWT" (any case): such differences are
 *     libjwt's, not the signature's, and fall in LIBJWT_ORACLE_UNPARSED.
 */


#ifndef _NGX_HTTP_TICKETING_LIBJWT_ORACLE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_LIBJWT_ORACLE_H_INCLUDED_


#include <stdlib.h>
#include <string.h>

#include <jwt.h>


typedef enum {
    /* parsed, and the signature verifies with the key */
    LIBJWT_ORACLE_ACCEPTS = 0,
    /* parsed without the key, refused with it: signature (or key) wrong */
    LIBJWT_ORACLE_BAD_SIGNATURE,
    /* not parsed (header, payload, typ, unknown algorithm, "none", NUL) */
    LIBJWT_ORACLE_UNPARSED,
    /* out of memory or another failure of the oracle itself */
    LIBJWT_ORACLE_ERROR
} libjwt_oracle_verdict_e;


/*
 * libjwt's verdict on "token" with "key" (an HMAC secret, or a public key
 * in PEM: what libjwt 1.10 takes); *alg receives the algorithm the
 * token's header chose (JWT_ALG_INVAL when it did not parse).
 */
static inline libjwt_oracle_verdict_e
libjwt_oracle(const unsigned char *token, size_t len,
    const unsigned char *key, size_t key_len, jwt_alg_t *alg)
{
    int                       rc;
    char                     *s;
    const char               *name;
    jwt_t                    *jwt;
    jwt_alg_t                 a;
    libjwt_oracle_verdict_e   v;

    *alg = JWT_ALG_INVAL;

    if (key == NULL || key_len == 0) {
        /* libjwt would skip the signature: never ask it that way */
        return LIBJWT_ORACLE_ERROR;
    }

    if (memchr(token, '\0', len) != NULL) {
        return LIBJWT_ORACLE_UNPARSED;
    }

    s = malloc(len + 1);
    if (s == NULL) {
        return LIBJWT_ORACLE_ERROR;
    }

    memcpy(s, token, len);
    s[len] = '\0';

    jwt = NULL;
    rc = jwt_decode(&jwt, s, NULL, 0);

    if (rc != 0) {
        free(s);
        return LIBJWT_ORACLE_UNPARSED;
    }

    /* without a key, jwt_get_alg() says "none": read the header itself */
    name = jwt_get_header(jwt, "alg");
    a = name != NULL ? jwt_str_alg(name) : JWT_ALG_INVAL;
    jwt_free(jwt);

    if (a == JWT_ALG_NONE || a == JWT_ALG_INVAL) {
        free(s);
        return LIBJWT_ORACLE_UNPARSED;
    }

    *alg = a;

    jwt = NULL;
    rc = jwt_decode(&jwt, s, key, (int) key_len);
    free(s);

    if (rc != 0) {
        return LIBJWT_ORACLE_BAD_SIGNATURE;
    }

    v = jwt_get_alg(jwt) == a ? LIBJWT_ORACLE_ACCEPTS : LIBJWT_ORACLE_ERROR;
    jwt_free(jwt);

    return v;
}


#endif /* _NGX_HTTP_TICKETING_LIBJWT_ORACLE_H_INCLUDED_ */
