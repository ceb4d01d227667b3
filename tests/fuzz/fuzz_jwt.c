
/*
 * Fuzzes the JWT logic of ngx_http_ticketing_jwt.c without nginx.
 *
 * Input: 1 byte mode, then the data.
 *   mode % 4 == 0: the data is a token, verified as is against a fixed
 *                  HMAC key (and split, and its parts base64url-decoded);
 *   mode % 4 == 1: the data is "HEADER\nCLAIMS" JSON: the harness encodes
 *                  both, signs them with the fixed key (HS256) and
 *                  verifies, so header and claim parsing are reached past
 *                  the signature;
 *   mode % 4 == 2: the data is "PATH\nJSON": the claim path is checked,
 *                  and looked up in the JSON when that parses and the path
 *                  is valid; ..._has() on what it finds;
 *   mode % 4 == 3: the data is base64url-decoded; a success re-encodes to
 *                  the very same text (the decoder is strict);
 *   mode & 0x80:   the data is a sequence of verified-token cache
 *                  operations, each "OP LEN TOKEN" (OP bit 0: get or put,
 *                  bit 1: scope A or B, bits 2-4: clock step; LEN bytes of
 *                  token follow): checked against a model that remembers
 *                  every put, a hit is only ever the latest claims put for
 *                  the very same scope and token, not expired, with the
 *                  memo it had (zero after each put).
 * Verification requires exp when the token's length is odd, and bounds its
 * lifetime (1 h) when bit 1 of the length is set.
 * Checks: the results agree with each other (verify succeeds only with an
 * object of claims, fails only with a reason), split parts cover the token,
 * decoded lengths stay within len * 3 / 4.  Every token verified (modes 0
 * and 1) is also given to libjwt 1.10 with the same key
 * (tests/libjwt_oracle.h): a token the module accepts, libjwt accepts as
 * HS256 unless its header has a "typ" other than "JWT" (libjwt's own
 * rule); a token whose signature libjwt refuses, the module refuses.
 */


#include "harness.h"

#include <jansson.h>

#include <openssl/hmac.h>

#include "ngx_http_ticketing_jwt.h"
#include "ngx_http_ticketing_jwt_cache.h"
#include "libjwt_oracle.h"


#define FUZZ_JWT_NOW     1800000000
#define FUZZ_JWT_SECRET  "0123456789abcdef0123456789abcdef"
#define FUZZ_JWT_MAX     16384
#define FUZZ_JWT_CACHE   16       /* 2 buckets of 8: small, they fill */
#define FUZZ_JWT_MODEL   64


static ngx_http_ticketing_jwt_key_t  fuzz_jwt_key;
static int                           fuzz_jwt_ready;


static size_t
fuzz_b64url(const u_char *in, size_t len, char *out)
{
    static const char  a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "abcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t        i, n;
    unsigned int  v;

    n = 0;

    for (i = 0; i + 2 < len; i += 3) {
        v = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
        out[n++] = a[(v >> 18) & 63];
        out[n++] = a[(v >> 12) & 63];
        out[n++] = a[(v >> 6) & 63];
        out[n++] = a[v & 63];
    }

    if (len - i == 1) {
        v = in[i] << 16;
        out[n++] = a[(v >> 18) & 63];
        out[n++] = a[(v >> 12) & 63];

    } else if (len - i == 2) {
        v = (in[i] << 16) | (in[i + 1] << 8);
        out[n++] = a[(v >> 18) & 63];
        out[n++] = a[(v >> 12) & 63];
        out[n++] = a[(v >> 6) & 63];
    }

    return n;
}


static void
fuzz_jwt_init(void)
{
    char  err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];

    if (fuzz_jwt_ready) {
        return;
    }

    FUZZ_CHECK(ngx_http_ticketing_jwt_key_hmac(&fuzz_jwt_key,
                   (const u_char *) FUZZ_JWT_SECRET,
                   sizeof(FUZZ_JWT_SECRET) - 1, err, sizeof(err))
               == 0);
    fuzz_jwt_ready = 1;
}


