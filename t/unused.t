# The module loaded, no gateway location: nginx behaves as without it.

use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: no gateway location: an unknown path reaches the upstream untouched
--- http_config
    upstream api_backend {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- config
    location /v2/ {
        proxy_pass http://api_backend;
    }
    location /__mock/ {
        proxy_pass http://api_backend;
    }
--- request eval
["GET /__mock/reset", "DELETE /v2/no/such/operation", "GET /__mock/count"]
--- error_code eval
[200, 404, 200]
--- response_body_like eval
['"reset"', '"code"', '"count":\s*1\b']
--- no_error_log eval
[qr/\bticketing( \w+)?: /, "[error]"]



=== TEST 2: no gateway location: the variables are empty, nothing is routed
--- config
    location /v2/ {
        return 200 "op=[$ticketing_operation] org=[$ticketing_org] id=[$ticketing_ticket_id]\n";
    }
--- request
GET /v2/orgs/yoigo/ticket/INST-7902
--- error_code: 200
--- response_body
op=[] org=[] id=[]
--- no_error_log eval
[qr/\bticketing( \w+)?: /, "[error]"]



=== TEST 3: gateway explicitly off inside a server that has it on
--- config
    ticketing_gateway on;
    location /v2/ {
        ticketing_gateway off;
        return 200 "op=[$ticketing_operation]\n";
    }
    location /static/ {
        return 200 "static\n";
    }
--- request
GET /v2/ticket/metadata/types
--- error_code: 200
--- response_body
op=[]
--- no_error_log
ticketing route
[error]



=== TEST 4: a plain static file is served as without the module
--- config
    # none: the default "location /" serves the user file (an empty config
    # still makes a new nginx, without TEST 3's server-level gateway)
--- user_files
>>> index.html
hello
--- request
GET /index.html
--- error_code: 200
--- response_body
hello
--- response_headers
Content-Type: text/html
--- no_error_log eval
[qr/\bticketing( \w+)?: /, "[error]"]
