
/*
 * The Ticketing API v2 operation catalogue and the path matcher.
 *
 * The matcher works on the raw request path so that it can tell an encoded
 * slash ("%2F") inside a parameter from a real separator; nginx's decoded
 * r->uri has already lost that difference.
 */


#include <stdio.h>
#include <string.h>

#include "ngx_http_ticketing_route.h"


#define G   NGX_HTTP_TICKETING_GET
#define P   NGX_HTTP_TICKETING_POST
#define U   NGX_HTTP_TICKETING_PUT
#define A   NGX_HTTP_TICKETING_PATCH
#define D   NGX_HTTP_TICKETING_DELETE


/* the query parameters of the operations that define some (operations.md) */
static const char *const  ngx_http_ticketing_q_search_by_id[] = {
    "customer_id", "work_order_id", "line", "document_id", NULL
};

static const char *const  ngx_http_ticketing_q_create_properties[] = {
    "projectKey", "ticketType", NULL
};

static const char *const  ngx_http_ticketing_q_field_info[] = {
    "api_name", "customfield_id", "jira_label", NULL
};

static const char *const  ngx_http_ticketing_q_grid[] = {
    "customFieldName", NULL
};

static const char *const  ngx_http_ticketing_q_none[] = { NULL };


#define Q_NONE  NGX_HTTP_TICKETING_QUERY_FREE, ngx_http_ticketing_q_none


/*
 * Default TTLs: what changes rarely lives long.  Default scopes: Jira
 * filters the create and edit metadata (projects, issue types, fields) by
 * the caller's permissions, so those entries are per subject; field names
 * and issue link types are the same for everyone.
 */
