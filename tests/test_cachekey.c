
/*
 * Unit tests of the cache key encoding (ngx_http_ticketing_cachekey.c).
 *
 * Buffers come from malloc() with exactly the size the API asks for, so
 * that AddressSanitizer reports any write past them.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ngx_http_ticketing_cachekey.h"


#define S(str)  { (const u_char *) (str), sizeof(str) - 1 }

#define OK      NGX_HTTP_TICKETING_CACHEKEY_OK
#define BAD     NGX_HTTP_TICKETING_CACHEKEY_BAD_QUERY


/* the key of a request, as a malloc'd NUL-terminated string (or NULL) */
static char *
key_of(const char *provider, const char *org, const char *op,
    const char *ticket, const char *query, int *rc)
{
    char                              *out;
    size_t                             size, len;
    u_char                            *buf, *scratch;
    ngx_http_ticketing_cachekey_in_t   in;

    memset(&in, 0, sizeof(in));

    in.prefix.data = (const u_char *) "tkt";
    in.prefix.len = 3;
    in.provider.data = (const u_char *) provider;
    in.provider.len = strlen(provider);
    in.org.data = (const u_char *) org;
    in.org.len = strlen(org);
    in.operation.data = (const u_char *) op;
    in.operation.len = strlen(op);
    in.params[NGX_HTTP_TICKETING_PARAM_TICKET_ID].data =
        (const u_char *) ticket;
    in.params[NGX_HTTP_TICKETING_PARAM_TICKET_ID].len = strlen(ticket);
    in.query.data = (const u_char *) query;
    in.query.len = strlen(query);

    size = ngx_http_ticketing_cachekey_size(&in);
    buf = malloc(size);
    scratch = malloc(in.query.len ? in.query.len : 1);
    assert_non_null(buf);
    assert_non_null(scratch);

    *rc = ngx_http_ticketing_cachekey_build(&in, scratch, buf, size, &len);

    out = NULL;

    if (*rc == OK) {
        assert_true(len <= size);
        out = malloc(len + 1);
        assert_non_null(out);
        memcpy(out, buf, len);
        out[len] = '\0';
    }

    free(buf);
    free(scratch);

    return out;
}


static char *
key(const char *provider, const char *org, const char *op,
    const char *ticket, const char *query)
{
    int    rc;
    char  *k;

    k = key_of(provider, org, op, ticket, query, &rc);
    assert_int_equal(rc, OK);

    return k;
}


static void
assert_same(const char *q1, const char *q2)
{
    char  *a, *b;

    a = key("JAM", "", "metadata.fieldInfo", "", q1);
    b = key("JAM", "", "metadata.fieldInfo", "", q2);
    assert_string_equal(a, b);
    free(a);
    free(b);
}


static void
assert_differ5(const char *p1, const char *o1, const char *t1,
    const char *q1, const char *p2, const char *o2, const char *t2,
    const char *q2)
{
    char  *a, *b;

    a = key(p1, o1, "metadata.types", t1, q1);
    b = key(p2, o2, "metadata.types", t2, q2);

    if (strcmp(a, b) == 0) {
        fail_msg("same key \"%s\"", a);
    }

    free(a);
    free(b);
}


/* FNV-1a, 32 bits, written here from its definition */
static uint32_t
fnv1a(const char *s, size_t len)
{
    size_t    i;
    uint32_t  h = 0x811c9dc5;

    for (i = 0; i < len; i++) {
        h = (h ^ (unsigned char) s[i]) * 0x01000193;
    }

    return h;
}


/* "tkt|v4|{xxxxxxxx}REST": checks the tag, returns REST */
static const char *
untagged(const char *k)
{
    char        tag[9];
    const char *rest;

    assert_int_equal(strncmp(k, "tkt|v4|{", 8), 0);
    assert_true(strlen(k) >= 17);
    assert_int_equal(k[16], '}');

    rest = k + 17;
    snprintf(tag, sizeof(tag), "%08x", (unsigned) fnv1a(rest, strlen(rest)));
    assert_memory_equal(k + 8, tag, 8);

    return rest;
}


