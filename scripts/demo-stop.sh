#!/usr/bin/env bash
# Stops the demo fleet gracefully (SIGTERM): agents first, then the hub, then the broker, so
# agents can still publish their offline presence.
cd "$(dirname "$0")/.."
DEMO=${DEMO_DIR:-$PWD/demo}
stop() {
    local f=$1
    [ -e "$f" ] || return 0
    local pid
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$f"
}
for f in "$DEMO"/store-*.pid "$DEMO"/factory-*.pid; do stop "$f"; done
stop "$DEMO/hub.pid"
stop "$DEMO/broker.pid"
