# Key hygiene (RFC 7517/7518): what a key may verify and which keys are
# refused at all.  A JWK's "key_ops" is honoured; an HMAC secret verifies
# only the HS algorithms whose hash it is as long as; a key set holding
# private key material, or mixing "oct" secrets with public keys (unless
# "mixed_oct" asks for it), and a PEM file holding a private key fail
# nginx -t naming the file; an RSA modulus with the ROCA fingerprint is
# refused; ticketing_jwt_max_lifetime bounds exp.
#
# The files these tests need are made at test time, in a temporary
# directory ($TEST_NGINX_KEYS), from the committed test keys of t/data:
# no key material is committed for them.  The RSA keys with the ROCA
# fingerprint ($TEST_NGINX_CERTS/roca.pub, $TEST_NGINX_CERTS/roca-jwks.json)
# are made at test time too, by t/tools/make_roca.py, which
# scripts/run-t.sh runs into the directory it exports as TEST_NGINX_CERTS:
# 2048-bit moduli built the way the vulnerable library built them (each
# prime k * M + (65537^a mod M)), of which only the public key is kept.

use Test::Nginx::Socket 'no_plan';
use File::Temp qw(tempdir);
use lib 't/tools';
use TicketingAuth;

repeat_each(1);
no_shuffle();

