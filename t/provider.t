# ticketing-provider: aliases and case are normalized, defaults apply, and
# the upstream always receives exactly one canonical header.  Missing,
# unknown, conflicting or malformed values get a uniform 400 naming the
# allowed values, and never reach the upstream.

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
        add_header X-Provider $ticketing_provider always;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_

    $block->set_value("no_error_log", "[error]\n[warn]") unless defined $block->no_error_log;

    # authentication is the subject of t/jwt.t and t/permissions.t: off here
    $block->set_value("http_config", "    ticketing_auth off;\n"
                                     . ($block->http_config // ""));
    add_log_request($block);
});

our $Allowed = 'allowed values: JAM, JCC, TGJ, JNEXT';

# the upstream saw exactly one ticketing-provider header with this value
sub saw { my $p = shift; qq{"ticketing-provider":\\s*"$p"} }

run_tests();

__DATA__

=== TEST 1: a ticket created with "jam" is read back with JAM, and is not visible under JCC
--- request eval
["GET /__mock/reset",
 "POST /v2/orgs/yoigo/ticket\n{\"project\":\"INST\",\"ticketType\":\"Incidencia\",\"summary\":\"alias\"}",
 "GET /__mock/last",
 "GET /v2/orgs/yoigo/ticket/INST-7903",
 "GET /v2/orgs/yoigo/ticket/INST-7903",
 "GET /v2/orgs/yoigo/ticket/INST-7903"]
--- more_headers eval
["", "ticketing-provider: jam\nContent-Type: application/json", "",
 "ticketing-provider: JAM", "ticketing-provider: JCC", "ticketing-provider:  Jira Amarillo "]
--- error_code eval
[200, 201, 200, 200, 404, 200]
--- response_headers eval
["", "X-Provider: JAM", "", "X-Provider: JAM", "X-Provider: JCC", "X-Provider: JAM"]
--- response_body_like eval
['"reset"', '"key":\s*"INST-7903"', main::saw("JAM"), '"summary":\s*"alias"', '"code":\s*"0004"', '"summary":\s*"alias"']



=== TEST 2: every alias reaches the upstream as its canonical value
--- request eval
[map { ("GET /v2/ticket/metadata/types", "GET /__mock/last") } 1 .. 12]
--- more_headers eval
[map { ("ticketing-provider: $_", "") }
 ("JAM", "jam", "Jira Amarillo", "JIRA   amarillo", "JiraAmarillo",
  "JCC", "Jira CC", "jiracc", "TGJ", "TGJira", "JiraNext", "Jira Next")]
--- error_code eval
[(200) x 24]
--- response_body_like eval
[map { ('"projectKey"', main::saw($_)) } qw(JAM JAM JAM JAM JAM JCC JCC JCC TGJ TGJ JNEXT JNEXT)]



=== TEST 3: duplicates that agree: exactly one canonical header upstream, other headers intact
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["", "X-A: 1\nticketing-provider: jam\nX-B: 2\nTicketing-Provider: JAM\nX-C: 3\nticketing-provider: Jira Amarillo\nX-D: 4", ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"reset"', '"projectKey"',
 '\A(?!.*ticketing-provider":\s*\[)(?=.*' . main::saw("JAM") . ')(?=.*"x-a":\s*"1")(?=.*"x-b":\s*"2")(?=.*"x-c":\s*"3")(?=.*"x-d":\s*"4")']



=== TEST 4: duplicates spread over several parts of the header list (more than 20 headers)
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["", CORE::join("\n", "ticketing-provider: tgj", (map { "X-H$_: v$_" } 1 .. 18),
                "ticketing-provider: TGJira", (map { "X-H$_: v$_" } 19 .. 40),
                "ticketing-provider: TGJ", "X-Last: end"), ""]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
['"reset"', '"projectKey"',
 '\A(?!.*ticketing-provider":\s*\[)(?=.*' . main::saw("TGJ") . ')(?=.*"x-h1":\s*"v1")(?=.*"x-h18":\s*"v18")(?=.*"x-h19":\s*"v19")(?=.*"x-h40":\s*"v40")(?=.*"x-last":\s*"end")']



=== TEST 5: missing header without any default: 400 naming the allowed values, nothing upstream
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /__mock/count"]
--- error_code eval
[200, 400, 200]
--- response_body eval
['{"reset": true}',
 qq({"code":"0015","status":"BAD_REQUEST","message":"Bad Request","detailMsg":"the ticketing-provider header is required; $main::Allowed"}),
 '{"count": 0}']
--- block_error_log
ticketing provider: the ticketing-provider header is required



=== TEST 6: missing header with a location default: the upstream gets the default
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_provider_default jira-cc;
        add_header X-Provider $ticketing_provider always;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- http_config
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    ticketing_provider JAM "Jira Amarillo";
    ticketing_provider JCC jira-cc "Jira CC";
