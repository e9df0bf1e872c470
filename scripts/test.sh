#!/usr/bin/env bash
# The test command (README's Quick start, and .ci/run): installs what is missing, builds in release (numeric tests
# want optimised code) and runs every test target. Plugin libraries are built alongside, next to the test bundle.
# Then the Slurm test runs the study on a one-node cluster (scripts/slurm-test.sh; LDMPROBE_SLURM_TEST=0 skips it),
# and every fuzz target runs briefly (LDMPROBE_FUZZ_SECONDS each, default 12; 0 skips): any crash fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --build-tests
swift test -c release --skip-build --disable-swift-testing "$@"
if [[ "${LDMPROBE_SLURM_TEST:-1}" != 0 ]]; then scripts/slurm-test.sh; fi
seconds=${LDMPROBE_FUZZ_SECONDS:-12}
if [[ "$seconds" != 0 ]]; then scripts/fuzz.sh all "$seconds"; fi
