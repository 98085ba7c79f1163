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

bench: build
	.build/release/flotilla bench

clean:
	rm -rf .build demo