static void
test_fnv1a_vectors(void **state)
{
    (void) state;

    /* the published FNV-1a 32-bit test vectors */
    assert_int_equal(fnv1a("", 0), 0x811c9dc5);
    assert_int_equal(fnv1a("a", 1), 0xe40c292c);
    assert_int_equal(fnv1a("foobar", 6), 0xbf9cf968);
}


static void
test_layout(void **state)
{
    char  *k;

    (void) state;

    k = key("JAM", "yoigo", "metadata.types", "", "");
    assert_string_equal(untagged(k), "|3:JAM|5:yoigo|14:metadata.types"
                                     "|0:|0:|0:|0:|q0|h|0:|0:|s|0:");
    free(k);

    k = key("JCC", "", "metadata.updateProperties", "INST-7902",
            "b=2&a=x%20y&c");
    assert_string_equal(untagged(k), "|3:JCC|0:|25:metadata.updateProperties"
                                     "|0:|9:INST-7902|0:|0:|q3|1:a=3:x y"
                                     "|1:b=1:2|1:c!|h|0:|0:|s|0:");
    free(k);
}


static unsigned
slot(const char *key)
{
    return ngx_http_ticketing_cachekey_slot((const u_char *) key,
                                            strlen(key));
}


static void
test_cluster_slot(void **state)
{
    char  *k, *lock;

    (void) state;

    /* CRC16("123456789") = 0x31c3, the check value of CRC-16/XMODEM */
    assert_int_equal(slot("123456789"), 0x31c3 & 16383);

    /* what "CLUSTER KEYSLOT" answers (redis-server 7.0.15) */
    assert_int_equal(slot("foo"), 12182);
    assert_int_equal(slot("bar"), 5061);
    assert_int_equal(slot("hello"), 866);

    /* hash tags: from the first "{" to the next "}", if not empty */
    assert_int_equal(slot("{user1000}.following"), 3443);
    assert_int_equal(slot("user1000"), 3443);
    assert_int_equal(slot("foo{}{bar}"), 8363);
    assert_int_equal(slot("foo{{bar}}zap"), 4015);
    assert_int_equal(slot("{bar"), 4015);
    assert_int_equal(slot("foo{bar}{zap}"), 5061);
    assert_int_equal(slot("foo{bar"), 15278);

    /* an entry and its fill lock share the slot of the entry's tag */
    k = key("JAM", "yoigo", "metadata.types", "", "");
    lock = malloc(strlen(k) + sizeof("|lock"));
    assert_non_null(lock);
    strcpy(lock, k);
    strcat(lock, "|lock");
    assert_int_equal(slot(lock), slot(k));
    assert_int_equal(slot(k),
                     ngx_http_ticketing_cachekey_slot((u_char *) k + 8, 8));
    free(lock);
    free(k);
}


static void
test_query_order_does_not_matter(void **state)
{
    (void) state;

    assert_same("projectKey=INST&ticketType=Incidencia",
                "ticketType=Incidencia&projectKey=INST");
    assert_same("a=1&b=2&c=3", "c=3&a=1&b=2");
    /* encoding variants of the same value */
    assert_same("api_name=work%5Forder", "api_name=work_order");
    assert_same("x=a+b", "x=a%20b");
    assert_same("x=%4a", "x=%4A");
    /* empty arguments are nothing */
    assert_same("a=1&&b=2&", "b=2&a=1");
    assert_same("", "&&");
}


static void
test_values_matter(void **state)
{
    (void) state;

    assert_differ5("JAM", "", "", "a=1", "JAM", "", "", "a=2");
    assert_differ5("JAM", "", "", "a=1", "JAM", "", "", "");
    assert_differ5("JAM", "", "", "a", "JAM", "", "", "a=");
    assert_differ5("JAM", "", "", "a=1&a=2", "JAM", "", "", "a=2&a=1");
    assert_differ5("JAM", "", "", "a=1&a=1", "JAM", "", "", "a=1");
    assert_differ5("JAM", "", "", "ab=1", "JAM", "", "", "a=b1");
    assert_differ5("JAM", "", "", "a=1&b=2", "JAM", "", "", "a=1%26b%3D2");
    assert_differ5("JAM", "", "", "a=1", "JAM", "", "", "A=1");
    assert_differ5("JAM", "", "", "", "JCC", "", "", "");
    assert_differ5("JAM", "yoigo", "", "", "JAM", "other", "", "");
    assert_differ5("JAM", "", "1", "", "JAM", "", "2", "");
}


