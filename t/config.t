# Configuration errors fail "nginx -t" (here: nginx refuses to start) with a
# message that names the directive, or the location, and the problem.  One
# block per class of mistake, then the configurations that must keep
# working.  Other files test their own directives' finer points (t/orgs.t,
# t/provider.t, t/jwt.t, t/cache.t, t/errors.t); this one is the audit:
# every class listed in docs/troubleshooting.md, "Configuration checks", is here.

use Test::Nginx::Socket 'no_plan';
use Cwd qw(abs_path);

# key files are named by absolute path
$ENV{TEST_NGINX_DATA} = abs_path("t/data");

repeat_each(1);
no_shuffle();

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", <<'_EOC_') unless defined $block->http_config;
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
_EOC_

    if (!defined $block->must_die) {
        $block->set_value("no_error_log", "[error]\n[warn]\n[emerg]")
            unless defined $block->no_error_log;
    }
});

run_tests();

__DATA__

=== TEST 1: a key file that cannot be read
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem /nonexistent/ticketing/key.pem;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log
open() "/nonexistent/ticketing/key.pem" failed in "ticketing_jwt_key_file" directive (2: No such file or directory)



=== TEST 2: a PEM key file that holds no public key (a certificate)
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_CERTS/ca.crt;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log eval
qr{invalid key file "[^"]*/ca\.crt" in "ticketing_jwt_key_file" directive: \S}



=== TEST 3: a JWKS file that is not a JWKS
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_DATA/rs256.pub;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log eval
qr{invalid key file "[^"]*/rs256\.pub" in "ticketing_jwt_key_file" directive: \S}



=== TEST 4: an HMAC secret that is too short
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file hmac $TEST_NGINX_DATA/short.key;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log eval
qr{invalid key file "[^"]*/short\.key" in "ticketing_jwt_key_file" directive: \S}



=== TEST 5: an unknown key type
--- config
    location /v2/ {
        ticketing_jwt_key_file x509 $TEST_NGINX_DATA/rs256.pub;
    }
--- must_die
--- error_log
invalid key type "x509" in "ticketing_jwt_key_file" directive, it must be "hmac", "pem" or "jwks"



=== TEST 6: an unknown algorithm ("none" is never one)
--- config
    location /v2/ { ticketing_jwt_algorithms RS256 none; }
--- must_die
--- error_log
invalid algorithm "none" in "ticketing_jwt_algorithms" directive



=== TEST 7: an unknown operation name in ticketing_permission
--- config
    location /v2/ { ticketing_permission ticket.fetch tickets:read; }
--- must_die
--- error_log
unknown operation "ticket.fetch" in "ticketing_permission" directive



=== TEST 8: an unknown operation name in ticketing_cache_ttl
--- config
    location /v2/ { ticketing_cache_ttl metadata.kinds 1h; }
--- must_die
--- error_log
unknown operation "metadata.kinds" in "ticketing_cache_ttl" directive



=== TEST 9: an operation that is not cacheable in ticketing_cache_ttl
--- config
    location /v2/ { ticketing_cache_ttl ticket.get 1h; }
--- must_die
--- error_log
operation "ticket.get" is not cacheable in "ticketing_cache_ttl" directive



=== TEST 10: a permission name that could never match (a space in it)
--- config
    location /v2/ { ticketing_permission ticket.get "tickets read"; }
--- must_die
--- error_log
invalid permission name "tickets read" in "ticketing_permission" directive: it must be printable ASCII without spaces



=== TEST 11: the same for an mTLS client's permissions
--- config
    location /v2/ {
        ticketing_auth_mtls_client "CN=reports,O=Acme" ticketing.ticket.get "";
    }
--- must_die
--- error_log
invalid permission name "" in "ticketing_auth_mtls_client" directive



=== TEST 12: a Redis host name needs nginx's resolver (nothing blocks)
--- http_config
    ticketing_redis redis.example.com:6379;
--- config
    location = /t { return 204; }
--- must_die
--- error_log
"ticketing_redis redis.example.com:6379": a host name is resolved with nginx's "resolver", and none is defined



=== TEST 13: a Redis address that is not a host name
--- http_config
    ticketing_redis redis/example:6379;
--- config
    location = /t { return 204; }
--- must_die
--- error_log
invalid address "redis/example:6379" in "ticketing_redis" directive



=== TEST 14: an unknown ticketing_redis parameter
--- http_config
    ticketing_redis 127.0.0.1:6379 timeout=1s;
--- config
    location = /t { return 204; }
--- must_die
--- error_log
invalid parameter "timeout=1s" in "ticketing_redis" directive



=== TEST 15: a duplicate organization
--- http_config
    upstream a { server 127.0.0.1:1; }
    ticketing_org yoigo upstream=a;
    ticketing_org YOIGO upstream=a;
--- config
    location = /t { return 204; }
--- must_die
--- error_log
organization "YOIGO" is duplicate (names compare case-insensitively)



=== TEST 16: an organization routed to something that is not an upstream block
--- http_config
    ticketing_org yoigo upstream=nowhere;
--- config
    location = /t { return 204; }
--- must_die
--- error_log
upstream "nowhere" of "ticketing_org" "yoigo"



=== TEST 17: a provider alias that maps to two providers
--- http_config
    ticketing_provider JAM "Jira Amarillo";
    ticketing_provider JCC "jira  amarillo";
