
/*
 * Unit tests of the request rules (ngx_http_ticketing_rules.c): query
 * parameters, Content-Type, JSON bodies, base64.
 *
 * Inputs are copied into buffers of exactly their length, from malloc(),
 * so that AddressSanitizer reports any read past them.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ngx_http_ticketing_rules.h"


/* the operations' numbers in the reference (operations.md) */
#define OP_TICKET_CREATE       1
#define OP_TICKET_UPDATE       3
#define OP_TICKET_SEARCH       5
#define OP_SEARCH_BY_ID        7
#define OP_TRANSITION          9
#define OP_ASSIGN              10
#define OP_CREATE_PROPERTIES   11
#define OP_FIELD_INFO          14
#define OP_COMMENT_CREATE      15
#define OP_ATTACHMENT_CREATE   16
#define OP_ISSUE_LINK_CREATE   19
#define OP_GRID_UPDATE         24
#define OP_REMOTELINK_CREATE   27


#define DETAIL_SIZE  160


static unsigned
query(unsigned op, const char *q, char *detail)
{
    size_t     len;
    u_char    *copy;
    unsigned   rc;

    len = strlen(q);
    copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, q, len);

    detail[0] = '\0';
    rc = ngx_http_ticketing_rules_query(op, copy, len, detail, DETAIL_SIZE);

    free(copy);

    return rc;
}


static void
query_ok(unsigned op, const char *q)
{
    char  detail[DETAIL_SIZE];

    if (query(op, q, detail) != 0) {
        fail_msg("query \"%s\" refused: %s", q, detail);
    }
}


static void
query_bad(unsigned op, const char *q, const char *want)
{
    char  detail[DETAIL_SIZE];

    if (query(op, q, detail) != 400) {
        fail_msg("query \"%s\" accepted", q);
    }

    if (strstr(detail, want) == NULL) {
        fail_msg("query \"%s\": detail \"%s\" lacks \"%s\"", q, detail, want);
    }
}


static void
test_search_by_id(void **state)
{
    unsigned  op = OP_SEARCH_BY_ID;

    (void) state;

    query_ok(op, "customer_id=12345");
    query_ok(op, "work_order_id=Y1");
    query_ok(op, "line=678900000");
    query_ok(op, "document_id=X");
    query_ok(op, "startAt=0&line=1&maxResults=5");
    query_ok(op, "customer_id=1&line=2&document_id=3&work_order_id=4");
    query_ok(op, "&&customer_id=1&&");
    query_ok(op, "customer%5Fid=1");
    query_ok(op, "customer_id=%20");
    query_ok(op, "other=1&other=2&line=3");

    query_bad(op, "", "customer_id, work_order_id, line, document_id");
    query_bad(op, "customer_id=", "at least one");
    query_bad(op, "customer_id", "at least one");
    query_bad(op, "Customer_ID=1", "at least one");
    query_bad(op, "customer_idx=1", "at least one");
    query_bad(op, "startAt=0", "at least one");
    query_bad(op, "line=1&line=2", "query parameter line is repeated");
    query_bad(op, "line=&line=2", "repeated");
    query_bad(op, "line=%zz", "malformed percent-encoding");
    query_bad(op, "line=%4", "malformed percent-encoding");
    query_bad(op, "line=1%", "malformed percent-encoding");
    query_bad(op, "li%6=1", "malformed percent-encoding");
}


static void
test_field_info(void **state)
{
    unsigned  op = OP_FIELD_INFO;

    (void) state;

    query_ok(op, "api_name=segment");
    query_ok(op, "customfield_id=customfield_10201");
    query_ok(op, "jira_label=Documento+Cliente");
    query_ok(op, "api_name=segment&jira_label=");

    query_bad(op, "", "one of the query parameters api_name, customfield_id, "
                      "jira_label is required");
    query_bad(op, "api_name=a&jira_label=b", "only one of");
    query_bad(op, "api_name=a&customfield_id=b&jira_label=c", "only one of");
    query_bad(op, "api_name=a&api_name=b", "api_name is repeated");
}


