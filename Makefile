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

.PHONY: run test bench lint build clean

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
