
/*
 * The route matcher against an independent oracle (tests/route_oracle.h):
 * the operation table of the spec and the docs' rules, as regular
 * expressions.  First the oracle itself against the documented examples
 * and rules, then both on generated paths: every template with valid and
 * malformed values in each parameter, every byte raw and percent-encoded,
 * mutations of valid paths (slashes, dot-segments, case, encoded
 * literals, cuts, extra segments) and random paths, with every method.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <cmocka.h>

#include "ngx_http_ticketing_route.h"
#include "route_oracle.h"


#define GET     NGX_HTTP_TICKETING_GET
#define POST    NGX_HTTP_TICKETING_POST
#define PUT     NGX_HTTP_TICKETING_PUT
#define PATCH   NGX_HTTP_TICKETING_PATCH
#define DELETE  NGX_HTTP_TICKETING_DELETE

#define RC_OK        NGX_HTTP_TICKETING_ROUTE_OK
#define RC_NOT_FOUND NGX_HTTP_TICKETING_ROUTE_NOT_FOUND
#define RC_405       NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED
#define RC_BAD_PARAM NGX_HTTP_TICKETING_ROUTE_BAD_PARAM

#define PATH_SIZE    2048
#define SHOW_DIFFS   20


/* the methods every generated path is tried with, odd masks included */
static const unsigned  methods[] = {
    0, GET, POST, PUT, PATCH, DELETE, GET | PATCH, 0x20, 0x80, 0xffffffffu
};

#define NMETHODS  (sizeof(methods) / sizeof(methods[0]))


/* what the comparisons came to */
static unsigned long  ncases;
static unsigned long  nrc[4];
static unsigned long  nambiguous;
static unsigned long  ndiffs;


static const char *
rc_name(ngx_http_ticketing_route_rc_e rc)
{
    switch (rc) {
    case RC_OK:        return "OK";
    case RC_NOT_FOUND: return "404";
    case RC_405:       return "405";
    case RC_BAD_PARAM: return "400";
    }

    return "?";
}


/* a path for a message: bytes outside printable ASCII as \xHH */
static const char *
show(const char *path, size_t len)
{
    size_t       i, n;
    static char  buf[4 * PATH_SIZE + 1];

    for (i = 0, n = 0; i < len && n + 5 < sizeof(buf); i++) {
        if (isprint((u_char) path[i]) && path[i] != '\\') {
            buf[n++] = path[i];

        } else {
            n += (size_t) snprintf(buf + n, sizeof(buf) - n, "\\x%02x",
                                   (u_char) path[i]);
        }
    }

    buf[n] = '\0';

    return buf;
}


/*
 * One path and method through both.  Path and scratch are heap blocks of
 * exactly "len" bytes, so that ASan sees any overrun.
 */
static void
diff_one(const char *path, size_t len, unsigned method)
{
    u_char                         *raw, *scratch;
    const char                     *what;
    route_oracle_t                  o;
    ngx_http_ticketing_route_t      rt;
    ngx_http_ticketing_route_rc_e   rc;

    raw = malloc(len ? len : 1);
    scratch = malloc(len ? len : 1);
    assert_non_null(raw);
    assert_non_null(scratch);
    memcpy(raw, path, len);

    memset(&rt, 0xa5, sizeof(rt));
    rc = ngx_http_ticketing_route_match(raw, len, method, scratch, &rt);
    route_oracle_match(raw, len, method, &o);

    ncases++;
    nrc[o.rc]++;

    if (o.nmatched > 1) {
        nambiguous++;
    }

    what = route_oracle_differs(rc, &rt, &o);

    if (what != NULL) {
        if (++ndiffs <= SHOW_DIFFS) {
            print_message("DIFF \"%s\" method 0x%x: %s (matcher %s \"%s\","
                          " oracle %s)\n", show(path, len), method, what,
                          rc_name(rc), rt.detail, rc_name(o.rc));
        }
    }

    free(scratch);
    free(raw);
}


static void
diff_all_methods(const char *path, size_t len)
{
    size_t  m;

    for (m = 0; m < NMETHODS; m++) {
        diff_one(path, len, methods[m]);
    }
}


/*
 * A path from a template: parameter number "which" gets "value" (of
 * "vlen" bytes), the others "fill"; which == -1 fills them all.
 */
