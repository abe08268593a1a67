#!/usr/bin/env bash
# The service under a real systemd: boots systemd 252 as PID 1 of a `systemd-nspawn --boot`
# container (Debian 12 made by debootstrap; these machines boot without systemd), installs the
# release wwmon with scripts/install.sh and systemd/wwmon.service into it, and checks for real:
#   start blocks until READY=1 and sets STATUS=; watchdog pings arrive and nothing is killed;
#   `systemctl reload` re-reads the config and keeps the running one when the new one is broken;
#   a checkpoint dropped into a watched folder is recorded (`wwmon checkpoints`); the journal has
#   it with structured fields (`journalctl -u wwmon WWMON_RUN=...`); stop is clean; the hardened
#   unit runs under its sandbox (seccomp filter on, no new privileges, read-only /usr) and
#   `systemd-analyze security` scores it below 3.5.
#
#   sudo bash scripts/systemd-test.sh                  # builds the release binary first
#   sudo bash scripts/systemd-test.sh --binary PATH    # a wwmon built elsewhere (static stdlib)
#
# Needs root and Debian apt (installs systemd-container and debootstrap). The base root
# filesystem is cached in $WWMON_SYSTEMD_CACHE (default ~/.cache/wwmon/systemd-root, ~150 MB);
# each run boots a fresh copy of it. Exits 0 when every check holds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${WWMON_SYSTEMD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wwmon/systemd-root}"
WORK="$(mktemp -d /tmp/wwmon-systemd.XXXXXX)"
ROOT="$WORK/root"
MACHINE="wwmon-test-$$"
CG="wwmon-systemd-test-$$"
NSPAWN_PID=""; LEADER=""; binary=""
T0=$(date +%s.%N)

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="$2"; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "systemd-test.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

