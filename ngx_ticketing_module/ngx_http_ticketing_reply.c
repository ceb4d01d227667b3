
/*
 * The one place that sends the errors the gateway itself decides, in the
 * API's uniform schema.
 */


#include "ngx_http_ticketing_module.h"


static ngx_str_t  ngx_http_ticketing_json_type =
    ngx_string("application/json");


ngx_int_t
ngx_http_ticketing_send_error(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail, ngx_str_t *allow)
{
    size_t                     size, detail_len;
    ngx_int_t                  rc;
    ngx_buf_t                 *b;
    ngx_chain_t                out;
    ngx_table_elt_t           *h;
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    if (ctx != NULL) {
        ctx->error_status = status;
    }

    ngx_http_ticketing_metrics_error_code(r,
                                   ngx_http_ticketing_error_kind(status)->code);

    /* a refused request's body is never read: drop it, keep the connection */
    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

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

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    r->headers_out.status = status;
    r->headers_out.content_type = ngx_http_ticketing_json_type;
    r->headers_out.content_type_len = ngx_http_ticketing_json_type.len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.content_length_n = b->last - b->pos;

    if (r->headers_out.content_length) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
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

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}
