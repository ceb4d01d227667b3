# The example configurations of conf.d/ are loaded as they are and
# exercised, so that they cannot rot: each block reads one example file,
# replaces its @PLACEHOLDERS@ with test values (a placeholder without a
# value fails the block), and puts it in http{}.  The example's server
# listens on a unix socket; the test's own server proxies to it, as a
# client would connect.

use Test::Nginx::Socket 'no_plan';
use Cwd qw(abs_path);
use lib 't/tools';
use TicketingAuth;

repeat_each(1);
no_shuffle();
no_root_location();

our $Sock = "$ENV{TEST_NGINX_SERVROOT}/logs/example.sock";
$ENV{TEST_NGINX_EXAMPLE_SOCK} = $Sock;

our %Values = (
    UPSTREAM => "127.0.0.1:$ENV{TEST_NGINX_UPSTREAM_PORT}",
    LISTEN   => "unix:$Sock",
    KEYS     => abs_path('t/data'),
    # made at test time by t/tools/make_certs.sh (scripts/run-t.sh)
    CERTS    => $ENV{TEST_NGINX_CERTS},
    REDIS    => "127.0.0.1:$ENV{TEST_NGINX_REDIS_PORT}",
);

# conf.d/<file> with its placeholders replaced
sub main::example {
    my ($file, %extra) = @_;
    my %v = (%Values, %extra);
    open my $fh, '<', "conf.d/$file" or die "conf.d/$file: $!";
    local $/;
    my $text = <$fh>;
    close $fh;
    # valgrind runs nginx tens of times slower: give the example's Redis
    # lookups time (the only literal the test changes in the examples)
    $text =~ s{ticketing_cache_timeout 50ms;}{ticketing_cache_timeout 5s;}
        if $ENV{TEST_NGINX_USE_VALGRIND};
    $text =~ s{\@([A-Z_]+)\@}
              { defined $v{$1} ? $v{$1} : die "conf.d/$file: no test value for \@$1\@\n" }ge;
    return $text;
}

# conf.d/gateway.conf has no placeholders: its literal addresses and paths
# are the ones a reader edits
sub main::gateway_example {
    my $text = main::example('gateway.conf');
    my $n = 0;
    $n += $text =~ s{listen 8080;}{listen $Values{LISTEN};};
    $n += $text =~ s{127\.0\.0\.1:8081}{$Values{UPSTREAM}};
    $n += $text =~ s{/etc/nginx/ticketing/}{$Values{KEYS}/};
    $n += $text =~ s{/var/log/nginx/}{$ENV{TEST_NGINX_SERVROOT}/logs/};
    die "conf.d/gateway.conf changed: update t/conf_examples.t\n" if $n != 4;
    return $text;
}

sub main::rs { return ('--key', 't/data/rs256.key', '--alg', 'RS256', @_) }
sub main::auth { return TicketingAuth::bearer(@_) }
our $Iss = '"iss":"https://idp.example.com/realms/ticketing"';

add_block_preprocessor(sub {
    my $block = shift;

    # the client side: everything goes to the example's server
    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location / {
        proxy_pass http://unix:$TEST_NGINX_EXAMPLE_SOCK:;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
_EOC_

    $block->set_value("no_error_log", "[error]\n[warn]\n[emerg]")
        unless defined $block->no_error_log;
});

run_tests();

__DATA__

=== TEST 1: front-of-gateway.conf: authenticated, provider normalized, identity forwarded, not cached
--- http_config eval
main::example('front-of-gateway.conf')
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/last",
 "GET /v2/issueLinkType",
 "GET /__mock/last"]
--- more_headers eval
["",
 "ticketing-provider:  jira  amarillo\nX-Ticketing-Subject: admin\n" . main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026'),
 "",
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026', '--claims', '{"sub":"bob","provider":"JiraCC"}'),
 ""]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_headers eval
["", "!X-Cache-Status", "", "", ""]
--- response_body_like eval
['"reset"', 'issuetypes',
 '^(?=.*"ticketing-provider":\s*"JAM")(?=.*"x-ticketing-subject":\s*"alice")(?!.*admin)',
 'Blocks',
 '^(?=.*"ticketing-provider":\s*"JCC")(?=.*"x-ticketing-subject":\s*"bob")']



=== TEST 2: front-of-gateway.conf: refusals are uniform and never reach the gateway behind
--- http_config eval
main::example('front-of-gateway.conf')
--- request eval
["GET /__mock/reset",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/no/such/operation",
 "GET /elsewhere",
 "GET /v2/ticket/field/info",
 "GET /__mock/count"]
--- more_headers eval
["", "",
 main::auth(main::rs()),
 "", "",
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026'),
 ""]
--- error_code eval
[200, 401, 401, 404, 404, 400, 200]
--- response_body_like eval
['"reset"',
 '"code":"0003".*"detailMsg":"no credentials"',
 '"code":"0003"',
 '"code":"0004"',
 '^\{"code":"0004","status":"NOT_FOUND"',
 '"code":"0015".*api_name',
 '"count": 0']



