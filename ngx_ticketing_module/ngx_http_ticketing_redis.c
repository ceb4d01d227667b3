
/*
 * One Redis connection per worker, and with Sentinel one more to a
 * sentinel.
 *
 * A connection is the module's client layer (resolver, connect, TLS);
 * commands are formatted by hiredis into one output buffer and pipelined;
 * replies are parsed by a redisReader and given, in order, to the
 * callbacks of a ring of pending commands.  Commands queued while the
 * connection is being made wait in the buffer behind AUTH, SELECT and,
 * with Sentinel, ROLE.
 *
 * With Sentinel, every (re)connection first asks the sentinels, one after
 * the other, for the primary's address (SENTINEL
 * get-master-addr-by-name), checks with ROLE that the server found is a
 * primary, and stays subscribed to +switch-master on the sentinel that
 * answered, so that a failover drops the connection at once.  Lost
 * connections, READONLY and LOADING lead to the same rediscovery.
 *
 * With Cluster, the configured address is a node to learn the slot map
 * from (CLUSTER SLOTS); each primary gets a connection of its own, made
 * when a command needs it, and a command goes to the primary of its key's
 * slot.  MOVED and ASK are followed by resending the command kept in the
 * ring; MOVED, a lost node and a failed connection refresh the map, at
 * most once a second.  A node that cannot be reached is backed off on its
 * own: only its slots fail open.
 *
 * Nothing here holds a request: callers pass a record of their own, and
 * every callback is called exactly once, with the reply or with NULL when
 * the connection goes away.  Writes happen from a posted event, never
 * inside ngx_http_ticketing_redis_command(), so that a callback never
 * runs before its command was accepted.
 */


#include "ngx_http_ticketing_module.h"
#include "ngx_http_ticketing_redis.h"
#include "ngx_http_ticketing_cachekey.h"
#include "ngx_http_ticketing_resp.h"


/* commands queued at once: beyond this Redis is too slow to be useful */
#define NGX_HTTP_TICKETING_REDIS_MAX_PENDING   1024

/* AUTH, SELECT and ROLE come on top of those */
#define NGX_HTTP_TICKETING_REDIS_RING          (1024 + 3)

/* reads in one go before yielding to other events */
#define NGX_HTTP_TICKETING_REDIS_MAX_READS     64
#define NGX_HTTP_TICKETING_REDIS_READ_SIZE     16384

#define NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF   100

/*
 * The longest array a reply may hold: ours hold 2 (MGET, SENTINEL), 3
 * (pub/sub messages) or a replica list (ROLE).  hiredis 0.14 allocates an
 * array's element table from the header alone: "*2147483647" would be
 * 16 GB, and freeing it walks every slot.
 */
#define NGX_HTTP_TICKETING_REDIS_MAX_ELEMENTS  1024

/* Cluster: nodes known at once, redirections of one command, refreshes */
#define NGX_HTTP_TICKETING_REDIS_MAX_NODES      64
#define NGX_HTTP_TICKETING_REDIS_MAX_REDIRECTS  5
#define NGX_HTTP_TICKETING_REDIS_REFRESH        1000
#define NGX_HTTP_TICKETING_REDIS_NO_NODE        0xff


typedef struct ngx_http_ticketing_redis_conn_s
    ngx_http_ticketing_redis_conn_t;

typedef void (*ngx_http_ticketing_redis_conn_pt)(
    ngx_http_ticketing_redis_conn_t *conn, const char *why);


typedef struct {
    ngx_http_ticketing_redis_handler_pt   fn;
    void                                 *data;

    /* Cluster: the command as sent, to send it again where redirected */
    char                                 *cmd;
    size_t                                len;
    ngx_uint_t                            redirects;
} ngx_http_ticketing_redis_cb_t;


struct ngx_http_ticketing_redis_conn_s {
    ngx_http_ticketing_peer_t             peer;
    redisReader                          *reader;

    /* formatted commands not yet written */
    u_char                               *out;
    size_t                                out_len;
    size_t                                out_sent;
    size_t                                out_size;

    /* the callbacks of the commands queued, in order */
    ngx_http_ticketing_redis_cb_t         ring[NGX_HTTP_TICKETING_REDIS_RING];
    ngx_uint_t                            head;
    ngx_uint_t                            pending;

    /* incremented whenever the connection is dropped */
    ngx_uint_t                            generation;

    /* connected (why NULL; may be NULL), or failed / lost */
    ngx_http_ticketing_redis_conn_pt      ready;
    ngx_http_ticketing_redis_conn_pt      lost;

    /* a reply to no command: a pub/sub message (NULL: not expected) */
    ngx_http_ticketing_redis_handler_pt   push;

    /* commands can be queued; connected: and are written */
    unsigned                              active:1;
    unsigned                              connected:1;

    /* a cluster node's: commands are kept until answered */
    unsigned                              keep:1;
};


/* a node of a cluster; its connection first, so that one is the other */
typedef struct {
    ngx_http_ticketing_redis_conn_t       conn;
    ngx_http_ticketing_peer_conf_t        addr;
    struct sockaddr_storage               sockaddr;
    u_char                                text[NGX_SOCKADDR_STRLEN];
    ngx_msec_t                            backoff;
    ngx_msec_t                            next_connect;
    unsigned                              mapped:1;    /* serves slots */
    unsigned                              seed:1;      /* configured */
    unsigned                              failed:1;    /* since connected */
} ngx_http_ticketing_redis_node_t;


/* a command sent to every primary, and the answers so far */
typedef struct {
    ngx_http_ticketing_redis_handler_pt   fn;
    void                                 *data;

    /* the command, sent to every primary once the map is fresh */
    char                                 *cmd;
    size_t                                len;
    ngx_http_ticketing_redis_conn_t      *asked;

    ngx_uint_t                            waiting;
    int64_t                               sum;
    u_char                                error[128];
    size_t                                error_len;
    unsigned                              lost:1;
    unsigned                              failed:1;
} ngx_http_ticketing_redis_all_t;


typedef struct {
    ngx_http_ticketing_redis_conf_t      *conf;
    ngx_log_t                            *log;

    ngx_http_ticketing_redis_conn_t       data;

    /* Sentinel: where the primary is, and who told us */
    ngx_http_ticketing_redis_conn_t       sentinel;
    ngx_http_ticketing_peer_conf_t        primary;
    struct sockaddr_storage               primary_sockaddr;
    ngx_uint_t                            next_sentinel;
    ngx_uint_t                            asked;
    ngx_event_t                           discovery_timer;
    unsigned                              discovering:1;

    /* AUTH, SELECT, ROLE not answered yet, and their deadline */
    ngx_uint_t                            setup_pending;
    ngx_event_t                           setup_timer;

    /* nesting of callbacks: no reconnecting from inside one */
    ngx_uint_t                            depth;

    /* the callbacks of a dropped connection run: one failure, not each */
    unsigned                              dropping:1;

    /* circuit breaker: consecutive failures, open until */
    ngx_uint_t                            fails;
    ngx_msec_t                            open_until;
    unsigned                              open:1;

    /* reconnection backoff */
    ngx_msec_t                            backoff;
    ngx_msec_t                            next_connect;

    /* Cluster: the nodes (0: the configured one), the node of each slot */
    ngx_http_ticketing_redis_node_t
                             *nodes[NGX_HTTP_TICKETING_REDIS_MAX_NODES];
    ngx_uint_t                            nnodes;
    ngx_uint_t                            nseeds;
    u_char                               *slots;
    u_char                               *new_slots;
    ngx_event_t                           refresh_timer;
    ngx_msec_t                            next_refresh;
    ngx_uint_t                            next_asked;
    unsigned                              refreshing:1;
    unsigned                              mapped:1;
} ngx_http_ticketing_redis_t;


static void ngx_http_ticketing_redis_connect(void);
static void ngx_http_ticketing_redis_data_ready(
    ngx_http_ticketing_redis_conn_t *conn, const char *why);
static void ngx_http_ticketing_redis_data_lost(
    ngx_http_ticketing_redis_conn_t *conn, const char *why);
static void ngx_http_ticketing_redis_drop(const char *why);
static void ngx_http_ticketing_redis_setup_done(void *data);
static void ngx_http_ticketing_redis_setup_timeout(ngx_event_t *ev);
static void ngx_http_ticketing_redis_setup_reply(redisReply *r, void *data);
static void ngx_http_ticketing_redis_role_reply(redisReply *r, void *data);
static void ngx_http_ticketing_redis_open_circuit(const char *why);

static void ngx_http_ticketing_redis_discover(void);
static void ngx_http_ticketing_redis_discovered(redisReply *r, void *data);
static void ngx_http_ticketing_redis_sentinel_lost(
    ngx_http_ticketing_redis_conn_t *conn, const char *why);
static void ngx_http_ticketing_redis_sentinel_next(const char *why);
static void ngx_http_ticketing_redis_discovery_timeout(ngx_event_t *ev);
static void ngx_http_ticketing_redis_switch_master(redisReply *r,
    void *data);

static ngx_int_t ngx_http_ticketing_redis_usable(void);
static ngx_int_t ngx_http_ticketing_redis_probing(void);
static void ngx_http_ticketing_redis_attempt(ngx_msec_t *backoff,
    ngx_msec_t *next);
