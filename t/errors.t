# One error language: every error a client receives through a gateway
# location has the uniform schema {"code","status","message","detailMsg"},
# whatever the upstream (or nginx itself) answered.  Success responses pass
# untouched; no upstream error body is ever sent as it came: a uniform one
# is serialized again from its checked members (TEST 14, 43), its detail
# kept only when its code, status and message are those of its HTTP status
# and the detail is clean and safe (TEST 35-39), disguised leaks included
# (TEST 41-42).

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingLog qw(add_log_request);
use IO::Socket::INET;
use HTTP::Tiny;

repeat_each(1);
no_shuffle();

# a port nothing listens on, for "connection refused" (free-port picking)
{
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1)
        or die "cannot pick a free port: $!";
    $ENV{TEST_NGINX_CLOSED_PORT} = $s->sockport;
    close $s;
}

# what the mock answers directly, to compare with what the gateway passes
sub mock_get {
    my ($path, %headers) = @_;
    my $res = HTTP::Tiny->new->get(
        "http://127.0.0.1:$ENV{TEST_NGINX_UPSTREAM_PORT}$path",
        { headers => { 'ticketing-provider' => 'JAM', %headers } });
    die "mock: $res->{status} $res->{reason}\n" if $res->{status} == 599;
    return $res;
}

# code, status, message of the statuses used below (docs/how-it-works.md, "Errors")
our %KIND = (
    400 => ['0015', 'BAD_REQUEST', 'Bad Request'],
    401 => ['0003', 'UNAUTHORIZED', 'Unauthorized'],
    403 => ['0016', 'FORBIDDEN', 'Forbidden'],
    404 => ['0004', 'NOT_FOUND', 'Not found'],
    405 => ['0017', 'METHOD_NOT_ALLOWED', 'Method Not Allowed'],
    409 => ['0020', 'CONFLICT', 'Conflict'],
    413 => ['0022', 'PAYLOAD_TOO_LARGE', 'Payload Too Large'],
    414 => ['0023', 'URI_TOO_LONG', 'URI Too Long'],
    422 => ['0025', 'UNPROCESSABLE_ENTITY', 'Unprocessable Entity'],
    431 => ['0027', 'HEADERS_TOO_LARGE', 'Request Header Fields Too Large'],
    500 => ['0002', 'UNEXPECTED', 'Unexpected Error'],
    502 => ['0029', 'BAD_GATEWAY', 'Bad Gateway'],
    503 => ['0030', 'SERVICE_UNAVAILABLE', 'Service Unavailable'],
    504 => ['0031', 'GATEWAY_TIMEOUT', 'Gateway Timeout'],
);

our @STATUSES = (400, 401, 403, 404, 409, 422, 500, 502, 503, 504);

# the uniform body the gateway sends for a status and a detail (undef: null)
sub ub {
    my ($status, $detail) = @_;
    my $k = $KIND{$status} or die "no kind for $status";
    my $d = defined $detail ? qq{"$detail"} : 'null';
    return qq({"code":"$k->[0]","status":"$k->[1]","message":"$k->[2]",)
           . qq("detailMsg":$d});
}

# X-Mock-Error: <kind> with each status of @STATUSES
# an expected body, refused if it holds one of the leaks $re names
sub no_leak {
    my ($body, $re) = @_;
    die "expected body $body matches /$re/\n" if $body =~ /$re/;
    return $body;
}

sub injected {
    my ($kind) = @_;
    return [ map { "X-Mock-Error: $kind\nX-Mock-Status: $_" } @STATUSES ];
}

