
/*
 * Fuzzes the cache key encoder and the stored-value format
 * (ngx_http_ticketing_cachekey.c).
 *
 * Input: two requests separated by a 0x00 byte; each is up to eight fields
 * separated by 0x01 bytes: provider, organization, operation, the four path
 * parameters, the raw query string (missing fields are empty).  Both keys
 * are built with the buffer size ..._cachekey_size() promises (never
 * NO_ROOM) and checked for injectivity against an independent model: the
 * keys are equal iff the fixed fields are equal and the decoded query
 * parameters are equal once stably sorted by name.  A query is refused
 * (BAD_QUERY) iff the model finds malformed percent-encoding or more than
 * NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS parameters.  The whole input is also
 * parsed as a stored value, and a value built from the first request's
 * fields (content type: the operation, language: the provider) parses
 * back to the same parts.  The first request is also normalized as an
 * Accept and an Accept-Language value: refused, or a form no longer than
 * the input, without whitespace, in the header's alphabet, that
 * normalizes to itself.
 */


#include "harness.h"

#include "ngx_http_ticketing_cachekey.h"


#define FUZZ_CK_FIELDS  (3 + NGX_HTTP_TICKETING_NPARAMS + 1)
#define FUZZ_CK_PREFIX  "tk"


typedef struct {
    ngx_http_ticketing_span_t  name;
    ngx_http_ticketing_span_t  value;
    int                        has_value;
    size_t                     index;
} fuzz_ck_arg_t;


typedef struct {
    ngx_http_ticketing_span_t  f[FUZZ_CK_FIELDS];
    fuzz_ck_arg_t              args[NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS];
    size_t                     nargs;
    int                        bad;
    u_char                    *dec;
    u_char                    *key;
    size_t                     key_len;
    ngx_http_ticketing_cachekey_rc_e  rc;
} fuzz_ck_req_t;


static int
fuzz_ck_hex(u_char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}


/* the model's decoder: -1 on malformed %XX */
static ssize_t
fuzz_ck_decode(const u_char *p, size_t len, u_char *out)
{
    size_t  i, o;

    for (i = 0, o = 0; i < len; i++) {
        if (p[i] == '%') {
            if (len - i < 3 || fuzz_ck_hex(p[i + 1]) < 0
                || fuzz_ck_hex(p[i + 2]) < 0)
            {
                return -1;
            }
            out[o++] = (u_char) (fuzz_ck_hex(p[i + 1]) << 4
                                 | fuzz_ck_hex(p[i + 2]));
            i += 2;

        } else {
            out[o++] = (p[i] == '+') ? ' ' : p[i];
        }
    }

    return o;
}


static int
fuzz_ck_span_cmp(const ngx_http_ticketing_span_t *a,
    const ngx_http_ticketing_span_t *b)
{
    int     rc;
    size_t  n;

    n = a->len < b->len ? a->len : b->len;
    rc = n ? memcmp(a->data, b->data, n) : 0;

    return rc ? rc : (a->len > b->len) - (a->len < b->len);
}


static int
fuzz_ck_arg_cmp(const void *x, const void *y)
{
    int                   rc;
    const fuzz_ck_arg_t  *a, *b;

    a = x;
    b = y;

    rc = fuzz_ck_span_cmp(&a->name, &b->name);

    return rc ? rc : (a->index > b->index) - (a->index < b->index);
}


static void
fuzz_ck_model(fuzz_ck_req_t *r)
{
    u_char         *o;
    ssize_t         n;
    const u_char   *q, *end, *amp, *eq;

    q = r->f[FUZZ_CK_FIELDS - 1].data;
    end = q + r->f[FUZZ_CK_FIELDS - 1].len;
    o = r->dec;

    for ( /* void */ ; q < end; q = amp + 1) {
        amp = memchr(q, '&', end - q);
        if (amp == NULL) {
            amp = end;
        }

        if (amp == q) {
            continue;
        }

        if (r->nargs == NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS) {
            r->bad = 1;
            return;
        }

        eq = memchr(q, '=', amp - q);

        n = fuzz_ck_decode(q, (eq ? eq : amp) - q, o);
        if (n < 0) {
            r->bad = 1;
            return;
        }

        r->args[r->nargs].name.data = o;
        r->args[r->nargs].name.len = n;
        o += n;

        r->args[r->nargs].has_value = (eq != NULL);
        r->args[r->nargs].value.data = o;
        r->args[r->nargs].value.len = 0;

        if (eq) {
            n = fuzz_ck_decode(eq + 1, amp - eq - 1, o);
            if (n < 0) {
                r->bad = 1;
                return;
            }

            r->args[r->nargs].value.len = n;
            o += n;
        }

        r->args[r->nargs].index = r->nargs;
        r->nargs++;
    }

    qsort(r->args, r->nargs, sizeof(fuzz_ck_arg_t), fuzz_ck_arg_cmp);
}


