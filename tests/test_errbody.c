
/*
 * Unit tests of the error body classifier and the safe detail
 * (ngx_http_ticketing_errbody.c), and of the error builder with a kind
 * from the configuration (ngx_http_ticketing_error_body_kind).
 *
 * Inputs are copied into buffers of exactly their size, from malloc(), so
 * that AddressSanitizer reports any read past them.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "ngx_http_ticketing_error.h"
#include "ngx_http_ticketing_errbody.h"


#define DMAX  NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX


typedef struct {
    ngx_http_ticketing_errbody_kind_e  kind;
    size_t                             len;
    char                               detail[DMAX + 1];
} result_t;


static result_t
inspect_n(const char *body, size_t len, unsigned flags, unsigned status)
{
    u_char    *copy, *detail;
    result_t   r;

    copy = malloc(len ? len : 1);
    detail = malloc(DMAX);
    assert_non_null(copy);
    assert_non_null(detail);
    memcpy(copy, body, len);

    r.kind = ngx_http_ticketing_errbody_inspect(copy, len, flags,
                                          ngx_http_ticketing_error_kind(status),
                                          detail, &r.len);
    assert_true(r.len <= DMAX);
    memcpy(r.detail, detail, r.len);
    r.detail[r.len] = '\0';

    free(copy);
    free(detail);

    return r;
}


static result_t
inspect(const char *body, unsigned status)
{
    return inspect_n(body, strlen(body), 0, status);
}


static void
test_empty(void **state)
{
    result_t  r;

    (void) state;

    r = inspect("", 503);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_EMPTY);
    assert_int_equal(r.len, 0);

    r = inspect(" \r\n\t ", 503);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_EMPTY);

    r = inspect("\xef\xbb\xbf\n", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_EMPTY);
}


static result_t
inspect_kind(const char *body, const ngx_http_ticketing_error_kind_t *kind)
{
    u_char    *copy, *detail;
    size_t     len;
    result_t   r;

    len = strlen(body);
    copy = malloc(len ? len : 1);
    detail = malloc(DMAX);
    assert_non_null(copy);
    assert_non_null(detail);
    memcpy(copy, body, len);

    r.kind = ngx_http_ticketing_errbody_inspect(copy, len, 0, kind, detail,
                                                &r.len);
    assert_true(r.len <= DMAX);
    memcpy(r.detail, detail, r.len);
    r.detail[r.len] = '\0';

    free(copy);
    free(detail);

    return r;
}


/* a uniform body of a status, with the members given */
static const char *
ub(char *buf, size_t size, const char *code, const char *status,
    const char *message, const char *detail_json)
{
    int  n;

    n = snprintf(buf, size, "{\"code\":\"%s\",\"status\":\"%s\","
                 "\"message\":\"%s\",\"detailMsg\":%s}", code, status,
                 message, detail_json);
    assert_true(n > 0 && (size_t) n < size);

    return buf;
}


