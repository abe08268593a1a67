#!/usr/bin/env bash
# Installs wwmon as a service: the binary, the systemd units, the example config (never
# overwriting an existing one), the README, and a static `wwmon` system user.
#
#   sudo scripts/install.sh                      # builds a release binary, installs under /usr/local
#   scripts/install.sh --binary PATH             # install a binary built elsewhere
#   DESTDIR=/tmp/stage scripts/install.sh ...    # stage into a folder (no user, no systemctl)
#   PREFIX=/opt/wwmon scripts/install.sh ...     # binary in $PREFIX/bin (the units follow)
#
# Then: edit /etc/wwmon/wwmon.toml, `systemctl enable --now wwmon`, `journalctl -u wwmon -f`.
# One daemon per team: put /etc/wwmon/NAME.toml and `systemctl enable --now wwmon@NAME`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
binary=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [ -z "$binary" ]; then
    (cd "$here" && swift build -c release --static-swift-stdlib --product wwmon)
    binary="$here/.build/release/wwmon"
fi
[ -x "$binary" ] || { echo "install.sh: $binary is not an executable" >&2; exit 1; }

bindir="$DESTDIR$PREFIX/bin"
unitdir="$DESTDIR/etc/systemd/system"
confdir="$DESTDIR/etc/wwmon"
docdir="$DESTDIR$PREFIX/share/doc/wwmon"

install -d -m 755 "$bindir" "$unitdir" "$docdir"
install -d -m 750 "$confdir"
install -m 755 "$binary" "$bindir/wwmon"
for unit in wwmon.service wwmon@.service; do
    sed -e "s|/usr/local/bin/wwmon|$PREFIX/bin/wwmon|g" -e "s|/usr/local/share/doc/wwmon|$PREFIX/share/doc/wwmon|g" \
        "$here/systemd/$unit" > "$unitdir/$unit"
    chmod 644 "$unitdir/$unit"
done
if [ -e "$confdir/wwmon.toml" ]; then
    echo "install.sh: keeping the existing $confdir/wwmon.toml (example: $docdir/wwmon.toml.example)"
else
    install -m 640 "$here/config/wwmon.toml" "$confdir/wwmon.toml"
fi
install -m 644 "$here/config/wwmon.toml" "$docdir/wwmon.toml.example"
install -m 644 "$here/README.md" "$docdir/README.md"

if [ -z "$DESTDIR" ]; then
    if ! getent passwd wwmon >/dev/null; then
        useradd --system --user-group --home-dir /var/lib/wwmon --no-create-home \
            --shell /usr/sbin/nologin --comment "wwmon checkpoint monitor" wwmon
    fi
    chgrp wwmon "$confdir" "$confdir/wwmon.toml" 2>/dev/null || true
    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
fi
"$bindir/wwmon" daemon --config "$confdir/wwmon.toml" --check-config
echo "installed: $bindir/wwmon, $unitdir/wwmon.service, $unitdir/wwmon@.service, $confdir/wwmon.toml"
