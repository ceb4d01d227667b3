# ngx_ticketing_module — build, test and demo entry points.
# The target names are a contract (see README.md).

SHELL      := /bin/bash
BUILD      := $(CURDIR)/build
MODULE_SO  := $(BUILD)/ngx_http_ticketing_module.so
ASAN_NGINX := $(BUILD)/asan/nginx
SOURCES    := config $(wildcard ngx_ticketing_module/*.c ngx_ticketing_module/*.h)

CC         ?= cc
UNIT_CFLAGS = -std=gnu99 -g -O1 -Wall -Wextra -Werror \
              -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all -Ingx_ticketing_module
UNIT_LIBS   = -lcmocka
# Pure-logic sources: they include no nginx header, so unit tests and
# fuzzers link them without nginx.
PURE_SRCS   = ngx_ticketing_module/ngx_http_ticketing_route.c \
              ngx_ticketing_module/ngx_http_ticketing_error.c \
              ngx_ticketing_module/ngx_http_ticketing_cachekey.c
UNIT_TESTS  = $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/test_*.c))

.PHONY: all module deps nginx-asan unit test test-t demo clean distclean

all: module

module: $(MODULE_SO)

$(MODULE_SO): $(SOURCES) scripts/build-module.sh
	scripts/build-module.sh $(BUILD)

deps:
	scripts/deps.sh

nginx-asan: $(ASAN_NGINX)

$(ASAN_NGINX): $(SOURCES) scripts/build-nginx-asan.sh scripts/lib.sh
	scripts/build-nginx-asan.sh $(BUILD)

$(BUILD)/tests/%: tests/%.c $(PURE_SRCS) $(wildcard ngx_ticketing_module/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $< $(PURE_SRCS) $(UNIT_LIBS)

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

test-t: $(ASAN_NGINX)
	scripts/run-t.sh $(ASAN_NGINX)

test: unit test-t

demo: $(MODULE_SO)
	scripts/demo.sh $(MODULE_SO)

# keeps build/src, the downloaded nginx source package: distclean drops it
clean:
	find $(BUILD) -mindepth 1 -maxdepth 1 ! -name src -exec rm -rf {} + \
	    2>/dev/null || true
	rm -rf t/servroot*

distclean:
	rm -rf $(BUILD) t/servroot*