/* values crafted to look like field separators never collide */
static void
test_injective_against_crafted_values(void **state)
{
    (void) state;

    assert_differ5("JAM|5:yoigo", "", "", "", "JAM", "yoigo", "", "");
    assert_differ5("JAM", "a|0:", "", "", "JAM", "a", "", "");
    assert_differ5("JAM", "", "", "a=1|1:b=1:2", "JAM", "", "", "a=1&b=2");
    assert_differ5("JAM", "", "", "a=x%7C1:b=1:y",
                   "JAM", "", "", "a=x&b=y");
    assert_differ5("J", "AM", "", "", "JA", "M", "", "");
    assert_differ5("", "", "x", "", "", "", "", "x");
    assert_differ5("JAM", "", "", "a!=1", "JAM", "", "", "a!&=1");
}


static void
test_bad_queries(void **state)
{
    int     rc, i;
    char   *k, q[NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS * 4 + 8];
    size_t  n;

    (void) state;

    k = key_of("JAM", "", "op", "", "a=%", &rc);
    assert_null(k);
    assert_int_equal(rc, BAD);

    k = key_of("JAM", "", "op", "", "a=%4", &rc);
    assert_null(k);
    assert_int_equal(rc, BAD);

    k = key_of("JAM", "", "op", "", "a=%zz", &rc);
    assert_null(k);
    assert_int_equal(rc, BAD);

    k = key_of("JAM", "", "op", "", "%g1=1", &rc);
    assert_null(k);
    assert_int_equal(rc, BAD);

    /* %00 decodes to a NUL byte: allowed, length-prefixed */
    k = key_of("JAM", "", "op", "", "a=%00", &rc);
    assert_int_equal(rc, OK);
    free(k);

    /* exactly the maximum number of arguments, then one more */
    n = 0;
    for (i = 0; i < NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS; i++) {
        n += snprintf(q + n, sizeof(q) - n, "%s%c", i ? "&" : "",
                      'a' + i % 26);
    }

    k = key_of("JAM", "", "op", "", q, &rc);
    assert_int_equal(rc, OK);
    free(k);

    snprintf(q + n, sizeof(q) - n, "&z");
    k = key_of("JAM", "", "op", "", q, &rc);
    assert_null(k);
    assert_int_equal(rc, BAD);
}


static void
test_no_room(void **state)
{
    size_t                             len;
    u_char                             buf[16], scratch[8];
    ngx_http_ticketing_cachekey_in_t   in;

    (void) state;

    memset(&in, 0, sizeof(in));
    in.prefix.data = (const u_char *) "a-rather-long-prefix";
    in.prefix.len = 20;

    assert_int_equal(ngx_http_ticketing_cachekey_build(&in, scratch, buf,
                                                       sizeof(buf), &len),
                     NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM);

    in.prefix.len = 2;
    in.provider.data = (const u_char *) "JAMJAMJAMJAM";
    in.provider.len = 12;

    assert_int_equal(ngx_http_ticketing_cachekey_build(&in, scratch, buf,
                                                       sizeof(buf), &len),
                     NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM);
}


/* the key with request headers, a scope and the operation's parameters */
static char *
key_full(const char *query, const char *const *args, const char *accept,
    const char *language, const char *scope, int *rc)
{
    char                              *out;
    size_t                             size, len;
    u_char                            *buf, *scratch;
    ngx_http_ticketing_cachekey_in_t   in;

    memset(&in, 0, sizeof(in));

    in.prefix.data = (const u_char *) "tkt";
    in.prefix.len = 3;
    in.operation.data = (const u_char *) "metadata.fieldInfo";
    in.operation.len = sizeof("metadata.fieldInfo") - 1;
    in.query.data = (const u_char *) query;
    in.query.len = strlen(query);
    in.args = args;
    in.accept.data = (const u_char *) accept;
    in.accept.len = strlen(accept);
    in.language.data = (const u_char *) language;
    in.language.len = strlen(language);
    in.scope.data = (const u_char *) scope;
    in.scope.len = strlen(scope);

    size = ngx_http_ticketing_cachekey_size(&in);
    buf = malloc(size);
    scratch = malloc(in.query.len ? in.query.len : 1);
    assert_non_null(buf);
    assert_non_null(scratch);

    *rc = ngx_http_ticketing_cachekey_build(&in, scratch, buf, size, &len);

    out = NULL;

    if (*rc == OK) {
        assert_true(len <= size);
        out = malloc(len + 1);
        assert_non_null(out);
        memcpy(out, buf, len);
        out[len] = '\0';
    }

    free(buf);
    free(scratch);

    return out;
}