=== TEST 3: central-auth.conf: tokens, tenancy, organizations and their upstreams
--- http_config eval
main::example('central-auth.conf')
--- config
    location / {
        proxy_pass https://unix:$TEST_NGINX_EXAMPLE_SOCK:;
        proxy_ssl_session_reuse off;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /__mock/last",
 "GET /v2/orgs/masmovil/ticket/INST-7902",
 "GET /v2/orgs/vodafone/ticket/INST-7902",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/issueLinkType",
 "GET /v2/orgs/yoigo/ticket/INST-7902"]
--- more_headers eval
["",
 main::auth(main::rs('--claims', "{$main::Iss,\"orgs\":[\"yoigo\"],\"email\":\"a\@example.com\"}")),
 "",
 main::auth(main::rs('--claims', "{$main::Iss,\"orgs\":[\"yoigo\"]}")),
 main::auth(main::rs('--claims', "{$main::Iss,\"orgs\":[\"yoigo\",\"vodafone\"]}")),
 main::auth(main::rs('--claims', "{$main::Iss,\"orgs\":[\"masmovil\"]}")),
 "X-Ticketing-Org: masmovil\n" . main::auth(main::rs('--claims', "{$main::Iss,\"orgs\":[\"masmovil\"]}")),
 "",
 main::auth(main::rs('--claims', '{"iss":"https://evil.example","orgs":["yoigo"]}'))]
--- error_code eval
[200, 200, 200, 403, 404, 403, 200, 401, 401]
--- response_body_like eval
['"reset"', 'INST-7902',
 '^(?=.*"ticketing-provider":\s*"JAM")(?=.*"x-ticketing-subject":\s*"alice")(?=.*"x-ticketing-email":\s*"a\@example.com")',
 '"code":"0016"',
 'organization is not declared',
 '"code":"0016"',
 'Blocks',
 '"detailMsg":"no credentials"',
 'issuer']



=== TEST 4: central-auth.conf: services with client certificates
--- http_config eval
main::example('central-auth.conf')
--- config
    location /billing/ {
        proxy_pass https://unix:$TEST_NGINX_EXAMPLE_SOCK:/;
        proxy_ssl_session_reuse off;
        proxy_ssl_certificate     $TEST_NGINX_CERTS/client.crt;
        proxy_ssl_certificate_key $TEST_NGINX_CERTS/client.key;
    }
    location /reporting/ {
        proxy_pass https://unix:$TEST_NGINX_EXAMPLE_SOCK:/;
        proxy_ssl_session_reuse off;
        proxy_ssl_certificate     $TEST_NGINX_CERTS/client2.crt;
        proxy_ssl_certificate_key $TEST_NGINX_CERTS/client2.key;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /__mock/reset",
 "GET /billing/v2/orgs/masmovil/ticket/INST-7902",
 "GET /__mock/last",
 "GET /reporting/v2/ticket/metadata/types",
 "GET /reporting/v2/orgs/yoigo/ticket/INST-7902"]
--- error_code eval
[200, 200, 200, 200, 403]
--- response_body_like eval
['"reset"', 'INST-7902',
 '^(?=.*"ticketing-provider":\s*"JCC")(?=.*"x-ticketing-subject":\s*"CN=billing-service,O=Acme")',
 'issuetypes',
 '"code":"0016"']



=== TEST 5: caching.conf: MISS then HIT, only after authentication; the purge endpoint
--- http_config eval
main::example('caching.conf')
--- request eval
["DELETE /_ticketing/cache",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "DELETE /_ticketing/cache?operation=metadata.types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::auth(main::rs('--claims', '{"permissions":["ticketing.cache.purge"]}')),
 main::auth(main::rs()), main::auth(main::rs()), "",
 main::auth(main::rs('--claims', '{"permissions":["ticketing.cache.purge"]}')),
 main::auth(main::rs())]
--- error_code eval
[200, 200, 200, 401, 200, 200]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "!X-Cache-Status", "", "X-Cache-Status: MISS"]
--- response_body_like eval
['"purged":\d+', 'issuetypes', 'issuetypes', '"code":"0003"', '"purged":[1-9]', 'issuetypes']



=== TEST 6: gateway.conf, the minimal example, still loads and answers
--- http_config eval
main::gateway_example()
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType", "DELETE /v2/issueLinkType"]
--- more_headers eval
["ticketing-provider: JAM", "ticketing-provider: JAM\n" . main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026'), ""]
--- error_code eval
[401, 200, 405]
--- response_body_like eval
['"code":"0003"', 'Blocks', '"code":"0017"']



=== TEST 7: multi-instance.conf: MISS, HIT, 401 before the cache, purge, MISS
--- http_config eval
main::example('multi-instance.conf')
--- request eval
["DELETE /_ticketing/cache",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "DELETE /_ticketing/cache?operation=metadata.types",
 "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::auth(main::rs('--claims', '{"permissions":["ticketing.cache.purge"]}')),
 main::auth(main::rs()), main::auth(main::rs()), "",
 main::auth(main::rs('--claims', '{"permissions":["ticketing.cache.purge"]}')),
 main::auth(main::rs())]
--- error_code eval
[200, 200, 200, 401, 200, 200]
--- response_headers eval
["", "X-Cache-Status: MISS", "X-Cache-Status: HIT", "!X-Cache-Status", "", "X-Cache-Status: MISS"]
--- response_body_like eval
['"purged":\d+', 'issuetypes', 'issuetypes', '"code":"0003"', '"purged":[1-9]', 'issuetypes']
