# Metrics (ticketing_metrics_zone, ticketing_metrics) and the log
# variables: counters of requests by operation and status class, auth
# failures by reason, refusals by step, cache statuses with the real Redis,
# Redis errors and the circuit gauge, rewritten upstream errors; the
# variables in a custom access log and in the JSON format of
# conf.d/logging.conf; refusals logged at info without the token.
#
# nginx starts afresh for every block, with a new zone: the counts below
# are exact.  Sections of this file's own:
#   gw_config    more directives in the gateway location
#   zone         "off": no ticketing_metrics_zone
#   redis        "closed" (a port nobody listens on), "frozen" (accepts,
#                never answers) or "real" (the test's redis-server); adds
#                ticketing_redis and ticketing_cache on

use Test::Nginx::Socket 'no_plan';
use Cwd qw(abs_path);
use IO::Socket::INET;
use lib 't/tools';
use TicketingLog qw(add_log_request);
use TicketingAuth;

repeat_each(1);
no_shuffle();

$ENV{TEST_NGINX_CONFD} = abs_path('conf.d');

sub main::rs   { return ('--key', 't/data/rs256.key', '--alg', 'RS256', @_) }
sub main::auth { return TicketingAuth::bearer(main::rs(@_)) }

# a token with a broken signature, made once: the logs must not show it
our $BadToken = TicketingAuth::mint(main::rs('--tamper', 'payload'));
$BadToken =~ s/\s+\z//;

my $BlockNo = 0;

our @Keep;          # sockets that stay open while the blocks run

# a "Redis" that accepts connections (the kernel does) and never answers
sub frozen_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 128)
        or die "cannot bind: $!\n";
    push @Keep, $s;
    return $s->sockport;
}

sub closed_port {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Proto => 'tcp', Listen => 1)
        or die "cannot bind: $!\n";
    my $port = $s->sockport;
    close $s;
    return $port;
}

