
/*
 * An independent oracle for the route matcher: what the documentation says
 * ngx_http_ticketing_route_match() answers, written from the documentation
 * and not from ngx_http_ticketing_route.c.
 *
 * Sources of the contract:
 *   - the operation table of ../shared/spec/operations.md, transcribed
 *     below (number, name, method, path without its query);
 *   - docs/directives.md, "ticketing_gateway": an unknown path is 404, a known
 *     path with another method 405 with the methods the path has, a malformed
 *     path parameter 400 naming it; a parameter is malformed when it is empty,
 *     a dot-segment ("."/"..", also encoded), contains an encoded slash or
 *     backslash, a control byte, malformed percent-encoding, a character
 *     outside "A-Z a-z 0-9 - . _ ~", or is longer than 128 bytes; a literal
 *     segment matches only as written; parameters are percent-decoded;
 *   - operations.md and docs/operations.md, "Operation catalogue": a
 *     parameter is one segment; literal segments win over parameters;
 *   - route.h: the path is raw (still percent-encoded), without a query,
 *     and the method is one method bit; route.c's comment on the match: a
 *     malformed parameter is refused before the method is looked at.
 *
 * How it differs from route.c: no segment splitting, no decoding table, no
 * compiled segment arrays, scores or sorting.  Each template of the table
 * below becomes one POSIX extended regular expression (a literal segment
 * as itself, a parameter as "([^/]*)"), run on the whole raw path with
 * regexec(); a parameter is then judged by further regular expressions,
 * one per documented rule, on its raw bytes; and the "128 bytes" are
 * counted on the decoded value (raw length less two per escape).
 *
 * The oracle does not guess what the documentation leaves open: which
 * parameter a 400 names when several are malformed, and which of a
 * parameter's faults it reports.  route_oracle_differs() accepts any
 * malformed parameter and any fault that parameter has.
 *
 * Only for tests: every function is static, include it once.  The regular
 * expressions are compiled on first use and kept for the process.
 */


#ifndef _ROUTE_ORACLE_H_INCLUDED_
#define _ROUTE_ORACLE_H_INCLUDED_


#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ngx_http_ticketing_route.h"


#define ROUTE_ORACLE_NOPS        27
#define ROUTE_ORACLE_MAX_PARAMS  4      /* of one template */
#define ROUTE_ORACLE_MAX_LEN     128    /* docs: "longer than 128 bytes" */
#define ROUTE_ORACLE_NMATCH      (1 + ROUTE_ORACLE_MAX_PARAMS)

/* a parameter's faults, one bit per rule of the docs */
#define ROUTE_ORACLE_EMPTY       0x01
#define ROUTE_ORACLE_DOT         0x02
#define ROUTE_ORACLE_SLASH       0x04
#define ROUTE_ORACLE_CONTROL     0x08
#define ROUTE_ORACLE_ESCAPE      0x10
#define ROUTE_ORACLE_OUTSIDE     0x20
#define ROUTE_ORACLE_LONG        0x40


typedef struct {
    unsigned      number;
    const char   *name;
    const char   *method;
    const char   *path;
} route_oracle_op_t;


