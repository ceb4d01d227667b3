
/*
 * Error bodies of the upstream: what kind of body it is, and a detail safe
 * to show to a client.
 *
 * Pure logic: this file includes no nginx header.
 */


#ifndef _NGX_HTTP_TICKETING_ERRBODY_H_INCLUDED_
#define _NGX_HTTP_TICKETING_ERRBODY_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>

#include "ngx_http_ticketing_error.h"


/* a detail is cut to this many bytes (on a character boundary) */
#define NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX  240

/*
 * a detail is judged whole, before it is cut, when cleaned it holds in
 * this many bytes; a longer one is dropped
 */
#define NGX_HTTP_TICKETING_ERRBODY_JUDGE_MAX   4096

/* flags of ngx_http_ticketing_errbody_inspect() */
#define NGX_HTTP_TICKETING_ERRBODY_HTML        0x01  /* Content-Type: html */
#define NGX_HTTP_TICKETING_ERRBODY_TRUNCATED   0x02  /* not the whole body */


typedef enum {
    NGX_HTTP_TICKETING_ERRBODY_EMPTY = 0,
    NGX_HTTP_TICKETING_ERRBODY_UNIFORM,         /* the gateway's own */
    NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT, /* its shape, not its body */
    NGX_HTTP_TICKETING_ERRBODY_JIRA,            /* errorMessages[], errors{} */
    NGX_HTTP_TICKETING_ERRBODY_SPRING,          /* timestamp, status, error */
    NGX_HTTP_TICKETING_ERRBODY_JSON,            /* some other JSON */
    NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON,    /* looks like JSON, is not */
    NGX_HTTP_TICKETING_ERRBODY_HTML_PAGE,
    NGX_HTTP_TICKETING_ERRBODY_TEXT,
    NGX_HTTP_TICKETING_ERRBODY_BINARY           /* NUL bytes: not text */
} ngx_http_ticketing_errbody_kind_e;


/*
 * Classifies an error body and extracts a detail safe for a client into
 * "detail" (at least NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX bytes, not
 * NUL-terminated); *detail_len is 0 when there is none.  The detail is
 * decoded, stripped of markup and control characters, whitespace-collapsed,
 * valid UTF-8 and capped; it is dropped entirely when it looks like it
 * could leak internals (see ngx_http_ticketing_errbody_safe()).  It is
 * judged whole (up to NGX_HTTP_TICKETING_ERRBODY_JUDGE_MAX bytes once
 * cleaned, else dropped) and again once cut: no part of a leak survives
 * the cut.
 *
 * "expect" is the code/status/message the client gets for the HTTP status
 * (for the detail rules only the class of expect->http_status counts,
 * 4xx or 5xx).  A body in the uniform schema is UNIFORM only when it has
 * exactly the four members, its code, status and message are those of
 * "expect", and its detailMsg is null or a detail that cleaning leaves
 * unchanged and that is safe; the detail is then its detailMsg.  Any other
 * body of that shape is UNIFORM_REBUILT: its detail is its detailMsg or
 * else its message (unless that is expect's), each only when safe.  Either
 * way the caller serializes the body again (ngx_http_ticketing_error_body):
 * no upstream bytes are sent as they came.
 */
ngx_http_ticketing_errbody_kind_e ngx_http_ticketing_errbody_inspect(
    const u_char *body, size_t len, unsigned flags,
    const ngx_http_ticketing_error_kind_t *expect, u_char *detail,
    size_t *detail_len);

/* "jira", "html", ...: for logs */
const char *ngx_http_ticketing_errbody_kind_name(
    ngx_http_ticketing_errbody_kind_e kind);

/*
 * Cleans text for a detail into dst (size >= DETAIL_MAX): drops markup
 * (with "html", also decodes entities), control and invisible formatting
 * characters (every Default_Ignorable_Code_Point) and invalid UTF-8,
 * collapses whitespace, trims, and cuts on a character boundary with
 * "...".  Returns the length written.
 */
size_t ngx_http_ticketing_errbody_clean(const u_char *src, size_t len,
    int html, u_char *dst);

/*
 * Whether a cleaned detail (at most JUDGE_MAX bytes) may be shown.  The
 * detail is judged as it is and in its folded view (see
 * ngx_http_ticketing_errbody_fold(), applied until nothing changes; a view
 * still changing in the 4th round is dropped), and either leaking drops
 * it; so does a word mixing ASCII letters with Greek, Cyrillic, Armenian,
 * Cherokee or phonetic letters (look-alikes).  Never, whatever the status,
 * when it contains a stack trace, a stack frame or a source location; an
 * IPv4 or IPv6 address; a URL, a JDBC URL or credentials in one
 * (user:pw@); an internal host name (*.internal, *.local, *.svc, *.corp,
 * ...), a server name ("jira-prod-01") or a host:port; a short or numeric
 * address ("127.1", "0x0a141e28", "connect to 2130706433"); a resolver or
 * socket error; a file path; a database error or an SQL statement; an
 * e-mail address; a token (JWT, SSH key, a service's key by its prefix, a
 * long random-looking string) or a credential word ("pwd=", "pass:").
 * For 5xx, neither a host or class name ("a.b" words), "@", "/" nor a few
 * more server words.
 */
int ngx_http_ticketing_errbody_safe(const u_char *s, size_t len,
    unsigned http_status);

/*
 * One round of the folded view of a detail into dst (at least len bytes):
 * percent escapes and HTML character references decoded, whitespace to
 * spaces, control and default-ignorable characters and combining marks
 * dropped, and compatibility look-alikes folded to ASCII by one table
 * (Unicode spaces; dots, "@", "/", ":", "-"; full-width ASCII;
 * superscript, subscript, enclosed and other scripts' digits;
 * mathematical, enclosed and letterlike letters, long s, Roman numerals).
 * Returns the length written (at most len; dst may be src).
 */
size_t ngx_http_ticketing_errbody_fold(const u_char *src, size_t len,
    u_char *dst);

/*
 * The fixed detail for an error nginx itself answered (its own error page),
 * or NULL.
 */
const char *ngx_http_ticketing_errbody_nginx_detail(unsigned http_status);

/*
 * Decompresses a gzip body (possibly cut short) into out.  Returns the
 * length written, or -1 when the data is not gzip.  *complete is set when
 * the whole stream was decoded and fit.
 */
ssize_t ngx_http_ticketing_errbody_gunzip(const u_char *in, size_t len,
    u_char *out, size_t size, int *complete);


#endif /* _NGX_HTTP_TICKETING_ERRBODY_H_INCLUDED_ */
