
/*
 * The one place that sends the errors the gateway itself decides, in the
 * API's uniform schema.
 */


#include "ngx_http_ticketing_module.h"


static ngx_str_t  ngx_http_ticketing_json_type =
    ngx_string("application/json");


/*
 * Leaves the connection in a safe state before the gateway answers by
 * itself, the way nginx's special-response path does: the request body is
 * read whole and dropped, keeping the framing, or the connection closes
 * after the answer.  Otherwise the bytes of a refused or malformed body
 * would be parsed as the next request of a keep-alive connection, and a
 * request a client hid in a body would reach the upstream.
 */
ngx_int_t
ngx_http_ticketing_drop_body(ngx_http_request_t *r, ngx_uint_t status)
{
    ngx_http_request_t       *m;
    ngx_http_request_body_t  *rb;

    m = r->main;

    switch (status) {

    case NGX_HTTP_BAD_REQUEST:
    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
    case NGX_HTTP_REQUEST_URI_TOO_LARGE:
    case NGX_HTTP_INTERNAL_SERVER_ERROR:
    case NGX_HTTP_NOT_IMPLEMENTED:
        /* the statuses nginx never answers on a kept-alive connection */
        m->keepalive = 0;
        break;

    default:
        break;
    }

    if (m->discard_body) {
        /* nginx is already reading it to its end */
        return NGX_OK;
    }

    rb = m->request_body;

    if (rb != NULL) {
        /*
         * The body was being read (the validate step): where it ends is
         * known only if it was read to the end without an error.
         */
        if (m->reading_body || rb->rest != 0) {
            m->keepalive = 0;
            m->lingering_close = 1;
        }

        return NGX_OK;
    }

    /* a refused request gets no "100 Continue" */
    m->expect_tested = 1;

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        /* a malformed body: where the next request starts is unknown */
        m->keepalive = 0;
        return NGX_HTTP_BAD_REQUEST;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail, ngx_str_t *allow)
{
    size_t                     size, detail_len;
    ngx_buf_t                 *b;
    ngx_table_elt_t           *h;
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    if (ctx != NULL) {
        ctx->error_status = status;
    }

    ngx_http_ticketing_metrics_error_code(r,
                                   ngx_http_ticketing_error_kind(status)->code);

    /* the refusal stands even if the body is also malformed */
    (void) ngx_http_ticketing_drop_body(r, status);

    detail_len = detail ? ngx_strlen(detail) : 0;
    size = ngx_http_ticketing_error_body_size(detail_len);

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last += ngx_http_ticketing_error_body(b->pos, size, status,
                                             (const u_char *) detail,
                                             detail_len);
    if (b->last == b->pos) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (allow != NULL) {
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Allow");
        h->value = *allow;
    }

    return ngx_http_ticketing_send_buf(r, status,
                                       &ngx_http_ticketing_json_type, b);
}


ngx_int_t
ngx_http_ticketing_send_buf(ngx_http_request_t *r, ngx_uint_t status,
    ngx_str_t *type, ngx_buf_t *b)
{
    ngx_int_t    rc;
    ngx_chain_t  out;

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = status;
    r->headers_out.content_type = *type;
    r->headers_out.content_type_len = type->len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = b->last - b->pos;

    if (r->headers_out.content_length) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}
