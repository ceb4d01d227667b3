
/*
 * The Redis cache of the metadata operations: lookup, store,
 * fail-open.
 */


#ifndef _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_cache_main_conf_t;


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_cache_loc_conf_t;


#endif /* _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_ */