static size_t
instantiate(const char *tpl, int which, const char *value, size_t vlen,
    const char *fill, char *path)
{
    int          k;
    size_t       n, len;
    const char  *t, *close, *v;

    n = 0;
    k = 0;

    for (t = tpl; *t != '\0'; t++) {
        if (*t != '{') {
            assert_true(n + 1 < PATH_SIZE);
            path[n++] = *t;
            continue;
        }

        close = strchr(t, '}');
        assert_non_null(close);

        v = (k == which) ? value : fill;
        len = (k == which) ? vlen : strlen(fill);
        assert_true(n + len < PATH_SIZE);
        memcpy(path + n, v, len);
        n += len;
        k++;
        t = close;
    }

    path[n] = '\0';

    return n;
}


/* ---------------------------------------------------------------------- */
/* the oracle against the documentation                                     */


static void
expect_oracle(const char *path, unsigned method,
    ngx_http_ticketing_route_rc_e rc, unsigned number)
{
    route_oracle_t  o;

    route_oracle_match((const u_char *) path, strlen(path), method, &o);

    if (o.rc != rc || (rc == RC_OK && o.op->number != number)) {
        fail_msg("oracle: \"%s\": %s, expected %s %u", path, rc_name(o.rc),
                 rc_name(rc), number);
    }
}


static void
test_oracle_examples(void **state)
{
    char            path[PATH_SIZE];
    size_t          i;
    route_oracle_t  o;

    (void) state;

    /* the docs' and the spec's own examples */
    expect_oracle("/v2/ticket/metadata/types", GET, RC_OK, 13);
    expect_oracle("/v2/%74icket/metadata/types", GET, RC_NOT_FOUND, 0);
    expect_oracle("/v2/orgs/yoigo/ticket/INST-7902", GET, RC_OK, 2);
    expect_oracle("/v2/orgs/yoigo/ticket/INST%2D7902", PATCH, RC_OK, 3);
    expect_oracle("/v2/orgs/yoigo/ticket/INST%2D7902", DELETE, RC_405, 0);
    expect_oracle("/v2/ticket/a%2Fb/comment", POST, RC_BAD_PARAM, 0);
    expect_oracle("/v2/ticket/%2e%2E/comment", POST, RC_BAD_PARAM, 0);
    expect_oracle("/v2/nothing", GET, RC_NOT_FOUND, 0);

    route_oracle_match((const u_char *) "/v2/orgs/yoigo/ticket/INST%2D7902",
                       33, GET, &o);
    assert_int_equal(o.rc, RC_OK);
    assert_int_equal(o.nparams, 2);
    assert_string_equal(o.name[1], "ticketId");
    assert_int_equal(o.len[1], 9);
    assert_memory_equal(o.value[1], "INST-7902", 9);

    route_oracle_match((const u_char *) "/v2/issueLink/5", 15, POST, &o);
    assert_int_equal(o.rc, RC_405);
    assert_int_equal(o.allowed, GET | DELETE);

    /* every template of the table instantiates to its own operation */
    for (i = 0; i < ROUTE_ORACLE_NOPS; i++) {
        instantiate(route_oracle_ops[i].path, -1, NULL, 0, "x1", path);
        expect_oracle(path,
                      route_oracle_method_bit(route_oracle_ops[i].method),
                      RC_OK, route_oracle_ops[i].number);
    }
}


