#!/usr/bin/env bash
# Installs the Debian packages wwmon builds and tests against, if any is missing.
# Used by scripts/main.sh and scripts/test.sh (the README's two commands).
set -euo pipefail
PKGS=(libsqlite3-dev liblapacke-dev libopenblas-dev zlib1g-dev systemd)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
