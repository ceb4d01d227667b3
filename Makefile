# ngx_ticketing_module — build, test and demo entry points.
# The target names are a contract (see docs/testing-and-benchmarks.md).

SHELL      := /bin/bash

# Debian's interpreters first: `make deps` installs the packages the tools
# import (python3-cryptography, python3-jwt) for /usr/bin/python3; a python3
# of pyenv or a virtualenv earlier in PATH may lack them
export PATH := /usr/bin:$(PATH)
BUILD      := $(CURDIR)/build
MODULE_SO  := $(BUILD)/ngx_http_ticketing_module.so
ASAN_NGINX := $(BUILD)/asan/nginx
SOURCES    := config $(wildcard ngx_ticketing_module/*.c ngx_ticketing_module/*.h)

CC         ?= cc
UNIT_CFLAGS = -std=gnu99 -g -O1 -Wall -Wextra -Werror \
              -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all -Ingx_ticketing_module
UNIT_LIBS   = -lcmocka -ljansson -lz -lcrypto -lhiredis
# Pure-logic sources: they include no nginx header, so unit tests and
# fuzzers link them without nginx.
PURE_SRCS   = ngx_ticketing_module/ngx_http_ticketing_route.c \
              ngx_ticketing_module/ngx_http_ticketing_error.c \
              ngx_ticketing_module/ngx_http_ticketing_normalize.c \
              ngx_ticketing_module/ngx_http_ticketing_rules.c \
              ngx_ticketing_module/ngx_http_ticketing_errbody.c \
              ngx_ticketing_module/ngx_http_ticketing_jwt.c \
              ngx_ticketing_module/ngx_http_ticketing_jwt_json.c \
              ngx_ticketing_module/ngx_http_ticketing_jwt_cache.c \
              ngx_ticketing_module/ngx_http_ticketing_cachekey.c \
              ngx_ticketing_module/ngx_http_ticketing_resp.c \
              ngx_ticketing_module/ngx_http_ticketing_prom.c
UNIT_TESTS  = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))
# libjwt 1.10: not the module's (it verifies with OpenSSL itself), only the
# second implementation of the JWT differential tests (tests/libjwt_oracle.h)
LIBJWT      = -ljwt

# libFuzzer harnesses: every tests/fuzz/fuzz_<name>.c is one, linked with
# $(PURE_SRCS) and the libraries they need (UNIT_LIBS without cmocka).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS   = -std=gnu99 -g -O1 -Wall -Wextra -Werror \
                -fno-omit-frame-pointer \
                -fno-sanitize-recover=all -Ingx_ticketing_module -Itests/fuzz \
                -Itests
FUZZ_LIBS     = $(filter-out -lcmocka,$(UNIT_LIBS))
FUZZ_NAMES    = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_DEPS     = $(PURE_SRCS) $(wildcard ngx_ticketing_module/*.h tests/fuzz/*.h \
                                        tests/*.h)
# `make fuzz FUZZ=route` fuzzes only the harnesses named
FUZZ         ?= $(FUZZ_NAMES)

.PHONY: all module deps nginx-asan unit test test-t test-t-real demo test-demo token deb \
        test-deb clean distclean fuzz fuzz-build fuzz-regressions bench \
        bench-jwt bench-jwt-cache bench-tools faults \
        test-valgrind reload framing style topology

all: module

module: $(MODULE_SO)

$(MODULE_SO): $(SOURCES) scripts/build-module.sh
	scripts/build-module.sh $(BUILD)

deps:
	scripts/deps.sh

nginx-asan: $(ASAN_NGINX)

$(ASAN_NGINX): $(SOURCES) scripts/build-nginx-asan.sh scripts/lib.sh
	scripts/build-nginx-asan.sh $(BUILD)

$(BUILD)/tests/test_jwt: UNIT_LIBS += $(LIBJWT)
$(BUILD)/fuzz/fuzz_jwt $(BUILD)/fuzz/replay_jwt: FUZZ_LIBS += $(LIBJWT)

$(BUILD)/tests/%: tests/%.c $(PURE_SRCS) \
                  $(wildcard ngx_ticketing_module/*.h tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(PURE_SRCS) $(UNIT_LIBS)

# nginx's style: C lines of the module and its tests within 80 columns
style:
	@awk 'length > 80 { print FILENAME ":" FNR ": " length " columns"; bad = 1 } \
	     END { exit bad }' ngx_ticketing_module/*.[ch] tests/*.[ch] \
	    tests/fuzz/*.[ch]

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

# t/ under our runner (t/lib), then under the real Test::Nginx when its
# lib/ is there: TEST_NGINX_LIB, else ../shared/tools/test-nginx/lib
TEST_NGINX_LIB ?= $(wildcard $(CURDIR)/../shared/tools/test-nginx/lib)
test-t: $(ASAN_NGINX)
	scripts/run-t.sh $(ASAN_NGINX)
	@if [ -n "$(TEST_NGINX_LIB)" ]; then \
	    echo "== t/ under Test::Nginx ($(TEST_NGINX_LIB))"; \
	    TEST_NGINX_LIB="$(TEST_NGINX_LIB)" scripts/run-t.sh $(ASAN_NGINX); \
	else \
	    echo "== t/ under Test::Nginx: skipped (no TEST_NGINX_LIB, no" \
	         "../shared/tools/test-nginx/lib)"; \
	fi

# t/ under the real Test::Nginx only (`make test-t-real T=t/jwt.t`: some)
test-t-real: $(ASAN_NGINX)
	@[ -n "$(TEST_NGINX_LIB)" ] || { echo "set TEST_NGINX_LIB" >&2; exit 1; }
	TEST_NGINX_LIB="$(TEST_NGINX_LIB)" scripts/run-t.sh $(ASAN_NGINX) $(T)

# intra-repo links of README.md and docs/ resolve; every directive of the
# code has its entry in docs/directives.md and every entry a directive
.PHONY: docs-check
docs-check:
	scripts/check-docs.sh

test: docs-check style unit fuzz-regressions bench-tools test-t framing \
      faults reload test-demo topology

# ----------------------------------------------- benchmarks, faults, memory
# the release module in Debian's nginx; BENCH_QUICK=1 for a short run
bench: $(MODULE_SO)
	bench/run.sh $(MODULE_SO)

# libjwt 1.10 jwt_decode against the module's verification of one RS256
# token, us per token (bench/jwt_verify.c; ~15 s; docs/design.md)
BENCH_JWT := $(BUILD)/bench/jwt_verify
bench-jwt: $(BENCH_JWT)
	$(BENCH_JWT)

$(BENCH_JWT): bench/jwt_verify.c ngx_ticketing_module/ngx_http_ticketing_jwt.c \
              ngx_ticketing_module/ngx_http_ticketing_jwt_json.c \
              $(wildcard ngx_ticketing_module/ngx_http_ticketing_jwt*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu99 -O2 -g -Wall -Wextra -Werror -Ingx_ticketing_module \
	    -o $@ bench/jwt_verify.c ngx_ticketing_module/ngx_http_ticketing_jwt.c \
	    ngx_ticketing_module/ngx_http_ticketing_jwt_json.c \
	    -ljansson -lcrypto $(LIBJWT) -lm

# the verified-token cache's hit rate on the Zipf token mix of bench row
# 49, per cache size, and its memory per entry (bench/jwt_cache_zipf.c;
# deterministic, ~5 s)
BENCH_JWT_CACHE := $(BUILD)/bench/jwt_cache_zipf
bench-jwt-cache: $(BENCH_JWT_CACHE)
	$(BENCH_JWT_CACHE)

$(BENCH_JWT_CACHE): bench/jwt_cache_zipf.c \
                    ngx_ticketing_module/ngx_http_ticketing_jwt_cache.c \
                    ngx_ticketing_module/ngx_http_ticketing_jwt_json.c \
                    $(wildcard ngx_ticketing_module/ngx_http_ticketing_jwt*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu99 -O2 -g -Wall -Wextra -Werror -Ingx_ticketing_module \
	    -o $@ bench/jwt_cache_zipf.c \
	    ngx_ticketing_module/ngx_http_ticketing_jwt_cache.c \
	    ngx_ticketing_module/ngx_http_ticketing_jwt_json.c -lm

# the in-process benchmarks build against the pure code: `make test`
# builds them (seconds), so that a change of its interfaces cannot leave
# them behind unnoticed
bench-tools: $(BENCH_JWT) $(BENCH_JWT_CACHE)

# upstream killed/hanging, reload under load, clients going away, Redis
# killed/frozen (~30 s)
faults: $(ASAN_NGINX)
	tests/faults/run.sh $(ASAN_NGINX)

# request smuggling over raw sockets: a refused, malformed or oversized
# body never leaves bytes parsed as the next request (~10 s)
framing: $(ASAN_NGINX)
	tests/framing/run.sh $(ASAN_NGINX)

# new keys and organizations take effect on reload, a broken one is
# refused and the running configuration stays (~3 s)
reload: $(ASAN_NGINX)
	tests/reload/run.sh $(ASAN_NGINX)

# three gateways on one Redis (coalescing, purge, the primary killed under
# load), three on Sentinel (failover, READONLY, dead sentinels), TLS, ACL
# users and host names for Redis, JWKS over https with rotation and a
# burst of random kids (~40 s; part of `make test`)
topology: $(ASAN_NGINX)
	tests/topology/run.sh $(ASAN_NGINX)

# the t/ suite under valgrind: Debian's nginx with the release module;
# `make test-valgrind T=t/routing.t` runs only the files named. Not the
# runner's self-tests (t/selftest): they check master/daemon settings that
# valgrind mode overrides (one foreground process).
T ?= $(wildcard t/*.t)
test-valgrind: $(MODULE_SO)
	TEST_NGINX_USE_VALGRIND=1 TEST_NGINX_LOAD_MODULES=$(MODULE_SO) \
	    TICKETING_T_DIR=$(BUILD)/t-valgrind \
	    scripts/run-t.sh /usr/sbin/nginx $(T)

# -------------------------------------------------------------- fuzzing
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    -o $@ $< $(PURE_SRCS) $(FUZZ_LIBS)

# the same harness without libFuzzer: replays files (tests/fuzz/replay.c)
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=address,undefined \
	    -o $@ $< tests/fuzz/replay.c $(PURE_SRCS) $(FUZZ_LIBS)

fuzz-build: $(FUZZ:%=$(BUILD)/fuzz/fuzz_%) $(FUZZ:%=$(BUILD)/fuzz/replay_%)

# FUZZ_SECONDS (default 60) per harness; a crash fails the target
fuzz: fuzz-build
	scripts/fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ)

# every seed and every past crash, through every harness: cheap, in CI
fuzz-regressions: $(FUZZ_NAMES:%=$(BUILD)/fuzz/replay_%)
	@set -e; for h in $(FUZZ_NAMES); do \
	    dirs=; \
	    for d in tests/fuzz/corpus/$$h tests/fuzz/regressions/$$h; do \
	        if [ -d $$d ]; then dirs="$$dirs $$d"; fi; \
	    done; \
	    if [ -n "$$dirs" ]; then $(BUILD)/fuzz/replay_$$h $$dirs; fi; \
	done

demo: $(MODULE_SO)
	scripts/demo.sh $(MODULE_SO)

# `make demo` on free ports, in the background: nginx's own errors are
# uniform, Redis or the mock stopping leaves nginx answering (BYPASS, the
# uniform 502), Ctrl-C stops all (~10 s)
test-demo: $(MODULE_SO)
	tests/demo/run.sh $(MODULE_SO)

# build/deb/libnginx-mod-http-ticketing_<version>_<arch>.deb
deb:
	scripts/build-deb.sh $(BUILD)/deb

# installs the package with apt, checks it, removes it: CI and on request
test-deb:
	scripts/test-deb.sh

# a token for the demo gateway: make token [ALG=RS256] [TTL=3600] [CLAIMS=json]
token:
	@scripts/token.sh "$(or $(ALG),RS256)" "$(or $(TTL),3600)" '$(CLAIMS)'

# keeps build/src, the downloaded nginx source package: distclean drops it
clean:
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name src -exec rm -rf {} + \
	    2>/dev/null || true
	rm -rf t/servroot*

distclean:
	rm -rf $(BUILD) t/servroot*