static void
test_required_params(void **state)
{
    (void) state;

    query_ok(OP_CREATE_PROPERTIES,
             "projectKey=INST&ticketType=Incidencia");
    query_ok(OP_CREATE_PROPERTIES,
             "ticketType=Incid%C3%A8ncia&projectKey=INST");
    query_bad(OP_CREATE_PROPERTIES, "projectKey=INST",
              "query parameter ticketType is required");
    query_bad(OP_CREATE_PROPERTIES, "ticketType=x",
              "query parameter projectKey is required");
    query_bad(OP_CREATE_PROPERTIES,
              "projectKey=&ticketType=x", "projectKey is required");

    query_ok(OP_GRID_UPDATE, "customFieldName=grid");
    query_bad(OP_GRID_UPDATE, "",
              "query parameter customFieldName is required");
    query_bad(OP_GRID_UPDATE,
              "customFieldName=a&customFieldName=b", "repeated");

    /* operations without query rules take anything */
    query_ok(2, "");
    query_ok(2, "%zz&&&===");
    query_ok(13, "x=1&x=2");
}


static void
test_json_type(void **state)
{
    size_t       i;
    u_char      *copy;
    const char  *yes[] = {
        "application/json", "Application/JSON",
        "application/json; charset=utf-8", "application/json;charset=UTF-8",
        "application/json ; charset=\"utf-8\"",
        "application/vnd.api+json", " application/json", "application/json;",
        "application/json; foo=bar",
    };
    const char  *no[] = {
        "", "text/plain", "application/xml", "application/jsonx",
        "application/json-patch", "text/json", "application/+json",
        "application/json; charset=latin1", "multipart/form-data",
        "application/x-www-form-urlencoded", "application",
        "application/json; charset=",
    };

    (void) state;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        copy = malloc(strlen(yes[i]) + 1);
        memcpy(copy, yes[i], strlen(yes[i]));
        if (!ngx_http_ticketing_rules_json_type(copy, strlen(yes[i]))) {
            fail_msg("\"%s\" is JSON", yes[i]);
        }
        free(copy);
    }

    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        copy = malloc(strlen(no[i]) + 1);
        memcpy(copy, no[i], strlen(no[i]));
        if (ngx_http_ticketing_rules_json_type(copy, strlen(no[i]))) {
            fail_msg("\"%s\" is not JSON", no[i]);
        }
        free(copy);
    }
}


static unsigned
body(unsigned op, const char *b, size_t len, char *detail)
{
    u_char    *copy;
    unsigned   rc;

    copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, b, len);

    detail[0] = '\0';
    rc = ngx_http_ticketing_rules_body_buf(op, copy, len, detail,
                                           DETAIL_SIZE);
    free(copy);

    return rc;
}


static void
body_ok(unsigned op, const char *b)
{
    char  detail[DETAIL_SIZE];

    if (body(op, b, strlen(b), detail) != 0) {
        fail_msg("body %s refused: %s", b, detail);
    }
}


static void
body_bad(unsigned op, const char *b, const char *want)
{
    char  detail[DETAIL_SIZE];

    if (body(op, b, strlen(b), detail) != 400) {
        fail_msg("body %s accepted", b);
    }

    if (strstr(detail, want) == NULL) {
        fail_msg("body %s: detail \"%s\" lacks \"%s\"", b, detail, want);
    }
}


