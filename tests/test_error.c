
/*
 * Unit tests of the uniform error schema (ngx_http_ticketing_error.c).
 *
 * Every body built here is also run through a small strict JSON checker
 * (below) that requires exactly the object
 * {"code":string,"status":string,"message":string,"detailMsg":string|null},
 * valid UTF-8, no raw control character and no raw <, > or &, and returns
 * the decoded values, so that the tests can compare the decoded detailMsg
 * with the detail given.
 *
 * Every buffer has exactly the size asked for, from malloc(), so that
 * AddressSanitizer reports any write past it.
 */


#define _GNU_SOURCE          /* memmem() */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ngx_http_ticketing_error.h"


#define DETAIL_MAX  NGX_HTTP_TICKETING_DETAIL_MAX

#define FFFD        "\xef\xbf\xbd"


/* ---------------------------------------------------------------------- */
/* a strict JSON checker for the error body                                 */


#define JVAL_SIZE  8192

typedef struct {
    char    value[4][JVAL_SIZE];
    size_t  len[4];
    int     is_null[4];
} jbody_t;


typedef struct {
    const u_char  *p;
    const u_char  *end;
    const char    *error;
} jparser_t;


static const char  *jkeys[4] = { "code", "status", "message", "detailMsg" };


static void
jws(jparser_t *j)
{
    while (j->p < j->end
           && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n'
               || *j->p == '\r'))
    {
        j->p++;
    }
}


static int
jexpect(jparser_t *j, u_char c)
{
    jws(j);

    if (j->p >= j->end || *j->p != c) {
        j->error = "unexpected character";
        return -1;
    }

    j->p++;
    return 0;
}


static int
jhex4(jparser_t *j, unsigned *v)
{
    int     i;
    u_char  c;

    *v = 0;

    if (j->end - j->p < 4) {
        j->error = "short \\u escape";
        return -1;
    }

    for (i = 0; i < 4; i++) {
        c = *j->p++;
        *v <<= 4;

        if (c >= '0' && c <= '9') {
            *v |= c - '0';
        } else if (c >= 'a' && c <= 'f') {
            *v |= c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            *v |= c - 'A' + 10;
        } else {
            j->error = "bad hex digit in \\u escape";
            return -1;
        }
    }

    return 0;
}


static size_t
utf8_put(char *dst, unsigned cp)
{
    if (cp < 0x80) {
        dst[0] = (char) cp;
        return 1;
    }

    if (cp < 0x800) {
        dst[0] = (char) (0xc0 | (cp >> 6));
        dst[1] = (char) (0x80 | (cp & 0x3f));
        return 2;
    }

    if (cp < 0x10000) {
        dst[0] = (char) (0xe0 | (cp >> 12));
        dst[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
        dst[2] = (char) (0x80 | (cp & 0x3f));
        return 3;
    }

    dst[0] = (char) (0xf0 | (cp >> 18));
    dst[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
    dst[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
    dst[3] = (char) (0x80 | (cp & 0x3f));
    return 4;
}


/* a strict UTF-8 validator, independent of the one under test */
static size_t
utf8_valid_len(const u_char *p, const u_char *end)
{
    size_t  n;

    if (p[0] < 0x80) {
        return 1;
    }

    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
    } else {
        return 0;
    }

    if ((size_t) (end - p) < n) {
        return 0;
    }

    /* the second byte's range (Unicode 15, table 3-7) */
    switch (p[0]) {
    case 0xe0: if (p[1] < 0xa0 || p[1] > 0xbf) return 0; break;
    case 0xed: if (p[1] < 0x80 || p[1] > 0x9f) return 0; break;
    case 0xf0: if (p[1] < 0x90 || p[1] > 0xbf) return 0; break;
    case 0xf4: if (p[1] < 0x80 || p[1] > 0x8f) return 0; break;
    default:   if (p[1] < 0x80 || p[1] > 0xbf) return 0; break;
    }

    if (n > 2 && (p[2] < 0x80 || p[2] > 0xbf)) {
        return 0;
    }

    if (n > 3 && (p[3] < 0x80 || p[3] > 0xbf)) {
        return 0;
    }

    return n;
}


static int
jstring(jparser_t *j, char *out, size_t *out_len)
{
    size_t    n, len;
    unsigned  cp, lo;
    u_char    c;

    len = 0;

    if (jexpect(j, '"') != 0) {
        return -1;
    }

    for ( ;; ) {
        if (j->p >= j->end) {
            j->error = "unterminated string";
            return -1;
        }

        if (len + 4 >= JVAL_SIZE) {
            j->error = "string too long for the checker";
            return -1;
        }

        c = *j->p;

        if (c == '"') {
            j->p++;
            break;
        }

        if (c < 0x20 || c == 0x7f) {
            j->error = "raw control character in a string";
            return -1;
        }

        if (c == '<' || c == '>' || c == '&') {
            j->error = "raw <, > or & in a string";
            return -1;
        }

        if (c >= 0x80) {
            n = utf8_valid_len(j->p, j->end);
            if (n == 0) {
                j->error = "invalid UTF-8 in a string";
                return -1;
            }

            memcpy(out + len, j->p, n);
            len += n;
            j->p += n;
            continue;
        }

        j->p++;

        if (c != '\\') {
            out[len++] = (char) c;
            continue;
        }

        if (j->p >= j->end) {
            j->error = "truncated escape";
            return -1;
        }

        c = *j->p++;

        switch (c) {
        case '"':  out[len++] = '"'; break;
        case '\\': out[len++] = '\\'; break;
        case '/':  out[len++] = '/'; break;
        case 'b':  out[len++] = '\b'; break;
        case 'f':  out[len++] = '\f'; break;
        case 'n':  out[len++] = '\n'; break;
        case 'r':  out[len++] = '\r'; break;
        case 't':  out[len++] = '\t'; break;

        case 'u':
            if (jhex4(j, &cp) != 0) {
                return -1;
            }

            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') {
                    j->error = "lone high surrogate";
                    return -1;
                }

                j->p += 2;

                if (jhex4(j, &lo) != 0) {
                    return -1;
                }

                if (lo < 0xdc00 || lo > 0xdfff) {
                    j->error = "bad low surrogate";
                    return -1;
                }

                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);

            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                j->error = "lone low surrogate";
                return -1;
            }

            len += utf8_put(out + len, cp);
            break;

        default:
            j->error = "bad escape";
            return -1;
        }
    }

    out[len] = '\0';
    *out_len = len;

    return 0;
}


