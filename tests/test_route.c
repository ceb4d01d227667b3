
/*
 * Unit tests of the operation catalogue and the path matcher
 * (ngx_http_ticketing_route.c).
 *
 * Every match runs with a scratch buffer of exactly "len" bytes from
 * malloc(), so that AddressSanitizer reports any write past it.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ngx_http_ticketing_route.h"


#define GET     NGX_HTTP_TICKETING_GET
#define POST    NGX_HTTP_TICKETING_POST
#define PUT     NGX_HTTP_TICKETING_PUT
#define PATCH   NGX_HTTP_TICKETING_PATCH
#define DELETE  NGX_HTTP_TICKETING_DELETE

#define RC_OK        NGX_HTTP_TICKETING_ROUTE_OK
#define RC_NOT_FOUND NGX_HTTP_TICKETING_ROUTE_NOT_FOUND
#define RC_405       NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED
#define RC_BAD_PARAM NGX_HTTP_TICKETING_ROUTE_BAD_PARAM

#define NPARAMS NGX_HTTP_TICKETING_NPARAMS

#define NOT_FOUND_DETAIL  "no Ticketing API operation at this path"


/* the result of one match, with the parameter values copied out */
typedef struct {
    ngx_http_ticketing_route_rc_e  rc;
    ngx_http_ticketing_route_t     rt;
    char                           param[NPARAMS][512];
    size_t                         param_len[NPARAMS];
} result_t;


static const char *
rc_name(ngx_http_ticketing_route_rc_e rc)
{
    switch (rc) {
    case RC_OK:        return "OK";
    case RC_NOT_FOUND: return "NOT_FOUND";
    case RC_405:       return "METHOD_NOT_ALLOWED";
    case RC_BAD_PARAM: return "BAD_PARAM";
    }

    return "?";
}


/*
 * Runs the matcher on "len" raw bytes of "path" with a scratch buffer of
 * exactly "len" bytes, checks that every parameter points into that
 * buffer, and copies the parameters out before freeing it.
 */
static void
match_bytes(const char *path, size_t len, unsigned method, result_t *res)
{
    size_t   i;
    u_char  *scratch, *raw;

    memset(res, 0, sizeof(result_t));

    /* a copy of exactly len bytes too: the matcher must not read past it */
    raw = malloc(len ? len : 1);
    assert_non_null(raw);
    memcpy(raw, path, len);

    scratch = malloc(len ? len : 1);
    assert_non_null(scratch);

    /* garbage in rt: the matcher must reset it */
    memset(&res->rt, 0xa5, sizeof(res->rt));

    res->rc = ngx_http_ticketing_route_match(raw, len, method, scratch,
                                             &res->rt);

    /* detail is always a NUL-terminated string within its buffer */
    assert_non_null(memchr(res->rt.detail, '\0', sizeof(res->rt.detail)));

    for (i = 0; i < NPARAMS; i++) {
        res->param_len[i] = res->rt.params[i].len;

        if (res->rt.params[i].len == 0) {
            continue;
        }

        assert_non_null(res->rt.params[i].data);
        assert_true(res->rt.params[i].data >= scratch);
        assert_true(res->rt.params[i].data + res->rt.params[i].len
                    <= scratch + len);
        assert_true(res->rt.params[i].len < sizeof(res->param[i]));

        memcpy(res->param[i], res->rt.params[i].data, res->rt.params[i].len);
        res->param[i][res->rt.params[i].len] = '\0';
    }

    free(scratch);
    free(raw);

    /* the pointers are dangling now; make sure no test uses them */
    for (i = 0; i < NPARAMS; i++) {
        res->rt.params[i].data = NULL;
    }
}


static void
match(const char *path, unsigned method, result_t *res)
{
    match_bytes(path, strlen(path), method, res);
}


static unsigned
method_bit(const char *m)
{
    if (strcmp(m, "GET") == 0) {
        return GET;
    }
    if (strcmp(m, "POST") == 0) {
        return POST;
    }
    if (strcmp(m, "PUT") == 0) {
        return PUT;
    }
    if (strcmp(m, "PATCH") == 0) {
        return PATCH;
    }
    if (strcmp(m, "DELETE") == 0) {
        return DELETE;
    }

    fail_msg("unknown method %s", m);
    return 0;
}


/*
 * A path made from a template, every {param} replaced by "value"; returns
 * its length (path is NUL-terminated).
 */
static size_t
fill_template(const char *tpl, const char *value, char *path, size_t size)
{
    size_t       n;
    const char  *t, *close;

    n = 0;

    for (t = tpl; *t && n < size - 1; t++) {
        if (*t == '{') {
            close = strchr(t, '}');
            assert_non_null(close);
            n += (size_t) snprintf(path + n, size - n, "%s", value);
            t = close;
            continue;
        }

        path[n++] = *t;
    }

    assert_true(n < size);
    path[n] = '\0';

    return n;
}


static void
expect_rc(const char *path, const result_t *res,
    ngx_http_ticketing_route_rc_e rc)
{
    if (res->rc != rc) {
        fail_msg("%s: rc %s, expected %s (detail \"%s\")", path,
                 rc_name(res->rc), rc_name(rc), res->rt.detail);
    }
}


static void
expect_param(const result_t *res, ngx_http_ticketing_param_e p,
    const char *value)
{
    if (value == NULL) {
        assert_int_equal(res->param_len[p], 0);
        return;
    }

    assert_int_equal(res->param_len[p], strlen(value));
    assert_string_equal(res->param[p], value);
}


/* ---------------------------------------------------------------------- */
/* every operation matches                                                  */


typedef struct {
    const char  *method;
    const char  *path;
    const char  *name;
    unsigned     number;
    const char  *org;
    const char  *ticket_id;
    const char  *attachment_id;
    const char  *issue_link_id;
} route_case_t;


/* one row per operation of /work/shared/spec/operations.md, in order */
static const route_case_t  all_operations[] = {
    { "POST", "/v2/orgs/yoigo/ticket", "ticket.create", 1,
      "yoigo", NULL, NULL, NULL },
    { "GET", "/v2/orgs/yoigo/ticket/INST-7902", "ticket.get", 2,
      "yoigo", "INST-7902", NULL, NULL },
    { "PATCH", "/v2/orgs/yoigo/ticket/10042", "ticket.update", 3,
      "yoigo", "10042", NULL, NULL },
    { "GET", "/v2/orgs/yoigo/search/ticket", "ticket.searchJql", 4,
      "yoigo", NULL, NULL, NULL },
    { "POST", "/v2/orgs/yoigo/search/ticket", "ticket.search", 5,
      "yoigo", NULL, NULL, NULL },
    { "GET", "/v2/orgs/acme/searchByTerritoryOwner",
      "ticket.searchByTerritoryOwner", 6, "acme", NULL, NULL, NULL },
    { "GET", "/v2/orgs/acme/searchByIDParams", "ticket.searchByIDParams", 7,
      "acme", NULL, NULL, NULL },
    { "GET", "/v2/orgs/yoigo/ticket/INST-7902/transitions",
      "ticket.transitions", 8, "yoigo", "INST-7902", NULL, NULL },
    { "POST", "/v2/orgs/yoigo/ticket/INST-7902/transitions",
      "ticket.transition", 9, "yoigo", "INST-7902", NULL, NULL },
    { "PUT", "/v2/ticket/INST-1/assignee", "ticket.assign", 10,
      NULL, "INST-1", NULL, NULL },
    { "GET", "/v2/ticket/metadata/create/properties",
      "metadata.createProperties", 11, NULL, NULL, NULL, NULL },
    { "GET", "/v2/ticket/123/metadata/update/properties",
      "metadata.updateProperties", 12, NULL, "123", NULL, NULL },
    { "GET", "/v2/ticket/metadata/types", "metadata.types", 13,
      NULL, NULL, NULL, NULL },
    { "GET", "/v2/ticket/field/info", "metadata.fieldInfo", 14,
      NULL, NULL, NULL, NULL },
    { "POST", "/v2/ticket/PRJ-55/comment", "comment.create", 15,
      NULL, "PRJ-55", NULL, NULL },
    { "POST", "/v2/ticket/PRJ-55/attachment", "attachment.create", 16,
      NULL, "PRJ-55", NULL, NULL },
    { "GET", "/v2/ticket/PRJ-55/attachment/98765", "attachment.get", 17,
      NULL, "PRJ-55", "98765", NULL },
    { "DELETE", "/v2/attachment/98765", "attachment.delete", 18,
      NULL, NULL, "98765", NULL },
    { "POST", "/v2/issueLink", "issueLink.create", 19,
      NULL, NULL, NULL, NULL },
    { "GET", "/v2/issueLink/5", "issueLink.get", 20,
      NULL, NULL, NULL, "5" },
    { "DELETE", "/v2/issueLink/5", "issueLink.delete", 21,
      NULL, NULL, NULL, "5" },
    { "GET", "/v2/issueLinkType", "issueLinkType.list", 22,
      NULL, NULL, NULL, NULL },
    { "GET", "/v2/issueLinkType/10000", "issueLinkType.get", 23,
      NULL, NULL, NULL, "10000" },
    { "PUT", "/v2/ticket/INST-7902/grid", "grid.update", 24,
      NULL, "INST-7902", NULL, NULL },
    { "GET", "/v2/ticket/INST-7902/ia/summary", "ia.summary", 25,
      NULL, "INST-7902", NULL, NULL },
    { "GET", "/v2/ticket/INST-7902/ia/duration", "ia.duration", 26,
      NULL, "INST-7902", NULL, NULL },
    { "POST", "/v2/remotelink", "remotelink.create", 27,
      NULL, NULL, NULL, NULL },
};


