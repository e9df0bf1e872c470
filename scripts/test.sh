#!/usr/bin/env bash
# The test command (README's Quick start, and .ci/run): installs what is missing, builds in release (numeric tests
# want optimised code) and runs every test target. Plugin libraries are built alongside, next to the test bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --build-tests
swift test -c release --skip-build --disable-swift-testing "$@"
