# The README's commands. Each installs what is missing first.
.PHONY: deps build demo demo-stop test bench clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build -c release --product flotilla

demo: build
	@scripts/demo.sh

demo-stop:
	@scripts/demo-stop.sh

test: deps
	swift test 2>&1

# BENCH_SCRATCH: the build directory (swift build --scratch-path); BENCH_FLEET_SIZES: fleets to run.
# Sizes the open-file limit cannot hold are recorded as skipped, with the reason, in their JSON.
BENCH_SCRATCH ?= .build
BENCH_FLEET_SIZES ?= 1000 10000 100000
bench: deps
	swift build -c release --scratch-path $(BENCH_SCRATCH) --product flotilla
	$(BENCH_SCRATCH)/release/flotilla bench
	@mkdir -p docs/bench
	@for n in $(BENCH_FLEET_SIZES); do \
	    echo "bench fleet --spokes $$n --storm (progress on stderr, figures in docs/bench/fleet-$$n.json)"; \
	    $(BENCH_SCRATCH)/release/flotilla bench fleet --spokes $$n --storm --skip-if-impossible -o json > docs/bench/fleet-$$n.json.tmp \
	        && mv docs/bench/fleet-$$n.json.tmp docs/bench/fleet-$$n.json || { rm -f docs/bench/fleet-$$n.json.tmp; exit 1; }; \
	done
	@python3 -c 'import matplotlib' 2>/dev/null || python3 -m pip install --quiet matplotlib 2>/dev/null \
	    || python3 -m pip install --quiet --break-system-packages matplotlib
	python3 scripts/bench-plot.py docs/bench

clean:
	rm -rf .build demo
