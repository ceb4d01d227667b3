
/*
 * A small strict JSON checker for the harnesses: RFC 8259 syntax for a
 * flat object whose values are strings or null, which is what every
 * gateway error body is.  Strings are decoded (escapes resolved, UTF-8
 * checked, no raw control character, surrogates only in valid pairs) so a
 * harness can compare a value with what went in.
 *
 * Independent of the module's own escaper on purpose: it is the oracle.
 */


#ifndef _NGX_HTTP_TICKETING_FUZZ_JSON_CHECK_H_INCLUDED_
#define _NGX_HTTP_TICKETING_FUZZ_JSON_CHECK_H_INCLUDED_


#include "harness.h"


#define FUZZ_JSON_MAX_MEMBERS  16


typedef struct {
    const u_char  *key;        /* decoded, in the caller's buffer */
    size_t         key_len;
    const u_char  *value;      /* decoded; NULL for a JSON null */
    size_t         value_len;
} fuzz_json_member_t;


typedef struct {
    const u_char  *p;
    const u_char  *end;
    u_char        *out;        /* decoded strings go here */
} fuzz_json_t;


static inline void
fuzz_json_ws(fuzz_json_t *j)
{
    while (j->p < j->end
           && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n'
               || *j->p == '\r'))
    {
        j->p++;
    }
}


static inline int
fuzz_json_hex4(fuzz_json_t *j, unsigned *v)
{
    int     i;
    u_char  c;

    if (j->end - j->p < 4) {
        return -1;
    }

    *v = 0;

    for (i = 0; i < 4; i++) {
        c = *j->p++;
        *v <<= 4;

        if (c >= '0' && c <= '9') {
            *v |= c - '0';

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            *v |= (c | 0x20) - 'a' + 10;

        } else {
            return -1;
        }
    }

    return 0;
}


static inline void
fuzz_json_put_utf8(fuzz_json_t *j, unsigned c)
{
    if (c < 0x80) {
        *j->out++ = (u_char) c;

    } else if (c < 0x800) {
        *j->out++ = (u_char) (0xc0 | (c >> 6));
        *j->out++ = (u_char) (0x80 | (c & 0x3f));

    } else if (c < 0x10000) {
        *j->out++ = (u_char) (0xe0 | (c >> 12));
        *j->out++ = (u_char) (0x80 | ((c >> 6) & 0x3f));
        *j->out++ = (u_char) (0x80 | (c & 0x3f));

    } else {
        *j->out++ = (u_char) (0xf0 | (c >> 18));
        *j->out++ = (u_char) (0x80 | ((c >> 12) & 0x3f));
        *j->out++ = (u_char) (0x80 | ((c >> 6) & 0x3f));
        *j->out++ = (u_char) (0x80 | (c & 0x3f));
    }
}


/* length of a valid UTF-8 sequence at p (RFC 3629), 0 if invalid */
static inline size_t
fuzz_json_utf8(const u_char *p, const u_char *end)
{
    size_t    n, i;
    unsigned  c, min;

    c = p[0];

    if (c < 0x80) {
        return 1;

    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2; c &= 0x1f; min = 0x80;

    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3; c &= 0x0f; min = 0x800;

    } else if (c >= 0xf0 && c <= 0xf4) {
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

    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }

    return n;
}


