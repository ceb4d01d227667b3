
/*
 * One Redis connection per worker.
 *
 * The connection is the module's client layer (resolver, connect, TLS);
 * commands are formatted by hiredis into one output buffer and pipelined;
 * replies are parsed by a redisReader and given, in order, to the
 * callbacks of a ring of pending commands.  Commands queued while the
 * connection is being made wait in the buffer behind AUTH and SELECT.
 *
 * Nothing here holds a request: callers pass a record of their own, and
 * every callback is called exactly once, with the reply or with NULL when
 * the connection goes away.  Writes happen from a posted event, never
 * inside ngx_http_ticketing_redis_command(), so that a callback never
 * runs before its command was accepted.
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_redis.h"


/* commands queued at once: beyond this Redis is too slow to be useful */
#define NGX_HTTP_TICKETING_REDIS_MAX_PENDING   1024

/* AUTH and SELECT come on top of those */
#define NGX_HTTP_TICKETING_REDIS_RING          (1024 + 2)

/* reads in one go before yielding to other events */
#define NGX_HTTP_TICKETING_REDIS_MAX_READS     64
#define NGX_HTTP_TICKETING_REDIS_READ_SIZE     16384

#define NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF   100


typedef struct {
    ngx_http_ticketing_redis_handler_pt   fn;
    void                                 *data;
} ngx_http_ticketing_redis_cb_t;


typedef struct {
    ngx_http_ticketing_redis_conf_t      *conf;
    ngx_log_t                            *log;

    ngx_http_ticketing_peer_t             peer;
    redisReader                          *reader;

    /* formatted commands not yet written */
    u_char                               *out;
    size_t                                out_len;
    size_t                                out_sent;
    size_t                                out_size;

    /* the callbacks of the commands queued, in order */
    ngx_http_ticketing_redis_cb_t         ring[NGX_HTTP_TICKETING_REDIS_RING];
    ngx_uint_t                            head;
    ngx_uint_t                            pending;

    /* incremented whenever the connection is dropped */
    ngx_uint_t                            generation;

    /* nesting of callbacks: no reconnecting from inside one */
    ngx_uint_t                            depth;

    /* circuit breaker: consecutive failures, open until */
    ngx_uint_t                            fails;
    ngx_msec_t                            open_until;
    unsigned                              open:1;

    /* a connection is being made or is up */
    unsigned                              active:1;
    unsigned                              connected:1;

    /* reconnection backoff */
    ngx_msec_t                            backoff;
    ngx_msec_t                            next_connect;
} ngx_http_ticketing_redis_t;


static void ngx_http_ticketing_redis_connect(void);
static void ngx_http_ticketing_redis_peer_handler(
    ngx_http_ticketing_peer_t *p, ngx_int_t rc);
static void ngx_http_ticketing_redis_ready(void);
static void ngx_http_ticketing_redis_drop(const char *why);
static ngx_int_t ngx_http_ticketing_redis_queue(
    ngx_http_ticketing_redis_handler_pt fn, void *data, int argc,
    const char **argv, const size_t *argvlen);
static void ngx_http_ticketing_redis_setup_reply(redisReply *r, void *data);
static void ngx_http_ticketing_redis_read_handler(ngx_event_t *rev);
static void ngx_http_ticketing_redis_write_handler(ngx_event_t *wev);
static ngx_int_t ngx_http_ticketing_redis_dispatch(void);
static void ngx_http_ticketing_redis_open_circuit(const char *why);


/* per worker; holds no request state */
static ngx_http_ticketing_redis_t  ngx_http_ticketing_redis;


ngx_int_t
ngx_http_ticketing_redis_init(ngx_cycle_t *cycle,
    ngx_http_ticketing_redis_conf_t *rcf)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ngx_memzero(rd, sizeof(ngx_http_ticketing_redis_t));

    rd->conf = rcf;
    rd->log = cycle->log;
    rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
    rd->next_connect = ngx_current_msec;

    rd->peer.conf = &rcf->peer;
    rd->peer.log = cycle->log;
    rd->peer.handler = ngx_http_ticketing_redis_peer_handler;
    rd->peer.data = rd;

    /* connect now, so that the first requests already find it */
    ngx_http_ticketing_redis_connect();

    return NGX_OK;
}


