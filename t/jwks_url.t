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
# blocks are timed, so they are skipped under valgrind).
#
# The blocks about a token whose kid is not in the set (a refetch the
# request waits for) and about requests before any set is loaded (503)
# are not timed: a request that needs the set waits for the fetch itself.
# Their key sets come from the mock's stand-in IdP (GET /idp/NAME/jwks):
# "--- idp" lines "NAME FILE [STATUS [DELAY_MS]]" set its documents
# (files of t/data) before nginx starts, after a reset of the mock; a
# request "POST /__mock/jwks/NAME" changes one between two requests (a
# rotation, an IdP that fails or hangs), and "GET /__mock/jwks/NAME" says
# how many times the set was fetched, counted from the mock's request log.
# "--- discovery" lines "NAME JWKS_NAME" make GET /idp/NAME/jwks answer an
# OpenID Connect discovery document whose jwks_uri is /idp/JWKS_NAME/jwks
# ("ticketing_jwks_url ... discovery"); main::discovery_doc() is one, to
# POST between two requests (a jwks_uri that moves).
#
# What a block expects in the error log of several requests is checked by
# its last request, "GET /error.log" (main::log_has): the real Test::Nginx
# checks "--- error_log" against the lines of each request on its own.

use Test::Nginx::Socket 'no_plan';
use IO::Socket::INET;
use HTTP::Tiny;
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

# the burst blocks: 100 requests from SSI subrequests through the proxy
# module to the gateway, all at once (two connections each)
worker_connections(1024);

