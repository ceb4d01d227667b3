# The Redis cache of the metadata operations: MISS then HIT, isolation of
# keys, what is never cached, the size cap, fail-open when Redis is down,
# frozen or refuses us, replies above hiredis' 16 KB read size, a client
# that leaves during the lookup.
#
# Every block gets its own key prefix, so blocks never see each other's
# keys, on this run or an earlier one.  Sections of this file's own:
#   redis_addr    "closed" (a port nobody listens on), "frozen" (a socket
#                 that accepts and never answers), "blackhole" (a port
#                 where connect() hangs), a fake Redis of %Fakes below, or
#                 an address
#   redis_params  more parameters of "ticketing_redis"
#   cache_config  more directives in the gateway location
#   redis_seed    (eval) [[db, key, value, px], ...] SET before the block;
#                 "PREFIX" in a key is the block's prefix, "{TAG}" the
#                 hash tag the key's fields give (a "|lock" suffix aside)
#   http_extra    more directives after the generated http_config
# and "CLOSED_PORT" in a block's config is a port nobody listens on.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use HTTP::Tiny;
use lib "t/tools";
use TicketingLog qw(add_log_request);
use TicketingAuth;
use TicketingRedis;

sub main::token {
    return TicketingAuth::bearer("--key", "t/data/rs256.key", "--alg", "RS256",
                                 @_ ? ("--claims", $_[0]) : ());
}

repeat_each(1);
no_shuffle();

our @Keep;          # sockets that stay open while the blocks run
my $BlockNo = 0;

*closed_port = \&TicketingRedis::closed_port;
*blackhole_port = \&TicketingRedis::blackhole_port;
*fake_redis_port = \&TicketingRedis::fake_resp_port;
*bulk = \&TicketingRedis::bulk;

# a "Redis" that accepts connections (the kernel does) and never answers
sub frozen_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 128)
        or die "cannot bind: $!\n";
    push @Keep, $s;
    return $s->sockport;
}

my %Fakes = (
    # an array header promising 2^31 - 1 elements that never come
    'huge-array' => sub { "*2147483647\r\n" },
    # GET: a value of 300 KB, far above the locations' max_size (16k)
    'huge-value' => sub {
        my ($args) = @_;
        return uc $args->[0] eq 'GET'
            ? bulk("v2 9999999999999 application/json\n\n"
                   . '{"v":"' . ('x' x 300000) . '"}')
            : "+OK\r\n";
    },
    # GET: one big value
    big => sub {
        my ($args) = @_;
        return uc $args->[0] eq 'GET'
            ? bulk("v1 9999999999999 application/json\n"
                   . '{"big":"' . ('x' x 100000) . '"}')
            : "+OK\r\n";
    },
    # deaf to the first two commands, then GET: nil
    'deaf-then-nil' => sub {
        my ($args, $n) = @_;
        return undef if $n < 2;
        return uc $args->[0] eq 'GET' ? bulk(undef) : "+OK\r\n";
    },
    # the first two commands fail, then a hit: a hit means Redis was asked
    'errors-then-hit' => sub {
        my ($args, $n) = @_;
        return "-ERR injected failure\r\n" if $n < 2;
        return uc $args->[0] eq 'GET'
            ? bulk("v1 9999999999999 application/json\n"
                   . '{"from":"redis"}')
            : "+OK\r\n";
    },
    # another nginx holds the fill lock and fills the key a moment later
    'filled-by-another' => sub {
        my ($args, $n) = @_;
        return bulk(undef) if $n < 2;                 # GET nil, SET NX nil
        my $v = bulk("v1 9999999999999 application/json\n"
                     . '{"filled":"by another"}');
        return uc $args->[0] eq 'GET' ? $v
             : uc $args->[0] eq 'MGET' ? "*2\r\n$v" . bulk("1")
             : "+OK\r\n";
    },
);

END { unlink glob "/tmp/ticketing-cache-t-$$-*.sock" }

# commands to the test's redis-server, one RESP line back each
sub redis_cmds {
    my $s = IO::Socket::INET->new(
        PeerAddr => "127.0.0.1:$ENV{TEST_NGINX_REDIS_PORT}", Proto => 'tcp')
        or die "cannot reach redis: $!\n";
    my @replies;
    for my $cmd (@_) {
        print $s "*" . @$cmd . "\r\n"
                 . join('', map { '$' . length($_) . "\r\n$_\r\n" } @$cmd);
        my $line = <$s>;
        die "redis: $line" if !defined $line || $line =~ /^-/;
        push @replies, $line;
    }
    close $s;
    return @replies;
}

# what the mock answers itself, for byte-by-byte comparisons
sub main::mock_body {
    my ($path, $provider) = @_;
    my $res = HTTP::Tiny->new->get(
        "http://127.0.0.1:$ENV{TEST_NGINX_UPSTREAM_PORT}$path",
        { headers => { 'ticketing-provider' => $provider || 'JAM' } });
    die "mock: $res->{status}\n" unless $res->{success};
    return $res->{content};
}