/* more OK cases: literals win, percent-encoded values, odd but valid ids */
static const route_case_t  more_ok[] = {

    /* literal segments win over {ticketId} */
    { "GET", "/v2/ticket/metadata/types", "metadata.types", 13,
      NULL, NULL, NULL, NULL },
    { "GET", "/v2/ticket/metadata/create/properties",
      "metadata.createProperties", 11, NULL, NULL, NULL, NULL },
    { "GET", "/v2/ticket/field/info", "metadata.fieldInfo", 14,
      NULL, NULL, NULL, NULL },
    { "GET", "/v2/ticket/123/metadata/update/properties",
      "metadata.updateProperties", 12, NULL, "123", NULL, NULL },

    /* but a literal word is a fine value where only a parameter fits */
    { "GET", "/v2/ticket/metadata/metadata/update/properties",
      "metadata.updateProperties", 12, NULL, "metadata", NULL, NULL },
    { "POST", "/v2/ticket/metadata/comment", "comment.create", 15,
      NULL, "metadata", NULL, NULL },
    { "GET", "/v2/ticket/field/attachment/info", "attachment.get", 17,
      NULL, "field", "info", NULL },
    { "POST", "/v2/orgs/search/ticket", "ticket.create", 1,
      "search", NULL, NULL, NULL },
    { "GET", "/v2/orgs/ticket/ticket/ticket", "ticket.get", 2,
      "ticket", "ticket", NULL, NULL },
    { "GET", "/v2/issueLink/issueLinkType", "issueLink.get", 20,
      NULL, NULL, NULL, "issueLinkType" },

    /* percent-encoded unreserved characters are decoded */
    { "GET", "/v2/orgs/yoigo/ticket/INST%2D7902", "ticket.get", 2,
      "yoigo", "INST-7902", NULL, NULL },
    { "GET", "/v2/orgs/yo%69go/ticket/%49NST%2d7902", "ticket.get", 2,
      "yoigo", "INST-7902", NULL, NULL },
    { "GET", "/v2/orgs/%79%6F%69%67%6F/ticket/1", "ticket.get", 2,
      "yoigo", "1", NULL, NULL },
    { "GET", "/v2/ticket/a%7Eb%5Fc%2Ed/attachment/%30", "attachment.get", 17,
      NULL, "a~b_c.d", "0", NULL },
    { "DELETE", "/v2/attachment/x%2e", "attachment.delete", 18,
      NULL, NULL, "x.", NULL },

    /* every unreserved character, raw */
    { "GET", "/v2/issueLink/AZaz09-._~", "issueLink.get", 20,
      NULL, NULL, NULL, "AZaz09-._~" },

    /* dots that are not a dot-segment */
    { "GET", "/v2/issueLink/...", "issueLink.get", 20,
      NULL, NULL, NULL, "..." },
    { "GET", "/v2/issueLink/.a", "issueLink.get", 20,
      NULL, NULL, NULL, ".a" },
    { "GET", "/v2/issueLink/a..", "issueLink.get", 20,
      NULL, NULL, NULL, "a.." },
    { "GET", "/v2/issueLink/~", "issueLink.get", 20,
      NULL, NULL, NULL, "~" },

};


static void
check_route_case(const route_case_t *c)
{
    char                                   msg[256];
    result_t                               res;
    const ngx_http_ticketing_operation_t  *op;

    match(c->path, method_bit(c->method), &res);

    snprintf(msg, sizeof(msg), "%s %s", c->method, c->path);
    expect_rc(msg, &res, RC_OK);

    op = res.rt.op;
    assert_non_null(op);

    if (strcmp(op->name, c->name) != 0) {
        fail_msg("%s: matched %s, expected %s", msg, op->name, c->name);
    }

    assert_int_equal(op->number, c->number);
    assert_int_equal(op->method, method_bit(c->method));
    assert_true(res.rt.allowed & op->method);
    assert_string_equal(res.rt.detail, "");

    expect_param(&res, NGX_HTTP_TICKETING_PARAM_ORG, c->org);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_TICKET_ID, c->ticket_id);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_ATTACHMENT_ID,
                 c->attachment_id);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_ISSUE_LINK_ID,
                 c->issue_link_id);
}


static void
test_every_operation_matches(void **state)
{
    size_t    i;
    unsigned  seen[28];

    (void) state;

    assert_int_equal(sizeof(all_operations) / sizeof(all_operations[0]), 27);

    memset(seen, 0, sizeof(seen));

    for (i = 0; i < sizeof(all_operations) / sizeof(all_operations[0]); i++) {
        check_route_case(&all_operations[i]);
        seen[all_operations[i].number]++;
    }

    /* the table covers each of the 27 operations once */
    for (i = 1; i <= 27; i++) {
        assert_int_equal(seen[i], 1);
    }
}


static void
test_literals_win_and_decoding(void **state)
{
    size_t  i;

    (void) state;

    for (i = 0; i < sizeof(more_ok) / sizeof(more_ok[0]); i++) {
        check_route_case(&more_ok[i]);
    }
}


static size_t
count_params(const char *tpl)
{
    size_t  n;

    for (n = 0; (tpl = strchr(tpl, '{')) != NULL; tpl++) {
        n++;
    }

    return n;
}


/*
 * Each template instantiated with ordinary values matches its own
 * operation; instantiated with the literal words of the catalogue it still
 * matches its own operation, unless the path is then a template with more
 * literal segments (fewer parameters): literals win.
 */
static void
test_every_template_instantiated(void **state)
{
    size_t                                 i, k;
    char                                   path[256];
    result_t                               res;
    const ngx_http_ticketing_operation_t  *op;

    static const char  *values[] = {
        /* ordinary values first: NVALUES_PLAIN of them */
        "x", "42", "INST-7902",
        /* the literal words of the catalogue */
        "metadata", "ticket", "orgs", "search", "issueLink", "issueLinkType",
        "attachment", "field", "ia", "v2", "create", "update", "types",
        "info", "properties", "transitions", "comment", "grid", "assignee",
        "summary", "duration", "remotelink", "searchByIDParams",
        "searchByTerritoryOwner",
    };

#define NVALUES_PLAIN  3

    (void) state;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        op = &ngx_http_ticketing_operations[i];

        for (k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
            (void) fill_template(op->path, values[k], path, sizeof(path));

            match(path, op->method, &res);
            expect_rc(path, &res, RC_OK);

            if (res.rt.op == op) {
                continue;
            }

            if (k < NVALUES_PLAIN
                || count_params(res.rt.op->path) >= count_params(op->path))
            {
                fail_msg("%s: matched %s, expected %s", path,
                         res.rt.op->name, op->name);
            }
        }
    }
}