# the stand-in IdP of the mock: a reset, then each document of "--- idp"
sub idp_setup {
    my ($spec) = @_;
    my $base = "http://127.0.0.1:$ENV{TEST_NGINX_UPSTREAM_PORT}/__mock";
    my $http = HTTP::Tiny->new(timeout => 10);
    my $res = $http->post("$base/reset");
    die "mock reset: $res->{status} $res->{content}\n" unless $res->{success};
    for my $line (split /\n/, $spec) {
        next unless $line =~ /\S/;
        my ($name, $file, $status, $delay) = split ' ', $line;
        open my $fh, '<', "t/data/$file" or die "t/data/$file: $!\n";
        my $doc = do { local $/; <$fh> };
        close $fh;
        $res = $http->post("$base/jwks/$name", {
            content => $doc,
            headers => { 'X-Mock-Status' => $status // 200,
                         'X-Mock-Delay-Ms' => $delay // 0 } });
        die "mock jwks $name: $res->{status} $res->{content}\n"
            unless $res->{success};
    }
}

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

# the stand-in IdP's discovery document naming /idp/$jwks/jwks as jwks_uri
sub main::discovery_doc {
    my ($jwks) = @_;
    my $base = "http://127.0.0.1:$ENV{TEST_NGINX_UPSTREAM_PORT}/idp";
    return qq({"issuer": "$base/$jwks", "jwks_uri": "$base/$jwks/jwks", )
           . qq("response_types_supported": ["code"]});
}

sub idp_discovery {
    my ($spec) = @_;
    my $base = "http://127.0.0.1:$ENV{TEST_NGINX_UPSTREAM_PORT}/__mock";
    my $http = HTTP::Tiny->new(timeout => 10);
    for my $line (split /\n/, $spec) {
        next unless $line =~ /\S/;
        my ($name, $jwks) = split ' ', $line;
        my $res = $http->post("$base/jwks/$name",
                              { content => main::discovery_doc($jwks) });
        die "mock discovery $name: $res->{status} $res->{content}\n"
            unless $res->{success};
    }
}

# a body (GET /error.log) with a line matching each pattern
sub main::log_has {
    my $re = join '', map { "(?=[\\s\\S]*?$_)" } @_;
    return qr/\A$re/;
}

# a token of t/data/jwks-rsa.key (kid rsa-2026) with the claim "iss"
sub main::rsa2026_iss {
    return main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256',
                      '--kid', 'rsa-2026', '--claims', qq({"iss": "$_[0]"}));
}

# a token of a kid that no set holds (its signature is never checked)
our $Unknown = 0;
sub main::unknown_token {
    my $kid = sprintf 'unknown-%d-%d-%08x', $$, ++$Unknown, int rand 2**32;
    return TicketingAuth::b64url(qq({"alg":"RS256","typ":"JWT","kid":"$kid"}))
           . '.' . TicketingAuth::b64url(qq({"sub":"x","exp":)
                                         . (time + 3600) . '}')
           . '.' . TicketingAuth::b64url('not a signature');
}
sub main::unknown { return 'Authorization: Bearer ' . main::unknown_token() }

# a document of t/data, to POST to the mock
sub main::data {
    open my $fh, '<', "t/data/$_[0]" or die "t/data/$_[0]: $!";
    local $/;
    return <$fh>;
}

# an SSI page that sends $n requests with distinct unknown kids at once
sub main::burst_page {
    my ($n) = @_;
    return join '', map { '<!--# include virtual="/kid/'
                          . main::unknown_token() . '" -->' } 1 .. $n;
}

our $unauthorized = '^\{"code":"0003","status":"UNAUTHORIZED","message":"Unauthorized","detailMsg":"%s"\}$';
sub main::u401 { return sprintf $unauthorized, $_[0] }
our $foreign_keys = '^\{"code":"0030","status":"SERVICE_UNAVAILABLE","message":"Service Unavailable","detailMsg":"the gateway is not ready: its token keys are another issuer\'s"\}$';
our $not_ready = '^\{"code":"0030","status":"SERVICE_UNAVAILABLE","message":"Service Unavailable","detailMsg":"the gateway is not ready: its token keys are not loaded yet"\}$';

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

    idp_setup($block->idp) if defined $block->idp;
    idp_discovery($block->discovery) if defined $block->discovery;

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
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /error.log {
        default_type text/plain;
        root logs;
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
 "GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
[main::wait_ms(700), main::rsa2026(), main::ec2026(), main::rsa2027(), ""]
--- error_code eval
[200, 200, 200, 401, 200]
--- response_body_like eval
['.', '.', '.', main::u401('token key id \\(kid\\) is unknown'),
 main::log_has(qr/\[notice\].*ticketing jwks: 3 key\(s\) loaded from "http:\/\/127\.0\.0\.1:\d+\/jwks"/)]
--- no_error_log
[error]
[warn]



=== TEST 2: rotation: the second fetch replaces the set, tokens of a removed key are refused (even cached ones)
--- skip_eval: 9: $ENV{TEST_NGINX_USE_VALGRIND}
--- config
    location /v2/ {
        ticketing_gateway on;
        # the periodic refresh alone: no refetch for the unknown kid
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks-then-rotated interval=1s refetch_interval=0;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
my $old = main::rsa2026();
[main::wait_ms(600), $old, main::rsa2027(), main::wait_ms(1400), $old,
 main::rsa2027(), main::ec2026(), ""]
--- error_code eval
[200, 200, 401, 200, 401, 200, 200, 200]
--- response_body_like eval
['^', '^', '^', '^', '^', '^', '^',
 main::log_has(qr/ticketing jwks: 3 key\(s\) loaded from "[^"]*\/jwks-then-rotated"/,
               qr/ticketing jwks: 2 key\(s\) loaded from "[^"]*\/jwks-then-rotated"/)]
--- no_error_log
[error]
[warn]



=== TEST 3: the URL refuses connections: the configured keys stay in use, a warning; without them, 503
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
 "GET /v2/issueLinkType",
 "GET /error.log"]
--- more_headers eval
[main::wait_ms(500), main::rsa2026(), main::rsa2026(), ""]
--- error_code eval
[200, 200, 503, 200]
--- response_headers eval
["", "", "!WWW-Authenticate", ""]
--- response_body_like eval
['.', '.', $main::not_ready,
 main::log_has(qr/\[warn\].*ticketing jwks: refreshing from "http:\/\/127\.0\.0\.1:1\/certs" failed: connect\(\) to 127\.0\.0\.1:1 failed \(111: Connection refused\); no key set fetched yet, next attempt in 1000ms/)]
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
 "GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2026(), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^', '^',
 main::log_has(qr/ticketing jwks: 3 key\(s\) loaded/,
               qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: invalid JSON at line 1[^;]*; keeping the last good key set/)]
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
 "GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2027(), main::rsa2026(), ""]
--- error_code eval
[200, 200, 401, 200]
--- response_body_like eval
['^', '^', '^',
 main::log_has(qr/ticketing jwks: 2 key\(s\) loaded/,
               qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: the response is larger than max_size; keeping the last good key set/)]
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
 "GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
[main::wait_ms(2500), main::rsa2026(), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['^', '^',
 main::log_has(qr/ticketing jwks: 3 key\(s\) loaded/,
               qr/\[warn\].*ticketing jwks: refreshing from "[^"]*" failed: the response status is not 200; keeping the last good key set/)]
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
 "GET /v2/issueLinkType",
 "GET /error.log"]
--- more_headers eval
[main::wait_ms(600), main::rsa2026(), main::rsa2026(), ""]
--- error_code eval
[200, 200, 503, 200]
--- response_body_like eval
['^', '^', '^',
 main::log_has(qr/ticketing jwks: 3 key\(s\) loaded from "unix:[^"]*:\/jwks"/,
               qr/ticketing jwks: refreshing from "http:\/\/\[::1\]:1\/certs" failed/)]
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



=== TEST 17: a kid the set lacks: one refetch, the request waits for it and passes
--- idp
rotate jwks.json
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/rotate/jwks interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "POST /__mock/jwks/rotate\n" . main::data('jwks-rotated.json'),
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/jwks/rotate"]
--- more_headers eval
[main::rsa2026(), "", main::rsa2027(), main::rsa2027(), main::rsa2026(), ""]
--- error_code eval
[200, 200, 200, 200, 401, 200]
--- response_body_like eval
['.', '.', '.', '.', main::u401('token key id \\(kid\\) is unknown'),
 '^\{"fetches": 2\}$']
--- no_error_log
[error]



=== TEST 18: unknown kids in bursts of 100 concurrent requests: one refetch per refetch_interval
--- timeout: 20
--- http_config
    ticketing_metrics_zone ticketing;
--- idp
burst jwks.json
--- user_files eval
">>> burst1.html\n" . main::burst_page(100) . "\n>>> burst2.html\n" . main::burst_page(100)
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/burst/jwks interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /burst {
        ssi on;
        ssi_types *;
    }
    location ~ ^/kid/(?<kid_token>[^/]+)$ {
        rewrite ^ /v2/ticket/metadata/types break;
        proxy_set_header Authorization "Bearer $kid_token";
        proxy_set_header ticketing-provider JAM;
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT;
    }
    location = /metrics {
        ticketing_metrics;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /burst1.html",
 "GET /__mock/jwks/burst",
 "GET /burst2.html",
 "GET /__mock/jwks/burst",
 "GET /metrics"]
--- more_headers eval
[main::rsa2026(), "", "", "", "", ""]
--- error_code eval
[200, 200, 200, 200, 200, 200]
--- response_body_like eval
my $u = substr(main::u401('token key id \\(kid\\) is unknown'), 1, -1);
['.', "^(?:$u){100}\$", '^\{"fetches": 2\}$', "^(?:$u){100}\$",
 '^\{"fetches": 2\}$',
 qr/^ticketing_auth_failures_total\{reason="unknown_kid"\} 200\n.*^ticketing_jwks_refetches_total 1$/ms]
--- no_error_log
[error]



=== TEST 19: the refetch fails (the IdP answers 500): the request gets the 401 it would have got
--- http_config
    ticketing_metrics_zone ticketing;
--- idp
down jwks.json
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/down/jwks interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /metrics {
        ticketing_metrics;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "POST /__mock/jwks/down\n" . main::data('jwks-rotated.json'),
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /metrics",
 "GET /__mock/jwks/down"]
--- more_headers eval
[main::rsa2026(), "X-Mock-Status: 500", main::rsa2027(), main::rsa2027(),
 main::rsa2026(), "", ""]
--- error_code eval
[200, 200, 401, 401, 200, 200, 200]
--- response_body_like eval
# fetches: the first, the refetch, and the background retries of a failed
# fetch (after 1 s, 2 s ...) if the requests took that long
['.', '.', main::u401('token key id \\(kid\\) is unknown'),
 main::u401('token key id \\(kid\\) is unknown'), '.',
 qr/^ticketing_jwks_refetches_total 1$/m,
 '^\{"fetches": (?:[2-9]|\d\d+)\}$']
--- no_error_log
[error]



=== TEST 20: a client that goes away while its request waits (the IdP hangs): the request is dropped, the others are answered when the fetch times out
--- http_config
    ticketing_metrics_zone ticketing;
    log_format status '$status';
--- idp
close jwks.json
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/close/jwks interval=1h timeout=2s refetch_interval=1h;
        access_log logs/gateway.log status;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    # the client that goes away: it gives up after 200 ms
    location = /impatient {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/v2/ticket/metadata/types;
        proxy_read_timeout 200ms;
        error_log logs/impatient.log;
    }
    location = /gateway.log {
        default_type text/plain;
        root logs;
    }
    location = /metrics {
        ticketing_metrics;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "POST /__mock/jwks/close\n" . main::data('jwks-rotated.json'),
 "GET /impatient",
 "GET /v2/ticket/metadata/types",
 "GET /metrics",
 "GET /gateway.log"]
--- more_headers eval
[main::rsa2026(), "X-Mock-Delay-Ms: 10000", main::unknown(), main::rsa2027(),
 "", ""]
--- error_code eval
[200, 200, 504, 401, 200, 200]
--- response_body_like eval
['.', '.', '.', main::u401('token key id \\(kid\\) is unknown'),
 qr/^ticketing_jwks_refetches_total 1$/m, '^200\n499\n401\n$']
--- no_error_log
[error]



=== TEST 21: refetch_interval=0: an unknown kid never makes a fetch
--- idp
never jwks.json
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/never/jwks interval=1h refetch_interval=0;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "POST /__mock/jwks/never\n" . main::data('jwks-rotated.json'),
 "GET /v2/ticket/metadata/types",
 "GET /__mock/jwks/never"]
--- more_headers eval
[main::rsa2026(), "", main::rsa2027(), ""]
--- error_code eval
[200, 200, 401, 200]
--- response_body_like eval
['.', '.', main::u401('token key id \\(kid\\) is unknown'),
 '^\{"fetches": 1\}$']
--- no_error_log
[error]



=== TEST 22: refetch_interval takes a time
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1/certs refetch_interval=often;
    }
--- must_die
--- error_log eval
[qr/invalid parameter "refetch_interval=often" in "ticketing_jwks_url" directive, expected interval= \(at least 1s\), timeout=, max_size= \(1k to 16m\), refetch_interval=, mixed_oct or discovery/]



=== TEST 23: no key set loaded yet (the IdP answers 503): 503, not 401
--- idp
notready jwks.json 503
--- config
    ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/notready/jwks interval=1h refetch_interval=1h;
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        # a bootstrap copy: its keys verify until a set is loaded
        ticketing_jwt_key_file jwks $TEST_NGINX_DATA/jwks.json;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType"]
--- more_headers eval
[main::rsa2026(), main::unknown(), "", main::rsa2026(), main::rsa2027()]
--- error_code eval
[503, 503, 401, 200, 503]
--- response_headers eval
["!WWW-Authenticate\nContent-Type: application/json",
 "!WWW-Authenticate", 'WWW-Authenticate: Bearer realm="ticketing"', "",
 "!WWW-Authenticate"]
--- response_body_like eval
[$main::not_ready, $main::not_ready, main::u401('no credentials'), '.',
 $main::not_ready]
--- no_error_log
[error]



=== TEST 24: the same URL in several locations: one fetcher, one refetch budget
--- idp
shared jwks.json
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/shared/jwks interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/shared/jwks interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/ticket/field/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/shared/jwks interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/issueLinkType",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /__mock/jwks/shared"]
--- more_headers eval
[main::rsa2026(), main::rsa2026(), main::rsa2026(), main::rsa2027(),
 main::rsa2027(), ""]
