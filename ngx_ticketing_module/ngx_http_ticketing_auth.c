
/*
 * Authentication and authorization: JWT (Bearer) or mTLS identity, the
 * API access role, the operation's permission, organization tenancy.
 */


#include "ngx_http_ticketing_module.h"


ngx_int_t
ngx_http_ticketing_auth_preconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_auth_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_main_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_auth_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_main_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_auth_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_auth_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *prev,
    ngx_http_ticketing_auth_loc_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_auth_postconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


/* authenticate and authorize the request (401 / 403) */
ngx_int_t
ngx_http_ticketing_auth_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    return NGX_OK;
}