/* ---------------------------------------------------------------------- */
/* 405                                                                      */


typedef struct {
    const char  *path;
    unsigned     method;
    unsigned     allowed;
    const char  *allow;
    const char  *tpl;
} mna_case_t;


static const mna_case_t  mna_cases[] = {
    { "/v2/orgs/x/ticket/1", DELETE, GET | PATCH, "GET, PATCH",
      "/v2/orgs/{org}/ticket/{ticketId}" },
    { "/v2/orgs/x/ticket/1", POST, GET | PATCH, "GET, PATCH",
      "/v2/orgs/{org}/ticket/{ticketId}" },
    { "/v2/orgs/x/ticket/1", PUT, GET | PATCH, "GET, PATCH",
      "/v2/orgs/{org}/ticket/{ticketId}" },
    { "/v2/orgs/x/ticket/1/transitions", PUT, GET | POST, "GET, POST",
      "/v2/orgs/{org}/ticket/{ticketId}/transitions" },
    { "/v2/orgs/x/ticket/1/transitions", DELETE, GET | POST, "GET, POST",
      "/v2/orgs/{org}/ticket/{ticketId}/transitions" },
    { "/v2/orgs/x/search/ticket", PATCH, GET | POST, "GET, POST",
      "/v2/orgs/{org}/search/ticket" },
    { "/v2/orgs/x/search/ticket", DELETE, GET | POST, "GET, POST",
      "/v2/orgs/{org}/search/ticket" },
    { "/v2/issueLink/5", POST, GET | DELETE, "GET, DELETE",
      "/v2/issueLink/{issueLinkId}" },
    { "/v2/issueLink/5", PUT, GET | DELETE, "GET, DELETE",
      "/v2/issueLink/{issueLinkId}" },
    { "/v2/orgs/x/ticket", GET, POST, "POST", "/v2/orgs/{org}/ticket" },
    { "/v2/orgs/x/searchByTerritoryOwner", POST, GET, "GET",
      "/v2/orgs/{org}/searchByTerritoryOwner" },
    { "/v2/orgs/x/searchByIDParams", POST, GET, "GET",
      "/v2/orgs/{org}/searchByIDParams" },
    { "/v2/ticket/1/assignee", GET, PUT, "PUT",
      "/v2/ticket/{ticketId}/assignee" },
    { "/v2/ticket/metadata/create/properties", POST, GET, "GET",
      "/v2/ticket/metadata/create/properties" },
    { "/v2/ticket/1/metadata/update/properties", PUT, GET, "GET",
      "/v2/ticket/{ticketId}/metadata/update/properties" },
    { "/v2/ticket/metadata/types", DELETE, GET, "GET",
      "/v2/ticket/metadata/types" },
    { "/v2/ticket/field/info", POST, GET, "GET", "/v2/ticket/field/info" },
    { "/v2/ticket/1/comment", GET, POST, "POST",
      "/v2/ticket/{ticketId}/comment" },
    { "/v2/ticket/1/attachment", GET, POST, "POST",
      "/v2/ticket/{ticketId}/attachment" },
    { "/v2/ticket/1/attachment/2", DELETE, GET, "GET",
      "/v2/ticket/{ticketId}/attachment/{attachmentId}" },
    { "/v2/attachment/2", GET, DELETE, "DELETE",
      "/v2/attachment/{attachmentId}" },
    { "/v2/issueLink", GET, POST, "POST", "/v2/issueLink" },
    { "/v2/issueLinkType", POST, GET, "GET", "/v2/issueLinkType" },
    { "/v2/issueLinkType/3", DELETE, GET, "GET",
      "/v2/issueLinkType/{issueLinkId}" },
    { "/v2/ticket/1/grid", POST, PUT, "PUT", "/v2/ticket/{ticketId}/grid" },
    { "/v2/ticket/1/ia/summary", POST, GET, "GET",
      "/v2/ticket/{ticketId}/ia/summary" },
    { "/v2/ticket/1/ia/duration", PATCH, GET, "GET",
      "/v2/ticket/{ticketId}/ia/duration" },
    { "/v2/remotelink", GET, POST, "POST", "/v2/remotelink" },

    /* no method bit (HEAD, OPTIONS...) or several bits: never an operation */
    { "/v2/issueLink/5", 0, GET | DELETE, "GET, DELETE",
      "/v2/issueLink/{issueLinkId}" },
    { "/v2/orgs/x/ticket/1", GET | PATCH, GET | PATCH, "GET, PATCH",
      "/v2/orgs/{org}/ticket/{ticketId}" },
    { "/v2/remotelink", 0x80, POST, "POST", "/v2/remotelink" },
};


static void
test_method_not_allowed(void **state)
{
    char        allow[NGX_HTTP_TICKETING_ALLOW_SIZE];
    char        detail[NGX_HTTP_TICKETING_DETAIL_SIZE];
    size_t      i, n;
    result_t    res;
    const mna_case_t  *c;

    (void) state;

    for (i = 0; i < sizeof(mna_cases) / sizeof(mna_cases[0]); i++) {
        c = &mna_cases[i];

        match(c->path, c->method, &res);

        expect_rc(c->path, &res, RC_405);
        assert_null(res.rt.op);

        if (res.rt.allowed != c->allowed) {
            fail_msg("%s: allowed 0x%x, expected 0x%x", c->path,
                     res.rt.allowed, c->allowed);
        }

        n = ngx_http_ticketing_route_allow(res.rt.allowed, allow,
                                           sizeof(allow));
        assert_string_equal(allow, c->allow);
        assert_int_equal(n, strlen(c->allow));

        snprintf(detail, sizeof(detail), "method not allowed for %s", c->tpl);
        assert_string_equal(res.rt.detail, detail);
    }
}


/* every method of every path: 200 for the listed one(s), 405 for the rest */
static void
test_method_matrix(void **state)
{
    size_t    i, m;
    unsigned  allowed;
    result_t  res;

    static const unsigned  methods[] = { GET, POST, PUT, PATCH, DELETE };

    (void) state;

    for (i = 0; i < sizeof(all_operations) / sizeof(all_operations[0]); i++) {

        allowed = 0;

        for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
            match(all_operations[i].path, methods[m], &res);

            if (res.rc == RC_OK) {
                allowed |= methods[m];
                assert_int_equal(res.rt.op->method, methods[m]);

            } else {
                expect_rc(all_operations[i].path, &res, RC_405);
            }
        }

        /* the allowed mask reported is exactly the methods that match */
        match(all_operations[i].path, 0, &res);
        expect_rc(all_operations[i].path, &res, RC_405);
        assert_int_equal(res.rt.allowed, allowed);
        assert_true(allowed & method_bit(all_operations[i].method));
    }
}


/* ---------------------------------------------------------------------- */
/* 404                                                                      */