add_block_preprocessor(sub {
    my $block = shift;

    if (!defined $block->http_config) {
        $block->set_value("http_config", <<'_EOC_');
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
        keepalive 4;
    }
_EOC_
    }

    # the error kinds are the point here, not the provider: every request
    # gets the default one (t/provider.t covers the header)
    $block->set_value("http_config", "    ticketing_provider_default JAM;\n"
                                     . $block->http_config);

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

    # authentication is the subject of t/jwt.t and t/permissions.t: off here
    $block->set_value("http_config", "    ticketing_auth off;\n"
                                     . ($block->http_config // ""));
    add_log_request($block);
});

run_tests();

__DATA__

=== TEST 1: Jira-style 400: uniform body, the Jira messages as detail
--- request
GET /v2/ticket/metadata/types
--- more_headers
X-Mock-Error: jira
--- error_code: 400
--- response_headers
Content-Type: application/json
Content-Length: 188
--- response_body chomp
{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"Issue does not exist or you do not have permission to see it. summary: You must specify a summary of the issue."}
--- no_error_log
[error]



=== TEST 2: Jira-style bodies for every status: the messages are the detail
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
main::injected("jira")
--- error_code eval
[@main::STATUSES]
--- response_body eval
[map { main::ub($_, "Issue does not exist or you do not have permission to see it. summary: You must specify a summary of the issue.") } @main::STATUSES]
--- response_headers eval
[("Content-Type: application/json") x 10]
--- no_error_log
[error]



=== TEST 3: Spring-style bodies: "message" is the detail, never "path"
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
main::injected("spring")
--- error_code eval
[@main::STATUSES]
--- response_body eval
[map { main::ub($_, "Jira request failed: timeout after 30000 ms") } @main::STATUSES]
--- response_headers eval
[("Content-Type: application/json") x 10]
--- no_error_log
[error]



=== TEST 4: an HTML error page: only its title, never the host or address
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
main::injected("html502")
--- error_code eval
[@main::STATUSES]
--- response_body eval
# exact bodies (Test::Nginx would ignore a response_body_unlike beside
# them): none of them may hold what the page leaked
[map { main::no_leak(main::ub($_, "502 Bad Gateway"),
                     '10\.20\.30\.40|internal|nginx/|<') } @main::STATUSES]
--- response_headers eval
[("Content-Type: application/json") x 10]
--- no_error_log
[error]



=== TEST 5: plain text with a stack trace and an internal IP: nothing leaks
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
main::injected("stacktrace")
--- error_code eval
[@main::STATUSES]
--- response_body eval
[map { main::no_leak(main::ub($_, undef),
                     '10\.20\.30\.40|/opt/|java|Exception|JiraClient|spring|8080') }
 @main::STATUSES]
--- response_headers eval
[("Content-Type: application/json") x 10]
--- no_error_log
[error]



=== TEST 6: empty bodies: the generic error of the status, a JSON type
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
main::injected("empty503")
--- error_code eval
[@main::STATUSES]
--- response_body eval
[map { main::ub($_, undef) } @main::STATUSES]
--- response_headers eval
[map { "Content-Type: application/json\nContent-Length: " . length(main::ub($_, undef)) } @main::STATUSES]
--- no_error_log
[error]



=== TEST 7: invalid JSON (a truncated uniform body) is rewritten, no detail
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
main::injected("invalidjson")
--- error_code eval
[@main::STATUSES]
--- response_body eval
[map { main::ub($_, undef) } @main::STATUSES]
--- no_error_log
[error]



=== TEST 8: a gzip-encoded body is decoded for its detail; no Content-Encoding
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
[map { "$_\nAccept-Encoding: gzip" } @{main::injected("gzip")}]
--- error_code eval
[@main::STATUSES]
--- response_body eval
[map { main::ub($_, "Gzip-encoded error body") } @main::STATUSES]
--- response_headers eval
[("Content-Type: application/json\n!Content-Encoding") x 10]
--- no_error_log
[error]



=== TEST 9: a slow chunked body (4 pieces, 100 ms apart) over HTTP/1.1
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
main::injected("chunked")
--- error_code eval
[@main::STATUSES]
--- response_body eval
[map { main::ub($_, "Error body sent in several chunks") } @main::STATUSES]
--- response_headers eval
[("Content-Type: application/json\n!Transfer-Encoding") x 10]
--- timeout: 5
--- no_error_log
[error]



=== TEST 10: the same slow body to an HTTP/1.0 proxy: read until close
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["X-Mock-Error: chunked", "X-Mock-Error: chunked\nX-Mock-Status: 422"]
--- error_code eval
[500, 422]
--- response_body eval
[main::ub(500, "Error body sent in several chunks"), main::ub(422, "Error body sent in several chunks")]
--- timeout: 5
--- no_error_log
[error]



=== TEST 11: a body of many buffers is put together; the detail is capped, or dropped when too long to judge whole
--- request eval
[("GET /v2/ticket/metadata/types") x 4]
--- more_headers eval
["X-Mock-Error: bigbody", "X-Mock-Error: bigbody\nX-Mock-Status: 409", "X-Mock-Error: bigbody\nX-Mock-Body-Size: 20000", "X-Mock-Error: bigbody\nX-Mock-Body-Size: 4000\nX-Mock-Status: 409"]
--- error_code eval
[500, 409, 500, 409]
--- response_body eval
[main::ub(500, undef), main::ub(409, undef), main::ub(500, undef), main::ub(409, ("x" x 237) . "...")]
--- no_error_log
[error]



=== TEST 12: a body larger than ticketing_error_buffer_size: swallowed, no detail
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_error_buffer_size 4k;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["X-Mock-Error: bigbody\nX-Mock-Body-Size: 300000", "X-Mock-Error: spring"]
--- error_code eval
[500, 500]
--- response_body eval
[main::ub(500, undef), main::ub(500, "Jira request failed: timeout after 30000 ms")]
--- no_error_log
[error]



=== TEST 13: the same without proxy buffering
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_buffering off;
        proxy_pass http://ticketing_api;
    }