--- request eval
["GET /v2/ticket/metadata/types", "GET /__mock/last", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["", "", "ticketing-provider: jira amarillo", ""]
--- error_code eval
[200, 200, 200, 200]
--- response_headers eval
["X-Provider: JCC", "", "X-Provider: JAM", ""]
--- response_body_like eval
['"projectKey"', main::saw("JCC"), '"projectKey"', main::saw("JAM")]



=== TEST 7: conflicting duplicates: 400, nothing upstream
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JAM\nticketing-provider: JCC", "ticketing-provider: jam\nticketing-provider: bogus", ""]
--- error_code eval
[200, 400, 400, 200]
--- response_body_like eval
['"reset"',
 qq{"detailMsg":"conflicting ticketing-provider headers; $main::Allowed"},
 qq{"detailMsg":"unknown ticketing-provider; $main::Allowed"},
 '"count":\s*0\b']



=== TEST 8: unknown, empty and list values: 400 naming the allowed values
--- request eval
["GET /__mock/reset",
 (map { "GET /v2/ticket/metadata/types" } 1 .. 7),
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JIRA", "ticketing-provider: JAM, JCC", "ticketing-provider: J A M",
 "ticketing-provider: ", "ticketing-provider: jam2", "ticketing-provider: " . ("x" x 300),
 "ticketing-provider: J\xc3\xa1M", ""]
--- error_code eval
[200, (400) x 7, 200]
--- response_body_like eval
['"reset"',
 (map { qq{"detailMsg":"unknown ticketing-provider; $main::Allowed"} } 1 .. 3),
 qq{"detailMsg":"ticketing-provider is empty; $main::Allowed"},
 (map { qq{"detailMsg":"unknown ticketing-provider; $main::Allowed"} } 1 .. 3),
 '"count":\s*0\b']



=== TEST 9: control characters in the header: 400, nothing upstream
--- request eval
["GET /__mock/reset",
 "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types",
 "GET /__mock/count"]
--- more_headers eval
["", "ticketing-provider: JA\x01M", "ticketing-provider: Jira\tCC",
 "ticketing-provider: JAM\x7f", "ticketing-provider: \x1bJAM", ""]
--- error_code eval
[200, 400, 400, 400, 400, 200]
--- response_body_like eval
['"reset"',
 (map { qq{"detailMsg":"ticketing-provider contains a control character; $main::Allowed"} } 1 .. 4),
 '"count":\s*0\b']



=== TEST 10: a bare CR inside the value: nginx refuses the request itself (400)
--- raw_request eval
"GET /v2/ticket/metadata/types HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JA\rM\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- no_error_log
[error]



=== TEST 11: CRLF injection only makes two headers: the provider is still JAM
--- raw_request eval
"GET /v2/ticket/metadata/types HTTP/1.1\r\nHost: localhost\r\nticketing-provider: JAM\r\nticketing-provider: JCC\r\nConnection: close\r\n\r\n"
--- error_code: 400
--- response_body_like: "conflicting ticketing-provider headers



=== TEST 12: leading and trailing tabs are trimmed; an inner tab is not
--- request eval
["GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["ticketing-provider: \tJNEXT\t", ""]
--- error_code eval
[200, 200]
--- response_body_like eval
['"projectKey"', main::saw("JNEXT")]



=== TEST 13: a client's copy never survives next to a default: one header upstream
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_provider_default JAM;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["TICKETING-PROVIDER: tgjira", ""]
--- error_code eval
[200, 200]
--- response_body_like eval
['"projectKey"',
 '\A(?!.*(?:ticketing-provider":\s*\[|TICKETING-PROVIDER|tgjira))(?=.*' . main::saw("TGJ") . ')']



=== TEST 14: a configured provider list replaces the built-in one
--- http_config
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    ticketing_provider ACME "Acme Jira" acmejira;
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["ticketing-provider: JAM", "ticketing-provider: acme   JIRA", ""]
--- error_code eval
[400, 400, 200]
--- response_body_like eval
['"detailMsg":"unknown ticketing-provider; allowed values: ACME"',
 '"code":\s*"0015"',
 main::saw("ACME")]



=== TEST 15: duplicate alias: nginx -t fails naming it
--- http_config
    ticketing_provider JAM "Jira Amarillo";
    ticketing_provider JCC "jira  AMARILLO";
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
provider name or alias "jira  AMARILLO" is duplicate (already a name of "JAM")



=== TEST 16: unknown default provider: nginx -t fails naming the allowed ones
--- config
    location /v2/ { ticketing_gateway on; ticketing_provider_default JIRA; }
--- must_die
--- error_log
unknown provider "JIRA" in "ticketing_provider_default" directive; allowed: JAM, JCC, TGJ, JNEXT



=== TEST 17: a provider name with a space cannot be sent upstream: nginx -t fails
--- http_config
    ticketing_provider "JA M";
--- config
    location /v2/ { ticketing_gateway on; }
--- must_die
--- error_log
invalid provider name "JA M" in "ticketing_provider" directive