add_block_preprocessor(sub {
    my $block = shift;

    $BlockNo++;
    my $prefix = "tc$$-" . time() . "-$BlockNo";

    my $addr = "127.0.0.1:$ENV{TEST_NGINX_REDIS_PORT}";
    my $want = $block->redis_addr;
    if (defined $want) {
        $want =~ s/^\s+|\s+$//g;
        $addr = $want eq 'closed' ? "127.0.0.1:" . closed_port()
              : $want eq 'frozen' ? "127.0.0.1:" . frozen_port()
              : $want eq 'blackhole' ? "127.0.0.1:" . blackhole_port()
              : $Fakes{$want} ? "127.0.0.1:" . fake_redis_port($Fakes{$want})
              : $want =~ /^unix-(.*)$/ && $Fakes{$1} ? do {
                    my $path = "/tmp/ticketing-cache-t-$$-$BlockNo.sock";
                    unlink $path;
                    fake_redis_port($Fakes{$1}, $path);
                    "unix:$path";
                }
              : $want;
    }
    my $params = $block->redis_params // '';
    $params =~ s/^\s+|\s+$//g;
    my $extra = $block->cache_config // '';
    # the first lookup may wait for the worker's connection to Redis: a
    # loaded machine must not turn it into a BYPASS (blocks about the
    # timeout set their own)
    $extra = "        ticketing_cache_timeout 2s;\n" . $extra
        unless $extra =~ /ticketing_cache_timeout/;

    if (!defined $block->http_config) {
        $block->set_value("http_config", <<_EOC_);
    upstream ticketing_api {
        server 127.0.0.1:\$TEST_NGINX_UPSTREAM_PORT;
        keepalive 4;
    }
    ticketing_redis $addr prefix=$prefix $params;
_EOC_
        $block->set_value("http_config",
                          $block->http_config . ($block->http_extra // ''));
    }

    if (!defined $block->config) {
        $block->set_value("config", <<_EOC_);
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        add_header X-Var "[\$ticketing_cache_status]" always;
$extra
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_
    }

    if (defined $block->config && $block->config =~ /CLOSED_PORT/) {
        my $port = closed_port();
        (my $config = $block->config) =~ s/CLOSED_PORT/$port/g;
        $block->set_value("config", $config);
    }

    my $seed = $block->redis_seed;
    if (defined $seed) {
        for my $s (@$seed) {
            my ($db, $key, $value, $px) = @$s;
            $key =~ s/PREFIX/$prefix/g;
            $key = TicketingRedis::tagged($key);
            redis_cmds(['SELECT', $db],
                       ['SET', $key, $value, 'PX', $px || '60000']);
        }
    }

    # authentication is the subject of t/jwt.t and t/permissions.t: off
    # here, except in blocks that set it in their own config.  Without it
    # there is no subject to key the metadata entries by (by default they
    # are per subject): shared here, except in blocks that say
    # "--- default_scopes" (TEST 31 on).
    my $scopes = defined $block->default_scopes ? "" : <<'_EOC_';
    ticketing_cache_scope metadata.createProperties shared;
    ticketing_cache_scope metadata.updateProperties shared;
    ticketing_cache_scope metadata.types shared;
_EOC_
    $block->set_value("http_config", "    ticketing_auth off;\n" . $scopes
                                     . ($block->http_config // ""));
    add_log_request($block);
});

run_tests();

__DATA__

=== TEST 1: MISS then HIT: the second answer never reaches the upstream
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
["!X-Cache-Status",
 "X-Cache-Status: MISS\nX-Var: [MISS]\nContent-Type: application/json\nContent-Length: 846",
 "X-Cache-Status: HIT\nX-Var: [HIT]\nContent-Type: application/json\nContent-Length: 846",
 "!X-Cache-Status"]
--- response_body eval
['{"reset": true}',
 main::mock_body("/v2/ticket/metadata/types"),
 main::mock_body("/v2/ticket/metadata/types"),
 '{"count": 1}']
--- no_error_log
[error]
[warn]



=== TEST 2: every cacheable operation: MISS, then HIT byte for byte
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/INST-7902/metadata/update/properties",
 "GET /v2/ticket/INST-7902/metadata/update/properties",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["",
 ("X-Cache-Status: MISS", "X-Cache-Status: HIT") x 5,
 ""]
--- response_body eval
['{"reset": true}',
 (main::mock_body("/v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia")) x 2,
 (main::mock_body("/v2/ticket/INST-7902/metadata/update/properties")) x 2,
 (main::mock_body("/v2/ticket/field/info?api_name=track")) x 2,
 (main::mock_body("/v2/issueLinkType")) x 2,
 (main::mock_body("/v2/issueLinkType/10000")) x 2,
 '{"count": 5}']
--- no_error_log
[error]
[warn]



=== TEST 3: query values, path parameters and provider make different keys; query order does not
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?ticketType=Incidencia&projectKey=INST",
 "GET /v2/ticket/metadata/create/properties?projectKey=MAS&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia&x=1",
 "GET /v2/ticket/metadata/create/properties?projectKey=IN%53T&ticketType=Incidencia",
 "GET /v2/ticket/INST-7902/metadata/update/properties",
 "GET /v2/ticket/MAS-1201/metadata/update/properties",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
[("ticketing-provider: JAM") x 9, "ticketing-provider: JCC", "ticketing-provider: JCC", ""]
--- response_headers eval
["",
 "X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: MISS",
 "X-Cache-Status: BYPASS", "X-Cache-Status: HIT",
 "X-Cache-Status: MISS", "X-Cache-Status: MISS",
 "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 ""]
--- response_body_like eval
['"reset"', ('.') x 10, '"count":\s*7\b']
--- no_error_log
[error]
[warn]



=== TEST 4: non-cacheable operations are never cached: ia.duration, ticket.get
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/INST-7902/ia/duration",
 "GET /v2/ticket/INST-7902/ia/duration",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200, 200, 200, 200, 200, 200]
--- response_headers eval
["", ("!X-Cache-Status\nX-Var: []") x 5, ""]
--- response_body_like eval
['"reset"', ('.') x 5, '"count":\s*5\b']
--- no_error_log
[error]
[warn]



=== TEST 5: non-200 answers are not stored
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/field/info?api_name=nosuchfield",
 "GET /v2/ticket/field/info?api_name=nosuchfield",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nX-Mock-Error: spring",
 "ticketing-provider: JAM\nX-Mock-Error: uniform\nX-Mock-Status: 409",
 "ticketing-provider: JAM", ""]
--- error_code eval
[200, 404, 404, 500, 409, 200, 200]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 5, ""]
--- response_body_like eval
['"reset"', ('.') x 5, '"count":\s*5\b']
--- no_error_log
[error]
[warn]



=== TEST 6: above ticketing_cache_max_size: not stored
--- cache_config
        ticketing_cache_max_size 800;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: MISS",
 "X-Cache-Status: MISS", "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('.') x 4, '"count":\s*3\b']
--- no_error_log
[error]
[warn]



=== TEST 6b: a 200 that is not JSON is not stored
--- cache_config
        proxy_hide_header Content-Type;
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', '.', '.', '"count":\s*2\b']
--- no_error_log
[error]
[warn]



=== TEST 7: Cache-Control: no-cache bypasses the lookup (and refreshes the entry)
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nCache-Control: no-cache",
 "ticketing-provider: JAM\nPragma: no-cache",
 "ticketing-provider: JAM", ""]
--- response_headers eval
["", "X-Cache-Status: MISS\nX-Var: [MISS]",
 "X-Cache-Status: BYPASS\nX-Var: [BYPASS]",
 "X-Cache-Status: BYPASS", "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('.') x 4, '"count":\s*3\b']
--- no_error_log
[error]
[warn]



=== TEST 7b: no-cache is a directive, not a substring; Pragma counts only without an understood Cache-Control (RFC 9111 5.4); a list is read up to where it stops parsing
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nCache-Control: max-age=5\nPragma: no-cache",
 "ticketing-provider: JAM\nCache-Control: a=\"no-cache\"",
 "ticketing-provider: JAM\nCache-Control: a=\"x, no-cache\", no-cachex",
 "ticketing-provider: JAM\nCache-Control: max-age=0 ,\tNo-Cache",
 "ticketing-provider: JAM\nCache-Control: a=\"\\\"\", no-cache",
 "ticketing-provider: JAM\nPragma: x, NO-CACHE",
 "ticketing-provider: JAM\nCache-Control: no-cache, a b",
 "ticketing-provider: JAM\nCache-Control: a b, no-cache",
 "ticketing-provider: JAM", ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: HIT",
 "X-Cache-Status: HIT", "X-Cache-Status: BYPASS", "X-Cache-Status: BYPASS",
 "X-Cache-Status: BYPASS", "X-Cache-Status: BYPASS",
 "X-Cache-Status: HIT", "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('.') x 10, '"count":\s*5\b']
--- no_error_log
[error]
[warn]



=== TEST 7c: several Cache-Control lines are one list (RFC 9110 5.3); Pragma counts when no Cache-Control is understood, and only as a bare no-cache
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nCache-Control: a=\"x\nCache-Control: \", no-cache",
 "ticketing-provider: JAM\nCache-Control: a b\nCache-Control: no-cache",
 "ticketing-provider: JAM\nCache-Control: a=\"x\nCache-Control: no-cache, b\"",
 "ticketing-provider: JAM\nCache-Control: max-age=5\nCache-Control: no-cache",
 "ticketing-provider: JAM\nCache-Control: a b\nPragma: no-cache",
 "ticketing-provider: JAM\nCache-Control: ,\nPragma: no-cache",
 "ticketing-provider: JAM\nPragma: no-cache=1, no-cache=\"\"",
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: BYPASS", "X-Cache-Status: HIT",
 "X-Cache-Status: HIT", "X-Cache-Status: BYPASS", "X-Cache-Status: BYPASS",
 "X-Cache-Status: BYPASS", "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('.') x 8, '"count":\s*5\b']
--- no_error_log
[error]
[warn]



=== TEST 7d: the client's no-store: its answer is not stored, a no-cache refresh with it replaces nothing (RFC 9111 5.2.1.5), even after an element that does not parse
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nCache-Control: NO-STORE",
 "ticketing-provider: JAM",
 "ticketing-provider: JAM",
 "ticketing-provider: JAM\nCache-Control: no-cache\nCache-Control: no-store\nX-Mock-Header: Content-Language: fr",
 "ticketing-provider: JAM\nCache-Control: no-store",
 "ticketing-provider: JAM",
 "ticketing-provider: JAM\nAccept-Language: es\nCache-Control: a b\nCache-Control: no-store\nX-Mock-Header: Content-Language: fr",
 "ticketing-provider: JAM\nAccept-Language: es",
 "ticketing-provider: JAM\nAccept-Language: es\nPragma: no-cache\nCache-Control: no-store x\nX-Mock-Header: Content-Language: fr",
 "ticketing-provider: JAM\nAccept-Language: es",
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS\n!Content-Language",
 "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: BYPASS\nContent-Language: fr",
 "X-Cache-Status: HIT\n!Content-Language",
 "X-Cache-Status: HIT\n!Content-Language",
 "X-Cache-Status: MISS\nContent-Language: fr",
 "X-Cache-Status: MISS\n!Content-Language",
 "X-Cache-Status: BYPASS\nContent-Language: fr",
 "X-Cache-Status: HIT\n!Content-Language", ""]
--- response_body_like eval
['"reset"', ('.') x 10, '"count":\s*6\b']
--- no_error_log
[error]
[warn]



=== TEST 8: ticketing_cache_client_bypass off: the client cannot bypass
--- cache_config
        ticketing_cache_client_bypass off;
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nCache-Control: no-cache",
 "ticketing-provider: JAM\nCache-Control: no-store\nX-Mock-Header: Content-Language: fr",
 "ticketing-provider: JAM", ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: HIT",
 "X-Cache-Status: HIT\n!Content-Language", ""]
--- response_body_like eval
['"reset"', ('.') x 4, '"count":\s*1\b']
--- no_error_log
[error]
[warn]



=== TEST 9: ticketing_cache_ttl: an entry expires; 0 turns an operation off
--- cache_config
        ticketing_cache_ttl issueLinkType.list 300ms;
        ticketing_cache_ttl metadata.types 0;
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /v2/issueLinkType",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nX-Mock-Delay-Ms: 500",
 "ticketing-provider: JAM", "ticketing-provider: JAM",
 "ticketing-provider: JAM", ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "!X-Cache-Status",
 "X-Cache-Status: MISS", "!X-Cache-Status", "!X-Cache-Status", ""]
--- response_body_like eval
['"reset"', ('.') x 6, '"count":\s*5\b']
--- no_error_log
[error]
[warn]



=== TEST 10: a value stored by another instance, in the selected database, above 16 KB
--- redis_params
db=5
--- redis_seed eval
[[5, "PREFIX|v4|{TAG}|3:JAM|0:|14:metadata.types|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v1 9999999999999 application/json;charset=UTF-8\n" . '{"big":"' . ('0123456789' x 4000) . '"}']]
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: HIT\nContent-Type: application/json;charset=UTF-8\nContent-Length: 40010",
 "X-Cache-Status: HIT", ""]