static const char  *not_found_cases[] = {
    "/",
    "//",
    "/v2",
    "/v2/",
    "/v3/issueLink",
    "/v1/issueLink",
    "/V2/issueLink",
    "/v2/IssueLink",
    "/v2/issuelink",
    "/v2/ISSUELINK/5",
    "/v2/ticket/metadata/Types",
    "/v2/Ticket/metadata/types",
    "/v2/orgs",
    "/v2/orgs/yoigo",
    "/v2/orgs/yoigo/",
    "/v2/orgs/yoigo/tickets",
    "/v2/orgs/yoigo/ticket/1/transitions/extra",
    "/v2/orgs/yoigo/ticket/1/comment",
    "/v2/ticket",
    "/v2/ticket/1",
    "/v2/ticket/1/ia",
    "/v2/ticket/1/ia/other",
    "/v2/ticket/metadata",
    "/v2/ticket/metadata/create",
    "/v2/ticket/metadata/create/properties/x",
    "/v2/ticket/1/metadata/update",
    "/v2/attachment",
    "/v2/attachment/1/x",
    "/v2/remotelink/",
    "/v2/remotelink/1",
    "/v2/issueLink/5/",
    "/v2/issueLink/5/x",
    "/v2/issueLinkTypes",
    "//v2/issueLink",
    "/v2//issueLink",
    "/v2/issueLink//5",
    "/prefix/v2/issueLink",
    "/v2/issueLink%2F5",
    "/v2/issueLink%2f",
    "/v2/ticket/metadata%2Ftypes",
    "/v2/issueLink%00",
    "/v2/issue%4",
    "/v2/issueLink%",
    "/v2%2FissueLink",
    /*
     * a literal matches only as sent: "%74icket" would be "ticket" to an
     * upstream that decodes (RFC 3986, 6.2.2.2) and not to one that does
     * not, so it is no catalogue path
     */
    "/v2/%74icket/metadata/types",
    "/%762/issue%4Cink/7",
    "/v2/ticket/metadata/type%73",
    "/v2/ticket/metadata/types%2",
};


static void
expect_not_found(const char *what, const result_t *res)
{
    expect_rc(what, res, RC_NOT_FOUND);
    assert_null(res->rt.op);
    assert_int_equal(res->rt.allowed, 0);
    assert_string_equal(res->rt.detail, NOT_FOUND_DETAIL);
}


static void
test_not_found(void **state)
{
    size_t    i, m;
    result_t  res;

    static const unsigned  methods[] = { GET, POST, PUT, PATCH, DELETE, 0 };

    (void) state;

    for (i = 0; i < sizeof(not_found_cases) / sizeof(not_found_cases[0]);
         i++)
    {
        for (m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
            match(not_found_cases[i], methods[m], &res);
            expect_not_found(not_found_cases[i], &res);
        }
    }

    /* empty path */
    match_bytes("", 0, GET, &res);
    expect_not_found("(empty)", &res);

    /* not starting with '/' */
    match("v2/issueLink", POST, &res);
    expect_not_found("v2/issueLink", &res);

    match("*", GET, &res);
    expect_not_found("*", &res);

    match("http://h/v2/issueLink", POST, &res);
    expect_not_found("absolute URI", &res);

    /* the length decides, not a NUL: "/v2/issueLink" cut to "/v2/issue" */
    match_bytes("/v2/issueLink", sizeof("/v2/issue") - 1, POST, &res);
    expect_not_found("/v2/issue", &res);
}


static void
test_too_many_segments(void **state)
{
    char      path[4096];
    size_t    i, n;
    result_t  res;

    (void) state;

    /* 16, 17 and many segments */
    for (n = 15; n <= 40; n++) {
        strcpy(path, "/v2/issueLink");

        for (i = 2; i < n; i++) {
            strcat(path, "/a");
        }

        match(path, GET, &res);
        expect_not_found(path, &res);
    }

    /* a path of slashes only: one more segment than slashes */
    memset(path, '/', 2000);
    path[2000] = '\0';
    match(path, GET, &res);
    expect_not_found("2000 slashes", &res);

    /* a valid operation path followed by many empty segments */
    strcpy(path, "/v2/issueLink/5");
    memset(path + strlen(path), '/', 100);
    path[sizeof("/v2/issueLink/5") - 1 + 100] = '\0';
    match(path, GET, &res);
    expect_not_found("/v2/issueLink/5 + 100 slashes", &res);
}


/* ---------------------------------------------------------------------- */
/* BAD_PARAM                                                                */


typedef struct {
    const char  *path;
    unsigned     method;
    const char  *detail;
} bad_case_t;


#define P_SLASH    "contains an encoded slash"
#define P_DOT      "is a dot-segment"
#define P_EMPTY    "is empty"
#define P_CONTROL  "contains a control character"
#define P_ESCAPE   "has malformed percent-encoding"
#define P_CHAR     "contains a character that is not allowed" \
                   " (allowed: letters, digits, '-', '.', '_', '~')"
#define P_LONG     "is too long"

#define TICKET     "/v2/orgs/yoigo/ticket/"


static const bad_case_t  bad_cases[] = {

    /* encoded slash and backslash */
    { TICKET "a%2Fb", GET, "path parameter ticketId " P_SLASH },
    { TICKET "a%2fb", GET, "path parameter ticketId " P_SLASH },
    { TICKET "%2F", GET, "path parameter ticketId " P_SLASH },
    { TICKET "a%5Cb", GET, "path parameter ticketId " P_SLASH },
    { TICKET "a%5cb", GET, "path parameter ticketId " P_SLASH },
    { TICKET "..%2F..%2Fadmin", GET, "path parameter ticketId " P_SLASH },
    { "/v2/orgs/a%2F..%2Fb/ticket", POST, "path parameter org " P_SLASH },

    /* dot-segments, raw and encoded */
    { TICKET ".", GET, "path parameter ticketId " P_DOT },
    { TICKET "..", GET, "path parameter ticketId " P_DOT },
    { TICKET "%2e", GET, "path parameter ticketId " P_DOT },
    { TICKET "%2E", GET, "path parameter ticketId " P_DOT },
    { TICKET "%2e%2e", GET, "path parameter ticketId " P_DOT },
    { TICKET "%2E%2E", GET, "path parameter ticketId " P_DOT },
    { TICKET ".%2e", GET, "path parameter ticketId " P_DOT },
    { TICKET "%2e.", GET, "path parameter ticketId " P_DOT },
    { "/v2/orgs/../ticket", POST, "path parameter org " P_DOT },
    { "/v2/ticket/../comment", POST, "path parameter ticketId " P_DOT },

    /* empty */
    { "/v2/orgs//ticket", POST, "path parameter org " P_EMPTY },
    { "/v2/orgs//ticket/1", GET, "path parameter org " P_EMPTY },
    { TICKET, GET, "path parameter ticketId " P_EMPTY },
    { "/v2/ticket//assignee", PUT, "path parameter ticketId " P_EMPTY },
    { "/v2/issueLink/", GET, "path parameter issueLinkId " P_EMPTY },
    { "/v2/issueLinkType/", GET, "path parameter issueLinkId " P_EMPTY },
    { "/v2/attachment/", DELETE, "path parameter attachmentId " P_EMPTY },
    { "/v2/ticket/1/attachment/", GET,
      "path parameter attachmentId " P_EMPTY },

    /* control characters */
    { TICKET "a%00", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "%00", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "a%0a", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "a%0D%0A", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "%09", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "%1f", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "%7F", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "a\tb", GET, "path parameter ticketId " P_CONTROL },
    { TICKET "a\x7f", GET, "path parameter ticketId " P_CONTROL },

    /* malformed percent-encoding */
    { TICKET "%zz", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "a%zz", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "%4", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "a%", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "%", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "%%41", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "%g0", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "%0g", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "%-1", GET, "path parameter ticketId " P_ESCAPE },
    { TICKET "%4/transitions", GET, "path parameter ticketId " P_ESCAPE },
    { "/v2/orgs/%/ticket", POST, "path parameter org " P_ESCAPE },

    /* characters outside [A-Za-z0-9._~-] */
    { TICKET "a%20b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "%C3%A9", GET, "path parameter ticketId " P_CHAR },
    { TICKET "caf\xc3\xa9", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a+b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a%2Bb", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a:b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a@b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a;b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a\\b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a?b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a%3Fb", GET, "path parameter ticketId " P_CHAR },
    { TICKET "a%23b", GET, "path parameter ticketId " P_CHAR },
    { TICKET "%22", GET, "path parameter ticketId " P_CHAR },
    { TICKET "%3Cscript%3E", GET, "path parameter ticketId " P_CHAR },
    { TICKET "%FF", GET, "path parameter ticketId " P_CHAR },
    { TICKET "%80", GET, "path parameter ticketId " P_CHAR },

    /* the other parameters are named */
    { "/v2/orgs/a%2Fb/ticket/1", GET, "path parameter org " P_SLASH },
    { "/v2/orgs/a b/searchByIDParams", GET, "path parameter org " P_CHAR },
    { "/v2/attachment/..", DELETE, "path parameter attachmentId " P_DOT },
    { "/v2/attachment/%2F", DELETE, "path parameter attachmentId " P_SLASH },
    { "/v2/ticket/1/attachment/%2F", GET,
      "path parameter attachmentId " P_SLASH },
    { "/v2/issueLink/%zz", GET, "path parameter issueLinkId " P_ESCAPE },
    { "/v2/issueLink/%2e%2e", DELETE, "path parameter issueLinkId " P_DOT },
    { "/v2/issueLinkType/..", GET, "path parameter issueLinkId " P_DOT },
    { "/v2/issueLinkType/%0a", GET, "path parameter issueLinkId " P_CONTROL },

    /* the first bad parameter, left to right, is reported */
    { "/v2/ticket/%2F/attachment/%2F", GET,
      "path parameter ticketId " P_SLASH },
    { "/v2/orgs/../ticket/%2F", GET, "path parameter org " P_DOT },
    { "/v2/orgs/ok/ticket/%zz/transitions", POST,
      "path parameter ticketId " P_ESCAPE },

    /* parameters are checked before the method */
    { TICKET "%2F", PUT, "path parameter ticketId " P_SLASH },
    { TICKET "%2F", DELETE, "path parameter ticketId " P_SLASH },
    { TICKET "..", 0, "path parameter ticketId " P_DOT },
    { "/v2/ticket/%2e/comment", DELETE, "path parameter ticketId " P_DOT },
    { "/v2/issueLink/", POST, "path parameter issueLinkId " P_EMPTY },
    { "/v2/attachment/%00", GET, "path parameter attachmentId " P_CONTROL },
    { "/v2/orgs//ticket", GET, "path parameter org " P_EMPTY },
};


static void
expect_bad_param(const char *what, const result_t *res, const char *detail)
{
    size_t  i;

    expect_rc(what, res, RC_BAD_PARAM);
    assert_null(res->rt.op);
    assert_int_equal(res->rt.allowed, 0);

    if (strcmp(res->rt.detail, detail) != 0) {
        fail_msg("%s: detail \"%s\", expected \"%s\"", what, res->rt.detail,
                 detail);
    }

    /* the detail names a parameter */
    for (i = 0; i < NPARAMS; i++) {
        if (strstr(res->rt.detail,
                   ngx_http_ticketing_param_name(
                       (ngx_http_ticketing_param_e) i))
            != NULL)
        {
            return;
        }
    }

    fail_msg("%s: detail \"%s\" names no parameter", what, res->rt.detail);
}


static void
test_bad_params(void **state)
{
    size_t    i;
    result_t  res;

    (void) state;

    for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        match(bad_cases[i].path, bad_cases[i].method, &res);
        expect_bad_param(bad_cases[i].path, &res, bad_cases[i].detail);
    }

    /* raw NUL inside the path: lengths count, not C strings */
    match_bytes(TICKET "a\0b", sizeof(TICKET "a\0b") - 1, GET, &res);
    expect_bad_param("raw NUL", &res, "path parameter ticketId " P_CONTROL);

    /* raw NUL as the whole value */
    match_bytes("/v2/issueLink/\0", sizeof("/v2/issueLink/\0") - 1, GET,
                &res);
    expect_bad_param("raw NUL alone", &res,
                     "path parameter issueLinkId " P_CONTROL);
}