# the ROCA keys of t/tools/make_roca.py (scripts/run-t.sh makes them)
for my $f ('roca.pub', 'roca-jwks.json') {
    my $p = ($ENV{TEST_NGINX_CERTS} // '') . "/$f";
    die "$p not found: run t/ through scripts/run-t.sh\n" unless -s $p;
}

my $dir = tempdir('ticketing-keys-t-XXXXXX', TMPDIR => 1, CLEANUP => 1);
$ENV{TEST_NGINX_KEYS} = $dir;

sub slurp {
    open my $fh, '<', $_[0] or die "$_[0]: $!";
    local $/;
    my $s = <$fh>;
    close $fh;
    return $s;
}

sub spew {
    open my $fh, '>', "$dir/$_[0]" or die "$dir/$_[0]: $!";
    print $fh $_[1];
    close $fh;
}

# "JWKS members" added to the key of one kid in t/data/jwks.json
sub jwks_with {
    my ($kid, $members, $extra) = @_;
    my $j = slurp('t/data/jwks.json');
    $j =~ s/("kid": "\Q$kid\E",)/$1 $members,/ or die "no kid $kid";
    $j =~ s/\[\n/[\n  $extra,\n/ if defined $extra;
    return $j;
}

# HMAC secrets of 32, 48 and 64 bytes (the hash sizes of HS256/384/512)
spew('h32.key', ('s' x 32) . "\n");
spew('h48.key', ('t' x 48) . "\n");
spew('h64.key', ('u' x 64) . "\n");

# a 32-byte "oct" key, base64url
my $k32 = TicketingAuth::b64url('k' x 32);
my $k64 = TicketingAuth::b64url('m' x 64);

spew('ops.json', jwks_with('rsa-2026', '"key_ops": ["encrypt"]'));
my $ops = jwks_with('rsa-2026', '"key_ops": ["verify"]');
$ops =~ s/("kid": "ec-2026",)/$1 "key_ops": ["sign", "verify"],/;
spew('ops-verify.json', $ops);
spew('ops-bad.json', jwks_with('rsa-2026', '"key_ops": "verify"'));
spew('private-rsa.json', jwks_with('rsa-2026', '"d": "AQAB"'));
spew('private-ec.json', jwks_with('ec-2026', '"d": "AQAB"'));
spew('private-p.json', jwks_with('rsa-2026', '"p": "AQAB", "q": "AQAB"'));
spew('mixed.json', jwks_with('rsa-2026', '"x-note": "public"',
                             qq({"kty": "oct", "kid": "oct-64", "k": "$k64"})));
spew('oct-short-alg.json',
     qq({"keys": [{"kty": "oct", "kid": "o", "alg": "HS512", "k": "$k32"}]}));
spew('oct-only.json',
     qq({"keys": [{"kty": "oct", "kid": "o32", "k": "$k32"},
                  {"kty": "oct", "kid": "o64", "k": "$k64"}]}));
spew('private-and-public.pem',
     slurp('t/data/rs256.key') . slurp('t/data/rs256.pub'));
spew('public-then-private.pem',
     slurp('t/data/es256.pub') . slurp('t/data/es256.key'));

# a secret marked for another use than verification, next to public keys
spew('mixed-enc.json', jwks_with('rsa-2026', '"x-note": "public"',
     qq({"kty": "oct", "kid": "oct-enc", "use": "enc", "k": "$k64"})));

# published keys given as HMAC secrets
spew('jwk-one.json', qq(  {"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8v"}\n));
spew('ssh.pub', "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ops\n");

# the same published keys in other clothes
spew('jwks-bom.json', "\xef\xbb\xbf" . slurp('t/data/jwks.json'));
{
    require MIME::Base64;
    my $pem = slurp('t/data/rs256.pub');
    spew('pem-b64.txt', MIME::Base64::encode_base64($pem));
    (my $body = $pem) =~ s/-----[^\n]*-----\n?//g;
    spew('pem-body.txt', $body);
}

# the "oct" keys as files, for minting
spew('k32.key', 'k' x 32);
spew('k64.key', 'm' x 64);

sub main::auth { return TicketingAuth::bearer(@_) }
sub main::hs {
    my ($file, $alg, @more) = @_;
    return main::auth('--key', "$dir/$file", '--alg', $alg, @more);
}

our $unauthorized = '^\{"code":"0003","status":"UNAUTHORIZED","message":"Unauthorized","detailMsg":"%s"\}$';
sub main::u401 { return sprintf $unauthorized, $_[0] }

add_block_preprocessor(sub {
    my $block = shift;

    return if defined $block->must_die;

    # the mock API wants a provider on every request
    my $mh = $block->more_headers;
    if (ref $mh eq 'ARRAY') {
        $block->set_value("more_headers",
                          [ map { "ticketing-provider: JAM\n$_" } @$mh ]);
    } else {
        $block->set_value("more_headers", "ticketing-provider: JAM"
                                          . (defined $mh ? "\n$mh" : ""));
    }
});

run_tests();

__DATA__

=== TEST 1: key_ops without "verify": the key never verifies; with it, it does
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/ops.json;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/ticket/metadata/types {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/ops-verify.json;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType",
 "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types"]
--- more_headers eval
[main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026'),
 main::auth('--key', 't/data/jwks-ec.key', '--alg', 'ES384', '--kid', 'ec-2026'),
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026'),
 main::auth('--key', 't/data/jwks-ec.key', '--alg', 'ES384', '--kid', 'ec-2026')]
--- error_code eval
[401, 200, 200, 200]
--- response_body_like eval
[main::u401('token key id \(kid\) is unknown'), '\[', '\[', '\[']
--- no_error_log
[error]



=== TEST 2: key_ops that is not an array of strings fails nginx -t
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/ops-bad.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*ops-bad\.json" in "ticketing_jwt_key_file" directive: a key's "key_ops" is not an array of strings/



=== TEST 3: an HMAC secret verifies only the HS algorithms it is long enough for
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/h32.key;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/ticket/metadata/types {
        ticketing_gateway on;
        ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/h48.key;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/orgs/ {
        ticketing_gateway on;
        ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/h64.key;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType", "GET /v2/issueLinkType",
 "GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types", "GET /v2/orgs/yoigo/ticket/INST-7902"]
--- more_headers eval
[main::hs('h32.key', 'HS256'), main::hs('h32.key', 'HS384'),
 main::hs('h32.key', 'HS512'),
 main::hs('h48.key', 'HS256'), main::hs('h48.key', 'HS384'),
 main::hs('h48.key', 'HS512'),
 main::hs('h64.key', 'HS512')]
--- error_code eval
[200, 401, 401, 200, 200, 401, 200]
--- response_body_like eval
['\[', main::u401('token algorithm does not fit the key'),
 main::u401('token algorithm does not fit the key'),
 '\[', '\[', main::u401('token algorithm does not fit the key'), '"key"']
--- no_error_log
[error]



=== TEST 4: an "oct" JWK whose "alg" needs a longer secret fails nginx -t
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/oct-short-alg.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*oct-short-alg\.json" in "ticketing_jwt_key_file" directive: an "oct" key is shorter than 64 bytes, too short for its "alg" HS512/



=== TEST 5: "oct" keys of a set: each verifies what its length allows
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/oct-only.json;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 3]
--- more_headers eval
[main::hs('k32.key', 'HS256', '--kid', 'o32'),
 main::hs('k32.key', 'HS512', '--kid', 'o32'),
 main::hs('k64.key', 'HS512', '--kid', 'o64')]
--- error_code eval
[200, 401, 200]
--- response_body_like eval
['\[', main::u401('token algorithm does not fit the key'), '\[']
--- no_error_log
[error]



=== TEST 6: a key set holding an RSA private key fails nginx -t, naming the file
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/private-rsa.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*private-rsa\.json" in "ticketing_jwt_key_file" directive: a key holds private key material \("d"\)/



=== TEST 7: a key set holding an EC private key fails nginx -t
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/private-ec.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*private-ec\.json" in "ticketing_jwt_key_file" directive: a key holds private key material \("d"\)/



=== TEST 8: RSA prime factors in a key set fail nginx -t
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/private-p.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*private-p\.json" in "ticketing_jwt_key_file" directive: a key holds private key material \("p"\)/



=== TEST 9: a set mixing "oct" secrets with public keys fails nginx -t
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/mixed.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*mixed\.json" in "ticketing_jwt_key_file" directive: the set mixes "oct" secrets with public keys \(allow it with "mixed_oct"\)/



=== TEST 10: ... unless the configuration asks for it with "mixed_oct"
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/mixed.json mixed_oct;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 2]
--- more_headers eval
[main::hs('k64.key', 'HS512', '--kid', 'oct-64'),
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026')]
--- error_code eval
[200, 200]
--- no_error_log
[error]



=== TEST 11: "mixed_oct" belongs to jwks files only
--- config
    location /a { ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub mixed_oct; }
--- must_die
--- error_log
invalid parameter "mixed_oct" in "ticketing_jwt_key_file" directive



=== TEST 12: a PEM file holding a private key (alone) fails nginx -t
--- config
    location /a { ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.key; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*rs256\.key" in "ticketing_jwt_key_file" directive: the PEM file holds a private key/



=== TEST 13: a PEM file holding a private key next to the public key fails nginx -t
--- config
    location /a { ticketing_jwt_key_file pem $TEST_NGINX_KEYS/private-and-public.pem; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*private-and-public\.pem" in "ticketing_jwt_key_file" directive: the PEM file holds a private key/



=== TEST 14: ... in either order
--- config
    location /a { ticketing_jwt_key_file pem $TEST_NGINX_KEYS/public-then-private.pem; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*public-then-private\.pem" in "ticketing_jwt_key_file" directive: the PEM file holds a private key/



=== TEST 15: an RSA public key with the ROCA fingerprint (PEM) fails nginx -t
--- config
    location /a { ticketing_jwt_key_file pem $TEST_NGINX_CERTS/roca.pub; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*roca\.pub" in "ticketing_jwt_key_file" directive: the RSA key has the ROCA fingerprint/



=== TEST 16: an RSA JWK with the ROCA fingerprint fails nginx -t
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_CERTS/roca-jwks.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*roca-jwks\.json" in "ticketing_jwt_key_file" directive: the RSA key has the ROCA fingerprint/



=== TEST 17: an "hmac" key file holding a PEM document fails nginx -t (a public key is no secret)
--- config
    location /a { ticketing_jwt_key_file hmac $TEST_NGINX_DATA/rs256.pub; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*rs256\.pub" in "ticketing_jwt_key_file" directive: the HMAC secret is a PEM document, not a secret/



=== TEST 18: ticketing_jwt_max_lifetime: exp too far from iat, or from now, is refused
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_max_lifetime 1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 5]
--- more_headers eval
my @rs = ('--key', 't/data/rs256.key', '--alg', 'RS256');
[main::auth(@rs, '--ttl', '3600'),
 main::auth(@rs, '--ttl', '7200'),
 main::auth(@rs, '--ttl', '7200', '--claims', '{"iat":null}'),
 main::auth(@rs, '--claims', '{"exp":1e300}'),
 main::auth(@rs, '--claims', '{"iat":-1e300,"exp":' . (time + 600) . '}')]
--- error_code eval
[200, 401, 401, 401, 401]
--- response_body_like eval
['\[', main::u401('token lifetime \(exp - iat\) is longer than allowed'),
 main::u401('token expires too far in the future \(exp\)'),
 main::u401('token lifetime \(exp - iat\) is longer than allowed'),
 main::u401('token lifetime \(exp - iat\) is longer than allowed')]
--- no_error_log
[error]



=== TEST 19: with a maximum lifetime, a token without exp is refused even with ticketing_jwt_require_exp off
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_require_exp off;
        ticketing_jwt_max_lifetime 1h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/ticket/metadata/types {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_require_exp off;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/ticket/metadata/types"]
--- more_headers eval
my @rs = ('--key', 't/data/rs256.key', '--alg', 'RS256');
[main::auth(@rs, '--claims', '{"exp":null}'),
 main::auth(@rs, '--claims', '{"exp":null}')]
--- error_code eval
[401, 200]
--- response_body_like eval
[main::u401('token has no \\\\"exp\\\\" claim'), '\[']
--- no_error_log
[error]



=== TEST 20: absurd numeric claims are refused or ignored without undefined behaviour
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_max_lifetime 24h;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 8]
--- more_headers eval
my @rs = ('--key', 't/data/rs256.key', '--alg', 'RS256');
[main::auth(@rs, '--claims', '{"exp":-1e300}'),
 main::auth(@rs, '--claims', '{"exp":NaN}'),
 main::auth(@rs, '--claims', '{"iat":-Infinity}'),
 main::auth(@rs, '--claims', '{"exp":1.7976931348623157e308,"iat":-1.7976931348623157e308}'),
 main::auth(@rs, '--claims', '{"iat":1e300}'),
 main::auth(@rs, '--claims', '{"nbf":-1e300}'),
 main::auth(@rs, '--claims', '{"exp":123456789012345678901234567890}'),
 main::auth(@rs, '--claims', '{"exp":"tomorrow"}')]
--- error_code eval
[401, 401, 401, 401, 401, 200, 401, 401]
--- response_body_like eval
[main::u401('token has expired'),
 main::u401('malformed token payload: not base64url JSON object'),
 main::u401('malformed token payload: not base64url JSON object'),
 main::u401('token lifetime \(exp - iat\) is longer than allowed'),
 main::u401('token was issued in the future \(iat\)'),
 '\[',
 main::u401('malformed token payload: not base64url JSON object'),
 main::u401('claim \\\\"exp\\\\" is not a number')]
--- no_error_log
[error]



=== TEST 21: ticketing_jwt_max_lifetime takes a time or off
--- config
    location /a { ticketing_jwt_max_lifetime forever; }
--- must_die
--- error_log
"ticketing_jwt_max_lifetime" directive invalid value



=== TEST 22: extreme integer claims reach headers and variables without undefined behaviour
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_auth_header X-Ticketing-Subject sub;
        add_header X-Sub "[$ticketing_subject]" always;
        add_header X-Claim-N "[$ticketing_claim_n]" always;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 3]
--- more_headers eval
my @rs = ('--key', 't/data/rs256.key', '--alg', 'RS256');
[main::auth(@rs, '--claims', '{"sub":-9223372036854775808,"n":9223372036854775807}'),
 main::auth(@rs, '--claims', '{"sub":9223372036854775807,"n":-9223372036854775808}'),
 main::auth(@rs, '--claims', '{"sub":-1,"n":1e300}')]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["X-Sub: [-9223372036854775808]\nX-Claim-N: [9223372036854775807]",
 "X-Sub: [9223372036854775807]\nX-Claim-N: [-9223372036854775808]",
 "X-Sub: [-1]\nX-Claim-N: []"]
--- no_error_log
[error]



=== TEST 23: a public key set given as an HMAC secret fails nginx -t (anyone could sign with it)
--- config
    location /a { ticketing_jwt_key_file hmac $TEST_NGINX_DATA/jwks.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*jwks\.json" in "ticketing_jwt_key_file" directive: the HMAC secret is a JSON document \(a key set is "jwks"\), not a secret/



=== TEST 24: a single JWK given as an HMAC secret fails nginx -t
--- config
    location /a { ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/jwk-one.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*jwk-one\.json" in "ticketing_jwt_key_file" directive: the HMAC secret is a JSON document/



=== TEST 25: an SSH public key given as an HMAC secret fails nginx -t
--- config
    location /a { ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/ssh.pub; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*ssh\.pub" in "ticketing_jwt_key_file" directive: the HMAC secret is a published key, not a secret/



=== TEST 26: a secret marked "use": "enc" next to public keys still makes a mixed set
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_KEYS/mixed-enc.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*mixed-enc\.json" in "ticketing_jwt_key_file" directive: the set mixes "oct" secrets with public keys/



=== TEST 27: a key set behind a byte order mark is still a key set, no HMAC secret
--- config
    location /a { ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/jwks-bom.json; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*jwks-bom\.json" in "ticketing_jwt_key_file" directive: the HMAC secret is a JSON document/



=== TEST 27b: a PEM public key in base64 is no HMAC secret
--- config
    location /b { ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/pem-b64.txt; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*pem-b64\.txt" in "ticketing_jwt_key_file" directive: the HMAC secret is a published key, not a secret/



=== TEST 27c: a PEM body without its armour (a DER key in base64) is no HMAC secret
--- config
    location /c { ticketing_jwt_key_file hmac $TEST_NGINX_KEYS/pem-body.txt; }
--- must_die
--- error_log eval
qr/invalid key file "[^"]*pem-body\.txt" in "ticketing_jwt_key_file" directive: the HMAC secret is a DER key, not a secret/
