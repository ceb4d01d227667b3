# ticketing_jwks_url: a JWKS fetched in the background by every worker, on
# nginx's events, and refreshed on an interval; a failed refresh keeps the
# last good key set.  The JWKS is served by the test nginx itself (an
# "alias" location fetched over loopback).  To make the served document
# change between two fetches, the JWKS location lets one request through
# per minute (limit_req) and answers every later one from another file
# (error_page 503 =200): fetch 1 gets the first document, fetch 2 onwards
# the second one.  "GET /slow/..." waits in the mock API (X-Mock-Delay-Ms)
# so that the next requests come after a given fetch: 2.5 s for a refresh
# due 1 s after the first fetch, a wide margin for a loaded machine (the
# blocks are timed, so they are skipped under valgrind).  A refetch driven
# by events rather than an interval would let them wait on the fetch
# itself.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use lib 't/tools';
use TicketingAuth;

# a unix socket for a JWKS server block
$ENV{TEST_NGINX_SERVROOT_SOCK} = "/tmp/ticketing-jwks-t-$$.sock";
END { unlink $ENV{TEST_NGINX_SERVROOT_SOCK} }

# a server that accepts connections (the kernel does) and never answers
our @Keep;
sub frozen_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 16)
        or die "cannot bind: $!\n";
    push @Keep, $s;
    return $s->sockport;
}

repeat_each(1);
no_shuffle();

sub main::auth { return TicketingAuth::bearer(@_) }
sub main::rsa2026 {
    return main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256',
                      '--kid', 'rsa-2026');
}
sub main::rsa2027 {
    return main::auth('--key', 't/data/jwks-rsa2.key', '--alg', 'RS256',
                      '--kid', 'rsa-2027');
}
sub main::ec2026 {
    return main::auth('--key', 't/data/jwks-ec.key', '--alg', 'ES384',
                      '--kid', 'ec-2026');
}
sub main::wait_ms { return "X-Mock-Delay-Ms: $_[0]" }

our $unauthorized = '^\{"code":"0003","status":"UNAUTHORIZED","message":"Unauthorized","detailMsg":"%s"\}$';
sub main::u401 { return sprintf $unauthorized, $_[0] }

add_block_preprocessor(sub {
    my $block = shift;

    # the mock API wants a provider on every request
    my $mh = $block->more_headers;
    if (ref $mh eq 'ARRAY') {
        $block->set_value("more_headers",
                          [ map { "ticketing-provider: JAM\n$_" } @$mh ]);
    } elsif (!defined $block->must_die) {
        $block->set_value("more_headers", "ticketing-provider: JAM"
                                          . (defined $mh ? "\n$mh" : ""));
    }

    $block->set_value("http_config", <<'_EOC_'
    limit_req_zone $server_port zone=jwks:1m rate=1r/m;
    limit_req_log_level info;
_EOC_
        . ($block->http_config // ""));

    unlink $ENV{TEST_NGINX_SERVROOT_SOCK};

    my $config = $block->config;
    if (defined $config && $config =~ /FROZEN_PORT/) {
        my $port = frozen_port();
        $config =~ s/FROZEN_PORT/$port/g;
        $block->set_value("config", $config);
    }

    if (defined $config && !defined $block->must_die) {
        $block->set_value("config", $config . <<'_EOC_');
    location /slow/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/v2/;
    }
    location = /jwks {
        default_type application/json;
        alias $TEST_NGINX_DATA/jwks.json;
    }
    location = /jwks-rotated {
        default_type application/json;
        alias $TEST_NGINX_DATA/jwks-rotated.json;
    }
    location = /jwks-then-rotated {
        default_type application/json;
        limit_req zone=jwks;
        error_page 503 =200 /jwks-rotated;
        alias $TEST_NGINX_DATA/jwks.json;
    }
    location = /jwks-then-bad {
        default_type application/json;
        limit_req zone=jwks;
        error_page 503 =200 /bad.json;
        alias $TEST_NGINX_DATA/jwks.json;
    }
    location = /rotated-then-big {
        default_type application/json;
        limit_req zone=jwks;
        error_page 503 =200 /jwks;
        alias $TEST_NGINX_DATA/jwks-rotated.json;
    }
    location = /jwks-then-404 {
        default_type application/json;
        limit_req zone=jwks;
        error_page 503 =404 /jwks;
        alias $TEST_NGINX_DATA/jwks.json;
    }
_EOC_
    }
});

run_tests();

__DATA__

=== TEST 1: keys from the URL only: tokens signed by its keys pass, others do not
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks interval=1m;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::wait_ms(700), main::rsa2026(), main::ec2026(), main::rsa2027()]
--- error_code eval
[200, 200, 200, 401]
--- response_body_like eval
['.', '.', '.', main::u401('token key id \\(kid\\) is unknown')]
--- error_log eval
[qr/\[notice\].*ticketing jwks: 3 key\(s\) loaded from "http:\/\/127\.0\.0\.1:\d+\/jwks"/]
--- no_error_log
[error]
[warn]



