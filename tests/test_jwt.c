
/*
 * Unit tests of the JWT logic (ngx_http_ticketing_jwt.c): base64url,
 * splitting, algorithm names, claim paths, key loading (HMAC, PEM, JWKS),
 * algorithm pinning, signatures of every family and the registered claims.
 *
 * Tokens are built here: HMAC with OpenSSL's HMAC(), the others with keys
 * generated at run time and signed with EVP.  libjwt 1.10 is the second,
 * independent verifier of the differential test (tests/libjwt_oracle.h).
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "ngx_http_ticketing_jwt.h"
#include "ngx_http_ticketing_jwt_cache.h"
#include "libjwt_oracle.h"
#include "jwt_json_oracle.h"


#define NOW      1800000000
#define SECRET   "0123456789abcdef0123456789abcdef"
/* 64 bytes: long enough for HS512 */
#define SECRET64 SECRET SECRET
#define TOKEN_MAX  8192
/* a 32-byte HMAC secret, base64url */
#define K32      "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"


typedef ngx_http_ticketing_jwt_key_t     key_t_;
typedef ngx_http_ticketing_jwt_verify_t  verify_t;


/* ---------------------------------------------------------------------- */
/* helpers                                                                 */


static size_t
b64url(const unsigned char *in, size_t len, char *out)
{
    static const char  a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "abcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t        i, n;
    unsigned int  v;

    n = 0;

    for (i = 0; i + 2 < len; i += 3) {
        v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
        out[n++] = a[(v >> 18) & 63];
        out[n++] = a[(v >> 12) & 63];
        out[n++] = a[(v >> 6) & 63];
        out[n++] = a[v & 63];
    }

    if (len - i == 1) {
        v = in[i] << 16;
        out[n++] = a[(v >> 18) & 63];
        out[n++] = a[(v >> 12) & 63];

    } else if (len - i == 2) {
        v = (in[i] << 16) | (in[i + 1] << 8);
        out[n++] = a[(v >> 18) & 63];
        out[n++] = a[(v >> 12) & 63];
        out[n++] = a[(v >> 6) & 63];
    }

    out[n] = '\0';

    return n;
}


/* "header.payload" of two JSON texts, into out; returns its length */
static size_t
signing_input(const char *header, const char *payload, char *out)
{
    size_t  n;

    n = b64url((const unsigned char *) header, strlen(header), out);
    out[n++] = '.';
    n += b64url((const unsigned char *) payload, strlen(payload), out + n);

    return n;
}


static void
append_sig(char *token, size_t n, const unsigned char *sig, size_t len)
{
    token[n++] = '.';
    b64url(sig, len, token + n);
}


static void
hs_token(const char *alg_md, const void *secret, size_t secret_len,
    const char *header, const char *payload, char *token)
{
    size_t         n;
    unsigned int   len;
    unsigned char  mac[EVP_MAX_MD_SIZE];

    n = signing_input(header, payload, token);
    assert_non_null(HMAC(EVP_get_digestbyname(alg_md), secret,
                         (int) secret_len, (unsigned char *) token, n, mac,
                         &len));
    append_sig(token, n, mac, len);
}


/* EVP signature of the signing input; ECDSA converted to r || s */
static void
pk_token(EVP_PKEY *pkey, const char *md, int pss, size_t ec_half,
    const char *header, const char *payload, char *token)
{
    size_t               n, slen;
    EVP_MD_CTX          *ctx;
    EVP_PKEY_CTX        *pctx;
    const BIGNUM        *r, *s;
    ECDSA_SIG           *es;
    unsigned char        sig[1024], raw[132];
    const unsigned char *p;

    n = signing_input(header, payload, token);

    ctx = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(ctx, &pctx,
                                        md ? EVP_get_digestbyname(md) : NULL,
                                        NULL, pkey), 1);
    if (pss) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }

    slen = sizeof(sig);
    assert_int_equal(EVP_DigestSign(ctx, sig, &slen,
                                    (unsigned char *) token, n), 1);
    EVP_MD_CTX_free(ctx);

    if (ec_half) {
        p = sig;
        es = d2i_ECDSA_SIG(NULL, &p, (long) slen);
        assert_non_null(es);
        ECDSA_SIG_get0(es, &r, &s);
        BN_bn2binpad(r, raw, (int) ec_half);
        BN_bn2binpad(s, raw + ec_half, (int) ec_half);
        ECDSA_SIG_free(es);
        append_sig(token, n, raw, 2 * ec_half);
        return;
    }

    append_sig(token, n, sig, slen);
}


static void
pub_pem(EVP_PKEY *pkey, char *out, size_t size)
{
    BIO     *bio;
    size_t   n;

    bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PUBKEY(bio, pkey), 1);
    n = (size_t) BIO_read(bio, out, (int) size - 1);
    out[n] = '\0';
    BIO_free(bio);
}


static void
vf_init(verify_t *vf, const key_t_ *keys, size_t n)
{
    memset(vf, 0, sizeof(*vf));
    vf->keys = keys;
    vf->nkeys = n;
    vf->algs = NGX_HTTP_TICKETING_JWT_ALL_ALGS;
    vf->max_size = TOKEN_MAX;
    vf->now = NOW;
    vf->leeway = 30;
    vf->require_exp = 1;
}


/* verifies; returns NULL on success, else the reason */
static const char *
check(const char *token, const verify_t *vf)
{
    ngx_http_ticketing_jwt_rc_e     rc;
    ngx_http_ticketing_json_doc_t  *claims;

    rc = ngx_http_ticketing_jwt_verify((const unsigned char *) token,
                                       strlen(token), vf, &claims);

    if (rc == NGX_HTTP_TICKETING_JWT_OK) {
        assert_non_null(claims);
        ngx_http_ticketing_json_unref(claims);
        return NULL;
    }

    assert_null(claims);
    assert_true(rc < NGX_HTTP_TICKETING_JWT_NOUTCOMES);

    return ngx_http_ticketing_jwt_message(rc);
}


static const char  *HS256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
static const char  *GOOD = "{\"sub\":\"alice\",\"exp\":1800003600}";


/* ---------------------------------------------------------------------- */
/* base64url, split, algorithm names                                       */


static void
test_b64url(void **state)
{
    size_t         n;
    unsigned char  out[16];

    (void) state;

#define DEC(s) ngx_http_ticketing_jwt_b64url_decode((const unsigned char *) s, \
                                                    strlen(s), out, &n)

    assert_int_equal(DEC(""), 0);
    assert_int_equal(n, 0);
    assert_int_equal(DEC("Zg"), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(out, "f", 1);
    assert_int_equal(DEC("Zm8"), 0);
    assert_memory_equal(out, "fo", 2);
    assert_int_equal(DEC("Zm9v"), 0);
    assert_int_equal(n, 3);
    assert_int_equal(DEC("-_-_"), 0);
    assert_int_equal(out[0], 0xfb);

    assert_int_equal(DEC("Zg=="), -1);       /* padding */
    assert_int_equal(DEC("Zm9v+"), -1);      /* 4n+1 and standard alphabet */
    assert_int_equal(DEC("+/+/"), -1);
    assert_int_equal(DEC("Zm 9"), -1);
    assert_int_equal(DEC("Z"), -1);
    assert_int_equal(DEC("Zh"), -1);         /* non-zero trailing bits */
    assert_int_equal(DEC("Zm9"), -1);

#undef DEC
}


static void
test_split(void **state)
{
    ngx_http_ticketing_jwt_str_t  p[3];

    (void) state;

#define SPLIT(s) ngx_http_ticketing_jwt_split((const unsigned char *) s, \
                                              strlen(s), p)

    assert_int_equal(SPLIT("aa.bbb.c"), 0);
    assert_int_equal(p[0].len, 2);
    assert_int_equal(p[1].len, 3);
    assert_int_equal(p[2].len, 1);
    assert_memory_equal(p[2].data, "c", 1);
    assert_int_equal(SPLIT(".."), 0);
    assert_int_equal(p[2].len, 0);
    assert_int_equal(SPLIT("a.b"), -1);
    assert_int_equal(SPLIT("abc"), -1);
    assert_int_equal(SPLIT("a.b.c.d"), -1);
    assert_int_equal(SPLIT("..."), -1);

#undef SPLIT
}


static void
test_alg_names(void **state)
{
    (void) state;

    assert_int_equal(ngx_http_ticketing_jwt_alg("HS256", 5),
                     NGX_HTTP_TICKETING_JWT_HS256);
    assert_int_equal(ngx_http_ticketing_jwt_alg("EdDSA", 5),
                     NGX_HTTP_TICKETING_JWT_EDDSA);
    assert_int_equal(ngx_http_ticketing_jwt_alg("none", 4), 0);
    assert_int_equal(ngx_http_ticketing_jwt_alg("hs256", 5), 0);
    assert_int_equal(ngx_http_ticketing_jwt_alg("HS2560", 6), 0);
    assert_int_equal(ngx_http_ticketing_jwt_alg("HS25", 4), 0);
    assert_string_equal(ngx_http_ticketing_jwt_alg_name(
                            NGX_HTTP_TICKETING_JWT_ES384), "ES384");
}


/* ---------------------------------------------------------------------- */
/* claim paths                                                              */


/* a JSON document for a test: parsed as the module parses a payload */
static ngx_http_ticketing_json_doc_t *
doc_of(const char *json)
{
    ngx_http_ticketing_json_doc_t  *doc;

    doc = ngx_http_ticketing_json_load(json, strlen(json));
    assert_non_null(doc);

    return doc;
}


/* whether a value is the string "s" */
static int
is_string(const ngx_http_ticketing_json_t *v, const char *s)
{
    return ngx_http_ticketing_json_is(v, STRING) && v->len == strlen(s)
           && memcmp(v->str, s, v->len) == 0;
}


static void
test_claim_paths(void **state)
{
    const ngx_http_ticketing_json_t  *c, *v;
    ngx_http_ticketing_json_doc_t    *doc;

    (void) state;

#define VALID(s) ngx_http_ticketing_jwt_path_valid(s, strlen(s))

    assert_int_equal(VALID("scope"), 0);
    assert_int_equal(VALID("realm_access.roles"), 0);
    assert_int_equal(VALID("resource_access[\"ticketing-mas\"].roles"), 0);
    assert_int_equal(VALID("[\"https://x.example/roles\"]"), 0);
    assert_int_equal(VALID("a[\"b\"][\"c.d\"]"), 0);
    assert_int_equal(VALID(""), -1);
    assert_int_equal(VALID("a..b"), -1);
    assert_int_equal(VALID(".a"), -1);
    assert_int_equal(VALID("a."), -1);
    assert_int_equal(VALID("a[b]"), -1);
    assert_int_equal(VALID("a[\"\"]"), -1);
    assert_int_equal(VALID("a[\"b\""), -1);
    assert_int_equal(VALID("a[\"b\"]c"), -1);
    assert_int_equal(VALID("a\"b"), -1);

#undef VALID

    doc = doc_of("{\"realm_access\":{\"roles\":[\"r1\",\"r2\"]},"
                   "\"resource_access\":{\"ticketing-mas\":{\"roles\":"
                   "[\"ticketing.access.allowed\"]}},"
                   "\"https://x.example/roles\":[\"x\"],"
                   "\"a.b\":\"dotted\",\"a\":{\"b\":\"nested\"},"
                   "\"scope\":\"openid  p1 p2\",\"n\":5}");
    c = doc->values;

#define CLAIM(s) ngx_http_ticketing_jwt_claim(c, s, strlen(s))

    v = CLAIM("realm_access.roles");
    assert_true(ngx_http_ticketing_json_is(v, ARRAY));
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "r2", 2), 1);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "r", 1), 0);

    v = CLAIM("resource_access[\"ticketing-mas\"].roles");
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "ticketing.access.allowed",
                                                24), 1);

    assert_true(is_string(CLAIM("[\"a.b\"]"), "dotted"));
    assert_true(is_string(CLAIM("a.b"), "nested"));
    assert_true(is_string(CLAIM("a[\"b\"]"), "nested"));
    assert_null(CLAIM("a.b.c"));
    assert_null(CLAIM("realm_access.roles[\"r1\"]"));
    assert_non_null(CLAIM("[\"https://x.example/roles\"]"));
    assert_null(CLAIM("realm_access.nope"));
    assert_null(CLAIM("scope.x"));
    assert_null(CLAIM("n.x"));
    assert_null(CLAIM("realm_access.roles.x"));

    v = CLAIM("scope");
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "p1", 2), 1);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "p2", 2), 1);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "openid", 6), 1);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "p", 1), 0);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "p1 p2", 5), 0);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "", 0), 0);
    assert_int_equal(ngx_http_ticketing_jwt_has(CLAIM("n"), "5", 1), 0);

#undef CLAIM

    ngx_http_ticketing_json_unref(doc);
}


/* ---------------------------------------------------------------------- */
/* keys                                                                    */


