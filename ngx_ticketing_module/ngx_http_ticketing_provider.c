
/*
 * The ticketing-provider header and organizations: aliases, defaults,
 * per-organization upstreams.
 *
 * Every request leaves this step with exactly one ticketing-provider
 * header holding a canonical value, and with its organization resolved
 * when organizations are declared.
 */


#include <jansson.h>

#include "ngx_http_ticketing_module.h"


#define NGX_HTTP_TICKETING_PROVIDER_HEADER  "ticketing-provider"


static ngx_int_t ngx_http_ticketing_provider_add(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *pmcf, ngx_str_t *name,
    ngx_str_t *aliases, ngx_uint_t naliases);
static ngx_int_t ngx_http_ticketing_alias_add(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *pmcf, ngx_str_t *name,
    ngx_uint_t index);
static ngx_uint_t ngx_http_ticketing_provider_lookup(
    ngx_http_ticketing_provider_main_conf_t *pmcf, u_char *data, size_t len,
    ngx_http_ticketing_norm_rc_e *rc);
static ngx_http_ticketing_org_t *ngx_http_ticketing_org_find(
    ngx_http_ticketing_provider_main_conf_t *pmcf, u_char *name, size_t len);
static ngx_int_t ngx_http_ticketing_resolve_org(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf,
    ngx_http_ticketing_provider_loc_conf_t *plcf, ngx_table_elt_t *org_sent,
    ngx_uint_t norg);
static ngx_int_t ngx_http_ticketing_resolve_provider(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf,
    ngx_http_ticketing_provider_loc_conf_t *plcf);
static ngx_uint_t ngx_http_ticketing_claim_provider(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf,
    ngx_http_ticketing_provider_loc_conf_t *plcf);
static ngx_int_t ngx_http_ticketing_header_authority(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_table_elt_t **org_sent,
    ngx_uint_t *norg);
static ngx_int_t ngx_http_ticketing_set_org_header(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_loc_conf_t *plcf, ngx_str_t *org);
static ngx_int_t ngx_http_ticketing_refuse_provider(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf, const char *what);
static ngx_int_t ngx_http_ticketing_provider_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_ticketing_upstream_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);


