
/*
 * Authentication and authorization, the access step: JWT (Bearer) or
 * mTLS identity, the API access role, the operation's permission,
 * organization tenancy; the $ticketing_* variables of the identity.
 *
 * Keys are read and parsed once, at configuration time, into OpenSSL
 * EVP_PKEYs (or HMAC secrets: ngx_http_ticketing_auth_conf.c); a request
 * only verifies.  The token logic itself is pure C in
 * ngx_http_ticketing_jwt.c.
 */


#include "ngx_http_ticketing_module.h"


/* a cached token without exp is verified again after this */
#define NGX_HTTP_TICKETING_AUTH_CACHE_TTL  300

/*
 * Bits of a cached token's memo: the authorization checks it has passed
 * (the role and the permission), one per operation (numbered 1..27) and
 * one for the cache purge endpoint.
 */
#define NGX_HTTP_TICKETING_AUTH_MEMO_OP(op)  ((uint64_t) 1 << (op)->number)
#define NGX_HTTP_TICKETING_AUTH_MEMO_PURGE   ((uint64_t) 1 << 63)


static ngx_int_t ngx_http_ticketing_auth_refuse(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_uint_t status, const char *error,
    const char *reason);
static ngx_int_t ngx_http_ticketing_auth_jwt(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *token, ngx_uint_t can_wait, uint64_t **memo);
static ngx_int_t ngx_http_ticketing_auth_keys(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_uint_t can_wait, const ngx_http_ticketing_jwt_key_t **keys,
    size_t *nkeys);
static ngx_http_ticketing_jwt_cache_t *ngx_http_ticketing_auth_token_cache(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_auth_jwks_miss(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_uint_t can_wait);
static ngx_int_t ngx_http_ticketing_auth_identify(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *need, uint64_t memo_bit, ngx_uint_t can_wait);
static ngx_int_t ngx_http_ticketing_auth_mtls(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *need);
static ngx_int_t ngx_http_ticketing_auth_authorize(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *need, uint64_t *memo, uint64_t memo_bit);
static ngx_int_t ngx_http_ticketing_auth_headers(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf);
static ngx_int_t ngx_http_ticketing_auth_value(ngx_http_request_t *r,
    const ngx_http_ticketing_json_t *v, ngx_str_t *out);
static ngx_int_t ngx_http_ticketing_auth_claims_have(
    const ngx_http_ticketing_json_t *claims,
    ngx_array_t *paths, ngx_str_t *value);
static int ngx_http_ticketing_auth_org_eq(const char *a, size_t alen,
    const char *b, size_t blen);
static void ngx_http_ticketing_auth_claims_cleanup(void *data);
static ngx_int_t ngx_http_ticketing_auth_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_ticketing_auth_claim_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);


/*
 * The verified-token cache of this worker, made on first use.  Its scope
 * keys are location configurations: a configuration loaded in the same
 * process (a reload with master_process off) starts a new cache, so that
 * a new configuration at an old address never finds old entries.
 */
static ngx_http_ticketing_jwt_cache_t  *ngx_http_ticketing_auth_cache_p;
static ngx_uint_t                       ngx_http_ticketing_auth_cache_failed;
static ngx_uint_t                       ngx_http_ticketing_auth_cache_gen;
static ngx_uint_t                       ngx_http_ticketing_auth_conf_gen;


#define NGX_HTTP_TICKETING_AUTH_VAR_SUBJECT  0
#define NGX_HTTP_TICKETING_AUTH_VAR_METHOD   1
#define NGX_HTTP_TICKETING_AUTH_VAR_CACHE    2


static ngx_http_variable_t  ngx_http_ticketing_auth_vars[] = {

    { ngx_string("ticketing_subject"), NULL,
      ngx_http_ticketing_auth_variable,
      NGX_HTTP_TICKETING_AUTH_VAR_SUBJECT, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_auth"), NULL,
      ngx_http_ticketing_auth_variable,
      NGX_HTTP_TICKETING_AUTH_VAR_METHOD, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_token_cache"), NULL,
      ngx_http_ticketing_auth_variable,
      NGX_HTTP_TICKETING_AUTH_VAR_CACHE, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_claim_"), NULL,
      ngx_http_ticketing_auth_claim_variable,
      0, NGX_HTTP_VAR_NOCACHEABLE|NGX_HTTP_VAR_PREFIX, 0 },

      ngx_http_null_variable
};


