
/*
 * A reference route matcher: ngx_http_ticketing_route_match() as of commit
 * 56eb72f, which re-parses every template string of
 * ngx_http_ticketing_operations[] on every call.  Slow, but obviously the
 * catalogue's semantics: the unit tests and the route fuzzer compare the
 * module's matcher with it, result for result.
 *
 * Only for tests: every function is static, include it once.
 */


#ifndef _NGX_HTTP_TICKETING_ROUTE_REFERENCE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_ROUTE_REFERENCE_H_INCLUDED_


#include <stdio.h>
#include <string.h>

#include "ngx_http_ticketing_route.h"


/* what went wrong while decoding one raw segment */
#define ROUTE_REF_SEG_BAD_ESCAPE    0x01
#define ROUTE_REF_SEG_SLASH         0x02
#define ROUTE_REF_SEG_CONTROL       0x04
#define ROUTE_REF_SEG_DISALLOWED    0x08
#define ROUTE_REF_SEG_ENCODED       0x10


typedef struct {
    const u_char  *data;     /* decoded bytes, in scratch */
    size_t         len;
    unsigned       flags;
} route_ref_segment_t;


/* RFC 3986 unreserved characters: all a parameter value may contain */
static int
route_ref_param_char(u_char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9')
           || c == '-' || c == '.' || c == '_' || c == '~';
}


static u_char *
route_ref_decode_segment(const u_char *p, const u_char *end,
    u_char *dst, unsigned *flags)
{
    int     hi, lo;
    u_char  c;

    *flags = 0;

    while (p < end) {
        c = *p++;

        if (c == '%') {
            if (end - p < 2
                || (hi = ngx_http_ticketing_hex_digit(p[0])) < 0
                || (lo = ngx_http_ticketing_hex_digit(p[1])) < 0)
            {
                *flags |= ROUTE_REF_SEG_BAD_ESCAPE;
                *dst++ = c;
                continue;
            }

            c = (u_char) (hi * 16 + lo);
            p += 2;

            *flags |= ROUTE_REF_SEG_ENCODED;

            if (c == '/' || c == '\\') {
                *flags |= ROUTE_REF_SEG_SLASH;
            }
        }

        if (c < 0x20 || c == 0x7f) {
            *flags |= ROUTE_REF_SEG_CONTROL;

        } else if (!route_ref_param_char(c)) {
            *flags |= ROUTE_REF_SEG_DISALLOWED;
        }

        *dst++ = c;
    }

    return dst;
}


/*
 * Compares the request segments with one template.  Returns -1 when they do
 * not match, else a score with one bit per literal segment, the first
 * segment in the highest bit: the best score is the template whose first
 * literal comes earliest, so literals win over parameters.
 */
static long
route_ref_template_score(const char *tpl,
    const route_ref_segment_t *seg, size_t nseg)
{
    long         score;
    size_t       i, n;
    const char  *end;

    score = 0;

    for (i = 0; i < nseg; i++) {
        if (*tpl != '/') {
            return -1;
        }

        tpl++;
        end = strchr(tpl, '/');
        n = end ? (size_t) (end - tpl) : strlen(tpl);

        score <<= 1;

        if (n > 0 && tpl[0] != '{') {
            if (n != seg[i].len || memcmp(tpl, seg[i].data, n) != 0
                || (seg[i].flags
                    & (ROUTE_REF_SEG_BAD_ESCAPE|ROUTE_REF_SEG_ENCODED)))
            {
                return -1;
            }

            score |= 1;
        }

        tpl += n;
    }

    return (*tpl == '\0') ? score : -1;
}


static ngx_http_ticketing_param_e
route_ref_param_by_name(const char *name, size_t len)
{
    size_t       i;
    const char  *pn;

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        pn = ngx_http_ticketing_param_name((ngx_http_ticketing_param_e) i);

        if (strlen(pn) == len && memcmp(pn, name, len) == 0) {
            return (ngx_http_ticketing_param_e) i;
        }
    }

    return NGX_HTTP_TICKETING_NPARAMS;
}


static const char *
route_ref_param_problem(const route_ref_segment_t *seg)
{
    if (seg->len == 0) {
        return "is empty";
    }

    if (seg->flags & ROUTE_REF_SEG_BAD_ESCAPE) {
        return "has malformed percent-encoding";
    }

    if (seg->flags & ROUTE_REF_SEG_SLASH) {
        return "contains an encoded slash";
    }

    if (seg->flags & ROUTE_REF_SEG_CONTROL) {
        return "contains a control character";
    }

    if ((seg->len == 1 && seg->data[0] == '.')
        || (seg->len == 2 && seg->data[0] == '.' && seg->data[1] == '.'))
    {
        return "is a dot-segment";
    }

    if (seg->flags & ROUTE_REF_SEG_DISALLOWED) {
        return "contains a character that is not allowed"
               " (allowed: letters, digits, '-', '.', '_', '~')";
    }

    if (seg->len > NGX_HTTP_TICKETING_MAX_PARAM) {
        return "is too long";
    }

    return NULL;
}


