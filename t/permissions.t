# Authorization: the API access role, the operation's permission (with
# per-operation overrides), claim locations of every shape (nested objects,
# names with dots, arrays, a space-separated scope), organization tenancy,
# identity headers that a client cannot spoof, and mTLS clients.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingLog qw(add_log_request);
use TicketingAuth;

repeat_each(1);
no_shuffle();

sub main::rs   { return ('--key', 't/data/rs256.key', '--alg', 'RS256', @_) }
sub main::auth { return TicketingAuth::bearer(@_) }
# a token whose only claims are "sub", "exp" and the given JSON
sub main::bare {
    return TicketingAuth::bearer(main::rs('--claims', $_[0], '--bare'),
                                 @_[1 .. $#_]);
}

our $forbidden = '^\{"code":"0016","status":"FORBIDDEN","message":"Forbidden","detailMsg":"%s"\}$';
sub main::f403 { return sprintf $forbidden, $_[0] }

our $exp = time + 3600;
sub main::claims { return '{"sub":"alice","exp":' . $exp . ',' . $_[0] . '}' }

# the mTLS server: a unix socket, so no port to pick
$ENV{TEST_NGINX_MTLS_SOCK} = "$ENV{TEST_NGINX_SERVROOT}/logs/mtls.sock"
    if defined $ENV{TEST_NGINX_SERVROOT};

add_block_preprocessor(sub {
    my $block = shift;

    my $mh = $block->more_headers;
    if (ref $mh eq 'ARRAY') {
        $block->set_value("more_headers", [ map { "ticketing-provider: JAM\n$_" } @$mh ]);
    } else {
        $block->set_value("more_headers", "ticketing-provider: JAM" . (defined $mh ? "\n$mh" : ""));
    }

    $block->set_value("http_config", <<'_EOC_') unless defined $block->http_config;
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
        keepalive 4;
    }
_EOC_

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_
    add_log_request($block);
});

run_tests();

__DATA__

=== TEST 1: the API access role missing: 403 insufficient_scope, upstream untouched
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/count"]
--- more_headers eval
["", main::auth(main::rs('--claims', '{"realm_access":{"roles":["other"]}}')), ""]
--- error_code eval
[200, 403, 200]
--- response_headers eval
["", "WWW-Authenticate: Bearer realm=\"ticketing\", error=\"insufficient_scope\"", ""]
--- response_body_like eval
['"reset"', main::f403('token lacks the API access role'), '"count":\s*0\b']
--- block_error_log
ticketing auth: token lacks the API access role
--- no_error_log
[error]



=== TEST 2: ia/summary without ticketing.ticket.iaSummary: 403; ticket.get with its permission passes
--- request eval
["GET /__mock/reset", "GET /v2/ticket/INST-7902/ia/summary", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/count"]
--- more_headers eval
["",
main::auth(main::rs('--claims', '{"permissions":["ticketing.ticket.get"]}')),
main::auth(main::rs('--claims', '{"permissions":["ticketing.ticket.get"]}')),
""]
--- error_code eval
[200, 403, 200, 200]
--- response_body_like eval
['"reset"', main::f403('token lacks permission ticketing.ticket.iaSummary'), '"key":\s*"INST-7902"', '"count":\s*1\b']
--- no_error_log
[error]



=== TEST 3: the API role alone is not enough; an empty permissions array neither
--- request eval
[("GET /v2/issueLinkType") x 2]
--- more_headers eval
[main::bare(main::claims('"realm_access":{"roles":["ticketing-mas.ticketing.access.allowed"]}')),
 main::bare(main::claims('"realm_access":{"roles":["ticketing-mas.ticketing.access.allowed"]},"permissions":[]'))]
--- error_code eval
[403, 403]
--- response_body_like eval
[(main::f403('token lacks permission ticketing.issueLinkType.read')) x 2]
--- no_error_log
[error]



=== TEST 4: Keycloak client roles: resource_access["ticketing-mas"].roles, names with dots
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_api_role ticketing.access.allowed;
        ticketing_roles_claim resource_access["ticketing-mas"].roles;
        ticketing_permissions_claim resource_access["ticketing-mas"].roles ["https://example.com/perms"];
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 4]
--- more_headers eval
[
main::bare(main::claims('"resource_access":{"ticketing-mas":{"roles":["ticketing.access.allowed","ticketing.issueLinkType.read"]}}')),
main::bare(main::claims('"resource_access":{"ticketing-mas":{"roles":["ticketing.access.allowed"]}},"https://example.com/perms":["ticketing.issueLinkType.read"]')),
main::bare(main::claims('"realm_access":{"roles":["ticketing.access.allowed"]},"https://example.com/perms":["ticketing.issueLinkType.read"]')),
main::bare(main::claims('"resource_access":{"other":{"roles":["ticketing.access.allowed","ticketing.issueLinkType.read"]}}')),
]
--- error_code eval
[200, 200, 403, 403]
--- response_body_like eval
['\[', '\[', main::f403('token lacks the API access role'), main::f403('token lacks the API access role')]
--- no_error_log
[error]



=== TEST 5: a space-separated scope string: whole words only
--- request eval
[("GET /v2/issueLinkType") x 3]
--- more_headers eval
[
main::bare(main::claims('"roles":["ticketing-mas.ticketing.access.allowed"],"scope":"openid ticketing.issueLinkType.read profile"')),
main::bare(main::claims('"roles":["ticketing-mas.ticketing.access.allowed"],"scope":"openid ticketing.issueLinkType.readx"')),
main::bare(main::claims('"roles":["ticketing-mas.ticketing.access.allowed"],"scope":["ticketing.issueLinkType"]')),
]
--- error_code eval
[200, 403, 403]
--- no_error_log
[error]



=== TEST 6: per-operation permission override; the role can be turned off
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_permission issueLinkType.list links:read;
        ticketing_api_role off;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType", "GET /v2/issueLinkType/10000"]
--- more_headers eval
[main::bare(main::claims('"scope":"links:read"')),
 main::bare(main::claims('"permissions":["ticketing.issueLinkType.read"]')),
 main::bare(main::claims('"permissions":["ticketing.issueLinkType.read"]'))]
--- error_code eval
[200, 403, 200]
--- response_body_like eval
['\[', main::f403('token lacks permission links:read'), '']
--- no_error_log
[error]



=== TEST 7: an unknown operation in ticketing_permission fails the configuration
--- config
    location /v2/ { ticketing_permission ticket.explode ticketing.boom; }
--- must_die
--- error_log
unknown operation "ticket.explode" in "ticketing_permission" directive



=== TEST 8: an invalid claim path fails the configuration
--- config
    location /v2/ { ticketing_roles_claim realm_access..roles; }
--- must_die
--- error_log
invalid claim path "realm_access..roles" in "ticketing_roles_claim" directive



=== TEST 9: tenancy: the token's orgs must contain the path's {org}
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/orgs/masmovil/ticket/INST-7902", "GET /v2/ticket/INST-7902/ia/summary", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/orgs/yoigo/ticket/INST-7902"]
--- more_headers eval
[main::auth(main::rs('--claims', '{"orgs":["yoigo"]}')),
 main::auth(main::rs('--claims', '{"orgs":["yoigo"]}')),
 main::auth(main::rs('--claims', '{"orgs":["yoigo"]}')),
 main::auth(main::rs()),
 main::auth(main::rs('--claims', '{"orgs":"masmovil yoigo"}'))]
