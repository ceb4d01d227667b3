
/*
 * What may be stored, and for how long (RFC 9111): the upstream answer's
 * Cache-Control, Expires, Age, Vary, Content-Type and Content-Language,
 * read by their grammars; and a stored value, checked again the same way
 * before a HIT replays it.
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_cachekey.h"


/* RFC 9110 5.6.2 tchar */
#define ngx_http_ticketing_cache_tchar(c)                                     \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z')              \
     || ((c) >= '0' && (c) <= '9')                                           \
     || ((c) != '\0' && ngx_strchr("!#$%&'*+-.^_`|~", (c)) != NULL))

#define ngx_http_ticketing_cache_alpha(c)                                     \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))


static const char *ngx_http_ticketing_cache_expires(ngx_http_request_t *r,
    ngx_table_elt_t *expires, ngx_msec_t *lifetime);
static const char *ngx_http_ticketing_cache_control(ngx_str_t *value,
    ngx_msec_t *max_age, ngx_msec_t *s_maxage);
static const char *ngx_http_ticketing_cache_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *value);
static u_char *ngx_http_ticketing_cache_quoted(u_char *p, u_char *end);
static ngx_int_t ngx_http_ticketing_cache_language_list(ngx_str_t *value);
static ngx_uint_t ngx_http_ticketing_cache_trimmed(ngx_str_t *value);
static ngx_int_t ngx_http_ticketing_cache_delta(ngx_str_t *value,
    ngx_msec_t *ms);
static time_t ngx_http_ticketing_cache_http_time(u_char *p, size_t len);
static ngx_int_t ngx_http_ticketing_cache_digits(u_char *p, ngx_uint_t n);
static ngx_int_t ngx_http_ticketing_cache_clock(u_char *p, ngx_int_t *hour,
    ngx_int_t *min, ngx_int_t *sec);


/*
 * The HTTP caching rules of a shared cache (RFC 9111) for an answer that
 * is otherwise storable: NULL when it may be stored, else why not.  The
 * entry's TTL is the smallest of ticketing_cache_ttl and what is left of
 * the answer's freshness lifetime (4.2.1: s-maxage, else max-age, else
 * Expires - Date) once its Age is taken off; nothing left: not stored.
 */
const char *
ngx_http_ticketing_cache_rules(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    ngx_uint_t        i, nexpires;
    ngx_msec_t        n, lifetime, age, max_age, s_maxage;
    const char       *why;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *expires;

    max_age = NGX_CONF_UNSET_MSEC;
    s_maxage = NGX_CONF_UNSET_MSEC;
    age = NGX_CONF_UNSET_MSEC;
    expires = NULL;
    nexpires = 0;

    part = &r->headers_out.headers.part;
    i = 0;

    while ((h = ngx_http_ticketing_list_next(&part, &i)) != NULL) {
        if (h->hash == 0) {
            continue;
        }

        if (h->key.len == sizeof("Cache-Control") - 1
            && ngx_strncasecmp(h->key.data, (u_char *) "Cache-Control",
                               sizeof("Cache-Control") - 1) == 0)
        {
            why = ngx_http_ticketing_cache_control(&h->value, &max_age,
                                                   &s_maxage);
            if (why != NULL) {
                return why;
            }

            continue;
        }

        if (h->key.len == sizeof("Vary") - 1
            && ngx_strncasecmp(h->key.data, (u_char *) "Vary",
                               sizeof("Vary") - 1) == 0)
        {
            why = ngx_http_ticketing_cache_vary(r, cctx, &h->value);
            if (why != NULL) {
                return why;
            }

            continue;
        }

        if (h->key.len == sizeof("Expires") - 1
            && ngx_strncasecmp(h->key.data, (u_char *) "Expires",
                               sizeof("Expires") - 1) == 0)
        {
            expires = h;
            nexpires++;
            continue;
        }

        if (h->key.len == sizeof("Age") - 1
            && ngx_strncasecmp(h->key.data, (u_char *) "Age",
                               sizeof("Age") - 1) == 0)
        {
            /*
             * 5.1: the first one counts; one that is no delta-seconds
             * leaves the age unknown, which a shared cache must not guess
             */
            if (ngx_http_ticketing_cache_delta(&h->value, &n) != NGX_OK) {
                return "the upstream's Age is invalid";
            }

            if (age == NGX_CONF_UNSET_MSEC) {
                age = n;
            }
        }
    }

    /*
     * The answer's age when stored: a HIT's Age counts on from it.  One
     * older than the clock's epoch cannot be counted on from: an Age is
     * never understated (RFC 9111 4.2.3), so such an answer is not stored.
     */
    if (age != NGX_CONF_UNSET_MSEC
        && (unsigned long long) age >= ngx_http_ticketing_cache_now())
    {
        return "the upstream's Age is older than the clock";
    }

    cctx->age = (age == NGX_CONF_UNSET_MSEC) ? 0 : age;

    /* s-maxage is for shared caches and wins over max-age */
    lifetime = (s_maxage != NGX_CONF_UNSET_MSEC) ? s_maxage : max_age;

    if (lifetime == 0) {
        return "the upstream's max-age or s-maxage is 0";
    }

    if (lifetime == NGX_CONF_UNSET_MSEC && nexpires) {
        /* 5.3: with max-age or s-maxage, Expires is ignored */

        if (nexpires > 1) {
            return "the upstream's Expires is repeated: already expired";
        }

        why = ngx_http_ticketing_cache_expires(r, expires, &lifetime);
        if (why != NULL) {
            return why;
        }
    }

    if (lifetime == NGX_CONF_UNSET_MSEC) {
        /* no freshness information: ticketing_cache_ttl alone */
        return NULL;
    }

    if (age != NGX_CONF_UNSET_MSEC) {
        if (age >= lifetime) {
            return "the upstream's answer is already stale (Age)";
        }

        lifetime -= age;
    }

    cctx->ttl = ngx_min(cctx->ttl, lifetime);

    return NULL;
}