static void
test_key_loading(void **state)
{
    key_t_     key, keys[4];
    size_t     n;
    char       err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], pem[4096];
    EVP_PKEY  *pkey;

    (void) state;

    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&key,
                         (const unsigned char *) "short", 5, err,
                         sizeof(err)), -1);
    assert_non_null(strstr(err, "shorter"));
    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&key,
                         (const unsigned char *) SECRET, 32, err,
                         sizeof(err)), 0);
    assert_int_equal(key.algs, NGX_HTTP_TICKETING_JWT_HS256);
    ngx_http_ticketing_jwt_key_free(&key);

    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (const unsigned char *) "garbage", 7, err,
                         sizeof(err)), -1);

    /* a short RSA key is refused */
    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 1024);
    assert_non_null(pkey);
    pub_pem(pkey, pem, sizeof(pem));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), -1);
    assert_non_null(strstr(err, "2048"));
    EVP_PKEY_free(pkey);

    /* an EC P-384 key verifies ES384 only */
    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    pub_pem(pkey, pem, sizeof(pem));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), 0);
    assert_int_equal(key.algs, NGX_HTTP_TICKETING_JWT_ES384);
    ngx_http_ticketing_jwt_key_free(&key);
    EVP_PKEY_free(pkey);

    /* JWKS: errors, "use":"enc" skipped, "alg" narrowing */
#define JWKS(s) ngx_http_ticketing_jwt_jwks((const unsigned char *) s, \
                                            strlen(s), keys, 4, &n, 0, err, \
                                            sizeof(err))

    assert_int_equal(JWKS("not json"), -1);
    assert_int_equal(JWKS("[]"), -1);
    assert_int_equal(JWKS("{\"keys\":[]}"), -1);
    assert_int_equal(JWKS("{\"keys\":[1]}"), -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"XX\"}]}"), -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
                          "\"x\":\"AA\",\"y\":\"AA\"}]}"), -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\"}]}"), -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2hvcnQ\"}]}"),
                     -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"oct\",\"use\":\"enc\","
                          "\"k\":\"" K32 "\"}"
                          "]}"), -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"oct\",\"alg\":\"RS256\","
                          "\"k\":\"" K32 "\"}"
                          "]}"), -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS256\","
                          "\"kid\":\"k1\","
                          "\"k\":\"" K32 "\"},"
                          "{\"kty\":\"oct\",\"use\":\"enc\",\"k\":\"AA\"}]}"),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(keys[0].algs, NGX_HTTP_TICKETING_JWT_HS256);
    assert_string_equal(keys[0].kid, "k1");
    assert_int_equal(keys[0].secret_len, 32);
    ngx_http_ticketing_jwt_key_free(&keys[0]);

#undef JWKS
}


/*
 * A key's id, what per-identity cache entries are bound to: the same key
 * gives the same id however it is loaded (a file, a JWKS), another key
 * another id; a secret's id is not the secret; a verification tags the
 * claims with the id of the key that verified them.
 */
static void
test_key_ids(void **state)
{
    key_t_                          a, b, keys[2];
    char                            err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];
    char                            pem1[4096], pem2[4096], t[TOKEN_MAX];
    size_t                          n;
    verify_t                        vf;
    EVP_PKEY                       *p1, *p2;
    ngx_http_ticketing_json_doc_t  *claims;

    (void) state;

    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&a,
                         (const unsigned char *) SECRET, 32, err,
                         sizeof(err)), 0);
    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&b,
                         (const unsigned char *) SECRET, 32, err,
                         sizeof(err)), 0);
    assert_memory_equal(a.id, b.id, sizeof(a.id));
    assert_memory_not_equal(a.id, SECRET, sizeof(a.id));
    ngx_http_ticketing_jwt_key_free(&b);

    /* the same secret as a JWKS "oct" key (K32 is SECRET) */
    assert_int_equal(ngx_http_ticketing_jwt_jwks((const unsigned char *)
                         "{\"keys\":[{\"kty\":\"oct\",\"k\":\"" K32 "\"}]}",
                         strlen("{\"keys\":[{\"kty\":\"oct\",\"k\":\"" K32
                                "\"}]}"),
                         keys, 2, &n, 0, err, sizeof(err)), 0);
    assert_memory_equal(keys[0].id, a.id, sizeof(a.id));
    ngx_http_ticketing_jwt_key_free(&keys[0]);

    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&b,
                         (const unsigned char *) SECRET64, 64, err,
                         sizeof(err)), 0);
    assert_memory_not_equal(a.id, b.id, sizeof(a.id));

    /* the claims carry the id of the key that verified them */
    vf_init(&vf, &b, 1);
    hs_token("SHA256", SECRET64, 64, HS256, GOOD, t);
    assert_int_equal(ngx_http_ticketing_jwt_verify((const unsigned char *) t,
                                                   strlen(t), &vf, &claims),
                     NGX_HTTP_TICKETING_JWT_OK);
    assert_memory_equal(claims->tag, b.id, sizeof(b.id));
    ngx_http_ticketing_json_unref(claims);
    ngx_http_ticketing_jwt_key_free(&b);

    /* public keys: by their DER; two keys of one kind differ */
    p1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    p2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(p1);
    assert_non_null(p2);
    pub_pem(p1, pem1, sizeof(pem1));
    pub_pem(p2, pem2, sizeof(pem2));

    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&b,
                         (unsigned char *) pem1, strlen(pem1), err,
                         sizeof(err)), 0);
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&keys[0],
                         (unsigned char *) pem1, strlen(pem1), err,
                         sizeof(err)), 0);
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&keys[1],
                         (unsigned char *) pem2, strlen(pem2), err,
                         sizeof(err)), 0);
    assert_memory_equal(b.id, keys[0].id, sizeof(b.id));
    assert_memory_not_equal(b.id, keys[1].id, sizeof(b.id));
    assert_memory_not_equal(b.id, a.id, sizeof(b.id));
    ngx_http_ticketing_jwt_key_free(&keys[0]);

    /* the same EC key with its point written compressed: the same id */
    assert_int_equal(EVP_PKEY_set_utf8_string_param(p1,
                         OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                         OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED),
                     1);
    pub_pem(p1, pem2, sizeof(pem2));
    assert_true(strcmp(pem1, pem2) != 0);
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&keys[0],
                         (unsigned char *) pem2, strlen(pem2), err,
                         sizeof(err)), 0);
    assert_memory_equal(b.id, keys[0].id, sizeof(b.id));

    ngx_http_ticketing_jwt_key_free(&a);
    ngx_http_ticketing_jwt_key_free(&b);
    ngx_http_ticketing_jwt_key_free(&keys[0]);
    ngx_http_ticketing_jwt_key_free(&keys[1]);
    EVP_PKEY_free(p1);
    EVP_PKEY_free(p2);
}


/* ---------------------------------------------------------------------- */
/* verification                                                            */


static void
test_hmac_tokens(void **state)
{
    key_t_    key;
    char      err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], t[TOKEN_MAX], *p;
    verify_t  vf;

    (void) state;

    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&key,
                         (const unsigned char *) SECRET64, 64, err,
                         sizeof(err)), 0);
    vf_init(&vf, &key, 1);

    hs_token("SHA256", SECRET64, 64, HS256, GOOD, t);
    assert_null(check(t, &vf));

    hs_token("SHA512", SECRET64, 64, "{\"alg\":\"HS512\"}", GOOD, t);
    assert_null(check(t, &vf));

    /* the header says HS512, the MAC is HS256 */
    hs_token("SHA256", SECRET64, 64, "{\"alg\":\"HS512\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    hs_token("SHA256", SECRET "wrong-secret-wrong-secret-wrong-s", 64,
             HS256, GOOD, t);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    /* a tampered payload */
    hs_token("SHA256", SECRET64, 64, HS256, GOOD, t);
    p = strchr(t, '.') + 1;
    p[3] ^= 1;
    assert_non_null(check(t, &vf));

    /* the algorithm pinned by the location */
    hs_token("SHA256", SECRET64, 64, HS256, GOOD, t);
    vf.algs = NGX_HTTP_TICKETING_JWT_RS256 | NGX_HTTP_TICKETING_JWT_HS512;
    assert_string_equal(check(t, &vf), "token algorithm is not allowed here");
    vf.algs = NGX_HTTP_TICKETING_JWT_ALL_ALGS;

    /* alg none, empty signature */
    signing_input("{\"alg\":\"none\"}", GOOD, t);
    strcat(t, ".");
    assert_string_equal(check(t, &vf), "token has an empty signature");
    strcat(t, "AAAA");
    assert_string_equal(check(t, &vf), "token algorithm is not supported");

    hs_token("SHA256", SECRET64, 64, HS256, GOOD, t);
    *(strrchr(t, '.') + 1) = '\0';
    assert_string_equal(check(t, &vf), "token has an empty signature");

    /* crit, kid of the wrong type, no alg */
    hs_token("SHA256", SECRET64, 64, "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}",
             GOOD, t);
    assert_non_null(strstr(check(t, &vf), "crit"));
    hs_token("SHA256", SECRET64, 64, "{\"alg\":\"HS256\",\"kid\":5}", GOOD, t);
    assert_non_null(strstr(check(t, &vf), "kid"));
    hs_token("SHA256", SECRET64, 64, "{\"typ\":\"JWT\"}", GOOD, t);
    assert_non_null(strstr(check(t, &vf), "alg"));

    /* a kid on the token, none on the key: the key still applies */
    hs_token("SHA256", SECRET64, 64, "{\"alg\":\"HS256\",\"kid\":\"x\"}", GOOD,
             t);
    assert_null(check(t, &vf));

    /* size limit, checked first */
    hs_token("SHA256", SECRET64, 64, HS256, GOOD, t);
    vf.max_size = strlen(t) - 1;
    assert_string_equal(check(t, &vf), "token is too large");
    vf.max_size = TOKEN_MAX;

    ngx_http_ticketing_jwt_key_free(&key);
}


static void
test_time_claims(void **state)
{
    key_t_    key;
    char      err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], t[TOKEN_MAX];
    verify_t  vf;

    (void) state;

    ngx_http_ticketing_jwt_key_hmac(&key, (const unsigned char *) SECRET, 32,
                                    err, sizeof(err));
    vf_init(&vf, &key, 1);

#define TOK(payload) hs_token("SHA256", SECRET, 32, HS256, payload, t)

    TOK("{\"exp\":1799999999}");              /* 1 s ago: within leeway */
    assert_null(check(t, &vf));
    TOK("{\"exp\":1799999970}");              /* exactly leeway ago */
    assert_string_equal(check(t, &vf), "token has expired");
    vf.leeway = 0;
    TOK("{\"exp\":1800000000}");              /* exp == now */
    assert_string_equal(check(t, &vf), "token has expired");
    TOK("{\"exp\":1800000001}");
    assert_null(check(t, &vf));
    vf.leeway = 30;

    TOK("{\"exp\":\"1900000000\"}");
    assert_string_equal(check(t, &vf), "claim \"exp\" is not a number");
    TOK("{\"exp\":1900000000.5}");
    assert_null(check(t, &vf));

    TOK("{}");
    assert_string_equal(check(t, &vf), "token has no \"exp\" claim");
    vf.require_exp = 0;
    assert_null(check(t, &vf));
    vf.require_exp = 1;

    TOK("{\"exp\":1900000000,\"nbf\":1800000031}");
    assert_string_equal(check(t, &vf), "token is not valid yet (nbf)");
    TOK("{\"exp\":1900000000,\"nbf\":1800000030}");
    assert_null(check(t, &vf));
    TOK("{\"exp\":1900000000,\"iat\":1800000031}");
    assert_string_equal(check(t, &vf), "token was issued in the future (iat)");
    TOK("{\"exp\":1900000000,\"iat\":null}");
    assert_string_equal(check(t, &vf), "claim \"iat\" is not a number");

#undef TOK

    ngx_http_ticketing_jwt_key_free(&key);
}


static void
test_iss_aud(void **state)
{
    key_t_                        key;
    char                          err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];
    char                          t[TOKEN_MAX];
    verify_t                      vf;
    ngx_http_ticketing_jwt_str_t  iss[] = { { "https://a", 9 },
                                            { "https://b", 9 } };
    ngx_http_ticketing_jwt_str_t  aud[] = { { "ticketing", 9 } };

    (void) state;

    ngx_http_ticketing_jwt_key_hmac(&key, (const unsigned char *) SECRET, 32,
                                    err, sizeof(err));
    vf_init(&vf, &key, 1);
    vf.issuers = iss;
    vf.nissuers = 2;
    vf.audiences = aud;
    vf.naudiences = 1;

