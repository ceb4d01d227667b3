
/*
 * Metrics: counters in one shared memory zone, added up by every worker
 * with atomic operations and kept across reloads (a zone of the same name
 * is taken over by the new cycle), shown by a content handler in the
 * Prometheus text exposition format (version 0.0.4).
 *
 * Requests are counted in the log phase from what the request's context
 * says (operation, status, auth failure, refusal, cache status, rewritten
 * error), so that the other files need no call for them; Redis events and
 * the circuit state come through one-line hooks.
 */


#include "ngx_http_ticketing_module.h"


/* the steps of ngx_http_ticketing_step_e */
#define NGX_HTTP_TICKETING_M_NSTEPS     (NGX_HTTP_TICKETING_STEP_PASS + 1)

/* refusal statuses, 300..599, indexed from 300 */
#define NGX_HTTP_TICKETING_M_NSTATUSES  300

/* status classes 1xx..5xx */
#define NGX_HTTP_TICKETING_M_NCLASSES   5

/* operations 1..27 and 0: none matched */

#define NGX_HTTP_TICKETING_M_NCACHE     (NGX_HTTP_TICKETING_CACHE_STALE + 1)

/* the longest line the handler writes */
#define NGX_HTTP_TICKETING_M_LINE       256


/* the zone's layout: a fixed struct, counters only, no lock */
typedef struct {
    ngx_atomic_t  requests[NGX_HTTP_TICKETING_NOPS]
                          [NGX_HTTP_TICKETING_M_NCLASSES];
    ngx_atomic_t  auth[NGX_HTTP_TICKETING_AUTH_NFAILURES];
    ngx_atomic_t  refusals[NGX_HTTP_TICKETING_M_NSTEPS]
                          [NGX_HTTP_TICKETING_M_NSTATUSES];
    ngx_atomic_t  cache[NGX_HTTP_TICKETING_M_NCACHE];
    ngx_atomic_t  events[NGX_HTTP_TICKETING_M_NEVENTS];
    ngx_atomic_t  rewritten[NGX_HTTP_TICKETING_M_NCLASSES];
    ngx_atomic_t  circuit_open;
} ngx_http_ticketing_metrics_shm_t;


/* writes the samples of one metric family */
typedef u_char *(*ngx_http_ticketing_metrics_pt)(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg);


static u_char *ngx_http_ticketing_metrics_requests(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg);
static u_char *ngx_http_ticketing_metrics_auth(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg);
static u_char *ngx_http_ticketing_metrics_refusals(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg);
static u_char *ngx_http_ticketing_metrics_cache(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg);
static u_char *ngx_http_ticketing_metrics_event(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg);
static u_char *ngx_http_ticketing_metrics_token_cache(u_char *p,
    u_char *end, const char *name, ngx_http_ticketing_metrics_shm_t *m,
    ngx_uint_t arg);
static u_char *ngx_http_ticketing_metrics_circuit_open(u_char *p,
    u_char *end, const char *name, ngx_http_ticketing_metrics_shm_t *m,
    ngx_uint_t arg);
static u_char *ngx_http_ticketing_metrics_rewritten(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg);


