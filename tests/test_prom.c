
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
#include "ngx_http_ticketing_jwt.h"


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
    /* the outcomes of ngx_http_ticketing_jwt_verify() and their classes */
    static const struct {
        ngx_http_ticketing_jwt_rc_e  rc;
        unsigned                     failure;
        const char                  *message;
    } cases[] = {
        { NGX_HTTP_TICKETING_JWT_TOO_LARGE,
          NGX_HTTP_TICKETING_AUTHN_TOO_LARGE, "token is too large" },
        { NGX_HTTP_TICKETING_JWT_EMPTY,
          NGX_HTTP_TICKETING_AUTHN_MALFORMED, "empty token" },
        { NGX_HTTP_TICKETING_JWT_NOT_THREE_PARTS,
          NGX_HTTP_TICKETING_AUTHN_MALFORMED,
          "malformed token: not three dot-separated parts" },
        { NGX_HTTP_TICKETING_JWT_CRIT,
          NGX_HTTP_TICKETING_AUTHN_MALFORMED,
          "token header has \"crit\" extensions" },
        { NGX_HTTP_TICKETING_JWT_ALG_UNSUPPORTED,
          NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED,
          "token algorithm is not supported" },
        { NGX_HTTP_TICKETING_JWT_ALG_NOT_THE_KEYS,
          NGX_HTTP_TICKETING_AUTHN_ALG_NOT_ALLOWED,
          "token algorithm does not fit the key" },
        { NGX_HTTP_TICKETING_JWT_UNKNOWN_KID,
          NGX_HTTP_TICKETING_AUTHN_UNKNOWN_KID,
          "token key id (kid) is unknown" },
        { NGX_HTTP_TICKETING_JWT_BAD_SIGNATURE,
          NGX_HTTP_TICKETING_AUTHN_BAD_SIGNATURE,
          "token signature is invalid" },
        { NGX_HTTP_TICKETING_JWT_EXPIRED,
          NGX_HTTP_TICKETING_AUTHN_EXPIRED, "token has expired" },
        { NGX_HTTP_TICKETING_JWT_NOT_YET_VALID,
          NGX_HTTP_TICKETING_AUTHN_NOT_YET_VALID,
          "token is not valid yet (nbf)" },
        { NGX_HTTP_TICKETING_JWT_EXP_NOT_NUMBER,
          NGX_HTTP_TICKETING_AUTHN_CLAIMS, "claim \"exp\" is not a number" },
        { NGX_HTTP_TICKETING_JWT_AUDIENCE,
          NGX_HTTP_TICKETING_AUTHN_CLAIMS,
          "token audience (aud) is not accepted" },
        { NGX_HTTP_TICKETING_JWT_LIFETIME,
          NGX_HTTP_TICKETING_AUTHN_CLAIMS,
          "token lifetime (exp - iat) is longer than allowed" },
        { NGX_HTTP_TICKETING_JWT_NO_MEMORY,
          NGX_HTTP_TICKETING_AUTHN_OTHER, "out of memory" },
    };

    size_t    i;
    unsigned  rc;

    (void) state;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(ngx_http_ticketing_prom_jwt_failure(cases[i].rc),
                         cases[i].failure);
        assert_string_equal(ngx_http_ticketing_jwt_message(cases[i].rc),
                            cases[i].message);
    }

    /* every refusal has a class and words; what is not one is "other" */
    for (rc = 1; rc < NGX_HTTP_TICKETING_JWT_NOUTCOMES; rc++) {
        assert_int_not_equal(ngx_http_ticketing_prom_jwt_failure(rc),
                             NGX_HTTP_TICKETING_AUTH_OK);
        assert_true(ngx_http_ticketing_prom_jwt_failure(rc)
                    < NGX_HTTP_TICKETING_AUTHZ_FIRST);
        assert_string_not_equal(ngx_http_ticketing_jwt_message(rc),
                                "token is not valid");
    }

    assert_int_equal(ngx_http_ticketing_prom_jwt_failure(
                         NGX_HTTP_TICKETING_JWT_OK),
                     NGX_HTTP_TICKETING_AUTHN_OTHER);
    assert_int_equal(ngx_http_ticketing_prom_jwt_failure(
                         NGX_HTTP_TICKETING_JWT_NOUTCOMES),
                     NGX_HTTP_TICKETING_AUTHN_OTHER);
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
