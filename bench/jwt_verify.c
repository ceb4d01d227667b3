
/*
 * `make bench-jwt`: the cost of verifying one RS256 token, libjwt 1.10's
 * jwt_decode() against the module's own verification
 * (ngx_http_ticketing_jwt_verify() on a key loaded once), on the same
 * token and the same RSA-2048 public key.  The README's "Design" section
 * quotes its figures.
 *
 * Rows:
 *   libjwt jwt_decode        what a module built on libjwt 1.10 would do
 *                            per request: the PEM key is parsed on every
 *                            call (libjwt keeps no parsed key)
 *   module, key per call     the module's verification plus loading the
 *                            PEM key each time: the same work as libjwt
 *   module, key loaded once  what the module does per request
 *
 * Then, per algorithm of the every-token rows of `make bench` (RS256,
 * PS256, ES256, EdDSA, HS256), on a token with the claims
 * t/tools/mint_jwt.py puts in by default (the API role and the 19
 * permissions, ~1 KB):
 *   module verify            ngx_http_ticketing_jwt_verify() with a key
 *                            from the loaders, claims freed
 *   signature alone          the physical limit: the EVP call on a context
 *                            made once, on a digest computed once (RSA,
 *                            ECDSA: what `openssl speed` times); EdDSA and
 *                            HMAC hash the signing input themselves
 *   digest of the input      RSA, ECDSA: hashing the signing input, which
 *                            the module pays on top of the signature
 *
 * Each row runs for BENCH_JWT_MS milliseconds (default 1000), five times;
 * the median is printed in microseconds per token.  Not a test: nothing
 * here fails on a number.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "ngx_http_ticketing_jwt.h"


#define BENCH_JWT_RUNS  5


typedef int (*bench_jwt_pt)(void);


static char                             bench_jwt_token[2048];
static char                             bench_jwt_pem[2048];
static ngx_http_ticketing_jwt_key_t     bench_jwt_key;
static ngx_http_ticketing_jwt_verify_t  bench_jwt_vf;


static size_t
bench_jwt_b64url(const unsigned char *in, size_t len, char *out)
{
    size_t  i, n;

    n = (size_t) EVP_EncodeBlock((unsigned char *) out, in, (int) len);

    while (n && out[n - 1] == '=') {
        n--;
    }

    for (i = 0; i < n; i++) {
        if (out[i] == '+') {
            out[i] = '-';

        } else if (out[i] == '/') {
            out[i] = '_';
        }
    }

    out[n] = '\0';

    return n;
}


static int
bench_jwt_libjwt(void)
{
    int     rc;
    jwt_t  *jwt;

    rc = jwt_decode(&jwt, bench_jwt_token,
                    (const unsigned char *) bench_jwt_pem,
                    (int) strlen(bench_jwt_pem));
    if (rc == 0) {
        jwt_free(jwt);
    }

    return rc;
}


static int
bench_jwt_module(void)
{
    ngx_http_ticketing_json_doc_t  *claims;

    if (ngx_http_ticketing_jwt_verify((const unsigned char *) bench_jwt_token,
                                      strlen(bench_jwt_token), &bench_jwt_vf,
                                      &claims)
        != NGX_HTTP_TICKETING_JWT_OK)
    {
        return -1;
    }

    ngx_http_ticketing_json_unref(claims);

    return 0;
}


static int
bench_jwt_module_pem(void)
{
    int                              rc;
    char                             err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];
    ngx_http_ticketing_json_doc_t   *claims;
    ngx_http_ticketing_jwt_key_t     key;
    ngx_http_ticketing_jwt_verify_t  vf;

    if (ngx_http_ticketing_jwt_key_pem(&key,
                                       (const unsigned char *) bench_jwt_pem,
                                       strlen(bench_jwt_pem), err,
                                       sizeof(err))
        != 0)
    {
        return -1;
    }

    vf = bench_jwt_vf;
    vf.keys = &key;

    rc = (ngx_http_ticketing_jwt_verify(
              (const unsigned char *) bench_jwt_token,
              strlen(bench_jwt_token), &vf, &claims)
          == NGX_HTTP_TICKETING_JWT_OK) ? 0 : -1;

    if (rc == 0) {
        ngx_http_ticketing_json_unref(claims);
    }

    ngx_http_ticketing_jwt_key_free(&key);

    return rc;
}


static double
bench_jwt_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static int
bench_jwt_cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return (x > y) - (x < y);
}


/* the median of the runs, in microseconds per call */
static double
bench_jwt_row(const char *name, bench_jwt_pt fn, double seconds)
{
    int       r;
    double    start, t, us[BENCH_JWT_RUNS];
    unsigned  n;

    for (r = 0; r < BENCH_JWT_RUNS; r++) {
        n = 0;
        start = bench_jwt_now();

        do {
            if (fn() != 0) {
                fprintf(stderr, "bench-jwt: %s refused the token\n", name);
                exit(1);
            }

            n++;
            t = bench_jwt_now() - start;
        } while (t < seconds);

        us[r] = t * 1e6 / n;
    }

    qsort(us, BENCH_JWT_RUNS, sizeof(double), bench_jwt_cmp);

    printf("%-26s %9.1f us/token\n", name, us[BENCH_JWT_RUNS / 2]);

    return us[BENCH_JWT_RUNS / 2];
}


