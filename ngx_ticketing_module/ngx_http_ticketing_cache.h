
/*
 * The Redis cache of the metadata operations, in five files:
 * ngx_http_ticketing_cache_conf.c (directives, worker start), _lookup.c
 * (the access step), _rfc9111.c (what may be stored, for how long),
 * _store.c (the output filters), _purge.c (the purge endpoint).
 */


#ifndef _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_redis.h"
#include "ngx_http_ticketing_cachekey.h"


typedef enum {
    NGX_HTTP_TICKETING_CACHE_NONE = 0,
    NGX_HTTP_TICKETING_CACHE_HIT,
    NGX_HTTP_TICKETING_CACHE_MISS,
    NGX_HTTP_TICKETING_CACHE_BYPASS,
    NGX_HTTP_TICKETING_CACHE_STALE
} ngx_http_ticketing_cache_status_e;


/* whom an operation's entries are for: ticketing_cache_scope */
typedef enum {
    NGX_HTTP_TICKETING_CACHE_SCOPE_UNSET = 0,
    /* one entry for every client */
    NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED,
    /* one entry per authenticated subject */
    NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT,
    /* one entry per value of a claim of the token */
    NGX_HTTP_TICKETING_CACHE_SCOPE_CLAIM
} ngx_http_ticketing_cache_scope_e;


typedef struct {
    /* NULL: no "ticketing_redis" */
    ngx_http_ticketing_redis_conf_t  *redis;
    ngx_str_t                         prefix;

    /* ticketing_redis_ssl* */
    ngx_http_ticketing_peer_ssl_t     redis_ssl;

    /* ticketing_redis_sentinel: peer_conf_t, and their credentials */
    ngx_array_t                      *sentinels;
    ngx_str_t                         sentinel_username;
    ngx_str_t                         sentinel_password;

    /* some location has "ticketing_cache on" */
    ngx_flag_t                        enabled;

    /* the largest ticketing_cache_max_size of those locations */
    size_t                            max_value;
} ngx_http_ticketing_cache_main_conf_t;


typedef struct {
    ngx_flag_t                     enable;
    ngx_flag_t                     client_bypass;
    ngx_msec_t                     timeout;
    size_t                         max_size;
    ngx_msec_t                     stale_if_error;
    ngx_msec_t                     lock_timeout;
    ngx_msec_t                     ttl[NGX_HTTP_TICKETING_NOPS];
    /* ngx_http_ticketing_cache_scope_e, and the claim's name */
    ngx_uint_t                     scope[NGX_HTTP_TICKETING_NOPS];
    ngx_str_t                      claim[NGX_HTTP_TICKETING_NOPS];
} ngx_http_ticketing_cache_loc_conf_t;


/* the commands of a lookup */
#define NGX_HTTP_TICKETING_CACHE_GET    0
#define NGX_HTTP_TICKETING_CACHE_LOCK   1
#define NGX_HTTP_TICKETING_CACHE_POLL   2
#define NGX_HTTP_TICKETING_CACHE_PURGE  3


typedef struct ngx_http_ticketing_cache_lookup_s
    ngx_http_ticketing_cache_lookup_t;


/* per request, in the request's pool */
typedef struct {
    ngx_str_t                          key;
    ngx_msec_t                         ttl;
    ngx_msec_t                         stale_if_error;
    ngx_http_ticketing_cache_status_e  status;

    /* an entry past its TTL, served if the upstream fails */
    ngx_str_t                          stale_type;
    ngx_str_t                          stale_language;
    ngx_str_t                          stale_body;
    unsigned long long                 stale_born;

    /* the upstream's Age of the answer being stored, in ms (0: none) */
    ngx_msec_t                         age;

    /* the command in flight, or NULL */
    ngx_http_ticketing_cache_lookup_t *lookup;

    /* request coalescing: the fill lock, waiting for another's fill */
    ngx_str_t                          lock_key;
    ngx_event_t                        poll;
    ngx_msec_t                         wait_until;

    /* the value being stored: malloc'd, freed by the pool's cleanup */
    u_char                            *value;
    size_t                             len;
    size_t                             size;
    size_t                             max;

    /* a purge: the glob pattern of the keys to delete */
    ngx_str_t                          pattern;

    /* what the command in flight is (NGX_HTTP_TICKETING_CACHE_*) */
    unsigned                           phase:2;
    /* the access step waits for Redis */
    unsigned                           waiting:1;
    /* this request holds the fill lock */
    unsigned                           locked:1;
    /* the entry is per subject or claim: "Vary: Authorization" is held */
    unsigned                           scoped:1;

    /* store the response once complete, if cacheable */
    unsigned                           store:1;
    /* the client's "Cache-Control: no-store": never stored, nor locked */
    unsigned                           no_store:1;
    /* the header filter accepted it: the body filter copies it */
    unsigned                           storing:1;
    /* the upstream failed: the stale entry replaces its answer */
    unsigned                           serving_stale:1;
    unsigned                           stale_sent:1;
} ngx_http_ticketing_cache_ctx_t;


char *ngx_http_ticketing_cache_redis_sentinel(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_ticketing_cache_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_cache_ttl(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_cache_purge(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_cache_scope(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);



/* between the cache's files */

#define NGX_HTTP_TICKETING_CACHE_MAX_TYPE   256

/* the worker is exiting: replies only free their records */
extern ngx_uint_t  ngx_http_ticketing_cache_exiting;

/* the values of $ticketing_cache_status, by status */
extern ngx_str_t   ngx_http_ticketing_cache_status_names[];

ngx_int_t ngx_http_ticketing_cache_send(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t phase);
ngx_int_t ngx_http_ticketing_cache_tenant(ngx_http_request_t *r,
    ngx_str_t *provider, ngx_str_t *org, const char **error);
unsigned long long ngx_http_ticketing_cache_now(void);
void ngx_http_ticketing_cache_cleanup(void *data);
ngx_int_t ngx_http_ticketing_cache_status_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
const char *ngx_http_ticketing_cache_rules(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
const char *ngx_http_ticketing_cache_language(ngx_http_request_t *r,
    ngx_str_t *lang);
ngx_int_t ngx_http_ticketing_cache_value(redisReply *rr,
    ngx_http_ticketing_cacheval_t *v);
ngx_int_t ngx_http_ticketing_cache_json_type(ngx_str_t *type);
u_char *ngx_http_ticketing_cache_token(u_char *p, u_char *end,
    ngx_str_t *name, ngx_str_t *arg);
ngx_uint_t ngx_http_ticketing_cache_upstream_header(
    ngx_http_request_t *r, char *name, ngx_table_elt_t **first);
ngx_int_t ngx_http_ticketing_cache_add_header(ngx_http_request_t *r,
    char *name, ngx_str_t *value);
ngx_int_t ngx_http_ticketing_cache_add_age(ngx_http_request_t *r,
    unsigned long long born);
void ngx_http_ticketing_cache_stop_storing(
    ngx_http_ticketing_cache_ctx_t *cctx);
void ngx_http_ticketing_cache_purge_done(ngx_http_request_t *r,
    redisReply *rr);


#endif /* _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_ */
