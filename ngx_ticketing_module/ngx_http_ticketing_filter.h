
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
    /* ticketing_errors; NGX_CONF_UNSET: follows ticketing_gateway */
    ngx_flag_t                     errors;

    /* ticketing_error_buffer_size: how much of an error body is read */
    size_t                         buffer_size;

    /* ticketing_error_map: ngx_http_ticketing_error_kind_t, or NULL */
    ngx_array_t                   *map;
} ngx_http_ticketing_filter_loc_conf_t;


/* the state of a response being rewritten; in ngx_http_ticketing_ctx_t */
typedef struct ngx_http_ticketing_filter_ctx_s
    ngx_http_ticketing_filter_ctx_t;


extern ngx_conf_post_t  ngx_http_ticketing_filter_buffer_size_post;


char *ngx_http_ticketing_filter_errors(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_filter_error_map(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_TICKETING_FILTER_H_INCLUDED_ */