/* the page: each family's name, type, help, and what writes its samples */
static const struct {
    const char                     *name;
    const char                     *type;
    const char                     *help;
    ngx_http_ticketing_metrics_pt   samples;
    ngx_uint_t                      arg;
} ngx_http_ticketing_metrics_families[] = {

    { "ticketing_requests_total", "counter",
      "Requests in gateway locations, by operation (none: no operation "
      "matched) and status class.",
      ngx_http_ticketing_metrics_requests, 0 },

    { "ticketing_auth_failures_total", "counter",
      "Requests refused by authentication, by reason.",
      ngx_http_ticketing_metrics_auth, 0 },

    { "ticketing_authz_failures_total", "counter",
      "Requests refused by authorization (403), by reason.",
      ngx_http_ticketing_metrics_auth, 1 },

    { "ticketing_refusals_total", "counter",
      "Errors the gateway answered itself, by the step that refused and "
      "status (non-zero ones only).",
      ngx_http_ticketing_metrics_refusals, 0 },

    { "ticketing_cache_requests_total", "counter",
      "Cacheable requests, by cache status.",
      ngx_http_ticketing_metrics_cache, 0 },

    { "ticketing_redis_errors_total", "counter",
      "Redis failures (error replies, lost or refused connections, "
      "timeouts).",
      ngx_http_ticketing_metrics_event, NGX_HTTP_TICKETING_M_REDIS_ERROR },

    { "ticketing_redis_timeouts_total", "counter",
      "Redis commands and connects that timed out.",
      ngx_http_ticketing_metrics_event, NGX_HTTP_TICKETING_M_REDIS_TIMEOUT },

    { "ticketing_redis_connects_total", "counter",
      "Connections to Redis attempted by the workers (the first one of "
      "each worker and reconnects).",
      ngx_http_ticketing_metrics_event, NGX_HTTP_TICKETING_M_REDIS_CONNECT },

    { "ticketing_jwt_cache_lookups_total", "counter",
      "Lookups of tokens in the verified-token caches of the workers, by "
      "result (a miss is verified).",
      ngx_http_ticketing_metrics_token_cache, 0 },

    { "ticketing_jwks_refetches_total", "counter",
      "Fetches of ticketing_jwks_url key sets that requests started ahead "
      "of schedule (a token key id not in the set, or no set loaded yet).",
      ngx_http_ticketing_metrics_event, NGX_HTTP_TICKETING_M_JWKS_REFETCH },

    { "ticketing_redis_circuit_open", "gauge",
      "Workers whose Redis circuit breaker is open.",
      ngx_http_ticketing_metrics_circuit_open, 0 },

    { "ticketing_errors_rewritten_total", "counter",
      "Upstream and nginx error responses rewritten to the uniform schema, "
      "by status class.",
      ngx_http_ticketing_metrics_rewritten, 0 },
};

#define NGX_HTTP_TICKETING_M_NFAMILIES                                        \
    (sizeof(ngx_http_ticketing_metrics_families)                             \
     / sizeof(ngx_http_ticketing_metrics_families[0]))


static ngx_int_t ngx_http_ticketing_metrics_init_zone(
    ngx_shm_zone_t *shm_zone, void *data);
static ngx_int_t ngx_http_ticketing_metrics_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_ticketing_metrics_log_handler(
    ngx_http_request_t *r);
static u_char *ngx_http_ticketing_metrics_head(u_char *p, const char *name,
    const char *type, const char *help);
static u_char *ngx_http_ticketing_metrics_line(u_char *p, u_char *end,
    const char *name, const char *const *labels, size_t nlabels,
    ngx_atomic_uint_t value);
static ngx_int_t ngx_http_ticketing_metrics_error_code_variable(
    ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data);


/* this worker's counters (NULL: no zone) and its circuit state */
static ngx_http_ticketing_metrics_shm_t  *ngx_http_ticketing_metrics_shm;
static ngx_uint_t                         ngx_http_ticketing_metrics_open;


static const char  *ngx_http_ticketing_metrics_classes[] = {
    "1xx", "2xx", "3xx", "4xx", "5xx"
};


static const char  *ngx_http_ticketing_metrics_steps[] = {
    "route", "auth", "provider", "validate", "cache", "pass"
};


static const char  *ngx_http_ticketing_metrics_cache_names[] = {
    NULL, "HIT", "MISS", "BYPASS", "STALE"
};


/* ------------------------------------------------------------ the hooks */


void
ngx_http_ticketing_metrics_inc(ngx_http_ticketing_metrics_event_e ev)
{
    if (ngx_http_ticketing_metrics_shm == NULL
        || ev >= NGX_HTTP_TICKETING_M_NEVENTS)
    {
        return;
    }

    (void) ngx_atomic_fetch_add(&ngx_http_ticketing_metrics_shm->events[ev],
                                1);
}


/*
 * The circuit is per worker: the gauge counts the workers whose circuit
 * is open, moved only on this worker's transitions.
 */
