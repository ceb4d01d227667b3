
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
#include <openssl/evp.h>
#include <openssl/pem.h>

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
    json_t  *claims;

    if (ngx_http_ticketing_jwt_verify((const unsigned char *) bench_jwt_token,
                                      strlen(bench_jwt_token), &bench_jwt_vf,
                                      &claims)
        != NGX_HTTP_TICKETING_JWT_OK)
    {
        return -1;
    }

    json_decref(claims);

    return 0;
}


static int
bench_jwt_module_pem(void)
{
    int                              rc;
    char                             err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];
    json_t                          *claims;
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
        json_decref(claims);
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

    return 0;
}
