
/*
 * The Redis cache of the metadata operations: lookup, store,
 * fail-open.
 *
 * The lookup is the last access step, after authentication and
 * authorization, so a cached answer is never served to a request that
 * would have been refused.  It sends GET to Redis and waits (NGX_DONE);
 * the reply either answers the request (HIT) or resumes the pipeline
 * (MISS, BYPASS).  A timer bounds every wait.  On a miss the request takes
 * the key's fill lock (SET NX) or, when another holds it, polls for its
 * fill a little while.  The response of a MISS is copied by the body
 * filter and stored with SET ... PX once complete, without waiting for
 * Redis.  An entry past its TTL is kept to answer if the upstream fails
 * (stale-if-error).
 *
 * A lookup in flight is a small record outside the request's pool: hiredis
 * holds it until it calls back, whatever happens to the request meanwhile.
 * The request's pool cleanup detaches it, so the reply of a request that
 * is gone only frees the record.
 */


#include <jansson.h>

#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_cachekey.h"


#define NGX_HTTP_TICKETING_CACHE_MAX_TYPE   256

/* RFC 9110 5.6.2 tchar */
#define ngx_http_ticketing_cache_tchar(c)                                     \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z')              \
     || ((c) >= '0' && (c) <= '9')                                           \
     || ((c) != '\0' && ngx_strchr("!#$%&'*+-.^_`|~", (c)) != NULL))

#define ngx_http_ticketing_cache_alpha(c)                                     \
    (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))

/* how long a fill lock lives if its holder never releases it */
#define NGX_HTTP_TICKETING_CACHE_LOCK_AGE   "5000"

/* how often a request waiting for another's fill looks again */
#define NGX_HTTP_TICKETING_CACHE_POLL_MS    50


struct ngx_http_ticketing_cache_lookup_s {
    /* NULL once the request is gone or stopped waiting */
    ngx_http_request_t            *request;
    ngx_event_t                    timer;
};


static ngx_uint_t ngx_http_ticketing_cache_default(ngx_uint_t number,
    ngx_msec_t *ttl);
static ngx_int_t ngx_http_ticketing_cache_status_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_http_ticketing_cache_key(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_cache_ctx_t *cctx,
    const char **why);
static ngx_int_t ngx_http_ticketing_cache_request_header(
    ngx_http_request_t *r, unsigned which, ngx_str_t *value,
    const char **why);
static ngx_int_t ngx_http_ticketing_cache_scope_value(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_cache_ctx_t *cctx,
    ngx_str_t *value);
static ngx_int_t ngx_http_ticketing_cache_tenant(ngx_http_request_t *r,
    ngx_str_t *provider, ngx_str_t *org, const char **error);
static ngx_uint_t ngx_http_ticketing_cache_client_no_cache(
    ngx_http_request_t *r);
static void ngx_http_ticketing_cache_lookup_reply(redisReply *reply,
    void *data);
static void ngx_http_ticketing_cache_lookup_timeout(ngx_event_t *ev);
static ngx_int_t ngx_http_ticketing_cache_send(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t phase);
static void ngx_http_ticketing_cache_missed(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t lock_gone);
static void ngx_http_ticketing_cache_lock_reply(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, redisReply *rr);
static void ngx_http_ticketing_cache_wait(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static void ngx_http_ticketing_cache_poll_handler(ngx_event_t *ev);
static ngx_int_t ngx_http_ticketing_cache_purge_handler(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_cache_purge_pattern(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, const char **error);
static ngx_int_t ngx_http_ticketing_cache_purge_args(ngx_http_request_t *r,
    const char **error);
static ngx_int_t ngx_http_ticketing_cache_purge_arg(ngx_http_request_t *r,
    const char *name, ngx_str_t *value);
static u_char *ngx_http_ticketing_cache_glob(u_char *p, u_char *src,
    size_t len);
static void ngx_http_ticketing_cache_purge_done(ngx_http_request_t *r,
    redisReply *rr);
static void ngx_http_ticketing_cache_resume(ngx_http_request_t *r);
static void ngx_http_ticketing_cache_send_hit(ngx_http_request_t *r,
    ngx_http_ticketing_cacheval_t *v);
static ngx_int_t ngx_http_ticketing_cache_keep_stale(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_http_ticketing_cacheval_t *v);
static void ngx_http_ticketing_cache_stale_headers(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static unsigned long long ngx_http_ticketing_cache_now(void);
static void ngx_http_ticketing_cache_cleanup(void *data);
static void ngx_http_ticketing_cache_hide_status(ngx_http_request_t *r);
static const ngx_http_ticketing_operation_t *
    ngx_http_ticketing_cache_operation(ngx_conf_t *cf, ngx_command_t *cmd,
    ngx_str_t *name);
static ngx_int_t ngx_http_ticketing_cache_header_filter(
    ngx_http_request_t *r);
static const char *ngx_http_ticketing_cache_rules(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static const char *ngx_http_ticketing_cache_control(ngx_str_t *value,
    ngx_msec_t *max_age, ngx_msec_t *s_maxage);
static const char *ngx_http_ticketing_cache_expires(ngx_http_request_t *r,
    ngx_table_elt_t *expires, ngx_msec_t *lifetime);
static const char *ngx_http_ticketing_cache_language(ngx_http_request_t *r,
    ngx_str_t *lang);
static ngx_int_t ngx_http_ticketing_cache_add_header(ngx_http_request_t *r,
    char *name, ngx_str_t *value);
static ngx_int_t ngx_http_ticketing_cache_add_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static const char *ngx_http_ticketing_cache_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *value);
static u_char *ngx_http_ticketing_cache_token(u_char *p, u_char *end,
    ngx_str_t *name, ngx_str_t *arg);
static u_char *ngx_http_ticketing_cache_quoted(u_char *p, u_char *end);
static ngx_int_t ngx_http_ticketing_cache_json_type(ngx_str_t *type);
static ngx_int_t ngx_http_ticketing_cache_value(redisReply *rr,
    ngx_http_ticketing_cacheval_t *v);
static ngx_int_t ngx_http_ticketing_cache_language_list(ngx_str_t *value);
static ngx_uint_t ngx_http_ticketing_cache_upstream_header(
    ngx_http_request_t *r, char *name, ngx_table_elt_t **first);
static ngx_int_t ngx_http_ticketing_cache_delta(ngx_str_t *value,
    ngx_msec_t *ms);
static time_t ngx_http_ticketing_cache_http_time(u_char *p, size_t len);
static ngx_int_t ngx_http_ticketing_cache_digits(u_char *p, ngx_uint_t n);
static ngx_int_t ngx_http_ticketing_cache_clock(u_char *p, ngx_int_t *hour,
    ngx_int_t *min, ngx_int_t *sec);
static ngx_int_t ngx_http_ticketing_cache_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_ticketing_cache_stale_body(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_chain_t *in);
static ngx_int_t ngx_http_ticketing_cache_copy(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_buf_t *b);
static void ngx_http_ticketing_cache_store(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx);
static void ngx_http_ticketing_cache_store_reply(redisReply *reply,
    void *data);
static void ngx_http_ticketing_cache_stop_storing(
    ngx_http_ticketing_cache_ctx_t *cctx);


/*
 * Deletes the keys matching a pattern, inside Redis: one round trip, and
 * SCAN keeps Redis answering others between its steps only as much as a
 * script allows, which is fine for the size of a metadata cache.
 */
static const char  ngx_http_ticketing_cache_purge_script[] =
    "local c, n = '0', 0 "
    "repeat "
    "local r = redis.call('SCAN', c, 'MATCH', ARGV[1], 'COUNT', 1000) "
    "c = r[1] "
    "for _, k in ipairs(r[2]) do redis.call('UNLINK', k) n = n + 1 end "
    "until c == '0' "
    "return n";


/* the worker is exiting: replies only free their records */
static ngx_uint_t  ngx_http_ticketing_cache_exiting;


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


static ngx_str_t  ngx_http_ticketing_cache_status_names[] = {
    ngx_null_string,
    ngx_string("HIT"),
    ngx_string("MISS"),
    ngx_string("BYPASS"),
    ngx_string("STALE")
};


/*
 * Default TTLs: what changes rarely lives long.  Default scopes: Jira
 * filters the create and edit metadata (projects, issue types, fields) by
 * the caller's permissions, so those entries are per subject; field names
 * and issue link types are the same for everyone.
 */
static const struct {
    unsigned     number;
    ngx_msec_t   ttl;
    ngx_uint_t   scope;
} ngx_http_ticketing_cache_defaults[] = {
    /* metadata.createProperties */
    { 11, 10 * 60 * 1000, NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT },
    /* metadata.updateProperties: per ticket */
    { 12, 30 * 1000, NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT },
    /* metadata.types */
    { 13, 60 * 60 * 1000, NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT },
    /* metadata.fieldInfo */
    { 14, 10 * 60 * 1000, NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED },
    /* issueLinkType.list */
    { 22, 60 * 60 * 1000, NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED },
    /* issueLinkType.get */
    { 23, 60 * 60 * 1000, NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED },
};


/* ------------------------------------------------------ configuration */


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

    for (i = 0; i < NGX_HTTP_TICKETING_CACHE_NOPS; i++) {
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

    for (i = 0; i < NGX_HTTP_TICKETING_CACHE_NOPS; i++) {
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
static ngx_uint_t
ngx_http_ticketing_cache_default(ngx_uint_t number, ngx_msec_t *ttl)
{
    ngx_uint_t  i;

    for (i = 0; i < sizeof(ngx_http_ticketing_cache_defaults)
                    / sizeof(ngx_http_ticketing_cache_defaults[0]); i++)
    {
        if (ngx_http_ticketing_cache_defaults[i].number == number) {
            *ttl = ngx_http_ticketing_cache_defaults[i].ttl;
            return ngx_http_ticketing_cache_defaults[i].scope;
        }
    }

    /* not cacheable */
    *ttl = 0;

    return NGX_HTTP_TICKETING_CACHE_SCOPE_SHARED;
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

    } else if (rcf->peer.addr.sockaddr
               && rcf->peer.addr.sockaddr->sa_family == AF_UNIX)
    {
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
    ngx_http_ticketing_peer_conf_t   *sentinels;
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

        if (ngx_strncmp(value[i].data, "username=", 9) == 0) {
            tmcf->cache.sentinel_username.data = value[i].data + 9;
            tmcf->cache.sentinel_username.len = value[i].len - 9;
            continue;
        }

        if (ngx_strncmp(value[i].data, "password=", 9) == 0) {
            tmcf->cache.sentinel_password.data = value[i].data + 9;
            tmcf->cache.sentinel_password.len = value[i].len - 9;

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


void
ngx_http_ticketing_cache_register_filters(void)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_ticketing_cache_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_ticketing_cache_body_filter;
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
    ngx_int_t                         n;
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

        if (ngx_strncmp(value[i].data, "username=", 9) == 0) {
            rcf->username.data = value[i].data + 9;
            rcf->username.len = value[i].len - 9;

            if (rcf->username.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "password=", 9) == 0) {
            rcf->password.data = value[i].data + 9;
            rcf->password.len = value[i].len - 9;

            if (rcf->password.len == 0) {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "db=", 3) == 0) {
            n = ngx_atoi(value[i].data + 3, value[i].len - 3);
            if (n == NGX_ERROR || n > 65535) {
                goto invalid;
            }

            rcf->db = n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "prefix=", 7) == 0) {
            tmcf->cache.prefix.data = value[i].data + 7;
            tmcf->cache.prefix.len = value[i].len - 7;

            /* "|" ends the prefix in a key: keys stay injective */
            if (ngx_strlchr(tmcf->cache.prefix.data,
                            tmcf->cache.prefix.data
                            + tmcf->cache.prefix.len, '|')
                != NULL)
            {
                goto invalid;
            }

            continue;
        }

        if (ngx_strcmp(value[i].data, "cluster") == 0) {
            rcf->cluster = 1;
            continue;
        }

        if (ngx_strncmp(value[i].data, "connect_timeout=", 16) == 0) {
            s.data = value[i].data + 16;
            s.len = value[i].len - 16;

            rcf->peer.connect_timeout = ngx_parse_time(&s, 0);
            if (rcf->peer.connect_timeout == (ngx_msec_t) NGX_ERROR
                || rcf->peer.connect_timeout == 0)
            {
                goto invalid;
            }

            continue;
        }

        if (ngx_strncmp(value[i].data, "max_fails=", 10) == 0) {
            n = ngx_atoi(value[i].data + 10, value[i].len - 10);
            if (n == NGX_ERROR || n == 0) {
                goto invalid;
            }

            rcf->max_fails = n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "fail_timeout=", 13) == 0) {
            s.data = value[i].data + 13;
            s.len = value[i].len - 13;

            rcf->fail_timeout = ngx_parse_time(&s, 0);
            if (rcf->fail_timeout == (ngx_msec_t) NGX_ERROR) {
                goto invalid;
            }

            continue;
        }

        goto invalid;
    }

    if (rcf->username.len && rcf->password.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"%V\": username= needs password=",
                           &cmd->name);
        return NGX_CONF_ERROR;
    }

    tmcf->cache.redis = rcf;

    return NGX_CONF_OK;

invalid:

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

    if (!op->cacheable || op->number >= NGX_HTTP_TICKETING_CACHE_NOPS) {
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


/* ------------------------------------------------------------ process */


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


/* ------------------------------------------------------------- lookup */


/* the access step: look the response up in Redis */
ngx_int_t
ngx_http_ticketing_cache_handler(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx)
{
    ngx_int_t                              rc;
    ngx_msec_t                             ttl;
    const char                            *why;
    ngx_pool_cleanup_t                    *cln;
    ngx_http_ticketing_cache_ctx_t        *cctx;
    ngx_http_ticketing_loc_conf_t         *tlcf;
    const ngx_http_ticketing_operation_t  *op;

    if (ctx->cache != NULL) {
        /* re-entered by an event while the lookup goes on */
        return ctx->cache->waiting ? NGX_DONE : NGX_OK;
    }

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);
    op = ctx->route.op;

    if (!tlcf->cache.enable
        || op == NULL
        || !op->cacheable
        || op->number >= NGX_HTTP_TICKETING_CACHE_NOPS
        || r->method != NGX_HTTP_GET
        || r != r->main)
    {
        return NGX_OK;
    }

    ttl = tlcf->cache.ttl[op->number];

    if (ttl == 0) {
        /* "ticketing_cache_ttl OPERATION 0": not cached */
        return NGX_OK;
    }

    cctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_cache_ctx_t));
    if (cctx == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_ticketing_cache_cleanup;
    cln->data = cctx;

    ctx->cache = cctx;
    cctx->ttl = ttl;
    cctx->stale_if_error = tlcf->cache.stale_if_error;
    cctx->max = tlcf->cache.max_size;
    cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;

    why = NULL;

    rc = ngx_http_ticketing_cache_key(r, ctx, cctx, &why);
    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_DECLINED) {
        /* neither looked up nor stored */
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: %s, bypass", why);
        return NGX_OK;
    }

    if (tlcf->cache.client_bypass
        && ngx_http_ticketing_cache_client_no_cache(r))
    {
        /* the fresh answer replaces what is stored */
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: client asked for no-cache, bypass");
        cctx->store = 1;
        return NGX_OK;
    }

    if (ngx_http_ticketing_cache_send(r, cctx, NGX_HTTP_TICKETING_CACHE_GET)
        != NGX_OK)
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: redis not usable, bypass");
        return NGX_OK;
    }

    cctx->waiting = 1;

    /* notice a client that goes away while we wait */
    r->read_event_handler = ngx_http_test_reading;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing cache: lookup \"%V\"", &cctx->key);

    return NGX_DONE;
}