void
ngx_http_ticketing_redis_done(ngx_cycle_t *cycle)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->conf == NULL) {
        return;
    }

    ngx_http_ticketing_redis_drop(NULL);

    if (rd->out) {
        ngx_free(rd->out);
        rd->out = NULL;
    }

    rd->conf = NULL;
}


ngx_int_t
ngx_http_ticketing_redis_command(ngx_http_ticketing_redis_handler_pt fn,
    void *data, int argc, const char **argv, const size_t *argvlen)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->conf == NULL) {
        return NGX_DECLINED;
    }

    if (rd->open) {
        if ((ngx_msec_int_t) (rd->open_until - ngx_current_msec) > 0) {
            return NGX_DECLINED;
        }

        /* half-open: let commands through; one more failure reopens */
        rd->open = 0;
        ngx_http_ticketing_metrics_circuit(0);

        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "ticketing cache: redis %V: circuit half-open, "
                      "trying again", &rd->conf->peer.name);
    }

    if (!rd->active) {
        if (rd->depth
            || (ngx_msec_int_t) (rd->next_connect - ngx_current_msec) > 0)
        {
            return NGX_DECLINED;
        }

        ngx_http_ticketing_redis_connect();

        if (!rd->active) {
            return NGX_DECLINED;
        }
    }

    if (rd->pending >= NGX_HTTP_TICKETING_REDIS_MAX_PENDING) {
        return NGX_DECLINED;
    }

    return ngx_http_ticketing_redis_queue(fn, data, argc, argv, argvlen);
}


void
ngx_http_ticketing_redis_success(void)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    rd->fails = 0;
    rd->open = 0;
    ngx_http_ticketing_metrics_circuit(0);
    rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
}


void
ngx_http_ticketing_redis_failure(const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->conf == NULL || rd->open) {
        return;
    }

    rd->fails++;
    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_ERROR);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis failure %ui: %s", rd->fails, why);

    if (rd->fails >= rd->conf->max_fails) {
        ngx_http_ticketing_redis_open_circuit(why);
    }
}


static void
ngx_http_ticketing_redis_open_circuit(const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    rd->open = 1;
    rd->open_until = ngx_current_msec + rd->conf->fail_timeout;
    ngx_http_ticketing_metrics_circuit(1);

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V failed %ui times in a row "
                  "(last: %s): circuit open for %M ms",
                  &rd->conf->peer.name, rd->fails, why,
                  rd->conf->fail_timeout);

    /* what is queued on a failing connection would only wait: drop it */
    ngx_http_ticketing_redis_drop(NULL);
}


static void
ngx_http_ticketing_redis_connect(void)
{
    ngx_int_t                         rc;
    const char                       *argv[3];
    size_t                            argvlen[3];
    u_char                            db[NGX_INT_T_LEN];
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_conf_t  *rcf = rd->conf;

    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_CONNECT);

    rd->next_connect = ngx_current_msec + rd->backoff;
    rd->backoff = ngx_min(rd->backoff * 2,
                          ngx_max(rcf->fail_timeout,
                                  NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF));

    rd->reader = redisReaderCreate();
    if (rd->reader == NULL) {
        return;
    }

    rd->active = 1;
    rd->connected = 0;

    /* sent first once connected; the password is never logged */

    if (rcf->password.len) {
        argv[0] = "AUTH";
        argvlen[0] = 4;

        if (rcf->username.len) {
            argv[1] = (const char *) rcf->username.data;
            argvlen[1] = rcf->username.len;
        }

        argv[rcf->username.len ? 2 : 1] = (const char *) rcf->password.data;
        argvlen[rcf->username.len ? 2 : 1] = rcf->password.len;

        (void) ngx_http_ticketing_redis_queue(
                   ngx_http_ticketing_redis_setup_reply, "AUTH",
                   rcf->username.len ? 3 : 2, argv, argvlen);
    }

    if (rcf->db) {
        argv[0] = "SELECT";
        argvlen[0] = 6;
        argv[1] = (const char *) db;
        argvlen[1] = ngx_sprintf(db, "%i", rcf->db) - db;

        (void) ngx_http_ticketing_redis_queue(
                   ngx_http_ticketing_redis_setup_reply, "SELECT", 2, argv,
                   argvlen);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis %V: connecting", &rcf->peer.name);

    rc = ngx_http_ticketing_peer_open(&rd->peer);

    if (rc == NGX_OK) {
        ngx_http_ticketing_redis_ready();

    } else if (rc == NGX_ERROR) {
        ngx_http_ticketing_redis_peer_handler(&rd->peer, NGX_ERROR);
    }
}