/* ------------------------------------------------- per algorithm */


typedef struct {
    const char  *alg;
    const char  *type;       /* EVP_PKEY_Q_keygen(); NULL: an HMAC secret */
    const char  *md;         /* NULL: EdDSA */
    int          pss;
    size_t       ec_half;    /* ECDSA: bytes of r and of s */
    unsigned     bit;
} bench_jwt_alg_t;


static const bench_jwt_alg_t  bench_jwt_algs[] = {
    { "RS256", "RSA", "SHA256", 0, 0, NGX_HTTP_TICKETING_JWT_RS256 },
    { "PS256", "RSA", "SHA256", 1, 0, NGX_HTTP_TICKETING_JWT_PS256 },
    { "ES256", "EC", "SHA256", 0, 32, NGX_HTTP_TICKETING_JWT_ES256 },
    { "EdDSA", "ED25519", NULL, 0, 0, NGX_HTTP_TICKETING_JWT_EDDSA },
    { "HS256", NULL, "SHA256", 0, 0, NGX_HTTP_TICKETING_JWT_HS256 },
    { NULL, NULL, NULL, 0, 0, 0 }
};


static char            bench_jwt_input[4096];     /* header.payload */
static size_t          bench_jwt_input_len;
static unsigned char   bench_jwt_sig[512];        /* as EVP takes it */
static size_t          bench_jwt_sig_len;
static unsigned char   bench_jwt_digest[EVP_MAX_MD_SIZE];
static unsigned int    bench_jwt_digest_len;
static EVP_MD         *bench_jwt_md;
static EVP_PKEY_CTX   *bench_jwt_pctx;
static EVP_MD_CTX     *bench_jwt_ed;
static EVP_MAC_CTX    *bench_jwt_mac;


static int
bench_jwt_sig_pkey(void)
{
    return EVP_PKEY_verify(bench_jwt_pctx, bench_jwt_sig, bench_jwt_sig_len,
                           bench_jwt_digest, bench_jwt_digest_len) == 1
           ? 0 : -1;
}


static int
bench_jwt_sig_ed25519(void)
{
    /* as `openssl speed ed25519` does: one context, verified again */
    return EVP_DigestVerify(bench_jwt_ed, bench_jwt_sig, bench_jwt_sig_len,
                            (unsigned char *) bench_jwt_input,
                            bench_jwt_input_len) == 1
           ? 0 : -1;
}


static int
bench_jwt_sig_hmac(void)
{
    size_t         n;
    unsigned char  mac[EVP_MAX_MD_SIZE];

    return EVP_MAC_init(bench_jwt_mac, NULL, 0, NULL) == 1
           && EVP_MAC_update(bench_jwt_mac, (unsigned char *) bench_jwt_input,
                             bench_jwt_input_len) == 1
           && EVP_MAC_final(bench_jwt_mac, mac, &n, sizeof(mac)) == 1
           && n == bench_jwt_sig_len
           && memcmp(mac, bench_jwt_sig, n) == 0
           ? 0 : -1;
}


