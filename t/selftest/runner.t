# Self-test of t/lib/Test/Nginx/Socket.pm against a stock nginx (no
# ticketing module): every block here must PASS.  The failure side is
# covered by t/selftest/failures.t.
#
#   TEST_NGINX_BINARY=/usr/sbin/nginx TEST_NGINX_SERVER_PORT=19841 \
#       prove -I t/lib t/selftest/

use Test::Nginx::Socket;

$ENV{TEST_NGINX_SELFTEST_WORD} = 'expanded';

repeat_each(1);
plan tests => repeat_each() * (blocks() * 2 + 27);
no_shuffle();
run_tests();

__DATA__

=== TEST 1: return 200 with an exact body
--- config
    location = /hello { return 200 "hello\n"; }
--- request
GET /hello
--- response_body
hello
--- error_code: 200



=== TEST 2: chomp filter and the implicit 200 check
--- config
    location = /hello { return 200 "hello"; }
--- request
GET /hello
--- response_body chomp
hello



=== TEST 3: more_headers reach nginx (echoed back in a header)
--- config
    location = /echo {
        add_header X-Got $http_foo;
        add_header X-Host $host;
        return 200 "ok\n";
    }
--- request
GET /echo
--- more_headers
Foo: bar baz
--- response_headers
X-Got: bar baz
X-Host: localhost
Content-Type: text/plain
--- response_body
ok



=== TEST 4: absent and empty headers
--- config
    location = /h {
        add_header X-Empty "";
        add_header X-Present yes;
        return 200 "ok\n";
    }
--- request
GET /h
--- response_headers
!X-Empty
!X-Nonexistent
X-Present: yes



=== TEST 5: request eval with an array of requests, per-request expectations
--- config
    location = /a { return 200 "A\n"; }
    location = /b { return 201 "B\n"; }
--- request eval
["GET /a", "GET /b", "GET /missing"]
--- error_code eval
[200, 201, 404]
--- response_body_like eval
["^A\n\\z", qr/^B$/m, "404 Not Found"]



=== TEST 6: with several requests, an array of one entry per request
(a scalar would make Test::Nginx bail out: t/selftest/failures.t)
--- config
    location /same { return 200 "same\n"; }
--- request eval
["GET /same/1", "GET /same/2"]
--- response_body eval
["same\n", "same\n"]



=== TEST 7: raw_request eval (exact bytes, HTTP/1.0)
--- config
    location = /raw { return 200 "raw ok\n"; }
--- raw_request eval
"GET /raw HTTP/1.0\r\nHost: localhost\r\n\r\n"
--- response_body
raw ok
--- response_headers
Connection: close



=== TEST 8: raw_request split into packets
--- config
    location = /raw { return 200 "packets ok\n"; }
--- raw_request eval
["GET /raw HTTP/1.1\r\nHo", "st: localhost\r\nConnection: close\r\n\r\n"]
--- raw_request_middle_delay: 0.1
--- response_body
packets ok



=== TEST 9: error_log from a missing file, no_error_log at another level
No config: the nginx of TEST 8 (its default location) answers.
--- request
GET /no-such-file.html
--- error_code: 404
--- error_log
No such file or directory
open()
--- no_error_log
[alert]
[emerg]



