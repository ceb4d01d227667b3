
/*
 * JSON Web Tokens, verified with OpenSSL EVP on keys parsed once at
 * configuration time.  The key decides the algorithm family; the token
 * only names an algorithm, which must be allowed for the key and for the
 * location.
 *
 * Pure logic: this file includes no nginx header.
 */


#define _GNU_SOURCE          /* memmem() */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <errno.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/pkcs12.h>

#include "ngx_http_ticketing_jwt.h"


#define NGX_HTTP_TICKETING_JWT_MAX_SIG  1024


static int ngx_http_ticketing_jwt_key_ready(ngx_http_ticketing_jwt_key_t *key);
static void ngx_http_ticketing_jwt_ready_free(
    ngx_http_ticketing_jwt_ready_t *ready);


static const struct {
    const char  *name;
    unsigned     alg;
} ngx_http_ticketing_jwt_algs[] = {
    { "HS256", NGX_HTTP_TICKETING_JWT_HS256 },
    { "HS384", NGX_HTTP_TICKETING_JWT_HS384 },
    { "HS512", NGX_HTTP_TICKETING_JWT_HS512 },
    { "RS256", NGX_HTTP_TICKETING_JWT_RS256 },
    { "RS384", NGX_HTTP_TICKETING_JWT_RS384 },
    { "RS512", NGX_HTTP_TICKETING_JWT_RS512 },
    { "ES256", NGX_HTTP_TICKETING_JWT_ES256 },
    { "ES384", NGX_HTTP_TICKETING_JWT_ES384 },
    { "ES512", NGX_HTTP_TICKETING_JWT_ES512 },
    { "PS256", NGX_HTTP_TICKETING_JWT_PS256 },
    { "PS384", NGX_HTTP_TICKETING_JWT_PS384 },
    { "PS512", NGX_HTTP_TICKETING_JWT_PS512 },
    { "EdDSA", NGX_HTTP_TICKETING_JWT_EDDSA },
    { NULL, 0 }
};


static signed char  ngx_http_ticketing_jwt_b64[256];
static int          ngx_http_ticketing_jwt_b64_ready;

/*
 * The same, per position in a group of four characters: the value moved
 * to its place in the group's 24 bits, or bit 31 for a character out of
 * the alphabet; four lookups ORed give the group's bytes or bit 31.
 */
static uint32_t     ngx_http_ticketing_jwt_b64q[4][256];


static void
ngx_http_ticketing_jwt_b64_init(void)
{
    int          i, k, v;
    const char  *a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789-_";

    memset(ngx_http_ticketing_jwt_b64, -1, sizeof(ngx_http_ticketing_jwt_b64));

    for (i = 0; i < 64; i++) {
        ngx_http_ticketing_jwt_b64[(unsigned char) a[i]] = (signed char) i;
    }

    for (i = 0; i < 256; i++) {
        v = ngx_http_ticketing_jwt_b64[i];

        for (k = 0; k < 4; k++) {
            ngx_http_ticketing_jwt_b64q[k][i] = (v < 0)
                                      ? 0x80000000
                                      : (uint32_t) v << (6 * (3 - k));
        }
    }

    ngx_http_ticketing_jwt_b64_ready = 1;
}


int
ngx_http_ticketing_jwt_b64url_decode(const unsigned char *in, size_t len,
    unsigned char *out, size_t *out_len)
{
    int                   bad;
    size_t                n, rest;
    uint32_t              v, (*q)[256];
    const signed char    *t;
    const unsigned char  *end;

    if (!ngx_http_ticketing_jwt_b64_ready) {
        ngx_http_ticketing_jwt_b64_init();
    }

    if (len % 4 == 1) {
        return -1;
    }

    t = ngx_http_ticketing_jwt_b64;
    q = ngx_http_ticketing_jwt_b64q;
    end = in + len - len % 4;
    n = 0;
    bad = 0;
    v = 0;

    /*
     * Four characters, three bytes at a time; an invalid character sets
     * bit 31, kept in "v" to the end of the loop.  In the rest, an
     * invalid character is -1 in the table: the sign bit of "bad".
     */
    while (in < end) {
        v = (v & 0x80000000)
            | q[0][in[0]] | q[1][in[1]] | q[2][in[2]] | q[3][in[3]];

        out[n] = (unsigned char) (v >> 16);
        out[n + 1] = (unsigned char) (v >> 8);
        out[n + 2] = (unsigned char) v;

        n += 3;
        in += 4;
    }

    if (v & 0x80000000) {
        return -1;
    }

    rest = len % 4;

    if (rest) {
        /* 2 or 3 characters: 1 or 2 bytes; the unused low bits must be 0 */
        bad |= t[in[0]] | t[in[1]];

        v = ((uint32_t) (t[in[0]] & 0x3f) << 6) | (uint32_t) (t[in[1]] & 0x3f);

        if (rest == 2) {
            bad |= (v & 0x0f) ? -1 : 0;
            out[n++] = (unsigned char) (v >> 4);

        } else {
            bad |= t[in[2]];
            v = (v << 6) | (uint32_t) (t[in[2]] & 0x3f);
            bad |= (v & 0x03) ? -1 : 0;
            out[n++] = (unsigned char) (v >> 10);
            out[n++] = (unsigned char) (v >> 2);
        }
    }

    if (bad < 0) {
        return -1;
    }

    *out_len = n;

    return 0;
}


int
ngx_http_ticketing_jwt_split(const unsigned char *token, size_t len,
    ngx_http_ticketing_jwt_str_t parts[3])
{
    size_t                k;
    const unsigned char  *p, *dot, *end;

    p = token;
    end = token + len;

    for (k = 0; k < 2; k++) {
        dot = memchr(p, '.', end - p);
        if (dot == NULL) {
            return -1;
        }

        parts[k].data = (const char *) p;
        parts[k].len = dot - p;
        p = dot + 1;
    }

    if (memchr(p, '.', end - p) != NULL) {
        return -1;
    }

    parts[2].data = (const char *) p;
    parts[2].len = end - p;

    return 0;
}


unsigned
ngx_http_ticketing_jwt_alg(const char *name, size_t len)
{
    size_t  i;

    for (i = 0; ngx_http_ticketing_jwt_algs[i].name; i++) {
        if (strlen(ngx_http_ticketing_jwt_algs[i].name) == len
            && memcmp(ngx_http_ticketing_jwt_algs[i].name, name, len) == 0)
        {
            return ngx_http_ticketing_jwt_algs[i].alg;
        }
    }

    return 0;
}


const char *
ngx_http_ticketing_jwt_alg_name(unsigned alg)
{
    size_t  i;

    for (i = 0; ngx_http_ticketing_jwt_algs[i].name; i++) {
        if (ngx_http_ticketing_jwt_algs[i].alg == alg) {
            return ngx_http_ticketing_jwt_algs[i].name;
        }
    }

    return "?";
}


/* ------------------------------------------------------------- keys */


static int
ngx_http_ticketing_jwt_err(char *err, size_t size, const char *msg)
{
    snprintf(err, size, "%s", msg);
    return -1;
}


/* the HS algorithms a secret of len bytes is long enough for */
static unsigned
ngx_http_ticketing_jwt_hmac_algs(size_t len)
{
    unsigned  algs;

    algs = 0;

    if (len >= 32) {
        algs |= NGX_HTTP_TICKETING_JWT_HS256;
    }

    if (len >= 48) {
        algs |= NGX_HTTP_TICKETING_JWT_HS384;
    }

    if (len >= 64) {
        algs |= NGX_HTTP_TICKETING_JWT_HS512;
    }

    return algs;
}


/* the secret length an HS algorithm needs: the size of its hash */
static size_t
ngx_http_ticketing_jwt_hmac_min(unsigned alg)
{
    return (alg == NGX_HTTP_TICKETING_JWT_HS512) ? 64
           : (alg == NGX_HTTP_TICKETING_JWT_HS384) ? 48 : 32;
}


/* whether a PEM document begins somewhere in data */
static const unsigned char *
ngx_http_ticketing_jwt_pem_begin(const unsigned char *data, size_t len)
{
    static const char  begin[] = "-----BEGIN ";

    return memmem(data, len, begin, sizeof(begin) - 1);
}


