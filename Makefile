# RingLens: the two commands are `make demo` (generate the Huli demo city, serve it in the live
# web view and print its URL) and `make test`. `make run` is the batch, offline report.
GO        ?= go
BIN       := bin/ringlens
DEMO_CITY := out/huli-city
DEMO_OUT  := out/huli-report
SCALE     ?= 10M
FUZZTIME  ?= 30s

.PHONY: all build run demo test check bench bench-go bench-ingest fuzz clean

all: build

build:
	$(GO) build -buildvcs=auto -o $(BIN) ./cmd/ringlens

## run: generate the Huli demo city and run detect on it.
run: build
	$(BIN) generate --preset huli --seed 1 --scale 200k --out $(DEMO_CITY)
	$(BIN) detect --in $(DEMO_CITY) --out $(DEMO_OUT)

## demo: generate the Huli demo city and serve it in the live web view; serve prints
## "serving on http://127.0.0.1:8080/" once it listens (Ctrl-C stops it).
demo: build
	$(BIN) generate --preset huli --seed 1 --scale 200k --out $(DEMO_CITY)
	$(BIN) serve --in $(DEMO_CITY) --addr 127.0.0.1:8080

## test: formatting, vet and every test with the race detector.
test: check
	$(GO) test -race -count=1 ./...

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: Go benchmarks, then the ingest budget at $(SCALE) visits.
bench: bench-go bench-ingest

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-ingest: build
	$(BIN) bench ingest --scale $(SCALE)

## fuzz: every fuzz target for $(FUZZTIME) each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

clean:
	rm -rf bin out

## api-fuzz: property-based test of the REST API against docs/openapi.yaml with schemathesis,
## installed from PyPI into a venv under $(API_FUZZ_CACHE) on first use. Generates a small city
## (out/api-fuzz-city, $(API_FUZZ_SCALE) visits), serves it on 127.0.0.1:$(API_FUZZ_PORT) with a
## throw-away --state, runs every check with at most $(API_FUZZ_EXAMPLES) examples per operation,
## bounded by $(API_FUZZ_TIME) s, and stops the server. Results: docs/api.md (API fuzzing).
API_FUZZ_CACHE    ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ringlens
API_FUZZ_VENV     ?= $(API_FUZZ_CACHE)/schemathesis-venv
API_FUZZ_PORT     ?= 18089
API_FUZZ_SCALE    ?= 20k
API_FUZZ_EXAMPLES ?= 100
API_FUZZ_TIME     ?= 900

.PHONY: api-fuzz
api-fuzz: build
	@set -e; \
	if [ ! -x "$(API_FUZZ_VENV)/bin/st" ]; then \
	  python3 -m venv "$(API_FUZZ_VENV)" && "$(API_FUZZ_VENV)/bin/pip" install --quiet schemathesis; \
	fi; \
	city=out/api-fuzz-city; \
	[ -f $$city/psn.csv ] || $(BIN) generate --preset huli --seed 1 --scale $(API_FUZZ_SCALE) --out $$city >/dev/null; \
	state=$$(mktemp -d); \
	$(BIN) serve --in $$city --state $$state --addr 127.0.0.1:$(API_FUZZ_PORT) --full-every 0 --log-level warn >/dev/null & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$state' EXIT INT TERM; \
	for i in $$(seq 1 240); do \
	  curl -sf http://127.0.0.1:$(API_FUZZ_PORT)/api/v1/status | grep -q '"ready":true' && break; sleep 0.5; \
	done; \
	cd "$(API_FUZZ_CACHE)" && timeout $(API_FUZZ_TIME) "$(API_FUZZ_VENV)/bin/st" --config-file "$(CURDIR)/docs/schemathesis.toml" \
	  run "$(CURDIR)/docs/openapi.yaml" --url http://127.0.0.1:$(API_FUZZ_PORT) \
	  --checks all --max-examples $(API_FUZZ_EXAMPLES) --request-timeout 30 --generation-deterministic
