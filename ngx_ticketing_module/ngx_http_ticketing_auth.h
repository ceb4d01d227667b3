
/*
 * Authentication and authorization: JWT (Bearer) or mTLS identity, the
 * API access role, the operation's permission, organization tenancy.
 */


#ifndef _NGX_HTTP_TICKETING_AUTH_H_INCLUDED_
#define _NGX_HTTP_TICKETING_AUTH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_auth_main_conf_t;


typedef struct {
    ngx_uint_t                     reserved;
} ngx_http_ticketing_auth_loc_conf_t;


#endif /* _NGX_HTTP_TICKETING_AUTH_H_INCLUDED_ */
