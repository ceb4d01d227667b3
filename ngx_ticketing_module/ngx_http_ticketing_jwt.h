
/*
 * JSON Web Tokens: base64url, token splitting, keys (HMAC secrets, PEM
 * public keys, JWKS), signature verification with OpenSSL EVP on keys
 * loaded once, registered claim checks, claim-path lookup.
 *
 * Pure logic: this file includes no nginx header, so the unit tests and
 * the fuzzers link it without nginx.
 */


#ifndef _NGX_HTTP_TICKETING_JWT_H_INCLUDED_
#define _NGX_HTTP_TICKETING_JWT_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "ngx_http_ticketing_jwt_json.h"


/* algorithms, as bits: a key and a location each allow a set of them */
#define NGX_HTTP_TICKETING_JWT_HS256   0x0001
#define NGX_HTTP_TICKETING_JWT_HS384   0x0002
#define NGX_HTTP_TICKETING_JWT_HS512   0x0004
#define NGX_HTTP_TICKETING_JWT_RS256   0x0008
#define NGX_HTTP_TICKETING_JWT_RS384   0x0010
#define NGX_HTTP_TICKETING_JWT_RS512   0x0020
#define NGX_HTTP_TICKETING_JWT_ES256   0x0040
#define NGX_HTTP_TICKETING_JWT_ES384   0x0080
#define NGX_HTTP_TICKETING_JWT_ES512   0x0100
#define NGX_HTTP_TICKETING_JWT_PS256   0x0200
#define NGX_HTTP_TICKETING_JWT_PS384   0x0400
#define NGX_HTTP_TICKETING_JWT_PS512   0x0800
#define NGX_HTTP_TICKETING_JWT_EDDSA   0x1000

#define NGX_HTTP_TICKETING_JWT_HMAC_ALGS                                     \
    (NGX_HTTP_TICKETING_JWT_HS256 | NGX_HTTP_TICKETING_JWT_HS384             \
     | NGX_HTTP_TICKETING_JWT_HS512)
#define NGX_HTTP_TICKETING_JWT_RSA_ALGS                                      \
    (NGX_HTTP_TICKETING_JWT_RS256 | NGX_HTTP_TICKETING_JWT_RS384             \
     | NGX_HTTP_TICKETING_JWT_RS512 | NGX_HTTP_TICKETING_JWT_PS256           \
     | NGX_HTTP_TICKETING_JWT_PS384 | NGX_HTTP_TICKETING_JWT_PS512)
#define NGX_HTTP_TICKETING_JWT_ALL_ALGS  0x1fff
#define NGX_HTTP_TICKETING_JWT_NALGS     13

/*
 * HMAC secrets shorter than this are refused at configuration time; a
 * secret verifies only the HS algorithms whose hash is no longer than it
 * (RFC 7518 section 3.2): HS256 >= 32 bytes, HS384 >= 48, HS512 >= 64.
 */
#define NGX_HTTP_TICKETING_JWT_MIN_SECRET  32
#define NGX_HTTP_TICKETING_JWT_MIN_RSA     2048
#define NGX_HTTP_TICKETING_JWT_KID_SIZE    128
#define NGX_HTTP_TICKETING_JWT_ERR_SIZE    160
#define NGX_HTTP_TICKETING_JWT_MAX_JWKS    32

/* flags of ngx_http_ticketing_jwt_jwks() */
#define NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT  0x0001


typedef enum {
    NGX_HTTP_TICKETING_JWT_KEY_HMAC = 1,
    NGX_HTTP_TICKETING_JWT_KEY_RSA,
    NGX_HTTP_TICKETING_JWT_KEY_EC,
    NGX_HTTP_TICKETING_JWT_KEY_ED25519
} ngx_http_ticketing_jwt_key_type_e;


/* what a key keeps ready for verification (ngx_http_ticketing_jwt.c) */
typedef struct ngx_http_ticketing_jwt_ready_s  ngx_http_ticketing_jwt_ready_t;


