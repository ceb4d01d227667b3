
/*
 * The access-phase handler: the pipeline every request in a gateway
 * location goes through before it may reach the upstream.
 */


#include "ngx_http_ticketing_module.h"


static unsigned ngx_http_ticketing_method_bit(ngx_http_request_t *r);
static void ngx_http_ticketing_raw_path(ngx_http_request_t *r,
    ngx_str_t *path);
static ngx_int_t ngx_http_ticketing_route_step(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
static ngx_int_t ngx_http_ticketing_refuse(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_int_t status);
static ngx_int_t ngx_http_ticketing_refuse_method(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);


/*
 * Runs the steps in order: route, authenticate and authorize, normalize the
 * provider and organization, validate, look up the cache.  Auth comes right
 * after routing, so that nothing else is revealed to an unauthenticated
 * client, and before the cache, so that a cached answer is never served to
 * a request that would have been refused.  A step that waits for I/O
 * returns NGX_DONE; ngx_http_ticketing_resume() brings the request back
 * here, to that same step, which knows from its own state whether it is
 * done (NGX_OK) or goes on.
 */
ngx_int_t
ngx_http_ticketing_access_handler(ngx_http_request_t *r)
{
    ngx_int_t                       rc;
    ngx_http_ticketing_ctx_t       *ctx;
    ngx_http_ticketing_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (!tlcf->gateway) {
        return NGX_DECLINED;
    }

    ctx = ngx_http_ticketing_route_request(r);
    if (ctx == NULL) {
        return ngx_http_ticketing_refuse(r, NULL, NGX_ERROR);
    }

    for ( ;; ) {

        switch (ctx->step) {

        case NGX_HTTP_TICKETING_STEP_ROUTE:
            rc = ngx_http_ticketing_route_step(r, ctx);
            break;

        case NGX_HTTP_TICKETING_STEP_AUTH:
            rc = ngx_http_ticketing_auth_handler(r, ctx);
            break;

        case NGX_HTTP_TICKETING_STEP_PROVIDER:
            rc = ngx_http_ticketing_provider_handler(r, ctx);
            break;

        case NGX_HTTP_TICKETING_STEP_VALIDATE:
            rc = ngx_http_ticketing_validate_handler(r, ctx);
            break;

        case NGX_HTTP_TICKETING_STEP_CACHE:
            rc = ngx_http_ticketing_cache_handler(r, ctx);
            break;

        default: /* NGX_HTTP_TICKETING_STEP_PASS */

            /* declined, not OK: under "satisfy any" OK would skip the rest */
            return NGX_DECLINED;
        }

        if (rc == NGX_DONE) {
            return NGX_DONE;
        }

        if (rc != NGX_OK) {
            return ngx_http_ticketing_refuse(r, ctx, rc);
        }

        ctx->step++;
    }
}


void
ngx_http_ticketing_resume(ngx_http_request_t *r)
{
    r->write_event_handler = ngx_http_core_run_phases;
    ngx_http_core_run_phases(r);
}


static ngx_int_t
ngx_http_ticketing_route_step(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    switch (ctx->route_rc) {

    case NGX_HTTP_TICKETING_ROUTE_OK:
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing route: operation %s (#%ui)",
                       ctx->route.op->name, (ngx_uint_t) ctx->route.op->number);
        return NGX_OK;

    case NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED:
        return ngx_http_ticketing_refuse_method(r, ctx);

    case NGX_HTTP_TICKETING_ROUTE_BAD_PARAM:
        ctx->error_detail = ctx->route.detail;
        return NGX_HTTP_BAD_REQUEST;

    default: /* NGX_HTTP_TICKETING_ROUTE_NOT_FOUND */
        ctx->error_detail = ctx->route.detail;
        return NGX_HTTP_NOT_FOUND;
    }
}


/*
 * Sends the uniform error for a refused request and finishes it.  Every
 * refusal is logged at "info" with its reason, never with a credential.
 */
static ngx_int_t
ngx_http_ticketing_refuse(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_int_t status)
{
    ngx_int_t    rc;
    const char  *detail;

    if (status == NGX_ERROR || status < NGX_HTTP_SPECIAL_RESPONSE) {
        status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        detail = NULL;

    } else {
        detail = ctx ? ctx->error_detail : NULL;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "ticketing: refused with %i: %s", status,
                  detail ? detail : "(no detail)");

    rc = ngx_http_ticketing_send_error(r, status, detail, NULL);

    /* the response is sent: stop the phases and let nginx finish it */
    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}


ngx_http_ticketing_ctx_t *
ngx_http_ticketing_route_request(ngx_http_request_t *r)
{
    u_char                    *scratch;
    ngx_str_t                  path;
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    if (ctx != NULL) {
        return ctx;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_ctx_t));
    if (ctx == NULL) {
        return NULL;
    }

    ngx_http_ticketing_raw_path(r, &path);

    scratch = ngx_pnalloc(r->pool, path.len + 1);
    if (scratch == NULL) {
        return NULL;
    }

    ctx->route_rc = ngx_http_ticketing_route_match(path.data, path.len,
                                              ngx_http_ticketing_method_bit(r),
                                              scratch, &ctx->route);

    ngx_http_set_ctx(r, ctx, ngx_http_ticketing_module);

    return ctx;
}


