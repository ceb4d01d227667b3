# Bearer JWT authentication: every supported algorithm and key source, and
# every way a token can be wrong. A refused request gets a 401 in the
# uniform error format with WWW-Authenticate, and the mock upstream sees
# nothing. Tokens are minted at test time (t/tools/mint_jwt.py) with the
# test-only keys in t/data.

use Test::Nginx::Socket 'no_plan';
use lib 't/tools';
use TicketingLog qw(add_log_request);
use TicketingAuth;

repeat_each(1);
no_shuffle();

# shorthands for the eval sections (they run in another package)
sub main::rs  { return ('--key', 't/data/rs256.key', '--alg', 'RS256', @_) }
sub main::auth { return TicketingAuth::bearer(@_) }
sub main::tok  { return TicketingAuth::mint(@_) }

our $unauthorized = '^\{"code":"0003","status":"UNAUTHORIZED","message":"Unauthorized","detailMsg":"%s"\}$';
sub main::u401 { return sprintf $unauthorized, $_[0] }

add_block_preprocessor(sub {
    my $block = shift;

    # the mock API wants a provider on every request
    my $mh = $block->more_headers;
    if (ref $mh eq 'ARRAY') {
        $block->set_value("more_headers", [ map { "ticketing-provider: JAM\n$_" } @$mh ]);
    } else {
        $block->set_value("more_headers", "ticketing-provider: JAM" . (defined $mh ? "\n$mh" : ""));
    }

    $block->set_value("http_config", <<'_EOC_') unless defined $block->http_config;
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
        keepalive 4;
    }
_EOC_

    $block->set_value("config", <<'_EOC_') unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem  $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_key_file pem  $TEST_NGINX_DATA/es256.pub;
        ticketing_jwt_key_file pem  $TEST_NGINX_DATA/ed25519.pub;
        ticketing_jwt_key_file hmac $TEST_NGINX_DATA/hs256.key;
        ticketing_jwt_key_file jwks $TEST_NGINX_DATA/jwks.json;
        add_header X-Sub "[$ticketing_subject]" always;
        add_header X-Auth "[$ticketing_auth]" always;
        add_header X-Claim-Iss "[$ticketing_claim_iss]" always;
        add_header X-Token-Cache "[$ticketing_token_cache]" always;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location /__mock/ {
        proxy_pass http://ticketing_api;
    }
_EOC_
    add_log_request($block);
});

run_tests();

__DATA__

=== TEST 1: a valid RS256 token: reaches the upstream with the subject, variables set
--- request eval
["GET /__mock/reset", "GET /v2/ticket/metadata/types", "GET /__mock/last"]
--- more_headers eval
["", main::auth(main::rs('--claims', '{"iss":"https://idp.example"}')), ""]
--- error_code eval
[200, 200, 200]
--- response_headers eval
["", "X-Sub: [alice]\nX-Auth: [jwt]\nX-Claim-Iss: [https://idp.example]", ""]
--- response_body_like eval
['"reset"', '\[', '"x-ticketing-subject":\s*"alice"']
--- no_error_log eval
["[error]", qr/\[info\].*ticketing auth:/]



=== TEST 2: every algorithm and key source verifies
--- request eval
[("GET /v2/issueLinkType") x 10]
--- more_headers eval
[
main::auth(main::rs()),
main::auth('--key', 't/data/rs256.key', '--alg', 'RS384'),
main::auth('--key', 't/data/rs256.key', '--alg', 'PS256'),
main::auth('--key', 't/data/es256.key', '--alg', 'ES256'),
main::auth('--key', 't/data/ed25519.key', '--alg', 'EdDSA'),
main::auth('--key', 't/data/hs256.key', '--alg', 'HS256'),
main::auth('--key', 't/data/hs256.key', '--alg', 'HS512'),
main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026'),
main::auth('--key', 't/data/jwks-ec.key', '--alg', 'ES384', '--kid', 'ec-2026'),
main::auth('--key', 't/data/es256.key', '--alg', 'ES256', '--kid', 'anything'),
]
--- error_code eval
[(200) x 10]
--- response_headers eval
[("X-Auth: [jwt]") x 10]
--- no_error_log eval
["[error]", qr/\[info\].*ticketing auth:/]