/* fills rt->params from the template; refuses a malformed value */
static ngx_http_ticketing_route_rc_e
route_ref_bind_params(const char *tpl,
    const route_ref_segment_t *seg, ngx_http_ticketing_route_t *rt)
{
    size_t                      i, n;
    const char                 *end, *problem;
    ngx_http_ticketing_param_e  param;

    for (i = 0; *tpl == '/'; i++) {
        tpl++;
        end = strchr(tpl, '/');
        n = end ? (size_t) (end - tpl) : strlen(tpl);

        if (n > 2 && tpl[0] == '{') {
            param = route_ref_param_by_name(tpl + 1, n - 2);
            problem = route_ref_param_problem(&seg[i]);

            if (problem != NULL) {
                snprintf(rt->detail, sizeof(rt->detail),
                         "path parameter %.*s %s", (int) (n - 2), tpl + 1,
                         problem);
                return NGX_HTTP_TICKETING_ROUTE_BAD_PARAM;
            }

            if (param < NGX_HTTP_TICKETING_NPARAMS) {
                rt->params[param].data = seg[i].data;
                rt->params[param].len = seg[i].len;
            }
        }

        tpl += n;
    }

    return NGX_HTTP_TICKETING_ROUTE_OK;
}


static ngx_http_ticketing_route_rc_e
route_ref_match(const u_char *path, size_t len, unsigned method,
    u_char *scratch, ngx_http_ticketing_route_t *rt)
{
    long                                   score, best;
    size_t                                 i, nseg;
    u_char                                *dst;
    const u_char                          *p, *end, *sep;
    route_ref_segment_t                    seg[NGX_HTTP_TICKETING_MAX_SEGMENTS];
    const ngx_http_ticketing_operation_t  *op, *path_op;

    memset(rt, 0, sizeof(ngx_http_ticketing_route_t));

    snprintf(rt->detail, sizeof(rt->detail),
             "no Ticketing API operation at this path");

    if (len == 0 || path[0] != '/') {
        return NGX_HTTP_TICKETING_ROUTE_NOT_FOUND;
    }

    /* split on real slashes and decode every segment into scratch */

    p = path + 1;
    end = path + len;
    dst = scratch;
    nseg = 0;

    for ( ;; ) {
        if (nseg == NGX_HTTP_TICKETING_MAX_SEGMENTS) {
            return NGX_HTTP_TICKETING_ROUTE_NOT_FOUND;
        }

        sep = memchr(p, '/', (size_t) (end - p));
        if (sep == NULL) {
            sep = end;
        }

        seg[nseg].data = dst;
        dst = route_ref_decode_segment(p, sep, dst, &seg[nseg].flags);
        seg[nseg].len = (size_t) (dst - seg[nseg].data);
        nseg++;

        if (sep == end) {
            break;
        }

        p = sep + 1;
    }

    /* the most specific template that matches, whatever the method */

    best = -1;
    path_op = NULL;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        op = &ngx_http_ticketing_operations[i];
        score = route_ref_template_score(op->path, seg, nseg);

        if (score > best) {
            best = score;
            path_op = op;
        }
    }

    if (path_op == NULL) {
        return NGX_HTTP_TICKETING_ROUTE_NOT_FOUND;
    }

    /*
     * A malformed parameter names no resource at all: it is refused before
     * the method is looked at.
     */

    if (route_ref_bind_params(path_op->path, seg, rt)
        != NGX_HTTP_TICKETING_ROUTE_OK)
    {
        return NGX_HTTP_TICKETING_ROUTE_BAD_PARAM;
    }

    /* the operations sharing that template decide on the method */

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        op = &ngx_http_ticketing_operations[i];

        if (strcmp(op->path, path_op->path) != 0) {
            continue;
        }

        rt->allowed |= op->method;

        if (op->method == method) {
            rt->op = op;
        }
    }

    if (rt->op == NULL) {
        snprintf(rt->detail, sizeof(rt->detail),
                 "method not allowed for %s", path_op->path);
        return NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED;
    }

    rt->detail[0] = '\0';

    return NGX_HTTP_TICKETING_ROUTE_OK;
}



/*
 * Compares the result of ngx_http_ticketing_route_match() with the
 * reference's for the same path, each with its own scratch buffer: the
 * parameters must lie at the same offsets.  Returns what differs, or NULL.
 */
static const char *
route_ref_differs(ngx_http_ticketing_route_rc_e rc,
    const ngx_http_ticketing_route_t *rt, const u_char *scratch,
    ngx_http_ticketing_route_rc_e ref_rc,
    const ngx_http_ticketing_route_t *ref, const u_char *ref_scratch)
{
    size_t  i;

    if (rc != ref_rc) {
        return "result code";
    }

    if (rt->op != ref->op) {
        return "operation";
    }

    if (rt->allowed != ref->allowed) {
        return "allowed methods";
    }

    if (memchr(rt->detail, '\0', sizeof(rt->detail)) == NULL
        || strcmp(rt->detail, ref->detail) != 0)
    {
        return "detail";
    }

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        if (rt->params[i].len != ref->params[i].len
            || (rt->params[i].data == NULL) != (ref->params[i].data == NULL))
        {
            return "parameter";
        }

        if (rt->params[i].data != NULL
            && rt->params[i].data - scratch
               != ref->params[i].data - ref_scratch)
        {
            return "parameter offset";
        }
    }

    return NULL;
}


#endif /* _NGX_HTTP_TICKETING_ROUTE_REFERENCE_H_INCLUDED_ */