--- error_code eval
[200, 200, 200, 401, 401, 200]
--- response_body_like eval
['.', '.', '.', '.', '.', '^\{"fetches": 2\}$']
--- no_error_log
[error]



=== TEST 25: discovery: the document's jwks_uri is fetched, its keys verify tokens; its issuer is one of ticketing_jwt_issuer
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/realms/acme/.well-known/openid-configuration discovery interval=1h;
        ticketing_jwt_issuer http://127.0.0.1:$TEST_NGINX_SERVER_PORT/realms/acme;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /realms/acme/.well-known/openid-configuration {
        default_type application/json;
        return 200 '{"issuer": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/realms/acme", "jwks_uri": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks", "id_token_signing_alg_values_supported": ["RS256"]}';
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
my $iss = "http://127.0.0.1:$ENV{TEST_NGINX_SERVER_PORT}/realms/acme";
[main::rsa2026_iss($iss), main::rsa2026_iss("$iss/other"),
 main::rsa2026_iss($iss), ""]
--- error_code eval
[200, 401, 200, 200]
--- response_body_like eval
['.', main::u401('token issuer \\(iss\\) is not accepted'), '.',
 main::log_has(qr/\[notice\].*ticketing jwks: "http:\/\/127\.0\.0\.1:\d+\/realms\/acme\/\.well-known\/openid-configuration" names the jwks_uri "http:\/\/127\.0\.0\.1:\d+\/jwks"/,
               qr/\[notice\].*ticketing jwks: 3 key\(s\) loaded from "http:\/\/127\.0\.0\.1:\d+\/jwks" \(the jwks_uri of "http:\/\/127\.0\.0\.1:\d+\/realms\/acme\/\.well-known\/openid-configuration"\)/)]