void
ngx_http_ticketing_metrics_circuit(ngx_uint_t open)
{
    open = open ? 1 : 0;

    if (ngx_http_ticketing_metrics_shm == NULL
        || open == ngx_http_ticketing_metrics_open)
    {
        return;
    }

    ngx_http_ticketing_metrics_open = open;

    (void) ngx_atomic_fetch_add(&ngx_http_ticketing_metrics_shm->circuit_open,
                                open ? 1 : (ngx_atomic_int_t) -1);
}


void
ngx_http_ticketing_metrics_error_code(ngx_http_request_t *r,
    const char *code)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx != NULL) {
        ctx->error_code = code;
    }
}


/* ------------------------------------------------------ the log phase */


static ngx_int_t
ngx_http_ticketing_metrics_log_handler(ngx_http_request_t *r)
{
    ngx_uint_t                         op, status, cls;
    ngx_http_ticketing_ctx_t          *ctx;
    ngx_http_ticketing_loc_conf_t     *tlcf;
    ngx_http_ticketing_metrics_shm_t  *m;

    m = ngx_http_ticketing_metrics_shm;

    if (m == NULL) {
        return NGX_OK;
    }

    tlcf = ngx_http_get_module_loc_conf(r, ngx_http_ticketing_module);

    if (!tlcf->gateway) {
        return NGX_OK;
    }

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    op = (ctx != NULL && ctx->route.op != NULL) ? ctx->route.op->number : 0;
    if (op >= NGX_HTTP_TICKETING_NOPS) {
        op = 0;
    }

    status = r->headers_out.status;
    if (status == 0) {
        status = r->err_status;
    }

    cls = (status >= 100 && status < 600) ? status / 100 - 1
                                          : NGX_HTTP_TICKETING_M_NCLASSES;

    if (cls < NGX_HTTP_TICKETING_M_NCLASSES) {
        (void) ngx_atomic_fetch_add(&m->requests[op][cls], 1);
    }

    if (ctx == NULL) {
        return NGX_OK;
    }

    if (ctx->auth.failure > 0
        && ctx->auth.failure < NGX_HTTP_TICKETING_AUTH_NFAILURES)
    {
        (void) ngx_atomic_fetch_add(&m->auth[ctx->auth.failure], 1);
    }

    if (ctx->error_status >= 300 && ctx->error_status < 600
        && (ngx_uint_t) ctx->step < NGX_HTTP_TICKETING_M_NSTEPS)
    {
        (void) ngx_atomic_fetch_add(
                         &m->refusals[ctx->step][ctx->error_status - 300], 1);
    }

    if (ctx->cache != NULL
        && ctx->cache->status > NGX_HTTP_TICKETING_CACHE_NONE
        && ctx->cache->status < NGX_HTTP_TICKETING_M_NCACHE)
    {
        (void) ngx_atomic_fetch_add(&m->cache[ctx->cache->status], 1);
    }

    if (ctx->filter != NULL && cls < NGX_HTTP_TICKETING_M_NCLASSES) {
        (void) ngx_atomic_fetch_add(&m->rewritten[cls], 1);
    }

    return NGX_OK;
}


/* -------------------------------------------------------- the handler */


