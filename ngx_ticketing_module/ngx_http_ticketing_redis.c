
/*
 * One Redis connection per worker, attached to nginx's event loop.
 *
 * hiredis owns the socket: it connects, reads, writes and closes it.  The
 * socket is wrapped in an ngx_connection_t only to get nginx events for
 * it; when hiredis lets go of the context (its "cleanup" hook), the
 * ngx_connection_t is given back without closing the descriptor, which
 * hiredis closes right after.
 *
 * Nothing here holds a request: callers pass a record of their own as the
 * callback's privdata, and hiredis calls every queued callback exactly
 * once, with the reply or with NULL when the context goes away.
 */


#include <sys/ioctl.h>

#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_redis.h"


/* commands queued at once: beyond this Redis is too slow to be useful */
#define NGX_HTTP_TICKETING_REDIS_MAX_PENDING   1024

/* reads of hiredis' 16 KB in one go before yielding to other events */
#define NGX_HTTP_TICKETING_REDIS_MAX_READS     64

#define NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF   100


typedef struct {
    ngx_http_ticketing_redis_conf_t  *conf;
    ngx_log_t                        *log;

    redisAsyncContext                *ac;
    ngx_connection_t                 *conn;

    /* incremented whenever a connection is given back */
    ngx_uint_t                        generation;

    /* nesting of calls into hiredis */
    ngx_uint_t                        depth;

    ngx_uint_t                        pending;

    /* circuit breaker: consecutive failures, open until */
    ngx_uint_t                        fails;
    ngx_msec_t                        open_until;
    unsigned                          open:1;
    unsigned                          connected:1;

    /* reconnection backoff */
    ngx_msec_t                        backoff;
    ngx_msec_t                        next_connect;

    ngx_event_t                       connect_timer;
} ngx_http_ticketing_redis_t;


/* the callback and privdata of one queued command */
typedef struct {
    redisCallbackFn                  *fn;
    void                             *privdata;
} ngx_http_ticketing_redis_cb_t;


static void ngx_http_ticketing_redis_connect(void);
static void ngx_http_ticketing_redis_drop(void);
static void ngx_http_ticketing_redis_on_connect(const redisAsyncContext *ac,
    int status);
static void ngx_http_ticketing_redis_on_disconnect(
    const redisAsyncContext *ac, int status);
static void ngx_http_ticketing_redis_setup_reply(redisAsyncContext *ac,
    void *reply, void *privdata);
static void ngx_http_ticketing_redis_reply(redisAsyncContext *ac,
    void *reply, void *privdata);
static void ngx_http_ticketing_redis_connect_timeout(ngx_event_t *ev);
static void ngx_http_ticketing_redis_read_handler(ngx_event_t *rev);
static void ngx_http_ticketing_redis_write_handler(ngx_event_t *wev);
static void ngx_http_ticketing_redis_add_read(void *privdata);
static void ngx_http_ticketing_redis_del_read(void *privdata);
static void ngx_http_ticketing_redis_add_write(void *privdata);
static void ngx_http_ticketing_redis_del_write(void *privdata);
static void ngx_http_ticketing_redis_cleanup(void *privdata);
static void ngx_http_ticketing_redis_add_event(ngx_event_t *ev,
    ngx_int_t event);
static void ngx_http_ticketing_redis_del_event(ngx_event_t *ev,
    ngx_int_t event);


/* per worker; holds no request state */
static ngx_http_ticketing_redis_t  ngx_http_ticketing_redis;


