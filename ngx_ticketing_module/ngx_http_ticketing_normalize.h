
/*
 * Normalization of the ticketing-provider header value and of
 * organization names.
 *
 * Pure logic: this file includes no nginx header.
 */


#ifndef _NGX_HTTP_TICKETING_NORMALIZE_H_INCLUDED_
#define _NGX_HTTP_TICKETING_NORMALIZE_H_INCLUDED_


#include <stddef.h>
#include <sys/types.h>


/* a cleaned provider value or alias never exceeds this */
#define NGX_HTTP_TICKETING_PROVIDER_MAX  64

/* an organization name is 1..64 bytes of [A-Za-z0-9._-] */
#define NGX_HTTP_TICKETING_ORG_MAX       64


typedef enum {
    NGX_HTTP_TICKETING_NORM_OK = 0,
    NGX_HTTP_TICKETING_NORM_EMPTY,        /* nothing left after trimming */
    NGX_HTTP_TICKETING_NORM_CONTROL,      /* a control byte (< 0x20, 0x7f) */
    NGX_HTTP_TICKETING_NORM_TOO_LONG,
    NGX_HTTP_TICKETING_NORM_INVALID       /* a byte not allowed here */
} ngx_http_ticketing_norm_rc_e;


/* one name a provider is known by: the canonical name or an alias */
typedef struct {
    const u_char                 *key;     /* cleaned: see _provider_clean */
    size_t                        len;
    unsigned                      index;   /* of the canonical provider */
} ngx_http_ticketing_alias_t;


/* a provider built in: canonical name and its aliases, NULL-terminated */
typedef struct {
    const char                   *name;
    const char                   *aliases[6];
} ngx_http_ticketing_provider_def_t;


extern const ngx_http_ticketing_provider_def_t
    ngx_http_ticketing_default_providers[];
extern const size_t  ngx_http_ticketing_ndefault_providers;


/*
 * Cleans a provider value or alias for comparison: leading and trailing
 * spaces and tabs are removed, runs of inner spaces become one space and
 * ASCII letters are lower-cased.  Any other control byte, inner tabs
 * included, is refused.  "out" must hold NGX_HTTP_TICKETING_PROVIDER_MAX
 * bytes; *out_len gets the cleaned length.
 */
ngx_http_ticketing_norm_rc_e ngx_http_ticketing_provider_clean(
    const u_char *in, size_t len, u_char *out, size_t *out_len);

/* the alias with exactly this cleaned key, or NULL */
const ngx_http_ticketing_alias_t *ngx_http_ticketing_alias_find(
    const ngx_http_ticketing_alias_t *aliases, size_t n, const u_char *key,
    size_t len);

/*
 * Checks an organization name and writes it lower-cased to "out", which
 * must hold "len" bytes.  Names compare case-insensitively.
 */
ngx_http_ticketing_norm_rc_e ngx_http_ticketing_org_clean(const u_char *in,
    size_t len, u_char *out);

/*
 * Whether two organization names are the same organization by the rule
 * routing uses (_org_clean): both valid names, equal once lower-cased.
 * Returns 1 or 0.  Tenancy compares the token's organizations with it.
 */
int ngx_http_ticketing_org_equal(const u_char *a, size_t alen,
    const u_char *b, size_t blen);


#endif /* _NGX_HTTP_TICKETING_NORMALIZE_H_INCLUDED_ */