static void
test_param_length(void **state)
{
    char      path[2048], id[512];
    size_t    i;
    result_t  res;

    (void) state;

    /* 128 bytes: accepted */
    memset(id, 'A', 128);
    id[128] = '\0';
    snprintf(path, sizeof(path), TICKET "%s", id);
    match(path, GET, &res);
    expect_rc("128-byte ticketId", &res, RC_OK);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_TICKET_ID, id);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_ORG, "yoigo");

    /* 129 bytes: refused */
    memset(id, 'A', 129);
    id[129] = '\0';
    snprintf(path, sizeof(path), TICKET "%s", id);
    match(path, GET, &res);
    expect_bad_param("129-byte ticketId", &res,
                     "path parameter ticketId " P_LONG);

    /* far longer */
    memset(id, '7', 500);
    id[500] = '\0';
    snprintf(path, sizeof(path), "/v2/issueLink/%s", id);
    match(path, DELETE, &res);
    expect_bad_param("500-byte issueLinkId", &res,
                     "path parameter issueLinkId " P_LONG);

    /* too long is checked before the method */
    match(path, PATCH, &res);
    expect_bad_param("500-byte issueLinkId, PATCH", &res,
                     "path parameter issueLinkId " P_LONG);

    /* the limit is on the decoded value: 128 x "%41" is 128 bytes */
    strcpy(path, "/v2/orgs/");
    for (i = 0; i < 128; i++) {
        strcat(path, "%41");
    }
    strcat(path, "/ticket");

    memset(id, 'A', 128);
    id[128] = '\0';

    match(path, POST, &res);
    expect_rc("128 x %41 org", &res, RC_OK);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_ORG, id);

    /* ... and 129 x "%41" is too long */
    strcpy(path, "/v2/orgs/");
    for (i = 0; i < 129; i++) {
        strcat(path, "%41");
    }
    strcat(path, "/ticket");

    match(path, POST, &res);
    expect_bad_param("129 x %41 org", &res, "path parameter org " P_LONG);

    /* 128 bytes in each of two parameters */
    memset(id, 'b', 128);
    id[128] = '\0';
    snprintf(path, sizeof(path), "/v2/ticket/%s/attachment/%s", id, id);
    match(path, GET, &res);
    expect_rc("two 128-byte ids", &res, RC_OK);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_TICKET_ID, id);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_ATTACHMENT_ID, id);

    /* a literal-only path never checks lengths: 404 for a long segment */
    memset(id, 'c', 300);
    id[300] = '\0';
    snprintf(path, sizeof(path), "/v2/%s", id);
    match(path, GET, &res);
    expect_not_found("/v2/ccc...", &res);
}


/* ---------------------------------------------------------------------- */
/* scratch of exactly len bytes                                             */


/*
 * match_bytes() already gives every match a scratch of exactly len bytes;
 * this test drives the decoder with the inputs that write the most into
 * scratch (no escapes at all, malformed escapes kept as '%', one long
 * segment), each at a path ending exactly at the end of its allocation.
 */
static void
test_scratch_exact(void **state)
{
    char      path[600];
    size_t    len;
    result_t  res;

    (void) state;

    /* no escapes: the decoded bytes are len minus the slashes */
    match("/v2/ticket/A/attachment/B", GET, &res);
    expect_rc("short", &res, RC_OK);

    /* malformed escapes copy the '%' as is */
    match("/v2/issueLink/%%%", GET, &res);
    expect_bad_param("%%%", &res, "path parameter issueLinkId " P_ESCAPE);

    /* a single segment taking the whole path */
    memset(path, 'z', sizeof(path) - 1);
    path[0] = '/';
    path[sizeof(path) - 1] = '\0';
    match(path, GET, &res);
    expect_not_found("one long segment", &res);

    /* every length of a prefix of a valid path: each ends at its alloc */
    strcpy(path, "/v2/orgs/yo%69go/ticket/INST%2D7902/transitions");

    for (len = 0; len <= strlen(path); len++) {
        match_bytes(path, len, GET, &res);
    }

    match_bytes(path, strlen(path), GET, &res);
    expect_rc(path, &res, RC_OK);
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_ORG, "yoigo");
    expect_param(&res, NGX_HTTP_TICKETING_PARAM_TICKET_ID, "INST-7902");

    /* a '%' as the very last byte of the allocation */
    match("/v2/attachment/1%", DELETE, &res);
    expect_bad_param("trailing %", &res,
                     "path parameter attachmentId " P_ESCAPE);

    match("/v2/attachment/1%4", DELETE, &res);
    expect_bad_param("trailing %4", &res,
                     "path parameter attachmentId " P_ESCAPE);
}


