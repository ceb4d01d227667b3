# Redis Cluster: the slot map asked with CLUSTER SLOTS, MOVED and ASK
# followed, a purge sent to every primary, what a cluster cannot be given.
# The nodes here are fakes (a child process each, answering by a Perl sub)
# that redirect to the test's redis-server or to each other; a real
# six-node cluster, resharding and a failover are in tests/topology (make
# topology).
#
# In a block's http_config:
#   NODE_<kind>   the address of a fake node of %Nodes
#   PREFIX        a key prefix of the block's own
# Lookups wait up to 10 s (ticketing_cache_timeout): what a block checks
# in the log is there before the answer.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingAuth;
use TicketingRedis;

repeat_each(1);
no_shuffle();

*bulk = \&TicketingRedis::bulk;
*array = \&TicketingRedis::array;
*keyslot = \&TicketingRedis::keyslot;

sub int_reply { ":$_[0]\r\n" }

# CLUSTER SLOTS: [start, end, port] ranges, all on 127.0.0.1
sub slots {
    return array(map {
        my ($from, $to, $port) = @$_;
        array(int_reply($from), int_reply($to),
              array(bulk("127.0.0.1"), int_reply($port), bulk("id$port")))
    } @_);
}

# the key of a command (undef for none): its slot decides the node
sub key_of {
    my ($args) = @_;
    my $cmd = uc $args->[0];
    return undef if $cmd eq 'AUTH' || $cmd eq 'CLUSTER' || $cmd eq 'ASKING'
                    || $cmd eq 'EVAL';
    return $args->[1];
}

# a stored value: fresh for ever, "{"asked":true}"
my $Value = "v2 99999999999999 application/json\n\n{\"asked\":true}";

# a node that serves every slot itself and answers the commands with keys
# by $keyed->($args, $slot)
sub node_port {
    my ($keyed, $other) = @_;
    return TicketingRedis::fake_resp_port(sub {
        my ($args) = @_;
        my $cmd = uc $args->[0];
        return slots([0, 16383, $TicketingRedis::Port]) if $cmd eq 'CLUSTER';
        return $other->($args) if $other && !defined key_of($args);
        return "+OK\r\n" unless defined key_of($args);
        return $keyed->($args, keyslot(key_of($args)));
    });
}

# importing: answers GET with $Value only right after ASKING
sub importer_port {
    my $asking = 0;
    return TicketingRedis::fake_resp_port(sub {
        my ($args) = @_;
        my $cmd = uc $args->[0];
        if ($cmd eq 'ASKING') { $asking = 1; return "+OK\r\n" }
        my $was = $asking;
        $asking = 0;
        return $was ? bulk($Value) : "\$-1\r\n" if $cmd eq 'GET';
        return "-ERR no ASKING first\r\n" unless $was;
        return "+OK\r\n";
    });
}

# serves the slots up to 8191, names the next port for the others; the
# purge script counts $n keys on each
sub half_port {
    my ($n, $other_port) = @_;
    return TicketingRedis::fake_resp_port(sub {
        my ($args) = @_;
        my $cmd = uc $args->[0];
        return slots([0, 8191, $TicketingRedis::Port],
                     [8192, 16383, $other_port]) if $cmd eq 'CLUSTER';
        return int_reply($n) if $cmd eq 'EVAL';
        return "\$-1\r\n" if $cmd eq 'GET';
        return "+OK\r\n";
    });
}

my $Real = $ENV{TEST_NGINX_REDIS_PORT};

# the first map has it alone; every later one adds the next port's node
# for the upper half (a primary added to the cluster); the purge script
# counts 3 keys here, and $other counts its own
sub growing_port {
    my ($other_port) = @_;
    my $maps = 0;
    return TicketingRedis::fake_resp_port(sub {
        my ($args) = @_;
        my $cmd = uc $args->[0];
        if ($cmd eq 'CLUSTER') {
            return slots([0, 16383, $TicketingRedis::Port]) if $maps++ == 0;
            return slots([0, 8191, $TicketingRedis::Port],
                         [8192, 16383, $other_port]);
        }
        return int_reply(3) if $cmd eq 'EVAL';
        return "\$-1\r\n" if $cmd eq 'GET';
        return "+OK\r\n";
    });
}

