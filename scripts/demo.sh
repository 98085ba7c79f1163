#!/usr/bin/env bash
# The three-store demo: a mosquitto, a hub on docs/examples/fleet, one agent per spoke with a dir:
# applier, all on loopback; waits for convergence and prints `flotilla status`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=${DEMO_DIR:-$ROOT/demo}
MQTT_PORT=${MQTT_PORT:-18830}
HTTP_PORT=${HTTP_PORT:-18080}
BIN=${FLOTILLA_BIN:-$ROOT/.build/release/flotilla}

"$ROOT/scripts/demo-stop.sh" >/dev/null 2>&1 || true
rm -rf "$DEMO"
mkdir -p "$DEMO/broker" "$DEMO/spokes" "$DEMO/logs" "$DEMO/keys"

SPOKES="store-berlin store-lyon store-porto factory-turin"
# A locked-down broker: per-spoke passwords and ACLs, anonymous clients refused.
rmdir "$DEMO/broker"
"$BIN" broker init --out "$DEMO/broker" --port "$MQTT_PORT" $(for s in $SPOKES; do echo --spoke "$s"; done) >/dev/null
mosquitto -c "$DEMO/broker/mosquitto.conf" > "$DEMO/logs/mosquitto.log" 2>&1 &
echo $! > "$DEMO/broker.pid"
for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$MQTT_PORT") 2>/dev/null && break
    sleep 0.1
done

"$BIN" keygen --out "$DEMO/keys" >/dev/null
"$BIN" hub run --source "$ROOT/docs/examples/fleet" --broker "mqtt://127.0.0.1:$MQTT_PORT" \
    --state "$DEMO/hub.sqlite" --http "127.0.0.1:$HTTP_PORT" --signing-key "$DEMO/keys/hub.key" \
    --username hub --password-file "$DEMO/broker/credentials/hub.password" \
    > "$DEMO/logs/hub.log" 2>&1 &
echo $! > "$DEMO/hub.pid"
# Agents report from their first second; start them once the hub is subscribed at the broker.
for _ in $(seq 100); do
    "$BIN" status --hub "http://127.0.0.1:$HTTP_PORT" -o json 2>/dev/null | grep -q '"brokerConnected":true' && break
    sleep 0.2
done

for spoke in $SPOKES; do
    "$BIN" agent run --name "$spoke" --broker "mqtt://127.0.0.1:$MQTT_PORT" \
        --state "$DEMO/spokes/$spoke.sqlite" --applier "dir:$DEMO/spokes/$spoke/manifests" \
        --hub-key "$DEMO/keys/hub.pub" --username "$spoke" --password-file "$DEMO/broker/credentials/$spoke.password" \
        > "$DEMO/logs/$spoke.log" 2>&1 &
    echo $! > "$DEMO/$spoke.pid"
done

echo "demo fleet starting: broker 127.0.0.1:$MQTT_PORT (per-spoke credentials and ACLs), hub http://127.0.0.1:$HTTP_PORT, 4 spokes, signed bundles"
"$BIN" status --hub "http://127.0.0.1:$HTTP_PORT" --wait 60
echo
echo "Manifests written by the agents: $DEMO/spokes/*/manifests"
ls "$DEMO/spokes/store-berlin/manifests"
echo
echo "The fleet keeps running. Edit docs/examples/fleet and watch: $BIN status --hub http://127.0.0.1:$HTTP_PORT"
echo "Stop it with: make demo-stop"
