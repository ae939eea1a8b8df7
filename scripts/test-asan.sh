#!/usr/bin/env bash
# Runs the crash and guarantee tests, and the tests of the hand-written vector kernels (the kNN's
# Gram kernels, the trainer's kernels at every width) and of the Ollivier solver, against the AddressSanitizer + UBSan build (build-asan/,
# made by `npm run build:asan`): a read of freed memory, an overflow or undefined behaviour in the
# addon then fails the run, not only a crash. Node itself is not instrumented, so libasan is
# preloaded; leak detection is off (Node keeps allocations until exit by design).
set -euo pipefail
cd "$(dirname "$0")/.."
addon="$PWD/build-asan/Debug/ricciflow.node"
[ -f "$addon" ] || addon="$PWD/build-asan/Release/ricciflow.node"
if [ ! -f "$addon" ]; then
  echo "test:asan: no build-asan/*/ricciflow.node; run 'npm run build:asan' first" >&2
  exit 1
fi
libasan="$(${CXX:-g++} -print-file-name=libasan.so)"
export RICCIFLOW_ADDON="$addon"
export LD_PRELOAD="$libasan${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export RICCIFLOW_TEST_SCALE="${RICCIFLOW_TEST_SCALE:-0.3}"
exec npx vitest run test/core/crash.test.ts test/core/guarantees.test.ts \
  test/analysis/knn-kernels.test.ts test/analysis/ollivier.test.ts test/train/train-kernels.test.ts "$@"