--- response_body eval
['{"reset": true}',
 '{"big":"' . ('0123456789' x 4000) . '"}',
 '{"big":"' . ('0123456789' x 4000) . '"}',
 '{"count": 0}']
--- no_error_log
[error]
[warn]



=== TEST 10b: a reply of 100 KB that arrives all at once is read to its end
--- redis_addr: big
--- cache_config
        ticketing_cache_timeout 500ms;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: HIT\nContent-Length: 100010",
 "X-Cache-Status: HIT", ""]
--- response_body eval
['{"reset": true}',
 '{"big":"' . ('x' x 100000) . '"}',
 '{"big":"' . ('x' x 100000) . '"}',
 '{"count": 0}']
--- no_error_log
[error]
[warn]



=== TEST 10c: Redis on a unix socket
--- redis_addr: unix-filled-by-another
--- cache_config
        ticketing_cache_lock_timeout 0;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', '"issuetypes"', '"count":\s*1\b']
--- block_error_log eval
[qr/ticketing cache: redis unix:\/tmp\/ticketing-cache-t-\d+-\d+\.sock: connected/]
--- no_error_log
[error]
[warn]



=== TEST 11: a malformed stored value is ignored (MISS, then replaced)
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:", "garbage"]]
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", ""]
--- response_body eval
['{"reset": true}',
 main::mock_body("/v2/issueLinkType"),
 main::mock_body("/v2/issueLinkType"),
 '{"count": 1}']
--- block_error_log
ticketing cache: malformed value of 7 bytes ignored
--- no_error_log
[error]



=== TEST 11a1: a stored value of another media type is not replayed (someone else wrote Redis)
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:", "v2 99999999999999 text/html\n\n<script>alert(1)</script>"]]
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
--- response_headers
X-Cache-Status: MISS
Content-Type: application/json
--- raw_response_headers_unlike eval
qr/Content-Type: text\/html/
--- error_log eval
qr/ticketing cache: malformed value of \d+ bytes ignored/
--- no_error_log
[error]



=== TEST 11a2: a stored language with a CR is not replayed: no header injected
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:", "v2 99999999999999 application/json\nen\rSet-Cookie: session=attacker\n{}"]]
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
--- response_headers
X-Cache-Status: MISS
Content-Type: application/json
--- raw_response_headers_unlike eval
qr/Set-Cookie|attacker/
--- error_log eval
qr/ticketing cache: malformed value of \d+ bytes ignored/
--- no_error_log
[error]



=== TEST 11a3: a stored type with control bytes is not replayed
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:", "v2 99999999999999 application/json\x00x\n\n{}"]]
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
--- response_headers
X-Cache-Status: MISS
Content-Type: application/json
--- raw_response_headers_unlike eval
qr/\x00|json\s*x/
--- error_log eval
qr/ticketing cache: malformed value of \d+ bytes ignored/
--- no_error_log
[error]



=== TEST 11a3b: a stored type or language with white space at an end is not replayed
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v3 99999999999999 1 application/json \n\n{}"],
 [0, "PREFIX|v4|{TAG}|3:JAM|0:|14:metadata.types|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v3 99999999999999 1 application/json\n\tes\n{}"]]
--- request eval
["GET /v2/issueLinkType", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["ticketing-provider: JAM", "ticketing-provider: JAM"]
--- response_headers eval
["X-Cache-Status: MISS\nContent-Type: application/json",
 "X-Cache-Status: MISS\nContent-Type: application/json"]
--- raw_response_headers_unlike eval
[qr/json \r|\tes/, qr/json \r|\tes/]
--- error_log eval
qr/ticketing cache: malformed value of \d+ bytes ignored/
--- no_error_log
[error]



=== TEST 11a3c: ... nor a language longer than a store takes
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v3 99999999999999 1 application/json\n" . ("a" x 257) . "\n{}"]]
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
--- response_headers
X-Cache-Status: MISS
--- raw_response_headers_unlike eval
qr/aaaa/
--- error_log eval
qr/ticketing cache: malformed value of \d+ bytes ignored/
--- no_error_log
[error]



=== TEST 11a4: a reply promising 2^31 elements: refused at once, BYPASS
--- redis_addr: huge-array
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
qr/ticketing cache: redis 127\.0\.0\.1:\d+: connection lost: an array of more than 1024 elements/
--- timeout: 5



=== TEST 11a5: a value larger than any location may store: not read, BYPASS
The largest ticketing_cache_max_size here is 16k: a reply beyond it and
64 KB of room is not buffered to its end.
--- redis_addr: huge-value
--- cache_config
        ticketing_cache_max_size 16k;
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
qr/ticketing cache: redis 127\.0\.0\.1:\d+: connection lost: a reply larger than the largest value/



=== TEST 11b: stale-if-error: an expired entry answers when the upstream fails
--- cache_config
        ticketing_cache_ttl metadata.types 300ms;
        ticketing_cache_stale_if_error 1m;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", ("ticketing-provider: JAM") x 2,
 "ticketing-provider: JAM\nX-Mock-Delay-Ms: 400",
 "ticketing-provider: JAM\nX-Mock-Error: spring",
 "ticketing-provider: JAM\nX-Mock-Error: html502",
 "ticketing-provider: JAM\nX-Mock-Error: empty503",
 "ticketing-provider: JAM\nX-Mock-Error: chunked",
 "ticketing-provider: JAM", "ticketing-provider: JAM", ""]
--- error_code eval
[(200) x 11]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "!X-Cache-Status",
 ("X-Cache-Status: STALE\nX-Var: [STALE]\nContent-Type: application/json\nContent-Length: 846\n!X-Mock-Operation") x 4,
 "X-Cache-Status: MISS", "X-Cache-Status: HIT", ""]
--- response_body eval
['{"reset": true}',
 (main::mock_body("/v2/ticket/metadata/types")) x 2,
 main::mock_body("/v2/ticket/INST-7902/ia/summary"),
 (main::mock_body("/v2/ticket/metadata/types")) x 6,
 '{"count": 7}']
--- block_error_log eval
[qr/ticketing cache: upstream answered 500, serving the stale entry/,
 qr/ticketing cache: upstream answered 502, serving the stale entry/,
 qr/ticketing cache: upstream answered 503, serving the stale entry/]
--- no_error_log
[error]
[warn]



=== TEST 11c: stale-if-error when the upstream cannot be reached (nginx's own 502)
--- config
    ticketing_cache_ttl metadata.types 300ms;
    ticketing_cache_stale_if_error 1m;
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        proxy_pass http://ticketing_api;
    }
    location /down/ {
        rewrite ^/down(/v2/.*)$ $1 break;
        ticketing_gateway on;
        ticketing_cache on;
        proxy_pass http://127.0.0.1:CLOSED_PORT;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /down/v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /down/v2/ticket/metadata/types",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /down/v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", ("ticketing-provider: JAM") x 3,
 "ticketing-provider: JAM\nX-Mock-Delay-Ms: 400",
 "ticketing-provider: JAM", ""]
--- error_code eval
[200, 502, 200, 200, 200, 200, 200]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "", "X-Cache-Status: STALE\nContent-Type: application/json", ""]
--- response_body_like eval
['"reset"',
 '^\{"code":"0029","status":"BAD_GATEWAY"',
 '^' . quotemeta(main::mock_body("/v2/ticket/metadata/types")) . '$',
 '^' . quotemeta(main::mock_body("/v2/ticket/metadata/types")) . '$',
 '.',
 '^' . quotemeta(main::mock_body("/v2/ticket/metadata/types")) . '$',
 '"count":\s*2\b']
--- block_error_log eval
[qr/ticketing cache: upstream answered 502, serving the stale entry/]



=== TEST 11d: without stale-if-error an expired entry is gone
--- cache_config
        ticketing_cache_ttl metadata.types 300ms;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nX-Mock-Delay-Ms: 400",
 "ticketing-provider: JAM\nX-Mock-Error: spring", ""]
--- error_code eval
[200, 200, 200, 500, 200]
--- response_headers eval
["", "X-Cache-Status: MISS", "", "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', '.', '.', '^\{"code":"0002","status":"UNEXPECTED"', '"count":\s*3\b']
--- no_error_log
[error]
[warn]



=== TEST 11e: coalescing: the filler takes the lock and releases it after the store
--- cache_config
        ticketing_cache_ttl metadata.types 300ms;
        ticketing_cache_lock_timeout 2s;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM",
 "ticketing-provider: JAM\nX-Mock-Delay-Ms: 400",
 "ticketing-provider: JAM", "ticketing-provider: JAM", ""]
--- timeout: 1
--- response_headers eval
["", "X-Cache-Status: MISS", "", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('.') x 4, '"count":\s*3\b']
--- block_error_log
ticketing cache: fill lock taken
--- no_error_log
[error]
[warn]
no fill after



=== TEST 11f: coalescing: another holds the lock and never fills: wait, then go upstream
--- cache_config
        ticketing_cache_lock_timeout 300ms;
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|14:metadata.types|0:|0:|0:|0:|q0|h|0:|0:|s|0:|lock", "1"]]
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', '"issuetypes"', '"issuetypes"', '"count":\s*1\b']
--- block_error_log
ticketing cache: no fill after 300 ms, going upstream
--- no_error_log
[error]
[warn]