/*
 * Sends one command of the lookup: GET (first, and again while waiting
 * for another's fill) or the fill lock's SET NX.  The reply comes to
 * ngx_http_ticketing_cache_lookup_reply(), or the timeout first.
 */
static ngx_int_t
ngx_http_ticketing_cache_send(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t phase)
{
    int                                 argc;
    size_t                              argvlen[6];
    ngx_int_t                           rc;
    const char                         *argv[6];
    ngx_http_ticketing_loc_conf_t      *tlcf;
    ngx_http_ticketing_cache_lookup_t  *lk;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (phase == NGX_HTTP_TICKETING_CACHE_LOCK) {
        argc = 6;
        argv[0] = "SET";
        argv[1] = (const char *) cctx->lock_key.data;
        argvlen[1] = cctx->lock_key.len;
        argv[2] = "1";
        argv[3] = "NX";
        argv[4] = "PX";
        argv[5] = NGX_HTTP_TICKETING_CACHE_LOCK_AGE;

    } else if (phase == NGX_HTTP_TICKETING_CACHE_PURGE) {
        argc = 4;
        argv[0] = "EVAL";
        argv[1] = ngx_http_ticketing_cache_purge_script;
        argvlen[1] = sizeof(ngx_http_ticketing_cache_purge_script) - 1;
        argv[2] = "0";
        argv[3] = (const char *) cctx->pattern.data;

    } else if (phase == NGX_HTTP_TICKETING_CACHE_POLL) {
        /* the fill, and whether its holder still holds the lock */
        argc = 3;
        argv[0] = "MGET";
        argv[1] = (const char *) cctx->key.data;
        argvlen[1] = cctx->key.len;
        argv[2] = (const char *) cctx->lock_key.data;

    } else {
        argc = 2;
        argv[0] = "GET";
        argv[1] = (const char *) cctx->key.data;
        argvlen[1] = cctx->key.len;
    }

    argvlen[0] = ngx_strlen(argv[0]);
    argvlen[2] = (phase == NGX_HTTP_TICKETING_CACHE_POLL)
                 ? cctx->lock_key.len : 1;
    argvlen[3] = (phase == NGX_HTTP_TICKETING_CACHE_PURGE)
                 ? cctx->pattern.len : 2;
    argvlen[4] = 2;
    argvlen[5] = sizeof(NGX_HTTP_TICKETING_CACHE_LOCK_AGE) - 1;

    lk = ngx_alloc(sizeof(ngx_http_ticketing_cache_lookup_t),
                   r->connection->log);
    if (lk == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(lk, sizeof(ngx_http_ticketing_cache_lookup_t));

    lk->request = r;
    lk->timer.handler = ngx_http_ticketing_cache_lookup_timeout;
    lk->timer.data = lk;
    lk->timer.log = r->connection->log;

    /* a purge reaches every primary of a cluster */
    rc = (phase == NGX_HTTP_TICKETING_CACHE_PURGE)
         ? ngx_http_ticketing_redis_command_all(
               ngx_http_ticketing_cache_lookup_reply, lk, argc, argv, argvlen)
         : ngx_http_ticketing_redis_command(
               ngx_http_ticketing_cache_lookup_reply, lk, argc, argv, argvlen);

    if (rc != NGX_OK) {
        ngx_free(lk);
        return NGX_DECLINED;
    }

    cctx->phase = phase;
    cctx->lookup = lk;
    ngx_add_timer(&lk->timer, tlcf->cache.timeout);

    return NGX_OK;
}


/*
 * The key holds everything the answer depends on: provider, organization,
 * operation, path and query parameters, the request headers the upstream
 * negotiates on (Accept, Accept-Language) and, for operations whose
 * answers depend on who asks, the subject or a claim.  NGX_DECLINED with
 * the reason in *why: not cacheable (neither looked up nor stored).
 */
static ngx_int_t
ngx_http_ticketing_cache_key(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_cache_ctx_t *cctx,
    const char **why)
{
    size_t                             size, len, i;
    u_char                            *scratch;
    ngx_int_t                          rc;
    ngx_str_t                          provider, org, accept, language;
    ngx_str_t                          scope;
    const char                        *error;
    ngx_http_ticketing_main_conf_t    *tmcf;
    ngx_http_ticketing_cachekey_in_t   in;
    ngx_http_ticketing_cachekey_rc_e   krc;

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    /*
     * What the provider step resolved; without declared organizations, the
     * organization header it passed on, else the path's {org}.
     */
    provider = ctx->provider;

    if (ctx->org != NULL) {
        org = ctx->org->name;

    } else if (ctx->org_sent.len) {
        org = ctx->org_sent;

    } else {
        org.data = (u_char *)
                   ctx->route.params[NGX_HTTP_TICKETING_PARAM_ORG].data;
        org.len = ctx->route.params[NGX_HTTP_TICKETING_PARAM_ORG].len;
    }

    rc = ngx_http_ticketing_cache_tenant(r, &provider, &org, &error);
    if (rc != NGX_OK) {
        /* NGX_DECLINED only for an {org} nobody checked */
        *why = error;
        return rc;
    }

    rc = ngx_http_ticketing_cache_request_header(r,
                                        NGX_HTTP_TICKETING_CACHEKEY_ACCEPT,
                                        &accept, why);
    if (rc == NGX_OK) {
        rc = ngx_http_ticketing_cache_request_header(r,
                               NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE,
                               &language, why);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_ticketing_cache_scope_value(r, ctx, cctx, &scope);
    if (rc != NGX_OK) {
        *why = "no subject or claim to key the entry by";
        return rc;
    }

    ngx_memzero(&in, sizeof(ngx_http_ticketing_cachekey_in_t));

    in.prefix.data = tmcf->cache.prefix.data;
    in.prefix.len = tmcf->cache.prefix.len;
    in.provider.data = provider.data;
    in.provider.len = provider.len;
    in.org.data = org.data;
    in.org.len = org.len;
    in.operation.data = (const u_char *) ctx->route.op->name;
    in.operation.len = ngx_strlen(ctx->route.op->name);

    for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
        in.params[i] = ctx->route.params[i];
    }

    in.query.data = r->args.data;
    in.query.len = r->args.len;
    in.args = ngx_http_ticketing_cachekey_args(ctx->route.op->number);
    in.accept.data = accept.data;
    in.accept.len = accept.len;
    in.language.data = language.data;
    in.language.len = language.len;
    in.scope.data = scope.data;
    in.scope.len = scope.len;

    size = ngx_http_ticketing_cachekey_size(&in);

    cctx->key.data = ngx_pnalloc(r->pool, size);
    scratch = ngx_pnalloc(r->pool, r->args.len + 1);

    if (cctx->key.data == NULL || scratch == NULL) {
        return NGX_ERROR;
    }

    krc = ngx_http_ticketing_cachekey_build(&in, scratch, cctx->key.data, size,
                                            &len);

    if (krc != NGX_HTTP_TICKETING_CACHEKEY_OK) {
        *why = (krc == NGX_HTTP_TICKETING_CACHEKEY_UNKNOWN_ARG)
               ? "a query parameter the operation does not define"
               : "query not cacheable";
        return NGX_DECLINED;
    }

    cctx->key.len = len;

    /* "|lock" cannot end a key: no lock key is ever a value's key */
    cctx->lock_key.len = len + sizeof("|lock") - 1;
    cctx->lock_key.data = ngx_pnalloc(r->pool, cctx->lock_key.len);
    if (cctx->lock_key.data == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(ngx_cpymem(cctx->lock_key.data, cctx->key.data, len),
               "|lock", sizeof("|lock") - 1);

    return NGX_OK;
}


/*
 * Accept or Accept-Language for the key, normalized: every copy joined
 * with ",", each normalized by ngx_http_ticketing_cachekey_header(); empty
 * when absent.  NGX_DECLINED, with the reason in *why, when a copy is not
 * a value the key can hold (the upstream may read it otherwise than its
 * normalized form) or the result is longer than
 * NGX_HTTP_TICKETING_CACHEKEY_MAX_HEADER.
 */
static ngx_int_t
ngx_http_ticketing_cache_request_header(ngx_http_request_t *r,
    unsigned which, ngx_str_t *value, const char **why)
{
    u_char           *p, *name;
    size_t            size, len;
    ssize_t           n;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    if (which == NGX_HTTP_TICKETING_CACHEKEY_ACCEPT_LANGUAGE) {
        name = (u_char *) "accept-language";
        len = sizeof("accept-language") - 1;

    } else {
        name = (u_char *) "accept";
        len = sizeof("accept") - 1;
    }

    size = NGX_HTTP_TICKETING_CACHEKEY_MAX_HEADER;

    value->data = ngx_pnalloc(r->pool, size);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    p = value->data;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (!ngx_http_ticketing_header_is(&h[i], name, len)) {
            continue;
        }

        if (ngx_memcmp(h[i].lowcase_key, name, len) != 0) {
            /*
             * "Accept_Language" (underscores_in_headers on): one upstream
             * reads it as Accept-Language, another ignores it; the key
             * cannot say which answer it holds.
             */
            *why = "Accept or Accept-Language spelled with \"_\"";
            return NGX_DECLINED;
        }

        /* the raw length bounds the normalized one */
        if (h[i].value.len + 1 > size - (size_t) (p - value->data)) {
            *why = "Accept or Accept-Language too long";
            return NGX_DECLINED;
        }

        if (p != value->data) {
            *p++ = ',';
        }

        n = ngx_http_ticketing_cachekey_header(which, h[i].value.data,
                                               h[i].value.len, p);
        if (n < 0) {
            *why = "Accept or Accept-Language outside its grammar";
            return NGX_DECLINED;
        }

        p += n;
    }

    value->len = p - value->data;

    return NGX_OK;
}


/*
 * Whom the entry is for (ticketing_cache_scope): empty when shared,
 * "sub:" and the authenticated subject, or "claim:" <name length> ":"
 * <name> "=" <value> of a string or integer claim.  NGX_DECLINED when the
 * request has no such identity: its answer cannot be shared.
 */
static ngx_int_t
ngx_http_ticketing_cache_scope_value(ngx_http_request_t *r,
    ngx_http_ticketing_ctx_t *ctx, ngx_http_ticketing_cache_ctx_t *cctx,
    ngx_str_t *value)
{
    u_char                         *p;
    size_t                          len;
    json_t                         *v;
    ngx_str_t                      *name;
    ngx_uint_t                      number;
    const char                     *s;
    ngx_http_ticketing_loc_conf_t  *tlcf;
    u_char                          num[NGX_INT64_LEN];

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);
    number = ctx->route.op->number;

    ngx_str_null(value);

    switch (tlcf->cache.scope[number]) {

    case NGX_HTTP_TICKETING_CACHE_SCOPE_SUBJECT:

        if (ctx->auth.subject.len == 0) {
            return NGX_DECLINED;
        }

        value->len = sizeof("sub:") - 1 + ctx->auth.subject.len;
        value->data = ngx_pnalloc(r->pool, value->len);
        if (value->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(ngx_cpymem(value->data, "sub:", sizeof("sub:") - 1),
                   ctx->auth.subject.data, ctx->auth.subject.len);

        cctx->scoped = 1;

        return NGX_OK;

    case NGX_HTTP_TICKETING_CACHE_SCOPE_CLAIM:

        if (ctx->auth.claims == NULL) {
            return NGX_DECLINED;
        }

        name = &tlcf->cache.claim[number];

        /* the claim's name comes from the configuration: NUL-terminated */
        v = json_object_get(ctx->auth.claims, (const char *) name->data);

        if (json_is_string(v)) {
            s = json_string_value(v);
            len = json_string_length(v);

        } else if (json_is_integer(v)) {
            s = (const char *) num;
            len = ngx_sprintf(num, "%L", (int64_t) json_integer_value(v))
                  - num;

        } else {
            return NGX_DECLINED;
        }

        if (len == 0) {
            return NGX_DECLINED;
        }

        value->data = ngx_pnalloc(r->pool, sizeof("claim::=") - 1
                                           + NGX_SIZE_T_LEN + name->len
                                           + len);
        if (value->data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_sprintf(value->data, "claim:%uz:%V=", name->len, name);
        p = ngx_cpymem(p, s, len);
        value->len = p - value->data;

        cctx->scoped = 1;

        return NGX_OK;

    default:
        return NGX_OK;
    }
}


/*
 * The provider and organization a cache entry belongs to, by the rules of
 * the provider step: a provider name or alias gives its canonical name
 * ("jam", "Jira Amarillo" and "JAM" share entries), an organization name
 * compares case-insensitively and, when organizations are declared, must
 * be one of them.  The one resolution for the key of a request (which
 * passes what the provider step resolved) and for the purge (which passes
 * its arguments as sent), so that a purge names the keys the requests
 * made.  Empty values stay empty (a purge's "any").  Replaces the values
 * in place; NGX_DECLINED, with the reason in *error, for a name that is no
 * provider or organization.
 */
static ngx_int_t
ngx_http_ticketing_cache_tenant(ngx_http_request_t *r, ngx_str_t *provider,
    ngx_str_t *org, const char **error)
{
    u_char                          *out;
    ngx_str_t                       *canonical;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    if (provider->len) {
        canonical = ngx_http_ticketing_provider_canonical(&tmcf->provider,
                                                          provider->data,
                                                          provider->len);
        if (canonical == NULL) {
            *error = "provider is not a ticketing-provider of the gateway";
            return NGX_DECLINED;
        }

        *provider = *canonical;
    }

    if (org->len) {
        out = ngx_pnalloc(r->pool, org->len);
        if (out == NULL) {
            return NGX_ERROR;
        }

        if (ngx_http_ticketing_org_canonical(&tmcf->provider, org->data,
                                             org->len, out, org)
            != NGX_OK)
        {
            *error = "org is not an organization of the gateway";
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* "Cache-Control: no-cache" (or "Pragma: no-cache") from the client */
static ngx_uint_t
ngx_http_ticketing_cache_client_no_cache(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if ((ngx_http_ticketing_header_is(&h[i], (u_char *) "cache-control",
                                          sizeof("cache-control") - 1)
             || ngx_http_ticketing_header_is(&h[i], (u_char *) "pragma",
                                             sizeof("pragma") - 1))
            && ngx_strlcasestrn(h[i].value.data,
                                h[i].value.data + h[i].value.len,
                                (u_char *) "no-cache",
                                sizeof("no-cache") - 1 - 1)
               != NULL)
        {
            return 1;
        }
    }

    return 0;
}


static void
ngx_http_ticketing_cache_lookup_reply(redisReply *reply, void *data)
{
    ngx_http_ticketing_cache_lookup_t  *lk = data;

    ngx_uint_t                       lock_gone;
    redisReply                      *rr = reply;
    ngx_http_ticketing_cacheval_t    v;
    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    if (lk->timer.timer_set) {
        ngx_del_timer(&lk->timer);
    }

    r = lk->request;
    ngx_free(lk);

    if (rr == NULL || rr->type == REDIS_REPLY_ERROR) {
        ngx_http_ticketing_redis_failure(rr ? "an error reply"
                                            : "connection lost");
    } else {
        ngx_http_ticketing_redis_success();
    }

    if (r == NULL) {
        /* the request is gone, or stopped waiting */
        return;
    }

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    cctx = ctx->cache;
    cctx->lookup = NULL;

    if (ngx_http_ticketing_cache_exiting) {
        /* the connection is dropped at exit: do not resume anything */
        return;
    }

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_PURGE) {
        ngx_http_ticketing_cache_purge_done(r, rr);
        ngx_http_run_posted_requests(c);
        return;
    }

    if (rr == NULL || rr->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "ticketing cache: lookup failed (%s), bypass",
                      rr ? ngx_http_ticketing_peer_text(rr->str, rr->len)
                         : "no connection");

        cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
        cctx->store = 0;

        ngx_http_ticketing_cache_resume(r);
        ngx_http_run_posted_requests(c);
        return;
    }

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_LOCK) {
        ngx_http_ticketing_cache_lock_reply(r, cctx, rr);
        ngx_http_run_posted_requests(c);
        return;
    }

    lock_gone = 0;

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_POLL) {
        if (rr->type != REDIS_REPLY_ARRAY || rr->elements != 2) {
            cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
            ngx_http_ticketing_cache_resume(r);
            ngx_http_run_posted_requests(c);
            return;
        }

        lock_gone = (rr->element[1]->type == REDIS_REPLY_NIL);
        rr = rr->element[0];
    }

    if (rr->type == REDIS_REPLY_STRING) {

        if (ngx_http_ticketing_cache_value(rr, &v) != NGX_OK) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "ticketing cache: malformed value of %uz bytes "
                          "ignored", (size_t) rr->len);

        } else if (ngx_http_ticketing_cache_now() < v.fresh_until) {
            cctx->status = NGX_HTTP_TICKETING_CACHE_HIT;

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                           "ticketing cache: hit, %uz bytes",
                           (size_t) rr->len);

            ngx_http_ticketing_cache_send_hit(r, &v);
            ngx_http_run_posted_requests(c);
            return;

        } else if (cctx->stale_if_error
                   && cctx->stale_body.data == NULL
                   && ngx_http_ticketing_cache_keep_stale(r, cctx, &v)
                      != NGX_OK)
        {
            cctx->waiting = 0;
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            ngx_http_run_posted_requests(c);
            return;
        }
    }

    /* nil, or only stale */
    ngx_http_ticketing_cache_missed(r, cctx, lock_gone);
    ngx_http_run_posted_requests(c);
}


