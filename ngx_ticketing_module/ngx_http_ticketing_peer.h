
/*
 * The module's client connections (Redis, the identity provider): one
 * layer on nginx's own machinery.  A host name is resolved with the
 * "resolver" of the http block (non-blocking, its TTL honoured), the
 * connection is made with ngx_event_connect_peer(), TLS is nginx's SSL
 * layer with the checks proxy_ssl_verify makes, and one deadline (an
 * nginx timer) covers resolving, connecting and the handshake.
 */


#ifndef _NGX_HTTP_TICKETING_PEER_H_INCLUDED_
#define _NGX_HTTP_TICKETING_PEER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>
#include <ngx_http.h>


/* the *_ssl_* directives of one kind of peer, as proxy_ssl_* spells them */
typedef struct {
    ngx_flag_t                      enable;
    ngx_flag_t                      verify;
    ngx_uint_t                      verify_depth;
    ngx_str_t                       trusted_certificate;
    ngx_str_t                       certificate;
    ngx_str_t                       certificate_key;
    ngx_uint_t                      protocols;
    ngx_str_t                       ciphers;
    ngx_str_t                       name;
    ngx_flag_t                      server_name;

#if (NGX_SSL)
    ngx_ssl_t                      *ssl;
#endif
} ngx_http_ticketing_peer_ssl_t;


typedef struct {
    /* as configured, for logs; never holds a credential */
    ngx_str_t                       name;

    /* a host name to resolve, or len 0 when "addr" is numeric or unix: */
    ngx_str_t                       host;
    in_port_t                       port;
    ngx_addr_t                      addr;

    ngx_http_core_loc_conf_t       *clcf;       /* its resolver */
    ngx_msec_t                      resolver_timeout;
    ngx_msec_t                      connect_timeout;

    /* NULL or not enabled: plain TCP */
    ngx_http_ticketing_peer_ssl_t  *ssl;

    /* SNI and the name checked: *_ssl_name, else the host (NUL-ended) */
    ngx_str_t                       ssl_name;
} ngx_http_ticketing_peer_conf_t;


/* the values of *_ssl_protocols */
extern ngx_conf_bitmask_t  ngx_http_ticketing_peer_ssl_protocols[];


typedef struct ngx_http_ticketing_peer_s  ngx_http_ticketing_peer_t;

/*
 * NGX_OK: connected (and handshaked), p->pc.connection is the owner's;
 * NGX_ERROR: failed, closed, reason in p->error;
 * NGX_DECLINED: (only while connected) the host name now resolves to
 * addresses without the one in use: reconnect.
 */
typedef void (*ngx_http_ticketing_peer_handler_pt)(
    ngx_http_ticketing_peer_t *p, ngx_int_t rc);


struct ngx_http_ticketing_peer_s {
    ngx_http_ticketing_peer_conf_t      *conf;
    ngx_log_t                           *log;
    ngx_http_ticketing_peer_handler_pt   handler;
    void                                *data;

    ngx_peer_connection_t                pc;
    ngx_resolver_ctx_t                  *resolving;
    ngx_event_t                          deadline;
    ngx_event_t                          recheck;    /* the name's TTL */
    const char                          *error;
    u_char                               errbuf[256];

    /* the address in use: resolved, or conf->addr */
    struct sockaddr_storage              sockaddr;
    socklen_t                            socklen;
    u_char                               text[NGX_SOCKADDR_STRLEN];
    ngx_str_t                            addr_text;
    ngx_uint_t                           rotate;    /* next resolved one */
    time_t                               valid;     /* the name's TTL end */

    unsigned                             opening:1;
    unsigned                             outcome:2;
    unsigned                             connected:1;
    unsigned                             timedout:1;
};


/*
 * "host:port", "IP:port", "[IPv6]:port" or "unix:/path"; the port
 * defaults to "default_port" (0: a port is required).  The resolver is
 * the current location's.
 */
char *ngx_http_ticketing_peer_parse(ngx_conf_t *cf, ngx_str_t *addr,
    in_port_t default_port, ngx_http_ticketing_peer_conf_t *pcf);

/*
 * The same at run time (never blocks), into "pool": NULL, or why not.
 * pcf->clcf is the caller's to set.
 */
const char *ngx_http_ticketing_peer_parse_addr(ngx_pool_t *pool,
    ngx_str_t *addr, in_port_t default_port,
    ngx_http_ticketing_peer_conf_t *pcf);

/* postconfiguration: checks the resolver, creates the SSL context */
char *ngx_http_ticketing_peer_init_conf(ngx_conf_t *cf,
    ngx_http_ticketing_peer_conf_t *pcf, const char *directive);

/*
 * What init_conf does, at configuration or run time: the TLS name, the
 * resolver's timeout.  NGX_DECLINED: a host name, and no "resolver";
 * NGX_ERROR: no memory.
 */
ngx_int_t ngx_http_ticketing_peer_prepare(ngx_pool_t *pool,
    ngx_http_ticketing_peer_conf_t *pcf);

char *ngx_http_ticketing_peer_ssl_init(ngx_conf_t *cf,
    ngx_http_ticketing_peer_ssl_t *pssl, const char *prefix);

void ngx_http_ticketing_peer_ssl_conf_init(ngx_http_ticketing_peer_ssl_t *ps);

/*
 * Starts resolving/connecting.  NGX_OK: connected now; NGX_AGAIN: the
 * handler will be called; NGX_ERROR: failed now (p->error), the handler
 * is not called.
 */
ngx_int_t ngx_http_ticketing_peer_open(ngx_http_ticketing_peer_t *p);

/*
 * A peer's text (an error reply, a reason) made safe for the error log:
 * at most 200 bytes, anything outside printable ASCII as '?', so that no
 * peer forges log lines.  A static buffer: one use per log call.
 */
char *ngx_http_ticketing_peer_text(const char *s, size_t len);

/* closes whatever is open or under way; the handler is not called */
void ngx_http_ticketing_peer_close(ngx_http_ticketing_peer_t *p);


#endif /* _NGX_HTTP_TICKETING_PEER_H_INCLUDED_ */