static ngx_int_t ngx_http_ticketing_redis_cluster_start(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_ticketing_redis_cluster_command(
    ngx_http_ticketing_redis_handler_pt fn, void *data, int argc,
    const char **argv, const size_t *argvlen);
static ngx_int_t ngx_http_ticketing_redis_cluster_ensure(
    ngx_http_ticketing_redis_node_t *node);
static void ngx_http_ticketing_redis_cluster_connect(
    ngx_http_ticketing_redis_node_t *node);
static ngx_http_ticketing_redis_node_t *ngx_http_ticketing_redis_cluster_node(
    struct sockaddr *sockaddr, socklen_t socklen, ngx_uint_t *index);
static void ngx_http_ticketing_redis_cluster_ready(
    ngx_http_ticketing_redis_conn_t *conn, const char *why);
static void ngx_http_ticketing_redis_cluster_lost(
    ngx_http_ticketing_redis_conn_t *conn, const char *why);
static void ngx_http_ticketing_redis_cluster_drop(
    ngx_http_ticketing_redis_node_t *node);
static void ngx_http_ticketing_redis_cluster_refresh(void);
static void ngx_http_ticketing_redis_cluster_refresh_handler(ngx_event_t *ev);
static void ngx_http_ticketing_redis_cluster_slots(redisReply *r,
    void *data);
static ngx_int_t ngx_http_ticketing_redis_cluster_range(redisReply *e,
    ngx_http_ticketing_redis_conn_t *asked);
static ngx_int_t ngx_http_ticketing_redis_cluster_address(u_char *host,
    size_t len, ngx_int_t port, ngx_http_ticketing_redis_conn_t *asked,
    struct sockaddr_storage *ss, socklen_t *socklen);
static ngx_int_t ngx_http_ticketing_redis_sockaddr(u_char *host, size_t len,
    ngx_int_t port, struct sockaddr_storage *ss, socklen_t *socklen);
static ngx_int_t ngx_http_ticketing_redis_cluster_redirect(
    ngx_http_ticketing_redis_conn_t *conn, ngx_http_ticketing_redis_cb_t *cb,
    redisReply *r);
static void ngx_http_ticketing_redis_all_map(redisReply *r, void *data);
static void ngx_http_ticketing_redis_all_reply(redisReply *r, void *data);
static void ngx_http_ticketing_redis_all_finish(
    ngx_http_ticketing_redis_all_t *all);
static ngx_int_t ngx_http_ticketing_redis_cluster_map(redisReply *r,
    ngx_http_ticketing_redis_conn_t *asked);

static void ngx_http_ticketing_redis_conn_start(
    ngx_http_ticketing_redis_conn_t *conn);
static void *ngx_http_ticketing_redis_create_array(const redisReadTask *task,
    int elements);
static void ngx_http_ticketing_redis_conn_connect(
    ngx_http_ticketing_redis_conn_t *conn);
static void ngx_http_ticketing_redis_conn_drop(
    ngx_http_ticketing_redis_conn_t *conn);
static ngx_int_t ngx_http_ticketing_redis_conn_queue(
    ngx_http_ticketing_redis_conn_t *conn,
    ngx_http_ticketing_redis_handler_pt fn, void *data, int argc,
    const char **argv, const size_t *argvlen);
static ngx_int_t ngx_http_ticketing_redis_conn_append(
    ngx_http_ticketing_redis_conn_t *conn,
    ngx_http_ticketing_redis_handler_pt fn, void *data, char *cmd,
    size_t len, ngx_uint_t redirects);
static void ngx_http_ticketing_redis_conn_auth(
    ngx_http_ticketing_redis_conn_t *conn, ngx_str_t *username,
    ngx_str_t *password, char *what);
static void ngx_http_ticketing_redis_peer_handler(
    ngx_http_ticketing_peer_t *p, ngx_int_t rc);
static void ngx_http_ticketing_redis_read_handler(ngx_event_t *rev);
static void ngx_http_ticketing_redis_write_handler(ngx_event_t *wev);
static ngx_int_t ngx_http_ticketing_redis_dispatch(
    ngx_http_ticketing_redis_conn_t *conn);


/* per worker; holds no request state */
static ngx_http_ticketing_redis_t  ngx_http_ticketing_redis;

/* hiredis' own reply functions, and ours: the same but for arrays */
static redisReplyObjectFunctions  *ngx_http_ticketing_redis_hiredis_fn;
static redisReplyObjectFunctions   ngx_http_ticketing_redis_fn;
static ngx_uint_t                  ngx_http_ticketing_redis_too_long;

/* the sentinels' AUTH, told from the primary's by its address */
static char  ngx_http_ticketing_redis_sentinel_auth[] = "the sentinel's AUTH";


ngx_int_t
ngx_http_ticketing_redis_init(ngx_cycle_t *cycle,
    ngx_http_ticketing_redis_conf_t *rcf)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ngx_memzero(rd, sizeof(ngx_http_ticketing_redis_t));

    rd->conf = rcf;
    rd->log = cycle->log;
    rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
    rd->next_connect = ngx_current_msec;

    rd->data.peer.conf = &rcf->peer;
    rd->data.peer.log = cycle->log;
    rd->data.ready = ngx_http_ticketing_redis_data_ready;
    rd->data.lost = ngx_http_ticketing_redis_data_lost;

    rd->setup_timer.handler = ngx_http_ticketing_redis_setup_timeout;
    rd->setup_timer.data = rd;
    rd->setup_timer.log = cycle->log;
    rd->setup_timer.cancelable = 1;

    if (rcf->cluster) {
        return ngx_http_ticketing_redis_cluster_start(cycle);
    }

    if (rcf->sentinels) {
        /* the primary's address is filled in by each discovery */
        rd->primary = rcf->peer;
        rd->primary.host.len = 0;
        rd->primary.addr.sockaddr = (struct sockaddr *) &rd->primary_sockaddr;
        rd->data.peer.conf = &rd->primary;

        rd->sentinel.peer.log = cycle->log;
        rd->sentinel.lost = ngx_http_ticketing_redis_sentinel_lost;
        rd->sentinel.push = ngx_http_ticketing_redis_switch_master;

        rd->discovery_timer.handler =
                                  ngx_http_ticketing_redis_discovery_timeout;
        rd->discovery_timer.data = rd;
        rd->discovery_timer.log = cycle->log;
        rd->discovery_timer.cancelable = 1;

        /* the workers of an instance spread over the sentinels */
        rd->next_sentinel = ngx_worker % rcf->sentinels->nelts;
    }

    /* connect now, so that the first requests already find it */
    ngx_http_ticketing_redis_connect();

    return NGX_OK;
}


void
ngx_http_ticketing_redis_done(ngx_cycle_t *cycle)
{
    ngx_uint_t                   i;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->conf == NULL) {
        return;
    }

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_conn_drop(&rd->sentinel);

    if (rd->setup_timer.timer_set) {
        ngx_del_timer(&rd->setup_timer);
    }

    if (rd->data.out) {
        ngx_free(rd->data.out);
    }

    if (rd->sentinel.out) {
        ngx_free(rd->sentinel.out);
    }

    if (rd->refresh_timer.timer_set) {
        ngx_del_timer(&rd->refresh_timer);
    }

    for (i = 0; i < rd->nnodes; i++) {
        if (rd->nodes[i]->conn.out) {
            ngx_free(rd->nodes[i]->conn.out);
        }

        ngx_free(rd->nodes[i]);
    }

    rd->nnodes = 0;

    if (rd->slots) {
        ngx_free(rd->slots);
        ngx_free(rd->new_slots);
        rd->slots = NULL;
    }

    rd->conf = NULL;
}


ngx_int_t
ngx_http_ticketing_redis_command(ngx_http_ticketing_redis_handler_pt fn,
    void *data, int argc, const char **argv, const size_t *argvlen)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (ngx_http_ticketing_redis_usable() != NGX_OK) {
        return NGX_DECLINED;
    }

    if (rd->slots) {
        return ngx_http_ticketing_redis_cluster_command(fn, data, argc, argv,
                                                        argvlen);
    }

    if (!rd->data.active) {
        if (rd->depth
            || (ngx_msec_int_t) (rd->next_connect - ngx_current_msec) > 0)
        {
            return NGX_DECLINED;
        }

        ngx_http_ticketing_redis_connect();

        if (!rd->data.active) {
            return NGX_DECLINED;
        }
    }

    if (ngx_http_ticketing_redis_probing()
        || rd->data.pending >= NGX_HTTP_TICKETING_REDIS_MAX_PENDING)
    {
        return NGX_DECLINED;
    }

    return ngx_http_ticketing_redis_conn_queue(&rd->data, fn, data, argc,
                                               argv, argvlen);
}


ngx_int_t
ngx_http_ticketing_redis_available(void)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->conf == NULL) {
        return NGX_DECLINED;
    }

    if (rd->open) {
        /* once fail_timeout has passed, the command half-opens it */
        return ((ngx_msec_int_t) (rd->open_until - ngx_current_msec) > 0)
               ? NGX_DECLINED : NGX_OK;
    }

    if (rd->slots) {
        /* a node per slot: the command's key decides */
        return NGX_OK;
    }

    if (!rd->data.active) {
        return (rd->depth
                || (ngx_msec_int_t) (rd->next_connect - ngx_current_msec)
                   > 0)
               ? NGX_DECLINED : NGX_OK;
    }

    if (ngx_http_ticketing_redis_probing()
        || rd->data.pending >= NGX_HTTP_TICKETING_REDIS_MAX_PENDING)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/*
 * The data connection is being made (connect, TLS, AUTH, SELECT, a
 * sentinel's answer, ROLE) after Redis failed: a probe, which no command
 * waits for.  Requests go without the cache at once, as with the circuit
 * open, instead of each waiting up to ticketing_cache_timeout on a
 * connection that may take connect_timeout to fail.  Only a first
 * connection (the worker's, or one after a success or a +switch-master)
 * takes commands while it is being made.
 */
static ngx_int_t
ngx_http_ticketing_redis_probing(void)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    return rd->fails
           && rd->data.active
           && (!rd->data.connected || rd->setup_pending);
}


