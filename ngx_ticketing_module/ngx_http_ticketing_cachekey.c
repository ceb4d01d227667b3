
/*
 * The cache key encoding.  Injective by construction: every variable
 * field carries its length, so no value can be crafted to look like the
 * end of one field and the start of another.
 */


#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "ngx_http_ticketing_cachekey.h"


/* "|" + 20 digits + ":" or "=" + 20 digits + ":" */
#define NGX_HTTP_TICKETING_CACHEKEY_FIELD  24


typedef struct {
    ngx_http_ticketing_span_t  name;
    ngx_http_ticketing_span_t  value;
    unsigned                   has_value:1;
} ngx_http_ticketing_cachekey_arg_t;


static int ngx_http_ticketing_cachekey_defined(const char *const *names,
    const ngx_http_ticketing_span_t *name);
static int ngx_http_ticketing_cachekey_cmp(
    const ngx_http_ticketing_cachekey_arg_t *a,
    const ngx_http_ticketing_cachekey_arg_t *b);
static u_char *ngx_http_ticketing_cachekey_field(u_char *p, u_char *end,
    char tag, const ngx_http_ticketing_span_t *s);
static u_char *ngx_http_ticketing_cachekey_number(u_char *p, u_char *end,
    char lead1, char lead2, size_t n, char trail);
static u_char *ngx_http_ticketing_cachekey_mark(u_char *p, u_char *end,
    char mark);
static void ngx_http_ticketing_cachekey_tag(u_char *tag, const u_char *data,
    size_t len);
static u_char *ngx_http_ticketing_cachekey_language(const u_char **pp,
    const u_char *end, u_char *o);
static u_char *ngx_http_ticketing_cachekey_media(const u_char **pp,
    const u_char *end, u_char *o);
static u_char *ngx_http_ticketing_cachekey_token(const u_char **pp,
    const u_char *end, u_char *o, int lower);
static int ngx_http_ticketing_cachekey_qvalue(const u_char *p, size_t len);
static const u_char *ngx_http_ticketing_cachekey_ows(const u_char *p,
    const u_char *end);
static const u_char *ngx_http_ticketing_cacheval_time(const u_char *p,
    const u_char *end, unsigned long long *ms);


const char *const *
ngx_http_ticketing_cachekey_args(unsigned op)
{
    const ngx_http_ticketing_operation_t  *o;

    static const char *const  none[] = { NULL };

    /* the query parameters the operation defines (the catalogue's) */
    o = ngx_http_ticketing_operation(op);

    return o ? o->query_names : none;
}


ssize_t
ngx_http_ticketing_cachekey_header(unsigned which, const u_char *in,
    size_t len, u_char *out)
{
    u_char        *o;
    const u_char  *p, *end;

    p = ngx_http_ticketing_cachekey_ows(in, in + len);
    end = in + len;
    o = out;

    if (p == end) {
        /* an empty value is not the absent header: not cached */
        return -1;
    }

    for ( ;; ) {

        /* an element; a list may hold empty ones: "a,,b" */

        if (p < end && *p != ',') {
            o = (which == NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE)
                ? ngx_http_ticketing_cachekey_language(&p, end, o)
                : ngx_http_ticketing_cachekey_media(&p, end, o);

            if (o == NULL) {
                return -1;
            }

            p = ngx_http_ticketing_cachekey_ows(p, end);
        }

        if (p == end) {
            break;
        }

        if (*p != ',') {
            /* whitespace inside an element, or a stray character */
            return -1;
        }

        *o++ = ',';
        p = ngx_http_ticketing_cachekey_ows(p + 1, end);
    }

    return o - out;
}


