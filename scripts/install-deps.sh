#!/usr/bin/env bash
# Installs the Debian packages Flotilla needs, only when something is missing.
set -euo pipefail
need=()
for pkg in mosquitto mosquitto-clients libmosquitto-dev libsqlite3-dev zlib1g-dev pkg-config openssl; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi
# The packaged broker would hold port 1883; Flotilla starts its own brokers.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
    echo "note: the system mosquitto service is running; the demo and tests use their own ports"
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install a Swift 6 toolchain" >&2; exit 1; }
