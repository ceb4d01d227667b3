
/*
 * ngx_http_ticketing_module: a gateway for the Ticketing API v2.
 * The shared header: configuration, request context, cross-file calls.
 */


#ifndef _NGX_HTTP_TICKETING_MODULE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_route.h"
#include "ngx_http_ticketing_error.h"
#include "ngx_http_ticketing_headers.h"

#include "ngx_http_ticketing_auth.h"
#include "ngx_http_ticketing_provider.h"
#include "ngx_http_ticketing_validate.h"
#include "ngx_http_ticketing_cache.h"
#include "ngx_http_ticketing_filter.h"
#include "ngx_http_ticketing_metrics.h"


/*
 * Each concern keeps its configuration in a struct of its own, declared in
 * its header, so that the concerns stay apart in the code.
 */

typedef struct {
    /* some location turned the gateway on: install handlers and filters */
    ngx_flag_t                             used;

    ngx_http_ticketing_auth_main_conf_t      auth;
    ngx_http_ticketing_provider_main_conf_t  provider;
    ngx_http_ticketing_cache_main_conf_t     cache;

    /* metrics (ngx_http_ticketing_metrics.c) */
    ngx_http_ticketing_metrics_main_conf_t   metrics;
} ngx_http_ticketing_main_conf_t;


typedef struct {
    ngx_flag_t                             gateway;

    ngx_http_ticketing_auth_loc_conf_t       auth;
    ngx_http_ticketing_provider_loc_conf_t   provider;
    ngx_http_ticketing_validate_loc_conf_t   validate;
    ngx_http_ticketing_cache_loc_conf_t      cache;
    ngx_http_ticketing_filter_loc_conf_t     filter;

    /*
     * configuration checks: the gateway was turned on in this location or
     * in an enclosing one (not inherited from the server or http level)
     */
    ngx_flag_t                             gateway_in_location;
} ngx_http_ticketing_loc_conf_t;


/* the steps of the access handler, in the order they run */
typedef enum {
    NGX_HTTP_TICKETING_STEP_ROUTE = 0,
    NGX_HTTP_TICKETING_STEP_AUTH,
    NGX_HTTP_TICKETING_STEP_PROVIDER,
    NGX_HTTP_TICKETING_STEP_VALIDATE,
    NGX_HTTP_TICKETING_STEP_CACHE,
    NGX_HTTP_TICKETING_STEP_PASS
} ngx_http_ticketing_step_e;


typedef struct {
    ngx_http_ticketing_route_t     route;
    ngx_http_ticketing_route_rc_e  route_rc;

    /* the next step of the access handler to run */
    ngx_http_ticketing_step_e      step;

    /* the request headers the steps decide on (ngx_http_ticketing_headers.c) */
    ngx_http_ticketing_headers_t   headers;

    /*
     * A step that refuses the request returns the HTTP status and leaves
     * here what was wrong (NUL-terminated, for detailMsg), or NULL.
     */
    const char                    *error_detail;

    /* the HTTP status of the error the gateway itself answered, or 0 */
    ngx_uint_t                     error_status;

    /*
     * Provider step: the canonical provider sent upstream, and the
     * organization (NULL when no organization is declared or none applies).
     */
    ngx_str_t                      provider;
    ngx_http_ticketing_org_t      *org;

    /*
     * Without declared organizations: the organization the organization
     * header carried to the upstream (cleaned), or empty.
     */
    ngx_str_t                      org_sent;

    /* validate step: the body read was started, the body is all there */
    unsigned                       body_reading:1;
    unsigned                       body_done:1;

    /* an error response being rewritten (ngx_http_ticketing_filter.c) */
    ngx_http_ticketing_filter_ctx_t  *filter;

    /* the identity the auth step established (ngx_http_ticketing_auth.c) */
    ngx_http_ticketing_auth_ctx_t  auth;

    /* the cache's state of a cacheable request (cache_lookup.c), or NULL */
    ngx_http_ticketing_cache_ctx_t  *cache;

    /*
     * The uniform error code the client received ("0004"), set by
     * ngx_http_ticketing_send_error() and the error filter: the value of
     * $ticketing_error_code (ngx_http_ticketing_metrics.c); or NULL.
     */
    const char                    *error_code;
} ngx_http_ticketing_ctx_t;


ngx_int_t ngx_http_ticketing_access_handler(ngx_http_request_t *r);
/* a step that returned NGX_DONE is entered again: it goes on or is done */
void ngx_http_ticketing_resume(ngx_http_request_t *r);

ngx_http_ticketing_ctx_t *ngx_http_ticketing_route_request(
    ngx_http_request_t *r);

ngx_int_t ngx_http_ticketing_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *detail, ngx_str_t *allow);
/* a whole response in one buffer: what every answer of the module's is */
ngx_int_t ngx_http_ticketing_send_buf(ngx_http_request_t *r,
    ngx_uint_t status, ngx_str_t *type, ngx_buf_t *b);

/* the request headers: the index, the one removal, addition, override */
ngx_http_ticketing_headers_t *ngx_http_ticketing_request_headers(
    ngx_http_request_t *r, ngx_http_ticketing_ctx_t *ctx);
ngx_int_t ngx_http_ticketing_remove_request_headers(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_uint_t kinds);
ngx_int_t ngx_http_ticketing_add_request_header(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_str_t *name, u_char *lowcase,
    ngx_uint_t hash, ngx_str_t *value);
ngx_int_t ngx_http_ticketing_set_request_header(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_uint_t kind, ngx_str_t *name,
    ngx_str_t *value);

