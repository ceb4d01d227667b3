# Header authority: the gateway decides on the method, the path, the
# organization and the provider.  Nothing a client sends may make the
# upstream act on something else: method override headers are refused, the
# organization header the upstream receives names the organization routed
# and authorized, and a second Content-Type (the gateway validates one) is
# refused.  The mock's record shows what reached the upstream.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingAuth;

repeat_each(1);
no_shuffle();

sub main::token {
    return TicketingAuth::bearer('--key', 't/data/rs256.key', '--alg', 'RS256',
                                 @_ ? ('--claims', $_[0]) : ());
}

# n filler request headers
sub main::fill {
    my ($n) = @_;
    my $s = '';
    $s .= sprintf "X-Fill-%02d: v\n", $_ for 1 .. $n;
    return $s;
}

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", <<'_EOC_') unless defined $block->http_config;
    upstream mock {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    ticketing_org yoigo    upstream=mock provider=JAM;
    ticketing_org masmovil upstream=mock;
_EOC_

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        ticketing_org_header x-ticketing-org;
        ticketing_provider_default JAM;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
_EOC_
});

our $bad = '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"%s"\}$';
our $override = sprintf $bad, 'method override headers are not accepted: send the request with its own method';
our $ctype = sprintf $bad, 'the Content-Type header is repeated';