--- error_code eval
[200, 403, 200, 403, 200]
--- response_body_like eval
['"key"', main::f403('token is not valid for this organization'), '', main::f403('token is not valid for this organization'), '"key"']
--- no_error_log
[error]



=== TEST 10: spoofed identity headers are removed; the gateway sets its own
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_auth_header X-Ticketing-Subject sub;
        ticketing_auth_header X-Ticketing-Email email;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/last", "GET /v2/issueLinkType", "GET /__mock/last"]
--- more_headers eval
["",
"X-Ticketing-Subject: admin\nx-ticketing-email: root\@example.com\nX-TICKETING-SUBJECT: root\n" . main::auth(main::rs('--claims', '{"email":"alice@example.com"}')),
"",
"X-Ticketing-Email: root\@example.com\n" . main::auth(main::rs()),
""]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_body_like eval
['"reset"', '\[',
'^(?=.*"x-ticketing-subject":\s*"alice")(?=.*"x-ticketing-email":\s*"alice\@example\.com")(?!.*admin)(?!.*root)',
'\[',
'^(?=.*"x-ticketing-subject":\s*"alice")(?!.*x-ticketing-email)(?!.*root)']
--- block_error_log
ticketing auth: removed 3 client-sent identity header(s)
--- no_error_log
[error]