/* language-range [ OWS ";" OWS "q=" qvalue ], lower-cased */
static u_char *
ngx_http_ticketing_cachekey_language(const u_char **pp, const u_char *end,
    u_char *o)
{
    u_char         c;
    const u_char  *p, *q, *start;

    p = *pp;
    start = p;

    while (p < end) {
        c = *p;

        if (c >= 'A' && c <= 'Z') {
            c |= 0x20;

        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                     || c == '-' || c == '*'))
        {
            break;
        }

        *o++ = c;
        p++;
    }

    if (p == start) {
        return NULL;
    }

    q = ngx_http_ticketing_cachekey_ows(p, end);

    if (q < end && *q == ';') {
        p = ngx_http_ticketing_cachekey_ows(q + 1, end);

        if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=') {
            return NULL;
        }

        p += 2;
        start = p;

        while (p < end && ((*p >= '0' && *p <= '9') || *p == '.')) {
            p++;
        }

        if (!ngx_http_ticketing_cachekey_qvalue(start, p - start)) {
            return NULL;
        }

        memcpy(o, ";q=", 3);
        memcpy(o + 3, start, p - start);
        o += 3 + (p - start);
    }

    *pp = p;

    return o;
}


/*
 * type "/" subtype *( OWS ";" OWS name "=" value ): the type, subtype and
 * names lower-cased, the values as sent; a quoted value is refused
 */
static u_char *
ngx_http_ticketing_cachekey_media(const u_char **pp, const u_char *end,
    u_char *o)
{
    const u_char  *p, *q;

    p = *pp;

    o = ngx_http_ticketing_cachekey_token(&p, end, o, 1);
    if (o == NULL || p == end || *p != '/') {
        return NULL;
    }

    *o++ = '/';
    p++;

    o = ngx_http_ticketing_cachekey_token(&p, end, o, 1);
    if (o == NULL) {
        return NULL;
    }

    for ( ;; ) {
        q = ngx_http_ticketing_cachekey_ows(p, end);

        if (q == end || *q != ';') {
            break;
        }

        p = ngx_http_ticketing_cachekey_ows(q + 1, end);
        *o++ = ';';

        /* RFC 9110 5.6.6: no whitespace around "=" */
        o = ngx_http_ticketing_cachekey_token(&p, end, o, 1);
        if (o == NULL || p == end || *p != '=') {
            return NULL;
        }

        *o++ = '=';
        p++;

        o = ngx_http_ticketing_cachekey_token(&p, end, o, 0);
        if (o == NULL) {
            return NULL;
        }
    }

    *pp = p;

    return o;
}


/* 1*tchar (RFC 9110 5.6.2), lower-cased if asked; NULL when empty */
static u_char *
ngx_http_ticketing_cachekey_token(const u_char **pp, const u_char *end,
    u_char *o, int lower)
{
    u_char         c;
    const u_char  *p;

    for (p = *pp; p < end; p++) {
        c = *p;

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL)))
        {
            break;
        }

        if (lower && c >= 'A' && c <= 'Z') {
            c |= 0x20;
        }

        *o++ = c;
    }

    if (p == *pp) {
        return NULL;
    }

    *pp = p;

    return o;
}


/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int
ngx_http_ticketing_cachekey_qvalue(const u_char *p, size_t len)
{
    size_t  i;

    if (len == 0 || len > 5 || (p[0] != '0' && p[0] != '1')) {
        return 0;
    }

    if (len > 1 && p[1] != '.') {
        return 0;
    }

    for (i = 2; i < len; i++) {
        if (p[i] < '0' || p[i] > (p[0] == '1' ? '0' : '9')) {
            return 0;
        }
    }

    return 1;
}


/* skips optional whitespace: spaces and tabs */
static const u_char *
ngx_http_ticketing_cachekey_ows(const u_char *p, const u_char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    return p;
}


size_t
ngx_http_ticketing_cachekey_size(const ngx_http_ticketing_cachekey_in_t *in)
{
    size_t  size, i, nargs;

    size = in->prefix.len + sizeof("|v4") - 1
           + NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN
           + 4 * NGX_HTTP_TICKETING_CACHEKEY_FIELD
           + in->provider.len + in->org.len + in->operation.len;

    /* "|h", two fields, "|s", one field */
    size += 2 * 2 + 3 * NGX_HTTP_TICKETING_CACHEKEY_FIELD
            + in->accept.len + in->language.len + in->scope.len;

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        size += NGX_HTTP_TICKETING_CACHEKEY_FIELD + in->params[i].len;
    }

    /* "|q" + count, then per argument two fields; decoding never grows */
    nargs = NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS;
    size += NGX_HTTP_TICKETING_CACHEKEY_FIELD
            + 2 * nargs * NGX_HTTP_TICKETING_CACHEKEY_FIELD + in->query.len;

    return size;
}


