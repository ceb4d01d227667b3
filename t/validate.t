# Validation from the spec: required and exclusive query parameters, JSON
# bodies of the documented kind, Content-Type (415), body size (413).
# Every refusal is a uniform 400/413/415 naming the field, and nothing
# reaches the upstream; a valid body reaches it byte for byte.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingLog qw(add_log_request);

repeat_each(1);
no_shuffle();

add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value("http_config", <<'_EOC_') unless defined $block->http_config;
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
        keepalive 4;
    }
_EOC_

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
        client_max_body_size 1m;
        client_body_buffer_size 1m;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_

    $block->set_value("more_headers", "ticketing-provider: JAM\nContent-Type: application/json")
        unless defined $block->more_headers;

    $block->set_value("no_error_log", "[error]\n[warn]") unless defined $block->no_error_log;

    # authentication is the subject of t/jwt.t and t/permissions.t: off here
    $block->set_value("http_config", "    ticketing_auth off;\n"
                                     . ($block->http_config // ""));
    add_log_request($block);
});

# "detailMsg" of a uniform 400
sub bad { my $d = quotemeta shift; '^\{"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"' . $d }

# an attachment.create body of exactly $total bytes (valid base64)
sub att_body {
    my $total = shift;
    my $n = ($total - 22) - (($total - 22) % 4);
    my $name = "x" x ($total - 21 - $n);
    return qq({"name":"$name","data":") . ("A" x $n) . qq("});
}

