#!/usr/bin/env bash
# The three-store demo: a mosquitto, a hub on examples/fleet, one agent per spoke with a dir:
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

cat > "$DEMO/broker/mosquitto.conf" <<CONF
# Demo broker: loopback only, anonymous (see broker-config/ for a locked-down production setup).
user $(id -un)
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $DEMO/broker/
autosave_interval 10
max_inflight_messages 500
max_queued_messages 20000
log_dest file $DEMO/logs/mosquitto.log
CONF
mosquitto -c "$DEMO/broker/mosquitto.conf" -d
pgrep -f "mosquitto -c $DEMO/broker/mosquitto.conf" > "$DEMO/broker.pid"

"$BIN" keygen --out "$DEMO/keys" >/dev/null
"$BIN" hub run --source "$ROOT/examples/fleet" --broker "mqtt://127.0.0.1:$MQTT_PORT" \
    --state "$DEMO/hub.sqlite" --http "127.0.0.1:$HTTP_PORT" --signing-key "$DEMO/keys/hub.key" \
    > "$DEMO/logs/hub.log" 2>&1 &
echo $! > "$DEMO/hub.pid"

for spoke in store-berlin store-lyon store-porto factory-turin; do
    "$BIN" agent run --name "$spoke" --broker "mqtt://127.0.0.1:$MQTT_PORT" \
        --state "$DEMO/spokes/$spoke.sqlite" --applier "dir:$DEMO/spokes/$spoke/manifests" \
        --hub-key "$DEMO/keys/hub.pub" > "$DEMO/logs/$spoke.log" 2>&1 &
    echo $! > "$DEMO/$spoke.pid"
done

echo "demo fleet starting: broker 127.0.0.1:$MQTT_PORT, hub http://127.0.0.1:$HTTP_PORT, 4 spokes"
"$BIN" status --hub "http://127.0.0.1:$HTTP_PORT" --wait 60
echo
echo "Manifests written by the agents: $DEMO/spokes/*/manifests"
ls "$DEMO/spokes/store-berlin/manifests"
echo
echo "The fleet keeps running. Edit examples/fleet and watch: $BIN status --hub http://127.0.0.1:$HTTP_PORT"
echo "Stop it with: make demo-stop"
