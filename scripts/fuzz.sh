#!/usr/bin/env bash
# Fuzzing: scripts/fuzz.sh TARGET SECONDS builds one libFuzzer target (fuzz/targets/TARGET.swift compiled with the
# parser sources it exercises, -sanitize=fuzzer,address) and runs it for SECONDS on a working copy of its seed
# corpus (fuzz/corpus/TARGET). TARGET "all" runs every target in turn (CI: scripts/test.sh calls
# `scripts/fuzz.sh all 12`). Exits nonzero on any crash, hang (> 10 s per input) or memory blow-up (> 2 GiB);
# the input that did it is kept as .build/fuzz/TARGET/crash-* — commit it under Tests/Fixtures/fuzz/ with a
# regression test. Needs only the Swift toolchain (libFuzzer ships with it), libpng and a few CPU minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARGETS="safetensors npy pfm png pickle torchzip csv configs scheduler tokenizer descriptor"

usage() { echo "usage: scripts/fuzz.sh TARGET|all SECONDS   (targets: $TARGETS)" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
[[ "$2" =~ ^[0-9]+$ ]] || usage

# The sources each target is compiled with (module imports between them are stripped: one module per target).
sources() {
    local W=Sources/Weights F=Sources/FileFormats
    case "$1" in
        safetensors) echo "$W/SafetensorsFile.swift $W/MappedFile.swift $W/WeightSourceError.swift $W/WeightDType.swift $W/WeightSource.swift $W/WeightResidency.swift fuzz/stubs/Tensor.swift" ;;
        npy) echo "$F/NpyHeader.swift $F/NpyArray.swift $F/NpyArray+IO.swift $F/NpyDType.swift $F/FileFormatsError.swift $F/AtomicFile.swift" ;;
        pfm) echo "$F/PFM.swift $F/FileFormatsError.swift $F/AtomicFile.swift" ;;
        png) echo "$F/PNGImage.swift $F/FileFormatsError.swift $F/AtomicFile.swift" ;;
        pickle|torchzip) echo "$W/RestrictedUnpickler.swift $W/PickleValue.swift $W/TorchPickle.swift $W/NumpyPickle.swift $W/WeightSourceError.swift $W/WeightDType.swift $W/MappedFile.swift $W/ZipArchive.swift $W/TorchCheckpoint.swift $W/WeightSource.swift $W/WeightResidency.swift fuzz/stubs/Tensor.swift" ;;
        csv) echo "$F/CSVReader.swift $F/PromptRow.swift $F/FileFormatsError.swift $F/NpyHeader.swift $F/NpyDType.swift" ;;
        configs) echo "Sources/Models/UNet/UNetConfig.swift Sources/Models/UNet/UNetError.swift Sources/Models/VAE/VAEConfig.swift Sources/Models/CLIP/CLIPTextConfig.swift Sources/Models/ConfigError.swift $W/WeightSourceError.swift" ;;
        scheduler) echo "$(ls Plugins/Samplers/Common/*.swift | grep -v SamplerBridge) $(ls Sources/PluginKit/*.swift)" ;;
        tokenizer) echo "$(ls Sources/Tokenizer/*.swift)" ;;
        descriptor) echo "$(ls Sources/PluginHost/*.swift) $(ls Sources/SeededRandom/*.swift)" ;;
        *) echo "scripts/fuzz.sh: unknown target '$1' (targets: $TARGETS)" >&2; exit 2 ;;
    esac
}

build() {
    local t=$1 out=.build/fuzz/$1
    local srcs; srcs=$(sources "$t")
    # Up to date: the fuzzer is newer than everything it is built from.
    if [[ -x "$out/fuzzer" ]] && [[ -z "$(find $srcs fuzz/targets/$t.swift fuzz/stubs scripts/fuzz.sh -newer "$out/fuzzer" 2>/dev/null)" ]]; then
        return 0
    fi
    mkdir -p "$out/src" .build/fuzz/PluginABI
    rm -f "$out"/src/*.swift
    for f in $srcs fuzz/targets/$t.swift fuzz/stubs/FuzzInput.swift; do
        # One module per target: drop imports of the project's own Swift modules.
        sed -E '/^import (Tensor|Weights|FileFormats|Models|PluginKit|PluginHost|Tokenizer|SamplerSupport|SeededRandom)$/d' \
            "$f" > "$out/src/$(basename "$f")"
    done
    printf 'module PluginABI {\n    umbrella "%s/Sources/PluginABI/include"\n    export *\n}\n' "$ROOT" \
        > .build/fuzz/PluginABI/module.modulemap
    # The descriptor target keeps its module's name: PluginHost code qualifies some calls with it.
    local module=Fuzz; [[ $t == descriptor ]] && module=PluginHost
    swiftc -sanitize=fuzzer,address -parse-as-library -Onone -g -module-name $module \
        -I Sources/CPNG -I .build/fuzz/PluginABI -I Sources/CFFI -Xcc -I -Xcc Sources/PluginABI/include \
        "$out"/src/*.swift -o "$out/fuzzer" 2>&1 | grep -E "error|warning: unre" | head -20 || true
    [[ -x "$out/fuzzer" && "$out/fuzzer" -nt "$out/src/$t.swift" ]] || { echo "fuzz: building $t failed" >&2; return 1; }
}

run() {
    local t=$1 seconds=$2 out=.build/fuzz/$1
    echo "fuzz: building $t" >&2
    build "$t" || return 1
    mkdir -p "$out/corpus"
    cp -n fuzz/corpus/"$t"/* "$out/corpus/" 2>/dev/null || true
    echo "fuzz: running $t for $seconds s" >&2
    ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0 \
    "$out/fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$out/crash-" "$out/corpus" > "$out/log.txt" 2>&1 || {
        tail -40 "$out/log.txt" >&2
        echo "fuzz: $t FAILED after a crash, hang or memory blow-up; input kept as $(ls -t "$out"/crash-* "$out"/timeout-* "$out"/oom-* 2>/dev/null | head -1)" >&2
        return 1
    }
    local runs; runs=$(grep -E "stat::number_of_executed_units" "$out/log.txt" | awk '{print $2}')
    echo "fuzz: $t ok: ${runs:-?} inputs in $seconds s, no crash" >&2
}

if [[ "$1" == all ]]; then
    failed=0
    for t in $TARGETS; do run "$t" "$2" || failed=1; done
    exit $failed
fi
run "$1" "$2"
