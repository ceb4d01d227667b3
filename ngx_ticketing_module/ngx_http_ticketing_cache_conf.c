
/*
 * The cache's configuration: its directives, the default TTL and scope of
 * each cacheable operation, what ticketing_redis is checked for at
 * "nginx -t", and the Redis connection of each worker.
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_cachekey.h"


static ngx_uint_t ngx_http_ticketing_cache_default(ngx_uint_t number,
    ngx_msec_t *ttl);
static const ngx_http_ticketing_operation_t *
    ngx_http_ticketing_cache_operation(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *name);
static ngx_int_t ngx_http_ticketing_cache_redis_param(ngx_conf_t *cf,
    ngx_command_t *cmd, ngx_http_ticketing_main_conf_t *tmcf,
    ngx_http_ticketing_redis_conf_t *rcf, ngx_str_t *arg);
static ngx_int_t ngx_http_ticketing_cache_redis_seed(ngx_conf_t *cf,
    ngx_command_t *cmd, ngx_http_ticketing_redis_conf_t *rcf,
    ngx_str_t *arg);


ngx_int_t
ngx_http_ticketing_cache_preconfiguration(ngx_conf_t *cf)
{
    ngx_str_t             name = ngx_string("ticketing_cache_status");
    ngx_http_variable_t  *var;

    var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
        return NGX_ERROR;
    }

    var->get_handler = ngx_http_ticketing_cache_status_variable;

    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_cache_create_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_main_conf_t *conf)
{
    /* zeroed by the caller: no Redis, no prefix */
    conf->redis_ssl.enable = NGX_CONF_UNSET;
    conf->redis_ssl.verify = NGX_CONF_UNSET;
    conf->redis_ssl.verify_depth = NGX_CONF_UNSET_UINT;
    conf->redis_ssl.server_name = NGX_CONF_UNSET;

    return NGX_OK;
}


char *
ngx_http_ticketing_cache_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_main_conf_t *conf)
{
    if (conf->redis != NULL && conf->prefix.data == NULL) {
        ngx_str_set(&conf->prefix, "ticketing");
    }

    ngx_http_ticketing_peer_ssl_conf_init(&conf->redis_ssl);

    if (conf->enabled && conf->redis == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"ticketing_cache_purge\" needs a "
                           "\"ticketing_redis\" directive at the http level");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_cache_create_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_loc_conf_t *conf)
{
    ngx_uint_t  i;

    conf->enable = NGX_CONF_UNSET;
    conf->client_bypass = NGX_CONF_UNSET;
    conf->timeout = NGX_CONF_UNSET_MSEC;
    conf->max_size = NGX_CONF_UNSET_SIZE;
    conf->stale_if_error = NGX_CONF_UNSET_MSEC;
    conf->lock_timeout = NGX_CONF_UNSET_MSEC;

    for (i = 0; i < NGX_HTTP_TICKETING_NOPS; i++) {
        conf->ttl[i] = NGX_CONF_UNSET_MSEC;
        conf->scope[i] = NGX_HTTP_TICKETING_CACHE_SCOPE_UNSET;
    }

    return NGX_OK;
}