/* parses the body; returns NULL, or why it is not the error JSON */
static const char *
json_parse(const u_char *body, size_t len, jbody_t *jb, size_t *at)
{
    int        i;
    char       key[JVAL_SIZE];
    size_t     key_len;
    jparser_t  j;

    memset(jb, 0, sizeof(jbody_t));

    j.p = body;
    j.end = body + len;
    j.error = NULL;

    if (jexpect(&j, '{') != 0) {
        goto failed;
    }

    for (i = 0; i < 4; i++) {
        if (i > 0 && jexpect(&j, ',') != 0) {
            goto failed;
        }

        jws(&j);

        if (jstring(&j, key, &key_len) != 0) {
            goto failed;
        }

        if (strcmp(key, jkeys[i]) != 0 || key_len != strlen(jkeys[i])) {
            j.error = "unexpected key";
            goto failed;
        }

        if (jexpect(&j, ':') != 0) {
            goto failed;
        }

        jws(&j);

        if (i == 3 && j.end - j.p >= 4 && memcmp(j.p, "null", 4) == 0) {
            j.p += 4;
            jb->is_null[i] = 1;
            continue;
        }

        if (jstring(&j, jb->value[i], &jb->len[i]) != 0) {
            goto failed;
        }
    }

    if (jexpect(&j, '}') != 0) {
        goto failed;
    }

    jws(&j);

    if (j.p != j.end) {
        j.error = "trailing data after the object";
        goto failed;
    }

    return NULL;

failed:

    *at = (size_t) (j.p - body);
    return j.error ? j.error : "?";
}


/* parses the body; on failure, fails the test with where and why */
static void
json_check(const u_char *body, size_t len, jbody_t *jb)
{
    size_t       at;
    const char  *error;

    error = json_parse(body, len, jb, &at);

    if (error != NULL) {
        fail_msg("not the error JSON: %s at byte %zu of \"%.*s\"", error, at,
                 (int) len, body);
    }
}


/* the checker itself: it accepts the right shape and refuses the rest */
static void
test_json_checker(void **state)
{
    size_t        i, at;
    jbody_t       jb;
    const char   *error;

#define GOOD_PREFIX  "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\"," \
                     "\"message\":\"Bad Request\",\"detailMsg\":"

    static const char  *good[] = {
        GOOD_PREFIX "\"x\"}",
        GOOD_PREFIX "null}",
        GOOD_PREFIX "\"\"}",
        " { \"code\" : \"1\" , \"status\":\"S\",\"message\":\"m\","
            "\"detailMsg\" : null } ",
        GOOD_PREFIX "\"\\ud83d\\ude00 \\u00e9 \\/ \\b\\f\\r\"}",
        GOOD_PREFIX "\"\xc3\xa9\xf4\x8f\xbf\xbf\"}",
    };

    static const char  *bad[] = {
        "",
        "{}",
        "[]",
        GOOD_PREFIX "\"x\"",                         /* no } */
        GOOD_PREFIX "\"x\"}}",                       /* trailing */
        GOOD_PREFIX "\"x\"},",
        GOOD_PREFIX "\"x}",                          /* unterminated */
        GOOD_PREFIX "x}",                             /* not a string */
        GOOD_PREFIX "nul}",
        GOOD_PREFIX "1}",
        GOOD_PREFIX "\"a\nb\"}",                     /* raw control */
        GOOD_PREFIX "\"a\x7f\"}",
        GOOD_PREFIX "\"<\"}",                        /* raw < */
        GOOD_PREFIX "\"&\"}",
        GOOD_PREFIX "\"\\x\"}",                      /* bad escape */
        GOOD_PREFIX "\"\\u12\"}",
        GOOD_PREFIX "\"\\u12g4\"}",
        GOOD_PREFIX "\"\\ud800\"}",                  /* lone surrogate */
        GOOD_PREFIX "\"\\udc00\"}",
        GOOD_PREFIX "\"\x80\"}",                     /* invalid UTF-8 */
        GOOD_PREFIX "\"\xc3\"}",
        GOOD_PREFIX "\"\xc0\xaf\"}",
        GOOD_PREFIX "\"\xed\xa0\x80\"}",
        GOOD_PREFIX "\"\xf4\x90\x80\x80\"}",
        "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","  /* key order */
            "\"detailMsg\":null,\"message\":\"Bad Request\"}",
        "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","  /* missing */
            "\"message\":\"Bad Request\"}",
        "{\"code\":null,\"status\":\"BAD_REQUEST\","
            "\"message\":\"Bad Request\",\"detailMsg\":null}",
        GOOD_PREFIX "null,\"extra\":1}",
    };

    (void) state;

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        error = json_parse((const u_char *) good[i], strlen(good[i]), &jb,
                           &at);
        if (error != NULL) {
            fail_msg("checker refused good #%zu: %s at %zu", i, error, at);
        }
    }

    error = json_parse((const u_char *) good[4], strlen(good[4]), &jb, &at);
    assert_null(error);
    assert_string_equal(jb.value[3],
                        "\xf0\x9f\x98\x80 \xc3\xa9 / \b\f\r");

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (json_parse((const u_char *) bad[i], strlen(bad[i]), &jb, &at)
            == NULL)
        {
            fail_msg("checker accepted bad #%zu: %s", i, bad[i]);
        }
    }

}