static ngx_int_t
ngx_http_ticketing_metrics_handler(ngx_http_request_t *r)
{
    size_t                             size;
    u_char                            *p, *end;
    ngx_buf_t                         *b;
    ngx_uint_t                         i, j;
    ngx_http_ticketing_metrics_shm_t  *m;
    ngx_http_ticketing_main_conf_t    *tmcf;

    static ngx_str_t  type = ngx_string("text/plain; version=0.0.4");

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (ngx_http_ticketing_drop_body(r, NGX_HTTP_OK) != NGX_OK) {
        return NGX_HTTP_BAD_REQUEST;
    }

    tmcf = ngx_http_get_module_main_conf(r, ngx_http_ticketing_module);

    /* the zone of this configuration, also in the master's cycle */
    m = tmcf->metrics.zone->data;

    if (m == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    /* every line fits in NGX_HTTP_TICKETING_M_LINE; refusals: non-zero */
    size = (NGX_HTTP_TICKETING_NOPS * NGX_HTTP_TICKETING_M_NCLASSES
            + NGX_HTTP_TICKETING_AUTH_NFAILURES
            + NGX_HTTP_TICKETING_M_NCACHE
            + NGX_HTTP_TICKETING_M_NEVENTS
            + NGX_HTTP_TICKETING_M_NCLASSES
            + 1 + 3 * NGX_HTTP_TICKETING_M_NFAMILIES)
           * NGX_HTTP_TICKETING_M_LINE;

    for (i = 0; i < NGX_HTTP_TICKETING_M_NSTEPS; i++) {
        for (j = 0; j < NGX_HTTP_TICKETING_M_NSTATUSES; j++) {
            if (m->refusals[i][j]) {
                size += NGX_HTTP_TICKETING_M_LINE;
            }
        }
    }

    b = ngx_create_temp_buf(r->pool, size);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = b->pos;
    end = b->end;

    for (i = 0; i < NGX_HTTP_TICKETING_M_NFAMILIES; i++) {
        p = ngx_http_ticketing_metrics_head(p,
                                   ngx_http_ticketing_metrics_families[i].name,
                                   ngx_http_ticketing_metrics_families[i].type,
                                   ngx_http_ticketing_metrics_families[i].help);

        p = ngx_http_ticketing_metrics_families[i].samples(p, end,
                                  ngx_http_ticketing_metrics_families[i].name,
                                  m,
                                  ngx_http_ticketing_metrics_families[i].arg);
    }

    if (p == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "ticketing metrics: output buffer too small");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = p;

    return ngx_http_ticketing_send_buf(r, NGX_HTTP_OK, &type, b);
}


/* requests, by operation ("none": no operation matched) and class */
static u_char *
ngx_http_ticketing_metrics_requests(u_char *p, u_char *end, const char *name,
    ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    ngx_uint_t                             i, j;
    const char                            *labels[4];
    const ngx_http_ticketing_operation_t  *op;

    labels[0] = "operation";
    labels[2] = "class";

    for (i = 0; i < NGX_HTTP_TICKETING_NOPS; i++) {
        labels[1] = "none";

        if (i > 0) {
            op = ngx_http_ticketing_operation(i);
            if (op == NULL) {
                continue;
            }

            labels[1] = op->name;
        }

        for (j = 0; j < NGX_HTTP_TICKETING_M_NCLASSES; j++) {
            labels[3] = ngx_http_ticketing_metrics_classes[j];
            p = ngx_http_ticketing_metrics_line(p, end, name, labels, 2,
                                                m->requests[i][j]);
        }
    }

    return p;
}


/* authentication (arg 0) or authorization (arg 1) failures, by reason */
static u_char *
ngx_http_ticketing_metrics_auth(u_char *p, u_char *end, const char *name,
    ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    ngx_uint_t   i, last;
    const char  *labels[2];

    i = arg ? NGX_HTTP_TICKETING_AUTHZ_FIRST : 1;
    last = arg ? NGX_HTTP_TICKETING_AUTH_NFAILURES
               : NGX_HTTP_TICKETING_AUTHZ_FIRST;

    labels[0] = "reason";

    for ( /* void */ ; i < last; i++) {
        labels[1] = ngx_http_ticketing_prom_failure_name(i);
        p = ngx_http_ticketing_metrics_line(p, end, name, labels, 1,
                                            m->auth[i]);
    }

    return p;
}


/* the gateway's own errors, by step and status: the non-zero ones */
static u_char *
ngx_http_ticketing_metrics_refusals(u_char *p, u_char *end, const char *name,
    ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    ngx_uint_t   i, j;
    const char  *labels[4];
    u_char       status[NGX_INT_T_LEN + 1];

    labels[0] = "step";
    labels[2] = "status";
    labels[3] = (const char *) status;

    for (i = 0; i < NGX_HTTP_TICKETING_M_NSTEPS; i++) {
        labels[1] = ngx_http_ticketing_metrics_steps[i];

        for (j = 0; j < NGX_HTTP_TICKETING_M_NSTATUSES; j++) {
            if (m->refusals[i][j] == 0) {
                continue;
            }

            *ngx_sprintf(status, "%ui", j + 300) = '\0';
            p = ngx_http_ticketing_metrics_line(p, end, name, labels, 2,
                                                m->refusals[i][j]);
        }
    }

    return p;
}


/* cacheable requests, by cache status */
static u_char *
ngx_http_ticketing_metrics_cache(u_char *p, u_char *end, const char *name,
    ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    ngx_uint_t   i;
    const char  *labels[2];

    labels[0] = "status";

    for (i = 1; i < NGX_HTTP_TICKETING_M_NCACHE; i++) {
        labels[1] = ngx_http_ticketing_metrics_cache_names[i];
        p = ngx_http_ticketing_metrics_line(p, end, name, labels, 1,
                                            m->cache[i]);
    }

    return p;
}


/* one event counter, without labels */
static u_char *
ngx_http_ticketing_metrics_event(u_char *p, u_char *end, const char *name,
    ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    return ngx_http_ticketing_metrics_line(p, end, name, NULL, 0,
                                           m->events[arg]);
}


/* token cache lookups, by result */
static u_char *
ngx_http_ticketing_metrics_token_cache(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    const char  *labels[2];

    labels[0] = "result";
    labels[1] = "hit";
    p = ngx_http_ticketing_metrics_line(p, end, name, labels, 1,
                            m->events[NGX_HTTP_TICKETING_M_TOKEN_CACHE_HIT]);
    labels[1] = "miss";

    return ngx_http_ticketing_metrics_line(p, end, name, labels, 1,
                            m->events[NGX_HTTP_TICKETING_M_TOKEN_CACHE_MISS]);
}


static u_char *
ngx_http_ticketing_metrics_circuit_open(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    return ngx_http_ticketing_metrics_line(p, end, name, NULL, 0,
                                           m->circuit_open);
}


/* error responses rewritten to the uniform schema, by class */
static u_char *
ngx_http_ticketing_metrics_rewritten(u_char *p, u_char *end,
    const char *name, ngx_http_ticketing_metrics_shm_t *m, ngx_uint_t arg)
{
    ngx_uint_t   i;
    const char  *labels[2];

    labels[0] = "class";

    for (i = 3; i < NGX_HTTP_TICKETING_M_NCLASSES; i++) {
        labels[1] = ngx_http_ticketing_metrics_classes[i];
        p = ngx_http_ticketing_metrics_line(p, end, name, labels, 1,
                                            m->rewritten[i]);
    }

    return p;
}


/*
 * "# HELP" and "# TYPE" of a family.  The room for them is counted in the
 * handler's size; p NULL (a line did not fit) stays NULL.
 */
static u_char *
ngx_http_ticketing_metrics_head(u_char *p, const char *name,
    const char *type, const char *help)
{
    if (p == NULL) {
        return NULL;
    }

    return ngx_sprintf(p, "# HELP %s %s\n# TYPE %s %s\n",
                       name, help, name, type);
}


static u_char *
ngx_http_ticketing_metrics_line(u_char *p, u_char *end, const char *name,
    const char *const *labels, size_t nlabels, ngx_atomic_uint_t value)
{
    size_t  n;

    if (p == NULL) {
        return NULL;
    }

    n = ngx_http_ticketing_prom_line((char *) p, end - p, name, labels,
                                     nlabels, (unsigned long long) value);
    if (n == 0) {
        return NULL;
    }

    return p + n;
}


/* ------------------------------------------------ $ticketing_error_code */


static ngx_int_t
ngx_http_ticketing_metrics_error_code_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data)
{
    ngx_http_ticketing_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_ticketing_module);

    if (ctx == NULL || ctx->error_code == NULL) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = (u_char *) ctx->error_code;
    v->len = ngx_strlen(ctx->error_code);
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


