# Pnyx developer tasks. Only Go is needed; -race also needs a C compiler
# (cgo) and is skipped with a note where there is none.

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
# Benchmarks stay short: each compares against a baseline in the same run
# and reports the ratio, which needs few iterations to be stable.
BENCHTIME ?= 500ms
# Packages with benchmarks, found by their Benchmark functions.
BENCH_PKGS = $(sort $(dir $(shell grep -rl --include='*_test.go' '^func Benchmark' events projections graphql opendata exports cmd 2>/dev/null)))
RACE_PKGS ?= ./events/... ./exports/... ./server/... ./cmd/...
# The longest package (the demo's multi-year runs) takes about 2 minutes on
# an idle 2-core machine; the limit leaves room for a shared, busy one.
TEST_TIMEOUT ?= 25m

.PHONY: run test bench lint build clean fuzz

## run: serve the API on 127.0.0.1:8080 with data in ./pnyx-data; an empty
## data directory first gets one year of the demo municipality
run:
	$(GO) run ./cmd/pnyx serve --demo

## test: every test, then the race detector on the store packages and the server
test:
	$(GO) test -timeout $(TEST_TIMEOUT) ./...
	@if [ "$$($(GO) env CGO_ENABLED)" = 1 ]; then \
		echo "$(GO) test -race -timeout $(TEST_TIMEOUT) $(RACE_PKGS)"; $(GO) test -race -timeout $(TEST_TIMEOUT) $(RACE_PKGS); \
	else \
		echo "NOTE: skipping go test -race: it needs cgo and a C compiler (install gcc)"; \
	fi

## fuzz: the model-based test of the command service, longer than in
## make test (FUZZ_CHECKS runs of about FUZZ_STEPS commands each); a failure
## prints the -rapid.seed to keep in modelRegressionSeeds; then each
## importer's decoder for FUZZ_TIME
FUZZ_CHECKS ?= 300
FUZZ_STEPS  ?= 120
FUZZ_TIME   ?= 30s
IMPORT_FUZZ  = importer/decisions:FuzzDecoder importer/ocds:FuzzDecoder importer/popolo:FuzzDecoder
fuzz:
	$(GO) test ./events -run '^TestModelMunicipality$$' -count=1 -rapid.checks=$(FUZZ_CHECKS) -rapid.steps=$(FUZZ_STEPS)
	@for t in $(IMPORT_FUZZ); do \
		echo "$(GO) test ./$${t%%:*} -run '^$$' -fuzz '^$${t##*:}$$' -fuzztime $(FUZZ_TIME)"; \
		$(GO) test ./$${t%%:*} -run '^$$' -fuzz "^$${t##*:}\$$" -fuzztime $(FUZZ_TIME) || exit 1; \
	done

## bench: the benchmarks, short, with their ratios to baselines
bench:
	@if [ -z "$(BENCH_PKGS)" ]; then echo "no benchmarks"; else \
		echo "$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) $(addprefix ./,$(BENCH_PKGS))"; \
		$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) $(addprefix ./,$(BENCH_PKGS)); \
	fi

## lint: gofmt must list nothing; go vet must pass
lint:
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt -l lists:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

## build: the pnyx binary in ./bin/, with its version stamped
build:
	mkdir -p bin
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/pnyx ./cmd/pnyx

clean:
	rm -rf bin