/* ------------------------------------------------------ access step */


/* authenticate and authorize the request (401 / 403) */
ngx_int_t
ngx_http_ticketing_auth_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_int_t                        rc;
    ngx_http_ticketing_loc_conf_t   *tlcf;

    if (ctx->auth.jwks_wait != NULL
        && ngx_http_ticketing_jwks_waiting(ctx->auth.jwks_wait))
    {
        /* re-entered by an event while it waits for a key set */
        return NGX_DONE;
    }

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (!tlcf->auth.enable) {
        /* no identity here, but a client may still not fake one upstream */
        return ngx_http_ticketing_auth_headers(r, ctx, &tlcf->auth);
    }

    rc = ngx_http_ticketing_auth_identify(r, ctx, &tlcf->auth,
                                   &tlcf->auth.need[ctx->route.op->number],
                                   NGX_HTTP_TICKETING_AUTH_MEMO_OP(
                                                        ctx->route.op), 1);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_ticketing_auth_headers(r, ctx, &tlcf->auth);
}


/*
 * The cache purge endpoint (ngx_http_ticketing_cache_purge.c): the same
 * authentication as the gateway, and the purge permission
 * (ticketing_cache_purge_permission).  NGX_OK, or an HTTP status with
 * ctx->error_detail and WWW-Authenticate set.  A content handler: it does
 * not wait for a ticketing_jwks_url key set.
 */
ngx_int_t
ngx_http_ticketing_auth_purge(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_http_ticketing_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (!tlcf->auth.enable) {
        return NGX_OK;
    }

    return ngx_http_ticketing_auth_identify(r, ctx, &tlcf->auth,
                                            &tlcf->auth.purge_permission,
                                            NGX_HTTP_TICKETING_AUTH_MEMO_PURGE,
                                            0);
}


/*
 * A token or a client certificate, then the role and "need".  "memo_bit"
 * names this check in the memo of a cached token: once a token has passed
 * it in a location, its repeats skip the claim lookups.  "can_wait": the
 * request may wait for a fetch of a ticketing_jwks_url key set (NGX_DONE).
 */
static ngx_int_t
ngx_http_ticketing_auth_identify(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *need, uint64_t memo_bit, ngx_uint_t can_wait)
{
    uint64_t   *memo;
    ngx_str_t   token, *auth;
    ngx_int_t   rc;

    /*
     * nginx keeps the Authorization header as a unique header line: it has
     * already refused a request with two (400), so there is one or none.
     */
    auth = r->headers_in.authorization
           ? &r->headers_in.authorization->value : NULL;

    if (auth == NULL) {
        if (alcf->mtls) {
            rc = ngx_http_ticketing_auth_mtls(r, ctx, alcf, need);
            if (rc != NGX_DECLINED) {
                return rc;
            }
        }

        ctx->auth.failure = NGX_HTTP_TICKETING_AUTHN_MISSING;
        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_UNAUTHORIZED,
                                              NULL, "no credentials");
    }

    /* "Bearer" (any case), one or more spaces, the token */
    if (auth->len < sizeof("Bearer") - 1
        || ngx_strncasecmp(auth->data, (u_char *) "Bearer",
                           sizeof("Bearer") - 1) != 0
        || (auth->len > sizeof("Bearer") - 1
            && auth->data[sizeof("Bearer") - 1] != ' '))
    {
        ctx->auth.failure = NGX_HTTP_TICKETING_AUTHN_MALFORMED;
        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_UNAUTHORIZED,
                                        NULL,
                                        "Authorization scheme is not Bearer");
    }

    token.data = auth->data + sizeof("Bearer") - 1;
    token.len = auth->len - (sizeof("Bearer") - 1);

    while (token.len && token.data[0] == ' ') {
        token.data++;
        token.len--;
    }

    while (token.len && token.data[token.len - 1] == ' ') {
        token.len--;
    }

    rc = ngx_http_ticketing_auth_jwt(r, ctx, alcf, &token, can_wait, &memo);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_ticketing_auth_authorize(r, ctx, alcf, need, memo,
                                             memo_bit);
}


