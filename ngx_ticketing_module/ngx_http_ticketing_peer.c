
/*
 * Client connections on nginx's machinery: resolver, connect, SSL.
 *
 * A peer goes resolve -> connect -> handshake -> connected, under one
 * deadline.  Its owner learns the outcome from the return of
 * ngx_http_ticketing_peer_open() when it is known at once (a cached
 * name, a unix socket), else from its handler, never both: the steps
 * below may complete synchronously inside open(), so they record the
 * outcome while "opening" is set instead of calling back.
 *
 * While connected to a resolved name, the name is resolved again when its
 * TTL runs out; when the address in use is no longer among the answers
 * the owner is told to reconnect (managed Redis moves by DNS).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_peer.h"


#define NGX_HTTP_TICKETING_PEER_PENDING  0
#define NGX_HTTP_TICKETING_PEER_OK       1
#define NGX_HTTP_TICKETING_PEER_FAILED   2


static void ngx_http_ticketing_peer_resolve(ngx_http_ticketing_peer_t *p);
static ngx_int_t ngx_http_ticketing_peer_lookup(ngx_http_ticketing_peer_t *p,
    ngx_resolver_handler_pt handler);
static void ngx_http_ticketing_peer_resolved(ngx_resolver_ctx_t *ctx);
static void ngx_http_ticketing_peer_connect(ngx_http_ticketing_peer_t *p);
static void ngx_http_ticketing_peer_connect_handler(ngx_event_t *ev);
static void ngx_http_ticketing_peer_connected(ngx_http_ticketing_peer_t *p);
static void ngx_http_ticketing_peer_deadline(ngx_event_t *ev);
static void ngx_http_ticketing_peer_finish(ngx_http_ticketing_peer_t *p,
    ngx_int_t rc);
static void ngx_http_ticketing_peer_fail(ngx_http_ticketing_peer_t *p,
    const char *fmt, ...);
static void ngx_http_ticketing_peer_watch(ngx_http_ticketing_peer_t *p,
    time_t valid);
static void ngx_http_ticketing_peer_recheck(ngx_event_t *ev);
static void ngx_http_ticketing_peer_rechecked(ngx_resolver_ctx_t *ctx);

#if (NGX_SSL)
static void ngx_http_ticketing_peer_ssl_start(ngx_http_ticketing_peer_t *p);
static void ngx_http_ticketing_peer_ssl_handler(ngx_connection_t *c);
static void ngx_http_ticketing_peer_ssl_done(ngx_http_ticketing_peer_t *p);
static ngx_int_t ngx_http_ticketing_peer_is_ip(ngx_str_t *name);
#endif


/* ------------------------------------------------------- configuration */


ngx_conf_bitmask_t  ngx_http_ticketing_peer_ssl_protocols[] = {
    { ngx_string("TLSv1"), NGX_SSL_TLSv1 },
    { ngx_string("TLSv1.1"), NGX_SSL_TLSv1_1 },
    { ngx_string("TLSv1.2"), NGX_SSL_TLSv1_2 },
    { ngx_string("TLSv1.3"), NGX_SSL_TLSv1_3 },
    { ngx_null_string, 0 }
};


char *
ngx_http_ticketing_peer_parse(ngx_conf_t *cf, ngx_str_t *addr,
    in_port_t default_port, ngx_http_ticketing_peer_conf_t *pcf)
{
    pcf->clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    return (char *) ngx_http_ticketing_peer_parse_addr(cf->pool, addr,
                                                       default_port, pcf);
}


