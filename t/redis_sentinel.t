# Redis Sentinel: the primary asked of the sentinels in turn, checked with
# ROLE.  The sentinels here are fakes (a child process each, answering
# by a Perl sub), pointing at the test's redis-server or at a fake Redis;
# real sentinels and a real failover are in tests/topology (make
# topology).
#
# Sections of this file's own, in a block's http_config:
#   SENTINEL_<kind>   the address of a fake sentinel of %Sentinels
#   CLOSED_PORT       a port nobody listens on
#   PREFIX            a key prefix of the block's own
# Lookups wait up to 10 s (ticketing_cache_timeout): a discovery is over,
# and logged, before the answer.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingRedis;

repeat_each(1);
no_shuffle();

*bulk = \&TicketingRedis::bulk;
*array = \&TicketingRedis::array;

# a Redis that is a replica: ROLE says so, everything else is refused
sub replica_port {
    return TicketingRedis::fake_resp_port(sub {
        my ($args) = @_;
        return uc $args->[0] eq 'ROLE'
            ? array(bulk("slave"), bulk("127.0.0.1"), ":6379\r\n",
                    bulk("connected"), ":0\r\n")
            : "-READONLY You can't write against a read only replica.\r\n";
    });
}

# a sentinel naming $port (undef: it knows no such primary)
sub sentinel_port {
    my ($port, $want) = @_;
    return TicketingRedis::fake_resp_port(sub {
        my ($args) = @_;
        my $cmd = uc $args->[0];
        if ($cmd eq 'SENTINEL') {
            return "*-1\r\n" unless defined $port && $args->[2] eq $want;
            return array(bulk("127.0.0.1"), bulk($port));
        }
        if ($cmd eq 'AUTH') {
            return $args->[-1] eq 'sentinel-secret' ? "+OK\r\n"
                 : "-WRONGPASS invalid username-password pair\r\n";
        }
        return array(bulk("subscribe"), bulk($args->[1]), ":1\r\n")
            if $cmd eq 'SUBSCRIBE';
        return "-ERR unknown command\r\n";
    });
}

my %Sentinels = (
    good    => sub { sentinel_port($ENV{TEST_NGINX_REDIS_PORT}, 'prod') },
    unknown => sub { sentinel_port(undef) },
    replica => sub { sentinel_port(replica_port(), 'prod') },
    # accepts, reads, never answers
    frozen  => sub { TicketingRedis::fake_resp_port(sub { undef }) },
);

add_block_preprocessor(sub {
    TicketingRedis::gateway_block($_[0], 'rs', sub {
        my ($http) = @_;
        $http =~ s/CLOSED_PORT/TicketingRedis::closed_port()/ge;
        $http =~ s/SENTINEL_(\w+)/"127.0.0.1:" . $Sentinels{$1}->()/ge;
        return $http;
    });
});

run_tests();

__DATA__

=== TEST 1: the primary named by a sentinel: MISS then HIT
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX;
    ticketing_redis_sentinel SENTINEL_good;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log
[warn]
[error]



=== TEST 2: dead sentinels first: the next one is asked
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX;
    ticketing_redis_sentinel 127.0.0.1:CLOSED_PORT 127.0.0.1:CLOSED_PORT
                             SENTINEL_good;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: MISS
--- error_log eval
[qr/ticketing cache: redis sentinel:prod: sentinel 127\.0\.0\.1:\d+: connect\(\) to 127\.0\.0\.1:\d+ failed/,
 qr/ticketing cache: redis sentinel:prod: sentinel 127\.0\.0\.1:\d+ names the primary 127\.0\.0\.1:\d+/]



=== TEST 3: no sentinel knows the primary: logged, BYPASS, no hang
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX;
    ticketing_redis_sentinel SENTINEL_unknown;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/sentinel 127\.0\.0\.1:\d+: it does not know the primary/,
 qr/redis sentinel:prod: no sentinel named the primary/]



=== TEST 4: a sentinel naming a replica: ROLE refuses it, BYPASS
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX;
    ticketing_redis_sentinel SENTINEL_replica;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/redis sentinel:prod: 127\.0\.0\.1:\d+ is not a primary \(ROLE says slave\)/]



=== TEST 5: the sentinels' own password: sent, never logged
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX;
    ticketing_redis_sentinel SENTINEL_good password=sentinel-secret;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log
[warn]
sentinel-secret



=== TEST 6: a wrong sentinel password: refused, logged without it
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX;
    ticketing_redis_sentinel SENTINEL_good password=not-it-4711;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/the sentinel's AUTH failed: WRONGPASS/]
--- no_error_log
not-it-4711



=== TEST 7: sentinel:NAME without ticketing_redis_sentinel
--- http_config
    ticketing_redis sentinel:prod;
--- must_die
--- error_log
"ticketing_redis sentinel:NAME" and "ticketing_redis_sentinel" go together



=== TEST 8: TLS to a primary found by Sentinel needs the name to check
--- http_config
    ticketing_redis sentinel:prod;
    ticketing_redis_sentinel 127.0.0.1:26379;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
--- must_die
--- error_log
TLS to a primary found by Sentinel needs "ticketing_redis_ssl_name"



=== TEST 9: a sentinel that never answers, first: given up, the next is asked
The lookup (1 s) gives up first and opens the circuit (max_fails=1,
fail_timeout=0: half-open at once); the next discovery must not start at
the frozen sentinel again.  The wait in the middle lets the reconnection
backoff (100 ms) pass.
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX connect_timeout=5s
                    max_fails=1 fail_timeout=0;
    ticketing_redis_sentinel SENTINEL_frozen SENTINEL_good;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 1s;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /__mock/health",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
["ticketing-provider: JAM", "X-Mock-Delay-Ms: 300",
 "ticketing-provider: JAM", "ticketing-provider: JAM"]
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
["X-Cache-Status: BYPASS", "", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT"]