/* the oracle's parameter rules, byte by byte, against the docs' list */
static void
test_oracle_param_rules(void **state)
{
    int          c;
    char         s[4];
    size_t       vlen;
    u_char       value[ROUTE_ORACLE_MAX_LEN];
    unsigned     f;
    const char  *allowed;

    (void) state;

    route_oracle_init();

    allowed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
              "0123456789-._~";

    for (c = 0; c < 256; c++) {

        /* raw */
        s[0] = (char) c;
        f = route_oracle_param((u_char *) s, 1, value, &vlen);

        if (c != 0 && strchr(allowed, c) != NULL && c != '.') {
            assert_int_equal(f, 0);
            assert_int_equal(vlen, 1);
            assert_int_equal(value[0], c);

        } else {
            assert_true(f != 0);
        }

        if (c < 0x20 || c == 0x7f) {
            assert_true(f & ROUTE_ORACLE_CONTROL);
        }

        /* encoded, upper and lower case hex digits */
        snprintf(s, sizeof(s), "%%%02X", c);
        f = route_oracle_param((u_char *) s, 3, value, &vlen);

        snprintf(s, sizeof(s), "%%%02x", c);
        assert_int_equal(route_oracle_param((u_char *) s, 3, value, &vlen),
                         f);

        if (c != 0 && strchr(allowed, c) != NULL && c != '.') {
            assert_int_equal(f, 0);
            assert_int_equal(value[0], c);

        } else {
            assert_true(f != 0);
        }

        if (c == '/' || c == '\\') {
            assert_true(f & ROUTE_ORACLE_SLASH);
        }
    }

    assert_int_equal(route_oracle_param((u_char *) "", 0, value, &vlen),
                     ROUTE_ORACLE_EMPTY);
    assert_int_equal(route_oracle_param((u_char *) ".", 1, value, &vlen),
                     ROUTE_ORACLE_DOT);
    assert_int_equal(route_oracle_param((u_char *) ".%2e", 4, value, &vlen),
                     ROUTE_ORACLE_DOT);
    assert_int_equal(route_oracle_param((u_char *) "...", 3, value, &vlen),
                     0);
    assert_int_equal(route_oracle_param((u_char *) "%4", 2, value, &vlen),
                     ROUTE_ORACLE_ESCAPE);
    assert_int_equal(route_oracle_param((u_char *) "%zz", 3, value, &vlen),
                     ROUTE_ORACLE_ESCAPE);
}


/* 128 decoded bytes are fine, 129 too many, however they are written */
static void
test_oracle_length(void **state)
{
    char      s[3 * 130];
    size_t    n, vlen;
    u_char    value[ROUTE_ORACLE_MAX_LEN];

    (void) state;

    memset(s, 'a', sizeof(s));
    assert_int_equal(route_oracle_param((u_char *) s, 128, value, &vlen), 0);
    assert_int_equal(vlen, 128);
    assert_int_equal(route_oracle_param((u_char *) s, 129, value, &vlen),
                     ROUTE_ORACLE_LONG);

    for (n = 0; n < 130; n++) {
        memcpy(s + 3 * n, "%41", 3);
    }

    assert_int_equal(route_oracle_param((u_char *) s, 3 * 128, value, &vlen),
                     0);
    assert_int_equal(vlen, 128);
    assert_int_equal(route_oracle_param((u_char *) s, 3 * 129, value, &vlen),
                     ROUTE_ORACLE_LONG);
}


/*
 * "Literal segments win over parameters": no two templates of the
 * catalogue match one path (the differential test counts it), so the
 * oracle's rule is checked here on templates of its own.
 */
static void
test_oracle_literal_wins(void **state)
{
    route_oracle_tpl_t  a, b, c;

    (void) state;

    route_oracle_template(&a, "/v2/ticket/metadata/{x}");
    route_oracle_template(&b, "/v2/ticket/{x}/types");
    route_oracle_template(&c, "/v2/{x}/metadata/types");

    assert_true(route_oracle_more_literal(&a, &b));
    assert_false(route_oracle_more_literal(&b, &a));
    assert_true(route_oracle_more_literal(&b, &c));
    assert_false(route_oracle_more_literal(&a, &a));

    regfree(&a.re);
    regfree(&b.re);
    regfree(&c.re);
}


/* the oracle's table is the module's catalogue, row for row */
static void
test_oracle_table(void **state)
{
    size_t                                 i;
    const ngx_http_ticketing_operation_t  *op;

    (void) state;

    assert_int_equal(ngx_http_ticketing_noperations, ROUTE_ORACLE_NOPS);

    for (i = 0; i < ROUTE_ORACLE_NOPS; i++) {
        op = &ngx_http_ticketing_operations[i];

        assert_int_equal(op->number, route_oracle_ops[i].number);
        assert_string_equal(op->name, route_oracle_ops[i].name);
        assert_string_equal(op->path, route_oracle_ops[i].path);
        assert_int_equal(op->method,
                         route_oracle_method_bit(route_oracle_ops[i].method));
    }
}


/*
 * The oracle's table is the spec's: every row of the operation table of
 * ../shared/spec/operations.md, when that file is there.
 */