# every slot; the purge script answers $count, whatever it is
sub counting_port {
    my ($count) = @_;
    return node_port(sub { "\$-1\r\n" },
                     sub { uc $_[0][0] eq 'EVAL' ? ":$count\r\n"
                                                 : "+OK\r\n" });
}

# a lookup waiting for another's fill: GET misses, the lock is held, the
# first poll meets a slot being migrated (TRYAGAIN), the next the fill
sub migrating_port {
    my $polls = 0;
    return node_port(sub {
        my ($args) = @_;
        my $cmd = uc $args->[0];
        return "\$-1\r\n" if $cmd eq 'GET' || $cmd eq 'SET';
        if ($cmd eq 'MGET') {
            return "-TRYAGAIN Multiple keys request during rehashing of "
                   . "slot\r\n" if $polls++ == 0;
            return array(bulk($Value), bulk("1"));
        }
        return "+OK\r\n";
    });
}

my %Nodes = (
    # every keyed command: MOVED to the real Redis
    mover => sub {
        node_port(sub { "-MOVED $_[1] 127.0.0.1:$Real\r\n" });
    },
    # MOVED to itself, for ever
    looper => sub {
        node_port(sub { "-MOVED $_[1] 127.0.0.1:$TicketingRedis::Port\r\n" });
    },
    # ASK to an importing node
    asker => sub {
        my $to = importer_port();
        node_port(sub { "-ASK $_[1] 127.0.0.1:$to\r\n" });
    },
    # MOVED to an address that is none; an empty host (the node's own)
    badmove => sub {
        node_port(sub { "-MOVED $_[1] 999.1.2.3:$Real\r\n" });
    },
    emptyhost => sub {
        node_port(sub { "-MOVED $_[1] :$Real\r\n" });
    },
    # a slot map of malformed ranges only; GET: nil
    badslots => sub {
        TicketingRedis::fake_resp_port(sub {
            my ($args) = @_;
            my $cmd = uc $args->[0];
            return "\$-1\r\n" if $cmd eq 'GET';
            return "+OK\r\n" unless $cmd eq 'CLUSTER';
            return array(
                array(int_reply(0), int_reply(99999),
                      array(bulk("127.0.0.1"), int_reply($Real))),
                array(bulk("0"), bulk("16383"),
                      array(bulk("127.0.0.1"), int_reply($Real))),
                array(int_reply(9), int_reply(1),
                      array(bulk("127.0.0.1"), int_reply($Real))),
                array(int_reply(0), int_reply(16383),
                      array(bulk("not-an-ip"), int_reply($Real))),
                array(int_reply(0), int_reply(16383),
                      array(bulk("127.0.0.1"), int_reply(70000))),
                array(int_reply(0), int_reply(16383)),
                bulk("junk"));
        });
    },
    # two primaries; the purge script deletes 3 keys on one, 4 on the other
    halves => sub {
        half_port(3, half_port(4, 1));
    },
    # a primary added after the first map
    growing => sub {
        growing_port(TicketingRedis::fake_resp_port(sub {
            uc $_[0][0] eq 'EVAL' ? int_reply(4) : "+OK\r\n";
        }));
    },
    # counts a purge cannot sum or believe
    huge => sub {
        half_port("9223372036854775807",
                  counting_port("9223372036854775807"));
    },
    negative => sub { counting_port("-5") },
    migrating => sub { migrating_port() },
    # every slot on a primary whose connect() hangs (a host that is down)
    tohole => sub {
        my $hole = TicketingRedis::blackhole_port();
        TicketingRedis::fake_resp_port(sub {
            my ($args) = @_;
            return slots([0, 16383, $hole]) if uc $args->[0] eq 'CLUSTER';
            return "+OK\r\n" unless defined key_of($args);
            return "-MOVED " . keyslot(key_of($args)) . " 127.0.0.1:$hole\r\n";
        });
    },
    # the second primary answers the script with an error
    halferr => sub {
        my $err = TicketingRedis::fake_resp_port(sub {
            uc $_[0][0] eq 'EVAL' ? "-ERR script killed\r\n" : "+OK\r\n";
        });
        half_port(3, $err);
    },
);

