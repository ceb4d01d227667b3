
/*
 * The Redis cache of the metadata operations: lookup, store,
 * fail-open.
 */


#include "ngx_http_ticketing_module.h"


ngx_int_t
ngx_http_ticketing_cache_preconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_cache_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_main_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_cache_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_main_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_cache_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_loc_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_cache_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_loc_conf_t *prev,
    ngx_http_ticketing_cache_loc_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_cache_postconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


/* look the response up in Redis (HIT: sent from the cache) */
ngx_int_t
ngx_http_ticketing_cache_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    return NGX_OK;
}


/* one Redis connection per worker */
ngx_int_t
ngx_http_ticketing_cache_init_process(ngx_cycle_t *cycle)
{
    return NGX_OK;
}


void
ngx_http_ticketing_cache_exit_process(ngx_cycle_t *cycle)
{
}
