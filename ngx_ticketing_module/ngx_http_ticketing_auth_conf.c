
/*
 * Authentication and authorization, the configuration: the auth
 * directives, the keys read and parsed once, the defaults of the claims
 * the auth step reads.
 */


#include "ngx_http_ticketing_module.h"


#define NGX_HTTP_TICKETING_AUTH_MAX_FILE  (1024 * 1024)


typedef struct {
    const ngx_http_ticketing_operation_t  *op;
    ngx_str_t                              permission;
} ngx_http_ticketing_auth_perm_t;


static void ngx_http_ticketing_auth_key_cleanup(void *data);
static ngx_int_t ngx_http_ticketing_auth_read_file(ngx_conf_t *cf,
    ngx_str_t *name, ngx_str_t *out);
static char *ngx_http_ticketing_auth_check_permission(ngx_conf_t *cf,
    ngx_str_t *name);
static ngx_int_t ngx_http_ticketing_auth_add_key(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_http_ticketing_jwt_key_t *key);


ngx_uint_t  ngx_http_ticketing_auth_path_post = 1;


/* headers nginx or HTTP itself gives a meaning: never identity headers */
static ngx_str_t  ngx_http_ticketing_auth_reserved[] = {
    ngx_string("Host"),
    ngx_string("Authorization"),
    ngx_string("Connection"),
    ngx_string("Content-Length"),
    ngx_string("Content-Type"),
    ngx_string("Transfer-Encoding"),
    ngx_string("Cookie"),
    ngx_string("ticketing-provider"),
    ngx_null_string
};


static ngx_str_t  ngx_http_ticketing_auth_default_role =
    ngx_string("ticketing-mas.ticketing.access.allowed");

static ngx_str_t  ngx_http_ticketing_auth_default_roles[] = {
    ngx_string("realm_access.roles"),
    ngx_string("roles")
};

static ngx_str_t  ngx_http_ticketing_auth_default_perms[] = {
    ngx_string("permissions"),
    ngx_string("scope")
};


/* ---------------------------------------------------- configuration */


ngx_int_t
ngx_http_ticketing_auth_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_main_conf_t *conf)
{
    conf->cache_size = NGX_CONF_UNSET_UINT;

    conf->jwks_ssl.enable = NGX_CONF_UNSET;
    conf->jwks_ssl.verify = NGX_CONF_UNSET;
    conf->jwks_ssl.verify_depth = NGX_CONF_UNSET_UINT;
    conf->jwks_ssl.server_name = NGX_CONF_UNSET;

    return NGX_OK;
}


char *
ngx_http_ticketing_auth_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_main_conf_t *conf)
{
    /*
     * 4096: on 10,000 distinct tokens in a Zipf mix (s = 1.1) 93% of the
     * lookups hit (bench row 47, make bench-jwt-cache); about 5 KB per
     * entry for an RS256 token and its claims, 20 MB per worker when full
     */
    ngx_conf_init_uint_value(conf->cache_size, 4096);
    ngx_http_ticketing_peer_ssl_conf_init(&conf->jwks_ssl);

    /* a new configuration: the token cache starts over */
    ngx_http_ticketing_auth_keys_changed();

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_auth_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *conf)
{
    /*
     * set by ngx_pcalloc():
     *
     *     conf->keys = NULL;
     *     conf->issuers = NULL;
     *     conf->audiences = NULL;
     *     conf->api_role = { 0, NULL };
     *     conf->roles_claims = NULL;
     *     conf->perms_claims = NULL;
     *     conf->permissions = NULL;
     *     conf->tenancy_claim = { 0, NULL };
     *     conf->mtls_clients = NULL;
     *     conf->headers = NULL;
     *     conf->jwks = NULL;
     *     conf->purge_permission = { 0, NULL };
     */

    conf->enable = NGX_CONF_UNSET;
    conf->algorithms = NGX_CONF_UNSET_UINT;
    conf->require_exp = NGX_CONF_UNSET;
    conf->leeway = NGX_CONF_UNSET;
    conf->max_lifetime = NGX_CONF_UNSET;
    conf->max_size = NGX_CONF_UNSET_SIZE;
    conf->mtls = NGX_CONF_UNSET;

    return NGX_OK;
}