/* whether data, outer whitespace aside, is a JSON object or array */
static int
ngx_http_ticketing_jwt_json_doc(const unsigned char *data, size_t len)
{
    json_t        *doc;
    json_error_t   jerr;

    while (len && (data[0] == ' ' || data[0] == '\t' || data[0] == '\r'
                   || data[0] == '\n'))
    {
        data++;
        len--;
    }

    if (len == 0 || (data[0] != '{' && data[0] != '[')) {
        return 0;
    }

    doc = json_loadb((const char *) data, len, 0, &jerr);
    if (doc == NULL) {
        return 0;
    }

    json_decref(doc);

    return 1;
}


/*
 * Base64 (standard or URL-safe, whitespace and padding aside) decoded into
 * out (room for len bytes): its length, or -1 when data is no base64.
 */
static int
ngx_http_ticketing_jwt_b64_any(const unsigned char *data, size_t len,
    unsigned char *out)
{
    int       bits, n;
    size_t    i;
    unsigned  acc, v;

    acc = 0;
    bits = 0;
    n = 0;

    for (i = 0; i < len; i++) {
        v = data[i];

        if (v == ' ' || v == '\t' || v == '\r' || v == '\n' || v == '=') {
            continue;
        }

        if (v >= 'A' && v <= 'Z') {
            v -= 'A';

        } else if (v >= 'a' && v <= 'z') {
            v = v - 'a' + 26;

        } else if (v >= '0' && v <= '9') {
            v = v - '0' + 52;

        } else if (v == '+' || v == '-') {
            v = 62;

        } else if (v == '/' || v == '_') {
            v = 63;

        } else {
            return -1;
        }

        acc = (acc << 6) | v;
        bits += 6;

        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char) (acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }

    return n;
}


/*
 * Hex text (whitespace, ':' and a leading "0x" aside) decoded into out
 * (room for len / 2 bytes): its length, or -1 when data is no hex text.
 */
static int
ngx_http_ticketing_jwt_hex_any(const unsigned char *data, size_t len,
    unsigned char *out)
{
    int       n, hi, v;
    size_t    i;

    n = 0;
    hi = -1;

    if (len >= 2 && data[0] == '0' && (data[1] | 0x20) == 'x') {
        data += 2;
        len -= 2;
    }

    for (i = 0; i < len; i++) {
        v = data[i];

        if (v == ' ' || v == '\t' || v == '\r' || v == '\n' || v == ':') {
            continue;
        }

        if (v >= '0' && v <= '9') {
            v -= '0';

        } else if ((v | 0x20) >= 'a' && (v | 0x20) <= 'f') {
            v = (v | 0x20) - 'a' + 10;

        } else {
            return -1;
        }

        if (hi < 0) {
            hi = v;

        } else {
            out[n++] = (unsigned char) (hi << 4 | v);
            hi = -1;
        }
    }

    return hi < 0 ? n : -1;
}


/*
 * Whether bytes look like an RSA modulus of 1024 to 4096 bits: the size
 * of one, the top bit set, odd, and no prime factor below 1000 (a random
 * number of that size has one with a probability above 90%).
 */
static int
ngx_http_ticketing_jwt_modulus_like(const unsigned char *data, size_t len)
{
    int        like;
    BIGNUM    *n;
    unsigned   p, d;

    if (len > 0 && data[0] == 0) {
        data++;
        len--;
    }

    if ((len != 128 && len != 256 && len != 384 && len != 512)
        || !(data[0] & 0x80) || !(data[len - 1] & 1))
    {
        return 0;
    }

    n = BN_bin2bn(data, (int) len, NULL);
    if (n == NULL) {
        return 0;
    }

    like = 1;

    for (p = 3; p < 1000 && like; p += 2) {
        for (d = 3; d * d <= p && p % d != 0; d += 2) {
            /* void */
        }

        if (d * d > p && BN_mod_word(n, p) == 0) {
            like = 0;
        }
    }

    BN_free(n);

    return like;
}


/* whether data is a decimal number (outer whitespace aside) of modulus size */
static int
ngx_http_ticketing_jwt_decimal_modulus(const unsigned char *data, size_t len)
{
    int             like, n;
    char           *dec;
    size_t          i, k;
    BIGNUM         *bn;
    unsigned char  *bin;

    dec = malloc(len + 1);
    if (dec == NULL) {
        return 0;
    }

    for (i = 0, k = 0; i < len; i++) {
        if (data[i] >= '0' && data[i] <= '9') {
            dec[k++] = (char) data[i];

        } else if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r'
                   && data[i] != '\n')
        {
            free(dec);
            return 0;
        }
    }

    dec[k] = '\0';

    /* 1024 bits are 309 decimal digits, 4096 bits 1234 */
    if (k < 300 || k > 1240) {
        free(dec);
        return 0;
    }

    bn = NULL;
    like = 0;

    if (BN_dec2bn(&bn, dec) > 0) {
        n = BN_num_bytes(bn);
        bin = malloc((size_t) n);

        if (bin != NULL) {
            BN_bn2bin(bn, bin);
            like = ngx_http_ticketing_jwt_modulus_like(bin, (size_t) n);
            free(bin);
        }
    }

    BN_free(bn);
    free(dec);

    return like;
}


/*
 * Whether an HMAC secret is in fact a published key, in the forms keys
 * are published and converted in: whoever can read the IdP's keys would
 * sign tokens with their bytes.  The secret is judged as bytes (a DER
 * certificate, key, PKCS#7 or PKCS#12 structure, compressed data, an RSA
 * modulus), as text without a byte order mark or the NULs of UTF-16,
 * lower-cased (a JSON document; armour, SSH, JWK, XML and "Modulus="
 * markers), and again once decoded from base64 or hex (twice at most).
 * No check can prove a file secret: the reason, or NULL.
 */
static const char *
ngx_http_ticketing_jwt_published(const unsigned char *data, size_t len,
    int depth)
{
    int                   n;
    size_t                i, k, m;
    X509                 *x509;
    PKCS7                *p7;
    PKCS12               *p12;
    EVP_PKEY             *pkey;
    const char           *why;
    unsigned char        *view;
    const unsigned char  *p;

    static const char  *markers[] = {
        "-----begin", "begin public key", "begin rsa public key",
        "begin certificate", "begin pkcs7", "begin ssh2", "ssh-rsa",
        "ssh-dss", "ssh-ed25519", "ssh-ed448", "ecdsa-sha2-", "sk-ssh-",
        "sk-ecdsa-", "\"kty\"", "'kty'", "kty:", "\"x5c\"", "modulus=",
        "<rsakeyvalue", "<modulus>",
        /* "openssl x509|pkey|rsa|ec -text" dumps */
        "public-key:", "modulus:", "publicexponent:", "exponent:",
        "subject public key info", "asn1 oid:", "nist curve:",
        "signature algorithm:", "certificate:", NULL
    };

    if (len >= 2
        && ((data[0] == 0x1f && data[1] == 0x8b)
            || (data[0] == 0x78 && (data[0] * 256 + data[1]) % 31 == 0)))
    {
        return "compressed data";
    }

    why = NULL;

    p = data;
    x509 = d2i_X509(NULL, &p, (long) len);
    if (x509 != NULL) {
        X509_free(x509);
        why = "a DER certificate";
    }

    p = data;
    pkey = why ? NULL : d2i_PUBKEY(NULL, &p, (long) len);
    if (pkey == NULL && why == NULL) {
        p = data;
        pkey = d2i_AutoPrivateKey(NULL, &p, (long) len);
    }

    if (pkey != NULL) {
        EVP_PKEY_free(pkey);
        why = "a DER key";
    }

    /* PKCS#1 RSAPublicKey, as "openssl rsa -RSAPublicKey_out" writes it */
    p = data;
    pkey = why ? NULL : d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long) len);
    if (pkey != NULL) {
        EVP_PKEY_free(pkey);
        why = "a DER key";
    }

    p = data;
    p7 = why ? NULL : d2i_PKCS7(NULL, &p, (long) len);
    if (p7 != NULL) {
        PKCS7_free(p7);
        why = "a PKCS#7 structure";
    }

    p = data;
    p12 = why ? NULL : d2i_PKCS12(NULL, &p, (long) len);
    if (p12 != NULL) {
        PKCS12_free(p12);
        why = "a PKCS#12 file";
    }

    ERR_clear_error();

    if (why == NULL && ngx_http_ticketing_jwt_modulus_like(data, len)) {
        why = "an RSA modulus";
    }

    if (why == NULL && ngx_http_ticketing_jwt_decimal_modulus(data, len)) {
        why = "an RSA modulus";
    }

    if (why != NULL) {
        return why;
    }

    view = malloc(len + 1);
    if (view == NULL) {
        return NULL;
    }

    i = 0;
    m = 0;

    if (len >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf) {
        i = 3;

    } else if (len >= 2 && ((data[0] == 0xff && data[1] == 0xfe)
                            || (data[0] == 0xfe && data[1] == 0xff)))
    {
        i = 2;
    }

    for ( /* void */ ; i < len; i++) {
        if (data[i] != '\0') {
            view[m++] = (data[i] >= 'A' && data[i] <= 'Z') ? (data[i] | 0x20)
                                                           : data[i];
        }
    }

    if (ngx_http_ticketing_jwt_json_doc(view, m)) {
        why = "a JSON document (a key set is \"jwks\")";
    }

    for (k = 0; markers[k] != NULL && why == NULL; k++) {
        if (memmem(view, m, markers[k], strlen(markers[k])) != NULL) {
            why = "a published key";
        }
    }

    free(view);

    if (why != NULL || depth >= 2) {
        return why;
    }

    /* base64 or hex text: judge what it decodes to (the armour may be gone) */

    view = malloc(len + 1);
    if (view == NULL) {
        return NULL;
    }

    n = ngx_http_ticketing_jwt_hex_any(data, len, view);

    if (n <= 0) {
        n = ngx_http_ticketing_jwt_b64_any(data, len, view);
    }

    if (n > 0) {
        why = ngx_http_ticketing_jwt_published(view, (size_t) n, depth + 1);
    }

    free(view);

    return why;
}


