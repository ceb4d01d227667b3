
/*
 * Request validation from the spec: query parameters and JSON bodies.
 *
 * The query is checked at once.  A body is read without blocking with
 * ngx_http_read_client_request_body(); when it is not all there yet, the
 * step returns NGX_DONE and the body handler resumes the phases, which
 * re-enter this step with the body present.  The body is parsed straight
 * from the request's buffers and is never copied for the upstream:
 * proxy_pass sends the same buffers.
 */


#include "ngx_http_ticketing_module.h"


typedef struct {
    ngx_chain_t                   *cl;
    u_char                        *pos;
} ngx_http_ticketing_chain_reader_t;


static void ngx_http_ticketing_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_validate_body(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx);
static size_t ngx_http_ticketing_chain_read(void *buf, size_t len,
    void *data);
static ngx_int_t ngx_http_ticketing_validate_refuse(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, unsigned status, char *detail);


ngx_int_t
ngx_http_ticketing_validate_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_loc_conf_t *conf)
{
    conf->enabled = NGX_CONF_UNSET;

    return NGX_OK;
}


char *
ngx_http_ticketing_validate_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_validate_loc_conf_t *prev,
    ngx_http_ticketing_validate_loc_conf_t *conf)
{
    ngx_conf_merge_value(conf->enabled, prev->enabled, 1);

    return NGX_CONF_OK;
}


/* validate the query and the body (400 / 413 / 415) */
ngx_int_t
ngx_http_ticketing_validate_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    unsigned                        op, status;
    ngx_int_t                       rc;
    ngx_http_ticketing_loc_conf_t  *tlcf;
    char                            detail[NGX_HTTP_TICKETING_DETAIL_SIZE];

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (!tlcf->validate.enabled) {
        return NGX_OK;
    }

    if (ctx->body_done) {
        return ngx_http_ticketing_validate_body(r, ctx);
    }

    op = ctx->route.op->number;

    status = ngx_http_ticketing_rules_query(op, r->args.data, r->args.len,
                                            detail, sizeof(detail));
    if (status) {
        return ngx_http_ticketing_validate_refuse(r, ctx, status, detail);
    }

    if (!ngx_http_ticketing_rules_has_body(op)) {
        return NGX_OK;
    }

    if (r->headers_in.content_length_n <= 0 && !r->headers_in.chunked) {

        if (ngx_http_ticketing_rules_body_optional(op)) {
            return NGX_OK;
        }

        ctx->error_detail = "a JSON request body is required";
        return NGX_HTTP_BAD_REQUEST;
    }

    if (r->headers_in.content_type == NULL
        || !ngx_http_ticketing_rules_json_type(
                                   r->headers_in.content_type->value.data,
                                   r->headers_in.content_type->value.len))
    {
        ctx->error_detail = "Content-Type must be application/json";
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "ticketing validate: Content-Type is not JSON");
        return NGX_HTTP_UNSUPPORTED_MEDIA_TYPE;
    }

    rc = ngx_http_read_client_request_body(r,
                                           ngx_http_ticketing_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        /* the count was given back by ngx_http_read_client_request_body() */

        if (rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
            ctx->error_detail = "request body is larger than allowed";
        }

        return rc;
    }

    if (rc == NGX_ERROR) {
        r->main->count--;
        return NGX_ERROR;
    }

    /* give back the reference the body read took, as proxy and mirror do */
    ngx_http_finalize_request(r, NGX_DONE);

    if (ctx->body_done) {
        /* the body was all there: go on in this very call */
        return ngx_http_ticketing_validate_body(r, ctx);
    }

    ctx->body_reading = 1;

    return NGX_DONE;
}


static void
ngx_http_ticketing_body_handler(ngx_http_request_t *r)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    if (ctx == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->body_done = 1;

    if (!ctx->body_reading) {
        /* called from within ngx_http_read_client_request_body() */
        return;
    }

    ctx->body_reading = 0;

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing validate: body read, resuming");

    /* the validate step, re-entered, checks the body */
    ngx_http_ticketing_resume(r);
}


static ngx_int_t
ngx_http_ticketing_validate_body(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    off_t                               total;
    unsigned                            status;
    ngx_chain_t                        *cl;
    ngx_http_request_body_t            *rb;
    ngx_http_ticketing_chain_reader_t   rd;
    char                                detail[NGX_HTTP_TICKETING_DETAIL_SIZE];

    rb = r->request_body;

    total = 0;

    if (rb != NULL) {
        if (rb->temp_file) {
            /*
             * Reading the temporary file would block the worker: a body
             * beyond client_body_buffer_size cannot be validated.
             */
            ctx->error_detail = "request body is too large to be validated";
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing validate: body in a temporary file, "
                          "raise client_body_buffer_size to "
                          "client_max_body_size");
            return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
        }

        for (cl = rb->bufs; cl; cl = cl->next) {
            if (cl->buf->in_file) {
                ctx->error_detail = "request body is too large to be "
                                    "validated";
                return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
            }

            total += cl->buf->last - cl->buf->pos;
        }
    }

    if (total == 0) {

        /* an empty chunked body */
        if (ngx_http_ticketing_rules_body_optional(ctx->route.op->number)) {
            return NGX_OK;
        }

        ctx->error_detail = "a JSON request body is required";
        return NGX_HTTP_BAD_REQUEST;
    }

    rd.cl = rb->bufs;
    rd.pos = rd.cl->buf->pos;

    status = ngx_http_ticketing_rules_body(ctx->route.op->number,
                                           ngx_http_ticketing_chain_read, &rd,
                                           detail, sizeof(detail));
    if (status) {
        return ngx_http_ticketing_validate_refuse(r, ctx, status, detail);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing validate: body of %O bytes passes", total);

    return NGX_OK;
}


/* keeps the detail for the error body and logs the refusal */
static ngx_int_t
ngx_http_ticketing_validate_refuse(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, unsigned status, char *detail)
{
    size_t   len;
    u_char  *p;

    len = ngx_strlen(detail) + 1;

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(p, detail, len);

    ctx->error_detail = (const char *) p;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "ticketing validate: %s", detail);

    return status;
}


/* jansson's reader over the body's buffers: they are left untouched */
static size_t
ngx_http_ticketing_chain_read(void *buf, size_t len, void *data)
{
    ngx_http_ticketing_chain_reader_t  *rd = data;

    size_t  n;

    while (rd->cl && rd->pos == rd->cl->buf->last) {
        rd->cl = rd->cl->next;

        if (rd->cl) {
            rd->pos = rd->cl->buf->pos;
        }
    }

    if (rd->cl == NULL) {
        return 0;
    }

    n = ngx_min(len, (size_t) (rd->cl->buf->last - rd->pos));

    ngx_memcpy(buf, rd->pos, n);
    rd->pos += n;

    return n;
}
