
/*
 * A JWKS fetched from a URL and refreshed in the background, in every
 * worker, on nginx's events: never blocks a request, never fails one (the
 * last good key set stays in use when a refresh fails).
 */


#ifndef _NGX_HTTP_TICKETING_JWKS_H_INCLUDED_
#define _NGX_HTTP_TICKETING_JWKS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_jwt.h"


typedef struct ngx_http_ticketing_jwks_s  ngx_http_ticketing_jwks_t;


/* ticketing_jwks_url <url> [interval=] [timeout=] [max_size=] */
char *ngx_http_ticketing_jwks_url(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* the key set last fetched: NULL (and *n = 0) before the first success */
const ngx_http_ticketing_jwt_key_t *ngx_http_ticketing_jwks_keys(
    ngx_http_ticketing_jwks_t *jwks, size_t *n);

/* postconfiguration: TLS contexts, resolvers */
ngx_int_t ngx_http_ticketing_jwks_init_conf(ngx_conf_t *cf);

ngx_int_t ngx_http_ticketing_jwks_init_process(ngx_cycle_t *cycle);
void ngx_http_ticketing_jwks_exit_process(ngx_cycle_t *cycle);


#endif /* _NGX_HTTP_TICKETING_JWKS_H_INCLUDED_ */