static void
test_headers_and_scope(void **state)
{
    int    rc;
    char  *a, *b;

    (void) state;

    a = key_full("api_name=track", NULL, "application/json", "es", "s:bob",
                 &rc);
    assert_int_equal(rc, OK);
    assert_string_equal(untagged(a), "|0:|0:|18:metadata.fieldInfo"
                                     "|0:|0:|0:|0:|q1|8:api_name=5:track"
                                     "|h|16:application/json|2:es|s|5:s:bob");

    /* a header's bytes cannot pass for the next field's */
    b = key_full("api_name=track", NULL, "application/json|2:es", "", "s:bob",
                 &rc);
    assert_int_equal(rc, OK);
    assert_string_not_equal(a, b);
    free(b);

    b = key_full("api_name=track", NULL, "application/json", "en", "s:bob",
                 &rc);
    assert_string_not_equal(a, b);
    free(b);

    b = key_full("api_name=track", NULL, "application/json", "es", "",
                 &rc);
    assert_string_not_equal(a, b);
    free(b);
    free(a);
}


static void
test_undefined_args(void **state)
{
    int                 rc;
    char               *k;
    const char *const  *args;

    (void) state;

    args = ngx_http_ticketing_cachekey_args(14);

    k = key_full("api_name=track&jira_label=", args, "", "", "", &rc);
    assert_int_equal(rc, OK);
    free(k);

    /* decoded before the check; names are case-sensitive */
    k = key_full("api%5Fname=track", args, "", "", "", &rc);
    assert_int_equal(rc, OK);
    free(k);

    k = key_full("api_name=track&x=1", args, "", "", "", &rc);
    assert_null(k);
    assert_int_equal(rc, NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG);

    k = key_full("API_NAME=track", args, "", "", "", &rc);
    assert_null(k);
    assert_int_equal(rc, NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG);

    k = key_full("=1", args, "", "", "", &rc);
    assert_null(k);
    assert_int_equal(rc, NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG);

    /* operations without parameters: any parameter */
    k = key_full("a", ngx_http_ticketing_cachekey_args(13), "", "", "", &rc);
    assert_null(k);
    assert_int_equal(rc, NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG);

    /* empty pieces are nothing */
    k = key_full("&&", ngx_http_ticketing_cachekey_args(13), "", "", "", &rc);
    assert_int_equal(rc, OK);
    free(k);

    args = ngx_http_ticketing_cachekey_args(11);
    k = key_full("ticketType=a&projectKey=b", args, "", "", "", &rc);
    assert_int_equal(rc, OK);
    free(k);
}


/* the normalized form of "in", or NULL when it is not cached (BYPASS) */
static char *
norm(unsigned which, const char *in)
{
    static char  out[NGX_HTTP_TICKETING_CACHEKEY_MAX_HEADER + 1];
    ssize_t      n;

    n = ngx_http_ticketing_cachekey_header(which, (const u_char *) in,
                                           strlen(in), (u_char *) out);
    if (n < 0) {
        return NULL;
    }

    assert_true((size_t) n <= strlen(in));
    out[n] = '\0';

    return out;
}


#define LANG  NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE
#define ACC   NGX_HTTP_TICKETING_CACHEKEY_ACCEPT


