
/*
 * The request headers the gateway decides on (ngx_http_ticketing_headers.h):
 * one walk finds them all, the steps read the index, and the one removal
 * and the one addition below change list and index together.
 */


#include "ngx_http_ticketing_module.h"


static ngx_uint_t ngx_http_ticketing_header_kinds(
    ngx_http_ticketing_loc_conf_t *tlcf, ngx_table_elt_t *h);
static ngx_int_t ngx_http_ticketing_header_index(
    ngx_http_ticketing_loc_conf_t *tlcf, ngx_http_ticketing_headers_t *hs,
    ngx_table_elt_t *h);
static ngx_uint_t ngx_http_ticketing_header_removed(
    ngx_http_ticketing_headers_t *hs, ngx_table_elt_t *h, ngx_uint_t kinds);
static ngx_int_t ngx_http_ticketing_list_cut(ngx_http_request_t *r,
    ngx_list_t *list, ngx_list_part_t *prev, ngx_list_part_t **part,
    ngx_uint_t *i);
static ngx_int_t ngx_http_ticketing_list_pushable(ngx_http_request_t *r,
    ngx_list_t *list);


static ngx_str_t  ngx_http_ticketing_method_overrides[] = {
    ngx_string("x-http-method-override"),
    ngx_string("x-method-override"),
    ngx_string("x-http-method"),
    ngx_null_string
};


/*
 * What a request header is to this location's gateway: the names are
 * compared as ngx_http_ticketing_header_is() does ("_" is "-").
 */
static ngx_uint_t
ngx_http_ticketing_header_kinds(ngx_http_ticketing_loc_conf_t *tlcf,
    ngx_table_elt_t *h)
{
    ngx_uint_t                         j, kinds;
    ngx_http_ticketing_auth_header_t  *ih;

    kinds = 0;

    if (ngx_http_ticketing_header_is(h, (u_char *) "ticketing-provider",
                                     sizeof("ticketing-provider") - 1))
    {
        kinds |= NGX_HTTP_TICKETING_HEADER_PROVIDER;
    }

    if (tlcf->provider.org_header.len
        && ngx_http_ticketing_header_is(h, tlcf->provider.org_header.data,
                                        tlcf->provider.org_header.len))
    {
        kinds |= NGX_HTTP_TICKETING_HEADER_ORG;
    }

    if (ngx_http_ticketing_header_is(h, (u_char *) "content-type",
                                     sizeof("content-type") - 1))
    {
        kinds |= NGX_HTTP_TICKETING_HEADER_CONTENT_TYPE;
    }

    if (ngx_http_ticketing_header_is_one_of(h,
                                        ngx_http_ticketing_method_overrides))
    {
        kinds |= NGX_HTTP_TICKETING_HEADER_METHOD_OVERRIDE;
    }

    if (ngx_http_ticketing_header_is(h, (u_char *) "accept",
                                     sizeof("accept") - 1))
    {
        kinds |= NGX_HTTP_TICKETING_HEADER_ACCEPT;
    }

    if (ngx_http_ticketing_header_is(h, (u_char *) "accept-language",
                                     sizeof("accept-language") - 1))
    {
        kinds |= NGX_HTTP_TICKETING_HEADER_ACCEPT_LANGUAGE;
    }

    if (ngx_http_ticketing_header_is(h, (u_char *) "cache-control",
                                     sizeof("cache-control") - 1)
        || ngx_http_ticketing_header_is(h, (u_char *) "pragma",
                                        sizeof("pragma") - 1))
    {
        kinds |= NGX_HTTP_TICKETING_HEADER_CACHE_DIRECTIVE;
    }

    if (tlcf->auth.headers) {
        ih = tlcf->auth.headers->elts;

        for (j = 0; j < tlcf->auth.headers->nelts; j++) {
            if (ngx_http_ticketing_header_is(h, ih[j].lowcase.data,
                                             ih[j].lowcase.len))
            {
                kinds |= NGX_HTTP_TICKETING_HEADER_IDENTITY;
                break;
            }
        }
    }

    return kinds;
}


