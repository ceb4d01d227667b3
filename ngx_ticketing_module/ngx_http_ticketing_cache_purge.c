
/*
 * The purge endpoint (ticketing_cache_purge): DELETE with provider=, org=,
 * operation= or uri= removes the matching entries, on every primary of a
 * cluster.
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_cachekey.h"


static ngx_int_t ngx_http_ticketing_cache_purge_handler(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_cache_purge_args(ngx_http_request_t *r,
    const char **error);
static ngx_int_t ngx_http_ticketing_cache_purge_arg(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static ngx_int_t ngx_http_ticketing_cache_purge_entry(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *provider,
    ngx_str_t *org, ngx_str_t *uri, const char **error);
static ngx_int_t ngx_http_ticketing_cache_purge_glob(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *provider,
    ngx_str_t *org, ngx_str_t *op, const char **error);
static ngx_int_t ngx_http_ticketing_cache_purge_pattern(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, const char **error);
static u_char *ngx_http_ticketing_cache_glob(u_char *p, u_char *src,
    size_t len);


/* ticketing_cache_purge; */
char *
ngx_http_ticketing_cache_purge(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t        *clcf;
    ngx_http_ticketing_main_conf_t  *tmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_ticketing_cache_purge_handler;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);
    tmcf->cache.enabled = 1;

    return NGX_CONF_OK;
}


/*
 * DELETE with, in the query: provider=, org=, operation= to narrow the
 * purge (none: everything under the key prefix), or uri= (a request's
 * path and query, percent-encoded) with provider= and org= for one entry.
 * Answers 200 {"purged":N}; errors in the uniform schema.
 */
static ngx_int_t
ngx_http_ticketing_cache_purge_handler(ngx_http_request_t *r)
{
    ngx_int_t                        rc;
    ngx_str_t                        allow = ngx_string("DELETE");
    const char                      *error;
    ngx_pool_cleanup_t              *cln;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    if (r->method != NGX_HTTP_DELETE) {
        return ngx_http_ticketing_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                             "a purge is a DELETE", &allow);
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_ctx_t));
    cctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_cache_ctx_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (ctx == NULL || cctx == NULL || cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_ticketing_cache_cleanup;
    cln->data = cctx;

    ctx->cache = cctx;
    ngx_http_set_ctx(r, ctx, ngx_http_ticketing_module);

    /* the gateway's authentication, and the purge permission */
    rc = ngx_http_ticketing_auth_purge(r, ctx);
    if (rc != NGX_OK) {
        if (rc < NGX_HTTP_SPECIAL_RESPONSE) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_ticketing_send_error(r, rc, ctx->error_detail, NULL);
    }

    if (ngx_http_ticketing_drop_body(r, NGX_HTTP_OK) != NGX_OK) {
        return ngx_http_ticketing_send_error(r, NGX_HTTP_BAD_REQUEST,
                                             "the request body is malformed",
                                             NULL);
    }

    error = NULL;

    rc = ngx_http_ticketing_cache_purge_pattern(r, cctx, &error);
    if (rc != NGX_OK) {
        if (rc == NGX_HTTP_BAD_REQUEST) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing cache: purge refused: %s", error);
            return ngx_http_ticketing_send_error(r, rc, error, NULL);
        }

        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_ticketing_cache_send(r, cctx,
                                      NGX_HTTP_TICKETING_CACHE_PURGE)
        != NGX_OK)
    {
        return ngx_http_ticketing_send_error(r,
                                         NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "the cache is not reachable", NULL);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "ticketing cache: purge \"%V\"", &cctx->pattern);

    cctx->waiting = 1;
    r->read_event_handler = ngx_http_test_reading;
    r->main->count++;

    return NGX_DONE;
}


void
ngx_http_ticketing_cache_purge_done(ngx_http_request_t *r, redisReply *rr)
{
    ngx_buf_t                       *b;
    ngx_http_ticketing_ctx_t        *ctx;

    static ngx_str_t  json = ngx_string("application/json");

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    ctx->cache->waiting = 0;
    r->read_event_handler = ngx_http_block_reading;

    if (rr == NULL || rr->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "ticketing cache: purge failed: %s",
                      rr == NULL ? "no answer"
                      : rr->type == REDIS_REPLY_ERROR
                      ? ngx_http_ticketing_peer_text(rr->str, rr->len)
                      : "unexpected reply");

        ngx_http_finalize_request(r,
            ngx_http_ticketing_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                          "the cache purge failed", NULL));
        return;
    }

    b = ngx_create_temp_buf(r->pool, sizeof("{\"purged\":}") + NGX_INT64_LEN);
    if (b == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    b->last = ngx_sprintf(b->last, "{\"purged\":%L}", (int64_t) rr->integer);

    ngx_http_finalize_request(r,
        ngx_http_ticketing_send_buf(r, NGX_HTTP_OK, &json, b));
}


/*
 * The purge's query holds only provider=, org=, operation= and uri=
 * (names in any case, as ngx_http_arg() finds them), each once and with a
 * value: anything else would be ignored, and a purge must never do
 * something other than what it says.
 */
