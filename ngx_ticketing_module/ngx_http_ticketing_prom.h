
/*
 * The pure parts of the metrics: the names of the authentication and
 * authorization failure reasons, the classification of a token's refusal
 * reason, and lines of the Prometheus text exposition format (0.0.4).
 *
 * Pure logic: this file includes no nginx header.
 */


#ifndef _NGX_HTTP_TICKETING_PROM_H_INCLUDED_
#define _NGX_HTTP_TICKETING_PROM_H_INCLUDED_


#include <stddef.h>


/*
 * Why the auth step refused a request (ctx->auth.failure).  The first
 * ones are authentication failures (401, and 403 for a client certificate
 * that is not accepted), the AUTHZ_ ones authorization failures (403).
 */
typedef enum {
    NGX_HTTP_TICKETING_AUTH_OK = 0,
    NGX_HTTP_TICKETING_AUTHN_MISSING,
    NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    NGX_HTTP_TICKETING_AUTHN_TOO_LARGE,
    NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED,
    NGX_HTTP_TICKETING_AUTHN_UNKNOWN_KID,
    NGX_HTTP_TICKETING_AUTHN_BAD_SIGNATURE,
    NGX_HTTP_TICKETING_AUTHN_EXPIRED,
    NGX_HTTP_TICKETING_AUTHN_NOT_YET_VALID,
    NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    NGX_HTTP_TICKETING_AUTHN_NO_KEY,
    NGX_HTTP_TICKETING_AUTHN_MTLS_REJECTED,
    NGX_HTTP_TICKETING_AUTHN_OTHER,
    NGX_HTTP_TICKETING_AUTHZ_ROLE,
    NGX_HTTP_TICKETING_AUTHZ_PERMISSION,
    NGX_HTTP_TICKETING_AUTHZ_TENANCY,
    NGX_HTTP_TICKETING_AUTH_NFAILURES
} ngx_http_ticketing_auth_failure_e;

#define NGX_HTTP_TICKETING_AUTHZ_FIRST  NGX_HTTP_TICKETING_AUTHZ_ROLE


/* the label value of a failure reason ("bad_signature"), or NULL */
const char *ngx_http_ticketing_prom_failure_name(unsigned failure);

/*
 * The failure class of a refusal of ngx_http_ticketing_jwt_verify() (an
 * ngx_http_ticketing_jwt_rc_e); one it does not know is AUTHN_OTHER.
 */
unsigned ngx_http_ticketing_prom_jwt_failure(unsigned rc);

/*
 * Writes one sample line, "name{k1="v1",k2="v2"} value\n", to buf and
 * returns its length, or 0 when "size" is too small.  "labels" holds
 * nlabels name/value pairs (names[i] = labels[2 * i]); label values are
 * escaped as the format requires (\\, \", \n).
 */
size_t ngx_http_ticketing_prom_line(char *buf, size_t size, const char *name,
    const char *const *labels, size_t nlabels, unsigned long long value);


#endif /* _NGX_HTTP_TICKETING_PROM_H_INCLUDED_ */