ngx_int_t ngx_http_ticketing_drop_body(ngx_http_request_t *r,
    ngx_uint_t status);

/* a directive's "name=value" argument: 1 and the value if "arg" is one */
ngx_uint_t ngx_http_ticketing_conf_param(ngx_str_t *arg, const char *name,
    ngx_str_t *value);

ngx_int_t ngx_http_ticketing_add_variables(ngx_conf_t *cf);
ngx_int_t ngx_http_ticketing_register_variables(ngx_conf_t *cf,
    ngx_http_variable_t *vars);


/*
 * The configuration hooks of each concern, called from
 * ngx_http_ticketing_module.c: each declares those it needs.
 */

ngx_int_t ngx_http_ticketing_auth_preconfiguration(ngx_conf_t *cf);
ngx_int_t ngx_http_ticketing_auth_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_main_conf_t *conf);
char *ngx_http_ticketing_auth_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_main_conf_t *conf);
ngx_int_t ngx_http_ticketing_auth_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *conf);
char *ngx_http_ticketing_auth_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *prev,
    ngx_http_ticketing_auth_loc_conf_t *conf);

ngx_int_t ngx_http_ticketing_provider_preconfiguration(ngx_conf_t *cf);
ngx_int_t ngx_http_ticketing_provider_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *conf);
char *ngx_http_ticketing_provider_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *conf);
ngx_int_t ngx_http_ticketing_provider_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_loc_conf_t *conf);
char *ngx_http_ticketing_provider_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_loc_conf_t *prev,
    ngx_http_ticketing_provider_loc_conf_t *conf);

ngx_int_t ngx_http_ticketing_validate_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_loc_conf_t *conf);
char *ngx_http_ticketing_validate_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_loc_conf_t *prev,
    ngx_http_ticketing_validate_loc_conf_t *conf);

ngx_int_t ngx_http_ticketing_cache_preconfiguration(ngx_conf_t *cf);
ngx_int_t ngx_http_ticketing_cache_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_main_conf_t *conf);
char *ngx_http_ticketing_cache_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_main_conf_t *conf);
ngx_int_t ngx_http_ticketing_cache_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_loc_conf_t *conf);
char *ngx_http_ticketing_cache_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_loc_conf_t *prev,
    ngx_http_ticketing_cache_loc_conf_t *conf);
void ngx_http_ticketing_cache_register_filters(void);

ngx_int_t ngx_http_ticketing_filter_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_loc_conf_t *conf);
char *ngx_http_ticketing_filter_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_loc_conf_t *prev,
    ngx_http_ticketing_filter_loc_conf_t *conf);
void ngx_http_ticketing_filter_register(void);


/*
 * The access steps.
 *
 * An access step returns NGX_OK to go on to the next step, an HTTP status
 * (>= 300) to refuse the request with the uniform error (ctx->error_detail
 * says why), NGX_ERROR for an internal failure (500), or NGX_DONE when it
 * has taken the request over: it either sent the response itself, or it
 * waits for I/O and will resume the pipeline by setting ctx->step and
 * calling ngx_http_core_run_phases().
 */

ngx_int_t ngx_http_ticketing_auth_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
ngx_int_t ngx_http_ticketing_auth_purge(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
ngx_int_t ngx_http_ticketing_auth_check_org(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, const u_char *org, size_t len);
ngx_int_t ngx_http_ticketing_provider_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
ngx_int_t ngx_http_ticketing_validate_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
ngx_int_t ngx_http_ticketing_cache_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
ngx_int_t ngx_http_ticketing_cache_init_redis(ngx_conf_t *cf);
ngx_int_t ngx_http_ticketing_cache_init_process(ngx_cycle_t *cycle);
void ngx_http_ticketing_cache_exit_process(ngx_cycle_t *cycle);


extern ngx_module_t  ngx_http_ticketing_module;


/*
 * Whether a request header is named "lowcase" (given in lower case).  A
 * request header always has its lower-cased name (nginx's proxy module
 * looks headers up by it too): comparing that is a memcmp().  Not for
 * response headers, whose lowcase_key nginx often leaves unset.
 *
 * "_" and "-" are the same here: with underscores_in_headers on,
 * "X_HTTP_Method_Override" reaches a CGI, FastCGI or WSGI upstream as the
 * very variable "X-HTTP-Method-Override" makes, so whatever the gateway
 * refuses, removes or overrides by name, it does in both spellings.
 */
static ngx_inline ngx_uint_t
ngx_http_ticketing_header_is(ngx_table_elt_t *h, u_char *lowcase, size_t len)
{
    u_char  a, b;
    size_t  i;

    if (h->key.len != len) {
        return 0;
    }

    if (ngx_memcmp(h->lowcase_key, lowcase, len) == 0) {
        return 1;
    }

    for (i = 0; i < len; i++) {
        a = h->lowcase_key[i];
        b = lowcase[i];

        if (a != b && !((a == '_' || a == '-') && (b == '_' || b == '-'))) {
            return 0;
        }
    }

    return 1;
}


/* whether a request header is one of "names" (lower case, null-ended) */
static ngx_inline ngx_uint_t
ngx_http_ticketing_header_is_one_of(ngx_table_elt_t *h, ngx_str_t *names)
{
    for ( /* void */ ; names->len; names++) {
        if (ngx_http_ticketing_header_is(h, names->data, names->len)) {
            return 1;
        }
    }

    return 0;
}


#endif /* _NGX_HTTP_TICKETING_MODULE_H_INCLUDED_ */