/*
 * The freshness lifetime Expires gives: Expires - Date (RFC 9111 4.2.1),
 * with the upstream's Date, else the time it is received.  An invalid
 * Expires ("0") means already expired (5.3): not stored.  An invalid or
 * repeated Date leaves Expires - Date unknown: not stored either.
 */
static const char *
ngx_http_ticketing_cache_expires(ngx_http_request_t *r,
    ngx_table_elt_t *expires, ngx_msec_t *lifetime)
{
    time_t            exp, date;
    ngx_table_elt_t  *h;

    exp = ngx_http_ticketing_cache_http_time(expires->value.data,
                                             expires->value.len);
    if (exp == NGX_ERROR) {
        return "the upstream's Expires is invalid: already expired";
    }

    /* proxy_pass hides the upstream's Date from headers_out, not here */
    if (r->upstream != NULL) {
        if (ngx_http_ticketing_cache_upstream_header(r, "Date", &h) > 1) {
            return "the upstream's Date is repeated: Expires cannot be used";
        }

    } else {
        h = r->headers_out.date;
    }

    if (h == NULL) {
        date = ngx_time();

    } else {
        date = ngx_http_ticketing_cache_http_time(h->value.data,
                                                  h->value.len);
        if (date == NGX_ERROR) {
            return "the upstream's Date is invalid: Expires cannot be used";
        }
    }

    if (exp <= date) {
        return "the upstream's Expires is not after its Date";
    }

    *lifetime = (ngx_msec_t) ngx_min(exp - date, 365 * 24 * 60 * 60) * 1000;

    return NULL;
}


/*
 * The answer's Content-Language, stored with the entry and replayed by a
 * hit: empty when none.  Several, or one that is no list of language tags
 * (RFC 9110 8.5) or is too long: not stored.
 */
const char *
ngx_http_ticketing_cache_language(ngx_http_request_t *r, ngx_str_t *lang)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    ngx_str_null(lang);

    part = &r->headers_out.headers.part;
    i = 0;

    while ((h = ngx_http_ticketing_list_next(&part, &i)) != NULL) {
        if (h->hash == 0
            || h->key.len != sizeof("Content-Language") - 1
            || ngx_strncasecmp(h->key.data, (u_char *) "Content-Language",
                               sizeof("Content-Language") - 1) != 0)
        {
            continue;
        }

        if (lang->data != NULL) {
            return "the upstream's Content-Language is repeated";
        }

        if (h->value.len > NGX_HTTP_TICKETING_CACHE_MAX_TYPE
            || ngx_http_ticketing_cache_language_list(&h->value)
               != NGX_OK)
        {
            return "the upstream's Content-Language cannot be stored";
        }

        *lang = h->value;
    }

    return NULL;
}


