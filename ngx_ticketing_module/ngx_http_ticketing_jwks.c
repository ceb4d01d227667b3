
/*
 * A JWKS fetched from a URL and refreshed in the background.
 *
 * Every worker runs its own fetcher per ticketing_jwks_url: a timer fires
 * shortly after the start (with a random jitter) and then every interval;
 * it opens a non-blocking connection (ngx_event_connect_peer), sends a
 * plain HTTP/1.0 GET, reads the whole answer up to max_size under one
 * deadline, and on a 200 builds a new key set with the same JWKS loader as
 * "ticketing_jwt_key_file jwks" (ngx_http_ticketing_jwt.c).  The new set
 * replaces the old one at once: a worker is single-threaded and a request
 * only uses a key set within one synchronous verification, so the old set
 * is freed right away.  A failure keeps the last good set and retries
 * sooner, with a backoff.
 *
 * A token whose kid is not in the set (or a token checked before any set
 * is loaded) makes the request wait for a fetch of the set: the one going
 * on, or one it starts, at most once per refetch_interval (random kids
 * cannot make the worker hammer the IdP).  The request suspends the access
 * phase as the cache lookup does (NGX_DONE, ngx_http_test_reading): it is
 * queued on the fetcher, and resumed by ngx_http_core_run_phases() when
 * the fetch ends, or after the fetch's timeout at the latest.  Its pool
 * cleanup takes it off the queue, so a request whose client went away is
 * never resumed.
 *
 * The connection is the module's client layer (ngx_http_ticketing_peer.c):
 * a host name is resolved with nginx's resolver, https is nginx's SSL
 * layer with the ticketing_jwks_ssl_* settings (the certificate verified
 * against ticketing_jwks_ssl_trusted_certificate by default, the name
 * checked, SNI), and unix: sockets are kept.
 *
 * With "discovery" the URL is an OpenID Connect discovery document: every
 * fetch is two GETs in a row under the same deadline and max_size, the
 * document first, then the jwks_uri it names (in the document's scheme,
 * any host).  The jwks_uri is kept with its peer settings in a pool of its
 * own while the document names the same one, so a moved jwks_uri is
 * followed at the next fetch.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_event_connect.h>

#include <jansson.h>

#include "ngx_http_ticketing_module.h"


#define NGX_HTTP_TICKETING_JWKS_INTERVAL  300000
#define NGX_HTTP_TICKETING_JWKS_TIMEOUT   5000
#define NGX_HTTP_TICKETING_JWKS_MAX_SIZE  (256 * 1024)
#define NGX_HTTP_TICKETING_JWKS_JITTER    250
#define NGX_HTTP_TICKETING_JWKS_REFETCH   10000

/* the longest jwks_uri, and how much of a peer's text a reason quotes */
#define NGX_HTTP_TICKETING_JWKS_URI_MAX   2048
#define NGX_HTTP_TICKETING_JWKS_QUOTE     100

#define NGX_HTTP_TICKETING_JWKS_ISS_MAX     512
#define NGX_HTTP_TICKETING_JWKS_NO_ISSUER   ((size_t) -1)


/* a jwks_uri learnt from a discovery document, in a pool of its own */
typedef struct {
    ngx_str_t                       url;
    ngx_http_ticketing_peer_conf_t  peer_conf;
    ngx_str_t                       request;    /* the whole GET */
    ngx_pool_t                     *pool;
} ngx_http_ticketing_jwks_uri_t;


struct ngx_http_ticketing_jwks_s {
    ngx_str_t                      url;         /* as configured, for logs */
    ngx_http_ticketing_peer_conf_t peer_conf;
    ngx_str_t                      request;     /* the whole GET */
    ngx_msec_t                     interval;
    ngx_msec_t                     timeout;
    size_t                         max_size;
    ngx_msec_t                     refetch_interval;    /* 0: never */
    unsigned                       flags;       /* of _jwt_jwks() */
    unsigned                       https:1;
    unsigned                       discovery:1; /* url: a discovery doc */

    /*
     * The "issuer" of the discovery document of the key set in use, and
     * of the last document read (the set's once its JWKS is loaded); len
     * NGX_HTTP_TICKETING_JWKS_NO_ISSUER: none, or too long to be anyone's.
     */
    u_char                         issuer[NGX_HTTP_TICKETING_JWKS_ISS_MAX];
    size_t                         issuer_len;
    u_char                         doc_issuer[NGX_HTTP_TICKETING_JWKS_ISS_MAX];
    size_t                         doc_issuer_len;

    /* the state of this worker */
    ngx_event_t                    event;       /* next fetch, or deadline */
    ngx_http_ticketing_peer_t      peer;
    ngx_log_t                     *log;
    u_char                        *buf;         /* max_size + 1 */
    ngx_str_t                     *out;         /* the GET being sent */
    size_t                         sent;
    size_t                         len;
    ngx_uint_t                     failures;
    unsigned                       busy:1;
    unsigned                       at_jwks_uri:1;   /* the second GET */

    /* the discovery document's jwks_uri, NULL before the first */
    ngx_http_ticketing_jwks_uri_t *jwks_uri;
    u_char                         errbuf[256];     /* a reason */

    /* requests waiting for the fetch going on (_jwks_wait_t) */
    ngx_queue_t                    waiters;
    ngx_msec_t                     refetched;   /* when the last began */
    unsigned                       has_refetched:1;
    unsigned                       tried:1;     /* some fetch has ended */