static void
test_oracle_table_is_spec(void **state)
{
    int          number;
    char         line[1024], name[128], method[16], path[512], *q;
    FILE        *f;
    size_t       rows;

    (void) state;

    f = fopen("../shared/spec/operations.md", "r");
    if (f == NULL) {
        print_message("../shared/spec/operations.md not found: skipped\n");
        skip();
    }

    rows = 0;

    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "| %d | %127[^ |] | %15[^ |] | %511[^ |] |",
                   &number, name, method, path) != 4)
        {
            continue;
        }

        /* the other tables of the file (errors) have no path */
        if (path[0] != '/') {
            continue;
        }

        q = strchr(path, '?');
        if (q != NULL) {
            *q = '\0';
        }

        assert_in_range(number, 1, ROUTE_ORACLE_NOPS);
        assert_int_equal(route_oracle_ops[number - 1].number, number);
        assert_string_equal(route_oracle_ops[number - 1].name, name);
        assert_string_equal(route_oracle_ops[number - 1].method, method);
        assert_string_equal(route_oracle_ops[number - 1].path, path);
        rows++;
    }

    fclose(f);

    assert_int_equal(rows, ROUTE_ORACLE_NOPS);
}


/* ---------------------------------------------------------------------- */
/* the matcher against the oracle                                           */


/* parameter values: valid ones, then every documented fault */
static const char  *values[] = {
    "x", "1", "INST-7902", "yoigo", "metadata", "ticket", "orgs", "v2",
    "issueLink", "a~b_c.d", "AZaz09-._~", "...", ".a", "a.", "a..", "~",
    "%49NST%2d7902", "%7e", "%7E", "%41%42", "%2e%2e%2e", ".%2E.", "%5F",

    "", ".", "..", "%2e", "%2E", "%2e%2E", ".%2e", "%2E.",
    "%2F", "%2f", "%5C", "%5c", "a%2Fb", "%2F..", "\\", "a\\b",
    "%", "%4", "%zz", "%%41", "%g0", "%0g", "a%", "a%2", "%2%2F", "%%",
    "a%00", "%00", "%1f", "%1F", "%7F", "%7f", "%0a", "%0D%0A", "%09",
    "a b", "%20", "!", "*", "'", "(", ")", "+", ",", ";", "=", ":", "@",
    "$", "&", "[", "]", "?", "#", "%3F", "%23", "%25", "%2541", "{org}",
    "%E2%82%AC", "%C3%A9", "%80", "%ff", "%FF", "%7B", "%3A",
};

#define NVALUES  (sizeof(values) / sizeof(values[0]))


/* raw bytes that may not appear in a C string literal above */
static const char  raw_bytes[] = {
    '\0', '\t', '\n', '\r', '\x01', '\x1f', '\x7f', '\x80', '\xc3', '\xff',
    ' ', '"', '<', '>', '^', '`', '{', '|', '}'
};


static void
diff_template_values(const char *tpl)
{
    int     which, nparams, c;
    char    path[PATH_SIZE], v[3 * 131];
    size_t  i, n, len;

    nparams = 0;
    for (i = 0; tpl[i] != '\0'; i++) {
        nparams += (tpl[i] == '{');
    }

    for (which = 0; which < nparams; which++) {

        for (i = 0; i < NVALUES; i++) {
            len = instantiate(tpl, which, values[i], strlen(values[i]),
                              "x1", path);
            diff_all_methods(path, len);
        }

        /* a raw byte alone and inside a value */
        for (i = 0; i < sizeof(raw_bytes); i++) {
            v[0] = raw_bytes[i];
            len = instantiate(tpl, which, v, 1, "x1", path);
            diff_all_methods(path, len);

            memcpy(v, "ab", 2);
            v[2] = raw_bytes[i];
            v[3] = 'c';
            len = instantiate(tpl, which, v, 4, "x1", path);
            diff_all_methods(path, len);
        }

        /* every byte as an escape, both cases, alone and inside a value */
        for (c = 0; c < 256; c++) {
            snprintf(v, sizeof(v), "%%%02X", c);
            len = instantiate(tpl, which, v, 3, "x1", path);
            diff_all_methods(path, len);

            snprintf(v, sizeof(v), "a%%%02xb", c);
            len = instantiate(tpl, which, v, 5, "x1", path);
            diff_all_methods(path, len);
        }

        /* lengths about the limit, raw and encoded */
        for (n = 125; n <= 131; n++) {
            memset(v, 'a', n);
            len = instantiate(tpl, which, v, n, "x1", path);
            diff_all_methods(path, len);

            for (i = 0; i < n; i++) {
                memcpy(v + 3 * i, "%2d", 3);
            }

            len = instantiate(tpl, which, v, 3 * n, "x1", path);
            diff_all_methods(path, len);

            memset(v, 'a', n);
            v[n - 1] = '/';
            len = instantiate(tpl, which, v, n, "x1", path);
            diff_all_methods(path, len);
        }
    }

    /* all parameters the same, valid or not */
    for (i = 0; i < NVALUES; i++) {
        len = instantiate(tpl, -1, NULL, 0, values[i], path);
        diff_all_methods(path, len);
    }
}