--- request eval
[("GET /v2/ticket/metadata/types") x 4]
--- more_headers eval
["X-Mock-Error: bigbody\nX-Mock-Body-Size: 300000", "X-Mock-Error: bigbody\nX-Mock-Body-Size: 4000", "X-Mock-Error: chunked\nX-Mock-Status: 503", "X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\"}"]
--- error_code eval
[500, 500, 503, 409]
--- response_body eval
[main::ub(500, undef), main::ub(500, ("x" x 237) . "..."), main::ub(503, "Error body sent in several chunks"), main::ub(409, "Injected uniform error")]
--- timeout: 5
--- no_error_log
[error]



=== TEST 14: a uniform body with its status's code: re-serialized, compact
--- request eval
[("GET /v2/ticket/metadata/types") x 5]
--- more_headers eval
["X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\"}", map { "X-Mock-Error: uniform\nX-Mock-Status: $_" } (400, 401, 404, 500)]
--- error_code eval
[409, 400, 401, 404, 500]
--- response_body eval
[map { main::ub($_, "Injected uniform error") } (409, 400, 401, 404, 500)]
--- response_headers eval
[("Content-Type: application/json\nX-Mock-Operation: metadata.types") x 5]
--- no_error_log
[error]



=== TEST 15: a 2xx passes byte for byte, with its original headers
--- request
GET /v2/ticket/metadata/types
--- more_headers
ticketing-provider: JAM
--- error_code: 200
--- response_body eval
main::mock_get("/v2/ticket/metadata/types")->{content}
--- response_headers eval
"Content-Type: application/json\nX-Mock-Operation: metadata.types\nContent-Length: " . length(main::mock_get("/v2/ticket/metadata/types")->{content})
--- no_error_log
ticketing errors:
[error]



=== TEST 16: nginx's own 502: the upstream refuses the connection
--- http_config
    upstream closed {
        server 127.0.0.1:$TEST_NGINX_CLOSED_PORT;
    }
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://closed;
    }
--- request
GET /v2/ticket/metadata/types
--- error_code: 502
--- response_body eval
main::ub(502, "the upstream service could not be reached or answered invalidly")
--- response_headers
Content-Type: application/json
--- error_log
Connection refused



=== TEST 17: nginx's own 504: the upstream does not answer in time
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_read_timeout 1s;
        proxy_pass http://ticketing_api;
    }
--- request
GET /v2/ticket/metadata/types
--- more_headers
X-Mock-Error: slow
X-Mock-Delay-Ms: 3000
--- error_code: 504
--- response_body eval
main::ub(504, "the upstream service did not answer in time")
--- response_headers
Content-Type: application/json
--- timeout: 5
--- error_log
upstream timed out



