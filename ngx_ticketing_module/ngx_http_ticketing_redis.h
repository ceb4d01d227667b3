
/*
 * One Redis connection per worker, on the module's client layer
 * (ngx_http_ticketing_peer.c: nginx's resolver, connect and SSL), with
 * hiredis for the protocol only (command formatting, redisReader).
 * Commands are pipelined; a circuit breaker keeps a failing Redis from
 * adding latency; nothing blocks.
 */


#ifndef _NGX_HTTP_TICKETING_REDIS_H_INCLUDED_
#define _NGX_HTTP_TICKETING_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>

#include "ngx_http_ticketing_peer.h"


typedef struct {
    /* the address; peer.name is the directive's, for logs */
    ngx_http_ticketing_peer_conf_t  peer;

    ngx_str_t                      username;     /* len 0: AUTH pass */
    ngx_str_t                      password;     /* len 0: no AUTH */
    ngx_int_t                      db;           /* 0: no SELECT */

    ngx_uint_t                     max_fails;
    ngx_msec_t                     fail_timeout;

    /* a reply buffered beyond this is refused (the connection dropped) */
    size_t                         max_reply;

    /* Sentinel: "sentinel:NAME" and ticketing_redis_sentinel */
    ngx_str_t                      master_name;
    ngx_array_t                   *sentinels;    /* peer_conf_t */
    ngx_str_t                      sentinel_username;
    ngx_str_t                      sentinel_password;

    /* Cluster: "peer" and "seeds" are nodes to learn the slot map from */
    ngx_flag_t                     cluster;
    ngx_array_t                   *seeds;        /* peer_conf_t, or NULL */
} ngx_http_ticketing_redis_conf_t;


/* a reply, or NULL when the connection went away before it */
typedef void (*ngx_http_ticketing_redis_handler_pt)(redisReply *reply,
    void *data);

/* init_process / exit_process */
ngx_int_t ngx_http_ticketing_redis_init(ngx_cycle_t *cycle,
    ngx_http_ticketing_redis_conf_t *rcf);
void ngx_http_ticketing_redis_done(ngx_cycle_t *cycle);

/*
 * Queues a command.  NGX_DECLINED: Redis is not usable right now (circuit
 * open, reconnect backoff, too many commands pending): do without it.
 * NGX_OK: "fn" will be called exactly once, with the reply or with NULL
 * when the connection is lost before the reply.
 */
ngx_int_t ngx_http_ticketing_redis_command(
    ngx_http_ticketing_redis_handler_pt fn, void *data, int argc,
    const char **argv, const size_t *argvlen);

/*
 * Whether ngx_http_ticketing_redis_command() could queue a command now,
 * without changing anything: NGX_DECLINED while the circuit is open, the
 * reconnection backs off or a probe is being made.  A caller checks it
 * before preparing a command (a key), so that an open circuit costs next
 * to nothing; NGX_OK does not promise that the command will be taken.
 */
ngx_int_t ngx_http_ticketing_redis_available(void);

/*
 * The same on every primary of a cluster (elsewhere: on the one server);
 * "fn" gets the integer replies summed, the first error, or NULL if a
 * primary could not be asked or did not answer.
 */
ngx_int_t ngx_http_ticketing_redis_command_all(
    ngx_http_ticketing_redis_handler_pt fn, void *data, int argc,
    const char **argv, const size_t *argvlen);

/* the outcome of a command, for the circuit breaker */
void ngx_http_ticketing_redis_success(void);
void ngx_http_ticketing_redis_failure(const char *why);


#endif /* _NGX_HTTP_TICKETING_REDIS_H_INCLUDED_ */
