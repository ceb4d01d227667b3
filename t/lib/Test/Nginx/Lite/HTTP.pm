package Test::Nginx::Lite::HTTP;

# A deliberately small HTTP/1.1 client over a plain socket: it must send
# exactly what a test describes (including malformed requests) and never
# wait longer than the block's timeout.

use strict;
use warnings;

use Exporter 'import';
use IO::Socket::INET;
use IO::Select;
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use Time::HiRes qw(sleep time);
use HTTP::Headers;

our @EXPORT_OK = qw(build_request exchange parse_response request_method);

# Turn a `request` section value into bytes.
#   first line: METHOD [URI [VERSION]]   (URI defaults to /, VERSION to HTTP/1.1)
#   other lines: the body, trimmed of surrounding white space (as
#   Test::Nginx does), with Content-Length added when it is not empty.
# A `Transfer-Encoding: chunked` in more_headers means the body is already
# chunked: it is then sent exactly as written, without Content-Length.
# Host: localhost and Connection: close are added unless more_headers sets
# them.  Returns ($bytes, $method).
sub build_request {
    my ($text, $more_headers) = @_;
    $text = '' unless defined $text;
    $text =~ s/\A\s+//;
    my ($line, $body) = split /\r?\n/, $text, 2;
    $line = '' unless defined $line;
    $body = '' unless defined $body;
    $line =~ s/\s+\z//;
    die "request: empty request line\n" unless length $line;

    my ($method, $uri, $version) = _split_request_line($line);
    my @headers = _parse_more_headers($more_headers);
    my %has = map { lc($_->[0]) => $_->[1] } @headers;
    my $chunked = ($has{'transfer-encoding'} || '') =~ /chunked/i;

    my $head = "$method $uri $version\r\n";
    $head .= "Host: localhost\r\n" unless exists $has{host};
    $head .= "Connection: close\r\n" unless exists $has{connection};
    $head .= "$_->[0]: $_->[1]\r\n" for @headers;
    if (!$chunked) {
        $body =~ s/\A\s+|\s+\z//g;
        $head .= 'Content-Length: ' . length($body) . "\r\n"
            if length $body && !exists $has{'content-length'};
    }
    return ("$head\r\n$body", $method);
}

sub _split_request_line {
    my ($line) = @_;
    my @words = split ' ', $line;
    my $method = shift @words;
    my $version = @words >= 2 && $words[-1] =~ m{^HTTP/}i ? pop @words : 'HTTP/1.1';
    my $uri = @words ? join(' ', @words) : '/';
    return ($method, $uri, $version);
}

