
/*
 * The error rewrite filters: every error a client receives through a
 * gateway location gets the uniform schema.
 *
 * The header filter lets every response below 400 through untouched: no
 * buffering, no copy.  For an error (from the upstream or from nginx itself)
 * it holds the header back; the body filter swallows the body, keeping a
 * capped copy, and on the last buffer sends the header with the uniform
 * body built from the status and a safe detail taken from the original
 * body.  No byte of an upstream error body is sent as it came: a body
 * already in the uniform schema is serialized again from its checked
 * members, as the gateway writes every body.  Errors the gateway itself sent
 * (ngx_http_ticketing_send_error) are left alone.
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_errbody.h"


#define NGX_HTTP_TICKETING_ERROR_BUFFER_DEFAULT  65536
#define NGX_HTTP_TICKETING_ERROR_BUFFER_MIN      1024
#define NGX_HTTP_TICKETING_ERROR_BUFFER_MAX      1048576


struct ngx_http_ticketing_filter_ctx_s {
    u_char                        *buf;     /* the copy of the body */
    size_t                         len;
    size_t                         size;    /* allocated */
    size_t                         max;     /* ticketing_error_buffer_size */

    unsigned                       nginx:1;      /* nginx's own error */
    unsigned                       gzip:1;
    unsigned                       encoded:1;    /* another coding */
    unsigned                       html:1;
    unsigned                       truncated:1;
    unsigned                       done:1;
};