static int
bench_jwt_digest_row(void)
{
    unsigned int   n;
    unsigned char  d[EVP_MAX_MD_SIZE];

    return EVP_Digest(bench_jwt_input, bench_jwt_input_len, d, &n,
                      bench_jwt_md, NULL) == 1 ? 0 : -1;
}


/* the token of one algorithm, the module's key and the EVP contexts */
static int
bench_jwt_setup(const bench_jwt_alg_t *a)
{
    int             ok;
    BIO            *bio;
    char            err[NGX_HTTP_TICKETING_JWT_ERR_SIZE], header[64];
    char            claims[1024];
    size_t          n, slen, half;
    EVP_PKEY       *pkey;
    EVP_MD_CTX     *md;
    ECDSA_SIG      *es;
    OSSL_PARAM      params[2];
    EVP_PKEY_CTX   *pctx;
    unsigned char   secret[48], sig[512];
    const BIGNUM   *r, *s;
    const unsigned char  *p;

    static const char  perms[] =
        "\"ticketing.attachment.create\",\"ticketing.attachment.delete\","
        "\"ticketing.attachment.get\",\"ticketing.comment.create\","
        "\"ticketing.grid.update\",\"ticketing.issueLink.create\","
        "\"ticketing.issueLink.delete\",\"ticketing.issueLink.get\","
        "\"ticketing.issueLinkType.read\",\"ticketing.metadata.read\","
        "\"ticketing.remotelink.create\",\"ticketing.ticket.assign\","
        "\"ticketing.ticket.create\",\"ticketing.ticket.get\","
        "\"ticketing.ticket.iaSummary\",\"ticketing.ticket.search\","
        "\"ticketing.ticket.transition\",\"ticketing.ticket.transitions\","
        "\"ticketing.ticket.update\"";

    snprintf(header, sizeof(header), "{\"alg\":\"%s\",\"typ\":\"JWT\"}",
             a->alg);
    snprintf(claims, sizeof(claims),
             "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":%ld,"
             "\"realm_access\":{\"roles\":"
             "[\"ticketing-mas.ticketing.access.allowed\"]},"
             "\"permissions\":[%s]}",
             (long) time(NULL), (long) time(NULL) + 86400, perms);

    n = bench_jwt_b64url((const unsigned char *) header, strlen(header),
                         bench_jwt_input);
    bench_jwt_input[n++] = '.';
    n += bench_jwt_b64url((const unsigned char *) claims, strlen(claims),
                          bench_jwt_input + n);
    bench_jwt_input_len = n;

    pkey = NULL;
    slen = sizeof(sig);
    bench_jwt_md = a->md ? EVP_MD_fetch(NULL, a->md, NULL) : NULL;

    if (a->type == NULL) {
        if (RAND_bytes(secret, sizeof(secret)) != 1
            || EVP_Q_mac(NULL, "HMAC", NULL, a->md, NULL, secret,
                         sizeof(secret), (unsigned char *) bench_jwt_input,
                         n, sig, sizeof(sig), &slen) == NULL
            || ngx_http_ticketing_jwt_key_hmac(&bench_jwt_key, secret,
                                               sizeof(secret), err,
                                               sizeof(err)) != 0)
        {
            return -1;
        }

    } else {
        pkey = (strcmp(a->type, "RSA") == 0)
               ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048)
               : (strcmp(a->type, "EC") == 0)
               ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
               : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");

        md = EVP_MD_CTX_new();
        pctx = NULL;

        if (pkey == NULL || md == NULL
            || EVP_DigestSignInit(md, &pctx,
                                  a->md ? EVP_get_digestbyname(a->md) : NULL,
                                  NULL, pkey) != 1
            || (a->pss
                && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING)
                    != 1
                    || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
                                                 RSA_PSS_SALTLEN_DIGEST) != 1))
            || EVP_DigestSign(md, sig, &slen, (unsigned char *) bench_jwt_input,
                              n) != 1)
        {
            return -1;
        }

        EVP_MD_CTX_free(md);

        bio = BIO_new(BIO_s_mem());
        if (bio == NULL || PEM_write_bio_PUBKEY(bio, pkey) != 1) {
            return -1;
        }

        n = (size_t) BIO_read(bio, bench_jwt_pem, sizeof(bench_jwt_pem) - 1);
        bench_jwt_pem[n] = '\0';
        BIO_free(bio);

        if (ngx_http_ticketing_jwt_key_pem(&bench_jwt_key,
                                           (unsigned char *) bench_jwt_pem,
                                           n, err, sizeof(err)) != 0)
        {
            fprintf(stderr, "bench-jwt: %s\n", err);
            return -1;
        }
    }

    /* EVP's form of the signature, and the token's (ECDSA: r || s) */
    memcpy(bench_jwt_sig, sig, slen);
    bench_jwt_sig_len = slen;

    if (a->ec_half) {
        half = a->ec_half;
        p = sig;
        es = d2i_ECDSA_SIG(NULL, &p, (long) slen);
        if (es == NULL) {
            return -1;
        }

        ECDSA_SIG_get0(es, &r, &s);
        BN_bn2binpad(r, sig, (int) half);
        BN_bn2binpad(s, sig + half, (int) half);
        ECDSA_SIG_free(es);
        slen = 2 * half;
    }

    n = bench_jwt_input_len;
    memcpy(bench_jwt_token, bench_jwt_input, n);
    bench_jwt_token[n++] = '.';
    bench_jwt_b64url(sig, slen, bench_jwt_token + n);

    bench_jwt_vf.keys = &bench_jwt_key;
    bench_jwt_vf.nkeys = 1;
    bench_jwt_vf.algs = a->bit;
    bench_jwt_vf.max_size = 8192;
    bench_jwt_vf.now = time(NULL);
    bench_jwt_vf.leeway = 30;
    bench_jwt_vf.require_exp = 1;

    /* the contexts of the signature alone */
    ok = 0;

    if (a->type == NULL) {
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                     (char *) a->md, 0);
        params[1] = OSSL_PARAM_construct_end();
        bench_jwt_mac = EVP_MAC_CTX_new(EVP_MAC_fetch(NULL, "HMAC", NULL));
        ok = bench_jwt_mac != NULL
             && EVP_MAC_init(bench_jwt_mac, secret, sizeof(secret), params)
                == 1;

    } else if (a->md == NULL) {
        bench_jwt_ed = EVP_MD_CTX_new();
        ok = bench_jwt_ed != NULL
             && EVP_DigestVerifyInit(bench_jwt_ed, NULL, NULL, NULL, pkey)
                == 1;

    } else {
        bench_jwt_pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        ok = bench_jwt_pctx != NULL
             && EVP_PKEY_verify_init(bench_jwt_pctx) == 1
             && EVP_PKEY_CTX_set_signature_md(bench_jwt_pctx, bench_jwt_md)
                == 1
             && (!a->pss
                 || (EVP_PKEY_CTX_set_rsa_padding(bench_jwt_pctx,
                                                  RSA_PKCS1_PSS_PADDING) == 1
                     && EVP_PKEY_CTX_set_rsa_pss_saltlen(bench_jwt_pctx,
                                                RSA_PSS_SALTLEN_DIGEST) == 1))
             && EVP_Digest(bench_jwt_input, bench_jwt_input_len,
                           bench_jwt_digest, &bench_jwt_digest_len,
                           bench_jwt_md, NULL) == 1;
    }

    EVP_PKEY_free(pkey);

    return ok ? 0 : -1;
}


