
/*
 * The verified-token cache of a worker (ngx_http_ticketing_jwt_cache.h).
 *
 * Pure logic: this file includes no nginx header.
 */


#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <math.h>

#include "ngx_http_ticketing_jwt_cache.h"


typedef struct {
    const void                    *scope;
    unsigned char                 *token;      /* a copy, compared in full */
    size_t                         len;
    time_t                         until;
    uint64_t                       memo;
    ngx_http_ticketing_json_doc_t  *claims;    /* NULL: empty entry */
    uint32_t                       hits;       /* since made, halved */
    uint32_t                       used;       /* the cache's clock */
} ngx_http_ticketing_jwt_cache_entry_t;


struct ngx_http_ticketing_jwt_cache_s {
    size_t                                 buckets;
    size_t                                 ways;
    uint64_t                               seed;
    time_t                                 now;     /* of the last get */
    uint32_t                               clock;   /* one tick per use */

    /*
     * buckets * ways of each, bucket after bucket.  The tags apart: a
     * search reads its bucket's 8 tags (32 bytes) and touches an entry
     * only when a tag matches.
     */
    uint32_t                              *tags;
    ngx_http_ticketing_jwt_cache_entry_t  *entries;
};


ngx_http_ticketing_jwt_cache_t *
ngx_http_ticketing_jwt_cache_create(size_t size)
{
    size_t                           ways;
    ngx_http_ticketing_jwt_cache_t  *c;

    if (size == 0) {
        return NULL;
    }

    ways = size < NGX_HTTP_TICKETING_JWT_CACHE_WAYS
           ? size : NGX_HTTP_TICKETING_JWT_CACHE_WAYS;

    c = calloc(1, sizeof(ngx_http_ticketing_jwt_cache_t));
    if (c == NULL) {
        return NULL;
    }

    c->ways = ways;
    c->buckets = size / ways;

    c->tags = calloc(c->buckets * ways, sizeof(uint32_t));
    c->entries = calloc(c->buckets * ways,
                        sizeof(ngx_http_ticketing_jwt_cache_entry_t));

    if (c->tags == NULL || c->entries == NULL) {
        free(c->tags);
        free(c->entries);
        free(c);
        return NULL;
    }

    /* buckets differ between workers and runs (the heap is randomized) */
    c->seed = (uint64_t) (uintptr_t) c * 0x9e3779b97f4a7c15ULL;

    return c;
}


static void
ngx_http_ticketing_jwt_cache_clear(ngx_http_ticketing_jwt_cache_t *c,
    size_t i)
{
    ngx_http_ticketing_jwt_cache_entry_t  *e;

    e = &c->entries[i];

    ngx_http_ticketing_json_unref(e->claims);
    free(e->token);

    c->tags[i] = 0;

    e->claims = NULL;
    e->token = NULL;
    e->len = 0;
    e->hits = 0;
}


void
ngx_http_ticketing_jwt_cache_destroy(ngx_http_ticketing_jwt_cache_t *c)
{
    size_t  i;

    if (c == NULL) {
        return;
    }

    for (i = 0; i < c->buckets * c->ways; i++) {
        ngx_http_ticketing_jwt_cache_clear(c, i);
    }

    free(c->tags);
    free(c->entries);
    free(c);
}


static uint64_t
ngx_http_ticketing_jwt_cache_mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 32;

    return h;
}


/*
 * The hash of a token.  Only the scope, the length and the last bytes are
 * hashed: a token ends with its signature, which differs between any two
 * tokens that can be verified, and a lookup always compares the whole
 * token, so hashing less never makes a wrong hit, only (for forged
 * tokens) a miss.  Hashing 1 KB of RS256 token per request is what made
 * a cryptographic digest the most costly step of a cached request.
 */
static uint64_t
ngx_http_ticketing_jwt_cache_hash(ngx_http_ticketing_jwt_cache_t *c,
    const void *scope, const unsigned char *token, size_t len)
{
    size_t                n;
    uint64_t              h, w;
    const unsigned char  *p;

    h = ngx_http_ticketing_jwt_cache_mix(c->seed, (uint64_t) (uintptr_t) scope);
    h = ngx_http_ticketing_jwt_cache_mix(h, (uint64_t) len);

    n = len < 64 ? len : 64;
    p = token + len - n;

    while (n >= 8) {
        memcpy(&w, p, 8);
        h = ngx_http_ticketing_jwt_cache_mix(h, w);
        p += 8;
        n -= 8;
    }

    w = 0;

    if (n) {
        memcpy(&w, p, n);
        h = ngx_http_ticketing_jwt_cache_mix(h, w);
    }

    return ngx_http_ticketing_jwt_cache_mix(h, h >> 29);
}


/*
 * The bucket of a hash (its first entry) and the tag its entries keep:
 * the high half of the hash, never 0 (an empty entry's tag), so that a
 * search compares a token only when 32 bits of hash agree.
 */
static size_t
ngx_http_ticketing_jwt_cache_bucket(ngx_http_ticketing_jwt_cache_t *c,
    uint64_t h, uint32_t *tag)
{
    *tag = (uint32_t) (h >> 32) | 1;

    return (size_t) (h % c->buckets) * c->ways;
}


