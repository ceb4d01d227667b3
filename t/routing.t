# Default deny: unknown paths (404), wrong methods (405 + Allow), malformed
# path parameters (400). None of them may reach the upstream.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingLog qw(add_log_request);

repeat_each(1);
no_shuffle();

# Every block runs the same gateway in front of the mock API; a block that
# sets its own config keeps it.
add_block_preprocessor(sub {
    my $block = shift;

    if (!defined $block->http_config) {
        # Routing is the point here, not authentication (t/jwt.t,
        # t/permissions.t): routing refusals come before auth anyway.
        $block->set_value("http_config", <<'_EOC_');
    ticketing_auth off;
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
        keepalive 4;
    }
_EOC_
    }

    if (!defined $block->config) {
        $block->set_value("config", <<'_EOC_');
    location /v2/ {
        ticketing_gateway on;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_
    }
    add_log_request($block);
});

run_tests();

__DATA__

=== TEST 1: unknown path under /v2: uniform 404, the mock saw nothing
--- request eval
["GET /__mock/reset", "GET /v2/no/such/operation", "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 404, 200]
--- response_body_like eval
['"reset"', '^\{"code":"0004","status":"NOT_FOUND","message":"Not found","detailMsg":"no Ticketing API operation at this path"\}$', '"count":\s*0\b']
--- response_headers
Content-Type: application/json
--- block_error_log
ticketing: refused with 404: no Ticketing API operation at this path
--- no_error_log
[error]



=== TEST 2: unknown paths of every kind get the uniform 404
--- request eval
[
"GET /v2",
"GET /v2/",
"GET /v2/ticket",
"GET /v2/ticket/metadata",
"GET /v2/ticket/metadata/types/",
"GET /v2/ticket/metadata/types/extra",
"GET /v2/Ticket/metadata/types",
"GET /v2/orgs/yoigo",
"GET /v2/orgs/yoigo/tickets/1",
"GET /v2/issueLinkTypes",
"GET /v3/issueLinkType",
"GET /v2/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r",
]
--- error_code eval
[404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404]
--- response_body_like eval
[('^\{"code":"0004","status":"NOT_FOUND","message":"Not found","detailMsg":"no Ticketing API operation at this path"\}$') x 12]
--- config
    location /v {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
--- no_error_log
[error]



=== TEST 3: wrong method on a single-method path: 405 with Allow
--- request
DELETE /v2/issueLinkType
--- error_code: 405
--- response_headers
Allow: GET
Content-Type: application/json
--- response_body chomp
{"code":"0017","status":"METHOD_NOT_ALLOWED","message":"Method Not Allowed","detailMsg":"method DELETE is not allowed here; allowed: GET"}
--- no_error_log
[error]



=== TEST 4: wrong method on a two-method path: Allow lists both
--- request
DELETE /v2/orgs/yoigo/ticket/INST-7902
--- error_code: 405
--- response_headers
Allow: GET, PATCH
--- response_body chomp
{"code":"0017","status":"METHOD_NOT_ALLOWED","message":"Method Not Allowed","detailMsg":"method DELETE is not allowed here; allowed: GET, PATCH"}
--- no_error_log
[error]



=== TEST 5: 405 for every kind of path, and the mock saw none of them
--- request eval
[
"GET /__mock/reset",
"PUT /v2/orgs/yoigo/ticket",
"POST /v2/orgs/yoigo/ticket/INST-7902",
"DELETE /v2/orgs/yoigo/search/ticket",
"PUT /v2/orgs/yoigo/ticket/INST-7902/transitions",
"GET /v2/ticket/INST-7902/assignee",
"POST /v2/ticket/metadata/types",
"PATCH /v2/issueLink/10001",
"GET /v2/attachment/24819",
"GET /v2/remotelink",
"POST /v2/issueLinkType/10000",
"GET /v2/ticket/INST-7902/grid",
"GET /__mock/count",
]
--- error_code eval
[200, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 200]
--- response_headers eval
[
"",
"Allow: POST",
"Allow: GET, PATCH",
"Allow: GET, POST",
"Allow: GET, POST",
"Allow: PUT",
"Allow: GET",
"Allow: GET, DELETE",
"Allow: DELETE",
"Allow: POST",
"Allow: GET",
"Allow: PUT",
"",
]
--- response_body_like eval
['reset', ('^\{"code":"0017","status":"METHOD_NOT_ALLOWED","message":"Method Not Allowed","detailMsg":"method [A-Z]+ is not allowed here; allowed: [A-Z, ]+"\}$') x 11, '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 6: HEAD and OPTIONS are not catalogue methods
--- request eval
["HEAD /v2/ticket/metadata/types", "OPTIONS /v2/ticket/metadata/types"]
--- error_code eval
[405, 405]
--- response_headers eval
["Allow: GET\nContent-Type: application/json", "Allow: GET\nContent-Type: application/json"]
--- response_body eval
["", qq({"code":"0017","status":"METHOD_NOT_ALLOWED","message":"Method Not Allowed","detailMsg":"method OPTIONS is not allowed here; allowed: GET"})]
--- no_error_log
[error]



=== TEST 7: encoded slash in a ticket id: 400 naming the parameter
--- request
GET /v2/orgs/yoigo/ticket/INST%2F7902
--- error_code: 400
--- response_headers
Content-Type: application/json
--- response_body chomp
{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"path parameter ticketId contains an encoded slash"}
--- error_log
ticketing: refused with 400: path parameter ticketId contains an encoded slash
--- no_error_log
[error]



=== TEST 8: malformed parameters of every kind: 400, the mock saw none
--- request eval
[
"GET /__mock/reset",
"GET /v2/orgs/yoigo/ticket/INST%2f7902",
"GET /v2/orgs/yoigo/ticket/INST%5C7902",
"GET /v2/orgs/yoigo/ticket/%2e%2e",
"GET /v2/orgs/yoigo/ticket/%2E",
"GET /v2/orgs//ticket/1",
"POST /v2/ticket/%01/comment",
"POST /v2/ticket/a%0Ab/comment",
"POST /v2/ticket/a%20b/comment",
"POST /v2/ticket/%C3%A9/attachment",
"GET /v2/ticket/1/attachment/a%2Fb",
"DELETE /v2/attachment/%2F",
"GET /v2/issueLink/",
"GET /v2/issueLinkType/a%3Bb",
"GET /v2/orgs/yo%2Fgo/searchByTerritoryOwner",
"GET /v2/ticket/" . ("9" x 129) . "/ia/summary",
"GET /__mock/count",
]
--- error_code eval
[200, (400) x 15, 200]
--- response_body_like eval
[
'reset',
'"detailMsg":"path parameter ticketId contains an encoded slash"',
'"detailMsg":"path parameter ticketId contains an encoded slash"',
'"detailMsg":"path parameter ticketId is a dot-segment"',
'"detailMsg":"path parameter ticketId is a dot-segment"',
'"detailMsg":"path parameter org is empty"',
'"detailMsg":"path parameter ticketId contains a control character"',
'"detailMsg":"path parameter ticketId contains a control character"',
'"detailMsg":"path parameter ticketId contains a character that is not allowed',
'"detailMsg":"path parameter ticketId contains a character that is not allowed',
'"detailMsg":"path parameter attachmentId contains an encoded slash"',
'"detailMsg":"path parameter attachmentId contains an encoded slash"',
'"detailMsg":"path parameter issueLinkId is empty"',
'"detailMsg":"path parameter issueLinkId contains a character that is not allowed',
'"detailMsg":"path parameter org contains an encoded slash"',
'"detailMsg":"path parameter ticketId is too long"',
'"count":\s*0\b',
]
--- no_error_log
[error]



=== TEST 9: a malformed parameter is refused before the method is looked at
--- request
DELETE /v2/orgs/yoigo/ticket/%2e%2e
--- error_code: 400
--- response_body_like: "path parameter ticketId is a dot-segment"
--- no_error_log
[error]



=== TEST 10: a 128-byte ticket id is accepted and forwarded as sent
--- request eval
["GET /__mock/reset", "GET /v2/ticket/" . ("A" x 128) . "/ia/summary", "GET /__mock/last"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 404, 200]
--- response_body_like eval
['reset', '"code":\s*"0004"', '"path":\s*"/v2/ticket/A{128}/ia/summary"']
--- no_error_log
[error]



=== TEST 11: percent-encoded unreserved characters are decoded in variables, forwarded raw
--- config
    location /v2/ {
        ticketing_gateway on;
        add_header X-Op $ticketing_operation;
        add_header X-Ticket $ticketing_ticket_id;
        add_header X-Org $ticketing_org;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yo%69go/ticket/INST%2D7902", "GET /__mock/last"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Op: ticket.get\nX-Ticket: INST-7902\nX-Org: yoigo", ""]
--- response_body_like eval
['reset', '"key":\s*"INST-7902"', '"path":\s*"/v2/orgs/yo%69go/ticket/INST%2D7902"']
--- no_error_log
[error]



=== TEST 12: literal segments win over parameters
--- config
    location /v2/ {
        ticketing_gateway on;
        add_header X-Op $ticketing_operation;
        add_header X-Ticket "[$ticketing_ticket_id]";
        proxy_pass http://ticketing_api;
    }
--- request eval
[
"GET /v2/ticket/metadata/types",
"GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
"GET /v2/ticket/field/info?api_name=segment",
"GET /v2/ticket/INST-7902/metadata/update/properties",
]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
[
"X-Op: metadata.types\nX-Ticket: []",
"X-Op: metadata.createProperties\nX-Ticket: []",
"X-Op: metadata.fieldInfo\nX-Ticket: []",
"X-Op: metadata.updateProperties\nX-Ticket: [INST-7902]",
]
--- no_error_log
[error]



=== TEST 13: a dot-segment outside a parameter position is simply not an operation
--- raw_request eval
"GET /v2/ticket/../issueLinkType HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
--- error_code: 404
--- response_body_like: "code":"0004"
--- no_error_log
[error]



=== TEST 14: the refused request's body is discarded, the connection stays usable
--- request
POST /v2/no/such/operation
{"project":"INST","ticketType":"Incidencia","summary":"x"}
--- more_headers
Content-Type: application/json
--- error_code: 404
--- response_body_like: "code":"0004"
--- no_error_log
[error]



=== TEST 15: a literal segment matches only as sent: an encoded one is a 404, never forwarded
--- request eval
["GET /__mock/reset", "GET /v2/%74icket/metadata/types", "GET /%762/issueLinkType", "GET /v2/%69ssueLinkType/1", "GET /v2/issueLinkType", "GET /__mock/requests"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 404, 404, 404, 200, 200]
--- response_body_like eval
['"reset"', '"code":"0004"', '"code":"0004"', '"code":"0004"', '"Blocks"',
 '^\[\{"method":\s*"GET",\s*"path":\s*"/v2/issueLinkType"[^\]]*\]$']
--- no_error_log
[error]