ngx_int_t
ngx_http_ticketing_redis_command_all(ngx_http_ticketing_redis_handler_pt fn,
    void *data, int argc, const char **argv, const size_t *argvlen)
{
    ssize_t                           len;
    ngx_uint_t                        i;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_all_t   *all;
    ngx_http_ticketing_redis_node_t  *node;

    static const char    *slots[2] = { "CLUSTER", "SLOTS" };
    static const size_t   slots_len[2] = { 7, 5 };

    if (rd->slots == NULL) {
        return ngx_http_ticketing_redis_command(fn, data, argc, argv,
                                                argvlen);
    }

    if (ngx_http_ticketing_redis_usable() != NGX_OK || !rd->mapped) {
        return NGX_DECLINED;
    }

    /*
     * Every primary, as the cluster has them now: a primary added since
     * the map was learnt would be missed, and the purge would say it
     * purged everything.  So the map is asked for first, of a primary.
     */
    node = NULL;

    for (i = 0; i < rd->nnodes; i++) {
        if (rd->nodes[i]->mapped && rd->nodes[i]->conn.connected) {
            node = rd->nodes[i];
            break;
        }
    }

    for (i = 0; node == NULL && i < rd->nnodes; i++) {
        if (rd->nodes[i]->mapped
            && ngx_http_ticketing_redis_cluster_ensure(rd->nodes[i])
               == NGX_OK)
        {
            node = rd->nodes[i];
        }
    }

    if (node == NULL
        || node->conn.pending >= NGX_HTTP_TICKETING_REDIS_MAX_PENDING)
    {
        return NGX_DECLINED;
    }

    all = ngx_calloc(sizeof(ngx_http_ticketing_redis_all_t), rd->log);
    if (all == NULL) {
        return NGX_DECLINED;
    }

    len = ngx_http_ticketing_resp_command(&all->cmd, argc, argv, argvlen);
    if (len < 0) {
        ngx_free(all);
        return NGX_DECLINED;
    }

    all->len = len;
    all->fn = fn;
    all->data = data;
    all->asked = &node->conn;

    if (ngx_http_ticketing_redis_conn_queue(&node->conn,
                                            ngx_http_ticketing_redis_all_map,
                                            all, 2, slots, slots_len)
        != NGX_OK)
    {
        ngx_free(all->cmd);
        ngx_free(all);
        return NGX_DECLINED;
    }

    return NGX_OK;
}


/* the fresh map: the command goes to every primary of it */
static void
ngx_http_ticketing_redis_all_map(redisReply *r, void *data)
{
    ngx_http_ticketing_redis_all_t  *all = data;

    char                             *cmd;
    ngx_uint_t                        i, queued;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_node_t  *node;

    if (r == NULL || rd->slots == NULL
        || ngx_http_ticketing_redis_cluster_map(r, all->asked) != NGX_OK)
    {
        /* not knowing every primary, nothing is said to be purged */
        all->lost = 1;
        ngx_http_ticketing_redis_all_finish(all);
        return;
    }

    /* one more than queued until all are: no answer completes it early */
    all->waiting = 1;
    queued = 0;

    for (i = 0; i < rd->nnodes; i++) {
        node = rd->nodes[i];

        if (!node->mapped) {
            continue;
        }

        if (!node->conn.active
            && (ngx_msec_int_t) (node->next_connect - ngx_current_msec) <= 0)
        {
            /* a callback may connect: this is no drop */
            ngx_http_ticketing_redis_cluster_connect(node);
        }

        cmd = node->conn.active ? ngx_alloc(all->len, rd->log) : NULL;

        if (cmd != NULL
            && node->conn.pending < NGX_HTTP_TICKETING_REDIS_MAX_PENDING)
        {
            ngx_memcpy(cmd, all->cmd, all->len);

            if (ngx_http_ticketing_redis_conn_append(&node->conn,
                    ngx_http_ticketing_redis_all_reply, all, cmd, all->len,
                    NGX_HTTP_TICKETING_REDIS_MAX_REDIRECTS)
                == NGX_OK)
            {
                all->waiting++;
                queued++;
                continue;
            }

        } else if (cmd != NULL) {
            ngx_free(cmd);
        }

        all->lost = 1;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis cluster: sent to %ui primaries",
                   queued);

    if (--all->waiting == 0) {
        ngx_http_ticketing_redis_all_finish(all);
    }
}


/* the circuit lets commands through (perhaps half-open) */
static ngx_int_t
ngx_http_ticketing_redis_usable(void)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->conf == NULL) {
        return NGX_DECLINED;
    }

    if (rd->open) {
        if ((ngx_msec_int_t) (rd->open_until - ngx_current_msec) > 0) {
            return NGX_DECLINED;
        }

        /* half-open: let commands through; one more failure reopens */
        rd->open = 0;
        ngx_http_ticketing_metrics_circuit(0);

        ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                      "ticketing cache: redis %V: circuit half-open, "
                      "trying again", &rd->conf->peer.name);
    }

    return NGX_OK;
}


void
ngx_http_ticketing_redis_success(void)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    rd->fails = 0;
    rd->open = 0;
    ngx_http_ticketing_metrics_circuit(0);
    rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
}


void
ngx_http_ticketing_redis_failure(const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->conf == NULL || rd->open || rd->dropping) {
        return;
    }

    if (rd->data.active && (!rd->data.connected || rd->setup_pending)) {
        /*
         * A lookup gave up while the connection is being made (up to the
         * answers to AUTH, SELECT, ROLE): the setup has its own deadline,
         * and its failure counts; opening the circuit now would abandon
         * a slow but working setup for good.
         */
        return;
    }

    rd->fails++;
    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_ERROR);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis failure %ui: %s", rd->fails, why);

    if (rd->fails >= rd->conf->max_fails) {
        ngx_http_ticketing_redis_open_circuit(why);
    }
}


static void
ngx_http_ticketing_redis_open_circuit(const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    rd->open = 1;
    rd->open_until = ngx_current_msec + rd->conf->fail_timeout;
    ngx_http_ticketing_metrics_circuit(1);

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V failed %ui times in a row "
                  "(last: %s): circuit open for %M ms",
                  &rd->conf->peer.name, rd->fails, why,
                  rd->conf->fail_timeout);

    /* what is queued on a failing connection would only wait: drop it */
    ngx_http_ticketing_redis_drop(NULL);

    /* a cluster's failover would close it: keep asking for the map */
    ngx_http_ticketing_redis_cluster_refresh();
}


/* a connection attempt: counted, and the next one backed off */
static void
ngx_http_ticketing_redis_attempt(ngx_msec_t *backoff, ngx_msec_t *next)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_CONNECT);

    *next = ngx_current_msec + *backoff;
    *backoff = ngx_min(*backoff * 2,
                       ngx_max(rd->conf->fail_timeout,
                               NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF));
}


/* ------------------------------------------------- the data connection */


static void
ngx_http_ticketing_redis_connect(void)
{
    const char                       *argv[2];
    size_t                            argvlen[2];
    u_char                            db[NGX_INT_T_LEN];
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_conf_t  *rcf = rd->conf;

    ngx_http_ticketing_redis_attempt(&rd->backoff, &rd->next_connect);

    ngx_http_ticketing_redis_conn_start(&rd->data);

    if (!rd->data.active) {
        return;
    }

    /* sent first once connected; the password is never logged */

    ngx_http_ticketing_redis_conn_auth(&rd->data, &rcf->username,
                                       &rcf->password, "AUTH");

    if (rcf->db) {
        argv[0] = "SELECT";
        argvlen[0] = 6;
        argv[1] = (const char *) db;
        argvlen[1] = ngx_sprintf(db, "%i", rcf->db) - db;

        (void) ngx_http_ticketing_redis_conn_queue(&rd->data,
                   ngx_http_ticketing_redis_setup_reply, "SELECT", 2, argv,
                   argvlen);
    }

    if (rcf->sentinels) {
        /* a sentinel's answer may be stale: only a primary will do */
        argv[0] = "ROLE";
        argvlen[0] = 4;

        (void) ngx_http_ticketing_redis_conn_queue(&rd->data,
                   ngx_http_ticketing_redis_role_reply, NULL, 1, argv,
                   argvlen);

        rd->setup_pending = rd->data.pending;
        ngx_http_ticketing_redis_discover();
        return;
    }

    /* the ring was empty: what it holds now is the setup */
    rd->setup_pending = rd->data.pending;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis %V: connecting", &rcf->peer.name);

    ngx_http_ticketing_redis_conn_connect(&rd->data);
}


static void
ngx_http_ticketing_redis_data_ready(ngx_http_ticketing_redis_conn_t *conn,
    const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, conn->peer.log, 0,
                   "ticketing cache: redis %V: connected",
                   &rd->conf->peer.name);

    if (rd->setup_pending) {
        ngx_add_timer(&rd->setup_timer, rd->conf->peer.connect_timeout);
    }
}


/* one setup command of the data connection answered */
static void
ngx_http_ticketing_redis_setup_done(void *data)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (data == ngx_http_ticketing_redis_sentinel_auth
        || rd->setup_pending == 0)
    {
        return;
    }

    if (--rd->setup_pending == 0 && rd->setup_timer.timer_set) {
        ngx_del_timer(&rd->setup_timer);
    }
}


static void
ngx_http_ticketing_redis_setup_timeout(ngx_event_t *ev)
{
    ngx_http_ticketing_redis_t  *rd = ev->data;

    if (rd->setup_pending == 0) {
        return;
    }

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: AUTH, SELECT or ROLE not "
                  "answered within connect_timeout", &rd->conf->peer.name);

    ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_TIMEOUT);

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_failure("setup timed out");
}