ngx_http_ticketing_cachekey_rc_e
ngx_http_ticketing_cachekey_build(const ngx_http_ticketing_cachekey_in_t *in,
    u_char *scratch, u_char *buf, size_t size, size_t *len)
{
    size_t                              i, j, nargs;
    u_char                             *p, *end, *s, *tag;
    ssize_t                             dlen;
    const u_char                       *q, *qend;
    ngx_http_ticketing_query_arg_t      arg;
    ngx_http_ticketing_cachekey_arg_t   tmp;
    ngx_http_ticketing_cachekey_arg_t
                                args[NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS];

    /* split and decode the query arguments */

    nargs = 0;
    s = scratch;
    q = in->query.data;
    qend = q + in->query.len;

    while (ngx_http_ticketing_query_next(&q, qend, &arg) == 0) {

        if (nargs == NGX_HTTP_TICKETING_CACHEKEY_MAX_ARGS) {
            return NGX_HTTP_TICKETING_CACHEKEY_BAD_QUERY;
        }

        dlen = ngx_http_ticketing_query_decode(arg.name.data, arg.name.len,
                                               s, arg.name.len);
        if (dlen < 0) {
            return NGX_HTTP_TICKETING_CACHEKEY_BAD_QUERY;
        }

        args[nargs].name.data = s;
        args[nargs].name.len = dlen;
        s += dlen;

        if (in->args != NULL
            && !ngx_http_ticketing_cachekey_defined(in->args,
                                                    &args[nargs].name))
        {
            return NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG;
        }

        dlen = ngx_http_ticketing_query_decode(arg.value.data, arg.value.len,
                                               s, arg.value.len);
        if (dlen < 0) {
            return NGX_HTTP_TICKETING_CACHEKEY_BAD_QUERY;
        }

        args[nargs].has_value = arg.has_value;
        args[nargs].value.data = s;
        args[nargs].value.len = dlen;
        s += dlen;

        nargs++;
    }

    /*
     * A stable insertion sort by name: the order of the names does not
     * matter, but the order of the values of one repeated name may.
     */

    for (i = 1; i < nargs; i++) {
        tmp = args[i];

        for (j = i; j > 0
                    && ngx_http_ticketing_cachekey_cmp(&args[j - 1], &tmp) > 0;
             j--)
        {
            args[j] = args[j - 1];
        }

        args[j] = tmp;
    }

    /* write the key */

    p = buf;
    end = buf + size;

    if ((size_t) (end - p) < in->prefix.len + sizeof("|v4") - 1
                             + NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN)
    {
        return NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM;
    }

    if (in->prefix.len) {
        memcpy(p, in->prefix.data, in->prefix.len);
        p += in->prefix.len;
    }

    memcpy(p, "|v4", sizeof("|v4") - 1);
    p += sizeof("|v4") - 1;

    /* the hash tag is written once the fields it hashes are */
    tag = p;
    p += NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN;

    p = ngx_http_ticketing_cachekey_field(p, end, '|', &in->provider);
    p = ngx_http_ticketing_cachekey_field(p, end, '|', &in->org);
    p = ngx_http_ticketing_cachekey_field(p, end, '|', &in->operation);

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        p = ngx_http_ticketing_cachekey_field(p, end, '|', &in->params[i]);
    }

    if (p == NULL) {
        return NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM;
    }

    p = ngx_http_ticketing_cachekey_number(p, end, '|', 'q', nargs, 0);
    if (p == NULL) {
        return NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM;
    }

    for (i = 0; i < nargs && p != NULL; i++) {
        p = ngx_http_ticketing_cachekey_field(p, end, '|', &args[i].name);

        if (args[i].has_value) {
            p = ngx_http_ticketing_cachekey_field(p, end, '=',
                                                  &args[i].value);

        } else if (p != NULL) {
            if (p == end) {
                return NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM;
            }

            *p++ = '!';
        }
    }

    p = ngx_http_ticketing_cachekey_mark(p, end, 'h');
    p = ngx_http_ticketing_cachekey_field(p, end, '|', &in->accept);
    p = ngx_http_ticketing_cachekey_field(p, end, '|', &in->language);
    p = ngx_http_ticketing_cachekey_mark(p, end, 's');
    p = ngx_http_ticketing_cachekey_field(p, end, '|', &in->scope);

    if (p == NULL) {
        return NGX_HTTP_TICKETING_CACHEKEY_NO_ROOM;
    }

    s = tag + NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN;
    ngx_http_ticketing_cachekey_tag(tag, s, p - s);

    *len = p - buf;

    return NGX_HTTP_TICKETING_CACHEKEY_OK;
}


