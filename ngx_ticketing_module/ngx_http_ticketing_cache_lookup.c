
/*
 * The cache lookup, the last access step.
 *
 * It comes after authentication and authorization, so a cached answer is
 * never served to a request that would have been refused.  It sends GET to
 * Redis and waits (NGX_DONE); the reply either answers the request (HIT)
 * or resumes the pipeline (MISS, BYPASS).  A timer bounds every wait.  On
 * a miss the request takes the key's fill lock (SET NX) or, when another
 * holds it, polls for its fill a little while.
 *
 * A lookup in flight is a small record outside the request's pool: the
 * Redis client holds it until it calls back, whatever happens to the
 * request meanwhile.  The request's pool cleanup detaches it, so the reply
 * of a request that is gone only frees the record.
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_cachekey.h"


/* how long a fill lock lives if its holder never releases it */
#define NGX_HTTP_TICKETING_CACHE_LOCK_AGE   "5000"

/* how often a request waiting for another's fill looks again */
#define NGX_HTTP_TICKETING_CACHE_POLL_MS    50

/* the client's request directives the cache honours */
#define NGX_HTTP_TICKETING_CACHE_CLIENT_NO_CACHE  1
#define NGX_HTTP_TICKETING_CACHE_CLIENT_NO_STORE  2



struct ngx_http_ticketing_cache_lookup_s {
    /* NULL once the request is gone or stopped waiting */
    ngx_http_request_t            *request;
    ngx_event_t                    timer;
};


static ngx_int_t ngx_http_ticketing_cache_key(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_cache_ctx_t *cctx,
    const char **why);
static ngx_int_t ngx_http_ticketing_cache_request_header(
    ngx_http_request_t *r, ngx_http_ticketing_ctx_t *ctx, unsigned which,
    ngx_str_t *value, const char **why);
static ngx_uint_t ngx_http_ticketing_cache_issuer(
    ngx_http_ticketing_ctx_t *ctx, const ngx_http_ticketing_json_t **iss);
static u_char *ngx_http_ticketing_cache_token_prefix(u_char *p,
    ngx_http_ticketing_ctx_t *ctx, const ngx_http_ticketing_json_t *iss);
static ngx_int_t ngx_http_ticketing_cache_scope_value(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_str_t *value);
static ngx_uint_t ngx_http_ticketing_cache_scoped(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
static ngx_int_t ngx_http_ticketing_cache_client_directives(
    ngx_http_request_t *r, ngx_http_ticketing_ctx_t *ctx);
static ngx_table_elt_t *ngx_http_ticketing_cache_client_line(
    ngx_http_ticketing_headers_t *hs, ngx_uint_t pragma, ngx_uint_t *i);
static ngx_int_t ngx_http_ticketing_cache_client_list(ngx_http_request_t *r,
    ngx_http_ticketing_headers_t *hs, ngx_uint_t pragma, ngx_str_t *list);
static ngx_uint_t ngx_http_ticketing_cache_client_parse(ngx_str_t *list,
    ngx_uint_t pragma, ngx_uint_t *understood);
static void ngx_http_ticketing_cache_lookup_reply(redisReply *reply,
    void *data);
static void ngx_http_ticketing_cache_missed(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t lock_gone);
static void ngx_http_ticketing_cache_lock_reply(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, redisReply *rr);
static void ngx_http_ticketing_cache_wait(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static void ngx_http_ticketing_cache_poll_handler(ngx_event_t *ev);
static void ngx_http_ticketing_cache_lookup_timeout(ngx_event_t *ev);
static void ngx_http_ticketing_cache_resume(ngx_http_request_t *r);
static void ngx_http_ticketing_cache_send_hit(ngx_http_request_t *r,
    ngx_http_ticketing_cacheval_t *v);
static ngx_int_t ngx_http_ticketing_cache_keep_stale(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_http_ticketing_cacheval_t *v);


/*
 * Deletes the keys matching a pattern, inside Redis: one round trip, and
 * SCAN keeps Redis answering others between its steps only as much as a
 * script allows, which is fine for the size of a metadata cache.
 */
static const char  ngx_http_ticketing_cache_purge_script[] =
    "local c, n, f = '0', 0, 0 "
    "repeat "
    "local r = redis.call('SCAN', c, 'MATCH', ARGV[1], 'COUNT', 1000) "
    "c = r[1] "
    "for _, k in ipairs(r[2]) do "
    "if type(redis.pcall('UNLINK', k)) == 'number' "
    "then n = n + 1 else f = f + 1 end "
    "end "
    "until c == '0' "
    "if f > 0 then "
    "return redis.error_reply('PARTIAL ' .. n .. ' purged, ' .. f "
    ".. ' could not be (a slot being migrated)') "
    "end "
    "return n";


/* the worker is exiting: replies only free their records */
ngx_uint_t  ngx_http_ticketing_cache_exiting;


ngx_str_t  ngx_http_ticketing_cache_status_names[] = {
    ngx_null_string,
    ngx_string("HIT"),
    ngx_string("MISS"),
    ngx_string("BYPASS"),
    ngx_string("STALE")
};


/* the access step: look the response up in Redis */
ngx_int_t
ngx_http_ticketing_cache_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_int_t                              rc;
    ngx_msec_t                             ttl;
    const char                            *why;
    ngx_pool_cleanup_t                    *cln;
    ngx_http_ticketing_cache_ctx_t        *cctx;
    ngx_http_ticketing_loc_conf_t         *tlcf;
    const ngx_http_ticketing_operation_t  *op;

    if (ctx->cache != NULL) {
        /* re-entered by an event while the lookup goes on */
        return ctx->cache->waiting ? NGX_DONE : NGX_OK;
    }

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);
    op = ctx->route.op;

    if (!tlcf->cache.enable
        || op == NULL
        || !op->cacheable
        || op->number >= NGX_HTTP_TICKETING_NOPS
        || r->method != NGX_HTTP_GET
        || r != r->main)
    {
        return NGX_OK;
    }

    ttl = tlcf->cache.ttl[op->number];

    if (ttl == 0) {
        /* "ticketing_cache_ttl OPERATION 0": not cached */
        return NGX_OK;
    }

    cctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_cache_ctx_t));
    if (cctx == NULL) {
        return NGX_ERROR;
    }

    ctx->cache = cctx;
    cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
    cctx->scoped = ngx_http_ticketing_cache_scoped(r, ctx);

    if (ngx_http_ticketing_redis_available() != NGX_OK) {
        /*
         * Circuit open, reconnection backing off, a probe being made:
         * Redis would not be asked, so neither key nor record is made,
         * and nothing is stored.
         */
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: redis not available, bypass");
        return NGX_OK;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_ticketing_cache_cleanup;
    cln->data = cctx;

    cctx->ttl = ttl;
    cctx->stale_if_error = tlcf->cache.stale_if_error;
    cctx->max = tlcf->cache.max_size;

    why = NULL;

    rc = ngx_http_ticketing_cache_key(r, ctx, cctx, &why);
    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        /* neither looked up nor stored */
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: %s, bypass", why);
        return NGX_OK;
    }

    rc = tlcf->cache.client_bypass
         ? ngx_http_ticketing_cache_client_directives(r, ctx) : 0;

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    cctx->no_store = (rc & NGX_HTTP_TICKETING_CACHE_CLIENT_NO_STORE) ? 1 : 0;

    if (rc & NGX_HTTP_TICKETING_CACHE_CLIENT_NO_CACHE) {
        /* the fresh answer replaces what is stored, unless no-store */
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: client asked for no-cache, bypass");
        cctx->store = !cctx->no_store;
        return NGX_OK;
    }

    if (ngx_http_ticketing_cache_send(r, cctx, NGX_HTTP_TICKETING_CACHE_GET)
        != NGX_OK)
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: redis not usable, bypass");
        return NGX_OK;
    }

    cctx->waiting = 1;

    /* notice a client that goes away while we wait */
    r->read_event_handler = ngx_http_test_reading;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing cache: lookup \"%V\"", &cctx->key);

    return NGX_DONE;
}


