#!/usr/bin/env bash
# Installs the Debian packages Flotilla needs, only when something is missing.
set -euo pipefail
need=()
for pkg in mosquitto mosquitto-clients libmosquitto-dev libsqlite3-dev libyaml-dev zlib1g-dev pkg-config openssl python3; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
# pip for the conformance test's paho-mqtt, unless the python3 on PATH already has one.
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
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
# The conformance test drives the hub with a spoke written in Python (Tests/conformance).
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import paho.mqtt' 2>/dev/null; then
    echo "installing: paho-mqtt (Python, for Tests/conformance)"
    # A Debian system Python refuses pip (PEP 668) unless told this is deliberate.
    python3 -m pip install --quiet 'paho-mqtt>=2,<3' 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages 'paho-mqtt>=2,<3' \
        || echo "note: could not install paho-mqtt; the conformance test needs it" >&2
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install a Swift 6 toolchain" >&2; exit 1; }