char *
ngx_http_ticketing_cache_merge_loc_conf(ngx_conf_t *cf,
    ngx_http_ticketing_cache_loc_conf_t *prev,
    ngx_http_ticketing_cache_loc_conf_t *conf)
{
    ngx_uint_t                       i, scope;
    ngx_msec_t                       ttl;
    ngx_http_ticketing_main_conf_t  *tmcf;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_value(conf->client_bypass, prev->client_bypass, 1);
    ngx_conf_merge_msec_value(conf->timeout, prev->timeout, 50);
    ngx_conf_merge_size_value(conf->max_size, prev->max_size, 1024 * 1024);
    ngx_conf_merge_msec_value(conf->stale_if_error, prev->stale_if_error, 0);
    ngx_conf_merge_msec_value(conf->lock_timeout, prev->lock_timeout, 1000);

    for (i = 0; i < NGX_HTTP_TICKETING_NOPS; i++) {
        scope = ngx_http_ticketing_cache_default(i, &ttl);

        ngx_conf_merge_msec_value(conf->ttl[i], prev->ttl[i], ttl);

        if (conf->scope[i] == NGX_HTTP_TICKETING_CACHE_SCOPE_UNSET) {
            conf->scope[i] = prev->scope[i];
            conf->claim[i] = prev->claim[i];
        }

        if (conf->scope[i] == NGX_HTTP_TICKETING_CACHE_SCOPE_UNSET) {
            conf->scope[i] = scope;
        }
    }

    if (!conf->enable) {
        return NGX_CONF_OK;
    }

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);

    if (tmcf->cache.redis == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"ticketing_cache on\" needs a "
                           "\"ticketing_redis\" directive at the http level");
        return NGX_CONF_ERROR;
    }

    tmcf->cache.enabled = 1;

    /* the largest value a lookup may read back */
    tmcf->cache.max_value = ngx_max(tmcf->cache.max_value, conf->max_size);

    return NGX_CONF_OK;
}


/* the default scope of an operation, and its TTL; 0: not cacheable */
/* the catalogue's default TTL and scope of an operation */
static ngx_uint_t
ngx_http_ticketing_cache_default(ngx_uint_t number, ngx_msec_t *ttl)
{
    const ngx_http_ticketing_operation_t  *op;

    op = ngx_http_ticketing_operation(number);

    if (op == NULL || !op->cacheable) {
        *ttl = 0;
        return NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED;
    }

    *ttl = (ngx_msec_t) op->cache_ttl * 1000;

    return op->cache_per_subject ? NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT
                                 : NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED;
}


/* one of the cluster's configured nodes is a unix socket */
static ngx_uint_t
ngx_http_ticketing_cache_unix_node(ngx_http_ticketing_redis_conf_t *rcf)
{
    ngx_uint_t                       i;
    ngx_http_ticketing_peer_conf_t  *seeds;

    if (rcf->peer.addr.sockaddr
        && rcf->peer.addr.sockaddr->sa_family == AF_UNIX)
    {
        return 1;
    }

    seeds = rcf->seeds ? rcf->seeds->elts : NULL;

    for (i = 0; rcf->seeds && i < rcf->seeds->nelts; i++) {
        if (seeds[i].addr.sockaddr
            && seeds[i].addr.sockaddr->sa_family == AF_UNIX)
        {
            return 1;
        }
    }

    return 0;
}


/* what a cluster cannot do, or needs */
static ngx_int_t
ngx_http_ticketing_cache_check_cluster(ngx_conf_t *cf,
    ngx_http_ticketing_redis_conf_t *rcf, ngx_http_ticketing_main_conf_t *tmcf)
{
    const char  *err;

    if (rcf->master_name.len) {
        err = "\"cluster\" and \"sentinel:NAME\" exclude each other";

    } else if (rcf->db) {
        err = "a cluster has only database 0: \"db=\" cannot be used";

    } else if (ngx_http_ticketing_cache_unix_node(rcf)) {
        err = "a cluster's nodes announce TCP addresses: a unix socket "
              "cannot be used";

    } else if (ngx_strlchr(tmcf->cache.prefix.data,
                           tmcf->cache.prefix.data + tmcf->cache.prefix.len,
                           '{')
               || ngx_strlchr(tmcf->cache.prefix.data,
                              tmcf->cache.prefix.data
                              + tmcf->cache.prefix.len, '}'))
    {
        /* the key's own hash tag must be the first */
        err = "in a cluster, \"prefix=\" cannot hold \"{\" or \"}\"";

    } else if (tmcf->cache.redis_ssl.enable && tmcf->cache.redis_ssl.verify
               && tmcf->cache.redis_ssl.name.len == 0
               && rcf->peer.host.len == 0)
    {
        /* nodes are announced by address: whose name do they prove? */
        err = "TLS to a cluster given by an IP address needs "
              "\"ticketing_redis_ssl_name\": the name the nodes' "
              "certificates are checked against";

    } else {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "\"ticketing_redis %V\": %s",
                  &rcf->peer.name, err);

    return NGX_ERROR;
}


