
/*
 * The ticketing-provider header and organizations: aliases, defaults,
 * per-organization upstreams.
 */


#ifndef _NGX_HTTP_TICKETING_PROVIDER_H_INCLUDED_
#define _NGX_HTTP_TICKETING_PROVIDER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_provider_main_conf_t;


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_provider_loc_conf_t;


#endif /* _NGX_HTTP_TICKETING_PROVIDER_H_INCLUDED_ */
