
/*
 * Error bodies of the upstream: classification and safe details.
 *
 * The upstream's message is shown to the client only when it passes every
 * check; when in doubt, the detail is dropped and the client gets the
 * generic code/status/message of the HTTP status.
 */


#define _GNU_SOURCE          /* memmem() */

#include <string.h>
#include <strings.h>
#include <jansson.h>
#include <zlib.h>

#include "ngx_http_ticketing_error.h"
#include "ngx_http_ticketing_errbody.h"


#define NGX_HTTP_TICKETING_ERRBODY_JOIN                                      \
    (2 * NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX)


typedef struct {
    u_char  data[NGX_HTTP_TICKETING_ERRBODY_JOIN];
    size_t  len;
} ngx_http_ticketing_errbody_join_t;


static int ngx_http_ticketing_errbody_is_uniform(json_t *root);
static ngx_http_ticketing_errbody_kind_e ngx_http_ticketing_errbody_uniform(
    json_t *root, const ngx_http_ticketing_error_kind_t *expect,
    u_char *detail, size_t *detail_len);
static int ngx_http_ticketing_errbody_equal(json_t *v, const char *s);
static size_t ngx_http_ticketing_errbody_json_detail(json_t *root,
    ngx_http_ticketing_errbody_kind_e *kind, unsigned http_status,
    u_char *detail);
static void ngx_http_ticketing_errbody_add(
    ngx_http_ticketing_errbody_join_t *j, const char *key, const char *value,
    unsigned http_status);
static size_t ngx_http_ticketing_errbody_html_detail(const u_char *body,
    size_t len, unsigned http_status, u_char *detail);
static size_t ngx_http_ticketing_errbody_checked(const u_char *s, size_t len,
    int html, unsigned http_status, u_char *detail);
static size_t ngx_http_ticketing_errbody_clean_to(const u_char *src,
    size_t len, int html, unsigned glue, u_char *dst, size_t cap,
    unsigned *cut);
static size_t ngx_http_ticketing_errbody_entity(const u_char *p,
    const u_char *end, unsigned *cp);
static int ngx_http_ticketing_errbody_ignorable(unsigned cp);
static size_t ngx_http_ticketing_errbody_utf8(u_char *p, unsigned cp);
static int ngx_http_ticketing_errbody_judge(const u_char *s, size_t len,
    unsigned http_status);
static int ngx_http_ticketing_errbody_mixed(const u_char *s, size_t len);
static int ngx_http_ticketing_ci_contains(const u_char *s, size_t len,
    const char *what);
static int ngx_http_ticketing_has_ipv4(const u_char *s, size_t len);
static int ngx_http_ticketing_has_dashed_ipv4(const u_char *s, size_t len);
static int ngx_http_ticketing_bad_token(const u_char *t, size_t len,
    unsigned http_status);
static int ngx_http_ticketing_has_source_location(const u_char *s,
    size_t len);
static int ngx_http_ticketing_has_ipv6(const u_char *s, size_t len);
static int ngx_http_ticketing_has_sql(const u_char *s, size_t len);
static size_t ngx_http_ticketing_ci_word(const u_char *s, size_t len,
    size_t from, const char *what);
static int ngx_http_ticketing_is_file(const u_char *t, size_t len);
static int ngx_http_ticketing_is_host(const u_char *t, size_t len);
static int ngx_http_ticketing_is_code(const u_char *t, size_t len);
static int ngx_http_ticketing_is_token(const u_char *t, size_t len);
static int ngx_http_ticketing_has_credential(const u_char *s, size_t len);
static unsigned ngx_http_ticketing_credential_word(const u_char *t,
    size_t len, size_t *k);
static int ngx_http_ticketing_is_value(const u_char *t, size_t len);
static int ngx_http_ticketing_is_token68(const u_char *t, size_t len);
static int ngx_http_ticketing_is_secret(const u_char *t, size_t len);
static int ngx_http_ticketing_is_server_name(const u_char *t, size_t len);
static int ngx_http_ticketing_is_number_address(const u_char *t, size_t len,
    unsigned context);
static int ngx_http_ticketing_is_address_word(const u_char *t, size_t len);


/* a folded view that still changes in this round is a leak */
#define NGX_HTTP_TICKETING_ERRBODY_FOLDS  4

/* ngx_http_ticketing_credential_word(): the kinds of words */
#define NGX_HTTP_TICKETING_CRED_NONE    0
#define NGX_HTTP_TICKETING_CRED_WORD    1
#define NGX_HTTP_TICKETING_CRED_SCHEME  2
#define NGX_HTTP_TICKETING_CRED_TOKEN   3

/* ngx_http_ticketing_ci_word(): not found */
#define NGX_HTTP_TICKETING_NO_WORD  ((size_t) -1)

#define ngx_http_ticketing_isdigit(c)  ((c) >= '0' && (c) <= '9')
#define ngx_http_ticketing_isalpha(c)                                        \
    (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'z')
#define ngx_http_ticketing_isalnum(c)                                        \
    (ngx_http_ticketing_isdigit(c) || ngx_http_ticketing_isalpha(c))
#define ngx_http_ticketing_ishex(c)                                          \
    (ngx_http_ticketing_isdigit(c)                                           \
     || (((c) | 0x20) >= 'a' && ((c) | 0x20) <= 'f'))


ngx_http_ticketing_errbody_kind_e
ngx_http_ticketing_errbody_inspect(const u_char *body, size_t len,
    unsigned flags, const ngx_http_ticketing_error_kind_t *expect,
    u_char *detail, size_t *detail_len)
{
    json_t                             *root;
    unsigned                            http_status;
    const u_char                       *p, *end;
    json_error_t                        err;
    ngx_http_ticketing_errbody_kind_e   kind;

    *detail_len = 0;
    http_status = expect->http_status;

    p = body;
    end = body + len;

    /* a UTF-8 byte order mark, then whitespace */
    if (end - p >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        p += 3;
    }

    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
        p++;
    }

    if (p == end) {
        return NGX_HTTP_TICKETING_ERRBODY_EMPTY;
    }

    if (memchr(p, '\0', (size_t) (end - p)) != NULL) {
        return NGX_HTTP_TICKETING_ERRBODY_BINARY;
    }

    if (*p == '{' || *p == '[') {

        if (flags & NGX_HTTP_TICKETING_ERRBODY_TRUNCATED) {
            return NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON;
        }

        root = json_loadb((const char *) p, (size_t) (end - p),
                          JSON_REJECT_DUPLICATES, &err);
        if (root == NULL) {
            return NGX_HTTP_TICKETING_ERRBODY_INVALID_JSON;
        }

        if (ngx_http_ticketing_errbody_is_uniform(root)) {
            kind = ngx_http_ticketing_errbody_uniform(root, expect, detail,
                                                      detail_len);
            json_decref(root);
            return kind;
        }

        *detail_len = ngx_http_ticketing_errbody_json_detail(root, &kind,
                                                             http_status,
                                                             detail);
        json_decref(root);

        /* each part was safe; joined, they must still be ("a:" ":: b") */

        if (*detail_len > 0
            && !ngx_http_ticketing_errbody_safe(detail, *detail_len,
                                                http_status))
        {
            *detail_len = 0;
        }

        return kind;
    }

    if (flags & NGX_HTTP_TICKETING_ERRBODY_TRUNCATED) {
        /* a part of a message may say something other than the whole */
        return (*p == '<' || (flags & NGX_HTTP_TICKETING_ERRBODY_HTML))
               ? NGX_HTTP_TICKETING_ERRBODY_HTML_PAGE
               : NGX_HTTP_TICKETING_ERRBODY_TEXT;
    }

    if (*p == '<' || (flags & NGX_HTTP_TICKETING_ERRBODY_HTML)) {
        *detail_len = ngx_http_ticketing_errbody_html_detail(p,
                                                            (size_t) (end - p),
                                                            http_status,
                                                            detail);
        return NGX_HTTP_TICKETING_ERRBODY_HTML_PAGE;
    }

    *detail_len = ngx_http_ticketing_errbody_checked(p, (size_t) (end - p), 0,
                                                     http_status, detail);

    return NGX_HTTP_TICKETING_ERRBODY_TEXT;
}


const char *
ngx_http_ticketing_errbody_kind_name(ngx_http_ticketing_errbody_kind_e kind)
{
    static const char  *names[] = {
        "empty", "uniform", "uniform rebuilt", "jira", "spring", "json",
        "invalid json", "html", "text", "binary"
    };

    if ((size_t) kind >= sizeof(names) / sizeof(names[0])) {
        return "unknown";
    }

    return names[kind];
}


/*
 * The uniform shape: {"code":s,"status":s,"message":s,"detailMsg":s|null},
 * possibly with more members
 */
static int
ngx_http_ticketing_errbody_is_uniform(json_t *root)
{
    json_t  *d;

    if (!json_is_object(root)) {
        return 0;
    }

    d = json_object_get(root, "detailMsg");

    return json_is_string(json_object_get(root, "code"))
           && json_is_string(json_object_get(root, "status"))
           && json_is_string(json_object_get(root, "message"))
           && (json_is_string(d) || json_is_null(d));
}


/*
 * A body of the uniform shape is UNIFORM only when it is what the gateway
 * itself would send for the status: exactly the four members, the code,
 * status and message of "expect", and a detailMsg that is null or already
 * clean (cleaning leaves it unchanged) and safe.  Otherwise it is rebuilt:
 * other members are dropped, code, status and message are expect's, and
 * the detail is the detailMsg, else the message when it is not expect's
 * (an upstream may put its text there), each only when safe.  Both are
 * serialized again by the caller; the kinds differ only in the logs.
 */
static ngx_http_ticketing_errbody_kind_e
ngx_http_ticketing_errbody_uniform(json_t *root,
    const ngx_http_ticketing_error_kind_t *expect, u_char *detail,
    size_t *detail_len)
{
    size_t       n, len;
    json_t      *d, *m;
    const char  *s;

    d = json_object_get(root, "detailMsg");
    m = json_object_get(root, "message");

    if (json_object_size(root) == 4
        && ngx_http_ticketing_errbody_equal(json_object_get(root, "code"),
                                            expect->code)
        && ngx_http_ticketing_errbody_equal(json_object_get(root, "status"),
                                            expect->status)
        && ngx_http_ticketing_errbody_equal(m, expect->message))
    {
        if (json_is_null(d)) {
            return NGX_HTTP_TICKETING_ERRBODY_UNIFORM;
        }

        s = json_string_value(d);
        len = json_string_length(d);

        n = ngx_http_ticketing_errbody_clean((const u_char *) s, len, 0,
                                             detail);

        if (n == len && memcmp(detail, s, n) == 0
            && ngx_http_ticketing_errbody_safe(detail, n,
                                               expect->http_status))
        {
            *detail_len = n;
            return NGX_HTTP_TICKETING_ERRBODY_UNIFORM;
        }
    }

    *detail_len = 0;

    if (json_is_string(d)) {
        *detail_len = ngx_http_ticketing_errbody_checked(
                                     (const u_char *) json_string_value(d),
                                     json_string_length(d), 0,
                                     expect->http_status, detail);
    }

    if (*detail_len == 0
        && strcasecmp(json_string_value(m), expect->message) != 0)
    {
        *detail_len = ngx_http_ticketing_errbody_checked(
                                     (const u_char *) json_string_value(m),
                                     json_string_length(m), 0,
                                     expect->http_status, detail);
    }

    return NGX_HTTP_TICKETING_ERRBODY_UNIFORM_REBUILT;
}