# the body as the mock reports it in /__mock/last
sub mock_saw_body { my $b = shift; $b =~ s/(["\\])/\\$1/g; '"body":\s*"' . quotemeta($b) . '"' }

# a chunked encoding of $body in one chunk
sub chunked { my $b = shift; sprintf("%x\r\n%s\r\n0\r\n\r\n", length $b, $b) }

run_tests();

__DATA__

=== TEST 1: searchByIDParams: at least one of customer_id, work_order_id, line, document_id
--- request eval
["GET /__mock/reset",
 "GET /v2/orgs/yoigo/searchByIDParams?customer_id=12345",
 "GET /v2/orgs/yoigo/searchByIDParams?startAt=0&line=678900000",
 "GET /v2/orgs/yoigo/searchByIDParams?work_order_id=Y28257924&document_id=12345678X",
 "GET /v2/orgs/yoigo/searchByIDParams?customer%5Fid=12345",
 "GET /__mock/count",
 "GET /v2/orgs/yoigo/searchByIDParams",
 "GET /v2/orgs/yoigo/searchByIDParams?customer_id=",
 "GET /v2/orgs/yoigo/searchByIDParams?startAt=0&maxResults=5",
 "GET /v2/orgs/yoigo/searchByIDParams?line=1&line=2",
 "GET /v2/orgs/yoigo/searchByIDParams?line=%zz",
 "GET /__mock/count"]
--- error_code eval
[200, 200, 200, 200, 200, 200, 400, 400, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', 'INST-7902', 'INST-7902', 'INST-7902', 'INST-7902', '"count":\s*4\b',
 main::bad("at least one of the query parameters customer_id, work_order_id, line, document_id is required"),
 main::bad("at least one of the query parameters"),
 main::bad("at least one of the query parameters"),
 main::bad("query parameter line is repeated"),
 main::bad("malformed percent-encoding in the query string"),
 '"count":\s*4\b']
--- block_error_log
ticketing validate: at least one of the query parameters



=== TEST 2: field/info: exactly one of api_name, customfield_id, jira_label
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/field/info?api_name=track",
 "GET /v2/ticket/field/info?customfield_id=customfield_10201",
 "GET /v2/ticket/field/info?jira_label=Huella",
 "GET /v2/ticket/field/info",
 "GET /v2/ticket/field/info?api_name=track&jira_label=Huella",
 "GET /v2/ticket/field/info?api_name=track&customfield_id=x&jira_label=y",
 "GET /v2/ticket/field/info?api_name=a&api_name=b",
 "GET /__mock/count"]
--- error_code eval
[200, 200, 200, 200, 400, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', '"jira_label"', '"jira_label"', '"jira_label"',
 main::bad("one of the query parameters api_name, customfield_id, jira_label is required"),
 main::bad("only one of the query parameters api_name, customfield_id, jira_label may be given"),
 main::bad("only one of"),
 main::bad("query parameter api_name is repeated"),
 '"count":\s*3\b']



=== TEST 3: metadata/create/properties: both projectKey and ticketType
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?ticketType=Incidencia",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST",
 "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=",
 "GET /__mock/count"]
--- error_code eval
[200, 200, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', '"required"',
 main::bad("query parameter projectKey is required"),
 main::bad("query parameter ticketType is required"),
 main::bad("query parameter ticketType is required"),
 '"count":\s*1\b']



=== TEST 4: grid.update: customFieldName and an array of {rowId, columns}
--- request eval
["GET /__mock/reset",
 "PUT /v2/ticket/INST-7902/grid?customFieldName=workorder_index\n[{\"rowId\":\"row_1\",\"columns\":{\"key\":\"final\"}}]",
 "PUT /v2/ticket/INST-7902/grid\n[{\"rowId\":\"row_1\",\"columns\":{\"key\":\"final\"}}]",
 "PUT /v2/ticket/INST-7902/grid?customFieldName=g\n{\"rowId\":\"row_1\",\"columns\":{}}",
 "PUT /v2/ticket/INST-7902/grid?customFieldName=g\n[]",
 "PUT /v2/ticket/INST-7902/grid?customFieldName=g\n[{\"columns\":{}}]",
 "PUT /v2/ticket/INST-7902/grid?customFieldName=g\n[{\"rowId\":\"r\",\"columns\":[]}]",
 "PUT /v2/ticket/INST-7902/grid?customFieldName=g\n[{\"rowId\":\"r\"}]",
 "GET /__mock/count"]
--- error_code eval
[200, 204, 400, 400, 400, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', '^$',
 main::bad("query parameter customFieldName is required"),
 main::bad("request body must be an array of {rowId, columns} rows"),
 main::bad("request body must not be an empty array"),
 main::bad("body field rowId is required in every row"),
 main::bad("body field columns must be an object"),
 main::bad("body field columns is required"),
 '"count":\s*1\b']



=== TEST 5: ticket.create: project, ticketType, summary
--- request eval
["GET /__mock/reset",
 "POST /v2/orgs/yoigo/ticket\n{\"project\":\"INST\",\"ticketType\":\"Incidencia\",\"summary\":\"s\"}",
 "POST /v2/orgs/yoigo/ticket\n{\"ticketType\":\"Incidencia\",\"summary\":\"s\"}",
 "POST /v2/orgs/yoigo/ticket\n{\"project\":\"INST\",\"summary\":\"s\"}",
 "POST /v2/orgs/yoigo/ticket\n{\"project\":\"INST\",\"ticketType\":\"Incidencia\"}",
 "POST /v2/orgs/yoigo/ticket\n{\"project\":7,\"ticketType\":\"Incidencia\",\"summary\":\"s\"}",
 "POST /v2/orgs/yoigo/ticket\n{\"project\":\"INST\",\"ticketType\":\"I\",\"summary\":\"s\",\"customFields\":\"x\"}",
 "POST /v2/orgs/yoigo/ticket\n[\"project\"]",
 "GET /__mock/count"]
--- error_code eval
[200, 201, 400, 400, 400, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', '"key":\s*"INST-7903"',
 main::bad("body field project is required"),
 main::bad("body field ticketType is required"),
 main::bad("body field summary is required"),
 main::bad("body field project must be a string"),
 main::bad("body field customFields must be an object"),
 main::bad("request body must be a JSON object"),
 '"count":\s*1\b']



=== TEST 6: transition: transitionId (integer) or status
--- request eval
["GET /__mock/reset",
 "POST /v2/orgs/yoigo/ticket/INST-7902/transitions\n{\"transitionId\":11}",
 "POST /v2/orgs/yoigo/ticket/INST-7902/transitions\n{\"status\":\"RESUELTO\"}",
 "POST /v2/orgs/yoigo/ticket/INST-7902/transitions\n{\"transitionId\":\"21\"}",
 "POST /v2/orgs/yoigo/ticket/INST-7902/transitions\n{\"transitionId\":2.5}",
 "POST /v2/orgs/yoigo/ticket/INST-7902/transitions\n{\"customFields\":{}}",
 "GET /__mock/count"]
--- error_code eval
[200, 204, 204, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', '^$', '^$',
 main::bad("body field transitionId must be an integer"),
 main::bad("body field transitionId must be an integer"),
 main::bad("body field transitionId (an integer) or status is required"),
 '"count":\s*2\b']



=== TEST 7: comment body, assignee, issueLink fields
--- request eval
["GET /__mock/reset",
 "POST /v2/ticket/INST-7902/comment\n{\"body\":\"hola\"}",
 "POST /v2/ticket/INST-7902/comment\n{\"author\":\"x\"}",
 "PUT /v2/ticket/INST-7902/assignee\n{\"assignee\":\"admin.micro\"}",
 "PUT /v2/ticket/INST-7902/assignee\n{\"user\":\"admin.micro\"}",
 "POST /v2/issueLink\n{\"type\":{\"name\":\"Relates\"},\"inwardIssue\":{\"key\":\"INST-7902\"},\"outwardIssue\":{\"key\":\"MAS-1201\"}}",
 "POST /v2/issueLink\n{\"type\":{\"id\":1},\"inwardIssue\":{\"key\":\"INST-7902\"},\"outwardIssue\":{\"key\":\"MAS-1201\"}}",
 "POST /v2/issueLink\n{\"type\":{\"name\":\"Relates\"},\"outwardIssue\":{\"key\":\"MAS-1201\"}}",
 "POST /v2/issueLink\n{\"type\":{\"name\":\"Relates\"},\"inwardIssue\":{\"key\":\"INST-7902\"},\"outwardIssue\":{\"key\":5}}",
 "GET /__mock/count"]
--- error_code eval
[200, 201, 400, 204, 400, 201, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', '"body":\s*"hola"',
 main::bad("body field body is required"),
 '^$',
 main::bad("body field assignee is required"),
 '"message"',
 main::bad("body field type.name is required"),
 main::bad("body field inwardIssue is required"),
 main::bad("body field outwardIssue.key must be a string"),
 '"count":\s*3\b']



=== TEST 8: attachment: name and data (valid base64)
--- request eval
["GET /__mock/reset",
 "POST /v2/ticket/INST-7902/attachment\n{\"name\":\"nota.txt\",\"mimeType\":\"text/plain\",\"data\":\"aG9sYQ==\"}",
 "POST /v2/ticket/INST-7902/attachment\n{\"name\":\"nota.txt\",\"data\":\"aG9sYQ=\"}",
 "POST /v2/ticket/INST-7902/attachment\n{\"name\":\"nota.txt\",\"data\":\"aG9s YQ==\"}",
 "POST /v2/ticket/INST-7902/attachment\n{\"name\":\"nota.txt\",\"data\":\"aG9s*Q==\"}",
 "POST /v2/ticket/INST-7902/attachment\n{\"name\":\"nota.txt\"}",
 "POST /v2/ticket/INST-7902/attachment\n{\"data\":\"aG9sYQ==\"}",
 "GET /__mock/count"]
--- error_code eval
[200, 201, 400, 400, 400, 400, 400, 200]
--- response_body_like eval
['"reset"', '"size":\s*4\b',
 main::bad("body field data must be valid base64"),
 main::bad("body field data must be valid base64"),
 main::bad("body field data must be valid base64"),
 main::bad("body field data is required"),
 main::bad("body field name is required"),
 '"count":\s*1\b']



=== TEST 9: malformed JSON of many kinds: 400, nothing upstream
--- request eval
["GET /__mock/reset",
 "POST /v2/remotelink\n{\"ticketId\":\"INST-7902\"",
 "POST /v2/remotelink\n{\"ticketId\":\"INST-7902\",}",
 "POST /v2/remotelink\n{ticketId:1}",
 "POST /v2/remotelink\n{\"a\":1}{\"b\":2}",
 "POST /v2/remotelink\n{\"a\":\"\xff\xfe\"}",
 "POST /v2/remotelink\n{\"a\":\"\xc3\"}",
 "POST /v2/remotelink\n{\"a\":\"\\u0000\"}",
 "POST /v2/remotelink\n{\"a\":123456789012345678901234567890}",
 "POST /v2/remotelink\n{\"a\":1e400}",
 "POST /v2/remotelink\n{\"a\":1,\"a\":2}",
 "POST /v2/remotelink\n" . ("[" x 5000) . ("]" x 5000),
 "POST /v2/remotelink\n{\"a\":" . ("{\"a\":" x 3000) . "1" . ("}" x 3001),
 "POST /v2/remotelink\nnull",
 "GET /__mock/count"]
--- error_code eval
[200, (400) x 13, 200]
--- response_body_like eval
['"reset"',
 (map { main::bad("request body is not valid JSON: ") } 1 .. 12),
 main::bad("request body must be a JSON object"),
 '"count":\s*0\b']



=== TEST 10: a Content-Type that is not JSON: 415; a missing body: 400
--- request eval
["GET /__mock/reset",
 "POST /v2/ticket/INST-7902/comment\n{\"body\":\"x\"}",
 "POST /v2/ticket/INST-7902/comment\n{\"body\":\"x\"}",
 "POST /v2/ticket/INST-7902/comment\n{\"body\":\"x\"}",
 "POST /v2/ticket/INST-7902/comment\n{\"body\":\"x\"}",
 "POST /v2/ticket/INST-7902/comment",
 "POST /v2/ticket/INST-7902/comment\n{\"body\":\"x\"}",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nContent-Type: text/plain",
 "ticketing-provider: JAM",
 "ticketing-provider: JAM\nContent-Type: application/x-www-form-urlencoded",
 "ticketing-provider: JAM\nContent-Type: application/json; charset=iso-8859-1",
 "ticketing-provider: JAM\nContent-Type: application/json",
 "ticketing-provider: JAM\nContent-Type: Application/JSON; charset=UTF-8",
 ""]
--- error_code eval
[200, 415, 415, 415, 415, 400, 201, 200]
--- response_body_like eval
['"reset"',
 (map { '^\{"code":"0024","status":"UNSUPPORTED_MEDIA_TYPE","message":"Unsupported Media Type","detailMsg":"Content-Type must be application/json"\}$' } 1 .. 4),
 main::bad("a JSON request body is required"),
 '"body":\s*"x"',
 '"count":\s*1\b']



=== TEST 11: the catalogue's GET operations without required input pass untouched
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902?attachment", "GET /v2/orgs/yoigo/searchByTerritoryOwner?territory_owner=x&territory_owner=y",
 "GET /v2/ticket/metadata/types?x=%zz", "DELETE /v2/attachment/24819"]