add_block_preprocessor(sub {
    TicketingRedis::gateway_block($_[0], 'rc', sub {
        my ($http) = @_;
        $http =~ s/NODE_(\w+)/"127.0.0.1:" . $Nodes{$1}->()/ge;
        $http =~ s/CLOSED_PORT/TicketingRedis::closed_port()/ge;
        return $http;
    });
});

sub main::purger {
    return TicketingAuth::bearer('--key', 't/data/rs256.key', '--alg',
        'RS256', '--claims', '{"permissions":["ticketing.cache.purge"]}');
}

run_tests();

__DATA__

=== TEST 1: MOVED followed: the real Redis stores and answers, MISS then HIT
--- http_config
    ticketing_redis NODE_mover cluster prefix=PREFIX;
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



=== TEST 1b: the slot map is loaded when the worker starts
--- http_config
    ticketing_redis NODE_mover cluster prefix=PREFIX;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- error_log eval
qr/ticketing cache: redis 127\.0\.0\.1:\d+: slot map loaded: 1 primaries/



=== TEST 2: ASK followed, with ASKING first: the importing node's value is a HIT
--- http_config
    ticketing_redis NODE_asker cluster prefix=PREFIX;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: HIT
--- response_body: {"asked":true}
--- no_error_log
[warn]
[error]



=== TEST 3: MOVED to itself for ever: given up after 5 redirections, BYPASS
--- http_config
    ticketing_redis NODE_looper cluster prefix=PREFIX max_fails=100;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
qr/lookup failed \(MOVED \d+ 127\.0\.0\.1:\d+\), bypass/
--- no_error_log
[error]



=== TEST 4: MOVED to an address that is none: the error, BYPASS
--- http_config
    ticketing_redis NODE_badmove cluster prefix=PREFIX max_fails=100;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
qr/lookup failed \(MOVED \d+ 999\.1\.2\.3:\d+\), bypass/
--- no_error_log
[error]



=== TEST 5: MOVED with an empty host: the node's own host
--- http_config
    ticketing_redis NODE_emptyhost cluster prefix=PREFIX;
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



=== TEST 6: a slot map of malformed ranges: each ignored, the configured node used
--- http_config
    ticketing_redis NODE_badslots cluster prefix=PREFIX;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/CLUSTER SLOTS: a slot range without a usable primary/
--- no_error_log
[error]
[alert]



=== TEST 7: a Redis without cluster support: said in the log, still used
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT cluster prefix=PREFIX;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log
[error]



=== TEST 7b: ... and what it said is logged
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT cluster prefix=PREFIX;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- error_log eval
qr/CLUSTER SLOTS failed: ERR This instance has cluster support disabled/



=== TEST 8: a purge reaches every primary: the counts are summed
(the first request's lookup, answered after the slot map, makes sure the
map is known when the purge comes)
--- http_config
    ticketing_redis NODE_halves cluster prefix=PREFIX;
    ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
--- config
    location = /cache {
        ticketing_cache_purge;
        ticketing_cache_timeout 10s;
    }
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/issueLinkType", "DELETE /cache"]
--- more_headers eval
"ticketing-provider: JAM\n" . main::purger()
--- error_code eval
[200, 200]
--- response_body_like eval
["", '^\{"purged":7\}$']
--- no_error_log
[warn]
[error]



=== TEST 9: a primary answering the purge with an error: 503, said in the log
--- http_config
    ticketing_redis NODE_halferr cluster prefix=PREFIX;
    ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
--- config
    location = /cache {
        ticketing_cache_purge;
        ticketing_cache_timeout 10s;
    }
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/issueLinkType", "DELETE /cache"]
--- more_headers eval
"ticketing-provider: JAM\n" . main::purger()
--- error_code eval
[200, 503]
--- response_body_like eval
["", '"detailMsg":"the cache purge failed"']
--- no_error_log
[error]



=== TEST 9b: a purge asks for the map first: a primary added since is purged too
--- http_config
    ticketing_redis NODE_growing cluster prefix=PREFIX;
    ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
--- config
    location = /cache {
        ticketing_cache_purge;
        ticketing_cache_timeout 10s;
    }
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/issueLinkType", "DELETE /cache"]
--- more_headers eval
"ticketing-provider: JAM\n" . main::purger()
--- error_code eval
[200, 200]
--- response_body_like eval
["", '^\\{"purged":7\\}$']
--- no_error_log
[warn]
[error]



