package Test::Nginx::Lite::Log;

# Reading nginx's logs for one block and scanning them: error_log /
# no_error_log patterns, sanitizer reports, valgrind reports.

use strict;
use warnings;

use Exporter 'import';

our @EXPORT_OK = qw(
    slurp read_from log_lines normalize_patterns pattern_matches pattern_label
    sanitizer_reports valgrind_reports
);

# Known nginx 1.22 core UBSan reports (not ours): a report that mentions
# one of these functions is not held against the block.
our @IGNORED_UBSAN = qw(ngx_pstrdup ngx_sprintf_str);

sub slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    binmode $fh;
    local $/;
    my $text = <$fh>;
    close $fh;
    return defined $text ? $text : '';
}

# The file's bytes from $offset on ('' when missing or shorter: a log
# that was truncated or replaced since is read again from its start by the
# caller resetting its offset).
sub read_from {
    my ($file, $offset) = @_;
    open my $fh, '<', $file or return '';
    binmode $fh;
    seek $fh, $offset, 0 or return '';
    local $/;
    my $text = <$fh>;
    close $fh;
    return defined $text ? $text : '';
}

# All lines of the given files, in order (missing files count as empty).
sub log_lines {
    my (@files) = @_;
    return [ map { split /\n/, slurp($_) } @files ];
}

# An error_log/no_error_log value as a list of patterns: a plain section is
# one substring per line; `eval` may give an array ref of strings and qr//s,
# a single qr//, or a string.
sub normalize_patterns {
    my ($value) = @_;
    return () unless defined $value;
    return ($value) if ref $value eq 'Regexp';
    if (ref $value eq 'ARRAY') {
        return grep { defined && (ref || length) } @$value;
    }
    return grep { length } split /\n+/, $value;
}

sub pattern_matches {
    my ($pat, $line) = @_;
    return ref $pat ? $line =~ $pat : index($line, $pat) >= 0;
}

# How a pattern reads in a test name.
sub pattern_label {
    my ($pat) = @_;
    return ref $pat ? "$pat" : "\"$pat\"";
}

# Sanitizer reports in a log text, minus the known-harmless UBSan ones.
# A report is the line naming the sanitizer plus the stack frames and
# indented lines right after it, so the ignore list can match a function
# that only appears in the stack trace.
sub sanitizer_reports {
    my ($text) = @_;
    my @lines = split /\n/, $text;
    my @reports;
    for (my $i = 0; $i < @lines; $i++) {
        my $kind = _sanitizer_kind($lines[$i]) or next;
        my @report = ($lines[$i]);
        while ($i + 1 < @lines && _continues_report($lines[$i + 1])) {
            push @report, $lines[++$i];
        }
        my $report = join "\n", @report;
        next if $kind eq 'ubsan' && _ignored_ubsan($report);
        push @reports, $report;
    }
    return @reports;
}

sub _sanitizer_kind {
    my ($line) = @_;
    return 'asan'  if $line =~ /AddressSanitizer|LeakSanitizer/;
    return 'ubsan' if $line =~ /runtime error:/;
    return undef;
}

# Stack frames ("    #3 0x... in f file.c:12"), indented detail lines and
# ==pid== lines belong to the report above them.
sub _continues_report {
    my ($line) = @_;
    return 0 if _sanitizer_kind($line);
    return $line =~ /^\s+\S/ || $line =~ /^==\d+==/
        || $line =~ /^SUMMARY: UndefinedBehaviorSanitizer/;
}

sub _ignored_ubsan {
    my ($report) = @_;
    for my $fn (@IGNORED_UBSAN) {
        return 1 if $report =~ /\b\Q$fn\E\b/;
    }
    return 0;
}

# Valgrind output: its log file (with -q it only holds errors and leaks)
# and any ==pid== line that reached nginx's own logs.
sub valgrind_reports {
    my ($valgrind_log, @other_logs) = @_;
    my @reports;
    my $vg = slurp($valgrind_log);
    push @reports, $vg if $vg =~ /\S/;
    for my $file (@other_logs) {
        my @lines = grep { /^==\d+== \S/ } split /\n/, slurp($file);
        push @reports, join "\n", @lines if @lines;
    }
    return @reports;
}

1;