/*
 * One Cache-Control header: no-store, private and no-cache (with or
 * without a list of fields) keep the answer out of a shared cache;
 * max-age and s-maxage give ages in ms.  An age that is not a number is
 * treated as 0.  A value that is no directive list (RFC 9111 5.2) cannot
 * be trusted: not stored.
 */
static const char *
ngx_http_ticketing_cache_control(ngx_str_t *value, ngx_msec_t *max_age,
    ngx_msec_t *s_maxage)
{
    u_char      *p, *end;
    ngx_str_t    name, arg;
    ngx_int_t    n;
    ngx_msec_t  *age;

    p = value->data;
    end = p + value->len;

    while (p < end) {
        p = ngx_http_ticketing_cache_token(p, end, &name, &arg);

        if (p == NULL) {
            return "the upstream's Cache-Control cannot be parsed";
        }

        if (name.len == sizeof("no-store") - 1
            && ngx_strncasecmp(name.data, (u_char *) "no-store",
                               name.len) == 0)
        {
            return "the upstream's Cache-Control: no-store";
        }

        if (name.len == sizeof("private") - 1
            && ngx_strncasecmp(name.data, (u_char *) "private", name.len)
               == 0)
        {
            return "the upstream's Cache-Control: private";
        }

        if (name.len == sizeof("no-cache") - 1
            && ngx_strncasecmp(name.data, (u_char *) "no-cache", name.len)
               == 0)
        {
            return "the upstream's Cache-Control: no-cache";
        }

        if (name.len == sizeof("s-maxage") - 1
            && ngx_strncasecmp(name.data, (u_char *) "s-maxage", name.len)
               == 0)
        {
            age = s_maxage;

        } else if (name.len == sizeof("max-age") - 1
                   && ngx_strncasecmp(name.data, (u_char *) "max-age",
                                      name.len) == 0)
        {
            age = max_age;

        } else {
            continue;
        }

        n = ngx_atoi(arg.data, arg.len);

        if (n == NGX_ERROR) {
            n = 0;

        } else if (n > 365 * 24 * 60 * 60) {
            n = 365 * 24 * 60 * 60;
        }

        /* repeated: the shortest */
        *age = ngx_min(*age, (ngx_msec_t) n * 1000);
    }

    return NULL;
}


/*
 * One Vary header: every request header it names must be one the key
 * holds, else the answer may be another client's: not stored.  "*" never
 * is.  The key holds Accept and Accept-Language; ticketing-provider and the
 * organization header through the resolved provider and organization;
 * Authorization when the entry is per subject or claim; Accept-Encoding
 * because only answers without Content-Encoding are stored.
 */
static const char *
ngx_http_ticketing_cache_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *value)
{
    u_char                         *p, *end;
    ngx_str_t                       name, arg;
    ngx_uint_t                      i;
    ngx_http_ticketing_loc_conf_t  *tlcf;

    static ngx_str_t  held[] = {
        ngx_string("accept"),
        ngx_string("accept-language"),
        ngx_string("accept-encoding"),
        ngx_string("ticketing-provider"),
        ngx_null_string
    };

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    p = value->data;
    end = p + value->len;

    while (p < end) {
        p = ngx_http_ticketing_cache_token(p, end, &name, &arg);

        if (p == NULL) {
            return "the upstream's Vary cannot be parsed";
        }

        if (name.len == 0) {
            continue;
        }

        if (name.len == 1 && name.data[0] == '*') {
            return "the upstream's Vary: *";
        }

        for (i = 0; held[i].len; i++) {
            if (name.len == held[i].len
                && ngx_strncasecmp(name.data, held[i].data, name.len) == 0)
            {
                break;
            }
        }

        if (held[i].len) {
            continue;
        }

        if (tlcf->provider.org_header.len == name.len
            && ngx_strncasecmp(name.data, tlcf->provider.org_header.data,
                               name.len) == 0)
        {
            continue;
        }

        if (cctx->scoped
            && name.len == sizeof("authorization") - 1
            && ngx_strncasecmp(name.data, (u_char *) "authorization",
                               name.len) == 0)
        {
            continue;
        }

        return "the upstream's Vary names a header the key does not hold";
    }

    return NULL;
}


