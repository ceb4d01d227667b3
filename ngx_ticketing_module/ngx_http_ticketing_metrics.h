
/*
 * Metrics: counters in one shared memory zone, added up by every worker
 * with atomic operations, shown in the Prometheus text format.
 */


#ifndef _NGX_HTTP_TICKETING_METRICS_H_INCLUDED_
#define _NGX_HTTP_TICKETING_METRICS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_prom.h"


/* the events the other files count, one call each */
typedef enum {
    NGX_HTTP_TICKETING_M_REDIS_ERROR = 0,
    NGX_HTTP_TICKETING_M_REDIS_TIMEOUT,
    NGX_HTTP_TICKETING_M_REDIS_CONNECT,
    NGX_HTTP_TICKETING_M_TOKEN_CACHE_HIT,
    NGX_HTTP_TICKETING_M_TOKEN_CACHE_MISS,
    NGX_HTTP_TICKETING_M_JWKS_REFETCH,
    NGX_HTTP_TICKETING_M_NEVENTS
} ngx_http_ticketing_metrics_event_e;


typedef struct {
    /* ticketing_metrics_zone; NULL: no metrics, every hook does nothing */
    ngx_shm_zone_t                *zone;

    /* some location has "ticketing_metrics" */
    ngx_uint_t                     handler;
} ngx_http_ticketing_metrics_main_conf_t;


char *ngx_http_ticketing_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_metrics(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

ngx_int_t ngx_http_ticketing_metrics_preconfiguration(ngx_conf_t *cf);
char *ngx_http_ticketing_metrics_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_metrics_main_conf_t *conf);
ngx_int_t ngx_http_ticketing_metrics_postconfiguration(ngx_conf_t *cf);
ngx_int_t ngx_http_ticketing_metrics_init_process(ngx_cycle_t *cycle);
void ngx_http_ticketing_metrics_exit_process(ngx_cycle_t *cycle);

/* the hooks: they do nothing unless a zone is configured */
void ngx_http_ticketing_metrics_inc(ngx_http_ticketing_metrics_event_e ev);
/* this worker's Redis circuit opened (1) or closed (0) */
void ngx_http_ticketing_metrics_circuit(ngx_uint_t open);
/* the uniform error code the client receives, for $ticketing_error_code */
void ngx_http_ticketing_metrics_error_code(ngx_http_request_t *r,
    const char *code);


#endif /* _NGX_HTTP_TICKETING_METRICS_H_INCLUDED_ */
