
/*
 * The store: the output filters copy the response of a MISS and store it
 * with SET ... PX once complete, without waiting for Redis; an entry past
 * its TTL kept by the lookup answers instead of an upstream error
 * (stale-if-error).
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_cachekey.h"


static void ngx_http_ticketing_cache_hide_status(ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_cache_header_filter(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_cache_add_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static ngx_int_t ngx_http_ticketing_cache_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static void ngx_http_ticketing_cache_stale_headers(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static ngx_int_t ngx_http_ticketing_cache_stale_body(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_chain_t *in);
static ngx_int_t ngx_http_ticketing_cache_copy(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_buf_t *b);
static void ngx_http_ticketing_cache_store(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static void ngx_http_ticketing_cache_store_reply(redisReply *reply,
    void *data);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


void
ngx_http_ticketing_cache_register_filters(void)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_ticketing_cache_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_ticketing_cache_body_filter;
}


/* in a gateway location, the only X-Cache-Status a client sees is ours */
static void
ngx_http_ticketing_cache_hide_status(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    i = 0;

    while ((h = ngx_http_ticketing_list_next(&part, &i)) != NULL) {
        if (h->hash != 0
            && h->key.len == sizeof("X-Cache-Status") - 1
            && ngx_strncasecmp(h->key.data, (u_char *) "X-Cache-Status",
                               sizeof("X-Cache-Status") - 1) == 0)
        {
            h->hash = 0;
        }
    }
}


static ngx_int_t
ngx_http_ticketing_cache_header_filter(ngx_http_request_t *r)
{
    size_t                           size;
    ngx_str_t                       *type, *status, lang;
    const char                      *why;
    unsigned long long               now, born;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    if (ctx->cache == NULL
        || ctx->cache->status == NGX_HTTP_TICKETING_CACHE_NONE)
    {
        /* not cached here: an upstream's claim that it was is not passed */
        ngx_http_ticketing_cache_hide_status(r);
        return ngx_http_next_header_filter(r);
    }

    cctx = ctx->cache;

    if (cctx->stale_body.data != NULL
        && r->headers_out.status >= NGX_HTTP_INTERNAL_SERVER_ERROR
        && r->headers_out.status < 600)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "ticketing cache: upstream answered %ui, "
                      "serving the stale entry", r->headers_out.status);

        ngx_http_ticketing_cache_stale_headers(r, cctx);
    }

    ngx_http_ticketing_cache_hide_status(r);

    status = &ngx_http_ticketing_cache_status_names[cctx->status];

    if (ngx_http_ticketing_cache_add_header(r, "X-Cache-Status", status)
        != NGX_OK
        || ngx_http_ticketing_cache_add_vary(r, cctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!cctx->store
        || cctx->status == NGX_HTTP_TICKETING_CACHE_HIT
        || cctx->status == NGX_HTTP_TICKETING_CACHE_STALE)
    {
        return ngx_http_next_header_filter(r);
    }

    if (ngx_http_ticketing_redis_available() != NGX_OK) {
        /* Redis failed meanwhile: the body is not copied for nothing */
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: redis not available, "
                       "response not stored");
        return ngx_http_next_header_filter(r);
    }

    type = &r->headers_out.content_type;

    if (r->headers_out.status != NGX_HTTP_OK
        || r->header_only
        || type->len > NGX_HTTP_TICKETING_CACHE_MAX_TYPE
        || ngx_http_ticketing_cache_json_type(type) != NGX_OK
        || (r->upstream != NULL
            && ngx_http_ticketing_cache_upstream_header(r, "Content-Type",
                                                         NULL)
               > 1)
        || (r->headers_out.content_encoding
            && r->headers_out.content_encoding->hash != 0)
        || (r->headers_out.content_length_n > 0
            && (size_t) r->headers_out.content_length_n > cctx->max))
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: response not stored");
        return ngx_http_next_header_filter(r);
    }

    why = ngx_http_ticketing_cache_rules(r, cctx);

    if (why == NULL) {
        why = ngx_http_ticketing_cache_language(r, &lang);
    }

    if (why != NULL) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: response not stored: %s", why);
        return ngx_http_next_header_filter(r);
    }

    size = NGX_HTTP_TICKETING_CACHEVAL_HEADER_SIZE(type->len, lang.len);
    cctx->max += size;

    size += (r->headers_out.content_length_n >= 0)
            ? (size_t) r->headers_out.content_length_n : 4096;

    cctx->value = ngx_alloc(ngx_min(size, cctx->max), r->connection->log);
    if (cctx->value == NULL) {
        return ngx_http_next_header_filter(r);
    }

    cctx->size = ngx_min(size, cctx->max);

    now = ngx_http_ticketing_cache_now();

    /*
     * born: received, less the upstream's Age.  cache_rules refuses an Age
     * at or above the clock, so "now" is the larger; the guard keeps born
     * off 0 ("unknown") should that ever change.
     */
    born = (now > cctx->age) ? now - cctx->age : 1;

    cctx->len = ngx_http_ticketing_cacheval_header(cctx->value,
                    now + cctx->ttl, born, type->data, type->len,
                    lang.data, lang.len);
    cctx->storing = 1;

    return ngx_http_next_header_filter(r);
}


