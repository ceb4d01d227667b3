
/*
 * ngx_http_ticketing_module: directives, configuration and registration.
 *
 * The module is an HTTP_AUX_FILTER module: an access-phase handler, header
 * and body filters (error rewriting, cache store) and a log-phase handler
 * (metrics), installed only when some location turns the gateway on, so
 * that a server without a gateway location pays nothing.
 * The upstream I/O stays nginx's own: proxy_pass in the same location.
 */


#include "ngx_http_ticketing_module.h"


static void *ngx_http_ticketing_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_ticketing_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_ticketing_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_ticketing_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_ticketing_check_location(ngx_conf_t *cf,
    ngx_http_ticketing_loc_conf_t *prev, ngx_http_ticketing_loc_conf_t *conf,
    ngx_flag_t gateway_set);
static ngx_int_t ngx_http_ticketing_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_ticketing_postconfiguration(ngx_conf_t *cf);
static char *ngx_http_ticketing_gateway(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_ticketing_init_process(ngx_cycle_t *cycle);
static void ngx_http_ticketing_exit_process(ngx_cycle_t *cycle);


static ngx_command_t  ngx_http_ticketing_commands[] = {

    { ngx_string("ticketing_gateway"),
      NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_http_ticketing_gateway,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, gateway),
      NULL },

    /* authentication and authorization: ngx_http_ticketing_auth.c */

    { ngx_string("ticketing_auth"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.enable),
      NULL },

    { ngx_string("ticketing_jwt_key_file"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE23,
      ngx_http_ticketing_auth_key_file,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.keys),
      NULL },

    { ngx_string("ticketing_jwt_algorithms"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_auth_algorithms,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.algorithms),
      NULL },

    { ngx_string("ticketing_jwt_require_exp"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.require_exp),
      NULL },

    { ngx_string("ticketing_jwt_leeway"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.leeway),
      NULL },

    { ngx_string("ticketing_jwt_max_lifetime"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_ticketing_auth_max_lifetime,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.max_lifetime),
      NULL },

    { ngx_string("ticketing_jwt_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.max_size),
      NULL },

    { ngx_string("ticketing_jwt_issuer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_auth_str_list,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.issuers),
      NULL },

    { ngx_string("ticketing_jwt_audience"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_auth_str_list,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.audiences),
      NULL },

    { ngx_string("ticketing_api_role"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_ticketing_auth_str_off,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.api_role),
      NULL },

    { ngx_string("ticketing_roles_claim"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_auth_claim_paths,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.roles_claims),
      NULL },

    { ngx_string("ticketing_permissions_claim"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_auth_claim_paths,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.perms_claims),
      NULL },

    { ngx_string("ticketing_permission"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_ticketing_auth_permission,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.permissions),
      NULL },

    { ngx_string("ticketing_tenancy_claim"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_ticketing_auth_str_off,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.tenancy_claim),
      &ngx_http_ticketing_auth_path_post },

    { ngx_string("ticketing_auth_mtls"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.mtls),
      NULL },

    { ngx_string("ticketing_auth_mtls_client"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_2MORE,
      ngx_http_ticketing_auth_mtls_client,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.mtls_clients),
      NULL },

    { ngx_string("ticketing_auth_header"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_ticketing_auth_header,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.headers),
      NULL },

    { ngx_string("ticketing_jwt_cache"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_ticketing_auth_cache,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    /* TLS to the identity provider, for every https jwks URL */

    { ngx_string("ticketing_jwks_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.verify),
      NULL },

    { ngx_string("ticketing_jwks_ssl_verify_depth"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.verify_depth),
      NULL },

    { ngx_string("ticketing_jwks_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t,
               auth.jwks_ssl.trusted_certificate),
      NULL },

    { ngx_string("ticketing_jwks_ssl_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.certificate),
      NULL },

    { ngx_string("ticketing_jwks_ssl_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.certificate_key),
      NULL },

    { ngx_string("ticketing_jwks_ssl_protocols"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_conf_set_bitmask_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.protocols),
      &ngx_http_ticketing_peer_ssl_protocols },

    { ngx_string("ticketing_jwks_ssl_ciphers"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.ciphers),
      NULL },

    { ngx_string("ticketing_jwks_ssl_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.name),
      NULL },

    { ngx_string("ticketing_jwks_ssl_server_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, auth.jwks_ssl.server_name),
      NULL },

    { ngx_string("ticketing_jwks_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_jwks_url,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.jwks),
      NULL },

    { ngx_string("ticketing_cache_purge_permission"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, auth.purge_permission),
      NULL },

    /* provider and organizations: ngx_http_ticketing_provider.c */

    { ngx_string("ticketing_provider"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_provider_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, provider),
      NULL },

    { ngx_string("ticketing_provider_default"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t,
               provider.default_provider_name),
      NULL },

    { ngx_string("ticketing_provider_claim"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, provider.provider_claim),
      NULL },

    { ngx_string("ticketing_org"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_2MORE,
      ngx_http_ticketing_org_directive,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, provider),
      NULL },

    { ngx_string("ticketing_default_org"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, provider.default_org_name),
      NULL },

    { ngx_string("ticketing_org_header"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, provider.org_header),
      NULL },

    /* request validation: ngx_http_ticketing_validate.c */

    { ngx_string("ticketing_validate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, validate.enabled),
      NULL },

    /* Redis cache: ngx_http_ticketing_cache_conf.c */

    { ngx_string("ticketing_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_cache_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("ticketing_redis_sentinel"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_http_ticketing_cache_redis_sentinel,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    /* TLS to Redis: ngx_http_ticketing_peer.c, as proxy_ssl_* */

    { ngx_string("ticketing_redis_ssl"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.enable),
      NULL },

    { ngx_string("ticketing_redis_ssl_verify"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.verify),
      NULL },

    { ngx_string("ticketing_redis_ssl_verify_depth"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.verify_depth),
      NULL },

    { ngx_string("ticketing_redis_ssl_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t,
               cache.redis_ssl.trusted_certificate),
      NULL },

    { ngx_string("ticketing_redis_ssl_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.certificate),
      NULL },

    { ngx_string("ticketing_redis_ssl_certificate_key"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.certificate_key),
      NULL },

    { ngx_string("ticketing_redis_ssl_protocols"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_conf_set_bitmask_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.protocols),
      &ngx_http_ticketing_peer_ssl_protocols },

    { ngx_string("ticketing_redis_ssl_ciphers"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.ciphers),
      NULL },

    { ngx_string("ticketing_redis_ssl_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.name),
      NULL },

    { ngx_string("ticketing_redis_ssl_server_name"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_ticketing_main_conf_t, cache.redis_ssl.server_name),
      NULL },

    { ngx_string("ticketing_cache"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, cache.enable),
      NULL },

    { ngx_string("ticketing_cache_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_ticketing_cache_ttl,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("ticketing_cache_scope"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_ticketing_cache_scope,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("ticketing_cache_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, cache.timeout),
      NULL },

    { ngx_string("ticketing_cache_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, cache.max_size),
      NULL },

    { ngx_string("ticketing_cache_stale_if_error"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, cache.stale_if_error),
      NULL },

    { ngx_string("ticketing_cache_lock_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, cache.lock_timeout),
      NULL },

    { ngx_string("ticketing_cache_purge"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_ticketing_cache_purge,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("ticketing_cache_client_bypass"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, cache.client_bypass),
      NULL },

    /* error rewrite filters: ngx_http_ticketing_filter.c */

    { ngx_string("ticketing_errors"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_http_ticketing_filter_errors,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, filter.errors),
      NULL },

    { ngx_string("ticketing_error_buffer_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_ticketing_loc_conf_t, filter.buffer_size),
      &ngx_http_ticketing_filter_buffer_size_post },

    { ngx_string("ticketing_error_map"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE4,
      ngx_http_ticketing_filter_error_map,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    /* metrics: ngx_http_ticketing_metrics.c */

    { ngx_string("ticketing_metrics_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_ticketing_metrics_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("ticketing_metrics"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_ticketing_metrics,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_ticketing_module_ctx = {
    ngx_http_ticketing_preconfiguration,   /* preconfiguration */
    ngx_http_ticketing_postconfiguration,  /* postconfiguration */

    ngx_http_ticketing_create_main_conf,   /* create main configuration */
    ngx_http_ticketing_init_main_conf,     /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_ticketing_create_loc_conf,    /* create location configuration */
    ngx_http_ticketing_merge_loc_conf      /* merge location configuration */
};


ngx_module_t  ngx_http_ticketing_module = {
    NGX_MODULE_V1,
    &ngx_http_ticketing_module_ctx,        /* module context */
    ngx_http_ticketing_commands,           /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_ticketing_init_process,       /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_ticketing_exit_process,       /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_ticketing_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_ticketing_main_conf_t));
    if (tmcf == NULL) {
        return NULL;
    }

    if (ngx_http_ticketing_auth_create_main_conf(cf, &tmcf->auth) != NGX_OK
        || ngx_http_ticketing_provider_create_main_conf(cf, &tmcf->provider)
           != NGX_OK
        || ngx_http_ticketing_cache_create_main_conf(cf, &tmcf->cache)
           != NGX_OK)
    {
        return NULL;
    }

    return tmcf;
}


static char *
ngx_http_ticketing_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_ticketing_main_conf_t  *tmcf = conf;

    char  *rv;

    rv = ngx_http_ticketing_auth_init_main_conf(cf, &tmcf->auth);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_ticketing_provider_init_main_conf(cf, &tmcf->provider);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_ticketing_cache_init_main_conf(cf, &tmcf->cache);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_http_ticketing_metrics_init_main_conf(cf, &tmcf->metrics);
}


static void *
ngx_http_ticketing_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf;

    tlcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_ticketing_loc_conf_t));
    if (tlcf == NULL) {
        return NULL;
    }

    tlcf->gateway = NGX_CONF_UNSET;

    if (ngx_http_ticketing_auth_create_loc_conf(cf, &tlcf->auth) != NGX_OK
        || ngx_http_ticketing_provider_create_loc_conf(cf, &tlcf->provider)
           != NGX_OK
        || ngx_http_ticketing_validate_create_loc_conf(cf, &tlcf->validate)
           != NGX_OK
        || ngx_http_ticketing_cache_create_loc_conf(cf, &tlcf->cache)
           != NGX_OK
        || ngx_http_ticketing_filter_create_loc_conf(cf, &tlcf->filter)
           != NGX_OK)
    {
        return NULL;
    }

    return tlcf;
}


static char *
ngx_http_ticketing_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_ticketing_loc_conf_t  *prev = parent;
    ngx_http_ticketing_loc_conf_t  *conf = child;

    char        *rv;
    ngx_flag_t   gateway_set;

    gateway_set = (conf->gateway != NGX_CONF_UNSET);

    ngx_conf_merge_value(conf->gateway, prev->gateway, 0);

    rv = ngx_http_ticketing_auth_merge_loc_conf(cf, &prev->auth, &conf->auth);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_ticketing_provider_merge_loc_conf(cf, &prev->provider,
                                                    &conf->provider);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_ticketing_validate_merge_loc_conf(cf, &prev->validate,
                                                    &conf->validate);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_ticketing_cache_merge_loc_conf(cf, &prev->cache,
                                                 &conf->cache);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    rv = ngx_http_ticketing_filter_merge_loc_conf(cf, &prev->filter,
                                                  &conf->filter);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    return ngx_http_ticketing_check_location(cf, prev, conf, gateway_set);
}


/*
 * Checks that need a whole, merged location: run last, after every
 * concern's own merge checks.  merge_loc_conf is called with cf->ctx
 * pointing at the location being merged (parents before the locations
 * nested in them), so its core configuration is at hand.
 *
 * Which locations are checked:
 *
 *   - the server{} level itself (it serves only requests that match no
 *     location) and the pseudo-locations of "if" and "limit_except" (they
 *     take the content handler of their location) never are;
 *
 *   - a location where the gateway is on because it, or a location it is
 *     nested in, says "ticketing_gateway on": it must have an upstream,
 *     and a way to authenticate;
 *
 *   - a location that only inherits "on" from the server or http level:
 *     when it has a content handler it serves the API and must have a way
 *     to authenticate; without one it is checked no further, since it may
 *     well answer with "return" in the rewrite phase, before the gateway
 *     runs (there is no way to see a "return" from here).
 */

static char *
ngx_http_ticketing_check_location(ngx_conf_t *cf,
    ngx_http_ticketing_loc_conf_t *prev, ngx_http_ticketing_loc_conf_t *conf,
    ngx_flag_t gateway_set)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->name.len == 0 || clcf->noname) {
        return NGX_CONF_OK;
    }

    conf->gateway_in_location = gateway_set ? conf->gateway
                                            : (conf->gateway
                                               && prev->gateway_in_location);

    if (!conf->gateway) {
        return NGX_CONF_OK;
    }

    /*
     * proxy_pass (and every other content handler: fastcgi_pass,
     * grpc_pass, ...) sets clcf->handler while the location is parsed;
     * nested locations do not inherit it.  Without one, an accepted
     * request would be answered by the static file handler.
     */

    if (clcf->handler == NULL) {
        if (!conf->gateway_in_location) {
            return NGX_CONF_OK;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"ticketing_gateway\" is on in location \"%V\" "
                           "but it has no upstream: add \"proxy_pass\" "
                           "there, or \"ticketing_gateway off\" if the "
                           "location does not serve the API",
                           &clcf->name);
        return NGX_CONF_ERROR;
    }

    /*
     * Default deny without any credential to accept would refuse every
     * request with 401: that is a configuration mistake, say so now.
     */

    if (conf->auth.enable
        && conf->auth.keys == NULL
        && conf->auth.jwks == NULL
        && !conf->auth.mtls)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"ticketing_gateway\" is on in location \"%V\" "
                           "with \"ticketing_auth on\" but none of "
                           "\"ticketing_jwt_key_file\", "
                           "\"ticketing_jwks_url\" and "
                           "\"ticketing_auth_mtls\" is configured for it, "
                           "so every request would be refused: add a key, "
                           "or \"ticketing_auth off\"",
                           &clcf->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_ticketing_preconfiguration(ngx_conf_t *cf)
{
    if (ngx_http_ticketing_add_variables(cf) != NGX_OK
        || ngx_http_ticketing_auth_preconfiguration(cf) != NGX_OK
        || ngx_http_ticketing_provider_preconfiguration(cf) != NGX_OK
        || ngx_http_ticketing_cache_preconfiguration(cf) != NGX_OK
        || ngx_http_ticketing_metrics_preconfiguration(cf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_handler_pt             *h;
    ngx_http_core_main_conf_t       *cmcf;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);

    if (ngx_http_ticketing_cache_init_redis(cf) != NGX_OK
        || ngx_http_ticketing_jwks_init_conf(cf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!tmcf->used) {
        return NGX_OK;
    }

    /* the route templates, compiled here once: workers inherit them */
    ngx_http_ticketing_route_init();

    /*
     * Handlers registered later run earlier within a phase: being an aux
     * filter module, ours is registered after allow/deny and auth_basic, so
     * it runs first and "satisfy any" cannot skip it.
     */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_ticketing_access_handler;

    /*
     * Output filters: the last registered runs first.  The cache's run
     * before the error filter: what the cache stores is what the upstream
     * sent, and a stale entry served for an upstream error replaces that
     * answer before the error filter would rewrite it for nothing.
     */

    ngx_http_ticketing_filter_register();

    if (tmcf->cache.enabled) {
        ngx_http_ticketing_cache_register_filters();
    }

    return ngx_http_ticketing_metrics_postconfiguration(cf);
}


static char *
ngx_http_ticketing_gateway(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_ticketing_loc_conf_t   *tlcf = conf;

    char                            *rv;
    ngx_http_ticketing_main_conf_t  *tmcf;

    rv = ngx_conf_set_flag_slot(cf, cmd, conf);
    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (tlcf->gateway) {
        tmcf = ngx_http_conf_get_module_main_conf(cf,
                                                  ngx_http_ticketing_module);
        tmcf->used = 1;
    }

    return NGX_CONF_OK;
}


ngx_uint_t
ngx_http_ticketing_conf_param(ngx_str_t *arg, const char *name,
    ngx_str_t *value)
{
    size_t  len;

    len = ngx_strlen(name);

    if (arg->len < len || ngx_strncmp(arg->data, name, len) != 0) {
        return 0;
    }

    value->data = arg->data + len;
    value->len = arg->len - len;

    return 1;
}


static ngx_int_t
ngx_http_ticketing_init_process(ngx_cycle_t *cycle)
{
    if (ngx_http_ticketing_metrics_init_process(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_ticketing_jwks_init_process(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_ticketing_cache_init_process(cycle);
}


static void
ngx_http_ticketing_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_ticketing_auth_exit_process(cycle);
    ngx_http_ticketing_cache_exit_process(cycle);
    ngx_http_ticketing_metrics_exit_process(cycle);
}