--- error_code eval
[200, 200, 200, 204]



=== TEST 12: a body just under the limit passes byte for byte; just over: 413
--- config
    location /v2/ {
        ticketing_gateway on;
        client_max_body_size 4k;
        client_body_buffer_size 4k;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "POST /v2/ticket/INST-7902/attachment\n" . main::att_body(4096),
 "GET /__mock/last",
 "POST /v2/ticket/INST-7902/attachment\n" . main::att_body(4097),
 "GET /__mock/count"]
--- error_code eval
[200, 201, 200, 413, 200]
--- response_body_like eval
['"reset"', '"size":\s*3054\b', main::mock_saw_body(main::att_body(4096)), '^\{"code":"0022","status":"PAYLOAD_TOO_LARGE","message":"Payload Too Large","detailMsg":"[^"]+"\}$', '"count":\s*1\b']
--- block_error_log
client intended to send too large body: 4097 bytes
--- no_error_log
[warn]



=== TEST 13: a chunked body over the limit: uniform 413, nothing upstream
--- config
    location /v2/ {
        ticketing_gateway on;
        client_max_body_size 4k;
        client_body_buffer_size 4k;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset",
 "POST /v2/ticket/INST-7902/attachment\n" . main::chunked(main::att_body(4096)),
 "POST /v2/ticket/INST-7902/attachment\n" . main::chunked(main::att_body(4097)),
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM\nContent-Type: application/json\nTransfer-Encoding: chunked",
 "ticketing-provider: JAM\nContent-Type: application/json\nTransfer-Encoding: chunked", ""]
