package Test::Nginx::Socket;

# Our own runner for the Test::Nginx::Socket data-driven .t format, written
# from that format's documented behaviour (Test::Nginx itself is neither
# installed nor copied).  .t files stay runnable under the real Test::Nginx.
# Documentation: the POD at the end of this file.

use strict;
use warnings;

# Test::Base is loaded WITHOUT its import and WITHOUT `-Base`: Spiffy's
# -Base source filter rewrites every sub lacking a prototype into a method.
# We inherit from it instead, so that `use Test::Nginx::Socket 'no_plan'`
# runs Test::Base's import: it makes this class the default block holder,
# forwards the plan arguments to Test::More, and exports our @EXPORT
# together with Test::Base's (plan, blocks, is, like, ok, diag, ...).
use Test::Base ();
our @ISA = ('Test::Base');

use Test::More ();
use Test::LongString ();
use List::Util qw(shuffle min);
use File::Spec;
use File::Path qw(make_path remove_tree);
use File::Copy qw(copy);
use Time::HiRes qw(sleep time);

use Test::Nginx::Lite::Conf qw(
    expand_env_deep render_conf reset_servroot remove_servroot
    parse_user_files write_user_files
);
use Test::Nginx::Lite::Server;
use Test::Nginx::Lite::HTTP qw(build_request exchange parse_response request_method);
use Test::Nginx::Lite::Log qw(
    slurp read_from log_lines normalize_patterns pattern_matches pattern_label
    sanitizer_reports valgrind_reports
);

our $VERSION = '0.01';

our @EXPORT = qw(
    run_tests repeat_each no_shuffle no_long_string log_level
    master_on master_off workers worker_connections env_to_nginx
    no_root_location add_block_preprocessor timeout
    server_port server_root html_dir
);

# ------------------------------------------------------------ settings

our $RepeatEach        = 1;
our $NoShuffle         = $ENV{TEST_NGINX_NO_SHUFFLE} ? 1 : 0;
our $NoLongString      = 0;
our $LogLevel          = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterOn          = 0;
our $Workers           = 1;
our $WorkerConnections = 64;
our @EnvToNginx;
our $NoRootLocation    = 0;
our @BlockPreprocessors;
our $Timeout           = 3;
our $UseValgrind       = $ENV{TEST_NGINX_USE_VALGRIND} || 0;    # 1, or valgrind options

our $ServerPort = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServRoot   = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT} || 't/servroot');
$ServRoot =~ s{/+$}{};

# Sections may use $TEST_NGINX_SERVER_PORT and $TEST_NGINX_HTML_DIR even
# when the caller relies on the defaults.
$ENV{TEST_NGINX_SERVER_PORT} = $ServerPort;
$ENV{TEST_NGINX_HTML_DIR} ||= "$ServRoot/html";

my $MainPid = $$;    # END must not act in forked children
my $Server;          # Test::Nginx::Lite::Server, created by run_tests
my $NginxInfo;       # { binary, version, configure_args }
my $HadConfig;       # a block with `--- config` has run
my $Owner;           # { name, block }: the last block run on the nginx up
my %LogPos;          # log file => offset read by the last error_log check
my %SanPos;          # log file => offset scanned for sanitizer reports

# ------------------------------------------------- exported functions

sub repeat_each {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}
sub no_shuffle     { $NoShuffle = 1; return }
sub no_long_string { $NoLongString = 1; return }
sub no_root_location { $NoRootLocation = 1; return }
sub master_on      { $MasterOn = 1; return }
sub master_off     { $MasterOn = 0; return }

sub log_level {
    $LogLevel = shift if @_;
    return $LogLevel;
}
sub workers {
    $Workers = shift if @_;
    return $Workers;
}
sub worker_connections {
    $WorkerConnections = shift if @_;
    return $WorkerConnections;
}
sub timeout {
    $Timeout = shift if @_;
    return $Timeout;
}
sub env_to_nginx   { push @EnvToNginx, @_; return }
# as in Test::Nginx, the last one added runs first
sub add_block_preprocessor { unshift @BlockPreprocessors, @_; return }
sub server_port    { return $ServerPort }
sub server_root    { return $ServRoot }
sub html_dir       { return "$ServRoot/html" }