/* ------------------------------------------------------ configuration */


ngx_int_t
ngx_http_ticketing_metrics_preconfiguration(ngx_conf_t *cf)
{
    ngx_str_t             name = ngx_string("ticketing_error_code");
    ngx_http_variable_t  *var;

    var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
        return NGX_ERROR;
    }

    var->get_handler = ngx_http_ticketing_metrics_error_code_variable;

    return NGX_OK;
}


char *
ngx_http_ticketing_metrics_init_main_conf(ngx_conf_t *cf,
    ngx_http_ticketing_metrics_main_conf_t *conf)
{
    if (conf->handler && conf->zone == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"ticketing_metrics\" needs a "
                           "\"ticketing_metrics_zone\" directive at the "
                           "http level");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* called when some location turns the gateway on */
ngx_int_t
ngx_http_ticketing_metrics_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_handler_pt             *h;
    ngx_http_core_main_conf_t       *cmcf;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);

    if (tmcf->metrics.zone == NULL) {
        return NGX_OK;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_LOG_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_ticketing_metrics_log_handler;

    return NGX_OK;
}


ngx_int_t
ngx_http_ticketing_metrics_init_process(ngx_cycle_t *cycle)
{
    ngx_http_ticketing_main_conf_t  *tmcf;

    ngx_http_ticketing_metrics_shm = NULL;
    ngx_http_ticketing_metrics_open = 0;

    if (cycle->conf_ctx[ngx_http_module.index] == NULL) {
        return NGX_OK;
    }

    tmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_ticketing_module);

    if (tmcf != NULL && tmcf->metrics.zone != NULL) {
        ngx_http_ticketing_metrics_shm = tmcf->metrics.zone->data;
    }

    return NGX_OK;
}