static ngx_int_t
ngx_http_ticketing_auth_refuse(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_uint_t status, const char *error,
    const char *reason)
{
    u_char           *p;
    size_t            len;
    ngx_table_elt_t  *h;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "ticketing auth: %s", reason);

    len = sizeof("Bearer realm=\"ticketing\"") - 1;
    if (error != NULL) {
        len += sizeof(", error=\"\"") - 1 + ngx_strlen(error);
    }

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "WWW-Authenticate");
    h->value.data = p;

    p = ngx_cpymem(p, "Bearer realm=\"ticketing\"",
                   sizeof("Bearer realm=\"ticketing\"") - 1);

    if (error != NULL) {
        p = ngx_sprintf(p, ", error=\"%s\"", error);
    }

    h->value.len = p - h->value.data;

    ctx->error_detail = reason;

    return status;
}


/*
 * The keys a token is verified with: a fetched key set replaces the
 * configured keys once there is one.  NGX_OK, NGX_AGAIN to look again (a
 * set arrived while the request waited), or what answers the request.
 */
static ngx_int_t
ngx_http_ticketing_auth_keys(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_uint_t can_wait, const ngx_http_ticketing_jwt_key_t **keys,
    size_t *nkeys)
{
    ngx_int_t   rc;
    ngx_uint_t  foreign;

    *keys = NULL;
    *nkeys = 0;
    foreign = 0;

    if (alcf->jwks != NULL) {
        *keys = ngx_http_ticketing_jwks_keys(alcf->jwks, nkeys);

        if (*nkeys
            && !ngx_http_ticketing_jwks_issuer_accepted(alcf->jwks,
                                                        alcf->issuers))
        {
            /* another issuer's keys: they prove nothing here */
            *keys = NULL;
            *nkeys = 0;
            foreign = 1;
        }
    }

    if (*nkeys == 0 && alcf->keys != NULL) {
        *keys = alcf->keys->elts;
        *nkeys = alcf->keys->nelts;
    }

    if (*nkeys == 0 && foreign) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "ticketing auth: the key set's discovery document "
                      "names an issuer that is not one of this location's "
                      "\"ticketing_jwt_issuer\"");

        /* not an authentication failure: counted as a refusal only */
        ctx->auth.failure = NGX_HTTP_TICKETING_AUTH_OK;
        ctx->error_detail = "the gateway is not ready: its token keys are "
                            "another issuer's";

        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (*nkeys == 0 && alcf->jwks != NULL) {
        /* no key set yet: wait for one, or 503 */
        rc = ngx_http_ticketing_auth_jwks_miss(r, ctx, alcf, can_wait);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    if (*nkeys == 0) {
        ctx->auth.failure = NGX_HTTP_TICKETING_AUTHN_NO_KEY;
        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_UNAUTHORIZED,
                                              "invalid_token",
                                              "no token key is configured "
                                              "here");
    }

    return NGX_OK;
}


/*
 * This worker's verified-token cache, made at first use and made anew for
 * a new configuration; NULL without one.
 */