static void
test_uniform(void **state)
{
    result_t  r;

    (void) state;

    /* what the gateway itself would send: passed */
    r = inspect("{\"code\": \"0020\", \"status\": \"CONFLICT\", \"message\": "
                "\"Conflict\", \"detailMsg\": \"Injected uniform error\"}",
                409);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM);

    r = inspect("\xef\xbb\xbf {\"detailMsg\":null,\"message\":"
                "\"Unexpected Error\",\"status\":\"UNEXPECTED\","
                "\"code\":\"0002\"}\n", 500);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM);

    r = inspect("{\"code\":\"0015\",\"status\":\"BAD_REQUEST\",\"message\":"
                "\"Bad Request\",\"detailMsg\":\"\"}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM);

    /* a code the table does not give for 409: rebuilt, the detail kept */
    r = inspect("{\"code\": \"9409\", \"status\": \"CONFLICT\", \"message\": "
                "\"Conflict\", \"detailMsg\": \"Injected uniform error\"}",
                409);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "Injected uniform error");

    /* a fifth key: rebuilt, the detail from detailMsg only */
    r = inspect("{\"code\":\"0015\",\"status\":\"BAD_REQUEST\",\"message\":"
                "\"Bad Request\",\"detailMsg\":\"the field is wrong\","
                "\"x\":1}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "the field is wrong");

    r = inspect("{\"code\":\"0015\",\"status\":\"BAD_REQUEST\",\"message\":"
                "\"Bad Request\",\"detailMsg\":null,\"detail\":\"extra\"}",
                400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_int_equal(r.len, 0);

    /* wrong types */
    r = inspect("{\"code\":15,\"status\":\"S\",\"message\":\"m\","
                "\"detailMsg\":null}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JSON);

    r = inspect("{\"code\":\"1\",\"status\":\"S\",\"message\":\"m\","
                "\"detailMsg\":[]}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JSON);

    /* a missing key replaced by another */
    r = inspect("{\"code\":\"1\",\"status\":\"S\",\"message\":\"m\","
                "\"detail\":\"d\"}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JSON);
    assert_string_equal(r.detail, "d");

    /* duplicate keys, trailing garbage: not JSON at all */
    r = inspect("{\"code\":\"1\",\"code\":\"1\",\"status\":\"S\","
                "\"message\":\"m\"}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON);

    r = inspect("{\"code\":\"1\",\"status\":\"S\",\"message\":\"m\","
                "\"detailMsg\":null} x", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON);

    /* a complete uniform body that was cut: never passed as uniform */
    r = inspect_n("{\"code\":\"0015\",\"status\":\"BAD_REQUEST\","
                  "\"message\":\"Bad Request\",\"detailMsg\":null}", 75,
                  NGX_HTTP_TICKETING_ERRBODY_TRUNCATED, 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON);

    /* a cut text or page gives no detail: its end may change its sense */
    r = inspect_n("half", 4, NGX_HTTP_TICKETING_ERRBODY_TRUNCATED, 500);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_TEXT);
    assert_string_equal(r.detail, "");

    r = inspect_n("<html><title>Gone</title>", 25,
                  NGX_HTTP_TICKETING_ERRBODY_TRUNCATED, 502);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_HTML_PAGE);
    assert_string_equal(r.detail, "");

    r = inspect_n("plain words", 11, NGX_HTTP_TICKETING_ERRBODY_TRUNCATED
                  | NGX_HTTP_TICKETING_ERRBODY_HTML, 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_HTML_PAGE);
    assert_string_equal(r.detail, "");
}


/* code, status and message must be those of the HTTP status */
static void
test_uniform_consistency(void **state)
{
    char      b[1024];
    result_t  r;

    static const ngx_http_ticketing_error_kind_t  teapot =
        { 418, "0900", "TEAPOT", "I'm a teapot" };

    (void) state;

    /* a 404 whose code is 500's */
    r = inspect(ub(b, sizeof(b), "0002", "NOT_FOUND", "Not found",
                   "\"no such ticket\""), 404);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "no such ticket");

    /* a 404 whose status is 500's */
    r = inspect(ub(b, sizeof(b), "0004", "UNEXPECTED", "Not found", "null"),
                404);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_int_equal(r.len, 0);

    /* a whole 404 body sent with 400, and with 500 */
    ub(b, sizeof(b), "0004", "NOT_FOUND", "Not found", "null");
    assert_int_equal(inspect(b, 400).kind,
                     NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_int_equal(inspect(b, 500).kind,
                     NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_int_equal(inspect(b, 404).kind,
                     NGX_HTTP_TICKETING_ERRBODY_UNIFORM);

    /* 503 has its own code: 0002 UNEXPECTED is 500's */
    r = inspect(ub(b, sizeof(b), "0002", "UNEXPECTED", "Unexpected Error",
                   "null"), 503);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);

    /* case counts */
    r = inspect(ub(b, sizeof(b), "0004", "not_found", "Not found", "null"),
                404);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);

    /* another message: rebuilt; the message is the detail when safe */
    r = inspect(ub(b, sizeof(b), "0020", "CONFLICT",
                   "Ticket INST-7902 is being edited", "null"), 409);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "Ticket INST-7902 is being edited");

    r = inspect(ub(b, sizeof(b), "0015", "BAD_REQUEST",
                   "jdbc:postgresql://app:pw@db:5432/t", "null"), 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_int_equal(r.len, 0);

    r = inspect(ub(b, sizeof(b), "0015", "BAD_REQUEST",
                   "Bad Request at /srv/app/handler.py",
                   "\"the summary is required\""), 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "the summary is required");

    /* the generic message is never made the detail */
    r = inspect(ub(b, sizeof(b), "0015", "BAD_REQUEST", "bad request",
                   "\"at 10.1.2.3\""), 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_int_equal(r.len, 0);

    /* a status of ticketing_error_map */
    r = inspect_kind(ub(b, sizeof(b), "0900", "TEAPOT", "I'm a teapot",
                        "\"short and stout\""), &teapot);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM);

    r = inspect_kind(ub(b, sizeof(b), "0032", "CLIENT_ERROR", "Client Error",
                        "\"short and stout\""), &teapot);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "short and stout");

    /* unclean details: rebuilt with the cleaned detail */
    r = inspect(ub(b, sizeof(b), "0015", "BAD_REQUEST", "Bad Request",
                   "\"the <b>summary</b>  is\\n required\""), 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "the summary is required");

    r = inspect(ub(b, sizeof(b), "0015", "BAD_REQUEST", "Bad Request",
                   "\"a\\u202eb\""), 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_string_equal(r.detail, "ab");

    r = inspect(ub(b, sizeof(b), "0015", "BAD_REQUEST", "Bad Request",
                   "\"" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                   "\""), 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
    assert_int_equal(r.len, DMAX);
}


/*
 * A detail is judged whole before it is cut: the part of a leak that
 * survives the cut ("srv-jira-01.masmovil.la...") is still a leak.  A
 * detail too long to judge whole is dropped.
 */
static void
test_judged_whole(void **state)
{
    char                                   b[8192], q[8192], x[4200];
    char                                   d[8000];
    size_t                                 i, j;
    result_t                               r;
    const ngx_http_ticketing_error_kind_t  *k;

    static const struct {
        size_t       pad;
        const char  *tail;
    } leaks[] = {
        { 213, " srv-jira-01.masmovil.lan" },
        { 215, " admin.micro@masmovil.com" },
        { 227, " 10.20.30.40 admin@example.com" },
        { 230, " password hunter2" },
        { 236, " jdbc:mysql" }
    };

    static const unsigned  statuses[] = { 400, 409, 500 };

    (void) state;

    for (i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++) {
        memset(x, 'x', leaks[i].pad);
        x[leaks[i].pad] = '\0';
        snprintf(d, sizeof(d), "%s%s", x, leaks[i].tail);

        for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++) {
            k = ngx_http_ticketing_error_kind(statuses[j]);

            r = inspect(d, statuses[j]);
            if (r.len != 0) {
                print_error("leak %zu with %u: detail \"%s\"\n", i,
                            statuses[j], r.detail);
            }
            assert_int_equal(r.len, 0);

            snprintf(q, sizeof(q), "\"%s\"", d);
            r = inspect(ub(b, sizeof(b), k->code, k->status, k->message, q),
                        statuses[j]);
            assert_int_equal(r.len, 0);

            snprintf(b, sizeof(b), "{\"errorMessages\":[\"%s\"]}", d);
            r = inspect(b, statuses[j]);
            assert_int_equal(r.len, 0);

            snprintf(b, sizeof(b), "{\"errors\":{\"summary\":\"%s\"}}", d);
            r = inspect(b, statuses[j]);
            assert_int_equal(r.len, 0);

            snprintf(b, sizeof(b), "<html><title>%s</title></html>", d);
            r = inspect(b, statuses[j]);
            assert_int_equal(r.len, 0);
        }
    }

    /* a long harmless detail is cut, as before */
    memset(x, 'x', 300);
    x[300] = '\0';
    r = inspect(x, 400);
    assert_int_equal(r.len, DMAX);
    assert_memory_equal(r.detail + DMAX - 3, "...", 3);

    snprintf(d, sizeof(d), "the summary is too long: %s", x);
    r = inspect(d, 400);
    assert_int_equal(r.len, DMAX);

    /* too long to judge whole: dropped */
    memset(x, 'x', 4199);
    x[4199] = '\0';
    r = inspect(x, 400);
    assert_int_equal(r.len, 0);
}


/* each kind of leak in the detailMsg of an otherwise consistent body */
static void
test_uniform_leaks(void **state)
{
    char                                   b[1024];
    size_t                                 i, j;
    result_t                               r;
    const ngx_http_ticketing_error_kind_t  *k;

    static const char  *leaks[] = {
        "\"pool: jdbc:postgresql://app:s3cr3t@db:5432/ticketing\"",
        "\"pool: jdbc:oracle:thin:@dbprod:1521:ORCL\"",
        "\"cannot reach 10.20.30.40\"",
        "\"cannot reach 192.168.1.10:8080\"",
        "\"cannot reach [fd00::17]:8080\"",
        "\"cannot reach fe80::1%eth0\"",
        "\"cannot resolve jira-db.prod.svc.cluster.local\"",
        "\"cannot resolve ticketing-backend-7f9c4d.internal\"",
        "\"cannot resolve jira.corp\"",
        "\"cannot resolve printer.local:631\"",
        "\"backend redis-cache:6379 refused\"",
        "\"backend jira:8080 refused\"",
        "\"ORA-00942: table or view does not exist\"",
        "\"SQLSTATE[23505]: unique violation\"",
        "\"query SELECT id FROM tickets WHERE key = 1 failed\"",
        "\"UPDATE tickets SET status = 2 WHERE id = 7\"",
        "\"duplicate key value violates unique constraint \\\"t_pkey\\\"\"",
        "\"at com.masmovil.ticketing.jira.JiraClient.execute(Unknown)\"",
        "\"at com.masmovil.Jira.run(JiraClient.java:214)\"",
        "\"java.lang.IllegalStateException: no\"",
        "\"java.lang.OutOfMemoryError: heap\"",
        "\"Traceback (most recent call last): File \\\"app.py\\\", "
            "line 3\"",
        "\"goroutine 1 [running]: main.main() main.go:12 +0x1d\"",
        "\"panic: runtime error: index out of range\"",
        "\"cannot read /opt/mas-ticketing-api/config/application.yml\"",
        "\"cannot read C:\\\\app\\\\config.yml\"",
        "\"cannot read src/main/resources/application.properties\"",
        "\"cannot read application.yml\"",
        "\"token Bearer abc rejected\"",
        "\"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln rejected\"",
        "\"key AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCd rejected\"",
        "\"Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l\"",
        "\"-----BEGIN RSA PRIVATE KEY----- MIIE\"",
        "\"redirect to ?access_token=abc\"",
        "\"notify ops@masmovil.com\"",
        NULL
    };

    static const unsigned  statuses[] = { 400, 404, 409, 500, 503 };

    (void) state;

    for (i = 0; leaks[i] != NULL; i++) {
        for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++) {
            k = ngx_http_ticketing_error_kind(statuses[j]);

            r = inspect(ub(b, sizeof(b), k->code, k->status, k->message,
                           leaks[i]), statuses[j]);

            if (r.kind != NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT
                || r.len != 0)
            {
                print_error("leak %zu (%s) with %u: kind %d, detail \"%s\"\n",
                            i, leaks[i], statuses[j], (int) r.kind,
                            r.detail);
            }

            assert_int_equal(r.kind,
                             NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT);
            assert_int_equal(r.len, 0);
        }
    }
}


static void
test_jira(void **state)
{
    result_t  r;

    (void) state;

    r = inspect("{\"errorMessages\":[\"Issue does not exist or you do not "
                "have permission to see it.\"],\"errors\":{\"summary\":"
                "\"You must specify a summary of the issue.\"}}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JIRA);
    assert_string_equal(r.detail, "Issue does not exist or you do not have "
                        "permission to see it. summary: You must specify a "
                        "summary of the issue.");

    r = inspect("{\"errorMessages\":[\"first\",\"second\"],\"errors\":{}}",
                400);
    assert_string_equal(r.detail, "first; second");

    r = inspect("{\"errorMessages\":[],\"errors\":{\"a\":\"x\",\"b\":2}}",
                422);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JIRA);
    assert_string_equal(r.detail, "a: x");

    /* an unsafe message is dropped, the safe ones are kept */
    r = inspect("{\"errorMessages\":[\"cannot reach 10.0.0.7\",\"try "
                "later\"]}", 400);
    assert_string_equal(r.detail, "try later");

    r = inspect("{\"errorMessages\":[],\"errors\":{}}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JIRA);
    assert_int_equal(r.len, 0);

    /* safe parts that, joined, are not: the whole detail is dropped */
    r = inspect("{\"errors\":{\"fe80:\":\"1 down\"}}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JIRA);
    assert_int_equal(r.len, 0);

    r = inspect("{\"errors\":{\"summaryjva:\":\"Field is required\"}}",
                400);
    assert_string_equal(r.detail, "summaryjva:: Field is required");
}


static void
test_spring(void **state)
{
    result_t  r;

    (void) state;

    r = inspect("{\"timestamp\":\"2026-01-01T00:00:00.000+00:00\","
                "\"status\":500,\"error\":\"Internal Server Error\","
                "\"message\":\"Jira request failed: timeout after 30000 ms\","
                "\"path\":\"/v2/ticket/metadata/types\"}", 500);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_SPRING);
    assert_string_equal(r.detail, "Jira request failed: timeout after "
                        "30000 ms");

    /* the trace and the path are never used */
    r = inspect("{\"timestamp\":1,\"status\":500,\"error\":\"Internal Server "
                "Error\",\"trace\":\"java.lang.X\\n\\tat a.b(C.java:1)\","
                "\"message\":\"\",\"path\":\"/v2/x\"}", 500);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_SPRING);
    assert_int_equal(r.len, 0);

    /* a message that names a class and a host: dropped for 5xx */
    r = inspect("{\"timestamp\":1,\"status\":503,\"error\":\"x\","
                "\"message\":\"Could not open JPA EntityManager: "
                "db.internal.example refused\"}", 503);
    assert_int_equal(r.len, 0);
}


static void
test_html(void **state)
{
    result_t  r;

    static const char  page502[] =
        "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
        "<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx/1.18.0"
        " (ticketing-backend-7f9c4d.internal 10.20.30.40)</center>\n"
        "</body>\n</html>\n";

    (void) state;

    r = inspect(page502, 502);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_HTML_PAGE);
    assert_string_equal(r.detail, "502 Bad Gateway");

    /* entities decoded, tags gone */
    r = inspect("<HTML><TITLE>Tom &amp; Jerry&#39;s &lt;page&gt;</TITLE>",
                404);
    assert_string_equal(r.detail, "Tom & Jerry's <page>");

    /* no title: the text of a 4xx page, nothing of a 5xx page */
    r = inspect("<p>The  ticket<br>is <b>closed</b>.</p>", 409);
    assert_string_equal(r.detail, "The ticket is closed .");

    r = inspect("<p>Down for maintenance</p>", 503);
    assert_int_equal(r.len, 0);

    /* the Content-Type says HTML */
    r = inspect_n("Gone &amp; done", 15, NGX_HTTP_TICKETING_ERRBODY_HTML,
                  410);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_HTML_PAGE);
    assert_string_equal(r.detail, "Gone & done");

    /* an unterminated title */
    r = inspect("<title>no end", 404);
    assert_int_equal(r.len, 0);
}