/* random paths built from the pieces that matter: no crash, sane result */
static void
test_random_paths(void **state)
{
    char       path[512];
    size_t     i, k, n, len, nparts;
    uint32_t   seed;
    unsigned   count[4];
    result_t   res;

    /* segment words: the literals, ordinary values and hostile bytes */
    static const char  *pieces[] = {
        "orgs", "ticket", "metadata", "issueLink", "issueLinkType",
        "attachment", "search", "ia", "summary", "duration", "types",
        "create", "update", "properties", "field", "info", "comment",
        "transitions", "assignee", "grid", "remotelink", "v2",
        "x", "INST-1", "yoigo", "%41", "~",
        "%", "%2", "%2F", "%5c", "%2e", ".", "..", "%00", "\xc3", "\xff",
        "", " ", "%zz",
    };

#define NPIECES  (sizeof(pieces) / sizeof(pieces[0]))
#define RAND()   (seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff)

    (void) state;

    seed = 12345;
    memset(count, 0, sizeof(count));

    for (i = 0; i < 50000; i++) {
        len = 0;

        if (RAND() % 8 != 0) {
            memcpy(path, "/v2", 3);
            len = 3;
        }

        nparts = 1 + RAND() % 6;

        for (k = 0; k < nparts; k++) {
            path[len++] = '/';

            /* the first piece of a segment is a plain word 3 times in 4 */
            n = (RAND() % 4 != 0) ? RAND() % 27 : RAND() % NPIECES;
            memcpy(path + len, pieces[n], strlen(pieces[n]));
            len += strlen(pieces[n]);

            if (RAND() % 6 == 0) {
                n = RAND() % NPIECES;
                memcpy(path + len, pieces[n], strlen(pieces[n]));
                len += strlen(pieces[n]);
            }
        }

        match_bytes(path, len, 1u << (RAND() % 6), &res);

        assert_in_range(res.rc, RC_OK, RC_BAD_PARAM);
        count[res.rc]++;

        switch (res.rc) {
        case RC_OK:
            assert_non_null(res.rt.op);
            assert_string_equal(res.rt.detail, "");
            break;

        case RC_405:
            assert_null(res.rt.op);
            assert_true(res.rt.allowed != 0);
            break;

        case RC_BAD_PARAM:
            assert_null(res.rt.op);
            assert_non_null(strstr(res.rt.detail, "path parameter "));
            break;

        case RC_NOT_FOUND:
            assert_null(res.rt.op);
            assert_string_equal(res.rt.detail, NOT_FOUND_DETAIL);
            break;

        default:
            fail_msg("rc %d", (int) res.rc);
        }

        /* every value returned is made of unreserved characters only */
        for (k = 0; k < NPARAMS; k++) {
            if (res.rc == RC_OK) {
                assert_int_equal(strspn(res.param[k],
                                        "abcdefghijklmnopqrstuvwxyz"
                                        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-._~"),
                                 res.param_len[k]);
                assert_true(res.param_len[k] <= NGX_HTTP_TICKETING_MAX_PARAM);
            }
        }
    }

    /* the generator reaches every outcome */
    print_message("random paths: %u OK, %u 404, %u 405, %u bad param\n",
                  count[RC_OK], count[RC_NOT_FOUND], count[RC_405],
                  count[RC_BAD_PARAM]);

    for (i = 0; i < 4; i++) {
        assert_true(count[i] > 0);
    }
}


/* ---------------------------------------------------------------------- */
/* route_allow                                                              */


static void
test_route_allow(void **state)
{
    char    buf[NGX_HTTP_TICKETING_ALLOW_SIZE], small[16];
    size_t  n;

    (void) state;

    n = ngx_http_ticketing_route_allow(GET | PATCH, buf, sizeof(buf));
    assert_string_equal(buf, "GET, PATCH");
    assert_int_equal(n, 10);

    n = ngx_http_ticketing_route_allow(GET | POST, buf, sizeof(buf));
    assert_string_equal(buf, "GET, POST");
    assert_int_equal(n, 9);

    n = ngx_http_ticketing_route_allow(DELETE | GET, buf, sizeof(buf));
    assert_string_equal(buf, "GET, DELETE");
    assert_int_equal(n, 11);

    n = ngx_http_ticketing_route_allow(PUT, buf, sizeof(buf));
    assert_string_equal(buf, "PUT");
    assert_int_equal(n, 3);

    /* all five fit in ALLOW_SIZE, in the fixed order */
    n = ngx_http_ticketing_route_allow(DELETE | PATCH | PUT | POST | GET,
                                       buf, sizeof(buf));
    assert_string_equal(buf, "GET, POST, PUT, PATCH, DELETE");
    assert_int_equal(n, sizeof(buf) - 1);

    /* unknown bits are ignored */
    n = ngx_http_ticketing_route_allow(0xffffffe0u | POST, buf, sizeof(buf));
    assert_string_equal(buf, "POST");
    assert_int_equal(n, 4);

    /* none */
    memset(buf, 'x', sizeof(buf));
    n = ngx_http_ticketing_route_allow(0, buf, sizeof(buf));
    assert_string_equal(buf, "");
    assert_int_equal(n, 0);

    /* size 0: nothing written */
    memset(small, 'x', sizeof(small));
    n = ngx_http_ticketing_route_allow(GET, small, 0);
    assert_int_equal(n, 0);
    assert_int_equal(small[0], 'x');

    /* too small: only whole names, always NUL-terminated */
    n = ngx_http_ticketing_route_allow(GET | POST, small, 3);
    assert_int_equal(n, 0);
    assert_string_equal(small, "");

    n = ngx_http_ticketing_route_allow(GET | POST, small, 4);
    assert_int_equal(n, 3);
    assert_string_equal(small, "GET");

    n = ngx_http_ticketing_route_allow(GET | POST, small, 9);
    assert_int_equal(n, 3);
    assert_string_equal(small, "GET");

    n = ngx_http_ticketing_route_allow(GET | POST, small, 10);
    assert_int_equal(n, 9);
    assert_string_equal(small, "GET, POST");

    /* one byte short of the full list: DELETE is dropped */
    n = ngx_http_ticketing_route_allow(GET | POST | PUT | PATCH | DELETE,
                                       buf, sizeof(buf) - 1);
    assert_string_equal(buf, "GET, POST, PUT, PATCH");
    assert_int_equal(n, strlen("GET, POST, PUT, PATCH"));
}


/* ---------------------------------------------------------------------- */
/* the catalogue                                                            */


static void
test_catalogue(void **state)
{
    int                                    seen[28];
    size_t                                 i, j;
    unsigned                               m;
    const ngx_http_ticketing_operation_t  *op;

    (void) state;

    assert_int_equal(ngx_http_ticketing_noperations, 27);

    memset(seen, 0, sizeof(seen));

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        op = &ngx_http_ticketing_operations[i];

        assert_non_null(op->name);
        assert_non_null(op->path);
        assert_non_null(op->permission);

        /* numbered 1..27, each once, in the order of the docs */
        assert_in_range(op->number, 1, NGX_HTTP_TICKETING_NOPS - 1);
        seen[op->number]++;
        assert_int_equal(op->number, i + 1);
        assert_ptr_equal(ngx_http_ticketing_operation(op->number), op);

        /* what the other steps read of it is consistent */
        assert_non_null(op->query_names);
        assert_int_equal(op->cacheable, op->cache_ttl > 0);
        assert_true(op->cacheable || !op->cache_per_subject);
        assert_int_equal(op->query == NGX_HTTP_TICKETING_QUERY_FREE,
                         op->query_names[0] == NULL);
        assert_true(!op->body_optional
                    || op->body != NGX_HTTP_TICKETING_BODY_NONE);

        /* the same operation as in the spec table */
        assert_string_equal(op->name, all_operations[i].name);
        assert_int_equal(op->method, method_bit(all_operations[i].method));

        /* exactly one method bit */
        m = op->method;
        assert_true(m != 0 && (m & (m - 1)) == 0);
        assert_true(m & (GET | POST | PUT | PATCH | DELETE));

        assert_true(strncmp(op->path, "/v2/", 4) == 0);

        if (strncmp(op->permission, "ticketing.", 10) != 0) {
            fail_msg("%s: permission %s", op->name, op->permission);
        }

        /* cacheable exactly for 11, 12, 13, 14, 22 and 23 */
        switch (op->number) {
        case 11: case 12: case 13: case 14: case 22: case 23:
            assert_int_equal(op->cacheable, 1);
            assert_int_equal(op->method, GET);
            break;
        default:
            if (op->cacheable) {
                fail_msg("%s is cacheable", op->name);
            }
        }

        /* names and method+path unique */
        for (j = 0; j < i; j++) {
            assert_string_not_equal(op->name,
                                    ngx_http_ticketing_operations[j].name);

            if (strcmp(op->path, ngx_http_ticketing_operations[j].path) == 0
                && op->method == ngx_http_ticketing_operations[j].method)
            {
                fail_msg("%s and %s share method and path", op->name,
                         ngx_http_ticketing_operations[j].name);
            }
        }
    }

    for (i = 1; i <= 27; i++) {
        assert_int_equal(seen[i], 1);
    }

    /* the two permissions the upstream docs name */
    assert_string_equal(ngx_http_ticketing_operation_find("ia.summary", 10)
                        ->permission, "ticketing.ticket.iaSummary");
    assert_string_equal(ngx_http_ticketing_operation_find("ia.duration", 11)
                        ->permission, "ticketing.ticket.iaSummary");

    /* ia.duration is a GET with a side effect: never cacheable */
    assert_int_equal(ngx_http_ticketing_operation_find("ia.duration", 11)
                     ->cacheable, 0);
}


