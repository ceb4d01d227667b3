
/*
 * The access-phase handler: every request in a gateway location is routed
 * against the catalogue before anything else happens to it.
 */


#include "ngx_http_ticketing_module.h"


static unsigned ngx_http_ticketing_method_bit(ngx_http_request_t *r);
static void ngx_http_ticketing_raw_path(ngx_http_request_t *r,
    ngx_str_t *path);
static ngx_int_t ngx_http_ticketing_refuse_method(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);


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
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    switch (ctx->route_rc) {

    case NGX_HTTP_TICKETING_ROUTE_OK:
        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing route: operation %s (#%ui)",
                       ctx->route.op->name, (ngx_uint_t) ctx->route.op->number);

        /* declined, not OK: under "satisfy any" OK would skip the rest */
        return NGX_DECLINED;

    case NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED:
        rc = ngx_http_ticketing_refuse_method(r, ctx);
        break;

    case NGX_HTTP_TICKETING_ROUTE_BAD_PARAM:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "ticketing route: refused: %s", ctx->route.detail);
        rc = ngx_http_ticketing_send_error(r, NGX_HTTP_BAD_REQUEST,
                                           ctx->route.detail, NULL);
        break;

    default: /* NGX_HTTP_TICKETING_ROUTE_NOT_FOUND */
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "ticketing route: refused: %s", ctx->route.detail);
        rc = ngx_http_ticketing_send_error(r, NGX_HTTP_NOT_FOUND,
                                           ctx->route.detail, NULL);
    }

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
    size_t      len;
    ngx_str_t   allow;
    u_char      detail[NGX_HTTP_TICKETING_DETAIL_SIZE + 64];

    allow.data = ngx_pnalloc(r->pool, NGX_HTTP_TICKETING_ALLOW_SIZE);
    if (allow.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    len = ngx_http_ticketing_route_allow(ctx->route.allowed,
                                         (char *) allow.data,
                                         NGX_HTTP_TICKETING_ALLOW_SIZE);
    allow.len = len;

    /* the method name is a token nginx already parsed: safe to echo */
    p = ngx_snprintf(detail, sizeof(detail) - 1,
                     "method %V is not allowed here; allowed: %V",
                     &r->method_name, &allow);
    *p = '\0';

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "ticketing route: refused: %s", detail);

    return ngx_http_ticketing_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                         (const char *) detail, &allow);
}
