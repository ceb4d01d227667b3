
/*
 * The request rules of the Ticketing API v2 reference: required and
 * exclusive query parameters, JSON bodies, Content-Type.
 *
 * Pure logic: this file includes no nginx header (it uses jansson).
 */


#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "ngx_http_ticketing_route.h"
#include "ngx_http_ticketing_rules.h"


#define NGX_HTTP_TICKETING_QUERY_NAMES  4

/* a query parameter name longer than this is never one we look at */
#define NGX_HTTP_TICKETING_QUERY_NAME_MAX  32


typedef struct {
    const char                   *names[NGX_HTTP_TICKETING_QUERY_NAMES + 1];
    unsigned                      seen[NGX_HTTP_TICKETING_QUERY_NAMES];
    unsigned                      present[NGX_HTTP_TICKETING_QUERY_NAMES];
} ngx_http_ticketing_query_watch_t;


typedef struct {
    const u_char                 *p;
    size_t                        len;
} ngx_http_ticketing_mem_t;


/* what a body field must be: a JSON type (optional field) or one of these */
#define NGX_HTTP_TICKETING_FIELD_STRING   0x100    /* a string, required */
#define NGX_HTTP_TICKETING_FIELD_OBJECT   0x101    /* an object, required */
#define NGX_HTTP_TICKETING_FIELD_BASE64   0x102    /* that string: base64 */


typedef struct {
    ngx_http_ticketing_body_rule_e  body;
    const char                     *name;
    const char                     *path;      /* in messages */
    unsigned                        check;
    unsigned                        nested:1;  /* in the last OBJECT's */
} ngx_http_ticketing_field_t;