/*
 * Not in Redis (or only stale).  Request coalescing: the first request to
 * take the key's fill lock goes upstream and stores; the others wait for
 * its fill up to ticketing_cache_lock_timeout, then go upstream too.
 */
static void
ngx_http_ticketing_cache_missed(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_uint_t lock_gone)
{
    ngx_http_ticketing_loc_conf_t  *tlcf;

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    cctx->status = NGX_HTTP_TICKETING_CACHE_MISS;
    cctx->store = 1;

    if (cctx->phase == NGX_HTTP_TICKETING_CACHE_POLL) {

        if (lock_gone) {
            /* the holder ended without storing (e.g. not a 200) */
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing cache: lock released without a fill, "
                          "going upstream");

        } else if ((ngx_msec_int_t) (cctx->wait_until - ngx_current_msec)
                   > 0)
        {
            ngx_http_ticketing_cache_wait(r, cctx);
            return;

        } else {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing cache: no fill after %M ms, "
                          "going upstream", tlcf->cache.lock_timeout);
        }

    } else if (tlcf->cache.lock_timeout
               && ngx_http_ticketing_cache_send(r, cctx,
                                                NGX_HTTP_TICKETING_CACHE_LOCK)
                  == NGX_OK)
    {
        return;
    }

    ngx_http_ticketing_cache_resume(r);
}