=== TEST 18: nginx's own 413: the body is larger than client_max_body_size
--- config
    location /v2/ {
        ticketing_gateway on;
        client_max_body_size 1k;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset", "POST /v2/orgs/yoigo/ticket\n" . ("x" x 2000), "GET /__mock/count"]
--- more_headers
ticketing-provider: JAM
--- error_code eval
[200, 413, 200]
--- response_body eval
['{"reset": true}', main::ub(413, "the request body is larger than allowed"), '{"count": 0}']
--- block_error_log
client intended to send too large body



=== TEST 19: nginx's own 500 (an empty proxy_pass URL)
--- config
    location /v2/ {
        ticketing_gateway on;
        set $up "";
        proxy_pass http://$up;
    }
--- request
GET /v2/ticket/metadata/types
--- error_code: 500
--- response_body eval
main::ub(500, "the gateway failed to process the request")
--- response_headers
Content-Type: application/json
--- error_log
invalid URL prefix



=== TEST 20: the upstream times out inside an error body: still an answer
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_http_version 1.1;
        proxy_read_timeout 60ms;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["X-Mock-Error: chunked", "X-Mock-Error: chunked\nX-Mock-Status: 409"]
--- error_code eval
[500, 409]
--- response_body eval
[main::ub(500, undef), main::ub(409, undef)]
--- block_error_log
upstream timed out



=== TEST 21: the same without proxy buffering
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_http_version 1.1;
        proxy_buffering off;
        proxy_read_timeout 60ms;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["X-Mock-Error: chunked", "X-Mock-Error: chunked\nX-Mock-Status: 422"]
--- error_code eval
[500, 422]
--- response_body eval
[main::ub(500, undef), main::ub(422, undef)]
--- block_error_log
upstream timed out



=== TEST 22: nginx's own 414, before any location: server-level ticketing_errors
--- config
    ticketing_errors on;
    large_client_header_buffers 4 1k;
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
--- request eval
"GET /v2/ticket/" . ("A" x 2000)
--- error_code: 414
--- response_body eval
main::ub(414, "the request URI is too long")
--- response_headers
Content-Type: application/json
--- block_error_log
client sent too long URI



=== TEST 23: nginx's own 494 (a header too large) becomes 431, also in $status
--- http_config
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    log_format ticketing_status "logged status $status";
--- config
    ticketing_errors on;
    large_client_header_buffers 4 1k;
    access_log logs/error.log ticketing_status;
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
--- request
GET /v2/ticket/metadata/types
--- more_headers eval
["X-Big: " . ("b" x 2000)]
--- error_code: 431
--- response_body eval
main::ub(431, "the request headers are too large")
--- raw_response_headers_like: ^HTTP/1\.1 431 Request Header Fields Too Large\r\n
--- block_error_log eval
["client sent too long header line", "logged status 431"]



=== TEST 24: nginx's own 400 (no Host in HTTP/1.1), before any location
--- config
    ticketing_errors on;
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
--- raw_request eval
"GET /v2/ticket/metadata/types HTTP/1.1\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_body eval
main::ub(400, "the request is malformed")
--- response_headers
Content-Type: application/json
--- error_log
client sent HTTP/1.1 request without "Host" header



=== TEST 25: without server-level ticketing_errors, such a 400 stays nginx's
--- raw_request eval
"GET /v2/ticket/metadata/types HTTP/1.1\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_body_like: <title>400 Bad Request</title>
--- response_headers
Content-Type: text/html



=== TEST 26: HEAD: the headers of the uniform error, no body
--- http_config
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    upstream closed {
        server 127.0.0.1:$TEST_NGINX_CLOSED_PORT;
    }
    server {
        listen unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
        location /gz {
            add_header Content-Encoding gzip always;
            return 500 "not really gzip";
        }
        location / {
            return 503 "<html><title>down</title></html>";
        }
    }
    upstream inner {
        server unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
    }
--- config
    large_client_header_buffers 4 1k;
    ticketing_errors on;
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
    location /plain/ {
        proxy_pass http://inner/;
    }
    location /down/ {
        proxy_pass http://closed/;
    }
--- request eval
["HEAD /plain/down", "HEAD /plain/gz", "HEAD /down/v2/ticket/metadata/types", "HEAD /v2/ticket/" . ("A" x 2000), "HEAD /v2/ticket/metadata/types"]
--- error_code eval
[503, 500, 502, 414, 405]
--- response_body eval
["", "", "", "", ""]
--- response_headers eval
[
"Content-Type: application/json\n!Content-Length",
"Content-Type: application/json\n!Content-Length\n!Content-Encoding",
"Content-Type: application/json\nContent-Length: " . length(main::ub(502, "the upstream service could not be reached or answered invalidly")),
"Content-Type: application/json\nContent-Length: " . length(main::ub(414, "the request URI is too long")),
"Content-Type: application/json\nAllow: GET\nContent-Length: " . length(main::ub(405, "method HEAD is not allowed here; allowed: GET")),
]



=== TEST 27: ticketing_errors on without the gateway; 2xx and 3xx untouched
--- http_config
    server {
        listen unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
        location /down {
            return 503 "<html><head><title>down for maintenance</title></head></html>";
        }
        location /moved {
            return 302 /elsewhere;
        }
        location /ok {
            return 200 "<html>fine</html>";
        }
    }
    upstream inner {
        server unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
    }
--- config
    location /plain/ {
        ticketing_errors on;
        proxy_pass http://inner/;
    }
--- request eval
["GET /plain/down", "GET /plain/moved", "GET /plain/ok"]
--- error_code eval
[503, 302, 200]
--- response_body_like eval
["^" . quotemeta(main::ub(503, "down for maintenance")) . "\$", "<title>302 Found</title>", "^<html>fine</html>\$"]
--- response_headers eval
["Content-Type: application/json", "Content-Type: text/html", "Content-Type: text/plain"]
--- no_error_log
[error]



=== TEST 28: WWW-Authenticate and Allow of the upstream are kept
--- http_config
    server {
        listen unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
        location = /v2/ticket/metadata/types {
            add_header WWW-Authenticate 'Bearer realm="ticketing"' always;
            return 401 "<html><title>401 Authorization Required</title></html>";
        }
        location = /v2/issueLinkType {
            add_header Allow "GET" always;
            return 405 "method not allowed";
        }
    }
    upstream inner {
        server unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
    }
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://inner;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/issueLinkType"]
--- error_code eval
[401, 405]
--- response_body eval
[main::ub(401, "401 Authorization Required"), main::ub(405, "method not allowed")]
--- response_headers eval
["WWW-Authenticate: Bearer realm=\"ticketing\"\nContent-Type: application/json", "Allow: GET\nContent-Type: application/json"]
--- no_error_log
[error]



=== TEST 29: ticketing_errors off: the upstream's body as it came
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_errors off;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["X-Mock-Error: jira", "X-Mock-Error: stacktrace"]
--- error_code eval
[400, 500]
--- response_body eval
[main::mock_get("/v2/ticket/metadata/types", "X-Mock-Error" => "jira")->{content}, main::mock_get("/v2/ticket/metadata/types", "X-Mock-Error" => "stacktrace")->{content}]
--- no_error_log
[error]



=== TEST 30: ticketing_error_map: extra statuses get the configured code
--- config
    ticketing_error_map 418 0900 TEAPOT "I'm a teapot";
    location /v2/ {
        ticketing_gateway on;
        ticketing_error_map 507 0901 INSUFFICIENT_STORAGE "Insufficient Storage";
        proxy_pass http://ticketing_api;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /v2/issueLinkType", "GET /v2/ticket/metadata/types"]
--- more_headers eval
["X-Mock-Error: jira\nX-Mock-Status: 507", "X-Mock-Error: empty503\nX-Mock-Status: 418", "X-Mock-Error: empty503\nX-Mock-Status: 418", "X-Mock-Error: empty503\nX-Mock-Status: 451"]
--- error_code eval
[507, 418, 418, 451]
--- response_body eval
[
'{"code":"0901","status":"INSUFFICIENT_STORAGE","message":"Insufficient Storage","detailMsg":"Issue does not exist or you do not have permission to see it. summary: You must specify a summary of the issue."}',
'{"code":"0032","status":"CLIENT_ERROR","message":"Client Error","detailMsg":null}',
'{"code":"0900","status":"TEAPOT","message":"I\'m a teapot","detailMsg":null}',
'{"code":"0032","status":"CLIENT_ERROR","message":"Client Error","detailMsg":null}',
]
--- no_error_log
[error]



=== TEST 31: the gateway's own errors are not rewritten again
--- request eval
["GET /v2/no/such/operation", "DELETE /v2/issueLinkType"]
--- error_code eval
[404, 405]
--- response_body eval
['{"code":"0004","status":"NOT_FOUND","message":"Not found","detailMsg":"no Ticketing API operation at this path"}', '{"code":"0017","status":"METHOD_NOT_ALLOWED","message":"Method Not Allowed","detailMsg":"method DELETE is not allowed here; allowed: GET"}']
--- response_headers eval
["Content-Type: application/json", "Allow: GET"]
--- no_error_log
ticketing errors:
[error]



=== TEST 32: ticketing_error_map refuses a status that has a built-in code
--- config
    ticketing_error_map 404 0900 GONE "Gone";
--- must_die
--- error_log
status 404 in "ticketing_error_map" directive already has a built-in code



=== TEST 33: ticketing_error_map refuses a message that would need escaping
--- config
    ticketing_error_map 418 0900 TEAPOT "a <b> teapot";
--- must_die
--- error_log
invalid message "a <b> teapot" in "ticketing_error_map" directive



=== TEST 34: ticketing_error_buffer_size is bounded
--- config
    ticketing_error_buffer_size 10;
--- must_die
--- error_log
"ticketing_error_buffer_size" directive must be between 1k and 1m



=== TEST 35: uniform-shaped 400s carrying each kind of leak: rebuilt, detail dropped
--- request eval
[("GET /v2/ticket/metadata/types") x 23]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Status: 400\nX-Mock-Uniform: {\"detailMsg\":$_}" }
 '"pool failed: jdbc:postgresql://app:s3cr3t@db:5432/ticketing"',
 '"pool failed: jdbc:oracle:thin:@dbprod:1521:ORCL"',
 '"cannot reach 10.20.30.40"',
 '"cannot reach [fd00::17]:8080"',
 '"cannot resolve jira-db.prod.svc.cluster.local"',
 '"cannot resolve ticketing-backend-7f9c4d.internal"',
 '"proxy jira.corp refused"',
 '"backend redis-cache:6379 refused"',
 '"ORA-00942: table or view does not exist"',
 '"query SELECT id FROM tickets WHERE key = 1 failed"',
 '"SQLSTATE[23505] duplicate key"',
 '"duplicate key value violates unique constraint \"ticket_pkey\""',
 '"failed at com.masmovil.ticketing.jira.JiraClient.execute(JiraClient.java:214)"',
 '"failed at com.masmovil.ticketing.jira.JiraClient.execute(Unknown)"',
 '"Traceback (most recent call last): File \"app.py\", line 3"',
 '"goroutine 1 [running]: main.main() main.go:12 +0x1d"',
 '"cannot read /opt/mas-ticketing-api/config/application.yml"',
 '"cannot read C:\\\\app\\\\config.yml"',
 '"cannot read src/main/resources/application.properties"',
 '"token Bearer abc rejected"',
 '"token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl rejected"',
 '"key AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCd rejected"',
 '"notify ops@masmovil.com"']
--- error_code eval
[(400) x 23]
--- response_body eval
[(main::ub(400, undef)) x 23]
--- response_headers eval
[("Content-Type: application/json") x 23]
--- no_error_log
[error]



=== TEST 36: uniform-shaped 500s carrying leaks, in detailMsg or in message
--- request eval
[("GET /v2/ticket/metadata/types") x 4]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Status: $_->[0]\nX-Mock-Uniform: $_->[1]" }
 [500, '{"detailMsg":"java.sql.SQLException: Connection to 10.20.30.40:5432 refused"}'],
 [500, '{"detailMsg":"I/O error on GET request for \"http://jira.internal:8080/rest/api/2/issue\""}'],
 [400, '{"message":"pool jdbc:postgresql://app:s3cr3t@db:5432/t","detailMsg":null}'],
 [400, '{"message":"Bad Request at /srv/app/handler.py","detailMsg":"the summary is required"}']]