# Run every block: for each one (repeat_each times) a fresh server root,
# a fresh nginx, the requests, the checks, nginx stopped.
sub run_tests {
    _ensure_plan();
    my $info = _nginx_info();
    $Server ||= Test::Nginx::Lite::Server->new(
        binary => $info->{binary}, servroot => $ServRoot, port => $ServerPort);
    make_path($ServRoot);
    remove_tree("$ServRoot/failed");
    $Server->kill_stale;

    # A signal must still stop nginx: die, and let END clean up.
    local $SIG{INT}  = sub { die "interrupted by SIGINT\n" };
    local $SIG{TERM} = sub { die "interrupted by SIGTERM\n" };

    my @blocks = Test::Base::blocks();
    @blocks = shuffle(@blocks) unless $NoShuffle;
    for my $block (@blocks) {
        next unless _prepare_block($block);
        _run_block($block, $_) for 1 .. $RepeatEach;
    }
    # TEST_NGINX_NO_CLEAN: the last nginx stays up for a look around.
    _finish_server() unless $ENV{TEST_NGINX_NO_CLEAN};
    return;
}

END { _cleanup() }

# ------------------------------------------------------ block running

sub _ensure_plan {
    Test::More::plan('no_plan') unless Test::More->builder->has_plan;
    return;
}

# Preprocessors, then $TEST_NGINX_* expansion in every section, then a
# check that no `eval` section failed: Test::Base's eval filter silently
# turns a Perl error into the section's value.  Returns false when the
# block cannot run.
sub _prepare_block {
    my ($block) = @_;
    $_->($block) for @BlockPreprocessors;
    for my $sec (_section_names($block)) {
        $block->set_value($sec, map { expand_env_deep($_) } @{ $block->{$sec} });
    }
    my $ok = 1;
    my $map = $block->_section_map || {};
    for my $sec (@{ $block->_section_order || [] }) {
        my $filters = $map->{$sec} && $map->{$sec}{filters};
        next unless defined $filters && $filters =~ /\beval\b/;
        my $v = $block->$sec;
        next if !defined $v || ref $v || $v !~ /at \(eval \d+\) line \d+/;
        Test::More::fail($block->name . " - section '$sec' evaluates");
        Test::More::diag($v);
        $ok = 0;
    }
    return $ok;
}

sub _section_names {
    my ($block) = @_;
    return grep { !/^_/ && !/^(?:name|description)$/ && ref $block->{$_} eq 'ARRAY' }
           sort keys %$block;
}

# As Test::Nginx does: a block with a `--- config` stops the running nginx
# and starts one of its own (a fresh server root and nginx.conf); a block
# without one, and every repetition after the first, is sent to the nginx
# that is running (its http_config, main_config, user_files and must_die
# are not looked at), and its first error_log check sees the whole log.
sub _run_block {
    my ($block, $rep) = @_;
    my $name = $block->name . ($RepeatEach > 1 ? " (repeat $rep)" : '');
    my $first_test = Test::More->builder->current_test;

    return if _maybe_skip($block, $name);
    my $reuse = $rep > 1 || !defined $block->config;
    if ($reuse && !$HadConfig) {
        Test::More::BAIL_OUT("$name - No '--- config' section specified and"
                             . ' could not get previous one');
    }
    my $live = 1;
    if (!$reuse) {
        _finish_server();
        $HadConfig = 1;
        %SanPos = ();
        if (!_setup_servroot($block, $name)) {
            $live = 0;
        } elsif (defined $block->must_die) {
            _run_must_die($block, $name);
            $live = 0;
        } else {
            $live = _start_server($block, $name);
        }
    }
    _run_live_block($block, $name) if $live;
    _keep_logs_if_failed($block, $rep, $first_test);
    return;
}

sub _start_server {
    my ($block, $name) = @_;
    my ($ok, $why) = $Server->start(valgrind => $UseValgrind);
    if (!$ok) {
        Test::More::fail("$name - nginx started");
        Test::More::diag("$why\n" . _startup_output());
        $Server->stop;
        return 0;
    }
    $Owner = { name => $name, block => $block };
    return 1;
}

sub _run_live_block {
    my ($block, $name) = @_;
    my $requests = _block_requests($block, $name) or return;
    _check_exclusive($block, $name);
    @$Owner{qw(name block)} = ($name, $block) if $Owner;
    %LogPos = ();    # Test::Nginx: each block's first check reads it all
    for my $i (0 .. $#$requests) {
        _run_request($block, $name, $requests, $i);
        my $wait = $block->wait;
        sleep $wait if defined $wait && $wait =~ /^\s*[\d.]+\s*$/ && $wait > 0;
        _check_error_log($block, @$requests > 1 ? "$name (req $i)" : $name);
    }
    _check_sanitizers($name);
    return;
}