static ngx_http_ticketing_jwt_cache_t *
ngx_http_ticketing_auth_token_cache(ngx_http_request_t *r)
{
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    if (tmcf->auth.cache_size == 0) {
        return NULL;
    }

    if (ngx_http_ticketing_auth_cache_gen != ngx_http_ticketing_auth_conf_gen)
    {
        ngx_http_ticketing_jwt_cache_destroy(ngx_http_ticketing_auth_cache_p);
        ngx_http_ticketing_auth_cache_p = NULL;
        ngx_http_ticketing_auth_cache_failed = 0;
        ngx_http_ticketing_auth_cache_gen = ngx_http_ticketing_auth_conf_gen;
    }

    if (ngx_http_ticketing_auth_cache_p == NULL
        && !ngx_http_ticketing_auth_cache_failed)
    {
        ngx_http_ticketing_auth_cache_p =
                  ngx_http_ticketing_jwt_cache_create(tmcf->auth.cache_size);

        if (ngx_http_ticketing_auth_cache_p == NULL) {
            ngx_http_ticketing_auth_cache_failed = 1;
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "ticketing auth: no memory for the token cache, "
                          "running without it");
        }
    }

    return ngx_http_ticketing_auth_cache_p;
}


static ngx_int_t
ngx_http_ticketing_auth_jwt(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *token, ngx_uint_t can_wait, uint64_t **memo)
{
    size_t                               nkeys;
    ngx_int_t                            rc;
    const char                          *reason;
    ngx_pool_cleanup_t                  *cln;
    ngx_http_ticketing_jwt_cache_t      *cache;
    ngx_http_ticketing_jwt_rc_e          outcome;
    ngx_http_ticketing_jwt_verify_t      vf;
    ngx_http_ticketing_json_doc_t       *claims;
    const ngx_http_ticketing_json_t     *sub;
    const ngx_http_ticketing_jwt_key_t  *keys;

again:

    rc = ngx_http_ticketing_auth_keys(r, ctx, alcf, can_wait, &keys, &nkeys);
    if (rc == NGX_AGAIN) {
        goto again;
    }

    if (rc != NGX_OK) {
        return rc;
    }

    cache = token->len <= alcf->max_size
            ? ngx_http_ticketing_auth_token_cache(r) : NULL;

    vf.keys = keys;
    vf.nkeys = nkeys;
    vf.algs = (unsigned) alcf->algorithms;
    vf.max_size = alcf->max_size;
    vf.now = ngx_time();
    vf.leeway = alcf->leeway;
    vf.require_exp = alcf->require_exp;
    vf.max_lifetime = alcf->max_lifetime;
    vf.issuers = alcf->issuers ? alcf->issuers->elts : NULL;
    vf.nissuers = alcf->issuers ? alcf->issuers->nelts : 0;
    vf.audiences = alcf->audiences ? alcf->audiences->elts : NULL;
    vf.naudiences = alcf->audiences ? alcf->audiences->nelts : 0;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    /* the scope of a cached token: this location's configuration */
    claims = ngx_http_ticketing_jwt_cache_get(cache, alcf, token->data,
                                              token->len, vf.now, memo);

    if (cache != NULL) {
        ctx->auth.token_cache = claims ? "HIT" : "MISS";
        ngx_http_ticketing_metrics_inc(claims
                                       ? NGX_HTTP_TICKETING_M_TOKEN_CACHE_HIT
                                       : NGX_HTTP_TICKETING_M_TOKEN_CACHE_MISS);
    }

    if (claims != NULL) {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing auth: token found in the cache");

    } else if ((outcome = ngx_http_ticketing_jwt_verify(token->data,
                                                        token->len, &vf,
                                                        &claims))
               != NGX_HTTP_TICKETING_JWT_OK)
    {
        ctx->auth.failure = ngx_http_ticketing_prom_jwt_failure(outcome);
        reason = ngx_http_ticketing_jwt_message(outcome);

        if (ctx->auth.failure == NGX_HTTP_TICKETING_AUTHN_UNKNOWN_KID
            && alcf->jwks != NULL)
        {
            /* the IdP may have published the key since the last fetch */
            rc = ngx_http_ticketing_auth_jwks_miss(r, ctx, alcf, can_wait);
            if (rc == NGX_AGAIN) {
                goto again;
            }

            if (rc != NGX_DECLINED) {
                return rc;
            }
        }

        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_UNAUTHORIZED,
                                              "invalid_token", reason);

    } else if (cache != NULL) {
        ngx_http_ticketing_jwt_cache_put(cache, alcf, token->data, token->len,
                      claims,
                      ngx_http_ticketing_jwt_cache_until(claims->values,
                                          vf.now, vf.leeway,
                                          NGX_HTTP_TICKETING_AUTH_CACHE_TTL),
                      memo);
    }

    cln->handler = ngx_http_ticketing_auth_claims_cleanup;
    cln->data = claims;

    ctx->auth.method = NGX_HTTP_TICKETING_AUTH_JWT;
    ctx->auth.claims = claims->values;
    ctx->auth.key_id = claims->tag;

    sub = ngx_http_ticketing_json_get(ctx->auth.claims, "sub", 3);

    if (sub != NULL
        && ngx_http_ticketing_auth_value(r, sub, &ctx->auth.subject)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing auth: token verified, subject \"%V\"",
                   &ctx->auth.subject);

    return NGX_OK;
}