=== TEST 2b: tokens signed by another implementation (Crypt::JWT) verify; its token under a foreign key does not
--- request eval
[("GET /v2/issueLinkType") x 10]
--- more_headers eval
my $p = 'ticketing.issueLinkType.read';
[
TicketingAuth::crypt_jwt_bearer('HS256', 't/data/hs256.key', $p),
TicketingAuth::crypt_jwt_bearer('HS384', 't/data/hs256.key', $p),
TicketingAuth::crypt_jwt_bearer('RS256', 't/data/rs256.key', $p),
TicketingAuth::crypt_jwt_bearer('RS512', 't/data/rs256.key', $p),
TicketingAuth::crypt_jwt_bearer('PS256', 't/data/rs256.key', $p),
TicketingAuth::crypt_jwt_bearer('ES256', 't/data/es256.key', $p),
TicketingAuth::crypt_jwt_bearer('EdDSA', 't/data/ed25519.key', $p),
TicketingAuth::crypt_jwt_bearer('RS256', 't/data/jwks-rsa.key', $p, kid => 'rsa-2026'),
TicketingAuth::crypt_jwt_bearer('ES384', 't/data/jwks-ec.key', $p, kid => 'ec-2026'),
TicketingAuth::crypt_jwt_bearer('RS256', 't/data/rs256-other.key', $p),
]
--- error_code eval
[(200) x 9, 401]
--- response_headers eval
[("X-Sub: [carol]") x 9, "X-Sub: []"]
--- response_body_like eval
[('"name": "Blocks"') x 9, main::u401('token signature is invalid')]
--- no_error_log
[error]



=== TEST 3: no Authorization header: 401, WWW-Authenticate, uniform body, upstream untouched
--- request eval
["GET /__mock/reset", "GET /v2/orgs/yoigo/ticket/INST-7902", "GET /__mock/count"]
--- error_code eval
[200, 401, 200]
--- response_headers eval
["", "WWW-Authenticate: Bearer realm=\"ticketing\"\nContent-Type: application/json\nX-Sub: []", ""]
--- response_body_like eval
['"reset"', main::u401('no credentials'), '"count":\s*0\b']
--- block_error_log
ticketing auth: no credentials
--- no_error_log
[error]