=== TEST 11f2: coalescing: the lock goes away without a fill: the waiter goes upstream at once
--- skip_eval: 9: $ENV{TEST_NGINX_USE_VALGRIND}
--- cache_config
        ticketing_cache_lock_timeout 5s;
--- redis_seed eval
# set by the preprocessor, before nginx is (re)started: 2 s leave room for
# a slow restart (Test::Nginx's takes longer than ours) and still end well
# before the lock timeout and the request's
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|14:metadata.types|0:|0:|0:|0:|q0|h|0:|0:|s|0:|lock", "1", 2000]]
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- timeout: 3
--- response_headers eval
["", "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', '"issuetypes"', '"count":\s*1\b']
--- block_error_log
ticketing cache: lock released without a fill, going upstream
--- no_error_log
[error]
[warn]



=== TEST 11g: coalescing: another nginx holds the lock and fills: the waiter gets its fill
--- redis_addr: filled-by-another
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: HIT\nContent-Type: application/json", ""]
--- response_body eval
['{"reset": true}', '{"filled":"by another"}', '{"count": 0}']
--- block_error_log
ticketing cache: locked by another, waiting
--- no_error_log
[error]
[warn]



=== TEST 11h: ticketing_cache_lock_timeout 0: no lock, no waiting
--- cache_config
        ticketing_cache_lock_timeout 0;
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|14:metadata.types|0:|0:|0:|0:|q0|h|0:|0:|s|0:|lock", "1"]]
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', '"issuetypes"', '"issuetypes"', '"count":\s*1\b']
--- no_error_log
[error]
[warn]
no fill after
fill lock taken



=== TEST 12: Redis down (connection refused): BYPASS, answers from the upstream
--- redis_addr: closed
--- redis_params
max_fails=2 fail_timeout=10s
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- timeout: 1
--- error_code eval
[200, 200, 200, 200, 200]
--- response_headers eval
["", ("X-Cache-Status: BYPASS\nX-Var: [BYPASS]") x 3, ""]
--- response_body eval
['{"reset": true}',
 (main::mock_body("/v2/ticket/metadata/types")) x 3,
 '{"count": 3}']
--- no_error_log
[error]



=== TEST 12a: a refused connection is a failure of the circuit breaker (max_fails=1: it opens)
--- redis_addr: closed
--- redis_params
max_fails=1 fail_timeout=10s
--- request
GET /v2/ticket/metadata/types
--- more_headers
ticketing-provider: JAM
--- timeout: 1
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/ticketing cache: redis 127\.0\.0\.1:\d+: connect failed/,
 qr/ticketing cache: redis 127\.0\.0\.1:\d+ failed 1 times in a row .*circuit open for 10000 ms/]
--- no_error_log
[error]



=== TEST 12b: the circuit opens after max_fails failures: Redis is no longer asked
# Counted, not timed: the fake Redis fails the first two commands and
# answers every later GET with a hit, so a third request that asked Redis
# would be a HIT.  It is a BYPASS answered by the upstream: the circuit
# opened on the second failure.
--- redis_addr: errors-then-hit
--- redis_params
max_fails=2 fail_timeout=10s
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200, 200, 200, 200]
--- response_headers eval
["", ("X-Cache-Status: BYPASS") x 3, ""]
--- response_body_like eval
['"reset"', ('"issuetypes"') x 3, '"count":\s*3\b']
--- no_error_log
[error]



=== TEST 13: Redis frozen (accepts, never answers): BYPASS after the timeout, then the circuit opens
--- redis_addr: frozen
--- redis_params
max_fails=2 fail_timeout=10s
--- cache_config
        ticketing_cache_timeout 100ms;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- timeout: 1
--- response_headers eval
["", ("X-Cache-Status: BYPASS") x 4, ""]
--- response_body_like eval
['"reset"', ('"issuetypes"') x 4, '"count":\s*4\b']
--- block_error_log eval
["ticketing cache: lookup timed out, bypass",
 qr/failed 2 times in a row \(last: lookup timed out\): circuit open/]
--- no_error_log
[error]



=== TEST 13b: the circuit closes again by itself once Redis answers
# After fail_timeout the first lookup half-opens the circuit and starts the
# probe, a new connection, without waiting for it (BYPASS); the next one
# is sent on it and answered.
--- redis_addr: deaf-then-nil
--- redis_params
max_fails=2 fail_timeout=300ms
--- cache_config
        ticketing_cache_timeout 100ms;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", ("ticketing-provider: JAM") x 3,
 "ticketing-provider: JAM\nX-Mock-Delay-Ms: 400",
 ("ticketing-provider: JAM") x 2, ""]
--- timeout: 1
--- response_headers eval
["", ("X-Cache-Status: BYPASS") x 3, "!X-Cache-Status",
 "X-Cache-Status: BYPASS", "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', ('.') x 6, '"count":\s*6\b']
--- block_error_log eval
[qr/failed 2 times in a row \(last: lookup timed out\): circuit open for 300 ms/,
 qr/circuit half-open, trying again/]
--- no_error_log
[error]



=== TEST 13c: Redis down: at most max_fails connections for 20 requests, no lookup prepared
# Counted, not timed: the connection attempts back off (100 ms, doubling)
# until max_fails failures open the circuit for 10 s, so 20 requests make
# one or two, whatever their pace.  Meanwhile the requests do not build a
# key nor a command: they go upstream at once (the debug line of that).
--- redis_addr: closed
--- redis_params
max_fails=2 fail_timeout=10s
--- http_extra
    ticketing_metrics_zone ticketing;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location = /metrics {
        ticketing_metrics;
    }
--- request eval
[("GET /v2/ticket/metadata/types") x 20, "GET /metrics"]
--- more_headers eval
[("ticketing-provider: JAM") x 19,
 "ticketing-provider: JAM\nCache-Control: no-cache", ""]
--- error_code eval
[(200) x 21]
--- response_headers eval
[("X-Cache-Status: BYPASS") x 20, ""]
--- response_body_like eval
[('"issuetypes"') x 20,
 qr/^ticketing_cache_requests_total\{status="BYPASS"\} 20\n.*^ticketing_redis_errors_total [12]\n.*^ticketing_redis_connects_total [12]\n/ms]
--- block_error_log
ticketing cache: redis not available, bypass
--- no_error_log
[error]



=== TEST 13d: a reconnection being made after a failure makes no request wait
# Redis' port drops connections (connect() hangs, as with a host that is
# down).  The worker's first connection times out (connect_timeout=3s)
# during the first request, and the circuit opens for 100 ms.  Then the
# first lookup half-opens it and starts the probe, a new connection, and
# none of the lookups waits for it: all go upstream at once.  When the
# metrics are read, right after, one connection timed out, not two (the
# probe hangs 3 s; a lookup waiting for it would wait that long).
--- redis_addr: blackhole
--- redis_params
max_fails=1 fail_timeout=100ms connect_timeout=3s
--- http_extra
    ticketing_metrics_zone ticketing;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location = /metrics {
        ticketing_metrics;
    }
--- request eval
["GET /v2/ticket/INST-7902/ia/summary",
 ("GET /v2/ticket/metadata/types") x 5, "GET /metrics"]
--- more_headers eval
["ticketing-provider: JAM\nX-Mock-Delay-Ms: 3500",
 ("ticketing-provider: JAM") x 5, ""]
--- timeout: 10
--- error_code eval
[(200) x 7]
--- response_headers eval
["!X-Cache-Status", ("X-Cache-Status: BYPASS") x 5, ""]
--- response_body_like eval
[("") x 6,
 qr/^ticketing_cache_requests_total\{status="BYPASS"\} 5\n.*^ticketing_redis_timeouts_total 1\n.*^ticketing_redis_connects_total 2\n/ms]
--- block_error_log eval
[qr/redis 127\.0\.0\.1:\d+: connect failed: connecting to .* timed out/,
 qr/circuit half-open, trying again/]
--- no_error_log
[error]



=== TEST 14: Redis refuses our AUTH: BYPASS
--- redis_params
password=not-the-password
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", "X-Cache-Status: BYPASS", "X-Cache-Status: BYPASS", ""]
--- response_body_like eval
['"reset"', '"issuetypes"', '"issuetypes"', '"count":\s*2\b']
--- block_error_log eval
[qr/ticketing cache: redis 127\.0\.0\.1:\d+: AUTH failed: /]
--- no_error_log eval
["[error]", "not-the-password"]



=== TEST 15: a client that leaves during the lookup: the request is finished, nothing crashes
--- redis_addr: frozen
--- cache_config
        ticketing_cache_timeout 3s;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 3s;
        proxy_pass http://ticketing_api;
    }
    location /impatient/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/v2/;
        proxy_set_header ticketing-provider JAM;
        proxy_read_timeout 200ms;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /impatient/ticket/metadata/types",
 "GET /__mock/count"]
--- timeout: 2
--- error_code eval
[200, 504, 200]
--- response_body_like eval
['"reset"', '.', '"count":\s*0\b']
--- block_error_log eval
["client prematurely closed connection"]



=== TEST 16: configuration errors name the directive
--- http_config
    ticketing_redis 127.0.0.1:6379/0;
