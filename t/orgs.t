# Organizations: declared in configuration, each with its upstream and
# default provider.  An undeclared {org} gets a uniform 404 and nothing is
# sent upstream; $ticketing_upstream routes each organization to its own
# upstream group; operations without {org} take the organization header,
# else ticketing_default_org.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingLog qw(add_log_request);

repeat_each(1);
no_shuffle();

# Two upstream groups: "yoigo_backend" is the mock API; "masmovil_backend"
# is a second server of this nginx, on a unix socket, that answers with
# what it received, so a test can tell which upstream got a request.  (Not
# on 127.0.0.1 and the test port: Test::Nginx's own server listens on that
# port on every address, and the more specific one would take its
# requests.)
$ENV{TEST_NGINX_ORGS_SOCK} = "/tmp/ticketing-orgs-t-$$.sock";
END { unlink $ENV{TEST_NGINX_ORGS_SOCK} }

add_block_preprocessor(sub {
    my $block = shift;
    unlink $ENV{TEST_NGINX_ORGS_SOCK};    # nginx leaves it behind

    $block->set_value("http_config", <<'_EOC_') unless defined $block->http_config;
    upstream yoigo_backend {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    upstream masmovil_backend {
        server unix:$TEST_NGINX_ORGS_SOCK;
    }
    server {
        listen unix:$TEST_NGINX_ORGS_SOCK;
        server_name masmovil_backend;
        location / {
            return 200 "masmovil_backend got $request_uri provider=$http_ticketing_provider\n";
        }
    }
    ticketing_org yoigo    upstream=yoigo_backend;
    ticketing_org MasMovil upstream=masmovil_backend provider=JCC;
_EOC_

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
        ticketing_default_org yoigo;
        ticketing_org_header X-Ticketing-Org;
        add_header X-Upstream $ticketing_upstream always;
        add_header X-Provider $ticketing_provider always;
        proxy_set_header Host $ticketing_upstream;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://yoigo_backend;
    }
_EOC_

    $block->set_value("no_error_log", "[error]\n[warn]") unless defined $block->no_error_log;

    # authentication is the subject of t/jwt.t and t/permissions.t: off here
    $block->set_value("http_config", "    ticketing_auth off;\n"
                                     . ($block->http_config // ""));
    add_log_request($block);
});

run_tests();

__DATA__

=== TEST 1: an undeclared organization: uniform 404, nothing upstream
--- request eval
["GET /__mock/reset", "GET /v2/orgs/vodafone/ticket/INST-7902", "POST /v2/orgs/nobody/ticket\n{}", "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
Content-Type: application/json
--- error_code eval
[200, 404, 404, 200]
--- response_body eval
['{"reset": true}',
 '{"code":"0004","status":"NOT_FOUND","message":"Not found","detailMsg":"organization is not declared"}',
 '{"code":"0004","status":"NOT_FOUND","message":"Not found","detailMsg":"organization is not declared"}',
 '{"count": 0}']
--- block_error_log
ticketing provider: undeclared organization



=== TEST 2: organization names compare case-insensitively; the path is forwarded as sent
--- request eval
["GET /__mock/reset", "GET /v2/orgs/YOIGO/ticket/INST-7902", "GET /__mock/last"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Upstream: yoigo_backend", ""]
--- response_body_like eval
['"reset"', '"key":\s*"INST-7902"', '"path":\s*"/v2/orgs/YOIGO/ticket/INST-7902"']



=== TEST 3: two organizations go to two different upstreams
--- request eval
["GET /__mock/reset",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/masmovil/ticket/MAS-1201",
 "GET /v2/orgs/MASMOVIL/searchByTerritoryOwner",
 "GET /__mock/requests"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200, 200, 200, 200]
--- response_headers eval
["", "X-Upstream: yoigo_backend", "X-Upstream: masmovil_backend", "X-Upstream: masmovil_backend", ""]
--- response_body_like eval
['"reset"',
 '"key":\s*"INST-7902"',
 '^masmovil_backend got /v2/orgs/masmovil/ticket/MAS-1201 provider=JAM$',
 '^masmovil_backend got /v2/orgs/MASMOVIL/searchByTerritoryOwner provider=JAM$',
 '^\[\{[^\[]*"path":\s*"/v2/orgs/yoigo/ticket/INST-7902"[^\]]*\}\]$']



=== TEST 4: the organization's default provider applies when the header is missing; the header wins
--- request eval
["GET /v2/orgs/masmovil/ticket/MAS-1201", "GET /v2/orgs/masmovil/ticket/MAS-1201", "GET /v2/orgs/yoigo/ticket/INST-7902"]
--- more_headers eval
["", "ticketing-provider: tgjira", ""]
--- error_code eval
[200, 200, 400]
--- response_headers eval
["X-Provider: JCC", "X-Provider: TGJ", ""]
--- response_body_like eval
['provider=JCC$', 'provider=TGJ$',
 '"detailMsg":"the ticketing-provider header is required; allowed values: JAM, JCC, TGJ, JNEXT"']



=== TEST 5: the org's default provider comes before the location's
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_default_org yoigo;
        ticketing_provider_default JNEXT;
        add_header X-Provider $ticketing_provider always;
        proxy_set_header Host $ticketing_upstream;
        proxy_pass http://$ticketing_upstream;
    }
--- request eval
["GET /v2/orgs/masmovil/ticket/MAS-1201", "GET /v2/orgs/yoigo/ticket/INST-7902"]
--- error_code eval
[200, 200]
--- response_headers eval
["X-Provider: JCC", "X-Provider: JNEXT"]



=== TEST 6: operations without {org}: the header wins over ticketing_default_org
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM", "ticketing-provider: JAM\nX-Ticketing-Org: MasMovil", "X-Ticketing-Org: masmovil", ""]
--- error_code eval
[200, 200, 200, 200, 200]
--- response_headers eval
["", "X-Upstream: yoigo_backend", "X-Upstream: masmovil_backend", "X-Upstream: masmovil_backend\nX-Provider: JCC", ""]
--- response_body_like eval
['"reset"', '"projectKey"', '^masmovil_backend got /v2/ticket/metadata/types provider=JAM$',
 '^masmovil_backend got /v2/ticket/metadata/types provider=JCC$', '"count":\s*1\b']



=== TEST 7: the organization header: undeclared 404, malformed or repeated 400, nothing upstream
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nX-Ticketing-Org: vodafone",
 "ticketing-provider: JAM\nX-Ticketing-Org: yo igo",
 "ticketing-provider: JAM\nX-Ticketing-Org: yoigo\nX-Ticketing-Org: yoigo",
 "ticketing-provider: JAM\nX-Ticketing-Org: ",
 ""]
--- error_code eval
[200, 404, 400, 400, 400, 200]
--- response_body_like eval
['"reset"',
 '"detailMsg":"organization is not declared"',
 '"detailMsg":"the organization header is not a valid organization name"',
 '"detailMsg":"the organization header is repeated"',
 '"detailMsg":"the organization header is not a valid organization name"',
 '"count":\s*0\b']



=== TEST 8: no organization for an operation without {org}: 400, nothing upstream
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_org_header X-Ticketing-Org;
        proxy_pass http://$ticketing_upstream;
    }
    location /v3/ {
        ticketing_gateway on;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://yoigo_backend;
    }
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /v3/ticket/metadata/types", "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 400, 404, 200]
--- response_body_like eval
['"reset"',
 '"detailMsg":"this operation needs an organization: send the organization header"',
 '"code":"0004"',
 '"count":\s*0\b']



