
/*
 * Fuzzes the request rules (ngx_http_ticketing_rules.c): query strings,
 * JSON bodies, Content-Type values and the incremental base64 checker.
 *
 * Input: 1 byte operation number (modulo 32), 1 byte chunk size for the
 * streamed body (1..256), then the data: used as the query string, as the
 * JSON body (from one buffer and streamed in chunks), as a Content-Type
 * value and as base64 (at once and in two pieces split at the chunk size).
 * Checks: a result is 0 or 400; a refusal has a non-empty NUL-terminated
 * detail that fits its buffer, without raw control characters; a pass
 * leaves no detail; the buffered and the streamed body give the same
 * answer and the same detail; base64 fed in pieces agrees with at once.
 */


#include "harness.h"

#include "ngx_http_ticketing_rules.h"


#define FUZZ_RULES_DETAIL  160


typedef struct {
    const u_char  *p;
    size_t         len;
    size_t         chunk;
} fuzz_rules_stream_t;


static size_t
fuzz_rules_read(void *buf, size_t len, void *data)
{
    size_t                n;
    fuzz_rules_stream_t  *s;

    s = data;

    n = s->len < s->chunk ? s->len : s->chunk;
    if (n > len) {
        n = len;
    }

    memcpy(buf, s->p, n);
    s->p += n;
    s->len -= n;

    return n;
}


static void
fuzz_rules_check(unsigned rc, const char *detail)
{
    const char  *nul;

    FUZZ_CHECK(rc == 0 || rc == 400);

    nul = memchr(detail, '\0', FUZZ_RULES_DETAIL);
    FUZZ_CHECK(nul != NULL);

    if (rc) {
        FUZZ_CHECK(detail[0] != '\0');
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                       len;
    u_char                      *in;
    unsigned                     op, rc, rc2;
    char                         detail[FUZZ_RULES_DETAIL];
    char                         detail2[FUZZ_RULES_DETAIL];
    fuzz_rules_stream_t          s;
    ngx_http_ticketing_base64_t  b1, b2;

    if (size < 2) {
        return 0;
    }

    op = data[0] % 32;
    len = size - 2;
    in = fuzz_dup(data + 2, len);

    /* the query string */

    detail[0] = '\0';
    rc = ngx_http_ticketing_rules_query(op, in, len, detail, sizeof(detail));
    fuzz_rules_check(rc, detail);

    /* the body, buffered and streamed */

    if (ngx_http_ticketing_rules_has_body(op)) {
        detail[0] = '\0';
        rc = ngx_http_ticketing_rules_body_buf(op, in, len, detail,
                                               sizeof(detail));
        fuzz_rules_check(rc, detail);

        s.p = in;
        s.len = len;
        s.chunk = data[1] + 1;

        detail2[0] = '\0';
        rc2 = ngx_http_ticketing_rules_body(op, fuzz_rules_read, &s, detail2,
                                            sizeof(detail2));
        FUZZ_CHECK(rc2 == rc);
        FUZZ_CHECK(strcmp(detail, detail2) == 0);
    }

    /* Content-Type */

    (void) ngx_http_ticketing_rules_json_type(in, len);

    /* base64, at once and in two pieces */

    ngx_http_ticketing_base64_init(&b1);
    ngx_http_ticketing_base64_update(&b1, in, len);

    ngx_http_ticketing_base64_init(&b2);
    s.chunk = data[1] < len ? data[1] : len;
    ngx_http_ticketing_base64_update(&b2, in, s.chunk);
    ngx_http_ticketing_base64_update(&b2, in + s.chunk, len - s.chunk);

    FUZZ_CHECK(ngx_http_ticketing_base64_final(&b1)
               == ngx_http_ticketing_base64_final(&b2));

    if (ngx_http_ticketing_base64_final(&b1)) {
        FUZZ_CHECK(len % 4 == 0);
    }

    free(in);

    return 0;
}