--- no_error_log
[error]
[warn]



=== TEST 26: discovery: a document without jwks_uri, or whose issuer is not the location's: 503
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/nojwks/.well-known/openid-configuration discovery interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/realms/acme/.well-known/openid-configuration discovery interval=1h;
        ticketing_jwt_issuer https://idp.example.com/realms/acme;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /nojwks/.well-known/openid-configuration {
        default_type application/json;
        return 200 '{"issuer": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/nojwks", "jwks": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks"}';
    }
    location = /realms/acme/.well-known/openid-configuration {
        default_type application/json;
        return 200 '{"issuer": "https://idp.example.com/realms/other", "jwks_uri": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks"}';
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /error.log"]
--- more_headers eval
[main::rsa2026(), main::rsa2026_iss("https://idp.example.com/realms/acme"), ""]
--- error_code eval
[503, 503, 200]
--- response_headers eval
["!WWW-Authenticate", "!WWW-Authenticate", ""]
--- response_body_like eval
[$main::not_ready, $main::foreign_keys,
 main::log_has(qr/\[warn\].*ticketing jwks: refreshing from "http:\/\/127\.0\.0\.1:\d+\/nojwks\/\.well-known\/openid-configuration" failed: the discovery document has no "jwks_uri" string; no key set fetched yet, next attempt in 1000ms/,
               qr/\[warn\].*ticketing auth: the key set's discovery document names an issuer that is not one of this location's "ticketing_jwt_issuer"/)]
--- no_error_log
[error]



=== TEST 26b: discovery: locations sharing a fetcher each check the issuer, a looser one widens nothing
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/realms/acme/.well-known/openid-configuration discovery interval=1h;
        ticketing_jwt_issuer https://idp.example.com/realms/acme;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/realms/acme/.well-known/openid-configuration discovery interval=1h;
        ticketing_jwt_issuer https://idp.example.com/realms/other;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /realms/acme/.well-known/openid-configuration {
        default_type application/json;
        return 200 '{"issuer": "https://idp.example.com/realms/other", "jwks_uri": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks"}';
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType"]
--- more_headers eval
[main::rsa2026_iss("https://idp.example.com/realms/acme"),
 main::rsa2026_iss("https://idp.example.com/realms/other")]
--- error_code eval
[503, 200]
--- response_body_like eval
[$main::foreign_keys, ""]
--- no_error_log
[error]



=== TEST 26c: discovery: a published set holding a secret ("oct") key is refused, even with mixed_oct
--- user_files eval
my $j = do { local (@ARGV, $/) = ('t/data/jwks-rotated.json'); <> };
my $k = TicketingAuth::b64url('m' x 64);
$j =~ s/\[\n/[\n  {"kty": "oct", "kid": "oct-64", "k": "$k"},\n/ or die;
">>> secret.json\n$j"
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/oct/.well-known/openid-configuration discovery interval=1h mixed_oct;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /oct/.well-known/openid-configuration {
        default_type application/json;
        return 200 '{"issuer": "https://idp.example.com/oct", "jwks_uri": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/secret.json"}';
    }
    location = /secret.json {
        default_type application/json;
        root html;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
[main::rsa2027(), ""]
--- error_code eval
[503, 200]
--- response_body_like eval
[$main::not_ready,
 main::log_has(qr/\[warn\].*ticketing jwks: refreshing from "[^"]*\/secret\.json" \(the jwks_uri of "[^"]*\/oct\/\.well-known\/openid-configuration"\) failed: the jwks_uri's set holds a secret \("oct"\) key, which a published set must not/)]
--- no_error_log
[error]
key(s) loaded



=== TEST 27: discovery: a document that loses its jwks_uri after a good one: the last good set stays in use
--- idp
keys27 jwks.json
--- discovery
disc27 keys27
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/disc27/jwks discovery interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "POST /__mock/jwks/disc27\n" . '{"issuer": "http://idp.test/", "authorization_endpoint": "http://idp.test/auth"}',
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /error.log"]
--- more_headers eval
[main::rsa2026(), "", main::rsa2027(), main::rsa2026(), ""]
--- error_code eval
[200, 200, 401, 200, 200]
--- response_body_like eval
['.', '.', main::u401('token key id \\(kid\\) is unknown'), '.',
 main::log_has(qr/\[notice\].*ticketing jwks: 3 key\(s\) loaded from "[^"]*\/idp\/keys27\/jwks" \(the jwks_uri of "[^"]*\/idp\/disc27\/jwks"\)/,
               qr/\[warn\].*ticketing jwks: refreshing from "[^"]*\/idp\/disc27\/jwks" failed: the discovery document has no "jwks_uri" string; keeping the last good key set/)]
--- no_error_log
[error]



=== TEST 28: discovery: a malformed document, or one above max_size: refused, the body is not logged
--- user_files eval
">>> big.json\n" . '{"jwks_uri": "http://127.0.0.1/jwks", "pad": "' . ('x' x 2048) . '"}'
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/bad/.well-known/openid-configuration discovery interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_SERVER_PORT/big.json discovery interval=1h max_size=1k;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /bad/.well-known/openid-configuration {
        default_type application/json;
        return 200 '{"issuer": SECRETWORD, "jwks_uri": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks"}';
    }
    location = /big.json {
        default_type application/json;
        root html;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /error.log"]
--- more_headers eval
[main::rsa2026(), main::rsa2026(), ""]
--- error_code eval
[503, 503, 200]
--- response_body_like eval
[$main::not_ready, $main::not_ready,
 qr/\A(?![\s\S]*SECRETWORD)/ . main::log_has(qr/\[warn\].*ticketing jwks: refreshing from "[^"]*\/bad\/\.well-known\/openid-configuration" failed: the discovery document is not valid JSON \(line 1, column \d+\); no key set fetched yet/,
               qr/\[warn\].*ticketing jwks: refreshing from "[^"]*\/big\.json" failed: the response is larger than max_size; no key set fetched yet/)]
--- no_error_log
[error]



=== TEST 29: discovery over https: the jwks_uri must be https too (no downgrade), and is fetched with the same TLS settings
--- http_config
    ticketing_jwks_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
    ticketing_jwks_ssl_name localhost;
    # the IdP: TLS on the IPv6 loopback, the test's own port
    server {
        listen [::1]:$TEST_NGINX_SERVER_PORT ssl;
        server_name localhost;
        ssl_certificate $TEST_NGINX_CERTS/server.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/server.key;
        default_type application/json;
        location = /good/.well-known/openid-configuration {
            return 200 '{"issuer": "https://localhost/good", "jwks_uri": "https://[::1]:$TEST_NGINX_SERVER_PORT/jwks"}';
        }
        location = /downgrade/.well-known/openid-configuration {
            return 200 '{"issuer": "https://localhost/downgrade", "jwks_uri": "http://127.0.0.1:$TEST_NGINX_SERVER_PORT/jwks"}';
        }
        location = /jwks {
            alias $TEST_NGINX_DATA/jwks.json;
        }
    }
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url https://[::1]:$TEST_NGINX_SERVER_PORT/good/.well-known/openid-configuration discovery interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwks_url https://[::1]:$TEST_NGINX_SERVER_PORT/downgrade/.well-known/openid-configuration discovery interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/issueLinkType",
 "GET /error.log"]
--- more_headers eval
[main::rsa2026(), main::rsa2026(), ""]
--- error_code eval
[200, 503, 200]
--- response_body_like eval
['.', $main::not_ready,
 main::log_has(qr/\[notice\].*ticketing jwks: 3 key\(s\) loaded from "https:\/\/\[::1\]:\d+\/jwks" \(the jwks_uri of "https:\/\/\[::1\]:\d+\/good\/\.well-known\/openid-configuration"\)/,
               qr/\[warn\].*ticketing jwks: refreshing from "https:\/\/\[::1\]:\d+\/downgrade\/\.well-known\/openid-configuration" failed: the discovery document's "jwks_uri" "http:\/\/127\.0\.0\.1:\d+\/jwks" is not https, and the discovery URL is; no key set fetched yet/)]
--- no_error_log
[error]



=== TEST 30: discovery: a jwks_uri that moves is followed at the next fetch (a refetch for an unknown kid)
--- idp
keys30a jwks.json
keys30b jwks-rotated.json
--- discovery
disc30 keys30a
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/disc30/jwks discovery interval=1h refetch_interval=1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "POST /__mock/jwks/disc30\n" . main::discovery_doc('keys30b'),
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/jwks/keys30a",
 "GET /__mock/jwks/keys30b",
 "GET /__mock/jwks/disc30",
 "GET /error.log"]
--- more_headers eval
[main::rsa2026(), "", main::rsa2027(), main::rsa2026(), "", "", "", ""]
--- error_code eval
[200, 200, 200, 401, 200, 200, 200, 200]
--- response_body_like eval
['.', '.', '.', main::u401('token key id \\(kid\\) is unknown'),
 '^\{"fetches": 1\}$', '^\{"fetches": 1\}$', '^\{"fetches": 2\}$',
 main::log_has(qr/ticketing jwks: "[^"]*\/idp\/disc30\/jwks" names the jwks_uri "[^"]*\/idp\/keys30a\/jwks"/,
               qr/ticketing jwks: "[^"]*\/idp\/disc30\/jwks" names the jwks_uri "[^"]*\/idp\/keys30b\/jwks"/,
               qr/ticketing jwks: 2 key\(s\) loaded from "[^"]*\/idp\/keys30b\/jwks" \(the jwks_uri of "[^"]*\/idp\/disc30\/jwks"\)/)]
--- no_error_log
[error]
[warn]



=== TEST 31: discovery: a jwks_uri that moves is followed at the next periodic refresh
--- skip_eval: 6: $ENV{TEST_NGINX_USE_VALGRIND}
--- idp
keys31a jwks.json
keys31b jwks-rotated.json
--- discovery
disc31 keys31a
--- config
    location /v2/ {
        ticketing_gateway on;
        # the periodic refresh alone: no refetch for an unknown kid
        ticketing_jwks_url http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT/idp/disc31/jwks discovery interval=1s refetch_interval=0;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types",
 "POST /__mock/jwks/disc31\n" . main::discovery_doc('keys31b'),
 "GET /slow/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/jwks/keys31b"]
--- more_headers eval
[main::rsa2026(), "", main::wait_ms(2500), main::rsa2027(), main::rsa2026(),
 ""]
--- error_code eval
[200, 200, 200, 200, 401, 200]
--- response_body_like eval
['.', '.', '.', '.', main::u401('token key id \\(kid\\) is unknown'),
 '^\{"fetches": [1-9]\d*\}$']
--- no_error_log
[error]
[warn]



=== TEST 32: discovery needs an http:// or https:// URL
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwks_url unix:/tmp/idp.sock:/.well-known/openid-configuration discovery;
    }
--- must_die
--- error_log eval
[qr/"discovery" in "ticketing_jwks_url" directive needs an http:\/\/ or https:\/\/ URL/]
