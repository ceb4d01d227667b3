
/*
 * The cache key of a cacheable request: an injective encoding of the key
 * prefix, provider, organization, operation, path parameters, the decoded,
 * sorted query parameters, the request headers the answer depends on and
 * whom the entry is for.
 *
 * Pure logic: this file includes no nginx header, so the unit tests and
 * the fuzzers link it without nginx.
 */


#ifndef _NGX_HTTP_TICKETING_CACHEKEY_H_INCLUDED_
#define _NGX_HTTP_TICKETING_CACHEKEY_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>

#include "ngx_http_ticketing_route.h"


/* more query parameters than this: the request is not cached */
#define NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS  64

/* a longer normalized Accept or Accept-Language: the request is not cached */
#define NGX_HTTP_TICKETING_CACHEKEY_MAX_HEADER  256


typedef enum {
    NGX_HTTP_TICKETING_CACHEKEY_OK = 0,
    /* malformed percent-encoding, too many parameters: do not cache */
    NGX_HTTP_TICKETING_CACHEKEY_BAD_QUERY,
    /* the output buffer is too small (a caller bug) */
    NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM,
    /* a query parameter the operation does not define: do not cache */
    NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG
} ngx_http_ticketing_cachekey_rc_e;


typedef struct {
    /* raw, must not contain '|' (checked at configuration time) */
    ngx_http_ticketing_span_t  prefix;
    ngx_http_ticketing_span_t  provider;
    ngx_http_ticketing_span_t  org;
    ngx_http_ticketing_span_t  operation;
    /* decoded path parameters, len 0 when absent */
    ngx_http_ticketing_span_t  params[NGX_HTTP_TICKETING_NPARAMS];
    /* the raw query string, without '?', still percent-encoded */
    ngx_http_ticketing_span_t  query;
    /*
     * The query parameter names the operation defines (decoded, exact
     * case), NULL-terminated; NULL: any name
     */
    const char *const         *args;
    /* normalized Accept and Accept-Language, len 0 when absent */
    ngx_http_ticketing_span_t  accept;
    ngx_http_ticketing_span_t  language;
    /* whom the entry is for (see the cache's scope), len 0: shared */
    ngx_http_ticketing_span_t  scope;
} ngx_http_ticketing_cachekey_in_t;


/*
 * The query parameters a cacheable operation defines (the API reference),
 * NULL-terminated: an empty list for the operations without any.
 */
const char *const *ngx_http_ticketing_cachekey_args(unsigned op);

/* the request headers of the key, for ngx_http_ticketing_cachekey_header() */
#define NGX_HTTP_TICKETING_CACHEKEY_ACCEPT           0
#define NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE  1

/*
 * Normalizes one Accept or Accept-Language field value for the key, by
 * what RFC 9110 says is equivalent only: the optional whitespace around
 * the list's commas and before and after the ";" of a parameter is
 * removed; language ranges, media types and parameter names are
 * lower-cased (Accept's parameter values are kept as sent).  Anything
 * else the grammar does not allow gives -1, the request is not cached:
 * whitespace elsewhere ("e n", "q = 1"), a quoted string, a character
 * outside the header's grammar, an empty value.
 *
 *   Accept-Language: #( language-range [ OWS ";" OWS "q=" qvalue ] ),
 *                    language-range = 1*( ALPHA / DIGIT / "-" / "*" )
 *   Accept:          #( token "/" token *( OWS ";" OWS token "=" token ) )
 *
 * Writes to "out", which must hold "len" bytes; returns the number of
 * bytes written (at most "len"), or -1.
 */
ssize_t ngx_http_ticketing_cachekey_header(unsigned which, const u_char *in,
    size_t len, u_char *out);


/*
 * An upper bound of the key's length for these fields: the size of the
 * output buffer to pass to ngx_http_ticketing_cachekey_build().
 */
size_t ngx_http_ticketing_cachekey_size(
    const ngx_http_ticketing_cachekey_in_t *in);

/*
 * Writes the key to "buf" (no NUL) and its length to "*len".  "scratch"
 * must hold in->query.len bytes (the decoded query parameters).
 *
 * Layout: PREFIX "|v4|{" <8 hex digits> "}" (a hash of what follows: the
 * Redis Cluster hash tag), then, each as "|" <decimal length> ":" <bytes>,
 * the provider, organization, operation and the four path parameters;
 * then "|q" <count> and, per query parameter in a stable order of the
 * decoded names, "|" <len> ":" <name> followed by "=" <len> ":" <value>,
 * or "!" for a parameter without "="; then "|h" and the Accept and
 * Accept-Language fields; then "|s" and the scope field.  Every field is
 * self-delimiting, so two different inputs never give the same key, and
 * past the tag, the key of a request up to its query is a prefix of no
 * other key's.
 */
ngx_http_ticketing_cachekey_rc_e ngx_http_ticketing_cachekey_build(
    const ngx_http_ticketing_cachekey_in_t *in, u_char *scratch,
    u_char *buf, size_t size, size_t *len);


/* "|{" 8 hex digits "}" */
#define NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN  11

/* Redis Cluster: the slot of a key (its {hash tag} if it has one) */
#define NGX_HTTP_TICKETING_CACHEKEY_SLOTS  16384

unsigned ngx_http_ticketing_cachekey_slot(const u_char *key, size_t len);


/*
 * A stored value: "v3 " <fresh until> " " <born> " " <content type> "\n"
 * <content language, may be empty> "\n" <body>; the times in ms since the
 * epoch, born when the answer was generated (received, less the upstream's
 * Age): what a HIT's Age is counted from.  Neither the type nor the
 * language holds a "\n".  Redis keeps it longer than it is fresh when
 * stale-if-error is on.  The parser still reads the values of earlier
 * versions: "v2" (no born) and "v1" (no language line either).
 */
typedef struct {
    unsigned long long         fresh_until;
    /* 0: unknown (a v1 or v2 value) */
    unsigned long long         born;
    ngx_http_ticketing_span_t  type;
    ngx_http_ticketing_span_t  language;
    ngx_http_ticketing_span_t  body;
} ngx_http_ticketing_cacheval_t;


/* the header's length for a type and a language of these lengths, at most */
#define NGX_HTTP_TICKETING_CACHEVAL_HEADER_SIZE(type_len, lang_len)         \
    (sizeof("v3 ") - 1 + 20 + 1 + 20 + 1 + (type_len) + 1 + (lang_len) + 1)

/* writes the header, returns its length */
size_t ngx_http_ticketing_cacheval_header(u_char *buf,
    unsigned long long fresh_until, unsigned long long born,
    const u_char *type, size_t type_len, const u_char *lang,
    size_t lang_len);

/* 0 when well-formed (the spans point into "value"), -1 otherwise */
int ngx_http_ticketing_cacheval_parse(const u_char *value, size_t len,
    ngx_http_ticketing_cacheval_t *v);


#endif /* _NGX_HTTP_TICKETING_CACHEKEY_H_INCLUDED_ */