    ngx_http_ticketing_jwt_key_t  *keys;        /* ngx_alloc()ed */
    size_t                         nkeys;
    uint32_t                       crc;         /* of the set's document */
};


struct ngx_http_ticketing_jwks_wait_s {
    ngx_queue_t                    queue;       /* in f->waiters */
    ngx_http_request_t            *request;
    ngx_http_ticketing_jwks_t     *jwks;
    ngx_event_t                    timer;       /* gives up waiting */
    unsigned                       waiting:1;
};


static ngx_int_t ngx_http_ticketing_jwks_param(ngx_http_ticketing_jwks_t *f,
    ngx_str_t *arg);
static ngx_http_ticketing_jwks_t *ngx_http_ticketing_jwks_share(
    ngx_conf_t *cf, ngx_http_ticketing_jwks_t *f);
static void ngx_http_ticketing_jwks_timer(ngx_event_t *ev);
static void ngx_http_ticketing_jwks_get(ngx_http_ticketing_jwks_t *f,
    ngx_http_ticketing_peer_conf_t *pcf, ngx_str_t *request);
static void ngx_http_ticketing_jwks_connected(ngx_http_ticketing_peer_t *p,
    ngx_int_t rc);
static void ngx_http_ticketing_jwks_io(ngx_event_t *ev);
static void ngx_http_ticketing_jwks_done(ngx_http_ticketing_jwks_t *f);
static const char *ngx_http_ticketing_jwks_body(ngx_http_ticketing_jwks_t *f,
    u_char **body, size_t *len);
static const char *ngx_http_ticketing_jwks_discovered(
    ngx_http_ticketing_jwks_t *f, u_char *body, size_t len);
static const char *ngx_http_ticketing_jwks_uri(ngx_http_ticketing_jwks_t *f,
    ngx_str_t *url);
static void ngx_http_ticketing_jwks_fail(ngx_http_ticketing_jwks_t *f,
    const char *reason);
static void ngx_http_ticketing_jwks_close(ngx_http_ticketing_jwks_t *f);
static void ngx_http_ticketing_jwks_free_keys(ngx_http_ticketing_jwks_t *f);
static void ngx_http_ticketing_jwks_ended(ngx_http_ticketing_jwks_t *f);
static void ngx_http_ticketing_jwks_resume(ngx_http_ticketing_jwks_wait_t *w);
static void ngx_http_ticketing_jwks_wait_timeout(ngx_event_t *ev);
static void ngx_http_ticketing_jwks_wait_cleanup(void *data);
static char *ngx_http_ticketing_jwks_parse(ngx_conf_t *cf,
    ngx_http_ticketing_jwks_t *f, ngx_str_t *url, ngx_str_t *host,
    ngx_str_t *uri);
static ngx_int_t ngx_http_ticketing_jwks_split(ngx_str_t *url,
    ngx_uint_t *https, ngx_str_t *host, ngx_str_t *uri);
static ngx_int_t ngx_http_ticketing_jwks_request(ngx_pool_t *pool,
    ngx_str_t *uri, ngx_str_t *host, ngx_str_t *request);


const ngx_http_ticketing_jwt_key_t *
ngx_http_ticketing_jwks_keys(ngx_http_ticketing_jwks_t *jwks, size_t *n)
{
    *n = jwks->nkeys;

    return jwks->nkeys ? jwks->keys : NULL;
}


ngx_uint_t
ngx_http_ticketing_jwks_loaded(ngx_http_ticketing_jwks_t *jwks)
{
    /* a set is only ever replaced by another good one */
    return jwks->nkeys != 0;
}


/* ----------------------------------------------------------- fetching */


ngx_int_t
ngx_http_ticketing_jwks_init_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                       i;
    ngx_http_ticketing_jwks_t      **fp, *f;
    ngx_http_ticketing_main_conf_t  *tmcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    tmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_ticketing_module);

    if (tmcf == NULL || tmcf->auth.jwks_urls == NULL) {
        return NGX_OK;
    }

    fp = tmcf->auth.jwks_urls->elts;

    for (i = 0; i < tmcf->auth.jwks_urls->nelts; i++) {
        f = fp[i];

        f->log = cycle->log;
        ngx_queue_init(&f->waiters);

        f->buf = ngx_alloc(f->max_size + 1, cycle->log);
        if (f->buf == NULL) {
            return NGX_ERROR;
        }

        f->event.handler = ngx_http_ticketing_jwks_timer;
        f->event.data = f;
        f->event.log = cycle->log;
        f->event.cancelable = 1;

        f->peer.conf = &f->peer_conf;
        f->peer.log = cycle->log;
        f->peer.handler = ngx_http_ticketing_jwks_connected;
        f->peer.data = f;

        /* workers started together do not all ask at the same moment */
        ngx_add_timer(&f->event,
                      1 + (ngx_msec_t) ngx_random()
                          % NGX_HTTP_TICKETING_JWKS_JITTER);
    }

    return NGX_OK;
}


void
ngx_http_ticketing_jwks_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t                       i;
    ngx_http_ticketing_jwks_t      **fp, *f;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_ticketing_module);

    if (tmcf == NULL || tmcf->auth.jwks_urls == NULL) {
        return;
    }

    fp = tmcf->auth.jwks_urls->elts;

    for (i = 0; i < tmcf->auth.jwks_urls->nelts; i++) {
        f = fp[i];

        ngx_http_ticketing_jwks_close(f);

        if (f->event.timer_set) {
            ngx_del_timer(&f->event);
        }

        ngx_http_ticketing_jwks_free_keys(f);

        if (f->jwks_uri != NULL) {
            ngx_destroy_pool(f->jwks_uri->pool);
            f->jwks_uri = NULL;
        }

        if (f->buf != NULL) {
            ngx_free(f->buf);
            f->buf = NULL;
        }
    }
}


