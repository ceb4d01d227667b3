
/*
 * The error rewrite filters: every error a client receives through a
 * gateway location gets the uniform schema.
 */


#ifndef _NGX_HTTP_TICKETING_FILTER_H_INCLUDED_
#define _NGX_HTTP_TICKETING_FILTER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_filter_main_conf_t;


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_filter_loc_conf_t;


#endif /* _NGX_HTTP_TICKETING_FILTER_H_INCLUDED_ */