static ngx_http_variable_t  ngx_http_ticketing_provider_vars[] = {

    { ngx_string("ticketing_provider"), NULL,
      ngx_http_ticketing_provider_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("ticketing_upstream"), NULL,
      ngx_http_ticketing_upstream_variable, 0, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


static ngx_str_t  ngx_http_ticketing_provider_key =
    ngx_string(NGX_HTTP_TICKETING_PROVIDER_HEADER);


ngx_int_t
ngx_http_ticketing_provider_preconfiguration(ngx_conf_t *cf)
{
    return ngx_http_ticketing_register_variables(cf,
                                             ngx_http_ticketing_provider_vars);
}


ngx_int_t
ngx_http_ticketing_provider_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *conf)
{
    /*
     * set by ngx_pcalloc():
     *
     *     conf->orgs = NULL;
     *     conf->allowed = { 0, NULL };
     */

    conf->providers = ngx_array_create(cf->pool, 4, sizeof(ngx_str_t));
    if (conf->providers == NULL) {
        return NGX_ERROR;
    }

    conf->aliases = ngx_array_create(cf->pool, 16,
                                     sizeof(ngx_http_ticketing_alias_t));
    if (conf->aliases == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


char *
ngx_http_ticketing_provider_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *conf)
{
    u_char                                   *p;
    size_t                                    len;
    ngx_str_t                                 name, aliases[6], *prov;
    ngx_uint_t                                i, k, n;
    ngx_array_t                               keys;
    ngx_hash_key_t                           *hk;
    ngx_hash_init_t                           hash;
    ngx_http_ticketing_org_t                 *org;
    ngx_http_ticketing_norm_rc_e              rc;
    ngx_http_upstream_srv_conf_t            **uscfp;
    ngx_http_upstream_main_conf_t            *umcf;
    const ngx_http_ticketing_provider_def_t  *def;

    /* no ticketing_provider at all: the providers the API documents */

    if (conf->providers->nelts == 0) {
        for (i = 0; i < ngx_http_ticketing_ndefault_providers; i++) {
            def = &ngx_http_ticketing_default_providers[i];

            name.data = (u_char *) def->name;
            name.len = ngx_strlen(def->name);

            for (n = 0; def->aliases[n] != NULL; n++) {
                aliases[n].data = (u_char *) def->aliases[n];
                aliases[n].len = ngx_strlen(def->aliases[n]);
            }

            if (ngx_http_ticketing_provider_add(cf, conf, &name, aliases, n)
                != NGX_OK)
            {
                return NGX_CONF_ERROR;
            }
        }
    }

    prov = conf->providers->elts;

    len = 0;
    for (i = 0; i < conf->providers->nelts; i++) {
        len += prov[i].len + 2;
    }

    p = ngx_pnalloc(cf->pool, len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    conf->allowed.data = p;

    for (i = 0; i < conf->providers->nelts; i++) {
        if (i) {
            *p++ = ','; *p++ = ' ';
        }

        p = ngx_cpymem(p, prov[i].data, prov[i].len);
    }

    conf->allowed.len = p - conf->allowed.data;

    if (conf->orgs == NULL) {
        return NGX_CONF_OK;
    }

    /* organizations: providers and upstreams exist, then the name hash */

    umcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_upstream_module);
    uscfp = umcf->upstreams.elts;

    if (ngx_array_init(&keys, cf->temp_pool, conf->orgs->nelts,
                       sizeof(ngx_hash_key_t))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    org = conf->orgs->elts;

    for (i = 0; i < conf->orgs->nelts; i++) {

        if (org[i].provider_name.len) {
            org[i].provider = ngx_http_ticketing_provider_lookup(conf,
                                                   org[i].provider_name.data,
                                                   org[i].provider_name.len,
                                                   &rc);

            if (org[i].provider == NGX_HTTP_TICKETING_NO_PROVIDER) {
                ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                              "unknown provider \"%V\" in \"ticketing_org\" "
                              "\"%V\" in %s:%ui; allowed: %V",
                              &org[i].provider_name, &org[i].name,
                              org[i].file, org[i].line, &conf->allowed);
                return NGX_CONF_ERROR;
            }
        }

        for (k = 0; k < umcf->upstreams.nelts; k++) {
            if ((uscfp[k]->flags & NGX_HTTP_UPSTREAM_CREATE)
                && uscfp[k]->host.len == org[i].upstream.len
                && ngx_strncasecmp(uscfp[k]->host.data, org[i].upstream.data,
                                   org[i].upstream.len)
                   == 0)
            {
                break;
            }
        }

        if (k == umcf->upstreams.nelts) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "upstream \"%V\" of \"ticketing_org\" \"%V\" "
                          "in %s:%ui is not defined by an \"upstream\" block",
                          &org[i].upstream, &org[i].name,
                          org[i].file, org[i].line);
            return NGX_CONF_ERROR;
        }

        hk = ngx_array_push(&keys);
        if (hk == NULL) {
            return NGX_CONF_ERROR;
        }

        hk->key = org[i].name;
        hk->key_hash = ngx_hash_key(org[i].name.data, org[i].name.len);
        hk->value = &org[i];
    }

    hash.hash = &conf->org_hash;
    hash.key = ngx_hash_key;
    hash.max_size = 4096;
    hash.bucket_size = ngx_align(64, ngx_cacheline_size);
    hash.name = "ticketing_org_hash";
    hash.pool = cf->pool;
    hash.temp_pool = NULL;

    if (ngx_hash_init(&hash, keys.elts, keys.nelts) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_provider_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_loc_conf_t *conf)
{
    /*
     * set by ngx_pcalloc():
     *
     *     conf->default_provider_name = { 0, NULL };
     *     conf->default_org_name = { 0, NULL };
     *     conf->default_org = NULL;
     *     conf->org_header = { 0, NULL };
     *     conf->provider_claim = { 0, NULL };
     */

    conf->default_provider = NGX_CONF_UNSET_UINT;

    return NGX_OK;
}


char *
ngx_http_ticketing_provider_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_provider_loc_conf_t *prev,
    ngx_http_ticketing_provider_loc_conf_t *conf)
{
    u_char                                   *name;
    ngx_http_ticketing_norm_rc_e              rc;
    ngx_http_ticketing_main_conf_t           *tmcf;
    ngx_http_ticketing_provider_main_conf_t  *pmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);
    pmcf = &tmcf->provider;

    ngx_conf_merge_str_value(conf->default_provider_name,
                             prev->default_provider_name, "");
    ngx_conf_merge_str_value(conf->default_org_name, prev->default_org_name,
                             "");
    ngx_conf_merge_str_value(conf->org_header, prev->org_header, "");

    /* compared with nginx's lower-cased header names */
    ngx_strlow(conf->org_header.data, conf->org_header.data,
               conf->org_header.len);
    ngx_conf_merge_str_value(conf->provider_claim, prev->provider_claim, "");

    conf->default_provider = NGX_HTTP_TICKETING_NO_PROVIDER;

    if (conf->default_provider_name.len) {
        conf->default_provider = ngx_http_ticketing_provider_lookup(pmcf,
                                             conf->default_provider_name.data,
                                             conf->default_provider_name.len,
                                             &rc);

        if (conf->default_provider == NGX_HTTP_TICKETING_NO_PROVIDER) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "unknown provider \"%V\" in "
                               "\"ticketing_provider_default\" directive; "
                               "allowed: %V",
                               &conf->default_provider_name, &pmcf->allowed);
            return NGX_CONF_ERROR;
        }
    }

    conf->default_org = NULL;

    if (conf->default_org_name.len) {
        name = ngx_pnalloc(cf->temp_pool, conf->default_org_name.len);
        if (name == NULL) {
            return NGX_CONF_ERROR;
        }

        rc = ngx_http_ticketing_org_clean(conf->default_org_name.data,
                                          conf->default_org_name.len, name);

        if (rc == NGX_HTTP_TICKETING_NORM_OK) {
            conf->default_org = ngx_http_ticketing_org_find(pmcf, name,
                                                 conf->default_org_name.len);
        }

        if (conf->default_org == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"ticketing_default_org\" \"%V\" is not "
                               "declared by \"ticketing_org\"",
                               &conf->default_org_name);
            return NGX_CONF_ERROR;
        }
    }

    return NGX_CONF_OK;
}


