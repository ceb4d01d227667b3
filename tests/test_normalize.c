
/*
 * Unit tests of provider value and organization name normalization
 * (ngx_http_ticketing_normalize.c).
 *
 * Inputs are copied into buffers of exactly their length, from malloc(),
 * so that AddressSanitizer reports any read past them.
 */


#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ngx_http_ticketing_normalize.h"


#define PMAX  NGX_HTTP_TICKETING_PROVIDER_MAX


static ngx_http_ticketing_norm_rc_e
clean(const char *in, size_t len, char *out, size_t *out_len)
{
    u_char                        *copy, *buf;
    ngx_http_ticketing_norm_rc_e   rc;

    copy = malloc(len ? len : 1);
    buf = malloc(PMAX);
    assert_non_null(copy);
    assert_non_null(buf);

    memcpy(copy, in, len);
    *out_len = 0;

    rc = ngx_http_ticketing_provider_clean(copy, len, buf, out_len);

    assert_true(*out_len <= PMAX);
    memcpy(out, buf, *out_len);
    out[*out_len] = '\0';

    free(copy);
    free(buf);

    return rc;
}


static void
expect_clean(const char *in, const char *want)
{
    char    out[PMAX + 1];
    size_t  len;

    assert_int_equal(clean(in, strlen(in), out, &len),
                     NGX_HTTP_TICKETING_NORM_OK);
    assert_string_equal(out, want);
}


static void
expect_rc(const char *in, size_t len, ngx_http_ticketing_norm_rc_e want)
{
    char    out[PMAX + 1];
    size_t  n;

    assert_int_equal(clean(in, len, out, &n), want);
}


static void
test_clean_trims_and_folds(void **state)
{
    (void) state;

    expect_clean("JAM", "jam");
    expect_clean("jam", "jam");
    expect_clean("  Jira Amarillo\t ", "jira amarillo");
    expect_clean("Jira    Amarillo", "jira amarillo");
    expect_clean("\tJiraNext", "jiranext");
    expect_clean("TGJira", "tgjira");
    expect_clean("JIRA cc", "jira cc");

    /* bytes above 0x7f are kept as they are (and match nothing) */
    expect_clean("J\xc3\xa1M", "j\xc3\xa1m");
}


static void
test_clean_refuses(void **state)
{
    char  big[PMAX + 2];

    (void) state;

    expect_rc("", 0, NGX_HTTP_TICKETING_NORM_EMPTY);
    expect_rc("   \t ", 5, NGX_HTTP_TICKETING_NORM_EMPTY);

    expect_rc("JA\rM", 4, NGX_HTTP_TICKETING_NORM_CONTROL);
    expect_rc("JAM\n", 4, NGX_HTTP_TICKETING_NORM_CONTROL);
    expect_rc("J\x01M", 3, NGX_HTTP_TICKETING_NORM_CONTROL);
    expect_rc("JAM\x7f", 4, NGX_HTTP_TICKETING_NORM_CONTROL);
    expect_rc("Jira\tCC", 7, NGX_HTTP_TICKETING_NORM_CONTROL);
    expect_rc("JA\0M", 4, NGX_HTTP_TICKETING_NORM_CONTROL);

    memset(big, 'a', sizeof(big));
    expect_rc(big, PMAX - 1, NGX_HTTP_TICKETING_NORM_OK);
    expect_rc(big, PMAX, NGX_HTTP_TICKETING_NORM_TOO_LONG);
    expect_rc(big, PMAX + 2, NGX_HTTP_TICKETING_NORM_TOO_LONG);

    /* a control byte after the cut is still seen */
    big[PMAX + 1] = '\n';
    expect_rc(big, PMAX + 2, NGX_HTTP_TICKETING_NORM_CONTROL);
}