static ngx_int_t ngx_http_ticketing_filter_enabled(ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_ticketing_filter_copy(ngx_http_request_t *r,
    ngx_http_ticketing_filter_ctx_t *fctx, u_char *p, size_t n);
static ngx_int_t ngx_http_ticketing_filter_head(ngx_http_request_t *r,
    ngx_http_ticketing_filter_ctx_t *fctx);
static ngx_int_t ngx_http_ticketing_filter_finish(ngx_http_request_t *r,
    ngx_http_ticketing_filter_ctx_t *fctx);
static const ngx_http_ticketing_error_kind_t *ngx_http_ticketing_filter_kind(
    ngx_http_request_t *r, ngx_uint_t status);
static ngx_buf_t *ngx_http_ticketing_filter_body(ngx_http_request_t *r,
    ngx_uint_t status, const u_char *detail, size_t detail_len);
static void ngx_http_ticketing_filter_headers(ngx_http_request_t *r,
    off_t length);
static char *ngx_http_ticketing_filter_buffer_size(ngx_conf_t *cf,
    void *post, void *data);
static ngx_int_t ngx_http_ticketing_filter_word(ngx_str_t *s, size_t max,
    const char *allowed);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


static ngx_str_t  ngx_http_ticketing_filter_json_type =
    ngx_string("application/json");


ngx_conf_post_t  ngx_http_ticketing_filter_buffer_size_post = {
    ngx_http_ticketing_filter_buffer_size
};


static ngx_int_t
ngx_http_ticketing_filter_enabled(ngx_http_request_t *r)
{
    ngx_http_ticketing_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (tlcf->filter.errors == NGX_CONF_UNSET) {
        return tlcf->gateway;
    }

    return tlcf->filter.errors;
}


static ngx_int_t
ngx_http_ticketing_header_filter(ngx_http_request_t *r)
{
    ngx_str_t                        *ce;
    ngx_uint_t                        status;
    ngx_http_ticketing_ctx_t         *ctx;
    ngx_http_ticketing_filter_ctx_t  *fctx;
    ngx_http_ticketing_loc_conf_t    *tlcf;

    status = r->headers_out.status;

    if (status < NGX_HTTP_BAD_REQUEST
        || r != r->main
        || r->post_action
        || !ngx_http_ticketing_filter_enabled(r))
    {
        return ngx_http_next_header_filter(r);
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx != NULL && ctx->error_status == status) {
        /* the gateway's own error: uniform already */
        return ngx_http_next_header_filter(r);
    }

    if (ctx != NULL && ctx->filter != NULL && ctx->filter->done) {
        return ngx_http_next_header_filter(r);
    }

    /*
     * A new error response while one is held (nginx finalized the request
     * with an error before the held body was complete) replaces that one.
     */

    if (ctx == NULL) {
        /* an error before the access phase: 413, 400, 414, ... */
        ctx = ngx_http_ticketing_route_request(r);
        if (ctx == NULL) {
            return NGX_ERROR;
        }
    }

    fctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_filter_ctx_t));
    if (fctx == NULL) {
        return NGX_ERROR;
    }

    ctx->filter = fctx;

    /* nginx's own error page (ngx_http_special_response_handler) */
    fctx->nginx = r->err_status ? 1 : 0;

    if (r->headers_out.content_encoding
        && r->headers_out.content_encoding->value.len)
    {
        ce = &r->headers_out.content_encoding->value;

        if ((ce->len == 4 && ngx_strncasecmp(ce->data, (u_char *) "gzip", 4)
                             == 0)
            || (ce->len == 6
                && ngx_strncasecmp(ce->data, (u_char *) "x-gzip", 6) == 0))
        {
            fctx->gzip = 1;

        } else if (ce->len != 8
                   || ngx_strncasecmp(ce->data, (u_char *) "identity", 8)
                      != 0)
        {
            fctx->encoded = 1;
        }
    }

    if ((r->headers_out.content_type.len >= 9
         && ngx_strncasecmp(r->headers_out.content_type.data,
                            (u_char *) "text/html", 9) == 0)
        || (r->headers_out.content_type.len >= 17
            && ngx_strncasecmp(r->headers_out.content_type.data,
                               (u_char *) "application/xhtml", 17) == 0))
    {
        fctx->html = 1;
    }

    if (r->method == NGX_HTTP_HEAD || r->header_only) {
        fctx->done = 1;
        return ngx_http_ticketing_filter_head(r, fctx);
    }

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    fctx->max = tlcf->filter.buffer_size;

    /* the body filter needs the body in memory, not in a temporary file */
    r->filter_need_in_memory = 1;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing errors: %ui %s error, body of %O bytes held",
                   status, fctx->nginx ? "nginx" : "upstream",
                   r->headers_out.content_length_n);

    /* the header goes out with the body, once that is complete */
    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    size_t                            n;
    ngx_uint_t                        last, flush, data;
    ngx_buf_t                        *b;
    ngx_chain_t                      *cl;
    ngx_http_ticketing_ctx_t         *ctx;
    ngx_http_ticketing_filter_ctx_t  *fctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->filter == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    fctx = ctx->filter;
    last = 0;
    flush = 0;
    data = 0;

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;

        if (b->flush) {
            flush = 1;
        }

        if (ngx_buf_size(b) != 0) {
            data = 1;
        }

        if (ngx_buf_in_memory(b)) {
            n = b->last - b->pos;

            if (!fctx->done
                && ngx_http_ticketing_filter_copy(r, fctx, b->pos, n)
                   != NGX_OK)
            {
                return NGX_ERROR;
            }

            b->pos = b->last;

        } else if (b->in_file && b->file_last > b->file_pos) {
            /* not expected: filter_need_in_memory is set */
            fctx->truncated = 1;
        }

        if (b->in_file) {
            b->file_pos = b->file_last;
        }

        if (b->last_buf) {
            last = 1;
        }
    }

    if (fctx->done) {
        /* our body is out: let the write filter flush what it holds */
        return ngx_http_next_body_filter(r, NULL);
    }

    if (!last) {

        /*
         * The upstream failed in the middle of the body (timeout, reset):
         * ngx_http_upstream_finalize_request() has closed the upstream
         * connection and flushes before it closes the client's.  Answer
         * now with what there is, or the client would get no response.
         */

        if (!(flush && !data && r->upstream != NULL
              && r->upstream->peer.connection == NULL))
        {
            return NGX_OK;
        }

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing errors: upstream failed inside the body");

        fctx->truncated = 1;
    }

    fctx->done = 1;

    return ngx_http_ticketing_filter_finish(r, fctx);
}