/*
 * Normalizes ticketing-provider and resolves the organization:
 * 404 for an undeclared organization, 400 for a missing, unknown,
 * conflicting or malformed provider.
 */
ngx_int_t
ngx_http_ticketing_provider_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_int_t                                 rc;
    ngx_uint_t                                norg;
    ngx_table_elt_t                          *org_sent;
    ngx_http_ticketing_loc_conf_t            *tlcf;
    ngx_http_ticketing_main_conf_t           *tmcf;

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);
    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    rc = ngx_http_ticketing_header_authority(r, ctx, &org_sent, &norg);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_ticketing_resolve_org(r, ctx, &tmcf->provider,
                                        &tlcf->provider, org_sent, norg);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_http_ticketing_resolve_provider(r, ctx, &tmcf->provider,
                                               &tlcf->provider);
}


/*
 * The gateway decides on the method, and validates the one Content-Type
 * it reads: a header that would make the upstream act on another method
 * (an upstream honouring X-HTTP-Method-Override would delete on a GET
 * authorized as a read), or a second Content-Type the upstream may read
 * instead of the one validated, is refused.  The same walk over the
 * request headers counts the organization headers ("org_sent": the last).
 */
static ngx_int_t
ngx_http_ticketing_header_authority(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_table_elt_t **org_sent,
    ngx_uint_t *norg)
{
    ngx_uint_t                     i;
    ngx_http_ticketing_header_t   *h;
    ngx_http_ticketing_headers_t  *hs;

    *org_sent = NULL;
    *norg = 0;

    hs = ngx_http_ticketing_request_headers(r, ctx);
    if (hs == NULL) {
        return NGX_ERROR;
    }

    i = 0;

    while ((h = ngx_http_ticketing_headers_next(hs,
                                    NGX_HTTP_TICKETING_HEADER_ORG
                                    | NGX_HTTP_TICKETING_HEADER_CONTENT_TYPE
                                    | NGX_HTTP_TICKETING_HEADER_METHOD_OVERRIDE,
                                    &i))
           != NULL)
    {
        if (h->kinds & NGX_HTTP_TICKETING_HEADER_ORG) {
            *org_sent = h->header;
            (*norg)++;
            continue;
        }

        if (h->kinds & NGX_HTTP_TICKETING_HEADER_CONTENT_TYPE) {
            if (h->header == r->headers_in.content_type) {
                continue;
            }

            /*
             * nginx reads "Content-Type" only; an upstream may read
             * "Content_Type" (underscores_in_headers on) as the same
             */
            ctx->error_detail = r->headers_in.content_type == NULL
                                && ngx_memcmp(h->header->lowcase_key,
                                              "content-type",
                                              sizeof("content-type") - 1)
                                   != 0
                                ? "Content-Type spelled with \"_\" is not "
                                  "accepted: send Content-Type"
                                : "the Content-Type header is repeated";
            return NGX_HTTP_BAD_REQUEST;
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "ticketing: refused a method override header \"%V\"",
                      &h->header->key);
        ctx->error_detail = "method override headers are not accepted: "
                            "send the request with its own method";
        return NGX_HTTP_BAD_REQUEST;
    }

    return NGX_OK;
}