=== TEST 2: rotation: the second fetch replaces the set, tokens of a removed key are refused (even cached ones)
--- skip_eval: 9: $ENV{TEST_NGINX_USE_VALGRIND}
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-rotated interval=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
my $old = main::rsa2026();
[main::wait_ms(600), $old, main::rsa2027(), main::wait_ms(1400), $old,
 main::rsa2027(), main::ec2026()]
--- error_code eval
[200, 200, 401, 200, 401, 200, 200]
--- error_log eval
[qr/ticketing jwks: 3 key\(s\) loaded from "[^"]*\/jwks-then-rotated"/,
 qr/ticketing jwks: 2 key\(s\) loaded from "[^"]*\/jwks-then-rotated"/]
--- no_error_log
[error]
[warn]



=== TEST 3: the URL refuses connections: the configured keys stay in use, a warning
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_DATA/jwks.json;
        ticketing_jwks_url http://127.0.0.1:1/certs interval=1s timeout=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:1/certs;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType"]
--- more_headers eval
[main::wait_ms(500), main::rsa2026(), main::rsa2026()]
--- error_code eval
[200, 200, 401]
--- response_headers eval
["", "", 'WWW-Authenticate: Bearer realm="ticketing", error="invalid_token"']
--- response_body_like eval
['.', '.', main::u401('no token key is available yet')]
--- error_log eval
[qr/\[warn\].*ticketing jwks: refreshing from "http:\/\/127\.0\.0\.1:1\/certs" failed: connect\(\) to 127\.0\.0\.1:1 failed \(111: Connection refused\); no key set fetched yet, next attempt in 1000ms/]
--- no_error_log
[error]
ticketing jwks: 3 key(s)



=== TEST 4: a malformed JWKS after a good one: the last good set is kept, the body is not logged
--- user_files
>>> bad.json
{"keys": [SECRETWORD, 1]}
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-bad interval=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /bad.json {
        default_type application/json;
        root html;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2026()]
--- error_code eval
[200, 200]
--- error_log eval
[qr/ticketing jwks: 3 key\(s\) loaded/,
 qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: invalid JSON at line 1[^;]*; keeping the last good key set/]
--- no_error_log
[error]
SECRETWORD



=== TEST 5: a JWKS above max_size after a good one: refused, the last good set is kept
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/rotated-then-big interval=1s max_size=1k;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2027(), main::rsa2026()]
--- error_code eval
[200, 200, 401]
--- error_log eval
[qr/ticketing jwks: 2 key\(s\) loaded/,
 qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: the response is larger than max_size; keeping the last good key set/]
--- no_error_log
[error]
ticketing jwks: 3 key(s)



=== TEST 6: a status other than 200 after a good one: the last good set is kept
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-404 interval=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2026()]
--- error_code eval
[200, 200]
--- error_log eval
[qr/ticketing jwks: 3 key\(s\) loaded/,
 qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: the response status is not 200; keeping the last good key set/]
--- no_error_log
[error]



=== TEST 7: a server that never answers: the fetch times out
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:FROZEN_PORT/certs interval=1m timeout=300ms;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types"]
--- more_headers eval
[main::wait_ms(900)]
--- error_code eval
[200]
--- error_log eval
[qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: timed out; no key set fetched yet/]
--- no_error_log
[error]



=== TEST 8: a host name needs nginx's resolver (nothing blocks)
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://idp.example.com/realms/x/certs;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- must_die
--- error_log eval
[qr/"ticketing_jwks_url http:\/\/idp\.example\.com\/realms\/x\/certs": a host name is resolved with nginx's "resolver", and none is defined/]



=== TEST 9: https verifies the IdP's certificate: a CA is required
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url https://10.0.0.1/certs;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- must_die
--- error_log eval
[qr/"ticketing_jwks_ssl_verify" is on \(the default\) and no "ticketing_jwks_ssl_trusted_certificate" is defined/]



=== TEST 10: bad parameters, duplicates
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1/certs interval=10ms;
    }
--- must_die
--- error_log eval
[qr/invalid parameter "interval=10ms" in "ticketing_jwks_url" directive/]