/*
 * Sends one command of the lookup: GET (first, and again while waiting
 * for another's fill) or the fill lock's SET NX.  The reply comes to
 * ngx_http_ticketing_cache_lookup_reply(), or the timeout first.
 */
ngx_int_t
ngx_http_ticketing_cache_send(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t phase)
{
    int                                 argc;
    size_t                              argvlen[6];
    ngx_int_t                           rc;
    const char                         *argv[6];
    ngx_http_ticketing_loc_conf_t      *tlcf;
    ngx_http_ticketing_cache_lookup_t  *lk;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (phase == NGX_HTTP_TICKETING_CACHE_LOCK) {
        argc = 6;
        argv[0] = "SET";
        argv[1] = (const char *) cctx->lock_key.data;
        argvlen[1] = cctx->lock_key.len;
        argv[2] = "1";
        argv[3] = "NX";
        argv[4] = "PX";
        argv[5] = NGX_HTTP_TICKETING_CACHE_LOCK_AGE;

    } else if (phase == NGX_HTTP_TICKETING_CACHE_PURGE) {
        argc = 4;
        argv[0] = "EVAL";
        argv[1] = ngx_http_ticketing_cache_purge_script;
        argvlen[1] = sizeof(ngx_http_ticketing_cache_purge_script) - 1;
        argv[2] = "0";
        argv[3] = (const char *) cctx->pattern.data;

    } else if (phase == NGX_HTTP_TICKETING_CACHE_POLL) {
        /* the fill, and whether its holder still holds the lock */
        argc = 3;
        argv[0] = "MGET";
        argv[1] = (const char *) cctx->key.data;
        argvlen[1] = cctx->key.len;
        argv[2] = (const char *) cctx->lock_key.data;

    } else {
        argc = 2;
        argv[0] = "GET";
        argv[1] = (const char *) cctx->key.data;
        argvlen[1] = cctx->key.len;
    }

    argvlen[0] = ngx_strlen(argv[0]);
    argvlen[2] = (phase == NGX_HTTP_TICKETING_CACHE_POLL)
                 ? cctx->lock_key.len : 1;
    argvlen[3] = (phase == NGX_HTTP_TICKETING_CACHE_PURGE)
                 ? cctx->pattern.len : 2;
    argvlen[4] = 2;
    argvlen[5] = sizeof(NGX_HTTP_TICKETING_CACHE_LOCK_AGE) - 1;

    lk = ngx_alloc(sizeof(ngx_http_ticketing_cache_lookup_t),
                   r->connection->log);
    if (lk == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(lk, sizeof(ngx_http_ticketing_cache_lookup_t));

    lk->request = r;
    lk->timer.handler = ngx_http_ticketing_cache_lookup_timeout;
    lk->timer.data = lk;
    lk->timer.log = r->connection->log;

    /* a purge reaches every primary of a cluster */
    rc = (phase == NGX_HTTP_TICKETING_CACHE_PURGE)
         ? ngx_http_ticketing_redis_command_all(
               ngx_http_ticketing_cache_lookup_reply, lk, argc, argv, argvlen)
         : ngx_http_ticketing_redis_command(
               ngx_http_ticketing_cache_lookup_reply, lk, argc, argv, argvlen);

    if (rc != NGX_OK) {
        ngx_free(lk);
        return NGX_DECLINED;
    }

    cctx->phase = phase;
    cctx->lookup = lk;
    ngx_add_timer(&lk->timer, tlcf->cache.timeout);

    return NGX_OK;
}


/*
 * The key holds everything the answer depends on: provider, organization,
 * operation, path and query parameters, the request headers the upstream
 * negotiates on (Accept, Accept-Language) and, for operations whose
 * answers depend on who asks, the subject or a claim.  NGX_DECLINED with
 * the reason in *why: not cacheable (neither looked up nor stored).
 */
static ngx_int_t
ngx_http_ticketing_cache_key(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_cache_ctx_t *cctx,
    const char **why)
{
    size_t                             size, len, i;
    u_char                            *scratch;
    ngx_int_t                          rc;
    ngx_str_t                          provider, org, accept, language;
    ngx_str_t                          scope;
    const char                        *error;
    ngx_http_ticketing_main_conf_t    *tmcf;
    ngx_http_ticketing_cachekey_in_t   in;
    ngx_http_ticketing_cachekey_rc_e   krc;

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    /*
     * What the provider step resolved; without declared organizations, the
     * organization header it passed on, else the path's {org}.
     */
    provider = ctx->provider;

    if (ctx->org != NULL) {
        org = ctx->org->name;

    } else if (ctx->org_sent.len) {
        org = ctx->org_sent;

    } else {
        org.data = (u_char *)
                   ctx->route.params[NGX_HTTP_TICKETING_PARAM_ORG].data;
        org.len = ctx->route.params[NGX_HTTP_TICKETING_PARAM_ORG].len;
    }

    rc = ngx_http_ticketing_cache_tenant(r, &provider, &org, &error);
    if (rc != NGX_OK) {
        /* NGX_DECLINED only for an {org} nobody checked */
        *why = error;
        return rc;
    }

    rc = ngx_http_ticketing_cache_request_header(r, ctx,
                                        NGX_HTTP_TICKETING_CACHEKEY_ACCEPT,
                                        &accept, why);
    if (rc == NGX_OK) {
        rc = ngx_http_ticketing_cache_request_header(r, ctx,
                               NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE,
                               &language, why);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_ticketing_cache_scope_value(r, ctx, &scope);
    if (rc != NGX_OK) {
        *why = "no subject or claim to key the entry by";
        return rc;
    }

    ngx_memzero(&in, sizeof(ngx_http_ticketing_cachekey_in_t));

    in.prefix.data = tmcf->cache.prefix.data;
    in.prefix.len = tmcf->cache.prefix.len;
    in.provider.data = provider.data;
    in.provider.len = provider.len;
    in.org.data = org.data;
    in.org.len = org.len;
    in.operation.data = (const u_char *) ctx->route.op->name;
    in.operation.len = ngx_strlen(ctx->route.op->name);

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        in.params[i] = ctx->route.params[i];
    }

    in.query.data = r->args.data;
    in.query.len = r->args.len;
    in.args = ngx_http_ticketing_cachekey_args(ctx->route.op->number);
    in.accept.data = accept.data;
    in.accept.len = accept.len;
    in.language.data = language.data;
    in.language.len = language.len;
    in.scope.data = scope.data;
    in.scope.len = scope.len;

    size = ngx_http_ticketing_cachekey_size(&in);

    cctx->key.data = ngx_pnalloc(r->pool, size);
    scratch = ngx_pnalloc(r->pool, r->args.len + 1);

    if (cctx->key.data == NULL || scratch == NULL) {
        return NGX_ERROR;
    }

    krc = ngx_http_ticketing_cachekey_build(&in, scratch, cctx->key.data, size,
                                            &len);

    if (krc != NGX_HTTP_TICKETING_CACHEKEY_OK) {
        *why = (krc == NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG)
               ? "a query parameter the operation does not define"
               : "query not cacheable";
        return NGX_DECLINED;
    }

    cctx->key.len = len;

    /* "|lock" cannot end a key: no lock key is ever a value's key */
    cctx->lock_key.len = len + sizeof("|lock") - 1;
    cctx->lock_key.data = ngx_pnalloc(r->pool, cctx->lock_key.len);
    if (cctx->lock_key.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ngx_cpymem(cctx->lock_key.data, cctx->key.data, len),
               "|lock", sizeof("|lock") - 1);

    return NGX_OK;
}


/*
 * Accept or Accept-Language for the key, normalized: every copy joined
 * with ",", each normalized by ngx_http_ticketing_cachekey_header(); empty
 * when absent.  NGX_DECLINED, with the reason in *why, when a copy is not
 * a value the key can hold (the upstream may read it otherwise than its
 * normalized form) or the result is longer than
 * NGX_HTTP_TICKETING_CACHEKEY_MAX_HEADER.
 */
static ngx_int_t
ngx_http_ticketing_cache_request_header(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, unsigned which, ngx_str_t *value,
    const char **why)
{
    u_char                        *p, *name;
    size_t                         size, len;
    ssize_t                        n;
    ngx_uint_t                     i, kind;
    ngx_table_elt_t               *h;
    ngx_http_ticketing_header_t   *found;
    ngx_http_ticketing_headers_t  *hs;

    if (which == NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE) {
        name = (u_char *) "accept-language";
        len = sizeof("accept-language") - 1;
        kind = NGX_HTTP_TICKETING_HEADER_ACCEPT_LANGUAGE;

    } else {
        name = (u_char *) "accept";
        len = sizeof("accept") - 1;
        kind = NGX_HTTP_TICKETING_HEADER_ACCEPT;
    }

    hs = ngx_http_ticketing_request_headers(r, ctx);
    if (hs == NULL) {
        return NGX_ERROR;
    }

    if (!(hs->kinds & kind)) {
        value->data = (u_char *) "";
        value->len = 0;
        return NGX_OK;
    }

    size = NGX_HTTP_TICKETING_CACHEKEY_MAX_HEADER;

    value->data = ngx_pnalloc(r->pool, size);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    p = value->data;
    i = 0;

    while ((found = ngx_http_ticketing_headers_next(hs, kind, &i)) != NULL) {
        h = found->header;

        if (ngx_memcmp(h->lowcase_key, name, len) != 0) {
            /*
             * "Accept_Language" (underscores_in_headers on): one upstream
             * reads it as Accept-Language, another ignores it; the key
             * cannot say which answer it holds.
             */
            *why = "Accept or Accept-Language spelled with \"_\"";
            return NGX_DECLINED;
        }

        /* the raw length bounds the normalized one */
        if (h->value.len + 1 > size - (size_t) (p - value->data)) {
            *why = "Accept or Accept-Language too long";
            return NGX_DECLINED;
        }

        if (p != value->data) {
            *p++ = ',';
        }

        n = ngx_http_ticketing_cachekey_header(which, h->value.data,
                                               h->value.len, p);
        if (n < 0) {
            *why = "Accept or Accept-Language outside its grammar";
            return NGX_DECLINED;
        }

        p += n;
    }

    value->len = p - value->data;

    return NGX_OK;
}


/*
 * A subject or a claim is unique only within its token's issuer (RFC 7519
 * 4.1.2): an entry keyed by one also names the issuer.  Returns 0 when
 * the token's "iss" cannot name one (not a non-empty string): no entry can
 * be keyed for it; else 1, and the issuer or NULL (no "iss", or no token).
 */
static ngx_uint_t
ngx_http_ticketing_cache_issuer(ngx_http_ticketing_ctx_t *ctx,
    const ngx_http_ticketing_json_t **iss)
{
    *iss = ngx_http_ticketing_json_get(ctx->auth.claims, "iss", 3);

    return *iss == NULL
           || (ngx_http_ticketing_json_is(*iss, STRING) && (*iss)->len != 0);
}


/*
 * For a token: "key:" and the hex id of the key that verified it, "|",
 * and with an issuer "iss:" <length> ":" <issuer> "|".  The issuer is the
 * token's own claim, which any key the location trusts may sign: the key
 * is what keeps apart the parties whose keys a location trusts.
 */
#define NGX_HTTP_TICKETING_CACHE_KEY_ID_LEN                                  \
    (sizeof("key:|") - 1 + 2 * NGX_HTTP_TICKETING_JSON_TAG_SIZE)

static u_char *
ngx_http_ticketing_cache_token_prefix(u_char *p, ngx_http_ticketing_ctx_t *ctx,
    const ngx_http_ticketing_json_t *iss)
{
    if (ctx->auth.key_id == NULL) {
        return p;
    }

    p = ngx_cpymem(p, "key:", sizeof("key:") - 1);
    p = ngx_hex_dump(p, (u_char *) ctx->auth.key_id,
                     NGX_HTTP_TICKETING_JSON_TAG_SIZE);
    *p++ = '|';

    if (iss == NULL) {
        return p;
    }

    p = ngx_sprintf(p, "iss:%uz:", (size_t) iss->len);
    p = ngx_cpymem(p, iss->str, iss->len);
    *p++ = '|';

    return p;
}


/*
 * Whom the entry is for (ticketing_cache_scope): empty when shared; else,
 * after the token's prefix (its key, its issuer), "sub:" and the
 * authenticated subject (or "dn:", "sub#", "sub?"),
 * or "claim:" <name length> ":" <name> "=" <value> of a string or integer
 * claim.  NGX_DECLINED when the request has no such identity: its answer
 * cannot be shared.
 */
static ngx_int_t
ngx_http_ticketing_cache_scope_value(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_str_t *value)
{
    u_char                           *p, sep;
    size_t                            len, prefix;
    ngx_str_t                        *name;
    ngx_uint_t                        number;
    const char                       *s, *kind;
    ngx_http_ticketing_loc_conf_t    *tlcf;
    const ngx_http_ticketing_json_t  *v, *iss;
    u_char                            num[NGX_INT64_LEN];

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);
    number = ctx->route.op->number;

    ngx_str_null(value);

    if (tlcf->cache.scope[number] != NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT
        && tlcf->cache.scope[number] != NGX_HTTP_TICKETING_CACHE_SCOPE_CLAIM)
    {
        return NGX_OK;
    }

    if (!ngx_http_ticketing_cache_issuer(ctx, &iss)) {
        return NGX_DECLINED;
    }

    prefix = (ctx->auth.key_id ? NGX_HTTP_TICKETING_CACHE_KEY_ID_LEN : 0)
             + (iss ? sizeof("iss::|") - 1 + NGX_SIZE_T_LEN + iss->len : 0);

    switch (tlcf->cache.scope[number]) {

    case NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT:

        if (ctx->auth.subject.len == 0) {
            return NGX_DECLINED;
        }

        /*
         * Whose subject, and of which type: a certificate's DN, a token's
         * "sub" string, number and boolean with the same text are four
         * identities, and four entries.
         */
        if (ctx->auth.method == NGX_HTTP_TICKETING_AUTH_MTLS) {
            kind = "dn:";

        } else {
            v = ngx_http_ticketing_json_get(ctx->auth.claims, "sub", 3);

            kind = ngx_http_ticketing_json_is(v, STRING) ? "sub:"
                   : ngx_http_ticketing_json_is(v, INTEGER) ? "sub#"
                   : "sub?";
        }

        value->data = ngx_pnalloc(r->pool, prefix + ngx_strlen(kind)
                                           + ctx->auth.subject.len);
        if (value->data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_http_ticketing_cache_token_prefix(value->data, ctx, iss);
        p = ngx_cpymem(p, kind, ngx_strlen(kind));
        p = ngx_cpymem(p, ctx->auth.subject.data, ctx->auth.subject.len);
        value->len = p - value->data;

        return NGX_OK;

    case NGX_HTTP_TICKETING_CACHE_SCOPE_CLAIM:

        if (ctx->auth.claims == NULL) {
            return NGX_DECLINED;
        }

        name = &tlcf->cache.claim[number];

        v = ngx_http_ticketing_json_get(ctx->auth.claims,
                                        (const char *) name->data, name->len);

        /* "=" a string, "#" a number: "1" and 1 are two values */
        if (ngx_http_ticketing_json_is(v, STRING)) {
            s = v->str;
            len = v->len;
            sep = '=';

        } else if (ngx_http_ticketing_json_is(v, INTEGER)) {
            s = (const char *) num;
            len = ngx_sprintf(num, "%L", v->num.integer) - num;
            sep = '#';

        } else {
            return NGX_DECLINED;
        }

        if (len == 0) {
            return NGX_DECLINED;
        }

        value->data = ngx_pnalloc(r->pool, prefix + sizeof("claim::=") - 1
                                           + NGX_SIZE_T_LEN + name->len
                                           + len);
        if (value->data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_http_ticketing_cache_token_prefix(value->data, ctx, iss);
        p = ngx_sprintf(p, "claim:%uz:%V%c", name->len, name, sep);
        p = ngx_cpymem(p, s, len);
        value->len = p - value->data;

        return NGX_OK;

    default:
        return NGX_OK;
    }
}


/*
 * The request has the identity its operation's entries are keyed by (a
 * subject, or a value of the claim; as ngx_http_ticketing_cache_scope_value()
 * finds it): "Vary: Authorization" is held, whether Redis is asked or not.
 */
static ngx_uint_t
ngx_http_ticketing_cache_scoped(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_uint_t                        number;
    ngx_http_ticketing_loc_conf_t    *tlcf;
    const ngx_http_ticketing_json_t  *v, *iss;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);
    number = ctx->route.op->number;

    switch (tlcf->cache.scope[number]) {

    case NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT:
        return ctx->auth.subject.len != 0
               && ngx_http_ticketing_cache_issuer(ctx, &iss);

    case NGX_HTTP_TICKETING_CACHE_SCOPE_CLAIM:

        if (ctx->auth.claims == NULL
            || !ngx_http_ticketing_cache_issuer(ctx, &iss))
        {
            return 0;
        }

        v = ngx_http_ticketing_json_get(ctx->auth.claims,
                                  (const char *) tlcf->cache.claim[number].data,
                                  tlcf->cache.claim[number].len);

        return (ngx_http_ticketing_json_is(v, STRING) && v->len != 0)
               || ngx_http_ticketing_json_is(v, INTEGER);

    default:
        return 0;
    }
}


/*
 * The provider and organization a cache entry belongs to, by the rules of
 * the provider step: a provider name or alias gives its canonical name
 * ("jam", "Jira Amarillo" and "JAM" share entries), an organization name
 * compares case-insensitively and, when organizations are declared, must
 * be one of them.  The one resolution for the key of a request (which
 * passes what the provider step resolved) and for the purge (which passes
 * its arguments as sent), so that a purge names the keys the requests
 * made.  Empty values stay empty (a purge's "any").  Replaces the values
 * in place; NGX_DECLINED, with the reason in *error, for a name that is no
 * provider or organization.
 */
ngx_int_t
ngx_http_ticketing_cache_tenant(ngx_http_request_t *r, ngx_str_t *provider,
    ngx_str_t *org, const char **error)
{
    u_char                          *out;
    ngx_str_t                       *canonical;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    if (provider->len) {
        canonical = ngx_http_ticketing_provider_canonical(&tmcf->provider,
                                                          provider->data,
                                                          provider->len);
        if (canonical == NULL) {
            *error = "provider is not a ticketing-provider of the gateway";
            return NGX_DECLINED;
        }

        *provider = *canonical;
    }

    if (org->len) {
        out = ngx_pnalloc(r->pool, org->len);
        if (out == NULL) {
            return NGX_ERROR;
        }

        if (ngx_http_ticketing_org_canonical(&tmcf->provider, org->data,
                                             org->len, out, org)
            != NGX_OK)
        {
            *error = "org is not an organization of the gateway";
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/*
 * The client's request directives the cache honours (RFC 9111 5.2.1), a
 * mask of NGX_HTTP_TICKETING_CACHE_CLIENT_*, or NGX_ERROR: no-cache and
 * no-store of Cache-Control, its field lines read as one list (RFC 9110
 * 5.3), or "Pragma: no-cache" when no Cache-Control is understood (RFC 9111
 * 5.4).
 */
static ngx_int_t
ngx_http_ticketing_cache_client_directives(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_str_t                      list;
    ngx_uint_t                     found, understood;
    ngx_http_ticketing_headers_t  *hs;

    hs = ngx_http_ticketing_request_headers(r, ctx);
    if (hs == NULL) {
        return NGX_ERROR;
    }

    if ((hs->kinds & NGX_HTTP_TICKETING_HEADER_CACHE_DIRECTIVE) == 0) {
        return 0;
    }

    if (ngx_http_ticketing_cache_client_list(r, hs, 0, &list) != NGX_OK) {
        return NGX_ERROR;
    }

    found = ngx_http_ticketing_cache_client_parse(&list, 0, &understood);

    if (understood) {
        return found;
    }

    if (ngx_http_ticketing_cache_client_list(r, hs, 1, &list) != NGX_OK) {
        return NGX_ERROR;
    }

    return found | ngx_http_ticketing_cache_client_parse(&list, 1,
                                                          &understood);
}


/* the client's next Cache-Control (or Pragma) line from *i, or NULL */
static ngx_table_elt_t *
ngx_http_ticketing_cache_client_line(ngx_http_ticketing_headers_t *hs,
    ngx_uint_t pragma, ngx_uint_t *i)
{
    ngx_table_elt_t              *h;
    ngx_http_ticketing_header_t  *found;

    while ((found = ngx_http_ticketing_headers_next(hs,
                                   NGX_HTTP_TICKETING_HEADER_CACHE_DIRECTIVE,
                                   i))
           != NULL)
    {
        h = found->header;

        if (ngx_http_ticketing_header_is(h, (u_char *) "pragma",
                                         sizeof("pragma") - 1)
            == pragma)
        {
            return h;
        }
    }

    return NULL;
}


/*
 * The value of the client's Cache-Control (or Pragma) field lines as one
 * list: a line is its own list, several are joined with ", ".
 */
static ngx_int_t
ngx_http_ticketing_cache_client_list(ngx_http_request_t *r,
    ngx_http_ticketing_headers_t *hs, ngx_uint_t pragma, ngx_str_t *list)
{
    u_char           *p;
    size_t            len;
    ngx_uint_t        i, n;
    ngx_table_elt_t  *h;

    ngx_str_null(list);
    len = 0;
    n = 0;
    i = 0;

    while ((h = ngx_http_ticketing_cache_client_line(hs, pragma, &i))
           != NULL)
    {
        *list = h->value;
        len += h->value.len + 2;
        n++;
    }

    if (n < 2) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    list->data = p;
    i = 0;

    while ((h = ngx_http_ticketing_cache_client_line(hs, pragma, &i))
           != NULL)
    {
        if (p != list->data) {
            *p++ = ',';
            *p++ = ' ';
        }

        p = ngx_cpymem(p, h->value.data, h->value.len);
    }

    list->len = p - list->data;

    return NGX_OK;
}


/*
 * The directives of a client's list that the cache honours, in any case.
 * Where the list stops being parseable, the rest is no directive, and
 * serving from the cache is what the client gets without one; but a
 * "no-store" anywhere in it still keeps the answer out of the cache, the
 * side a misreading must fall on (a proxy may have added it on a line of
 * its own).  "understood": some element could be parsed.  In a Pragma,
 * only a bare no-cache counts: "no-cache=x" is an extension.
 */
static ngx_uint_t
ngx_http_ticketing_cache_client_parse(ngx_str_t *list, ngx_uint_t pragma,
    ngx_uint_t *understood)
{
    u_char      *p, *end, *rest;
    ngx_str_t    name, arg;
    ngx_uint_t   found;

    found = 0;
    *understood = 0;
    p = list->data;
    end = p + list->len;

    while (p < end) {
        rest = p;
        p = ngx_http_ticketing_cache_token(p, end, &name, &arg);

        if (p == NULL) {
            if (!pragma
                && ngx_strlcasestrn(rest, end, (u_char *) "no-store",
                                    sizeof("no-store") - 2)
                   != NULL)
            {
                found |= NGX_HTTP_TICKETING_CACHE_CLIENT_NO_STORE;
            }

            break;
        }

        if (name.len == 0) {
            continue;
        }

        *understood = 1;

        if (pragma && arg.data != NULL) {
            continue;
        }

        if (name.len == sizeof("no-cache") - 1
            && ngx_strncasecmp(name.data, (u_char *) "no-cache", name.len)
               == 0)
        {
            found |= NGX_HTTP_TICKETING_CACHE_CLIENT_NO_CACHE;

        } else if (!pragma
                   && name.len == sizeof("no-store") - 1
                   && ngx_strncasecmp(name.data, (u_char *) "no-store",
                                      name.len)
                      == 0)
        {
            found |= NGX_HTTP_TICKETING_CACHE_CLIENT_NO_STORE;
        }
    }

    return found;
}


static void
ngx_http_ticketing_cache_lookup_reply(redisReply *reply, void *data)
{
    ngx_http_ticketing_cache_lookup_t  *lk = data;

    ngx_uint_t                       lock_gone, tryagain;
    redisReply                      *rr = reply;
    ngx_http_ticketing_cacheval_t    v;
    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    if (lk->timer.timer_set) {
        ngx_del_timer(&lk->timer);
    }

    r = lk->request;
    ngx_free(lk);

    /*
     * A cluster's slot being migrated: the entry and its lock may be on
     * two nodes for a moment (MGET answers TRYAGAIN).  Redis is fine.
     */
    tryagain = (rr != NULL && rr->type == REDIS_REPLY_ERROR
                && rr->len >= 8 && ngx_strncmp(rr->str, "TRYAGAIN", 8) == 0);

    if (rr == NULL || (rr->type == REDIS_REPLY_ERROR && !tryagain)) {
        ngx_http_ticketing_redis_failure(rr ? "an error reply"
                                            : "connection lost");
    } else if (!tryagain) {
        ngx_http_ticketing_redis_success();
    }

    if (r == NULL) {
        /* the request is gone, or stopped waiting */
        return;
    }

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    cctx = ctx->cache;
    cctx->lookup = NULL;

    if (ngx_http_ticketing_cache_exiting) {
        /* the connection is dropped at exit: do not resume anything */
        return;
    }

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_PURGE) {
        ngx_http_ticketing_cache_purge_done(r, rr);
        ngx_http_run_posted_requests(c);
        return;
    }

    if (tryagain && cctx->phase == NGX_HTTP_TICKETING_CACHE_POLL) {
        /* the fill is not to be seen yet: wait for it as for a held lock */
        ngx_http_ticketing_cache_missed(r, cctx, 0);
        ngx_http_run_posted_requests(c);
        return;
    }

    if (rr == NULL || rr->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "ticketing cache: lookup failed (%s), bypass",
                      rr ? ngx_http_ticketing_peer_text(rr->str, rr->len)
                         : "no connection");

        cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
        cctx->store = 0;

        ngx_http_ticketing_cache_resume(r);
        ngx_http_run_posted_requests(c);
        return;
    }

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_LOCK) {
        ngx_http_ticketing_cache_lock_reply(r, cctx, rr);
        ngx_http_run_posted_requests(c);
        return;
    }

    lock_gone = 0;

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_POLL) {
        if (rr->type != REDIS_REPLY_ARRAY || rr->elements != 2) {
            cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
            ngx_http_ticketing_cache_resume(r);
            ngx_http_run_posted_requests(c);
            return;
        }

        lock_gone = (rr->element[1]->type == REDIS_REPLY_NIL);
        rr = rr->element[0];
    }

    if (rr->type == REDIS_REPLY_STRING) {

        if (ngx_http_ticketing_cache_value(rr, &v) != NGX_OK) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "ticketing cache: malformed value of %uz bytes "
                          "ignored", (size_t) rr->len);

        } else if (ngx_http_ticketing_cache_now() < v.fresh_until) {
            cctx->status = NGX_HTTP_TICKETING_CACHE_HIT;

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                           "ticketing cache: hit, %uz bytes",
                           (size_t) rr->len);

            ngx_http_ticketing_cache_send_hit(r, &v);
            ngx_http_run_posted_requests(c);
            return;

        } else if (cctx->stale_if_error
                   && cctx->stale_body.data == NULL
                   && ngx_http_ticketing_cache_keep_stale(r, cctx, &v)
                      != NGX_OK)
        {
            cctx->waiting = 0;
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            ngx_http_run_posted_requests(c);
            return;
        }
    }

    /* nil, or only stale */
    ngx_http_ticketing_cache_missed(r, cctx, lock_gone);
    ngx_http_run_posted_requests(c);
}