--- error_code eval
[500, 500, 400, 400]
--- response_body eval
[main::ub(500, undef), main::ub(500, undef), main::ub(400, undef), main::ub(400, "the summary is required")]
--- no_error_log
[error]



=== TEST 37: code, status or message contradicting the HTTP status: rebuilt
--- request eval
[("GET /v2/ticket/metadata/types") x 8]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Status: $_->[0]" . ($_->[1] ? "\nX-Mock-Uniform: $_->[1]" : "") }
 [404, '{"code":"0002"}'],
 [404, '{"status":"UNEXPECTED"}'],
 [400, '{"code":"0004","status":"NOT_FOUND","message":"Not found"}'],
 [500, '{"code":"0015","status":"BAD_REQUEST","message":"Bad Request"}'],
 [401, '{"message":"Not found"}'],
 [503, '{"code":"0002","status":"UNEXPECTED","message":"Unexpected Error"}'],
 [409, ''],
 [409, '{"code":"0020","message":"Ticket INST-7902 is being edited","detailMsg":null}']]
--- error_code eval
[404, 404, 400, 500, 401, 503, 409, 409]
--- response_body eval
[main::ub(404, "Injected uniform error"), main::ub(404, "Injected uniform error"),
 main::ub(400, "Injected uniform error"), main::ub(500, "Injected uniform error"),
 main::ub(401, "Injected uniform error"), main::ub(503, "Injected uniform error"),
 main::ub(409, "Injected uniform error"), main::ub(409, "Ticket INST-7902 is being edited")]