static void
test_body_tickets(void **state)
{
    unsigned  op;

    (void) state;

    op = OP_TICKET_CREATE;
    body_ok(op, "{\"project\":\"INST\",\"ticketType\":\"Incidencia\","
                "\"summary\":\"Cita\",\"description\":\"d\","
                "\"components\":[],\"customFields\":{\"brand\":\"Yoigo\"}}");
    body_bad(op, "{\"ticketType\":\"I\",\"summary\":\"s\"}",
             "body field project is required");
    body_bad(op, "{\"project\":\"P\",\"summary\":\"s\"}",
             "body field ticketType is required");
    body_bad(op, "{\"project\":\"P\",\"ticketType\":\"I\"}",
             "body field summary is required");
    body_bad(op, "{\"project\":1,\"ticketType\":\"I\",\"summary\":\"s\"}",
             "body field project must be a string");
    body_bad(op, "{\"project\":\"\",\"ticketType\":\"I\",\"summary\":\"s\"}",
             "body field project must not be empty");
    body_bad(op, "{\"project\":\"P\",\"ticketType\":\"I\",\"summary\":\"s\","
                 "\"customFields\":[]}",
             "body field customFields must be an object");
    body_bad(op, "[]", "request body must be a JSON object");
    body_bad(op, "\"x\"", "request body must be a JSON object");
    body_bad(op, "null", "request body must be a JSON object");

    op = OP_TICKET_UPDATE;
    body_ok(op, "{\"summary\":\"x\"}");
    body_bad(op, "{}", "names no field");

    op = OP_TICKET_SEARCH;
    body_ok(op, "{\"filters\":{\"project\":{\"$in\":[\"INST\"]}},"
                "\"startAt\":0,\"maxResults\":10}");
    body_ok(op, "{\"filters\":[{\"a\":1}]}");
    body_bad(op, "{\"startAt\":\"0\"}", "startAt must be an integer");
    body_bad(op, "{\"filters\":1}", "filters must be an object or an array");

    op = OP_TRANSITION;
    body_ok(op, "{\"transitionId\":21}");
    body_ok(op, "{\"status\":\"Resuelto\",\"customFields\":{}}");
    body_bad(op, "{\"transitionId\":\"21\"}",
             "transitionId must be an integer");
    body_bad(op, "{\"transitionId\":21.5}",
             "transitionId must be an integer");
    body_bad(op, "{}", "transitionId (an integer) or status is required");
    body_bad(op, "{\"status\":\"\"}", "status must not be empty");
    body_bad(op, "{\"status\":3}", "status must be a string");

    op = OP_ASSIGN;
    body_ok(op, "{\"assignee\":\"admin.micro\"}");
    body_ok(op, "{\"assignee\":null}");
    body_bad(op, "{}", "body field assignee is required");
    body_bad(op, "{\"assignee\":[]}", "assignee must be a string or null");
}


static void
test_body_others(void **state)
{
    unsigned  op;

    (void) state;

    op = OP_COMMENT_CREATE;
    body_ok(op, "{\"body\":\"Cliente contactado.\"}");
    body_ok(op, "{\"body\":\"\\u00f1 \xc3\xb1\",\"author\":\"x\"}");
    body_bad(op, "{\"Body\":\"x\"}", "body field body is required");
    body_bad(op, "{\"body\":\"\"}", "must not be empty");

    op = OP_ATTACHMENT_CREATE;
    body_ok(op, "{\"name\":\"a.txt\",\"data\":\"aG9sYQ==\"}");
    body_ok(op, "{\"name\":\"a\",\"data\":\"aG9s\",\"mimeType\":\"t/p\"}");
    body_bad(op, "{\"name\":\"a.txt\"}", "body field data is required");
    body_bad(op, "{\"data\":\"aG9s\"}", "body field name is required");
    body_bad(op, "{\"name\":\"a\",\"data\":\"aG9sYQ=\"}",
             "data must be valid base64");
    body_bad(op, "{\"name\":\"a\",\"data\":\"a G9s\"}", "valid base64");
    body_bad(op, "{\"name\":\"a\",\"data\":\"aG9s!A==\"}", "valid base64");
    body_bad(op, "{\"name\":\"a\",\"data\":5}", "data must be a string");

    op = OP_ISSUE_LINK_CREATE;
    body_ok(op, "{\"type\":{\"name\":\"Relates\"},"
                "\"inwardIssue\":{\"key\":\"INST-7902\"},"
                "\"outwardIssue\":{\"key\":\"MAS-1201\"}}");
    body_bad(op, "{\"inwardIssue\":{\"key\":\"A\"},"
                 "\"outwardIssue\":{\"key\":\"B\"}}",
             "body field type is required");
    body_bad(op, "{\"type\":{},\"inwardIssue\":{\"key\":\"A\"},"
                 "\"outwardIssue\":{\"key\":\"B\"}}",
             "body field type.name is required");
    body_bad(op, "{\"type\":{\"name\":\"R\"},\"inwardIssue\":\"A\","
                 "\"outwardIssue\":{\"key\":\"B\"}}",
             "body field inwardIssue must be an object");
    body_bad(op, "{\"type\":{\"name\":\"R\"},\"inwardIssue\":{\"key\":\"A\"},"
                 "\"outwardIssue\":{}}",
             "body field outwardIssue.key is required");

    op = OP_GRID_UPDATE;
    body_ok(op, "[{\"rowId\":\"row_1\",\"columns\":{\"key\":\"final\"}}]");
    body_ok(op, "[{\"rowId\":7,\"columns\":{}},"
                "{\"rowId\":\"b\",\"columns\":{}}]");
    body_bad(op, "{\"rowId\":\"a\",\"columns\":{}}", "must be an array");
    body_bad(op, "[]", "must not be an empty array");
    body_bad(op, "[1]", "every row of the body must be an object");
    body_bad(op, "[{\"columns\":{}}]", "rowId is required");
    body_bad(op, "[{\"rowId\":\"a\"}]", "body field columns is required");
    body_bad(op, "[{\"rowId\":\"a\",\"columns\":[]}]",
             "columns must be an object");

    op = OP_REMOTELINK_CREATE;
    body_ok(op, "{\"ticketId\":\"INST-7902\",\"url\":\"https://e.x\"}");
    body_ok(op, "{}");
    body_bad(op, "[]", "must be a JSON object");
}