# Stop the nginx that the last blocks ran on and check how it went: it
# must still be running, quit cleanly, no sanitizer report since the last
# block's check (LeakSanitizer reports at exit), no valgrind error.
sub _finish_server {
    my $owner = $Owner or return;
    undef $Owner;
    my $first_test = Test::More->builder->current_test;
    my $stop = $Server->stop;
    _check_exit($owner->{name}, $stop);
    _check_sanitizers($owner->{name});
    _check_valgrind($owner->{name}) if $UseValgrind;
    _keep_logs_if_failed($owner->{block}, 0, $first_test);
    return;
}

# must_die: nginx has to refuse to start.  Run as Test::Nginx does: one
# assertion on the exit, then error_log/no_error_log against what nginx
# printed (stderr) and logged.
sub _run_must_die {
    my ($block, $name) = @_;
    (my $expect = $block->must_die) =~ s/^\s+|\s+$//g;
    my ($status, $err) = $Server->launch(valgrind => 0, expect_failure => 1);
    if (defined $err) {
        Test::More::fail("$name - die as expected");
        Test::More::diag($err);
    } elsif ($expect =~ /^\d+$/) {
        Test::More::is($status >> 8, $expect, "$name - die with the expected exit code");
    } else {
        Test::More::ok($status != 0, "$name - die as expected")
            or Test::More::diag("nginx started although the block says must_die");
    }
    %LogPos = ();
    _check_error_log($block, $name);
    if (defined $status && $status == 0) {    # it did start: stop it
        $Server->wait_ready;
        $Server->stop;
    }
    _check_sanitizers($name);
    return;
}

# skip_nginx: "N: OP VERSION" skips the block's N tests when the nginx
# version satisfies the comparison; skip_eval: "N: PERL" when PERL is true.
sub _maybe_skip {
    my ($block, $name) = @_;
    my $spec = $block->skip_nginx;
    if (defined $spec) {
        my ($n, $op, $ver) = $spec =~ /^\s*(\d+)\s*:\s*(<=|>=|==|!=|<|>)\s*([\d.]+)\s*$/;
        if (!defined $n) {
            Test::More::fail("$name - skip_nginx is 'N: OP VERSION', not '$spec'");
            return 1;
        }
        if (_version_cmp($NginxInfo->{version}, $op, $ver)) {
            _skip("$name - nginx $NginxInfo->{version} $op $ver", $n);
            return 1;
        }
    }
    $spec = $block->skip_eval;
    if (defined $spec && $spec =~ /^\s*(\d+)\s*:\s*(.*)$/s) {
        my ($n, $code) = ($1, $2);
        my $skip = eval "package main; $code";
        if ($skip) {
            _skip("$name - skip_eval: $code", $n);
            return 1;
        }
    }
    return 0;
}

sub _skip {
    my ($why, $n) = @_;
    SKIP: { Test::More::skip($why, $n) }
    return;
}

sub _version_cmp {
    my ($have, $op, $want) = @_;
    my $d = _version_num($have) <=> _version_num($want);
    return { '<' => $d < 0, '<=' => $d <= 0, '>' => $d > 0,
             '>=' => $d >= 0, '==' => $d == 0, '!=' => $d != 0 }->{$op};
}

sub _version_num {
    my @p = (split(/\./, $_[0] || '0'), 0, 0, 0);
    return $p[0] * 1_000_000 + $p[1] * 1_000 + $p[2];
}

# Fresh server root, nginx.conf and user_files for the block.
sub _setup_servroot {
    my ($block, $name) = @_;
    my $ok = eval {
        reset_servroot($ServRoot);
        _write_file("$ServRoot/conf/nginx.conf", _conf_for($block));
        write_user_files($ServRoot, parse_user_files(scalar $block->user_files));
        1;
    };
    return 1 if $ok;
    Test::More::fail("$name - test setup");
    Test::More::diag($@);
    return 0;
}

sub _conf_for {
    my ($block) = @_;
    my $vg = $UseValgrind && !defined $block->must_die;
    my $level = $block->log_level;
    $level = $LogLevel unless defined $level && $level =~ /\S/;
    $level =~ s/^\s+|\s+$//g;
    my @modules = map { File::Spec->rel2abs($_) }
                  split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');
    return render_conf(
        title => $block->name, servroot => $ServRoot, port => $ServerPort,
        log_level => $level,
        daemon => !$vg, master => $vg ? 0 : $MasterOn,    # valgrind: one foreground process
        workers => $Workers, worker_connections => $WorkerConnections,
        modules => \@modules, env => \@EnvToNginx,
        # scalar(): an absent section is an empty LIST in list context
        main_config => scalar $block->main_config,
        http_config => scalar $block->http_config,
        config => scalar $block->config, root_location => !$NoRootLocation,
        configure_args => $NginxInfo->{configure_args},
    );
}