int
ngx_http_ticketing_jwt_key_hmac(ngx_http_ticketing_jwt_key_t *key,
    const unsigned char *secret, size_t len, char *err, size_t err_size)
{
    const char  *why;

    memset(key, 0, sizeof(*key));

    if (len < NGX_HTTP_TICKETING_JWT_MIN_SECRET) {
        snprintf(err, err_size, "HMAC secret is shorter than %d bytes",
                 NGX_HTTP_TICKETING_JWT_MIN_SECRET);
        return -1;
    }

    /* a key file meant for "pem": its public text is no secret */
    if (ngx_http_ticketing_jwt_pem_begin(secret, len) != NULL) {
        return ngx_http_ticketing_jwt_err(err, err_size,
                            "the HMAC secret is a PEM document, not a secret");
    }

    /* nor is a key published in another form */
    why = ngx_http_ticketing_jwt_published(secret, len, 0);
    if (why != NULL) {
        snprintf(err, err_size, "the HMAC secret is %s, not a secret", why);
        return -1;
    }

    key->secret = malloc(len);
    if (key->secret == NULL) {
        return ngx_http_ticketing_jwt_err(err, err_size, "out of memory");
    }

    memcpy(key->secret, secret, len);
    key->secret_len = len;
    key->type = NGX_HTTP_TICKETING_JWT_KEY_HMAC;
    key->algs = ngx_http_ticketing_jwt_hmac_algs(len);

    if (ngx_http_ticketing_jwt_key_ready(key) != 0) {
        ngx_http_ticketing_jwt_key_free(key);
        return ngx_http_ticketing_jwt_err(err, err_size, "out of memory");
    }

    return 0;
}


/*
 * The ROCA fingerprint.  Keys made by the vulnerable library have primes
 * of the form k * M + (65537^a mod M), M the product of the first primes,
 * so the modulus, modulo each of those primes p, is a power of 65537: it
 * lies in the subgroup that 65537 generates in the multiplicative group
 * mod p.  A random modulus does so for all of these primes with a
 * negligible probability.  The primes are the paper's (up to 167).
 */
static const unsigned char  ngx_http_ticketing_jwt_roca_primes[] = {
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67,
    71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139,
    149, 151, 157, 163, 167
};


int
ngx_http_ticketing_jwt_roca(const BIGNUM *n)
{
    size_t    i;
    unsigned  p, g, x, r, found;
    BN_ULONG  m;

    for (i = 0; i < sizeof(ngx_http_ticketing_jwt_roca_primes); i++) {
        p = ngx_http_ticketing_jwt_roca_primes[i];

        m = BN_mod_word(n, (BN_ULONG) p);
        if (m == (BN_ULONG) -1) {
            return -1;
        }

        r = (unsigned) m;

        /* walk the powers of 65537 mod p: 1, g, g^2, ... until 1 again */
        g = 65537 % p;
        x = 1;
        found = 0;

        do {
            if (x == r) {
                found = 1;
                break;
            }

            x = x * g % p;

        } while (x != 1);

        if (!found) {
            return 0;
        }
    }

    return 1;
}


/* sets type and algorithms from what the public key is */
static int
ngx_http_ticketing_jwt_key_classify(ngx_http_ticketing_jwt_key_t *key,
    char *err, size_t err_size)
{
    int      roca;
    char     group[64];
    size_t   glen;
    BIGNUM  *n;

    switch (EVP_PKEY_get_base_id(key->pkey)) {

    case EVP_PKEY_RSA:
        if (EVP_PKEY_get_bits(key->pkey) < NGX_HTTP_TICKETING_JWT_MIN_RSA) {
            snprintf(err, err_size, "RSA key is shorter than %d bits",
                     NGX_HTTP_TICKETING_JWT_MIN_RSA);
            return -1;
        }

        n = NULL;

        if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1) {
            return ngx_http_ticketing_jwt_err(err, err_size,
                                              "RSA key without a modulus");
        }

        roca = ngx_http_ticketing_jwt_roca(n);
        BN_free(n);

        if (roca != 0) {
            return ngx_http_ticketing_jwt_err(err, err_size,
                       "the RSA key has the ROCA fingerprint "
                       "(CVE-2017-15361): its factors can be computed");
        }

        key->type = NGX_HTTP_TICKETING_JWT_KEY_RSA;
        key->algs = NGX_HTTP_TICKETING_JWT_RSA_ALGS;
        return 0;

    case EVP_PKEY_EC:
        if (EVP_PKEY_get_group_name(key->pkey, group, sizeof(group), &glen)
            != 1)
        {
            return ngx_http_ticketing_jwt_err(err, err_size,
                                              "EC key without a curve");
        }

        key->type = NGX_HTTP_TICKETING_JWT_KEY_EC;

        if (strcmp(group, "prime256v1") == 0) {
            key->algs = NGX_HTTP_TICKETING_JWT_ES256;

        } else if (strcmp(group, "secp384r1") == 0) {
            key->algs = NGX_HTTP_TICKETING_JWT_ES384;

        } else if (strcmp(group, "secp521r1") == 0) {
            key->algs = NGX_HTTP_TICKETING_JWT_ES512;

        } else {
            snprintf(err, err_size, "unsupported EC curve \"%s\"", group);
            return -1;
        }

        return 0;

    case EVP_PKEY_ED25519:
        key->type = NGX_HTTP_TICKETING_JWT_KEY_ED25519;
        key->algs = NGX_HTTP_TICKETING_JWT_EDDSA;
        return 0;

    default:
        return ngx_http_ticketing_jwt_err(err, err_size,
                               "unsupported key type (RSA, EC, Ed25519 only)");
    }
}


int
ngx_http_ticketing_jwt_key_pem(ngx_http_ticketing_jwt_key_t *key,
    const unsigned char *pem, size_t len, char *err, size_t err_size)
{
    BIO                  *bio;
    const unsigned char  *p, *end, *label_end;

    memset(key, 0, sizeof(*key));

    /* "PRIVATE KEY", "RSA PRIVATE KEY", "ENCRYPTED PRIVATE KEY", ... */
    p = pem;
    end = pem + len;

    while ((p = ngx_http_ticketing_jwt_pem_begin(p, end - p)) != NULL) {
        p += sizeof("-----BEGIN ") - 1;

        label_end = memmem(p, end - p, "-----", 5);
        if (label_end == NULL) {
            break;
        }

        if (memmem(p, label_end - p, "PRIVATE KEY", 11) != NULL) {
            return ngx_http_ticketing_jwt_err(err, err_size,
                             "the PEM file holds a private key: a verifier "
                             "needs the public key only");
        }

        p = label_end;
    }

    bio = BIO_new_mem_buf(pem, (int) len);
    if (bio == NULL) {
        return ngx_http_ticketing_jwt_err(err, err_size, "out of memory");
    }

    key->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    BIO_free(bio);

    if (key->pkey == NULL) {
        return ngx_http_ticketing_jwt_err(err, err_size,
                                  "no PEM public key (\"PUBLIC KEY\") found");
    }

    if (ngx_http_ticketing_jwt_key_classify(key, err, err_size) != 0) {
        ngx_http_ticketing_jwt_key_free(key);
        return -1;
    }

    if (ngx_http_ticketing_jwt_key_ready(key) != 0) {
        ngx_http_ticketing_jwt_key_free(key);
        return ngx_http_ticketing_jwt_err(err, err_size, "out of memory");
    }

    return 0;
}