/*
 * The next element of a comma-separated header list (RFC 9110 5.6.1):
 * a token and, after "=", a token or a quoted string, without its quotes
 * (empty when none).  Returns where the next element starts, or NULL when
 * the element is malformed.  An empty list element gives an empty name.
 */
u_char *
ngx_http_ticketing_cache_token(u_char *p, u_char *end, ngx_str_t *name,
    ngx_str_t *arg)
{
    u_char  *q;

    while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
        p++;
    }

    name->data = p;

    while (p < end && ngx_http_ticketing_cache_tchar(*p)) {
        p++;
    }

    name->len = p - name->data;

    ngx_str_null(arg);

    if (name->len == 0) {
        return (p == end) ? p : NULL;
    }

    if (p < end && *p == '=') {
        p++;

        if (p < end && *p == '"') {
            /* a quoted string may hold commas: no-cache="a, b" */
            q = ngx_http_ticketing_cache_quoted(p, end);
            if (q == NULL) {
                return NULL;
            }

            arg->data = p + 1;
            arg->len = q - 1 - arg->data;
            p = q;

        } else {
            arg->data = p;

            while (p < end && ngx_http_ticketing_cache_tchar(*p)) {
                p++;
            }

            arg->len = p - arg->data;

            if (arg->len == 0) {
                return NULL;
            }
        }
    }

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (p < end && *p != ',') {
        return NULL;
    }

    return p;
}


/*
 * A quoted string at p (RFC 9110 5.6.4): where it ends, past the closing
 * quote, or NULL when it is unterminated or holds a control byte.
 */
static u_char *
ngx_http_ticketing_cache_quoted(u_char *p, u_char *end)
{
    for (p++; p < end; p++) {

        if (*p == '"') {
            return p + 1;
        }

        if (*p == '\\') {
            p++;

            if (p == end) {
                return NULL;
            }
        }

        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
            return NULL;
        }
    }

    return NULL;
}


/*
 * An answer the cache may store is JSON: "application/json" and nothing
 * else than parameters, *( OWS ";" OWS [ token "=" ( token /
 * quoted-string ) ] ) OWS (RFC 9110 5.6.6, 8.3.1).
 */
/*
 * A stored value, checked as the answer was before it was stored: Redis
 * may be shared, or written by someone else, and what it holds must not
 * put other bytes into the answer's headers.  Both header values are as
 * nginx would have read them from the upstream: not longer than the
 * store takes, no white space at either end (RFC 9110 5.5).
 */
ngx_int_t
ngx_http_ticketing_cache_value(redisReply *rr, ngx_http_ticketing_cacheval_t *v)
{
    ngx_str_t  s;

    if (ngx_http_ticketing_cacheval_parse((u_char *) rr->str, rr->len, v)
        != 0)
    {
        return NGX_ERROR;
    }

    s.data = (u_char *) v->type.data;
    s.len = v->type.len;

    if (!ngx_http_ticketing_cache_trimmed(&s)
        || ngx_http_ticketing_cache_json_type(&s) != NGX_OK)
    {
        return NGX_ERROR;
    }

    s.data = (u_char *) v->language.data;
    s.len = v->language.len;

    if (s.len
        && (!ngx_http_ticketing_cache_trimmed(&s)
            || ngx_http_ticketing_cache_language_list(&s) != NGX_OK))
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a header value the store could have written */
static ngx_uint_t
ngx_http_ticketing_cache_trimmed(ngx_str_t *value)
{
    return value->len
           && value->len <= NGX_HTTP_TICKETING_CACHE_MAX_TYPE
           && value->data[0] != ' ' && value->data[0] != '\t'
           && value->data[value->len - 1] != ' '
           && value->data[value->len - 1] != '\t';
}


ngx_int_t
ngx_http_ticketing_cache_json_type(ngx_str_t *type)
{
    u_char  *p, *end, *q;

    if (type->len < sizeof("application/json") - 1
        || ngx_strncasecmp(type->data, (u_char *) "application/json",
                           sizeof("application/json") - 1) != 0)
    {
        return NGX_ERROR;
    }

    p = type->data + sizeof("application/json") - 1;
    end = type->data + type->len;

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == end) {
            return NGX_OK;
        }

        if (*p++ != ';') {
            return NGX_ERROR;
        }

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == end || *p == ';') {
            /* an empty parameter */
            continue;
        }

        for (q = p; p < end && ngx_http_ticketing_cache_tchar(*p); p++) {
            /* void */
        }

        if (p == q || p == end || *p++ != '=') {
            return NGX_ERROR;
        }

        if (p < end && *p == '"') {
            p = ngx_http_ticketing_cache_quoted(p, end);
            if (p == NULL) {
                return NGX_ERROR;
            }

            continue;
        }

        for (q = p; p < end && ngx_http_ticketing_cache_tchar(*p); p++) {
            /* void */
        }

        if (p == q) {
            return NGX_ERROR;
        }
    }
}


