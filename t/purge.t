# The cache purge endpoint is protected like the gateway: a Bearer token
# (or a client certificate) verified by the same code, the API access role,
# and a permission of its own (ticketing.cache.purge by default,
# ticketing_cache_purge_permission).  Refusals are 401/403 in the uniform
# schema, with WWW-Authenticate, and purge nothing.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingAuth;

repeat_each(1);
no_shuffle();

sub main::rs { return ('--key', 't/data/rs256.key', '--alg', 'RS256', @_) }
sub main::auth { return TicketingAuth::bearer(main::rs(@_)) }
sub main::perms {
    return main::auth('--claims', '{"permissions":' . $_[0] . '}');
}

our $unauthorized = '^\{"code":"0003","status":"UNAUTHORIZED","message":"Unauthorized","detailMsg":"%s"\}$';
our $forbidden = '^\{"code":"0016","status":"FORBIDDEN","message":"Forbidden","detailMsg":"%s"\}$';
sub main::u401 { return sprintf $unauthorized, $_[0] }
sub main::f403 { return sprintf $forbidden, $_[0] }

my $BlockNo = 0;

$ENV{TEST_NGINX_MTLS_SOCK} = "$ENV{TEST_NGINX_SERVROOT}/logs/mtls.sock"
    if defined $ENV{TEST_NGINX_SERVROOT};