/*
 * The hash tag: FNV-1a (32 bits, written here from its definition) of
 * what follows it, in 8 lower-case hex digits; the key and its fill lock
 * ("|lock" appended) in one Redis Cluster slot.
 */
static void
fuzz_ck_tag(const u_char *key, size_t len)
{
    char           hex[9];
    size_t         i, at;
    uint32_t       h;
    unsigned char *lock;

    at = sizeof(FUZZ_CK_PREFIX "|v4|{") - 1;
    FUZZ_CHECK(len >= at + 9 && key[at + 8] == '}');

    h = 0x811c9dc5;

    for (i = at + 9; i < len; i++) {
        h = (h ^ key[i]) * 0x01000193;
    }

    snprintf(hex, sizeof(hex), "%08x", (unsigned) h);
    FUZZ_CHECK(memcmp(key + at, hex, 8) == 0);

    lock = malloc(len + 5);
    FUZZ_CHECK(lock != NULL);
    memcpy(lock, key, len);
    memcpy(lock + len, "|lock", 5);
    FUZZ_CHECK(ngx_http_ticketing_cachekey_slot(key, len)
               == ngx_http_ticketing_cachekey_slot(lock, len + 5));
    FUZZ_CHECK(ngx_http_ticketing_cachekey_slot(key, len)
               == ngx_http_ticketing_cachekey_slot(key + at, 8));
    free(lock);
}


static void
fuzz_ck_build(fuzz_ck_req_t *r)
{
    size_t                            i, size;
    u_char                           *scratch;
    ngx_http_ticketing_cachekey_in_t  in;

    memset(&in, 0, sizeof(in));
    in.prefix.data = (u_char *) FUZZ_CK_PREFIX;
    in.prefix.len = sizeof(FUZZ_CK_PREFIX) - 1;
    in.provider = r->f[0];
    in.org = r->f[1];
    in.operation = r->f[2];

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        in.params[i] = r->f[3 + i];
    }

    in.query = r->f[FUZZ_CK_FIELDS - 1];

    size = ngx_http_ticketing_cachekey_size(&in);
    r->key = malloc(size ? size : 1);
    scratch = malloc(in.query.len ? in.query.len : 1);
    r->dec = malloc(in.query.len ? in.query.len : 1);
    FUZZ_CHECK(r->key != NULL && scratch != NULL && r->dec != NULL);

    r->rc = ngx_http_ticketing_cachekey_build(&in, scratch, r->key, size,
                                              &r->key_len);
    FUZZ_CHECK(r->rc != NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM);

    if (r->rc == NGX_HTTP_TICKETING_CACHEKEY_OK) {
        FUZZ_CHECK(r->key_len <= size);
        FUZZ_CHECK(memcmp(r->key, FUZZ_CK_PREFIX "|v4|{",
                          sizeof(FUZZ_CK_PREFIX "|v4|{") - 1) == 0);
        fuzz_ck_tag(r->key, r->key_len);
    }

    free(scratch);

    fuzz_ck_model(r);

    FUZZ_CHECK((r->rc == NGX_HTTP_TICKETING_CACHEKEY_BAD_QUERY) == r->bad);
}


static void
fuzz_ck_split(const u_char *p, size_t len, fuzz_ck_req_t *r)
{
    size_t         k;
    const u_char  *end, *sep;

    memset(r, 0, sizeof(*r));
    end = p + len;

    for (k = 0; k < FUZZ_CK_FIELDS; k++) {
        r->f[k].data = p;

        if (k == FUZZ_CK_FIELDS - 1) {
            r->f[k].len = end - p;
            break;
        }

        sep = memchr(p, 0x01, end - p);
        r->f[k].len = (sep ? sep : end) - p;
        p = sep ? sep + 1 : end;
    }
}


static int
fuzz_ck_same(const fuzz_ck_req_t *a, const fuzz_ck_req_t *b)
{
    size_t  i;

    for (i = 0; i < FUZZ_CK_FIELDS - 1; i++) {
        if (fuzz_ck_span_cmp(&a->f[i], &b->f[i]) != 0) {
            return 0;
        }
    }

    if (a->nargs != b->nargs) {
        return 0;
    }

    for (i = 0; i < a->nargs; i++) {
        if (fuzz_ck_span_cmp(&a->args[i].name, &b->args[i].name) != 0
            || a->args[i].has_value != b->args[i].has_value
            || fuzz_ck_span_cmp(&a->args[i].value, &b->args[i].value) != 0)
        {
            return 0;
        }
    }

    return 1;
}