static ngx_int_t
ngx_http_ticketing_header_index(ngx_http_ticketing_loc_conf_t *tlcf,
    ngx_http_ticketing_headers_t *hs, ngx_table_elt_t *h)
{
    ngx_uint_t                    kinds;
    ngx_http_ticketing_header_t  *found;

    kinds = ngx_http_ticketing_header_kinds(tlcf, h);

    if (kinds == 0) {
        return NGX_OK;
    }

    found = ngx_array_push(&hs->found);
    if (found == NULL) {
        return NGX_ERROR;
    }

    found->header = h;
    found->kinds = kinds;

    hs->kinds |= kinds;

    return NGX_OK;
}


/*
 * The index of the request's headers, built at the first call (by the
 * first step that needs it); NULL when out of memory.
 */
ngx_http_ticketing_headers_t *
ngx_http_ticketing_request_headers(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_uint_t                      i;
    ngx_list_part_t                *part;
    ngx_table_elt_t                *h;
    ngx_http_ticketing_headers_t   *hs;
    ngx_http_ticketing_loc_conf_t  *tlcf;

    hs = &ctx->headers;

    if (hs->found.elts != NULL) {
        return hs;
    }

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (ngx_array_init(&hs->found, r->pool, 4,
                       sizeof(ngx_http_ticketing_header_t))
        != NGX_OK)
    {
        return NULL;
    }

    part = &r->headers_in.headers.part;
    i = 0;

    while ((h = ngx_http_ticketing_list_next(&part, &i)) != NULL) {
        if (ngx_http_ticketing_header_index(tlcf, hs, h) != NGX_OK) {
            return NULL;
        }
    }

    return hs;
}


/*
 * Whether an element of the list is an indexed header of one of "kinds":
 * if so, it leaves the index.
 */
static ngx_uint_t
ngx_http_ticketing_header_removed(ngx_http_ticketing_headers_t *hs,
    ngx_table_elt_t *h, ngx_uint_t kinds)
{
    ngx_uint_t                    i;
    ngx_http_ticketing_header_t  *found;

    found = hs->found.elts;

    for (i = 0; i < hs->found.nelts; i++) {
        if (found[i].header != h) {
            continue;
        }

        if (!(found[i].kinds & kinds)) {
            return 0;
        }

        ngx_memmove(&found[i], &found[i + 1],
                    (hs->found.nelts - i - 1)
                    * sizeof(ngx_http_ticketing_header_t));
        hs->found.nelts--;

        return 1;
    }

    return 0;
}


/*
 * Cuts every request header of one of "kinds" out of r->headers_in: the
 * one way the gateway removes a request header.  Returns how many, or
 * NGX_ERROR.
 *
 * The list elements never move, because other fields of headers_in point
 * at them: a part is shortened, or split in two around the element cut.
 * The list keeps nginx's invariant that no part but the first is empty,
 * and stays safe for ngx_list_push() (see ngx_http_ticketing_list_pushable).
 */
ngx_int_t
ngx_http_ticketing_remove_request_headers(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_uint_t kinds)
{
    ngx_int_t                      n;
    ngx_uint_t                     i, last_cut;
    ngx_list_t                    *list;
    ngx_list_part_t               *part, *prev;
    ngx_table_elt_t               *h;
    ngx_http_ticketing_headers_t  *hs;

    hs = ngx_http_ticketing_request_headers(r, ctx);
    if (hs == NULL) {
        return NGX_ERROR;
    }

    if (!(hs->kinds & kinds)) {
        return 0;
    }

    list = &r->headers_in.headers;
    prev = NULL;
    part = &list->part;
    n = 0;
    last_cut = 0;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            prev = part;
            part = part->next;
            i = 0;
        }

        h = part->elts;

        if (!ngx_http_ticketing_header_removed(hs, &h[i], kinds)) {
            continue;
        }

        n++;

        if (part == list->last) {
            last_cut = 1;
        }

        if (ngx_http_ticketing_list_cut(r, list, prev, &part, &i) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    hs->kinds = 0;

    for (i = 0; i < hs->found.nelts; i++) {
        hs->kinds |= ((ngx_http_ticketing_header_t *) hs->found.elts)[i].kinds;
    }

    if (last_cut && ngx_http_ticketing_list_pushable(r, list) != NGX_OK) {
        return NGX_ERROR;
    }

    return n;
}


