
/*
 * The JSON of a token (ngx_http_ticketing_jwt_json.h).
 *
 * jansson reads a document byte by byte through a stream and a growing
 * buffer and allocates every value: for a token with a few dozen claims
 * that costs about as much as the rest of the module's work per token.
 * This parser takes the same documents as json_loadb(...,
 * JSON_REJECT_DUPLICATES, ...) and refuses the same ones, and makes the
 * same values in the same order (tests/fuzz/fuzz_jwt_json.c compares the
 * two), as one flat array.
 *
 * Pure logic: this file includes no nginx header.
 */


#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <math.h>
#include <errno.h>

#include "ngx_http_ticketing_jwt_json.h"


#define NGX_HTTP_TICKETING_JSON_DEPTH  2048     /* jansson's */

/*
 * Up to this many members, an object's keys are compared pairwise for a
 * duplicate; beyond, sorted first, so that a header of thousands of keys
 * (read before any signature is checked) costs n log n, not n squared.
 */
#define NGX_HTTP_TICKETING_JSON_PAIRWISE  16


/* the one-character escapes and what they stand for */
static const char  ngx_http_ticketing_json_esc[] = "\"\\/bfnrt";
static const char  ngx_http_ticketing_json_unesc[] = "\"\\/\b\f\n\r\t";


typedef struct {
    unsigned char                   *p;
    unsigned char                   *end;
    size_t                           depth;
    ngx_http_ticketing_json_tape_t  *tape;
} ngx_http_ticketing_json_parser_t;


typedef struct {
    const char  *key;
    size_t       len;
} ngx_http_ticketing_json_key_t;


static int ngx_http_ticketing_json_value(ngx_http_ticketing_json_parser_t *js,
    const char *key, size_t key_len);


static void
ngx_http_ticketing_json_ws(ngx_http_ticketing_json_parser_t *js)
{
    while (js->p < js->end
           && (*js->p == ' ' || *js->p == '\t' || *js->p == '\n'
               || *js->p == '\r'))
    {
        js->p++;
    }
}


static int
ngx_http_ticketing_json_hex4(const unsigned char *p, uint32_t *v)
{
    int       i;
    uint32_t  c, d;

    d = 0;

    for (i = 0; i < 4; i++) {
        c = p[i];

        if (c >= '0' && c <= '9') {
            c -= '0';

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            c = (c | 0x20) - 'a' + 10;

        } else {
            return -1;
        }

        d = (d << 4) | c;
    }

    *v = d;

    return 0;
}


/*
 * A string at js->p (its opening quote), unescaped in place: *s and *len
 * are the value, which never holds a NUL byte.  Returns 0 or -1.
 */