static void
test_text(void **state)
{
    result_t  r;

    static const char  trace[] =
        "java.lang.IllegalStateException: Jira request failed for /v2/x\n"
        "\tat com.masmovil.ticketing.jira.JiraClient.execute"
        "(JiraClient.java:214)\n"
        "Caused by: java.net.ConnectException: Connection refused "
        "(10.20.30.40:8080)\n";

    (void) state;

    r = inspect("  Ticket  is\r\nlocked\t", 423);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_TEXT);
    assert_string_equal(r.detail, "Ticket is locked");

    r = inspect(trace, 500);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_TEXT);
    assert_int_equal(r.len, 0);

    r = inspect(trace, 400);
    assert_int_equal(r.len, 0);

    r = inspect("Traceback (most recent call last):\n  File \"app.py\", "
                "line 3, in <module>\n", 500);
    assert_int_equal(r.len, 0);

    r = inspect_n("abc\0def", 7, 0, 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_BINARY);
    assert_int_equal(r.len, 0);
}


static void
test_invalid_json(void **state)
{
    result_t  r;

    (void) state;

    r = inspect("{\"code\":\"0002\",\"status\":\"UNEXPECTED\",\"message\":"
                "\"Unexp", 500);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON);
    assert_int_equal(r.len, 0);

    r = inspect("[1,2", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON);

    /* invalid UTF-8 inside a JSON string */
    r = inspect("{\"message\":\"\xff\"}", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON);

    /* valid JSON, no message */
    r = inspect("[\"a\"]", 400);
    assert_int_equal(r.kind, NGX_HTTP_TICKETING_ERRBODY_JSON);
    assert_int_equal(r.len, 0);

    r = inspect("{\"error\":{\"code\":7,\"message\":\"quota exceeded\"}}",
                429);
    assert_string_equal(r.detail, "quota exceeded");
}


static size_t
clean(const char *s, int html, char *out)
{
    size_t   n;
    u_char  *copy, *dst;

    n = strlen(s);
    copy = malloc(n ? n : 1);
    dst = malloc(DMAX);
    assert_non_null(copy);
    assert_non_null(dst);
    memcpy(copy, s, n);

    n = ngx_http_ticketing_errbody_clean(copy, n, html, dst);
    assert_true(n <= DMAX);
    memcpy(out, dst, n);
    out[n] = '\0';

    free(copy);
    free(dst);

    return n;
}