=== TEST 10: error_log eval with a regex and a string
--- request
GET /nothing-here
--- error_code: 404
--- error_log eval
[qr/\[error\] \d+#\d+: \*\d+ open\(\) ".*nothing-here" failed/, "nothing-here"]



=== TEST 11: log_level section keeps debug lines out
--- log_level: warn
--- config
    location = /q { return 200 "q\n"; }
--- request
GET /q
--- response_body
q
--- no_error_log
[debug]



=== TEST 12: default log level is debug
--- config
    location = /q { return 200 "q\n"; }
--- request
GET /q
--- error_log
[debug]



=== TEST 13: must_die with an unknown directive
--- config
    location = /x { no_such_directive_at_all; }
--- must_die
--- error_log
unknown directive "no_such_directive_at_all"



=== TEST 14: user_files served from html/
--- config
--- user_files
>>> foo.txt
hello from a user file
>>> sub/dir/bar.html
<p>bar</p>
--- request eval
["GET /foo.txt", "GET /sub/dir/bar.html"]
--- response_body eval
["hello from a user file\n", "<p>bar</p>\n"]



=== TEST 15: chunked response (SSI drops Content-Length) is decoded
--- config
    location = /chunked {
        ssi on;
        ssi_types text/plain;
        return 200 'ba<!--# echo var="arg_mid" -->na\n';
    }
--- request
GET /chunked?mid=na
--- response_headers
Transfer-Encoding: chunked
!Content-Length
--- response_body
banana



=== TEST 16: POST body with automatic Content-Length, proxied to ourselves
--- config
    location = /post {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/back;
        proxy_set_header X-Body $request_body;
        proxy_set_header X-Len $content_length;
    }
    location = /back { return 200 "len=$http_x_len body=$http_x_body\n"; }
--- request
POST /post
hello world
--- response_body
len=11 body=hello world



=== TEST 17: $TEST_NGINX_* expansion in config, request, headers and expectations
An undefined variable is left as written (like Test::Nginx).
--- config
    location = /env {
        add_header X-Raw-Echo $http_x_raw;
        return 200 "$TEST_NGINX_SELFTEST_WORD $arg_w\n";
    }
--- request
GET /env?w=$TEST_NGINX_SELFTEST_WORD
--- more_headers
X-Raw: $TEST_NGINX_UNDEFINED_THING
--- response_headers
X-Raw-Echo: $TEST_NGINX_UNDEFINED_THING
--- response_body
expanded expanded



=== TEST 18: HEAD has no body
--- config
    location = /head { return 200 "body that HEAD must not get\n"; }
--- request
HEAD /head
--- response_body
--- response_headers
Content-Length: 28



=== TEST 19: http_config and main_config go to their contexts
--- main_config
    env TEST_NGINX_SELFTEST_WORD;
--- http_config
    map $uri $mapped { default "from-http-config"; }
--- config
    location = /m { return 200 "$mapped\n"; }
--- request
GET /m
--- response_headers_like
Server: nginx(/[\d.]+)?
Content-Length: \d+
--- response_body
from-http-config



=== TEST 20: a block nginx does not refuse needs a request (else bail out)
--- config
    location = /unused { return 204; }
--- request
GET /unused
--- error_code: 204
--- no_error_log
[emerg]



=== TEST 21: wait and timeout sections are accepted
--- config
    location = /w { return 200 "w\n"; }
--- request
GET /w
--- timeout: 2
--- wait: 0.2
--- response_body
w



=== TEST 22: a UBSan report naming ngx_pstrdup is ignored by the sanitizer check
The request path puts "runtime error: ... ngx_pstrdup" into the error log.
--- request
GET /runtime%20error:%20ngx_pstrdup
--- error_code: 404
--- error_log
runtime error: ngx_pstrdup



=== TEST 23: skip_nginx skips the block's tests when the version matches
--- skip_nginx: 2: < 999.0.0
--- config
    location = /s { return 500; }
--- request
GET /s



=== TEST 24: skip_nginx runs the block when the version does not match
--- skip_nginx: 2: > 999.0.0
--- config
    location = /s { return 200 "ran\n"; }
--- request
GET /s
--- response_body
ran



=== TEST 25: skip_eval skips when the Perl expression is true
--- skip_eval: 2: $ENV{TEST_NGINX_SELFTEST_WORD} eq 'expanded'
--- config
    location = /s { return 500; }
--- request
GET /s



=== TEST 26: a block without config runs on the nginx that is up
Its http_config is not applied (the map of TEST 19 is not there either).
--- http_config
    map $uri $mapped { default "from-a-config-less-block"; }
--- request
GET /s
--- response_body
ran



=== TEST 27: error_log is checked after each request, against its lines
--- config
    location = /ok { return 200 "ok\n"; }
--- request eval
["GET /missing-27", "GET /ok"]
--- error_code eval
[404, 200]
--- error_log eval
qr/GET \/(?:missing-27|ok) HTTP/