/* every concrete path of the table is the operation's template, filled in */
static void
test_catalogue_paths(void **state)
{
    size_t       i, n;
    const char  *t, *p;

    (void) state;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        t = ngx_http_ticketing_operations[i].path;
        p = all_operations[i].path;

        while (*t) {
            if (*t == '{') {
                /* a parameter: one non-empty segment */
                n = strcspn(p, "/");
                assert_true(n > 0);
                p += n;
                t = strchr(t, '}');
                assert_non_null(t);
                t++;
                continue;
            }

            if (*t != *p) {
                fail_msg("%s does not fill in %s", all_operations[i].path,
                         ngx_http_ticketing_operations[i].path);
            }

            t++;
            p++;
        }

        assert_int_equal(*p, '\0');
    }
}


static void
test_template_params_known(void **state)
{
    size_t       i, j, n;
    int          known;
    const char  *t, *close, *name;

    (void) state;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        for (t = strchr(ngx_http_ticketing_operations[i].path, '{');
             t != NULL;
             t = strchr(close, '{'))
        {
            close = strchr(t, '}');
            assert_non_null(close);
            n = (size_t) (close - t - 1);

            known = 0;

            for (j = 0; j < NPARAMS; j++) {
                name = ngx_http_ticketing_param_name(
                           (ngx_http_ticketing_param_e) j);
                if (strlen(name) == n && memcmp(name, t + 1, n) == 0) {
                    known = 1;
                }
            }

            if (!known) {
                fail_msg("%s: unknown parameter",
                         ngx_http_ticketing_operations[i].path);
            }
        }
    }
}


static void
test_param_name(void **state)
{
    (void) state;

    assert_string_equal(
        ngx_http_ticketing_param_name(NGX_HTTP_TICKETING_PARAM_ORG), "org");
    assert_string_equal(
        ngx_http_ticketing_param_name(NGX_HTTP_TICKETING_PARAM_TICKET_ID),
        "ticketId");
    assert_string_equal(
        ngx_http_ticketing_param_name(NGX_HTTP_TICKETING_PARAM_ATTACHMENT_ID),
        "attachmentId");
    assert_string_equal(
        ngx_http_ticketing_param_name(NGX_HTTP_TICKETING_PARAM_ISSUE_LINK_ID),
        "issueLinkId");
    assert_null(ngx_http_ticketing_param_name(NGX_HTTP_TICKETING_NPARAMS));
    assert_null(ngx_http_ticketing_param_name(
                    (ngx_http_ticketing_param_e) 1000));
}


static void
test_operation_find(void **state)
{
    size_t                                 i;
    const char                            *name;
    const ngx_http_ticketing_operation_t  *op;

    (void) state;

    for (i = 0; i < sizeof(all_operations) / sizeof(all_operations[0]); i++) {
        name = all_operations[i].name;
        op = ngx_http_ticketing_operation_find(name, strlen(name));

        assert_non_null(op);
        assert_ptr_equal(op, &ngx_http_ticketing_operations[i]);
        assert_string_equal(op->name, name);
        assert_int_equal(op->number, all_operations[i].number);
    }

    assert_null(ngx_http_ticketing_operation_find("", 0));
    assert_null(ngx_http_ticketing_operation_find("ticket", 6));
    assert_null(ngx_http_ticketing_operation_find("ticket.ge", 9));
    assert_null(ngx_http_ticketing_operation_find("ticket.gets", 11));
    assert_null(ngx_http_ticketing_operation_find("Ticket.get", 10));
    assert_null(ngx_http_ticketing_operation_find("TICKET.GET", 10));
    assert_null(ngx_http_ticketing_operation_find("ticket_get", 10));
    assert_null(ngx_http_ticketing_operation_find("nope", 4));
    assert_null(ngx_http_ticketing_operation_find("ticket.get ", 11));

    /* the length counts, not a NUL: a prefix of a longer buffer */
    op = ngx_http_ticketing_operation_find("ticket.getXYZ", 10);
    assert_non_null(op);
    assert_string_equal(op->name, "ticket.get");

    op = ngx_http_ticketing_operation_find("issueLinkType.list!", 18);
    assert_non_null(op);
    assert_int_equal(op->number, 22);

    /* not NUL-terminated: read exactly len bytes */
    {
        char *buf = malloc(14);
        assert_non_null(buf);
        memcpy(buf, "metadata.types", 14);
        op = ngx_http_ticketing_operation_find(buf, 14);
        free(buf);
        assert_non_null(op);
        assert_int_equal(op->number, 13);
    }
}


/* ---------------------------------------------------------------------- */
/* the compiled catalogue                                                   */


static size_t
method_index(unsigned m)
{
    size_t  k;

    for (k = 0; k < NGX_HTTP_TICKETING_NMETHODS; k++) {
        if (m == (1u << k)) {
            return k;
        }
    }

    fail_msg("method 0x%x is not one method bit", m);
    return 0;
}


/* the index of the first operation with this template string */
static size_t
first_operation(const char *path)
{
    size_t  i;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        if (strcmp(ngx_http_ticketing_operations[i].path, path) == 0) {
            return i;
        }
    }

    fail_msg("no operation has the template %s", path);
    return 0;
}


/*
 * The compiled table says what the template strings say, read here
 * independently: one entry per distinct template, its segments, its score,
 * its methods and operations, in the documented order.
 */