/*
 * A Content-Language value: a list of language tags (RFC 9110 8.5), each
 * subtags of letters and digits joined by "-", the first a letter.
 */
static ngx_int_t
ngx_http_ticketing_cache_language_list(ngx_str_t *value)
{
    u_char      *p, *end, *q;
    ngx_uint_t   n;

    p = value->data;
    end = p + value->len;
    n = 0;

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        if (p == end) {
            return n ? NGX_OK : NGX_ERROR;
        }

        if (!ngx_http_ticketing_cache_alpha(*p)) {
            return NGX_ERROR;
        }

        for ( ;; ) {
            q = p;

            while (p < end
                   && (ngx_http_ticketing_cache_alpha(*p)
                       || (*p >= '0' && *p <= '9')))
            {
                p++;
            }

            if (p == q) {
                return NGX_ERROR;
            }

            if (p == end || *p != '-') {
                break;
            }

            p++;
        }

        n++;

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p < end && *p != ',') {
            return NGX_ERROR;
        }
    }
}


/*
 * How many headers of that name the upstream sent, and the first one:
 * nginx keeps one of them only (for Content-Type, the last).
 */
ngx_uint_t
ngx_http_ticketing_cache_upstream_header(ngx_http_request_t *r, char *name,
    ngx_table_elt_t **first)
{
    size_t            len;
    ngx_uint_t        i, n;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    n = 0;

    if (first != NULL) {
        *first = NULL;
    }

    part = &r->upstream->headers_in.headers.part;
    i = 0;

    while ((h = ngx_http_ticketing_list_next(&part, &i)) != NULL) {
        if (h->key.len != len
            || ngx_strncasecmp(h->key.data, (u_char *) name, len) != 0)
        {
            continue;
        }

        if (n++ == 0 && first != NULL) {
            *first = h;
        }
    }

    return n;
}


/*
 * A delta-seconds value (RFC 9111 1.2.2) in ms: digits only; one too big
 * for nginx counts as 2147483648 s, more than any freshness lifetime.
 */
static ngx_int_t
ngx_http_ticketing_cache_delta(ngx_str_t *value, ngx_msec_t *ms)
{
    u_char      *p, *end;
    ngx_msec_t   s;

    p = value->data;
    end = p + value->len;

    if (p == end) {
        return NGX_ERROR;
    }

    s = 0;

    for ( /* void */ ; p < end; p++) {
        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        if (s < 2147483648) {
            s = s * 10 + (*p - '0');
        }
    }

    *ms = (ngx_msec_t) ngx_min(s, 2147483648) * 1000;

    return NGX_OK;
}


/*
 * An HTTP-date (RFC 9110 5.6.7), strictly: IMF-fixdate, or the obsolete
 * rfc850-date and asctime-date a recipient must also accept, each exactly,
 * with the weekday of the date and nothing after.  NGX_ERROR when it is
 * none of them (ngx_parse_http_time is lenient: trailing bytes, any zone,
 * any weekday).
 */
