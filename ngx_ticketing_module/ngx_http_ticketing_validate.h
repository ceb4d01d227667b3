
/*
 * Request validation from the spec: query parameters and JSON bodies.
 */


#ifndef _NGX_HTTP_TICKETING_VALIDATE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_VALIDATE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_rules.h"


typedef struct {
    /* ticketing_validate on | off */
    ngx_flag_t                     enabled;
} ngx_http_ticketing_validate_loc_conf_t;


#endif /* _NGX_HTTP_TICKETING_VALIDATE_H_INCLUDED_ */
