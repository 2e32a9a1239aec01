#!/usr/bin/env bash
# Installs what `npm run test:system` needs from Debian packages: PostgreSQL 15 (an external server
# for the integration suite and multi-instance tests), Prometheus and Alertmanager (real senders for
# the Alertmanager webhook test), Chromium (the web console's browser tests). Idempotent and quick
# when all is there; needs root (or sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
[ -x /usr/bin/prometheus ] || need+=(prometheus)
[ -x /usr/bin/prometheus-alertmanager ] || need+=(prometheus-alertmanager)
command -v curl >/dev/null || need+=(curl)
# Chromium: the web console's browser tests (playwright-core drives Debian's /usr/bin/chromium).
[ -x /usr/bin/chromium ] || need+=(chromium)
# wrk: the load generator of npm run bench (a process of its own, on loopback).
command -v wrk >/dev/null || need+=(wrk)
# pgrep: the system tests check that no PostgreSQL is left running on a data dir.
command -v pgrep >/dev/null || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# Debian's packages start a cluster / daemons of their own where services run; the tests start their
# own instead, on loopback ports with throwaway data dirs.
echo "system dependencies ready: $(/usr/lib/postgresql/15/bin/postgres --version)"
echo "  $(/usr/bin/prometheus --version 2>&1 | head -n 1)"
echo "  $(/usr/bin/prometheus-alertmanager --version 2>&1 | head -n 1)"