static void
test_clean(void **state)
{
    char    out[DMAX + 1], in[2000];
    size_t  n, i;

    (void) state;

    clean("  a\x01" "b\x1b[31m c\x7f \n\n d  ", 0, out);
    assert_string_equal(out, "ab[31m c d");

    /* C1 controls, bidi overrides, zero-width space, BOM: removed */
    clean("a\xc2\x85" "b\xe2\x80\xae" "c\xe2\x80\x8b" "d\xef\xbb\xbf" "e", 0,
          out);
    assert_string_equal(out, "abcde");

    /* invalid UTF-8 dropped, valid kept */
    clean("caf\xc3\xa9 \xff\xfe x\xc0\xaf \xed\xa0\x80!", 0, out);
    assert_string_equal(out, "caf\xc3\xa9 x !");

    /* markup stripped everywhere, entities decoded only in HTML */
    clean("<script>alert(1)</script> a &amp; b", 0, out);
    assert_string_equal(out, "alert(1) a &amp; b");

    clean("a &amp; b &#x41;&#66; &bogus; &#0; &", 1, out);
    assert_string_equal(out, "a & b AB &bogus; &#0; &");

    /* a lone '<' is text */
    clean("x < 10", 0, out);
    assert_string_equal(out, "x < 10");

    /* capped on a character boundary, with "..." */
    for (i = 0; i + 2 <= sizeof(in) - 1; i += 2) {
        in[i] = (char) 0xc3;
        in[i + 1] = (char) 0xa9;
    }

    in[i] = '\0';

    n = clean(in, 0, out);
    assert_true(n <= DMAX);
    assert_memory_equal(out + n - 3, "...", 3);
    assert_int_equal((n - 3) % 2, 0);

    memset(in, 'x', 1000);
    in[1000] = '\0';
    n = clean(in, 0, out);
    assert_int_equal(n, DMAX);
}


static int
safe(const char *s, unsigned status)
{
    return ngx_http_ticketing_errbody_safe((const u_char *) s, strlen(s),
                                           status);
}


static void
test_safe(void **state)
{
    (void) state;

    assert_true(safe("Jira request failed: timeout after 30000 ms", 500));
    assert_true(safe("You must specify a summary of the issue.", 400));
    assert_true(safe("version 1.2 at 10:30:45", 500));
    assert_true(safe("e.g. a value", 500));

    /* every status */
    assert_false(safe("cannot reach 10.20.30.40", 400));
    assert_false(safe("cannot reach 10.20.30.40:8080", 500));
    assert_false(safe("peer fe80::1 down", 400));
    assert_false(safe("peer 2001:db8:0:0:0:0:2:1 down", 400));
    assert_false(safe("see http://x", 400));
    assert_false(safe("file /opt/app/config.yml missing", 400));
    assert_false(safe("file ~/x missing", 400));
    assert_false(safe("file C:\\app\\x missing", 400));
    assert_false(safe("at Foo.bar(Foo.java:12)", 400));
    assert_false(safe("NullPointerException", 400));
    assert_false(safe("connect to localhost failed", 400));
    assert_false(safe("bad password for user", 401));
    assert_false(safe("File \"app.py\", line 3", 400));

    /* 4xx may name things with dots; 5xx may not */
    assert_true(safe("use the field customer.id", 400));
    assert_false(safe("use the field customer.id", 500));
    assert_false(safe("db.internal refused", 503));
    assert_false(safe("backend:8080 refused", 502));
    assert_false(safe("mail ops@example", 500));
    assert_false(safe("ORA-00942: table or view does not exist", 500));
    assert_false(safe("SQLSTATE[42S02]", 500));
    assert_false(safe("a/b", 500));

    /* every status: what a 4xx could still leak before */
    assert_false(safe("pool jdbc:oracle:thin:@dbprod:1521:ORCL", 400));
    assert_false(safe("peer [fd00::17]:8080 down", 400));
    assert_false(safe("peer (fe80::1%eth0) down", 400));
    assert_false(safe("host jira-db.prod.svc.cluster.local", 400));
    assert_false(safe("host db.internal:5432", 400));
    assert_false(safe("host ticketing-backend-7f9c4d.internal", 404));
    assert_false(safe("host jira.corp.example.com", 400));
    assert_false(safe("host NAS.LOCAL", 400));
    assert_false(safe("backend redis-cache:6379 refused", 400));
    assert_false(safe("backend jira:8080/rest refused", 400));
    assert_false(safe("ORA-00942: table or view does not exist", 400));
    assert_false(safe("SQLSTATE[42S02]", 400));
    assert_false(safe("PSQLException", 400));
    assert_false(safe("SELECT id FROM tickets WHERE key = 1", 400));
    assert_false(safe("select a, b from t order by a", 409));
    assert_false(safe("update tickets set a = 1 where id = 2", 400));
    assert_false(safe("insert into tickets values (1)", 400));
    assert_false(safe("violates unique constraint \"t_pkey\"", 409));
    assert_false(safe("relation \"tickets\" does not exist", 400));
    assert_false(safe("at com.x.Jira.run(Unknown)", 400));
    assert_false(safe("java.lang.OutOfMemoryError", 400));
    assert_false(safe("org.springframework.dao.DataAccess failed", 400));
    assert_false(safe("read src/main/resources/x.properties", 400));
    assert_false(safe("read app/models/ticket.rb", 400));
    assert_false(safe("read application.yml", 400));
    assert_false(safe("read keystore.jks", 400));
    assert_false(safe("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", 401));
    assert_false(safe("(eyJhbGciOiJub25lIn0)", 401));
    assert_false(safe("key AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCd", 403));
    assert_false(safe("Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l", 401));
    assert_false(safe("-----BEGIN PRIVATE KEY-----", 400));
    assert_false(safe("see ?access_token=abc", 400));
    assert_false(safe("see ?token=abc", 400));
    assert_false(safe("mail ops@masmovil.com", 400));
    assert_false(safe("login app:s3cr3t@db", 400));

    /* and what a 4xx detail may still say */
    assert_true(safe("Ticket:12345 not found", 404));
    assert_true(safe("Select a value from the list", 400));
    assert_true(safe("please update the ticket and set a summary", 400));
    assert_true(safe("customer.id must be a number", 400));
    assert_true(safe("created at 2026-01-01T10:30:45.123Z", 400));
    assert_true(safe("at 10:30:45.1234", 500));
    assert_true(safe("ticket 550e8400-e29b-41d4-a716-446655440000", 404));
    assert_true(safe("provider must be one of JAM/JCC/TGJ/JNEXT", 400));
    assert_true(safe("send application/json", 415));
    assert_true(safe("INST-7902 is closed; reopen it with transition 51",
                     409));
    assert_true(safe("you are heyJohnSmithsonian's assistant", 400));
    assert_true(safe("summary: You must specify a summary of the issue.",
                     400));
    assert_true(safe("the attachment MYSIM_398171.pdf is too large", 413));
    assert_true(safe("assignee @admin.micro is unknown", 400));
}


