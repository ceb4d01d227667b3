
/*
 * Authentication and authorization: JWT (Bearer) or mTLS identity, the
 * API access role, the operation's permission, organization tenancy.
 */


#ifndef _NGX_HTTP_TICKETING_AUTH_H_INCLUDED_
#define _NGX_HTTP_TICKETING_AUTH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_jwt.h"
#include "ngx_http_ticketing_jwt_cache.h"
#include "ngx_http_ticketing_jwks.h"
#include "ngx_http_ticketing_peer.h"


#define NGX_HTTP_TICKETING_AUTH_NONE  0
#define NGX_HTTP_TICKETING_AUTH_JWT   1
#define NGX_HTTP_TICKETING_AUTH_MTLS  2


typedef struct {
    /* entries of the per-worker verified-token cache; 0: off */
    ngx_uint_t                     cache_size;

    /* every ticketing_jwks_url: ngx_http_ticketing_jwks_t pointers */
    ngx_array_t                   *jwks_urls;

    /* ticketing_jwks_ssl_*: every https ticketing_jwks_url */
    ngx_http_ticketing_peer_ssl_t  jwks_ssl;
} ngx_http_ticketing_auth_main_conf_t;


typedef struct {
    ngx_flag_t                     enable;          /* ticketing_auth */

    ngx_array_t                   *keys;            /* jwt_key_t */
    ngx_uint_t                     algorithms;
    ngx_flag_t                     require_exp;
    time_t                         leeway;
    time_t                         max_lifetime;    /* 0: off */
    size_t                         max_size;
    ngx_array_t                   *issuers;         /* jwt_str_t */
    ngx_array_t                   *audiences;       /* jwt_str_t */

    ngx_str_t                      api_role;        /* empty: off */
    ngx_array_t                   *roles_claims;    /* ngx_str_t paths */
    ngx_array_t                   *perms_claims;    /* ngx_str_t paths */
    ngx_array_t                   *permissions;     /* overrides */

    /* the permission each operation needs here, by operation number */
    ngx_str_t                     *need;
    ngx_str_t                      tenancy_claim;   /* empty: off */

    ngx_flag_t                     mtls;
    ngx_array_t                   *mtls_clients;

    ngx_array_t                   *headers;         /* identity headers */

    ngx_http_ticketing_jwks_t     *jwks;            /* ticketing_jwks_url */
    ngx_str_t                      purge_permission;
} ngx_http_ticketing_auth_loc_conf_t;


/* ticketing_auth_mtls_client: a certificate DN and what it may do */
typedef struct {
    ngx_str_t                      dn;          /* "*": any verified cert */
    ngx_flag_t                     all;         /* every permission */
    ngx_array_t                    permissions; /* ngx_str_t */
} ngx_http_ticketing_auth_client_t;


/* ticketing_auth_header: an identity header and the claim it carries */
typedef struct {
    ngx_str_t                      name;
    ngx_str_t                      lowcase;
    ngx_uint_t                     hash;
    ngx_str_t                      claim;       /* a claim path */
} ngx_http_ticketing_auth_header_t;


/* what the auth step learnt about the request */
typedef struct {
    ngx_uint_t                     method;          /* AUTH_JWT, _MTLS */
    ngx_str_t                      subject;
    const ngx_http_ticketing_json_t  *claims;       /* JWT only */

    /* JWT: the id of the key that verified it (the claims' tag) */
    const u_char                  *key_id;

    /* the verified-token cache's answer: "HIT", "MISS" or NULL (not used) */
    const char                    *token_cache;

    /* why it refused, for the metrics: ngx_http_ticketing_auth_failure_e */
    ngx_uint_t                     failure;

    /* it waits, or has waited, for a fetch of a key set (jwks.c) */
    ngx_http_ticketing_jwks_wait_t  *jwks_wait;
} ngx_http_ticketing_auth_ctx_t;


/* "post" of directives whose argument is a claim path to validate */
extern ngx_uint_t  ngx_http_ticketing_auth_path_post;

/* directive handlers, listed in ngx_http_ticketing_module.c */
char *ngx_http_ticketing_auth_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_max_lifetime(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_ticketing_auth_algorithms(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_str_list(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_claim_paths(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_str_off(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_permission(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_mtls_client(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_header(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
char *ngx_http_ticketing_auth_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);

/* a fetched key set replaced another: verified tokens are checked again */
void ngx_http_ticketing_auth_keys_changed(void);
void ngx_http_ticketing_auth_exit_process(ngx_cycle_t *cycle);


#endif /* _NGX_HTTP_TICKETING_AUTH_H_INCLUDED_ */