/*
 * The organization: {org} of the path; for operations without one, the
 * organization header when configured and sent, else ticketing_default_org.
 * The organization header the upstream receives, when configured, is the
 * gateway's: it names the organization routed and authorized, whatever
 * copies the client sent.
 */
static ngx_int_t
ngx_http_ticketing_resolve_org(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf,
    ngx_http_ticketing_provider_loc_conf_t *plcf, ngx_table_elt_t *org_sent,
    ngx_uint_t norg)
{
    u_char                        *name;
    ngx_int_t                      n, status;
    ngx_str_t                      value, clean;
    ngx_http_ticketing_span_t     *param;
    ngx_http_ticketing_norm_rc_e   rc;

    param = &ctx->route.params[NGX_HTTP_TICKETING_PARAM_ORG];

    if (param->len) {
        value.data = (u_char *) param->data;
        value.len = param->len;
        n = 1;

    } else {
        n = (ngx_int_t) norg;

        if (n == 1) {
            value = org_sent->value;
        }

        if (n > 1) {
            ctx->error_detail = "the organization header is repeated";
            return NGX_HTTP_BAD_REQUEST;
        }
    }

    if (n == 1) {
        name = ngx_pnalloc(r->pool, value.len);
        if (name == NULL) {
            return NGX_ERROR;
        }

        rc = ngx_http_ticketing_org_clean(value.data, value.len, name);

        clean.data = name;
        clean.len = value.len;

        if (pmcf->orgs == NULL) {
            /*
             * No organization declared: they are not routed, but the
             * organization header still carries only what tenancy allows.
             */
            if (!plcf->org_header.len) {
                return NGX_OK;
            }

            if (rc != NGX_HTTP_TICKETING_NORM_OK) {
                ctx->error_detail = "the organization is not a valid "
                                    "organization name";
                return NGX_HTTP_BAD_REQUEST;
            }

            if (!param->len) {
                status = ngx_http_ticketing_auth_check_org(r, ctx, clean.data,
                                                           clean.len);
                if (status != NGX_OK) {
                    return status;
                }
            }

            /* the upstream's answer may depend on it: the cache keys it */
            ctx->org_sent = clean;

            return ngx_http_ticketing_set_org_header(r, ctx, plcf, &clean);
        }

        if (rc == NGX_HTTP_TICKETING_NORM_OK) {
            ctx->org = ngx_http_ticketing_org_find(pmcf, name, value.len);

        } else if (!param->len) {
            ctx->error_detail = "the organization header is not a valid "
                                "organization name";
            return NGX_HTTP_BAD_REQUEST;
        }

        if (ctx->org == NULL) {
            ctx->error_detail = "organization is not declared";
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing provider: undeclared organization");
            return NGX_HTTP_NOT_FOUND;
        }

        /* the path's organization was checked by the auth step */

        if (!param->len) {
            status = ngx_http_ticketing_auth_check_org(r, ctx,
                                                       ctx->org->name.data,
                                                       ctx->org->name.len);
            if (status != NGX_OK) {
                return status;
            }
        }

        return ngx_http_ticketing_set_org_header(r, ctx, plcf, &ctx->org->name);
    }

    if (pmcf->orgs == NULL) {
        return NGX_OK;
    }

    if (plcf->default_org) {
        ctx->org = plcf->default_org;
        return ngx_http_ticketing_auth_check_org(r, ctx, ctx->org->name.data,
                                                 ctx->org->name.len);
    }

    ctx->error_detail = plcf->org_header.len
                        ? "this operation needs an organization: "
                          "send the organization header"
                        : "no organization is configured for this operation";

    return NGX_HTTP_BAD_REQUEST;
}