static void
ngx_http_ticketing_redis_peer_handler(ngx_http_ticketing_peer_t *p,
    ngx_int_t rc)
{
    ngx_http_ticketing_redis_t  *rd = p->data;

    if (rc == NGX_OK) {
        ngx_http_ticketing_redis_ready();
        return;
    }

    if (rc == NGX_DECLINED) {
        /* the name moved: what is queued fails open, the next reconnects */
        rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
        rd->next_connect = ngx_current_msec;
        ngx_http_ticketing_redis_drop(NULL);
        return;
    }

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: connect failed: %s",
                  &rd->conf->peer.name, p->error);

    if (p->timedout) {
        ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_TIMEOUT);
    }

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_failure("connect failed");
}


static void
ngx_http_ticketing_redis_ready(void)
{
    ngx_connection_t            *c;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    c = rd->peer.pc.connection;

    c->read->handler = ngx_http_ticketing_redis_read_handler;
    c->write->handler = ngx_http_ticketing_redis_write_handler;

    rd->connected = 1;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis %V: connected",
                   &rd->conf->peer.name);

    if (rd->out_len > rd->out_sent) {
        ngx_post_event(c->write, &ngx_posted_events);
    }

    /* a reply may already be buffered by the TLS layer */
    ngx_post_event(c->read, &ngx_posted_events);
}


/*
 * Closes the connection and gives every pending callback NULL.  "why"
 * non-NULL: an unexpected loss, logged.
 */
static void
ngx_http_ticketing_redis_drop(const char *why)
{
    ngx_uint_t                      n;
    ngx_connection_t               *c;
    ngx_http_ticketing_redis_cb_t   cb;
    ngx_http_ticketing_redis_t     *rd = &ngx_http_ticketing_redis;

    if (!rd->active) {
        return;
    }

    if (why) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis %V: connection lost: %s",
                      &rd->conf->peer.name, why);
    }

    c = rd->peer.pc.connection;

    if (c) {
        if (c->read->posted) {
            ngx_delete_posted_event(c->read);
        }

        if (c->write->posted) {
            ngx_delete_posted_event(c->write);
        }
    }

    ngx_http_ticketing_peer_close(&rd->peer);

    rd->active = 0;
    rd->connected = 0;
    rd->generation++;
    rd->out_len = 0;
    rd->out_sent = 0;

    if (rd->reader) {
        redisReaderFree(rd->reader);
        rd->reader = NULL;
    }

    /* callbacks may queue commands: they are refused while depth > 0 */
    rd->depth++;

    for (n = rd->pending; n; n--) {
        cb = rd->ring[rd->head];
        rd->head = (rd->head + 1) % NGX_HTTP_TICKETING_REDIS_RING;
        rd->pending--;

        if (cb.fn) {
            cb.fn(NULL, cb.data);
        }
    }

    rd->depth--;
}


static ngx_int_t
ngx_http_ticketing_redis_queue(ngx_http_ticketing_redis_handler_pt fn,
    void *data, int argc, const char **argv, const size_t *argvlen)
{
    int                          len;
    char                        *cmd;
    u_char                      *out;
    size_t                       size;
    ngx_uint_t                   tail;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->pending >= NGX_HTTP_TICKETING_REDIS_RING) {
        return NGX_DECLINED;
    }

    len = redisFormatCommandArgv(&cmd, argc, argv, argvlen);
    if (len < 0) {
        return NGX_DECLINED;
    }

    if (rd->out_len + len > rd->out_size) {
        size = ngx_max(rd->out_size * 2, rd->out_len + len);
        size = ngx_max(size, 4096);

        out = ngx_alloc(size, rd->log);
        if (out == NULL) {
            redisFreeCommand(cmd);
            return NGX_DECLINED;
        }

        if (rd->out) {
            ngx_memcpy(out, rd->out, rd->out_len);
            ngx_free(rd->out);
        }

        rd->out = out;
        rd->out_size = size;
    }

    ngx_memcpy(rd->out + rd->out_len, cmd, len);
    rd->out_len += len;
    redisFreeCommand(cmd);

    tail = (rd->head + rd->pending) % NGX_HTTP_TICKETING_REDIS_RING;
    rd->ring[tail].fn = fn;
    rd->ring[tail].data = data;
    rd->pending++;

    if (rd->connected && !rd->peer.pc.connection->write->posted) {
        ngx_post_event(rd->peer.pc.connection->write, &ngx_posted_events);
    }

    return NGX_OK;
}