static ngx_int_t
ngx_http_ticketing_cache_purge_args(ngx_http_request_t *r,
    const char **error)
{
    u_char      *p, *end, *amp, *eq;
    size_t       len;
    ngx_uint_t   i, seen;

    static ngx_str_t  names[] = {
        ngx_string("provider"),
        ngx_string("org"),
        ngx_string("operation"),
        ngx_string("uri"),
        ngx_null_string
    };

    seen = 0;
    p = r->args.data;
    end = p + r->args.len;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            p++;
            continue;
        }

        eq = ngx_strlchr(p, amp, '=');
        len = (eq ? eq : amp) - p;

        for (i = 0; names[i].len; i++) {
            if (names[i].len == len
                && ngx_strncasecmp(p, names[i].data, len) == 0)
            {
                break;
            }
        }

        if (names[i].len == 0) {
            *error = "unknown purge argument: provider=, org=, operation= "
                     "or uri=";
            return NGX_DECLINED;
        }

        if (seen & (1 << i)) {
            *error = "a purge argument is repeated";
            return NGX_DECLINED;
        }

        if (eq == NULL || eq + 1 == amp) {
            *error = "a purge argument has no value";
            return NGX_DECLINED;
        }

        seen |= 1 << i;
        p = amp;
    }

    return NGX_OK;
}


/* the query argument "name", percent-decoded, in the request's pool */
static ngx_int_t
ngx_http_ticketing_cache_purge_arg(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    u_char     *dst, *src;
    ngx_str_t   raw;

    ngx_str_null(value);

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &raw) != NGX_OK) {
        return NGX_OK;
    }

    value->data = ngx_pnalloc(r->pool, raw.len + 1);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    dst = value->data;
    src = raw.data;

    ngx_unescape_uri(&dst, &src, raw.len, 0);

    value->len = dst - value->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_cache_purge_pattern(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, const char **error)
{
    ngx_int_t  rc;
    ngx_str_t  provider, org, op, uri;

    if (ngx_http_ticketing_cache_purge_args(r, error) != NGX_OK) {
        return NGX_HTTP_BAD_REQUEST;
    }

    if (ngx_http_ticketing_cache_purge_arg(r, "provider", &provider)
           != NGX_OK
        || ngx_http_ticketing_cache_purge_arg(r, "org", &org) != NGX_OK
        || ngx_http_ticketing_cache_purge_arg(r, "operation", &op) != NGX_OK
        || ngx_http_ticketing_cache_purge_arg(r, "uri", &uri) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* as the keys of the requests name them */
    rc = ngx_http_ticketing_cache_tenant(r, &provider, &org, error);
    if (rc == NGX_DECLINED) {
        return NGX_HTTP_BAD_REQUEST;
    }

    if (rc != NGX_OK) {
        return rc;
    }

    /*
     * With declared organizations every key has one, the org the request
     * resolved: a uri= without it would purge nothing, silently.  Without
     * them a key has the organization header the upstream received, if
     * any: a uri= without org= purges the request's entries of every
     * organization.
     */

    if (uri.len && op.len) {
        *error = "uri= takes no operation=";
        return NGX_HTTP_BAD_REQUEST;
    }

    if (uri.len) {
        return ngx_http_ticketing_cache_purge_entry(r, cctx, &provider, &org,
                                                    &uri, error);
    }

    return ngx_http_ticketing_cache_purge_glob(r, cctx, &provider, &org, &op,
                                               error);
}


/* one entry: the key of that request, exactly */
static ngx_int_t
ngx_http_ticketing_cache_purge_entry(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *provider,
    ngx_str_t *org, ngx_str_t *uri, const char **error)
{
    u_char                                *p, *q, *scratch, *key;
    size_t                                 size, len, k, t;
    ngx_uint_t                             i;
    ngx_http_ticketing_route_t             rt;
    ngx_http_ticketing_main_conf_t        *tmcf;
    ngx_http_ticketing_cachekey_in_t       in;
    u_char                                 digits[NGX_SIZE_T_LEN];

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    q = ngx_strlchr(uri->data, uri->data + uri->len, '?');
    len = q ? (size_t) (q - uri->data) : uri->len;

    scratch = ngx_pnalloc(r->pool, uri->len + 1);
    if (scratch == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_ticketing_route_match(uri->data, len,
                                       NGX_HTTP_TICKETING_GET, scratch,
                                       &rt)
        != NGX_HTTP_TICKETING_ROUTE_OK
        || !rt.op->cacheable)
    {
        *error = "uri is not a cacheable operation";
        return NGX_HTTP_BAD_REQUEST;
    }

    if (provider->len == 0) {
        *error = "uri= needs provider=";
        return NGX_HTTP_BAD_REQUEST;
    }

    if (org->len == 0 && tmcf->provider.orgs != NULL) {
        *error = "uri= needs org= when organizations are declared";
        return NGX_HTTP_BAD_REQUEST;
    }

    ngx_memzero(&in, sizeof(ngx_http_ticketing_cachekey_in_t));

    in.prefix.data = tmcf->cache.prefix.data;
    in.prefix.len = tmcf->cache.prefix.len;
    in.provider.data = provider->data;
    in.provider.len = provider->len;
    in.org.data = org->data;
    in.org.len = org->len;
    in.operation.data = (const u_char *) rt.op->name;
    in.operation.len = ngx_strlen(rt.op->name);

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        in.params[i] = rt.params[i];
    }

    if (q) {
        in.query.data = q + 1;
        in.query.len = uri->data + uri->len - (q + 1);
    }

    size = ngx_http_ticketing_cachekey_size(&in);
    key = ngx_pnalloc(r->pool, size);
    scratch = ngx_pnalloc(r->pool, in.query.len + 1);

    if (key == NULL || scratch == NULL) {
        return NGX_ERROR;
    }

    in.args = ngx_http_ticketing_cachekey_args(rt.op->number);

    if (ngx_http_ticketing_cachekey_build(&in, scratch, key, size, &len)
        != NGX_HTTP_TICKETING_CACHEKEY_OK)
    {
        *error = "uri has a query that is not cached";
        return NGX_HTTP_BAD_REQUEST;
    }

    /*
     * Every variant of that request: whatever its Accept,
     * Accept-Language and scope, so whatever the hash tag.  Past the
     * tag, the key up to its query is a prefix of no other request's
     * key.
     */
    len -= sizeof("|h|0:|0:|s|0:") - 1;

    cctx->pattern.data = ngx_pnalloc(r->pool, 2 * len + sizeof("|h*"));
    if (cctx->pattern.data == NULL) {
        return NGX_ERROR;
    }

    t = tmcf->cache.prefix.len + sizeof("|v4") - 1;

    /* the key's organization ("0:" after the provider): any, or the one */
    k = t + NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN + 1
        + ngx_sprintf(digits, "%uz", provider->len) - digits
        + 1 + provider->len + 1;

    if (org->len == 0
        && (k + 3 > len || ngx_strncmp(key + k, "0:|", 3) != 0))
    {
        return NGX_ERROR;
    }

    p = ngx_http_ticketing_cache_glob(cctx->pattern.data, key, t);
    p = ngx_cpymem(p, "|{*}", 4);
    t += NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN;

    if (org->len == 0) {
        p = ngx_http_ticketing_cache_glob(p, key + t, k - t);
        *p++ = '*';
        p = ngx_http_ticketing_cache_glob(p, key + k + 2, len - k - 2);

    } else {
        p = ngx_http_ticketing_cache_glob(p, key + t, len - t);
    }

    p = ngx_cpymem(p, "|h*", sizeof("|h*") - 1);
    cctx->pattern.len = p - cctx->pattern.data;

    return NGX_OK;
}