/*
 * Not in Redis (or only stale).  Request coalescing: the first request to
 * take the key's fill lock goes upstream and stores; the others wait for
 * its fill up to ticketing_cache_lock_timeout, then go upstream too.
 */
static void
ngx_http_ticketing_cache_missed(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t lock_gone)
{
    ngx_http_ticketing_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    cctx->status = NGX_HTTP_TICKETING_CACHE_MISS;

    if (cctx->no_store) {
        /* nothing to fill: no lock taken, no one made to wait for it */
        ngx_http_ticketing_cache_resume(r);
        return;
    }

    cctx->store = 1;

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_POLL) {

        if (lock_gone) {
            /* the holder ended without storing (e.g. not a 200) */
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing cache: lock released without a fill, "
                          "going upstream");

        } else if ((ngx_msec_int_t) (cctx->wait_until - ngx_current_msec)
                   > 0)
        {
            ngx_http_ticketing_cache_wait(r, cctx);
            return;

        } else {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing cache: no fill after %M ms, "
                          "going upstream", tlcf->cache.lock_timeout);
        }

    } else if (tlcf->cache.lock_timeout
               && ngx_http_ticketing_cache_send(r, cctx,
                                                NGX_HTTP_TICKETING_CACHE_LOCK)
                  == NGX_OK)
    {
        return;
    }

    ngx_http_ticketing_cache_resume(r);
}