--- error_code eval
[200, 201, 413, 200]
--- response_body_like eval
['"reset"', '"size":\s*3054\b',
 '^\{"code":"0022","status":"PAYLOAD_TOO_LARGE","message":"Payload Too Large","detailMsg":"request body is larger than allowed"\}$',
 '"count":\s*1\b']
--- block_error_log
client intended to send too large chunked body
--- no_error_log
[warn]



=== TEST 14: a body beyond client_body_buffer_size (in a temp file) is refused with 413, not read
--- config
    location /v2/ {
        ticketing_gateway on;
        client_max_body_size 64k;
        client_body_buffer_size 1k;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/attachment\n" . main::att_body(8000), "GET /__mock/count"]
--- error_code eval
[200, 413, 200]
--- response_body_like eval
['"reset"', '"detailMsg":"request body is too large to be validated"', '"count":\s*0\b']
--- block_error_log
ticketing validate: body in a temporary file
--- no_error_log
[error]



=== TEST 15: a body that arrives later: the step waits without blocking, then passes it on
--- raw_request eval
["POST /v2/ticket/INST-7902/comment HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JAM\r\nContent-Type: application/json\r\nContent-Length: 23\r\nConnection: close\r\n\r\n{\"body\":",
 "\"late comment\"}"]
--- raw_request_middle_delay: 0.3
--- error_code: 201
--- response_body_like: "body":\s*"late comment"
--- error_log
ticketing validate: body read, resuming



=== TEST 16: a body that arrives later and is invalid: uniform 400
--- raw_request eval
["POST /v2/ticket/INST-7902/comment HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JAM\r\nContent-Type: application/json\r\nContent-Length: 23\r\nConnection: close\r\n\r\n{\"Body\":",
 "\"late comment\"}"]
--- raw_request_middle_delay: 0.3
--- error_code: 400
--- response_body_like: "detailMsg":"body field body is required"
--- error_log
ticketing validate: body read, resuming



=== TEST 17: a chunked body that arrives later, in pieces
--- raw_request eval
["POST /v2/ticket/INST-7902/comment HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JAM\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n8\r\n{\"body\":\r\n",
 "d\r\n\"in pieces\"}\r\n",
 "0\r\n\r\n"]
--- raw_request_middle_delay: 0.2
--- error_code: 201
--- response_body_like: "body":\s*"in pieces"
--- error_log
ticketing validate: body read, resuming



=== TEST 18: the client gives up while the body is awaited: no response, no leak
--- config
    location /v2/ {
        ticketing_gateway on;
        client_body_timeout 300ms;
        proxy_pass http://ticketing_api;
    }
--- raw_request eval
"POST /v2/ticket/INST-7902/comment HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JAM\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"body\":"
--- timeout: 3
--- error_code:
--- error_log
http finalize request: 408
close http connection
--- no_error_log
[alert]



=== TEST 19: ticketing_validate off: the upstream gets what the client sent
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_validate off;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/searchByIDParams", "POST /v2/ticket/INST-7902/comment\n{\"author\":1}", "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM", "ticketing-provider: JAM\nContent-Type: text/plain", ""]
--- error_code eval
[200, 400, 201, 200]
--- response_body_like eval
['"reset"', '"code":\s*"0015"', '"ticketId"', '"count":\s*2\b']



=== TEST 20: a valid body with non-ASCII text passes byte for byte
--- request eval
["GET /__mock/reset", "POST /v2/remotelink\n{\"ticketId\":\"INST-7902\",\"title\":\"Cita \xc3\xb1 \\u00e9\",\"n\":[1,2.5e3,null,true]}", "GET /__mock/last"]
--- error_code eval
[200, 201, 200]
--- response_body_like eval
['"reset"', '"message"', '"body":\s*"\{\\\\"ticketId\\\\":\\\\"INST-7902\\\\",\\\\"title\\\\":\\\\"Cita (?:\xc3\xb1|\\\\u00f1) \\\\\\\\u00e9\\\\",\\\\"n\\\\":\[1,2\.5e3,null,true\]\}"']



=== TEST 21: a chunked body that goes over the limit after the step started waiting: 413, nothing upstream
--- config
    location /v2/ {
        ticketing_gateway on;
        client_max_body_size 64;
        client_body_buffer_size 64;
        proxy_pass http://ticketing_api;
    }
--- raw_request eval
["POST /v2/ticket/INST-7902/comment HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JAM\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n8\r\n{\"body\":\r\n",
 "64\r\n\"" . ("x" x 98) . "\"\r\n0\r\n\r\n"]
--- raw_request_middle_delay: 0.2
--- error_code: 413
--- error_log
client intended to send too large chunked body
--- no_error_log
ticketing validate: body read, resuming
[alert]



=== TEST 22: remotelink.create without a body passes (the reference documents none); a body present is still validated
--- request eval
["GET /__mock/reset",
 "POST /v2/remotelink",
 "POST /v2/remotelink",
 "POST /v2/remotelink\n{\"ticketId\":\"INST-7902\"",
 "POST /v2/remotelink\n[\"INST-7902\"]",
 "POST /v2/remotelink\n{\"ticketId\":\"INST-7902\"}",
 "POST /v2/ticket/INST-7902/comment",
 "GET /__mock/count"]
--- more_headers eval
["",
 "ticketing-provider: JAM\nContent-Type: application/json",
 "ticketing-provider: JAM",
 "ticketing-provider: JAM\nContent-Type: application/json",
 "ticketing-provider: JAM\nContent-Type: application/json",
 "ticketing-provider: JAM\nContent-Type: text/plain",
 "ticketing-provider: JAM\nContent-Type: application/json",
 ""]
--- error_code eval
[200, 201, 201, 400, 400, 415, 400, 200]
--- response_body_like eval
['"reset"', '"message":', '"message":',
 main::bad("request body is not valid JSON: "),
 main::bad("request body must be a JSON object"),
 '^\{"code":"0024","status":"UNSUPPORTED_MEDIA_TYPE","message":"Unsupported Media Type","detailMsg":"Content-Type must be application/json"\}$',
 main::bad("a JSON request body is required"),
 '"count":\s*2\b']



=== TEST 23: remotelink.create with an empty chunked body passes
--- raw_request eval
"POST /v2/remotelink HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JAM\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"
--- error_code: 201
--- response_body_like: "message":