static time_t
ngx_http_ticketing_cache_http_time(u_char *p, size_t len)
{
    u_char      *d;
    size_t       wlen;
    ngx_int_t    day, month, year, hour, min, sec, wday, days, y, era, yoe;
    ngx_int_t    doy, mdays;
    ngx_tm_t     tm;
    ngx_uint_t   i;

    static const char  *wdays[] = { "Sunday", "Monday", "Tuesday",
                                    "Wednesday", "Thursday", "Friday",
                                    "Saturday" };
    static const char   months[] = "JanFebMarAprMayJunJulAugSepOctNov"
                                   "Dec";

    if (len < 24) {
        return NGX_ERROR;
    }

    for (i = 0; i < 7; i++) {
        if (ngx_strncmp(p, wdays[i], 3) == 0) {
            break;
        }
    }

    if (i == 7) {
        return NGX_ERROR;
    }

    wday = i;
    wlen = ngx_strlen(wdays[i]);

    if (p[3] == ',') {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        if (len != 29 || p[4] != ' ' || p[7] != ' ' || p[11] != ' '
            || p[16] != ' ' || ngx_strncmp(p + 25, " GMT", 4) != 0)
        {
            return NGX_ERROR;
        }

        day = ngx_http_ticketing_cache_digits(p + 5, 2);
        d = p + 8;
        year = ngx_http_ticketing_cache_digits(p + 12, 4);

        if (ngx_http_ticketing_cache_clock(p + 17, &hour, &min, &sec)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (p[3] == ' ') {
        /* asctime-date: "Sun Nov  6 08:49:37 1994" */
        if (len != 24 || p[7] != ' ' || p[10] != ' ' || p[19] != ' ') {
            return NGX_ERROR;
        }

        d = p + 4;
        day = (p[8] == ' ') ? ngx_http_ticketing_cache_digits(p + 9, 1)
                            : ngx_http_ticketing_cache_digits(p + 8, 2);
        year = ngx_http_ticketing_cache_digits(p + 20, 4);

        if (ngx_http_ticketing_cache_clock(p + 11, &hour, &min, &sec)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else {
        /* rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT" */
        if (len != wlen + 24
            || ngx_strncmp(p, wdays[i], wlen) != 0
            || p[wlen] != ',' || p[wlen + 1] != ' '
            || p[wlen + 4] != '-' || p[wlen + 8] != '-'
            || p[wlen + 11] != ' '
            || ngx_strncmp(p + wlen + 20, " GMT", 4) != 0)
        {
            return NGX_ERROR;
        }

        day = ngx_http_ticketing_cache_digits(p + wlen + 2, 2);
        d = p + wlen + 5;
        year = ngx_http_ticketing_cache_digits(p + wlen + 9, 2);

        if (ngx_http_ticketing_cache_clock(p + wlen + 12, &hour, &min, &sec)
            != NGX_OK
            || year == NGX_ERROR)
        {
            return NGX_ERROR;
        }

        /* more than 50 years in the future: the century before */
        ngx_gmtime(ngx_time(), &tm);
        year += tm.ngx_tm_year - tm.ngx_tm_year % 100;

        if (year > tm.ngx_tm_year + 50) {
            year -= 100;
        }
    }

    for (month = 0; month < 12; month++) {
        if (ngx_strncmp(d, months + month * 3, 3) == 0) {
            break;
        }
    }

    /* before 1970 is no time an upstream answers at (and no time_t) */
    if (month == 12 || day == NGX_ERROR || year == NGX_ERROR || day < 1
        || year < 1970)
    {
        return NGX_ERROR;
    }

    month++;

    if (month == 2) {
        mdays = (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
                ? 29 : 28;

    } else {
        mdays = (month == 4 || month == 6 || month == 9 || month == 11)
                ? 30 : 31;
    }

    if (day > mdays) {
        return NGX_ERROR;
    }

    /* days since 1970-01-01 of a Gregorian date, years from March */
    y = (month <= 2) ? year - 1 : year;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;

    /* 1970-01-01 was a Thursday */
    if (((days % 7) + 7 + 4) % 7 != wday) {
        return NGX_ERROR;
    }

    return (time_t) days * 86400 + hour * 3600 + min * 60 + sec;
}


static ngx_int_t
ngx_http_ticketing_cache_digits(u_char *p, ngx_uint_t n)
{
    ngx_int_t  value;

    for (value = 0; n; n--, p++) {
        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        value = value * 10 + (*p - '0');
    }

    return value;
}


/* "08:49:37" */
static ngx_int_t
ngx_http_ticketing_cache_clock(u_char *p, ngx_int_t *hour, ngx_int_t *min,
    ngx_int_t *sec)
{
    *hour = ngx_http_ticketing_cache_digits(p, 2);
    *min = ngx_http_ticketing_cache_digits(p + 3, 2);
    *sec = ngx_http_ticketing_cache_digits(p + 6, 2);

    if (p[2] != ':' || p[5] != ':'
        || *hour == NGX_ERROR || *min == NGX_ERROR || *sec == NGX_ERROR
        || *hour > 23 || *min > 59 || *sec > 60)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}