/* the organization header, when configured, names the organization given */
static ngx_int_t
ngx_http_ticketing_set_org_header(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_loc_conf_t *plcf, ngx_str_t *org)
{
    if (!plcf->org_header.len) {
        return NGX_OK;
    }

    return ngx_http_ticketing_set_request_header(r, ctx,
                                                 NGX_HTTP_TICKETING_HEADER_ORG,
                                                 &plcf->org_header, org);
}


static ngx_int_t
ngx_http_ticketing_resolve_provider(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf,
    ngx_http_ticketing_provider_loc_conf_t *plcf)
{
    size_t                             len;
    ngx_str_t                         *prov;
    ngx_uint_t                         i, n, found;
    ngx_table_elt_t                   *sent;
    ngx_http_ticketing_norm_rc_e       rc;
    ngx_http_ticketing_header_t       *h;
    ngx_http_ticketing_headers_t      *hs;
    const ngx_http_ticketing_alias_t  *a;
    u_char                             clean[NGX_HTTP_TICKETING_PROVIDER_MAX];

    found = NGX_HTTP_TICKETING_NO_PROVIDER;
    n = 0;
    sent = NULL;

    hs = ngx_http_ticketing_request_headers(r, ctx);
    if (hs == NULL) {
        return NGX_ERROR;
    }

    i = 0;

    while ((h = ngx_http_ticketing_headers_next(hs,
                                          NGX_HTTP_TICKETING_HEADER_PROVIDER,
                                          &i))
           != NULL)
    {
        n++;
        sent = h->header;

        rc = ngx_http_ticketing_provider_clean(sent->value.data,
                                               sent->value.len, clean, &len);

        if (rc == NGX_HTTP_TICKETING_NORM_CONTROL) {
            return ngx_http_ticketing_refuse_provider(r, ctx, pmcf,
                               "ticketing-provider contains a control "
                               "character");
        }

        if (rc == NGX_HTTP_TICKETING_NORM_EMPTY) {
            return ngx_http_ticketing_refuse_provider(r, ctx, pmcf,
                                            "ticketing-provider is empty");
        }

        a = NULL;

        if (rc == NGX_HTTP_TICKETING_NORM_OK) {
            a = ngx_http_ticketing_alias_find(pmcf->aliases->elts,
                                              pmcf->aliases->nelts,
                                              clean, len);
        }

        if (a == NULL) {
            return ngx_http_ticketing_refuse_provider(r, ctx, pmcf,
                                            "unknown ticketing-provider");
        }

        if (found != NGX_HTTP_TICKETING_NO_PROVIDER && found != a->index) {
            return ngx_http_ticketing_refuse_provider(r, ctx, pmcf,
                                "conflicting ticketing-provider headers");
        }

        found = a->index;
    }

    if (n == 0) {

        /* the default: the organization's, a claim's, the location's */

        if (ctx->org && ctx->org->provider != NGX_HTTP_TICKETING_NO_PROVIDER)
        {
            found = ctx->org->provider;

        } else {
            found = ngx_http_ticketing_claim_provider(r, ctx, pmcf, plcf);

            if (found == NGX_HTTP_TICKETING_NO_PROVIDER) {
                found = plcf->default_provider;
            }
        }

        if (found == NGX_HTTP_TICKETING_NO_PROVIDER) {
            return ngx_http_ticketing_refuse_provider(r, ctx, pmcf,
                                     "the ticketing-provider header is "
                                     "required");
        }
    }

    prov = pmcf->providers->elts;
    ctx->provider = prov[found];

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing provider: \"%V\" from %s", &ctx->provider,
                   n ? "the header" : "a default");

    if (n == 1
        && sent->value.len == ctx->provider.len
        && ngx_memcmp(sent->value.data, ctx->provider.data, sent->value.len)
           == 0
        && ngx_memcmp(sent->key.data, ngx_http_ticketing_provider_key.data,
                      ngx_http_ticketing_provider_key.len)
           == 0)
    {
        /* one header, already canonical: the list stays as it is */
        return NGX_OK;
    }

    return ngx_http_ticketing_set_request_header(r, ctx,
                                          NGX_HTTP_TICKETING_HEADER_PROVIDER,
                                          &ngx_http_ticketing_provider_key,
                                          &ctx->provider);
}


