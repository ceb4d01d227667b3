# Redis Sentinel: the primary asked of the sentinels in turn, checked with
# ROLE.  The sentinels here are fakes (a child process each, answering
# by a Perl sub), pointing at the test's redis-server or at a fake Redis;
# real sentinels and a real failover are in tests/topology (make
# topology).
#
# Sections of this file's own, in a block's http_config:
#   SENTINEL_<kind>   the address of a fake sentinel of %Sentinels
#   FAKE_<kind>       the address of a fake Redis of %Fakes
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
    # answers as "good", 400 ms late
    slow    => sub {
        my $port = $ENV{TEST_NGINX_REDIS_PORT};
        TicketingRedis::fake_resp_port(sub {
            my ($args) = @_;
            select(undef, undef, undef, 0.4);
            return uc $args->[0] eq 'SENTINEL'
                ? array(bulk("127.0.0.1"), bulk($port))
                : uc $args->[0] eq 'SUBSCRIBE'
                ? array(bulk("subscribe"), bulk($args->[1]), ":1\r\n")
                : "-ERR unknown command\r\n";
        });
    },
);

my %Fakes = (
    # a replica: reads work, writes are refused
    readonly => sub {
        TicketingRedis::fake_resp_port(sub {
            my ($args) = @_;
            my $cmd = uc $args->[0];
            return $cmd eq 'GET' ? "\$-1\r\n"
                 : $cmd eq 'SET'
                 ? "-READONLY You can't write against a read only replica.\r\n"
                 : "+OK\r\n";
        });
    },
    # AUTH answered 400 ms late; GET: nil, the rest: OK
    slowauth => sub {
        TicketingRedis::fake_resp_port(sub {
            my ($args) = @_;
            my $cmd = uc $args->[0];
            select(undef, undef, undef, 0.4) if $cmd eq 'AUTH';
            return $cmd eq 'GET' ? "\$-1\r\n" : "+OK\r\n";
        });
    },
    # an error reply with a line feed and an escape: a forged log line
    forger => sub {
        TicketingRedis::fake_resp_port(sub {
            "-ERR bad\n2026/12/06 00:00:00 [emerg] forged \e[31mred\r\n"
        });
    },
);

add_block_preprocessor(sub {
    TicketingRedis::gateway_block($_[0], 'rs', sub {
        my ($http) = @_;
        $http =~ s/CLOSED_PORT/TicketingRedis::closed_port()/ge;
        $http =~ s/SENTINEL_(\w+)/"127.0.0.1:" . $Sentinels{$1}->()/ge;
        $http =~ s/FAKE_(\w+)/"127.0.0.1:" . $Fakes{$1}->()/ge;
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



=== TEST 9: a sentinel that never answers, first: given up for the next
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX connect_timeout=500ms;
    ticketing_redis_sentinel SENTINEL_frozen SENTINEL_good;
--- request
GET /v2/ticket/metadata/types
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/redis sentinel:prod: sentinel 127\.0\.0\.1:\d+: timed out/



=== TEST 9b: a slow sentinel under lookups shorter than it: the setup completes
Lookups (200 ms) give up before the sentinel answers (400 ms); with
max_fails=1 the old client opened the circuit at the first and abandoned
the discovery, every time.  A lookup giving up while the connection is
being made is not a failure of Redis: the setup finishes, within its own
connect_timeout.  The wait in the middle lets it.
--- http_config
    ticketing_redis sentinel:prod prefix=PREFIX connect_timeout=2s
                    max_fails=1 fail_timeout=0;
    ticketing_redis_sentinel SENTINEL_slow;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 200ms;
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
["ticketing-provider: JAM", "X-Mock-Delay-Ms: 1000",
 "ticketing-provider: JAM", "ticketing-provider: JAM"]
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
["X-Cache-Status: BYPASS", "", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT"]



=== TEST 10: a server that stays a replica: no connection per miss (READONLY)
Every miss's fill lock gets READONLY: the connection is dropped, and the
next one waits for the backoff (100 ms, doubling) and the circuit, as after
any failure: 8 misses in a row make at most 6 connections (9 before: one
per miss; how many below that depends on the pace of the requests).
--- http_config
    ticketing_metrics_zone ticketing;
    ticketing_redis FAKE_readonly prefix=PREFIX;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_pass http://ticketing_api;
    }
    location = /metrics {
        ticketing_metrics;
    }
--- request eval
[("GET /v2/ticket/metadata/types") x 8, "GET /metrics"]
--- error_code eval
[(200) x 9]
--- response_body_like eval
[("") x 8, qr/^ticketing_redis_connects_total [1-6]\n/m]



=== TEST 11: a peer's text never forges a log line
--- http_config
    ticketing_redis FAKE_forger password=anything prefix=PREFIX;
--- request
GET /v2/ticket/metadata/types
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
qr/AUTH failed: ERR bad\?2026\/12\/06 00:00:00 \[emerg\] forged \?\[31mred/
--- no_error_log eval
[qr/^2026\/12\/06 00:00:00/m, "\e["]



=== TEST 12: a slow AUTH under lookups shorter than it: the setup completes
As TEST 9b, for the answers to AUTH (400 ms) on a connected server: the
lookups (200 ms) giving up meanwhile do not abandon it.
--- http_config
    ticketing_redis FAKE_slowauth password=anything prefix=PREFIX
                    connect_timeout=2s max_fails=1 fail_timeout=0;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 200ms;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /__mock/health",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
["ticketing-provider: JAM", "X-Mock-Delay-Ms: 1000",
 "ticketing-provider: JAM"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["X-Cache-Status: BYPASS", "", "X-Cache-Status: MISS"]
