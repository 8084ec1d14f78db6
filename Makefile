# cbpn — GNU Makefile. `make` builds build/cbpn; `make run` and `make test`
# install missing Debian packages first (scripts/deps.sh).

BUILD   ?= build
CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libpq libsodium jansson icu-uc icu-i18n libseccomp liboath xlsxwriter
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wcast-qual \
           -Wformat=2 -Wno-unused-parameter -Werror
HARDEN  := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
OPT     ?= -O2 -g
SAN     ?=
CFLAGS  := -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(HARDEN) $(SAN) -Isrc \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDFLAGS := $(SAN) -pie -Wl,-z,relro,-z,now
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
TEST_LDLIBS := $(LDLIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

SRCS      := $(sort $(wildcard src/*/*.c))
OBJS      := $(SRCS:%.c=$(BUILD)/obj/%.o)
MAIN_OBJ  := $(BUILD)/obj/src/main.o
EMBED_IN  := $(sort $(wildcard migrations/*/*.sql po/*.po assets/*)) \
             data/kh_admin_units.csv data/kh_admin_pumi_LICENSE.txt \
             data/ilo_forced_labour_indicators.csv data/ilo_trafficking_indicators.csv \
             data/ilo_dimension_rule.csv data/safe_migration_channels.csv \
             data/migration_documents.csv data/hotlines.csv data/agencies_sample_fictional.csv \
             data/common_passwords.txt
EMBED_OBJ := $(BUILD)/obj/gen/embedded.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

# Quiet by default; `make V=1` shows the commands.
Q := $(if $(V),,@)

.PHONY: all run test asan fmt lint openapi-lint deps unit fuzz fuzz-replay bench clean pot

all: $(BUILD)/cbpn

$(BUILD)/cbpn: $(MAIN_OBJ) $(OBJS) $(EMBED_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d)

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Werror -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(EMBED_IN)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  EMBED   $@")
	$(Q)$(BUILD)/tools/embed $@ $(EMBED_IN)

$(EMBED_OBJ): $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(OBJS) $(EMBED_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -Itests -o $@ $< $(OBJS) $(EMBED_OBJ) $(TEST_LDLIBS)

# Fuzz targets, built as plain programs that replay a corpus (tests/fuzz/replay.c);
# `make fuzz` builds them with libFuzzer instead.
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c $(OBJS) $(EMBED_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(OBJS) $(EMBED_OBJ) $(LDLIBS)

# The in-process bench of sealing and auditing (bench/seal_audit.c; never
# installed): the server's objects with audit_append and the seal calls
# wrapped, so the bench alone can run them without auditing or sealing.
BENCH_WRAP := -Wl,--wrap=audit_append,--wrap=crypto_seal,--wrap=crypto_unseal \
              -Wl,--wrap=sealed_seal_case,--wrap=sealed_open_case
$(BUILD)/bench/seal_audit: bench/seal_audit.c $(OBJS) $(EMBED_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(BENCH_WRAP) -o $@ $< $(OBJS) $(EMBED_OBJ) $(LDLIBS)

# The tests' tools (tests/tools/): sdc_json runs sdc_protect on a table read as JSON.
$(BUILD)/tests/tools/%: tests/tools/%.c $(OBJS) $(EMBED_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(OBJS) $(EMBED_OBJ) $(LDLIBS)

unit: $(UNIT_BINS) $(BUILD)/tests/tools/sdc_json

fuzz-replay: $(FUZZ_BINS)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-demo.sh

test: deps
	@$(MAKE) --no-print-directory all unit fuzz-replay
	@scripts/test.sh

# docs/openapi.yaml against Redocly's linter (tools/openapi/); scripts/test.sh runs it too.
openapi-lint: deps
	@scripts/openapi-lint.sh

asan:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory BUILD=build/asan CC=clang OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" all unit
	@BUILD=build/asan CBPN_TEST_SLOW=3 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/test.sh --no-e2e --no-fuzz --no-pg-check

fuzz:
	@$(MAKE) --no-print-directory BUILD=build/libfuzzer CC=clang OPT="-O1 -g" \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined" all
	@scripts/fuzz.sh

pot:
	@scripts/pot.sh

bench: all $(BUILD)/bench/seal_audit
	@scripts/bench.sh

fmt:
	clang-format -i $(SRCS) src/main.c src/*.h src/*/*.h tools/*.c bench/*.c $(wildcard tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/tools/*.c)

lint:
	@clang-format --dry-run -Werror $(SRCS) src/main.c src/*.h src/*/*.h bench/*.c $(wildcard tests/unit/*.c tests/fuzz/*.c tests/tools/*.c)
	@cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem -Isrc $(SRCS) src/main.c

clean:
	rm -rf build