/* a string at j->p (on its opening quote); decoded into j->out */
static inline int
fuzz_json_string(fuzz_json_t *j, const u_char **s, size_t *len)
{
    size_t    n;
    u_char    c;
    unsigned  u, lo;

    if (j->p == j->end || *j->p != '"') {
        return -1;
    }

    j->p++;
    *s = j->out;

    for ( ;; ) {
        if (j->p == j->end) {
            return -1;
        }

        c = *j->p;

        if (c == '"') {
            j->p++;
            *len = (size_t) (j->out - *s);
            return 0;
        }

        if (c < 0x20) {
            return -1;              /* raw control characters are invalid */
        }

        if (c != '\\') {
            n = fuzz_json_utf8(j->p, j->end);
            if (n == 0) {
                return -1;
            }
            memcpy(j->out, j->p, n);
            j->out += n;
            j->p += n;
            continue;
        }

        j->p++;
        if (j->p == j->end) {
            return -1;
        }

        c = *j->p++;

        switch (c) {
        case '"':  *j->out++ = '"';  break;
        case '\\': *j->out++ = '\\'; break;
        case '/':  *j->out++ = '/';  break;
        case 'b':  *j->out++ = '\b'; break;
        case 'f':  *j->out++ = '\f'; break;
        case 'n':  *j->out++ = '\n'; break;
        case 'r':  *j->out++ = '\r'; break;
        case 't':  *j->out++ = '\t'; break;

        case 'u':
            if (fuzz_json_hex4(j, &u) != 0) {
                return -1;
            }

            if (u >= 0xdc00 && u <= 0xdfff) {
                return -1;          /* a lone low surrogate */
            }

            if (u >= 0xd800 && u <= 0xdbff) {
                if (j->end - j->p < 2 || j->p[0] != '\\' || j->p[1] != 'u') {
                    return -1;
                }
                j->p += 2;
                if (fuzz_json_hex4(j, &lo) != 0
                    || lo < 0xdc00 || lo > 0xdfff)
                {
                    return -1;
                }
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
            }

            fuzz_json_put_utf8(j, u);
            break;

        default:
            return -1;
        }
    }
}


/*
 * Parses "buf" as one flat JSON object (string or null values) with
 * nothing but whitespace around it.  Decoded strings go to "out", which
 * must hold "len" bytes (decoding never grows a string).  Returns the
 * number of members, or -1 when the text is not such an object.
 */
static inline int
fuzz_json_flat_object(const u_char *buf, size_t len, u_char *out,
    fuzz_json_member_t *m, size_t max)
{
    size_t       n;
    fuzz_json_t  j;

    j.p = buf;
    j.end = buf + len;
    j.out = out;
    n = 0;

    fuzz_json_ws(&j);

    if (j.p == j.end || *j.p++ != '{') {
        return -1;
    }

    fuzz_json_ws(&j);

    if (j.p < j.end && *j.p == '}') {
        j.p++;
        goto done;
    }

    for ( ;; ) {
        if (n == max) {
            return -1;
        }

        fuzz_json_ws(&j);
        if (fuzz_json_string(&j, &m[n].key, &m[n].key_len) != 0) {
            return -1;
        }

        fuzz_json_ws(&j);
        if (j.p == j.end || *j.p++ != ':') {
            return -1;
        }

        fuzz_json_ws(&j);

        if (j.end - j.p >= 4 && memcmp(j.p, "null", 4) == 0) {
            j.p += 4;
            m[n].value = NULL;
            m[n].value_len = 0;

        } else if (fuzz_json_string(&j, &m[n].value, &m[n].value_len) != 0) {
            return -1;
        }

        n++;
        fuzz_json_ws(&j);

        if (j.p == j.end) {
            return -1;
        }

        if (*j.p == ',') {
            j.p++;
            continue;
        }

        if (*j.p++ == '}') {
            break;
        }

        return -1;
    }

done:

    fuzz_json_ws(&j);

    return (j.p == j.end) ? (int) n : -1;
}


/* the member named "key", or NULL */
static inline const fuzz_json_member_t *
fuzz_json_get(const fuzz_json_member_t *m, int n, const char *key)
{
    int  i;

    for (i = 0; i < n; i++) {
        if (m[i].key_len == strlen(key)
            && memcmp(m[i].key, key, m[i].key_len) == 0)
        {
            return &m[i];
        }
    }

    return NULL;
}


#endif /* _NGX_HTTP_TICKETING_FUZZ_JSON_CHECK_H_INCLUDED_ */
