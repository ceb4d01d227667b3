
/*
 * Fuzzes provider and organization normalization
 * (ngx_http_ticketing_normalize.c).
 *
 * Input: the whole input is a header value, cleaned as a provider and as an
 * organization name.  Checks for a provider: OK means 1..63 bytes, no
 * leading, trailing or doubled space, no control byte, no upper-case
 * letter, and cleaning again changes nothing (idempotent); every other
 * result agrees with the input (CONTROL iff a control byte between the
 * trimmed ends, EMPTY iff nothing but spaces and tabs); the alias lookup
 * in the default providers finds exactly the names whose cleaned form is
 * the same.  For an organization: OK iff 1..64 bytes of [A-Za-z0-9._-],
 * not "." or "..", written lower-cased.
 */


#include "harness.h"

#include <ctype.h>

#include "ngx_http_ticketing_normalize.h"


#define FUZZ_NORM_MAX_ALIASES  64


static ngx_http_ticketing_alias_t  fuzz_norm_aliases[FUZZ_NORM_MAX_ALIASES];
static u_char  fuzz_norm_keys[FUZZ_NORM_MAX_ALIASES]
                             [NGX_HTTP_TICKETING_PROVIDER_MAX];
static size_t                      fuzz_norm_naliases;


static void
fuzz_norm_add(const char *name, unsigned index)
{
    size_t                        n;
    ngx_http_ticketing_norm_rc_e  rc;

    FUZZ_CHECK(fuzz_norm_naliases < FUZZ_NORM_MAX_ALIASES);

    rc = ngx_http_ticketing_provider_clean((const u_char *) name,
                                           strlen(name),
                                           fuzz_norm_keys[fuzz_norm_naliases],
                                           &n);
    FUZZ_CHECK(rc == NGX_HTTP_TICKETING_NORM_OK);

    fuzz_norm_aliases[fuzz_norm_naliases].key =
                                           fuzz_norm_keys[fuzz_norm_naliases];
    fuzz_norm_aliases[fuzz_norm_naliases].len = n;
    fuzz_norm_aliases[fuzz_norm_naliases].index = index;
    fuzz_norm_naliases++;
}


static void
fuzz_norm_init(void)
{
    size_t  i, j;

    if (fuzz_norm_naliases) {
        return;
    }

    for (i = 0; i < ngx_http_ticketing_ndefault_providers; i++) {
        fuzz_norm_add(ngx_http_ticketing_default_providers[i].name, i);

        for (j = 0; ngx_http_ticketing_default_providers[i].aliases[j]; j++) {
            fuzz_norm_add(ngx_http_ticketing_default_providers[i].aliases[j],
                          i);
        }
    }
}


static void
fuzz_norm_provider(const u_char *in, size_t len)
{
    int                                i, ctl, found;
    size_t                             n, n2, s, e;
    u_char                            *out, *out2;
    const ngx_http_ticketing_alias_t  *a;
    ngx_http_ticketing_norm_rc_e       rc;

    out = malloc(NGX_HTTP_TICKETING_PROVIDER_MAX);
    out2 = malloc(NGX_HTTP_TICKETING_PROVIDER_MAX);
    FUZZ_CHECK(out != NULL && out2 != NULL);

    s = 0;
    e = len;
    while (s < e && (in[s] == ' ' || in[s] == '\t')) {
        s++;
    }
    while (e > s && (in[e - 1] == ' ' || in[e - 1] == '\t')) {
        e--;
    }

    ctl = 0;
    for (n = s; n < e; n++) {
        if (in[n] < 0x20 || in[n] == 0x7f) {
            ctl = 1;
        }
    }

    n = 0;
    rc = ngx_http_ticketing_provider_clean(in, len, out, &n);

    FUZZ_CHECK((rc == NGX_HTTP_TICKETING_NORM_CONTROL) == ctl);
    FUZZ_CHECK((rc == NGX_HTTP_TICKETING_NORM_EMPTY) == (s == e));
    FUZZ_CHECK(rc != NGX_HTTP_TICKETING_NORM_INVALID);

    if (rc == NGX_HTTP_TICKETING_NORM_OK) {
        FUZZ_CHECK(n >= 1 && n < NGX_HTTP_TICKETING_PROVIDER_MAX);
        FUZZ_CHECK(out[0] != ' ' && out[n - 1] != ' ');

        for (i = 0; (size_t) i < n; i++) {
            FUZZ_CHECK(out[i] >= 0x20 && out[i] != 0x7f);
            FUZZ_CHECK(!(out[i] >= 'A' && out[i] <= 'Z'));
            FUZZ_CHECK(!(out[i] == ' ' && i > 0 && out[i - 1] == ' '));
        }

        FUZZ_CHECK(ngx_http_ticketing_provider_clean(out, n, out2, &n2)
                   == NGX_HTTP_TICKETING_NORM_OK);
        FUZZ_CHECK(n2 == n && memcmp(out, out2, n) == 0);

        a = ngx_http_ticketing_alias_find(fuzz_norm_aliases,
                                          fuzz_norm_naliases, out, n);
        found = 0;
        for (i = 0; (size_t) i < fuzz_norm_naliases; i++) {
            if (fuzz_norm_aliases[i].len == n
                && memcmp(fuzz_norm_aliases[i].key, out, n) == 0)
            {
                found = 1;
                FUZZ_CHECK(a != NULL && a->index == fuzz_norm_aliases[i].index);
            }
        }
        FUZZ_CHECK(found == (a != NULL));
    }

    free(out2);
    free(out);
}


static void
fuzz_norm_org(const u_char *in, size_t len)
{
    int                           ok;
    size_t                        i;
    u_char                       *out;
    ngx_http_ticketing_norm_rc_e  rc;

    out = malloc(len ? len : 1);
    FUZZ_CHECK(out != NULL);

    ok = (len >= 1 && len <= NGX_HTTP_TICKETING_ORG_MAX);
    for (i = 0; ok && i < len; i++) {
        ok = isalnum(in[i]) || in[i] == '.' || in[i] == '_' || in[i] == '-';
    }
    if ((len == 1 && in[0] == '.')
        || (len == 2 && in[0] == '.' && in[1] == '.'))
    {
        ok = 0;
    }

    rc = ngx_http_ticketing_org_clean(in, len, out);
    FUZZ_CHECK((rc == NGX_HTTP_TICKETING_NORM_OK) == ok);

    if (ok) {
        for (i = 0; i < len; i++) {
            FUZZ_CHECK(out[i] == tolower(in[i]));
        }
    }

    free(out);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char  *in;

    fuzz_norm_init();

    in = fuzz_dup(data, size);

    fuzz_norm_provider(in, size);
    fuzz_norm_org(in, size);

    free(in);

    return 0;
}
