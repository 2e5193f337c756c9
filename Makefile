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
