
/*
 * The uniform error schema: the status table and the body builder.
 */


#include <stdio.h>
#include <string.h>

#include "ngx_http_ticketing_error.h"


/*
 * 400, 401, 404 and 500 are the API's own codes, kept exactly as documented;
 * the others continue the numbering after the API's highest code (0015).
 */
static const ngx_http_ticketing_error_kind_t  ngx_http_ticketing_errors[] = {
    { 400, "0015", "BAD_REQUEST", "Bad Request" },
    { 401, "0003", "UNAUTHORIZED", "Unauthorized" },
    { 403, "0016", "FORBIDDEN", "Forbidden" },
    { 404, "0004", "NOT_FOUND", "Not found" },
    { 405, "0017", "METHOD_NOT_ALLOWED", "Method Not Allowed" },
    { 406, "0018", "NOT_ACCEPTABLE", "Not Acceptable" },
    { 408, "0019", "REQUEST_TIMEOUT", "Request Timeout" },
    { 409, "0020", "CONFLICT", "Conflict" },
    { 411, "0021", "LENGTH_REQUIRED", "Length Required" },
    { 413, "0022", "PAYLOAD_TOO_LARGE", "Payload Too Large" },
    { 414, "0023", "URI_TOO_LONG", "URI Too Long" },
    { 415, "0024", "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type" },
    { 422, "0025", "UNPROCESSABLE_ENTITY", "Unprocessable Entity" },
    { 429, "0026", "TOO_MANY_REQUESTS", "Too Many Requests" },
    { 431, "0027", "HEADERS_TOO_LARGE", "Request Header Fields Too Large" },
    { 494, "0027", "HEADERS_TOO_LARGE", "Request Header Fields Too Large" },
    { 500, "0002", "UNEXPECTED", "Unexpected Error" },
    { 501, "0028", "NOT_IMPLEMENTED", "Not Implemented" },
    { 502, "0029", "BAD_GATEWAY", "Bad Gateway" },
    { 503, "0030", "SERVICE_UNAVAILABLE", "Service Unavailable" },
    { 504, "0031", "GATEWAY_TIMEOUT", "Gateway Timeout" },
};

static const ngx_http_ticketing_error_kind_t  ngx_http_ticketing_client_error =
    { 400, "0032", "CLIENT_ERROR", "Client Error" };

static const ngx_http_ticketing_error_kind_t  ngx_http_ticketing_server_error =
    { 500, "0002", "UNEXPECTED", "Unexpected Error" };


const ngx_http_ticketing_error_kind_t *
ngx_http_ticketing_error_kind(unsigned http_status)
{
    size_t  i;

    for (i = 0; i < sizeof(ngx_http_ticketing_errors)
                    / sizeof(ngx_http_ticketing_errors[0]); i++)
    {
        if (ngx_http_ticketing_errors[i].http_status == http_status) {
            return &ngx_http_ticketing_errors[i];
        }
    }

    if (http_status >= 400 && http_status < 500) {
        return &ngx_http_ticketing_client_error;
    }

    return &ngx_http_ticketing_server_error;
}


size_t
ngx_http_ticketing_error_body_size(size_t detail_len)
{
    if (detail_len > NGX_HTTP_TICKETING_DETAIL_MAX) {
        detail_len = NGX_HTTP_TICKETING_DETAIL_MAX;
    }

    /* the fixed parts take < 160 bytes; one input byte takes <= 6 */
    return 256 + detail_len * 6;
}


size_t
ngx_http_ticketing_utf8_decode(const u_char *p, const u_char *end,
    unsigned *cp)
{
    size_t    n, i;
    unsigned  c, min;

    c = p[0];

    if (c < 0x80) {
        *cp = c;
        return 1;
    }

    if ((c & 0xe0) == 0xc0) {
        n = 2; c &= 0x1f; min = 0x80;

    } else if ((c & 0xf0) == 0xe0) {
        n = 3; c &= 0x0f; min = 0x800;

    } else if ((c & 0xf8) == 0xf0) {
        n = 4; c &= 0x07; min = 0x10000;

    } else {
        return 0;
    }

    if ((size_t) (end - p) < n) {
        return 0;
    }

    for (i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            return 0;
        }

        c = (c << 6) | (p[i] & 0x3f);
    }

    /* overlong forms, surrogates and code points beyond U+10FFFF */
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }

    *cp = c;

    return n;
}


static u_char *
ngx_http_ticketing_json_escape(u_char *dst, const u_char *src, size_t len)
{
    size_t         n;
    unsigned       cp;
    const u_char  *end;

    static const char  hex[] = "0123456789abcdef";

    end = src + len;

    while (src < end) {
        n = ngx_http_ticketing_utf8_decode(src, end, &cp);

        if (n == 0) {
            /* U+FFFD REPLACEMENT CHARACTER */
            *dst++ = 0xef; *dst++ = 0xbf; *dst++ = 0xbd;
            src++;
            continue;
        }

        if (n > 1) {
            memcpy(dst, src, n);
            dst += n;
            src += n;
            continue;
        }

        switch (*src) {

        case '"':
        case '\\':
            *dst++ = '\\';
            *dst++ = *src;
            break;

        case '\n':
            *dst++ = '\\'; *dst++ = 'n';
            break;

        case '\t':
            *dst++ = '\\'; *dst++ = 't';
            break;

        default:
            if (*src < 0x20 || *src == 0x7f
                || *src == '<' || *src == '>' || *src == '&')
            {
                *dst++ = '\\'; *dst++ = 'u'; *dst++ = '0'; *dst++ = '0';
                *dst++ = hex[*src >> 4];
                *dst++ = hex[*src & 0xf];

            } else {
                *dst++ = *src;
            }
        }

        src++;
    }

    return dst;
}


size_t
ngx_http_ticketing_error_body(u_char *buf, size_t size, unsigned http_status,
    const u_char *detail, size_t detail_len)
{
    if (size < ngx_http_ticketing_error_body_size(detail == NULL
                                                  ? 0 : detail_len))
    {
        return 0;
    }

    return ngx_http_ticketing_error_body_kind(buf, size,
                                   ngx_http_ticketing_error_kind(http_status),
                                   detail, detail_len);
}


size_t
ngx_http_ticketing_error_body_kind(u_char *buf, size_t size,
    const ngx_http_ticketing_error_kind_t *kind, const u_char *detail,
    size_t detail_len)
{
    int      n;
    u_char  *p;

    if (detail_len > NGX_HTTP_TICKETING_DETAIL_MAX) {
        detail_len = NGX_HTTP_TICKETING_DETAIL_MAX;
    }

    n = snprintf((char *) buf, size,
                 "{\"code\":\"%s\",\"status\":\"%s\",\"message\":\"%s\","
                 "\"detailMsg\":", kind->code, kind->status, kind->message);
    if (n < 0 || (size_t) n >= size) {
        return 0;
    }

    /* the rest: '"' detail '"}' or 'null}' */
    if (size - (size_t) n < (detail == NULL ? 0 : detail_len * 6) + 6) {
        return 0;
    }

    p = buf + n;

    if (detail == NULL) {
        memcpy(p, "null}", sizeof("null}") - 1);
        return (size_t) (p - buf) + sizeof("null}") - 1;
    }

    *p++ = '"';
    p = ngx_http_ticketing_json_escape(p, detail, detail_len);
    *p++ = '"';
    *p++ = '}';

    return (size_t) (p - buf);
}