/* never blocks (no_resolve): also for addresses learnt at run time */
const char *
ngx_http_ticketing_peer_parse_addr(ngx_pool_t *pool, ngx_str_t *addr,
    in_port_t default_port, ngx_http_ticketing_peer_conf_t *pcf)
{
    u_char     *p;
    ngx_url_t   u;

    ngx_memzero(&u, sizeof(ngx_url_t));

    u.url = *addr;
    u.default_port = default_port;
    u.no_resolve = 1;

    pcf->name = *addr;

    if (ngx_parse_url(pool, &u) != NGX_OK) {
        return u.err ? u.err : "cannot be parsed";
    }

    if (u.uri.len) {
        return "has a path";
    }

    if (u.no_port && default_port == 0) {
        return "has no port";
    }

    if (u.naddrs) {
        /* unix: or an IPv6 literal */
        pcf->addr = u.addrs[0];
        return NULL;
    }

    if (ngx_parse_addr(pool, &pcf->addr, u.host.data, u.host.len) == NGX_OK) {
        ngx_inet_set_port(pcf->addr.sockaddr, u.port);
        pcf->addr.name = *addr;
        return NULL;
    }

    /* a host name: resolved at run time, with the http block's resolver */

    if (u.host.len == 0 || u.host.len > 253) {
        return "has an invalid host name";
    }

    for (p = u.host.data; p < u.host.data + u.host.len; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
              || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'
              || *p == '_'))
        {
            return "has an invalid host name";
        }
    }

    pcf->host = u.host;
    pcf->port = u.port;

    return NULL;
}


void
ngx_http_ticketing_peer_ssl_conf_init(ngx_http_ticketing_peer_ssl_t *ps)
{
    ngx_conf_init_value(ps->enable, 0);
    ngx_conf_init_value(ps->verify, 1);
    ngx_conf_init_uint_value(ps->verify_depth, 1);
    ngx_conf_init_value(ps->server_name, 1);

    if (ps->protocols == 0) {
        ps->protocols = NGX_CONF_BITMASK_SET|NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3;
    }

    if (ps->ciphers.data == NULL) {
        ngx_str_set(&ps->ciphers, "DEFAULT");
    }
}


char *
ngx_http_ticketing_peer_init_conf(ngx_conf_t *cf,
    ngx_http_ticketing_peer_conf_t *pcf, const char *directive)
{
    ngx_int_t  rc;

    rc = ngx_http_ticketing_peer_prepare(cf->pool, pcf);

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"%s %V\": a host name is resolved with nginx's "
                      "\"resolver\", and none is defined", directive,
                      &pcf->name);
    }

    return rc == NGX_OK ? NGX_CONF_OK : NGX_CONF_ERROR;
}


