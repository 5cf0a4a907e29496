# herald's make targets. `make run` and `make test` are the two commands a
# newcomer needs; see README.md.

GO      ?= go
ADDR    ?= 127.0.0.1:8080
# The example site is written as of this instant; pinning the clock keeps it
# looking alive (an ongoing incident, an upcoming maintenance) months later.
EXAMPLE_NOW ?= 2026-11-28T15:00:00Z
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: all build run test fuzz clean

all: build

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/herald ./cmd/herald

## run: build the example site and serve it on http://$(ADDR)
run: build
	./bin/herald serve -now $(EXAMPLE_NOW) -addr $(ADDR)

## test: every Go test, vet and formatting; nothing installed, nothing as root
test:
	@out=$$(gofmt -l cmd generator templates); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) test ./...

## fuzz: run each fuzz target for a while (FUZZTIME=1m make fuzz)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./generator/incident -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./generator/incident -run '^$$' -fuzz '^FuzzParseHeadingTime$$' -fuzztime $(FUZZTIME)

clean:
	rm -rf bin public .public.herald