--- config
    location = /t { return 204; }
--- must_die
--- error_log
provider name or alias "jira  amarillo" is duplicate (already a name of "JAM")



=== TEST 18: an unknown default provider
--- config
    location /v2/ { ticketing_provider_default JIRA; }
--- must_die
--- error_log
unknown provider "JIRA" in "ticketing_provider_default" directive; allowed: JAM, JCC, TGJ, JNEXT



=== TEST 19: a default organization that is not declared
--- http_config
    upstream a { server 127.0.0.1:1; }
    ticketing_org yoigo upstream=a;
--- config
    location /v2/ { ticketing_default_org masmovil; }
--- must_die
--- error_log
"ticketing_default_org" "masmovil" is not declared by "ticketing_org"



=== TEST 20: a TTL that does not parse
--- config
    location /v2/ { ticketing_cache_ttl metadata.types 1x; }
--- must_die
--- error_log
invalid value "1x" in "ticketing_cache_ttl" directive



=== TEST 21: times and sizes that do not parse (nginx's own message)
--- config
    location /v2/ { ticketing_cache_timeout soon; }
--- must_die
--- error_log
"ticketing_cache_timeout" directive invalid value



=== TEST 22: the same for the token leeway
--- config
    location /v2/ { ticketing_jwt_leeway a-minute; }
--- must_die
--- error_log
"ticketing_jwt_leeway" directive invalid value



=== TEST 23: the cache without a Redis server
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
        ticketing_cache on;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log
"ticketing_cache on" needs a "ticketing_redis" directive at the http level



=== TEST 24: a gateway location with no upstream
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
    }
--- must_die
--- error_log
"ticketing_gateway" is on in location "/v2/" but it has no upstream: add "proxy_pass" there, or "ticketing_gateway off" if the location does not serve the API



=== TEST 25: a nested location inherits the gateway, not proxy_pass
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
        proxy_pass http://ticketing_api;

        location /v2/ticket/ {
            add_header X-Ticket 1;
        }
    }
--- must_die
--- error_log
"ticketing_gateway" is on in location "/v2/ticket/" but it has no upstream



=== TEST 26: auth on (the default) with no key and no mTLS would refuse everything
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log
"ticketing_gateway" is on in location "/v2/" with "ticketing_auth on" but none of "ticketing_jwt_key_file", "ticketing_jwks_url" and "ticketing_auth_mtls" is configured for it, so every request would be refused: add a key, or "ticketing_auth off"



=== TEST 27: the same when the gateway is turned on for the whole server
--- config
    ticketing_gateway on;
    location /api/ {
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log
"ticketing_gateway" is on in location "/api/" with "ticketing_auth on" but none of



=== TEST 28: mTLS on without any client
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth_mtls on;
        proxy_pass http://ticketing_api;
    }
--- must_die
--- error_log
"ticketing_auth_mtls" is on, but no "ticketing_auth_mtls_client" is configured



=== TEST 29: ticketing_error_map of a status that already has a code
--- config
    location /v2/ { ticketing_error_map 404 0099 MISSING "Missing"; }
--- must_die
--- error_log
status 404 in "ticketing_error_map" directive already has a built-in code



=== TEST 30: fine: a gateway location with a key, an mTLS-only one, one with auth off
--- config
    location /v2/orgs/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_permission ticket.get tickets:read;
        proxy_pass http://ticketing_api;
    }
    location /v2/ticket/ {
        ticketing_gateway on;
        ticketing_auth_mtls on;
        ticketing_auth_mtls_client "CN=reports,O=Acme" ticketing.ticket.get;
        proxy_pass http://ticketing_api;
    }
    location /v2/issueLink {
        ticketing_gateway on;
        ticketing_auth off;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/ticket/metadata/types", "GET /v2/issueLinkX"]
--- error_code eval
[401, 401, 404]
--- response_body_like eval
['"detailMsg":"no credentials"', '"code":"0003"', '"detailMsg":"no Ticketing API operation at this path"']



=== TEST 31: fine: server-level gateway; a location that answers with return needs no upstream
--- config
    ticketing_gateway on;
    ticketing_auth off;
    location = /health {
        return 200 "ok\n";
    }
    location /v2/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /health", "GET /v2/nope"]
--- error_code eval
[200, 404]



=== TEST 32: fine: "ticketing_gateway off" in a nested location; "if" takes its location's proxy_pass
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
        if ($arg_x) {
            add_header X-If 1;
        }
        proxy_pass http://ticketing_api;

        location /v2/static/ {
            ticketing_gateway off;
            return 200 "static\n";
        }
    }
--- request eval
["GET /v2/static/x", "GET /v2/nope?x=1"]
--- error_code eval
[200, 404]



=== TEST 33: fine: Redis on a unix socket, cache TTLs, a named location with its own upstream
--- http_config
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    ticketing_redis unix:/nonexistent/redis.sock connect_timeout=100ms;
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
        ticketing_cache on;
        ticketing_cache_ttl metadata.types 90s;
        ticketing_cache_ttl issueLinkType.list 0;
        error_page 418 = @fallback;
        proxy_pass http://ticketing_api;
    }
    location @fallback {
        ticketing_gateway on;
        ticketing_auth off;
        proxy_pass http://ticketing_api;
    }
--- request
GET /v2/nope
--- error_code: 404
--- no_error_log
[emerg]