static void
ngx_http_ticketing_redis_data_lost(ngx_http_ticketing_redis_conn_t *conn,
    const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (why == NULL) {
        /* the name moved: what is queued fails open, the next reconnects */
        rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
        rd->next_connect = ngx_current_msec;
        ngx_http_ticketing_redis_drop(NULL);
        return;
    }

    if (conn->connected) {
        ngx_http_ticketing_redis_drop(why);
        ngx_http_ticketing_redis_failure("connection lost");
        return;
    }

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: connect failed: %s",
                  &rd->conf->peer.name, why);

    if (conn->peer.timedout) {
        ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_TIMEOUT);
    }

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_failure("connect failed");
}


/*
 * Closes the data connection (and a discovery under way) and gives every
 * pending callback NULL.  "why" non-NULL: an unexpected loss, logged.
 */
static void
ngx_http_ticketing_redis_drop(const char *why)
{
    ngx_uint_t                   i;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (rd->slots) {
        /* every node: what is queued on a failing cluster only waits */
        for (i = 0; i < rd->nnodes; i++) {
            ngx_http_ticketing_redis_cluster_drop(rd->nodes[i]);
        }

        return;
    }

    if (!rd->data.active) {
        return;
    }

    if (why) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis %V: connection lost: %s",
                      &rd->conf->peer.name, why);
    }

    if (rd->discovering) {
        rd->discovering = 0;

        if (rd->discovery_timer.timer_set) {
            ngx_del_timer(&rd->discovery_timer);
        }

        ngx_http_ticketing_redis_conn_drop(&rd->sentinel);

        /*
         * Given up (the circuit opened meanwhile): the next discovery
         * starts at the next sentinel, or a sentinel that accepts and
         * never answers would be asked first every time.
         */
        rd->next_sentinel = (rd->next_sentinel + 1)
                            % rd->conf->sentinels->nelts;
    }

    rd->setup_pending = 0;

    if (rd->setup_timer.timer_set) {
        ngx_del_timer(&rd->setup_timer);
    }

    /* callbacks may queue commands: they are refused while depth > 0 */
    rd->depth++;
    rd->dropping = 1;
    ngx_http_ticketing_redis_conn_drop(&rd->data);
    rd->dropping = 0;
    rd->depth--;
}


static void
ngx_http_ticketing_redis_setup_reply(redisReply *r, void *data)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (r == NULL) {
        /* lost: whoever waits is told by the drop */
        return;
    }

    ngx_http_ticketing_redis_setup_done(data);

    if (r->type != REDIS_REPLY_ERROR) {
        return;
    }

    /* the reply names the command, never its arguments */
    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: %s failed: %s",
                  &rd->conf->peer.name, (char *) data,
                  ngx_http_ticketing_peer_text(r->str, r->len));

    if (data == ngx_http_ticketing_redis_sentinel_auth) {
        ngx_http_ticketing_redis_sentinel_next("AUTH refused");
        return;
    }

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_failure((char *) data);
}


static void
ngx_http_ticketing_redis_role_reply(redisReply *r, void *data)
{
    redisReply                  *role;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (r == NULL) {
        return;
    }

    ngx_http_ticketing_redis_setup_done(data);

    role = (r->type == REDIS_REPLY_ARRAY && r->elements > 0
            && r->element[0]->type == REDIS_REPLY_STRING)
           ? r->element[0] : NULL;

    if (role && role->len == 6 && ngx_strncmp(role->str, "master", 6) == 0) {
        return;
    }

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: %V is not a primary (ROLE "
                  "says %s): asking the sentinels again",
                  &rd->conf->peer.name, &rd->data.peer.addr_text,
                  role ? ngx_http_ticketing_peer_text(role->str, role->len)
                       : "something else");

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_failure("not a primary");
}


/* --------------------------------------------------------- Sentinel */


/* asks the next sentinel; the data connection waits with its commands */
static void
ngx_http_ticketing_redis_discover(void)
{
    const char                       *argv[3];
    size_t                            argvlen[3];
    ngx_http_ticketing_peer_conf_t   *sentinels;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_conf_t  *rcf = rd->conf;

    if (!rd->discovering) {
        rd->discovering = 1;
        rd->asked = 0;
    }

    ngx_http_ticketing_redis_conn_drop(&rd->sentinel);

    sentinels = rcf->sentinels->elts;
    rd->sentinel.peer.conf = &sentinels[rd->next_sentinel];

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis %V: asking sentinel %V",
                   &rcf->peer.name, &rd->sentinel.peer.conf->name);

    ngx_http_ticketing_redis_conn_start(&rd->sentinel);

    if (!rd->sentinel.active) {
        ngx_http_ticketing_redis_sentinel_next("no memory");
        return;
    }

    ngx_http_ticketing_redis_conn_auth(&rd->sentinel,
                                       &rcf->sentinel_username,
                                       &rcf->sentinel_password,
                                       ngx_http_ticketing_redis_sentinel_auth);

    argv[0] = "SENTINEL";
    argvlen[0] = 8;
    argv[1] = "get-master-addr-by-name";
    argvlen[1] = sizeof("get-master-addr-by-name") - 1;
    argv[2] = (const char *) rcf->master_name.data;
    argvlen[2] = rcf->master_name.len;

    (void) ngx_http_ticketing_redis_conn_queue(&rd->sentinel,
               ngx_http_ticketing_redis_discovered, NULL, 3, argv, argvlen);

    /* connect, AUTH and the answer: one connect_timeout per sentinel */
    if (rd->discovery_timer.timer_set) {
        ngx_del_timer(&rd->discovery_timer);
    }

    ngx_add_timer(&rd->discovery_timer, rcf->peer.connect_timeout);

    ngx_http_ticketing_redis_conn_connect(&rd->sentinel);
}


static void
ngx_http_ticketing_redis_discovered(redisReply *r, void *data)
{
    ngx_int_t                    port;
    socklen_t                    socklen;
    redisReply                  *ip, *po;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (r == NULL || !rd->discovering) {
        /* the sentinel went away: its "lost" goes on */
        return;
    }

    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2
        || r->element[0]->type != REDIS_REPLY_STRING
        || r->element[1]->type != REDIS_REPLY_STRING)
    {
        ngx_http_ticketing_redis_sentinel_next(
            r->type == REDIS_REPLY_ERROR
            ? ngx_http_ticketing_peer_text(r->str, r->len)
            : "it does not know the primary");
        return;
    }

    ip = r->element[0];
    po = r->element[1];

    port = ngx_atoi((u_char *) po->str, po->len);

    if (ngx_http_ticketing_redis_sockaddr((u_char *) ip->str, ip->len, port,
                                          &rd->primary_sockaddr, &socklen)
        != NGX_OK)
    {
        ngx_http_ticketing_redis_sentinel_next("its answer is not an "
                                               "address");
        return;
    }

    rd->primary.addr.socklen = socklen;

    rd->discovering = 0;

    if (rd->discovery_timer.timer_set) {
        ngx_del_timer(&rd->discovery_timer);
    }

    ngx_log_error(NGX_LOG_INFO, rd->log, 0,
                  "ticketing cache: redis %V: sentinel %V names the "
                  "primary %*s:%i", &rd->conf->peer.name,
                  &rd->sentinel.peer.conf->name, ip->len, ip->str, port);

    /* and tells us when it changes */
    {
        const char  *argv[2] = { "SUBSCRIBE", "+switch-master" };
        size_t       argvlen[2] = { 9, 14 };

        (void) ngx_http_ticketing_redis_conn_queue(&rd->sentinel, NULL,
                                                   NULL, 2, argv, argvlen);
    }

    ngx_http_ticketing_redis_conn_connect(&rd->data);
}


static void
ngx_http_ticketing_redis_sentinel_lost(
    ngx_http_ticketing_redis_conn_t *conn, const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (!rd->discovering) {
        /* only the +switch-master subscription is lost: nothing waits */
        ngx_http_ticketing_redis_conn_drop(conn);
        return;
    }

    ngx_http_ticketing_redis_sentinel_next(why ? why : "its name moved");
}


/* this sentinel could not tell: the next one, or give up for now */
static void
ngx_http_ticketing_redis_sentinel_next(const char *why)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: sentinel %V: %s",
                  &rd->conf->peer.name, &rd->sentinel.peer.conf->name, why);

    ngx_http_ticketing_redis_conn_drop(&rd->sentinel);

    rd->next_sentinel = (rd->next_sentinel + 1) % rd->conf->sentinels->nelts;

    if (++rd->asked < rd->conf->sentinels->nelts) {
        ngx_http_ticketing_redis_discover();
        return;
    }

    ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                  "ticketing cache: redis %V: no sentinel named the "
                  "primary", &rd->conf->peer.name);

    ngx_http_ticketing_redis_drop(NULL);
    ngx_http_ticketing_redis_failure("no sentinel named the primary");
}


static void
ngx_http_ticketing_redis_discovery_timeout(ngx_event_t *ev)
{
    ngx_http_ticketing_redis_t  *rd = ev->data;

    if (rd->discovering) {
        ngx_http_ticketing_redis_sentinel_next("timed out");
    }
}


/* "message" "+switch-master" "NAME OLD-IP OLD-PORT NEW-IP NEW-PORT" */
static void
ngx_http_ticketing_redis_switch_master(redisReply *r, void *data)
{
    size_t                       len;
    ngx_str_t                   *name;
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    name = &rd->conf->master_name;

    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3
        || r->element[2]->type != REDIS_REPLY_STRING)
    {
        return;
    }

    len = r->element[2]->len;

    if (len <= name->len || r->element[2]->str[name->len] != ' '
        || ngx_strncmp(r->element[2]->str, name->data, name->len) != 0)
    {
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, rd->log, 0,
                  "ticketing cache: redis %V: +switch-master %s: "
                  "reconnecting", &rd->conf->peer.name,
                  ngx_http_ticketing_peer_text(r->element[2]->str, len));

    /* what failed was the old primary: the new one starts afresh */
    rd->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
    rd->next_connect = ngx_current_msec;
    rd->fails = 0;

    if (rd->open) {
        rd->open = 0;
        ngx_http_ticketing_metrics_circuit(0);
    }

    ngx_http_ticketing_redis_drop(NULL);
}