sub _write_file {
    my ($file, $text) = @_;
    open my $fh, '>', $file or die "cannot write $file: $!\n";
    print {$fh} $text;
    close $fh or die "cannot close $file: $!\n";
    return;
}

# What nginx said while failing to start: its stderr and error log tail.
sub _startup_output {
    my $out = '';
    for my $file ($Server->stderr_log, $Server->error_log) {
        my @lines = split /\n/, slurp($file);
        next unless @lines;
        @lines = @lines[-30 .. -1] if @lines > 30;
        $out .= "--- $file:\n" . join("\n", @lines) . "\n";
    }
    return $out || "(nginx printed nothing)\n";
}

# ----------------------------------------------------------- requests

# The block's requests as [{ packets, method, raw }].  Returns undef (after
# a failing assertion) when a request cannot be built.
sub _block_requests {
    my ($block, $name) = @_;
    my $raw = $block->raw_request;
    if (defined $raw) {
        # An array ref is one request cut into packets (as in Test::Nginx).
        my @packets = ref $raw eq 'ARRAY' ? @$raw : ($raw);
        return [ { packets => \@packets, method => request_method($packets[0]), raw => 1 } ];
    }
    my $request = $block->request;
    # Test::Nginx sends a request in every block nginx runs for
    Test::More::BAIL_OUT($block->name . ' - Request line should be non-empty')
        unless defined $request && length $request;
    my @texts = ref $request eq 'ARRAY' ? @$request : ($request);
    my @reqs;
    for my $i (0 .. $#texts) {
        my $text = ref $texts[$i] eq 'ARRAY' ? join('', @{ $texts[$i] }) : $texts[$i];
        my $more = $block->more_headers;
        $more = $more->[$i] if ref $more eq 'ARRAY';
        my ($bytes, $method) = eval { build_request($text, $more) };
        if (!defined $bytes) {
            Test::More::fail("$name - request $i can be built");
            Test::More::diag($@);
            return undef;
        }
        push @reqs, { packets => [$bytes], method => $method, raw => 0 };
    }
    return \@reqs;
}

sub _block_timeout {
    my ($block) = @_;
    my $t = $block->timeout;
    return $Timeout unless defined $t;
    return $1 / 1000 if $t =~ /^\s*([\d.]+)\s*ms\s*$/;
    return $1 if $t =~ /^\s*([\d.]+)\s*s?\s*$/;
    return $Timeout;
}

sub _run_request {
    my ($block, $name, $requests, $i) = @_;
    my $req = $requests->[$i];
    my $label = @$requests > 1 ? "$name (req $i)" : $name;
    my $timeout = _block_timeout($block) * ($UseValgrind ? 3 : 1);
    my $delay = $block->raw_request_middle_delay;
    my $x = exchange(
        port => $ServerPort, packets => $req->{packets}, timeout => $timeout,
        method => $req->{method}, until_complete => !$req->{raw},
        delay => defined $delay ? $delay : 0.05,
    );
    my $res = parse_response($x->{raw}, $req->{method}, $x->{eof});
    if (defined $x->{error}) {
        Test::More::fail("$label - request sent");
        Test::More::diag($x->{error});
    } elsif ($x->{timed_out}) {
        Test::More::fail("$label - timeout: no complete response within $timeout s");
        Test::More::diag('received so far: ' . _excerpt($x->{raw}));
    } elsif (defined $res->{error}) {
        Test::More::fail("$label - response is well-formed");
        Test::More::diag("$res->{error}; received: " . _excerpt($x->{raw}));
    }
    _check_response($block, $label, $res, $i, scalar @$requests);
    return;
}

sub _excerpt {
    my ($s) = @_;
    return '(nothing)' unless length $s;
    return length($s) > 600 ? substr($s, 0, 600) . '...' : $s;
}

# ------------------------------------------------------------- checks

sub _check_response {
    my ($block, $label, $res, $i, $n) = @_;
    _check_status($block, $label, $res, $i, $n);
    _check_headers($block, $label, $res, $i, $n);
    _check_body($block, $label, $res, $i, $n);
    return;
}

# A section's value for request $i, as Test::Nginx reads it: with several
# requests it must be an array ref of one entry per request (it bails out
# otherwise); with one request an array ref gives its first entry.
sub _for_request {
    my ($block, $section, $label, $i, $n) = @_;
    my $v = $block->$section;
    return $v unless defined $v;
    if ($n > 1) {
        Test::More::BAIL_OUT($block->name . " - You asked for many requests,"
                             . " the expected results should be arrays as"
                             . " well ($section)")
            unless ref $v eq 'ARRAY';
        return $v->[$i] if $i < @$v;
        Test::More::fail("$label - $section has an entry for this request");
        Test::More::diag("$section has " . @$v . " entries for $n requests");
        return undef;
    }
    return ref $v eq 'ARRAY' ? $v->[0] : $v;
}