void
ngx_http_ticketing_jwt_key_free(ngx_http_ticketing_jwt_key_t *key)
{
    if (key->pkey) {
        EVP_PKEY_free(key->pkey);
        key->pkey = NULL;
    }

    if (key->secret) {
        OPENSSL_cleanse(key->secret, key->secret_len);
        free(key->secret);
        key->secret = NULL;
    }

    ngx_http_ticketing_jwt_ready_free(key->ready);
    key->ready = NULL;
}


/* a base64url member of a JWK, decoded into a malloc()ed buffer */
static unsigned char *
ngx_http_ticketing_jwt_jwk_b64(json_t *jwk, const char *name, size_t *len)
{
    json_t         *v;
    const char     *s;
    unsigned char  *out;

    v = json_object_get(jwk, name);
    if (!json_is_string(v)) {
        return NULL;
    }

    s = json_string_value(v);

    out = malloc(json_string_length(v) * 3 / 4 + 1);
    if (out == NULL) {
        return NULL;
    }

    if (ngx_http_ticketing_jwt_b64url_decode((const unsigned char *) s,
                                             json_string_length(v), out, len)
        != 0 || *len == 0)
    {
        free(out);
        return NULL;
    }

    return out;
}


static EVP_PKEY *
ngx_http_ticketing_jwt_fromdata(const char *type, OSSL_PARAM_BLD *bld)
{
    EVP_PKEY      *pkey, *ret;
    OSSL_PARAM    *params;
    EVP_PKEY_CTX  *ctx, *check;

    pkey = NULL;
    ret = NULL;

    params = OSSL_PARAM_BLD_to_param(bld);
    if (params == NULL) {
        return NULL;
    }

    ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);

    if (ctx != NULL
        && EVP_PKEY_fromdata_init(ctx) == 1
        && EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1)
    {
        check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);

        if (check != NULL && EVP_PKEY_public_check(check) == 1) {
            ret = pkey;
            pkey = NULL;
        }

        EVP_PKEY_CTX_free(check);
    }

    EVP_PKEY_free(pkey);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);

    return ret;
}


static int
ngx_http_ticketing_jwt_jwk_rsa(ngx_http_ticketing_jwt_key_t *key,
    json_t *jwk)
{
    int             rc;
    size_t          nlen, elen;
    BIGNUM         *n, *e;
    unsigned char  *nb, *eb;
    OSSL_PARAM_BLD  *bld;

    rc = -1;
    n = NULL;
    e = NULL;
    bld = NULL;

    nb = ngx_http_ticketing_jwt_jwk_b64(jwk, "n", &nlen);
    eb = ngx_http_ticketing_jwt_jwk_b64(jwk, "e", &elen);

    if (nb == NULL || eb == NULL) {
        goto done;
    }

    n = BN_bin2bn(nb, (int) nlen, NULL);
    e = BN_bin2bn(eb, (int) elen, NULL);
    bld = OSSL_PARAM_BLD_new();

    if (n == NULL || e == NULL || bld == NULL
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) != 1
        || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) != 1)
    {
        goto done;
    }

    key->pkey = ngx_http_ticketing_jwt_fromdata("RSA", bld);
    rc = (key->pkey != NULL) ? 0 : -1;

done:

    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    free(nb);
    free(eb);

    return rc;
}


static int
ngx_http_ticketing_jwt_jwk_ec(ngx_http_ticketing_jwt_key_t *key,
    json_t *jwk)
{
    int              rc;
    size_t           xlen, ylen, size;
    json_t          *crv;
    const char      *group;
    unsigned char   *xb, *yb, point[1 + 2 * 66];
    OSSL_PARAM_BLD  *bld;

    crv = json_object_get(jwk, "crv");
    if (!json_is_string(crv)) {
        return -1;
    }

    if (strcmp(json_string_value(crv), "P-256") == 0) {
        group = "prime256v1";
        size = 32;

    } else if (strcmp(json_string_value(crv), "P-384") == 0) {
        group = "secp384r1";
        size = 48;

    } else if (strcmp(json_string_value(crv), "P-521") == 0) {
        group = "secp521r1";
        size = 66;

    } else {
        return -1;
    }

    rc = -1;
    bld = NULL;

    xb = ngx_http_ticketing_jwt_jwk_b64(jwk, "x", &xlen);
    yb = ngx_http_ticketing_jwt_jwk_b64(jwk, "y", &ylen);

    if (xb == NULL || yb == NULL || xlen != size || ylen != size) {
        goto done;
    }

    point[0] = 0x04;
    memcpy(point + 1, xb, size);
    memcpy(point + 1 + size, yb, size);

    bld = OSSL_PARAM_BLD_new();

    if (bld == NULL
        || OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                           group, 0) != 1
        || OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                            point, 1 + 2 * size) != 1)
    {
        goto done;
    }

    key->pkey = ngx_http_ticketing_jwt_fromdata("EC", bld);
    rc = (key->pkey != NULL) ? 0 : -1;

done:

    OSSL_PARAM_BLD_free(bld);
    free(xb);
    free(yb);

    return rc;
}


static int
ngx_http_ticketing_jwt_jwk(ngx_http_ticketing_jwt_key_t *key, json_t *jwk,
    char *err, size_t err_size)
{
    int             rc;
    size_t          len;
    json_t         *kty, *kid, *alg;
    unsigned        a;
    const char     *t;
    unsigned char  *raw;

    memset(key, 0, sizeof(*key));

    kty = json_object_get(jwk, "kty");
    if (!json_is_string(kty)) {
        return ngx_http_ticketing_jwt_err(err, err_size,
                                          "a key has no \"kty\"");
    }

    t = json_string_value(kty);

    if (strcmp(t, "oct") == 0) {
        raw = ngx_http_ticketing_jwt_jwk_b64(jwk, "k", &len);
        if (raw == NULL) {
            return ngx_http_ticketing_jwt_err(err, err_size,
                                      "an \"oct\" key has no valid \"k\"");
        }

        rc = ngx_http_ticketing_jwt_key_hmac(key, raw, len, err, err_size);
        OPENSSL_cleanse(raw, len);
        free(raw);

        if (rc != 0) {
            return -1;
        }

    } else if (strcmp(t, "RSA") == 0) {
        if (ngx_http_ticketing_jwt_jwk_rsa(key, jwk) != 0) {
            return ngx_http_ticketing_jwt_err(err, err_size,
                                  "an \"RSA\" key has no valid \"n\", \"e\"");
        }

    } else if (strcmp(t, "EC") == 0) {
        if (ngx_http_ticketing_jwt_jwk_ec(key, jwk) != 0) {
            return ngx_http_ticketing_jwt_err(err, err_size,
                         "an \"EC\" key has no valid \"crv\", \"x\", \"y\"");
        }

    } else if (strcmp(t, "OKP") == 0) {
        t = json_string_value(json_object_get(jwk, "crv"));
        raw = ngx_http_ticketing_jwt_jwk_b64(jwk, "x", &len);

        if (t != NULL && strcmp(t, "Ed25519") == 0 && raw != NULL
            && len == 32)
        {
            key->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
                                                    raw, len);
        }

        free(raw);

        if (key->pkey == NULL) {
            return ngx_http_ticketing_jwt_err(err, err_size,
                                "an \"OKP\" key is not a valid Ed25519 key");
        }

    } else {
        snprintf(err, err_size, "unsupported \"kty\" \"%.32s\"", t);
        return -1;
    }

    if (key->pkey != NULL
        && ngx_http_ticketing_jwt_key_classify(key, err, err_size) != 0)
    {
        ngx_http_ticketing_jwt_key_free(key);
        return -1;
    }

    /* an "oct" key has it from ngx_http_ticketing_jwt_key_hmac() */
    if (key->ready == NULL && ngx_http_ticketing_jwt_key_ready(key) != 0) {
        ngx_http_ticketing_jwt_key_free(key);
        return ngx_http_ticketing_jwt_err(err, err_size, "out of memory");
    }

    kid = json_object_get(jwk, "kid");

    if (kid != NULL) {
        if (!json_is_string(kid) || json_string_length(kid) == 0
            || json_string_length(kid) >= NGX_HTTP_TICKETING_JWT_KID_SIZE)
        {
            ngx_http_ticketing_jwt_key_free(key);
            return ngx_http_ticketing_jwt_err(err, err_size,
                                              "a key has an invalid \"kid\"");
        }

        key->kid_len = json_string_length(kid);
        memcpy(key->kid, json_string_value(kid), key->kid_len);
        key->kid[key->kid_len] = '\0';
    }

    /* the JWK's "alg", when given, is the only algorithm the key verifies */
    alg = json_object_get(jwk, "alg");

    if (alg != NULL) {
        a = json_is_string(alg)
            ? ngx_http_ticketing_jwt_alg(json_string_value(alg),
                                         json_string_length(alg))
            : 0;

        if (key->type == NGX_HTTP_TICKETING_JWT_KEY_HMAC
            && (a & NGX_HTTP_TICKETING_JWT_HMAC_ALGS)
            && (a & key->algs) == 0)
        {
            ngx_http_ticketing_jwt_key_free(key);
            snprintf(err, err_size, "an \"oct\" key is shorter than %zu "
                     "bytes, too short for its \"alg\" %s",
                     ngx_http_ticketing_jwt_hmac_min(a),
                     ngx_http_ticketing_jwt_alg_name(a));
            return -1;
        }

        if ((a & key->algs) == 0) {
            ngx_http_ticketing_jwt_key_free(key);
            return ngx_http_ticketing_jwt_err(err, err_size,
                        "a key's \"alg\" is unknown or not valid for its type");
        }

        key->algs = a;
    }

    return 0;
}


