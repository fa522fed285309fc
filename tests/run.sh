#!/usr/bin/env bash
# Every check chartcoder has, in one command (README.md names it; .ci/run calls it):
# formatting, lints, unit, snapshot and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# The end-to-end tests drive the real binary in tmux.
if ! command -v tmux >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "tests/run.sh: installing tmux for the end-to-end tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
        echo "tests/run.sh: installing tmux for the end-to-end tests"
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null
    else
        echo "tests/run.sh: the end-to-end tests need tmux; install it (e.g. apt-get install tmux) and run again" >&2
        exit 1
    fi
fi

cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
