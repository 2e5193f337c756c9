# RingLens: the two commands are `make demo` (generate the Huli demo city, serve it in the live
# web view and print its URL) and `make test`. `make run` is the batch, offline report.
GO        ?= go
BIN       := bin/ringlens
DEMO_CITY := out/huli-city
DEMO_OUT  := out/huli-report
SCALE     ?= 10M
FUZZTIME  ?= 30s

.PHONY: all build run demo test check bench bench-go bench-ingest bench-scale fuzz fuzz-long clean

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

## test-neo4j: start a throwaway Neo4j 5.26 with Graph Data Science (graph/neo4j/launcher, Java 17
## and Maven; jars fetched on first use) and run every Neo4j integration test against it.
.PHONY: test-neo4j
test-neo4j:
	GO=$(GO) bash graph/neo4j/launcher/run-tests.sh

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=windows $(GO) build -o /dev/null ./cmd/ringlens  # the one binary builds for investigators' laptops
	GOOS=darwin $(GO) build -o /dev/null ./cmd/ringlens

## bench: Go benchmarks, then the ingest budget at $(SCALE) visits.
bench: bench-go bench-ingest

bench-go:
	$(GO) test -run '^$$' -bench . -benchmem ./...

bench-ingest: build
	$(BIN) bench ingest --scale $(SCALE)

## bench-scale: time per stage, peak RSS and bytes per visit on cities of $(SCALES) visits, and
## the memory model of the largest (docs/scale.md). SCALE_DIR keeps the cities there for reuse.
SCALES    ?= 1M,3M,10M
SCALE_DIR ?=
bench-scale: build
	$(BIN) bench scale --scales $(SCALES) $(if $(SCALE_DIR),--dir $(SCALE_DIR))

## bench-budget: the speed budget on a $(SCALE)-visit city (30 s from CSV to ranked rings per 10M
## visits, 300 MB/s of ingest); fails when over it. SCALE_DIR keeps the city for reuse.
.PHONY: bench-budget
bench-budget: build
	$(BIN) bench scale --scales $(SCALE) $(if $(SCALE_DIR),--dir $(SCALE_DIR)) --budget

## pgo: refresh cmd/ringlens/default.pgo, the CPU profile `go build` optimises the binary with
## (profile-guided optimisation, go.dev/doc/pgo): ingest, graph build and detection of a
## $(PGO_SCALE)-visit city from `bench scale --cpu-profile`. SCALE_DIR keeps the city for reuse.
PGO_SCALE ?= 10M
PGO_TMP   ?= $(or $(TMPDIR),/tmp)/ringlens-pgo
.PHONY: pgo
pgo: build
	$(BIN) bench scale --scales $(PGO_SCALE) $(if $(SCALE_DIR),--dir $(SCALE_DIR)) --cpu-profile $(PGO_TMP)
	cp $(PGO_TMP)/cpu-$(PGO_SCALE).pb.gz cmd/ringlens/default.pgo

## gve-leiden: build the GVE-Leiden driver of `bench leiden --gve-leiden` (bench/README.md) into
## $(GVE_OUT), fetching GVE-Leiden's pinned commit there (never into the repository).
GVE_OUT ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ringlens/gve-leiden
.PHONY: gve-leiden
gve-leiden:
	OUT=$(GVE_OUT) bench/gve-leiden/build.sh

## fuzz: every fuzz target for $(FUZZTIME) each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## fuzz-long: every fuzz target of the repo for about $(FUZZ_LONG_EXECS) executions in
## total: each target in $(FUZZ_LONG_SLOW) (target=count) gets its count (they are slow: files
## or whole graphs per execution), the others share the rest equally (-fuzztime Nx). Prints
## executions and seconds per target, parsed from go test's "execs:" lines, and the total;
## the table is also written to out/fuzz-long.txt. Figures measured: docs/fuzzing.md.
FUZZ_LONG_EXECS ?= 10000000
FUZZ_LONG_SLOW  ?= FuzzLoad=40000 FuzzLeiden=600000 FuzzParseBatch=20000

