
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


typedef struct {
    /* some location turned the gateway on: install the phase handler */
    ngx_flag_t                     used;
} ngx_http_ticketing_main_conf_t;


typedef struct {
    ngx_flag_t                     gateway;
} ngx_http_ticketing_loc_conf_t;


typedef struct {
    ngx_http_ticketing_route_t     route;
    ngx_http_ticketing_route_rc_e  route_rc;

    /* the HTTP status of the error the gateway itself answered, or 0 */
    ngx_uint_t                     error_status;
} ngx_http_ticketing_ctx_t;


ngx_int_t ngx_http_ticketing_access_handler(ngx_http_request_t *r);

ngx_http_ticketing_ctx_t *ngx_http_ticketing_route_request(
    ngx_http_request_t *r);

ngx_int_t ngx_http_ticketing_send_error(ngx_http_request_t *r,
    ngx_uint_t status, const char *detail, ngx_str_t *allow);

ngx_int_t ngx_http_ticketing_add_variables(ngx_conf_t *cf);


extern ngx_module_t  ngx_http_ticketing_module;


#endif /* _NGX_HTTP_TICKETING_MODULE_H_INCLUDED_ */