add_block_preprocessor(sub {
    my $block = shift;

    $BlockNo++;

    # the mock API wants a provider on every request
    my $mh = $block->more_headers;
    if (ref $mh eq 'ARRAY') {
        $block->set_value("more_headers",
                          [ map { "ticketing-provider: JAM\n$_" } @$mh ]);
    } else {
        $block->set_value("more_headers", "ticketing-provider: JAM"
                                          . (defined $mh ? "\n$mh" : ""));
    }

    my $redis = '';
    my $want = $block->redis;
    if (defined $want) {
        $want =~ s/^\s+|\s+$//g;
        my $addr = $want eq 'closed' ? "127.0.0.1:" . closed_port()
                 : $want eq 'frozen' ? "127.0.0.1:" . frozen_port()
                 : "127.0.0.1:$ENV{TEST_NGINX_REDIS_PORT}";
        my $prefix = "tm$$-" . time() . "-$BlockNo";
        $redis = "    ticketing_redis $addr prefix=$prefix max_fails=1"
                 . " fail_timeout=60s;\n";
    }

    my $extra = $block->gw_config // '';
    $extra .= "        ticketing_cache on;\n" if $redis;

    my $zone = ($block->zone // 'on') =~ /off/ ? ''
               : "    ticketing_metrics_zone ticketing;\n";

    $block->set_value("http_config", <<_EOC_ . $zone . $redis
    upstream ticketing_api {
        server 127.0.0.1:\$TEST_NGINX_UPSTREAM_PORT;
        keepalive 4;
    }
    ticketing_jwt_key_file pem \$TEST_NGINX_DATA/rs256.pub;
_EOC_
        . ($block->http_config // ''));

    $block->set_value("config", <<_EOC_) unless defined $block->config;
    location /v2/ {
        ticketing_gateway on;
$extra
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass http://ticketing_api;
    }
    location = /metrics {
        ticketing_metrics;
    }
    location = /__log {
        default_type text/plain;
        alias logs/gw.log;
    }
_EOC_
    add_log_request($block);
});

run_tests();

__DATA__

=== TEST 1: requests by operation and status class, refusals by step
--- http_config
    ticketing_auth off;
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/nowhere",
 "DELETE /v2/ticket/metadata/types",
 "GET /v2/orgs/yoigo/ticket/bad%2Fid",
 "GET /v2/ticket/metadata/types",
 "GET /v2/ticket/field/info",
 "GET /metrics"]
--- more_headers eval
["", "", "", "", "", "ticketing-provider: JCC", "", ""]
--- error_code eval
[200, 200, 404, 405, 400, 400, 400, 200]
--- response_headers eval
["", "", "", "", "", "", "", "Content-Type: text/plain; version=0.0.4"]
--- response_body_like eval
["", "", "", "", "", "", "",
 qr/^# HELP ticketing_requests_total .*
^# TYPE ticketing_requests_total counter
^ticketing_requests_total\{operation="none",class="1xx"\} 0
.*^ticketing_requests_total\{operation="none",class="4xx"\} 3
.*^ticketing_requests_total\{operation="ticket.get",class="2xx"\} 2
^ticketing_requests_total\{operation="ticket.get",class="3xx"\} 0
^ticketing_requests_total\{operation="ticket.get",class="4xx"\} 0
.*^ticketing_requests_total\{operation="metadata.types",class="4xx"\} 1
.*^ticketing_requests_total\{operation="metadata.fieldInfo",class="4xx"\} 1
.*^# TYPE ticketing_refusals_total counter
^ticketing_refusals_total\{step="route",status="400"\} 1
^ticketing_refusals_total\{step="route",status="404"\} 1
^ticketing_refusals_total\{step="route",status="405"\} 1
^ticketing_refusals_total\{step="provider",status="400"\} 1
^ticketing_refusals_total\{step="validate",status="400"\} 1
^# HELP ticketing_cache_requests_total /ms]
--- no_error_log
[error]



=== TEST 2: authentication failures by reason, authorization failures
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /metrics"]
--- more_headers eval
["",
 "Authorization: Bearer abc",
 "Authorization: Basic YTpi",
 "Authorization: Bearer $main::BadToken",
 main::auth('--ttl', '-3600'),
 main::auth('--claims', '{"realm_access":null}'),
 main::auth('--claims', '{"permissions":[]}'),
 ($main::Good = main::auth()),
 $main::Good,
 ""]
--- error_code eval
[401, 401, 401, 401, 401, 403, 403, 200, 200, 200]
--- response_body_like eval
["", "", "", "", "", "", "", "", "",
 qr/^ticketing_auth_failures_total\{reason="missing"\} 1
^ticketing_auth_failures_total\{reason="malformed"\} 2
^ticketing_auth_failures_total\{reason="too_large"\} 0
^ticketing_auth_failures_total\{reason="alg_not_allowed"\} 0
^ticketing_auth_failures_total\{reason="unknown_kid"\} 0
^ticketing_auth_failures_total\{reason="bad_signature"\} 1
^ticketing_auth_failures_total\{reason="expired"\} 1
^ticketing_auth_failures_total\{reason="not_yet_valid"\} 0
.*^# TYPE ticketing_authz_failures_total counter
^ticketing_authz_failures_total\{reason="role"\} 1
^ticketing_authz_failures_total\{reason="permission"\} 1
^ticketing_authz_failures_total\{reason="tenancy"\} 0
.*^ticketing_refusals_total\{step="auth",status="401"\} 5
^ticketing_refusals_total\{step="auth",status="403"\} 2
.*^# TYPE ticketing_jwt_cache_lookups_total counter
^ticketing_jwt_cache_lookups_total\{result="hit"\} 1
^ticketing_jwt_cache_lookups_total\{result="miss"\} 6
/ms]
--- no_error_log
[error]



=== TEST 3: cache MISS then HIT with the real Redis, one connect, no error
--- http_config
    ticketing_auth off;
    # no subject to key metadata.types by: shared
    ticketing_cache_scope metadata.types shared;
--- redis: real
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /metrics"]
--- response_headers eval
["X-Cache-Status: MISS", "X-Cache-Status: HIT", ""]
--- response_body_like eval
["", "",
 qr/^ticketing_requests_total\{operation="metadata.types",class="2xx"\} 2
.*^ticketing_cache_requests_total\{status="HIT"\} 1
^ticketing_cache_requests_total\{status="MISS"\} 1
^ticketing_cache_requests_total\{status="BYPASS"\} 0
^ticketing_cache_requests_total\{status="STALE"\} 0
.*^ticketing_redis_errors_total 0
.*^ticketing_redis_timeouts_total 0
.*^ticketing_redis_connects_total 1
.*^ticketing_redis_circuit_open 0
/ms]
--- no_error_log
[error]



=== TEST 4: Redis down: BYPASS, an error, the circuit of the worker open
--- http_config
    ticketing_auth off;
    # no subject to key metadata.types by: shared
    ticketing_cache_scope metadata.types shared;
--- redis: closed
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /v2/ticket/metadata/types",
 "GET /metrics"]
--- response_headers eval
["X-Cache-Status: BYPASS", "X-Cache-Status: BYPASS", ""]
--- response_body_like eval
["", "",
 qr/^ticketing_cache_requests_total\{status="HIT"\} 0
^ticketing_cache_requests_total\{status="MISS"\} 0
^ticketing_cache_requests_total\{status="BYPASS"\} 2
.*^ticketing_redis_errors_total 1
.*^ticketing_redis_connects_total 1
.*^# TYPE ticketing_redis_circuit_open gauge
^ticketing_redis_circuit_open 1
/ms]
--- no_error_log
[error]



=== TEST 4b: Redis frozen: the lookup times out, BYPASS, a timeout counted
--- http_config
    ticketing_auth off;
    # no subject to key metadata.types by: shared
    ticketing_cache_scope metadata.types shared;
--- redis: frozen
--- gw_config
        ticketing_cache_timeout 100ms;
--- request eval
["GET /v2/ticket/metadata/types",
 "GET /metrics"]
--- response_headers eval
["X-Cache-Status: BYPASS", ""]
--- response_body_like eval
["",
 qr/^ticketing_cache_requests_total\{status="BYPASS"\} 1
.*^ticketing_redis_errors_total 1
.*^ticketing_redis_timeouts_total 1
.*^ticketing_redis_circuit_open 1
/ms]
--- no_error_log
[error]



=== TEST 5: upstream errors rewritten, counted by class
--- http_config
    ticketing_auth off;
--- request eval
["GET /v2/orgs/yoigo/ticket/ERR-SPRING",
 "GET /v2/orgs/yoigo/ticket/ERR-JIRA",
 "GET /v2/orgs/yoigo/ticket/ERR-HTML502",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/nowhere",
 "GET /metrics"]
--- error_code eval
[500, 400, 502, 200, 404, 200]
--- response_body_like eval
["", "", "", "", "",
 qr/^ticketing_requests_total\{operation="ticket.get",class="2xx"\} 1
^ticketing_requests_total\{operation="ticket.get",class="3xx"\} 0
^ticketing_requests_total\{operation="ticket.get",class="4xx"\} 1
^ticketing_requests_total\{operation="ticket.get",class="5xx"\} 2
.*^# TYPE ticketing_errors_rewritten_total counter
^ticketing_errors_rewritten_total\{class="4xx"\} 1
^ticketing_errors_rewritten_total\{class="5xx"\} 2
$/ms]
--- no_error_log
[error]



=== TEST 6: "ticketing_metrics" without a zone fails nginx -t
--- zone: off
--- config
    location = /metrics {
        ticketing_metrics;
    }
--- must_die
--- error_log
"ticketing_metrics" needs a "ticketing_metrics_zone" directive at the http level



=== TEST 6b: a second "ticketing_metrics_zone" fails nginx -t
--- http_config
    ticketing_metrics_zone other;
--- must_die
--- error_log
"ticketing_metrics_zone" directive is duplicate



=== TEST 6c: the metrics location answers GET and HEAD, refuses POST
--- http_config
    ticketing_auth off;
--- request eval
["GET /v2/nowhere", "HEAD /metrics", "POST /metrics\nx=1", "GET /metrics"]
--- error_code eval
[404, 200, 405, 200]
--- response_headers eval
["", "Content-Type: text/plain; version=0.0.4", "", ""]
--- response_body_like eval
["", "^\$", "", qr/^ticketing_requests_total\{operation="none",class="4xx"\} 1$/m]
--- no_error_log
[error]



=== TEST 7: the log variables in an access log, in the log phase
--- http_config
    log_format tlog '$status|$ticketing_operation|$ticketing_org|$ticketing_provider|$ticketing_subject|$ticketing_auth|$ticketing_cache_status|$ticketing_error_code';
--- redis: real
--- gw_config
        access_log logs/gw.log tlog;
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/ERR-SPRING",
 "GET /v2/ticket/metadata/types",
 "GET /v2/nowhere",
 "GET /__log"]
--- more_headers eval
[main::auth(), "", main::auth(), main::auth(), main::auth(), ""]
--- error_code eval
[200, 401, 500, 200, 404, 200]
--- response_body_like eval
["", "", "", "", "",
"^200\\|ticket.get\\|yoigo\\|JAM\\|alice\\|jwt\\|-\\|-
401\\|ticket.get\\|yoigo\\|-\\|-\\|-\\|-\\|0003
500\\|ticket.get\\|yoigo\\|JAM\\|alice\\|jwt\\|-\\|0002
200\\|metadata.types\\|-\\|JAM\\|alice\\|jwt\\|MISS\\|-
404\\|-\\|-\\|-\\|-\\|-\\|-\\|0004
\$"]
--- no_error_log
[error]



=== TEST 8: the JSON log format of conf.d/logging.conf: one JSON object a line
--- http_config
    include $TEST_NGINX_CONFD/logging.conf;
--- gw_config
        access_log logs/gw.log ticketing_json;
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902?x=%22q%5C",
 "GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /__log"]
--- more_headers eval
[main::auth('--claims', '{"sub":"a\\"b"}'), "", ""]
--- error_code eval
[200, 401, 200]
--- response_body_like eval
["", "",
 qr/^\{"time":"[^"]+","remote_addr":"127.0.0.1","request_id":"[0-9a-f]{32}","method":"GET","uri":"\/v2\/orgs\/yoigo\/ticket\/INST-7902","status":200,"bytes_sent":\d+,"request_time":[\d.]+,"upstream_status":"200","upstream_response_time":"[\d.]+","operation":"ticket.get","org":"yoigo","provider":"JAM","subject":"a\\"b","auth":"jwt","token_cache":"MISS","cache_status":"","error_code":""\}
\{"time":"[^"]+",.*"status":401,.*"upstream_status":"",.*"operation":"ticket.get","org":"yoigo","provider":"","subject":"","auth":"","token_cache":"","cache_status":"","error_code":"0003"\}
$/s]
--- no_error_log
[error]



=== TEST 9: a refusal is logged at info with its reason, never with the token
--- log_level: info
--- request eval
["GET /v2/orgs/yoigo/ticket/INST-7902",
 "GET /v2/orgs/yoigo/ticket/INST-7902"]
--- more_headers eval
["Authorization: Bearer $main::BadToken",
 "Authorization: Bearer $main::BadToken.extra"]
--- error_code eval
[401, 401]
--- block_error_log eval
[qr/\[info\] .*ticketing auth: token signature is invalid/,
 qr/\[info\] .*ticketing auth: malformed token/]
--- no_error_log eval
[(split /\./, $main::BadToken), "Bearer", "[error]"]
