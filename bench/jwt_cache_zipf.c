
/*
 * `make bench-jwt-cache`: the hit rate of the verified-token cache
 * (ngx_http_ticketing_jwt_cache.c, the module's own code) on the token
 * mix of the "realistic mix" bench row: 10,000 distinct tokens requested
 * by a Zipf law (s = 1.1), one scope, a fixed seed; and what an entry
 * costs in memory with a token and claims like the bench's.
 *
 *   jwt_cache_zipf [SIZE ...]         default: 1024 2048 4096 8192
 *
 * Deterministic but for the cache's own seed (bucket placement differs
 * between runs by a few hundredths of a percent).  The tokens are random
 * base64url text of an RS256 token's length: the cache never looks
 * inside one.  For each size: the hit rate after a warm-up, and the best
 * any cache of that size could do (the share of requests the SIZE most
 * frequent tokens hold).  Memory: glibc's mallinfo2() before and after
 * filling a cache.
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <malloc.h>

#include "ngx_http_ticketing_jwt_cache.h"


#define BENCH_TOKENS     10000
#define BENCH_TOKEN_LEN  1266        /* bench/mint_tokens.py RS256 */
#define BENCH_ZIPF_S     1.1
#define BENCH_SEED       20261206
#define BENCH_WARMUP     200000
#define BENCH_REQUESTS   2000000
#define BENCH_NOW        1800000000


/* the claims of the bench's tokens (t/tools/mint_jwt.py's defaults) */
static const char  *bench_claims =
    "{\"sub\":\"user-01234\",\"iat\":1800000000,\"exp\":1800086400,"
    "\"realm_access\":{\"roles\":"
    "[\"ticketing-mas.ticketing.access.allowed\"]},"
    "\"permissions\":[\"ticketing.attachment.create\","
    "\"ticketing.attachment.delete\",\"ticketing.attachment.get\","
    "\"ticketing.comment.create\",\"ticketing.grid.update\","
    "\"ticketing.issueLink.create\",\"ticketing.issueLink.delete\","
    "\"ticketing.issueLink.get\",\"ticketing.issueLinkType.read\","
    "\"ticketing.metadata.read\",\"ticketing.remotelink.create\","
    "\"ticketing.ticket.assign\",\"ticketing.ticket.create\","
    "\"ticketing.ticket.get\",\"ticketing.ticket.iaSummary\","
    "\"ticketing.ticket.search\",\"ticketing.ticket.transition\","
    "\"ticketing.ticket.transitions\",\"ticketing.ticket.update\"],"
    "\"orgs\":[\"yoigo\"]}";

static uint64_t        bench_rng = BENCH_SEED;
static double          bench_cdf[BENCH_TOKENS];
static unsigned char  *bench_tokens[BENCH_TOKENS];


/* xorshift64*: the same sequence on every machine */
static double
bench_random(void)
{
    bench_rng ^= bench_rng >> 12;
    bench_rng ^= bench_rng << 25;
    bench_rng ^= bench_rng >> 27;

    return (double) ((bench_rng * 0x2545f4914f6cdd1dULL) >> 11)
           / 9007199254740992.0;
}


/* a token's rank (0: the most frequent), by inverting the CDF */
static size_t
bench_zipf(void)
{
    size_t  lo, hi, mid;
    double  u;

    u = bench_random();
    lo = 0;
    hi = BENCH_TOKENS - 1;

    while (lo < hi) {
        mid = (lo + hi) / 2;

        if (bench_cdf[mid] < u) {
            lo = mid + 1;

        } else {
            hi = mid;
        }
    }

    return lo;
}


static void
bench_init(void)
{
    size_t             i, j;
    double             sum;
    static const char  b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    sum = 0;

    for (i = 0; i < BENCH_TOKENS; i++) {
        sum += 1.0 / pow((double) (i + 1), BENCH_ZIPF_S);
        bench_cdf[i] = sum;
    }

    /* the tokens from another sequence than the requests' */
    bench_rng = BENCH_SEED + 1;

    for (i = 0; i < BENCH_TOKENS; i++) {
        bench_cdf[i] /= sum;

        bench_tokens[i] = malloc(BENCH_TOKEN_LEN);
        if (bench_tokens[i] == NULL) {
            exit(2);
        }

        for (j = 0; j < BENCH_TOKEN_LEN; j++) {
            bench_tokens[i][j] = b64[(size_t) (bench_random() * 64)];
        }
    }
}


