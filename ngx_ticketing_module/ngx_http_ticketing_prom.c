
/*
 * The pure parts of the metrics: failure reason names, the class of each
 * token verification outcome, Prometheus sample lines.
 *
 * Pure logic: this file includes no nginx header.
 */


#include <stdio.h>
#include <string.h>

#include "ngx_http_ticketing_prom.h"
#include "ngx_http_ticketing_jwt.h"


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


/* the failure class of each outcome of ngx_http_ticketing_jwt_verify() */
static const unsigned char
    ngx_http_ticketing_prom_jwt[NGX_HTTP_TICKETING_JWT_NOUTCOMES] = {
    [NGX_HTTP_TICKETING_JWT_OK] = NGX_HTTP_TICKETING_AUTH_OK,
    [NGX_HTTP_TICKETING_JWT_TOO_LARGE] = NGX_HTTP_TICKETING_AUTHN_TOO_LARGE,
    [NGX_HTTP_TICKETING_JWT_EMPTY] = NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_NOT_THREE_PARTS] =
                                        NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_EMPTY_SIGNATURE] =
                                        NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_NO_MEMORY] = NGX_HTTP_TICKETING_AUTHN_OTHER,
    [NGX_HTTP_TICKETING_JWT_BAD_HEADER] = NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_NO_ALG] = NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_ALG_UNSUPPORTED] =
                                  NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED,
    [NGX_HTTP_TICKETING_JWT_ALG_NOT_ALLOWED] =
                                  NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED,
    [NGX_HTTP_TICKETING_JWT_CRIT] = NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_KID_NOT_STRING] =
                                        NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_BAD_SIGNATURE_ENCODING] =
                                        NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_UNKNOWN_KID] =
                                      NGX_HTTP_TICKETING_AUTHN_UNKNOWN_KID,
    [NGX_HTTP_TICKETING_JWT_ALG_NOT_THE_KEYS] =
                                  NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED,
    [NGX_HTTP_TICKETING_JWT_BAD_SIGNATURE] =
                                    NGX_HTTP_TICKETING_AUTHN_BAD_SIGNATURE,
    [NGX_HTTP_TICKETING_JWT_BAD_PAYLOAD] = NGX_HTTP_TICKETING_AUTHN_MALFORMED,
    [NGX_HTTP_TICKETING_JWT_EXP_NOT_NUMBER] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_NO_EXP] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_EXPIRED] = NGX_HTTP_TICKETING_AUTHN_EXPIRED,
    [NGX_HTTP_TICKETING_JWT_NBF_NOT_NUMBER] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_NOT_YET_VALID] =
                                    NGX_HTTP_TICKETING_AUTHN_NOT_YET_VALID,
    [NGX_HTTP_TICKETING_JWT_IAT_NOT_NUMBER] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_IAT_FUTURE] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_LIFETIME] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_EXP_TOO_FAR] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_ISSUER] = NGX_HTTP_TICKETING_AUTHN_CLAIMS,
    [NGX_HTTP_TICKETING_JWT_AUDIENCE] = NGX_HTTP_TICKETING_AUTHN_CLAIMS
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
ngx_http_ticketing_prom_jwt_failure(unsigned rc)
{
    if (rc == NGX_HTTP_TICKETING_JWT_OK
        || rc >= NGX_HTTP_TICKETING_JWT_NOUTCOMES)
    {
        return NGX_HTTP_TICKETING_AUTHN_OTHER;
    }

    return ngx_http_ticketing_prom_jwt[rc];
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
