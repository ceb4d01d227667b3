# Metrics under a real master and two workers: the counters of requests
# served by either worker add up in the zone, "nginx -s reload" (SIGHUP to
# the master) keeps them when the zone keeps its name, and a zone of a new
# name starts from zero.
#
# Not a Test::Nginx block file: the runner sends all of a block's requests
# to one nginx and cannot signal it between two of them.  This file starts
# its own nginx (TEST_NGINX_BINARY, TEST_NGINX_SERVER_PORT and the mock API
# of scripts/run-t.sh) in a server root of its own.

use strict;
use warnings;

use File::Path qw(make_path remove_tree);
use HTTP::Tiny;
use Test::More;
use Time::HiRes qw(sleep time);

my $nginx = $ENV{TEST_NGINX_BINARY};
my $port = $ENV{TEST_NGINX_SERVER_PORT};
my $upstream = $ENV{TEST_NGINX_UPSTREAM_PORT};

plan skip_all => 'run through scripts/run-t.sh (TEST_NGINX_* not set)'
    unless $nginx && $port && $upstream;

my $root = ($ENV{TEST_NGINX_SERVROOT} || 't/servroot') . '-metrics-reload';
remove_tree($root);
make_path("$root/conf", "$root/logs", "$root/html");

my $loads = join '', map { "load_module $_;\n" }
                     split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');

sub write_conf {
    my ($zone, $gen) = @_;
    open my $fh, '>', "$root/conf/nginx.conf" or die "nginx.conf: $!";
    print $fh <<_EOC_;
${loads}worker_processes 2;
daemon on;
master_process on;
pid logs/nginx.pid;
error_log logs/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $root/client_body_temp;
    proxy_temp_path $root/proxy_temp;
    fastcgi_temp_path $root/fastcgi_temp;
    uwsgi_temp_path $root/uwsgi_temp;
    scgi_temp_path $root/scgi_temp;

    ticketing_auth off;
    ticketing_metrics_zone $zone;

    upstream ticketing_api {
        server 127.0.0.1:$upstream;
    }

    server {
        # one socket per worker: the kernel spreads the connections
        listen 127.0.0.1:$port reuseport;
        location /v2/ {
            ticketing_gateway on;
            add_header X-Pid \$pid;
            proxy_pass http://ticketing_api;
        }
        location = /metrics {
            add_header X-Gen $gen;
            ticketing_metrics;
        }
    }
}
_EOC_
    close $fh;
}

my $http = HTTP::Tiny->new(timeout => 5, keep_alive => 0);

my %pids;      # the workers that answered

sub get_ticket {
    my $res = $http->get("http://127.0.0.1:$port/v2/orgs/yoigo/ticket/INST-7902",
                         { headers => { 'ticketing-provider' => 'JAM' } });
    $pids{ $res->{headers}{'x-pid'} // '' }++;
    return $res->{status};
}

# the count of ticket.get 2xx, once the configuration "gen" answers
sub count {
    my ($gen) = @_;
    my $deadline = time + 10;
    while (time < $deadline) {
        my $res = $http->get("http://127.0.0.1:$port/metrics");
        if ($res->{status} == 200 && ($res->{headers}{'x-gen'} // '') eq $gen) {
            return $1 if $res->{content} =~
                /^ticketing_requests_total\{operation="ticket.get",class="2xx"\} (\d+)$/m;
            return "no ticket.get line";
        }
        sleep 0.1;
    }
    return "configuration $gen never answered";
}

sub master_pid {
    open my $fh, '<', "$root/logs/nginx.pid" or return undef;
    my $pid = <$fh>;
    close $fh;
    chomp $pid if defined $pid;
    return $pid;
}

# sanitizer reports of other files are theirs: only new ones count here
my $san = $ENV{TEST_NGINX_SANITIZER_DIR};
my %before = $san ? map { $_ => 1 } glob("$san/*") : ();

write_conf('tm_reload', 1);
is(system($nginx, '-p', "$root/", '-c', 'conf/nginx.conf'), 0, 'nginx starts');

my $pid;
for (1 .. 50) {
    $pid = master_pid();
    last if $pid;
    sleep 0.1;
}
ok($pid, 'the master wrote its pid');

END {
    if ($pid && kill 0, $pid) {
        kill 'QUIT', $pid;
        for (1 .. 50) { last unless kill 0, $pid; sleep 0.1 }
        kill 'KILL', $pid if kill 0, $pid;
    }
}

# until both workers have answered some (at least 10 requests)
my ($ok, $sent) = (0, 0);
while ($sent < 10 || (keys %pids < 2 && $sent < 200)) {
    $sent++;
    $ok++ if get_ticket() == 200;
}
is($ok, $sent, "$sent requests answered");
is(scalar(keys %pids), 2, 'by both workers') or diag(join ' ', %pids);

# the log phase runs just after the response goes out: leave it a moment
sleep 0.2;
is(count(1), $sent, 'the zone adds up both workers\' requests');

write_conf('tm_reload', 2);
ok(kill('HUP', $pid), 'reload (SIGHUP to the master)');
is(count(2), $sent, 'the counters survive the reload');

$ok = 0;
for (1 .. 5) {
    $ok++ if get_ticket() == 200;
}
is($ok, 5, '5 more requests after the reload');
sleep 0.2;
is(count(2), $sent + 5, 'the new workers add to the same counters');

write_conf('tm_reload_other', 3);
ok(kill('HUP', $pid), 'reload with a zone of another name');
is(count(3), 0, 'a zone of a new name starts from zero');

kill 'QUIT', $pid;
for (1 .. 100) { last unless kill 0, $pid; sleep 0.1 }
ok(!kill(0, $pid), 'nginx stops');

open my $log, '<', "$root/logs/error.log" or die "error.log: $!";
my @bad = grep { /\[(?:alert|emerg|crit)\]|exited on signal|AddressSanitizer|runtime error:/ }
          <$log>;
close $log;
is_deeply(\@bad, [], 'no alert, crash or sanitizer report in the error log');

if ($san) {
    my @reports = grep { !$before{$_} && -s $_ } glob "$san/*";
    is_deeply(\@reports, [], 'no sanitizer report file');
}

done_testing();