--- response_headers eval
[("Content-Type: application/json\nX-Mock-Operation: metadata.types") x 8]
--- no_error_log
[error]



=== TEST 38: extra members or an unclean detail: rebuilt from the four members
--- request eval
[("GET /v2/ticket/metadata/types") x 4]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Status: 400\nX-Mock-Uniform: $_" }
 '{"trace":"java.lang.IllegalStateException at 10.20.30.40"}',
 '{"detailMsg":null,"detail":"from an extra member"}',
 '{"detailMsg":"the <b>summary</b>   is\\n required"}',
 '{"detailMsg":"' . ("a" x 300) . '"}']
--- error_code eval
[400, 400, 400, 400]
--- response_body eval
[main::ub(400, "Injected uniform error"), main::ub(400, undef), main::ub(400, "the summary is required"), main::ub(400, ("a" x 237) . "...")]
--- no_error_log
[error]



=== TEST 39: clean, consistent uniform bodies keep their detail, mapped statuses too
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_error_map 418 0900 TEAPOT "I'm a teapot";
        proxy_pass http://ticketing_api;
    }
--- request eval
[("GET /v2/ticket/metadata/types") x 5]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Status: $_->[0]\nX-Mock-Uniform: $_->[1]" }
 [409, '{"code":"0020"}'],
 [400, '{"detailMsg":"the field customer.id must be a number"}'],
 [404, '{"detailMsg":null}'],
 [418, '{"code":"0900","status":"TEAPOT","message":"I\'m a teapot","detailMsg":"short and stout"}'],
 [418, '{"code":"0032","status":"CLIENT_ERROR","message":"Client Error"}']]
--- error_code eval
[409, 400, 404, 418, 418]
--- response_body eval
[main::ub(409, "Injected uniform error"),
 main::ub(400, "the field customer.id must be a number"),
 main::ub(404, undef),
 '{"code":"0900","status":"TEAPOT","message":"I\'m a teapot","detailMsg":"short and stout"}',
 '{"code":"0900","status":"TEAPOT","message":"I\'m a teapot","detailMsg":"Injected uniform error"}']
--- no_error_log
[error]



=== TEST 40: the same hygiene for every shape: 4xx text, JSON, Jira and HTML bodies
--- http_config
    server {
        listen unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
        default_type text/plain;
        location /ora { return 400 "ORA-00942: table or view does not exist"; }
        location /svc { return 404 "cannot resolve jira-db.prod.svc.cluster.local"; }
        location /sql { return 409 "query SELECT id FROM tickets WHERE key = 1 failed"; }
        location /v6 { return 400 "cannot reach [fd00::17]:8080"; }
        location /jwt { return 401 "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln rejected"; }
        location /json {
            default_type application/json;
            return 400 '{"message":"pool jdbc:oracle:thin:@dbprod:1521:ORCL"}';
        }
        location /jira {
            default_type application/json;
            return 422 '{"errorMessages":["see app/models/ticket.rb"],"errors":{"summary":"redis-cache:6379 refused"}}';
        }
        location /html {
            default_type text/html;
            return 403 "<html><title>denied for ops@masmovil.com</title></html>";
        }
        location /ok { return 400 "the field customer.id must be a number"; }
    }
    upstream inner {
        server unix:$TEST_NGINX_SERVROOT/logs/upstream.sock;
    }