/* a JSON string equal to s (a string with a NUL inside is never equal) */
static int
ngx_http_ticketing_errbody_equal(json_t *v, const char *s)
{
    size_t  len;

    if (!json_is_string(v)) {
        return 0;
    }

    len = strlen(s);

    return json_string_length(v) == len
           && memcmp(json_string_value(v), s, len) == 0;
}


static size_t
ngx_http_ticketing_errbody_json_detail(json_t *root,
    ngx_http_ticketing_errbody_kind_e *kind, unsigned http_status,
    u_char *detail)
{
    size_t                              i;
    json_t                             *v, *msgs, *errs, *e;
    const char                         *key;
    ngx_http_ticketing_errbody_join_t   j;

    static const char  *keys[] = {
        "detailMsg", "detail", "message", "error_description",
        "errorMessage", "error", "title", NULL
    };

    *kind = NGX_HTTP_TICKETING_ERRBODY_JSON;
    j.len = 0;

    if (!json_is_object(root)) {
        return 0;
    }

    msgs = json_object_get(root, "errorMessages");
    errs = json_object_get(root, "errors");

    if (json_is_array(msgs) || json_is_object(errs)) {

        /* Jira: {"errorMessages":["..."],"errors":{"field":"..."}} */

        *kind = NGX_HTTP_TICKETING_ERRBODY_JIRA;

        json_array_foreach(msgs, i, v) {
            ngx_http_ticketing_errbody_add(&j, NULL, json_string_value(v),
                                           http_status);
        }

        json_object_foreach(errs, key, v) {
            ngx_http_ticketing_errbody_add(&j, key, json_string_value(v),
                                           http_status);
        }

        return ngx_http_ticketing_errbody_checked(j.data, j.len, 0,
                                                  http_status, detail);
    }

    if (json_object_get(root, "timestamp") != NULL
        && json_is_integer(json_object_get(root, "status"))
        && json_is_string(json_object_get(root, "error")))
    {
        /* Spring Boot: only "message"; "path" and "trace" are never used */

        *kind = NGX_HTTP_TICKETING_ERRBODY_SPRING;

        v = json_object_get(root, "message");
        ngx_http_ticketing_errbody_add(&j, NULL, json_string_value(v),
                                       http_status);

        return ngx_http_ticketing_errbody_checked(j.data, j.len, 0,
                                                  http_status, detail);
    }

    /* other shapes: the first message-like string */

    for (i = 0; keys[i] != NULL && j.len == 0; i++) {
        v = json_object_get(root, keys[i]);

        if (json_is_object(v)) {
            /* {"error":{"message":"..."}} */
            e = json_object_get(v, "message");
            ngx_http_ticketing_errbody_add(&j, NULL, json_string_value(e),
                                           http_status);

        } else {
            ngx_http_ticketing_errbody_add(&j, NULL, json_string_value(v),
                                           http_status);
        }
    }

    return ngx_http_ticketing_errbody_checked(j.data, j.len, 0, http_status,
                                              detail);
}


/* appends "key: value" to the joined detail when it is safe */
static void
ngx_http_ticketing_errbody_add(ngx_http_ticketing_errbody_join_t *j,
    const char *key, const char *value, unsigned http_status)
{
    size_t   n, k;
    u_char   part[NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX];
    u_char   name[NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX];

    if (value == NULL || j->len + 3 >= sizeof(j->data)) {
        /* nothing, or no room left: not judged in vain */
        return;
    }

    n = ngx_http_ticketing_errbody_checked((const u_char *) value,
                                           strlen(value), 0, http_status,
                                           part);
    if (n == 0) {
        return;
    }

    k = 0;

    if (key != NULL) {
        k = ngx_http_ticketing_errbody_checked((const u_char *) key,
                                               strlen(key), 0, http_status,
                                               name);
    }

    if (j->len + 2 + k + 2 + n > sizeof(j->data)) {
        return;
    }

    if (j->len > 0) {
        if (j->data[j->len - 1] != '.') {
            j->data[j->len++] = ';';
        }

        j->data[j->len++] = ' ';
    }

    if (k > 0) {
        memcpy(j->data + j->len, name, k);
        j->len += k;
        j->data[j->len++] = ':';
        j->data[j->len++] = ' ';
    }

    memcpy(j->data + j->len, part, n);
    j->len += n;
}


/*
 * The page's <title> only: the rest of a server error page typically names
 * the server software, a host and an address.  Without a title, the text of
 * a 4xx page.
 */
static size_t
ngx_http_ticketing_errbody_html_detail(const u_char *body, size_t len,
    unsigned http_status, u_char *detail)
{
    size_t         i;
    const u_char  *start, *end, *p;

    start = NULL;
    end = NULL;

    for (i = 0; i + 7 <= len; i++) {
        if (body[i] == '<' && strncasecmp((const char *) body + i + 1,
                                          "title", 5) == 0
            && (body[i + 6] == '>' || body[i + 6] == ' '))
        {
            p = memchr(body + i, '>', len - i);
            if (p == NULL) {
                break;
            }

            start = p + 1;
            break;
        }
    }

    if (start != NULL) {
        for (p = start; p + 8 <= body + len; p++) {
            if (strncasecmp((const char *) p, "</title>", 8) == 0) {
                end = p;
                break;
            }
        }

        if (end == NULL) {
            return 0;
        }

        return ngx_http_ticketing_errbody_checked(start,
                                                  (size_t) (end - start), 1,
                                                  http_status, detail);
    }

    if (http_status >= 500) {
        return 0;
    }

    return ngx_http_ticketing_errbody_checked(body, len, 1, http_status,
                                              detail);
}


/*
 * A detail is cleaned and judged whole (a part of a leak that survives a
 * cut is still a leak), then cut and judged again (a prefix may read
 * otherwise: "10.20.30.4000" cut after "10.20.30.40").  A detail too long
 * to judge whole is dropped.  With markup, the text is judged also with
 * the tags and the spaces around them removed: cleaning puts a space for
 * a tag, "10<b></b>.20.30.40" is shown as "10 .20.30.40", and
 * "admin <x>@masmovil.es" as "admin @masmovil.es".
 */
static size_t
ngx_http_ticketing_errbody_checked(const u_char *s, size_t len, int html,
    unsigned http_status, u_char *detail)
{
    size_t    n, o;
    u_char    whole[NGX_HTTP_TICKETING_ERRBODY_JUDGE_MAX];
    unsigned  cut;

    if (memchr(s, '<', len) != NULL) {
        n = ngx_http_ticketing_errbody_clean_to(s, len, html, 1, whole,
                                               sizeof(whole), &cut);

        if (cut || !ngx_http_ticketing_errbody_safe(whole, n, http_status)) {
            return 0;
        }
    }

    n = ngx_http_ticketing_errbody_clean_to(s, len, html, 0, whole,
                                           sizeof(whole), &cut);

    if (cut || n == 0
        || !ngx_http_ticketing_errbody_safe(whole, n, http_status))
    {
        return 0;
    }

    if (n <= NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX) {
        memcpy(detail, whole, n);
        return n;
    }

    /* as clean() cuts: on a character boundary, no space before "..." */

    o = NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX - 3;

    while (o > 0 && (whole[o] & 0xc0) == 0x80) {
        o--;
    }

    while (o > 0 && whole[o - 1] == ' ') {
        o--;
    }

    memcpy(detail, whole, o);
    memcpy(detail + o, "...", 3);
    o += 3;

    if (!ngx_http_ticketing_errbody_safe(detail, o, http_status)) {
        return 0;
    }

    return o;
}


size_t
ngx_http_ticketing_errbody_clean(const u_char *src, size_t len, int html,
    u_char *dst)
{
    size_t    o;
    unsigned  cut;

    /* room for "..." */
    o = ngx_http_ticketing_errbody_clean_to(src, len, html, 0, dst,
                                  NGX_HTTP_TICKETING_ERRBODY_DETAIL_MAX - 3,
                                  &cut);

    if (cut) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }

    return o;
}


/*
 * cleans into dst of cap bytes; *cut is set when the text did not fit;
 * "glue": a tag and the whitespace around it are removed, not a space
 */
static size_t
ngx_http_ticketing_errbody_clean_to(const u_char *src, size_t len, int html,
    unsigned glue, u_char *dst, size_t cap, unsigned *cut)
{
    size_t         n, o, need;
    u_char         utf[4];
    unsigned       cp, space, glued;
    const u_char  *p, *end, *gt;

    p = src;
    end = src + len;
    o = 0;
    space = 0;
    glued = 0;
    *cut = 0;

    while (p < end) {

        /* markup: <tag ...>, </tag>, <!-- -->, <?...?> */

        if (*p == '<' && end - p > 1
            && (ngx_http_ticketing_isalpha(p[1])
                || p[1] == '/' || p[1] == '!' || p[1] == '?'))
        {
            gt = memchr(p, '>', (size_t) (end - p));
            p = (gt == NULL) ? end : gt + 1;
            space = !glue;
            glued = glue;
            continue;
        }

        if (html && *p == '&') {
            n = ngx_http_ticketing_errbody_entity(p, end, &cp);
            if (n == 0) {
                cp = '&';
                n = 1;
            }

        } else {
            n = ngx_http_ticketing_utf8_decode(p, end, &cp);
            if (n == 0) {
                /* invalid UTF-8: dropped */
                p++;
                continue;
            }
        }

        p += n;

        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
            || cp == '\f' || cp == '\v' || cp == 0xa0
            || cp == 0x2028 || cp == 0x2029)
        {
            space = !glued;
            continue;
        }

        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
            || ngx_http_ticketing_errbody_ignorable(cp))
        {
            /* control and invisible (default-ignorable) characters */
            continue;
        }

        n = ngx_http_ticketing_errbody_utf8(utf, cp);

        need = n + ((space && o > 0) ? 1 : 0);

        if (o + need > cap) {
            *cut = 1;
            break;
        }

        if (space && o > 0) {
            dst[o++] = ' ';
        }

        space = 0;
        glued = 0;
        memcpy(dst + o, utf, n);
        o += n;
    }

    return o;
}


/* UTF-8 of cp (at most U+10FFFF) at p: its length */
static size_t
ngx_http_ticketing_errbody_utf8(u_char *p, unsigned cp)
{
    if (cp < 0x80) {
        p[0] = (u_char) cp;
        return 1;
    }

    if (cp < 0x800) {
        p[0] = (u_char) (0xc0 | (cp >> 6));
        p[1] = (u_char) (0x80 | (cp & 0x3f));
        return 2;
    }

    if (cp < 0x10000) {
        p[0] = (u_char) (0xe0 | (cp >> 12));
        p[1] = (u_char) (0x80 | ((cp >> 6) & 0x3f));
        p[2] = (u_char) (0x80 | (cp & 0x3f));
        return 3;
    }

    p[0] = (u_char) (0xf0 | (cp >> 18));
    p[1] = (u_char) (0x80 | ((cp >> 12) & 0x3f));
    p[2] = (u_char) (0x80 | ((cp >> 6) & 0x3f));
    p[3] = (u_char) (0x80 | (cp & 0x3f));
    return 4;
}


/*
 * Unicode's Default_Ignorable_Code_Point property (DerivedCoreProperties):
 * characters that render as nothing, so that "pass<U+00AD>word" reads as
 * "password".
 */