/* ---------------------------------------------------------- Cluster */


static ngx_int_t
ngx_http_ticketing_redis_cluster_start(ngx_cycle_t *cycle)
{
    ngx_uint_t                        i, n;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_peer_conf_t   *confs;
    ngx_http_ticketing_redis_node_t  *seed;

    rd->slots = ngx_alloc(NGX_HTTP_TICKETING_CACHEKEY_SLOTS, cycle->log);
    rd->new_slots = ngx_alloc(NGX_HTTP_TICKETING_CACHEKEY_SLOTS, cycle->log);

    if (rd->slots == NULL || rd->new_slots == NULL) {
        return NGX_ERROR;
    }

    /* until the map is known, commands go to the first configured node */
    ngx_memzero(rd->slots, NGX_HTTP_TICKETING_CACHEKEY_SLOTS);

    n = 1 + (rd->conf->seeds ? rd->conf->seeds->nelts : 0);
    confs = rd->conf->seeds ? rd->conf->seeds->elts : NULL;

    for (i = 0; i < n && i < NGX_HTTP_TICKETING_REDIS_MAX_NODES / 2; i++) {
        seed = ngx_calloc(sizeof(ngx_http_ticketing_redis_node_t),
                          cycle->log);
        if (seed == NULL) {
            return NGX_ERROR;
        }

        seed->conn.peer.conf = (i == 0) ? &rd->conf->peer : &confs[i - 1];
        seed->conn.peer.log = cycle->log;
        seed->conn.ready = ngx_http_ticketing_redis_cluster_ready;
        seed->conn.lost = ngx_http_ticketing_redis_cluster_lost;
        seed->conn.keep = 1;
        seed->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
        seed->next_connect = ngx_current_msec;
        seed->seed = 1;

        rd->nodes[rd->nnodes++] = seed;
    }

    rd->nseeds = rd->nnodes;

    /* the workers of an instance start at different nodes */
    rd->next_asked = (ngx_worker + rd->nseeds - 1) % rd->nseeds;

    rd->refresh_timer.handler =
                            ngx_http_ticketing_redis_cluster_refresh_handler;
    rd->refresh_timer.data = rd;
    rd->refresh_timer.log = cycle->log;
    rd->refresh_timer.cancelable = 1;
    rd->next_refresh = ngx_current_msec;

    ngx_http_ticketing_redis_cluster_refresh();

    return NGX_OK;
}


/* to the primary of the slot of the key (argv[1]) */
static ngx_int_t
ngx_http_ticketing_redis_cluster_command(
    ngx_http_ticketing_redis_handler_pt fn, void *data, int argc,
    const char **argv, const size_t *argvlen)
{
    unsigned                          slot;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_node_t  *node;

    slot = (argc > 1)
           ? ngx_http_ticketing_cachekey_slot((const u_char *) argv[1],
                                              argvlen[1])
           : 0;

    node = rd->nodes[rd->slots[slot]];

    if (ngx_http_ticketing_redis_cluster_ensure(node) != NGX_OK
        || node->conn.pending >= NGX_HTTP_TICKETING_REDIS_MAX_PENDING)
    {
        return NGX_DECLINED;
    }

    /*
     * A node's connection being made again after it failed is a probe, as
     * the single connection's is: its slots go without the cache until it
     * is up, instead of each lookup waiting for a connection that may take
     * connect_timeout to fail.
     */
    if (node->failed && !node->conn.connected) {
        return NGX_DECLINED;
    }

    return ngx_http_ticketing_redis_conn_queue(&node->conn, fn, data, argc,
                                               argv, argvlen);
}


/* connected or connecting, unless it failed a moment ago */
static ngx_int_t
ngx_http_ticketing_redis_cluster_ensure(ngx_http_ticketing_redis_node_t *node)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (node->conn.active) {
        return NGX_OK;
    }

    if (rd->depth
        || (ngx_msec_int_t) (node->next_connect - ngx_current_msec) > 0)
    {
        return NGX_DECLINED;
    }

    ngx_http_ticketing_redis_cluster_connect(node);

    return node->conn.active ? NGX_OK : NGX_DECLINED;
}


static void
ngx_http_ticketing_redis_cluster_connect(ngx_http_ticketing_redis_node_t *node)
{
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_conf_t  *rcf = rd->conf;

    ngx_http_ticketing_redis_attempt(&node->backoff, &node->next_connect);

    ngx_http_ticketing_redis_conn_start(&node->conn);

    if (!node->conn.active) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis cluster node %V: connecting",
                   &node->conn.peer.conf->name);

    ngx_http_ticketing_redis_conn_auth(&node->conn, &rcf->username,
                                       &rcf->password, "AUTH");

    ngx_http_ticketing_redis_conn_connect(&node->conn);
}


/* the node at this address, added if new; NULL when there is no room */
static ngx_http_ticketing_redis_node_t *
ngx_http_ticketing_redis_cluster_node(struct sockaddr *sockaddr,
    socklen_t socklen, ngx_uint_t *index)
{
    size_t                            len;
    ngx_uint_t                        i, free;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_peer_conf_t   *pcf;
    ngx_http_ticketing_redis_node_t  *node;

    free = 0;

    /* a configured address, if numeric, is one connection for both */
    for (i = 0; i < rd->nseeds; i++) {
        pcf = rd->nodes[i]->conn.peer.conf;

        if (pcf->host.len == 0
            && pcf->addr.socklen == socklen
            && ngx_cmp_sockaddr(pcf->addr.sockaddr, socklen, sockaddr,
                                socklen, 1)
               == NGX_OK)
        {
            *index = i;
            rd->nodes[i]->mapped = 1;
            return rd->nodes[i];
        }
    }

    for (i = rd->nseeds; i < rd->nnodes; i++) {
        node = rd->nodes[i];

        if (node->addr.addr.socklen == socklen
            && ngx_cmp_sockaddr((struct sockaddr *) &node->sockaddr, socklen,
                                sockaddr, socklen, 1)
               == NGX_OK)
        {
            *index = i;
            return node;
        }

        if (free == 0 && !node->mapped && !node->conn.active) {
            free = i;
        }
    }

    if (free) {
        /* a node no longer in the map: reused for the new address */
        node = rd->nodes[free];
        *index = free;

    } else if (rd->nnodes < NGX_HTTP_TICKETING_REDIS_MAX_NODES) {
        node = ngx_calloc(sizeof(ngx_http_ticketing_redis_node_t), rd->log);
        if (node == NULL) {
            return NULL;
        }

        *index = rd->nnodes;
        rd->nodes[rd->nnodes++] = node;

    } else {
        return NULL;
    }

    /* as configured (TLS, its name, timeouts), at the announced address */
    node->addr = rd->conf->peer;
    node->addr.host.len = 0;
    node->addr.addr.sockaddr = (struct sockaddr *) &node->sockaddr;
    node->addr.addr.socklen = socklen;
    ngx_memcpy(&node->sockaddr, sockaddr, socklen);

    len = ngx_sock_ntop(sockaddr, socklen, node->text, NGX_SOCKADDR_STRLEN,
                        1);
    node->addr.name.data = node->text;
    node->addr.name.len = len;

    node->conn.peer.conf = &node->addr;
    node->conn.peer.log = rd->log;
    node->conn.ready = ngx_http_ticketing_redis_cluster_ready;
    node->conn.lost = ngx_http_ticketing_redis_cluster_lost;
    node->conn.keep = 1;
    node->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
    node->next_connect = ngx_current_msec;
    node->failed = 0;

    /* taken: not reused for another address until the next map */
    node->mapped = 1;

    return node;
}


static void
ngx_http_ticketing_redis_cluster_ready(ngx_http_ticketing_redis_conn_t *conn,
    const char *why)
{
    ngx_http_ticketing_redis_node_t  *node;

    node = (ngx_http_ticketing_redis_node_t *) conn;
    node->backoff = NGX_HTTP_TICKETING_REDIS_MIN_BACKOFF;
    node->failed = 0;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, conn->peer.log, 0,
                   "ticketing cache: redis cluster node %V: connected",
                   &conn->peer.conf->name);
}


static void
ngx_http_ticketing_redis_cluster_lost(ngx_http_ticketing_redis_conn_t *conn,
    const char *why)
{
    ngx_uint_t                        serving, connected;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_node_t  *node;

    node = (ngx_http_ticketing_redis_node_t *) conn;

    /* the configured nodes serve until the map is known */
    serving = node->mapped || (node->seed && !rd->mapped);
    connected = conn->connected;

    if (why) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis cluster node %V: %s: %s",
                      &conn->peer.conf->name,
                      connected ? "connection lost" : "connect failed", why);

        if (conn->peer.timedout) {
            ngx_http_ticketing_metrics_inc(
                                         NGX_HTTP_TICKETING_M_REDIS_TIMEOUT);
        }
    }

    ngx_http_ticketing_redis_cluster_drop(node);

    if (why == NULL) {
        /* the configured name moved: reconnect when next needed */
        node->next_connect = ngx_current_msec;
        return;
    }

    node->failed = 1;

    /*
     * Not the circuit breaker's: the node's own backoff (100 ms doubling
     * up to fail_timeout) keeps commands for its slots from waiting on
     * it, and the other primaries' slots are served meanwhile.
     */
    if (serving) {
        ngx_http_ticketing_metrics_inc(NGX_HTTP_TICKETING_M_REDIS_ERROR);
    }

    /* a failover may have moved its slots */
    ngx_http_ticketing_redis_cluster_refresh();
}