/* F7: keys, credentials, database errors, hosts and addresses */
static void
test_classifier_gaps(void **state)
{
    size_t  i, j;

    static const char  *drop[] = {
        "key AKIAIOSFODNN7EXAMPLE",
        "key=ASIAIOSFODNN7EXAMPLE.",
        "key AIzaSyA-1234567890abcdefghijklmnopqrstu",
        "token xoxb-123-456-abc",
        "token ghp_0123456789abcdefghijABCDEFGHIJ",
        "token glpat-0123456789abcdefgh",
        "key sk_live_0123456789abcdef",
        "ssh-rsa AAAAB3NzaC1yc2E",
        "key AAAAC3NzaC1lZDI1NTE5AAAA",
        "pwd=123",
        "user x pwd 123",
        "pass: 1234",
        "PIN = 0000",
        "credentials: x",
        "contrase\xc3\xb1" "a: 1234",
        "CONTRASE\xc3\x91" "A: 1234",
        "the passphrase is x",
        "Deadlock found when trying to get lock",
        "Lock wait timeout exceeded",
        "Table 'jira.issue' doesn't exist",
        "could not connect to server: Connection refused",
        "syntax error at or near \"FROM\"",
        "duplicate key value violates unique constraint",
        "Duplicate entry '1' for key 'PRIMARY'",
        "Cannot add or update a child row: a foreign key constraint fails",
        "host jira-prod-01 is down",
        "srv-jira-01 refused",
        "db-3 unreachable",
        "getaddrinfo ENOTFOUND jira",
        "connect ECONNREFUSED",
        "read ETIMEDOUT",
        "cannot reach 127.1",
        "cannot reach (127.0.1)",
        "cannot reach 0x7f.1",
        "cannot reach 0177.0.0.1",
        "connect to 2130706433",
        "connecting to 2130706433 failed",
        "host: 2130706433",
        "servidor 2130706433 no responde",
        "connect to 10.1",
        "cannot reach 0x0a141e28",
        "at 0x7ffe12345678",
        NULL
    };

    static const char  *keep[] = {
        "Issue does not exist or you do not have permission to see it.",
        "You must specify a summary of the issue.",
        "Field 'customfield_10201' cannot be set",
        "INST-7902 not found",
        "Transition 21 is not valid",
        "La incidencia no existe o no tiene permiso para verla.",
        "Debe especificar un resumen de la incidencia.",
        "El campo 'customfield_10201' no se puede establecer",
        "La transici\xc3\xb3n 21 no es v\xc3\xa1lida",
        "Issue 10000012 was not found",
        "Issue 10000012 cannot be assigned to 12345678",
        "created 15.01.2024 by INST-7902",
        "version 9.4.1 is not supported",
        "es-419 is not a supported locale; use utf-8",
        "PROD-123 is closed",
        "you passed 3 of 4 checks; pass the issue key",
        "passport number is required",
        "Jira deadline 2026-01-01 cannot be set",
        "host name is required",
        "the pin field is invalid",
        "connection timed out after 30000 ms",
        "sprint-12 is closed",
        "Assignee 'AKIAN' does not exist",
        NULL
    };

    static const unsigned  statuses[] = { 400, 409, 500 };

    (void) state;

    for (i = 0; drop[i] != NULL; i++) {
        for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++) {
            if (safe(drop[i], statuses[j])) {
                print_error("kept %zu \"%s\" with %u\n", i, drop[i],
                            statuses[j]);
            }

            assert_false(safe(drop[i], statuses[j]));
        }
    }

    for (i = 0; keep[i] != NULL; i++) {
        if (!safe(keep[i], 409)) {
            print_error("dropped %zu \"%s\"\n", i, keep[i]);
        }

        assert_true(safe(keep[i], 409));
        assert_true(safe(keep[i], 404));
    }
}


/*
 * Leaks disguised with invisible characters (every Default_Ignorable_Code_
 * Point splits no trigger word), with full-width look-alikes, percent
 * escapes, HTML entities, or letters of another script: dropped whatever
 * the body's shape.  JSON string literals.
 */
static const char  *disguised[] = {
    "\"mail admin\\u00ad@example.com\"",
    "\"pass\\u00adword hunter2 at 10\\u00ad.0.0.5\"",
    "\"Bearer\\u00ad eyJ\\u00adhbGciOiJIUzI1NiJ9\"",
    "\"pass\\u061cword\"",
    "\"pass\\u180eword\"",
    "\"pass\\u206aword\"",
    "\"pass\\u206fword\"",
    "\"pass\\u034fword\"",
    "\"pass\\u17b4word\"",
    "\"pass\\u17b5word\"",
    "\"pass\\u180bword\"",
    "\"pass\\ufe00word\"",
    "\"pass\\ufe0fword\"",
    "\"pass\\u115fword\"",
    "\"pass\\u1160word\"",
    "\"pass\\u3164word\"",
    "\"pass\\uffa0word\"",
    "\"pass\\ufff0word\"",
    "\"pass\\udb40\\udc20word\"",                 /* U+E0020 */
    "\"pass\\udb43\\udfffword\"",                 /* U+E0FFF */
    "\"pass\\ud82f\\udca0word\"",                 /* U+1BCA0 */
    "\"pass\\ud834\\udd73word\"",                 /* U+1D173 */
    "\"cannot reach 10\\uff0e20\\uff0e30\\uff0e40\"",
    "\"mail admin\\uff20example\\uff0ecom\"",
    "\"connect to \\uff4c\\uff4f\\uff43\\uff41\\uff4c\\uff48\\uff4f\\uff53"
        "\\uff54\"",
    "\"cannot reach 10%2E20%2E30%2E40\"",
    "\"mail admin%40example%2Ecom\"",
    "\"cannot reach 10%252E20%252E30%252E40\"",
    "\"cannot reach 10&#46;20&#x2e;30&period;40\"",
    "\"mail admin&commat;example.com\"",
    "\"mail admin&amp;#64;example.com\"",
    "\"bad p\\u0430ssword\"",
    "\"bad \\u0440assword\"",
    "\"bad passw\\u03bfrd\"",
    "\"bad \\ud835\\udc29\\ud835\\udc1a\\ud835\\udc2c\\ud835\\udc2c"
        "\\ud835\\udc30\\ud835\\udc28\\ud835\\udc2b\\ud835\\udc1d\"",
    "\"cannot reach 10\\u300220\\u300230\\u300240\"",
    /* dot, "@", slash, colon and space look-alikes */
    "\"cannot reach 10\\u202420\\u202430\\u202440\"",
    "\"cannot reach 10\\ufe5220\\ufe5230\\ufe5240\"",
    "\"cannot reach 10\\u202720\\u00b730\\u2e3140\"",
    "\"cannot reach 10&#8228;20&#8228;30&#8228;40\"",
    "\"mail admin@example\\u2024com\"",
    "\"mail admin\\ufe6bexample.com\"",
    "\"file \\u2215opt\\u2215app\\u2215x\"",
    "\"file \\u2044opt\\u2044app\\u2044x\"",
    "\"file \\u29f8opt\\u29f8app\\u29f8x\"",
    "\"file \\uff0fopt\\uff0fapp\\uff0fx\"",
    "\"see http\\ufe55//x\"",
    "\"see http\\u2236//x\"",
    "\"SELECT\\u2003*\\u2003FROM users\"",
    "\"\\uff33\\uff25\\uff2c\\uff25\\uff23\\uff34\\u3000*\\u3000\\uff26"
        "\\uff32\\uff2f\\uff2d users\"",
    /* digit look-alikes */
    "\"cannot reach \\u00b9\\u2070.2\\u2070.3\\u2070.4\\u2070\"",
    "\"cannot reach 1\\u2080.2\\u2080.3\\u2080.4\\u2080\"",
    "\"cannot reach \\u2469.\\u2473.\\u325a.\\u32b5\"",
    "\"cannot reach \\u2491\\u249b\\u248a\\u2463\"",
    "\"cannot reach \\u0661\\u0660.\\u0662\\u0660.\\u0663\\u0660."
        "\\u0664\\u0660\"",
    "\"cannot reach \\u06f1\\u06f0.\\u06f2\\u06f0.\\u06f3\\u06f0."
        "\\u06f4\\u06f0\"",
    "\"cannot reach \\u0967\\u0966.\\u0968\\u0966.\\u0969\\u0966."
        "\\u096a\\u0966\"",
    /* combining marks splitting words */
    "\"p\\u0301assword is hunter2\"",
    "\"pa\\u0338ssword=x\"",
    "\"connect to local\\u0307host\"",
    "\"cannot reach 10.2\\u03010.30.40\"",
    "\"pass\\u1ab0word\"",
    "\"pass\\u1dc0word\"",
    "\"pass\\u20d2word\"",
    "\"pass\\ufe20word\"",
    /* letter look-alikes */
    "\"bad pas\\u017fword\"",
    "\"connect to \\u2113ocalhost\"",
    "\"connect to \\u217cocalhost\"",
    "\"connect to loca\\u216chost\"",
    "\"bad \\u24dfassword\"",
    NULL
};