=== TEST 4: another scheme (Basic) is not a credential here
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/count"]
--- more_headers eval
["", "Authorization: Basic YWxpY2U6c2VjcmV0", ""]
--- error_code eval
[200, 401, 200]
--- response_headers eval
["", "WWW-Authenticate: Bearer realm=\"ticketing\"", ""]
--- response_body_like eval
['"reset"', main::u401('Authorization scheme is not Bearer'), '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 5: the Bearer scheme is case-insensitive, extra spaces are tolerated
--- request eval
[("GET /v2/issueLinkType") x 3]
--- more_headers eval
[
"Authorization: bearer " . main::tok(main::rs()),
"Authorization: BEARER " . main::tok(main::rs()),
"Authorization: Bearer    " . main::tok(main::rs()),
]
--- error_code eval
[200, 200, 200]
--- no_error_log
[error]



=== TEST 6: two Authorization headers: refused (by nginx itself), upstream untouched
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/count"]
--- more_headers eval
["", main::auth(main::rs()) . "\n" . main::auth(main::rs()), ""]
--- error_code eval
[200, 400, 200]
--- response_body_like eval
['"reset"', '', '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 7: a token in the query string is ignored
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType?access_token=" . main::tok(main::rs()), "GET /__mock/count"]
--- error_code eval
[200, 401, 200]
--- response_body_like eval
['"reset"', main::u401('no credentials'), '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 8: alg "none", without and with a signature
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /v2/issueLinkType", "GET /__mock/count"]
--- more_headers eval
["",
main::auth('--alg', 'none'),
main::auth('--alg', 'none', '--sig', 'c2lnbmF0dXJl'),
""]
--- error_code eval
[200, 401, 401, 200]
--- response_headers eval
["", "WWW-Authenticate: Bearer realm=\"ticketing\", error=\"invalid_token\"", "WWW-Authenticate: Bearer realm=\"ticketing\", error=\"invalid_token\"", ""]
--- response_body_like eval
['"reset"', main::u401('token has an empty signature'), main::u401('token algorithm is not supported'), '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 9: algorithm confusion: HS256 MACed with the RSA public key PEM
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
[main::auth('--key', 't/data/rs256.pub', '--alg', 'HS256'), main::auth(main::rs())]
--- error_code eval
[401, 200]
--- response_body_like eval
[main::u401('token algorithm does not fit the key'), '\[']
--- block_error_log
ticketing auth: token algorithm does not fit the key
--- no_error_log
[error]



=== TEST 10: algorithm confusion with an HMAC key also configured: still refused
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/count"]
--- more_headers eval
["", main::auth('--key', 't/data/rs256.pub', '--alg', 'HS256'), ""]
--- error_code eval
[200, 401, 200]
--- response_body_like eval
['"reset"', main::u401('token signature is invalid'), '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 11: an algorithm not allowed in the location
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/es256.pub;
        ticketing_jwt_algorithms ES256;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
[main::auth(main::rs()), main::auth('--key', 't/data/es256.key', '--alg', 'ES256')]
--- error_code eval
[401, 200]
--- response_body_like eval
[main::u401('token algorithm is not allowed here'), '\[']
--- no_error_log
[error]



=== TEST 12: the JWK's "alg" is enforced: PS256 with an RS256-only JWK
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_DATA/jwks.json;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
[main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'PS256', '--kid', 'rsa-2026'),
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026')]
--- error_code eval
[401, 200]
--- response_body_like eval
[main::u401('token algorithm does not fit the key'), '\[']
--- no_error_log
[error]



=== TEST 13: unknown kid; a JWKS key with "use":"enc" is not a signature key; OKP keys
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_DATA/jwks.json;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType", "GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
[main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'nope'),
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'enc-key'),
 main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256'),
 main::auth('--key', 't/data/ed25519.key', '--alg', 'EdDSA', '--kid', 'ed-2026')]
--- error_code eval
[401, 401, 200, 200]
--- response_body_like eval
[main::u401('token key id \(kid\) is unknown'), main::u401('token key id \(kid\) is unknown'), '\[', '\[']
--- no_error_log
[error]



=== TEST 14: JWKS key rotation: a reload with the new set retires the old kid
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file jwks $TEST_NGINX_DATA/jwks-rotated.json;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
[main::auth('--key', 't/data/jwks-rsa.key', '--alg', 'RS256', '--kid', 'rsa-2026'),
 main::auth('--key', 't/data/jwks-rsa2.key', '--alg', 'RS256', '--kid', 'rsa-2027'),
 main::auth('--key', 't/data/jwks-ec.key', '--alg', 'ES384', '--kid', 'ec-2026')]
--- error_code eval
[401, 200, 200]
--- response_body_like eval
[main::u401('token key id \(kid\) is unknown'), '\[', '\[']
--- no_error_log
[error]



=== TEST 15: empty signature, tampered payload, tampered header, foreign key
--- request eval
["GET /__mock/reset", ("GET /v2/issueLinkType") x 4, "GET /__mock/count"]
--- more_headers eval
["",
"Authorization: Bearer " . (main::tok(main::rs()) =~ s/[^.]+$//r),
main::auth(main::rs('--tamper', 'payload')),
main::auth(main::rs('--tamper', 'header')),
main::auth('--key', 't/data/rs256-other.key', '--alg', 'RS256'),
""]
--- error_code eval
[200, 401, 401, 401, 401, 200]
--- response_body_like eval
['"reset"',
main::u401('token has an empty signature'),
main::u401('token signature is invalid'),
main::u401('token signature is invalid'),
main::u401('token signature is invalid'),
'"count":\s*0\b']
--- no_error_log
[error]



=== TEST 16: time claims: expired, not yet valid, issued in the future; the leeway
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        # wide enough that a slow run (valgrind) between minting the tokens
        # (when this file is read) and sending them changes nothing
        ticketing_jwt_leeway 10m;
        proxy_pass http://ticketing_api;
    }
--- request eval
[("GET /v2/issueLinkType") x 5]
--- more_headers eval
[
main::auth(main::rs('--ttl', '-3600')),
main::auth(main::rs('--claims', '{"nbf": ' . (time + 3600) . '}')),
main::auth(main::rs('--claims', '{"iat": ' . (time + 3600) . '}')),
main::auth(main::rs('--ttl', '-60')),
main::auth(main::rs('--claims', '{"exp": "tomorrow"}')),
]
--- error_code eval
[401, 401, 401, 200, 401]
--- response_body_like eval
[
main::u401('token has expired'),
main::u401('token is not valid yet \(nbf\)'),
main::u401('token was issued in the future \(iat\)'),
'\[',
main::u401('claim \\\\"exp\\\\" is not a number'),
]
--- no_error_log
[error]



=== TEST 17: exp is required by default; ticketing_jwt_require_exp off; leeway 0
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_require_exp off;
        ticketing_jwt_leeway 0;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
[main::auth(main::rs('--claims', '{"exp": null}')),
 main::auth(main::rs('--claims', '{"exp": null}')),
 main::auth(main::rs('--ttl', '-10'))]
--- error_code eval
[401, 200, 401]
--- response_body_like eval
[main::u401('token has no \\\\"exp\\\\" claim'), '\[', main::u401('token has expired')]
--- no_error_log
[error]



=== TEST 18: issuer and audience allow-lists
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_issuer https://idp.example https://idp2.example;
        ticketing_jwt_audience ticketing;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 6]
--- more_headers eval
[
main::auth(main::rs('--claims', '{"iss":"https://idp.example","aud":"ticketing"}')),
main::auth(main::rs('--claims', '{"iss":"https://idp2.example","aud":["other","ticketing"]}')),
main::auth(main::rs('--claims', '{"iss":"https://evil.example","aud":"ticketing"}')),
main::auth(main::rs('--claims', '{"iss":"https://idp.example","aud":"other"}')),
main::auth(main::rs('--claims', '{"aud":"ticketing"}')),
main::auth(main::rs('--claims', '{"iss":"https://idp.example","aud":["a","b"]}')),
]
--- error_code eval
[200, 200, 401, 401, 401, 401]
--- response_body_like eval
['\[', '\[',
main::u401('token issuer \(iss\) is not accepted'),
main::u401('token audience \(aud\) is not accepted'),
main::u401('token issuer \(iss\) is not accepted'),
main::u401('token audience \(aud\) is not accepted')]
--- no_error_log
[error]



=== TEST 19: an oversized token is refused before decoding; a 64 KB one by nginx itself
--- config
    large_client_header_buffers 4 96k;
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        ticketing_jwt_max_size 2k;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 3]
--- more_headers eval
[
main::auth(main::rs('--claims', '{"pad":"' . ('x' x 2100) . '"}')),
"Authorization: Bearer " . ('A' x 65536),
main::auth(main::rs()),
]
--- error_code eval
[401, 401, 200]
--- response_body_like eval
[main::u401('token is too large'), main::u401('token is too large'), '\[']
--- no_error_log
[error]



=== TEST 20: a 64 KB Authorization header with default buffers: nginx refuses it
--- request eval
["GET /__mock/reset", "GET /v2/issueLinkType", "GET /__mock/count"]
--- more_headers eval
["", "Authorization: Bearer " . ('A' x 65536), ""]
--- error_code eval
[200, 400, 200]
--- response_body_like eval
['"reset"', '', '"count":\s*0\b']
--- no_error_log
[error]



=== TEST 21: malformed tokens of every kind
--- request eval
["GET /__mock/reset", ("GET /v2/issueLinkType") x 13, "GET /__mock/count"]
--- more_headers eval
["",
"Authorization: Bearer ",
"Authorization: Bearer abc",
"Authorization: Bearer a.b",
"Authorization: Bearer a.b.c.d",
"Authorization: Bearer ..",
"Authorization: Bearer !!!!.eyJ9.c2ln",
"Authorization: Bearer " . TicketingAuth::b64url('hello') . ".e30.c2ln",
"Authorization: Bearer " . TicketingAuth::b64url('[1,2]') . ".e30.c2ln",
"Authorization: Bearer " . TicketingAuth::b64url('{"alg":"HS256"') . ".e30.c2ln",
"Authorization: Bearer " . TicketingAuth::hs256_raw('{"alg":"HS256"}', 'not json'),
"Authorization: Bearer " . TicketingAuth::hs256_raw('{"alg":"HS256"}', '"a string"'),
"Authorization: Bearer " . TicketingAuth::hs256_raw('{"alg":"HS256"}', '{"sub":"a","sub":"b","exp":9999999999}'),
"Authorization: Bearer " . (main::tok(main::rs()) =~ s/\.([^.]+)$/.*$1/r),
""]
--- error_code eval
[200, (401) x 13, 200]
--- response_body_like eval
['"reset"',
main::u401('empty token'),
main::u401('malformed token: not three dot-separated parts'),
main::u401('malformed token: not three dot-separated parts'),
main::u401('malformed token: not three dot-separated parts'),
main::u401('token has an empty signature'),
main::u401('malformed token header: not base64url JSON object'),
main::u401('malformed token header: not base64url JSON object'),
main::u401('malformed token header: not base64url JSON object'),
main::u401('malformed token header: not base64url JSON object'),
main::u401('malformed token payload: not base64url JSON object'),
main::u401('malformed token payload: not base64url JSON object'),
main::u401('malformed token payload: not base64url JSON object'),
main::u401('malformed token signature'),
'"count":\s*0\b']
--- no_error_log
[error]



=== TEST 22: routing comes first: an unknown path without a token is a 404, not a 401
--- request
GET /v2/no/such/operation
--- error_code: 404
--- response_body_like: "code":"0004"
--- no_error_log
ticketing auth:
[error]



=== TEST 23: the module never logs the token (nginx's own debug log shows headers)
--- log_level: info
--- request eval
["GET /v2/issueLinkType", "GET /v2/issueLinkType"]
--- more_headers eval
["Authorization: Bearer " . ($main::T23 = main::tok(main::rs('--ttl', '-100'))),
 "Authorization: Bearer " . ($main::T23b = main::tok(main::rs()))]
--- error_code eval
[401, 200]
--- block_error_log
ticketing auth: token has expired
--- no_error_log eval
[(split /\./, $main::T23)[2], (split /\./, $main::T23b)[2], (split /\./, $main::T23)[1], "[error]"]



=== TEST 24: ticketing_auth off: no token needed (the "gateway on, auth off" setup)
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_auth off;
        add_header X-Auth "[$ticketing_auth]" always;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request
GET /v2/issueLinkType
--- error_code: 200
--- response_headers
X-Auth: []
--- no_error_log
[error]



=== TEST 25: a gateway location with no key at all fails nginx -t (it would refuse every token)
--- config
    location /v2/ {
        ticketing_gateway on;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- must_die
--- error_log
"ticketing_gateway" is on in location "/v2/" with "ticketing_auth on" but none of "ticketing_jwt_key_file", "ticketing_jwks_url" and "ticketing_auth_mtls" is configured for it



=== TEST 26: configuration errors name the directive
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file rsa $TEST_NGINX_DATA/rs256.pub;
    }
--- must_die
--- error_log
invalid key type "rsa" in "ticketing_jwt_key_file" directive



=== TEST 27: a private key is not a public key
--- config
    location /a { ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.key; }
--- must_die
--- error_log
the PEM file holds a private key



=== TEST 28: a short HMAC secret
--- config
    location /a { ticketing_jwt_key_file hmac $TEST_NGINX_DATA/short.key; }
--- must_die
--- error_log
HMAC secret is shorter than 32 bytes



=== TEST 29: a missing key file
--- config
    location /a { ticketing_jwt_key_file pem $TEST_NGINX_DATA/no-such.pub; }
--- must_die
--- error_log
no-such.pub" failed



=== TEST 30: a JWKS that is not one
--- config
    location /a { ticketing_jwt_key_file jwks $TEST_NGINX_DATA/rs256.pub; }
--- must_die
--- error_log
invalid JSON



=== TEST 31: an unknown algorithm name
--- config
    location /a { ticketing_jwt_algorithms RS256 none; }
--- must_die
--- error_log
invalid algorithm "none" in "ticketing_jwt_algorithms" directive



=== TEST 32: the verified-token cache: a repeated token is not verified again
--- request eval
[("GET /v2/issueLinkType") x 3]
--- more_headers eval
[($main::T32 = main::auth(main::rs())), $main::T32, main::auth(main::rs('--tamper', 'payload'))]
--- error_code eval
[200, 200, 401]
--- response_headers eval
["X-Token-Cache: [MISS]", "X-Token-Cache: [HIT]", "X-Token-Cache: [MISS]"]
--- block_error_log
ticketing auth: token found in the cache
--- no_error_log
[error]



=== TEST 32b: a token whose claims hold more than 128 JSON values is verified every time, never cached
--- request eval
[("GET /v2/issueLinkType") x 2]
--- more_headers eval
[($main::T32b = main::auth(main::rs('--claims', '{"big":[' . CORE::join(',', (0) x 200) . ']}'))), $main::T32b]
--- error_code eval
[200, 200]
--- response_headers eval
[("X-Token-Cache: [MISS]") x 2]
--- no_error_log
token found in the cache
[error]



=== TEST 33: a token cached for one location is not trusted by another with other keys
--- config
    location /v2/ {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/rs256.pub;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
    location /v2/issueLinkType {
        ticketing_gateway on;
        ticketing_jwt_key_file pem $TEST_NGINX_DATA/es256.pub;
        proxy_pass http://127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
["GET /v2/ticket/metadata/types", "GET /v2/ticket/metadata/types", "GET /v2/issueLinkType"]
--- more_headers eval
[($main::T33 = main::auth(main::rs())), $main::T33, $main::T33]
--- error_code eval
[200, 200, 401]
--- response_body_like eval
['\[', '\[', main::u401('token algorithm does not fit the key')]
--- no_error_log
[error]



=== TEST 34: ticketing_jwt_cache off: every request is verified
--- http_config
    ticketing_jwt_cache off;
    upstream ticketing_api {
        server 127.0.0.1:$TEST_NGINX_UPSTREAM_PORT;
    }
--- request eval
[("GET /v2/issueLinkType") x 2]
--- more_headers eval
[($main::T34 = main::auth(main::rs())), $main::T34]
--- error_code eval
[200, 200]
--- response_headers eval
[("X-Token-Cache: []") x 2]
--- no_error_log
token found in the cache
[error]



=== TEST 35: ticketing_jwt_cache takes a number of entries or off
--- http_config
    ticketing_jwt_cache lots;
--- must_die
--- error_log
invalid value "lots" in "ticketing_jwt_cache" directive
