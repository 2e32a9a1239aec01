#!/usr/bin/env bash
# Installs what `npm run test:system` needs from Debian packages: PostgreSQL 15 (an external server
# for the integration suite and multi-instance tests). Idempotent; needs root (or sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql-15)
command -v curl >/dev/null || need+=(curl)
# pgrep: the system tests check that no PostgreSQL is left running on a data dir.
command -v pgrep >/dev/null || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# Debian's package starts a cluster of its own where services run; the tests start their own instead.
echo "system dependencies ready: $(/usr/lib/postgresql/15/bin/postgres --version)"