/* keeps up to fctx->max bytes of the body; the rest is only swallowed */
static ngx_int_t
ngx_http_ticketing_filter_copy(ngx_http_request_t *r,
    ngx_http_ticketing_filter_ctx_t *fctx, u_char *p, size_t n)
{
    size_t   size;
    u_char  *buf;

    if (n > fctx->max - fctx->len) {
        n = fctx->max - fctx->len;
        fctx->truncated = 1;
    }

    if (n == 0) {
        return NGX_OK;
    }

    if (fctx->len + n > fctx->size) {

        if (fctx->size == 0
            && r->headers_out.content_length_n > 0
            && (size_t) r->headers_out.content_length_n >= fctx->len + n)
        {
            size = (size_t) r->headers_out.content_length_n;

        } else {
            size = ngx_max(fctx->size * 2, fctx->len + n);
            size = ngx_max(size, 1024);
        }

        size = ngx_min(size, fctx->max);

        buf = ngx_pnalloc(r->pool, size);
        if (buf == NULL) {
            return NGX_ERROR;
        }

        if (fctx->len) {
            ngx_memcpy(buf, fctx->buf, fctx->len);
        }

        fctx->buf = buf;
        fctx->size = size;
    }

    ngx_memcpy(fctx->buf + fctx->len, p, n);
    fctx->len += n;

    return NGX_OK;
}


/*
 * HEAD: there is no body to look at.  The headers are those of the uniform
 * body; its length is known only for nginx's own errors (fixed details).
 */
static ngx_int_t
ngx_http_ticketing_filter_head(ngx_http_request_t *r,
    ngx_http_ticketing_filter_ctx_t *fctx)
{
    off_t        length;
    ngx_buf_t   *b;
    const char  *detail;

    length = -1;

    if (fctx->nginx) {
        detail = ngx_http_ticketing_errbody_nginx_detail(
                                                     r->headers_out.status);

        b = ngx_http_ticketing_filter_body(r, r->headers_out.status,
                                           (const u_char *) detail,
                                           detail ? ngx_strlen(detail) : 0);
        if (b == NULL) {
            return NGX_ERROR;
        }

        length = b->last - b->pos;
    }

    ngx_http_ticketing_filter_headers(r, length);

    return ngx_http_next_header_filter(r);
}


