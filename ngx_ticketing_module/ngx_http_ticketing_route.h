
/*
 * The Ticketing API v2 operation catalogue and the path matcher.
 *
 * Pure logic: this file includes no nginx header, so the unit tests and
 * the fuzzers link it without nginx.
 */


#ifndef _NGX_HTTP_TICKETING_ROUTE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_ROUTE_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>


/* methods as bits of our own: independent of nginx's NGX_HTTP_* values */
#define NGX_HTTP_TICKETING_GET          0x01
#define NGX_HTTP_TICKETING_POST         0x02
#define NGX_HTTP_TICKETING_PUT          0x04
#define NGX_HTTP_TICKETING_PATCH        0x08
#define NGX_HTTP_TICKETING_DELETE       0x10
#define NGX_HTTP_TICKETING_NMETHODS     5

#define NGX_HTTP_TICKETING_MAX_SEGMENTS 16
#define NGX_HTTP_TICKETING_MAX_PARAM    128
#define NGX_HTTP_TICKETING_DETAIL_SIZE  160
#define NGX_HTTP_TICKETING_ALLOW_SIZE   sizeof("GET, POST, PUT, PATCH, DELETE")


typedef enum {
    NGX_HTTP_TICKETING_PARAM_ORG = 0,
    NGX_HTTP_TICKETING_PARAM_TICKET_ID,
    NGX_HTTP_TICKETING_PARAM_ATTACHMENT_ID,
    NGX_HTTP_TICKETING_PARAM_ISSUE_LINK_ID,
    NGX_HTTP_TICKETING_NPARAMS
} ngx_http_ticketing_param_e;


typedef enum {
    NGX_HTTP_TICKETING_ROUTE_OK = 0,
    NGX_HTTP_TICKETING_ROUTE_NOT_FOUND,
    NGX_HTTP_TICKETING_ROUTE_METHOD_NOT_ALLOWED,
    NGX_HTTP_TICKETING_ROUTE_BAD_PARAM
} ngx_http_ticketing_route_rc_e;


/* operation numbers are 1..27: arrays indexed by them have this many */
#define NGX_HTTP_TICKETING_NOPS  28


/* what the query must hold of the operation's query_names */
typedef enum {
    NGX_HTTP_TICKETING_QUERY_FREE = 0,     /* nothing checked */
    NGX_HTTP_TICKETING_QUERY_ALL,          /* each of them */
    NGX_HTTP_TICKETING_QUERY_ANY,          /* at least one */
    NGX_HTTP_TICKETING_QUERY_ONE           /* exactly one */
} ngx_http_ticketing_query_rule_e;


/* the JSON body an operation takes, checked by its rules (rules.c) */
typedef enum {
    NGX_HTTP_TICKETING_BODY_NONE = 0,
    NGX_HTTP_TICKETING_BODY_TICKET_CREATE,
    NGX_HTTP_TICKETING_BODY_TICKET_UPDATE,
    NGX_HTTP_TICKETING_BODY_TICKET_SEARCH,
    NGX_HTTP_TICKETING_BODY_TRANSITION,
    NGX_HTTP_TICKETING_BODY_ASSIGN,
    NGX_HTTP_TICKETING_BODY_COMMENT,
    NGX_HTTP_TICKETING_BODY_ATTACHMENT,
    NGX_HTTP_TICKETING_BODY_ISSUE_LINK,
    NGX_HTTP_TICKETING_BODY_GRID,
    NGX_HTTP_TICKETING_BODY_REMOTELINK
} ngx_http_ticketing_body_rule_e;


/*
 * One operation of the catalogue, and everything the module's steps know
 * of it: its route, the permission it needs by default, its validation
 * rules, whether and how it is cached.  Its name is its metrics label.
 */
typedef struct {
    unsigned                      number;      /* 1..27, as in the docs */
    const char                   *name;        /* "metadata.types" */
    unsigned                      method;      /* one method bit */
    const char                   *path;        /* "/v2/ticket/{ticketId}" */
    const char                   *permission;  /* default permission */
    unsigned                      cacheable:1;

    /* cached: the default TTL in seconds, and per subject or shared */
    unsigned                      cache_ttl;
    unsigned                      cache_per_subject:1;

    /* the query parameters it defines (NULL-ended) and the rule on them */
    ngx_http_ticketing_query_rule_e   query;
    const char *const            *query_names;

    /* its JSON body, and whether the reference also shows it without one */
    ngx_http_ticketing_body_rule_e    body;
    unsigned                      body_optional:1;
} ngx_http_ticketing_operation_t;


typedef struct {
    const u_char                 *data;
    size_t                        len;
} ngx_http_ticketing_span_t;