/* JWK members of private keys (RFC 7518 section 6.2.2, 6.3.2, RFC 8037) */
static const char  *ngx_http_ticketing_jwt_private[] = {
    "d", "p", "q", "dp", "dq", "qi", "oth", NULL
};


/* 1: "key_ops" holds "verify"; 0: it does not; -1: not an array of strings */
static int
ngx_http_ticketing_jwt_key_ops(json_t *ops)
{
    int      verify;
    size_t   i;
    json_t  *op;

    if (!json_is_array(ops)) {
        return -1;
    }

    verify = 0;

    json_array_foreach(ops, i, op) {
        if (!json_is_string(op)) {
            return -1;
        }

        if (strcmp(json_string_value(op), "verify") == 0) {
            verify = 1;
        }
    }

    return verify;
}


int
ngx_http_ticketing_jwt_jwks(const unsigned char *json, size_t len,
    ngx_http_ticketing_jwt_key_t *keys, size_t max, size_t *n,
    unsigned flags, char *err, size_t err_size)
{
    int            ops;
    size_t         i, k, noct, npublic;
    json_t        *doc, *arr, *jwk, *use, *kty;
    json_error_t   jerr;

    *n = 0;
    err[0] = '\0';
    noct = 0;
    npublic = 0;

    doc = json_loadb((const char *) json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        snprintf(err, err_size, "invalid JSON at line %d: %.80s",
                 jerr.line, jerr.text);
        return -1;
    }

    arr = json_object_get(doc, "keys");
    if (!json_is_array(arr)) {
        json_decref(doc);
        return ngx_http_ticketing_jwt_err(err, err_size,
                                          "no \"keys\" array (RFC 7517)");
    }

    json_array_foreach(arr, i, jwk) {

        if (!json_is_object(jwk)) {
            goto failed;
        }

        /* a verifier holds no signing key: any private part fails the set */
        for (k = 0; ngx_http_ticketing_jwt_private[k]; k++) {
            if (json_object_get(jwk, ngx_http_ticketing_jwt_private[k])
                != NULL)
            {
                snprintf(err, err_size, "a key holds private key material "
                         "(\"%s\"): a verifier needs public keys only",
                         ngx_http_ticketing_jwt_private[k]);
                goto failed;
            }
        }

        /* what the set holds, whether used for verification or not */
        kty = json_object_get(jwk, "kty");
        if (json_is_string(kty) && strcmp(json_string_value(kty), "oct") == 0)
        {
            noct++;

        } else {
            npublic++;
        }

        use = json_object_get(jwk, "use");
        if (use != NULL && !(json_is_string(use)
                             && strcmp(json_string_value(use), "sig") == 0))
        {
            continue;
        }

        /* RFC 7517 section 4.3: a key not for "verify" never verifies */
        if (json_object_get(jwk, "key_ops") != NULL) {
            ops = ngx_http_ticketing_jwt_key_ops(json_object_get(jwk,
                                                                 "key_ops"));
            if (ops < 0) {
                snprintf(err, err_size,
                         "a key's \"key_ops\" is not an array of strings");
                goto failed;
            }

            if (ops == 0) {
                continue;
            }
        }

        if (*n == max) {
            snprintf(err, err_size, "more than %zu keys", max);
            goto failed;
        }

        if (ngx_http_ticketing_jwt_jwk(&keys[*n], jwk, err, err_size) != 0) {
            goto failed;
        }

        (*n)++;
    }

    /*
     * Secrets next to public keys: a published set is not for secrets,
     * even ones marked for another use than verification.
     */
    if (noct && npublic
        && !(flags & NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT))
    {
        snprintf(err, err_size, "the set mixes \"oct\" secrets with public "
                 "keys (allow it with \"mixed_oct\")");
        goto failed;
    }

    json_decref(doc);

    if (*n == 0) {
        return ngx_http_ticketing_jwt_err(err, err_size,
                                          "no signature key in the set");
    }

    return 0;

failed:

    for (i = 0; i < *n; i++) {
        ngx_http_ticketing_jwt_key_free(&keys[i]);
    }

    *n = 0;
    json_decref(doc);

    if (err[0] == '\0') {
        snprintf(err, err_size, "a key is not a JSON object");
    }

    return -1;
}


/* ----------------------------------------------------- verification */


/*
 * What a key keeps ready for verification, made in a worker on first use
 * and kept until the key is freed: per algorithm, an EVP_PKEY_CTX set up
 * for EVP_PKEY_verify() (RSA, EC) with its digest fetched once, an HMAC
 * EVP_MAC_CTX holding the keyed state, or an EVP_MD_CTX initialised for
 * Ed25519 that each token copies.  OpenSSL 3 fetches algorithms by name
 * on every EVP_DigestVerifyInit() and HMAC() call: that, a new context
 * per token, and the key's provider export cost more than the digest of
 * a token.
 */
struct ngx_http_ticketing_jwt_ready_s {
    EVP_PKEY_CTX                      *pctx[NGX_HTTP_TICKETING_JWT_NALGS];
    EVP_MD                            *md[NGX_HTTP_TICKETING_JWT_NALGS];
    EVP_MAC_CTX                       *mac[NGX_HTTP_TICKETING_JWT_NALGS];
    EVP_MD_CTX                        *ed;
};


/* a loaded key made ready to use: its contexts' holder and its id */
static int
ngx_http_ticketing_jwt_key_ready(ngx_http_ticketing_jwt_key_t *key)
{
    int             len;
    unsigned int    n;
    unsigned char  *der, *p, md[EVP_MAX_MD_SIZE];

    static const char  domain[] = "ticketing key id";

    if (key->secret != NULL) {
        /* a MAC under the secret: the id reveals nothing of it */
        if (HMAC(EVP_sha256(), key->secret, (int) key->secret_len,
                 (const unsigned char *) domain, sizeof(domain) - 1, md, &n)
            == NULL)
        {
            return -1;
        }

    } else {
        /*
         * One key, one id: an EC point written compressed (a PEM may be)
         * or not (a JWK's x and y) is written uncompressed here
         */
        if (key->type == NGX_HTTP_TICKETING_JWT_KEY_EC
            && EVP_PKEY_set_utf8_string_param(key->pkey,
                        OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                        OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED)
               != 1)
        {
            return -1;
        }

        len = i2d_PUBKEY(key->pkey, NULL);
        if (len <= 0) {
            return -1;
        }

        der = malloc((size_t) len);
        if (der == NULL) {
            return -1;
        }

        p = der;

        if (i2d_PUBKEY(key->pkey, &p) != len
            || EVP_Digest(der, (size_t) len, md, &n, EVP_sha256(), NULL)
               != 1)
        {
            free(der);
            return -1;
        }

        free(der);
    }

    memcpy(key->id, md, sizeof(key->id));

    key->ready = calloc(1, sizeof(ngx_http_ticketing_jwt_ready_t));

    return (key->ready == NULL) ? -1 : 0;
}


