# The steps together, in their order: route, authenticate and authorize,
# provider and organization, validate.  What a step refuses never reaches
# the next one nor the upstream, and one step's result feeds the next (the
# verified claims give the default provider and bound the organization).

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingAuth;

repeat_each(1);
no_shuffle();

sub main::token {
    return TicketingAuth::bearer('--key', 't/data/rs256.key', '--alg', 'RS256',
                                 @_ ? ('--claims', $_[0]) : ());
}

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", <<'_EOC_') unless defined $block->http_config;
    upstream yoigo_backend {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    upstream masmovil_backend {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    ticketing_org yoigo    upstream=yoigo_backend provider=JAM;
    ticketing_org masmovil upstream=masmovil_backend;
_EOC_

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        ticketing_org_header x-ticketing-org;
        ticketing_provider_claim tp;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
_EOC_
});

our $unauth = '^\{"code":"0003","status":"UNAUTHORIZED","message":"Unauthorized","detailMsg":"[^"]+"\}$';

run_tests();

__DATA__

=== TEST 1: routing comes first: an unknown path is a 404 with or without a token
--- request eval
["GET /v2/no/such/operation", "GET /v2/no/such/operation"]
--- more_headers eval
["", main::token()]
--- error_code eval
[404, 404]
--- response_body_like eval
['"code":"0004"', '"code":"0004"']
--- no_error_log
[error]



=== TEST 2: auth before organizations: no token for an undeclared org is a 401, not a 404
--- request eval
["GET /__mock/reset", "GET /v2/orgs/nosuchorg/ticket/INST-7902", "GET /v2/orgs/nosuchorg/ticket/INST-7902", "GET /__mock/count"]
--- more_headers eval
["", "", main::token('{"orgs":["nosuchorg"]}'), ""]
--- error_code eval
[200, 401, 404, 200]
--- response_body_like eval
['reset', $::unauth, '"detailMsg":"organization is not declared"', '"count":\s*0\b']
--- response_headers_like eval
["", "WWW-Authenticate: Bearer realm=\"ticketing\"", "", ""]
--- no_error_log
[error]



=== TEST 3: auth before validation: an invalid body without a token is a 401
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/comment\n{\"nobody\":1}", "POST /v2/ticket/INST-7902/comment\n{\"nobody\":1}", "GET /__mock/count"]
--- more_headers eval
["",
 "Content-Type: application/json\nx-ticketing-org: yoigo",
 "Content-Type: application/json\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'),
 ""]
--- error_code eval
[200, 401, 400, 200]
--- response_body_like eval
['reset', $::unauth, '"code":"0015".*"detailMsg":"[^"]*body', '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 4: the default provider comes from the verified token's claim
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["", "x-ticketing-org: masmovil\n" . main::token('{"orgs":["masmovil"],"tp":"jira next"}'), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['reset', '"issuetypes"', '"ticketing-provider":\s*"JNEXT"']
--- no_error_log
[error]



=== TEST 5: the organization's own provider wins over the claim
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/last"]
--- more_headers eval
["", main::token('{"orgs":["yoigo"],"tp":"JNEXT"}'), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['reset', '"key":\s*"INST-7902"', '"ticketing-provider":\s*"JAM"']
--- no_error_log
[error]



=== TEST 6: tenancy also bounds an organization chosen by header: another org's is a 403
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nx-ticketing-org: masmovil\n" . main::token('{"orgs":["yoigo"]}'),
 "ticketing-provider: JAM\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'),
 ""]
--- error_code eval
[200, 403, 200, 200]
--- response_body_like eval
['reset', '^\{"code":"0016","status":"FORBIDDEN","message":"Forbidden","detailMsg":"token is not valid for this organization"\}$', '"issuetypes"', '"count":\s*1\b']
--- response_headers_like eval
["", "WWW-Authenticate: Bearer realm=\"ticketing\", error=\"insufficient_scope\"", "", ""]
--- no_error_log
[error]



=== TEST 7: tenancy bounds the default organization too
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        ticketing_default_org masmovil;
        proxy_pass http://$ticketing_upstream;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
["ticketing-provider: JAM\n" . main::token('{"orgs":["yoigo"]}'),
 "ticketing-provider: JAM\n" . main::token('{"orgs":["masmovil"]}')]
--- error_code eval
[403, 200]
--- response_body_like eval
['"detailMsg":"token is not valid for this organization"', '"Blocks"']
--- no_error_log
[error]



=== TEST 8: the gateway's own 401 passes the error filter untouched, WWW-Authenticate kept
--- request
GET /v2/orgs/yoigo/ticket/INST-7902
--- more_headers
Authorization: Bearer not.a.token
--- error_code: 401
--- response_headers_like
WWW-Authenticate: Bearer realm="ticketing", error="invalid_token"
Content-Type: application/json
--- response_body_like: ^\{"code":"0003","status":"UNAUTHORIZED","message":"Unauthorized","detailMsg":"[^"]+"\}$
--- no_error_log
[error]



=== TEST 9: tenancy compares organization names by the routing's rule (case-insensitive)
--- request eval
["GET /v2/orgs/YOIGO/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /v2/orgs/YOIGO/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902"]
--- more_headers eval
["ticketing-provider: JAM\n" . main::token('{"orgs":["yoigo"]}'),
 "ticketing-provider: JAM\n" . main::token('{"orgs":["YoIgO"]}'),
 "ticketing-provider: JAM\nx-ticketing-org: MASMOVIL\n" . main::token('{"orgs":["MasMovil"]}'),
 "ticketing-provider: JAM\nx-ticketing-org: masmovil\n" . main::token('{"orgs":"yoigo MASMOVIL"}'),
 "ticketing-provider: JAM\n" . main::token('{"orgs":["masmovil"]}'),
 "ticketing-provider: JAM\n" . main::token('{"orgs":["yoigo/", "yoigo*", " yoigo"]}')]
--- error_code eval
[200, 200, 200, 200, 403, 403]
--- response_body_like eval
['"key":\s*"INST-7902"', '"key":\s*"INST-7902"', '"issuetypes"', '"issuetypes"',
 '"detailMsg":"token is not valid for this organization"',
 '"detailMsg":"token is not valid for this organization"']
--- no_error_log
[error]