/* ---------------------------------------------------------------------- */
/* helpers                                                                  */


typedef struct {
    u_char   *buf;       /* exactly body_size() bytes, from malloc() */
    size_t    size;
    size_t    len;
    jbody_t   json;
} body_t;


/*
 * Builds the body for a detail in a buffer of exactly the size
 * ngx_http_ticketing_error_body_size() asks for, checks the size bound and
 * the JSON, and keeps the buffer for the test to look at.
 */
static void
build(body_t *b, unsigned status, const void *detail, size_t detail_len)
{
    const ngx_http_ticketing_error_kind_t  *kind;

    b->size = ngx_http_ticketing_error_body_size(detail ? detail_len : 0);
    b->buf = malloc(b->size);
    assert_non_null(b->buf);

    b->len = ngx_http_ticketing_error_body(b->buf, b->size, status, detail,
                                           detail_len);

    assert_true(b->len > 0);
    assert_true(b->len <= b->size);

    json_check(b->buf, b->len, &b->json);

    /* the body carries the kind of its status */
    kind = ngx_http_ticketing_error_kind(status);
    assert_string_equal(b->json.value[0], kind->code);
    assert_string_equal(b->json.value[1], kind->status);
    assert_string_equal(b->json.value[2], kind->message);
    assert_int_equal(b->json.is_null[3], detail == NULL);
}


static void
release(body_t *b)
{
    free(b->buf);
    b->buf = NULL;
}


/* the body must equal "expect" byte for byte */
static void
expect_body(const body_t *b, const char *expect, size_t expect_len)
{
    if (b->len != expect_len || memcmp(b->buf, expect, expect_len) != 0) {
        fail_msg("body\n  %.*s\nexpected\n  %.*s", (int) b->len, b->buf,
                 (int) expect_len, expect);
    }
}


#define EXPECT_BODY(b, s)  expect_body(b, s, sizeof(s) - 1)


/*
 * The detailMsg of the body built for "detail", as written (still escaped),
 * must equal "expect".
 */
static void
expect_escaped(const char *detail, size_t detail_len, const char *expect,
    size_t expect_len)
{
    char    want[8192];
    body_t  b;
    int     n;

    n = snprintf(want, sizeof(want),
                 "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                 "\"message\":\"Bad Request\",\"detailMsg\":\"");
    assert_true(n > 0 && (size_t) n + expect_len + 2 < sizeof(want));

    memcpy(want + n, expect, expect_len);
    memcpy(want + n + expect_len, "\"}", 2);

    build(&b, 400, detail, detail_len);
    expect_body(&b, want, (size_t) n + expect_len + 2);
    release(&b);
}


#define EXPECT_ESCAPED(in, out) \
    expect_escaped(in, sizeof(in) - 1, out, sizeof(out) - 1)


/* the decoded detailMsg of the body built for "detail" equals "expect" */
static void
expect_decoded(const char *detail, size_t detail_len, const char *expect,
    size_t expect_len)
{
    body_t  b;

    build(&b, 400, detail, detail_len);

    if (b.json.len[3] != expect_len
        || memcmp(b.json.value[3], expect, expect_len) != 0)
    {
        fail_msg("detailMsg decodes to \"%.*s\", expected \"%.*s\"",
                 (int) b.json.len[3], b.json.value[3], (int) expect_len,
                 expect);
    }

    release(&b);
}


#define EXPECT_DECODED(in, out) \
    expect_decoded(in, sizeof(in) - 1, out, sizeof(out) - 1)


/* ---------------------------------------------------------------------- */
/* the documented bodies                                                    */


static void
test_documented_bodies(void **state)
{
    body_t  b;

    (void) state;

    build(&b, 400, "x", 1);
    EXPECT_BODY(&b, "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                    "\"message\":\"Bad Request\",\"detailMsg\":\"x\"}");
    release(&b);

    build(&b, 400, "detail message about the error",
          sizeof("detail message about the error") - 1);
    EXPECT_BODY(&b, "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                    "\"message\":\"Bad Request\","
                    "\"detailMsg\":\"detail message about the error\"}");
    release(&b);

    build(&b, 401, NULL, 0);
    EXPECT_BODY(&b, "{\"code\":\"0003\",\"status\":\"UNAUTHORIZED\","
                    "\"message\":\"Unauthorized\",\"detailMsg\":null}");
    release(&b);

    build(&b, 401, "x", 1);
    EXPECT_BODY(&b, "{\"code\":\"0003\",\"status\":\"UNAUTHORIZED\","
                    "\"message\":\"Unauthorized\",\"detailMsg\":\"x\"}");
    release(&b);

    build(&b, 404, "Resource not found", sizeof("Resource not found") - 1);
    EXPECT_BODY(&b, "{\"code\":\"0004\",\"status\":\"NOT_FOUND\","
                    "\"message\":\"Not found\","
                    "\"detailMsg\":\"Resource not found\"}");
    release(&b);

    build(&b, 404, "x", 1);
    EXPECT_BODY(&b, "{\"code\":\"0004\",\"status\":\"NOT_FOUND\","
                    "\"message\":\"Not found\",\"detailMsg\":\"x\"}");
    release(&b);

    build(&b, 500, NULL, 0);
    EXPECT_BODY(&b, "{\"code\":\"0002\",\"status\":\"UNEXPECTED\","
                    "\"message\":\"Unexpected Error\",\"detailMsg\":null}");
    release(&b);

    build(&b, 500, "x", 1);
    EXPECT_BODY(&b, "{\"code\":\"0002\",\"status\":\"UNEXPECTED\","
                    "\"message\":\"Unexpected Error\",\"detailMsg\":\"x\"}");
    release(&b);
}


