
/*
 * Fuzzes the uniform error body builder, ngx_http_ticketing_error_body().
 *
 * Input: 2 bytes HTTP status (big endian, any value), 1 byte flags (bit 0:
 * detail is NULL), the rest is the detail.  Checks that the body fits the
 * size ngx_http_ticketing_error_body_size() promised (and that one byte
 * less is refused), is one JSON object with exactly code, status, message
 * and detailMsg in that order, matches the status's kind, has no raw
 * control character, '<', '>' or '&', and that detailMsg decodes back to
 * the detail (cut at NGX_HTTP_TICKETING_DETAIL_MAX) when that is UTF-8.
 */


#include "harness.h"
#include "json_check.h"

#include "ngx_http_ticketing_error.h"


static void
fuzz_error_check_str(const fuzz_json_member_t *m, const char *key,
    const char *want)
{
    FUZZ_CHECK(m->key_len == strlen(key));
    FUZZ_CHECK(memcmp(m->key, key, m->key_len) == 0);
    FUZZ_CHECK(m->value != NULL);
    FUZZ_CHECK(m->value_len == strlen(want));
    FUZZ_CHECK(memcmp(m->value, want, m->value_len) == 0);
}


static int
fuzz_error_is_utf8(const u_char *p, size_t len)
{
    size_t         n;
    const u_char  *end;

    end = p + len;

    while (p < end) {
        n = fuzz_json_utf8(p, end);
        if (n == 0) {
            return 0;
        }
        p += n;
    }

    return 1;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                                     n;
    size_t                                  i, len, cut, bound, body_len;
    u_char                                 *detail, *body, *out, c;
    unsigned                                status, null_detail;
    fuzz_json_member_t                      m[FUZZ_JSON_MAX_MEMBERS];
    const ngx_http_ticketing_error_kind_t  *kind;

    if (size < 3) {
        return 0;
    }

    status = (unsigned) data[0] << 8 | data[1];
    null_detail = data[2] & 1;
    len = size - 3;
    detail = null_detail ? NULL : fuzz_dup(data + 3, len);

    bound = ngx_http_ticketing_error_body_size(null_detail ? 0 : len);

    /* one byte short of the promised size: refused, nothing written past */
    body = malloc(bound - 1);
    FUZZ_CHECK(body != NULL);
    FUZZ_CHECK(ngx_http_ticketing_error_body(body, bound - 1, status,
                                             detail, len) == 0);
    free(body);

    body = malloc(bound);
    FUZZ_CHECK(body != NULL);
    body_len = ngx_http_ticketing_error_body(body, bound, status, detail, len);
    FUZZ_CHECK(body_len > 0 && body_len <= bound);

    for (i = 0; i < body_len; i++) {
        c = body[i];
        FUZZ_CHECK(c >= 0x20 && c != 0x7f);
        FUZZ_CHECK(c != '<' && c != '>' && c != '&');
    }

    out = malloc(body_len);
    FUZZ_CHECK(out != NULL);

    n = fuzz_json_flat_object(body, body_len, out, m, FUZZ_JSON_MAX_MEMBERS);
    FUZZ_CHECK(n == 4);

    kind = ngx_http_ticketing_error_kind(status);
    FUZZ_CHECK(kind != NULL);

    fuzz_error_check_str(&m[0], "code", kind->code);
    fuzz_error_check_str(&m[1], "status", kind->status);
    fuzz_error_check_str(&m[2], "message", kind->message);

    FUZZ_CHECK(m[3].key_len == sizeof("detailMsg") - 1);
    FUZZ_CHECK(memcmp(m[3].key, "detailMsg", m[3].key_len) == 0);

    if (null_detail) {
        FUZZ_CHECK(m[3].value == NULL);

    } else {
        FUZZ_CHECK(m[3].value != NULL);

        cut = len < NGX_HTTP_TICKETING_DETAIL_MAX
              ? len : NGX_HTTP_TICKETING_DETAIL_MAX;

        if (fuzz_error_is_utf8(detail, cut)) {
            FUZZ_CHECK(m[3].value_len == cut);
            FUZZ_CHECK(memcmp(m[3].value, detail, cut) == 0);
        }
    }

    free(out);
    free(body);
    free(detail);

    return 0;
}
