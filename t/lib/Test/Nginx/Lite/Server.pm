package Test::Nginx::Lite::Server;

# Starting and stopping the nginx under test, with every wait bounded.
#
# Normal mode: `nginx -p ROOT/ -c conf/nginx.conf` with `daemon on`; the
# command returns once nginx has parsed its config, opened its listening
# socket and forked the daemon, so its exit status says whether the config
# was accepted.  Its stdout/stderr go to ROOT/logs/stderr.log.
#
# Valgrind mode: `daemon off`; valgrind+nginx is our own child process.
#
# Either way we want to reap nginx and see how it ended (a crash shows as a
# signal), so the test process makes itself a child subreaper: the daemon
# is re-parented to us rather than to PID 1 (which, in some containers,
# never reaps and would collect zombies).

use strict;
use warnings;

use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use IO::Socket::INET;
use File::Basename qw(dirname);
use File::Spec;

# nginx core's own exit-time leaks (valgrind, LeakSanitizer), shipped next
# to this file.
my $HERE = File::Spec->rel2abs(dirname(__FILE__));
my $CORE_SUPPRESSIONS = "$HERE/nginx-core.supp";
my $CORE_LSAN_SUPPRESSIONS = "$HERE/nginx-core.lsan.supp";

sub new {
    my ($class, %a) = @_;
    my $self = bless {
        binary       => $a{binary},
        servroot     => $a{servroot},
        port         => $a{port},
        valgrind     => 0,        # mode of the current launch
        pid          => undef,    # nginx (master) pid while we think it runs
        child        => undef,    # our own child pid (valgrind mode)
        status       => {},       # pid => wait status, for pids we reaped
    }, $class;
    become_subreaper();
    return $self;
}

# Linux prctl(PR_SET_CHILD_SUBREAPER, 1).  Best effort: without it nginx is
# reaped by PID 1 (or not at all) and only its disappearance is seen.
sub become_subreaper {
    my $nr = eval {
        package Test::Nginx::Lite::Server::Sys;
        require 'syscall.ph';
        my $f = defined &SYS_prctl ? \&SYS_prctl : \&main::SYS_prctl;
        $f->();
    };
    return 0 unless $nr;
    return syscall($nr, 36, 1, 0, 0, 0) == 0 ? 1 : 0;    # 36: PR_SET_CHILD_SUBREAPER
}

sub pid { $_[0]{pid} }

sub stderr_log   { "$_[0]{servroot}/logs/stderr.log" }
sub error_log    { "$_[0]{servroot}/logs/error.log" }
sub valgrind_log { "$_[0]{servroot}/logs/valgrind.log" }
sub pid_file     { "$_[0]{servroot}/logs/nginx.pid" }

sub _nginx_argv {
    my ($self) = @_;
    return ($self->{binary}, '-p', "$self->{servroot}/", '-c', 'conf/nginx.conf');
}

# TEST_NGINX_USE_VALGRIND=1 (any number): our default options; any other
# value is the valgrind option string itself (as in Test::Nginx).  The log
# file and suppressions are always added.
sub _valgrind_argv {
    my ($self) = @_;
    my $mode = $self->{valgrind};
    my @opts = $mode =~ /^\d+$/
        ? ('--leak-check=full', '--show-possibly-lost=no', '--num-callers=50')
        : split(' ', $mode);
    my @argv = ('valgrind', '-q', @opts, '--log-file=' . $self->valgrind_log);
    for my $supp ($CORE_SUPPRESSIONS, 'valgrind.suppress', 't/valgrind.suppress') {
        push @argv, "--suppressions=$supp" if -f $supp;
    }
    return (@argv, $self->_nginx_argv);
}

# fork + exec with stdin from /dev/null and stdout+stderr appended to a file.
# The child leaves with POSIX::_exit so no END block (Test::Builder's
# summary, our own cleanup) ever runs twice.
sub _spawn {
    my ($argv, $out_file, %o) = @_;
    my $pid = fork;
    die "fork failed: $!\n" unless defined $pid;
    return $pid if $pid;
    _sanitizer_env_defaults(%o);
    open STDIN, '<', '/dev/null' or POSIX::_exit(127);
    open STDOUT, '>>', $out_file or POSIX::_exit(127);
    open STDERR, '>&', \*STDOUT or POSIX::_exit(127);
    { no warnings 'exec'; exec { $argv->[0] } @$argv; }
    print STDERR "cannot exec $argv->[0]: $!\n";
    POSIX::_exit(127);
}