static int
bench_size(size_t size, ngx_http_ticketing_json_doc_t *claims)
{
    int                              scope;
    long                             n, hits;
    size_t                           k;
    ngx_http_ticketing_json_doc_t   *got;
    ngx_http_ticketing_jwt_cache_t  *c;

    c = ngx_http_ticketing_jwt_cache_create(size);
    if (c == NULL) {
        return -1;
    }

    bench_rng = BENCH_SEED;
    hits = 0;

    for (n = 0; n < BENCH_WARMUP + BENCH_REQUESTS; n++) {
        k = bench_zipf();

        got = ngx_http_ticketing_jwt_cache_get(c, &scope, bench_tokens[k],
                                               BENCH_TOKEN_LEN, BENCH_NOW,
                                               NULL);
        if (got != NULL) {
            ngx_http_ticketing_json_unref(got);
            hits += n >= BENCH_WARMUP;
            continue;
        }

        ngx_http_ticketing_jwt_cache_put(c, &scope, bench_tokens[k],
                                         BENCH_TOKEN_LEN, claims,
                                         BENCH_NOW + 3600, NULL);
    }

    printf("| %7zu | %7.2f%% | %7.2f%% |\n", size,
           100.0 * (double) hits / BENCH_REQUESTS,
           100.0 * bench_cdf[size < BENCH_TOKENS ? size - 1
                                                 : BENCH_TOKENS - 1]);

    ngx_http_ticketing_jwt_cache_destroy(c);

    return 0;
}


/* bytes per entry of a full cache of "size": table and filled entries */
static int
bench_memory(size_t size)
{
    int                              scope;
    size_t                           i, n;
    ngx_http_ticketing_json_doc_t   *claims, *got;
    struct mallinfo2                 m0, m1, m2;
    ngx_http_ticketing_jwt_cache_t  *c;

    m0 = mallinfo2();

    c = ngx_http_ticketing_jwt_cache_create(size);
    if (c == NULL) {
        return -1;
    }

    m1 = mallinfo2();

    for (i = 0; i < size && i < BENCH_TOKENS; i++) {
        /* each token its own claims, as verified ones are */
        claims = ngx_http_ticketing_json_load(bench_claims,
                                              strlen(bench_claims));
        if (claims == NULL) {
            return -1;
        }

        ngx_http_ticketing_jwt_cache_put(c, &scope, bench_tokens[i],
                                         BENCH_TOKEN_LEN, claims,
                                         BENCH_NOW + 3600, NULL);
        ngx_http_ticketing_json_unref(claims);
    }

    m2 = mallinfo2();

    /* the entries kept (a full bucket replaced some): found again */
    for (n = 0; i > 0; i--) {
        got = ngx_http_ticketing_jwt_cache_get(c, &scope,
                                               bench_tokens[i - 1],
                                               BENCH_TOKEN_LEN, BENCH_NOW,
                                               NULL);
        if (got != NULL) {
            ngx_http_ticketing_json_unref(got);
            n++;
        }
    }

    if (n == 0) {
        return -1;
    }

    printf("memory, %zu entries: table %.0f bytes per entry; %zu entries"
           " kept, %.0f bytes each (token %d, its claims, malloc's"
           " overhead); %.1f MB in all\n", size,
           (double) (m1.uordblks - m0.uordblks) / (double) size, n,
           (double) (m2.uordblks - m1.uordblks) / (double) n,
           BENCH_TOKEN_LEN,
           (double) (m2.uordblks - m0.uordblks) / 1048576.0);

    ngx_http_ticketing_jwt_cache_destroy(c);

    return 0;
}


int
main(int argc, char **argv)
{
    int      i;
    size_t   size;
    ngx_http_ticketing_json_doc_t  *claims;
    char    *end;

    static const size_t  sizes[] = { 1024, 2048, 4096, 8192 };

    bench_init();

    claims = ngx_http_ticketing_json_load(bench_claims,
                                          strlen(bench_claims));
    if (claims == NULL) {
        return 2;
    }

    printf("%d tokens of %d bytes, Zipf s = %.1f, %d requests after %d of"
           " warm-up\n\n", BENCH_TOKENS, BENCH_TOKEN_LEN, BENCH_ZIPF_S,
           BENCH_REQUESTS, BENCH_WARMUP);
    printf("| entries | hit rate | top-N share (best possible) |\n");
    printf("|---|---|---|\n");

    for (i = 1; i < argc || (argc == 1 && i <= 4); i++) {
        if (argc == 1) {
            size = sizes[i - 1];

        } else {
            size = strtoul(argv[i], &end, 10);
            if (*end != '\0' || size == 0) {
                fprintf(stderr, "invalid size \"%s\"\n", argv[i]);
                return 2;
            }
        }

        if (bench_size(size, claims) != 0) {
            return 1;
        }
    }

    printf("\n");

    if (bench_memory(argc == 1 ? 4096 : strtoul(argv[1], NULL, 10)) != 0) {
        return 1;
    }

    ngx_http_ticketing_json_unref(claims);

    return 0;
}
