#!/usr/bin/env bash
# Stops the demo fleet gracefully (SIGTERM), agents first.
cd "$(dirname "$0")/.."
DEMO=${DEMO_DIR:-$PWD/demo}
for f in "$DEMO"/*.pid; do
    [ -e "$f" ] || continue
    kill -TERM "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
done