=== TEST 9c: counts that overflow or are negative are not believed: 503
--- http_config
    ticketing_redis NODE_huge cluster prefix=PREFIX;
    ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
--- config
    location = /cache {
        ticketing_cache_purge;
        ticketing_cache_timeout 10s;
    }
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/issueLinkType", "DELETE /cache"]
--- more_headers eval
"ticketing-provider: JAM\n" . main::purger()
--- error_code eval
[200, 503]
--- no_error_log
[error]



=== TEST 9d: ... a negative one neither
--- http_config
    ticketing_redis NODE_negative cluster prefix=PREFIX;
    ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
--- config
    location = /cache {
        ticketing_cache_purge;
        ticketing_cache_timeout 10s;
    }
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/issueLinkType", "DELETE /cache"]
--- more_headers eval
"ticketing-provider: JAM\n" . main::purger()
--- error_code eval
[200, 503]
--- no_error_log
[error]



=== TEST 9e: a poll meeting a slot being migrated (TRYAGAIN) waits for the fill: HIT
--- http_config
    ticketing_redis NODE_migrating cluster prefix=PREFIX;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: HIT
--- response_body: {"asked":true}
--- no_error_log
[warn]
[error]



=== TEST 9f: several nodes to learn the map from: a dead first one is passed
--- http_config
    ticketing_redis 127.0.0.1:CLOSED_PORT NODE_mover cluster prefix=PREFIX;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: HIT"]
--- no_error_log
[error]



=== TEST 9g: several addresses without "cluster" are refused
--- http_config
    ticketing_redis 127.0.0.1:7000 127.0.0.1:7001;
--- must_die
--- error_log
several addresses are the nodes of a cluster: add "cluster"



=== TEST 10: cluster and sentinel:NAME exclude each other
--- http_config
    ticketing_redis sentinel:prod cluster;
    ticketing_redis_sentinel 127.0.0.1:26379;
--- must_die
--- error_log
"cluster" and "sentinel:NAME" exclude each other



=== TEST 11: a cluster has no db= but 0
--- http_config
    ticketing_redis 127.0.0.1:7000 cluster db=2;
--- must_die
--- error_log
a cluster has only database 0



=== TEST 12: a cluster is not reached over a unix socket
--- http_config
    ticketing_redis unix:/tmp/redis.sock cluster;
--- must_die
--- error_log
a cluster's nodes announce TCP addresses



=== TEST 13: a prefix with a brace would be the keys' hash tag
--- http_config
    ticketing_redis 127.0.0.1:7000 cluster "prefix=a{b}";
--- must_die
--- error_log
in a cluster, "prefix=" cannot hold "{" or "}"



=== TEST 14: TLS to a cluster given by an IP address needs the name to check
--- http_config
    ticketing_redis 127.0.0.1:7000 cluster;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
--- must_die
--- error_log
TLS to a cluster given by an IP address needs "ticketing_redis_ssl_name"



=== TEST 15: a primary's connection made again after it failed makes no lookup wait
# Its connect() hangs. The first lookup waits for the first connection
# until connect_timeout (a first connection takes commands); the next one
# starts the node's reconnection, a probe, and none of the lookups waits
# for it: they go upstream at once. When the metrics are read, right
# after, one connection timed out, not two (a lookup waiting for the probe
# would wait until it timed out).
--- http_config
    ticketing_redis NODE_tohole cluster prefix=PREFIX connect_timeout=2s;
    ticketing_metrics_zone ticketing;
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
[("GET /v2/ticket/metadata/types") x 6, "GET /metrics"]
--- more_headers eval
[("ticketing-provider: JAM") x 6, ""]
--- timeout: 10
--- error_code eval
[(200) x 7]
--- response_headers eval
[("X-Cache-Status: BYPASS") x 6, ""]
--- response_body_like eval
[("") x 6,
 qr/^ticketing_cache_requests_total\{status="BYPASS"\} 6\n.*^ticketing_redis_timeouts_total 1\n/ms]
--- block_error_log eval
[qr/redis cluster node 127\.0\.0\.1:\d+: connect failed: .*timed out/]
--- no_error_log
[error]