el()    { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
step()  { echo "== [$(el)s] $*"; }
ok()    { echo "   ok: $*"; }
fail()  { echo "FAIL [$(el)s]: $*" >&2; exit 1; }
in_ct() { nsenter -t "$LEADER" -a "$@"; }
# poll SECONDS CMD...: wait (generously: the machine is shared) until CMD succeeds.
poll()  { local t=$1; shift; local end=$((SECONDS + t)); while ((SECONDS < end)); do "$@" && return 0; sleep 0.3; done; return 1; }
prop()  { in_ct systemctl show -P "$1" wwmon.service; }
journal_has() { in_ct journalctl -b -u wwmon.service --no-pager -o cat "${@:2}" | grep -qF -- "$1"; }
boot_done() { local s; s=$(in_ct systemctl is-system-running 2>/dev/null || true); [ "$s" = running ] || [ "$s" = degraded ]; }

cgroup_dirs() {
    if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then echo "/sys/fs/cgroup/$CG"
    else
        [ -d /sys/fs/cgroup/systemd ] && echo "/sys/fs/cgroup/systemd/$CG"
        [ -d /sys/fs/cgroup/unified ] && echo "/sys/fs/cgroup/unified/$CG"
    fi
    return 0
}

cleanup() {
    local rc=$?
    set +e
    if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
        [ -n "$LEADER" ] && timeout 10 nsenter -t "$LEADER" -a systemctl poweroff --no-block 2>/dev/null
        poll 30 bash -c "! kill -0 $NSPAWN_PID 2>/dev/null" || kill -TERM "$NSPAWN_PID"
        poll 10 bash -c "! kill -0 $NSPAWN_PID 2>/dev/null" || kill -KILL "$NSPAWN_PID"
        wait "$NSPAWN_PID" 2>/dev/null
    fi
    for d in $(cgroup_dirs); do [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
    rm -rf "/run/systemd/nspawn/propagate/$MACHINE"
    if [ $rc -eq 0 ]; then
        echo "== [$(el)s] systemd test: ALL CHECKS PASSED"
        rm -rf "$WORK"
    else
        echo "== [$(el)s] systemd test FAILED (rc=$rc); container log: $WORK/nspawn.log, root: $ROOT" >&2
    fi
    exit $rc
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "must run as root (systemd-nspawn)"

# ------------------------------------------------------------------ host packages and the binary
step "host: systemd-container, debootstrap"
export DEBIAN_FRONTEND=noninteractive
if ! command -v systemd-nspawn >/dev/null || ! command -v debootstrap >/dev/null; then
    apt-get update -qq >"$WORK/apt.log" 2>&1 || fail "apt-get update (see $WORK/apt.log)"
    # The build matching the installed libsystemd-shared, so apt does not upgrade the host's systemd.
    V=$(dpkg-query -W -f='${Version}' libsystemd-shared 2>/dev/null || true)
    if ! { [ -n "$V" ] && apt-get install -y -qq --no-install-recommends "systemd-container=$V" debootstrap >>"$WORK/apt.log" 2>&1; }; then
        apt-get install -y -qq --no-install-recommends systemd-container debootstrap >>"$WORK/apt.log" 2>&1 \
            || fail "apt-get install systemd-container debootstrap (see $WORK/apt.log)"
    fi
fi

if [ -z "$binary" ]; then
    step "build: release wwmon (static Swift runtime)"
    (cd "$here" && swift build -c release --static-swift-stdlib --product wwmon >"$WORK/build.log" 2>&1) \
        || { tail -20 "$WORK/build.log"; fail "swift build"; }
    binary="$here/.build/release/wwmon"
fi
[ -x "$binary" ] || fail "$binary is not an executable"

# ------------------------------------------------------------------ root filesystem
# The Debian runtime libraries the binary links (ldd), as packages for debootstrap --include.
runtime_pkgs() {
    ldd "$binary" | awk '/=> \//{print $3}' | while read -r lib; do
        dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null
    done | cut -d: -f1 | sort -u | grep -v '^libc6$' | paste -sd, -
}
PKGS="systemd,dbus,procps,libnss-systemd,passwd,$(runtime_pkgs)"
stamp="$CACHE/.wwmon-packages"
if [ ! -x "$CACHE/lib/systemd/systemd" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$PKGS" ]; then
    step "debootstrap bookworm minbase + $PKGS -> $CACHE (once; ~1 min)"
    rm -rf "$CACHE"; mkdir -p "$(dirname "$CACHE")"
    debootstrap --variant=minbase --include="$PKGS" bookworm "$CACHE" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
    rm -f "$CACHE"/var/cache/apt/archives/*.deb
    echo "$PKGS" >"$stamp"
fi
step "fresh copy of the root filesystem"
cp -a "$CACHE" "$ROOT"
echo "$MACHINE" >"$ROOT/etc/hostname"

# ------------------------------------------------------------------ what gets installed
# The repository's own files, installed inside by its own install script.
stage="$ROOT/root/wwmon-src"
mkdir -p "$stage/scripts" "$stage/.build/release"
cp -a "$here/scripts/install.sh" "$stage/scripts/"
cp -a "$here/systemd" "$here/config" "$here/README.md" "$stage/"
[ -d "$here/docs" ] && cp -a "$here/docs" "$stage/"
cp "$binary" "$stage/wwmon"
# A checkpoint made by the real safetensors writer (Tests/Fixtures/reference/README.md).
cp "$here/Tests/Fixtures/reference/cases/d_conv2d_64x32x3x3/model.safetensors" "$ROOT/root/checkpoint.safetensors"
# A second one with other tensors: a copy of the same bytes in one run is recorded as an alias of
# the first point (issue 9), not as a new step.
cp "$here/Tests/Fixtures/reference/cases/b_pareto2_1000x500/model.safetensors" "$ROOT/root/checkpoint-b.safetensors"

mkdir -p "$ROOT/srv/ckpt/bert-lr3e-4" "$ROOT/srv/ckpt/gpt-small"
chmod -R a+rX "$ROOT/srv"
config_one_root='
[store]
path = "/var/lib/wwmon/wwmon.db"

[daemon]
rescan_interval_seconds = 600
stop_timeout_seconds = 5

[[watch]]
path = "/srv/ckpt/bert-lr3e-4"
run = "bert-lr3e-4"
settle_seconds = 1
mode = "inotify"
'
config_two_roots="$config_one_root"'
[[watch]]
path = "/srv/ckpt/gpt-small"
run = "gpt-small"
settle_seconds = 1
mode = "inotify"
'

# ------------------------------------------------------------------ boot
step "boot: systemd-nspawn --boot"
for d in $(cgroup_dirs); do mkdir -p "$d"; done
(
    # Own cgroup first, so nspawn's sub-cgroups are ours to remove; --register=no (no machined)
    # and --keep-unit (no host D-Bus) because the host runs no systemd.
    for d in $(cgroup_dirs); do echo "$BASHPID" >"$d/cgroup.procs"; done
    exec systemd-nspawn -q -D "$ROOT" -M "$MACHINE" --boot --register=no --keep-unit --console=passive
) >"$WORK/nspawn.log" 2>&1 &
NSPAWN_PID=$!
poll 60 bash -c "pgrep -P $NSPAWN_PID -x systemd >/dev/null" || fail "the container's systemd did not start"
LEADER=$(pgrep -P "$NSPAWN_PID" -x systemd)
poll 120 boot_done || fail "container did not finish booting ($(in_ct systemctl is-system-running || true))"
ok "systemd $(in_ct systemctl --version | head -1 | awk '{print $2}') is PID 1 inside ($(in_ct cat /proc/1/comm))"

step "install: scripts/install.sh --binary inside the container"
in_ct bash -c 'cd /root/wwmon-src && bash scripts/install.sh --binary /root/wwmon-src/wwmon' >"$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log"; fail "install.sh"; }
printf '%s' "$config_one_root" | in_ct tee /etc/wwmon/wwmon.toml >/dev/null
in_ct chgrp wwmon /etc/wwmon/wwmon.toml
# Watchdog pings at half of WatchdogSec; a short one makes them observable within seconds.
in_ct mkdir -p /etc/systemd/system/wwmon.service.d
printf '[Service]\nWatchdogSec=6s\n' | in_ct tee /etc/systemd/system/wwmon.service.d/test-watchdog.conf >/dev/null
in_ct systemctl daemon-reload
in_ct test -x /usr/local/bin/wwmon || fail "binary not installed"
[ "$(in_ct bash -c 'wwmon --version')" != "" ] || fail "wwmon --version printed nothing"
ok "installed $(in_ct wwmon --version)"

# ------------------------------------------------------------------ checks
step "start: blocks until READY=1, STATUS= set"
t=$(date +%s.%N)
in_ct systemctl start wwmon.service || { in_ct journalctl -b -u wwmon --no-pager | tail -20; fail "systemctl start"; }
[ "$(prop ActiveState)" = active ] || fail "not active right after start returned (state $(prop ActiveState)/$(prop SubState))"
[ "$(prop Type)" = notify ] || fail "unit is not Type=notify"
status=$(prop StatusText)
[[ "$status" == watching* ]] || fail "STATUS= text not received (got '$status')"
ok "active when start returned ($(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}') s); STATUS=$status"
MAIN=$(prop MainPID)

step "watchdog: pings arrive, nothing is killed"
w1=$(prop WatchdogTimestampMonotonic)
poll 30 bash -c '[ "$(nsenter -t '"$LEADER"' -a systemctl show -P WatchdogTimestampMonotonic wwmon.service)" -gt '"$w1"' ]' \
    || fail "no watchdog ping within 30 s (WatchdogTimestampMonotonic stays $w1)"
sleep 7   # longer than WatchdogSec: a missing ping would have killed it by now
[ "$(prop MainPID)" = "$MAIN" ] && [ "$(prop ActiveState)" = active ] || fail "the service was restarted or stopped (Result=$(prop Result))"
ok "WatchdogTimestamp advanced, same main PID $MAIN after > WatchdogSec"

step "sandbox: seccomp filter, no new privileges, read-only /usr, private /tmp"
st=$(in_ct cat "/proc/$MAIN/status")
grep -qE '^Seccomp:\s+2' <<<"$st" || fail "no seccomp filter on the daemon"
grep -qE '^NoNewPrivs:\s+1' <<<"$st" || fail "NoNewPrivs not set"
grep -qE '^CapEff:\s+0+$' <<<"$st" || fail "the daemon has capabilities"
in_ct nsenter -t "$MAIN" -m test -w /usr/local/bin 2>/dev/null && fail "/usr writable in the daemon's namespace"
[ "$(in_ct stat -c %U "/proc/$MAIN")" = wwmon ] || fail "daemon does not run as user wwmon"
ok "Seccomp=2, NoNewPrivs=1, no capabilities, /usr read-only, user wwmon"

step "a checkpoint dropped into a watched folder is recorded"
in_ct cp /root/checkpoint.safetensors /srv/ckpt/bert-lr3e-4/step_10.safetensors
recorded() { in_ct wwmon checkpoints "$1" --db /var/lib/wwmon/wwmon.db --json 2>/dev/null | grep -Eq "\"step\" ?: ?$2[,} ]"; }
poll 120 recorded bert-lr3e-4 10 || { in_ct journalctl -b -u wwmon --no-pager | tail -20; fail "step 10 not recorded"; }
in_ct wwmon checkpoints bert-lr3e-4 --db /var/lib/wwmon/wwmon.db | sed 's/^/   | /'
ok "recorded under the sandbox (seccomp, MemoryDenyWriteExecute, ProtectSystem=strict)"

step "journal: the record with structured fields"
poll 20 journal_has "recorded" WWMON_RUN=bert-lr3e-4 || fail "journalctl -u wwmon WWMON_RUN=bert-lr3e-4 has no 'recorded' message"
entry=$(in_ct journalctl -b -u wwmon.service --no-pager -o json WWMON_RUN=bert-lr3e-4 | grep '"MESSAGE":"recorded' | tail -1)
for field in '"WWMON_RUN":"bert-lr3e-4"' '"WWMON_STEP":"10"' '"PRIORITY":"6"' '"SYSLOG_IDENTIFIER":"wwmon"' '"CODE_FILE":' '"CODE_FUNC":'; do
    grep -qF "$field" <<<"$entry" || fail "journal entry lacks $field: $entry"
done
ok "journalctl -u wwmon WWMON_RUN=bert-lr3e-4 -o json: WWMON_RUN, WWMON_STEP, PRIORITY, CODE_FILE/FUNC"

step "reload: a new config is read"
printf '%s' "$config_two_roots" | in_ct tee /etc/wwmon/wwmon.toml >/dev/null
in_ct systemctl reload wwmon.service || fail "systemctl reload"
poll 30 journal_has "configuration reloaded" || fail "no 'configuration reloaded' in the journal"
[ "$(prop MainPID)" = "$MAIN" ] || fail "reload restarted the process"
in_ct cp /root/checkpoint.safetensors /srv/ckpt/gpt-small/step_20.safetensors
poll 120 recorded gpt-small 20 || fail "checkpoint in the root added by reload not recorded"
ok "second root watched after reload, same main PID"

step "reload: a broken config is rejected, the running one kept"
printf '[[watch]]\npath = 42\n' | in_ct tee /etc/wwmon/wwmon.toml >/dev/null
in_ct systemctl reload wwmon.service || fail "systemctl reload (broken config)"
poll 30 journal_has "configuration rejected" || fail "no 'configuration rejected' in the journal"
[ "$(prop ActiveState)" = active ] && [ "$(prop MainPID)" = "$MAIN" ] || fail "broken config stopped or restarted the daemon"
in_ct cp /root/checkpoint-b.safetensors /srv/ckpt/gpt-small/step_30.safetensors
poll 120 recorded gpt-small 30 || fail "the kept config no longer works (step 30 not recorded)"
ok "rejected; both roots still watched"

step "hardening: systemd-analyze security"
score=$(in_ct systemd-analyze security wwmon.service --no-pager 2>/dev/null | grep 'Overall exposure level' | grep -oE '[0-9]+\.[0-9]+' | tail -1)
[ -n "$score" ] || fail "systemd-analyze security gave no score"
awk -v s="$score" 'BEGIN{exit !(s < 3.5)}' || fail "exposure $score is not below 3.5"
ok "exposure level $score (was 3.5)"

step "stop: clean"
in_ct systemctl stop wwmon.service || fail "systemctl stop"
[ "$(prop ActiveState)" = inactive ] || fail "not inactive after stop ($(prop ActiveState))"
[ "$(prop Result)" = success ] || fail "stop result $(prop Result)"
journal_has "stopped" || fail "no 'stopped' message"
journal_has "SIGKILL" && fail "systemd had to SIGKILL the daemon"
ok "Result=success, 'stopped' logged, no SIGKILL"

step "poweroff"
in_ct systemctl poweroff --no-block || true
poll 60 bash -c "! kill -0 $NSPAWN_PID 2>/dev/null" || fail "container did not power off"
wait "$NSPAWN_PID" || true
NSPAWN_PID=""