# For ASan/UBSan builds, in the child only, and never overriding a choice
# the caller made: UBSan prints stack traces (the known nginx-core reports
# are recognised by function name, see Log.pm), and LeakSanitizer ignores
# nginx core's exit-time leaks.
sub _sanitizer_env_defaults {
    my (%o) = @_;
    my $asan = defined $ENV{ASAN_OPTIONS} ? $ENV{ASAN_OPTIONS} : '';
    $ENV{ASAN_OPTIONS} = join ':', grep { length } $asan, 'detect_leaks=0'
        if $o{no_leak_check} && $asan !~ /detect_leaks=/;
    my $ubsan = defined $ENV{UBSAN_OPTIONS} ? $ENV{UBSAN_OPTIONS} : '';
    $ENV{UBSAN_OPTIONS} = join ':', grep { length } $ubsan, 'print_stacktrace=1'
        unless $ubsan =~ /print_stacktrace=/;
    my $lsan = defined $ENV{LSAN_OPTIONS} ? $ENV{LSAN_OPTIONS} : '';
    $ENV{LSAN_OPTIONS} = join ':', grep { length } $lsan,
                              "suppressions=$CORE_LSAN_SUPPRESSIONS"
        unless $lsan =~ /suppressions=/;
    return;
}

# waitpid with a deadline: returns the wait status, or undef on timeout.
sub _wait_child {
    my ($pid, $seconds) = @_;
    my $deadline = time + $seconds;
    while (1) {
        my $r = waitpid $pid, WNOHANG;
        return $? if $r == $pid;
        return -1 if $r < 0;     # not our child any more
        return undef if time >= $deadline;
        sleep 0.02;
    }
}

# Valgrind starts slowly and checks for leaks on exit: longer waits.
sub _start_wait { $_[0]{valgrind} ? 60 : 5 }
sub _stop_wait  { $_[0]{valgrind} ? 30 : 5 }

# Run the nginx command and report how it exited, without waiting for the
# server to become ready.  Used directly by must_die blocks, with
# expect_failure => 1: nginx's refusal path returns from main() leaving its
# init pool behind, which LeakSanitizer would report, so leak detection is
# off for that run (unless the caller's ASAN_OPTIONS decide).
# %o: valgrind => false, or TEST_NGINX_USE_VALGRIND's value: run under
# valgrind (the config must then say `daemon off`).
# Returns ($wait_status, $error_text); under valgrind the status is 0 and
# wait_ready() watches the child.
sub launch {
    my ($self, %o) = @_;
    $self->{pid} = $self->{child} = undef;
    $self->{status} = {};
    $self->{valgrind} = $o{valgrind} || 0;
    if ($self->{valgrind}) {
        $self->{child} = _spawn([ $self->_valgrind_argv ], $self->stderr_log);
        return (0, undef);
    }
    my $launcher = _spawn([ $self->_nginx_argv ], $self->stderr_log,
                          no_leak_check => $o{expect_failure});
    my $status = _wait_child($launcher, 30);
    if (!defined $status) {
        kill 'KILL', $launcher;
        _wait_child($launcher, 2);
        return (undef, "the nginx command did not return within 30 s");
    }
    return ($status, undef);
}

# Start nginx and wait until it listens.  Returns (1) or (0, $why).
sub start {
    my ($self, %o) = @_;
    my ($status, $err) = $self->launch(%o);
    return (0, $err) if defined $err;
    return (0, 'nginx exited with ' . describe_status($status)) if $status;
    return $self->wait_ready;
}

# After a successful launch: wait for the pid file (written after the
# listening sockets are open) and for the port in LISTEN state.  We do not
# probe by connecting: that would put a "client closed connection" line in
# the error log that a no_error_log check might trip over.
sub wait_ready {
    my ($self) = @_;
    my $deadline = time + $self->_start_wait;
    while (time < $deadline) {
        if ($self->{child} && !$self->_alive($self->{child})) {
            return (0, 'nginx exited with '
                       . describe_status($self->{status}{ $self->{child} }));
        }
        my $pid = read_pid_file($self->pid_file);
        if ($pid && $self->_alive($pid) && port_listening($self->{port})) {
            $self->{pid} = $pid;
            return (1);
        }
        sleep 0.05;
    }
    my $pid = read_pid_file($self->pid_file);
    $self->{pid} = $pid if $pid && $self->_alive($pid);   # so stop() cleans up
    return (0, "nginx not listening on 127.0.0.1:$self->{port} after "
               . $self->_start_wait . ' s');
}

# Alive unless reaped or gone.  waitpid works for our children, which
# includes the re-parented daemon; for anything else, look at /proc.
sub _alive {
    my ($self, $pid) = @_;
    return 0 if exists $self->{status}{$pid};
    my $r = waitpid $pid, WNOHANG;
    if ($r == $pid) {
        $self->{status}{$pid} = $?;
        return 0;
    }
    return 1 if $r == 0;
    return process_alive($pid);
}

