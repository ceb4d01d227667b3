
/*
 * Unit tests of the RESP command formatter (ngx_http_ticketing_resp.c):
 * every command must be byte for byte what hiredis' redisFormatCommandArgv()
 * makes of it, the independent implementation the module used before.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "ngx_http_ticketing_resp.h"


#define MAX_ARGS  24


/* ours and hiredis' formatting of one command agree */
static void
same_as_hiredis(int argc, const char **argv, const size_t *argvlen)
{
    int       theirs_len;
    char     *ours, *theirs;
    ssize_t   ours_len;

    ours_len = ngx_http_ticketing_resp_command(&ours, argc, argv, argvlen);
    theirs_len = redisFormatCommandArgv(&theirs, argc, argv, argvlen);

    assert_true(ours_len >= 0);
    assert_int_equal(ours_len, theirs_len);
    assert_memory_equal(ours, theirs, (size_t) ours_len);
    assert_int_equal(ours[ours_len], '\0');

    free(ours);
    redisFreeCommand(theirs);
}


static void
test_known_commands(void **state)
{
    const char   *get[] = { "GET", "bench|v2|{3f2a}|x" };
    size_t        get_len[] = { 3, 17 };
    const char   *bin[] = { "SET", "k\r\n$3", "a\0b", "" };
    size_t        bin_len[] = { 3, 5, 3, 0 };
    char         *cmd;
    ssize_t       len;

    (void) state;

    len = ngx_http_ticketing_resp_command(&cmd, 2, get, get_len);
    assert_int_equal(len, 37);
    assert_string_equal(cmd, "*2\r\n$3\r\nGET\r\n$17\r\nbench|v2|{3f2a}|x\r\n");
    free(cmd);

    /* binary-safe: CRLF, "$" and NUL inside an argument are its bytes */
    same_as_hiredis(4, bin, bin_len);

    /* no argument at all */
    same_as_hiredis(0, NULL, NULL);

    assert_int_equal(ngx_http_ticketing_resp_command(&cmd, -1, NULL, NULL),
                     -1);
    assert_null(cmd);
}


/* argument counts and lengths around every power of ten */
static void
test_digit_boundaries(void **state)
{
    int          i, n;
    char        *big;
    size_t       lens[MAX_ARGS];
    const char  *args[MAX_ARGS];

    static const size_t  sizes[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999,
                                     1000, 9999, 10000, 100000 };

    (void) state;

    big = malloc(100000);
    assert_non_null(big);
    memset(big, 'x', 100000);

    for (i = 0; i < (int) (sizeof(sizes) / sizeof(sizes[0])); i++) {
        args[0] = big;
        lens[0] = sizes[i];
        same_as_hiredis(1, args, lens);
    }

    for (n = 1; n < MAX_ARGS; n++) {
        for (i = 0; i < n; i++) {
            args[i] = big;
            lens[i] = (size_t) (i * 7 % 12);
        }

        same_as_hiredis(n, args, lens);
    }

    free(big);
}


/* random commands: a fixed seed, so every run checks the same ones */
static void
test_random_commands(void **state)
{
    int            round, argc, i;
    size_t         j, lens[MAX_ARGS];
    uint32_t       x;
    unsigned char  pool[MAX_ARGS][300];
    const char    *args[MAX_ARGS];

    (void) state;

    x = 2463534242u;

    for (round = 0; round < 2000; round++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        argc = (int) (x % MAX_ARGS);

        for (i = 0; i < argc; i++) {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            lens[i] = x % 300;

            for (j = 0; j < lens[i]; j++) {
                x ^= x << 13; x ^= x >> 17; x ^= x << 5;
                pool[i][j] = (unsigned char) x;
            }

            args[i] = (const char *) pool[i];
        }

        same_as_hiredis(argc, args, lens);
    }
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_commands),
        cmocka_unit_test(test_digit_boundaries),
        cmocka_unit_test(test_random_commands),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
