#!/usr/bin/env bash
# Every check chartcoder has, in one command (README.md names it; .ci/run calls it):
# formatting, lints, unit, snapshot and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# The end-to-end tests drive the real binary in tmux; the disk tests mount a
# small tmpfs in a namespace of their own (unshare, mount, from util-linux); the
# security tests run a second user through setpriv and make a test user with a
# password (useradd, chpasswd) for the PAM check, which builds against libpam.
missing=()
for need in tmux:tmux unshare:util-linux mount:mount setpriv:util-linux useradd:passwd chpasswd:passwd; do
    command -v "${need%%:*}" >/dev/null 2>&1 || missing+=("${need#*:}")
done
# The MS-DRG differential test groups claims with the msdrg package in a
# virtualenv it makes under target/ (python3 -m venv, then pip).
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
if ! { [ -e /usr/include/security/pam_appl.h ] && ldconfig -p 2>/dev/null | grep -q 'libpam_misc\.so '; }; then
    missing+=(libpam0g-dev)
fi
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "tests/run.sh: installing ${missing[*]} for the tests"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
        echo "tests/run.sh: installing ${missing[*]} for the tests"
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "tests/run.sh: the tests need ${missing[*]}; install them (e.g. apt-get install ${missing[*]}) and run again" >&2
        exit 1
    fi
fi

# Both builds are linted; the tests run on the one with PAM (the idle lock's
# password check), which is also the build without it plus that one check.
cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings
cargo clippy --locked --all-targets --features pam -- -D warnings
cargo test --locked --features pam