static void
ngx_http_ticketing_jwt_ready_free(ngx_http_ticketing_jwt_ready_t *ready)
{
    size_t  i;

    if (ready == NULL) {
        return;
    }

    for (i = 0; i < NGX_HTTP_TICKETING_JWT_NALGS; i++) {
        EVP_PKEY_CTX_free(ready->pctx[i]);
        EVP_MD_free(ready->md[i]);
        EVP_MAC_CTX_free(ready->mac[i]);
    }

    EVP_MD_CTX_free(ready->ed);
    free(ready);
}


/* the index of a single algorithm bit */
static size_t
ngx_http_ticketing_jwt_alg_index(unsigned alg)
{
    size_t  i;

    for (i = 0; !(alg & 1); i++) {
        alg >>= 1;
    }

    return i;
}


static const char *
ngx_http_ticketing_jwt_md_name(unsigned alg)
{
    switch (alg) {

    case NGX_HTTP_TICKETING_JWT_HS256:
    case NGX_HTTP_TICKETING_JWT_RS256:
    case NGX_HTTP_TICKETING_JWT_ES256:
    case NGX_HTTP_TICKETING_JWT_PS256:
        return "SHA256";

    case NGX_HTTP_TICKETING_JWT_HS384:
    case NGX_HTTP_TICKETING_JWT_RS384:
    case NGX_HTTP_TICKETING_JWT_ES384:
    case NGX_HTTP_TICKETING_JWT_PS384:
        return "SHA384";

    default:
        return "SHA512";
    }
}


/* an HMAC context keyed with the secret, for "alg" */
static EVP_MAC_CTX *
ngx_http_ticketing_jwt_mac_new(const ngx_http_ticketing_jwt_key_t *key,
    unsigned alg)
{
    EVP_MAC      *mac;
    OSSL_PARAM    params[2];
    EVP_MAC_CTX  *ctx;

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) {
        return NULL;
    }

    ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);

    if (ctx == NULL) {
        return NULL;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                          (char *) ngx_http_ticketing_jwt_md_name(alg), 0);
    params[1] = OSSL_PARAM_construct_end();

    if (EVP_MAC_init(ctx, key->secret, key->secret_len, params) != 1) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }

    return ctx;
}


/* a context for EVP_PKEY_verify() of a digest with the key, for "alg" */
static EVP_PKEY_CTX *
ngx_http_ticketing_jwt_pctx_new(const ngx_http_ticketing_jwt_key_t *key,
    unsigned alg, const EVP_MD *md)
{
    EVP_PKEY_CTX  *pctx;

    pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    if (pctx == NULL) {
        return NULL;
    }

    if (EVP_PKEY_verify_init(pctx) != 1
        || EVP_PKEY_CTX_set_signature_md(pctx, md) != 1)
    {
        goto failed;
    }

    if ((alg & (NGX_HTTP_TICKETING_JWT_PS256 | NGX_HTTP_TICKETING_JWT_PS384
                | NGX_HTTP_TICKETING_JWT_PS512))
        && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1
            || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST)
               != 1))
    {
        goto failed;
    }

    return pctx;

failed:

    EVP_PKEY_CTX_free(pctx);

    return NULL;
}


/*
 * JWS ECDSA signatures are r || s; EVP wants DER: SEQUENCE { INTEGER r,
 * INTEGER s }, each the shortest two's complement form (what
 * i2d_ECDSA_SIG() writes).  "der" holds 2 * half + 12 bytes.
 */
static size_t
ngx_http_ticketing_jwt_ecdsa_der(const unsigned char *sig, size_t half,
    unsigned char *der)
{
    size_t                k, i, n[2], len, pad[2];
    unsigned char        *p;
    const unsigned char  *v[2];

    len = 0;

    for (k = 0; k < 2; k++) {
        v[k] = sig + k * half;
        n[k] = half;

        while (n[k] > 1 && v[k][0] == 0) {
            v[k]++;
            n[k]--;
        }

        pad[k] = (v[k][0] & 0x80) ? 1 : 0;
        len += 2 + pad[k] + n[k];
    }

    p = der;
    *p++ = 0x30;

    if (len > 127) {
        *p++ = 0x81;
    }

    *p++ = (unsigned char) len;

    for (k = 0; k < 2; k++) {
        *p++ = 0x02;
        *p++ = (unsigned char) (pad[k] + n[k]);

        if (pad[k]) {
            *p++ = 0;
        }

        for (i = 0; i < n[k]; i++) {
            *p++ = v[k][i];
        }
    }

    return (size_t) (p - der);
}


/* returns 1 when the signature verifies with the key */
static int
ngx_http_ticketing_jwt_check_sig(const ngx_http_ticketing_jwt_key_t *key,
    unsigned alg, const unsigned char *input, size_t input_len,
    const unsigned char *sig, size_t sig_len)
{
    int                              ok;
    size_t                           i, half, mac_len;
    EVP_MD                          *md;
    EVP_MD_CTX                      *ed, *work;
    EVP_MAC_CTX                     *mac;
    unsigned int                     dlen;
    EVP_PKEY_CTX                    *pctx;
    unsigned char                    buf[EVP_MAX_MD_SIZE];
    unsigned char                    der[2 * 66 + 12];
    ngx_http_ticketing_jwt_ready_t  *ready;

    /* keys made by the loaders have one; a bare key verifies all the same */
    ready = key->ready;
    i = ngx_http_ticketing_jwt_alg_index(alg);
    ok = 0;

    if (key->type == NGX_HTTP_TICKETING_JWT_KEY_HMAC) {
        mac = ready ? ready->mac[i] : NULL;

        if (mac == NULL) {
            mac = ngx_http_ticketing_jwt_mac_new(key, alg);
            if (mac == NULL) {
                return 0;
            }

            if (ready) {
                ready->mac[i] = mac;
            }
        }

        /* without a key, EVP_MAC_init() starts over with the one it has */
        ok = EVP_MAC_init(mac, NULL, 0, NULL) == 1
             && EVP_MAC_update(mac, input, input_len) == 1
             && EVP_MAC_final(mac, buf, &mac_len, sizeof(buf)) == 1
             && mac_len == sig_len
             && CRYPTO_memcmp(buf, sig, sig_len) == 0;

        if (ready == NULL) {
            EVP_MAC_CTX_free(mac);
        }

        return ok;
    }

    if (key->type == NGX_HTTP_TICKETING_JWT_KEY_ED25519) {
        ed = ready ? ready->ed : NULL;

        if (ed == NULL) {
            ed = EVP_MD_CTX_new();
            if (ed == NULL) {
                return 0;
            }

            if (EVP_DigestVerifyInit(ed, NULL, NULL, NULL, key->pkey) != 1) {
                EVP_MD_CTX_free(ed);
                return 0;
            }

            if (ready) {
                ready->ed = ed;
            }
        }

        /* a copy per token: a one-shot verification ends a context */
        work = EVP_MD_CTX_new();

        ok = work != NULL
             && EVP_MD_CTX_copy_ex(work, ed) == 1
             && EVP_DigestVerify(work, sig, sig_len, input, input_len) == 1;

        EVP_MD_CTX_free(work);

        if (ready == NULL) {
            EVP_MD_CTX_free(ed);
        }

        return ok;
    }

    if (key->type == NGX_HTTP_TICKETING_JWT_KEY_EC) {
        half = (alg == NGX_HTTP_TICKETING_JWT_ES256) ? 32
               : (alg == NGX_HTTP_TICKETING_JWT_ES384) ? 48 : 66;

        if (sig_len != 2 * half) {
            return 0;
        }

        sig_len = ngx_http_ticketing_jwt_ecdsa_der(sig, half, der);
        sig = der;

    } else if (sig_len != (size_t) EVP_PKEY_get_size(key->pkey)) {
        /*
         * RSA: a signature is exactly as long as the modulus (RFC 8017
         * 8.1.2, 8.2.2); OpenSSL's PSS verification takes one a leading
         * zero shorter, which would give one token two spellings
         */
        return 0;
    }

    /* RSA and EC: the digest of the input, verified with a ready context */
    md = ready ? ready->md[i] : NULL;
    pctx = ready ? ready->pctx[i] : NULL;

    if (md == NULL) {
        md = EVP_MD_fetch(NULL, ngx_http_ticketing_jwt_md_name(alg), NULL);
        if (md == NULL) {
            return 0;
        }

        if (ready) {
            ready->md[i] = md;
        }
    }

    if (pctx == NULL) {
        pctx = ngx_http_ticketing_jwt_pctx_new(key, alg, md);

        if (ready && pctx) {
            ready->pctx[i] = pctx;
        }
    }

    ok = pctx != NULL
         && EVP_Digest(input, input_len, buf, &dlen, md, NULL) == 1
         && EVP_PKEY_verify(pctx, sig, sig_len, buf, dlen) == 1;

    if (ready == NULL) {
        EVP_PKEY_CTX_free(pctx);
        EVP_MD_free(md);
    }

    return ok;
}


