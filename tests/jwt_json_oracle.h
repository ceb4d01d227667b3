
/*
 * jansson as the oracle of the token JSON parser
 * (ngx_http_ticketing_jwt_json.c), for tests/test_jwt.c and
 * tests/fuzz/fuzz_jwt_json.c: the parser stands in for json_loadb() with
 * JSON_REJECT_DUPLICATES, so whatever both take must hold the same values.
 */


#ifndef _JWT_JSON_ORACLE_H_INCLUDED_
#define _JWT_JSON_ORACLE_H_INCLUDED_


#include <string.h>

#include <jansson.h>

#include "ngx_http_ticketing_jwt_json.h"


/* whether "mine" (and all it spans) holds what "theirs" does */
static int
jwt_json_same(const ngx_http_ticketing_json_t *mine, json_t *theirs)
{
    size_t                            i, n;
    json_t                           *e;
    const char                       *k;
    const ngx_http_ticketing_json_t  *m, *end;

    end = mine + mine->size;
    n = 1;

    switch (mine->type) {

    case NGX_HTTP_TICKETING_JSON_OBJECT:
        if (!json_is_object(theirs)
            || json_object_size(theirs) != mine->len)
        {
            return 0;
        }

        m = ngx_http_ticketing_json_first(mine);

        json_object_foreach(theirs, k, e) {
            if (m >= end || m->key == NULL || m->key_len != strlen(k)
                || memcmp(m->key, k, m->key_len) != 0
                || m + m->size > end || !jwt_json_same(m, e))
            {
                return 0;
            }

            n += m->size;
            m = ngx_http_ticketing_json_next(m);
        }

        return m == end && n == mine->size;

    case NGX_HTTP_TICKETING_JSON_ARRAY:
        if (!json_is_array(theirs) || json_array_size(theirs) != mine->len) {
            return 0;
        }

        m = ngx_http_ticketing_json_first(mine);

        json_array_foreach(theirs, i, e) {
            if (m >= end || m->key != NULL || m + m->size > end
                || !jwt_json_same(m, e))
            {
                return 0;
            }

            n += m->size;
            m = ngx_http_ticketing_json_next(m);
        }

        return m == end && n == mine->size;

    case NGX_HTTP_TICKETING_JSON_STRING:
        return mine->size == 1 && json_is_string(theirs)
               && json_string_length(theirs) == mine->len
               && memchr(mine->str, '\0', mine->len) == NULL
               && memcmp(json_string_value(theirs), mine->str, mine->len)
                  == 0;

    case NGX_HTTP_TICKETING_JSON_INTEGER:
        return mine->size == 1 && json_is_integer(theirs)
               && json_integer_value(theirs) == mine->num.integer;

    case NGX_HTTP_TICKETING_JSON_REAL:
        return mine->size == 1 && json_is_real(theirs)
               && json_real_value(theirs) == mine->num.real;

    case NGX_HTTP_TICKETING_JSON_TRUE:
        return mine->size == 1 && json_is_true(theirs);

    case NGX_HTTP_TICKETING_JSON_FALSE:
        return mine->size == 1 && json_is_false(theirs);

    case NGX_HTTP_TICKETING_JSON_NULL:
        return mine->size == 1 && json_is_null(theirs);

    default:
        return 0;
    }
}


#endif /* _JWT_JSON_ORACLE_H_INCLUDED_ */