static int
ngx_http_ticketing_json_string(ngx_http_ticketing_json_parser_t *js,
    char **s, size_t *len)
{
    size_t          n, i;
    uint32_t        c, lo;
    uint64_t        w, k;
    const char     *e;
    unsigned char  *p, *t, *end;

    p = js->p + 1;
    end = js->end;

    *s = (char *) p;

    /*
     * The usual string: printable ASCII up to its quote, nothing to
     * unescape or move.  Eight bytes at a time: a byte's high bit in the
     * mask flags a control character, '"', '\\' or a non-ASCII byte (the
     * borrows of the subtractions only ever add flags above a real one).
     */
    k = 0x0101010101010101ULL;

    while (end - p >= 8) {
        memcpy(&w, p, 8);

        if (((((w - 0x20 * k) | ((w ^ ('"' * k)) - k)
               | ((w ^ ('\\' * k)) - k)) & ~w) | w) & (0x80 * k))
        {
            break;
        }

        p += 8;
    }

    while (p < end && *p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
        p++;
    }

    t = p;

    for ( ;; ) {
        if (p == end) {
            return -1;
        }

        c = *p;

        if (c == '"') {
            break;
        }

        if (c < 0x20) {
            return -1;
        }

        if (c < 0x80 && c != '\\') {
            *t++ = *p++;
            continue;
        }

        if (c >= 0x80) {
            /* strict UTF-8: no overlong form, surrogate or > U+10FFFF */
            if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                c &= 0x1f;

            } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                c &= 0x0f;

            } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                c &= 0x07;

            } else {
                return -1;
            }

            if ((size_t) (end - p) < n) {
                return -1;
            }

            for (i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80) {
                    return -1;
                }

                c = (c << 6) | (p[i] & 0x3f);
            }

            if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)
                || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000))
            {
                return -1;
            }

            for (i = 0; i < n; i++) {
                *t++ = *p++;
            }

            continue;
        }

        /* an escape */
        if (end - p < 2) {
            return -1;
        }

        if (p[1] != 'u') {
            e = memchr(ngx_http_ticketing_json_esc, p[1], 8);
            if (e == NULL) {
                return -1;
            }

            *t++ = ngx_http_ticketing_json_unesc[e
                                             - ngx_http_ticketing_json_esc];
            p += 2;
            continue;
        }

        if (end - p < 6 || ngx_http_ticketing_json_hex4(p + 2, &c) != 0) {
            return -1;
        }

        p += 6;

        if (c >= 0xdc00 && c <= 0xdfff) {
            return -1;
        }

        if (c >= 0xd800 && c <= 0xdbff) {
            /* a high surrogate: a low one must follow */
            if (end - p < 6 || p[0] != '\\' || p[1] != 'u'
                || ngx_http_ticketing_json_hex4(p + 2, &lo) != 0
                || lo < 0xdc00 || lo > 0xdfff)
            {
                return -1;
            }

            p += 6;
            c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        }

        /* \u0000 is refused in keys and values alike */
        if (c == 0) {
            return -1;
        }

        if (c < 0x80) {
            *t++ = (unsigned char) c;

        } else if (c < 0x800) {
            *t++ = (unsigned char) (0xc0 | (c >> 6));
            *t++ = (unsigned char) (0x80 | (c & 0x3f));

        } else if (c < 0x10000) {
            *t++ = (unsigned char) (0xe0 | (c >> 12));
            *t++ = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
            *t++ = (unsigned char) (0x80 | (c & 0x3f));

        } else {
            *t++ = (unsigned char) (0xf0 | (c >> 18));
            *t++ = (unsigned char) (0x80 | ((c >> 12) & 0x3f));
            *t++ = (unsigned char) (0x80 | ((c >> 6) & 0x3f));
            *t++ = (unsigned char) (0x80 | (c & 0x3f));
        }
    }

    *len = (size_t) (t - (unsigned char *) *s);
    js->p = p + 1;

    return 0;
}


/* a new value at the end of the tape: its index, or -1 */
static ssize_t
ngx_http_ticketing_json_push(ngx_http_ticketing_json_parser_t *js,
    uint32_t type, const char *key, size_t key_len)
{
    size_t                           cap;
    ngx_http_ticketing_json_t       *v;
    ngx_http_ticketing_json_tape_t  *t;

    t = js->tape;

    if (t->n == t->cap) {
        /* a value takes a byte of the text at least: the tape stays small */
        cap = t->cap * 2;

        if (t->values == t->inline_values) {
            v = malloc(cap * sizeof(ngx_http_ticketing_json_t));
            if (v == NULL) {
                return -1;
            }

            memcpy(v, t->values, t->n * sizeof(ngx_http_ticketing_json_t));

        } else {
            v = realloc(t->values, cap * sizeof(ngx_http_ticketing_json_t));
            if (v == NULL) {
                return -1;
            }
        }

        t->values = v;
        t->cap = cap;
    }

    v = &t->values[t->n];

    v->key = key;
    v->key_len = (uint32_t) key_len;
    v->str = NULL;
    v->len = 0;
    v->size = 1;
    v->type = type;
    v->num.integer = 0;

    return (ssize_t) t->n++;
}


