
/*
 * A JWKS fetched from a URL (or from the jwks_uri of an OpenID Connect
 * discovery document) and refreshed in the background, in every worker,
 * on nginx's events: never blocks the worker, never fails a request (the
 * last good key set stays in use when a refresh fails).  A token whose key
 * is not in the set makes a request fetch the set again (at most once per
 * refetch_interval) and wait for that fetch.
 */


#ifndef _NGX_HTTP_TICKETING_JWKS_H_INCLUDED_
#define _NGX_HTTP_TICKETING_JWKS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_jwt.h"


typedef struct ngx_http_ticketing_jwks_s       ngx_http_ticketing_jwks_t;

/* a request waiting for a fetch of the set (in the request's pool) */
typedef struct ngx_http_ticketing_jwks_wait_s  ngx_http_ticketing_jwks_wait_t;


/*
 * ticketing_jwks_url <url> [interval=] [timeout=] [max_size=]
 *     [refetch_interval=] [mixed_oct] [discovery]
 */
char *ngx_http_ticketing_jwks_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/*
 * Whether the key set is one a location with these ticketing_jwt_issuer
 * values (of ngx_http_ticketing_jwt_str_t, NULL: none) may use: with
 * "discovery", the "issuer" of the document the set came from must be one
 * of them; otherwise, and without issuers, any set.
 */
ngx_uint_t ngx_http_ticketing_jwks_issuer_accepted(
    ngx_http_ticketing_jwks_t *jwks, ngx_array_t *issuers);

/* the key set last fetched: NULL (and *n = 0) before the first success */
const ngx_http_ticketing_jwt_key_t *ngx_http_ticketing_jwks_keys(
    ngx_http_ticketing_jwks_t *jwks, size_t *n);

/* whether this worker has ever loaded a key set from the URL */
ngx_uint_t ngx_http_ticketing_jwks_loaded(ngx_http_ticketing_jwks_t *jwks);

/*
 * In the access phase, a token's key is not in the set, or no set is
 * loaded yet.  NGX_DONE: a fetch of the set runs (started now, or joined)
 * and the request waits for it; it is resumed with
 * ngx_http_core_run_phases() when the fetch ends or after the fetch's
 * timeout.  NGX_AGAIN: a fetch started and ended at once, look again.
 * NGX_DECLINED: no fetch to wait for (refetch_interval), answer now.
 * A request waits once at most: *wp, NULL at first, remembers it.
 */
ngx_int_t ngx_http_ticketing_jwks_wait(ngx_http_ticketing_jwks_t *jwks,
    ngx_http_request_t *r, ngx_http_ticketing_jwks_wait_t **wp);

/* whether the request still waits (re-entered by an event meanwhile) */
ngx_uint_t ngx_http_ticketing_jwks_waiting(ngx_http_ticketing_jwks_wait_t *w);

/* postconfiguration: TLS contexts, resolvers */
ngx_int_t ngx_http_ticketing_jwks_init_conf(ngx_conf_t *cf);

ngx_int_t ngx_http_ticketing_jwks_init_process(ngx_cycle_t *cycle);
void ngx_http_ticketing_jwks_exit_process(ngx_cycle_t *cycle);


#endif /* _NGX_HTTP_TICKETING_JWKS_H_INCLUDED_ */
