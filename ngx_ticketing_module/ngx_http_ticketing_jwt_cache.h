
/*
 * The verified-token cache: a bounded, per-worker map from a scope (the
 * location's configuration) and a whole token to the token's verified
 * claims, so that a repeated token is not verified again.
 *
 * Pure logic: this file includes no nginx header, so the unit tests and
 * the fuzzers link it without nginx.  No locks: one cache per worker.
 */


#ifndef _NGX_HTTP_TICKETING_JWT_CACHE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_JWT_CACHE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ngx_http_ticketing_jwt_json.h"


/*
 * A bounded cache of verified tokens (one per worker): an entry is found
 * by its scope (the location's configuration: a token verified for one
 * location is not trusted by another) and the whole token, and holds the
 * claims until "until" (never beyond the token's exp + leeway).
 *
 * Set-associative: the token's hash picks a bucket of
 * NGX_HTTP_TICKETING_JWT_CACHE_WAYS entries (all of them when "size" is
 * smaller), searched in full, so a lookup costs at most that many tag
 * compares and one full-token compare.  "size" is rounded down to a
 * multiple of the ways.  A put replaces, in its bucket: the entry of the
 * same scope and token; else an empty or expired one (by the clock of the
 * last get); else the one with the fewest hits, the least recently used
 * of those.  Hit counts saturate at NGX_HTTP_TICKETING_JWT_CACHE_HITS,
 * and then every count of the bucket is halved, so old popularity fades.
 *
 * "memo" (may be NULL) receives a word stored with the entry for the
 * caller's own use (which authorization checks the claims passed), zero
 * when the entry is made; it is valid until the next put or destroy (a
 * get never moves an entry).
 */
#define NGX_HTTP_TICKETING_JWT_CACHE_WAYS  8
#define NGX_HTTP_TICKETING_JWT_CACHE_HITS  255

/*
 * What an entry may hold: a put of a longer token, or of claims of more
 * JSON values, stores nothing (the token is verified every time).  The
 * claims cost 40 bytes a value besides their decoded text, so an entry
 * stays under about 12 KB (a typical 1.3 KB token with a few dozen
 * claims: about 3.5 KB), whatever a token holds.
 */
#define NGX_HTTP_TICKETING_JWT_CACHE_MAX_TOKEN   4096
#define NGX_HTTP_TICKETING_JWT_CACHE_MAX_VALUES  128

typedef struct ngx_http_ticketing_jwt_cache_s  ngx_http_ticketing_jwt_cache_t;

ngx_http_ticketing_jwt_cache_t *ngx_http_ticketing_jwt_cache_create(
    size_t size);
void ngx_http_ticketing_jwt_cache_destroy(ngx_http_ticketing_jwt_cache_t *c);

/* the cached claims (a new reference: ..._json_unref() it) or NULL */
ngx_http_ticketing_json_doc_t *ngx_http_ticketing_jwt_cache_get(
    ngx_http_ticketing_jwt_cache_t *c, const void *scope,
    const unsigned char *token, size_t len, time_t now, uint64_t **memo);

void ngx_http_ticketing_jwt_cache_put(ngx_http_ticketing_jwt_cache_t *c,
    const void *scope, const unsigned char *token, size_t len,
    ngx_http_ticketing_json_doc_t *claims, time_t until, uint64_t **memo);

/* until when verified claims may be cached: exp + leeway, at most max_ttl */
time_t ngx_http_ticketing_jwt_cache_until(
    const ngx_http_ticketing_json_t *claims, time_t now, time_t leeway,
    time_t max_ttl);


#endif /* _NGX_HTTP_TICKETING_JWT_CACHE_H_INCLUDED_ */
