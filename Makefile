# herald's make targets. `make run` and `make test` are the two commands a
# newcomer needs; see README.md.

GO      ?= go
ADDR    ?= 127.0.0.1:8080
# The example site is written as of this instant; pinning the clock keeps it
# looking alive (an ongoing incident, an upcoming maintenance) months later.
EXAMPLE_NOW ?= 2026-11-28T15:00:00Z
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)

.PHONY: all build run test fuzz clean e2e bench

all: build

# herald needs no C: built without cgo, the binary is static (it runs on
# any Linux, Alpine and distroless included), starts faster and keeps no
# libc arenas or pthread stacks (docs/benchmarks.md, round 11).
build:
	CGO_ENABLED=0 $(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/herald ./cmd/herald

## run: build the example site and serve it on http://$(ADDR)
run: build
	./bin/herald import -now $(EXAMPLE_NOW) example/history.jsonl.gz
	./bin/herald serve -now $(EXAMPLE_NOW) -addr $(ADDR)

## test: every Go test, vet and formatting; nothing installed, nothing as root
test:
	@out=$$(git ls-files -z '*.go' | xargs -0 -r gofmt -l); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) test ./...

## fuzz: run each fuzz target for a while (FUZZTIME=1m make fuzz)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./generator/incident -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME)
	$(GO) test ./generator/incident -run '^$$' -fuzz '^FuzzParseHeadingTime$$' -fuzztime $(FUZZTIME)

## bench: time herald on synthetic sites against Hugo and a goldmark floor,
## print PASS/MISS per target, rewrite docs/benchmarks.md (PROFILE=1 adds
## pprof profiles in bench/out; BASELINE=<git rev> also times herald built
## at that revision in the same tmpfs rounds, for a change's before and
## after). Installs hugo, time and strace with apt if missing.
BENCH_FLAGS ?=
BASELINE ?=
bench: build
	@command -v hugo >/dev/null 2>&1 && command -v strace >/dev/null 2>&1 && [ -x /usr/bin/time ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo time strace >/dev/null; \
	  else echo "bench: install hugo, time and strace (apt-get install hugo time strace) as root"; exit 1; fi; }
	$(GO) build -o bin/herald-floor ./bench/floor
	$(GO) build -o bin/herald-bench ./cmd/herald-bench
ifneq ($(BASELINE),)
	rm -rf bin/baseline-src && mkdir -p bin/baseline-src
	git archive $(BASELINE) | tar -x -C bin/baseline-src
	cd bin/baseline-src && CGO_ENABLED=0 $(GO) build -ldflags "-X main.version=$$(git rev-parse --short $(BASELINE))" -o ../herald-baseline ./cmd/herald
	rm -rf bin/baseline-src
endif
	./bin/herald-bench run $(if $(PROFILE),-profile bench/out) $(if $(BASELINE),-baseline bin/herald-baseline) -command "make bench$(if $(PROFILE), PROFILE=$(PROFILE))$(if $(BASELINE), BASELINE=$(BASELINE))$(if $(BENCH_FLAGS), BENCH_FLAGS='$(BENCH_FLAGS)')" $(BENCH_FLAGS)

## e2e: real browsers, validators and feed readers against the example and a
## generated stress site, docs/deploy.md's recipes with real nginx, Caddy,
## rsync and an S3 server, and the full-size SIGKILL test of herald watch;
## installs its tools (e2e/setup.sh: apt, npm ci)
e2e: build
	e2e/run.sh

clean:
	rm -rf bin public .public.herald