=== TEST 9: no organization declared: organizations are not enforced
--- http_config
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- config
    location /v2/ {
        ticketing_gateway on;
        add_header X-Upstream "[$ticketing_upstream]" always;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/orgs/anyone/ticket/INST-7902", "GET /v2/ticket/metadata/types"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200]
--- response_headers eval
["X-Upstream: []", "X-Upstream: []"]



=== TEST 10: a duplicate organization (case-insensitive): nginx -t fails
--- http_config
    upstream yoigo_backend { server 127.0.0.1:1; }
    ticketing_org yoigo upstream=yoigo_backend;
    ticketing_org Yoigo upstream=yoigo_backend;
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
organization "Yoigo" is duplicate (names compare case-insensitively)



=== TEST 11: an organization's upstream must be an upstream block
--- http_config
    ticketing_org yoigo upstream=nowhere;
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
upstream "nowhere" of "ticketing_org" "yoigo" in



=== TEST 12: an organization's provider must be known
--- http_config
    upstream yoigo_backend { server 127.0.0.1:1; }
    ticketing_org yoigo upstream=yoigo_backend provider=JIRA;
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
unknown provider "JIRA" in "ticketing_org" "yoigo"



=== TEST 13: bad ticketing_org syntax and names
--- http_config
    upstream yoigo_backend { server 127.0.0.1:1; }
    ticketing_org yoigo provider=JAM;
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
"ticketing_org" directive needs "upstream=" for organization "yoigo"



=== TEST 14: an invalid organization name
--- http_config
    upstream yoigo_backend { server 127.0.0.1:1; }
    ticketing_org "yo/igo" upstream=yoigo_backend;
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
invalid organization name "yo/igo" in "ticketing_org" directive



=== TEST 15: an unknown parameter
--- http_config
    upstream yoigo_backend { server 127.0.0.1:1; }
    ticketing_org yoigo upstream=yoigo_backend weight=2;
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
invalid parameter "weight=2" in "ticketing_org" directive



=== TEST 16: ticketing_default_org must be declared
--- http_config
    upstream yoigo_backend { server 127.0.0.1:1; }
    ticketing_org yoigo upstream=yoigo_backend;
--- config
    location /v2/ { ticketing_gateway on; ticketing_default_org vodafone; }
--- must_die
--- error_log
"ticketing_default_org" "vodafone" is not declared by "ticketing_org"