/*
 * The token's key is not among those of the location: its
 * ticketing_jwks_url set lacks the kid, or no set is loaded yet.  Wait for
 * a fetch of the set (NGX_DONE), look again now (NGX_AGAIN), or answer:
 * 503 while this worker has never loaded a set (the gateway is not ready:
 * its keys are missing, the token may well be good), NGX_DECLINED for the
 * usual 401.
 */
static ngx_int_t
ngx_http_ticketing_auth_jwks_miss(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_uint_t can_wait)
{
    ngx_int_t  rc;

    if (can_wait) {
        rc = ngx_http_ticketing_jwks_wait(alcf->jwks, r, &ctx->auth.jwks_wait);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    if (ngx_http_ticketing_jwks_loaded(alcf->jwks)) {
        return NGX_DECLINED;
    }

    /* not an authentication failure: counted as a refusal only */
    ctx->auth.failure = NGX_HTTP_TICKETING_AUTH_OK;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "ticketing auth: no key set is loaded yet from the "
                  "ticketing_jwks_url");

    ctx->error_detail = "the gateway is not ready: its token keys are not "
                        "loaded yet";

    return NGX_HTTP_SERVICE_UNAVAILABLE;
}


/* NGX_DECLINED: no verified client certificate, fall back to a 401 */
static ngx_int_t
ngx_http_ticketing_auth_mtls(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *need)
{
#if (NGX_HTTP_SSL)

    ngx_str_t                          verify, dn, *perm;
    ngx_uint_t                         i, j;
    ngx_http_ticketing_auth_client_t  *cl;

    if (r->connection->ssl == NULL) {
        return NGX_DECLINED;
    }

    if (ngx_ssl_get_client_verify(r->connection, r->pool, &verify) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (verify.len != sizeof("SUCCESS") - 1
        || ngx_strncmp(verify.data, "SUCCESS", verify.len) != 0)
    {
        return NGX_DECLINED;
    }

    if (ngx_ssl_get_subject_dn(r->connection, r->pool, &dn) != NGX_OK) {
        return NGX_ERROR;
    }

    cl = alcf->mtls_clients->elts;

    for (i = 0; i < alcf->mtls_clients->nelts; i++) {
        if ((cl[i].dn.len == 1 && cl[i].dn.data[0] == '*')
            || (cl[i].dn.len == dn.len
                && ngx_strncmp(cl[i].dn.data, dn.data, dn.len) == 0))
        {
            break;
        }
    }

    if (i == alcf->mtls_clients->nelts) {
        ctx->auth.failure = NGX_HTTP_TICKETING_AUTHN_MTLS_REJECTED;
        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_FORBIDDEN,
                                         "insufficient_scope",
                                         "client certificate is not accepted");
    }

    ctx->auth.method = NGX_HTTP_TICKETING_AUTH_MTLS;
    ctx->auth.subject = dn;

    if (!cl[i].all) {
        perm = cl[i].permissions.elts;

        for (j = 0; j < cl[i].permissions.nelts; j++) {
            if (perm[j].len == need->len
                && ngx_strncmp(perm[j].data, need->data, need->len) == 0)
            {
                break;
            }
        }

        if (j == cl[i].permissions.nelts) {
            ctx->auth.failure = NGX_HTTP_TICKETING_AUTHZ_PERMISSION;
            return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_FORBIDDEN,
                                        "insufficient_scope",
                                        "client certificate lacks the "
                                        "operation's permission");
        }
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing auth: client certificate \"%V\" accepted", &dn);

    return NGX_OK;