ngx_int_t
ngx_http_ticketing_redis_parse_addr(ngx_pool_t *pool, ngx_str_t *addr,
    ngx_http_ticketing_redis_conf_t *rcf)
{
    u_char           *p, *last, *colon;
    ngx_int_t         port;
    struct in6_addr   a6;

    rcf->name = *addr;

    if (addr->len > 5 && ngx_strncmp(addr->data, "unix:", 5) == 0) {
        if (addr->len == 5 || addr->data[5] != '/') {
            return NGX_ERROR;
        }

        rcf->path = ngx_pnalloc(pool, addr->len - 5 + 1);
        if (rcf->path == NULL) {
            return NGX_ERROR;
        }

        ngx_cpystrn(rcf->path, addr->data + 5, addr->len - 5 + 1);

        return NGX_OK;
    }

    last = addr->data + addr->len;

    if (addr->len && addr->data[0] == '[') {
        p = ngx_strlchr(addr->data, last, ']');
        if (p == NULL || p + 1 == last || p[1] != ':') {
            return NGX_ERROR;
        }

        if (ngx_inet6_addr(addr->data + 1, p - addr->data - 1, a6.s6_addr)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        rcf->host = ngx_pnalloc(pool, p - addr->data);
        if (rcf->host == NULL) {
            return NGX_ERROR;
        }

        ngx_cpystrn(rcf->host, addr->data + 1, p - addr->data);
        colon = p + 1;

    } else {
        colon = NULL;

        for (p = addr->data; p < last; p++) {
            if (*p == ':') {
                colon = p;
            }
        }

        if (colon == NULL
            || ngx_inet_addr(addr->data, colon - addr->data) == INADDR_NONE)
        {
            /* host names are refused: resolving them would block */
            return NGX_ERROR;
        }

        rcf->host = ngx_pnalloc(pool, colon - addr->data + 1);
        if (rcf->host == NULL) {
            return NGX_ERROR;
        }

        ngx_cpystrn(rcf->host, addr->data, colon - addr->data + 1);
    }

    port = ngx_atoi(colon + 1, last - colon - 1);
    if (port < 1 || port > 65535) {
        return NGX_ERROR;
    }

    rcf->port = (int) port;

    return NGX_OK;
}


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

    rd->connect_timer.handler = ngx_http_ticketing_redis_connect_timeout;
    rd->connect_timer.log = cycle->log;
    rd->connect_timer.data = rd;
    rd->connect_timer.cancelable = 1;

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

    ngx_http_ticketing_redis_drop();

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    rd->conf = NULL;
}


ngx_int_t
ngx_http_ticketing_redis_command(redisCallbackFn *fn, void *privdata,
    int argc, const char **argv, const size_t *argvlen)
{
    int                             rc;
    ngx_http_ticketing_redis_t     *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_cb_t  *cb;

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
                      "trying again", &rd->conf->name);
    }

    if (rd->ac == NULL) {
        /*
         * Never connect from inside a hiredis callback: a connection being
         * torn down there may not be given back yet.
         */
        if (rd->depth
            || (ngx_msec_int_t) (rd->next_connect - ngx_current_msec) > 0)
        {
            return NGX_DECLINED;
        }

        ngx_http_ticketing_redis_connect();

        if (rd->ac == NULL) {
            return NGX_DECLINED;
        }
    }

    if (rd->ac->c.flags & (REDIS_DISCONNECTING|REDIS_FREEING)
        || rd->pending >= NGX_HTTP_TICKETING_REDIS_MAX_PENDING)
    {
        return NGX_DECLINED;
    }

    cb = ngx_alloc(sizeof(ngx_http_ticketing_redis_cb_t), rd->log);
    if (cb == NULL) {
        return NGX_DECLINED;
    }

    cb->fn = fn;
    cb->privdata = privdata;

    rd->depth++;
    rc = redisAsyncCommandArgv(rd->ac, ngx_http_ticketing_redis_reply, cb,
                               argc, argv, argvlen);
    rd->depth--;

    if (rc != REDIS_OK) {
        ngx_free(cb);
        return NGX_DECLINED;
    }

    rd->pending++;

    return NGX_OK;
}


/* every reply (or NULL) of a caller's command passes here */
static void
ngx_http_ticketing_redis_reply(redisAsyncContext *ac, void *reply,
    void *privdata)
{
    ngx_http_ticketing_redis_cb_t  *cb = privdata;

    redisCallbackFn  *fn;
    void             *data;

    ngx_http_ticketing_redis.pending--;

    fn = cb->fn;
    data = cb->privdata;
    ngx_free(cb);

    if (fn) {
        ngx_http_ticketing_redis.depth++;
        fn(ac, reply, data);
        ngx_http_ticketing_redis.depth--;
    }
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

    if (rd->fails < rd->conf->max_fails) {
        return;
    }

    rd->open = 1;
    rd->open_until = ngx_current_msec + rd->conf->fail_timeout;
    ngx_http_ticketing_metrics_circuit(1);

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V failed %ui times in a row "
                  "(last: %s): circuit open for %M ms",
                  &rd->conf->name, rd->fails, why, rd->conf->fail_timeout);

    /* what is queued on a failing connection would only wait: drop it */
    ngx_http_ticketing_redis_drop();
}