const ngx_http_ticketing_operation_t  ngx_http_ticketing_operations[] = {

    { 1, "ticket.create", P, "/v2/orgs/{org}/ticket",
      "ticketing.ticket.create", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_TICKET_CREATE, 0 },
    { 2, "ticket.get", G, "/v2/orgs/{org}/ticket/{ticketId}",
      "ticketing.ticket.get", 0, 0, 0, Q_NONE, 0, 0 },
    { 3, "ticket.update", A, "/v2/orgs/{org}/ticket/{ticketId}",
      "ticketing.ticket.update", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_TICKET_UPDATE, 0 },
    { 4, "ticket.searchJql", G, "/v2/orgs/{org}/search/ticket",
      "ticketing.ticket.search", 0, 0, 0, Q_NONE, 0, 0 },
    { 5, "ticket.search", P, "/v2/orgs/{org}/search/ticket",
      "ticketing.ticket.search", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_TICKET_SEARCH, 0 },
    { 6, "ticket.searchByTerritoryOwner", G,
      "/v2/orgs/{org}/searchByTerritoryOwner",
      "ticketing.ticket.search", 0, 0, 0, Q_NONE, 0, 0 },
    { 7, "ticket.searchByIDParams", G, "/v2/orgs/{org}/searchByIDParams",
      "ticketing.ticket.search", 0, 0, 0,
      NGX_HTTP_TICKETING_QUERY_ANY, ngx_http_ticketing_q_search_by_id,
      0, 0 },
    { 8, "ticket.transitions", G,
      "/v2/orgs/{org}/ticket/{ticketId}/transitions",
      "ticketing.ticket.transitions", 0, 0, 0, Q_NONE, 0, 0 },
    { 9, "ticket.transition", P,
      "/v2/orgs/{org}/ticket/{ticketId}/transitions",
      "ticketing.ticket.transition", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_TRANSITION, 0 },
    { 10, "ticket.assign", U, "/v2/ticket/{ticketId}/assignee",
      "ticketing.ticket.assign", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_ASSIGN, 0 },
    { 11, "metadata.createProperties", G,
      "/v2/ticket/metadata/create/properties",
      "ticketing.metadata.read", 1, 10 * 60, 1,
      NGX_HTTP_TICKETING_QUERY_ALL, ngx_http_ticketing_q_create_properties,
      0, 0 },
    /* per ticket: its workflow may move it soon */
    { 12, "metadata.updateProperties", G,
      "/v2/ticket/{ticketId}/metadata/update/properties",
      "ticketing.metadata.read", 1, 30, 1, Q_NONE, 0, 0 },
    { 13, "metadata.types", G, "/v2/ticket/metadata/types",
      "ticketing.metadata.read", 1, 60 * 60, 1, Q_NONE, 0, 0 },
    { 14, "metadata.fieldInfo", G, "/v2/ticket/field/info",
      "ticketing.metadata.read", 1, 10 * 60, 0,
      NGX_HTTP_TICKETING_QUERY_ONE, ngx_http_ticketing_q_field_info,
      0, 0 },
    { 15, "comment.create", P, "/v2/ticket/{ticketId}/comment",
      "ticketing.comment.create", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_COMMENT, 0 },
    { 16, "attachment.create", P, "/v2/ticket/{ticketId}/attachment",
      "ticketing.attachment.create", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_ATTACHMENT, 0 },
    { 17, "attachment.get", G,
      "/v2/ticket/{ticketId}/attachment/{attachmentId}",
      "ticketing.attachment.get", 0, 0, 0, Q_NONE, 0, 0 },
    { 18, "attachment.delete", D, "/v2/attachment/{attachmentId}",
      "ticketing.attachment.delete", 0, 0, 0, Q_NONE, 0, 0 },
    { 19, "issueLink.create", P, "/v2/issueLink",
      "ticketing.issueLink.create", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_ISSUE_LINK, 0 },
    { 20, "issueLink.get", G, "/v2/issueLink/{issueLinkId}",
      "ticketing.issueLink.get", 0, 0, 0, Q_NONE, 0, 0 },
    { 21, "issueLink.delete", D, "/v2/issueLink/{issueLinkId}",
      "ticketing.issueLink.delete", 0, 0, 0, Q_NONE, 0, 0 },
    { 22, "issueLinkType.list", G, "/v2/issueLinkType",
      "ticketing.issueLinkType.read", 1, 60 * 60, 0, Q_NONE, 0, 0 },
    { 23, "issueLinkType.get", G, "/v2/issueLinkType/{issueLinkId}",
      "ticketing.issueLinkType.read", 1, 60 * 60, 0, Q_NONE, 0, 0 },
    { 24, "grid.update", U, "/v2/ticket/{ticketId}/grid",
      "ticketing.grid.update", 0, 0, 0,
      NGX_HTTP_TICKETING_QUERY_ALL, ngx_http_ticketing_q_grid,
      NGX_HTTP_TICKETING_BODY_GRID, 0 },
    { 25, "ia.summary", G, "/v2/ticket/{ticketId}/ia/summary",
      "ticketing.ticket.iaSummary", 0, 0, 0, Q_NONE, 0, 0 },
    /* a GET with a side effect: it updates the ticket, never cacheable */
    { 26, "ia.duration", G, "/v2/ticket/{ticketId}/ia/duration",
      "ticketing.ticket.iaSummary", 0, 0, 0, Q_NONE, 0, 0 },
    /* the reference shows it without a body: one is checked if sent */
    { 27, "remotelink.create", P, "/v2/remotelink",
      "ticketing.remotelink.create", 0, 0, 0, Q_NONE,
      NGX_HTTP_TICKETING_BODY_REMOTELINK, 1 },
};

#undef Q_NONE

const size_t  ngx_http_ticketing_noperations =
    sizeof(ngx_http_ticketing_operations)
    / sizeof(ngx_http_ticketing_operations[0]);

#undef G
#undef P
#undef U
#undef A
#undef D


/* as many templates as operations at most: a constant expression here */
#define NGX_HTTP_TICKETING_MAX_TEMPLATES                                     \
    (sizeof(ngx_http_ticketing_operations)                                   \
     / sizeof(ngx_http_ticketing_operations[0]))

#define NGX_HTTP_TICKETING_NOT_FOUND_DETAIL                                  \
    "no Ticketing API operation at this path"


/* what went wrong while decoding one raw segment */
#define NGX_HTTP_TICKETING_SEG_BAD_ESCAPE    0x01
#define NGX_HTTP_TICKETING_SEG_SLASH         0x02
#define NGX_HTTP_TICKETING_SEG_CONTROL       0x04
#define NGX_HTTP_TICKETING_SEG_DISALLOWED    0x08
/* not an error: a byte of the segment was percent-encoded */
#define NGX_HTTP_TICKETING_SEG_ENCODED       0x10


typedef struct {
    const u_char  *data;     /* decoded bytes, in scratch */
    size_t         len;
    unsigned       flags;
} ngx_http_ticketing_segment_t;


static const char  *ngx_http_ticketing_param_names[] = {
    "org", "ticketId", "attachmentId", "issueLinkId"
};


/*
 * The catalogue compiled by ngx_http_ticketing_route_init(): written once,
 * before any request, then only read.  The templates of n segments are
 * templates[first[n]] up to templates[first[n + 1]], most specific first.
 */