/*
 * Whether libjwt 1.10 refuses this header for its "typ" (anything but
 * "JWT" in any case), a rule of its own that the module does not have.
 */
static int
fuzz_jwt_libjwt_typ(const u_char *token, size_t len)
{
    int                            refused;
    u_char                        *raw;
    size_t                         n;
    json_t                        *header, *typ;
    ngx_http_ticketing_jwt_str_t   parts[3];

    if (ngx_http_ticketing_jwt_split(token, len, parts) != 0) {
        return 0;
    }

    raw = malloc(parts[0].len * 3 / 4 + 1);
    FUZZ_CHECK(raw != NULL);

    refused = 0;

    if (ngx_http_ticketing_jwt_b64url_decode((const u_char *) parts[0].data,
                                             parts[0].len, raw, &n)
        == 0)
    {
        header = json_loadb((const char *) raw, n, 0, NULL);

        if (header != NULL) {
            typ = json_object_get(header, "typ");
            refused = json_is_string(typ)
                      && strcasecmp(json_string_value(typ), "JWT") != 0;
            json_decref(header);
        }
    }

    free(raw);

    return refused;
}


/* the two properties of tests/libjwt_oracle.h */
static void
fuzz_jwt_libjwt(const u_char *token, size_t len, int accepted)
{
    jwt_alg_t                alg;
    libjwt_oracle_verdict_e  v;

    v = libjwt_oracle(token, len, (const u_char *) FUZZ_JWT_SECRET,
                      sizeof(FUZZ_JWT_SECRET) - 1, &alg);

    FUZZ_CHECK(v != LIBJWT_ORACLE_ERROR);

    if (v == LIBJWT_ORACLE_BAD_SIGNATURE) {
        FUZZ_CHECK(!accepted);
    }

    if (accepted && !fuzz_jwt_libjwt_typ(token, len)) {
        FUZZ_CHECK(v == LIBJWT_ORACLE_ACCEPTS);
        FUZZ_CHECK(alg == JWT_ALG_HS256);
    }
}


static void
fuzz_jwt_verify(const u_char *token, size_t len)
{
    ngx_http_ticketing_jwt_rc_e      rc;
    const char                      *reason;
    ngx_http_ticketing_json_doc_t   *claims;
    ngx_http_ticketing_jwt_verify_t  vf;

    memset(&vf, 0, sizeof(vf));
    vf.keys = &fuzz_jwt_key;
    vf.nkeys = 1;
    vf.algs = NGX_HTTP_TICKETING_JWT_ALL_ALGS;
    vf.max_size = FUZZ_JWT_MAX;
    vf.now = FUZZ_JWT_NOW;
    vf.leeway = 30;
    vf.require_exp = len & 1;
    vf.max_lifetime = (len & 2) ? 3600 : 0;

    claims = NULL;

    rc = ngx_http_ticketing_jwt_verify(token, len, &vf, &claims);

    fuzz_jwt_libjwt(token, len, rc == NGX_HTTP_TICKETING_JWT_OK);

    if (rc == NGX_HTTP_TICKETING_JWT_OK) {
        FUZZ_CHECK(claims != NULL && claims->refs == 1
                   && claims->values[0].type == NGX_HTTP_TICKETING_JSON_OBJECT
                   && claims->values[0].size == claims->n);
        FUZZ_CHECK(len <= FUZZ_JWT_MAX);
        ngx_http_ticketing_json_unref(claims);

    } else {
        FUZZ_CHECK(rc < NGX_HTTP_TICKETING_JWT_NOUTCOMES && claims == NULL);
        reason = ngx_http_ticketing_jwt_message(rc);
        FUZZ_CHECK(reason != NULL && strlen(reason) < 256);
    }
}


