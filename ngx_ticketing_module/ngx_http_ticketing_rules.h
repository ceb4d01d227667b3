
/*
 * The request rules of the Ticketing API v2 reference: required and
 * exclusive query parameters, JSON bodies, Content-Type.
 *
 * Pure logic: this file includes no nginx header (it uses jansson).
 */


#ifndef _NGX_HTTP_TICKETING_RULES_H_INCLUDED_
#define _NGX_HTTP_TICKETING_RULES_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>

#include "ngx_http_ticketing_route.h"

/* reads up to "len" bytes into "buf": the count, 0 at the end, -1 error */
typedef size_t (*ngx_http_ticketing_read_pt)(void *buf, size_t len,
    void *data);


/* an incremental base64 (RFC 4648 section 4, padded) checker */
typedef struct {
    size_t                        n;       /* characters seen */
    unsigned                      pad;     /* '=' seen */
    unsigned                      bad:1;
} ngx_http_ticketing_base64_t;


/*
 * Checks the query string (without '?') of operation "op".  Returns 0 when
 * it passes, else the HTTP status to answer (400) with the reason in
 * "detail" (NUL-terminated, "size" bytes at most).
 *
 * The query is split at '&'; empty pieces are skipped; a piece without '='
 * is a name with an empty value.  Names and values are percent-decoded
 * ('+' is a space); malformed percent-encoding is refused.  A parameter
 * with an empty value counts as absent.  A parameter the rules look at must
 * not be repeated (its meaning would depend on which copy the upstream
 * takes); other parameters are not looked at.
 */
unsigned ngx_http_ticketing_rules_query(unsigned op, const u_char *args,
    size_t len, char *detail, size_t size);

/* 1 when operation "op" takes a JSON body that the rules check */
int ngx_http_ticketing_rules_has_body(unsigned op);

/*
 * 1 when that body may be absent: the API reference documents the
 * operation without one (remotelink.create).  A body that is present is
 * checked all the same.
 */
int ngx_http_ticketing_rules_body_optional(unsigned op);

/*
 * 1 when a Content-Type value is JSON: application/json or
 * application/<x>+json, any case, parameters allowed but a charset other
 * than utf-8 is not.
 */
int ngx_http_ticketing_rules_json_type(const u_char *p, size_t len);

/*
 * Parses the body read by "read" as JSON and checks it against the rules
 * of "op".  Returns 0 or the HTTP status (400) and "detail".
 */
unsigned ngx_http_ticketing_rules_body(unsigned op,
    ngx_http_ticketing_read_pt read, void *data, char *detail, size_t size);

/* the same on a buffer */
unsigned ngx_http_ticketing_rules_body_buf(unsigned op, const u_char *p,
    size_t len, char *detail, size_t size);

void ngx_http_ticketing_base64_init(ngx_http_ticketing_base64_t *b);
void ngx_http_ticketing_base64_update(ngx_http_ticketing_base64_t *b,
    const u_char *p, size_t len);
/* 1 when everything fed so far is valid, complete base64 */
int ngx_http_ticketing_base64_final(ngx_http_ticketing_base64_t *b);


#endif /* _NGX_HTTP_TICKETING_RULES_H_INCLUDED_ */