static ngx_http_ticketing_template_t
    ngx_http_ticketing_templates[NGX_HTTP_TICKETING_MAX_TEMPLATES];
static size_t  ngx_http_ticketing_ntemplates;
static size_t  ngx_http_ticketing_first[NGX_HTTP_TICKETING_MAX_SEGMENTS + 2];
static int     ngx_http_ticketing_templates_ready;

/* what a decoded byte makes of a segment: 0, CONTROL or DISALLOWED */
static u_char  ngx_http_ticketing_byte_flags[256];


int
ngx_http_ticketing_hex_digit(u_char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


int
ngx_http_ticketing_query_next(const u_char **p, const u_char *end,
    ngx_http_ticketing_query_arg_t *arg)
{
    const u_char  *q, *amp, *eq;

    q = *p;

    /* "a=1&&b=2": an empty argument means nothing */
    while (q < end && *q == '&') {
        q++;
    }

    if (q == end) {
        *p = q;
        return -1;
    }

    amp = memchr(q, '&', end - q);
    if (amp == NULL) {
        amp = end;
    }

    eq = memchr(q, '=', amp - q);

    arg->name.data = q;
    arg->name.len = (eq ? eq : amp) - q;
    arg->has_value = (eq != NULL);
    arg->value.data = eq ? eq + 1 : amp;
    arg->value.len = eq ? (size_t) (amp - eq - 1) : 0;

    *p = amp;

    return 0;
}


ssize_t
ngx_http_ticketing_query_decode(const u_char *p, size_t len, u_char *out,
    size_t size)
{
    int     hi, lo;
    u_char  c;
    size_t  i, n;

    n = 0;

    for (i = 0; i < len; i++) {
        c = p[i];

        if (c == '%') {
            if (len - i < 3) {
                return -1;
            }

            hi = ngx_http_ticketing_hex_digit(p[i + 1]);
            lo = ngx_http_ticketing_hex_digit(p[i + 2]);

            if (hi < 0 || lo < 0) {
                return -1;
            }

            c = (u_char) (hi << 4 | lo);
            i += 2;

        } else if (c == '+') {
            c = ' ';
        }

        if (n < size) {
            out[n] = c;
        }

        n++;
    }

    return n;
}


/* RFC 3986 unreserved characters: all a parameter value may contain */
static int
ngx_http_ticketing_param_char(u_char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9')
           || c == '-' || c == '.' || c == '_' || c == '~';
}


static u_char *
ngx_http_ticketing_decode_segment(const u_char *p, const u_char *end,
    u_char *dst, unsigned *flags)
{
    int     hi, lo;
    u_char  c;

    *flags = 0;

    while (p < end) {
        c = *p++;

        if (c == '%') {
            if (end - p < 2
                || (hi = ngx_http_ticketing_hex_digit(p[0])) < 0
                || (lo = ngx_http_ticketing_hex_digit(p[1])) < 0)
            {
                *flags |= NGX_HTTP_TICKETING_SEG_BAD_ESCAPE;
                *dst++ = c;
                continue;
            }

            c = (u_char) (hi * 16 + lo);
            p += 2;

            *flags |= NGX_HTTP_TICKETING_SEG_ENCODED;

            if (c == '/' || c == '\\') {
                *flags |= NGX_HTTP_TICKETING_SEG_SLASH;
            }
        }

        *flags |= ngx_http_ticketing_byte_flags[c];
        *dst++ = c;
    }

    return dst;
}


static ngx_http_ticketing_param_e
ngx_http_ticketing_param_by_name(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        if (strlen(ngx_http_ticketing_param_names[i]) == len
            && memcmp(ngx_http_ticketing_param_names[i], name, len) == 0)
        {
            return (ngx_http_ticketing_param_e) i;
        }
    }

    return NGX_HTTP_TICKETING_NPARAMS;
}


/*
 * Splits one template into its segments.  A segment "{name}" is a
 * parameter; an empty one, or "{}", matches anything unchecked; any other
 * is a literal.  A template that does not start with "/", or has more
 * segments than a request path may have, matches nothing: nsegments 0.
 *
 * The score has one bit per literal segment, the first segment in the
 * highest bit: of the templates matching a path, the one with the highest
 * score is the one whose first literal comes earliest, so literals win
 * over parameters.
 */