/*
 * Cuts element *i out of *part; *part and *i are left so that the caller's
 * i++ reaches the element after it.
 */
static ngx_int_t
ngx_http_ticketing_list_cut(ngx_http_request_t *r, ngx_list_t *list,
    ngx_list_part_t *prev, ngx_list_part_t **part, ngx_uint_t *i)
{
    ngx_list_part_t  *p, *tail;
    ngx_table_elt_t  *h;

    p = *part;
    h = p->elts;

    if (*i == 0) {
        /* the first element: the part starts one element later */

        p->elts = &h[1];
        p->nelts--;

        if (p->nelts == 0 && prev != NULL) {
            /* an empty part is unlinked; go on from the previous one */

            prev->next = p->next;

            if (list->last == p) {
                list->last = prev;
            }

            *part = prev;
            *i = prev->nelts - 1;     /* the loop's i++ leaves the part */
            return NGX_OK;
        }

        *i = (ngx_uint_t) -1;         /* the loop's i++ makes it 0 */
        return NGX_OK;
    }

    if (*i == p->nelts - 1) {
        /* the last element: the part ends one element earlier */
        p->nelts--;
        return NGX_OK;
    }

    /* in the middle: the part keeps [0, i), a new tail gets (i, nelts) */

    tail = ngx_palloc(r->pool, sizeof(ngx_list_part_t));
    if (tail == NULL) {
        return NGX_ERROR;
    }

    tail->elts = &h[*i + 1];
    tail->nelts = p->nelts - *i - 1;
    tail->next = p->next;

    p->nelts = *i;
    p->next = tail;

    if (list->last == p) {
        list->last = tail;
    }

    /* the loop's i++ reaches the part's end and moves on to the tail */
    return NGX_OK;
}


/*
 * ngx_list_push() writes after the last part's elements as long as it
 * holds fewer than nalloc: after a cut, the last part may start inside
 * its block, so it must not grow.  Its capacity is set to what it holds
 * (the next push makes a new part); an empty first part gets a block of
 * its own.
 */
static ngx_int_t
ngx_http_ticketing_list_pushable(ngx_http_request_t *r, ngx_list_t *list)
{
    if (list->last->nelts == 0) {
        list->last->elts = ngx_palloc(r->pool, list->nalloc * list->size);
        if (list->last->elts == NULL) {
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    list->nalloc = list->last->nelts;

    return NGX_OK;
}


/*
 * Adds a request header at the end of r->headers_in (and the index): the
 * one way the gateway adds one.  "lowcase" is the name in lower case.
 */
ngx_int_t
ngx_http_ticketing_add_request_header(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_str_t *name, u_char *lowcase,
    ngx_uint_t hash, ngx_str_t *value)
{
    ngx_table_elt_t               *h;
    ngx_http_ticketing_headers_t  *hs;

    hs = ngx_http_ticketing_request_headers(r, ctx);
    if (hs == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_in.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->key = *name;
    h->lowcase_key = lowcase;
    h->hash = hash;
    h->value = *value;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return ngx_http_ticketing_header_index(
               ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module),
               hs, h);
}


/*
 * Leaves exactly one request header of its kind, named "name" (lower
 * case), holding "value": every client copy is cut out of the list, then
 * the gateway's is added at its end.  The one way the gateway overrides a
 * request header the upstream acts on.
 */
ngx_int_t
ngx_http_ticketing_set_request_header(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_uint_t kind, ngx_str_t *name,
    ngx_str_t *value)
{
    if (ngx_http_ticketing_remove_request_headers(r, ctx, kind)
        == NGX_ERROR)
    {
        return NGX_ERROR;
    }

    return ngx_http_ticketing_add_request_header(r, ctx, name, name->data,
                                                 ngx_hash_key(name->data,
                                                              name->len),
                                                 value);
}