static void
test_documented_kinds(void **state)
{
    const ngx_http_ticketing_error_kind_t  *k;

    (void) state;

    k = ngx_http_ticketing_error_kind(400);
    assert_int_equal(k->http_status, 400);
    assert_string_equal(k->code, "0015");
    assert_string_equal(k->status, "BAD_REQUEST");
    assert_string_equal(k->message, "Bad Request");

    k = ngx_http_ticketing_error_kind(401);
    assert_int_equal(k->http_status, 401);
    assert_string_equal(k->code, "0003");
    assert_string_equal(k->status, "UNAUTHORIZED");
    assert_string_equal(k->message, "Unauthorized");

    k = ngx_http_ticketing_error_kind(404);
    assert_int_equal(k->http_status, 404);
    assert_string_equal(k->code, "0004");
    assert_string_equal(k->status, "NOT_FOUND");
    assert_string_equal(k->message, "Not found");

    k = ngx_http_ticketing_error_kind(500);
    assert_int_equal(k->http_status, 500);
    assert_string_equal(k->code, "0002");
    assert_string_equal(k->status, "UNEXPECTED");
    assert_string_equal(k->message, "Unexpected Error");
}


static void
test_null_and_empty_detail(void **state)
{
    body_t  b;

    (void) state;

    /* NULL detail: null, whatever the length says */
    build(&b, 400, NULL, 0);
    EXPECT_BODY(&b, "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                    "\"message\":\"Bad Request\",\"detailMsg\":null}");
    release(&b);

    build(&b, 404, NULL, 100);
    EXPECT_BODY(&b, "{\"code\":\"0004\",\"status\":\"NOT_FOUND\","
                    "\"message\":\"Not found\",\"detailMsg\":null}");
    release(&b);

    /* empty detail: an empty string, not null */
    build(&b, 400, "", 0);
    EXPECT_BODY(&b, "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                    "\"message\":\"Bad Request\",\"detailMsg\":\"\"}");
    release(&b);

    /* the length counts, not a NUL */
    build(&b, 400, "abcdef", 3);
    EXPECT_BODY(&b, "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                    "\"message\":\"Bad Request\",\"detailMsg\":\"abc\"}");
    release(&b);

    build(&b, 400, "a\0b", 3);
    EXPECT_BODY(&b, "{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                    "\"message\":\"Bad Request\","
                    "\"detailMsg\":\"a\\u0000b\"}");
    release(&b);
}


/* ---------------------------------------------------------------------- */
/* our own codes                                                            */


static int
is_code(const char *code)
{
    return strlen(code) == 4 && strspn(code, "0123456789") == 4;
}


static int
is_status_name(const char *s)
{
    return s[0] != '\0'
           && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(s);
}


static void
test_our_codes(void **state)
{
    size_t                                  i, j;
    const ngx_http_ticketing_error_kind_t  *k, *kinds[32];

    /* the statuses the gateway answers with itself */
    static const unsigned  ours[] = { 403, 405, 413, 415, 429, 502, 503, 504 };

    /* every status with a kind of its own in the table */
    static const unsigned  all[] = {
        400, 401, 403, 404, 405, 406, 408, 409, 411, 413, 414, 415, 422, 429,
        431, 500, 501, 502, 503, 504,
    };

    static const char  *documented[] = { "0015", "0003", "0004", "0002" };

    static const struct {
        unsigned     status;
        const char  *name;
    } names[] = {
        { 403, "FORBIDDEN" },
        { 405, "METHOD_NOT_ALLOWED" },
        { 413, "PAYLOAD_TOO_LARGE" },
        { 415, "UNSUPPORTED_MEDIA_TYPE" },
        { 429, "TOO_MANY_REQUESTS" },
        { 502, "BAD_GATEWAY" },
        { 503, "SERVICE_UNAVAILABLE" },
        { 504, "GATEWAY_TIMEOUT" },
    };

    (void) state;

    for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
        k = ngx_http_ticketing_error_kind(ours[i]);

        assert_int_equal(k->http_status, ours[i]);
        assert_true(is_code(k->code));

        for (j = 0; j < sizeof(documented) / sizeof(documented[0]); j++) {
            assert_string_not_equal(k->code, documented[j]);
        }

        for (j = 0; j < i; j++) {
            assert_string_not_equal(k->code,
                                    ngx_http_ticketing_error_kind(ours[j])
                                    ->code);
            assert_string_not_equal(k->status,
                                    ngx_http_ticketing_error_kind(ours[j])
                                    ->status);
        }

        assert_string_equal(k->status, names[i].name);
        assert_int_equal(names[i].status, ours[i]);
    }

    /* all table entries: own status, distinct code and name */
    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        k = ngx_http_ticketing_error_kind(all[i]);
        kinds[i] = k;

        assert_int_equal(k->http_status, all[i]);
        assert_true(is_code(k->code));
        assert_true(is_status_name(k->status));
        assert_true(k->message[0] != '\0');

        for (j = 0; j < i; j++) {
            if (strcmp(k->code, kinds[j]->code) == 0
                || strcmp(k->status, kinds[j]->status) == 0)
            {
                fail_msg("%u and %u share a code or status", all[i], all[j]);
            }
        }
    }

    /* 494 (nginx's "request header too large") is 431 */
    k = ngx_http_ticketing_error_kind(494);
    assert_string_equal(k->code, ngx_http_ticketing_error_kind(431)->code);
    assert_string_equal(k->status, ngx_http_ticketing_error_kind(431)->status);
}