static void
test_disguised_leaks(void **state)
{
    char                                   b[1024];
    size_t                                 i, j;
    result_t                               r;
    const ngx_http_ticketing_error_kind_t  *k;

    static const unsigned  statuses[] = { 400, 409, 500 };

    (void) state;

    for (i = 0; disguised[i] != NULL; i++) {
        for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++) {
            k = ngx_http_ticketing_error_kind(statuses[j]);

            r = inspect(ub(b, sizeof(b), k->code, k->status, k->message,
                           disguised[i]), statuses[j]);

            if (r.len != 0) {
                print_error("disguised %zu (%s) with %u: detail \"%s\"\n",
                            i, disguised[i], statuses[j], r.detail);
            }

            assert_int_equal(r.len, 0);

            /* the same text in a Jira body */
            snprintf(b, sizeof(b), "{\"errorMessages\":[%s]}", disguised[i]);
            r = inspect(b, statuses[j]);
            assert_int_equal(r.len, 0);
        }
    }
}


/* what the folding and the script rule must not take from a real detail */
static void
test_disguise_rules_keep(void **state)
{
    char                                   b[1024];
    size_t                                 i;
    result_t                               r;
    const ngx_http_ticketing_error_kind_t  *k;

    static const struct {
        const char  *json;
        const char  *detail;
    } keep[] = {
        { "\"el ticket est\\u00e1 cerrado; a\\u00f1ade un resumen\"",
          "el ticket est\xc3\xa1 cerrado; a\xc3\xb1" "ade un resumen" },
        { "\"don\\u2019t retry \\u2013 the ticket is closed\"",
          "don\xe2\x80\x99t retry \xe2\x80\x93 the ticket is closed" },
        { "\"\\u0442\\u0438\\u043a\\u0435\\u0442 INST-7902 \\u0437\\u0430"
          "\\u043a\\u0440\\u044b\\u0442\"",
          "\xd1\x82\xd0\xb8\xd0\xba\xd0\xb5\xd1\x82 INST-7902 "
          "\xd0\xb7\xd0\xb0\xd0\xba\xd1\x80\xd1\x8b\xd1\x82" },
        { "\"50% of the quota used\"", "50% of the quota used" },
        { "\"Tom &amp; Jerry\"", "Tom &amp; Jerry" },
        { "\"the value \\uff11\\uff12 is too large\"",
          "the value \xef\xbc\x91\xef\xbc\x92 is too large" },
        { "\"so\\u00adft hy\\u00adphens are removed\"",
          "soft hyphens are removed" },
        { "\"el ticket esta\\u0301 cerrado\"",
          "el ticket esta\xcc\x81 cerrado" },
        { "\"la col\\u00b7lecci\\u00f3 \\u2116 5 est\\u00e0 tancada\"",
          "la col\xc2\xb7lecci\xc3\xb3 \xe2\x84\x96 5 est\xc3\xa0 tancada" },
        { "\"el campo \\u00b9 es obligatorio (m\\u00b2)\"",
          "el campo \xc2\xb9 es obligatorio (m\xc2\xb2)" },
        { "\"paso \\u2460 de \\u2462: a\\u00f1ade un resumen\"",
          "paso \xe2\x91\xa0 de \xe2\x91\xa2: a\xc3\xb1" "ade un resumen" },
        { "\"\\u0627\\u0644\\u062a\\u0630\\u0643\\u0631\\u0629 \\u0661\\u0662"
          " \\u0645\\u063a\\u0644\\u0642\\u0629\"",
          "\xd8\xa7\xd9\x84\xd8\xaa\xd8\xb0\xd9\x83\xd8\xb1\xd8\xa9 "
          "\xd9\xa1\xd9\xa2 \xd9\x85\xd8\xba\xd9\x84\xd9\x82\xd8\xa9" },
        { NULL, NULL }
    };

    (void) state;

    k = ngx_http_ticketing_error_kind(409);

    for (i = 0; keep[i].json != NULL; i++) {
        r = inspect(ub(b, sizeof(b), k->code, k->status, k->message,
                       keep[i].json), 409);

        if (strcmp(r.detail, keep[i].detail) != 0) {
            print_error("keep %zu (%s): detail \"%s\"\n", i, keep[i].json,
                        r.detail);
        }

        assert_string_equal(r.detail, keep[i].detail);
    }
}


/* every Default_Ignorable_Code_Point, first and last of each range */
static void
test_clean_ignorable(void **state)
{
    char      in[16], out[DMAX + 1];
    size_t    i, j, n;
    unsigned  cp;

    static const unsigned  ranges[][2] = {
        { 0x00ad, 0x00ad }, { 0x034f, 0x034f }, { 0x061c, 0x061c },
        { 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180b, 0x180f },
        { 0x200b, 0x200f }, { 0x202a, 0x202e }, { 0x2060, 0x206f },
        { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff },
        { 0xffa0, 0xffa0 }, { 0xfff0, 0xfff8 }, { 0x1bca0, 0x1bca3 },
        { 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff }
    };

    (void) state;

    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        for (j = 0; j < 2; j++) {
            cp = ranges[i][j];
            n = 0;
            in[n++] = 'a';

            if (cp < 0x800) {
                in[n++] = (char) (0xc0 | (cp >> 6));
                in[n++] = (char) (0x80 | (cp & 0x3f));

            } else if (cp < 0x10000) {
                in[n++] = (char) (0xe0 | (cp >> 12));
                in[n++] = (char) (0x80 | ((cp >> 6) & 0x3f));
                in[n++] = (char) (0x80 | (cp & 0x3f));

            } else {
                in[n++] = (char) (0xf0 | (cp >> 18));
                in[n++] = (char) (0x80 | ((cp >> 12) & 0x3f));
                in[n++] = (char) (0x80 | ((cp >> 6) & 0x3f));
                in[n++] = (char) (0x80 | (cp & 0x3f));
            }

            in[n++] = 'b';
            in[n] = '\0';

            clean(in, 0, out);

            if (strcmp(out, "ab") != 0) {
                print_error("U+%04X kept\n", cp);
            }

            assert_string_equal(out, "ab");
        }
    }

    /* their neighbours are not ignorable */
    clean("a\xc2\xac" "b\xe1\x85\x9e" "c\xef\xb9\x90" "d", 0, out);
    assert_string_equal(out, "a\xc2\xac" "b\xe1\x85\x9e" "c\xef\xb9\x90" "d");
}


static size_t
fold(const char *s, char *out)
{
    size_t   n;
    u_char  *copy, *dst;

    n = strlen(s);
    copy = malloc(n ? n : 1);
    dst = malloc(n ? n : 1);
    assert_non_null(copy);
    assert_non_null(dst);
    memcpy(copy, s, n);

    n = ngx_http_ticketing_errbody_fold(copy, n, dst);
    assert_true(n <= strlen(s));
    memcpy(out, dst, n);
    out[n] = '\0';

    free(copy);
    free(dst);

    return n;
}


