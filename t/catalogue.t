# Every catalogue operation, with its allowed method, is routed, reaches the
# mock Ticketing API exactly as sent and returns its documented success
# status; $ticketing_operation names it.

use Test::Nginx::Socket 'no_plan';
use Cwd qw(abs_path);

# Every request carries a valid RS256 token with the API access role and
# every permission (t/tools/mint_jwt.py), so the full path is exercised.
$ENV{TEST_NGINX_DATA} = abs_path('t/data');
my $token = do {
    open my $fh, '-|', 'python3', 't/tools/mint_jwt.py',
        '--key', 't/data/rs256.key', '--alg', 'RS256'
        or die "mint_jwt.py: $!";
    local $/; my $t = <$fh>; close $fh or die "mint_jwt.py failed";
    chomp $t; $t;
};

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
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        add_header X-Ticketing-Operation $ticketing_operation always;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_

    $block->set_value("more_headers", "ticketing-provider: JAM\nContent-Type: application/json\nAuthorization: Bearer $token")
        unless defined $block->more_headers;

    $block->set_value("no_error_log", "[error]\n[warn]") unless defined $block->no_error_log;
});

run_tests();

__DATA__

=== TEST 1: ticket.create: POST /v2/orgs/yoigo/ticket reaches the upstream, 201
--- request eval
["GET /__mock/reset", "POST /v2/orgs/yoigo/ticket\n{\"project\":\"INST\",\"ticketType\":\"Incidencia\",\"summary\":\"Cita - Y28257924\",\"description\":\"Cita - Cliente solicita contacto\",\"customFields\":{\"brand\":\"Yoigo\"}}", "GET /__mock/last"]
--- error_code eval
[200, 201, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.create", ""]
--- response_body_like eval
['"reset"', '"key":\\s*"INST-\\d+"', '(?=.*"method":\\s*"POST")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/ticket")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 2: ticket.get: GET /v2/orgs/yoigo/ticket/INST-7902 reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.get", ""]
--- response_body_like eval
['"reset"', '"key":\\s*"INST-7902"', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/ticket\\/INST\\-7902")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 3: ticket.update: PATCH /v2/orgs/yoigo/ticket/INST-7902 reaches the upstream, 204
--- request eval
["GET /__mock/reset", "PATCH /v2/orgs/yoigo/ticket/INST-7902\n{\"summary\":\"Cita - cambiada\"}", "GET /__mock/last"]
--- error_code eval
[200, 204, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.update", ""]
--- response_body_like eval
['"reset"', '^$', '(?=.*"method":\\s*"PATCH")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/ticket\\/INST\\-7902")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 4: ticket.searchJql: GET /v2/orgs/yoigo/search/ticket reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/search/ticket?jql=project%20%3D%20INST", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.searchJql", ""]
--- response_body_like eval
['"reset"', '"tickets":\\s*\\[', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/search\\/ticket\\?jql=project%20%3D%20INST")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 5: ticket.search: POST /v2/orgs/yoigo/search/ticket reaches the upstream, 200
--- request eval
["GET /__mock/reset", "POST /v2/orgs/yoigo/search/ticket\n{\"filters\":{\"project\":{\"\$in\":[\"INST\"]}},\"startAt\":0,\"maxResults\":10}", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.search", ""]
--- response_body_like eval
['"reset"', 'INST-7902', '(?=.*"method":\\s*"POST")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/search\\/ticket")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 6: ticket.searchByTerritoryOwner: GET /v2/orgs/yoigo/searchByTerritoryOwner reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/searchByTerritoryOwner", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.searchByTerritoryOwner", ""]
--- response_body_like eval
['"reset"', '"tickets":\\s*\\[', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/searchByTerritoryOwner")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 7: ticket.searchByIDParams: GET /v2/orgs/yoigo/searchByIDParams reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/searchByIDParams?customer_id=12345", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.searchByIDParams", ""]
--- response_body_like eval
['"reset"', 'INST-7902', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/searchByIDParams\\?customer_id=12345")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 8: ticket.transitions: GET /v2/orgs/yoigo/ticket/INST-7902/transitions reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902/transitions", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.transitions", ""]
--- response_body_like eval
['"reset"', '^\\[\\[\\{.*"id"', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/ticket\\/INST\\-7902\\/transitions")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 9: ticket.transition: POST /v2/orgs/yoigo/ticket/INST-7902/transitions reaches the upstream, 204
--- request eval
["GET /__mock/reset", "POST /v2/orgs/yoigo/ticket/INST-7902/transitions\n{\"transitionId\":21}", "GET /__mock/last"]
--- error_code eval
[200, 204, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.transition", ""]
--- response_body_like eval
['"reset"', '^$', '(?=.*"method":\\s*"POST")(?=.*"path":\\s*"\\/v2\\/orgs\\/yoigo\\/ticket\\/INST\\-7902\\/transitions")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 10: ticket.assign: PUT /v2/ticket/INST-7902/assignee reaches the upstream, 204
--- request eval
["GET /__mock/reset", "PUT /v2/ticket/INST-7902/assignee\n{\"assignee\":\"admin.micro\"}", "GET /__mock/last"]
--- error_code eval
[200, 204, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ticket.assign", ""]
--- response_body_like eval
['"reset"', '^$', '(?=.*"method":\\s*"PUT")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/assignee")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 11: metadata.createProperties: GET /v2/ticket/metadata/create/properties reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/create/properties?projectKey=INST&ticketType=Incidencia", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: metadata.createProperties", ""]
--- response_body_like eval
['"reset"', '"required":', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/ticket\\/metadata\\/create\\/properties\\?projectKey=INST\\&ticketType=Incidencia")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 12: metadata.updateProperties: GET /v2/ticket/INST-7902/metadata/update/properties reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/ticket/INST-7902/metadata/update/properties", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: metadata.updateProperties", ""]
--- response_body_like eval
['"reset"', '"allowedValues":', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/metadata\\/update\\/properties")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 13: metadata.types: GET /v2/ticket/metadata/types reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: metadata.types", ""]
--- response_body_like eval
['"reset"', '^\\[\\[\\{.*"projectKey".*"issuetypes"', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/ticket\\/metadata\\/types")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 14: metadata.fieldInfo: GET /v2/ticket/field/info reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/ticket/field/info?api_name=segment", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: metadata.fieldInfo", ""]
--- response_body_like eval
['"reset"', '"jira_label":', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/ticket\\/field\\/info\\?api_name=segment")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 15: comment.create: POST /v2/ticket/INST-7902/comment reaches the upstream, 201
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/comment\n{\"body\":\"Cliente contactado de nuevo.\"}", "GET /__mock/last"]
--- error_code eval
[200, 201, 200]
--- response_headers eval
["", "X-Ticketing-Operation: comment.create", ""]
--- response_body_like eval
['"reset"', '"body":\\s*"Cliente contactado de nuevo."', '(?=.*"method":\\s*"POST")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/comment")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 16: attachment.create: POST /v2/ticket/INST-7902/attachment reaches the upstream, 201
--- request eval
["GET /__mock/reset", "POST /v2/ticket/INST-7902/attachment\n{\"name\":\"nota.txt\",\"mimeType\":\"text/plain\",\"data\":\"aG9sYQ==\"}", "GET /__mock/last"]
--- error_code eval
[200, 201, 200]
--- response_headers eval
["", "X-Ticketing-Operation: attachment.create", ""]
--- response_body_like eval
['"reset"', '"filename":\\s*"nota.txt"', '(?=.*"method":\\s*"POST")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/attachment")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 17: attachment.get: GET /v2/ticket/INST-7902/attachment/24819 reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/ticket/INST-7902/attachment/24819", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: attachment.get", ""]
--- response_body_like eval
['"reset"', '"base64":', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/attachment\\/24819")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 18: attachment.delete: DELETE /v2/attachment/24819 reaches the upstream, 204
--- request eval
["GET /__mock/reset", "DELETE /v2/attachment/24819", "GET /__mock/last"]
--- error_code eval
[200, 204, 200]
--- response_headers eval
["", "X-Ticketing-Operation: attachment.delete", ""]
--- response_body_like eval
['"reset"', '^$', '(?=.*"method":\\s*"DELETE")(?=.*"path":\\s*"\\/v2\\/attachment\\/24819")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 19: issueLink.create: POST /v2/issueLink reaches the upstream, 201
--- request eval
["GET /__mock/reset", "POST /v2/issueLink\n{\"type\":{\"name\":\"Relates\"},\"inwardIssue\":{\"key\":\"INST-7902\"},\"outwardIssue\":{\"key\":\"MAS-1201\"}}", "GET /__mock/last"]
--- error_code eval
[200, 201, 200]
--- response_headers eval
["", "X-Ticketing-Operation: issueLink.create", ""]
--- response_body_like eval
['"reset"', '"message":', '(?=.*"method":\\s*"POST")(?=.*"path":\\s*"\\/v2\\/issueLink")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 20: issueLink.get: GET /v2/issueLink/10000 reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/issueLink/10000", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: issueLink.get", ""]
--- response_body_like eval
['"reset"', '"inwardIssue":', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/issueLink\\/10000")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 21: issueLink.delete: DELETE /v2/issueLink/10000 reaches the upstream, 204
--- request eval
["GET /__mock/reset", "DELETE /v2/issueLink/10000", "GET /__mock/last"]
--- error_code eval
[200, 204, 200]
--- response_headers eval
["", "X-Ticketing-Operation: issueLink.delete", ""]
--- response_body_like eval
['"reset"', '^$', '(?=.*"method":\\s*"DELETE")(?=.*"path":\\s*"\\/v2\\/issueLink\\/10000")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 22: issueLinkType.list: GET /v2/issueLinkType reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: issueLinkType.list", ""]
--- response_body_like eval
['"reset"', '"Blocks"', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/issueLinkType")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 23: issueLinkType.get: GET /v2/issueLinkType/10000 reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType/10000", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: issueLinkType.get", ""]
--- response_body_like eval
['"reset"', '^\\[', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/issueLinkType\\/10000")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 24: grid.update: PUT /v2/ticket/INST-7902/grid reaches the upstream, 204
--- request eval
["GET /__mock/reset", "PUT /v2/ticket/INST-7902/grid?customFieldName=workorder_index\n[{\"rowId\":\"row_94ba7042-c49b-4f53-971b-44549b9c08a0\",\"columns\":{\"key\":\"final\"}}]", "GET /__mock/last"]
--- error_code eval
[200, 204, 200]
--- response_headers eval
["", "X-Ticketing-Operation: grid.update", ""]
--- response_body_like eval
['"reset"', '^$', '(?=.*"method":\\s*"PUT")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/grid\\?customFieldName=workorder_index")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']



=== TEST 25: ia.summary: GET /v2/ticket/INST-7902/ia/summary reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/ticket/INST-7902/ia/summary", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ia.summary", ""]
--- response_body_like eval
['"reset"', '"operative_summary":', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/ia\\/summary")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 26: ia.duration: GET /v2/ticket/INST-7902/ia/duration reaches the upstream, 200
--- request eval
["GET /__mock/reset", "GET /v2/ticket/INST-7902/ia/duration", "GET /__mock/last"]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Ticketing-Operation: ia.duration", ""]
--- response_body_like eval
['"reset"', '"estimated_minutes":', '(?=.*"method":\\s*"GET")(?=.*"path":\\s*"\\/v2\\/ticket\\/INST\\-7902\\/ia\\/duration")(?=.*"ticketing-provider":\\s*"JAM")']



=== TEST 27: remotelink.create: POST /v2/remotelink reaches the upstream, 201
--- request eval
["GET /__mock/reset", "POST /v2/remotelink\n{\"ticketId\":\"INST-7902\",\"url\":\"https://example.com/x\",\"title\":\"x\"}", "GET /__mock/last"]
--- error_code eval
[200, 201, 200]
--- response_headers eval
["", "X-Ticketing-Operation: remotelink.create", ""]
--- response_body_like eval
['"reset"', '"message":', '(?=.*"method":\\s*"POST")(?=.*"path":\\s*"\\/v2\\/remotelink")(?=.*"ticketing-provider":\\s*"JAM")(?=.*"body":\\s*"[^"])']