add_block_preprocessor(sub {
    my $block = shift;
    $BlockNo++;
    my $prefix = "tp$$-" . time() . "-$BlockNo";

    $block->set_value("http_config", <<"_EOC_" . ($block->http_config // ""));
    ticketing_redis 127.0.0.1:\$TEST_NGINX_REDIS_PORT prefix=$prefix;
    ticketing_jwt_key_file pem \$TEST_NGINX_DATA/rs256.pub;
_EOC_

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location = /cache {
        ticketing_cache_purge;
        ticketing_cache_timeout 2s;
    }
_EOC_
});

run_tests();

__DATA__

=== TEST 1: no token: 401, nothing purged
--- request
DELETE /cache
--- error_code: 401
--- response_headers
WWW-Authenticate: Bearer realm="ticketing"
Content-Type: application/json
--- response_body_like eval
main::u401('no credentials')
--- error_log
ticketing auth: no credentials
--- no_error_log
ticketing cache: purge "
[error]



=== TEST 2: a token with every operation's permission but not the purge one: 403
--- request
DELETE /cache?provider=JAM
--- more_headers eval
main::auth()
--- error_code: 403
--- response_headers
WWW-Authenticate: Bearer realm="ticketing", error="insufficient_scope"
--- response_body_like eval
main::f403('token lacks permission ticketing.cache.purge')
--- no_error_log
ticketing cache: purge "
[error]



=== TEST 3: a token with the purge permission: purged
--- request
DELETE /cache?provider=JAM
--- more_headers eval
main::perms('["ticketing.cache.purge"]')
--- error_code: 200
--- response_body_like eval
'^\{"purged":0\}$'
--- error_log
ticketing cache: purge "
--- no_error_log
[error]



=== TEST 4: an invalid token (another key signed it): 401 invalid_token
--- request
DELETE /cache
--- more_headers eval
TicketingAuth::bearer('--key', 't/data/rs256-other.key', '--alg', 'RS256',
                      '--claims', '{"permissions":["ticketing.cache.purge"]}')
--- error_code: 401
--- response_headers
WWW-Authenticate: Bearer realm="ticketing", error="invalid_token"
--- response_body_like eval
main::u401('token signature is invalid')
--- no_error_log
ticketing cache: purge "
[error]



=== TEST 5: the purge permission without the API access role: 403
--- request
DELETE /cache
--- more_headers eval
main::auth('--claims', '{"realm_access":{"roles":[]},"permissions":["ticketing.cache.purge"]}')
--- error_code: 403
--- response_body_like eval
main::f403('token lacks the API access role')
--- no_error_log
ticketing cache: purge "
[error]



=== TEST 6: ticketing_cache_purge_permission: another permission, read from scope too
--- config
    location = /cache {
        ticketing_cache_purge;
        ticketing_cache_purge_permission ops.cache.purge;
    }
--- request eval
["DELETE /cache", "DELETE /cache", "DELETE /cache"]
--- more_headers eval
[main::perms('["ticketing.cache.purge"]'),
 main::perms('["ops.cache.purge"]'),
 main::auth('--claims', '{"permissions":null,"scope":"openid ops.cache.purge"}')]
--- error_code eval
[403, 200, 200]
--- response_body_like eval
[main::f403('token lacks permission ops.cache.purge'),
 '^\{"purged":0\}$', '^\{"purged":0\}$']
--- no_error_log
[error]



=== TEST 7: a refused purge leaves the entries: purged only by the allowed request
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 2s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location = /cache {
        ticketing_cache_purge;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types",
 "DELETE /cache?provider=JAM", "GET /v2/ticket/metadata/types",
 "DELETE /cache?provider=JAM", "GET /v2/ticket/metadata/types"]
--- more_headers eval
[("ticketing-provider: JAM\n" . main::auth()) x 2,
 main::auth(),
 "ticketing-provider: JAM\n" . main::auth(),
 main::perms('["ticketing.cache.purge"]'),
 "ticketing-provider: JAM\n" . main::auth()]
--- error_code eval
[200, 200, 403, 200, 200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT", "",
 "X-Cache-Status: HIT", "", "X-Cache-Status: MISS"]
--- response_body_like eval
['.', '.', main::f403('token lacks permission ticketing.cache.purge'),
 '.', '^\{"purged":1\}$', '.']
--- no_error_log
[error]



=== TEST 8: ticketing_auth off where the purge is: only allow/deny protect it
--- config
    location = /cache {
        ticketing_auth off;
        allow 127.0.0.1;
        deny all;
        ticketing_cache_purge;
    }
--- request
DELETE /cache
--- error_code: 200
--- response_body_like eval
'^\{"purged":0\}$'
--- no_error_log
[error]



=== TEST 9: mTLS: a client certificate listed with the purge permission purges, another is refused
--- http_config
    server {
        listen unix:$TEST_NGINX_MTLS_SOCK ssl;
        ssl_certificate     $TEST_NGINX_CERTS/server.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/server.key;
        ssl_client_certificate $TEST_NGINX_CERTS/ca.crt;
        ssl_verify_client optional;

        location = /cache {
            ticketing_auth_mtls on;
            ticketing_auth_mtls_client "CN=billing-service,O=Acme" ticketing.cache.purge;
            ticketing_auth_mtls_client "CN=reporting-service,O=Acme" ticketing.issueLinkType.read;
            ticketing_cache_purge;
        }
    }
--- config
    location /billing/ {
        proxy_pass https://unix:$TEST_NGINX_MTLS_SOCK:/;
        proxy_ssl_session_reuse off;
        proxy_ssl_certificate     $TEST_NGINX_CERTS/client.crt;
        proxy_ssl_certificate_key $TEST_NGINX_CERTS/client.key;
    }
    location /reporting/ {
        proxy_pass https://unix:$TEST_NGINX_MTLS_SOCK:/;
        proxy_ssl_session_reuse off;
        proxy_ssl_certificate     $TEST_NGINX_CERTS/client2.crt;
        proxy_ssl_certificate_key $TEST_NGINX_CERTS/client2.key;
    }
    location /nocert/ {
        proxy_pass https://unix:$TEST_NGINX_MTLS_SOCK:/;
        proxy_ssl_session_reuse off;
    }
--- request eval
["DELETE /billing/cache", "DELETE /reporting/cache", "DELETE /nocert/cache"]
--- error_code eval
[200, 403, 401]
--- response_body_like eval
['^\{"purged":0\}$',
 main::f403("client certificate lacks the operation's permission"),
 main::u401('no credentials')]
--- no_error_log
[error]