static int
ngx_http_ticketing_errbody_ignorable(unsigned cp)
{
    size_t  i;

    static const unsigned  ranges[][2] = {
        { 0x00ad, 0x00ad }, { 0x034f, 0x034f }, { 0x061c, 0x061c },
        { 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180b, 0x180f },
        { 0x200b, 0x200f }, { 0x202a, 0x202e }, { 0x2060, 0x206f },
        { 0x3164, 0x3164 }, { 0xfe00, 0xfe0f }, { 0xfeff, 0xfeff },
        { 0xffa0, 0xffa0 }, { 0xfff0, 0xfff8 }, { 0x1bca0, 0x1bca3 },
        { 0x1d173, 0x1d17a }, { 0xe0000, 0xe0fff }
    };

    if (cp < 0xad) {
        return 0;
    }

    for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if (cp >= ranges[i][0] && cp <= ranges[i][1]) {
            return 1;
        }
    }

    return 0;
}


/*
 * The folding table: compatibility look-alikes of ASCII, sorted by code
 * point.  A range maps each of its characters to one text (FOLD_TEXT:
 * "" drops it), to a run of ASCII characters (FOLD_RUN: the first one
 * to "to", the next to the character after it, ...) or to a decimal
 * number (FOLD_NUMBER: the first one to the number "base", with "to" after
 * it).  No character folds to more bytes than its UTF-8 takes.
 */

#define NGX_HTTP_TICKETING_FOLD_TEXT    0
#define NGX_HTTP_TICKETING_FOLD_RUN     1
#define NGX_HTTP_TICKETING_FOLD_NUMBER  2

#define ngx_http_ticketing_fold_text(a, b, t)                                \
    { a, b, NGX_HTTP_TICKETING_FOLD_TEXT, 0, t }
#define ngx_http_ticketing_fold_run(a, b, c)                                 \
    { a, b, NGX_HTTP_TICKETING_FOLD_RUN, c, "" }
#define ngx_http_ticketing_fold_number(a, b, n, t)                           \
    { a, b, NGX_HTTP_TICKETING_FOLD_NUMBER, n, t }

/* the decimal digits of a script, from its zero */
#define ngx_http_ticketing_fold_digits(zero)                                 \
    ngx_http_ticketing_fold_run(zero, zero + 9, '0')


typedef struct {
    unsigned     first;
    unsigned     last;
    unsigned     how;
    unsigned     base;
    const char  *to;
} ngx_http_ticketing_fold_t;


static const ngx_http_ticketing_fold_t  ngx_http_ticketing_folds[] = {

    /* Latin-1: no-break space, superscript digits, middle dot */
    ngx_http_ticketing_fold_text(0x00a0, 0x00a0, " "),
    ngx_http_ticketing_fold_text(0x00b2, 0x00b2, "2"),
    ngx_http_ticketing_fold_text(0x00b3, 0x00b3, "3"),
    ngx_http_ticketing_fold_text(0x00b7, 0x00b7, "."),
    ngx_http_ticketing_fold_text(0x00b9, 0x00b9, "1"),

    /* dotless i, long s */
    ngx_http_ticketing_fold_text(0x0131, 0x0131, "i"),
    ngx_http_ticketing_fold_text(0x017f, 0x017f, "s"),

    /* modifier letter triangular colon */
    ngx_http_ticketing_fold_text(0x02d0, 0x02d0, ":"),

    /* combining diacritical marks */
    ngx_http_ticketing_fold_text(0x0300, 0x036f, ""),

    /* Armenian full stop */
    ngx_http_ticketing_fold_text(0x0589, 0x0589, "."),

    /* the digits of scripts (Unicode's Nd) */
    ngx_http_ticketing_fold_digits(0x0660),     /* Arabic-Indic */
    ngx_http_ticketing_fold_text(0x06d4, 0x06d4, "."),   /* Arabic stop */
    ngx_http_ticketing_fold_digits(0x06f0),     /* Extended Arabic-Indic */
    ngx_http_ticketing_fold_digits(0x07c0),     /* NKo */
    ngx_http_ticketing_fold_digits(0x0966),     /* Devanagari */
    ngx_http_ticketing_fold_digits(0x09e6),     /* Bengali */
    ngx_http_ticketing_fold_digits(0x0a66),     /* Gurmukhi */
    ngx_http_ticketing_fold_digits(0x0ae6),     /* Gujarati */
    ngx_http_ticketing_fold_digits(0x0b66),     /* Oriya */
    ngx_http_ticketing_fold_digits(0x0be6),     /* Tamil */
    ngx_http_ticketing_fold_digits(0x0c66),     /* Telugu */
    ngx_http_ticketing_fold_digits(0x0ce6),     /* Kannada */
    ngx_http_ticketing_fold_digits(0x0d66),     /* Malayalam */
    ngx_http_ticketing_fold_digits(0x0de6),     /* Sinhala Lith */
    ngx_http_ticketing_fold_digits(0x0e50),     /* Thai */
    ngx_http_ticketing_fold_digits(0x0ed0),     /* Lao */
    ngx_http_ticketing_fold_digits(0x0f20),     /* Tibetan */
    ngx_http_ticketing_fold_digits(0x1040),     /* Myanmar */
    ngx_http_ticketing_fold_digits(0x1090),     /* Myanmar Shan */
    ngx_http_ticketing_fold_text(0x1680, 0x1680, " "),   /* Ogham space */
    ngx_http_ticketing_fold_digits(0x17e0),     /* Khmer */
    ngx_http_ticketing_fold_digits(0x1810),     /* Mongolian */
    ngx_http_ticketing_fold_digits(0x1946),     /* Limbu */
    ngx_http_ticketing_fold_digits(0x19d0),     /* New Tai Lue */
    ngx_http_ticketing_fold_digits(0x1a80),     /* Tai Tham Hora */
    ngx_http_ticketing_fold_digits(0x1a90),     /* Tai Tham Tham */
    ngx_http_ticketing_fold_text(0x1ab0, 0x1aff, ""),    /* combining */
    ngx_http_ticketing_fold_digits(0x1b50),     /* Balinese */
    ngx_http_ticketing_fold_digits(0x1bb0),     /* Sundanese */
    ngx_http_ticketing_fold_digits(0x1c40),     /* Lepcha */
    ngx_http_ticketing_fold_digits(0x1c50),     /* Ol Chiki */
    ngx_http_ticketing_fold_text(0x1dc0, 0x1dff, ""),    /* combining */

    /* spaces, hyphens, one dot leader, hyphenation point, separators */
    ngx_http_ticketing_fold_text(0x2000, 0x200a, " "),
    ngx_http_ticketing_fold_text(0x2010, 0x2012, "-"),
    ngx_http_ticketing_fold_text(0x2024, 0x2024, "."),
    ngx_http_ticketing_fold_text(0x2027, 0x2027, "."),
    ngx_http_ticketing_fold_text(0x2028, 0x2029, " "),
    ngx_http_ticketing_fold_text(0x202f, 0x202f, " "),
    ngx_http_ticketing_fold_text(0x2043, 0x2043, "-"),   /* hyphen bullet */
    ngx_http_ticketing_fold_text(0x2044, 0x2044, "/"),   /* fraction slash */
    ngx_http_ticketing_fold_text(0x205f, 0x205f, " "),

    /* superscript and subscript digits and letters */
    ngx_http_ticketing_fold_text(0x2070, 0x2070, "0"),
    ngx_http_ticketing_fold_text(0x2071, 0x2071, "i"),
    ngx_http_ticketing_fold_run(0x2074, 0x2079, '4'),
    ngx_http_ticketing_fold_text(0x207f, 0x207f, "n"),
    ngx_http_ticketing_fold_run(0x2080, 0x2089, '0'),
    ngx_http_ticketing_fold_text(0x2090, 0x2090, "a"),
    ngx_http_ticketing_fold_text(0x2091, 0x2091, "e"),
    ngx_http_ticketing_fold_text(0x2092, 0x2092, "o"),
    ngx_http_ticketing_fold_text(0x2093, 0x2093, "x"),
    ngx_http_ticketing_fold_text(0x2095, 0x2095, "h"),
    ngx_http_ticketing_fold_text(0x2096, 0x2096, "k"),
    ngx_http_ticketing_fold_text(0x2097, 0x2097, "l"),
    ngx_http_ticketing_fold_text(0x2098, 0x2098, "m"),
    ngx_http_ticketing_fold_text(0x2099, 0x2099, "n"),
    ngx_http_ticketing_fold_text(0x209a, 0x209a, "p"),
    ngx_http_ticketing_fold_text(0x209b, 0x209b, "s"),
    ngx_http_ticketing_fold_text(0x209c, 0x209c, "t"),

    /* combining marks for symbols */
    ngx_http_ticketing_fold_text(0x20d0, 0x20ff, ""),

    /* letterlike symbols */
    ngx_http_ticketing_fold_text(0x2102, 0x2102, "C"),
    ngx_http_ticketing_fold_text(0x210a, 0x210a, "g"),
    ngx_http_ticketing_fold_text(0x210b, 0x210d, "H"),
    ngx_http_ticketing_fold_text(0x210e, 0x210f, "h"),
    ngx_http_ticketing_fold_text(0x2110, 0x2111, "I"),
    ngx_http_ticketing_fold_text(0x2112, 0x2112, "L"),
    ngx_http_ticketing_fold_text(0x2113, 0x2113, "l"),
    ngx_http_ticketing_fold_text(0x2115, 0x2115, "N"),
    ngx_http_ticketing_fold_text(0x2119, 0x2119, "P"),
    ngx_http_ticketing_fold_text(0x211a, 0x211a, "Q"),
    ngx_http_ticketing_fold_text(0x211b, 0x211d, "R"),
    ngx_http_ticketing_fold_text(0x2124, 0x2124, "Z"),
    ngx_http_ticketing_fold_text(0x2128, 0x2128, "Z"),
    ngx_http_ticketing_fold_text(0x212a, 0x212a, "K"),
    ngx_http_ticketing_fold_text(0x212b, 0x212b, "A"),
    ngx_http_ticketing_fold_text(0x212c, 0x212c, "B"),
    ngx_http_ticketing_fold_text(0x212d, 0x212d, "C"),
    ngx_http_ticketing_fold_text(0x212f, 0x212f, "e"),
    ngx_http_ticketing_fold_text(0x2130, 0x2130, "E"),
    ngx_http_ticketing_fold_text(0x2131, 0x2131, "F"),
    ngx_http_ticketing_fold_text(0x2133, 0x2133, "M"),
    ngx_http_ticketing_fold_text(0x2134, 0x2134, "o"),
    ngx_http_ticketing_fold_text(0x2139, 0x2139, "i"),
    ngx_http_ticketing_fold_text(0x2145, 0x2145, "D"),
    ngx_http_ticketing_fold_text(0x2146, 0x2146, "d"),
    ngx_http_ticketing_fold_text(0x2147, 0x2147, "e"),
    ngx_http_ticketing_fold_text(0x2148, 0x2148, "i"),
    ngx_http_ticketing_fold_text(0x2149, 0x2149, "j"),

    /* Roman numerals (VIII, viii: longer than their UTF-8, kept) */
    ngx_http_ticketing_fold_text(0x2160, 0x2160, "I"),
    ngx_http_ticketing_fold_text(0x2161, 0x2161, "II"),
    ngx_http_ticketing_fold_text(0x2162, 0x2162, "III"),
    ngx_http_ticketing_fold_text(0x2163, 0x2163, "IV"),
    ngx_http_ticketing_fold_text(0x2164, 0x2164, "V"),
    ngx_http_ticketing_fold_text(0x2165, 0x2165, "VI"),
    ngx_http_ticketing_fold_text(0x2166, 0x2166, "VII"),
    ngx_http_ticketing_fold_text(0x2168, 0x2168, "IX"),
    ngx_http_ticketing_fold_text(0x2169, 0x2169, "X"),
    ngx_http_ticketing_fold_text(0x216a, 0x216a, "XI"),
    ngx_http_ticketing_fold_text(0x216b, 0x216b, "XII"),
    ngx_http_ticketing_fold_text(0x216c, 0x216c, "L"),
    ngx_http_ticketing_fold_text(0x216d, 0x216d, "C"),
    ngx_http_ticketing_fold_text(0x216e, 0x216e, "D"),
    ngx_http_ticketing_fold_text(0x216f, 0x216f, "M"),
    ngx_http_ticketing_fold_text(0x2170, 0x2170, "i"),
    ngx_http_ticketing_fold_text(0x2171, 0x2171, "ii"),
    ngx_http_ticketing_fold_text(0x2172, 0x2172, "iii"),
    ngx_http_ticketing_fold_text(0x2173, 0x2173, "iv"),
    ngx_http_ticketing_fold_text(0x2174, 0x2174, "v"),
    ngx_http_ticketing_fold_text(0x2175, 0x2175, "vi"),
    ngx_http_ticketing_fold_text(0x2176, 0x2176, "vii"),
    ngx_http_ticketing_fold_text(0x2178, 0x2178, "ix"),
    ngx_http_ticketing_fold_text(0x2179, 0x2179, "x"),
    ngx_http_ticketing_fold_text(0x217a, 0x217a, "xi"),
    ngx_http_ticketing_fold_text(0x217b, 0x217b, "xii"),
    ngx_http_ticketing_fold_text(0x217c, 0x217c, "l"),
    ngx_http_ticketing_fold_text(0x217d, 0x217d, "c"),
    ngx_http_ticketing_fold_text(0x217e, 0x217e, "d"),
    ngx_http_ticketing_fold_text(0x217f, 0x217f, "m"),

    /* minus sign, division slash, set minus, ratio */
    ngx_http_ticketing_fold_text(0x2212, 0x2212, "-"),
    ngx_http_ticketing_fold_text(0x2215, 0x2215, "/"),
    ngx_http_ticketing_fold_text(0x2216, 0x2216, "\\"),
    ngx_http_ticketing_fold_text(0x2236, 0x2236, ":"),

    /* enclosed alphanumerics: circled, parenthesized, "1." */
    ngx_http_ticketing_fold_number(0x2460, 0x2473, 1, ""),
    ngx_http_ticketing_fold_number(0x2474, 0x2487, 1, ""),
    ngx_http_ticketing_fold_number(0x2488, 0x249b, 1, "."),
    ngx_http_ticketing_fold_run(0x249c, 0x24b5, 'a'),
    ngx_http_ticketing_fold_run(0x24b6, 0x24cf, 'A'),
    ngx_http_ticketing_fold_run(0x24d0, 0x24e9, 'a'),
    ngx_http_ticketing_fold_text(0x24ea, 0x24ea, "0"),
    ngx_http_ticketing_fold_number(0x24eb, 0x24f4, 11, ""),
    ngx_http_ticketing_fold_number(0x24f5, 0x24fe, 1, ""),
    ngx_http_ticketing_fold_text(0x24ff, 0x24ff, "0"),

    /* box drawing diagonal */
    ngx_http_ticketing_fold_text(0x2571, 0x2571, "/"),

    /* dingbat circled digits */
    ngx_http_ticketing_fold_number(0x2776, 0x277f, 1, ""),
    ngx_http_ticketing_fold_number(0x2780, 0x2789, 1, ""),
    ngx_http_ticketing_fold_number(0x278a, 0x2793, 1, ""),

    /* solidus and reverse solidus look-alikes */
    ngx_http_ticketing_fold_text(0x29f5, 0x29f5, "\\"),
    ngx_http_ticketing_fold_text(0x29f8, 0x29f8, "/"),
    ngx_http_ticketing_fold_text(0x29f9, 0x29f9, "\\"),

    /* word separator middle dot */
    ngx_http_ticketing_fold_text(0x2e31, 0x2e31, "."),

    /* ideographic space and full stop */
    ngx_http_ticketing_fold_text(0x3000, 0x3000, " "),
    ngx_http_ticketing_fold_text(0x3002, 0x3002, "."),

    /* circled numbers 21 to 35, 36 to 50 */
    ngx_http_ticketing_fold_number(0x3251, 0x325f, 21, ""),
    ngx_http_ticketing_fold_number(0x32b1, 0x32bf, 36, ""),

    /* Lisu tone mya ti (a dot); more digits */
    ngx_http_ticketing_fold_text(0xa4f8, 0xa4f8, "."),
    ngx_http_ticketing_fold_digits(0xa620),     /* Vai */
    ngx_http_ticketing_fold_text(0xa789, 0xa789, ":"),   /* modifier colon */
    ngx_http_ticketing_fold_digits(0xa8d0),     /* Saurashtra */
    ngx_http_ticketing_fold_digits(0xa900),     /* Kayah Li */
    ngx_http_ticketing_fold_digits(0xa9d0),     /* Javanese */
    ngx_http_ticketing_fold_digits(0xa9f0),     /* Myanmar Tai Laing */
    ngx_http_ticketing_fold_digits(0xaa50),     /* Cham */
    ngx_http_ticketing_fold_digits(0xabf0),     /* Meetei Mayek */

    /* vertical forms, combining half marks, small form variants */
    ngx_http_ticketing_fold_text(0xfe13, 0xfe13, ":"),
    ngx_http_ticketing_fold_text(0xfe20, 0xfe2f, ""),
    ngx_http_ticketing_fold_text(0xfe52, 0xfe52, "."),
    ngx_http_ticketing_fold_text(0xfe55, 0xfe55, ":"),
    ngx_http_ticketing_fold_text(0xfe63, 0xfe63, "-"),
    ngx_http_ticketing_fold_text(0xfe68, 0xfe68, "\\"),
    ngx_http_ticketing_fold_text(0xfe6b, 0xfe6b, "@"),

    /* full-width ASCII, halfwidth ideographic full stop */
    ngx_http_ticketing_fold_run(0xff01, 0xff5e, '!'),
    ngx_http_ticketing_fold_text(0xff61, 0xff61, "."),

    /* digit full stop, digit comma; enclosed capital letters */
    ngx_http_ticketing_fold_text(0x1f100, 0x1f100, "0."),
    ngx_http_ticketing_fold_number(0x1f101, 0x1f10a, 0, ","),
    ngx_http_ticketing_fold_text(0x1f10b, 0x1f10c, "0"),
    ngx_http_ticketing_fold_run(0x1f110, 0x1f129, 'A'),
    ngx_http_ticketing_fold_run(0x1f130, 0x1f149, 'A'),
    ngx_http_ticketing_fold_run(0x1f150, 0x1f169, 'A'),
    ngx_http_ticketing_fold_run(0x1f170, 0x1f189, 'A'),

    /* segmented digits */
    ngx_http_ticketing_fold_digits(0x1fbf0)
};


