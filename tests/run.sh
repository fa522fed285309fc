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
# The PostgreSQL tests (tests/pg_*.rs) need the server's programs, found on
# PATH or where Debian puts them (the newest version).
pg_bin() {
    local dir
    if command -v "$1" >/dev/null 2>&1; then
        command -v "$1"
        return
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/$1" ]; then
            echo "$dir/$1"
            return
        fi
    done
    return 1
}
if ! pg_bin initdb >/dev/null || ! pg_bin pg_ctl >/dev/null; then
    missing+=(postgresql)
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

# A throwaway PostgreSQL for the tests: initdb into a temporary folder (as
# the postgres user when we are root: initdb and pg_ctl refuse root),
# listening on a Unix socket in that folder only, without fsync (nothing in
# it outlives the run); stopped and removed on any exit, a failing test's too.
pg_dir=$(mktemp -d /tmp/chartcoder-pg.XXXXXX)
as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}
stop_pg() {
    if [ -e "$pg_dir/data/postmaster.pid" ]; then
        as_pg_owner "$(pg_bin pg_ctl)" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
}
trap 'status=$?; stop_pg; exit $status' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
        echo "tests/run.sh: the PostgreSQL tests run the server as the user postgres, which does not exist; install the postgresql package" >&2
        exit 1
    fi
    chown postgres: "$pg_dir"
fi
as_pg_owner "$(pg_bin initdb)" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$pg_dir/initdb.log" 2>&1 || {
    cat "$pg_dir/initdb.log" >&2
    exit 1
}
cat >>"$pg_dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$pg_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 100
CONF
as_pg_owner "$(pg_bin pg_ctl)" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start >/dev/null || {
    cat "$pg_dir/server.log" >&2
    exit 1
}
export CHARTCODER_TEST_PG="host=$pg_dir user=postgres dbname=postgres"
echo "tests/run.sh: a throwaway PostgreSQL listens on $pg_dir (CHARTCODER_TEST_PG)"

cargo test --locked --features pam