/* the name TLS checks, the resolver: at configuration or at run time */
ngx_int_t
ngx_http_ticketing_peer_prepare(ngx_pool_t *pool,
    ngx_http_ticketing_peer_conf_t *pcf)
{
    u_char          *p;
    size_t           len;
    ngx_resolver_t  *resolver;

    if (pcf->ssl && pcf->ssl->enable) {
        if (pcf->ssl->name.len) {
            pcf->ssl_name = pcf->ssl->name;

        } else if (pcf->host.len) {
            pcf->ssl_name = pcf->host;

        } else {
            p = ngx_pnalloc(pool, NGX_SOCKADDR_STRLEN);
            if (p == NULL) {
                return NGX_ERROR;
            }

            len = ngx_sock_ntop(pcf->addr.sockaddr, pcf->addr.socklen, p,
                                NGX_SOCKADDR_STRLEN, 0);

            /* "[::1]" is checked as "::1" */
            if (len > 2 && p[0] == '[') {
                p++;
                len -= 2;
            }

            pcf->ssl_name.data = p;
            pcf->ssl_name.len = len;
        }

        p = ngx_pnalloc(pool, pcf->ssl_name.len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, pcf->ssl_name.data, pcf->ssl_name.len);
        p[pcf->ssl_name.len] = '\0';
        pcf->ssl_name.data = p;
    }

    if (pcf->host.len == 0) {
        return NGX_OK;
    }

    resolver = pcf->clcf->resolver;

    /* the http block's own value is only merged into its servers */
    pcf->resolver_timeout = pcf->clcf->resolver_timeout;

    if (pcf->resolver_timeout == NGX_CONF_UNSET_MSEC) {
        pcf->resolver_timeout = 30000;
    }

    if (resolver == NULL || resolver->connections.nelts == 0) {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


char *
ngx_http_ticketing_peer_ssl_init(ngx_conf_t *cf,
    ngx_http_ticketing_peer_ssl_t *ps, const char *prefix)
{
#if (NGX_SSL)
    ngx_pool_cleanup_t  *cln;

    ps->ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (ps->ssl == NULL) {
        return NGX_CONF_ERROR;
    }

    ps->ssl->log = cf->log;

    if (ngx_ssl_create(ps->ssl, ps->protocols, NULL) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(ps->ssl);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = ps->ssl;

    if (ngx_ssl_ciphers(cf, ps->ssl, &ps->ciphers, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ps->certificate.len) {
        if (ps->certificate_key.len == 0) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "no \"%s_ssl_certificate_key\" is defined for "
                          "certificate \"%V\"", prefix, &ps->certificate);
            return NGX_CONF_ERROR;
        }

        if (ngx_ssl_certificate(cf, ps->ssl, &ps->certificate,
                                &ps->certificate_key, NULL)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    if (ps->verify) {
        if (ps->trusted_certificate.len == 0) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"%s_ssl_verify\" is on (the default) and no "
                          "\"%s_ssl_trusted_certificate\" is defined",
                          prefix, prefix);
            return NGX_CONF_ERROR;
        }

        if (ngx_ssl_trusted_certificate(cf, ps->ssl,
                                        &ps->trusted_certificate,
                                        ps->verify_depth)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;

#else

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                  "TLS to a %s peer needs nginx built with SSL", prefix);

    return NGX_CONF_ERROR;

#endif
}


/* ---------------------------------------------------------- connecting */


ngx_int_t
ngx_http_ticketing_peer_open(ngx_http_ticketing_peer_t *p)
{
    ngx_http_ticketing_peer_close(p);

    p->error = NULL;
    p->timedout = 0;
    p->outcome = NGX_HTTP_TICKETING_PEER_PENDING;
    p->opening = 1;

    p->deadline.handler = ngx_http_ticketing_peer_deadline;
    p->deadline.data = p;
    p->deadline.log = p->log;
    p->deadline.cancelable = 1;

    ngx_add_timer(&p->deadline, p->conf->connect_timeout);

    if (p->conf->host.len) {
        ngx_http_ticketing_peer_resolve(p);

    } else {
        ngx_memcpy(&p->sockaddr, p->conf->addr.sockaddr,
                   p->conf->addr.socklen);
        p->socklen = p->conf->addr.socklen;

        ngx_http_ticketing_peer_connect(p);
    }

    p->opening = 0;

    switch (p->outcome) {

    case NGX_HTTP_TICKETING_PEER_OK:
        return NGX_OK;

    case NGX_HTTP_TICKETING_PEER_FAILED:
        return NGX_ERROR;

    default:
        return NGX_AGAIN;
    }
}


void
ngx_http_ticketing_peer_close(ngx_http_ticketing_peer_t *p)
{
    ngx_pool_t        *pool;
    ngx_connection_t  *c;

    if (p->resolving) {
        ngx_resolve_name_done(p->resolving);
        p->resolving = NULL;
    }

    if (p->deadline.timer_set) {
        ngx_del_timer(&p->deadline);
    }

    if (p->recheck.timer_set) {
        ngx_del_timer(&p->recheck);
    }

    c = p->pc.connection;

    if (c != NULL) {
        pool = c->pool;

#if (NGX_SSL)
        if (c->ssl) {
            /* no close_notify round trip: nothing waits for it */
            c->ssl->no_wait_shutdown = 1;
            c->ssl->no_send_shutdown = 1;
            (void) ngx_ssl_shutdown(c);
        }
#endif

        ngx_close_connection(c);
        p->pc.connection = NULL;

        if (pool) {
            ngx_destroy_pool(pool);
        }
    }

    p->connected = 0;
}


static void
ngx_http_ticketing_peer_resolve(ngx_http_ticketing_peer_t *p)
{
    if (ngx_http_ticketing_peer_lookup(p, ngx_http_ticketing_peer_resolved)
        != NGX_OK)
    {
        ngx_http_ticketing_peer_fail(p, "cannot resolve \"%V\"",
                                     &p->conf->host);
    }
}


/* starts resolving the host name; "handler" may run before it returns */
static ngx_int_t
ngx_http_ticketing_peer_lookup(ngx_http_ticketing_peer_t *p,
    ngx_resolver_handler_pt handler)
{
    ngx_resolver_ctx_t  *ctx;

    ctx = ngx_resolve_start(p->conf->clcf->resolver, NULL);

    if (ctx == NULL || ctx == NGX_NO_RESOLVER) {
        return NGX_ERROR;
    }

    ctx->name = p->conf->host;
    ctx->handler = handler;
    ctx->data = p;
    ctx->timeout = p->conf->resolver_timeout;

    p->resolving = ctx;

    if (ngx_resolve_name(ctx) != NGX_OK) {
        /* the resolver freed the context */
        p->resolving = NULL;
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_ticketing_peer_resolved(ngx_resolver_ctx_t *ctx)
{
    ngx_http_ticketing_peer_t  *p = ctx->data;

    ngx_uint_t             i;
    ngx_resolver_addr_t   *a;

    p->resolving = NULL;

    if (ctx->state || ctx->naddrs == 0) {
        ngx_http_ticketing_peer_fail(p, "\"%V\" could not be resolved "
                                     "(%i: %s)", &p->conf->host,
                                     ctx->state,
                                     ngx_resolver_strerror(ctx->state));
        ngx_resolve_name_done(ctx);
        return;
    }

    /* several addresses: the next connection tries the next one */
    i = p->rotate++ % ctx->naddrs;
    a = &ctx->addrs[i];

    ngx_memcpy(&p->sockaddr, a->sockaddr, a->socklen);
    p->socklen = a->socklen;
    ngx_inet_set_port((struct sockaddr *) &p->sockaddr, p->conf->port);

    /* watched once connected */
    p->valid = ctx->valid;

    ngx_resolve_name_done(ctx);

    ngx_http_ticketing_peer_connect(p);
}


static void
ngx_http_ticketing_peer_connect(ngx_http_ticketing_peer_t *p)
{
    ngx_int_t          rc;
    ngx_connection_t  *c;

    p->addr_text.data = p->text;
    p->addr_text.len = ngx_sock_ntop((struct sockaddr *) &p->sockaddr,
                                     p->socklen, p->text,
                                     NGX_SOCKADDR_STRLEN, 1);

    ngx_memzero(&p->pc, sizeof(ngx_peer_connection_t));

    p->pc.sockaddr = (struct sockaddr *) &p->sockaddr;
    p->pc.socklen = p->socklen;
    p->pc.name = &p->addr_text;
    p->pc.get = ngx_event_get_peer;
    p->pc.log = p->log;
    p->pc.log_error = NGX_ERROR_ERR;

    rc = ngx_event_connect_peer(&p->pc);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        /* ngx_event_connect_peer() closed what it had opened */
        p->pc.connection = NULL;
        ngx_http_ticketing_peer_fail(p, "connect() to %V failed",
                                     &p->addr_text);
        return;
    }

    c = p->pc.connection;
    c->data = p;
    c->read->handler = ngx_http_ticketing_peer_connect_handler;
    c->write->handler = ngx_http_ticketing_peer_connect_handler;

    /* for the SSL layer; destroyed with the connection */
    c->pool = ngx_create_pool(1024, p->log);
    if (c->pool == NULL) {
        ngx_http_ticketing_peer_fail(p, "no memory");
        return;
    }

    if (rc == NGX_AGAIN) {
        return;
    }

    ngx_http_ticketing_peer_connected(p);
}


static void
ngx_http_ticketing_peer_connect_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c = ev->data;

    ngx_http_ticketing_peer_connected(c->data);
}


static void
ngx_http_ticketing_peer_connected(ngx_http_ticketing_peer_t *p)
{
    int                err;
    socklen_t          len;
    ngx_connection_t  *c = p->pc.connection;

    err = 0;
    len = sizeof(int);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len) == -1) {
        err = ngx_socket_errno;
    }

    if (err) {
        ngx_http_ticketing_peer_fail(p, "connect() to %V failed (%d: %s)",
                                     &p->addr_text, err, strerror(err));
        return;
    }

#if (NGX_SSL)
    if (p->conf->ssl && p->conf->ssl->enable) {
        ngx_http_ticketing_peer_ssl_start(p);
        return;
    }
#endif

    ngx_http_ticketing_peer_finish(p, NGX_OK);
}


#if (NGX_SSL)

static void
ngx_http_ticketing_peer_ssl_start(ngx_http_ticketing_peer_t *p)
{
    ngx_int_t                       rc;
    ngx_connection_t               *c = p->pc.connection;
    ngx_http_ticketing_peer_ssl_t  *ps = p->conf->ssl;

    if (ngx_ssl_create_connection(ps->ssl, c, NGX_SSL_BUFFER|NGX_SSL_CLIENT)
        != NGX_OK)
    {
        ngx_http_ticketing_peer_fail(p, "cannot start TLS");
        return;
    }

    /* commands are appended to the buffer a retried write started with */
    SSL_set_mode(c->ssl->connection, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);

    /* as per RFC 6066, no SNI for an IP literal */
    if (ps->server_name && !ngx_http_ticketing_peer_is_ip(&p->conf->ssl_name))
    {
        if (SSL_set_tlsext_host_name(c->ssl->connection,
                                     (char *) p->conf->ssl_name.data)
            == 0)
        {
            ngx_http_ticketing_peer_fail(p, "cannot set the TLS server "
                                         "name \"%V\"", &p->conf->ssl_name);
            return;
        }
    }

    rc = ngx_ssl_handshake(c);

    if (rc == NGX_AGAIN) {
        c->ssl->handler = ngx_http_ticketing_peer_ssl_handler;
        return;
    }

    ngx_http_ticketing_peer_ssl_done(p);
}


static void
ngx_http_ticketing_peer_ssl_handler(ngx_connection_t *c)
{
    ngx_http_ticketing_peer_ssl_done(c->data);
}


/* an IPv4 or IPv6 literal: no SNI, checked against IP names */
static ngx_int_t
ngx_http_ticketing_peer_is_ip(ngx_str_t *name)
{
    return ngx_inet_addr(name->data, name->len) != INADDR_NONE
           || ngx_strlchr(name->data, name->data + name->len, ':') != NULL;
}


static void
ngx_http_ticketing_peer_ssl_done(ngx_http_ticketing_peer_t *p)
{
    long                            rc;
    X509                           *cert;
    ngx_int_t                       match;
    ngx_str_t                      *name;
    ngx_connection_t               *c = p->pc.connection;
    ngx_http_ticketing_peer_ssl_t  *ps = p->conf->ssl;

    if (!c->ssl->handshaked) {
        ngx_http_ticketing_peer_fail(p, "TLS handshake with %V failed",
                                     &p->addr_text);
        return;
    }

    if (ps->verify) {
        rc = SSL_get_verify_result(c->ssl->connection);

        if (rc != X509_V_OK) {
            ngx_http_ticketing_peer_fail(p, "TLS certificate of %V not "
                                         "verified (%l: %s)",
                                         &p->addr_text, rc,
                                         X509_verify_cert_error_string(rc));
            return;
        }

        /* an IP literal is checked against the certificate's IP names */
        name = &p->conf->ssl_name;

        if (ngx_http_ticketing_peer_is_ip(name)) {
            cert = SSL_get_peer_certificate(c->ssl->connection);
            match = cert != NULL
                    && X509_check_ip_asc(cert, (char *) name->data, 0) == 1;
            X509_free(cert);

        } else {
            match = ngx_ssl_check_host(c, name) == NGX_OK;
        }

        if (!match) {
            ngx_http_ticketing_peer_fail(p, "TLS certificate of %V does "
                                         "not match \"%V\"",
                                         &p->addr_text, name);
            return;
        }
    }

    ngx_http_ticketing_peer_finish(p, NGX_OK);
}

#endif


static void
ngx_http_ticketing_peer_deadline(ngx_event_t *ev)
{
    ngx_http_ticketing_peer_t  *p = ev->data;

    p->timedout = 1;

    ngx_http_ticketing_peer_fail(p, "%s %V timed out",
                                 p->resolving ? "resolving" : "connecting to",
                                 p->resolving ? &p->conf->host
                                              : &p->addr_text);
}


static void
ngx_http_ticketing_peer_finish(ngx_http_ticketing_peer_t *p, ngx_int_t rc)
{
    if (p->deadline.timer_set) {
        ngx_del_timer(&p->deadline);
    }

    if (rc == NGX_OK) {
        p->connected = 1;
        p->outcome = NGX_HTTP_TICKETING_PEER_OK;

        if (p->conf->host.len) {
            ngx_http_ticketing_peer_watch(p, p->valid);
        }

    } else {
        ngx_http_ticketing_peer_close(p);
        p->outcome = NGX_HTTP_TICKETING_PEER_FAILED;
    }

    if (!p->opening) {
        p->handler(p, rc);
    }
}


/* the reason, for the owner to log with its own words around it */
static void
ngx_http_ticketing_peer_fail(ngx_http_ticketing_peer_t *p, const char *fmt,
    ...)
{
    u_char   *last;
    va_list   args;

    va_start(args, fmt);
    last = ngx_vslprintf(p->errbuf, p->errbuf + sizeof(p->errbuf) - 1, fmt,
                         args);
    va_end(args);

    *last = '\0';
    p->error = (const char *) p->errbuf;

    ngx_http_ticketing_peer_finish(p, NGX_ERROR);
}


char *
ngx_http_ticketing_peer_text(const char *s, size_t len)
{
    size_t       i;
    static char  text[201];

    len = ngx_min(len, sizeof(text) - 1);

    for (i = 0; i < len; i++) {
        text[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    }

    text[len] = '\0';

    return text;
}


/* ---------------------------------------------------- the name's TTL */


static void
ngx_http_ticketing_peer_watch(ngx_http_ticketing_peer_t *p, time_t valid)
{
    time_t  ttl;

    ttl = valid - ngx_time();
    ttl = ngx_max(ttl, 1);

    p->recheck.handler = ngx_http_ticketing_peer_recheck;
    p->recheck.data = p;
    p->recheck.log = p->log;
    p->recheck.cancelable = 1;

    if (p->recheck.timer_set) {
        ngx_del_timer(&p->recheck);
    }

    ngx_add_timer(&p->recheck, (ngx_msec_t) ttl * 1000);
}


static void
ngx_http_ticketing_peer_recheck(ngx_event_t *ev)
{
    ngx_http_ticketing_peer_t  *p = ev->data;

    if (!p->connected || p->resolving) {
        return;
    }

    if (ngx_http_ticketing_peer_lookup(p, ngx_http_ticketing_peer_rechecked)
        != NGX_OK)
    {
        /* keep what works, ask again in a second */
        ngx_http_ticketing_peer_watch(p, ngx_time() + 1);
    }
}


static void
ngx_http_ticketing_peer_rechecked(ngx_resolver_ctx_t *ctx)
{
    ngx_http_ticketing_peer_t  *p = ctx->data;

    time_t       valid;
    ngx_uint_t   i;
    ngx_int_t    state, naddrs;

    p->resolving = NULL;

    state = ctx->state;
    naddrs = ctx->naddrs;
    valid = ctx->valid;

    for (i = 0; state == NGX_OK && i < ctx->naddrs; i++) {
        if (ngx_cmp_sockaddr(ctx->addrs[i].sockaddr, ctx->addrs[i].socklen,
                             (struct sockaddr *) &p->sockaddr, p->socklen, 0)
            == NGX_OK)
        {
            break;
        }
    }

    ngx_resolve_name_done(ctx);

    if (state != NGX_OK || naddrs == 0 || i < (ngx_uint_t) naddrs) {
        /* unchanged, or not known now: keep what works */
        ngx_http_ticketing_peer_watch(p, valid);
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, p->log, 0,
                  "ticketing: \"%V\" no longer resolves to %V: reconnecting",
                  &p->conf->host, &p->addr_text);

    p->handler(p, NGX_DECLINED);
}