static void
ngx_http_ticketing_cache_lock_reply(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, redisReply *rr)
{
    ngx_http_ticketing_loc_conf_t  *tlcf;

    if (rr->type == REDIS_REPLY_NIL) {
        /* another request, here or in another nginx, is filling */
        tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: locked by another, waiting");

        cctx->phase = NGX_HTTP_TICKETING_CACHE_POLL;
        cctx->wait_until = ngx_current_msec + tlcf->cache.lock_timeout;
        ngx_http_ticketing_cache_wait(r, cctx);
        return;
    }

    if (rr->type == REDIS_REPLY_STATUS) {
        cctx->locked = 1;

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: fill lock taken");
    }

    cctx->status = NGX_HTTP_TICKETING_CACHE_MISS;
    cctx->store = 1;

    ngx_http_ticketing_cache_resume(r);
}


static void
ngx_http_ticketing_cache_wait(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    ngx_msec_t  left;

    left = cctx->wait_until - ngx_current_msec;

    cctx->poll.handler = ngx_http_ticketing_cache_poll_handler;
    cctx->poll.data = r;
    cctx->poll.log = r->connection->log;

    ngx_add_timer(&cctx->poll,
                  ngx_min(left, NGX_HTTP_TICKETING_CACHE_POLL_MS));
}