/* the fields each body holds (the API reference), checked in this order */
static const ngx_http_ticketing_field_t  ngx_http_ticketing_fields[] = {

#define F(body, name, check)                                                  \
    { NGX_HTTP_TICKETING_BODY_ ## body, name, name,                           \
      NGX_HTTP_TICKETING_FIELD_ ## check, 0 }
#define MAY(body, name, type)                                                 \
    { NGX_HTTP_TICKETING_BODY_ ## body, name, name, JSON_ ## type, 0 }
#define IN(body, name, path)                                                  \
    { NGX_HTTP_TICKETING_BODY_ ## body, name, path,                           \
      NGX_HTTP_TICKETING_FIELD_STRING, 1 }

    F(TICKET_CREATE, "project", STRING),
    F(TICKET_CREATE, "ticketType", STRING),
    F(TICKET_CREATE, "summary", STRING),
    MAY(TICKET_CREATE, "description", STRING),
    MAY(TICKET_CREATE, "components", ARRAY),
    MAY(TICKET_CREATE, "customFields", OBJECT),

    MAY(TICKET_UPDATE, "customFields", OBJECT),

    MAY(TICKET_SEARCH, "startAt", INTEGER),
    MAY(TICKET_SEARCH, "maxResults", INTEGER),
    MAY(TICKET_SEARCH, "fields", ARRAY),
    MAY(TICKET_SEARCH, "orderby", OBJECT),

    MAY(TRANSITION, "customFields", OBJECT),

    F(COMMENT, "body", STRING),

    F(ATTACHMENT, "name", STRING),
    F(ATTACHMENT, "data", STRING),
    MAY(ATTACHMENT, "mimeType", STRING),
    F(ATTACHMENT, "data", BASE64),

    F(ISSUE_LINK, "type", OBJECT),
    IN(ISSUE_LINK, "name", "type.name"),
    F(ISSUE_LINK, "inwardIssue", OBJECT),
    IN(ISSUE_LINK, "key", "inwardIssue.key"),
    F(ISSUE_LINK, "outwardIssue", OBJECT),
    IN(ISSUE_LINK, "key", "outwardIssue.key"),

#undef F
#undef MAY
#undef IN
};


static const char *ngx_http_ticketing_query_names(
    ngx_http_ticketing_query_watch_t *w, char *list, size_t size);
static unsigned ngx_http_ticketing_query_scan(
    ngx_http_ticketing_query_watch_t *w, const u_char *args, size_t len,
    char *detail, size_t size);
static const char *ngx_http_ticketing_json_reason(const json_error_t *err);
static unsigned ngx_http_ticketing_fail(char *detail, size_t size,
    const char *fmt, const char *a, const char *b);
static unsigned ngx_http_ticketing_body_rules(
    ngx_http_ticketing_body_rule_e body, json_t *root, char *detail,
    size_t size);
static unsigned ngx_http_ticketing_field(const ngx_http_ticketing_field_t *f,
    json_t *obj, json_t **object, char *detail, size_t size);
static unsigned ngx_http_ticketing_need_string(json_t *obj, const char *name,
    const char *path, char *detail, size_t size);
static unsigned ngx_http_ticketing_need_object(json_t *obj, const char *name,
    const char *path, json_t **out, char *detail, size_t size);
static unsigned ngx_http_ticketing_may_be(json_t *obj, const char *name,
    json_type type, const char *what, char *detail, size_t size);
static size_t ngx_http_ticketing_mem_read(void *buf, size_t len, void *data);
static int ngx_http_ticketing_ci_prefix(const u_char *p, const u_char *end,
    const char *s);


static unsigned
ngx_http_ticketing_query_scan(ngx_http_ticketing_query_watch_t *w,
    const u_char *args, size_t len, char *detail, size_t size)
{
    size_t                          k;
    ssize_t                         name_len, value_len;
    const u_char                   *p, *end;
    ngx_http_ticketing_query_arg_t  arg;
    u_char                          name[NGX_HTTP_TICKETING_QUERY_NAME_MAX];

    p = args;
    end = args + len;

    while (ngx_http_ticketing_query_next(&p, end, &arg) == 0) {

        name_len = ngx_http_ticketing_query_decode(arg.name.data,
                                                   arg.name.len, name,
                                                   sizeof(name));
        value_len = ngx_http_ticketing_query_decode(arg.value.data,
                                                    arg.value.len, NULL, 0);

        if (name_len < 0 || value_len < 0) {
            return ngx_http_ticketing_fail(detail, size,
                             "malformed percent-encoding in the query string",
                             NULL, NULL);
        }

        for (k = 0; w->names[k] != NULL; k++) {
            if ((size_t) name_len == strlen(w->names[k])
                && memcmp(name, w->names[k], name_len) == 0)
            {
                if (++w->seen[k] > 1) {
                    return ngx_http_ticketing_fail(detail, size,
                                          "query parameter %s is repeated",
                                          w->names[k], NULL);
                }

                w->present[k] = value_len > 0;
                break;
            }
        }
    }

    return 0;
}


/* "a, b, c": the names a query rule looks at, for its messages */
static const char *
ngx_http_ticketing_query_names(ngx_http_ticketing_query_watch_t *w,
    char *list, size_t size)
{
    char    *p, *end;
    size_t   k;

    p = list;
    end = list + size;
    *p = '\0';

    for (k = 0; w->names[k] != NULL && p < end; k++) {
        p += snprintf(p, end - p, "%s%s", k ? ", " : "", w->names[k]);
    }

    return list;
}


unsigned
ngx_http_ticketing_rules_query(unsigned op, const u_char *args, size_t len,
    char *detail, size_t size)
{
    unsigned                               rc, n, k;
    ngx_http_ticketing_query_watch_t       w;
    const ngx_http_ticketing_operation_t  *o;
    char                                   list[160];

    o = ngx_http_ticketing_operation(op);

    if (o == NULL || o->query == NGX_HTTP_TICKETING_QUERY_FREE) {
        return 0;
    }

    memset(&w, 0, sizeof(w));

    for (k = 0; o->query_names[k] != NULL; k++) {
        if (k == NGX_HTTP_TICKETING_QUERY_NAMES) {
            return 0;
        }

        w.names[k] = o->query_names[k];
    }

    rc = ngx_http_ticketing_query_scan(&w, args, len, detail, size);
    if (rc != 0) {
        return rc;
    }

    n = 0;
    for (k = 0; w.names[k] != NULL; k++) {
        n += w.present[k];
    }

    switch (o->query) {

    case NGX_HTTP_TICKETING_QUERY_ANY:
        if (n == 0) {
            return ngx_http_ticketing_fail(detail, size,
                          "at least one of the query parameters %s is "
                          "required",
                          ngx_http_ticketing_query_names(&w, list,
                                                         sizeof(list)),
                          NULL);
        }

        return 0;

    case NGX_HTTP_TICKETING_QUERY_ONE:
        if (n != 1) {
            return ngx_http_ticketing_fail(detail, size,
                          n ? "only one of the query parameters %s may be "
                              "given"
                            : "one of the query parameters %s is required",
                          ngx_http_ticketing_query_names(&w, list,
                                                         sizeof(list)),
                          NULL);
        }

        return 0;

    default: /* NGX_HTTP_TICKETING_QUERY_ALL */
        for (k = 0; w.names[k] != NULL; k++) {
            if (!w.present[k]) {
                return ngx_http_ticketing_fail(detail, size,
                                         "query parameter %s is required",
                                         w.names[k], NULL);
            }
        }

        return 0;
    }
}


int
ngx_http_ticketing_rules_has_body(unsigned op)
{
    const ngx_http_ticketing_operation_t  *o;

    o = ngx_http_ticketing_operation(op);

    return o != NULL && o->body != NGX_HTTP_TICKETING_BODY_NONE;
}


int
ngx_http_ticketing_rules_body_optional(unsigned op)
{
    const ngx_http_ticketing_operation_t  *o;

    o = ngx_http_ticketing_operation(op);

    return o != NULL && o->body_optional;
}


static int
ngx_http_ticketing_ci_prefix(const u_char *p, const u_char *end,
    const char *s)
{
    size_t  n;

    n = strlen(s);

    return (size_t) (end - p) >= n && strncasecmp((const char *) p, s, n) == 0;
}


int
ngx_http_ticketing_rules_json_type(const u_char *p, size_t len)
{
    const u_char  *end, *semi, *sub, *q, *v, *vend;

    end = p + len;

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    semi = memchr(p, ';', end - p);
    if (semi == NULL) {
        semi = end;
    }

    q = semi;
    while (q > p && (q[-1] == ' ' || q[-1] == '\t')) {
        q--;
    }

    if (!ngx_http_ticketing_ci_prefix(p, q, "application/")) {
        return 0;
    }

    sub = p + sizeof("application/") - 1;

    if (!((q - sub == 4 && strncasecmp((const char *) sub, "json", 4) == 0)
          || (q - sub > 5
              && strncasecmp((const char *) q - 5, "+json", 5) == 0)))
    {
        return 0;
    }

    /* parameters: only a charset matters, and it must be UTF-8 */

    p = semi;

    while (p < end) {
        p++;

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        v = memchr(p, ';', end - p);
        vend = v ? v : end;

        if (ngx_http_ticketing_ci_prefix(p, vend, "charset=")) {
            p += sizeof("charset=") - 1;

            q = vend;
            while (q > p && (q[-1] == ' ' || q[-1] == '\t')) {
                q--;
            }

            if (q - p >= 2 && *p == '"' && q[-1] == '"') {
                p++;
                q--;
            }

            if (!((q - p == 5 && strncasecmp((const char *) p, "utf-8", 5) == 0)
                  || (q - p == 4
                      && strncasecmp((const char *) p, "utf8", 4) == 0)))
            {
                return 0;
            }
        }

        p = vend;
    }

    return 1;
}


static size_t
ngx_http_ticketing_mem_read(void *buf, size_t len, void *data)
{
    ngx_http_ticketing_mem_t  *m = data;

    if (len > m->len) {
        len = m->len;
    }

    memcpy(buf, m->p, len);
    m->p += len;
    m->len -= len;

    return len;
}


unsigned
ngx_http_ticketing_rules_body_buf(unsigned op, const u_char *p, size_t len,
    char *detail, size_t size)
{
    ngx_http_ticketing_mem_t  m;

    m.p = p;
    m.len = len;

    return ngx_http_ticketing_rules_body(op, ngx_http_ticketing_mem_read, &m,
                                         detail, size);
}


unsigned
ngx_http_ticketing_rules_body(unsigned op, ngx_http_ticketing_read_pt read,
    void *data, char *detail, size_t size)
{
    json_t                                *root;
    unsigned                               rc;
    json_error_t                           err;
    const ngx_http_ticketing_operation_t  *o;

    /*
     * Duplicate keys would let the gateway and the upstream disagree.  Any
     * value is parsed, so that a scalar gets "must be an object".
     */
    root = json_load_callback(read, data,
                              JSON_REJECT_DUPLICATES|JSON_DECODE_ANY, &err);

    if (root == NULL) {
        /* the reason and the position, never the text, which echoes bytes */
        snprintf(detail, size,
                 "request body is not valid JSON: %s (at byte %d)",
                 ngx_http_ticketing_json_reason(&err), err.position);
        return 400;
    }

    o = ngx_http_ticketing_operation(op);

    rc = ngx_http_ticketing_body_rules(o ? o->body
                                         : NGX_HTTP_TICKETING_BODY_NONE,
                                       root, detail, size);

    json_decref(root);

    return rc;
}


/*
 * What jansson found wrong, in the gateway's words: jansson's own message
 * quotes the bytes it stopped at ("near '...'", "invalid Unicode '...'"),
 * which would echo the body, invisible characters included.
 */
static const char *
ngx_http_ticketing_json_reason(const json_error_t *err)
{
    switch (json_error_code(err)) {

    case json_error_invalid_utf8:
        return "invalid UTF-8";

    case json_error_premature_end_of_input:
        return "the document ends too early";

    case json_error_end_of_input_expected:
        return "data after the document";

    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "a NUL character";

    case json_error_duplicate_key:
        return "a duplicate object key";

    case json_error_numeric_overflow:
        return "a number out of range";

    case json_error_stack_overflow:
        return "nested too deeply";

    default:
        return "invalid syntax";
    }
}


static unsigned
ngx_http_ticketing_fail(char *detail, size_t size, const char *fmt,
    const char *a, const char *b)
{
    snprintf(detail, size, fmt, a, b);

    return 400;
}


static unsigned
ngx_http_ticketing_need_string(json_t *obj, const char *name,
    const char *path, char *detail, size_t size)
{
    json_t  *v;

    v = json_object_get(obj, name);

    if (v == NULL || json_is_null(v)) {
        return ngx_http_ticketing_fail(detail, size,
                                       "body field %s is required",
                                       path, NULL);
    }

    if (!json_is_string(v)) {
        return ngx_http_ticketing_fail(detail, size,
                                       "body field %s must be a string",
                                       path, NULL);
    }

    if (json_string_length(v) == 0) {
        return ngx_http_ticketing_fail(detail, size,
                                       "body field %s must not be empty",
                                       path, NULL);
    }

    return 0;
}


static unsigned
ngx_http_ticketing_need_object(json_t *obj, const char *name,
    const char *path, json_t **out, char *detail, size_t size)
{
    json_t  *v;

    v = json_object_get(obj, name);

    if (v == NULL || json_is_null(v)) {
        return ngx_http_ticketing_fail(detail, size,
                                       "body field %s is required",
                                       path, NULL);
    }

    if (!json_is_object(v)) {
        return ngx_http_ticketing_fail(detail, size,
                                       "body field %s must be an object",
                                       path, NULL);
    }

    *out = v;

    return 0;
}


/* an optional field: absent or null, or of this type */
static unsigned
ngx_http_ticketing_may_be(json_t *obj, const char *name, json_type type,
    const char *what, char *detail, size_t size)
{
    json_t  *v;

    v = json_object_get(obj, name);

    if (v == NULL || json_is_null(v) || json_typeof(v) == type) {
        return 0;
    }

    return ngx_http_ticketing_fail(detail, size, "body field %s must be %s",
                                   name, what);
}


/* one field rule of a body, by the field's JSON type */
static unsigned
ngx_http_ticketing_field(const ngx_http_ticketing_field_t *f, json_t *obj,
    json_t **object, char *detail, size_t size)
{
    json_t                       *v;
    ngx_http_ticketing_base64_t   b64;

    switch (f->check) {

    case NGX_HTTP_TICKETING_FIELD_STRING:
        return ngx_http_ticketing_need_string(obj, f->name, f->path, detail,
                                              size);

    case NGX_HTTP_TICKETING_FIELD_OBJECT:
        return ngx_http_ticketing_need_object(obj, f->name, f->path, object,
                                              detail, size);

    case NGX_HTTP_TICKETING_FIELD_BASE64:
        /* a string already checked by an earlier rule */
        v = json_object_get(obj, f->name);

        ngx_http_ticketing_base64_init(&b64);
        ngx_http_ticketing_base64_update(&b64,
                                      (const u_char *) json_string_value(v),
                                      json_string_length(v));

        if (!ngx_http_ticketing_base64_final(&b64)) {
            return ngx_http_ticketing_fail(detail, size,
                                           "body field %s must be valid "
                                           "base64", f->path, NULL);
        }

        return 0;

    default:
        return ngx_http_ticketing_may_be(obj, f->name, f->check,
                                         f->check == JSON_STRING ? "a string"
                                         : f->check == JSON_INTEGER
                                           ? "an integer"
                                         : f->check == JSON_ARRAY
                                           ? "an array" : "an object",
                                         detail, size);
    }
}


static unsigned
ngx_http_ticketing_body_rules(ngx_http_ticketing_body_rule_e body,
    json_t *root, char *detail, size_t size)
{
    size_t                            i;
    json_t                           *v, *o;
    unsigned                          rc;
    const ngx_http_ticketing_field_t  *f;

    if (body == NGX_HTTP_TICKETING_BODY_GRID) {

        if (!json_is_array(root)) {
            return ngx_http_ticketing_fail(detail, size,
                              "request body must be an array of "
                              "{rowId, columns} rows", NULL, NULL);
        }

        if (json_array_size(root) == 0) {
            return ngx_http_ticketing_fail(detail, size,
                              "request body must not be an empty array",
                              NULL, NULL);
        }

        json_array_foreach(root, i, v) {
            if (!json_is_object(v)) {
                return ngx_http_ticketing_fail(detail, size,
                              "every row of the body must be an object",
                              NULL, NULL);
            }

            o = json_object_get(v, "rowId");
            if (o == NULL || !(json_is_string(o) || json_is_integer(o))
                || (json_is_string(o) && json_string_length(o) == 0))
            {
                return ngx_http_ticketing_fail(detail, size,
                              "body field rowId is required in every row "
                              "(a string or an integer)", NULL, NULL);
            }

            rc = ngx_http_ticketing_need_object(v, "columns", "columns", &o,
                                                detail, size);
            if (rc) {
                return rc;
            }
        }

        return 0;
    }

    if (!json_is_object(root)) {
        return ngx_http_ticketing_fail(detail, size,
                                       "request body must be a JSON object",
                                       NULL, NULL);
    }

    /* what the table of fields cannot say, checked first */

    switch (body) {

    case NGX_HTTP_TICKETING_BODY_TICKET_UPDATE:
        if (json_object_size(root) == 0) {
            return ngx_http_ticketing_fail(detail, size,
                                      "request body names no field to update",
                                      NULL, NULL);
        }

        break;

    case NGX_HTTP_TICKETING_BODY_TRANSITION:
        v = json_object_get(root, "transitionId");

        if (v != NULL && !json_is_null(v)) {
            if (!json_is_integer(v)) {
                return ngx_http_ticketing_fail(detail, size,
                                  "body field transitionId must be an integer",
                                  NULL, NULL);
            }

        } else {
            v = json_object_get(root, "status");

            if (v == NULL || json_is_null(v)) {
                return ngx_http_ticketing_fail(detail, size,
                                  "body field transitionId (an integer) or "
                                  "status is required", NULL, NULL);
            }

            if ((rc = ngx_http_ticketing_need_string(root, "status", "status",
                                                     detail, size)))
            {
                return rc;
            }
        }

        break;

    case NGX_HTTP_TICKETING_BODY_ASSIGN:
        v = json_object_get(root, "assignee");

        if (v == NULL) {
            return ngx_http_ticketing_fail(detail, size,
                                           "body field assignee is required",
                                           NULL, NULL);
        }

        /* null unassigns */
        if (!json_is_null(v) && !json_is_string(v)) {
            return ngx_http_ticketing_fail(detail, size,
                              "body field assignee must be a string or null",
                              NULL, NULL);
        }

        return 0;

    default:
        break;
    }

    /* the fields of the body, in the table's order */

    o = root;

    for (i = 0; i < sizeof(ngx_http_ticketing_fields)
                    / sizeof(ngx_http_ticketing_fields[0]); i++)
    {
        f = &ngx_http_ticketing_fields[i];

        if (f->body != body) {
            continue;
        }

        rc = ngx_http_ticketing_field(f, f->nested ? o : root, &o, detail,
                                      size);
        if (rc) {
            return rc;
        }
    }

    if (body == NGX_HTTP_TICKETING_BODY_TICKET_SEARCH) {
        v = json_object_get(root, "filters");

        if (v != NULL && !json_is_null(v) && !json_is_object(v)
            && !json_is_array(v))
        {
            return ngx_http_ticketing_fail(detail, size,
                          "body field filters must be an object or an array",
                          NULL, NULL);
        }
    }

    /* remotelink.create (when it has a body): a well-formed JSON object */

    return 0;
}


static const signed char  ngx_http_ticketing_b64_value[256] = {
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
    ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
    ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
    ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['+'] = 1, ['/'] = 1
};


void
ngx_http_ticketing_base64_init(ngx_http_ticketing_base64_t *b)
{
    memset(b, 0, sizeof(ngx_http_ticketing_base64_t));
}


void
ngx_http_ticketing_base64_update(ngx_http_ticketing_base64_t *b,
    const u_char *p, size_t len)
{
    size_t  i;

    if (b->bad) {
        return;
    }

    for (i = 0; i < len; i++) {

        if (p[i] == '=') {
            /* padding only in the last two places of a quantum */
            if (b->n % 4 < 2 || ++b->pad > 2) {
                b->bad = 1;
                return;
            }

        } else if (b->pad || !ngx_http_ticketing_b64_value[p[i]]) {
            b->bad = 1;
            return;
        }

        b->n++;
    }
}


int
ngx_http_ticketing_base64_final(ngx_http_ticketing_base64_t *b)
{
    return !b->bad && b->n % 4 == 0;
}