/*
 * "|{" 8 hex digits "}": FNV-1a of the fields.  Redis Cluster hashes only
 * what is between the first "{" and the next "}" of a key, and no field
 * precedes this one: an entry and its fill lock ("|lock" appended) are
 * always in one slot, and entries spread over the slots.
 */
static void
ngx_http_ticketing_cachekey_tag(u_char *tag, const u_char *data, size_t len)
{
    size_t    i;
    uint32_t  h;

    static const char  hex[] = "0123456789abcdef";

    h = 2166136261u;

    for (i = 0; i < len; i++) {
        h ^= data[i];
        h *= 16777619u;
    }

    *tag++ = '|';
    *tag++ = '{';

    for (i = 0; i < 8; i++) {
        *tag++ = hex[(h >> (28 - 4 * i)) & 0xf];
    }

    *tag = '}';
}


unsigned
ngx_http_ticketing_cachekey_slot(const u_char *key, size_t len)
{
    size_t         i, b;
    uint16_t       crc;
    const u_char  *open, *close;

    /* a non-empty {hash tag} stands for the key */
    open = memchr(key, '{', len);

    if (open != NULL) {
        close = memchr(open + 1, '}', key + len - open - 1);

        if (close != NULL && close > open + 1) {
            key = open + 1;
            len = close - open - 1;
        }
    }

    /* CRC-16/XMODEM: polynomial 0x1021, initial value 0 */
    crc = 0;

    for (i = 0; i < len; i++) {
        crc ^= (uint16_t) (key[i] << 8);

        for (b = 0; b < 8; b++) {
            crc = (crc & 0x8000) ? (uint16_t) ((crc << 1) ^ 0x1021)
                                 : (uint16_t) (crc << 1);
        }
    }

    return crc & (NGX_HTTP_TICKETING_CACHEKEY_SLOTS - 1);
}


/* tag, decimal length, ':', bytes; NULL when it does not fit (or p NULL) */
static u_char *
ngx_http_ticketing_cachekey_field(u_char *p, u_char *end, char tag,
    const ngx_http_ticketing_span_t *s)
{
    p = ngx_http_ticketing_cachekey_number(p, end, tag, 0, s->len, ':');
    if (p == NULL || s->len > (size_t) (end - p)) {
        return NULL;
    }

    if (s->len) {
        memcpy(p, s->data, s->len);
        p += s->len;
    }

    return p;
}


/*
 * lead1, lead2 (unless 0), n in decimal, trail (unless 0): what
 * snprintf("%c%c%zu%c") wrote here before, at a tenth of its cost (a key
 * has a dozen); NULL when it does not fit with a byte to spare, as
 * snprintf() needed for its NUL (or p NULL)
 */
static u_char *
ngx_http_ticketing_cachekey_number(u_char *p, u_char *end, char lead1,
    char lead2, size_t n, char trail)
{
    size_t   len, ndigits;
    u_char  *d, digits[20];

    if (p == NULL) {
        return NULL;
    }

    d = digits + sizeof(digits);

    do {
        *--d = (u_char) ('0' + n % 10);
        n /= 10;
    } while (n);

    ndigits = digits + sizeof(digits) - d;
    len = 1 + (lead2 != 0) + ndigits + (trail != 0);

    if (len >= (size_t) (end - p)) {
        return NULL;
    }

    *p++ = (u_char) lead1;

    if (lead2) {
        *p++ = (u_char) lead2;
    }

    memcpy(p, d, ndigits);
    p += ndigits;

    if (trail) {
        *p++ = (u_char) trail;
    }

    return p;
}