static void
test_body_malformed(void **state)
{
    size_t    i, n;
    char     *deep, detail[DETAIL_SIZE];
    unsigned  op = OP_REMOTELINK_CREATE;

    const char  *bad[] = {
        "", " ", "{", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "{'a':1}",
        "{\"a\":01}", "{\"a\":1}{}", "{\"a\":1} x", "{\"a\":tru}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}",
        "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\\ud800\"}", "{\"a\":1,\"a\":2}",
        "{\"a\":123456789012345678901234567890}", "{\"a\":1e999}",
        "{\"a\":-1e999}", "{\"a\":NaN}", "{\"a\":\"x\ny\"}", "\xef\xbb\xbf{}",
    };

    (void) state;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        body_bad(op, bad[i], "not valid JSON");
    }

    /* the detail names the reason and the position, never body bytes */
    {
        const char  *echo[] = {
            "{\"a\":\xe2\x80\xae" "evil}", "\xef\xbb\xbf{}",
            "{\"a\":\"abc\x01\"}", "{'password':1}", "{\"k\":1,\"k\":2}",
            "{\"a\":secret}", "{\"summary\":\"s\",\"\\ud800\":1}",
            "{\"a\":\"\xff\"}",
        };

        for (i = 0; i < sizeof(echo) / sizeof(echo[0]); i++) {
            assert_int_equal(body(op, echo[i], strlen(echo[i]), detail),
                             400);
            assert_non_null(strstr(detail, "not valid JSON"));
            assert_null(strstr(detail, "near"));
            assert_null(strstr(detail, "\xe2\x80\xae"));
            assert_null(strstr(detail, "\xef\xbb\xbf"));
            assert_null(strstr(detail, "abc"));
            assert_null(strstr(detail, "password"));
            assert_null(strstr(detail, "secret"));
            assert_null(strstr(detail, "\"k\""));
            assert_null(strchr(detail, '\''));
            assert_null(strstr(detail, "D800"));
            assert_null(strstr(detail, "d800"));
            assert_null(strstr(detail, "0xff"));
            assert_null(strstr(detail, "\xff"));
        }

        /* the reasons are the gateway's own words */
        assert_int_equal(body(op, "{\"a\":1,\"a\":2}", 13, detail), 400);
        assert_non_null(strstr(detail, "a duplicate object key (at byte"));
        assert_int_equal(body(op, "{\"a\":1", 6, detail), 400);
        assert_non_null(strstr(detail, "the document ends too early"));
        assert_int_equal(body(op, "{\"a\":1} x", 10, detail), 400);
        assert_non_null(strstr(detail, "data after the document"));
        assert_int_equal(body(op, "{\"a\":\"\xff\"}", 9, detail), 400);
        assert_non_null(strstr(detail, "invalid UTF-8"));
    }

    /* NUL inside the body */
    assert_int_equal(body(op, "{\"a\":1}\0", 8, detail), 400);
    assert_int_equal(body(op, "{\"a\0\":1}", 8, detail), 400);

    /* deeply nested: refused, never a crash */
    n = 100000;
    deep = malloc(2 * n + 1);
    assert_non_null(deep);
    for (i = 0; i < n; i++) {
        deep[i] = '[';
        deep[2 * n - 1 - i] = ']';
    }
    deep[2 * n] = '\0';
    assert_int_equal(body(OP_GRID_UPDATE, deep, 2 * n,
                          detail), 400);
    free(deep);

    /* whitespace around is fine; big but finite numbers too */
    body_ok(op, " \n{\"a\":1}\r\n ");
    body_ok(op, "{\"a\":9223372036854775807,\"b\":1.5e300}");

    /* the detail never grows past its buffer */
    assert_true(strlen(detail) < DETAIL_SIZE);
}


