#!/bin/sh
# make fuzz: each target under libFuzzer (clang) with ASan and UBSan, for
# FUZZ_SECONDS each (default 60). New inputs are kept apart, then only those
# that add coverage are merged into tests/fuzz/corpus/<target>/, which
# make test replays.
set -eu
B=build/libfuzzer
SECONDS_EACH=${FUZZ_SECONDS:-60}
objs=$(find "$B/obj/src" -name '*.o' ! -name main.o)
for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    clang -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -Isrc \
        $(pkg-config --cflags jansson) -o "$B/$name" "$src" $objs "$B/obj/gen/embedded.o" \
        $(pkg-config --libs libmicrohttpd sqlite3 libsodium jansson icu-uc icu-i18n libpq libseccomp liboath) -lpthread -lm
    corpus="tests/fuzz/corpus/${name#fuzz_}"
    found=$(mktemp -d)
    mkdir -p "$corpus"
    "$B/$name" -max_total_time="$SECONDS_EACH" "$found" "$corpus"
    "$B/$name" -merge=1 "$corpus" "$found" 2> /dev/null
    rm -rf "$found"
done