fuzz-long:
	@set -e; mkdir -p out; list=""; \
	for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do list="$$list $$pkg:$$t"; done; \
	done; \
	n=0; slow=0; nslow=0; \
	for pt in $$list; do \
	  n=$$((n+1)); t=$${pt##*:}; \
	  for s in $(FUZZ_LONG_SLOW); do if [ "$${s%%=*}" = "$$t" ]; then slow=$$((slow+$${s##*=})); nslow=$$((nslow+1)); fi; done; \
	done; \
	share=$$(( ($(FUZZ_LONG_EXECS) - slow) / (n - nslow) )); \
	echo "fuzz-long: $$n targets, $$share executions each ($$nslow slow targets: $(FUZZ_LONG_SLOW))"; \
	log=$$(mktemp); table=out/fuzz-long.txt; total=0; \
	printf '%-48s %-16s %12s %8s\n' package target execs seconds > $$table; \
	for pt in $$list; do \
	  pkg=$${pt%:*}; t=$${pt##*:}; want=$$share; \
	  for s in $(FUZZ_LONG_SLOW); do if [ "$${s%%=*}" = "$$t" ]; then want=$${s##*=}; fi; done; \
	  echo "== $$pkg $$t ($$want executions)"; start=$$(date +%s); \
	  if ! $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $${want}x $$pkg > $$log 2>&1; then cat $$log; rm -f $$log; exit 1; fi; \
	  secs=$$(( $$(date +%s) - start )); \
	  execs=$$(sed -n 's/.*execs: \([0-9]*\).*/\1/p' $$log | tail -1); execs=$${execs:-0}; \
	  total=$$((total+execs)); \
	  printf '%-48s %-16s %12s %8s\n' $${pkg#github.com/ringlens/ringlens/} $$t $$execs $$secs | tee -a $$table; \
	done; \
	rm -f $$log; \
	printf '%-48s %-16s %12s\n' total "" $$total | tee -a $$table

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

## indep-quality: detection on cities of the independent generator (bench/indep, Python with numpy,
## installed from PyPI into a venv under $(API_FUZZ_CACHE) when the system python lacks it): writes
## $(INDEP_CITIES) cities from seed $(INDEP_SEED) under $(INDEP_DIR)/cities (about 15 s and 110 MB each),
## runs detect and eval on each and prints bench/indep/summary.py's table. Results: docs/quality.md.
INDEP_CITIES ?= 8
INDEP_SEED   ?= 101
INDEP_DIR    ?= out/indep
INDEP_VENV   ?= $(API_FUZZ_CACHE)/indep-venv

.PHONY: indep-quality
indep-quality: build
	@set -e; \
	py=python3; \
	if ! $$py -c 'import numpy' 2>/dev/null; then \
	  [ -x "$(INDEP_VENV)/bin/python" ] || { python3 -m venv "$(INDEP_VENV)" && "$(INDEP_VENV)/bin/pip" install --quiet numpy; }; \
	  py="$(INDEP_VENV)/bin/python"; \
	fi; \
	PYTHON=$$py bash bench/indep/make_cities.sh $(INDEP_CITIES) $(INDEP_SEED) $(INDEP_DIR)/cities; \
	mkdir -p $(INDEP_DIR)/out; \
	for c in $(INDEP_DIR)/cities/city-*/; do \
	  n=$$(basename $$c); \
	  $(BIN) detect --in $$c --out $(INDEP_DIR)/out/$$n --log-level warn >/dev/null; \
	  $(BIN) eval --truth $$c/truth.json --out $(INDEP_DIR)/out/$$n --json > $(INDEP_DIR)/out/$$n.eval.json; \
	done; \
	$$py bench/indep/summary.py $(INDEP_DIR)/cities $(INDEP_DIR)/out