#define TOK(payload) hs_token("SHA256", SECRET, 32, HS256, payload, t)

    TOK("{\"exp\":1900000000,\"iss\":\"https://b\",\"aud\":\"ticketing\"}");
    assert_null(check(t, &vf));
    TOK("{\"exp\":1900000000,\"iss\":\"https://a\","
        "\"aud\":[\"x\",\"ticketing\"]}");
    assert_null(check(t, &vf));
    TOK("{\"exp\":1900000000,\"iss\":\"https://c\",\"aud\":\"ticketing\"}");
    assert_string_equal(check(t, &vf), "token issuer (iss) is not accepted");
    TOK("{\"exp\":1900000000,\"iss\":\"https://a/\",\"aud\":\"ticketing\"}");
    assert_string_equal(check(t, &vf), "token issuer (iss) is not accepted");
    TOK("{\"exp\":1900000000,\"aud\":\"ticketing\"}");
    assert_string_equal(check(t, &vf), "token issuer (iss) is not accepted");
    TOK("{\"exp\":1900000000,\"iss\":\"https://a\",\"aud\":\"ticketing2\"}");
    assert_string_equal(check(t, &vf), "token audience (aud) is not accepted");
    TOK("{\"exp\":1900000000,\"iss\":\"https://a\",\"aud\":[]}");
    assert_string_equal(check(t, &vf), "token audience (aud) is not accepted");
    TOK("{\"exp\":1900000000,\"iss\":\"https://a\"}");
    assert_string_equal(check(t, &vf), "token audience (aud) is not accepted");

#undef TOK

    ngx_http_ticketing_jwt_key_free(&key);
}


static void
test_public_keys(void **state)
{
    int        i;
    char      *dot;
    size_t     sig_len;
    key_t_     keys[4];
    char       err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], pem[4096], t[TOKEN_MAX];
    u_char     sig[512];
    verify_t   vf;
    EVP_PKEY  *rsa, *ec, *ed;

    (void) state;

    rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    assert_non_null(rsa);
    assert_non_null(ec);
    assert_non_null(ed);

    pub_pem(rsa, pem, sizeof(pem));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&keys[0],
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), 0);
    vf_init(&vf, keys, 1);

    pk_token(rsa, "SHA256", 0, 0, "{\"alg\":\"RS256\"}", GOOD, t);
    assert_null(check(t, &vf));
    pk_token(rsa, "SHA512", 0, 0, "{\"alg\":\"RS512\"}", GOOD, t);
    assert_null(check(t, &vf));
    pk_token(rsa, "SHA256", 1, 0, "{\"alg\":\"PS256\"}", GOOD, t);
    assert_null(check(t, &vf));

    /* PKCS#1 v1.5 signature presented as PSS, and the reverse */
    pk_token(rsa, "SHA256", 0, 0, "{\"alg\":\"PS256\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token signature is invalid");
    pk_token(rsa, "SHA256", 1, 0, "{\"alg\":\"RS256\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    /*
     * A PSS signature whose first byte is zero, that byte dropped: RFC
     * 8017 wants the modulus' length; one token, one spelling
     */
    for (i = 0; i < 4000; i++) {
        pk_token(rsa, "SHA256", 1, 0, "{\"alg\":\"PS256\"}", GOOD, t);
        dot = strrchr(t, '.');
        assert_int_equal(ngx_http_ticketing_jwt_b64url_decode(
                             (const u_char *) dot + 1, strlen(dot + 1),
                             sig, &sig_len), 0);
        assert_int_equal(sig_len, 256);

        if (sig[0] == 0) {
            break;
        }
    }

    assert_true(i < 4000);
    assert_null(check(t, &vf));
    append_sig(t, (size_t) (dot - t), sig + 1, 255);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    /* algorithm confusion: HS256 MACed with the PEM text */
    hs_token("SHA256", pem, strlen(pem), HS256, GOOD, t);
    assert_string_equal(check(t, &vf), "token algorithm does not fit the key");

    /* kid on the key: an unknown one on the token is refused */
    strcpy(keys[0].kid, "r1");
    keys[0].kid_len = 2;
    pk_token(rsa, "SHA256", 0, 0, "{\"alg\":\"RS256\",\"kid\":\"r2\"}", GOOD,
             t);
    assert_string_equal(check(t, &vf), "token key id (kid) is unknown");
    pk_token(rsa, "SHA256", 0, 0, "{\"alg\":\"RS256\",\"kid\":\"r1\"}", GOOD,
             t);
    assert_null(check(t, &vf));
    pk_token(rsa, "SHA256", 0, 0, "{\"alg\":\"RS256\"}", GOOD, t);
    assert_null(check(t, &vf));

    /* EC and Ed25519 next to RSA: each key verifies its own family */
    pub_pem(ec, pem, sizeof(pem));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&keys[1],
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), 0);
    pub_pem(ed, pem, sizeof(pem));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&keys[2],
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), 0);
    vf_init(&vf, keys, 3);

    pk_token(ec, "SHA256", 0, 32, "{\"alg\":\"ES256\"}", GOOD, t);
    assert_null(check(t, &vf));
    pk_token(ec, "SHA256", 0, 32, "{\"alg\":\"ES384\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token algorithm does not fit the key");
    pk_token(ed, NULL, 0, 0, "{\"alg\":\"EdDSA\"}", GOOD, t);
    assert_null(check(t, &vf));

    /* an ECDSA signature in DER, not r || s: refused */
    pk_token(ec, "SHA256", 0, 0, "{\"alg\":\"ES256\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    /* a signature made by the RSA key, claimed to be EdDSA */
    pk_token(rsa, "SHA256", 0, 0, "{\"alg\":\"EdDSA\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    /*
     * The contexts a key keeps ready answer the same on every use, after
     * a refusal too; a key struct without them (keys[3], not made by a
     * loader) verifies alike, with contexts of its own per token.
     */
    keys[3] = keys[1];
    keys[3].ready = NULL;

    for (i = 0; i < 3; i++) {
        vf_init(&vf, keys, 3);

        if (i == 2) {
            vf_init(&vf, &keys[3], 1);
        }

        pk_token(rsa, "SHA256", 1, 0, "{\"alg\":\"PS256\"}", GOOD, t);
        assert_true(check(t, &vf) == NULL || i == 2);
        pk_token(ec, "SHA256", 0, 32, "{\"alg\":\"ES256\"}", GOOD, t);
        t[strlen(t) - 10] = (t[strlen(t) - 10] == 'A') ? 'B' : 'A';
        assert_string_equal(check(t, &vf), "token signature is invalid");
        pk_token(ec, "SHA256", 0, 32, "{\"alg\":\"ES256\"}", GOOD, t);
        assert_null(check(t, &vf));
        pk_token(ed, NULL, 0, 0, "{\"alg\":\"EdDSA\"}", GOOD, t);
        assert_true(check(t, &vf) == NULL || i == 2);
    }

    ngx_http_ticketing_jwt_key_free(&keys[0]);
    ngx_http_ticketing_jwt_key_free(&keys[1]);
    ngx_http_ticketing_jwt_key_free(&keys[2]);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
    EVP_PKEY_free(ed);
}


static void
test_malformed(void **state)
{
    key_t_    key;
    char      err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], t[TOKEN_MAX];
    verify_t  vf;

    (void) state;

    ngx_http_ticketing_jwt_key_hmac(&key, (const unsigned char *) SECRET, 32,
                                    err, sizeof(err));
    vf_init(&vf, &key, 1);

    assert_string_equal(check("", &vf), "empty token");
    assert_non_null(strstr(check("a.b", &vf), "three"));
    assert_non_null(strstr(check("a.b.c.d", &vf), "three"));
    assert_non_null(strstr(check("!.e30.AAAA", &vf), "header"));
    assert_non_null(strstr(check("e30.e30.AAAA", &vf), "alg"));
    assert_non_null(strstr(check("W10.e30.AAAA", &vf), "header"));  /* [] */

    hs_token("SHA256", SECRET, 32, HS256, "[1]", t);
    assert_non_null(strstr(check(t, &vf), "payload"));
    hs_token("SHA256", SECRET, 32, HS256, "{\"a\":1,\"a\":2}", t);
    assert_non_null(strstr(check(t, &vf), "payload"));
    hs_token("SHA256", SECRET, 32, HS256, "{\"exp\":1900000000} x", t);
    assert_non_null(strstr(check(t, &vf), "payload"));

    hs_token("SHA256", SECRET, 32, HS256, GOOD, t);
    strcat(t, "=");
    assert_string_equal(check(t, &vf), "malformed token signature");

    ngx_http_ticketing_jwt_key_free(&key);
}


static void
test_cache(void **state)
{
    int                              a, b;
    char                             tok[64], twin[64], *big;
    size_t                           n;
    uint64_t                        *memo, *memo2;
    ngx_http_ticketing_json_doc_t   *claims, *got;
    ngx_http_ticketing_jwt_cache_t  *c;

    (void) state;

    assert_null(ngx_http_ticketing_jwt_cache_create(0));
    memo = (uint64_t *) &a;
    assert_null(ngx_http_ticketing_jwt_cache_get(NULL, &a,
                    (const unsigned char *) "t", 1, NOW, &memo));
    assert_null(memo);

    c = ngx_http_ticketing_jwt_cache_create(8);
    assert_non_null(c);

    claims = doc_of("{\"sub\":\"alice\",\"exp\":1800000100}");

#define GET(scope, tok, now) \
    ngx_http_ticketing_jwt_cache_get(c, scope, (const unsigned char *) tok, \
                                     strlen(tok), now, NULL)
#define PUT(scope, tok, until, memo) \
    ngx_http_ticketing_jwt_cache_put(c, scope, (const unsigned char *) tok, \
                                     strlen(tok), claims, until, memo)

    assert_null(GET(&a, "token-1", NOW));
    PUT(&a, "token-1", NOW + 10, &memo);

    /* the memo starts empty and is the same word for every hit */
    assert_non_null(memo);
    assert_true(*memo == 0);
    *memo |= 4;

    got = ngx_http_ticketing_jwt_cache_get(c, &a,
                                           (const unsigned char *) "token-1",
                                           7, NOW + 9, &memo2);
    assert_ptr_equal(got, claims);
    assert_ptr_equal(memo2, memo);
    assert_true(*memo2 == 4);
    ngx_http_ticketing_json_unref(got);

    /* another token, another scope (location): not found */
    assert_null(GET(&a, "token-2", NOW));
    assert_null(GET(&b, "token-1", NOW));
    assert_null(GET(&a, "token-", NOW));

    /* expired: gone, also afterwards */
    assert_null(GET(&a, "token-1", NOW + 10));
    assert_null(GET(&a, "token-1", NOW));

    /* a new entry in the same slot starts with an empty memo */
    PUT(&a, "token-1", NOW + 10, &memo);
    assert_true(*memo == 0);

    /*
     * The slot comes from the token's tail, a hit needs the whole token:
     * a token differing only before its last 64 bytes finds nothing.
     */
    memset(tok, 'x', sizeof(tok) - 1);
    tok[sizeof(tok) - 1] = '\0';
    memcpy(twin, tok, sizeof(tok));
    twin[0] = 'y';

    assert_int_equal(strlen(tok), 63);
    PUT(&a, tok, NOW + 10, NULL);

    {
        char  longer[128], longer_twin[128];

        memset(longer, 'z', sizeof(longer) - 1);
        longer[sizeof(longer) - 1] = '\0';
        memcpy(longer_twin, longer, sizeof(longer));
        longer_twin[3] = 'q';

        PUT(&a, longer, NOW + 10, NULL);
        got = GET(&a, longer, NOW);
        assert_ptr_equal(got, claims);
        ngx_http_ticketing_json_unref(got);

        assert_null(GET(&a, longer_twin, NOW));
    }

    assert_null(GET(&a, twin, NOW));

    /* many entries: bounded, whatever is found is right */
    {
        int  i;

        for (i = 0; i < 100; i++) {
            snprintf(tok, sizeof(tok), "tok-%d", i);
            PUT(&a, tok, NOW + 10, NULL);
        }

        got = GET(&a, "tok-99", NOW);
        assert_ptr_equal(got, claims);
        ngx_http_ticketing_json_unref(got);

        for (i = 0; i < 99; i++) {
            snprintf(tok, sizeof(tok), "tok-%d", i);
            got = GET(&a, tok, NOW);

            if (got != NULL) {
                assert_ptr_equal(got, claims);
                ngx_http_ticketing_json_unref(got);
            }
        }
    }

    /* until: exp + leeway, capped by the maximum TTL, never in the past */
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims->values, NOW,
                                                        30, 300),
                     1800000130);
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims->values, NOW,
                                                        30, 60),
                     NOW + 60);
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims->values,
                                                        NOW + 500, 0, 60),
                     NOW + 500);
    ngx_http_ticketing_json_unref(claims);
    claims = doc_of("{\"sub\":\"alice\",\"exp\":\"1800000100\"}");
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims->values, NOW,
                                                        30, 300),
                     NOW + 300);
    ngx_http_ticketing_json_unref(claims);
    claims = doc_of("{\"sub\":\"alice\"}");
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims->values, NOW,
                                                        30, 300),
                     NOW + 300);

    /*
     * What an entry may hold: at most ..._MAX_VALUES JSON values (the
     * object itself included) and a token of ..._MAX_TOKEN bytes; more is
     * not stored, so that hostile tokens cannot make a full cache huge
     */
    ngx_http_ticketing_json_unref(claims);
    big = malloc(NGX_HTTP_TICKETING_JWT_CACHE_MAX_VALUES * 2 + 16);
    assert_non_null(big);
    strcpy(big, "{\"a\":[0");

    for (n = 3; n < NGX_HTTP_TICKETING_JWT_CACHE_MAX_VALUES; n++) {
        strcat(big, ",0");
    }

    strcat(big, "]}");
    claims = doc_of(big);
    assert_int_equal(claims->n, NGX_HTTP_TICKETING_JWT_CACHE_MAX_VALUES);

    PUT(&a, "values-max", NOW + 10, NULL);
    got = GET(&a, "values-max", NOW);
    assert_ptr_equal(got, claims);
    ngx_http_ticketing_json_unref(got);

    ngx_http_ticketing_json_unref(claims);
    strcpy(big + strlen(big) - 2, ",0]}");
    claims = doc_of(big);
    free(big);
    assert_int_equal(claims->n, NGX_HTTP_TICKETING_JWT_CACHE_MAX_VALUES + 1);

    PUT(&a, "values-over", NOW + 10, &memo);
    assert_null(memo);
    assert_null(GET(&a, "values-over", NOW));

    ngx_http_ticketing_json_unref(claims);
    claims = doc_of("{\"sub\":\"alice\"}");
    big = malloc(NGX_HTTP_TICKETING_JWT_CACHE_MAX_TOKEN + 2);
    assert_non_null(big);
    memset(big, 'b', NGX_HTTP_TICKETING_JWT_CACHE_MAX_TOKEN + 1);
    big[NGX_HTTP_TICKETING_JWT_CACHE_MAX_TOKEN + 1] = '\0';

    PUT(&a, big, NOW + 10, NULL);
    assert_null(GET(&a, big, NOW));
    big[NGX_HTTP_TICKETING_JWT_CACHE_MAX_TOKEN] = '\0';
    PUT(&a, big, NOW + 10, NULL);
    got = GET(&a, big, NOW);
    assert_ptr_equal(got, claims);
    ngx_http_ticketing_json_unref(got);
    free(big);

