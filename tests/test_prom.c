
/*
 * Unit tests of the pure parts of the metrics (ngx_http_ticketing_prom.c):
 * sample lines of the Prometheus text format, label escaping, the room
 * checks, and the classes of the token refusal reasons.
 *
 * Every buffer has exactly the size asked for, from malloc(), so that
 * AddressSanitizer reports any write past it.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ngx_http_ticketing_prom.h"


static size_t
line(char **out, size_t size, const char *name, const char *const *labels,
    size_t n, unsigned long long value)
{
    size_t  len;

    *out = malloc(size ? size : 1);
    assert_non_null(*out);

    len = ngx_http_ticketing_prom_line(*out, size, name, labels, n, value);

    return len;
}


static void
test_line_no_labels(void **state)
{
    char    *buf;
    size_t   len;

    (void) state;

    len = line(&buf, 64, "ticketing_redis_errors_total", NULL, 0, 42);
    assert_int_equal(len, strlen("ticketing_redis_errors_total 42\n"));
    assert_memory_equal(buf, "ticketing_redis_errors_total 42\n", len);
    free(buf);
}


static void
test_line_labels(void **state)
{
    char        *buf;
    size_t       len;
    const char  *labels[] = { "operation", "ticket.get", "class", "2xx" };
    const char  *want =
        "ticketing_requests_total{operation=\"ticket.get\",class=\"2xx\"} "
        "18446744073709551615\n";

    (void) state;

    len = line(&buf, 128, "ticketing_requests_total", labels, 2,
               18446744073709551615ULL);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(buf, want, len);
    free(buf);
}


static void
test_line_escapes(void **state)
{
    char        *buf;
    size_t       len;
    const char  *labels[] = { "v", "a\\b\"c\nd" };
    const char  *want = "m{v=\"a\\\\b\\\"c\\nd\"} 0\n";

    (void) state;

    len = line(&buf, 64, "m", labels, 1, 0);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(buf, want, len);
    free(buf);
}


/* every size short of what the line needs is refused, none overflows */
static void
test_line_room(void **state)
{
    char        *buf;
    size_t       size, need, len;
    const char  *labels[] = { "reason", "bad\"signature", "k", "v" };

    (void) state;

    need = strlen("ticketing_auth_failures_total"
                  "{reason=\"bad\\\"signature\",k=\"v\"} 12345\n");

    for (size = 0; size <= need + 1; size++) {
        len = line(&buf, size, "ticketing_auth_failures_total", labels, 2,
                   12345);

        /* snprintf needs room for its NUL: "need + 1" is the least */
        if (size <= need) {
            assert_int_equal(len, 0);

        } else {
            assert_int_equal(len, need);
        }

        free(buf);
    }
}


static void
test_failure_names(void **state)
{
    unsigned  i;

    (void) state;

    assert_null(ngx_http_ticketing_prom_failure_name(
                                         NGX_HTTP_TICKETING_AUTH_OK));
    assert_null(ngx_http_ticketing_prom_failure_name(
                                         NGX_HTTP_TICKETING_AUTH_NFAILURES));

    for (i = 1; i < NGX_HTTP_TICKETING_AUTH_NFAILURES; i++) {
        assert_non_null(ngx_http_ticketing_prom_failure_name(i));
    }

    assert_string_equal(ngx_http_ticketing_prom_failure_name(
                            NGX_HTTP_TICKETING_AUTHN_BAD_SIGNATURE),
                        "bad_signature");
    assert_string_equal(ngx_http_ticketing_prom_failure_name(
                            NGX_HTTP_TICKETING_AUTHZ_TENANCY),
                        "tenancy");
}


static void
test_jwt_failures(void **state)
{
    static const struct {
        const char  *reason;
        unsigned     failure;
    } cases[] = {
        { "token is too large", NGX_HTTP_TICKETING_AUTHN_TOO_LARGE },
        { "empty token", NGX_HTTP_TICKETING_AUTHN_MALFORMED },
        { "malformed token: not three dot-separated parts",
          NGX_HTTP_TICKETING_AUTHN_MALFORMED },
        { "malformed token signature", NGX_HTTP_TICKETING_AUTHN_MALFORMED },
        { "token algorithm is not allowed here",
          NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED },
        { "token algorithm does not fit the key",
          NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED },
        { "token key id (kid) is unknown",
          NGX_HTTP_TICKETING_AUTHN_UNKNOWN_KID },
        { "token signature is invalid",
          NGX_HTTP_TICKETING_AUTHN_BAD_SIGNATURE },
        { "token has expired", NGX_HTTP_TICKETING_AUTHN_EXPIRED },
        { "token is not valid yet (nbf)",
          NGX_HTTP_TICKETING_AUTHN_NOT_YET_VALID },
        { "claim \"exp\" is not a number", NGX_HTTP_TICKETING_AUTHN_CLAIMS },
        { "token audience (aud) is not accepted",
          NGX_HTTP_TICKETING_AUTHN_CLAIMS },
        { "token lifetime (exp - iat) is longer than allowed",
          NGX_HTTP_TICKETING_AUTHN_CLAIMS },
        { "token expires too far in the future (exp)",
          NGX_HTTP_TICKETING_AUTHN_CLAIMS },
        { "out of memory", NGX_HTTP_TICKETING_AUTHN_OTHER },
        { "something new", NGX_HTTP_TICKETING_AUTHN_OTHER },
        { NULL, NGX_HTTP_TICKETING_AUTHN_OTHER },
    };

    size_t  i;

    (void) state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(ngx_http_ticketing_prom_jwt_failure(cases[i].reason),
                         cases[i].failure);
    }
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_line_no_labels),
        cmocka_unit_test(test_line_labels),
        cmocka_unit_test(test_line_escapes),
        cmocka_unit_test(test_line_room),
        cmocka_unit_test(test_failure_names),
        cmocka_unit_test(test_jwt_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