--- config
--- must_die
--- error_log eval
[qr/invalid address "127.0.0.1:6379\/0" in "ticketing_redis" directive: invalid host/]



=== TEST 17: ticketing_cache on without ticketing_redis
--- http_config
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
    }
--- must_die
--- error_log eval
[qr/"ticketing_cache on" needs a "ticketing_redis" directive/]



=== TEST 18: ticketing_cache_ttl refuses an operation that is not cacheable
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_ttl ia.duration 1m;
    }
--- must_die
--- error_log eval
[qr/operation "ia.duration" is not cacheable in "ticketing_cache_ttl" directive/]



=== TEST 19: a wrong password parameter is never echoed
--- http_config
    ticketing_redis 127.0.0.1:1 password=;
--- config
--- must_die
--- error_log eval
[qr/invalid parameter "password=" in "ticketing_redis" directive/]



=== TEST 20: purge: by provider and operation, by provider, one entry, everything
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        proxy_pass http://ticketing_api;
    }
    location = /cache {
        allow 127.0.0.1;
        deny all;
        ticketing_cache_purge;
        ticketing_cache_timeout 2s;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/ticket/field/info?jira_label=Huella",
 "DELETE /cache?provider=jam&operation=metadata.types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "DELETE /cache?provider=JAM&uri=%2Fv2%2Fticket%2Ffield%2Finfo%3Fapi_name%3Dtrack",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/ticket/field/info?jira_label=Huella",
 "DELETE /cache?provider=JCC",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "DELETE /cache",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM", "ticketing-provider: JCC",
 ("ticketing-provider: JAM") x 3, "",
 "ticketing-provider: JAM", "ticketing-provider: JCC",
 "ticketing-provider: JAM", "",
 ("ticketing-provider: JAM") x 2, "",
 "ticketing-provider: JCC", "ticketing-provider: JAM", "",
 "ticketing-provider: JAM", ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 5, "Content-Type: application/json\n!X-Cache-Status",
 "X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: HIT",
 "",
 "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "",
 "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "",
 "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', ('.') x 5, '^\{"purged":1\}$',
 ('.') x 3, '^\{"purged":1\}$',
 ('.') x 2, '^\{"purged":1\}$',
 ('.') x 2, '^\{"purged":5\}$',
 '.', '"count":\s*9\b']
--- block_error_log eval
[qr/ticketing cache: purge "tc\d+-\d+-\d+\|v4\|\{\*\}\|3:JAM\|\*\|14:metadata\.types\|\*"/]
--- no_error_log
[error]
[warn]


=== TEST 20b: purge names entries as requests do: aliases, a declared name's case, org by the routing rule
--- http_extra
    ticketing_provider JNext "Jira Next";
    ticketing_provider JAM "Jira Amarillo";
    ticketing_org yoigo upstream=ticketing_api;
    ticketing_org masmovil upstream=ticketing_api;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_org_header x-org;
        # the mock knows JAM only
        proxy_set_header ticketing-provider JAM;
        proxy_pass http://ticketing_api;
    }
    location = /cache {
        allow 127.0.0.1;
        deny all;
        ticketing_cache_purge;
        ticketing_cache_timeout 2s;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "DELETE /cache?provider=JNext",
 "DELETE /cache?provider=Jira%20Amarillo&org=YOIGO&uri=%2Fv2%2FissueLinkType",
 "DELETE /cache?provider=jam&org=MasMovil&operation=issueLinkType.list",
 "DELETE /cache?provider=JIRA",
 "DELETE /cache?org=nobody",
 "DELETE /cache?org=a%2Fb",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: jira next\nx-org: YOIGO",
 "ticketing-provider: jam\nx-org: yoigo",
 "ticketing-provider: JAM\nx-org: masmovil",
 ("") x 6,
 "ticketing-provider: JNEXT\nx-org: Yoigo",
 "ticketing-provider: Jira Amarillo\nx-org: MASMOVIL",
 ""]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200, 400, 400, 400, 200, 200, 200]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 3, ("") x 6,
 ("X-Cache-Status: MISS") x 2, ""]
--- response_body_like eval
['"reset"', ('.') x 3,
 ('^\{"purged":1\}$') x 3,
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"provider is not a ticketing-provider of the gateway"\}$',
 ('^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"org is not an organization of the gateway"\}$') x 2,
 ('.') x 2, '"count":\s*5\b']
--- no_error_log
[error]



=== TEST 20c: purge of one uri= removes every variant of it (languages, Accept, scopes)
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        proxy_pass http://ticketing_api;
    }
    location = /cache {
        allow 127.0.0.1;
        deny all;
        ticketing_cache_purge;
        ticketing_cache_timeout 2s;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=MAS&ticketType=Incidencia",
 "DELETE /cache?provider=JAM&uri=%2Fv2%2Fticket%2Fmetadata%2Fcreate%2Fproperties%3FticketType%3DIncidencia%26projectKey%3DINST",
 "DELETE /cache?provider=JAM&uri=%2Fv2%2FissueLinkType%3Fjunk%3D1",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=MAS&ticketType=Incidencia",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nAccept-Language: es",
 "ticketing-provider: JAM\nAccept-Language: en",
 "ticketing-provider: JAM",
 "ticketing-provider: JAM\nAccept-Language: es",
 "", "",
 "ticketing-provider: JAM\nAccept-Language: en",
 "ticketing-provider: JAM\nAccept-Language: es",
 ""]
--- error_code eval
[200, 200, 200, 200, 200, 200, 400, 200, 200, 200]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 4, "", "", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', '"Resumen"', '"Summary"', '"Resumen"', '"Resumen"',
 '^\{"purged":3\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"uri has a query that is not cached"\}$',
 '"Summary"', '"Resumen"', '"count":\s*5\b']
--- no_error_log
[error]




=== TEST 21: purge: the method, a bad operation, a bad uri, Redis down
--- redis_addr: closed
--- config
    location = /cache {
        ticketing_cache_purge;
    }
--- request eval
["GET /cache",
 "DELETE /cache?operation=ia.duration",
 "DELETE /cache?operation=nope",
 "DELETE /cache?uri=%2Fv2%2Forgs%2Fyoigo%2Fticket%2F1",
 "DELETE /cache?provider=JAM"]
--- error_code eval
[405, 400, 400, 400, 503]
--- response_headers eval
["Allow: DELETE\nContent-Type: application/json", "", "", "", ""]
--- response_body_like eval
['^\{"code":"0017","status":"METHOD_NOT_ALLOWED","message":"Method Not Allowed","detailMsg":"a purge is a DELETE"\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"operation is not a cacheable operation"\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"operation is not a cacheable operation"\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"uri is not a cacheable operation"\}$',
 qr/^\{"code":"0030","status":"SERVICE_UNAVAILABLE","message":"Service Unavailable","detailMsg":"the cache (purge failed|is not reachable)"\}$/]
--- no_error_log
[error]



=== TEST 22: ticketing_cache_purge without ticketing_redis
--- http_config
--- config
    location = /cache {
        ticketing_cache_purge;
    }
--- must_die
--- error_log eval
[qr/"ticketing_cache_purge" needs a "ticketing_redis" directive/]



=== TEST 23: auth runs before the lookup: a cached answer never reaches a refused request
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_cache on;
        # about auth, not timeouts: a slow (valgrind) run must not BYPASS
        ticketing_cache_timeout 5s;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\n" . main::token(),
 "ticketing-provider: JAM\n" . main::token(),
 "ticketing-provider: JAM",
 "ticketing-provider: JAM\n" . main::token('{"permissions":["ticketing.ticket.get"]}'),
 ""]
--- error_code eval
[200, 200, 200, 401, 403, 200]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "", "", ""]
--- response_body_like eval
['reset', '"issuetypes"', '"issuetypes"', '^\{"code":"0003","status":"UNAUTHORIZED"', '^\{"code":"0016","status":"FORBIDDEN","message":"Forbidden","detailMsg":"token lacks permission ticketing.metadata.read"\}$', '"count":\s*1\b']
--- no_error_log
[error]



=== TEST 24: provider aliases share entries: "jam" is JAM once normalized
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM", "ticketing-provider: jira amarillo", "ticketing-provider: JCC", ""]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: MISS", ""]
--- response_body_like eval
['reset', '"issuetypes"', '"issuetypes"', '"issuetypes"', '"count":\s*2\b']
--- no_error_log
[error]



=== TEST 25: the upstream's Cache-Control no-store, private, no-cache, max-age=0 keep the answer out
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nX-Mock-Cache-Control: no-store",
 "ticketing-provider: JAM\nX-Mock-Cache-Control: public, PRIVATE",
 "ticketing-provider: JAM\nX-Mock-Cache-Control: private=\"x-a, x-b\", max-age=60",
 "ticketing-provider: JAM\nX-Mock-Cache-Control: no-cache=\"Set-Cookie\"",
 "ticketing-provider: JAM\nX-Mock-Cache-Control: public, max-age=0",
 "ticketing-provider: JAM\nX-Mock-Cache-Control: public, max-age=600",
 "ticketing-provider: JAM",
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 6, "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 7, '"count":\s*6\b']
--- no_error_log
[error]
[warn]