static void
ngx_http_ticketing_redis_connect(void)
{
    const char                  *err;
    ngx_connection_t            *c;
    redisAsyncContext           *ac;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_CONNECT);

    rd->next_connect = ngx_current_msec + rd->backoff;
    rd->backoff = ngx_min(rd->backoff * 2,
                          ngx_max(rd->conf->fail_timeout,
                                  NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF));
    rd->connected = 0;

    /* the address is numeric (checked at configuration): never resolves */

    if (rd->conf->path) {
        ac = redisAsyncConnectUnix((const char *) rd->conf->path);

    } else {
        ac = redisAsyncConnect((const char *) rd->conf->host,
                               rd->conf->port);
    }

    if (ac == NULL || ac->err) {
        err = ac ? ac->errstr : "out of memory";

        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis %V: connect failed: %s",
                      &rd->conf->name, err);

        if (ac) {
            redisAsyncFree(ac);
        }

        ngx_http_ticketing_redis_failure("connect failed");
        return;
    }

    c = ngx_get_connection(ac->c.fd, rd->log);
    if (c == NULL) {
        redisAsyncFree(ac);
        return;
    }

    c->data = ac;
    c->read->handler = ngx_http_ticketing_redis_read_handler;
    c->write->handler = ngx_http_ticketing_redis_write_handler;
    c->read->log = rd->log;
    c->write->log = rd->log;

    ac->ev.data = c;
    ac->ev.addRead = ngx_http_ticketing_redis_add_read;
    ac->ev.delRead = ngx_http_ticketing_redis_del_read;
    ac->ev.addWrite = ngx_http_ticketing_redis_add_write;
    ac->ev.delWrite = ngx_http_ticketing_redis_del_write;
    ac->ev.cleanup = ngx_http_ticketing_redis_cleanup;

    rd->ac = ac;
    rd->conn = c;

    /* waits for the first write event: the hooks must be set before */
    redisAsyncSetConnectCallback(ac, ngx_http_ticketing_redis_on_connect);
    redisAsyncSetDisconnectCallback(ac,
                                    ngx_http_ticketing_redis_on_disconnect);

    ngx_add_timer(&rd->connect_timer, rd->conf->connect_timeout);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis %V: connecting", &rd->conf->name);

    /* queued now, sent first once connected; the password is never logged */

    if (rd->conf->password.len) {
        redisAsyncCommand(ac, ngx_http_ticketing_redis_setup_reply, "AUTH",
                          "AUTH %b", rd->conf->password.data,
                          rd->conf->password.len);
    }

    if (rd->conf->db) {
        redisAsyncCommand(ac, ngx_http_ticketing_redis_setup_reply, "SELECT",
                          "SELECT %d", (int) rd->conf->db);
    }
}


/* gives the current context back to hiredis, which calls what is queued */
static void
ngx_http_ticketing_redis_drop(void)
{
    redisAsyncContext           *ac;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ac = rd->ac;
    if (ac == NULL) {
        return;
    }

    rd->ac = NULL;
    rd->connected = 0;

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    /* inside a callback hiredis defers the free until it returns */
    rd->depth++;
    redisAsyncFree(ac);
    rd->depth--;
}


static void
ngx_http_ticketing_redis_setup_reply(redisAsyncContext *ac, void *reply,
    void *privdata)
{
    redisReply                  *r = reply;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (r == NULL) {
        /* the connection went away: whoever waits is told by hiredis */
        return;
    }

    if (r->type == REDIS_REPLY_ERROR) {
        /* the reply names the command, never its arguments */
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis %V: %s failed: %s",
                      &rd->conf->name, (char *) privdata, r->str);

        ngx_http_ticketing_redis_failure((char *) privdata);

        if (rd->ac == ac) {
            ngx_http_ticketing_redis_drop();
        }
    }
}


/* called by hiredis not within a callback: it frees ac itself on error */
static void
ngx_http_ticketing_redis_on_connect(const redisAsyncContext *ac, int status)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->ac != ac) {
        return;
    }

    if (rd->connect_timer.timer_set) {
        ngx_del_timer(&rd->connect_timer);
    }

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis %V: connect failed: %s",
                      &rd->conf->name, ac->errstr);

        /* hiredis frees the context when this returns */
        rd->ac = NULL;

        rd->fails++;
        ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_ERROR);

        if (rd->fails >= rd->conf->max_fails && !rd->open) {
            rd->open = 1;
            rd->open_until = ngx_current_msec + rd->conf->fail_timeout;
            ngx_http_ticketing_metrics_circuit(1);

            ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                          "ticketing cache: redis %V failed %ui times in a "
                          "row (last: connect): circuit open for %M ms",
                          &rd->conf->name, rd->fails,
                          rd->conf->fail_timeout);
        }

        return;
    }

    rd->connected = 1;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis %V: connected", &rd->conf->name);
}