static void
fuzz_jwt_token(const u_char *data, size_t size)
{
    size_t                        i, out_len;
    u_char                       *out;
    ngx_http_ticketing_jwt_str_t  parts[3];

    fuzz_jwt_verify(data, size);

    if (ngx_http_ticketing_jwt_split(data, size, parts) != 0) {
        return;
    }

    FUZZ_CHECK((const u_char *) parts[0].data == data);
    FUZZ_CHECK(parts[0].len + parts[1].len + parts[2].len + 2 == size);

    for (i = 0; i < 3; i++) {
        FUZZ_CHECK(memchr(parts[i].data, '.', parts[i].len) == NULL);

        out = malloc(parts[i].len * 3 / 4 + 1);
        FUZZ_CHECK(out != NULL);

        if (ngx_http_ticketing_jwt_b64url_decode(
                (const u_char *) parts[i].data, parts[i].len, out, &out_len)
            == 0)
        {
            FUZZ_CHECK(out_len <= parts[i].len * 3 / 4);
        }

        free(out);
    }
}


static void
fuzz_jwt_signed(const u_char *data, size_t size)
{
    char          *t, *p;
    size_t         hlen;
    unsigned int   mac_len;
    const u_char  *nl;
    unsigned char  mac[EVP_MAX_MD_SIZE];

    nl = memchr(data, '\n', size);
    if (nl == NULL) {
        return;
    }

    hlen = nl - data;

    t = malloc((size + 2) * 4 / 3 + 128);
    FUZZ_CHECK(t != NULL);

    p = t;
    p += fuzz_b64url(data, hlen, p);
    *p++ = '.';
    p += fuzz_b64url(nl + 1, size - hlen - 1, p);

    FUZZ_CHECK(HMAC(EVP_sha256(), FUZZ_JWT_SECRET,
                    sizeof(FUZZ_JWT_SECRET) - 1, (u_char *) t, p - t,
                    mac, &mac_len) != NULL);

    *p++ = '.';
    p += fuzz_b64url(mac, mac_len, p);

    fuzz_jwt_verify((u_char *) t, p - t);

    free(t);
}


static void
fuzz_jwt_path(const u_char *data, size_t size)
{
    size_t                            plen;
    const u_char                     *nl;
    ngx_http_ticketing_json_doc_t    *root;
    const ngx_http_ticketing_json_t  *v;

    nl = memchr(data, '\n', size);
    plen = nl ? (size_t) (nl - data) : size;

    if (ngx_http_ticketing_jwt_path_valid((const char *) data, plen) != 0
        || nl == NULL)
    {
        return;
    }

    root = ngx_http_ticketing_json_load((const char *) nl + 1,
                                        size - plen - 1);
    if (root == NULL) {
        return;
    }

    v = ngx_http_ticketing_jwt_claim(root->values, (const char *) data, plen);

    if (v != NULL) {
        (void) ngx_http_ticketing_jwt_has(v, "admin", 5);
        (void) ngx_http_ticketing_jwt_has(v, (const char *) data, plen);
        FUZZ_CHECK(v > root->values && v < root->values + root->n);
    }

    ngx_http_ticketing_json_unref(root);
}


static void
fuzz_jwt_b64(const u_char *data, size_t size)
{
    char    *again;
    size_t   out_len;
    u_char  *out;

    out = malloc(size * 3 / 4 + 1);
    FUZZ_CHECK(out != NULL);

    if (ngx_http_ticketing_jwt_b64url_decode(data, size, out, &out_len) == 0) {
        FUZZ_CHECK(out_len <= size * 3 / 4);

        again = malloc(size + 4);
        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(fuzz_b64url(out, out_len, again) == size);
        FUZZ_CHECK(memcmp(again, data, size) == 0);
        free(again);
    }

    free(out);
}


typedef struct {
    int             scope;
    const u_char   *token;
    size_t          len;
    time_t          until;
    uint64_t        memo;
    int64_t         claims;
} fuzz_jwt_model_t;


