
/*
 * Request validation from the spec: query parameters and JSON bodies.
 */


#include "ngx_http_ticketing_module.h"


ngx_int_t
ngx_http_ticketing_validate_preconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_validate_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_main_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_validate_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_main_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_validate_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_loc_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_validate_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_loc_conf_t *prev,
    ngx_http_ticketing_validate_loc_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_validate_postconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


/* validate the query and the body (400 / 413 / 415) */
ngx_int_t
ngx_http_ticketing_validate_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    return NGX_OK;
}