void
ngx_http_ticketing_metrics_exit_process(ngx_cycle_t *cycle)
{
    /* an exiting worker's open circuit is no one's any more */
    ngx_http_ticketing_metrics_circuit(0);

    ngx_http_ticketing_metrics_shm = NULL;
}


static ngx_int_t
ngx_http_ticketing_metrics_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t                   *shpool;
    ngx_http_ticketing_metrics_shm_t  *m;

    if (data) {
        /* a reload with the same zone: the counters go on */
        shm_zone->data = data;
        return NGX_OK;
    }

    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (shm_zone->shm.exists) {
        shm_zone->data = shpool->data;
        return NGX_OK;
    }

    m = ngx_slab_calloc(shpool, sizeof(ngx_http_ticketing_metrics_shm_t));
    if (m == NULL) {
        return NGX_ERROR;
    }

    shpool->data = m;
    shm_zone->data = m;

    return NGX_OK;
}


/* ticketing_metrics_zone <name>; the size follows from the counters */
char *
ngx_http_ticketing_metrics_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    ngx_http_ticketing_main_conf_t  *tmcf = conf;

    size_t      size;
    ngx_str_t  *value;

    if (tmcf->metrics.zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone name \"%V\" in \"%V\" directive",
                           &value[1], &cmd->name);
        return NGX_CONF_ERROR;
    }

    size = ngx_align(sizeof(ngx_http_ticketing_metrics_shm_t), ngx_pagesize)
           + 8 * ngx_pagesize;

    tmcf->metrics.zone = ngx_shared_memory_add(cf, &value[1], size,
                                               &ngx_http_ticketing_module);
    if (tmcf->metrics.zone == NULL) {
        return NGX_CONF_ERROR;
    }

    tmcf->metrics.zone->init = ngx_http_ticketing_metrics_init_zone;
    tmcf->metrics.zone->data = NULL;

    return NGX_CONF_OK;
}


/* ticketing_metrics; in a location: the Prometheus handler */
char *
ngx_http_ticketing_metrics(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t        *clcf;
    ngx_http_ticketing_main_conf_t  *tmcf;

    tmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_ticketing_module);
    tmcf->metrics.handler = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_ticketing_metrics_handler;

    return NGX_CONF_OK;
}