static void
fuzz_ck_value(const uint8_t *data, size_t size, const fuzz_ck_req_t *r)
{
    u_char                         *v, *buf;
    size_t                          n;
    unsigned long long              fresh;
    ngx_http_ticketing_cacheval_t   cv;

    /* anything as a stored value: parse or refuse, spans inside */
    v = fuzz_dup(data, size);

    if (ngx_http_ticketing_cacheval_parse(v, size, &cv) == 0) {
        FUZZ_CHECK(cv.type.len > 0);
        FUZZ_CHECK(cv.type.data > v && cv.type.data + cv.type.len < v + size);
        FUZZ_CHECK(cv.language.data > cv.type.data
                   && cv.language.data + cv.language.len <= cv.body.data);
        FUZZ_CHECK(cv.body.data + cv.body.len == v + size);
        FUZZ_CHECK(memchr(cv.type.data, '\n', cv.type.len) == NULL);
        FUZZ_CHECK(cv.language.len == 0
                   || memchr(cv.language.data, '\n', cv.language.len)
                      == NULL);
    }

    free(v);

    /*
     * a built value parses back: type = the operation, language = the
     * provider, body = the query
     */
    if (r->f[2].len == 0 || memchr(r->f[2].data, '\n', r->f[2].len)
        || (r->f[0].len && memchr(r->f[0].data, '\n', r->f[0].len)))
    {
        return;
    }

    fresh = 0;
    memcpy(&fresh, data, size < sizeof(fresh) ? size : sizeof(fresh));

    buf = malloc(NGX_HTTP_TICKETING_CACHEVAL_HEADER_SIZE(r->f[2].len,
                                                         r->f[0].len)
                 + r->f[FUZZ_CK_FIELDS - 1].len);
    FUZZ_CHECK(buf != NULL);

    n = ngx_http_ticketing_cacheval_header(buf, fresh, ~fresh, r->f[2].data,
                                           r->f[2].len, r->f[0].data,
                                           r->f[0].len);
    FUZZ_CHECK(n <= NGX_HTTP_TICKETING_CACHEVAL_HEADER_SIZE(r->f[2].len,
                                                           r->f[0].len));
    memcpy(buf + n, r->f[FUZZ_CK_FIELDS - 1].data,
           r->f[FUZZ_CK_FIELDS - 1].len);
    n += r->f[FUZZ_CK_FIELDS - 1].len;

    FUZZ_CHECK(ngx_http_ticketing_cacheval_parse(buf, n, &cv) == 0);
    FUZZ_CHECK(cv.fresh_until == fresh);
    FUZZ_CHECK(cv.born == ~fresh);
    FUZZ_CHECK(fuzz_ck_span_cmp(&cv.type, &r->f[2]) == 0);
    FUZZ_CHECK(fuzz_ck_span_cmp(&cv.language, &r->f[0]) == 0);
    FUZZ_CHECK(fuzz_ck_span_cmp(&cv.body, &r->f[FUZZ_CK_FIELDS - 1]) == 0);

    free(buf);
}


/* Accept or Accept-Language normalization of "data" */
static void
fuzz_ck_header(const uint8_t *data, size_t size, unsigned which)
{
    u_char   *in, *out, *again, c;
    size_t    i;
    ssize_t   n, m;

    in = fuzz_dup(data, size);
    out = malloc(size + 1);
    again = malloc(size + 1);
    FUZZ_CHECK(out != NULL && again != NULL);

    n = ngx_http_ticketing_cachekey_header(which, in, size, out);

    if (n >= 0) {
        FUZZ_CHECK((size_t) n <= size);

        for (i = 0; i < (size_t) n; i++) {
            c = out[i];

            FUZZ_CHECK(c > ' ' && c < 0x7f && c != '"');
            FUZZ_CHECK(which != NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE
                       || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                       || strchr("-*,;=.", c) != NULL);
        }

        /* the normalized form is its own normal form */
        m = ngx_http_ticketing_cachekey_header(which, out, n, again);
        FUZZ_CHECK(m == n || (n == 0 && m == -1));
        FUZZ_CHECK(m < 0 || memcmp(out, again, n) == 0);
    }

    free(again);
    free(out);
    free(in);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char         *in;
    size_t          alen;
    const u_char   *sep;
    fuzz_ck_req_t   a, b;

    in = fuzz_dup(data, size);

    sep = memchr(in, 0x00, size);
    alen = sep ? (size_t) (sep - in) : size;

    fuzz_ck_split(in, alen, &a);
    fuzz_ck_split(sep ? sep + 1 : in + size, sep ? size - alen - 1 : 0, &b);

    fuzz_ck_build(&a);
    fuzz_ck_build(&b);

    if (a.rc == NGX_HTTP_TICKETING_CACHEKEY_OK
        && b.rc == NGX_HTTP_TICKETING_CACHEKEY_OK)
    {
        FUZZ_CHECK((a.key_len == b.key_len
                    && memcmp(a.key, b.key, a.key_len) == 0)
                   == fuzz_ck_same(&a, &b));
    }

    fuzz_ck_value(data, size, &a);
    fuzz_ck_header(in, alen, NGX_HTTP_TICKETING_CACHEKEY_ACCEPT);
    fuzz_ck_header(in, alen, NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE);

    free(a.key);
    free(a.dec);
    free(b.key);
    free(b.dec);
    free(in);

    return 0;
}