static void
ngx_http_ticketing_redis_setup_reply(redisReply *r, void *data)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (r == NULL || r->type != REDIS_REPLY_ERROR) {
        /* lost: whoever waits is told by the drop */
        return;
    }

    /* the reply names the command, never its arguments */
    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: %s failed: %s",
                  &rd->conf->peer.name, (char *) data, r->str);

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_failure((char *) data);
}


static void
ngx_http_ticketing_redis_write_handler(ngx_event_t *wev)
{
    ssize_t                      n;
    ngx_connection_t            *c = wev->data;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    while (rd->out_sent < rd->out_len) {
        n = c->send(c, rd->out + rd->out_sent, rd->out_len - rd->out_sent);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                ngx_http_ticketing_redis_drop("cannot wait to write");
            }

            return;
        }

        if (n == NGX_ERROR) {
            ngx_http_ticketing_redis_drop("write failed");
            return;
        }

        rd->out_sent += n;
    }

    rd->out_len = 0;
    rd->out_sent = 0;
}


static void
ngx_http_ticketing_redis_read_handler(ngx_event_t *rev)
{
    ssize_t                      n;
    ngx_uint_t                   i, gen;
    ngx_connection_t            *c = rev->data;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;
    u_char                       buf[NGX_HTTP_TICKETING_REDIS_READ_SIZE];

    gen = rd->generation;

    for (i = 0; i < NGX_HTTP_TICKETING_REDIS_MAX_READS; i++) {

        n = c->recv(c, buf, sizeof(buf));

        if (n == NGX_AGAIN) {
            if (ngx_handle_read_event(rev, 0) != NGX_OK) {
                ngx_http_ticketing_redis_drop("cannot wait to read");
            }

            return;
        }

        if (n == 0 || n == NGX_ERROR) {
            ngx_http_ticketing_redis_drop(n ? "read failed"
                                            : "closed by the server");
            return;
        }

        if (redisReaderFeed(rd->reader, (const char *) buf, n) != REDIS_OK) {
            ngx_http_ticketing_redis_drop("out of memory");
            return;
        }

        if (ngx_http_ticketing_redis_dispatch() != NGX_OK
            || rd->generation != gen)
        {
            return;
        }
    }

    /* more to read: go on after the other events */
    ngx_post_event(rev, &ngx_posted_events);
}


/* gives every complete reply to its callback */
static ngx_int_t
ngx_http_ticketing_redis_dispatch(void)
{
    void                           *reply;
    ngx_uint_t                      gen, reconnect;
    redisReply                     *r;
    ngx_http_ticketing_redis_cb_t   cb;
    ngx_http_ticketing_redis_t     *rd = &ngx_http_ticketing_redis;

    gen = rd->generation;

    for ( ;; ) {
        if (redisReaderGetReply(rd->reader, &reply) != REDIS_OK) {
            ngx_http_ticketing_redis_drop("a protocol error");
            return NGX_ERROR;
        }

        if (reply == NULL) {
            return NGX_OK;
        }

        r = reply;

        if (rd->pending == 0) {
            freeReplyObject(reply);
            ngx_http_ticketing_redis_drop("a reply to no command");
            return NGX_ERROR;
        }

        cb = rd->ring[rd->head];
        rd->head = (rd->head + 1) % NGX_HTTP_TICKETING_REDIS_RING;
        rd->pending--;

        /*
         * A demoted primary (READONLY) or a server still loading its data
         * (LOADING) will not get better on this connection.
         */
        reconnect = r->type == REDIS_REPLY_ERROR
                    && (ngx_strncmp(r->str, "READONLY", 8) == 0
                        || ngx_strncmp(r->str, "LOADING", 7) == 0);

        if (cb.fn) {
            rd->depth++;
            cb.fn(r, cb.data);
            rd->depth--;
        }

        freeReplyObject(reply);

        if (rd->generation != gen) {
            return NGX_ERROR;
        }

        if (reconnect) {
            rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
            rd->next_connect = ngx_current_msec;
            ngx_http_ticketing_redis_drop("the server is read-only or "
                                          "loading");
            return NGX_ERROR;
        }
    }
}