#else

    return NGX_DECLINED;

#endif
}


static ngx_int_t
ngx_http_ticketing_auth_authorize(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_str_t *need, uint64_t *memo, uint64_t memo_bit)
{
    u_char                     *p;
    ngx_http_ticketing_span_t  *org;

    if (memo != NULL && (*memo & memo_bit)) {
        goto tenancy;
    }

    if (alcf->api_role.len
        && !ngx_http_ticketing_auth_claims_have(ctx->auth.claims,
                                                alcf->roles_claims,
                                                &alcf->api_role))
    {
        ctx->auth.failure = NGX_HTTP_TICKETING_AUTHZ_ROLE;
        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_FORBIDDEN,
                                         "insufficient_scope",
                                         "token lacks the API access role");
    }

    if (!ngx_http_ticketing_auth_claims_have(ctx->auth.claims,
                                             alcf->perms_claims, need))
    {
        /* the permission is configuration, not client input: safe */
        p = ngx_pnalloc(r->pool, need->len + sizeof("token lacks permission "));
        if (p == NULL) {
            return NGX_ERROR;
        }

        *ngx_sprintf(p, "token lacks permission %V", need) = '\0';

        ctx->auth.failure = NGX_HTTP_TICKETING_AUTHZ_PERMISSION;
        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_FORBIDDEN,
                                              "insufficient_scope",
                                              (const char *) p);
    }

    if (memo != NULL) {
        *memo |= memo_bit;
    }

tenancy:

    org = &ctx->route.params[NGX_HTTP_TICKETING_PARAM_ORG];

    if (org->len == 0) {
        /* the provider step checks the organization it resolves */
        return NGX_OK;
    }

    return ngx_http_ticketing_auth_check_org(r, ctx, org->data, org->len);
}


/* organization names compare by the routing's rule (normalize.c) */
static int
ngx_http_ticketing_auth_org_eq(const char *a, size_t alen, const char *b,
    size_t blen)
{
    return ngx_http_ticketing_org_equal((const u_char *) a, alen,
                                        (const u_char *) b, blen);
}


/*
 * Tenancy: the token's organization claim must name the organization the
 * request is for, names compared by the rule routing uses.  The auth step
 * checks the path's {org}; the provider step checks the one it resolves
 * from a header or a default, for operations without {org}.  It applies
 * to tokens (mTLS clients are not limited).
 */