/* ../shared/spec/operations.md, in its order; the query part left out */
static const route_oracle_op_t  route_oracle_ops[ROUTE_ORACLE_NOPS] = {
    { 1, "ticket.create", "POST", "/v2/orgs/{org}/ticket" },
    { 2, "ticket.get", "GET", "/v2/orgs/{org}/ticket/{ticketId}" },
    { 3, "ticket.update", "PATCH", "/v2/orgs/{org}/ticket/{ticketId}" },
    { 4, "ticket.searchJql", "GET", "/v2/orgs/{org}/search/ticket" },
    { 5, "ticket.search", "POST", "/v2/orgs/{org}/search/ticket" },
    { 6, "ticket.searchByTerritoryOwner", "GET",
      "/v2/orgs/{org}/searchByTerritoryOwner" },
    { 7, "ticket.searchByIDParams", "GET", "/v2/orgs/{org}/searchByIDParams" },
    { 8, "ticket.transitions", "GET",
      "/v2/orgs/{org}/ticket/{ticketId}/transitions" },
    { 9, "ticket.transition", "POST",
      "/v2/orgs/{org}/ticket/{ticketId}/transitions" },
    { 10, "ticket.assign", "PUT", "/v2/ticket/{ticketId}/assignee" },
    { 11, "metadata.createProperties", "GET",
      "/v2/ticket/metadata/create/properties" },
    { 12, "metadata.updateProperties", "GET",
      "/v2/ticket/{ticketId}/metadata/update/properties" },
    { 13, "metadata.types", "GET", "/v2/ticket/metadata/types" },
    { 14, "metadata.fieldInfo", "GET", "/v2/ticket/field/info" },
    { 15, "comment.create", "POST", "/v2/ticket/{ticketId}/comment" },
    { 16, "attachment.create", "POST", "/v2/ticket/{ticketId}/attachment" },
    { 17, "attachment.get", "GET",
      "/v2/ticket/{ticketId}/attachment/{attachmentId}" },
    { 18, "attachment.delete", "DELETE", "/v2/attachment/{attachmentId}" },
    { 19, "issueLink.create", "POST", "/v2/issueLink" },
    { 20, "issueLink.get", "GET", "/v2/issueLink/{issueLinkId}" },
    { 21, "issueLink.delete", "DELETE", "/v2/issueLink/{issueLinkId}" },
    { 22, "issueLinkType.list", "GET", "/v2/issueLinkType" },
    { 23, "issueLinkType.get", "GET", "/v2/issueLinkType/{issueLinkId}" },
    { 24, "grid.update", "PUT", "/v2/ticket/{ticketId}/grid" },
    { 25, "ia.summary", "GET", "/v2/ticket/{ticketId}/ia/summary" },
    { 26, "ia.duration", "GET", "/v2/ticket/{ticketId}/ia/duration" },
    { 27, "remotelink.create", "POST", "/v2/remotelink" },
};


/* one operation's template as a regular expression */
typedef struct {
    regex_t       re;
    size_t        nparams;
    char          param[ROUTE_ORACLE_MAX_PARAMS][16];   /* "ticketId" */
    char          kinds[16];     /* per segment: 'L' literal, 'P' param */
} route_oracle_tpl_t;


/* what the oracle says of one path and method */
typedef struct {
    ngx_http_ticketing_route_rc_e   rc;
    const route_oracle_op_t        *op;          /* OK only */
    unsigned                        allowed;     /* OK and 405 */
    size_t                          nmatched;    /* templates that matched */
    size_t                          nparams;
    char                            name[ROUTE_ORACLE_MAX_PARAMS][16];
    unsigned                        faults[ROUTE_ORACLE_MAX_PARAMS];
    u_char                          value[ROUTE_ORACLE_MAX_PARAMS]
                                         [ROUTE_ORACLE_MAX_LEN];
    size_t                          len[ROUTE_ORACLE_MAX_PARAMS];
} route_oracle_t;


static route_oracle_tpl_t  route_oracle_tpls[ROUTE_ORACLE_NOPS];

/* one regular expression per rule on a raw parameter */
static regex_t  route_oracle_valid;     /* the whole value is fine */
static regex_t  route_oracle_dot;       /* "." or "..", encoded or not */
static regex_t  route_oracle_wellformed;
static regex_t  route_oracle_slash;
static regex_t  route_oracle_control;
static regex_t  route_oracle_raw_outside;
static regex_t  route_oracle_escape;    /* one escape, to count them */
static regex_t  route_oracle_unreserved_escape;

static int      route_oracle_ready;


/*
 * The escapes of the unreserved characters, from the ASCII table:
 * 2D '-', 2E '.', 30-39 digits, 41-5A upper case, 5F '_', 61-7A lower
 * case, 7E '~'.
 */
#define ROUTE_ORACLE_UESC                                                    \
    "%(2[DdEe]|3[0-9]|4[1-9A-Fa-f]|5[0-9Aa]|5[Ff]|6[1-9A-Fa-f]|7[0-9Aa]"    \
    "|7[Ee])"

#define ROUTE_ORACLE_UCHAR  "[-A-Za-z0-9._~]"


static void
route_oracle_compile(regex_t *re, const char *pattern, int flags)
{
    int   rc;
    char  err[256];

    rc = regcomp(re, pattern, REG_EXTENDED | flags);
    if (rc != 0) {
        regerror(rc, re, err, sizeof(err));
        fprintf(stderr, "route oracle: regcomp \"%s\": %s\n", pattern, err);
        abort();
    }
}