static void
bench_jwt_teardown(void)
{
    ngx_http_ticketing_jwt_key_free(&bench_jwt_key);
    EVP_PKEY_CTX_free(bench_jwt_pctx);
    EVP_MD_CTX_free(bench_jwt_ed);
    EVP_MAC_free(bench_jwt_mac ? EVP_MAC_CTX_get0_mac(bench_jwt_mac) : NULL);
    EVP_MAC_CTX_free(bench_jwt_mac);
    EVP_MD_free(bench_jwt_md);
    bench_jwt_pctx = NULL;
    bench_jwt_ed = NULL;
    bench_jwt_mac = NULL;
    bench_jwt_md = NULL;
}


static void
bench_jwt_algorithms(double seconds)
{
    double                  mod, sig, dig;
    const bench_jwt_alg_t  *a;

    printf("\nevery-token path per algorithm, token with the default claims "
           "of t/tools/mint_jwt.py\n");

    for (a = bench_jwt_algs; a->alg; a++) {
        if (bench_jwt_setup(a) != 0) {
            fprintf(stderr, "bench-jwt: %s: setup failed\n", a->alg);
            exit(1);
        }

        printf("%s, token of %zu bytes\n", a->alg, strlen(bench_jwt_token));

        mod = bench_jwt_row("  module verify", bench_jwt_module, seconds);
        sig = bench_jwt_row("  signature alone",
                            a->type == NULL ? bench_jwt_sig_hmac
                            : a->md == NULL ? bench_jwt_sig_ed25519
                            : bench_jwt_sig_pkey, seconds);
        dig = 0;

        if (a->type != NULL && a->md != NULL) {
            dig = bench_jwt_row("  digest of the input", bench_jwt_digest_row,
                                seconds);
        }

        printf("  module - signature: %.1f us (digest %.1f, the rest %.1f)"
               "\n", mod - sig, dig, mod - sig - dig);

        bench_jwt_teardown();
    }
}