static void
test_alias_find(void **state)
{
    size_t                             i, n, k, len;
    char                               out[PMAX + 1];
    ngx_http_ticketing_alias_t         aliases[32];
    const ngx_http_ticketing_alias_t  *a;
    const ngx_http_ticketing_provider_def_t  *def;

    static char  keys[32][PMAX + 1];

    (void) state;

    n = 0;

    for (i = 0; i < ngx_http_ticketing_ndefault_providers; i++) {
        def = &ngx_http_ticketing_default_providers[i];

        assert_int_equal(clean(def->name, strlen(def->name), keys[n], &len),
                         NGX_HTTP_TICKETING_NORM_OK);
        aliases[n].key = (u_char *) keys[n];
        aliases[n].len = len;
        aliases[n].index = i;
        n++;

        for (k = 0; def->aliases[k]; k++) {
            assert_int_equal(clean(def->aliases[k], strlen(def->aliases[k]),
                                   keys[n], &len),
                             NGX_HTTP_TICKETING_NORM_OK);
            aliases[n].key = (u_char *) keys[n];
            aliases[n].len = len;
            aliases[n].index = i;
            n++;
        }
    }

    struct {
        const char  *in;
        const char  *canonical;
    } cases[] = {
        { "JAM", "JAM" }, { "jam", "JAM" }, { " Jira Amarillo ", "JAM" },
        { "JIRAAMARILLO", "JAM" }, { "JCC", "JCC" }, { "Jira CC", "JCC" },
        { "jiracc", "JCC" }, { "TGJ", "TGJ" }, { "TGJira", "TGJ" },
        { "tg  jira", "TGJ" }, { "JNEXT", "JNEXT" }, { "JiraNext", "JNEXT" },
        { "Jira Next", "JNEXT" }, { "jira   NEXT", "JNEXT" },
        { "JAMX", NULL }, { "JA", NULL }, { "Jira", NULL },
        { "JAM,JCC", NULL }, { "J A M", NULL }, { "JiraNext2", NULL },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(clean(cases[i].in, strlen(cases[i].in), out, &len),
                         NGX_HTTP_TICKETING_NORM_OK);

        a = ngx_http_ticketing_alias_find(aliases, n, (u_char *) out, len);

        if (cases[i].canonical == NULL) {
            assert_null(a);

        } else {
            assert_non_null(a);
            assert_string_equal(
                ngx_http_ticketing_default_providers[a->index].name,
                cases[i].canonical);
        }
    }
}


static ngx_http_ticketing_norm_rc_e
org(const char *in, char *out)
{
    size_t                         len;
    u_char                        *copy, *buf;
    ngx_http_ticketing_norm_rc_e   rc;

    len = strlen(in);
    copy = malloc(len ? len : 1);
    buf = malloc(len ? len : 1);
    assert_non_null(copy);
    assert_non_null(buf);
    memcpy(copy, in, len);

    rc = ngx_http_ticketing_org_clean(copy, len, buf);

    if (rc == NGX_HTTP_TICKETING_NORM_OK) {
        memcpy(out, buf, len);
        out[len] = '\0';
    }

    free(copy);
    free(buf);

    return rc;
}