# Test::Nginx reads only the first section of each of these groups that a
# block has, and ignores the others without a word: a block that has two
# would check less there than here.  Refuse it instead.
my @EXCLUSIVE = (
    [qw(error_code_like error_code)],
    [qw(response_headers response_headers_like)],
    [qw(response_body response_body_like response_body_unlike)],
);

sub _check_exclusive {
    my ($block, $name) = @_;
    for my $group (@EXCLUSIVE) {
        my @have = grep { defined $block->$_ } @$group;
        next if @have < 2;
        Test::More::fail("$name - sections @have: Test::Nginx checks"
                         . " only $have[0] and ignores the others");
    }
    return;
}

sub _check_status {
    my ($block, $label, $res, $i, $n) = @_;
    if (defined $block->error_code_like) {
        my $like = _for_request($block, 'error_code_like', $label, $i, $n);
        Test::More::like($res->{code}, qr/$like/, "$label - status code ok");
        return;
    }
    my $want = _for_request($block, 'error_code', $label, $i, $n);
    $want = 200 unless defined $want;
    $want =~ s/^\s+|\s+$//g;
    Test::More::is($res->{code}, $want, "$label - status code ok")
        or Test::More::diag("status line: $res->{status_line}");
    return;
}

sub _check_headers {
    my ($block, $label, $res, $i, $n) = @_;
    my $h = $res->{headers};
    for my $spec (_header_spec(_for_request($block, 'response_headers', $label, $i, $n))) {
        my ($key, $want) = @$spec;
        my $got = $h->header($key);
        if (!defined $want) {
            Test::More::ok(!defined $got, "$label - header $key not present")
                or Test::More::diag("$key: $got");
        } else {
            Test::More::is($got, $want, "$label - header $key ok");
        }
    }
    my @like = defined $block->response_headers ? ()
             : _header_spec(_for_request($block, 'response_headers_like', $label, $i, $n));
    for my $spec (@like) {
        my ($key, $pat) = @$spec;
        my $got = $h->header($key);
        if (!defined $pat) {
            Test::More::ok(!defined $got, "$label - header $key not present");
        } else {
            Test::More::like(defined $got ? $got : '', qr/^(?:$pat)$/,
                             "$label - header $key like ok");
        }
    }
    my $raw_like = _for_request($block, 'raw_response_headers_like', $label, $i, $n);
    if (defined $raw_like) {
        Test::More::like($res->{raw_headers}, ref $raw_like ? $raw_like : qr/$raw_like/s,
                         "$label - raw response headers like");
    }
    my $raw_unlike = _for_request($block, 'raw_response_headers_unlike', $label, $i, $n);
    if (defined $raw_unlike) {
        Test::More::unlike($res->{raw_headers},
                           ref $raw_unlike ? $raw_unlike : qr/$raw_unlike/s,
                           "$label - raw response headers unlike");
    }
    return;
}

