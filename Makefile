# ScamScope. `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
export PATH := $(BIN):$(PATH)
export GOTOOLCHAIN := local

# Pinned tool versions.
BUF_VERSION := v1.73.0
PROTOC_GEN_GO_VERSION := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.5.1
STATICCHECK_VERSION := v0.8.2
GRPCURL_VERSION := v1.9.4
GRPC_GATEWAY_VERSION := v2.32.0
GHZ_VERSION := v0.120.0

SHARED_CORPUS ?= ../shared/corpus
GRPC_ADDR ?= 127.0.0.1:9090
METRICS_ADDR ?= 127.0.0.1:9091
HTTP_ADDR ?= 127.0.0.1:8080
RUN_FLAGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help.
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/buf:
	GOBIN=$(BIN) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)
$(BIN)/protoc-gen-go:
	GOBIN=$(BIN) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)
$(BIN)/protoc-gen-go-grpc:
	GOBIN=$(BIN) $(GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(PROTOC_GEN_GO_GRPC_VERSION)
$(BIN)/protoc-gen-grpc-gateway:
	GOBIN=$(BIN) $(GO) install github.com/grpc-ecosystem/grpc-gateway/v2/protoc-gen-grpc-gateway@$(GRPC_GATEWAY_VERSION)
$(BIN)/ghz:
	GOBIN=$(BIN) $(GO) install github.com/bojand/ghz/cmd/ghz@$(GHZ_VERSION)
$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
$(BIN)/grpcurl:
	GOBIN=$(BIN) $(GO) install github.com/fullstorydev/grpcurl/cmd/grpcurl@$(GRPCURL_VERSION)

.PHONY: tools
tools: $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc $(BIN)/protoc-gen-grpc-gateway $(BIN)/staticcheck $(BIN)/grpcurl $(BIN)/ghz ## Install the pinned tools into ./bin.

.PHONY: generate
generate: $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc $(BIN)/protoc-gen-grpc-gateway ## Regenerate the Go code (gRPC and JSON gateway) from the protos.
	buf generate

.PHONY: check-generate
check-generate: generate ## Fail when the committed generated code is stale.
	@git diff --exit-code -- api || { echo "generated code in api/ is stale: run 'make generate' and commit"; exit 1; }
	@test -z "$$(git status --porcelain -- api)" || { echo "untracked generated files in api/: run 'make generate' and commit"; git status --porcelain -- api; exit 1; }

.PHONY: lint
lint: $(BIN)/buf $(BIN)/staticcheck ## go vet, staticcheck, gofmt, buf lint.
	$(GO) vet ./...
	staticcheck ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'); echo "gofmt needed"; exit 1; }
	buf lint

.PHONY: test
test: ## Run all tests, the rule examples, and the corpus floor when ../shared/corpus is present.
	$(GO) vet ./...
	$(GO) test -count=1 ./...
	$(GO) run ./cmd/scamscope rules test
	$(MAKE) --no-print-directory eval-floor

.PHONY: eval-floor
eval-floor:
	@if [ -f "$(SHARED_CORPUS)/MANIFEST.tsv" ]; then \
		$(GO) run ./cmd/scamscope eval --floor $(SHARED_CORPUS)/MANIFEST.tsv; \
	else \
		echo "eval: $(SHARED_CORPUS)/MANIFEST.tsv not found; skipping the real-corpus floor"; \
	fi
	$(GO) run ./cmd/scamscope eval --floor corpus/MANIFEST.tsv

.PHONY: eval
eval: ## Evaluate on the real corpus (JSON report).
	$(GO) run ./cmd/scamscope eval --json $(SHARED_CORPUS)/MANIFEST.tsv

.PHONY: eval-render
eval-render: ## Evaluate the real corpus rendered in Chromium from a loopback server (slow: minutes).
	$(GO) run ./cmd/scamscope eval --render --floor $(SHARED_CORPUS)/MANIFEST.tsv

.PHONY: bench
bench: ## Run all benchmarks.
	$(GO) test -run='^$$' -bench=. -benchmem ./...

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (default 30s).
	@for t in $$(grep -rl --include='*_test.go' '^func Fuzz' internal); do \
		pkg=./$$(dirname $$t); \
		for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$t | sed 's/func //'); do \
			echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$${FUZZTIME:-30s} $$pkg || exit 1; \
		done; \
	done