static void
test_fallback_kinds(void **state)
{
    size_t                                  i, j;
    body_t                                  b;
    const ngx_http_ticketing_error_kind_t  *k, *client;

    static const unsigned  unknown4xx[] = { 402, 407, 410, 412, 416, 417,
                                            418, 421, 423, 425, 426, 428,
                                            451, 499 };
    static const unsigned  unknown5xx[] = { 505, 506, 507, 508, 510, 511,
                                            599 };
    static const unsigned  known[] = { 400, 401, 403, 404, 405, 406, 408,
                                       409, 411, 413, 414, 415, 422, 429,
                                       431, 500, 501, 502, 503, 504 };

    (void) state;

    /* unknown 4xx: one client-error kind of its own */
    client = ngx_http_ticketing_error_kind(418);
    assert_int_equal(client->http_status, 400);
    assert_true(is_code(client->code));
    assert_string_equal(client->status, "CLIENT_ERROR");

    for (j = 0; j < sizeof(known) / sizeof(known[0]); j++) {
        assert_string_not_equal(client->code,
                                ngx_http_ticketing_error_kind(known[j])
                                ->code);
    }

    for (i = 0; i < sizeof(unknown4xx) / sizeof(unknown4xx[0]); i++) {
        k = ngx_http_ticketing_error_kind(unknown4xx[i]);
        assert_ptr_equal(k, client);

        build(&b, unknown4xx[i], "d", 1);
        EXPECT_BODY(&b, "{\"code\":\"0032\",\"status\":\"CLIENT_ERROR\","
                        "\"message\":\"Client Error\",\"detailMsg\":\"d\"}");
        release(&b);
    }

    /* unknown 5xx: the documented UNEXPECTED kind */
    for (i = 0; i < sizeof(unknown5xx) / sizeof(unknown5xx[0]); i++) {
        k = ngx_http_ticketing_error_kind(unknown5xx[i]);
        assert_string_equal(k->code, "0002");
        assert_string_equal(k->status, "UNEXPECTED");
        assert_string_equal(k->message, "Unexpected Error");
        assert_int_equal(k->http_status, 500);

        build(&b, unknown5xx[i], NULL, 0);
        EXPECT_BODY(&b, "{\"code\":\"0002\",\"status\":\"UNEXPECTED\","
                        "\"message\":\"Unexpected Error\","
                        "\"detailMsg\":null}");
        release(&b);
    }

    /* not an error status at all: still a well-formed body, UNEXPECTED */
    k = ngx_http_ticketing_error_kind(0);
    assert_string_equal(k->status, "UNEXPECTED");
    k = ngx_http_ticketing_error_kind(200);
    assert_string_equal(k->status, "UNEXPECTED");
    k = ngx_http_ticketing_error_kind(302);
    assert_string_equal(k->status, "UNEXPECTED");
    k = ngx_http_ticketing_error_kind(600);
    assert_string_equal(k->status, "UNEXPECTED");
    k = ngx_http_ticketing_error_kind(999);
    assert_string_equal(k->status, "UNEXPECTED");
    k = ngx_http_ticketing_error_kind(0xffffffffu);
    assert_string_equal(k->status, "UNEXPECTED");
}


/* every status 0..999: a body that parses, within its size */
static void
test_every_status(void **state)
{
    unsigned  s;
    body_t    b;

    (void) state;

    for (s = 0; s < 1000; s++) {
        build(&b, s, "why", 3);
        assert_string_equal(b.json.value[3], "why");
        release(&b);

        build(&b, s, NULL, 0);
        release(&b);
    }
}


/* ---------------------------------------------------------------------- */
/* escaping                                                                 */


static void
test_escaping(void **state)
{
    (void) state;

    EXPECT_ESCAPED("plain text 123", "plain text 123");
    EXPECT_ESCAPED("say \"hi\"", "say \\\"hi\\\"");
    EXPECT_ESCAPED("a\\b", "a\\\\b");
    EXPECT_ESCAPED("line1\nline2", "line1\\nline2");
    EXPECT_ESCAPED("a\tb", "a\\tb");
    EXPECT_ESCAPED("a\rb", "a\\u000db");
    EXPECT_ESCAPED("\x01", "\\u0001");
    EXPECT_ESCAPED("\x08\x0c", "\\u0008\\u000c");
    EXPECT_ESCAPED("\x1f", "\\u001f");
    EXPECT_ESCAPED("\x1b[31m", "\\u001b[31m");
    EXPECT_ESCAPED("\x7f", "\\u007f");
    EXPECT_ESCAPED("<", "\\u003c");
    EXPECT_ESCAPED(">", "\\u003e");
    EXPECT_ESCAPED("&", "\\u0026");
    EXPECT_ESCAPED("</script><script>alert(1)&x",
                   "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"
                   "\\u0026x");
    EXPECT_ESCAPED("\"}, \"evil\": 1, {\"", "\\\"}, \\\"evil\\\": 1, {\\\"");

    /* printable ASCII other than those is kept as is, '/' and ' included */
    EXPECT_ESCAPED(" !#$%'()*+,-./:;=?@[]^_`{|}~",
                   " !#$%'()*+,-./:;=?@[]^_`{|}~");

    /* a NUL inside the detail */
    EXPECT_ESCAPED("a\0b", "a\\u0000b");
}


/* every byte value alone: the body parses and decodes to what it should */
static void
test_every_byte(void **state)
{
    unsigned  c;
    u_char    in[1];
    body_t    b;

    (void) state;

    for (c = 0; c < 256; c++) {
        in[0] = (u_char) c;
        build(&b, 400, in, 1);

        if (c < 0x80) {
            /* decodes back to the byte */
            assert_int_equal(b.json.len[3], 1);
            assert_int_equal((u_char) b.json.value[3][0], c);

        } else {
            /* a lone byte >= 0x80 is never valid UTF-8 */
            assert_int_equal(b.json.len[3], 3);
            assert_memory_equal(b.json.value[3], FFFD, 3);
        }

        /* the escaped forms */
        if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
            if (c != '\n' && c != '\t') {
                char  want[7];

                snprintf(want, sizeof(want), "\\u%04x", c);
                assert_non_null(memmem(b.buf, b.len, want, 6));
            }
        }

        release(&b);
    }
}


/* ---------------------------------------------------------------------- */
/* UTF-8                                                                    */