/*
 * A base64url JSON object part of the token, decoded into "buf" (*n
 * bytes) and parsed into "tape".  Returns 0 or -1.
 */
static int
ngx_http_ticketing_jwt_part(const ngx_http_ticketing_jwt_str_t *part,
    unsigned char *buf, size_t *n, ngx_http_ticketing_json_tape_t *tape)
{
    if (part->len == 0
        || ngx_http_ticketing_jwt_b64url_decode(
               (const unsigned char *) part->data, part->len, buf, n) != 0)
    {
        return -1;
    }

    /* buf holds at least n + 1 bytes: see ngx_http_ticketing_jwt_verify() */
    return ngx_http_ticketing_json_parse(tape, buf, *n);
}


static int
ngx_http_ticketing_jwt_time(const ngx_http_ticketing_json_t *claims,
    const char *name, size_t len, double *t)
{
    const ngx_http_ticketing_json_t  *v;

    v = ngx_http_ticketing_json_get(claims, name, len);
    if (v == NULL) {
        return 0;
    }

    if (!ngx_http_ticketing_json_is_number(v)
        || !isfinite(ngx_http_ticketing_json_double(v)))
    {
        return -1;
    }

    *t = ngx_http_ticketing_json_double(v);

    return 1;
}


static int
ngx_http_ticketing_jwt_listed(const ngx_http_ticketing_jwt_str_t *list,
    size_t n, const ngx_http_ticketing_json_t *v)
{
    size_t  i;

    if (!ngx_http_ticketing_json_is(v, STRING)) {
        return 0;
    }

    for (i = 0; i < n; i++) {
        if (list[i].len == v->len
            && memcmp(list[i].data, v->str, list[i].len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


static ngx_http_ticketing_jwt_rc_e
ngx_http_ticketing_jwt_claims(const ngx_http_ticketing_json_t *claims,
    const ngx_http_ticketing_jwt_verify_t *vf)
{
    int                               rc, has_exp, has_iat;
    double                            t, now, leeway, exp, iat, max;
    const ngx_http_ticketing_json_t  *v, *a;

    /*
     * The times are doubles from the JSON (finite: the parser refuses
     * anything else), compared as doubles: no conversion of a huge or
     * negative value to time_t, whatever the token holds.
     */
    now = (double) vf->now;
    leeway = (double) vf->leeway;
    max = (double) vf->max_lifetime;
    exp = 0;
    iat = 0;

    rc = ngx_http_ticketing_jwt_time(claims, "exp", 3, &exp);
    if (rc < 0) {
        return NGX_HTTP_TICKETING_JWT_EXP_NOT_NUMBER;
    }

    has_exp = rc;

    /* a maximum lifetime means nothing without an expiry */
    if (rc == 0 && (vf->require_exp || vf->max_lifetime)) {
        return NGX_HTTP_TICKETING_JWT_NO_EXP;
    }

    if (rc == 1 && now >= exp + leeway) {
        return NGX_HTTP_TICKETING_JWT_EXPIRED;
    }

    rc = ngx_http_ticketing_jwt_time(claims, "nbf", 3, &t);
    if (rc < 0) {
        return NGX_HTTP_TICKETING_JWT_NBF_NOT_NUMBER;
    }

    if (rc == 1 && now + leeway < t) {
        return NGX_HTTP_TICKETING_JWT_NOT_YET_VALID;
    }

    rc = ngx_http_ticketing_jwt_time(claims, "iat", 3, &iat);
    if (rc < 0) {
        return NGX_HTTP_TICKETING_JWT_IAT_NOT_NUMBER;
    }

    has_iat = rc;

    if (rc == 1 && now + leeway < iat) {
        return NGX_HTTP_TICKETING_JWT_IAT_FUTURE;
    }

    if (vf->max_lifetime && has_exp) {
        if (has_iat && exp - iat > max) {
            return NGX_HTTP_TICKETING_JWT_LIFETIME;
        }

        if (exp - now > max + leeway) {
            return NGX_HTTP_TICKETING_JWT_EXP_TOO_FAR;
        }
    }

    if (vf->nissuers
        && !ngx_http_ticketing_jwt_listed(vf->issuers, vf->nissuers,
                                   ngx_http_ticketing_json_get(claims, "iss",
                                                               3)))
    {
        return NGX_HTTP_TICKETING_JWT_ISSUER;
    }

    if (vf->naudiences) {
        v = ngx_http_ticketing_json_get(claims, "aud", 3);

        if (ngx_http_ticketing_json_is(v, ARRAY)) {
            for (a = ngx_http_ticketing_json_first(v); a < v + v->size;
                 a = ngx_http_ticketing_json_next(a))
            {
                if (ngx_http_ticketing_jwt_listed(vf->audiences,
                                                  vf->naudiences, a))
                {
                    return NGX_HTTP_TICKETING_JWT_OK;
                }
            }

            return NGX_HTTP_TICKETING_JWT_AUDIENCE;
        }

        if (!ngx_http_ticketing_jwt_listed(vf->audiences, vf->naudiences, v)) {
            return NGX_HTTP_TICKETING_JWT_AUDIENCE;
        }
    }

    return NGX_HTTP_TICKETING_JWT_OK;
}


/* indexed by ngx_http_ticketing_jwt_rc_e */
static const char
    *ngx_http_ticketing_jwt_messages[NGX_HTTP_TICKETING_JWT_NOUTCOMES] = {
    "token is valid",
    "token is too large",
    "empty token",
    "malformed token: not three dot-separated parts",
    "token has an empty signature",
    "out of memory",
    "malformed token header: not base64url JSON object",
    "token header has no \"alg\"",
    "token algorithm is not supported",
    "token algorithm is not allowed here",
    "token header has \"crit\" extensions",
    "token \"kid\" is not a string",
    "malformed token signature",
    "token key id (kid) is unknown",
    "token algorithm does not fit the key",
    "token signature is invalid",
    "malformed token payload: not base64url JSON object",
    "claim \"exp\" is not a number",
    "token has no \"exp\" claim",
    "token has expired",
    "claim \"nbf\" is not a number",
    "token is not valid yet (nbf)",
    "claim \"iat\" is not a number",
    "token was issued in the future (iat)",
    "token lifetime (exp - iat) is longer than allowed",
    "token expires too far in the future (exp)",
    "token issuer (iss) is not accepted",
    "token audience (aud) is not accepted"
};


const char *
ngx_http_ticketing_jwt_message(ngx_http_ticketing_jwt_rc_e rc)
{
    if ((unsigned) rc >= NGX_HTTP_TICKETING_JWT_NOUTCOMES
        || ngx_http_ticketing_jwt_messages[rc] == NULL)
    {
        return "token is not valid";
    }

    return ngx_http_ticketing_jwt_messages[rc];
}


ngx_http_ticketing_jwt_rc_e
ngx_http_ticketing_jwt_verify(const unsigned char *token, size_t len,
    const ngx_http_ticketing_jwt_verify_t *vf,
    ngx_http_ticketing_json_doc_t **claims)
{
    int                                kid_known, alg_fits;
    size_t                             i, n, sig_len, kid_len;
    unsigned                           alg;
    const char                        *kid;
    unsigned char                     *buf, *sig, stack[4096];
    ngx_http_ticketing_jwt_rc_e        rc;
    ngx_http_ticketing_jwt_str_t       parts[3];
    ngx_http_ticketing_json_tape_t     tape;
    const ngx_http_ticketing_json_t   *header, *v;
    const ngx_http_ticketing_jwt_key_t  *key;

    *claims = NULL;

    tape.values = tape.inline_values;
    tape.n = 0;

    /* refused before any decoding work */
    if (len > vf->max_size) {
        return NGX_HTTP_TICKETING_JWT_TOO_LARGE;
    }

    if (len == 0) {
        return NGX_HTTP_TICKETING_JWT_EMPTY;
    }

    if (ngx_http_ticketing_jwt_split(token, len, parts) != 0) {
        return NGX_HTTP_TICKETING_JWT_NOT_THREE_PARTS;
    }

    if (parts[2].len == 0) {
        return NGX_HTTP_TICKETING_JWT_EMPTY_SIGNATURE;
    }

    /*
     * One buffer for the decoded parts: the header, a byte, the signature
     * (the header's "kid" is read after it is decoded), then the payload
     * in the header's place; none is longer than 3/4 of its part.  On the
     * stack for tokens up to ~5 KB: nothing to allocate per token.
     */
    buf = (len * 3 / 4 + 1 <= sizeof(stack)) ? stack : malloc(len * 3 / 4 + 1);
    if (buf == NULL) {
        return NGX_HTTP_TICKETING_JWT_NO_MEMORY;
    }

    if (ngx_http_ticketing_jwt_part(&parts[0], buf, &n, &tape) != 0) {
        rc = NGX_HTTP_TICKETING_JWT_BAD_HEADER;
        goto failed;
    }

    header = tape.values;

    v = ngx_http_ticketing_json_get(header, "alg", 3);
    if (!ngx_http_ticketing_json_is(v, STRING)) {
        rc = NGX_HTTP_TICKETING_JWT_NO_ALG;
        goto failed;
    }

    alg = ngx_http_ticketing_jwt_alg(v->str, v->len);
    if (alg == 0) {
        rc = NGX_HTTP_TICKETING_JWT_ALG_UNSUPPORTED;
        goto failed;
    }

    if ((alg & vf->algs) == 0) {
        rc = NGX_HTTP_TICKETING_JWT_ALG_NOT_ALLOWED;
        goto failed;
    }

    /* no extension is understood: a critical one means refusal */
    if (ngx_http_ticketing_json_get(header, "crit", 4) != NULL) {
        rc = NGX_HTTP_TICKETING_JWT_CRIT;
        goto failed;
    }

    kid = NULL;
    kid_len = 0;
    v = ngx_http_ticketing_json_get(header, "kid", 3);

    if (v != NULL) {
        if (!ngx_http_ticketing_json_is(v, STRING)) {
            rc = NGX_HTTP_TICKETING_JWT_KID_NOT_STRING;
            goto failed;
        }

        kid = v->str;
        kid_len = v->len;
    }

    sig = buf + n + 1;

    if (parts[2].len > NGX_HTTP_TICKETING_JWT_MAX_SIG
        || ngx_http_ticketing_jwt_b64url_decode(
               (const unsigned char *) parts[2].data, parts[2].len, sig,
               &sig_len) != 0
        || sig_len == 0)
    {
        rc = NGX_HTTP_TICKETING_JWT_BAD_SIGNATURE_ENCODING;
        goto failed;
    }

    /*
     * The candidate keys: those whose kid matches the token's (keys without
     * a kid match any token), and which verify the token's algorithm.
     */
    kid_known = 0;
    alg_fits = 0;
    key = NULL;

    for (i = 0; i < vf->nkeys; i++) {
        if (kid != NULL && vf->keys[i].kid_len != 0
            && (vf->keys[i].kid_len != kid_len
                || memcmp(vf->keys[i].kid, kid, kid_len) != 0))
        {
            continue;
        }

        kid_known = 1;

        if ((vf->keys[i].algs & alg) == 0) {
            continue;
        }

        alg_fits = 1;

        if (ngx_http_ticketing_jwt_check_sig(&vf->keys[i], alg,
                                   (const unsigned char *) parts[0].data,
                                   parts[0].len + 1 + parts[1].len,
                                   sig, sig_len))
        {
            key = &vf->keys[i];
            break;
        }
    }

    if (key == NULL) {
        rc = !kid_known ? NGX_HTTP_TICKETING_JWT_UNKNOWN_KID
             : !alg_fits ? NGX_HTTP_TICKETING_JWT_ALG_NOT_THE_KEYS
             : NGX_HTTP_TICKETING_JWT_BAD_SIGNATURE;
        goto failed;
    }

    ngx_http_ticketing_json_tape_free(&tape);

    if (ngx_http_ticketing_jwt_part(&parts[1], buf, &n, &tape) != 0) {
        rc = NGX_HTTP_TICKETING_JWT_BAD_PAYLOAD;
        goto failed;
    }

    rc = ngx_http_ticketing_jwt_claims(tape.values, vf);
    if (rc != NGX_HTTP_TICKETING_JWT_OK) {
        goto failed;
    }

    *claims = ngx_http_ticketing_json_keep(&tape, buf, n);

    if (*claims == NULL) {
        rc = NGX_HTTP_TICKETING_JWT_NO_MEMORY;

    } else {
        memcpy((*claims)->tag, key->id, sizeof(key->id));
    }

failed:

    ngx_http_ticketing_json_tape_free(&tape);

    if (buf != stack) {
        free(buf);
    }

    return rc;
}


/* ----------------------------------------------------------- claims */


/*
 * Reads the next path segment at p (len left): a name up to '.' or '[',
 * or ["quoted name"].  Returns the number of bytes consumed (including a
 * following '.'), 0 at the end, -1 on a syntax error.
 */
static ssize_t
ngx_http_ticketing_jwt_segment(const char *p, size_t len, const char **name,
    size_t *name_len)
{
    size_t  i;

    if (len == 0) {
        return 0;
    }

    if (p[0] == '[') {
        if (len < 4 || p[1] != '"') {
            return -1;
        }

        for (i = 2; i < len && p[i] != '"'; i++) { /* void */ }

        if (i + 1 >= len || p[i + 1] != ']' || i == 2) {
            return -1;
        }

        *name = p + 2;
        *name_len = i - 2;
        i += 2;

    } else {
        for (i = 0; i < len && p[i] != '.' && p[i] != '['; i++) {
            if (p[i] == '"' || p[i] == ']') {
                return -1;
            }
        }

        if (i == 0) {
            return -1;
        }

        *name = p;
        *name_len = i;
    }

    if (i < len && p[i] == '.') {
        if (i + 1 == len) {
            return -1;              /* a trailing dot */
        }

        i++;

    } else if (i < len && p[i] != '[') {
        return -1;
    }

    return (ssize_t) i;
}


int
ngx_http_ticketing_jwt_path_valid(const char *path, size_t len)
{
    size_t       nlen;
    ssize_t      n;
    const char  *name;

    if (len == 0) {
        return -1;
    }

    while (len) {
        n = ngx_http_ticketing_jwt_segment(path, len, &name, &nlen);
        if (n <= 0) {
            return -1;
        }

        path += n;
        len -= (size_t) n;
    }

    return 0;
}


const ngx_http_ticketing_json_t *
ngx_http_ticketing_jwt_claim(const ngx_http_ticketing_json_t *claims,
    const char *path, size_t len)
{
    size_t                            nlen;
    ssize_t                           n;
    const char                       *name;
    const ngx_http_ticketing_json_t  *v;

    v = claims;

    while (len) {
        n = ngx_http_ticketing_jwt_segment(path, len, &name, &nlen);
        if (n <= 0) {
            return NULL;
        }

        v = ngx_http_ticketing_json_get(v, name, nlen);
        if (v == NULL) {
            return NULL;
        }

        path += n;
        len -= (size_t) n;
    }

    return (v == claims) ? NULL : v;
}


static int
ngx_http_ticketing_jwt_eq(const char *a, size_t alen, const char *b,
    size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}


int
ngx_http_ticketing_jwt_has(const ngx_http_ticketing_json_t *claim,
    const char *value, size_t len)
{
    return ngx_http_ticketing_jwt_has_by(claim, value, len,
                                         ngx_http_ticketing_jwt_eq);
}


int
ngx_http_ticketing_jwt_has_by(const ngx_http_ticketing_json_t *claim,
    const char *value, size_t len, ngx_http_ticketing_jwt_eq_pt eq)
{
    size_t                            n;
    const char                       *s, *end, *w;
    const ngx_http_ticketing_json_t  *e;

    if (len == 0) {
        return 0;
    }

    if (ngx_http_ticketing_json_is(claim, ARRAY)) {
        for (e = ngx_http_ticketing_json_first(claim);
             e < claim + claim->size;
             e = ngx_http_ticketing_json_next(e))
        {
            if (e->type == NGX_HTTP_TICKETING_JSON_STRING
                && eq(e->str, e->len, value, len))
            {
                return 1;
            }
        }

        return 0;
    }

    if (!ngx_http_ticketing_json_is(claim, STRING)) {
        return 0;
    }

    s = claim->str;
    end = s + claim->len;

    while (s < end) {
        while (s < end && *s == ' ') {
            s++;
        }

        w = s;

        while (s < end && *s != ' ') {
            s++;
        }

        n = (size_t) (s - w);

        if (n && eq(w, n, value, len)) {
            return 1;
        }
    }

    return 0;
}