#undef GET
#undef PUT

    ngx_http_ticketing_jwt_cache_destroy(c);
    ngx_http_ticketing_json_unref(claims);
}


/*
 * The set-associative cache: a cache of 8 entries is one bucket of 8 ways
 * (every token lands there), so the replacement order is deterministic.
 */

#define CACHE_TOKEN(buf, i)  snprintf(buf, sizeof(buf), "token-%02d", i)

static ngx_http_ticketing_json_doc_t *
cache_get(ngx_http_ticketing_jwt_cache_t *c, const void *scope,
    const char *tok, time_t now)
{
    ngx_http_ticketing_json_doc_t  *got;

    got = ngx_http_ticketing_jwt_cache_get(c, scope,
                                           (const unsigned char *) tok,
                                           strlen(tok), now, NULL);
    /* NULL-safe */
    ngx_http_ticketing_json_unref(got);

    /* the cache holds its own reference: the pointer is still valid */
    return got;
}


static void
cache_put(ngx_http_ticketing_jwt_cache_t *c, const void *scope,
    const char *tok, ngx_http_ticketing_json_doc_t *claims, time_t until)
{
    ngx_http_ticketing_jwt_cache_put(c, scope, (const unsigned char *) tok,
                                     strlen(tok), claims, until, NULL);
}


/* tokens 0..n-1 of CACHE_TOKEN, "hits" more gets of each */
static void
cache_fill(ngx_http_ticketing_jwt_cache_t *c, const void *scope, int n,
    ngx_http_ticketing_json_doc_t *claims)
{
    int   i;
    char  tok[32];

    for (i = 0; i < n; i++) {
        CACHE_TOKEN(tok, i);
        cache_put(c, scope, tok, claims, NOW + 100);
    }
}


static int
cache_has(ngx_http_ticketing_jwt_cache_t *c, const void *scope, int i,
    time_t now)
{
    char  tok[32];

    CACHE_TOKEN(tok, i);

    return cache_get(c, scope, tok, now) != NULL;
}


static void
test_cache_ways(void **state)
{
    int                              a, b, i, n;
    char                             tok[32];
    uint64_t                        *memo, *memo2;
    ngx_http_ticketing_json_doc_t   *claims, *other;
    ngx_http_ticketing_jwt_cache_t  *c;

    (void) state;

    claims = doc_of("{\"sub\":\"alice\"}");
    other = doc_of("{\"sub\":\"bob\"}");
    assert_non_null(claims);
    assert_non_null(other);

    /* associativity: 8 tokens in a cache of 8, every one kept */
    c = ngx_http_ticketing_jwt_cache_create(8);
    assert_non_null(c);
    cache_fill(c, &a, 8, claims);

    for (i = 0; i < 8; i++) {
        assert_true(cache_has(c, &a, i, NOW));
    }

    ngx_http_ticketing_jwt_cache_destroy(c);

    /* eviction: the fewest hits first, the least recently used of those */
    c = ngx_http_ticketing_jwt_cache_create(8);
    cache_fill(c, &a, 8, claims);
    assert_true(cache_has(c, &a, 0, NOW));           /* 0: 2 hits */

    CACHE_TOKEN(tok, 8);
    cache_put(c, &a, tok, claims, NOW + 100);        /* replaces 1 */
    CACHE_TOKEN(tok, 9);
    cache_put(c, &a, tok, claims, NOW + 100);        /* replaces 2 */

    assert_false(cache_has(c, &a, 1, NOW));
    assert_false(cache_has(c, &a, 2, NOW));

    for (i = 0; i < 10; i++) {
        if (i != 1 && i != 2) {
            assert_true(cache_has(c, &a, i, NOW));
        }
    }

    ngx_http_ticketing_jwt_cache_destroy(c);

    /*
     * A token in use stays while a stream of new tokens passes through:
     * they replace each other, the most recent ones stay.
     */
    c = ngx_http_ticketing_jwt_cache_create(8);
    cache_fill(c, &a, 8, claims);

    for (i = 0; i < 5; i++) {
        assert_true(cache_has(c, &a, 0, NOW));
    }

    for (i = 10; i < 30; i++) {
        CACHE_TOKEN(tok, i);
        cache_put(c, &a, tok, claims, NOW + 100);
    }

    assert_true(cache_has(c, &a, 0, NOW));

    for (i = 1; i < 30; i++) {
        n = cache_has(c, &a, i, NOW);
        assert_int_equal(n, i >= 23);
    }

    ngx_http_ticketing_jwt_cache_destroy(c);

    /*
     * Aging: when a count saturates, every count of the bucket is halved.
     * Token 1 (3 hits) then ties with 2..7 (2 hits): 1 each after the
     * halving, and token 1, the least recently used, is replaced first;
     * without the halving, token 2 would have been.
     */
    c = ngx_http_ticketing_jwt_cache_create(8);
    cache_fill(c, &a, 8, claims);

    for (i = 0; i < 2; i++) {
        assert_true(cache_has(c, &a, 1, NOW));
    }

    for (i = 2; i < 8; i++) {
        assert_true(cache_has(c, &a, i, NOW));
    }

    /* token 0 to the saturated count, and one hit more */
    for (i = 0; i < NGX_HTTP_TICKETING_JWT_CACHE_HITS; i++) {
        assert_true(cache_has(c, &a, 0, NOW));
    }

    CACHE_TOKEN(tok, 8);
    cache_put(c, &a, tok, claims, NOW + 100);

    assert_false(cache_has(c, &a, 1, NOW));
    assert_true(cache_has(c, &a, 2, NOW));

    ngx_http_ticketing_jwt_cache_destroy(c);

    /*
     * Expiry: an expired entry is replaced before any other (by the clock
     * of the last get), and is never found again.
     */
    c = ngx_http_ticketing_jwt_cache_create(8);

    for (i = 0; i < 8; i++) {
        CACHE_TOKEN(tok, i);
        cache_put(c, &a, tok, claims, i == 5 ? NOW + 1 : NOW + 100);
    }

    for (i = 0; i < 8; i++) {
        assert_true(cache_has(c, &a, i, NOW));
    }

    assert_null(cache_get(c, &a, "absent", NOW + 5));

    CACHE_TOKEN(tok, 8);
    cache_put(c, &a, tok, claims, NOW + 100);       /* replaces 5, not 0 */

    for (i = 0; i < 9; i++) {
        assert_int_equal(cache_has(c, &a, i, NOW + 5), i != 5);
    }

    /* found until "until", not at it */
    assert_true(cache_has(c, &a, 0, NOW + 99));
    assert_false(cache_has(c, &a, 0, NOW + 100));
    assert_false(cache_has(c, &a, 0, NOW));

    ngx_http_ticketing_jwt_cache_destroy(c);

    /* scopes: the same token is two entries, each with its own claims */
    c = ngx_http_ticketing_jwt_cache_create(8);
    cache_put(c, &a, "token-s", claims, NOW + 100);
    assert_null(cache_get(c, &b, "token-s", NOW));

    cache_put(c, &b, "token-s", other, NOW + 100);
    assert_ptr_equal(cache_get(c, &a, "token-s", NOW), claims);
    assert_ptr_equal(cache_get(c, &b, "token-s", NOW), other);

    /* a put of a cached token replaces its entry: the latest claims */
    cache_put(c, &a, "token-s", other, NOW + 100);
    assert_ptr_equal(cache_get(c, &a, "token-s", NOW), other);

    ngx_http_ticketing_jwt_cache_destroy(c);

    /*
     * Tokens differing only in early bytes share the hash (it reads the
     * last 64 bytes), so the bucket and the tag: the whole token decides.
     */
    {
        char  early[200], twin[200];

        memset(early, 'e', sizeof(early) - 1);
        early[sizeof(early) - 1] = '\0';
        memcpy(twin, early, sizeof(early));
        twin[0] = 'f';

        c = ngx_http_ticketing_jwt_cache_create(8);
        cache_put(c, &a, early, claims, NOW + 100);
        assert_null(cache_get(c, &a, twin, NOW));

        cache_put(c, &a, twin, other, NOW + 100);
        assert_ptr_equal(cache_get(c, &a, early, NOW), claims);
        assert_ptr_equal(cache_get(c, &a, twin, NOW), other);

        twin[0] = 'e';
        twin[135] = 'x';
        assert_null(cache_get(c, &a, twin, NOW));

        ngx_http_ticketing_jwt_cache_destroy(c);
    }

    /* a get never moves an entry: the memo stays the put's word */
    c = ngx_http_ticketing_jwt_cache_create(8);
    ngx_http_ticketing_jwt_cache_put(c, &a, (const unsigned char *) "m", 1,
                                     claims, NOW + 100, &memo);
    cache_fill(c, &a, 7, claims);

    for (i = 0; i < 7; i++) {
        assert_true(cache_has(c, &a, i, NOW));
    }

    assert_non_null(ngx_http_ticketing_jwt_cache_get(c, &a,
                                          (const unsigned char *) "m", 1,
                                          NOW, &memo2));
    ngx_http_ticketing_json_unref(claims);
    assert_ptr_equal(memo2, memo);

    ngx_http_ticketing_jwt_cache_destroy(c);

    /* fewer entries than ways: one bucket of that many */
    c = ngx_http_ticketing_jwt_cache_create(3);
    cache_fill(c, &a, 4, claims);

    for (i = 0, n = 0; i < 4; i++) {
        n += cache_has(c, &a, i, NOW);
    }

    assert_int_equal(n, 3);
    ngx_http_ticketing_jwt_cache_destroy(c);

    /* not a multiple of the ways: rounded down (12: one bucket of 8) */
    c = ngx_http_ticketing_jwt_cache_create(12);
    cache_fill(c, &a, 12, claims);

    for (i = 0, n = 0; i < 12; i++) {
        n += cache_has(c, &a, i, NOW);
    }

    assert_int_equal(n, 8);
    ngx_http_ticketing_jwt_cache_destroy(c);

    /*
     * Many buckets: half as many tokens as entries are nearly all kept
     * (a bucket overflows only past 8 of them, rare with 4 on average;
     * direct-mapped, about 79% would be).
     */
    c = ngx_http_ticketing_jwt_cache_create(1024);
    cache_fill(c, &a, 512, claims);

    for (i = 0, n = 0; i < 512; i++) {
        n += cache_has(c, &a, i, NOW);
    }

    assert_true(n >= 486);
    ngx_http_ticketing_jwt_cache_destroy(c);

    ngx_http_ticketing_json_unref(claims);
    ngx_http_ticketing_json_unref(other);
}

#undef CACHE_TOKEN


/* ---------------------------------------------------------------------- */
/* key hygiene                                                             */


/* the primes the module's ROCA detector tests */
static const unsigned  roca_primes[] = {
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67,
    71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139,
    149, 151, 157, 163, 167
};


/* the product of the primes up to limit */
static BIGNUM *
primorial(unsigned limit)
{
    BIGNUM    *m;
    unsigned   i, d;

    m = BN_new();
    assert_non_null(m);
    assert_int_equal(BN_one(m), 1);

    for (i = 2; i <= limit; i++) {
        for (d = 2; d * d <= i && i % d != 0; d++) { /* void */ }

        if (d * d > i) {
            assert_int_equal(BN_mul_word(m, i), 1);
        }
    }

    return m;
}


