
/*
 * The error rewrite filters: every error a client receives through a
 * gateway location gets the uniform schema.
 */


#include "ngx_http_ticketing_module.h"


ngx_int_t
ngx_http_ticketing_filter_preconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_filter_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_main_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_filter_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_main_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_filter_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_loc_conf_t *conf)
{
    return NGX_OK;
}


char *
ngx_http_ticketing_filter_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_loc_conf_t *prev,
    ngx_http_ticketing_filter_loc_conf_t *conf)
{
    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_filter_postconfiguration(ngx_conf_t *cf)
{
    return NGX_OK;
}
