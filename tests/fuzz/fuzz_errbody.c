
/*
 * Fuzzes the upstream error-body inspection (ngx_http_ticketing_errbody.c):
 * classification, detail extraction, cleaning, the safety filter and the
 * gunzip helper.
 *
 * Input: 2 bytes HTTP status (big endian, taken modulo 600), 1 byte flags
 * (bits 0-1: the inspect() flags HTML and TRUNCATED; bit 2: clean() as
 * HTML; bits 3-7: gunzip output size / 8), then the body.  Checks, on the
 * detail of inspect() and on the output of clean(): at most
 * NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX bytes, valid UTF-8 (shortest
 * forms, no surrogates), no control character (C0, DEL, C1) and no
 * Default_Ignorable_Code_Point (soft hyphen, zero-width, bidi, variation
 * selectors, fillers, tags), no leading or trailing space; a detail that
 * inspect() gives passes ..._safe() for its status, and so does its folded
 * view (..._fold() until it changes nothing, which takes fewer than 4
 * rounds): nothing the classifier rejects in the folded view is passed;
 * neither the detail nor its folded view ever holds an IPv4 literal or the
 * word "password", and the folded view no combining mark (U+0300-036F) nor
 * U+2024, U+FE52, U+FE6B (checked here independently).  A body classified
 * UNIFORM is JSON of exactly four members whose code, status and message
 * are those of the table for the status, and whose detailMsg is null or
 * clean (cleaning leaves it as it is) and passes ..._safe().  fold() never
 * writes more than its input's length; gunzip never writes past its
 * buffer.
 */


#include <strings.h>
#include <jansson.h>

#include "harness.h"
#include "json_check.h"

#include "ngx_http_ticketing_error.h"
#include "ngx_http_ticketing_errbody.h"


#define DMAX  NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX


static int
fuzz_errbody_digits(const u_char *p, const u_char *end, const u_char **next)
{
    int  n;

    n = 0;
    while (p < end && *p >= '0' && *p <= '9') {
        p++;
        n++;
    }

    *next = p;

    return n >= 1 && n <= 3;
}


/* d.d.d.d with 1..3 digits each, not preceded by a digit */
static int
fuzz_errbody_has_ipv4(const u_char *s, size_t len)
{
    int            k;
    const u_char  *p, *q, *end;

    end = s + len;

    for (p = s; p < end; p++) {
        if (*p < '0' || *p > '9' || (p > s && p[-1] >= '0' && p[-1] <= '9')) {
            continue;
        }

        q = p;

        for (k = 0; k < 4; k++) {
            if (!fuzz_errbody_digits(q, end, &q)) {
                break;
            }

            if (k < 3) {
                if (q == end || *q != '.') {
                    break;
                }
                q++;
            }
        }

        if (k == 4) {
            return 1;
        }
    }

    return 0;
}


/* Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt) */
static int
fuzz_errbody_ignorable(unsigned cp)
{
    size_t  i;

    static const unsigned  ranges[][2] = {
        { 0x00ad, 0x00ad }, { 0x034f, 0x034f }, { 0x061c, 0x061c },
        { 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180b, 0x180f },
        { 0x200b, 0x200f }, { 0x202a, 0x202e }, { 0x2060, 0x206f },
        { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff },
        { 0xffa0, 0xffa0 }, { 0xfff0, 0xfff8 }, { 0x1bca0, 0x1bca3 },
        { 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff }
    };

    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if (cp >= ranges[i][0] && cp <= ranges[i][1]) {
            return 1;
        }
    }

    return 0;
}


/*
 * What the folded view no longer holds: combining marks and the dot and
 * at-sign look-alikes (U+2024, U+FE52, U+FE6B), which fold() removes or
 * folds (checked here independently of its table)
 */