# the default configuration with an identity header
our $identity_config = <<'_EOC_';
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        ticketing_org_header x-ticketing-org;
        ticketing_provider_default JAM;
        ticketing_auth_header x-ticketing-subject sub;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: X-HTTP-Method-Override on a GET authorized as a read is refused, nothing forwarded
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/count"]
--- more_headers eval
["", "X-HTTP-Method-Override: DELETE\n" . main::token('{"orgs":["yoigo"]}'), ""]
--- error_code eval
[200, 400, 200]
--- response_body_like eval
['reset', $::override, '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 2: X-Method-Override and X-HTTP-Method in any case are refused too, even naming the same method
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/count"]
--- more_headers eval
["",
 "x-method-override: PATCH\n" . main::token('{"orgs":["yoigo"]}'),
 "X-HTTP-METHOD: DELETE\n" . main::token('{"orgs":["yoigo"]}'),
 "X-Http-Method-Override: GET\n" . main::token('{"orgs":["yoigo"]}'),
 ""]
--- error_code eval
[200, 400, 400, 400, 200]
--- response_body_like eval
['reset', $::override, $::override, $::override, '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 3: a refused override is logged at info with the header's name
--- request
GET /v2/orgs/yoigo/ticket/INST-7902
--- more_headers eval
"X-HTTP-Method-Override: DELETE\n" . main::token('{"orgs":["yoigo"]}')
--- error_code: 400
--- error_log
refused a method override header "X-HTTP-Method-Override"
--- no_error_log
[error]



=== TEST 4: the organization header on a path with {org} is replaced by the path's organization
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/last"]
--- more_headers eval
["", "x-ticketing-org: masmovil\nX-Ticketing-Org: other\n" . main::token('{"orgs":["yoigo"]}'), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['reset', '"key":\s*"INST-7902"', '"x-ticketing-org":\s*"yoigo"']
--- no_error_log
[error]



=== TEST 5: the organization header sent in another case reaches the upstream as the declared name
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["", "x-ticketing-org: YOIGO\n" . main::token('{"orgs":["yoigo"]}'), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['reset', '"issuetypes"', '"x-ticketing-org":\s*"yoigo"']
--- no_error_log
[error]



=== TEST 6: two Content-Type headers are refused (the gateway validates one), nothing forwarded
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/comment\n{\"body\":\"hi\"}", "POST /v2/ticket/INST-7902/comment\n{\"body\":\"hi\"}", "GET /__mock/count"]
--- more_headers eval
["",
 "Content-Type: application/json\nContent-Type: text/plain\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'),
 "Content-Type: application/json\nContent-Type: application/json\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'),
 ""]
--- error_code eval
[200, 400, 400, 200]
--- response_body_like eval
['reset', $::ctype, $::ctype, '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 7: one Content-Type passes, and the upstream receives exactly that one
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/comment\n{\"body\":\"hi\"}", "GET /__mock/last"]
--- more_headers eval
["", "Content-Type: application/json\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'), ""]
--- error_code eval
[200, 201, 200]
--- response_body_like eval
['reset', '"body":\s*"hi"', '"content-type":\s*"application/json"']
--- no_error_log
[error]



=== TEST 8: without declared organizations the organization header is still bounded by tenancy
--- http_config
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        ticketing_org_header x-ticketing-org;
        ticketing_provider_default JAM;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /v2/issueLinkType", "GET /__mock/last", "GET /v2/issueLinkType", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/last"]
--- more_headers eval
["",
 "x-ticketing-org: masmovil\n" . main::token('{"orgs":["yoigo"]}'),
 "x-ticketing-org: Yoigo\n" . main::token('{"orgs":["yoigo"]}'),
 "",
 "x-ticketing-org: yoigo\nx-ticketing-org: masmovil\n" . main::token('{"orgs":["yoigo"]}'),
 "x-ticketing-org: masmovil\n" . main::token('{"orgs":["yoigo"]}'),
 ""]
--- error_code eval
[200, 403, 200, 200, 400, 200, 200]
--- response_body_like eval
['reset', '"detailMsg":"token is not valid for this organization"', '"Blocks"',
 '"x-ticketing-org":\s*"yoigo"', '"detailMsg":"the organization header is repeated"',
 '"key":\s*"INST-7902"', '"x-ticketing-org":\s*"yoigo"']
--- no_error_log
[error]



=== TEST 9: with underscores_in_headers on, underscore spellings are the same headers
--- config
    underscores_in_headers on;
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        ticketing_org_header x-ticketing-org;
        ticketing_provider_default JAM;
        ticketing_auth_header x-ticketing-subject sub;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "POST /v2/ticket/INST-7902/comment\n{\"body\":\"hi\"}", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/last"]
--- more_headers eval
["",
 "X_HTTP_Method_Override: DELETE\n" . main::token('{"orgs":["yoigo"]}'),
 "Content-Type: application/json\ncontent_type: text/plain\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'),
 "X_Ticketing_Subject: admin\nticketing_provider: TGJ\nx_ticketing_org: masmovil\n" . main::token('{"orgs":["yoigo"]}'),
 ""]
--- error_code eval
[200, 400, 400, 200, 200]
--- response_body_like eval
['reset', $::override, $::ctype, '"key":\s*"INST-7902"',
 '^(?!.*(?:admin|masmovil|x_ticketing|ticketing_provider)).*"x-ticketing-subject":\s*"alice".*$']
--- no_error_log
[error]



=== TEST 10: a client-sent identity header is removed and a POST's one Content-Type still passes
--- config eval: $::identity_config
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/comment\n{\"body\":\"hi\"}", "GET /__mock/last"]
--- more_headers eval
["", "X-Ticketing-Subject: admin\nContent-Type: application/json\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'), ""]
--- error_code eval
[200, 201, 200]
--- response_body_like eval
['reset', '"body":\s*"hi"',
 '^(?!.*admin).*"content-type":\s*"application/json".*"x-ticketing-subject":\s*"alice"']
--- no_error_log
[error]



=== TEST 11: headers removed and added across the parts of a long header list: every other header reaches the upstream once, in order
--- config eval: $::identity_config
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/last"]
--- more_headers eval
["", "X-Fill-01: v01\nX-Fill-02: v02\nX-Fill-03: v03\nX-Ticketing-Subject: admin03\nX-Fill-04: v04\nX-Fill-05: v05\nX-Fill-06: v06\nX-Fill-07: v07\nX-Fill-08: v08\nX-Fill-09: v09\nX-Fill-10: v10\nX-Fill-11: v11\nX-Fill-12: v12\nX-Fill-13: v13\nX-Fill-14: v14\nX-Fill-15: v15\nX-Fill-16: v16\nX-Fill-17: v17\nticketing-provider: jam\nX-Fill-18: v18\nX-Ticketing-Subject: admin18\nX-Fill-19: v19\nX-Ticketing-Subject: admin19\nx-ticketing-org: masmovil\nX-Fill-20: v20\nX-Ticketing-Subject: admin20\nX-Fill-21: v21\nX-Ticketing-Subject: admin21\nX-Fill-22: v22\nticketing-provider: jam\nX-Fill-23: v23\nX-Fill-24: v24\nX-Fill-25: v25\nX-Fill-26: v26\nX-Fill-27: v27\nX-Fill-28: v28\nX-Fill-29: v29\nX-Fill-30: v30\nX-Fill-31: v31\nX-Fill-32: v32\nX-Fill-33: v33\nX-Ticketing-Subject: admin33\nX-Fill-34: v34\nX-Fill-35: v35\nX-Fill-36: v36\nX-Fill-37: v37\nX-Fill-38: v38\nX-Fill-39: v39\nX-Fill-40: v40\nX-Ticketing-Subject: last\n" . main::token('{"orgs":["yoigo"]}'), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['reset', '"key":\s*"INST-7902"',
 '^(?!.*(?:admin|last|masmovil|"jam"))' . CORE::join('', map { sprintf '.*"x-fill-%02d":\s*"v%02d"', $_, $_ } 1 .. 40)
 . '(?=.*"ticketing-provider":\s*"JAM")(?=.*"x-ticketing-org":\s*"yoigo")(?=.*"x-ticketing-subject":\s*"alice")']
--- no_error_log
[error]



=== TEST 12: a header removed from a full last part of the header list, then headers added: for every length of the list
--- config eval: $::identity_config
--- request eval
[map { "GET /v2/orgs/yoigo/ticket/INST-7902" } 21 .. 60]
--- more_headers eval
[map { main::fill($_) . "X-Ticketing-Subject: admin\nticketing-provider: jam\n"
       . main::token('{"orgs":["yoigo"]}') } 21 .. 60]
--- error_code eval
[map { 200 } 21 .. 60]
--- response_body_like eval
[map { '"key":\s*"INST-7902"' } 21 .. 60]
--- no_error_log
[error]



=== TEST 13: every header of the list removed (HTTP/1.0, no Host): the gateway's headers still reach the upstream
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
        ticketing_provider_default JAM;
        ticketing_auth_header x-ticketing-subject sub;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- raw_request eval
"GET /v2/orgs/yoigo/ticket/INST-7902 HTTP/1.0\r\nX-Ticketing-Subject: admin\r\nX_Ticketing_Subject: root\r\n\r\n"
--- error_code: 200
--- response_body_like: "key":\s*"INST-7902"
--- no_error_log
[error]



=== TEST 14: Content_Type alone (underscores_in_headers on) is refused as such; an identity claim with a space at either end is not forwarded
--- config
    underscores_in_headers on;
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_tenancy_claim orgs;
        ticketing_org_header x-ticketing-org;
        ticketing_provider_default JAM;
        ticketing_auth_header x-ticketing-subject sub;
        ticketing_auth_header x-ticketing-email email;
        proxy_pass http://$ticketing_upstream;
    }
    location /__mock/ {
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/comment\n{\"body\":\"hi\"}",
 "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/last"]
--- more_headers eval
["",
 "Content_Type: application/json\nx-ticketing-org: yoigo\n" . main::token('{"orgs":["yoigo"]}'),
 main::token('{"orgs":["yoigo"],"sub":" alice","email":"bob@example.com "}'), ""]
--- error_code eval
[200, 400, 200, 200]
--- response_body_like eval
['reset', sprintf($::bad, 'Content-Type spelled with \\\\"_\\\\" is not accepted: send Content-Type'),
 '"key":\s*"INST-7902"', '^(?!.*"x-ticketing-(?:subject|email)").*"x-ticketing-org":\s*"yoigo"']
--- no_error_log
[error]