/* checked whether or not a location uses the module */
ngx_int_t
ngx_http_ticketing_cache_init_redis(ngx_conf_t *cf)
{
    ngx_uint_t                        i;
    ngx_http_ticketing_peer_conf_t   *sentinels, *seeds;
    ngx_http_ticketing_redis_conf_t  *rcf;
    ngx_http_ticketing_main_conf_t   *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);

    rcf = tmcf->cache.redis;

    if (rcf == NULL) {
        if (tmcf->cache.sentinels) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"ticketing_redis_sentinel\" needs "
                          "\"ticketing_redis sentinel:NAME\"");
            return NGX_ERROR;
        }

        return NGX_OK;
    }

    if ((rcf->master_name.len == 0) != (tmcf->cache.sentinels == NULL)) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"ticketing_redis sentinel:NAME\" and "
                      "\"ticketing_redis_sentinel\" go together");
        return NGX_ERROR;
    }

    if (rcf->cluster
        && ngx_http_ticketing_cache_check_cluster(cf, rcf, tmcf) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* a stored value, its header, and room for the protocol */
    rcf->max_reply = tmcf->cache.max_value + 64 * 1024;

    rcf->sentinels = tmcf->cache.sentinels;
    rcf->sentinel_username = tmcf->cache.sentinel_username;
    rcf->sentinel_password = tmcf->cache.sentinel_password;

    if (tmcf->cache.redis_ssl.enable) {
        tmcf->cache.redis->peer.ssl = &tmcf->cache.redis_ssl;

        if (rcf->sentinels && tmcf->cache.redis_ssl.verify
            && tmcf->cache.redis_ssl.name.len == 0)
        {
            /* sentinels name the primary by an address known later */
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "TLS to a primary found by Sentinel needs "
                          "\"ticketing_redis_ssl_name\": the name its "
                          "certificate is checked against");
            return NGX_ERROR;
        }

        if (ngx_http_ticketing_peer_ssl_init(cf, &tmcf->cache.redis_ssl,
                                             "ticketing_redis")
            != NGX_CONF_OK)
        {
            return NGX_ERROR;
        }
    }

    if (rcf->sentinels) {
        sentinels = rcf->sentinels->elts;

        for (i = 0; i < rcf->sentinels->nelts; i++) {
            sentinels[i].connect_timeout = rcf->peer.connect_timeout;

            if (tmcf->cache.redis_ssl.enable) {
                sentinels[i].ssl = &tmcf->cache.redis_ssl;
            }

            if (ngx_http_ticketing_peer_init_conf(cf, &sentinels[i],
                                                  "ticketing_redis_sentinel")
                != NGX_CONF_OK)
            {
                return NGX_ERROR;
            }
        }

        if (tmcf->cache.redis_ssl.enable) {
            rcf->peer.ssl_name = sentinels[0].ssl_name;
        }

        return NGX_OK;
    }

    if (ngx_http_ticketing_peer_init_conf(cf, &rcf->peer, "ticketing_redis")
        != NGX_CONF_OK)
    {
        return NGX_ERROR;
    }

    seeds = rcf->seeds ? rcf->seeds->elts : NULL;

    for (i = 0; rcf->seeds && i < rcf->seeds->nelts; i++) {
        seeds[i].connect_timeout = rcf->peer.connect_timeout;
        seeds[i].ssl = rcf->peer.ssl;

        if (ngx_http_ticketing_peer_init_conf(cf, &seeds[i],
                                              "ticketing_redis")
            != NGX_CONF_OK)
        {
            return NGX_ERROR;
        }

        /* every node proves the one name, as those it names do */
        seeds[i].ssl_name = rcf->peer.ssl_name;
    }

    return NGX_OK;
}


