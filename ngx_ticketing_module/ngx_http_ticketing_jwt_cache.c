
/*
 * The verified-token cache of a worker (ngx_http_ticketing_jwt_cache.h).
 *
 * Pure logic: this file includes no nginx header.
 */


#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "ngx_http_ticketing_jwt_cache.h"


typedef struct {
    uint64_t                       hash;
    const void                    *scope;
    unsigned char                 *token;      /* a copy, compared in full */
    size_t                         len;
    time_t                         until;
    uint64_t                       memo;
    json_t                        *claims;     /* NULL: empty slot */
} ngx_http_ticketing_jwt_cache_entry_t;


struct ngx_http_ticketing_jwt_cache_s {
    size_t                                 size;
    uint64_t                               seed;
    ngx_http_ticketing_jwt_cache_entry_t  *entries;
};


ngx_http_ticketing_jwt_cache_t *
ngx_http_ticketing_jwt_cache_create(size_t size)
{
    ngx_http_ticketing_jwt_cache_t  *c;

    if (size == 0) {
        return NULL;
    }

    c = malloc(sizeof(ngx_http_ticketing_jwt_cache_t));
    if (c == NULL) {
        return NULL;
    }

    c->entries = calloc(size, sizeof(ngx_http_ticketing_jwt_cache_entry_t));
    if (c->entries == NULL) {
        free(c);
        return NULL;
    }

    c->size = size;

    /* slots differ between workers and runs (the heap is randomized) */
    c->seed = (uint64_t) (uintptr_t) c * 0x9e3779b97f4a7c15ULL;

    return c;
}


static void
ngx_http_ticketing_jwt_cache_clear(ngx_http_ticketing_jwt_cache_entry_t *e)
{
    json_decref(e->claims);
    free(e->token);

    e->claims = NULL;
    e->token = NULL;
    e->len = 0;
}


void
ngx_http_ticketing_jwt_cache_destroy(ngx_http_ticketing_jwt_cache_t *c)
{
    size_t  i;

    if (c == NULL) {
        return;
    }

    for (i = 0; i < c->size; i++) {
        ngx_http_ticketing_jwt_cache_clear(&c->entries[i]);
    }

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
 * The slot of a token.  Only the scope, the length and the last bytes are
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


json_t *
ngx_http_ticketing_jwt_cache_get(ngx_http_ticketing_jwt_cache_t *c,
    const void *scope, const unsigned char *token, size_t len, time_t now,
    uint64_t **memo)
{
    uint64_t                               h;
    ngx_http_ticketing_jwt_cache_entry_t  *e;

    if (memo != NULL) {
        *memo = NULL;
    }

    if (c == NULL) {
        return NULL;
    }

    h = ngx_http_ticketing_jwt_cache_hash(c, scope, token, len);
    e = &c->entries[h % c->size];

    if (e->claims == NULL
        || e->hash != h
        || e->scope != scope
        || e->len != len
        || memcmp(e->token, token, len) != 0)
    {
        return NULL;
    }

    if (now >= e->until) {
        ngx_http_ticketing_jwt_cache_clear(e);
        return NULL;
    }

    if (memo != NULL) {
        *memo = &e->memo;
    }

    return json_incref(e->claims);
}


void
ngx_http_ticketing_jwt_cache_put(ngx_http_ticketing_jwt_cache_t *c,
    const void *scope, const unsigned char *token, size_t len,
    json_t *claims, time_t until, uint64_t **memo)
{
    uint64_t                               h;
    unsigned char                         *copy;
    ngx_http_ticketing_jwt_cache_entry_t  *e;

    if (memo != NULL) {
        *memo = NULL;
    }

    if (c == NULL || len == 0) {
        return;
    }

    copy = malloc(len);
    if (copy == NULL) {
        return;
    }

    memcpy(copy, token, len);

    h = ngx_http_ticketing_jwt_cache_hash(c, scope, token, len);
    e = &c->entries[h % c->size];

    ngx_http_ticketing_jwt_cache_clear(e);

    e->hash = h;
    e->scope = scope;
    e->token = copy;
    e->len = len;
    e->until = until;
    e->memo = 0;
    e->claims = json_incref(claims);

    if (memo != NULL) {
        *memo = &e->memo;
    }
}


/*
 * The claims are verified: "exp", when present, is a finite number (the
 * verification refuses anything else); still, only a number counts here.
 */
time_t
ngx_http_ticketing_jwt_cache_until(json_t *claims, time_t now, time_t leeway,
    time_t max_ttl)
{
    double   exp, limit;
    json_t  *v;

    limit = (double) now + (double) max_ttl;

    v = json_object_get(claims, "exp");
    exp = (v != NULL && json_is_number(v)) ? json_number_value(v) : NAN;

    if (isfinite(exp) && exp + (double) leeway < limit) {
        return (exp + (double) leeway <= (double) now)
               ? now : (time_t) (exp + (double) leeway);
    }

    return (time_t) limit;
}