=== TEST 11: spoofed identity headers are removed even where auth is off
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/last"]
--- more_headers eval
["", "X-Ticketing-Subject: admin", ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"reset"', '\[', '^(?!.*x-ticketing-subject)(?=.*"path")']
--- no_error_log
[error]



=== TEST 12: mTLS: a verified client certificate without Authorization is accepted
--- http_config
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    server {
        listen unix:$TEST_NGINX_MTLS_SOCK ssl;
        ssl_certificate     $TEST_NGINX_CERTS/server.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/server.key;
        ssl_client_certificate $TEST_NGINX_CERTS/ca.crt;
        ssl_verify_client optional_no_ca;

        location /v2/ {
            ticketing_gateway on;
            ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
            ticketing_auth_mtls on;
            ticketing_auth_mtls_client "CN=billing-service,O=Acme" all;
            ticketing_auth_mtls_client "CN=reporting-service,O=Acme" ticketing.issueLinkType.read;
            add_header X-Sub "[$ticketing_subject]" always;
            add_header X-Auth "[$ticketing_auth]" always;
            proxy_pass http://ticketing_api;
        }
        location /v2/issueLink/ {
            ticketing_gateway on;
            ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
            proxy_pass http://ticketing_api;
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
    location /rogue/ {
        proxy_pass https://unix:$TEST_NGINX_MTLS_SOCK:/;
        proxy_ssl_session_reuse off;
        proxy_ssl_certificate     $TEST_NGINX_CERTS/rogue.crt;
        proxy_ssl_certificate_key $TEST_NGINX_CERTS/rogue.key;
    }
    location /nocert/ {
        proxy_pass https://unix:$TEST_NGINX_MTLS_SOCK:/;
        proxy_ssl_session_reuse off;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /billing/v2/ticket/INST-7902/ia/summary",
 "GET /__mock/last",
 "GET /reporting/v2/issueLinkType",
 "GET /reporting/v2/orgs/yoigo/ticket/INST-7902",
 "GET /rogue/v2/issueLinkType",
 "GET /nocert/v2/issueLinkType",
 "GET /billing/v2/issueLink/10000",
]
--- more_headers eval
["", "X-Ticketing-Subject: admin", "", "", "", "", "", ""]
--- error_code eval
[200, 200, 200, 200, 403, 401, 401, 401]
--- response_headers eval
["", "X-Sub: [CN=billing-service,O=Acme]\nX-Auth: [mtls]", "", "X-Sub: [CN=reporting-service,O=Acme]", "", "", "", ""]
--- response_body_like eval
['"reset"', 'operative_summary',
 '^(?=.*"x-ticketing-subject":\s*"CN=billing-service,O=Acme")(?!.*admin)',
 '\[',
 main::f403("client certificate lacks the operation's permission"),
 '"detailMsg":"no credentials"',
 '"detailMsg":"no credentials"',
 '"detailMsg":"no credentials"']
--- no_error_log
[error]



=== TEST 13: mTLS: with an Authorization header the token decides, certificate or not
--- http_config
    server {
        listen unix:$TEST_NGINX_MTLS_SOCK ssl;
        ssl_certificate     $TEST_NGINX_CERTS/server.crt;
        ssl_certificate_key $TEST_NGINX_CERTS/server.key;
        ssl_client_certificate $TEST_NGINX_CERTS/ca.crt;
        ssl_verify_client optional;

        location /v2/ {
            ticketing_gateway on;
            ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
            ticketing_auth_mtls on;
            ticketing_auth_mtls_client * all;
            proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
        }
    }
--- config
    location /billing/ {
        proxy_pass https://unix:$TEST_NGINX_MTLS_SOCK:/;
        proxy_ssl_session_reuse off;
        proxy_ssl_certificate     $TEST_NGINX_CERTS/client.crt;
        proxy_ssl_certificate_key $TEST_NGINX_CERTS/client.key;
    }
--- request eval
["GET /billing/v2/issueLinkType", "GET /billing/v2/ticket/INST-7902/ia/summary", "GET /billing/v2/issueLinkType"]
--- more_headers eval
["Authorization: Bearer not.a.token",
 main::auth(main::rs('--claims', '{"permissions":["ticketing.issueLinkType.read"]}')),
 ""]
--- error_code eval
[401, 403, 200]
--- response_body_like eval
['"detailMsg":"malformed token header', main::f403('token lacks permission ticketing.ticket.iaSummary'), '\[']
--- no_error_log
[error]



=== TEST 14: ticketing_auth_mtls on needs a client list
--- config
    location /v2/ { ticketing_gateway on; ticketing_auth_mtls on; }
--- must_die
--- error_log
"ticketing_auth_mtls" is on, but no "ticketing_auth_mtls_client" is configured



=== TEST 15: an identity header cannot be one nginx or HTTP gives a meaning
--- config
    location /v2/ { ticketing_auth_header Host sub; }
--- must_die
--- error_log
header "Host" cannot carry an identity in "ticketing_auth_header" directive



=== TEST 16: one cached token: each operation's permission and each location's configuration is checked on its own
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /v2/orgs/acme/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_permission ticket.get ticketing.ticket.restricted;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/orgs/acme/ticket/INST-7902",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/orgs/acme/ticket/INST-7902",
 "GET /v2/ticket/INST-7902/ia/summary",
 "GET /__mock/count"]
--- more_headers eval
my $token = main::auth(main::rs('--claims', '{"permissions":["ticketing.ticket.get"]}'));
["", ($token) x 6, ""]
--- error_code eval
[200, 200, 403, 403, 200, 403, 403, 200]
--- response_body_like eval
['"reset"',
 '"key":\s*"INST-7902"', main::f403('token lacks permission ticketing.ticket.restricted'),
 main::f403('token lacks permission ticketing.ticket.iaSummary'),
 '"key":\s*"INST-7902"', main::f403('token lacks permission ticketing.ticket.restricted'),
 main::f403('token lacks permission ticketing.ticket.iaSummary'),
 '"count":\s*2\b']
--- no_error_log
[error]