static unsigned
ngx_http_ticketing_method_bit(ngx_http_request_t *r)
{
    switch (r->method) {

    case NGX_HTTP_GET:
        return NGX_HTTP_TICKETING_GET;

    case NGX_HTTP_POST:
        return NGX_HTTP_TICKETING_POST;

    case NGX_HTTP_PUT:
        return NGX_HTTP_TICKETING_PUT;

    case NGX_HTTP_PATCH:
        return NGX_HTTP_TICKETING_PATCH;

    case NGX_HTTP_DELETE:
        return NGX_HTTP_TICKETING_DELETE;

    default:
        /* HEAD, OPTIONS, ...: no catalogue operation uses them */
        return 0;
    }
}


/*
 * The path as the client sent it, still percent-encoded: the matcher must
 * see "%2F" to refuse it inside a parameter.  proxy_pass without a URI
 * forwards the same raw path, so what is routed is what the upstream gets.
 * After a rewrite the original is gone and the current URI is used.
 */
static void
ngx_http_ticketing_raw_path(ngx_http_request_t *r, ngx_str_t *path)
{
    u_char  *q;

    if (!r->valid_unparsed_uri) {
        *path = r->uri;
        return;
    }

    path->data = r->unparsed_uri.data;
    path->len = r->unparsed_uri.len;

    q = ngx_strlchr(path->data, path->data + path->len, '?');
    if (q != NULL) {
        path->len = q - path->data;
    }
}


static ngx_int_t
ngx_http_ticketing_refuse_method(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    u_char     *p;
    ngx_int_t   rc;
    ngx_str_t   allow;
    u_char      detail[NGX_HTTP_TICKETING_DETAIL_SIZE + 64];

    allow.data = ngx_pnalloc(r->pool, NGX_HTTP_TICKETING_ALLOW_SIZE);
    if (allow.data == NULL) {
        return NGX_ERROR;
    }

    allow.len = ngx_http_ticketing_route_allow(ctx->route.allowed,
                                               (char *) allow.data,
                                               NGX_HTTP_TICKETING_ALLOW_SIZE);

    /* the method name is a token nginx already parsed: safe to echo */
    p = ngx_snprintf(detail, sizeof(detail) - 1,
                     "method %V is not allowed here; allowed: %V",
                     &r->method_name, &allow);
    *p = '\0';

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "ticketing: refused with 405: %s", detail);

    rc = ngx_http_ticketing_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                       (const char *) detail, &allow);

    ngx_http_finalize_request(r, rc);

    return NGX_DONE;
}