static void
ngx_http_ticketing_template_compile(ngx_http_ticketing_template_t *t,
    const char *tpl)
{
    size_t                             n, nseg;
    const char                        *end;
    ngx_http_ticketing_tpl_segment_t  *ts;

    t->path = tpl;
    t->nsegments = 0;
    t->score = 0;

    for (nseg = 0; *tpl == '/'; nseg++) {
        if (nseg == NGX_HTTP_TICKETING_MAX_SEGMENTS) {
            t->score = 0;
            return;
        }

        tpl++;
        end = strchr(tpl, '/');
        n = end ? (size_t) (end - tpl) : strlen(tpl);

        ts = &t->segments[nseg];
        ts->data = tpl;
        ts->len = n;
        ts->param = NGX_HTTP_TICKETING_NPARAMS;

        t->score <<= 1;

        if (n > 0 && tpl[0] != '{') {
            ts->kind = NGX_HTTP_TICKETING_TPL_LITERAL;
            t->score |= 1;

        } else if (n > 2) {
            /* the name is what lies between the first and last bytes */
            ts->kind = NGX_HTTP_TICKETING_TPL_PARAM;
            ts->data = tpl + 1;
            ts->len = n - 2;
            ts->param = ngx_http_ticketing_param_by_name(ts->data, ts->len);

        } else {
            ts->kind = NGX_HTTP_TICKETING_TPL_ANY;
        }

        tpl += n;
    }

    t->nsegments = nseg;
}


/* sorts before: fewer segments, else a higher score */
static int
ngx_http_ticketing_template_before(const ngx_http_ticketing_template_t *a,
    const ngx_http_ticketing_template_t *b)
{
    if (a->nsegments != b->nsegments) {
        return a->nsegments < b->nsegments;
    }

    return a->score > b->score;
}


void
ngx_http_ticketing_route_init(void)
{
    size_t                                 i, k, n;
    ngx_http_ticketing_template_t         *t, tmp;
    const ngx_http_ticketing_operation_t  *op;

    if (ngx_http_ticketing_templates_ready) {
        return;
    }

    for (i = 0; i < 256; i++) {
        if (i < 0x20 || i == 0x7f) {
            ngx_http_ticketing_byte_flags[i] = NGX_HTTP_TICKETING_SEG_CONTROL;

        } else if (!ngx_http_ticketing_param_char((u_char) i)) {
            ngx_http_ticketing_byte_flags[i] =
                                            NGX_HTTP_TICKETING_SEG_DISALLOWED;

        } else {
            ngx_http_ticketing_byte_flags[i] = 0;
        }
    }

    memset(ngx_http_ticketing_templates, 0,
           sizeof(ngx_http_ticketing_templates));
    ngx_http_ticketing_ntemplates = 0;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        op = &ngx_http_ticketing_operations[i];

        /* operations with the same template string share one entry */

        for (k = 0; k < ngx_http_ticketing_ntemplates; k++) {
            if (strcmp(ngx_http_ticketing_templates[k].path, op->path) == 0) {
                break;
            }
        }

        t = &ngx_http_ticketing_templates[k];

        if (k == ngx_http_ticketing_ntemplates) {
            ngx_http_ticketing_template_compile(t, op->path);
            ngx_http_ticketing_ntemplates++;
        }

        t->allowed |= op->method;

        /* a later operation with the same method and template wins */

        for (k = 0; k < NGX_HTTP_TICKETING_NMETHODS; k++) {
            if (op->method == (1u << k)) {
                t->ops[k] = op;
            }
        }
    }

    /*
     * A stable insertion sort: equal templates stay in catalogue order, so
     * the first template of its bucket that matches a path is the one the
     * score prefers, the earliest in the catalogue among equals.
     */

    t = ngx_http_ticketing_templates;

    for (i = 1; i < ngx_http_ticketing_ntemplates; i++) {
        tmp = t[i];

        for (k = i; k > 0 && ngx_http_ticketing_template_before(&tmp,
                                                                &t[k - 1]);
             k--)
        {
            t[k] = t[k - 1];
        }

        t[k] = tmp;
    }

    for (i = 0, n = 0; n < NGX_HTTP_TICKETING_MAX_SEGMENTS + 2; n++) {
        while (i < ngx_http_ticketing_ntemplates && t[i].nsegments < n) {
            i++;
        }

        ngx_http_ticketing_first[n] = i;
    }

    ngx_http_ticketing_templates_ready = 1;
}