/*
 * The claims the auth step verified (NULL for mTLS, or with auth off): the
 * provider step runs after it.
 */
static ngx_uint_t
ngx_http_ticketing_claim_provider(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf,
    ngx_http_ticketing_provider_loc_conf_t *plcf)
{
    ngx_http_ticketing_norm_rc_e      rc;
    const ngx_http_ticketing_json_t  *v;

    if (plcf->provider_claim.len == 0 || ctx->auth.claims == NULL) {
        return NGX_HTTP_TICKETING_NO_PROVIDER;
    }

    v = ngx_http_ticketing_json_get(ctx->auth.claims,
                                    (const char *) plcf->provider_claim.data,
                                    plcf->provider_claim.len);

    if (!ngx_http_ticketing_json_is(v, STRING)) {
        return NGX_HTTP_TICKETING_NO_PROVIDER;
    }

    return ngx_http_ticketing_provider_lookup(pmcf, (u_char *) v->str,
                                              v->len, &rc);
}


static ngx_int_t
ngx_http_ticketing_refuse_provider(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx,
    ngx_http_ticketing_provider_main_conf_t *pmcf, const char *what)
{
    u_char  *p, *detail;
    size_t   len;

    len = ngx_strlen(what) + sizeof("; allowed values: ") - 1
          + pmcf->allowed.len + 1;

    detail = ngx_pnalloc(r->pool, len);
    if (detail == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(detail, "%s; allowed values: %V", what, &pmcf->allowed);
    *p = '\0';

    ctx->error_detail = (const char *) detail;

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "ticketing provider: %s", what);

    return NGX_HTTP_BAD_REQUEST;
}


static ngx_uint_t
ngx_http_ticketing_provider_lookup(
    ngx_http_ticketing_provider_main_conf_t *pmcf, u_char *data, size_t len,
    ngx_http_ticketing_norm_rc_e *rc)
{
    size_t                             clen;
    const ngx_http_ticketing_alias_t  *a;
    u_char                             clean[NGX_HTTP_TICKETING_PROVIDER_MAX];

    *rc = ngx_http_ticketing_provider_clean(data, len, clean, &clen);

    if (*rc != NGX_HTTP_TICKETING_NORM_OK) {
        return NGX_HTTP_TICKETING_NO_PROVIDER;
    }

    a = ngx_http_ticketing_alias_find(pmcf->aliases->elts,
                                      pmcf->aliases->nelts, clean, clen);

    return a ? a->index : NGX_HTTP_TICKETING_NO_PROVIDER;
}