static fuzz_jwt_model_t *
fuzz_jwt_model_find(fuzz_jwt_model_t *m, size_t n, int scope,
    const u_char *token, size_t len)
{
    size_t  i;

    for (i = 0; i < n; i++) {
        if (m[i].scope == scope && m[i].len == len
            && memcmp(m[i].token, token, len) == 0)
        {
            return &m[i];
        }
    }

    return NULL;
}


static void
fuzz_jwt_cache(const u_char *data, size_t size)
{
    int                              scopes[2], scope;
    size_t                           n, len, nmodel;
    time_t                           now;
    int                              n_json;
    char                             json[32];
    int64_t                          serial;
    uint64_t                        *memo;
    ngx_http_ticketing_json_doc_t   *claims, *got;
    const u_char                    *p, *end, *token;
    fuzz_jwt_model_t                 model[FUZZ_JWT_MODEL], *m;
    ngx_http_ticketing_jwt_cache_t  *c;

    c = ngx_http_ticketing_jwt_cache_create(FUZZ_JWT_CACHE);
    FUZZ_CHECK(c != NULL);

    p = data;
    end = data + size;
    now = FUZZ_JWT_NOW;
    nmodel = 0;
    serial = 0;

    while (end - p >= 2) {
        scope = (p[0] >> 1) & 1;
        now += (p[0] >> 2) & 7;
        n = p[1];
        len = (size_t) (end - p - 2) < n ? (size_t) (end - p - 2) : n;
        token = p + 2;

        m = fuzz_jwt_model_find(model, nmodel, scope, token, len);

        if ((p[0] & 1) && m == NULL && len && nmodel == FUZZ_JWT_MODEL) {
            /* the model is full: stop before it loses track */
            break;
        }

        if (p[0] & 1) {
            serial++;
            n_json = snprintf(json, sizeof(json), "{\"n\":%lld}",
                              (long long) serial);
            claims = ngx_http_ticketing_json_load(json, (size_t) n_json);
            FUZZ_CHECK(claims != NULL);

            ngx_http_ticketing_jwt_cache_put(c, &scopes[scope], token, len,
                                             claims, now + 5, &memo);
            ngx_http_ticketing_json_unref(claims);

            if (len == 0) {
                FUZZ_CHECK(memo == NULL);

            } else {
                FUZZ_CHECK(memo != NULL && *memo == 0);

                if (m == NULL) {
                    m = &model[nmodel++];
                    m->scope = scope;
                    m->token = token;
                    m->len = len;
                }

                m->until = now + 5;
                m->memo = 0;
                m->claims = serial;
            }

        } else {
            got = ngx_http_ticketing_jwt_cache_get(c, &scopes[scope], token,
                                                   len, now, &memo);

            if (got != NULL) {
                FUZZ_CHECK(m != NULL);
                FUZZ_CHECK(now < m->until);
                FUZZ_CHECK(ngx_http_ticketing_json_get(got->values, "n", 1)
                               ->num.integer == m->claims);
                FUZZ_CHECK(memo != NULL && *memo == m->memo);

                *memo |= (uint64_t) 1 << (serial & 63);
                m->memo = *memo;

                ngx_http_ticketing_json_unref(got);

            } else {
                FUZZ_CHECK(memo == NULL);

                if (m != NULL) {
                    /* gone (expired or replaced): not found again */
                    m->until = 0;
                }
            }
        }

        p += 2 + len;
    }

    ngx_http_ticketing_jwt_cache_destroy(c);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char  *in;

    if (size < 1) {
        return 0;
    }

    fuzz_jwt_init();

    in = fuzz_dup(data + 1, size - 1);

    if (data[0] & 0x80) {
        fuzz_jwt_cache(in, size - 1);
        free(in);
        return 0;
    }

    switch (data[0] & 3) {
    case 0:
        fuzz_jwt_token(in, size - 1);
        break;
    case 1:
        fuzz_jwt_signed(in, size - 1);
        break;
    case 2:
        fuzz_jwt_path(in, size - 1);
        break;
    default:
        fuzz_jwt_b64(in, size - 1);
        break;
    }

    free(in);

    return 0;
}