/* the next fetch is due, or the one going on ran out of time */
static void
ngx_http_ticketing_jwks_timer(ngx_event_t *ev)
{
    ngx_http_ticketing_jwks_t  *f = ev->data;

    if (f->busy) {
        ngx_http_ticketing_jwks_fail(f, "timed out");
        return;
    }

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    f->busy = 1;
    f->at_jwks_uri = 0;

    /*
     * One deadline for resolving, connecting, sending and the answer: of
     * both GETs with "discovery".
     */
    ngx_add_timer(&f->event, f->timeout);

    ngx_http_ticketing_jwks_get(f, &f->peer_conf, &f->request);
}


/* one GET: the configured URL, or the jwks_uri it names */
static void
ngx_http_ticketing_jwks_get(ngx_http_ticketing_jwks_t *f,
    ngx_http_ticketing_peer_conf_t *pcf, ngx_str_t *request)
{
    ngx_int_t  rc;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, f->log, 0,
                   "ticketing jwks: fetching \"%V\"", &pcf->name);

    f->peer.conf = pcf;
    f->out = request;
    f->sent = 0;
    f->len = 0;

    rc = ngx_http_ticketing_peer_open(&f->peer);

    if (rc != NGX_AGAIN) {
        ngx_http_ticketing_jwks_connected(&f->peer, rc);
    }
}


static void
ngx_http_ticketing_jwks_connected(ngx_http_ticketing_peer_t *p, ngx_int_t rc)
{
    ngx_connection_t           *c;
    ngx_http_ticketing_jwks_t  *f = p->data;

    if (rc != NGX_OK) {
        ngx_http_ticketing_jwks_fail(f, rc == NGX_DECLINED
                                        ? "the host name moved"
                                        : p->error);
        return;
    }

    c = p->pc.connection;
    c->read->handler = ngx_http_ticketing_jwks_io;
    c->write->handler = ngx_http_ticketing_jwks_io;

    ngx_http_ticketing_jwks_io(c->write);
}


static void
ngx_http_ticketing_jwks_io(ngx_event_t *ev)
{
    ssize_t                     n;
    ngx_connection_t           *c;
    ngx_http_ticketing_peer_t  *p;
    ngx_http_ticketing_jwks_t  *f;

    c = ev->data;
    p = c->data;
    f = p->data;

    if (f->sent < f->out->len) {
        n = c->send(c, f->out->data + f->sent, f->out->len - f->sent);

        if (n == NGX_ERROR) {
            ngx_http_ticketing_jwks_fail(f, "cannot send the request");
            return;
        }

        if (n > 0) {
            f->sent += n;
        }

        if (f->sent < f->out->len) {
            if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
                ngx_http_ticketing_jwks_fail(f, "cannot send the request");
            }

            return;
        }
    }

    for ( ;; ) {
        n = c->recv(c, f->buf + f->len, f->max_size + 1 - f->len);

        if (n == NGX_AGAIN) {
            if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
                ngx_http_ticketing_jwks_fail(f, "cannot read the response");
            }

            return;
        }

        if (n == NGX_ERROR) {
            ngx_http_ticketing_jwks_fail(f, "cannot read the response");
            return;
        }

        if (n == 0) {
            break;
        }

        f->len += n;

        if (f->len > f->max_size) {
            ngx_http_ticketing_jwks_fail(f, "the response is larger than "
                                            "max_size");
            return;
        }
    }

    ngx_http_ticketing_jwks_done(f);
}


/*
 * The whole response is in f->buf: a 200 with a JWKS replaces the set; with
 * "discovery", a 200 with the document first makes the second GET.
 */
static void
ngx_http_ticketing_jwks_done(ngx_http_ticketing_jwks_t *f)
{
    char                          *near;
    u_char                        *body;
    size_t                         i, n, len;
    uint32_t                       crc;
    const char                    *reason;
    ngx_http_ticketing_jwt_key_t  *keys;
    char                           err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];

    ngx_http_ticketing_jwks_close(f);

    reason = ngx_http_ticketing_jwks_body(f, &body, &len);

    if (reason != NULL) {
        ngx_http_ticketing_jwks_fail(f, reason);
        return;
    }

    if (f->discovery && !f->at_jwks_uri) {
        reason = ngx_http_ticketing_jwks_discovered(f, body, len);

        if (reason != NULL) {
            ngx_http_ticketing_jwks_fail(f, reason);
            return;
        }

        f->at_jwks_uri = 1;

        ngx_http_ticketing_jwks_get(f, &f->jwks_uri->peer_conf,
                                    &f->jwks_uri->request);
        return;
    }

    crc = ngx_crc32_long(body, len);

    if (f->nkeys && crc == f->crc) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, f->log, 0,
                       "ticketing jwks: \"%V\" unchanged", &f->url);
        goto next;
    }

    keys = ngx_alloc(NGX_HTTP_TICKETING_JWT_MAX_JWKS
                     * sizeof(ngx_http_ticketing_jwt_key_t), f->log);
    if (keys == NULL) {
        ngx_http_ticketing_jwks_fail(f, "no memory");
        return;
    }

    if (ngx_http_ticketing_jwt_jwks(body, len, keys,
                                    NGX_HTTP_TICKETING_JWT_MAX_JWKS, &n,
                                    f->flags, err, sizeof(err))
        != 0)
    {
        ngx_free(keys);

        /* jansson quotes the text near a syntax error: never log the body */
        near = ngx_strstr(err, " near ");
        if (near != NULL) {
            *near = '\0';
        }

        ngx_http_ticketing_jwks_fail(f, err);
        return;
    }

    for (i = 0; f->discovery && i < n; i++) {
        if (keys[i].type == NGX_HTTP_TICKETING_JWT_KEY_HMAC) {
            /*
             * OpenID Connect Discovery 1.0, section 3: the set must hold
             * no symmetric key; whoever reads it could sign with that one.
             */
            for (i = 0; i < n; i++) {
                ngx_http_ticketing_jwt_key_free(&keys[i]);
            }

            ngx_free(keys);
            ngx_http_ticketing_jwks_fail(f, "the jwks_uri's set holds a "
                                            "secret (\"oct\") key, which "
                                            "a published set must not");
            return;
        }
    }

    ngx_http_ticketing_jwks_free_keys(f);

    f->keys = keys;
    f->nkeys = n;
    f->crc = crc;

    /* tokens verified with the old set are verified again */
    ngx_http_ticketing_auth_keys_changed();

    if (f->discovery) {
        ngx_log_error(NGX_LOG_NOTICE, f->log, 0,
                      "ticketing jwks: %uz key(s) loaded from \"%V\" "
                      "(the jwks_uri of \"%V\")", n, &f->jwks_uri->url,
                      &f->url);

    } else {
        ngx_log_error(NGX_LOG_NOTICE, f->log, 0,
                      "ticketing jwks: %uz key(s) loaded from \"%V\"", n,
                      &f->url);
    }