static void
test_compiled_templates(void **state)
{
    size_t                                   i, j, k, n, len, nseg;
    size_t                                   distinct, seen[27];
    unsigned                                 allowed;
    const char                              *p, *end, *name;
    unsigned long                            score;
    ngx_http_ticketing_param_e               param;
    const ngx_http_ticketing_template_t     *tpl, *t, *prev;
    const ngx_http_ticketing_operation_t    *op;
    const ngx_http_ticketing_operation_t    *ops[NGX_HTTP_TICKETING_NMETHODS];
    const ngx_http_ticketing_tpl_segment_t  *ts;

    (void) state;

    tpl = ngx_http_ticketing_route_templates(&n);
    assert_non_null(tpl);

    distinct = 0;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        if (first_operation(ngx_http_ticketing_operations[i].path) == i) {
            distinct++;
        }
    }

    /* 27 operations, 4 templates shared by two operations each */
    assert_int_equal(distinct, 23);
    assert_int_equal(n, distinct);

    memset(seen, 0, sizeof(seen));

    for (i = 0; i < n; i++) {
        t = &tpl[i];

        /* the template string is the first operation's own */
        k = first_operation(t->path);
        assert_ptr_equal(t->path, ngx_http_ticketing_operations[k].path);
        seen[k]++;

        /* the segments, read again from the string */
        p = t->path;
        nseg = 0;
        score = 0;

        while (*p == '/') {
            p++;
            end = strchr(p, '/');
            len = end ? (size_t) (end - p) : strlen(p);

            assert_true(nseg < t->nsegments);
            ts = &t->segments[nseg];
            score <<= 1;

            if (p[0] == '{') {
                assert_int_equal(ts->kind, NGX_HTTP_TICKETING_TPL_PARAM);
                assert_int_equal(p[len - 1], '}');
                assert_int_equal(ts->len, len - 2);
                assert_memory_equal(ts->data, p + 1, len - 2);

                /* a known parameter, never twice in one template */
                param = ts->param;
                assert_in_range(param, 0, NPARAMS - 1);
                name = ngx_http_ticketing_param_name(param);
                assert_int_equal(strlen(name), len - 2);
                assert_memory_equal(name, p + 1, len - 2);

                for (j = 0; j < nseg; j++) {
                    if (t->segments[j].kind == NGX_HTTP_TICKETING_TPL_PARAM)
                    {
                        assert_int_not_equal(t->segments[j].param, param);
                    }
                }

            } else {
                assert_int_equal(ts->kind, NGX_HTTP_TICKETING_TPL_LITERAL);
                assert_true(len > 0);
                assert_int_equal(ts->len, len);
                assert_memory_equal(ts->data, p, len);
                score |= 1;
            }

            nseg++;
            p += len;
        }

        assert_int_equal(t->nsegments, nseg);
        assert_true(t->score == score);

        /* the methods and operations of every operation with this path */
        allowed = 0;
        memset(ops, 0, sizeof(ops));

        for (j = 0; j < ngx_http_ticketing_noperations; j++) {
            op = &ngx_http_ticketing_operations[j];

            if (strcmp(op->path, t->path) == 0) {
                allowed |= op->method;
                ops[method_index(op->method)] = op;
            }
        }

        assert_int_equal(t->allowed, allowed);

        for (k = 0; k < NGX_HTTP_TICKETING_NMETHODS; k++) {
            assert_ptr_equal(t->ops[k], ops[k]);
        }

        /* by segments, then most specific, then catalogue order */
        if (i > 0) {
            prev = &tpl[i - 1];
            assert_true(prev->nsegments <= t->nsegments);

            if (prev->nsegments == t->nsegments) {
                assert_true(prev->score >= t->score);

                if (prev->score == t->score) {
                    assert_true(first_operation(prev->path)
                                < first_operation(t->path));
                }
            }
        }
    }

    /* every distinct template once */
    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        k = first_operation(ngx_http_ticketing_operations[i].path);
        assert_int_equal(seen[k], 1);
    }

    /* the four shared templates */
    for (i = 0; i < n; i++) {
        t = &tpl[i];

        if (strcmp(t->path, "/v2/orgs/{org}/ticket/{ticketId}") == 0) {
            assert_int_equal(t->allowed, GET | PATCH);

        } else if (strcmp(t->path, "/v2/orgs/{org}/search/ticket") == 0
                   || strcmp(t->path,
                             "/v2/orgs/{org}/ticket/{ticketId}/transitions")
                      == 0)
        {
            assert_int_equal(t->allowed, GET | POST);

        } else if (strcmp(t->path, "/v2/issueLink/{issueLinkId}") == 0) {
            assert_int_equal(t->allowed, GET | DELETE);

        } else {
            assert_int_equal(t->allowed & (t->allowed - 1), 0);
        }
    }
}


/*
 * Every operation is found by its own template filled in with values
 * that are no literal of the catalogue, every parameter of the template
 * bound to its own value; the Allow set is its template's.
 */
static void
test_compiled_own_template(void **state)
{
    char                                   path[256], value[NPARAMS][32];
    size_t                                 i, j, n;
    unsigned                               allowed, m;
    const char                            *t, *close, *name;
    result_t                               res;
    ngx_http_ticketing_param_e             param;
    const ngx_http_ticketing_operation_t  *op;

    (void) state;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        op = &ngx_http_ticketing_operations[i];

        memset(value, 0, sizeof(value));
        n = 0;

        for (t = op->path; *t; t++) {
            if (*t != '{') {
                path[n++] = *t;
                continue;
            }

            close = strchr(t, '}');
            assert_non_null(close);

            for (param = 0; param < NPARAMS; param++) {
                name = ngx_http_ticketing_param_name(param);
                if (strlen(name) == (size_t) (close - t - 1)
                    && memcmp(name, t + 1, strlen(name)) == 0)
                {
                    break;
                }
            }

            assert_true(param < NPARAMS);
            snprintf(value[param], sizeof(value[param]), "v%d-%d", (int) i,
                     (int) param);
            n += (size_t) snprintf(path + n, sizeof(path) - n, "%s",
                                   value[param]);
            t = close;
        }

        path[n] = '\0';

        allowed = 0;

        for (j = 0; j < ngx_http_ticketing_noperations; j++) {
            if (strcmp(ngx_http_ticketing_operations[j].path, op->path) == 0)
            {
                allowed |= ngx_http_ticketing_operations[j].method;
            }
        }

        match(path, op->method, &res);
        expect_rc(path, &res, RC_OK);
        assert_ptr_equal(res.rt.op, op);
        assert_int_equal(res.rt.allowed, allowed);
        assert_string_equal(res.rt.detail, "");

        for (param = 0; param < NPARAMS; param++) {
            expect_param(&res, param, value[param][0] ? value[param] : NULL);
        }

        /* any other method: 405 with the same Allow set */
        for (m = 1; m <= DELETE; m <<= 1) {
            if (allowed & m) {
                continue;
            }

            match(path, m, &res);
            expect_rc(path, &res, RC_405);
            assert_int_equal(res.rt.allowed, allowed);
        }
    }
}


static void
test_compiled_init_idempotent(void **state)
{
    size_t                                n1, n2;
    result_t                              res;
    const ngx_http_ticketing_template_t  *t1, *t2;

    (void) state;

    t1 = ngx_http_ticketing_route_templates(&n1);

    /* a second call (a reload) changes nothing */
    ngx_http_ticketing_route_init();
    ngx_http_ticketing_route_init();

    t2 = ngx_http_ticketing_route_templates(&n2);
    assert_ptr_equal(t1, t2);
    assert_int_equal(n1, n2);

    match("/v2/orgs/acme/ticket/INST-1/transitions", POST, &res);
    expect_rc("transitions", &res, RC_OK);
    assert_int_equal(res.rt.op->number, 9);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_every_operation_matches),
        cmocka_unit_test(test_literals_win_and_decoding),
        cmocka_unit_test(test_every_template_instantiated),
        cmocka_unit_test(test_method_not_allowed),
        cmocka_unit_test(test_method_matrix),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_param_length),
        cmocka_unit_test(test_scratch_exact),
        cmocka_unit_test(test_random_paths),
        cmocka_unit_test(test_route_allow),
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_catalogue_paths),
        cmocka_unit_test(test_template_params_known),
        cmocka_unit_test(test_param_name),
        cmocka_unit_test(test_operation_find),
        cmocka_unit_test(test_compiled_templates),
        cmocka_unit_test(test_compiled_own_template),
        cmocka_unit_test(test_compiled_init_idempotent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