static int
fuzz_errbody_has_unfolded(const u_char *s, size_t len)
{
    size_t         n;
    unsigned       cp;
    const u_char  *p, *end;

    p = s;
    end = s + len;

    while (p < end) {
        n = fuzz_json_utf8(p, end);

        if (n < 2) {
            p++;
            continue;
        }

        cp = (n == 2) ? (unsigned) ((p[0] & 0x1f) << 6 | (p[1] & 0x3f))
           : (n == 3) ? (unsigned) ((p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6
                                    | (p[2] & 0x3f))
           : 0;

        if ((cp >= 0x300 && cp <= 0x36f) || cp == 0x2024 || cp == 0xfe52
            || cp == 0xfe6b)
        {
            return 1;
        }

        p += n;
    }

    return 0;
}


static int
fuzz_errbody_has_password(const u_char *s, size_t len)
{
    size_t  i;

    for (i = 0; i + 8 <= len; i++) {
        if (strncasecmp((const char *) s + i, "password", 8) == 0) {
            return 1;
        }
    }

    return 0;
}


/* a detail that may be shown, and its folded view, leak nothing */
static void
fuzz_errbody_check_shown(const u_char *detail, size_t len, unsigned status)
{
    int      round;
    size_t   n;
    u_char  *a, *b, *t;

    FUZZ_CHECK(ngx_http_ticketing_errbody_safe(detail, len, status));

    a = malloc(DMAX);
    b = malloc(DMAX);
    FUZZ_CHECK(a != NULL && b != NULL);

    memcpy(a, detail, len);

    for (round = 0; ; round++) {
        FUZZ_CHECK(round < 4);

        FUZZ_CHECK(!fuzz_errbody_has_ipv4(a, len));
        FUZZ_CHECK(!fuzz_errbody_has_password(a, len));

        n = ngx_http_ticketing_errbody_fold(a, len, b);
        FUZZ_CHECK(n <= len);

        if (n == len && memcmp(a, b, n) == 0) {
            break;
        }

        t = a;
        a = b;
        b = t;
        len = n;
    }

    /* the view the classifier judged last: it passes too */
    FUZZ_CHECK(ngx_http_ticketing_errbody_safe(a, len, status));
    FUZZ_CHECK(!fuzz_errbody_has_unfolded(a, len));

    free(a);
    free(b);
}


static void
fuzz_errbody_check_text(const u_char *s, size_t len)
{
    size_t         n;
    unsigned       cp;
    const u_char  *p, *end;

    FUZZ_CHECK(len <= DMAX);

    if (len == 0) {
        return;
    }

    FUZZ_CHECK(s[0] != ' ' && s[len - 1] != ' ');

    p = s;
    end = s + len;

    while (p < end) {
        n = fuzz_json_utf8(p, end);
        FUZZ_CHECK(n != 0);

        switch (n) {
        case 1:
            cp = p[0];
            break;
        case 2:
            cp = (p[0] & 0x1f) << 6 | (p[1] & 0x3f);
            break;
        case 3:
            cp = (p[0] & 0x0f) << 12 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f);
            break;
        default:
            cp = (p[0] & 0x07) << 18 | (p[1] & 0x3f) << 12
                 | (p[2] & 0x3f) << 6 | (p[3] & 0x3f);
            break;
        }

        FUZZ_CHECK(cp >= 0x20 && cp != 0x7f);
        FUZZ_CHECK(!(cp >= 0x80 && cp <= 0x9f));
        FUZZ_CHECK(!fuzz_errbody_ignorable(cp));

        p += n;
    }
}