=== TEST 26: s-maxage caps the TTL and wins over max-age
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
X-Mock-Cache-Control: max-age=600, s-maxage=2
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/ticketing cache: store "[^"]+\|18:issueLinkType\.list\|[^"]*", \d+ bytes, fresh for 2000 ms/
--- no_error_log
[error]



=== TEST 26b: max-age caps the TTL
--- request
GET /v2/issueLinkType/10000
--- more_headers
ticketing-provider: JAM
X-Mock-Cache-Control: public, max-age=5
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/ticketing cache: store "[^"]+", \d+ bytes, fresh for 5000 ms/
--- no_error_log
[error]



=== TEST 26c: a longer max-age does not lengthen ticketing_cache_ttl
--- cache_config
        ticketing_cache_ttl issueLinkType.list 30s;
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
X-Mock-Cache-Control: max-age=86400
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/ticketing cache: store "[^"]+", \d+ bytes, fresh for 30000 ms/
--- no_error_log
[error]



=== TEST 27: Vary: a header the key does not hold, or *, keeps the answer out; headers it holds do not
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nX-Mock-Vary: Accept, X-Tenant",
 "ticketing-provider: JAM\nX-Mock-Vary: *",
 "ticketing-provider: JAM\nX-Mock-Vary: Authorization",
 "ticketing-provider: JAM\nX-Mock-Vary: Accept-Encoding, Ticketing-Provider,accept-language",
 "ticketing-provider: JAM",
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 4, "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 5, '"count":\s*4\b']
--- no_error_log
[error]
[warn]



=== TEST 28: Accept-Language and Accept are in the key: an answer cached for en never reaches es
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nAccept-Language: en",
 "ticketing-provider: JAM\nAccept-Language: es",
 "ticketing-provider: JAM\nAccept-Language:  EN ",
 "ticketing-provider: JAM\nAccept-Language: es",
 "ticketing-provider: JAM",
 "ticketing-provider: JAM\nAccept-Language: en\nAccept: application/json",
 "ticketing-provider: JAM\nAccept-Language: en\nAccept: Application/JSON",
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: HIT", "X-Cache-Status: MISS", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', '"Summary"', '"Resumen"', '"Summary"', '"Resumen"', '"Resumen"',
 '"Summary"', '"Summary"', '"count":\s*4\b']
--- no_error_log
[error]
[warn]



=== TEST 29: query parameters the operation does not define: BYPASS, never stored
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType?junk=1",
 "GET /v2/issueLinkType?junk=1",
 "GET /v2/ticket/field/info?api_name=track&x=1",
 "GET /v2/ticket/field/info?api_name=track&Api_Name=x",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/ticket/field/info?api%5Fname=track",
 "GET /v2/issueLinkType?junk=2",
 "GET /__mock/count"]
--- more_headers eval
["", ("ticketing-provider: JAM") x 6,
 "ticketing-provider: JAM\nCache-Control: no-cache", ""]
--- response_headers eval
["", ("X-Cache-Status: BYPASS\nX-Var: [BYPASS]") x 4, "X-Cache-Status: MISS",
 "X-Cache-Status: HIT", "X-Cache-Status: BYPASS", ""]
--- response_body_like eval
['"reset"', '"Blocks"', '"Blocks"', '"Huella"', '.', '"Huella"', '"Huella"',
 '"Blocks"', '"count":\s*6\b']
--- no_error_log
[error]
[warn]



=== TEST 30: a client's no-cache refresh cannot change what another client of the key receives
# B asks in Spanish; A refreshes with its own request headers (English, an
# answer the upstream marks private or varying on another header, a junk
# parameter): B still gets its Spanish entry, from the cache.
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia&x=en",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nAccept-Language: es",
 "ticketing-provider: JAM\nAccept-Language: en\nCache-Control: no-cache",
 "ticketing-provider: JAM\nAccept-Language: es",
 "ticketing-provider: JAM\nAccept-Language: es\nCache-Control: no-cache\nX-Mock-Cache-Control: private",
 "ticketing-provider: JAM\nAccept-Language: es\nCache-Control: no-cache\nX-Mock-Vary: X-Client",
 "ticketing-provider: JAM\nAccept-Language: es\nCache-Control: no-cache",
 "ticketing-provider: JAM\nAccept-Language: es",
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: BYPASS", "X-Cache-Status: HIT",
 ("X-Cache-Status: BYPASS") x 3, "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', '"Resumen"', '"Summary"', '"Resumen"', ('"Resumen"') x 3,
 '"Resumen"', '"count":\s*5\b']
--- no_error_log
[error]
[warn]



=== TEST 31: default scopes without authentication: per-subject operations are not cached, shared ones are
--- default_scopes
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/INST-7902/metadata/update/properties",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- response_headers eval
["", ("X-Cache-Status: BYPASS") x 4, ("X-Cache-Status: MISS",
 "X-Cache-Status: HIT") x 2, ""]
--- response_body_like eval
['"reset"', ('.') x 8, '"count":\s*6\b']
--- no_error_log
[error]
[warn]



=== TEST 32: per-subject entries: alice never gets bob's metadata; Vary: Authorization is held
--- default_scopes
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_cache on;
        ticketing_cache_timeout 5s;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nX-Mock-Vary: Authorization\n" . main::token(),
 "ticketing-provider: JAM\n" . main::token(),
 "ticketing-provider: JAM\n" . main::token('{"sub":"bob"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"bob"}'),
 "ticketing-provider: JAM\nX-Mock-Vary: Authorization\n" . main::token(),
 "ticketing-provider: JAM\n" . main::token('{"sub":"bob"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"carol"}'),
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT", "X-Cache-Status: MISS", "X-Cache-Status: MISS",
 "X-Cache-Status: MISS", ""]
--- response_body_like eval
['reset', ('"issuetypes"') x 4, '"Blocks"', '"Blocks"', '"issuetypes"',
 '"count":\s*5\b']
--- no_error_log
[error]



=== TEST 33: ticketing_cache_scope claim=NAME: one entry per value of the claim; none without it
--- default_scopes
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_cache on;
        ticketing_cache_timeout 5s;
        ticketing_cache_scope metadata.types claim=team;
        ticketing_cache_scope issueLinkType.list subject;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\n" . main::token('{"team":"ops"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"bob","team":"ops"}'),
 "ticketing-provider: JAM\n" . main::token('{"team":7}'),
 "ticketing-provider: JAM\n" . main::token('{"team":["ops"]}'),
 "ticketing-provider: JAM\n" . main::token(),
 "ticketing-provider: JAM\n" . main::token(),
 "ticketing-provider: JAM\n" . main::token('{"sub":"bob"}'),
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "X-Cache-Status: MISS",
 "X-Cache-Status: BYPASS", "X-Cache-Status: BYPASS", "X-Cache-Status: MISS",
 "X-Cache-Status: MISS", ""]
--- response_body_like eval
['reset', ('"issuetypes"') x 5, ('"Blocks"') x 2, '"count":\s*6\b']
--- no_error_log
[error]



=== TEST 33b: a claim or a subject as a string, a number, a boolean: other values, other entries
--- default_scopes
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_cache on;
        ticketing_cache_timeout 5s;
        ticketing_cache_scope metadata.types claim=tenant;
        ticketing_cache_scope issueLinkType.list subject;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType"]
--- more_headers eval
["ticketing-provider: JAM\n" . main::token('{"sub":"a","tenant":"1"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"b","tenant":1}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"c","tenant":1}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"1"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":1}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":1}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"true"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":true}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":true}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":false}')]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: MISS"]
--- no_error_log
[error]



=== TEST 33c: a subject or a claim is one within its issuer: two issuers, two entries
--- default_scopes
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_cache on;
        ticketing_cache_timeout 5s;
        ticketing_cache_scope metadata.types claim=tenant;
        ticketing_cache_scope issueLinkType.list subject;
        proxy_pass http://ticketing_api;
    }
--- request eval
[("GET /v2/issueLinkType") x 7, ("GET /v2/ticket/metadata/types") x 4]
--- more_headers eval
["ticketing-provider: JAM\n" . main::token('{"sub":"al"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"al","iss":"https://a.example"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"al","iss":"https://b.example"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"al","iss":"https://b.example","x":1}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"al","iss":"x|sub:al"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"al","iss":1}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"al","iss":""}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"a","tenant":"t","iss":"https://a.example"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"b","tenant":"t","iss":"https://b.example"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"c","tenant":"t","iss":"https://b.example"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"d","tenant":"t"}')]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT", "X-Cache-Status: MISS", "X-Cache-Status: BYPASS",
 "X-Cache-Status: BYPASS",
 "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: MISS"]
--- no_error_log
[error]



=== TEST 33d: entries are bound to the key that verified the token, whatever iss it claims
--- default_scopes
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/es256.pub;
        ticketing_cache on;
        ticketing_cache_timeout 5s;
        ticketing_cache_scope metadata.types claim=tenant;
        ticketing_cache_scope issueLinkType.list subject;
        proxy_pass http://ticketing_api;
    }
