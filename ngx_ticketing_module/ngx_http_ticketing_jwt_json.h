
/*
 * The JSON of a token's header and payload: a parser that takes what
 * jansson's json_loadb(..., JSON_REJECT_DUPLICATES, ...) takes, and the
 * values it makes.  No value is allocated on its own: a document is a
 * flat array of values in document order (a container is followed by its
 * members), strings point into the decoded text, which the parser
 * unescapes in place.  A verified token's claims are kept as one
 * allocation (the values and the text), counted by reference so that the
 * verified-token cache and the requests reading them share it.
 *
 * Pure logic: this file includes no nginx header, so the unit tests and
 * the fuzzers link it without nginx.
 */


#ifndef _NGX_HTTP_TICKETING_JWT_JSON_H_INCLUDED_
#define _NGX_HTTP_TICKETING_JWT_JSON_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>


typedef enum {
    NGX_HTTP_TICKETING_JSON_OBJECT = 1,
    NGX_HTTP_TICKETING_JSON_ARRAY,
    NGX_HTTP_TICKETING_JSON_STRING,
    NGX_HTTP_TICKETING_JSON_INTEGER,
    NGX_HTTP_TICKETING_JSON_REAL,
    NGX_HTTP_TICKETING_JSON_TRUE,
    NGX_HTTP_TICKETING_JSON_FALSE,
    NGX_HTTP_TICKETING_JSON_NULL
} ngx_http_ticketing_json_type_e;


typedef struct {
    const char  *key;       /* a member's name, in an object; else NULL */
    const char  *str;       /* a string's bytes (no NUL among them) */
    uint32_t     key_len;
    uint32_t     len;       /* a string's length; a container's members */
    uint32_t     size;      /* the values this one spans, itself included */
    uint32_t     type;      /* ngx_http_ticketing_json_type_e */
    union {
        int64_t  integer;   /* within json_int_t, as jansson's */
        double   real;      /* finite */
    } num;
} ngx_http_ticketing_json_t;


/* a container's first member, and the value after "v" and all it holds */
#define ngx_http_ticketing_json_first(v)  ((v) + 1)
#define ngx_http_ticketing_json_next(v)   ((v) + (v)->size)

#define ngx_http_ticketing_json_is(v, t)                                     \
    ((v) != NULL && (v)->type == NGX_HTTP_TICKETING_JSON_##t)

#define ngx_http_ticketing_json_is_number(v)                                 \
    (ngx_http_ticketing_json_is(v, INTEGER)                                  \
     || ngx_http_ticketing_json_is(v, REAL))

#define ngx_http_ticketing_json_double(v)                                    \
    ((v)->type == NGX_HTTP_TICKETING_JSON_INTEGER                            \
     ? (double) (v)->num.integer : (v)->num.real)


/*
 * Where a parse puts its values: room for a small document inside (a
 * token header, a typical payload), a heap array beyond.  Free with
 * ngx_http_ticketing_json_tape_free() after a parse, whatever it returned.
 */
#define NGX_HTTP_TICKETING_JSON_TAPE_INLINE  48

typedef struct {
    ngx_http_ticketing_json_t  *values;
    size_t                      n;
    size_t                      cap;
    ngx_http_ticketing_json_t   inline_values[
                                    NGX_HTTP_TICKETING_JSON_TAPE_INLINE];
} ngx_http_ticketing_json_tape_t;


/*
 * Parses "buf" (len bytes, and one more the parser may write and
 * restore) as a JSON object: 0 and the values in tape->values (the object
 * first), or -1 for a document json_loadb() with JSON_REJECT_DUPLICATES
 * refuses or that is not an object (or when memory runs out).  Strict
 * UTF-8, no control character in strings, escapes and surrogate pairs,
 * no \u0000, integers within json_int_t, reals that do not overflow, at
 * most 2048 levels, no duplicate key, only whitespace after the object.
 * Strings are unescaped in place: "buf" is overwritten.
 */
int ngx_http_ticketing_json_parse(ngx_http_ticketing_json_tape_t *tape,
    unsigned char *buf, size_t len);

void ngx_http_ticketing_json_tape_free(ngx_http_ticketing_json_tape_t *tape);


/*
 * A document kept beyond its parse: one allocation, counted references.
 * "tag" is its keeper's (zeroes at first): a verified token's claims keep
 * there the id of the key that verified them.
 */
#define NGX_HTTP_TICKETING_JSON_TAG_SIZE  16

typedef struct {
    unsigned                    refs;
    size_t                      n;          /* values */
    unsigned char               tag[NGX_HTTP_TICKETING_JSON_TAG_SIZE];
    ngx_http_ticketing_json_t   values[1];  /* the object, then the rest */
} ngx_http_ticketing_json_doc_t;

/*
 * The document parsed into "tape" from "buf" (len bytes), copied into one
 * block with one reference, or NULL when memory runs out.
 */
ngx_http_ticketing_json_doc_t *ngx_http_ticketing_json_keep(
    const ngx_http_ticketing_json_tape_t *tape, const unsigned char *buf,
    size_t len);

/* parses a copy of "json" and keeps it: the document or NULL */
ngx_http_ticketing_json_doc_t *ngx_http_ticketing_json_load(const char *json,
    size_t len);

ngx_http_ticketing_json_doc_t *ngx_http_ticketing_json_ref(
    ngx_http_ticketing_json_doc_t *doc);

/* drops a reference (NULL: none) and frees the document with the last */
void ngx_http_ticketing_json_unref(ngx_http_ticketing_json_doc_t *doc);

/* an object's member "name", or NULL (also when "obj" is not an object) */
const ngx_http_ticketing_json_t *ngx_http_ticketing_json_get(
    const ngx_http_ticketing_json_t *obj, const char *name, size_t len);


#endif /* _NGX_HTTP_TICKETING_JWT_JSON_H_INCLUDED_ */
