
/*
 * The ticketing-provider header and organizations: aliases, defaults,
 * per-organization upstreams.
 */


#ifndef _NGX_HTTP_TICKETING_PROVIDER_H_INCLUDED_
#define _NGX_HTTP_TICKETING_PROVIDER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_ticketing_normalize.h"


/* no provider: an index that is none */
#define NGX_HTTP_TICKETING_NO_PROVIDER  ((ngx_uint_t) -1)


typedef struct {
    ngx_str_t                      name;        /* lower case */
    ngx_str_t                      upstream;    /* an upstream{} name */
    ngx_str_t                      provider_name;
    ngx_uint_t                     provider;    /* index or NO_PROVIDER */
    ngx_uint_t                     line;        /* where it was declared */
    u_char                        *file;
} ngx_http_ticketing_org_t;


typedef struct {
    /* canonical provider names (ngx_str_t), in declaration order */
    ngx_array_t                   *providers;

    /* every name a provider is known by, cleaned */
    ngx_array_t                   *aliases;    /* ngx_http_ticketing_alias_t */

    /* "JAM, JCC, TGJ, JNEXT": for the details of refusals */
    ngx_str_t                      allowed;

    /* declared organizations; NULL when none: orgs are not enforced */
    ngx_array_t                   *orgs;       /* ngx_http_ticketing_org_t */
    ngx_hash_t                     org_hash;
} ngx_http_ticketing_provider_main_conf_t;


typedef struct {
    ngx_str_t                      default_provider_name;
    ngx_uint_t                     default_provider;

    ngx_str_t                      default_org_name;
    ngx_http_ticketing_org_t      *default_org;

    /* lower-cased request header naming the organization, or empty */
    ngx_str_t                      org_header;

    /* the JWT claim giving the default provider, or empty */
    ngx_str_t                      provider_claim;
} ngx_http_ticketing_provider_loc_conf_t;


/*
 * The names the cache keys and the purge use, by the rules the provider
 * step applies to a request: a provider name or alias gives its canonical
 * name (NULL: not a provider); an organization name is checked and
 * lower-cased into "out" ("len" bytes), and, when organizations are
 * declared, must be one of them (NGX_DECLINED otherwise).
 */
ngx_str_t *ngx_http_ticketing_provider_canonical(
    ngx_http_ticketing_provider_main_conf_t *pmcf, u_char *data, size_t len);
ngx_int_t ngx_http_ticketing_org_canonical(
    ngx_http_ticketing_provider_main_conf_t *pmcf, u_char *data, size_t len,
    u_char *out, ngx_str_t *name);

char *ngx_http_ticketing_provider_directive(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
char *ngx_http_ticketing_org_directive(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);


#endif /* _NGX_HTTP_TICKETING_PROVIDER_H_INCLUDED_ */