ngx_int_t
ngx_http_ticketing_cache_add_header(ngx_http_request_t *r, char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;

    return NGX_OK;
}


/*
 * "Vary" on every answer of a cached operation, HIT or not: the request
 * headers the key holds, so that a client or a cache downstream tells the
 * variants apart.  Authorization when the entry is per subject or claim,
 * or the provider may come from a claim; the organization header when the
 * location has one.
 */
static ngx_int_t
ngx_http_ticketing_cache_add_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    u_char                         *p;
    ngx_str_t                       value;
    ngx_http_ticketing_loc_conf_t  *tlcf;

    static ngx_str_t  held = ngx_string("Accept, Accept-Language, "
                                        "ticketing-provider");

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    value.data = ngx_pnalloc(r->pool, held.len + 2
                                      + tlcf->provider.org_header.len
                                      + sizeof(", Authorization") - 1);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(value.data, held.data, held.len);

    if (tlcf->provider.org_header.len) {
        *p++ = ',';
        *p++ = ' ';
        p = ngx_cpymem(p, tlcf->provider.org_header.data,
                       tlcf->provider.org_header.len);
    }

    if (cctx->scoped || tlcf->provider.provider_claim.len) {
        p = ngx_cpymem(p, ", Authorization", sizeof(", Authorization") - 1);
    }

    value.len = p - value.data;

    return ngx_http_ticketing_cache_add_header(r, "Vary", &value);
}


static ngx_int_t
ngx_http_ticketing_cache_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t                     *cl;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->cache == NULL || r != r->main) {
        return ngx_http_next_body_filter(r, in);
    }

    cctx = ctx->cache;

    if (cctx->serving_stale) {
        return ngx_http_ticketing_cache_stale_body(r, cctx, in);
    }

    if (!cctx->storing) {
        return ngx_http_next_body_filter(r, in);
    }

    /* copy before passing on: the next filters consume the buffers */

    for (cl = in; cl; cl = cl->next) {

        if (ngx_http_ticketing_cache_copy(r, cctx, cl->buf) != NGX_OK) {
            ngx_http_ticketing_cache_stop_storing(cctx);
            break;
        }

        if (cl->buf->last_buf) {
            ngx_http_ticketing_cache_store(r, cctx);
            break;
        }
    }

    return ngx_http_next_body_filter(r, in);
}


/*
 * The upstream failed and a stale entry exists: its answer replaces the
 * upstream's headers (a copy of the failure's status line, Content-Length,
 * Location... must not survive).
 */
static void
ngx_http_ticketing_cache_stale_headers(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    i = 0;

    while ((h = ngx_http_ticketing_list_next(&part, &i)) != NULL) {
        h->hash = 0;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.status_line.len = 0;
    r->headers_out.content_type = cctx->stale_type;
    r->headers_out.content_type_len = cctx->stale_type.len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.charset.len = 0;
    r->headers_out.content_length_n = cctx->stale_body.len;

    r->headers_out.server = NULL;
    r->headers_out.date = NULL;
    r->headers_out.content_length = NULL;
    r->headers_out.content_encoding = NULL;
    r->headers_out.location = NULL;
    r->headers_out.refresh = NULL;
    r->headers_out.last_modified = NULL;
    r->headers_out.last_modified_time = -1;
    r->headers_out.content_range = NULL;
    r->headers_out.accept_ranges = NULL;
    r->headers_out.www_authenticate = NULL;
    r->headers_out.expires = NULL;
    r->headers_out.etag = NULL;
    r->headers_out.cache_control.nelts = 0;
    r->headers_out.link.nelts = 0;

    cctx->status = NGX_HTTP_TICKETING_CACHE_STALE;
    cctx->serving_stale = 1;
    cctx->store = 0;

    if ((cctx->stale_language.len
         && ngx_http_ticketing_cache_add_header(r, "Content-Language",
                                                &cctx->stale_language)
            != NGX_OK)
        || ngx_http_ticketing_cache_add_age(r, cctx->stale_born) != NGX_OK)
    {
        /* the entry goes out without them: a header less, no failure */
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "ticketing cache: no Content-Language or Age on the "
                      "stale entry");
    }
}


