
/*
 * Fuzzes the token JSON parser of ngx_http_ticketing_jwt.c
 * (ngx_http_ticketing_jwt_json_object) against jansson's json_loadb()
 * with JSON_REJECT_DUPLICATES, which it stands in for on the every-token
 * path.
 *
 * Input: the document.  Checks: both refuse it, or both make an object
 * and the two dump to the same compact text (the order of keys kept,
 * integers told from reals); the parser reads nothing past the document
 * and writes only inside it and the one byte after it (ASan: the copy is
 * a heap block of exactly size + 1 bytes).
 */


#include "harness.h"

#include "ngx_http_ticketing_jwt.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char     *a, *b;
    u_char   *buf;
    json_t   *mine, *theirs;

    buf = malloc(size + 1);
    FUZZ_CHECK(buf != NULL);

    if (size) {
        memcpy(buf, data, size);
    }

    mine = ngx_http_ticketing_jwt_json_object(buf, size);
    theirs = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES,
                        NULL);

    if (theirs != NULL && !json_is_object(theirs)) {
        json_decref(theirs);
        theirs = NULL;
    }

    if (theirs != NULL && mine == NULL && memchr(data, '\0', size) != NULL) {
        /*
         * the one difference: jansson skips a NUL byte right after a
         * number or a literal, the module refuses it
         */
        json_decref(theirs);
        theirs = NULL;
    }

    FUZZ_CHECK((mine == NULL) == (theirs == NULL));

    if (mine != NULL) {
        a = json_dumps(mine, JSON_COMPACT | JSON_ENCODE_ANY);
        b = json_dumps(theirs, JSON_COMPACT | JSON_ENCODE_ANY);
        FUZZ_CHECK(a != NULL && b != NULL);
        FUZZ_CHECK(strcmp(a, b) == 0);
        free(a);
        free(b);
    }

    json_decref(mine);
    json_decref(theirs);
    free(buf);

    return 0;
}