const ngx_http_ticketing_template_t *
ngx_http_ticketing_route_templates(size_t *n)
{
    ngx_http_ticketing_route_init();

    *n = ngx_http_ticketing_ntemplates;

    return ngx_http_ticketing_templates;
}


/*
 * Compares the request segments with the literals of a template of as many
 * segments.  A literal matches only as sent: never a segment with an
 * escape, malformed or not.  "%74icket" is "ticket" to an upstream that
 * decodes, but not to one that does not; refusing it leaves the two no
 * room to route one path differently.
 */
static int
ngx_http_ticketing_template_matches(const ngx_http_ticketing_template_t *t,
    const ngx_http_ticketing_segment_t *seg)
{
    size_t                                   i;
    const ngx_http_ticketing_tpl_segment_t  *ts;

    for (i = 0; i < t->nsegments; i++) {
        ts = &t->segments[i];

        if (ts->kind == NGX_HTTP_TICKETING_TPL_LITERAL
            && (ts->len != seg[i].len
                || (seg[i].flags & (NGX_HTTP_TICKETING_SEG_BAD_ESCAPE
                                    |NGX_HTTP_TICKETING_SEG_ENCODED))
                || memcmp(ts->data, seg[i].data, ts->len) != 0))
        {
            return 0;
        }
    }

    return 1;
}


static const char *
ngx_http_ticketing_param_problem(const ngx_http_ticketing_segment_t *seg)
{
    if (seg->len == 0) {
        return "is empty";
    }

    if (seg->flags & NGX_HTTP_TICKETING_SEG_BAD_ESCAPE) {
        return "has malformed percent-encoding";
    }

    if (seg->flags & NGX_HTTP_TICKETING_SEG_SLASH) {
        return "contains an encoded slash";
    }

    if (seg->flags & NGX_HTTP_TICKETING_SEG_CONTROL) {
        return "contains a control character";
    }

    if ((seg->len == 1 && seg->data[0] == '.')
        || (seg->len == 2 && seg->data[0] == '.' && seg->data[1] == '.'))
    {
        return "is a dot-segment";
    }

    if (seg->flags & NGX_HTTP_TICKETING_SEG_DISALLOWED) {
        return "contains a character that is not allowed"
               " (allowed: letters, digits, '-', '.', '_', '~')";
    }

    if (seg->len > NGX_HTTP_TICKETING_MAX_PARAM) {
        return "is too long";
    }

    return NULL;
}


/* fills rt->params from the template; refuses a malformed value */
static ngx_http_ticketing_route_rc_e
ngx_http_ticketing_bind_params(const ngx_http_ticketing_template_t *t,
    const ngx_http_ticketing_segment_t *seg, ngx_http_ticketing_route_t *rt)
{
    size_t                                   i;
    const char                              *problem;
    const ngx_http_ticketing_tpl_segment_t  *ts;

    for (i = 0; i < t->nsegments; i++) {
        ts = &t->segments[i];

        if (ts->kind != NGX_HTTP_TICKETING_TPL_PARAM) {
            continue;
        }

        problem = ngx_http_ticketing_param_problem(&seg[i]);

        if (problem != NULL) {
            snprintf(rt->detail, sizeof(rt->detail),
                     "path parameter %.*s %s", (int) ts->len, ts->data,
                     problem);
            return NGX_HTTP_TICKETING_ROUTE_BAD_PARAM;
        }

        if (ts->param < NGX_HTTP_TICKETING_NPARAMS) {
            rt->params[ts->param].data = seg[i].data;
            rt->params[ts->param].len = seg[i].len;
        }
    }

    return NGX_HTTP_TICKETING_ROUTE_OK;
}


static ngx_http_ticketing_route_rc_e
ngx_http_ticketing_route_not_found(ngx_http_ticketing_route_t *rt)
{
    memcpy(rt->detail, NGX_HTTP_TICKETING_NOT_FOUND_DETAIL,
           sizeof(NGX_HTTP_TICKETING_NOT_FOUND_DETAIL));

    return NGX_HTTP_TICKETING_ROUTE_NOT_FOUND;
}