int
main(void)
{
    BIO            *bio;
    char           *ms, err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];
    size_t          n, slen;
    double          seconds, lib, mod;
    EVP_PKEY       *pkey;
    EVP_MD_CTX     *md;
    unsigned char   sig[512];
    char            claims[128];

    static const char  header[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";

    ms = getenv("BENCH_JWT_MS");
    seconds = (ms ? atof(ms) : 1000) / 1000;

    pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 2048);
    if (pkey == NULL) {
        return 1;
    }

    bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PUBKEY(bio, pkey) != 1) {
        return 1;
    }

    n = (size_t) BIO_read(bio, bench_jwt_pem, sizeof(bench_jwt_pem) - 1);
    bench_jwt_pem[n] = '\0';
    BIO_free(bio);

    snprintf(claims, sizeof(claims),
             "{\"sub\":\"alice\",\"iat\":%ld,\"exp\":%ld}",
             (long) time(NULL), (long) time(NULL) + 3600);

    n = bench_jwt_b64url((const unsigned char *) header, sizeof(header) - 1,
                         bench_jwt_token);
    bench_jwt_token[n++] = '.';
    n += bench_jwt_b64url((const unsigned char *) claims, strlen(claims),
                          bench_jwt_token + n);

    md = EVP_MD_CTX_new();
    slen = sizeof(sig);

    if (md == NULL
        || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1
        || EVP_DigestSign(md, sig, &slen, (unsigned char *) bench_jwt_token,
                          n) != 1)
    {
        return 1;
    }

    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);

    bench_jwt_token[n++] = '.';
    bench_jwt_b64url(sig, slen, bench_jwt_token + n);

    if (ngx_http_ticketing_jwt_key_pem(&bench_jwt_key,
                                       (const unsigned char *) bench_jwt_pem,
                                       strlen(bench_jwt_pem), err,
                                       sizeof(err))
        != 0)
    {
        fprintf(stderr, "bench-jwt: %s\n", err);
        return 1;
    }

    bench_jwt_vf.keys = &bench_jwt_key;
    bench_jwt_vf.nkeys = 1;
    bench_jwt_vf.algs = NGX_HTTP_TICKETING_JWT_RS256;
    bench_jwt_vf.max_size = 8192;
    bench_jwt_vf.now = time(NULL);
    bench_jwt_vf.leeway = 30;
    bench_jwt_vf.require_exp = 1;

    printf("RS256, RSA-2048, token of %zu bytes; %s\n",
           strlen(bench_jwt_token), OpenSSL_version(OPENSSL_VERSION));

    lib = bench_jwt_row("libjwt 1.10 jwt_decode", bench_jwt_libjwt, seconds);
    (void) bench_jwt_row("module, key per call", bench_jwt_module_pem,
                         seconds);
    mod = bench_jwt_row("module, key loaded once", bench_jwt_module, seconds);

    printf("libjwt / module: %.2fx\n", lib / mod);

    ngx_http_ticketing_jwt_key_free(&bench_jwt_key);

    bench_jwt_algorithms(seconds);

    return 0;
}