/* ticketing_redis_sentinel ADDRESS... [username=U] [password=P] */
char *
ngx_http_ticketing_cache_redis_sentinel(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_main_conf_t  *tmcf = conf;

    char                            *err;
    ngx_str_t                       *value, s;
    ngx_uint_t                       i;
    ngx_http_ticketing_peer_conf_t  *pcf;

    if (tmcf->cache.sentinels != NULL) {
        return "is duplicate";
    }

    tmcf->cache.sentinels = ngx_array_create(cf->pool, 3,
                                    sizeof(ngx_http_ticketing_peer_conf_t));
    if (tmcf->cache.sentinels == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_http_ticketing_conf_param(&value[i], "username=",
                                           &tmcf->cache.sentinel_username))
        {
            continue;
        }

        if (ngx_http_ticketing_conf_param(&value[i], "password=",
                                           &tmcf->cache.sentinel_password))
        {

            if (tmcf->cache.sentinel_password.len == 0) {
                ngx_str_set(&s, "password=");
                goto invalid;
            }

            continue;
        }

        pcf = ngx_array_push(tmcf->cache.sentinels);
        if (pcf == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(pcf, sizeof(ngx_http_ticketing_peer_conf_t));

        err = ngx_http_ticketing_peer_parse(cf, &value[i], 26379, pcf);

        if (err != NGX_CONF_OK) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid address \"%V\" in \"%V\" "
                               "directive: %s", &value[i], &cmd->name, err);
            return NGX_CONF_ERROR;
        }
    }

    if (tmcf->cache.sentinels->nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\" names no sentinel", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (tmcf->cache.sentinel_username.len
        && tmcf->cache.sentinel_password.len == 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": username= needs password=",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid parameter \"%V\" in \"%V\" directive",
                       &s, &cmd->name);

    return NGX_CONF_ERROR;
}


/*
 * ticketing_redis ADDRESS [cluster] [username=U] [password=P] [db=N]
 *     [prefix=S] [connect_timeout=T] [max_fails=N] [fail_timeout=T];
 */
char *
ngx_http_ticketing_cache_redis(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_main_conf_t  *tmcf = conf;

    char                             *err;
    ngx_int_t                         rc;
    ngx_str_t                        *value, s;
    ngx_uint_t                        i;
    ngx_http_ticketing_redis_conf_t  *rcf;

    if (tmcf->cache.redis != NULL) {
        return "is duplicate";
    }

    rcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_ticketing_redis_conf_t));
    if (rcf == NULL) {
        return NGX_CONF_ERROR;
    }

    rcf->peer.connect_timeout = 1000;
    rcf->max_fails = 5;
    rcf->fail_timeout = 5000;

    value = cf->args->elts;

    if (value[1].len > 9
        && ngx_strncmp(value[1].data, "sentinel:", 9) == 0)
    {
        /* the primary is asked of ticketing_redis_sentinel's servers */
        rcf->peer.name = value[1];
        rcf->master_name.data = value[1].data + 9;
        rcf->master_name.len = value[1].len - 9;
        err = NGX_CONF_OK;

    } else {
        err = ngx_http_ticketing_peer_parse(cf, &value[1], 6379, &rcf->peer);
    }

    if (err != NGX_CONF_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid address \"%V\" in \"%V\" directive: "
                           "%s (expected host:port, IP:port, [IPv6]:port, "
                           "unix:/path or sentinel:NAME)", &value[1],
                           &cmd->name, err);
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {
        rc = ngx_http_ticketing_cache_redis_param(cf, cmd, tmcf, rcf,
                                                  &value[i]);
        if (rc == NGX_ERROR) {
            return NGX_CONF_ERROR;
        }

        if (rc == NGX_DECLINED) {
            /* never echo a password */
            if (ngx_strncmp(value[i].data, "password=", 9) == 0) {
                ngx_str_set(&s, "password=");

            } else {
                s = value[i];
            }

            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\" in \"%V\" directive",
                               &s, &cmd->name);
            return NGX_CONF_ERROR;
        }
    }

    if (rcf->seeds && !rcf->cluster) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": several addresses are the nodes of a "
                           "cluster: add \"cluster\"", &cmd->name);
        return NGX_CONF_ERROR;
    }

    if (rcf->username.len && rcf->password.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": username= needs password=",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    tmcf->cache.redis = rcf;

    return NGX_CONF_OK;
}