static void
test_header_normalization(void **state)
{
    size_t  i;

    /* equivalent by RFC 9110: one form */
    static const char  *lang_same[][2] = {
        { " ES-es ,\ten;q=0.5", "es-es,en;q=0.5" },
        { "en", "en" },
        { "EN", "en" },
        { "en , es", "en,es" },
        { "en ;q=0.5", "en;q=0.5" },
        { "en; q=0.5", "en;q=0.5" },
        { "en\t;\tQ=0.5", "en;q=0.5" },
        { "*", "*" },
        { "en-US,*;q=0", "en-us,*;q=0" },
        { "en;q=1.000", "en;q=1.000" },
        { "en,,es", "en,,es" },
        { "x-klingon-2023", "x-klingon-2023" },
    };

    /* anything else the upstream may read otherwise: not cached */
    static const char  *lang_bypass[] = {
        "e n", "e\tn", "en-US x", "en x,es", "en;q=0.5 x", "\"en\"",
        "en;q = 0.5", "en;q= 0.5", "en;q =0.5", "en; level=1", "en;q=2",
        "en;q=1.5", "en;q=0.1234", "en;q=.5", "en;q=", "en;", "en_US",
        "en.US", "en/US", "es\x80", "en\r", "", " ", "\t", ";q=1",
        "en;q=0.5;q=0.4",
    };

    static const char  *accept_same[][2] = {
        { "application/json", "application/json" },
        { "Application/JSON", "application/json" },
        { "application/json ; q=1", "application/json;q=1" },
        { "application/json;Q=1", "application/json;q=1" },
        { "text/html; charset=UTF-8", "text/html;charset=UTF-8" },
        { "*/* , application/json", "*/*,application/json" },
        { "application/vnd.api+json;v=2", "application/vnd.api+json;v=2" },
    };

    static const char  *accept_bypass[] = {
        "application/ json", "application /json", "application/json x",
        "application/json;q = 1", "application/json;q= 1",
        "application/json;x=\"a b\"", "application/json;x=\"a\"",
        "application", "/json", "application/", "application/json;",
        "application/json;=1", "application/json;q", "appli(cation)/json",
        "", "  ",
    };

    (void) state;

    for (i = 0; i < sizeof(lang_same) / sizeof(lang_same[0]); i++) {
        if (norm(LANG, lang_same[i][0]) == NULL
            || strcmp(norm(LANG, lang_same[i][0]), lang_same[i][1]) != 0)
        {
            fail_msg("Accept-Language \"%s\" is not \"%s\"",
                     lang_same[i][0], lang_same[i][1]);
        }
    }

    for (i = 0; i < sizeof(lang_bypass) / sizeof(lang_bypass[0]); i++) {
        if (norm(LANG, lang_bypass[i]) != NULL) {
            fail_msg("Accept-Language \"%s\" normalized to \"%s\"",
                     lang_bypass[i], norm(LANG, lang_bypass[i]));
        }
    }

    for (i = 0; i < sizeof(accept_same) / sizeof(accept_same[0]); i++) {
        if (norm(ACC, accept_same[i][0]) == NULL
            || strcmp(norm(ACC, accept_same[i][0]), accept_same[i][1]) != 0)
        {
            fail_msg("Accept \"%s\" is not \"%s\"",
                     accept_same[i][0], accept_same[i][1]);
        }
    }

    for (i = 0; i < sizeof(accept_bypass) / sizeof(accept_bypass[0]); i++) {
        if (norm(ACC, accept_bypass[i]) != NULL) {
            fail_msg("Accept \"%s\" normalized to \"%s\"",
                     accept_bypass[i], norm(ACC, accept_bypass[i]));
        }
    }

    /* "e n" and "en" never share a key: the attack of the review */
    assert_non_null(norm(LANG, "en"));
    assert_null(norm(LANG, "e n"));
}