static void
ngx_http_ticketing_cache_lock_reply(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, redisReply *rr)
{
    ngx_http_ticketing_loc_conf_t  *tlcf;

    if (rr->type == REDIS_REPLY_NIL) {
        /* another request, here or in another nginx, is filling */
        tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: locked by another, waiting");

        cctx->phase = NGX_HTTP_TICKETING_CACHE_POLL;
        cctx->wait_until = ngx_current_msec + tlcf->cache.lock_timeout;
        ngx_http_ticketing_cache_wait(r, cctx);
        return;
    }

    if (rr->type == REDIS_REPLY_STATUS) {
        cctx->locked = 1;

        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: fill lock taken");
    }

    cctx->status = NGX_HTTP_TICKETING_CACHE_MISS;
    cctx->store = 1;

    ngx_http_ticketing_cache_resume(r);
}


static void
ngx_http_ticketing_cache_wait(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    ngx_msec_t  left;

    left = cctx->wait_until - ngx_current_msec;

    cctx->poll.handler = ngx_http_ticketing_cache_poll_handler;
    cctx->poll.data = r;
    cctx->poll.log = r->connection->log;

    ngx_add_timer(&cctx->poll,
                  ngx_min(left, NGX_HTTP_TICKETING_CACHE_POLL_MS));
}


static void
ngx_http_ticketing_cache_poll_handler(ngx_event_t *ev)
{
    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    r = ev->data;
    c = r->connection;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    cctx = ctx->cache;

    if (ngx_http_ticketing_cache_send(r, cctx, NGX_HTTP_TICKETING_CACHE_POLL)
        != NGX_OK)
    {
        cctx->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
        cctx->store = 0;

        ngx_http_ticketing_cache_resume(r);
        ngx_http_run_posted_requests(c);
    }
}


static void
ngx_http_ticketing_cache_lookup_timeout(ngx_event_t *ev)
{
    ngx_http_ticketing_cache_lookup_t  *lk = ev->data;

    ngx_connection_t                *c;
    ngx_http_request_t              *r;
    ngx_http_ticketing_ctx_t        *ctx;

    r = lk->request;
    c = r->connection;

    /* stop waiting; hiredis still holds the record and frees it later */
    lk->request = NULL;

    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_TIMEOUT);

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    ctx->cache->lookup = NULL;

    if (ctx->cache->phase == NGX_HTTP_TICKETING_CACHE_PURGE) {
        ngx_http_ticketing_redis_failure("purge timed out");
        ngx_http_ticketing_cache_purge_done(r, NULL);
        ngx_http_run_posted_requests(c);
        return;
    }

    ctx->cache->status = NGX_HTTP_TICKETING_CACHE_BYPASS;
    ctx->cache->store = 0;

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "ticketing cache: lookup timed out, bypass");

    /* may drop the connection, and with it the record */
    ngx_http_ticketing_redis_failure("lookup timed out");

    ngx_http_ticketing_cache_resume(r);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_ticketing_cache_resume(ngx_http_request_t *r)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    ctx->cache->waiting = 0;
    r->read_event_handler = ngx_http_block_reading;
    ctx->step = NGX_HTTP_TICKETING_STEP_CACHE + 1;

    ngx_http_core_run_phases(r);
}


static void
ngx_http_ticketing_cache_send_hit(ngx_http_request_t *r,
    ngx_http_ticketing_cacheval_t *v)
{
    u_char                    *type;
    ngx_str_t                  lang, content_type;
    ngx_buf_t                 *b;
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    ctx->cache->waiting = 0;

    r->read_event_handler = ngx_http_block_reading;

    /* a GET's body, if any, is dropped; a malformed one closes */
    (void) ngx_http_ticketing_drop_body(r, NGX_HTTP_OK);

    /* the reply is freed when this callback returns: copy what is sent */

    type = ngx_pnalloc(r->pool, v->type.len);
    b = ngx_calloc_buf(r->pool);

    if (type == NULL || b == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ngx_memcpy(type, v->type.data, v->type.len);

    if (v->body.len) {
        b->start = ngx_pnalloc(r->pool, v->body.len);
        if (b->start == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_memcpy(b->start, v->body.data, v->body.len);
        b->pos = b->start;
        b->last = b->start + v->body.len;
        b->end = b->last;
        b->memory = 1;
    }

    if (v->language.len) {
        lang.len = v->language.len;
        lang.data = ngx_pnalloc(r->pool, lang.len);
        if (lang.data == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_memcpy(lang.data, v->language.data, lang.len);

        if (ngx_http_ticketing_cache_add_header(r, "Content-Language", &lang)
            != NGX_OK)
        {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }
    }

    content_type.data = type;
    content_type.len = v->type.len;

    ngx_http_finalize_request(r,
        ngx_http_ticketing_send_buf(r, NGX_HTTP_OK, &content_type, b));
}


/* an entry past its TTL: kept in the request's pool for stale-if-error */
static ngx_int_t
ngx_http_ticketing_cache_keep_stale(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_http_ticketing_cacheval_t *v)
{
    cctx->stale_type.data = ngx_pnalloc(r->pool, v->type.len);
    cctx->stale_language.data = ngx_pnalloc(r->pool, v->language.len + 1);
    cctx->stale_body.data = ngx_pnalloc(r->pool, v->body.len + 1);

    if (cctx->stale_type.data == NULL || cctx->stale_language.data == NULL
        || cctx->stale_body.data == NULL)
    {
        return NGX_ERROR;
    }

    cctx->stale_language.len = v->language.len;
    ngx_memcpy(cctx->stale_language.data, v->language.data,
               v->language.len);

    cctx->stale_type.len = v->type.len;
    ngx_memcpy(cctx->stale_type.data, v->type.data, v->type.len);

    cctx->stale_body.len = v->body.len;
    ngx_memcpy(cctx->stale_body.data, v->body.data, v->body.len);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "ticketing cache: stale entry kept, %uz bytes",
                   v->body.len);

    return NGX_OK;
}


/* the wall clock in ms: entries are shared by nginx instances */
static unsigned long long
ngx_http_ticketing_cache_now(void)
{
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    return (unsigned long long) tp->sec * 1000 + tp->msec;
}


/* the request's pool goes away: detach the lookup, free the copy */
static void
ngx_http_ticketing_cache_cleanup(void *data)
{
    ngx_http_ticketing_cache_ctx_t  *cctx = data;

    size_t       argvlen[2];
    const char  *argv[2];

    if (cctx->lookup) {
        if (cctx->lookup->timer.timer_set) {
            ngx_del_timer(&cctx->lookup->timer);
        }

        /* hiredis frees the record when it calls back */
        cctx->lookup->request = NULL;
        cctx->lookup = NULL;
    }

    if (cctx->poll.timer_set) {
        ngx_del_timer(&cctx->poll);
    }

    if (cctx->locked) {
        /* after the SET of the fill, if any: same connection, in order */
        argv[0] = "DEL";
        argvlen[0] = 3;
        argv[1] = (const char *) cctx->lock_key.data;
        argvlen[1] = cctx->lock_key.len;

        (void) ngx_http_ticketing_redis_command(NULL, NULL, 2, argv, argvlen);
        cctx->locked = 0;
    }

    ngx_http_ticketing_cache_stop_storing(cctx);
}


static ngx_int_t
ngx_http_ticketing_cache_status_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->cache == NULL
        || ctx->cache->status == NGX_HTTP_TICKETING_CACHE_NONE)
    {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = ngx_http_ticketing_cache_status_names[ctx->cache->status].data;
    v->len = ngx_http_ticketing_cache_status_names[ctx->cache->status].len;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


/* -------------------------------------------------------------- store */


/* in a gateway location, the only X-Cache-Status a client sees is ours */
static void
ngx_http_ticketing_cache_hide_status(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash != 0
            && h[i].key.len == sizeof("X-Cache-Status") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "X-Cache-Status",
                               sizeof("X-Cache-Status") - 1) == 0)
        {
            h[i].hash = 0;
        }
    }
}


static ngx_int_t
ngx_http_ticketing_cache_header_filter(ngx_http_request_t *r)
{
    size_t                           size;
    ngx_str_t                       *type, *status, lang;
    const char                      *why;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    if (ctx->cache == NULL
        || ctx->cache->status == NGX_HTTP_TICKETING_CACHE_NONE)
    {
        /* not cached here: an upstream's claim that it was is not passed */
        ngx_http_ticketing_cache_hide_status(r);
        return ngx_http_next_header_filter(r);
    }

    cctx = ctx->cache;

    if (cctx->stale_body.data != NULL
        && r->headers_out.status >= NGX_HTTP_INTERNAL_SERVER_ERROR
        && r->headers_out.status < 600)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "ticketing cache: upstream answered %ui, "
                      "serving the stale entry", r->headers_out.status);

        ngx_http_ticketing_cache_stale_headers(r, cctx);
    }

    ngx_http_ticketing_cache_hide_status(r);

    status = &ngx_http_ticketing_cache_status_names[cctx->status];

    if (ngx_http_ticketing_cache_add_header(r, "X-Cache-Status", status)
        != NGX_OK
        || ngx_http_ticketing_cache_add_vary(r, cctx) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (!cctx->store
        || cctx->status == NGX_HTTP_TICKETING_CACHE_HIT
        || cctx->status == NGX_HTTP_TICKETING_CACHE_STALE)
    {
        return ngx_http_next_header_filter(r);
    }

    type = &r->headers_out.content_type;

    if (r->headers_out.status != NGX_HTTP_OK
        || r->header_only
        || type->len > NGX_HTTP_TICKETING_CACHE_MAX_TYPE
        || ngx_http_ticketing_cache_json_type(type) != NGX_OK
        || (r->upstream != NULL
            && ngx_http_ticketing_cache_upstream_header(r, "Content-Type",
                                                         NULL)
               > 1)
        || (r->headers_out.content_encoding
            && r->headers_out.content_encoding->hash != 0)
        || (r->headers_out.content_length_n > 0
            && (size_t) r->headers_out.content_length_n > cctx->max))
    {
        ngx_log_debug0(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: response not stored");
        return ngx_http_next_header_filter(r);
    }

    why = ngx_http_ticketing_cache_rules(r, cctx);

    if (why == NULL) {
        why = ngx_http_ticketing_cache_language(r, &lang);
    }

    if (why != NULL) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: response not stored: %s", why);
        return ngx_http_next_header_filter(r);
    }

    size = NGX_HTTP_TICKETING_CACHEVAL_HEADER_SIZE(type->len, lang.len);
    cctx->max += size;

    size += (r->headers_out.content_length_n >= 0)
            ? (size_t) r->headers_out.content_length_n : 4096;

    cctx->value = ngx_alloc(ngx_min(size, cctx->max), r->connection->log);
    if (cctx->value == NULL) {
        return ngx_http_next_header_filter(r);
    }

    cctx->size = ngx_min(size, cctx->max);
    cctx->len = ngx_http_ticketing_cacheval_header(cctx->value,
                    ngx_http_ticketing_cache_now() + cctx->ttl,
                    type->data, type->len, lang.data, lang.len);
    cctx->storing = 1;

    return ngx_http_next_header_filter(r);
}