/*
 * Age (RFC 9111 4, 5.1) of an answer from the cache, counted from when it
 * was born; none for an entry of an earlier version, which does not say.
 */
ngx_int_t
ngx_http_ticketing_cache_add_age(ngx_http_request_t *r,
    unsigned long long born)
{
    ngx_str_t           value;
    unsigned long long  now, age;

    if (born == 0) {
        return NGX_OK;
    }

    now = ngx_http_ticketing_cache_now();
    age = (now > born) ? (now - born) / 1000 : 0;

    /* 1.2.2: the largest delta-seconds to send */
    age = ngx_min(age, 2147483648ULL);

    value.data = ngx_pnalloc(r->pool, NGX_INT64_LEN);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    value.len = ngx_sprintf(value.data, "%uL", (uint64_t) age) - value.data;

    return ngx_http_ticketing_cache_add_header(r, "Age", &value);
}


/* swallows the failure's body, sends the stale entry's once */
static ngx_int_t
ngx_http_ticketing_cache_stale_body(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_chain_t *in)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl, out;

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
        cl->buf->file_pos = cl->buf->file_last;
    }

    if (cctx->stale_sent) {
        return ngx_http_next_body_filter(r, NULL);
    }

    cctx->stale_sent = 1;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    if (cctx->stale_body.len) {
        b->pos = cctx->stale_body.data;
        b->last = b->pos + cctx->stale_body.len;
        b->start = b->pos;
        b->end = b->last;
        b->memory = 1;
    }

    b->last_buf = 1;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_next_body_filter(r, &out);
}


static ngx_int_t
ngx_http_ticketing_cache_copy(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_buf_t *b)
{
    off_t    n;
    size_t   size;
    u_char  *p;
    ssize_t  read;

    if (ngx_buf_special(b)) {
        return NGX_OK;
    }

    n = ngx_buf_size(b);

    if ((size_t) n > cctx->max - cctx->len) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: response above %uz bytes, "
                       "not stored", cctx->max);
        return NGX_DECLINED;
    }

    if ((size_t) n > cctx->size - cctx->len) {
        size = ngx_min(ngx_max(cctx->size * 2, cctx->len + (size_t) n),
                       cctx->max);

        p = ngx_alloc(size, r->connection->log);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, cctx->value, cctx->len);
        ngx_free(cctx->value);

        cctx->value = p;
        cctx->size = size;
    }

    if (ngx_buf_in_memory(b)) {
        ngx_memcpy(cctx->value + cctx->len, b->pos, (size_t) n);

    } else {
        /* buffered to a temporary file by proxy_pass: as nginx reads it */
        read = ngx_read_file(b->file, cctx->value + cctx->len, (size_t) n,
                             b->file_pos);
        if (read != (ssize_t) n) {
            return NGX_ERROR;
        }
    }

    cctx->len += (size_t) n;

    return NGX_OK;
}


/* SET key value PX ttl, without waiting for the answer */
static void
ngx_http_ticketing_cache_store(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    u_char       ttl[NGX_INT_T_LEN];
    size_t       argvlen[5];
    const char  *argv[5];

    argv[0] = "SET";
    argvlen[0] = 3;
    argv[1] = (const char *) cctx->key.data;
    argvlen[1] = cctx->key.len;
    argv[2] = (const char *) cctx->value;
    argvlen[2] = cctx->len;
    argv[3] = "PX";
    argvlen[3] = 2;
    argv[4] = (const char *) ttl;
    argvlen[4] = ngx_sprintf(ttl, "%M", cctx->ttl + cctx->stale_if_error)
                 - ttl;

    /* hiredis copies the command: the value is freed right after */

    if (ngx_http_ticketing_redis_command(ngx_http_ticketing_cache_store_reply,
                                         NULL, 5, argv, argvlen)
        == NGX_OK)
    {
        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: store \"%V\", %uz bytes, "
                       "fresh for %M ms", &cctx->key, cctx->len, cctx->ttl);
    }

    ngx_http_ticketing_cache_stop_storing(cctx);
}


static void
ngx_http_ticketing_cache_store_reply(redisReply *reply, void *data)
{
    redisReply  *rr = reply;

    if (rr == NULL) {
        return;
    }

    if (rr->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "ticketing cache: store failed: %s",
                      ngx_http_ticketing_peer_text(rr->str, rr->len));
        ngx_http_ticketing_redis_failure("SET answered an error");
        return;
    }

    ngx_http_ticketing_redis_success();
}


void
ngx_http_ticketing_cache_stop_storing(ngx_http_ticketing_cache_ctx_t *cctx)
{
    if (cctx->value) {
        ngx_free(cctx->value);
        cctx->value = NULL;
    }

    cctx->storing = 0;
}