static void
ngx_http_ticketing_cache_poll_handler(ngx_event_t *ev)
{
    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    r = ev->data;
    c = r->connection;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    cctx = ctx->cache;

    if (ngx_http_ticketing_cache_send(r, cctx, NGX_HTTP_TICKETING_CACHE_POLL)
        != NGX_OK)
    {
        cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
        cctx->store = 0;

        ngx_http_ticketing_cache_resume(r);
        ngx_http_run_posted_requests(c);
    }
}


static void
ngx_http_ticketing_cache_lookup_timeout(ngx_event_t *ev)
{
    ngx_http_ticketing_cache_lookup_t  *lk = ev->data;

    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_ticketing_ctx_t        *ctx;

    r = lk->request;
    c = r->connection;

    /* stop waiting; hiredis still holds the record and frees it later */
    lk->request = NULL;

    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_TIMEOUT);

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    ctx->cache->lookup = NULL;

    if (ctx->cache->phase == NGX_HTTP_TICKETING_CACHE_PURGE) {
        ngx_http_ticketing_redis_failure("purge timed out");
        ngx_http_ticketing_cache_purge_done(r, NULL);
        ngx_http_run_posted_requests(c);
        return;
    }

    ctx->cache->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
    ctx->cache->store = 0;

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "ticketing cache: lookup timed out, bypass");

    /* may drop the connection, and with it the record */
    ngx_http_ticketing_redis_failure("lookup timed out");

    ngx_http_ticketing_cache_resume(r);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_ticketing_cache_resume(ngx_http_request_t *r)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    ctx->cache->waiting = 0;
    r->read_event_handler = ngx_http_block_reading;

    /* the cache step, re-entered, is done */
    ngx_http_ticketing_resume(r);
}


