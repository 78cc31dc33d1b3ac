#!/usr/bin/env bash
# Installs the Debian packages that the tests and the local stack run for real:
# redis-server (cache and lock tests), PostgreSQL (tracker/app/audit tests), qpdf and poppler-utils
# (PDF checks and page renders), chromium (browser tests), oathtool (independent TOTP), npm (axe-core
# for the accessibility tests, `make axe`).
# Only what is missing is installed; needs root (or sudo) and apt-get.
set -eu
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v oathtool >/dev/null 2>&1 || need+=(oathtool)
command -v nginx >/dev/null 2>&1 || need+=(nginx-light)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing system packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: need root or sudo to install: ${need[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
command -v apt-get >/dev/null 2>&1 || { echo "error: apt-get not found; install manually: ${need[*]}" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
# The Debian packages start their own services; tests start private instances instead.
for svc in redis-server postgresql nginx; do
  if command -v service >/dev/null 2>&1; then $SUDO service "$svc" stop >/dev/null 2>&1 || true; fi
done
