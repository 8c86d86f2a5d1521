# oranbench — see README.md. Every target installs what it needs via the Go
# module proxy; nothing else is required but Go.
GO ?= go
OUT ?= reports/latest
QUICK_OUT ?= reports/quick
BIN := bin/oranbench

.PHONY: all build test bench gate bench-quick bench-engine bench-mock soak soak-smoke lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/oranbench

## test: unit and integration tests with the race detector
test:
	$(GO) test -race -count=1 ./...

## bench: the built-in suite against the embedded mock backend -> $(OUT)/REPORT.md
##        BASELINE=dir-or-results.json also compares the run with a stored baseline:
##        exit 1 on a regression only when the baseline ran on this kind of machine
##        (CPU model and count, Go version); from another machine it warns and
##        exits 0, since even within-run ratios move with the CPU. To gate a
##        change, use `make gate`. See "Gating CI on a baseline" in README.md.
BASELINE ?=
bench: build
	$(BIN) run --out $(OUT)
	$(if $(BASELINE),$(BIN) compare $(BASELINE) $(OUT))

## gate: build BASE (a git revision, default origin/main or main) into
##       bin/oranbench-base through a temporary git worktree, then run both builds
##       alternately on this machine on the CI-sized set (compare --rerun):
##       exit 1 on a regression of this tree against BASE. GATE_OUT keeps the runs.
BASE ?= $(shell git rev-parse --verify -q origin/main >/dev/null && echo origin/main || echo main)
GATE_OUT ?= reports/gate
BASE_BIN := bin/oranbench-base
gate: build
	@rm -rf $(GATE_OUT)
	@tmp=$$(mktemp -d) && trap 'git worktree remove --force "$$tmp/base" >/dev/null 2>&1; rm -rf "$$tmp"' EXIT && \
	git worktree add --detach "$$tmp/base" "$(BASE)" >/dev/null && \
	(cd "$$tmp/base" && $(GO) build -o "$(CURDIR)/$(BASE_BIN)" ./cmd/oranbench) && \
	echo "gate: $(BASE) ($$(git rev-parse --short "$(BASE)")) -> $(BASE_BIN)"
	$(BIN) compare --rerun --out $(GATE_OUT) $(BASE_BIN) $(BIN)

## bench-quick: the same pipeline, CI-sized
bench-quick: build
	$(BIN) run --quick --out $(QUICK_OUT)

## soak: each arm, the watcher and a leak control in processes of their own, at once,
##       for SOAK (default 40m, long enough to resolve +2 goroutines/h and 1 MB/h of
##       live heap): slopes of live heap, RSS, goroutines, fds, threads -> $(SOAK_OUT)/REPORT.md
##       (rewritten every 10 min; SOAK=24h for a day)
SOAK ?= 40m
SOAK_OUT ?= reports/soak
soak: build
	$(BIN) soak --duration $(SOAK) --out $(SOAK_OUT)

## soak-smoke: the same for 2 minutes: checks the soak runs; unable to judge
SOAK_SMOKE_OUT ?= reports/soak-smoke
soak-smoke: build
	$(BIN) soak --duration 2m --out $(SOAK_SMOKE_OUT)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1)
	$(GO) vet ./...
	$(GO) mod tidy -diff

clean:
	rm -rf bin $(OUT) $(QUICK_OUT) $(SOAK_OUT) $(SOAK_SMOKE_OUT) $(GATE_OUT)

VEGETA := bin/vegeta
$(VEGETA):
	GOBIN=$(CURDIR)/bin $(GO) install github.com/tsenart/vegeta/v12@v12.13.0

BARELOOP := bin/bareloop

## bench-engine: every generator (oranbench traced and untraced, open model, the
##        vegeta CLI, wrk where installed; over HTTP/2 h2load where installed)
##        as a ratio to a bare net/http loop on the same transport, mock and
##        generator pinned to different CPUs; CPU per request from each
##        generator's own steady window; load average before and after, with a
##        warning on a busy machine. About 3.5 minutes (REPS=5 DUR=3s).
##        wrk and h2load: apt-get install wrk nghttp2-client
bench-engine: build $(VEGETA)
	$(GO) build -o $(BARELOOP) ./cmd/bareloop
	internal/engine/bench-engine.sh $(BIN) $(VEGETA) $(BARELOOP)

## bench-mock: the mock's overhead, throughput vs a bare net/http handler, latency accuracy
bench-mock:
	$(GO) test -run '^$$' -bench . -benchtime 3s ./mockbackend