/*
 * The HTTP caching rules of a shared cache (RFC 9111) for an answer that
 * is otherwise storable: NULL when it may be stored, else why not.  The
 * entry's TTL is the smallest of ticketing_cache_ttl and what is left of
 * the answer's freshness lifetime (4.2.1: s-maxage, else max-age, else
 * Expires - Date) once its Age is taken off; nothing left: not stored.
 */
static const char *
ngx_http_ticketing_cache_rules(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    ngx_uint_t        i, nexpires;
    ngx_msec_t        n, lifetime, age, max_age, s_maxage;
    const char       *why;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h, *expires;

    max_age = NGX_CONF_UNSET_MSEC;
    s_maxage = NGX_CONF_UNSET_MSEC;
    age = NGX_CONF_UNSET_MSEC;
    expires = NULL;
    nexpires = 0;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0) {
            continue;
        }

        if (h[i].key.len == sizeof("Cache-Control") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Cache-Control",
                               sizeof("Cache-Control") - 1) == 0)
        {
            why = ngx_http_ticketing_cache_control(&h[i].value, &max_age,
                                                   &s_maxage);
            if (why != NULL) {
                return why;
            }

            continue;
        }

        if (h[i].key.len == sizeof("Vary") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Vary",
                               sizeof("Vary") - 1) == 0)
        {
            why = ngx_http_ticketing_cache_vary(r, cctx, &h[i].value);
            if (why != NULL) {
                return why;
            }

            continue;
        }

        if (h[i].key.len == sizeof("Expires") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Expires",
                               sizeof("Expires") - 1) == 0)
        {
            expires = &h[i];
            nexpires++;
            continue;
        }

        if (h[i].key.len == sizeof("Age") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Age",
                               sizeof("Age") - 1) == 0)
        {
            /*
             * 5.1: the first one counts; one that is no delta-seconds
             * leaves the age unknown, which a shared cache must not guess
             */
            if (ngx_http_ticketing_cache_delta(&h[i].value, &n) != NGX_OK) {
                return "the upstream's Age is invalid";
            }

            if (age == NGX_CONF_UNSET_MSEC) {
                age = n;
            }
        }
    }

    /* s-maxage is for shared caches and wins over max-age */
    lifetime = (s_maxage != NGX_CONF_UNSET_MSEC) ? s_maxage : max_age;

    if (lifetime == 0) {
        return "the upstream's max-age or s-maxage is 0";
    }

    if (lifetime == NGX_CONF_UNSET_MSEC && nexpires) {
        /* 5.3: with max-age or s-maxage, Expires is ignored */

        if (nexpires > 1) {
            return "the upstream's Expires is repeated: already expired";
        }

        why = ngx_http_ticketing_cache_expires(r, expires, &lifetime);
        if (why != NULL) {
            return why;
        }
    }

    if (lifetime == NGX_CONF_UNSET_MSEC) {
        /* no freshness information: ticketing_cache_ttl alone */
        return NULL;
    }

    if (age != NGX_CONF_UNSET_MSEC) {
        if (age >= lifetime) {
            return "the upstream's answer is already stale (Age)";
        }

        lifetime -= age;
    }

    cctx->ttl = ngx_min(cctx->ttl, lifetime);

    return NULL;
}


/*
 * The freshness lifetime Expires gives: Expires - Date (RFC 9111 4.2.1),
 * with the upstream's Date, else the time it is received.  An invalid
 * Expires ("0") means already expired (5.3): not stored.  An invalid or
 * repeated Date leaves Expires - Date unknown: not stored either.
 */
static const char *
ngx_http_ticketing_cache_expires(ngx_http_request_t *r,
    ngx_table_elt_t *expires, ngx_msec_t *lifetime)
{
    time_t            exp, date;
    ngx_table_elt_t  *h;

    exp = ngx_http_ticketing_cache_http_time(expires->value.data,
                                             expires->value.len);
    if (exp == NGX_ERROR) {
        return "the upstream's Expires is invalid: already expired";
    }

    /* proxy_pass hides the upstream's Date from headers_out, not here */
    if (r->upstream != NULL) {
        if (ngx_http_ticketing_cache_upstream_header(r, "Date", &h) > 1) {
            return "the upstream's Date is repeated: Expires cannot be used";
        }

    } else {
        h = r->headers_out.date;
    }

    if (h == NULL) {
        date = ngx_time();

    } else {
        date = ngx_http_ticketing_cache_http_time(h->value.data,
                                                  h->value.len);
        if (date == NGX_ERROR) {
            return "the upstream's Date is invalid: Expires cannot be used";
        }
    }

    if (exp <= date) {
        return "the upstream's Expires is not after its Date";
    }

    *lifetime = (ngx_msec_t) ngx_min(exp - date, 365 * 24 * 60 * 60) * 1000;

    return NULL;
}


/*
 * The answer's Content-Language, stored with the entry and replayed by a
 * hit: empty when none.  Several, or one that is no list of language tags
 * (RFC 9110 8.5) or is too long: not stored.
 */
static const char *
ngx_http_ticketing_cache_language(ngx_http_request_t *r, ngx_str_t *lang)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    ngx_str_null(lang);

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0
            || h[i].key.len != sizeof("Content-Language") - 1
            || ngx_strncasecmp(h[i].key.data, (u_char *) "Content-Language",
                               sizeof("Content-Language") - 1) != 0)
        {
            continue;
        }

        if (lang->data != NULL) {
            return "the upstream's Content-Language is repeated";
        }

        if (h[i].value.len > NGX_HTTP_TICKETING_CACHE_MAX_TYPE
            || ngx_http_ticketing_cache_language_list(&h[i].value)
               != NGX_OK)
        {
            return "the upstream's Content-Language cannot be stored";
        }

        *lang = h[i].value;
    }

    return NULL;
}


static ngx_int_t
ngx_http_ticketing_cache_add_header(ngx_http_request_t *r, char *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) name;
    h->key.len = ngx_strlen(name);
    h->value = *value;

    return NGX_OK;
}


/*
 * "Vary" on every answer of a cached operation, HIT or not: the request
 * headers the key holds, so that a client or a cache downstream tells the
 * variants apart.  Authorization when the entry is per subject or claim,
 * or the provider may come from a claim; the organization header when the
 * location has one.
 */
static ngx_int_t
ngx_http_ticketing_cache_add_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    u_char                         *p;
    ngx_str_t                       value;
    ngx_http_ticketing_loc_conf_t  *tlcf;

    static ngx_str_t  held = ngx_string("Accept, Accept-Language, "
                                        "ticketing-provider");

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    value.data = ngx_pnalloc(r->pool, held.len + 2
                                      + tlcf->provider.org_header.len
                                      + sizeof(", Authorization") - 1);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(value.data, held.data, held.len);

    if (tlcf->provider.org_header.len) {
        *p++ = ',';
        *p++ = ' ';
        p = ngx_cpymem(p, tlcf->provider.org_header.data,
                       tlcf->provider.org_header.len);
    }

    if (cctx->scoped || tlcf->provider.provider_claim.len) {
        p = ngx_cpymem(p, ", Authorization", sizeof(", Authorization") - 1);
    }

    value.len = p - value.data;

    return ngx_http_ticketing_cache_add_header(r, "Vary", &value);
}


/*
 * One Cache-Control header: no-store, private and no-cache (with or
 * without a list of fields) keep the answer out of a shared cache;
 * max-age and s-maxage give ages in ms.  An age that is not a number is
 * treated as 0.  A value that is no directive list (RFC 9111 5.2) cannot
 * be trusted: not stored.
 */
static const char *
ngx_http_ticketing_cache_control(ngx_str_t *value, ngx_msec_t *max_age,
    ngx_msec_t *s_maxage)
{
    u_char      *p, *end;
    ngx_str_t    name, arg;
    ngx_int_t    n;
    ngx_msec_t  *age;

    p = value->data;
    end = p + value->len;

    while (p < end) {
        p = ngx_http_ticketing_cache_token(p, end, &name, &arg);

        if (p == NULL) {
            return "the upstream's Cache-Control cannot be parsed";
        }

        if (name.len == sizeof("no-store") - 1
            && ngx_strncasecmp(name.data, (u_char *) "no-store",
                               name.len) == 0)
        {
            return "the upstream's Cache-Control: no-store";
        }

        if (name.len == sizeof("private") - 1
            && ngx_strncasecmp(name.data, (u_char *) "private", name.len)
               == 0)
        {
            return "the upstream's Cache-Control: private";
        }

        if (name.len == sizeof("no-cache") - 1
            && ngx_strncasecmp(name.data, (u_char *) "no-cache", name.len)
               == 0)
        {
            return "the upstream's Cache-Control: no-cache";
        }

        if (name.len == sizeof("s-maxage") - 1
            && ngx_strncasecmp(name.data, (u_char *) "s-maxage", name.len)
               == 0)
        {
            age = s_maxage;

        } else if (name.len == sizeof("max-age") - 1
                   && ngx_strncasecmp(name.data, (u_char *) "max-age",
                                      name.len) == 0)
        {
            age = max_age;

        } else {
            continue;
        }

        n = ngx_atoi(arg.data, arg.len);

        if (n == NGX_ERROR) {
            n = 0;

        } else if (n > 365 * 24 * 60 * 60) {
            n = 365 * 24 * 60 * 60;
        }

        /* repeated: the shortest */
        *age = ngx_min(*age, (ngx_msec_t) n * 1000);
    }

    return NULL;
}


/*
 * One Vary header: every request header it names must be one the key
 * holds, else the answer may be another client's: not stored.  "*" never
 * is.  The key holds Accept and Accept-Language; ticketing-provider and the
 * organization header through the resolved provider and organization;
 * Authorization when the entry is per subject or claim; Accept-Encoding
 * because only answers without Content-Encoding are stored.
 */
