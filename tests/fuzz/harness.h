
/*
 * Shared helpers of the libFuzzer harnesses (tests/fuzz/fuzz_*.c).
 *
 * A harness defines LLVMFuzzerTestOneInput() and checks its invariants
 * with FUZZ_CHECK: a broken invariant aborts, which libFuzzer (and the
 * replay driver, tests/fuzz/replay.c) report as a crash, the same as a
 * sanitizer finding.
 */


#ifndef _NGX_HTTP_TICKETING_FUZZ_HARNESS_H_INCLUDED_
#define _NGX_HTTP_TICKETING_FUZZ_HARNESS_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>


#define FUZZ_CHECK(cond)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: invariant broken: %s\n",                  \
                    __FILE__, __LINE__, #cond);                               \
            abort();                                                          \
        }                                                                     \
    } while (0)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


/*
 * A copy of the input in a heap block of exactly "size" bytes (ASan sees
 * any read past it); the caller frees it.  Never NULL for size 0.
 */
static inline u_char *
fuzz_dup(const uint8_t *data, size_t size)
{
    u_char  *p;

    p = malloc(size ? size : 1);
    FUZZ_CHECK(p != NULL);

    if (size) {
        memcpy(p, data, size);
    }

    return p;
}


#endif /* _NGX_HTTP_TICKETING_FUZZ_HARNESS_H_INCLUDED_ */