/* closes a node's connection; its callbacks count as one failure */
static void
ngx_http_ticketing_redis_cluster_drop(ngx_http_ticketing_redis_node_t *node)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    if (!node->conn.active) {
        return;
    }

    rd->depth++;
    rd->dropping = 1;
    ngx_http_ticketing_redis_conn_drop(&node->conn);
    rd->dropping = 0;
    rd->depth--;
}


/* asks for the slot map, now or once the last ask is a second old */
static void
ngx_http_ticketing_redis_cluster_refresh(void)
{
    ngx_uint_t                        i;
    ngx_msec_int_t                    wait;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_conn_t  *conn;
    ngx_http_ticketing_redis_node_t  *node;

    static const char    *argv[2] = { "CLUSTER", "SLOTS" };
    static const size_t   argvlen[2] = { 7, 5 };

    if (rd->refreshing || rd->conf == NULL || rd->slots == NULL) {
        return;
    }

    wait = (ngx_msec_int_t) (rd->next_refresh - ngx_current_msec);

    if (wait > 0) {
        if (!rd->refresh_timer.timer_set) {
            ngx_add_timer(&rd->refresh_timer, (ngx_msec_t) wait);
        }

        return;
    }

    rd->next_refresh = ngx_current_msec + NGX_HTTP_TICKETING_REDIS_REFRESH;

    /* a primary already connected */
    conn = NULL;

    for (i = 0; i < rd->nnodes; i++) {
        if (rd->nodes[i]->mapped && rd->nodes[i]->conn.connected) {
            conn = &rd->nodes[i]->conn;
            break;
        }
    }

    /* else the next of the configured nodes and the primaries, in turn */
    for (i = 0; conn == NULL && i < rd->nnodes; i++) {
        rd->next_asked = (rd->next_asked + 1) % rd->nnodes;
        node = rd->nodes[rd->next_asked];

        if ((!node->seed && !node->mapped)
            || (!node->conn.active
                && (ngx_msec_int_t) (node->next_connect - ngx_current_msec)
                   > 0))
        {
            /* not a node, or one that failed a moment ago */
            continue;
        }

        if (!rd->mapped) {
            /* what comes before the map waits behind it, on this node */
            ngx_memset(rd->slots, (u_char) rd->next_asked,
                       NGX_HTTP_TICKETING_CACHEKEY_SLOTS);
        }

        if (!node->conn.active) {
            ngx_http_ticketing_redis_cluster_connect(node);

            if (!node->conn.active) {
                /* failed at once: its "lost" asks again a second later */
                return;
            }
        }

        conn = &node->conn;
    }

    if (conn == NULL) {
        /* every node failed a moment ago: again in a second */
        if (!rd->refresh_timer.timer_set) {
            ngx_add_timer(&rd->refresh_timer,
                          NGX_HTTP_TICKETING_REDIS_REFRESH);
        }

        return;
    }

    if (ngx_http_ticketing_redis_conn_queue(conn,
            ngx_http_ticketing_redis_cluster_slots, conn, 2, argv, argvlen)
        == NGX_OK)
    {
        rd->refreshing = 1;
    }
}


static void
ngx_http_ticketing_redis_cluster_refresh_handler(ngx_event_t *ev)
{
    ngx_http_ticketing_redis_cluster_refresh();
}


/* [[start, end, [ip, port, id, ...], replicas...], ...] */
static void
ngx_http_ticketing_redis_cluster_slots(redisReply *r, void *data)
{
    ngx_http_ticketing_redis_t  *rd = &ngx_http_ticketing_redis;

    rd->refreshing = 0;

    if (r == NULL) {
        /* the connection went away: its "lost" asks the next node now */
        rd->next_refresh = ngx_current_msec;
        return;
    }

    if (ngx_http_ticketing_redis_cluster_map(r, data) != NGX_OK) {
        ngx_http_ticketing_redis_failure("CLUSTER SLOTS failed");
        ngx_http_ticketing_redis_cluster_refresh();
    }
}


/* [[start, end, [ip, port, id, ...], replicas...], ...]: the map now */
static ngx_int_t
ngx_http_ticketing_redis_cluster_map(redisReply *r,
    ngx_http_ticketing_redis_conn_t *asked)
{
    ngx_uint_t                        i, changed, primaries;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_node_t  *node;

    if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                      "ticketing cache: redis %V: CLUSTER SLOTS failed: %s",
                      &rd->conf->peer.name,
                      r->type == REDIS_REPLY_ERROR
                      ? ngx_http_ticketing_peer_text(r->str, r->len)
                      : "no slot is served");
        return NGX_ERROR;
    }

    ngx_memset(rd->new_slots, NGX_HTTP_TICKETING_REDIS_NO_NODE,
               NGX_HTTP_TICKETING_CACHEKEY_SLOTS);

    for (i = 0; i < r->elements; i++) {
        if (ngx_http_ticketing_redis_cluster_range(r->element[i], asked)
            != NGX_OK)
        {
            ngx_log_error(NGX_LOG_WARN, rd->log, 0,
                          "ticketing cache: redis %V: CLUSTER SLOTS: a slot "
                          "range without a usable primary (or more than "
                          "%d primaries): ignored", &rd->conf->peer.name,
                          NGX_HTTP_TICKETING_REDIS_MAX_NODES - 1);
        }
    }

    for (i = 0; i < rd->nnodes; i++) {
        rd->nodes[i]->mapped = 0;
    }

    for (i = 0; i < NGX_HTTP_TICKETING_CACHEKEY_SLOTS; i++) {
        if (rd->new_slots[i] == NGX_HTTP_TICKETING_REDIS_NO_NODE) {
            /* nobody serves it: the configured node answers (an error) */
            rd->new_slots[i] = 0;

        } else {
            rd->nodes[rd->new_slots[i]]->mapped = 1;
        }
    }

    changed = ngx_memcmp(rd->slots, rd->new_slots,
                         NGX_HTTP_TICKETING_CACHEKEY_SLOTS);

    ngx_memcpy(rd->slots, rd->new_slots, NGX_HTTP_TICKETING_CACHEKEY_SLOTS);

    primaries = 0;

    for (i = 0; i < rd->nnodes; i++) {
        node = rd->nodes[i];

        if (node->mapped) {
            primaries++;

        } else if (!node->seed) {
            /* no longer a primary: what it still holds fails open */
            ngx_http_ticketing_redis_cluster_drop(node);
        }
    }

    if (!changed && rd->mapped) {
        if (rd->open) {
            /* until a failover changes the map, or the circuit half-opens */
            ngx_http_ticketing_redis_cluster_refresh();
        }

        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_INFO, rd->log, 0,
                  "ticketing cache: redis %V: slot map %s: %ui primaries",
                  &rd->conf->peer.name, rd->mapped ? "changed" : "loaded",
                  primaries);

    if (rd->mapped) {
        /* what failed was the old map: the new one starts afresh */
        rd->fails = 0;

        if (rd->open) {
            rd->open = 0;
            ngx_http_ticketing_metrics_circuit(0);
        }
    }

    rd->mapped = 1;

    return NGX_OK;
}


/* one range of CLUSTER SLOTS into new_slots */
static ngx_int_t
ngx_http_ticketing_redis_cluster_range(redisReply *e,
    ngx_http_ticketing_redis_conn_t *asked)
{
    socklen_t                         socklen;
    ngx_uint_t                        index;
    redisReply                       *primary;
    struct sockaddr_storage           ss;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_node_t  *node;

    if (e->type != REDIS_REPLY_ARRAY || e->elements < 3
        || e->element[0]->type != REDIS_REPLY_INTEGER
        || e->element[1]->type != REDIS_REPLY_INTEGER
        || e->element[0]->integer < 0
        || e->element[0]->integer > e->element[1]->integer
        || e->element[1]->integer >= NGX_HTTP_TICKETING_CACHEKEY_SLOTS
        || e->element[2]->type != REDIS_REPLY_ARRAY
        || e->element[2]->elements < 2)
    {
        return NGX_ERROR;
    }

    primary = e->element[2];

    if (primary->element[0]->type != REDIS_REPLY_STRING
        || primary->element[1]->type != REDIS_REPLY_INTEGER
        || ngx_http_ticketing_redis_cluster_address(
               (u_char *) primary->element[0]->str,
               primary->element[0]->len, primary->element[1]->integer,
               asked, &ss, &socklen)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    node = ngx_http_ticketing_redis_cluster_node((struct sockaddr *) &ss,
                                                 socklen, &index);
    if (node == NULL) {
        return NGX_ERROR;
    }

    ngx_memset(rd->new_slots + e->element[0]->integer, (u_char) index,
               e->element[1]->integer - e->element[0]->integer + 1);

    return NGX_OK;
}


/* an announced IP and port; an empty or "?" IP is the node asked's */
static ngx_int_t
ngx_http_ticketing_redis_cluster_address(u_char *host, size_t len,
    ngx_int_t port, ngx_http_ticketing_redis_conn_t *asked,
    struct sockaddr_storage *ss, socklen_t *socklen)
{
    if (len == 0 || (len == 1 && host[0] == '?')) {
        if (port < 1 || port > 65535 || !asked->connected
            || asked->peer.socklen > sizeof(*ss))
        {
            return NGX_ERROR;
        }

        ngx_memcpy(ss, &asked->peer.sockaddr, asked->peer.socklen);
        *socklen = asked->peer.socklen;
        ngx_inet_set_port((struct sockaddr *) ss, (in_port_t) port);

        return NGX_OK;
    }

    return ngx_http_ticketing_redis_sockaddr(host, len, port, ss, socklen);
}


/*
 * An IPv4 or IPv6 address and a port, as Redis and sentinels write them,
 * parsed without allocating: this runs for every redirection.
 */
static ngx_int_t
ngx_http_ticketing_redis_sockaddr(u_char *host, size_t len, ngx_int_t port,
    struct sockaddr_storage *ss, socklen_t *socklen)
{
    in_addr_t             inaddr;
    struct sockaddr_in   *sin;
#if (NGX_HAVE_INET6)
    struct sockaddr_in6  *sin6;
#endif

    if (port < 1 || port > 65535) {
        return NGX_ERROR;
    }

    ngx_memzero(ss, sizeof(struct sockaddr_storage));

    inaddr = ngx_inet_addr(host, len);

    if (inaddr != INADDR_NONE) {
        sin = (struct sockaddr_in *) ss;
        sin->sin_family = AF_INET;
        sin->sin_addr.s_addr = inaddr;
        sin->sin_port = htons((in_port_t) port);
        *socklen = sizeof(struct sockaddr_in);

        return NGX_OK;
    }

#if (NGX_HAVE_INET6)
    sin6 = (struct sockaddr_in6 *) ss;

    if (ngx_inet6_addr(host, len, sin6->sin6_addr.s6_addr) == NGX_OK) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((in_port_t) port);
        *socklen = sizeof(struct sockaddr_in6);

        return NGX_OK;
    }
#endif

    return NGX_ERROR;
}


