
/*
 * Unit tests of the JWT logic (ngx_http_ticketing_jwt.c): base64url,
 * splitting, algorithm names, claim paths, key loading (HMAC, PEM, JWKS),
 * algorithm pinning, signatures of every family and the registered claims.
 *
 * Tokens are built here: HMAC with OpenSSL's HMAC(), the others with keys
 * generated at run time and signed with EVP.
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
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "ngx_http_ticketing_jwt.h"


#define NOW      1800000000
#define SECRET   "0123456789abcdef0123456789abcdef"
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
    json_t      *claims;
    const char  *reason;

    reason = NULL;

    if (ngx_http_ticketing_jwt_verify((const unsigned char *) token,
                                      strlen(token), vf, &claims, &reason)
        == 0)
    {
        assert_non_null(claims);
        json_decref(claims);
        return NULL;
    }

    assert_non_null(reason);

    return reason;
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


static void
test_claim_paths(void **state)
{
    json_t  *c, *v;

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

    c = json_loads("{\"realm_access\":{\"roles\":[\"r1\",\"r2\"]},"
                   "\"resource_access\":{\"ticketing-mas\":{\"roles\":"
                   "[\"ticketing.access.allowed\"]}},"
                   "\"https://x.example/roles\":[\"x\"],"
                   "\"a.b\":\"dotted\",\"a\":{\"b\":\"nested\"},"
                   "\"scope\":\"openid  p1 p2\",\"n\":5}", 0, NULL);
    assert_non_null(c);

#define CLAIM(s) ngx_http_ticketing_jwt_claim(c, s, strlen(s))

    v = CLAIM("realm_access.roles");
    assert_true(json_is_array(v));
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "r2", 2), 1);
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "r", 1), 0);

    v = CLAIM("resource_access[\"ticketing-mas\"].roles");
    assert_int_equal(ngx_http_ticketing_jwt_has(v, "ticketing.access.allowed",
                                                24), 1);

    assert_string_equal(json_string_value(CLAIM("[\"a.b\"]")), "dotted");
    assert_string_equal(json_string_value(CLAIM("a.b")), "nested");
    assert_string_equal(json_string_value(CLAIM("a[\"b\"]")), "nested");
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

    json_decref(c);
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
    assert_int_equal(key.algs, NGX_HTTP_TICKETING_JWT_HMAC_ALGS);
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
                                            strlen(s), keys, 4, &n, err, \
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
    assert_int_equal(JWKS("{\"keys\":[{\"kty\":\"oct\",\"alg\":\"HS384\","
                          "\"kid\":\"k1\","
                          "\"k\":\"" K32 "\"},"
                          "{\"kty\":\"oct\",\"use\":\"enc\",\"k\":\"AA\"}]}"),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(keys[0].algs, NGX_HTTP_TICKETING_JWT_HS384);
    assert_string_equal(keys[0].kid, "k1");
    assert_int_equal(keys[0].secret_len, 32);
    ngx_http_ticketing_jwt_key_free(&keys[0]);

#undef JWKS
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
                         (const unsigned char *) SECRET, 32, err,
                         sizeof(err)), 0);
    vf_init(&vf, &key, 1);

    hs_token("SHA256", SECRET, 32, HS256, GOOD, t);
    assert_null(check(t, &vf));

    hs_token("SHA512", SECRET, 32, "{\"alg\":\"HS512\"}", GOOD, t);
    assert_null(check(t, &vf));

    /* the header says HS512, the MAC is HS256 */
    hs_token("SHA256", SECRET, 32, "{\"alg\":\"HS512\"}", GOOD, t);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    hs_token("SHA256", "wrong-secret-wrong-secret-wrong-s", 32, HS256, GOOD,
             t);
    assert_string_equal(check(t, &vf), "token signature is invalid");

    /* a tampered payload */
    hs_token("SHA256", SECRET, 32, HS256, GOOD, t);
    p = strchr(t, '.') + 1;
    p[3] ^= 1;
    assert_non_null(check(t, &vf));

    /* the algorithm pinned by the location */
    hs_token("SHA256", SECRET, 32, HS256, GOOD, t);
    vf.algs = NGX_HTTP_TICKETING_JWT_RS256 | NGX_HTTP_TICKETING_JWT_HS512;
    assert_string_equal(check(t, &vf), "token algorithm is not allowed here");
    vf.algs = NGX_HTTP_TICKETING_JWT_ALL_ALGS;

    /* alg none, empty signature */
    signing_input("{\"alg\":\"none\"}", GOOD, t);
    strcat(t, ".");
    assert_string_equal(check(t, &vf), "token has an empty signature");
    strcat(t, "AAAA");
    assert_string_equal(check(t, &vf), "token algorithm is not supported");

    hs_token("SHA256", SECRET, 32, HS256, GOOD, t);
    *(strrchr(t, '.') + 1) = '\0';
    assert_string_equal(check(t, &vf), "token has an empty signature");

    /* crit, kid of the wrong type, no alg */
    hs_token("SHA256", SECRET, 32, "{\"alg\":\"HS256\",\"crit\":[\"b64\"]}",
             GOOD, t);
    assert_non_null(strstr(check(t, &vf), "crit"));
    hs_token("SHA256", SECRET, 32, "{\"alg\":\"HS256\",\"kid\":5}", GOOD, t);
    assert_non_null(strstr(check(t, &vf), "kid"));
    hs_token("SHA256", SECRET, 32, "{\"typ\":\"JWT\"}", GOOD, t);
    assert_non_null(strstr(check(t, &vf), "alg"));

    /* a kid on the token, none on the key: the key still applies */
    hs_token("SHA256", SECRET, 32, "{\"alg\":\"HS256\",\"kid\":\"x\"}", GOOD,
             t);
    assert_null(check(t, &vf));

    /* size limit, checked first */
    hs_token("SHA256", SECRET, 32, HS256, GOOD, t);
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
    key_t_     keys[4];
    char       err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], pem[4096], t[TOKEN_MAX];
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
    char                             tok[64], twin[64];
    json_t                          *claims, *got;
    uint64_t                        *memo, *memo2;
    ngx_http_ticketing_jwt_cache_t  *c;

    (void) state;

    assert_null(ngx_http_ticketing_jwt_cache_create(0));
    memo = (uint64_t *) &a;
    assert_null(ngx_http_ticketing_jwt_cache_get(NULL, &a,
                    (const unsigned char *) "t", 1, NOW, &memo));
    assert_null(memo);

    c = ngx_http_ticketing_jwt_cache_create(8);
    assert_non_null(c);

    claims = json_loads("{\"sub\":\"alice\",\"exp\":1800000100}", 0, NULL);

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
    json_decref(got);

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
        json_decref(got);

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
        json_decref(got);

        for (i = 0; i < 99; i++) {
            snprintf(tok, sizeof(tok), "tok-%d", i);
            got = GET(&a, tok, NOW);

            if (got != NULL) {
                assert_ptr_equal(got, claims);
                json_decref(got);
            }
        }
    }

    /* until: exp + leeway, capped by the maximum TTL, never in the past */
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims, NOW, 30, 300),
                     1800000130);
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims, NOW, 30, 60),
                     NOW + 60);
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims, NOW + 500, 0,
                                                        60), NOW + 500);
    json_object_del(claims, "exp");
    assert_int_equal(ngx_http_ticketing_jwt_cache_until(claims, NOW, 30, 300),
                     NOW + 300);

#undef GET
#undef PUT

    ngx_http_ticketing_jwt_cache_destroy(c);
    json_decref(claims);
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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