.PHONY: test-postgres
test-postgres: ## Run the store, server and daemon tests on a throwaway PostgreSQL (installs it with apt when root).
	@dir=$$(mktemp -d); \
	dsn=$$(internal/verdict/testdata/start-postgres.sh 2>$$dir/start.log) || { cat $$dir/start.log; exit 1; }; \
	cluster=$$(sed -n 's/.*cluster in \([^ ]*\) .*/\1/p' $$dir/start.log); \
	SCAMSCOPE_TEST_POSTGRES_DSN="$$dsn" $(GO) test -count=1 ./internal/verdict/... ./internal/server/ ./cmd/scamscoped/; rc=$$?; \
	internal/verdict/testdata/start-postgres.sh stop $$cluster; rm -rf $$dir; exit $$rc

.PHONY: loadtest
loadtest: $(BIN)/ghz ## Fill a store with 1,000,000 verdicts and measure lookups with ghz and grpcload (gRPC) and wrk (JSON); N=, DURATION=, PIN=, PROFILE=1.
	deploy/loadtest/run.sh

.PHONY: build
build: ## Build scamscoped and scamscope into ./bin.
	$(GO) build -o $(BIN)/scamscoped ./cmd/scamscoped
	$(GO) build -o $(BIN)/scamscope ./cmd/scamscope

.PHONY: run
run: build ## Build and run the server on embedded defaults (gRPC $(GRPC_ADDR), JSON $(HTTP_ADDR), metrics $(METRICS_ADDR)).
	@command -v chromium >/dev/null || echo "note: chromium is not installed, so URL scans are off; 'sudo apt-get install chromium' turns them on"
	$(BIN)/scamscoped --grpc-addr=$(GRPC_ADDR) --http-addr=$(HTTP_ADDR) --metrics-addr=$(METRICS_ADDR) $(RUN_FLAGS)

.PHONY: bench-match
bench-match: ## Matcher vs regexp vs Hyperscan (when libhs is installed) on one core, on $(SHARED_CORPUS) or corpus/ (the rule set timed in 3 rounds spread over the run, pooled), split by label and by pattern kind (literals, regexes) with their automata and the automaton pass alone against the scan, adversarial inputs, the static pipeline vs parsing, scale curve; BENCH_MATCH_FLAGS=.
	@grep -m1 'model name' /proc/cpuinfo; echo "load average: $$(cut -d' ' -f1-3 /proc/loadavg)"
	@corpus=$(SHARED_CORPUS); [ -f "$$corpus/MANIFEST.tsv" ] || { echo "bench-match: $$corpus/MANIFEST.tsv not found; using corpus/"; corpus=corpus; }; \
	if pkg-config --exists libhs; then \
		echo "bench-match: libhs $$(pkg-config --modversion libhs) found: building with -tags hyperscan"; \
		GOMAXPROCS=1 $(GO) run -tags hyperscan ./internal/matchbench/cmd/benchmatch -corpus "$$corpus" $(BENCH_MATCH_FLAGS); \
	else \
		echo "bench-match: libhs not installed (apt-get install libhyperscan-dev): no Hyperscan figures"; \
		GOMAXPROCS=1 $(GO) run ./internal/matchbench/cmd/benchmatch -corpus "$$corpus" $(BENCH_MATCH_FLAGS); \
	fi

.PHONY: bench-match-cost
bench-match-cost: ## The matcher's cost per byte on the corpus and the adversarial inputs by cachegrind's counts (needs valgrind): a load-independent A/B of two builds; BENCH_MATCH_COST_FLAGS= (e.g. "-set literals -input corpus": one kind of pattern on one input).
	@command -v valgrind >/dev/null || { echo "bench-match-cost: valgrind is not installed (apt-get install valgrind)"; exit 1; }
	@corpus=$(SHARED_CORPUS); [ -f "$$corpus/MANIFEST.tsv" ] || { echo "bench-match-cost: $$corpus/MANIFEST.tsv not found; using corpus/"; corpus=corpus; }; \
	$(GO) build -o $(BIN)/matchcost ./internal/matchbench/cmd/matchcost && $(BIN)/matchcost -corpus "$$corpus" $(BENCH_MATCH_COST_FLAGS)