/*
 * "MOVED slot ip:port" or "ASK slot ip:port": the command goes there
 * (after ASKING for ASK); MOVED also updates the slot and the map.
 * NGX_OK: resent, the callback is the new command's; else it gets the
 * error.
 */
static ngx_int_t
ngx_http_ticketing_redis_cluster_redirect(
    ngx_http_ticketing_redis_conn_t *conn, ngx_http_ticketing_redis_cb_t *cb,
    redisReply *r)
{
    char                             *cmd;
    u_char                           *p, *end, *colon;
    ngx_int_t                         slot, port;
    socklen_t                         socklen;
    ngx_uint_t                        ask, index;
    struct sockaddr_storage           ss;
    ngx_http_ticketing_redis_t       *rd = &ngx_http_ticketing_redis;
    ngx_http_ticketing_redis_node_t  *node;

    static const char    *asking[1] = { "ASKING" };
    static const size_t   asking_len[1] = { 6 };

    ask = (r->str[0] == 'A');
    p = (u_char *) r->str + (ask ? 4 : 6);
    end = (u_char *) r->str + r->len;

    colon = ngx_strlchr(p, end, ' ');
    if (colon == NULL) {
        return NGX_ERROR;
    }

    slot = ngx_atoi(p, colon - p);
    p = colon + 1;

    /* the port follows the last ":" (an IPv6 address has several) */
    for (colon = end - 1; colon >= p && *colon != ':'; colon--) {
        /* void */
    }

    if (slot == NGX_ERROR || slot >= NGX_HTTP_TICKETING_CACHEKEY_SLOTS
        || colon < p)
    {
        return NGX_ERROR;
    }

    port = ngx_atoi(colon + 1, end - colon - 1);

    if (ngx_http_ticketing_redis_cluster_address(p, colon - p, port, conn,
                                                 &ss, &socklen)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    node = ngx_http_ticketing_redis_cluster_node((struct sockaddr *) &ss,
                                                 socklen, &index);
    if (node == NULL) {
        return NGX_ERROR;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, rd->log, 0,
                   "ticketing cache: redis cluster: %s slot %i to %V",
                   ask ? "ASK" : "MOVED", slot, &node->addr.name);

    if (!ask) {
        rd->slots[slot] = (u_char) index;
        node->mapped = 1;
        ngx_http_ticketing_redis_cluster_refresh();
    }

    if (!node->conn.active) {
        /* the cluster says it serves: no backoff */
        ngx_http_ticketing_redis_cluster_connect(node);

        if (!node->conn.active) {
            return NGX_ERROR;
        }
    }

    if (node->conn.pending + 2 > NGX_HTTP_TICKETING_REDIS_MAX_PENDING) {
        return NGX_ERROR;
    }

    if (ask
        && ngx_http_ticketing_redis_conn_queue(&node->conn, NULL, NULL, 1,
                                               asking, asking_len)
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the command is the new entry's now (or freed if it cannot be) */
    cmd = cb->cmd;
    cb->cmd = NULL;

    return ngx_http_ticketing_redis_conn_append(&node->conn, cb->fn, cb->data,
                                                cmd, cb->len,
                                                cb->redirects + 1);
}


static void
ngx_http_ticketing_redis_all_reply(redisReply *r, void *data)
{
    ngx_http_ticketing_redis_all_t  *all = data;

    if (r == NULL) {
        all->lost = 1;

    } else if (r->type == REDIS_REPLY_INTEGER && r->integer >= 0
               && r->integer <= INT64_MAX - all->sum)
    {
        all->sum += r->integer;

    } else if (!all->failed) {
        all->failed = 1;

        if (r->type == REDIS_REPLY_ERROR) {
            all->error_len = ngx_min(r->len, sizeof(all->error) - 1);
            ngx_memcpy(all->error, r->str, all->error_len);

        } else {
            all->error_len = ngx_cpystrn(all->error,
                                         (u_char *) "unexpected reply",
                                         sizeof(all->error))
                             - all->error;
        }

        all->error[all->error_len] = '\0';
    }

    if (--all->waiting == 0) {
        ngx_http_ticketing_redis_all_finish(all);
    }
}


/* every primary answered (or was lost): the caller's callback, once */
static void
ngx_http_ticketing_redis_all_finish(ngx_http_ticketing_redis_all_t *all)
{
    redisReply  sum;

    if (all->lost) {
        all->fn(NULL, all->data);

    } else {
        ngx_memzero(&sum, sizeof(redisReply));

        if (all->failed) {
            sum.type = REDIS_REPLY_ERROR;
            sum.str = (char *) all->error;
            sum.len = all->error_len;

        } else {
            sum.type = REDIS_REPLY_INTEGER;
            sum.integer = all->sum;
        }

        all->fn(&sum, all->data);
    }

    ngx_free(all->cmd);
    ngx_free(all);
}


/* ------------------------------------------------------- connections */


static void
ngx_http_ticketing_redis_conn_start(ngx_http_ticketing_redis_conn_t *conn)
{
    conn->reader = redisReaderCreate();
    if (conn->reader == NULL) {
        return;
    }

    if (ngx_http_ticketing_redis_hiredis_fn == NULL) {
        ngx_http_ticketing_redis_hiredis_fn = conn->reader->fn;
        ngx_http_ticketing_redis_fn = *conn->reader->fn;
        ngx_http_ticketing_redis_fn.createArray =
                                      ngx_http_ticketing_redis_create_array;
    }

    conn->reader->fn = &ngx_http_ticketing_redis_fn;

    conn->peer.handler = ngx_http_ticketing_redis_peer_handler;
    conn->peer.data = conn;

    conn->active = 1;
    conn->connected = 0;
}


/* NULL: the reader fails ("out of memory"), the connection is dropped */
static void *
ngx_http_ticketing_redis_create_array(const redisReadTask *task, int elements)
{
    if (elements < 0 || elements > NGX_HTTP_TICKETING_REDIS_MAX_ELEMENTS) {
        ngx_http_ticketing_redis_too_long = 1;
        return NULL;
    }

    return ngx_http_ticketing_redis_hiredis_fn->createArray(task, elements);
}


static void
ngx_http_ticketing_redis_conn_connect(ngx_http_ticketing_redis_conn_t *conn)
{
    ngx_int_t  rc;

    rc = ngx_http_ticketing_peer_open(&conn->peer);

    if (rc != NGX_AGAIN) {
        ngx_http_ticketing_redis_peer_handler(&conn->peer, rc);
    }
}


static void
ngx_http_ticketing_redis_peer_handler(ngx_http_ticketing_peer_t *p,
    ngx_int_t rc)
{
    ngx_connection_t                 *c;
    ngx_http_ticketing_redis_conn_t  *conn = p->data;

    if (rc == NGX_OK) {
        c = p->pc.connection;

        c->read->handler = ngx_http_ticketing_redis_read_handler;
        c->write->handler = ngx_http_ticketing_redis_write_handler;

        conn->connected = 1;

        if (conn->out_len > conn->out_sent) {
            ngx_post_event(c->write, &ngx_posted_events);
        }

        /* a reply may already be buffered by the TLS layer */
        ngx_post_event(c->read, &ngx_posted_events);

        if (conn->ready) {
            conn->ready(conn, NULL);
        }
        return;
    }

    conn->lost(conn, rc == NGX_DECLINED ? NULL : p->error);
}


/* closes, and gives every pending callback NULL */
static void
ngx_http_ticketing_redis_conn_drop(ngx_http_ticketing_redis_conn_t *conn)
{
    ngx_uint_t                      n;
    ngx_connection_t               *c;
    ngx_http_ticketing_redis_cb_t   cb;

    if (!conn->active) {
        return;
    }

    c = conn->peer.pc.connection;

    if (c) {
        if (c->read->posted) {
            ngx_delete_posted_event(c->read);
        }

        if (c->write->posted) {
            ngx_delete_posted_event(c->write);
        }
    }

    ngx_http_ticketing_peer_close(&conn->peer);

    conn->active = 0;
    conn->connected = 0;
    conn->generation++;
    conn->out_len = 0;
    conn->out_sent = 0;

    if (conn->reader) {
        redisReaderFree(conn->reader);
        conn->reader = NULL;
    }

    for (n = conn->pending; n; n--) {
        cb = conn->ring[conn->head];
        conn->head = (conn->head + 1) % NGX_HTTP_TICKETING_REDIS_RING;
        conn->pending--;

        if (cb.cmd) {
            ngx_free(cb.cmd);
        }

        if (cb.fn) {
            cb.fn(NULL, cb.data);
        }
    }
}


static ngx_int_t
ngx_http_ticketing_redis_conn_queue(ngx_http_ticketing_redis_conn_t *conn,
    ngx_http_ticketing_redis_handler_pt fn, void *data, int argc,
    const char **argv, const size_t *argvlen)
{
    char     *cmd;
    ssize_t   len;

    if (conn->pending >= NGX_HTTP_TICKETING_REDIS_RING) {
        return NGX_DECLINED;
    }

    len = ngx_http_ticketing_resp_command(&cmd, argc, argv, argvlen);
    if (len < 0) {
        return NGX_DECLINED;
    }

    return ngx_http_ticketing_redis_conn_append(conn, fn, data, cmd, len, 0);
}


/* a formatted command, freed here (or kept in the ring, for a cluster) */
static ngx_int_t
ngx_http_ticketing_redis_conn_append(ngx_http_ticketing_redis_conn_t *conn,
    ngx_http_ticketing_redis_handler_pt fn, void *data, char *cmd,
    size_t len, ngx_uint_t redirects)
{
    u_char      *out;
    size_t       size;
    ngx_uint_t   tail;

    if (conn->pending >= NGX_HTTP_TICKETING_REDIS_RING) {
        ngx_free(cmd);
        return NGX_DECLINED;
    }

    if (conn->out_len + len > conn->out_size) {
        size = ngx_max(conn->out_size * 2, conn->out_len + len);
        size = ngx_max(size, 4096);

        out = ngx_alloc(size, conn->peer.log);
        if (out == NULL) {
            ngx_free(cmd);
            return NGX_DECLINED;
        }

        if (conn->out) {
            ngx_memcpy(out, conn->out, conn->out_len);
            ngx_free(conn->out);
        }

        conn->out = out;
        conn->out_size = size;
    }

    ngx_memcpy(conn->out + conn->out_len, cmd, len);
    conn->out_len += len;

    if (!conn->keep) {
        ngx_free(cmd);
        cmd = NULL;
    }

    tail = (conn->head + conn->pending) % NGX_HTTP_TICKETING_REDIS_RING;
    conn->ring[tail].fn = fn;
    conn->ring[tail].data = data;
    conn->ring[tail].cmd = cmd;
    conn->ring[tail].len = len;
    conn->ring[tail].redirects = redirects;
    conn->pending++;

    if (conn->connected && !conn->peer.pc.connection->write->posted) {
        ngx_post_event(conn->peer.pc.connection->write, &ngx_posted_events);
    }

    return NGX_OK;
}


/* AUTH [username] password, if there is a password; never logged */
static void
ngx_http_ticketing_redis_conn_auth(ngx_http_ticketing_redis_conn_t *conn,
    ngx_str_t *username, ngx_str_t *password, char *what)
{
    int          argc;
    const char  *argv[3];
    size_t       argvlen[3];

    if (password->len == 0) {
        return;
    }

    argc = 0;
    argv[argc] = "AUTH";
    argvlen[argc++] = 4;

    if (username->len) {
        argv[argc] = (const char *) username->data;
        argvlen[argc++] = username->len;
    }

    argv[argc] = (const char *) password->data;
    argvlen[argc++] = password->len;

    (void) ngx_http_ticketing_redis_conn_queue(conn,
               ngx_http_ticketing_redis_setup_reply, what, argc, argv,
               argvlen);
}


static void
ngx_http_ticketing_redis_write_handler(ngx_event_t *wev)
{
    ssize_t                           n;
    ngx_connection_t                 *c = wev->data;
    ngx_http_ticketing_peer_t        *p = c->data;
    ngx_http_ticketing_redis_conn_t  *conn = p->data;

    while (conn->out_sent < conn->out_len) {
        n = c->send(c, conn->out + conn->out_sent,
                    conn->out_len - conn->out_sent);

        if (n == NGX_AGAIN) {
            if (ngx_handle_write_event(wev, 0) != NGX_OK) {
                conn->lost(conn, "cannot wait to write");
            }

            return;
        }

        if (n == NGX_ERROR) {
            conn->lost(conn, "write failed");
            return;
        }

        conn->out_sent += n;
    }

    conn->out_len = 0;
    conn->out_sent = 0;
}


static void
ngx_http_ticketing_redis_read_handler(ngx_event_t *rev)
{
    ssize_t                           n;
    ngx_uint_t                        i, gen;
    ngx_connection_t                 *c = rev->data;
    ngx_http_ticketing_peer_t        *p = c->data;
    ngx_http_ticketing_redis_conn_t  *conn = p->data;
    u_char                            buf[NGX_HTTP_TICKETING_REDIS_READ_SIZE];

    gen = conn->generation;

    for (i = 0; i < NGX_HTTP_TICKETING_REDIS_MAX_READS; i++) {

        n = c->recv(c, buf, sizeof(buf));

        if (n == NGX_AGAIN) {
            if (ngx_handle_read_event(rev, 0) != NGX_OK) {
                conn->lost(conn, "cannot wait to read");
            }

            return;
        }

        if (n == 0 || n == NGX_ERROR) {
            conn->lost(conn, n ? "read failed" : "closed by the server");
            return;
        }

        if (redisReaderFeed(conn->reader, (const char *) buf, n)
            != REDIS_OK)
        {
            conn->lost(conn, "out of memory");
            return;
        }

        /* a reply that would not fit any stored value: not waited for */
        if (conn->reader->len - conn->reader->pos
            > ngx_http_ticketing_redis.conf->max_reply)
        {
            conn->lost(conn, "a reply larger than the largest value");
            return;
        }

        if (ngx_http_ticketing_redis_dispatch(conn) != NGX_OK
            || conn->generation != gen)
        {
            return;
        }
    }

    /* more to read: go on after the other events */
    ngx_post_event(rev, &ngx_posted_events);
}


/* gives every complete reply to its callback */
static ngx_int_t
ngx_http_ticketing_redis_dispatch(ngx_http_ticketing_redis_conn_t *conn)
{
    void                           *reply;
    ngx_int_t                       rc;
    ngx_uint_t                      gen, reconnect;
    redisReply                     *r;
    ngx_http_ticketing_redis_cb_t   cb;
    ngx_http_ticketing_redis_t     *rd = &ngx_http_ticketing_redis;

    gen = conn->generation;

    for ( ;; ) {
        ngx_http_ticketing_redis_too_long = 0;

        if (redisReaderGetReply(conn->reader, &reply) != REDIS_OK) {
            conn->lost(conn, ngx_http_ticketing_redis_too_long
                             ? "an array of more than 1024 elements"
                             : conn->reader->errstr[0]
                             ? conn->reader->errstr : "a protocol error");
            return NGX_ERROR;
        }

        if (reply == NULL) {
            return NGX_OK;
        }

        r = reply;

        if (conn->pending == 0) {
            if (conn->push) {
                rd->depth++;
                conn->push(r, NULL);
                rd->depth--;

                freeReplyObject(reply);

                if (conn->generation != gen) {
                    return NGX_ERROR;
                }

                continue;
            }

            freeReplyObject(reply);
            conn->lost(conn, "a reply to no command");
            return NGX_ERROR;
        }

        cb = conn->ring[conn->head];
        conn->head = (conn->head + 1) % NGX_HTTP_TICKETING_REDIS_RING;
        conn->pending--;

        if (cb.cmd && r->type == REDIS_REPLY_ERROR
            && cb.redirects < NGX_HTTP_TICKETING_REDIS_MAX_REDIRECTS
            && (ngx_strncmp(r->str, "MOVED ", 6) == 0
                || ngx_strncmp(r->str, "ASK ", 4) == 0))
        {
            rd->depth++;
            rc = ngx_http_ticketing_redis_cluster_redirect(conn, &cb, r);
            rd->depth--;

            if (rc == NGX_OK) {
                freeReplyObject(reply);

                if (conn->generation != gen) {
                    return NGX_ERROR;
                }

                continue;
            }
        }

        if (cb.cmd) {
            ngx_free(cb.cmd);
        }

        /*
         * A demoted primary (READONLY) or a server still loading its data
         * (LOADING) will not get better on this connection.
         */
        reconnect = (conn == &rd->data || conn->keep)
                    && r->type == REDIS_REPLY_ERROR
                    && (ngx_strncmp(r->str, "READONLY", 8) == 0
                        || ngx_strncmp(r->str, "LOADING", 7) == 0
                        || (conn->keep
                            && ngx_strncmp(r->str, "CLUSTERDOWN", 11) == 0));

        if (cb.fn) {
            rd->depth++;
            cb.fn(r, cb.data);
            rd->depth--;
        }

        freeReplyObject(reply);

        if (conn->generation != gen) {
            return NGX_ERROR;
        }

        if (reconnect && conn->keep) {
            /* a cluster node demoted, loading or down: the map moved */
            ngx_http_ticketing_redis_cluster_refresh();
            continue;
        }

        if (reconnect) {
            ngx_http_ticketing_redis_drop("the server is read-only or "
                                          "loading");

            if (rd->conf->sentinels) {
                /* rediscovered; ROLE keeps a replica out */
                ngx_http_ticketing_redis_failure("read-only or loading");

            } else if (!rd->open) {
                /*
                 * The same address will say the same until a failover
                 * moves it (DNS, a proxy): ask again after fail_timeout,
                 * not on every miss (successful reads would otherwise
                 * keep resetting the backoff).
                 */
                rd->fails++;
                ngx_http_ticketing_metrics_inc(
                                            NGX_HTTP_TICKETING_M_REDIS_ERROR);
                ngx_http_ticketing_redis_open_circuit("read-only or "
                                                      "loading");
            }

            return NGX_ERROR;
        }
    }
}