/* "path" with "ins" inserted at "at" */
static void
diff_insert(const char *path, size_t len, size_t at, const char *ins)
{
    char    buf[PATH_SIZE];
    size_t  n;

    n = strlen(ins);
    assert_true(len + n < PATH_SIZE);

    memcpy(buf, path, at);
    memcpy(buf + at, ins, n);
    memcpy(buf + at + n, path + at, len - at);

    diff_all_methods(buf, len + n);
}


/* mutations of one valid path */
static void
diff_mutations(const char *path, size_t len)
{
    char    buf[PATH_SIZE];
    size_t  i, k, seg;

    static const char  *suffixes[] = {
        "/", "//", "/.", "/..", "/x", "?a=1", "#f", ";p", "%2F", "%20",
        "/%2e", ".", "~", "%00"
    };

    static const char  *inserts[] = {
        "/", "/.", "/..", "/%2e", "/%2E%2e", "/x", "/v2", "/ticket",
        "/metadata", "%2F", "/orgs"
    };

    for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        diff_insert(path, len, len, suffixes[i]);
    }

    /* at every slash: another slash, a dot-segment, another segment */
    for (i = 0; i < len; i++) {
        if (path[i] != '/') {
            continue;
        }

        for (k = 0; k < sizeof(inserts) / sizeof(inserts[0]); k++) {
            diff_insert(path, len, i, inserts[k]);
        }
    }

    /* cut at every byte */
    for (i = 0; i < len; i++) {
        diff_all_methods(path, i);
    }

    /* each byte: case flipped, percent-encoded, replaced by a slash */
    for (i = 0; i < len; i++) {
        memcpy(buf, path, len);

        if (isalpha((u_char) buf[i])) {
            buf[i] ^= 0x20;
            diff_all_methods(buf, len);
            buf[i] ^= 0x20;
        }

        if (buf[i] != '/') {
            memcpy(buf, path, i);
            snprintf(buf + i, 4, "%%%02X", (u_char) path[i]);
            memcpy(buf + i + 3, path + i + 1, len - i - 1);
            diff_all_methods(buf, len + 2);

            memcpy(buf, path, len);
            buf[i] = '/';
            diff_all_methods(buf, len);
        }
    }

    /* each segment dropped, and doubled */
    for (i = 0, seg = 0; i < len; i = k, seg++) {
        for (k = i + 1; k < len && path[k] != '/'; k++) {
            /* void */
        }

        memcpy(buf, path, i);
        memcpy(buf + i, path + k, len - k);
        diff_all_methods(buf, len - (k - i));

        memcpy(buf, path, k);
        memcpy(buf + k, path + i, len - i);
        diff_all_methods(buf, len + (k - i));
    }
}