=== TEST 11: duplicate
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1/certs;
        ticketing_jwks_url http://[::1]:8080/certs;
    }
--- must_die
--- error_log eval
[qr/"ticketing_jwks_url" directive is duplicate/]



=== TEST 12: a unix socket and an IPv6 literal are accepted; the set is shared by the locations that inherit it
--- http_config
    ticketing_jwks_url unix:$TEST_NGINX_SERVROOT_SOCK:/jwks interval=1m;
    server {
        listen unix:$TEST_NGINX_SERVROOT_SOCK;
        location = /jwks {
            default_type application/json;
            alias $TEST_NGINX_DATA/jwks.json;
        }
    }
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://[::1]:1/certs interval=1m;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType"]
--- more_headers eval
[main::wait_ms(600), main::rsa2026(), main::rsa2026()]
--- error_code eval
[200, 200, 401]
--- error_log eval
[qr/ticketing jwks: 3 key\(s\) loaded from "unix:[^"]*:\/jwks"/,
 qr/ticketing jwks: refreshing from "http:\/\/\[::1\]:1\/certs" failed/]
--- no_error_log
[error]




=== TEST 13: a fetched set holding private key material is rejected, the reason logged
--- skip_eval: 3: $ENV{TEST_NGINX_USE_VALGRIND}
--- user_files eval
my $j = do { local (@ARGV, $/) = ('t/data/jwks-rotated.json'); <> };
$j =~ s/("kid": "rsa-2027",)/$1 "d": "AQAB",/ or die;
">>> bad.json\n$j"
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-bad interval=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /bad.json {
        default_type application/json;
        root html;
    }
--- request
GET /slow/ticket/metadata/types
--- more_headers eval
main::wait_ms(2500)
--- error_code: 200
--- error_log eval
[qr/ticketing jwks: 3 key\(s\) loaded/,
 qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: a key holds private key material \("d"\)[^;]*; keeping the last good key set/]
--- no_error_log
[error]
ticketing jwks: 2 key(s)



=== TEST 14: ... and the last good set stays in use
--- skip_eval: 3: $ENV{TEST_NGINX_USE_VALGRIND}
--- user_files eval
my $j = do { local (@ARGV, $/) = ('t/data/jwks-rotated.json'); <> };
$j =~ s/("kid": "rsa-2027",)/$1 "d": "AQAB",/ or die;
">>> bad.json\n$j"
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-bad interval=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /bad.json {
        default_type application/json;
        root html;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2026(), main::rsa2027()]
--- error_code eval
[200, 200, 401]
--- no_error_log
[error]
ticketing jwks: 2 key(s)



=== TEST 15: a fetched set mixing "oct" secrets with public keys is rejected unless "mixed_oct"
--- skip_eval: 4: $ENV{TEST_NGINX_USE_VALGRIND}
--- user_files eval
my $j = do { local (@ARGV, $/) = ('t/data/jwks-rotated.json'); <> };
my $k = TicketingAuth::b64url('m' x 64);
$j =~ s/\[\n/[\n  {"kty": "oct", "kid": "oct-64", "k": "$k"},\n/ or die;
">>> bad.json\n$j"
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-bad interval=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/bad.json interval=1m mixed_oct;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /bad.json {
        default_type application/json;
        root html;
    }
--- request
GET /slow/ticket/metadata/types
--- more_headers eval
main::wait_ms(2500)
--- error_code: 200
--- error_log eval
[qr/ticketing jwks: 3 key\(s\) loaded from "[^"]*\/jwks-then-bad"/,
 qr/\[warn\].*ticketing jwks: refreshing from "[^"]*\/jwks-then-bad" failed: the set mixes "oct" secrets with public keys[^;]*; keeping the last good key set/,
 qr/ticketing jwks: 3 key\(s\) loaded from "[^"]*\/bad\.json"/]
--- no_error_log
[error]



=== TEST 16: ... the last good set stays in use; with "mixed_oct" the set is taken
--- skip_eval: 4: $ENV{TEST_NGINX_USE_VALGRIND}
--- user_files eval
my $j = do { local (@ARGV, $/) = ('t/data/jwks-rotated.json'); <> };
my $k = TicketingAuth::b64url('m' x 64);
$j =~ s/\[\n/[\n  {"kty": "oct", "kid": "oct-64", "k": "$k"},\n/ or die;
">>> bad.json\n$j"
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-bad interval=1s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/bad.json interval=1m mixed_oct;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /bad.json {
        default_type application/json;
        root html;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2026(), main::rsa2027(), main::rsa2027(),
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026')]
--- error_code eval
[200, 200, 401, 200, 401]
--- no_error_log
[error]