/*
 * A 2048-bit RSA modulus built the way the library of CVE-2017-15361 built
 * them (Nemec et al., CCS 2017): each prime is k * M + (65537^a mod M), M
 * the product of the first 126 primes (2 to 701, 971 bits), k and a
 * random, k such that the prime lies in [1.5 * 2^1023, 2^1024).
 */
static BIGNUM *
roca_prime(const BIGNUM *m, BN_CTX *bctx)
{
    int      i;
    BIGNUM  *p, *k, *a, *r, *g, *lo, *hi, *range;

    p = BN_new();
    k = BN_new();
    a = BN_new();
    r = BN_new();
    g = BN_new();
    lo = BN_new();
    hi = BN_new();
    range = BN_new();
    assert_true(p && k && a && r && g && lo && hi && range);

    /* k in [ceil(3 * 2^1022 / M), floor(2^1024 / M) - 1] */
    assert_int_equal(BN_set_word(g, 3), 1);
    assert_int_equal(BN_lshift(g, g, 1022), 1);
    assert_int_equal(BN_sub_word(g, 1), 1);
    assert_int_equal(BN_div(lo, NULL, g, m, bctx), 1);
    assert_int_equal(BN_add_word(lo, 1), 1);
    assert_int_equal(BN_one(g), 1);
    assert_int_equal(BN_lshift(g, g, 1024), 1);
    assert_int_equal(BN_div(hi, NULL, g, m, bctx), 1);
    assert_int_equal(BN_sub_word(hi, 1), 1);
    assert_int_equal(BN_sub(range, hi, lo), 1);
    assert_int_equal(BN_add_word(range, 1), 1);

    assert_int_equal(BN_set_word(g, 65537), 1);

    for (i = 0; i < 100000; i++) {
        assert_int_equal(BN_rand_range(k, range), 1);
        assert_int_equal(BN_add(k, k, lo), 1);
        assert_int_equal(BN_rand(a, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY),
                         1);
        assert_int_equal(BN_mod_exp(r, g, a, m, bctx), 1);
        assert_int_equal(BN_mul(p, k, m, bctx), 1);
        assert_int_equal(BN_add(p, p, r), 1);

        if (BN_check_prime(p, bctx, NULL) == 1) {
            break;
        }
    }

    assert_true(i < 100000);
    assert_int_equal(BN_num_bits(p), 1024);

    BN_free(k);
    BN_free(a);
    BN_free(r);
    BN_free(g);
    BN_free(lo);
    BN_free(hi);
    BN_free(range);

    return p;
}


static BIGNUM *
roca_modulus(void)
{
    BIGNUM  *m, *p, *q, *n;
    BN_CTX  *bctx;

    bctx = BN_CTX_new();
    assert_non_null(bctx);
    m = primorial(701);
    assert_int_equal(BN_num_bits(m), 971);

    p = roca_prime(m, bctx);
    q = roca_prime(m, bctx);
    assert_int_not_equal(BN_cmp(p, q), 0);

    n = BN_new();
    assert_non_null(n);
    assert_int_equal(BN_mul(n, p, q, bctx), 1);
    assert_int_equal(BN_num_bits(n), 2048);

    BN_free(p);
    BN_free(q);
    BN_free(m);
    BN_CTX_free(bctx);

    return n;
}


/* an RSA public key of modulus n (hex) and e 65537 */
static EVP_PKEY *
rsa_pub(const char *hex)
{
    BIGNUM          *n, *e;
    EVP_PKEY        *pkey;
    OSSL_PARAM      *params;
    EVP_PKEY_CTX    *ctx;
    OSSL_PARAM_BLD  *bld;

    n = NULL;
    assert_true(BN_hex2bn(&n, hex) > 0);
    e = BN_new();
    assert_int_equal(BN_set_word(e, 65537), 1);

    bld = OSSL_PARAM_BLD_new();
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e), 1);
    params = OSSL_PARAM_BLD_to_param(bld);

    pkey = NULL;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY,
                                       params), 1);

    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);

    return pkey;
}


static void
test_hmac_lengths(void **state)
{
    key_t_    k32, k48, k64;
    char      err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], t[TOKEN_MAX];
    verify_t  vf;

    (void) state;

    /* 32 bytes: HS256 only; 48: HS256, HS384; 64: all three */
    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&k32,
                         (const unsigned char *) SECRET64, 32, err,
                         sizeof(err)), 0);
    assert_int_equal(k32.algs, NGX_HTTP_TICKETING_JWT_HS256);
    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&k48,
                         (const unsigned char *) SECRET64, 47, err,
                         sizeof(err)), 0);
    assert_int_equal(k48.algs, NGX_HTTP_TICKETING_JWT_HS256);
    ngx_http_ticketing_jwt_key_free(&k48);
    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&k48,
                         (const unsigned char *) SECRET64, 48, err,
                         sizeof(err)), 0);
    assert_int_equal(k48.algs, NGX_HTTP_TICKETING_JWT_HS256
                               | NGX_HTTP_TICKETING_JWT_HS384);
    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&k64,
                         (const unsigned char *) SECRET64, 64, err,
                         sizeof(err)), 0);
    assert_int_equal(k64.algs, NGX_HTTP_TICKETING_JWT_HMAC_ALGS);

    /* a token MACed with the 32-byte secret under HS384/HS512 */
    vf_init(&vf, &k32, 1);
    hs_token("SHA256", SECRET64, 32, HS256, GOOD, t);
    assert_null(check(t, &vf));
    hs_token("SHA384", SECRET64, 32, "{\"alg\":\"HS384\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token algorithm does not fit the key");
    hs_token("SHA512", SECRET64, 32, "{\"alg\":\"HS512\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token algorithm does not fit the key");

    vf_init(&vf, &k48, 1);
    hs_token("SHA384", SECRET64, 48, "{\"alg\":\"HS384\"}", GOOD, t);
    assert_null(check(t, &vf));
    hs_token("SHA512", SECRET64, 48, "{\"alg\":\"HS512\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token algorithm does not fit the key");

    vf_init(&vf, &k64, 1);
    hs_token("SHA512", SECRET64, 64, "{\"alg\":\"HS512\"}", GOOD, t);
    assert_null(check(t, &vf));

    ngx_http_ticketing_jwt_key_free(&k32);
    ngx_http_ticketing_jwt_key_free(&k48);
    ngx_http_ticketing_jwt_key_free(&k64);

    /* a PEM document given as an HMAC secret */
    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&k32,
                         (const unsigned char *)
                         "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEF",
                         52, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "PEM"));

    /* nor a key set, a single JWK or an SSH public key: all published */
    {
        size_t       i;
        const char  *published[] = {
            "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nn"
            "dr\",\"e\":\"AQAB\"}]}",
            "  \n{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8vub9"
            "tLe1gHMzV76e8Tus9uPHvRVEU\"}\n",
            "[{\"kty\":\"oct\",\"k\":\"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ\"}]",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9"
            "okWi0dh2l9GKJl alice@example",
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAy",
        };

        for (i = 0; i < sizeof(published) / sizeof(published[0]); i++) {
            assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&k32,
                                 (const unsigned char *) published[i],
                                 strlen(published[i]), err, sizeof(err)),
                             -1);
            assert_non_null(strstr(err, "not a secret"));
        }

        /* braces in a random secret that is no JSON document are fine */
        assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&k32,
                             (const unsigned char *)
                             "{not-json-0123456789abcdefghijklmnopq}", 38,
                             err, sizeof(err)), 0);
        ngx_http_ticketing_jwt_key_free(&k32);
    }
}


/* an HMAC secret must not be accepted: a published key in some form */
static void
hmac_refused(const unsigned char *secret, size_t len, const char *what)
{
    char                          err[256];
    ngx_http_ticketing_jwt_key_t  key;

    if (ngx_http_ticketing_jwt_key_hmac(&key, secret, len, err, sizeof(err))
        == 0)
    {
        ngx_http_ticketing_jwt_key_free(&key);
        fail_msg("%s accepted as an HMAC secret", what);
    }

    if (strstr(err, "not a secret") == NULL) {
        fail_msg("%s: \"%s\"", what, err);
    }
}


static size_t
b64_std(const unsigned char *in, size_t len, unsigned char *out)
{
    return (size_t) EVP_EncodeBlock(out, in, (int) len);
}


/* the forms a public key is published in, none of them a secret */
static void
test_hmac_published(void **state)
{
    int                            n;
    char                           err[256];
    size_t                         len, i;
    X509                          *x;
    EVP_PKEY                      *ec;
    unsigned char                 *der, *p;
    unsigned char                  buf[8192], b64[12000];
    ngx_http_ticketing_jwt_key_t   key;

    static const char  jwks[] =
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"f83OJ3D2xF1Bg8v"
        "ub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6p"
        "CyStikYjKIWI5a0\"}]}";

    static const char  *texts[] = {
        "\xef\xbb\xbf{\"keys\":[{\"kty\":\"RSA\","
        "\"n\":\"0vx7agoebGcQSuuPiLJX\","
        "\"e\":\"AQAB\"}]}",
        "\n\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsab u",
        "  ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsab u",
        "from=\"10.0.0.1\" ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 ops@host",
        "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"k\"\nAAAAB3NzaC1yc2EAAAA"
        "DAQABAAABAQC7\n---- END SSH2 PUBLIC KEY ----\n",
        "-----begin public key-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n",
        "keys:\n  - kty: EC\n    crv: P-256\n    x: f83OJ3D2xF1Bg8vub9tLe1g\n",
    };

    (void) state;

    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        hmac_refused((const unsigned char *) texts[i], strlen(texts[i]),
                     texts[i]);
    }

    /* the JWKS in UTF-16 (little endian, with its byte order mark) */
    buf[0] = 0xff;
    buf[1] = 0xfe;
    for (i = 0; i < sizeof(jwks) - 1; i++) {
        buf[2 + 2 * i] = (unsigned char) jwks[i];
        buf[3 + 2 * i] = 0;
    }
    hmac_refused(buf, 2 + 2 * (sizeof(jwks) - 1), "a UTF-16 JWKS");

    /* the JWKS in base64 */
    len = b64_std((const unsigned char *) jwks, sizeof(jwks) - 1, b64);
    hmac_refused(b64, len, "a base64 JWKS");

    /* DER: a public key, its base64 (a PEM body without armour), a cert */
    ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(ec);

    der = NULL;
    n = i2d_PUBKEY(ec, &der);
    assert_true(n > 0);
    hmac_refused(der, (size_t) n, "a DER public key");

    len = b64_std(der, (size_t) n, b64);
    hmac_refused(b64, len, "a PEM body without its armour");
    OPENSSL_free(der);

    x = X509_new();
    assert_non_null(x);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 3600));
    assert_int_equal(X509_set_pubkey(x, ec), 1);
    assert_true(X509_sign(x, ec, EVP_sha256()) > 0);

    p = buf;
    n = i2d_X509(x, &p);
    assert_true(n > 0);
    hmac_refused(buf, (size_t) n, "a DER certificate");

    /* "openssl x509 -text -noout" and "openssl ec -pubin -text -noout" */
    {
        BIO   *bio;
        char  *text;
        long   tlen;

        bio = BIO_new(BIO_s_mem());
        assert_non_null(bio);
        assert_int_equal(X509_print(bio, x), 1);
        tlen = BIO_get_mem_data(bio, &text);
        hmac_refused((const unsigned char *) text, (size_t) tlen,
                     "a -text dump of a certificate");
        BIO_free(bio);

        bio = BIO_new(BIO_s_mem());
        assert_non_null(bio);
        assert_int_equal(EVP_PKEY_print_public(bio, ec, 0, NULL), 1);
        tlen = BIO_get_mem_data(bio, &text);
        hmac_refused((const unsigned char *) text, (size_t) tlen,
                     "a -text dump of an EC key");
        BIO_free(bio);
    }

    len = b64_std(buf, (size_t) n, b64);
    hmac_refused(b64, len, "a base64 certificate");

    X509_free(x);
    EVP_PKEY_free(ec);

    /* an RSA key: PKCS#1 DER, its modulus alone (a JWK's "n"), in hex */
    {
        BIGNUM         *bn;
        EVP_PKEY       *rsa;
        unsigned char  *q, mod[512], hex[2048];
        static const char  digits[] = "0123456789ABCDEF";

        rsa = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
        assert_non_null(rsa);

        q = buf;
        n = i2d_PublicKey(rsa, &q);
        assert_true(n > 0);
        hmac_refused(buf, (size_t) n, "a PKCS#1 DER public key");

        for (i = 0; i < (size_t) n; i++) {
            hex[2 * i] = (unsigned char) digits[buf[i] >> 4];
            hex[2 * i + 1] = (unsigned char) digits[buf[i] & 0xf];
        }
        hmac_refused(hex, 2 * (size_t) n, "the hex of a DER key");

        bn = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N,
                                               &bn), 1);
        n = BN_bn2bin(bn, mod);
        assert_int_equal(n, 256);
        BN_free(bn);

        hmac_refused(mod, 256, "an RSA modulus");

        len = b64_std(mod, 256, b64);
        for (i = 0; i < len; i++) {
            /* as in a JWK: base64url, no padding */
            b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
        }
        while (len && b64[len - 1] == '=') {
            len--;
        }
        hmac_refused(b64, len, "a JWK's n");

        memcpy(hex, "Modulus=", 8);
        for (i = 0; i < 256; i++) {
            hex[8 + 2 * i] = (unsigned char) digits[mod[i] >> 4];
            hex[9 + 2 * i] = (unsigned char) digits[mod[i] & 0xf];
        }
        hmac_refused(hex, 8 + 512, "openssl rsa -modulus output");

        /* "openssl rsa -pubin -text -noout" and the modulus in decimal */
        {
            BIO      *bio;
            char     *dec, *text;
            long      tlen;

            bio = BIO_new(BIO_s_mem());
            assert_non_null(bio);
            assert_int_equal(EVP_PKEY_print_public(bio, rsa, 0, NULL), 1);
            tlen = BIO_get_mem_data(bio, &text);
            hmac_refused((const unsigned char *) text, (size_t) tlen,
                         "a -text dump of an RSA key");
            BIO_free(bio);

            bn = BN_bin2bn(mod, 256, NULL);
            assert_non_null(bn);
            dec = BN_bn2dec(bn);
            assert_non_null(dec);
            hmac_refused((const unsigned char *) dec, strlen(dec),
                         "a modulus in decimal");
            OPENSSL_free(dec);
            BN_free(bn);
        }

        EVP_PKEY_free(rsa);
    }

    /* base64 of base64 of a PEM; compressed data; .NET XML */
    {
        const char     *pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0C"
                              "AQYIKoZIzj0DAQcDQgAE\n"
                              "-----END PUBLIC KEY-----\n";
        unsigned char   once[512];
        size_t          l1;
        static const unsigned char  gz[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
            0, 3, 0x4b, 0x4c, 0x4a, 0x06, 0, 0xc2, 0x41, 0x24, 0x35, 3, 0, 0,
            0, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
            0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72 };
        static const char  xml[] = "<RSAKeyValue><Modulus>0vx7agoebGcQSuuPiL"
                                   "JXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAt"
                                   "</Modulus><Exponent>AQAB</Exponent>"
                                   "</RSAKeyValue>";

        l1 = b64_std((const unsigned char *) pem, strlen(pem), once);
        len = b64_std(once, l1, b64);
        hmac_refused(b64, len, "base64 of base64 of a PEM");
        hmac_refused(gz, sizeof(gz), "gzip data");
        hmac_refused((const unsigned char *) xml, sizeof(xml) - 1,
                     "an XML RSA key");
    }

    /* secrets as operators make them still are secrets */
    {
        const char  *ok[] = {
            "0123456789abcdef0123456789abcdef0123456789abcdef",
            "q2Vv3l0m9XrY7tZp4H8sJ1cN6bK5aD0eF3gR9uW2xQ8=",
            "my-gateway-hmac-secret-of-thirty-two-bytes!",
            /* "openssl rand -base64 48" and "-hex 32" style */
            "Zq3Lr8m1Pz0cVwE6sT2yUa9bK4hN7dJxG5oQfRiWtYvXuMkCeHpBnDlAgSj0",
            "3f9a0c7e12b45d68e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6",
        };

        for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
            assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&key,
                                 (const unsigned char *) ok[i], strlen(ok[i]),
                                 err, sizeof(err)), 0);
            ngx_http_ticketing_jwt_key_free(&key);
        }
    }
}


