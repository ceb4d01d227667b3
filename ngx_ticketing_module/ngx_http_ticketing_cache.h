
/*
 * The Redis cache of the metadata operations: lookup, store,
 * fail-open.
 */


#ifndef _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_redis.h"


/* TTLs indexed by the catalogue's operation number (1..27) */
#define NGX_HTTP_TICKETING_CACHE_NOPS   28


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
    ngx_msec_t                     ttl[NGX_HTTP_TICKETING_CACHE_NOPS];
    /* ngx_http_ticketing_cache_scope_e, and the claim's name */
    ngx_uint_t                     scope[NGX_HTTP_TICKETING_CACHE_NOPS];
    ngx_str_t                      claim[NGX_HTTP_TICKETING_CACHE_NOPS];
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


#endif /* _NGX_HTTP_TICKETING_CACHE_H_INCLUDED_ */
