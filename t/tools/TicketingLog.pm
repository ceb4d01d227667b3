package TicketingLog;

# What a block of several requests expects in the error log as a whole.
#
# Test::Nginx checks "--- error_log" after each request of a block, against
# the lines that request logged: a pattern that only one of the requests
# logs fails for the others.  Such a block says instead
#
#   --- block_error_log
#   ticketing: refused with 404
#
# (one substring a line, or with eval an array ref of strings and qr//s)
# and add_log_request($block), called by the file's block preprocessor
# after it has set the config, turns it into a last request of the block,
# "GET /error.log", answered by a location added to the config from the
# server root's logs/error.log, whose body must have a line matching each
# pattern (log_has).  It is the same log the block's requests wrote, read
# after the last of them: the patterns are checked for the block as a
# whole, by both runners alike.  t/jwks_url.t does the same by hand.

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(log_has add_log_request);

# A regex for a body that has, for each pattern, a line matching it
# (strings are substrings, qr//s regexes).
sub log_has {
    my $re = join '', map {
        my $p = ref $_ ? $_ : quotemeta $_;
        "(?=[\\s\\S]*?^[^\\n]*?$p)"
    } @_;
    return qr/\A$re/m;
}

sub _patterns {
    my ($value) = @_;
    return ($value) if ref $value eq 'Regexp';
    return grep { defined && (ref || length) } @$value if ref $value eq 'ARRAY';
    return grep { length } split /\n+/, $value;
}

# The same section value for n + 1 requests: an array (of n entries) gets
# $last appended; a scalar, meant for each of the n requests, becomes n
# copies of it and $last.
sub _extend {
    my ($block, $section, $n, $last) = @_;
    my $v = $block->$section;
    return unless defined $v;
    my @v = ref $v eq 'ARRAY' ? @$v : (($v) x $n);
    die $block->name . ": $section has " . @v . " entries for $n requests\n"
        if @v != $n;
    $block->set_value($section, [ @v, $last ]);
    return;
}

sub add_log_request {
    my ($block) = @_;
    my $spec = $block->block_error_log;
    return unless defined $spec;
    my $name = $block->name;
    die "$name: block_error_log needs the block's config\n"
        unless defined $block->config;
    die "$name: block_error_log with raw_request\n"
        if defined $block->raw_request;
    die "$name: block_error_log with response_body_unlike only\n"
        if defined $block->response_body_unlike
           && !defined $block->response_body
           && !defined $block->response_body_like;
    my @pats = _patterns($spec);
    die "$name: block_error_log without a pattern\n" unless @pats;

    my $req = $block->request;
    my @reqs = ref $req eq 'ARRAY' ? @$req : ($req);
    my $n = @reqs;
    $block->set_value(request => [ @reqs, 'GET /error.log' ]);
    my $mh = $block->more_headers;
    _extend($block, 'more_headers', $n, '') if ref $mh eq 'ARRAY';
    $block->set_value(error_code => [ (200) x $n ])
        unless defined $block->error_code || defined $block->error_code_like;
    _extend($block, 'error_code', $n, 200);
    _extend($block, 'error_code_like', $n, '^200$');
    _extend($block, 'response_headers', $n, '');
    _extend($block, 'response_headers_like', $n, '');
    _extend($block, 'raw_response_headers_like', $n, '');
    _extend($block, 'raw_response_headers_unlike', $n, '(?!)');
    my $has = log_has(@pats);
    _extend($block, 'response_body', $n, $has);
    _extend($block, 'response_body_like', $n, $has);
    $block->set_value(config => $block->config . <<'_EOC_');
    location = /error.log {
        default_type text/plain;
        root logs;
    }
_EOC_
    return;
}

1;