/* "/v2/orgs/{org}/ticket" -> "^/v2/orgs/([^/]*)/ticket$" */
static void
route_oracle_template(route_oracle_tpl_t *t, const char *path)
{
    char         re[512], *p;
    size_t       nseg;
    const char  *s, *close;

    p = re;
    *p++ = '^';
    t->nparams = 0;
    nseg = 0;

    for (s = path; *s != '\0'; s++) {
        if (*s == '/') {
            *p++ = '/';
            t->kinds[nseg++] = (s[1] == '{') ? 'P' : 'L';
            continue;
        }

        if (*s == '{') {
            close = strchr(s, '}');
            if (close == NULL || t->nparams == ROUTE_ORACLE_MAX_PARAMS
                || (size_t) (close - s) > sizeof(t->param[0]))
            {
                abort();
            }

            memcpy(t->param[t->nparams], s + 1, close - s - 1);
            t->param[t->nparams][close - s - 1] = '\0';
            t->nparams++;

            memcpy(p, "([^/]*)", 7);
            p += 7;
            s = close;
            continue;
        }

        /* a literal byte, escaped when ERE would read it as an operator */
        if (strchr(".[]()*+?{}|^$\\", *s) != NULL) {
            *p++ = '\\';
        }

        *p++ = *s;
    }

    *p++ = '$';
    *p = '\0';
    t->kinds[nseg] = '\0';

    route_oracle_compile(&t->re, re, 0);
}


static void
route_oracle_init(void)
{
    size_t  i;

    if (route_oracle_ready) {
        return;
    }

    for (i = 0; i < ROUTE_ORACLE_NOPS; i++) {
        route_oracle_template(&route_oracle_tpls[i], route_oracle_ops[i].path);
    }

    route_oracle_compile(&route_oracle_valid,
                         "^(" ROUTE_ORACLE_UCHAR "|" ROUTE_ORACLE_UESC ")+$",
                         REG_NOSUB);
    route_oracle_compile(&route_oracle_dot, "^(\\.|%2[Ee]){1,2}$",
                         REG_NOSUB);
    route_oracle_compile(&route_oracle_wellformed,
                         "^([^%]|%[0-9A-Fa-f]{2})*$", REG_NOSUB);
    route_oracle_compile(&route_oracle_slash, "%(2[Ff]|5[Cc])", REG_NOSUB);
    route_oracle_compile(&route_oracle_control,
                         "[[:cntrl:]]|%([01][0-9A-Fa-f]|7[Ff])", REG_NOSUB);
    route_oracle_compile(&route_oracle_raw_outside, "[^-A-Za-z0-9._~%]",
                         REG_NOSUB);
    route_oracle_compile(&route_oracle_escape, "%[0-9A-Fa-f]{2}", 0);
    route_oracle_compile(&route_oracle_unreserved_escape,
                         "^" ROUTE_ORACLE_UESC "$", REG_NOSUB);

    route_oracle_ready = 1;
}


/*
 * regexec() on "len" bytes that may hold NULs: REG_STARTEND.  The bytes
 * are copied and NUL-terminated first: the sanitizers' regexec() wrapper
 * reads the string up to a NUL whatever the flags say.
 */
static int
route_oracle_exec(const regex_t *re, const u_char *s, size_t len,
    size_t nmatch, regmatch_t *m)
{
    int         rc;
    char       *copy;
    regmatch_t  whole[1];

    if (m == NULL || nmatch == 0) {
        m = whole;
        nmatch = 1;
    }

    copy = malloc(len + 1);
    if (copy == NULL) {
        abort();
    }

    memcpy(copy, s, len);
    copy[len] = '\0';

    m[0].rm_so = 0;
    m[0].rm_eo = (regoff_t) len;

    rc = regexec(re, copy, nmatch, m, REG_STARTEND);

    free(copy);

    return rc == 0;
}


static unsigned
route_oracle_method_bit(const char *name)
{
    if (strcmp(name, "GET") == 0) {
        return NGX_HTTP_TICKETING_GET;
    }

    if (strcmp(name, "POST") == 0) {
        return NGX_HTTP_TICKETING_POST;
    }

    if (strcmp(name, "PUT") == 0) {
        return NGX_HTTP_TICKETING_PUT;
    }

    if (strcmp(name, "PATCH") == 0) {
        return NGX_HTTP_TICKETING_PATCH;
    }

    if (strcmp(name, "DELETE") == 0) {
        return NGX_HTTP_TICKETING_DELETE;
    }

    abort();
}


/*
 * The faults of one raw parameter, each rule on its own; and the decoded
 * value when there is none.
 */