static void
ngx_http_ticketing_cache_send_hit(ngx_http_request_t *r,
    ngx_http_ticketing_cacheval_t *v)
{
    u_char                    *type;
    ngx_str_t                  lang, content_type;
    ngx_buf_t                 *b;
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    ctx->cache->waiting = 0;

    r->read_event_handler = ngx_http_block_reading;

    /* a GET's body, if any, is dropped; a malformed one closes */
    (void) ngx_http_ticketing_drop_body(r, NGX_HTTP_OK);

    /* the reply is freed when this callback returns: copy what is sent */

    type = ngx_pnalloc(r->pool, v->type.len);
    b = ngx_calloc_buf(r->pool);

    if (type == NULL || b == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_memcpy(type, v->type.data, v->type.len);

    if (v->body.len) {
        b->start = ngx_pnalloc(r->pool, v->body.len);
        if (b->start == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_memcpy(b->start, v->body.data, v->body.len);
        b->pos = b->start;
        b->last = b->start + v->body.len;
        b->end = b->last;
        b->memory = 1;
    }

    if (v->language.len) {
        lang.len = v->language.len;
        lang.data = ngx_pnalloc(r->pool, lang.len);
        if (lang.data == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_memcpy(lang.data, v->language.data, lang.len);

        if (ngx_http_ticketing_cache_add_header(r, "Content-Language", &lang)
            != NGX_OK)
        {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    if (ngx_http_ticketing_cache_add_age(r, v->born) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    content_type.data = type;
    content_type.len = v->type.len;

    ngx_http_finalize_request(r,
        ngx_http_ticketing_send_buf(r, NGX_HTTP_OK, &content_type, b));
}


/* an entry past its TTL: kept in the request's pool for stale-if-error */
static ngx_int_t
ngx_http_ticketing_cache_keep_stale(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_http_ticketing_cacheval_t *v)
{
    cctx->stale_type.data = ngx_pnalloc(r->pool, v->type.len);
    cctx->stale_language.data = ngx_pnalloc(r->pool, v->language.len + 1);
    cctx->stale_body.data = ngx_pnalloc(r->pool, v->body.len + 1);

    if (cctx->stale_type.data == NULL || cctx->stale_language.data == NULL
        || cctx->stale_body.data == NULL)
    {
        return NGX_ERROR;
    }

    cctx->stale_language.len = v->language.len;
    ngx_memcpy(cctx->stale_language.data, v->language.data,
               v->language.len);

    cctx->stale_type.len = v->type.len;
    ngx_memcpy(cctx->stale_type.data, v->type.data, v->type.len);

    cctx->stale_body.len = v->body.len;
    ngx_memcpy(cctx->stale_body.data, v->body.data, v->body.len);

    cctx->stale_born = v->born;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing cache: stale entry kept, %uz bytes",
                   v->body.len);

    return NGX_OK;
}


/* the wall clock in ms: entries are shared by nginx instances */
unsigned long long
ngx_http_ticketing_cache_now(void)
{
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    return (unsigned long long) tp->sec * 1000 + tp->msec;
}


/* the request's pool goes away: detach the lookup, free the copy */
void
ngx_http_ticketing_cache_cleanup(void *data)
{
    ngx_http_ticketing_cache_ctx_t  *cctx = data;

    size_t       argvlen[2];
    const char  *argv[2];

    if (cctx->lookup) {
        if (cctx->lookup->timer.timer_set) {
            ngx_del_timer(&cctx->lookup->timer);
        }

        /* hiredis frees the record when it calls back */
        cctx->lookup->request = NULL;
        cctx->lookup = NULL;
    }

    if (cctx->poll.timer_set) {
        ngx_del_timer(&cctx->poll);
    }

    if (cctx->locked) {
        /* after the SET of the fill, if any: same connection, in order */
        argv[0] = "DEL";
        argvlen[0] = 3;
        argv[1] = (const char *) cctx->lock_key.data;
        argvlen[1] = cctx->lock_key.len;

        (void) ngx_http_ticketing_redis_command(NULL, NULL, 2, argv, argvlen);
        cctx->locked = 0;
    }

    ngx_http_ticketing_cache_stop_storing(cctx);
}


ngx_int_t
ngx_http_ticketing_cache_status_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->cache == NULL
        || ctx->cache->status == NGX_HTTP_TICKETING_CACHE_NONE)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = ngx_http_ticketing_cache_status_names[ctx->cache->status].data;
    v->len = ngx_http_ticketing_cache_status_names[ctx->cache->status].len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}