/* what is classified UNIFORM: the gateway's own body for the status */
static void
fuzz_errbody_check_uniform(const u_char *body, size_t len,
    const ngx_http_ticketing_error_kind_t *kind)
{
    size_t         n, dlen;
    json_t        *root, *d;
    u_char        *clean;
    const u_char  *p, *end;
    json_error_t   err;

    p = body;
    end = body + len;

    if (end - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        p += 3;
    }

    root = json_loadb((const char *) p, (size_t) (end - p),
                      JSON_REJECT_DUPLICATES, &err);
    FUZZ_CHECK(root != NULL);
    FUZZ_CHECK(json_is_object(root) && json_object_size(root) == 4);

    FUZZ_CHECK(json_is_string(json_object_get(root, "code"))
               && strcmp(json_string_value(json_object_get(root, "code")),
                         kind->code) == 0);
    FUZZ_CHECK(json_is_string(json_object_get(root, "status"))
               && strcmp(json_string_value(json_object_get(root, "status")),
                         kind->status) == 0);
    FUZZ_CHECK(json_is_string(json_object_get(root, "message"))
               && strcmp(json_string_value(json_object_get(root, "message")),
                         kind->message) == 0);

    d = json_object_get(root, "detailMsg");

    if (!json_is_null(d)) {
        FUZZ_CHECK(json_is_string(d));

        dlen = json_string_length(d);
        clean = malloc(DMAX);
        FUZZ_CHECK(clean != NULL);

        n = ngx_http_ticketing_errbody_clean(
                         (const u_char *) json_string_value(d), dlen, 0, clean);
        FUZZ_CHECK(n == dlen
                   && memcmp(clean, json_string_value(d), n) == 0);
        FUZZ_CHECK(ngx_http_ticketing_errbody_safe(clean, n,
                                                   kind->http_status));
        free(clean);
    }

    json_decref(root);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                                     complete;
    size_t                                  len, dlen, osize;
    u_char                                 *body, *detail, *out;
    ssize_t                                 glen;
    unsigned                                status, flags;
    ngx_http_ticketing_errbody_kind_e       kind;
    const ngx_http_ticketing_error_kind_t  *expect;

    if (size < 3) {
        return 0;
    }

    status = ((unsigned) data[0] << 8 | data[1]) % 600;
    flags = data[2];
    len = size - 3;
    body = fuzz_dup(data + 3, len);

    /* classification and detail */

    detail = malloc(DMAX);
    FUZZ_CHECK(detail != NULL);

    dlen = 12345;
    expect = ngx_http_ticketing_error_kind(status);

    kind = ngx_http_ticketing_errbody_inspect(body, len, flags & 3, expect,
                                              detail, &dlen);

    FUZZ_CHECK(kind <= NGX_HTTP_TICKETING_ERRBODY_BINARY);
    FUZZ_CHECK(ngx_http_ticketing_errbody_kind_name(kind) != NULL);

    fuzz_errbody_check_text(detail, dlen);

    if (kind == NGX_HTTP_TICKETING_ERRBODY_UNIFORM) {
        fuzz_errbody_check_uniform(body, len, expect);
    }

    if (dlen) {
        fuzz_errbody_check_shown(detail, dlen, status);
    }

    /* cleaning alone */

    dlen = ngx_http_ticketing_errbody_clean(body, len, (flags >> 2) & 1,
                                            detail);
    fuzz_errbody_check_text(detail, dlen);

    if (dlen && ngx_http_ticketing_errbody_safe(detail, dlen, status)) {
        fuzz_errbody_check_shown(detail, dlen, status);
    }

    free(detail);

    /* one round of folding on any bytes: never longer than its input */

    if (len > 0) {
        out = malloc(len);
        FUZZ_CHECK(out != NULL);
        FUZZ_CHECK(ngx_http_ticketing_errbody_fold(body, len, out) <= len);
        free(out);
    }

    /* gunzip into a small buffer */

    osize = (size_t) (flags >> 3) * 8 + 1;
    out = malloc(osize);
    FUZZ_CHECK(out != NULL);

    complete = 0;
    glen = ngx_http_ticketing_errbody_gunzip(body, len, out, osize, &complete);
    FUZZ_CHECK(glen >= -1 && glen <= (ssize_t) osize);

    free(out);
    free(body);

    return 0;
}