static void
diff_random(unsigned long count)
{
    char           path[PATH_SIZE];
    size_t         i, k, n, len, nparts;
    uint32_t       seed;
    unsigned long  r;

    static const char  *pieces[] = {
        "orgs", "ticket", "metadata", "issueLink", "issueLinkType",
        "attachment", "search", "ia", "summary", "duration", "types",
        "create", "update", "properties", "field", "info", "comment",
        "transitions", "assignee", "grid", "remotelink", "v2",
        "searchByIDParams", "searchByTerritoryOwner",
        "x", "INST-1", "yoigo", "%41", "~", "%76%32", "%74icket", "V2",
        "Ticket", "%", "%2", "%2F", "%5c", "%2e", ".", "..", "%00", "\x01",
        "\x7f", "\xc3", "\xff", "", " ", "%zz", "{org}", "/", "?", "#",
    };

#define NPIECES  (sizeof(pieces) / sizeof(pieces[0]))
#define RAND()   (seed = seed * 1103515245 + 12345, (seed >> 16) & 0x7fff)

    seed = 20240614;

    for (r = 0; r < count; r++) {
        len = 0;

        if (RAND() % 8 != 0) {
            memcpy(path, "/v2", 3);
            len = 3;
        }

        nparts = (RAND() % 16 == 0) ? 12 + RAND() % 8 : 1 + RAND() % 6;

        for (k = 0; k < nparts; k++) {
            if (RAND() % 32 != 0) {
                path[len++] = '/';
            }

            n = (RAND() % 4 != 0) ? RAND() % 27 : RAND() % NPIECES;
            memcpy(path + len, pieces[n], strlen(pieces[n]));
            len += strlen(pieces[n]);

            if (RAND() % 6 == 0) {
                n = RAND() % NPIECES;
                memcpy(path + len, pieces[n], strlen(pieces[n]));
                len += strlen(pieces[n]);
            }
        }

        /* now and then a random byte anywhere */
        if (RAND() % 8 == 0 && len > 0) {
            i = RAND() % len;
            path[i] = (char) RAND();
        }

        diff_one(path, len, methods[RAND() % NMETHODS]);
    }

#undef NPIECES
#undef RAND
}


static void
test_matcher_vs_oracle(void **state)
{
    char    path[PATH_SIZE];
    size_t  i, k, n, len;

    (void) state;

    ncases = 0;
    ndiffs = 0;
    nambiguous = 0;
    memset(nrc, 0, sizeof(nrc));

    /* every distinct template, each parameter with each value */
    for (i = 0; i < ROUTE_ORACLE_NOPS; i++) {
        for (k = 0; k < i; k++) {
            if (strcmp(route_oracle_ops[k].path, route_oracle_ops[i].path)
                == 0)
            {
                break;
            }
        }

        if (k == i) {
            diff_template_values(route_oracle_ops[i].path);
        }
    }

    /* mutations of every operation's valid path, two sets of values */
    for (i = 0; i < ROUTE_ORACLE_NOPS; i++) {
        len = instantiate(route_oracle_ops[i].path, -1, NULL, 0, "INST-7902",
                          path);
        diff_mutations(path, len);

        len = instantiate(route_oracle_ops[i].path, -1, NULL, 0, "%41b.c",
                          path);
        diff_mutations(path, len);
    }

    /* the edges: empty, no leading slash, 1 to 18 segments */
    diff_all_methods("", 0);
    diff_all_methods("/", 1);
    diff_all_methods("//", 2);
    diff_all_methods("v2/issueLink", 12);
    diff_all_methods("/v2/issueLink\0/5", 16);

    for (n = 1; n <= 18; n++) {
        for (k = 0, len = 0; k < n; k++) {
            memcpy(path + len, (k == 0) ? "/v2" : "/x", (k == 0) ? 3 : 2);
            len += (k == 0) ? 3 : 2;
        }

        diff_all_methods(path, len);
    }

    diff_random(100000);

    print_message("matcher vs oracle: %lu cases (%lu OK, %lu 404, %lu 405, "
                  "%lu 400), %lu matched more than one template, "
                  "%lu differ\n", ncases, nrc[RC_OK], nrc[RC_NOT_FOUND],
                  nrc[RC_405], nrc[RC_BAD_PARAM], nambiguous, ndiffs);

    /* the generators reach every outcome */
    for (i = 0; i < 4; i++) {
        assert_true(nrc[i] > 0);
    }

    assert_int_equal(ndiffs, 0);
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_oracle_examples),
        cmocka_unit_test(test_oracle_param_rules),
        cmocka_unit_test(test_oracle_length),
        cmocka_unit_test(test_oracle_literal_wins),
        cmocka_unit_test(test_oracle_table),
        cmocka_unit_test(test_oracle_table_is_spec),
        cmocka_unit_test(test_matcher_vs_oracle),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