/*
 * PREFIX|v4|{*}|<provider>|<org>|<operation>|... with "*" for the unset
 */
static ngx_int_t
ngx_http_ticketing_cache_purge_glob(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *provider,
    ngx_str_t *org, ngx_str_t *op, const char **error)
{
    u_char                                *p;
    size_t                                 size;
    ngx_http_ticketing_main_conf_t        *tmcf;
    const ngx_http_ticketing_operation_t  *o;

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    if (op->len) {
        o = ngx_http_ticketing_operation_find((const char *) op->data, op->len);
        if (o == NULL || !o->cacheable) {
            *error = "operation is not a cacheable operation";
            return NGX_HTTP_BAD_REQUEST;
        }
    }

    size = 2 * (tmcf->cache.prefix.len + provider->len + org->len + op->len)
           + 3 * (NGX_SIZE_T_LEN + 4) + sizeof("|v4|{*}|*");

    cctx->pattern.data = ngx_pnalloc(r->pool, size);
    if (cctx->pattern.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_http_ticketing_cache_glob(cctx->pattern.data,
                                      tmcf->cache.prefix.data,
                                      tmcf->cache.prefix.len);
    p = ngx_cpymem(p, "|v4|{*}", 7);

    if (provider->len) {
        p = ngx_sprintf(p, "|%uz:", provider->len);
        p = ngx_http_ticketing_cache_glob(p, provider->data, provider->len);

    } else if (org->len || op->len) {
        p = ngx_cpymem(p, "|*", 2);
    }

    if (org->len) {
        p = ngx_sprintf(p, "|%uz:", org->len);
        p = ngx_http_ticketing_cache_glob(p, org->data, org->len);

    } else if (op->len) {
        p = ngx_cpymem(p, "|*", 2);
    }

    if (op->len) {
        p = ngx_sprintf(p, "|%uz:", op->len);
        p = ngx_http_ticketing_cache_glob(p, op->data, op->len);
    }

    p = ngx_cpymem(p, "|*", 2);

    cctx->pattern.len = p - cctx->pattern.data;

    return NGX_OK;
}


/* copies with the glob characters of Redis' MATCH escaped */
static u_char *
ngx_http_ticketing_cache_glob(u_char *p, u_char *src, size_t len)
{
    while (len--) {
        if (*src == '*' || *src == '?' || *src == '[' || *src == ']'
            || *src == '\\')
        {
            *p++ = '\\';
        }

        *p++ = *src++;
    }

    return p;
}