--- config
    location /plain/ {
        ticketing_errors on;
        proxy_pass http://inner/;
    }
--- request eval
[map { "GET /plain/$_" } qw(ora svc sql v6 jwt json jira html ok)]
--- error_code eval
[400, 404, 409, 400, 401, 400, 422, 403, 400]
--- response_body eval
[main::ub(400, undef), main::ub(404, undef), main::ub(409, undef),
 main::ub(400, undef), main::ub(401, undef),
 main::ub(400, undef), main::ub(422, undef), main::ub(403, undef),
 main::ub(400, "the field customer.id must be a number")]
--- no_error_log
[error]



=== TEST 41: leaks disguised by invisible characters, look-alikes, encodings
--- request eval
[("GET /v2/ticket/metadata/types") x 16]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\",\"detailMsg\":\"$_\"}" }
 'mail admin\\u00ad@example.com',
 'pass\\u00adword hunter2 at 10\\u00ad.0.0.5',
 'Bearer\\u00ad eyJ\\u00adhbGciOiJIUzI1NiJ9',
 'pass\\u061cword', 'pass\\u180eword', 'pass\\u206aword',
 'pass\\u034fword', 'pass\\ufe0fword', 'pass\\u3164word',
 'pass\\udb40\\udc20word',
 'cannot reach 10\\uff0e20\\uff0e30\\uff0e40',
 'mail admin\\uff20example\\uff0ecom',
 'connect to \\uff4c\\uff4f\\uff43\\uff41\\uff4c\\uff48\\uff4f\\uff53\\uff54',
 'cannot reach 10%2E20%2E30%2E40',
 'mail admin%40example%2Ecom',
 'bad p\\u0430ssword']
--- error_code eval
[(409) x 16]
--- response_body eval
[(main::ub(409, undef)) x 16]
--- response_headers eval
[("Content-Type: application/json") x 16]
--- no_error_log
[error]



=== TEST 42: the same in 500s rebuilt, in HTML entities; real text kept
--- request eval
[("GET /v2/ticket/metadata/types") x 4]
--- more_headers eval
["X-Mock-Error: uniform\nX-Mock-Status: 500\nX-Mock-Uniform: {\"code\":\"9500\",\"detailMsg\":\"pass\\u00adword hunter2 at 10\\u00ad.0.0.5\"}",
 "X-Mock-Error: uniform\nX-Mock-Status: 500\nX-Mock-Uniform: {\"detailMsg\":\"cannot reach 10&#46;20&#46;30&#46;40\"}",
 "X-Mock-Error: uniform\nX-Mock-Status: 500\nX-Mock-Uniform: {\"detailMsg\":\"timeout talking to \\uff4c\\uff4f\\uff43\\uff41\\uff4c\\uff48\\uff4f\\uff53\\uff54\"}",
 "X-Mock-Error: uniform\nX-Mock-Status: 409\nX-Mock-Uniform: {\"detailMsg\":\"el ticket est\\u00e1 cerrado \\u2013 \\u0442\\u0438\\u043a\\u0435\\u0442 50% do\\u00adne\"}"]
--- error_code eval
[500, 500, 500, 409]
--- response_body eval
[main::ub(500, undef), main::ub(500, undef),
 main::ub(500, undef),
 main::ub(409, "el ticket est\xc3\xa1 cerrado \xe2\x80\x93 \xd1\x82\xd0\xb8\xd0\xba\xd0\xb5\xd1\x82 50% done")]
--- no_error_log
[error]



=== TEST 43: a uniform body is re-serialized, never sent as it came
--- http_config eval
qq{    server {
        listen unix:\$TEST_NGINX_SERVROOT/logs/upstream.sock;
        default_type application/json;
        location /amp { return 409 '{"code":"0020","status":"CONFLICT","message":"Conflict","detailMsg":"a&b > c"}'; }
        location /bom { return 409 '\xef\xbb\xbf{"code":"0020","status":"CONFLICT","message":"Conflict","detailMsg":"x"}'; }
        location /trail { return 409 '{"code":"0020","status":"CONFLICT","message":"Conflict","detailMsg":"x"}   '; }
        location /spaced { return 409 '{"code": "0020", "status": "CONFLICT", "message": "Conflict", "detailMsg": "x"}'; }
        location /esc { return 409 '{"code":"0020","status":"CONFLICT","message":"Conflict","detailMsg":"caf\\\\u00e9 \\\\u0041"}'; }
    }
    upstream inner {
        server unix:\$TEST_NGINX_SERVROOT/logs/upstream.sock;
    }
}
--- config
    location /plain/ {
        ticketing_errors on;
        proxy_pass http://inner/;
    }
