#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Runs CMD against a throwaway PostgreSQL cluster: initdb into a fresh temporary directory
# (trust auth, listening only on 127.0.0.1 on a free port, unix socket inside the temporary
# directory), create the database `huiqi_test`, export
#   HUIQI_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/huiqi_test
# run CMD, then stop the cluster and delete the directory. Exits with CMD's exit code.
#
# The PostgreSQL binaries are taken from $PG_BINDIR if set, else from the directory of the
# `initdb` on PATH, else from the newest /usr/lib/postgresql/*/bin (Debian's layout).
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (or a
# system user `huiqi-pg`, created if missing); CMD itself still runs as the calling user.
set -euo pipefail

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

die() {
    echo "with-postgres: $*" >&2
    exit 1
}

# die MESSAGE LOGFILE: the message, then the log that explains it.
die_log() {
    echo "with-postgres: $1" >&2
    sed 's/^/    /' "$2" >&2 || true
    exit 1
}

# --- locate the PostgreSQL server binaries -------------------------------------------------
find_bindir() {
    if [[ -n ${PG_BINDIR:-} ]]; then
        echo "$PG_BINDIR"
        return
    fi
    local initdb_path dir
    if initdb_path=$(command -v initdb); then
        dirname "$(readlink -f "$initdb_path")"
        return
    fi
    # Newest version first.
    while IFS= read -r dir; do
        if [[ -x $dir/initdb ]]; then
            echo "$dir"
            return
        fi
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
    return 1
}

bindir=$(find_bindir) || bindir=""
for tool in initdb pg_ctl postgres pg_isready createdb; do
    if [[ -z $bindir || ! -x $bindir/$tool ]]; then
        die "PostgreSQL server binaries not found (need '$tool'; looked at \$PG_BINDIR, the initdb on" \
            "PATH and /usr/lib/postgresql/*/bin). Install them, e.g. on Debian:" \
            "apt-get install postgresql  (bash .ci/run does this), or set PG_BINDIR."
    fi
done

# --- who runs the server -------------------------------------------------------------------
pg_user=""
if [[ $(id -u) -eq 0 ]]; then
    if id -u postgres >/dev/null 2>&1; then
        pg_user=postgres
    else
        pg_user=huiqi-pg
        if ! id -u "$pg_user" >/dev/null 2>&1; then
            command -v useradd >/dev/null || die "running as root, no 'postgres' user and no useradd"
            useradd --system --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$pg_user"
        fi
    fi
fi

# Run a server command as $pg_user (from inside the temporary directory, which that user can
# enter even when the caller's working directory is private).
as_pg() {
    if [[ -z $pg_user ]]; then
        (cd "$tmp" && "$@")
    elif command -v runuser >/dev/null; then
        (cd "$tmp" && runuser -u "$pg_user" -- "$@")
    else
        # shellcheck disable=SC2016 # $0 and $@ are expanded by the inner sh, on purpose
        (cd "$tmp" && su -s /bin/sh -c 'exec "$0" "$@"' -- "$pg_user" "$@")
    fi
}

# --- temporary directory and cleanup -------------------------------------------------------
# As root, /tmp rather than $TMPDIR: the server user must be able to reach the directory.
if [[ -n $pg_user ]]; then
    tmp=$(mktemp -d /tmp/huiqi-pg.XXXXXX)
    chown "$pg_user" "$tmp"
else
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/huiqi-pg.XXXXXX")
fi
data=$tmp/data
log=$tmp/server.log
started=""

# shellcheck disable=SC2317 # reached through the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $started ]]; then
        # The cluster is thrown away, so no clean shutdown is needed.
        as_pg "$bindir/pg_ctl" -D "$data" stop -m immediate -w -t 30 >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- create and start the cluster ----------------------------------------------------------
superuser=postgres
as_pg "$bindir/initdb" -D "$data" -U "$superuser" --auth=trust --encoding=UTF8 --no-locale \
    --no-sync >"$tmp/initdb.log" 2>&1 ||
    die_log "initdb failed:" "$tmp/initdb.log"

# Throwaway data: durability settings off for speed.
cat >>"$data/postgresql.conf" <<EOF

# --- added by scripts/with-postgres.sh ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$tmp'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF

# A port that nothing answers on (bash's /dev/tcp: a refused connection means it is free).
pick_port() {
    local port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    return 1
}

timeout_s=${HUIQI_PG_START_TIMEOUT:-30}
port=""
for attempt in 1 2 3 4 5; do
    port=$(pick_port) || die "no free TCP port found on 127.0.0.1"
    rm -f "$log"
    started=1
    # -w: pg_ctl waits for the server to accept connections, and notices if it exits instead.
    if as_pg "$bindir/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t "$timeout_s" start >/dev/null 2>&1; then
        break
    fi
    as_pg "$bindir/pg_ctl" -D "$data" stop -m immediate -w >/dev/null 2>&1 || true
    started=""
    if grep -q "could not bind\|could not create any TCP/IP sockets" "$log" && ((attempt < 5)); then
        continue # lost a race for the port: try another one
    fi
    die_log "PostgreSQL failed to start on 127.0.0.1:$port (waited up to ${timeout_s}s); server log:" "$log"
done

# Make sure it answers on TCP, where the tests connect.
deadline=$((SECONDS + timeout_s))
until "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U "$superuser"; do
    if ((SECONDS >= deadline)); then
        die_log "PostgreSQL is not ready on 127.0.0.1:$port after ${timeout_s}s (pg_isready); server log:" "$log"
    fi
    sleep 0.1
done

"$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$superuser" huiqi_test ||
    die "could not create database huiqi_test"

export HUIQI_TEST_POSTGRES_URL="postgresql+psycopg://$superuser@127.0.0.1:$port/huiqi_test"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" \
    "(HUIQI_TEST_POSTGRES_URL=$HUIQI_TEST_POSTGRES_URL)" >&2

# Not exec: the EXIT trap must still stop the cluster. The command's status becomes ours.
set +e
"$@"
rc=$?
set -e
exit "$rc"