static unsigned
route_oracle_param(const u_char *s, size_t len, u_char *value,
    size_t *vlen)
{
    char        hex[3];
    size_t      off, nesc, i, n;
    unsigned    faults;
    regmatch_t  m[1];

    faults = 0;
    nesc = 0;

    if (len == 0) {
        faults |= ROUTE_ORACLE_EMPTY;
    }

    if (route_oracle_exec(&route_oracle_dot, s, len, 0, NULL)) {
        faults |= ROUTE_ORACLE_DOT;
    }

    if (!route_oracle_exec(&route_oracle_wellformed, s, len, 0, NULL)) {
        faults |= ROUTE_ORACLE_ESCAPE;
    }

    if (route_oracle_exec(&route_oracle_slash, s, len, 0, NULL)) {
        faults |= ROUTE_ORACLE_SLASH;
    }

    if (route_oracle_exec(&route_oracle_control, s, len, 0, NULL)) {
        faults |= ROUTE_ORACLE_CONTROL;
    }

    if (route_oracle_exec(&route_oracle_raw_outside, s, len, 0, NULL)) {
        faults |= ROUTE_ORACLE_OUTSIDE;
    }

    /* every escape: counted, and outside when it is not unreserved */

    for (off = 0; off < len; off += (size_t) m[0].rm_eo) {
        if (!route_oracle_exec(&route_oracle_escape, s + off, len - off, 1,
                               m))
        {
            break;
        }

        nesc++;

        if (!route_oracle_exec(&route_oracle_unreserved_escape,
                               s + off + m[0].rm_so, 3, 0, NULL))
        {
            faults |= ROUTE_ORACLE_OUTSIDE;
        }
    }

    if (len - 2 * nesc > ROUTE_ORACLE_MAX_LEN) {
        faults |= ROUTE_ORACLE_LONG;
    }

    /* the same verdict from the one expression of a good value */

    if ((faults == 0)
        != (route_oracle_exec(&route_oracle_valid, s, len, 0, NULL)
            && !(faults & (ROUTE_ORACLE_DOT | ROUTE_ORACLE_LONG))))
    {
        fprintf(stderr, "route oracle: rules disagree on \"%.*s\"\n",
                (int) len, (const char *) s);
        abort();
    }

    *vlen = 0;

    if (faults != 0) {
        return faults;
    }

    for (i = 0, n = 0; i < len; n++) {
        if (s[i] == '%') {
            hex[0] = (char) s[i + 1];
            hex[1] = (char) s[i + 2];
            hex[2] = '\0';
            value[n] = (u_char) strtoul(hex, NULL, 16);
            i += 3;

        } else {
            value[n] = s[i++];
        }
    }

    *vlen = n;

    return 0;
}


/*
 * Of two templates matching the same path, the one whose literal comes
 * where the other has a parameter, at the first segment they differ in.
 */
static int
route_oracle_more_literal(const route_oracle_tpl_t *a,
    const route_oracle_tpl_t *b)
{
    size_t  i;

    for (i = 0; a->kinds[i] != '\0' && b->kinds[i] != '\0'; i++) {
        if (a->kinds[i] != b->kinds[i]) {
            return a->kinds[i] == 'L';
        }
    }

    return 0;
}


static void
route_oracle_match(const u_char *path, size_t len, unsigned method,
    route_oracle_t *o)
{
    size_t                     i, k, best;
    unsigned                   bad;
    regmatch_t                 m[ROUTE_ORACLE_NMATCH];
    regmatch_t                 bm[ROUTE_ORACLE_NMATCH];
    const route_oracle_tpl_t  *t;

    route_oracle_init();

    memset(o, 0, sizeof(route_oracle_t));
    o->rc = NGX_HTTP_TICKETING_ROUTE_NOT_FOUND;

    best = ROUTE_ORACLE_NOPS;

    for (i = 0; i < ROUTE_ORACLE_NOPS; i++) {

        /* operations sharing a template: the first one stands for all */
        for (k = 0; k < i; k++) {
            if (strcmp(route_oracle_ops[k].path,
                       route_oracle_ops[i].path) == 0)
            {
                break;
            }
        }

        if (k < i) {
            continue;
        }

        t = &route_oracle_tpls[i];

        if (!route_oracle_exec(&t->re, path, len, 1 + t->nparams, m)) {
            continue;
        }

        o->nmatched++;

        if (best == ROUTE_ORACLE_NOPS
            || route_oracle_more_literal(t, &route_oracle_tpls[best]))
        {
            best = i;
            memcpy(bm, m, sizeof(m));
        }
    }

    if (best == ROUTE_ORACLE_NOPS) {
        return;
    }

    t = &route_oracle_tpls[best];
    o->nparams = t->nparams;
    bad = 0;

    for (k = 0; k < t->nparams; k++) {
        memcpy(o->name[k], t->param[k], sizeof(o->name[k]));
        o->faults[k] = route_oracle_param(path + bm[1 + k].rm_so,
                                          (size_t) (bm[1 + k].rm_eo
                                                    - bm[1 + k].rm_so),
                                          o->value[k], &o->len[k]);
        bad |= o->faults[k];
    }

    if (bad) {
        o->rc = NGX_HTTP_TICKETING_ROUTE_BAD_PARAM;
        return;
    }

    for (i = 0; i < ROUTE_ORACLE_NOPS; i++) {
        if (strcmp(route_oracle_ops[i].path, route_oracle_ops[best].path)
            != 0)
        {
            continue;
        }

        o->allowed |= route_oracle_method_bit(route_oracle_ops[i].method);

        if (route_oracle_method_bit(route_oracle_ops[i].method) == method) {
            o->op = &route_oracle_ops[i];
        }
    }

    o->rc = (o->op != NULL) ? NGX_HTTP_TICKETING_ROUTE_OK
                            : NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED;
}