static const char *
ngx_http_ticketing_cache_vary(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_str_t *value)
{
    u_char                         *p, *end;
    ngx_str_t                       name, arg;
    ngx_uint_t                      i;
    ngx_http_ticketing_loc_conf_t  *tlcf;

    static ngx_str_t  held[] = {
        ngx_string("accept"),
        ngx_string("accept-language"),
        ngx_string("accept-encoding"),
        ngx_string("ticketing-provider"),
        ngx_null_string
    };

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    p = value->data;
    end = p + value->len;

    while (p < end) {
        p = ngx_http_ticketing_cache_token(p, end, &name, &arg);

        if (p == NULL) {
            return "the upstream's Vary cannot be parsed";
        }

        if (name.len == 0) {
            continue;
        }

        if (name.len == 1 && name.data[0] == '*') {
            return "the upstream's Vary: *";
        }

        for (i = 0; held[i].len; i++) {
            if (name.len == held[i].len
                && ngx_strncasecmp(name.data, held[i].data, name.len) == 0)
            {
                break;
            }
        }

        if (held[i].len) {
            continue;
        }

        if (tlcf->provider.org_header.len == name.len
            && ngx_strncasecmp(name.data, tlcf->provider.org_header.data,
                               name.len) == 0)
        {
            continue;
        }

        if (cctx->scoped
            && name.len == sizeof("authorization") - 1
            && ngx_strncasecmp(name.data, (u_char *) "authorization",
                               name.len) == 0)
        {
            continue;
        }

        return "the upstream's Vary names a header the key does not hold";
    }

    return NULL;
}


/*
 * The next element of a comma-separated header list (RFC 9110 5.6.1):
 * a token and, after "=", a token or a quoted string, without its quotes
 * (empty when none).  Returns where the next element starts, or NULL when
 * the element is malformed.  An empty list element gives an empty name.
 */
static u_char *
ngx_http_ticketing_cache_token(u_char *p, u_char *end, ngx_str_t *name,
    ngx_str_t *arg)
{
    u_char  *q;

    while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
        p++;
    }

    name->data = p;

    while (p < end && ngx_http_ticketing_cache_tchar(*p)) {
        p++;
    }

    name->len = p - name->data;

    ngx_str_null(arg);

    if (name->len == 0) {
        return (p == end) ? p : NULL;
    }

    if (p < end && *p == '=') {
        p++;

        if (p < end && *p == '"') {
            /* a quoted string may hold commas: no-cache="a, b" */
            q = ngx_http_ticketing_cache_quoted(p, end);
            if (q == NULL) {
                return NULL;
            }

            arg->data = p + 1;
            arg->len = q - 1 - arg->data;
            p = q;

        } else {
            arg->data = p;

            while (p < end && ngx_http_ticketing_cache_tchar(*p)) {
                p++;
            }

            arg->len = p - arg->data;

            if (arg->len == 0) {
                return NULL;
            }
        }
    }

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (p < end && *p != ',') {
        return NULL;
    }

    return p;
}


/*
 * A quoted string at p (RFC 9110 5.6.4): where it ends, past the closing
 * quote, or NULL when it is unterminated or holds a control byte.
 */
static u_char *
ngx_http_ticketing_cache_quoted(u_char *p, u_char *end)
{
    for (p++; p < end; p++) {

        if (*p == '"') {
            return p + 1;
        }

        if (*p == '\\') {
            p++;

            if (p == end) {
                return NULL;
            }
        }

        if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
            return NULL;
        }
    }

    return NULL;
}


/*
 * An answer the cache may store is JSON: "application/json" and nothing
 * else than parameters, *( OWS ";" OWS [ token "=" ( token /
 * quoted-string ) ] ) OWS (RFC 9110 5.6.6, 8.3.1).
 */
/*
 * A stored value, checked as the answer was before it was stored: Redis
 * may be shared, or written by someone else, and what it holds must not
 * put other bytes into the answer's headers.
 */
static ngx_int_t
ngx_http_ticketing_cache_value(redisReply *rr, ngx_http_ticketing_cacheval_t *v)
{
    ngx_str_t  s;

    if (ngx_http_ticketing_cacheval_parse((u_char *) rr->str, rr->len, v)
        != 0)
    {
        return NGX_ERROR;
    }

    s.data = (u_char *) v->type.data;
    s.len = v->type.len;

    if (ngx_http_ticketing_cache_json_type(&s) != NGX_OK) {
        return NGX_ERROR;
    }

    s.data = (u_char *) v->language.data;
    s.len = v->language.len;

    if (s.len && ngx_http_ticketing_cache_language_list(&s) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_cache_json_type(ngx_str_t *type)
{
    u_char  *p, *end, *q;

    if (type->len < sizeof("application/json") - 1
        || ngx_strncasecmp(type->data, (u_char *) "application/json",
                           sizeof("application/json") - 1) != 0)
    {
        return NGX_ERROR;
    }

    p = type->data + sizeof("application/json") - 1;
    end = type->data + type->len;

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == end) {
            return NGX_OK;
        }

        if (*p++ != ';') {
            return NGX_ERROR;
        }

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p == end || *p == ';') {
            /* an empty parameter */
            continue;
        }

        for (q = p; p < end && ngx_http_ticketing_cache_tchar(*p); p++) {
            /* void */
        }

        if (p == q || p == end || *p++ != '=') {
            return NGX_ERROR;
        }

        if (p < end && *p == '"') {
            p = ngx_http_ticketing_cache_quoted(p, end);
            if (p == NULL) {
                return NGX_ERROR;
            }

            continue;
        }

        for (q = p; p < end && ngx_http_ticketing_cache_tchar(*p); p++) {
            /* void */
        }

        if (p == q) {
            return NGX_ERROR;
        }
    }
}


/*
 * A Content-Language value: a list of language tags (RFC 9110 8.5), each
 * subtags of letters and digits joined by "-", the first a letter.
 */
static ngx_int_t
ngx_http_ticketing_cache_language_list(ngx_str_t *value)
{
    u_char      *p, *end, *q;
    ngx_uint_t   n;

    p = value->data;
    end = p + value->len;
    n = 0;

    for ( ;; ) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) {
            p++;
        }

        if (p == end) {
            return n ? NGX_OK : NGX_ERROR;
        }

        if (!ngx_http_ticketing_cache_alpha(*p)) {
            return NGX_ERROR;
        }

        for ( ;; ) {
            q = p;

            while (p < end
                   && (ngx_http_ticketing_cache_alpha(*p)
                       || (*p >= '0' && *p <= '9')))
            {
                p++;
            }

            if (p == q) {
                return NGX_ERROR;
            }

            if (p == end || *p != '-') {
                break;
            }

            p++;
        }

        n++;

        while (p < end && (*p == ' ' || *p == '\t')) {
            p++;
        }

        if (p < end && *p != ',') {
            return NGX_ERROR;
        }
    }
}


/*
 * How many headers of that name the upstream sent, and the first one:
 * nginx keeps one of them only (for Content-Type, the last).
 */
static ngx_uint_t
ngx_http_ticketing_cache_upstream_header(ngx_http_request_t *r, char *name,
    ngx_table_elt_t **first)
{
    size_t            len;
    ngx_uint_t        i, n;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = ngx_strlen(name);
    n = 0;

    if (first != NULL) {
        *first = NULL;
    }

    part = &r->upstream->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len != len
            || ngx_strncasecmp(h[i].key.data, (u_char *) name, len) != 0)
        {
            continue;
        }

        if (n++ == 0 && first != NULL) {
            *first = &h[i];
        }
    }

    return n;
}


/*
 * A delta-seconds value (RFC 9111 1.2.2) in ms: digits only; one too big
 * for nginx counts as 2147483648 s, more than any freshness lifetime.
 */
static ngx_int_t
ngx_http_ticketing_cache_delta(ngx_str_t *value, ngx_msec_t *ms)
{
    u_char      *p, *end;
    ngx_msec_t   s;

    p = value->data;
    end = p + value->len;

    if (p == end) {
        return NGX_ERROR;
    }

    s = 0;

    for ( /* void */ ; p < end; p++) {
        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        if (s < 2147483648) {
            s = s * 10 + (*p - '0');
        }
    }

    *ms = (ngx_msec_t) ngx_min(s, 2147483648) * 1000;

    return NGX_OK;
}


/*
 * An HTTP-date (RFC 9110 5.6.7), strictly: IMF-fixdate, or the obsolete
 * rfc850-date and asctime-date a recipient must also accept, each exactly,
 * with the weekday of the date and nothing after.  NGX_ERROR when it is
 * none of them (ngx_parse_http_time is lenient: trailing bytes, any zone,
 * any weekday).
 */