typedef struct {
    ngx_http_ticketing_jwt_key_type_e  type;

    /* the algorithms this key verifies: its type, curve and JWK "alg" */
    unsigned                           algs;

    /* JWK "kid", NUL-terminated; kid_len 0: the key has none */
    char                               kid[NGX_HTTP_TICKETING_JWT_KID_SIZE];
    size_t                             kid_len;

    EVP_PKEY                          *pkey;       /* public keys */
    unsigned char                     *secret;     /* HMAC, malloc()ed */
    size_t                             secret_len;

    /*
     * Who the key is, for what is cached per identity: the SHA-256 of its
     * public key (DER, an EC point uncompressed), or an HMAC under the
     * secret, cut to NGX_HTTP_TICKETING_JSON_TAG_SIZE bytes.  The same key
     * gives the same id in every worker and instance; an id tells nothing
     * of a secret.
     */
    unsigned char                      id[NGX_HTTP_TICKETING_JSON_TAG_SIZE];

    /*
     * Contexts made on first use, freed with the key; shared by the
     * copies of the key struct like pkey.  NULL (a key not made by the
     * loaders): every verification makes its own.
     */
    ngx_http_ticketing_jwt_ready_t    *ready;
} ngx_http_ticketing_jwt_key_t;


typedef struct {
    const char                        *data;       /* NUL-terminated */
    size_t                             len;
} ngx_http_ticketing_jwt_str_t;


typedef struct {
    const ngx_http_ticketing_jwt_key_t  *keys;
    size_t                               nkeys;

    unsigned                             algs;     /* allowed here */
    size_t                               max_size; /* of the token */

    time_t                               now;
    time_t                               leeway;
    int                                  require_exp;

    /* allow-lists; none configured: not checked */
    const ngx_http_ticketing_jwt_str_t  *issuers;
    size_t                               nissuers;
    const ngx_http_ticketing_jwt_str_t  *audiences;
    size_t                               naudiences;

    /* the longest exp - iat and exp - now allowed; 0: not checked */
    time_t                               max_lifetime;
} ngx_http_ticketing_jwt_verify_t;


/*
 * Strict base64url (RFC 4648 section 5) without padding: any other
 * character, a length of 4n+1, or non-zero trailing bits is an error.
 * "out" holds at least len * 3 / 4 bytes.  Returns 0 or -1.
 */
int ngx_http_ticketing_jwt_b64url_decode(const unsigned char *in, size_t len,
    unsigned char *out, size_t *out_len);

/* splits "a.b.c" into its three parts; returns 0, or -1 unless 3 parts */
int ngx_http_ticketing_jwt_split(const unsigned char *token, size_t len,
    ngx_http_ticketing_jwt_str_t parts[3]);

/* "HS256" -> NGX_HTTP_TICKETING_JWT_HS256; 0 for unknown (and "none") */
unsigned ngx_http_ticketing_jwt_alg(const char *name, size_t len);
const char *ngx_http_ticketing_jwt_alg_name(unsigned alg);

/*
 * Keys.  Each loader fills *key and returns 0, or writes what is wrong to
 * err (NUL-terminated) and returns -1.  Free with ..._key_free().
 *
 * _key_hmac: a secret of at least NGX_HTTP_TICKETING_JWT_MIN_SECRET bytes
 * that is not a PEM document.  _key_pem: a PEM file with a public key and
 * no private key.  Both refuse an RSA key under 2048 bits or with the ROCA
 * fingerprint.
 */
int ngx_http_ticketing_jwt_key_hmac(ngx_http_ticketing_jwt_key_t *key,
    const unsigned char *secret, size_t len, char *err, size_t err_size);
int ngx_http_ticketing_jwt_key_pem(ngx_http_ticketing_jwt_key_t *key,
    const unsigned char *pem, size_t len, char *err, size_t err_size);

/*
 * A JWKS document (RFC 7517): fills up to "max" keys, *n of them.  Keys
 * whose "use" is not "sig", or whose "key_ops" lacks "verify", are skipped.
 * A key with private key material ("d", "p", ...) fails the whole set, and
 * so do "oct" secrets next to public keys unless "flags" has
 * NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT.  On error, no key is left to free.
 */
int ngx_http_ticketing_jwt_jwks(const unsigned char *json, size_t len,
    ngx_http_ticketing_jwt_key_t *keys, size_t max, size_t *n,
    unsigned flags, char *err, size_t err_size);

/*
 * Whether an RSA modulus has the ROCA fingerprint (CVE-2017-15361, Nemec
 * et al., CCS 2017): for each small prime p of the paper, n mod p lies in
 * the multiplicative subgroup generated by 65537 mod p.  Returns 1 (it
 * has), 0 (it has not) or -1 (error).
 */
int ngx_http_ticketing_jwt_roca(const BIGNUM *n);

void ngx_http_ticketing_jwt_key_free(ngx_http_ticketing_jwt_key_t *key);

