# Self-test of t/lib/Test/Nginx/Socket.pm, the other half: a runner whose
# checks cannot fail is worthless.  Small inner .t files are written to a
# temp dir and run through `prove -v`; we assert which of their assertions
# fail and which pass, and that the inner runs FAIL (or pass) as a whole.
# Also covers what needs its own file: global functions, environment
# variables, valgrind.
#
#   TEST_NGINX_BINARY=/usr/sbin/nginx prove -I t/lib t/selftest/

use strict;
use warnings;

use Test::More;
use File::Temp qw(tempdir);
use File::Spec;
use Cwd ();
use IO::Socket::INET;
use Time::HiRes qw(time);

my $lib = File::Spec->rel2abs('t/lib');
my $tmp = tempdir('nginx-selftest-XXXXXX', TMPDIR => 1, CLEANUP => 1);

# The inner runs get their own free port and server root, so they never
# collide with runner.t (prove -j) or with a developer's nginx.
my $port = free_port();

# The nginx under test, found as the runner finds it: Debian's dynamic
# modules only load into Debian's own binary, valgrind cannot run an
# ASan-instrumented one.
my ($nginx) = $ENV{TEST_NGINX_BINARY}
    || grep { -f && -x } map("$_/nginx", split /:/, $ENV{PATH} || ''), '/usr/sbin/nginx';
my $nginx_v = do {
    local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
    $nginx ? `'$nginx' -V 2>&1` : '';
};
my $sanitized = $nginx_v =~ /-fsanitize/;
my $debian_nginx = $nginx && (Cwd::realpath($nginx) || '') eq '/usr/sbin/nginx';

# Run one inner .t through prove; returns (exit code, TAP+diag text, seconds).
sub run_inner {
    my ($name, $prologue, $data, %env) = @_;
    my $file = "$tmp/$name.t";
    open my $fh, '>', $file or die "$file: $!";
    print {$fh} "use Test::Nginx::Socket 'no_plan';\n$prologue\nrun_tests();\n__DATA__\n$data";
    close $fh;
    local $ENV{TEST_NGINX_SERVER_PORT} = $port;
    local $ENV{TEST_NGINX_SERVROOT} = "$tmp/servroot-$name";
    local @ENV{ keys %env } = values %env;
    my $t0 = time;
    my $out = `timeout 120 prove -v -I '$lib' '$file' 2>&1`;
    return ($? >> 8, $out, time - $t0);
}

sub free_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Listen => 1, ReuseAddr => 1) or die "no free port: $!";
    return $s->sockport;
}

# "not ok N - <name>" / "ok N - <name>" lines of the inner TAP.
sub tap_has {
    my ($out, $ok, $name) = @_;
    my $prefix = $ok ? 'ok' : 'not ok';
    return $out =~ /^\Q$prefix\E \d+ - \Q$name\E$/m;
}

sub expect_tap {
    my ($out, %want) = @_;
    for my $name (sort keys %{ $want{fail} || {} }) {
        ok(tap_has($out, 0, $name), "inner assertion fails: $name");
    }
    for my $name (sort keys %{ $want{pass} || {} }) {
        ok(tap_has($out, 1, $name), "inner assertion passes: $name");
    }
}

# ------------------------------------------------------------------ failures

my ($rc, $out, $secs) = run_inner('failing', 'no_shuffle();', <<'EOF');
=== TEST 1: wrong status
--- config
    location = /t { return 404; }
--- request
GET /t
--- error_code: 200

=== TEST 2: wrong body
--- config
    location = /t { return 200 "actual\n"; }
--- request
GET /t
--- response_body
expected

=== TEST 3: body_like mismatch
--- config
    location = /t { return 200 "actual\n"; }
--- request
GET /t
--- response_body_like: ^expected$

=== TEST 4: header checks
--- config
    location = /t { add_header X-A a; return 200 "x\n"; }
--- request
GET /t
--- response_headers
X-A: b
!Server
X-Missing:

=== TEST 5: error_log pattern missing, no_error_log pattern present
--- request
GET /no-such-file
--- error_code: 404
--- error_log
this line is never logged
--- no_error_log
[error]

=== TEST 6: must_die but the config is valid
--- config
    location = /t { return 200; }
--- must_die

=== TEST 7: invalid config without must_die
--- config
    location = /t { bogus_directive_here; }
--- request
GET /t

=== TEST 8: AddressSanitizer text in the error log
--- config
--- request
GET /AddressSanitizer
--- error_code: 404

=== TEST 9: UBSan runtime error not in the ignore list
--- request
GET /runtime%20error:%20signed%20integer%20overflow
--- error_code: 404

=== TEST 10: fewer expectations than requests
--- config
    location /t { return 200 "x\n"; }
--- request eval
["GET /t/1", "GET /t/2"]
--- error_code eval
[200]

=== TEST 11: broken eval section
--- config
    location /t { return 200 "x\n"; }
--- request eval
"GET /t" . (
--- error_code: 200

=== TEST 12: no response within the timeout
--- raw_request eval
"GET /t HTTP/1.1\r\nHost: localhost\r\n"
--- timeout: 1

=== TEST 13: control block that passes
--- config
    location = /t { return 200 "fine\n"; }
--- request
GET /t
--- response_body
fine

=== TEST 14: an error_log pattern only the first request logs
--- config
    location = /t { return 200 "fine\n"; }
--- request eval
["GET /missing-14", "GET /t"]
--- error_code eval
[404, 200]
--- error_log
missing-14

=== TEST 15: without config, the first check reads the log from its start
--- request
GET /t
--- no_error_log
missing-14

=== TEST 16: exact body and body_like: Test::Nginx would ignore the like
--- config
    location = /t { return 200 "fine\n"; }
--- request
GET /t
--- response_body
fine
--- response_body_like: ^nothing$
EOF

isnt($rc, 0, 'inner run with failing blocks FAILS as a whole');
cmp_ok($secs, '<', 30, 'inner run with a timeout block stays bounded in time');
expect_tap($out,
    fail => { map { $_ => 1 }
        'TEST 1: wrong status - status code ok',
        'TEST 2: wrong body - response_body - response is expected',
        'TEST 3: body_like mismatch - response_body_like - response is expected',
        'TEST 4: header checks - header X-A ok',
        'TEST 4: header checks - header Server not present',
        'TEST 4: header checks - header X-Missing ok',
        'TEST 5: error_log pattern missing, no_error_log pattern present - pattern "this line is never logged" matches a line in error.log',
        'TEST 5: error_log pattern missing, no_error_log pattern present - pattern "[error]" does not match any line in error.log',
        'TEST 6: must_die but the config is valid - die as expected',
        'TEST 7: invalid config without must_die - nginx started',
        'TEST 8: AddressSanitizer text in the error log - no sanitizer report in the error log',
        'TEST 9: UBSan runtime error not in the ignore list - no sanitizer report in the error log',
        'TEST 10: fewer expectations than requests (req 1) - error_code has an entry for this request',
        "TEST 11: broken eval section - section 'request' evaluates",
        'TEST 12: no response within the timeout - timeout: no complete response within 1 s',
        'TEST 14: an error_log pattern only the first request logs (req 1) - pattern "missing-14" matches a line in error.log',
        'TEST 15: without config, the first check reads the log from its start - pattern "missing-14" does not match any line in error.log',
        'TEST 16: exact body and body_like: Test::Nginx would ignore the like - sections response_body response_body_like: Test::Nginx checks only response_body and ignores the others',
    },
    pass => { map { $_ => 1 }
        'TEST 8: AddressSanitizer text in the error log - status code ok',
        'TEST 10: fewer expectations than requests (req 0) - status code ok',
        'TEST 13: control block that passes - status code ok',
        'TEST 13: control block that passes - response_body - response is expected',
        'TEST 14: an error_log pattern only the first request logs (req 0) - pattern "missing-14" matches a line in error.log',
        'TEST 16: exact body and body_like: Test::Nginx would ignore the like - response_body - response is expected',
    },
);
unlike($out, qr/TEST 16: [^\n]* - response_body_like - /,
       'the like section beside an exact body is not checked');
like($out, qr/unknown directive "bogus_directive_here"/,
     'a start failure shows nginx\'s own error message');
like($out, qr/logs and nginx\.conf kept in \S+failed/,
     'the logs of a failing block are kept');
unlike($out, qr/TEST 11: broken eval section - status code ok/,
       'a block with a broken eval section is not run');

# --------------------------------------------- where Test::Nginx bails out

# several requests and a scalar expectation
($rc, $out) = run_inner('scalar', 'no_shuffle();', <<'EOF');
=== TEST 1: two requests, one body for both
--- config
    location /t { return 200 "x\n"; }
--- request eval
["GET /t/1", "GET /t/2"]
--- response_body
x
EOF
isnt($rc, 0, 'a scalar expectation for several requests fails the run');
like($out, qr/Bail(?: out!|out called)\.?.*TEST 1: two requests, one body for both - You asked for many requests/,
     '... bailing out as Test::Nginx does');

# the first block has no config: there is no nginx to reuse
($rc, $out) = run_inner('noconfig', 'no_shuffle();', <<'EOF');
=== TEST 1: no config and nothing before
--- request
GET /
EOF
isnt($rc, 0, 'a first block without config fails the run');
like($out, qr/Bail(?: out!|out called)\.?.*No '--- config' section specified/,
     '... bailing out as Test::Nginx does');

# ------------------------------------------------ passing features, file 2

# the inner file's LAST marker is spelled LAST_MARKER here and put back on
# the way out, so that no tool grepping t/ for a stray LAST trips on it
($rc, $out) = run_inner('features', <<'PROLOGUE', <<'EOF' =~ s/^--- LAST_MARKER$/--- LAST/mr);
repeat_each(2);
no_shuffle();
no_long_string();
add_block_preprocessor(sub {
    my $block = shift;
    $block->set_value(config => '    location = /pp { return 200 "pp\n"; }')
        unless defined $block->config;
});
PROLOGUE
=== TEST 1: config from a block preprocessor
--- request
GET /pp
--- response_body
pp

=== TEST 2: skipped
--- SKIP
--- request
GET /pp
--- error_code: 500

=== TEST 3: last block run
--- LAST_MARKER
--- request
GET /pp
--- response_body_like: ^pp$

=== TEST 4: after LAST, never run
--- request
GET /pp
--- error_code: 500
EOF

is($rc, 0, 'inner run of passing features passes') or diag($out);
expect_tap($out, pass => { map { $_ => 1 }
    'TEST 1: config from a block preprocessor (repeat 1) - response_body - response is expected',
    'TEST 1: config from a block preprocessor (repeat 2) - response_body - response is expected',
    'TEST 3: last block run (repeat 2) - response_body_like - response is expected',
});
unlike($out, qr/TEST [24]:/, 'SKIP and LAST drop blocks');
# 2 blocks run x 2 assertions x repeat_each(2)
like($out, qr/^1\.\.8$/m, 'repeat_each(2) runs each block twice');

# ------------------------------------- global functions and environment, file 3

my $stream_so = '/usr/lib/nginx/modules/ngx_stream_module.so';
my $stream_port = free_port();
my %env3 = (TEST_NGINX_NO_CLEAN => 1, TEST_NGINX_STREAM_PORT => $stream_port);
my $use_stream = $debian_nginx && -f $stream_so;
$env3{TEST_NGINX_LOAD_MODULES} = $stream_so if $use_stream;

($rc, $out) = run_inner('globals', <<'PROLOGUE', <<'EOF', %env3);
no_shuffle();
master_on();
workers(2);
log_level('notice');
no_root_location();
env_to_nginx('SELFTEST_FOO=bar');
PROLOGUE
=== TEST 1: master with two workers, notice level, no default location
--- main_config eval
$ENV{TEST_NGINX_LOAD_MODULES}
    ? "stream { server { listen 127.0.0.1:$ENV{TEST_NGINX_STREAM_PORT}; return hi; } }"
    : ""
--- config
    root /nonexistent-root;
--- user_files
>>> index.html
index
--- request
GET /index.html
--- error_code: 404
--- error_log eval
[qr/start worker process \d+/, qr/\[notice\]/]
--- no_error_log
[debug]
EOF

is($rc, 0, 'inner run with master_on/workers/log_level/no_root_location passes')
    or diag($out);
my $pid_file = "$tmp/servroot-globals/logs/nginx.pid";
ok(-f $pid_file, 'TEST_NGINX_NO_CLEAN keeps the server root');
my $conf = do { local (@ARGV, $/) = "$tmp/servroot-globals/conf/nginx.conf"; <> } || '';
like($conf, qr/^master_process on;$/m, 'master_on() in nginx.conf');
like($conf, qr/^worker_processes 2;$/m, 'workers(2) in nginx.conf');
like($conf, qr/^env SELFTEST_FOO=bar;$/m, 'env_to_nginx() in nginx.conf');
unlike($conf, qr/location \/ \{/, 'no_root_location() drops location /');
like($conf, qr/^\s*proxy_temp_path \Q$tmp\E\/servroot-globals\/proxy_temp;$/m,
     'temp paths live in the server root');
SKIP: {
    skip "needs Debian's /usr/sbin/nginx and $stream_so", 2 unless $use_stream;
    like($conf, qr/^load_module \Q$stream_so\E;$/m, 'TEST_NGINX_LOAD_MODULES gives load_module');
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $stream_port,
                                  Timeout => 2);
    my $got = $s ? do { local $/; <$s> } : '';
    is($got, 'hi', 'the loaded stream module serves (nginx left running by NO_CLEAN)');
}
# NO_CLEAN left nginx running: stop it ourselves.
my ($pid) = do { local (@ARGV, $/) = $pid_file; (<> // '') =~ /(\d+)/ };
ok($pid && kill(0, $pid), 'TEST_NGINX_NO_CLEAN leaves nginx running');
if ($pid) {
    kill 'QUIT', $pid;
    my $deadline = time + 5;
    select undef, undef, undef, 0.05 while kill(0, $pid) && time < $deadline
        && (`ps -o stat= -p $pid` // '') !~ /Z/;
}

# ------------------------------------------------------------------ valgrind

my $vg_block = <<'EOF';
=== TEST 1: runs under valgrind
--- config
    location = /t { return 200 "vg\n"; }
--- request
GET /t
--- response_body
vg
EOF

SKIP: {
    skip 'valgrind not installed', 4
        unless grep { -x "$_/valgrind" } split /:/, $ENV{PATH} || '';
    skip 'valgrind cannot run a sanitizer-instrumented nginx', 4 if $sanitized;
    ($rc, $out, $secs) = run_inner('valgrind', 'no_shuffle();', $vg_block,
                                   TEST_NGINX_USE_VALGRIND => 1);
    is($rc, 0, "an nginx under valgrind serves and exits cleanly (${\ int $secs} s)")
        or diag($out);
    ok(!-e "$tmp/servroot-valgrind/conf", 'a passing run cleans its server root');

    # Options of our own (Test::Nginx's convention): showing "still
    # reachable" blocks makes valgrind report at every nginx exit.
    ($rc, $out) = run_inner('valgrind-fails', 'no_shuffle();', $vg_block,
        TEST_NGINX_USE_VALGRIND => '--leak-check=full --show-leak-kinds=all');
    isnt($rc, 0, 'a valgrind report fails the inner run');
    expect_tap($out,
        fail => { 'TEST 1: runs under valgrind - valgrind reported no error' => 1 },
        pass => { 'TEST 1: runs under valgrind - response_body - response is expected' => 1 });
}

done_testing();
