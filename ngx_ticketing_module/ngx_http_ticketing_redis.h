
/*
 * One Redis connection per worker: hiredis' asynchronous API attached to
 * nginx's event loop, with what hiredis 0.14 lacks added here: connect
 * timeout on an nginx timer, reconnection with backoff, replies larger
 * than hiredis' 16 KB read size drained under edge-triggered events, no
 * double close of the socket, and a circuit breaker.
 */


#ifndef _NGX_HTTP_TICKETING_REDIS_H_INCLUDED_
#define _NGX_HTTP_TICKETING_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>


typedef struct {
    /* "127.0.0.1:6379" or "unix:/path", for logs */
    ngx_str_t                      name;

    /* a numeric IPv4/IPv6 address (NUL-terminated), or NULL */
    u_char                        *host;
    int                            port;

    /* a unix socket path (NUL-terminated), or NULL */
    u_char                        *path;

    ngx_str_t                      password;     /* len 0: no AUTH */
    ngx_int_t                      db;           /* 0: no SELECT */

    ngx_msec_t                     connect_timeout;
    ngx_uint_t                     max_fails;
    ngx_msec_t                     fail_timeout;
} ngx_http_ticketing_redis_conf_t;


/* parses "IP:port", "[IPv6]:port" or "unix:/path" (no host names) */
ngx_int_t ngx_http_ticketing_redis_parse_addr(ngx_pool_t *pool,
    ngx_str_t *addr, ngx_http_ticketing_redis_conf_t *rcf);

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
ngx_int_t ngx_http_ticketing_redis_command(redisCallbackFn *fn,
    void *privdata, int argc, const char **argv, const size_t *argvlen);

/* the outcome of a command, for the circuit breaker */
void ngx_http_ticketing_redis_success(void);
void ngx_http_ticketing_redis_failure(const char *why);


#endif /* _NGX_HTTP_TICKETING_REDIS_H_INCLUDED_ */