/*
 * One round of folding: percent escapes (%2E) and HTML character
 * references (&#46; &period; &amp;) decoded; defanged dots ("[.]", "(.)",
 * "[dot]", "(dot)") to "."; whitespace to a space;
 * control and ignorable characters dropped; mathematical letters and
 * digits (U+1D400 to U+1D7FF) folded to ASCII, and every character of the
 * folding table above (combining marks dropped, look-alikes of spaces,
 * dots, "@", "/", ":", digits and letters folded).  Never longer than the
 * input.
 */
size_t
ngx_http_ticketing_errbody_fold(const u_char *src, size_t len, u_char *dst)
{
    u_char                            close;
    size_t                            n, o, lo, hi, mid;
    unsigned                          cp, v;
    const u_char                     *p, *end;
    const ngx_http_ticketing_fold_t  *f;

    p = src;
    end = src + len;
    o = 0;

    while (p < end) {

        if (*p == '[' || *p == '(') {
            close = (*p == '[') ? ']' : ')';

            if (end - p >= 3 && p[1] == '.' && p[2] == close) {
                dst[o++] = '.';
                p += 3;
                continue;
            }

            if (end - p >= 5 && p[4] == close
                && strncasecmp((const char *) p + 1, "dot", 3) == 0)
            {
                dst[o++] = '.';
                p += 5;
                continue;
            }
        }

        if (*p == '%' && end - p >= 3
            && ngx_http_ticketing_ishex(p[1])
            && ngx_http_ticketing_ishex(p[2]))
        {
            /* a byte: it may start a UTF-8 sequence the next round reads */
            dst[o++] = (u_char)
                (((ngx_http_ticketing_isdigit(p[1])
                   ? p[1] - '0' : (p[1] | 0x20) - 'a' + 10) << 4)
                 | (ngx_http_ticketing_isdigit(p[2])
                    ? p[2] - '0' : (p[2] | 0x20) - 'a' + 10));
            p += 3;
            continue;
        }

        n = 0;

        if (*p == '&') {
            n = ngx_http_ticketing_errbody_entity(p, end, &cp);
        }

        if (n == 0) {
            n = ngx_http_ticketing_utf8_decode(p, end, &cp);

            if (n == 0) {
                /* not UTF-8 (yet): as it is */
                dst[o++] = *p++;
                continue;
            }
        }

        p += n;

        if (cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f'
            || cp == '\v')
        {
            dst[o++] = ' ';
            continue;
        }

        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)
            || ngx_http_ticketing_errbody_ignorable(cp))
        {
            continue;
        }

        if (cp >= 0x1d400 && cp <= 0x1d6a3) {
            /* 13 alphabets of 52 letters: bold A-Z a-z, italic, ... */
            cp = (cp - 0x1d400) % 52;
            dst[o++] = (u_char) ((cp < 26) ? 'A' + cp : 'a' + cp - 26);
            continue;
        }

        if (cp >= 0x1d7ce && cp <= 0x1d7ff) {
            dst[o++] = (u_char) ('0' + (cp - 0x1d7ce) % 10);
            continue;
        }

        f = NULL;

        if (cp >= 0xa0) {
            lo = 0;
            hi = sizeof(ngx_http_ticketing_folds)
                 / sizeof(ngx_http_ticketing_fold_t);

            while (lo < hi) {
                mid = lo + (hi - lo) / 2;

                if (cp < ngx_http_ticketing_folds[mid].first) {
                    hi = mid;

                } else if (cp > ngx_http_ticketing_folds[mid].last) {
                    lo = mid + 1;

                } else {
                    f = &ngx_http_ticketing_folds[mid];
                    break;
                }
            }
        }

        if (f == NULL) {
            o += ngx_http_ticketing_errbody_utf8(dst + o, cp);
            continue;
        }

        switch (f->how) {

        case NGX_HTTP_TICKETING_FOLD_RUN:
            dst[o++] = (u_char) (f->base + (cp - f->first));
            break;

        case NGX_HTTP_TICKETING_FOLD_NUMBER:
            v = f->base + (cp - f->first);

            if (v >= 10) {
                dst[o++] = (u_char) ('0' + v / 10);
            }

            dst[o++] = (u_char) ('0' + v % 10);
            n = strlen(f->to);
            memcpy(dst + o, f->to, n);
            o += n;
            break;

        default: /* NGX_HTTP_TICKETING_FOLD_TEXT */
            n = strlen(f->to);
            memcpy(dst + o, f->to, n);
            o += n;
        }
    }

    return o;
}