static void
test_utf8_valid_kept(void **state)
{
    (void) state;

    /* kept raw, not \u-escaped */
    EXPECT_ESCAPED("caf\xc3\xa9", "caf\xc3\xa9");                /* é */
    EXPECT_ESCAPED("10 \xe2\x82\xac", "10 \xe2\x82\xac");        /* € */
    EXPECT_ESCAPED("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");      /* 😀 */

    /* the edges of each length */
    EXPECT_ESCAPED("\xc2\x80", "\xc2\x80");                      /* U+0080 */
    EXPECT_ESCAPED("\xdf\xbf", "\xdf\xbf");                      /* U+07FF */
    EXPECT_ESCAPED("\xe0\xa0\x80", "\xe0\xa0\x80");              /* U+0800 */
    EXPECT_ESCAPED("\xed\x9f\xbf", "\xed\x9f\xbf");              /* U+D7FF */
    EXPECT_ESCAPED("\xee\x80\x80", "\xee\x80\x80");              /* U+E000 */
    EXPECT_ESCAPED("\xef\xbf\xbd", "\xef\xbf\xbd");              /* U+FFFD */
    EXPECT_ESCAPED("\xef\xbf\xbf", "\xef\xbf\xbf");              /* U+FFFF */
    EXPECT_ESCAPED("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");      /* U+10000 */
    EXPECT_ESCAPED("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");      /* U+10FFFF */

    /* mixed with escapes */
    EXPECT_ESCAPED("\xc3\xa9\"<\xe2\x82\xac>\n",
                   "\xc3\xa9\\\"\\u003c\xe2\x82\xac\\u003e\\n");

    EXPECT_DECODED("Ticket INST-7902 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
                   "Ticket INST-7902 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}


/*
 * Invalid UTF-8: each byte that does not start a valid sequence becomes
 * one U+FFFD (EF BF BD), and decoding resumes at the next byte.
 */
static void
test_utf8_invalid_replaced(void **state)
{
    (void) state;

    /* lone continuation byte */
    EXPECT_ESCAPED("\x80", FFFD);
    EXPECT_ESCAPED("a\x80z", "a" FFFD "z");
    EXPECT_ESCAPED("\xbf\xbf", FFFD FFFD);

    /* truncated sequences */
    EXPECT_ESCAPED("\xc3", FFFD);
    EXPECT_ESCAPED("caf\xc3", "caf" FFFD);
    EXPECT_ESCAPED("\xc3" "A", FFFD "A");
    EXPECT_ESCAPED("\xe2\x82", FFFD FFFD);
    EXPECT_ESCAPED("\xf0\x9f\x98", FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xc3\"", FFFD "\\\"");
    EXPECT_ESCAPED("\xe2\x82<", FFFD FFFD "\\u003c");

    /* overlong forms */
    EXPECT_ESCAPED("\xc0\xaf", FFFD FFFD);
    EXPECT_ESCAPED("\xc1\xbf", FFFD FFFD);
    EXPECT_ESCAPED("\xc0\x80", FFFD FFFD);
    EXPECT_ESCAPED("\xe0\x80\xaf", FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xe0\x9f\xbf", FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD);

    /* UTF-16 surrogates */
    EXPECT_ESCAPED("\xed\xa0\x80", FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xed\xbf\xbf", FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xed\xa0\xbd\xed\xb8\x80",
                   FFFD FFFD FFFD FFFD FFFD FFFD);

    /* beyond U+10FFFF and bytes that never occur */
    EXPECT_ESCAPED("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xf7\xbf\xbf\xbf", FFFD FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xf8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD);
    EXPECT_ESCAPED("\xfe", FFFD);
    EXPECT_ESCAPED("\xff", FFFD);

    /* a valid character right after an invalid byte is kept */
    EXPECT_ESCAPED("\xc3\xc3\xa9", FFFD "\xc3\xa9");
    EXPECT_ESCAPED("\xe2\xe2\x82\xac", FFFD "\xe2\x82\xac");
    EXPECT_ESCAPED("\xf0\xf0\x9f\x98\x80", FFFD "\xf0\x9f\x98\x80");

    /* Latin-1 text */
    EXPECT_ESCAPED("caf\xe9", "caf" FFFD);
}


/*
 * Against an independent model (the checker's strict validator, Unicode
 * table 3-7; one U+FFFD per byte that starts no valid sequence): every
 * input of a lead byte 80..FF, any second byte and a choice of third and
 * fourth bytes.
 */
static void
expect_model(const u_char *in, size_t len)
{
    char          want[64];
    size_t        n, wlen;
    body_t        b;
    const u_char  *p, *end;

    wlen = 0;
    end = in + len;

    for (p = in; p < end; ) {
        n = utf8_valid_len(p, end);

        if (n == 0) {
            memcpy(want + wlen, FFFD, 3);
            wlen += 3;
            p++;
            continue;
        }

        memcpy(want + wlen, p, n);
        wlen += n;
        p += n;
    }

    build(&b, 400, in, len);

    if (b.json.len[3] != wlen || memcmp(b.json.value[3], want, wlen) != 0) {
        fail_msg("%02x %02x %02x %02x (len %zu): detailMsg differs from the"
                 " model", in[0], len > 1 ? in[1] : 0, len > 2 ? in[2] : 0,
                 len > 3 ? in[3] : 0, len);
    }

    release(&b);
}


static void
test_utf8_model(void **state)
{
    size_t    x, y;
    unsigned  a, c;
    u_char    in[4];

    static const u_char  tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
                                     0x9f, 0xa0, 0xbf, 0xc0, 0xc3, 0xff };

    (void) state;

    for (a = 0x80; a < 0x100; a++) {
        in[0] = (u_char) a;

        /* the lead byte alone */
        expect_model(in, 1);

        for (c = 0; c < 0x100; c++) {
            in[1] = (u_char) c;
            expect_model(in, 2);

            if (a < 0xe0 || (c & 0xc0) != 0x80) {
                continue;
            }

            /* 3 and 4 bytes, only where the second byte continues */
            for (x = 0; x < sizeof(tails); x++) {
                in[2] = tails[x];
                expect_model(in, 3);

                if (a < 0xf0) {
                    continue;
                }

                for (y = 0; y < sizeof(tails); y++) {
                    in[3] = tails[y];
                    expect_model(in, 4);
                }
            }
        }
    }
}


/* ---------------------------------------------------------------------- */
/* the 512-byte cap and the size bound                                      */


static void
test_detail_cap(void **state)
{
    char    *in, *want;
    body_t   b;

    (void) state;

    in = malloc(4096);
    want = malloc(4096);
    assert_non_null(in);
    assert_non_null(want);

    /* exactly 512: all of it */
    memset(in, 'a', DETAIL_MAX);
    build(&b, 400, in, DETAIL_MAX);
    assert_int_equal(b.json.len[3], DETAIL_MAX);
    assert_memory_equal(b.json.value[3], in, DETAIL_MAX);
    release(&b);

    /* 513 and far more: the first 512 bytes */
    memset(in, 'a', 4096);
    in[DETAIL_MAX] = 'X';

    build(&b, 400, in, DETAIL_MAX + 1);
    assert_int_equal(b.json.len[3], DETAIL_MAX);
    assert_null(memchr(b.buf, 'X', b.len));
    release(&b);

    build(&b, 400, in, 4096);
    assert_int_equal(b.json.len[3], DETAIL_MAX);
    assert_null(memchr(b.buf, 'X', b.len));
    release(&b);

    /* the bound of a longer detail is the bound of 512 bytes */
    assert_int_equal(ngx_http_ticketing_error_body_size(4096),
                     ngx_http_ticketing_error_body_size(DETAIL_MAX));
    assert_int_equal(ngx_http_ticketing_error_body_size((size_t) -1),
                     ngx_http_ticketing_error_body_size(DETAIL_MAX));

    /* the cap counts input bytes: 512 quotes are 1024 output bytes */
    memset(in, '"', 600);
    memset(want, 0, 4096);
    build(&b, 400, in, 600);
    assert_int_equal(b.json.len[3], DETAIL_MAX);
    memset(want, '"', DETAIL_MAX);
    assert_memory_equal(b.json.value[3], want, DETAIL_MAX);
    release(&b);

    /*
     * A character cut by the cap: the cap is in bytes, so the bytes of the
     * character before the cap are an incomplete sequence and become
     * U+FFFD each (never a raw broken sequence).
     */
    memset(in, 'a', DETAIL_MAX - 1);
    memcpy(in + DETAIL_MAX - 1, "\xc3\xa9", 2);     /* é across the cap */
    build(&b, 400, in, DETAIL_MAX + 1);
    assert_int_equal(b.json.len[3], DETAIL_MAX - 1 + 3);
    assert_memory_equal(b.json.value[3] + DETAIL_MAX - 1, FFFD, 3);
    release(&b);

    memset(in, 'a', DETAIL_MAX - 2);
    memcpy(in + DETAIL_MAX - 2, "\xf0\x9f\x98\x80", 4);  /* 😀 across it */
    build(&b, 400, in, DETAIL_MAX + 2);
    assert_int_equal(b.json.len[3], DETAIL_MAX - 2 + 6);
    assert_memory_equal(b.json.value[3] + DETAIL_MAX - 2, FFFD FFFD, 6);
    release(&b);

    /* a character ending exactly at the cap is kept */
    memset(in, 'a', DETAIL_MAX - 2);
    memcpy(in + DETAIL_MAX - 2, "\xc3\xa9zzz", 5);
    build(&b, 400, in, DETAIL_MAX + 3);
    assert_int_equal(b.json.len[3], DETAIL_MAX);
    assert_memory_equal(b.json.value[3] + DETAIL_MAX - 2, "\xc3\xa9", 2);
    release(&b);

    free(in);
    free(want);
}


/*
 * The worst case for every status: 512 bytes that each expand the most, in
 * a buffer of exactly body_size() bytes.
 */
static void
test_size_bound_worst_case(void **state)
{
    size_t    i, s, n, len;
    u_char    in[DETAIL_MAX + 64];
    body_t    b;

    static const unsigned  statuses[] = {
        400, 401, 403, 404, 405, 406, 408, 409, 411, 413, 414, 415, 418, 422,
        429, 431, 494, 500, 501, 502, 503, 504, 599, 0,
    };

    /* fillers: each byte of them expands to 6 (controls) or 3 (invalid) */
    static const u_char  fill[] = {
        0x00, 0x01, 0x1f, 0x7f, '<', '>', '&', 0x80, 0xff, '"', '\\', '\n',
    };

    (void) state;

    for (s = 0; s < sizeof(statuses) / sizeof(statuses[0]); s++) {

        /* all one byte value */
        for (i = 0; i < sizeof(fill); i++) {
            memset(in, fill[i], sizeof(in));

            for (len = DETAIL_MAX - 1; len <= DETAIL_MAX + 1; len++) {
                build(&b, statuses[s], in, len);

                n = (len > DETAIL_MAX) ? DETAIL_MAX : len;
                if (fill[i] < 0x20 && fill[i] != '\n') {
                    assert_int_equal(b.json.len[3], n);
                }

                release(&b);
            }
        }

        /* all control characters in turn, 512 of them */
        for (i = 0; i < DETAIL_MAX; i++) {
            in[i] = (u_char) (i % 0x20);
            if (in[i] == '\n' || in[i] == '\t') {
                in[i] = 0x01;
            }
        }

        build(&b, statuses[s], in, DETAIL_MAX);

        /* each of the 512 bytes took exactly 6 */
        assert_int_equal(b.len,
                         ngx_http_ticketing_error_body(b.buf, b.size,
                                                       statuses[s], NULL, 0)
                         - 4 + 2 + 6 * DETAIL_MAX);
        release(&b);
    }
}


/* random details: always a body that parses, within the bound */
static void
test_random_details(void **state)
{
    size_t    i, k, len;
    u_char    in[700];
    uint32_t  seed;
    body_t    b;

    (void) state;

    seed = 4242;

    for (i = 0; i < 20000; i++) {
        seed = seed * 1103515245 + 12345;
        len = (seed >> 8) % sizeof(in);

        for (k = 0; k < len; k++) {
            seed = seed * 1103515245 + 12345;

            /* bias toward the bytes that matter */
            switch ((seed >> 28) & 3) {
            case 0:  in[k] = (u_char) (seed >> 16); break;
            case 1:  in[k] = (u_char) (0x80 | ((seed >> 16) & 0x7f)); break;
            case 2:  in[k] = (u_char) ((seed >> 16) & 0x1f); break;
            default: in[k] = (u_char) ('a' + ((seed >> 16) % 26)); break;
            }
        }

        seed = seed * 1103515245 + 12345;
        build(&b, 400 + (seed >> 16) % 200, in, len);

        /* valid input is kept as it is (the checker decoded it) */
        release(&b);
    }
}


/* valid UTF-8 without characters to escape round-trips exactly */
static void
test_roundtrip(void **state)
{
    char      in[DETAIL_MAX];
    size_t    len, n;
    uint32_t  seed;
    int       i;
    body_t    b;

    static const char  *chars[] = {
        "a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\r", "<", ">", "&", "/",
        "\x01", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80",
    };

    (void) state;

    seed = 7;

    for (i = 0; i < 5000; i++) {
        len = 0;

        for ( ;; ) {
            seed = seed * 1103515245 + 12345;
            n = (seed >> 16) % (sizeof(chars) / sizeof(chars[0]));

            if (len + strlen(chars[n]) > sizeof(in) || (seed >> 8) % 64 == 0)
            {
                break;
            }

            memcpy(in + len, chars[n], strlen(chars[n]));
            len += strlen(chars[n]);
        }

        build(&b, 404, in, len);
        assert_int_equal(b.json.len[3], len);
        assert_memory_equal(b.json.value[3], in, len);
        release(&b);
    }
}


/* ---------------------------------------------------------------------- */
/* buffer too small                                                         */


static void
test_buffer_too_small(void **state)
{
    u_char   *buf;
    size_t    size, len, need;
    char      detail[DETAIL_MAX];

    (void) state;

    memset(detail, 'q', sizeof(detail));

    /* one byte short of body_size(): 0, and nothing written past size */
    for (len = 0; len <= DETAIL_MAX; len += 64) {
        need = ngx_http_ticketing_error_body_size(len);
        buf = malloc(need - 1);
        assert_non_null(buf);
        memset(buf, 'U', need - 1);

        assert_int_equal(ngx_http_ticketing_error_body(buf, need - 1, 400,
                                                       (u_char *) detail,
                                                       len),
                         0);
        free(buf);

        /* exactly body_size(): fits */
        buf = malloc(need);
        assert_non_null(buf);
        assert_true(ngx_http_ticketing_error_body(buf, need, 400,
                                                  (u_char *) detail, len)
                    > 0);
        free(buf);
    }

    /* NULL detail: body_size(0) */
    need = ngx_http_ticketing_error_body_size(0);
    buf = malloc(need - 1);
    assert_non_null(buf);
    assert_int_equal(ngx_http_ticketing_error_body(buf, need - 1, 401, NULL,
                                                   0),
                     0);
    free(buf);

    /* small sizes, down to 0 */
    for (size = 0; size < 64; size++) {
        buf = malloc(size ? size : 1);
        assert_non_null(buf);
        assert_int_equal(ngx_http_ticketing_error_body(buf, size, 500, NULL,
                                                       0),
                         0);
        assert_int_equal(ngx_http_ticketing_error_body(buf, size, 400,
                                                       (u_char *) "x", 1),
                         0);
        free(buf);
    }

    /* a detail over the cap needs only the capped size */
    need = ngx_http_ticketing_error_body_size(DETAIL_MAX);
    buf = malloc(need);
    assert_non_null(buf);
    {
        u_char  *big = malloc(100000);
        assert_non_null(big);
        memset(big, 0x01, 100000);
        assert_true(ngx_http_ticketing_error_body(buf, need, 400, big, 100000)
                    > 0);
        free(big);
    }
    free(buf);
}


/* the bound is monotonic and covers the fixed part of the longest kind */
static void
test_body_size(void **state)
{
    size_t  n;

    (void) state;

    for (n = 0; n < 2 * DETAIL_MAX; n++) {
        assert_true(ngx_http_ticketing_error_body_size(n)
                    <= ngx_http_ticketing_error_body_size(n + 1));
        assert_true(ngx_http_ticketing_error_body_size(n)
                    >= 6 * (n > DETAIL_MAX ? DETAIL_MAX : n));
    }

    /* the longest fixed part (431) with a NULL and an empty detail */
    assert_true(sizeof("{\"code\":\"0027\",\"status\":\"HEADERS_TOO_LARGE\","
                       "\"message\":\"Request Header Fields Too Large\","
                       "\"detailMsg\":\"\"}")
                <= ngx_http_ticketing_error_body_size(0));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_json_checker),
        cmocka_unit_test(test_documented_bodies),
        cmocka_unit_test(test_documented_kinds),
        cmocka_unit_test(test_null_and_empty_detail),
        cmocka_unit_test(test_our_codes),
        cmocka_unit_test(test_fallback_kinds),
        cmocka_unit_test(test_every_status),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_utf8_valid_kept),
        cmocka_unit_test(test_utf8_invalid_replaced),
        cmocka_unit_test(test_utf8_model),
        cmocka_unit_test(test_detail_cap),
        cmocka_unit_test(test_size_bound_worst_case),
        cmocka_unit_test(test_random_details),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_body_size),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
