#!/usr/bin/env bash
# The test suite: installs what it needs, builds in debug, runs every XCTest and Swift Testing test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