/* "|" and a letter; NULL when it does not fit (or p NULL) */
static u_char *
ngx_http_ticketing_cachekey_mark(u_char *p, u_char *end, char mark)
{
    if (p == NULL || end - p < 2) {
        return NULL;
    }

    *p++ = '|';
    *p++ = (u_char) mark;

    return p;
}


static int
ngx_http_ticketing_cachekey_defined(const char *const *names,
    const ngx_http_ticketing_span_t *name)
{
    for ( /* void */ ; *names; names++) {
        if (strlen(*names) == name->len
            && memcmp(*names, name->data, name->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static int
ngx_http_ticketing_cachekey_cmp(const ngx_http_ticketing_cachekey_arg_t *a,
    const ngx_http_ticketing_cachekey_arg_t *b)
{
    int     rc;
    size_t  n;

    n = a->name.len < b->name.len ? a->name.len : b->name.len;

    rc = n ? memcmp(a->name.data, b->name.data, n) : 0;
    if (rc != 0) {
        return rc;
    }

    return (a->name.len > b->name.len) - (a->name.len < b->name.len);
}


size_t
ngx_http_ticketing_cacheval_header(u_char *buf, unsigned long long fresh_until,
    unsigned long long born, const u_char *type, size_t type_len,
    const u_char *lang, size_t lang_len)
{
    int      n;
    u_char  *p;

    n = sprintf((char *) buf, "v3 %llu %llu ", fresh_until, born);
    p = buf + n;

    memcpy(p, type, type_len);
    p += type_len;
    *p++ = '\n';

    if (lang_len) {
        memcpy(p, lang, lang_len);
        p += lang_len;
    }

    *p++ = '\n';

    return p - buf;
}


/* a time in ms and the space after it: where the rest starts, or NULL */
static const u_char *
ngx_http_ticketing_cacheval_time(const u_char *p, const u_char *end,
    unsigned long long *ms)
{
    *ms = 0;

    if (p == end || *p < '0' || *p > '9') {
        return NULL;
    }

    while (p < end && *p >= '0' && *p <= '9') {
        /* exact: every value the header writer writes must parse back */
        if (*ms > (~0ULL - (unsigned) (*p - '0')) / 10) {
            return NULL;
        }

        *ms = *ms * 10 + (*p++ - '0');
    }

    if (p == end || *p != ' ') {
        return NULL;
    }

    return p + 1;
}


int
ngx_http_ticketing_cacheval_parse(const u_char *value, size_t len,
    ngx_http_ticketing_cacheval_t *v)
{
    int            version;
    const u_char  *p, *end, *nl;

    end = value + len;

    if (len < sizeof("v1 0 \n") - 1
        || value[0] != 'v' || value[1] < '1' || value[1] > '3'
        || value[2] != ' ')
    {
        return -1;
    }

    version = value[1] - '0';

    p = ngx_http_ticketing_cacheval_time(value + 3, end, &v->fresh_until);
    if (p == NULL) {
        return -1;
    }

    v->born = 0;

    if (version == 3) {
        p = ngx_http_ticketing_cacheval_time(p, end, &v->born);
        if (p == NULL) {
            return -1;
        }
    }

    nl = memchr(p, '\n', end - p);
    if (nl == NULL || nl == p) {
        return -1;
    }

    v->type.data = p;
    v->type.len = nl - p;
    p = nl + 1;

    v->language.data = p;
    v->language.len = 0;

    if (version >= 2) {
        /* the language line, empty when the answer had none */
        nl = memchr(p, '\n', end - p);
        if (nl == NULL) {
            return -1;
        }

        v->language.len = nl - p;
        p = nl + 1;
    }

    v->body.data = p;
    v->body.len = end - p;

    return 0;
}
