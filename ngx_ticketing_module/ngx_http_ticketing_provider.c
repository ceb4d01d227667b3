
/*
 * The ticketing-provider header and organizations: aliases, defaults,
 * per-organization upstreams.
 */


#include "ngx_http_ticketing_module.h"


ngx_int_t
ngx_http_ticketing_provider_preconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_provider_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_provider_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_provider_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_loc_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_provider_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_loc_conf_t *prev,
    ngx_http_ticketing_provider_loc_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_provider_postconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


/* normalize ticketing-provider, resolve the organization (400 / 404) */
ngx_int_t
ngx_http_ticketing_provider_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    return NGX_OK;
}
