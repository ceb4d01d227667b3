# Unit checks of the runner's helpers (no nginx needed): request building,
# response parsing, log scanning, $TEST_NGINX_* expansion, user_files.

use strict;
use warnings;

use Test::More;
use Test::Nginx::Lite::HTTP qw(build_request parse_response request_method);
use Test::Nginx::Lite::Log qw(sanitizer_reports valgrind_reports normalize_patterns);
use Test::Nginx::Lite::Conf qw(expand_env expand_env_deep parse_user_files render_conf);

# ------------------------------------------------------------ build_request

my ($req, $method) = build_request("GET /a\n", undef);
is($req, "GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
   'GET: HTTP/1.1, Host and Connection added');
is($method, 'GET', 'method returned');

($req) = build_request("  GET\n", undef);
like($req, qr{^GET / HTTP/1\.1\r\n}, 'URI defaults to /, leading blanks ignored');

($req) = build_request("GET /x HTTP/1.0", undef);
like($req, qr{^GET /x HTTP/1\.0\r\n}, 'explicit version kept');

($req) = build_request("POST /p\n  hello world \n\n", "X-A: 1\n# comment\n\nX-B:\n");
is($req, "POST /p HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-A: 1\r\n"
       . "X-B: \r\nContent-Length: 11\r\n\r\nhello world",
   'body trimmed, Content-Length added, comments and blank header lines skipped');

($req) = build_request("GET /h", "Host: example.com\nConnection: keep-alive");
unlike($req, qr/Host: localhost|Connection: close/, 'more_headers override Host and Connection');

($req) = build_request("POST /c\n5\r\nhello\r\n0\r\n\r\n", "Transfer-Encoding: chunked");
like($req, qr/\r\n\r\n5\r\nhello\r\n0\r\n\r\n\z/, 'chunked body sent as written');
unlike($req, qr/Content-Length/, 'no Content-Length with chunked');

($req) = build_request("POST /l\nabc", "Content-Length: 1");
unlike($req, qr/Content-Length: 3/, 'an explicit Content-Length is not doubled');

ok(!eval { build_request("\n\n", undef); 1 }, 'empty request line is an error');
is(request_method("head / HTTP/1.0\r\n\r\n"), 'HEAD', 'request_method of raw bytes');

# ----------------------------------------------------------- parse_response

my $r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-M: a\r\nX-M: b\r\n\r\nabcEXTRA", 'GET', 0);
ok($r->{complete}, 'Content-Length body complete');
is($r->{body}, 'abc', 'body cut at Content-Length');
is($r->{headers}->header('X-M'), 'a, b', 'repeated headers joined');

$r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 'GET', 1);
ok(!$r->{complete} && $r->{error}, 'short body at EOF is an error');

my $chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            . "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n";
$r = parse_response($chunked, 'GET', 0);
ok($r->{complete}, 'chunked with extension and trailer complete');
is($r->{body}, 'abcde', 'chunked body decoded');

$r = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 'GET', 0);
ok(!$r->{complete} && !$r->{error}, 'chunked without last chunk: incomplete, not yet an error');
$r = parse_response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", 'GET', 1);
ok($r->{error}, '... an error once the connection is closed');

$r = parse_response("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx", 'POST', 0);
is($r->{code}, 201, 'interim 100 response skipped');

$r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 'HEAD', 0);
ok($r->{complete} && $r->{body} eq '', 'HEAD response has no body');

$r = parse_response("HTTP/1.1 204 No Content\r\n\r\n", 'GET', 0);
ok($r->{complete}, '204 has no body');

$r = parse_response("HTTP/1.0 200 OK\r\n\r\nuntil close", 'GET', 0);
ok(!$r->{complete}, 'unframed body incomplete before EOF');
$r = parse_response("HTTP/1.0 200 OK\r\n\r\nuntil close", 'GET', 1);
ok($r->{complete} && $r->{body} eq 'until close', '... complete at EOF');

$r = parse_response('', 'GET', 1);
is($r->{code}, '', 'nothing received: empty code, no error');
ok(!defined $r->{error}, '... and no parse error');

$r = parse_response("garbage\r\n\r\n", 'GET', 1);
like($r->{error}, qr/bad status line/, 'bad status line reported');

# ---------------------------------------------------------- log scanning

my $log = <<'LOG';
2026/01/01 [debug] 1#1: something
src/core/ngx_string.c:50:5: runtime error: null pointer passed as argument 2
    #0 0x55 in ngx_pstrdup src/core/ngx_string.c:50
    #1 0x56 in ngx_conf_parse src/core/ngx_conf_file.c:10
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior src/core/ngx_string.c:50:5
src/core/ngx_string.c:600:9: runtime error: applying offset to null pointer
    #0 0x57 in ngx_sprintf_str src/core/ngx_string.c:600
