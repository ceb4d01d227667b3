
/*
 * Fuzzes the key loaders of ngx_http_ticketing_jwt.c: JWKS documents
 * (ngx_http_ticketing_jwt_jwks) and PEM public keys (..._key_pem).
 *
 * Input: 1 byte mode (bit 0: PEM, else JWKS; bits 1-2: how many key slots,
 * 1..4; bit 3: "mixed_oct"), then the document.  Checks: success fills
 * 1..max keys, each with a known type, a non-empty set of algorithms of
 * that type (an HMAC secret only those its length allows), a
 * NUL-terminated kid of kid_len bytes, and the material the type needs;
 * secrets next to public keys only with "mixed_oct"; failure leaves a
 * NUL-terminated, non-empty error; every key frees cleanly (ASan/LSan see
 * the rest).
 */


#include "harness.h"

#include "ngx_http_ticketing_jwt.h"


static void
fuzz_jwks_check_key(const ngx_http_ticketing_jwt_key_t *k)
{
    FUZZ_CHECK(k->algs != 0);
    FUZZ_CHECK((k->algs & ~NGX_HTTP_TICKETING_JWT_ALL_ALGS) == 0);
    FUZZ_CHECK(k->kid_len < NGX_HTTP_TICKETING_JWT_KID_SIZE);
    FUZZ_CHECK(k->kid[k->kid_len] == '\0');

    switch (k->type) {
    case NGX_HTTP_TICKETING_JWT_KEY_HMAC:
        FUZZ_CHECK(k->secret != NULL);
        FUZZ_CHECK(k->secret_len >= NGX_HTTP_TICKETING_JWT_MIN_SECRET);
        FUZZ_CHECK((k->algs & ~NGX_HTTP_TICKETING_JWT_HMAC_ALGS) == 0);
        FUZZ_CHECK(!(k->algs & NGX_HTTP_TICKETING_JWT_HS384)
                   || k->secret_len >= 48);
        FUZZ_CHECK(!(k->algs & NGX_HTTP_TICKETING_JWT_HS512)
                   || k->secret_len >= 64);
        break;
    case NGX_HTTP_TICKETING_JWT_KEY_RSA:
        FUZZ_CHECK(k->pkey != NULL);
        FUZZ_CHECK((k->algs & ~NGX_HTTP_TICKETING_JWT_RSA_ALGS) == 0);
        break;
    case NGX_HTTP_TICKETING_JWT_KEY_EC:
    case NGX_HTTP_TICKETING_JWT_KEY_ED25519:
        FUZZ_CHECK(k->pkey != NULL);
        FUZZ_CHECK((k->algs & (NGX_HTTP_TICKETING_JWT_HMAC_ALGS
                               | NGX_HTTP_TICKETING_JWT_RSA_ALGS)) == 0);
        break;
    default:
        FUZZ_CHECK(0);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                           rc;
    char                          err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];
    size_t                        i, n, max, noct;
    u_char                       *in;
    ngx_http_ticketing_jwt_key_t  keys[4];

    if (size < 1) {
        return 0;
    }

    in = fuzz_dup(data + 1, size - 1);
    memset(keys, 0, sizeof(keys));
    memset(err, 'x', sizeof(err));

    if (data[0] & 1) {
        rc = ngx_http_ticketing_jwt_key_pem(&keys[0], in, size - 1, err,
                                            sizeof(err));
        n = (rc == 0);
        max = 1;

    } else {
        max = ((data[0] >> 1) & 3) + 1;
        n = 0;
        rc = ngx_http_ticketing_jwt_jwks(in, size - 1, keys, max, &n,
                                         (data[0] & 8)
                                         ? NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT
                                         : 0,
                                         err, sizeof(err));
    }

    if (rc == 0) {
        FUZZ_CHECK(n >= 1 && n <= max);

        noct = 0;

        for (i = 0; i < n; i++) {
            fuzz_jwks_check_key(&keys[i]);
            noct += (keys[i].type == NGX_HTTP_TICKETING_JWT_KEY_HMAC);
        }

        /* JWKS without "mixed_oct": never secrets next to public keys */
        FUZZ_CHECK((data[0] & 9) != 0 || noct == 0 || noct == n);

        for (i = 0; i < n; i++) {
            ngx_http_ticketing_jwt_key_free(&keys[i]);
        }

    } else {
        FUZZ_CHECK(rc == -1);
        FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
        FUZZ_CHECK(err[0] != '\0');
    }

    free(in);

    return 0;
}