next:

    if (f->discovery) {
        /* the issuer of the document this set came from */
        f->issuer_len = f->doc_issuer_len;

        if (f->issuer_len != NGX_HTTP_TICKETING_JWKS_NO_ISSUER) {
            ngx_memcpy(f->issuer, f->doc_issuer, f->issuer_len);
        }
    }

    f->busy = 0;
    f->failures = 0;

    /* the deadline of this fetch gives way to the next fetch */
    if (f->event.timer_set) {
        ngx_del_timer(&f->event);
    }

    ngx_add_timer(&f->event, f->interval);

    ngx_http_ticketing_jwks_ended(f);
}


/* "HTTP/1.x 200 ...", headers, CRLF CRLF: the body, or why not */
static const char *
ngx_http_ticketing_jwks_body(ngx_http_ticketing_jwks_t *f, u_char **body,
    size_t *len)
{
    u_char  *p, *last;

    p = f->buf;
    last = f->buf + f->len;

    if (f->len < sizeof("HTTP/1.x 200") - 1
        || ngx_strncmp(p, "HTTP/1.", sizeof("HTTP/1.") - 1) != 0
        || p[8] != ' ')
    {
        return "the response is not HTTP/1.x";
    }

    if (ngx_strncmp(p + 9, "200", 3) != 0
        || (f->len > 12 && p[12] != ' ' && p[12] != '\r'))
    {
        return "the response status is not 200";
    }

    for (p += 12; p + 3 < last; p++) {
        if (p[0] == '\r' && p[1] == '\n' && p[2] == '\r' && p[3] == '\n') {
            *body = p + 4;
            *len = last - (p + 4);
            return NULL;
        }
    }

    return "the response has no body";
}


/* an OpenID Connect discovery document: its jwks_uri, checked */
static const char *
ngx_http_ticketing_jwks_discovered(ngx_http_ticketing_jwks_t *f,
    u_char *body, size_t len)
{
    u_char        *p;
    json_t        *doc, *v;
    ngx_str_t      url;
    const char    *err;
    json_error_t   jerr;

    doc = json_loadb((const char *) body, len, JSON_REJECT_DUPLICATES, &jerr);

    if (doc == NULL) {
        /* jerr.text quotes the text near the error: never log the body */
        p = ngx_snprintf(f->errbuf, sizeof(f->errbuf) - 1,
                         "the discovery document is not valid JSON "
                         "(line %d, column %d)", jerr.line, jerr.column);
        *p = '\0';

        return (const char *) f->errbuf;
    }

    if (!json_is_object(doc)) {
        err = "the discovery document is not a JSON object";
        goto done;
    }

    /* each location checks it against its own ticketing_jwt_issuer */
    v = json_object_get(doc, "issuer");

    if (json_is_string(v)
        && json_string_length(v) <= NGX_HTTP_TICKETING_JWKS_ISS_MAX)
    {
        f->doc_issuer_len = json_string_length(v);
        ngx_memcpy(f->doc_issuer, json_string_value(v), f->doc_issuer_len);

    } else {
        f->doc_issuer_len = NGX_HTTP_TICKETING_JWKS_NO_ISSUER;
    }

    v = json_object_get(doc, "jwks_uri");

    if (!json_is_string(v)) {
        err = "the discovery document has no \"jwks_uri\" string";
        goto done;
    }

    url.data = (u_char *) json_string_value(v);
    url.len = json_string_length(v);

    err = ngx_http_ticketing_jwks_uri(f, &url);

done:

    json_decref(doc);

    return err;
}


/*
 * The jwks_uri of a discovery document: an http:// or https:// URL of the
 * discovery URL's own scheme (no downgrade to http; no upgrade either,
 * which would need TLS settings an http URL was not given), on any host.
 */