/* one round of the folded view */
static void
test_fold(void **state)
{
    char  out[DMAX + 1];

    (void) state;

    fold("10%2E20%2e30%2E40 a%40b 50% %zz %4", out);
    assert_string_equal(out, "10.20.30.40 a@b 50% %zz %4");

    fold("a&amp;b &#46;&#x2E;&period;&commat;&colon;&sol; &bogus; &#0;", out);
    assert_string_equal(out, "a&b ...@:/ &bogus; &#0;");

    /* full-width, ideographic full stops, mathematical, circled */
    fold("\xef\xbd\x8c\xef\xbc\x8e\xef\xbc\xa0 1\xe3\x80\x82" "2"
         "\xef\xbd\xa1" "3 \xf0\x9d\x90\xa9\xf0\x9d\x9f\x8f "
         "\xe2\x93\x90\xe2\x92\xb7", out);
    assert_string_equal(out, "l.@ 1.2.3 p1 aB");

    /* the folding table: marks, spaces, dots, digits, letters */
    fold("p\xcc\x81" "a\xe2\x80\x83" "b\xe3\x80\x80" "c\xe2\x80\xa4"
         "d\xef\xb9\x92" "e\xef\xb9\xab" "f\xe2\x88\x95" "g\xef\xb9\x95"
         "h", out);
    assert_string_equal(out, "pa b c.d.e@f/g:h");
    fold("\xc2\xb9\xe2\x81\xb0 \xe2\x91\xa9\xe2\x91\xb3\xe3\x89\x9a"
         "\xe3\x8a\xb5 \xe2\x92\x91 \xd9\xa1\xdb\xb2\xe0\xa5\xa9", out);
    assert_string_equal(out, "10 10203040 10. 123");
    fold("\xc5\xbf \xe2\x84\x93 \xe2\x85\xbc \xe2\x85\xa2 \xe2\x85\xa7", out);
    assert_string_equal(out, "s l l III \xe2\x85\xa7");
    fold("&#8228;&#9321;", out);
    assert_string_equal(out, ".10");

    /* whitespace to spaces; control and ignorable characters dropped */
    fold("a\tb\xc2\xa0" "c\x01" "d\xc2\xad" "e\xf3\xa0\x80\xa0" "f", out);
    assert_string_equal(out, "a b cdef");

    /* one round only: a double escape needs two */
    fold("%252E &amp;#46;", out);
    assert_string_equal(out, "%2E &#46;");
    fold(out, out);
    assert_string_equal(out, ". .");

    /* invalid UTF-8 stays as it is (a percent escape may make it) */
    fold("%C2%AD x\xff", out);
    assert_string_equal(out, "\xc2\xad x\xff");

    /* a host name with a dot look-alike in a 5xx */
    assert_false(safe("mail admin\xe2\x80\xa4" "example\xe2\x80\xa4" "com",
                      500));

    /* the script rule judges words: mixed ones only */
    assert_false(safe("bad p\xd0\xb0ssword", 400));
    assert_false(safe("bad \xd1\x80" "ay", 400));
    assert_true(safe("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c "
                     "INST-7902", 400));
    assert_true(safe("\xce\xb1\xce\xb2 the value", 400));

    /* too deep an encoding is dropped */
    assert_false(safe("value %2525252541", 400));
    assert_true(safe("value %252541", 400));
}


/* each of drop is dropped for 400, 409 and 500; each of keep kept */
static void
drop_keep(const char **drop, const char **keep)
{
    size_t  i, j;

    static const unsigned  statuses[] = { 400, 409, 500 };

    for (i = 0; drop[i] != NULL; i++) {
        for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++) {
            if (safe(drop[i], statuses[j])) {
                print_error("kept %zu \"%s\" with %u\n", i, drop[i],
                            statuses[j]);
            }

            assert_false(safe(drop[i], statuses[j]));
        }
    }

    for (i = 0; keep[i] != NULL; i++) {
        if (!safe(keep[i], 409) || !safe(keep[i], 404)) {
            print_error("dropped %zu \"%s\"\n", i, keep[i]);
        }

        assert_true(safe(keep[i], 409));
        assert_true(safe(keep[i], 404));
    }
}


/* ordinary messages every rule below must keep */
#define ORDINARY                                                             \
    "Sprint-12 is closed",                                                   \
    "La fecha 12.05.2024 no es v\xc3\xa1lida",                               \
    "Version 2.3.1 is required",                                             \
    "INST-7902 not found",                                                   \
    "Use the format key:value"


/* IPv4 with dashes in host names; internal DNS suffixes */
static void
test_dashed_ipv4(void **state)
{
    static const char  *drop[] = {
        "could not reach ip-10-0-1-23 for project INST",
        "host ip-10-0-1-23.eu-west-1.compute.amazonaws.com timed out",
        "10-20-30-40.ticketing.pod not ready",
        "node 172-16-254-1 is down",
        "db prod.abc123.eu-west-1.rds.amazonaws.com refused",
        "ticketing.default.pod not ready",
        "jira.ticketing.svc timed out",
        "worker-a.compute.internal timed out",
        NULL
    };

    static const char  *keep[] = {
        ORDINARY,
        "dates 2024-01-15 and 15-01-2024 are valid",
        "steps 1-2-3-4-5 are required",
        "the range 300-400-500-600 is invalid",
        NULL
    };

    (void) state;

    drop_keep(drop, keep);
}


/* credentials: an auth scheme, a credential word or a token and a value */
static void
test_credential_values(void **state)
{
    static const char  *drop[] = {
        "invalid Authorization header Basic YWRtaW46aHVudGVyMg==",
        "scheme Digest username=admin",
        "NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw== "
            "rejected",
        "user admin pass Hunter2",
        "user admin pass \"Hunter2\"",
        "user admin PIN 0000x1",
        "credenciales admin/Hunter2",
        "Credentials admin/Hunter2 rejected",
        "Passwort falsch: Hunter2",
        "Passwort: geheim",
        "contrase\xc3\xb1" "a Hunter2",
        "X-Auth-Token: 5f4dcc3b5aa765d61d8327deb882cf99",
        "X-Auth-Token 5f4dcc3b5aa765d61d8327deb882cf99",
        "token 5f4dcc3b5aa765d61d8327deb882cf99 expired",
        "session_token=0123456789abcdef",
        "session-token: 0123456789ab",
        NULL
    };

    static const char  *keep[] = {
        ORDINARY,
        "Basic plan does not include this field",
        "Basic authentication is not enabled",
        "Digest 2024 is out",
        "pass the ticket to QA",
        "you passed 3 of 4 checks; pass the issue key",
        "pass INST-7902 to QA",
        "the token has expired",
        "the token expired 2 hours ago",
        "X-Request-Token header is required",
        "token: expired",
        "Credenciales incorrectas",
        "Passwort falsch",
        "Contrase\xc3\xb1" "a incorrecta",
        "CONTRASE\xc3\x91" "A INCORRECTA",
        NULL
    };

    (void) state;

    drop_keep(drop, keep);
}


/* markup removed: the text is judged also with the tags glued away */
static void
test_markup_glued(void **state)
{
    size_t    i, j;
    result_t  r;

    static const char  *drop[] = {
        "cannot reach 10<b></b>.20.30.40",
        "cannot reach 10 <b></b>.20.30.40",
        "cannot reach 10<b></b> .20.30.40",
        "mail admin <x>@masmovil.es",
        "mail admin<x> @masmovil.es",
        "connect to local<i>host</i>",
        "<p>pass</p><p>word</p>",
        "cannot reach 10 .20.30.40",
        "cannot reach 10 . 20 . 30 . 40",
        NULL
    };

    static const char  *keep[] = {
        ORDINARY,
        "Steps 1. 2. 3. 4. are required",
        NULL
    };

    static const struct {
        const char  *body;
        const char  *detail;
    } kept[] = {
        { "Sprint-12 <b>is</b> closed", "Sprint-12 is closed" },
        { "<p>INST-7902</p><p>not found</p>", "INST-7902 not found" },
        { "Use the format <code>key:value</code>",
          "Use the format key:value" },
        { NULL, NULL }
    };

    static const unsigned  statuses[] = { 400, 409, 500 };

    (void) state;

    for (i = 0; drop[i] != NULL; i++) {
        for (j = 0; j < sizeof(statuses) / sizeof(statuses[0]); j++) {
            r = inspect(drop[i], statuses[j]);

            if (r.len != 0) {
                print_error("kept %zu \"%s\" with %u: \"%s\"\n", i,
                            drop[i], statuses[j], r.detail);
            }

            assert_int_equal(r.len, 0);
        }
    }

    for (i = 0; keep[i] != NULL; i++) {
        r = inspect(keep[i], 409);
        assert_string_equal(r.detail, keep[i]);
    }

    for (i = 0; kept[i].body != NULL; i++) {
        r = inspect(kept[i].body, 409);
        assert_string_equal(r.detail, kept[i].detail);
    }
}