static void
test_value_round_trip(void **state)
{
    u_char                          buf[128];
    size_t                          n;
    ngx_http_ticketing_cacheval_t   v;

    (void) state;

    n = ngx_http_ticketing_cacheval_header(buf, 1700000000123ULL,
                                          1699999990000ULL,
                                          (const u_char *) "application/json",
                                          16, (const u_char *) "en", 2);
    assert_true(n <= NGX_HTTP_TICKETING_CACHEVAL_HEADER_SIZE(16, 2));
    assert_memory_equal(buf,
                        "v3 1700000000123 1699999990000 application/json\n"
                        "en\n", n);

    memcpy(buf + n, "{\"a\":1}", 7);

    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, n + 7, &v), 0);
    assert_true(v.fresh_until == 1700000000123ULL);
    assert_true(v.born == 1699999990000ULL);
    assert_int_equal(v.type.len, 16);
    assert_memory_equal(v.type.data, "application/json", 16);
    assert_int_equal(v.language.len, 2);
    assert_memory_equal(v.language.data, "en", 2);
    assert_int_equal(v.body.len, 7);
    assert_memory_equal(v.body.data, "{\"a\":1}", 7);

    /* an empty body is a body */
    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, n, &v), 0);
    assert_int_equal(v.body.len, 0);

    /* no language: an empty line */
    n = ngx_http_ticketing_cacheval_header(buf, 5, 1, (const u_char *) "a/b",
                                          3, NULL, 0);
    assert_memory_equal(buf, "v3 5 1 a/b\n\n", n);
    memcpy(buf + n, "\n{}", 3);
    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, n + 3, &v), 0);
    assert_int_equal(v.language.len, 0);
    assert_int_equal(v.body.len, 3);
    assert_memory_equal(v.body.data, "\n{}", 3);

    /* values of earlier versions: no birth time (no Age), no language */
    memcpy(buf, "v2 5 a/b\nfr\n{}", 14);
    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, 14, &v), 0);
    assert_true(v.born == 0);
    assert_int_equal(v.language.len, 2);
    assert_int_equal(v.body.len, 2);

    memcpy(buf, "v1 5 a/b\n{}", 11);
    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, 11, &v), 0);
    assert_true(v.born == 0);
    assert_int_equal(v.language.len, 0);
    assert_int_equal(v.body.len, 2);

    /* every value the writer writes parses back, up to the largest one */
    n = ngx_http_ticketing_cacheval_header(buf, ~0ULL, ~0ULL,
                                          (const u_char *) "a/b", 3,
                                          (const u_char *) "es", 2);
    assert_true(n <= NGX_HTTP_TICKETING_CACHEVAL_HEADER_SIZE(3, 2));
    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, n, &v), 0);
    assert_true(v.fresh_until == ~0ULL);
    assert_true(v.born == ~0ULL);

    memcpy(buf, "v2 18446744073709551616 a/b\n\n", 29);
    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, 29, &v), -1);
    memcpy(buf, "v3 1 18446744073709551616 a/b\n\n", 31);
    assert_int_equal(ngx_http_ticketing_cacheval_parse(buf, 31, &v), -1);
}


static void
test_value_malformed(void **state)
{
    size_t                          i;
    ngx_http_ticketing_cacheval_t   v;
    static const char              *bad[] = {
        "", "garbage", "v1", "v1 ", "v1 12", "v1 12 ", "v1 12 \nbody",
        "v1 x application/json\n{}", "v3 12 application/json\n{}",
        "v3 12 application/json\nen\n{}", "v3 12  7 application/json\n\n",
        "v3 12 x7 application/json\n\n", "v3 12 7application/json\n\n",
        "v3 12 7 application/json\n{}", "v4 12 7 application/json\n\n",
        "v1 12application/json\n{}", "v1  12 application/json\n{}",
        "v1 12 application/json",
        "v1 99999999999999999999999 application/json\n{}",
        "v2 12 application/json\n{}", "v2 12 application/json\nen",
        "v2 12 \nen\n{}",
    };

    (void) state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (ngx_http_ticketing_cacheval_parse((const u_char *) bad[i],
                                              strlen(bad[i]), &v)
            != -1)
        {
            fail_msg("accepted \"%s\"", bad[i]);
        }
    }
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_fnv1a_vectors),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_cluster_slot),
        cmocka_unit_test(test_query_order_does_not_matter),
        cmocka_unit_test(test_values_matter),
        cmocka_unit_test(test_injective_against_crafted_values),
        cmocka_unit_test(test_bad_queries),
        cmocka_unit_test(test_no_room),
        cmocka_unit_test(test_headers_and_scope),
        cmocka_unit_test(test_undefined_args),
        cmocka_unit_test(test_header_normalization),
        cmocka_unit_test(test_value_round_trip),
        cmocka_unit_test(test_value_malformed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