ngx_int_t
ngx_http_ticketing_auth_check_org(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, const u_char *org, size_t len)
{
    ngx_http_ticketing_loc_conf_t       *tlcf;
    const ngx_http_ticketing_json_t     *orgs;
    ngx_http_ticketing_auth_loc_conf_t  *alcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);
    alcf = &tlcf->auth;

    if (alcf->tenancy_claim.len == 0 || ctx->auth.claims == NULL) {
        return NGX_OK;
    }

    orgs = ngx_http_ticketing_jwt_claim(ctx->auth.claims,
                                        (const char *) alcf->tenancy_claim.data,
                                        alcf->tenancy_claim.len);

    if (orgs == NULL
        || !ngx_http_ticketing_jwt_has_by(orgs, (const char *) org, len,
                                          ngx_http_ticketing_auth_org_eq))
    {
        ctx->auth.failure = NGX_HTTP_TICKETING_AUTHZ_TENANCY;
        return ngx_http_ticketing_auth_refuse(r, ctx, NGX_HTTP_FORBIDDEN,
                                   "insufficient_scope",
                                   "token is not valid for this organization");
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_auth_claims_have(const ngx_http_ticketing_json_t *claims,
    ngx_array_t *paths, ngx_str_t *value)
{
    ngx_str_t                        *path;
    ngx_uint_t                        i;
    const ngx_http_ticketing_json_t  *v;

    path = paths->elts;

    for (i = 0; i < paths->nelts; i++) {
        v = ngx_http_ticketing_jwt_claim(claims, (const char *) path[i].data,
                                         path[i].len);

        if (v != NULL
            && ngx_http_ticketing_jwt_has(v, (const char *) value->data,
                                          value->len))
        {
            return 1;
        }
    }

    return 0;
}


/*
 * Removes every client-sent copy of the identity headers, then sets them
 * from the identity established (if any).
 */
static ngx_int_t
ngx_http_ticketing_auth_headers(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_auth_loc_conf_t *alcf)
{
    ngx_int_t                          strip;
    ngx_str_t                          value;
    ngx_uint_t                         i, j, n;
    ngx_http_ticketing_auth_header_t  *ih;
    const ngx_http_ticketing_json_t   *v;

    ih = alcf->headers->elts;
    n = alcf->headers->nelts;

    strip = ngx_http_ticketing_remove_request_headers(r, ctx,
                                         NGX_HTTP_TICKETING_HEADER_IDENTITY);
    if (strip == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (strip) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "ticketing auth: removed %i client-sent identity "
                      "header(s)", strip);
    }

    for (j = 0; j < n && ctx->auth.method != NGX_HTTP_TICKETING_AUTH_NONE;
         j++)
    {
        if (ctx->auth.method == NGX_HTTP_TICKETING_AUTH_MTLS) {
            if (ih[j].claim.len != 3
                || ngx_strncmp(ih[j].claim.data, "sub", 3) != 0)
            {
                continue;
            }

            value = ctx->auth.subject;

            for (i = 0; i < value.len; i++) {
                if (value.data[i] < 0x20 || value.data[i] == 0x7f) {
                    value.len = 0;
                }
            }

        } else if (ih[j].claim.len == 3
                   && ngx_strncmp(ih[j].claim.data, "sub", 3) == 0)
        {
            /* the auth step has read it already, the same way */
            value = ctx->auth.subject;

        } else {
            v = ngx_http_ticketing_jwt_claim(ctx->auth.claims,
                                             (const char *) ih[j].claim.data,
                                             ih[j].claim.len);
            if (v == NULL) {
                continue;
            }

            if (ngx_http_ticketing_auth_value(r, v, &value) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (value.len == 0) {
            continue;
        }

        if (ngx_http_ticketing_add_request_header(r, ctx, &ih[j].name,
                                                  ih[j].lowcase.data,
                                                  ih[j].hash, &value)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/*
 * A claim as a header-safe string: strings, numbers and booleans; control
 * characters, or a space at either end, make it empty (never forwarded).
 * Arrays and objects: empty.
 */
static ngx_int_t
ngx_http_ticketing_auth_value(ngx_http_request_t *r,
    const ngx_http_ticketing_json_t *v, ngx_str_t *out)
{
    u_char      *p;
    size_t       i, len;
    int64_t      n;
    const char  *s;

    ngx_str_null(out);

    if (v->type == NGX_HTTP_TICKETING_JSON_STRING) {
        s = v->str;
        len = v->len;

        for (i = 0; i < len; i++) {
            if ((u_char) s[i] < 0x20 || s[i] == 0x7f) {
                return NGX_OK;
            }
        }

        /* a header value loses them: " alice" would reach "alice" */
        if (len && (s[0] == ' ' || s[len - 1] == ' ')) {
            return NGX_OK;
        }

        out->data = (u_char *) s;
        out->len = len;

        return NGX_OK;
    }

    if (v->type == NGX_HTTP_TICKETING_JSON_INTEGER) {
        p = ngx_pnalloc(r->pool, NGX_INT64_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        out->data = p;
        n = v->num.integer;

        /*
         * "%L" negates a negative value, which is undefined for the
         * smallest one (a token may hold -9223372036854775808): the
         * magnitude is taken in unsigned arithmetic instead.
         */
        if (n < 0) {
            *p++ = '-';
            p = ngx_sprintf(p, "%uL", (uint64_t) 0 - (uint64_t) n);

        } else {
            p = ngx_sprintf(p, "%uL", (uint64_t) n);
        }

        out->len = p - out->data;

        return NGX_OK;
    }

    if (v->type == NGX_HTTP_TICKETING_JSON_TRUE) {
        ngx_str_set(out, "true");

    } else if (v->type == NGX_HTTP_TICKETING_JSON_FALSE) {
        ngx_str_set(out, "false");
    }

    return NGX_OK;
}


static void
ngx_http_ticketing_auth_claims_cleanup(void *data)
{
    ngx_http_ticketing_json_unref(data);
}


/* ------------------------------------------------------- variables */


static ngx_http_ticketing_ctx_t *
ngx_http_ticketing_auth_ctx(ngx_http_request_t *r)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->auth.method == NGX_HTTP_TICKETING_AUTH_NONE) {
        return NULL;
    }

    return ctx;
}


static ngx_int_t
ngx_http_ticketing_auth_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_ticketing_ctx_t  *ctx;

    /* the cache answered also for a token then refused */
    ctx = (data == NGX_HTTP_TICKETING_AUTH_VAR_CACHE)
          ? ngx_http_get_module_ctx(r, ngx_http_ticketing_module)
          : ngx_http_ticketing_auth_ctx(r);

    if (ctx == NULL
        || (data == NGX_HTTP_TICKETING_AUTH_VAR_CACHE
            && ctx->auth.token_cache == NULL))
    {
        v->not_found = 1;
        return NGX_OK;
    }

    if (data == NGX_HTTP_TICKETING_AUTH_VAR_CACHE) {
        v->data = (u_char *) ctx->auth.token_cache;
        v->len = ngx_strlen(ctx->auth.token_cache);

    } else if (data == NGX_HTTP_TICKETING_AUTH_VAR_SUBJECT) {
        if (ctx->auth.subject.len == 0) {
            v->not_found = 1;
            return NGX_OK;
        }

        v->data = ctx->auth.subject.data;
        v->len = ctx->auth.subject.len;

    } else if (ctx->auth.method == NGX_HTTP_TICKETING_AUTH_JWT) {
        v->data = (u_char *) "jwt";
        v->len = 3;

    } else {
        v->data = (u_char *) "mtls";
        v->len = 4;
    }

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


/* $ticketing_claim_NAME: the top-level claim NAME of a verified token */
static ngx_int_t
ngx_http_ticketing_auth_claim_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_str_t                 *name = (ngx_str_t *) data;

    ngx_str_t                         value;
    ngx_http_ticketing_ctx_t         *ctx;
    const ngx_http_ticketing_json_t  *c;

    ctx = ngx_http_ticketing_auth_ctx(r);

    if (ctx == NULL || ctx->auth.claims == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    c = ngx_http_ticketing_json_get(ctx->auth.claims,
                         (const char *) name->data
                             + sizeof("ticketing_claim_") - 1,
                         name->len - (sizeof("ticketing_claim_") - 1));

    if (c == NULL || ngx_http_ticketing_auth_value(r, c, &value) != NGX_OK
        || value.len == 0)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = value.data;
    v->len = value.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_auth_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_ticketing_register_variables(cf,
                                                 ngx_http_ticketing_auth_vars);
}


/* ----------------------------------------------------------- worker */


/*
 * The worker's JWKS fetchers and its verified-token cache, malloc()ed per
 * worker: given back when the worker exits (the module may be unloaded
 * right after, taking the pointer with it, which leak checkers report).
 */
void
ngx_http_ticketing_auth_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_ticketing_jwks_exit_process(cycle);

    ngx_http_ticketing_jwt_cache_destroy(ngx_http_ticketing_auth_cache_p);
    ngx_http_ticketing_auth_cache_p = NULL;
}


void
ngx_http_ticketing_auth_keys_changed(void)
{
    /* the token cache starts over on its next use */
    ngx_http_ticketing_auth_conf_gen++;
}