/* dot look-alikes (U+0589, U+06D4, U+A4F8) and defanged dots */
static void
test_dot_lookalikes(void **state)
{
    char  out[DMAX + 1];

    static const char  *drop[] = {
        "cannot reach 10\xd6\x89" "20\xd6\x89" "30\xd6\x89" "40",
        "cannot reach 10\xdb\x94" "20\xdb\x94" "30\xdb\x94" "40",
        "cannot reach 10\xea\x93\xb8" "20\xea\x93\xb8" "30\xea\x93\xb8"
            "40",
        "mail admin@masmovil\xdb\x94" "es",
        "cannot reach 10[.]20[.]30[.]40",
        "cannot reach 10(.)20(.)30(.)40",
        "cannot reach 10[dot]20[DOT]30[Dot]40",
        "mail admin@masmovil[.]es",
        "host db[dot]internal refused",
        NULL
    };

    static const char  *keep[] = {
        ORDINARY,
        "Use [.] as the separator",
        "\xd5\xa3\xd6\x80\xd5\xb8\xd6\x82\xd5\xb4 INST-7902\xd6\x89",
        NULL
    };

    (void) state;

    fold("1\xd6\x89" "2\xdb\x94" "3\xea\x93\xb8" "4", out);
    assert_string_equal(out, "1.2.3.4");

    fold("10[.]20(.)30[dot]40 a[DOT]b [.] [ . ] (dot)", out);
    assert_string_equal(out, "10.20.30.40 a.b . [ . ] .");

    drop_keep(drop, keep);
}


static void
test_nginx_detail(void **state)
{
    unsigned  st[] = { 400, 413, 414, 431, 494, 500, 502, 503, 504 };
    size_t    i;

    (void) state;

    for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
        assert_non_null(ngx_http_ticketing_errbody_nginx_detail(st[i]));
    }

    assert_string_equal(ngx_http_ticketing_errbody_nginx_detail(504),
                        "the upstream service did not answer in time");
    assert_null(ngx_http_ticketing_errbody_nginx_detail(418));
}


static size_t
gzip_bytes(const char *s, u_char *out, size_t size)
{
    z_stream  z;

    memset(&z, 0, sizeof(z));
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                  Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *) s;
    z.avail_in = strlen(s);
    z.next_out = out;
    z.avail_out = size;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    deflateEnd(&z);

    return size - z.avail_out;
}


static void
test_gunzip(void **state)
{
    int       complete;
    size_t    n;
    u_char    gz[256], *in, *out;
    ssize_t   m;

    static const char  body[] = "{\"message\":\"Gzip-encoded error body\"}";

    (void) state;

    n = gzip_bytes(body, gz, sizeof(gz));

    in = malloc(n);
    out = malloc(sizeof(body));
    memcpy(in, gz, n);

    m = ngx_http_ticketing_errbody_gunzip(in, n, out, sizeof(body) - 1,
                                          &complete);
    assert_int_equal(m, sizeof(body) - 1);
    assert_true(complete);
    assert_memory_equal(out, body, sizeof(body) - 1);

    /* output cap */
    m = ngx_http_ticketing_errbody_gunzip(in, n, out, 10, &complete);
    assert_int_equal(m, 10);
    assert_false(complete);

    /* input cut short */
    m = ngx_http_ticketing_errbody_gunzip(in, n - 8, out, sizeof(body) - 1,
                                          &complete);
    assert_true(m >= 0);
    assert_false(complete);

    /* not gzip */
    m = ngx_http_ticketing_errbody_gunzip((const u_char *) "plain text", 10,
                                          out, sizeof(body) - 1, &complete);
    assert_int_equal(m, -1);
    assert_false(complete);

    free(in);
    free(out);
}


static void
test_error_body_kind(void **state)
{
    size_t   size, n;
    u_char  *buf;

    static const ngx_http_ticketing_error_kind_t  teapot =
        { 418, "0900", "TEAPOT", "I'm a teapot" };

    (void) state;

    size = ngx_http_ticketing_error_body_size(4) + 4 + 6 + 12;
    buf = malloc(size);

    n = ngx_http_ticketing_error_body_kind(buf, size, &teapot,
                                           (const u_char *) "full", 4);
    assert_int_equal(n, strlen("{\"code\":\"0900\",\"status\":\"TEAPOT\","
                               "\"message\":\"I'm a teapot\","
                               "\"detailMsg\":\"full\"}"));
    assert_memory_equal(buf, "{\"code\":\"0900\",\"status\":\"TEAPOT\","
                        "\"message\":\"I'm a teapot\",\"detailMsg\":\"full\"}",
                        n);

    n = ngx_http_ticketing_error_body_kind(buf, size, &teapot, NULL, 0);
    assert_memory_equal(buf, "{\"code\":\"0900\",\"status\":\"TEAPOT\","
                        "\"message\":\"I'm a teapot\",\"detailMsg\":null}", n);

    /* too small: nothing written past the buffer, 0 returned */
    assert_int_equal(ngx_http_ticketing_error_body_kind(buf, 60, &teapot,
                                            (const u_char *) "full", 4), 0);

    free(buf);
}


/* whatever the input, a detail is short, valid UTF-8, free of controls */
static void
test_random(void **state)
{
    size_t    i, j, len, n;
    u_char    body[300];
    unsigned  seed, c, cp;
    result_t  r;

    static const char  pieces[] = "{}[]\":,<>&;#x/. \n\tat0123456789aZ\\";

    (void) state;

    seed = 12345;

    for (i = 0; i < 20000; i++) {
        len = (i * 7) % sizeof(body);

        for (j = 0; j < len; j++) {
            seed = seed * 1103515245 + 12345;
            c = (seed >> 16) & 0xff;
            body[j] = (c & 1) ? (u_char) pieces[c % (sizeof(pieces) - 1)]
                              : (u_char) c;
        }

        r = inspect_n((const char *) body, len,
                      (unsigned) (i & 3), 400 + (unsigned) (i % 200));

        for (j = 0; j < r.len; j += n) {
            c = (u_char) r.detail[j];
            n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2
                : (c & 0xf0) == 0xe0 ? 3 : 4;
            assert_true(j + n <= r.len);

            cp = c;
            if (n == 1) {
                assert_true(cp >= 0x20 && cp != 0x7f);
            }
        }
    }
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_uniform_consistency),
        cmocka_unit_test(test_uniform_leaks),
        cmocka_unit_test(test_jira),
        cmocka_unit_test(test_spring),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_safe),
        cmocka_unit_test(test_judged_whole),
        cmocka_unit_test(test_classifier_gaps),
        cmocka_unit_test(test_disguised_leaks),
        cmocka_unit_test(test_disguise_rules_keep),
        cmocka_unit_test(test_clean_ignorable),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_dashed_ipv4),
        cmocka_unit_test(test_credential_values),
        cmocka_unit_test(test_markup_glued),
        cmocka_unit_test(test_dot_lookalikes),
        cmocka_unit_test(test_nginx_detail),
        cmocka_unit_test(test_gunzip),
        cmocka_unit_test(test_error_body_kind),
        cmocka_unit_test(test_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
