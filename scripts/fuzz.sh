#!/bin/sh
# make fuzz: each target under libFuzzer (clang) with ASan and UBSan, for
# FUZZ_SECONDS each (default 60), growing tests/fuzz/corpus/<target>/.
set -eu
B=build/libfuzzer
SECONDS_EACH=${FUZZ_SECONDS:-60}
objs=$(find "$B/obj/src" -name '*.o' ! -name main.o)
for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Isrc \
        $(pkg-config --cflags jansson) -o "$B/$name" "$src" $objs "$B/obj/gen/embedded.o" \
        $(pkg-config --libs libmicrohttpd sqlite3 libsodium jansson icu-uc icu-i18n) -lpthread -lm
    mkdir -p "tests/fuzz/corpus/${name#fuzz_}"
    "$B/$name" -max_total_time="$SECONDS_EACH" "tests/fuzz/corpus/${name#fuzz_}"
done