static void
test_jwks_hygiene(void **state)
{
    key_t_     keys[4];
    size_t     n, i;
    char       err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];
    const char *priv[] = { "d", "p", "q", "dp", "dq", "qi", "oth" };
    char       doc[1024];

    (void) state;

#define JWKS(s, f) ngx_http_ticketing_jwt_jwks((const unsigned char *) s, \
                                               strlen(s), keys, 4, &n, f, \
                                               err, sizeof(err))
#define OCT(members) "{\"kty\":\"oct\"," members "\"k\":\"" K32 "\"}"
/* the RFC 8037 example Ed25519 public key */
#define OKP "{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," \
            "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}"

    /* key_ops: lacking "verify" skips the key; not an array fails */
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"key_ops\":[\"sign\"],")
                          "]}", 0), -1);
    assert_string_equal(err, "no signature key in the set");
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"key_ops\":[],") "]}", 0), -1);
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"kid\":\"a\","
                                            "\"key_ops\":[\"encrypt\"],") ","
                          OCT("\"kid\":\"b\",\"key_ops\":[\"sign\","
                              "\"verify\"],") "]}", 0), 0);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0].kid, "b");
    ngx_http_ticketing_jwt_key_free(&keys[0]);
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"key_ops\":\"verify\",") "]}",
                          0), -1);
    assert_non_null(strstr(err, "key_ops"));
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"key_ops\":[\"verify\",1],")
                          "]}", 0), -1);
    assert_non_null(strstr(err, "key_ops"));

    /* "use" other than "sig", or not a string: skipped */
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"use\":\"enc\",") ","
                          OCT("\"use\":1,") ","
                          OCT("\"use\":\"SIG\",") "]}", 0), -1);
    assert_string_equal(err, "no signature key in the set");

    /* private key material fails the whole set, whatever the key's use */
    for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++) {
        snprintf(doc, sizeof(doc), "{\"keys\":[" OCT("")
                 ",{\"kty\":\"RSA\",\"use\":\"enc\",\"n\":\"AQAB\","
                 "\"e\":\"AQAB\",\"%s\":\"AQAB\"}]}", priv[i]);
        assert_int_equal(JWKS(doc, NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT),
                         -1);
        assert_non_null(strstr(err, "private key material"));
        assert_non_null(strstr(err, priv[i]));
    }

    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
                          "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPa"
                          "piMlrwIaaPcHURo\","
                          "\"d\":\"nWGxne_9WmC6hEr0kuwsxERJxWl7Mm"
                          "kZcDusAxyuf2A\"}]}", 0), -1);
    assert_non_null(strstr(err, "private key material (\"d\")"));

    /* "oct" next to public keys: only when asked for */
    assert_int_equal(JWKS("{\"keys\":[" OCT("") "," OKP "]}", 0), -1);
    assert_non_null(strstr(err, "mixes \"oct\" secrets with public keys"));
    assert_int_equal(JWKS("{\"keys\":[" OCT("") "," OKP "]}",
                          NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT), 0);
    assert_int_equal(n, 2);
    ngx_http_ticketing_jwt_key_free(&keys[0]);
    ngx_http_ticketing_jwt_key_free(&keys[1]);

    /*
     * a secret not for verification is still a secret in a published set;
     * with "mixed_oct" it is skipped
     */
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"use\":\"enc\",") "," OKP "]}",
                          0), -1);
    assert_non_null(strstr(err, "mixes \"oct\" secrets with public keys"));
    assert_int_equal(JWKS("{\"keys\":[" OKP "," OCT("\"key_ops\":[\"sign\"],")
                          "]}", 0), -1);
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"use\":\"enc\",") "," OKP "]}",
                          NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT), 0);
    assert_int_equal(n, 1);
    ngx_http_ticketing_jwt_key_free(&keys[0]);

    /* an "alg" the secret is too short for */
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"alg\":\"HS384\",") "]}", 0),
                     -1);
    assert_string_equal(err, "an \"oct\" key is shorter than 48 bytes, too "
                             "short for its \"alg\" HS384");
    assert_int_equal(JWKS("{\"keys\":[" OCT("\"alg\":\"HS512\",") "]}", 0),
                     -1);
    assert_non_null(strstr(err, "shorter than 64 bytes"));
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS512\","
                          "\"k\":\"" K32 K32 "\"}]}", 0), -1);
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS512\","
                          "\"k\":\"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYw"
                          "MTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg\"}]}",
                          0), 0);
    assert_int_equal(keys[0].algs, NGX_HTTP_TICKETING_JWT_HS512);
    assert_int_equal(keys[0].secret_len, 64);
    ngx_http_ticketing_jwt_key_free(&keys[0]);

#undef OKP
#undef OCT
#undef JWKS
}


static void
test_pem_private(void **state)
{
    key_t_     key;
    char       err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], pem[8192];
    size_t     len;
    BIO       *bio;
    EVP_PKEY  *pkey;

    (void) state;

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(pkey);

    /* the public key, then the private key (PKCS#8) in one file */
    pub_pem(pkey, pem, sizeof(pem));
    len = strlen(pem);
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, len, err, sizeof(err)), 0);
    ngx_http_ticketing_jwt_key_free(&key);

    bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(bio, pkey, NULL, NULL, 0, NULL,
                                              NULL), 1);
    len += (size_t) BIO_read(bio, pem + len, (int) (sizeof(pem) - len - 1));
    pem[len] = '\0';
    BIO_free(bio);

    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, len, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "the PEM file holds a private key"));

    /* the private key alone */
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) strstr(pem, "-----BEGIN PRIVATE"),
                         strlen(strstr(pem, "-----BEGIN PRIVATE")), err,
                         sizeof(err)), -1);
    assert_non_null(strstr(err, "the PEM file holds a private key"));

    /* the traditional and the encrypted forms, by their labels */
#define PRIV(label)                                                          \
    "-----BEGIN " label "-----\nAAAA\n-----END " label "-----\n"

    strcpy(pem, PRIV("RSA PRIVATE KEY"));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), -1);
    assert_non_null(strstr(err, "private key"));
    strcpy(pem, PRIV("ENCRYPTED PRIVATE KEY"));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), -1);
    assert_non_null(strstr(err, "private key"));

    /* a label without its closing dashes is not read past the end */
    strcpy(pem, "-----BEGIN PRIVATE KEY");
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), -1);

#undef PRIV

    EVP_PKEY_free(pkey);
}


static void
test_roca(void **state)
{
    key_t_     key, keys[1];
    char       err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], pem[4096], doc[1024];
    char      *hex;
    size_t     n, i;
    BIGNUM    *bn, *m, *c, *t, *r;
    BN_CTX    *bctx;
    EVP_PKEY  *pkey;
    BN_ULONG   w;
    unsigned char  raw[256];

    (void) state;

    /* a modulus with the vulnerable library's structure, made here */
    bn = roca_modulus();
    assert_int_equal(ngx_http_ticketing_jwt_roca(bn), 1);

    /* constructed: 1 + M (M the product of the primes) is 1 mod each of
     * them, a power of 65537; 2 + M is 2 mod 11, where 65537 generates
     * only {1, 10}; M itself is 0 mod all */
    m = primorial(167);
    bctx = BN_CTX_new();
    c = BN_new();
    t = BN_new();
    r = BN_new();
    assert_true(bctx && c && t && r);
    assert_int_equal(BN_rshift1(m, m), 1);  /* the odd primes 3 to 167 */

    assert_int_equal(BN_copy(c, m) != NULL, 1);
    assert_int_equal(ngx_http_ticketing_jwt_roca(c), 0);
    assert_int_equal(BN_add_word(c, 1), 1);
    assert_int_equal(ngx_http_ticketing_jwt_roca(c), 1);
    assert_int_equal(BN_add_word(c, 1), 1);
    assert_int_equal(ngx_http_ticketing_jwt_roca(c), 0);

    /* every prime is tested: for each r, the modulus plus t * (M / r),
     * made 0 mod r and unchanged mod the other primes, is not taken */
    for (i = 0; i < sizeof(roca_primes) / sizeof(roca_primes[0]); i++) {
        assert_int_equal(BN_copy(c, m) != NULL, 1);
        assert_int_equal(BN_div_word(c, roca_primes[i]), 0);

        /* t = -n * (M / r)^-1 mod r */
        w = BN_mod_word(c, roca_primes[i]);
        assert_int_not_equal(w, 0);
        assert_int_equal(BN_set_word(r, roca_primes[i]), 1);
        assert_int_equal(BN_set_word(t, w), 1);
        assert_non_null(BN_mod_inverse(t, t, r, bctx));
        assert_int_equal(BN_mul_word(t, roca_primes[i]
                                        - BN_mod_word(bn, roca_primes[i])),
                         1);
        assert_int_equal(BN_mul(t, t, c, bctx), 1);
        assert_int_equal(BN_add(c, bn, t), 1);

        assert_int_equal(BN_mod_word(c, roca_primes[i]), 0);
        assert_int_equal(ngx_http_ticketing_jwt_roca(c), 0);
    }

    BN_free(r);
    BN_free(t);
    BN_free(c);
    BN_CTX_free(bctx);
    BN_free(m);

    /* a key generated here: not fingerprinted (with certainty in
     * practice: a random modulus passes with probability ~2^-154) */
    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    pub_pem(pkey, pem, sizeof(pem));
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), 0);
    ngx_http_ticketing_jwt_key_free(&key);
    EVP_PKEY_free(pkey);

    /* the fingerprinted key as PEM and as a JWK: refused */
    hex = BN_bn2hex(bn);
    assert_non_null(hex);
    pkey = rsa_pub(hex);
    OPENSSL_free(hex);
    pub_pem(pkey, pem, sizeof(pem));
    EVP_PKEY_free(pkey);
    assert_int_equal(ngx_http_ticketing_jwt_key_pem(&key,
                         (unsigned char *) pem, strlen(pem), err,
                         sizeof(err)), -1);
    assert_non_null(strstr(err, "ROCA"));

    assert_int_equal(BN_bn2binpad(bn, raw, sizeof(raw)), (int) sizeof(raw));
    strcpy(doc, "{\"keys\":[{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"");
    b64url(raw, sizeof(raw), doc + strlen(doc));
    strcat(doc, "\"}]}");
    assert_int_equal(ngx_http_ticketing_jwt_jwks((unsigned char *) doc,
                         strlen(doc), keys, 1, &n, 0, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "ROCA"));

    BN_free(bn);
}


