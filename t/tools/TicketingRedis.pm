# Helpers of the t/ files about Redis: fake RESP servers, a closed port, a
# port where connect() hangs, and the http_config/config every
# Redis-deployment block starts from.
package TicketingRedis;

use strict;
use warnings;
use IO::Socket::INET;
use IO::Socket::UNIX;
use Socket qw(SOCK_STREAM);
use POSIX ();

our @Children;

# sockets that stay open while the blocks run
our @Keep;

# in a fake's child process: the port it listens on
our $Port;

END { kill 'KILL', @Children if @Children }

# a port that was free a moment ago: connecting to it is refused
sub closed_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1)
        or die "cannot bind: $!\n";
    my $port = $s->sockport;
    close $s;
    return $port;
}

# a port where connect() hangs, as with a host that is down: a listening
# socket whose accept queue is full (Listen 1 holds two) drops new SYNs
sub blackhole_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1)
        or die "cannot bind: $!\n";
    push @Keep, $s;
    for (1 .. 3) {
        push @Keep, IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                                      . $s->sockport,
                                          Proto => 'tcp', Blocking => 0)
            // die "cannot connect: $!\n";
    }
    return $s->sockport;
}

# A cache key written with "{TAG}" where its hash tag goes: the tag the
# module computes, FNV-1a (32 bits) of what follows it ("|lock" aside).
sub tagged {
    my ($key) = @_;
    return $key unless $key =~ /^(.*?)\{TAG\}(.*?)(\|lock)?$/s;
    my ($head, $rest, $lock) = ($1, $2, $3 // '');
    my $h = 0x811c9dc5;
    for my $c (unpack 'C*', $rest) {
        $h = (($h ^ $c) * 0x01000193) & 0xffffffff;
    }
    return sprintf('%s{%08x}%s%s', $head, $h, $rest, $lock);
}

# the Redis Cluster slot of a key: CRC16/XMODEM of its {hash tag}
sub keyslot {
    my ($key) = @_;
    $key = $1 if $key =~ /^[^{]*\{([^}]+)\}/s;
    my $crc = 0;
    for my $c (unpack 'C*', $key) {
        $crc ^= $c << 8;
        for (1 .. 8) {
            $crc = $crc & 0x8000 ? (($crc << 1) ^ 0x1021) & 0xffff
                                 : ($crc << 1) & 0xffff;
        }
    }
    return $crc & 16383;
}

sub bulk  { defined $_[0] ? '$' . length($_[0]) . "\r\n$_[0]\r\n" : "\$-1\r\n" }
sub array { '*' . @_ . "\r\n" . join('', @_) }

# A RESP server in a child process, serving one connection after the
# other: $answer->(\@args, $n) gives the raw reply to the n-th command
# (from 0, across connections), or undef to say nothing.  A reply goes out
# in one write.  With $unix, it listens on that unix socket (returns 0).
sub fake_resp_port {
    my ($answer, $unix) = @_;
    my $s = $unix
        ? IO::Socket::UNIX->new(Local => $unix, Type => SOCK_STREAM,
                                Listen => 16)
        : IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                Proto => 'tcp', Listen => 16);
    die "cannot listen: $!\n" unless $s;
    my $pid = fork;
    die "fork: $!\n" unless defined $pid;
    if ($pid) {
        push @Children, $pid;
        my $port = $unix ? 0 : $s->sockport;
        close $s;
        return $port;
    }
    my $count = 0;
    $Port = $unix ? 0 : $s->sockport;
    while (my $c = $s->accept) {
        my $buf = '';
        while (sysread($c, $buf, 65536, length $buf)) {
            for (;;) {
                my @args;
                my $rest = $buf;
                last unless $rest =~ s/^\*(\d+)\r\n//;
                my $n = $1;
                while ($n-- > 0 && $rest =~ s/^\$(\d+)\r\n//) {
                    last if length($rest) < $1 + 2;
                    push @args, substr($rest, 0, $1);
                    substr($rest, 0, $1 + 2, '');
                }
                last if $n >= 0;               # incomplete: read more
                $buf = $rest;
                my $reply = $answer->(\@args, $count++);
                syswrite($c, $reply) if defined $reply;
            }
        }
        close $c;
    }
    POSIX::_exit(0);
}

# A block of a Redis-deployment file: "PREFIX" in its http_config becomes
# a key prefix of its own, the http_config gets the upstream and the cache
# rules, the config (unless the block has one) a cached gateway location
# whose lookups wait up to 10 s, so that a failure to connect is known,
# and logged, before the answer.  $subst->($http) may rewrite more.
my $BlockNo = 0;

sub gateway_block {
    my ($block, $tag, $subst) = @_;

    $BlockNo++;
    my $prefix = "$tag$$-" . time() . "-$BlockNo";

    if (defined $block->http_config) {
        (my $http = $block->http_config) =~ s/PREFIX/$prefix/g;
        $http = $subst->($http) if $subst;
        $block->set_value("http_config", <<_EOC_ . $http);
    ticketing_auth off;
    ticketing_cache_scope metadata.types shared;
    upstream ticketing_api {
        server 127.0.0.1:\$TEST_NGINX_UPSTREAM_PORT;
    }
_EOC_
    }

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
        ticketing_cache on;
        ticketing_cache_timeout 10s;
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_

    $block->set_value("more_headers", "ticketing-provider: JAM")
        unless defined $block->more_headers;
}

1;