/* the entry of this scope and token in the bucket at "b", or -1 */
static ssize_t
ngx_http_ticketing_jwt_cache_find(ngx_http_ticketing_jwt_cache_t *c,
    size_t b, uint32_t tag, const void *scope, const unsigned char *token,
    size_t len)
{
    size_t                                 i;
    ngx_http_ticketing_jwt_cache_entry_t  *e;

    for (i = b; i < b + c->ways; i++) {
        if (c->tags[i] != tag) {
            continue;
        }

        e = &c->entries[i];

        if (e->claims != NULL
            && e->scope == scope
            && e->len == len
            && memcmp(e->token, token, len) == 0)
        {
            return (ssize_t) i;
        }
    }

    return -1;
}


ngx_http_ticketing_json_doc_t *
ngx_http_ticketing_jwt_cache_get(ngx_http_ticketing_jwt_cache_t *c,
    const void *scope, const unsigned char *token, size_t len, time_t now,
    uint64_t **memo)
{
    size_t                                 b, i;
    ssize_t                                n;
    uint32_t                               tag;
    ngx_http_ticketing_jwt_cache_entry_t  *e;

    if (memo != NULL) {
        *memo = NULL;
    }

    if (c == NULL) {
        return NULL;
    }

    c->now = now;
    c->clock++;

    b = ngx_http_ticketing_jwt_cache_bucket(c,
                   ngx_http_ticketing_jwt_cache_hash(c, scope, token, len),
                   &tag);

    n = ngx_http_ticketing_jwt_cache_find(c, b, tag, scope, token, len);
    if (n < 0) {
        return NULL;
    }

    e = &c->entries[n];

    if (now >= e->until) {
        ngx_http_ticketing_jwt_cache_clear(c, (size_t) n);
        return NULL;
    }

    if (e->hits >= NGX_HTTP_TICKETING_JWT_CACHE_HITS) {
        for (i = b; i < b + c->ways; i++) {
            c->entries[i].hits /= 2;
        }
    }

    e->hits++;
    e->used = c->clock;

    if (memo != NULL) {
        *memo = &e->memo;
    }

    return ngx_http_ticketing_json_ref(e->claims);
}


/*
 * The entry a put replaces in the bucket at "b": an empty or expired one,
 * else the one with the fewest hits, the least recently used of those
 * (the clock's distance, right across its wrap).
 */
static size_t
ngx_http_ticketing_jwt_cache_victim(ngx_http_ticketing_jwt_cache_t *c,
    size_t b)
{
    size_t                                 i, v;
    ngx_http_ticketing_jwt_cache_entry_t  *e, *ve;

    v = b;

    for (i = b; i < b + c->ways; i++) {
        e = &c->entries[i];

        if (e->claims == NULL || c->now >= e->until) {
            return i;
        }

        ve = &c->entries[v];

        if (e->hits < ve->hits
            || (e->hits == ve->hits
                && c->clock - e->used > c->clock - ve->used))
        {
            v = i;
        }
    }

    return v;
}


void
ngx_http_ticketing_jwt_cache_put(ngx_http_ticketing_jwt_cache_t *c,
    const void *scope, const unsigned char *token, size_t len,
    ngx_http_ticketing_json_doc_t *claims, time_t until, uint64_t **memo)
{
    size_t                                 b, i;
    ssize_t                                n;
    uint32_t                               tag;
    unsigned char                         *copy;
    ngx_http_ticketing_jwt_cache_entry_t  *e;

    if (memo != NULL) {
        *memo = NULL;
    }

    if (c == NULL || len == 0
        || len > NGX_HTTP_TICKETING_JWT_CACHE_MAX_TOKEN
        || claims->n > NGX_HTTP_TICKETING_JWT_CACHE_MAX_VALUES)
    {
        return;
    }

    copy = malloc(len);
    if (copy == NULL) {
        return;
    }

    memcpy(copy, token, len);

    c->clock++;

    b = ngx_http_ticketing_jwt_cache_bucket(c,
                   ngx_http_ticketing_jwt_cache_hash(c, scope, token, len),
                   &tag);

    /* the same token again (e.g. expired meanwhile): its entry is reused */
    n = ngx_http_ticketing_jwt_cache_find(c, b, tag, scope, token, len);

    i = n >= 0 ? (size_t) n : ngx_http_ticketing_jwt_cache_victim(c, b);

    /* the new reference first: the old claims may be the same object */
    claims = ngx_http_ticketing_json_ref(claims);

    ngx_http_ticketing_jwt_cache_clear(c, i);

    e = &c->entries[i];

    c->tags[i] = tag;

    e->scope = scope;
    e->token = copy;
    e->len = len;
    e->until = until;
    e->memo = 0;
    e->claims = claims;
    e->hits = 1;
    e->used = c->clock;

    if (memo != NULL) {
        *memo = &e->memo;
    }
}


/*
 * The claims are verified: "exp", when present, is a finite number (the
 * verification refuses anything else); still, only a number counts here.
 */
time_t
ngx_http_ticketing_jwt_cache_until(const ngx_http_ticketing_json_t *claims,
    time_t now, time_t leeway, time_t max_ttl)
{
    double                            exp, limit;
    const ngx_http_ticketing_json_t  *v;

    limit = (double) now + (double) max_ttl;

    v = ngx_http_ticketing_json_get(claims, "exp", 3);
    exp = ngx_http_ticketing_json_is_number(v)
          ? ngx_http_ticketing_json_double(v) : NAN;

    if (isfinite(exp) && exp + (double) leeway < limit) {
        return (exp + (double) leeway <= (double) now)
               ? now : (time_t) (exp + (double) leeway);
    }

    return (time_t) limit;
}