/* the fault a 400's detail names: "path parameter ticketId is empty" */
static unsigned
route_oracle_detail_fault(const char *problem)
{
    size_t  i;

    static const struct {
        const char  *text;
        unsigned     fault;
    } faults[] = {
        { "is empty", ROUTE_ORACLE_EMPTY },
        { "is a dot-segment", ROUTE_ORACLE_DOT },
        { "contains an encoded slash", ROUTE_ORACLE_SLASH },
        { "contains a control character", ROUTE_ORACLE_CONTROL },
        { "has malformed percent-encoding", ROUTE_ORACLE_ESCAPE },
        { "contains a character that is not allowed", ROUTE_ORACLE_OUTSIDE },
        { "is too long", ROUTE_ORACLE_LONG },
    };

    for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        if (strncmp(problem, faults[i].text, strlen(faults[i].text)) == 0) {
            return faults[i].fault;
        }
    }

    return 0;
}


/*
 * Compares the matcher's answer with the oracle's: NULL when they agree,
 * else what differs.  Agreeing means: the same result code; on a match the
 * same operation (number, name, method, template) and decoded parameters,
 * and no other parameter set; on a match and a 405 the same methods; on a
 * 400 a detail that names a parameter the oracle finds malformed, and one
 * of that parameter's faults.
 */
static const char *
route_oracle_differs(ngx_http_ticketing_route_rc_e rc,
    const ngx_http_ticketing_route_t *rt, const route_oracle_t *o)
{
    size_t       i, k, n;
    unsigned     fault;
    const char  *name, *d;

    if (rc != o->rc) {
        return "result code";
    }

    switch (rc) {

    case NGX_HTTP_TICKETING_ROUTE_OK:
        if (rt->op == NULL || rt->op->number != o->op->number
            || strcmp(rt->op->name, o->op->name) != 0
            || strcmp(rt->op->path, o->op->path) != 0
            || rt->op->method != route_oracle_method_bit(o->op->method))
        {
            return "operation";
        }

        for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
            name = ngx_http_ticketing_param_name(
                                              (ngx_http_ticketing_param_e) i);

            for (k = 0; k < o->nparams; k++) {
                if (strcmp(name, o->name[k]) == 0) {
                    break;
                }
            }

            if (k == o->nparams) {
                if (rt->params[i].len != 0) {
                    return "a parameter the template does not have";
                }

                continue;
            }

            if (rt->params[i].len != o->len[k]
                || memcmp(rt->params[i].data, o->value[k], o->len[k]) != 0)
            {
                return "parameter value";
            }
        }

        /* fall through */

    case NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED:
        if (rt->allowed != o->allowed) {
            return "allowed methods";
        }

        break;

    case NGX_HTTP_TICKETING_ROUTE_BAD_PARAM:
        d = rt->detail;

        if (strncmp(d, "path parameter ", 15) != 0) {
            return "400 detail";
        }

        d += 15;

        for (k = 0; k < o->nparams; k++) {
            n = strlen(o->name[k]);

            if (o->faults[k] != 0 && strncmp(d, o->name[k], n) == 0
                && d[n] == ' ')
            {
                break;
            }
        }

        if (k == o->nparams) {
            return "400 names no malformed parameter";
        }

        fault = route_oracle_detail_fault(d + strlen(o->name[k]) + 1);

        if ((fault & o->faults[k]) == 0) {
            return "400 names a fault the parameter does not have";
        }

        break;

    default:
        break;
    }

    return NULL;
}


#endif /* _ROUTE_ORACLE_H_INCLUDED_ */