static void
test_org_clean(void **state)
{
    char  out[128];
    char  big[NGX_HTTP_TICKETING_ORG_MAX + 2];

    (void) state;

    assert_int_equal(org("yoigo", out), NGX_HTTP_TICKETING_NORM_OK);
    assert_string_equal(out, "yoigo");
    assert_int_equal(org("YoIgO", out), NGX_HTTP_TICKETING_NORM_OK);
    assert_string_equal(out, "yoigo");
    assert_int_equal(org("mas-movil_2.es", out), NGX_HTTP_TICKETING_NORM_OK);
    assert_string_equal(out, "mas-movil_2.es");

    assert_int_equal(org("", out), NGX_HTTP_TICKETING_NORM_EMPTY);
    assert_int_equal(org("yo igo", out), NGX_HTTP_TICKETING_NORM_INVALID);
    assert_int_equal(org("yo~igo", out), NGX_HTTP_TICKETING_NORM_INVALID);
    assert_int_equal(org("yo/igo", out), NGX_HTTP_TICKETING_NORM_INVALID);
    assert_int_equal(org("yo\xc3\xa1", out), NGX_HTTP_TICKETING_NORM_INVALID);
    assert_int_equal(org("yo\r\n", out), NGX_HTTP_TICKETING_NORM_CONTROL);
    assert_int_equal(org(".", out), NGX_HTTP_TICKETING_NORM_INVALID);
    assert_int_equal(org("..", out), NGX_HTTP_TICKETING_NORM_INVALID);
    assert_int_equal(org("...", out), NGX_HTTP_TICKETING_NORM_OK);

    memset(big, 'a', sizeof(big));
    big[NGX_HTTP_TICKETING_ORG_MAX] = '\0';
    assert_int_equal(org(big, out), NGX_HTTP_TICKETING_NORM_OK);
    big[NGX_HTTP_TICKETING_ORG_MAX] = 'a';
    big[NGX_HTTP_TICKETING_ORG_MAX + 1] = '\0';
    assert_int_equal(org(big, out), NGX_HTTP_TICKETING_NORM_TOO_LONG);
}


/* _org_equal on two C strings */
static int
org_eq(const char *a, const char *b)
{
    return ngx_http_ticketing_org_equal((const u_char *) a, strlen(a),
                                        (const u_char *) b, strlen(b));
}


static void
test_org_equal(void **state)
{
    char  big1[NGX_HTTP_TICKETING_ORG_MAX + 2];
    char  big2[NGX_HTTP_TICKETING_ORG_MAX + 2];

    (void) state;

    /* the routing's rule: the names _org_clean makes equal */
    assert_int_equal(org_eq("yoigo", "yoigo"), 1);
    assert_int_equal(org_eq("YOIGO", "yoigo"), 1);
    assert_int_equal(org_eq("yoigo", "YoIgO"), 1);
    assert_int_equal(org_eq("Mas-Movil_2.ES", "mas-movil_2.es"), 1);

    assert_int_equal(org_eq("yoigo", "yoig"), 0);
    assert_int_equal(org_eq("yoigo", "yoigo "), 0);
    assert_int_equal(org_eq(" yoigo", "yoigo"), 0);
    assert_int_equal(org_eq("", ""), 0);
    assert_int_equal(org_eq("yoi/go", "yoi/go"), 0);     /* invalid names */
    assert_int_equal(org_eq("yoi go", "yoi go"), 0);
    assert_int_equal(org_eq(".", "."), 0);
    assert_int_equal(org_eq("yo\xc3\xa1", "yo\xc3\xa1"), 0);
    /* only ASCII letters fold: '@' is not '`', '[' is not '{' */
    assert_int_equal(org_eq("a@", "a`"), 0);

    memset(big1, 'a', sizeof(big1));
    memset(big2, 'A', sizeof(big2));
    big1[NGX_HTTP_TICKETING_ORG_MAX] = '\0';
    big2[NGX_HTTP_TICKETING_ORG_MAX] = '\0';
    assert_int_equal(org_eq(big1, big2), 1);
    big1[NGX_HTTP_TICKETING_ORG_MAX] = 'a';
    big2[NGX_HTTP_TICKETING_ORG_MAX] = 'a';
    big1[NGX_HTTP_TICKETING_ORG_MAX + 1] = '\0';
    big2[NGX_HTTP_TICKETING_ORG_MAX + 1] = '\0';
    assert_int_equal(org_eq(big1, big2), 0);           /* too long */
}


int
main(void)
{
    const struct CMUnitTest  tests[] = {
        cmocka_unit_test(test_clean_trims_and_folds),
        cmocka_unit_test(test_clean_refuses),
        cmocka_unit_test(test_alias_find),
        cmocka_unit_test(test_org_clean),
        cmocka_unit_test(test_org_equal),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