/*
 * One argument of ticketing_redis after the address: NGX_DECLINED when it
 * is not valid, NGX_ERROR when it could not be kept (already logged).
 */
static ngx_int_t
ngx_http_ticketing_cache_redis_param(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_http_ticketing_main_conf_t *tmcf,
    ngx_http_ticketing_redis_conf_t *rcf, ngx_str_t *arg)
{
    ngx_int_t  n;
    ngx_str_t  s;

    if (ngx_http_ticketing_conf_param(arg, "username=", &rcf->username)) {
        return rcf->username.len ? NGX_OK : NGX_DECLINED;
    }

    if (ngx_http_ticketing_conf_param(arg, "password=", &rcf->password)) {
        return rcf->password.len ? NGX_OK : NGX_DECLINED;
    }

    if (ngx_http_ticketing_conf_param(arg, "db=", &s)) {
        n = ngx_atoi(s.data, s.len);
        if (n == NGX_ERROR || n > 65535) {
            return NGX_DECLINED;
        }

        rcf->db = n;
        return NGX_OK;
    }

    if (ngx_http_ticketing_conf_param(arg, "prefix=", &tmcf->cache.prefix)) {
        /* "|" ends the prefix in a key: keys stay injective */
        return ngx_strlchr(tmcf->cache.prefix.data,
                           tmcf->cache.prefix.data + tmcf->cache.prefix.len,
                           '|')
               == NULL ? NGX_OK : NGX_DECLINED;
    }

    if (ngx_strcmp(arg->data, "cluster") == 0) {
        rcf->cluster = 1;
        return NGX_OK;
    }

    if (ngx_strlchr(arg->data, arg->data + arg->len, '=') == NULL) {
        /* another node of the cluster, to learn the map from */
        return ngx_http_ticketing_cache_redis_seed(cf, cmd, rcf, arg);
    }

    if (ngx_http_ticketing_conf_param(arg, "connect_timeout=", &s)) {
        rcf->peer.connect_timeout = ngx_parse_time(&s, 0);

        return rcf->peer.connect_timeout == (ngx_msec_t) NGX_ERROR
               || rcf->peer.connect_timeout == 0 ? NGX_DECLINED : NGX_OK;
    }

    if (ngx_http_ticketing_conf_param(arg, "max_fails=", &s)) {
        n = ngx_atoi(s.data, s.len);
        if (n == NGX_ERROR || n == 0) {
            return NGX_DECLINED;
        }

        rcf->max_fails = n;
        return NGX_OK;
    }

    if (ngx_http_ticketing_conf_param(arg, "fail_timeout=", &s)) {
        rcf->fail_timeout = ngx_parse_time(&s, 0);

        return rcf->fail_timeout == (ngx_msec_t) NGX_ERROR
               ? NGX_DECLINED : NGX_OK;
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_ticketing_cache_redis_seed(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_http_ticketing_redis_conf_t *rcf, ngx_str_t *arg)
{
    char                            *err;
    ngx_http_ticketing_peer_conf_t  *seed;

    if (rcf->seeds == NULL) {
        rcf->seeds = ngx_array_create(cf->pool, 2,
                                      sizeof(ngx_http_ticketing_peer_conf_t));
        if (rcf->seeds == NULL) {
            return NGX_ERROR;
        }
    }

    seed = ngx_array_push(rcf->seeds);
    if (seed == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(seed, sizeof(ngx_http_ticketing_peer_conf_t));

    err = ngx_http_ticketing_peer_parse(cf, arg, 6379, seed);
    if (err != NGX_CONF_OK) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid address \"%V\" in \"%V\" directive: %s",
                           arg, &cmd->name, err);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a directive's OPERATION argument: a cacheable operation, else NULL */
static const ngx_http_ticketing_operation_t *
ngx_http_ticketing_cache_operation(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *name)
{
    const ngx_http_ticketing_operation_t  *op;

    op = ngx_http_ticketing_operation_find((const char *) name->data,
                                           name->len);
    if (op == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown operation \"%V\" in \"%V\" directive",
                           name, &cmd->name);
        return NULL;
    }

    if (!op->cacheable || op->number >= NGX_HTTP_TICKETING_NOPS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "operation \"%V\" is not cacheable in \"%V\" "
                           "directive", name, &cmd->name);
        return NULL;
    }

    return op;
}


/* ticketing_cache_ttl OPERATION TIME; */
char *
ngx_http_ticketing_cache_ttl(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    ngx_str_t                             *value;
    ngx_msec_t                             ttl;
    const ngx_http_ticketing_operation_t  *op;

    value = cf->args->elts;

    op = ngx_http_ticketing_cache_operation(cf, cmd, &value[1]);
    if (op == NULL) {
        return NGX_CONF_ERROR;
    }

    if (tlcf->cache.ttl[op->number] != NGX_CONF_UNSET_MSEC) {
        return "is duplicate";
    }

    ttl = ngx_parse_time(&value[2], 0);
    if (ttl == (ngx_msec_t) NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive",
                           &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    tlcf->cache.ttl[op->number] = ttl;

    return NGX_CONF_OK;
}


/* ticketing_cache_scope OPERATION shared | subject | claim=NAME; */
char *
ngx_http_ticketing_cache_scope(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_loc_conf_t  *tlcf = conf;

    ngx_str_t                             *value;
    ngx_uint_t                             scope;
    const ngx_http_ticketing_operation_t  *op;

    value = cf->args->elts;

    op = ngx_http_ticketing_cache_operation(cf, cmd, &value[1]);
    if (op == NULL) {
        return NGX_CONF_ERROR;
    }

    if (tlcf->cache.scope[op->number] != NGX_HTTP_TICKETING_CACHE_SCOPE_UNSET)
    {
        return "is duplicate";
    }

    if (value[2].len == 6
        && ngx_strncmp(value[2].data, "shared", 6) == 0)
    {
        scope = NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED;

    } else if (value[2].len == 7
               && ngx_strncmp(value[2].data, "subject", 7) == 0)
    {
        scope = NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT;

    } else if (value[2].len > 6
               && ngx_strncmp(value[2].data, "claim=", 6) == 0)
    {
        scope = NGX_HTTP_TICKETING_CACHE_SCOPE_CLAIM;

        /* NUL-terminated: the configuration's strings are */
        tlcf->cache.claim[op->number].data = value[2].data + 6;
        tlcf->cache.claim[op->number].len = value[2].len - 6;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"%V\" directive: "
                           "\"shared\", \"subject\" or \"claim=NAME\"",
                           &value[2], &cmd->name);
        return NGX_CONF_ERROR;
    }

    tlcf->cache.scope[op->number] = scope;

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_ticketing_cache_init_process(ngx_cycle_t *cycle)
{
    ngx_http_ticketing_main_conf_t  *tmcf;

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    tmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_ticketing_module);

    if (tmcf == NULL || !tmcf->cache.enabled) {
        return NGX_OK;
    }

    return ngx_http_ticketing_redis_init(cycle, tmcf->cache.redis);
}


void
ngx_http_ticketing_cache_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_ticketing_cache_exiting = 1;
    ngx_http_ticketing_redis_done(cycle);
}