# "Name: value" lines -> [name, value]; "!Name" -> [name, undef] (absent).
# "Name:" with nothing after it means present with an empty value.
sub _header_spec {
    my ($text) = @_;
    return () unless defined $text;
    my @specs;
    for my $line (split /\n/, $text) {
        next if $line =~ /^\s*(?:#|$)/;
        if ($line =~ /^\s*!\s*([^\s:]+)\s*$/) {
            push @specs, [ $1, undef ];
            next;
        }
        my ($key, $value) = split /\s*:\s*/, $line, 2;
        $key =~ s/^\s+//;
        $value = '' unless defined $value;
        $value =~ s/\s+$//;
        push @specs, [ $key, $value ];
    }
    return @specs;
}

sub _check_body {
    my ($block, $label, $res, $i, $n) = @_;
    my $body = $res->{body};
    if (defined $block->response_body) {
        my $want = _for_request($block, 'response_body', $label, $i, $n);
        return unless defined $want;
        my $test = "$label - response_body - response is expected";
        if (ref $want eq 'Regexp') {    # as in Test::Nginx: a qr// is matched
            Test::More::like($body, $want, $test);
        } elsif ($NoLongString) {
            Test::More::is($body, $want, $test);
        } else {
            Test::LongString::is_string($body, $want, $test);
        }
    } elsif (defined $block->response_body_like) {
        my $pat = _for_request($block, 'response_body_like', $label, $i, $n);
        return unless defined $pat;
        Test::More::like($body, ref $pat ? $pat : qr/$pat/s,
                         "$label - response_body_like - response is expected");
    } elsif (defined $block->response_body_unlike) {
        my $pat = _for_request($block, 'response_body_unlike', $label, $i, $n);
        return unless defined $pat;
        Test::More::unlike($body, ref $pat ? $pat : qr/$pat/s,
                           "$label - response_body_unlike - response is expected");
    }
    return;
}

# error_log / no_error_log, checked after every request as Test::Nginx
# does: every pattern is one assertion, matched line by line against what
# nginx printed (stderr) and logged since the previous check of the block
# (the first check of a block reads the logs from their start).
sub _check_error_log {
    my ($block, $name) = @_;
    my @want = normalize_patterns(scalar $block->error_log);
    my @unwanted = normalize_patterns(scalar $block->no_error_log);
    return unless @want || @unwanted;
    my @files = ($Server->stderr_log, $Server->error_log);

    # nginx may still be writing the last lines of the request it has just
    # answered (its log phase runs after the response is sent): wait a
    # little as Test::Nginx does, then give the expected patterns up to 1 s
    # more to show up.
    sleep 0.05;
    my $lines = _new_log_lines(\%LogPos, @files);
    my $deadline = time + 1;
    my @found = map { _any_line_matches($_, $lines) } @want;
    while ((grep { !$_ } @found) && time < $deadline) {
        sleep 0.1;
        push @$lines, @{ _new_log_lines(\%LogPos, @files) };
        @found = map { _any_line_matches($_, $lines) } @want;
    }
    for my $k (0 .. $#want) {
        Test::More::ok($found[$k], "$name - pattern " . pattern_label($want[$k])
                                   . ' matches a line in error.log');
    }
    for my $pat (@unwanted) {
        my @hits = grep { pattern_matches($pat, $_) } @$lines;
        Test::More::ok(!@hits, "$name - pattern " . pattern_label($pat)
                               . ' does not match any line in error.log')
            or Test::More::diag(join "\n", @hits[0 .. min(4, $#hits)]);
    }
    return;
}

# The complete lines the files got since the offsets in %$pos (a line
# still being written is left for the next read); advances the offsets.
sub _new_log_lines {
    my ($pos, @files) = @_;
    my @lines;
    for my $file (@files) {
        my $text = read_from($file, $pos->{$file} || 0);
        my $end = rindex($text, "\n") + 1;
        $pos->{$file} = ($pos->{$file} || 0) + $end;
        push @lines, split /\n/, substr($text, 0, $end);
    }
    return \@lines;
}

sub _any_line_matches {
    my ($pat, $lines) = @_;
    for my $line (@$lines) {
        return 1 if pattern_matches($pat, $line);
    }
    return 0;
}

# The checks below are ours, not Test::Nginx's.  They only ever add a
# FAILING assertion, so a clean block has the same test count under both
# runners and `plan tests => N` stays valid.

# nginx must still be running when we stop it, must exit cleanly on
# SIGQUIT, and no worker may crash (master_on: the master logs it).
sub _check_exit {
    my ($name, $stop) = @_;
    my $status = $stop->{exit_status};
    my $how = defined $status ? Test::Nginx::Lite::Server::describe_status($status) : 'unknown status';
    if (!$stop->{was_running}) {
        Test::More::fail("$name - nginx was still running after the requests");
        Test::More::diag("it exited on its own ($how)\n" . _startup_output());
    } elsif ($stop->{killed}) {
        Test::More::diag("$name: nginx did not quit within the grace period; killed");
    } elsif (defined $status && $status != 0) {
        Test::More::fail("$name - nginx exited cleanly on SIGQUIT");
        Test::More::diag($how);
    }
    return;
}

# ASan / LSan / UBSan reports and crashed workers (master_on: the master
# logs "exited on signal") in what the logs got since the last look: after
# each block, and after nginx is stopped (LeakSanitizer reports at exit).
# UBSan reports naming ngx_pstrdup or ngx_sprintf_str (known nginx 1.22
# core reports) are ignored.
sub _check_sanitizers {
    my ($name) = @_;
    my @texts = map { my $t = read_from($_, $SanPos{$_} || 0);
                      $SanPos{$_} = ($SanPos{$_} || 0) + length $t; $t }
                $Server->stderr_log, $Server->error_log;
    my @reports = map { sanitizer_reports($_) } @texts;
    if (@reports) {
        Test::More::fail("$name - no sanitizer report in the error log");
        Test::More::diag(join "\n----\n", @reports[0 .. min(2, $#reports)]);
    }
    my @crashes = grep { /exited on signal \d+/ } map { split /\n/ } @texts;
    if (@crashes) {
        Test::More::fail("$name - no nginx worker crashed");
        Test::More::diag(join "\n", @crashes[0 .. min(4, $#crashes)]);
    }
    return;
}

sub _check_valgrind {
    my ($name) = @_;
    my @reports = valgrind_reports($Server->valgrind_log, $Server->stderr_log,
                                   $Server->error_log);
    return unless @reports;
    Test::More::fail("$name - valgrind reported no error");
    Test::More::diag(substr(join("\n", @reports), 0, 4000));
    return;
}

# A failing block's logs and config would be wiped by the next block's
# reset: copy them to <servroot>/failed/<seq>-<rep>/ and say where.
sub _keep_logs_if_failed {
    my ($block, $rep, $first_test) = @_;
    my @results = Test::More->builder->summary;
    return unless grep { !$_ } @results[$first_test .. $#results];
    my $dir = sprintf '%s/failed/%03d-%d', $ServRoot, $block->seq_num || 0, $rep;
    make_path($dir);
    for my $file (glob("$ServRoot/logs/*"), "$ServRoot/conf/nginx.conf") {
        copy($file, $dir) if -f $file;
    }
    Test::More::diag($block->name . ": logs and nginx.conf kept in $dir");
    return;
}

# ---------------------------------------------------------- nginx info

sub _nginx_info {
    return $NginxInfo if $NginxInfo;
    my $bin = _find_binary();
    if (!$bin) {
        Test::More::BAIL_OUT('nginx binary not found (TEST_NGINX_BINARY='
            . ($ENV{TEST_NGINX_BINARY} || '') . ', PATH=' . ($ENV{PATH} || '') . ')');
    }
    my $out = do {
        local $ENV{ASAN_OPTIONS} = 'detect_leaks=0';
        my $q = $bin;
        $q =~ s/'/'\\''/g;
        `'$q' -V 2>&1`;
    };
    my ($version) = $out =~ m{nginx version: \S*?/(\d+(?:\.\d+)*)};
    my ($args) = $out =~ /configure arguments:(.*)/;
    return $NginxInfo = {
        binary => $bin, version => $version || '0',
        configure_args => defined $args ? $args : '',
    };
}

# TEST_NGINX_BINARY (a path, or a name looked up in PATH), else `nginx`
# from PATH, else Debian's /usr/sbin/nginx (sbin is not in every PATH).
sub _find_binary {
    my $want = $ENV{TEST_NGINX_BINARY} || 'nginx';
    return -x $want ? File::Spec->rel2abs($want) : undef if $want =~ m{/};
    for my $dir (split(/:/, $ENV{PATH} || ''), '/usr/sbin', '/usr/local/sbin') {
        my $path = "$dir/$want";
        return $path if length $dir && -f $path && -x _;
    }
    return undef;
}

# --------------------------------------------------------------- END

# Stop nginx and remove the server root, unless TEST_NGINX_NO_CLEAN asks
# to keep both, or something failed (then the logs are worth keeping).
sub _cleanup {
    return unless $Server && $$ == $MainPid;
    local $?;    # Test::Builder's END sets the exit code after us
    return if $ENV{TEST_NGINX_NO_CLEAN};
    $Server->stop;
    remove_servroot($ServRoot) if Test::More->builder->is_passing;
    return;
}

1;

__END__

=head1 NAME

Test::Nginx::Socket - our small runner for Test::Nginx::Socket-style .t files

=head1 SYNOPSIS

    use Test::Nginx::Socket 'no_plan';
    repeat_each(1);
    no_shuffle();
    run_tests();
    __DATA__

    === TEST 1: hello
    --- config
        location = /t { return 200 "hello\n"; }
    --- request
    GET /t
    --- response_body
    hello
    --- no_error_log
    [error]

Run with C<prove -I t/lib -r t>.

=head1 DESCRIPTION

Written from the documented behaviour of the CPAN module of the same name;
a C<.t> file written for this runner also runs under the real Test::Nginx
(apart from the extensions listed below).  Built on Test::Base: sections,
filters (C<eval>, C<chomp>, C<chop>, ...), C<ONLY>, C<LAST>, C<SKIP> are
Test::Base's.

As in Test::Nginx, a block with a C<config> section gets a fresh server
root (F<conf/>, F<logs/>, F<html/>), a freshly generated F<nginx.conf> and
a freshly started nginx (C<-p SERVROOT/ -c conf/nginx.conf>); the nginx
before it is stopped (SIGQUIT, then SIGKILL after 5 s).  A block without
C<config> (after preprocessors), and every repetition of a block after
the first, runs on the nginx that is up: its C<http_config>,
C<main_config>, C<user_files> and C<must_die> are not used.  A first block
without C<config> bails out.  The default server listens on C<listen
PORT> (every address), as Test::Nginx's does.

=head2 Sections

=over

=item config, http_config, main_config

Go into the default C<server {}>, the C<http {}> block and the main
context.  C<location / { root SERVROOT/html; }> follows C<config> unless
C<no_root_location()>.

=item request

C<METHOD [URI [VERSION]]> on the first line (VERSION defaults to HTTP/1.1),
the body on the following lines (trimmed; Content-Length added).  C<Host:
localhost> and C<Connection: close> are sent unless C<more_headers> sets
them.  With C<eval>, an array ref of requests: sent one after the other
(one connection each) to the same nginx; the expectation sections
(C<error_code>, C<response_headers>, C<response_body>, their C<_like>
forms...) must then be array refs of one entry per request: a scalar one
bails out, as in Test::Nginx.  Of C<error_code_like>/C<error_code>,
C<response_headers>/C<response_headers_like> and
C<response_body>/C<response_body_like>/C<response_body_unlike>, Test::Nginx
checks the first one a block has and ignores the others: a block with two
fails here.

=item more_headers

C<Name: value> lines (an array ref with C<eval>: one string per request).

=item raw_request

Bytes sent as-is (use C<eval> for C<\r\n>); an array ref is one request
cut into packets, sent C<raw_request_middle_delay> seconds apart (default
0.05).  Read until nginx closes the connection.

=item error_code, error_code_like

Expected status (default 200); one assertion per request, always.

=item response_headers, response_headers_like, raw_response_headers_like, raw_response_headers_unlike

C<Name: value> (exact), C<!Name> (absent), C<Name:> (present, empty);
C<_like> values are regexes anchored at both ends.

=item response_body, response_body_like, response_body_unlike

Exact comparison (a C<--- response_body> section C<"x\n"> matches the body
C<"x\n">; use the C<chomp> filter for a body without final newline), or a
regex applied as C<qr/$pat/s> (a C<qr//> from C<eval> is used as is).

=item error_log, no_error_log

One substring per line, or with C<eval> an array ref of strings and
C<qr//>s.  Checked after every request, as in Test::Nginx, line by line
against what nginx's stderr and error log got since the previous check (the
first check of a block reads them from their start, also on a reused
nginx).  One assertion per pattern and request.

=item log_level, timeout, wait, user_files, must_die, skip_nginx, skip_eval

C<log_level> overrides the error_log level (default debug).
C<timeout> bounds each request/response exchange (seconds, or C<500ms>;
default 3).  C<wait> sleeps N seconds after each request, before its
error log check.
C<user_files>: C<< >>> path >> lines followed by the content, written under
SERVROOT/html.  C<must_die>: nginx must fail to start (a number: that exit
code); C<error_log> then looks at its startup output.
C<skip_nginx: N: OP VERSION> and C<skip_eval: N: PERL> skip N tests.

=back

=head2 Functions

C<run_tests repeat_each no_shuffle no_long_string log_level master_on
master_off workers worker_connections env_to_nginx no_root_location
add_block_preprocessor timeout server_port server_root html_dir>, plus
Test::Base's exports (C<plan blocks is like ok diag ...>).

=head2 Environment

C<TEST_NGINX_BINARY> (default C<nginx> in PATH, then /usr/sbin/nginx),
C<TEST_NGINX_SERVER_PORT> (1984), C<TEST_NGINX_SERVROOT> (t/servroot),
C<TEST_NGINX_LOAD_MODULES> (space-separated .so paths), C<TEST_NGINX_NO_CLEAN>,
C<TEST_NGINX_USE_VALGRIND>, C<TEST_NGINX_LOG_LEVEL>, C<TEST_NGINX_NO_SHUFFLE>.
C<$TEST_NGINX_FOO> in any section is replaced by that variable's value
(left as is when undefined).

=head2 Extensions (not in Test::Nginx)

Failing-only assertions, so that passing blocks count the same tests under
both runners: a sanitizer report (AddressSanitizer, LeakSanitizer, UBSan's
C<runtime error:>, except UBSan reports naming C<ngx_pstrdup> or
C<ngx_sprintf_str>) in the block's logs; nginx gone before we stopped it; a
worker that C<exited on signal>; valgrind errors under
C<TEST_NGINX_USE_VALGRIND>; a timeout or malformed response.  Logs of a
failing block are copied to SERVROOT/failed/.

=cut