--- request eval
[("GET /v2/issueLinkType") x 5, ("GET /v2/ticket/metadata/types") x 3]
--- more_headers eval
["ticketing-provider: JAM\n" . main::token('{"sub":"kb","iss":"https://a.example"}'),
 "ticketing-provider: JAM\n" . TicketingAuth::bearer("--key", "t/data/es256.key", "--alg", "ES256", "--claims", '{"sub":"kb","iss":"https://a.example"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"kb","iss":"https://a.example","x":1}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"kc"}'),
 "ticketing-provider: JAM\n" . TicketingAuth::bearer("--key", "t/data/es256.key", "--alg", "ES256", "--claims", '{"sub":"kc"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"a","tenant":"kt"}'),
 "ticketing-provider: JAM\n" . TicketingAuth::bearer("--key", "t/data/es256.key", "--alg", "ES256", "--claims", '{"sub":"b","tenant":"kt"}'),
 "ticketing-provider: JAM\n" . main::token('{"sub":"c","tenant":"kt"}')]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: MISS", "X-Cache-Status: MISS",
 "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log
[error]



=== TEST 34: ticketing_cache_scope refuses unknown values and non-cacheable operations
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_scope ticket.get shared;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log eval
[qr/operation "ticket.get" is not cacheable in "ticketing_cache_scope" directive/]



=== TEST 35: ticketing_cache_scope: an invalid value
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_scope metadata.types everyone;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log eval
[qr/invalid value "everyone" in "ticketing_cache_scope" directive/]



=== TEST 36: in a gateway location the only X-Cache-Status a client sees is the gateway's
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/claims-hit$request_uri;
    }
    location /claims-hit/ {
        add_header X-Cache-Status HIT always;
        proxy_pass http://ticketing_api/;
    }
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/ticket/INST-7902/ia/summary", "GET /v2/issueLinkType", "GET /claims-hit/v2/issueLinkType"]
--- more_headers
ticketing-provider: JAM
--- raw_response_headers_unlike eval
["X-Cache-Status", "X-Cache-Status", "X-Cache-Status: HIT", "X-Never-Sent"]
--- raw_response_headers_like eval
["", "", "X-Cache-Status: (MISS|BYPASS)\r\n", "X-Cache-Status: HIT\r\n"]
--- error_code eval
[200, 200, 200, 200]
--- no_error_log
[error]



=== TEST 37: Accept-Language "e n" is not "en": a no-cache refresh with it cannot change what an en client receives
# The upstream reads "e n" as no English tag and answers Spanish: were it
# keyed as "en", the refresh would store Spanish for every en client.
# Whitespace inside a language tag, or a character outside the header's
# grammar, makes the request BYPASS: neither looked up nor stored.
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nAccept-Language: e n\nCache-Control: no-cache",
 "ticketing-provider: JAM\nAccept-Language: en",
 "ticketing-provider: JAM\nAccept-Language: e\tn",
 "ticketing-provider: JAM\nAccept-Language: en-US x\nCache-Control: no-cache",
 "ticketing-provider: JAM\nAccept-Language: \"en\"",
 "ticketing-provider: JAM\nAccept-Language: EN ;Q=1",
 ""]
--- response_headers eval
["", "X-Cache-Status: BYPASS", "X-Cache-Status: MISS",
 ("X-Cache-Status: BYPASS") x 3, "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', '"Resumen"', '"Summary"', '"Resumen"', '"Summary"', '"Resumen"',
 '"Summary"', '"count":\s*6\b']
--- no_error_log
[error]
[warn]



=== TEST 37c: with underscores_in_headers on, Accept_Language makes the request BYPASS
# An upstream that does not merge the spellings reads no language at all
# (the mock answers Spanish): keyed as "en", the refresh would store
# Spanish for every en client.
--- config
    underscores_in_headers on;
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nAccept-Language: en",
 "ticketing-provider: JAM\nAccept_Language: en\nCache-Control: no-cache",
 "ticketing-provider: JAM\nAccept-Language: en\nACCEPT_language: es",
 "ticketing-provider: JAM\nAccept-Language: en",
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: BYPASS",
 "X-Cache-Status: BYPASS", "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', '"Summary"', '"Resumen"', '.', '"Summary"', '"count":\s*3\b']
--- no_error_log
[error]



=== TEST 37b: equivalent Accept and Accept-Language forms share an entry; quoted strings and stray spaces BYPASS
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nAccept-Language: en-GB , es;q=0.5\nAccept: Application/JSON ; q=1",
 "ticketing-provider: JAM\nAccept-Language: EN-gb,es ; q=0.5\nAccept: application/json;Q=1",
 "ticketing-provider: JAM\nAccept-Language: en-GB\nAccept-Language: es;q=0.5\nAccept: application/json;q=1",
 "ticketing-provider: JAM\nAccept-Language: en-GB,es;q=0.5\nAccept: application/json;q=1;x=\"a b\"",
 "ticketing-provider: JAM\nAccept-Language: en-GB,es;q=0.5\nAccept: application/ json",
 "ticketing-provider: JAM\nAccept-Language: en-GB,es;q=0.5\nAccept: application/json;q = 1",
 ""]
--- response_headers eval
["", "X-Cache-Status: MISS", ("X-Cache-Status: HIT") x 2,
 ("X-Cache-Status: BYPASS") x 3, ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 6, '"count":\s*4\b']
--- no_error_log
[error]
[warn]



=== TEST 38: a HIT replays the stored Content-Language; cached operations say what they vary on
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nAccept-Language: en") x 2,
 ("ticketing-provider: JAM") x 2,
 ""]
--- response_headers eval
["",
 "X-Cache-Status: MISS\nContent-Language: en",
 "X-Cache-Status: HIT\nContent-Language: en\nVary: Accept, Accept-Language, ticketing-provider",
 "X-Cache-Status: MISS\n!Content-Language\nVary: Accept, Accept-Language, ticketing-provider",
 "X-Cache-Status: HIT\n!Content-Language\nVary: Accept, Accept-Language, ticketing-provider",
 ""]
--- response_body_like eval
['"reset"', ('"Summary"') x 2, ('"Blocks"') x 2, '"count":\s*2\b']
--- no_error_log
[error]
[warn]



=== TEST 38b: a stored Content-Language is replayed by a HIT and by a STALE answer
--- cache_config
        ticketing_cache_stale_if_error 1m;
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v2 9999999999999 application/json\nde\n[\"seeded\"]"],
 [0, "PREFIX|v4|{TAG}|3:JAM|0:|14:metadata.types|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v2 1 application/json\nde\n[\"stale\"]"]]
--- request eval
["GET /v2/issueLinkType", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["ticketing-provider: JAM", "ticketing-provider: JAM\nX-Mock-Error: spring"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: HIT\nContent-Language: de\n!Age",
 "X-Cache-Status: STALE\nContent-Language: de\nVary: Accept, Accept-Language, ticketing-provider\n!Age"]
--- response_body eval
['["seeded"]', '["stale"]']
--- no_error_log
[error]
[warn]



=== TEST 38c: an answer from the cache says its Age (RFC 9111 4), counted from when the upstream generated it
# The seeded entries were born 1 ms after the epoch: an Age of ten digits
# (the largest sent is 2147483648, RFC 9111 1.2.2).  The stored one's
# upstream said Age: 20 when it was stored: its HIT is at least as old.
--- cache_config
        ticketing_cache_stale_if_error 1m;
--- redis_seed eval
[[0, "PREFIX|v4|{TAG}|3:JAM|0:|18:issueLinkType.list|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v3 9999999999999 1 application/json\n\n[\"seeded\"]"],
 [0, "PREFIX|v4|{TAG}|3:JAM|0:|14:metadata.types|0:|0:|0:|0:|q0|h|0:|0:|s|0:",
  "v3 1 1 application/json\n\n[\"stale\"]"]]
--- request eval
["GET /v2/issueLinkType", "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
["ticketing-provider: JAM", "ticketing-provider: JAM\nX-Mock-Error: spring",
 "ticketing-provider: JAM\nAccept-Language: en\nX-Mock-Cache-Control: max-age=60\nX-Mock-Header: Age: 20",
 "ticketing-provider: JAM\nAccept-Language: en"]
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
["X-Cache-Status: HIT", "X-Cache-Status: STALE", "X-Cache-Status: MISS",
 "X-Cache-Status: HIT"]
--- raw_response_headers_like eval
['\r\nAge: [12]\d{9}\r\n', '\r\nAge: [12]\d{9}\r\n',
 '\r\nAge: 20\r\n', '\r\nAge: (?:[2-9]\d|\d{3,})\r\n']
--- response_body_like eval
['"seeded"', '"stale"', '.', '.']
--- no_error_log
[error]
[warn]


=== TEST 39: purge: with organizations declared, uri= needs org=; repeated and unknown arguments are refused
--- http_extra
    ticketing_org yoigo upstream=ticketing_api;
    ticketing_org masmovil upstream=ticketing_api;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_default_org yoigo;
        proxy_pass http://ticketing_api;
    }
    location = /cache {
        allow 127.0.0.1;
        deny all;
        ticketing_cache_purge;
        ticketing_cache_timeout 2s;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/field/info?api_name=track",
 "DELETE /cache?provider=JAM&uri=/v2/ticket/field/info%3Fapi_name%3Dtrack",
 "DELETE /cache?org=yoigo&uri=/v2/ticket/field/info%3Fapi_name%3Dtrack",
 "DELETE /cache?provider=JAM&provider=JCC",
 "DELETE /cache?provider=JAM&x=1",
 "DELETE /cache?provider=JAM&org=yoigo&operation=metadata.types&uri=/v2/ticket/field/info%3Fapi_name%3Dtrack",
 "GET /v2/ticket/field/info?api_name=track",
 "DELETE /cache?provider=JAM&org=yoigo&uri=/v2/ticket/field/info%3Fapi_name%3Dtrack",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM", ("") x 5, "ticketing-provider: JAM", "",
 "ticketing-provider: JAM", ""]
--- error_code eval
[200, 200, 400, 400, 400, 400, 400, 200, 200, 200, 200]
--- response_headers eval
["", "X-Cache-Status: MISS", ("") x 5, "X-Cache-Status: HIT", "",
 "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', '"Huella"',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"uri= needs org= when organizations are declared"\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"uri= needs provider="\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"a purge argument is repeated"\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"unknown purge argument: provider=, org=, operation= or uri="\}$',
 '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"uri= takes no operation="\}$',
 '"Huella"', '^\{"purged":1\}$', '"Huella"', '"count":\s*2\b']
--- no_error_log
[error]
[warn]



=== TEST 40: the upstream's Age is subtracted from max-age
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
X-Mock-Cache-Control: max-age=60
X-Mock-Header: Age: 20
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/ticketing cache: store "[^"]+", \d+ bytes, fresh for 40000 ms/
--- no_error_log
[error]