static time_t
ngx_http_ticketing_cache_http_time(u_char *p, size_t len)
{
    u_char      *d;
    size_t       wlen;
    ngx_int_t    day, month, year, hour, min, sec, wday, days, y, era, yoe;
    ngx_int_t    doy, mdays;
    ngx_tm_t     tm;
    ngx_uint_t   i;

    static const char  *wdays[] = { "Sunday", "Monday", "Tuesday",
                                    "Wednesday", "Thursday", "Friday",
                                    "Saturday" };
    static const char   months[] = "JanFebMarAprMayJunJulAugSepOctNov"
                                   "Dec";

    if (len < 24) {
        return NGX_ERROR;
    }

    for (i = 0; i < 7; i++) {
        if (ngx_strncmp(p, wdays[i], 3) == 0) {
            break;
        }
    }

    if (i == 7) {
        return NGX_ERROR;
    }

    wday = i;
    wlen = ngx_strlen(wdays[i]);

    if (p[3] == ',') {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        if (len != 29 || p[4] != ' ' || p[7] != ' ' || p[11] != ' '
            || p[16] != ' ' || ngx_strncmp(p + 25, " GMT", 4) != 0)
        {
            return NGX_ERROR;
        }

        day = ngx_http_ticketing_cache_digits(p + 5, 2);
        d = p + 8;
        year = ngx_http_ticketing_cache_digits(p + 12, 4);

        if (ngx_http_ticketing_cache_clock(p + 17, &hour, &min, &sec)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else if (p[3] == ' ') {
        /* asctime-date: "Sun Nov  6 08:49:37 1994" */
        if (len != 24 || p[7] != ' ' || p[10] != ' ' || p[19] != ' ') {
            return NGX_ERROR;
        }

        d = p + 4;
        day = (p[8] == ' ') ? ngx_http_ticketing_cache_digits(p + 9, 1)
                            : ngx_http_ticketing_cache_digits(p + 8, 2);
        year = ngx_http_ticketing_cache_digits(p + 20, 4);

        if (ngx_http_ticketing_cache_clock(p + 11, &hour, &min, &sec)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

    } else {
        /* rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT" */
        if (len != wlen + 24
            || ngx_strncmp(p, wdays[i], wlen) != 0
            || p[wlen] != ',' || p[wlen + 1] != ' '
            || p[wlen + 4] != '-' || p[wlen + 8] != '-'
            || p[wlen + 11] != ' '
            || ngx_strncmp(p + wlen + 20, " GMT", 4) != 0)
        {
            return NGX_ERROR;
        }

        day = ngx_http_ticketing_cache_digits(p + wlen + 2, 2);
        d = p + wlen + 5;
        year = ngx_http_ticketing_cache_digits(p + wlen + 9, 2);

        if (ngx_http_ticketing_cache_clock(p + wlen + 12, &hour, &min, &sec)
            != NGX_OK
            || year == NGX_ERROR)
        {
            return NGX_ERROR;
        }

        /* more than 50 years in the future: the century before */
        ngx_gmtime(ngx_time(), &tm);
        year += tm.ngx_tm_year - tm.ngx_tm_year % 100;

        if (year > tm.ngx_tm_year + 50) {
            year -= 100;
        }
    }

    for (month = 0; month < 12; month++) {
        if (ngx_strncmp(d, months + month * 3, 3) == 0) {
            break;
        }
    }

    /* before 1970 is no time an upstream answers at (and no time_t) */
    if (month == 12 || day == NGX_ERROR || year == NGX_ERROR || day < 1
        || year < 1970)
    {
        return NGX_ERROR;
    }

    month++;

    if (month == 2) {
        mdays = (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
                ? 29 : 28;

    } else {
        mdays = (month == 4 || month == 6 || month == 9 || month == 11)
                ? 30 : 31;
    }

    if (day > mdays) {
        return NGX_ERROR;
    }

    /* days since 1970-01-01 of a Gregorian date, years from March */
    y = (month <= 2) ? year - 1 : year;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
    days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;

    /* 1970-01-01 was a Thursday */
    if (((days % 7) + 7 + 4) % 7 != wday) {
        return NGX_ERROR;
    }

    return (time_t) days * 86400 + hour * 3600 + min * 60 + sec;
}


static ngx_int_t
ngx_http_ticketing_cache_digits(u_char *p, ngx_uint_t n)
{
    ngx_int_t  value;

    for (value = 0; n; n--, p++) {
        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        value = value * 10 + (*p - '0');
    }

    return value;
}


/* "08:49:37" */
static ngx_int_t
ngx_http_ticketing_cache_clock(u_char *p, ngx_int_t *hour, ngx_int_t *min,
    ngx_int_t *sec)
{
    *hour = ngx_http_ticketing_cache_digits(p, 2);
    *min = ngx_http_ticketing_cache_digits(p + 3, 2);
    *sec = ngx_http_ticketing_cache_digits(p + 6, 2);

    if (p[2] != ':' || p[5] != ':'
        || *hour == NGX_ERROR || *min == NGX_ERROR || *sec == NGX_ERROR
        || *hour > 23 || *min > 59 || *sec > 60)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_cache_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t                     *cl;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->cache == NULL || r != r->main) {
        return ngx_http_next_body_filter(r, in);
    }

    cctx = ctx->cache;

    if (cctx->serving_stale) {
        return ngx_http_ticketing_cache_stale_body(r, cctx, in);
    }

    if (!cctx->storing) {
        return ngx_http_next_body_filter(r, in);
    }

    /* copy before passing on: the next filters consume the buffers */

    for (cl = in; cl; cl = cl->next) {

        if (ngx_http_ticketing_cache_copy(r, cctx, cl->buf) != NGX_OK) {
            ngx_http_ticketing_cache_stop_storing(cctx);
            break;
        }

        if (cl->buf->last_buf) {
            ngx_http_ticketing_cache_store(r, cctx);
            break;
        }
    }

    return ngx_http_next_body_filter(r, in);
}


/*
 * The upstream failed and a stale entry exists: its answer replaces the
 * upstream's headers (a copy of the failure's status line, Content-Length,
 * Location... must not survive).
 */
static void
ngx_http_ticketing_cache_stale_headers(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        h[i].hash = 0;
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.status_line.len = 0;
    r->headers_out.content_type = cctx->stale_type;
    r->headers_out.content_type_len = cctx->stale_type.len;
    r->headers_out.content_type_lowcase = NULL;
    r->headers_out.charset.len = 0;
    r->headers_out.content_length_n = cctx->stale_body.len;

    r->headers_out.server = NULL;
    r->headers_out.date = NULL;
    r->headers_out.content_length = NULL;
    r->headers_out.content_encoding = NULL;
    r->headers_out.location = NULL;
    r->headers_out.refresh = NULL;
    r->headers_out.last_modified = NULL;
    r->headers_out.last_modified_time = -1;
    r->headers_out.content_range = NULL;
    r->headers_out.accept_ranges = NULL;
    r->headers_out.www_authenticate = NULL;
    r->headers_out.expires = NULL;
    r->headers_out.etag = NULL;
    r->headers_out.cache_control.nelts = 0;
    r->headers_out.link.nelts = 0;

    cctx->status = NGX_HTTP_TICKETING_CACHE_STALE;
    cctx->serving_stale = 1;
    cctx->store = 0;

    if (cctx->stale_language.len
        && ngx_http_ticketing_cache_add_header(r, "Content-Language",
                                               &cctx->stale_language)
           != NGX_OK)
    {
        /* the entry goes out without it: a header less, no failure */
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "ticketing cache: no Content-Language on the stale "
                      "entry");
    }
}


/* swallows the failure's body, sends the stale entry's once */
static ngx_int_t
ngx_http_ticketing_cache_stale_body(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_chain_t *in)
{
    ngx_buf_t    *b;
    ngx_chain_t  *cl, out;

    for (cl = in; cl; cl = cl->next) {
        cl->buf->pos = cl->buf->last;
        cl->buf->file_pos = cl->buf->file_last;
    }

    if (cctx->stale_sent) {
        return ngx_http_next_body_filter(r, NULL);
    }

    cctx->stale_sent = 1;

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_ERROR;
    }

    if (cctx->stale_body.len) {
        b->pos = cctx->stale_body.data;
        b->last = b->pos + cctx->stale_body.len;
        b->start = b->pos;
        b->end = b->last;
        b->memory = 1;
    }

    b->last_buf = 1;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_next_body_filter(r, &out);
}


static ngx_int_t
ngx_http_ticketing_cache_copy(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, ngx_buf_t *b)
{
    off_t    n;
    size_t   size;
    u_char  *p;
    ssize_t  read;

    if (ngx_buf_special(b)) {
        return NGX_OK;
    }

    n = ngx_buf_size(b);

    if ((size_t) n > cctx->max - cctx->len) {
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: response above %uz bytes, "
                       "not stored", cctx->max);
        return NGX_DECLINED;
    }

    if ((size_t) n > cctx->size - cctx->len) {
        size = ngx_min(ngx_max(cctx->size * 2, cctx->len + (size_t) n),
                       cctx->max);

        p = ngx_alloc(size, r->connection->log);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, cctx->value, cctx->len);
        ngx_free(cctx->value);

        cctx->value = p;
        cctx->size = size;
    }

    if (ngx_buf_in_memory(b)) {
        ngx_memcpy(cctx->value + cctx->len, b->pos, (size_t) n);

    } else {
        /* buffered to a temporary file by proxy_pass: as nginx reads it */
        read = ngx_read_file(b->file, cctx->value + cctx->len, (size_t) n,
                             b->file_pos);
        if (read != (ssize_t) n) {
            return NGX_ERROR;
        }
    }

    cctx->len += (size_t) n;

    return NGX_OK;
}


/* SET key value PX ttl, without waiting for the answer */
static void
ngx_http_ticketing_cache_store(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx)
{
    u_char       ttl[NGX_INT_T_LEN];
    size_t       argvlen[5];
    const char  *argv[5];

    argv[0] = "SET";
    argvlen[0] = 3;
    argv[1] = (const char *) cctx->key.data;
    argvlen[1] = cctx->key.len;
    argv[2] = (const char *) cctx->value;
    argvlen[2] = cctx->len;
    argv[3] = "PX";
    argvlen[3] = 2;
    argv[4] = (const char *) ttl;
    argvlen[4] = ngx_sprintf(ttl, "%M", cctx->ttl + cctx->stale_if_error)
                 - ttl;

    /* hiredis copies the command: the value is freed right after */

    if (ngx_http_ticketing_redis_command(ngx_http_ticketing_cache_store_reply,
                                         NULL, 5, argv, argvlen)
        == NGX_OK)
    {
        ngx_log_debug3(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                       "ticketing cache: store \"%V\", %uz bytes, "
                       "fresh for %M ms", &cctx->key, cctx->len, cctx->ttl);
    }

    ngx_http_ticketing_cache_stop_storing(cctx);
}


static void
ngx_http_ticketing_cache_store_reply(redisReply *reply, void *data)
{
    redisReply  *rr = reply;

    if (rr == NULL) {
        return;
    }

    if (rr->type == REDIS_REPLY_ERROR) {
        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "ticketing cache: store failed: %s",
                      ngx_http_ticketing_peer_text(rr->str, rr->len));
        ngx_http_ticketing_redis_failure("SET answered an error");
        return;
    }

    ngx_http_ticketing_redis_success();
}


static void
ngx_http_ticketing_cache_stop_storing(ngx_http_ticketing_cache_ctx_t *cctx)
{
    if (cctx->value) {
        ngx_free(cctx->value);
        cctx->value = NULL;
    }

    cctx->storing = 0;
}


/* ------------------------------------------------------------- purge */


/* ticketing_cache_purge; */
char *
ngx_http_ticketing_cache_purge(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t        *clcf;
    ngx_http_ticketing_main_conf_t  *tmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_ticketing_cache_purge_handler;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);
    tmcf->cache.enabled = 1;

    return NGX_CONF_OK;
}


/*
 * DELETE with, in the query: provider=, org=, operation= to narrow the
 * purge (none: everything under the key prefix), or uri= (a request's
 * path and query, percent-encoded) with provider= and org= for one entry.
 * Answers 200 {"purged":N}; errors in the uniform schema.
 */
static ngx_int_t
ngx_http_ticketing_cache_purge_handler(ngx_http_request_t *r)
{
    ngx_int_t                        rc;
    ngx_str_t                        allow = ngx_string("DELETE");
    const char                      *error;
    ngx_pool_cleanup_t              *cln;
    ngx_http_ticketing_ctx_t        *ctx;
    ngx_http_ticketing_cache_ctx_t  *cctx;

    if (r->method != NGX_HTTP_DELETE) {
        return ngx_http_ticketing_send_error(r, NGX_HTTP_NOT_ALLOWED,
                                             "a purge is a DELETE", &allow);
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_ctx_t));
    cctx = ngx_pcalloc(r->pool, sizeof(ngx_http_ticketing_cache_ctx_t));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (ctx == NULL || cctx == NULL || cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_ticketing_cache_cleanup;
    cln->data = cctx;

    ctx->cache = cctx;
    ngx_http_set_ctx(r, ctx, ngx_http_ticketing_module);

    /* the gateway's authentication, and the purge permission */
    rc = ngx_http_ticketing_auth_purge(r, ctx);
    if (rc != NGX_OK) {
        if (rc < NGX_HTTP_SPECIAL_RESPONSE) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_ticketing_send_error(r, rc, ctx->error_detail, NULL);
    }

    if (ngx_http_ticketing_drop_body(r, NGX_HTTP_OK) != NGX_OK) {
        return ngx_http_ticketing_send_error(r, NGX_HTTP_BAD_REQUEST,
                                             "the request body is malformed",
                                             NULL);
    }

    error = NULL;

    rc = ngx_http_ticketing_cache_purge_pattern(r, cctx, &error);
    if (rc != NGX_OK) {
        if (rc == NGX_HTTP_BAD_REQUEST) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "ticketing cache: purge refused: %s", error);
            return ngx_http_ticketing_send_error(r, rc, error, NULL);
        }

        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_ticketing_cache_send(r, cctx,
                                      NGX_HTTP_TICKETING_CACHE_PURGE)
        != NGX_OK)
    {
        return ngx_http_ticketing_send_error(r,
                                         NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "the cache is not reachable", NULL);
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "ticketing cache: purge \"%V\"", &cctx->pattern);

    cctx->waiting = 1;
    r->read_event_handler = ngx_http_test_reading;
    r->main->count++;

    return NGX_DONE;
}


