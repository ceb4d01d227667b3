
/*
 * Normalization of the ticketing-provider header value and of
 * organization names.
 *
 * Pure logic: this file includes no nginx header.
 */


#include <string.h>

#include "ngx_http_ticketing_normalize.h"


/*
 * The providers the API documents, with the names clients are seen to use.
 * A configuration that declares its own providers replaces this list.
 */
const ngx_http_ticketing_provider_def_t
    ngx_http_ticketing_default_providers[] =
{
    { "JAM",   { "Jira Amarillo", "JiraAmarillo", NULL } },
    { "JCC",   { "Jira CC", "JiraCC", NULL } },
    { "TGJ",   { "TGJira", "TG Jira", NULL } },
    { "JNEXT", { "JiraNext", "Jira Next", NULL } },
};

const size_t  ngx_http_ticketing_ndefault_providers =
    sizeof(ngx_http_ticketing_default_providers)
    / sizeof(ngx_http_ticketing_default_providers[0]);


ngx_http_ticketing_norm_rc_e
ngx_http_ticketing_provider_clean(const u_char *in, size_t len, u_char *out,
    size_t *out_len)
{
    u_char         c;
    size_t         n;
    const u_char  *p, *end;

    p = in;
    end = in + len;

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }

    n = 0;

    for ( /* void */ ; p < end; p++) {
        c = *p;

        if (c < 0x20 || c == 0x7f) {
            return NGX_HTTP_TICKETING_NORM_CONTROL;
        }

        if (c == ' ' && n > 0 && out[n - 1] == ' ') {
            continue;
        }

        if (n == NGX_HTTP_TICKETING_PROVIDER_MAX) {
            /* keep scanning: a control byte later is still reported */
            continue;
        }

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }

        out[n++] = c;
    }

    *out_len = n;

    if (n == 0) {
        return NGX_HTTP_TICKETING_NORM_EMPTY;
    }

    if (n == NGX_HTTP_TICKETING_PROVIDER_MAX) {
        /* 64 bytes may be exact; anything longer was cut: refuse both */
        return NGX_HTTP_TICKETING_NORM_TOO_LONG;
    }

    return NGX_HTTP_TICKETING_NORM_OK;
}


const ngx_http_ticketing_alias_t *
ngx_http_ticketing_alias_find(const ngx_http_ticketing_alias_t *aliases,
    size_t n, const u_char *key, size_t len)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (aliases[i].len == len && memcmp(aliases[i].key, key, len) == 0) {
            return &aliases[i];
        }
    }

    return NULL;
}


ngx_http_ticketing_norm_rc_e
ngx_http_ticketing_org_clean(const u_char *in, size_t len, u_char *out)
{
    u_char  c;
    size_t  i;

    if (len == 0) {
        return NGX_HTTP_TICKETING_NORM_EMPTY;
    }

    if (len > NGX_HTTP_TICKETING_ORG_MAX) {
        return NGX_HTTP_TICKETING_NORM_TOO_LONG;
    }

    for (i = 0; i < len; i++) {
        c = in[i];

        if (c < 0x20 || c == 0x7f) {
            return NGX_HTTP_TICKETING_NORM_CONTROL;
        }

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;

        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                     || c == '-' || c == '_' || c == '.'))
        {
            return NGX_HTTP_TICKETING_NORM_INVALID;
        }

        out[i] = c;
    }

    if (in[0] == '.' && (len == 1 || (len == 2 && in[1] == '.'))) {
        return NGX_HTTP_TICKETING_NORM_INVALID;
    }

    return NGX_HTTP_TICKETING_NORM_OK;
}


int
ngx_http_ticketing_org_equal(const u_char *a, size_t alen, const u_char *b,
    size_t blen)
{
    u_char  ca[NGX_HTTP_TICKETING_ORG_MAX], cb[NGX_HTTP_TICKETING_ORG_MAX];

    if (alen != blen || alen > NGX_HTTP_TICKETING_ORG_MAX) {
        return 0;
    }

    if (ngx_http_ticketing_org_clean(a, alen, ca) != NGX_HTTP_TICKETING_NORM_OK
        || ngx_http_ticketing_org_clean(b, blen, cb)
           != NGX_HTTP_TICKETING_NORM_OK)
    {
        return 0;
    }

    return memcmp(ca, cb, alen) == 0;
}
