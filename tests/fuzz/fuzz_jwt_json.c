
/*
 * Fuzzes the token JSON parser (ngx_http_ticketing_jwt_json.c) against
 * jansson's json_loadb() with JSON_REJECT_DUPLICATES, which it stands in
 * for on the every-token path.
 *
 * Input: the document.  Checks: both refuse it, or both make an object
 * and the two hold the same values: the same types (integers told from
 * reals), strings, numbers and members in the same order; every value's
 * span stays inside its container; a kept copy holds the same; the
 * parser reads nothing past the document and writes only inside it and
 * the one byte after it (ASan: the copy is a heap block of exactly
 * size + 1 bytes).
 */


#include "harness.h"

#include "jwt_json_oracle.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                              rc;
    u_char                          *buf;
    json_t                          *theirs;
    ngx_http_ticketing_json_doc_t   *kept;
    ngx_http_ticketing_json_tape_t   tape;

    buf = malloc(size + 1);
    FUZZ_CHECK(buf != NULL);

    if (size) {
        memcpy(buf, data, size);
    }

    rc = ngx_http_ticketing_json_parse(&tape, buf, size);
    theirs = json_loadb((const char *) data, size, JSON_REJECT_DUPLICATES,
                        NULL);

    if (theirs != NULL && !json_is_object(theirs)) {
        json_decref(theirs);
        theirs = NULL;
    }

    if (theirs != NULL && rc != 0 && memchr(data, '\0', size) != NULL) {
        /*
         * the one difference: jansson skips a NUL byte right after a
         * number or a literal, the module refuses it
         */
        json_decref(theirs);
        theirs = NULL;
    }

    FUZZ_CHECK((rc == 0) == (theirs != NULL));

    if (rc == 0) {
        FUZZ_CHECK(tape.n == tape.values[0].size);
        FUZZ_CHECK(jwt_json_same(tape.values, theirs));

        kept = ngx_http_ticketing_json_keep(&tape, buf, size);
        FUZZ_CHECK(kept != NULL && kept->n == tape.n);

        /* the copy stands alone: the parse's buffer is gone first */
        memset(buf, 'x', size + 1);
        FUZZ_CHECK(jwt_json_same(kept->values, theirs));

        FUZZ_CHECK(ngx_http_ticketing_json_ref(kept) == kept);
        ngx_http_ticketing_json_unref(kept);
        ngx_http_ticketing_json_unref(kept);
    }

    ngx_http_ticketing_json_tape_free(&tape);
    json_decref(theirs);
    free(buf);

    return 0;
}