typedef struct {
    /* the operation matched, NULL unless ROUTE_OK */
    const ngx_http_ticketing_operation_t  *op;

    /* methods the matched path allows, for 405 and its Allow header */
    unsigned                      allowed;

    /* decoded path parameter values; len 0 when absent */
    ngx_http_ticketing_span_t     params[NGX_HTTP_TICKETING_NPARAMS];

    /* why the path was refused, for the error body's detailMsg */
    char                          detail[NGX_HTTP_TICKETING_DETAIL_SIZE];
} ngx_http_ticketing_route_t;


/* what one segment of a template asks of the request segment */
typedef enum {
    NGX_HTTP_TICKETING_TPL_LITERAL = 0,  /* "ticket": these bytes, decoded */
    NGX_HTTP_TICKETING_TPL_PARAM,        /* "{ticketId}": a valid value */
    NGX_HTTP_TICKETING_TPL_ANY           /* "" or "{}": anything, unchecked */
} ngx_http_ticketing_tpl_kind_e;


typedef struct {
    const char                   *data;      /* the literal, or the name */
    size_t                        len;
    ngx_http_ticketing_tpl_kind_e kind;
    ngx_http_ticketing_param_e    param;     /* NPARAMS: an unknown name */
} ngx_http_ticketing_tpl_segment_t;


/*
 * One distinct template of the catalogue, compiled: the operations sharing
 * it are found by method bit (ops[0] for 0x01, ... ops[4] for 0x10).
 */
typedef struct {
    const char                   *path;      /* "/v2/ticket/{ticketId}" */
    size_t                        nsegments; /* 0: matches no path */
    unsigned long                 score;     /* a bit per literal segment */
    unsigned                      allowed;   /* methods of its operations */
    const ngx_http_ticketing_operation_t
                                 *ops[NGX_HTTP_TICKETING_NMETHODS];
    ngx_http_ticketing_tpl_segment_t
                                  segments[NGX_HTTP_TICKETING_MAX_SEGMENTS];
} ngx_http_ticketing_template_t;


extern const ngx_http_ticketing_operation_t  ngx_http_ticketing_operations[];
extern const size_t                          ngx_http_ticketing_noperations;


/*
 * Compiles the catalogue's templates, once per process image: called at
 * configuration time, so that workers inherit the table; the matcher also
 * calls it on first use.  Idempotent, cannot fail.
 */
void ngx_http_ticketing_route_init(void);

/*
 * The compiled templates, one per distinct template string: by number of
 * segments, then most specific first (see the score), equal ones in
 * catalogue order.
 */
const ngx_http_ticketing_template_t *ngx_http_ticketing_route_templates(
    size_t *n);


/*
 * Matches a raw (still percent-encoded) request path, without the query
 * string, and a method bit against the catalogue.  Decoded parameter
 * values are written to "scratch", which must hold at least "len" bytes;
 * rt->params point into it.
 */
ngx_http_ticketing_route_rc_e ngx_http_ticketing_route_match(
    const u_char *path, size_t len, unsigned method, u_char *scratch,
    ngx_http_ticketing_route_t *rt);

/* "GET, PATCH" for a method mask, in a fixed order; returns the length */
size_t ngx_http_ticketing_route_allow(unsigned methods, char *buf,
    size_t size);

const char *ngx_http_ticketing_param_name(ngx_http_ticketing_param_e param);

/* the operation of a number, or NULL */
const ngx_http_ticketing_operation_t *ngx_http_ticketing_operation(
    unsigned number);

const ngx_http_ticketing_operation_t *ngx_http_ticketing_operation_find(
    const char *name, size_t len);

/* the value of a hexadecimal digit (either case), or -1 */
int ngx_http_ticketing_hex_digit(u_char c);


/* one "name[=value]" of a query string, still encoded */
typedef struct {
    ngx_http_ticketing_span_t     name;
    ngx_http_ticketing_span_t     value;
    unsigned                      has_value:1;
} ngx_http_ticketing_query_arg_t;

/*
 * The next argument of the query string at *p (split at '&', empty pieces
 * skipped, a piece without '=' a name without value).  Returns 0 with
 * *arg, or -1 at the end.
 */
int ngx_http_ticketing_query_next(const u_char **p, const u_char *end,
    ngx_http_ticketing_query_arg_t *arg);

/*
 * Query decoding: %XX, and '+' for a space.  Writes at most "size" bytes
 * to "out" (NULL when size is 0) and returns the whole decoded length, or
 * -1 for malformed percent-encoding.  Decoding never lengthens.
 */
ssize_t ngx_http_ticketing_query_decode(const u_char *p, size_t len,
    u_char *out, size_t size);


#endif /* _NGX_HTTP_TICKETING_ROUTE_H_INCLUDED_ */