static ngx_array_t *
ngx_http_ticketing_auth_default_paths(ngx_conf_t *cf, ngx_str_t *paths,
    ngx_uint_t n)
{
    ngx_uint_t    i;
    ngx_str_t    *s;
    ngx_array_t  *a;

    a = ngx_array_create(cf->pool, n, sizeof(ngx_str_t));
    if (a == NULL) {
        return NULL;
    }

    for (i = 0; i < n; i++) {
        s = ngx_array_push(a);
        if (s == NULL) {
            return NULL;
        }

        *s = paths[i];
    }

    return a;
}


char *
ngx_http_ticketing_auth_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *prev,
    ngx_http_ticketing_auth_loc_conf_t *conf)
{
    ngx_uint_t                             i;
    ngx_http_ticketing_auth_perm_t        *ov;
    ngx_http_ticketing_auth_header_t      *h;
    const ngx_http_ticketing_operation_t  *op;

    ngx_conf_merge_value(conf->enable, prev->enable, 1);
    ngx_conf_merge_uint_value(conf->algorithms, prev->algorithms,
                              NGX_HTTP_TICKETING_JWT_ALL_ALGS);
    ngx_conf_merge_value(conf->require_exp, prev->require_exp, 1);
    ngx_conf_merge_value(conf->leeway, prev->leeway, 30);
    ngx_conf_merge_value(conf->max_lifetime, prev->max_lifetime, 0);
    ngx_conf_merge_size_value(conf->max_size, prev->max_size, 8192);
    ngx_conf_merge_value(conf->mtls, prev->mtls, 0);

    if (conf->keys == NULL) {
        conf->keys = prev->keys;
    }

    if (conf->jwks == NULL) {
        conf->jwks = prev->jwks;
    }

    ngx_conf_merge_str_value(conf->purge_permission, prev->purge_permission,
                             "ticketing.cache.purge");

    if (conf->issuers == NULL) {
        conf->issuers = prev->issuers;
    }

    if (conf->audiences == NULL) {
        conf->audiences = prev->audiences;
    }

    if (conf->permissions == NULL) {
        conf->permissions = prev->permissions;
    }

    /* each operation's permission, or the one configured for it */

    conf->need = ngx_pcalloc(cf->pool,
                             NGX_HTTP_TICKETING_NOPS * sizeof(ngx_str_t));
    if (conf->need == NULL) {
        return NGX_CONF_ERROR;
    }

    for (i = 0; i < ngx_http_ticketing_noperations; i++) {
        op = &ngx_http_ticketing_operations[i];
        conf->need[op->number].data = (u_char *) op->permission;
        conf->need[op->number].len = ngx_strlen(op->permission);
    }

    if (conf->permissions) {
        ov = conf->permissions->elts;

        for (i = 0; i < conf->permissions->nelts; i++) {
            conf->need[ov[i].op->number] = ov[i].permission;
        }
    }

    if (conf->mtls_clients == NULL) {
        conf->mtls_clients = prev->mtls_clients;
    }

    if (conf->api_role.data == NULL) {
        conf->api_role = prev->api_role.data
                         ? prev->api_role
                         : ngx_http_ticketing_auth_default_role;
    }

    if (conf->tenancy_claim.data == NULL) {
        conf->tenancy_claim = prev->tenancy_claim;
    }

    if (conf->roles_claims == NULL) {
        conf->roles_claims = prev->roles_claims;

        if (conf->roles_claims == NULL) {
            conf->roles_claims = ngx_http_ticketing_auth_default_paths(cf,
                                       ngx_http_ticketing_auth_default_roles,
                                       2);
            if (conf->roles_claims == NULL) {
                return NGX_CONF_ERROR;
            }
        }
    }

    if (conf->perms_claims == NULL) {
        conf->perms_claims = prev->perms_claims;

        if (conf->perms_claims == NULL) {
            conf->perms_claims = ngx_http_ticketing_auth_default_paths(cf,
                                       ngx_http_ticketing_auth_default_perms,
                                       2);
            if (conf->perms_claims == NULL) {
                return NGX_CONF_ERROR;
            }
        }
    }

    if (conf->headers == NULL) {
        conf->headers = prev->headers;

        if (conf->headers == NULL) {
            conf->headers = ngx_array_create(cf->pool, 1,
                                     sizeof(ngx_http_ticketing_auth_header_t));
            if (conf->headers == NULL) {
                return NGX_CONF_ERROR;
            }

            h = ngx_array_push(conf->headers);
            if (h == NULL) {
                return NGX_CONF_ERROR;
            }

            ngx_str_set(&h->name, "X-Ticketing-Subject");
            ngx_str_set(&h->lowcase, "x-ticketing-subject");
            h->hash = ngx_hash_key(h->lowcase.data, h->lowcase.len);
            ngx_str_set(&h->claim, "sub");
        }
    }

    if (conf->mtls && conf->mtls_clients == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"ticketing_auth_mtls\" is on, but no "
                           "\"ticketing_auth_mtls_client\" is configured");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* ---------------------------------------------------------- directives */


static ngx_int_t
ngx_http_ticketing_auth_read_file(ngx_conf_t *cf, ngx_str_t *name,
    ngx_str_t *out)
{
    ssize_t          n;
    ngx_fd_t         fd;
    ngx_file_info_t  fi;

    if (ngx_conf_full_name(cf->cycle, name, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    fd = ngx_open_file(name->data, NGX_FILE_RDONLY, NGX_FILE_OPEN, 0);
    if (fd == NGX_INVALID_FILE) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           ngx_open_file_n " \"%V\" failed in \"%V\" "
                           "directive", name,
                           &((ngx_str_t *) cf->args->elts)[0]);
        return NGX_ERROR;
    }

    if (ngx_fd_info(fd, &fi) == NGX_FILE_ERROR
        || ngx_file_size(&fi) > NGX_HTTP_TICKETING_AUTH_MAX_FILE)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "key file \"%V\" is unreadable or too large",
                           name);
        ngx_close_file(fd);
        return NGX_ERROR;
    }

    out->len = (size_t) ngx_file_size(&fi);
    out->data = ngx_pnalloc(cf->temp_pool, out->len + 1);
    if (out->data == NULL) {
        ngx_close_file(fd);
        return NGX_ERROR;
    }

    n = ngx_read_fd(fd, out->data, out->len);
    ngx_close_file(fd);

    if (n < 0 || (size_t) n != out->len) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                           "cannot read key file \"%V\"", name);
        return NGX_ERROR;
    }

    out->data[out->len] = '\0';

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_auth_add_key(ngx_conf_t *cf,
    ngx_http_ticketing_auth_loc_conf_t *alcf,
    ngx_http_ticketing_jwt_key_t *key)
{
    ngx_pool_cleanup_t            *cln;
    ngx_http_ticketing_jwt_key_t  *k;

    cln = ngx_pool_cleanup_add(cf->pool, sizeof(ngx_http_ticketing_jwt_key_t));
    if (cln == NULL) {
        ngx_http_ticketing_jwt_key_free(key);
        return NGX_ERROR;
    }

    /* the cleanup owns the key material; the array holds a copy */
    ngx_memcpy(cln->data, key, sizeof(ngx_http_ticketing_jwt_key_t));
    cln->handler = ngx_http_ticketing_auth_key_cleanup;

    if (alcf->keys == NULL) {
        alcf->keys = ngx_array_create(cf->pool, 4,
                                      sizeof(ngx_http_ticketing_jwt_key_t));
        if (alcf->keys == NULL) {
            return NGX_ERROR;
        }
    }

    k = ngx_array_push(alcf->keys);
    if (k == NULL) {
        return NGX_ERROR;
    }

    *k = *key;

    return NGX_OK;
}