/* a number: an integer within json_int_t, or a real that does not overflow */
static int
ngx_http_ticketing_json_number(ngx_http_ticketing_json_parser_t *js,
    const char *key, size_t key_len)
{
    int             neg, real;
    double          d;
    ssize_t         i;
    uint64_t        u, max;
    unsigned char  *p, *start, *end, save;

    p = js->p;
    start = p;
    end = js->end;
    neg = 0;
    real = 0;

    if (*p == '-') {
        neg = 1;
        p++;
    }

    if (p == end || *p < '0' || *p > '9') {
        return -1;
    }

    if (*p == '0') {
        p++;

        if (p < end && *p >= '0' && *p <= '9') {
            return -1;
        }

    } else {
        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    if (p < end && *p == '.') {
        real = 1;
        p++;

        if (p == end || *p < '0' || *p > '9') {
            return -1;
        }

        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    if (p < end && (*p == 'e' || *p == 'E')) {
        real = 1;
        p++;

        if (p < end && (*p == '+' || *p == '-')) {
            p++;
        }

        if (p == end || *p < '0' || *p > '9') {
            return -1;
        }

        while (p < end && *p >= '0' && *p <= '9') {
            p++;
        }
    }

    js->p = p;

    if (!real) {
        /* what strtoll() takes without ERANGE */
        max = neg ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
        u = 0;

        for (p = start + neg; p < js->p; p++) {
            if (u > (max - (*p - '0')) / 10) {
                return -1;
            }

            u = u * 10 + (*p - '0');
        }

        i = ngx_http_ticketing_json_push(js, NGX_HTTP_TICKETING_JSON_INTEGER,
                                         key, key_len);
        if (i < 0) {
            return -1;
        }

        js->tape->values[i].num.integer = neg ? (int64_t) (0 - u)
                                              : (int64_t) u;
        return 0;
    }

    /* the byte after the text exists: the buffer holds len + 1 bytes */
    save = *p;
    *p = '\0';
    errno = 0;
    d = strtod((const char *) start, NULL);
    *p = save;

    if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE) {
        return -1;
    }

    i = ngx_http_ticketing_json_push(js, NGX_HTTP_TICKETING_JSON_REAL, key,
                                     key_len);
    if (i < 0) {
        return -1;
    }

    js->tape->values[i].num.real = d;

    return 0;
}


static int
ngx_http_ticketing_json_key_cmp(const void *one, const void *two)
{
    const ngx_http_ticketing_json_key_t  *a = one;
    const ngx_http_ticketing_json_key_t  *b = two;

    if (a->len != b->len) {
        return a->len < b->len ? -1 : 1;
    }

    return memcmp(a->key, b->key, a->len);
}


/* whether the object at "obj" (complete) has two members of one name */
static int
ngx_http_ticketing_json_duplicates(const ngx_http_ticketing_json_t *obj)
{
    int                              dup;
    size_t                           i;
    const ngx_http_ticketing_json_t  *a, *b;
    ngx_http_ticketing_json_key_t   *keys;

    if (obj->len <= NGX_HTTP_TICKETING_JSON_PAIRWISE) {
        for (a = ngx_http_ticketing_json_first(obj); a < obj + obj->size;
             a = ngx_http_ticketing_json_next(a))
        {
            for (b = ngx_http_ticketing_json_next(a); b < obj + obj->size;
                 b = ngx_http_ticketing_json_next(b))
            {
                if (a->key_len == b->key_len
                    && memcmp(a->key, b->key, a->key_len) == 0)
                {
                    return 1;
                }
            }
        }

        return 0;
    }

    keys = malloc(obj->len * sizeof(ngx_http_ticketing_json_key_t));
    if (keys == NULL) {
        return 1;
    }

    i = 0;

    for (a = ngx_http_ticketing_json_first(obj); a < obj + obj->size;
         a = ngx_http_ticketing_json_next(a))
    {
        keys[i].key = a->key;
        keys[i].len = a->key_len;
        i++;
    }

    qsort(keys, i, sizeof(ngx_http_ticketing_json_key_t),
          ngx_http_ticketing_json_key_cmp);

    dup = 0;

    for (i = 1; i < obj->len && !dup; i++) {
        dup = ngx_http_ticketing_json_key_cmp(&keys[i - 1], &keys[i]) == 0;
    }

    free(keys);

    return dup;
}


static int
ngx_http_ticketing_json_object(ngx_http_ticketing_json_parser_t *js,
    const char *key, size_t key_len)
{
    char                       *name;
    size_t                      nlen;
    ssize_t                     at;
    uint32_t                    members;
    ngx_http_ticketing_json_t  *obj;

    at = ngx_http_ticketing_json_push(js, NGX_HTTP_TICKETING_JSON_OBJECT, key,
                                      key_len);
    if (at < 0) {
        return -1;
    }

    members = 0;

    js->p++;
    ngx_http_ticketing_json_ws(js);

    if (js->p < js->end && *js->p == '}') {
        js->p++;
        return 0;
    }

    for ( ;; ) {
        if (js->p == js->end || *js->p != '"'
            || ngx_http_ticketing_json_string(js, &name, &nlen) != 0)
        {
            return -1;
        }

        ngx_http_ticketing_json_ws(js);

        if (js->p == js->end || *js->p != ':') {
            return -1;
        }

        js->p++;
        ngx_http_ticketing_json_ws(js);

        if (ngx_http_ticketing_json_value(js, name, nlen) != 0) {
            return -1;
        }

        members++;

        ngx_http_ticketing_json_ws(js);

        if (js->p < js->end && *js->p == ',') {
            js->p++;
            ngx_http_ticketing_json_ws(js);
            continue;
        }

        if (js->p < js->end && *js->p == '}') {
            js->p++;
            break;
        }

        return -1;
    }

    /* the tape may have moved while the members were added */
    obj = &js->tape->values[at];
    obj->len = members;
    obj->size = (uint32_t) (js->tape->n - (size_t) at);

    return ngx_http_ticketing_json_duplicates(obj) ? -1 : 0;
}


static int
ngx_http_ticketing_json_array(ngx_http_ticketing_json_parser_t *js,
    const char *key, size_t key_len)
{
    ssize_t                     at;
    uint32_t                    elements;
    ngx_http_ticketing_json_t  *arr;

    at = ngx_http_ticketing_json_push(js, NGX_HTTP_TICKETING_JSON_ARRAY, key,
                                      key_len);
    if (at < 0) {
        return -1;
    }

    elements = 0;

    js->p++;
    ngx_http_ticketing_json_ws(js);

    if (js->p < js->end && *js->p == ']') {
        js->p++;
        return 0;
    }

    for ( ;; ) {
        if (ngx_http_ticketing_json_value(js, NULL, 0) != 0) {
            return -1;
        }

        elements++;

        ngx_http_ticketing_json_ws(js);

        if (js->p < js->end && *js->p == ',') {
            js->p++;
            ngx_http_ticketing_json_ws(js);
            continue;
        }

        if (js->p < js->end && *js->p == ']') {
            js->p++;
            break;
        }

        return -1;
    }

    arr = &js->tape->values[at];
    arr->len = elements;
    arr->size = (uint32_t) (js->tape->n - (size_t) at);

    return 0;
}


/* a literal: true, false or null */
static int
ngx_http_ticketing_json_literal(ngx_http_ticketing_json_parser_t *js,
    const char *word, size_t len, uint32_t type, const char *key,
    size_t key_len)
{
    if ((size_t) (js->end - js->p) < len || memcmp(js->p, word, len) != 0) {
        return -1;
    }

    js->p += len;

    return ngx_http_ticketing_json_push(js, type, key, key_len) < 0 ? -1 : 0;
}


static int
ngx_http_ticketing_json_value(ngx_http_ticketing_json_parser_t *js,
    const char *key, size_t key_len)
{
    int       rc;
    char     *s;
    size_t    len;
    ssize_t   i;

    if (++js->depth > NGX_HTTP_TICKETING_JSON_DEPTH || js->p == js->end) {
        return -1;
    }

    switch (*js->p) {

    case '{':
        rc = ngx_http_ticketing_json_object(js, key, key_len);
        break;

    case '[':
        rc = ngx_http_ticketing_json_array(js, key, key_len);
        break;

    case '"':
        rc = ngx_http_ticketing_json_string(js, &s, &len);
        if (rc != 0) {
            break;
        }

        i = ngx_http_ticketing_json_push(js, NGX_HTTP_TICKETING_JSON_STRING,
                                         key, key_len);
        if (i < 0) {
            rc = -1;
            break;
        }

        js->tape->values[i].str = s;
        js->tape->values[i].len = (uint32_t) len;
        break;

    case 't':
        rc = ngx_http_ticketing_json_literal(js, "true", 4,
                                             NGX_HTTP_TICKETING_JSON_TRUE,
                                             key, key_len);
        break;

    case 'f':
        rc = ngx_http_ticketing_json_literal(js, "false", 5,
                                             NGX_HTTP_TICKETING_JSON_FALSE,
                                             key, key_len);
        break;

    case 'n':
        rc = ngx_http_ticketing_json_literal(js, "null", 4,
                                             NGX_HTTP_TICKETING_JSON_NULL,
                                             key, key_len);
        break;

    default:
        rc = ngx_http_ticketing_json_number(js, key, key_len);
    }

    /*
     * jansson skips a NUL byte right after a number or a literal (its
     * stream loses a NUL it puts back): not JSON, and libjwt refuses it,
     * so it is refused here, as every other byte out of place.
     */

    js->depth--;

    return rc;
}


int
ngx_http_ticketing_json_parse(ngx_http_ticketing_json_tape_t *tape,
    unsigned char *buf, size_t len)
{
    ngx_http_ticketing_json_parser_t  js;

    tape->values = tape->inline_values;
    tape->n = 0;
    tape->cap = NGX_HTTP_TICKETING_JSON_TAPE_INLINE;

    /* lengths and counts are kept in 32 bits: a token is far shorter */
    if (len > UINT32_MAX / 2) {
        return -1;
    }

    js.p = buf;
    js.end = buf + len;
    js.depth = 0;
    js.tape = tape;

    ngx_http_ticketing_json_ws(&js);

    if (js.p == js.end || *js.p != '{'
        || ngx_http_ticketing_json_value(&js, NULL, 0) != 0)
    {
        return -1;
    }

    ngx_http_ticketing_json_ws(&js);

    return js.p == js.end ? 0 : -1;
}


void
ngx_http_ticketing_json_tape_free(ngx_http_ticketing_json_tape_t *tape)
{
    if (tape->values != tape->inline_values) {
        free(tape->values);
    }

    tape->values = tape->inline_values;
    tape->n = 0;
}


ngx_http_ticketing_json_doc_t *
ngx_http_ticketing_json_keep(const ngx_http_ticketing_json_tape_t *tape,
    const unsigned char *buf, size_t len)
{
    char                           *text;
    size_t                          i, n;
    ngx_http_ticketing_json_t      *v;
    ngx_http_ticketing_json_doc_t  *doc;

    n = tape->n;

    doc = malloc(offsetof(ngx_http_ticketing_json_doc_t, values)
                 + n * sizeof(ngx_http_ticketing_json_t) + len);
    if (doc == NULL) {
        return NULL;
    }

    doc->refs = 1;
    doc->n = n;
    memset(doc->tag, 0, sizeof(doc->tag));

    memcpy(doc->values, tape->values, n * sizeof(ngx_http_ticketing_json_t));

    /* the text after the values; names and strings point into it */
    text = (char *) &doc->values[n];
    memcpy(text, buf, len);

    for (i = 0; i < n; i++) {
        v = &doc->values[i];

        if (v->key != NULL) {
            v->key = text + (v->key - (const char *) buf);
        }

        if (v->str != NULL) {
            v->str = text + (v->str - (const char *) buf);
        }
    }

    return doc;
}


ngx_http_ticketing_json_doc_t *
ngx_http_ticketing_json_load(const char *json, size_t len)
{
    unsigned char                   *buf;
    ngx_http_ticketing_json_tape_t   tape;
    ngx_http_ticketing_json_doc_t   *doc;

    buf = malloc(len + 1);
    if (buf == NULL) {
        return NULL;
    }

    memcpy(buf, json, len);

    doc = NULL;

    if (ngx_http_ticketing_json_parse(&tape, buf, len) == 0) {
        doc = ngx_http_ticketing_json_keep(&tape, buf, len);
    }

    ngx_http_ticketing_json_tape_free(&tape);
    free(buf);

    return doc;
}


ngx_http_ticketing_json_doc_t *
ngx_http_ticketing_json_ref(ngx_http_ticketing_json_doc_t *doc)
{
    if (doc != NULL) {
        doc->refs++;
    }

    return doc;
}


void
ngx_http_ticketing_json_unref(ngx_http_ticketing_json_doc_t *doc)
{
    if (doc != NULL && --doc->refs == 0) {
        free(doc);
    }
}


const ngx_http_ticketing_json_t *
ngx_http_ticketing_json_get(const ngx_http_ticketing_json_t *obj,
    const char *name, size_t len)
{
    const ngx_http_ticketing_json_t  *v, *end;

    if (!ngx_http_ticketing_json_is(obj, OBJECT)) {
        return NULL;
    }

    end = obj + obj->size;

    for (v = ngx_http_ticketing_json_first(obj); v < end;
         v = ngx_http_ticketing_json_next(v))
    {
        if (v->key_len == len && memcmp(v->key, name, len) == 0) {
            return v;
        }
    }

    return NULL;
}
