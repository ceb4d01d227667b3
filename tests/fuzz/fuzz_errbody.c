
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
 * invisible formatting character (U+200B..U+200F, U+202A..U+202E,
 * U+2066..U+2069, U+FEFF), no leading or trailing space; for a 5xx, the
 * detail never holds an IPv4 literal; a detail that inspect() gives passes
 * ..._safe() for its status.  A body passed as UNIFORM (byte for byte) is
 * JSON of exactly four members whose code, status and message are those of
 * the table for the status, and whose detailMsg is null or clean (cleaning
 * leaves it as it is) and passes ..._safe().  gunzip never writes past its
 * buffer.
 */


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
        FUZZ_CHECK(!(cp >= 0x200b && cp <= 0x200f));
        FUZZ_CHECK(!(cp >= 0x202a && cp <= 0x202e));
        FUZZ_CHECK(!(cp >= 0x2066 && cp <= 0x2069));
        FUZZ_CHECK(cp != 0xfeff);

        p += n;
    }
}


/* what may pass byte for byte: the gateway's own body for the status */
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
        FUZZ_CHECK(ngx_http_ticketing_errbody_safe(detail, dlen, status));

        if (status >= 500) {
            FUZZ_CHECK(!fuzz_errbody_has_ipv4(detail, dlen));
        }
    }

    /* cleaning alone */

    dlen = ngx_http_ticketing_errbody_clean(body, len, (flags >> 2) & 1,
                                            detail);
    fuzz_errbody_check_text(detail, dlen);

    if (dlen && status >= 500
        && ngx_http_ticketing_errbody_safe(detail, dlen, status))
    {
        FUZZ_CHECK(!fuzz_errbody_has_ipv4(detail, dlen));
    }

    free(detail);

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
