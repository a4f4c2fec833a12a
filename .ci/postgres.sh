#!/usr/bin/env bash
# Start Debian's PostgreSQL on loopback for the store tests and print a URL of a
# role that may create databases (tests/store make one database per test).
# Needs root (apt-get, runuser). Safe to run twice: it reuses what is there.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
fi
version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main"; then
    pg_createcluster "$version" main >&2
fi
port="$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')"
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port"

psql_admin() { runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 "$@"; }
psql_admin -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'corridor') THEN
        CREATE ROLE corridor LOGIN CREATEDB PASSWORD 'corridor';
    END IF; END \$\$;" >&2
if ! psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'corridor'" | grep -q 1; then
    psql_admin -c "CREATE DATABASE corridor OWNER corridor" >&2
fi
echo "postgresql://corridor:corridor@127.0.0.1:${port}/corridor"
