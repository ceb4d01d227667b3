
/*
 * Fuzzes the catalogue matcher, ngx_http_ticketing_route_match().
 *
 * Input: 1 byte method selector (0-5: none, GET, POST, PUT, PATCH,
 * DELETE; any other value is used as a raw method mask), the rest is the
 * raw request path.  Path and scratch are heap blocks of exactly the
 * path's size, so any read or write past them is an ASan report.
 *
 * Invariants: the result code is one of the four; an operation is set iff
 * the path matched (and has the method asked for); "detail" is a
 * NUL-terminated string, empty iff the path matched; every parameter lies
 * inside scratch; a match only binds parameters of its template, each of
 * them 1..128 unreserved characters and not a dot-segment; rebuilding the
 * path from the operation's template and the parameters matches the same
 * operation again; a 405 says which methods the path has.  The Allow
 * builder is also run on the first byte as a method mask with every buffer
 * size up to the full one: always NUL-terminated, within the buffer.
 * And the result agrees with the independent oracle (tests/route_oracle.h,
 * the spec's templates as regular expressions and the docs' parameter
 * rules): the same result code; on a match the same operation, decoded
 * parameters and methods; on a 405 the same methods; a 400 naming a
 * parameter the oracle finds malformed and one of its faults.
 */


#include "harness.h"

#include "ngx_http_ticketing_route.h"
#include "route_oracle.h"


static const unsigned  fuzz_route_methods[] = {
    0,
    NGX_HTTP_TICKETING_GET,
    NGX_HTTP_TICKETING_POST,
    NGX_HTTP_TICKETING_PUT,
    NGX_HTTP_TICKETING_PATCH,
    NGX_HTTP_TICKETING_DELETE,
};


static void
fuzz_route_allow(unsigned mask)
{
    char    *buf, none;
    size_t   size, len;

    FUZZ_CHECK(ngx_http_ticketing_route_allow(mask, &none, 0) == 0);

    for (size = 1; size <= NGX_HTTP_TICKETING_ALLOW_SIZE; size++) {
        buf = malloc(size);                 /* exact: ASan sees overruns */
        FUZZ_CHECK(buf != NULL);
        len = ngx_http_ticketing_route_allow(mask, buf, size);
        FUZZ_CHECK(len < size);
        FUZZ_CHECK(strlen(buf) == len);
        if (size == NGX_HTTP_TICKETING_ALLOW_SIZE) {
            FUZZ_CHECK((len == 0) == ((mask & 0x1f) == 0));
        }
        free(buf);
    }
}


static int
fuzz_route_unreserved(u_char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9')
           || c == '-' || c == '.' || c == '_' || c == '~';
}


static int
fuzz_route_single_bit(unsigned m)
{
    return m != 0 && (m & (m - 1)) == 0;
}


/* which parameter a template segment "{name}" names */
static int
fuzz_route_param_index(const char *name, size_t len)
{
    int          i;
    const char  *pn;

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        pn = ngx_http_ticketing_param_name((ngx_http_ticketing_param_e) i);
        if (pn != NULL && strlen(pn) == len && memcmp(pn, name, len) == 0) {
            return i;
        }
    }

    return -1;
}


/*
 * Checks the parameters against the operation's template and writes the
 * path rebuilt from both into "buf" (at least "size" bytes); returns its
 * length.
 */