/*
 * The detail as it is and its folded view, folded until nothing changes,
 * are each judged; a view that still changes after a few rounds is
 * dropped, and so is a word that mixes scripts.
 */
int
ngx_http_ticketing_errbody_safe(const u_char *s, size_t len,
    unsigned http_status)
{
    size_t         n, i;
    u_char         buf[2][NGX_HTTP_TICKETING_ERRBODY_JUDGE_MAX];
    const u_char  *cur;

    if (len > NGX_HTTP_TICKETING_ERRBODY_JUDGE_MAX) {
        /* too long to judge */
        return 0;
    }

    cur = s;

    for (i = 0; /* void */ ; i++) {
        if (!ngx_http_ticketing_errbody_judge(cur, len, http_status)) {
            return 0;
        }

        if (i == NGX_HTTP_TICKETING_ERRBODY_FOLDS) {
            return 0;
        }

        n = ngx_http_ticketing_errbody_fold(cur, len, buf[i & 1]);

        if (n == len && memcmp(buf[i & 1], cur, n) == 0) {
            break;
        }

        cur = buf[i & 1];
        len = n;
    }

    return !ngx_http_ticketing_errbody_mixed(cur, len);
}


/*
 * Look-alikes of other scripts: a word (between spaces) that has an ASCII
 * letter and a letter of an alphabet with Latin look-alikes (Greek,
 * Cyrillic, Armenian, Cherokee) or a phonetic or small-capital letter
 * (IPA, Phonetic Extensions): "p<U+0430>ssword".  The API's details are
 * Spanish or English, Latin; a word wholly in another script is that
 * language's word and stays.
 */
static int
ngx_http_ticketing_errbody_mixed(const u_char *s, size_t len)
{
    size_t         i, n;
    unsigned       cp, latin, other;
    const u_char  *p, *end;

    static const unsigned  ranges[][2] = {
        { 0x0250, 0x02af },     /* IPA Extensions */
        { 0x0370, 0x03ff },     /* Greek and Coptic */
        { 0x0400, 0x052f },     /* Cyrillic, Cyrillic Supplement */
        { 0x0531, 0x058f },     /* Armenian */
        { 0x13a0, 0x13ff },     /* Cherokee */
        { 0x1c80, 0x1c8f },     /* Cyrillic Extended-C */
        { 0x1d00, 0x1dbf },     /* Phonetic Extensions */
        { 0x1f00, 0x1fff },     /* Greek Extended */
        { 0x2de0, 0x2dff },     /* Cyrillic Extended-A */
        { 0xa640, 0xa69f },     /* Cyrillic Extended-B */
        { 0xab70, 0xabbf }      /* Cherokee Supplement */
    };

    p = s;
    end = s + len;
    latin = 0;
    other = 0;

    while (p < end) {
        n = ngx_http_ticketing_utf8_decode(p, end, &cp);

        if (n == 0) {
            p++;
            continue;
        }

        p += n;

        if (cp == ' ') {
            latin = 0;
            other = 0;
            continue;
        }

        if (cp < 0x80) {
            latin |= ngx_http_ticketing_isalpha(cp);

        } else {
            for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
                if (cp >= ranges[i][0] && cp <= ranges[i][1]) {
                    other = 1;
                    break;
                }
            }
        }

        if (latin && other) {
            return 1;
        }
    }

    return 0;
}


/* the classifier proper, on one view of the detail */
static int
ngx_http_ticketing_errbody_judge(const u_char *s, size_t len,
    unsigned http_status)
{
    size_t         i;
    unsigned       context;
    const u_char  *t, *end;

    static const char  *always[] = {

        /* stack traces */
        "exception", "traceback", "caused by", "stack trace", "stacktrace",
        "backtrace", "goroutine", "panic:", "native method",
        "unknown source",

        /* URLs, local addresses */
        "://", "jdbc:", "localhost",

        /* credentials and tokens, SSH key material */
        "password", "passwd", "secret", "bearer ", "private key",
        "-----begin", "authorization:", "access_token", "refresh_token",
        "id_token", "api_key", "apikey", "api-key", "token=", "jsessionid",
        "passphrase", "ssh-rsa", "ssh-dss", "ssh-ed25519",
        "ecdsa-sha2-", "aaaab3nzac1", "aaaac3nzac1", "aaaae2vjzhnh",

        /* databases */
        "sql", "insert into", "delete from", "drop table", "select *",
        "relation \"", "constraint \"", "deadlock", "lock wait timeout",
        "table '", "table \"", "table `", "syntax error at or near",
        "unique constraint", "foreign key constraint", "duplicate entry",
        "integrity constraint", "could not connect to server",

        /* name resolution and sockets */
        "connection refused", "getaddrinfo", "enotfound", "econnrefused",
        "econnreset", "etimedout", "ehostunreach", "enetunreach",
        "eai_again",

        NULL
    };

    static const char  *server[] = {
        "ora-", "errno", "segmentation", "null pointer",
        "nullpointer", "undefined method", "undefined index",
        "syntax error", "internal", NULL
    };

    for (i = 0; always[i] != NULL; i++) {
        if (ngx_http_ticketing_ci_contains(s, len, always[i])) {
            return 0;
        }
    }

    if (ngx_http_ticketing_has_ipv4(s, len)
        || ngx_http_ticketing_has_dashed_ipv4(s, len)
        || ngx_http_ticketing_has_ipv6(s, len)
        || ngx_http_ticketing_has_source_location(s, len)
        || ngx_http_ticketing_has_sql(s, len)
        || ngx_http_ticketing_has_credential(s, len))
    {
        return 0;
    }

    if (http_status >= 500) {
        for (i = 0; server[i] != NULL; i++) {
            if (ngx_http_ticketing_ci_contains(s, len, server[i])) {
                return 0;
            }
        }

        if (memchr(s, '@', len) != NULL
            || memchr(s, '/', len) != NULL
            || memchr(s, '\\', len) != NULL)
        {
            return 0;
        }
    }

    /* word by word: addresses, paths, host and class names, tokens */

    end = s + len;
    t = s;
    context = 0;

    while (t < end) {
        while (t < end && *t == ' ') {
            t++;
        }

        for (i = 0; t + i < end && t[i] != ' '; i++) {
            /* void */
        }

        if (i == 0) {
            break;
        }

        if (ngx_http_ticketing_bad_token(t, i, http_status)
            || ngx_http_ticketing_is_number_address(t, i, context))
        {
            return 0;
        }

        /* "connect to 2130706433": a number in the 3 words after */

        if (ngx_http_ticketing_is_address_word(t, i)) {
            context = 3;

        } else if (context > 0) {
            context--;
        }

        t += i;
    }

    return 1;
}