ngx_str_t *
ngx_http_ticketing_provider_canonical(
    ngx_http_ticketing_provider_main_conf_t *pmcf, u_char *data, size_t len)
{
    ngx_str_t                     *prov;
    ngx_uint_t                     i;
    ngx_http_ticketing_norm_rc_e   rc;

    i = ngx_http_ticketing_provider_lookup(pmcf, data, len, &rc);

    if (i == NGX_HTTP_TICKETING_NO_PROVIDER) {
        return NULL;
    }

    prov = pmcf->providers->elts;

    return &prov[i];
}


ngx_int_t
ngx_http_ticketing_org_canonical(
    ngx_http_ticketing_provider_main_conf_t *pmcf, u_char *data, size_t len,
    u_char *out, ngx_str_t *name)
{
    ngx_http_ticketing_org_t  *org;

    if (ngx_http_ticketing_org_clean(data, len, out)
        != NGX_HTTP_TICKETING_NORM_OK)
    {
        return NGX_DECLINED;
    }

    if (pmcf->orgs == NULL) {
        name->data = out;
        name->len = len;
        return NGX_OK;
    }

    org = ngx_http_ticketing_org_find(pmcf, out, len);
    if (org == NULL) {
        return NGX_DECLINED;
    }

    *name = org->name;

    return NGX_OK;
}


static ngx_http_ticketing_org_t *
ngx_http_ticketing_org_find(ngx_http_ticketing_provider_main_conf_t *pmcf,
    u_char *name, size_t len)
{
    if (pmcf->orgs == NULL) {
        return NULL;
    }

    return ngx_hash_find(&pmcf->org_hash, ngx_hash_key(name, len), name, len);
}