/* what a verification found: OK, or why the token is refused */
typedef enum {
    NGX_HTTP_TICKETING_JWT_OK = 0,
    NGX_HTTP_TICKETING_JWT_TOO_LARGE,
    NGX_HTTP_TICKETING_JWT_EMPTY,
    NGX_HTTP_TICKETING_JWT_NOT_THREE_PARTS,
    NGX_HTTP_TICKETING_JWT_EMPTY_SIGNATURE,
    NGX_HTTP_TICKETING_JWT_NO_MEMORY,
    NGX_HTTP_TICKETING_JWT_BAD_HEADER,
    NGX_HTTP_TICKETING_JWT_NO_ALG,
    NGX_HTTP_TICKETING_JWT_ALG_UNSUPPORTED,
    NGX_HTTP_TICKETING_JWT_ALG_NOT_ALLOWED,
    NGX_HTTP_TICKETING_JWT_CRIT,
    NGX_HTTP_TICKETING_JWT_KID_NOT_STRING,
    NGX_HTTP_TICKETING_JWT_BAD_SIGNATURE_ENCODING,
    NGX_HTTP_TICKETING_JWT_UNKNOWN_KID,
    NGX_HTTP_TICKETING_JWT_ALG_NOT_THE_KEYS,
    NGX_HTTP_TICKETING_JWT_BAD_SIGNATURE,
    NGX_HTTP_TICKETING_JWT_BAD_PAYLOAD,
    NGX_HTTP_TICKETING_JWT_EXP_NOT_NUMBER,
    NGX_HTTP_TICKETING_JWT_NO_EXP,
    NGX_HTTP_TICKETING_JWT_EXPIRED,
    NGX_HTTP_TICKETING_JWT_NBF_NOT_NUMBER,
    NGX_HTTP_TICKETING_JWT_NOT_YET_VALID,
    NGX_HTTP_TICKETING_JWT_IAT_NOT_NUMBER,
    NGX_HTTP_TICKETING_JWT_IAT_FUTURE,
    NGX_HTTP_TICKETING_JWT_LIFETIME,
    NGX_HTTP_TICKETING_JWT_EXP_TOO_FAR,
    NGX_HTTP_TICKETING_JWT_ISSUER,
    NGX_HTTP_TICKETING_JWT_AUDIENCE,
    NGX_HTTP_TICKETING_JWT_NOUTCOMES
} ngx_http_ticketing_jwt_rc_e;

/*
 * Verifies a compact JWS: size, structure, header, algorithm pinning, key
 * selection by "kid", signature, then the registered claims.  On success
 * returns NGX_HTTP_TICKETING_JWT_OK and the claims (a document with one
 * reference: ngx_http_ticketing_json_unref() it; its tag is the id of the
 * key that verified them); otherwise why it refused.
 */
ngx_http_ticketing_jwt_rc_e ngx_http_ticketing_jwt_verify(
    const unsigned char *token, size_t len,
    const ngx_http_ticketing_jwt_verify_t *vf,
    ngx_http_ticketing_json_doc_t **claims);

/* the outcome in words, safe to show to the client (never the token) */
const char *ngx_http_ticketing_jwt_message(ngx_http_ticketing_jwt_rc_e rc);

/*
 * Claim paths: dot-separated names, or bracketed quoted names that may
 * contain dots: realm_access.roles, resource_access["ticketing-mas"].roles,
 * ["https://example.com/roles"].  ..._path_valid() returns 0 for a valid
 * path; ..._claim() returns the value in "claims" (an object) or NULL.
 */
int ngx_http_ticketing_jwt_path_valid(const char *path, size_t len);
const ngx_http_ticketing_json_t *ngx_http_ticketing_jwt_claim(
    const ngx_http_ticketing_json_t *claims, const char *path, size_t len);

/*
 * Whether a claim value holds "value": an array with that string, or a
 * string equal to it or with it as one of its space-separated words (the
 * "scope" claim).  Returns 1 or 0.
 */
int ngx_http_ticketing_jwt_has(const ngx_http_ticketing_json_t *claim,
    const char *value, size_t len);

/* the same, with "eq" (returns 1 for equal) comparing each candidate */
typedef int (*ngx_http_ticketing_jwt_eq_pt)(const char *a, size_t alen,
    const char *b, size_t blen);

int ngx_http_ticketing_jwt_has_by(const ngx_http_ticketing_json_t *claim,
    const char *value, size_t len, ngx_http_ticketing_jwt_eq_pt eq);


#endif /* _NGX_HTTP_TICKETING_JWT_H_INCLUDED_ */