# "Name: value" lines; blank lines and #comments skipped.
sub _parse_more_headers {
    my ($text) = @_;
    return () unless defined $text;
    my @headers;
    for my $line (split /\r?\n/, $text) {
        next if $line =~ /^\s*(?:#|$)/;
        my ($name, $value) = split /:\s*/, $line, 2;
        $name =~ s/^\s+|\s+$//g;
        $value = '' unless defined $value;
        $value =~ s/\s+$//;
        push @headers, [ $name, $value ];
    }
    return @headers;
}

# First word of a raw request, to know whether the answer to it has a body.
sub request_method {
    my ($bytes) = @_;
    return $bytes =~ /\A\s*([A-Za-z]+)/ ? uc $1 : '';
}

# Connect to 127.0.0.1:$port, send the packets (string or array ref of
# strings, with `delay` seconds between them) and read the answer.
#   until_complete => stop once a complete response is read (normal
#                     requests); otherwise read until the peer closes.
# Everything happens within `timeout` seconds overall.
# Returns { raw, timed_out, error, eof }.
sub exchange {
    my (%a) = @_;
    my $deadline = time + $a{timeout};
    my %r = (raw => '', timed_out => 0, error => undef, eof => 0);
    local $SIG{PIPE} = 'IGNORE';    # nginx may close before we finish writing

    my $sock = IO::Socket::INET->new(
        PeerAddr => '127.0.0.1', PeerPort => $a{port}, Proto => 'tcp',
        Timeout => _left($deadline) || 0.1,
    );
    if (!$sock) {
        $r{error} = "cannot connect to 127.0.0.1:$a{port}: $@";
        return \%r;
    }
    $sock->blocking(0);
    my $packets = ref $a{packets} ? $a{packets} : [ $a{packets} ];
    for my $i (0 .. $#$packets) {
        sleep $a{delay} if $i && $a{delay};
        my $w = _write_all($sock, $packets->[$i], $deadline);
        if ($w eq 'timeout') { $r{timed_out} = 1; return \%r }
        last if $w eq 'closed';     # read what nginx said before closing
    }
    _read_response($sock, \%r, $deadline, $a{until_complete} ? $a{method} : undef);
    close $sock;
    return \%r;
}

sub _left {
    my ($deadline) = @_;
    my $left = $deadline - time;
    return $left > 0 ? $left : 0;
}

# Returns 'ok', 'closed' or 'timeout'.
sub _write_all {
    my ($sock, $data, $deadline) = @_;
    my $sel = IO::Select->new($sock);
    my $off = 0;
    while ($off < length $data) {
        return 'timeout' unless $sel->can_write(_left($deadline));
        my $n = syswrite $sock, $data, length($data) - $off, $off;
        if (!defined $n) {
            next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
            return 'closed';
        }
        $off += $n;
    }
    return 'ok';
}

# Read into $r->{raw}.  With $method defined, stop as soon as the bytes
# form a complete response to that method.
sub _read_response {
    my ($sock, $r, $deadline, $method) = @_;
    my $sel = IO::Select->new($sock);
    while (1) {
        if (!$sel->can_read(_left($deadline))) {
            $r->{timed_out} = 1;
            return;
        }
        my $n = sysread $sock, my $buf, 65536;
        if (!defined $n) {
            next if $! == EAGAIN || $! == EWOULDBLOCK || $! == EINTR;
            $r->{eof} = 1;        # connection reset: keep what we have
            return;
        }
        if ($n == 0) {
            $r->{eof} = 1;
            return;
        }
        $r->{raw} .= $buf;
        return if defined $method && parse_response($r->{raw}, $method, 0)->{complete};
    }
}

# Parse the first response in $raw (interim 1xx responses are skipped).
# $eof says the connection was closed, which completes a body that has
# neither Content-Length nor chunked framing.
# Returns { complete, code, status_line, headers (HTTP::Headers),
#           raw_headers, body, error }.  code is '' when nothing arrived.
sub parse_response {
    my ($raw, $method, $eof) = @_;
    my %r = (complete => 0, code => '', status_line => '', raw_headers => '',
             headers => HTTP::Headers->new, body => '', error => undef);
    return \%r if $raw eq '';

    my $pos = 0;
    while (1) {
        my $end = index $raw, "\r\n\r\n", $pos;
        if ($end < 0) {
            $r{error} = 'incomplete response header' if $eof;
            return \%r;
        }
        my $head = substr $raw, $pos, $end - $pos;
        $pos = $end + 4;
        my ($status_line, @lines) = split /\r\n/, $head;
        if ($status_line !~ m{^HTTP/\d+(?:\.\d+)?\s+(\d{3})\b}) {
            $r{error} = "bad status line: $status_line";
            return \%r;
        }
        my $code = $1;
        next if $code =~ /^1/ && $code != 101;      # 100 Continue etc.
        @r{qw(code status_line raw_headers)} = ($code, $status_line, "$head\r\n\r\n");
        for my $line (@lines) {
            my ($name, $value) = split /:\s*/, $line, 2;
            $r{headers}->push_header($name => defined $value ? $value : '');
        }
        last;
    }
    _parse_body(\%r, substr($raw, $pos), $method, $eof);
    return \%r;
}

sub _parse_body {
    my ($r, $data, $method, $eof) = @_;
    my $h = $r->{headers};
    if (uc($method || '') eq 'HEAD' || $r->{code} =~ /^(?:1\d\d|204|304)$/) {
        $r->{complete} = 1;
        return;
    }
    if (($h->header('Transfer-Encoding') || '') =~ /chunked/i) {
        my ($body, $complete, $err) = decode_chunked($data);
        $r->{body} = $body;
        $r->{complete} = $complete;
        $r->{error} = $err || ($eof && !$complete ? 'connection closed inside the chunked body' : undef);
        return;
    }
    my $len = $h->header('Content-Length');
    if (defined $len && $len =~ /^\s*(\d+)/) {
        $len = $1;
        $r->{body} = substr $data, 0, $len;
        $r->{complete} = length($data) >= $len ? 1 : 0;
        $r->{error} = 'connection closed after ' . length($data)
                      . " of $len body bytes" if $eof && !$r->{complete};
        return;
    }
    $r->{body} = $data;          # delimited by the connection close
    $r->{complete} = $eof ? 1 : 0;
    return;
}

# Returns ($body, $complete, $error).
sub decode_chunked {
    my ($data) = @_;
    my ($body, $p) = ('', 0);
    while (1) {
        my $eol = index $data, "\r\n", $p;
        return ($body, 0) if $eol < 0;
        my $size_line = substr $data, $p, $eol - $p;
        (my $size_hex = $size_line) =~ s/;.*//s;
        return ($body, 0, "bad chunk size line: $size_line")
            unless $size_hex =~ /^\s*([0-9a-fA-F]+)\s*$/;
        my $size = hex $1;
        $p = $eol + 2;
        if ($size == 0) {   # last chunk: trailers end with an empty line
            return ($body, 1) if substr($data, $p, 2) eq "\r\n";
            return ($body, index($data, "\r\n\r\n", $p) >= 0 ? 1 : 0);
        }
        return ($body, 0) if length($data) < $p + $size + 2;
        $body .= substr $data, $p, $size;
        return ($body, 0, 'chunk not followed by CRLF')
            unless substr($data, $p + $size, 2) eq "\r\n";
        $p += $size + 2;
    }
}

1;