static void
ngx_http_ticketing_cache_purge_done(ngx_http_request_t *r, redisReply *rr)
{
    ngx_buf_t                       *b;
    ngx_http_ticketing_ctx_t        *ctx;

    static ngx_str_t  json = ngx_string("application/json");

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);
    ctx->cache->waiting = 0;
    r->read_event_handler = ngx_http_block_reading;

    if (rr == NULL || rr->type != REDIS_REPLY_INTEGER) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "ticketing cache: purge failed: %s",
                      rr == NULL ? "no answer"
                      : rr->type == REDIS_REPLY_ERROR
                      ? ngx_http_ticketing_peer_text(rr->str, rr->len)
                      : "unexpected reply");

        ngx_http_finalize_request(r,
            ngx_http_ticketing_send_error(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                          "the cache purge failed", NULL));
        return;
    }

    b = ngx_create_temp_buf(r->pool, sizeof("{\"purged\":}") + NGX_INT64_LEN);
    if (b == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    b->last = ngx_sprintf(b->last, "{\"purged\":%L}", (int64_t) rr->integer);

    ngx_http_finalize_request(r,
        ngx_http_ticketing_send_buf(r, NGX_HTTP_OK, &json, b));
}


/*
 * The purge's query holds only provider=, org=, operation= and uri=
 * (names in any case, as ngx_http_arg() finds them), each once and with a
 * value: anything else would be ignored, and a purge must never do
 * something other than what it says.
 */
static ngx_int_t
ngx_http_ticketing_cache_purge_args(ngx_http_request_t *r,
    const char **error)
{
    u_char      *p, *end, *amp, *eq;
    size_t       len;
    ngx_uint_t   i, seen;

    static ngx_str_t  names[] = {
        ngx_string("provider"),
        ngx_string("org"),
        ngx_string("operation"),
        ngx_string("uri"),
        ngx_null_string
    };

    seen = 0;
    p = r->args.data;
    end = p + r->args.len;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        if (amp == p) {
            p++;
            continue;
        }

        eq = ngx_strlchr(p, amp, '=');
        len = (eq ? eq : amp) - p;

        for (i = 0; names[i].len; i++) {
            if (names[i].len == len
                && ngx_strncasecmp(p, names[i].data, len) == 0)
            {
                break;
            }
        }

        if (names[i].len == 0) {
            *error = "unknown purge argument: provider=, org=, operation= "
                     "or uri=";
            return NGX_DECLINED;
        }

        if (seen & (1 << i)) {
            *error = "a purge argument is repeated";
            return NGX_DECLINED;
        }

        if (eq == NULL || eq + 1 == amp) {
            *error = "a purge argument has no value";
            return NGX_DECLINED;
        }

        seen |= 1 << i;
        p = amp;
    }

    return NGX_OK;
}


/* the query argument "name", percent-decoded, in the request's pool */
static ngx_int_t
ngx_http_ticketing_cache_purge_arg(ngx_http_request_t *r, const char *name,
    ngx_str_t *value)
{
    u_char     *dst, *src;
    ngx_str_t   raw;

    ngx_str_null(value);

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &raw) != NGX_OK) {
        return NGX_OK;
    }

    value->data = ngx_pnalloc(r->pool, raw.len + 1);
    if (value->data == NULL) {
        return NGX_ERROR;
    }

    dst = value->data;
    src = raw.data;

    ngx_unescape_uri(&dst, &src, raw.len, 0);

    value->len = dst - value->data;

    return NGX_OK;
}


static ngx_int_t
ngx_http_ticketing_cache_purge_pattern(ngx_http_request_t *r,
    ngx_http_ticketing_cache_ctx_t *cctx, const char **error)
{
    u_char                                *p, *q, *scratch, *key;
    size_t                                 size, len, k, t;
    ngx_int_t                              rc;
    ngx_str_t                              provider, org, op, uri;
    ngx_uint_t                             i;
    ngx_http_ticketing_route_t             rt;
    ngx_http_ticketing_main_conf_t        *tmcf;
    ngx_http_ticketing_cachekey_in_t       in;
    const ngx_http_ticketing_operation_t  *o;
    u_char                                 digits[NGX_SIZE_T_LEN];

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    if (ngx_http_ticketing_cache_purge_args(r, error) != NGX_OK) {
        return NGX_HTTP_BAD_REQUEST;
    }

    if (ngx_http_ticketing_cache_purge_arg(r, "provider", &provider)
           != NGX_OK
        || ngx_http_ticketing_cache_purge_arg(r, "org", &org) != NGX_OK
        || ngx_http_ticketing_cache_purge_arg(r, "operation", &op) != NGX_OK
        || ngx_http_ticketing_cache_purge_arg(r, "uri", &uri) != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* as the keys of the requests name them */
    rc = ngx_http_ticketing_cache_tenant(r, &provider, &org, error);
    if (rc == NGX_DECLINED) {
        return NGX_HTTP_BAD_REQUEST;
    }

    if (rc != NGX_OK) {
        return rc;
    }

    o = NULL;

    /*
     * With declared organizations every key has one, the org the request
     * resolved: a uri= without it would purge nothing, silently.  Without
     * them a key has the organization header the upstream received, if
     * any: a uri= without org= purges the request's entries of every
     * organization.
     */

    if (uri.len && op.len) {
        *error = "uri= takes no operation=";
        return NGX_HTTP_BAD_REQUEST;
    }

    if (uri.len) {
        /* one entry: the key of that request, exactly */

        q = ngx_strlchr(uri.data, uri.data + uri.len, '?');
        len = q ? (size_t) (q - uri.data) : uri.len;

        scratch = ngx_pnalloc(r->pool, uri.len + 1);
        if (scratch == NULL) {
            return NGX_ERROR;
        }

        if (ngx_http_ticketing_route_match(uri.data, len,
                                           NGX_HTTP_TICKETING_GET, scratch,
                                           &rt)
            != NGX_HTTP_TICKETING_ROUTE_OK
            || !rt.op->cacheable)
        {
            *error = "uri is not a cacheable operation";
            return NGX_HTTP_BAD_REQUEST;
        }

        if (provider.len == 0) {
            *error = "uri= needs provider=";
            return NGX_HTTP_BAD_REQUEST;
        }

        if (org.len == 0 && tmcf->provider.orgs != NULL) {
            *error = "uri= needs org= when organizations are declared";
            return NGX_HTTP_BAD_REQUEST;
        }

        ngx_memzero(&in, sizeof(ngx_http_ticketing_cachekey_in_t));

        in.prefix.data = tmcf->cache.prefix.data;
        in.prefix.len = tmcf->cache.prefix.len;
        in.provider.data = provider.data;
        in.provider.len = provider.len;
        in.org.data = org.data;
        in.org.len = org.len;
        in.operation.data = (const u_char *) rt.op->name;
        in.operation.len = ngx_strlen(rt.op->name);

        for (i = 0; i < NGX_HTTP_TICKETING_NPARAMS; i++) {
            in.params[i] = rt.params[i];
        }

        if (q) {
            in.query.data = q + 1;
            in.query.len = uri.data + uri.len - (q + 1);
        }

        size = ngx_http_ticketing_cachekey_size(&in);
        key = ngx_pnalloc(r->pool, size);
        scratch = ngx_pnalloc(r->pool, in.query.len + 1);

        if (key == NULL || scratch == NULL) {
            return NGX_ERROR;
        }

        in.args = ngx_http_ticketing_cachekey_args(rt.op->number);

        if (ngx_http_ticketing_cachekey_build(&in, scratch, key, size, &len)
            != NGX_HTTP_TICKETING_CACHEKEY_OK)
        {
            *error = "uri has a query that is not cached";
            return NGX_HTTP_BAD_REQUEST;
        }

        /*
         * Every variant of that request: whatever its Accept,
         * Accept-Language and scope, so whatever the hash tag.  Past the
         * tag, the key up to its query is a prefix of no other request's
         * key.
         */
        len -= sizeof("|h|0:|0:|s|0:") - 1;

        cctx->pattern.data = ngx_pnalloc(r->pool, 2 * len + sizeof("|h*"));
        if (cctx->pattern.data == NULL) {
            return NGX_ERROR;
        }

        t = tmcf->cache.prefix.len + sizeof("|v4") - 1;

        /* the key's organization ("0:" after the provider): any, or the one */
        k = t + NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN + 1
            + ngx_sprintf(digits, "%uz", provider.len) - digits
            + 1 + provider.len + 1;

        if (org.len == 0
            && (k + 3 > len || ngx_strncmp(key + k, "0:|", 3) != 0))
        {
            return NGX_ERROR;
        }

        p = ngx_http_ticketing_cache_glob(cctx->pattern.data, key, t);
        p = ngx_cpymem(p, "|{*}", 4);
        t += NGX_HTTP_TICKETING_CACHEKEY_TAG_LEN;

        if (org.len == 0) {
            p = ngx_http_ticketing_cache_glob(p, key + t, k - t);
            *p++ = '*';
            p = ngx_http_ticketing_cache_glob(p, key + k + 2, len - k - 2);

        } else {
            p = ngx_http_ticketing_cache_glob(p, key + t, len - t);
        }

        p = ngx_cpymem(p, "|h*", sizeof("|h*") - 1);
        cctx->pattern.len = p - cctx->pattern.data;

        return NGX_OK;
    }

    if (op.len) {
        o = ngx_http_ticketing_operation_find((const char *) op.data, op.len);
        if (o == NULL || !o->cacheable) {
            *error = "operation is not a cacheable operation";
            return NGX_HTTP_BAD_REQUEST;
        }
    }

    /*
     * PREFIX|v4|{*}|<provider>|<org>|<operation>|... with "*" for the
     * unset
     */

    size = 2 * (tmcf->cache.prefix.len + provider.len + org.len + op.len)
           + 3 * (NGX_SIZE_T_LEN + 4) + sizeof("|v4|{*}|*");

    cctx->pattern.data = ngx_pnalloc(r->pool, size);
    if (cctx->pattern.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_http_ticketing_cache_glob(cctx->pattern.data,
                                      tmcf->cache.prefix.data,
                                      tmcf->cache.prefix.len);
    p = ngx_cpymem(p, "|v4|{*}", 7);

    if (provider.len) {
        p = ngx_sprintf(p, "|%uz:", provider.len);
        p = ngx_http_ticketing_cache_glob(p, provider.data, provider.len);

    } else if (org.len || op.len) {
        p = ngx_cpymem(p, "|*", 2);
    }

    if (org.len) {
        p = ngx_sprintf(p, "|%uz:", org.len);
        p = ngx_http_ticketing_cache_glob(p, org.data, org.len);

    } else if (op.len) {
        p = ngx_cpymem(p, "|*", 2);
    }

    if (op.len) {
        p = ngx_sprintf(p, "|%uz:", op.len);
        p = ngx_http_ticketing_cache_glob(p, op.data, op.len);
    }

    p = ngx_cpymem(p, "|*", 2);

    cctx->pattern.len = p - cctx->pattern.data;

    return NGX_OK;
}


/* copies with the glob characters of Redis' MATCH escaped */
static u_char *
ngx_http_ticketing_cache_glob(u_char *p, u_char *src, size_t len)
{
    while (len--) {
        if (*src == '*' || *src == '?' || *src == '[' || *src == ']'
            || *src == '\\')
        {
            *p++ = '\\';
        }

        *p++ = *src++;
    }

    return p;
}