=== TEST 40b: without Cache-Control, Expires - Date - Age is the freshness lifetime
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
X-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT
X-Mock-Header: Expires: Sun, 06 Dec 2026 03:00:30 GMT
X-Mock-Header: Age: 10
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/ticketing cache: store "[^"]+", \d+ bytes, fresh for 20000 ms/
--- no_error_log
[error]



=== TEST 40c: max-age wins over Expires, even an invalid one
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
X-Mock-Cache-Control: max-age=5
X-Mock-Header: Expires: 0
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/ticketing cache: store "[^"]+", \d+ bytes, fresh for 5000 ms/
--- no_error_log
[error]



=== TEST 40d: already stale answers are not stored: Age above max-age, an invalid or past Expires
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType/10001",
 "GET /v2/issueLinkType/10001",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=60\nX-Mock-Header: Age: 100") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Expires: 0") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Sun, 06 Dec 2026 02:59:00 GMT") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Sun, 06 Dec 2026 03:01:00 GMT\nX-Mock-Header: Age: 60") x 2,
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 8, ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 2, ('"Relates"') x 2, ('"INST"') x 2,
 ('"Cloners"') x 2,
 '"count":\s*8\b']
--- no_error_log
[error]
[warn]



=== TEST 40e: an overflowing Age is stale; an invalid one keeps the answer out, and so does one older than the clock without any freshness
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType/10001",
 "GET /v2/issueLinkType/10001",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=60\nX-Mock-Header: Age: 99999999999999999999999") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Sun, 06 Dec 2026 03:00:10 GMT\nX-Mock-Header: Age: 99999999999999999999999") x 2,
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=60\nX-Mock-Header: Age: abc") x 2,
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=60\nX-Mock-Header: Age: 1.5") x 2,
 ("ticketing-provider: JAM\nAccept-Language: en\nX-Mock-Header: Age: 2147483648") x 2,
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 10, ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 2, ('"Relates"') x 2, ('"INST"') x 2,
 ('"Cloners"') x 2, ('"Blocks"') x 2,
 '"count":\s*10\b']
--- no_error_log
[error]
[warn]



=== TEST 40f: an Expires that is no strict HTTP-date is already expired
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType/10001",
 "GET /v2/issueLinkType/10001",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Sat, 06 Dec 2036 03:00:10 GMT garbage") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Sat, 06 Dec 2036 03:00:10 GMT, Sun, 06 Dec 2026 03:00:10 GMT") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Sat, 06 Dec 2036 03:00:10 PST") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Mon, 06 Dec 2036 03:00:10 GMT") x 2,
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 8, ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 2, ('"Relates"') x 2, ('"INST"') x 2,
 ('"Cloners"') x 2,
 '"count":\s*8\b']
--- no_error_log
[error]
[warn]



=== TEST 40g: the obsolete rfc850 and asctime dates are understood
--- request
GET /v2/issueLinkType
--- more_headers
ticketing-provider: JAM
X-Mock-Header: Date: Sunday, 06-Dec-26 03:00:00 GMT
X-Mock-Header: Expires: Sun Dec  6 03:00:30 2026
--- response_headers
X-Cache-Status: MISS
--- error_log eval
qr/ticketing cache: store "[^"]+", \d+ bytes, fresh for 30000 ms/
--- no_error_log
[error]



=== TEST 40h: an invalid Date leaves Expires unusable; max-age does without it
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType/10001",
 "GET /v2/issueLinkType/10001",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 GMT garbage\nX-Mock-Header: Expires: Sat, 06 Dec 2036 03:00:30 GMT") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 PST\nX-Mock-Header: Expires: Sat, 06 Dec 2036 03:00:30 GMT") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Date: Mon, 06 Dec 2026 03:00:00 GMT\nX-Mock-Header: Expires: Sat, 06 Dec 2036 03:00:30 GMT") x 2,
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=60\nX-Mock-Header: Date: Sun, 06 Dec 2026 03:00:00 PST") x 2,
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 7, "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 2, ('"Relates"') x 2, ('"INST"') x 2,
 ('"Cloners"') x 2,
 '"count":\s*7\b']
--- no_error_log
[error]
[warn]



=== TEST 40i: a Cache-Control that is no directive list keeps the answer out
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType/10001",
 "GET /v2/issueLinkType/10001",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=30 private") x 2,
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=30; private") x 2,
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: max-age=\"30, private") x 2,
 ("ticketing-provider: JAM\nX-Mock-Cache-Control: , public ,max-age=30 ,,") x 2,
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 7, "X-Cache-Status: HIT", ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 2, ('"Relates"') x 2, ('"INST"') x 2,
 ('"Cloners"') x 2,
 '"count":\s*7\b']
--- no_error_log
[error]
[warn]



=== TEST 40j: a Content-Language that is no list of language tags keeps the answer out
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10001",
 "GET /v2/issueLinkType/10001",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nX-Mock-Header: Content-Language: e\x01n") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Content-Language: en_US") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Content-Language: de-DE, en") x 2,
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 5,
 "X-Cache-Status: HIT\nContent-Language: de-DE, en", ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 2, ('"Relates"') x 2, ('"Cloners"') x 2,
 '"count":\s*5\b']
--- no_error_log
[error]
[warn]



=== TEST 40k: an answer with two Content-Types keeps out, even two JSON ones
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType/10000",
 "GET /v2/issueLinkType/10000",
 "GET /__mock/count"]
--- more_headers eval
["",
 ("ticketing-provider: JAM\nX-Mock-Header: Content-Type: text/html") x 2,
 ("ticketing-provider: JAM\nX-Mock-Header: Content-Type: application/json") x 2,
 ""]
--- response_headers eval
["", ("X-Cache-Status: MISS") x 4, ""]
--- response_body_like eval
['"reset"', ('"Blocks"') x 2, ('"Relates"') x 2, '"count":\s*4\b']
--- no_error_log
[error]
[warn]



=== TEST 41: without declared organizations, the organization header the upstream gets is in the key
--- cache_config
        ticketing_org_header x-org;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM\nx-org: alpha", "ticketing-provider: JAM\nx-org: beta",
 "ticketing-provider: JAM\nx-org: ALPHA", "ticketing-provider: JAM", ""]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "X-Cache-Status: MISS", ""]
--- response_body_like eval
['"reset"', ('"issuetypes"') x 4, '"count":\s*3\b']
--- no_error_log
[error]



=== TEST 41b: without declared organizations, a uri= purge reaches the entries of every organization header; org= one of them
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_org_header x-org;
        proxy_pass http://ticketing_api;
    }
    location = /cache {
        allow 127.0.0.1;
        deny all;
        ticketing_cache_purge;
        ticketing_cache_timeout 2s;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "DELETE /cache?provider=JAM&uri=/v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "DELETE /cache?provider=JAM&org=ALPHA&uri=/v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType"]
--- more_headers eval
["ticketing-provider: JAM\nx-org: alpha", "ticketing-provider: JAM\nx-org: beta",
 "ticketing-provider: JAM", "",
 "ticketing-provider: JAM\nx-org: alpha", "ticketing-provider: JAM\nx-org: beta", "",
 "ticketing-provider: JAM\nx-org: alpha", "ticketing-provider: JAM\nx-org: beta"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 200, 200, 200]
--- response_headers eval
[("X-Cache-Status: MISS") x 3, "", ("X-Cache-Status: MISS") x 2, "",
 "X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- response_body_like eval
[('"Blocks"') x 3, '^\{"purged":3\}$', ('"Blocks"') x 2, '^\{"purged":1\}$',
 ('"Blocks"') x 2]
--- no_error_log
[error]
[warn]