sub _wait_gone {
    my ($self, $pid, $seconds) = @_;
    my $deadline = time + $seconds;
    while ($self->_alive($pid)) {
        return 0 if time >= $deadline;
        sleep 0.02;
    }
    return 1;
}

# SIGQUIT (graceful), bounded wait, then SIGKILL for nginx and its workers.
# Returns { was_running, killed, exit_status } so the caller can tell an
# nginx that died on its own (a crash) from one we stopped; exit_status is
# undef when nginx was not ours to reap.
sub stop {
    my ($self) = @_;
    my $pid = $self->{pid} || $self->{child};
    my %res = (was_running => 0, killed => 0);
    if ($pid) {
        $res{was_running} = $self->_alive($pid) ? 1 : 0;
        if ($res{was_running}) {
            kill 'QUIT', $pid;
            $res{killed} = $self->_kill_hard($pid)
                unless $self->_wait_gone($pid, $self->_stop_wait);
        }
        $res{exit_status} = $self->{status}{$pid};
    }
    if ($self->{child} && $self->_alive($self->{child})) {
        $self->_kill_hard($self->{child});     # valgrind that never wrote a pid file
    }
    $self->{pid} = $self->{child} = undef;
    return \%res;
}

# SIGKILL the process and its children (workers would otherwise keep the
# listening socket), then reap what is ours.
sub _kill_hard {
    my ($self, $pid) = @_;
    my @kids = child_pids($pid);
    kill 'KILL', @kids, $pid;
    $self->_wait_gone($_, 2) for $pid, @kids;
    return 1;
}

# An nginx left running by an earlier run (TEST_NGINX_NO_CLEAN, a crash of
# the test script) would hold the port: stop it if the pid file still
# names a live nginx process.
sub kill_stale {
    my ($self) = @_;
    my $pid = read_pid_file($self->pid_file) or return;
    return unless process_alive($pid) && _cmdline($pid) =~ /nginx|valgrind/;
    kill 'QUIT', $pid;
    my $deadline = time + 5;
    sleep 0.05 while process_alive($pid) && time < $deadline;
    kill 'KILL', child_pids($pid), $pid if process_alive($pid);
    return;
}

# ---------------------------------------------------------------- helpers

sub read_pid_file {
    my ($file) = @_;
    open my $fh, '<', $file or return undef;
    my $line = <$fh>;
    close $fh;
    return defined $line && $line =~ /^\s*(\d+)\s*$/ ? $1 : undef;
}

# kill 0 alone says yes for a zombie: a daemon whose parent is a PID 1 that
# does not reap would look alive for ever.
sub process_alive {
    my ($pid) = @_;
    return 0 unless kill 0, $pid;
    my $stat = _slurp("/proc/$pid/stat");
    return 1 unless defined $stat;                  # no /proc: trust kill 0
    return $stat =~ /^\d+ \(.*\) ([A-Za-z])/s && $1 ne 'Z' && $1 ne 'X' ? 1 : 0;
}

sub child_pids {
    my ($ppid) = @_;
    my @kids;
    opendir my $dh, '/proc' or return ();
    for my $pid (grep { /^\d+$/ } readdir $dh) {
        my $stat = _slurp("/proc/$pid/stat") or next;
        push @kids, $pid if $stat =~ /^\d+ \(.*\) \S+ (\d+)/s && $1 == $ppid;
    }
    closedir $dh;
    return @kids;
}

# Is some socket on this host in LISTEN state on $port?  Read from
# /proc/net/tcp{,6}; without /proc, fall back to a connect probe.
sub port_listening {
    my ($port) = @_;
    my $hex = sprintf '%04X', $port;
    my $seen_proc = 0;
    for my $file ('/proc/net/tcp', '/proc/net/tcp6') {
        my $text = _slurp($file);
        next unless defined $text;
        $seen_proc = 1;
        return 1 if $text =~ /^\s*\d+:\s+[0-9A-F]+:$hex\s+[0-9A-F]+:[0-9A-F]+\s+0A\s/mi;
    }
    return 0 if $seen_proc;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                     Proto => 'tcp', Timeout => 1);
    return $sock ? 1 : 0;
}

sub describe_status {
    my ($status) = @_;
    return 'unknown status' unless defined $status;
    return 'exec failure' if $status == -1;
    my $sig = $status & 127;
    return "signal $sig" . ($status & 128 ? ' (core dumped)' : '') if $sig;
    return 'exit code ' . ($status >> 8);
}

sub _cmdline {
    my ($pid) = @_;
    my $c = _slurp("/proc/$pid/cmdline");
    return defined $c ? $c : '';
}

sub _slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return undef;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
}

1;