static ngx_int_t
ngx_http_ticketing_provider_add(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *pmcf, ngx_str_t *name,
    ngx_str_t *aliases, ngx_uint_t naliases)
{
    ngx_uint_t   i, index;
    ngx_str_t   *prov;

    for (i = 0; i < name->len; i++) {
        if (name->data[i] <= ' ' || name->data[i] >= 0x7f) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid provider name \"%V\" in "
                               "\"ticketing_provider\" directive: it is sent "
                               "upstream, only printable ASCII without "
                               "spaces is allowed", name);
            return NGX_ERROR;
        }
    }

    index = pmcf->providers->nelts;

    prov = ngx_array_push(pmcf->providers);
    if (prov == NULL) {
        return NGX_ERROR;
    }

    *prov = *name;

    if (ngx_http_ticketing_alias_add(cf, pmcf, name, index) != NGX_OK) {
        return NGX_ERROR;
    }

    for (i = 0; i < naliases; i++) {
        if (ngx_http_ticketing_alias_add(cf, pmcf, &aliases[i], index)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_alias_add(ngx_conf_t *cf,
    ngx_http_ticketing_provider_main_conf_t *pmcf, ngx_str_t *name,
    ngx_uint_t index)
{
    u_char                            *key;
    size_t                             len;
    ngx_str_t                         *prov;
    ngx_http_ticketing_alias_t        *a;
    ngx_http_ticketing_norm_rc_e       rc;
    const ngx_http_ticketing_alias_t  *dup;

    key = ngx_pnalloc(cf->pool, NGX_HTTP_TICKETING_PROVIDER_MAX);
    if (key == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_http_ticketing_provider_clean(name->data, name->len, key, &len);

    if (rc != NGX_HTTP_TICKETING_NORM_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid provider name or alias \"%V\" in "
                           "\"ticketing_provider\" directive", name);
        return NGX_ERROR;
    }

    dup = ngx_http_ticketing_alias_find(pmcf->aliases->elts,
                                        pmcf->aliases->nelts, key, len);
    if (dup != NULL) {
        prov = pmcf->providers->elts;
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "provider name or alias \"%V\" is duplicate "
                           "(already a name of \"%V\")",
                           name, &prov[dup->index]);
        return NGX_ERROR;
    }

    a = ngx_array_push(pmcf->aliases);
    if (a == NULL) {
        return NGX_ERROR;
    }

    a->key = key;
    a->len = len;
    a->index = index;

    return NGX_OK;
}


/* ticketing_provider NAME [ALIAS ...]; */
char *
ngx_http_ticketing_provider_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_provider_main_conf_t  *pmcf;

    ngx_str_t  *value;

    pmcf = (ngx_http_ticketing_provider_main_conf_t *)
               ((char *) conf + cmd->offset);

    value = cf->args->elts;

    if (ngx_http_ticketing_provider_add(cf, pmcf, &value[1], &value[2],
                                        cf->args->nelts - 2)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* ticketing_org NAME upstream=NAME [provider=NAME]; */
char *
ngx_http_ticketing_org_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_provider_main_conf_t  *pmcf;

    u_char                        *name;
    ngx_str_t                     *value, s;
    ngx_uint_t                     i;
    ngx_http_ticketing_org_t      *org;
    ngx_http_ticketing_norm_rc_e   rc;

    pmcf = (ngx_http_ticketing_provider_main_conf_t *)
               ((char *) conf + cmd->offset);

    value = cf->args->elts;

    name = ngx_pnalloc(cf->pool, value[1].len);
    if (name == NULL) {
        return NGX_CONF_ERROR;
    }

    rc = ngx_http_ticketing_org_clean(value[1].data, value[1].len, name);

    if (rc != NGX_HTTP_TICKETING_NORM_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid organization name \"%V\" in "
                           "\"%V\" directive: 1 to %d characters of "
                           "A-Z a-z 0-9 . _ -", &value[1], &cmd->name,
                           NGX_HTTP_TICKETING_ORG_MAX);
        return NGX_CONF_ERROR;
    }

    if (pmcf->orgs == NULL) {
        pmcf->orgs = ngx_array_create(cf->pool, 8,
                                      sizeof(ngx_http_ticketing_org_t));
        if (pmcf->orgs == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    org = pmcf->orgs->elts;

    for (i = 0; i < pmcf->orgs->nelts; i++) {
        if (org[i].name.len == value[1].len
            && ngx_memcmp(org[i].name.data, name, value[1].len) == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "organization \"%V\" is duplicate "
                               "(names compare case-insensitively)",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    org = ngx_array_push(pmcf->orgs);
    if (org == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(org, sizeof(ngx_http_ticketing_org_t));

    org->name.data = name;
    org->name.len = value[1].len;
    org->provider = NGX_HTTP_TICKETING_NO_PROVIDER;
    org->file = cf->conf_file->file.name.data;
    org->line = cf->conf_file->line;

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_http_ticketing_conf_param(&value[i], "upstream=", &s)) {

            if (s.len == 0 || org->upstream.len) {
                goto invalid;
            }

            org->upstream = s;
            continue;
        }

        if (ngx_http_ticketing_conf_param(&value[i], "provider=", &s)) {

            if (s.len == 0 || org->provider_name.len) {
                goto invalid;
            }

            org->provider_name = s;
            continue;
        }

        goto invalid;
    }

    if (org->upstream.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" directive needs \"upstream=\" for "
                           "organization \"%V\"", &cmd->name, &value[1]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\" directive",
                       &value[i], &cmd->name);
    return NGX_CONF_ERROR;
}


static ngx_int_t
ngx_http_ticketing_provider_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->provider.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = ctx->provider.data;
    v->len = ctx->provider.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_upstream_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->org == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = ctx->org->upstream.data;
    v->len = ctx->org->upstream.len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}