static int
ngx_http_ticketing_bad_token(const u_char *t, size_t len,
    unsigned http_status)
{
    int     letters;
    size_t  i;

    /* leading and trailing punctuation: (x), "x", 'x', [x], x., x, x; */

    while (len > 0 && strchr("([{\"'`<", t[0]) != NULL) {
        t++;
        len--;
    }

    while (len > 0 && strchr(")]}\"'`>.,;:!?", t[len - 1]) != NULL) {
        len--;
    }

    if (len == 0) {
        return 0;
    }

    /* file paths: /x/y, ~/x, C:\x, C:/x, x\y, x/y.ext */

    if (t[0] == '/' && memchr(t + 1, '/', len - 1) != NULL) {
        return 1;
    }

    if (len >= 2 && t[0] == '~' && t[1] == '/') {
        return 1;
    }

    if (len >= 3 && ngx_http_ticketing_isalpha(t[0]) && t[1] == ':'
        && (t[2] == '\\' || t[2] == '/'))
    {
        return 1;
    }

    if (memchr(t, '\\', len) != NULL) {
        return 1;
    }

    if (ngx_http_ticketing_is_file(t, len)) {
        return 1;
    }

    /* host names, host:port, e-mail addresses, user:password@host */

    if (ngx_http_ticketing_is_host(t, len)
        || ngx_http_ticketing_is_server_name(t, len))
    {
        return 1;
    }

    /* stack frames and class names: a.b.c(...), java.lang.X */

    if (ngx_http_ticketing_is_code(t, len)) {
        return 1;
    }

    /* tokens: a JWT, a long random-looking string */

    if (ngx_http_ticketing_is_token(t, len)) {
        return 1;
    }

    if (http_status < 500) {
        return 0;
    }

    /* 5xx: host names, class names (a.b with a letter after the dot) */

    letters = 0;

    for (i = 0; i < len; i++) {
        if (ngx_http_ticketing_isalpha(t[i])) {
            letters = 1;
            break;
        }
    }

    for (i = 1; i + 1 < len; i++) {
        if (t[i] == '.' && ngx_http_ticketing_isalnum(t[i - 1])
            && ngx_http_ticketing_isalpha(t[i + 1])
            && i + 2 < len && ngx_http_ticketing_isalnum(t[i + 2]))
        {
            return 1;
        }

        /* host:port (a time such as 10:30 has no letter) */
        if (t[i] == ':' && ngx_http_ticketing_isalnum(t[i - 1])
            && ngx_http_ticketing_isdigit(t[i + 1]) && letters)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * A file name: a path with a file at its end (src/main/App.java), or a
 * name whose extension is that of source, configuration or key files.
 */
static int
ngx_http_ticketing_is_file(const u_char *t, size_t len)
{
    size_t  i, dot, n;

    static const char  *exts[] = {
        "java", "class", "jar", "war", "py", "pyc", "go", "rb", "php",
        "cs", "kt", "scala", "pl", "sh", "yml", "yaml", "properties",
        "conf", "cfg", "ini", "env", "pem", "jks", "p12", "pfx", "crt",
        "sql", "db", "sqlite", NULL
    };

    dot = len;

    for (i = len; i > 0; i--) {
        if (t[i - 1] == '.') {
            dot = i - 1;
            break;
        }

        if (!ngx_http_ticketing_isalnum(t[i - 1])) {
            return 0;
        }
    }

    if (dot == len || dot == 0 || dot + 1 == len
        || !ngx_http_ticketing_isalpha(t[dot + 1]) || len - dot - 1 > 10)
    {
        return 0;
    }

    if (memchr(t, '/', dot) != NULL) {
        return 1;
    }

    n = len - dot - 1;

    for (i = 0; exts[i] != NULL; i++) {
        if (strlen(exts[i]) == n
            && strncasecmp((const char *) t + dot + 1, exts[i], n) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * An internal host name (a label that ends the name or comes before a
 * ":port" or "/path": *.internal, *.local, *.svc, ...); a host:port, whose
 * host starts with a letter (a time or a date does not) and has a ".",
 * "-" or "_" or whose port is a common service port ("Ticket:12345" is
 * not one); an e-mail address (a@b.c); credentials in a URL
 * (user:password@host).
 */
static int
ngx_http_ticketing_is_host(const u_char *t, size_t len)
{
    int     sep;
    size_t  i, j, n, digits, port;
    u_char  c;

    static const size_t  ports[] = {
        80, 443, 1433, 1521, 2181, 3000, 3306, 5000, 5432, 5672, 6379,
        8000, 8080, 8081, 8443, 8888, 9000, 9092, 9200, 9300, 11211,
        27017, 0
    };

    static const char  *internal[] = {
        ".internal", ".local", ".localdomain", ".lan", ".corp", ".intranet",
        ".intra", ".svc", ".cluster", ".home.arpa", ".private", ".pod",
        ".compute", ".amazonaws", NULL
    };

    for (i = 1; i < len; i++) {
        if (t[i] != '.' || !ngx_http_ticketing_isalnum(t[i - 1])) {
            continue;
        }

        for (j = 0; internal[j] != NULL; j++) {
            n = strlen(internal[j]);

            if (i + n > len
                || strncasecmp((const char *) t + i, internal[j], n) != 0)
            {
                continue;
            }

            c = (i + n < len) ? t[i + n] : '\0';

            if (c == '\0' || c == ':' || c == '/' || c == '.'
                || c == ')' || c == ']')
            {
                return 1;
            }
        }
    }

    /* host:port */

    if (ngx_http_ticketing_isalpha(t[0])) {
        sep = 0;

        for (i = 1; i < len; i++) {
            if (t[i] == '.' || t[i] == '-' || t[i] == '_') {
                sep = 1;

            } else if (!ngx_http_ticketing_isalnum(t[i])) {
                break;
            }
        }

        if (i >= 2 && i < len && t[i] == ':') {
            port = 0;

            for (j = i + 1, digits = 0;
                 j < len && ngx_http_ticketing_isdigit(t[j]);
                 j++, digits++)
            {
                port = port * 10 + (t[j] - '0');
            }

            if (digits >= 2 && digits <= 5 && (j == len || t[j] == '/')) {
                for (n = 0; ports[n] != 0 && ports[n] != port; n++) {
                    /* void */
                }

                if (sep || ports[n] != 0) {
                    return 1;
                }
            }
        }
    }

    /* a@b.c, user:password@host */

    for (i = 1; i + 1 < len; i++) {
        if (t[i] != '@') {
            continue;
        }

        if (memchr(t, ':', i) != NULL) {
            return 1;
        }

        if (!ngx_http_ticketing_isalnum(t[i - 1])) {
            continue;
        }

        for (j = i + 2; j + 1 < len; j++) {
            if (t[j] == '.' && ngx_http_ticketing_isalpha(t[j + 1])) {
                return 1;
            }
        }
    }

    return 0;
}


/*
 * A stack frame "a.b.c(" (a qualified name called), or a class of the
 * Java platform and of its common frameworks.
 */
static int
ngx_http_ticketing_is_code(const u_char *t, size_t len)
{
    size_t  i, j, dots;

    static const char  *roots[] = {
        "java.", "javax.", "jakarta.", "sun.", "jdk.", "kotlin.",
        "scala.", "org.springframework.", "org.hibernate.", "org.apache.",
        "io.netty.", "com.fasterxml.", "com.sun.", NULL
    };

    for (i = 0; roots[i] != NULL; i++) {
        j = strlen(roots[i]);

        if (len > j && strncmp((const char *) t, roots[i], j) == 0
            && ngx_http_ticketing_isalpha(t[j]))
        {
            return 1;
        }
    }

    for (i = 1; i < len; i++) {
        if (t[i] != '(') {
            continue;
        }

        dots = 0;

        for (j = i; j > 0; j--) {
            if (t[j - 1] == '.') {
                dots++;

            } else if (!ngx_http_ticketing_isalnum(t[j - 1])
                       && t[j - 1] != '_' && t[j - 1] != '$')
            {
                break;
            }
        }

        if (dots >= 2) {
            return 1;
        }
    }

    return 0;
}


/*
 * A JWT ("eyJ" and at least 8 more base64url characters), or a run of at
 * least 32 base64 characters with an upper-case letter, a lower-case
 * letter and a digit (API keys, session ids, secrets; a UUID or a hex
 * digest has no upper-case letter, a word no digit).
 */
static int
ngx_http_ticketing_is_token(const u_char *t, size_t len)
{
    int     upper, lower, digit;
    size_t  i, j, n, run;
    u_char  c;

    /*
     * keys and tokens of known services by their prefix, then at least
     * "min" characters of [A-Za-z0-9_-] ("exact": exactly, upper-case
     * letters and digits only)
     */

    static const struct {
        const char  *prefix;
        size_t       min;
        unsigned     exact;
    } keys[] = {
        { "AKIA", 16, 1 }, { "ASIA", 16, 1 },     /* AWS access key ids */
        { "AIza", 35, 0 },                         /* Google API keys */
        { "xoxa-", 4, 0 }, { "xoxb-", 4, 0 }, { "xoxp-", 4, 0 },
        { "xoxo-", 4, 0 }, { "xoxs-", 4, 0 }, { "xoxr-", 4, 0 },
        { "ghp_", 20, 0 }, { "gho_", 20, 0 }, { "ghu_", 20, 0 },
        { "ghs_", 20, 0 }, { "ghr_", 20, 0 }, { "github_pat_", 20, 0 },
        { "glpat-", 16, 0 }, { "sk_live_", 10, 0 }, { "rk_live_", 10, 0 },
        { "sk_test_", 10, 0 }, { NULL, 0, 0 }
    };

    for (i = 0; i < len; i++) {
        if (i > 0 && ngx_http_ticketing_isalnum(t[i - 1])) {
            continue;
        }

        for (j = 0; keys[j].prefix != NULL; j++) {
            n = strlen(keys[j].prefix);

            if (i + n > len
                || strncmp((const char *) t + i, keys[j].prefix, n) != 0)
            {
                continue;
            }

            for (run = 0; i + n + run < len; run++) {
                c = t[i + n + run];

                if (keys[j].exact
                    ? !(ngx_http_ticketing_isdigit(c)
                        || (c >= 'A' && c <= 'Z'))
                    : !(ngx_http_ticketing_isalnum(c)
                        || c == '_' || c == '-'))
                {
                    break;
                }
            }

            if (keys[j].exact
                ? (run == keys[j].min
                   && (i + n + run == len
                       || !ngx_http_ticketing_isalnum(t[i + n + run])))
                : run >= keys[j].min)
            {
                return 1;
            }
        }
    }

    for (i = 0; i + 11 <= len; i++) {
        if (t[i] == 'e' && t[i + 1] == 'y' && t[i + 2] == 'J'
            && (i == 0 || !ngx_http_ticketing_isalnum(t[i - 1])))
        {
            for (run = 3; i + run < len; run++) {
                c = t[i + run];
                if (!ngx_http_ticketing_isalnum(c) && c != '-' && c != '_') {
                    break;
                }
            }

            if (run >= 11) {
                return 1;
            }
        }
    }

    run = 0;
    upper = 0;
    lower = 0;
    digit = 0;

    for (i = 0; i <= len; i++) {
        c = (i < len) ? t[i] : ' ';

        if (ngx_http_ticketing_isalnum(c) || c == '+' || c == '/'
            || c == '=' || c == '_')
        {
            run++;
            upper |= (c >= 'A' && c <= 'Z');
            lower |= (c >= 'a' && c <= 'z');
            digit |= ngx_http_ticketing_isdigit(c);
            continue;
        }

        if (run >= 32 && upper && lower && digit) {
            return 1;
        }

        run = 0;
        upper = 0;
        lower = 0;
        digit = 0;
    }

    return 0;
}


/*
 * Credentials with their value, word by word:
 *  - a credential word ("pass", "pin", "credentials", "Passwort",
 *    "contrase<U+00F1>a", ...) followed by ":" or "=" ("pwd=123", "pass:
 *    1234"), by a value-looking word (letters and digits: "pass Hunter2",
 *    "credenciales admin/Hunter2"), or within the next 3 words by a word
 *    ending in ":" or "=" and a value-looking word ("Passwort falsch:
 *    Hunter2"); "pwd" alone too;
 *  - an authentication scheme ("Basic", "Bearer", "Digest", "NTLM",
 *    "Negotiate") followed by a token68 of 8 or more characters with a digit
 *    or "=" ("Basic YWRtaW46aHVudGVyMg==");
 *  - "token", "*-token" or "*_token" ("X-Auth-Token:") followed by a run of
 *    12 or more letters, digits, "-" or "_" with a digit.
 * "Contrase<U+00F1>a incorrecta", "pass the ticket to QA", "the token has
 * expired" pass.
 */
static int
ngx_http_ticketing_has_credential(const u_char *s, size_t len)
{
    size_t         i, n, k, wn[5];
    unsigned       kind;
    const u_char  *w[5], *p, *end;

    if (ngx_http_ticketing_ci_word(s, len, 0, "pwd")
        != NGX_HTTP_TICKETING_NO_WORD)
    {
        return 1;
    }

    /* a window of 5 words: the word judged and the 4 after it */

    p = s;
    end = s + len;
    n = 0;

    for ( ;; ) {
        while (n < 5 && p < end) {
            while (p < end && *p == ' ') {
                p++;
            }

            if (p == end) {
                break;
            }

            w[n] = p;

            while (p < end && *p != ' ') {
                p++;
            }

            wn[n] = (size_t) (p - w[n]);
            n++;
        }

        if (n == 0) {
            return 0;
        }

        kind = ngx_http_ticketing_credential_word(w[0], wn[0], &k);

        if (kind == NGX_HTTP_TICKETING_CRED_WORD) {

            /* "pass:", "pass=", "pass :" */

            if ((k < wn[0] && (w[0][k] == ':' || w[0][k] == '='))
                || (n > 1 && (w[1][0] == ':' || w[1][0] == '=')))
            {
                return 1;
            }

            if (n > 1 && ngx_http_ticketing_is_value(w[1], wn[1])) {
                return 1;
            }

            for (i = 1; i + 1 < n && i <= 3; i++) {
                if ((w[i][wn[i] - 1] == ':' || w[i][wn[i] - 1] == '=')
                    && ngx_http_ticketing_is_value(w[i + 1], wn[i + 1]))
                {
                    return 1;
                }
            }

        } else if (kind == NGX_HTTP_TICKETING_CRED_SCHEME) {

            if (n > 1 && ngx_http_ticketing_is_token68(w[1], wn[1])) {
                return 1;
            }

        } else if (kind == NGX_HTTP_TICKETING_CRED_TOKEN) {

            i = (n > 1 && wn[1] == 1
                 && (w[1][0] == ':' || w[1][0] == '=')) ? 2 : 1;

            if (k < wn[0] && (w[0][k] == ':' || w[0][k] == '=')
                && k + 1 < wn[0])
            {
                /* "session_token=0123456789abcdef" */
                if (ngx_http_ticketing_is_secret(w[0] + k + 1,
                                                 wn[0] - k - 1))
                {
                    return 1;
                }

            } else if (i < n && ngx_http_ticketing_is_secret(w[i], wn[i])) {
                return 1;
            }
        }

        /* the window moves on by a word */

        for (i = 1; i < n; i++) {
            w[i - 1] = w[i];
            wn[i - 1] = wn[i];
        }

        n--;
    }
}


/*
 * The kind of the word t: a credential word, an authentication scheme, a
 * token's name, or none; *k is set to the length of the name in t (after
 * leading punctuation)
 */
static unsigned
ngx_http_ticketing_credential_word(const u_char *t, size_t len, size_t *k)
{
    size_t  i, n, skip;

    static const struct {
        const char  *word;
        unsigned     prefix;    /* any word that starts with it */
        unsigned     kind;
    } words[] = {
        { "pass", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "password", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "passwd", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "passwort", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "pw", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "passcode", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "pin", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "pincode", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "creds", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "credential", 1, NGX_HTTP_TICKETING_CRED_WORD },
        { "credencial", 1, NGX_HTTP_TICKETING_CRED_WORD },
        { "contrase", 1, NGX_HTTP_TICKETING_CRED_WORD },
        { "clave", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "senha", 0, NGX_HTTP_TICKETING_CRED_WORD },
        { "basic", 0, NGX_HTTP_TICKETING_CRED_SCHEME },
        { "bearer", 0, NGX_HTTP_TICKETING_CRED_SCHEME },
        { "digest", 0, NGX_HTTP_TICKETING_CRED_SCHEME },
        { "ntlm", 0, NGX_HTTP_TICKETING_CRED_SCHEME },
        { "negotiate", 0, NGX_HTTP_TICKETING_CRED_SCHEME },
        { "token", 0, NGX_HTTP_TICKETING_CRED_TOKEN },
        { NULL, 0, 0 }
    };

    for (skip = 0; skip < len && strchr("([{\"'`<", t[skip]) != NULL;
         skip++)
    {
        /* void */
    }

    t += skip;
    len -= skip;

    for (n = 0; n < len && ngx_http_ticketing_isalpha(t[n]); n++) {
        /* void */
    }

    for (i = 0; words[i].word != NULL; i++) {
        if (strlen(words[i].word) > n
            || strncasecmp((const char *) t, words[i].word,
                           strlen(words[i].word)) != 0)
        {
            continue;
        }

        if (words[i].prefix) {
            /* the rest of the word: letters, UTF-8 too ("contrase<U+00F1>a") */
            while (n < len && (ngx_http_ticketing_isalpha(t[n])
                               || t[n] >= 0x80))
            {
                n++;
            }

        } else if (strlen(words[i].word) != n) {
            continue;
        }

        *k = skip + n;
        return words[i].kind;
    }

    /* "X-Auth-Token", "session_token" */

    for (n = 0; n < len && (ngx_http_ticketing_isalnum(t[n]) || t[n] == '-'
                            || t[n] == '_');
         n++)
    {
        /* void */
    }

    if (n > 6 && (t[n - 6] == '-' || t[n - 6] == '_')
        && strncasecmp((const char *) t + n - 5, "token", 5) == 0)
    {
        *k = skip + n;
        return NGX_HTTP_TICKETING_CRED_TOKEN;
    }

    return NGX_HTTP_TICKETING_CRED_NONE;
}


/*
 * A value: a word, without its quotes and trailing punctuation, with a
 * letter and a digit ("Hunter2", "admin/Hunter2"), not a ticket key
 * ("INST-7902")
 */
static int
ngx_http_ticketing_is_value(const u_char *t, size_t len)
{
    int     letter, digit;
    size_t  i;

    while (len > 0 && strchr("([{\"'`<", t[0]) != NULL) {
        t++;
        len--;
    }

    while (len > 0 && strchr(")]}\"'`>.,;:!?", t[len - 1]) != NULL) {
        len--;
    }

    letter = 0;
    digit = 0;

    for (i = 0; i < len; i++) {
        letter |= ngx_http_ticketing_isalpha(t[i]);
        digit |= ngx_http_ticketing_isdigit(t[i]);
    }

    if (!letter || !digit) {
        return 0;
    }

    /* a ticket key: upper-case letters and digits, "-", digits */

    for (i = 0; i < len && ((t[i] >= 'A' && t[i] <= 'Z')
                            || ngx_http_ticketing_isdigit(t[i]));
         i++)
    {
        /* void */
    }

    if (i > 0 && i + 1 < len && t[i] == '-') {
        for (i++; i < len && ngx_http_ticketing_isdigit(t[i]); i++) {
            /* void */
        }

        if (i == len) {
            return 0;
        }
    }

    return 1;
}


/*
 * An authentication scheme's credentials: a token68 of 8 or more
 * characters with a digit or "=" ("YWRtaW46aHVudGVyMg==",
 * "username=admin")
 */
static int
ngx_http_ticketing_is_token68(const u_char *t, size_t len)
{
    int     mark;
    size_t  i;

    while (len > 0 && strchr(",;\"'", t[len - 1]) != NULL) {
        len--;
    }

    if (len < 8) {
        return 0;
    }

    mark = 0;

    for (i = 0; i < len; i++) {
        if (ngx_http_ticketing_isdigit(t[i]) || t[i] == '=') {
            mark = 1;

        } else if (!ngx_http_ticketing_isalpha(t[i])
                   && strchr("-._~+/\"", t[i]) == NULL)
        {
            return 0;
        }
    }

    return mark;
}


/* a secret: 12 or more letters, digits, "-" or "_", with a digit */
static int
ngx_http_ticketing_is_secret(const u_char *t, size_t len)
{
    int     digit;
    size_t  i;

    while (len > 0 && strchr("\"'", t[0]) != NULL) {
        t++;
        len--;
    }

    while (len > 0 && strchr(")]}\"'.,;!?", t[len - 1]) != NULL) {
        len--;
    }

    if (len < 12) {
        return 0;
    }

    digit = 0;

    for (i = 0; i < len; i++) {
        if (ngx_http_ticketing_isdigit(t[i])) {
            digit = 1;

        } else if (!ngx_http_ticketing_isalpha(t[i])
                   && t[i] != '-' && t[i] != '_')
        {
            return 0;
        }
    }

    return digit;
}


/*
 * A server's name: lower-case labels joined by "-", the last one a
 * number, one of them a word of roles or environments: "jira-prod-01",
 * "srv-jira-01", "db-3".  Ticket keys are upper-case ("INST-7902"); a
 * name without such a word ("utf-8", "es-419") is not one.
 */
static int
ngx_http_ticketing_is_server_name(const u_char *t, size_t len)
{
    int     role;
    size_t  i, start, n, k, labels;

    static const char  *roles[] = {
        "prod", "prd", "preprod", "stg", "staging", "uat", "db", "srv",
        "server", "node", "worker", "host", "vm", "k8s", "kube", "mysql",
        "pg", "postgres", "mongo", "redis", "kafka", "elastic", "rabbit",
        "broker", "lb", "proxy", "dc", "nfs", "ldap", "smtp", NULL
    };

    if (len < 3 || !(t[0] >= 'a' && t[0] <= 'z')) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if (!((t[i] >= 'a' && t[i] <= 'z')
              || ngx_http_ticketing_isdigit(t[i]) || t[i] == '-'))
        {
            return 0;
        }
    }

    /* the last label: digits */

    for (i = len; i > 0 && ngx_http_ticketing_isdigit(t[i - 1]); i--) {
        /* void */
    }

    if (i == len || i == 0 || t[i - 1] != '-') {
        return 0;
    }

    /* the other labels: one is a role */

    role = 0;
    labels = 0;
    start = 0;

    for (n = 0; n < i; n++) {
        if (t[n] != '-') {
            continue;
        }

        labels++;

        for (k = 0; roles[k] != NULL; k++) {
            if (strlen(roles[k]) == n - start
                && strncmp((const char *) t + start, roles[k], n - start)
                   == 0)
            {
                role = 1;
            }
        }

        start = n + 1;
    }

    return role && labels > 0;
}


/*
 * Numbers that are addresses: "127.1" and the other short forms of the
 * loopback; dotted forms with a hex group ("0x7f.1") or four groups with
 * an octal one ("0177.0.0.1"); "0x" and 6 or more hex digits (an address
 * or a pointer); and in the words after an address word ("context"), a
 * number of 8 or more digits ("connect to 2130706433") or of 2 or 3
 * dotted groups.  A date ("15.01.2024") or a version is none of these.
 */
static int
ngx_http_ticketing_is_number_address(const u_char *t, size_t len,
    unsigned context)
{
    int     hex, octal;
    size_t  i, groups, digits;

    while (len > 0 && strchr("([{\"'`<", t[0]) != NULL) {
        t++;
        len--;
    }

    while (len > 0 && strchr(")]}\"'`>.,;:!?", t[len - 1]) != NULL) {
        len--;
    }

    /* groups of digits or of 0x-hex, separated by dots */

    groups = 0;
    digits = 0;
    hex = 0;
    octal = 0;
    i = 0;

    while (i < len) {
        digits = 0;

        if (i + 2 < len && t[i] == '0' && (t[i + 1] | 0x20) == 'x'
            && ngx_http_ticketing_ishex(t[i + 2]))
        {
            hex = 1;

            for (i += 2; i < len && ngx_http_ticketing_ishex(t[i]); i++) {
                digits++;
            }

        } else {
            if (i + 1 < len && t[i] == '0'
                && ngx_http_ticketing_isdigit(t[i + 1]))
            {
                octal = 1;
            }

            for ( /* void */ ; i < len && ngx_http_ticketing_isdigit(t[i]);
                 i++)
            {
                digits++;
            }
        }

        if (digits == 0 || (i < len && (t[i] != '.' || groups == 3))) {
            return 0;
        }

        groups++;

        if (i < len) {
            i++;

            if (i == len) {
                return 0;
            }
        }
    }

    if (groups == 0) {
        return 0;
    }

    if (groups == 1) {
        return (hex && digits >= 6)                  /* 0x0a141e28 */
               || (context && !hex && digits >= 8);  /* 2130706433 */
    }

    return hex || (octal && groups == 4) || context
           || (len > 4 && strncmp((const char *) t, "127.", 4) == 0);
}


/* a word after which a number may be an address */
static int
ngx_http_ticketing_is_address_word(const u_char *t, size_t len)
{
    size_t  i, n;

    /* a prefix of the word, or the word ("=" at the end) */

    static const char  *words[] = {
        "connect", "conect", "conexi", "host", "address", "addr=",
        "direcci", "server", "servidor", "socket", "resolv", "upstream",
        "proxy", "peer", "endpoint", "ip=", "dns=", NULL
    };

    while (len > 0 && !ngx_http_ticketing_isalpha(t[len - 1])) {
        len--;
    }

    for (i = 0; words[i] != NULL; i++) {
        n = strlen(words[i]);

        if (words[i][n - 1] == '=') {
            if (len == n - 1
                && strncasecmp((const char *) t, words[i], n - 1) == 0)
            {
                return 1;
            }

            continue;
        }

        if (len >= n && strncasecmp((const char *) t, words[i], n) == 0) {
            return 1;
        }
    }

    return 0;
}


/*
 * IPv6: a run of hex digits, colons and dots, not inside a word, with at
 * least two colons and "::", a hex letter or a group of 4 (a time such as
 * 10:30:45.123 has none), anywhere in the text: "[fd00::1]:8080",
 * "(fe80::1%eth0)".
 */
static int
ngx_http_ticketing_has_ipv6(const u_char *s, size_t len)
{
    int     letters, dcolon, longgroup, dot;
    size_t  i, start, colons, hexlen, hexdigits, dots;

    colons = 0;
    dots = 0;
    hexlen = 0;
    hexdigits = 0;
    letters = 0;
    dcolon = 0;
    longgroup = 0;
    dot = 0;

    for (i = 0; i <= len; i++) {

        if (i < len && s[i] == ':') {
            if (hexlen == 4 && !dot) {
                longgroup = 1;
            }

            colons++;

            if (i > 0 && s[i - 1] == ':') {
                dcolon = 1;
            }

            hexlen = 0;
            dot = 0;
            continue;
        }

        if (i < len && ngx_http_ticketing_ishex(s[i])) {
            if (!ngx_http_ticketing_isdigit(s[i])) {
                letters = 1;
            }

            hexlen++;
            hexdigits++;
            continue;
        }

        if (i < len && s[i] == '.') {
            dot = 1;
            dots++;
            continue;
        }

        /* the end of a run: it counts when no letter or digit is around */

        if (hexlen == 4 && !dot) {
            longgroup = 1;
        }

        start = i - (colons + hexdigits + dots);

        if (colons >= 2 && hexdigits > 0 && (dcolon || letters || longgroup)
            && (start == 0 || !ngx_http_ticketing_isalnum(s[start - 1]))
            && (i == len || !ngx_http_ticketing_isalnum(s[i])))
        {
            return 1;
        }

        colons = 0;
        dots = 0;
        hexlen = 0;
        hexdigits = 0;
        letters = 0;
        dcolon = 0;
        longgroup = 0;
        dot = 0;
    }

    return 0;
}


/*
 * Database errors and SQL: "ORA-00942", and a statement: SELECT ... FROM
 * ... followed by WHERE, JOIN, ORDER BY, GROUP BY or LIMIT, or UPDATE ...
 * SET ... WHERE.
 */
static int
ngx_http_ticketing_has_sql(const u_char *s, size_t len)
{
    size_t  i, p;

    static const char  *after[] = { "where", "join", "order by", "group by",
                                    "limit", NULL };

    for (i = 0; i + 5 <= len; i++) {
        if (strncasecmp((const char *) s + i, "ora-", 4) == 0
            && ngx_http_ticketing_isdigit(s[i + 4]))
        {
            return 1;
        }
    }

    p = ngx_http_ticketing_ci_word(s, len, 0, "select");

    if (p != NGX_HTTP_TICKETING_NO_WORD) {
        p = ngx_http_ticketing_ci_word(s, len, p, "from");

        if (p != NGX_HTTP_TICKETING_NO_WORD) {
            for (i = 0; after[i] != NULL; i++) {
                if (ngx_http_ticketing_ci_word(s, len, p, after[i])
                    != NGX_HTTP_TICKETING_NO_WORD)
                {
                    return 1;
                }
            }
        }
    }

    p = ngx_http_ticketing_ci_word(s, len, 0, "update");

    if (p != NGX_HTTP_TICKETING_NO_WORD) {
        p = ngx_http_ticketing_ci_word(s, len, p, "set");

        if (p != NGX_HTTP_TICKETING_NO_WORD
            && ngx_http_ticketing_ci_word(s, len, p, "where")
               != NGX_HTTP_TICKETING_NO_WORD)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * The end of the first whole word "what" in s from "from", or
 * NGX_HTTP_TICKETING_NO_WORD
 */
static size_t
ngx_http_ticketing_ci_word(const u_char *s, size_t len, size_t from,
    const char *what)
{
    size_t  i, n;

    n = strlen(what);

    for (i = from; i + n <= len; i++) {
        if ((i > 0 && ngx_http_ticketing_isalnum(s[i - 1]))
            || (i + n < len && ngx_http_ticketing_isalnum(s[i + n])))
        {
            continue;
        }

        if (strncasecmp((const char *) s + i, what, n) == 0) {
            return i + n;
        }
    }

    return NGX_HTTP_TICKETING_NO_WORD;
}


/*
 * d.d.d.d with 1-3 digits each; spaces may come before a dot, and then
 * after it ("10 .20.30.40", "10 . 20 . 30 . 40", not the list "1. 2. 3. 4")
 */
static int
ngx_http_ticketing_has_ipv4(const u_char *s, size_t len)
{
    size_t  i, j, k, digits, groups;

    for (i = 0; i < len; i++) {
        if (!ngx_http_ticketing_isdigit(s[i])
            || (i > 0 && ngx_http_ticketing_isdigit(s[i - 1])))
        {
            continue;
        }

        groups = 0;
        j = i;

        for ( ;; ) {
            digits = 0;
            while (j < len && ngx_http_ticketing_isdigit(s[j])) {
                digits++;
                j++;
            }

            if (digits == 0 || digits > 3) {
                break;
            }

            groups++;

            if (groups == 4) {
                return 1;
            }

            for (k = j; k < len && s[k] == ' '; k++) {
                /* void */
            }

            if (k >= len || s[k] != '.') {
                break;
            }

            j = k + 1;

            if (k > 0 && s[k - 1] == ' ') {
                while (j < len && s[j] == ' ') {
                    j++;
                }
            }
        }
    }

    return 0;
}



/*
 * An IPv4 address written with dashes, as in the host names of clouds and
 * clusters: "ip-10-0-1-23", "10-20-30-40.ticketing.pod".  Exactly four
 * groups of 1-3 digits, each at most 255, not part of a longer run of
 * dashed numbers (a phone number, "1-2-3-4-5").
 */
static int
ngx_http_ticketing_has_dashed_ipv4(const u_char *s, size_t len)
{
    size_t    i, j, digits, groups;
    unsigned  v;

    for (i = 0; i < len; i++) {
        if (!ngx_http_ticketing_isdigit(s[i])
            || (i > 0 && ngx_http_ticketing_isdigit(s[i - 1]))
            || (i > 1 && s[i - 1] == '-'
                && ngx_http_ticketing_isdigit(s[i - 2])))
        {
            continue;
        }

        groups = 0;
        j = i;

        for ( ;; ) {
            digits = 0;
            v = 0;

            while (j < len && ngx_http_ticketing_isdigit(s[j])) {
                v = v * 10 + (s[j] - '0');
                digits++;
                j++;

                if (digits > 3) {
                    break;
                }
            }

            if (digits == 0 || digits > 3 || v > 255) {
                break;
            }

            groups++;

            if (groups == 4) {
                if (j + 1 < len && s[j] == '-'
                    && ngx_http_ticketing_isdigit(s[j + 1]))
                {
                    break;
                }

                return 1;
            }

            if (j >= len || s[j] != '-') {
                break;
            }

            j++;
        }
    }

    return 0;
}

/* "File.java:214", "app.py\", line 3", "main.go:12" */
static int
ngx_http_ticketing_has_source_location(const u_char *s, size_t len)
{
    size_t  i, j;

    for (i = 0; i < len; i++) {
        if (s[i] != '.') {
            continue;
        }

        for (j = i + 1; j < len && ngx_http_ticketing_isalpha(s[j]); j++) {
            /* void */
        }

        if (j == i + 1 || j - i - 1 > 6) {
            continue;
        }

        if (j + 1 < len && s[j] == ':' && ngx_http_ticketing_isdigit(s[j + 1]))
        {
            return 1;
        }

        if (j + 7 <= len && strncmp((const char *) s + j, "\", line", 7) == 0) {
            return 1;
        }
    }

    return 0;
}


static int
ngx_http_ticketing_ci_contains(const u_char *s, size_t len, const char *what)
{
    size_t  i, n;
    u_char  c;

    n = strlen(what);
    c = (u_char) (what[0] | 0x20);

    for (i = 0; i + n <= len; i++) {

        /* the first byte, case-folded the same way for every byte */
        if ((u_char) (s[i] | 0x20) != c) {
            continue;
        }

        if (strncasecmp((const char *) s + i, what, n) == 0) {
            return 1;
        }
    }

    return 0;
}


/* an HTML character reference at p: its length, or 0 */
static size_t
ngx_http_ticketing_errbody_entity(const u_char *p, const u_char *end,
    unsigned *cp)
{
    size_t         i, n;
    unsigned       v, base;
    const u_char  *semi;

    static const struct {
        const char  *name;
        unsigned     cp;
    } named[] = {
        { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
        { "apos", '\'' }, { "nbsp", 0xa0 }, { "commat", '@' },
        { "period", '.' }, { "colon", ':' }, { "sol", '/' },
        { "bsol", '\\' }, { "percnt", '%' }, { "num", '#' },
        { "lowbar", '_' }, { "equals", '=' }, { "plus", '+' },
        { "dash", 0x2010 }, { "hyphen", 0x2010 }, { "semi", ';' },
        { "comma", ',' }, { "excl", '!' }, { "quest", '?' },
        { "lpar", '(' }, { "rpar", ')' }, { "lsqb", '[' }, { "rsqb", ']' },
        { "lbrack", '[' }, { "rbrack", ']' }, { "shy", 0xad },
        { "NewLine", '\n' }, { "Tab", '\t' }, { NULL, 0 }
    };

    n = (size_t) (end - p) < 12 ? (size_t) (end - p) : 12;

    semi = memchr(p, ';', n);
    if (semi == NULL || semi - p < 2) {
        return 0;
    }

    n = (size_t) (semi - p) - 1;    /* between '&' and ';' */

    if (p[1] != '#') {
        for (i = 0; named[i].name != NULL; i++) {
            if (strlen(named[i].name) == n
                && strncmp((const char *) p + 1, named[i].name, n) == 0)
            {
                *cp = named[i].cp;
                return n + 2;
            }
        }

        return 0;
    }

    i = 2;
    base = 10;

    if (i < n + 1 && (p[i] == 'x' || p[i] == 'X')) {
        base = 16;
        i++;
    }

    if (i == n + 1) {
        return 0;
    }

    v = 0;

    for ( /* void */ ; i < n + 1; i++) {
        if (base == 10 && ngx_http_ticketing_isdigit(p[i])) {
            v = v * 10 + (p[i] - '0');

        } else if (base == 16 && ngx_http_ticketing_ishex(p[i])) {
            v = v * 16 + (ngx_http_ticketing_isdigit(p[i])
                          ? (unsigned) (p[i] - '0')
                          : (unsigned) ((p[i] | 0x20) - 'a' + 10));

        } else {
            return 0;
        }

        if (v > 0x10ffff) {
            return 0;
        }
    }

    if (v == 0 || (v >= 0xd800 && v <= 0xdfff)) {
        return 0;
    }

    *cp = v;

    return n + 2;
}


const char *
ngx_http_ticketing_errbody_nginx_detail(unsigned http_status)
{
    switch (http_status) {

    case 400:
        return "the request is malformed";
    case 401:
        return "authentication is required";
    case 403:
        return "access is denied";
    case 404:
        return "no resource at this path";
    case 405:
        return "the method is not allowed here";
    case 408:
        return "the request was not received in time";
    case 411:
        return "the request needs a Content-Length";
    case 413:
        return "the request body is larger than allowed";
    case 414:
        return "the request URI is too long";
    case 416:
        return "the requested range cannot be satisfied";
    case 429:
        return "too many requests";
    case 431:
    case 494:
        return "the request headers are too large";
    case 500:
        return "the gateway failed to process the request";
    case 501:
        return "the request uses a feature the gateway does not implement";
    case 502:
        return "the upstream service could not be reached or answered "
               "invalidly";
    case 503:
        return "the service is temporarily unavailable";
    case 504:
        return "the upstream service did not answer in time";
    case 505:
        return "the HTTP version is not supported";
    }

    return NULL;
}


ssize_t
ngx_http_ticketing_errbody_gunzip(const u_char *in, size_t len, u_char *out,
    size_t size, int *complete)
{
    int       rc;
    size_t    n;
    z_stream  z;

    *complete = 0;

    memset(&z, 0, sizeof(z_stream));

    /* 16 + MAX_WBITS: gzip framing only */
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        return -1;
    }

    z.next_in = (Bytef *) in;
    z.avail_in = (uInt) len;
    z.next_out = out;
    z.avail_out = (uInt) size;

    rc = inflate(&z, Z_FINISH);

    n = size - z.avail_out;

    inflateEnd(&z);

    if (rc == Z_STREAM_END) {
        *complete = 1;
        return (ssize_t) n;
    }

    if (rc == Z_BUF_ERROR || rc == Z_OK) {
        /* cut short: input ended, or output is full */
        return (ssize_t) n;
    }

    return n > 0 ? (ssize_t) n : -1;
}