--- request eval
[map { "GET /plain/$_" } qw(amp bom trail spaced esc)]
--- error_code eval
[(409) x 5]
--- response_body eval
[main::ub(409, 'a\u0026b \u003e c'), main::ub(409, "x"), main::ub(409, "x"),
 main::ub(409, "x"), main::ub(409, "caf\xc3\xa9 A")]
--- response_headers eval
[("Content-Type: application/json") x 5]
--- no_error_log
[error]



=== TEST 44: a detail is judged whole before it is cut
--- request eval
[("GET /v2/ticket/metadata/types") x 4]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\",\"detailMsg\":\"$_\"}" }
 ('x' x 213) . ' srv-jira-01.masmovil.lan',
 ('x' x 215) . ' admin.micro@masmovil.com',
 ('x' x 227) . ' 10.20.30.40 admin@example.com',
 'the summary is too long: ' . ('x' x 300)]
--- error_code eval
[(409) x 4]
--- response_body eval
[(main::ub(409, undef)) x 3,
 main::ub(409, 'the summary is too long: ' . ('x' x 212) . '...')]
--- no_error_log
[error]



=== TEST 45: leaks disguised by compatibility forms and combining marks
--- request eval
[("GET /v2/ticket/metadata/types") x 12]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\",\"detailMsg\":\"$_\"}" }
 'cannot reach 10\\u202420\\u202430\\u202440',
 'cannot reach 10&#8228;20&#8228;30&#8228;40',
 'cannot reach \\u00b9\\u2070.2\\u2070.3\\u2070.4\\u2070',
 'cannot reach \\u2469.\\u2473.\\u325a.\\u32b5',
 'cannot reach \\u0661\\u0660.\\u0662\\u0660.\\u0663\\u0660.\\u0664\\u0660',
 'mail admin\\ufe6bexample.com',
 'p\\u0301assword is hunter2',
 'connect to local\\u0307host',
 'bad pas\\u017fword',
 'connect to \\u217cocalhost',
 'file \\u2215opt\\u2215app\\u2215x',
 'SELECT\\u2003*\\u2003FROM users']
--- error_code eval
[(409) x 12]
--- response_body eval
[(main::ub(409, undef)) x 12]
--- no_error_log
[error]



=== TEST 46: real text with compatibility characters is kept
--- request eval
[("GET /v2/ticket/metadata/types") x 2]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\",\"detailMsg\":\"$_\"}" }
 'paso \\u2460 de \\u2462: a\\u00f1ade un resumen',
 'el campo \\u00b9 es obligatorio (m\\u00b2)']
--- error_code eval
[(409) x 2]
--- response_body eval
[main::ub(409, "paso \xe2\x91\xa0 de \xe2\x91\xa2: a\xc3\xb1ade un resumen"),
 main::ub(409, "el campo \xc2\xb9 es obligatorio (m\xc2\xb2)")]
--- no_error_log
[error]



=== TEST 47: keys, credentials, database errors, host names and addresses
--- request eval
[("GET /v2/ticket/metadata/types") x 10]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\",\"detailMsg\":\"$_\"}" }
 'key AKIAIOSFODNN7EXAMPLE',
 'key AIzaSyA-1234567890abcdefghijklmnopqrstu',
 'token xoxb-123-456-abc',
 'ssh-rsa AAAAB3NzaC1yc2E',
 'pwd=123',
 'contrase\\u00f1a: 1234',
 'Deadlock found when trying to get lock',
 'host jira-prod-01 is down',
 'getaddrinfo ENOTFOUND jira',
 'connect to 2130706433']
--- error_code eval
[(409) x 10]
--- response_body eval
[(main::ub(409, undef)) x 10]
--- no_error_log
[error]



=== TEST 48: ordinary API messages keep their detail
--- request eval
[("GET /v2/ticket/metadata/types") x 5]
--- more_headers eval
[map { "X-Mock-Error: uniform\nX-Mock-Uniform: {\"code\":\"0020\",\"detailMsg\":\"$_\"}" }
 'Issue does not exist or you do not have permission to see it.',
 "Field 'customfield_10201' cannot be set",
 'INST-7902 not found',
 'Transition 21 is not valid',
 'Debe especificar un resumen de la incidencia.']
--- error_code eval
[(409) x 5]
--- response_body eval
[main::ub(409, 'Issue does not exist or you do not have permission to see it.'),
 main::ub(409, "Field 'customfield_10201' cannot be set"),
 main::ub(409, 'INST-7902 not found'),
 main::ub(409, 'Transition 21 is not valid'),
 main::ub(409, 'Debe especificar un resumen de la incidencia.')]
--- no_error_log
[error]