static ngx_int_t
ngx_http_ticketing_filter_finish(ngx_http_request_t *r,
    ngx_http_ticketing_filter_ctx_t *fctx)
{
    int                                     complete;
    size_t                                  len, detail_len;
    u_char                                 *data, *decoded;
    ssize_t                                 n;
    unsigned                                flags;
    ngx_int_t                               rc;
    ngx_buf_t                              *b;
    ngx_uint_t                              status;
    ngx_chain_t                             out;
    const char                             *kind_name;
    const u_char                           *detail;
    ngx_http_ticketing_errbody_kind_e       kind;
    const ngx_http_ticketing_error_kind_t  *expect;
    u_char                                  dbuf[
                                       NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX];

    status = r->headers_out.status;
    data = fctx->buf;
    len = fctx->len;
    detail = NULL;
    detail_len = 0;

    if (fctx->nginx) {
        kind_name = "nginx";

        /*
         * nginx answers its 494 as 400: the status that says what it is,
         * also to $status and the log (which read err_status first)
         */
        if (status == NGX_HTTP_BAD_REQUEST
            && len > 0
            && ngx_strlcasestrn(data, data + len,
                                (u_char *) "header or cookie too large",
                                sizeof("header or cookie too large") - 2)
               != NULL)
        {
            status = 431;
            r->headers_out.status = status;
            r->err_status = status;
            ngx_str_set(&r->headers_out.status_line,
                        "431 Request Header Fields Too Large");
        }

        detail = (const u_char *) ngx_http_ticketing_errbody_nginx_detail(
                                                                      status);
        detail_len = detail ? ngx_strlen(detail) : 0;

    } else if (fctx->encoded) {
        kind_name = "encoded";

    } else {
        flags = fctx->html ? NGX_HTTP_TICKETING_ERRBODY_HTML : 0;

        if (fctx->truncated) {
            flags |= NGX_HTTP_TICKETING_ERRBODY_TRUNCATED;
        }

        if (fctx->gzip && len > 0) {
            decoded = ngx_pnalloc(r->pool, fctx->max);
            if (decoded == NULL) {
                return NGX_ERROR;
            }

            n = ngx_http_ticketing_errbody_gunzip(data, len, decoded,
                                                  fctx->max, &complete);
            if (n < 0) {
                n = 0;
            }

            if (!complete) {
                flags |= NGX_HTTP_TICKETING_ERRBODY_TRUNCATED;
            }

            data = decoded;
            len = (size_t) n;
        }

        expect = ngx_http_ticketing_filter_kind(r, status);

        kind = ngx_http_ticketing_errbody_inspect(data, len, flags, expect,
                                                  dbuf, &detail_len);
        kind_name = ngx_http_ticketing_errbody_kind_name(kind);

        detail = detail_len ? dbuf : NULL;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing errors: %ui %s body of %uz bytes rewritten, "
                   "detail %s", status, kind_name, fctx->len,
                   detail ? "kept" : "withheld");

    b = ngx_http_ticketing_filter_body(r, status, detail, detail_len);
    if (b == NULL) {
        return NGX_ERROR;
    }

    ngx_http_ticketing_filter_headers(r, b->last - b->pos);

    rc = ngx_http_next_header_filter(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b->last_buf = 1;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_next_body_filter(r, &out);
}


/* the code/status/message of a status: the configured map, the table */
static const ngx_http_ticketing_error_kind_t *
ngx_http_ticketing_filter_kind(ngx_http_request_t *r, ngx_uint_t status)
{
    ngx_uint_t                              i;
    ngx_http_ticketing_loc_conf_t          *tlcf;
    const ngx_http_ticketing_error_kind_t  *mapped;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (tlcf->filter.map != NULL) {
        mapped = tlcf->filter.map->elts;

        for (i = 0; i < tlcf->filter.map->nelts; i++) {
            if (mapped[i].http_status == status) {
                return &mapped[i];
            }
        }
    }

    return ngx_http_ticketing_error_kind(status);
}


/* the uniform body, with the code/status/message of the configured map */
static ngx_buf_t *
ngx_http_ticketing_filter_body(ngx_http_request_t *r, ngx_uint_t status,
    const u_char *detail, size_t detail_len)
{
    size_t                                  size;
    ngx_buf_t                              *b;
    const ngx_http_ticketing_error_kind_t  *kind;

    kind = ngx_http_ticketing_filter_kind(r, status);

    ngx_http_ticketing_metrics_error_code(r, kind->code);

    size = ngx_http_ticketing_error_body_size(detail_len)
           + ngx_strlen(kind->code) + ngx_strlen(kind->status)
           + ngx_strlen(kind->message);

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NULL;
    }

    b->last += ngx_http_ticketing_error_body_kind(b->pos, size, kind, detail,
                                                  detail_len);
    if (b->last == b->pos) {
        return NULL;
    }

    return b;
}


/* the headers of a replaced body; length -1: unknown */
static void
ngx_http_ticketing_filter_headers(ngx_http_request_t *r, off_t length)
{
    r->headers_out.content_type = ngx_http_ticketing_filter_json_type;
    r->headers_out.content_type_len = ngx_http_ticketing_filter_json_type.len;
    r->headers_out.content_type_lowcase = NULL;
    ngx_str_null(&r->headers_out.charset);

    r->headers_out.content_length_n = length;

    if (r->headers_out.content_length) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
    }

    if (r->headers_out.content_encoding) {
        r->headers_out.content_encoding->hash = 0;
        r->headers_out.content_encoding = NULL;
    }

    ngx_http_clear_accept_ranges(r);
    ngx_http_clear_last_modified(r);
    ngx_http_clear_etag(r);
}


ngx_int_t
ngx_http_ticketing_filter_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_loc_conf_t *conf)
{
    /* set by ngx_pcalloc(): conf->map = NULL */

    conf->errors = NGX_CONF_UNSET;
    conf->buffer_size = NGX_CONF_UNSET_SIZE;

    return NGX_OK;
}


char *
ngx_http_ticketing_filter_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_filter_loc_conf_t *prev,
    ngx_http_ticketing_filter_loc_conf_t *conf)
{
    /* unset: follows ticketing_gateway, decided per request */
    ngx_conf_merge_value(conf->errors, prev->errors, NGX_CONF_UNSET);

    ngx_conf_merge_size_value(conf->buffer_size, prev->buffer_size,
                              NGX_HTTP_TICKETING_ERROR_BUFFER_DEFAULT);

    if (conf->map == NULL) {
        conf->map = prev->map;
    }

    return NGX_CONF_OK;
}


