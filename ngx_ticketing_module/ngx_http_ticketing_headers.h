
/*
 * The request headers the gateway decides on: found in one walk over the
 * request's header list, read by the steps from that index, and removed or
 * added only through the functions below, which keep list and index alike.
 */


#ifndef _NGX_HTTP_TICKETING_HEADERS_H_INCLUDED_
#define _NGX_HTTP_TICKETING_HEADERS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/* what a header is to the gateway: bits, as one name can be several */
#define NGX_HTTP_TICKETING_HEADER_PROVIDER         0x01
#define NGX_HTTP_TICKETING_HEADER_ORG              0x02
#define NGX_HTTP_TICKETING_HEADER_CONTENT_TYPE     0x04
#define NGX_HTTP_TICKETING_HEADER_METHOD_OVERRIDE  0x08
#define NGX_HTTP_TICKETING_HEADER_ACCEPT           0x10
#define NGX_HTTP_TICKETING_HEADER_ACCEPT_LANGUAGE  0x20
/* Cache-Control or Pragma */
#define NGX_HTTP_TICKETING_HEADER_CACHE_DIRECTIVE  0x40
#define NGX_HTTP_TICKETING_HEADER_IDENTITY         0x80


typedef struct {
    ngx_table_elt_t               *header;
    ngx_uint_t                     kinds;
} ngx_http_ticketing_header_t;


/* in the request context; zeroed: not built yet */
typedef struct {
    /* ngx_http_ticketing_header_t, in the order of the request's list */
    ngx_array_t                    found;
    /* the union of the kinds found: a step skips what is absent */
    ngx_uint_t                     kinds;
} ngx_http_ticketing_headers_t;


/*
 * A walk over the index: the next header of one of "kinds" from *i on, or
 * NULL.  Start with *i = 0.
 */
static ngx_inline ngx_http_ticketing_header_t *
ngx_http_ticketing_headers_next(ngx_http_ticketing_headers_t *hs,
    ngx_uint_t kinds, ngx_uint_t *i)
{
    ngx_http_ticketing_header_t  *h;

    h = hs->found.elts;

    while (*i < hs->found.nelts) {
        if (h[(*i)++].kinds & kinds) {
            return &h[*i - 1];
        }
    }

    return NULL;
}


/*
 * The next element of an ngx_list_t of ngx_table_elt_t (request or
 * response headers), or NULL; start with *part at the list's first part
 * and *i = 0.
 */
static ngx_inline ngx_table_elt_t *
ngx_http_ticketing_list_next(ngx_list_part_t **part, ngx_uint_t *i)
{
    while (*i >= (*part)->nelts) {
        if ((*part)->next == NULL) {
            return NULL;
        }

        *part = (*part)->next;
        *i = 0;
    }

    return (ngx_table_elt_t *) (*part)->elts + (*i)++;
}


#endif /* _NGX_HTTP_TICKETING_HEADERS_H_INCLUDED_ */
