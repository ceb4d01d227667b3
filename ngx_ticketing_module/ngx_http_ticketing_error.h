
/*
 * The uniform error schema of the Ticketing API:
 * {"code","status","message","detailMsg"}.
 *
 * Pure logic: this file includes no nginx header.
 */


#ifndef _NGX_HTTP_TICKETING_ERROR_H_INCLUDED_
#define _NGX_HTTP_TICKETING_ERROR_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>


/* detailMsg input beyond this is cut: a detail is a sentence, not a dump */
#define NGX_HTTP_TICKETING_DETAIL_MAX  512


typedef struct {
    unsigned     http_status;
    const char  *code;        /* "0015" */
    const char  *status;      /* "BAD_REQUEST" */
    const char  *message;     /* "Bad Request" */
} ngx_http_ticketing_error_kind_t;


/*
 * The code/status/message for an HTTP status.  The four codes the API
 * documents are kept as documented; the others are ours.  Unknown 4xx and
 * 5xx statuses get a generic kind of their class.
 */
const ngx_http_ticketing_error_kind_t *ngx_http_ticketing_error_kind(
    unsigned http_status);

/* an upper bound of the body length for a detail of "detail_len" bytes */
size_t ngx_http_ticketing_error_body_size(size_t detail_len);

/*
 * Writes the body for "http_status" to buf and returns its length, or 0
 * when "size" is too small.  A NULL detail becomes "detailMsg": null.  The
 * detail is escaped for JSON; invalid UTF-8 becomes U+FFFD; control
 * characters and <, >, & are \u-escaped so that no client can read the body
 * as anything but JSON.
 */
size_t ngx_http_ticketing_error_body(u_char *buf, size_t size,
    unsigned http_status, const u_char *detail, size_t detail_len);

/*
 * The same with the code/status/message of "kind" (for statuses mapped in
 * the configuration); "size" must also cover the lengths of kind's strings,
 * which must need no JSON escaping.
 */
size_t ngx_http_ticketing_error_body_kind(u_char *buf, size_t size,
    const ngx_http_ticketing_error_kind_t *kind, const u_char *detail,
    size_t detail_len);


/*
 * One code point of valid UTF-8 at p (before end): its length, with the
 * code point in *cp, or 0 when the bytes there are not valid UTF-8
 * (overlong forms, surrogates and code points beyond U+10FFFF included).
 */
size_t ngx_http_ticketing_utf8_decode(const u_char *p, const u_char *end,
    unsigned *cp);


#endif /* _NGX_HTTP_TICKETING_ERROR_H_INCLUDED_ */