static void
test_lifetime(void **state)
{
    key_t_    key;
    char      err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], t[TOKEN_MAX];
    verify_t  vf;

    (void) state;

    ngx_http_ticketing_jwt_key_hmac(&key, (const unsigned char *) SECRET, 32,
                                    err, sizeof(err));
    vf_init(&vf, &key, 1);

#define TOK(payload) hs_token("SHA256", SECRET, 32, HS256, payload, t)

    /* no maximum (the default): any future exp */
    TOK("{\"exp\":1e300}");
    assert_null(check(t, &vf));

    vf.max_lifetime = 3600;

    TOK("{\"exp\":1800003600,\"iat\":1800000000}");      /* exactly 1 h */
    assert_null(check(t, &vf));
    TOK("{\"exp\":1800003601,\"iat\":1800000000}");
    assert_string_equal(check(t, &vf),
                        "token lifetime (exp - iat) is longer than allowed");
    TOK("{\"exp\":1800003630}");                        /* max + leeway */
    assert_null(check(t, &vf));
    TOK("{\"exp\":1800003631}");
    assert_string_equal(check(t, &vf),
                        "token expires too far in the future (exp)");
    TOK("{\"exp\":1e300,\"iat\":1800000000}");
    assert_string_equal(check(t, &vf),
                        "token lifetime (exp - iat) is longer than allowed");
    TOK("{\"exp\":1e300}");
    assert_string_equal(check(t, &vf),
                        "token expires too far in the future (exp)");

    /* a maximum needs an exp, require_exp or not */
    vf.require_exp = 0;
    TOK("{\"sub\":\"x\"}");
    assert_string_equal(check(t, &vf), "token has no \"exp\" claim");
    vf.max_lifetime = 0;
    assert_null(check(t, &vf));
    vf.require_exp = 1;
    vf.max_lifetime = 86400;

    /* absurd numbers: refused or ignored, never converted (UBSan) */
    TOK("{\"exp\":-1e300}");
    assert_string_equal(check(t, &vf), "token has expired");
    TOK("{\"exp\":1.7976931348623157e308,"
        "\"iat\":-1.7976931348623157e308}");
    assert_string_equal(check(t, &vf),
                        "token lifetime (exp - iat) is longer than allowed");
    TOK("{\"exp\":1800000100,\"iat\":-1.7976931348623157e308}");
    assert_string_equal(check(t, &vf),
                        "token lifetime (exp - iat) is longer than allowed");
    TOK("{\"exp\":1800000100,\"nbf\":-1e300,\"iat\":1e300}");
    assert_string_equal(check(t, &vf), "token was issued in the future (iat)");
    TOK("{\"exp\":1800000100,\"nbf\":1e300}");
    assert_string_equal(check(t, &vf), "token is not valid yet (nbf)");
    TOK("{\"exp\":123456789012345678901234567890}");
    assert_non_null(strstr(check(t, &vf), "malformed token payload"));
    TOK("{\"exp\":1e400}");
    assert_non_null(strstr(check(t, &vf), "malformed token payload"));
    TOK("{\"exp\":-0.0}");
    assert_string_equal(check(t, &vf), "token has expired");
    TOK("{\"exp\":9223372036854775807}");
    assert_string_equal(check(t, &vf),
                        "token expires too far in the future (exp)");
    TOK("{\"exp\":-9223372036854775807}");
    assert_string_equal(check(t, &vf), "token has expired");
    TOK("{\"exp\":true}");
    assert_string_equal(check(t, &vf), "claim \"exp\" is not a number");
    TOK("{\"exp\":NaN}");                       /* not JSON: refused */
    assert_non_null(strstr(check(t, &vf), "malformed token payload"));
    TOK("{\"exp\":Infinity}");
    assert_non_null(strstr(check(t, &vf), "malformed token payload"));

#undef TOK

    /* the cache's lifetime from absurd claims: bounded, no overflow */
    {
        ngx_http_ticketing_json_doc_t  *c;

        c = doc_of("{\"exp\":1e300}");
        assert_int_equal(ngx_http_ticketing_jwt_cache_until(c->values, NOW,
                                                            30, 300),
                         NOW + 300);
        ngx_http_ticketing_json_unref(c);
        c = doc_of("{\"exp\":-1e300}");
        assert_int_equal(ngx_http_ticketing_jwt_cache_until(c->values, NOW,
                                                            30, 300),
                         NOW);
        ngx_http_ticketing_json_unref(c);
    }

    ngx_http_ticketing_jwt_key_free(&key);
}


/* case-insensitive ASCII, for _has_by */
static int
eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t  i;

    if (alen != blen) {
        return 0;
    }

    for (i = 0; i < alen; i++) {
        if ((a[i] | 0x20) != (b[i] | 0x20)) {
            return 0;
        }
    }

    return 1;
}


static void
test_has_by(void **state)
{
    const ngx_http_ticketing_json_t  *v;
    ngx_http_ticketing_json_doc_t    *doc;

    (void) state;

    doc = doc_of("{\"a\":[\"Yoigo\",\"x\"],\"s\":\"  a  MASMOVIL b \"}");

    v = ngx_http_ticketing_json_get(doc->values, "a", 1);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "yoigo", 5), 0);
    assert_int_equal(ngx_http_ticketing_jwt_has_by(v, "yoigo", 5, eq_nocase),
                     1);
    assert_int_equal(ngx_http_ticketing_jwt_has_by(v, "yoig", 4, eq_nocase),
                     0);

    v = ngx_http_ticketing_json_get(doc->values, "s", 1);
    assert_int_equal(ngx_http_ticketing_jwt_has_by(v, "masmovil", 8,
                                                   eq_nocase), 1);
    assert_int_equal(ngx_http_ticketing_jwt_has_by(v, "", 0, eq_nocase), 0);

    ngx_http_ticketing_json_unref(doc);
}


/* ---------------------------------------------------------------------- */
/* libjwt 1.10 as a second implementation (tests/libjwt_oracle.h)          */


typedef struct {
    const char  *alg;
    jwt_alg_t    jwt_alg;
    const char  *md;
    size_t       ec_half;      /* ES: bytes of r and of s; 0: RSA or HMAC */
    int          key;          /* index in the keys of the test */
} diff_alg_t;


/*
 * Checks both properties on "t" and counts what happened: the module
 * accepting a token libjwt does not accept, or accepting one whose
 * signature libjwt refuses, fails the test.
 */
static void
diff_check(const char *t, const verify_t *vf, const unsigned char *key,
    size_t key_len, jwt_alg_t expect, unsigned *accepted, unsigned *badsig)
{
    int                      ok;
    jwt_alg_t                alg;
    libjwt_oracle_verdict_e  v;

    ok = check(t, vf) == NULL;
    v = libjwt_oracle((const unsigned char *) t, strlen(t), key, key_len,
                      &alg);

    assert_int_not_equal(v, LIBJWT_ORACLE_ERROR);

    if (ok) {
        if (v != LIBJWT_ORACLE_ACCEPTS) {
            fail_msg("the module accepts a token libjwt does not (%d): %s",
                     (int) v, t);
        }

        assert_int_equal(alg, expect);
        (*accepted)++;
    }

    if (v == LIBJWT_ORACLE_BAD_SIGNATURE) {
        if (ok) {
            fail_msg("the module accepts a token whose signature libjwt "
                     "refuses: %s", t);
        }

        (*badsig)++;
    }
}


static void
test_libjwt_differential(void **state)
{
    char           err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], t[TOKEN_MAX],
                   m[TOKEN_MAX], header[64];
    char           pems[4][4096];
    size_t         i, j, r, len, key_len;
    key_t_         keys[5];
    verify_t       vf;
    EVP_PKEY      *pk[4], *other;
    jwt_alg_t      alg;
    unsigned       accepted, badsig;
    const u_char  *key;

    libjwt_oracle_verdict_e  v;

    static const char        repl[] = "A_.";
    static const diff_alg_t  algs[] = {
        { "HS256", JWT_ALG_HS256, "SHA256", 0, 4 },
        { "HS384", JWT_ALG_HS384, "SHA384", 0, 4 },
        { "HS512", JWT_ALG_HS512, "SHA512", 0, 4 },
        { "RS256", JWT_ALG_RS256, "SHA256", 0, 0 },
        { "RS384", JWT_ALG_RS384, "SHA384", 0, 0 },
        { "RS512", JWT_ALG_RS512, "SHA512", 0, 0 },
        { "ES256", JWT_ALG_ES256, "SHA256", 32, 1 },
        { "ES384", JWT_ALG_ES384, "SHA384", 48, 2 },
        { "ES512", JWT_ALG_ES512, "SHA512", 66, 3 },
    };

    (void) state;

    pk[0] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    pk[1] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    pk[2] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    pk[3] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");

    for (i = 0; i < 4; i++) {
        assert_non_null(pk[i]);
        pub_pem(pk[i], pems[i], sizeof(pems[i]));
        assert_int_equal(ngx_http_ticketing_jwt_key_pem(&keys[i],
                             (u_char *) pems[i], strlen(pems[i]), err,
                             sizeof(err)), 0);
    }

    assert_int_equal(ngx_http_ticketing_jwt_key_hmac(&keys[4],
                         (const u_char *) SECRET64, sizeof(SECRET64) - 1,
                         err, sizeof(err)), 0);

    accepted = 0;
    badsig = 0;

    for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        vf_init(&vf, &keys[algs[i].key], 1);

        if (algs[i].key == 4) {
            key = (const u_char *) SECRET64;
            key_len = sizeof(SECRET64) - 1;

        } else {
            key = (const u_char *) pems[algs[i].key];
            key_len = strlen(pems[algs[i].key]);
        }

        snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
                 algs[i].alg);

        if (algs[i].key == 4) {
            hs_token(algs[i].md, SECRET64, sizeof(SECRET64) - 1, header, GOOD,
                     t);

        } else {
            pk_token(pk[algs[i].key == 0 ? 0 : algs[i].key], algs[i].md, 0,
                     algs[i].ec_half, header, GOOD, t);
        }

        /* the genuine token: both accept it */
        assert_null(check(t, &vf));
        v = libjwt_oracle((u_char *) t, strlen(t), key, key_len, &alg);
        if (v != LIBJWT_ORACLE_ACCEPTS || alg != algs[i].jwt_alg) {
            fail_msg("libjwt: %s token refused (%d): %s", algs[i].alg,
                     (int) v, t);
        }

        accepted++;

        /* every character replaced, one at a time, by a few others */
        len = strlen(t);

        for (j = 0; j < len; j++) {
            for (r = 0; repl[r]; r++) {
                if (t[j] == repl[r]) {
                    continue;
                }

                memcpy(m, t, len + 1);
                m[j] = repl[r];
                diff_check(m, &vf, key, key_len, algs[i].jwt_alg, &accepted,
                           &badsig);
            }
        }

        /* signed by another key of the same kind: libjwt refuses it */
        if (algs[i].key == 4) {
            hs_token(algs[i].md, SECRET64 "x", sizeof(SECRET64), header,
                     GOOD, t);

        } else {
            other = EVP_PKEY_Q_keygen(NULL, NULL, algs[i].key ? "EC" : "RSA",
                                      algs[i].key == 0 ? (void *) 2048
                                      : algs[i].key == 1 ? "P-256"
                                      : algs[i].key == 2 ? "P-384"
                                      : "P-521");
            assert_non_null(other);
            pk_token(other, algs[i].md, 0, algs[i].ec_half, header, GOOD, t);
            EVP_PKEY_free(other);
        }

        assert_int_equal(libjwt_oracle((u_char *) t, strlen(t), key,
                                       key_len, &alg),
                         LIBJWT_ORACLE_BAD_SIGNATURE);
        diff_check(t, &vf, key, key_len, algs[i].jwt_alg, &accepted,
                   &badsig);
    }

    /*
     * The sweep reached both sides: tokens both accepted, signatures
     * libjwt refused (each one refused by the module too).
     */
    print_message("libjwt: %u tokens accepted by both, %u signatures "
                  "refused by both\n", accepted, badsig);
    assert_true(accepted >= 9);
    assert_true(badsig > 1000);

    /*
     * Where they differ on purpose.  libjwt 1.10 knows neither PS256 nor
     * EdDSA, and refuses a "typ" other than "JWT", which RFC 7519 leaves
     * to the application (RFC 9068's at+jwt); none of these is a
     * signature verdict.
     */
    vf_init(&vf, &keys[0], 1);
    pk_token(pk[0], "SHA256", 1, 0, "{\"alg\":\"PS256\"}", GOOD, t);
    assert_null(check(t, &vf));
    assert_int_equal(libjwt_oracle((u_char *) t, strlen(t),
                                   (u_char *) pems[0], strlen(pems[0]), &alg),
                     LIBJWT_ORACLE_UNPARSED);

    pk_token(pk[0], "SHA256", 0, 0, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}",
             GOOD, t);
    assert_null(check(t, &vf));
    assert_int_equal(libjwt_oracle((u_char *) t, strlen(t),
                                   (u_char *) pems[0], strlen(pems[0]), &alg),
                     LIBJWT_ORACLE_UNPARSED);

    /*
     * The traps the module does not share: libjwt lets the header pick
     * HS256 and MACs with the PEM text (algorithm confusion), and its
     * base64 decoder skips characters outside the alphabet.
     */
    hs_token("SHA256", pems[0], strlen(pems[0]), HS256, GOOD, t);
    assert_int_equal(libjwt_oracle((u_char *) t, strlen(t),
                                   (u_char *) pems[0], strlen(pems[0]), &alg),
                     LIBJWT_ORACLE_ACCEPTS);
    assert_string_equal(check(t, &vf),
                        "token algorithm does not fit the key");

    pk_token(pk[0], "SHA256", 0, 0, "{\"alg\":\"RS256\"}", GOOD, t);
    len = strlen(t);
    memmove(t + len - 10 + 1, t + len - 10, 11);
    t[len - 10] = '*';
    assert_int_equal(libjwt_oracle((u_char *) t, strlen(t),
                                   (u_char *) pems[0], strlen(pems[0]), &alg),
                     LIBJWT_ORACLE_ACCEPTS);
    assert_non_null(check(t, &vf));

    for (i = 0; i < 5; i++) {
        ngx_http_ticketing_jwt_key_free(&keys[i]);
    }

    for (i = 0; i < 4; i++) {
        EVP_PKEY_free(pk[i]);
    }
}


