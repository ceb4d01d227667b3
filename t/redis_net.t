# Redis as deployments run it: TLS (server verification, name checks, SNI),
# an ACL user, a host name resolved with nginx's resolver.  The services
# are scripts/run-t.sh's: a TLS-only redis-server with the ACL user
# "gateway" (TEST_NGINX_REDIS_TLS_PORT, TEST_NGINX_REDIS_TLS_PASSWORD; its
# certificate is certs/server.crt: DNS:localhost, IP:127.0.0.1, signed by
# certs/ca.crt) and a DNS responder (TEST_NGINX_DNS_PORT) where redis.test
# is 127.0.0.1.
#
# "PREFIX" in a block's http_config becomes a key prefix of its own.  The
# lookups wait up to 10 s (ticketing_cache_timeout), so that a failure to
# connect is always known, and logged, before the answer: a block that
# checks a log line sends one request (Test::Nginx checks error_log after
# each request against what that request logged).

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingRedis;

repeat_each(1);
no_shuffle();

add_block_preprocessor(sub { TicketingRedis::gateway_block($_[0], 'rn') });

sub password { $ENV{TEST_NGINX_REDIS_TLS_PASSWORD} }

run_tests();

__DATA__

=== TEST 1: TLS, the CA verified, an ACL user: MISS then HIT
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        username=gateway password=$TEST_NGINX_REDIS_TLS_PASSWORD;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
["!X-Cache-Status", "X-Cache-Status: MISS", "X-Cache-Status: HIT",
 "!X-Cache-Status"]
--- response_body_like eval
["reset", "", "", '\{"count": 1\}']
--- no_error_log eval
["[warn]", "[error]", main::password()]



=== TEST 2: TLS to a host name, SNI and the name checked: HIT
--- http_config
    resolver 127.0.0.1:$TEST_NGINX_DNS_PORT valid=1s;
    ticketing_redis redis.test:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        username=gateway password=$TEST_NGINX_REDIS_TLS_PASSWORD;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
    ticketing_redis_ssl_name localhost;
    ticketing_redis_ssl_server_name on;
    ticketing_redis_ssl_protocols TLSv1.3;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log eval
["[warn]", "[error]", main::password()]



=== TEST 3: a CA that did not sign the server: refused, logged, BYPASS
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        username=gateway password=$TEST_NGINX_REDIS_TLS_PASSWORD;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/rogue-ca.crt;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/ticketing cache: redis 127\.0\.0\.1:\d+: connect failed: TLS certificate of 127\.0\.0\.1:\d+ not verified \(\d+: [a-z -]+\)/]
--- no_error_log eval
[main::password()]



=== TEST 4: a certificate that does not name the host: refused, BYPASS
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        username=gateway password=$TEST_NGINX_REDIS_TLS_PASSWORD;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
    ticketing_redis_ssl_name redis.example.com;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/connect failed: TLS certificate of 127\.0\.0\.1:\d+ does not match "redis\.example\.com"/]



=== TEST 5: verification off: the same server is used (a choice, logged nowhere)
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        username=gateway password=$TEST_NGINX_REDIS_TLS_PASSWORD;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_verify off;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log
[warn]



=== TEST 6: a wrong password: AUTH refused, logged without it, BYPASS
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        username=gateway password=not-the-password-4711;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/redis 127\.0\.0\.1:\d+: AUTH failed: WRONGPASS/]
--- no_error_log eval
["not-the-password-4711", main::password()]



=== TEST 7: plain TCP to a TLS-only server: no hang, BYPASS
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        connect_timeout=500ms;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: BYPASS", "X-Cache-Status: BYPASS"]



=== TEST 8: a host name resolved with nginx's resolver: MISS then HIT
--- http_config
    resolver 127.0.0.1:$TEST_NGINX_DNS_PORT valid=1s;
    ticketing_redis redis.test:$TEST_NGINX_REDIS_PORT prefix=PREFIX;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log
[warn]



=== TEST 9: a host name that does not resolve: logged, BYPASS, no hang
--- http_config
    resolver 127.0.0.1:$TEST_NGINX_DNS_PORT valid=1s;
    ticketing_redis nosuch.test:$TEST_NGINX_REDIS_PORT prefix=PREFIX;
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_headers
X-Cache-Status: BYPASS
--- error_log eval
[qr/redis nosuch\.test:\d+: connect failed: "nosuch\.test" could not be resolved \(3: Host not found\)/]



=== TEST 10: TLS on without a CA to verify with: refused at start
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX;
    ticketing_redis_ssl on;
--- must_die
--- error_log
"ticketing_redis_ssl_verify" is on (the default) and no "ticketing_redis_ssl_trusted_certificate" is defined



=== TEST 11: a client certificate without its key: refused at start
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
    ticketing_redis_ssl_certificate $TEST_NGINX_CERTS/client.crt;
--- must_die
--- error_log
no "ticketing_redis_ssl_certificate_key" is defined for certificate



=== TEST 12: username= without password=: refused at start
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_PORT username=gateway;
--- must_die
--- error_log
"ticketing_redis": username= needs password=



=== TEST 13: a client certificate is presented and accepted
--- http_config
    ticketing_redis 127.0.0.1:$TEST_NGINX_REDIS_TLS_PORT prefix=PREFIX
        username=gateway password=$TEST_NGINX_REDIS_TLS_PASSWORD;
    ticketing_redis_ssl on;
    ticketing_redis_ssl_trusted_certificate $TEST_NGINX_CERTS/ca.crt;
    ticketing_redis_ssl_certificate $TEST_NGINX_CERTS/client.crt;
    ticketing_redis_ssl_certificate_key $TEST_NGINX_CERTS/client.key;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT"]
--- no_error_log
[warn]
