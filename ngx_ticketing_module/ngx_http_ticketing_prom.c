
/*
 * The pure parts of the metrics: failure reason names, the classification
 * of token refusal reasons, Prometheus sample lines.
 *
 * Pure logic: this file includes no nginx header.
 */


#include <stdio.h>
#include <string.h>

#include "ngx_http_ticketing_prom.h"


typedef struct {
    const char  *reason;
    unsigned     failure;
} ngx_http_ticketing_prom_reason_t;


static const char  *ngx_http_ticketing_prom_failures[] = {
    NULL,
    "missing",
    "malformed",
    "too_large",
    "alg_not_allowed",
    "unknown_kid",
    "bad_signature",
    "expired",
    "not_yet_valid",
    "claims",
    "no_key",
    "mtls_rejected",
    "other",
    "role",
    "permission",
    "tenancy"
};


/*
 * The reasons ngx_http_ticketing_jwt_verify() gives, by class.  A reason
 * added there and not here is counted as "other": never lost.
 */
static const ngx_http_ticketing_prom_reason_t  ngx_http_ticketing_prom_jwt[] = {
    { "token is too large", NGX_HTTP_TICKETING_AUTHN_TOO_LARGE },
    { "empty token", NGX_HTTP_TICKETING_AUTHN_MALFORMED },
    { "token has an empty signature", NGX_HTTP_TICKETING_AUTHN_MALFORMED },
    { "token header has no \"alg\"", NGX_HTTP_TICKETING_AUTHN_MALFORMED },
    { "token header has \"crit\" extensions",
      NGX_HTTP_TICKETING_AUTHN_MALFORMED },
    { "token \"kid\" is not a string", NGX_HTTP_TICKETING_AUTHN_MALFORMED },
    { "token algorithm is not supported",
      NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED },
    { "token algorithm is not allowed here",
      NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED },
    { "token algorithm does not fit the key",
      NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED },
    { "token key id (kid) is unknown", NGX_HTTP_TICKETING_AUTHN_UNKNOWN_KID },
    { "token signature is invalid", NGX_HTTP_TICKETING_AUTHN_BAD_SIGNATURE },
    { "token has expired", NGX_HTTP_TICKETING_AUTHN_EXPIRED },
    { "token is not valid yet (nbf)",
      NGX_HTTP_TICKETING_AUTHN_NOT_YET_VALID },
    { "token has no \"exp\" claim", NGX_HTTP_TICKETING_AUTHN_CLAIMS },
    { "token was issued in the future (iat)",
      NGX_HTTP_TICKETING_AUTHN_CLAIMS },
    { "token issuer (iss) is not accepted", NGX_HTTP_TICKETING_AUTHN_CLAIMS },
    { "token audience (aud) is not accepted",
      NGX_HTTP_TICKETING_AUTHN_CLAIMS },
    { "token lifetime (exp - iat) is longer than allowed",
      NGX_HTTP_TICKETING_AUTHN_CLAIMS },
    { "token expires too far in the future (exp)",
      NGX_HTTP_TICKETING_AUTHN_CLAIMS },
    { NULL, 0 }
};


const char *
ngx_http_ticketing_prom_failure_name(unsigned failure)
{
    if (failure >= NGX_HTTP_TICKETING_AUTH_NFAILURES) {
        return NULL;
    }

    return ngx_http_ticketing_prom_failures[failure];
}


unsigned
ngx_http_ticketing_prom_jwt_failure(const char *reason)
{
    const ngx_http_ticketing_prom_reason_t  *r;

    if (reason == NULL) {
        return NGX_HTTP_TICKETING_AUTHN_OTHER;
    }

    for (r = ngx_http_ticketing_prom_jwt; r->reason; r++) {
        if (strcmp(r->reason, reason) == 0) {
            return r->failure;
        }
    }

    if (strncmp(reason, "malformed ", sizeof("malformed ") - 1) == 0) {
        return NGX_HTTP_TICKETING_AUTHN_MALFORMED;
    }

    if (strncmp(reason, "claim \"", sizeof("claim \"") - 1) == 0) {
        return NGX_HTTP_TICKETING_AUTHN_CLAIMS;
    }

    return NGX_HTTP_TICKETING_AUTHN_OTHER;
}


size_t
ngx_http_ticketing_prom_line(char *buf, size_t size, const char *name,
    const char *const *labels, size_t nlabels, unsigned long long value)
{
    int          n;
    char        *p, *end;
    size_t       i, len;
    const char  *s;

    p = buf;
    end = buf + size;

    len = strlen(name);
    if ((size_t) (end - p) < len + 1) {
        return 0;
    }

    memcpy(p, name, len);
    p += len;

    for (i = 0; i < nlabels; i++) {
        len = strlen(labels[2 * i]);

        /* '{' or ',', the name, '=', '"' */
        if ((size_t) (end - p) < len + 3) {
            return 0;
        }

        *p++ = (i == 0) ? '{' : ',';
        memcpy(p, labels[2 * i], len);
        p += len;
        *p++ = '=';
        *p++ = '"';

        for (s = labels[2 * i + 1]; *s; s++) {
            if ((size_t) (end - p) < 2) {
                return 0;
            }

            switch (*s) {

            case '\\':
                *p++ = '\\';
                *p++ = '\\';
                break;

            case '"':
                *p++ = '\\';
                *p++ = '"';
                break;

            case '\n':
                *p++ = '\\';
                *p++ = 'n';
                break;

            default:
                *p++ = *s;
            }
        }

        if (end - p < 1) {
            return 0;
        }

        *p++ = '"';
    }

    if (nlabels) {
        if (end - p < 1) {
            return 0;
        }

        *p++ = '}';
    }

    /* " value\n" and snprintf's NUL */
    n = snprintf(p, end - p, " %llu\n", value);
    if (n < 0 || n >= end - p) {
        return 0;
    }

    p += n;

    return p - buf;
}