/*
 * ngx_http_ticketing_json_parse() against jansson's json_loadb() with
 * JSON_REJECT_DUPLICATES: the same documents refused, the same values
 * (tests/jwt_json_oracle.h: members in the same order, integers told from
 * reals).
 */
static int
json_same(const char *doc, size_t len)
{
    int                              ok, rc;
    json_t                          *theirs;
    unsigned char                   *buf;
    ngx_http_ticketing_json_tape_t   tape;

    buf = malloc(len + 1);
    assert_non_null(buf);
    memcpy(buf, doc, len);
    buf[len] = 'X';

    rc = ngx_http_ticketing_json_parse(&tape, buf, len);
    theirs = json_loadb(doc, len, JSON_REJECT_DUPLICATES, NULL);

    if (theirs != NULL && !json_is_object(theirs)) {
        json_decref(theirs);
        theirs = NULL;
    }

    if (theirs != NULL && rc != 0 && memchr(doc, '\0', len) != NULL) {
        /*
         * the one difference: jansson skips a NUL byte right after a
         * number or a literal, the module refuses it
         */
        json_decref(theirs);
        theirs = NULL;
    }

    if ((rc == 0) != (theirs != NULL)) {
        fail_msg("json: %s where jansson %s: \"%.*s\"",
                 rc == 0 ? "accepted" : "refused",
                 theirs ? "accepts" : "refuses", (int) len, doc);
    }

    if (rc == 0 && !jwt_json_same(tape.values, theirs)) {
        fail_msg("json: \"%.*s\" gave other values than jansson", (int) len,
                 doc);
    }

    ok = rc == 0;

    ngx_http_ticketing_json_tape_free(&tape);
    json_decref(theirs);
    free(buf);

    return ok;
}


static void
json_nested(const char *open, const char *close, size_t n)
{
    char    *doc;
    size_t   i, len;

    doc = malloc((strlen(open) + 1) * n + 16);
    assert_non_null(doc);

    len = 0;
    memcpy(doc, "{\"a\":", 5);
    len += 5;

    for (i = 0; i < n; i++) {
        doc[len++] = open[0];
        if (open[1]) {
            memcpy(doc + len, open + 1, strlen(open + 1));
            len += strlen(open + 1);
        }
    }

    doc[len++] = '1';

    for (i = 0; i < n; i++) {
        doc[len++] = close[0];
    }

    doc[len++] = '}';

    json_same(doc, len);
    free(doc);
}


/*
 * An object of n members "k0".."k<n-1>" (arrays of two, so that the tape
 * outgrows its inline room), member "dup" named as member 0 unless -1.
 */
static void
json_keys(size_t n, long dup)
{
    char    *doc;
    size_t   i, len;

    doc = malloc(n * 24 + 16);
    assert_non_null(doc);

    len = 0;
    doc[len++] = '{';

    for (i = 0; i < n; i++) {
        len += sprintf(doc + len, "%s\"k%zu\":[%zu,\"v\"]", i ? "," : "",
                       (long) i == dup ? (size_t) 0 : i, i);
    }

    doc[len++] = '}';

    if (json_same(doc, len) != (dup < 0)) {
        fail_msg("json: %zu members, duplicate at %ld", n, dup);
    }

    free(doc);
}


static void
test_json_vs_jansson(void **state)
{
    char          doc[512];
    size_t        i, j, len, base_len, accepted;
    uint32_t      r;
    const char   *base;

    static const char  *docs[] = {
        "", " ", "{", "}", "{}", " \t\r\n{} \n", "{} x", "{}{}", "[]",
        "[{}]", "\"a\"", "1", "null", "{}\f", "\f{}", "{\"a\":1}",
        "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}",
        "{\"a\":1,\"b\":{\"a\":1}}", "{\"a\":1,}", "{,}", "{\"a\"}",
        "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":1 \"b\":2}",
        "{ \"a\" : [ 1 , 2 ,3 ] , \"b\" : { } }", "{\"a\":[1,]}",
        "{\"a\":[,1]}", "{\"a\":[}", "{\"a\":[1}", "{\"a\":{]}",
        "{\"\":1}", "{\"a\":\"\"}",
        "{\"a\":\"\\u00e9\\ud83d\\ude00\\n\\/\\\\\\\"\\b\\f\\r\\t\"}",
        "{\"a\":\"\\u00E9\\uD83D\\uDE00\"}", "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
        "{\"a\":\"\\ud800\\n\"}", "{\"a\":\"\\ud800\\udbff\"}",
        "{\"a\":\"\\ud800\\u\"}", "{\"a\":\"\\u0000\"}",
        "{\"\\u0000\":1}", "{\"a\\u0000b\":1}", "{\"a\":\"\\u00\"}",
        "{\"a\":\"\\u00g0\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\\"}",
        "{\"a\":\"\x01\"}", "{\"a\":\"\x1f\"}", "{\"a\":\"\x7f\"}",
        "{\"a\":\"\n\"}", "{\"a\":\"\t\"}", "{\"\xc3\xa9\":\"\xc3\xa9\"}",
        "{\"a\":\"\xc0\x80\"}", "{\"a\":\"\xc1\xbf\"}",
        "{\"a\":\"\xe0\x80\x80\"}", "{\"a\":\"\xe0\xa0\x80\"}",
        "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xed\x9f\xbf\"}",
        "{\"a\":\"\xef\xbf\xbf\"}", "{\"a\":\"\xf0\x8f\xbf\xbf\"}",
        "{\"a\":\"\xf0\x90\x80\x80\"}", "{\"a\":\"\xf4\x8f\xbf\xbf\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xf5\x80\x80\x80\"}",
        "{\"a\":\"\xe2\x82\"}", "{\"a\":\"\xe2\x82", "{\"a\":\"\x80\"}",
        "{\"a\":\"\xc3\"}", "{\"a\":\"\xc3\xc3\"}", "{\"a\":\"\xff\"}",
        "{\"a\":1}\xc3\xa9", "{\"a\":0}", "{\"a\":-0}", "{\"a\":01}",
        "{\"a\":-01}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":1.5}",
        "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e5}", "{\"a\":1E+5}",
        "{\"a\":1e-5}", "{\"a\":1e}", "{\"a\":1e+}", "{\"a\":1.e5}",
        "{\"a\":-0.0}", "{\"a\":0.1}", "{\"a\":1.7976931348623157e308}",
        "{\"a\":1e308}", "{\"a\":1e309}", "{\"a\":-1e400}",
        "{\"a\":1e-400}", "{\"a\":4.9e-324}", "{\"a\":2.5e-324}",
        "{\"a\":9223372036854775807}", "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775808}", "{\"a\":-9223372036854775809}",
        "{\"a\":99999999999999999999}", "{\"a\":00}",
        "{\"a\":123456789012345678901234567890.0}",
        "{\"a\":1x}", "{\"a\":1true}", "{\"a\":1 2}", "{\"a\":true}",
        "{\"a\":false}", "{\"a\":null}", "{\"a\":tru}", "{\"a\":nul}",
        "{\"a\":True}", "{\"a\":truex}", "{\"a\":nullnull}",
        "{\"a\":[true,false,null,1,1.0,\"x\",{},[]]}",
        "{\"exp\":1800000000,\"iat\":1.8e9,\"sub\":\"alice\"}",
        NULL
    };

    /* the first 17 are ASCII: the insertions */
    static const char  edits[] = "{}[]\":,.-+eE01\\u \x80\xc3\xed" "tfn9\0";

    (void) state;

    for (i = 0; docs[i]; i++) {
        json_same(docs[i], strlen(docs[i]));
    }

    /* a NUL byte inside the text */
    json_same("{\"a\":\"x\0y\"}", 11);
    json_same("{\"a\":1}\0", 8);
    json_same("{\"a\":1\0}", 8);

    /*
     * Duplicate names, compared pairwise up to 16 members and sorted
     * beyond: at either end, in the middle, or none; and a header of
     * thousands of members, which must cost n log n to refuse.
     */
    for (i = 1; i <= 40; i++) {
        json_keys(i, -1);

        if (i > 1) {
            json_keys(i, 1);
            json_keys(i, (long) i - 1);
            json_keys(i, (long) i / 2);
        }
    }

    json_keys(5000, -1);
    json_keys(5000, 4999);

    /* jansson's depth limit: 2048 levels */
    for (i = 2044; i <= 2050; i++) {
        json_nested("[", "]", i);
        json_nested("{\"b\":", "}", i);
    }

    /* random edits of a token payload */
    base = "{\"sub\":\"alice\",\"iat\":1800000000,\"exp\":1800003600.5,"
           "\"realm_access\":{\"roles\":[\"r\\u00e9le\",\"x\"]},"
           "\"aud\":[\"a\",\"b\"],\"n\":-12,\"t\":true,\"f\":null}";
    base_len = strlen(base);
    r = 12345;
    accepted = 0;

    for (i = 0; i < 20000; i++) {
        memcpy(doc, base, base_len);
        len = base_len;

        for (j = 0; j < 1 + i % 3; j++) {
            r = r * 1103515245 + 12345;

            switch ((r >> 8) % 3) {
            case 0:
                doc[(r >> 12) % len] = edits[(r >> 20) % (sizeof(edits) - 1)];
                break;

            case 1:
                if (len > 1) {
                    memmove(doc + (r >> 12) % len, doc + (r >> 12) % len + 1,
                            len - (r >> 12) % len - 1);
                    len--;
                }
                break;

            default:
                if (len < sizeof(doc) - 1) {
                    memmove(doc + (r >> 12) % len + 1, doc + (r >> 12) % len,
                            len - (r >> 12) % len);
                    doc[(r >> 12) % len] = edits[(r >> 20) % 17];
                    len++;
                }
            }
        }

        accepted += json_same(doc, len);
    }

    printf("json: %zu of 20000 edited payloads accepted by both\n",
           accepted);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_b64url),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_alg_names),
        cmocka_unit_test(test_claim_paths),
        cmocka_unit_test(test_key_loading),
        cmocka_unit_test(test_hmac_tokens),
        cmocka_unit_test(test_time_claims),
        cmocka_unit_test(test_iss_aud),
        cmocka_unit_test(test_public_keys),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_cache_ways),
        cmocka_unit_test(test_hmac_lengths),
        cmocka_unit_test(test_hmac_published),
        cmocka_unit_test(test_jwks_hygiene),
        cmocka_unit_test(test_pem_private),
        cmocka_unit_test(test_roca),
        cmocka_unit_test(test_lifetime),
        cmocka_unit_test(test_has_by),
        cmocka_unit_test(test_libjwt_differential),
        cmocka_unit_test(test_json_vs_jansson),
        cmocka_unit_test(test_key_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