src/http/ngx_http_ticketing.c:12:3: runtime error: signed integer overflow
    #0 0x58 in ngx_http_ticketing_handler src/http/ngx_http_ticketing.c:12
2026/01/01 [error] 1#1: an ordinary error line
LOG
my @reports = sanitizer_reports($log);
is(scalar @reports, 1, 'UBSan reports naming ngx_pstrdup / ngx_sprintf_str are ignored');
like($reports[0], qr/signed integer overflow.*ngx_http_ticketing_handler/s,
     'the other UBSan report is kept with its stack');
unlike($reports[0], qr/ordinary error line/, 'a report stops at the next log line');

@reports = sanitizer_reports("==42==ERROR: AddressSanitizer: heap-use-after-free\n"
                             . "READ of size 1\n==42==ABORTING\n");
is(scalar @reports, 1, 'AddressSanitizer report found');
@reports = sanitizer_reports("==42==ERROR: LeakSanitizer: detected memory leaks\n");
is(scalar @reports, 1, 'LeakSanitizer report found');
is(scalar(sanitizer_reports("[error] nothing to see\n")), 0, 'clean log: no report');

is(scalar(valgrind_reports('/nonexistent/valgrind.log')), 0, 'no valgrind log: no report');

is_deeply([ normalize_patterns("a\n\nb\n") ], [ 'a', 'b' ], 'plain patterns: one per line');
is_deeply([ normalize_patterns([ 'x', qr/y/ ]) ], [ 'x', qr/y/ ], 'eval patterns kept');
is(scalar(() = normalize_patterns(qr/z/)), 1, 'a single qr// is one pattern');

# -------------------------------------------------------- env expansion

{
    local $ENV{TEST_NGINX_UNIT_X} = 'xx';
    local $ENV{TEST_NGINX_UNIT_Y};
    delete $ENV{TEST_NGINX_UNIT_Y};
    is(expand_env('a $TEST_NGINX_UNIT_X b $TEST_NGINX_UNIT_Y'), 'a xx b $TEST_NGINX_UNIT_Y',
       'defined variables expanded, undefined left as written');
    my $re = qr/\$TEST_NGINX_UNIT_X/;
    my $deep = expand_env_deep([ '$TEST_NGINX_UNIT_X', [ '$TEST_NGINX_UNIT_X' ], $re ]);
    is_deeply($deep, [ 'xx', ['xx'], $re ], 'expansion through array refs, regexps untouched');
}

# ----------------------------------------------------------- user_files

my @files = parse_user_files(">>> a.txt\nA\n>>> d/b.txt 1234\nB1\nB2\n");
is_deeply(\@files, [ [ 'a.txt', "A\n", undef ], [ 'd/b.txt', "B1\nB2\n", 1234 ] ],
          'user_files text form with optional mtime');
is_deeply([ parse_user_files([ [ 'x', 'y' ] ]) ], [ [ 'x', 'y', undef ] ], 'user_files eval form');
ok(!eval { parse_user_files("oops\n>>> a\n"); 1 }, 'content before the first >>> is an error');

# ---------------------------------------------------------- render_conf

my $conf = render_conf(
    title => 'T', servroot => '/sr', port => 1234, log_level => 'info',
    daemon => 1, master => 0, workers => 1, worker_connections => 64,
    modules => ['/m/x.so'], env => ['FOO'], main_config => '# main',
    http_config => '# http', config => '# server', root_location => 1,
    configure_args => ' --without-http_uwsgi_module',
);
like($conf, qr/\A# Generated.*\nload_module \/m\/x\.so;\ndaemon on;/s, 'load_module first');
like($conf, qr/^master_process off;$/m, 'master_process off');
like($conf, qr/^error_log \/sr\/logs\/error\.log info;$/m, 'error_log with level');
like($conf, qr/^env FOO;$/m, 'env line');
like($conf, qr/listen 1234;/, 'listen on the port, every address (as Test::Nginx)');
like($conf, qr/client_body_temp_path \/sr\/client_body_temp;/, 'client body temp in servroot');
unlike($conf, qr/uwsgi_temp_path/, 'temp path of a module configured out is omitted');
like($conf, qr/# main.*events \{.*http \{.*# http.*server \{.*# server.*location \/ \{/s,
     'sections in their contexts, root location last');

done_testing();