static void
ngx_http_ticketing_redis_on_disconnect(const redisAsyncContext *ac,
    int status)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (status != REDIS_OK) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis %V: connection lost: %s",
                      &rd->conf->name, ac->errstr);
    }

    if (rd->ac == ac) {
        rd->ac = NULL;
        rd->connected = 0;
    }
}


static void
ngx_http_ticketing_redis_connect_timeout(ngx_event_t *ev)
{
    ngx_http_ticketing_redis_t  *rd = ev->data;

    if (rd->ac == NULL || rd->connected) {
        return;
    }

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: connect timed out",
                  &rd->conf->name);

    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_TIMEOUT);

    ngx_http_ticketing_redis_drop();
    ngx_http_ticketing_redis_failure("connect timed out");
}


/*
 * hiredis reads at most 16 KB per call; under edge-triggered events a
 * larger reply would stall, so read until the socket is drained.
 */
static void
ngx_http_ticketing_redis_read_handler(ngx_event_t *rev)
{
    int                          avail;
    ngx_uint_t                   i, gen;
    ngx_connection_t            *c;
    redisAsyncContext           *ac;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    c = rev->data;
    ac = c->data;
    gen = rd->generation;

    for (i = 0; i < NGX_HTTP_TICKETING_REDIS_MAX_READS; i++) {

        rd->depth++;
        redisAsyncHandleRead(ac);
        rd->depth--;

        if (rd->generation != gen) {
            /* the context and this connection were given back */
            return;
        }

        if (ioctl(c->fd, FIONREAD, &avail) == -1 || avail <= 0) {
            return;
        }
    }

    /* more to read: go on after the other events */
    ngx_post_event(rev, &ngx_posted_events);
}


static void
ngx_http_ticketing_redis_write_handler(ngx_event_t *wev)
{
    ngx_connection_t            *c;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    c = wev->data;

    rd->depth++;
    redisAsyncHandleWrite(c->data);
    rd->depth--;
}


/* the hooks hiredis calls; they may be called repeatedly */

static void
ngx_http_ticketing_redis_add_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_http_ticketing_redis_add_event(c->read, NGX_READ_EVENT);
}


static void
ngx_http_ticketing_redis_del_read(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_http_ticketing_redis_del_event(c->read, NGX_READ_EVENT);
}


static void
ngx_http_ticketing_redis_add_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_http_ticketing_redis_add_event(c->write, NGX_WRITE_EVENT);
}


static void
ngx_http_ticketing_redis_del_write(void *privdata)
{
    ngx_connection_t  *c = privdata;

    ngx_http_ticketing_redis_del_event(c->write, NGX_WRITE_EVENT);
}


/*
 * hiredis is done with the context and closes the socket right after:
 * give the ngx_connection_t back without closing the descriptor.
 */
static void
ngx_http_ticketing_redis_cleanup(void *privdata)
{
    ngx_connection_t            *c = privdata;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ngx_http_ticketing_redis_del_event(c->read, NGX_READ_EVENT);
    ngx_http_ticketing_redis_del_event(c->write, NGX_WRITE_EVENT);

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    if (rd->conn == c) {
        rd->conn = NULL;

        if (rd->connect_timer.timer_set) {
            ngx_del_timer(&rd->connect_timer);
        }
    }

    if (rd->ac && rd->ac->ev.data == c) {
        rd->ac = NULL;
        rd->connected = 0;
    }

    rd->generation++;

    ngx_free_connection(c);

    /* as ngx_close_connection() does: stale events see fd -1 */
    c->fd = (ngx_socket_t) -1;
}


static void
ngx_http_ticketing_redis_add_event(ngx_event_t *ev, ngx_int_t event)
{
    ngx_connection_t  *c = ev->data;

    if (ev->active || c->fd == (ngx_socket_t) -1) {
        return;
    }

    if (ngx_add_event(ev, event,
                      (ngx_event_flags & NGX_USE_CLEAR_EVENT)
                      ? NGX_CLEAR_EVENT : NGX_LEVEL_EVENT)
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, ev->log, 0,
                      "ticketing cache: redis: adding an event failed");
    }
}


static void
ngx_http_ticketing_redis_del_event(ngx_event_t *ev, ngx_int_t event)
{
    ngx_connection_t  *c = ev->data;

    if (!ev->active || c->fd == (ngx_socket_t) -1) {
        return;
    }

    ngx_del_event(ev, event, 0);
}