void
ngx_http_ticketing_filter_register(void)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_ticketing_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_ticketing_body_filter;
}


/* ticketing_errors on|off: "on" installs the filters even without gateway */
char *
ngx_http_ticketing_filter_errors(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t   *tlcf = conf;

    char                            *rv;
    ngx_http_ticketing_main_conf_t  *tmcf;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (tlcf->filter.errors) {
        tmcf = ngx_http_conf_get_module_main_conf(cf,
                                                  ngx_http_ticketing_module);
        tmcf->used = 1;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_ticketing_filter_buffer_size(ngx_conf_t *cf, void *post, void *data)
{
    size_t  *sp = data;

    if (*sp < NGX_HTTP_TICKETING_ERROR_BUFFER_MIN
        || *sp > NGX_HTTP_TICKETING_ERROR_BUFFER_MAX)
    {
        return "must be between 1k and 1m";
    }

    return NGX_CONF_OK;
}


/* ticketing_error_map <status> <code> <STATUS_NAME> "<message>" */
char *
ngx_http_ticketing_filter_error_map(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    ngx_int_t                         status;
    ngx_str_t                        *value;
    ngx_uint_t                        i;
    ngx_http_ticketing_error_kind_t  *kind;

    value = cf->args->elts;

    status = ngx_atoi(value[1].data, value[1].len);

    if (status < 400 || status > 599) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid status \"%V\" in \"%V\" directive, "
                           "it must be between 400 and 599",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_ticketing_error_kind(status)->http_status
        == (unsigned) status)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "status %V in \"%V\" directive already has "
                           "a built-in code", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_ticketing_filter_word(&value[2], 8,
                                       "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "abcdefghijklmnopqrstuvwxyz-_")
        != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid code \"%V\" in \"%V\" directive, "
                           "it must be 1 to 8 letters, digits, \"-\" or "
                           "\"_\"", &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_ticketing_filter_word(&value[3], 64,
                                       "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
        != NGX_OK)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid status name \"%V\" in \"%V\" directive, "
                           "it must be 1 to 64 upper-case letters, digits "
                           "or \"_\"", &value[3], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_ticketing_filter_word(&value[4], 128, NULL) != NGX_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid message \"%V\" in \"%V\" directive, "
                           "it must be 1 to 128 printable ASCII characters "
                           "other than '\"', '\\', '<', '>' and '&'",
                           &value[4], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (tlcf->filter.map == NULL) {
        tlcf->filter.map = ngx_array_create(cf->pool, 4,
                                       sizeof(ngx_http_ticketing_error_kind_t));
        if (tlcf->filter.map == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    kind = tlcf->filter.map->elts;

    for (i = 0; i < tlcf->filter.map->nelts; i++) {
        if (kind[i].http_status == (unsigned) status) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "status %V in \"%V\" directive is duplicate",
                               &value[1], &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    kind = ngx_array_push(tlcf->filter.map);
    if (kind == NULL) {
        return NGX_CONF_ERROR;
    }

    /* the configuration parser NUL-terminates every argument */
    kind->http_status = (unsigned) status;
    kind->code = (const char *) value[2].data;
    kind->status = (const char *) value[3].data;
    kind->message = (const char *) value[4].data;

    return NGX_CONF_OK;
}


/*
 * 1 to max characters, each in "allowed", or, when allowed is NULL,
 * printable ASCII that needs no JSON or HTML escaping.
 */
static ngx_int_t
ngx_http_ticketing_filter_word(ngx_str_t *s, size_t max, const char *allowed)
{
    size_t  i;
    u_char  c;

    if (s->len == 0 || s->len > max) {
        return NGX_ERROR;
    }

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (allowed != NULL) {
            if (c == '\0' || ngx_strchr(allowed, c) == NULL) {
                return NGX_ERROR;
            }

            continue;
        }

        if (c < 0x20 || c > 0x7e
            || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}