static void
ngx_http_ticketing_auth_key_cleanup(void *data)
{
    ngx_http_ticketing_jwt_key_free(data);
}


/* ticketing_jwt_key_file hmac|pem|jwks <path> [mixed_oct] */
char *
ngx_http_ticketing_auth_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    int                            rc;
    size_t                         i, n, len;
    unsigned                       flags;
    ngx_str_t                     *value, name, data;
    ngx_http_ticketing_jwt_key_t   key, *keys;
    char                           err[NGX_HTTP_TICKETING_JWT_ERR_SIZE];

    value = cf->args->elts;
    name = value[2];
    flags = 0;

    if (cf->args->nelts == 4) {
        if (ngx_strcmp(value[1].data, "jwks") != 0
            || ngx_strcmp(value[3].data, "mixed_oct") != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\" "
                               "directive, only \"jwks\" files take "
                               "\"mixed_oct\"", &value[3], &cmd->name);
            return NGX_CONF_ERROR;
        }

        flags = NGX_HTTP_TICKETING_JWT_JWKS_MIXED_OCT;
    }

    if (ngx_http_ticketing_auth_read_file(cf, &name, &data) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    err[0] = '\0';

    if (ngx_strcmp(value[1].data, "hmac") == 0) {

        /* a trailing newline is not part of the secret */
        len = data.len;
        while (len && (data.data[len - 1] == '\n'
                       || data.data[len - 1] == '\r'))
        {
            len--;
        }

        rc = ngx_http_ticketing_jwt_key_hmac(&key, data.data, len, err,
                                             sizeof(err));
        ngx_explicit_memzero(data.data, data.len);

        if (rc == 0) {
            rc = ngx_http_ticketing_auth_add_key(cf, &tlcf->auth, &key)
                 == NGX_OK ? 0 : -2;
        }

    } else if (ngx_strcmp(value[1].data, "pem") == 0) {
        rc = ngx_http_ticketing_jwt_key_pem(&key, data.data, data.len, err,
                                            sizeof(err));
        if (rc == 0) {
            rc = ngx_http_ticketing_auth_add_key(cf, &tlcf->auth, &key)
                 == NGX_OK ? 0 : -2;
        }

    } else if (ngx_strcmp(value[1].data, "jwks") == 0) {
        keys = ngx_palloc(cf->temp_pool, NGX_HTTP_TICKETING_JWT_MAX_JWKS
                                        * sizeof(ngx_http_ticketing_jwt_key_t));
        if (keys == NULL) {
            return NGX_CONF_ERROR;
        }

        rc = ngx_http_ticketing_jwt_jwks(data.data, data.len, keys,
                                         NGX_HTTP_TICKETING_JWT_MAX_JWKS, &n,
                                         flags, err, sizeof(err));
        for (i = 0; rc == 0 && i < n; i++) {
            if (ngx_http_ticketing_auth_add_key(cf, &tlcf->auth, &keys[i])
                != NGX_OK)
            {
                for (i++; i < n; i++) {
                    ngx_http_ticketing_jwt_key_free(&keys[i]);
                }

                rc = -2;
            }
        }

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid key type \"%V\" in \"%V\" directive, "
                           "it must be \"hmac\", \"pem\" or \"jwks\"",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (rc == -2) {
        return NGX_CONF_ERROR;
    }

    if (rc != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid key file \"%V\" in \"%V\" directive: %s",
                           &name, &cmd->name, err);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* ticketing_jwt_max_lifetime <time> | off */
char *
ngx_http_ticketing_auth_max_lifetime(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    time_t      t;
    ngx_str_t  *value;

    if (tlcf->auth.max_lifetime != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        tlcf->auth.max_lifetime = 0;
        return NGX_CONF_OK;
    }

    t = ngx_parse_time(&value[1], 1);
    if (t == (time_t) NGX_ERROR || t == 0) {
        return "invalid value";
    }

    tlcf->auth.max_lifetime = t;

    return NGX_CONF_OK;
}


/* ticketing_jwt_algorithms HS256 RS256 ... */
char *
ngx_http_ticketing_auth_algorithms(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    unsigned    alg;
    ngx_str_t  *value;
    ngx_uint_t  i;

    if (tlcf->auth.algorithms != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;
    tlcf->auth.algorithms = 0;

    for (i = 1; i < cf->args->nelts; i++) {
        alg = ngx_http_ticketing_jwt_alg((const char *) value[i].data,
                                         value[i].len);
        if (alg == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid algorithm \"%V\" in \"%V\" directive",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        tlcf->auth.algorithms |= alg;
    }

    return NGX_CONF_OK;
}


/* ticketing_jwt_issuer / ticketing_jwt_audience: allow-lists */
char *
ngx_http_ticketing_auth_str_list(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *p = conf;

    ngx_str_t                     *value;
    ngx_uint_t                     i;
    ngx_array_t                  **a;
    ngx_http_ticketing_jwt_str_t  *s;

    a = (ngx_array_t **) (p + cmd->offset);

    if (*a == NULL) {
        *a = ngx_array_create(cf->pool, 2,
                              sizeof(ngx_http_ticketing_jwt_str_t));
        if (*a == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        s = ngx_array_push(*a);
        if (s == NULL) {
            return NGX_CONF_ERROR;
        }

        /* configuration strings are NUL-terminated */
        s->data = (const char *) value[i].data;
        s->len = value[i].len;
    }

    return NGX_CONF_OK;
}


/* ticketing_roles_claim / ticketing_permissions_claim: claim paths */
char *
ngx_http_ticketing_auth_claim_paths(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *p = conf;

    ngx_str_t     *value, *s;
    ngx_uint_t     i;
    ngx_array_t  **a;

    a = (ngx_array_t **) (p + cmd->offset);

    if (*a != NULL) {
        return "is duplicate";
    }

    *a = ngx_array_create(cf->pool, cf->args->nelts - 1, sizeof(ngx_str_t));
    if (*a == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        if (ngx_http_ticketing_jwt_path_valid((const char *) value[i].data,
                                              value[i].len)
            != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid claim path \"%V\" in \"%V\" directive",
                               &value[i], &cmd->name);
            return NGX_CONF_ERROR;
        }

        s = ngx_array_push(*a);
        if (s == NULL) {
            return NGX_CONF_ERROR;
        }

        *s = value[i];
    }

    return NGX_CONF_OK;
}


/* ticketing_api_role <role>|off; ticketing_tenancy_claim <path>|off */
char *
ngx_http_ticketing_auth_str_off(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    char  *p = conf;

    ngx_str_t  *value, *s;

    s = (ngx_str_t *) (p + cmd->offset);

    if (s->data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        ngx_str_set(s, "");
        s->len = 0;
        return NGX_CONF_OK;
    }

    if (cmd->post != NULL
        && ngx_http_ticketing_jwt_path_valid((const char *) value[1].data,
                                             value[1].len)
           != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid claim path \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    *s = value[1];

    return NGX_CONF_OK;
}


/* ticketing_permission <operation> <permission> */
char *
ngx_http_ticketing_auth_permission(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    ngx_str_t                       *value;
    ngx_http_ticketing_auth_perm_t  *pm;
    const ngx_http_ticketing_operation_t  *op;

    value = cf->args->elts;

    op = ngx_http_ticketing_operation_find((const char *) value[1].data,
                                           value[1].len);
    if (op == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown operation \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (tlcf->auth.permissions == NULL) {
        tlcf->auth.permissions = ngx_array_create(cf->pool, 4,
                                       sizeof(ngx_http_ticketing_auth_perm_t));
        if (tlcf->auth.permissions == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    pm = ngx_array_push(tlcf->auth.permissions);
    if (pm == NULL) {
        return NGX_CONF_ERROR;
    }

    pm->op = op;
    pm->permission = value[2];

    return ngx_http_ticketing_auth_check_permission(cf, &value[2]);
}


/*
 * A permission is matched as a whole word of a space-separated scope or
 * as an array element: a name that is empty or holds a space, a control
 * or a non-ASCII byte could never match, so it is a configuration error.
 */

static char *
ngx_http_ticketing_auth_check_permission(ngx_conf_t *cf, ngx_str_t *name)
{
    ngx_str_t   *value;
    ngx_uint_t   i;

    for (i = 0; i < name->len; i++) {
        if (name->data[i] <= 0x20 || name->data[i] >= 0x7f) {
            break;
        }
    }

    if (name->len == 0 || i < name->len) {
        value = cf->args->elts;
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid permission name \"%V\" in \"%V\" "
                           "directive: it must be printable ASCII "
                           "without spaces", name, &value[0]);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* ticketing_auth_mtls_client <DN>|* all|<permission>... */
char *
ngx_http_ticketing_auth_mtls_client(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    ngx_str_t                         *value, *s;
    ngx_uint_t                         i;
    ngx_http_ticketing_auth_client_t  *cl;

    value = cf->args->elts;

    if (tlcf->auth.mtls_clients == NULL) {
        tlcf->auth.mtls_clients = ngx_array_create(cf->pool, 2,
                                     sizeof(ngx_http_ticketing_auth_client_t));
        if (tlcf->auth.mtls_clients == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    cl = ngx_array_push(tlcf->auth.mtls_clients);
    if (cl == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(cl, sizeof(ngx_http_ticketing_auth_client_t));
    cl->dn = value[1];

    if (ngx_array_init(&cl->permissions, cf->pool, cf->args->nelts,
                       sizeof(ngx_str_t))
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (cf->args->nelts == 3 && ngx_strcmp(value[2].data, "all") == 0) {
        cl->all = 1;
        return NGX_CONF_OK;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        if (ngx_http_ticketing_auth_check_permission(cf, &value[i])
            != NGX_CONF_OK)
        {
            return NGX_CONF_ERROR;
        }

        s = ngx_array_push(&cl->permissions);
        if (s == NULL) {
            return NGX_CONF_ERROR;
        }

        *s = value[i];
    }

    return NGX_CONF_OK;
}


/* ticketing_auth_header <name> <claim path> */
char *
ngx_http_ticketing_auth_header(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    ngx_str_t                         *value;
    ngx_uint_t                         i;
    ngx_http_ticketing_auth_header_t  *h;

    value = cf->args->elts;

    for (i = 0; i < value[1].len; i++) {
        if (!((value[1].data[i] >= 'a' && value[1].data[i] <= 'z')
              || (value[1].data[i] >= 'A' && value[1].data[i] <= 'Z')
              || (value[1].data[i] >= '0' && value[1].data[i] <= '9')
              || value[1].data[i] == '-'))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid header name \"%V\" in \"%V\" "
                               "directive", &value[1], &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    for (i = 0; ngx_http_ticketing_auth_reserved[i].len; i++) {
        if (value[1].len == ngx_http_ticketing_auth_reserved[i].len
            && ngx_strncasecmp(value[1].data,
                               ngx_http_ticketing_auth_reserved[i].data,
                               value[1].len)
               == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "header \"%V\" cannot carry an identity in "
                               "\"%V\" directive", &value[1], &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    if (ngx_http_ticketing_jwt_path_valid((const char *) value[2].data,
                                          value[2].len)
        != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid claim path \"%V\" in \"%V\" directive",
                           &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (tlcf->auth.headers == NULL) {
        tlcf->auth.headers = ngx_array_create(cf->pool, 2,
                                     sizeof(ngx_http_ticketing_auth_header_t));
        if (tlcf->auth.headers == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    h = ngx_array_push(tlcf->auth.headers);
    if (h == NULL) {
        return NGX_CONF_ERROR;
    }

    h->name = value[1];
    h->lowcase.len = value[1].len;
    h->lowcase.data = ngx_pnalloc(cf->pool, value[1].len);
    if (h->lowcase.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_strlow(h->lowcase.data, value[1].data, value[1].len);
    h->hash = ngx_hash_key(h->lowcase.data, h->lowcase.len);
    h->claim = value[2];

    return NGX_CONF_OK;
}


/* ticketing_jwt_cache <entries>|off */
char *
ngx_http_ticketing_auth_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_ticketing_main_conf_t  *tmcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (tmcf->auth.cache_size != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        tmcf->auth.cache_size = 0;
        return NGX_CONF_OK;
    }

    n = ngx_atoi(value[1].data, value[1].len);
    if (n <= 0 || n > 1048576) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive, "
                           "it must be \"off\" or a number of entries "
                           "from 1 to 1048576", &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    tmcf->auth.cache_size = (ngx_uint_t) n;

    return NGX_CONF_OK;
}