static const char *
ngx_http_ticketing_jwks_uri(ngx_http_ticketing_jwks_t *f, ngx_str_t *url)
{
    u_char                         *p;
    ngx_int_t                       rc;
    ngx_str_t                       host, uri;
    const char                     *err;
    ngx_uint_t                      https;
    ngx_pool_t                     *pool;
    ngx_http_ticketing_jwks_uri_t  *ju;

    if (f->jwks_uri != NULL
        && f->jwks_uri->url.len == url->len
        && ngx_strncmp(f->jwks_uri->url.data, url->data, url->len) == 0)
    {
        /* the same as before: kept, with what its peer learnt */
        return NULL;
    }

    pool = NULL;

    if (url->len > NGX_HTTP_TICKETING_JWKS_URI_MAX) {
        err = "is longer than 2048 bytes";
        goto failed;
    }

    /* RFC 3986: printable ASCII; logged as is once accepted */
    for (p = url->data; p < url->data + url->len; p++) {
        if (*p <= 0x20 || *p >= 0x7f) {
            err = "holds a space, a control or a non-ASCII character";
            goto failed;
        }
    }

    pool = ngx_create_pool(1024, f->log);
    if (pool == NULL) {
        return "no memory";
    }

    ju = ngx_pcalloc(pool, sizeof(ngx_http_ticketing_jwks_uri_t));
    if (ju == NULL) {
        err = "no memory";
        goto failed;
    }

    ju->pool = pool;

    ju->url.data = ngx_pnalloc(pool, url->len);
    if (ju->url.data == NULL) {
        err = "no memory";
        goto failed;
    }

    ju->url.len = url->len;
    ngx_memcpy(ju->url.data, url->data, url->len);

    if (ngx_http_ticketing_jwks_split(&ju->url, &https, &host, &uri)
        != NGX_OK)
    {
        err = "is not an http:// or https:// URL";
        goto failed;
    }

    if (https != f->https) {
        err = f->https ? "is not https, and the discovery URL is"
                       : "is https, and the discovery URL is not";
        goto failed;
    }

    err = ngx_http_ticketing_peer_parse_addr(pool, &host, https ? 443 : 80,
                                             &ju->peer_conf);
    if (err != NULL) {
        goto failed;
    }

    ju->peer_conf.name = ju->url;
    ju->peer_conf.clcf = f->peer_conf.clcf;
    ju->peer_conf.connect_timeout = f->timeout;
    ju->peer_conf.ssl = f->peer_conf.ssl;

    rc = ngx_http_ticketing_peer_prepare(pool, &ju->peer_conf);

    if (rc != NGX_OK) {
        err = rc == NGX_DECLINED ? "names a host, and no \"resolver\" is "
                                   "defined"
                                 : "no memory";
        goto failed;
    }

    if (ngx_http_ticketing_jwks_request(pool, &uri, &host, &ju->request)
        != NGX_OK)
    {
        err = "no memory";
        goto failed;
    }

    if (f->jwks_uri != NULL) {
        ngx_destroy_pool(f->jwks_uri->pool);
    }

    f->jwks_uri = ju;

    ngx_log_error(NGX_LOG_NOTICE, f->log, 0,
                  "ticketing jwks: \"%V\" names the jwks_uri \"%V\"",
                  &f->url, &ju->url);

    return NULL;

failed:

    p = ngx_snprintf(f->errbuf, sizeof(f->errbuf) - 1,
                     "the discovery document's \"jwks_uri\" \"%*s\" %s",
                     ngx_min(url->len, NGX_HTTP_TICKETING_JWKS_QUOTE),
                     url->data, err);
    *p = '\0';

    if (pool != NULL) {
        ngx_destroy_pool(pool);
    }

    return (const char *) f->errbuf;
}


static void
ngx_http_ticketing_jwks_fail(ngx_http_ticketing_jwks_t *f, const char *reason)
{
    ngx_msec_t  delay;

    ngx_http_ticketing_jwks_close(f);

    if (f->event.timer_set) {
        ngx_del_timer(&f->event);
    }

    f->busy = 0;
    f->failures++;

    /* 1 s, 2 s, 4 s ... 64 s, never beyond the interval */
    delay = (ngx_msec_t) 1000 << ngx_min(f->failures - 1, 6);
    delay = ngx_min(delay, f->interval);

    if (f->at_jwks_uri) {
        ngx_log_error(NGX_LOG_WARN, f->log, 0,
                      "ticketing jwks: refreshing from \"%V\" (the jwks_uri "
                      "of \"%V\") failed: %s; %s, next attempt in %Mms",
                      &f->jwks_uri->url, &f->url,
                      ngx_http_ticketing_peer_text(reason, ngx_strlen(reason)),
                      f->nkeys ? "keeping the last good key set"
                               : "no key set fetched yet", delay);

    } else {
        ngx_log_error(NGX_LOG_WARN, f->log, 0,
                      "ticketing jwks: refreshing from \"%V\" failed: %s; "
                      "%s, next attempt in %Mms", &f->url,
                      ngx_http_ticketing_peer_text(reason, ngx_strlen(reason)),
                      f->nkeys ? "keeping the last good key set"
                               : "no key set fetched yet", delay);
    }

    if (!ngx_exiting && !ngx_terminate && !ngx_quit) {
        ngx_add_timer(&f->event, delay);
    }

    ngx_http_ticketing_jwks_ended(f);
}


static void
ngx_http_ticketing_jwks_close(ngx_http_ticketing_jwks_t *f)
{
    ngx_http_ticketing_peer_close(&f->peer);
}