ngx_http_ticketing_route_rc_e
ngx_http_ticketing_route_match(const u_char *path, size_t len,
    unsigned method, u_char *scratch, ngx_http_ticketing_route_t *rt)
{
    size_t                                i, nseg;
    u_char                               *dst;
    const u_char                         *p, *end, *sep;
    ngx_http_ticketing_segment_t          seg[NGX_HTTP_TICKETING_MAX_SEGMENTS];
    const ngx_http_ticketing_template_t  *t, *match;

    /* what callers read; detail is written on every return below */

    rt->op = NULL;
    rt->allowed = 0;
    memset(rt->params, 0, sizeof(rt->params));

    if (!ngx_http_ticketing_templates_ready) {
        ngx_http_ticketing_route_init();
    }

    if (len == 0 || path[0] != '/') {
        return ngx_http_ticketing_route_not_found(rt);
    }

    /* split on real slashes and decode every segment into scratch */

    p = path + 1;
    end = path + len;
    dst = scratch;
    nseg = 0;

    for ( ;; ) {
        if (nseg == NGX_HTTP_TICKETING_MAX_SEGMENTS) {
            return ngx_http_ticketing_route_not_found(rt);
        }

        sep = memchr(p, '/', (size_t) (end - p));
        if (sep == NULL) {
            sep = end;
        }

        seg[nseg].data = dst;
        dst = ngx_http_ticketing_decode_segment(p, sep, dst,
                                                &seg[nseg].flags);
        seg[nseg].len = (size_t) (dst - seg[nseg].data);
        nseg++;

        if (sep == end) {
            break;
        }

        p = sep + 1;
    }

    /*
     * The most specific template that matches, whatever the method: the
     * first one that matches among those of as many segments.
     */

    match = NULL;

    for (i = ngx_http_ticketing_first[nseg];
         i < ngx_http_ticketing_first[nseg + 1];
         i++)
    {
        t = &ngx_http_ticketing_templates[i];

        if (ngx_http_ticketing_template_matches(t, seg)) {
            match = t;
            break;
        }
    }

    if (match == NULL) {
        return ngx_http_ticketing_route_not_found(rt);
    }

    /*
     * A malformed parameter names no resource at all: it is refused before
     * the method is looked at.
     */

    if (ngx_http_ticketing_bind_params(match, seg, rt)
        != NGX_HTTP_TICKETING_ROUTE_OK)
    {
        return NGX_HTTP_TICKETING_ROUTE_BAD_PARAM;
    }

    /* the operations sharing that template decide on the method */

    rt->allowed = match->allowed;

    for (i = 0; i < NGX_HTTP_TICKETING_NMETHODS; i++) {
        if (method == (1u << i)) {
            rt->op = match->ops[i];
            break;
        }
    }

    if (rt->op == NULL) {
        snprintf(rt->detail, sizeof(rt->detail),
                 "method not allowed for %s", match->path);
        return NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED;
    }

    rt->detail[0] = '\0';

    return NGX_HTTP_TICKETING_ROUTE_OK;
}


size_t
ngx_http_ticketing_route_allow(unsigned methods, char *buf, size_t size)
{
    size_t  i, n, len;

    static const struct {
        unsigned     bit;
        const char  *name;
    } order[] = {
        { NGX_HTTP_TICKETING_GET, "GET" },
        { NGX_HTTP_TICKETING_POST, "POST" },
        { NGX_HTTP_TICKETING_PUT, "PUT" },
        { NGX_HTTP_TICKETING_PATCH, "PATCH" },
        { NGX_HTTP_TICKETING_DELETE, "DELETE" },
    };

    len = 0;

    if (size == 0) {
        return 0;
    }

    buf[0] = '\0';

    for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!(methods & order[i].bit)) {
            continue;
        }

        n = (size_t) snprintf(buf + len, size - len, "%s%s",
                              len ? ", " : "", order[i].name);
        if (n >= size - len) {
            buf[len] = '\0';
            break;
        }

        len += n;
    }

    return len;
}


const char *
ngx_http_ticketing_param_name(ngx_http_ticketing_param_e param)
{
    if (param >= NGX_HTTP_TICKETING_NPARAMS) {
        return NULL;
    }

    return ngx_http_ticketing_param_names[param];
}


const ngx_http_ticketing_operation_t *
ngx_http_ticketing_operation(unsigned number)
{
    /* the catalogue is in the docs' order: number N is entry N - 1 */
    if (number == 0 || number > ngx_http_ticketing_noperations) {
        return NULL;
    }

    return &ngx_http_ticketing_operations[number - 1];
}


const ngx_http_ticketing_operation_t *
ngx_http_ticketing_operation_find(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        if (strlen(ngx_http_ticketing_operations[i].name) == len
            && memcmp(ngx_http_ticketing_operations[i].name, name, len) == 0)
        {
            return &ngx_http_ticketing_operations[i];
        }
    }

    return NULL;
}
