package TicketingAuth;

# Tokens for the t/ files: minted at test time by t/tools/mint_jwt.py with
# the test-only keys of t/data, plus hand-built HS256 tokens whose parts
# are arbitrary bytes (to test malformed headers and payloads that carry a
# valid signature).

use strict;
use warnings;

use Cwd qw(abs_path);
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64url);
use Exporter 'import';

our @EXPORT = qw(mint bearer hs256_raw b64url crypt_jwt_bearer);

# nginx configs refer to the keys by absolute path: $TEST_NGINX_DATA
$ENV{TEST_NGINX_DATA} = abs_path('t/data');

# mint('--key', 't/data/rs256.key', '--alg', 'RS256', ...) -> token
sub mint {
    my @args = @_;
    open my $fh, '-|', 'python3', 't/tools/mint_jwt.py', @args
        or die "mint_jwt.py: $!";
    local $/;
    my $t = <$fh>;
    close $fh or die "mint_jwt.py @args failed";
    $t =~ s/\s+\z//;    # chomp would not: $/ is undef here
    return $t;
}

# "Authorization: Bearer <token>" for more_headers
sub bearer { return 'Authorization: Bearer ' . mint(@_) }

sub b64url { return encode_base64url($_[0]) }

# header and payload given as raw bytes, MACed with t/data/hs256.key
sub hs256_raw {
    my ($header, $payload) = @_;
    open my $fh, '<', 't/data/hs256.key' or die "hs256.key: $!";
    local $/;
    my $secret = <$fh>;
    close $fh;
    $secret =~ s/[\r\n]+\z//;
    my $input = b64url($header) . '.' . b64url($payload);
    return $input . '.' . b64url(hmac_sha256($input, $secret));
}

# "Authorization: Bearer <token>" minted by Crypt::JWT (libcrypt-jwt-perl),
# an implementation independent of mint_jwt.py and of the module: what it
# signs must verify too.  Claims: a subject, an exp, the API access role and
# the permission given.
sub crypt_jwt_bearer {
    my ($alg, $keyfile, $permission, %opt) = @_;

    require Crypt::JWT;
    my $key;

    if ($alg =~ /^HS/) {
        open my $fh, '<', $keyfile or die "$keyfile: $!";
        local $/;
        $key = <$fh>;
        close $fh;
        $key =~ s/[\r\n]+\z//;

    } elsif ($alg =~ /^(RS|PS)/) {
        require Crypt::PK::RSA;
        $key = Crypt::PK::RSA->new($keyfile);

    } elsif ($alg =~ /^ES/) {
        require Crypt::PK::ECC;
        $key = Crypt::PK::ECC->new($keyfile);

    } else {
        require Crypt::PK::Ed25519;
        $key = Crypt::PK::Ed25519->new($keyfile);
    }

    my $claims = {
        sub          => 'carol',
        exp          => time + 3600,
        realm_access => { roles => ['ticketing-mas.ticketing.access.allowed'] },
        permissions  => [$permission],
    };

    return 'Authorization: Bearer '
           . Crypt::JWT::encode_jwt(payload => $claims, alg => $alg,
                                    key => $key,
                                    $opt{kid} ? (extra_headers => { kid => $opt{kid} })
                                              : ());
}

1;