static void
ngx_http_ticketing_jwks_free_keys(ngx_http_ticketing_jwks_t *f)
{
    size_t  i;

    if (f->keys == NULL) {
        return;
    }

    for (i = 0; i < f->nkeys; i++) {
        ngx_http_ticketing_jwt_key_free(&f->keys[i]);
    }

    ngx_free(f->keys);
    f->keys = NULL;
    f->nkeys = 0;
}


/* ------------------------------------------- requests waiting for a fetch */


ngx_int_t
ngx_http_ticketing_jwks_wait(ngx_http_ticketing_jwks_t *f,
    ngx_http_request_t *r, ngx_http_ticketing_jwks_wait_t **wp)
{
    ngx_pool_cleanup_t              *cln;
    ngx_http_ticketing_jwks_wait_t  *w;

    if (*wp != NULL) {
        /* it has waited (or looked again) once: answer now */
        return NGX_DECLINED;
    }

    if (f->buf == NULL) {
        /*
         * No fetcher runs in this process: init_process did not run for
         * this configuration (a single process after a reload).
         */
        return NGX_DECLINED;
    }

    if (f->nkeys && f->refetch_interval == 0) {
        /* an unknown kid never makes a fetch */
        return NGX_DECLINED;
    }

    if (!f->busy && f->tried
        && (f->refetch_interval == 0
            || (f->has_refetched
                && ngx_current_msec - f->refetched < f->refetch_interval)))
    {
        /* no fetch runs, and one may not start yet */
        return NGX_DECLINED;
    }

    w = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_jwks_wait_t));
    if (w == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    w->request = r;
    w->jwks = f;
    *wp = w;

    if (!f->busy) {

        if (f->tried) {
            f->refetched = ngx_current_msec;
            f->has_refetched = 1;

            ngx_http_ticketing_metrics_inc(
                                         NGX_HTTP_TICKETING_M_JWKS_REFETCH);

            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing jwks: %s, fetching \"%V\" again",
                          f->nkeys ? "a token key id is not in the set"
                                   : "no key set is loaded yet",
                          &f->url);
        }

        /*
         * Otherwise the first fetch of this worker has not started yet:
         * it starts now instead of after its jitter.
         */

        if (f->event.timer_set) {
            ngx_del_timer(&f->event);
        }

        /* starts a fetch when none runs (it may also end at once) */
        ngx_http_ticketing_jwks_timer(&f->event);

        if (!f->busy) {
            return NGX_AGAIN;
        }
    }

    cln->handler = ngx_http_ticketing_jwks_wait_cleanup;
    cln->data = w;

    w->timer.handler = ngx_http_ticketing_jwks_wait_timeout;
    w->timer.data = w;
    w->timer.log = r->connection->log;

    /* the fetch ends by its own deadline before this one */
    ngx_add_timer(&w->timer, f->timeout);

    ngx_queue_insert_tail(&f->waiters, &w->queue);
    w->waiting = 1;

    /* notice a client that goes away while we wait */
    r->read_event_handler = ngx_http_test_reading;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing jwks: waiting for the fetch of \"%V\"",
                   &f->url);

    return NGX_DONE;
}


ngx_uint_t
ngx_http_ticketing_jwks_waiting(ngx_http_ticketing_jwks_wait_t *w)
{
    return w->waiting;
}


/* a fetch ended, well or not: the requests waiting for it go on */
static void
ngx_http_ticketing_jwks_ended(ngx_http_ticketing_jwks_t *f)
{
    ngx_queue_t  waiters;

    f->tried = 1;

    if (ngx_queue_empty(&f->waiters)) {
        return;
    }

    /* a request that comes meanwhile waits for another fetch */
    ngx_queue_init(&waiters);
    ngx_queue_add(&waiters, &f->waiters);
    ngx_queue_init(&f->waiters);

    while (!ngx_queue_empty(&waiters)) {
        ngx_http_ticketing_jwks_resume(
                      ngx_queue_data(ngx_queue_head(&waiters),
                                     ngx_http_ticketing_jwks_wait_t, queue));
    }
}


static void
ngx_http_ticketing_jwks_resume(ngx_http_ticketing_jwks_wait_t *w)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = w->request;
    c = r->connection;

    ngx_queue_remove(&w->queue);
    w->waiting = 0;

    if (w->timer.timer_set) {
        ngx_del_timer(&w->timer);
    }

    /* the auth step, re-entered, looks at the key set again, and answers */
    r->read_event_handler = ngx_http_block_reading;

    ngx_http_ticketing_resume(r);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_ticketing_jwks_wait_timeout(ngx_event_t *ev)
{
    ngx_http_ticketing_jwks_wait_t  *w = ev->data;

    ngx_log_error(NGX_LOG_INFO, ev->log, 0,
                  "ticketing jwks: the fetch of \"%V\" takes too long, "
                  "no more waiting for it", &w->jwks->url);

    ngx_http_ticketing_jwks_resume(w);
}


/* the request's pool goes away: it is never resumed */
static void
ngx_http_ticketing_jwks_wait_cleanup(void *data)
{
    ngx_http_ticketing_jwks_wait_t  *w = data;

    if (w->waiting) {
        ngx_queue_remove(&w->queue);
        w->waiting = 0;
    }

    if (w->timer.timer_set) {
        ngx_del_timer(&w->timer);
    }
}


/* ------------------------------------------------------- configuration */