static size_t
fuzz_route_rebuild(const ngx_http_ticketing_route_t *rt, u_char *buf,
    size_t size)
{
    int                               idx, used[NGX_HTTP_TICKETING_NPARAMS];
    size_t                            n, len, k;
    const char                       *tpl, *end;
    const ngx_http_ticketing_span_t  *sp;

    memset(used, 0, sizeof(used));
    tpl = rt->op->path;
    len = 0;

    while (*tpl == '/') {
        tpl++;
        end = strchr(tpl, '/');
        n = end ? (size_t) (end - tpl) : strlen(tpl);

        FUZZ_CHECK(len + 1 <= size);
        buf[len++] = '/';

        if (n > 2 && tpl[0] == '{') {
            idx = fuzz_route_param_index(tpl + 1, n - 2);
            FUZZ_CHECK(idx >= 0);
            used[idx] = 1;

            sp = &rt->params[idx];
            FUZZ_CHECK(sp->len >= 1 && sp->len <= NGX_HTTP_TICKETING_MAX_PARAM);
            FUZZ_CHECK(!(sp->len == 1 && sp->data[0] == '.'));
            FUZZ_CHECK(!(sp->len == 2 && sp->data[0] == '.'
                         && sp->data[1] == '.'));

            for (k = 0; k < sp->len; k++) {
                FUZZ_CHECK(fuzz_route_unreserved(sp->data[k]));
            }

            FUZZ_CHECK(len + sp->len <= size);
            memcpy(buf + len, sp->data, sp->len);
            len += sp->len;

        } else {
            FUZZ_CHECK(len + n <= size);
            memcpy(buf + len, tpl, n);
            len += n;
        }

        tpl += n;
    }

    FUZZ_CHECK(*tpl == '\0');

    /* a parameter the template does not name is never set */
    for (idx = 0; idx < NGX_HTTP_TICKETING_NPARAMS; idx++) {
        if (!used[idx]) {
            FUZZ_CHECK(rt->params[idx].len == 0);
        }
    }

    return len;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                             i;
    char                            allow[NGX_HTTP_TICKETING_ALLOW_SIZE];
    size_t                          len, alen, rlen;
    u_char                         *path, *scratch, *rebuilt, *scratch2;
    unsigned                        method;
    const char                     *differs;
    const u_char                   *s;
    route_oracle_t                  oracle;
    ngx_http_ticketing_route_t      rt, rt2;
    ngx_http_ticketing_route_rc_e   rc, rc2;

    if (size < 1) {
        return 0;
    }

    method = data[0] < sizeof(fuzz_route_methods) / sizeof(unsigned)
             ? fuzz_route_methods[data[0]] : data[0];

    fuzz_route_allow(data[0]);

    len = size - 1;
    path = fuzz_dup(data + 1, len);
    scratch = fuzz_dup(data + 1, len);      /* contents do not matter */

    rc = ngx_http_ticketing_route_match(path, len, method, scratch, &rt);

    FUZZ_CHECK(rc == NGX_HTTP_TICKETING_ROUTE_OK
               || rc == NGX_HTTP_TICKETING_ROUTE_NOT_FOUND
               || rc == NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED
               || rc == NGX_HTTP_TICKETING_ROUTE_BAD_PARAM);

    FUZZ_CHECK(memchr(rt.detail, '\0', sizeof(rt.detail)) != NULL);
    FUZZ_CHECK((rc == NGX_HTTP_TICKETING_ROUTE_OK) == (rt.detail[0] == '\0'));

    FUZZ_CHECK((rt.op != NULL) == (rc == NGX_HTTP_TICKETING_ROUTE_OK));

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        if (rt.params[i].len == 0) {
            continue;
        }

        s = rt.params[i].data;
        FUZZ_CHECK(s >= scratch && s + rt.params[i].len <= scratch + len);
    }

    /* the same input gives the same answer */
    scratch2 = fuzz_dup(data + 1, len);
    rc2 = ngx_http_ticketing_route_match(path, len, method, scratch2, &rt2);
    FUZZ_CHECK(rc2 == rc && rt2.op == rt.op && rt2.allowed == rt.allowed);
    FUZZ_CHECK(strcmp(rt2.detail, rt.detail) == 0);
    free(scratch2);

    /* what the documentation says */
    route_oracle_match(path, len, method, &oracle);
    differs = route_oracle_differs(rc, &rt, &oracle);
    if (differs != NULL) {
        fprintf(stderr, "route: %s differs from the oracle (matcher %d "
                "\"%s\", oracle %d)\n", differs, (int) rc, rt.detail,
                (int) oracle.rc);
    }
    FUZZ_CHECK(differs == NULL);

    switch (rc) {

    case NGX_HTTP_TICKETING_ROUTE_OK:
        FUZZ_CHECK(rt.op >= ngx_http_ticketing_operations
                   && rt.op < ngx_http_ticketing_operations
                              + ngx_http_ticketing_noperations);
        FUZZ_CHECK(rt.op->method == method);
        FUZZ_CHECK(rt.allowed & method);
        FUZZ_CHECK(rt.op->number >= 1
                   && rt.op->number <= ngx_http_ticketing_noperations);
        FUZZ_CHECK(ngx_http_ticketing_operation_find(rt.op->name,
                                                     strlen(rt.op->name))
                   == rt.op);

        /* the canonical form of the path routes to the same operation */
        rebuilt = malloc(len + 1);
        FUZZ_CHECK(rebuilt != NULL);
        rlen = fuzz_route_rebuild(&rt, rebuilt, len + 1);
        scratch2 = malloc(rlen);
        FUZZ_CHECK(scratch2 != NULL);
        rc2 = ngx_http_ticketing_route_match(rebuilt, rlen, method, scratch2,
                                             &rt2);
        FUZZ_CHECK(rc2 == NGX_HTTP_TICKETING_ROUTE_OK && rt2.op == rt.op);
        free(scratch2);
        free(rebuilt);
        break;

    case NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED:
        FUZZ_CHECK(rt.allowed != 0);
        FUZZ_CHECK(!fuzz_route_single_bit(method) || !(rt.allowed & method));

        alen = ngx_http_ticketing_route_allow(rt.allowed, allow,
                                              sizeof(allow));
        FUZZ_CHECK(alen > 0 && alen < sizeof(allow));
        FUZZ_CHECK(strlen(allow) == alen);
        break;

    case NGX_HTTP_TICKETING_ROUTE_BAD_PARAM:
        FUZZ_CHECK(strncmp(rt.detail, "path parameter ",
                           sizeof("path parameter ") - 1) == 0);
        break;

    default:
        break;
    }

    free(scratch);
    free(path);

    return 0;
}