static void
test_base64(void **state)
{
    size_t                        i, k;
    ngx_http_ticketing_base64_t   b;

    const char  *ok[] = { "", "aG9sYQ==", "aG9sYW==", "aG9s", "AAA=",
                          "+/+/", "QUJD" };
    const char  *bad[] = { "a", "aG9", "aG9sY", "a===", "aG9sYQ=", "aG=s",
                           "aG9sYQ==QUJD", "aG9s\n", "aG-_", "====" };

    (void) state;

    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        ngx_http_ticketing_base64_init(&b);
        ngx_http_ticketing_base64_update(&b, (const u_char *) ok[i],
                                         strlen(ok[i]));
        if (!ngx_http_ticketing_base64_final(&b)) {
            fail_msg("\"%s\" is base64", ok[i]);
        }

        /* fed byte by byte: the same answer */
        ngx_http_ticketing_base64_init(&b);
        for (k = 0; k < strlen(ok[i]); k++) {
            ngx_http_ticketing_base64_update(&b, (const u_char *) ok[i] + k,
                                             1);
        }
        assert_true(ngx_http_ticketing_base64_final(&b));
    }

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ngx_http_ticketing_base64_init(&b);
        ngx_http_ticketing_base64_update(&b, (const u_char *) bad[i],
                                         strlen(bad[i]));
        if (ngx_http_ticketing_base64_final(&b)) {
            fail_msg("\"%s\" is not base64", bad[i]);
        }

        ngx_http_ticketing_base64_init(&b);
        for (k = 0; k < strlen(bad[i]); k++) {
            ngx_http_ticketing_base64_update(&b, (const u_char *) bad[i] + k,
                                             1);
        }
        assert_false(ngx_http_ticketing_base64_final(&b));
    }
}


/* random queries and bodies: an answer, never a crash or an overflow */
static void
test_random(void **state)
{
    size_t     len, k;
    unsigned   op, rc, round;
    char       detail[DETAIL_SIZE], *buf;

    static const char  alphabet[] = "&=%+_aAzZ09{}[]\":,.-e \\\x01\xff";

    (void) state;

    srand(20261129);

    for (round = 0; round < 20000; round++) {
        len = rand() % 64;
        buf = malloc(len + 1);
        assert_non_null(buf);

        for (k = 0; k < len; k++) {
            buf[k] = alphabet[rand() % (sizeof(alphabet) - 1)];
        }

        /* query() takes a C string (it copies it to an exact buffer) */
        buf[len] = '\0';

        op = 1 + rand() % 27;

        rc = query(op, buf, detail);
        assert_true(rc == 0 || rc == 400);
        assert_true(strlen(detail) < DETAIL_SIZE);

        rc = body(op, buf, len, detail);
        assert_true(rc == 0 || rc == 400);
        assert_true(strlen(detail) < DETAIL_SIZE);

        free(buf);
    }
}


static void
test_has_body(void **state)
{
    unsigned  op, n;

    (void) state;

    n = 0;
    for (op = 1; op <= 27; op++) {
        n += ngx_http_ticketing_rules_has_body(op);
    }

    /* the POST/PUT/PATCH operations of the catalogue */
    assert_int_equal(n, 10);
    assert_true(ngx_http_ticketing_rules_has_body(24));
    assert_false(ngx_http_ticketing_rules_has_body(2));
    assert_false(ngx_http_ticketing_rules_has_body(18));

    /* only remotelink.create is documented without a body */
    n = 0;
    for (op = 1; op <= 27; op++) {
        n += ngx_http_ticketing_rules_body_optional(op);
    }

    assert_int_equal(n, 1);
    assert_true(ngx_http_ticketing_rules_body_optional(27));
    assert_true(ngx_http_ticketing_rules_has_body(27));
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_search_by_id),
        cmocka_unit_test(test_field_info),
        cmocka_unit_test(test_required_params),
        cmocka_unit_test(test_json_type),
        cmocka_unit_test(test_body_tickets),
        cmocka_unit_test(test_body_others),
        cmocka_unit_test(test_body_malformed),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_has_body),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