ngx_uint_t
ngx_http_ticketing_jwks_issuer_accepted(ngx_http_ticketing_jwks_t *f,
    ngx_array_t *issuers)
{
    ngx_uint_t                     i;
    ngx_http_ticketing_jwt_str_t  *v;

    if (!f->discovery || issuers == NULL) {
        return 1;
    }

    v = issuers->elts;

    for (i = 0; i < issuers->nelts; i++) {
        if (v[i].len == f->issuer_len
            && ngx_memcmp(v[i].data, f->issuer, f->issuer_len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/* postconfiguration: TLS and the resolver of every ticketing_jwks_url */
ngx_int_t
ngx_http_ticketing_jwks_init_conf(ngx_conf_t *cf)
{
    ngx_uint_t                       i;
    ngx_http_ticketing_jwks_t      **fp, *f;
    ngx_http_ticketing_peer_ssl_t   *ps;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);

    if (tmcf->auth.jwks_urls == NULL) {
        return NGX_OK;
    }

    ps = &tmcf->auth.jwks_ssl;
    fp = tmcf->auth.jwks_urls->elts;

    for (i = 0; i < tmcf->auth.jwks_urls->nelts; i++) {
        f = fp[i];
        f->peer_conf.connect_timeout = f->timeout;

        if (f->https) {
            if (!ps->enable) {
                /* one SSL context for every https URL */
                ps->enable = 1;

                if (ngx_http_ticketing_peer_ssl_init(cf, ps, "ticketing_jwks")
                    != NGX_CONF_OK)
                {
                    return NGX_ERROR;
                }
            }

            f->peer_conf.ssl = ps;
        }

        if (ngx_http_ticketing_peer_init_conf(cf, &f->peer_conf,
                                              "ticketing_jwks_url")
            != NGX_CONF_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * ticketing_jwks_url <url> [interval=5m] [timeout=5s] [max_size=256k]
 *     [refetch_interval=10s] [mixed_oct] [discovery]
 */
char *
ngx_http_ticketing_jwks_url(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    char  *p = conf;

    char                        *rv;
    ngx_str_t                   *value, host, uri;
    ngx_uint_t                   i;
    ngx_http_ticketing_jwks_t  **fp, *f;

    fp = (ngx_http_ticketing_jwks_t **) (p + cmd->offset);

    if (*fp != NULL) {
        return "is duplicate";
    }

    f = ngx_pcalloc(cf->pool, sizeof(ngx_http_ticketing_jwks_t));
    if (f == NULL) {
        return NGX_CONF_ERROR;
    }

    f->issuer_len = NGX_HTTP_TICKETING_JWKS_NO_ISSUER;

    f->interval = NGX_HTTP_TICKETING_JWKS_INTERVAL;
    f->timeout = NGX_HTTP_TICKETING_JWKS_TIMEOUT;
    f->max_size = NGX_HTTP_TICKETING_JWKS_MAX_SIZE;
    f->refetch_interval = NGX_HTTP_TICKETING_JWKS_REFETCH;

    value = cf->args->elts;

    rv = ngx_http_ticketing_jwks_parse(cf, f, &value[1], &host, &uri);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        if (ngx_http_ticketing_jwks_param(f, &value[i]) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\" "
                               "directive, expected interval= (at least "
                               "1s), timeout=, max_size= (1k to 16m), "
                               "refetch_interval=, mixed_oct or discovery",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    if (f->discovery
        && ngx_strncasecmp(f->url.data, (u_char *) "unix:", 5) == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"discovery\" in \"%V\" directive needs an "
                           "http:// or https:// URL", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_ticketing_jwks_request(cf->pool, &uri, &host, &f->request)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    *fp = ngx_http_ticketing_jwks_share(cf, f);

    return *fp ? NGX_CONF_OK : NGX_CONF_ERROR;
}


/* one parameter of ticketing_jwks_url after the URL */
static ngx_int_t
ngx_http_ticketing_jwks_param(ngx_http_ticketing_jwks_t *f, ngx_str_t *arg)
{
    ssize_t    size;
    ngx_int_t  ms;
    ngx_str_t  s;

    if (ngx_http_ticketing_conf_param(arg, "interval=", &s)) {
        ms = ngx_parse_time(&s, 0);
        if (ms == NGX_ERROR || ms < 1000) {
            return NGX_DECLINED;
        }

        f->interval = (ngx_msec_t) ms;
        return NGX_OK;
    }

    if (ngx_http_ticketing_conf_param(arg, "timeout=", &s)) {
        ms = ngx_parse_time(&s, 0);
        if (ms == NGX_ERROR || ms < 1) {
            return NGX_DECLINED;
        }

        f->timeout = (ngx_msec_t) ms;
        return NGX_OK;
    }

    if (ngx_http_ticketing_conf_param(arg, "max_size=", &s)) {
        size = ngx_parse_size(&s);
        if (size == NGX_ERROR || size < 1024 || size > 16 * 1024 * 1024) {
            return NGX_DECLINED;
        }

        f->max_size = (size_t) size;
        return NGX_OK;
    }

    if (ngx_http_ticketing_conf_param(arg, "refetch_interval=", &s)) {
        ms = ngx_parse_time(&s, 0);
        if (ms == NGX_ERROR) {
            return NGX_DECLINED;
        }

        f->refetch_interval = (ngx_msec_t) ms;
        return NGX_OK;
    }

    if (ngx_strcmp(arg->data, "mixed_oct") == 0) {
        f->flags |= NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT;
        return NGX_OK;
    }

    if (ngx_strcmp(arg->data, "discovery") == 0) {
        f->discovery = 1;
        return NGX_OK;
    }

    return NGX_DECLINED;
}


/*
 * The fetcher of a location: the same URL with the same parameters as
 * another location's is one fetcher, with one budget.  NULL: no memory.
 */
static ngx_http_ticketing_jwks_t *
ngx_http_ticketing_jwks_share(ngx_conf_t *cf, ngx_http_ticketing_jwks_t *f)
{
    ngx_uint_t                       i;
    ngx_http_ticketing_jwks_t      **fp;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);

    if (tmcf->auth.jwks_urls == NULL) {
        tmcf->auth.jwks_urls = ngx_array_create(cf->pool, 2,
                                          sizeof(ngx_http_ticketing_jwks_t *));
        if (tmcf->auth.jwks_urls == NULL) {
            return NULL;
        }
    }

    fp = tmcf->auth.jwks_urls->elts;

    for (i = 0; i < tmcf->auth.jwks_urls->nelts; i++) {
        if (fp[i]->url.len == f->url.len
            && ngx_strncmp(fp[i]->url.data, f->url.data, f->url.len) == 0
            && fp[i]->interval == f->interval
            && fp[i]->timeout == f->timeout
            && fp[i]->max_size == f->max_size
            && fp[i]->refetch_interval == f->refetch_interval
            && fp[i]->flags == f->flags
            && fp[i]->discovery == f->discovery)
        {
            return fp[i];
        }
    }

    fp = ngx_array_push(tmcf->auth.jwks_urls);
    if (fp == NULL) {
        return NULL;
    }

    *fp = f;

    return f;
}


/* http[s]://host[:port]/path (a name, IPv4 or [IPv6]), unix:/path[:/uri] */
static char *
ngx_http_ticketing_jwks_parse(ngx_conf_t *cf, ngx_http_ticketing_jwks_t *f,
    ngx_str_t *url, ngx_str_t *host, ngx_str_t *uri)
{
    char        *err;
    u_char      *p;
    ngx_url_t    u;
    ngx_uint_t   https;

    f->url = *url;

    f->peer_conf.name = *url;
    f->peer_conf.clcf = ngx_http_conf_get_module_loc_conf(cf,
                                                        ngx_http_core_module);

    if (url->len > 5 && ngx_strncasecmp(url->data, (u_char *) "unix:", 5) == 0)
    {
        ngx_memzero(&u, sizeof(ngx_url_t));

        u.url = *url;
        u.uri_part = 1;

        if (ngx_parse_url(cf->pool, &u) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid URL \"%V\" in \"ticketing_jwks_url\" "
                               "directive: %s", url,
                               u.err ? u.err : "cannot parse");
            return NGX_CONF_ERROR;
        }

        f->peer_conf.addr = u.addrs[0];
        ngx_str_set(host, "localhost");
        *uri = u.uri;

    } else {
        if (ngx_http_ticketing_jwks_split(url, &https, host, uri) != NGX_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid URL \"%V\" in \"ticketing_jwks_url\" "
                               "directive: http://, https:// or unix: "
                               "expected", url);
            return NGX_CONF_ERROR;
        }

        f->https = https;

        err = ngx_http_ticketing_peer_parse(cf, host, https ? 443 : 80,
                                            &f->peer_conf);

        if (err != NGX_CONF_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid URL \"%V\" in \"ticketing_jwks_url\" "
                               "directive: %s", url, err);
            return NGX_CONF_ERROR;
        }

        /* the peer's name is the whole URL, for logs */
        f->peer_conf.name = *url;
    }

    if (uri->len == 0) {
        ngx_str_set(uri, "/");
    }

    for (p = uri->data; p < uri->data + uri->len; p++) {
        if (*p <= 0x20 || *p == 0x7f) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid URL \"%V\" in \"ticketing_jwks_url\" "
                               "directive: its path holds a space or a "
                               "control character", url);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/* http[s]://host[:port]/path: NGX_DECLINED for another scheme */
static ngx_int_t
ngx_http_ticketing_jwks_split(ngx_str_t *url, ngx_uint_t *https,
    ngx_str_t *host, ngx_str_t *uri)
{
    u_char  *path, *last;

    if (url->len > 7
        && ngx_strncasecmp(url->data, (u_char *) "http://", 7) == 0)
    {
        *https = 0;
        host->data = url->data + 7;

    } else if (url->len > 8
               && ngx_strncasecmp(url->data, (u_char *) "https://", 8) == 0)
    {
        *https = 1;
        host->data = url->data + 8;

    } else {
        return NGX_DECLINED;
    }

    last = url->data + url->len;
    path = ngx_strlchr(host->data, last, '/');
    host->len = (path ? path : last) - host->data;

    if (path == NULL) {
        ngx_str_set(uri, "/");

    } else {
        uri->data = path;
        uri->len = last - path;
    }

    return NGX_OK;
}


/* the whole GET of a URL's path, into "pool" */
static ngx_int_t
ngx_http_ticketing_jwks_request(ngx_pool_t *pool, ngx_str_t *uri,
    ngx_str_t *host, ngx_str_t *request)
{
    u_char  *p;

    request->len = sizeof("GET  HTTP/1.0" CRLF "Host: " CRLF
                          "Accept: application/json" CRLF
                          "Connection: close" CRLF CRLF) - 1
                   + uri->len + host->len;

    request->data = ngx_pnalloc(pool, request->len);
    if (request->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(request->data, "GET %V HTTP/1.0" CRLF "Host: %V" CRLF
                    "Accept: application/json" CRLF
                    "Connection: close" CRLF CRLF, uri, host);
    request->len = p - request->data;

    return NGX_OK;
}
